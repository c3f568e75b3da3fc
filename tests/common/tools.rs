//! Test tools from PyPI (the SMTP server, the API fuzzer, the Python client
//! generator), each in a virtual environment of its own under
//! target/test-tools, and from npm (the TypeScript client tools, Redocly,
//! and the browser tests' axe-core), all pinned and installed on first use.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

static INSTALLED: Mutex<Option<HashMap<&'static str, PathBuf>>> = Mutex::new(None);

/// The Python of `target/test-tools/<venv>`, with `requirement` (one or
/// more pinned packages, separated by spaces) installed
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
                .args(["-m", "pip", "install", "-q"])
                .args(requirement.split_whitespace())
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

/// The `node_modules/.bin` of the npm tools pinned in
/// api-spec/clients/package-lock.json, installed with `npm ci` into
/// target/test-tools/npm (again whenever the lock file changes). Panics with
/// the reason if npm is missing or the install fails.
pub fn npm_tools() -> PathBuf {
    static DONE: Mutex<Option<PathBuf>> = Mutex::new(None);
    npm_ci(&DONE, "api-spec/clients", "npm").join("node_modules/.bin")
}

/// The `node_modules` of the packages pinned in
/// tests/browser/package-lock.json (axe-core), installed like
/// [`npm_tools`] into target/test-tools/browser-npm.
pub fn browser_npm() -> PathBuf {
    static DONE: Mutex<Option<PathBuf>> = Mutex::new(None);
    npm_ci(&DONE, "tests/browser", "browser-npm").join("node_modules")
}

/// `npm ci` of the package.json and package-lock.json in `source` (relative
/// to the repository) into target/test-tools/`dir`, once per test process
/// and again whenever the lock file changes; `.ci/run` does the same.
fn npm_ci(done: &Mutex<Option<PathBuf>>, source: &str, dir: &str) -> PathBuf {
    let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(dir) = done.as_ref() {
        return dir.clone();
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = repo.join("target/test-tools").join(dir);
    let lock = std::fs::read(repo.join(source).join("package-lock.json")).unwrap();
    // Written only after a successful install, so a broken one is redone.
    let marker = dir.join("installed-package-lock.json");
    if std::fs::read(&marker).ok().as_ref() != Some(&lock) {
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["package.json", "package-lock.json"] {
            std::fs::copy(repo.join(source).join(f), dir.join(f)).unwrap();
        }
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "could not install {source}/package-lock.json into {} with `npm ci` \
             (node and npm are needed; .ci/run installs Debian's)",
            dir.display()
        );
        std::fs::write(&marker, &lock).unwrap();
    }
    *done = Some(dir.clone());
    dir
}
