//! The use cases candor's front ends share. The CLI and the HTTP server both
//! call these functions, so a rule enforced here is enforced everywhere:
//! policy versions and their diffs, subjects and their identities, the
//! consent ledger and its signed receipts, imports of social interactions, the access decision with its
//! audit entry, staff actors and their training, audit verification and key
//! rotation.
//!
//! The service sees the store only through the [`Store`] trait; the binary
//! decides which back end it is. It is also the only way in: [`Candor`]
//! keeps its store to itself, so the CLI and the HTTP server reach data
//! through these use cases (and their audit entries and access decisions),
//! and they speak the service's own types, not the store's rows.
#![deny(missing_docs)]

pub mod access;
pub mod actors;
pub mod analytics;
pub mod audit;
mod audit_action;
pub mod auth;
pub mod concerns;
pub mod consent;
pub mod conversations;
mod error;
pub mod holdings;
pub mod import;
pub mod keys;
pub mod mail;
pub mod page;
pub mod passkeys;
pub mod policy;
pub mod policy_changes;
pub mod policy_notices;
pub mod receipt;
pub mod reveal;
pub mod rights;
pub mod settings;
pub mod staff_sign_in;
pub mod subjects;
pub mod telemetry;
pub mod training;
pub mod transparency;

use std::sync::{Arc, Mutex};

use candor_domain::PolicyContext;
use candor_store::audit::{LEGACY_GENESIS, SIGNED_GENESIS};
use candor_store::{AuditRecord, KeyRing, Store, Witness};
use time::OffsetDateTime;

pub use audit_action::AuditAction;
pub use error::{Result, ServiceError};
pub use settings::Settings;

/// Where the service gets the time from; tests fix it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> OffsetDateTime + Send + Sync>);

impl Clock {
    /// The system clock, in UTC.
    pub fn system() -> Self {
        Self(Arc::new(OffsetDateTime::now_utc))
    }

    /// A clock stuck at `t`.
    pub fn fixed(t: OffsetDateTime) -> Self {
        Self(Arc::new(move || t))
    }

