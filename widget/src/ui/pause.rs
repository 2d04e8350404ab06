//! Acting once the shopper pauses typing, at the cost of one clock read per keystroke.
//!
//! Restarting a browser timer on every keystroke costs three calls into JavaScript and a
//! new closure each time, inside the keystroke's latency budget. Instead one timer runs
//! per burst of typing: each keystroke only moves the deadline, and a timer that fires
//! before the deadline sleeps again for the rest.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// When the timer fires, what to do.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Wake {
    /// The shopper paused: act.
    Fire,
    /// They typed since the timer started: sleep this many more milliseconds.
    Sleep(f64),
    /// Nothing is waiting (the box was emptied).
    Idle,
}

/// The deadline and whether a timer is running; pure, so tested natively.
#[derive(Debug, Default)]
struct Pause {
    due: Option<f64>,
    timer_running: bool,
}

impl Pause {
    /// A keystroke at `now` (ms) that should be acted on `delay` ms after typing stops.
    /// Returns whether a timer must be started.
    fn keystroke(&mut self, now: f64, delay: f64) -> bool {
        self.due = Some(now + delay);
        !std::mem::replace(&mut self.timer_running, true)
    }

    /// Nothing to act on any more.
    fn cancel(&mut self) {
        self.due = None;
    }

    /// The shopper is leaving: whatever waits is due now. Returns whether something
    /// waits, for the caller to wake the timer's handler at once (which acts, and then
    /// not again when the timer fires).
    fn leave(&mut self) -> bool {
        if self.due.is_some() {
            self.due = Some(f64::NEG_INFINITY);
        }
        self.due.is_some()
    }

    fn timer_fired(&mut self, now: f64) -> Wake {
        match self.due {
            // Browsers may fire a timer up to a millisecond early.
            Some(due) if due - now > 1.0 => Wake::Sleep(due - now),
            Some(_) => {
                self.due = None;
                self.timer_running = false;
                Wake::Fire
            }
            None => {
                self.timer_running = false;
                Wake::Idle
            }
        }
    }
}

/// What the shopper's input means for the action waiting on their pause.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Input {
    /// Something worth acting on once they pause.
    Pending,
    /// Nothing to act on (the box was emptied).
    Nothing,
    /// They are leaving: act now on what is waiting, if anything.
    Leaving,
}

/// Returns `typed(input)`: call it on every keystroke; `act` runs once `delay_ms` have
/// passed since the last [`Input::Pending`], unless [`Input::Nothing`] came after it,
/// or at once on [`Input::Leaving`].
///
/// The timer's closure lives as long as the page: the panel it serves is mounted once.
pub(crate) fn after_pause(delay_ms: f64, act: impl Fn() + 'static) -> impl Fn(Input) + Copy {
    let state = StoredValue::new_local(Pause::default());
    let timer = StoredValue::new_local(None::<js_sys::Function>);
    let start = move |ms: f64| {
        timer.with_value(|f| {
            if let (Some(f), Some(window)) = (f, web_sys::window()) {
                let _ = window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(f, ms.ceil() as i32);
            }
        });
    };
    let fired = Closure::<dyn Fn()>::new(move || {
        match state.try_update_value(|p| p.timer_fired(js_sys::Date::now())) {
            Some(Wake::Fire) => act(),
            Some(Wake::Sleep(ms)) => start(ms),
            Some(Wake::Idle) | None => {}
        }
    });
    timer.set_value(Some(fired.into_js_value().unchecked_into()));
    move |input: Input| {
        let (needs_timer, now) = state
            .try_update_value(|p| match input {
                Input::Pending => (p.keystroke(js_sys::Date::now(), delay_ms), false),
                Input::Nothing => {
                    p.cancel();
                    (false, false)
                }
                Input::Leaving => (false, p.leave()),
            })
            .unwrap_or_default();
        if needs_timer {
            start(delay_ms);
        }
        if now {
            // The handler the timer would run, run now: it finds the deadline passed.
            timer.with_value(|f| f.as_ref().map(|f| f.call0(&wasm_bindgen::JsValue::NULL)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Pause, Wake};

    #[test]
    fn one_timer_per_burst_of_typing_fires_after_the_last_keystroke() {
        let mut p = Pause::default();
        assert!(
            p.keystroke(0.0, 700.0),
            "the first keystroke starts the timer"
        );
        assert!(
            !p.keystroke(300.0, 700.0),
            "later ones only move the deadline"
        );
        assert!(!p.keystroke(500.0, 700.0));
        assert_eq!(p.timer_fired(700.0), Wake::Sleep(500.0));
        assert_eq!(
            p.timer_fired(1199.5),
            Wake::Fire,
            "a timer may fire a little early"
        );
        assert!(
            p.keystroke(2000.0, 700.0),
            "after firing, the next burst starts a timer"
        );
    }

    #[test]
    fn an_emptied_box_is_not_acted_on() {
        let mut p = Pause::default();
        assert!(p.keystroke(0.0, 700.0));
        p.cancel();
        assert_eq!(p.timer_fired(700.0), Wake::Idle);
        assert!(
            p.keystroke(800.0, 700.0),
            "the idle timer stopped; a new one starts"
        );
        p.cancel();
        assert!(
            !p.keystroke(900.0, 700.0),
            "the running timer serves the new deadline"
        );
        assert_eq!(p.timer_fired(1500.0), Wake::Sleep(100.0));
        assert_eq!(p.timer_fired(1600.0), Wake::Fire);
    }

    #[test]
    fn leaving_acts_at_once_on_what_waits_and_only_once() {
        let mut p = Pause::default();
        assert!(!p.leave(), "nothing typed: nothing to act on");
        assert!(p.keystroke(0.0, 700.0));
        assert!(p.leave(), "typed and left inside the pause");
        assert_eq!(p.timer_fired(100.0), Wake::Fire, "acted on at once");
        assert!(!p.leave(), "already acted on");
        assert_eq!(
            p.timer_fired(700.0),
            Wake::Idle,
            "the timer, when it fires, does not act again"
        );
        assert!(p.keystroke(800.0, 700.0));
        p.cancel();
        assert!(!p.leave(), "an emptied box is nothing to act on");
    }
}
