//! Checking constructors for what people type in. Each problem names the
//! field so that API clients can show it next to the right input.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A normalised (trimmed, lower-cased) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldProblem> {
        let s = raw.trim().to_lowercase();
        let bad = |m: &str| Err(FieldProblem::new(field, m));
        if s.is_empty() {
            return bad("must not be empty");
        }
        if s.chars().count() > 254 {
            return bad("must be at most 254 characters");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("must not contain spaces or control characters");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return bad("must be an email address like name@example.nl");
        };
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return bad("must be an email address like name@example.nl");
        }
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return bad("must have a valid domain part, like example.nl");
        }
        Ok(EmailAddress(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Length limits follow OWASP's advice: at least 8, and long passphrases
/// allowed; the upper bound keeps hashing cost bounded.
pub fn check_password(field: &str, raw: &str) -> Result<(), FieldProblem> {
    let n = raw.chars().count();
    if n < 8 {
        return Err(FieldProblem::new(field, "must be at least 8 characters"));
    }
    if n > 128 {
        return Err(FieldProblem::new(field, "must be at most 128 characters"));
    }
    Ok(())
}

/// Trimmed single-line text of `min..=max` characters.
pub fn single_line(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldProblem> {
    let s = raw.trim();
    let n = s.chars().count();
    if n < min {
        return Err(if min == 1 {
            FieldProblem::new(field, "must not be empty")
        } else {
            FieldProblem::new(field, format!("must be at least {min} characters"))
        });
    }
    if n > max {
        return Err(FieldProblem::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldProblem::new(
            field,
            "must not contain control characters or line breaks",
        ));
    }
    Ok(s.to_string())
}

/// Free text that may span lines (a learning goal, a reflection).
pub fn free_text(field: &str, raw: &str, max: usize) -> Result<String, FieldProblem> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(FieldProblem::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldProblem::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(s.to_string())
}

/// ISO 639-1 language codes (the 2002 list, without the withdrawn `bh`).
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig \
ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml \
mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg \
si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh \
yi yo za zh zu";

pub fn is_language_code(code: &str) -> bool {
    code.len() == 2 && ISO_639_1.split_ascii_whitespace().any(|c| c == code)
}

/// A calendar date written as YYYY-MM-DD (days checked against the month).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|x| x.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|x| x.parse::<u32>().ok())
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        let e = EmailAddress::parse("email", "  Anna.de.Vries@UWV.nl ").unwrap();
        assert_eq!(e.as_str(), "anna.de.vries@uwv.nl");
    }

    #[test]
    fn bad_emails_are_refused_with_the_field_name() {
        for raw in [
            "",
            "anna",
            "anna@",
            "@uwv.nl",
            "a@b",
            "a b@uwv.nl",
            "a@@uwv.nl",
            "a@-x.nl",
        ] {
            let p = EmailAddress::parse("email", raw).unwrap_err();
            assert_eq!(p.field, "email", "{raw}");
        }
    }

    #[test]
    fn language_codes() {
        assert_eq!(ISO_639_1.split_ascii_whitespace().count(), 183);
        assert!(is_language_code("nl") && is_language_code("tr") && is_language_code("ar"));
        assert!(!is_language_code("xx") && !is_language_code("NL") && !is_language_code("nld"));
    }

    #[test]
    fn dates() {
        assert!(is_date("2026-11-23"));
        assert!(is_date("2028-02-29"));
        assert!(!is_date("2026-02-29"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("2026-1-01"));
        assert!(!is_date("23-11-2026"));
    }

    #[test]
    fn text_limits() {
        assert_eq!(single_line("n", "  Anna ", 1, 10).unwrap(), "Anna");
        assert!(single_line("n", "   ", 1, 10).is_err());
        assert!(single_line("n", "a\nb", 1, 10).is_err());
        assert!(single_line("n", &"x".repeat(11), 1, 10).is_err());
        assert!(free_text("g", "line one\nline two", 100).is_ok());
        assert!(check_password("p", "short").is_err());
        assert!(check_password("p", "long enough").is_ok());
    }
}
