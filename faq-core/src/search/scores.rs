//! Scores per typed word, summed across words.
//!
//! A query's score is the sum over its words of each word's best alternative (see
//! `plan`). While a shopper types, every keystroke repeats the finished words before
//! the one being typed, and a finished word scores every article the same way each
//! time: the index never changes. So each word is scored once, over all the articles
//! it matches, and remembered; a keystroke scores only the word being typed and adds up.
//! This gives the same ranking as one boolean query over all words, without rebuilding
//! and re-running the earlier words' term scorers on every keystroke, which was most of
//! the cost of a search in the browser.
//!
//! A word is scored straight from the postings with tantivy's own BM25
//! ([`Bm25Weight`]), computing exactly what the query tree
//! `DisjunctionMax(alternatives: Boost(weight, Boolean(should: Boost(field boost,
//! Term))))` computes, in the same order of floating-point operations, where each field
//! boost also carries [`Rarity`]'s adjustment of the idf. Not building `tantivy::query`
//! objects keeps their machinery out of the browser module: every `dyn Query` carries a
//! `Debug` that formats terms, which links the whole regex engine (tantivy escapes facet
//! paths with a regex) — about half a megabyte of WebAssembly.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Score, SegmentOrdinal, Term, TERMINATED};

use super::plan::Alternatives;
use super::segments::Segments;
use crate::schema::{Fields, RANKED};

/// Numbers every document of a bundle 0..total, segment after segment, so scores
/// can be added up in one flat array.
#[derive(Debug, Clone)]
pub(crate) struct DocSpace {
    /// First number of each segment, by segment ordinal.
    bases: Vec<u32>,
    total: u32,
}

impl DocSpace {
    pub(super) fn of(segments: &Segments) -> Self {
        let mut bases = Vec::new();
        let mut total = 0u32;
        for segment in segments.readers() {
            bases.push(total);
            total += segment.max_doc();
        }
        Self { bases, total }
    }

    pub(super) fn address(&self, doc: u32) -> DocAddress {
        let segment = self.bases.partition_point(|&base| base <= doc) - 1;
        DocAddress::new(segment as SegmentOrdinal, doc - self.bases[segment])
    }
}

/// Every article a word matches, with the word's score in it, by [`DocSpace`] number.
pub(crate) type WordScores = Vec<(u32, Score)>;

/// Documents tantivy's union scorer adds up per pass; the order in which it adds
/// the fields' scores depends on it (see [`sum_fields`]).
const UNION_HORIZON: u32 = 4096;

/// One field's postings of one stem in one segment, with its BM25 weight.
struct FieldPostings {
    postings: SegmentPostings,
    bm25: Bm25Weight,
    norms: FieldNormReader,
}

/// Scores every article `alternatives` (one typed word's stems and weights) match:
/// each alternative summed across the ranked fields with their boosts, the word
/// through its best alternative. Ascending by document.
pub(crate) fn word_scores(
    segments: &Segments,
    space: &DocSpace,
    fields: &Fields,
    alternatives: &Alternatives,
) -> tantivy::Result<WordScores> {
    let total = space.total as usize;
    let mut best = vec![0.0 as Score; total];
    let mut alt = vec![0.0 as Score; total];
    let mut touched: Vec<u32> = Vec::new();
    let mut matched: Vec<u32> = Vec::new();
    let rarity = Rarity::of(segments, fields, alternatives)?;
    for (stem, weight) in alternatives.iter() {
        let mut weights = Vec::new();
        for found in rarity.field_boosts(segments, fields, stem)? {
            // BoostQuery hands its boost down multiplied (the alternative's weight, then
            // the field's boost), and the term scorer applies it to the BM25 weight.
            let bm25 = rarity.bm25(&found).boost_by(weight * found.boost);
            weights.push((found.field, found.term, bm25));
        }
        for (ordinal, segment) in segments.readers().iter().enumerate() {
            let mut cursors = Vec::new();
            for (field, term, bm25) in &weights {
                let Some(postings) = segment
                    .inverted_index(*field)?
                    .read_postings(term, IndexRecordOption::WithFreqs)?
                else {
                    continue;
                };
                if postings.doc() == TERMINATED {
                    continue;
                }
                let norms = segment
                    .fieldnorms_readers()
                    .get_field(*field)?
                    .unwrap_or_else(|| FieldNormReader::constant(segment.max_doc(), 1));
                cursors.push(FieldPostings {
                    postings,
                    bm25: bm25.clone(),
                    norms,
                });
            }
            let base = space.bases[ordinal];
            sum_fields(cursors, |doc, score| {
                if segment.is_deleted(doc) {
                    return;
                }
                let n = (base + doc) as usize;
                if alt[n] == 0.0 {
                    touched.push(base + doc);
                }
                alt[n] += score;
            });
        }
        for d in touched.drain(..) {
            let n = d as usize;
            if best[n] == 0.0 {
                matched.push(d);
            }
            // A disjunction-max with no tie-breaker: the best alternative, exactly.
            best[n] = best[n].max(alt[n]);
            alt[n] = 0.0;
        }
    }
    matched.sort_unstable();
    Ok(matched.into_iter().map(|d| (d, best[d as usize])).collect())
}

