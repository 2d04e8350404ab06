//! Agents for the tests: accounts made in the database, sessions signed in over HTTP,
//! and calls with the session cookie and CSRF header.

use serde_json::{json, Value};
use shopdesk_server::agents::accounts::{Accounts, Role};
use shopdesk_server::db::{Database, Location};

use super::client::Stream;
use super::client::STORE;
use super::instance::AGENT;
use super::{block_on, TestDb, Tokens};
use shopdesk_server::chat::routing::Routing;

pub(crate) const PASSWORD: &str = "correct horse battery";

/// Adds an account with [`PASSWORD`]; its id.
pub(crate) fn add(location: &Location, name: &str, email: &str, role: Role) -> String {
    block_on(async {
        let db = Database::open(location).await.unwrap();
        let account = Accounts::new(db.clone())
            .add(name, email, role, PASSWORD, 0)
            .await
            .unwrap();
        db.close().await;
        account.id
    })
}

/// A response: status, headers we look at, JSON body.
pub(crate) struct Answer {
    pub status: u16,
    pub set_cookie: Option<String>,
    pub retry_after: Option<String>,
    pub body: Value,
}

/// A request with an optional session cookie and CSRF header.
pub(crate) fn send(
    method: &str,
    url: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let cookie = cookie.map(|c| format!("theme=dark; shopdesk_agent={c}"));
    let mut headers = Vec::new();
    if let Some(c) = &cookie {
        headers.push(("Cookie", c.as_str()));
    }
    if let Some(t) = csrf {
        headers.push(("X-CSRF-Token", t));
    }
    let response = super::client::send(method, url, &headers, body);
    Answer {
        status: response.status(),
        set_cookie: response.header("set-cookie").map(str::to_string),
        retry_after: response.header("retry-after").map(str::to_string),
        body: super::client::json_body(response),
    }
}

pub(crate) fn sign_in(base: &str, email: &str, password: &str) -> Answer {
    send(
        "POST",
        &format!("{base}/v1/agent/session"),
        None,
        None,
        Some(json!({"email": email, "password": password})),
    )
}

/// The session secret in a `Set-Cookie`.
pub(crate) fn secret(set_cookie: &str) -> String {
    set_cookie
        .strip_prefix("shopdesk_agent=")
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_string()
}

/// A signed-in agent with an open agent page (their event stream).
pub(crate) struct Desk {
    pub id: String,
    pub cookie: String,
    pub csrf: String,
    pub page: Option<Stream>,
}

impl Desk {
    pub(crate) fn open(base: &str, id: String, email: &str) -> Desk {
        let signed_in = sign_in(base, email, PASSWORD);
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        let cookie = secret(signed_in.set_cookie.as_deref().unwrap());
        let csrf = signed_in.body["csrf"].as_str().unwrap().to_string();
        let header = format!("shopdesk_agent={cookie}");
        let (status, page) =
            Stream::open_with(&format!("{base}/v1/agent/events"), &[("Cookie", &header)]);
        assert_eq!(status, 200);
        Desk {
            id,
            cookie,
            csrf,
            page,
        }
    }

    pub(crate) fn post(&self, url: &str, body: Value) -> Answer {
        send(
            "POST",
            url,
            Some(&self.cookie),
            Some(&self.csrf),
            Some(body),
        )
    }

    pub(crate) fn leave(&mut self) {
        self.page = None;
    }
}

/// A staffed shop: the store page's origin allowed, the automation token `AGENT` for the
/// test's own calls, conversations routed by `routing`; its base URL.
pub(crate) fn shop(db: &TestDb, routing: Routing) -> String {
    super::listen_routing(
        super::config(db.dir.path()),
        super::shopfront(&[STORE], None),
        &db.location,
        Tokens {
            agent: Some(AGENT.to_string()),
            ..Tokens::default()
        },
        routing,
    )
}
