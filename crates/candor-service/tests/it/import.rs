//! Imports against real stores: what is stored, how it is linked and
//! redacted, that it decrypts back, that re-running stores nothing twice,
//! that batch boundaries and a kill -9 change nothing in the end, and what
//! happens to bad records, erased customers and deleted items.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use candor_domain::{Identifier, SubjectId};
use candor_ingest::formats::mapped::Mapping;
use candor_ingest::Format;
use candor_service::import::{ImportOptions, Progress, Summary};
use candor_store::{
    interaction_context, AuditStore as _, BatchStore as _, InteractionStore as _, KeyOwner, Op, SubjectStore as _, WriteBatch,
};
use candor_store_sql::{OpenOptions, SqlStore};
use candor_test_support::{each_backend, Fixture, TestDb};
use sqlx::Row;

const HEAD: &str = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";

/// Six items: a thread of three, a reply that arrives before the mention it
/// answers, and a brand post about nobody.
const THREADS: &str = concat!(
    "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,\"@sprintcare my name is Ana Lopez and order #482913 never came, call me at +44 7700 900123\",2,\n",
    "2,sprintcare,False,Tue Oct 31 22:11:45 +0000 2017,@115712 Sorry to hear that! Please DM us. ^AB,3,1.0\n",
    "3,115712,True,Tue Oct 31 22:13:00 +0000 2017,@sprintcare done thanks,,2\n",
    "5,sprintcare,False,Tue Oct 31 23:00:00 +0000 2017,@115713 We're looking into it ^JK,,4\n",
    "4,115713,True,Tue Oct 31 22:50:00 +0000 2017,@SprintCare my app crashes since the update,5,\n",
    "6,sprintcare,False,Tue Oct 31 23:30:00 +0000 2017,Our service is back up for everyone!,,\n",
);

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

fn options() -> ImportOptions {
    ImportOptions { actor: "importer".into(), ..ImportOptions::default() }
}

async fn import(f: &Fixture, path: &Path, options: ImportOptions) -> Summary {
    f.candor.import(path, options, Arc::new(Progress::default())).await.unwrap()
}

/// One stored interaction, with its subject named by its smallest blind
/// index (the same across installations sharing keys) and its text
/// decrypted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row_ {
    external_id: String,
    subject: Option<String>,
    account: Option<String>,
    kind: String,
    direction: String,
    conversation: Option<String>,
    reply_to: Option<String>,
    occurred_at: i64,
    redacted: String,
    language: Option<String>,
    text: String,
}

/// Everything an import writes, comparable across installations that share
/// keys: interactions, subjects (by identities, with names), brand
/// accounts, tombstones.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    interactions: Vec<Row_>,
    subjects: Vec<(Vec<String>, Option<String>)>,
    accounts: Vec<String>,
    tombstones: Vec<String>,
}

async fn snapshot(f: &Fixture) -> Snapshot {
    let pool = f.store.pool();
    let mut by_subject: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in sqlx::query("select subject_id, blind_index from identities").fetch_all(pool).await.unwrap() {
        let b: Vec<u8> = r.get(1);
        by_subject.entry(r.get(0)).or_default().push(hex::encode(b));
    }
    for v in by_subject.values_mut() {
        v.sort();
    }
    let name_of = |s: &str| by_subject.get(s).and_then(|v| v.first().cloned());
    let mut interactions = Vec::new();
    let rows = sqlx::query(
        "select external_id, subject_id, account, kind, direction, conversation_id, reply_to, occurred_at, redacted_text, language, sealed_text, platform from interactions",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for r in rows {
        let subject: Option<String> = r.get(1);
        let account: Option<String> = r.get(2);
        let external_id: String = r.get(0);
        let platform: String = r.get(11);
        let sealed: Vec<u8> = r.get(10);
        let key = match &subject {
            Some(s) => {
                let id = SubjectId::parse(s).unwrap();
                let rec = f.store.subject(id).await.unwrap().unwrap();
                f.keys.unwrap(&KeyOwner::Subject(id).wrap_context(), &rec.key).unwrap()
            }
            None => {
                let handle = account.clone().unwrap();
                let wrapped = f.store.brand_account_key(&platform, &handle).await.unwrap().unwrap();
                f.keys.unwrap(&KeyOwner::Account(platform.clone(), handle).wrap_context(), &wrapped).unwrap()
            }
        };
        let text = String::from_utf8(key.open(&interaction_context(&platform, &external_id), &sealed).unwrap()).unwrap();
        interactions.push(Row_ {
            subject: subject.as_deref().and_then(name_of),
            external_id,
            account,
            kind: r.get(3),
            direction: r.get(4),
            conversation: r.get(5),
            reply_to: r.get(6),
            occurred_at: r.get(7),
            redacted: r.get(8),
            language: r.get(9),
            text,
        });
    }
    interactions.sort();
    let mut subjects = Vec::new();
    for (id, indexes) in &by_subject {
        let sid = SubjectId::parse(id).unwrap();
        let rec = f.store.subject(sid).await.unwrap().unwrap();
        let key = f.keys.unwrap(&KeyOwner::Subject(sid).wrap_context(), &rec.key).unwrap();
        let name = rec
            .attributes
            .iter()
            .find(|a| a.name == "name")
            .map(|a| String::from_utf8(key.open(&candor_store::attribute_context(&sid, "name"), &a.sealed).unwrap()).unwrap());
        subjects.push((indexes.clone(), name));
    }
    subjects.sort();
    let mut accounts: Vec<String> = f.store.brand_accounts().await.unwrap().into_iter().map(|(p, h, _)| format!("{p}:{h}")).collect();
    accounts.sort();
    let mut tombstones: Vec<String> =
        sqlx::query("select external_id from tombstones").fetch_all(pool).await.unwrap().iter().map(|r| r.get(0)).collect();
    tombstones.sort();
    Snapshot { interactions, subjects, accounts, tombstones }
}

fn by_id<'a>(s: &'a Snapshot, id: &str) -> &'a Row_ {
    s.interactions.iter().find(|r| r.external_id == id).unwrap_or_else(|| panic!("no item {id}"))
}

