//! From what the shopper typed to the stems each word stands for (scored in `scores`).
//!
//! Every typed word becomes a set of alternative stems, each with a weight:
//! the word itself (1.0), completions of the word still being typed, and typo
//! corrections. A word scores through its best alternative only (a disjunction-max), so
//! a misspelling never counts twice, and an exact match outranks a guessed one.
//! Words are then summed (see `scores`), so articles matching more of the query rank
//! higher.
//!
//! Stop words ("how", "can", "my") count, lightly: titles and questions keep them (see
//! `analysis`), so among articles that match the content words equally the one phrased
//! like the query wins, and a query whose content word the help centre never uses still
//! finds the question asked the same way. At full weight they would outvote content
//! words; dropped, they lose both. Measured on every evaluation set (BENCHMARKS.md).

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use super::expand::{self, Automata, Candidate};
use super::segments::Segments;
use crate::analysis;
use crate::schema::Fields;

/// Weight of a stop word, and the most any alternative that is one may weigh.
const STOP_WORD: f32 = 0.5;
/// Weight of a completion of the word being typed.
const COMPLETION: f32 = 0.8;
/// Weight of a correction, by edit distance.
const CORRECTION: [f32; 2] = [0.6, 0.35];
/// Weight of a completion of a misspelt prefix.
const FUZZY_COMPLETION: f32 = 0.45;
const MAX_CORRECTIONS: usize = 5;
/// Completions of one or two letters are too vague to be worth the noise.
const MIN_COMPLETION_CHARS: usize = 2;

/// A word of the query as typed (lowercased and folded).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TypedWord {
    pub text: String,
    /// The shopper is still typing it: the query ends inside this word.
    pub in_progress: bool,
    /// The query has a word that is not a stop word. Stop words refine a query, they
    /// never make one: alone ("how do i", "my ") they would match half the help centre.
    pub with_content: bool,
}

/// Splits `query` into words, marking the last one as in progress when the query
/// ends without a space or punctuation after it, and each whether the query has a
/// word that is not one of `stop_words`.
pub(crate) fn typed_words(
    words: &mut TextAnalyzer,
    stop_words: &FxHashSet<String>,
    query: &str,
) -> Vec<TypedWord> {
    let tokens = analysis::tokens(words, query);
    let open_end = query.chars().last().is_some_and(char::is_alphanumeric);
    let last = tokens.len().saturating_sub(1);
    let with_content = tokens.iter().any(|t| !stop_words.contains(&t.text));
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| TypedWord {
            in_progress: open_end && i == last && t.to == query.len(),
            text: t.text,
            with_content,
        })
        .collect()
}

/// How many completions a prefix of `chars` characters gets. A short prefix starts
/// hundreds of words, and each completion is one more set of postings to score on
/// every keystroke; the few most frequent carry nearly all the value.
pub(crate) fn completion_limit(chars: usize) -> usize {
    match chars {
        0..=2 => 3,
        3 => 5,
        _ => 8,
    }
}

/// How many typos a word of `chars` characters may contain.
pub(crate) fn typo_budget(chars: usize) -> u8 {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The stems a typed word may stand for, with weights.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alternatives {
    /// The stem of the word as typed (whether or not it is one of `stems`): how rare it
    /// is bounds how much its completions may tell (see `scores`).
    pub own: Option<String>,
    pub stems: BTreeMap<String, f32>,
}

impl Alternatives {
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &f32)> {
        self.stems.iter()
    }

    pub(crate) fn insert(&mut self, stem: String, weight: f32) {
        self.stems.insert(stem, weight);
    }
}

/// What each typed word may stand for.
pub(crate) struct Planner<'a> {
    pub segments: &'a Segments,
    pub fields: &'a Fields,
    pub automata: &'a Automata,
    /// Stop words as typed (see `analysis::typed_stop_words`).
    pub stop_words: &'a FxHashSet<String>,
    pub stem: &'a mut TextAnalyzer,
}

