//! Search analytics: what the shopper searched, as content editors need it, without
//! sending every keystroke anywhere (`shopdesk_wire::searches`).
//!
//! A search counts once the shopper pauses, opens a result, asks a person or leaves;
//! refining it ("ret", then "returns") keeps one search with the final words. A session
//! is one visit to the search: it ends, and goes to the outbox as one record, when the
//! shopper asks a person (escalation ends it), when the page is hidden (they left, or
//! switched away), or when they search again after [`IDLE_MS`]. Queries that look like
//! personal data are never recorded. The [`Recorder`] is pure and tested natively;
//! [`Analytics`] adds consent, the clock, ids and the outbox.

use shopdesk_settings::Settings;
use shopdesk_wire::searches::{kept_query, Search, SearchSession, MAX_SEARCHES};

/// A pause this long between searches starts a new session.
pub(crate) const IDLE_MS: f64 = 30.0 * 60.0 * 1000.0;

/// What the shopper did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// A search counted, with how many articles it found.
    Searched { query: String, results: u32 },
    /// They opened an article from the results of the last search.
    Opened(String),
    /// They answered "Was this helpful?" on an article.
    Voted { article: String, helpful: bool },
    /// They asked a person (a chat started).
    Escalated,
    /// The page was hidden: they left or switched away.
    Left,
}

/// A session that ended, without the id and clock [`Analytics`] add.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ended {
    pub started_ms: f64,
    pub escalated: bool,
    pub searches: Vec<Search>,
}

/// The session being recorded.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    current: Option<Open>,
}

#[derive(Debug)]
struct Open {
    started_ms: f64,
    last_ms: f64,
    /// Articles opened now are read from the last recorded search's results (not
    /// after a search that was not recorded).
    reading: bool,
    searches: Vec<Search>,
}

impl Recorder {
    /// Applies `step` at `now` (ms); returns the session it ended, if any.
    pub(crate) fn apply(&mut self, step: Step, now: f64) -> Option<Ended> {
        match step {
            Step::Searched { query, results } => {
                let Some(query) = kept_query(&query) else {
                    // What is read next belongs to this unrecorded search, not the last.
                    if let Some(open) = &mut self.current {
                        open.reading = false;
                    }
                    return None;
                };
                let stale = self
                    .current
                    .as_ref()
                    .is_some_and(|c| now - c.last_ms > IDLE_MS || c.searches.len() >= MAX_SEARCHES);
                let ended = if stale { self.end(false) } else { None };
                let open = self.current.get_or_insert(Open {
                    started_ms: now,
                    last_ms: now,
                    reading: true,
                    searches: Vec::new(),
                });
                open.last_ms = now;
                open.reading = true;
                match open.searches.last_mut() {
                    // The same words again, or the last ones refined before anything
                    // was opened: still the one search.
                    Some(last)
                        if last.query == query
                            || (last.opened.is_none()
                                && (query.starts_with(&last.query)
                                    || last.query.starts_with(&query))) =>
                    {
                        last.query = query;
                        last.results = results;
                    }
                    _ => open.searches.push(Search {
                        query,
                        results,
                        opened: None,
                        helpful: None,
                    }),
                }
                ended
            }
            Step::Opened(id) => {
                let open = self.current.as_mut().filter(|o| o.reading)?;
                let last = open.searches.last_mut()?;
                open.last_ms = now;
                // The last one read is what the shopper ended with.
                if last.opened.as_deref() != Some(id.as_str()) {
                    last.opened = Some(id);
                    last.helpful = None;
                }
                None
            }
            Step::Voted { article, helpful } => {
                let open = self.current.as_mut()?;
                let search = open
                    .searches
                    .iter_mut()
                    .rev()
                    .find(|s| s.opened.as_deref() == Some(article.as_str()))?;
                search.helpful = Some(helpful);
                None
            }
            Step::Escalated => self.end(true),
            Step::Left => self.end(false),
        }
    }

    /// Ends the session being recorded, if it has a search.
    fn end(&mut self, escalated: bool) -> Option<Ended> {
        let open = self.current.take()?;
        (!open.searches.is_empty()).then_some(Ended {
            started_ms: open.started_ms,
            escalated,
            searches: open.searches,
        })
    }

    /// Consent withdrawn: what was recorded is dropped, unsent.
    pub(crate) fn forget(&mut self) {
        self.current = None;
    }
}

/// The recorder with its effects: whether recording is allowed, and the outbox.
#[derive(Debug)]
pub(crate) struct Analytics {
    recorder: Recorder,
    endpoint: String,
    locale: String,
    /// No consent needed, or given.
    allowed: bool,
}

impl Analytics {
    /// Analytics for the page's `settings` in `locale`; `None` when they are off or
    /// have nowhere to go.
    pub(crate) fn new(settings: &Settings, locale: &str) -> Option<Self> {
        Some(Analytics {
            endpoint: settings.searches_endpoint()?,
            locale: locale.to_string(),
            allowed: !settings.consent_required,
            recorder: Recorder::default(),
        })
    }

