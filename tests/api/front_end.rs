//! The web front end as HTTP sees it: every page address answers the app's
//! page under its own CSP, every module it imports is served (and
//! revalidated by hash), other addresses stay problem+json, and the API
//! keeps its own locked-down policy.

use crate::both_backends;
use crate::common::{assert_problem, TestApp};

both_backends!(
    pages_and_assets_are_served_under_their_own_policy,
    every_module_the_app_imports_is_served
);

async fn pages_and_assets_are_served_under_their_own_policy(app: TestApp) {
    for path in [
        "/",
        "/login",
        "/matches/m-1",
        "/rounds/r-1",
        "/settings/notifications",
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), 200, "{path}");
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(res.headers()["x-frame-options"], "DENY");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = res.text().await.unwrap();
        assert!(
            html.contains("<script type=\"module\" src=\"/assets/js/app.js\">"),
            "{html}"
        );
        assert!(!html.contains("<script>"), "no inline script: {html}");
    }

    // Content hashes: a browser revalidates cheaply and never keeps a stale file.
    let res = app.get("/assets/js/app.js", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let again = app
        .client
        .get(app.url("/assets/js/app.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let other = app.get("/assets/app.css", None).await;
    assert_ne!(other.headers()["etag"].to_str().unwrap(), etag);

    // Addresses that are no page, and files that do not exist, stay 404s.
    assert_problem(app.get("/no-such-page", None).await, 404, "not_found").await;
    assert_problem(
        app.get("/assets/js/nothing.js", None).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.get("/assets/index.html", None).await, 404, "not_found").await;
    let res = app.client.post(app.url("/login")).send().await.unwrap();
    assert_problem(res, 404, "not_found").await;

    // The API keeps its own policy.
    let res = app.get("/api/v1/topics", None).await;
    assert_eq!(
        res.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}

/// Follows the app's imports from web/js/app.js: each module must be served
/// as JavaScript, or the browser stops at a blank page.
async fn every_module_the_app_imports_is_served(app: TestApp) {
    let mut todo = vec!["/assets/js/app.js".to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let res = app.get(&path, None).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
        let src = res.text().await.unwrap();
        let dir = &path[..path.rfind('/').unwrap()];
        for line in src.lines().filter(|l| l.starts_with("import ")) {
            let spec = line.rsplit(['\'', '"']).nth(1).unwrap();
            let mut parts: Vec<&str> = dir.split('/').collect();
            for seg in spec.split('/') {
                match seg {
                    "." => {}
                    ".." => {
                        parts.pop();
                    }
                    s => parts.push(s),
                }
            }
            todo.push(parts.join("/"));
        }
    }
    assert!(seen.len() >= 8, "{seen:?}");
}
