//! The curated topic taxonomy. Migrations seed the same slugs into the
//! `topics` table; a test in `store` checks the two agree.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Topic {
    pub slug: &'static str,
    pub label_nl: &'static str,
    pub label_en: &'static str,
}

const fn t(slug: &'static str, label_nl: &'static str, label_en: &'static str) -> Topic {
    Topic {
        slug,
        label_nl,
        label_en,
    }
}

/// The first five are what labour experts worked on in 2023; the next seven
/// are what they asked for more of (DOMAIN.md); the rest are the field's own
/// practice areas, so that offers and wants can meet.
pub const TOPICS: &[Topic] = &[
    t(
        "law_and_policy",
        "Wet- en regelgeving en beleid",
        "Law and policy",
    ),
    t(
        "knowledge_and_science",
        "Nieuwe kennis en wetenschap",
        "New knowledge and science",
    ),
    t(
        "clients_and_target_groups",
        "Cliënten en specifieke doelgroepen",
        "Clients and specific target groups",
    ),
    t(
        "reflection_on_practice",
        "Reflectie op eigen handelen",
        "Reflection on one's own practice",
    ),
    t("methodical_work", "Methodisch werken", "Methodical work"),
    t(
        "artificial_intelligence",
        "Artificiële intelligentie (AI)",
        "Artificial intelligence (AI)",
    ),
    t(
        "inclusive_technology",
        "Inclusieve technologie",
        "Inclusive technology",
    ),
    t(
        "soft_skills",
        "Communicatie en gesprekstechniek",
        "Communication and conversation technique",
    ),
    t(
        "labour_market_change",
        "Veranderingen op de arbeidsmarkt",
        "Labour-market change",
    ),
    t(
        "digital_inclusion",
        "Digitale inclusie",
        "Digital inclusion",
    ),
    t(
        "multidisciplinary_collaboration",
        "Multidisciplinair samenwerken",
        "Multidisciplinary collaboration",
    ),
    t(
        "work_capacity_assessment",
        "Beoordeling arbeidsmogelijkheden",
        "Work capacity assessment",
    ),
    t("reintegration", "Re-integratie", "Re-integration"),
    t(
        "sustainable_employability",
        "Duurzame inzetbaarheid",
        "Sustainable employability",
    ),
    t(
        "mental_health_and_work",
        "Psychische klachten en werk",
        "Mental health and work",
    ),
    t(
        "employer_advice",
        "Advisering aan werkgevers",
        "Advising employers",
    ),
    t(
        "social_security",
        "Sociale zekerheid (WIA, WW, Ziektewet)",
        "Social security (WIA, WW, sickness benefit)",
    ),
    t(
        "participation_act",
        "Participatiewet en sociaal domein",
        "Participation Act and the social domain",
    ),
    t(
        "case_law",
        "Jurisprudentie en bezwaar",
        "Case law and objections",
    ),
    t(
        "entrepreneurship",
        "Ondernemerschap als zelfstandige",
        "Running an independent practice",
    ),
];

impl Topic {
    pub fn by_slug(slug: &str) -> Option<&'static Topic> {
        TOPICS.iter().find(|t| t.slug == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn slugs_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for t in TOPICS {
            assert!(seen.insert(t.slug), "duplicate {}", t.slug);
            assert!(t.slug.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(!t.label_nl.is_empty() && !t.label_en.is_empty());
        }
    }
}
