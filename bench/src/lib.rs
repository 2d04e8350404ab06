//! Benchmarks of Shopdesk (see README.md for every binary).
//!
//! The `search-quality` binary measures how often the shipped search (the real
//! `faq-indexer` binary, i.e. exactly the code the widget runs) puts the right article
//! near the top, and compares it with BM25 over title, questions and body so that a
//! ranking change can be judged by numbers rather than by a handful of hand-picked
//! queries.

pub mod quality;
pub mod server;

use std::process::ExitCode;

/// The `p` quantile (0 < p ≤ 1, nearest rank) of microsecond samples, in milliseconds;
/// 0 without samples. Sorts `values`.
pub fn percentile_ms(values: &mut [u32], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable();
    let i = ((values.len() as f64 * p).ceil() as usize).clamp(1, values.len()) - 1;
    f64::from(values[i]) / 1000.0
}

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
