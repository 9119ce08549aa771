//! Carrying rights requests out against real stores: the access bundle,
//! erasure (down to the bytes of the database files), legal holds,
//! rectification, restriction, objection, the CCPA opt-outs, one-time
//! codes and the outbox, and what happens when a run fails midway or is
//! repeated.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use candor_domain::{CategoryId, Decision, DenyReason, Identifier, RequestState, RightKind, RightsError, SubjectId};
use candor_service::import::{ImportOptions, Progress};
use candor_service::rights::execute::ExecuteOptions;
use candor_service::ServiceError;
use candor_store::{AuditStore as _, ConsentStore as _, InteractionStore as _, SubjectStore as _};
use candor_test_support::{each_backend, Fixture, TestDb};

const CONTACTS: &str = "Customer ID,Full Name,Email Address,Mobile,Twitter\nC-1,Ana Lopez,ana@example.com,+44 7700 900123,@115712\n";

const TWCS: &str = concat!(
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n",
    "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,\"@sprintcare my parcel never came, the courier left it somewhere\",2,\n",
    "2,sprintcare,False,Tue Oct 31 22:11:45 +0000 2017,@115712 Sorry to hear that! Please DM us. ^AB,3,1.0\n",
    "3,115712,True,Tue Oct 31 22:13:00 +0000 2017,@sprintcare done thanks a bunch,,2\n",
    "5,sprintcare,False,Tue Oct 31 23:00:00 +0000 2017,@115713 We're looking into it ^JK,,4\n",
    "4,115713,True,Tue Oct 31 22:50:00 +0000 2017,@SprintCare my app crashes since the update,5,\n",
);

/// What must not survive Ana's erasure anywhere in the database.
const ANA_BYTES: &[&str] = &["ana@example.com", "Ana Lopez", "115712", "parcel never came", "done thanks a bunch", "Sorry to hear that"];

async fn import(f: &Fixture, name: &str, body: &str) {
    let path = f.dir().join(name);
    std::fs::write(&path, body).unwrap();
    let options = ImportOptions { actor: "importer".into(), ..ImportOptions::default() };
    f.candor.import(&path, options, Arc::new(Progress::default())).await.unwrap();
}

/// A fixture with Ana (CRM contact and two tweets, one brand reply) and
/// another customer; returns Ana's id.
async fn setup(f: &Fixture) -> SubjectId {
    import(f, "crm.csv", CONTACTS).await;
    import(f, "twcs.csv", TWCS).await;
    f.candor.find_subject(&Identifier::email("ana@example.com").unwrap()).await.unwrap().unwrap()
}

/// Open a request and verify it as staff.
async fn verified(f: &Fixture, kind: RightKind, s: SubjectId) -> String {
    let r = f.candor.open_rights_request("carla", kind, s, None).await.unwrap();
    if kind.needs_verification() {
        f.candor.verify_rights_request_by_staff("carla", &r.id, "passport seen").await.unwrap();
    }
    r.id
}

fn none() -> ExecuteOptions {
    ExecuteOptions::default()
}

fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[tokio::test]
async fn an_access_bundle_holds_everything_about_the_customer_and_nothing_about_others() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana = setup(&f).await;
        f.candor.view_subject("alice", ana, "customer_service").await.unwrap();
        let id = f.candor.open_rights_request("carla", RightKind::Access, ana, None).await.unwrap().id;
        let out: PathBuf = f.dir().join("bundle");
        let err =
            f.candor.execute_rights_request("carla", &id, &ExecuteOptions { out_dir: Some(out.clone()), ..none() }).await.unwrap_err();
        assert!(matches!(err, ServiceError::Rights(RightsError::NotVerified)), "{err}");
        assert!(!out.exists());
        f.candor.verify_rights_request_by_staff("carla", &id, "passport seen").await.unwrap();

        let done = f.candor.execute_rights_request("carla", &id, &ExecuteOptions { out_dir: Some(out.clone()), ..none() }).await.unwrap();
        assert!(!done.already_done);
        assert_eq!(done.record.request.state, RequestState::Completed);
        let result = done.record.request.result.clone().unwrap();
        assert_eq!(result.bundle.as_deref(), Some(out.display().to_string().as_str()));
        // What was exported is named with fideslang's categories (`user.*`
        // from the embedded taxonomy; audit entries are its `system.operations`).
        for c in &result.exported {
            assert!(
                candor_domain::Taxonomy::fideslang().contains(&c.category) || c.category == "system.operations",
                "{} is not a fideslang category",
                c.category
            );
        }
        assert!(result.exported.iter().any(|c| c.what == "consent events" && c.category == "user.privacy_preferences"));
        // Her data in the clear: nobody but the operator's account reads it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o700);
            for file in std::fs::read_dir(&out).unwrap() {
                let file = file.unwrap();
                assert_eq!(file.metadata().unwrap().permissions().mode() & 0o777, 0o600, "{:?}", file.path());
            }
        }

        // The manifest lists every file with a checksum that matches.
        let manifest = read_json(&out.join("manifest.json"));
        assert_eq!(manifest["format"], "candor-export/1");
        assert_eq!(manifest["right"], "access");
        assert_eq!(manifest["controller"]["name"], "Northwind Outfitters Ltd");
        let files = manifest["files"].as_array().unwrap();
        let names: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
        for want in [
            "data.json",
            "summary.txt",
            "profile.csv",
            "interactions.csv",
            "consent.csv",
            "purposes.csv",
            "recipients.csv",
            "access_log.csv",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        for file in files {
            let bytes = std::fs::read(out.join(file["path"].as_str().unwrap())).unwrap();
            assert_eq!(file["sha256"].as_str().unwrap(), hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)));
        }

        // Profile and identities, decrypted for the customer themself.
        let data = read_json(&out.join("data.json"));
        let profile: Vec<(String, String)> = data["profile"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["field"].as_str().unwrap().to_owned(), p["value"].as_str().unwrap().to_owned()))
            .collect();
        for (field, value) in [("email", "ana@example.com"), ("name", "Ana Lopez"), ("handle:x", "x:@115712"), ("customer_number", "C-1")] {
            assert!(profile.contains(&(field.into(), value.into())), "{field}={value} not in {profile:?}");
        }
        // Her interactions, with their original text; not the other customer's.
        let texts: Vec<&str> = data["interactions"].as_array().unwrap().iter().map(|i| i["text"].as_str().unwrap()).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("my parcel never came")), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("app crashes")), "another customer's message leaked: {texts:?}");
        // Purposes with legal bases and retention dates; recipients; the
        // audit entries about her, the agent's read among them.
        let purposes = data["purposes"].as_array().unwrap();
        let analytics = purposes.iter().find(|p| p["purpose"] == "analytics").unwrap();
        assert_eq!((analytics["legal_basis"].as_str(), analytics["in_effect"].as_bool()), (Some("legitimate_interests"), Some(true)));
        let created = f.store.subject(ana).await.unwrap().unwrap().created_at;
        assert_eq!(analytics["kept_until"], (created + time::Duration::days(395)).date().to_string(), "395 days after her latest record");
        let helpdesk = data["recipients"].as_array().unwrap().iter().find(|r| r["recipient"] == "helpdesk_vendor").unwrap();
        assert_eq!(helpdesk["receives_your_data"], true);
        let log = data["access_log"].as_array().unwrap();
        assert!(log.iter().any(|e| e["actor"] == "alice" && e["purpose"] == "customer_service"), "{log:?}");

        // CSV per table, one header row plus one per record.
        let csv = std::fs::read_to_string(out.join("interactions.csv")).unwrap();
        assert!(csv.starts_with("platform,external_id,kind,direction,occurred_at"), "{csv}");
        assert_eq!(csv::Reader::from_reader(csv.as_bytes()).records().count(), 3);
        let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
        assert!(summary.contains("Your data held by Northwind Outfitters Ltd") && summary.contains("3 message(s)"), "{summary}");

        // Again: done already, nothing written twice.
        std::fs::remove_dir_all(&out).unwrap();
        let again = f.candor.execute_rights_request("carla", &id, &ExecuteOptions { out_dir: Some(out.clone()), ..none() }).await.unwrap();
        assert!(again.already_done);
        assert!(!out.exists());

        // A bundle never overwrites a directory.
        let id = verified(&f, RightKind::Portability, ana).await;
        std::fs::create_dir(&out).unwrap();
        let err =
            f.candor.execute_rights_request("carla", &id, &ExecuteOptions { out_dir: Some(out.clone()), ..none() }).await.unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(f.candor.rights_request(&id).await.unwrap().request.state, RequestState::InProgress, "re-runnable");
    })
    .await;
}

