//! What the merchant reads out of the responses: NPS (% promoters − % detractors),
//! CSAT (% of 4-5), CES average, helpfulness per article, the latest comments, and every
//! response as CSV. Served at `GET /v1/reports/feedback` (admin token) and printed by
//! `shopdesk-server report`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::store::StoreError;
use super::Shared;
use crate::edge::ApiError;

/// Comments listed in a report.
const LATEST_COMMENTS: i64 = 20;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// The period, as given (inclusive start, exclusive end), in milliseconds since the
    /// Unix epoch of the shoppers' answers (`created_at`).
    pub from_ms: i64,
    pub to_ms: i64,
    pub responses: i64,
    pub nps: Nps,
    pub csat: Csat,
    pub ces: Ces,
    pub articles: Vec<Article>,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Nps {
    pub responses: i64,
    /// Scores 9-10.
    pub promoters: i64,
    pub passives: i64,
    /// Scores 0-6.
    pub detractors: i64,
    /// % promoters − % detractors, −100 to 100; none without responses.
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Csat {
    pub responses: i64,
    /// Scores 4-5.
    pub satisfied: i64,
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Ces {
    pub responses: i64,
    pub average: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Article {
    pub article_id: String,
    pub helpful: i64,
    pub not_helpful: i64,
    pub percent_helpful: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comment {
    pub id: String,
    pub kind: String,
    pub score: i64,
    pub comment: String,
    pub article_id: Option<String>,
    pub created_at: String,
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round1(100.0 * part as f64 / whole as f64))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The report for answers given in `[from_ms, to_ms)`.
pub fn build(conn: &Connection, from_ms: i64, to_ms: i64) -> Result<Report, StoreError> {
    let mut counts: HashMap<(String, i64), i64> = HashMap::new();
    let mut by_score = conn.prepare_cached(
        "SELECT kind, score, COUNT(*) FROM feedback
         WHERE created_ms >= ?1 AND created_ms < ?2 GROUP BY kind, score",
    )?;
    let rows = by_score.query_map(params![from_ms, to_ms], |r| {
        Ok((
            (r.get::<_, String>(0)?, r.get::<_, i64>(1)?),
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (key, n) = row?;
        counts.insert(key, n);
    }
    let sum = |kind: &str, scores: std::ops::RangeInclusive<i64>| -> i64 {
        scores
            .map(|s| counts.get(&(kind.to_string(), s)).copied().unwrap_or(0))
            .sum()
    };

    let mut nps = Nps {
        responses: sum("nps", 0..=10),
        promoters: sum("nps", 9..=10),
        passives: sum("nps", 7..=8),
        detractors: sum("nps", 0..=6),
        score: None,
    };
    nps.score = (nps.responses > 0)
        .then(|| round1(100.0 * (nps.promoters - nps.detractors) as f64 / nps.responses as f64));
    let csat_all = sum("csat", 1..=5);
    let csat_good = sum("csat", 4..=5);
    let ces_n = sum("ces", 1..=7);
    let ces_total: i64 = (1..=7).map(|s| s * sum("ces", s..=s)).sum();

    let mut per_article = conn.prepare_cached(
        "SELECT article_id, SUM(score), COUNT(*) FROM feedback
         WHERE kind = 'article' AND created_ms >= ?1 AND created_ms < ?2
         GROUP BY article_id ORDER BY COUNT(*) DESC, article_id",
    )?;
    let articles = per_article
        .query_map(params![from_ms, to_ms], |r| {
            let (helpful, all): (i64, i64) = (r.get(1)?, r.get(2)?);
            Ok(Article {
                article_id: r.get(0)?,
                helpful,
                not_helpful: all - helpful,
                percent_helpful: percent(helpful, all).unwrap_or(0.0),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;

    let mut latest = conn.prepare_cached(
        "SELECT id, kind, score, comment, article_id, created_at FROM feedback
         WHERE comment IS NOT NULL AND comment <> '' AND created_ms >= ?1 AND created_ms < ?2
         ORDER BY created_ms DESC, id LIMIT ?3",
    )?;
    let comments = latest
        .query_map(params![from_ms, to_ms, LATEST_COMMENTS], |r| {
            Ok(Comment {
                id: r.get(0)?,
                kind: r.get(1)?,
                score: r.get(2)?,
                comment: r.get(3)?,
                article_id: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Report {
        from_ms,
        to_ms,
        responses: counts.values().sum(),
        nps,
        csat: Csat {
            responses: csat_all,
            satisfied: csat_good,
            percent: percent(csat_good, csat_all),
        },
        ces: Ces {
            responses: ces_n,
            average: (ces_n > 0).then(|| (ces_total as f64 / ces_n as f64 * 100.0).round() / 100.0),
        },
        articles,
        comments,
    })
}

/// Every response of the period as CSV, oldest first.
pub fn csv(conn: &Connection, from_ms: i64, to_ms: i64) -> Result<Vec<u8>, StoreError> {
    const COLUMNS: [&str; 13] = [
        "id",
        "kind",
        "score",
        "comment",
        "survey_id",
        "article_id",
        "conversation_id",
        "page_url",
        "locale",
        "visitor_id",
        "context",
        "created_at",
        "received_ms",
    ];
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |e: csv::Error| StoreError::Write(e.to_string());
    out.write_record(COLUMNS).map_err(write)?;
    let mut rows = conn.prepare_cached(&format!(
        "SELECT {} FROM feedback WHERE created_ms >= ?1 AND created_ms < ?2 ORDER BY created_ms, id",
        COLUMNS.join(", ")
    ))?;
    let mut query = rows.query(params![from_ms, to_ms])?;
    while let Some(row) = query.next()? {
        let mut record = Vec::with_capacity(COLUMNS.len());
        for i in 0..COLUMNS.len() {
            let value: rusqlite::types::Value = row.get(i)?;
            record.push(match value {
                rusqlite::types::Value::Null => String::new(),
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Real(x) => x.to_string(),
                rusqlite::types::Value::Text(t) => t,
                rusqlite::types::Value::Blob(_) => String::new(),
            });
        }
        out.write_record(&record).map_err(write)?;
    }
    out.into_inner()
        .map_err(|e| StoreError::Write(e.to_string()))
}

/// The report as text, for the CLI.
pub fn text(r: &Report) -> String {
    let show = |x: Option<f64>, unit: &str| x.map_or("–".to_string(), |x| format!("{x}{unit}"));
    let mut out = format!(
        "responses: {}\n\
         NPS   {:>7}   ({} responses: {} promoters, {} passives, {} detractors)\n\
         CSAT  {:>7}   ({} of {} responses rated 4-5)\n\
         CES   {:>7}   ({} responses, 1-7)\n",
        r.responses,
        show(r.nps.score, ""),
        r.nps.responses,
        r.nps.promoters,
        r.nps.passives,
        r.nps.detractors,
        show(r.csat.percent, " %"),
        r.csat.satisfied,
        r.csat.responses,
        show(r.ces.average, ""),
        r.ces.responses,
    );
    if !r.articles.is_empty() {
        out += "\narticle                          helpful  not helpful  % helpful\n";
        for a in &r.articles {
            out += &format!(
                "{:<32} {:>7}  {:>11}  {:>9}\n",
                a.article_id, a.helpful, a.not_helpful, a.percent_helpful
            );
        }
    }
    if !r.comments.is_empty() {
        out += "\nlatest comments\n";
        for c in &r.comments {
            out += &format!("{}  {} {}: {}\n", c.created_at, c.kind, c.score, c.comment);
        }
    }
    out
}

/// A report period bound: an RFC 3339 time or a date (`2026-11-01`, midnight UTC).
pub fn parse_time(text: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| {
            let date = time::Date::parse(
                text,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()?;
            Some(date.midnight().assume_utc())
        })?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[derive(Debug, Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// `GET /v1/reports/feedback?from=&to=[&format=csv]`, behind the admin token.
pub async fn serve(
    State(feedback): State<Shared>,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let Some(token) = &feedback.admin_token else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "reports are off; start the server with an admin token (--admin-token)",
        ));
    };
    if !crate::access::bearer(&headers).is_some_and(|g| crate::access::same_secret(g, token)) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "send the admin token as `Authorization: Bearer <token>`",
        ));
    }
    let bound = |value: &Option<String>, field: &'static str, default: i64| match value {
        None => Ok(default),
        Some(text) => parse_time(text).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("`{field}` must be a date (2026-11-01) or an RFC 3339 time"),
            )
            .field(field)
        }),
    };
    let from = bound(&period.from, "from", 0)?;
    let to = bound(&period.to, "to", i64::MAX)?;
    let csv_wanted = period.format.as_deref() == Some("csv");
    let store = feedback.store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let conn = store.reader()?;
        if csv_wanted {
            csv(&conn, from, to).map(Err)
        } else {
            build(&conn, from, to).map(Ok)
        }
    })
    .await;
    let unreadable = |cause: &dyn std::fmt::Display| {
        tracing::error!("report failed: {cause}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the report could not be read; see the server log",
        )
    };
    match result {
        Ok(Ok(Ok(report))) => Ok(Json(report).into_response()),
        Ok(Ok(Err(csv))) => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"shopdesk-feedback.csv\"",
                ),
            ],
            csv,
        )
            .into_response()),
        Ok(Err(e)) => Err(unreadable(&e)),
        Err(e) => Err(unreadable(&e)),
    }
}
