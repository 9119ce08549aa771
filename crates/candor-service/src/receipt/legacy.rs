//! Receipts as candor wrote them before detached signatures: one document
//! `{"receipt": {…}, "signature": {"alg": "Ed25519", "keyId", "value"}}`,
//! Ed25519 over `candor-consent-receipt-v1\n` followed by the receipt's
//! compact JSON, the file in one canonical form (pretty JSON with a final
//! newline). Installations hold such receipts, so they still verify; new
//! receipts are never made this way.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use candor_store::keys::key_id;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;

use super::{bad, encode, resolve_key};
use crate::Result;

const SIGNING_CONTEXT: &[u8] = b"candor-consent-receipt-v1\n";

/// Verify an old document; returns its receipt object.
pub(super) fn verify<'a>(text: &str, doc: &'a Value, trusted: Option<&VerifyingKey>) -> Result<&'a Value> {
    let mut canonical = serde_json::to_string_pretty(doc).map_err(encode)?;
    canonical.push('\n');
    if canonical != text {
        return Err(bad("its bytes differ from the form candor signed: it was edited or reformatted"));
    }
    let receipt = doc.get("receipt").filter(|r| r.is_object()).ok_or_else(|| bad("it has no `receipt` object"))?;
    let sig_b64 = doc.pointer("/signature/value").and_then(Value::as_str).ok_or_else(|| bad("it has no `signature.value`"))?;
    let sig_bytes: [u8; 64] = B64
        .decode(sig_b64)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("`signature.value` is not a base64 Ed25519 signature"))?;
    let key = resolve_key(receipt, trusted, "receipt.publicKey")?;
    // The signature object's own fields are not under the signature, so
    // they are checked one by one: nothing in the file goes unchecked.
    if doc.pointer("/signature/alg").and_then(Value::as_str) != Some("Ed25519") {
        return Err(bad("`signature.alg` must be `Ed25519`"));
    }
    if doc.pointer("/signature/keyId").and_then(Value::as_str) != Some(key_id(&key).as_str()) {
        return Err(bad("`signature.keyId` does not name the key that signed it"));
    }
    if doc.as_object().map(|o| o.len()) != Some(2) || doc.get("signature").and_then(Value::as_object).map(|o| o.len()) != Some(3) {
        return Err(bad("it has fields candor did not sign"));
    }
    let mut message = SIGNING_CONTEXT.to_vec();
    serde_json::to_writer(&mut message, receipt).map_err(encode)?;
    key.verify_strict(&message, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| bad("the signature does not match its content: the receipt was altered"))?;
    Ok(receipt)
}
