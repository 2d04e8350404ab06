//! Live chat relay load test: starts the release `shopdesk-server` on 127.0.0.1 with a
//! fresh database and an agent token, opens one agent event stream (as the agent page
//! does) and N conversations, each with its own shopper event stream (as the widget
//! does), and has every shopper send a message at a steady pace for a fixed time. It
//! prints how long the server took to acknowledge a message (stored) and to deliver it
//! to the agent's and to the shopper's own stream, and whether every acknowledged
//! message reached both. With `--instances 2` (PostgreSQL), the shoppers are on the
//! first instance and the agent on the second: every message crosses instances on its
//! way to the agent. Loopback only; the run stops by itself.
//!
//!   cargo run --release -p shopdesk-bench --bin chat -- --conversations 50 --seconds 10
//!   cargo run --release -p shopdesk-bench --bin chat -- --backend postgres --instances 2

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use shopdesk_bench::percentile_ms;
use shopdesk_bench::server::{
    each_event, open_stream_with, post, read_response, Backend, Database, Server,
};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;

const AGENT: &str = "bench-agent-token-0123456789";

#[derive(Debug, Parser)]
struct Args {
    /// Conversations open at once (each shopper has an open event stream).
    #[arg(long, default_value_t = 50)]
    conversations: usize,
    /// How long the shoppers type, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Pause between one shopper's messages, in milliseconds (200: 5 messages a
    /// second each, far faster than people type, to load the relay).
    #[arg(long, default_value_t = 200)]
    pause_ms: u64,
    /// The server binary (built with `cargo build --release -p shopdesk-server`).
    #[arg(long, default_value = "target/release/shopdesk-server")]
    server: String,
    /// Where the conversations are stored.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// Server instances on the one database (PostgreSQL only for more than one).
    #[arg(long, default_value_t = 1)]
    instances: usize,
}

/// When each message was sent, and when it was seen where.
#[derive(Default)]
struct Clock {
    sent: HashMap<String, Instant>,
    acked_us: Vec<u32>,
    to_agent_us: Vec<u32>,
    to_shopper_us: Vec<u32>,
    errors: u64,
}

type Shared = Arc<Mutex<Clock>>;

