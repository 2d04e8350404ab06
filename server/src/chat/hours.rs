//! Office hours: when the shop answers chat in person. Outside them the widget offers
//! "Leave a message" and says when the shop is back, in the shopper's own time zone.
//!
//! Hours are wall-clock times in the shop's time zone, so "08:00–17:00" stays 08:00
//! to 17:00 local time across daylight-saving changes (a day that skips 02:00–03:00 is
//! an hour shorter if it spans the gap). A range starting inside a skipped hour starts
//! when the clock resumes. Pure: the caller passes the time.

use std::collections::BTreeSet;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;
use serde::Deserialize;
use thiserror::Error;

/// `[office_hours]` in the configuration file: each weekday's opening ranges
/// (`["08:00-12:00", "13:00-17:00"]`; a day left out is closed), the time zone they
/// are in, and dates the shop is closed all day.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HoursFile {
    pub time_zone: Option<String>,
    pub monday: Option<Vec<String>>,
    pub tuesday: Option<Vec<String>>,
    pub wednesday: Option<Vec<String>>,
    pub thursday: Option<Vec<String>>,
    pub friday: Option<Vec<String>>,
    pub saturday: Option<Vec<String>>,
    pub sunday: Option<Vec<String>>,
    /// Holidays: `["2026-12-25", "2027-01-01"]`.
    pub closed_on: Option<Vec<String>>,
}

/// A configuration value that cannot be office hours: the key, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{key}` {problem}")]
pub struct HoursError {
    pub key: String,
    pub problem: String,
}

/// One opening range of a day, in minutes after midnight: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Range {
    start: u16,
    end: u16,
}

