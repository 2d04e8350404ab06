//! The real binary facing a hostile or unlucky internet: settings that would break it,
//! slow clients, too many connections, files it must not serve, and shutdowns (SIGTERM
//! and `kill -9`) that must not lose anything acknowledged.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::client::{uuid, Stream, STORE};
use common::instance::{Instance, AGENT};
use common::{on_both, Backend, TestDb};
use serde_json::json;

on_both!(
    sigterm_ends_open_streams_at_once_and_keeps_every_acknowledged_response,
    kill_9_during_group_commits_loses_no_acknowledged_response,
);

fn server(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn rate_limits_that_would_break_the_server_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    let db = dir.path().join("shopdesk.db");
    for (flag, value) in [
        ("--rate-limit", "1e-20"),
        ("--rate-limit", "inf"),
        ("--rate-burst", "0"),
        ("--max-connections", "1"),
    ] {
        let out = server(&[
            "--addr",
            "127.0.0.1:0",
            "--root",
            root.to_str().unwrap(),
            "--database",
            db.to_str().unwrap(),
            flag,
            value,
        ]);
        assert!(!out.status.success(), "{flag} {value} was accepted");
        let said = String::from_utf8_lossy(&out.stderr);
        let key = flag.trim_start_matches("--").replace('-', "_");
        assert!(said.contains(&key), "{flag} {value}: {said}");
    }
}

#[test]
fn a_database_linked_into_the_served_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    std::fs::create_dir(dir.path().join("data")).unwrap();
    // The database's own name is outside, but it is a link to a file in the site.
    let link = dir.path().join("data/shopdesk.db");
    std::os::unix::fs::symlink(root.join("shopdesk.db"), &link).unwrap();
    std::fs::write(root.join("shopdesk.db"), "").unwrap();
    let out = server(&[
        "--addr",
        "127.0.0.1:0",
        "--root",
        root.to_str().unwrap(),
        "--database",
        link.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("inside the served folder"), "{said}");
}

/// Writes `head` to a new connection and returns what the server answered before it
/// closed the connection (or `patience` ran out), and when.
fn dribble(base: &str, head: &str, patience: Duration) -> (String, Duration) {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(patience)).unwrap();
    let started = Instant::now();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn slow_clients_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    let db = dir.path().join("shopdesk.db");
    let s = Instance::start(db.to_str().unwrap(), &root);
    let host = s.base.trim_start_matches("http://").to_string();
    // Headers that never end: hyper's header timeout closes the connection.
    let (answer, took) = dribble(
        &s.base,
        &format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Slow: "),
        Duration::from_secs(30),
    );
    assert!(took < Duration::from_secs(20), "held for {took:?}");
    assert!(!answer.contains("200 OK"), "{answer}");
    // A body that stops arriving: 408 with the usual JSON refusal.
    let (answer, took) = dribble(
        &s.base,
        &format!(
            "POST /v1/feedback HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Content-Length: 200\r\n\r\n{{\"id\": \"0"
        ),
        Duration::from_secs(30),
    );
    assert!(took < Duration::from_secs(20), "held for {took:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\""), "{answer}");
}

#[test]
fn connections_beyond_the_cap_wait_for_a_free_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::store_site(dir.path());
    let db = dir.path().join("shopdesk.db");
    let s = Instance::start_with(
        db.to_str().unwrap(),
        &root,
        &["--max-connections", "16", "--max-streams", "8"],
    );
    let addr = s.base.trim_start_matches("http://").to_string();
    let request = format!("GET /v1/openapi.json HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let mut held = Vec::new();
    for _ in 0..16 {
        let mut c = TcpStream::connect(&addr).unwrap();
        c.write_all(request.as_bytes()).unwrap();
        let mut first = [0u8; 12];
        c.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");
        held.push(c);
    }
    let mut late = TcpStream::connect(&addr).unwrap();
    late.set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    late.write_all(request.as_bytes()).unwrap();
    let mut first = [0u8; 12];
    assert!(
        late.read_exact(&mut first).is_err(),
        "a 17th connection was served while 16 were open"
    );
    drop(held.pop());
    late.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    late.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
}

