//! Agent accounts over a real listener and the real binary: sign-in to a session
//! cookie, CSRF, sign-out, throttled failures, disabled accounts and reset passwords,
//! chat turned on by the first agent, and the `agent` commands.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::client::{uuid, Stream, STORE};
use common::instance::Instance;
use common::staff::{secret, send, sign_in, PASSWORD};
use common::{block_on, on_both, staff, store_site, Backend, TestDb, Tokens};
use serde_json::{json, Value};
use shopdesk_server::agents::accounts::{Accounts, Role};
use shopdesk_server::agents::sessions::Sessions;
use shopdesk_server::db::Database;

on_both!(
    an_agent_signs_in_answers_and_signs_out,
    failed_sign_ins_wait_per_account_and_a_disabled_agent_is_told_so,
    a_reset_password_or_a_disabled_account_ends_sessions,
    an_idle_session_expires,
    chat_turns_on_with_the_first_agent,
    several_tabs_of_one_agent_count_once,
    the_agent_commands_manage_accounts,
    agents_share_a_list_of_canned_replies,
    admins_manage_the_team_from_the_agent_page,
);

struct Server {
    base: String,
    db: TestDb,
}

fn start(backend: Backend) -> Server {
    let db = TestDb::new(backend);
    let base = common::listen(
        common::config(db.dir.path()),
        common::shopfront(&[STORE], None),
        &db.location,
        Tokens::default(),
    );
    Server { base, db }
}

fn add(s: &Server, name: &str, email: &str) {
    staff::add(&s.db.location, name, email, Role::Agent);
}

/// A conversation started by a shopper; its id.
fn conversation(base: &str) -> String {
    common::client::start_chat(base).0
}

fn an_agent_signs_in_answers_and_signs_out(backend: Backend) {
    let s = start(backend);
    add(&s, "Ana", "ana@shop.example");

    // The same answer for a wrong password and an unknown email.
    for (email, password) in [
        ("ana@shop.example", "wrong password!"),
        ("nobody@shop.example", PASSWORD),
    ] {
        let wrong = sign_in(&s.base, email, password);
        assert_eq!(wrong.status, 401);
        assert_eq!(wrong.body["error"], "wrong email or password");
        assert!(wrong.set_cookie.is_none());
    }
    let bad = sign_in(&s.base, "", PASSWORD);
    assert_eq!(
        (bad.status, bad.body["field"].as_str()),
        (400, Some("email"))
    );

    let ok = sign_in(&s.base, " Ana@Shop.Example ", PASSWORD);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["agent"]["name"], "Ana");
    assert_eq!(ok.body["agent"]["role"], "agent");
    let cookie = ok.set_cookie.unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");
    let (session, csrf) = (
        secret(&cookie),
        ok.body["csrf"].as_str().unwrap().to_string(),
    );

    let me = send(
        "GET",
        &format!("{}/v1/agent/session", s.base),
        Some(&session),
        None,
        None,
    );
    assert_eq!(
        (me.status, me.body["csrf"].as_str()),
        (200, Some(csrf.as_str()))
    );
    // Reports are for admins; Ana answers shoppers.
    let report = send(
        "GET",
        &format!("{}/v1/reports/feedback", s.base),
        Some(&session),
        None,
        None,
    );
    assert_eq!(report.status, 403, "{}", report.body);
    let list = send(
        "GET",
        &format!("{}/v1/agent/conversations", s.base),
        Some(&session),
        None,
        None,
    );
    assert_eq!(list.status, 200, "{}", list.body);

    // Changing something needs the CSRF header: a page on another site cannot send it.
    let id = conversation(&s.base);
    let reply = |csrf: Option<&str>, n: u32| {
        send(
            "POST",
            &format!("{}/v1/agent/conversations/{id}/messages", s.base),
            Some(&session),
            csrf,
            Some(json!({"id": uuid(n), "body": "hello"})),
        )
    };
    let refused = reply(None, 1);
    assert_eq!(refused.status, 403);
    assert!(
        refused.body["error"].as_str().unwrap().contains("CSRF"),
        "{}",
        refused.body
    );
    assert_eq!(reply(Some("not-the-token"), 1).status, 403);
    let sent = reply(Some(&csrf), 1);
    assert_eq!(sent.status, 201);
    // The shopper sees who answers; the automation token's messages carry no name.
    assert_eq!(sent.body["name"], "Ana", "{}", sent.body);

    // Sign-out needs the token too, ends the session and clears the cookie.
    let url = format!("{}/v1/agent/session", s.base);
    assert_eq!(send("DELETE", &url, Some(&session), None, None).status, 403);
    let out = send("DELETE", &url, Some(&session), Some(&csrf), None);
    assert_eq!(out.status, 204);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    let me = send("GET", &url, Some(&session), None, None);
    assert_eq!(me.status, 204, "nobody is signed in: no error, no body");
    assert!(me.set_cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(send("GET", &url, None, None, None).status, 204);
    let after = send(
        "GET",
        &format!("{}/v1/agent/conversations", s.base),
        Some(&session),
        None,
        None,
    );
    assert_eq!(after.status, 401);
    assert!(
        after.body["error"]
            .as_str()
            .unwrap()
            .contains("sign in again"),
        "{}",
        after.body
    );
    // No credential at all says what to do.
    let none = send(
        "GET",
        &format!("{}/v1/agent/conversations", s.base),
        None,
        None,
        None,
    );
    assert_eq!(none.status, 401);
}

