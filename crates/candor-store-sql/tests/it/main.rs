//! The store story suite: every test runs on SQLite, and on PostgreSQL when
//! `CANDOR_TEST_DATABASE_URL` is set, each in a database of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test crate: helpers fail the test loudly")]

mod access;
mod analytics;
mod atomicity;
mod audit;
mod conversations;
mod schema;
mod story;

use candor_domain::{CategoryId, Provenance, SubjectId};
use candor_store::{AuditRecord, DataKey, KeyRing, NewSubject, SealedAttribute, SealedIdentity};
use time::OffsetDateTime;

/// A subject sealed under a fresh data key, as the service would build it.
pub fn new_subject(keys: &KeyRing, email: &str) -> NewSubject {
    let id = SubjectId::new();
    let key = DataKey::generate();
    NewSubject {
        id,
        pseudonym: keys.pseudonym(id.as_uuid()),
        key: keys.wrap(id.as_uuid().as_bytes(), &key).unwrap(),
        attributes: vec![SealedAttribute {
            name: "name".into(),
            category: CategoryId::new("user.name"),
            sealed: key.seal(b"name", b"Test Person"),
            source: Provenance::Crm,
        }],
        identities: vec![SealedIdentity {
            kind: "email".into(),
            platform: None,
            blind_index: keys.blind_index("email", email),
            sealed: key.seal(b"email", email.as_bytes()),
            source: Provenance::Crm,
        }],
        at: OffsetDateTime::now_utc(),
    }
}

/// A fresh key ring, and the directory that holds it (kept while it is used).
pub fn keys() -> (tempfile::TempDir, KeyRing) {
    let dir = tempfile::tempdir().unwrap();
    KeyRing::create(dir.path()).unwrap();
    let keys = KeyRing::load_with(dir.path(), None).unwrap();
    (dir, keys)
}

/// An audit record for tests.
pub fn audit(action: &str) -> AuditRecord {
    AuditRecord::new(OffsetDateTime::now_utc(), "test", action, serde_json::json!({}))
}
