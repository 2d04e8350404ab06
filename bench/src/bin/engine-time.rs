//! `engine-time`: how long the search engine alone takes per query, natively.
//!
//! The browser benchmark (`tests/bench/latency.mjs`) measures keystroke → results in
//! the DOM, which is engine plus UI. The widget calls the engine directly from Rust, so
//! the browser cannot time the engine on its own; this runs the same `faq-core` engine
//! on the same bundle and the same queries in a native release build. Native code is
//! usually faster than the same code as wasm, so read these numbers as a lower bound of
//! the engine's share of a keystroke.
//!
//! Prints one JSON object to stdout: `{"open_ms": f64, "samples_ms": [f64, ...]}`, one
//! sample per query line, in order, each a single `Engine::search` call with the
//! widget's result limit.
//!
//! ```sh
//! cargo run --release -p shopdesk-bench --bin engine-time -- --index target/bench/index-1000 --queries queries.txt
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use clap::Parser;
use faq_core::{Engine, Locale, Manifest, MANIFEST_FILE};

/// What the widget asks for per keystroke.
const WIDGET_LIMIT: usize = 8;

#[derive(Debug, Parser)]
#[command(about = "Time the FAQ search engine natively, one query per line")]
struct Args {
    /// Output folder of `faq-indexer build`.
    #[arg(long)]
    index: PathBuf,
    /// Locale of the bundle to open (falls back like the widget does).
    #[arg(long, default_value = "en")]
    locale: String,
    /// File with one query per line (blank lines are skipped).
    #[arg(long)]
    queries: PathBuf,
    /// Results per query.
    #[arg(long, default_value_t = WIDGET_LIMIT)]
    limit: usize,
}

fn main() -> ExitCode {
    shopdesk_bench::finish(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let manifest_path = args.index.join(MANIFEST_FILE);
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(&manifest_path)
            .with_context(|| format!("cannot read {}", manifest_path.display()))?,
    )
    .with_context(|| format!("{} is not an FAQ manifest", manifest_path.display()))?;
    let wanted = args.locale.parse::<Locale>().unwrap_or(Locale::En);
    let (_, entry) = manifest
        .pick(wanted)
        .with_context(|| format!("{} lists no locales", manifest_path.display()))?;
    let bundle_path = args.index.join(&entry.file);
    let bundle = std::fs::read(&bundle_path)
        .with_context(|| format!("cannot read {}", bundle_path.display()))?;
    let text = std::fs::read_to_string(&args.queries)
        .with_context(|| format!("cannot read {}", args.queries.display()))?;
    let queries: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    ensure!(
        !queries.is_empty(),
        "{} has no queries",
        args.queries.display()
    );

    let start = Instant::now();
    let engine = Engine::open(&bundle).context("cannot open the bundle")?;
    let open_ms = ms(start);
    let mut samples = Vec::with_capacity(queries.len());
    for q in &queries {
        let start = Instant::now();
        let hits = engine
            .search(q, args.limit)
            .with_context(|| format!("query `{q}`"))?;
        samples.push(ms(start));
        // Keep the optimizer from discarding the search.
        std::hint::black_box(hits);
    }
    let out = serde_json::json!({ "open_ms": open_ms, "samples_ms": samples });
    println!("{out}");
    Ok(())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
