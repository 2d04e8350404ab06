//! The merchant's surveys: which to ask (CSAT, NPS, CES), when, to how many shoppers and
//! how rarely. Read by the widget module only (the launcher keeps the raw list), with
//! the same one-warning-per-problem rule as every other setting; a survey with an
//! unusable `kind` is left out, any other bad field keeps its default.
//!
//! ```js
//! surveys: [
//!   { kind: "nps", trigger: { afterSeconds: 30 }, sample: 20, cooldownDays: 90 },
//!   { kind: "csat", id: "order-done", trigger: { onPage: "/checkout/success*" } },
//!   { kind: "ces", trigger: "exitIntent", question: "The store made it easy to find my size" },
//!   { kind: "csat", id: "chat", trigger: "afterChat", cooldownDays: 0 },
//! ]
//! ```

use page_pattern::UrlPattern;
use serde::Deserialize;

use crate::{named, string, text, whole, Problem, Raw};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SurveyKind {
    /// Customer satisfaction, 1-5.
    Csat,
    /// Net promoter score, 0-10, then "what is the main reason".
    Nps,
    /// Customer effort score, 1-7.
    Ces,
}

impl SurveyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyKind::Csat => "csat",
            SurveyKind::Nps => "nps",
            SurveyKind::Ces => "ces",
        }
    }

    /// The answers the scale offers.
    pub fn scale(self) -> std::ops::RangeInclusive<i64> {
        match self {
            SurveyKind::Csat => 1..=5,
            SurveyKind::Nps => 0..=10,
            SurveyKind::Ces => 1..=7,
        }
    }

    /// How long one shopper is not asked this survey again: NPS is a relationship
    /// measure (quarterly at most), CSAT and CES are about recent experiences.
    pub fn default_cooldown_days(self) -> u16 {
        match self {
            SurveyKind::Nps => 90,
            SurveyKind::Csat | SurveyKind::Ces => 30,
        }
    }
}

/// When a survey is offered.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// Only by `shopdesk.showSurvey(id or kind)`.
    Manual,
    /// After the shopper has spent this long on a page.
    AfterSeconds(u32),
    /// On pages matching the pattern (an order confirmation page, say).
    OnPage(UrlPattern),
    /// When the mouse leaves the page towards the browser's tabs (desktop only).
    ExitIntent,
    /// When a live chat ends (agent or shopper closed it): how did we do?
    AfterChat,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    /// Names the survey in responses (`survey_id`) and in the cooldown; default: the kind.
    pub id: String,
    pub kind: SurveyKind,
    pub trigger: Trigger,
    /// Percent of shoppers asked, 0-100.
    pub sample: u8,
    pub cooldown_days: u16,
    /// The merchant's wording, instead of the widget's.
    pub question: Option<String>,
    /// NPS only: the follow-up question.
    pub reason: Option<String>,
}

impl Survey {
    /// A survey of `kind` with every default: id = the kind, shown only on
    /// `shopdesk.showSurvey`, to everyone, with the kind's cooldown, in the widget's words.
    pub fn of_kind(kind: SurveyKind) -> Self {
        Survey {
            id: kind.as_str().to_string(),
            kind,
            trigger: Trigger::Manual,
            sample: 100,
            cooldown_days: kind.default_cooldown_days(),
            question: None,
            reason: None,
        }
    }
}

const SURVEY_KEYS: &str =
    "one of the survey keys id, kind, trigger, sample, cooldownDays, question, reason";
const TRIGGER_EXPECTED: &str =
    "\"manual\", \"exitIntent\", \"afterChat\", {\"afterSeconds\": 30} or {\"onPage\": \"/checkout/success*\"}";

