//! Privacy parameters parsed at the boundary: [`Epsilon`], [`Delta`] and
//! the ledger's unit, [`MicroEpsilon`].
//!
//! Epsilon lives on a grid of whole micro-epsilons (10⁻⁶). The mechanisms
//! compute their noise scale from that exact rational, and the budget
//! ledger adds the same integers, so what is charged is exactly what was
//! used and sums never drift the way repeated `f64` additions do. A
//! requested epsilon is rounded *down* onto the grid: a smaller epsilon
//! means more noise, so the guarantee given is never weaker than the one
//! asked for.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Micro-epsilons per epsilon.
const MICROS_PER_UNIT: u64 = 1_000_000;

/// Why a privacy parameter was refused. The value given is quoted back.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ParameterError {
    /// Not a decimal number.
    #[error("{name} must be a decimal number, got `{input}`")]
    Syntax {
        /// Which parameter (`epsilon`, `delta`, `budget`).
        name: &'static str,
        /// What was given.
        input: String,
    },
    /// Infinite or not a number.
    #[error("{name} must be a finite number, got `{}`", show(.value))]
    NotFinite {
        /// Which parameter.
        name: &'static str,
        /// What was given.
        value: f64,
    },
    /// Zero or negative.
    #[error("{name} must be greater than 0, got `{}`", show(.value))]
    NotPositive {
        /// Which parameter.
        name: &'static str,
        /// What was given.
        value: f64,
    },
    /// Above the largest value accepted.
    #[error("{name} must be at most {}, got `{}`{hint}", show(.max), show(.value))]
    TooLarge {
        /// Which parameter.
        name: &'static str,
        /// What was given.
        value: f64,
        /// The largest value accepted.
        max: f64,
        /// Why the cap exists, starting with "; ", or empty.
        hint: &'static str,
    },
    /// Positive but below the smallest value accepted (one micro-epsilon,
    /// the grid epsilon lives on, or [`Delta::MIN`]).
    #[error("{name} must be at least {}, got `{}`", show(.min), show(.value))]
    TooSmall {
        /// Which parameter.
        name: &'static str,
        /// What was given.
        value: f64,
        /// The smallest value accepted.
        min: f64,
    },
    /// A per-subject contribution bound of zero.
    #[error("the number of rows each subject may contribute must be at least 1")]
    ZeroContributionBound,
    /// A clamping range whose lower end is above its upper end.
    #[error("the lower bound `{lower}` is above the upper bound `{upper}`")]
    EmptyRange {
        /// The lower end given.
        lower: i64,
        /// The upper end given.
        upper: i64,
    },
    /// A period that starts or ends outside the calendar `time` supports.
    #[error("the budget period around `{at}` falls outside the supported calendar")]
    PeriodOutOfRange {
        /// The instant whose period was asked for.
        at: String,
    },
}

/// An amount of epsilon in whole micro-epsilons (10⁻⁶): the unit the budget
/// ledger stores and adds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MicroEpsilon(u64);

impl MicroEpsilon {
    /// No epsilon at all.
    pub const ZERO: MicroEpsilon = MicroEpsilon(0);

    /// Wraps a count of micro-epsilons.
    pub const fn new(micros: u64) -> MicroEpsilon {
        MicroEpsilon(micros)
    }

    /// The count of micro-epsilons.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The amount as an `f64` epsilon, for display and reports.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_UNIT as f64
    }

    /// `self + rhs`, or `None` on overflow.
    pub const fn checked_add(self, rhs: MicroEpsilon) -> Option<MicroEpsilon> {
        match self.0.checked_add(rhs.0) {
            Some(sum) => Some(MicroEpsilon(sum)),
            None => None,
        }
    }

    /// `self - rhs`, or zero when `rhs` is larger.
    pub const fn saturating_sub(self, rhs: MicroEpsilon) -> MicroEpsilon {
        MicroEpsilon(self.0.saturating_sub(rhs.0))
    }

    /// Reads a positive decimal (`0.25`, `3`, `1e-3`) no larger than
    /// `limits.max` exactly and rounds it down to whole micro-epsilons.
    pub(crate) fn parse_decimal(limits: &Limits, input: &str) -> Result<MicroEpsilon, ParameterError> {
        let syntax = || ParameterError::Syntax { name: limits.name, input: input.to_owned() };
        let value: f64 = input.trim().parse().map_err(|_| syntax())?;
        limits.check(value)?;
        // The f64 parser accepts the same decimal grammar as parse_micros,
        // and the value is at most limits.max, so this cannot fail in
        // practice; stay total anyway.
        let micros = parse_micros(input.trim()).ok_or_else(syntax)?;
        if micros == 0 {
            return Err(ParameterError::TooSmall { name: limits.name, value, min: MicroEpsilon(1).as_f64() });
        }
        Ok(MicroEpsilon(micros))
    }

    /// Rounds a positive `f64` no larger than `limits.max` down to whole
    /// micro-epsilons.
    ///
    /// The `f64` is read as the shortest decimal that names it (what
    /// `Display` prints: `0.3`, not `0.29999999999999998890`), i.e. as the
    /// number a person wrote, so `0.3` becomes 300 000 micro-epsilons rather
    /// than 299 999.
    pub(crate) fn from_f64(limits: &Limits, value: f64) -> Result<MicroEpsilon, ParameterError> {
        limits.check(value)?;
        MicroEpsilon::parse_decimal(limits, &value.to_string())
    }
}

