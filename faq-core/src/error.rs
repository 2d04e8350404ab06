use thiserror::Error;

/// Everything that can go wrong while building, loading or searching an FAQ bundle.
#[derive(Debug, Error)]
pub enum Error {
    #[error("unknown locale `{0}`: supported locales are en, de, fr, es, ru")]
    UnknownLocale(String),

    #[error("not an FAQ bundle ({0}); rebuild it with `faq-indexer build`")]
    BadBundle(String),

    #[error(
        "FAQ bundle format {found} is not supported by this version (expects {expected}); \
         rebuild the index with a matching `faq-indexer`"
    )]
    UnsupportedFormat { found: u32, expected: u32 },

    #[error(transparent)]
    BadPattern(#[from] page_pattern::PatternError),

    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),

    #[error("bad bundle metadata: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
