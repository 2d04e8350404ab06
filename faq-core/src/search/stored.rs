//! Stored articles, read as the text they are.
//!
//! tantivy's `TantivyDocument` decodes every value type a store can hold (numbers,
//! dates, IP addresses, bytes, nested JSON objects); a bundle stores nothing but text
//! (see `crate::schema`), and decoding only text keeps that general decoder out of the
//! browser module. A stored value of any other type is an error, as a bundle written
//! by something other than `faq-indexer` deserves.

use tantivy::schema::document::{
    DeserializeError, DocumentDeserialize, DocumentDeserializer, ValueDeserialize,
    ValueDeserializer,
};
use tantivy::schema::Field;

/// One stored article: its text values in stored order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stored {
    values: Vec<(Field, String)>,
}

impl Stored {
    /// The first value of `field`.
    pub(super) fn first(&self, field: Field) -> Option<&str> {
        self.all(field).next()
    }

    /// Every value of `field`, in stored order.
    pub(super) fn all(&self, field: Field) -> impl Iterator<Item = &str> {
        self.values
            .iter()
            .filter(move |(f, _)| *f == field)
            .map(|(_, text)| text.as_str())
    }

    /// The first value of `field`, owned.
    pub(super) fn text(&self, field: Field) -> Option<String> {
        self.first(field).map(str::to_string)
    }
}

impl DocumentDeserialize for Stored {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(deserializer.size_hint());
        while let Some((field, Text(text))) = deserializer.next_field::<Text>()? {
            values.push((field, text));
        }
        Ok(Self { values })
    }
}

/// A stored value that must be text.
struct Text(String);

impl ValueDeserialize for Text {
    fn deserialize<'de, D>(deserializer: D) -> Result<Self, DeserializeError>
    where
        D: ValueDeserializer<'de>,
    {
        deserializer.deserialize_string().map(Text)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, STORED, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    use super::*;

    #[test]
    fn reads_text_values_in_order_and_refuses_other_types() {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT | STORED);
        let tag = schema.add_text_field("tag", STORED);
        let count = schema.add_u64_field("count", STORED);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer
            .add_document(doc!(title => "Returns", tag => "a", tag => "b"))
            .unwrap();
        writer
            .add_document(doc!(title => "Sizes", count => 3u64))
            .unwrap();
        writer.commit().unwrap();
        let segment =
            tantivy::SegmentReader::open(&index.searchable_segments().unwrap()[0]).unwrap();
        let store = segment.get_store_reader(1).unwrap();

        let first: Stored = store.get(0).unwrap();
        assert_eq!(first.first(title), Some("Returns"));
        assert_eq!(first.all(tag).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(first.first(count), None);
        assert!(store.get::<Stored>(1).is_err());
    }
}
