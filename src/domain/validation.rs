//! Checking constructors for what people type in. Each problem names the
//! field so that API clients can show it next to the right input.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
    /// A stable, machine-readable reason where a client may want to react
    /// to it (say, suggest a longer passphrase); the message is for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.into(),
            reason: None,
        }
    }

    pub fn because(
        field: impl Into<String>,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        FieldProblem {
            reason: Some(reason),
            ..FieldProblem::new(field, message)
        }
    }
}

/// An address the mailer can send to, normalised: trimmed, lower-cased,
/// its domain in ASCII (an internationalised domain as Punycode, so any
/// relay delivers it without the SMTPUTF8 extension).
///
/// The local part is a dot-atom of ASCII characters (RFC 5322 `atext`):
/// quoted local parts and non-ASCII local parts are refused, because many
/// relays cannot deliver them and lettre would need SMTPUTF8 for them. The
/// domain is a host name of at least two labels; address literals
/// (`[192.0.2.1]`) are refused. What this accepts, lettre's `Address`
/// accepts too (a test in src/mail checks it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

const LOCAL_PART_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

impl EmailAddress {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldProblem> {
        let s = raw.trim();
        let bad = |reason: &'static str, m: &str| Err(FieldProblem::because(field, reason, m));
        if s.is_empty() {
            return bad("blank", "must not be empty");
        }
        if s.chars().count() > 254 {
            return bad("too_long", "must be at most 254 characters");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad(
                "invalid_address",
                "must not contain spaces or control characters",
            );
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad(
                "invalid_address",
                "must be an email address like name@example.nl",
            );
        };
        if local.is_empty() || domain.is_empty() {
            return bad(
                "invalid_address",
                "must be an email address like name@example.nl",
            );
        }
        if local.len() > 64 {
            return bad(
                "invalid_address",
                "the part before the @ must be at most 64 characters",
            );
        }
        let atext = |c: char| c.is_ascii_alphanumeric() || LOCAL_PART_SPECIALS.contains(c);
        if !local
            .split('.')
            .all(|a| !a.is_empty() && a.chars().all(atext))
        {
            return bad(
                "invalid_address",
                "the part before the @ may hold only letters a-z, digits, dots (not first, \
                 last or twice in a row) and ! # $ % & ' * + - / = ? ^ _ ` { | } ~",
            );
        }
        let Some(domain) = ascii_domain(domain) else {
            return bad(
                "invalid_address",
                "must have a valid domain part, like example.nl",
            );
        };
        Ok(EmailAddress(format!(
            "{}@{domain}",
            local.to_ascii_lowercase()
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }
}

/// The domain as lower-case ASCII (UTS #46 with the STD3 rules, as browsers
/// and mail clients convert internationalised names), if it is a host name
/// of two or more labels, none starting or ending with a hyphen, and not
/// an all-numeric top-level label (which would be an IP address).
fn ascii_domain(domain: &str) -> Option<String> {
    let ascii = idna::domain_to_ascii_strict(domain).ok()?;
    let labels: Vec<&str> = ascii.split('.').collect();
    let ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && !labels[labels.len() - 1].bytes().all(|b| b.is_ascii_digit());
    ok.then_some(ascii)
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The passwords no one may choose (see passwords/README.md for where each
/// list comes from), lower case, built once on first use.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    [
        include_str!("passwords/zxcvbn-passwords.txt"),
        include_str!("passwords/dutch-passwords.txt"),
    ]
    .into_iter()
    .flat_map(str::lines)
    .map(str::trim)
    // Shorter entries fail the length rule before the list is asked.
    .filter(|p| p.chars().count() >= MIN_PASSWORD_CHARS)
    .collect()
});

const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 128;

/// The password rules of OWASP ASVS 5.0 V6.2: at least 8 characters and at
/// most 128 (long passphrases welcome; the bound keeps hashing cheap), any
/// Unicode character, no composition rules; refused are passwords of only
/// whitespace, those on the bundled list of common and breached passwords,
/// and those that are little more than the account's own words: its
/// address, the address's local part, the display name (whole or any part
/// of three or more letters) or the service's name. `personal` holds what
/// is known of the account (address, display name); pass none where the
/// account is not known yet and check again once it is.
pub fn check_password(field: &str, raw: &str, personal: &[&str]) -> Result<(), FieldProblem> {
    let n = raw.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(FieldProblem::because(
            field,
            "too_short",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(FieldProblem::because(
            field,
            "too_long",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if raw.chars().all(char::is_whitespace) {
        return Err(FieldProblem::because(
            field,
            "blank",
            "must not be only spaces",
        ));
    }
    if COMMON_PASSWORDS.contains(raw.trim().to_lowercase().as_str()) {
        return Err(FieldProblem::because(
            field,
            "common_password",
            "is one of the most common or leaked passwords and easy to guess; choose another, \
             for example a few unrelated words",
        ));
    }
    if mostly_context(raw, personal) {
        return Err(FieldProblem::because(
            field,
            "personal_information",
            "is too close to your email address, your name or the name of this service; \
             choose a password that has little to do with them",
        ));
    }
    Ok(())
}

/// Letters and digits only, lower case: "Anna de Vries!" and "anna.devries"
/// become the same word.
fn squashed(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Whether the password, once the context words are taken out, has fewer
/// than the minimum characters left: then those words carry it, and they
/// are the first guesses of anyone who knows the person.
fn mostly_context(password: &str, personal: &[&str]) -> bool {
    let mut words: Vec<String> = vec!["buddymatch".into()];
    for p in personal {
        words.push(squashed(p));
        let local = p.rsplit_once('@').map_or(*p, |(l, _)| l);
        words.push(squashed(local));
        words.extend(
            local
                .split(|c: char| !c.is_alphanumeric())
                .chain(p.split(|c: char| c.is_whitespace()))
                .map(squashed),
        );
    }
    words.retain(|w| w.chars().count() >= 3);
    // Longest first, so an address goes before the name inside it.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    let mut rest = squashed(password);
    let mut found = false;
    for w in &words {
        if rest.contains(w.as_str()) {
            rest = rest.replace(w.as_str(), "");
            found = true;
        }
    }
    found && rest.chars().count() < MIN_PASSWORD_CHARS
}

/// Bidirectional embeddings, overrides and isolates: they reorder the text
/// around them, so a name can make an email or list read differently from
/// what it says ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing by themselves: format characters such as
/// zero-width spaces and joiners, direction marks, fillers, blank braille,
/// variation selectors and tags.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// A person's name as others will see it in lists and emails: NFC
/// normalised (so the same name typed on two keyboards is one name),
/// trimmed, 1 to `max` characters, on one line, without control or
/// bidirectional-override characters, and with something visible in it.
pub fn display_name(field: &str, raw: &str, max: usize) -> Result<String, FieldProblem> {
    use unicode_normalization::UnicodeNormalization;
    let s: String = raw.trim().nfc().collect();
    let bad = |reason: &'static str, m: String| Err(FieldProblem::because(field, reason, m));
    if s.is_empty() {
        return bad("blank", "must not be empty".into());
    }
    if s.chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        return bad(
            "control_characters",
            "must not contain control characters or line breaks".into(),
        );
    }
    if s.chars().any(is_bidi_control) {
        return bad(
            "bidi_control",
            "must not contain characters that change the text direction (U+202A to U+202E, \
             U+2066 to U+2069)"
                .into(),
        );
    }
    if s.chars().all(is_invisible) {
        return bad("invisible", "must contain visible characters".into());
    }
    let n = s.chars().count();
    if n > max {
        return bad("too_long", format!("must be at most {max} characters"));
    }
    Ok(s)
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

/// A calendar date written as YYYY-MM-DD: the shape is ours (exactly four,
/// two and two digits), the calendar is [`super::time::parse_date`]'s.
pub fn is_date(s: &str) -> bool {
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, c)| match i {
            4 | 7 => c == b'-',
            _ => c.is_ascii_digit(),
        });
    shape && super::time::parse_date(s).is_some()
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
        assert!(check_password("p", "short", &[]).is_err());
        assert!(check_password("p", "long enough", &[]).is_ok());
    }

    fn reason(r: Result<(), FieldProblem>) -> Option<&'static str> {
        r.err().and_then(|p| p.reason)
    }

    #[test]
    fn the_password_lists_are_real_and_loaded() {
        let zxcvbn = include_str!("passwords/zxcvbn-passwords.txt")
            .lines()
            .count();
        let dutch = include_str!("passwords/dutch-passwords.txt")
            .lines()
            .count();
        assert_eq!(zxcvbn, 30_000);
        assert!(zxcvbn + dutch >= 10_000);
        // Only entries a password could be (8 or more characters) are kept.
        assert!(
            COMMON_PASSWORDS.len() > 10_000,
            "{}",
            COMMON_PASSWORDS.len()
        );
    }

    #[test]
    fn common_and_leaked_passwords_are_refused_in_any_case() {
        for p in [
            "password",
            "PassWord",
            "welkom01",
            "Welkom01",
            "wachtwoord",
            "welkom123",
            "wachtwoord2025",
            "feyenoord1",
            "qwertyuiop",
            "12345678",
            "iloveyou",
            "arbeidsdeskundige1",
        ] {
            assert_eq!(
                reason(check_password("password", p, &[])),
                Some("common_password"),
                "{p}"
            );
        }
    }

    #[test]
    fn whitespace_only_passwords_are_refused() {
        for p in [
            "        ",
            "\t\t\t\t\t\t\t\t",
            "\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}",
        ] {
            assert_eq!(reason(check_password("password", p, &[])), Some("blank"));
        }
    }

    #[test]
    fn passwords_made_of_the_account_s_own_words_are_refused() {
        let me = ["anna.de.vries@uwv.nl", "Anna de Vries"];
        for p in [
            "anna.de.vries@uwv.nl",
            "ANNA.DE.VRIES@UWV.NL",
            "anna.de.vries",
            "Anna de Vries",
            "annadevries2026",
            "vries2024!",
            "buddymatch",
            "buddymatch2026",
            "Buddymatch!!",
        ] {
            assert_eq!(
                reason(check_password("password", p, &me)),
                Some("personal_information"),
                "{p}"
            );
        }
        // The same words inside a real passphrase are fine.
        assert!(check_password("password", "anna rides her bicycle to utrecht", &me).is_ok());
        assert!(check_password("password", "buddymatch is a pleasant surprise", &me).is_ok());
    }

    #[test]
    fn long_passphrases_and_any_unicode_are_allowed() {
        assert!(check_password("p", &"lange zin ".repeat(12), &[]).is_ok());
        assert!(check_password("p", "ĳsvogel 🐦 vliegt ☂ ver", &[]).is_ok());
        assert!(check_password("p", "パスワードは秘密です", &[]).is_ok());
        assert_eq!(
            reason(check_password("p", &"x".repeat(129), &[])),
            Some("too_long")
        );
        assert_eq!(reason(check_password("p", "kort", &[])), Some("too_short"));
    }

    #[test]
    fn addresses_are_refused_where_the_mailer_could_not_send() {
        for raw in [
            "a<b>@b.nl",
            "\"a b\"@b.nl",
            "a(b)@b.nl",
            "a,b@b.nl",
            "a;b@b.nl",
            "a..b@b.nl",
            ".a@b.nl",
            "a.@b.nl",
            "a\\b@b.nl",
            "jösé@b.nl",
            "a@[192.0.2.1]",
            "a@192.0.2.1",
            "a@b_c.nl",
            "a@x-.nl",
            "a@.nl",
            "a@b..nl",
            &format!("{}@b.nl", "a".repeat(65)),
            &format!("a@{}.nl", "b".repeat(64)),
        ] {
            let p = EmailAddress::parse("email", raw).unwrap_err();
            assert_eq!(
                (p.field.as_str(), p.reason),
                ("email", Some("invalid_address")),
                "{raw}"
            );
        }
    }

    #[test]
    fn internationalised_domains_are_stored_as_punycode() {
        let e = EmailAddress::parse("email", "Anna@Bücher.NL").unwrap();
        assert_eq!(e.as_str(), "anna@xn--bcher-kva.nl");
        assert_eq!(e.local_part(), "anna");
        let same = EmailAddress::parse("email", "anna@xn--bcher-kva.nl").unwrap();
        assert_eq!(e, same);
        assert!(EmailAddress::parse("email", "o'brien+buddy@sub.example.nl").is_ok());
    }

    #[test]
    fn display_names_are_normalised_and_refused_when_they_could_mislead() {
        // "é" typed as e + combining acute becomes the one precomposed char.
        assert_eq!(
            display_name("n", " Rene\u{301} ", 100).unwrap(),
            "Ren\u{e9}"
        );
        assert_eq!(display_name("n", "محمد العلي", 100).unwrap(), "محمد العلي");
        let why = |raw: &str| display_name("n", raw, 100).unwrap_err().reason;
        for raw in [
            "Anna\u{202E}seirV",
            "\u{2066}Bas\u{2069}",
            "a\u{202A}b",
            "a\u{202D}b",
        ] {
            assert_eq!(why(raw), Some("bidi_control"), "{raw:?}");
        }
        for raw in ["a\u{2028}b", "a\u{2029}b", "a\nb", "a\u{7}b", "a\u{85}b"] {
            assert_eq!(why(raw), Some("control_characters"), "{raw:?}");
        }
        for raw in [
            "\u{200B}\u{200B}",
            "\u{200D}",
            "\u{2800}",
            "\u{3164}",
            "\u{FEFF}\u{200C}",
        ] {
            assert_eq!(why(raw), Some("invisible"), "{raw:?}");
        }
        assert_eq!(why("   "), Some("blank"));
        assert_eq!(why(&"x".repeat(101)), Some("too_long"));
    }
}
