//! The passage shown under each result, with the words that matched marked.
//!
//! Snippets are returned as fragments rather than HTML so the widget can render
//! them as text nodes: nothing from the index is ever parsed as markup here.

use serde::Serialize;
use tantivy::query::Query;
use tantivy::snippet::SnippetGenerator;
use tantivy::{Searcher, TantivyDocument};

use crate::schema::Fields;

/// Longest snippet, in characters.
const MAX_CHARS: usize = 160;

/// A run of snippet text; `mark` is set on the words that matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fragment {
    pub text: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mark: bool,
}

/// Snippet generators for one query: from the answer, or else from the alternative
/// questions when only those matched.
pub(crate) struct Snippets {
    body: SnippetGenerator,
    questions: SnippetGenerator,
    fields: Fields,
}

impl Snippets {
    pub fn new(searcher: &Searcher, query: &dyn Query, fields: &Fields) -> tantivy::Result<Self> {
        let mut body = SnippetGenerator::create(searcher, query, fields.body)?;
        body.set_max_num_chars(MAX_CHARS);
        let mut questions = SnippetGenerator::create(searcher, query, fields.questions)?;
        questions.set_max_num_chars(MAX_CHARS);
        Ok(Self {
            body,
            questions,
            fields: *fields,
        })
    }

    pub fn for_doc(&self, doc: &TantivyDocument) -> Vec<Fragment> {
        let from_body = self.body.snippet_from_doc(doc);
        if !from_body.highlighted().is_empty() {
            return fragments(from_body.fragment(), from_body.highlighted());
        }
        // Questions are separate phrasings: show the one that matched best, not a run-on
        // of all of them.
        let best_question = doc
            .get_all(self.fields.questions)
            .filter_map(|v| tantivy::schema::Value::as_str(&v))
            .map(|q| self.questions.snippet(q))
            .filter(|s| !s.highlighted().is_empty())
            .min_by_key(|s| std::cmp::Reverse(s.highlighted().len()));
        if let Some(s) = best_question {
            return fragments(s.fragment(), s.highlighted());
        }
        let body = doc
            .get_first(self.fields.body)
            .and_then(|v| tantivy::schema::Value::as_str(&v))
            .unwrap_or_default();
        lead(body)
    }
}

fn fragments(text: &str, marks: &[std::ops::Range<usize>]) -> Vec<Fragment> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in marks {
        if r.start > at {
            out.push(Fragment {
                text: text[at..r.start].to_string(),
                mark: false,
            });
        }
        out.push(Fragment {
            text: text[r.clone()].to_string(),
            mark: true,
        });
        at = r.end;
    }
    if at < text.len() {
        out.push(Fragment {
            text: text[at..].to_string(),
            mark: false,
        });
    }
    out
}

/// The opening of `text`, cut at a word boundary, when nothing in it matched.
pub(crate) fn lead(text: &str) -> Vec<Fragment> {
    let mut end = text.len();
    if let Some((i, _)) = text.char_indices().nth(MAX_CHARS) {
        end = text[..i].rfind(char::is_whitespace).unwrap_or(i);
    }
    let mut cut = text[..end].trim_end().to_string();
    if end < text.len() {
        cut.push('…');
    }
    vec![Fragment {
        text: cut,
        mark: false,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_marked_ranges_into_fragments() {
        let f = fragments("free returns within 30 days", &[(5..12), (23..27)]);
        let marked: Vec<_> = f
            .iter()
            .filter(|f| f.mark)
            .map(|f| f.text.as_str())
            .collect();
        assert_eq!(marked, ["returns", "days"]);
        assert_eq!(
            f.iter().map(|f| f.text.as_str()).collect::<String>(),
            "free returns within 30 days"
        );
    }

    #[test]
    fn lead_cuts_long_text_at_a_word() {
        let long = "word ".repeat(100);
        let l = &lead(&long)[0].text;
        assert!(l.ends_with('…') && l.chars().count() <= MAX_CHARS + 1);
        assert_eq!(lead("short answer")[0].text, "short answer");
    }
}
