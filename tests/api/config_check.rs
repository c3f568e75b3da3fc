//! `buddymatch config check` on env files: the shipped example passes, and
//! each kind of mistake is refused with the setting and line named.

use std::process::Command;

fn check(env: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("buddymatch.env");
    std::fs::write(&file, env).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_buddymatch"))
        .args(["config", "check", "--env-file"])
        .arg(&file)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (
        out.status.success(),
        text.replace(&*file.to_string_lossy(), "F"),
    )
}

#[test]
fn the_shipped_environment_file_passes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/systemd/buddymatch.env");
    let (ok, out) = check(&std::fs::read_to_string(path).unwrap());
    assert!(ok, "{out}");
    assert!(out.contains("no problems"), "{out}");
}

#[test]
fn a_good_file_passes_and_prints_its_settings_without_secrets() {
    let key = "k".repeat(32);
    let env = format!(
        "# production\nDATABASE_URL=postgres://bm:pw@db/bm\nBUDDYMATCH_SIGNING_KEY={key}\n\
         BUDDYMATCH_SMTP_URL=smtp://relay.vereniging.nl:587?tls=required\n\
         BUDDYMATCH_MAIL_FROM=\"buddymatch <leren@vereniging.nl>\"\n\
         BUDDYMATCH_TRUSTED_PROXIES=10.244.0.0/16,::1\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ok.env");
    std::fs::write(&file, env).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_buddymatch"))
        .args(["config", "check", "--print", "--env-file"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("5 settings, no problems"), "{stdout}");
    assert!(
        stdout.contains("BUDDYMATCH_SHUTDOWN_TIMEOUT_SECS=20\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("BUDDYMATCH_SIGNING_KEY=(hidden)\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&key) && !stdout.contains("pw@"),
        "{stdout}"
    );
}

#[test]
fn each_problem_is_named_with_its_line() {
    for (env, problem) in [
        (
            "BUDDYMATCH_SIGNING_KEY=short\n",
            "F:1: BUDDYMATCH_SIGNING_KEY: a signing key must be at least 32 bytes",
        ),
        (
            "\nDATABASE_URL=mysql://db/bm\n",
            "F:2: DATABASE_URL: unsupported database URL scheme",
        ),
        (
            "BUDDYMATCH_TRUSTED_PROXIES=10.0.0.5/8\n",
            "the range is 10.0.0.0/8",
        ),
        (
            "BUDDYMATCH_MAIL_FROM=not an address\n",
            "F:1: BUDDYMATCH_MAIL_FROM: \"not an address\" is not an address",
        ),
        (
            "BUDDYMATCH_DB_POOL_SIZE=lots\n",
            "F:1: BUDDYMATCH_DB_POOL_SIZE: invalid value 'lots'",
        ),
        (
            "BUDDYMATCH_LOG_FORMAT=xml\n",
            "[possible values: text, json]",
        ),
        (
            "BUDDYMATCH_BIND=8080\n",
            "F:1: BUDDYMATCH_BIND: \"8080\" is not HOST:PORT",
        ),
        (
            "BUDDYMATCH_CORS_ORIGINS=https://app.nl/\n",
            "write it as https://app.nl",
        ),
        (
            "BUDDYMATCH_SMTP_URL=ftp://relay.nl\n",
            "F:1: BUDDYMATCH_SMTP_URL: not a usable SMTP URL",
        ),
        (
            "BUDDYMATCH_BINDD=0.0.0.0:8080\n",
            "F:1: BUDDYMATCH_BINDD is not a buddymatch setting",
        ),
        (
            "BUDDYMATCH_LOG=a\nBUDDYMATCH_LOG=b\n",
            "F:2: BUDDYMATCH_LOG is set twice",
        ),
        // Relayed mail from a domain nobody can resolve fails SPF and loses replies.
        (
            concat!(
                "BUDDYMATCH_SMTP_URL=smtp://relay.vereniging.nl\n",
                "BUDDYMATCH_MAIL_FROM=bm <noreply@buddymatch.local>\n",
            ),
            "F:2: BUDDYMATCH_MAIL_FROM: the sender domain buddymatch.local is not a public domain",
        ),
        (
            "BUDDYMATCH_SMTP_URL=smtp://relay.vereniging.nl\n",
            "BUDDYMATCH_MAIL_FROM (the default): the sender domain buddymatch.local",
        ),
    ] {
        let (ok, out) = check(env);
        assert!(!ok, "{env:?} passed:\n{out}");
        assert!(out.contains(problem), "{env:?}: no {problem:?} in\n{out}");
    }
    // Every problem at once, not only the first.
    let (ok, out) =
        check("BUDDYMATCH_SIGNING_KEY=short\nBUDDYMATCH_DB_POOL_SIZE=x\nDATABASE_URL=x\n");
    assert!(!ok && out.contains("3 problems"), "{out}");
    // Without a relay, the sender domain is nobody's concern: the .eml folder.
    let (ok, out) = check("BUDDYMATCH_MAIL_FROM=bm <noreply@buddymatch.local>\n");
    assert!(ok, "{out}");
}