/// How telling a stem is, as the idf each ranked field's BM25 gives it, adjusted twice.
///
/// A field's own document frequency overstates a word that is rare in that field but
/// common in the help centre: "order" in two titles and every other answer is not as
/// telling in a title as two titles out of hundreds say. So the idf is half the field's
/// and half the article's (from the field where the stem is most common). Measured on
/// every evaluation set (BENCHMARKS.md): the field's alone ranked worse on all three,
/// the article's alone on one.
///
/// And a completion is a guess at the word being typed: it never tells more than the
/// typed word itself. Its frequencies are at least those of the typed word's stem, so
/// a rare completion ("carry" for "car") cannot outscore the word as typed.
pub(crate) struct Rarity {
    docs: u64,
    /// Each ranked field's average length, for BM25's length normalisation.
    average_lengths: [Score; RANKED],
    /// The typed word's own stem and its frequency in each ranked field.
    own: Option<(String, [u64; RANKED])>,
}

/// A ranked field that holds a stem.
pub(crate) struct FieldTerm {
    field: Field,
    /// Position in [`Fields::ranked`].
    rank: usize,
    pub term: Term,
    doc_freq: u64,
    /// The field's boost times the adjustment of tantivy's idf.
    pub boost: f32,
}

impl Rarity {
    pub(crate) fn of(
        segments: &Segments,
        fields: &Fields,
        alternatives: &Alternatives,
    ) -> tantivy::Result<Self> {
        let own = match &alternatives.own {
            Some(stem) => Some((stem.clone(), doc_freqs(segments, fields, stem)?)),
            None => None,
        };
        let docs = segments.total_num_docs()?;
        let mut average_lengths = [0.0; RANKED];
        for (average, (field, _)) in average_lengths.iter_mut().zip(fields.ranked()) {
            // As `Bm25Weight::for_terms` computes it.
            *average = segments.total_num_tokens(field)? as Score / docs as Score;
        }
        Ok(Self {
            docs,
            average_lengths,
            own,
        })
    }

    /// tantivy's BM25 weight of a field's term, before boosts.
    pub(crate) fn bm25(&self, found: &FieldTerm) -> Bm25Weight {
        Bm25Weight::for_one_term_without_explain(
            found.doc_freq,
            self.docs,
            self.average_lengths[found.rank],
        )
    }

    /// Each ranked field that holds `stem`, with its term and its boost times the
    /// adjustment of tantivy's idf for that field.
    pub(crate) fn field_boosts(
        &self,
        segments: &Segments,
        fields: &Fields,
        stem: &str,
    ) -> tantivy::Result<Vec<FieldTerm>> {
        let (found, own_freqs) = match &self.own {
            // The typed word's own stem: its frequencies are already known.
            Some((own, freqs)) if own == stem => (*freqs, None),
            own => (
                doc_freqs(segments, fields, stem)?,
                own.as_ref().map(|o| &o.1),
            ),
        };
        let mut counted = found;
        if let Some(own_freqs) = own_freqs {
            for (df, own_df) in counted.iter_mut().zip(own_freqs) {
                *df = (*df).max(*own_df);
            }
        }
        let article = counted.iter().copied().max().unwrap_or(0);
        let idf = |df: u64| idf(df, self.docs);
        Ok(fields
            .ranked()
            .into_iter()
            .enumerate()
            .filter(|&(rank, _)| found[rank] > 0)
            .map(|(rank, (field, boost))| {
                let adjusted = 0.5 * (idf(counted[rank]) + idf(article));
                FieldTerm {
                    field,
                    rank,
                    term: Term::from_field_text(field, stem),
                    doc_freq: found[rank],
                    boost: boost * (adjusted / idf(found[rank])),
                }
            })
            .collect())
    }
}