/// Whether any stored row, in any table, contains `needle`: on SQLite the
/// bytes of the database file and its WAL after a checkpoint; on
/// PostgreSQL every row of every table as text.
async fn stored_anywhere(f: &Fixture, needle: &str) -> bool {
    match f.db.sqlite_file() {
        Some(file) => {
            let mut bytes = std::fs::read(&file).unwrap();
            let wal = PathBuf::from(format!("{}-wal", file.display()));
            if wal.exists() {
                bytes.extend(std::fs::read(&wal).unwrap());
            }
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        }
        None => {
            let tables: Vec<(String,)> =
                sqlx::query_as("select table_name::text from information_schema.tables where table_schema = current_schema()")
                    .fetch_all(f.store.pool())
                    .await
                    .unwrap();
            assert!(tables.len() > 10, "{tables:?}");
            for (t,) in tables {
                let (n,): (i64,) = sqlx::query_as(&format!("select count(*) from {t} x where x::text like $1"))
                    .bind(format!("%{needle}%"))
                    .fetch_one(f.store.pool())
                    .await
                    .unwrap();
                if n > 0 {
                    eprintln!("`{needle}` found in table {t}");
                    return true;
                }
            }
            false
        }
    }
}

/// Flush SQLite's WAL into the file and truncate it.
async fn checkpoint(f: &Fixture) {
    if f.db.sqlite_file().is_some() {
        f.exec("pragma wal_checkpoint(truncate)").await;
    }
}