fn failed_sign_ins_wait_per_account_and_a_disabled_agent_is_told_so(backend: Backend) {
    let s = start(backend);
    add(&s, "Ana", "ana@shop.example");
    add(&s, "Ben", "ben@shop.example");
    for _ in 0..5 {
        assert_eq!(
            sign_in(&s.base, "ana@shop.example", "wrong password!").status,
            401
        );
    }
    // Now even the right password waits: guessing gains nothing.
    let waiting = sign_in(&s.base, "ANA@shop.example", PASSWORD);
    assert_eq!(waiting.status, 429, "{}", waiting.body);
    let seconds: u64 = waiting.retry_after.unwrap().parse().unwrap();
    assert!((1..=900).contains(&seconds), "{seconds}");
    assert!(waiting.body["error"]
        .as_str()
        .unwrap()
        .contains("try again"));
    // Another account from the same address is not held up by Ana's five.
    assert_eq!(sign_in(&s.base, "ben@shop.example", PASSWORD).status, 200);

    block_on(async {
        let db = Database::open(&s.db.location).await.unwrap();
        Accounts::new(db.clone())
            .set_disabled("ben@shop.example", true)
            .await
            .unwrap();
        db.close().await;
    });
    let disabled = sign_in(&s.base, "ben@shop.example", PASSWORD);
    assert_eq!(disabled.status, 403);
    assert!(disabled.body["error"]
        .as_str()
        .unwrap()
        .contains("disabled"));
    // A disabled account's wrong password is still just wrong.
    assert_eq!(
        sign_in(&s.base, "ben@shop.example", "wrong password!").status,
        401
    );
}

fn a_reset_password_or_a_disabled_account_ends_sessions(backend: Backend) {
    let s = start(backend);
    add(&s, "Ana", "ana@shop.example");
    let url = format!("{}/v1/agent/conversations", s.base);
    let signed_in = || {
        secret(
            &sign_in(&s.base, "ana@shop.example", PASSWORD)
                .set_cookie
                .unwrap(),
        )
    };
    let (first, second) = (signed_in(), signed_in());
    assert_eq!(send("GET", &url, Some(&first), None, None).status, 200);
    let accounts = |f: fn(Accounts) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| {
        let location = s.db.location.clone();
        block_on(async move {
            let db = Database::open(&location).await.unwrap();
            f(Accounts::new(db.clone())).await;
            db.close().await;
        })
    };
    accounts(|a| {
        Box::pin(async move {
            a.reset_password("ana@shop.example", "another good password")
                .await
                .unwrap();
        })
    });
    for session in [&first, &second] {
        assert_eq!(send("GET", &url, Some(session), None, None).status, 401);
    }
    assert_eq!(sign_in(&s.base, "ana@shop.example", PASSWORD).status, 401);
    let third = secret(
        &sign_in(&s.base, "ana@shop.example", "another good password")
            .set_cookie
            .unwrap(),
    );
    assert_eq!(send("GET", &url, Some(&third), None, None).status, 200);
    accounts(|a| {
        Box::pin(async move {
            a.set_disabled("ana@shop.example", true).await.unwrap();
        })
    });
    assert_eq!(send("GET", &url, Some(&third), None, None).status, 401);
}

