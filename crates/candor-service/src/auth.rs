//! Who is calling: staff API tokens (256 random bits, shown once, stored
//! only as a hash, expiring and revocable), browser sessions with their
//! CSRF token, and customers signing in to the privacy center with a
//! one-time code sent to their e-mail address on record.

use base64::Engine as _;
use candor_domain::{Identifier, SubjectId};
use candor_store::{ChallengeRecord, Op, Principal, SessionRecord, TokenRecord, WriteBatch};
use rand::{RngCore, TryRngCore};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::Duration;

use crate::actors::Actor;
use crate::rights::codes::{one_time_code, CODE_ATTEMPTS, CODE_VALIDITY};
use crate::{AuditAction, Candor, Result, ServiceError};

/// What every token starts with, so that secret scanners recognise one.
pub const TOKEN_PREFIX: &str = "candor_";

/// How long a browser session lasts (a staff session no longer than the
/// token it was started from).
pub const SESSION_LENGTH: Duration = Duration::hours(8);

/// How far back the sign-in codes sent to one address are counted.
pub const SIGN_IN_WINDOW: Duration = Duration::minutes(15);

/// The blind-index namespace of addresses asked for a sign-in code: apart
/// from the identities' own, so that a challenge row cannot be joined to
/// an identity by its key.
const SIGN_IN_ADDRESS: &str = "sign-in-address";

/// Who a session in force stands for.
#[derive(Clone, Debug)]
pub enum SessionHolder {
    /// A staff member, as stored now (current roles and training).
    Staff(Actor),
    /// A customer.
    Customer(SubjectId),
}

/// A browser session in force.
#[derive(Clone, Debug)]
pub struct ActiveSession {
    /// Whose.
    pub holder: SessionHolder,
    /// The token unsafe requests must echo.
    pub csrf: String,
    /// When it ends.
    pub expires_at: time::OffsetDateTime,
}

/// A token as issued: the secret is in `token`, shown this once.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The whole token, for the `Authorization: Bearer` header.
    pub token: String,
    /// What is stored about it.
    pub record: TokenRecord,
}

/// A session as started: the cookie's value is in `cookie`, never stored.
#[derive(Clone, Debug)]
pub struct StartedSession {
    /// The cookie's value.
    pub cookie: String,
    /// What is stored about it.
    pub session: SessionRecord,
}

fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A new sign-in challenge id, to answer with before the work of
/// [`Candor::start_sign_in`] is done.
pub fn new_challenge_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn unauthenticated(why: &str) -> ServiceError {
    ServiceError::Unauthenticated(why.to_owned())
}

/// SHA-256 of a secret: what the database keeps instead.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

impl Candor {
    /// Issue an API token for `actor`, valid for `valid_for`.
    pub async fn create_token(&self, by: &str, actor: &str, valid_for: Duration) -> Result<IssuedToken> {
        if self.store.actor(actor).await?.is_none() {
            return Err(ServiceError::UnknownActor(actor.to_owned()));
        }
        if valid_for <= Duration::ZERO || valid_for > Duration::days(366) {
            return Err(ServiceError::InvalidInput("a token is valid for 1 to 366 days".into()));
        }
        let mut id = [0u8; 6];
        rand::rngs::OsRng.unwrap_err().fill_bytes(&mut id);
        let id = hex::encode(id);
        let token = format!("{TOKEN_PREFIX}{id}_{}", random_token(32));
        let now = self.now();
        let record =
            TokenRecord { id: id.clone(), actor: actor.to_owned(), created_at: now, expires_at: now + valid_for, revoked_at: None };
        let audit = self.audit(
            by,
            AuditAction::TokenCreate,
            json!({ "token": id, "actor": actor, "expires_at": candor_store::audit::micros(record.expires_at) }),
        );
        self.store.apply(WriteBatch::one(Op::CreateToken { token: record.clone(), hash: secret_hash(&token) }, audit)).await?;
        Ok(IssuedToken { token, record })
    }

    /// Revoke a token by id; false when it was unknown or revoked already.
    pub async fn revoke_token(&self, by: &str, id: &str) -> Result<bool> {
        let audit = self.audit(by, AuditAction::TokenRevoke, json!({ "token": id }));
        let out = self.store.apply(WriteBatch::one(Op::RevokeToken { id: id.to_owned(), at: self.now() }, audit)).await?;
        Ok(matches!(out.first(), Some(candor_store::Outcome::Count(n)) if *n > 0))
    }

