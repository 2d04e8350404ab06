//! Writing an index output directory: immutable content-hashed bundles plus the
//! manifest that points at them.
//!
//! Publishing is ordered so that a reader never sees a half-written state: bundles are
//! written first (under new names, each via a temporary file and a rename), and the
//! manifest is switched last, atomically. A failure before that leaves the previous
//! output exactly as it was.
//!
//! Each bundle gets brotli (quality 11) and gzip copies beside it (`precompress`), written
//! before the manifest names it, so a server never compresses a bundle per request. The
//! manifest itself changes in place and is never precompressed: a stale copy would be
//! served after the file changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use faq_core::{bundle, Locale, LocaleEntry, Manifest, MANIFEST_FILE};
use sha2::{Digest, Sha256};

/// A bundle ready to publish.
#[derive(Debug)]
pub(crate) struct Built {
    pub locale: Locale,
    pub articles: u32,
    pub bytes: Vec<u8>,
}

/// Content-hashed file name: a changed index always gets a new URL.
fn file_name(b: &Built) -> String {
    let digest = Sha256::digest(&b.bytes);
    let hex: String = digest[..8].iter().map(|x| format!("{x:02x}")).collect();
    format!("faq-{}-{hex}.bin", b.locale)
}

/// Whether [`publish`] writes `.br`/`.gz` siblings of the bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Siblings {
    Write,
    /// For throwaway indexes (benchmarks): brotli quality 11 of a 10,000-article bundle
    /// takes a minute.
    Skip,
}

/// Publishes `built` into `out` and returns the new manifest.
pub(crate) fn publish(out: &Path, built: &[Built], siblings: Siblings) -> Result<Manifest> {
    fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder {}", out.display()))?;
    let previous = read_manifest(out);

    let mut locales = BTreeMap::new();
    for b in built {
        let name = file_name(b);
        let path = out.join(&name);
        let unchanged = fs::read(&path).is_ok_and(|existing| existing == b.bytes);
        if !unchanged {
            write_atomically(&path, &b.bytes)?;
        }
        // Bundle names are content hashes, so an existing sibling of an unchanged bundle
        // is still right; a new bundle (or one whose siblings are missing) gets them.
        let complete = precompress::Encoding::ALL
            .iter()
            .all(|e| e.sibling(&path).exists());
        if siblings == Siblings::Write && !(unchanged && complete) {
            precompress::beside(&path)?;
        }
        locales.insert(
            b.locale,
            LocaleEntry {
                file: name,
                articles: b.articles,
                bytes: b.bytes.len() as u64,
            },
        );
    }
    let manifest = Manifest {
        format: bundle::FORMAT,
        locales,
    };
    let mut json = serde_json::to_vec_pretty(&manifest)?;
    json.push(b'\n');
    write_atomically(&out.join(MANIFEST_FILE), &json)?;

    // Shoppers who loaded the previous manifest may still fetch its bundles, so one
    // generation is kept; anything older goes.
    let keep: BTreeSet<String> = manifest
        .locales
        .values()
        .chain(previous.iter().flat_map(|m| m.locales.values()))
        .map(|e| e.file.clone())
        .collect();
    for entry in fs::read_dir(out)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let bundle = ["", ".br", ".gz"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).filter(|n| n.ends_with(".bin")));
        if let Some(bundle) = bundle {
            if name.starts_with("faq-") && !keep.contains(bundle) {
                fs::remove_file(entry.path())
                    .with_context(|| format!("cannot remove stale bundle {name}"))?;
            }
        }
    }
    Ok(manifest)
}

/// Reads the manifest of an output folder, if there is a readable one.
pub(crate) fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = fs::read(dir.join(MANIFEST_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp: PathBuf = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}
