//! Reading what editors write: Markdown files with front matter, and CSV exports.

mod csv_file;
mod markdown_file;
pub(crate) mod render;
mod validate;

use std::path::{Path, PathBuf};

use faq_core::{Article, Locale};

use crate::diagnostics::Report;

/// An article as read from its source, with where each part came from so that findings
/// can point at the right line.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub path: PathBuf,
    /// Line where the article starts (front matter or CSV record).
    pub line: usize,
    pub id: String,
    pub title: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    /// Each question with its line.
    pub questions: Vec<(String, usize)>,
    /// Each page pattern with its line.
    pub pages: Vec<(String, usize)>,
    pub locale: Locale,
    pub body_markdown: String,
}

/// Loads every article under `inputs` (folders of `.md` files, or `.csv` files).
/// Problems go to `report`; articles with errors are still returned when they could be
/// read, so that cross-article checks (duplicates) see them too.
pub(crate) fn load(inputs: &[PathBuf], default_locale: Locale, report: &mut Report) -> Vec<Draft> {
    let mut drafts = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut files = Vec::new();
            collect_markdown(input, &mut files, report);
            files.sort();
            if files.is_empty() {
                report.error(
                    input,
                    1,
                    "this folder contains no `.md` files; point at the folder holding the articles",
                );
            }
            for file in files {
                if let Some(d) = markdown_file::read(&file, default_locale, report) {
                    drafts.push(d);
                }
            }
        } else if input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            drafts.extend(csv_file::read(input, default_locale, report));
        } else if input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        {
            drafts.extend(markdown_file::read(input, default_locale, report));
        } else if !input.exists() {
            report.error(input, 1, "no such file or folder");
        } else {
            report.error(
                input,
                1,
                "not a folder, `.md` or `.csv` file; inputs are folders of Markdown articles or CSV exports",
            );
        }
    }
    validate::across(&drafts, report);
    drafts
}

fn collect_markdown(dir: &Path, out: &mut Vec<PathBuf>, report: &mut Report) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            report.error(dir, 1, format!("cannot read folder: {e}"));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_markdown(&path, out, report);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        {
            out.push(path);
        }
    }
}

/// Renders drafts into indexable articles.
pub(crate) fn finish(drafts: Vec<Draft>) -> Vec<Article> {
    drafts
        .into_iter()
        .map(|d| {
            let rendered = render::markdown(&d.body_markdown);
            Article {
                id: d.id,
                title: d.title,
                category: d.category,
                tags: d.tags,
                questions: d.questions.into_iter().map(|(q, _)| q).collect(),
                pages: d.pages.into_iter().map(|(p, _)| p).collect(),
                locale: d.locale,
                html: rendered.html,
                text: rendered.text,
            }
        })
        .collect()
}