fn doc_freqs(segments: &Segments, fields: &Fields, stem: &str) -> tantivy::Result<[u64; RANKED]> {
    let mut out = [0; RANKED];
    for (df, (field, _)) in out.iter_mut().zip(fields.ranked()) {
        *df = segments.doc_freq(&Term::from_field_text(field, stem))?;
    }
    Ok(out)
}

/// BM25's idf, as tantivy computes it.
fn idf(doc_freq: u64, docs: u64) -> Score {
    let x = (docs.saturating_sub(doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
    (1.0 + x).ln()
}

/// Hands each (document, field score) to `add` in the order tantivy's buffered union
/// scorer adds them up, so sums match its floating-point results to the bit: in passes
/// of [`UNION_HORIZON`] documents from the lowest one left, each field's postings in
/// turn, and a field whose postings run out is replaced in its place by the last one.
fn sum_fields(mut cursors: Vec<FieldPostings>, mut add: impl FnMut(u32, Score)) {
    while let Some(low) = cursors.iter().map(|c| c.postings.doc()).min() {
        let horizon = low.saturating_add(UNION_HORIZON);
        let mut i = 0;
        while i < cursors.len() {
            let c = &mut cursors[i];
            let mut done = false;
            loop {
                let doc = c.postings.doc();
                if doc >= horizon {
                    break;
                }
                add(
                    doc,
                    c.bm25
                        .score(c.norms.fieldnorm_id(doc), c.postings.term_freq()),
                );
                if c.postings.advance() == TERMINATED {
                    done = true;
                    break;
                }
            }
            if done {
                cursors.swap_remove(i);
            } else {
                i += 1;
            }
        }
    }
}

/// The first live document whose `field` holds exactly `text` (an article id).
pub(crate) fn find(
    segments: &Segments,
    field: tantivy::schema::Field,
    text: &str,
) -> tantivy::Result<Option<DocAddress>> {
    let term = Term::from_field_text(field, text);
    for (ordinal, segment) in segments.readers().iter().enumerate() {
        let Some(mut postings) = segment
            .inverted_index(field)?
            .read_postings(&term, IndexRecordOption::Basic)?
        else {
            continue;
        };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if !segment.is_deleted(doc) {
                return Ok(Some(DocAddress::new(ordinal as SegmentOrdinal, doc)));
            }
            doc = postings.advance();
        }
    }
    Ok(None)
}

/// The best `limit` documents by summed score, best first; ties go to the lower
/// document number, as tantivy's `TopDocs` does.
pub(crate) fn top<'a>(
    space: &DocSpace,
    words: impl IntoIterator<Item = &'a WordScores>,
    limit: usize,
) -> Vec<(Score, u32)> {
    let mut sum = vec![0.0 as Score; space.total as usize];
    let mut matched = Vec::new();
    for word in words {
        for &(doc, score) in word {
            let slot = &mut sum[doc as usize];
            if *slot == 0.0 {
                matched.push(doc);
            }
            *slot += score;
        }
    }
    let mut ranked: Vec<(Score, u32)> = matched.into_iter().map(|d| (sum[d as usize], d)).collect();
    let better = |a: &(Score, u32), b: &(Score, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if ranked.len() > limit && limit > 0 {
        ranked.select_nth_unstable_by(limit - 1, better);
        ranked.truncate(limit);
    }
    ranked.sort_unstable_by(better);
    ranked.truncate(limit);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Engine;
    use crate::{indexing, Article, Locale};
    use tantivy::collector::{Collector, SegmentCollector};
    use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
    use tantivy::{DocId, SegmentReader};

    /// The query tree the engine ran before it scored postings itself.
    /// The field boosts carry [`Rarity`]'s adjustment of the idf, so this checks how the
    /// postings are summed, with the same weights.
    fn query_tree(segments: &Segments, fields: &Fields, alts: &Alternatives) -> Box<dyn Query> {
        let rarity = Rarity::of(segments, fields, alts).unwrap();
        let mut per_alt: Vec<Box<dyn Query>> = alts
            .iter()
            .map(|(stem, weight)| {
                let per_field = rarity
                    .field_boosts(segments, fields, stem)
                    .unwrap()
                    .into_iter()
                    .map(|found| {
                        let term = TermQuery::new(found.term, IndexRecordOption::WithFreqs);
                        let q: Box<dyn Query> =
                            Box::new(BoostQuery::new(Box::new(term), found.boost));
                        (Occur::Should, q)
                    })
                    .collect();
                let q: Box<dyn Query> = Box::new(BoostQuery::new(
                    Box::new(BooleanQuery::new(per_field)),
                    *weight,
                ));
                q
            })
            .collect();
        if per_alt.len() == 1 {
            return per_alt.pop().unwrap();
        }
        Box::new(DisjunctionMaxQuery::new(per_alt))
    }

    struct All<'a>(&'a DocSpace);
    struct Seg(u32, WordScores);
    impl Collector for All<'_> {
        type Fruit = WordScores;
        type Child = Seg;
        fn for_segment(&self, o: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<Seg> {
            Ok(Seg(self.0.bases[o as usize], Vec::new()))
        }
        fn requires_scoring(&self) -> bool {
            true
        }
        fn merge_fruits(&self, f: Vec<WordScores>) -> tantivy::Result<WordScores> {
            Ok(f.concat())
        }
    }
    impl SegmentCollector for Seg {
        type Fruit = WordScores;
        fn collect(&mut self, doc: DocId, score: Score) {
            self.1.push((self.0 + doc, score));
        }
        fn harvest(self) -> WordScores {
            self.1
        }
    }

    /// Articles of varied lengths and word frequencies, so idf and field norms differ.
    fn corpus(n: usize) -> Vec<Article> {
        let words = [
            "shipping", "return", "refund", "parcel", "delivery", "payment", "invoice", "size",
            "jacket", "voucher", "account", "order",
        ];
        (0..n)
            .map(|i: usize| {
                let pick = |n: usize, k: usize| -> Vec<&str> {
                    (0..n)
                        .map(|j| words[(i * 7 + j * k + j * j) % words.len()])
                        .collect()
                };
                Article {
                    id: format!("a{i}"),
                    title: pick(1 + i % 4, 3).join(" "),
                    category: None,
                    tags: pick(i % 3, 5).into_iter().map(String::from).collect(),
                    questions: vec![pick(2 + i % 5, 2).join(" "), pick(1 + i % 2, 7).join(" ")],
                    pages: vec![],
                    locale: Locale::En,
                    html: String::new(),
                    text: pick(3 + (i * 13) % 17, 1).join(" "),
                    synonyms: Vec::new(),
                }
            })
            .collect()
    }

    #[test]
    fn postings_scores_equal_the_query_tree_bit_for_bit() {
        same_scores_as_the_query_tree(40);
    }

    /// Past tantivy's union horizon (4,096 documents) its order of addition changes.
    #[test]
    fn postings_scores_equal_the_query_tree_past_the_union_horizon() {
        same_scores_as_the_query_tree(9_000);
    }

    fn same_scores_as_the_query_tree(articles: usize) {
        let bundle = indexing::build_bundle(Locale::En, &corpus(articles)).unwrap();
        let engine = Engine::open(&bundle).unwrap();
        // tantivy's own searcher over the same bundle is the reference.
        let (_, index) = super::super::open_index(&bundle).unwrap();
        let searcher = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .unwrap()
            .searcher();
        let stems = [
            "ship", "return", "refund", "parcel", "deliveri", "payment", "size", "nope",
        ];
        let mut checked = 0;
        for (i, a) in stems.iter().enumerate() {
            for b in &stems[i..] {
                let mut alts = Alternatives {
                    own: Some(a.to_string()),
                    ..Alternatives::default()
                };
                alts.insert(a.to_string(), 1.0);
                alts.insert(b.to_string(), [0.8, 0.6, 0.35][i % 3]);
                let ours =
                    word_scores(&engine.segments, &engine.space, &engine.fields, &alts).unwrap();
                let mut theirs = searcher
                    .search(
                        &query_tree(&engine.segments, &engine.fields, &alts),
                        &All(&engine.space),
                    )
                    .unwrap();
                theirs.sort_by_key(|&(d, _)| d);
                let bits =
                    |v: &WordScores| v.iter().map(|&(d, s)| (d, s.to_bits())).collect::<Vec<_>>();
                assert_eq!(bits(&ours), bits(&theirs), "{alts:?}");
                checked += ours.len();
            }
        }
        assert!(
            checked > 200,
            "the corpus matched too little to compare: {checked}"
        );
        let found = find(&engine.segments, engine.fields.id, "a7").unwrap();
        assert_eq!(
            found.map(|a| engine.segments.doc::<super::super::Stored>(a).is_ok()),
            Some(true)
        );
        assert_eq!(
            find(&engine.segments, engine.fields.id, "missing").unwrap(),
            None
        );
    }

    fn space(sizes: &[u32]) -> DocSpace {
        let mut bases = Vec::new();
        let mut total = 0;
        for s in sizes {
            bases.push(total);
            total += s;
        }
        DocSpace { bases, total }
    }

    #[test]
    fn numbers_map_back_to_segment_addresses() {
        let s = space(&[3, 0, 2]);
        assert_eq!(s.address(0), DocAddress::new(0, 0));
        assert_eq!(s.address(2), DocAddress::new(0, 2));
        assert_eq!(s.address(3), DocAddress::new(2, 0));
        assert_eq!(s.address(4), DocAddress::new(2, 1));
    }

    /// Boost of `stem` in the title for the typed word `own`.
    fn title_boost(engine: &Engine, own: &str, stem: &str) -> f32 {
        let alts = Alternatives {
            own: Some(own.to_string()),
            ..Alternatives::default()
        };
        let rarity = Rarity::of(&engine.segments, &engine.fields, &alts).unwrap();
        let found = rarity
            .field_boosts(&engine.segments, &engine.fields, stem)
            .unwrap();
        found
            .iter()
            .find(|f| f.field == engine.fields.title)
            .map(|f| f.boost)
            .unwrap()
    }

    #[test]
    fn a_word_every_answer_uses_tells_less_in_a_title_than_its_title_count_says() {
        let article = |id: &str, title: &str, text: &str| Article {
            id: id.into(),
            title: title.into(),
            category: None,
            tags: vec![],
            questions: vec![],
            pages: vec![],
            locale: Locale::En,
            html: String::new(),
            text: text.into(),
            synonyms: Vec::new(),
        };
        let articles = [
            article("a", "Parcel lost", "We trace your order."),
            article("b", "Order cancelled", "An order can be cancelled."),
            article("c", "Sizes", "Every order ships with a size chart."),
            article("d", "Payment", "Pay for your order by card."),
        ];
        let bundle = indexing::build_bundle(Locale::En, &articles).unwrap();
        let engine = Engine::open(&bundle).unwrap();
        let (title, _) = engine.fields.ranked()[0];
        assert_eq!(title, engine.fields.title);
        // One title each; "parcel" is nowhere else, so its title's own count stands.
        assert_eq!(title_boost(&engine, "parcel", "parcel"), 2.0);
        let order = title_boost(&engine, "order", "order");
        assert!(order < 1.5, "{order}");
        // A completion counts as at least as common as the word typed: "parcel"
        // completing a typed "order" is as telling as "order".
        assert_eq!(title_boost(&engine, "order", "parcel"), order);
    }

    #[test]
    fn words_add_up_and_ties_go_to_the_earlier_document() {
        let s = space(&[6]);
        let a = vec![(1, 1.0), (2, 2.0), (4, 0.5)];
        let b = vec![(2, 1.0), (4, 2.5), (5, 3.0)];
        assert_eq!(top(&s, [&a, &b], 2), vec![(3.0, 2), (3.0, 4)]);
        assert_eq!(top(&s, [&a, &b], 10).len(), 4);
        assert_eq!(top(&s, [&a], 0), vec![]);
        assert_eq!(top(&s, [], 3), vec![]);
    }
}
