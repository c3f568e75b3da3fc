//! One list of error codes, `buddymatch::error::CODES`, and everything that
//! names codes held to it both ways: the README's error table, the spec's
//! `ErrorCode` enum (generated from the list: `BUDDYMATCH_BLESS=1 cargo test
//! --test codes` rewrites it), the codes each operation of the spec says its
//! problems carry, the codes the source gives the error constructors, and
//! the tests that produce each code.

use buddymatch::error::CODES;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

const README: &str = include_str!("../README.md");
const SPEC_PATH: &str = "api-spec/openapi.yaml";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn listed() -> BTreeSet<&'static str> {
    CODES.iter().map(|(_, c)| *c).collect()
}

/// (status, code) for each backticked code in the README's error table.
fn documented() -> BTreeSet<(u16, String)> {
    let start = README
        .find("| status | codes |")
        .expect("README has the error table");
    README[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|row| {
            let (status, codes) = row.trim_matches('|').split_once('|').unwrap_or_default();
            let status: u16 = status.trim().parse().expect("a status in the first column");
            // The 422 row goes on to name the `reason`s of field errors.
            let codes = codes.split("`reason`").next().unwrap_or_default();
            codes
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
                .map(|c| (status, c.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// (path, text) of every .rs file under `dir`.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((p.display().to_string(), text));
        }
    }
}

/// The source without the list itself, so a code counts as produced only
/// where something else names it.
fn src_without_the_list() -> Vec<(String, String)> {
    let mut src = Vec::new();
    sources(&repo().join("src"), &mut src);
    for (path, text) in &mut src {
        if path.ends_with("src/error.rs") {
            let start = text.find("pub const CODES").expect("CODES in src/error.rs");
            let end = start + text[start..].find("];").unwrap();
            text.replace_range(start..end, "");
        }
    }
    src
}

/// Codes passed to the error constructors that take one, e.g.
/// `AppError::conflict("round_empty", ...)`, wherever rustfmt broke the line.
fn produced(src: &[String]) -> BTreeSet<String> {
    const TAKES_CODE: [&str; 5] = [
        "AppError::bad_request(",
        "AppError::unauthorized(",
        "AppError::forbidden_because(",
        "AppError::not_found(",
        "AppError::conflict(",
    ];
    let mut out = BTreeSet::new();
    for file in src {
        for ctor in TAKES_CODE {
            for (i, _) in file.match_indices(ctor) {
                let rest = file[i + ctor.len()..].trim_start();
                if let Some(lit) = rest.strip_prefix('"') {
                    out.insert(lit[..lit.find('"').unwrap()].to_string());
                }
            }
        }
    }
    out
}

#[test]
fn the_readme_table_lists_exactly_the_codes_with_their_status() {
    let documented = documented();
    // A 500 is a bug: the README names `internal_error` below the table.
    let ours: BTreeSet<(u16, String)> = CODES
        .iter()
        .filter(|(_, c)| *c != "internal_error")
        .map(|(s, c)| (*s, c.to_string()))
        .collect();
    let missing: Vec<_> = ours.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&ours).collect();
    assert!(
        missing.is_empty(),
        "in error::CODES, not in README's error table: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in README's error table, not in error::CODES: {extra:?}"
    );
    assert!(README.contains("`internal_error`"));
}

#[test]
fn every_listed_code_is_produced_and_every_produced_code_listed() {
    let src = src_without_the_list();
    let all: String = src.iter().map(|(_, t)| t.as_str()).collect();
    let never: Vec<&str> = listed()
        .into_iter()
        .filter(|c| !all.contains(&format!("\"{c}\"")))
        .collect();
    assert!(never.is_empty(), "listed but never produced: {never:?}");
    let texts: Vec<String> = src.into_iter().map(|(_, t)| t).collect();
    let unlisted: Vec<String> = produced(&texts)
        .into_iter()
        .filter(|c| !listed().contains(c.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "produced but missing from error::CODES: {unlisted:?}"
    );
    let mut seen = BTreeSet::new();
    for (_, c) in CODES {
        assert!(seen.insert(c), "{c} is listed twice");
        assert!(
            c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
            "{c}"
        );
    }
}

#[test]
fn the_scan_sees_codes_across_lines() {
    let src = vec!["x(AppError::conflict(\n    \"round_empty\",\n    \"detail\"))".to_string()];
    assert_eq!(produced(&src), BTreeSet::from(["round_empty".to_string()]));
}

/// The `enum:` line of the spec's `ErrorCode` schema, as the list makes it.
fn enum_line() -> String {
    let codes: Vec<&str> = CODES.iter().map(|(_, c)| *c).collect();
    format!("      enum: [{}]", codes.join(", "))
}

#[test]
fn the_spec_error_code_enum_is_generated_from_the_list() {
    let path = repo().join(SPEC_PATH);
    let spec = std::fs::read_to_string(&path).unwrap();
    let start = spec
        .find("\n    ErrorCode:\n")
        .expect("components.schemas.ErrorCode in the spec");
    let line_start = start
        + spec[start..]
            .find("\n      enum: [")
            .expect("its enum line")
        + 1;
    let line_end = line_start + spec[line_start..].find('\n').unwrap();
    let want = enum_line();
    if spec[line_start..line_end] != want {
        if std::env::var_os("BUDDYMATCH_BLESS").is_some() {
            let mut new = spec.clone();
            new.replace_range(line_start..line_end, &want);
            std::fs::write(&path, new).unwrap();
        } else {
            panic!(
                "{SPEC_PATH}'s ErrorCode enum is not error::CODES; regenerate it with \
                 BUDDYMATCH_BLESS=1 cargo test --test codes\nwant: {want}"
            );
        }
    }
    let docs = YamlLoader::load_from_str(&spec).unwrap();
    let problem = &docs[0]["components"]["schemas"]["Problem"];
    assert_eq!(
        problem["properties"]["code"]["$ref"].as_str(),
        Some("#/components/schemas/ErrorCode")
    );
}

/// Codes no operation of the spec carries, each for its reason.
const NOT_FROM_AN_OPERATION: [(&str, &str); 9] = [
    (
        "bad_request",
        "another 4xx that actix answers on its own, or a preflight without Origin",
    ),
    (
        "origin_not_allowed",
        "a refused CORS preflight (OPTIONS), not an operation",
    ),
    (
        "cors_not_allowed",
        "a refused CORS preflight (OPTIONS), not an operation",
    ),
    ("not_found", "a path that is no route"),
    ("method_not_allowed", "a method the route does not serve"),
    (
        "email_taken",
        "only `buddymatch admin create`; sign-up never tells",
    ),
    ("demo_loaded", "only `buddymatch demo`"),
    (
        "conflict",
        "a unique key without a code of its own; no operation is known to hit one",
    ),
    ("internal_error", "a bug; no operation documents a 500"),
];

fn responses_with_problems(op: &Yaml) -> BTreeSet<String> {
    let problem_refs = [
        "#/components/responses/Problem",
        "#/components/responses/TooManyRequests",
        "#/components/responses/ServiceUnavailable",
    ];
    op["responses"]
        .as_hash()
        .expect("responses")
        .iter()
        .filter(|(_, r)| problem_refs.contains(&r["$ref"].as_str().unwrap_or("")))
        .map(|(s, _)| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_operation_says_which_codes_its_problems_carry() {
    let spec = std::fs::read_to_string(repo().join(SPEC_PATH)).unwrap();
    let docs = YamlLoader::load_from_str(&spec).unwrap();
    let status_of: BTreeMap<&str, u16> = CODES.iter().map(|(s, c)| (*c, *s)).collect();
    let mut carried = BTreeSet::new();
    for (path, item) in docs[0]["paths"].as_hash().unwrap() {
        for (method, op) in item.as_hash().unwrap() {
            let name = format!("{} {}", method.as_str().unwrap(), path.as_str().unwrap());
            let statuses = responses_with_problems(op);
            let codes = &op["x-error-codes"];
            let said: BTreeSet<String> = codes
                .as_hash()
                .map(|h| h.keys().map(|k| k.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            assert_eq!(
                said, statuses,
                "{name}: x-error-codes and the problem responses"
            );
            for status in statuses {
                let list = codes[status.as_str()].as_vec().expect("a list of codes");
                assert!(!list.is_empty(), "{name} {status}: no codes");
                for code in list {
                    let code = code.as_str().unwrap();
                    let want = status_of.get(code).copied();
                    assert_eq!(
                        want.map(|s| s.to_string()),
                        Some(status.clone()),
                        "{name}: {code} under {status} (error::CODES answers it with {want:?})"
                    );
                    carried.insert(code.to_string());
                }
            }
        }
    }
    let elsewhere: BTreeSet<&str> = NOT_FROM_AN_OPERATION.iter().map(|(c, _)| *c).collect();
    for (_, code) in CODES {
        assert!(
            carried.contains(*code) != elsewhere.contains(code),
            "{code}: carried by an operation of the spec, or (only) in NOT_FROM_AN_OPERATION"
        );
    }
}

/// Codes no test yet makes the server answer, each for its reason. A test
/// that produces one must take it off this list.
const NOT_YET_PRODUCED_BY_A_TEST: [(&str, &str); 0] = [];

#[test]
fn every_code_is_produced_by_some_test() {
    let mut tests = Vec::new();
    sources(&repo().join("tests"), &mut tests);
    let mut texts: Vec<String> = tests
        .into_iter()
        .filter(|(p, _)| !p.ends_with("tests/codes.rs"))
        .map(|(_, t)| t)
        .collect();
    // Unit tests in src: what follows `#[cfg(test)]`.
    for (_, text) in src_without_the_list() {
        if let Some(i) = text.find("#[cfg(test)]") {
            texts.push(text[i..].to_string());
        }
    }
    let all = texts.concat();
    let untested: BTreeSet<&str> = listed()
        .into_iter()
        .filter(|c| !all.contains(&format!("\"{c}\"")))
        .collect();
    let known: BTreeSet<&str> = NOT_YET_PRODUCED_BY_A_TEST.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        untested, known,
        "codes no test produces (left) and the known list (right)"
    );
}
