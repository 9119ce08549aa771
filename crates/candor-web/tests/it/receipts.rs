//! Consent receipts over the API: JSON objects (not JSON text in a string)
//! with their detached signature, for withdrawals and objections as for
//! grants, and the object gives back the exact bytes the signature covers.

use axum::http::{Method, StatusCode};
use candor_service::receipt;
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{Fixture, TestDb};
use serde_json::json;

use crate::Api;

#[tokio::test]
async fn a_withdrawal_answers_its_receipt_as_an_object_whose_canonical_text_the_signature_covers() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let input = NewSubjectInput { email: Some("rita@example.com".into()), ..Default::default() };
    let s = api.f.candor.add_subject("test", &input).await.unwrap();
    let uri = format!("/api/v1/subjects/{s}/consent");
    let granted = api.call(Some("adam"), Method::POST, &uri, Some(json!({ "action": "grant", "purpose": "personalization" }))).await;
    assert_eq!(granted.status, StatusCode::CREATED, "{granted:?}");
    let withdrawn = api.call(Some("adam"), Method::POST, &uri, Some(json!({ "action": "withdraw", "purpose": "personalization" }))).await;
    assert_eq!(withdrawn.status, StatusCode::CREATED, "{withdrawn:?}");
    let r = &withdrawn.json["receipt"];
    assert!(r["receipt"].is_object(), "{r}");
    assert_eq!(r["receipt"]["action"], "withdraw");
    assert_eq!(r["receipt"]["services"][0]["purposes"][0]["consentType"], "EXPLICIT");
    assert_eq!(r["receipt"]["recordId"], granted.json["receipt"]["receipt"]["recordId"], "one consent record");

    let ledger = withdrawn.json["ledger_id"].as_i64().unwrap();
    let got = api.call(Some("adam"), Method::GET, &format!("{uri}/{ledger}/receipt"), None).await;
    assert_eq!(got.status, StatusCode::OK, "{got:?}");
    assert_eq!(&got.json, r, "the ledger's receipt is the one answered when recorded");
    // Anyone holding the object rebuilds the signed bytes.
    let text = receipt::canonical(&got.json["receipt"]).unwrap();
    let key = api.f.keys.verifying_key();
    let v = receipt::verify(&text, got.json["signature"].as_str(), Some(&key)).expect("the API's receipt verifies");
    assert_eq!(v.action, "withdraw");

    // The document declares the receipt as an object with its fields.
    let doc = serde_json::to_value(candor_web::openapi_document()).unwrap();
    let schema = &doc["components"]["schemas"]["ReceiptBody"];
    assert_eq!(schema["type"], "object", "{schema}");
    for field in ["piiControllers", "services", "recordId", "retentionPeriod", "withdrawalMethod", "parties", "event"] {
        assert!(schema["properties"].get(field).is_some(), "`{field}` undeclared: {schema}");
    }
}

#[test]
fn a_receipt_made_before_detached_signatures_fits_the_declared_response_too() {
    // As the ledger of an older installation holds it: the wrapped document.
    let text = include_str!("../../../candor-service/tests/data/legacy-receipt.json");
    let stored = receipt::SignedReceipt::from_stored(text).unwrap();
    let shown = serde_json::to_value(&stored).unwrap();
    let body: candor_web::api::receipt::SignedReceiptBody = serde_json::from_value(shown.clone()).expect("fits the schema");
    assert!(matches!(body.signature, candor_web::api::receipt::ReceiptSignatureBody::Legacy(_)));
    assert!(matches!(body.receipt.pii_controllers[0].address, Some(candor_web::api::receipt::AddressBody::Line(_))));
    assert_eq!(serde_json::to_value(&body).unwrap(), shown, "nothing lost on the way out");
}
