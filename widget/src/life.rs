//! The mounted widget's life, as one generation counter.
//!
//! Work that outlives the call that started it (loading the index, warming it up,
//! fetching the chat module) takes [`Life::now`] before its first `await` and checks
//! [`Life::current`] after each one. `shopdesk.shutdown()` ends the life, so a late
//! answer never lands in a panel that is gone, and an index that arrives after
//! shutdown is dropped instead of kept in memory. One counter for every task: no stop
//! flag per feature to forget.

use std::cell::Cell;
use std::rc::Rc;

/// A handle on the counter; clones share it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Life(Rc<Cell<u32>>);

/// A point in the widget's life, taken before an `await`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Generation(u32);

/// The counter's value once the widget is stopped: no work is current after it.
const ENDED: u32 = u32::MAX;

impl Life {
    pub(crate) fn now(&self) -> Generation {
        Generation(self.0.get())
    }

    /// Whether the widget is still the one `at` was taken from: mounted, not stopped.
    pub(crate) fn current(&self, at: Generation) -> bool {
        at.0 != ENDED && self.0.get() == at.0
    }

    /// Every piece of work started so far, or later, stops at its next check.
    pub(crate) fn end(&self) {
        self.0.set(ENDED);
    }
}

#[cfg(test)]
mod tests {
    use super::Life;

    #[test]
    fn work_stops_when_the_widget_is_stopped_and_none_starts_after() {
        let life = Life::default();
        let before = life.now();
        assert!(life.current(before));
        let shared = life.clone();
        shared.end();
        assert!(!life.current(before), "work from before shutdown stops");
        assert!(
            !life.current(life.now()),
            "work started after it never runs"
        );
    }
}
