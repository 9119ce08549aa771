//! Data-subject rights requests: which rights exist under which regime,
//! their legal deadlines, and the life cycle every request goes through
//! (received → identity verified → in progress → completed, or rejected
//! with a reason the customer is shown). Pure rules: the service stores
//! the requests and does the work.
//!
//! Deadlines:
//! - GDPR Art. 12(3): one month from receipt, extendable once by two
//!   further months, the customer told why within the first month. Months
//!   are calendar months (Regulation 1182/71): the period ends on the same
//!   day of the month, or on the month's last day when it has no such day
//!   (received 31 January, due 28 or 29 February).
//! - CCPA §1798.130(a)(2): 45 days, extendable once by 45 more, notice
//!   within the first 45. Opting out of sale/sharing and limiting the use
//!   of sensitive information are due in 15 business days and need no
//!   verified identity (CCPA Regulations §§ 7026(f), 7027(g), 7026(d)).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, Weekday};

/// A right a customer can exercise.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RightKind {
    /// See what is held (GDPR Art. 15; CCPA right to know).
    Access,
    /// Receive it in a machine-readable form (GDPR Art. 20; CCPA, with access).
    Portability,
    /// Have it erased (GDPR Art. 17; CCPA right to delete).
    Erasure,
    /// Have it corrected (GDPR Art. 16; CCPA right to correct).
    Rectification,
    /// Have processing restricted (GDPR Art. 18).
    Restriction,
    /// Object to processing on legitimate interests (GDPR Art. 21).
    Objection,
    /// Opt out of the sale or sharing of personal information (CCPA).
    OptOutSaleShare,
    /// Limit the use of sensitive personal information (CCPA).
    LimitSensitiveUse,
}

impl RightKind {
    /// Every right.
    pub const ALL: [RightKind; 8] = [
        Self::Access,
        Self::Portability,
        Self::Erasure,
        Self::Rectification,
        Self::Restriction,
        Self::Objection,
        Self::OptOutSaleShare,
        Self::LimitSensitiveUse,
    ];

    /// As written on the command line and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Portability => "portability",
            Self::Erasure => "erasure",
            Self::Rectification => "rectification",
            Self::Restriction => "restriction",
            Self::Objection => "objection",
            Self::OptOutSaleShare => "opt_out_sale_share",
            Self::LimitSensitiveUse => "limit_sensitive_use",
        }
    }

    /// Parse a name (`opt-out-sale-share` and `opt_out_sale_share` alike).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Where the right comes from under `regime`; `None` when the regime
    /// has no such right.
    pub fn legal_source(self, regime: Regime) -> Option<&'static str> {
        match (regime, self) {
            (Regime::Gdpr, Self::Access) => Some("GDPR Art. 15"),
            (Regime::Gdpr, Self::Portability) => Some("GDPR Art. 20"),
            (Regime::Gdpr, Self::Erasure) => Some("GDPR Art. 17"),
            (Regime::Gdpr, Self::Rectification) => Some("GDPR Art. 16"),
            (Regime::Gdpr, Self::Restriction) => Some("GDPR Art. 18"),
            (Regime::Gdpr, Self::Objection) => Some("GDPR Art. 21"),
            (Regime::Gdpr, Self::OptOutSaleShare | Self::LimitSensitiveUse) => None,
            (Regime::Ccpa, Self::Access) => Some("CCPA §1798.110"),
            (Regime::Ccpa, Self::Portability) => Some("CCPA §1798.130(a)(3)"),
            (Regime::Ccpa, Self::Erasure) => Some("CCPA §1798.105"),
            (Regime::Ccpa, Self::Rectification) => Some("CCPA §1798.106"),
            (Regime::Ccpa, Self::OptOutSaleShare) => Some("CCPA §1798.120"),
            (Regime::Ccpa, Self::LimitSensitiveUse) => Some("CCPA §1798.121"),
            (Regime::Ccpa, Self::Restriction | Self::Objection) => None,
        }
    }

    /// The regime a request of this kind falls under when none is named:
    /// the CCPA's own rights under the CCPA, the rest under the GDPR.
    pub fn default_regime(self) -> Regime {
        match self {
            Self::OptOutSaleShare | Self::LimitSensitiveUse => Regime::Ccpa,
            _ => Regime::Gdpr,
        }
    }

    /// Whether the customer's identity must be verified before the request
    /// is carried out. An opt-out needs none: anyone may stop a sale.
    pub fn needs_verification(self) -> bool {
        !matches!(self, Self::OptOutSaleShare | Self::LimitSensitiveUse)
    }
}

