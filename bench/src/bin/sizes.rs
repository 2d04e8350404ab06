//! `sizes`: how many bytes a shopper downloads, raw and as a server would compress them.
//!
//! Page weight is a product requirement (the widget must not slow the store down), so
//! this reads an assembled site (`scripts/build-demo.sh dist`) and prints a Markdown
//! table of raw, gzip (level 9) and brotli (quality 11) sizes for:
//!
//! - **page load**: what every store page fetches before any interaction — the loader
//!   `shopdesk.js`, the first wasm-bindgen module (JS glue and `.wasm`) and its
//!   `snippets/`;
//! - **on demand**: the module fetched when the shopper shows intent (search, panel UI);
//! - **outbox**: the small module that delivers feedback, fetched beside the widget or
//!   alone on a page where earlier responses wait (when the site has one);
//! - **FAQ bundles**: every bundle listed in every `faq-manifest.json` under the index
//!   folders given with `--index NAME=DIR`;
//!
//! then whether page load meets its budget (brotli, see [`BUDGET_BYTES`]).
//!
//! The module names depend on the site's layout, which is detected: a site with
//! `shopdesk-launcher.js` loads the launcher first and the widget on demand; an older
//! site loads the widget first and `shopdesk-search` on demand. `--first-module` and
//! `--lazy-module` override the detection.
//!
//! ```sh
//! cargo run --release -p shopdesk-bench --bin sizes -- --site dist --index sample=dist/faq
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use precompress::Encoding;
use serde::Deserialize;

/// The page-load budget: 40 KB (1 KB = 1,024 bytes) of brotli.
const BUDGET_BYTES: u64 = 40 * 1024;
/// Loader every layout starts with.
const LOADER: &str = "shopdesk.js";
const MANIFEST: &str = "faq-manifest.json";
/// Modules of single features, each loaded only when its feature is needed (the
/// widget was split by feature): what a section calls it, and its file stem.
const FEATURE_MODULES: [(&str, &str); 3] = [
    ("live chat", "shopdesk-chat"),
    ("surveys", "shopdesk-surveys"),
    ("outbox", "shopdesk-outbox"),
];

#[derive(Debug, Parser)]
#[command(about = "Raw, gzip and brotli sizes of what the Shopdesk widget downloads")]
struct Args {
    /// The assembled site.
    #[arg(long, default_value = "dist")]
    site: PathBuf,
    /// An FAQ index to report, as NAME=DIR (repeatable); every faq-manifest.json under
    /// DIR is read. Default: sample=<site>/faq.
    #[arg(long = "index", value_name = "NAME=DIR", value_parser = parse_index)]
    indexes: Vec<(String, PathBuf)>,
    /// Module loaded with the page (file stem of its JS glue), instead of detecting it.
    #[arg(long)]
    first_module: Option<String>,
    /// Module loaded on demand, instead of detecting it.
    #[arg(long)]
    lazy_module: Option<String>,
}

fn parse_index(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, dir)) if !name.is_empty() && !dir.is_empty() => {
            Ok((name.to_string(), PathBuf::from(dir)))
        }
        _ => Err(format!("`{s}` is not NAME=DIR")),
    }
}