/// The surveys in `raw` (the `surveys` setting), and a problem per unusable field.
pub fn read(raw: &Raw) -> (Vec<Survey>, Vec<Problem>) {
    let mut surveys: Vec<Survey> = Vec::new();
    let mut problems = Vec::new();
    let Raw::List(items) = raw else {
        return (surveys, problems);
    };
    for (i, item) in items.iter().enumerate() {
        let at = |field: &str| format!("surveys[{i}].{field}");
        let mut problem = |key: String, expected: &'static str, got: &Raw| {
            problems.push(Problem {
                key,
                attribute: false,
                expected: Some(expected),
                got: got.clone(),
            })
        };
        let Raw::Map(fields) = item else {
            problem(
                format!("surveys[{i}]"),
                "an object such as {\"kind\": \"nps\"}",
                item,
            );
            continue;
        };
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        for (key, value) in fields {
            let known = [
                "id",
                "kind",
                "trigger",
                "sample",
                "cooldownDays",
                "question",
                "reason",
            ];
            if !known.contains(&key.as_str()) {
                problem(at(key), SURVEY_KEYS, value);
            }
        }
        let kind_expected = "\"csat\", \"nps\" or \"ces\" (the survey is left out)";
        let kind: SurveyKind = match get("kind").map(|k| named(k, kind_expected)) {
            Some(Ok(kind)) => kind,
            Some(Err(expected)) => {
                problem(at("kind"), expected, get("kind").unwrap_or(&Raw::Null));
                continue;
            }
            None => {
                problem(at("kind"), kind_expected, &Raw::Null);
                continue;
            }
        };
        let mut survey = Survey::of_kind(kind);
        if let Some(v) = get("id") {
            match string(v, "text of 1 to 64 letters, digits, - or _") {
                Ok(id)
                    if !id.is_empty()
                        && id.len() <= 64
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
                {
                    survey.id = id.to_string()
                }
                _ => problem(at("id"), "text of 1 to 64 letters, digits, - or _", v),
            }
        }
        if let Some(v) = get("trigger") {
            match trigger(v) {
                Some(t) => survey.trigger = t,
                None => problem(at("trigger"), TRIGGER_EXPECTED, v),
            }
        }
        if let Some(v) = get("sample") {
            match whole(v, 0, 100) {
                Some(n) => survey.sample = n as u8,
                None => problem(at("sample"), "a percentage of shoppers from 0 to 100", v),
            }
        }
        if let Some(v) = get("cooldownDays") {
            match whole(v, 0, 3650) {
                Some(n) => survey.cooldown_days = n as u16,
                None => problem(
                    at("cooldownDays"),
                    "a whole number of days from 0 to 3650",
                    v,
                ),
            }
        }
        for (name, slot) in [
            ("question", &mut survey.question),
            ("reason", &mut survey.reason),
        ] {
            if let Some(v) = get(name) {
                match text(v) {
                    Ok(t) => *slot = Some(t),
                    Err(expected) => problem(at(name), expected, v),
                }
            }
        }
        if surveys.iter().any(|s| s.id == survey.id) {
            problem(
                at("id"),
                "different from the other surveys' ids (the survey is left out)",
                &Raw::Str(survey.id.clone()),
            );
            continue;
        }
        surveys.push(survey);
    }
    (surveys, problems)
}

/// The triggers of the listed surveys, without reading the surveys in full: what the
/// launcher needs on every page to decide whether the survey code must be fetched
/// (a survey that can fire here) or not (none, or only `manual` and `afterChat` ones).
/// The widget reads the list with [`read`], warnings included, once it has loaded.
/// Items without a usable `kind` are left out, as [`read`] leaves them out.
pub fn triggers(raw: &Raw) -> Vec<Trigger> {
    let mut out = Vec::new();
    let Raw::List(items) = raw else {
        return out;
    };
    for item in items {
        let Raw::Map(fields) = item else {
            continue;
        };
        let mut kind = false;
        let mut found = Trigger::Manual;
        for (key, value) in fields {
            match (key.as_str(), value) {
                ("kind", Raw::Str(k)) => kind = matches!(k.as_str(), "csat" | "nps" | "ces"),
                ("trigger", v) => found = trigger(v).unwrap_or(Trigger::Manual),
                _ => {}
            }
        }
        if kind {
            out.push(found);
        }
    }
    out
}

