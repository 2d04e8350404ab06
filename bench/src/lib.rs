//! Benchmarks of Shopdesk (see README.md for every binary).
//!
//! The `search-quality` binary measures how often the shipped search (the real
//! `faq-indexer` binary, i.e. exactly the code the widget runs) puts the right article
//! near the top, and compares it with plain BM25 so that a ranking change can be judged
//! by numbers rather than by a handful of hand-picked queries.

pub mod quality;
pub mod server;

use std::process::ExitCode;

/// How every benchmark binary ends: on error, `error: …` with the whole context chain on
/// one line (`{:#}`; returning the error from `main` would also print a backtrace when
/// `RUST_BACKTRACE` is set) and exit code 1.
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