async fn subject_of(f: &Fixture, handle: &str) -> Option<SubjectId> {
    f.candor.find_subject(&Identifier::handle("x", handle).unwrap()).await.unwrap()
}

#[tokio::test]
async fn threads_are_stored_linked_redacted_and_sealed_per_customer() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let path = write(f.dir(), "twcs.csv", &format!("{HEAD}{THREADS}"));
        let s = import(&f, &path, options()).await;
        assert_eq!(s.format, Format::Twcs);
        assert_eq!((s.records, s.interactions.read, s.interactions.stored, s.quarantined), (6, 6, 6, 0));
        assert_eq!((s.subjects.created, s.brand_accounts_created), (2, 1), "{s:?}");
        assert!(s.quarantine_file.is_none() && !path.with_file_name("twcs.csv.quarantine.jsonl").exists());

        let snap = snapshot(&f).await;
        let (ana, other) = (subject_of(&f, "115712").await.unwrap(), subject_of(&f, "115713").await.unwrap());
        assert_ne!(ana, other);

        let one = by_id(&snap, "1");
        assert_eq!(one.text, "@sprintcare my name is Ana Lopez and order #482913 never came, call me at +44 7700 900123");
        assert_eq!(one.redacted, "@sprintcare my name is <PERSON_1> and order #<ORDER_ID_1> never came, call me at <PHONE_1>");
        assert_eq!((one.kind.as_str(), one.direction.as_str(), one.conversation.as_deref()), ("mention", "inbound", Some("1")));
        assert_eq!(one.account.as_deref(), Some("sprintcare"), "the brand it mentions");
        assert_eq!(one.language.as_deref(), Some("en"));

        // The brand's reply is about the customer it answers, and its
        // mention of them is redacted while the brand's own name is not.
        let two = by_id(&snap, "2");
        assert_eq!(
            (two.direction.as_str(), two.account.as_deref(), two.conversation.as_deref()),
            ("outbound", Some("sprintcare"), Some("1"))
        );
        assert_eq!(two.subject, one.subject);
        assert!(two.redacted.starts_with("<HANDLE_1> Sorry to hear that!"), "{}", two.redacted);
        assert_eq!(by_id(&snap, "3").conversation.as_deref(), Some("1"));
        assert_eq!(by_id(&snap, "3").subject, one.subject);

        // A reply stored before the mention it answers is linked at the end,
        // and attributed through its @mention meanwhile.
        let (four, five) = (by_id(&snap, "4"), by_id(&snap, "5"));
        assert_eq!(five.subject, four.subject);
        assert_ne!(four.subject, one.subject);
        assert_eq!((four.conversation.as_deref(), five.conversation.as_deref()), (Some("4"), Some("4")));
        assert!(four.redacted.starts_with("@SprintCare my app"), "brand mentions stay, in any case: {}", four.redacted);
        assert_eq!(four.account.as_deref(), Some("sprintcare"));

        // A brand post about nobody is sealed under the brand account's key.
        let six = by_id(&snap, "6");
        assert_eq!((six.subject.as_ref(), six.text.as_str()), (None, "Our service is back up for everyone!"));
        assert_eq!(snap.accounts, vec!["x:sprintcare".to_owned()]);

        // The audit log says what happened, with pseudonyms only.
        let entries = f.store.audit_entries(0, 100).await.unwrap();
        let batch = entries.iter().find(|e| e.record.action == "import.batch").unwrap();
        assert_eq!(batch.record.actor, "importer");
        assert_eq!(batch.record.detail["interactions"], 6);
        assert_eq!(batch.record.detail["subjects_created"].as_array().unwrap().len(), 2);
        let body = serde_json::to_string(&entries.iter().map(|e| &e.record).collect::<Vec<_>>()).unwrap();
        for secret in ["115712", "Ana Lopez", "7700"] {
            assert!(!body.contains(secret), "the audit log holds no personal data: {secret}");
        }
        assert!(entries.iter().any(|e| e.record.action == "import.run"));
    })
    .await;
}

