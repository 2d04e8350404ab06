//! The passage shown under each result, with the words that matched marked.
//!
//! Snippets are returned as fragments rather than HTML so the widget can render them as
//! text nodes: nothing from the index is ever parsed as markup here.
//!
//! They are computed on every keystroke for every hit, so each hit's answer is analyzed
//! once ([`AnalyzedDoc`], cached by the engine) and a keystroke only scans its tokens.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use super::stored::Stored;
use crate::analysis;
use crate::schema::Fields;
use crate::Locale;

/// Longest snippet, in bytes of the source text (about as many characters in Latin
/// scripts).
const MAX_BYTES: usize = 170;
/// Length of the opening shown when nothing in the answer matched, in characters.
const LEAD_CHARS: usize = 160;

/// A run of snippet text; `mark` is set on the words that matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fragment {
    pub text: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mark: bool,
}

/// What a result needs from its stored document, with the answer and the questions
/// already split into stemmed tokens.
#[derive(Debug)]
pub(crate) struct AnalyzedDoc {
    pub id: String,
    pub title: String,
    pub category: Option<String>,
    body: Analyzed,
    questions: Vec<Analyzed>,
}

#[derive(Debug)]
struct Analyzed {
    text: String,
    tokens: Vec<Stemmed>,
}

/// A word of an answer: its stem and where it stands in the text.
#[derive(Debug)]
struct Stemmed {
    stem: Rc<str>,
    from: usize,
    to: usize,
}

impl Analyzed {
    fn new(text: String, stems: &mut Stems) -> Self {
        let tokens = stems.tokens(&text);
        Self { text, tokens }
    }
}

/// Stems words through a memo. Answers share most of their words, so each distinct word
/// is stemmed once per engine instead of once per word of every hit.
pub(crate) struct Stems {
    words: TextAnalyzer,
    stem: TextAnalyzer,
    memo: FxHashMap<String, Option<Rc<str>>>,
}

/// Distinct words remembered; a help centre's vocabulary is far smaller.
const STEM_MEMO_ENTRIES: usize = 100_000;

impl Stems {
    pub(super) fn new(locale: Locale) -> Self {
        Self {
            words: analysis::words_analyzer(locale),
            stem: analysis::stem_analyzer(locale),
            memo: FxHashMap::default(),
        }
    }

    pub(super) fn clear(&mut self) {
        self.memo.clear();
    }

    /// The stemmed words of `text` with their byte ranges; stop words are left out.
    /// Same result as the ranking analyzer, because stemming a vocabulary word equals
    /// stemming the original (see `analysis`).
    fn tokens(&mut self, text: &str) -> Vec<Stemmed> {
        if self.memo.len() > STEM_MEMO_ENTRIES {
            self.memo.clear();
        }
        let raw = analysis::tokens(&mut self.words, text);
        let mut out = Vec::with_capacity(raw.len());
        for t in raw {
            let stem = match self.memo.get(&t.text) {
                Some(stem) => stem.clone(),
                None => {
                    let stem: Option<Rc<str>> = analysis::tokens(&mut self.stem, &t.text)
                        .into_iter()
                        .next()
                        .map(|s| s.text.into());
                    self.memo.insert(t.text, stem.clone());
                    stem
                }
            };
            if let Some(stem) = stem {
                out.push(Stemmed {
                    stem,
                    from: t.from,
                    to: t.to,
                });
            }
        }
        out
    }
}

impl std::fmt::Debug for Stems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stems")
            .field("memo", &self.memo.len())
            .finish()
    }
}

impl AnalyzedDoc {
    pub(super) fn new(doc: &Stored, fields: &Fields, stems: &mut Stems) -> Self {
        let text = |field| doc.text(field);
        Self {
            id: text(fields.id).unwrap_or_default(),
            title: text(fields.title).unwrap_or_default(),
            category: text(fields.category),
            body: Analyzed::new(text(fields.body).unwrap_or_default(), stems),
            questions: doc
                .all(fields.questions)
                .map(|q| Analyzed::new(q.to_string(), stems))
                .collect(),
        }
    }

    /// The best passage of the answer for `terms` (stem → weight); else the question
    /// that matched best (shoppers recognise their own words); else the answer's opening.
    pub(super) fn snippet(&self, terms: &Terms) -> Vec<Fragment> {
        if let Some(best) = best_window(&self.body, terms) {
            return best;
        }
        let question = self
            .questions
            .iter()
            .filter_map(|q| best_window(q, terms).map(|f| (marked(&f), f)))
            .min_by_key(|(n, _)| std::cmp::Reverse(*n));
        match question {
            Some((_, fragments)) => fragments,
            None => lead(&self.body.text),
        }
    }
}

fn marked(fragments: &[Fragment]) -> usize {
    fragments.iter().filter(|f| f.mark).count()
}

/// Query stems and their weights, as [`AnalyzedDoc::snippet`] takes them.
pub(crate) type Terms<'a> = FxHashMap<&'a str, f32>;

