//! The people who answer shoppers: accounts (`accounts.rs`, managed with
//! `shopdesk-server agent …`), sign-in to a server-side session (`sessions.rs`),
//! failed sign-ins throttled per account and per address (`throttle.rs`), and who is
//! calling the agent API ([`Staff::authenticate`]).
//!
//! Two credentials open the agent API: a signed-in agent's session cookie (the agent
//! page), and `--agent-token` as a bearer token, kept for automation (scripts and
//! integrations that read or answer conversations). A token cannot tell who answered,
//! so it is not for people.

pub mod accounts;
pub mod admin;
pub mod canned;
pub mod sessions;
pub mod throttle;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequest;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use shopdesk_wire::agents::{AgentInfo, Presence, SignIn, SignedIn};

use crate::access::{bearer, cookie, same_secret};
use crate::db::Database;
use crate::edge::{ApiError, Checked};
use crate::now_ms;
use accounts::{Account, Accounts};
use sessions::{Session, Sessions};

/// How long "can anyone answer?" is remembered (shoppers ask on every chat call).
const CAN_ANSWER_FOR_MS: i64 = 5_000;

/// Who may use the agent API, and how they prove it.
#[derive(Debug)]
pub struct Staff {
    pub accounts: Accounts,
    pub sessions: Sessions,
    /// `--agent-token`: the automation credential.
    pub automation_token: Option<String>,
    /// Behind a reverse proxy: the client's address and scheme come from its headers.
    pub trust_proxy: bool,
    db: Database,
    can_answer_at: AtomicI64,
    can_answer: AtomicBool,
}

/// Who is calling the agent API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The automation token.
    Automation,
    Agent(Session),
}

impl Staff {
    pub fn new(db: Database, automation_token: Option<String>) -> Self {
        Self {
            accounts: Accounts::new(db.clone()),
            sessions: Sessions::new(db.clone(), sessions::DEFAULT_IDLE),
            automation_token,
            trust_proxy: false,
            db,
            can_answer_at: AtomicI64::new(i64::MIN),
            can_answer: AtomicBool::new(false),
        }
    }

    /// Sessions end after `idle` without a request.
    pub fn with_session_idle(mut self, idle: Duration) -> Self {
        self.sessions = Sessions::new(self.db.clone(), idle);
        self
    }

    pub fn trusting_proxy(mut self, trust: bool) -> Self {
        self.trust_proxy = trust;
        self
    }

    /// Whether anyone can answer shoppers: an automation token, or an agent account
    /// that is not disabled (asked of the database at most every few seconds, so an
    /// account added from the command line counts soon, on every instance).
    pub async fn can_answer(&self) -> bool {
        if self.automation_token.is_some() {
            return true;
        }
        let now = now_ms();
        if now.saturating_sub(self.can_answer_at.load(Ordering::Relaxed)) < CAN_ANSWER_FOR_MS {
            return self.can_answer.load(Ordering::Relaxed);
        }
        let answer = match self.accounts.any_enabled().await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::error!("cannot tell whether any agent account exists: {e}");
                return self.can_answer.load(Ordering::Relaxed);
            }
        };
        self.can_answer.store(answer, Ordering::Relaxed);
        self.can_answer_at.store(now, Ordering::Relaxed);
        answer
    }

    /// The caller of a request to the agent API: the automation token as a bearer
    /// token, else the session cookie, with the CSRF header on every request that
    /// changes something. (Event streams also take a single-use ticket, `chat::tickets`.)
    pub async fn authenticate(
        &self,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<Caller, ApiError> {
        if let Some(given) = bearer(headers) {
            return match &self.automation_token {
                Some(expected) if same_secret(given, expected) => Ok(Caller::Automation),
                _ => Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "this token does not open the agent API; sign in on the agent page, or use the server's --agent-token",
                )),
            };
        }
        let Some(secret) = cookie(headers, sessions::COOKIE) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "sign in on the agent page first",
            ));
        };
        let session = self
            .sessions
            .find(secret, now_ms())
            .await
            .map_err(|e| ApiError::unavailable("sessions cannot be checked", e))?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "your session has ended (signed out, idle too long, or the account changed); sign in again",
                )
            })?;
        if !(method == Method::GET || method == Method::HEAD) {
            let sent = headers
                .get(sessions::CSRF_HEADER)
                .and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|t| same_secret(t, &session.csrf)) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "this request lacks the page's CSRF token (X-CSRF-Token); reload the agent page",
                ));
            }
        }
        Ok(Caller::Agent(session))
    }

    /// Whether the page was reached over https (the cookie is then `Secure`): what the
    /// proxy says in `X-Forwarded-Proto`, when it is trusted.
    fn secure(&self, headers: &HeaderMap) -> bool {
        self.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https"))
    }
}

pub type SharedStaff = Arc<Staff>;

/// `/v1/agent/session`: sign in (`POST`), who am I (`GET`), sign out (`DELETE`).
pub fn routes(staff: SharedStaff, body_limit: usize) -> Router {
    Router::new()
        .route(
            "/v1/agent/session",
            post(sign_in).get(current).delete(sign_out),
        )
        .route("/v1/agent/presence", put(set_presence))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .with_state(staff.clone())
        .merge(canned::routes(staff.clone(), body_limit))
        .merge(admin::routes(staff, body_limit))
}

