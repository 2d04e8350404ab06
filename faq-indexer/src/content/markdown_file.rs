//! One article per Markdown file, with YAML front matter.

use std::collections::BTreeMap;
use std::path::Path;

use faq_core::Locale;
use serde::Deserialize;

use super::{validate, Draft};
use crate::diagnostics::Report;

#[derive(Debug, Deserialize)]
struct FrontMatter {
    id: Option<String>,
    title: Option<String>,
    category: Option<String>,
    #[serde(default)]
    tags: OneOrMany,
    #[serde(default)]
    questions: OneOrMany,
    #[serde(default)]
    pages: OneOrMany,
    locale: Option<String>,
    #[serde(flatten)]
    other: BTreeMap<String, serde_norway::Value>,
}

/// Editors write `tags: shipping` as readily as `tags: [shipping]`.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Reads one article; returns `None` when the file cannot be understood at all.
pub(super) fn read(path: &Path, default_locale: Locale, report: &mut Report) -> Option<Draft> {
    let source = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => {
                report.error(path, 1, "file is not UTF-8 text; save it as UTF-8");
                return None;
            }
        },
        Err(e) => {
            report.error(path, 1, format!("cannot read file: {e}"));
            return None;
        }
    };
    let source = source.strip_prefix('\u{feff}').unwrap_or(&source);
    if source.trim().is_empty() {
        report.error(
            path,
            1,
            "file is empty; write front matter with a `title` and the answer below it, or delete the file",
        );
        return None;
    }
    let Some(split) = split_front_matter(source) else {
        report.error(
            path,
            1,
            "missing front matter: start the file with a `---` line, then `title: ...`, then a closing `---` line",
        );
        return None;
    };
    // Line numbers inside the YAML are relative to the line after the opening `---`.
    let yaml_first_line = 2;
    let fm: FrontMatter = match serde_norway::from_str(split.yaml) {
        Ok(fm) => fm,
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line() + yaml_first_line - 1);
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg);
            report.error(path, line, format!("bad YAML in front matter: {msg}"));
            return None;
        }
    };
    let line_of = |key: &str| {
        split
            .yaml
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("{key}:")))
            .map_or(1, |i| i + yaml_first_line)
    };
    let line_of_value = |value: &str, after: usize| {
        split
            .yaml
            .lines()
            .enumerate()
            .skip(after.saturating_sub(yaml_first_line))
            .find(|(_, l)| l.contains(value))
            .map_or(after, |(i, _)| i + yaml_first_line)
    };

    for key in fm.other.keys() {
        report.warning(
            path,
            line_of(key),
            format!(
                "unknown front matter key `{key}` is ignored; known keys are id, title, category, tags, questions, pages, locale"
            ),
        );
    }

    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let id = fm.id.unwrap_or(stem);
    let locale = match fm.locale.as_deref() {
        None => default_locale,
        Some(tag) => match tag.parse::<Locale>() {
            Ok(l) => l,
            Err(e) => {
                report.error(path, line_of("locale"), e.to_string());
                default_locale
            }
        },
    };
    let title = fm.title.unwrap_or_default().trim().to_string();
    if title.is_empty() {
        report.error(
            path,
            line_of("title").min(split.closing_line),
            "missing `title`; add a line such as `title: \"How long does delivery take?\"` to the front matter",
        );
    }
    if split.body.trim().is_empty() {
        report.error(
            path,
            split.closing_line + 1,
            "missing answer: write the answer in Markdown below the closing `---`",
        );
    }
    let questions_line = line_of("questions");
    let questions = fm
        .questions
        .into_vec()
        .into_iter()
        .map(|q| {
            let line = line_of_value(q.trim(), questions_line);
            (q.trim().to_string(), line)
        })
        .collect();
    let pages_line = line_of("pages");
    let pages = fm
        .pages
        .into_vec()
        .into_iter()
        .map(|p| {
            let line = line_of_value(p.trim(), pages_line);
            (p.trim().to_string(), line)
        })
        .collect();

    let draft = Draft {
        path: path.to_path_buf(),
        line: 1,
        id,
        title,
        category: fm.category.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
        tags: clean(fm.tags.into_vec()),
        questions,
        pages,
        locale,
        body_markdown: split.body.to_string(),
    };
    validate::within(&draft, report);
    Some(draft)
}

fn clean(v: Vec<String>) -> Vec<String> {
    v.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

struct Split<'a> {
    yaml: &'a str,
    body: &'a str,
    /// 1-based line of the closing `---`.
    closing_line: usize,
}

fn split_front_matter(source: &str) -> Option<Split<'_>> {
    let mut lines = source.split_inclusive('\n');
    let first = lines.next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (i, line) in lines.enumerate() {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            return Some(Split {
                yaml: &source[yaml_start..offset],
                body: &source[offset + line.len()..],
                closing_line: i + 2,
            });
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let s = split_front_matter("---\ntitle: x\nid: y\n---\nBody\n").unwrap();
        assert_eq!(s.yaml, "title: x\nid: y\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.closing_line, 4);
        assert!(split_front_matter("title: x\n").is_none());
        assert!(split_front_matter("---\ntitle: x\n").is_none());
    }
}
