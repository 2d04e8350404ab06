//! Search analytics: what the widget reports about one search session, so content
//! editors learn what shoppers could not find (`POST /v1/searches`).
//!
//! A session is one visit of a shopper to the search, from the first search that
//! counts (a pause, an opened result) until they leave the page, ask a person, or stop
//! searching for a while; it holds each search once, not each keystroke. It carries no
//! visitor id, no page address and no free text but the queries, and queries that look
//! like personal data are dropped in the browser ([`kept_query`]) and again by the
//! server, which never stores one.

use serde::{Deserialize, Serialize};

use crate::check::{is_uuid, parse, text, Invalid};
use crate::MAX_ID;

/// Longest query kept, in characters: longer ones are cut (a pasted paragraph says
/// nothing an editor can act on beyond its start).
pub const MAX_QUERY: usize = 100;
/// Most searches in one session; a shopper who searches more starts a new one.
pub const MAX_SEARCHES: usize = 50;

/// One search session, as the widget hands it to the outbox. `id` is made by the
/// widget and is the idempotency key: the session sent twice is stored once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSession {
    pub id: String,
    /// The shopper's language tag, as the widget searched in it.
    pub locale: String,
    /// RFC 3339 time of the session's first search.
    pub started_at: String,
    /// The shopper asked a person (started a chat) after searching.
    #[serde(default)]
    pub escalated: bool,
    /// Each search once, in the order made.
    pub searches: Vec<Search>,
}

/// One search of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Search {
    /// The query as [`kept_query`] gives it.
    pub query: String,
    /// How many articles it found.
    pub results: u32,
    /// The article the shopper opened from its results, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened: Option<String>,
    /// Their answer to "Was this helpful?" on that article, if they gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helpful: Option<bool>,
}

/// The form a query is reported in, or `None` when it must not leave the browser:
/// empty, or looking like personal data ([`looks_personal`]). Lowercase, single
/// spaces, no punctuation around it, at most [`MAX_QUERY`] characters: "Klarna?" and
/// " klarna" are one search for the report.
pub fn kept_query(query: &str) -> Option<String> {
    if looks_personal(query) {
        return None;
    }
    let mut kept = String::new();
    for word in query.split_whitespace() {
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(word);
    }
    let trimmed = kept.trim_matches(|c: char| !c.is_alphanumeric());
    let kept: String = trimmed
        .chars()
        .take(MAX_QUERY)
        .collect::<String>()
        .to_lowercase();
    (!kept.is_empty()).then_some(kept)
}

/// Whether `query` looks like something about the shopper rather than about the shop:
/// an email address (any `@`), a phone number (7 or more digits, whatever separates
/// them), an order, tracking or card number (a word with 4 or more digits, or `#`
/// before a digit). Some plain searches ("size 2024") are dropped too: privacy first.
pub fn looks_personal(query: &str) -> bool {
    if query.contains('@') || hash_number(query) {
        return true;
    }
    // Digits in a run of digits and phone punctuation: "+49 (30) 1234-567".
    let mut run = 0;
    for c in query.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 7 {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '(' | ')' | '.' | '+' | '/') {
            run = 0;
        }
    }
    query
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .any(|word| word.chars().filter(char::is_ascii_digit).count() >= 4)
}

/// A `#` directly before a digit: "#1042", "order #7".
fn hash_number(query: &str) -> bool {
    query
        .split('#')
        .skip(1)
        .any(|after| after.starts_with(|c: char| c.is_ascii_digit()))
}

