//! The mechanisms: noisy counts and bounded means, each with the argument
//! for its guarantee written beside it.
//!
//! **Privacy unit.** Two datasets are neighbours when one is the other
//! plus or minus *all* rows of one subject (a customer, an author). Every
//! guarantee below is per subject, which is only true if each subject
//! contributes at most [`ContributionBound`] rows: the caller enforces that
//! before aggregating, e.g. with [`cap_contributions`], and passes the same
//! bound here, where it becomes the sensitivity.
//!
//! **Rounding.** Noise parameters are rationals computed so that rounding
//! only ever adds noise: epsilon is rounded down onto whole micro-epsilons
//! ([`Epsilon`]), which rounds the Laplace scale up, and the Gaussian σ² is
//! rounded up (see `gaussian_sigma_sq`).
//!
//! **Failures.** A mechanism fails either because its parameters ask for
//! more noise than it can represent (decided before any data or randomness
//! is touched) or, with astronomically small probability, because the noise
//! drawn did not fit (decided by the random draws alone). Neither depends
//! on the data, so neither leaks anything.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::num::NonZeroU32;

use rand::RngCore;
use serde::Serialize;
use thiserror::Error;

use super::params::{Delta, Epsilon, MicroEpsilon, ParameterError};
use super::sample::{discrete_gaussian, discrete_laplace, Ratio, SampleError};

/// The largest discrete-Laplace scale a mechanism accepts (2^48 ≈ 2.8·10^14).
///
/// Noise that large swamps any count a customer-care platform holds, and the
/// cap is what keeps the sampler's integers in range (see
/// [`discrete_laplace`]'s errors).
pub const MAX_LAPLACE_SCALE: f64 = (1u64 << 48) as f64;

/// The largest discrete-Gaussian σ a mechanism accepts (2^40 ≈ 1.1·10^12),
/// for the same reasons as [`MAX_LAPLACE_SCALE`].
pub const MAX_GAUSSIAN_SIGMA: f64 = (1u64 << 40) as f64;

/// Which noise distribution a release used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// The discrete Laplace (two-sided geometric) mechanism: pure ε-DP.
    DiscreteLaplace,
    /// The discrete Gaussian mechanism: (ε, δ)-DP.
    DiscreteGaussian,
}

impl Mechanism {
    /// The name reports print: `discrete_laplace` or `discrete_gaussian`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mechanism::DiscreteLaplace => "discrete_laplace",
            Mechanism::DiscreteGaussian => "discrete_gaussian",
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which noise to add: Laplace for pure ε-DP, Gaussian for (ε, δ)-DP
/// (lighter tails, and it composes better over many releases).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Noise {
    /// Discrete Laplace noise, ε-DP.
    Laplace,
    /// Discrete Gaussian noise, (ε, δ)-DP with this δ.
    Gaussian(Delta),
}

/// The most rows any one subject may contribute to a statistic. It is the
/// sensitivity of a count, so it must be enforced on the data (see
/// [`cap_contributions`]) before the statistic is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ContributionBound(NonZeroU32);

impl ContributionBound {
    /// One row per subject.
    pub const ONE: ContributionBound = ContributionBound(NonZeroU32::MIN);

    /// Validates a bound.
    ///
    /// # Errors
    ///
    /// When `max_rows` is zero.
    pub fn new(max_rows: u32) -> Result<ContributionBound, ParameterError> {
        NonZeroU32::new(max_rows).map(ContributionBound).ok_or(ParameterError::ZeroContributionBound)
    }

    /// The bound.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

/// Keeps at most `bound` rows per subject, the first ones in input order,
/// and drops the rest: the step that makes [`ContributionBound`] true.
///
/// Which rows are kept does not matter for privacy, only that the choice
/// looks at no other subject's rows: then adding or removing one subject
/// changes the kept rows by at most `bound`.
pub fn cap_contributions<T, S, F>(rows: impl IntoIterator<Item = T>, mut subject_of: F, bound: ContributionBound) -> Vec<T>
where
    S: Eq + Hash,
    F: FnMut(&T) -> S,
{
    let mut seen: HashMap<S, u32> = HashMap::new();
    rows.into_iter()
        .filter(|row| {
            let n = seen.entry(subject_of(row)).or_insert(0);
            *n += 1;
            *n <= bound.get()
        })
        .collect()
}

/// The range `[lower, upper]` each value of a bounded mean is clamped
/// into, in the caller's fixed-point units (e.g. seconds, or hundredths of
/// a star rating).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Clamp {
    // INVARIANT (non-empty range): lower ≤ upper, upheld by `Clamp::new`.
    lower: i64,
    upper: i64,
}