/// The accepted range of an epsilon-valued parameter, and its name for
/// error messages.
pub(crate) struct Limits {
    pub(crate) name: &'static str,
    pub(crate) max: f64,
    /// Why the cap exists, starting with "; ".
    pub(crate) hint: &'static str,
}

impl Limits {
    fn check(&self, value: f64) -> Result<(), ParameterError> {
        check_finite_positive(self.name, value)?;
        if value > self.max {
            return Err(ParameterError::TooLarge { name: self.name, value, max: self.max, hint: self.hint });
        }
        Ok(())
    }
}

impl fmt::Display for MicroEpsilon {
    /// Prints the amount as a decimal epsilon without trailing zeros
    /// (`0.25`, `1`, `0.000001`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / MICROS_PER_UNIT;
        let frac = self.0 % MICROS_PER_UNIT;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:06}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Prints a number the way a person would write it: plain decimals for
/// ordinary magnitudes (`0.25`, `10`), scientific notation when the plain
/// form would run long (`1e-300` rather than three hundred zeros).
fn show(value: &f64) -> String {
    let plain = value.to_string();
    if plain.len() > 12 && *value != 0.0 && value.is_finite() {
        format!("{value:e}")
    } else {
        plain
    }
}

fn check_finite_positive(name: &'static str, value: f64) -> Result<(), ParameterError> {
    if !value.is_finite() {
        return Err(ParameterError::NotFinite { name, value });
    }
    if value <= 0.0 {
        return Err(ParameterError::NotPositive { name, value });
    }
    Ok(())
}

/// `⌊input · 10⁶⌋` for a plain decimal with an optional exponent
/// (`12`, `0.5`, `.5`, `5.`, `2.5e-3`), computed on the digits so nothing
/// is lost to binary rounding. `None` for anything else or a result past
/// `u64`.
fn parse_micros(input: &str) -> Option<u64> {
    let input = input.strip_prefix('+').unwrap_or(input);
    let (mantissa, exponent) = match input.find(['e', 'E']) {
        Some(at) => (&input[..at], input[at + 1..].parse::<i64>().ok()?),
        None => (input, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some(0);
    }
    // value = digits · 10^(exponent − |frac|); micros = value · 10^6.
    let shift = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?.checked_add(6)?;
    // u64::MAX has 20 digits: anything longer after shifting is too large.
    if shift >= 0 {
        let shift = usize::try_from(shift).ok()?;
        if digits.len().checked_add(shift)? > 20 {
            return None;
        }
        let base: u64 = digits.parse().ok()?;
        base.checked_mul(10u64.checked_pow(u32::try_from(shift).ok()?)?)
    } else {
        let cut = usize::try_from(shift.unsigned_abs()).ok()?;
        if cut >= digits.len() {
            return Some(0);
        }
        let kept = &digits[..digits.len() - cut];
        if kept.len() > 20 {
            return None;
        }
        kept.parse().ok()
    }
}

/// The privacy-loss parameter ε of one release: finite, at least one
/// micro-epsilon, at most [`Epsilon::MAX`].
///
/// Parse it from the command line with [`str::parse`] or from an `f64`
/// with [`Epsilon::new`]; either way the value is rounded down to whole
/// micro-epsilons (never up, so the guarantee is never weaker than asked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Epsilon {
    // INVARIANT (epsilon range): 1 ≤ micros ≤ Epsilon::MAX·10⁶, upheld by
    // `Epsilon::from_micros`, which every constructor goes through.
    micros: MicroEpsilon,
}

impl Epsilon {
    /// The largest epsilon accepted. Beyond about 10 the factor e^ε by which
    /// one person can shift any outcome's probability exceeds 20 000, which
    /// protects no one; a larger value is more likely a typo than a choice.
    pub const MAX: f64 = 10.0;

    const MAX_MICROS: u64 = 10 * MICROS_PER_UNIT;

    const LIMITS: Limits = Limits { name: "epsilon", max: Epsilon::MAX, hint: "; a larger epsilon would protect no one" };