#[tokio::test]
async fn importing_twice_stores_nothing_twice() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let path = write(f.dir(), "twcs.csv", &format!("{HEAD}{THREADS}"));
        import(&f, &path, options()).await;
        let before = snapshot(&f).await;
        let again = import(&f, &path, options()).await;
        assert_eq!((again.interactions.stored, again.interactions.already_stored), (0, 6));
        assert_eq!((again.subjects.created, again.brand_accounts_created), (0, 0));
        assert_eq!(snapshot(&f).await, before);
        assert_eq!(f.store.interaction_count().await.unwrap(), 6);
        // The same item twice in one file counts once.
        let dup = write(f.dir(), "dup.csv", &format!("{HEAD}7,115714,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare hi,,\n7,115714,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare hi,,\n"));
        let s = import(&f, &dup, options()).await;
        assert_eq!((s.interactions.stored, s.interactions.already_stored), (1, 1));
    })
    .await;
}

#[tokio::test]
async fn bad_records_are_quarantined_with_line_and_reason_and_the_rest_is_stored() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let long = "a".repeat(25_001);
        let mut body = format!("{HEAD}{THREADS}");
        body.push_str("7,115714,True,not a time,@sprintcare hi,,\n");
        body.push_str(",115714,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare no id,,\n");
        body.push_str(&format!("8,115714,True,Tue Oct 31 22:10:47 +0000 2017,{long},,\n"));
        body.push_str("9,115714,True\n");
        let mut bytes = body.into_bytes();
        bytes.extend_from_slice(b"10,115714,True,Tue Oct 31 22:10:47 +0000 2017,caf\xe9,,\n");
        bytes.extend_from_slice(b"11,115714,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare still fine,,\n");
        let path = f.dir().join("bad.csv");
        std::fs::write(&path, bytes).unwrap();
        let s = import(&f, &path, options()).await;
        assert_eq!((s.records, s.quarantined, s.interactions.stored), (12, 5, 7), "{s:?}");
        let file = s.quarantine_file.clone().unwrap();
        assert_eq!(file, f.dir().join("bad.csv.quarantine.jsonl"));
        let lines: Vec<serde_json::Value> =
            std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let got: Vec<(u64, String)> =
            lines.iter().map(|l| (l["line"].as_u64().unwrap(), l["reason"].as_str().unwrap().to_owned())).collect();
        assert_eq!(got.len(), 5);
        assert_eq!(got[0].0, 8);
        assert!(got[0].1.contains("`created_at` is `not a time`"), "{got:?}");
        assert!(got[1].1.contains("`tweet_id` is empty"), "{got:?}");
        assert!(got[2].1.contains("more than the 25000 accepted"), "{got:?}");
        assert!(got[3].1.contains("no `created_at`"), "{got:?}");
        assert!(got[4].1.contains("`text` is not valid UTF-8"), "{got:?}");
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), vec![8, 9, 10, 11, 12]);
        assert!(lines[0]["raw"].as_str().unwrap().contains("not a time"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // A file that cannot be read at all stores nothing and says why.
        let wrong = write(f.dir(), "wrong.csv", "tweet_id,author_id,text\n1,a,b\n");
        let err = f.candor.import(&wrong, ImportOptions { format: Some(Format::Twcs), ..options() }, Arc::default()).await.unwrap_err();
        // The message names the file; its cause, once, what is wrong.
        let cause = std::error::Error::source(&err).map(ToString::to_string).unwrap_or_default();
        assert!(err.to_string().contains("wrong.csv") && cause.contains("`inbound`"), "{err}: {cause}");
        assert!(!err.to_string().contains("`inbound`"), "the cause is not repeated in the message: {err}");
        let missing = f.candor.import(&f.dir().join("nope.csv"), options(), Arc::default()).await.unwrap_err();
        assert!(missing.to_string().contains("nope.csv"), "{missing}");
        assert_eq!(f.store.interaction_count().await.unwrap(), 7);
    })
    .await;
}

#[tokio::test]
async fn an_unclosed_quote_is_quarantined_and_the_next_customers_message_stays_theirs() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let body = format!(
            "{HEAD}{}{}{}",
            "1,200001,True,Tue Oct 31 22:10:47 +0000 2017,\"@sprintcare my bill is wrong,,\n",
            "2,200002,True,Tue Oct 31 22:11:47 +0000 2017,@sprintcare please cancel my line,,\n",
            "3,200003,True,Tue Oct 31 22:12:47 +0000 2017,\"a real\nmulti-line tweet\",,\n",
        );
        let path = write(f.dir(), "twcs.csv", &body);
        let s = import(&f, &path, options()).await;
        assert_eq!((s.records, s.quarantined, s.interactions.stored), (3, 1, 2), "{s:?}");
        let q = std::fs::read_to_string(s.quarantine_file.unwrap()).unwrap();
        assert!(q.contains("\"line\":2") && q.contains("quote opened on line 2"), "{q}");
        assert!(f.store.interaction("x", "1").await.unwrap().is_none());
        let second = f.store.interaction("x", "2").await.unwrap().unwrap();
        assert_eq!(second.subject, subject_of(&f, "200002").await);
        assert_eq!(subject_of(&f, "200001").await, None, "nothing of the broken record is stored");
        assert_eq!(by_id(&snapshot(&f).await, "2").text, "@sprintcare please cancel my line");
        assert_eq!(by_id(&snapshot(&f).await, "3").text, "a real\nmulti-line tweet");
    })
    .await;
}

