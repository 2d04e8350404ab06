//! What the page says, as plain functions of plain values: the browser only supplies
//! the clock and the URL, so every wording and cut is tested natively.

use serde_json::Value;
use shopdesk_wire::chat::{Author, Handoff, MailState};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The document title. The count comes first so it survives a narrow browser tab.
pub(crate) fn title(unread: usize) -> String {
    match unread {
        0 => "Shopdesk agent".to_string(),
        n => format!("({n}) Shopdesk agent"),
    }
}

/// A coarse duration ("<1 min", "3 min", "1 h 5 min", "2 d 3 h"): agents triage by it,
/// seconds would only make the list flicker. A negative span (the agent's clock
/// behind the server's) counts as none.
pub(crate) fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < MINUTE {
        "<1 min".to_string()
    } else if ms < HOUR {
        format!("{} min", ms / MINUTE)
    } else if ms < DAY {
        match (ms % HOUR) / MINUTE {
            0 => format!("{} h", ms / HOUR),
            m => format!("{} h {m} min", ms / HOUR),
        }
    } else {
        match (ms % DAY) / HOUR {
            0 => format!("{} d", ms / DAY),
            h => format!("{} d {h} h", ms / DAY),
        }
    }
}

/// How long an open conversation has been waiting, or how long ago one ended.
pub(crate) fn since(started_at: i64, closed_at: Option<i64>, now: i64) -> String {
    match closed_at {
        None => format!("waiting {}", duration(now - started_at)),
        Some(at) if now - at < MINUTE => "ended just now".to_string(),
        Some(at) => format!("ended {} ago", duration(now - at)),
    }
}

