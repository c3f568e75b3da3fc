//! What people type: passwords (OWASP ASVS 5.0 V6.2), email addresses the
//! mailer must be able to send to, and display names that others see.

use crate::both_backends;
use crate::common::{assert_problem, TestApp, PASSWORD};
use serde_json::{json, Value};

/// Asserts a 422 whose one problem is `field` for `reason`.
async fn assert_refused(res: reqwest::Response, field: &str, reason: &str) -> Value {
    let body = assert_problem(res, 422, "validation_failed").await;
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["field"], field, "{body}");
    assert_eq!(errors[0]["reason"], reason, "{body}");
    assert!(
        !errors[0]["message"].as_str().unwrap_or("").is_empty(),
        "{body}"
    );
    body
}

fn token_in(mail: &str) -> String {
    let start = mail.find("token=").expect("a link with a token") + "token=".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

both_backends!(
    weak_passwords_are_refused_at_sign_up,
    weak_passwords_are_refused_on_change_and_reset,
    addresses_the_mailer_cannot_send_to_are_refused,
    display_names_that_could_mislead_are_refused
);

async fn weak_passwords_are_refused_at_sign_up(app: TestApp) {
    let cases = [
        ("        ", "blank"),
        ("password", "common_password"),
        ("welkom01", "common_password"),
        ("Wachtwoord123", "common_password"),
        ("anna.smit@uwv.nl", "personal_information"),
        ("Anna Smit 2026", "personal_information"),
        ("buddymatch1!", "personal_information"),
    ];
    for (password, reason) in cases {
        let res = app
            .post(
                "/api/v1/auth/register",
                &json!({
                    "email": "anna.smit@uwv.nl",
                    "password": password,
                    "display_name": "Anna Smit",
                }),
            )
            .await;
        assert_refused(res, "password", reason).await;
    }
    // Nothing was stored: the address is still free.
    assert!(app.outbox().is_empty(), "{:?}", app.outbox());
    // Long passphrases and any Unicode are welcome.
    let passphrase = "ĳsvogels vliegen 🐦 boven de Waal bij Nijmegen, ook in de winter ☂";
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({
                "email": "anna.smit@uwv.nl",
                "password": passphrase,
                "display_name": "Anna Smit",
            }),
        )
        .await;
    assert_eq!(res.status(), 202);
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "anna.smit@uwv.nl", "password": passphrase}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