#[tokio::test]
async fn a_five_megabyte_line_is_quarantined_alone_and_the_rest_is_imported() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let mut body = format!("{HEAD}{THREADS}");
        body.push_str("7,115714,True,Tue Oct 31 22:10:47 +0000 2017,");
        body.push_str(&"z".repeat(5 << 20));
        body.push_str(",,\n8,115714,True,Tue Oct 31 22:11:47 +0000 2017,@sprintcare after the long one,,\n");
        let path = write(f.dir(), "long.csv", &body);
        let s = import(&f, &path, options()).await;
        assert_eq!((s.records, s.quarantined, s.interactions.stored), (8, 1, 7), "{s:?}");
        let q: serde_json::Value = serde_json::from_str(std::fs::read_to_string(s.quarantine_file.unwrap()).unwrap().trim()).unwrap();
        assert_eq!((q["line"].as_u64(), q["reason"].as_str()), (Some(8), Some("oversize: more than 1048576 bytes")));
        assert!(q["raw"].as_str().unwrap().len() < 1024, "the quarantine file holds a prefix, not the line");
        assert!(f.store.interaction("x", "8").await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn erased_customers_stay_erased() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let path = write(f.dir(), "twcs.csv", &format!("{HEAD}{THREADS}"));
        import(&f, &path, options()).await;
        // Erase 115713 as the rights workflow will: suppress their
        // identifiers, delete them (their items go with them).
        let gone = subject_of(&f, "115713").await.unwrap();
        let handle = Identifier::handle("x", "115713").unwrap();
        let index = f.keys.blind_index(&handle.index_namespace(), handle.value());
        let audit = candor_store::AuditRecord::new(time::OffsetDateTime::now_utc(), "test", "subject.erase", serde_json::json!({}));
        f.store
            .apply(WriteBatch::one(Op::Suppress { blind_indexes: vec![index], at: time::OffsetDateTime::now_utc() }, audit))
            .await
            .unwrap();
        f.exec(&format!("delete from subjects where id = '{gone}'")).await;
        assert_eq!(f.store.interaction_count().await.unwrap(), 4);

        let s = import(&f, &path, options()).await;
        assert_eq!((s.interactions.stored, s.interactions.suppressed, s.subjects.created), (0, 2, 0), "{s:?}");
        assert_eq!(subject_of(&f, "115713").await, None);
        assert_eq!(f.store.interaction_count().await.unwrap(), 4);
    })
    .await;
}

#[tokio::test]
async fn platform_deletions_remove_items_and_keep_them_out() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let path = write(f.dir(), "twcs.csv", &format!("{HEAD}{THREADS}"));
        import(&f, &path, options()).await;
        let notices = write(
            f.dir(),
            "deletes.jsonl",
            "{\"delete\":{\"status\":{\"id\":\"3\",\"user_id\":\"115712\"}}}\n{\"delete\":{\"status\":{\"id\":\"99\",\"user_id\":\"1\"}}}\nnot json\n",
        );
        let s = import(&f, &notices, options()).await;
        assert_eq!(s.format, Format::Deletions);
        assert_eq!((s.deletions.read, s.deletions.removed, s.quarantined), (2, 1, 1), "{s:?}");
        assert!(f.store.interaction("x", "3").await.unwrap().is_none());
        let again = import(&f, &path, options()).await;
        assert_eq!((again.interactions.stored, again.interactions.deleted_on_platform), (0, 1));
        assert!(f.store.interaction("x", "3").await.unwrap().is_none());
        assert_eq!(snapshot(&f).await.tombstones, vec!["3".to_owned(), "99".to_owned()]);
    })
    .await;
}

#[tokio::test]
async fn contacts_create_enrich_and_link_customers() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let contacts = write(
            f.dir(),
            "crm.csv",
            "Customer ID,Full Name,Email Address,Mobile,Twitter\nC-1,Ana Lopez,ana@example.com,+44 7700 900123,@115712\nC-2,Bo Chen,bo@example.com,,\nC-3,Broken,not-an-email,,\n",
        );
        let s = import(&f, &contacts, options()).await;
        assert_eq!(s.format, Format::Contacts);
        assert_eq!((s.contacts.read, s.contacts.created, s.quarantined), (2, 2, 1), "{s:?}");

        // Interactions by a known handle land on the CRM customer.
        let ana = f.candor.find_subject(&Identifier::email("ana@example.com").unwrap()).await.unwrap().unwrap();
        let path = write(f.dir(), "twcs.csv", &format!("{HEAD}{THREADS}"));
        let t = import(&f, &path, options()).await;
        assert_eq!(t.subjects.created, 1, "only 115713 is new");
        assert_eq!(f.store.interaction("x", "1").await.unwrap().unwrap().subject, Some(ana));

        // A later export enriches: a new handle for Bo, a new name for Ana;
        // a row whose identifiers belong to two customers is quarantined.
        let later = write(
            f.dir(),
            "crm2.csv",
            "Customer ID,Full Name,Email Address,Twitter\nC-1,Ana López,ana@example.com,@115712\nC-2,Bo Chen,bo@example.com,@bochen\nC-9,Who,bo@example.com,@115713\n",
        );
        let s = import(&f, &later, options()).await;
        assert_eq!((s.contacts.enriched, s.contacts.unchanged, s.quarantined), (2, 0, 1), "{s:?}");
        let q = std::fs::read_to_string(s.quarantine_file.unwrap()).unwrap();
        assert!(q.contains("\"line\":4") && q.contains("2 different customers"), "{q}");
        let bo = f.candor.find_subject(&Identifier::email("bo@example.com").unwrap()).await.unwrap();
        assert_eq!(subject_of(&f, "bochen").await, bo);
        let names: Vec<Option<String>> = snapshot(&f).await.subjects.into_iter().map(|(_, n)| n).collect();
        assert!(names.contains(&Some("Ana López".into())), "{names:?}");
        // Again: nothing new.
        let s = import(&f, &later, options()).await;
        assert_eq!((s.contacts.enriched, s.contacts.unchanged, s.subjects.identities_linked), (0, 2, 0), "{s:?}");
    })
    .await;
}