/// A message time: the clock time for today, with the date before that. Both values
/// are milliseconds already shifted into the agent's time zone.
pub(crate) fn stamp(at_local: i64, now_local: i64) -> String {
    let day = at_local.div_euclid(DAY);
    let minutes = at_local.rem_euclid(DAY) / MINUTE;
    let clock = format!("{:02}:{:02}", minutes / 60, minutes % 60);
    if day == now_local.div_euclid(DAY) {
        clock
    } else {
        let (y, m, d) = civil(day);
        format!("{y:04}-{m:02}-{d:02} {clock}")
    }
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The first words of `text` on one line, at most `max` characters with the ellipsis,
/// cut between words where there is one.
pub(crate) fn first_words(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// Who the shopper is, as far as the merchant told us; else a name that still tells
/// two anonymous shoppers apart.
pub(crate) fn who(handoff: &Handoff, conversation: &str) -> String {
    let said = |key: &str| {
        handoff
            .identity
            .as_ref()
            .and_then(|i| i.get(key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    said("name").or_else(|| said("email")).unwrap_or_else(|| {
        let short: String = conversation.chars().take(6).collect();
        format!("Shopper {short}")
    })
}

/// One identity field as the agent sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdentityField {
    pub label: &'static str,
    pub value: String,
    /// Vouched for by the shop's backend: only the customer id is signed
    /// (`identify({id, signature})`), and only when the server checked the signature.
    pub verified: bool,
}

/// The identity fields an agent addresses a shopper by, in a fixed order; the rest
/// of the object is the merchant's and shows in full only as JSON. `verified`: the
/// server's word on the signed customer id (`Handoff::verified`).
pub(crate) fn identity_fields(identity: &Value, verified: Option<bool>) -> Vec<IdentityField> {
    [("Name", "name"), ("Email", "email"), ("Customer id", "id")]
        .into_iter()
        .filter_map(|(label, key)| {
            let value = match identity.get(key)? {
                Value::String(s) if !s.trim().is_empty() => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some(IdentityField {
                label,
                value,
                verified: key == "id" && verified == Some(true),
            })
        })
        .collect()
}

/// `url` if it is safe to link to. The server accepts only http(s) page URLs; the page
/// does not rely on that, since a `javascript:` link would run in the agent's session.
pub(crate) fn safe_link(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

/// The closing line of an ended conversation.
pub(crate) fn ended_by(by: Option<Author>, idle: bool) -> &'static str {
    if idle {
        return "Closed after the shopper went quiet";
    }
    match by {
        Some(Author::Shopper) => "Ended by the shopper",
        Some(Author::Agent) => "Ended by an agent",
        None => "Ended",
    }
}

/// Where an email to the shopper stands, under the reply it carries (or at the end,
/// for the transcript). `next_try` is when it goes (again), as the agent's clock says.
pub(crate) fn mail_note(m: &MailState, next_try: Option<&str>) -> String {
    let what = if m.kind == "transcript" {
        "Transcript"
    } else {
        "Email"
    };
    let to = &m.to;
    match (m.status.as_str(), m.error.as_deref(), next_try) {
        ("sent", ..) => format!("{what} sent to {to}"),
        ("skipped", ..) => "Not emailed: the shopper read it in the chat".to_string(),
        ("failed", error, _) => format!(
            "{what} to {to} failed: {}",
            error.unwrap_or("the mail server refused it")
        ),
        (_, Some(error), Some(at)) => {
            format!("{what} to {to} not sent yet ({error}); trying again at {at}")
        }
        (_, Some(error), None) => format!("{what} to {to} not sent yet ({error})"),
        (_, None, Some(at)) if m.attempts == 0 => {
            format!("{what} to {to} at {at}, unless the shopper reads it in the chat first")
        }
        (_, None, _) => format!("{what} to {to} is on its way"),
    }
}

#[cfg(test)]
mod tests {
    use shopdesk_wire::chat::MailState;

    fn mail(status: &str, error: Option<&str>, attempts: u32) -> MailState {
        MailState {
            kind: "reply".into(),
            seq: 7,
            to: "ben@example.com".into(),
            status: status.into(),
            attempts,
            error: error.map(str::to_string),
            next_attempt: None,
            sent_at: None,
        }
    }

    #[test]
    fn the_agent_reads_where_each_email_stands() {
        use super::mail_note;
        assert_eq!(
            mail_note(&mail("sent", None, 1), None),
            "Email sent to ben@example.com"
        );
        assert_eq!(
            mail_note(&mail("pending", Some("cannot reach the SMTP server"), 2), Some("14:05")),
            "Email to ben@example.com not sent yet (cannot reach the SMTP server); trying again at 14:05"
        );
        assert_eq!(
            mail_note(&mail("pending", None, 0), Some("14:05")),
            "Email to ben@example.com at 14:05, unless the shopper reads it in the chat first"
        );
        assert_eq!(
            mail_note(&mail("failed", Some("550 no such user"), 1), None),
            "Email to ben@example.com failed: 550 no such user"
        );
        assert_eq!(
            mail_note(&mail("skipped", None, 1), None),
            "Not emailed: the shopper read it in the chat"
        );
        let transcript = MailState {
            kind: "transcript".into(),
            ..mail("sent", None, 1)
        };
        assert_eq!(
            mail_note(&transcript, None),
            "Transcript sent to ben@example.com"
        );
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn durations_are_coarse_and_never_negative() {
        assert_eq!(duration(-5_000), "<1 min");
        assert_eq!(duration(59_999), "<1 min");
        assert_eq!(duration(3 * MINUTE + 59_000), "3 min");
        assert_eq!(duration(HOUR), "1 h");
        assert_eq!(duration(HOUR + 5 * MINUTE), "1 h 5 min");
        assert_eq!(duration(2 * DAY + 3 * HOUR + 7 * MINUTE), "2 d 3 h");
        assert_eq!(duration(DAY), "1 d");
    }

    #[test]
    fn open_conversations_wait_and_ended_ones_ended() {
        assert_eq!(since(0, None, 3 * MINUTE), "waiting 3 min");
        assert_eq!(since(0, Some(MINUTE), MINUTE + 10), "ended just now");
        assert_eq!(since(0, Some(MINUTE), MINUTE + 2 * HOUR), "ended 2 h ago");
    }

    #[test]
    fn stamps_show_the_date_only_for_other_days() {
        // 2024-03-12 14:05 and 09:00 (UTC, i.e. already local).
        let at = 1_710_252_300_000;
        assert_eq!(stamp(at, at + HOUR), "14:05");
        assert_eq!(stamp(at, at + DAY), "2024-03-12 14:05");
        assert_eq!(stamp(0, DAY), "1970-01-01 00:00");
        assert_eq!(stamp(-MINUTE, 0), "1969-12-31 23:59");
        assert_eq!(civil(11_016), (2000, 2, 29));
    }

    #[test]
    fn first_words_cut_between_words_on_one_line() {
        assert_eq!(
            first_words("  Where is\nmy   order? ", 40),
            "Where is my order?"
        );
        assert_eq!(
            first_words("Where is my order? It was due on Monday", 20),
            "Where is my order?…"
        );
        assert_eq!(first_words("Supercalifragilistic", 10), "Supercali…");
        assert_eq!(first_words("ÄÖÜäöüß ÄÖÜäöüß", 9), "ÄÖÜäöüß…");
        assert_eq!(first_words("", 10), "");
    }

    #[test]
    fn shoppers_are_named_by_what_the_merchant_said() {
        let mut h = Handoff::default();
        assert_eq!(who(&h, "3f2a9c1e-aaaa"), "Shopper 3f2a9c");
        h.identity = Some(json!({"email": "ana@example.com", "name": " "}));
        assert_eq!(who(&h, "x"), "ana@example.com");
        h.identity =
            Some(json!({"email": "ana@example.com", "name": "Ana", "id": 42, "tier": "gold"}));
        assert_eq!(who(&h, "x"), "Ana");
        let fields = |verified| {
            identity_fields(h.identity.as_ref().unwrap(), verified)
                .into_iter()
                .map(|f| (f.label, f.value, f.verified))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(Some(true)),
            vec![
                ("Name", "Ana".to_string(), false),
                ("Email", "ana@example.com".to_string(), false),
                ("Customer id", "42".to_string(), true)
            ],
            "the signature covers the id, not what else the page said"
        );
        assert!(fields(Some(false)).iter().all(|f| !f.2));
        assert!(fields(None).iter().all(|f| !f.2));
    }

    #[test]
    fn only_web_links_are_links() {
        assert!(safe_link("https://shop.example/p").is_some());
        assert!(safe_link("HTTP://shop.example/").is_some());
        assert!(safe_link("javascript:alert(1)").is_none());
        assert!(safe_link("data:text/html,x").is_none());
        assert!(safe_link("").is_none());
    }

    #[test]
    fn the_title_counts_unread_conversations() {
        assert_eq!(title(0), "Shopdesk agent");
        assert_eq!(title(2), "(2) Shopdesk agent");
    }
}
