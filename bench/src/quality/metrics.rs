//! Ranking metrics over one expected article per query.
//!
//! A shopper reads the first few results only, so recall is measured at small cut-offs
//! (1, 3, 5) and MRR rewards putting the answer first rather than merely on the list.

/// How many results each method returns per query; MRR counts an answer found below
/// this as not found (reciprocal rank 0).
pub const DEPTH: usize = 10;

/// The 1-based rank of `expected` among the first [`DEPTH`] `results`, if it is there.
pub fn rank_of<S: AsRef<str>>(expected: &str, results: &[S]) -> Option<usize> {
    results
        .iter()
        .take(DEPTH)
        .position(|id| id.as_ref() == expected)
        .map(|i| i + 1)
}

/// Quality of one method on one evaluation set.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    pub queries: usize,
    pub recall_at_1: f64,
    pub recall_at_3: f64,
    pub recall_at_5: f64,
    pub mrr: f64,
}

impl Metrics {
    /// Aggregates the rank of the expected article for every query (`None`: not in the
    /// top [`DEPTH`]). With no queries every metric is 0 rather than NaN.
    pub fn from_ranks(ranks: &[Option<usize>]) -> Self {
        let n = ranks.len();
        if n == 0 {
            return Self::default();
        }
        let recall =
            |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n as f64;
        let reciprocal: f64 = ranks
            .iter()
            .map(|r| match r {
                Some(r) if (1..=DEPTH).contains(r) => 1.0 / *r as f64,
                _ => 0.0,
            })
            .sum();
        Self {
            queries: n,
            recall_at_1: recall(1),
            recall_at_3: recall(3),
            recall_at_5: recall(5),
            mrr: reciprocal / n as f64,
        }
    }

    /// The metrics with their column names, in table order.
    pub fn named(&self) -> [(&'static str, f64); 4] {
        [
            ("R@1", self.recall_at_1),
            ("R@3", self.recall_at_3),
            ("R@5", self.recall_at_5),
            ("MRR", self.mrr),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn rank_is_one_based_and_limited_to_depth() {
        let results = ["a", "b", "c"];
        assert_eq!(rank_of("a", &results), Some(1));
        assert_eq!(rank_of("c", &results), Some(3));
        assert_eq!(rank_of("z", &results), None);
        let long: Vec<String> = (0..15).map(|i| format!("id{i}")).collect();
        assert_eq!(rank_of("id9", &long), Some(10));
        assert_eq!(
            rank_of("id10", &long),
            None,
            "rank 11 is beyond the cut-off"
        );
    }

    #[test]
    fn rank_counts_the_first_occurrence() {
        assert_eq!(rank_of("a", &["b", "a", "a"]), Some(2));
    }

    #[test]
    fn recall_and_mrr_on_a_worked_example() {
        // Ranks 1, 2, 4, 7 and one miss.
        let m = Metrics::from_ranks(&[Some(1), Some(2), Some(4), Some(7), None]);
        assert_eq!(m.queries, 5);
        assert!(close(m.recall_at_1, 1.0 / 5.0));
        assert!(close(m.recall_at_3, 2.0 / 5.0));
        assert!(close(m.recall_at_5, 3.0 / 5.0));
        let mrr = (1.0 + 1.0 / 2.0 + 1.0 / 4.0 + 1.0 / 7.0 + 0.0) / 5.0;
        assert!(close(m.mrr, mrr), "{} != {mrr}", m.mrr);
    }

    #[test]
    fn perfect_and_hopeless_rankings() {
        let perfect = Metrics::from_ranks(&[Some(1); 4]);
        assert_eq!(perfect.named().map(|(_, v)| v), [1.0; 4]);
        let hopeless = Metrics::from_ranks(&[None; 4]);
        assert_eq!(hopeless.named().map(|(_, v)| v), [0.0; 4]);
        assert_eq!(hopeless.queries, 4);
    }

    #[test]
    fn ranks_beyond_depth_earn_nothing() {
        let m = Metrics::from_ranks(&[Some(DEPTH + 1)]);
        assert_eq!(m.named().map(|(_, v)| v), [0.0; 4]);
    }

    #[test]
    fn no_queries_is_all_zero_not_nan() {
        let m = Metrics::from_ranks(&[]);
        assert_eq!(m, Metrics::default());
        assert!(m.named().iter().all(|(_, v)| !v.is_nan()));
    }

    #[test]
    fn recall_is_monotonic_in_k() {
        let m = Metrics::from_ranks(&[Some(1), Some(3), Some(5), Some(2), None, Some(9)]);
        assert!(m.recall_at_1 <= m.recall_at_3 && m.recall_at_3 <= m.recall_at_5);
        let found = 5.0 / 6.0;
        assert!(m.recall_at_1 <= m.mrr && m.mrr <= found);
    }
}
