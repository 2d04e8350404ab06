//! A staffed shop under load: starts the release `shopdesk-server` on 127.0.0.1 with a
//! fresh database, adds N agents with the real `agent add`, signs each in (session
//! cookie, as the agent page does) with their event stream open, and opens M
//! conversations, each with the shopper's own stream; routing gives each agent their
//! share. Then, for a fixed time, every shopper types (a typing signal every 2.5 s) and
//! sends a message every few seconds, and the agent handling it answers each message,
//! typing first. It prints how long a message takes to reach the other side (the
//! shopper's on their agent's stream, the agent's reply on the shopper's stream), how
//! long typing takes to show, and how long an agent waits from sign-in to the list of
//! all open conversations. Loopback only; the run stops by itself.
//!
//!   cargo run --release -p shopdesk-bench --bin desk -- --agents 20 --conversations 500

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use shopdesk_bench::percentile_ms;
use shopdesk_bench::server::{
    each_event, open_stream_with, raise_file_limit, request, Backend, Database, Server,
};
use tokio::io::BufReader;
use tokio::net::tcp::OwnedReadHalf;

const PASSWORD: &str = "bench-password-not-secret";

#[derive(Debug, Parser)]
struct Args {
    #[arg(long, default_value_t = 20)]
    agents: usize,
    /// Conversations open at once (each shopper has an open event stream).
    #[arg(long, default_value_t = 500)]
    conversations: usize,
    /// How long the shoppers and agents talk, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Pause between one shopper's messages, in milliseconds.
    #[arg(long, default_value_t = 4_000)]
    message_every_ms: u64,
    /// The server binary (built with `cargo build --release -p shopdesk-server`).
    #[arg(long, default_value = "target/release/shopdesk-server")]
    server: String,
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
}

/// When each message or typing signal was sent, and how long it took to arrive.
#[derive(Default)]
struct Clock {
    sent: HashMap<String, Instant>,
    /// Typing sent per conversation and side ("shopper c" / "agent c"), latest first.
    typing: HashMap<String, Instant>,
    to_agent_us: Vec<u32>,
    to_shopper_us: Vec<u32>,
    typing_us: Vec<u32>,
    shopper_messages: u64,
    replies: u64,
    typing_sent: u64,
    errors: u64,
}

type Shared = Arc<Mutex<Clock>>;

fn lock(clock: &Shared) -> std::sync::MutexGuard<'_, Clock> {
    clock.lock().unwrap_or_else(|p| p.into_inner())
}

/// A signed-in agent.
#[derive(Clone)]
struct Agent {
    id: String,
    cookie: String,
    csrf: String,
}

