//! Text analysis shared by the indexer and the browser.
//!
//! Three analyzers exist per locale:
//! - `faq_stem`: the answer body (lowercase, stop words removed, ASCII-folded, stemmed);
//! - `faq_phrasing`: titles, questions, tags and the shopper's query: the same, but
//!   keeping stop words. In a short phrasing they tell questions apart ("how long does
//!   delivery take" and "can I change the delivery"), and with them a query whose only
//!   content word is missing from the help centre still finds the question phrased
//!   like it. Ranking weighs them lightly (see `search::plan`); in a long body they
//!   would only add postings to every article.
//! - `faq_words`: the words as typed, only lowercased and folded. Its term dictionary is
//!   the vocabulary that typo correction and prefix completion search in, because edit
//!   distance is meaningful on words, not on stems.
//!
//! Running either stemming analyzer over a `faq_words` term yields the same stem as
//! running it over the original word, which is what lets a corrected word be looked up
//! in the ranking fields; the two stem every word they both keep alike.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
    TextAnalyzer, TokenStream,
};
use tantivy::Index;

use crate::{stop_words, Locale};

/// Analyzer name of the answer body (stop words removed).
pub const STEM: &str = "faq_stem";
/// Analyzer name of titles, questions and tags (stop words kept).
pub const PHRASING: &str = "faq_phrasing";
/// Analyzer name of the vocabulary field used for typo correction and completion.
pub const WORDS: &str = "faq_words";

/// Words longer than this are noise (hashes, URLs run together) and are dropped.
const MAX_TOKEN_BYTES: usize = 40;

/// Builds the body's analyzer for `locale`: content words only, stemmed.
pub fn stem_analyzer(locale: Locale) -> TextAnalyzer {
    stemming(
        locale,
        StopWordFilter::remove(stop_words::of(locale).map(str::to_string)),
    )
}

/// Builds the analyzer of short phrasings and queries for `locale`: every word, stemmed.
pub fn phrasing_analyzer(locale: Locale) -> TextAnalyzer {
    // An empty stop list keeps one analyzer type for both, at the cost of one lookup in
    // an empty set per word.
    stemming(locale, StopWordFilter::remove(Vec::new()))
}

fn stemming(locale: Locale, stop_words: StopWordFilter) -> TextAnalyzer {
    let language = locale.language();
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words);
    if locale.folds_to_ascii() {
        builder
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(language))
            .build()
    } else {
        builder.filter(Stemmer::new(language)).build()
    }
}

/// Builds the vocabulary analyzer for `locale`.
pub fn words_analyzer(locale: Locale) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser);
    if locale.folds_to_ascii() {
        builder.filter(AsciiFoldingFilter).build()
    } else {
        builder.build()
    }
}

/// Makes `index` analyze its text fields the way `locale` needs.
pub fn register(index: &Index, locale: Locale) {
    index.tokenizers().register(STEM, stem_analyzer(locale));
    index
        .tokenizers()
        .register(PHRASING, phrasing_analyzer(locale));
    index.tokenizers().register(WORDS, words_analyzer(locale));
}

/// The locale's stop words as the vocabulary spells them (lowercased and folded), to
/// recognise them among a query's typed words.
pub fn typed_stop_words(locale: Locale) -> rustc_hash::FxHashSet<String> {
    let mut words = words_analyzer(locale);
    stop_words::of(locale)
        .flat_map(|w| tokens(&mut words, w))
        .map(|t| t.text)
        .collect()
}

/// A token of analyzed text with its byte range in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// Runs `analyzer` over `text`, collecting every token.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push(Token {
            text: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(analyzer: &mut TextAnalyzer, s: &str) -> Vec<String> {
        tokens(analyzer, s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn english_stems_and_drops_stop_words() {
        let mut a = stem_analyzer(Locale::En);
        assert_eq!(texts(&mut a, "Where is my Shipping?"), ["ship"]);
        assert_eq!(
            texts(&mut a, "refund not received"),
            ["refund", "not", "receiv"]
        );
    }

    #[test]
    fn phrasings_keep_stop_words_and_stem_content_words_alike() {
        for locale in Locale::ALL {
            let mut phrasing = phrasing_analyzer(locale);
            let mut body = stem_analyzer(locale);
            let mut typed = words_analyzer(locale);
            let stop = typed_stop_words(locale);
            assert!(stop.len() > 20, "{locale}");
            for word in stop_words::of(locale) {
                assert_eq!(
                    texts(&mut body, word),
                    Vec::<String>::new(),
                    "{locale}: {word}"
                );
                assert_eq!(texts(&mut phrasing, word).len(), 1, "{locale}: {word}");
                let folded = texts(&mut typed, word).join(" ");
                assert!(
                    stop.contains(&folded),
                    "{locale}: {word} as typed: {folded}"
                );
            }
        }
        let mut a = phrasing_analyzer(Locale::En);
        assert_eq!(
            texts(&mut a, "Where is my Shipping?"),
            ["where", "is", "my", "ship"]
        );
        assert_eq!(
            texts(&mut a, "deliveries"),
            texts(&mut stem_analyzer(Locale::En), "deliveries")
        );
    }

    /// Stemmers come from `patches/rust-stemmers`, which stems only the languages it
    /// lists: a locale added here without its algorithm there fails this test.
    #[test]
    fn every_locale_stems() {
        let plurals = [
            (Locale::En, "deliveries", "deliveri"),
            (Locale::De, "lieferungen", "liefer"),
            (Locale::Fr, "livraisons", "livraison"),
            (Locale::Es, "devoluciones", "devolu"),
            (Locale::Ru, "доставки", "доставк"),
        ];
        for locale in Locale::ALL {
            let (_, word, stem) = plurals
                .iter()
                .find(|(l, ..)| *l == locale)
                .unwrap_or_else(|| panic!("add a {locale:?} word to this test"));
            assert_eq!(
                texts(&mut stem_analyzer(locale), word),
                [*stem],
                "{locale:?}"
            );
        }
    }

    #[test]
    fn german_folds_umlauts_so_plain_typing_matches() {
        let mut a = stem_analyzer(Locale::De);
        assert_eq!(texts(&mut a, "Größe"), texts(&mut a, "grosse"));
        let mut w = words_analyzer(Locale::De);
        assert_eq!(texts(&mut w, "Rückerstattung"), ["ruckerstattung"]);
    }

    #[test]
    fn stemming_a_vocabulary_word_equals_stemming_the_original() {
        for locale in Locale::ALL {
            let mut stem = stem_analyzer(locale);
            let mut words = words_analyzer(locale);
            for original in [
                "Rückerstattungen",
                "remboursées",
                "devoluciones",
                "возвраты",
                "Returns",
            ] {
                let folded = texts(&mut words, original).join(" ");
                assert_eq!(
                    texts(&mut stem, original),
                    texts(&mut stem, &folded),
                    "{locale}: {original}"
                );
            }
        }
    }

    #[test]
    fn russian_is_stemmed_not_folded() {
        let mut a = stem_analyzer(Locale::Ru);
        assert_eq!(texts(&mut a, "возврат возвраты"), ["возврат", "возврат"]);
    }
}
