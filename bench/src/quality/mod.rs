//! The pieces of the search-quality benchmark: evaluation data, the two methods under
//! test, the metrics and the report.

pub mod baseline;
pub mod data;
pub mod indexer;
pub mod metrics;
pub mod report;