fn main() -> Result<()> {
    let args = Args::parse();
    raise_file_limit((args.conversations as u64 + args.agents as u64) * 4 + 256)?;
    let database = Database::fresh(args.backend)?;
    for n in 0..args.agents {
        database.add_agent(
            &args.server,
            &format!("Agent {n}"),
            &format!("agent{n}@shop.example"),
            PASSWORD,
        )?;
    }
    let cap = args.conversations.div_ceil(args.agents.max(1)).to_string();
    let server = Server::start(
        &args.server,
        &database,
        &[
            "--chats-per-agent",
            &cap,
            "--requeue-after-minutes",
            "60",
            "--idle-close-minutes",
            "0",
        ],
    )?;
    let addr = server.addr.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let clock: Shared = Arc::default();
    let (signin_ms, elapsed) = runtime.block_on(async {
        let mut keep = Vec::new();
        let mut agents = Vec::new();
        let mut streams = Vec::new();
        for n in 0..args.agents {
            let (agent, _) = sign_in(&addr, n).await?;
            let cookie = format!("shopdesk_agent={}", agent.cookie);
            let (stream, write) =
                open_stream_with(&addr, "/v1/agent/events", &[("Cookie", &cookie)]).await?;
            keep.push(write);
            streams.push(stream);
            agents.push(agent);
        }
        let mut conversations = Vec::new();
        let mut shopper_streams = Vec::new();
        for _ in 0..args.conversations {
            let (status, _, body) = request(&addr, "POST", "/v1/chat", &[], Some("{}")).await?;
            if status != 201 {
                bail!("starting a conversation: HTTP {status} {body}");
            }
            let started: serde_json::Value = serde_json::from_str(&body)?;
            let id = started["id"].as_str().context("no id")?.to_string();
            let token = started["token"].as_str().context("no token")?.to_string();
            let (stream, write) = open_stream_with(
                &addr,
                &format!("/v1/chat/{id}/events"),
                &[("Authorization", &format!("Bearer {token}"))],
            )
            .await?;
            keep.push(write);
            shopper_streams.push(stream);
            conversations.push((id, token));
        }
        let handler = routed(&addr, &agents[0], args.conversations).await?;

        // From sign-in to the list of every open conversation, as the agent page does.
        let mut signin_ms = Vec::new();
        for n in 0..args.agents {
            let started = Instant::now();
            let (agent, _) = sign_in(&addr, n).await?;
            let list = list(&addr, &agent).await?;
            signin_ms.push(started.elapsed().as_micros() as u32);
            let open = list["conversations"]
                .as_array()
                .map_or(0, |c| c.iter().filter(|c| c["closed_at"].is_null()).count());
            if open != args.conversations {
                bail!(
                    "the list showed {open} open conversations, not {}",
                    args.conversations
                );
            }
        }

        let until = Instant::now() + Duration::from_secs(args.seconds);
        for (agent, stream) in agents.iter().zip(streams) {
            tokio::spawn(agent_side(
                addr.clone(),
                agent.clone(),
                stream,
                clock.clone(),
                handler.clone(),
                until,
            ));
        }
        let mut tasks = Vec::new();
        let pause = Duration::from_millis(args.message_every_ms);
        for (n, ((id, token), stream)) in conversations.into_iter().zip(shopper_streams).enumerate()
        {
            tokio::spawn(shopper_stream(stream, clock.clone()));
            let offset = pause.mul_f64(n as f64 / args.conversations.max(1) as f64);
            let (addr, clock) = (addr.clone(), clock.clone());
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep(offset).await;
                shopper(addr, id, token, clock, until, pause).await
            }));
        }
        let started = Instant::now();
        for t in tasks {
            t.await.context("a shopper task failed")??;
        }
        let elapsed = started.elapsed().as_secs_f64();
        // Replies still on their way get a moment to arrive.
        tokio::time::sleep(Duration::from_secs(2)).await;
        drop(keep);
        Ok::<_, anyhow::Error>((signin_ms, elapsed))
    })?;
    drop(server);

    let mut c = lock(&clock);
    let mut signin_ms = signin_ms;
    let lost = c
        .shopper_messages
        .saturating_sub(c.to_agent_us.len() as u64)
        + c.replies.saturating_sub(c.to_shopper_us.len() as u64);
    let (messages, replies, typing) = (c.shopper_messages, c.replies, c.typing_sent);
    let (errors, agent_p50, agent_p99) = (
        c.errors,
        percentile_ms(&mut c.to_agent_us, 0.50),
        percentile_ms(&mut c.to_agent_us, 0.99),
    );
    let (shopper_p50, shopper_p99) = (
        percentile_ms(&mut c.to_shopper_us, 0.50),
        percentile_ms(&mut c.to_shopper_us, 0.99),
    );
    let (typing_p50, typing_p99) = (
        percentile_ms(&mut c.typing_us, 0.50),
        percentile_ms(&mut c.typing_us, 0.99),
    );
    println!("| database | agents | conversations | seconds | shopper messages | replies | typing signals | to agent p50 ms | to agent p99 ms | to shopper p50 ms | to shopper p99 ms | typing shown p50 ms | typing shown p99 ms | sign-in to list p50 ms | sign-in to list p99 ms | errors | lost |");
    println!(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    println!(
        "| {:?} | {} | {} | {:.1} | {messages} | {replies} | {typing} | {agent_p50:.2} | {agent_p99:.2} | {shopper_p50:.2} | {shopper_p99:.2} | {typing_p50:.2} | {typing_p99:.2} | {:.1} | {:.1} | {errors} | {lost} |",
        args.backend,
        args.agents,
        args.conversations,
        elapsed,
        percentile_ms(&mut signin_ms, 0.50),
        percentile_ms(&mut signin_ms, 0.99),
    );
    println!();
    println!(
        "- Every shopper sends a typing signal every 2.5 s and a message every {} ms; the agent \
         routed the conversation (round-robin, {} each) sends a typing signal, then answers \
         each message. Latencies count from sending the POST to the event on the other \
         side's stream (every agent stream carries every conversation). Sign-in to list: \
         POST /v1/agent/session, then GET /v1/agent/conversations with all {} open. Client \
         and server share the 2-core machine (127.0.0.1).",
        args.message_every_ms,
        args.conversations.div_ceil(args.agents.max(1)),
        args.conversations,
    );
    if lost > 0 {
        bail!("{lost} acknowledged messages never reached the other side");
    }
    Ok(())
}

