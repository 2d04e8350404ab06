//! URL patterns (`/checkout*`) for suggested articles: see the `page-pattern` crate.

pub use page_pattern::{PatternError, UrlPattern};