    /// An actor's tokens, newest first (never their secrets).
    pub async fn tokens(&self, actor: &str) -> Result<Vec<TokenRecord>> {
        Ok(self.store.tokens(actor).await?)
    }

    /// The actor a bearer token stands for, if it is known, in force and
    /// its actor still exists.
    pub async fn authenticate(&self, token: &str) -> Result<Actor> {
        Ok(self.authenticate_token(token).await?.1)
    }

    async fn authenticate_token(&self, token: &str) -> Result<(TokenRecord, Actor)> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
            return Err(unauthenticated("this is not a candor API token"));
        }
        let Some(t) = self.store.token(&secret_hash(token)).await? else { return Err(unauthenticated("unknown token")) };
        self.token_in_force(&t, "the token")?;
        let actor = self.store.actor(&t.actor).await?.ok_or_else(|| unauthenticated("the token's actor no longer exists"))?;
        Ok((t, actor.into()))
    }

    /// Refuse a revoked or expired token; `what` names it in the reason.
    fn token_in_force(&self, t: &TokenRecord, what: &str) -> Result<()> {
        if t.revoked_at.is_some() {
            return Err(unauthenticated(&format!("{what} was revoked")));
        }
        if t.expires_at <= self.now() {
            return Err(unauthenticated(&format!("{what} expired; ask for a new one with `candor actor token`")));
        }
        Ok(())
    }

    /// Start a staff browser session from an API token. The session names
    /// the token and ends no later than it: revoking the token ends the
    /// session too (see [`Candor::session`]).
    pub async fn start_staff_session(&self, token: &str) -> Result<StartedSession> {
        self.start_staff_session_as(token, json!({ "method": "token" })).await
    }

    /// [`Candor::start_staff_session`], recording `how` the member proved
    /// who they are in the `session.start` entry.
    pub(crate) async fn start_staff_session_as(&self, token: &str, how: serde_json::Value) -> Result<StartedSession> {
        let (t, actor) = self.authenticate_token(token).await?;
        self.start_session(Principal::Staff(actor.id.clone()), &actor.id, None, Some(&t), how).await
    }

    async fn start_session(
        &self,
        principal: Principal,
        actor: &str,
        subject: Option<String>,
        token: Option<&TokenRecord>,
        how: serde_json::Value,
    ) -> Result<StartedSession> {
        let cookie = random_token(32);
        let now = self.now();
        let ends = token.map_or(now + SESSION_LENGTH, |t| t.expires_at.min(now + SESSION_LENGTH));
        let session = SessionRecord { principal, csrf: random_token(24), expires_at: ends, token: token.map(|t| t.id.clone()) };
        let mut audit = self.audit(actor, AuditAction::SessionStart, how);
        if let Some(s) = subject {
            audit = audit.subject(s);
        }
        let op = Op::CreateSession { hash: secret_hash(&cookie), session: session.clone(), at: now };
        self.store.apply(WriteBatch::one(op, audit)).await?;
        Ok(StartedSession { cookie, session })
    }

    /// The session a cookie belongs to, while it is in force: not ended or
    /// expired, and for staff, while the token it was started from is in
    /// force and its actor exists (whose roles are read afresh here).
    /// Anything else is `Unauthenticated`, saying why.
    pub async fn session(&self, cookie: &str) -> Result<ActiveSession> {
        let ended = || unauthenticated("the session ended; sign in again");
        if cookie.is_empty() || cookie.len() > 100 {
            return Err(ended());
        }
        let Some(s) = self.store.session(&secret_hash(cookie)).await? else { return Err(ended()) };
        if s.expires_at <= self.now() {
            return Err(ended());
        }
        let holder = match s.principal {
            Principal::Customer(subject) => SessionHolder::Customer(subject),
            Principal::Staff(actor) => {
                let what = "the token this session was started from";
                let token = match &s.token {
                    Some(id) => self.store.token_by_id(id).await?,
                    None => None,
                };
                // INVARIANT (sessions follow their token): a staff session
                // without its token, or with another actor's, is refused.
                let Some(t) = token.filter(|t| t.actor == actor) else {
                    return Err(unauthenticated(&format!("{what} no longer exists; sign in again")));
                };
                self.token_in_force(&t, what)?;
                let a = self.store.actor(&actor).await?.ok_or_else(|| unauthenticated("the session's actor no longer exists"))?;
                SessionHolder::Staff(a.into())
            }
        };
        Ok(ActiveSession { holder, csrf: s.csrf, expires_at: s.expires_at })
    }

    /// End a session (signing out).
    pub async fn end_session(&self, cookie: &str) -> Result<()> {
        self.store.apply(WriteBatch { ops: vec![Op::EndSession { hash: secret_hash(cookie) }], audit: Vec::new() }).await?;
        Ok(())
    }

    /// The work of a customer's request for a sign-in code under challenge
    /// `id` (from [`new_challenge_id`], answered already): if `email` is on
    /// record, a code goes to it; if not, a decoy challenge is stored that
    /// no code opens, so that entering a code for it costs what it costs
    /// for a real one. An address is sent at most `per_address` codes per
    /// [`SIGN_IN_WINDOW`] (decoys count too, so the limit says nothing
    /// about who is a customer); past it, nothing is stored.
    ///
    /// The HTTP server answers before calling this, so that how long the
    /// answer takes cannot tell who is a customer.
    pub async fn start_sign_in(&self, id: &str, email: &str, per_address: u32) -> Result<()> {
        let Ok(identifier) = Identifier::email(email) else { return Ok(()) };
        let now = self.now();
        let address_key = self.keys.blind_index(SIGN_IN_ADDRESS, identifier.value());
        if self.store.challenges_since(&address_key, now - SIGN_IN_WINDOW).await? >= u64::from(per_address) {
            return Ok(());
        }
        let decoy = ChallengeRecord {
            id: id.to_owned(),
            subject: None,
            address_key,
            // Shaped like a code hash, equal to none: no code opens it.
            code_hash: hex::encode(secret_hash(&random_token(32))),
            attempts_left: u32::from(CODE_ATTEMPTS),
            expires_at: now + CODE_VALIDITY,
        };
        let known = match self.find_subject(&identifier).await? {
            Some(subject) => Some(self.subject_record(subject).await?),
            None => None,
        };
        let code = one_time_code();
        let message = match &known {
            Some(record) => self.message_to_subject(record, "sign_in_code", id, || {
                (
                    "Your sign-in code".to_owned(),
                    format!(
                        "Your code to sign in to the privacy center is {code}. It is valid for {} minutes. If you did not ask for this, ignore this message.",
                        CODE_VALIDITY.whole_minutes()
                    ),
                )
            })
            .await?,
            None => None,
        };
        let batch = match (known, message) {
            (Some(record), Some(message)) => {
                let challenge =
                    ChallengeRecord { subject: Some(record.id), code_hash: self.code_hash(&format!("sign-in:{id}"), &code), ..decoy };
                let audit = self.audit("subject", AuditAction::SessionCodeSent, json!({ "channel": "email" })).subject(record.pseudonym);
                WriteBatch { ops: vec![Op::CreateChallenge { challenge, at: now }, Op::QueueMessages(vec![message])], audit: vec![audit] }
            }
            _ => WriteBatch { ops: vec![Op::CreateChallenge { challenge: decoy, at: now }], audit: Vec::new() },
        };
        self.store.apply(batch).await?;
        Ok(())
    }

    /// The customer entered `code` for challenge `id`: a session for them.
    pub async fn finish_sign_in(&self, id: &str, code: &str) -> Result<(SubjectId, StartedSession)> {
        let refused = || ServiceError::Unauthenticated("the code is wrong or expired; ask for a new one".into());
        let Some(c) = self.store.challenge(id).await? else { return Err(refused()) };
        if c.expires_at <= self.now() || c.attempts_left == 0 {
            return Err(refused());
        }
        // A decoy takes this path too: its hash equals no code's.
        let given = self.code_hash(&format!("sign-in:{id}"), code.trim());
        let subject = match c.subject {
            Some(s) if bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), c.code_hash.as_bytes())) => s,
            _ => {
                self.store.apply(WriteBatch { ops: vec![Op::SpendChallengeAttempt { id: id.to_owned() }], audit: Vec::new() }).await?;
                return Err(refused());
            }
        };
        self.store.apply(WriteBatch { ops: vec![Op::DeleteChallenge { id: id.to_owned() }], audit: Vec::new() }).await?;
        let pseudonym = self.keys.pseudonym(subject.as_uuid());
        let started =
            self.start_session(Principal::Customer(subject), "subject", Some(pseudonym), None, json!({ "method": "code" })).await?;
        Ok((subject, started))
    }
}
