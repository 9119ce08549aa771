//! The service's use cases against real stores: SQLite always, PostgreSQL
//! when `CANDOR_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test crate: helpers fail the test loudly")]

mod access;
mod analytics;
mod audit;
mod bundle_format;
mod concerns;
mod consent;
mod conversations;
mod crash;
mod execute;
mod import;
mod keys;
mod mail;
mod pages;
mod passkeys;
mod policy;
mod policy_notices;
mod rights;
mod subjects;
mod transparency;

use candor_domain::SubjectId;
use candor_service::subjects::NewSubjectInput;
use candor_test_support::Fixture;

/// Add a customer with an e-mail, an X handle and a name.
pub async fn customer(f: &Fixture, email: &str, handle: &str) -> SubjectId {
    let input = NewSubjectInput {
        email: Some(email.into()),
        handles: vec![format!("x:{handle}")],
        name: Some("Pat Doe".into()),
        ..Default::default()
    };
    f.candor.add_subject("test", &input).await.unwrap()
}
