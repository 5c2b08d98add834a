//! A long computation's handle, shared by whoever runs it and whoever waits:
//! the waiter can stop it ([`Work::cancel`], a time budget in the service) and
//! watch how far it got ([`Work::progress`], a progress bar in the CLI). The
//! diff's search, `compare` and the test runner take one; each checks
//! [`Work::cancelled`] at every step it counts.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Cancellation and progress of one computation.
#[derive(Debug, Default)]
pub struct Work {
    cancel: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
}

impl Work {
    /// A computation not yet started, with no known total.
    pub fn new() -> Work {
        Work::default()
    }

    /// Asks the computation to stop at its next step.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether it was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The number of steps it will take, when known in advance (policies to
    /// profile, test cases to run); a search has none.
    pub fn set_total(&self, steps: u64) {
        self.total.store(steps, Ordering::Relaxed);
    }

    /// One more step done.
    pub fn step(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Steps done, and the total when known.
    pub fn progress(&self) -> (u64, Option<u64>) {
        let total = self.total.load(Ordering::Relaxed);
        (self.done.load(Ordering::Relaxed), (total > 0).then_some(total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_steps_and_remembers_a_cancel() {
        let w = Work::new();
        assert_eq!(w.progress(), (0, None));
        w.set_total(3);
        w.step();
        w.step();
        assert_eq!(w.progress(), (2, Some(3)));
        assert!(!w.cancelled());
        w.cancel();
        assert!(w.cancelled());
    }
}
