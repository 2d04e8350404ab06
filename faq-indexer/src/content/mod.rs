//! Reading what editors write: Markdown files with front matter, and CSV exports.

mod csv_file;
mod files;
mod markdown_file;
pub(crate) mod render;
pub(crate) mod synonyms_file;
mod validate;
mod walk;
mod yaml_aliases;

use std::path::{Path, PathBuf};

use faq_core::{Article, Locale};
pub(crate) use files::Limits;

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

/// Loads every article under `inputs` (folders of `.md` files, or `.csv` files), each
/// file within `limits`. Problems go to `report`; articles with errors are still
/// returned when they could be read, so that cross-article checks (duplicates) see them
/// too.
pub(crate) fn load(
    inputs: &[PathBuf],
    default_locale: Locale,
    limits: &Limits,
    report: &mut Report,
) -> Vec<Draft> {
    let mut drafts = Vec::new();
    let is = |input: &Path, ext: &str| {
        input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    };
    for input in inputs {
        if input.is_dir() {
            let files = walk::markdown_files(input, report);
            if files.is_empty() {
                report.error(
                    input,
                    1,
                    "this folder contains no `.md` files; point at the folder holding the articles",
                );
            }
            for file in files {
                drafts.extend(markdown(
                    &file.shown,
                    &file.real,
                    default_locale,
                    limits,
                    report,
                ));
            }
        } else if is(input, "csv") {
            match files::read(input, files::Kind::Csv, limits) {
                Ok(bytes) => drafts.extend(csv_file::parse(input, &bytes, default_locale, report)),
                Err(message) => report.error(input, 1, message),
            }
        } else if is(input, "md") {
            // Named on the command line: read wherever it points.
            drafts.extend(markdown(input, input, default_locale, limits, report));
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

/// One Markdown article: `real` is read, `shown` named in findings.
fn markdown(
    shown: &Path,
    real: &Path,
    default_locale: Locale,
    limits: &Limits,
    report: &mut Report,
) -> Option<Draft> {
    match files::read(real, files::Kind::Markdown, limits) {
        Ok(bytes) => markdown_file::parse(shown, bytes, default_locale, report),
        Err(message) => {
            report.error(shown, 1, message);
            None
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
                synonyms: Vec::new(),
            }
        })
        .collect()
}
