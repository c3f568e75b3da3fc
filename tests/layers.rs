//! Dependencies point one way: `api → service → {auth, mail} → {store,
//! matching} → domain` (README, Layout). This reads every path in `src/` that
//! names another module (`crate::…`, `super::…`, a child module, and
//! `buddymatch::…` in `main.rs`), places each file in a layer, and fails on an
//! import its layer may not make (one that points up, or from `api` past the
//! service layer), and on a circle among the modules of `src/service/`.
//!
//! A syntactic reading, not the compiler's: a path is resolved to the file of
//! the deepest module it names, which is all a rule between files needs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every layer with the layers it may import, bottom up: a layer names only
/// layers listed before it (the test checks this), so the rule has no circle.
/// A layer is a top-level module of the crate; `lib` is the crate root and
/// `main` the binary.
const LAYERS: &[(&str, &[&str])] = &[
    // Foundations: plain types and helpers every layer may lean on.
    ("domain", &[]),
    ("config", &[]),
    ("files", &[]),
    ("error", &["domain"]),
    ("runtime", &["error"]),
    // The engine and its file-based commands: pure, no server.
    ("matching", &["domain"]),
    ("offline", &["domain", "matching"]),
    // The learning network's measures, exports and pictures: pure too.
    ("network", &["domain", "matching"]),
    // The only SQL.
    ("store", &["domain", "error", "files", "runtime"]),
    // The process's counters; the outbox gauge reads a store type.
    ("metrics", &["store"]),
    // What the use cases call.
    ("auth", &["domain", "error", "runtime"]),
    (
        "mail",
        &[
            "domain", "error", "files", "matching", "metrics", "runtime", "store",
        ],
    ),
    // The use cases.
    (
        "service",
        &[
            "auth", "config", "domain", "error", "mail", "matching", "metrics", "network",
            "offline", "runtime", "store",
        ],
    ),
    // HTTP: never past the service layer into store, matching or mail.
    (
        "api",
        &[
            "auth", "config", "domain", "error", "metrics", "runtime", "service",
        ],
    ),
    // Glue that builds and runs the whole: it may use every layer.
    ("telemetry", &["config"]),
    (
        "startup",
        &[
            "api",
            "auth",
            "config",
            "domain",
            "error",
            "files",
            "mail",
            "matching",
            "metrics",
            "offline",
            "runtime",
            "service",
            "store",
            "telemetry",
        ],
    ),
    (
        "cli",
        &[
            "auth",
            "config",
            "domain",
            "mail",
            "service",
            "startup",
            "store",
            "telemetry",
        ],
    ),
    (
        "lib",
        &[
            "api",
            "auth",
            "cli",
            "config",
            "domain",
            "error",
            "files",
            "mail",
            "matching",
            "metrics",
            "network",
            "offline",
            "runtime",
            "service",
            "startup",
            "store",
            "telemetry",
        ],
    ),
    (
        "main",
        &[
            "cli",
            "config",
            "domain",
            "files",
            "matching",
            "offline",
            "startup",
            "telemetry",
        ],
    ),
];

/// `api` reaches the database and the mailer only through the service layer,
/// so it names neither crate.
const API_MAY_NOT_NAME: &[&str] = &["diesel", "lettre"];

/// Imports that close a circle among service modules today. `rounds.rs` is
/// being split (issue 12, "One place per concern"): the types these name
/// (`MeetingWindow`, `Settings`) leave it then, and with them the circles. An
/// entry whose import is gone fails the test, so this list only shrinks.
const KNOWN_CIRCLES: &[(&str, &str)] = &[];

/// Module paths are `::`-joined segments: `""` is the crate root,
/// `"service::profiles"` is `src/service/profiles.rs`, `"main"` the binary.
type Module = String;

struct Import {
    file: String,
    line: usize,
    path: String,
    from: Module,
    to: Module,
}

