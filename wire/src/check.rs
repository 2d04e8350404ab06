//! Checking a feedback event as it arrives: every field named, every limit said, so a
//! merchant's integration or a widget bug gets a 4xx that explains itself.

use serde_json::Value;
use thiserror::Error;

use crate::{FeedbackEvent, FeedbackKind};

/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 2000;
/// Longest id-like field (`survey_id`, `article_id`, `conversation_id`, `visitor_id`).
pub const MAX_ID: usize = 128;
pub const MAX_URL: usize = 2048;
/// Largest `context`, as JSON bytes.
pub const MAX_CONTEXT: usize = 8 * 1024;

/// Why an event was refused: the field, and what it must be.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{field}` {problem}")]
pub struct Invalid {
    pub field: String,
    pub problem: String,
}

impl Invalid {
    pub(crate) fn new(field: &str, problem: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            problem: problem.into(),
        }
    }
}

impl FeedbackEvent {
    /// Reads an event from a JSON body and checks it, naming the first bad field.
    /// Unknown fields are ignored: newer widgets may send more.
    pub fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        let event: FeedbackEvent = parse(body)?;
        event.check()?;
        Ok(event)
    }

    /// Checks the values: the id's form, the score for the kind, lengths, the time.
    pub fn check(&self) -> Result<(), Invalid> {
        if !is_uuid(&self.id) {
            return Err(Invalid::new(
                "id",
                "must be a UUID such as \"0b9f2c1e-7d4a-4c3b-9a57-1f6e2d8c9b10\" (the idempotency key)",
            ));
        }
        let range = self.kind.range();
        if !range.contains(&self.score) {
            return Err(Invalid::new(
                "score",
                format!(
                    "must be {} to {} for `{}`; got {}",
                    range.start(),
                    range.end(),
                    self.kind.as_str(),
                    self.score
                ),
            ));
        }
        if self.kind == FeedbackKind::Article && self.article_id.is_none() {
            return Err(Invalid::new(
                "article_id",
                "is required for `article` feedback",
            ));
        }
        if let Some(comment) = &self.comment {
            if comment.chars().count() > MAX_COMMENT {
                return Err(Invalid::new(
                    "comment",
                    format!("must be at most {MAX_COMMENT} characters"),
                ));
            }
        }
        for (field, value) in [
            ("survey_id", &self.survey_id),
            ("article_id", &self.article_id),
            ("conversation_id", &self.conversation_id),
            ("visitor_id", &self.visitor_id),
        ] {
            if let Some(v) = value {
                if v.is_empty() || v.chars().count() > MAX_ID {
                    return Err(Invalid::new(
                        field,
                        format!("must be 1 to {MAX_ID} characters"),
                    ));
                }
            }
        }
        url("page_url", self.page_url.as_deref())?;
        locale("locale", self.locale.as_deref())?;
        object("context", self.context.as_ref())?;
        if self.created_millis().is_none() {
            return Err(Invalid::new(
                "created_at",
                "must be an RFC 3339 time such as \"2026-11-23T10:00:00.000Z\"",
            ));
        }
        Ok(())
    }

    /// `created_at` as milliseconds since the Unix epoch (UTC).
    pub fn created_millis(&self) -> Option<i64> {
        millis(&self.created_at)
    }
}

/// An RFC 3339 time as milliseconds since the Unix epoch (UTC).
pub(crate) fn millis(rfc3339: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// An optional language tag: letters, digits, `-` and `_`, at most 35 bytes.
pub fn locale(field: &str, value: Option<&str>) -> Result<(), Invalid> {
    let Some(tag) = value else { return Ok(()) };
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(Invalid::new(
            field,
            "must be a language tag such as \"de\" or \"pt-BR\"",
        ));
    }
    Ok(())
}

impl FeedbackKind {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Csat => "csat",
            FeedbackKind::Nps => "nps",
            FeedbackKind::Ces => "ces",
            FeedbackKind::Article => "article",
        }
    }
}

/// Reads a JSON body into `T`, naming the first bad field. Unknown fields are ignored:
/// newer clients may send more.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Invalid> {
    // serde would take an array for a struct, field by field.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Invalid::new("body", "must be a JSON object"));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // Not JSON at all (cut short, a stray byte, nested too deep): the body's fault.
        // The path only says where reading stopped, maybe in a field the type does not
        // have (found by tests/props.rs: `{"id":` was "`id` has the wrong type").
        if e.inner().classify() != serde_json::error::Category::Data {
            return Invalid::new("body", "is not valid JSON: ".to_string() + &message);
        }
        // "missing field `id` at line 1 column 2" names its field in the message.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next());
        match (missing, path.as_str()) {
            (Some(field), "." | "?") => Invalid::new(field, "is required"),
            (Some(field), prefix) => Invalid::new(&format!("{prefix}.{field}"), "is required"),
            (None, "." | "?") => {
                Invalid::new("body", "must be a JSON object: ".to_string() + &message)
            }
            (None, _) => Invalid::new(&path, "has the wrong type: ".to_string() + &message),
        }
    })
}

/// An optional http(s) URL of bounded length.
pub(crate) fn url(field: &str, value: Option<&str>) -> Result<(), Invalid> {
    let Some(url) = value else { return Ok(()) };
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if url.len() > MAX_URL || !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(Invalid::new(
            field,
            format!("must be an http(s) URL of at most {MAX_URL} bytes"),
        ));
    }
    Ok(())
}

/// Longest email address (RFC 5321's limit on a path).
pub const MAX_EMAIL: usize = 254;

