//! `faq-indexer gaps`: the content-gaps report of a running `shopdesk-server`, printed
//! for an editor to act on ("3 shoppers searched "klarna" and found nothing"), or as
//! CSV or JSON for a spreadsheet or a script.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use shopdesk_wire::gaps::{GapsReport, QueryCount};
use shopdesk_wire::untrusted::{printable, spreadsheet_safe};

/// How long the report may take to arrive.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The period when none is given: the last 30 days.
const DEFAULT_DAYS: i64 = 30;

/// What to ask the server for.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The server's base URL, `https://help.example.com`.
    pub(crate) server: String,
    /// The server's admin token.
    pub(crate) token: String,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) locale: Option<String>,
    pub(crate) top: u32,
}

/// How to print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Csv,
    Json,
}

/// Fetches the report: its JSON as sent, and read.
pub(crate) fn fetch(request: &Request) -> Result<(String, GapsReport)> {
    let base = request.server.trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        bail!("--server must be the server's http(s) address, such as https://help.example.com");
    }
    let url = format!("{base}/v1/reports/searches");
    let from = request
        .from
        .clone()
        .unwrap_or_else(|| days_ago(DEFAULT_DAYS));
    let mut call = ureq::get(&url)
        .timeout(TIMEOUT)
        .set("Authorization", &format!("Bearer {}", request.token))
        .query("from", &from)
        .query("top", &request.top.to_string());
    if let Some(to) = &request.to {
        call = call.query("to", to);
    }
    if let Some(locale) = &request.locale {
        call = call.query("locale", locale);
    }
    let response = match call.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(status, r)) => {
            let said = r
                .into_json::<serde_json::Value>()
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_else(|| "no explanation".into());
            let hint = match status {
                401 | 403 => " (check --token: the server's admin token)",
                404 => " (is --server a shopdesk-server, and new enough to report searches?)",
                _ => "",
            };
            bail!("{url} answered {status}: {said}{hint}");
        }
        Err(e) => return Err(e).with_context(|| format!("cannot reach {url}; check --server")),
    };
    let json = response
        .into_string()
        .with_context(|| format!("{url} sent an unreadable answer"))?;
    let report = serde_json::from_str(&json).with_context(|| {
        format!("{url} did not answer with a gaps report; is it a shopdesk-server?")
    })?;
    Ok((json, report))
}

/// `days` days before today (UTC), `2026-11-07`.
fn days_ago(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() - time::Duration::days(days)).to_string()
}

/// The report in `format`.
pub(crate) fn render(report: &GapsReport, json: &str, format: Format) -> Result<String> {
    Ok(match format {
        Format::Text => text(report),
        Format::Csv => csv(report)?,
        Format::Json => {
            let value: serde_json::Value = serde_json::from_str(json)?;
            serde_json::to_string_pretty(&value)? + "\n"
        }
    })
}

fn shoppers(n: i64) -> String {
    if n == 1 {
        "1 shopper".into()
    } else {
        format!("{n} shoppers")
    }
}

fn times(n: i64) -> String {
    if n == 1 {
        "once".into()
    } else {
        format!("{n} times")
    }
}

fn percent(p: Option<f64>) -> String {
    p.map_or("–".into(), |p| format!("{p:.1} %"))
}

/// A date from milliseconds since the epoch; `None` at the open ends.
fn date(ms: i64) -> Option<String> {
    if ms <= 0 || ms == i64::MAX {
        return None;
    }
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000).ok()?;
    Some(t.date().to_string())
}

fn query_line(q: &QueryCount, then: &str) -> String {
    let again = if q.searches > q.shoppers {
        format!(" ({} searches)", q.searches)
    } else {
        String::new()
    };
    format!(
        "  {} searched \"{}\" ({}){then}{again}\n",
        shoppers(q.shoppers),
        printable(&q.query),
        printable(&q.locale)
    )
}

/// A heading and its lines (each ending in a line break), or "none".
fn section(out: &mut String, heading: &str, lines: Vec<String>) {
    let _ = writeln!(out, "\n{heading}");
    if lines.is_empty() {
        out.push_str("  none\n");
    }
    for line in lines {
        out.push_str(&line);
    }
}