impl Clamp {
    /// Validates a range.
    ///
    /// # Errors
    ///
    /// When `lower > upper`.
    pub fn new(lower: i64, upper: i64) -> Result<Clamp, ParameterError> {
        if lower > upper {
            return Err(ParameterError::EmptyRange { lower, upper });
        }
        // INVARIANT (non-empty range): checked above.
        Ok(Clamp { lower, upper })
    }

    /// The lower end.
    pub const fn lower(self) -> i64 {
        self.lower
    }

    /// The upper end.
    pub const fn upper(self) -> i64 {
        self.upper
    }

    /// `value` moved into the range.
    pub fn apply(self, value: i64) -> i64 {
        value.clamp(self.lower, self.upper)
    }

    /// The largest absolute value in the range, at least 1: how far one
    /// clamped value can move a sum. (A range of just `{0}` would need no
    /// noise at all; using 1 there only adds noise, which is safe.)
    fn magnitude(self) -> u128 {
        u128::from(self.lower.unsigned_abs().max(self.upper.unsigned_abs())).max(1)
    }
}

/// A statistic with noise added, and what a report must say about it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Noisy {
    /// The noise distribution used.
    pub mechanism: Mechanism,
    /// The epsilon spent (after rounding down onto micro-epsilons).
    pub epsilon: Epsilon,
    /// The delta, for the Gaussian mechanism.
    pub delta: Option<Delta>,
    /// The sensitivity the noise was calibrated to.
    pub sensitivity: u128,
    /// The noise scale, for display: the Laplace scale b (variance 2b² for
    /// large b) or the Gaussian σ. The sampler used the exact rational this
    /// approximates.
    pub scale: f64,
    /// The released value: the true value plus noise, saturated at the
    /// ends of `i64`.
    pub value: i64,
}

impl fmt::Display for Noisy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, epsilon {}", self.value, self.mechanism, self.epsilon)?;
        if let Some(delta) = self.delta {
            write!(f, ", delta {delta}")?;
        }
        let scale_name = match self.mechanism {
            Mechanism::DiscreteLaplace => "scale",
            Mechanism::DiscreteGaussian => "sigma",
        };
        write!(f, ", {scale_name} {:.3})", self.scale)
    }
}

/// A bounded mean released as a noisy sum over a noisy count.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NoisyMean {
    /// The noisy sum of the clamped values.
    pub sum: Noisy,
    /// The noisy number of values.
    pub count: Noisy,
    /// `sum / max(count, 1)`, clamped into the range, in the caller's
    /// fixed-point units.
    pub mean: f64,
    /// The total epsilon spent: `sum.epsilon + count.epsilon`.
    pub epsilon: Epsilon,
}

