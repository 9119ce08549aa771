//! The consent ledger's state machine. The ledger is append-only; the current
//! state is always derived from it by folding its events in order, never kept
//! as a mutable flag alone.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::PurposeId;

/// What a ledger event says.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    /// Consent given for a purpose.
    Grant,
    /// Consent withdrawn for a purpose (Art. 7(3)).
    Withdraw,
    /// Objection to a purpose (Art. 21).
    Object,
    /// Processing restricted (Art. 18): subject-wide.
    Restrict,
    /// Restriction lifted: subject-wide.
    LiftRestriction,
    /// CCPA opt-out of sale and sharing (also a GPC signal): subject-wide.
    OptOutSaleShare,
    /// Opt back in to sale/share: subject-wide.
    OptInSaleShare,
    /// CCPA limit the use of sensitive personal information: subject-wide.
    LimitSensitiveUse,
}

impl ConsentAction {
    /// Every action.
    pub const ALL: [ConsentAction; 8] = [
        Self::Grant,
        Self::Withdraw,
        Self::Object,
        Self::Restrict,
        Self::LiftRestriction,
        Self::OptOutSaleShare,
        Self::OptInSaleShare,
        Self::LimitSensitiveUse,
    ];

    /// Name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Withdraw => "withdraw",
            Self::Object => "object",
            Self::Restrict => "restrict",
            Self::LiftRestriction => "lift_restriction",
            Self::OptOutSaleShare => "opt_out_sale_share",
            Self::OptInSaleShare => "opt_in_sale_share",
            Self::LimitSensitiveUse => "limit_sensitive_use",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether the action is about one purpose (else about the subject).
    pub fn per_purpose(self) -> bool {
        matches!(self, Self::Grant | Self::Withdraw | Self::Object)
    }
}

impl fmt::Display for ConsentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a consent event came from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// The customer, in the privacy center.
    PrivacyCenter,
    /// An API client.
    Api,
    /// Staff on the command line.
    Cli,
    /// A bulk import of consents collected elsewhere.
    Import,
    /// A Global Privacy Control signal (`Sec-GPC: 1`).
    Gpc,
    /// A rights request being executed.
    RightsRequest,
}

impl ConsentSource {
    /// Every source.
    pub const ALL: [ConsentSource; 6] = [Self::PrivacyCenter, Self::Api, Self::Cli, Self::Import, Self::Gpc, Self::RightsRequest];

    /// Name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PrivacyCenter => "privacy_center",
            Self::Api => "api",
            Self::Cli => "cli",
            Self::Import => "import",
            Self::Gpc => "gpc",
            Self::RightsRequest => "rights_request",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One ledger entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    /// The purpose, for per-purpose actions.
    pub purpose: Option<PurposeId>,
    /// What happened.
    pub action: ConsentAction,
    /// The policy version shown when it happened.
    pub policy_version: u32,
    /// Where it came from.
    pub source: ConsentSource,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The subject's standing on one purpose.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurposeStatus {
    /// Consent given.
    Granted,
    /// Consent withdrawn.
    Withdrawn,
    /// Objected to.
    Objected,
}

/// The latest per-purpose event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeConsent {
    /// Current standing.
    pub status: PurposeStatus,
    /// Policy version in force when it was recorded.
    pub policy_version: u32,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A subject's consent state, derived from the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    /// Per-purpose standing; a purpose absent here has had no event.
    pub purposes: BTreeMap<PurposeId, PurposeConsent>,
    /// Processing restricted (Art. 18).
    pub restricted: bool,
    /// CCPA opt-out of sale/share in force.
    pub sale_share_opt_out: bool,
    /// CCPA limit-sensitive-use in force.
    pub limit_sensitive_use: bool,
}

impl ConsentState {
    /// Fold events, oldest first, into the current state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a ConsentEvent>) -> Self {
        let mut s = Self::default();
        for e in events {
            s.apply(e);
        }
        s
    }

    /// Apply one event. Events for a purpose without a purpose id are ignored
    /// (the store refuses to record them).
    pub fn apply(&mut self, e: &ConsentEvent) {
        let status = match e.action {
            ConsentAction::Grant => PurposeStatus::Granted,
            ConsentAction::Withdraw => PurposeStatus::Withdrawn,
            ConsentAction::Object => PurposeStatus::Objected,
            ConsentAction::Restrict => return self.restricted = true,
            ConsentAction::LiftRestriction => return self.restricted = false,
            ConsentAction::OptOutSaleShare => return self.sale_share_opt_out = true,
            ConsentAction::OptInSaleShare => return self.sale_share_opt_out = false,
            ConsentAction::LimitSensitiveUse => return self.limit_sensitive_use = true,
        };
        if let Some(p) = &e.purpose {
            self.purposes.insert(p.clone(), PurposeConsent { status, policy_version: e.policy_version, at: e.at });
        }
    }

    /// The standing on one purpose.
    pub fn purpose(&self, p: &str) -> Option<&PurposeConsent> {
        self.purposes.iter().find(|(k, _)| k.as_str() == p).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ev(purpose: Option<&str>, action: ConsentAction, v: u32) -> ConsentEvent {
        ConsentEvent {
            purpose: purpose.map(|p| PurposeId::parse(p).unwrap()),
            action,
            policy_version: v,
            source: ConsentSource::Cli,
            at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    #[test]
    fn the_last_event_for_a_purpose_wins_and_others_are_untouched() {
        let events = [
            ev(Some("personalization"), ConsentAction::Grant, 1),
            ev(Some("analytics"), ConsentAction::Object, 1),
            ev(Some("personalization"), ConsentAction::Withdraw, 2),
        ];
        let s = ConsentState::from_events(&events);
        assert_eq!(s.purpose("personalization").unwrap().status, PurposeStatus::Withdrawn);
        assert_eq!(s.purpose("personalization").unwrap().policy_version, 2);
        assert_eq!(s.purpose("analytics").unwrap().status, PurposeStatus::Objected);
        assert!(s.purpose("marketing.advertising").is_none());
    }

    #[test]
    fn subject_wide_flags_toggle_in_order() {
        let s = ConsentState::from_events(&[
            ev(None, ConsentAction::Restrict, 1),
            ev(None, ConsentAction::OptOutSaleShare, 1),
            ev(None, ConsentAction::LiftRestriction, 1),
        ]);
        assert!(!s.restricted);
        assert!(s.sale_share_opt_out);
        assert!(!s.limit_sensitive_use);
    }

    #[test]
    fn action_and_source_names_round_trip() {
        for a in ConsentAction::ALL {
            assert_eq!(ConsentAction::parse(a.as_str()), Some(a));
        }
        for s in ConsentSource::ALL {
            assert_eq!(ConsentSource::parse(s.as_str()), Some(s));
        }
    }
}
