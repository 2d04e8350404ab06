//! The FAQ bundle: one self-contained file per locale holding a tantivy index.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! magic  b"SDFAQ\0"   6 bytes
//! format u16          FORMAT
//! count  u32          number of entries
//! count × { name_len u16, name utf-8, data_len u32, data }
//! ```
//!
//! Entries are the index files plus [`INFO_ENTRY`], a small JSON [`BundleInfo`]. A plain
//! container (not tar, not zip) keeps the browser-side reader a few dozen lines with no
//! dependencies, and it stays uncompressed because HTTP brotli compresses it better than
//! per-file compression would.

use serde::{Deserialize, Serialize};

use crate::{Error, Locale, Result};

/// Bumped whenever a reader of the previous format could not read the new one.
pub const FORMAT: u16 = 1;
const MAGIC: &[u8; 6] = b"SDFAQ\0";
/// Name of the metadata entry.
pub const INFO_ENTRY: &str = "shopdesk.json";

/// What a bundle says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleInfo {
    pub format: u16,
    pub locale: Locale,
    pub articles: u32,
}

/// Serializes named files into one bundle. Entries are written in the given order, so
/// callers sort them for reproducible output.
pub fn pack<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let entries: Vec<_> = entries.into_iter().collect();
    let mut out = Vec::with_capacity(
        16 + entries
            .iter()
            .map(|(n, d)| 6 + n.len() + d.len())
            .sum::<usize>(),
    );
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (name, data) in entries {
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// Splits a bundle into its named entries, borrowing from `bytes`.
pub fn unpack(bytes: &[u8]) -> Result<Vec<(&str, &[u8])>> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(Error::BadBundle(
            "missing SDFAQ header; is the URL pointing at an HTML error page?".into(),
        ));
    }
    let format = u16::from_le_bytes(r.array()?);
    if format != FORMAT {
        return Err(Error::UnsupportedFormat {
            found: format.into(),
            expected: FORMAT.into(),
        });
    }
    let count = u32::from_le_bytes(r.array()?);
    let mut entries = Vec::new();
    for _ in 0..count {
        let name_len = u16::from_le_bytes(r.array()?) as usize;
        let name = std::str::from_utf8(r.take(name_len)?)
            .map_err(|_| Error::BadBundle("entry name is not UTF-8".into()))?;
        let data_len = u32::from_le_bytes(r.array()?) as usize;
        entries.push((name, r.take(data_len)?));
    }
    if r.at != bytes.len() {
        return Err(Error::BadBundle(
            "trailing bytes after the last entry".into(),
        ));
    }
    Ok(entries)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| Error::BadBundle("file is truncated".into()))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_entries() {
        let bytes = pack([("a", &b"hello"[..]), ("meta.json", &b"{}"[..])]);
        let entries = unpack(&bytes).unwrap();
        assert_eq!(
            entries,
            vec![("a", &b"hello"[..]), ("meta.json", &b"{}"[..])]
        );
    }

    #[test]
    fn rejects_html_truncation_and_future_formats() {
        assert!(matches!(
            unpack(b"<!doctype html>"),
            Err(Error::BadBundle(_))
        ));
        let bytes = pack([("a", &b"hello"[..])]);
        assert!(matches!(
            unpack(&bytes[..bytes.len() - 1]),
            Err(Error::BadBundle(_))
        ));
        let mut future = bytes.clone();
        future[6] = 9;
        assert!(matches!(
            unpack(&future),
            Err(Error::UnsupportedFormat { found: 9, .. })
        ));
    }
}