    /// The time now.
    pub fn now(&self) -> OffsetDateTime {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// The policy in force and when it was last checked to be the latest.
type CachedPolicy = (Arc<PolicyContext>, std::time::Instant);

/// One candor installation: its store, its keys and who is acting.
#[derive(Clone, Debug)]
pub struct Candor {
    store: Arc<dyn Store>,
    keys: Arc<KeyRing>,
    clock: Clock,
    /// The policy context of the latest version, rebuilt when a newer
    /// version appears (possibly published by another process).
    policy_cache: Arc<Mutex<Option<CachedPolicy>>>,
    /// Where the audit log's signed heads are witnessed, for verification.
    witness: Option<Witness>,
    /// The region national phone numbers are taken in
    /// (`identity.default_region`).
    phone_region: Option<candor_domain::PhoneRegion>,
    /// Where customers reach the privacy center (`server.public_url`), for
    /// links in the messages they are sent.
    public_url: Option<String>,
    /// Slow analytics results (KPIs, phrase counts), by what they depend on.
    memo: Arc<analytics::memo::Memo>,
    /// Passkey ceremonies under way in this process.
    ceremonies: Arc<passkeys::Ceremonies>,
}

impl Candor {
    /// Wrap a store and a key ring, without checking that the keys belong
    /// to the database (tests and benchmarks that made both; everything else
    /// opens with [`Candor::open`]). Heads are witnessed in the key
    /// directory's `audit-witness`, as the store's signer writes them by
    /// default.
    pub fn new(store: Arc<dyn Store>, keys: Arc<KeyRing>) -> Self {
        let witness = Some(Witness::new(keys.dir().join(candor_store::audit::witness::DEFAULT_FILE)));
        Self {
            store,
            keys,
            clock: Clock::system(),
            policy_cache: Arc::new(Mutex::new(None)),
            witness,
            phone_region: None,
            public_url: None,
            memo: Arc::default(),
            ceremonies: Arc::default(),
        }
    }

    /// Wrap a store and a key ring that must belong to it: the key check
    /// value recorded in the database must be these keys'. A database that
    /// has none yet (made by a candor before migration 0006, or just
    /// created) gets theirs, once the keys reproduce what it already holds
    /// (its newest audit entry, a subject's pseudonym). Refused otherwise,
    /// before anything is read or written.
    pub async fn open(store: Arc<dyn Store>, keys: Arc<KeyRing>) -> Result<Self> {
        let candor = Self::new(store, keys);
        candor.bind_keys().await?;
        Ok(candor)
    }

    /// Compare with the witness at `witness` instead, or none.
    pub fn with_witness(mut self, witness: Option<Witness>) -> Self {
        self.witness = witness;
        self
    }

    /// Take phone numbers written without a country code in `region`
    /// (`identity.default_region`); without one they are refused.
    pub fn with_phone_region(mut self, region: Option<candor_domain::PhoneRegion>) -> Self {
        self.phone_region = region;
        self
    }

    /// Link messages to customers to the privacy center at `url`
    /// (`server.public_url`, e.g. `https://care.example.com`); without
    /// one, messages carry no link.
    pub fn with_public_url(mut self, url: Option<String>) -> Self {
        self.public_url = url.map(|u| u.trim().trim_end_matches('/').to_owned()).filter(|u| !u.is_empty());
        self
    }

    /// The region national phone numbers are taken in, if any.
    pub fn phone_region(&self) -> Option<&candor_domain::PhoneRegion> {
        self.phone_region.as_ref()
    }

    /// Parse a phone number as an identifier, a national one in the
    /// configured region.
    pub fn phone_identifier(&self, s: &str) -> std::result::Result<candor_domain::Identifier, candor_domain::IdentifierError> {
        candor_domain::Identifier::phone_in(s, self.phone_region.as_ref())
    }

    /// The witness audit verification compares with.
    pub fn witness(&self) -> Option<&Witness> {
        self.witness.as_ref()
    }

    async fn bind_keys(&self) -> Result<()> {
        let check = self.keys.key_check();
        let foreign = |reason: &str| ServiceError::ForeignKeys { dir: self.keys.dir().to_owned(), reason: reason.to_owned() };
        match self.store.key_check().await? {
            Some(v) if v == check => return Ok(()),
            Some(_) => return Err(foreign("key check value differs")),
            None => {}
        }
        if let Some(what) = self.what_keys_do_not_reproduce().await? {
            return Err(foreign(&format!("no key check value is recorded, and they do not reproduce {what}")));
        }
        if self.store.record_key_check(&check, self.now()).await? != check {
            return Err(foreign("key check value differs"));
        }
        if self.store.audit_head().await.map(|(seq, _)| seq > 0).unwrap_or(true) {
            tracing::warn!(
                keys = %self.keys.dir().display(),
                "this database had no key check value (made by an older candor); recorded the one of these keys: from now on only they open it"
            );
        }
        Ok(())
    }

    /// What stored data these keys fail to reproduce, if any: a subject's
    /// pseudonym, and the hash of the newest audit entry. Keys are never
    /// bound to a database that holds data none of it could be checked
    /// against.
    async fn what_keys_do_not_reproduce(&self) -> Result<Option<&'static str>> {
        let sample = self.store.sample_pseudonym().await?;
        if let Some((id, pseudonym)) = &sample {
            if self.keys.pseudonym(id.as_uuid()) != *pseudonym {
                return Ok(Some("the pseudonyms of its subjects"));
            }
        }
        // An audit log that cannot be read proves nothing either way: with a
        // subject's pseudonym reproduced that is enough, without one it is
        // not.
        let unchecked = if sample.is_some() { None } else { Some("its audit log, which cannot be read to compare") };
        let seq = match self.store.audit_head().await {
            Ok((seq, _)) => seq,
            Err(e) if e.corruption().is_some() => return Ok(unchecked),
            Err(e) => return Err(e.into()),
        };
        if seq == 0 {
            return Ok(None);
        }
        let page = match self.store.audit_links((seq - 2).max(0), seq).await {
            Ok(page) => page,
            Err(e) if e.corruption().is_some() => return Ok(unchecked),
            Err(e) => return Err(e.into()),
        };
        let links: Vec<_> = page.iter().collect();
        let Some(last) = links.iter().find(|l| l.seq == seq) else { return Ok(unchecked) };
        let chain = self.keys.audit_chain_key();
        let body = last.body.as_bytes();
        let reproduced = match links.iter().find(|l| l.seq == seq - 1) {
            Some(prev) => chain.hash(seq, body, &prev.hash) == last.hash,
            None if seq == 1 => [SIGNED_GENESIS, LEGACY_GENESIS].iter().any(|g| chain.hash(1, body, g) == last.hash),
            None => return Ok(unchecked),
        };
        Ok((!reproduced).then_some("its newest audit entry"))
    }

    /// Use another clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The key ring.
    pub fn keys(&self) -> &Arc<KeyRing> {
        &self.keys
    }

    /// The time now, by this installation's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// An audit record stamped now.
    pub(crate) fn audit(&self, actor: &str, action: AuditAction, detail: serde_json::Value) -> AuditRecord {
        AuditRecord::new(self.now(), actor, action.as_str(), detail)
    }
}
