//! `faq-indexer search`: runs the widget's search code over a built index.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use faq_core::{Engine, Hit, Locale};
use serde::Serialize;

use crate::output::read_manifest;

/// Loads the bundle for `locale` from an index output folder.
pub(crate) fn open(index: &Path, locale: Locale) -> Result<Engine> {
    let manifest = read_manifest(index).with_context(|| {
        format!(
            "no readable {} in {}; build one with `faq-indexer build <inputs> --out {}`",
            faq_core::MANIFEST_FILE,
            index.display(),
            index.display()
        )
    })?;
    let Some(entry) = manifest.locales.get(&locale) else {
        let have: Vec<_> = manifest.locales.keys().map(|l| l.tag()).collect();
        bail!(
            "the index has no `{locale}` articles; it has: {}. Pass one of them with --locale",
            have.join(", ")
        );
    };
    let path = index.join(&entry.file);
    let bytes =
        std::fs::read(&path).with_context(|| format!("cannot read bundle {}", path.display()))?;
    Engine::open(&bytes).with_context(|| format!("cannot open bundle {}", path.display()))
}

#[derive(Serialize)]
struct JsonLine<'a> {
    query: &'a str,
    results: Vec<JsonHit<'a>>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    title: &'a str,
    score: f32,
}

/// Answers each query, one output block (or JSON line) per query, in input order.
pub(crate) fn run(engine: &Engine, queries: &[String], limit: usize, json: bool) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for q in queries {
        let hits = engine.search(q, limit)?;
        if json {
            let line = JsonLine {
                query: q,
                results: hits
                    .iter()
                    .map(|h| JsonHit {
                        id: &h.id,
                        title: &h.title,
                        score: h.score,
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        } else {
            print_human(&mut out, q, &hits)?;
        }
    }
    Ok(())
}

fn print_human(out: &mut impl Write, query: &str, hits: &[Hit]) -> Result<()> {
    writeln!(out, "{query}")?;
    if hits.is_empty() {
        writeln!(out, "  (no results)")?;
    }
    for (i, h) in hits.iter().enumerate() {
        writeln!(out, "  {}. {} [{}] {:.3}", i + 1, h.title, h.id, h.score)?;
        let snippet: String = h
            .snippet
            .iter()
            .map(|f| {
                if f.mark {
                    format!("[{}]", f.text)
                } else {
                    f.text.clone()
                }
            })
            .collect();
        writeln!(out, "     {snippet}")?;
    }
    Ok(())
}

/// Reads queries from a file, one per line; blank lines are skipped.
pub(crate) fn read_queries(path: &Path) -> Result<Vec<String>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open queries file {}", path.display()))?;
    let mut queries = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if !line.trim().is_empty() {
            queries.push(line);
        }
    }
    Ok(queries)
}