impl SearchSession {
    /// Reads a session from a JSON body and checks it, naming the first bad field.
    /// Unknown fields are ignored: newer widgets may send more.
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let session: SearchSession = parse(body)?;
        session.check()?;
        Ok(session)
    }

    /// Checks the values: the id's form, the language tag, the time, each search.
    /// Queries are checked for length only: personal-looking ones are the server's to
    /// drop ([`SearchSession::without_personal_queries`]), not a reason to lose the
    /// session.
    pub fn check(&self) -> Result<(), Invalid> {
        if !is_uuid(&self.id) {
            return Err(Invalid::new(
                "id",
                "must be a UUID such as \"0b9f2c1e-7d4a-4c3b-9a57-1f6e2d8c9b10\" (the idempotency key)",
            ));
        }
        crate::check::locale("locale", Some(&self.locale))?;
        if self.started_millis().is_none() {
            return Err(Invalid::new(
                "started_at",
                "must be an RFC 3339 time such as \"2026-11-23T10:00:00.000Z\"",
            ));
        }
        if self.searches.is_empty() || self.searches.len() > MAX_SEARCHES {
            return Err(Invalid::new(
                "searches",
                format!("must hold 1 to {MAX_SEARCHES} searches"),
            ));
        }
        for (i, search) in self.searches.iter().enumerate() {
            let field = |name: &str| format!("searches[{i}].{name}");
            if search.query.trim().is_empty() || search.query.chars().count() > MAX_QUERY {
                return Err(Invalid::new(
                    &field("query"),
                    format!("must be 1 to {MAX_QUERY} characters"),
                ));
            }
            text(&field("opened"), search.opened.as_deref(), MAX_ID)?;
            if search.helpful.is_some() && search.opened.is_none() {
                return Err(Invalid::new(
                    &field("helpful"),
                    "needs `opened`: the answer is about the article opened",
                ));
            }
        }
        Ok(())
    }

    /// `started_at` as milliseconds since the Unix epoch (UTC).
    pub fn started_millis(&self) -> Option<i64> {
        crate::check::millis(&self.started_at)
    }

    /// The session as the server keeps it: every query in [`kept_query`]'s form, and
    /// none that looks personal (a client other than the widget may send them). How
    /// many were dropped is returned beside it.
    pub fn without_personal_queries(mut self) -> (Self, usize) {
        let before = self.searches.len();
        self.searches.retain_mut(|s| match kept_query(&s.query) {
            Some(kept) => {
                s.query = kept;
                true
            }
            None => false,
        });
        let dropped = before - self.searches.len();
        (self, dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queries_are_reported_in_one_form() {
        assert_eq!(kept_query("  Klarna?  ").as_deref(), Some("klarna"));
        assert_eq!(
            kept_query("Return   POLICY\tfor shoes!").as_deref(),
            Some("return policy for shoes")
        );
        assert_eq!(kept_query("Größe 42").as_deref(), Some("größe 42"));
        assert_eq!(kept_query(" ?! ").as_deref(), None);
        assert_eq!(kept_query("").as_deref(), None);
        assert_eq!(
            kept_query(&"a".repeat(300)).map(|q| q.chars().count()),
            Some(MAX_QUERY)
        );
    }

    #[test]
    fn personal_looking_queries_never_leave_the_browser() {
        for personal in [
            "ana@example.com",
            "where is ana.lopez@mail.example",
            "call me +49 30 1234567",
            "0176-123 45 67",
            "(555) 123-4567",
            "order 10423",
            "order #1042",
            "where is #7",
            "tracking 1Z999AA10123456784",
            "card 4111 1111 1111 1111",
            "SO-2026-1187",
            "10115 berlin",
        ] {
            assert!(looks_personal(personal), "{personal}");
            assert_eq!(kept_query(personal), None, "{personal}");
        }
        for plain in [
            "return policy",
            "size 42 shoes",
            "iphone 15 case",
            "c# course",
            "100% cotton",
            "2 for 1",
            "opening hours 9-17",
            "24/7 support",
        ] {
            assert!(!looks_personal(plain), "{plain}");
        }
    }

    fn valid() -> serde_json::Value {
        json!({
            "id": "0b9f2c1e-7d4a-4c3b-9a57-1f6e2d8c9b10",
            "locale": "de-AT",
            "started_at": "2026-11-23T10:00:00.123Z",
            "escalated": true,
            "searches": [
                {"query": "rücksendung", "results": 2, "opened": "returns", "helpful": false},
                {"query": "klarna", "results": 0}
            ]
        })
    }

    fn refused(change: impl FnOnce(&mut serde_json::Value)) -> Invalid {
        let mut v = valid();
        change(&mut v);
        SearchSession::from_json(v.to_string().as_bytes()).unwrap_err()
    }

    #[test]
    fn a_valid_session_is_read_and_round_trips() {
        let s = SearchSession::from_json(valid().to_string().as_bytes()).unwrap();
        assert_eq!(s.searches[0].helpful, Some(false));
        assert_eq!(s.started_millis(), Some(1_795_428_000_123));
        let back: SearchSession =
            serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        let v = serde_json::to_value(&s.searches[1]).unwrap();
        assert!(v.get("opened").is_none() && v.get("helpful").is_none());
    }

    #[test]
    fn every_problem_names_its_field() {
        type Change = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(&str, Change)> = vec![
            ("id", Box::new(|v| v["id"] = json!("s-1"))),
            ("locale", Box::new(|v| v["locale"] = json!("de AT"))),
            ("started_at", Box::new(|v| v["started_at"] = json!("today"))),
            ("searches", Box::new(|v| v["searches"] = json!([]))),
            (
                "searches",
                Box::new(|v| v["searches"] = json!(vec![json!({"query": "a", "results": 1}); 51])),
            ),
            (
                "searches[1].query",
                Box::new(|v| v["searches"][1]["query"] = json!(" ")),
            ),
            (
                "searches[0].query",
                Box::new(|v| v["searches"][0]["query"] = json!("x".repeat(101))),
            ),
            (
                "searches[1].results",
                Box::new(|v| v["searches"][1]["results"] = json!(-1)),
            ),
            (
                "searches[0].opened",
                Box::new(|v| v["searches"][0]["opened"] = json!("")),
            ),
            (
                "searches[1].helpful",
                Box::new(|v| v["searches"][1]["helpful"] = json!(true)),
            ),
        ];
        for (field, change) in cases {
            let e = refused(change);
            assert_eq!(e.field, field, "{e}");
        }
    }

    #[test]
    fn the_server_keeps_no_personal_query_and_one_form_of_each() {
        let mut s = SearchSession::from_json(valid().to_string().as_bytes()).unwrap();
        s.searches.push(Search {
            query: "ana@example.com".into(),
            results: 0,
            opened: None,
            helpful: None,
        });
        s.searches[1].query = " KLARNA? ".into();
        let (kept, dropped) = s.without_personal_queries();
        assert_eq!(dropped, 1);
        let queries: Vec<&str> = kept.searches.iter().map(|s| s.query.as_str()).collect();
        assert_eq!(queries, ["rücksendung", "klarna"]);
    }
}
