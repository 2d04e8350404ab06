//! Admins manage the team from the agent page: the accounts, a new agent, disabling or
//! enabling one, a new password (which ends that agent's sessions). The same as the
//! `shopdesk-server agent` commands, for a shop whose admin has no shell on the server.

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use shopdesk_wire::agents::{AccountChange, AccountInfo, NewAgent};

use super::accounts::{Account, AccountError, Role};
use super::{Caller, SharedStaff};
use crate::edge::{ApiError, Checked};
use crate::now_ms;

pub fn routes(staff: SharedStaff, body_limit: usize) -> Router {
    Router::new()
        .route("/v1/agent/accounts", get(list).post(add).put(change))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .with_state(staff)
}

/// The signed-in admin's account id; 403 for anyone else.
async fn admin(
    staff: &SharedStaff,
    method: &Method,
    headers: &HeaderMap,
) -> Result<String, ApiError> {
    match staff.authenticate(method, headers).await? {
        Caller::Agent(session) if session.account.role == Role::Admin => Ok(session.account.id),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "only an admin manages agents; ask one of your shop's admins",
        )),
    }
}

fn info(a: &Account) -> AccountInfo {
    AccountInfo {
        id: a.id.clone(),
        name: a.name.clone(),
        email: a.email.clone(),
        role: a.role.as_str().to_string(),
        disabled: a.disabled,
    }
}

fn refused(e: AccountError) -> ApiError {
    match e {
        AccountError::BadEmail(_) | AccountError::BadName | AccountError::WeakPassword => {
            ApiError::new(StatusCode::BAD_REQUEST, e.to_string())
        }
        AccountError::Exists(email) => ApiError::new(
            StatusCode::CONFLICT,
            format!("an agent with the email {email} exists already; set a new password for them or use another email"),
        ),
        AccountError::NotFound(email) => ApiError::new(
            StatusCode::NOT_FOUND,
            format!("there is no agent with the email {email}; reload the list"),
        ),
        other => ApiError::unavailable("the accounts could not be changed", other),
    }
}

/// `GET /v1/agent/accounts`: every account, disabled ones too.
async fn list(
    State(staff): State<SharedStaff>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    admin(&staff, &method, &headers).await?;
    let all = staff.accounts.list().await.map_err(refused)?;
    let accounts: Vec<AccountInfo> = all.iter().map(info).collect();
    Ok(Json(json!({ "accounts": accounts })))
}

/// `POST /v1/agent/accounts`: 201 with the new account; 400 for a bad name, email or
/// password, 409 for an email that has an account.
async fn add(
    State(staff): State<SharedStaff>,
    method: Method,
    headers: HeaderMap,
    Checked(new): Checked<NewAgent>,
) -> Result<(StatusCode, Json<AccountInfo>), ApiError> {
    admin(&staff, &method, &headers).await?;
    let role = match new.role.as_deref() {
        Some("admin") => Role::Admin,
        _ => Role::Agent,
    };
    super::accounts::check_password_strength(&new.password).map_err(refused)?;
    let account = staff
        .accounts
        .add(&new.name, &new.email, role, &new.password, now_ms())
        .await
        .map_err(refused)?;
    tracing::info!("an admin added the agent {}", account.email);
    Ok((StatusCode::CREATED, Json(info(&account))))
}

/// `PUT /v1/agent/accounts`: disables or enables an agent, or sets their password; 200
/// with the account as it is now. An admin cannot disable themselves (the shop would
/// lose its way back in).
async fn change(
    State(staff): State<SharedStaff>,
    method: Method,
    headers: HeaderMap,
    Checked(change): Checked<AccountChange>,
) -> Result<Json<AccountInfo>, ApiError> {
    let me = admin(&staff, &method, &headers).await?;
    let mut account = staff
        .accounts
        .by_email(&change.email)
        .await
        .map_err(refused)?;
    if let Some(password) = &change.password {
        super::accounts::check_password_strength(password).map_err(refused)?;
    }
    if change.disabled == Some(true) && account.id == me {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "you cannot disable your own account; another admin can",
        ));
    }
    if let Some(disabled) = change.disabled {
        account = staff
            .accounts
            .set_disabled(&change.email, disabled)
            .await
            .map_err(refused)?;
    }
    if let Some(password) = &change.password {
        staff
            .accounts
            .reset_password(&change.email, password)
            .await
            .map_err(refused)?;
    }
    Ok(Json(info(&account)))
}
