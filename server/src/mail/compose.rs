//! What an email to a shopper says: the agent's answer (or the whole conversation, for
//! a transcript), the conversation so far, a link back to it, and that replies to the
//! email are not read. Plain text and HTML with the same words, in the shopper's
//! language, times in their time zone. Pure: the outbox gathers the facts.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use shopdesk_wire::chat::{Author, Handoff};

use super::words::{words, Words};

/// Which email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An agent answered while the shopper was away.
    Reply,
    /// The conversation ended and the shopper asked for it by email.
    Transcript,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Reply => "reply",
            Kind::Transcript => "transcript",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "reply" => Some(Kind::Reply),
            "transcript" => Some(Kind::Transcript),
            _ => None,
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub author: Author,
    /// The agent's name, if they signed in with an account.
    pub name: Option<String>,
    pub body: String,
    /// Milliseconds since the epoch.
    pub at: i64,
}

/// The facts an email is made of.
#[derive(Debug)]
pub struct Letter<'a> {
    pub kind: Kind,
    /// The shop's name, as the sender shows it.
    pub shop: &'a str,
    pub handoff: &'a Handoff,
    /// The messages up to the one the email is about (for a reply, the last is the
    /// agent's answer).
    pub lines: &'a [Line],
    /// The link back to the conversation and when it expires (none without the
    /// store page's address).
    pub link: Option<(String, i64)>,
}

/// A composed email.
#[derive(Debug, Clone, PartialEq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn compose(letter: &Letter<'_>) -> Composed {
    let w = words(letter.handoff.locale.as_deref());
    let zone = letter
        .handoff
        .time_zone
        .as_deref()
        .and_then(|z| jiff::tz::db().get(z).ok());
    let when = |at: i64| when(zone.as_ref(), at);
    let agent = letter
        .lines
        .iter()
        .rev()
        .find(|l| l.author == Author::Agent)
        .map(|l| l.name.clone().unwrap_or_else(|| w.support.to_string()))
        .unwrap_or_else(|| w.support.to_string());
    let fill = |text: &str| {
        text.replace("{agent}", &agent)
            .replace("{shop}", letter.shop)
            .replace("{name}", letter.handoff.name.as_deref().unwrap_or(""))
    };
    let subject = match letter.kind {
        Kind::Reply => fill(w.reply_subject),
        Kind::Transcript => fill(w.transcript_subject),
    };
    let hello = match &letter.handoff.name {
        Some(_) => fill(w.hello_name),
        None => w.hello.to_string(),
    };
    let (intro, answer, earlier) = match (letter.kind, letter.lines.split_last()) {
        (Kind::Reply, Some((last, earlier))) if last.author == Author::Agent => {
            (fill(w.answered), Some(last), earlier)
        }
        (Kind::Reply, _) => (fill(w.answered), None, letter.lines),
        (Kind::Transcript, _) => (fill(w.transcript_intro), None, letter.lines),
    };
    let speaker = |l: &Line| match l.author {
        Author::Shopper => w.you.to_string(),
        Author::Agent => l.name.clone().unwrap_or_else(|| w.support.to_string()),
    };
    let link = letter.link.as_ref().map(|(url, expires)| {
        (
            url.as_str(),
            w.link_until.replace("{date}", &when(*expires)),
        )
    });

    let mut text = format!("{hello}\n\n{intro}\n\n");
    if let Some(a) = answer {
        for line in a.body.lines() {
            text.push_str(&format!("    {line}\n"));
        }
        text.push('\n');
    }
    if let Some((url, until)) = &link {
        text.push_str(&format!("{}: {url}\n{until}\n\n", w.open_link));
    }
    text.push_str(&format!("{}\n\n", w.no_reply));
    if !earlier.is_empty() {
        text.push_str(&format!("-- {} --\n\n", w.so_far));
        for l in earlier {
            text.push_str(&format!("{} ({}):\n", speaker(l), when(l.at)));
            for line in l.body.lines() {
                text.push_str(&format!("  {line}\n"));
            }
            text.push('\n');
        }
    }

    let html = html(
        w,
        &hello,
        &intro,
        answer,
        link.as_ref(),
        earlier,
        &speaker,
        &when,
    );
    Composed {
        subject,
        text,
        html,
    }
}

#[allow(clippy::too_many_arguments)]
fn html(
    w: &Words,
    hello: &str,
    intro: &str,
    answer: Option<&Line>,
    link: Option<&(&str, String)>,
    earlier: &[Line],
    speaker: &dyn Fn(&Line) -> String,
    when: &dyn Fn(i64) -> String,
) -> String {
    let dir = if w.rtl { "rtl" } else { "ltr" };
    let mut h = format!(
        "<!doctype html><html lang=\"{}\" dir=\"{dir}\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36em\">\n<p>{}</p>\n<p>{}</p>\n",
        w.code,
        esc(hello),
        esc(intro)
    );
    if let Some(a) = answer {
        h.push_str(&format!(
            "<blockquote style=\"margin:0 0 1em;padding:.5em 1em;border-inline-start:3px solid #888\">{}</blockquote>\n",
            paragraphs(&a.body)
        ));
    }
    if let Some((url, until)) = link {
        h.push_str(&format!(
            "<p><a href=\"{}\" style=\"font-weight:bold\">{}</a><br><small>{}</small></p>\n",
            esc(url),
            esc(w.open_link),
            esc(until)
        ));
    }
    h.push_str(&format!("<p><small>{}</small></p>\n", esc(w.no_reply)));
    if !earlier.is_empty() {
        h.push_str(&format!(
            "<h2 style=\"font-size:1em\">{}</h2>\n",
            esc(w.so_far)
        ));
        for l in earlier {
            h.push_str(&format!(
                "<p><b>{}</b> <small>{}</small><br>{}</p>\n",
                esc(&speaker(l)),
                esc(&when(l.at)),
                paragraphs(&l.body)
            ));
        }
    }
    h.push_str("</body></html>\n");
    h
}

