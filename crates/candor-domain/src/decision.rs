//! The access decision: the one gate every read or use of personal data goes
//! through. Pure and fail-closed: anything unknown (purpose, category, role,
//! consent standing) is a denial with a reason a person can read.

use std::fmt;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::actor::Actor;
use crate::category::{CategoryId, Taxonomy};
use crate::consent::{ConsentState, PurposeStatus};
use crate::ids::PurposeId;
use crate::policy::{Ccpa, ConsentDefault, LegalBasis, PolicyContext, Purpose};

/// One access question.
#[derive(Clone, Copy, Debug)]
pub struct AccessRequest<'a> {
    /// Who asks.
    pub actor: &'a Actor,
    /// For what purpose.
    pub purpose: &'a str,
    /// Which data categories they want.
    pub categories: &'a [CategoryId],
    /// The subject's consent state, derived from the ledger at `now`.
    pub consent: &'a ConsentState,
    /// The purposes a legal hold on the subject's data stands for at
    /// `now` (see [`consent_allows`]).
    pub held: &'a [PurposeId],
    /// When.
    pub now: OffsetDateTime,
}

/// Why one requested category is withheld from an allowed access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Withheld {
    /// The purpose does not cover it.
    NotInPurpose,
    /// A special category the purpose has no Art. 9(2) condition for.
    SpecialCategory,
    /// The subject limited the use of sensitive data (CCPA).
    LimitedSensitiveUse,
}

/// Why an access is denied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DenyReason {
    /// The actor is not known.
    UnknownActor {
        /// actor id
        actor: String,
    },
    /// The actor never attested privacy training.
    NoTraining {
        /// actor id
        actor: String,
    },
    /// The attestation expired.
    TrainingExpired {
        /// actor id
        actor: String,
        /// when it expired
        #[serde(with = "time::serde::rfc3339")]
        expired_at: OffsetDateTime,
    },
    /// The purpose is not in the policy.
    UnknownPurpose {
        /// the purpose asked for
        purpose: String,
    },
    /// None of the actor's roles may use the purpose.
    RoleNotPermitted {
        /// actor id
        actor: String,
        /// the purpose
        purpose: String,
    },
    /// A requested category is unknown.
    UnknownCategory {
        /// the category
        category: String,
    },
    /// The subject's consent ledger could not be read: fail closed.
    ConsentUnreadable,
    /// Processing is restricted (Art. 18).
    Restricted,
    /// Opt-in purpose without consent.
    NoConsent {
        /// the purpose
        purpose: String,
    },
    /// Consent withdrawn.
    ConsentWithdrawn {
        /// the purpose
        purpose: String,
    },
    /// The subject objected.
    Objected {
        /// the purpose
        purpose: String,
    },
    /// Consent predates a material change of the purpose.
    ConsentOutdated {
        /// the purpose
        purpose: String,
        /// version consent was given under
        given_under: u32,
        /// version that changed the purpose materially
        changed_in: u32,
    },
    /// CCPA opt-out of sale/share.
    SaleShareOptOut {
        /// the purpose
        purpose: String,
    },
    /// Recipient missing from the policy.
    NoAgreement {
        /// the recipient
        recipient: String,
    },
    /// Agreement not yet in force.
    AgreementNotYetValid {
        /// the recipient
        recipient: String,
        /// first valid day
        valid_from: Date,
    },
    /// Agreement ended.
    AgreementExpired {
        /// the recipient
        recipient: String,
        /// last valid day
        valid_until: Date,
    },
    /// Every requested category was withheld.
    NothingPermitted {
        /// the purpose
        purpose: String,
    },
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownActor { actor } => write!(f, "`{actor}` is not a known staff member or API client"),
            Self::NoTraining { actor } => write!(f, "`{actor}` has no privacy-and-ethics training attestation; complete the training before accessing personal data"),
            Self::TrainingExpired { actor, expired_at } => write!(f, "the training attestation of `{actor}` expired on {}; renew it before accessing personal data", expired_at.date()),
            Self::UnknownPurpose { purpose } => write!(f, "the policy in force has no purpose `{purpose}`"),
            Self::RoleNotPermitted { actor, purpose } => write!(f, "none of the roles of `{actor}` may use the purpose `{purpose}`"),
            Self::UnknownCategory { category } => write!(f, "`{category}` is not a known data category"),
            Self::ConsentUnreadable => write!(f, "the customer's consent record could not be read, so no processing is allowed until it is repaired"),
            Self::Restricted => write!(f, "the customer restricted processing of their data (GDPR Art. 18); it may only be stored, or used for a legal claim it is held for"),
            Self::NoConsent { purpose } => write!(f, "the customer has not consented to `{purpose}`"),
            Self::ConsentWithdrawn { purpose } => write!(f, "the customer withdrew consent to `{purpose}`"),
            Self::Objected { purpose } => write!(f, "the customer objected to `{purpose}`"),
            Self::ConsentOutdated { purpose, given_under, changed_in } => write!(f, "consent to `{purpose}` was given under policy version {given_under}, but version {changed_in} changed the purpose materially; fresh consent is needed"),
            Self::SaleShareOptOut { purpose } => write!(f, "the customer opted out of the sale or sharing of their data, which `{purpose}` is"),
            Self::NoAgreement { recipient } => write!(f, "there is no sharing agreement with `{recipient}`"),
            Self::AgreementNotYetValid { recipient, valid_from } => write!(f, "the sharing agreement with `{recipient}` applies only from {valid_from}"),
            Self::AgreementExpired { recipient, valid_until } => write!(f, "the sharing agreement with `{recipient}` expired after {valid_until}"),
            Self::NothingPermitted { purpose } => write!(f, "the purpose `{purpose}` may read none of the requested data categories"),
        }
    }
}

