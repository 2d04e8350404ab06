//! `precompress DIR…`: brotli and gzip siblings for every compressible file of a site
//! about to be published (see the crate README).

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Parser;

/// Files rewritten in place while shoppers fetch them: a sibling written now would be
/// served after the file itself changed, so they are compressed per request instead.
const CHANGES_IN_PLACE: &[&str] = &["faq-manifest.json"];

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Writes FILE.br (brotli q11) and FILE.gz (gzip -9) beside every compressible file under the given folders"
)]
struct Args {
    /// Folders to walk (a site about to be published, such as dist/).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Leave files with this name alone (repeatable); faq-manifest.json always is.
    #[arg(long = "skip", value_name = "NAME")]
    skip: Vec<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let (mut files, mut raw, mut brotli) = (0usize, 0u64, 0u64);
    for dir in &args.dirs {
        if !dir.is_dir() {
            bail!(
                "{} is not a folder; pass the site folder to publish, such as dist/",
                dir.display()
            );
        }
        let skipped = |p: &std::path::Path| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            CHANGES_IN_PLACE.contains(&name) || args.skip.iter().any(|s| s == name)
        };
        for (_, written) in precompress::tree(dir, |p| !skipped(p))? {
            files += 1;
            raw += written.raw;
            brotli += written.brotli.unwrap_or(written.raw);
        }
    }
    eprintln!(
        "precompressed {files} files: {} KB, {} KB as brotli",
        raw / 1024,
        brotli / 1024
    );
    Ok(())
}