impl Planner<'_> {
    pub(super) fn alternatives(&mut self, word: &TypedWord) -> tantivy::Result<Alternatives> {
        let own_stem = self.stem_of(&word.text);
        let mut alts = Alternatives {
            own: own_stem.clone(),
            ..Alternatives::default()
        };
        let stop_word = self.stop_words.contains(&word.text);
        if let Some(stem) = own_stem
            .as_ref()
            .filter(|_| word.with_content || !stop_word)
        {
            alts.insert(stem.clone(), if stop_word { STOP_WORD } else { 1.0 });
        }
        if word.text.chars().any(|c| c.is_ascii_digit()) {
            return Ok(alts);
        }
        let chars = word.text.chars().count();
        let budget = typo_budget(chars);
        let vocabulary = self.fields.words;

        if word.in_progress && chars >= MIN_COMPLETION_CHARS {
            // With a typo budget, one walk of the prefix automaton finds the exact
            // completions (distance 0) and the misspelt ones alike.
            let found = if budget > 0 {
                self.near(&word.text, budget, true)?
            } else {
                expand::completions(self.segments, vocabulary, &word.text)?
            };
            self.add(&mut alts, found, completion_limit(chars), |c| {
                if c.distance == 0 {
                    COMPLETION
                } else {
                    FUZZY_COMPLETION
                }
            });
        }
        // A stop word ("where", "with") is never a typo for a content word, and a word the
        // articles use is taken as meant: guessing other words for it only adds noise
        // (and query terms to every keystroke).
        let known = || {
            let term = Term::from_field_text(vocabulary, &word.text);
            self.segments.doc_freq(&term).map(|df| df > 0)
        };
        if budget > 0 && !stop_word && own_stem.is_some() && !known()? {
            let found = self.near(&word.text, budget, false)?;
            self.add(&mut alts, found, MAX_CORRECTIONS, |c| {
                CORRECTION[usize::from(c.distance.clamp(1, 2)) - 1]
            });
        }
        Ok(alts)
    }

    /// Vocabulary words within `budget` edits of `word` (of a prefix of it, with `prefix`).
    fn near(&self, word: &str, budget: u8, prefix: bool) -> tantivy::Result<Vec<Candidate>> {
        expand::fuzzy(
            self.segments,
            self.fields.words,
            self.automata,
            word,
            budget,
            prefix,
        )
    }

    fn add(
        &mut self,
        alts: &mut Alternatives,
        found: Vec<Candidate>,
        n: usize,
        weight: impl Fn(&Candidate) -> f32,
    ) {
        for c in expand::best(found, n) {
            if let Some(stem) = self.stem_of(&c.word) {
                let w = if self.stop_words.contains(&c.word) {
                    weight(&c).min(STOP_WORD)
                } else {
                    weight(&c)
                };
                let slot = alts.stems.entry(stem).or_insert(0.0);
                *slot = slot.max(w);
            }
        }
    }

    fn stem_of(&mut self, word: &str) -> Option<String> {
        analysis::tokens(self.stem, word)
            .into_iter()
            .next()
            .map(|t| t.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Locale;

    #[test]
    fn last_word_is_in_progress_only_without_trailing_space() {
        let mut w = analysis::words_analyzer(Locale::En);
        let none = FxHashSet::default();
        let typed = typed_words(&mut w, &none, "track my pack");
        assert!(typed[2].in_progress && !typed[0].in_progress);
        assert!(!typed_words(&mut w, &none, "track my pack ")[2].in_progress);
        assert!(!typed_words(&mut w, &none, "track my pack?")[2].in_progress);
    }

    #[test]
    fn every_word_knows_whether_the_query_has_a_content_word() {
        let mut w = analysis::words_analyzer(Locale::En);
        let stop = analysis::typed_stop_words(Locale::En);
        let typed = typed_words(&mut w, &stop, "how do i ");
        assert!(typed.iter().all(|t| !t.with_content));
        let typed = typed_words(&mut w, &stop, "how do i pay");
        assert!(typed.iter().all(|t| t.with_content));
    }

    #[test]
    fn typo_budget_grows_with_word_length() {
        assert_eq!(typo_budget(3), 0);
        assert_eq!(typo_budget(4), 1);
        assert_eq!(typo_budget(7), 1);
        assert_eq!(typo_budget(8), 2);
    }
}
