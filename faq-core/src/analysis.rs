//! Text analysis shared by the indexer and the browser.
//!
//! Two analyzers exist per locale:
//! - `faq_stem`: what ranking uses (lowercase, stop words removed, ASCII-folded, stemmed);
//! - `faq_words`: the words as typed, only lowercased and folded. Its term dictionary is
//!   the vocabulary that typo correction and prefix completion search in, because edit
//!   distance is meaningful on words, not on stems.
//!
//! Running `faq_stem` over a `faq_words` term yields the same stem as running it over the
//! original word, which is what lets a corrected word be looked up in the ranking fields.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
    TextAnalyzer, TokenStream,
};
use tantivy::Index;

use crate::{stop_words, Locale};

/// Analyzer name of the ranked text fields.
pub const STEM: &str = "faq_stem";
/// Analyzer name of the vocabulary field used for typo correction and completion.
pub const WORDS: &str = "faq_words";

/// Words longer than this are noise (hashes, URLs run together) and are dropped.
const MAX_TOKEN_BYTES: usize = 40;

/// Builds the ranking analyzer for `locale`.
pub fn stem_analyzer(locale: Locale) -> TextAnalyzer {
    let language = locale.language();
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words(locale));
    if locale.folds_to_ascii() {
        builder
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(language))
            .build()
    } else {
        builder.filter(Stemmer::new(language)).build()
    }
}

fn stop_words(locale: Locale) -> StopWordFilter {
    StopWordFilter::remove(stop_words::of(locale).map(str::to_string))
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
    index.tokenizers().register(WORDS, words_analyzer(locale));
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