/// Every detail says where it came from: the handle was read off X, the
/// address, phone and name came from the CRM, a correction is marked as
/// such; the messages are counted by platform; each is kept as long as the
/// purposes in force that read it, from the customer's last contact.
#[tokio::test]
async fn each_detail_held_names_its_source_and_how_long_it_is_kept() {
    use candor_domain::{Provenance, PurposeId};
    use candor_service::holdings::Keeping;
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let path = write(f.dir(), "twcs.csv", &format!("{HEAD}{THREADS}"));
        import(&f, &path, options()).await;
        let contacts =
            write(f.dir(), "crm.csv", "Full Name,Email Address,Mobile,Twitter\nAna Lopez,ana@example.com,+44 7700 900123,@115712\n");
        import(&f, &contacts, options()).await;
        let ana = f.candor.find_subject(&Identifier::email("ana@example.com").unwrap()).await.unwrap().unwrap();

        let overview = f.candor.consent_overview(ana).await.unwrap();
        let held = f.candor.holdings(ana, &overview).await.unwrap();
        let sources: BTreeMap<String, (String, Provenance)> =
            held.details.iter().map(|d| (d.field.clone(), (d.value.clone(), d.source.clone()))).collect();
        assert_eq!(sources["handle:x"], ("x:@115712".into(), Provenance::Platform("x".into())));
        assert_eq!(sources["email"], ("ana@example.com".into(), Provenance::Crm));
        assert_eq!(sources["phone"].1, Provenance::Crm);
        assert_eq!(sources["name"], ("Ana Lopez".into(), Provenance::Crm));
        // Her two posts and the brand's reply to her, on X, all public.
        assert_eq!(held.messages.len(), 1, "{:?}", held.messages);
        let m = &held.messages[0];
        assert_eq!((m.platform.as_str(), m.category.as_str(), m.count), ("x", "user.content.public", 3));
        assert_eq!(
            (m.first.to_string(), m.last.to_string()),
            ("2017-10-31 22:10:47.0 +00:00:00".into(), "2017-10-31 22:13:00.0 +00:00:00".into())
        );
        // Customer service (a contract, 730 days) reads the address: from
        // her record's creation today, later than her last message of 2017.
        // Legal claims keeps nothing without a hold placed on her.
        let email = held.details.iter().find(|d| d.field == "email").unwrap();
        let created = f.candor.subject_summary(ana).await.unwrap().created_at;
        match &email.kept {
            Keeping::For { until, purposes } => {
                assert_eq!(*until, (created + time::Duration::days(730)).date());
                assert!(!purposes.contains(&PurposeId::parse("legal_claims").unwrap()), "{purposes:?}");
                assert!(purposes.contains(&PurposeId::parse("customer_service").unwrap()), "{purposes:?}");
                assert!(!purposes.contains(&PurposeId::parse("marketing.advertising").unwrap()), "not consented: {purposes:?}");
            }
            Keeping::Unused => panic!("customer service reads the address"),
        }

        // A correction is marked as one.
        let req = f.candor.request_correction(ana, &[("name".to_owned(), "Ana López".to_owned())]).await.unwrap();
        f.candor.execute_rights_request("staff", &req.id, &Default::default()).await.unwrap();
        let held = f.candor.holdings(ana, &overview).await.unwrap();
        let name = held.details.iter().find(|d| d.field == "name").unwrap();
        assert_eq!((name.value.as_str(), &name.source), ("Ana López", &Provenance::Correction));

        // A legal hold keeps what it covers for its own period, named first.
        f.candor.place_hold("carla", ana, "legal_claims", "a refund dispute").await.unwrap();
        let held = f.candor.holdings(ana, &overview).await.unwrap();
        let email = held.details.iter().find(|d| d.field == "email").unwrap();
        let Keeping::For { until, purposes } = &email.kept else { panic!("kept") };
        assert_eq!(purposes[0].as_str(), "legal_claims", "{purposes:?}");
        assert!(*until >= (created + time::Duration::days(2190)).date(), "{until}");
        let handle = held.details.iter().find(|d| d.field == "handle:x").unwrap();
        assert!(
            matches!(&handle.kept, Keeping::For { purposes, .. } if purposes[0].as_str() == "customer_service"),
            "the hold does not read user names"
        );
    })
    .await;
}