fn main() -> ExitCode {
    shopdesk_bench::finish(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let site = &args.site;
    ensure!(
        site.join(LOADER).is_file(),
        "{} has no {LOADER}; build the site with `scripts/build-demo.sh {}`",
        site.display(),
        site.display()
    );
    let (first, lazy) = match (args.first_module, args.lazy_module) {
        (Some(f), Some(l)) => (f, l),
        (f, l) => {
            let (df, dl) = detect_layout(site);
            (f.unwrap_or(df.into()), l.unwrap_or(dl.into()))
        }
    };
    let indexes = if args.indexes.is_empty() {
        vec![("sample".to_string(), site.join("faq"))]
    } else {
        args.indexes
    };

    let snippets = snippet_files(site)?;
    let mut page_load = vec![Item::file(site, LOADER)];
    page_load.extend(module_files(site, &first)?);
    let mut on_demand = module_files(site, &lazy)?;
    for (module, file) in snippets {
        // A snippet folder is named after its crate; one that matches neither module
        // counts as page load, the pessimistic choice.
        if module.as_deref() == Some(lazy.as_str()) {
            on_demand.push(file);
        } else if FEATURE_MODULES
            .iter()
            .any(|(_, stem)| module.as_deref() == Some(*stem))
        {
            // Counted with its module below (none has snippets today).
            continue;
        } else {
            page_load.push(file);
        }
    }

    let mut sections = vec![
        Section::new(format!("page load ({first})"), page_load),
        Section::new(format!("on demand ({lazy})"), on_demand),
    ];
    for (feature, stem) in FEATURE_MODULES {
        if site.join(format!("{stem}.js")).is_file() {
            sections.push(Section::new(
                format!("{feature} ({stem})"),
                module_files(site, stem)?,
            ));
        }
    }
    for (name, dir) in &indexes {
        sections.push(Section::new(format!("FAQ `{name}`"), bundles(dir)?));
    }

    let total_files: usize = sections.iter().map(|s| s.items.len()).sum();
    eprintln!("compressing {total_files} files (gzip -9, brotli -q 11)…");
    let measured = sections
        .into_iter()
        .map(Section::measure)
        .collect::<Result<Vec<_>>>()?;

    println!("{}", table(&measured));
    let page = measured[0].total();
    println!("{}", verdict(page.brotli));
    Ok(())
}

/// Which modules load first and on demand, from the files present.
fn detect_layout(site: &Path) -> (&'static str, &'static str) {
    if site.join("shopdesk-launcher.js").is_file() {
        ("shopdesk-launcher", "shopdesk-widget")
    } else {
        ("shopdesk-widget", "shopdesk-search")
    }
}

/// A file to measure, with the label it gets in the table.
#[derive(Debug, Clone)]
struct Item {
    label: String,
    path: PathBuf,
}

impl Item {
    fn file(site: &Path, rel: &str) -> Self {
        Self {
            label: rel.to_string(),
            path: site.join(rel),
        }
    }
}

/// The JS glue and wasm of a wasm-bindgen module; both must exist.
fn module_files(site: &Path, stem: &str) -> Result<Vec<Item>> {
    let items = vec![
        Item::file(site, &format!("{stem}.js")),
        Item::file(site, &format!("{stem}_bg.wasm")),
    ];
    for i in &items {
        ensure!(i.path.is_file(), "{} is missing", i.path.display());
    }
    Ok(items)
}

/// Every file under `snippets/`, with the module its folder belongs to
/// (`snippets/<crate>-<hash>/…`).
fn snippet_files(site: &Path) -> Result<Vec<(Option<String>, Item)>> {
    let root = site.join("snippets");
    let mut out = Vec::new();
    if !root.is_dir() {
        return Ok(out);
    }
    let mut files = Vec::new();
    walk(&root, &mut files)?;
    files.sort();
    // The build's precompressed copies are other encodings of the same files.
    let sibling = |p: &PathBuf| {
        Encoding::ALL
            .iter()
            .any(|e| p.extension().is_some_and(|x| x == e.extension()))
    };
    files.retain(|p| !sibling(p));
    for path in files {
        let rel = path.strip_prefix(site).unwrap_or(&path);
        let module = path
            .strip_prefix(&root)
            .ok()
            .and_then(|p| p.components().next())
            .and_then(|c| c.as_os_str().to_str())
            .and_then(|dir| dir.rsplit_once('-'))
            .map(|(name, _hash)| name.to_string());
        out.push((
            module,
            Item {
                label: rel.display().to_string(),
                path,
            },
        ));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// The part of `faq-manifest.json` this report needs.
#[derive(Debug, Deserialize)]
struct Manifest {
    locales: BTreeMap<String, ManifestEntry>,
}

#[derive(Debug, Deserialize)]
struct ManifestEntry {
    file: String,
    articles: u64,
}

/// Every bundle listed in every manifest under `dir`.
fn bundles(dir: &Path) -> Result<Vec<Item>> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    let mut manifests: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == MANIFEST))
        .collect();
    manifests.sort();
    ensure!(
        !manifests.is_empty(),
        "no {MANIFEST} under {}; build the index with faq-indexer first",
        dir.display()
    );
    let mut items = Vec::new();
    for m in manifests {
        let text =
            std::fs::read_to_string(&m).with_context(|| format!("cannot read {}", m.display()))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an FAQ manifest", m.display()))?;
        let folder = m.parent().unwrap_or(dir);
        for (locale, entry) in manifest.locales {
            let path = folder.join(&entry.file);
            ensure!(
                path.is_file(),
                "{} lists {}, which is missing",
                m.display(),
                entry.file
            );
            items.push(Item {
                label: format!("{} ({locale}, {} articles)", entry.file, entry.articles),
                path,
            });
        }
    }
    Ok(items)
}

/// Raw and compressed sizes of one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

impl std::ops::Add for Sizes {
    type Output = Sizes;
    fn add(self, o: Sizes) -> Sizes {
        Sizes {
            raw: self.raw + o.raw,
            gzip: self.gzip + o.gzip,
            brotli: self.brotli + o.brotli,
        }
    }
}