impl fmt::Display for RightKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The law a request is made under.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// The EU General Data Protection Regulation.
    Gdpr,
    /// The California Consumer Privacy Act (as amended by the CPRA).
    Ccpa,
}

impl Regime {
    /// As written on the command line and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gdpr => "gdpr",
            Self::Ccpa => "ccpa",
        }
    }

    /// Parse a name, case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Gdpr, Self::Ccpa].into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// When a request of `kind` received at `received` is due.
    pub fn due(self, kind: RightKind, received: OffsetDateTime) -> OffsetDateTime {
        match (self, kind) {
            (Self::Gdpr, _) => add_months(received, 1),
            (Self::Ccpa, RightKind::OptOutSaleShare | RightKind::LimitSensitiveUse) => add_business_days(received, 15),
            (Self::Ccpa, _) => received + Duration::days(45),
        }
    }

    /// The due date once extended, from the first one; `None` where the law
    /// allows no extension.
    pub fn extended(self, kind: RightKind, due: OffsetDateTime) -> Option<OffsetDateTime> {
        match (self, kind) {
            (Self::Gdpr, _) => Some(add_months(due, 2)),
            (Self::Ccpa, RightKind::OptOutSaleShare | RightKind::LimitSensitiveUse) => None,
            (Self::Ccpa, _) => Some(due + Duration::days(45)),
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `t` plus `n` calendar months, on the same day of the month or the
/// month's last day when it has no such day.
pub(crate) fn add_months(t: OffsetDateTime, n: u8) -> OffsetDateTime {
    let months = i32::from(u8::from(t.month())) - 1 + i32::from(n);
    let year = t.year() + months.div_euclid(12);
    let month = Month::try_from(u8::try_from(months.rem_euclid(12) + 1).unwrap_or(1)).unwrap_or(Month::January);
    let day = t.day().min(month.length(year));
    // Every part is in range by construction; a failure would leave the
    // date unchanged rather than panic.
    Date::from_calendar_date(year, month, day).map_or(t, |d| t.replace_date(d))
}

/// `t` plus `n` business days (Monday to Friday; public holidays differ by
/// state and year and are not counted out).
fn add_business_days(t: OffsetDateTime, n: u32) -> OffsetDateTime {
    let mut t = t;
    let mut left = n;
    while left > 0 {
        t += Duration::days(1);
        if !matches!(t.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    t
}

/// Where a request stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Received; the customer's identity is not yet verified.
    Received,
    /// The customer is who they say they are.
    Verified,
    /// Being carried out.
    InProgress,
    /// Done.
    Completed,
    /// Refused, with a reason the customer is shown.
    Rejected,
}

impl RequestState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Verified => "verified",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Received, Self::Verified, Self::InProgress, Self::Completed, Self::Rejected].into_iter().find(|st| st.as_str() == s)
    }

    /// Whether nothing more can happen to the request.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Rejected)
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a customer's identity was verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Verification {
    /// A one-time code sent to a contact point on record, entered back.
    OneTimeCode,
    /// A staff member, with the reason they recorded.
    Staff {
        /// Who verified.
        actor: String,
        /// Why they are satisfied (e.g. "ID document checked at the counter").
        reason: String,
    },
}

