//! Holds the templates to the README's "Who is told what" table: a
//! template may print only what its row lists.

#[cfg(test)]
mod tests {
    use crate::mail::MailKind;
    use std::collections::{BTreeSet, HashMap};

    const README: &str = include_str!("../../README.md");

    fn allowed(code: &str) -> Vec<String> {
        let row = README
            .lines()
            .find(|l| l.starts_with(&format!("| `{code}` |")))
            .unwrap_or_else(|| panic!("README has no \"Who is told what\" row for {code}"));
        let last = row.trim_end_matches('|').rsplit('|').next().unwrap();
        last.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    /// Paths a template prints, loop variables resolved: `{% for c in
    /// m.counterparts %}` inside `{% for m in matches %}` makes `{{ c.name }}`
    /// the path `matches[].counterparts[].name`.
    fn printed(source: &str) -> BTreeSet<String> {
        let mut alias: HashMap<String, String> = HashMap::new();
        let resolve = |alias: &HashMap<String, String>, expr: &str| {
            let expr = expr.split('|').next().unwrap().trim();
            let (head, rest) = expr.split_once('.').unwrap_or((expr, ""));
            let base = alias.get(head).cloned().unwrap_or_else(|| head.to_string());
            if rest.is_empty() {
                base
            } else {
                format!("{base}.{rest}")
            }
        };
        let mut out = BTreeSet::new();
        let mut s = source;
        while let Some(i) = s.find(['{']) {
            let tail = &s[i..];
            if let Some(body) = tail.strip_prefix("{%") {
                let end = body.find("%}").unwrap();
                let words: Vec<&str> = body[..end].split_whitespace().collect();
                if words.first() == Some(&"for") {
                    let target = resolve(&alias, words[3]);
                    alias.insert(words[1].to_string(), format!("{target}[]"));
                }
                s = &body[end + 2..];
            } else if let Some(body) = tail.strip_prefix("{{") {
                let end = body.find("}}").unwrap();
                out.insert(resolve(&alias, &body[..end]));
                s = &body[end + 2..];
            } else {
                s = &tail[1..];
            }
        }
        out
    }

    #[test]
    fn every_template_shows_only_what_the_readme_lists() {
        let sources: HashMap<&str, &str> = crate::mail::templates::FILES.iter().copied().collect();
        for kind in MailKind::ALL {
            let ok = allowed(kind.code());
            for lang in ["nl", "en"] {
                for part in ["subject.txt", "body.txt", "body.html"] {
                    let name = format!("{}/{lang}/{part}", kind.code());
                    for path in printed(sources[name.as_str()]) {
                        // `matches` printed as a count is covered by its items.
                        let listed = ok
                            .iter()
                            .any(|a| a == &path || a.starts_with(&format!("{path}[]")));
                        assert!(
                            listed,
                            "{name} prints `{path}`, which the README does not list for it"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_checker_sees_what_a_template_prints() {
        let p = printed("{% for m in matches %}{% for c in m.counterparts %}{{ c.name }}{% endfor %}{{ m.link }}{% endfor %}{{ other.reason }}{{ matches|length }}");
        assert_eq!(
            p.into_iter().collect::<Vec<_>>(),
            [
                "matches",
                "matches[].counterparts[].name",
                "matches[].link",
                "other.reason"
            ]
        );
        assert!(!allowed("match_declined").contains(&"other.reason".to_string()));
    }
}