    /// Validates an epsilon given as an `f64`.
    ///
    /// # Errors
    ///
    /// When the value is not finite, not positive, above [`Epsilon::MAX`]
    /// or below one micro-epsilon.
    pub fn new(value: f64) -> Result<Epsilon, ParameterError> {
        let micros = MicroEpsilon::from_f64(&Epsilon::LIMITS, value)?;
        Epsilon::checked(micros, value)
    }

    /// Validates an epsilon given in micro-epsilons.
    ///
    /// # Errors
    ///
    /// When `micros` is zero or above [`Epsilon::MAX`].
    pub fn from_micros(micros: MicroEpsilon) -> Result<Epsilon, ParameterError> {
        Epsilon::checked(micros, micros.as_f64())
    }

    fn checked(micros: MicroEpsilon, value: f64) -> Result<Epsilon, ParameterError> {
        if micros.get() == 0 {
            return Err(ParameterError::NotPositive { name: "epsilon", value });
        }
        if micros.get() > Epsilon::MAX_MICROS || value > Epsilon::MAX {
            return Err(ParameterError::TooLarge { name: "epsilon", value, max: Epsilon::MAX, hint: Epsilon::LIMITS.hint });
        }
        // INVARIANT (epsilon range): both ends checked above.
        Ok(Epsilon { micros })
    }

    /// The epsilon in micro-epsilons, the unit charged to the budget.
    pub const fn micros(self) -> MicroEpsilon {
        self.micros
    }

    /// The epsilon as an `f64`, for display.
    pub fn get(self) -> f64 {
        self.micros.as_f64()
    }
}

impl FromStr for Epsilon {
    type Err = ParameterError;

    fn from_str(s: &str) -> Result<Epsilon, ParameterError> {
        let micros = MicroEpsilon::parse_decimal(&Epsilon::LIMITS, s)?;
        Epsilon::from_micros(micros)
    }
}

impl TryFrom<f64> for Epsilon {
    type Error = ParameterError;

    fn try_from(value: f64) -> Result<Epsilon, ParameterError> {
        Epsilon::new(value)
    }
}

impl From<Epsilon> for f64 {
    fn from(epsilon: Epsilon) -> f64 {
        epsilon.get()
    }
}

impl fmt::Display for Epsilon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.micros.fmt(f)
    }
}

/// The failure probability δ of an (ε, δ) guarantee, used by the Gaussian
/// mechanism: finite, from [`Delta::MIN`] to [`Delta::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Delta(
    // INVARIANT (delta range): 0 < δ ≤ Delta::MAX, upheld by `Delta::new`.
    f64,
);

impl Delta {
    /// The largest delta accepted. δ is the probability that the ε promise
    /// fails outright, so it must be far below 1/n for n subjects; 10⁻³ is
    /// already generous for any table of customers.
    pub const MAX: f64 = 1e-3;

    /// The smallest delta accepted: far below anything meaningful, and it
    /// keeps δ/2 (see [`Delta::halved`]) a positive normal `f64`.
    pub const MIN: f64 = 1e-300;

    /// Validates a delta.
    ///
    /// # Errors
    ///
    /// When the value is not finite, not positive, below [`Delta::MIN`] or
    /// above [`Delta::MAX`].
    pub fn new(value: f64) -> Result<Delta, ParameterError> {
        check_finite_positive("delta", value)?;
        if value < Delta::MIN {
            return Err(ParameterError::TooSmall { name: "delta", value, min: Delta::MIN });
        }
        if value > Delta::MAX {
            return Err(ParameterError::TooLarge {
                name: "delta",
                value,
                max: Delta::MAX,
                hint: "; delta is the chance the guarantee fails and must be tiny",
            });
        }
        // INVARIANT (delta range): checked above.
        Ok(Delta(value))
    }

    /// The delta as an `f64`.
    pub const fn get(self) -> f64 {
        self.0
    }

    /// Half this delta, for splitting it between two releases (sequential
    /// composition adds deltas, as it adds epsilons).
    pub fn halved(self) -> Delta {
        // INVARIANT (delta range): δ ≥ Delta::MIN at parse time and every
        // halving is of a positive normal f64, so the half is positive and
        // smaller; the mechanisms halve at most once.
        Delta(self.0 / 2.0)
    }
}

impl FromStr for Delta {
    type Err = ParameterError;

    fn from_str(s: &str) -> Result<Delta, ParameterError> {
        let value: f64 = s.trim().parse().map_err(|_| ParameterError::Syntax { name: "delta", input: s.to_owned() })?;
        Delta::new(value)
    }
}

impl TryFrom<f64> for Delta {
    type Error = ParameterError;

    fn try_from(value: f64) -> Result<Delta, ParameterError> {
        Delta::new(value)
    }
}

impl From<Delta> for f64 {
    fn from(delta: Delta) -> f64 {
        delta.0
    }
}

