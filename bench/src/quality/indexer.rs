//! Our method: the real `faq-indexer` binary, driven like a content editor would.
//!
//! Running the release binary (rather than linking `faq-core`) measures exactly what
//! ships: the Markdown reader, rendering, analyzers, bundle format and ranking, all
//! together.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;

/// A runnable `faq-indexer` binary.
#[derive(Debug, Clone)]
pub struct Indexer {
    path: PathBuf,
}

/// One line of `faq-indexer search --json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SearchLine {
    pub query: String,
    pub results: Vec<SearchHit>,
}

/// One result of a [`SearchLine`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SearchHit {
    pub id: String,
    pub title: String,
    pub score: f32,
}

impl Indexer {
    /// Uses `explicit` when given (it must exist); otherwise the workspace's release
    /// build, which is built first with `cargo build --release -p faq-indexer` when it
    /// is missing.
    pub fn locate(explicit: Option<PathBuf>, workspace: &Path) -> Result<Self> {
        if let Some(path) = explicit {
            ensure!(path.is_file(), "--indexer {} is not a file", path.display());
            return Ok(Self { path });
        }
        let path = release_binary(workspace);
        if !path.is_file() {
            eprintln!(
                "{} is missing; running `cargo build --release -p faq-indexer`",
                path.display()
            );
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
            let status = Command::new(cargo)
                .args(["build", "--release", "-p", "faq-indexer"])
                .current_dir(workspace)
                .status()
                .context("cannot run cargo to build faq-indexer")?;
            ensure!(
                status.success(),
                "`cargo build --release -p faq-indexer` failed"
            );
            ensure!(
                path.is_file(),
                "cargo finished but {} is still missing",
                path.display()
            );
        }
        Ok(Self { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `faq-indexer build <faq_dir> --out <out>`.
    pub fn build(&self, faq_dir: &Path, out: &Path) -> Result<()> {
        let output = self.run(|c| {
            c.arg("build").arg(faq_dir).arg("--out").arg(out);
        })?;
        check(&output, "build")
    }

    /// Runs every query through `faq-indexer search --json --queries` in one process and
    /// returns the result ids per query, in query order. `scratch` receives the queries
    /// file.
    pub fn search(
        &self,
        index: &Path,
        queries: &[String],
        limit: usize,
        scratch: &Path,
    ) -> Result<Vec<Vec<String>>> {
        if let Some(q) = queries
            .iter()
            .find(|q| q.contains(['\n', '\r']) || q.trim().is_empty())
        {
            bail!("query {q:?} cannot be passed one per line");
        }
        let file = scratch.join("queries.txt");
        let mut text = queries.join("\n");
        text.push('\n');
        std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;

        let output = self.run(|c| {
            c.args(["search", "--json", "--limit", &limit.to_string(), "--index"])
                .arg(index)
                .arg("--queries")
                .arg(&file);
        })?;
        check(&output, "search")?;
        let stdout = String::from_utf8(output.stdout).context("search output is not UTF-8")?;
        let lines = parse_lines(&stdout)?;
        align(queries, lines)
    }

    fn run(&self, args: impl FnOnce(&mut Command)) -> Result<Output> {
        let mut command = Command::new(&self.path);
        args(&mut command);
        command
            .output()
            .with_context(|| format!("cannot run {}", self.path.display()))
    }
}

/// Where cargo puts the release `faq-indexer` of `workspace`, honouring
/// `CARGO_TARGET_DIR` like cargo itself does.
fn release_binary(workspace: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| {
            if t.is_absolute() {
                t
            } else {
                workspace.join(t)
            }
        })
        .unwrap_or_else(|| workspace.join("target"));
    target
        .join("release")
        .join(format!("faq-indexer{}", std::env::consts::EXE_SUFFIX))
}

fn check(output: &Output, what: &str) -> Result<()> {
    ensure!(
        output.status.success(),
        "faq-indexer {what} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim_end()
    );
    Ok(())
}

/// Parses the JSON lines of `faq-indexer search --json`.
pub fn parse_lines(stdout: &str) -> Result<Vec<SearchLine>> {
    stdout
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| {
                format!("line {} of the search output is not a result: {l}", i + 1)
            })
        })
        .collect()
}

/// Matches output lines to queries, refusing any misalignment: a shifted answer would
/// silently score one query with another's results.
fn align(queries: &[String], lines: Vec<SearchLine>) -> Result<Vec<Vec<String>>> {
    ensure!(
        lines.len() == queries.len(),
        "faq-indexer answered {} of {} queries",
        lines.len(),
        queries.len()
    );
    queries
        .iter()
        .zip(lines)
        .map(|(q, line)| {
            ensure!(
                &line.query == q,
                "faq-indexer answered {:?} where {q:?} was expected",
                line.query
            );
            Ok(line.results.into_iter().map(|h| h.id).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_json_lines() {
        let out = concat!(
            r#"{"query":"cancle order","results":[{"id":"cancel-order","title":"Cancel order","score":13.5},{"id":"track-order","title":"Track order","score":7.0}]}"#,
            "\n",
            r#"{"query":"zzz","results":[]}"#,
            "\n"
        );
        let lines = parse_lines(out).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].results[0].id, "cancel-order");
        assert!(lines[1].results.is_empty());
        let ids = align(&["cancle order".into(), "zzz".into()], lines).unwrap();
        assert_eq!(
            ids,
            vec![
                vec!["cancel-order".to_string(), "track-order".into()],
                vec![]
            ]
        );
    }

    #[test]
    fn refuses_misaligned_output() {
        let lines = parse_lines(r#"{"query":"b","results":[]}"#).unwrap();
        assert!(align(&["a".into()], lines.clone()).is_err());
        assert!(align(&["b".into(), "c".into()], lines).is_err());
        assert!(parse_lines("not json").is_err());
    }
}
