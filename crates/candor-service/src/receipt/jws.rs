//! The detached JWS (RFC 7515, Appendix F) that signs a receipt: protected
//! header `{"alg":"EdDSA","kid":…}` (RFC 8037), the payload left out of the
//! compact form (`header..signature`) because it is the receipt file itself.
//! Any JOSE library verifies it given the file's bytes as the payload.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use candor_store::keys::key_id;
use candor_store::KeyRing;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{json, Value};

use super::{bad, encode};
use crate::Result;

fn signing_input(header_b64: &str, payload: &[u8]) -> Vec<u8> {
    format!("{header_b64}.{}", B64URL.encode(payload)).into_bytes()
}

/// Sign `payload`; returns the compact detached JWS.
pub(super) fn sign(keys: &KeyRing, payload: &[u8]) -> Result<String> {
    let header = serde_json::to_vec(&json!({ "alg": "EdDSA", "kid": key_id(&keys.verifying_key()) })).map_err(encode)?;
    let header_b64 = B64URL.encode(header);
    let signature = keys.sign(&signing_input(&header_b64, payload));
    Ok(format!("{header_b64}..{}", B64URL.encode(signature)))
}

/// Verify a compact detached JWS over `payload` by `key`.
pub(super) fn verify(payload: &[u8], jws: &str, key: &VerifyingKey) -> Result<()> {
    let parts: Vec<&str> = jws.trim().split('.').collect();
    let [header_b64, body, sig_b64] = parts.as_slice() else {
        return Err(bad("the signature is not a compact JWS (three parts separated by dots)"));
    };
    if !body.is_empty() {
        return Err(bad("the JWS carries a payload; a receipt's signature is detached (`header..signature`)"));
    }
    let header: Value = B64URL
        .decode(header_b64)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or_else(|| bad("the JWS header is not base64url-encoded JSON"))?;
    if header.get("alg").and_then(Value::as_str) != Some("EdDSA") {
        return Err(bad("the JWS header's `alg` must be `EdDSA`"));
    }
    if header.get("kid").and_then(Value::as_str) != Some(key_id(key).as_str()) {
        return Err(bad("the JWS header's `kid` does not name the key the receipt names"));
    }
    if header.as_object().is_some_and(|h| h.keys().any(|k| k != "alg" && k != "kid")) {
        return Err(bad("the JWS header has fields candor does not understand"));
    }
    let sig: [u8; 64] = B64URL
        .decode(sig_b64)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("the JWS signature is not a base64url Ed25519 signature"))?;
    key.verify_strict(&signing_input(header_b64, payload), &Signature::from_bytes(&sig))
        .map_err(|_| bad("the signature does not match its content: the receipt was altered"))
}
