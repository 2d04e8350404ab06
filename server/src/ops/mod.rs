//! What operators and load balancers ask of an instance: is the process up
//! (`/healthz`), may it take traffic (`/readyz`), and how is it doing (`/metrics`,
//! `metrics.rs`, served on its own address: see `--metrics-addr`).

pub mod metrics;

use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::chat::store::ChatStore;
use crate::db::{Database, SCHEMA_VERSION};
use crate::edge::ApiError;
pub use metrics::Metrics;

/// How long readiness waits for the database before it says no.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `/healthz`, `/readyz` and `/v1/ready` (the name earlier releases documented).
pub fn probes(db: Database, chat: ChatStore) -> Router {
    let ready = move || ready(db.clone(), chat.clone());
    Router::new()
        .route("/healthz", get(|| async { Json(json!({ "up": true })) }))
        .route("/readyz", get(ready.clone()))
        .route("/v1/ready", get(ready))
}

/// `/metrics` in Prometheus' text format.
pub fn metrics(metrics: Arc<Metrics>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let text = metrics.render();
            async move { ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response() }
        }),
    )
}

/// 200 while the database answers with its migrations applied (and, with several
/// instances, while this one hears the others' events), else 503: an instance that
/// cannot reach PostgreSQL takes no traffic.
async fn ready(db: Database, chat: ChatStore) -> Result<Json<Value>, ApiError> {
    if !chat.listening() {
        return Err(ApiError::unavailable(
            "not ready: not yet listening for the other instances' chat events",
            "readiness: the LISTEN connection is down",
        ));
    }
    let not_answering = "not ready: the database is not answering";
    match tokio::time::timeout(READY_TIMEOUT, db.schema_version()).await {
        Ok(Ok(version)) if version >= SCHEMA_VERSION => {
            Ok(Json(json!({ "ready": true, "schema": version })))
        }
        Ok(Ok(version)) => Err(ApiError::unavailable(
            "not ready: the database's schema is older than this server's",
            format!(
                "readiness: schema version {version} < {SCHEMA_VERSION}; was the database \
                 replaced? restart the server to upgrade it"
            ),
        )),
        Ok(Err(e)) => Err(ApiError::unavailable(
            not_answering,
            format!("readiness: {e}"),
        )),
        Err(_) => Err(ApiError::unavailable(
            not_answering,
            "readiness: the database took over 2 s to answer",
        )),
    }
}