fn an_idle_session_expires(backend: Backend) {
    let db = TestDb::new(backend);
    block_on(async {
        let opened = Database::open(&db.location).await.unwrap();
        let account = Accounts::new(opened.clone())
            .add("Ana", "ana@shop.example", Role::Admin, PASSWORD, 0)
            .await
            .unwrap();
        let sessions = Sessions::new(opened.clone(), Duration::from_secs(600));
        let (secret, session) = sessions.open(&account, 1_000_000).await.unwrap();
        assert_eq!(session.account.role, Role::Admin);
        // Used at minute 9: still alive, and the clock restarts from there.
        let at = |minutes: i64| 1_000_000 + minutes * 60_000;
        assert!(sessions.find(&secret, at(9)).await.unwrap().is_some());
        assert!(sessions.find(&secret, at(18)).await.unwrap().is_some());
        // Ten minutes without a request: gone, and gone for good.
        assert!(sessions.find(&secret, at(28)).await.unwrap().is_none());
        assert!(sessions.find(&secret, at(29)).await.unwrap().is_none());
        assert!(sessions.find("unknown", at(0)).await.unwrap().is_none());
        opened.close().await;
    });
}

fn chat_turns_on_with_the_first_agent(backend: Backend) {
    let s = start(backend);
    let start_chat = || {
        common::client::call(
            "POST",
            &format!("{}/v1/chat", s.base),
            None,
            Some(STORE),
            Some(json!({})),
        )
        .0
    };
    assert_eq!(start_chat(), 503);
    add(&s, "Ana", "ana@shop.example");
    let deadline = Instant::now() + Duration::from_secs(15);
    while start_chat() != 201 {
        assert!(Instant::now() < deadline, "chat stayed off with an agent");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn several_tabs_of_one_agent_count_once(backend: Backend) {
    let s = start(backend);
    add(&s, "Ana", "ana@shop.example");
    add(&s, "Ben", "ben@shop.example");
    let session = |email| secret(&sign_in(&s.base, email, PASSWORD).set_cookie.unwrap());
    let stream = |secret: &str| {
        let cookie = format!("shopdesk_agent={secret}");
        let (status, stream) = Stream::open_with(
            &format!("{}/v1/agent/events", s.base),
            &[("Cookie", &cookie)],
        );
        assert_eq!(status, 200);
        stream.unwrap()
    };
    let online = || {
        let (status, _, started) = common::client::call(
            "POST",
            &format!("{}/v1/chat", s.base),
            None,
            Some(STORE),
            Some(json!({})),
        );
        assert_eq!(status, 201, "{started}");
        started["agents_online"].as_i64().unwrap()
    };
    let signed_in = sign_in(&s.base, "ana@shop.example", PASSWORD);
    let ana = secret(signed_in.set_cookie.as_deref().unwrap());
    let csrf = signed_in.body["csrf"].as_str().unwrap().to_string();
    let (_tab1, _tab2, _again) = (
        stream(&ana),
        stream(&ana),
        stream(&session("ana@shop.example")),
    );
    assert_eq!(online(), 1, "three tabs, one agent");
    let ben = stream(&session("ben@shop.example"));
    assert_eq!(online(), 2);
    drop(ben);
    let deadline = Instant::now() + Duration::from_secs(10);
    while online() != 1 {
        assert!(
            Instant::now() < deadline,
            "Ben stayed online after closing his page"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Away: Ana's pages stay open, but nobody is promised to the shopper.
    let away = |value: bool, csrf: Option<&str>| {
        send(
            "PUT",
            &format!("{}/v1/agent/presence", s.base),
            Some(&ana),
            csrf,
            Some(json!({ "away": value })),
        )
        .status
    };
    assert_eq!(away(true, None), 403, "a change without the CSRF token");
    assert_eq!(away(true, Some(&csrf)), 204);
    assert_eq!(online(), 0);
    let me = send(
        "GET",
        &format!("{}/v1/agent/session", s.base),
        Some(&ana),
        None,
        None,
    );
    assert_eq!(me.body["agent"]["away"], true);
    assert_eq!(away(false, Some(&csrf)), 204);
    assert_eq!(online(), 1);
}

/// `shopdesk-server agent …` with `input` on standard input: success, stdout, stderr.
fn agent_command(db: &TestDb, args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
        .arg("agent")
        .args(args)
        .args(["--database", &db.arg()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn the_agent_commands_manage_accounts(backend: Backend) {
    let db = TestDb::new(backend);
    let add = [
        "add",
        "--name",
        "Ana Lima",
        "--email",
        "ana@shop.example",
        "--role",
        "admin",
    ];
    let (ok, out, err) = agent_command(&db, &add, &format!("{PASSWORD}\n"));
    assert!(ok, "{err}");
    assert!(
        out.contains("added Ana Lima <ana@shop.example> (admin)"),
        "{out}"
    );

    // Refusals say why and change nothing.
    let (ok, _, err) = agent_command(&db, &add, &format!("{PASSWORD}\n"));
    assert!(!ok && err.contains("exists already"), "{err}");
    let short = ["add", "--name", "Ben", "--email", "ben@shop.example"];
    let (ok, _, err) = agent_command(&db, &short, "short\n");
    assert!(!ok && err.contains("at least 10 characters"), "{err}");
    let (ok, _, err) = agent_command(&db, &["add", "--name", "Cy", "--email", "not-an-email"], "");
    assert!(!ok && err.contains("not an email address"), "{err}");
    let (ok, _, err) = agent_command(&db, &["disable", "--email", "nobody@shop.example"], "");
    assert!(!ok && err.contains("there is no agent"), "{err}");

    let (_, list, _) = agent_command(&db, &["list", "--json"], "");
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["email"], "ana@shop.example");
    assert!(list[0].get("password_hash").is_none());

    let (ok, out, err) = agent_command(&db, &["disable", "--email", "Ana@Shop.Example"], "");
    assert!(ok && out.contains("disabled Ana Lima"), "{out}{err}");
    let (_, list, _) = agent_command(&db, &["list"], "");
    assert!(
        list.contains("ana@shop.example> admin (disabled)"),
        "{list}"
    );
    let (ok, _, _) = agent_command(&db, &["enable", "--email", "ana@shop.example"], "");
    assert!(ok);

    // The new password works on the real server; the old one does not.
    let new = "a brand new passphrase";
    let (ok, out, err) = agent_command(
        &db,
        &["reset-password", "--email", "ana@shop.example"],
        &format!("{new}\r\n"),
    );
    assert!(ok && out.contains("new password set"), "{out}{err}");
    let server = Instance::start(&db.arg(), &store_site(db.dir.path()));
    assert_eq!(
        sign_in(&server.base, "ana@shop.example", PASSWORD).status,
        401
    );
    let ok = sign_in(&server.base, "ana@shop.example", new);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["agent"]["role"], "admin");
    // An admin's browser may open the reports, CSV included.
    let admin = secret(&ok.set_cookie.unwrap());
    let csv = send(
        "GET",
        &format!("{}/v1/reports/feedback?format=csv", server.base),
        Some(&admin),
        None,
        None,
    );
    assert_eq!(csv.status, 200);
}

/// Behind a trusted proxy that says the page came over https, the cookie is `Secure`.
#[test]
fn over_https_the_session_cookie_is_secure() {
    let db = TestDb::new(Backend::Sqlite);
    let (ok, _, err) = agent_command(
        &db,
        &["add", "--name", "Ana", "--email", "ana@shop.example"],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok, "{err}");
    let server = Instance::start_with(&db.arg(), &store_site(db.dir.path()), &["--trust-proxy"]);
    let response = ureq::post(&format!("{}/v1/agent/session", server.base))
        .set("X-Forwarded-Proto", "https")
        .send_json(json!({"email": "ana@shop.example", "password": PASSWORD}))
        .unwrap();
    let cookie = response.header("set-cookie").unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

fn agents_share_a_list_of_canned_replies(backend: Backend) {
    let s = start(backend);
    add(&s, "Ana", "ana@shop.example");
    add(&s, "Ben", "ben@shop.example");
    let session = |email| {
        let signed_in = sign_in(&s.base, email, PASSWORD);
        let secret = secret(signed_in.set_cookie.as_deref().unwrap());
        (secret, signed_in.body["csrf"].as_str().unwrap().to_string())
    };
    let (ana, ana_csrf) = session("ana@shop.example");
    let (ben, ben_csrf) = session("ben@shop.example");
    let url = |rest: &str| format!("{}/v1/agent/canned{rest}", s.base);

    let added = send(
        "POST",
        &url(""),
        Some(&ana),
        Some(&ana_csrf),
        Some(json!({"shortcut": "/Returns", "body": "You can return anything within 30 days."})),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.body["shortcut"], "returns");
    let id = added.body["id"].as_str().unwrap().to_string();
    // Ben sees the team's list, and cannot take the same shortcut.
    let listed = send("GET", &url(""), Some(&ben), None, None);
    assert_eq!(
        listed.body["replies"][0]["body"],
        "You can return anything within 30 days."
    );
    let again = send(
        "POST",
        &url(""),
        Some(&ben),
        Some(&ben_csrf),
        Some(json!({"shortcut": "returns", "body": "Another"})),
    );
    assert_eq!(again.status, 409);
    assert!(again.body["error"]
        .as_str()
        .unwrap()
        .contains("/returns already"));
    let bad = send(
        "POST",
        &url(""),
        Some(&ben),
        Some(&ben_csrf),
        Some(json!({"shortcut": "two words", "body": "x"})),
    );
    assert_eq!(
        (bad.status, bad.body["field"].as_str()),
        (400, Some("shortcut"))
    );
    // Ben improves Ana's reply; changes need the CSRF token and a session.
    let body = json!({"shortcut": "returns", "body": "Returns are free within 30 days."});
    assert_eq!(
        send(
            "PUT",
            &url(&format!("/{id}")),
            Some(&ben),
            None,
            Some(body.clone())
        )
        .status,
        403
    );
    assert_eq!(send("GET", &url(""), None, None, None).status, 401);
    let changed = send(
        "PUT",
        &url(&format!("/{id}")),
        Some(&ben),
        Some(&ben_csrf),
        Some(body.clone()),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    let listed = send("GET", &url(""), Some(&ana), None, None);
    assert_eq!(
        listed.body["replies"][0]["body"],
        "Returns are free within 30 days."
    );
    assert_eq!(
        send(
            "PUT",
            &url("/nope"),
            Some(&ben),
            Some(&ben_csrf),
            Some(body)
        )
        .status,
        404
    );
    assert_eq!(
        send(
            "DELETE",
            &url(&format!("/{id}")),
            Some(&ana),
            Some(&ana_csrf),
            None
        )
        .status,
        204
    );
    let gone = send(
        "DELETE",
        &url(&format!("/{id}")),
        Some(&ana),
        Some(&ana_csrf),
        None,
    );
    assert_eq!(gone.status, 404);
    assert!(gone.body["error"]
        .as_str()
        .unwrap()
        .contains("reload the list"));
}

fn admins_manage_the_team_from_the_agent_page(backend: Backend) {
    let s = start(backend);
    staff::add(&s.db.location, "Ana", "ana@shop.example", Role::Admin);
    add(&s, "Ben", "ben@shop.example");
    let session = |email: &str, password: &str| {
        let signed_in = sign_in(&s.base, email, password);
        assert_eq!(signed_in.status, 200, "{email}: {}", signed_in.body);
        let secret = secret(signed_in.set_cookie.as_deref().unwrap());
        (secret, signed_in.body["csrf"].as_str().unwrap().to_string())
    };
    let (ana, csrf) = session("ana@shop.example", PASSWORD);
    let (ben, ben_csrf) = session("ben@shop.example", PASSWORD);
    let url = format!("{}/v1/agent/accounts", s.base);
    let as_ana =
        |method: &str, body: Option<Value>| send(method, &url, Some(&ana), Some(&csrf), body);

    // Agents do not manage the team.
    let refused = send("GET", &url, Some(&ben), None, None);
    assert_eq!(refused.status, 403);
    assert!(refused.body["error"]
        .as_str()
        .unwrap()
        .contains("only an admin"));
    let new = |password: &str, role: &str| json!({"name": "Cy", "email": "cy@shop.example", "role": role, "password": password});
    assert_eq!(
        send(
            "POST",
            &url,
            Some(&ben),
            Some(&ben_csrf),
            Some(new(PASSWORD, "agent"))
        )
        .status,
        403
    );
    assert_eq!(
        as_ana("GET", None).body["accounts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A new agent: the password and role are checked, the email is unique.
    let weak = as_ana("POST", Some(new("short", "agent")));
    assert_eq!(weak.status, 400);
    assert!(weak.body["error"]
        .as_str()
        .unwrap()
        .contains("at least 10 characters"));
    assert_eq!(as_ana("POST", Some(new(PASSWORD, "owner"))).status, 400);
    let added = as_ana("POST", Some(new(PASSWORD, "agent")));
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(
        (
            added.body["role"].as_str(),
            added.body["disabled"].as_bool()
        ),
        (Some("agent"), Some(false))
    );
    assert_eq!(as_ana("POST", Some(new(PASSWORD, "agent"))).status, 409);
    let (cy, _) = session("cy@shop.example", PASSWORD);

    // Disabled: Cy's session ends and signing in says why; enabled again, back in.
    let off = as_ana(
        "PUT",
        Some(json!({"email": "cy@shop.example", "disabled": true})),
    );
    assert_eq!(
        (off.status, off.body["disabled"].as_bool()),
        (200, Some(true))
    );
    let me = |secret: &str| {
        send(
            "GET",
            &format!("{}/v1/agent/conversations", s.base),
            Some(secret),
            None,
            None,
        )
        .status
    };
    assert_eq!(me(&cy), 401);
    assert_eq!(sign_in(&s.base, "cy@shop.example", PASSWORD).status, 403);
    assert_eq!(
        as_ana(
            "PUT",
            Some(json!({"email": "cy@shop.example", "disabled": false}))
        )
        .status,
        200
    );
    let (cy, _) = session("cy@shop.example", PASSWORD);

    // A new password ends Cy's sessions; the old one no longer opens anything.
    let renewed = as_ana(
        "PUT",
        Some(json!({"email": "cy@shop.example", "password": "a new long passphrase"})),
    );
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    assert_eq!(me(&cy), 401);
    assert_eq!(sign_in(&s.base, "cy@shop.example", PASSWORD).status, 401);
    session("cy@shop.example", "a new long passphrase");

    // What cannot be: disabling oneself, an unknown email, a change that says nothing.
    let own = as_ana(
        "PUT",
        Some(json!({"email": "ana@shop.example", "disabled": true})),
    );
    assert_eq!(own.status, 409);
    assert_eq!(
        as_ana(
            "PUT",
            Some(json!({"email": "nobody@shop.example", "disabled": true}))
        )
        .status,
        404
    );
    assert_eq!(
        as_ana("PUT", Some(json!({"email": "cy@shop.example"}))).status,
        400
    );
    assert_eq!(
        send(
            "PUT",
            &url,
            Some(&ana),
            None,
            Some(json!({"email": "cy@shop.example", "disabled": true}))
        )
        .status,
        403,
        "no CSRF token"
    );
}
