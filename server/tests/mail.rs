//! Email to shoppers through a real SMTP server (`smtp-sink` on 127.0.0.1): answers
//! while the shopper is away, exactly once each, through a relay that is down and then
//! up; refusals; the signed link back; transcripts; office hours and offline messages.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shopdesk_server::chat::hours::{HoursFile, OfficeHours};
use shopdesk_server::chat::routing::Routing;
use shopdesk_server::chat::Away;
use shopdesk_server::db::Database;
use shopdesk_server::mail::link::Keys;
use shopdesk_server::mail::outbox::Tuning;
use shopdesk_server::mail::{Security, Smtp, Transport};
use smtp_sink::{Options, Sink};

use common::client::{call, ticketed, uuid, Stream, STORE};
use common::instance::{Instance, AGENT};
use common::{block_on, on_both, Backend, Extras, Mail, TestDb, Tokens};

on_both!(
    an_answer_to_a_shopper_who_left_is_emailed_once_when_the_relay_is_back,
    the_link_reopens_the_conversation_and_a_changed_or_expired_one_does_not,
    a_refused_recipient_fails_for_good_and_a_refused_login_is_retried,
    a_shopper_who_reads_the_answer_in_the_chat_gets_no_email,
    messages_left_while_nobody_is_there_are_marked_and_get_their_transcript,
    office_hours_decide_whether_a_person_answers_and_when_the_shop_is_back,
    queued_mail_survives_a_restart_of_the_server,
);

/// A relay on `port` of 127.0.0.1, without TLS (the sink has none).
fn relay(port: u16, login: Option<(&str, &str)>) -> Transport {
    Transport::Smtp(Smtp {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        user: login.map(|(u, _)| u.to_string()),
        password: login.map(|(_, p)| p.to_string()),
    })
}

