//! The real `shopdesk-server` for the load tests (`ingest`, `chat`, `streams`): the
//! release binary on 127.0.0.1:0 with the rate limit off, on a fresh database of either
//! backend, stopped when dropped; and reading its HTTP/1.1 answers off a raw connection
//! (the load generators speak HTTP themselves, to measure the server and not a client
//! library).

use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use pg_temp::{Cluster, Durability};
use tokio::io::AsyncWriteExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;

/// Which database the servers under test keep their data in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// A file in a temporary folder (WAL, synchronous=FULL): the embedded default.
    Sqlite,
    /// A throwaway PostgreSQL server with its production defaults (fsync on).
    Postgres,
}

/// A fresh database for one run; deleted (and its server stopped) when dropped.
#[derive(Debug)]
pub struct Database {
    /// What `--database` says.
    pub arg: String,
    pub backend: Backend,
    dir: tempfile::TempDir,
    _cluster: Option<Cluster>,
}

impl Database {
    pub fn fresh(backend: Backend) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let (arg, cluster) = match backend {
            Backend::Sqlite => (
                dir.path()
                    .join("shopdesk.db")
                    .to_string_lossy()
                    .into_owned(),
                None,
            ),
            Backend::Postgres => {
                let cluster = Cluster::start(Durability::Production)
                    .context("starting PostgreSQL for the benchmark")?;
                (cluster.create_database("bench")?, Some(cluster))
            }
        };
        Ok(Database {
            arg,
            backend,
            dir,
            _cluster: cluster,
        })
    }

    /// Adds an agent account with the real binary's `agent add` (password on standard
    /// input, as a script would).
    pub fn add_agent(&self, binary: &str, name: &str, email: &str, password: &str) -> Result<()> {
        use std::io::Write;
        let mut child = Command::new(binary)
            .args([
                "agent",
                "add",
                "--name",
                name,
                "--email",
                email,
                "--database",
            ])
            .arg(&self.arg)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run {binary} agent add"))?;
        child
            .stdin
            .take()
            .context("no stdin")?
            .write_all(format!("{password}\n").as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "agent add {email}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    /// A served folder with a one-line page, beside the database.
    fn site(&self) -> Result<std::path::PathBuf> {
        let site = self.dir.path().join("site");
        if !site.is_dir() {
            std::fs::create_dir(&site)?;
            std::fs::write(site.join("index.html"), "<!doctype html>")?;
        }
        Ok(site)
    }
}

#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Server {
    /// Starts `binary` on `database` with `extra` arguments and waits for the address
    /// it prints. Every simulated shopper comes from 127.0.0.1, so the per-client
    /// bounds (rate, open conversations, streams) are lifted: the benchmarks measure
    /// what the server holds, not what one client may take.
    pub fn start(binary: &str, database: &Database, extra: &[&str]) -> Result<Self> {
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0", "--rate-limit", "0"])
            .args(["--max-connections", "40000", "--max-streams", "39000"])
            .args(["--max-streams-per-client", "39000"])
            .args(["--max-open-chats", "1000000", "--max-open-chats-per-client", "1000000"])
            .arg("--root")
            .arg(database.site()?)
            .arg("--database")
            .arg(&database.arg)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!("cannot start {binary}; build it with `cargo build --release -p shopdesk-server`")
            })?;
        let stdout = child.stdout.take().context("no server stdout")?;
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
        let line = lines.next().context("the server exited at start")??;
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .and_then(|a| a.strip_suffix('/'))
            .context("the server did not print its address")?
            .to_string();
        // Keep reading what it prints, so it never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { child, addr })
    }

    /// The server's resident memory now, in KB (`VmRSS`).
    pub fn rss_kb(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS in /proc/PID/status")
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

/// Raises this process's open-file limit to at least `wanted` (servers started after
/// inherit it); as root the hard limit too.
pub fn raise_file_limit(wanted: u64) -> Result<()> {
    use rlimit::Resource;
    let (soft, hard) = Resource::NOFILE.get()?;
    if soft >= wanted {
        return Ok(());
    }
    let target_hard = hard.max(wanted);
    if Resource::NOFILE.set(wanted, target_hard).is_err() {
        Resource::NOFILE.set(hard, hard)?;
        bail!(
            "this benchmark needs {wanted} open files and the limit is {hard}; \
             raise it (`ulimit -Hn`) or run as root"
        );
    }
    Ok(())
}

/// The status and headers (names lower-case) of a response.
async fn read_head(read: &mut BufReader<OwnedReadHalf>) -> Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    read.read_line(&mut line).await?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        read.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    Ok((status, headers))
}