#[tokio::test]
async fn erasure_shreds_deletes_suppresses_and_notifies_and_leaves_no_bytes_behind() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana = setup(&f).await;
        let other = f.candor.find_subject(&Identifier::handle("x", "115713").unwrap()).await.unwrap().unwrap();
        let code_request = f.candor.open_rights_request("carla", RightKind::Access, ana, None).await.unwrap().id;
        f.candor.send_rights_code("carla", &code_request).await.unwrap();
        checkpoint(&f).await;
        assert!(stored_anywhere(&f, "parcel never came").await, "the check sees redacted text while it is stored");

        let id = verified(&f, RightKind::Erasure, ana).await;
        let done = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap();
        // The bytes left the database file and its write-ahead log before
        // `execute` answered, wherever it runs (a server never closes its
        // store to flush them).
        for needle in ANA_BYTES {
            assert!(!stored_anywhere(&f, needle).await, "`{needle}` is still stored after the erasure answered");
        }
        let result = done.record.request.result.clone().unwrap();
        let deleted = |what: &str| result.deleted.iter().filter(|d| d.what == what).map(|d| d.records).sum::<u64>();
        assert_eq!((deleted("interactions"), deleted("identities"), deleted("profile")), (3, 4, 1), "{result:?}");
        assert!(result.kept.is_empty());
        assert_eq!(result.notified, ["helpdesk_vendor"], "a contract-based sharing purpose sends her data there");

        // Gone: the key, the rows; the other customer untouched.
        assert!(f.store.subject(ana).await.unwrap().is_none());
        assert!(f.store.subject_interactions(ana).await.unwrap().is_empty());
        assert_eq!(f.store.subject_interactions(other).await.unwrap().len(), 2);
        assert!(f.store.consent_events(ana).await.unwrap().is_empty());
        assert_eq!(f.candor.find_subject(&Identifier::email("ana@example.com").unwrap()).await.unwrap(), None);

        // The recipient is asked to erase, by pseudonym only; the code sent
        // to her went with her data.
        let outbox = f.candor.outbox(false, 0, 100).await.unwrap();
        let kinds: Vec<(&str, &str)> = outbox.iter().map(|m| (m.kind.as_str(), m.recipient.as_str())).collect();
        assert_eq!(kinds, [("erasure_notice", "helpdesk_vendor"), ("request_completed", "subject")]);
        assert_eq!(outbox[0].body["subject"], done.record.subject_pseudonym.as_str());
        assert_eq!(outbox[0].body["from"], "Northwind Outfitters Ltd");
        // Her confirmation was written before her key was destroyed and
        // still reaches her; once sent, her address leaves the outbox too.
        let confirmation = &outbox[1];
        assert_eq!(confirmation.to.as_deref(), Some("ana@example.com"));
        let text = confirmation.body["text"].as_str().unwrap();
        assert!(text.contains("We erased your data") && text.contains("Northwind Outfitters Ltd"), "{text}");
        f.candor.mark_sent("courier", &[confirmation.id]).await.unwrap();
        let sent = f.candor.outbox(false, 0, 100).await.unwrap();
        assert_eq!(sent[1].to, None, "sealed for delivery only: wiped once sent");
        let (sealed,): (Option<Vec<u8>>,) =
            sqlx::query_as("select sealed from outbox where kind = 'request_completed'").fetch_one(f.store.pool()).await.unwrap();
        assert_eq!(sealed, None);

        // A later import does not bring her back.
        import(&f, "crm.csv", CONTACTS).await;
        import(&f, "twcs.csv", TWCS).await;
        assert_eq!(f.candor.find_subject(&Identifier::email("ana@example.com").unwrap()).await.unwrap(), None);
        assert_eq!(f.store.interaction_count().await.unwrap(), 2);

        // Executing again reports it done; new requests say she is erased.
        assert!(f.candor.execute_rights_request("carla", &id, &none()).await.unwrap().already_done);
        let err = f.candor.open_rights_request("carla", RightKind::Access, ana, None).await.unwrap_err();
        assert!(matches!(&err, ServiceError::SubjectErased { request, .. } if *request == id), "{err}");
        let err = f.candor.execute_rights_request("carla", &code_request, &none()).await.unwrap_err();
        assert!(matches!(&err, ServiceError::SubjectErased { .. }), "{err}");

        // The audit chain is whole and holds her pseudonym, never her data.
        let report = f.candor.verify_audit(|_, _| {}).await.unwrap();
        assert!(matches!(report, candor_service::audit::AuditReport::Intact { .. }), "{report:?}");
        let erase = f.store.audit_about(&done.record.subject_pseudonym, 1_000).await.unwrap();
        assert!(erase.iter().any(|e| e.record.action == "rights.erase" && e.record.detail["key_destroyed"] == true));

        // And they stay gone.
        for needle in ANA_BYTES {
            assert!(!stored_anywhere(&f, needle).await, "`{needle}` is still stored");
        }
        assert!(stored_anywhere(&f, "app crashes").await, "the other customer's data stays");
    })
    .await;
}

#[tokio::test]
async fn an_erasure_report_names_the_bundles_written_outside_the_servers_exports() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana = setup(&f).await;
        let exports = f.dir().join("exports");
        let by_hand = f.dir().join("handed-over");
        let id = verified(&f, RightKind::Access, ana).await;
        let served = ExecuteOptions { out_dir: Some(exports.join(&id)), bundles_dir: Some(exports.clone()), ..none() };
        f.candor.execute_rights_request("carla", &id, &served).await.unwrap();
        let id = verified(&f, RightKind::Portability, ana).await;
        f.candor.execute_rights_request("carla", &id, &ExecuteOptions { out_dir: Some(by_hand.clone()), ..none() }).await.unwrap();

        let id = verified(&f, RightKind::Erasure, ana).await;
        let done =
            f.candor.execute_rights_request("carla", &id, &ExecuteOptions { bundles_dir: Some(exports.clone()), ..none() }).await.unwrap();
        let result = done.record.request.result.unwrap();
        assert_eq!(done.bundles_removed, 1, "the server's own copy is removed");
        assert_eq!(result.bundles_elsewhere, [by_hand.display().to_string()], "the other is named for the operator");
        assert!(by_hand.exists(), "candor does not delete what it handed over");
        assert!(result.summary.iter().any(|l| l.contains("responsible for deleting")), "{:?}", result.summary);
    })
    .await;
}

