//! Brotli and gzip copies written beside static files at build time.
//!
//! Compressing per request forces a server to trade ratio for CPU (tower-http's on-the-fly
//! brotli sends the widget module ~40 % larger than quality 11 does). Files that only
//! change with a release can be compressed once, as hard as brotli goes, and served as
//! they are: `FILE.br` and `FILE.gz` beside `FILE`, the convention of `shopdesk-server`,
//! nginx's `gzip_static`/`brotli_static` and most CDNs.
//!
//! A sibling is only useful while it matches its file: every write here goes through a
//! temporary file and a rename, and a sibling that would not be smaller than the file is
//! removed rather than left stale.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One of the encodings written beside a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Brotli, quality 11, 4 MiB window: what `brotli -q 11` writes.
    Brotli,
    /// Gzip, level 9: for the few clients without brotli.
    Gzip,
}

impl Encoding {
    pub const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The suffix of the sibling file, as servers look for it.
    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    /// Its name in `Accept-Encoding` and `Content-Encoding`.
    pub fn content_coding(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// `data`, compressed.
    pub fn encode(self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() / 3 + 64);
        match self {
            Encoding::Brotli => {
                let mut enc = brotli::CompressorWriter::new(&mut out, 1 << 16, 11, 22);
                // Writing into a Vec cannot fail.
                let _ = enc.write_all(data);
                let _ = enc.flush();
            }
            Encoding::Gzip => {
                let mut enc = flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
                let _ = enc.write_all(data);
                let _ = enc.finish();
            }
        }
        out
    }

    /// Where the sibling of `path` in this encoding lives: `path` plus `.br` / `.gz`.
    pub fn sibling(self, path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(self.extension());
        PathBuf::from(name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source} (is the folder writable?)", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What [`beside`] did for one file: its size, and the size of each sibling written
/// (`None`: compressing did not make it smaller, so no sibling is kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub raw: u64,
    pub brotli: Option<u64>,
    pub gzip: Option<u64>,
}

/// Whether a file's type gains from compression: text, WebAssembly and the FAQ index
/// bundles; not images, fonts or archives, which are compressed already.
pub fn is_compressible(path: &Path) -> bool {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    matches!(
        ext.to_ascii_lowercase().as_str(),
        "js" | "mjs"
            | "wasm"
            | "css"
            | "html"
            | "htm"
            | "json"
            | "svg"
            | "txt"
            | "xml"
            | "ts"
            | "map"
            | "bin"
            | "csv"
            | "md"
    )
}

/// Writes `path.br` and `path.gz` for the file at `path` (brotli and gzip in parallel:
/// quality 11 takes seconds on a megabyte of WebAssembly).
pub fn beside(path: &Path) -> Result<Written, Error> {
    let data = fs::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let (brotli, gzip) = std::thread::scope(|s| {
        let gzip = s.spawn(|| Encoding::Gzip.encode(&data));
        let brotli = Encoding::Brotli.encode(&data);
        (brotli, gzip.join().unwrap_or_default())
    });
    let mut written = Written {
        raw: data.len() as u64,
        brotli: None,
        gzip: None,
    };
    for (encoding, encoded) in [(Encoding::Brotli, brotli), (Encoding::Gzip, gzip)] {
        let sibling = encoding.sibling(path);
        let size = if !encoded.is_empty() && encoded.len() < data.len() {
            write_atomically(&sibling, &encoded)?;
            Some(encoded.len() as u64)
        } else {
            remove_if_present(&sibling)?;
            None
        };
        match encoding {
            Encoding::Brotli => written.brotli = size,
            Encoding::Gzip => written.gzip = size,
        }
    }
    Ok(written)
}

/// Removes the siblings of `path` (when `path` itself goes away).
pub fn remove_siblings(path: &Path) -> Result<(), Error> {
    for encoding in Encoding::ALL {
        remove_if_present(&encoding.sibling(path))?;
    }
    Ok(())
}

/// Every compressible file under `dir` for which `include` says yes, in path order,
/// with what was written for it.
pub fn tree(dir: &Path, include: impl Fn(&Path) -> bool) -> Result<Vec<(PathBuf, Written)>, Error> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut done = Vec::with_capacity(files.len());
    for file in files {
        if is_compressible(&file) && include(&file) {
            let written = beside(&file)?;
            done.push((file, written));
        }
    }
    Ok(done)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let read_err = |source| Error::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let kind = entry.file_type().map_err(read_err)?;
        let path = entry.path();
        if kind.is_dir() {
            collect(&path, files)?;
        } else if kind.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if fs::read(path).is_ok_and(|existing| existing == bytes) {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })
}

fn remove_if_present(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Write {
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn decode(encoding: Encoding, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match encoding {
            Encoding::Brotli => {
                brotli::Decompressor::new(data, 4096)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Encoding::Gzip => {
                flate2::read::GzDecoder::new(data)
                    .read_to_end(&mut out)
                    .unwrap();
            }
        }
        out
    }

    #[test]
    fn siblings_decode_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("shopdesk-widget.js");
        let text = "export function mount() { return 42; }\n".repeat(200);
        fs::write(&file, &text).unwrap();
        let written = beside(&file).unwrap();
        assert_eq!(written.raw, text.len() as u64);
        for encoding in Encoding::ALL {
            let sibling = fs::read(encoding.sibling(&file)).unwrap();
            assert_eq!(decode(encoding, &sibling), text.as_bytes(), "{encoding:?}");
        }
        assert!(written.brotli.unwrap() < written.gzip.unwrap());
    }

    #[test]
    fn incompressible_files_get_no_sibling_and_lose_a_stale_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tiny.json");
        fs::write(Encoding::Brotli.sibling(&file), b"stale").unwrap();
        fs::write(&file, b"{}").unwrap();
        let written = beside(&file).unwrap();
        assert_eq!((written.brotli, written.gzip), (None, None));
        assert!(!Encoding::Brotli.sibling(&file).exists());
        assert!(!Encoding::Gzip.sibling(&file).exists());
    }

    #[test]
    fn tree_skips_what_it_is_told_to_and_what_is_compressed_already() {
        let dir = tempfile::tempdir().unwrap();
        let text = "body { color: red }\n".repeat(100);
        fs::create_dir(dir.path().join("faq")).unwrap();
        for name in ["a.css", "faq/faq-manifest.json", "logo.png"] {
            fs::write(dir.path().join(name), &text).unwrap();
        }
        let done = tree(dir.path(), |p| !p.ends_with("faq-manifest.json")).unwrap();
        let names: Vec<_> = done.iter().map(|(p, _)| p.file_name().unwrap()).collect();
        assert_eq!(names, ["a.css"]);
        assert!(!dir.path().join("faq/faq-manifest.json.br").exists());
        assert!(!dir.path().join("logo.png.br").exists());
        // Running again changes nothing and finds its own siblings not compressible.
        let again = tree(dir.path(), |_| true).unwrap();
        assert!(again.iter().all(|(p, _)| is_compressible(p)));
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let err = beside(Path::new("/nonexistent/shopdesk.js")).unwrap_err();
        assert!(err
            .to_string()
            .contains("cannot read /nonexistent/shopdesk.js"));
    }
}
