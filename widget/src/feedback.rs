//! Sending feedback events to the merchant's endpoint.
//!
//! Each response gets its UUID (the endpoint's idempotency key) when the shopper
//! answers, so a retry can never count twice. Delivery today is one `fetch` with
//! `keepalive` (it survives the shopper leaving the page); the persistent outbox with
//! retries builds on this same event and key.

use serde_json::json;
use shopdesk_wire::{FeedbackEvent, FeedbackKind};
use web_sys::{Request, RequestInit};

use crate::{fetch, js, session};

/// Storage key of the anonymous visitor id (every key the widget owns starts with
/// `shopdesk:`, which `shutdown()` removes).
const VISITOR_KEY: &str = "shopdesk:visitor";

/// A response to "Was this article helpful?".
pub(crate) fn article_event(
    article_id: &str,
    helpful: bool,
    comment: Option<String>,
    locale: &str,
) -> FeedbackEvent {
    let s = session::get();
    let context = match (s.identity, s.context) {
        (None, None) => None,
        (customer, merchant) => Some(json!({ "customer": customer, "merchant": merchant })),
    };
    FeedbackEvent {
        id: uuid::Uuid::new_v4().to_string(),
        kind: FeedbackKind::Article,
        score: i64::from(helpful),
        comment: comment.filter(|c| !c.trim().is_empty()),
        survey_id: None,
        article_id: Some(article_id.to_string()),
        conversation_id: None,
        page_url: web_sys::window().and_then(|w| w.location().href().ok()),
        locale: Some(locale.to_string()),
        visitor_id: visitor_id(),
        context,
        created_at: String::from(js_sys::Date::new_0().to_iso_string()),
    }
}

/// POSTs `event` as JSON; failures are reported, never thrown.
pub(crate) async fn send(endpoint: String, event: FeedbackEvent) {
    if let Err(e) = post(&endpoint, &event).await {
        js::report(&format!("feedback could not be sent to {endpoint}: {e}"));
    }
}

async fn post(endpoint: &str, event: &FeedbackEvent) -> Result<(), String> {
    let body = serde_json::to_string(event).map_err(|e| e.to_string())?;
    let init = RequestInit::new();
    init.set_method("POST");
    // `keepalive` is not in web-sys's stable bindings; it is a plain dictionary member.
    js_sys::Reflect::set(&init, &"keepalive".into(), &true.into()).map_err(|e| js::describe(&e))?;
    init.set_body(&body.into());
    let request = Request::new_with_str_and_init(endpoint, &init).map_err(|e| js::describe(&e))?;
    request
        .headers()
        .set("Content-Type", "application/json")
        .map_err(|e| js::describe(&e))?;
    fetch::send(&request).await.map(drop)
}

/// An anonymous id for this browser, kept in localStorage when the page allows it.
fn visitor_id() -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    if let Ok(Some(id)) = storage.get_item(VISITOR_KEY) {
        return Some(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    storage.set_item(VISITOR_KEY, &id).ok()?;
    Some(id)
}
