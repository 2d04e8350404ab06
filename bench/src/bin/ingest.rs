//! Ingest load test: starts the release `shopdesk-server` on 127.0.0.1 (one instance or
//! several sharing one database) with a fresh SQLite file or PostgreSQL database (rate
//! limit off), posts unique feedback responses (or, with `--kind searches`, search
//! sessions of three searches) over keep-alive connections for a fixed time, and prints
//! requests/s, latency percentiles, and whether every acknowledged one is in the
//! database (read back with `shopdesk-server report`, or the search report). Loopback
//! only; the run stops by itself.
//!
//!   cargo run --release -p shopdesk-bench --bin ingest -- --seconds 10 --connections 32
//!   cargo run --release -p shopdesk-bench --bin ingest -- --backend postgres --instances 2
//!   cargo run --release -p shopdesk-bench --bin ingest -- --kind searches

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use shopdesk_bench::server::{read_response, Backend, Database, Server};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, Parser)]
struct Args {
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent keep-alive connections (32 gave the most responses/s here; 64 and
    /// 128 only add queueing on 2 cores).
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// The server binary (built with `cargo build --release -p shopdesk-server`).
    #[arg(long, default_value = "target/release/shopdesk-server")]
    server: String,
    /// Where the responses are stored.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// Server instances on the one database; connections take turns (PostgreSQL only
    /// for more than one).
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// What is posted.
    #[arg(long, value_enum, default_value = "feedback")]
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    /// NPS responses to `/v1/feedback`.
    Feedback,
    /// Search sessions (three searches each) to `/v1/searches`.
    Searches,
}

/// The admin token of the servers started here (to read the search report back).
const ADMIN: &str = "ingest-bench-admin-token";

/// One connection's results.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    stored: u64,
    duplicates: u64,
    errors: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.instances > 1 && args.backend == Backend::Sqlite {
        bail!("several instances share a database on PostgreSQL only: add --backend postgres");
    }
    let database = Database::fresh(args.backend)?;
    let mut servers = (0..args.instances.max(1))
        .map(|_| Server::start(&args.server, &database, &["--admin-token", ADMIN]))
        .collect::<Result<Vec<_>>>()?;
    let addrs: Vec<String> = servers.iter().map(|s| s.addr.clone()).collect();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let tallies = runtime.block_on(async {
        let mut tasks = Vec::new();
        for c in 0..args.connections {
            let addr = addrs[c % addrs.len()].clone();
            tasks.push(tokio::spawn(connection_loop(c, addr, until, args.kind)));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.push(t.await.context("a connection task failed")?);
        }
        Ok::<_, anyhow::Error>(all)
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies: Vec<u32> = Vec::new();
    let (mut stored, mut duplicates, mut errors) = (0, 0, 0);
    for t in tallies {
        let t = t?;
        latencies.extend(t.latencies_us);
        stored += t.stored;
        duplicates += t.duplicates;
        errors += t.errors;
    }
    let in_db = match args.kind {
        Kind::Searches => runtime.block_on(sessions_stored(&addrs[0]))?,
        Kind::Feedback => {
            servers.iter_mut().for_each(Server::stop);
            let out = Command::new(&args.server)
                .args(["report", "--json", "--database"])
                .arg(&database.arg)
                .output()?;
            if !out.status.success() {
                bail!("report failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            report["responses"].as_u64().unwrap_or(0)
        }
    };
    servers.iter_mut().for_each(Server::stop);

    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        f64::from(latencies[i]) / 1000.0
    };
    println!("| posted | database | instances | connections | seconds | acknowledged | per second | p50 ms | p99 ms | max ms | errors | in database | lost |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {:?} | {:?} | {} | {} | {:.1} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
        args.kind,
        args.backend,
        addrs.len(),
        args.connections,
        elapsed,
        stored,
        stored as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(1.0),
        errors + duplicates,
        in_db,
        stored.saturating_sub(in_db),
    );
    println!();
    let what = match args.kind {
        Kind::Feedback => "Unique NPS responses",
        Kind::Searches => "Unique search sessions of three searches (four rows each)",
    };
    println!(
        "- {what}, one POST each, HTTP/1.1 keep-alive, client and server on the same 2-core machine (127.0.0.1); \
         one counts as acknowledged on 201, after its transaction committed \
         (SQLite: WAL, synchronous=FULL; PostgreSQL: its defaults, fsync and synchronous_commit on)."
    );
    if stored != in_db {
        bail!(
            "{} acknowledged responses are missing from the database",
            stored - in_db
        );
    }
    Ok(())
}

/// Search sessions stored, from the search report of the server at `addr`.
async fn sessions_stored(addr: &str) -> Result<u64> {
    let stream = TcpStream::connect(addr).await?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let request = format!(
        "GET /v1/reports/searches HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN}\r\n\r\n"
    );
    write.write_all(request.as_bytes()).await?;
    let (status, body) = read_response(&mut read).await?;
    if status != 200 {
        bail!(
            "the search report answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&body)?;
    Ok(report["totals"]["sessions"].as_u64().unwrap_or(0))
}

/// Sends responses (or search sessions) one after another on one connection until
/// `until`.
async fn connection_loop(
    connection: usize,
    addr: String,
    until: Instant,
    kind: Kind,
) -> Result<Tally> {
    let stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut tally = Tally::default();
    let mut n: u64 = 0;
    while Instant::now() < until {
        n += 1;
        let id = format!("{connection:08x}-0000-4000-8000-{n:012x}");
        let (path, body) = match kind {
            Kind::Feedback => (
                "/v1/feedback",
                format!(
                    r#"{{"id":"{id}","kind":"nps","score":{},"comment":"delivery was quick","created_at":"2026-11-23T10:00:00Z"}}"#,
                    n % 11
                ),
            ),
            Kind::Searches => (
                "/v1/searches",
                format!(
                    r#"{{"id":"{id}","locale":"en","started_at":"2026-11-23T10:00:00Z","escalated":{},"searches":[{{"query":"klarna","results":0}},{{"query":"return policy","results":{},"opened":"returns","helpful":true}},{{"query":"shipping to austria {}","results":2}}]}}"#,
                    n.is_multiple_of(5),
                    n % 4,
                    n % 97
                ),
            ),
        };
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let sent = Instant::now();
        write.write_all(request.as_bytes()).await?;
        let (status, _) = read_response(&mut read).await?;
        tally.latencies_us.push(sent.elapsed().as_micros() as u32);
        match status {
            201 => tally.stored += 1,
            200 => tally.duplicates += 1,
            _ => tally.errors += 1,
        }
    }
    Ok(tally)
}
