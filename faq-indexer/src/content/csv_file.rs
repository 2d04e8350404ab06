//! Articles exported from a spreadsheet or help-desk tool as CSV.
//!
//! Header: `id,title,body,category,tags,questions,pages,locale`; only `id`, `title` and
//! `body` are required. Multi-valued cells separate values with `|`.

use std::path::Path;

use faq_core::Locale;
use serde::Deserialize;

use super::{validate, Draft};
use crate::diagnostics::Report;

#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    title: String,
    body: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    pages: String,
    #[serde(default)]
    locale: String,
}

const REQUIRED: [&str; 3] = ["id", "title", "body"];
const KNOWN: [&str; 8] = [
    "id",
    "title",
    "body",
    "category",
    "tags",
    "questions",
    "pages",
    "locale",
];

/// Reads the articles of one CSV file from its bytes; `path` is what findings name.
pub(super) fn parse(
    path: &Path,
    bytes: &[u8],
    default_locale: Locale,
    report: &mut Report,
) -> Vec<Draft> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            report.error(path, 1, format!("cannot read the CSV header: {e}"));
            return Vec::new();
        }
    };
    if headers.iter().all(|h| h.trim().is_empty()) {
        report.error(path, 1, "file is empty; expected a header line `id,title,body,category,tags,questions,pages,locale`");
        return Vec::new();
    }
    let missing: Vec<_> = REQUIRED
        .iter()
        .filter(|r| !headers.iter().any(|h| h.trim() == **r))
        .collect();
    if !missing.is_empty() {
        report.error(
            path,
            1,
            format!(
                "CSV header lacks column(s) {}; the header must be `id,title,body,category,tags,questions,pages,locale`",
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ),
        );
        return Vec::new();
    }
    for h in headers.iter().filter(|h| !KNOWN.contains(&h.trim())) {
        report.warning(path, 1, format!("unknown CSV column `{h}` is ignored"));
    }
    let mut drafts = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                report.error(path, line, format!("bad CSV record: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(1, |p| p.line() as usize);
        let row: Row = match record.deserialize(Some(&headers)) {
            Ok(r) => r,
            Err(e) => {
                report.error(path, line, format!("bad CSV record: {e}"));
                continue;
            }
        };
        let locale = if row.locale.trim().is_empty() {
            default_locale
        } else {
            match row.locale.parse::<Locale>() {
                Ok(l) => l,
                Err(e) => {
                    report.error(path, line, e.to_string());
                    default_locale
                }
            }
        };
        let id = row.id.trim().to_string();
        if row.title.trim().is_empty() {
            report.error(
                path,
                line,
                format!("article `{id}` has an empty `title` cell; fill it in"),
            );
        }
        if row.body.trim().is_empty() {
            report.error(
                path,
                line,
                format!("article `{id}` has an empty `body` cell; write the answer in it"),
            );
        }
        let draft = Draft {
            path: path.to_path_buf(),
            line,
            id,
            title: row.title.trim().to_string(),
            category: Some(row.category.trim().to_string()).filter(|c| !c.is_empty()),
            tags: split(&row.tags),
            questions: split(&row.questions)
                .into_iter()
                .map(|q| (q, line))
                .collect(),
            pages: split(&row.pages).into_iter().map(|p| (p, line)).collect(),
            locale,
            body_markdown: row.body,
        };
        validate::within(&draft, report);
        drafts.push(draft);
    }
    if drafts.is_empty() && report.errors() == 0 {
        report.error(path, 1, "CSV has a header but no articles");
    }
    drafts
}

fn split(cell: &str) -> Vec<String> {
    cell.split('|')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