/// Whether `address` looks deliverable: one `@`, a local part, a domain with a dot and
/// no empty label, no spaces or angle brackets, at most [`MAX_EMAIL`] bytes. The
/// widget checks the same before sending, so a typo is caught at the form; the server
/// also parses it as a mail address before queueing mail.
pub fn is_email(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    address.len() <= MAX_EMAIL
        && !local.is_empty()
        && local.len() <= 64
        && !address.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
        && !local.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// An optional text of 1 to `max` characters.
pub(crate) fn text(field: &str, value: Option<&str>, max: usize) -> Result<(), Invalid> {
    match value {
        Some(v) if v.is_empty() || v.chars().count() > max => Err(Invalid::new(
            field,
            format!("must be 1 to {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// An optional JSON object of at most [`MAX_CONTEXT`] bytes.
pub(crate) fn object(field: &str, value: Option<&Value>) -> Result<(), Invalid> {
    let Some(value) = value else { return Ok(()) };
    if !matches!(value, Value::Object(_)) {
        return Err(Invalid::new(field, "must be a JSON object"));
    }
    if value.to_string().len() > MAX_CONTEXT {
        return Err(Invalid::new(
            field,
            format!("must be at most {MAX_CONTEXT} bytes of JSON"),
        ));
    }
    Ok(())
}

/// The canonical textual UUID form: 8-4-4-4-12 hex digits.
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn email_addresses_that_can_be_delivered_and_typos_that_cannot() {
        for ok in [
            "ana@example.com",
            "ana.lopez+shop@mail.example.co.uk",
            "jürgen@bücher.example",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "ana@example..com",
            "ana @example.com",
            "Ana <ana@example.com>",
            "ana@example.com,bob@example.com",
            "ana@-example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(!is_email(&format!("{}@example.com", "a".repeat(65))));
    }

    fn valid() -> Value {
        json!({
            "id": "0b9f2c1e-7d4a-4c3b-9a57-1f6e2d8c9b10",
            "kind": "nps",
            "score": 9,
            "comment": "fast delivery",
            "page_url": "https://shop.example/thanks",
            "locale": "de-AT",
            "visitor_id": "v-1",
            "context": {"order": "1042"},
            "created_at": "2026-11-23T10:00:00.123+01:00"
        })
    }

    fn refused(change: impl FnOnce(&mut Value)) -> Invalid {
        let mut v = valid();
        change(&mut v);
        FeedbackEvent::from_json(v.to_string().as_bytes()).unwrap_err()
    }

    #[test]
    fn a_valid_event_is_read_with_its_time() {
        let e = FeedbackEvent::from_json(valid().to_string().as_bytes()).unwrap();
        assert_eq!(e.kind, FeedbackKind::Nps);
        assert_eq!(e.created_millis(), Some(1_795_424_400_123));
    }

    #[test]
    fn every_problem_names_its_field() {
        type Change = Box<dyn FnOnce(&mut Value)>;
        let cases: Vec<(&str, Change)> = vec![
            ("id", Box::new(|v| v["id"] = json!("42"))),
            (
                "id",
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("id");
                }),
            ),
            ("kind", Box::new(|v| v["kind"] = json!("stars"))),
            ("score", Box::new(|v| v["score"] = json!(11))),
            ("score", Box::new(|v| v["score"] = json!("9"))),
            (
                "score",
                Box::new(|v| {
                    v["kind"] = json!("csat");
                    v["score"] = json!(0);
                }),
            ),
            (
                "article_id",
                Box::new(|v| {
                    v["kind"] = json!("article");
                    v["score"] = json!(1);
                }),
            ),
            (
                "comment",
                Box::new(|v| v["comment"] = json!("x".repeat(MAX_COMMENT + 1))),
            ),
            (
                "page_url",
                Box::new(|v| v["page_url"] = json!("javascript:alert(1)")),
            ),
            ("locale", Box::new(|v| v["locale"] = json!("de AT"))),
            ("context", Box::new(|v| v["context"] = json!([1, 2]))),
            (
                "context",
                Box::new(|v| v["context"] = json!({"big": "x".repeat(MAX_CONTEXT)})),
            ),
            (
                "created_at",
                Box::new(|v| v["created_at"] = json!("yesterday")),
            ),
            ("visitor_id", Box::new(|v| v["visitor_id"] = json!(""))),
        ];
        for (field, change) in cases {
            let e = refused(change);
            assert_eq!(e.field, field, "{e}");
        }
        let e = refused(|v| v["score"] = json!(11));
        assert_eq!(e.to_string(), "`score` must be 0 to 10 for `nps`; got 11");
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused_as_body() {
        for body in ["[]", "nope", ""] {
            let e = FeedbackEvent::from_json(body.as_bytes()).unwrap_err();
            assert_eq!(e.field, "body", "{body}: {e}");
        }
    }

    /// Found by tests/props.rs: a body cut short inside a field the type does not have
    /// was blamed on that field, as a wrong type.
    #[test]
    fn a_body_that_is_not_json_is_refused_as_body() {
        for body in [
            r#"{"id":"#,
            r#"{"score": 9"#,
            r#"{"kind": "nps", x}"#,
            &format!(r#"{{"context": {}1{}}}"#, "[".repeat(200), "]".repeat(200)),
        ] {
            let e = FeedbackEvent::from_json(body.as_bytes()).unwrap_err();
            assert_eq!(e.field, "body", "{body}: {e}");
            assert!(e.problem.starts_with("is not valid JSON: "), "{e}");
        }
        // A value of the wrong type is still the field's.
        let e = FeedbackEvent::from_json(br#"{"score": "9"}"#).unwrap_err();
        assert_eq!(e.field, "score");
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let mut v = valid();
        v["added_in_a_later_version"] = json!(true);
        assert!(FeedbackEvent::from_json(v.to_string().as_bytes()).is_ok());
    }
}
