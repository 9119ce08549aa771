//! A 256-bit unsigned integer with just the operations the exact samplers
//! need: checked multiply and subtract, comparison, and a uniform draw
//! below a bound.
//!
//! The discrete Gaussian's acceptance test compares squares of 128-bit
//! quantities (see [`super::sample::discrete_gaussian`]), so `u128` is not
//! wide enough; a big-integer crate would be, but this is all we need and it
//! keeps the samplers free of allocation. Every operation is checked: an
//! overflow is reported to the caller, never wrapped. Property tests here
//! check the arithmetic, and `dp::accepted_range` that no parameter a
//! mechanism accepts brings the samplers' products near 2^256.

use std::cmp::Ordering;

use rand::RngCore;

/// A 256-bit unsigned integer.
///
/// Limbs are stored most significant first, so the derived lexicographic
/// `Ord` on the array is the numeric order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct U256([u64; 4]);

impl U256 {
    pub(crate) const ZERO: U256 = U256([0; 4]);
    pub(crate) const ONE: U256 = U256([0, 0, 0, 1]);

    pub(crate) const fn from_u128(x: u128) -> U256 {
        U256([0, 0, (x >> 64) as u64, x as u64])
    }

    /// The value as a `u128`, if it fits.
    pub(crate) fn to_u128(self) -> Option<u128> {
        let [a, b, c, d] = self.0;
        (a == 0 && b == 0).then_some((u128::from(c) << 64) | u128::from(d))
    }

    /// Limbs least significant first, the order schoolbook arithmetic walks.
    fn le(self) -> [u64; 4] {
        let [a, b, c, d] = self.0;
        [d, c, b, a]
    }

    fn from_le(l: [u64; 4]) -> U256 {
        U256([l[3], l[2], l[1], l[0]])
    }

    pub(crate) fn checked_sub(self, rhs: U256) -> Option<U256> {
        if self < rhs {
            return None;
        }
        let (a, b) = (self.le(), rhs.le());
        let mut out = [0u64; 4];
        let mut borrow = false;
        for i in 0..4 {
            let (d1, b1) = a[i].overflowing_sub(b[i]);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            out[i] = d2;
            borrow = b1 || b2;
        }
        Some(U256::from_le(out))
    }

    pub(crate) fn checked_mul(self, rhs: U256) -> Option<U256> {
        let (a, b) = (self.le(), rhs.le());
        let mut out = [0u64; 8];
        for i in 0..4 {
            let mut carry: u128 = 0;
            for j in 0..4 {
                // (2^64-1)^2 + 2(2^64-1) = 2^128-1: the sum cannot overflow.
                let cur = u128::from(out[i + j]) + u128::from(a[i]) * u128::from(b[j]) + carry;
                out[i + j] = cur as u64;
                carry = cur >> 64;
            }
            out[i + 4] = carry as u64;
        }
        if out[4..].iter().any(|&limb| limb != 0) {
            return None;
        }
        Some(U256::from_le([out[0], out[1], out[2], out[3]]))
    }

    /// |self - rhs|.
    pub(crate) fn abs_diff(self, rhs: U256) -> U256 {
        match self.cmp(&rhs) {
            Ordering::Less => rhs.sub_unchecked_ordered(self),
            _ => self.sub_unchecked_ordered(rhs),
        }
    }

    /// `self - rhs` where the caller has established `self >= rhs`.
    fn sub_unchecked_ordered(self, rhs: U256) -> U256 {
        self.checked_sub(rhs).unwrap_or(U256::ZERO)
    }

    /// Number of significant bits (0 for zero).
    fn bits(self) -> u32 {
        for (i, limb) in self.0.iter().enumerate() {
            if *limb != 0 {
                // i counts limbs from the top; (3 - i) full limbs lie below.
                return (3 - i as u32) * 64 + (64 - limb.leading_zeros());
            }
        }
        0
    }

