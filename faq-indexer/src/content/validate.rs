//! Checks on one article, and across all articles of a build.

use std::collections::BTreeMap;

use faq_core::pattern::UrlPattern;
use faq_core::Locale;

use super::Draft;
use crate::diagnostics::Report;

/// Ids end up in URLs and analytics events, so they stay simple.
fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && id.len() <= 128
}

pub(super) fn within(d: &Draft, report: &mut Report) {
    if !valid_id(&d.id) {
        report.error(
            &d.path,
            d.line,
            format!(
                "article id `{}` is not usable; use letters, digits, `-`, `_` or `.` (e.g. `track-my-order`)",
                d.id
            ),
        );
    }
    for (pattern, line) in &d.pages {
        if let Err(e) = UrlPattern::parse(pattern) {
            report.error(&d.path, *line, e.to_string());
        }
    }
    let mut seen = BTreeMap::new();
    for (q, line) in &d.questions {
        if q.is_empty() {
            report.warning(&d.path, *line, "empty question is ignored");
        } else if let Some(first) = seen.insert(normalize(q), *line) {
            report.warning(
                &d.path,
                *line,
                format!("question \"{q}\" is listed twice in this article (first on line {first})"),
            );
        }
    }
}

/// Questions that differ only in case, spacing or trailing punctuation are the same
/// question to a shopper.
fn normalize(q: &str) -> String {
    q.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(['?', '!', '.'])
        .to_lowercase()
}

pub(super) fn across(drafts: &[Draft], report: &mut Report) {
    let mut ids: BTreeMap<(Locale, &str), &Draft> = BTreeMap::new();
    for d in drafts {
        if let Some(first) = ids.insert((d.locale, d.id.as_str()), d) {
            report.error(
                &d.path,
                d.line,
                format!(
                    "duplicate article id `{}` in locale {} (also at {}:{}); give one of them another `id`",
                    d.id,
                    d.locale,
                    first.path.display(),
                    first.line
                ),
            );
        }
    }
    let mut questions: BTreeMap<(Locale, String), (&Draft, usize)> = BTreeMap::new();
    for d in drafts {
        let mut own = std::collections::BTreeSet::new();
        for (q, line) in &d.questions {
            let key = normalize(q);
            if key.is_empty() || !own.insert(key.clone()) {
                continue;
            }
            match questions.get(&(d.locale, key.clone())) {
                Some((other, other_line)) if other.id != d.id => report.error(
                    &d.path,
                    *line,
                    format!(
                        "question \"{q}\" is also a question of article `{}` ({}:{}); a question must lead to one article, so keep it in only one",
                        other.id,
                        other.path.display(),
                        other_line
                    ),
                ),
                _ => {
                    questions.insert((d.locale, key), (d, *line));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_question_normalization() {
        assert!(valid_id("track-my-order") && valid_id("a.b_c1"));
        assert!(!valid_id("") && !valid_id("-x") && !valid_id("with space") && !valid_id("ü"));
        assert_eq!(normalize("  Where is  my parcel?? "), "where is my parcel");
    }
}
