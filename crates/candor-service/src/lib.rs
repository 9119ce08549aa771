//! The use cases candor's front ends share. The CLI and the HTTP server both
//! call these functions, so a rule enforced here is enforced everywhere:
//! policy versions and their diffs, subjects and their identities, the
//! consent ledger and its signed receipts, imports of social interactions, the access decision with its
//! audit entry, staff actors and their training, audit verification and key
//! rotation.
//!
//! The service sees the store only through the [`Store`] trait; the binary
//! decides which back end it is.
#![deny(missing_docs)]

pub mod access;
pub mod actors;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod consent;
mod error;
pub mod import;
pub mod keys;
pub mod policy;
pub mod receipt;
pub mod rights;
pub mod settings;
pub mod subjects;

use std::sync::{Arc, Mutex};

use candor_domain::PolicyContext;
use candor_store::{AuditRecord, KeyRing, Store};
use time::OffsetDateTime;

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
}

impl Candor {
    /// Wrap a store and a key ring.
    pub fn new(store: Arc<dyn Store>, keys: Arc<KeyRing>) -> Self {
        Self { store, keys, clock: Clock::system(), policy_cache: Arc::new(Mutex::new(None)) }
    }

    /// Use another clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
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
    pub(crate) fn audit(&self, actor: &str, action: &str, detail: serde_json::Value) -> AuditRecord {
        AuditRecord::new(self.now(), actor, action, detail)
    }
}
