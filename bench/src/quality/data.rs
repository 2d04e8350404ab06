//! Evaluation sets: a help centre plus shopper queries labelled with the article that
//! answers them.
//!
//! Layout of one set folder (see `shared/data/faq-eval/README.md`):
//! - `faq/` — the articles as Markdown, which is what `faq-indexer` builds from;
//! - `faq.csv` — the same articles as CSV (`id,title,body,...,questions`, questions
//!   separated by `|`), read by the baseline;
//! - `queries-dev.csv` — `query,expected_id`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;

/// Markdown article folder inside a set.
pub const FAQ_DIR: &str = "faq";
/// The set's articles as CSV.
pub const FAQ_CSV: &str = "faq.csv";
/// Labelled development queries.
pub const QUERIES_CSV: &str = "queries-dev.csv";

/// One article as the baseline indexes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub body: String,
    /// Alternative questions, separated by `|` (none when the column is missing).
    #[serde(default)]
    pub questions: String,
}

impl Article {
    /// The alternative questions, one by one.
    pub fn questions(&self) -> impl Iterator<Item = &str> {
        self.questions
            .split('|')
            .map(str::trim)
            .filter(|q| !q.is_empty())
    }
}

/// A shopper query and the article that answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Single-line text: both methods receive exactly this.
    pub text: String,
    pub expected_id: String,
}

#[derive(Debug, Deserialize)]
struct QueryRow {
    query: String,
    expected_id: String,
}

/// A loaded evaluation set.
#[derive(Debug, Clone)]
pub struct EvalSet {
    pub name: String,
    pub dir: PathBuf,
    pub articles: Vec<Article>,
    pub queries: Vec<Query>,
    /// Queries whose line breaks were replaced by spaces (see [`one_line`]).
    pub rejoined: usize,
}

impl EvalSet {
    /// The Markdown article folder given to `faq-indexer build`.
    pub fn faq_dir(&self) -> PathBuf {
        self.dir.join(FAQ_DIR)
    }
}

/// The set folders under `data`, sorted by name. Fails when there are none, so a wrong
/// `--data` never produces an empty (and so vacuously "passing") report.
pub fn discover(data: &Path) -> Result<Vec<PathBuf>> {
    ensure!(
        data.is_dir(),
        "evaluation data folder {} does not exist; pass the folder holding the set folders with --data",
        data.display()
    );
    let mut sets = Vec::new();
    for entry in
        std::fs::read_dir(data).with_context(|| format!("cannot read {}", data.display()))?
    {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if path.is_dir() && !hidden {
            sets.push(path);
        }
    }
    sets.sort();
    ensure!(
        !sets.is_empty(),
        "no evaluation sets in {}: expected folders holding {FAQ_DIR}/, {FAQ_CSV} and {QUERIES_CSV}",
        data.display()
    );
    Ok(sets)
}

/// Loads and sanity-checks the set in `dir`.
pub fn load(dir: &Path) -> Result<EvalSet> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    for (part, is_dir) in [(FAQ_DIR, true), (FAQ_CSV, false), (QUERIES_CSV, false)] {
        let path = dir.join(part);
        let present = if is_dir {
            path.is_dir()
        } else {
            path.is_file()
        };
        ensure!(
            present,
            "evaluation set `{name}` is incomplete: {} is missing",
            path.display()
        );
    }
    let articles = read_articles(&dir.join(FAQ_CSV))?;
    let (queries, rejoined) = read_queries(&dir.join(QUERIES_CSV))?;

    // A query whose answer is not in the help centre can never be found: it would lower
    // every method's score alike and hide real differences.
    let ids: BTreeSet<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    if let Some(q) = queries
        .iter()
        .find(|q| !ids.contains(q.expected_id.as_str()))
    {
        bail!(
            "{}: query {:?} expects article `{}`, which is not in {}",
            dir.join(QUERIES_CSV).display(),
            q.text,
            q.expected_id,
            dir.join(FAQ_CSV).display()
        );
    }
    Ok(EvalSet {
        name,
        dir: dir.to_path_buf(),
        articles,
        queries,
        rejoined,
    })
}

fn read_articles(path: &Path) -> Result<Vec<Article>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let articles = reader
        .deserialize()
        .collect::<Result<Vec<Article>, _>>()
        .with_context(|| format!("bad article row in {}", path.display()))?;
    ensure!(!articles.is_empty(), "{} has no articles", path.display());
    Ok(articles)
}

fn read_queries(path: &Path) -> Result<(Vec<Query>, usize)> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut queries = Vec::new();
    let mut rejoined = 0;
    for row in reader.deserialize() {
        let row: QueryRow = row.with_context(|| format!("bad query row in {}", path.display()))?;
        let text = one_line(&row.query);
        if text != row.query {
            rejoined += 1;
        }
        // `faq-indexer search --queries` skips blank lines, which would shift every
        // later answer onto the wrong query.
        ensure!(
            !text.trim().is_empty(),
            "{}: a query for `{}` is blank",
            path.display(),
            row.expected_id
        );
        queries.push(Query {
            text,
            expected_id: row.expected_id.trim().to_string(),
        });
    }
    ensure!(!queries.is_empty(), "{} has no queries", path.display());
    Ok((queries, rejoined))
}

/// `text` on one line: `faq-indexer search --queries` reads one query per line, so a
/// line break inside a query would split it in two. Line breaks (with the blanks around
/// them) become one space; text without line breaks is returned unchanged.
pub fn one_line(text: &str) -> String {
    if !text.contains(['\n', '\r']) {
        return text.to_string();
    }
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins_broken_queries_and_leaves_others_alone() {
        assert_eq!(
            one_line("\n\nWhat businesses accept this card?"),
            "What businesses accept this card?"
        );
        assert_eq!(one_line("lost card\r\nwhat now"), "lost card what now");
        assert_eq!(one_line("  keep my spacing "), "  keep my spacing ");
        assert_eq!(one_line("\n \n"), "");
    }

    #[test]
    fn loads_a_set_and_rejects_unanswerable_queries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(FAQ_DIR)).unwrap();
        std::fs::write(
            dir.path().join(FAQ_CSV),
            "id,title,body,category\nreturns,Returns,\"Send it back\nwithin 30 days.\",Orders\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(QUERIES_CSV),
            "query,expected_id\n\"\nhow do i return\",returns\n",
        )
        .unwrap();
        let set = load(dir.path()).unwrap();
        assert_eq!(set.articles[0].body, "Send it back\nwithin 30 days.");
        assert_eq!(set.articles[0].questions().count(), 0);
        assert_eq!(set.queries[0].text, "how do i return");
        assert_eq!(set.rejoined, 1);

        std::fs::write(
            dir.path().join(QUERIES_CSV),
            "query,expected_id\nsizes,size-guide\n",
        )
        .unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("size-guide"), "{err}");
    }

    #[test]
    fn alternative_questions_are_read_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join(FAQ_CSV);
        std::fs::write(
            &csv,
            "id,title,body,questions\nreturns,Returns,Back,\"can I return it? | refund please||\"\n",
        )
        .unwrap();
        let articles = read_articles(&csv).unwrap();
        let questions: Vec<&str> = articles[0].questions().collect();
        assert_eq!(questions, ["can I return it?", "refund please"]);
    }

    #[test]
    fn missing_parts_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("incomplete") && err.contains(FAQ_DIR), "{err}");
        assert!(discover(&dir.path().join("nope")).is_err());
        assert!(discover(dir.path())
            .unwrap_err()
            .to_string()
            .contains("no evaluation sets"));
    }
}
