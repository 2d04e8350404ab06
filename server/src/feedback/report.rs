//! What the merchant reads out of the responses: NPS (% promoters − % detractors),
//! CSAT (% of 4-5), CES average, helpfulness per article, the latest comments, and every
//! response as CSV. Served at `GET /v1/reports/feedback` (admin token) and printed by
//! `shopdesk-server report`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::store::StoreError;
use super::Shared;
use crate::db::Database;
use crate::edge::ApiError;
use shopdesk_wire::untrusted::{printable, spreadsheet_safe};

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
pub async fn build(db: &Database, from_ms: i64, to_ms: i64) -> Result<Report, StoreError> {
    let mut counts: HashMap<(String, i64), i64> = HashMap::new();
    let rows = sqlx::query(
        "SELECT kind, score, COUNT(*) FROM feedback
         WHERE created_ms >= $1 AND created_ms < $2 GROUP BY kind, score",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(db.reader())
    .await?;
    for r in rows {
        counts.insert((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?);
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

    let articles = sqlx::query(
        "SELECT article_id, SUM(score), COUNT(*) FROM feedback
         WHERE kind = 'article' AND created_ms >= $1 AND created_ms < $2
         GROUP BY article_id ORDER BY COUNT(*) DESC, article_id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .map(|r| {
        let (helpful, all): (i64, i64) = (r.try_get(1)?, r.try_get(2)?);
        Ok(Article {
            article_id: r.try_get(0)?,
            helpful,
            not_helpful: all - helpful,
            percent_helpful: percent(helpful, all).unwrap_or(0.0),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let comments = sqlx::query(
        "SELECT id, kind, score, comment, article_id, created_at FROM feedback
         WHERE comment IS NOT NULL AND comment <> '' AND created_ms >= $1 AND created_ms < $2
         ORDER BY created_ms DESC, id LIMIT $3",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(LATEST_COMMENTS)
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .map(|r| {
        Ok(Comment {
            id: r.try_get(0)?,
            kind: r.try_get(1)?,
            score: r.try_get(2)?,
            comment: r.try_get(3)?,
            article_id: r.try_get(4)?,
            created_at: r.try_get(5)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;

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
pub async fn csv(db: &Database, from_ms: i64, to_ms: i64) -> Result<Vec<u8>, StoreError> {
    /// Columns, and whether each holds a number (else text or nothing).
    const COLUMNS: [(&str, bool); 13] = [
        ("id", false),
        ("kind", false),
        ("score", true),
        ("comment", false),
        ("survey_id", false),
        ("article_id", false),
        ("conversation_id", false),
        ("page_url", false),
        ("locale", false),
        ("visitor_id", false),
        ("context", false),
        ("created_at", false),
        ("received_ms", true),
    ];
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |e: csv::Error| StoreError::Write(e.to_string());
    out.write_record(COLUMNS.map(|(name, _)| name))
        .map_err(write)?;
    let names: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
    let sql = format!(
        "SELECT {} FROM feedback WHERE created_ms >= $1 AND created_ms < $2 ORDER BY created_ms, id",
        names.join(", ")
    );
    let mut rows = sqlx::query(&sql)
        .bind(from_ms)
        .bind(to_ms)
        .fetch(db.reader());
    use futures_util::TryStreamExt;
    while let Some(row) = rows.try_next().await? {
        let mut record = Vec::with_capacity(COLUMNS.len());
        for (i, (_, number)) in COLUMNS.iter().enumerate() {
            record.push(if *number {
                row.try_get::<Option<i64>, _>(i)?
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            } else {
                spreadsheet_safe(row.try_get::<Option<String>, _>(i)?.unwrap_or_default())
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
                printable(&a.article_id),
                a.helpful,
                a.not_helpful,
                a.percent_helpful
            );
        }
    }
    if !r.comments.is_empty() {
        out += "\nlatest comments\n";
        for c in &r.comments {
            out += &format!(
                "{}  {} {}: {}\n",
                printable(&c.created_at),
                printable(&c.kind),
                c.score,
                printable(&c.comment)
            );
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

/// Reports (and erasure) are for the admin token (automation) and for signed-in agents
/// with the `admin` role (a browser opening the report or its CSV download; requests
/// that change something carry the CSRF header).
pub(crate) async fn allowed(
    feedback: &Shared,
    method: &axum::http::Method,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if let Some(given) = crate::access::bearer(headers) {
        return match &feedback.admin_token {
            Some(token) if crate::access::same_secret(given, token) => Ok(()),
            _ => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this token does not open reports; send the server's admin token as `Authorization: Bearer <token>`",
            )),
        };
    }
    if crate::access::cookie(headers, crate::agents::sessions::COOKIE).is_some() {
        let caller = feedback.staff.authenticate(method, headers).await?;
        return match caller {
            crate::agents::Caller::Agent(s)
                if s.account.role == crate::agents::accounts::Role::Admin =>
            {
                Ok(())
            }
            _ => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "reports are for admins; ask an admin of your shop",
            )),
        };
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "sign in as an admin on the agent page, or send the admin token as `Authorization: Bearer <token>`",
    ))
}

/// `GET /v1/reports/feedback?from=&to=[&format=csv]`, for admins.
pub async fn serve(
    State(feedback): State<Shared>,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    allowed(&feedback, &axum::http::Method::GET, &headers).await?;
    let from = bound(&period.from, "from", 0)?;
    let to = bound(&period.to, "to", i64::MAX)?;
    let db = feedback.store.db();
    if period.format.as_deref() == Some("csv") {
        let csv = csv(db, from, to).await.map_err(|e| unreadable(&e))?;
        return Ok(csv_download("shopdesk-feedback.csv", csv));
    }
    let report = build(db, from, to).await.map_err(|e| unreadable(&e))?;
    Ok(Json(report).into_response())
}

/// A report period's bound `field` from the query string, `default` when absent.
pub(crate) fn bound(
    value: &Option<String>,
    field: &'static str,
    default: i64,
) -> Result<i64, ApiError> {
    match value {
        None => Ok(default),
        Some(text) => parse_time(text).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("`{field}` must be a date (2026-11-01) or an RFC 3339 time"),
            )
            .field(field)
        }),
    }
}

/// A report the database could not give (logged; the caller is told to try later).
pub(crate) fn unreadable(cause: &dyn std::fmt::Display) -> ApiError {
    ApiError::unavailable("the report could not be read", cause)
}

/// `csv` as a download named `filename`.
pub(crate) fn csv_download(filename: &'static str, csv: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response()
}
