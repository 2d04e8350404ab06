//! The content-gaps report: what shoppers could not find, what they read before asking
//! a person anyway, and how often the search answered them. The server builds it from
//! the search sessions (`searches`) and the "Was this helpful?" answers, and serves it
//! at `GET /v1/reports/searches`; `faq-indexer gaps` and the admin page show it.

use serde::{Deserialize, Serialize};

/// The report for one period (and optionally one language).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapsReport {
    /// The period (inclusive start, exclusive end) in milliseconds since the Unix
    /// epoch, of when sessions started and answers were given.
    pub from_ms: i64,
    pub to_ms: i64,
    /// The one language reported, or every language.
    #[serde(default)]
    pub locale: Option<String>,
    /// The whole period.
    pub totals: Rates,
    /// Per day (UTC) and language, oldest first.
    pub days: Vec<Day>,
    /// Searches that found nothing, most shoppers first.
    pub no_results: Vec<QueryCount>,
    /// Searches of sessions that ended with the shopper asking a person.
    pub escalated_searches: Vec<QueryCount>,
    /// Articles shoppers opened, and how many of them asked a person afterwards.
    pub escalated_articles: Vec<ArticleEscalation>,
    /// Articles voted "not helpful", with what the shoppers wrote.
    pub unhelpful_articles: Vec<UnhelpfulArticle>,
}

/// How search sessions ended.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub sessions: i64,
    /// Sessions in which the shopper read an article and did not ask a person.
    pub self_served: i64,
    /// Sessions that ended with the shopper asking a person.
    pub escalated: i64,
    /// `self_served` as a percentage of `sessions` (one decimal); none without sessions.
    pub self_service_percent: Option<f64>,
    pub escalation_percent: Option<f64>,
}

impl Rates {
    /// The rates for these counts.
    pub fn of(sessions: i64, self_served: i64, escalated: i64) -> Self {
        Rates {
            sessions,
            self_served,
            escalated,
            self_service_percent: percent(self_served, sessions),
            escalation_percent: percent(escalated, sessions),
        }
    }
}

/// `part` of `whole` in percent with one decimal.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (1000.0 * part as f64 / whole as f64).round() / 10.0)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// `2026-12-07`.
    pub day: String,
    pub locale: String,
    #[serde(flatten)]
    pub rates: Rates,
}

/// One query (in one language) and how often it was searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryCount {
    pub locale: String,
    pub query: String,
    /// Sessions that searched it (a shopper who searches it twice counts once).
    pub shoppers: i64,
    pub searches: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleEscalation {
    pub article_id: String,
    /// Sessions that opened it from the results.
    pub readers: i64,
    /// Of those, the ones that then asked a person.
    pub escalated: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnhelpfulArticle {
    pub article_id: String,
    pub not_helpful: i64,
    pub helpful: i64,
    /// The latest comments left with a "not helpful" vote, newest first.
    pub comments: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_percentages_of_the_sessions() {
        let r = Rates::of(3, 2, 1);
        assert_eq!(r.self_service_percent, Some(66.7));
        assert_eq!(r.escalation_percent, Some(33.3));
        assert_eq!(Rates::of(0, 0, 0).self_service_percent, None);
        let day = serde_json::to_value(Day {
            day: "2026-12-07".into(),
            locale: "en".into(),
            rates: r,
        })
        .unwrap();
        assert_eq!(day["sessions"], 3, "rates sit beside the day: {day}");
    }
}
