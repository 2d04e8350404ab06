//! What the `faq-indexer` CLI and the in-browser search must agree on.
//!
//! The indexer writes bundles with [`indexing::build_bundle`]; the browser and the CLI's
//! `search` command read them with [`search::Engine`]. Because both run this crate, a
//! query ranks identically on the command line and in the widget.

pub mod analysis;
pub mod article;
pub mod bundle;
mod error;
pub mod indexing;
pub mod locale;
pub mod manifest;
mod order;
pub mod pattern;
pub mod schema;
pub mod search;
mod stop_words;
pub mod synonyms;

pub use article::Article;
pub use error::{Error, Result};
pub use locale::Locale;
pub use manifest::{LocaleEntry, Manifest, MANIFEST_FILE};
pub use search::{ArticleView, Engine, Fragment, Hit, Suggestions};
