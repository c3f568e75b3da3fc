//! Every error code the README documents is produced somewhere in the
//! source, and every code the source produces is documented: a client can
//! rely on the table in "Errors" both ways.

use std::collections::BTreeSet;
use std::path::Path;

const README: &str = include_str!("../README.md");

/// The backticked names in the codes column of the README's error table.
fn documented() -> BTreeSet<String> {
    let start = README
        .find("| status | codes |")
        .expect("README has the error table");
    README[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|row| {
            let codes = row
                .trim_matches('|')
                .split_once('|')
                .map(|x| x.1)
                .unwrap_or("");
            codes
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(std::fs::read_to_string(&p).unwrap());
        }
    }
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
fn documented_codes_and_produced_codes_agree() {
    let mut src = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut src);
    let all = src.concat();
    let documented = documented();
    assert!(documented.len() > 40, "{documented:?}");
    let never: Vec<&String> = documented
        .iter()
        .filter(|c| !all.contains(&format!("\"{c}\"")))
        .collect();
    assert!(never.is_empty(), "documented but never produced: {never:?}");
    let undocumented: Vec<String> = produced(&src)
        .into_iter()
        .filter(|c| !documented.contains(c))
        .collect();
    assert!(
        undocumented.is_empty(),
        "produced but missing from README's error table: {undocumented:?}"
    );
}

#[test]
fn the_scan_sees_codes_across_lines() {
    let src = vec!["x(AppError::conflict(\n    \"round_empty\",\n    \"detail\"))".to_string()];
    assert_eq!(produced(&src), BTreeSet::from(["round_empty".to_string()]));
}
