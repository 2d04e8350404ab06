//! The small, un-hashed entry file that tells the widget which bundle to fetch.
//!
//! Bundles have content-hashed names and can be cached forever; only this file is
//! revalidated, so publishing a new index is one atomic switch of the manifest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Locale;

/// File name of the manifest inside an index output directory.
pub const MANIFEST_FILE: &str = "faq-manifest.json";

/// The index output's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The bundle format version ([`crate::bundle::FORMAT`]).
    pub format: u16,
    pub locales: BTreeMap<Locale, LocaleEntry>,
}

/// One locale's bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocaleEntry {
    /// Bundle file name, relative to the manifest.
    pub file: String,
    pub articles: u32,
    pub bytes: u64,
}

impl Manifest {
    /// The entry for `wanted`, falling back to English, then to any locale. Returns the
    /// locale actually chosen so the widget can say it is showing another language.
    pub fn pick(&self, wanted: Locale) -> Option<(Locale, &LocaleEntry)> {
        self.locales
            .get_key_value(&wanted)
            .or_else(|| self.locales.get_key_value(&Locale::En))
            .or_else(|| self.locales.iter().next())
            .map(|(l, e)| (*l, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_locale_tags_and_falls_back_to_english() {
        let json =
            r#"{"format":1,"locales":{"en":{"file":"faq-en-1.bin","articles":3,"bytes":10}}}"#;
        let m: Manifest = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), json);
        assert_eq!(m.pick(Locale::De).unwrap().0, Locale::En);
    }
}
