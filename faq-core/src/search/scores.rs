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

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// Numbers every document of a searcher 0..total, segment after segment, so scores
/// can be added up in one flat array.
#[derive(Debug, Clone)]
pub(crate) struct DocSpace {
    /// First number of each segment, by segment ordinal.
    bases: Vec<u32>,
    total: u32,
}

impl DocSpace {
    pub fn of(searcher: &Searcher) -> Self {
        let mut bases = Vec::new();
        let mut total = 0u32;
        for segment in searcher.segment_readers() {
            bases.push(total);
            total += segment.max_doc();
        }
        Self { bases, total }
    }

    pub fn address(&self, doc: u32) -> DocAddress {
        let segment = self.bases.partition_point(|&base| base <= doc) - 1;
        DocAddress::new(segment as SegmentOrdinal, doc - self.bases[segment])
    }
}

/// Every article a word matches, with the word's score in it, by [`DocSpace`] number.
pub(crate) type WordScores = Vec<(u32, Score)>;

/// Collects every matching document with its score (no top-k cut: words are summed
/// afterwards).
pub(crate) struct AllScores<'a>(pub &'a DocSpace);

pub(crate) struct SegmentScores {
    base: u32,
    out: WordScores,
}

impl Collector for AllScores<'_> {
    type Fruit = WordScores;
    type Child = SegmentScores;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentScores> {
        Ok(SegmentScores {
            base: self.0.bases[segment as usize],
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<WordScores>) -> tantivy::Result<WordScores> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for SegmentScores {
    type Fruit = WordScores;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.out.push((self.base + doc, score));
    }

    fn harvest(self) -> WordScores {
        self.out
    }
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
