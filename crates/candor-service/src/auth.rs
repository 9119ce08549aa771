//! Who is calling: staff API tokens (256 random bits, shown once, stored
//! only as a hash, expiring and revocable), browser sessions with their
//! CSRF token, and customers signing in to the privacy center with a
//! one-time code sent to their e-mail address on record.

use base64::Engine as _;
use candor_domain::{Identifier, SubjectId};
use candor_store::{ActorRecord, ChallengeRecord, Op, Principal, SessionRecord, TokenRecord, WriteBatch};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::Duration;

use crate::rights::codes::{one_time_code, CODE_ATTEMPTS, CODE_VALIDITY};
use crate::{Candor, Result, ServiceError};

/// What every token starts with, so that secret scanners recognise one.
pub const TOKEN_PREFIX: &str = "candor_";

/// How long a browser session lasts.
pub const SESSION_LENGTH: Duration = Duration::hours(8);

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
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
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
        rand::rngs::OsRng.fill_bytes(&mut id);
        let id = hex::encode(id);
        let token = format!("{TOKEN_PREFIX}{id}_{}", random_token(32));
        let now = self.now();
        let record =
            TokenRecord { id: id.clone(), actor: actor.to_owned(), created_at: now, expires_at: now + valid_for, revoked_at: None };
        let audit = self.audit(
            by,
            "token.create",
            json!({ "token": id, "actor": actor, "expires_at": candor_store::audit::micros(record.expires_at) }),
        );
        self.store.apply(WriteBatch::one(Op::CreateToken { token: record.clone(), hash: secret_hash(&token) }, audit)).await?;
        Ok(IssuedToken { token, record })
    }

    /// Revoke a token by id; false when it was unknown or revoked already.
    pub async fn revoke_token(&self, by: &str, id: &str) -> Result<bool> {
        let audit = self.audit(by, "token.revoke", json!({ "token": id }));
        let out = self.store.apply(WriteBatch::one(Op::RevokeToken { id: id.to_owned(), at: self.now() }, audit)).await?;
        Ok(matches!(out.first(), Some(candor_store::Outcome::Count(n)) if *n > 0))
    }

    /// An actor's tokens, newest first (never their secrets).
    pub async fn tokens(&self, actor: &str) -> Result<Vec<TokenRecord>> {
        Ok(self.store.tokens(actor).await?)
    }

    /// The actor a bearer token stands for, if it is known, in force and
    /// its actor still exists.
    pub async fn authenticate(&self, token: &str) -> Result<ActorRecord> {
        let unauthenticated = |why: &str| ServiceError::Unauthenticated(why.to_owned());
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
            return Err(unauthenticated("this is not a candor API token"));
        }
        let Some(t) = self.store.token(&secret_hash(token)).await? else { return Err(unauthenticated("unknown token")) };
        if t.revoked_at.is_some() {
            return Err(unauthenticated("the token was revoked"));
        }
        if t.expires_at <= self.now() {
            return Err(unauthenticated("the token expired; ask for a new one with `candor actor token`"));
        }
        self.store.actor(&t.actor).await?.ok_or_else(|| unauthenticated("the token's actor no longer exists"))
    }

    /// Start a staff browser session from an API token.
    pub async fn start_staff_session(&self, token: &str) -> Result<StartedSession> {
        let actor = self.authenticate(token).await?;
        self.start_session(Principal::Staff(actor.id.clone()), &actor.id, None).await
    }

    async fn start_session(&self, principal: Principal, actor: &str, subject: Option<String>) -> Result<StartedSession> {
        let cookie = random_token(32);
        let now = self.now();
        let session = SessionRecord { principal, csrf: random_token(24), expires_at: now + SESSION_LENGTH };
        let mut audit = self.audit(actor, "session.start", json!({}));
        if let Some(s) = subject {
            audit = audit.subject(s);
        }
        let op = Op::CreateSession { hash: secret_hash(&cookie), session: session.clone(), at: now };
        self.store.apply(WriteBatch::one(op, audit)).await?;
        Ok(StartedSession { cookie, session })
    }

    /// The session a cookie belongs to, while it lasts.
    pub async fn session(&self, cookie: &str) -> Result<Option<SessionRecord>> {
        if cookie.is_empty() || cookie.len() > 100 {
            return Ok(None);
        }
        Ok(self.store.session(&secret_hash(cookie)).await?.filter(|s| s.expires_at > self.now()))
    }

    /// End a session (signing out).
    pub async fn end_session(&self, cookie: &str) -> Result<()> {
        self.store.apply(WriteBatch { ops: vec![Op::EndSession { hash: secret_hash(cookie) }], audit: Vec::new() }).await?;
        Ok(())
    }

    /// A customer asks to sign in with their e-mail address. A code goes to
    /// that address if it is on record; the answer is a challenge id
    /// either way, so that nobody learns who is a customer.
    pub async fn start_sign_in(&self, email: &str) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let Ok(identifier) = Identifier::email(email) else { return Ok(id) };
        let Some(subject) = self.find_subject(&identifier).await? else { return Ok(id) };
        let record = self.subject_record(subject).await?;
        let code = one_time_code();
        let now = self.now();
        let message = self.message_to_subject(&record, "sign_in_code", &id, || {
            (
                "Your sign-in code".to_owned(),
                format!(
                    "Your code to sign in to the privacy center is {code}. It is valid for {} minutes. If you did not ask for this, ignore this message.",
                    CODE_VALIDITY.whole_minutes()
                ),
            )
        })
        .await?;
        let Some(message) = message else { return Ok(id) };
        let challenge = ChallengeRecord {
            id: id.clone(),
            subject,
            code_hash: self.code_hash(&format!("sign-in:{id}"), &code),
            attempts_left: u32::from(CODE_ATTEMPTS),
            expires_at: now + CODE_VALIDITY,
        };
        let audit = self.audit("subject", "session.code_sent", json!({ "channel": "email" })).subject(record.pseudonym);
        let ops = vec![Op::CreateChallenge { challenge, at: now }, Op::QueueMessages(vec![message])];
        self.store.apply(WriteBatch { ops, audit: vec![audit] }).await?;
        Ok(id)
    }

    /// The customer entered `code` for challenge `id`: a session for them.
    pub async fn finish_sign_in(&self, id: &str, code: &str) -> Result<(SubjectId, StartedSession)> {
        let refused = || ServiceError::Unauthenticated("the code is wrong or expired; ask for a new one".into());
        let Some(c) = self.store.challenge(id).await? else { return Err(refused()) };
        if c.expires_at <= self.now() || c.attempts_left == 0 {
            return Err(refused());
        }
        let given = self.code_hash(&format!("sign-in:{id}"), code.trim());
        if !bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), c.code_hash.as_bytes())) {
            self.store.apply(WriteBatch { ops: vec![Op::SpendChallengeAttempt { id: id.to_owned() }], audit: Vec::new() }).await?;
            return Err(refused());
        }
        self.store.apply(WriteBatch { ops: vec![Op::DeleteChallenge { id: id.to_owned() }], audit: Vec::new() }).await?;
        let pseudonym = self.keys.pseudonym(c.subject.as_uuid());
        let started = self.start_session(Principal::Customer(c.subject), "subject", Some(pseudonym)).await?;
        Ok((c.subject, started))
    }
}