/// The gate's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Access allowed to `permitted`; `withheld` lists what was asked and
    /// refused, with why.
    Allow {
        /// categories that may be read
        permitted: Vec<CategoryId>,
        /// categories refused
        withheld: Vec<(CategoryId, Withheld)>,
    },
    /// Access denied.
    Deny(DenyReason),
}

impl Decision {
    /// Whether access is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allow { .. })
    }
}

/// Whether the subject's choices (restriction, withdrawal, objection, consent
/// and its freshness, CCPA opt-out) let `purpose` run for them. The part of
/// [`decide`] that depends on the subject only, so that the privacy center
/// can tell a customer what is in effect without naming an actor.
///
/// `held` names the purposes a legal hold on the subject's data stands
/// for. Restricted data may, beyond storage, still be used to establish,
/// exercise or defend legal claims (GDPR Art. 18(2)): a restriction lets
/// exactly those purposes through, when the policy marks them
/// `legal_hold`, and every other rule still applies to them.
pub fn consent_allows(ctx: &PolicyContext, purpose: &Purpose, consent: &ConsentState, held: &[PurposeId]) -> Result<(), DenyReason> {
    use DenyReason as D;
    let pid = || purpose.id.to_string();
    if consent.restricted && !(purpose.legal_hold && held.contains(&purpose.id)) {
        return Err(D::Restricted);
    }
    let standing = consent.purpose(purpose.id.as_str());
    match standing.map(|s| s.status) {
        Some(PurposeStatus::Withdrawn) if purpose.default != ConsentDefault::NotApplicable => {
            return Err(D::ConsentWithdrawn { purpose: pid() })
        }
        Some(PurposeStatus::Objected) if purpose.legal_basis.objectable() || purpose.default != ConsentDefault::NotApplicable => {
            return Err(D::Objected { purpose: pid() })
        }
        _ => {}
    }
    let needs_grant = purpose.legal_basis == LegalBasis::Consent || purpose.default == ConsentDefault::OptIn;
    if needs_grant {
        match standing {
            Some(s) if s.status == PurposeStatus::Granted => {
                if let Some(&changed_in) = ctx.fresh_consent_since.get(&purpose.id) {
                    if s.policy_version < changed_in {
                        return Err(D::ConsentOutdated { purpose: pid(), given_under: s.policy_version, changed_in });
                    }
                }
            }
            _ => return Err(D::NoConsent { purpose: pid() }),
        }
    }
    if purpose.ccpa != Ccpa::None && consent.sale_share_opt_out {
        return Err(D::SaleShareOptOut { purpose: pid() });
    }
    Ok(())
}