/// Retries fast enough for a test.
fn quick() -> Tuning {
    Tuning {
        first_retry: Duration::from_millis(300),
        max_retry: Duration::from_millis(600),
        poll: Duration::from_millis(100),
        ..Tuning::default()
    }
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A shop on `db` sending mail through `transport`.
fn shop(db: &TestDb, transport: Transport, grace: Duration, away: Away) -> String {
    common::listen_full(
        common::config(db.dir.path()),
        common::shopfront(&[STORE], None),
        &db.location,
        Tokens {
            agent: Some(AGENT.to_string()),
            ..Tokens::default()
        },
        Routing::default(),
        Extras {
            mail: Some(Mail {
                transport,
                tuning: quick(),
                unread_grace: grace,
            }),
            away,
            ..Extras::default()
        },
    )
}

/// A conversation started with `handoff`; its id and token.
fn start(base: &str, handoff: Value) -> (String, String) {
    let (status, _, started) = call(
        "POST",
        &format!("{base}/v1/chat"),
        None,
        Some(STORE),
        Some(handoff),
    );
    assert_eq!(status, 201, "{started}");
    (
        started["id"].as_str().unwrap().to_string(),
        started["token"].as_str().unwrap().to_string(),
    )
}

fn shopper_says(base: &str, id: &str, token: &str, n: u32, body: &str) {
    let (status, _, said) = call(
        "POST",
        &format!("{base}/v1/chat/{id}/messages"),
        Some(token),
        Some(STORE),
        Some(json!({"id": uuid(n), "body": body})),
    );
    assert_eq!(status, 201, "{said}");
}

fn agent_says(base: &str, id: &str, n: u32, body: &str) -> i64 {
    let (status, _, said) = call(
        "POST",
        &format!("{base}/v1/agent/conversations/{id}/messages"),
        Some(AGENT),
        None,
        Some(json!({"id": uuid(n), "body": body})),
    );
    assert_eq!(status, 201, "{said}");
    said["seq"].as_i64().unwrap()
}

/// The conversation's emails as the agent page sees them.
fn mail_of(base: &str, id: &str) -> Vec<Value> {
    let (status, _, history) = call(
        "GET",
        &format!("{base}/v1/agent/conversations/{id}"),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(status, 200, "{history}");
    history["mail"].as_array().unwrap().clone()
}

/// Waits up to 10 s for `done`.
fn eventually<T>(what: &str, mut done: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(t) = done() {
            return t;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A message's text with quoted-printable soft breaks and escapes undone.
fn decoded(data: &str) -> String {
    let joined = data.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The link back in an email's text.
fn link_in(data: &str) -> String {
    let text = decoded(data);
    let at = text
        .find("#shopdesk-chat=")
        .expect("a link back in the email")
        + 15;
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '"')
        .next()
        .unwrap()
        .to_string()
}

fn an_answer_to_a_shopper_who_left_is_emailed_once_when_the_relay_is_back(backend: Backend) {
    let db = TestDb::new(backend);
    let port = free_port();
    let base = shop(
        &db,
        relay(port, None),
        Duration::from_secs(60),
        Away::default(),
    );
    let handoff = json!({
        "page_url": "https://shop.example/orders?id=7#top",
        "email": "ben@example.com",
        "name": "Ben",
        "locale": "en",
    });
    let (id, token) = start(&base, handoff);
    shopper_says(&base, &id, &token, 1, "Where is my parcel?");
    // The shopper's page is closed (no stream): the answer goes at once, but the relay
    // is down.
    agent_says(&base, &id, 2, "It left the warehouse today.");
    let failing = eventually("a failed attempt", || {
        mail_of(&base, &id)
            .into_iter()
            .find(|m| m["attempts"].as_u64() >= Some(1) && m["error"].is_string())
    });
    assert_eq!(failing["status"], "pending", "{failing}");
    assert_eq!(failing["to"], "ben@example.com");
    assert!(
        failing["error"]
            .as_str()
            .unwrap()
            .contains("cannot reach the SMTP server"),
        "{failing}"
    );
    assert!(failing["next_attempt"].is_i64(), "{failing}");
    // The relay comes back on that port.
    let sink =
        Sink::start_on(SocketAddr::from(([127, 0, 0, 1], port)), Options::default()).unwrap();
    let got = eventually("the email", || {
        let r = sink.received();
        (!r.is_empty()).then_some(r)
    });
    let second = agent_says(&base, &id, 3, "Tracking: 123.");
    eventually("the second email", || {
        (sink.received().len() == 2).then_some(())
    });
    // Retries and other rounds must not send either again.
    std::thread::sleep(Duration::from_millis(1500));
    let all = sink.received();
    assert_eq!(all.len(), 2, "exactly one email per answer");
    let email = decoded(&got[0].data);
    assert_eq!(got[0].to, ["ben@example.com"]);
    assert_eq!(got[0].from, "help@acme.example");
    assert!(
        email.contains("Subject: Support answered your message"),
        "{email}"
    );
    assert!(email.contains("Hello Ben,"), "{email}");
    assert!(email.contains("It left the warehouse today."), "{email}");
    assert!(
        email.contains("Where is my parcel?"),
        "the conversation so far: {email}"
    );
    assert!(email.contains("please answer in the chat"), "{email}");
    assert!(
        email.contains("https://shop.example/orders#shopdesk-chat=v1."),
        "the page as stored (without its query and fragment), then the link: {email}"
    );
    let states = mail_of(&base, &id);
    assert_eq!(states.len(), 2, "{states:?}");
    assert!(states.iter().all(|m| m["status"] == "sent"), "{states:?}");
    assert_eq!(states[1]["seq"].as_i64(), Some(second));
    assert!(states[0]["attempts"].as_u64() >= Some(2), "{states:?}");
}

fn the_link_reopens_the_conversation_and_a_changed_or_expired_one_does_not(backend: Backend) {
    let db = TestDb::new(backend);
    let sink = Sink::start(Options::default()).unwrap();
    let base = shop(
        &db,
        relay(sink.addr.port(), None),
        Duration::from_secs(60),
        Away::default(),
    );
    let (id, token) = start(
        &base,
        json!({"page_url": "https://shop.example/cart", "email": "ben@example.com"}),
    );
    shopper_says(&base, &id, &token, 1, "Is this in stock?");
    agent_says(&base, &id, 2, "Yes, two left.");
    let received = eventually("the email", || sink.received().into_iter().next());
    let link = link_in(&received.data);
    let resume = |link: &str| {
        call(
            "POST",
            &format!("{base}/v1/chat/resume"),
            None,
            Some(STORE),
            Some(json!({ "link": link })),
        )
    };
    let (status, cors, opened) = resume(&link);
    assert_eq!(status, 200, "{opened}");
    assert_eq!(cors.as_deref(), Some(STORE));
    assert_eq!(opened["id"], id.as_str());
    let key = opened["token"].as_str().unwrap().to_string();
    assert_ne!(
        key, token,
        "a key of its own: the first one is only kept hashed"
    );
    // The key opens the conversation like the first one: its events, and a reply.
    let (status, stream) = Stream::open(
        &ticketed(&format!("{base}/v1/chat/{id}/events"), &key),
        None,
    );
    assert_eq!(status, 200);
    let mut stream = stream.unwrap();
    let bodies: Vec<String> = std::iter::from_fn(|| stream.next())
        .take(3)
        .filter_map(|e| e["body"].as_str().map(str::to_string))
        .collect();
    assert_eq!(bodies, ["Is this in stock?", "Yes, two left."]);
    shopper_says(&base, &id, &key, 3, "Great, thanks!");
    // Another conversation's key opens nothing here.
    let (other, _) = start(&base, json!({}));
    let (status, _, _) = call(
        "POST",
        &format!("{base}/v1/chat/{other}/messages"),
        Some(&key),
        Some(STORE),
        Some(json!({"id": uuid(4), "body": "hi"})),
    );
    assert_eq!(status, 404);
    // Changed anywhere: refused, saying what to do.
    let mut changed = link.clone().into_bytes();
    let last = changed.len() - 1;
    changed[last] = if changed[last] == b'a' { b'b' } else { b'a' };
    for bad in [
        String::from_utf8(changed).unwrap(),
        link.replacen(&id, &other, 1),
        link[..link.len() - 4].to_string(),
    ] {
        let (status, _, refused) = resume(&bad);
        assert_eq!(status, 403, "{bad}: {refused}");
        assert!(
            refused["error"].as_str().unwrap().contains("not valid"),
            "{refused}"
        );
    }
    // Expired: signed with the server's own secret, a minute in the past.
    let expired = block_on(async {
        let db = Database::open(&db.location).await.unwrap();
        let keys = Keys::load(&db).await.unwrap();
        db.close().await;
        keys.link(&id, shopdesk_server::now_ms() - 60_000)
    });
    let (status, _, refused) = resume(&expired);
    assert_eq!(status, 410, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("expired"),
        "{refused}"
    );
    let (status, _, refused) = resume("");
    assert_eq!(status, 400, "{refused}");
}

fn a_refused_recipient_fails_for_good_and_a_refused_login_is_retried(backend: Backend) {
    let db = TestDb::new(backend);
    let sink = Sink::start(Options {
        login: Some(("shop".into(), "right".into())),
        refuse: vec!["gone@example.com".into()],
        ..Options::default()
    })
    .unwrap();
    let good = shop(
        &db,
        relay(sink.addr.port(), Some(("shop", "right"))),
        Duration::from_secs(60),
        Away::default(),
    );
    let (gone, _) = start(&good, json!({"email": "gone@example.com"}));
    agent_says(&good, &gone, 1, "Hello?");
    let failed = eventually("the refusal", || {
        mail_of(&good, &gone)
            .into_iter()
            .find(|m| m["status"] == "failed")
    });
    assert_eq!(failed["attempts"], 1, "never retried: {failed}");
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.contains("refused this email for good") && error.contains("550"),
        "{error}"
    );
    // A wrong password, on a shop of its own (instances on one database share the
    // outbox: the other one, whose login is right, would send it): retried, never
    // failed.
    let other = TestDb::new(backend);
    let wrong = shop(
        &other,
        relay(sink.addr.port(), Some(("shop", "wrong"))),
        Duration::from_secs(60),
        Away::default(),
    );
    let (id, _) = start(&wrong, json!({"email": "ben@example.com"}));
    agent_says(&wrong, &id, 2, "Hello!");
    let retried = eventually("two refused logins", || {
        mail_of(&wrong, &id)
            .into_iter()
            .find(|m| m["attempts"].as_u64() >= Some(2))
    });
    assert_eq!(retried["status"], "pending", "{retried}");
    assert!(
        retried["error"]
            .as_str()
            .unwrap()
            .contains("refused the login"),
        "{retried}"
    );
    assert!(sink.received().is_empty());
    // A bad address never reaches the outbox: the form is told.
    let (status, _, refused) = call(
        "POST",
        &format!("{good}/v1/chat"),
        None,
        Some(STORE),
        Some(json!({"email": "ben@example"})),
    );
    assert_eq!(status, 400);
    assert_eq!(refused["field"], "email", "{refused}");
}

fn a_shopper_who_reads_the_answer_in_the_chat_gets_no_email(backend: Backend) {
    let db = TestDb::new(backend);
    let sink = Sink::start(Options::default()).unwrap();
    let base = shop(
        &db,
        relay(sink.addr.port(), None),
        Duration::from_millis(800),
        Away::default(),
    );
    let (id, token) = start(&base, json!({"email": "ben@example.com"}));
    shopper_says(&base, &id, &token, 1, "Hi");
    // The shopper's chat is open: the answer waits to be read there.
    let (_, stream) = Stream::open(
        &ticketed(&format!("{base}/v1/chat/{id}/events"), &token),
        None,
    );
    let mut stream = stream.unwrap();
    stream.next();
    let seq = agent_says(&base, &id, 2, "Hello, how can I help?");
    let (status, _, _) = call(
        "POST",
        &format!("{base}/v1/chat/{id}/read"),
        Some(&token),
        Some(STORE),
        Some(json!({ "seq": seq })),
    );
    assert_eq!(status, 204);
    let skipped = eventually("the email skipped", || {
        mail_of(&base, &id)
            .into_iter()
            .find(|m| m["status"] == "skipped")
    });
    assert_eq!(skipped["seq"].as_i64(), Some(seq));
    // Unread after the grace period: emailed, though the page is still open.
    let unread = agent_says(&base, &id, 3, "Are you still there?");
    let got = eventually("the unread answer by email", || {
        sink.received().into_iter().next()
    });
    assert!(decoded(&got.data).contains("Are you still there?"));
    let states = mail_of(&base, &id);
    assert_eq!(states.len(), 2, "{states:?}");
    assert_eq!(states[1]["seq"].as_i64(), Some(unread));
    assert_eq!(states[1]["status"], "sent");
    drop(stream);
}

fn messages_left_while_nobody_is_there_are_marked_and_get_their_transcript(backend: Backend) {
    let db = TestDb::new(backend);
    let sink = Sink::start(Options::default()).unwrap();
    let base = shop(
        &db,
        relay(sink.addr.port(), None),
        Duration::from_secs(60),
        Away {
            hours: None,
            message: Some("We answer within a day.".into()),
        },
    );
    // Nobody signed in: not live.
    let (status, cors, available) = call(
        "GET",
        &format!("{base}/v1/chat/availability"),
        None,
        Some(STORE),
        None,
    );
    assert_eq!(status, 200, "{available}");
    assert_eq!(cors.as_deref(), Some(STORE));
    assert_eq!(available["live"], false);
    assert_eq!(available["in_hours"], true);
    assert_eq!(available["away_message"], "We answer within a day.");
    assert!(available.get("next_open").is_none(), "{available}");
    let (id, token) = start(
        &base,
        json!({"email": "ben@example.com", "name": "Ben", "transcript": true, "locale": "de"}),
    );
    shopper_says(&base, &id, &token, 1, "Bitte um Rückruf");
    let (_, _, list) = call(
        "GET",
        &format!("{base}/v1/agent/conversations"),
        Some(AGENT),
        None,
        None,
    );
    let listed = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["offline"], true, "{listed}");
    assert_eq!(listed["handoff"]["email"], "ben@example.com");
    agent_says(&base, &id, 2, "Gerne!");
    let (status, _, _) = call(
        "POST",
        &format!("{base}/v1/agent/conversations/{id}/close"),
        Some(AGENT),
        None,
        None,
    );
    assert!(status < 300, "{status}");
    let both = eventually("the answer and the transcript", || {
        let r = sink.received();
        (r.len() == 2).then_some(r)
    });
    let transcript = both
        .iter()
        .map(|m| decoded(&m.data))
        .find(|m| m.contains("Hier ist Ihr Gespräch"))
        .expect("a transcript in German");
    assert!(
        transcript.contains("Bitte um Rückruf") && transcript.contains("Gerne!"),
        "{transcript}"
    );
    let kinds: Vec<String> = mail_of(&base, &id)
        .iter()
        .map(|m| format!("{} {}", m["kind"], m["status"]))
        .collect();
    assert_eq!(kinds, ["\"reply\" \"sent\"", "\"transcript\" \"sent\""]);
    // Without the checkbox, no transcript.
    let (quiet, _) = start(&base, json!({"email": "ana@example.com"}));
    call(
        "POST",
        &format!("{base}/v1/agent/conversations/{quiet}/close"),
        Some(AGENT),
        None,
        None,
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(mail_of(&base, &quiet).is_empty());
}

fn office_hours_decide_whether_a_person_answers_and_when_the_shop_is_back(backend: Backend) {
    let db = TestDb::new(backend);
    let sink = Sink::start(Options::default()).unwrap();
    // Open all week but closed today and tomorrow (UTC): back the day after at 00:00.
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let tomorrow = today.tomorrow().unwrap();
    let back = tomorrow.tomorrow().unwrap();
    let all_day = Some(vec!["00:00-24:00".to_string()]);
    let hours = OfficeHours::parse(&HoursFile {
        time_zone: Some("UTC".into()),
        monday: all_day.clone(),
        tuesday: all_day.clone(),
        wednesday: all_day.clone(),
        thursday: all_day.clone(),
        friday: all_day.clone(),
        saturday: all_day.clone(),
        sunday: all_day,
        closed_on: Some(vec![today.to_string(), tomorrow.to_string()]),
    })
    .unwrap();
    let base = shop(
        &db,
        relay(sink.addr.port(), None),
        Duration::from_secs(60),
        Away {
            hours: Some(hours),
            message: None,
        },
    );
    // An agent online does not make it live outside hours.
    let (_, stream) = Stream::open(&ticketed(&format!("{base}/v1/agent/events"), AGENT), None);
    let _agent = stream.unwrap();
    let (_, _, available) = call(
        "GET",
        &format!("{base}/v1/chat/availability"),
        None,
        Some(STORE),
        None,
    );
    assert_eq!(available["agents_online"], 1, "{available}");
    assert_eq!(available["in_hours"], false);
    assert_eq!(available["live"], false);
    let expected = jiff::tz::TimeZone::UTC
        .to_timestamp(back.to_datetime(jiff::civil::Time::midnight()))
        .unwrap()
        .as_millisecond();
    assert_eq!(
        available["next_open"].as_i64(),
        Some(expected),
        "{available}"
    );
    let (id, _) = start(&base, json!({"email": "ben@example.com"}));
    let (_, _, list) = call(
        "GET",
        &format!("{base}/v1/agent/conversations"),
        Some(AGENT),
        None,
        None,
    );
    assert_eq!(list["conversations"][0]["id"], id.as_str());
    assert_eq!(list["conversations"][0]["offline"], true);
    // Within hours with the agent online: live, not marked.
    let open = shop(
        &db,
        relay(sink.addr.port(), None),
        Duration::from_secs(60),
        Away::default(),
    );
    let (_, stream) = Stream::open(&ticketed(&format!("{open}/v1/agent/events"), AGENT), None);
    let _agent2 = stream.unwrap();
    let (_, _, available) = call(
        "GET",
        &format!("{open}/v1/chat/availability"),
        None,
        Some(STORE),
        None,
    );
    assert_eq!(available["live"], true, "{available}");
    let (live, _) = start(&open, json!({}));
    let (_, _, list) = call(
        "GET",
        &format!("{open}/v1/agent/conversations"),
        Some(AGENT),
        None,
        None,
    );
    let listed = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == live.as_str())
        .unwrap()
        .clone();
    assert!(listed.get("offline").is_none(), "{listed}");
}

fn queued_mail_survives_a_restart_of_the_server(backend: Backend) {
    let db = TestDb::new(backend);
    let root = common::store_site(db.dir.path());
    let port = free_port();
    let port_text = port.to_string();
    let flags = [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        port_text.as_str(),
        "--smtp-security",
        "none",
        "--mail-from",
        "Acme <help@acme.example>",
    ];
    let mut first = Instance::start_with(&db.arg(), &root, &flags);
    let (id, token) = start(
        &first.base,
        json!({"email": "ben@example.com", "page_url": "https://shop.example/"}),
    );
    shopper_says(&first.base, &id, &token, 1, "Hello");
    agent_says(&first.base, &id, 2, "Answered while the relay was down.");
    eventually("a failed attempt", || {
        mail_of(&first.base, &id)
            .into_iter()
            .find(|m| m["error"].is_string())
    });
    first.kill();
    let sink =
        Sink::start_on(SocketAddr::from(([127, 0, 0, 1], port)), Options::default()).unwrap();
    let second = Instance::start_with(&db.arg(), &root, &flags);
    // The first retry waits 30 s (the binary's own backoff): the restart does not
    // forget it, and sends it once.
    let deadline = Instant::now() + Duration::from_secs(45);
    while sink.received().is_empty() {
        assert!(Instant::now() < deadline, "the queued email never went");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(sink.received().len(), 1);
    assert!(decoded(&sink.received()[0].data).contains("Answered while the relay was down."));
    let states = mail_of(&second.base, &id);
    assert_eq!(states[0]["status"], "sent", "{states:?}");
}

/// Office hours that cannot be read stop the real binary before it listens, naming the
/// key; so does a password in the configuration file.
#[test]
fn bad_office_hours_or_a_password_in_the_file_stop_the_server_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    for (config, key) in [
        (
            "[office_hours]\ntime_zone = \"Europe/Berlni\"\nmonday = [\"09:00-17:00\"]\n",
            "office_hours.time_zone",
        ),
        (
            "[office_hours]\ntime_zone = \"Europe/Berlin\"\nmonday = [\"09:00-13:00\", \"12:00-17:00\"]\n",
            "office_hours.monday",
        ),
        ("smtp_password = \"hunter2\"\n", "smtp_password"),
    ] {
        let file = dir.path().join("shopdesk.toml");
        std::fs::write(&file, config).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
            .arg("--config")
            .arg(&file)
            .arg("--root")
            .arg(&root)
            .args(["--addr", "127.0.0.1:0"])
            .arg("--database")
            .arg(dir.path().join("shopdesk.db"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{config}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(key), "{config}: {said}");
    }
}
