//! Staff sign in to the console in one of four ways, each ending in a
//! browser session tied to an API token, so that the rule "a staff
//! session lasts no longer than its token, and revoking the token ends
//! it" holds for all of them:
//!
//! - an API token pasted once ([`Candor::start_staff_session`]);
//! - a one-time code mailed to the actor, when their actor id is an
//!   e-mail address ([`Candor::start_staff_sign_in`], then
//!   [`Candor::finish_staff_sign_in`]); the session gets a token of its
//!   own, valid for the session's length;
//! - a code issued by the operator for a staff member
//!   ([`Candor::issue_staff_code`]; `candor demo` prints them);
//! - a passkey registered from the console (see [`crate::passkeys`]).
//!
//! Asking for a code for an id that is no actor stores a decoy challenge
//! that no code opens, as the privacy center does for customers, so the
//! console does not tell who works here. Every sign-in and every refusal
//! is audited.

use candor_domain::{Identifier, SubjectId};
use candor_store::{delivery_context, ChallengeRecord, NewMessage, Op, WriteBatch};
use serde_json::json;
use time::Duration;

use crate::actors::{parse_actor_id, Actor};
use crate::auth::{new_challenge_id, secret_hash, StartedSession, SESSION_LENGTH, SIGN_IN_WINDOW};
use crate::rights::codes::{one_time_code, CODE_ATTEMPTS, CODE_VALIDITY};
use crate::{AuditAction, Candor, Result, ServiceError};

/// The outbox kind of a staff sign-in code.
pub const STAFF_CODE_KIND: &str = "staff_sign_in_code";

/// The blind-index namespace of actor ids asked for a code (apart from
/// the customers' addresses).
const STAFF_SIGN_IN: &str = "staff-sign-in";

/// The blind-index namespace of customers' codes issued by the operator.
const OPERATOR_CODES: &str = "operator-customer-code";

/// The outbox recipient of a message to a staff member.
pub fn staff_recipient(actor: &str) -> String {
    format!("staff:{actor}")
}

/// A sign-in ready to use: the challenge and its code.
#[derive(Clone, Debug)]
pub struct ReadyCode {
    /// The challenge id the code page takes.
    pub challenge: String,
    /// The code.
    pub code: String,
    /// Until when it opens a session.
    pub expires_at: time::OffsetDateTime,
}

/// How a staff member tried to sign in, for the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInMethod {
    /// An API token pasted into the console.
    Token,
    /// A one-time code.
    Code,
    /// A passkey.
    Passkey,
}

impl SignInMethod {
    /// Its name in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Code => "code",
            Self::Passkey => "passkey",
        }
    }
}

impl Candor {
    /// The work of a staff member's request for a sign-in code under
    /// challenge `id` (answered already): when `actor` is an actor whose
    /// id is an e-mail address, a code goes there; otherwise a decoy is
    /// stored. At most `per_address` codes per id per quarter of an hour.
    pub async fn start_staff_sign_in(&self, id: &str, actor: &str, per_address: u32) -> Result<()> {
        let actor = actor.trim().to_ascii_lowercase();
        let now = self.now();
        let address_key = self.keys.blind_index(STAFF_SIGN_IN, &actor);
        if self.store.challenges_since(&address_key, now - SIGN_IN_WINDOW).await? >= u64::from(per_address) {
            return Ok(());
        }
        let known = match parse_actor_id(&actor) {
            Ok(a) if Identifier::email(a).is_ok() => self.store.actor(a).await?.is_some(),
            _ => false,
        };
        let code = one_time_code();
        let code_hash = if known { self.staff_code_hash(id, &actor, &code) } else { hex::encode(secret_hash(&one_time_code())) };
        let challenge = ChallengeRecord {
            id: id.to_owned(),
            subject: None,
            address_key,
            code_hash,
            attempts_left: u32::from(CODE_ATTEMPTS),
            expires_at: now + CODE_VALIDITY,
        };
        let mut ops = vec![Op::CreateChallenge { challenge, at: now }];
        let mut audit = Vec::new();
        if known {
            ops.push(Op::QueueMessages(vec![self.staff_code_message(&actor, &code)?]));
            audit.push(self.audit(&actor, AuditAction::SessionCodeSent, json!({ "channel": "email", "console": true })));
        }
        self.store.apply(WriteBatch { ops, audit }).await?;
        Ok(())
    }

    /// A code for `actor` issued by the operator `by` (the demo prints
    /// them), valid for `valid_for`.
    pub async fn issue_staff_code(&self, by: &str, actor: &str, valid_for: Duration) -> Result<ReadyCode> {
        if self.store.actor(actor).await?.is_none() {
            return Err(ServiceError::UnknownActor(actor.to_owned()));
        }
        let now = self.now();
        let (challenge, code) = (new_challenge_id(), one_time_code());
        let record = ChallengeRecord {
            id: challenge.clone(),
            subject: None,
            address_key: self.keys.blind_index(STAFF_SIGN_IN, actor),
            code_hash: self.staff_code_hash(&challenge, actor, &code),
            attempts_left: u32::from(CODE_ATTEMPTS),
            expires_at: now + valid_for,
        };
        let audit = self.audit(by, AuditAction::SessionCodeSent, json!({ "channel": "operator", "actor": actor, "console": true }));
        self.store.apply(WriteBatch::one(Op::CreateChallenge { challenge: record, at: now }, audit)).await?;
        Ok(ReadyCode { challenge, code, expires_at: now + valid_for })
    }