fn signed_in(session: &Session) -> SignedIn {
    let a: &Account = &session.account;
    SignedIn {
        agent: AgentInfo {
            id: a.id.clone(),
            name: a.name.clone(),
            email: a.email.clone(),
            role: a.role.as_str().to_string(),
            away: a.away,
        },
        csrf: session.csrf.clone(),
    }
}

/// `POST /v1/agent/session`: 200 with who signed in and the CSRF token, and the
/// session cookie; 401 for a wrong email or password (the same answer for both, so it
/// tells nobody which emails have accounts); 403 for a disabled account; 429 while
/// too many sign-ins failed for this account or this address.
async fn sign_in(
    State(staff): State<SharedStaff>,
    ConnectInfo(socket): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Checked(request): Checked<SignIn>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let account_key = throttle::account_key(&request.email);
    let address = crate::limit::client_ip(&headers, socket.ip(), staff.trust_proxy);
    let address_key = throttle::address_key(address);
    let keys = [
        (account_key.as_str(), throttle::PER_ACCOUNT),
        (address_key.as_str(), throttle::PER_ADDRESS),
    ];
    let unavailable =
        |e: &dyn std::fmt::Display| ApiError::unavailable("sign-in is not possible", e);
    if let Some(wait) = throttle::check(&staff.db, &keys, now)
        .await
        .map_err(|e| unavailable(&e))?
    {
        return Err(too_many(wait));
    }
    let found = staff
        .accounts
        .check_password(&request.email, &request.password)
        .await
        .map_err(|e| unavailable(&e))?;
    let Some(account) = found else {
        throttle::record(&staff.db, &keys, now)
            .await
            .map_err(|e| unavailable(&e))?;
        tracing::info!("failed sign-in for {account_key} from {address_key}");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong email or password",
        ));
    };
    if account.disabled {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this account is disabled; ask an admin of your shop",
        ));
    }
    throttle::clear(&staff.db, &account_key)
        .await
        .map_err(|e| unavailable(&e))?;
    let (secret, session) = staff
        .sessions
        .open(&account, now)
        .await
        .map_err(|e| unavailable(&e))?;
    tracing::info!("{} signed in", account.email);
    let cookie = sessions::set_cookie(&secret, staff.secure(&headers));
    Ok(([(header::SET_COOKIE, cookie)], Json(signed_in(&session))).into_response())
}

fn too_many(wait: Duration) -> ApiError {
    let seconds = wait.as_secs().max(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "too many failed sign-ins; try again in {} minute(s)",
            seconds.div_ceil(60)
        ),
    )
    .retry_after(seconds)
}

/// `GET /v1/agent/session`: who is signed in (the page asks when it loads): 200 with
/// the agent, or 204 when nobody is (no cookie, or its session ended), which is no
/// error for a page that then shows its sign-in form.
async fn current(
    State(staff): State<SharedStaff>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if bearer(&headers).is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the automation token has no session; sign in with an agent account",
        ));
    }
    let Some(secret) = cookie(&headers, sessions::COOKIE) else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let found = staff
        .sessions
        .find(secret, now_ms())
        .await
        .map_err(|e| ApiError::unavailable("sessions cannot be checked", e))?;
    Ok(match found {
        Some(session) => Json(signed_in(&session)).into_response(),
        None => {
            let cleared = sessions::clear_cookie(staff.secure(&headers));
            ([(header::SET_COOKIE, cleared)], StatusCode::NO_CONTENT).into_response()
        }
    })
}

/// `PUT /v1/agent/presence` with `{"away": true|false}`: 204. An away agent's open
/// pages do not count as online, so shoppers are not promised a person.
async fn set_presence(
    State(staff): State<SharedStaff>,
    request: axum::extract::Request,
) -> Result<StatusCode, ApiError> {
    // Who asks first: a stranger learns nothing from how their body is refused.
    let caller = staff
        .authenticate(request.method(), request.headers())
        .await?;
    let Caller::Agent(session) = caller else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the automation token has no presence; sign in with an agent account",
        ));
    };
    let Checked(presence) = Checked::<Presence>::from_request(request, &()).await?;
    staff
        .accounts
        .set_away(&session.account.id, presence.away)
        .await
        .map_err(|e| ApiError::unavailable("presence not changed", e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/agent/session`: signs out (204) and removes the cookie.
async fn sign_out(
    State(staff): State<SharedStaff>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Caller::Agent(_) = staff.authenticate(&method, &headers).await? {
        if let Some(secret) = cookie(&headers, sessions::COOKIE) {
            staff
                .sessions
                .end(secret)
                .await
                .map_err(|e| ApiError::unavailable("sign-out failed", e))?;
        }
    }
    let cleared = sessions::clear_cookie(staff.secure(&headers));
    Ok(([(header::SET_COOKIE, cleared)], StatusCode::NO_CONTENT).into_response())
}