impl fmt::Display for Delta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:e}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_exact_micro_epsilons_rounded_down() {
        assert_eq!(parse_micros("0.3"), Some(300_000));
        assert_eq!(parse_micros("1"), Some(1_000_000));
        assert_eq!(parse_micros(".5"), Some(500_000));
        assert_eq!(parse_micros("5."), Some(5_000_000));
        assert_eq!(parse_micros("2.5e-3"), Some(2_500));
        assert_eq!(parse_micros("1E+1"), Some(10_000_000));
        assert_eq!(parse_micros("0.0000019"), Some(1));
        assert_eq!(parse_micros("0.0000009"), Some(0));
        assert_eq!(parse_micros("1e-400"), Some(0));
        assert_eq!(parse_micros("0001.000"), Some(1_000_000));
        assert_eq!(parse_micros("1e30"), None);
        assert_eq!(parse_micros("abc"), None);
        assert_eq!(parse_micros("."), None);
        assert_eq!(parse_micros("1.2.3"), None);
    }

    #[test]
    fn epsilon_reads_what_a_person_typed() {
        assert_eq!("0.3".parse::<Epsilon>().unwrap().micros().get(), 300_000);
        assert_eq!(Epsilon::new(0.3).unwrap().micros().get(), 300_000);
        assert_eq!(Epsilon::new(0.1 + 0.2).unwrap().micros().get(), 300_000);
        assert_eq!(Epsilon::new(1e-6).unwrap().micros().get(), 1);
        assert_eq!(Epsilon::new(10.0).unwrap().micros().get(), 10_000_000);
        // Rounded down, never up: a smaller epsilon is a stronger promise.
        assert_eq!("0.1234567".parse::<Epsilon>().unwrap().to_string(), "0.123456");
        assert_eq!(Epsilon::new(2.5).unwrap().to_string(), "2.5");
    }

    #[test]
    fn epsilon_parse_errors_say_what_is_wrong() {
        let err = |s: &str| s.parse::<Epsilon>().unwrap_err().to_string();
        assert_eq!(err("abc"), "epsilon must be a decimal number, got `abc`");
        assert_eq!(err("inf"), "epsilon must be a finite number, got `inf`");
        assert_eq!(err("NaN"), "epsilon must be a finite number, got `NaN`");
        assert_eq!(err("0"), "epsilon must be greater than 0, got `0`");
        assert_eq!(err("-1"), "epsilon must be greater than 0, got `-1`");
        assert_eq!(err("10.5"), "epsilon must be at most 10, got `10.5`; a larger epsilon would protect no one");
        assert_eq!(err("1e-7"), "epsilon must be at least 0.000001, got `0.0000001`");
        assert_eq!(err("1e30"), "epsilon must be at most 10, got `1e30`; a larger epsilon would protect no one");
        assert!(Epsilon::new(f64::NAN).is_err());
        assert!(Epsilon::new(f64::INFINITY).is_err());
        assert!(Epsilon::from_micros(MicroEpsilon::ZERO).is_err());
        assert!(Epsilon::from_micros(MicroEpsilon::new(10_000_001)).is_err());
    }

    #[test]
    fn delta_parse_errors_say_what_is_wrong() {
        assert_eq!("1e-5".parse::<Delta>().unwrap().get(), 1e-5);
        assert_eq!("0.001".parse::<Delta>().unwrap().get(), 1e-3);
        let err = |s: &str| s.parse::<Delta>().unwrap_err().to_string();
        assert_eq!(err("often"), "delta must be a decimal number, got `often`");
        assert_eq!(err("0"), "delta must be greater than 0, got `0`");
        assert_eq!(err("0.01"), "delta must be at most 0.001, got `0.01`; delta is the chance the guarantee fails and must be tiny");
        assert!(Delta::new(f64::NAN).is_err());
        assert_eq!(err("1e-320"), "delta must be at least 1e-300, got `1e-320`");
        assert_eq!(Delta::new(1e-5).unwrap().halved().get(), 5e-6);
    }

    #[test]
    fn epsilon_and_delta_round_trip_through_serde() {
        let e: Epsilon = serde_json::from_str("0.5").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "0.5");
        assert!(serde_json::from_str::<Epsilon>("11").is_err());
        assert!(serde_json::from_str::<Delta>("0.5").is_err());
    }

    #[test]
    fn micro_epsilons_print_as_decimals() {
        assert_eq!(MicroEpsilon::new(250_000).to_string(), "0.25");
        assert_eq!(MicroEpsilon::new(3_000_000).to_string(), "3");
        assert_eq!(MicroEpsilon::new(1).to_string(), "0.000001");
        assert_eq!(MicroEpsilon::ZERO.to_string(), "0");
    }
}
