//! The real `shopdesk-server` binary as a child process, killed (SIGKILL) on drop.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::client::STORE;

pub(crate) const AGENT: &str = "test-agent-token-0123456789";

/// Emails go beside the test's site, never into the working directory, unless the
/// test says where.
fn mail_folder(root: &Path, flags: &[&str]) -> Vec<String> {
    if flags
        .iter()
        .any(|f| *f == "--mail-folder" || *f == "--smtp-host")
    {
        return Vec::new();
    }
    let folder = root.parent().unwrap_or(root).join("mail");
    vec![
        "--mail-folder".into(),
        folder.to_string_lossy().into_owned(),
    ]
}

/// No rate limit unless the test sets one.
fn unlimited(flags: &[&str]) -> &'static [&'static str] {
    if flags.contains(&"--rate-limit") {
        &[]
    } else {
        &["--rate-limit", "0"]
    }
}

pub(crate) struct Instance {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// `http://127.0.0.1:PORT/metrics` with `--metrics-addr`.
    pub metrics: Option<String>,
    /// What it wrote to standard error so far.
    pub logs: Arc<Mutex<Vec<String>>>,
}

impl Instance {
    /// Serves `root` on `database` (chat on, store origin allowed, no rate limit).
    pub(crate) fn start(database: &str, root: &Path) -> Instance {
        Self::start_with(database, root, &[])
    }

    /// The same, with more flags.
    pub(crate) fn start_with(database: &str, root: &Path, flags: &[&str]) -> Instance {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shopdesk-server"))
            .args(["--addr", "127.0.0.1:0", "--agent-token", AGENT])
            .args(["--allow-origin", STORE])
            .args(unlimited(flags))
            .arg("--root")
            .arg(root)
            .arg("--database")
            .arg(database)
            .args(flags)
            .args(mail_folder(root, flags))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let kept = logs.clone();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut metrics = None;
        let base = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(url) = line.strip_prefix("Metrics: ") {
                metrics = Some(url.to_string());
            }
            if let Some(url) = line.strip_prefix("Shopdesk demo store: ") {
                break url.trim_end_matches('/').to_string();
            }
        };
        // Keep reading what it prints, so it never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Instance {
            child,
            base,
            metrics,
            logs,
        }
    }

    /// Sends SIGTERM (what service managers send) and returns how long the server took
    /// to exit and whether it exited successfully; panics after `patience`.
    pub(crate) fn terminate(&mut self, patience: Duration) -> (Duration, bool) {
        let started = std::time::Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (started.elapsed(), status.success());
            }
            assert!(
                started.elapsed() < patience,
                "the server was still running {patience:?} after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `GET {url}`'s status and body (also for 4xx/5xx).
pub(crate) fn get(url: &str) -> (u16, String) {
    match ureq::get(url).timeout(Duration::from_secs(10)).call() {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(other) => panic!("{url}: {other}"),
    }
}