const HOUSEHOLD: &str = "Customer ID,Full Name,Email Address,Mobile,Twitter\nC-40099,Jonas Rossi,jonas.rossi99@example.com,+44 7700 900123,@jonas_r\nC-40773,Vera Silva,vera.silva73@example.com,+44 7700 900123,@vera_s\n";

async fn by_email(f: &Fixture, email: &str) -> Option<SubjectId> {
    f.candor.find_subject(&Identifier::email(email).unwrap()).await.unwrap()
}

/// Every contacts row is in exactly one count.
fn rows_add_up(s: &Summary) {
    let c = &s.contacts;
    assert_eq!(c.created + c.enriched + c.unchanged + c.conflicts + c.suppressed + s.quarantined, s.records, "{s:?}");
}

#[tokio::test]
async fn a_household_sharing_a_phone_stays_two_customers_on_every_import() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let path = write(f.dir(), "crm.csv", HOUSEHOLD);
        let s = import(&f, &path, options()).await;
        rows_add_up(&s);
        assert_eq!((s.contacts.created, s.contacts.conflicts, s.quarantined), (1, 1, 0), "{s:?}");
        assert_eq!(s.contacts.shared.get("phone"), Some(&1));
        let (jonas, vera) =
            (by_email(&f, "jonas.rossi99@example.com").await.unwrap(), by_email(&f, "vera.silva73@example.com").await.unwrap());
        assert_ne!(jonas, vera, "one shared phone never merges two people");
        let note = &s.contacts.kept_apart[0];
        assert_eq!((note.line, note.subject, note.other, note.shared.as_str()), (3, vera, jonas, "phone"));
        assert_eq!(note.differing, vec!["customer_number", "email", "handle", "name"]);
        let phone = f.candor.find_subject(&Identifier::phone("+44 7700 900123").unwrap()).await.unwrap();
        assert_eq!(phone, Some(jonas), "the phone stays with the customer who had it");
        assert_eq!(f.candor.find_subject(&Identifier::customer_number("C-40773").unwrap()).await.unwrap(), Some(vera));
        assert_eq!(subject_of(&f, "vera_s").await, Some(vera));
        let vera_kinds = f.candor.subject_summary(vera).await.unwrap().identifiers;
        assert!(!vera_kinds.contains(&"phone".to_owned()), "{vera_kinds:?}");
        let recorded = f.store.identity_conflicts(&[vera]).await.unwrap();
        assert_eq!(recorded.len(), 1);
        assert_eq!((recorded[0].pair(), recorded[0].shared.as_str()), (candor_store::ordered(vera, jonas), "phone"));

        // Again and again: the same two customers, nothing flips.
        let names = || async { snapshot(&f).await.subjects.into_iter().map(|(_, n)| n).collect::<Vec<_>>() };
        let before = names().await;
        let again = import(&f, &path, options()).await;
        rows_add_up(&again);
        assert_eq!((again.contacts.unchanged, again.contacts.enriched, again.contacts.conflicts), (2, 0, 0), "{again:?}");
        let third = import(&f, &path, options()).await;
        assert_eq!(third.contacts, again.contacts);
        assert_eq!(names().await, before);
        assert_eq!(f.store.subject_count().await.unwrap(), 2);
        // Erasing either customer takes the record of the pair with it.
        f.exec(&format!("delete from subjects where id = '{vera}'")).await;
        assert!(f.store.identity_conflicts(&[jonas]).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_household_already_known_by_its_handles_is_kept_apart_too() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let twcs = format!(
            "{HEAD}1,jonas_r,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare my bill,,\n2,vera_s,True,Tue Oct 31 22:11:47 +0000 2017,@sprintcare my line,,\n"
        );
        import(&f, &write(f.dir(), "twcs.csv", &twcs), options()).await;
        let (jonas, vera) = (subject_of(&f, "jonas_r").await.unwrap(), subject_of(&f, "vera_s").await.unwrap());
        let s = import(&f, &write(f.dir(), "crm.csv", HOUSEHOLD), options()).await;
        rows_add_up(&s);
        assert_eq!((s.contacts.enriched, s.contacts.conflicts, s.quarantined), (1, 1, 0), "{s:?}");
        assert_eq!(by_email(&f, "jonas.rossi99@example.com").await, Some(jonas));
        assert_eq!(by_email(&f, "vera.silva73@example.com").await, Some(vera));
        assert_eq!(f.store.interaction("x", "2").await.unwrap().unwrap().subject, Some(vera));
        let again = import(&f, &write(f.dir(), "crm.csv", HOUSEHOLD), options()).await;
        assert_eq!((again.contacts.unchanged, again.contacts.conflicts), (2, 0), "{again:?}");
    })
    .await;
}

