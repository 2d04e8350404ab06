//! Email outbox benchmark: starts the release `shopdesk-server` on 127.0.0.1 with a
//! fresh database and an SMTP sink (`smtp-sink`, in this process) as its relay, opens
//! conversations whose shoppers left an email address and closed the page, and has an
//! agent answer them. It prints the time from an agent's answer (the request sent) to
//! the email handed to SMTP (the sink's end of `DATA`) for answers at a steady pace,
//! then the outbox's throughput for a burst of answers, and checks every answer became
//! exactly one email. Loopback only; the run stops by itself.
//!
//!   cargo run --release -p shopdesk-bench --bin mail -- --paced 200 --burst 1000
//!   cargo run --release -p shopdesk-bench --bin mail -- --backend postgres

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use shopdesk_bench::percentile_ms;
use shopdesk_bench::server::{post, Backend, Database, Server};
use smtp_sink::{Options, Sink};

const AGENT: &str = "bench-agent-token-0123456789";

#[derive(Debug, Parser)]
struct Args {
    /// Answers sent one at a time (latency).
    #[arg(long, default_value_t = 200)]
    paced: usize,
    /// Pause between paced answers, in milliseconds.
    #[arg(long, default_value_t = 25)]
    pause_ms: u64,
    /// Answers sent at once (throughput).
    #[arg(long, default_value_t = 1000)]
    burst: usize,
    /// Conversations the answers go to (in turn).
    #[arg(long, default_value_t = 100)]
    conversations: usize,
    /// The server binary (built with `cargo build --release -p shopdesk-server`).
    #[arg(long, default_value = "target/release/shopdesk-server")]
    server: String,
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
}

fn main() -> std::process::ExitCode {
    shopdesk_bench::finish(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let sink = Sink::start(Options::default()).context("starting the SMTP sink")?;
    let port = sink.addr.port().to_string();
    let database = Database::fresh(args.backend)?;
    let server = Server::start(
        &args.server,
        &database,
        &[
            "--agent-token",
            AGENT,
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-security",
            "none",
            "--mail-from",
            "Bench Shop <shop@bench.example>",
        ],
    )?;
    let addr = server.addr.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (sent_at, burst_started) = runtime.block_on(async {
        let mut conversations = Vec::new();
        for n in 0..args.conversations.max(1) {
            let handoff = format!(
                r#"{{"email": "shopper{n}@bench.example", "page_url": "https://shop.example/p/{n}"}}"#
            );
            let (status, body) = post(&addr, "/v1/chat", None, &handoff).await?;
            if status != 201 {
                bail!("starting a conversation: HTTP {status} {body}");
            }
            let started: serde_json::Value = serde_json::from_str(&body)?;
            conversations.push(started["id"].as_str().context("no id")?.to_string());
        }
        let mut sent_at = HashMap::new();
        let answer = |n: usize| {
            let id = conversations[n % conversations.len()].clone();
            let addr = addr.clone();
            async move {
                let marker = format!("bench-answer-{n:06}");
                let body = format!(
                    r#"{{"id": "00000000-0000-4000-8000-{n:012}", "body": "Your parcel is on its way ({marker})."}}"#
                );
                let at = Instant::now();
                let (status, text) =
                    post(&addr, &format!("/v1/agent/conversations/{id}/messages"), Some(AGENT), &body)
                        .await?;
                if status != 201 {
                    bail!("answering: HTTP {status} {text}");
                }
                Ok::<_, anyhow::Error>((marker, at))
            }
        };
        for n in 0..args.paced {
            let (marker, at) = answer(n).await?;
            sent_at.insert(marker, (at, true));
            tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
        }
        // Every paced email first, so the burst is measured on its own.
        wait_for(&sink, args.paced, Duration::from_secs(60)).await?;
        let burst_started = Instant::now();
        let mut tasks = Vec::new();
        for n in args.paced..args.paced + args.burst {
            tasks.push(tokio::spawn(answer(n)));
        }
        for t in tasks {
            let (marker, at) = t.await??;
            sent_at.insert(marker, (at, false));
        }
        Ok((sent_at, burst_started))
    })?;
    let total = args.paced + args.burst;
    runtime.block_on(wait_for(&sink, total, Duration::from_secs(300)))?;
    let burst_done = sink.received().last().map(|r| r.at).context("no email")?;
    // Anything sent twice would arrive now.
    std::thread::sleep(Duration::from_secs(3));
    drop(server);

    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut latency_us = Vec::new();
    for r in sink.received() {
        let Some(at) = r.data.find("bench-answer-") else {
            continue;
        };
        let marker = r.data[at..at + 19].to_string();
        *seen.entry(marker.clone()).or_default() += 1;
        if let Some((sent, true)) = sent_at.get(&marker) {
            if seen[&marker] == 1 {
                latency_us.push(
                    u32::try_from(r.at.duration_since(*sent).as_micros()).unwrap_or(u32::MAX),
                );
            }
        }
    }
    let twice = seen.values().filter(|n| **n > 1).count();
    let missing = total - seen.len();
    let burst_s = burst_done.duration_since(burst_started).as_secs_f64();
    println!("| database | answers paced | answer → SMTP p50 ms | p99 ms | burst | burst emails/s | sent twice | missing |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {:?} | {} | {:.1} | {:.1} | {} | {:.0} | {} | {} |",
        args.backend,
        args.paced,
        percentile_ms(&mut latency_us, 0.5),
        percentile_ms(&mut latency_us, 0.99),
        args.burst,
        args.burst as f64 / burst_s,
        twice,
        missing,
    );
    if twice > 0 || missing > 0 {
        bail!("{twice} answers were emailed twice and {missing} never");
    }
    Ok(())
}

/// Waits until the sink has `n` emails.
async fn wait_for(sink: &Sink, n: usize, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    while sink.received().len() < n {
        if Instant::now() > deadline {
            bail!(
                "only {} of {n} emails arrived within {within:?}",
                sink.received().len()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}