/// A deadline extension and its reason (told to the customer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Why more time is needed.
    pub reason: String,
    /// When it was decided.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Why a step of a request's life cycle is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RightsError {
    /// The regime has no such right.
    #[error("{kind} is not a right under {regime}: use {}", kind.default_regime())]
    NotUnderRegime {
        /// The right asked for.
        kind: RightKind,
        /// The regime named.
        regime: Regime,
    },
    /// The request is already completed or rejected.
    #[error("the request is already {state}")]
    AlreadyFinal {
        /// Its final state.
        state: RequestState,
    },
    /// The step needs the customer's identity verified first.
    #[error("the customer's identity is not verified yet: verify it with the code sent to them, or as staff with a reason")]
    NotVerified,
    /// The identity was verified already.
    #[error("the customer's identity is already verified")]
    AlreadyVerified,
    /// The step needs the request in progress.
    #[error("the request is {state}, not in progress")]
    NotInProgress {
        /// Where it stands.
        state: RequestState,
    },
    /// A reason is required and none was given.
    #[error("a reason is required: the customer is shown it")]
    NoReason,
    /// No code was sent for this request.
    #[error("no one-time code was sent for this request; send one first")]
    NoCode,
    /// The code expired or its attempts are used up.
    #[error("the one-time code expired or was entered wrongly too often; send a new one")]
    CodeExpired,
    /// The code entered is not the one sent.
    #[error("the code is not the one sent ({attempts_left} attempts left)")]
    WrongCode {
        /// Wrong entries still allowed.
        attempts_left: u8,
    },
    /// The deadline may be extended only once.
    #[error("the deadline was already extended")]
    AlreadyExtended,
    /// The deadline cannot be extended (the law allows none, or it passed).
    #[error("the deadline cannot be extended: {why}")]
    NoExtension {
        /// Why.
        why: &'static str,
    },
}

/// A rights request's rules: the kind, the regime, the state and the
/// deadline, and the steps that move it on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsRequest {
    /// The right exercised.
    pub kind: RightKind,
    /// The law it is made under.
    pub regime: Regime,
    /// Where it stands.
    pub state: RequestState,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// When it is due (after any extension).
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// How the customer's identity was verified, once it was.
    pub verification: Option<Verification>,
    /// The extension, if the deadline was extended.
    pub extension: Option<Extension>,
    /// Why it was rejected.
    pub rejection: Option<String>,
    /// The one-time code challenge sent to the customer, while one is
    /// outstanding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<Challenge>,
    /// What carrying the request out did, once it is completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<RequestResult>,
    /// A rectification the customer asked for with the values they gave:
    /// sealed under their own data key (base64), so only the service can
    /// read them and an erasure shreds them with the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_corrections: Option<String>,
}

/// A one-time code sent to the customer: only its keyed hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Keyed hash of the code, hex.
    pub code_hash: String,
    /// When the code stops being accepted.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Wrong entries still allowed before the code is void.
    pub attempts_left: u8,
}

/// How many records of one data category a request touched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// What the records are (`interactions`, `identities: email`, …).
    pub what: String,
    /// Their data category.
    pub category: String,
    /// How many.
    pub records: u64,
}

/// Data kept despite an erasure request, and the obligation that keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptData {
    /// The data category kept.
    pub category: String,
    /// The purpose whose legal obligation keeps it.
    pub purpose: String,
    /// The obligation, in words the customer is shown.
    pub why: String,
    /// Until when, at the latest.
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

/// What carrying out a request did: the report the customer and the
/// compliance team read. Counts and categories only, never personal data,
/// because the request outlives an erased customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestResult {
    /// Plain-language lines for the customer.
    pub summary: Vec<String>,
    /// Records deleted (erasure) or changed (rectification).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<CategoryCount>,
    /// Records exported (access, portability).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exported: Vec<CategoryCount>,
    /// Data kept, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<KeptData>,
    /// Recipients told of the erasure or correction (GDPR Art. 19).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notified: Vec<String>,
    /// Consent-ledger actions recorded (restriction, objection, opt-outs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recorded: Vec<String>,
    /// Where an export was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// Erasure: the bundles earlier access or portability requests wrote
    /// outside the server's exports directory (`--out`). They hold the
    /// customer's data in the clear and candor does not track copies
    /// handed over: deleting them is the operator's task.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundles_elsewhere: Vec<String>,
}

impl RightsRequest {
    /// A request received at `at`, due by the regime's rules.
    pub fn open(kind: RightKind, regime: Regime, at: OffsetDateTime) -> Result<Self, RightsError> {
        if kind.legal_source(regime).is_none() {
            return Err(RightsError::NotUnderRegime { kind, regime });
        }
        Ok(Self {
            kind,
            regime,
            state: RequestState::Received,
            received_at: at,
            due_at: regime.due(kind, at),
            verification: None,
            extension: None,
            rejection: None,
            challenge: None,
            result: None,
            sealed_corrections: None,
        })
    }

    fn not_final(&self) -> Result<(), RightsError> {
        if self.state.is_final() {
            return Err(RightsError::AlreadyFinal { state: self.state });
        }
        Ok(())
    }

