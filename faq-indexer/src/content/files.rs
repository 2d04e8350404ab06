//! Reading an input file within a size limit.
//!
//! The size is looked at before the file is opened (a file that is not a regular file is
//! never opened: opening a FIFO waits for a writer), and the read itself stops one byte
//! past the limit, so a file that grows while it is read, or a path swapped for a device
//! in between, cannot make the indexer read without end.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::bytes::human;

/// The largest files the indexer reads (defaults: the command line options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// One Markdown article.
    pub markdown: u64,
    /// One CSV file (many articles).
    pub csv: u64,
}

/// What kind of input a file is, for its limit and for what to do when it is too big.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Markdown,
    Csv,
}

impl Kind {
    fn limit(self, limits: &Limits) -> u64 {
        match self {
            Kind::Markdown => limits.markdown,
            Kind::Csv => limits.csv,
        }
    }

    /// What the limit is for, and what to do about a file over it.
    fn over_limit(self) -> (&'static str, &'static str) {
        match self {
            Kind::Markdown => (
                "one article",
                "split it into smaller articles, or raise the limit with --max-file-bytes",
            ),
            Kind::Csv => (
                "a CSV file",
                "split it into several CSV files (give each as an input), or raise the limit with --max-csv-bytes",
            ),
        }
    }
}

/// The bytes of `path`, or why it was not read (a message for the editor).
pub(crate) fn read(path: &Path, kind: Kind, limits: &Limits) -> Result<Vec<u8>, String> {
    let limit = kind.limit(limits);
    // `None`: the file grew past the limit after its size was looked at.
    let too_big = |size: Option<u64>| {
        let (what, todo) = kind.over_limit();
        let limit = format!("the limit of {} ({limit} bytes) for {what}", human(limit));
        match size {
            Some(n) => format!("file is {} ({n} bytes), over {limit}; {todo}", human(n)),
            None => format!("file grew past {limit} while it was read; {todo}"),
        }
    };
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read file: {e}"))?;
    if !meta.is_file() {
        return Err(NOT_REGULAR.to_string());
    }
    if meta.len() > limit {
        return Err(too_big(Some(meta.len())));
    }
    let file = File::open(path).map_err(|e| format!("cannot read file: {e}"))?;
    let bytes = read_at_most(file, limit).map_err(|e| format!("cannot read file: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(None));
    }
    Ok(bytes)
}

/// Reads up to `limit + 1` bytes: one more than allowed tells "too big" from "just fits".
pub(crate) fn read_at_most(reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Why a file that is neither a regular file nor a folder is not read.
pub(crate) const NOT_REGULAR: &str =
    "not a regular file (a FIFO, socket or device?), so it is not read; articles are plain text files";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_stops_one_byte_past_the_limit_even_from_an_endless_source() {
        let bytes = read_at_most(std::io::repeat(b'x'), 1000).unwrap();
        assert_eq!(bytes.len(), 1001);
        assert_eq!(read_at_most(&b"short"[..], 1000).unwrap(), b"short");
        assert_eq!(read_at_most(&b"exact"[..], 5).unwrap(), b"exact");
    }
}
