//! The baseline: BM25 over everything an FAQ article says, with no FAQ-specific work.
//!
//! Title, alternative questions and body, each with tantivy's default `TEXT` options
//! (default tokenizer: split on non-alphanumerics, lowercase; no stemming, stop words,
//! typo tolerance or field weights), queried through `QueryParser` with its default OR.
//! The questions are what shoppers ask in their own words, so a baseline without them
//! would be a straw man: on a held-out shop, this one was slightly ahead of our search
//! while the title-and-body one was far behind. Ours has to beat it to justify its
//! complexity.

use anyhow::{Context, Result};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, Schema, Value, STORED, STRING, TEXT};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument};

use super::data::Article;

/// Indexing memory budget; the evaluation help centres are tiny.
const WRITER_BUDGET: usize = 50 * 1024 * 1024;

/// An in-memory plain-BM25 index of one help centre.
pub struct PlainBm25 {
    reader: IndexReader,
    parser: QueryParser,
    id: Field,
}

impl std::fmt::Debug for PlainBm25 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlainBm25").finish_non_exhaustive()
    }
}

impl PlainBm25 {
    /// Indexes one document per article, in the given order, with one thread so that
    /// document order (and so tie-breaking) is the same on every run.
    pub fn build(articles: &[Article]) -> Result<Self> {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING | STORED);
        let title = schema.add_text_field("title", TEXT);
        let questions = schema.add_text_field("questions", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());

        let mut writer = index
            .writer_with_num_threads(1, WRITER_BUDGET)
            .context("cannot create the baseline index writer")?;
        for a in articles {
            let mut document = doc!(
                id => a.id.as_str(),
                title => a.title.as_str(),
                body => a.body.as_str(),
            );
            for q in a.questions() {
                document.add_text(questions, q);
            }
            writer.add_document(document)?;
        }
        writer
            .commit()
            .context("cannot commit the baseline index")?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            reader,
            parser: QueryParser::for_index(&index, vec![title, questions, body]),
            id,
        })
    }

    /// Ids of the best `limit` articles for `query`. Lenient parsing, because shopper
    /// text is full of characters the query syntax reserves (`?`, `:`, quotes).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<String>> {
        let (query, _ignored) = self.parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)))?;
        top.into_iter()
            .map(|(_, addr)| {
                let doc: TantivyDocument = searcher.doc(addr)?;
                Ok(doc
                    .get_first(self.id)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, title: &str, body: &str) -> Article {
        Article {
            id: id.into(),
            title: title.into(),
            body: body.into(),
            questions: String::new(),
        }
    }

    #[test]
    fn ranks_by_plain_word_overlap_without_stemming() {
        let bm25 = PlainBm25::build(&[
            article(
                "returns",
                "Return an item",
                "Send the parcel back within 30 days.",
            ),
            article(
                "delivery",
                "Delivery times",
                "Parcels arrive in 2 to 4 days.",
            ),
        ])
        .unwrap();
        assert_eq!(
            bm25.search("how do I return an item?", 10).unwrap()[0],
            "returns"
        );
        // No stemming: "parcels" only matches the article that says "parcels".
        assert_eq!(bm25.search("parcels", 10).unwrap(), ["delivery"]);
        // Query syntax in shopper text does not fail the search.
        assert!(bm25.search("title:(\"unbalanced", 10).is_ok());
    }

    #[test]
    fn alternative_questions_are_searched() {
        let mut refunds = article("refunds", "Refunds", "Paid back within 5 days.");
        refunds.questions = "where is my money|money back".into();
        let other = article("delivery", "Delivery", "Parcels arrive in days.");
        let bm25 = PlainBm25::build(&[other, refunds]).unwrap();
        assert_eq!(bm25.search("money", 10).unwrap(), ["refunds"]);
    }
}
