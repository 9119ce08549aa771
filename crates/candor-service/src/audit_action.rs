//! What an audit entry says was done: one variant per action the service
//! records, each with the name stored in the entry's `action` field. The
//! names are part of the stored, hash-chained log and of what auditors
//! filter on, so a name never changes once written.

use std::fmt;

use candor_domain::ConsentAction;

/// An action recorded in the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    /// `access.decide`: the access gate decided a read.
    AccessDecide,
    /// `actor.upsert`: a staff actor added or their roles changed.
    ActorUpsert,
    /// `actor.attest_training`: privacy training attested.
    ActorAttestTraining,
    /// `actor.remove`: a staff actor removed, with their tokens.
    ActorRemove,
    /// `training.quiz`: a staff member took the training quiz (the score,
    /// never the answers).
    TrainingQuiz,
    /// `training.lapse`: attestations earned on an earlier course ended.
    TrainingLapse,
    /// `analytics.query`: an analytics report.
    AnalyticsQuery,
    /// `analytics.drill`: the conversations behind a report's cell.
    AnalyticsDrill,
    /// `concern.raise`: a customer raised a question or concern.
    ConcernRaise,
    /// `concern.view`: staff read a concern's message and answer.
    ConcernView,
    /// `concern.answer`: staff answered a concern (and mailed the answer).
    ConcernAnswer,
    /// `concern.close`: a concern closed.
    ConcernClose,
    /// `conversation.view`: a conversation opened by its id.
    ConversationView,
    /// `consent.<action>`: a consent event (`consent.grant`, …).
    Consent(ConsentAction),
    /// `hold.place`: a legal hold placed on a subject's data.
    HoldPlace,
    /// `hold.release`: a legal hold released.
    HoldRelease,
    /// `keys.rotate.start`: a key-encryption key rotation began.
    KeysRotateStart,
    /// `keys.rotate.finish`: it finished.
    KeysRotateFinish,
    /// `keys.rewrap`: data keys rewrapped under the current key.
    KeysRewrap,
    /// `outbox.sent`: messages handed to a transport.
    OutboxSent,
    /// `outbox.failed`: messages given up (refused for good, or out of
    /// attempts).
    OutboxFailed,
    /// `policy.publish`: a policy version published.
    PolicyPublish,
    /// `policy.notices_queued`: notices of a material policy change
    /// queued for a batch of customers (how many, and the total so far).
    PolicyNoticesQueued,
    /// `rights.open`: a rights request opened.
    RightsOpen,
    /// `rights.code_sent`: a one-time code sent for it.
    RightsCodeSent,
    /// `rights.verify`: the customer's identity verified.
    RightsVerify,
    /// `rights.verify_failed`: a wrong code entered.
    RightsVerifyFailed,
    /// `rights.reject`: the request refused.
    RightsReject,
    /// `rights.extend`: its deadline extended.
    RightsExtend,
    /// `rights.start`: carrying it out began.
    RightsStart,
    /// `rights.complete`: it was carried out.
    RightsComplete,
    /// `rights.export`: an access or portability bundle written.
    RightsExport,
    /// `rights.erase`: a subject's data erased.
    RightsErase,
    /// `rights.erase.recount`: an erasure's counts corrected.
    RightsEraseRecount,
    /// `rights.rectify`: a subject's data corrected.
    RightsRectify,
    /// `rights.bundle.read`: a bundle file served.
    RightsBundleRead,
    /// `interaction.reveal`: a staff member was shown a message's
    /// original text, with their reason.
    InteractionReveal,
    /// `passkey.register`: a staff member registered a passkey.
    PasskeyRegister,
    /// `passkey.remove`: a staff member removed one of their passkeys.
    PasskeyRemove,
    /// `session.start`: a browser session started.
    SessionStart,
    /// `session.code_sent`: a privacy-center sign-in code sent.
    SessionCodeSent,
    /// `session.refused`: a staff sign-in refused (wrong code, unknown or
    /// revoked token), with the method and the reason.
    SessionRefused,
    /// `subject.create`: a subject created.
    SubjectCreate,
    /// `subject.link`: identifiers linked to a subject.
    SubjectLink,
    /// `subject.unlink`: identifiers unlinked.
    SubjectUnlink,
    /// `subject.self_view`: a customer read their own data.
    SubjectSelfView,
    /// `token.create`: an API token issued.
    TokenCreate,
    /// `token.revoke`: an API token revoked.
    TokenRevoke,
}

