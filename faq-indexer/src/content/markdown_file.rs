//! One article per Markdown file, with YAML front matter.

use std::collections::BTreeMap;
use std::path::Path;

use faq_core::Locale;
use serde::Deserialize;
use serde_norway::Value;

use super::{validate, Draft};
use crate::diagnostics::Report;

#[derive(Debug, Deserialize)]
struct FrontMatter {
    id: Option<String>,
    title: Option<String>,
    category: Option<String>,
    tags: Option<Value>,
    questions: Option<Value>,
    pages: Option<Value>,
    locale: Option<String>,
    #[serde(flatten)]
    other: BTreeMap<String, Value>,
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
    let mut lines = ValueLines::new(split.yaml, yaml_first_line);
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
    let questions = list(path, "questions", fm.questions, questions_line, report)
        .into_iter()
        .map(|q| {
            let line = lines.find(&q, questions_line);
            (q, line)
        })
        .collect();
    let pages_line = line_of("pages");
    let pages = list(path, "pages", fm.pages, pages_line, report)
        .into_iter()
        .map(|p| {
            let line = lines.find(&p, pages_line);
            (p, line)
        })
        .collect();
    let tags = list(path, "tags", fm.tags, line_of("tags"), report);

    let draft = Draft {
        path: path.to_path_buf(),
        line: 1,
        id,
        title,
        category: fm
            .category
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        tags,
        questions,
        pages,
        locale,
        body_markdown: split.body.to_string(),
    };
    validate::within(&draft, report);
    Some(draft)
}

/// A list field as strings. Editors write `tags: shipping` as readily as
/// `tags: [shipping]`, and numbers (`[2024]`) are words too; anything else is explained.
fn list(
    path: &Path,
    key: &str,
    value: Option<Value>,
    line: usize,
    report: &mut Report,
) -> Vec<String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let items = match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(seq)) => seq
            .iter()
            .filter_map(|v| {
                let s = scalar(v);
                if s.is_none() {
                    report.error(
                        path,
                        line,
                        format!("every entry of `{key}` must be plain text, not a list or mapping"),
                    );
                }
                s
            })
            .collect(),
        Some(v) => match scalar(&v) {
            Some(s) => vec![s],
            None => {
                report.error(
                    path,
                    line,
                    format!("`{key}` must be a list, e.g. `{key}: [\"first\", \"second\"]`"),
                );
                Vec::new()
            }
        },
    };
    items
        .into_iter()
        .filter(|s| !s.is_empty() || key == "questions")
        .collect()
}

/// Finds the line of each list entry, so a finding about one question or pattern
/// points at that entry and not at another that merely contains the same words.
struct ValueLines<'a> {
    lines: Vec<&'a str>,
    first_line: usize,
    used: std::collections::BTreeSet<usize>,
}

impl<'a> ValueLines<'a> {
    fn new(yaml: &'a str, first_line: usize) -> Self {
        Self {
            lines: yaml.lines().collect(),
            first_line,
            used: Default::default(),
        }
    }

    /// The first unused line at or after `from` that is the entry `value` (`- value`,
    /// quoted or not), else one that contains it, else `from` itself.
    fn find(&mut self, value: &str, from: usize) -> usize {
        let start = from.saturating_sub(self.first_line);
        let unquote = |s: &str| {
            let s = s.trim();
            s.strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
                .unwrap_or(s)
                .to_string()
        };
        let exact = |l: &str| {
            l.trim_start()
                .strip_prefix('-')
                .is_some_and(|item| unquote(item) == value)
        };
        let pick = |this: &Self, pred: &dyn Fn(&str) -> bool| {
            (start..this.lines.len()).find(|i| !this.used.contains(i) && pred(this.lines[*i]))
        };
        let found = pick(self, &exact).or_else(|| pick(self, &|l: &str| l.contains(value)));
        match found {
            Some(i) => {
                self.used.insert(i);
                i + self.first_line
            }
            None => from,
        }
    }
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