async fn weak_passwords_are_refused_on_change_and_reset(app: TestApp) {
    app.register("joke.jansen@arbo.nl", "Joke Jansen").await;
    let token = app.login("joke.jansen@arbo.nl").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    for (new, reason) in [
        ("joke.jansen@arbo.nl", "personal_information"),
        ("Welkom01", "common_password"),
        ("          ", "blank"),
    ] {
        let body = json!({"current_password": PASSWORD, "new_password": new});
        let res = app
            .send_json(
                reqwest::Method::POST,
                "/api/v1/me/password",
                Some(&token),
                &body,
            )
            .await;
        assert_refused(res, "new_password", reason).await;
    }
    // Refusals changed nothing: the old password still logs in.
    app.login("joke.jansen@arbo.nl").await;

    assert_eq!(
        app.post(
            "/api/v1/auth/password-reset",
            &json!({"email": "joke.jansen@arbo.nl"})
        )
        .await
        .status(),
        202
    );
    let mail = app
        .wait_for_folder_mail("joke.jansen@arbo.nl", "reset-password?token=")
        .await;
    let reset = token_in(&mail);
    for (password, reason) in [
        ("Joke Jansen", "personal_information"),
        ("jokejansen2026", "personal_information"),
        ("iloveyou", "common_password"),
    ] {
        let res = app
            .post(
                "/api/v1/auth/password-reset/confirm",
                &json!({"token": reset, "password": password}),
            )
            .await;
        assert_refused(res, "password", reason).await;
    }
    // A refusal leaves the link usable.
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": reset, "password": "drie losse woorden hier"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "joke.jansen@arbo.nl", "password": "drie losse woorden hier"}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

async fn addresses_the_mailer_cannot_send_to_are_refused(app: TestApp) {
    for email in [
        "a<b>@b.nl",
        "\"a b\"@b.nl",
        "a..b@b.nl",
        "jösé@b.nl",
        "a@[192.0.2.1]",
        "a@b_c.nl",
    ] {
        let res = app
            .post(
                "/api/v1/auth/register",
                &json!({"email": email, "password": PASSWORD, "display_name": "A"}),
            )
            .await;
        assert_refused(res, "email", "invalid_address").await;
        let res = app
            .post("/api/v1/auth/password-reset", &json!({"email": email}))
            .await;
        assert_refused(res, "email", "invalid_address").await;
    }
    assert!(app.outbox().is_empty(), "{:?}", app.outbox());

    // An internationalised domain is kept as Punycode, which every relay
    // delivers, and either spelling logs in.
    let accepted = app.register("Anna@Bücher.NL", "Anna").await;
    assert_eq!(accepted["email"], "anna@xn--bcher-kva.nl");
    app.wait_for_folder_mail("anna@xn--bcher-kva.nl", "verify-email?token=")
        .await;
    let me = app.login("anna@bücher.nl").await;
    assert_eq!(me["user"]["email"], "anna@xn--bcher-kva.nl");
    app.login("anna@xn--bcher-kva.nl").await;
    // The worker sent it: nothing waits for a retry.
    app.wait_for_outbox("every email to be marked sent", |rows| {
        rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
}

async fn display_names_that_could_mislead_are_refused(app: TestApp) {
    let cases = [
        ("Anna\u{202E}seirV ed", "bidi_control"),
        ("\u{2066}Bas\u{2069}", "bidi_control"),
        ("Sam\u{2028}Subject: hallo", "control_characters"),
        ("Sam\u{2029}Bas", "control_characters"),
        ("Sam\r\nBcc: x@y.nl", "control_characters"),
        ("\u{200B}\u{200B}\u{200B}", "invisible"),
        ("\u{200D}\u{FEFF}", "invisible"),
        ("\u{3164}", "invisible"),
    ];
    for (name, reason) in cases {
        let res = app
            .post(
                "/api/v1/auth/register",
                &json!({"email": "lid@uwv.nl", "password": PASSWORD, "display_name": name}),
            )
            .await;
        assert_refused(res, "display_name", reason).await;
    }
    // Names are stored in NFC: "René" typed with a combining accent is
    // the same name as the precomposed one.
    app.register("rene@uwv.nl", "  Rene\u{301} Dubois ").await;
    let me = app.login("rene@uwv.nl").await;
    assert_eq!(me["user"]["display_name"], "Ren\u{e9} Dubois");
    // Right-to-left names themselves are welcome.
    app.register("mohammed@uwv.nl", "محمد العلي").await;
    assert_eq!(
        app.login("mohammed@uwv.nl").await["user"]["display_name"],
        "محمد العلي"
    );
}

/// `admin create --password-stdin` applies the same rules and says why.
#[test]
fn the_admin_command_refuses_weak_passwords() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let run = |password: &str, name: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_buddymatch"))
            .args([
                "admin",
                "create",
                "--email",
                "beheer@uwv.nl",
                "--role",
                "admin",
                "--name",
                name,
                "--password-stdin",
            ])
            .env("BUDDYMATCH_DATA_DIR", dir.path())
            .env("DATABASE_URL", &url)
            .env("BUDDYMATCH_SIGNING_KEY", crate::common::SIGNING_KEY)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    for (password, why) in [
        ("welkom01", "common"),
        ("        ", "spaces"),
        ("beheer@uwv.nl", "email address"),
    ] {
        let (ok, err) = run(password, "Beheer");
        assert!(!ok, "{password:?} was accepted");
        assert!(err.contains(why), "{password:?}: {err}");
    }
    let (ok, err) = run("een lange zin als wachtwoord", "Bad\u{202E}name");
    assert!(!ok);
    assert!(err.contains("--name"), "{err}");
    let (ok, err) = run("een lange zin als wachtwoord", "Beheer");
    assert!(ok, "{err}");
}