/// Posts feedback responses from `threads` clients until `stop`, collecting the ids
/// the server acknowledged (201).
fn post_until(
    base: &str,
    threads: u32,
    stop: Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<Vec<String>>> {
    (0..threads)
        .map(|t| {
            let base = base.to_string();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let id = uuid(t * 1_000_000 + n);
                    let body = json!({
                        "id": id, "kind": "csat", "score": 4,
                        "created_at": "2026-11-20T12:00:00Z",
                        "page_url": "https://shop.example/thanks",
                    });
                    let answer = ureq::post(&format!("{base}/v1/feedback"))
                        .set("Origin", STORE)
                        .timeout(Duration::from_secs(5))
                        .send_json(body);
                    match answer {
                        Ok(r) if r.status() == 201 => acknowledged.push(id),
                        // Refused or cut off by the shutdown: not acknowledged.
                        _ => {
                            if stop.load(Ordering::Relaxed) {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(5));
                        }
                    }
                }
                acknowledged
            })
        })
        .collect()
}

/// The ids stored in `db`, read by the real `report --csv`.
fn stored_ids(db: &TestDb) -> std::collections::HashSet<String> {
    let out = server(&["report", "--csv", "--database", &db.arg()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(str::to_string)
        .collect()
}

fn sigterm_ends_open_streams_at_once_and_keeps_every_acknowledged_response(backend: Backend) {
    let db = TestDb::new(backend);
    let root = common::store_site(db.dir.path());
    let mut s = Instance::start(&db.arg(), &root);
    let auth = format!("Bearer {AGENT}");
    let streams: Vec<Stream> = (0..5)
        .map(|_| {
            let (status, stream) = Stream::open_with(
                &format!("{}/v1/agent/events", s.base),
                &[("Authorization", &auth)],
            );
            assert_eq!(status, 200);
            stream.unwrap()
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let writers = post_until(&s.base, 4, stop.clone());
    std::thread::sleep(Duration::from_millis(700));
    let (took, clean) = s.terminate(Duration::from_secs(10));
    stop.store(true, Ordering::Relaxed);
    assert!(took < Duration::from_secs(5), "shutdown took {took:?}");
    assert!(clean, "the server did not exit successfully after SIGTERM");
    let ended = Arc::new(Mutex::new(0));
    for mut stream in streams {
        // Each stream ends (EOF) rather than stalling.
        while stream.next().is_some() {}
        *ended.lock().unwrap() += 1;
    }
    assert_eq!(*ended.lock().unwrap(), 5);
    every_acknowledged_response_is_stored(&joined(writers), &db);
}

/// What the writers of [`post_until`] saw acknowledged.
fn joined(writers: Vec<std::thread::JoinHandle<Vec<String>>>) -> Vec<String> {
    writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect()
}

/// The acknowledged ids (more than a handful) are all in `db`.
fn every_acknowledged_response_is_stored(acknowledged: &[String], db: &TestDb) {
    assert!(
        acknowledged.len() > 20,
        "only {} writes",
        acknowledged.len()
    );
    let stored = stored_ids(db);
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
}

fn kill_9_during_group_commits_loses_no_acknowledged_response(backend: Backend) {
    let db = TestDb::new(backend);
    let root = common::store_site(db.dir.path());
    let mut s = Instance::start(&db.arg(), &root);
    let stop = Arc::new(AtomicBool::new(false));
    let writers = post_until(&s.base, 8, stop.clone());
    std::thread::sleep(Duration::from_millis(800));
    s.kill();
    stop.store(true, Ordering::Relaxed);
    let acknowledged = joined(writers);
    // The next start recovers the database (SQLite's journal, PostgreSQL's WAL).
    let again = Instance::start(&db.arg(), &root);
    drop(again);
    every_acknowledged_response_is_stored(&acknowledged, &db);
}
