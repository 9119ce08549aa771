//! Publishing versions and the context the gate derives from them.

use candor_domain::EXAMPLE_POLICY;
use candor_service::ServiceError;
use candor_store::AuditStore as _;
use candor_test_support::{each_backend, Fixture};

#[tokio::test]
async fn publishing_is_immutable_numbered_and_idempotent() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let p1 = f.candor.publish_policy("carla", "policy.toml", EXAMPLE_POLICY).await.unwrap();
        assert!((p1.created, p1.version) == (true, 1) && p1.diff.is_none());
        let same = f.candor.publish_policy("carla", "policy.toml", EXAMPLE_POLICY).await.unwrap();
        assert!((same.created, same.version) == (false, 1));
        let v2 = EXAMPLE_POLICY.replace("Measure how quickly", "Measure how fast");
        let p2 = f.candor.publish_policy("carla", "policy.toml", &v2).await.unwrap();
        assert_eq!(p2.version, 2);
        assert!(!p2.diff.as_ref().unwrap().is_material(), "a wording change is not material");
        assert_eq!(f.candor.policy_context().await.unwrap().version, 2);
        let (rec, _) = f.candor.policy_version(1).await.unwrap();
        assert_eq!(rec.content, EXAMPLE_POLICY, "version 1 is unchanged");
        assert!(matches!(f.candor.policy_version(9).await, Err(ServiceError::UnknownPolicyVersion(9))));
        let publishes = f.store.audit_entries(0, 100).await.unwrap().into_iter().filter(|e| e.record.action == "policy.publish").count();
        assert_eq!(publishes, 2, "the no-op publish writes nothing");
    })
    .await;
}

#[tokio::test]
async fn an_invalid_policy_is_refused_with_every_error_and_stores_nothing() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let bad = EXAMPLE_POLICY.replace("user.contact.email\",\n", "user.contact.emial\",\n").replace("retention_days = 730\n", "");
        let err = f.candor.publish_policy("carla", "policy.toml", &bad).await.unwrap_err();
        let ServiceError::InvalidPolicy(diags) = err else { panic!("{err}") };
        assert!(diags.len() >= 2, "{diags:#?}");
        assert!(diags.iter().all(|d| d.file == "policy.toml" && d.line > 0 && d.column > 0));
        assert!(f.candor.policy_versions().await.unwrap().is_empty());
        assert!(matches!(f.candor.policy_context().await, Err(ServiceError::NoPolicy)));
    })
    .await;
}

#[tokio::test]
async fn a_version_published_by_another_process_is_picked_up() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        f.candor.publish_policy("carla", "policy.toml", EXAMPLE_POLICY).await.unwrap();
        assert_eq!(f.candor.policy_context().await.unwrap().version, 1);
        let other = candor_service::Candor::new(f.store.clone(), f.keys.clone());
        other
            .publish_policy("carla", "policy.toml", &EXAMPLE_POLICY.replace("retention_days = 395", "retention_days = 400"))
            .await
            .unwrap();
        // Within the recheck interval at the latest.
        tokio::time::sleep(candor_service::policy::POLICY_RECHECK + std::time::Duration::from_millis(50)).await;
        let ctx = f.candor.policy_context().await.unwrap();
        assert_eq!(ctx.version, 2, "the cached context is refreshed");
        assert_eq!(other.policy_context().await.unwrap().version, 2, "the publisher sees its own version at once");
    })
    .await;
}