/// The part of [`decide`] that depends on the actor only: a current
/// training attestation, a purpose the policy has, a role that may use it,
/// and known categories. Aggregate queries (analytics) ask this once, then
/// [`consent_allows`] for each subject whose data they count.
pub fn actor_allows<'c>(
    ctx: &'c PolicyContext,
    actor: &Actor,
    purpose: &str,
    categories: &[CategoryId],
    now: OffsetDateTime,
) -> Result<&'c Purpose, DenyReason> {
    use DenyReason as D;
    match actor.training_expires_at {
        None => return Err(D::NoTraining { actor: actor.id.clone() }),
        Some(exp) if exp <= now => return Err(D::TrainingExpired { actor: actor.id.clone(), expired_at: exp }),
        Some(_) => {}
    }
    let Some(purpose) = ctx.policy.purpose(purpose) else {
        return Err(D::UnknownPurpose { purpose: purpose.to_owned() });
    };
    let permitted_by_role = actor.roles.iter().any(|r| ctx.policy.roles.get(r).is_some_and(|ps| ps.iter().any(|p| p == &purpose.id)));
    if !permitted_by_role {
        return Err(D::RoleNotPermitted { actor: actor.id.clone(), purpose: purpose.id.to_string() });
    }
    let taxonomy = Taxonomy::fideslang();
    if let Some(c) = categories.iter().find(|c| !taxonomy.contains(c.as_str())) {
        return Err(D::UnknownCategory { category: c.to_string() });
    }
    Ok(purpose)
}

/// Decide one access: the actor ([`actor_allows`]), the subject's choices
/// ([`consent_allows`]), the recipient's agreement, then field by field
/// what the purpose covers.
pub fn decide(ctx: &PolicyContext, req: &AccessRequest<'_>) -> Decision {
    use DenyReason as D;
    let purpose = match actor_allows(ctx, req.actor, req.purpose, req.categories, req.now) {
        Ok(p) => p,
        Err(reason) => return Decision::Deny(reason),
    };
    let pid = || purpose.id.to_string();
    let taxonomy = Taxonomy::fideslang();
    let consent = req.consent;
    if let Err(reason) = consent_allows(ctx, purpose, consent, req.held) {
        return Decision::Deny(reason);
    }
    if let Some(rid) = &purpose.recipient {
        let Some(recipient) = ctx.policy.recipients.get(rid) else {
            return Decision::Deny(D::NoAgreement { recipient: rid.clone() });
        };
        let today = req.now.date();
        let a = &recipient.agreement;
        if today < a.valid_from {
            return Decision::Deny(D::AgreementNotYetValid { recipient: rid.clone(), valid_from: a.valid_from });
        }
        if today > a.valid_until {
            return Decision::Deny(D::AgreementExpired { recipient: rid.clone(), valid_until: a.valid_until });
        }
    }

    // Field by field: what the purpose covers, less special data it may not use.
    let mut permitted = Vec::with_capacity(req.categories.len());
    let mut withheld = Vec::new();
    for c in req.categories {
        let special = taxonomy.covers_special(c);
        let why = if !purpose.categories.iter().any(|p| p.covers(c)) {
            Some(Withheld::NotInPurpose)
        } else if special && (purpose.special_condition.is_none() || purpose.is_marketing()) {
            Some(Withheld::SpecialCategory)
        } else if special && consent.limit_sensitive_use && purpose.legal_basis != LegalBasis::LegalObligation {
            Some(Withheld::LimitedSensitiveUse)
        } else {
            None
        };
        match why {
            Some(w) => withheld.push((c.clone(), w)),
            None => permitted.push(c.clone()),
        }
    }
    if permitted.is_empty() {
        return Decision::Deny(D::NothingPermitted { purpose: pid() });
    }
    Decision::Allow { permitted, withheld }
}

#[cfg(test)]
mod tests;
