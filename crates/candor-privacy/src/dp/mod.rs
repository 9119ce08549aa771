//! Differential privacy: exact noise samplers, the mechanisms that release
//! noisy counts and bounded means, and the privacy-budget arithmetic.
//!
//! The pieces, in the order a release uses them:
//!
//! 1. **Parameters** ([`Epsilon`], [`Delta`]) are parsed at the boundary
//!    into types that cannot hold a bad value. Epsilon lives on a grid of
//!    whole micro-epsilons ([`MicroEpsilon`]), rounded down.
//! 2. **Budget** ([`Budget`]): before releasing, the caller sums the
//!    actor's ledger entries in the current [`Period`] ([`total_spent`]) and
//!    asks [`Budget::charge`]; a refusal ([`BudgetExhausted`]) says how
//!    much is left and when it renews.
//! 3. **Contributions** are capped per subject ([`cap_contributions`]), so
//!    the [`ContributionBound`] passed to a mechanism is true of the data.
//! 4. **Mechanisms** ([`count`], [`count_gaussian`], [`bounded_mean`],
//!    [`release`]) add noise and return a [`Noisy`] value that states its
//!    mechanism, epsilon, delta and noise scale, for the report.
//! 5. **Samplers** ([`sample`]) draw that noise exactly, with integer
//!    arithmetic only (Canonne, Kamath & Steinke 2020); never floating
//!    point, whose rounding artefacts can leak the data (Mironov 2012).
//!
//! The proof for each mechanism sits in the doc comment of its function.
//! Nothing here does I/O: randomness comes from a `rand::RngCore` the
//! caller passes (`rand::rngs::OsRng` in production).

#[cfg(test)]
mod accepted_range;
mod budget;
mod mechanism;
mod params;
pub mod sample;
mod wide;

pub use budget::{total_spent, Budget, BudgetExhausted, Charge, Period, PeriodKind};
pub use mechanism::{
    bounded_mean, cap_contributions, count, count_gaussian, release, Clamp, ContributionBound, Mechanism, MechanismError, Noise, Noisy,
    NoisyMean, MAX_GAUSSIAN_SIGMA, MAX_LAPLACE_SCALE,
};
pub use params::{Delta, Epsilon, MicroEpsilon, ParameterError};
