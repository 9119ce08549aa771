//! A signed-in customer (or whoever holds their cookie) posting the
//! privacy center's forms over and over: the rate limits slow them, and
//! what gets through opens one request of each kind and a handful of
//! concerns, never a queue for staff and a mailbox full of receipts.

use axum::http::StatusCode;
use candor_domain::RightKind;
use candor_service::concerns::{ConcernList, MAX_OPEN_CONCERNS};
use candor_test_support::{each_backend, Fixture};

use crate::privacy_center::{served, Browser};

/// Messages queued for the customer so far (receipts, sign-in codes).
async fn queued(api: &crate::Api) -> usize {
    api.f.candor.outbox(false, 0, 10_000).await.unwrap().len()
}

#[tokio::test]
async fn a_flood_of_requests_opens_one_of_each_kind_and_mails_one_receipt_each() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        b.sign_in("ana@example.com").await;
        let csrf = b.get("/privacy/requests").await.hidden("csrf");
        let before = queued(&api).await;
        let mut answers = Vec::new();
        for _ in 0..40 {
            answers.push(b.post("/privacy/requests", &[("csrf", &csrf), ("kind", "access")]).await);
            answers.push(b.post("/privacy/delete", &[("csrf", &csrf)]).await);
            answers.push(b.post("/privacy/requests/correct", &[("csrf", &csrf), ("name", "Ana R. Ruiz")]).await);
        }
        let mine: Vec<RightKind> =
            api.f.candor.rights_requests(false).await.unwrap().into_iter().filter(|r| r.subject == ana).map(|r| r.request.kind).collect();
        assert_eq!(mine.len(), 3, "one access, one erasure, one rectification: {mine:?}");
        for kind in [RightKind::Access, RightKind::Erasure, RightKind::Rectification] {
            assert!(mine.contains(&kind), "{kind:?} in {mine:?}");
        }
        assert_eq!(queued(&api).await - before, 3, "one receipt per request, not one per post");
        // Each post after the first of its kind is sent to the list, which
        // says the request is being handled (or slowed by the rate limit).
        let again: Vec<_> = answers.iter().skip(3).map(|p| (p.status, p.header("location").map(str::to_owned))).collect();
        let already = (StatusCode::SEE_OTHER, Some("/privacy/requests?done=already#requests".to_owned()));
        assert!(again.iter().all(|a| *a == already || a.0 == StatusCode::TOO_MANY_REQUESTS), "{again:?}");
        assert!(again.contains(&already));
        let listed = b.get("/privacy/requests?done=already").await;
        assert!(listed.html.contains("You asked for this already, and we are still handling it"), "{}", listed.html);
        // Once staff close it, the customer may ask again.
        let access = api.f.candor.rights_requests(false).await.unwrap().into_iter().find(|r| r.request.kind == RightKind::Access).unwrap();
        api.f.candor.reject_rights_request("carla", &access.id, "asked twice in a day").await.unwrap();
        let asked = b.post("/privacy/requests", &[("csrf", &csrf), ("kind", "access")]).await;
        assert_eq!(asked.header("location"), Some("/privacy/requests?done=access#requests"));
    })
    .await;
}

#[tokio::test]
async fn a_flood_of_concerns_stops_at_the_limit_of_waiting_ones_and_is_told_why() {
    each_backend(|db| async move {
        let (api, _) = served(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        b.sign_in("ana@example.com").await;
        let csrf = b.get("/privacy/concerns").await.hidden("csrf");
        let before = queued(&api).await;
        let mut statuses = Vec::new();
        for i in 0..30 {
            let p = b.post("/privacy/concerns", &[("csrf", &csrf), ("message", &format!("Question number {i}"))]).await;
            if p.status == StatusCode::CONFLICT {
                assert!(p.html.contains("5 of your questions or concerns are still waiting for our answer"), "{}", p.html);
                assert!(p.html.contains(&format!("Question number {i}")), "what was typed is kept in the form");
            }
            statuses.push(p.status);
        }
        let limit = MAX_OPEN_CONCERNS as usize;
        let stored = api.f.candor.concern_page(ConcernList::default(), None, 100).await.unwrap().items;
        assert_eq!(stored.len(), limit);
        assert_eq!(queued(&api).await - before, limit, "a receipt for each concern taken, none for those refused");
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(), limit, "{statuses:?}");
        assert!(statuses.contains(&StatusCode::CONFLICT));
        // An answer makes room for one more.
        api.f.candor.answer_concern("carla", &stored[0].id, "Here is the answer.").await.unwrap();
        let p = b.post("/privacy/concerns", &[("csrf", &csrf), ("message", "One more")]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    })
    .await;
}
