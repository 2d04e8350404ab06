//! How rarely a shopper is asked: the frequency caps, free of the browser so they are
//! tested natively. The memory lives in localStorage (`shopdesk:surveys`), or in memory
//! where the page has no storage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shopdesk_settings::surveys::Survey;

const DAY_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;

/// When each survey was last shown (or its sampling said no), and when any was shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Memory {
    /// Survey id → milliseconds since the epoch.
    pub shown: BTreeMap<String, f64>,
    /// The last survey shown to this shopper, any survey.
    pub last: Option<f64>,
}

/// Why a survey is not shown now.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Skip {
    /// Another survey was already shown on this page view.
    ThisPage,
    /// This survey was shown (or dismissed, or not sampled) too recently.
    Cooldown { days_left: f64 },
    /// Some survey was shown too recently.
    Gap { days_left: f64 },
    /// Not among the sampled shoppers (until the survey's cooldown has passed).
    NotSampled,
}

/// Whether `survey` may be shown now. `manual` (`shopdesk.showSurvey`) skips sampling
/// but not the caps; `roll` is a random number in `[0, 1)`.
pub(crate) fn decide(
    survey: &Survey,
    memory: &Memory,
    now: f64,
    gap_days: u16,
    shown_this_page: bool,
    manual: bool,
    roll: f64,
) -> Result<(), Skip> {
    if shown_this_page {
        return Err(Skip::ThisPage);
    }
    if let Some(at) = memory.shown.get(&survey.id) {
        let until = at + f64::from(survey.cooldown_days) * DAY_MS;
        if now < until {
            return Err(Skip::Cooldown {
                days_left: (until - now) / DAY_MS,
            });
        }
    }
    if let Some(at) = memory.last {
        let until = at + f64::from(gap_days) * DAY_MS;
        if now < until {
            return Err(Skip::Gap {
                days_left: (until - now) / DAY_MS,
            });
        }
    }
    if !manual && roll * 100.0 >= f64::from(survey.sample) {
        return Err(Skip::NotSampled);
    }
    Ok(())
}

impl Memory {
    /// The survey was shown: a dismissal counts as much as an answer.
    pub(crate) fn shown(&mut self, id: &str, now: f64) {
        self.shown.insert(id.to_string(), now);
        self.last = Some(now);
    }

    /// Not sampled: not asked again until the survey's cooldown has passed, but other
    /// surveys are not held back.
    pub(crate) fn passed_over(&mut self, id: &str, now: f64) {
        self.shown.insert(id.to_string(), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopdesk_settings::surveys::SurveyKind;

    fn nps(sample: u8) -> Survey {
        Survey {
            sample,
            ..Survey::of_kind(SurveyKind::Nps)
        }
    }

    #[test]
    fn a_survey_is_not_asked_again_within_its_cooldown() {
        let mut m = Memory::default();
        let t0 = 1_800_000_000_000.0;
        assert_eq!(decide(&nps(100), &m, t0, 7, false, false, 0.5), Ok(()));
        m.shown("nps", t0);
        let later = t0 + 89.0 * DAY_MS;
        assert!(matches!(
            decide(&nps(100), &m, later, 7, false, false, 0.5),
            Err(Skip::Cooldown { .. })
        ));
        assert_eq!(
            decide(&nps(100), &m, t0 + 90.0 * DAY_MS, 7, false, false, 0.5),
            Ok(())
        );
    }

    #[test]
    fn any_two_surveys_keep_the_global_gap_and_one_per_page() {
        let mut m = Memory::default();
        let t0 = 1_800_000_000_000.0;
        m.shown("csat", t0);
        let csat_then_nps = decide(&nps(100), &m, t0 + 6.0 * DAY_MS, 7, false, false, 0.5);
        assert!(matches!(csat_then_nps, Err(Skip::Gap { .. })));
        assert_eq!(
            decide(&nps(100), &m, t0 + 7.0 * DAY_MS, 7, false, false, 0.5),
            Ok(())
        );
        assert_eq!(
            decide(&nps(100), &Memory::default(), t0, 7, true, true, 0.0),
            Err(Skip::ThisPage)
        );
    }

    #[test]
    fn sampling_asks_the_given_share_and_manual_shows_skip_it() {
        let m = Memory::default();
        let asked = (0..1000)
            .filter(|i| decide(&nps(25), &m, 0.0, 7, false, false, f64::from(*i) / 1000.0).is_ok())
            .count();
        assert_eq!(asked, 250);
        assert_eq!(decide(&nps(0), &m, 0.0, 7, false, true, 0.99), Ok(()));
        let mut passed = Memory::default();
        passed.passed_over("nps", 0.0);
        assert_eq!(passed.last, None);
        assert!(matches!(
            decide(&nps(100), &passed, 1.0, 7, false, true, 0.0),
            Err(Skip::Cooldown { .. })
        ));
    }
}