async fn sign_in(addr: &str, n: usize) -> Result<(Agent, serde_json::Value)> {
    let body = format!(r#"{{"email":"agent{n}@shop.example","password":"{PASSWORD}"}}"#);
    let (status, headers, body) =
        request(addr, "POST", "/v1/agent/session", &[], Some(&body)).await?;
    if status != 200 {
        bail!("signing in agent {n}: HTTP {status} {body}");
    }
    let cookie = headers
        .iter()
        .find(|(name, _)| name == "set-cookie")
        .and_then(|(_, v)| v.strip_prefix("shopdesk_agent="))
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?
        .to_string();
    let signed_in: serde_json::Value = serde_json::from_str(&body)?;
    let agent = Agent {
        id: signed_in["agent"]["id"]
            .as_str()
            .context("no id")?
            .to_string(),
        csrf: signed_in["csrf"].as_str().context("no csrf")?.to_string(),
        cookie,
    };
    Ok((agent, signed_in))
}

async fn list(addr: &str, agent: &Agent) -> Result<serde_json::Value> {
    let cookie = format!("shopdesk_agent={}", agent.cookie);
    let (status, _, body) = request(
        addr,
        "GET",
        "/v1/agent/conversations",
        &[("Cookie", &cookie)],
        None,
    )
    .await?;
    if status != 200 {
        bail!("the list: HTTP {status} {body}");
    }
    Ok(serde_json::from_str(&body)?)
}

/// Waits until routing gave every conversation to an agent: conversation → agent id.
async fn routed(
    addr: &str,
    agent: &Agent,
    expected: usize,
) -> Result<Arc<HashMap<String, String>>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let list = list(addr, agent).await?;
        let handled: HashMap<String, String> = list["conversations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some((
                    c["id"].as_str()?.to_string(),
                    c["assigned"]["id"].as_str()?.to_string(),
                ))
            })
            .collect();
        if handled.len() == expected {
            return Ok(Arc::new(handled));
        }
        if Instant::now() > deadline {
            bail!(
                "only {} of {expected} conversations were routed",
                handled.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One agent: answers every shopper message in their conversations, typing first.
async fn agent_side(
    addr: String,
    agent: Agent,
    stream: BufReader<OwnedReadHalf>,
    clock: Shared,
    handler: Arc<HashMap<String, String>>,
    until: Instant,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let reader = {
        let clock = clock.clone();
        let handler = handler.clone();
        let me = agent.id.clone();
        each_event(stream, move |event, now| {
            let conversation = event["conversation"].as_str().unwrap_or_default();
            if handler.get(conversation) != Some(&me) {
                return;
            }
            let mut c = lock(&clock);
            match (event["type"].as_str(), event["author"].as_str()) {
                (Some("message"), Some("shopper")) => {
                    let key = format!("shopper {}", event["id"].as_str().unwrap_or_default());
                    if let Some(sent) = c.sent.remove(&key) {
                        c.to_agent_us
                            .push(now.duration_since(sent).as_micros() as u32);
                        let _ = tx.send(conversation.to_string());
                    }
                }
                (Some("typing"), Some("shopper")) => {
                    if let Some(sent) = c.typing.remove(&format!("shopper {conversation}")) {
                        c.typing_us
                            .push(now.duration_since(sent).as_micros() as u32);
                    }
                }
                _ => {}
            }
        })
    };
    tokio::spawn(reader);
    let cookie = format!("shopdesk_agent={}", agent.cookie);
    let headers = [
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", agent.csrf.as_str()),
    ];
    let mut n: u64 = 0;
    while let Some(conversation) = rx.recv().await {
        if Instant::now() > until {
            break;
        }
        lock(&clock)
            .typing
            .insert(format!("agent {conversation}"), Instant::now());
        let path = format!("/v1/agent/conversations/{conversation}/typing");
        if request(&addr, "POST", &path, &headers, None).await.is_err() {
            lock(&clock).errors += 1;
        }
        n += 1;
        let id = format!("{:08x}-0000-4000-9000-{n:012x}", fnv(&agent.id));
        lock(&clock)
            .sent
            .insert(format!("agent {id}"), Instant::now());
        let body = format!(r#"{{"id":"{id}","body":"Yes, it is waterproof ({n})."}}"#);
        let path = format!("/v1/agent/conversations/{conversation}/messages");
        match request(&addr, "POST", &path, &headers, Some(&body)).await {
            Ok((201, _, _)) => lock(&clock).replies += 1,
            _ => lock(&clock).errors += 1,
        }
    }
}

/// Notes when the agent's replies and typing reach the shopper's stream.
async fn shopper_stream(stream: BufReader<OwnedReadHalf>, clock: Shared) {
    each_event(stream, |event, now| {
        let mut c = lock(&clock);
        match (event["type"].as_str(), event["author"].as_str()) {
            (Some("message"), Some("agent")) => {
                let key = format!("agent {}", event["id"].as_str().unwrap_or_default());
                if let Some(sent) = c.sent.remove(&key) {
                    c.to_shopper_us
                        .push(now.duration_since(sent).as_micros() as u32);
                }
            }
            (Some("typing"), Some("agent")) => {
                let conversation = event["conversation"].as_str().unwrap_or_default();
                if let Some(sent) = c.typing.remove(&format!("agent {conversation}")) {
                    c.typing_us
                        .push(now.duration_since(sent).as_micros() as u32);
                }
            }
            _ => {}
        }
    })
    .await
}

/// One shopper: typing every 2 s, a message every `pause`, until `until`.
async fn shopper(
    addr: String,
    id: String,
    token: String,
    clock: Shared,
    until: Instant,
    pause: Duration,
) -> Result<()> {
    let auth = format!("Bearer {token}");
    let headers = [("Authorization", auth.as_str())];
    // A little over the server's 2 s throttle, so every signal is passed on.
    let typing_every = Duration::from_millis(2_500);
    let mut n: u64 = 0;
    let mut next_message = Instant::now() + pause;
    while Instant::now() < until {
        {
            let mut c = lock(&clock);
            c.typing.insert(format!("shopper {id}"), Instant::now());
            c.typing_sent += 1;
        }
        let path = format!("/v1/chat/{id}/typing");
        if request(&addr, "POST", &path, &headers, None).await.is_err() {
            lock(&clock).errors += 1;
        }
        if Instant::now() >= next_message {
            n += 1;
            let message = format!("{:08x}-0000-4000-8000-{n:012x}", fnv(&id));
            let body =
                format!(r#"{{"id":"{message}","body":"Is the rain jacket waterproof? ({n})"}}"#);
            lock(&clock)
                .sent
                .insert(format!("shopper {message}"), Instant::now());
            let path = format!("/v1/chat/{id}/messages");
            match request(&addr, "POST", &path, &headers, Some(&body)).await {
                Ok((201, _, _)) => lock(&clock).shopper_messages += 1,
                _ => lock(&clock).errors += 1,
            }
            next_message += pause;
        }
        tokio::time::sleep(typing_every).await;
    }
    Ok(())
}

/// A number from a text, to make ids unique per conversation or agent.
fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}
