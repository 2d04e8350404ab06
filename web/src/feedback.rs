//! Feedback events as the shopper answers ("Was this helpful?" in the panel, surveys in
//! their module): each gets its UUID (the endpoint's idempotency key) at that moment, so
//! however often the outbox has to send it, it counts once.

use serde_json::json;
use shopdesk_wire::{FeedbackEvent, FeedbackKind};

use crate::merchant;

/// Storage key of the anonymous visitor id (every key the widget owns starts with
/// `shopdesk:`, which `shutdown()` removes).
const VISITOR_KEY: &str = "shopdesk:visitor";

/// A response with what every one carries: its id, where and when, and who (as far as
/// the merchant said). The caller fills in what it answers (article, survey, chat).
pub fn event(
    kind: FeedbackKind,
    score: i64,
    comment: Option<String>,
    locale: &str,
) -> FeedbackEvent {
    let m = merchant::get();
    let context = match (m.identity, m.context) {
        (None, None) => None,
        (customer, merchant) => Some(json!({ "customer": customer, "merchant": merchant })),
    };
    FeedbackEvent {
        id: uuid::Uuid::new_v4().to_string(),
        kind,
        score,
        comment: comment.filter(|c| !c.trim().is_empty()),
        survey_id: None,
        article_id: None,
        conversation_id: None,
        page_url: web_sys::window().and_then(|w| w.location().href().ok()),
        locale: Some(locale.to_string()),
        visitor_id: visitor_id(),
        context,
        created_at: String::from(js_sys::Date::new_0().to_iso_string()),
    }
}

/// An anonymous id for this browser, kept in localStorage when the page allows it.
pub fn visitor_id() -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    if let Ok(Some(id)) = storage.get_item(VISITOR_KEY) {
        return Some(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    storage.set_item(VISITOR_KEY, &id).ok()?;
    Some(id)
}