/// Checked office hours.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficeHours {
    zone: TimeZone,
    /// Monday first; each day's ranges sorted and apart.
    week: [Vec<Range>; 7],
    closed_on: BTreeSet<Date>,
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl OfficeHours {
    /// Checks `[office_hours]`, naming the first bad key (`office_hours.monday`).
    pub fn parse(file: &HoursFile) -> Result<Self, HoursError> {
        let bad = |key: &str, problem: String| HoursError {
            key: format!("office_hours.{key}"),
            problem,
        };
        let name = file.time_zone.as_deref().ok_or_else(|| {
            bad(
                "time_zone",
                "is required: the zone the hours are in, e.g. \"Europe/Berlin\"".into(),
            )
        })?;
        let zone = jiff::tz::db().get(name).map_err(|_| {
            bad(
                "time_zone",
                format!(
                    "{name:?} is not a time zone; use an IANA name such as \"Europe/Berlin\" or \"America/New_York\""
                ),
            )
        })?;
        let given = [
            &file.monday,
            &file.tuesday,
            &file.wednesday,
            &file.thursday,
            &file.friday,
            &file.saturday,
            &file.sunday,
        ];
        let mut week: [Vec<Range>; 7] = Default::default();
        for (i, ranges) in given.iter().enumerate() {
            let day = DAYS[i];
            let mut parsed = Vec::new();
            for text in ranges.iter().flatten() {
                parsed.push(parse_range(text).map_err(|problem| bad(day, problem))?);
            }
            parsed.sort();
            if let Some(pair) = parsed.windows(2).find(|w| w[1].start < w[0].end) {
                return Err(bad(
                    day,
                    format!(
                        "has overlapping ranges {} and {}; merge them into one",
                        show(pair[0]),
                        show(pair[1])
                    ),
                ));
            }
            week[i] = parsed;
        }
        if week.iter().all(Vec::is_empty) {
            return Err(bad(
                "monday",
                "… every day is closed: give at least one day its hours, e.g. monday = [\"09:00-17:00\"], or leave [office_hours] out to be open whenever an agent is online".into(),
            ));
        }
        let mut closed_on = BTreeSet::new();
        for text in file.closed_on.iter().flatten() {
            let date: Date = text.trim().parse().map_err(|_| {
                bad(
                    "closed_on",
                    format!("{text:?} is not a date; write it as 2026-12-25"),
                )
            })?;
            closed_on.insert(date);
        }
        Ok(Self {
            zone,
            week,
            closed_on,
        })
    }

    /// The IANA name of the shop's time zone.
    pub fn zone_name(&self) -> &str {
        self.zone.iana_name().unwrap_or("UTC")
    }

    /// Whether the shop is open at `t`.
    pub fn open_at(&self, t: Timestamp) -> bool {
        let local = self.zone.to_datetime(t);
        let date = local.date();
        if self.closed_on.contains(&date) {
            return false;
        }
        let minute = minutes(local.time());
        self.day(date.weekday())
            .iter()
            .any(|r| r.start <= minute && minute < r.end)
    }

    /// When the shop next opens at or after `t` (`t` itself when open); `None` if it
    /// does not within a year (every day closed by `closed_on`).
    pub fn next_open(&self, t: Timestamp) -> Option<Timestamp> {
        if self.open_at(t) {
            return Some(t);
        }
        let today = self.zone.to_datetime(t).date();
        let mut date = today;
        for _ in 0..=366 {
            if !self.closed_on.contains(&date) {
                for range in self.day(date.weekday()) {
                    let Some(at) = self.instant(date.to_datetime(time_of(range.start))) else {
                        continue;
                    };
                    if at > t {
                        return Some(at);
                    }
                    // Started already today, but is it still open? Not at `t` (checked
                    // above): a later range of the day, or a later day.
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The moment the shop's clocks show `local`: inside a skipped hour, the moment
    /// the clock resumes (the same moment [`open_at`](Self::open_at) first sees the
    /// range open); in a repeated hour, the first time round.
    fn instant(&self, local: DateTime) -> Option<Timestamp> {
        let ambiguous = self.zone.to_ambiguous_timestamp(local);
        match ambiguous.offset() {
            AmbiguousOffset::Gap { after, .. } => {
                let ahead = after.to_timestamp(local).ok()?;
                self.zone.following(ahead).next().map(|t| t.timestamp())
            }
            _ => ambiguous.earlier().ok(),
        }
    }

    fn day(&self, weekday: Weekday) -> &[Range] {
        &self.week[usize::from(weekday.to_monday_zero_offset() as u8)]
    }
}

/// `"08:00-12:30"` (also with spaces, an en dash, or `24:00` as the end).
fn parse_range(text: &str) -> Result<Range, String> {
    let help = || format!("{text:?} is not a range of the day; write it as \"08:00-17:00\"");
    let (start, end) = text.split_once(['-', '–']).ok_or_else(help)?;
    let start = parse_minute(start.trim()).ok_or_else(help)?;
    let end = parse_minute(end.trim()).ok_or_else(help)?;
    if start >= 24 * 60 {
        return Err(help());
    }
    if end <= start {
        return Err(format!(
            "{text:?} ends before it starts; a range past midnight is two: \"22:00-24:00\" on one day and \"00:00-02:00\" on the next"
        ));
    }
    Ok(Range { start, end })
}

/// `HH:MM`, 00:00 to 24:00, as minutes after midnight.
fn parse_minute(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let minute = h * 60 + m;
    (m < 60 && minute <= 24 * 60).then_some(minute)
}

fn minutes(t: Time) -> u16 {
    t.hour() as u16 * 60 + t.minute() as u16
}

fn time_of(minute: u16) -> Time {
    Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).unwrap_or(Time::midnight())
}

fn show(r: Range) -> String {
    format!(
        "{:02}:{:02}-{:02}:{:02}",
        r.start / 60,
        r.start % 60,
        r.end / 60,
        r.end % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(toml_text: &str) -> OfficeHours {
        let file: HoursFile = toml::from_str(toml_text).unwrap();
        OfficeHours::parse(&file).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    const WEEKDAYS: &str = r#"
        time_zone = "Europe/Berlin"
        monday = ["08:00-12:00", "13:00-17:00"]
        tuesday = ["08:00-17:00"]
        wednesday = ["08:00-17:00"]
        thursday = ["08:00-17:00"]
        friday = ["08:00-15:00"]
    "#;

    #[test]
    fn open_within_the_local_ranges_only() {
        let h = hours(WEEKDAYS);
        // Monday 2026-12-07, Berlin is UTC+1 in winter.
        assert!(!h.open_at(at("2026-12-07T06:59:00Z")), "07:59 local");
        assert!(h.open_at(at("2026-12-07T07:00:00Z")), "08:00 local");
        assert!(h.open_at(at("2026-12-07T10:59:59Z")), "11:59 local");
        assert!(!h.open_at(at("2026-12-07T11:30:00Z")), "lunch");
        assert!(h.open_at(at("2026-12-07T12:00:00Z")), "13:00 local");
        assert!(
            !h.open_at(at("2026-12-07T16:00:00Z")),
            "17:00 local: closed"
        );
        assert!(!h.open_at(at("2026-12-12T10:00:00Z")), "Saturday");
    }

    #[test]
    fn next_open_skips_lunch_nights_and_weekends() {
        let h = hours(WEEKDAYS);
        let t = at("2026-12-07T11:30:00Z");
        assert_eq!(h.next_open(t), Some(at("2026-12-07T12:00:00Z")));
        // Friday 16:00 local → Monday 08:00 local.
        assert_eq!(
            h.next_open(at("2026-12-11T15:00:00Z")),
            Some(at("2026-12-14T07:00:00Z"))
        );
        // Open: now.
        let open = at("2026-12-08T09:00:00Z");
        assert_eq!(h.next_open(open), Some(open));
    }

    #[test]
    fn wall_clock_hours_follow_daylight_saving_changes() {
        let h = hours(WEEKDAYS);
        // Friday 2026-03-27 (UTC+1) 15:00 local → Monday 2026-03-30 08:00, now UTC+2.
        assert_eq!(
            h.next_open(at("2026-03-27T14:00:00Z")),
            Some(at("2026-03-30T06:00:00Z"))
        );
        // Back to UTC+1 on Sunday 2026-10-25: Monday 08:00 is 07:00Z.
        assert_eq!(
            h.next_open(at("2026-10-24T12:00:00Z")),
            Some(at("2026-10-26T07:00:00Z"))
        );
        assert!(h.open_at(at("2026-10-26T07:00:00Z")));
        assert!(
            !h.open_at(at("2026-10-23T05:30:00Z")),
            "07:30 local, summer"
        );
        assert!(h.open_at(at("2026-10-23T06:00:00Z")), "08:00 local, summer");
    }

    #[test]
    fn a_range_starting_in_a_skipped_hour_starts_when_the_clock_resumes() {
        // New York skips 02:00-03:00 on Sunday 2026-03-08.
        let h = hours(
            r#"
            time_zone = "America/New_York"
            sunday = ["02:30-06:00"]
        "#,
        );
        // Saturday evening (UTC-5) → 03:00 EDT (UTC-4) = 07:00Z.
        assert_eq!(
            h.next_open(at("2026-03-07T23:00:00Z")),
            Some(at("2026-03-08T07:00:00Z"))
        );
        assert!(h.open_at(at("2026-03-08T07:30:00Z")));
        // The hour repeated in autumn (Sunday 2026-11-01, 01:00-02:00 twice) is open
        // both times round.
        let autumn = hours(
            r#"
            time_zone = "America/New_York"
            sunday = ["01:00-02:00"]
        "#,
        );
        assert!(autumn.open_at(at("2026-11-01T05:30:00Z")), "first 01:30");
        assert!(autumn.open_at(at("2026-11-01T06:30:00Z")), "second 01:30");
        assert!(!autumn.open_at(at("2026-11-01T07:30:00Z")), "02:30 EST");
    }

    #[test]
    fn the_same_moment_is_open_in_one_zone_and_closed_in_another() {
        // 03:00 on Wednesday in Tokyo, 10:00 on Tuesday in Los Angeles.
        let t = at("2026-12-08T18:00:00Z");
        let tokyo = hours("time_zone = \"Asia/Tokyo\"\ntuesday = [\"09:00-18:00\"]");
        let la = hours("time_zone = \"America/Los_Angeles\"\ntuesday = [\"09:00-18:00\"]");
        assert!(!tokyo.open_at(t));
        assert!(la.open_at(t));
    }

    #[test]
    fn holidays_are_closed_all_day_and_24_00_ends_the_day() {
        let h = hours(
            r#"
            time_zone = "UTC"
            monday = ["00:00-24:00"]
            friday = ["00:00-24:00"]
            closed_on = ["2026-12-07"]
        "#,
        );
        assert!(!h.open_at(at("2026-12-07T10:00:00Z")), "a holiday Monday");
        assert!(h.open_at(at("2026-12-14T23:59:00Z")));
        assert_eq!(
            h.next_open(at("2026-12-07T10:00:00Z")),
            Some(at("2026-12-11T00:00:00Z"))
        );
    }

    #[test]
    fn bad_hours_name_their_key() {
        for (text, key, says) in [
            (
                "monday = [\"08:00-17:00\"]",
                "office_hours.time_zone",
                "required",
            ),
            (
                "time_zone = \"Mars/Olympus\"\nmonday = [\"08:00-17:00\"]",
                "office_hours.time_zone",
                "Mars/Olympus",
            ),
            (
                "time_zone = \"UTC\"\ntuesday = [\"08:00-12:00\", \"11:00-17:00\"]",
                "office_hours.tuesday",
                "overlapping",
            ),
            (
                "time_zone = \"UTC\"\nfriday = [\"22:00-02:00\"]",
                "office_hours.friday",
                "past midnight",
            ),
            (
                "time_zone = \"UTC\"\nfriday = [\"8am to 5pm\"]",
                "office_hours.friday",
                "08:00-17:00",
            ),
            (
                "time_zone = \"UTC\"\nfriday = [\"08:00-24:30\"]",
                "office_hours.friday",
                "08:00-17:00",
            ),
            ("time_zone = \"UTC\"", "office_hours.monday", "every day"),
            (
                "time_zone = \"UTC\"\nmonday = [\"08:00-17:00\"]\nclosed_on = [\"25.12.2026\"]",
                "office_hours.closed_on",
                "2026-12-25",
            ),
        ] {
            let file: HoursFile = toml::from_str(text).unwrap();
            let e = OfficeHours::parse(&file).unwrap_err();
            assert_eq!(e.key, key, "{text}: {e}");
            assert!(e.problem.contains(says), "{text}: {e}");
        }
    }
}
