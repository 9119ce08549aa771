//! Who may call the API, as stored: a staff session names the token it was
//! started from and goes with it; sign-in challenges may be decoys (no
//! subject) and are counted per address key; expired ones are dropped.

use candor_domain::Role;
use candor_store::{AccessStore as _, BatchStore as _, ChallengeRecord, Op, Principal, SessionRecord, TokenRecord, WriteBatch};
use candor_test_support::each_backend;
use time::{Duration, OffsetDateTime};

fn bare(op: Op) -> WriteBatch {
    WriteBatch { ops: vec![op], audit: Vec::new() }
}

fn challenge(id: &str, address_key: &[u8], expires_at: OffsetDateTime) -> ChallengeRecord {
    ChallengeRecord {
        id: id.into(),
        subject: None,
        address_key: address_key.to_vec(),
        code_hash: "00".repeat(32),
        attempts_left: 5,
        expires_at,
    }
}

#[tokio::test]
async fn a_staff_session_names_its_token_and_goes_when_the_token_row_goes() {
    each_backend(|db| async move {
        let store = db.open().await;
        // Whole seconds: the store keeps microseconds.
        let now = OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        store.apply(bare(Op::UpsertActor { id: "alice".into(), roles: vec![Role::Agent], at: now })).await.unwrap();
        let token =
            TokenRecord { id: "t1".into(), actor: "alice".into(), created_at: now, expires_at: now + Duration::days(1), revoked_at: None };
        store.apply(bare(Op::CreateToken { token, hash: vec![1; 32] })).await.unwrap();
        let session = SessionRecord {
            principal: Principal::Staff("alice".into()),
            csrf: "c".into(),
            expires_at: now + Duration::hours(8),
            token: Some("t1".into()),
        };
        store.apply(bare(Op::CreateSession { hash: vec![2; 32], session: session.clone(), at: now })).await.unwrap();
        assert_eq!(store.session(&[2; 32]).await.unwrap(), Some(session));
        assert_eq!(store.token_by_id("t1").await.unwrap().map(|t| t.actor), Some("alice".into()));
        assert!(store.token_by_id("t2").await.unwrap().is_none());

        sqlx::query("delete from api_tokens where id = 't1'").execute(store.pool()).await.unwrap();
        assert!(store.session(&[2; 32]).await.unwrap().is_none(), "{}: the session went with its token", db.name());
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn decoy_challenges_are_counted_per_address_and_expired_ones_are_dropped() {
    each_backend(|db| async move {
        let store = db.open().await;
        let now = OffsetDateTime::now_utc();
        let old = now - Duration::hours(1);
        store.apply(bare(Op::CreateChallenge { challenge: challenge("c0", b"ana", old + Duration::minutes(30)), at: old })).await.unwrap();
        for i in 1..=3 {
            let c = challenge(&format!("c{i}"), b"ana", now + Duration::minutes(30));
            store.apply(bare(Op::CreateChallenge { challenge: c, at: now })).await.unwrap();
        }
        store.apply(bare(Op::CreateChallenge { challenge: challenge("d1", b"bo", now + Duration::minutes(30)), at: now })).await.unwrap();

        let c = store.challenge("c1").await.unwrap().unwrap();
        assert_eq!((c.subject, c.address_key.as_slice()), (None, b"ana".as_slice()), "a decoy names no subject");
        assert_eq!(store.challenges_since(b"ana", now - Duration::minutes(15)).await.unwrap(), 3);
        assert_eq!(store.challenges_since(b"bo", now - Duration::minutes(15)).await.unwrap(), 1);
        assert!(store.challenge("c0").await.unwrap().is_none(), "{}: the expired challenge went when the next was stored", db.name());
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn removing_an_actor_takes_its_tokens_and_sessions_but_never_the_last_admin() {
    each_backend(|db| async move {
        let store = db.open().await;
        let now = OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        for (id, roles) in [("alice", vec![Role::Agent]), ("root", vec![Role::Admin]), ("ops", vec![Role::Agent, Role::Admin])] {
            store.apply(bare(Op::UpsertActor { id: id.into(), roles, at: now })).await.unwrap();
        }
        let token =
            TokenRecord { id: "t1".into(), actor: "alice".into(), created_at: now, expires_at: now + Duration::days(1), revoked_at: None };
        store.apply(bare(Op::CreateToken { token, hash: vec![1; 32] })).await.unwrap();
        let session = SessionRecord {
            principal: Principal::Staff("alice".into()),
            csrf: "c".into(),
            expires_at: now + Duration::hours(8),
            token: None,
        };
        store.apply(bare(Op::CreateSession { hash: vec![2; 32], session, at: now })).await.unwrap();

        let out = store.apply(bare(Op::RemoveActor { id: "alice".into() })).await.unwrap();
        assert_eq!(out, [candor_store::Outcome::Count(1)]);
        assert!(store.actor("alice").await.unwrap().is_none());
        assert!(store.token(&[1; 32]).await.unwrap().is_none(), "{}: its token no longer authenticates", db.name());
        assert!(store.session(&[2; 32]).await.unwrap().is_none(), "{}: nor its session", db.name());
        assert_eq!(store.apply(bare(Op::RemoveActor { id: "alice".into() })).await.unwrap(), [candor_store::Outcome::Count(0)]);

        store.apply(bare(Op::RemoveActor { id: "ops".into() })).await.unwrap();
        let last = store.apply(bare(Op::RemoveActor { id: "root".into() })).await.unwrap_err();
        assert!(matches!(last, candor_store::StoreError::LastAdmin(ref a) if a == "root"), "{}: {last}", db.name());
        assert!(store.actor("root").await.unwrap().is_some(), "{}: the refused removal was rolled back", db.name());
        store.close().await;
    })
    .await;
}
