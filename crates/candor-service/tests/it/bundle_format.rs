//! The bundle format `candor-export/1` (issue 17, point 9): data.json
//! holds lists as JSON arrays, receipts and agreements as JSON objects,
//! absent values as null and times as RFC 3339; the JSON Schema of the
//! format ships in every bundle, listed with its hash, and is the file in
//! the repository. (`.ci/check-export-schema` validates real bundles
//! against it with an outside validator.)

use std::sync::Arc;

use candor_domain::{ConsentAction, ConsentSource, Identifier, RightKind};
use candor_service::import::{ImportOptions, Progress};
use candor_service::rights::execute::ExecuteOptions;
use candor_service::rights::export::{SCHEMA, SCHEMA_FILE};
use candor_test_support::{each_backend, Fixture};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;

const CONTACTS: &str = "Customer ID,Full Name,Email Address,Mobile,Twitter\nC-1,Ana Lopez,ana@example.com,,@115712\n";
const TWCS: &str = concat!(
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n",
    "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare my parcel never came,2,\n",
    "2,sprintcare,False,Tue Oct 31 22:11:45 +0000 2017,@115712 Sorry to hear that! Please DM us. ^AB,,1.0\n",
);

fn rfc3339(v: &Value) -> bool {
    v.as_str().is_some_and(|s| time::OffsetDateTime::parse(s, &Rfc3339).is_ok())
}

fn strings(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

#[tokio::test]
async fn data_json_holds_arrays_objects_and_times_and_the_bundle_ships_its_schema() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        for (name, body) in [("crm.csv", CONTACTS), ("twcs.csv", TWCS)] {
            let path = f.dir().join(name);
            std::fs::write(&path, body).unwrap();
            let options = ImportOptions { actor: "importer".into(), ..ImportOptions::default() };
            f.candor.import(&path, options, Arc::new(Progress::default())).await.unwrap();
        }
        let c = &f.candor;
        let ana = c.find_subject(&Identifier::email("ana@example.com").unwrap()).await.unwrap().unwrap();
        c.record_consent("carla", ana, Some("personalization"), ConsentAction::Grant, ConsentSource::Api).await.unwrap();
        c.record_consent("carla", ana, None, ConsentAction::Restrict, ConsentSource::Api).await.unwrap();
        let id = c.open_rights_request("carla", RightKind::Portability, ana, None).await.unwrap().id;
        c.verify_rights_request_by_staff("carla", &id, "passport seen").await.unwrap();
        let out = f.dir().join("bundle");
        c.execute_rights_request("carla", &id, &ExecuteOptions { out_dir: Some(out.clone()), ..ExecuteOptions::default() }).await.unwrap();

        // The schema: in the bundle, byte for byte the repository's, listed
        // with its hash; the manifest names it.
        let repo = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/candor-export-1.schema.json")).unwrap();
        assert_eq!(SCHEMA, repo);
        assert_eq!(std::fs::read_to_string(out.join(SCHEMA_FILE)).unwrap(), repo);
        let manifest: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["schema"], SCHEMA_FILE);
        let listed = manifest["files"].as_array().unwrap().iter().find(|f| f["path"] == SCHEMA_FILE).expect("the schema is listed");
        assert_eq!(listed["sha256"].as_str().unwrap(), hex::encode(<sha2::Sha256 as sha2::Digest>::digest(repo.as_bytes())));
        assert!(rfc3339(&manifest["generated_at"]), "{manifest}");
        let schema: Value = serde_json::from_str(&repo).unwrap();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");

        let data: Value = serde_json::from_slice(&std::fs::read(out.join("data.json")).unwrap()).unwrap();
        // Each table's keys are exactly those the schema requires.
        for table in ["profile", "interactions", "consent", "purposes", "recipients", "access_log"] {
            let rows = data[table].as_array().unwrap_or_else(|| panic!("{table} is an array"));
            let mut want: Vec<&str> = schema["$defs"]["data"]["properties"][table]["items"]["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect();
            want.sort_unstable();
            for row in rows {
                let mut keys: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
                keys.sort_unstable();
                assert_eq!(keys, want, "{table}: {row}");
            }
        }
        // Receipts are objects, not JSON text; a choice without one is null.
        let consent = data["consent"].as_array().unwrap();
        let grant = consent.iter().find(|e| e["action"] == "grant").unwrap();
        assert!(grant["receipt"].is_object(), "{grant}");
        assert!(rfc3339(&grant["at"]), "{grant}");
        let restrict = consent.iter().find(|e| e["action"] == "restrict").unwrap();
        assert!(restrict["receipt"].is_null() && restrict["purpose"].is_null(), "{restrict}");
        // Lists are arrays.
        for p in data["purposes"].as_array().unwrap() {
            assert!(strings(&p["categories"]) && !p["categories"].as_array().unwrap().is_empty(), "{p}");
        }
        let recipients = data["recipients"].as_array().unwrap();
        assert!(!recipients.is_empty());
        for r in recipients {
            assert!(strings(&r["purposes"]) && strings(&r["categories"]) && strings(&r["disclosures"]), "{r}");
            assert!(r["agreement"]["reference"].is_string() && r["agreement"]["valid_until"].is_string(), "{r}");
        }
        for i in data["interactions"].as_array().unwrap() {
            assert!(rfc3339(&i["occurred_at"]), "{i}");
        }
        for e in data["access_log"].as_array().unwrap() {
            assert!(rfc3339(&e["at"]), "{e}");
        }
        // The CSV tables stay flat: the receipt as its JSON text, lists joined.
        let csv = std::fs::read_to_string(out.join("consent.csv")).unwrap();
        assert!(csv.contains(",\"{"), "the receipt's JSON text, quoted: {csv}");
        let purposes = std::fs::read_to_string(out.join("purposes.csv")).unwrap();
        assert!(purposes.contains("user.contact.email user."), "{purposes}");
    })
    .await;
}