#[tokio::test]
async fn an_erasure_is_not_reported_done_while_a_reader_keeps_its_bytes_in_the_write_ahead_log() {
    // SQLite only: PostgreSQL has no write-ahead log of pages to flush.
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let ana = setup(&f).await;
    let id = verified(&f, RightKind::Erasure, ana).await;
    // Another process holds a read snapshot from before the erasure, so
    // the old pages cannot leave the log until it lets go.
    let file = f.db.sqlite_file().unwrap();
    let mut reader = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    sqlx::query("begin").execute(&mut reader).await.unwrap();
    sqlx::query("select count(*) from interactions").execute(&mut reader).await.unwrap();

    let err = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap_err();
    assert!(matches!(err, candor_service::ServiceError::Store(candor_store::StoreError::PurgePending)), "{err:?}");
    assert!(err.to_string().contains("write-ahead log"), "{err}");
    assert!(stored_anywhere(&f, "parcel never came").await, "the failure is real: the old pages are still in the log");

    sqlx::query("rollback").execute(&mut reader).await.unwrap();
    drop(reader);
    let done = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap();
    assert!(done.already_done, "the erasure itself was committed the first time");
    for needle in ANA_BYTES {
        assert!(!stored_anywhere(&f, needle).await, "`{needle}` is still stored");
    }
}