impl AuditAction {
    /// The name stored in the entry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDecide => "access.decide",
            Self::ActorUpsert => "actor.upsert",
            Self::ActorAttestTraining => "actor.attest_training",
            Self::ActorRemove => "actor.remove",
            Self::TrainingQuiz => "training.quiz",
            Self::TrainingLapse => "training.lapse",
            Self::AnalyticsQuery => "analytics.query",
            Self::AnalyticsDrill => "analytics.drill",
            Self::ConcernRaise => "concern.raise",
            Self::ConcernView => "concern.view",
            Self::ConcernAnswer => "concern.answer",
            Self::ConcernClose => "concern.close",
            Self::ConversationView => "conversation.view",
            Self::Consent(a) => match a {
                ConsentAction::Grant => "consent.grant",
                ConsentAction::Withdraw => "consent.withdraw",
                ConsentAction::Object => "consent.object",
                ConsentAction::Restrict => "consent.restrict",
                ConsentAction::LiftRestriction => "consent.lift_restriction",
                ConsentAction::OptOutSaleShare => "consent.opt_out_sale_share",
                ConsentAction::OptInSaleShare => "consent.opt_in_sale_share",
                ConsentAction::LimitSensitiveUse => "consent.limit_sensitive_use",
            },
            Self::HoldPlace => "hold.place",
            Self::HoldRelease => "hold.release",
            Self::KeysRotateStart => "keys.rotate.start",
            Self::KeysRotateFinish => "keys.rotate.finish",
            Self::KeysRewrap => "keys.rewrap",
            Self::OutboxSent => "outbox.sent",
            Self::OutboxFailed => "outbox.failed",
            Self::PolicyPublish => "policy.publish",
            Self::PolicyNoticesQueued => "policy.notices_queued",
            Self::RightsOpen => "rights.open",
            Self::RightsCodeSent => "rights.code_sent",
            Self::RightsVerify => "rights.verify",
            Self::RightsVerifyFailed => "rights.verify_failed",
            Self::RightsReject => "rights.reject",
            Self::RightsExtend => "rights.extend",
            Self::RightsStart => "rights.start",
            Self::RightsComplete => "rights.complete",
            Self::RightsExport => "rights.export",
            Self::RightsErase => "rights.erase",
            Self::RightsEraseRecount => "rights.erase.recount",
            Self::RightsRectify => "rights.rectify",
            Self::RightsBundleRead => "rights.bundle.read",
            Self::InteractionReveal => "interaction.reveal",
            Self::PasskeyRegister => "passkey.register",
            Self::PasskeyRemove => "passkey.remove",
            Self::SessionStart => "session.start",
            Self::SessionCodeSent => "session.code_sent",
            Self::SessionRefused => "session.refused",
            Self::SubjectCreate => "subject.create",
            Self::SubjectLink => "subject.link",
            Self::SubjectUnlink => "subject.unlink",
            Self::SubjectSelfView => "subject.self_view",
            Self::TokenCreate => "token.create",
            Self::TokenRevoke => "token.revoke",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use candor_domain::ConsentAction;

    use super::AuditAction;

    #[test]
    fn consent_actions_are_named_after_the_consent_action_as_stored() {
        for a in ConsentAction::ALL {
            assert_eq!(AuditAction::Consent(a).as_str(), format!("consent.{}", a.as_str()));
        }
        assert_eq!(AuditAction::RightsEraseRecount.to_string(), "rights.erase.recount");
    }
}
