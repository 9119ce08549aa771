//! A running server and a key rotation made by another process on the same
//! installation: the server reads what was re-wrapped, wraps new subjects
//! under the new key-encryption key only, and a restart reads them all.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use candor_service::Candor;
use candor_store::{KeyRing, KeyStore as _};
use candor_test_support::{each_backend, Fixture};
use serde_json::json;

use crate::Api;

#[tokio::test]
async fn a_running_server_picks_up_a_rotation_and_never_wraps_under_the_retired_key() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let created = api.call(Some("alice"), Method::POST, "/api/v1/subjects", Some(json!({ "email": "before@example.com" }))).await;
        assert!(created.status.is_success(), "{created:?}");
        let before = created.json["id"].as_str().unwrap().to_owned();

        // `candor keys rotate` in another process: its own key ring over the
        // same key directory and database.
        let ring = Arc::new(KeyRing::load_with(&api.f.keys_dir(), None).unwrap());
        let other = Candor::open(api.f.store.clone(), ring).await.unwrap();
        let r = other.rotate_keys("ops", |_, _| {}).await.unwrap();
        assert_eq!((r.kek.as_str(), r.retired.clone()), ("k2", vec!["k1".to_owned()]));

        let read = api.call(Some("alice"), Method::GET, &format!("/api/v1/subjects/{before}"), None).await;
        assert_eq!(read.status, StatusCode::OK, "{read:?}");
        assert!(read.json.to_string().contains("before@example.com"), "{read:?}");
        let created = api.call(Some("alice"), Method::POST, "/api/v1/subjects", Some(json!({ "email": "after@example.com" }))).await;
        assert!(created.status.is_success(), "{created:?}");
        let after = created.json["id"].as_str().unwrap().to_owned();
        assert_eq!(api.f.store.key_counts().await.unwrap(), vec![("k2".to_owned(), 2)], "a data key was wrapped under the retired key");

        // A restart: a new service over the same directories reads both.
        let restarted = Candor::open(api.f.store.clone(), Arc::new(KeyRing::load_with(&api.f.keys_dir(), None).unwrap())).await.unwrap();
        for (id, email) in [(&before, "before@example.com"), (&after, "after@example.com")] {
            let v = restarted.view_subject("alice", candor_domain::SubjectId::parse(id).unwrap(), "customer_service").await.unwrap();
            assert!(v.fields.iter().any(|x| x.value.as_deref() == Some(email)), "{email} unreadable after a restart");
        }
    })
    .await;
}
