//! The index schema, identical for every locale (analyzers differ, fields don't).

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};

use crate::analysis::{PHRASING, STEM, WORDS};

/// How many fields are ranked (see [`Fields::ranked`]).
pub const RANKED: usize = 4;

/// Handles to every field of an FAQ index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Article id, looked up exactly when a shopper opens an article.
    pub id: Field,
    pub title: Field,
    /// Alternative phrasings shoppers use; weighed like a title.
    pub questions: Field,
    pub tags: Field,
    /// The answer as plain text: ranked, and the source of result snippets.
    pub body: Field,
    pub category: Field,
    /// The sanitized answer HTML shown in the widget. Stored only.
    pub html: Field,
    /// URL glob patterns where the article is suggested. Stored only.
    pub pages: Field,
    /// Every word of the article as typed, for typo correction and completion.
    pub words: Field,
}

impl Fields {
    /// The ranked fields with their weights. Titles and questions say what an article
    /// is about; the body also mentions everything it is not about. A question weighs as
    /// much as the title: it is a title in the shopper's own words (at 1.6, R@1 and MRR
    /// were lower on two evaluation sets and level on the third; BENCHMARKS.md).
    pub fn ranked(&self) -> [(Field, f32); RANKED] {
        [
            (self.title, 2.0),
            (self.questions, 2.0),
            (self.tags, 1.2),
            (self.body, 1.0),
        ]
    }
}

/// Builds the schema and returns it with its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Titles, questions and tags keep their stop words; the body drops them (see
    // `analysis`).
    let ranked = |analyzer| {
        TextOptions::default().set_stored().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let vocabulary = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(WORDS)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", ranked(PHRASING)),
        questions: b.add_text_field("questions", ranked(PHRASING)),
        tags: b.add_text_field("tags", ranked(PHRASING)),
        body: b.add_text_field("body", ranked(STEM)),
        category: b.add_text_field("category", STORED),
        html: b.add_text_field("html", STORED),
        pages: b.add_text_field("pages", STORED),
        words: b.add_text_field("words", vocabulary),
    };
    (b.build(), fields)
}

/// Recovers field handles from an opened index's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        id: f("id")?,
        title: f("title")?,
        questions: f("questions")?,
        tags: f("tags")?,
        body: f("body")?,
        category: f("category")?,
        html: f("html")?,
        pages: f("pages")?,
        words: f("words")?,
    })
}
