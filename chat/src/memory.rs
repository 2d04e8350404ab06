//! What the browser tab remembers of its conversation (`sessionStorage`), so the chat
//! follows the shopper across the store's pages: the conversation and its token, how
//! far the log was seen and read, and the messages typed and not yet acknowledged
//! (leaving the page while one is being retried does not lose it; the next page sends
//! it).

use serde::{Deserialize, Serialize};
use shopdesk_web::http::percent_encode;
use shopdesk_wire::chat::Say;

/// Where the open conversation is remembered for this tab.
const KEY: &str = "shopdesk:chat";
/// Messages typed and not yet acknowledged.
const PENDING_KEY: &str = "shopdesk:chat-pending";
/// A link from an email the loader found in the page's address
/// (`launcher/loader/shopdesk.js`), for the chat to exchange for its conversation.
const RESUME_KEY: &str = "shopdesk:resume";

/// The conversation this tab is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Remembered {
    pub endpoint: String,
    pub id: String,
    pub token: String,
    /// The newest event applied (see `Log::seen`).
    #[serde(default)]
    pub seen: i64,
    /// The newest agent message the shopper has had in front of them.
    #[serde(default)]
    pub read: i64,
}

impl Remembered {
    /// One of the conversation's own endpoints, `<endpoint>/<id>/<what>`.
    pub(crate) fn url(&self, what: &str) -> String {
        format!("{}/{}/{what}", self.endpoint, percent_encode(&self.id))
    }

    /// Its event stream, opened with a single-use `ticket` (`EventSource` sends no
    /// headers, and the conversation's key must not sit in a URL). `after`: only
    /// events after that number.
    pub(crate) fn events_url(&self, ticket: &str, after: Option<i64>) -> String {
        let mut url = self.url("events") + "?ticket=" + &percent_encode(ticket);
        if let Some(after) = after {
            url += &format!("&after={after}");
        }
        url
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The conversation this tab has with `endpoint`, if any.
pub(crate) fn recall(endpoint: &str) -> Option<Remembered> {
    let text = storage()?.get_item(KEY).ok()??;
    serde_json::from_str::<Remembered>(&text)
        .ok()
        .filter(|r| r.endpoint == endpoint)
}

pub(crate) fn remember(r: &Remembered) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(r)) {
        let _ = s.set_item(KEY, &text);
    }
}

pub(crate) fn forget() {
    if let Some(s) = storage() {
        let _ = s.remove_item(KEY);
    }
}

/// The link from an email waiting to be opened, taken (it is used once).
pub(crate) fn take_resume() -> Option<String> {
    let s = storage()?;
    let link = s.get_item(RESUME_KEY).ok()??;
    let _ = s.remove_item(RESUME_KEY);
    Some(link).filter(|l| !l.is_empty())
}

/// Messages the previous page did not get acknowledged.
pub(crate) fn pending() -> Vec<Say> {
    storage()
        .and_then(|s| s.get_item(PENDING_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Keeps `waiting` for the tab (an empty list forgets them).
pub(crate) fn keep_pending<'a>(waiting: impl ExactSizeIterator<Item = &'a Say>) {
    let Some(s) = storage() else {
        return;
    };
    let _ = if waiting.len() == 0 {
        s.remove_item(PENDING_KEY)
    } else {
        let list: Vec<&Say> = waiting.collect();
        s.set_item(
            PENDING_KEY,
            &serde_json::to_string(&list).unwrap_or_default(),
        )
    };
}

#[cfg(test)]
mod tests {
    use super::Remembered;

    #[test]
    fn the_conversations_urls_carry_its_id_and_ticket_encoded_never_its_key() {
        let r = Remembered {
            endpoint: "https://shop.example/v1/chat".into(),
            id: "c 1".into(),
            token: "secret-key".into(),
            seen: 0,
            read: 0,
        };
        assert_eq!(
            r.url("messages"),
            "https://shop.example/v1/chat/c%201/messages"
        );
        assert_eq!(
            r.events_url("a+b/c", None),
            "https://shop.example/v1/chat/c%201/events?ticket=a%2Bb%2Fc"
        );
        assert!(r.events_url("t", Some(7)).ends_with("?ticket=t&after=7"));
        assert!(!r.events_url("t", None).contains("secret-key"));
    }
}
