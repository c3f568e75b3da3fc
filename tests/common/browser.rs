//! A real browser for the web front end's tests: Debian's Chromium, headless,
//! driven through chromedriver over WebDriver (fantoccini), with axe-core
//! for accessibility checks. Nothing here downloads a browser: .ci/run
//! installs the `chromium` and `chromium-driver` packages, and a test fails
//! saying so when they are missing.
//!
//! A test that panics while a [`Browser`] is open leaves a screenshot of the
//! page in target/screenshots/ and prints its path.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Headless without a sandbox (containers and CI runners lack the user
/// namespaces it needs) and without anything that phones home, updates
/// itself or shares /dev/shm (small in containers).
const FLAGS: [&str; 9] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
];

/// How long `wait_for*` wait before failing: a ceiling, not a pause (each
/// returns as soon as the page is there), generous because the whole suite
/// shares two cores with the browser.
pub const WAIT: Duration = Duration::from_secs(30);

/// One browser at a time across the test binary: the tests run in parallel
/// and several Chromiums at once on two cores make the pages slow enough to
/// miss a wait.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The size of the browser window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewport {
    /// 390 × 844, a common phone held upright.
    Phone,
    /// 1280 × 900.
    Desktop,
}

impl Viewport {
    fn size(self) -> (u32, u32) {
        match self {
            Viewport::Phone => (390, 844),
            Viewport::Desktop => (1280, 900),
        }
    }
}

/// One axe-core finding: a rule the page breaks and where.
#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    /// minor, moderate, serious or critical.
    pub impact: String,
    pub help: String,
    pub help_url: String,
    /// The CSS selectors of the offending elements.
    pub targets: Vec<String>,
}

impl Violation {
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {}: {} at {} ({})",
            self.impact,
            self.id,
            self.help,
            self.targets.join(", "),
            self.help_url
        )
    }
}

/// chromedriver, one Chromium session on it with a fresh profile and
/// download folder, and what a failing test needs to leave a screenshot.
/// Everything goes on drop: the session, chromedriver, the folders.
pub struct Browser {
    client: Client,
    driver_url: String,
    session: String,
    /// Who to name a failure screenshot after: the test, and which of its
    /// browsers this is.
    test: String,
    driver: Child,
    downloads: tempfile::TempDir,
    // Kept for its drop: Chromium's profile, removed after the session.
    _profile: tempfile::TempDir,
    // Held while the browser lives (see ONE_AT_A_TIME); the last field, so
    // it is released after everything else is gone.
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// target/screenshots, created on first use.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("creating target/screenshots");
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The test's name as the test harness gave it to its thread, made into a
/// file name, with a number for each browser the test starts.
fn test_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static STARTED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    static UNNAMED: AtomicUsize = AtomicUsize::new(0);
    let name = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(|n| n.replace("::", "-"))
        .unwrap_or_else(|| format!("browser{}", UNNAMED.fetch_add(1, Ordering::Relaxed)));
    let mut started = STARTED.lock().unwrap_or_else(|p| p.into_inner());
    started.push(name.clone());
    let n = started.iter().filter(|s| **s == name).count();
    format!("{name}-{n}")
}

impl Browser {
    /// A desktop-sized browser.
    pub async fn start() -> Browser {
        Browser::start_with(Viewport::Desktop).await
    }

