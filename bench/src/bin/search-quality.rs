//! `search-quality`: Recall@1/3/5 and MRR of the shipped FAQ search against BM25 over
//! title, questions and body,
//! on every evaluation set. Prints a Markdown table to stdout; progress goes to stderr.
//!
//! Build the indexer first (`cargo build --release -p faq-indexer`), so that what is
//! measured is the current code; if the binary is missing it is built.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use shopdesk_bench::quality::baseline::PlainBm25;
use shopdesk_bench::quality::data::{self, EvalSet};
use shopdesk_bench::quality::indexer::Indexer;
use shopdesk_bench::quality::metrics::{rank_of, Metrics, DEPTH};
use shopdesk_bench::quality::report::{self, Row, BASELINE, OURS};

#[derive(Debug, Parser)]
#[command(about = "Search quality of the FAQ search against BM25 over title + questions + body")]
struct Args {
    /// Folder of evaluation sets [default: <workspace>/../shared/data/faq-eval].
    #[arg(long)]
    data: Option<PathBuf>,
    /// The faq-indexer binary [default: <workspace>/target/release/faq-indexer].
    #[arg(long)]
    indexer: Option<PathBuf>,
}

fn main() -> ExitCode {
    shopdesk_bench::finish(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the bench crate has no parent folder")?;
    let data_dir = args
        .data
        .unwrap_or_else(|| workspace.join("../shared/data/faq-eval"));

    // Load every set before the slow part, so missing data fails at once.
    let sets = data::discover(&data_dir)?
        .iter()
        .map(|dir| data::load(dir))
        .collect::<Result<Vec<_>>>()?;
    let indexer = Indexer::locate(args.indexer, workspace)?;
    eprintln!("using {}", indexer.path().display());

    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    for set in &sets {
        if set.rejoined > 0 {
            eprintln!(
                "{}: {} queries had line breaks, joined with spaces",
                set.name, set.rejoined
            );
        }
        let ours = Metrics::from_ranks(&ours(&indexer, set)?);
        let base = Metrics::from_ranks(&baseline(set)?);
        verdicts.push(report::verdict(&set.name, &ours, &base));
        rows.push(Row {
            set: set.name.clone(),
            method: OURS,
            metrics: ours,
        });
        rows.push(Row {
            set: set.name.clone(),
            method: BASELINE,
            metrics: base,
        });
    }
    println!("{}", report::table(&rows));
    for v in verdicts {
        println!("{v}");
    }
    Ok(())
}

/// Ranks of the expected article with the real `faq-indexer build` + `search`.
fn ours(indexer: &Indexer, set: &EvalSet) -> Result<Vec<Option<usize>>> {
    let scratch = tempfile::tempdir().context("cannot create a temporary folder")?;
    let index = scratch.path().join("index");
    eprintln!("{}: building with faq-indexer", set.name);
    indexer
        .build(&set.faq_dir(), &index)
        .with_context(|| format!("set `{}`", set.name))?;
    let texts: Vec<String> = set.queries.iter().map(|q| q.text.clone()).collect();
    eprintln!(
        "{}: searching {} queries with faq-indexer",
        set.name,
        texts.len()
    );
    let results = indexer
        .search(&index, &texts, DEPTH, scratch.path())
        .with_context(|| format!("set `{}`", set.name))?;
    Ok(set
        .queries
        .iter()
        .zip(&results)
        .map(|(q, ids)| rank_of(&q.expected_id, ids))
        .collect())
}

/// Ranks of the expected article with the baseline.
fn baseline(set: &EvalSet) -> Result<Vec<Option<usize>>> {
    eprintln!("{}: searching with {BASELINE}", set.name);
    let bm25 = PlainBm25::build(&set.articles).with_context(|| format!("set `{}`", set.name))?;
    set.queries
        .iter()
        .map(|q| Ok(rank_of(&q.expected_id, &bm25.search(&q.text, DEPTH)?)))
        .collect()
}
