//! Exact samplers for Bernoulli(exp(-γ)), the discrete Laplace and the
//! discrete Gaussian, after Canonne, Kamath & Steinke, "The Discrete
//! Gaussian for Differential Privacy" (NeurIPS 2020), Algorithms 1–3.
//!
//! Why not `rand` plus `f64::ln`: inverse-CDF sampling in floating point
//! produces a distribution whose support and tail have holes and spikes set
//! by rounding, and Mironov ("On significance of the least significant bits
//! for differential privacy", CCS 2012) showed that such holes let an
//! observer tell neighbouring inputs apart outright. Here every parameter is
//! a rational of integers, every coin is built from uniformly random integers
//! drawn by rejection (no modulo bias), and no floating-point number is
//! touched, so each sampler draws from exactly the distribution its proof
//! describes.
//!
//! Randomness comes from a caller-supplied [`RngCore`]: production passes
//! `rand::rngs::OsRng`, tests a seeded `StdRng`.
//!
//! The samplers can fail only with [`SampleError::OutOfRange`], when the
//! noise drawn is too large for the integers used (see each function).
//! Those events depend on the random draws alone, never on the data, so a
//! failure reveals nothing about anyone.

use rand::RngCore;
use thiserror::Error;

use super::wide::U256;

/// A non-negative rational `num / den` with `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    // INVARIANT (den is not zero): upheld by `Ratio::new`, the only
    // constructor.
    num: u128,
    den: u128,
}

impl Ratio {
    /// `num / den`, or `None` when `den` is zero.
    pub const fn new(num: u128, den: u128) -> Option<Ratio> {
        if den == 0 {
            None
        } else {
            // INVARIANT (den is not zero): checked just above.
            Some(Ratio { num, den })
        }
    }

    /// The numerator.
    pub const fn num(self) -> u128 {
        self.num
    }

    /// The denominator (never zero).
    pub const fn den(self) -> u128 {
        self.den
    }

    /// The value as an `f64`, for display only; the samplers never use it.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// Why a sampler could not produce a draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum SampleError {
    /// The scale (or variance) is zero: a zero-noise draw would give no
    /// privacy at all, so it is refused rather than returned as 0.
    #[error("the noise scale must be greater than 0")]
    ZeroScale,
    /// The draw, or an intermediate product, did not fit the integers used.
    #[error("the noise drawn was too large to represent; nothing was released")]
    OutOfRange,
}

/// Draws one fair bit.
fn coin<R: RngCore + ?Sized>(rng: &mut R) -> bool {
    rng.next_u32() & 1 == 1
}

/// Bernoulli(num / den) for `num <= den`: a uniform draw from `0..den` is
/// below `num` with probability exactly `num / den`.
fn bernoulli<R: RngCore + ?Sized>(rng: &mut R, num: U256, den: U256) -> bool {
    U256::uniform_below(rng, den) < num
}

/// Bernoulli(exp(-γ)) for γ = `num / den` in `[0, 1]` (CKS Algorithm 1,
/// first branch).
///
/// Proof sketch: let K be the first k ≥ 1 at which Bernoulli(γ/k) comes up
/// 0. Then P[K > k] = γ^k / k! (all of the first k coins were 1), so
/// P[K odd] = Σ_{k≥0} (P[K > 2k] − P[K > 2k+1]) = Σ_j (−γ)^j / j! =
/// exp(−γ). The loop runs about 1 + γ ≤ 2 times on average.
///
/// Bernoulli(γ/k) is drawn as Bernoulli(γ) AND Bernoulli(1/k): the two
/// coins are independent, so the AND has probability (γ)(1/k) exactly, and
/// neither `den · k` nor anything else has to be multiplied (so nothing can
/// overflow).
fn bernoulli_exp_minus_fraction<R: RngCore + ?Sized>(rng: &mut R, num: U256, den: U256) -> bool {
    let mut k: u64 = 1;
    loop {
        let a = bernoulli(rng, num, den) && U256::uniform_below(rng, U256::from_u128(u128::from(k))) == U256::ZERO;
        if !a {
            break;
        }
        // Reaching k = u64::MAX needs that many consecutive successes, an
        // event of probability below 1/(2^64)!; saturating there instead of
        // overflowing keeps the code total without a measurable effect.
        k = k.saturating_add(1);
    }
    k % 2 == 1
}