    /// A uniform draw from `0..bound` (`bound > 0`; a zero bound yields 0).
    ///
    /// Rejection sampling: draw exactly as many random bits as `bound - 1`
    /// has and retry when the draw is `>= bound`. Every value below `bound`
    /// is equally likely (no modulo bias), and since `bound > 2^(bits-1)`
    /// a draw is accepted with probability above 1/2.
    pub(crate) fn uniform_below<R: RngCore + ?Sized>(rng: &mut R, bound: U256) -> U256 {
        let Some(max) = bound.checked_sub(U256::ONE) else {
            return U256::ZERO;
        };
        let bits = max.bits();
        if bits == 0 {
            return U256::ZERO;
        }
        loop {
            let mut le = [0u64; 4];
            for (i, limb) in le.iter_mut().enumerate() {
                let low = 64 * i as u32;
                if low >= bits {
                    break;
                }
                let word = rng.next_u64();
                let keep = bits - low;
                *limb = if keep >= 64 { word } else { word & ((1u64 << keep) - 1) };
            }
            let candidate = U256::from_le(le);
            if candidate < bound {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn arithmetic_matches_u128_where_it_fits() {
        let a = U256::from_u128(0xdead_beef_0000_1234_5678_9abc_def0_1111);
        let b = U256::from_u128(0x1_0000_0001);
        let diff = a.checked_sub(b).unwrap();
        assert_eq!(diff.to_u128().unwrap(), 0xdead_beef_0000_1234_5678_9abc_def0_1111u128 - 0x1_0000_0001);
        assert_eq!(b.checked_sub(a), None);
        let p = U256::from_u128(u128::from(u64::MAX)).checked_mul(U256::from_u128(u128::from(u64::MAX))).unwrap();
        assert_eq!(p.to_u128().unwrap(), u128::from(u64::MAX) * u128::from(u64::MAX));
    }

    #[test]
    fn products_past_256_bits_are_refused() {
        let big = U256::from_u128(u128::MAX);
        let square = big.checked_mul(big).unwrap();
        assert!(square.to_u128().is_none());
        assert_eq!(square.checked_mul(U256::from_u128(2)), None);
        assert_eq!(big.abs_diff(U256::ONE), U256::from_u128(u128::MAX - 1));
        assert_eq!(U256::ONE.abs_diff(big), U256::from_u128(u128::MAX - 1));
    }

    proptest::proptest! {
        /// Any two `u128`s multiply without overflow, and the product is
        /// right: a·b − a·(b−1) = a, a·b = b·a, and it equals the `u128`
        /// product whenever that one fits.
        #[test]
        fn products_of_two_u128s_are_exact(a in proptest::prelude::any::<u128>(), b in 1..=u128::MAX) {
            let (wa, wb) = (U256::from_u128(a), U256::from_u128(b));
            let p = wa.checked_mul(wb).unwrap();
            proptest::prop_assert_eq!(Some(p), wb.checked_mul(wa));
            let q = wa.checked_mul(U256::from_u128(b - 1)).unwrap();
            proptest::prop_assert_eq!(p.checked_sub(q), Some(wa));
            proptest::prop_assert_eq!(p.to_u128(), a.checked_mul(b));
            proptest::prop_assert_eq!(p.abs_diff(q), wa);
        }
    }

    #[test]
    fn uniform_below_stays_below_and_covers_the_range() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut seen = [0u32; 5];
        for _ in 0..5_000 {
            let x = U256::uniform_below(&mut rng, U256::from_u128(5)).to_u128().unwrap();
            seen[x as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (850..1150).contains(&n)), "{seen:?}");
        assert_eq!(U256::uniform_below(&mut rng, U256::ONE), U256::ZERO);
        let huge = U256::from_u128(u128::MAX).checked_mul(U256::from_u128(3)).unwrap();
        for _ in 0..100 {
            assert!(U256::uniform_below(&mut rng, huge) < huge);
        }
    }
}