/// Why a mechanism released nothing.
#[derive(Clone, Copy, Debug, PartialEq, Error)]
pub enum MechanismError {
    /// The noise these parameters call for is beyond what is supported;
    /// asking for a larger epsilon (or a smaller sensitivity) fixes it.
    #[error("{mechanism} noise of scale {scale:.3e} is above the supported maximum {max:.3e}; use a larger epsilon or a smaller contribution bound or range")]
    ScaleTooLarge {
        /// The mechanism asked for.
        mechanism: Mechanism,
        /// The scale the parameters call for.
        scale: f64,
        /// The largest scale supported.
        max: f64,
    },
    /// A two-part release needs at least one micro-epsilon for each part.
    #[error("epsilon {epsilon} is too small to split between a sum and a count")]
    EpsilonTooSmallToSplit {
        /// The epsilon given.
        epsilon: Epsilon,
    },
    /// The sampler failed (see [`SampleError`]).
    #[error(transparent)]
    Sample(#[from] SampleError),
}

const MICROS_PER_UNIT: u128 = 1_000_000;

/// The discrete-Laplace scale Δ/ε as an exact rational.
///
/// With ε = μ/10⁶ for μ whole micro-epsilons, Δ/ε = (Δ·10⁶)/μ exactly, so
/// the only rounding is the one already made when ε was rounded down.
pub(super) fn laplace_scale(sensitivity: u128, epsilon: Epsilon) -> Result<Ratio, MechanismError> {
    let micros = u128::from(epsilon.micros().get());
    let too_large = MechanismError::ScaleTooLarge {
        mechanism: Mechanism::DiscreteLaplace,
        scale: sensitivity as f64 / epsilon.get(),
        max: MAX_LAPLACE_SCALE,
    };
    let num = sensitivity.checked_mul(MICROS_PER_UNIT).ok_or(too_large)?;
    // num/micros ≤ 2^48  ⇔  num ≤ 2^48·micros (micros ≤ 10^7, no overflow).
    if num > (1u128 << 48) * micros {
        return Err(too_large);
    }
    Ratio::new(num, micros).ok_or(MechanismError::Sample(SampleError::ZeroScale))
}

/// The discrete-Gaussian σ² for sensitivity Δ at (ε, δ), as a rational
/// that is never below the value the proof needs.
///
/// Bound used — the zCDP route, valid for every ε > 0 (unlike the classic
/// σ = Δ·sqrt(2 ln(1.25/δ))/ε, which is proven only for ε < 1, while ε here
/// may go up to 10):
///
/// 1. The discrete Gaussian with parameter σ added to an integer-valued
///    statistic of sensitivity Δ satisfies ρ-zCDP with ρ = Δ²/(2σ²)
///    (Canonne, Kamath & Steinke 2020, Theorem 4).
/// 2. ρ-zCDP implies (ρ + 2·sqrt(ρ·L), δ)-DP with L = ln(1/δ)
///    (Bun & Steinke 2016, Proposition 1.3).
/// 3. Solving ρ + 2·sqrt(ρL) = ε for u = sqrt(ρ): u = sqrt(L+ε) − sqrt(L)
///    = ε / (sqrt(L+ε) + sqrt(L)), so with S = sqrt(L+ε) + sqrt(L),
///    σ² = Δ²/(2ρ) = Δ²·S² / (2ε²).
///
/// For ε = 1, δ = 10⁻⁵, Δ = 1 this gives σ ≈ 4.90 (the classic bound gives
/// 4.84 but does not hold for ε ≥ 1).
///
/// σ² is computed in `f64` — only the sampling must be exact — then raised
/// by a relative 2^-30, far more than the few-ulp error of `ln`, `sqrt`
/// and four arithmetic operations (≈ 2^-50), and converted *exactly* to the
/// dyadic rational that `f64` value is. The rational is therefore at least
/// the true σ², so ρ and hence ε only get smaller.
pub(super) fn gaussian_sigma_sq(sensitivity: u128, epsilon: Epsilon, delta: Delta) -> Result<Ratio, MechanismError> {
    let eps = epsilon.get();
    // -ln δ rather than ln(1/δ): 1/δ would overflow for tiny δ.
    let l = -delta.get().ln();
    let s = (l + eps).sqrt() + l.sqrt();
    let d = sensitivity as f64;
    let sigma_sq = (d * d * s * s / (2.0 * eps * eps)) * (1.0 + 2f64.powi(-30));
    let max_sq = MAX_GAUSSIAN_SIGMA * MAX_GAUSSIAN_SIGMA;
    if !sigma_sq.is_finite() || sigma_sq > max_sq {
        return Err(MechanismError::ScaleTooLarge {
            mechanism: Mechanism::DiscreteGaussian,
            scale: sigma_sq.sqrt(),
            max: MAX_GAUSSIAN_SIGMA,
        });
    }
    exact_dyadic(sigma_sq).ok_or(MechanismError::Sample(SampleError::OutOfRange))
}

/// The exact value of a positive finite `f64` as a rational m·2^e, or
/// `None` when it does not fit `u128`s. Every `f64` is such a rational, so
/// this conversion loses nothing.
fn exact_dyadic(x: f64) -> Option<Ratio> {
    if !(x.is_finite() && x > 0.0) {
        return None;
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    // Normal numbers have an implicit leading 1; subnormals do not.
    let (mut mantissa, mut exp) = if biased == 0 { (fraction, -1074) } else { (fraction | (1u64 << 52), biased - 1075) };
    if exp >= 0 {
        // The mantissa has at most 53 bits; the product must stay under 2^128.
        if exp > 74 {
            return None;
        }
        return Ratio::new(u128::from(mantissa) << exp, 1);
    }
    // Cancel common factors of two so the denominator is as small as it can be.
    let twos = mantissa.trailing_zeros().min(exp.unsigned_abs());
    mantissa >>= twos;
    exp += twos as i32;
    let shift = exp.unsigned_abs();
    if shift > 127 {
        return None;
    }
    Ratio::new(u128::from(mantissa), 1u128 << shift)
}

/// Adds noise calibrated to `sensitivity` at `epsilon` (and δ for the
/// Gaussian) to an integer statistic.
///
/// `sensitivity` must bound how much the statistic can change when one
/// subject's rows are added or removed; the guarantee is only as good as
/// that bound. Most callers want [`count`], [`count_gaussian`] or
/// [`bounded_mean`], which derive it.
///
/// **Laplace, ε-DP.** With Z from the discrete Laplace of scale b ≥ Δ/ε,
/// for neighbours x, x' and any output y:
/// P[f(x)+Z = y] / P[f(x')+Z = y] = exp((|y−f(x')| − |y−f(x)|)/b)
/// ≤ exp(|f(x)−f(x')|/b) ≤ exp(Δ/b) ≤ e^ε (triangle inequality).
///
/// **Gaussian, (ε, δ)-DP.** σ² = Δ²·S²/(2ε²) with
/// S = sqrt(ln(1/δ) + ε) + sqrt(ln(1/δ)), from the discrete Gaussian's
/// zCDP guarantee (CKS 2020, Theorem 4) and the zCDP to (ε, δ) conversion
/// (Bun & Steinke 2016, Proposition 1.3); the derivation is beside
/// `gaussian_sigma_sq`.
///
/// Saturating the sum at the ends of `i64` is post-processing of the noisy
/// value, which cannot weaken either guarantee.
///
/// # Errors
///
/// See [`MechanismError`].
pub fn release<R: RngCore + ?Sized>(
    true_value: i64,
    sensitivity: u128,
    epsilon: Epsilon,
    noise: Noise,
    rng: &mut R,
) -> Result<Noisy, MechanismError> {
    // A zero sensitivity would mean a statistic no subject can move; treat
    // it as 1, which only adds noise.
    let sensitivity = sensitivity.max(1);
    match noise {
        Noise::Laplace => {
            let scale = laplace_scale(sensitivity, epsilon)?;
            let z = discrete_laplace(scale, rng)?;
            Ok(Noisy {
                mechanism: Mechanism::DiscreteLaplace,
                epsilon,
                delta: None,
                sensitivity,
                scale: scale.to_f64(),
                value: true_value.saturating_add(z),
            })
        }
        Noise::Gaussian(delta) => {
            let sigma_sq = gaussian_sigma_sq(sensitivity, epsilon, delta)?;
            let z = discrete_gaussian(sigma_sq, rng)?;
            Ok(Noisy {
                mechanism: Mechanism::DiscreteGaussian,
                epsilon,
                delta: Some(delta),
                sensitivity,
                scale: sigma_sq.to_f64().sqrt(),
                value: true_value.saturating_add(z),
            })
        }
    }
}

/// A noisy count with the discrete Laplace mechanism: ε-DP per subject.
///
/// `true_count` must be computed over rows where each subject contributes
/// at most `bound` rows (see [`cap_contributions`]); adding or removing one
/// subject then moves the count by at most `bound`, which is the
/// sensitivity. The scale is `bound / epsilon`.
///
/// # Errors
///
/// See [`MechanismError`].
pub fn count<R: RngCore + ?Sized>(
    true_count: i64,
    bound: ContributionBound,
    epsilon: Epsilon,
    rng: &mut R,
) -> Result<Noisy, MechanismError> {
    release(true_count, u128::from(bound.get()), epsilon, Noise::Laplace, rng)
}

/// A noisy count with the discrete Gaussian mechanism: (ε, δ)-DP per
/// subject, sensitivity `bound` as for [`count`], σ as in [`release`].
///
/// # Errors
///
/// See [`MechanismError`].
pub fn count_gaussian<R: RngCore + ?Sized>(
    true_count: i64,
    bound: ContributionBound,
    epsilon: Epsilon,
    delta: Delta,
    rng: &mut R,
) -> Result<Noisy, MechanismError> {
    release(true_count, u128::from(bound.get()), epsilon, Noise::Gaussian(delta), rng)
}

/// A bounded mean: each value clamped into `clamp`, then a noisy sum and a
/// noisy count, each with half the epsilon (and, for the Gaussian, half the
/// delta); the mean is their quotient.
///
/// `values` are the rows after [`cap_contributions`] (each subject at most
/// `bound` of them), in fixed-point integers of the caller's choosing.
///
/// Why it is (ε, δ)-DP:
/// - Clamping makes every value lie in [L, U], so one subject moves the sum
///   by at most `bound·max(|L|, |U|)` and the count by at most `bound`:
///   those are the sensitivities. (Clamping the exact sum to `i64` is
///   1-Lipschitz and cannot raise them.)
/// - The sum gets ⌊μ/2⌋ micro-epsilons and the count the other ⌈μ/2⌉;
///   by basic sequential composition the pair is (ε, δ)-DP in total.
/// - `sum / max(count, 1)`, clamped into [L, U], looks only at the two
///   noisy values: post-processing, which costs nothing. (Clamping the
///   count to ≥ 1 avoids dividing by zero or a negative noisy count.)
///
/// # Errors
///
/// [`MechanismError::EpsilonTooSmallToSplit`] when ε is one micro-epsilon;
/// otherwise as [`release`].
pub fn bounded_mean<R: RngCore + ?Sized>(
    values: &[i64],
    bound: ContributionBound,
    clamp: Clamp,
    epsilon: Epsilon,
    noise: Noise,
    rng: &mut R,
) -> Result<NoisyMean, MechanismError> {
    let micros = epsilon.micros().get();
    let split = |part: u64| Epsilon::from_micros(MicroEpsilon::new(part)).map_err(|_| MechanismError::EpsilonTooSmallToSplit { epsilon });
    let sum_epsilon = split(micros / 2)?;
    let count_epsilon = split(micros - micros / 2)?;
    let half_noise = match noise {
        Noise::Laplace => Noise::Laplace,
        Noise::Gaussian(delta) => Noise::Gaussian(delta.halved()),
    };

    let exact_sum: i128 = values.iter().map(|&v| i128::from(clamp.apply(v))).sum();
    let exact_sum = i64::try_from(exact_sum).unwrap_or(if exact_sum < 0 { i64::MIN } else { i64::MAX });
    let exact_count = i64::try_from(values.len()).unwrap_or(i64::MAX);
    let rows = u128::from(bound.get());

    let sum = release(exact_sum, rows * clamp.magnitude(), sum_epsilon, half_noise, rng)?;
    let count = release(exact_count, rows, count_epsilon, half_noise, rng)?;
    let mean = (sum.value as f64 / count.value.max(1) as f64).clamp(clamp.lower as f64, clamp.upper as f64);
    Ok(NoisyMean { sum, count, mean, epsilon })
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    fn eps(x: f64) -> Epsilon {
        Epsilon::new(x).unwrap()
    }

    #[test]
    fn a_count_reports_mechanism_epsilon_and_scale() {
        let mut rng = StdRng::seed_from_u64(10);
        let noisy = count(100, ContributionBound::ONE, eps(0.5), &mut rng).unwrap();
        assert_eq!(noisy.mechanism.as_str(), "discrete_laplace");
        assert_eq!(noisy.epsilon, eps(0.5));
        assert_eq!(noisy.delta, None);
        assert_eq!(noisy.scale, 2.0);
        assert_eq!(noisy.sensitivity, 1);
        let shown = noisy.to_string();
        assert!(shown.ends_with("(discrete_laplace, epsilon 0.5, scale 2.000)"), "{shown}");
        let json = serde_json::to_value(noisy).unwrap();
        assert_eq!(json["mechanism"], "discrete_laplace");
        assert_eq!(json["epsilon"], 0.5);
    }

    #[test]
    fn the_contribution_bound_is_the_sensitivity() {
        let mut rng = StdRng::seed_from_u64(11);
        let bound = ContributionBound::new(3).unwrap();
        let noisy = count(100, bound, eps(1.0), &mut rng).unwrap();
        assert_eq!(noisy.scale, 3.0);
        assert_eq!(noisy.sensitivity, 3);
        assert_eq!(ContributionBound::new(0), Err(ParameterError::ZeroContributionBound));
    }

    #[test]
    fn noisy_counts_centre_on_the_true_count_with_laplace_variance() {
        let mut rng = StdRng::seed_from_u64(12);
        let n = 50_000;
        let draws: Vec<f64> = (0..n).map(|_| count(1_000, ContributionBound::ONE, eps(0.5), &mut rng).unwrap().value as f64).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        let q = (-0.5f64).exp();
        let expected = 2.0 * q / (1.0 - q).powi(2);
        assert!((mean - 1_000.0).abs() < 0.15, "mean {mean}");
        assert!((var / expected - 1.0).abs() < 0.05, "variance {var} vs {expected}");
    }

    #[test]
    fn the_gaussian_count_uses_the_zcdp_sigma() {
        let mut rng = StdRng::seed_from_u64(13);
        let delta = Delta::new(1e-5).unwrap();
        let noisy = count_gaussian(100, ContributionBound::ONE, eps(1.0), delta, &mut rng).unwrap();
        assert_eq!(noisy.mechanism, Mechanism::DiscreteGaussian);
        assert_eq!(noisy.delta, Some(delta));
        let l = 1e5f64.ln();
        let expected = ((l + 1.0).sqrt() + l.sqrt()) / 2f64.sqrt();
        assert!(noisy.scale >= expected, "{} < {expected}", noisy.scale);
        assert!((noisy.scale / expected - 1.0) < 1e-8);
        assert!((noisy.scale - 4.90).abs() < 0.01);
        let shown = noisy.to_string();
        assert!(shown.ends_with("(discrete_gaussian, epsilon 1, delta 1e-5, sigma 4.901)"), "{shown}");
    }

    #[test]
    fn the_gaussian_sigma_is_rounded_up_to_an_exact_rational() {
        for (e, d, s) in [(0.1, 1e-6, 1u128), (1.0, 1e-5, 7), (10.0, 1e-3, 1), (1e-6, 1e-300, 1)] {
            let epsilon = eps(e);
            let delta = Delta::new(d).unwrap();
            let r = gaussian_sigma_sq(s, epsilon, delta).unwrap();
            let l = -d.ln();
            let exact = (s as f64).powi(2) * ((l + e).sqrt() + l.sqrt()).powi(2) / (2.0 * e * e);
            assert!(r.to_f64() > exact, "{e} {d} {s}");
            assert!(r.to_f64() / exact - 1.0 < 1e-8);
        }
    }

    #[test]
    fn exact_dyadic_is_exact() {
        let r = exact_dyadic(0.75).unwrap();
        assert_eq!((r.num(), r.den()), (3, 4));
        let r = exact_dyadic(3.0 * 2f64.powi(60)).unwrap();
        assert_eq!((r.num(), r.den()), (3 << 60, 1));
        let r = exact_dyadic(0.1).unwrap();
        assert_eq!(r.num() as f64 / r.den() as f64, 0.1);
        assert_eq!(r.den(), 1 << 55);
        assert!(exact_dyadic(0.0).is_none());
        assert!(exact_dyadic(f64::INFINITY).is_none());
        assert!(exact_dyadic(1e300).is_none());
        assert!(exact_dyadic(1e-300).is_none());
    }

    #[test]
    fn tiny_epsilon_gives_huge_noise_without_panicking() {
        let mut rng = StdRng::seed_from_u64(14);
        let tiny = Epsilon::from_micros(MicroEpsilon::new(1)).unwrap();
        let noisy = count(5, ContributionBound::ONE, tiny, &mut rng).unwrap();
        assert_eq!(noisy.scale, 1e6);
        let delta = Delta::new(1e-9).unwrap();
        let noisy = count_gaussian(5, ContributionBound::ONE, tiny, delta, &mut rng).unwrap();
        assert!(noisy.scale > 1e6);
        // Past the supported scale: refused before any sampling.
        let huge = ContributionBound::new(u32::MAX).unwrap();
        let err = count(5, huge, tiny, &mut rng).unwrap_err();
        assert!(matches!(err, MechanismError::ScaleTooLarge { .. }), "{err}");
        assert!(err.to_string().starts_with("discrete_laplace noise of scale 4.295e15"));
        let err = count_gaussian(5, huge, tiny, delta, &mut rng).unwrap_err();
        assert!(matches!(err, MechanismError::ScaleTooLarge { .. }), "{err}");
        let err = release(0, u128::MAX, tiny, Noise::Laplace, &mut rng).unwrap_err();
        assert!(matches!(err, MechanismError::ScaleTooLarge { .. }), "{err}");
    }

    #[test]
    fn epsilon_at_the_cap_gives_light_noise() {
        let mut rng = StdRng::seed_from_u64(15);
        let cap = eps(Epsilon::MAX);
        let mut zeros = 0;
        for _ in 0..1_000 {
            let noisy = count(42, ContributionBound::ONE, cap, &mut rng).unwrap();
            assert_eq!(noisy.scale, 0.1);
            zeros += usize::from(noisy.value == 42);
        }
        // P[Z = 0] = (1 - e^-10) / (1 + e^-10) ≈ 0.99991.
        assert!(zeros >= 995, "{zeros}");
        let delta = Delta::new(Delta::MAX).unwrap();
        count_gaussian(42, ContributionBound::ONE, cap, delta, &mut rng).unwrap();
    }

    #[test]
    fn noise_saturates_instead_of_overflowing() {
        let mut rng = StdRng::seed_from_u64(16);
        let bound = ContributionBound::new(1_000).unwrap();
        let tiny = eps(1e-6);
        for _ in 0..100 {
            let hi = count(i64::MAX, bound, tiny, &mut rng).unwrap();
            let lo = count(i64::MIN, bound, tiny, &mut rng).unwrap();
            assert!(hi.value > 0 && lo.value < 0);
        }
    }

    #[test]
    fn bounded_mean_splits_epsilon_and_clamps() {
        let mut rng = StdRng::seed_from_u64(17);
        let clamp = Clamp::new(0, 500).unwrap();
        // 2 000 values of 300 and a few wild ones that clamping tames.
        let mut values = vec![300i64; 2_000];
        values.extend([1_000_000, -1_000_000]);
        let m = bounded_mean(&values, ContributionBound::ONE, clamp, eps(1.0), Noise::Laplace, &mut rng).unwrap();
        assert_eq!(m.sum.epsilon, eps(0.5));
        assert_eq!(m.count.epsilon, eps(0.5));
        assert_eq!(m.epsilon, eps(1.0));
        assert_eq!(m.sum.scale, 1_000.0);
        assert_eq!(m.count.scale, 2.0);
        // True clamped mean: (2000·300 + 500 + 0) / 2002 ≈ 299.95.
        assert!((m.mean - 299.95).abs() < 10.0, "{}", m.mean);
        assert!((0.0..=500.0).contains(&m.mean));
    }

    #[test]
    fn bounded_mean_splits_odd_epsilons_and_deltas() {
        let mut rng = StdRng::seed_from_u64(18);
        let clamp = Clamp::new(-5, 5).unwrap();
        let odd = Epsilon::from_micros(MicroEpsilon::new(3)).unwrap();
        let delta = Delta::new(1e-6).unwrap();
        let m = bounded_mean(&[1, 2, 3], ContributionBound::ONE, clamp, odd, Noise::Gaussian(delta), &mut rng).unwrap();
        assert_eq!(m.sum.epsilon.micros().get() + m.count.epsilon.micros().get(), 3);
        assert_eq!(m.sum.delta, Some(delta.halved()));
        assert!((-5.0..=5.0).contains(&m.mean));
        let one = Epsilon::from_micros(MicroEpsilon::new(1)).unwrap();
        let err = bounded_mean(&[1], ContributionBound::ONE, clamp, one, Noise::Laplace, &mut rng).unwrap_err();
        assert_eq!(err.to_string(), "epsilon 0.000001 is too small to split between a sum and a count");
        // An empty input still releases (a noisy zero) and a clamped mean.
        let m = bounded_mean(&[], ContributionBound::ONE, clamp, eps(1.0), Noise::Laplace, &mut rng).unwrap();
        assert!((-5.0..=5.0).contains(&m.mean));
        assert_eq!(Clamp::new(3, 2), Err(ParameterError::EmptyRange { lower: 3, upper: 2 }));
    }

    #[test]
    fn cap_contributions_keeps_the_first_rows_of_each_subject() {
        let rows = [("a", 1), ("b", 2), ("a", 3), ("a", 4), ("c", 5), ("b", 6)];
        let kept = cap_contributions(rows, |r| r.0, ContributionBound::new(2).unwrap());
        assert_eq!(kept, [("a", 1), ("b", 2), ("a", 3), ("c", 5), ("b", 6)]);
        let kept = cap_contributions(rows, |r| r.0, ContributionBound::ONE);
        assert_eq!(kept, [("a", 1), ("b", 2), ("c", 5)]);
    }
}