    /// The customer's identity is verified.
    pub fn verify(&mut self, how: Verification) -> Result<(), RightsError> {
        self.not_final()?;
        if self.verification.is_some() {
            return Err(RightsError::AlreadyVerified);
        }
        if let Verification::Staff { reason, .. } = &how {
            if reason.trim().is_empty() {
                return Err(RightsError::NoReason);
            }
        }
        self.verification = Some(how);
        self.challenge = None;
        if self.state == RequestState::Received {
            self.state = RequestState::Verified;
        }
        Ok(())
    }

    /// Work on the request begins. Idempotent while in progress, so that a
    /// run that failed midway can be started again.
    pub fn start(&mut self) -> Result<(), RightsError> {
        self.not_final()?;
        if self.kind.needs_verification() && self.verification.is_none() {
            return Err(RightsError::NotVerified);
        }
        self.state = RequestState::InProgress;
        Ok(())
    }

    /// The work is done; `result` says what it did.
    pub fn complete(&mut self, result: RequestResult) -> Result<(), RightsError> {
        self.not_final()?;
        if self.state != RequestState::InProgress {
            return Err(RightsError::NotInProgress { state: self.state });
        }
        self.state = RequestState::Completed;
        self.result = Some(result);
        Ok(())
    }

    /// A one-time code was sent: remember its keyed hash until
    /// `expires_at`, allowing `attempts` wrong entries. A new code
    /// replaces any earlier one.
    pub fn challenge(&mut self, code_hash: String, expires_at: OffsetDateTime, attempts: u8) -> Result<(), RightsError> {
        self.not_final()?;
        if self.verification.is_some() {
            return Err(RightsError::AlreadyVerified);
        }
        self.challenge = Some(Challenge { code_hash, expires_at, attempts_left: attempts });
        Ok(())
    }

    /// The customer entered a code whose keyed hash is `code_hash`, at
    /// `at`. A match verifies the request; a miss uses up an attempt
    /// (the caller stores that too) and says why it failed.
    pub fn answer(&mut self, code_hash: &str, at: OffsetDateTime) -> Result<(), RightsError> {
        self.not_final()?;
        if self.verification.is_some() {
            return Err(RightsError::AlreadyVerified);
        }
        let Some(c) = &mut self.challenge else { return Err(RightsError::NoCode) };
        if at > c.expires_at || c.attempts_left == 0 {
            return Err(RightsError::CodeExpired);
        }
        // Constant time: the comparison must not tell how much matched.
        if !bool::from(subtle::ConstantTimeEq::ct_eq(c.code_hash.as_bytes(), code_hash.as_bytes())) {
            c.attempts_left -= 1;
            return Err(RightsError::WrongCode { attempts_left: c.attempts_left });
        }
        self.verify(Verification::OneTimeCode)
    }

    /// The request is refused, for `reason`.
    pub fn reject(&mut self, reason: &str) -> Result<(), RightsError> {
        self.not_final()?;
        if reason.trim().is_empty() {
            return Err(RightsError::NoReason);
        }
        self.state = RequestState::Rejected;
        self.rejection = Some(reason.trim().to_owned());
        Ok(())
    }

    /// Extend the deadline once, for `reason`, decided at `at` (which must
    /// be before the first deadline: the customer has to be told in time).
    pub fn extend(&mut self, reason: &str, at: OffsetDateTime) -> Result<(), RightsError> {
        self.not_final()?;
        if self.extension.is_some() {
            return Err(RightsError::AlreadyExtended);
        }
        if reason.trim().is_empty() {
            return Err(RightsError::NoReason);
        }
        if at > self.due_at {
            return Err(RightsError::NoExtension { why: "the first deadline has passed" });
        }
        if at < self.received_at {
            return Err(RightsError::NoExtension { why: "it is dated before the request was received" });
        }
        let due =
            self.regime.extended(self.kind, self.due_at).ok_or(RightsError::NoExtension { why: "the law allows none for this right" })?;
        self.due_at = due;
        self.extension = Some(Extension { reason: reason.trim().to_owned(), at });
        Ok(())
    }