fn trigger(value: &Raw) -> Option<Trigger> {
    match value {
        Raw::Str(s) if s == "manual" => Some(Trigger::Manual),
        Raw::Str(s) if s == "exitIntent" => Some(Trigger::ExitIntent),
        Raw::Str(s) if s == "afterChat" => Some(Trigger::AfterChat),
        Raw::Map(fields) => match &fields[..] {
            [(k, v)] if k == "afterSeconds" => {
                whole(v, 0, 86_400).map(|n| Trigger::AfterSeconds(n as u32))
            }
            [(k, Raw::Str(p))] if k == "onPage" => UrlPattern::parse(p).ok().map(Trigger::OnPage),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::raw;
    use serde_json::json;

    #[test]
    fn surveys_are_read_with_their_defaults() {
        let (surveys, problems) = read(&raw(json!([
            {"kind": "nps", "trigger": {"afterSeconds": 30}, "sample": 20},
            {"kind": "csat", "id": "order-done", "trigger": {"onPage": "/checkout/success*"}},
            {"kind": "ces", "trigger": "exitIntent", "question": "The store made it easy to find my size"},
            {"kind": "csat", "id": "chat", "trigger": "afterChat"},
        ])));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(surveys.len(), 4);
        assert_eq!(surveys[3].trigger, Trigger::AfterChat);
        assert_eq!(
            (
                surveys[0].id.as_str(),
                surveys[0].sample,
                surveys[0].cooldown_days
            ),
            ("nps", 20, 90)
        );
        assert_eq!(surveys[0].trigger, Trigger::AfterSeconds(30));
        assert_eq!(surveys[1].id, "order-done");
        assert!(
            matches!(&surveys[1].trigger, Trigger::OnPage(p) if p.matches("/checkout/success/42"))
        );
        assert_eq!(surveys[2].trigger, Trigger::ExitIntent);
        assert_eq!(surveys[2].cooldown_days, 30);
        assert_eq!(
            surveys[2].question.as_deref(),
            Some("The store made it easy to find my size")
        );
    }

    #[test]
    fn triggers_are_read_as_the_full_reading_reads_them() {
        let list = raw(json!([
            {"kind": "nps", "trigger": {"afterSeconds": 30}},
            {"kind": "stars", "trigger": "exitIntent"},
            {"trigger": {"onPage": "/checkout*"}, "kind": "csat", "id": "order"},
            {"kind": "ces", "trigger": "sometimes"},
            {"kind": "csat", "trigger": "afterChat", "id": "chat"},
            "nps",
        ]));
        let full: Vec<Trigger> = read(&list).0.into_iter().map(|s| s.trigger).collect();
        assert_eq!(triggers(&list), full);
        assert_eq!(full.len(), 4);
        assert!(triggers(&Raw::Null).is_empty());
    }

    #[test]
    fn every_unusable_field_is_one_problem_naming_it() {
        let (surveys, problems) = read(&raw(json!([
            {"kind": "stars"},
            {"kind": "nps", "trigger": "sometimes", "sample": 150, "colour": "red"},
            {"kind": "nps"},
            "nps",
        ])));
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "surveys[0].kind",
                "surveys[1].colour",
                "surveys[1].trigger",
                "surveys[1].sample",
                "surveys[2].id",
                "surveys[3]"
            ]
        );
        // The survey with bad fields keeps its defaults; a duplicate id is left out.
        assert_eq!(surveys.len(), 1);
        assert_eq!(
            (surveys[0].trigger.clone(), surveys[0].sample),
            (Trigger::Manual, 100)
        );
        let trigger = problems[2].message();
        assert!(
            trigger.contains("`surveys[1].trigger` must be \"manual\""),
            "{trigger}"
        );
    }
}
