//! Links back to a conversation, for emails: `v1.<conversation>.<expires>.<signature>`,
//! signed with the server's secret (HMAC-SHA256), so the link alone opens exactly one
//! conversation until it expires, and a changed character opens nothing.
//!
//! The link travels in the store page's fragment (`#shopdesk-chat=…`), which browsers
//! never send to the store's server or put in `Referer`. The widget exchanges it for
//! the conversation's key (`POST /v1/chat/resume`); that key is derived from the same
//! secret ([`Keys::shopper_key`]), so the server stores nothing per link and every
//! instance sharing the database accepts it.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::Row;
use thiserror::Error;

use crate::access::hex;
use crate::db::{Database, DbError};

/// The fragment key the widget looks for on page load.
pub const FRAGMENT: &str = "shopdesk-chat";

type HmacSha256 = Hmac<Sha256>;

/// Why a link opens nothing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("this link is not valid (changed or cut short); copy the whole link from the email, or start a new chat")]
    Invalid,
    #[error("this link has expired; start a new chat and the shop will see your earlier one")]
    Expired,
}

/// The server's signing secret, shared by its instances through the database.
#[derive(Clone)]
pub struct Keys {
    secret: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self {
            secret: secret.into(),
        }
    }

    /// The secret in `db`, made on first use; the first instance to store one wins,
    /// so all of them sign alike.
    pub async fn load(db: &Database) -> Result<Self, DbError> {
        sqlx::query(
            "INSERT INTO server_secrets (name, value) VALUES ('links', $1)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(crate::access::new_secret())
        .execute(db.writer())
        .await
        .map_err(DbError::Query)?;
        let value: String = sqlx::query("SELECT value FROM server_secrets WHERE name = 'links'")
            .fetch_one(db.reader())
            .await
            .and_then(|r| r.try_get(0))
            .map_err(DbError::Query)?;
        Ok(Self::new(value))
    }

    fn mac(&self, parts: &[&str]) -> HmacSha256 {
        // Any key length is valid for HMAC.
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes any key");
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                mac.update(b"\0");
            }
            mac.update(part.as_bytes());
        }
        mac
    }

    /// A link to `conversation` valid until `expires_ms`.
    pub fn link(&self, conversation: &str, expires_ms: i64) -> String {
        let expires = expires_ms.div_euclid(1000).to_string();
        let signature = hex(&self
            .mac(&["link", conversation, &expires])
            .finalize()
            .into_bytes());
        format!("v1.{conversation}.{expires}.{signature}")
    }

    /// The conversation `link` opens at `now_ms`.
    pub fn open(&self, link: &str, now_ms: i64) -> Result<String, LinkError> {
        let mut parts = link.trim().split('.');
        let (Some("v1"), Some(conversation), Some(expires), Some(signature), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(LinkError::Invalid);
        };
        let signature = unhex(signature).ok_or(LinkError::Invalid)?;
        self.mac(&["link", conversation, expires])
            .verify_slice(&signature)
            .map_err(|_| LinkError::Invalid)?;
        let expires: i64 = expires.parse().map_err(|_| LinkError::Invalid)?;
        if now_ms.div_euclid(1000) >= expires {
            return Err(LinkError::Expired);
        }
        Ok(conversation.to_string())
    }

    /// What the database keeps of a client's network (`crate::limit::Client`) to cap
    /// its open conversations: equal for equal networks, but not the address itself,
    /// which is personal data the shop has no use for.
    pub fn client_key(&self, network: &str) -> String {
        hex(&self.mac(&["client", network]).finalize().into_bytes()[..16])
    }

    /// The shopper's key to `conversation` handed out for a link (beside the one its
    /// start returned, which the server only keeps hashed).
    pub fn shopper_key(&self, conversation: &str) -> String {
        hex(&self.mac(&["shopper", conversation]).finalize().into_bytes())
    }

    /// Whether `token` is [`shopper_key`](Self::shopper_key) of `conversation`, in
    /// constant time.
    pub fn is_shopper_key(&self, conversation: &str, token: &str) -> bool {
        unhex(token).is_some_and(|bytes| {
            self.mac(&["shopper", conversation])
                .verify_slice(&bytes)
                .is_ok()
        })
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600 * 1000;

    #[test]
    fn a_link_opens_its_conversation_until_it_expires() {
        let keys = Keys::new("secret");
        let link = keys.link("c-1", 10 * DAY);
        assert_eq!(keys.open(&link, 9 * DAY), Ok("c-1".into()));
        assert_eq!(keys.open(&link, 10 * DAY), Err(LinkError::Expired));
    }

    #[test]
    fn any_change_or_another_secret_opens_nothing() {
        let keys = Keys::new("secret");
        let link = keys.link("c-1", 10 * DAY);
        let later = link.replace(
            &format!(".{}.", 10 * DAY / 1000),
            &format!(".{}.", 20 * DAY / 1000),
        );
        assert_ne!(later, link);
        let other = link.replacen("c-1", "c-2", 1);
        let mut flipped = link.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        for bad in [
            later,
            other,
            String::from_utf8(flipped).unwrap(),
            link[..link.len() - 2].to_string(),
            link.replacen("v1.", "v2.", 1),
            format!("{link}.x"),
            String::new(),
            "v1.c-1.x.zz".into(),
        ] {
            assert_eq!(keys.open(&bad, DAY), Err(LinkError::Invalid), "{bad}");
        }
        assert_eq!(Keys::new("other").open(&link, DAY), Err(LinkError::Invalid));
    }

    #[test]
    fn the_shopper_key_belongs_to_one_conversation() {
        let keys = Keys::new("secret");
        let key = keys.shopper_key("c-1");
        assert!(keys.is_shopper_key("c-1", &key));
        assert!(!keys.is_shopper_key("c-2", &key));
        assert!(!keys.is_shopper_key("c-1", "not hex"));
        assert!(!Keys::new("other").is_shopper_key("c-1", &key));
    }
}
