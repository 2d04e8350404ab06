//! The Markdown report: one row per set and method, then a verdict per set.

use std::fmt::Write;

use super::metrics::Metrics;

/// Name of our method in the report.
pub const OURS: &str = "faq-indexer (ours)";
/// Name of the baseline in the report.
pub const BASELINE: &str = "BM25, title + questions + body";
/// How far ahead of the baseline ours must be on R@1, on every set (issue 16).
pub const R1_LEAD: f64 = 0.05;

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub set: String,
    pub method: &'static str,
    pub metrics: Metrics,
}

/// The rows as a Markdown table, metrics with 3 decimals.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from("| set | method | queries | R@1 | R@3 | R@5 | MRR |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
    for r in rows {
        let m = &r.metrics;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
            r.set, r.method, m.queries, m.recall_at_1, m.recall_at_3, m.recall_at_5, m.mrr
        );
    }
    out
}

/// Whether `ours` is strictly better than `baseline` on every metric, and if not, where
/// it is not. Compared at the printed precision, so the verdict never contradicts the
/// table (a lead invisible at 3 decimals is not a lead).
pub fn verdict(set: &str, ours: &Metrics, baseline: &Metrics) -> String {
    let rounded = |v: f64| (v * 1000.0).round() as i64;
    let not_better: Vec<String> = ours
        .named()
        .into_iter()
        .zip(baseline.named())
        .filter(|((_, o), (_, b))| rounded(*o) <= rounded(*b))
        .map(|((name, o), (_, b))| format!("{name} {o:.3} vs {b:.3}"))
        .collect();
    let everywhere = if not_better.is_empty() {
        format!("{set}: ours beats {BASELINE} on every metric: yes")
    } else {
        format!(
            "{set}: ours beats {BASELINE} on every metric: NO (not better on {})",
            not_better.join(", ")
        )
    };
    let lead = (rounded(ours.recall_at_1) - rounded(baseline.recall_at_1)) as f64 / 1000.0;
    let met = if lead >= R1_LEAD { "yes" } else { "NO" };
    format!("{everywhere}; R@1 lead {lead:+.3} (target +{R1_LEAD:.3}): {met}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(r1: f64, r3: f64, r5: f64, mrr: f64) -> Metrics {
        Metrics {
            queries: 10,
            recall_at_1: r1,
            recall_at_3: r3,
            recall_at_5: r5,
            mrr,
        }
    }

    #[test]
    fn table_has_three_decimals() {
        let t = table(&[Row {
            set: "bitext".into(),
            method: OURS,
            metrics: m(0.5, 2.0 / 3.0, 1.0, 0.123_456),
        }]);
        assert!(
            t.contains("| bitext | faq-indexer (ours) | 10 | 0.500 | 0.667 | 1.000 | 0.123 |"),
            "{t}"
        );
    }

    #[test]
    fn verdict_requires_a_strict_win_everywhere() {
        let base = m(0.4, 0.6, 0.7, 0.5);
        let won = verdict("s", &m(0.5, 0.7, 0.8, 0.6), &base);
        assert!(won.contains("every metric: yes"), "{won}");
        assert!(
            won.ends_with("R@1 lead +0.100 (target +0.050): yes"),
            "{won}"
        );
        let narrow = verdict("s", &m(0.449, 0.7, 0.8, 0.6), &base);
        assert!(
            narrow.ends_with("R@1 lead +0.049 (target +0.050): NO"),
            "{narrow}"
        );
        let tie = verdict("s", &m(0.5, 0.6, 0.8, 0.6), &base);
        assert!(
            tie.contains("NO") && tie.contains("R@3 0.600 vs 0.600"),
            "{tie}"
        );
        let invisible = verdict("s", &m(0.4001, 0.7, 0.8, 0.6), &base);
        assert!(invisible.contains("R@1"), "{invisible}");
    }
}
