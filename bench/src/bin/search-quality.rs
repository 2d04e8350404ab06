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
    /// Folders of evaluation sets, repeatable [default: <workspace>/../shared/data/faq-eval
    /// and <workspace>/bench/data/faq-eval].
    #[arg(long)]
    data: Vec<PathBuf>,
    /// The faq-indexer binary [default: <workspace>/target/release/faq-indexer].
    #[arg(long)]
    indexer: Option<PathBuf>,
    /// Also write the queries where the baseline ranks the expected article higher than
    /// ours to this file (tab-separated: set, query, expected id, our rank, its rank),
    /// to see what a ranking change should fix without reading thousands of queries.
    #[arg(long)]
    losses: Option<PathBuf>,
}

fn main() -> ExitCode {
    shopdesk_bench::finish(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the bench crate has no parent folder")?;
    let data_dirs = if args.data.is_empty() {
        vec![
            workspace.join("../shared/data/faq-eval"),
            workspace.join("bench/data/faq-eval"),
        ]
    } else {
        args.data
    };

    // Load every set before the slow part, so missing data fails at once.
    let mut sets = Vec::new();
    for dir in &data_dirs {
        for set in data::discover(dir)? {
            sets.push(data::load(&set)?);
        }
    }
    let indexer = Indexer::locate(args.indexer, workspace)?;
    eprintln!("using {}", indexer.path().display());

    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    let mut losses = String::from("set\tquery\texpected\tours\tbaseline\n");
    for set in &sets {
        if set.rejoined > 0 {
            eprintln!(
                "{}: {} queries had line breaks, joined with spaces",
                set.name, set.rejoined
            );
        }
        let our_ranks = ours(&indexer, set)?;
        let base_ranks = baseline(set)?;
        for ((q, o), b) in set.queries.iter().zip(&our_ranks).zip(&base_ranks) {
            if worse(*o, *b) {
                let rank = |r: &Option<usize>| r.map_or("-".to_string(), |r| r.to_string());
                losses.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    set.name,
                    q.text,
                    q.expected_id,
                    rank(o),
                    rank(b)
                ));
            }
        }
        let ours = Metrics::from_ranks(&our_ranks);
        let base = Metrics::from_ranks(&base_ranks);
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
    if let Some(path) = &args.losses {
        std::fs::write(path, losses).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!("{}", report::table(&rows));
    for v in verdicts {
        println!("{v}");
    }
    Ok(())
}

/// Ours ranks the expected article lower than the baseline (ranks from 1; `None` is
/// not found).
fn worse(ours: Option<usize>, baseline: Option<usize>) -> bool {
    match (ours, baseline) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(o), Some(b)) => o > b,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loss_is_a_lower_rank_or_a_miss_where_the_baseline_found_it() {
        assert!(worse(Some(2), Some(1)));
        assert!(worse(None, Some(9)));
        assert!(!worse(Some(1), Some(1)));
        assert!(!worse(Some(1), Some(3)));
        assert!(!worse(None, None));
        assert!(!worse(Some(4), None));
    }

    /// The sets kept in this repository load whole: every query's answer is among the
    /// articles, and the Markdown folder the indexer reads has every article.
    #[test]
    fn the_repository_s_own_sets_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/faq-eval");
        let sets = data::discover(&dir).unwrap();
        assert!(!sets.is_empty());
        for set in sets {
            let set = data::load(&set).unwrap();
            let markdown = std::fs::read_dir(set.faq_dir()).unwrap().count();
            assert_eq!(markdown, set.articles.len(), "{}", set.name);
            if set.name == "clinc150" {
                assert_eq!((set.articles.len(), set.queries.len()), (90, 2700));
            }
        }
    }
}