#[tokio::test]
async fn a_shared_e_mail_with_another_customer_number_is_someone_else() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let crm = "Customer ID,Full Name,Email Address\nC-1,Ana Lopez,family@example.com\nC-2,Luis Lopez,family@example.com\n";
        let path = write(f.dir(), "crm.csv", crm);
        let s = import(&f, &path, options()).await;
        rows_add_up(&s);
        assert_eq!((s.contacts.created, s.contacts.conflicts), (1, 1), "{s:?}");
        assert_eq!(s.contacts.shared.get("email"), Some(&1));
        let (ana, luis) = (
            f.candor.find_subject(&Identifier::customer_number("C-1").unwrap()).await.unwrap().unwrap(),
            f.candor.find_subject(&Identifier::customer_number("C-2").unwrap()).await.unwrap().unwrap(),
        );
        assert_ne!(ana, luis);
        assert_eq!(by_email(&f, "family@example.com").await, Some(ana));
        let again = import(&f, &path, options()).await;
        assert_eq!((again.contacts.unchanged, again.contacts.conflicts, again.quarantined), (2, 0, 0), "{again:?}");
    })
    .await;
}

#[tokio::test]
async fn the_demo_contacts_keep_their_households_apart_and_count_the_same_each_time() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let data = candor_ingest::demo_data::generate(&f.dir().join("demo"), 2_000, 20_000, 3).unwrap();
        assert!(data.households >= 5, "the demo data has households on purpose: {}", data.households);
        let first = import(&f, &data.contacts, options()).await;
        rows_add_up(&first);
        assert!(first.contacts.shared.get("phone").copied().unwrap_or(0) >= data.households, "{first:?}");
        // No customer holds two customer numbers or two e-mail addresses.
        let (n,): (i64,) = sqlx::query_as(
            "select count(*) from (select subject_id from identities where kind in ('customer_number', 'email') group by subject_id, kind having count(*) > 1) t",
        )
        .fetch_one(f.store.pool())
        .await
        .unwrap();
        assert_eq!(n, 0, "merged customers");
        let second = import(&f, &data.contacts, options()).await;
        let third = import(&f, &data.contacts, options()).await;
        rows_add_up(&second);
        assert_eq!((second.contacts.clone(), second.quarantined), (third.contacts.clone(), third.quarantined));
        assert_eq!((second.contacts.created, second.contacts.enriched, second.contacts.conflicts), (0, 0, 0), "{second:?}");
        assert_eq!(second.contacts.unchanged + second.quarantined, second.records, "{second:?}");
    })
    .await;
}

#[tokio::test]
async fn x_api_v2_responses_and_mapped_files() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let response = r#"{"data":[{"id":"100","text":"@NorthwindHelp my parcel is late, I'm Ana Lopez","author_id":"2244","created_at":"2024-03-01T10:00:00.000Z","conversation_id":"100"},{"id":"101","text":"@ana_l sorry! DM us","author_id":"9","created_at":"2024-03-01T10:05:00.000Z","conversation_id":"100","in_reply_to_user_id":"2244","referenced_tweets":[{"type":"replied_to","id":"100"}]}],"includes":{"users":[{"id":"2244","username":"ana_l","name":"Ana Lopez"},{"id":"9","username":"NorthwindHelp","name":"Northwind"}]}}"#;
        let path = write(f.dir(), "search.json", &format!("{response}\n"));
        let s = import(&f, &path, ImportOptions { brands: vec!["@NorthwindHelp".into()], ..options() }).await;
        assert_eq!((s.format, s.interactions.stored, s.subjects.created), (Format::XV2, 2, 1), "{s:?}");
        let by_account = f.candor.find_subject(&Identifier::account("x", "2244").unwrap()).await.unwrap();
        assert!(by_account.is_some());
        assert_eq!(subject_of(&f, "ana_l").await, by_account);
        let snap = snapshot(&f).await;
        assert_eq!(by_id(&snap, "101").direction, "outbound");
        assert_eq!(by_id(&snap, "101").subject, by_id(&snap, "100").subject);
        assert!(snap.subjects.iter().any(|(_, n)| n.as_deref() == Some("Ana Lopez")));

        let mapping = Mapping::parse(
            "mapping.toml",
            "platform = \"facebook\"\n[fields]\nid = \"id\"\ntext = \"message\"\nauthor = \"from\"\ntime = \"created\"\nreply_to = \"parent\"\n[time]\nformat = \"unix\"\n[brand]\naccounts = [\"northwind\"]\n",
        )
        .unwrap();
        let jsonl = write(
            f.dir(),
            "comments.jsonl",
            "{\"id\":\"c1\",\"message\":\"where is my refund, order 55812233?\",\"from\":\"ana.l\",\"created\":1709287200}\n{\"id\":\"c2\",\"message\":\"@ana.l please DM us\",\"from\":\"northwind\",\"created\":1709287300,\"parent\":\"c1\"}\n{\"id\":\"c3\"}\n",
        );
        let s = import(&f, &jsonl, ImportOptions { format: Some(Format::Jsonl), mapping: Some(mapping), ..options() }).await;
        assert_eq!((s.interactions.stored, s.quarantined, s.subjects.created), (2, 1, 1), "{s:?}");
        let c2 = f.store.interaction("facebook", "c2").await.unwrap().unwrap();
        assert_eq!((c2.direction.as_str(), c2.account.as_deref(), c2.conversation_id.as_deref()), ("outbound", Some("northwind"), Some("c1")));
        assert_eq!(c2.subject, f.store.interaction("facebook", "c1").await.unwrap().unwrap().subject);
    })
    .await;
}