    /// A code for customer `subject` issued by the operator `by`, opening
    /// the privacy center as the sign-in by mail would.
    pub async fn issue_customer_code(&self, by: &str, subject: SubjectId, valid_for: Duration) -> Result<ReadyCode> {
        let record = self.subject_record(subject).await?;
        let now = self.now();
        let (challenge, code) = (new_challenge_id(), one_time_code());
        let row = ChallengeRecord {
            id: challenge.clone(),
            subject: Some(subject),
            address_key: self.keys.blind_index(OPERATOR_CODES, &subject.to_string()),
            code_hash: self.code_hash(&format!("sign-in:{challenge}"), &code),
            attempts_left: u32::from(CODE_ATTEMPTS),
            expires_at: now + valid_for,
        };
        let audit = self.audit(by, AuditAction::SessionCodeSent, json!({ "channel": "operator" })).subject(record.pseudonym);
        self.store.apply(WriteBatch::one(Op::CreateChallenge { challenge: row, at: now }, audit)).await?;
        Ok(ReadyCode { challenge, code, expires_at: now + valid_for })
    }

    /// `actor` entered `code` for challenge `id`: a session, tied to a
    /// token of its own. A wrong code spends an attempt and is audited.
    pub async fn finish_staff_sign_in(&self, id: &str, actor: &str, code: &str) -> Result<(Actor, StartedSession)> {
        let actor = actor.trim().to_ascii_lowercase();
        let refused = || ServiceError::Unauthenticated("the code is wrong or expired; ask for a new one".into());
        let Some(c) = self.store.challenge(id).await? else {
            self.sign_in_refused(SignInMethod::Code, &actor, "no such challenge").await?;
            return Err(refused());
        };
        if c.expires_at <= self.now() || c.attempts_left == 0 {
            self.sign_in_refused(SignInMethod::Code, &actor, "expired or used up").await?;
            return Err(refused());
        }
        let given = self.staff_code_hash(id, &actor, code.trim());
        let matches = c.subject.is_none() && bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), c.code_hash.as_bytes()));
        if !matches {
            self.store.apply(WriteBatch { ops: vec![Op::SpendChallengeAttempt { id: id.to_owned() }], audit: Vec::new() }).await?;
            self.sign_in_refused(SignInMethod::Code, &actor, "wrong code").await?;
            return Err(refused());
        }
        self.store.apply(WriteBatch { ops: vec![Op::DeleteChallenge { id: id.to_owned() }], audit: Vec::new() }).await?;
        self.session_for_actor(&actor, SignInMethod::Code).await
    }

    /// A session for `actor`, who has proved who they are by `method`,
    /// with a token of its own for the session's length.
    pub(crate) async fn session_for_actor(&self, actor: &str, method: SignInMethod) -> Result<(Actor, StartedSession)> {
        self.session_for_actor_as(actor, method, json!({ "method": method.as_str() })).await
    }

    /// [`Candor::session_for_actor`], with `how` (the method and what was
    /// used) in the `session.start` entry.
    pub(crate) async fn session_for_actor_as(
        &self,
        actor: &str,
        method: SignInMethod,
        how: serde_json::Value,
    ) -> Result<(Actor, StartedSession)> {
        let Some(record) = self.store.actor(actor).await? else {
            self.sign_in_refused(method, actor, "no such actor").await?;
            return Err(ServiceError::Unauthenticated("no such staff member".into()));
        };
        let issued = self.create_token(&format!("sign-in:{}", method.as_str()), actor, SESSION_LENGTH).await?;
        let started = self.start_staff_session_as(&issued.token, how).await?;
        Ok((record.into(), started))
    }

    /// Audit a refused staff sign-in, under the actor id typed when it is
    /// a staff member's; anything else (a customer's address typed by
    /// mistake, a guess) is recorded as `unknown`, never as typed: the
    /// audit log holds no one's raw address. Never a token or a code.
    pub async fn sign_in_refused(&self, method: SignInMethod, who: &str, why: &str) -> Result<()> {
        let known = match parse_actor_id(who) {
            Ok(id) => self.store.actor(id).await?.is_some(),
            Err(_) => false,
        };
        let actor = if known { who } else { "unknown" };
        let audit = self.audit(actor, AuditAction::SessionRefused, json!({ "method": method.as_str(), "reason": why }));
        self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![audit] }).await?;
        Ok(())
    }

    fn staff_code_hash(&self, id: &str, actor: &str, code: &str) -> String {
        self.code_hash(&format!("staff-sign-in:{id}:{actor}"), code)
    }

    /// The code, mailed to the actor id (an e-mail address), sealed for
    /// delivery only: wiped from the outbox once sent.
    fn staff_code_message(&self, actor: &str, code: &str) -> Result<NewMessage> {
        let text = format!(
            "Your code to sign in to the candor console is {code}. It is valid for {} minutes. If you did not ask for it, tell your administrator.",
            CODE_VALIDITY.whole_minutes()
        );
        self.staff_message(actor, STAFF_CODE_KIND, "candor console sign-in code", &text)
    }

    /// A message of `kind` to the staff member `actor` (whose id is an
    /// e-mail address), sealed for delivery only: wiped from the outbox
    /// once sent.
    pub(crate) fn staff_message(&self, actor: &str, kind: &str, subject: &str, text: &str) -> Result<NewMessage> {
        let recipient = staff_recipient(actor);
        let personal = json!({ "to": actor, "subject": subject, "text": text }).to_string();
        let sealed = self.keys.delivery_key().seal(&delivery_context(&recipient, kind), personal.as_bytes());
        Ok(NewMessage {
            kind: kind.into(),
            recipient,
            subject: None,
            subject_pseudonym: None,
            body: json!({ "from": "candor" }).to_string(),
            sealed: Some(sealed),
            at: self.now(),
        })
    }
}
