//! Open event streams at scale: what one agent reply costs when 50, 5,000 or 20,000
//! shoppers hold a stream open on one instance. For each stream count it starts the
//! release `shopdesk-server` on a fresh database, opens that many conversations with a
//! shopper stream each (as the widget does) and waits until every stream has its first
//! event, reads the server's memory, then sends agent replies to conversations spread
//! over all of them, 1 or 20 at a time, and times each reply from the POST to its
//! arrival on that shopper's stream. Loopback only; every run stops by itself.
//!
//!   cargo run --release -p shopdesk-bench --bin streams -- --streams 50,5000,20000

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use shopdesk_bench::server::{
    each_event, open_stream_with, post, raise_file_limit, read_response, Backend, Database, Server,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;

const AGENT: &str = "bench-agent-token-0123456789";
/// Conversations started at once while setting up.
const SETUP_CONCURRENCY: usize = 32;

#[derive(Debug, Parser)]
struct Args {
    /// Open shopper streams, one run each (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "50,5000,20000")]
    streams: Vec<usize>,
    /// Agent replies in flight at once, one measurement each (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1,20")]
    in_flight: Vec<usize>,
    /// Replies timed per measurement.
    #[arg(long, default_value_t = 1000)]
    replies: usize,
    /// Where the conversations are stored.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// The server binary (built with `cargo build --release -p shopdesk-server`).
    #[arg(long, default_value = "target/release/shopdesk-server")]
    server: String,
}

/// Send times of replies, and their arrival delays on the shoppers' streams.
#[derive(Default)]
struct Clock {
    sent: HashMap<String, Instant>,
    arrived_us: Vec<u32>,
}

type Shared = Arc<Mutex<Clock>>;

fn lock(clock: &Shared) -> std::sync::MutexGuard<'_, Clock> {
    clock.lock().unwrap_or_else(|p| p.into_inner())
}

fn main() -> std::process::ExitCode {
    shopdesk_bench::finish(run())
}

fn run() -> Result<()> {
    let args = Args::parse();
    let most = args.streams.iter().copied().max().unwrap_or(0) as u64;
    // Each stream is a socket in this process and one in the server (which inherits
    // the limit), plus a few hundred for the server's database connections, files and
    // the agents' connections.
    raise_file_limit(most + 500)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    println!("| database | open streams | replies in flight | replies | reply → shopper p50 ms | p99 ms | max ms | server memory MB | KB per open stream | lost |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &streams in &args.streams {
        let database = Database::fresh(args.backend)?;
        let server = Server::start(&args.server, &database, &["--agent-token", AGENT])?;
        runtime.block_on(measure(&args, &server, streams))?;
    }
    println!();
    println!(
        "- One server instance ({:?}); each shopper's stream is its own HTTP/1.1 connection, open and idle \
         until a reply for its conversation arrives. Replies go to conversations spread over all streams, \
         each over the agent API on a keep-alive connection; the time runs from sending the POST to the \
         event's arrival on that shopper's stream (it includes the commit). Memory per stream: the server's \
         RSS growth while the conversations and their streams were opened, divided by their number. \
         Client and server share the 2-core machine (127.0.0.1).",
        args.backend
    );
    Ok(())
}

