//! What the widget, the server and the agent page send each other: feedback events
//! (this module), live chat (`chat`) and search analytics (`searches`).
//!
//! Merchants may point the widget at their own feedback endpoint, so that shape is a
//! public contract: add optional fields only, never rename or repurpose one.

pub mod agents;
pub mod chat;
mod check;
pub mod gaps;
pub mod searches;
pub mod untrusted;

pub use check::{
    is_email, locale as check_locale, Invalid, MAX_COMMENT, MAX_CONTEXT, MAX_EMAIL, MAX_ID, MAX_URL,
};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a response rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedbackKind {
    /// Customer satisfaction, 1-5.
    Csat,
    /// Net promoter score, 0-10.
    Nps,
    /// Customer effort score, 1-7.
    Ces,
    /// "Was this article helpful?": 1 yes, 0 no.
    Article,
}

impl FeedbackKind {
    /// The scores this kind allows.
    pub fn range(self) -> std::ops::RangeInclusive<i64> {
        match self {
            FeedbackKind::Csat => 1..=5,
            FeedbackKind::Nps => 0..=10,
            FeedbackKind::Ces => 1..=7,
            FeedbackKind::Article => 0..=1,
        }
    }
}

/// One feedback response. `id` is made by the widget and is the idempotency key: the
/// same response sent twice is stored once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackEvent {
    pub id: String,
    pub kind: FeedbackKind,
    pub score: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    /// Free-form: what the merchant passed to `shopdesk.setContext` and `identify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// RFC 3339 time the shopper answered.
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_feedback_has_the_documented_shape() {
        let e = FeedbackEvent {
            id: "0b9f2c1e-0000-4000-8000-000000000001".into(),
            kind: FeedbackKind::Article,
            score: 0,
            comment: Some("missing sizes".into()),
            survey_id: None,
            article_id: Some("size-guide".into()),
            conversation_id: None,
            page_url: Some("https://shop.example/p/1".into()),
            locale: Some("en".into()),
            visitor_id: None,
            context: None,
            created_at: "2026-11-23T10:00:00.000Z".into(),
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "article");
        assert_eq!(v["article_id"], "size-guide");
        assert!(v.get("survey_id").is_none());
        let back: FeedbackEvent = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
        assert!(
            FeedbackKind::Nps.range().contains(&10) && !FeedbackKind::Csat.range().contains(&0)
        );
    }
}