/// The window of at most [`MAX_BYTES`] with the highest total weight of matching tokens,
/// found with two pointers in one pass; `None` when nothing matches.
fn best_window(a: &Analyzed, terms: &Terms) -> Option<Vec<Fragment>> {
    let tokens = &a.tokens;
    // Each token is looked up once: this runs for every hit on every keystroke.
    let weights: Vec<f32> = tokens
        .iter()
        .map(|t| terms.get(&*t.stem).copied().unwrap_or(0.0))
        .collect();
    let (mut best, mut best_range) = (0.0f32, (0, 0));
    let (mut start, mut sum) = (0, 0.0f32);
    for end in 0..tokens.len() {
        sum += weights[end];
        while tokens[end].to - tokens[start].from > MAX_BYTES {
            sum -= weights[start];
            start += 1;
        }
        if sum > best + f32::EPSILON {
            best = sum;
            best_range = (start, end);
        }
    }
    if best <= 0.0 {
        return None;
    }
    let (first, last) = best_range;
    // Open the window at its first matching token, so the marked word leads, and fill
    // it with the words that follow.
    let first = (first..=last).find(|&i| weights[i] > 0.0)?;
    let from = tokens[first].from;
    let last = (last..tokens.len())
        .take_while(|&i| tokens[i].to - from <= MAX_BYTES)
        .last()
        .unwrap_or(last);
    let to = tokens[last].to;
    let mut out = Vec::new();
    let mut at = from;
    if from > 0 {
        out.push(plain("…"));
    }
    for (t, &w) in tokens[first..=last].iter().zip(&weights[first..=last]) {
        if w > 0.0 {
            if t.from > at {
                out.push(plain(&a.text[at..t.from]));
            }
            out.push(Fragment {
                text: a.text[t.from..t.to].to_string(),
                mark: true,
            });
            at = t.to;
        }
    }
    let end = extend_to_sentence_end(&a.text, to);
    if end > at {
        out.push(plain(&a.text[at..end]));
    }
    if end < a.text.len() {
        out.push(plain("…"));
    }
    Some(out)
}

/// Lets a snippet finish the word or short clause it stopped in.
fn extend_to_sentence_end(text: &str, to: usize) -> usize {
    let rest = &text[to..];
    let stop = rest
        .char_indices()
        .take(40)
        .find(|(_, c)| matches!(c, '.' | '!' | '?' | '\n'))
        .map(|(i, c)| i + c.len_utf8());
    to + stop.unwrap_or(0)
}

fn plain(text: &str) -> Fragment {
    Fragment {
        text: text.to_string(),
        mark: false,
    }
}

/// The opening of `text`, cut at a word boundary, when nothing in it matched.
pub(crate) fn lead(text: &str) -> Vec<Fragment> {
    let mut end = text.len();
    if let Some((i, _)) = text.char_indices().nth(LEAD_CHARS) {
        end = text[..i].rfind(char::is_whitespace).unwrap_or(i);
    }
    let mut cut = text[..end].trim_end().to_string();
    if end < text.len() {
        cut.push('…');
    }
    vec![plain(&cut)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzed(text: &str) -> Analyzed {
        Analyzed::new(text.to_string(), &mut Stems::new(Locale::En))
    }

    #[test]
    fn marks_every_form_of_a_matched_stem() {
        let a = analyzed("Free returns within 30 days. Returned items are refunded.");
        let terms = Terms::from_iter([("return", 1.0)]);
        let f = best_window(&a, &terms).unwrap();
        let marked: Vec<_> = f
            .iter()
            .filter(|f| f.mark)
            .map(|f| f.text.as_str())
            .collect();
        assert_eq!(marked, ["returns", "Returned"]);
        assert_eq!(
            f.iter().map(|f| f.text.as_str()).collect::<String>(),
            "…returns within 30 days. Returned items are refunded."
        );
    }

    #[test]
    fn picks_the_passage_with_most_matches() {
        let filler = "lorem ipsum dolor sit amet ".repeat(20);
        let a = analyzed(&format!(
            "Shipping is quick. {filler} Shipping costs and shipping times vary."
        ));
        let terms = Terms::from_iter([("ship", 1.0), ("cost", 1.0)]);
        let f = best_window(&a, &terms).unwrap();
        assert_eq!(marked(&f), 3);
        assert!(f[0].text == "…");
    }

    #[test]
    fn nothing_matching_gives_none_and_the_lead_is_cut_at_a_word() {
        assert!(best_window(
            &analyzed("nothing here"),
            &Terms::from_iter([("ship", 1.0)])
        )
        .is_none());
        let long = "word ".repeat(100);
        let l = &lead(&long)[0].text;
        assert!(l.ends_with('…') && l.chars().count() <= LEAD_CHARS + 1);
        assert_eq!(lead("short answer")[0].text, "short answer");
    }
}
