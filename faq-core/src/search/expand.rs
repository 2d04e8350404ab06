//! Finding the words a shopper may have meant: typo corrections and completions.
//!
//! Candidates come from the vocabulary field's term dictionary, walked with a
//! Levenshtein automaton (typos) or a prefix range (the word being typed). Each candidate
//! keeps its document frequency so the most common readings win.

use std::collections::BTreeMap;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use tantivy::schema::Field;
use tantivy_fst::Automaton;

use super::segments::Segments;

/// A word from the index vocabulary that could stand for a typed word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub word: String,
    /// Edits between the typed word (or its prefix) and this word.
    pub distance: u8,
    pub doc_freq: u32,
}

/// Levenshtein automaton builders are costly to create (they precompute a parametric
/// table), so an engine builds them once.
pub(crate) struct Automata {
    by_distance: [LevenshteinAutomatonBuilder; 2],
}

impl std::fmt::Debug for Automata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Automata")
    }
}

impl Automata {
    pub(super) fn new() -> Self {
        Self {
            by_distance: [
                LevenshteinAutomatonBuilder::new(1, true),
                LevenshteinAutomatonBuilder::new(2, true),
            ],
        }
    }

    fn dfa(&self, word: &str, distance: u8, prefix: bool) -> DFA {
        let builder = &self.by_distance[usize::from(distance.clamp(1, 2)) - 1];
        if prefix {
            builder.build_prefix_dfa(word)
        } else {
            builder.build_dfa(word)
        }
    }
}

struct DfaAutomaton<'a>(&'a DFA);

impl Automaton for DfaAutomaton<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// Vocabulary words within `distance` edits of `word` (or, with `prefix`, words that
/// start with something within `distance` edits of it), excluding `word` itself.
pub(crate) fn fuzzy(
    segments: &Segments,
    field: Field,
    automata: &Automata,
    word: &str,
    distance: u8,
    prefix: bool,
) -> tantivy::Result<Vec<Candidate>> {
    let dfa = automata.dfa(word, distance, prefix);
    let mut out = BTreeMap::new();
    for segment in segments.readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().search(DfaAutomaton(&dfa)).into_stream()?;
        while stream.advance() {
            let key = stream.key();
            if key == word.as_bytes() {
                continue;
            }
            let Ok(text) = std::str::from_utf8(key) else {
                continue;
            };
            let distance = if prefix {
                prefix_distance(&dfa, key)
            } else {
                match dfa.eval(key) {
                    Distance::Exact(d) => d,
                    Distance::AtLeast(_) => continue,
                }
            };
            merge(&mut out, text, distance, stream.value().doc_freq);
        }
    }
    Ok(into_candidates(out))
}

/// The smallest distance reached while reading `key`, i.e. how far its closest prefix
/// is from the typed word.
fn prefix_distance(dfa: &DFA, key: &[u8]) -> u8 {
    let mut state = dfa.initial_state();
    let mut best = u8::MAX;
    for &b in key {
        state = dfa.transition(state, b);
        if let Distance::Exact(d) = dfa.distance(state) {
            best = best.min(d);
        }
    }
    best
}

/// Vocabulary words that start with `prefix`, excluding `prefix` itself.
pub(crate) fn completions(
    segments: &Segments,
    field: Field,
    prefix: &str,
) -> tantivy::Result<Vec<Candidate>> {
    let mut out = BTreeMap::new();
    for segment in segments.readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .range()
            .gt(prefix.as_bytes())
            .into_stream()?;
        while stream.advance() {
            let key = stream.key();
            if !key.starts_with(prefix.as_bytes()) {
                break;
            }
            if let Ok(text) = std::str::from_utf8(key) {
                merge(&mut out, text, 0, stream.value().doc_freq);
            }
        }
    }
    Ok(into_candidates(out))
}

/// Adds a dictionary hit; a word seen in several segments sums its frequencies.
fn merge(out: &mut BTreeMap<String, (u8, u32)>, word: &str, distance: u8, doc_freq: u32) {
    let entry = out.entry(word.to_string()).or_insert((distance, 0));
    entry.0 = entry.0.min(distance);
    entry.1 += doc_freq;
}

fn into_candidates(found: BTreeMap<String, (u8, u32)>) -> Vec<Candidate> {
    found
        .into_iter()
        .map(|(word, (distance, doc_freq))| Candidate {
            word,
            distance,
            doc_freq,
        })
        .collect()
}

/// Keeps the `n` best candidates: closest first, then most frequent, then alphabetical
/// so that ties never depend on dictionary layout.
pub(crate) fn best(mut candidates: Vec<Candidate>, n: usize) -> Vec<Candidate> {
    crate::order::sort_by(&mut candidates, |a, b| {
        a.distance
            .cmp(&b.distance)
            .then(b.doc_freq.cmp(&a.doc_freq))
            .then(a.word.cmp(&b.word))
    });
    candidates.truncate(n);
    candidates
}