    /// Records `step`, and hands a session it ends to the outbox.
    pub(crate) fn record(&mut self, step: Step) {
        if !self.allowed {
            return;
        }
        if let Some(ended) = self.recorder.apply(step, js_sys::Date::now()) {
            let session = SearchSession {
                id: uuid::Uuid::new_v4().to_string(),
                locale: self.locale.clone(),
                started_at: String::from(
                    js_sys::Date::new(&ended.started_ms.into()).to_iso_string(),
                ),
                escalated: ended.escalated,
                searches: ended.searches,
            };
            shopdesk_web::outbox::submit_item(
                self.endpoint.clone(),
                "search session",
                &session.id,
                &session,
            );
        }
    }

    /// `shopdesk.consent(granted)`.
    pub(crate) fn consent(&mut self, granted: bool) {
        self.allowed = granted;
        if !granted {
            self.recorder.forget();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn searched(query: &str, results: u32) -> Step {
        Step::Searched {
            query: query.into(),
            results,
        }
    }

    fn queries(ended: &Ended) -> Vec<(&str, u32, Option<&str>, Option<bool>)> {
        ended
            .searches
            .iter()
            .map(|s| (s.query.as_str(), s.results, s.opened.as_deref(), s.helpful))
            .collect()
    }

    #[test]
    fn a_session_holds_each_search_once_with_what_was_read() {
        let mut r = Recorder::default();
        assert_eq!(r.apply(searched("ret", 4), 0.0), None);
        r.apply(searched("Returns", 2), 1.0);
        r.apply(Step::Opened("returns-policy".into()), 2.0);
        r.apply(
            Step::Voted {
                article: "returns-policy".into(),
                helpful: false,
            },
            3.0,
        );
        r.apply(searched("klarna", 0), 4.0);
        r.apply(searched("klarna?", 0), 5.0);
        let ended = r.apply(Step::Left, 6.0).expect("the page was left");
        assert_eq!(
            queries(&ended),
            [
                ("returns", 2, Some("returns-policy"), Some(false)),
                ("klarna", 0, None, None)
            ]
        );
        assert!(!ended.escalated);
        assert_eq!(ended.started_ms, 0.0);
        assert_eq!(r.apply(Step::Left, 7.0), None, "sent once");
    }

    #[test]
    fn asking_a_person_ends_the_session_as_escalated() {
        let mut r = Recorder::default();
        assert_eq!(r.apply(Step::Escalated, 0.0), None, "no search, no session");
        r.apply(searched("klarna", 0), 1.0);
        let ended = r.apply(Step::Escalated, 2.0).unwrap();
        assert!(ended.escalated);
        assert_eq!(r.apply(Step::Left, 3.0), None);
    }

    #[test]
    fn a_search_after_a_long_pause_starts_a_new_session() {
        let mut r = Recorder::default();
        r.apply(searched("shipping", 3), 0.0);
        let ended = r.apply(searched("returns", 2), IDLE_MS + 1.0).unwrap();
        assert_eq!(queries(&ended), [("shipping", 3, None, None)]);
        let next = r.apply(Step::Left, IDLE_MS + 2.0).unwrap();
        assert_eq!(next.started_ms, IDLE_MS + 1.0);
        assert_eq!(queries(&next), [("returns", 2, None, None)]);
    }

    #[test]
    fn personal_looking_searches_and_reads_without_a_search_are_not_recorded() {
        let mut r = Recorder::default();
        r.apply(Step::Opened("returns".into()), 0.0);
        r.apply(searched("ana@example.com", 0), 1.0);
        r.apply(searched("order 10423", 0), 2.0);
        assert_eq!(r.apply(Step::Left, 3.0), None);
        r.apply(searched("gift cards", 1), 4.0);
        r.apply(searched("gift cards for ana@example.com", 0), 5.0);
        r.apply(Step::Opened("gift-cards".into()), 5.5);
        let ended = r.apply(Step::Left, 6.0).unwrap();
        assert_eq!(queries(&ended), [("gift cards", 1, None, None)]);
    }

    #[test]
    fn a_refinement_after_a_read_is_a_new_search_and_the_last_read_counts() {
        let mut r = Recorder::default();
        r.apply(searched("returns", 2), 0.0);
        r.apply(Step::Opened("returns-policy".into()), 1.0);
        r.apply(
            Step::Voted {
                article: "returns-policy".into(),
                helpful: true,
            },
            2.0,
        );
        r.apply(Step::Opened("exchanges".into()), 3.0);
        r.apply(searched("returns shoes", 1), 4.0);
        let ended = r.apply(Step::Left, 5.0).unwrap();
        assert_eq!(
            queries(&ended),
            [
                ("returns", 2, Some("exchanges"), None),
                ("returns shoes", 1, None, None)
            ]
        );
    }

    #[test]
    fn a_full_session_is_sent_and_the_next_search_starts_another() {
        let mut r = Recorder::default();
        for i in 0..MAX_SEARCHES {
            assert_eq!(r.apply(searched(&format!("topic {i}x"), 1), i as f64), None);
        }
        let ended = r.apply(searched("one more", 1), 100.0).unwrap();
        assert_eq!(ended.searches.len(), MAX_SEARCHES);
        assert_eq!(r.apply(Step::Left, 101.0).unwrap().searches.len(), 1);
    }

    #[test]
    fn withdrawn_consent_drops_what_was_recorded() {
        let mut r = Recorder::default();
        r.apply(searched("klarna", 0), 0.0);
        r.forget();
        assert_eq!(r.apply(Step::Left, 1.0), None);
    }
}