/// Bernoulli(exp(-1)), the coin the geometric steps are built from.
fn bernoulli_exp_minus_one<R: RngCore + ?Sized>(rng: &mut R) -> bool {
    bernoulli_exp_minus_fraction(rng, U256::ONE, U256::ONE)
}

/// Bernoulli(exp(-γ)) for any γ = `num / den` ≥ 0 (CKS Algorithm 1).
///
/// For γ > 1, exp(-γ) = exp(-1)^⌊γ⌋ · exp(-(γ - ⌊γ⌋)), a product of
/// independent coins: return 0 at the first exp(-1) coin that fails. The
/// integer part is peeled off by repeated subtraction, which stops at the
/// first failed coin, so a huge γ costs about 1.6 coins on average rather
/// than ⌊γ⌋ iterations.
fn bernoulli_exp_minus_wide<R: RngCore + ?Sized>(rng: &mut R, mut num: U256, den: U256) -> bool {
    while num >= den {
        if !bernoulli_exp_minus_one(rng) {
            return false;
        }
        num = num.checked_sub(den).unwrap_or(U256::ZERO);
    }
    bernoulli_exp_minus_fraction(rng, num, den)
}

/// Returns `true` with probability exactly `exp(-gamma)`.
///
/// CKS Algorithm 1; see the comments on the helpers for the proof.
pub fn bernoulli_exp_minus<R: RngCore + ?Sized>(gamma: Ratio, rng: &mut R) -> bool {
    bernoulli_exp_minus_wide(rng, U256::from_u128(gamma.num), U256::from_u128(gamma.den))
}

/// One draw from the discrete Laplace distribution with the given scale
/// `b = t / s`: P[Z = z] ∝ exp(-|z| / b) for every integer z
/// (CKS Algorithm 2). Its variance is 2q / (1 - q)² with q = exp(-1/b).
///
/// Proof sketch, with t = `scale.num()` and s = `scale.den()`:
/// 1. U uniform on {0..t-1}, kept with probability exp(-U/t): U then has
///    P[U = u] ∝ exp(-u/t).
/// 2. V counts exp(-1) coins until one fails: P[V = v] ∝ exp(-v).
/// 3. X = U + t·V has P[X = x] ∝ exp(-u/t)·exp(-v) = exp(-x/t), a
///    geometric distribution with parameter 1 - exp(-1/t).
/// 4. Y = ⌊X/s⌋ has P[Y = y] ∝ Σ_{x = ys}^{ys+s-1} exp(-x/t) ∝ exp(-ys/t).
/// 5. A fair sign B makes ±Y; the pair (negative sign, Y = 0) is rejected
///    so that zero is not counted twice, leaving P[Z = z] ∝ exp(-|z|·s/t).
///
/// Step 1 keeps U with probability at least exp(-1), and step 5 rejects
/// with probability at most 1/2, so the loop ends quickly.
///
/// # Errors
///
/// [`SampleError::ZeroScale`] when the scale is zero;
/// [`SampleError::OutOfRange`] when `t·V` overflows `u128` or the draw
/// exceeds `i64`. For a scale up to 2^48 (the largest the mechanisms
/// accept) the latter needs V ≥ 2^15, probability about exp(-32768).
pub fn discrete_laplace<R: RngCore + ?Sized>(scale: Ratio, rng: &mut R) -> Result<i64, SampleError> {
    let (t, s) = (scale.num, scale.den);
    if t == 0 {
        return Err(SampleError::ZeroScale);
    }
    let t_wide = U256::from_u128(t);
    loop {
        let u = U256::uniform_below(rng, t_wide);
        if !bernoulli_exp_minus_wide(rng, u, t_wide) {
            continue;
        }
        let mut v: u128 = 0;
        while bernoulli_exp_minus_one(rng) {
            v = v.checked_add(1).ok_or(SampleError::OutOfRange)?;
        }
        let u = u.to_u128().ok_or(SampleError::OutOfRange)?;
        let x = t.checked_mul(v).and_then(|tv| tv.checked_add(u)).ok_or(SampleError::OutOfRange)?;
        let y = x / s;
        let negative = coin(rng);
        if negative && y == 0 {
            continue;
        }
        let y = i64::try_from(y).map_err(|_| SampleError::OutOfRange)?;
        return Ok(if negative { -y } else { y });
    }
}