    /// Whether the request is past its deadline and not finished.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        !self.state.is_final() && now > self.due_at
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn gdpr_months_end_on_the_same_day_or_the_months_last() {
        let due = |t| Regime::Gdpr.due(RightKind::Access, t);
        assert_eq!(due(datetime!(2026-03-15 10:00 UTC)), datetime!(2026-04-15 10:00 UTC));
        assert_eq!(due(datetime!(2026-01-31 09:30 UTC)), datetime!(2026-02-28 09:30 UTC));
        assert_eq!(due(datetime!(2028-01-31 09:30 UTC)), datetime!(2028-02-29 09:30 UTC), "leap year");
        assert_eq!(due(datetime!(2026-12-20 00:00 UTC)), datetime!(2027-01-20 00:00 UTC), "over the year's end");
        // Two further months from the first deadline (the earlier of the
        // two readings where a month has fewer days).
        let first = due(datetime!(2026-01-31 09:30 UTC));
        assert_eq!(Regime::Gdpr.extended(RightKind::Access, first), Some(datetime!(2026-04-28 09:30 UTC)));
    }

    #[test]
    fn ccpa_requests_take_45_days_and_opt_outs_15_business_days() {
        let received = datetime!(2026-12-01 12:00 UTC); // a Tuesday
        assert_eq!(Regime::Ccpa.due(RightKind::Erasure, received), datetime!(2027-01-15 12:00 UTC));
        assert_eq!(Regime::Ccpa.extended(RightKind::Erasure, datetime!(2027-01-15 12:00 UTC)), Some(datetime!(2027-03-01 12:00 UTC)));
        // Three weeks of weekdays: Tuesday to the Tuesday three weeks on.
        assert_eq!(Regime::Ccpa.due(RightKind::OptOutSaleShare, received), datetime!(2026-12-22 12:00 UTC));
        assert_eq!(Regime::Ccpa.extended(RightKind::OptOutSaleShare, received), None);
    }

