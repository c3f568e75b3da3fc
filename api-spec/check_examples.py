"""Every example in api-spec/openapi.yaml is valid against the schema it
illustrates (JSON Schema 2020-12, as OpenAPI 3.1 uses), so front-end
developers can copy them. Prints each mismatch; exits 1 if there is one.

Usage: python check_examples.py api-spec/openapi.yaml
Needs jsonschema_rs and PyYAML (both come with schemathesis)."""

import datetime
import sys

import jsonschema_rs
import yaml


def examples(node, pointer=""):
    """(pointer of the schema, example) for each example in the document:
    `example` inside a schema, and `example` beside a media type's schema."""
    if isinstance(node, dict):
        if "example" in node:
            if "schema" in node:
                yield pointer + "/schema", node["example"]
            else:
                yield pointer, node["example"]
        for key, value in node.items():
            if key != "example":
                yield from examples(value, f"{pointer}/{escape(str(key))}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from examples(value, f"{pointer}/{i}")


def escape(key):
    return key.replace("~", "~0").replace("/", "~1")


def main(path):
    with open(path, encoding="utf-8") as f:
        # Dates stay strings, as they are on the wire.
        spec = yaml.safe_load(f)
    spec = stringify_dates(spec)
    found, bad = 0, 0
    for pointer, example in list(examples(spec)):
        found += 1
        # The whole document is the root, so the spec's own "#/components/..."
        # references resolve; its other keys are not schema keywords.
        root = {"$defs": {}, **spec, "$ref": f"#{pointer}"}
        validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
        for error in validator.iter_errors(example):
            bad += 1
            where = "/".join(str(p) for p in error.instance_path) or "(root)"
            print(f"FAIL {pointer}: at {where}: {error.message}")
    print(f"{found} examples checked, {bad} problems")
    if found < 10:
        print("FAIL fewer than 10 examples found: is this the right file?")
        return 1
    return 1 if bad else 0


def stringify_dates(node):
    if isinstance(node, dict):
        return {k: stringify_dates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [stringify_dates(v) for v in node]
    if isinstance(node, (datetime.date, datetime.datetime)):
        return node.isoformat()
    return node


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
