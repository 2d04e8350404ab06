//! The languages the FAQ search understands.
//!
//! A locale decides which stemmer and stop-word list the analyzers use, so the
//! indexer and the browser must parse locale tags identically.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::Language;

use crate::Error;

/// A supported FAQ language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Locale {
    En,
    De,
    Fr,
    Es,
    Ru,
}

impl Locale {
    /// Every supported locale, in a stable order.
    pub const ALL: [Locale; 5] = [Locale::En, Locale::De, Locale::Fr, Locale::Es, Locale::Ru];

    /// The BCP 47 primary language subtag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::Ru => "ru",
        }
    }

    pub(crate) fn language(self) -> Language {
        match self {
            Locale::En => Language::English,
            Locale::De => Language::German,
            Locale::Fr => Language::French,
            Locale::Es => Language::Spanish,
            Locale::Ru => Language::Russian,
        }
    }

    /// Latin-script languages are folded to ASCII so shoppers who type
    /// without accents ("groesse", "reembolso") still match.
    pub(crate) fn folds_to_ascii(self) -> bool {
        !matches!(self, Locale::Ru)
    }
}

impl FromStr for Locale {
    type Err = Error;

    /// Accepts a bare language (`de`) or a full tag (`de-CH`, `pt_BR`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let primary = s
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Locale::ALL
            .into_iter()
            .find(|l| l.tag() == primary)
            .ok_or_else(|| Error::UnknownLocale(s.to_string()))
    }
}

impl TryFrom<String> for Locale {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Locale> for String {
    fn from(l: Locale) -> String {
        l.tag().to_string()
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_with_regions_and_case() {
        assert_eq!("de-CH".parse::<Locale>().unwrap(), Locale::De);
        assert_eq!("FR".parse::<Locale>().unwrap(), Locale::Fr);
        assert_eq!("es_MX".parse::<Locale>().unwrap(), Locale::Es);
        assert!("pt".parse::<Locale>().is_err());
        assert!("".parse::<Locale>().is_err());
    }
}
