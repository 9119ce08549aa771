//! Consent receipts: the customer's proof of what they agreed to, under which
//! policy version, when and how.
//!
//! The receipt carries the fields of the Kantara Consent Receipt v1.1
//! (`version`, `jurisdiction`, `consentTimestamp`, `collectionMethod`,
//! `consentReceiptID`, `publicKey`, `language`, `piiPrincipalId`,
//! `piiControllers`, `policyUrl`, `services`/`purposes`, `sensitive`,
//! `spiCat`) plus the record details of ISO/IEC TS 27560 that candor knows
//! (`policyVersion`, `legalBasis`, `purposeId`, `action`, `source`).
//! `piiPrincipalId` is the subject's pseudonym, never an e-mail address: the
//! receipt is stored in the ledger in clear text.
//!
//! Signing: Ed25519 over `candor-consent-receipt-v1\n` followed by the
//! compact JSON of the `receipt` object. The file is written in one
//! canonical form (pretty JSON, as produced here, with a final newline), and
//! verification re-derives that form and compares bytes, so any edited byte
//! (content, signature or layout) fails the check.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use candor_domain::{ConsentAction, ConsentEvent, ConsentSource, Policy, Purpose, Taxonomy};
use candor_store::keys::key_id;
use candor_store::KeyRing;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{Result, ServiceError};

const SIGNING_CONTEXT: &[u8] = b"candor-consent-receipt-v1\n";

fn collection_method(source: ConsentSource) -> &'static str {
    match source {
        ConsentSource::PrivacyCenter => "the customer's own choice in the privacy center",
        ConsentSource::Api => "recorded through the candor API by an integrated system",
        ConsentSource::Cli => "recorded by staff with the candor command line on the customer's instruction",
        ConsentSource::Import => "imported from a consent record collected elsewhere",
        ConsentSource::Gpc => "a Global Privacy Control signal sent by the customer's browser",
        ConsentSource::RightsRequest => "a data-subject rights request",
    }
}

/// Build the unsigned receipt for a grant.
pub fn build(
    policy: &Policy,
    policy_version: u32,
    purpose: &Purpose,
    pseudonym: &str,
    event: &ConsentEvent,
    receipt_id: Uuid,
    public_key: &VerifyingKey,
) -> Value {
    let c = &policy.controller;
    let taxonomy = Taxonomy::fideslang();
    let special: Vec<&str> = purpose.categories.iter().filter(|cat| taxonomy.covers_special(cat)).map(|cat| cat.as_str()).collect();
    let recipient = purpose.recipient.as_ref().and_then(|r| policy.recipients.get(r));
    let mut purpose_entry = json!({
        "purpose": purpose.description,
        "purposeCategory": [purpose.id.as_str()],
        "consentType": "EXPLICIT",
        "piiCategory": purpose.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "primaryPurpose": true,
        "termination": format!("until you withdraw consent; data kept for this purpose at most {} days", purpose.retention_days),
        "thirdPartyDisclosure": recipient.is_some(),
    });
    if let (Some(r), Some(obj)) = (recipient, purpose_entry.as_object_mut()) {
        obj.insert("thirdPartyName".into(), Value::String(r.name.clone()));
    }
    let mut controller = json!({ "piiController": c.name, "contact": c.contact });
    if let Some(obj) = controller.as_object_mut() {
        if c.contact.contains('@') {
            obj.insert("email".into(), Value::String(c.contact.clone()));
        }
        if let Some(a) = &c.address {
            obj.insert("address".into(), Value::String(a.clone()));
        }
        if let Some(u) = &c.policy_url {
            obj.insert("piiControllerUrl".into(), Value::String(u.clone()));
        }
    }
    json!({
        "version": "KI-CR-v1.1.0",
        "jurisdiction": c.jurisdiction.clone().unwrap_or_else(|| "EU".into()),
        "consentTimestamp": event.at.unix_timestamp(),
        "collectionMethod": collection_method(event.source),
        "consentReceiptID": receipt_id.to_string(),
        "publicKey": hex::encode(public_key.as_bytes()),
        "language": "en",
        "piiPrincipalId": pseudonym,
        "piiControllers": [controller],
        "policyUrl": c.policy_url.clone().unwrap_or_else(|| c.contact.clone()),
        "services": [{ "service": purpose.name, "purposes": [purpose_entry] }],
        "sensitive": !special.is_empty(),
        "spiCat": special,
        "policyVersion": policy_version,
        "legalBasis": purpose.legal_basis.as_str(),
        "purposeId": purpose.id.as_str(),
        "action": ConsentAction::Grant.as_str(),
        "source": event.source.as_str(),
    })
}