#[tokio::test]
async fn an_erasure_that_fails_midway_stays_in_progress_with_nothing_erased_and_runs_again() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana = setup(&f).await;
        let id = verified(&f, RightKind::Erasure, ana).await;
        // The database refuses to destroy the key, the erasure's last step.
        let jam = match f.db.sqlite_file() {
            Some(_) => vec!["create trigger jam before delete on subjects begin select raise(abort, 'shredder jammed'); end"],
            None => vec![
                "create function jam() returns trigger language plpgsql as $$ begin raise exception 'shredder jammed'; end $$",
                "create trigger jam before delete on subjects for each row execute function jam()",
            ],
        };
        for sql in jam {
            f.exec(sql).await;
        }
        let err = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap_err();
        // The database's own message is kept as the error's cause.
        let chain = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source()).map(|e| e.to_string()).collect::<Vec<_>>();
        assert!(chain.iter().any(|m| m.contains("shredder jammed")), "{chain:?}");
        let r = f.candor.rights_request(&id).await.unwrap();
        assert_eq!((r.request.state, r.request.result), (RequestState::InProgress, None), "not reported done");
        assert_eq!(f.store.subject_interactions(ana).await.unwrap().len(), 3, "nothing half erased");
        let view = f.candor.view_subject("alice", ana, "customer_service").await.unwrap();
        assert!(view.fields.iter().any(|v| v.value.as_deref() == Some("ana@example.com")), "the key still opens her data");
        let outbox = f.candor.outbox(false, 0, 100).await.unwrap();
        assert!(outbox.iter().all(|m| m.kind == "request_received"), "no notice went out: {outbox:?}");

        f.exec(if f.db.sqlite_file().is_some() { "drop trigger jam" } else { "drop trigger jam on subjects" }).await;
        let done = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap();
        assert_eq!(done.record.request.state, RequestState::Completed);
        assert!(f.store.subject(ana).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_legal_hold_turns_erasure_into_restriction_of_what_it_covers() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana = setup(&f).await;
        let err = f.candor.place_hold("carla", ana, "analytics", "dispute").await.unwrap_err();
        assert!(err.to_string().contains("legal_claims"), "{err}");
        f.candor.place_hold("carla", ana, "legal_claims", "refund dispute 2017-114 is open").await.unwrap();

        let id = verified(&f, RightKind::Erasure, ana).await;
        let done = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap();
        let result = done.record.request.result.unwrap();
        // Kept: what legal_claims covers; deleted: the rest.
        let kept: Vec<&str> = result.kept.iter().map(|k| k.category.as_str()).collect();
        assert!(kept.contains(&"user.contact.email") && kept.contains(&"user.name") && kept.contains(&"user.content.public"), "{kept:?}");
        assert!(result.kept.iter().all(|k| k.purpose == "legal_claims" && k.why.contains("refund dispute 2017-114")));
        let deleted: Vec<&str> = result.deleted.iter().map(|d| d.category.as_str()).collect();
        assert!(deleted.contains(&"user.contact.phone_number") && deleted.contains(&"user.account.username"), "{deleted:?}");
        assert!(result.summary.iter().any(|l| l.contains("restricted")), "{:?}", result.summary);

        let s = f.store.subject(ana).await.unwrap().expect("kept under the hold");
        let kinds: Vec<&str> = s.identities.iter().map(|i| i.kind.as_str()).collect();
        assert!(kinds.contains(&"email") && !kinds.contains(&"phone") && !kinds.contains(&"handle"), "{kinds:?}");
        assert_eq!(f.store.subject_interactions(ana).await.unwrap().len(), 3);
        // Restricted: the gate allows nothing but storage and the claim the
        // data is kept for (GDPR Art. 18(2)).
        let d = f.candor.decide("alice", ana, "customer_service", &[CategoryId::new("user.contact.email")]).await.unwrap();
        assert!(matches!(d, Decision::Deny(DenyReason::Restricted)), "{d:?}");
        let d = f.candor.decide("carla", ana, "analytics", &[CategoryId::new("user.content.public")]).await.unwrap();
        assert!(matches!(d, Decision::Deny(DenyReason::Restricted)), "{d:?}");
        let view = f.candor.view_subject("carla", ana, "legal_claims").await.unwrap();
        assert!(view.fields.iter().any(|v| v.value.as_deref() == Some("ana@example.com")), "{view:?}");
        let standing = f.candor.consent_overview(ana).await.unwrap();
        let in_effect: Vec<&str> = standing.purposes.iter().filter(|p| p.in_effect).map(|p| p.purpose.as_str()).collect();
        assert_eq!(in_effect, ["legal_claims"], "the privacy center shows what still runs");
        // Once the hold is released the claim is refused too.
        f.candor.release_hold("carla", ana, "legal_claims").await.unwrap();
        let d = f.candor.decide("carla", ana, "legal_claims", &[CategoryId::new("user.contact.email")]).await.unwrap();
        assert!(matches!(d, Decision::Deny(DenyReason::Restricted)), "{d:?}");
        // A customer with no messages is not told messages are kept.
        let quiet = f
            .candor
            .add_subject(
                "test",
                &candor_service::subjects::NewSubjectInput { email: Some("quiet@example.com".into()), ..Default::default() },
            )
            .await
            .unwrap();
        f.candor.place_hold("carla", quiet, "legal_claims", "refund dispute 2017-115 is open").await.unwrap();
        let id = verified(&f, RightKind::Erasure, quiet).await;
        let kept = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap().record.request.result.unwrap().kept;
        let kept: Vec<&str> = kept.iter().map(|k| k.category.as_str()).collect();
        assert_eq!(kept, ["user.contact.email"]);

        // The deleted handle is suppressed: importing it again stores nothing.
        import(&f, "twcs.csv", TWCS).await;
        assert_eq!(f.candor.find_subject(&Identifier::handle("x", "115712").unwrap()).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn rectification_reseals_the_corrected_values_and_audits_only_which_fields() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana = setup(&f).await;
        let other = f.candor.find_subject(&Identifier::handle("x", "115713").unwrap()).await.unwrap().unwrap();
        f.candor
            .add_subject("test", &candor_service::subjects::NewSubjectInput { email: Some("bo@example.com".into()), ..Default::default() })
            .await
            .unwrap();
        let id = verified(&f, RightKind::Rectification, ana).await;
        let set = |pairs: &[(&str, &str)]| ExecuteOptions {
            corrections: pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            ..none()
        };
        for (bad, why) in [
            (set(&[]), "needs the corrected values"),
            (set(&[("handle", "x:@ana")]), "cannot be rectified"),
            (set(&[("email", "not an email")]), "--set email"),
            (set(&[("email", "bo@example.com")]), "already belongs"),
        ] {
            let err = f.candor.execute_rights_request("carla", &id, &bad).await.unwrap_err();
            assert!(err.to_string().contains(why), "{err}");
        }
        let done = f
            .candor
            .execute_rights_request("carla", &id, &set(&[("name", "Ana López"), ("email", "ana.lopez@example.org")]))
            .await
            .unwrap();
        assert_eq!(done.record.request.result.unwrap().recorded, ["email corrected", "name corrected"]);

        let view = f.candor.view_subject("alice", ana, "customer_service").await.unwrap();
        let values: Vec<&str> = view.fields.iter().filter_map(|v| v.value.as_deref()).collect();
        assert!(values.contains(&"Ana López") && values.contains(&"ana.lopez@example.org"), "{values:?}");
        assert!(!values.contains(&"ana@example.com"), "{values:?}");
        assert_eq!(f.candor.find_subject(&Identifier::email("ana.lopez@example.org").unwrap()).await.unwrap(), Some(ana));
        assert_eq!(f.candor.find_subject(&Identifier::email("ana@example.com").unwrap()).await.unwrap(), None);
        assert!(f.store.subject(other).await.unwrap().is_some());

        let about = f.store.audit_about(&done.record.subject_pseudonym, 1_000).await.unwrap();
        let rectify = about.iter().find(|e| e.record.action == "rights.rectify").unwrap();
        assert_eq!(rectify.record.detail["fields"], serde_json::json!(["email", "name"]));
        let body = serde_json::to_string(&about).unwrap();
        assert!(!body.contains("López") && !body.contains("example.org"), "values stay out of the audit log");
        let outbox = f.candor.outbox(false, 0, 100).await.unwrap();
        assert!(outbox.iter().any(|m| m.kind == "rectification_notice" && m.recipient == "helpdesk_vendor"));
    })
    .await;
}

