//! The real `shopdesk-server` for the load tests (`ingest`, `chat`): the release binary
//! on 127.0.0.1:0 with a fresh database in a temporary folder and the rate limit off,
//! stopped when dropped; and reading its HTTP/1.1 answers off a raw connection (the
//! load generators speak HTTP themselves, to measure the server and not a client
//! library).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;

#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    pub database: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts `binary` with `extra` arguments and waits for the address it prints.
    pub fn start(binary: &str, extra: &[&str]) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let site = dir.path().join("site");
        std::fs::create_dir(&site)?;
        std::fs::write(site.join("index.html"), "<!doctype html>")?;
        let database = dir.path().join("shopdesk.db");
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0", "--rate-limit", "0", "--root"])
            .arg(&site)
            .arg("--database")
            .arg(&database)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!("cannot start {binary}; build it with `cargo build --release -p shopdesk-server`")
            })?;
        let stdout = child.stdout.take().context("no server stdout")?;
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .and_then(|a| a.strip_suffix('/'))
            .context("the server did not print its address")?
            .to_string();
        Ok(Self {
            child,
            addr,
            database,
            _dir: dir,
        })
    }

    /// Stops the server (the database stays, to be read back).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Status and body of one response with a `Content-Length`.
pub async fn read_response(read: &mut BufReader<OwnedReadHalf>) -> Result<(u16, Vec<u8>)> {
    let mut line = String::new();
    read.read_line(&mut line).await?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {line:?}"))?;
    let mut length = 0usize;
    loop {
        line.clear();
        read.read_line(&mut line).await?;
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(v) = header.strip_prefix("content-length:") {
            length = v.trim().parse()?;
        }
    }
    let mut body = vec![0; length];
    read.read_exact(&mut body).await?;
    Ok((status, body))
}
