//! Failed sign-ins, counted per account and per client address in the database (so
//! the count holds across instances): after too many in a window, sign-in waits until
//! the window ends, whatever the password.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::Row;

use super::SharedStaff;
use crate::db::{Database, DbError};
use crate::edge::ApiError;

/// How many failures a key may have in one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub failures: i64,
    pub window: Duration,
}

/// Per account: five guesses per quarter hour keeps a 10-character password out of
/// reach of guessing, and an agent who mistypes waits minutes, not hours.
pub const PER_ACCOUNT: Limit = Limit {
    failures: 5,
    window: Duration::from_secs(15 * 60),
};
/// Per address: more, since an office may share one address.
pub const PER_ADDRESS: Limit = Limit {
    failures: 20,
    window: Duration::from_secs(15 * 60),
};

/// How long a key with `failures` since `since_ms` must wait at `now_ms`, if at all.
pub fn wait(limit: Limit, failures: i64, since_ms: i64, now_ms: i64) -> Option<Duration> {
    let ends = since_ms.saturating_add(limit.window.as_millis() as i64);
    (failures >= limit.failures && now_ms < ends)
        .then(|| Duration::from_millis((ends - now_ms) as u64))
}

/// The key of an account (its normalised email, or what was typed).
pub fn account_key(email: &str) -> String {
    let email =
        super::accounts::normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    format!("account:{email}")
}

/// The key of a client address: IPv6 clients by their /64 (one customer's network
/// hands out a whole /64, so one attacker has millions of addresses within it).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("address:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("address:{v4}"),
            None => {
                let s = v6.segments();
                format!("address:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Wrong bearer tokens (the agent API's automation token, the reports' admin token)
/// from one address: as many as wrong passwords, counted apart so a script with a
/// stale token does not lock the office's agents out of signing in.
pub fn token_key(ip: IpAddr) -> String {
    format!("token-{}", address_key(ip))
}

/// Guards routes that take a bearer token: an address that sent too many wrong ones
/// waits (429) before its token is even compared, and each 401 to a request with a
/// token counts one failure. Requests without a token pass untouched (a signed-in
/// agent's cookie has its own checks).
pub async fn guard_tokens(
    State(staff): State<SharedStaff>,
    ConnectInfo(socket): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if crate::access::bearer(request.headers()).is_none() {
        return next.run(request).await;
    }
    let ip = crate::limit::client_ip(request.headers(), socket.ip(), staff.trust_proxy);
    let key = token_key(ip);
    let keys = [(key.as_str(), PER_ADDRESS)];
    let now = crate::now_ms();
    match check(&staff.db, &keys, now).await {
        Ok(Some(wait)) => {
            let seconds = wait.as_secs().max(1);
            return ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many wrong tokens from this address; try again in {} minute(s)",
                    seconds.div_ceil(60)
                ),
            )
            .retry_after(seconds)
            .into_response();
        }
        Ok(None) => {}
        Err(e) => return ApiError::unavailable("tokens cannot be checked", e).into_response(),
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED {
        if let Err(e) = record(&staff.db, &keys, now).await {
            tracing::error!("could not count a wrong token: {e}");
        }
        tracing::info!("wrong bearer token from {key}");
    }
    response
}

/// The longest wait any of `keys` owes now.
pub async fn check(
    db: &Database,
    keys: &[(&str, Limit)],
    now_ms: i64,
) -> Result<Option<Duration>, DbError> {
    let mut longest = None;
    for (key, limit) in keys {
        let row = sqlx::query("SELECT failures, since_ms FROM sign_in_failures WHERE key = $1")
            .bind(*key)
            .fetch_optional(db.reader())
            .await?;
        if let Some(row) = row {
            let found = wait(*limit, row.try_get(0)?, row.try_get(1)?, now_ms);
            longest = longest.max(found);
        }
    }
    Ok(longest)
}

/// Counts one failure for each key; a key whose window ended starts a new one.
/// Windows long over are forgotten, so the table stays small.
pub async fn record(db: &Database, keys: &[(&str, Limit)], now_ms: i64) -> Result<(), DbError> {
    let mut tx = db.writer().begin().await?;
    for (key, limit) in keys {
        let window_start = now_ms - limit.window.as_millis() as i64;
        sqlx::query(
            "INSERT INTO sign_in_failures (key, failures, since_ms) VALUES ($1, 1, $2)
             ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN sign_in_failures.since_ms <= $3 THEN 1
                                ELSE sign_in_failures.failures + 1 END,
                since_ms = CASE WHEN sign_in_failures.since_ms <= $3 THEN $2
                                ELSE sign_in_failures.since_ms END",
        )
        .bind(*key)
        .bind(now_ms)
        .bind(window_start)
        .execute(&mut *tx)
        .await?;
    }
    let oldest_window = keys.iter().map(|(_, l)| l.window).max().unwrap_or_default();
    sqlx::query("DELETE FROM sign_in_failures WHERE since_ms < $1")
        .bind(now_ms - oldest_window.as_millis() as i64)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets the failures of `key` (an account that signed in).
pub async fn clear(db: &Database, key: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
        .bind(key)
        .execute(db.writer())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_waits_once_it_reached_its_limit_until_the_window_ends() {
        let limit = Limit {
            failures: 3,
            window: Duration::from_secs(60),
        };
        assert_eq!(wait(limit, 2, 0, 1_000), None);
        assert_eq!(wait(limit, 3, 0, 1_000), Some(Duration::from_secs(59)));
        assert_eq!(wait(limit, 9, 0, 59_999), Some(Duration::from_millis(1)));
        assert_eq!(wait(limit, 9, 0, 60_000), None, "a new window");
    }

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        assert_eq!(
            address_key("::ffff:10.0.0.1".parse().unwrap()),
            "address:10.0.0.1"
        );
        assert_eq!(address_key("10.0.0.1".parse().unwrap()), "address:10.0.0.1");
    }

    #[test]
    fn an_account_key_ignores_case_and_spaces() {
        assert_eq!(
            account_key(" Ana@Shop.example"),
            account_key("ana@shop.example")
        );
    }
}