#[tokio::test]
async fn restriction_objection_and_opt_outs_reach_the_gate() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana = setup(&f).await;
        let content = [CategoryId::new("user.content.public")];
        let ads = [CategoryId::new("user.unique_id")];
        f.candor
            .record_consent(
                "test",
                ana,
                Some("marketing.advertising"),
                candor_domain::ConsentAction::Grant,
                candor_domain::ConsentSource::Cli,
            )
            .await
            .unwrap();
        assert!(f.candor.decide("ana", ana, "analytics", &content).await.unwrap().is_allowed());
        assert!(f.candor.decide("mark", ana, "marketing.advertising", &ads).await.unwrap().is_allowed());

        // CCPA opt-out needs no verification, and a GPC signal is the same.
        let id = f.candor.open_rights_request("carla", RightKind::OptOutSaleShare, ana, None).await.unwrap().id;
        let done = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap();
        assert_eq!(done.record.request.result.unwrap().recorded, ["opt_out_sale_share"]);
        assert!(!f.candor.decide("mark", ana, "marketing.advertising", &ads).await.unwrap().is_allowed());
        assert!(!f.candor.record_gpc_signal("web", ana).await.unwrap(), "already opted out");

        // Objection stops the legitimate-interest purposes.
        let id = verified(&f, RightKind::Objection, ana).await;
        let done = f.candor.execute_rights_request("carla", &id, &none()).await.unwrap();
        assert!(done.record.request.result.unwrap().recorded.contains(&"object analytics".to_owned()));
        assert!(!f.candor.decide("ana", ana, "analytics", &content).await.unwrap().is_allowed());
        assert!(f.candor.decide("alice", ana, "customer_service", &content).await.unwrap().is_allowed(), "contract goes on");

        // Restriction: nothing but storage.
        let id = verified(&f, RightKind::Restriction, ana).await;
        f.candor.execute_rights_request("carla", &id, &none()).await.unwrap();
        let d = f.candor.decide("alice", ana, "customer_service", &content).await.unwrap();
        assert!(matches!(d, Decision::Deny(DenyReason::Restricted)), "{d:?}");
        assert!(f.candor.execute_rights_request("carla", &id, &none()).await.unwrap().already_done);

        // Limit the use of sensitive data, recorded from the request.
        let id = f.candor.open_rights_request("carla", RightKind::LimitSensitiveUse, ana, None).await.unwrap().id;
        f.candor.execute_rights_request("carla", &id, &none()).await.unwrap();
        let events = f.store.consent_events(ana).await.unwrap();
        let sources: Vec<(&str, &str)> = events.iter().map(|e| (e.event.action.as_str(), e.event.source.as_str())).collect();
        assert!(
            sources.contains(&("limit_sensitive_use", "rights_request")) && sources.contains(&("restrict", "rights_request")),
            "{sources:?}"
        );

        // A GPC signal for someone who has not opted out records it.
        let other = f.candor.find_subject(&Identifier::handle("x", "115713").unwrap()).await.unwrap().unwrap();
        assert!(f.candor.record_gpc_signal("web", other).await.unwrap());
        let events = f.store.consent_events(other).await.unwrap();
        assert_eq!(events.last().map(|e| (e.event.action.as_str(), e.event.source.as_str())), Some(("opt_out_sale_share", "gpc")));
    })
    .await;
}

