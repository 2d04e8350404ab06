//! The mounted widget's life, as one generation counter.
//!
//! Work that outlives the call that started it (loading the index, warming it up,
//! fetching the chat module) takes [`Life::now`] before its first `await` and checks
//! [`Life::current`] after each one. `shopdesk.shutdown()` ends the life and the mount's
//! owner goes with it, so a late answer never lands in a panel that is gone, and an
//! index that arrives after shutdown is dropped instead of kept in memory. One counter
//! for every task: no stop flag per feature to forget.

use leptos::prelude::*;

/// A handle on the counter; `Copy`, owned by the mount's reactive owner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Life(StoredValue<u32>);

/// A point in the widget's life, taken before an `await`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Generation(Option<u32>);

impl Life {
    /// Must run inside the mount's owner: the counter is disposed with it.
    pub(crate) fn new() -> Self {
        Life(StoredValue::new(0))
    }

    pub(crate) fn now(self) -> Generation {
        Generation(self.0.try_get_value())
    }

    /// Whether the widget is still the one `at` was taken from: mounted, not stopped.
    pub(crate) fn current(self, at: Generation) -> bool {
        at.0.is_some() && self.0.try_get_value() == at.0
    }

    /// Every piece of work started so far stops at its next check.
    pub(crate) fn end(self) {
        self.0.try_update_value(|g| *g = g.wrapping_add(1));
    }
}

#[cfg(test)]
mod tests {
    use super::Life;
    use leptos::prelude::Owner;

    #[test]
    fn work_stops_when_the_widget_is_stopped_or_unmounted() {
        let owner = Owner::new();
        let life = owner.with(Life::new);
        let before = life.now();
        assert!(life.current(before));
        life.end();
        assert!(!life.current(before), "work from before shutdown stops");
        let after = life.now();
        assert!(life.current(after));
        drop(owner);
        assert!(
            !life.current(after),
            "an unmounted widget has no current work"
        );
        assert!(!life.current(life.now()), "nor any new work");
    }
}
