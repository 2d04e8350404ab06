//! rust-stemmers' API with only the Snowball stemmers Shopdesk's locales use.
//!
//! tantivy always registers its `en_stem` analyzer, whose filter picks a rust-stemmers
//! algorithm from a value read at run time, so the linker kept all eighteen stemmers and
//! their tables (36 KB of the brotli'd browser module) although the FAQ search speaks
//! five languages. This crate replaces rust-stemmers for the whole workspace (the
//! indexer and the browser must stem alike) and stems with `tantivy-stemmers`, which
//! compiles one language per cargo feature.
//!
//! The other algorithms return words unchanged. Nothing in Shopdesk asks for them:
//! `faq-core` maps each of its locales to one of [`SUPPORTED`], and its tests stem a
//! word in every locale, so adding a locale without adding it here fails there.

use std::borrow::Cow;

use tantivy_stemmers::{algorithms, StemmerTokenizer};
use tokenizer_api::{Token, TokenFilter, TokenStream, Tokenizer};

/// The Snowball algorithms, as rust-stemmers names them.
#[derive(Debug, Eq, PartialEq, Copy, Clone)]
#[allow(missing_docs)]
pub enum Algorithm {
    Arabic,
    Danish,
    Dutch,
    English,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
}

/// The algorithms that stem; every other one leaves words as they are.
pub const SUPPORTED: [Algorithm; 5] = [
    Algorithm::English,
    Algorithm::German,
    Algorithm::French,
    Algorithm::Spanish,
    Algorithm::Russian,
];

/// Stems words of one language.
#[derive(Clone)]
pub struct Stemmer {
    /// tantivy-stemmers exposes its stemmers only as token filters, so a word is
    /// stemmed as a one-token stream.
    filter: Option<<StemmerTokenizer as TokenFilter>::Tokenizer<OneWord>>,
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stemmer")
            .field("stems", &self.filter.is_some())
            .finish()
    }
}

impl Stemmer {
    /// A stemmer for `lang`; one outside [`SUPPORTED`] stems nothing.
    pub fn create(lang: Algorithm) -> Self {
        let algorithm: algorithms::Algorithm = match lang {
            Algorithm::English => algorithms::english_porter_2,
            Algorithm::German => algorithms::german,
            Algorithm::French => algorithms::french,
            Algorithm::Spanish => algorithms::spanish,
            Algorithm::Russian => algorithms::russian,
            _ => return Stemmer { filter: None },
        };
        Stemmer {
            filter: Some(StemmerTokenizer::new(algorithm).transform(OneWord)),
        }
    }

    /// Stems one lowercase word.
    pub fn stem<'a>(&self, input: &'a str) -> Cow<'a, str> {
        let Some(filter) = &self.filter else {
            return Cow::Borrowed(input);
        };
        let mut filter = filter.clone();
        let mut stream = filter.token_stream(input);
        if !stream.advance() {
            return Cow::Borrowed(input);
        }
        let stem = std::mem::take(&mut stream.token_mut().text);
        if stem == input {
            Cow::Borrowed(input)
        } else {
            Cow::Owned(stem)
        }
    }
}

/// A tokenizer that yields its whole input as one token.
#[derive(Debug, Clone)]
pub struct OneWord;

/// The single token of [`OneWord`].
#[derive(Debug)]
pub struct OneWordStream {
    token: Token,
    pending: bool,
}

impl Tokenizer for OneWord {
    type TokenStream<'a> = OneWordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> OneWordStream {
        OneWordStream {
            token: Token {
                offset_to: text.len(),
                text: text.to_owned(),
                ..Token::default()
            },
            pending: true,
        }
    }
}

impl TokenStream for OneWordStream {
    fn advance(&mut self) -> bool {
        std::mem::replace(&mut self.pending, false)
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_languages_stem() {
        let words = [
            (Algorithm::English, "deliveries", "deliveri"),
            (Algorithm::English, "running", "run"),
            (Algorithm::German, "lieferungen", "liefer"),
            (Algorithm::French, "livraisons", "livraison"),
            (Algorithm::Spanish, "devoluciones", "devolu"),
            (Algorithm::Russian, "доставки", "доставк"),
        ];
        for (algorithm, word, stem) in words {
            assert!(SUPPORTED.contains(&algorithm));
            assert_eq!(Stemmer::create(algorithm).stem(word), stem, "{algorithm:?}");
        }
    }

    #[test]
    fn unchanged_words_are_borrowed() {
        let stemmer = Stemmer::create(Algorithm::English);
        assert!(matches!(stemmer.stem("ship"), Cow::Borrowed("ship")));
        assert!(matches!(stemmer.stem(""), Cow::Borrowed("")));
    }

    #[test]
    fn other_languages_leave_words_alone() {
        assert_eq!(Stemmer::create(Algorithm::Greek).stem("λόγια"), "λόγια");
        assert_eq!(Stemmer::create(Algorithm::Dutch).stem("fietsen"), "fietsen");
    }
}