async fn measure(args: &Args, server: &Server, streams: usize) -> Result<()> {
    let addr = server.addr.clone();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before_kb = server.rss_kb()?;
    let clock: Shared = Arc::default();

    // Conversations and their streams, a batch at a time; each stream counts as open
    // once its `started` event arrived (its subscription is live).
    let mut conversations = Vec::with_capacity(streams);
    let mut keep = Vec::with_capacity(streams);
    let mut pending = Vec::new();
    for n in 0..streams {
        let (addr, clock) = (addr.clone(), clock.clone());
        pending.push(tokio::spawn(async move { open_one(&addr, clock).await }));
        if pending.len() == SETUP_CONCURRENCY || n + 1 == streams {
            for task in pending.drain(..) {
                let (id, write) = task.await.context("opening a stream")??;
                conversations.push(id);
                keep.push(write);
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_kb = server.rss_kb()?;
    let per_stream_kb = (after_kb.saturating_sub(before_kb)) as f64 / streams.max(1) as f64;

    for &in_flight in &args.in_flight {
        {
            let mut c = lock(&clock);
            c.sent.clear();
            c.arrived_us.clear();
        }
        let per_worker = args.replies.div_ceil(in_flight.max(1));
        let conversations = Arc::new(conversations.clone());
        let mut workers = Vec::new();
        for w in 0..in_flight.max(1) {
            let (addr, clock, conversations) = (addr.clone(), clock.clone(), conversations.clone());
            workers.push(tokio::spawn(async move {
                agent(
                    &addr,
                    w,
                    in_flight.max(1),
                    per_worker,
                    &conversations,
                    clock,
                )
                .await
            }));
        }
        let mut sent = 0;
        for w in workers {
            sent += w.await.context("an agent task failed")??;
        }
        // Whatever is still on its way gets a moment to arrive.
        let deadline = Instant::now() + Duration::from_secs(10);
        while lock(&clock).arrived_us.len() < sent && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut c = lock(&clock);
        let arrived = c.arrived_us.len();
        c.arrived_us.sort_unstable();
        let pct = |p: f64| -> f64 {
            let v = &c.arrived_us;
            if v.is_empty() {
                return 0.0;
            }
            let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
            f64::from(v[i]) / 1000.0
        };
        println!(
            "| {:?} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.0} | {:.1} | {} |",
            args.backend,
            streams,
            in_flight,
            sent,
            pct(0.50),
            pct(0.99),
            pct(1.0),
            after_kb as f64 / 1024.0,
            per_stream_kb,
            sent.saturating_sub(arrived),
        );
        if arrived < sent {
            bail!(
                "{} replies never reached their shopper's stream",
                sent - arrived
            );
        }
    }
    drop(keep);
    Ok(())
}

/// Starts a conversation and opens its shopper stream; returns its id once the stream
/// delivered the `started` event, and the write half that keeps the stream open.
async fn open_one(addr: &str, clock: Shared) -> Result<(String, tokio::net::tcp::OwnedWriteHalf)> {
    let (status, body) = post(addr, "/v1/chat", None, "{}").await?;
    if status != 201 {
        bail!("starting a conversation: HTTP {status} {body}");
    }
    let started: serde_json::Value = serde_json::from_str(&body)?;
    let id = started["id"].as_str().context("no id")?.to_string();
    let token = started["token"].as_str().context("no token")?;
    let (mut read, write) = open_stream_with(
        addr,
        &format!("/v1/chat/{id}/events"),
        &[("Authorization", &format!("Bearer {token}"))],
    )
    .await?;
    let mut line = String::new();
    loop {
        line.clear();
        if read.read_line(&mut line).await? == 0 {
            bail!("the stream of {id} ended before its first event");
        }
        if line.starts_with("data:") {
            break;
        }
    }
    tokio::spawn(read_stream(read, clock));
    Ok((id, write))
}

/// One agent: `count` replies one after another on one keep-alive connection, to
/// conversations `worker`, `worker + workers`, … (wrapping), so the replies in flight
/// go to different conversations spread over all of them. Returns replies stored.
async fn agent(
    addr: &str,
    worker: usize,
    workers: usize,
    count: usize,
    conversations: &[String],
    clock: Shared,
) -> Result<usize> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut stored = 0;
    // A stride coprime with most counts spreads the replies over the conversations.
    let stride = 7919;
    for k in 0..count {
        let target = &conversations[((worker + k * workers) * stride) % conversations.len()];
        // Unique per measurement, worker and reply.
        let id = format!("{workers:04x}{worker:04x}-0000-4000-8000-{k:012x}");
        let body = format!(r#"{{"id":"{id}","body":"It ships tomorrow."}}"#);
        let request = format!(
            "POST /v1/agent/conversations/{target}/messages HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {AGENT}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        lock(&clock).sent.insert(id, Instant::now());
        write.write_all(request.as_bytes()).await?;
        let (status, answer) = read_response(&mut read).await?;
        match status {
            201 => stored += 1,
            _ => bail!(
                "a reply was refused: HTTP {status} {}",
                String::from_utf8_lossy(&answer)
            ),
        }
    }
    Ok(stored)
}

/// Notes when each reply shows up on a shopper's stream.
async fn read_stream(read: BufReader<OwnedReadHalf>, clock: Shared) {
    each_event(read, |event, now| {
        let mut c = lock(&clock);
        if let Some(sent) = event["id"].as_str().and_then(|id| c.sent.get(id).copied()) {
            let us = now.duration_since(sent).as_micros() as u32;
            c.arrived_us.push(us);
        }
    })
    .await
}