/// A fixture sharing `keys` with another, so blind indexes agree.
async fn twin(of: &Fixture, db: TestDb) -> Fixture {
    let to = db.dir.path().join("keys");
    copy_dir(&of.keys_dir(), &to);
    Fixture::new(db).await
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn fresh_like(db: &TestDb) -> TestDb {
    match db.backend {
        candor_store_sql::Backend::Sqlite => TestDb::sqlite(),
        candor_store_sql::Backend::Postgres => TestDb::postgres().unwrap(),
    }
}

#[tokio::test]
async fn batch_boundaries_do_not_change_the_result() {
    each_backend(|db| async move {
        let other = fresh_like(&db);
        let a = Fixture::new(db).await;
        let b = twin(&a, other).await;
        let data = candor_ingest::demo_data::generate(&a.dir().join("demo"), 150, 3_000, 11).unwrap();
        let brands = data.brands.clone();
        let sa = import(&a, &data.twcs, ImportOptions { batch_size: 37, brands: brands.clone(), ..options() }).await;
        let sb = import(&b, &data.twcs, ImportOptions { batch_size: 5_000, brands, ..options() }).await;
        assert_eq!(sa.interactions, sb.interactions);
        assert_eq!(sa.subjects, sb.subjects);
        assert_eq!(sa.quarantined, data.malformed);
        let (snap_a, snap_b) = (snapshot(&a).await, snapshot(&b).await);
        assert_eq!(snap_a.interactions.len() as u64, 3_000 - data.malformed);
        assert!(snap_a.interactions.iter().all(|r| r.conversation.is_some() || r.reply_to.is_some()));
        assert_eq!(snap_a, snap_b);
    })
    .await;
}

const CHILD: &str = "CANDOR_IMPORT_CHILD";

#[tokio::test]
#[ignore = "the child half of an_import_killed_mid_way_and_run_again_ends_as_one_clean_run"]
async fn import_child_runs_until_killed() {
    let Ok(spec) = std::env::var(CHILD) else { return };
    let parts: Vec<&str> = spec.split('\t').collect();
    let (url, schema, keys, file) = (parts[0], parts[1], parts[2], parts[3]);
    let keys = Arc::new(candor_store::KeyRing::load_with(Path::new(keys), None).unwrap());
    let open = OpenOptions { schema: (!schema.is_empty()).then(|| schema.to_owned()), ..OpenOptions::default() };
    let store = SqlStore::open(url, open).await.unwrap().with_signer(candor_store::AuditSigner::new(Arc::clone(&keys), 4));
    let candor = candor_service::Candor::new(Arc::new(store), keys);
    let progress = Arc::new(Progress::default());
    let watch = Arc::clone(&progress);
    std::thread::spawn(move || loop {
        println!("stored {}", watch.stored.load(std::sync::atomic::Ordering::Relaxed));
        std::thread::sleep(Duration::from_millis(5));
    });
    let brands = candor_ingest::demo_data::brand_handles();
    candor.import(Path::new(file), ImportOptions { batch_size: 50, brands, ..options() }, progress).await.unwrap();
    println!("done");
}

#[tokio::test]
async fn an_import_killed_mid_way_and_run_again_ends_as_one_clean_run() {
    each_backend(|db| async move {
        let other = fresh_like(&db);
        let killed = Fixture::new(db).await;
        let clean = twin(&killed, other).await;
        let data = candor_ingest::demo_data::generate(&killed.dir().join("demo"), 400, 6_000, 5).unwrap();
        let spec = format!(
            "{}\t{}\t{}\t{}",
            killed.db.url,
            killed.db.schema.clone().unwrap_or_default(),
            killed.keys_dir().display(),
            data.twcs.display()
        );
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "import::import_child_runs_until_killed", "--ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD, &spec)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill it once some batches are in, well before the end.
        loop {
            let line = lines.next().expect("the child ended early").unwrap();
            if line == "done" {
                panic!("the import finished before it could be killed");
            }
            if line.strip_prefix("stored ").and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n >= 500) {
                break;
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let partial = killed.store.interaction_count().await.unwrap();
        assert!(partial >= 500 && partial < 6_000 - data.malformed, "killed mid-way: {partial} stored");

        let brands = data.brands.clone();
        let resumed = import(&killed, &data.twcs, ImportOptions { brands: brands.clone(), ..options() }).await;
        assert_eq!(resumed.interactions.already_stored, partial);
        let once = import(&clean, &data.twcs, ImportOptions { brands, ..options() }).await;
        assert_eq!(once.interactions.stored, partial + resumed.interactions.stored);
        assert_eq!(snapshot(&killed).await, snapshot(&clean).await);
        let report = killed.candor.verify_audit(|_, _| {}).await.unwrap();
        assert!(matches!(report, candor_service::audit::AuditReport::Intact { .. }), "{report:?}");
    })
    .await;
}