/// The report as an editor reads it: the lists first (what to write or fix), the rates
/// by day last.
pub(crate) fn text(r: &GapsReport) -> String {
    let mut out = String::new();
    let period = match (date(r.from_ms), date(r.to_ms)) {
        (Some(from), Some(to)) => format!("{from} to {to}"),
        (Some(from), None) => format!("since {from}"),
        (None, Some(to)) => format!("until {to}"),
        (None, None) => "all time".into(),
    };
    let languages = match &r.locale {
        Some(l) => format!("language {}", printable(l)),
        None => "all languages".into(),
    };
    let _ = writeln!(out, "Search gaps, {period} ({languages})\n");
    let t = &r.totals;
    if t.sessions == 0 {
        out += "No search sessions in this period. (Is `analytics` off in the widget, or waiting for consent?)\n";
        return out;
    }
    let _ = writeln!(
        out,
        "{} search sessions: {} self-served (read an article, did not ask a person), {} asked a person.",
        t.sessions,
        percent(t.self_service_percent),
        percent(t.escalation_percent)
    );
    let queries = |list: &[QueryCount], then: &str| -> Vec<String> {
        list.iter().map(|q| query_line(q, then)).collect()
    };
    section(
        &mut out,
        "Searches that found nothing: write an article, or add the word to synonyms.yaml",
        queries(&r.no_results, " and found nothing"),
    );
    section(
        &mut out,
        "Searches followed by asking a person",
        queries(&r.escalated_searches, ", then asked a person"),
    );
    let read_then_asked = r.escalated_articles.iter().map(|a| {
        format!(
            "  {}: {} of {} readers then asked a person\n",
            printable(&a.article_id),
            a.escalated,
            a.readers
        )
    });
    section(
        &mut out,
        "Articles read before asking a person: do they answer the question?",
        read_then_asked.collect(),
    );
    let unhelpful = r.unhelpful_articles.iter().map(|a| {
        let mut lines = format!(
            "  {}: not helpful {}, helpful {}\n",
            printable(&a.article_id),
            times(a.not_helpful),
            times(a.helpful)
        );
        for c in &a.comments {
            let _ = writeln!(lines, "      \"{}\"", printable(c));
        }
        lines
    });
    section(&mut out, "Articles voted not helpful", unhelpful.collect());
    out += "\nBy day (UTC)\n  day         language  sessions  self-served  asked a person\n";
    for d in &r.days {
        let _ = writeln!(
            out,
            "  {:<10}  {:<8}  {:>8}  {:>11}  {:>14}",
            printable(&d.day),
            printable(&d.locale),
            d.rates.sessions,
            percent(d.rates.self_service_percent),
            percent(d.rates.escalation_percent)
        );
    }
    out
}

/// One row per finding, for a spreadsheet: `finding` (`no_results`, `escalated_search`,
/// `escalated_article`, `unhelpful_article`), `locale`, `subject` (the query or the
/// article), `shoppers` (who searched it, who asked after reading, who voted it not
/// helpful) out of `total` (searches, readers, votes), and `comments`.
pub(crate) fn csv(r: &GapsReport) -> Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "finding", "locale", "subject", "shoppers", "total", "comments",
    ])?;
    let mut row = |finding: &str, locale: &str, subject: &str, n: i64, of: i64, comments: &str| {
        out.write_record([
            finding.to_string(),
            spreadsheet_safe(locale.to_string()),
            spreadsheet_safe(subject.to_string()),
            n.to_string(),
            of.to_string(),
            spreadsheet_safe(comments.to_string()),
        ])
    };
    for q in &r.no_results {
        row(
            "no_results",
            &q.locale,
            &q.query,
            q.shoppers,
            q.searches,
            "",
        )?;
    }
    for q in &r.escalated_searches {
        row(
            "escalated_search",
            &q.locale,
            &q.query,
            q.shoppers,
            q.searches,
            "",
        )?;
    }
    for a in &r.escalated_articles {
        row(
            "escalated_article",
            "",
            &a.article_id,
            a.escalated,
            a.readers,
            "",
        )?;
    }
    for a in &r.unhelpful_articles {
        let votes = a.not_helpful + a.helpful;
        let comments = a.comments.join(" | ");
        row(
            "unhelpful_article",
            "",
            &a.article_id,
            a.not_helpful,
            votes,
            &comments,
        )?;
    }
    Ok(String::from_utf8(out.into_inner()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopdesk_wire::gaps::{Rates, UnhelpfulArticle};

    fn report() -> GapsReport {
        GapsReport {
            from_ms: 1_796_083_200_000,
            to_ms: i64::MAX,
            locale: None,
            totals: Rates::of(2, 1, 0),
            days: Vec::new(),
            no_results: vec![QueryCount {
                locale: "en".into(),
                query: "=cmd|' /C calc'!A0 \u{1b}[2J".into(),
                shoppers: 1,
                searches: 3,
            }],
            escalated_searches: Vec::new(),
            escalated_articles: Vec::new(),
            unhelpful_articles: vec![UnhelpfulArticle {
                article_id: "returns".into(),
                not_helpful: 1,
                helpful: 0,
                comments: vec!["-2 stars\nreally".into()],
            }],
        }
    }

    #[test]
    fn shoppers_words_cannot_reach_the_terminal_or_run_in_a_spreadsheet() {
        let text = text(&report());
        assert!(
            text.contains("Search gaps, since 2026-12-01 (all languages)"),
            "{text}"
        );
        assert!(
            text.contains(
                "1 shopper searched \"=cmd|' /C calc'!A0 [2J\" (en) and found nothing (3 searches)"
            ),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("\"-2 stars really\""), "{text}");
        let csv = csv(&report()).unwrap();
        assert!(
            csv.contains("no_results,en,'=cmd|' /C calc'!A0 \u{1b}[2J,1,3,"),
            "{csv}"
        );
        assert!(
            csv.contains("unhelpful_article,,returns,1,1,\"'-2 stars\nreally\""),
            "{csv}"
        );
    }

    #[test]
    fn an_empty_period_says_why_it_may_be_empty() {
        let mut r = report();
        r.totals = Rates::of(0, 0, 0);
        assert!(text(&r).contains("No search sessions in this period"));
    }
}
