//! Steps the web front end's browser tests share.

use super::browser::Browser;
use super::smtp::SmtpSink;
use super::TestApp;
use std::time::{Duration, Instant};

/// The path and query of the first link in an email to `to` holding
/// `needle` (emails name the configured public base, not the test server).
pub async fn link_in_mail(sink: &SmtpSink, to: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(m) = sink
            .messages()
            .into_iter()
            .find(|m| m.to == to && m.text.contains(needle))
        {
            let at = m.text.find(needle).unwrap();
            let start = m.text[..at].rfind("http").expect("an absolute link");
            let link = m.text[start..].split_whitespace().next().unwrap();
            let after_scheme = link.split_once("://").unwrap().1;
            return after_scheme[after_scheme.find('/').unwrap()..].to_string();
        }
        assert!(Instant::now() < deadline, "no email to {to} with {needle}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Logs in on the front end's page; done once the menu offers logging out.
pub async fn log_in(b: &Browser, app: &TestApp, email: &str, password: &str) {
    b.goto(&app.url("/login")).await;
    b.fill("[name=email]", email).await;
    b.fill("[name=password]", password).await;
    b.click("form button[type=submit]").await;
    b.wait_for_text("Uitloggen").await;
}

pub async fn log_out(b: &Browser) {
    b.click_text("Uitloggen").await;
    b.wait_for_text("Inloggen").await;
}
