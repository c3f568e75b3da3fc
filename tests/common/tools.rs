//! Python test tools from PyPI (the SMTP server, the API fuzzer), each in a
//! virtual environment of its own under target/test-tools, made on first use.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

static INSTALLED: Mutex<Option<HashMap<&'static str, PathBuf>>> = Mutex::new(None);

/// The Python of `target/test-tools/<venv>`, with `requirement` installed
/// (checked by importing `module`). Panics with the reason if it cannot be
/// made: a test that needs the tool must not pass without it.
pub fn python_with(venv: &'static str, requirement: &str, module: &str) -> PathBuf {
    let mut guard = INSTALLED.lock().unwrap_or_else(|p| p.into_inner());
    let installed = guard.get_or_insert_with(HashMap::new);
    if let Some(p) = installed.get(venv) {
        return p.clone();
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-tools")
        .join(venv);
    let py = dir.join("bin/python");
    let has = |py: &Path| {
        Command::new(py)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has(&py) {
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(&py)
                .args(["-m", "pip", "install", "-q", requirement])
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            ok && has(&py),
            "could not install {requirement} into {} (python3 -m venv + pip from PyPI)",
            dir.display()
        );
    }
    installed.insert(venv, py.clone());
    py
}
