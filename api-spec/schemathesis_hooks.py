"""A Schemathesis check of our own (tests/api/fuzz.rs loads this file with
SCHEMATHESIS_HOOKS): every problem an operation answers carries a code that
the operation lists for that status in its `x-error-codes`, so what the spec
tells front ends about codes holds for whatever the fuzzer sends."""

import schemathesis


@schemathesis.check
def problem_codes_are_the_operations(ctx, response, case):
    if response.status_code < 400:
        return None
    if "problem+json" not in response.headers.get("content-type", [""])[0]:
        return None
    documented = case.operation.definition.raw.get("x-error-codes", {})
    codes = documented.get(str(response.status_code))
    if codes is None:
        # An undocumented status is status_code_conformance's to report.
        return None
    code = response.json().get("code")
    if code not in codes:
        raise AssertionError(
            f"{case.operation.label} answered {response.status_code} with code {code!r}; "
            f"its x-error-codes list {codes}"
        )
    return None