/// `at` as the shopper's clock shows it, or in UTC (said) when their zone is unknown.
fn when(zone: Option<&TimeZone>, at: i64) -> String {
    let t = Timestamp::from_millisecond(at).unwrap_or(Timestamp::UNIX_EPOCH);
    match zone {
        Some(z) => z.to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string(),
        None => format!(
            "{} UTC",
            TimeZone::UTC.to_datetime(t).strftime("%Y-%m-%d %H:%M")
        ),
    }
}

/// A message's text as HTML: escaped, line breaks kept.
fn paragraphs(text: &str) -> String {
    esc(text).replace('\n', "<br>")
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(author: Author, name: Option<&str>, body: &str, at: i64) -> Line {
        Line {
            author,
            name: name.map(str::to_string),
            body: body.into(),
            at,
        }
    }

    /// 2026-12-07 09:00 UTC.
    const T: i64 = 1_796_634_000_000;

    #[test]
    fn a_reply_quotes_the_answer_links_back_and_says_not_to_reply() {
        let handoff = Handoff {
            name: Some("Ben".into()),
            time_zone: Some("Europe/Berlin".into()),
            ..Handoff::default()
        };
        let lines = [
            line(Author::Shopper, None, "Where is order 1234?", T),
            line(
                Author::Agent,
                Some("Ana"),
                "It ships today.\nTracking follows.",
                T + 60_000,
            ),
        ];
        let c = compose(&Letter {
            kind: Kind::Reply,
            shop: "Acme",
            handoff: &handoff,
            lines: &lines,
            link: Some((
                "https://shop.example/p#shopdesk-chat=v1.x".into(),
                T + 86_400_000,
            )),
        });
        assert_eq!(c.subject, "Ana answered your message");
        assert!(c.text.starts_with("Hello Ben,\n\nAna from Acme answered your message:\n\n    It ships today.\n    Tracking follows.\n"), "{}", c.text);
        assert!(c.text.contains("Continue the conversation: https://shop.example/p#shopdesk-chat=v1.x\nThe link works until 2026-12-08 10:00."), "{}", c.text);
        assert!(c.text.contains("please answer in the chat"));
        assert!(
            c.text
                .contains("You (2026-12-07 10:00):\n  Where is order 1234?"),
            "Berlin time: {}",
            c.text
        );
        assert!(
            !c.text.contains("Ana (2026"),
            "the answer is quoted once, not again in the history"
        );
        assert!(c
            .html
            .contains("href=\"https://shop.example/p#shopdesk-chat=v1.x\""));
        assert!(c.html.contains("It ships today.<br>Tracking follows."));
    }

    #[test]
    fn a_transcript_in_the_shoppers_language_with_utc_when_their_zone_is_unknown() {
        let handoff = Handoff {
            locale: Some("de-DE".into()),
            ..Handoff::default()
        };
        let lines = [
            line(Author::Shopper, None, "Hallo", T),
            line(Author::Agent, None, "Guten Tag", T + 1000),
        ];
        let c = compose(&Letter {
            kind: Kind::Transcript,
            shop: "Acme",
            handoff: &handoff,
            lines: &lines,
            link: None,
        });
        assert_eq!(c.subject, "Ihr Gespräch mit Acme");
        assert!(c
            .text
            .starts_with("Hallo,\n\nHier ist Ihr Gespräch mit Acme"));
        assert!(
            c.text.contains("Sie (2026-12-07 09:00 UTC):\n  Hallo"),
            "{}",
            c.text
        );
        assert!(c
            .text
            .contains("Support (2026-12-07 09:00 UTC):\n  Guten Tag"));
        assert!(!c.text.contains("fortsetzen"), "no link without a page");
    }

    #[test]
    fn what_shoppers_and_agents_wrote_is_text_in_the_html() {
        let handoff = Handoff {
            name: Some("<b>Eve</b>".into()),
            ..Handoff::default()
        };
        let lines = [line(
            Author::Agent,
            Some("Ana"),
            "<img src=x onerror=alert(1)> & \"quotes\"",
            T,
        )];
        let c = compose(&Letter {
            kind: Kind::Reply,
            shop: "A&B",
            handoff: &handoff,
            lines: &lines,
            link: Some(("https://shop.example/?a=1&b=\"2\"".into(), T)),
        });
        assert!(!c.html.contains("<img"), "{}", c.html);
        assert!(!c.html.contains("<b>Eve"), "{}", c.html);
        assert!(c
            .html
            .contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"));
        assert!(c
            .html
            .contains("href=\"https://shop.example/?a=1&amp;b=&quot;2&quot;\""));
        assert!(c.html.contains("A&amp;B"));
    }
}
