//! Turning validated articles into a bundle (native side; the browser only reads).

use std::path::Path;

use tantivy::directory::Directory;
use tantivy::store::Compressor;
use tantivy::{doc, Index, IndexSettings, TantivyDocument};

use crate::bundle::{self, BundleInfo, INFO_ENTRY};
use crate::{analysis, schema, Article, Error, Locale, Result};

/// Segment ids are random UUIDs; every bundle uses this one instead so that the same
/// articles always produce byte-identical bundles (and so identical content hashes).
const FIXED_SEGMENT_ID: &str = "5d0f5d0f5d0f5d0f5d0f5d0f5d0f5d0f";

/// Indexing memory budget. Large enough that even very large help centres fit one
/// segment, which keeps document order (and so output) deterministic.
const WRITER_BUDGET: usize = 512 * 1024 * 1024;

/// Builds the bundle for `articles`, which must all be in `locale`. Articles are indexed
/// in id order.
pub fn build_bundle(locale: Locale, articles: &[Article]) -> Result<Vec<u8>> {
    let (schema, f) = schema::build();
    let settings = IndexSettings {
        docstore_compression: Compressor::None,
        ..IndexSettings::default()
    };
    let index = Index::builder()
        .schema(schema)
        .settings(settings)
        .create_in_ram()?;
    analysis::register(&index, locale);

    let mut sorted: Vec<&Article> = articles.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));

    let mut writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
    for a in &sorted {
        let mut d: TantivyDocument = doc!(
            f.id => a.id.as_str(),
            f.title => a.title.as_str(),
            f.body => a.text.as_str(),
            f.html => a.html.as_str(),
            f.words => a.title.as_str(),
            f.words => a.text.as_str(),
        );
        for q in &a.questions {
            d.add_text(f.questions, q);
            d.add_text(f.words, q);
        }
        for t in a.tags.iter().chain(&a.synonyms) {
            d.add_text(f.tags, t);
            d.add_text(f.words, t);
        }
        if let Some(c) = &a.category {
            d.add_text(f.category, c);
            d.add_text(f.tags, c);
            d.add_text(f.words, c);
        }
        for p in &a.pages {
            d.add_text(f.pages, p);
        }
        writer.add_document(d)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;

    let metas = index.searchable_segment_metas()?;
    let segment_id = match metas.as_slice() {
        [] => None,
        [one] => Some(one.id().uuid_string()),
        _ => {
            return Err(Error::BadBundle(format!(
                "indexing produced {} segments instead of one",
                metas.len()
            )))
        }
    };

    let dir = index.directory();
    let read = |name: &str| -> Result<Vec<u8>> {
        dir.atomic_read(Path::new(name))
            .map_err(|e| Error::BadBundle(format!("cannot read back `{name}`: {e}")))
    };
    let managed: Vec<String> = serde_json::from_slice(&read(".managed.json")?)?;
    // File names carry the id as plain hex, meta.json as a hyphenated UUID.
    let rename = |s: &str| match &segment_id {
        Some(id) => s
            .replace(id.as_str(), FIXED_SEGMENT_ID)
            .replace(&hyphenated(id), &hyphenated(FIXED_SEGMENT_ID)),
        None => s.to_string(),
    };

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let meta = String::from_utf8(read("meta.json")?)
        .map_err(|_| Error::BadBundle("meta.json is not UTF-8".into()))?;
    files.push(("meta.json".into(), rename(&meta).into_bytes()));
    for name in managed {
        let live = segment_id.as_deref().is_some_and(|id| name.starts_with(id));
        if live {
            files.push((rename(&name), read(&name)?));
        }
    }
    let info = BundleInfo {
        format: bundle::FORMAT,
        locale,
        articles: sorted.len() as u32,
    };
    files.push((INFO_ENTRY.into(), serde_json::to_vec(&info)?));
    files.sort();
    Ok(bundle::pack(
        files.iter().map(|(n, d)| (n.as_str(), d.as_slice())),
    ))
}

fn hyphenated(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