/// Status and body of one response with a `Content-Length`.
pub async fn read_response(read: &mut BufReader<OwnedReadHalf>) -> Result<(u16, Vec<u8>)> {
    let (status, headers) = read_head(read).await?;
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map(|(_, v)| v.parse())
        .transpose()?
        .unwrap_or(0);
    let mut body = vec![0; length];
    read.read_exact(&mut body).await?;
    Ok((status, body))
}

/// One POST on a connection of its own: status and body.
pub async fn post(
    addr: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Result<(u16, String)> {
    let stream = TcpStream::connect(addr).await?;
    let (read, mut write) = stream.into_split();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    write.write_all(request.as_bytes()).await?;
    let (status, body) = read_response(&mut BufReader::new(read)).await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// One request with `headers` on a connection of its own: status, the response's
/// headers (names lower-case) and body.
pub async fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<(u16, Vec<(String, String)>, String)> {
    let stream = TcpStream::connect(addr).await?;
    let (read, mut write) = stream.into_split();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head += &format!("{name}: {value}\r\n");
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        head += &format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
    } else if method != "GET" {
        head += "Content-Length: 0\r\n";
    }
    write
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .await?;
    let mut read = BufReader::new(read);
    let (status, found) = read_head(&mut read).await?;
    let mut rest = Vec::new();
    read.read_to_end(&mut rest).await?;
    let chunked = found
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { unchunk(&rest) } else { rest };
    Ok((status, found, String::from_utf8_lossy(&body).into_owned()))
}

/// The body of a `Transfer-Encoding: chunked` response.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        let stop = (start + size).min(raw.len());
        body.extend_from_slice(&raw[start..stop]);
        raw = raw.get(stop + 2..).unwrap_or(&[]);
    }
    body
}

/// Opens a server-sent event stream; returns it after the response headers, with the
/// connection's write half (dropping that would end the stream).
pub async fn open_stream(
    addr: &str,
    path: &str,
) -> Result<(BufReader<OwnedReadHalf>, OwnedWriteHalf)> {
    open_stream_with(addr, path, &[]).await
}

/// The same with more request headers (an agent's session cookie).
pub async fn open_stream_with(
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(BufReader<OwnedReadHalf>, OwnedWriteHalf)> {
    let stream = TcpStream::connect(addr).await?;
    let (read, mut write) = stream.into_split();
    let mut request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n");
    for (name, value) in headers {
        request += &format!("{name}: {value}\r\n");
    }
    request += "\r\n";
    write.write_all(request.as_bytes()).await?;
    let mut read = BufReader::new(read);
    let mut line = String::new();
    read.read_line(&mut line).await?;
    if !line.contains(" 200 ") {
        bail!("{path}: {}", line.trim());
    }
    loop {
        line.clear();
        read.read_line(&mut line).await?;
        if line.trim_end().is_empty() {
            break;
        }
    }
    Ok((read, write))
}

/// Calls `on(event, arrived)` for each event of a server-sent event stream until it
/// ends, with the time its line was read. Events arrive one per chunk of the chunked
/// body, so their `data:` lines are whole.
pub async fn each_event(
    mut read: BufReader<OwnedReadHalf>,
    mut on: impl FnMut(serde_json::Value, std::time::Instant),
) {
    let mut line = String::new();
    loop {
        line.clear();
        match read.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let arrived = std::time::Instant::now();
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        if let Ok(event) = serde_json::from_str(data.trim()) {
            on(event, arrived);
        }
    }
}
