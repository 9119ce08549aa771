//! A conversation opened by its id, on both back ends: a customer whose
//! processing is restricted has their messages withheld, the others are
//! shown redacted, and each look is audited under the customer's pseudonym.

use std::sync::Arc;

use candor_domain::{ConsentAction, ConsentSource, Identifier};
use candor_service::import::{ImportOptions, Progress};
use candor_service::ServiceError;
use candor_store::AuditStore as _;
use candor_test_support::{each_backend, Fixture};

const TWCS: &str = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
    1,ann_c,True,Mon Oct 30 10:00:00 +0000 2017,@northwind my card 4111 1111 1111 1111 was charged twice,,\n\
    2,northwind,False,Mon Oct 30 10:05:00 +0000 2017,@ann_c we will refund it ^AB,,1\n\
    3,ben_c,True,Mon Oct 30 11:00:00 +0000 2017,@northwind where is my parcel,,\n\
    4,northwind,False,Mon Oct 30 11:05:00 +0000 2017,@ben_c checking ^CD,,3\n";

async fn setup(f: &Fixture) {
    let path = f.dir().join("twcs.csv");
    std::fs::write(&path, TWCS).unwrap();
    let options = ImportOptions { brands: vec!["northwind".into()], actor: "importer".into(), ..ImportOptions::default() };
    let s = f.candor.import(&path, options, Arc::new(Progress::default())).await.unwrap();
    assert_eq!(s.interactions.stored, 4);
}

#[tokio::test]
async fn a_restricted_customer_is_withheld_and_every_look_is_audited() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        setup(&f).await;
        let view = f.candor.view_conversation("alice", "x", "1", "customer_service", false).await.unwrap();
        assert_eq!(view.items.len(), 2, "only the conversation's items: {view:?}");
        assert_eq!(view.withheld, 0);
        let text = view.items[0].redacted_text.as_deref().unwrap();
        assert!(text.contains("charged twice") && !text.contains("4111"), "{text}");
        assert!(view.items.iter().all(|i| i.text.is_none()));
        let original = f.candor.view_conversation("alice", "x", "1", "customer_service", true).await.unwrap();
        assert!(original.items[0].text.as_deref().unwrap().contains("4111 1111 1111 1111"));

        let ann = f.candor.find_subject(&Identifier::handle("x", "ann_c").unwrap()).await.unwrap().unwrap();
        let pseudonym = f.candor.subject_summary(ann).await.unwrap().pseudonym;
        let looks = f.store.audit_about(&pseudonym, 100).await.unwrap();
        assert_eq!(looks.iter().filter(|e| e.record.action == "access.decide" && e.record.actor == "alice").count(), 2, "{looks:?}");

        f.candor.record_consent("test", ann, None, ConsentAction::Restrict, ConsentSource::Api).await.unwrap();
        let after = f.candor.view_conversation("alice", "x", "1", "customer_service", true).await.unwrap();
        assert_eq!(after.withheld, 2, "her message and the reply to her: {after:?}");
        assert!(after.items.iter().all(|i| i.redacted_text.is_none() && i.text.is_none() && i.withheld.is_some()));
        // Ben's conversation is untouched.
        let ben = f.candor.view_conversation("alice", "x", "3", "customer_service", false).await.unwrap();
        assert_eq!((ben.items.len(), ben.withheld), (2, 0));

        let refused = f.candor.view_conversation("ana", "x", "1", "customer_service", false).await.unwrap_err();
        assert!(matches!(refused, ServiceError::Denied(_)), "{refused}");
        let missing = f.candor.view_conversation("alice", "facebook", "1", "customer_service", false).await.unwrap_err();
        assert!(matches!(missing, ServiceError::InvalidInput(_)), "{missing}");
    })
    .await;
}