#[tokio::test]
async fn a_one_time_code_goes_through_the_outbox_and_verifies_the_request() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let ana = setup(&f).await;
        let id = f.candor.open_rights_request("carla", RightKind::Access, ana, None).await.unwrap().id;
        let err = f.candor.verify_rights_request_by_code("web", &id, "12345678").await.unwrap_err();
        assert!(matches!(err, ServiceError::Rights(RightsError::NoCode)), "{err}");
        f.candor.send_rights_code("carla", &id).await.unwrap();

        // Pending in the outbox: the address and code are sealed at rest.
        let pending = f.candor.outbox(true, 0, 100).await.unwrap();
        let kinds: Vec<&str> = pending.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["request_received", "one_time_code"], "the request's confirmation, then the code");
        let received = &pending[0];
        assert_eq!(received.to.as_deref(), Some("ana@example.com"));
        assert!(received.body["text"].as_str().unwrap().contains(&format!("Request reference: {id}")), "{:?}", received.body);
        let m = &pending[1];
        assert_eq!((m.kind.as_str(), m.to.as_deref()), ("one_time_code", Some("ana@example.com")));
        let text = m.body["text"].as_str().unwrap();
        let code: String = text
            .split_whitespace()
            .map(|w| w.trim_end_matches('.'))
            .find(|w| w.len() == 8 && w.bytes().all(|b| b.is_ascii_digit()))
            .unwrap()
            .to_owned();
        let (raw,): (String,) =
            sqlx::query_as("select body from outbox where kind = 'one_time_code'").fetch_one(f.store.pool()).await.unwrap();
        assert!(!raw.contains(&code) && !raw.contains("ana@"), "{raw}");
        let stored = f.candor.rights_request(&id).await.unwrap();
        assert!(!serde_json::to_string(&stored.request).unwrap().contains(&code), "only a keyed hash of the code is kept");

        let wrong = if code == "00000000" { "11111111" } else { "00000000" };
        let err = f.candor.verify_rights_request_by_code("web", &id, wrong).await.unwrap_err();
        assert!(matches!(err, ServiceError::Rights(RightsError::WrongCode { attempts_left: 4 })), "{err}");
        assert_eq!(f.candor.rights_request(&id).await.unwrap().request.challenge.unwrap().attempts_left, 4, "the miss is stored");
        let ok = f.candor.verify_rights_request_by_code("web", &id, &code).await.unwrap();
        assert_eq!(ok.request.state, RequestState::Verified);

        assert_eq!(f.candor.mark_sent("mailer", &[m.id]).await.unwrap(), 1);
        assert_eq!(f.candor.outbox(true, 0, 100).await.unwrap().len(), 1, "the confirmation still pending");
        assert_eq!(f.candor.mark_sent("mailer", &[m.id]).await.unwrap(), 0, "sent once");

        // No address on record: the code cannot be sent.
        let other = f.candor.find_subject(&Identifier::handle("x", "115713").unwrap()).await.unwrap().unwrap();
        let id = f.candor.open_rights_request("carla", RightKind::Access, other, None).await.unwrap().id;
        let err = f.candor.send_rights_code("carla", &id).await.unwrap_err();
        assert!(err.to_string().contains("no e-mail address"), "{err}");
    })
    .await;
}
