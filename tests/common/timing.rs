//! What a server started with `--server-timing` says of each answer's work
//! in its `Server-Timing` header.

fn entry<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    let header = res
        .headers()
        .get("server-timing")
        .expect("--server-timing answers with a Server-Timing header")
        .to_str()
        .unwrap();
    header
        .split(',')
        .map(str::trim)
        .find(|e| e.split(';').next() == Some(name))
}

fn desc(entry: &str) -> &str {
    entry
        .split(';')
        .find_map(|p| p.trim().strip_prefix("desc="))
        .unwrap_or_else(|| panic!("no desc in {entry}"))
        .trim_matches('"')
}

/// The number of queries `db;dur=…;desc="N queries"` names.
pub fn queries(res: &reqwest::Response) -> u64 {
    let db = entry(res, "db").expect("a db entry");
    desc(db)
        .strip_suffix(" queries")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no query count in {db}"))
}

/// How the request's login was confirmed: `checked` (one of its queries)
/// or `cached` (a check the instance made lately); `None` without a login.
pub fn login_check(res: &reqwest::Response) -> Option<String> {
    entry(res, "login").map(|e| desc(e).to_string())
}
