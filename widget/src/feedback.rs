//! "Was this article helpful?" as a feedback event (what every response carries is
//! `shopdesk_web::feedback`'s).

use shopdesk_web::feedback;
use shopdesk_wire::{FeedbackEvent, FeedbackKind};

/// A response to "Was this article helpful?".
pub(crate) fn article_event(
    article_id: &str,
    helpful: bool,
    comment: Option<String>,
    locale: &str,
) -> FeedbackEvent {
    let mut e = feedback::event(FeedbackKind::Article, i64::from(helpful), comment, locale);
    e.article_id = Some(article_id.to_string());
    e
}