    #[test]
    fn rights_exist_only_under_their_regime() {
        assert!(RightsRequest::open(RightKind::Restriction, Regime::Ccpa, datetime!(2026-12-01 0:00 UTC)).is_err());
        let e = RightsRequest::open(RightKind::OptOutSaleShare, Regime::Gdpr, datetime!(2026-12-01 0:00 UTC)).unwrap_err();
        assert_eq!(e.to_string(), "opt_out_sale_share is not a right under gdpr: use ccpa");
        for kind in RightKind::ALL {
            assert!(kind.legal_source(kind.default_regime()).is_some(), "{kind}");
            assert_eq!(RightKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RightKind::parse("Opt-Out-Sale-Share"), Some(RightKind::OptOutSaleShare));
        assert_eq!(RightKind::parse("forget-me"), None);
    }

    #[test]
    fn a_request_is_verified_then_carried_out_or_rejected() {
        let at = datetime!(2026-12-01 0:00 UTC);
        let mut r = RightsRequest::open(RightKind::Erasure, Regime::Gdpr, at).unwrap();
        assert_eq!(r.start(), Err(RightsError::NotVerified), "identity first");
        assert_eq!(r.complete(RequestResult::default()), Err(RightsError::NotInProgress { state: RequestState::Received }));
        assert_eq!(r.verify(Verification::Staff { actor: "dpo".into(), reason: " ".into() }), Err(RightsError::NoReason));
        r.verify(Verification::OneTimeCode).unwrap();
        assert_eq!(r.state, RequestState::Verified);
        assert_eq!(r.verify(Verification::OneTimeCode), Err(RightsError::AlreadyVerified));
        r.start().unwrap();
        r.start().unwrap(); // a run that failed midway starts again
        r.complete(RequestResult::default()).unwrap();
        assert_eq!(r.state, RequestState::Completed);
        assert_eq!(r.start(), Err(RightsError::AlreadyFinal { state: RequestState::Completed }), "executing twice");
        assert_eq!(r.reject("too late"), Err(RightsError::AlreadyFinal { state: RequestState::Completed }));

        let mut r = RightsRequest::open(RightKind::Access, Regime::Gdpr, at).unwrap();
        assert_eq!(r.reject(""), Err(RightsError::NoReason));
        r.reject("we hold no data about this address").unwrap();
        assert_eq!((r.state, r.rejection.as_deref()), (RequestState::Rejected, Some("we hold no data about this address")));
    }

    #[test]
    fn an_opt_out_needs_no_verified_identity() {
        let mut r = RightsRequest::open(RightKind::OptOutSaleShare, Regime::Ccpa, datetime!(2026-12-01 0:00 UTC)).unwrap();
        r.start().unwrap();
        r.complete(RequestResult::default()).unwrap();
        assert_eq!(r.state, RequestState::Completed);
    }

    #[test]
    fn a_deadline_is_extended_once_in_time_with_a_reason_and_overdue_after() {
        let at = datetime!(2026-12-01 0:00 UTC);
        let mut r = RightsRequest::open(RightKind::Access, Regime::Gdpr, at).unwrap();
        assert!(!r.is_overdue(datetime!(2027-01-01 0:00 UTC)));
        assert!(r.is_overdue(datetime!(2027-01-01 0:01 UTC)));
        assert_eq!(r.extend("", at), Err(RightsError::NoReason));
        assert_eq!(
            r.extend("complex", datetime!(2027-01-02 0:00 UTC)),
            Err(RightsError::NoExtension { why: "the first deadline has passed" })
        );
        assert_eq!(
            r.extend("backdated", datetime!(2026-11-30 0:00 UTC)),
            Err(RightsError::NoExtension { why: "it is dated before the request was received" })
        );
        r.extend("many linked accounts to search", datetime!(2026-12-20 0:00 UTC)).unwrap();
        assert_eq!(r.due_at, datetime!(2027-03-01 0:00 UTC));
        assert_eq!(r.extend("again", datetime!(2026-12-21 0:00 UTC)), Err(RightsError::AlreadyExtended));
        assert!(!r.is_overdue(datetime!(2027-02-15 0:00 UTC)));
        r.verify(Verification::OneTimeCode).unwrap();
        r.start().unwrap();
        r.complete(RequestResult::default()).unwrap();
        assert!(!r.is_overdue(datetime!(2030-01-01 0:00 UTC)), "a finished request is never overdue");
    }

    #[test]
    fn a_one_time_code_verifies_once_within_its_time_and_attempts() {
        let at = datetime!(2026-12-01 12:00 UTC);
        let mut r = RightsRequest::open(RightKind::Access, Regime::Gdpr, at).unwrap();
        assert_eq!(r.answer("aa", at), Err(RightsError::NoCode));
        r.challenge("aa".into(), at + time::Duration::minutes(15), 2).unwrap();
        assert_eq!(r.answer("ab", at), Err(RightsError::WrongCode { attempts_left: 1 }));
        assert_eq!(r.answer("aa", at + time::Duration::minutes(16)), Err(RightsError::CodeExpired));
        r.answer("aa", at).unwrap();
        assert_eq!(r.state, RequestState::Verified);
        assert_eq!(r.verification, Some(Verification::OneTimeCode));
        assert_eq!(r.challenge, None, "a used code is forgotten");
        assert_eq!(r.answer("aa", at), Err(RightsError::AlreadyVerified));

        // Attempts run out: even the right code is refused afterwards.
        let mut r = RightsRequest::open(RightKind::Access, Regime::Gdpr, at).unwrap();
        r.challenge("aa".into(), at + time::Duration::minutes(15), 1).unwrap();
        assert_eq!(r.answer("zz", at), Err(RightsError::WrongCode { attempts_left: 0 }));
        assert_eq!(r.answer("aa", at), Err(RightsError::CodeExpired));
    }

    #[test]
    fn a_result_is_kept_with_the_completed_request_and_old_rows_still_read() {
        let at = datetime!(2026-12-01 12:00 UTC);
        let mut r = RightsRequest::open(RightKind::Restriction, Regime::Gdpr, at).unwrap();
        r.verify(Verification::Staff { actor: "a".into(), reason: "id checked".into() }).unwrap();
        r.start().unwrap();
        let result = RequestResult { summary: vec!["done".into()], recorded: vec!["restrict".into()], ..Default::default() };
        r.complete(result.clone()).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        let back: RightsRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back.result, Some(result));
        // A request stored before results existed still reads.
        let old = json.replace(r#","result":{"summary":["done"],"recorded":["restrict"]}"#, "");
        assert_ne!(old, json);
        assert_eq!(serde_json::from_str::<RightsRequest>(&old).unwrap().result, None);
    }
}
