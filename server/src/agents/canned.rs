//! Canned replies: a small list the shop's agents share and manage, typed as
//! `/shortcut` in the reply box. Any agent may add, change or remove one (the list is
//! the team's, like a shared snippet file); who changed it last is kept.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{json, Value};
use shopdesk_wire::agents::{CannedInput, CannedReply};
use sqlx::Row;

use super::{Caller, SharedStaff};
use crate::edge::{ApiError, Checked};
use crate::now_ms;

/// Most canned replies a shop keeps: a list agents scan, not a knowledge base.
pub const MAX_REPLIES: i64 = 500;

pub fn routes(staff: SharedStaff, body_limit: usize) -> Router {
    Router::new()
        .route("/v1/agent/canned", get(list).post(add))
        .route("/v1/agent/canned/{id}", put(change).delete(remove))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .with_state(staff)
}

/// Who changes the list: a signed-in agent (their id is kept) or automation.
async fn editor(
    staff: &SharedStaff,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    Ok(match staff.authenticate(method, headers).await? {
        Caller::Agent(session) => Some(session.account.id),
        Caller::Automation => None,
    })
}

fn failed(e: sqlx::Error) -> ApiError {
    ApiError::unavailable("canned replies could not be read or stored", e)
}

fn taken(shortcut: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        format!(
            "there is a canned reply /{shortcut} already; change that one or pick another shortcut"
        ),
    )
}

fn unknown(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("there is no canned reply {id}; reload the list"),
    )
}

/// Whether `shortcut` is used by a reply other than `except`.
async fn used(staff: &SharedStaff, shortcut: &str, except: Option<&str>) -> Result<bool, ApiError> {
    let row = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM canned_replies WHERE shortcut = $1 AND id <> $2",
    )
    .bind(shortcut)
    .bind(except.unwrap_or(""))
    .fetch_one(staff.db.reader())
    .await
    .map_err(failed)?;
    Ok(row.try_get::<i64, _>(0).map_err(failed)? > 0)
}

/// `GET /v1/agent/canned`: every canned reply, by shortcut.
async fn list(
    State(staff): State<SharedStaff>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    staff.authenticate(&method, &headers).await?;
    let replies: Vec<CannedReply> =
        sqlx::query("SELECT id, shortcut, body FROM canned_replies ORDER BY shortcut")
            .fetch_all(staff.db.reader())
            .await
            .map_err(failed)?
            .iter()
            .map(|r| {
                Ok(CannedReply {
                    id: r.try_get(0)?,
                    shortcut: r.try_get(1)?,
                    body: r.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(failed)?;
    Ok(Json(json!({ "replies": replies })))
}

/// `POST /v1/agent/canned`: 201 with the new reply; 409 when the shortcut is taken or
/// the list is full.
async fn add(
    State(staff): State<SharedStaff>,
    method: Method,
    headers: HeaderMap,
    Checked(input): Checked<CannedInput>,
) -> Result<(StatusCode, Json<CannedReply>), ApiError> {
    let by = editor(&staff, &method, &headers).await?;
    if used(&staff, &input.shortcut, None).await? {
        return Err(taken(&input.shortcut));
    }
    let count: i64 = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM canned_replies")
        .fetch_one(staff.db.reader())
        .await
        .and_then(|r| r.try_get(0))
        .map_err(failed)?;
    if count >= MAX_REPLIES {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "the shop has {MAX_REPLIES} canned replies, the most it keeps; remove some first"
            ),
        ));
    }
    let reply = CannedReply {
        id: uuid::Uuid::new_v4().to_string(),
        shortcut: input.shortcut,
        body: input.body,
    };
    let stored = sqlx::query(
        "INSERT INTO canned_replies (id, shortcut, body, updated_ms, updated_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&reply.id)
    .bind(&reply.shortcut)
    .bind(&reply.body)
    .bind(now_ms())
    .bind(by)
    .execute(staff.db.writer())
    .await;
    match stored {
        Ok(_) => Ok((StatusCode::CREATED, Json(reply))),
        // Two agents adding the same shortcut at once: the unique index says which won.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(taken(&reply.shortcut)),
        Err(e) => Err(failed(e)),
    }
}

/// `PUT /v1/agent/canned/{id}`: 200 with the reply as changed; 404, 409.
async fn change(
    State(staff): State<SharedStaff>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    Checked(input): Checked<CannedInput>,
) -> Result<Json<CannedReply>, ApiError> {
    let by = editor(&staff, &method, &headers).await?;
    let exists = sqlx::query("SELECT id FROM canned_replies WHERE id = $1")
        .bind(&id)
        .fetch_optional(staff.db.reader())
        .await
        .map_err(failed)?
        .is_some();
    if !exists {
        return Err(unknown(&id));
    }
    if used(&staff, &input.shortcut, Some(&id)).await? {
        return Err(taken(&input.shortcut));
    }
    let changed = sqlx::query(
        "UPDATE canned_replies SET shortcut = $2, body = $3, updated_ms = $4, updated_by = $5
         WHERE id = $1",
    )
    .bind(&id)
    .bind(&input.shortcut)
    .bind(&input.body)
    .bind(now_ms())
    .bind(by)
    .execute(staff.db.writer())
    .await;
    match changed {
        Ok(done) if done.rows_affected() == 0 => Err(unknown(&id)),
        Ok(_) => Ok(Json(CannedReply {
            id,
            shortcut: input.shortcut,
            body: input.body,
        })),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(taken(&input.shortcut)),
        Err(e) => Err(failed(e)),
    }
}

/// `DELETE /v1/agent/canned/{id}`: 204; 404 when it is not there.
async fn remove(
    State(staff): State<SharedStaff>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    editor(&staff, &method, &headers).await?;
    let done = sqlx::query("DELETE FROM canned_replies WHERE id = $1")
        .bind(&id)
        .execute(staff.db.writer())
        .await
        .map_err(failed)?;
    if done.rows_affected() == 0 {
        return Err(unknown(&id));
    }
    Ok(StatusCode::NO_CONTENT)
}
