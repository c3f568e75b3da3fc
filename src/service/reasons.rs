//! Why a stored match was made, in a form that holds no personal data of its
//! own. The engine's reasons carry free-text details (provinces and the
//! distance between them, years of experience, member ids) meant for the
//! coordinator's preview. A published match keeps only components, points,
//! topics and who learns them, and each view decides whom it may name: a
//! member never sees more through a reason than the match card shows, and an
//! erased member is never named at all.

use crate::error::AppError;
use crate::matching::outcome::Reason;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MatchReason {
    pub component: String,
    pub points: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// For `topics`: the member who learns them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learner: Option<String>,
    /// In a shadowing match (one host, several visitors): the visitor whose
    /// visit this reason belongs to. Other visitors do not see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor: Option<String>,
}

impl MatchReason {
    /// What a published match stores of one engine reason (its `detail` is
    /// left out on purpose).
    pub fn stored(r: &Reason, visitor: Option<&str>) -> MatchReason {
        MatchReason {
            component: r.component.to_string(),
            points: r.points,
            topics: r.topics.iter().map(|t| t.to_string()).collect(),
            learner: r.learner.clone(),
            visitor: visitor.map(str::to_string),
        }
    }
}

/// Reads a match's stored reasons. Unknown fields (the free-text `detail`
/// that matches published before this format kept) are dropped on reading;
/// text that holds no reasons at all is an error, not an empty list.
pub fn parse(match_id: &str, stored: &str) -> Result<Vec<MatchReason>, AppError> {
    serde_json::from_str(stored)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored reasons of match {match_id}: {e}")))
}

pub fn to_stored(reasons: &[MatchReason]) -> Result<String, serde_json::Error> {
    serde_json::to_string(reasons)
}

/// The reasons one viewer may see: those of other visitors' visits are left
/// out for a visitor (`own_visit`), and a learner is named only if `named`
/// allows it.
pub fn visible(
    reasons: Vec<MatchReason>,
    own_visit: Option<&str>,
    named: impl Fn(&str) -> bool,
) -> Vec<MatchReason> {
    reasons
        .into_iter()
        .filter(|r| match (own_visit, r.visitor.as_deref()) {
            (Some(me), Some(v)) => me == v,
            _ => true,
        })
        .map(|mut r| {
            r.learner = r.learner.filter(|l| named(l));
            r.visitor = r.visitor.filter(|v| named(v));
            r
        })
        .collect()
}

/// The stored reasons with one person removed: used when an account is
/// erased, so the stored text itself no longer points at them. The reasons
/// of their own visit go entirely (they were about them, and without the
/// visitor mark every visitor would see them).
pub fn without(match_id: &str, stored: &str, user_id: &str) -> Result<String, AppError> {
    let mut reasons = parse(match_id, stored)?;
    reasons.retain(|r| r.visitor.as_deref() != Some(user_id));
    let kept = visible(reasons, None, |id| id != user_id);
    Ok(to_stored(&kept).map_err(anyhow::Error::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(component: &str, learner: Option<&str>, visitor: Option<&str>) -> MatchReason {
        MatchReason {
            component: component.into(),
            points: 8,
            topics: vec!["ai".into()],
            learner: learner.map(Into::into),
            visitor: visitor.map(Into::into),
        }
    }

    #[test]
    fn old_free_text_details_are_dropped_on_reading() {
        let old = r#"[{"component":"in_person","points":5,"detail":"utrecht – limburg, 140 km"},
                      {"component":"topics","points":8,"learner":"u1","topics":["ai"]}]"#;
        let parsed = parse("m", old).unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(!to_stored(&parsed).unwrap().contains("limburg"));
        assert_eq!(parsed[1].learner.as_deref(), Some("u1"));
    }

    #[test]
    fn unreadable_reasons_are_an_error_not_none() {
        assert_eq!(parse("m", "not json").unwrap_err().code(), "internal_error");
        assert!(without("m", "{}", "u1").is_err());
    }

    #[test]
    fn a_visitor_sees_only_their_own_visit_and_only_named_people() {
        let all = vec![
            reason("topics", Some("v1"), Some("v1")),
            reason("topics", Some("v2"), Some("v2")),
            reason("cross_domain", None, None),
        ];
        let seen = visible(all.clone(), Some("v1"), |id| id == "v1");
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].learner.as_deref(), Some("v1"));
        let host_view = visible(all, None, |id| id != "v2");
        assert_eq!(host_view.len(), 3);
        assert_eq!(host_view[1].learner, None);
        assert_eq!(host_view[1].visitor, None);
    }

    #[test]
    fn erasure_removes_the_person_from_stored_reasons() {
        let stored = to_stored(&[
            reason("topics", Some("gone"), Some("gone")),
            reason("cross_domain", None, Some("gone")),
            reason("topics", Some("gone"), None),
            reason("topics", Some("v1"), Some("v1")),
        ])
        .unwrap();
        let after = without("m", &stored, "gone").unwrap();
        assert!(!after.contains("gone"), "{after}");
        let kept = parse("m", &after).unwrap();
        // Their visit's reasons go; a group reason stays, unnamed; others' stay whole.
        assert_eq!(kept.len(), 2, "{after}");
        assert_eq!(kept[0].learner, None);
        assert_eq!(kept[1].visitor.as_deref(), Some("v1"));
        // And no visitor sees what is left of the erased visit.
        assert_eq!(visible(kept, Some("v1"), |_| true).len(), 2);
    }
}
