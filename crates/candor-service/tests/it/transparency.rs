//! What a customer is owed sight of, on both back ends: who opened their
//! data (newest first, staff by role, their own choices left out, found
//! through the index on the audit log's subject rather than by reading
//! the whole log), and who receives it.

use candor_domain::{ConsentAction, ConsentSource, Role};
use candor_service::subjects::NewSubjectInput;
use candor_service::transparency::Reader;
use candor_store::AuditStore as _;
use candor_test_support::{each_backend, Fixture};

#[tokio::test]
async fn readings_are_the_others_entries_about_the_customer_newest_first() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let add = |email: &str| NewSubjectInput { email: Some(email.into()), ..Default::default() };
        let ana = f.candor.add_subject("test", &add("ana@example.com")).await.unwrap();
        let bo = f.candor.add_subject("test", &add("bo@example.com")).await.unwrap();
        f.candor.view_subject("alice", ana, "customer_service").await.unwrap();
        // More of Ana's own choices than the ten pages of 200 the readings
        // used to look through: the store skips them, through an index of
        // the entries made by others, so staff's reads are still found and
        // a customer who uses the privacy center often does not slow it.
        for i in 0..2_100 {
            let action = if i % 2 == 0 { ConsentAction::Grant } else { ConsentAction::Withdraw };
            f.candor.record_consent("subject", ana, Some("personalization"), action, ConsentSource::PrivacyCenter).await.unwrap();
        }
        f.candor.view_subject("alice", bo, "customer_service").await.unwrap();
        f.candor.view_subject("carla", ana, "analytics").await.unwrap();

        let readings = f.candor.readings(ana, 10).await.unwrap();
        assert!(readings.iter().all(|r| r.reader != Reader::You), "{readings:?}");
        let staff: Vec<(&Reader, Option<&str>)> = readings.iter().map(|r| (&r.reader, r.purpose.as_deref())).collect();
        assert_eq!(
            staff,
            [
                (&Reader::Staff { roles: vec![Role::Compliance] }, Some("analytics")),
                (&Reader::Staff { roles: vec![Role::Agent] }, Some("customer_service")),
                (&Reader::Operator, None),
            ],
            "carla's read of Ana, then alice's, then her record being made (by a tool, `test`); Bo's read is not Ana's business"
        );
        assert!(readings.windows(2).all(|w| w[0].at >= w[1].at));

        // The store's page: newest first, strictly before the cursor, none
        // of them the customer's own.
        let pseudonym = f.candor.subject_summary(ana).await.unwrap().pseudonym;
        let first = f.store.audit_recent_about_by_others(&pseudonym, None, 2).await.unwrap();
        let next = f.store.audit_recent_about_by_others(&pseudonym, first.last().map(|e| e.seq), 2).await.unwrap();
        let actors: Vec<&str> = first.iter().chain(&next).map(|e| e.record.actor.as_str()).collect();
        assert_eq!(actors, ["carla", "alice", "test"], "two pages: carla's and alice's reads, then her record being made");
        assert!(first.windows(2).all(|w| w[0].seq > w[1].seq) && next[0].seq < first[1].seq);
        let both = first.iter().chain(&next);
        assert!(both.clone().all(|e| e.record.subject.as_deref() == Some(pseudonym.as_str()) && e.record.actor != "subject"));
    })
    .await;
}

#[tokio::test]
async fn disclosures_name_each_recipient_with_its_agreement() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana =
            f.candor.add_subject("test", &NewSubjectInput { email: Some("ana@example.com".into()), ..Default::default() }).await.unwrap();
        let d = f.candor.disclosures(ana).await.unwrap();
        let helpdesk = d.iter().find(|d| d.purpose.as_str() == "sharing.helpdesk_vendor").unwrap();
        assert_eq!(
            (helpdesk.recipient.as_str(), helpdesk.agreement.as_str(), helpdesk.in_effect),
            ("Helpdesk Cloud Inc.", "DPA-2025-014", true)
        );
    })
    .await;
}
