//! Lists a page at a time (issue 17, point 7): walking every page of
//! rights requests, policy versions, recipients, a consent ledger and a
//! subject's interactions returns each item exactly once, in the list's
//! order, on both back ends; a cursor the list did not give is refused.

use std::sync::Arc;

use candor_domain::{ConsentAction, ConsentSource, Identifier, RightKind, EXAMPLE_POLICY};
use candor_service::import::{ImportOptions, Progress};
use candor_service::page::{Page, RightsList};
use candor_service::{Result, ServiceError};
use candor_store::{ConsentStore as _, InteractionStore as _, RightsStore as _};
use candor_test_support::{each_backend, Fixture};

/// Ana writes seven times, three of them in the same second: ties the
/// order must break the same way on every page.
const TWCS: &str = concat!(
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n",
    "11,115712,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare one,,\n",
    "12,115712,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare two,,\n",
    "13,115712,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare three,,\n",
    "14,115712,True,Wed Nov 01 08:00:00 +0000 2017,@sprintcare four,,\n",
    "15,115712,True,Thu Nov 02 08:00:00 +0000 2017,@sprintcare five,,\n",
    "16,115712,True,Thu Nov 02 09:00:00 +0000 2017,@sprintcare six,,\n",
    "17,115712,True,Mon Oct 30 07:00:00 +0000 2017,@sprintcare seven,,\n",
    "21,115713,True,Tue Oct 31 22:50:00 +0000 2017,@sprintcare someone else,,\n",
);

const CONTACTS: &str =
    "Customer ID,Full Name,Email Address,Mobile,Twitter\nC-1,Ana Lopez,ana@example.com,,@115712\nC-2,Bo Diaz,bo@example.com,,@115713\n";

async fn import(f: &Fixture, name: &str, body: &str) {
    let path = f.dir().join(name);
    std::fs::write(&path, body).unwrap();
    let options = ImportOptions { actor: "importer".into(), ..ImportOptions::default() };
    f.candor.import(&path, options, Arc::new(Progress::default())).await.unwrap();
}

/// Every item of a list, read `limit` at a time by following `next`.
async fn walk<T, F, Fut>(limit: u32, page: F) -> Vec<T>
where
    F: Fn(Option<String>, u32) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>>>,
{
    let mut all = Vec::new();
    let mut after = None;
    for _ in 0..1_000 {
        let p = page(after.clone(), limit).await.unwrap();
        assert!(p.items.len() <= limit as usize, "a page holds at most `limit`");
        all.extend(p.items);
        match p.next {
            Some(n) => after = Some(n),
            None => return all,
        }
    }
    panic!("the pages never ended")
}

#[tokio::test]
async fn walking_the_pages_of_every_list_returns_each_item_once() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        import(&f, "crm.csv", CONTACTS).await;
        import(&f, "twcs.csv", TWCS).await;
        let c = &f.candor;
        let ana = c.find_subject(&Identifier::email("ana@example.com").unwrap()).await.unwrap().unwrap();
        let bo = c.find_subject(&Identifier::email("bo@example.com").unwrap()).await.unwrap().unwrap();

        // Rights requests: several per subject, some with the same deadline.
        for kind in [RightKind::Access, RightKind::Portability, RightKind::Restriction, RightKind::Objection] {
            c.open_rights_request("carla", kind, ana, None).await.unwrap();
            c.open_rights_request("carla", kind, bo, None).await.unwrap();
        }
        let all: Vec<String> = f.store.rights_requests(false).await.unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(all.len(), 8);
        for limit in [1, 3, 8, 100] {
            let walked =
                walk(limit, |after, limit| async move { c.rights_request_page(RightsList::default(), after.as_deref(), limit).await })
                    .await;
            assert_eq!(walked.into_iter().map(|r| r.id).collect::<Vec<_>>(), all, "limit {limit}: every request once, deadline order");
        }
        let anas = walk(3, |after, limit| async move {
            c.rights_request_page(RightsList { overdue: false, subject: Some(ana) }, after.as_deref(), limit).await
        })
        .await;
        assert_eq!(anas.len(), 4);
        assert!(anas.iter().all(|r| r.subject == ana), "only her own");
        let overdue = c.rights_request_page(RightsList { overdue: true, subject: None }, None, 100).await.unwrap();
        assert!(overdue.items.is_empty() && overdue.next.is_none(), "nothing is overdue yet");

        // Policy versions.
        c.publish_policy("carla", "policy.toml", &EXAMPLE_POLICY.replace("Measure how quickly", "Measure how fast")).await.unwrap();
        c.publish_policy("carla", "policy.toml", &EXAMPLE_POLICY.replace("Measure how quickly", "Measure how promptly")).await.unwrap();
        let versions = walk(2, |after, limit| async move { c.policy_version_page(after.as_deref(), limit).await }).await;
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2, 3]);

        // Recipients of the policy in force.
        let expected: Vec<String> = c.policy_context().await.unwrap().policy.recipients.keys().cloned().collect();
        assert!(!expected.is_empty(), "the example policy names recipients");
        let recipients = walk(1, |after, limit| async move { c.recipient_page(after.as_deref(), limit).await }).await;
        assert_eq!(recipients.into_iter().map(|r| r.id).collect::<Vec<_>>(), expected);

        // A consent ledger.
        for i in 0..7 {
            let action = if i % 2 == 0 { ConsentAction::Grant } else { ConsentAction::Withdraw };
            c.record_consent("carla", ana, Some("analytics"), action, ConsentSource::Api).await.unwrap();
        }
        c.record_consent("carla", bo, Some("analytics"), ConsentAction::Grant, ConsentSource::Api).await.unwrap();
        let ledger: Vec<i64> = f.store.consent_events(ana).await.unwrap().into_iter().map(|e| e.id).collect();
        assert!(ledger.len() >= 7);
        let walked = walk(3, |after, limit| async move { c.consent_event_page(ana, after.as_deref(), limit).await }).await;
        assert_eq!(walked.into_iter().map(|e| e.id).collect::<Vec<_>>(), ledger);

        // A subject's interactions, newest first, ties included.
        let mut stored: Vec<String> = f.store.subject_interactions(ana).await.unwrap().into_iter().map(|i| i.external_id).collect();
        stored.reverse();
        assert_eq!(stored.len(), 7);
        for limit in [1, 2, 3, 7] {
            let walked = walk(limit, |after, limit| async move {
                c.view_interactions("alice", ana, "customer_service", true, after.as_deref(), limit)
                    .await
                    .map(|v| Page { items: v.items, next: v.next })
            })
            .await;
            assert_eq!(walked.into_iter().map(|i| i.external_id).collect::<Vec<_>>(), stored, "limit {limit}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_cursor_the_list_did_not_give_is_refused() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let c = &f.candor;
        let versions_cursor = c.policy_version_page(None, 1).await.unwrap();
        assert!(versions_cursor.next.is_none(), "one version, one page");
        for bad in ["%%%", "bm90IGpzb24", "MQ"] {
            // `MQ` is the cursor `1` of the version list: not a request's key.
            let e = c.rights_request_page(RightsList::default(), Some(bad), 10).await.unwrap_err();
            assert!(matches!(e, ServiceError::InvalidInput(_)), "{bad}: {e}");
            assert!(e.to_string().contains("`after` is not a cursor of this list"), "{e}");
        }
        assert!(matches!(c.policy_version_page(Some("!"), 10).await, Err(ServiceError::InvalidInput(_))));
        assert!(matches!(c.recipient_page(Some("!"), 10).await, Err(ServiceError::InvalidInput(_))));
    })
    .await;
}
