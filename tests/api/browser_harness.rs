//! The browser harness (tests/common/browser.rs) on a page the service
//! serves today: Chromium opens the password-reset page from a reset
//! email, a member sets a password by typing and clicking, axe-core checks
//! the pages under their Content Security Policy (which allows no scripts),
//! and screenshots and downloads land where the harness says.

use crate::both_backends;
use crate::common::browser::{screenshot_dir, Browser, Viewport};
use crate::common::TestApp;
use serde_json::json;

both_backends!(a_member_resets_a_password_in_a_browser);

async fn a_member_resets_a_password_in_a_browser(app: TestApp) {
    let email = "noor.haddad@zorg.nl";
    app.register(email, "Noor Haddad").await;
    let res = app
        .post("/api/v1/auth/password-reset", &json!({"email": email}))
        .await;
    assert_eq!(res.status(), 202);
    let mail = app
        .wait_for_folder_mail(email, "reset-password?token=")
        .await;
    // The link leads to the web front end; the service's own page of the
    // same path (where the front end sends a visitor without a login for
    // the other links) is the one tested here.
    let at = mail.find("/reset-password?token=").expect("a reset link");
    let path: String = std::iter::once("/pages")
        .chain(std::iter::once(&mail[at..]))
        .collect::<String>()
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();

    let browser = Browser::start_with(Viewport::Phone).await;
    browser.goto(&app.url(&path)).await;
    browser.wait_for_text("New password").await;
    assert_eq!(browser.viewport().await, (390, 844));
    // Not even a moderate finding: the page's content sits in its main
    // landmark.
    let moderate = browser.assert_accessible("the reset-password page").await;
    assert!(moderate.is_empty(), "{moderate:?}");

    // axe-core runs under the page's policy, which allows no scripts, and
    // finds what is wrong: here a field whose label was taken away.
    browser
        .client()
        .execute(
            "const i = document.querySelector('input[name=password]'); \
             i.closest('label').replaceWith(i);",
            vec![],
        )
        .await
        .unwrap();
    let found = browser.axe().await;
    assert!(
        found.iter().any(|v| v.id == "label" && v.is_serious()),
        "axe-core missed the unlabelled field: {found:?}"
    );
    // The page's own scripts stay blocked, and the console says so.
    assert!(browser.console_errors().await.is_empty());
    browser
        .client()
        .execute(
            "const s = document.createElement('script'); \
             s.textContent = 'document.title = 1'; \
             document.body.append(s);",
            vec![],
        )
        .await
        .unwrap();
    let errors = browser.console_errors().await;
    assert!(
        errors.iter().any(|e| e.contains("Content Security Policy")),
        "{errors:?}"
    );
    browser.goto(&app.url(&path)).await;

    // A refused password shows why, and leaves the link usable.
    browser.fill_label("Password", "iloveyou").await;
    browser.click_text("Continue").await;
    browser.wait_for_text("That did not work").await;
    browser.assert_accessible("the refusal page").await;

    browser.goto(&app.url(&path)).await;
    browser
        .fill("input[name=password]", "drie losse woorden hier")
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("Password changed").await;
    browser.assert_accessible("the confirmation page").await;
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": "drie losse woorden hier"}),
        )
        .await;
    assert_eq!(res.status(), 200, "the password set in the browser logs in");

    let name = format!("harness-reset-password-{:?}", app.backend).to_lowercase();
    let shot = browser.screenshot(&name).await;
    assert_eq!(shot, screenshot_dir().join(format!("{name}.png")));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is a PNG",
        shot.display()
    );
}

/// A front end saves what it fetched with the member's token as a blob
/// link; the harness sees the file once Chromium has finished it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_land_in_the_download_folder() {
    let browser = Browser::start().await;
    assert_eq!(browser.viewport().await, (1280, 900));
    browser.goto("about:blank").await;
    let pdf = "%PDF-1.4\n% a made-up document\n%%EOF\n";
    browser
        .client()
        .execute(
            "const a = document.createElement('a');
             a.href = URL.createObjectURL(new Blob([arguments[0]], {type: 'application/pdf'}));
             a.download = 'portfolio.pdf';
             document.body.append(a);
             a.click();",
            vec![json!(pdf)],
        )
        .await
        .unwrap();
    let file = browser.wait_for_download("pdf").await;
    assert_eq!(file, browser.download_dir().join("portfolio.pdf"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), pdf);
}

/// A test that fails with a browser open leaves a picture of the page,
/// named after the test (here the thread that stands in for one).
#[test]
fn a_failing_test_leaves_a_screenshot() {
    let shot = screenshot_dir().join("browser_harness-failing_on_purpose-1.png");
    let _ = std::fs::remove_file(&shot);
    let failed = std::thread::Builder::new()
        .name("browser_harness::failing_on_purpose".into())
        .spawn(|| {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let browser = Browser::start().await;
                browser.goto("about:blank").await;
                panic!("failing on purpose, to see the screenshot");
            })
        })
        .unwrap()
        .join();
    assert!(failed.is_err(), "the stand-in test failed");
    let png = std::fs::read(&shot)
        .unwrap_or_else(|e| panic!("no failure screenshot at {}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
}