fn main() -> Result<()> {
    let args = Args::parse();
    if args.instances > 1 && args.backend == Backend::Sqlite {
        bail!("several instances share a database on PostgreSQL only: add --backend postgres");
    }
    let database = Database::fresh(args.backend)?;
    let servers = (0..args.instances.max(1))
        .map(|_| Server::start(&args.server, &database, &["--agent-token", AGENT]))
        .collect::<Result<Vec<_>>>()?;
    // Shoppers on the first instance, the agent on the last.
    let addr = servers[0].addr.clone();
    let agent_addr = servers[servers.len() - 1].addr.clone();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let clock: Shared = Arc::default();
    let (acked, elapsed) = runtime.block_on(async {
        let mut open = Vec::new();
        let (agent, keep) = open_stream_with(
            &agent_addr,
            "/v1/agent/events",
            &[("Authorization", &format!("Bearer {AGENT}"))],
        )
        .await?;
        open.push(keep);
        tokio::spawn(read_stream(agent, clock.clone(), true));
        let mut conversations = Vec::new();
        for _ in 0..args.conversations {
            let (status, body) = post(&addr, "/v1/chat", None, "{}").await?;
            if status != 201 {
                bail!("starting a conversation: HTTP {status} {body}");
            }
            let started: serde_json::Value = serde_json::from_str(&body)?;
            let id = started["id"].as_str().context("no id")?.to_string();
            let token = started["token"].as_str().context("no token")?.to_string();
            let (stream, keep) = open_stream_with(
                &addr,
                &format!("/v1/chat/{id}/events"),
                &[("Authorization", &format!("Bearer {token}"))],
            )
            .await?;
            open.push(keep);
            tokio::spawn(read_stream(stream, clock.clone(), false));
            conversations.push((id, token));
        }
        let started = Instant::now();
        let until = started + Duration::from_secs(args.seconds);
        let mut tasks = Vec::new();
        for (n, (id, token)) in conversations.into_iter().enumerate() {
            let (addr, clock) = (addr.clone(), clock.clone());
            let pause = Duration::from_millis(args.pause_ms);
            // Spread the shoppers over the pause so they do not all type at once.
            let offset = pause.mul_f64(n as f64 / args.conversations.max(1) as f64);
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep(offset).await;
                shopper(addr, id, token, clock, until, pause).await
            }));
        }
        let mut acked = 0;
        for t in tasks {
            acked += t.await.context("a shopper task failed")??;
        }
        let elapsed = started.elapsed().as_secs_f64();
        // Whatever is still on its way gets a moment to arrive.
        tokio::time::sleep(Duration::from_secs(2)).await;
        drop(open);
        Ok::<_, anyhow::Error>((acked, elapsed))
    })?;
    drop(servers);

    let mut c = clock.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    let (to_agent, to_shopper) = (c.to_agent_us.len() as u64, c.to_shopper_us.len() as u64);
    let lost = acked.saturating_sub(to_agent.min(to_shopper));
    println!("| database | instances | conversations | seconds | messages acknowledged | messages/s | ack p50 ms | ack p99 ms | to agent p50 ms | to agent p99 ms | to shopper p50 ms | to shopper p99 ms | errors | lost |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {:?} | {} | {} | {:.1} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |",
        args.backend,
        args.instances.max(1),
        args.conversations,
        elapsed,
        acked,
        acked as f64 / elapsed,
        percentile_ms(&mut c.acked_us, 0.50),
        percentile_ms(&mut c.acked_us, 0.99),
        percentile_ms(&mut c.to_agent_us, 0.50),
        percentile_ms(&mut c.to_agent_us, 0.99),
        percentile_ms(&mut c.to_shopper_us, 0.50),
        percentile_ms(&mut c.to_shopper_us, 0.99),
        c.errors,
        lost,
    );
    println!();
    println!(
        "- Each shopper sends a message every {} ms over its own keep-alive connection; \
         latencies count from sending the POST: acknowledged (committed: SQLite WAL synchronous=FULL, or PostgreSQL's defaults), \
         seen on the agents' event stream, seen on the shopper's own stream. Client and servers share the 2-core machine (127.0.0.1).",
        args.pause_ms
    );
    if lost > 0 {
        bail!("{lost} acknowledged messages never reached a stream");
    }
    Ok(())
}

/// One shopper: a message, its acknowledgement, a pause; until `until`.
async fn shopper(
    addr: String,
    id: String,
    token: String,
    clock: Shared,
    until: Instant,
    pause: Duration,
) -> Result<u64> {
    let stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut acked = 0;
    let mut n: u64 = 0;
    while Instant::now() < until {
        n += 1;
        let message = format!("{:08x}-0000-4000-8000-{n:012x}", id_number(&id));
        let body = format!(r#"{{"id":"{message}","body":"Is the rain jacket waterproof? ({n})"}}"#);
        let request = format!(
            "POST /v1/chat/{id}/messages HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let sent = Instant::now();
        lock(&clock).sent.insert(message, sent);
        write.write_all(request.as_bytes()).await?;
        let (status, _) = read_response(&mut read).await?;
        {
            let mut c = lock(&clock);
            if status == 201 {
                acked += 1;
                c.acked_us.push(sent.elapsed().as_micros() as u32);
            } else {
                c.errors += 1;
            }
        }
        tokio::time::sleep(pause).await;
    }
    Ok(acked)
}

/// A number unique to each conversation, to make message ids unique across them.
fn id_number(conversation: &str) -> u32 {
    u32::from_str_radix(&conversation[..8], 16).unwrap_or(0)
}

fn lock(clock: &Shared) -> std::sync::MutexGuard<'_, Clock> {
    clock.lock().unwrap_or_else(|p| p.into_inner())
}

/// Notes when each shopper message shows up on a stream.
async fn read_stream(read: BufReader<OwnedReadHalf>, clock: Shared, agent: bool) {
    each_event(read, |event, now| {
        if event["type"] != "message" {
            return;
        }
        let mut c = lock(&clock);
        let Some(sent) = event["id"].as_str().and_then(|id| c.sent.get(id).copied()) else {
            return;
        };
        let us = now.duration_since(sent).as_micros() as u32;
        if agent {
            c.to_agent_us.push(us);
        } else {
            c.to_shopper_us.push(us);
        }
    })
    .await
}
