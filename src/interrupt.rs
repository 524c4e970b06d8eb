//! Ctrl-C: the flag a front end sets, and how long loops see it.
//!
//! This module is the bottom of the crate's layers: it imports nothing from
//! the crate, so the numerics (`engine`), the values and the evaluator can
//! all poll the same flag.
//!
//! * [`Interrupt`] is the flag itself, shared with the signal handler (or a
//!   browser's stop button). A session owns one.
//! * Exact and symbolic arithmetic can be slow: a rational multiply-add
//!   costs about a microsecond while the fractions are small, and much more
//!   once their denominators grow to thousands of bits. The loops that may
//!   run for seconds poll [`requested`] once per output sample (or row) and
//!   stop with an "interrupted" error of their own layer.
//! * The flag is per thread: [`watch`] installs a session's flag for the
//!   duration of one statement, so engine signatures stay free of
//!   interpreter state and parallel tests do not see each other's flags.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The Ctrl-C flag shared with the signal handler. Long loops poll it.
#[derive(Clone, Debug, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A flag that is not set.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// The shared flag (for a signal handler, or [`watch`]).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }

    /// Whether Ctrl-C was pressed since the last [`Interrupt::reset`].
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Clear the flag (before the next statement).
    pub fn reset(&self) {
        self.0.store(false, Ordering::Relaxed);
    }

    /// Set the flag, as Ctrl-C does.
    pub fn trigger(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

thread_local! {
    static FLAG: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Whether the flag installed by [`watch`] is set (false when none is).
pub fn requested() -> bool {
    FLAG.with(|f| {
        f.borrow()
            .as_ref()
            .is_some_and(|a| a.load(Ordering::Relaxed))
    })
}

/// Restores the previously watched flag when dropped.
#[must_use = "the flag is watched only while the guard lives"]
pub struct Watch {
    previous: Option<Arc<AtomicBool>>,
}

/// Watch `flag` on this thread until the returned guard is dropped.
pub fn watch(flag: Arc<AtomicBool>) -> Watch {
    let previous = FLAG.with(|f| f.borrow_mut().replace(flag));
    Watch { previous }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let previous = self.previous.take();
        FLAG.with(|f| *f.borrow_mut() = previous);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watched_flag_is_seen_and_restored() {
        assert!(!requested());
        let outer = Arc::new(AtomicBool::new(true));
        {
            let _w = watch(outer.clone());
            assert!(requested());
            {
                let _inner = watch(Arc::new(AtomicBool::new(false)));
                assert!(!requested());
            }
            assert!(requested());
            outer.store(false, Ordering::Relaxed);
            assert!(!requested());
        }
        outer.store(true, Ordering::Relaxed);
        assert!(!requested());
    }
}