    pub async fn start_with(viewport: Viewport) -> Browser {
        let turn = ONE_AT_A_TIME.lock().await;
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(path).exists(),
                "the browser tests need {path}: install Debian's {package} package \
                 (apt-get install chromium chromium-driver; .ci/run does)"
            );
        }
        let test = test_name();
        // The free port may be taken again before chromedriver binds it:
        // then it exits, and another port is tried.
        let (driver_url, mut driver) = 'started: {
            for _ in 0..3 {
                let port = free_port();
                let url = format!("http://127.0.0.1:{port}");
                let mut driver = Command::new(CHROMEDRIVER)
                    .arg(format!("--port={port}"))
                    // A group of its own, with the Chromium it starts, so
                    // that drop can end them all even when the session
                    // cannot be closed.
                    .process_group(0)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
                if wait_ready(&url, &mut driver).await {
                    break 'started (url, driver);
                }
            }
            panic!("{CHROMEDRIVER} exited at start three times (is it broken?)");
        };

        let profile = tempfile::tempdir().expect("a profile folder");
        let downloads = tempfile::tempdir().expect("a download folder");
        let mut args: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        // The console is where a blocked script (the Content Security
        // Policy) or a script error shows; see console_errors.
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": args,
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                },
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = match ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&driver_url)
            .await
        {
            Ok(c) => c,
            Err(e) => {
                end_group(&mut driver);
                panic!("chromedriver could not start {CHROMIUM}: {e}")
            }
        };
        // Our drop ends the session itself, also when the runtime is gone.
        client.persist().await.expect("keeping the session");
        let session = client
            .session_id()
            .await
            .expect("the session id")
            .expect("a session");
        let browser = Browser {
            client,
            driver_url,
            session,
            test,
            driver,
            downloads,
            _turn: turn,
            _profile: profile,
        };
        browser.resize(viewport).await;
        browser
    }

    /// The WebDriver client, for what this API lacks.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sizes the window so that the page's viewport (innerWidth ×
    /// innerHeight) is the one asked for: the window of headless Chromium
    /// keeps room for a toolbar it does not draw.
    pub async fn resize(&self, viewport: Viewport) {
        let (w, h) = viewport.size();
        let (mut ow, mut oh) = (w, h);
        for _ in 0..2 {
            self.client
                .set_window_size(ow, oh)
                .await
                .unwrap_or_else(|e| panic!("resizing the window to {ow}×{oh}: {e}"));
            let (iw, ih) = self.viewport().await;
            if (iw, ih) == (w, h) {
                return;
            }
            let fix = |outer: u32, want: u32, got: u32| (outer + want).saturating_sub(got).max(1);
            (ow, oh) = (fix(ow, w, iw), fix(oh, h, ih));
        }
        let got = self.viewport().await;
        panic!("the viewport is {got:?}, not {w}×{h}");
    }

    /// The page's innerWidth and innerHeight.
    pub async fn viewport(&self) -> (u32, u32) {
        let v = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .unwrap_or_else(|e| panic!("reading the viewport: {e}"));
        let n = |i: usize| v[i].as_u64().expect("a size in pixels") as u32;
        (n(0), n(1))
    }

    /// Opens `url` and waits until the page has loaded.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("(no address: {e})"))
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        match self
            .client
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
        {
            Ok(Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(e) => format!("(no text: {e})"),
        }
    }

    /// Fails with `what`, the address and the visible text of the page.
    async fn fail(&self, what: &str) {
        let url = self.url().await;
        let text = self.text().await;
        let errors = self.console_errors().await;
        let console = if errors.is_empty() {
            String::new()
        } else {
            format!("  the console has errors:\n    {}\n", errors.join("\n    "))
        };
        panic!("{what}\n  at {url}\n{console}  the page reads:\n{text}\n")
    }

    /// The errors the browser console logged since the last call (script
    /// errors, what the Content Security Policy blocked, failed loads).
    pub async fn console_errors(&self) -> Vec<String> {
        // chromedriver's log endpoint, which WebDriver itself lacks.
        let url = format!("{}/session/{}/se/log", self.driver_url, self.session);
        let Ok(res) = reqwest::Client::new()
            .post(url)
            .json(&json!({"type": "browser"}))
            .send()
            .await
        else {
            return vec!["(the console could not be read)".into()];
        };
        let log: Value = res.json().await.unwrap_or_default();
        log["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .filter_map(|e| e["message"].as_str().map(str::to_string))
            .collect()
    }

    /// Waits until the visible text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.text().await.contains(text) {
            if Instant::now() > deadline {
                self.fail(&format!("no text {text:?} after {WAIT:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until an element matches `css`, and returns it.
    pub async fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                return e;
            }
            if Instant::now() > deadline {
                self.fail(&format!("nothing matches {css:?} after {WAIT:?}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types `text` into the field `css` matches (waiting for it), after
    /// clearing it.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        self.type_into(field, css, text).await
    }

    /// Types `text` into the field whose label reads `label` (its whole
    /// text, or its start, such as "Password" for "Password (at least 12
    /// characters)").
    pub async fn fill_label(&self, label: &str, text: &str) {
        let field = self
            .find_by_script(
                "const want = arguments[0];
                 const norm = s => s.replace(/\\s+/g, ' ').trim();
                 const labels = [...document.querySelectorAll('label')].filter(l => l.control);
                 const l = labels.find(l => norm(l.textContent) === want)
                   || labels.find(l => norm(l.textContent).startsWith(want));
                 if (l) return l.control;
                 for (const c of document.querySelectorAll('[aria-label]')) {
                   if (norm(c.getAttribute('aria-label')) === want) return c;
                 }
                 return null;",
                label,
                &format!("no field labelled {label:?}"),
            )
            .await;
        self.type_into(field, label, text).await
    }

    async fn type_into(&self, field: Element, name: &str, text: &str) {
        if let Err(e) = field.clear().await {
            self.fail(&format!("cannot clear {name:?}: {e}")).await;
        }
        if let Err(e) = field.send_keys(text).await {
            self.fail(&format!("cannot type into {name:?}: {e}")).await;
        }
    }

    /// Clicks what `css` matches (waiting for it).
    pub async fn click(&self, css: &str) {
        for attempt in 1.. {
            let e = self.wait_for(css).await;
            match e.click().await {
                Ok(()) => return,
                // The page redrew between finding and clicking: find again.
                Err(err) if attempt < 4 && is_stale(&err) => continue,
                Err(err) => self.fail(&format!("cannot click {css:?}: {err}")).await,
            }
        }
    }

    /// Clicks the button, link or submit input whose visible text (or
    /// accessible name from aria-label) is `text`, waiting for it to appear.
    pub async fn click_text(&self, text: &str) {
        for attempt in 1.. {
            let e = self
                .find_by_script(
                    "const want = arguments[0];
                     const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
                     const all = document.querySelectorAll(
                       'button, a, summary, [role=button], [role=link], [role=tab], [role=menuitem], \
                        input[type=submit], input[type=button], input[type=reset]');
                     for (const e of all) {
                       if (norm(e.innerText) === want || norm(e.value) === want
                           || norm(e.getAttribute('aria-label')) === want) return e;
                     }
                     return null;",
                    text,
                    &format!("no button or link reading {text:?}"),
                )
                .await;
            match e.click().await {
                Ok(()) => return,
                // The page redrew between finding and clicking: find again.
                Err(err) if attempt < 4 && is_stale(&err) => continue,
                Err(err) => self.fail(&format!("cannot click {text:?}: {err}")).await,
            }
        }
    }

    /// Runs `script` with `arg` until it returns an element, for [`WAIT`].
    async fn find_by_script(&self, script: &str, arg: &str, missing: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.client.execute(script, vec![json!(arg)]).await;
            if let Ok(Value::Object(o)) = &found {
                if let Some(Value::String(id)) = o.get(webdriver_element_key()) {
                    return Element::from_element_id(self.client.clone(), id.clone().into());
                }
            }
            if let Err(e) = found {
                self.fail(&format!("{missing}: {e}")).await;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{missing} after {WAIT:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sets a control's value (a select, a date-time field) and tells the
    /// page, as a person's choice would.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.wait_for(css).await;
        self.client
            .execute(
                "const s = document.querySelector(arguments[0]); s.value = arguments[1];\
                 s.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap();
    }

    /// Clicks the first element `css` matches whose text contains `text`
    /// (a summary, which opens its details; a button among many alike).
    pub async fn click_within(&self, css: &str, text: &str) {
        self.wait_for_text(text).await;
        let found = self
            .client
            .execute(
                "const e = [...document.querySelectorAll(arguments[0])]\
                   .find((x) => x.textContent.includes(arguments[1]));\
                 if (e) e.click(); return !!e;",
                vec![json!(css), json!(text)],
            )
            .await
            .unwrap();
        assert_eq!(found, json!(true), "no {css} with {text:?}");
    }

    /// Writes a PNG of the window to target/screenshots/`name`.png and
    /// returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("taking a screenshot: {e}"));
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }

    /// The folder downloads go to (removed on drop).
    pub fn download_dir(&self) -> &Path {
        self.downloads.path()
    }

    /// Waits until a download ending in `.ext` is complete and returns its
    /// path. Chromium writes to a `.crdownload` file first and renames it
    /// when done.
    pub async fn wait_for_download(&self, ext: &str) -> PathBuf {
        let deadline = Instant::now() + Duration::from_secs(60);
        let suffix = format!(".{ext}");
        loop {
            let names: Vec<PathBuf> = std::fs::read_dir(self.downloads.path())
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            let busy = names
                .iter()
                .any(|p| p.to_string_lossy().ends_with(".crdownload"));
            if !busy {
                if let Some(p) = names
                    .iter()
                    .find(|p| p.to_string_lossy().ends_with(&suffix))
                {
                    return p.clone();
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "no finished {suffix} download after 20s; the download folder holds {names:?}"
                ))
                .await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs axe-core on the page and returns what it finds. WebDriver's
    /// scripts run outside the page's Content Security Policy, so this
    /// works on pages that allow no scripts of their own.
    pub async fn axe(&self) -> Vec<Violation> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .unwrap_or_else(|e| panic!("checking for axe: {e}"));
        if loaded != Value::Bool(true) {
            self.client
                .execute(axe_source(), vec![])
                .await
                .unwrap_or_else(|e| panic!("injecting axe-core: {e}"));
        }
        let res = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']})
                   .then(r => done({violations: r.violations.map(v => ({
                     id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
                     targets: v.nodes.map(n => n.target.join(' '))}))}))
                   .catch(e => done({error: String(e)}));",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("running axe-core: {e}"));
        if let Some(e) = res.get("error") {
            panic!("axe-core failed on {}: {e}", self.url().await);
        }
        let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        res["violations"]
            .as_array()
            .expect("axe-core's violations")
            .iter()
            .map(|v| Violation {
                id: s(v, "id"),
                impact: s(v, "impact"),
                help: s(v, "help"),
                help_url: s(v, "helpUrl"),
                targets: v["targets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect(),
            })
            .collect()
    }

    /// Fails listing axe-core's serious and critical findings on the page
    /// (`page` names it in the message). Returns the minor and moderate
    /// ones, which a test may look at.
    pub async fn assert_accessible(&self, page: &str) -> Vec<Violation> {
        let (serious, rest): (Vec<_>, Vec<_>) = self
            .axe()
            .await
            .into_iter()
            .partition(Violation::is_serious);
        if !serious.is_empty() {
            let mut list = String::new();
            for v in &serious {
                let _ = writeln!(list, "  {v}");
            }
            panic!(
                "{page} ({}) has serious accessibility problems (axe-core):\n{list}",
                self.url().await
            );
        }
        rest
    }

    /// Sends a WebDriver command without the runtime the session was made
    /// on: drop runs while a panic unwinds, perhaps after that runtime
    /// has stopped.
    fn raw(&self, method: reqwest::Method, path: &str) -> Option<Value> {
        let url = format!("{}/session/{}{path}", self.driver_url, self.session);
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let res = reqwest::Client::new()
                        .request(method, &url)
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await
                        .ok()?;
                    res.json::<Value>().await.ok()
                })
            })
            .join()
            .ok()
            .flatten()
        })
    }

    fn failure_screenshot(&self) {
        use base64::Engine as _;
        let png = self
            .raw(reqwest::Method::GET, "/screenshot")
            .and_then(|v| v["value"].as_str().map(str::to_string))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
        let Some(png) = png else {
            eprintln!("(no screenshot of the failed page: the browser did not answer)");
            return;
        };
        let path = screenshot_dir().join(format!("{}.png", self.test));
        match std::fs::write(&path, png) {
            Ok(()) => eprintln!("screenshot of the failed page: {}", path.display()),
            Err(e) => eprintln!("(could not write {}: {e})", path.display()),
        }
    }
}

fn webdriver_element_key() -> &'static str {
    "element-6066-11e4-a52e-4f735466cecf"
}

/// axe.min.js from the pinned npm package, read once.
fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = super::tools::browser_npm().join("axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    })
}

/// Polls chromedriver's status until it is ready; false if it exited.
async fn wait_ready(url: &str, driver: &mut Child) -> bool {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(res) = client.get(format!("{url}/status")).send().await {
            if let Ok(v) = res.json::<Value>().await {
                if v["value"]["ready"] == Value::Bool(true) {
                    return true;
                }
            }
        }
        if let Ok(Some(_)) = driver.try_wait() {
            return false;
        }
        if Instant::now() > deadline {
            end_group(driver);
            panic!("{CHROMEDRIVER} was not ready on {url} after 20s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Ends chromedriver and everything it started (its process group).
fn end_group(driver: &mut Child) {
    let group = format!("-{}", driver.id());
    let killed = Command::new("kill")
        .args(["-KILL", "--", &group])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !killed {
        let _ = driver.kill();
    }
    let _ = driver.wait();
}

impl Drop for Browser {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.failure_screenshot();
        }
        // Closing the session ends Chromium cleanly; whatever is left of
        // the group (chromedriver, or a Chromium that did not answer) goes
        // by signal.
        self.raw(reqwest::Method::DELETE, "");
        end_group(&mut self.driver);
    }
}

/// WebDriver's answer when an element found a moment ago left the page.
fn is_stale(err: &fantoccini::error::CmdError) -> bool {
    err.to_string().contains("stale element")
}
