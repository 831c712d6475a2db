//! Long work (a structural check, an export, a server query) reports how far it has got
//! and stops when asked. The desktop app runs such work on a worker thread and shows a
//! progress bar with Cancel; the CLI prints a progress line; tests pass `Work::quiet()`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared flag a front end sets to ask running work to stop.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once Cancel was pressed: for `?` in work that only polls.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

/// The work was stopped because the person asked; nothing it was making was kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// How far a piece of work has got: `done` of `total` units (`total` 0: unknown), and
/// what it is doing now, for people to read.
#[derive(Clone, Copy, Debug)]
pub struct Step<'a> {
    pub done: u64,
    pub total: u64,
    pub doing: &'a str,
}

impl Step<'_> {
    /// Between 0 and 1; 0 while the total is unknown.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).min(1.0) as f32
        }
    }
}

/// What long work is given: where to report progress, and the flag that stops it.
pub struct Work<'a> {
    cancel: CancelToken,
    report: Box<dyn FnMut(Step<'_>) + Send + 'a>,
}

impl<'a> Work<'a> {
    pub fn new(cancel: CancelToken, report: impl FnMut(Step<'_>) + Send + 'a) -> Self {
        Work {
            cancel,
            report: Box::new(report),
        }
    }

    /// Reports nothing and is never cancelled.
    pub fn quiet() -> Work<'static> {
        Work::new(CancelToken::new(), |_| {})
    }

    /// Reports progress, then says whether to go on.
    pub fn step(&mut self, done: u64, total: u64, doing: &str) -> Result<(), Cancelled> {
        (self.report)(Step { done, total, doing });
        self.checkpoint()
    }

    /// Says whether to go on, without reporting.
    pub fn checkpoint(&self) -> Result<(), Cancelled> {
        if self.cancel.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn step_reports_then_stops_once_cancelled() {
        let seen = Mutex::new(Vec::new());
        let cancel = CancelToken::new();
        let mut work = Work::new(cancel.clone(), |s| seen.lock().unwrap().push(s.done));
        assert_eq!(work.step(1, 3, "one"), Ok(()));
        cancel.cancel();
        assert_eq!(work.step(2, 3, "two"), Err(Cancelled));
        drop(work);
        assert_eq!(*seen.lock().unwrap(), vec![1, 2]);
    }

    #[test]
    fn fraction_of_unknown_total_is_zero() {
        let s = Step {
            done: 5,
            total: 0,
            doing: "",
        };
        assert_eq!(s.fraction(), 0.0);
        let s = Step {
            done: 5,
            total: 4,
            doing: "",
        };
        assert_eq!(s.fraction(), 1.0);
    }
}
