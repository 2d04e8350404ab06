//! Search-quality benchmark for the Shopdesk FAQ search.
//!
//! The `search-quality` binary measures how often the shipped search (the real
//! `faq-indexer` binary, i.e. exactly the code the widget runs) puts the right article
//! near the top, and compares it with plain BM25 so that a ranking change can be judged
//! by numbers rather than by a handful of hand-picked queries.

pub mod quality;
