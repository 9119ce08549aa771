//! A count of the work the engine does on a text, so that tests and the
//! fuzz target can hold it to a bound linear in the text's length (steps,
//! not seconds: the count is the same on a busy machine).
//!
//! Every loop of every recognizer whose number of turns depends on the
//! input calls [`step`] with the number of bytes, characters or items it
//! went over, and so does every call into the standard library that scans
//! (`find`, `trim`, `contains`, `to_lowercase`…), with the length it
//! scans. Sorting `n` items counts `n·log₂n`. Matching a compiled regular
//! expression (the numbering plans) counts its input's length: the `regex`
//! crate matches in time linear in the input by construction (finite
//! automata, no backtracking).
//!
//! The count exists only in the crate's own tests and with the
//! `work-count` feature (the fuzz target turns it on); otherwise [`step`]
//! is an empty function the compiler removes, and release builds pay
//! nothing for it.

/// Count `n` steps of work. Free unless counting is compiled in.
#[cfg(not(any(test, feature = "work-count")))]
#[inline(always)]
pub(crate) fn step(_n: usize) {}

/// Count the comparisons of sorting `n` items: `n·log₂n`.
#[inline(always)]
pub(crate) fn sort_steps(n: usize) {
    step(n * (usize::BITS - n.leading_zeros()) as usize);
}

#[cfg(any(test, feature = "work-count"))]
pub(crate) use counting::step;
#[cfg(any(test, feature = "work-count"))]
pub use counting::{measure, over_budget, STEPS_PER_BYTE};

#[cfg(any(test, feature = "work-count"))]
mod counting {
    use std::cell::Cell;

    thread_local! {
        static STEPS: Cell<u64> = const { Cell::new(0) };
        static BUDGET: Cell<u64> = const { Cell::new(u64::MAX) };
    }

    /// The steps a text may take per byte (plus one byte), the bound the
    /// tests and the fuzz target hold the engine to. The corpora it is
    /// measured on take 10 a byte on average, 22 at most; the adversarial
    /// texts of the tests up to about 200.
    pub const STEPS_PER_BYTE: u64 = 400;

    /// How the panic of a run over its budget starts.
    const OVER_BUDGET: &str = "the PII engine went over its work budget";

    /// Whether a panic's payload is that of a run over its budget.
    pub fn over_budget(payload: &(dyn std::any::Any + Send)) -> bool {
        payload.downcast_ref::<String>().is_some_and(|m| m.starts_with(OVER_BUDGET))
    }

    /// Count `n` steps of work; past the budget of the [`measure`] in
    /// progress, panic: a loop that never ends (or work that grows faster
    /// than the text) shows up at once, instead of as a test or a fuzz run
    /// that never finishes.
    #[inline]
    #[expect(clippy::panic, reason = "a test instrument: unwinding is how a run that never ends is stopped and reported")]
    pub(crate) fn step(n: usize) {
        let steps = STEPS.get().saturating_add(n as u64);
        STEPS.set(steps);
        if steps > BUDGET.get() {
            let budget = BUDGET.get();
            // Lift the budget so that code run while unwinding counts freely.
            BUDGET.set(u64::MAX);
            panic!("{OVER_BUDGET} of {budget} steps");
        }
    }

    /// Run `f`, counting the engine's steps on this thread; returns its
    /// result and the count. When the count passes `budget`, `f` is
    /// unwound with a panic that [`over_budget`] recognizes.
    pub fn measure<R>(budget: u64, f: impl FnOnce() -> R) -> (R, u64) {
        struct Restore(u64, u64);
        impl Drop for Restore {
            fn drop(&mut self) {
                STEPS.set(self.0);
                BUDGET.set(self.1);
            }
        }
        let _restore = Restore(STEPS.get(), BUDGET.get());
        STEPS.set(0);
        BUDGET.set(budget);
        let out = f();
        (out, STEPS.get())
    }
}
