//! The deployment files in `deploy/` as shipped: the systemd units pass
//! `systemd-analyze verify`, and nginx with `deploy/nginx/shopdesk-locations.conf`
//! serves two real instances on one PostgreSQL over TLS and HTTP/2, passes each chat
//! event on at once, and keeps serving when an instance dies.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::client::{uuid, STORE};
use common::instance::{get, Instance, AGENT};
use common::{store_site, Backend, TestDb};
use serde_json::{json, Value};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

/// `program`, from `PATH` or `/usr/sbin` (where Debian puts nginx, outside a normal
/// user's `PATH`); fails the test with what to install when it is missing.
fn tool(program: &str) -> Command {
    let on_path = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    let sbin = Path::new("/usr/sbin").join(program);
    if on_path {
        Command::new(program)
    } else if sbin.is_file() {
        Command::new(sbin)
    } else {
        panic!(
            "{program} is missing; scripts/setup.sh installs it (Debian nginx-light, systemd, openssl, curl)"
        )
    }
}

#[test]
fn the_systemd_units_verify() {
    let dir = tempfile::tempdir().unwrap();
    let server = env!("CARGO_BIN_EXE_shopdesk-server");
    let mut units = Vec::new();
    for name in ["shopdesk.service", "shopdesk@.service"] {
        let text = std::fs::read_to_string(deploy().join("systemd").join(name)).unwrap();
        let unit = dir.path().join(name);
        std::fs::write(
            &unit,
            text.replace("/usr/local/bin/shopdesk-server", server),
        )
        .unwrap();
        units.push(unit);
    }
    // The template is verified as an instance of it.
    units[1] = dir.path().join("shopdesk@8081.service");
    std::fs::copy(dir.path().join("shopdesk@.service"), &units[1]).unwrap();
    let out = tool("systemd-analyze")
        .arg("verify")
        .args(&units)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    for complaint in ["Unknown", "ignoring", "Invalid", "Failed"] {
        assert!(!said.contains(complaint), "{said}");
    }
}

/// nginx on a temporary prefix, one process (`master_process off`, so killing it leaves
/// no workers behind); stopped on drop.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_nginx(dir: &Path, upstreams: &[&str]) -> (Nginx, String) {
    let run = |cmd: &mut Command| assert!(cmd.status().unwrap().success(), "{cmd:?}");
    run(tool("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stderr(Stdio::null()));
    let port = free_port();
    let servers: String = upstreams
        .iter()
        .map(|base| {
            let at = base.trim_start_matches("http://");
            format!("server {at} max_fails=1 fail_timeout=10s;\n")
        })
        .collect();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n\
           access_log off;\n\
           client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
           upstream shopdesk {{ {servers} keepalive 16; }}\n\
           server {{\n\
             listen 127.0.0.1:{port} ssl http2;\n\
             ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem;\n\
             include {};\n\
           }}\n\
         }}\n",
        deploy().join("nginx/shopdesk-locations.conf").display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = tool("nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-e", &format!("{d}/error.log")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let nginx = Nginx(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (nginx, format!("https://localhost:{port}"))
}

/// A request through nginx with curl over HTTP/2: status, HTTP version, JSON body.
fn curl(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, String, Value) {
    let mut cmd = tool("curl");
    cmd.args([
        "-sk",
        "--http2",
        "-X",
        method,
        "-H",
        &format!("Origin: {STORE}"),
    ])
    .args(["-w", "\n%{http_code} %{http_version}", url]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    if let Some(b) = body {
        cmd.args([
            "-H",
            "Content-Type: application/json",
            "--data",
            &b.to_string(),
        ]);
    }
    let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    let (body, tail) = out.rsplit_once('\n').unwrap();
    let (status, version) = tail.split_once(' ').unwrap();
    (
        status.parse().unwrap(),
        version.to_string(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&format!("{base}/readyz")).0 != 200 {
        assert!(Instant::now() < deadline, "{base} never became ready");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn nginx_serves_two_instances_over_tls_and_http2_and_streams_each_event_at_once() {
    let db = TestDb::new(Backend::Postgres);
    let site = store_site(db.dir.path());
    let mut a = Instance::start_with(&db.arg(), &site, &["--trust-proxy"]);
    let b = Instance::start_with(&db.arg(), &site, &["--trust-proxy"]);
    wait_ready(&a.base);
    wait_ready(&b.base);
    let dir = tempfile::tempdir().unwrap();
    let (_nginx, front) = start_nginx(dir.path(), &[&a.base, &b.base]);

    let (status, version, _) = curl("GET", &format!("{front}/readyz"), None, None);
    assert_eq!((status, version.as_str()), (200, "2"));
    let feedback = |n: u32| json!({"id": uuid(n), "kind": "csat", "score": 5, "created_at": "2026-11-30T12:00:00Z"});
    let (status, _, stored) = curl(
        "POST",
        &format!("{front}/v1/feedback"),
        None,
        Some(feedback(1)),
    );
    assert_eq!(status, 201, "{stored}");

    // A shopper's event stream through nginx receives the agent's reply at once.
    let (status, _, started) = curl("POST", &format!("{front}/v1/chat"), None, Some(json!({})));
    assert_eq!(status, 201, "{started}");
    let (id, token) = (
        started["id"].as_str().unwrap().to_string(),
        started["token"].as_str().unwrap().to_string(),
    );
    let (status, _, ticket) = curl(
        "POST",
        &format!("{front}/v1/chat/{id}/tickets"),
        Some(&token),
        None,
    );
    assert_eq!(status, 201, "{ticket}");
    let ticket = ticket["ticket"].as_str().unwrap().to_string();
    let mut stream = tool("curl")
        .args(["-skN", "--http2", "-H", &format!("Origin: {STORE}")])
        .arg(format!("{front}/v1/chat/{id}/events?ticket={ticket}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let out = BufReader::new(stream.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return,
                Ok(_) => {}
                Err(_) => panic!("{needle:?} did not come through nginx within 5 s"),
            }
        }
    };
    wait_for("\"started\"");
    let sent = Instant::now();
    let (status, _, reply) = curl(
        "POST",
        &format!("{front}/v1/agent/conversations/{id}/messages"),
        Some(AGENT),
        Some(json!({"id": uuid(2), "body": "your parcel left today"})),
    );
    assert_eq!(status, 201, "{reply}");
    wait_for("your parcel left today");
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "the event waited in a buffer: {:?}",
        sent.elapsed()
    );
    let _ = stream.kill();
    let _ = stream.wait();

    // One instance dies: requests through nginx go to the other, nothing is refused.
    a.kill();
    for n in 10..16 {
        let (status, _, answer) = curl(
            "POST",
            &format!("{front}/v1/feedback"),
            None,
            Some(feedback(n)),
        );
        assert_eq!(status, 201, "{answer}");
    }
    let (status, _, _) = curl("GET", &format!("{front}/readyz"), None, None);
    assert_eq!(status, 200);
    drop(b);
}
