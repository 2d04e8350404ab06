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
    near_duplicates(drafts, report);
    missing_translations(drafts, report);
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

/// Translations of an article share its id (`returns` in `en` and in `de`). Where two
/// locales share any id, they are taken to be translations of each other, and an
/// article of one without its id in the other is reported: shoppers reading the other
/// language will not find it. Locales that share no id (separate help centres in one
/// build) are left alone.
fn missing_translations(drafts: &[Draft], report: &mut Report) {
    let mut by_locale: BTreeMap<Locale, BTreeMap<&str, &Draft>> = BTreeMap::new();
    for d in drafts {
        by_locale
            .entry(d.locale)
            .or_default()
            .entry(&d.id)
            .or_insert(d);
    }
    for (locale, articles) in &by_locale {
        for (other, theirs) in &by_locale {
            if other == locale || !articles.keys().any(|id| theirs.contains_key(id)) {
                continue;
            }
            for (id, d) in articles {
                if !theirs.contains_key(id) {
                    report.warning(
                        &d.path,
                        d.line,
                        format!(
                            "article `{id}` has no {other} version, while articles in {locale} and {other} share their ids; add one with `id: {id}` and `locale: {other}`, or {other} readers will not find it"
                        ),
                    );
                }
            }
        }
    }
}

/// Titles that say the same once stop words and word endings are set aside ("How do I
/// return an item?", "Returning items"), and questions that say what another article's
/// title says: a shopper asking it gets both, and cannot tell which one answers them.
/// Compared by the ranking's own analysis, so "the same" means what search sees as the
/// same. One pass with a map, not every pair: help centres have thousands of articles.
fn near_duplicates(drafts: &[Draft], report: &mut Report) {
    let mut analyzers = BTreeMap::new();
    let mut key = |locale: Locale, text: &str| {
        let analyzer = analyzers
            .entry(locale)
            .or_insert_with(|| faq_core::analysis::stem_analyzer(locale));
        let stems: std::collections::BTreeSet<String> = faq_core::analysis::tokens(analyzer, text)
            .into_iter()
            .map(|t| t.text)
            .collect();
        stems.into_iter().collect::<Vec<_>>().join(" ")
    };
    let mut titles: BTreeMap<(Locale, String), &Draft> = BTreeMap::new();
    for d in drafts {
        let k = key(d.locale, &d.title);
        if k.is_empty() {
            continue;
        }
        match titles.get(&(d.locale, k.clone())) {
            Some(first) if first.id != d.id => report.warning(
                &d.path,
                d.line,
                format!(
                    "the title \"{}\" says what the title of `{}` says (\"{}\", {}:{}); if both answer one question, merge them; if not, make the titles tell them apart",
                    d.title,
                    first.id,
                    first.title,
                    first.path.display(),
                    first.line
                ),
            ),
            Some(_) => {}
            None => {
                titles.insert((d.locale, k), d);
            }
        }
    }
    for d in drafts {
        for (q, line) in &d.questions {
            let k = key(d.locale, q);
            if k.is_empty() {
                continue;
            }
            if let Some(other) = titles.get(&(d.locale, k)).filter(|o| o.id != d.id) {
                report.warning(
                    &d.path,
                    *line,
                    format!(
                        "question \"{q}\" says what the title of `{}` says (\"{}\", {}:{}); a shopper asking it gets both articles: move the question there, or reword it",
                        other.id,
                        other.title,
                        other.path.display(),
                        other.line
                    ),
                );
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

    fn draft(id: &str, title: &str, questions: &[&str]) -> Draft {
        Draft {
            path: format!("{id}.md").into(),
            line: 1,
            id: id.into(),
            title: title.into(),
            category: None,
            tags: Vec::new(),
            questions: questions.iter().map(|q| (q.to_string(), 3)).collect(),
            pages: Vec::new(),
            locale: Locale::En,
            body_markdown: "Body.".into(),
        }
    }

    #[test]
    fn titles_and_questions_that_say_the_same_are_near_duplicates() {
        let drafts = [
            draft("returns", "How do I return an item?", &[]),
            draft("returning", "Returning items", &["Where is my parcel?"]),
            draft("tracking", "Where is my parcel", &[]),
            draft(
                "exchange",
                "Can I exchange an item?",
                &["How do I return an item?"],
            ),
        ];
        let mut report = Report::default();
        near_duplicates(&drafts, &mut report);
        let said: Vec<String> = report.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(said.len(), 3, "{said:#?}");
        assert!(
            said[0].contains("exchange.md:3") && said[0].contains("`returns`"),
            "{said:#?}"
        );
        assert!(
            said[1].contains("returning.md:1") && said[1].contains("title"),
            "{said:#?}"
        );
        assert!(
            said[2].contains("returning.md:3") && said[2].contains("`tracking`"),
            "{said:#?}"
        );
        assert_eq!(report.errors(), 0, "warnings, not errors");
    }

    #[test]
    fn an_article_missing_in_a_locale_that_translates_others_is_reported() {
        let in_locale = |id: &str, locale: Locale| {
            let mut d = draft(id, &format!("Title {id}"), &[]);
            d.locale = locale;
            d
        };
        let drafts = [
            in_locale("returns", Locale::En),
            in_locale("shipping", Locale::En),
            in_locale("returns", Locale::De),
            in_locale("only-german", Locale::De),
            // French shares no id with anyone: a help centre of its own.
            in_locale("retours", Locale::Fr),
        ];
        let mut report = Report::default();
        missing_translations(&drafts, &mut report);
        let said: Vec<String> = report.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(said.len(), 2, "{said:#?}");
        assert!(
            said.iter()
                .any(|s| s.contains("`only-german` has no en version")),
            "{said:#?}"
        );
        assert!(
            said.iter()
                .any(|s| s.contains("`shipping` has no de version")),
            "{said:#?}"
        );
    }

    #[test]
    fn different_titles_in_one_locale_or_one_title_in_two_are_fine() {
        let mut de = draft("lieferzeit", "Delivery times", &[]);
        de.locale = Locale::De;
        let drafts = [
            draft("delivery", "Delivery times", &[]),
            de,
            draft("costs", "Delivery costs", &["How much is delivery?"]),
        ];
        let mut report = Report::default();
        near_duplicates(&drafts, &mut report);
        assert_eq!(report.warnings(), 0);
    }
}