/// One draw from the discrete Gaussian with variance parameter σ² =
/// `sigma_sq`: P[Z = z] ∝ exp(-z² / (2σ²)) for every integer z
/// (CKS Algorithm 3). Its variance is slightly below σ² (CKS Prop. 19).
///
/// Proof sketch: with t = ⌊σ⌋ + 1, draw Y from the discrete Laplace with
/// scale t and keep it with probability exp(-(|Y| - σ²/t)² / (2σ²)). Then
/// P[keep Y = y] ∝ exp(-|y|/t) · exp(-(y² - 2|y|σ²/t + σ⁴/t²) / (2σ²))
/// = exp(-y²/(2σ²)) · exp(-σ²/(2t²)), and the last factor does not depend
/// on y. Choosing t = ⌊σ⌋ + 1 keeps the acceptance rate high (CKS §5.3).
///
/// Integer form, with σ² = n/d: ⌊σ⌋ = isqrt(⌊n/d⌋) (the floor of a square
/// root only depends on the floor of its argument), and the exponent is
/// (|Y|·d·t − n)² / (2·n·d·t²), a ratio of integers evaluated in 256 bits.
///
/// # Errors
///
/// [`SampleError::ZeroScale`] when σ² is zero; [`SampleError::OutOfRange`]
/// when the products do not fit 256 bits, or the inner Laplace draw does not
/// fit `i64`. For every σ² the mechanisms pass (σ ≤ 2^40, from any epsilon,
/// delta and bound they accept) the products fit for *every* `i64` draw,
/// and the Laplace draw needs some 2^22 consecutive exp(-1) coins to pass
/// `i64` (`dp::accepted_range` tests both over the whole range).
pub fn discrete_gaussian<R: RngCore + ?Sized>(sigma_sq: Ratio, rng: &mut R) -> Result<i64, SampleError> {
    let terms = GaussianTerms::new(sigma_sq)?;
    let laplace = Ratio { num: terms.t, den: 1 };
    loop {
        let y = discrete_laplace(laplace, rng)?;
        let numerator = terms.numerator(y.unsigned_abs())?;
        if bernoulli_exp_minus_wide(rng, numerator, terms.denominator) {
            return Ok(y);
        }
    }
}

/// The discrete Gaussian's integers: σ² = n/d, the Laplace scale
/// t = ⌊σ⌋ + 1 and the acceptance test's denominator 2·n·d·t², in 256 bits.
pub(crate) struct GaussianTerms {
    n: U256,
    d: U256,
    /// ⌊σ⌋ + 1: isqrt(u128) ≤ 2^64 - 1, so it fits comfortably.
    pub(crate) t: u128,
    denominator: U256,
}

impl GaussianTerms {
    pub(crate) fn new(sigma_sq: Ratio) -> Result<Self, SampleError> {
        let (n, d) = (sigma_sq.num, sigma_sq.den);
        if n == 0 {
            return Err(SampleError::ZeroScale);
        }
        let t = (n / d).isqrt() + 1;
        let (n, d, t_w) = (U256::from_u128(n), U256::from_u128(d), U256::from_u128(t));
        let denominator = n
            .checked_mul(d)
            .and_then(|nd| nd.checked_mul(t_w))
            .and_then(|ndt| ndt.checked_mul(t_w))
            .and_then(|ndtt| ndtt.checked_mul(U256::from_u128(2)))
            .ok_or(SampleError::OutOfRange)?;
        Ok(Self { n, d, t, denominator })
    }

