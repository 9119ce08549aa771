//! Over every parameter a release accepts, the samplers' integers hold: no
//! epsilon, delta or bound the configuration accepts can make a sampler
//! fail with [`SampleError::OutOfRange`].
//!
//! What is accepted: epsilon from one micro-epsilon to [`Epsilon::MAX`]
//! (the service halves it between counts and sums), delta from
//! [`Delta::MIN`] to [`Delta::MAX`] (halved too), and a sensitivity of the
//! contribution bound (`privacy.dp_max_contributions`, 1 to `u32::MAX`
//! rows), times 1000 for sentiment sums; [`release`](super::release) takes
//! any `u128`. A scale past [`MAX_LAPLACE_SCALE`] or [`MAX_GAUSSIAN_SIGMA`]
//! is refused up front with [`MechanismError::ScaleTooLarge`], a clear
//! error, before any sampling.
//!
//! For the rest, each check covers the worst draw, not a typical one:
//! - discrete Laplace: `t·V + U` fits `u128` for V up to 2^55, and the draw
//!   passes `i64` only after at least 2^15 consecutive exp(-1) coins
//!   (probability below e^-32768, and independent of the data);
//! - discrete Gaussian: the acceptance test's products fit 256 bits for
//!   every `i64` Laplace draw (|y| = 2^63 included), and its inner Laplace
//!   (scale ⌊σ⌋ + 1 ≤ 2^40 + 1) passes `i64` only after 2^22 coins.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::mechanism::{gaussian_sigma_sq, laplace_scale, MechanismError, MAX_LAPLACE_SCALE};
use super::params::{Delta, Epsilon, MicroEpsilon};
use super::sample::{discrete_gaussian, discrete_laplace, GaussianTerms, Ratio, SampleError};

/// The fewest exp(-1) coins in a row after which a Laplace draw of scale
/// `r` can pass `i64`: V with t·V/s ≥ 2^63.
fn coins_to_pass_i64(r: Ratio) -> u128 {
    ((1u128 << 63) * r.den()).div_ceil(r.num())
}

fn check_laplace(sensitivity: u128, epsilon: Epsilon, seed: u64) -> Result<(), TestCaseError> {
    let r = match laplace_scale(sensitivity.max(1), epsilon) {
        Err(MechanismError::ScaleTooLarge { .. }) => return Ok(()),
        Err(e) => return Err(TestCaseError::fail(format!("Δ {sensitivity}, ε {}: {e}", epsilon.get()))),
        Ok(r) => r,
    };
    prop_assert!(r.to_f64() <= MAX_LAPLACE_SCALE);
    // t·V + U in u128 for every V below 2^55 (U < t).
    prop_assert!(r.num().checked_mul(1 << 55).and_then(|tv| tv.checked_add(r.num())).is_some(), "t = {}", r.num());
    prop_assert!(coins_to_pass_i64(r) >= 1 << 15, "scale {}/{}", r.num(), r.den());
    let mut rng = StdRng::seed_from_u64(seed);
    prop_assert!(discrete_laplace(r, &mut rng).is_ok());
    Ok(())
}

fn check_gaussian(sensitivity: u128, epsilon: Epsilon, delta: Delta, seed: u64) -> Result<(), TestCaseError> {
    let r = match gaussian_sigma_sq(sensitivity.max(1), epsilon, delta) {
        Err(MechanismError::ScaleTooLarge { .. }) => return Ok(()),
        Err(e) => return Err(TestCaseError::fail(format!("Δ {sensitivity}, ε {}, δ {}: {e}", epsilon.get(), delta.get()))),
        Ok(r) => r,
    };
    let terms = GaussianTerms::new(r).map_err(|e| TestCaseError::fail(format!("σ² = {}/{}: {e}", r.num(), r.den())))?;
    for y_abs in [0, 1, u64::from(u32::MAX), 1 << 62, 1 << 63] {
        prop_assert!(terms.numerator(y_abs).is_ok(), "σ² = {}/{}, |y| = {y_abs}", r.num(), r.den());
    }
    let inner = Ratio::new(terms.t, 1).ok_or_else(|| TestCaseError::fail("t is 0"))?;
    prop_assert!(coins_to_pass_i64(inner) >= 1 << 22, "t = {}", terms.t);
    let mut rng = StdRng::seed_from_u64(seed);
    prop_assert!(discrete_gaussian(r, &mut rng).is_ok());
    Ok(())
}