fn measure(path: &Path) -> Result<Sizes> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    // The encodings the build writes beside each file (`precompress`). Brotli at
    // quality 11 is the slow part; gzip runs beside it.
    let (gzip, brotli) = std::thread::scope(|s| {
        let gz = s.spawn(|| Encoding::Gzip.encode(&data).len() as u64);
        let br = Encoding::Brotli.encode(&data).len() as u64;
        (gz.join().expect("gzip thread panicked"), br)
    });
    Ok(Sizes {
        raw: data.len() as u64,
        gzip,
        brotli,
    })
}

#[derive(Debug)]
struct Section {
    title: String,
    items: Vec<Item>,
}

impl Section {
    fn new(title: String, items: Vec<Item>) -> Self {
        Self { title, items }
    }

    fn measure(self) -> Result<Measured> {
        let rows = self
            .items
            .into_iter()
            .map(|i| Ok((i.label, measure(&i.path)?)))
            .collect::<Result<Vec<_>>>()?;
        if rows.is_empty() {
            bail!("`{}` has no files", self.title);
        }
        Ok(Measured {
            title: self.title,
            rows,
        })
    }
}

#[derive(Debug)]
struct Measured {
    title: String,
    rows: Vec<(String, Sizes)>,
}

impl Measured {
    fn total(&self) -> Sizes {
        self.rows
            .iter()
            .fold(Sizes::default(), |acc, (_, s)| acc + *s)
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes with the KB value (1 KB = 1,024 B), which is how budgets are stated.
fn bytes(n: u64) -> String {
    format!("{} ({:.1} KB)", thousands(n), n as f64 / 1024.0)
}

fn table(sections: &[Measured]) -> String {
    let mut out =
        String::from("| part | file | raw bytes | gzip -9 bytes | brotli -q 11 bytes |\n");
    out.push_str("|---|---|---:|---:|---:|\n");
    for s in sections {
        for (label, sz) in &s.rows {
            let _ = writeln!(
                out,
                "| {} | {label} | {} | {} | {} |",
                s.title,
                bytes(sz.raw),
                bytes(sz.gzip),
                bytes(sz.brotli)
            );
        }
        if s.rows.len() > 1 {
            let t = s.total();
            let _ = writeln!(
                out,
                "| **{}** | **total** | **{}** | **{}** | **{}** |",
                s.title,
                bytes(t.raw),
                bytes(t.gzip),
                bytes(t.brotli)
            );
        }
    }
    out
}

fn verdict(page_brotli: u64) -> String {
    let pass = page_brotli <= BUDGET_BYTES;
    format!(
        "Target: page load ≤ 40 KB brotli ({} B): {} → {}",
        thousands(BUDGET_BYTES),
        bytes(page_brotli),
        if pass { "PASS" } else { "FAIL" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(bytes(40 * 1024), "40,960 (40.0 KB)");
    }

    #[test]
    fn budget_is_inclusive() {
        assert!(verdict(BUDGET_BYTES).ends_with("PASS"));
        assert!(verdict(BUDGET_BYTES + 1).ends_with("FAIL"));
    }

    #[test]
    fn index_argument() {
        assert_eq!(
            parse_index("gen-1k=target/x").unwrap(),
            ("gen-1k".to_string(), PathBuf::from("target/x"))
        );
        assert!(parse_index("nodir=").is_err() && parse_index("plain").is_err());
    }

    #[test]
    fn layouts_and_snippets() {
        let site = tempfile::tempdir().unwrap();
        let s = site.path();
        assert_eq!(detect_layout(s), ("shopdesk-widget", "shopdesk-search"));
        std::fs::write(s.join("shopdesk-launcher.js"), "").unwrap();
        assert_eq!(detect_layout(s), ("shopdesk-launcher", "shopdesk-widget"));

        let dir = s.join("snippets/shopdesk-launcher-30b11e88c74527b6");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("inline0.js"), "x").unwrap();
        let found = snippet_files(s).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.as_deref(), Some("shopdesk-launcher"));
        assert_eq!(
            found[0].1.label,
            "snippets/shopdesk-launcher-30b11e88c74527b6/inline0.js"
        );
    }

    #[test]
    fn bundles_come_from_every_manifest() {
        let root = tempfile::tempdir().unwrap();
        for (sub, file) in [
            ("a", "faq-en-0000000000000001.bin"),
            ("b/c", "faq-de-2.bin"),
        ] {
            let dir = root.path().join(sub);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(file), "bundle").unwrap();
            let manifest = format!(
                r#"{{"format":1,"locales":{{"xx":{{"file":"{file}","articles":3,"bytes":6}}}}}}"#
            );
            std::fs::write(dir.join(MANIFEST), manifest).unwrap();
        }
        let items = bundles(root.path()).unwrap();
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "faq-en-0000000000000001.bin (xx, 3 articles)",
                "faq-de-2.bin (xx, 3 articles)"
            ]
        );
        assert!(bundles(&root.path().join("a/none")).is_err());
    }
}