/// What is signed: the context, then the receipt's compact JSON. A
/// `Value` always serializes, but were it ever not to, nothing is signed
/// (an empty message would sign only the context).
fn message(receipt: &Value) -> serde_json::Result<Vec<u8>> {
    let mut m = SIGNING_CONTEXT.to_vec();
    serde_json::to_writer(&mut m, receipt)?;
    Ok(m)
}

fn canonical(doc: &Value) -> serde_json::Result<String> {
    let mut s = serde_json::to_string_pretty(doc)?;
    s.push('\n');
    Ok(s)
}

fn encode(e: serde_json::Error) -> ServiceError {
    ServiceError::Encode { what: "the consent receipt", source: e }
}

/// Sign a receipt; returns the document's canonical text.
pub fn sign(keys: &KeyRing, receipt: Value) -> Result<String> {
    let signature = keys.sign(&message(&receipt).map_err(encode)?);
    let doc = json!({
        "receipt": receipt,
        "signature": { "alg": "Ed25519", "keyId": key_id(&keys.verifying_key()), "value": B64.encode(signature) },
    });
    canonical(&doc).map_err(encode)
}

/// What a valid receipt says.
#[derive(Clone, Debug, Serialize)]
pub struct VerifiedReceipt {
    /// `consentReceiptID`.
    pub receipt_id: String,
    /// `purposeId`.
    pub purpose: String,
    /// `piiPrincipalId` (a pseudonym).
    pub principal: String,
    /// `consentTimestamp`, seconds since the epoch.
    pub timestamp: i64,
    /// `policyVersion`.
    pub policy_version: u64,
    /// Whether the signature was checked against a key the verifier trusts
    /// (this installation's) rather than the key the receipt names.
    pub trusted_key: bool,
}

fn bad(why: impl Into<String>) -> ServiceError {
    ServiceError::Receipt(why.into())
}

/// Verify a receipt's text. With `trusted`, the signature must be by that
/// key; without, by the key the receipt names (which proves integrity, not
/// origin).
pub fn verify(text: &str, trusted: Option<&VerifyingKey>) -> Result<VerifiedReceipt> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| bad(format!("it is not JSON (line {}, column {}): {e}", e.line(), e.column())))?;
    if canonical(&doc).map_err(encode)? != text {
        return Err(bad("its bytes differ from the form candor signed: it was edited or reformatted"));
    }
    let receipt = doc.get("receipt").ok_or_else(|| bad("it has no `receipt` object"))?;
    let sig_b64 = doc.pointer("/signature/value").and_then(Value::as_str).ok_or_else(|| bad("it has no `signature.value`"))?;
    let sig_bytes: [u8; 64] = B64
        .decode(sig_b64)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("`signature.value` is not a base64 Ed25519 signature"))?;
    let named = receipt
        .get("publicKey")
        .and_then(Value::as_str)
        .and_then(|h| hex::decode(h).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| bad("`receipt.publicKey` is not an Ed25519 public key"))?;
    let key = match trusted {
        Some(t) if t != &named => return Err(bad("it names a signing key other than this installation's")),
        Some(t) => t,
        None => &named,
    };
    // The signature object's own fields are not under the signature, so
    // they are checked one by one: nothing in the file goes unchecked.
    if doc.pointer("/signature/alg").and_then(Value::as_str) != Some("Ed25519") {
        return Err(bad("`signature.alg` must be `Ed25519`"));
    }
    if doc.pointer("/signature/keyId").and_then(Value::as_str) != Some(key_id(key).as_str()) {
        return Err(bad("`signature.keyId` does not name the key that signed it"));
    }
    if doc.as_object().map(|o| o.len()) != Some(2) || doc.get("signature").and_then(Value::as_object).map(|o| o.len()) != Some(3) {
        return Err(bad("it has fields candor did not sign"));
    }
    key.verify_strict(&message(receipt).map_err(encode)?, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| bad("the signature does not match its content: the receipt was altered"))?;
    // A signature proves the content unchanged, not complete: a field
    // missing or of the wrong kind makes the receipt invalid, never one
    // with an empty or zero value.
    let field = |name: &str| receipt.get(name).ok_or_else(|| bad(format!("it has no `receipt.{name}`")));
    let text = |name: &str| {
        field(name)?
            .as_str()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| bad(format!("`receipt.{name}` is not a non-empty string")))
    };
    let number = |name: &str| field(name)?.as_i64().ok_or_else(|| bad(format!("`receipt.{name}` is not a whole number")));
    Ok(VerifiedReceipt {
        receipt_id: text("consentReceiptID")?,
        purpose: text("purposeId")?,
        principal: text("piiPrincipalId")?,
        timestamp: number("consentTimestamp")?,
        policy_version: field("policyVersion")?
            .as_u64()
            .filter(|v| *v > 0)
            .ok_or_else(|| bad("`receipt.policyVersion` is not a policy version (a whole number from 1)"))?,
        trusted_key: trusted.is_some(),
    })
}
