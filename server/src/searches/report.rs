//! The content-gaps report out of the search sessions and the "Was this helpful?"
//! answers (`shopdesk_wire::gaps`): served at `GET /v1/reports/searches` for admins,
//! as JSON, or as CSV with every search of the period.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shopdesk_wire::gaps::{
    ArticleEscalation, Day, GapsReport, QueryCount, Rates, UnhelpfulArticle,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{charts, Shared};
use crate::db::Database;
use crate::edge::ApiError;
use crate::feedback::report::{allowed, bound, csv_download, unreadable};
use crate::feedback::store::StoreError;
use shopdesk_wire::untrusted::spreadsheet_safe;

/// Rows per list unless the caller asks for another number.
pub const DEFAULT_TOP: i64 = 20;
/// Most rows per list.
pub const MAX_TOP: i64 = 500;
/// Comments listed per unhelpful article.
const COMMENTS_PER_ARTICLE: usize = 5;

/// What a report covers: `[from_ms, to_ms)`, one language or all, `top` rows per list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub from_ms: i64,
    pub to_ms: i64,
    pub locale: Option<String>,
    pub top: i64,
}

impl Scope {
    /// `WHERE` for a table with `time` and `locale` columns; binds `$1`, `$2` (and `$3`
    /// with a language).
    fn filter(&self, time: &str) -> String {
        let mut sql = format!("{time} >= $1 AND {time} < $2");
        if self.locale.is_some() {
            sql += " AND locale = $3";
        }
        sql
    }

    fn query<'q>(
        &'q self,
        sql: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let q = sqlx::query(sql).bind(self.from_ms).bind(self.to_ms);
        match &self.locale {
            Some(locale) => q.bind(locale.as_str()),
            None => q,
        }
    }

    async fn rows(&self, db: &Database, sql: &str) -> Result<Vec<AnyRow>, sqlx::Error> {
        self.query(sql).fetch_all(db.reader()).await
    }
}