#[test]
fn every_import_points_down_and_service_has_no_circle() {
    let sources = sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let imports = imports_in(&sources);
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut problems = Vec::new();

    for (i, (layer, may)) in LAYERS.iter().enumerate() {
        for m in *may {
            if !LAYERS[..i].iter().any(|(l, _)| l == m) {
                problems.push(format!(
                    "LAYERS: {layer} may import {m}, which is not listed before it"
                ));
            }
        }
    }
    for imp in &imports {
        let (from, to) = (layer(&imp.from), layer(&imp.to));
        if from == to {
            continue;
        }
        match allowed.get(from) {
            None => problems.push(format!(
                "{}: the module `{from}` is in no layer: \
                 add it to LAYERS in tests/layers.rs and to README's Layout",
                imp.file
            )),
            Some(may) if !may.contains(&to) => problems.push(format!(
                "{}:{}: {from} imports {to} (`{}`), which it may not",
                imp.file, imp.line, imp.path
            )),
            Some(_) => {}
        }
    }
    for (module, (file, text)) in &sources {
        if layer(module) == "api" {
            for krate in API_MAY_NOT_NAME {
                if let Some(line) = names_crate(text, krate) {
                    problems.push(format!(
                        "{file}:{line}: api names {krate}, which it may not"
                    ));
                }
            }
        }
    }
    for (from, to) in KNOWN_CIRCLES {
        if !imports.iter().any(|i| i.from == *from && i.to == *to) {
            problems.push(format!(
                "{from} no longer imports {to}: remove it from KNOWN_CIRCLES in tests/layers.rs"
            ));
        }
    }
    let checked: Vec<&Import> = imports
        .iter()
        .filter(|i| !KNOWN_CIRCLES.contains(&(i.from.as_str(), i.to.as_str())))
        .collect();
    for circle in circles(&checked, "service") {
        problems.push(format!(
            "a circle among service modules, joined by:\n    {}",
            circle.join("\n    ")
        ));
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// Reading paths: use trees, relative paths, inline modules, and text that
/// only looks like code (comments, strings with braces, char literals).
#[test]
fn reads_the_paths_a_file_names() {
    let src = r##"
        use crate::{a::b, c::{self, d::E}};
        use super::x::Y;
        // crate::commented::out
        /* crate::block /* nested */ crate::also_out */
        fn f() { let _ = format!("{}", '"'); let _ = r#"}"#; crate::g::h(); }
        mod tests {
            use super::*;
            use super::super::z;
        }
        #[serde(serialize_with = "crate::t::iso")]
        struct S { kid: kid::Thing }
    "##;
    let found: Vec<(usize, Vec<String>)> = paths_in(src, "p::q", &["kid".to_string()]);
    let got: Vec<String> = found.iter().map(|(_, p)| p.join("::")).collect();
    assert_eq!(
        got,
        [
            "a::b",
            "c",
            "c::d::E",
            "p::x::Y",
            "g::h",
            "p::q",
            "p::z",
            "t::iso",
            "p::q::kid::Thing",
        ]
    );
}

fn layer(module: &str) -> &str {
    match module.split("::").next() {
        Some("") | None => "lib",
        Some(first) => first,
    }
}

/// Each module of `src/` with its file (from the package root) and text.
fn sources(src: &Path) -> BTreeMap<Module, (String, String)> {
    let mut files = BTreeMap::new();
    collect(src, src, &mut files);
    files
        .into_iter()
        .map(|(module, file)| {
            let rel = file.strip_prefix(src.parent().unwrap()).unwrap();
            let text = fs::read_to_string(&file).unwrap();
            (module, (rel.display().to_string(), text))
        })
        .collect()
}

/// Every import that leaves its own file, resolved to a module file.
fn imports_in(sources: &BTreeMap<Module, (String, String)>) -> Vec<Import> {
    let modules: BTreeSet<&Module> = sources.keys().collect();
    let mut imports = Vec::new();
    for (module, (file, text)) in sources {
        let children: Vec<String> = declared_children(text);
        for (line, path) in paths_in(text, module, &children) {
            // The deepest module the path names; the rest are items in it.
            let to = (0..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|m| modules.contains(m))
                .unwrap_or_default();
            if &to != module {
                imports.push(Import {
                    file: file.clone(),
                    line,
                    path: path.join("::"),
                    from: module.clone(),
                    to,
                });
            }
        }
    }
    imports
}

fn collect(src: &Path, dir: &Path, files: &mut BTreeMap<Module, std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(src, &path, files);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(src).unwrap().with_extension("");
        let mut segments: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if segments == ["lib"] || segments.last().is_some_and(|s| s == "mod") {
            segments.pop();
        }
        files.insert(segments.join("::"), path);
    }
}

/// The line of the first path through `krate` (`krate::…`), if any.
fn names_crate(text: &str, krate: &str) -> Option<usize> {
    let code: Vec<char> = blank_comments_and_strings(text).chars().collect();
    (0..code.len())
        .find(|&i| {
            (i == 0 || !(is_ident(code[i - 1]) || code[i - 1] == ':'))
                && ident_at(&code, i) == krate
                && code[skip_ws(&code, i + krate.len())..].starts_with(&[':', ':'])
        })
        .map(|i| code[..i].iter().filter(|c| **c == '\n').count() + 1)
}

/// `mod x;` declarations: `x::…` in this file then names the child module.
fn declared_children(text: &str) -> Vec<String> {
    let code = blank_comments_and_strings(text);
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ';'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| w[0] == "mod" && w[1].ends_with(';'))
        .map(|w| w[1].trim_end_matches(';').to_string())
        .collect()
}

/// Every path this file names that starts at the crate root, a parent, itself
/// or a declared child module, as absolute segments, with its line.
fn paths_in(text: &str, module: &str, children: &[String]) -> Vec<(usize, Vec<String>)> {
    let code: Vec<char> = blank_comments_and_strings(text).chars().collect();
    let is_main = module == "main";
    let file_scope: Vec<String> = module
        .split("::")
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    // Inline `mod x { … }` blocks open inner scopes; `super` counts from them.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut found = Vec::new();
    let mut i = 0;
    while i < code.len() {
        match code[i] {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            _ => {}
        }
        if !is_ident_start(code[i]) || (i > 0 && (is_ident(code[i - 1]) || code[i - 1] == ':')) {
            i += 1;
            continue;
        }
        let word = ident_at(&code, i);
        let after = skip_ws(&code, i + word.len());
        if word == "mod" {
            let name = ident_at(&code, after);
            let open = skip_ws(&code, after + name.len());
            if !name.is_empty() && code.get(open) == Some(&'{') {
                inline.push((name, depth));
            }
        }
        let starts_path = matches!(word.as_str(), "crate" | "super" | "self")
            || (is_main && word == "buddymatch")
            || children.contains(&word);
        if !starts_path || !code[after..].starts_with(&[':', ':']) {
            i += word.len();
            continue;
        }
        let line = code[..i].iter().filter(|c| **c == '\n').count() + 1;
        let mut scope = file_scope.clone();
        scope.extend(inline.iter().map(|(n, _)| n.clone()));
        let (trees, end) = use_tree(&code, i);
        for segments in trees {
            if let Some(path) = absolute(&segments, &scope, &file_scope, is_main) {
                found.push((line, path));
            }
        }
        i = end;
    }
    found
}

/// Turns a path as written into segments from the crate root.
fn absolute(
    segments: &[String],
    scope: &[String],
    file_scope: &[String],
    is_main: bool,
) -> Option<Vec<String>> {
    let (mut base, rest) = match segments[0].as_str() {
        "crate" if is_main => (vec!["main".to_string()], &segments[1..]),
        "crate" | "buddymatch" => (Vec::new(), &segments[1..]),
        "self" => (scope.to_vec(), &segments[1..]),
        "super" => (scope.to_vec(), segments),
        _ => (file_scope.to_vec(), segments),
    };
    let mut rest = rest;
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

/// Reads a path or use tree starting at `i`: `a::b`, `a::{b, c::{self, d}}`,
/// `a::*`. Returns each leaf path and where the tree ends.
fn use_tree(code: &[char], i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut i = i;
    loop {
        let word = ident_at(code, i);
        if word.is_empty() {
            break;
        }
        i += word.len();
        prefix.push(word);
        let next = skip_ws(code, i);
        if !code[next..].starts_with(&[':', ':']) {
            return (vec![prefix], i);
        }
        i = skip_ws(code, next + 2);
        match code.get(i) {
            Some('{') => {
                let mut leaves = Vec::new();
                i = skip_ws(code, i + 1);
                while i < code.len() && code[i] != '}' {
                    let (subtrees, end) = use_tree(code, i);
                    for sub in subtrees {
                        let mut path = prefix.clone();
                        path.extend(sub);
                        leaves.push(path);
                    }
                    i = skip_ws(code, end);
                    // `as alias` and the separating comma.
                    while i < code.len() && code[i] != ',' && code[i] != '}' {
                        i += 1;
                    }
                    if code.get(i) == Some(&',') {
                        i = skip_ws(code, i + 1);
                    }
                }
                return (leaves, i + 1);
            }
            Some('*') => return (vec![prefix], i + 1),
            _ => {}
        }
    }
    (vec![prefix], i)
}

fn ident_at(code: &[char], i: usize) -> String {
    if !code.get(i).is_some_and(|c| is_ident_start(*c)) {
        return String::new();
    }
    code[i..].iter().take_while(|c| is_ident(**c)).collect()
}

fn skip_ws(code: &[char], mut i: usize) -> usize {
    while code.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The text with comments blanked and braces inside strings and char
/// literals blanked (so they count no scopes); other string contents stay,
/// since `serialize_with = "crate::…"` names a module too. Lines keep their
/// numbers.
fn blank_comments_and_strings(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < c.len() {
        let prev_ident = i > 0 && is_ident(c[i - 1]);
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut nesting = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    nesting += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    nesting -= 1;
                    out.push_str("  ");
                    i += 2;
                    if nesting == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if !prev_ident && (c[i] == 'r' || (c[i] == 'b' && c.get(i + 1) == Some(&'r'))) && {
            let start = if c[i] == 'b' { i + 2 } else { i + 1 };
            let hashes = c[start..].iter().take_while(|h| **h == '#').count();
            c.get(start + hashes) == Some(&'"')
        } {
            let start = if c[i] == 'b' { i + 2 } else { i + 1 };
            let hashes = c[start..].iter().take_while(|h| **h == '#').count();
            let body = start + hashes + 1;
            out.extend(&c[i..body]);
            i = body;
            while i < c.len() {
                if c[i] == '"'
                    && c[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|h| **h == '#')
                        .count()
                        == hashes
                {
                    out.extend(&c[i..i + 1 + hashes]);
                    i += 1 + hashes;
                    break;
                }
                out.push(if "{}".contains(c[i]) { ' ' } else { c[i] });
                i += 1;
            }
        } else if c[i] == '"' {
            out.push('"');
            i += 1;
            while i < c.len() && c[i] != '"' {
                let n = if c[i] == '\\' { 2 } else { 1 };
                for ch in &c[i..(i + n).min(c.len())] {
                    out.push(if "{}".contains(*ch) { ' ' } else { *ch });
                }
                i += n;
            }
            out.push('"');
            i += 1;
        } else if c[i] == '\'' && (c.get(i + 1) == Some(&'\\') || c.get(i + 2) == Some(&'\'')) {
            // A char literal ('x', '\n', '\u{7f}'); a lifetime has no closing quote.
            let close = (i + 2..c.len())
                .find(|&j| c[j] == '\'')
                .unwrap_or(c.len() - 1);
            out.extend(std::iter::repeat_n(' ', close + 1 - i));
            i = close + 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// The circles among the modules under `root`: each strongly connected set of
/// more than one module (Tarjan), with the imports that join it.
fn circles(imports: &[&Import], root: &str) -> Vec<Vec<String>> {
    let inside = |m: &str| m == root || m.starts_with(&format!("{root}::"));
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut seen: BTreeMap<(&str, &str), &Import> = BTreeMap::new();
    for &imp in imports {
        if inside(&imp.from) && inside(&imp.to) {
            edges.entry(&imp.from).or_default().insert(&imp.to);
            edges.entry(&imp.to).or_default();
            seen.entry((&imp.from, &imp.to)).or_insert(imp);
        }
    }
    let mut tarjan = Tarjan {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in edges.keys() {
        if !tarjan.index.contains_key(node) {
            tarjan.visit(node);
        }
    }
    tarjan
        .components
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|members| {
            let set: BTreeSet<&str> = members.iter().copied().collect();
            seen.iter()
                .filter(|((f, t), _)| set.contains(f) && set.contains(t))
                .map(|((f, t), imp)| format!("{f} → {t} ({}:{})", imp.file, imp.line))
                .collect()
        })
        .collect()
}

struct Tarjan<'a> {
    edges: &'a BTreeMap<&'a str, BTreeSet<&'a str>>,
    index: BTreeMap<&'a str, usize>,
    low: BTreeMap<&'a str, usize>,
    stack: Vec<&'a str>,
    on_stack: BTreeSet<&'a str>,
    components: Vec<Vec<&'a str>>,
}

impl<'a> Tarjan<'a> {
    fn visit(&mut self, node: &'a str) {
        let n = self.index.len();
        self.index.insert(node, n);
        self.low.insert(node, n);
        self.stack.push(node);
        self.on_stack.insert(node);
        for &next in &self.edges[node] {
            if !self.index.contains_key(next) {
                self.visit(next);
                let low = self.low[node].min(self.low[next]);
                self.low.insert(node, low);
            } else if self.on_stack.contains(next) {
                let low = self.low[node].min(self.index[next]);
                self.low.insert(node, low);
            }
        }
        if self.low[node] == self.index[node] {
            let mut component = Vec::new();
            while let Some(top) = self.stack.pop() {
                self.on_stack.remove(top);
                component.push(top);
                if top == node {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}
