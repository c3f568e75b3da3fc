//! Holds the README's "Every email, as it reads" to the templates: each
//! message rendered from its sample context, in Dutch and English. Run
//! `BUDDYMATCH_BLESS=1 cargo test --lib mail::examples` after changing a
//! template to write the section anew.

#[cfg(test)]
mod tests {
    use crate::domain::Locale;
    use crate::mail::notify::{recompose, sample};
    use crate::mail::MailKind;

    const BEGIN: &str = "<!-- email examples: begin -->";
    const END: &str = "<!-- email examples: end -->";

    /// The sample's Dutch values as an English reader gets them.
    const ENGLISH: &[(&str, &str)] = &[
        ("buddykoppel", "buddy pair"),
        ("zelfstandig arbeidsdeskundige", "self-employed labour expert"),
        (
            "Jullie werken in verschillende domeinen: UWV en zelfstandig",
            "You work in different domains: UWV and self-employed",
        ),
        (
            "Sam weet veel van sociale zekerheid, wat jij wilt leren",
            "Sam knows a lot about social security, which you want to learn",
        ),
        (
            "Jullie willen allebei online afspreken",
            "Both of you are happy to meet online",
        ),
        ("vrijdag 15 januari 2027", "Friday 15 January 2027"),
        ("vrijdag 22 januari 2027", "Friday 22 January 2027"),
        ("donderdag 10 december 2026 om 14:00", "Thursday 10 December 2026 at 14:00"),
        (
            "Niemand anders in deze ronde paste bij je wensen: regio, reisafstand, vorm van afspreken of taal.",
            "Nobody else in this round fitted your wishes: region, travel distance, meeting format or language.",
        ),
        (
            "Je doet vanzelf mee in de volgende ronde. Meer kans: sta ook online afspreken of een grotere reisafstand toe.",
            "You take part in the next round automatically. Better chances: allow online meetings or a longer travel distance.",
        ),
        ("Neem je casus mee.", "Bring your case."),
    ];

    /// The sample context with a plain name and links as a reader sees them.
    fn readable(kind: MailKind, locale: Locale) -> serde_json::Value {
        let mut text = sample(kind).to_string();
        if locale == Locale::En {
            for (nl, en) in ENGLISH {
                text = text.replace(nl, en);
            }
        }
        let text = text
            .replace("Anna <b>", "Anna")
            .replace(
                "http://x/y?token=abc",
                "https://buddymatch.example.nl/pages/…?token=…",
            )
            .replace(
                "http://x/settings",
                "https://buddymatch.example.nl/pages/settings/notifications?token=…",
            )
            .replace(
                "http://x/unsubscribe",
                "https://buddymatch.example.nl/pages/unsubscribe?token=…",
            )
            .replace("http://x/login", "https://app.buddymatch.example.nl/login");
        serde_json::from_str(&text).unwrap()
    }

    fn section() -> String {
        let mut out = format!("{BEGIN}\n");
        for kind in MailKind::ALL {
            out.push_str(&format!("\n#### `{}`\n", kind.code()));
            for locale in [Locale::Nl, Locale::En] {
                let r = recompose(kind, locale, &readable(kind, locale))
                    .unwrap()
                    .rendered;
                out.push_str(&format!(
                    "\n```text\nSubject: {}\n\n{}```\n",
                    r.subject, r.text
                ));
            }
        }
        out.push_str(END);
        out
    }

    #[test]
    fn the_readme_shows_every_email_as_it_reads() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let (Some(a), Some(b)) = (readme.find(BEGIN), readme.find(END)) else {
            panic!("README.md has no {BEGIN} … {END} section");
        };
        let now = &readme[a..b + END.len()];
        let want = section();
        if now != want {
            if std::env::var("BUDDYMATCH_BLESS").is_ok() {
                let fresh = format!("{}{want}{}", &readme[..a], &readme[b + END.len()..]);
                std::fs::write(path, fresh).unwrap();
            } else {
                panic!("README's email examples are out of date: run BUDDYMATCH_BLESS=1 cargo test --lib mail::examples");
            }
        }
    }
}