/// The report for `scope`. (PostgreSQL sums integers as `numeric`: each `SUM` is cast
/// back, as both backends read `BIGINT` alike.)
pub async fn build(db: &Database, scope: &Scope) -> Result<GapsReport, StoreError> {
    let sessions = scope.filter("started_ms");
    let top = scope.top.clamp(1, MAX_TOP);

    let totals = scope
        .rows(
            db,
            &format!(
                "SELECT COUNT(*), CAST(COALESCE(SUM(served), 0) AS BIGINT), CAST(COALESCE(SUM(escalated), 0) AS BIGINT) \
                 FROM search_sessions WHERE {sessions}"
            ),
        )
        .await?;
    let totals = match totals.first() {
        Some(r) => Rates::of(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?),
        None => Rates::default(),
    };

    let days = days(db, scope).await?;

    let queries = |condition: &str| {
        format!(
            "SELECT locale, query, COUNT(DISTINCT session), COUNT(*) FROM searches \
             WHERE {sessions} AND {condition} GROUP BY locale, query \
             ORDER BY COUNT(DISTINCT session) DESC, COUNT(*) DESC, query, locale LIMIT {top}"
        )
    };
    let read_queries = |rows: Vec<AnyRow>| {
        rows.into_iter()
            .map(|r| {
                Ok(QueryCount {
                    locale: r.try_get(0)?,
                    query: r.try_get(1)?,
                    shoppers: r.try_get(2)?,
                    searches: r.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
    };
    let no_results = read_queries(scope.rows(db, &queries("results = 0")).await?)?;
    let escalated_searches = read_queries(scope.rows(db, &queries("escalated = 1")).await?)?;

    let escalated_articles = scope
        .rows(
            db,
            &format!(
                "SELECT opened, COUNT(DISTINCT session), \
                 COUNT(DISTINCT CASE WHEN escalated = 1 THEN session END) AS asked \
                 FROM searches WHERE {sessions} AND opened IS NOT NULL GROUP BY opened \
                 HAVING COUNT(DISTINCT CASE WHEN escalated = 1 THEN session END) > 0 \
                 ORDER BY asked DESC, COUNT(DISTINCT session) DESC, opened LIMIT {top}"
            ),
        )
        .await?
        .into_iter()
        .map(|r| {
            Ok(ArticleEscalation {
                article_id: r.try_get(0)?,
                readers: r.try_get(1)?,
                escalated: r.try_get(2)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let answers = scope.filter("created_ms");
    let mut unhelpful_articles = scope
        .rows(
            db,
            &format!(
                "SELECT article_id, CAST(SUM(1 - score) AS BIGINT), CAST(SUM(score) AS BIGINT) FROM feedback \
                 WHERE kind = 'article' AND {answers} GROUP BY article_id \
                 HAVING SUM(1 - score) > 0 \
                 ORDER BY SUM(1 - score) DESC, article_id LIMIT {top}"
            ),
        )
        .await?
        .into_iter()
        .map(|r| {
            Ok(UnhelpfulArticle {
                article_id: r.try_get(0)?,
                not_helpful: r.try_get(1)?,
                helpful: r.try_get(2)?,
                comments: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    if !unhelpful_articles.is_empty() {
        let comments = scope
            .rows(
                db,
                &format!(
                    "SELECT article_id, comment FROM feedback WHERE kind = 'article' AND score = 0 \
                     AND comment IS NOT NULL AND comment <> '' AND {answers} \
                     ORDER BY created_ms DESC, id"
                ),
            )
            .await?;
        for row in comments {
            let (article, comment): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            if let Some(a) = unhelpful_articles
                .iter_mut()
                .find(|a| a.article_id == article && a.comments.len() < COMMENTS_PER_ARTICLE)
            {
                a.comments.push(comment);
            }
        }
    }

    Ok(GapsReport {
        from_ms: scope.from_ms,
        to_ms: scope.to_ms,
        locale: scope.locale.clone(),
        totals,
        days,
        no_results,
        escalated_searches,
        escalated_articles,
        unhelpful_articles,
    })
}

/// The sessions of `scope` per day (UTC) and language, oldest first.
pub async fn days(db: &Database, scope: &Scope) -> Result<Vec<Day>, StoreError> {
    let sql = format!(
        "SELECT day, locale, COUNT(*), CAST(SUM(served) AS BIGINT), CAST(SUM(escalated) AS BIGINT) \
         FROM search_sessions WHERE {} GROUP BY day, locale ORDER BY day, locale",
        scope.filter("started_ms")
    );
    Ok(scope
        .rows(db, &sql)
        .await?
        .into_iter()
        .map(|r| {
            Ok(Day {
                day: r.try_get(0)?,
                locale: r.try_get(1)?,
                rates: Rates::of(r.try_get(2)?, r.try_get(3)?, r.try_get(4)?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?)
}

/// Every search of the period as CSV, oldest session first.
pub async fn csv(db: &Database, scope: &Scope) -> Result<Vec<u8>, StoreError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |e: csv::Error| StoreError::Write(e.to_string());
    out.write_record([
        "day",
        "locale",
        "session",
        "position",
        "query",
        "results",
        "opened",
        "helpful",
        "escalated",
    ])
    .map_err(write)?;
    let sql = format!(
        "SELECT started_ms, locale, session, position, query, results, opened, helpful, escalated \
         FROM searches WHERE {} ORDER BY started_ms, session, position",
        scope.filter("started_ms")
    );
    let mut rows = scope.query(&sql).fetch(db.reader());
    use futures_util::TryStreamExt;
    while let Some(r) = rows.try_next().await? {
        let helpful = match r.try_get::<Option<i64>, _>(7)? {
            Some(1) => "yes",
            Some(_) => "no",
            None => "",
        };
        let record = [
            super::store::day_of(r.try_get(0)?),
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get::<i64, _>(3)?.to_string(),
            spreadsheet_safe(r.try_get(4)?),
            r.try_get::<i64, _>(5)?.to_string(),
            r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
            helpful.to_string(),
            (r.try_get::<i64, _>(8)? == 1).to_string(),
        ];
        out.write_record(&record).map_err(write)?;
    }
    out.into_inner()
        .map_err(|e| StoreError::Write(e.to_string()))
}

#[derive(Debug, Deserialize)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
    locale: Option<String>,
    top: Option<i64>,
    format: Option<String>,
}

/// The scope the query string asks for, or a refusal naming the bad parameter.
fn scope(params: &Params) -> Result<Scope, ApiError> {
    let top = params.top.unwrap_or(DEFAULT_TOP);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("`top` must be 1 to {MAX_TOP} rows per list"),
        )
        .field("top"));
    }
    if let Some(locale) = &params.locale {
        if let Err(e) = shopdesk_wire::check_locale("locale", Some(locale)) {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, e.to_string()).field("locale"));
        }
    }
    Ok(Scope {
        from_ms: bound(&params.from, "from", 0)?,
        to_ms: bound(&params.to, "to", i64::MAX)?,
        locale: params.locale.clone(),
        top,
    })
}

/// `GET /v1/reports/searches?from=&to=&locale=&top=[&format=csv]`, for admins.
pub async fn serve(
    State(searches): State<Shared>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    allowed(&searches.feedback, &axum::http::Method::GET, &headers).await?;
    let scope = scope(&params)?;
    let db = searches.store.db();
    if params.format.as_deref() == Some("csv") {
        let csv = csv(db, &scope).await.map_err(|e| unreadable(&e))?;
        return Ok(csv_download("shopdesk-searches.csv", csv));
    }
    let report = build(db, &scope).await.map_err(|e| unreadable(&e))?;
    Ok(Json(report).into_response())
}

/// `GET /v1/reports/searches/chart/{rates|sessions}.svg?from=&to=&locale=`, for admins:
/// the report's charts (`super::charts`).
pub async fn serve_chart(
    State(searches): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    allowed(&searches.feedback, &axum::http::Method::GET, &headers).await?;
    let draw = match name.as_str() {
        "rates.svg" => charts::rates_chart,
        "sessions.svg" => charts::sessions_chart,
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "there are two charts: rates.svg and sessions.svg",
            ))
        }
    };
    let scope = scope(&params)?;
    let days = days(searches.store.db(), &scope)
        .await
        .map_err(|e| unreadable(&e))?;
    let svg = draw(&charts::per_day(&days)).map_err(|e| unreadable(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        svg,
    )
        .into_response())
}
