//! The segments of an opened bundle: what the engine needs of tantivy's `Searcher`.
//!
//! A `Searcher` comes from an `IndexReader`, which carries machinery for indexes that
//! change under it (reload policies, a warming thread pool, searcher generations). A
//! bundle never changes once opened, and that machinery (rayon, crossbeam, thread
//! spawning) was a tenth of tantivy's share of the browser module, so the engine opens
//! the segment readers itself. Statistics and stored documents read exactly as a
//! `Searcher` reads them, which keeps ranking identical.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::document::DocumentDeserialize;
use tantivy::schema::Field;
use tantivy::store::StoreReader;
use tantivy::{DocAddress, Index, SegmentReader, Term};

/// Decompressed store blocks kept per segment, as tantivy's own searcher keeps them.
const STORE_CACHE_BLOCKS: usize = 100;

pub(crate) struct Segments {
    readers: Vec<SegmentReader>,
    stores: Vec<StoreReader>,
}

impl Segments {
    pub(super) fn open(index: &Index) -> tantivy::Result<Self> {
        let readers = index
            .searchable_segments()?
            .iter()
            .map(SegmentReader::open)
            .collect::<tantivy::Result<Vec<_>>>()?;
        let stores = readers
            .iter()
            .map(|reader| reader.get_store_reader(STORE_CACHE_BLOCKS))
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Self { readers, stores })
    }

    /// The segment readers, in ordinal order (a [`DocAddress`]'s `segment_ord`).
    pub(super) fn readers(&self) -> &[SegmentReader] {
        &self.readers
    }

    /// A stored document.
    pub(super) fn doc<D: DocumentDeserialize>(&self, address: DocAddress) -> tantivy::Result<D> {
        self.stores[address.segment_ord as usize].get(address.doc_id)
    }

    /// How many documents contain `term`, over all segments.
    pub(super) fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut total = 0;
        for reader in &self.readers {
            total += u64::from(reader.inverted_index(term.field())?.doc_freq(term)?);
        }
        Ok(total)
    }
}

impl Bm25StatisticsProvider for Segments {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut total = 0;
        for reader in &self.readers {
            total += reader.inverted_index(field)?.total_num_tokens();
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.readers.iter().map(|r| u64::from(r.max_doc())).sum())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Segments::doc_freq(self, term)
    }
}