fn epsilon() -> impl Strategy<Value = Epsilon> {
    prop_oneof![
        Just(1u64),
        Just(2),
        Just(5_000_000),
        Just(10_000_000),
        1u64..=10_000_000,
        // Small epsilons, where the noise is largest, more often.
        1u64..=1_000,
    ]
    .prop_map(|m| Epsilon::from_micros(MicroEpsilon::new(m)).unwrap_or_else(|_| unreachable!("1 to 10^7 micros is accepted")))
}

fn delta() -> impl Strategy<Value = Delta> {
    // Uniform in the exponent, both ends included, halved or not.
    let value = prop_oneof![Just(Delta::MIN), Just(Delta::MAX), (3.0f64..=300.0).prop_map(|x| 10f64.powf(-x))];
    (value, any::<bool>()).prop_map(|(v, halve)| {
        let d = Delta::new(v.clamp(Delta::MIN, Delta::MAX)).unwrap_or_else(|_| unreachable!("clamped into the range"));
        if halve {
            d.halved()
        } else {
            d
        }
    })
}

fn sensitivity() -> impl Strategy<Value = u128> {
    let bound = 1u128..=u128::from(u32::MAX);
    prop_oneof![
        Just(1u128),
        Just(u128::from(u32::MAX)),
        Just(u128::from(u32::MAX) * 1000),
        bound.clone(),
        bound.prop_map(|b| b * 1000),
        1u128..=1000,
        any::<u128>(),
    ]
}

proptest! {
    #[test]
    fn no_accepted_laplace_parameter_overflows(s in sensitivity(), e in epsilon(), seed in any::<u64>()) {
        check_laplace(s, e, seed)?;
    }

    #[test]
    fn no_accepted_gaussian_parameter_overflows(s in sensitivity(), e in epsilon(), d in delta(), seed in any::<u64>()) {
        check_gaussian(s, e, d, seed)?;
    }
}

#[test]
fn the_extremes_of_the_configuration_sample() {
    let eps = |m| Epsilon::from_micros(MicroEpsilon::new(m)).unwrap();
    let deltas = [Delta::new(Delta::MIN).unwrap(), Delta::new(Delta::MIN).unwrap().halved(), Delta::new(Delta::MAX).unwrap()];
    let mut sampled = (0, 0);
    for s in [1, 1000, u128::from(u32::MAX), u128::from(u32::MAX) * 1000, u128::MAX] {
        for e in [eps(1), eps(2), eps(5_000_000), eps(10_000_000)] {
            check_laplace(s, e, 1).unwrap();
            sampled.0 += usize::from(laplace_scale(s, e).is_ok());
            for d in deltas {
                check_gaussian(s, e, d, 2).unwrap();
                sampled.1 += usize::from(gaussian_sigma_sq(s, e, d).is_ok());
            }
        }
    }
    // Not everything was refused as too large: the checks sampled.
    assert!(sampled.0 >= 8 && sampled.1 >= 20, "{sampled:?}");
}

#[test]
fn sampler_inputs_past_the_mechanisms_range_are_still_refused_not_wrapped() {
    let mut rng = StdRng::seed_from_u64(3);
    let r = |n, d| Ratio::new(n, d).unwrap();
    assert_eq!(discrete_gaussian(r(u128::MAX, u128::MAX - 1), &mut rng), Err(SampleError::OutOfRange));
    assert_eq!(discrete_laplace(r(u128::MAX, 1), &mut rng).map(|_| ()), Err(SampleError::OutOfRange));
}