    /// The acceptance test's numerator (|y|·d·t − n)² for a Laplace draw y.
    pub(crate) fn numerator(&self, y_abs: u64) -> Result<U256, SampleError> {
        let scaled = U256::from_u128(u128::from(y_abs))
            .checked_mul(self.d)
            .and_then(|yd| yd.checked_mul(U256::from_u128(self.t)))
            .ok_or(SampleError::OutOfRange)?;
        let diff = scaled.abs_diff(self.n);
        diff.checked_mul(diff).ok_or(SampleError::OutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    fn ratio(num: u128, den: u128) -> Ratio {
        Ratio::new(num, den).unwrap()
    }

    fn mean_and_variance(samples: &[i64]) -> (f64, f64) {
        let n = samples.len() as f64;
        let mean = samples.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = samples.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    #[test]
    fn a_zero_denominator_is_not_a_ratio() {
        assert_eq!(Ratio::new(1, 0), None);
        assert_eq!(ratio(3, 4).to_f64(), 0.75);
    }

    #[test]
    fn bernoulli_exp_minus_comes_up_with_frequency_exp_minus_gamma() {
        let mut rng = StdRng::seed_from_u64(1);
        for (num, den) in [(0u128, 1u128), (1, 2), (1, 1), (3, 2), (7, 3), (5, 1)] {
            let n = 200_000;
            let hits = (0..n).filter(|_| bernoulli_exp_minus(ratio(num, den), &mut rng)).count();
            let freq = hits as f64 / n as f64;
            let expected = (-(num as f64) / den as f64).exp();
            // The standard error is at most sqrt(0.25 / 200_000) ≈ 0.0011.
            assert!((freq - expected).abs() < 0.005, "γ = {num}/{den}: frequency {freq}, expected {expected}");
        }
    }

    #[test]
    fn bernoulli_exp_minus_of_a_huge_gamma_is_false_and_quick() {
        let mut rng = StdRng::seed_from_u64(2);
        for _ in 0..1_000 {
            assert!(!bernoulli_exp_minus(ratio(u128::MAX, 1), &mut rng));
        }
    }

    #[test]
    fn discrete_laplace_has_mean_zero_and_the_theoretical_variance() {
        let mut rng = StdRng::seed_from_u64(3);
        // Scales 3, 2/3 and 10/7 exercise s = 1, t < s and a non-integer scale.
        for (t, s) in [(3u128, 1u128), (2, 3), (10, 7)] {
            let samples: Vec<i64> = (0..200_000).map(|_| discrete_laplace(ratio(t, s), &mut rng).unwrap()).collect();
            let (mean, var) = mean_and_variance(&samples);
            let q = (-(s as f64) / t as f64).exp();
            let expected = 2.0 * q / (1.0 - q).powi(2);
            assert!(mean.abs() < 0.05, "scale {t}/{s}: mean {mean}");
            assert!((var / expected - 1.0).abs() < 0.03, "scale {t}/{s}: variance {var}, expected {expected}");
        }
    }

    #[test]
    fn discrete_laplace_is_symmetric_with_the_right_mass_at_zero() {
        let mut rng = StdRng::seed_from_u64(4);
        let n = 200_000;
        let samples: Vec<i64> = (0..n).map(|_| discrete_laplace(ratio(2, 1), &mut rng).unwrap()).collect();
        // P[Z = 0] = (1 - q) / (1 + q) with q = exp(-1/2).
        let q = (-0.5f64).exp();
        let zero = samples.iter().filter(|&&x| x == 0).count() as f64 / n as f64;
        assert!((zero - (1.0 - q) / (1.0 + q)).abs() < 0.005, "P[0] = {zero}");
        let pos = samples.iter().filter(|&&x| x > 0).count() as f64;
        let neg = samples.iter().filter(|&&x| x < 0).count() as f64;
        assert!((pos / neg - 1.0).abs() < 0.02, "{pos} positive, {neg} negative");
    }

    #[test]
    fn discrete_gaussian_has_variance_just_under_sigma_squared() {
        let mut rng = StdRng::seed_from_u64(5);
        for (n, d) in [(4u128, 1u128), (9, 4), (50, 1)] {
            let samples: Vec<i64> = (0..200_000).map(|_| discrete_gaussian(ratio(n, d), &mut rng).unwrap()).collect();
            let (mean, var) = mean_and_variance(&samples);
            let sigma_sq = n as f64 / d as f64;
            assert!(mean.abs() < 0.05, "σ² = {n}/{d}: mean {mean}");
            // For σ ≥ 1 the discrete Gaussian's variance is within 1e-6 of
            // σ² (CKS Prop. 19), so the tolerance is all sampling error
            // (sd of the estimate ≈ σ²·sqrt(2/200_000) ≈ 0.3%).
            assert!((var / sigma_sq - 1.0).abs() < 0.015, "σ² = {n}/{d}: variance {var}");
        }
    }

    #[test]
    fn discrete_gaussian_with_small_sigma_is_mostly_zero() {
        // σ² = 1/4: P[z] = exp(-2z²) / Σ_z exp(-2z²), so P[0] ≈ 0.787 and
        // the variance ≈ 0.215, visibly below σ² at this small σ.
        let mut rng = StdRng::seed_from_u64(6);
        let n = 200_000;
        let samples: Vec<i64> = (0..n).map(|_| discrete_gaussian(ratio(1, 4), &mut rng).unwrap()).collect();
        let norm: f64 = (-5i32..=5).map(|z| (-2.0 * f64::from(z * z)).exp()).sum();
        let zero = samples.iter().filter(|&&x| x == 0).count() as f64 / n as f64;
        assert!((zero - 1.0 / norm).abs() < 0.003, "P[0] = {zero}");
        let expected: f64 = (-5i32..=5).map(|z| f64::from(z * z) * (-2.0 * f64::from(z * z)).exp()).sum::<f64>() / norm;
        let (_, var) = mean_and_variance(&samples);
        assert!(var < 0.25 && (var - expected).abs() < 0.005, "variance {var} vs {expected}");
    }

    #[test]
    fn zero_scales_are_refused() {
        let mut rng = StdRng::seed_from_u64(7);
        assert_eq!(discrete_laplace(ratio(0, 1), &mut rng), Err(SampleError::ZeroScale));
        assert_eq!(discrete_gaussian(ratio(0, 5), &mut rng), Err(SampleError::ZeroScale));
    }

    #[test]
    fn extreme_parameters_neither_panic_nor_hang() {
        let mut rng = StdRng::seed_from_u64(8);
        for _ in 0..200 {
            // Huge scale (2^48) and tiny scale (10^-7).
            discrete_laplace(ratio(1 << 48, 1), &mut rng).unwrap();
            assert_eq!(discrete_laplace(ratio(1, 10_000_000), &mut rng).unwrap(), 0);
            // σ = 2^40 with a 2^20 denominator, and σ² = 2^-60.
            discrete_gaussian(ratio(1 << 100, 1 << 20), &mut rng).unwrap();
            assert_eq!(discrete_gaussian(ratio(1, 1 << 60), &mut rng).unwrap(), 0);
        }
        // Parameters past what 256 bits can hold are reported, not wrapped.
        assert_eq!(discrete_gaussian(ratio(u128::MAX, u128::MAX - 1), &mut rng), Err(SampleError::OutOfRange));
        assert_eq!(discrete_laplace(ratio(u128::MAX, 1), &mut rng).map(|_| ()), Err(SampleError::OutOfRange));
    }
}
