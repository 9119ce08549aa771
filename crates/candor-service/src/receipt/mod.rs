//! Consent receipts: the customer's proof of what they agreed to, withdrew
//! or objected to, under which policy version, when and how.
//!
//! A receipt is one JSON object that validates against the Kantara Consent
//! Receipt v1.1 JSON schema (shipped in `tests/data/` with its source), with
//! the fields of ISO/IEC TS 27560 that Kantara lacks added beside them (the
//! schema allows further properties; see [`build`]). `piiPrincipalId` is the
//! subject's pseudonym, never an e-mail address: the receipt is stored in
//! the ledger in clear text.
//!
//! Signing: a detached JWS (RFC 7515 Appendix F, `EdDSA` per RFC 8037) over
//! the receipt's bytes, which are its canonical text ([`canonical`]: pretty
//! JSON, keys sorted, final newline). The receipt file therefore is the
//! receipt alone, and its signature lives beside it (`FILE.jws` from the
//! command line, `signature` in the API); any edited byte of either fails.
//! Receipts made before (the receipt wrapped with its signature in one
//! document) still verify: see [`legacy`].

mod build;
mod jws;
mod legacy;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::Value;

use candor_store::KeyRing;
use ed25519_dalek::VerifyingKey;

pub use build::{build, Facts};

use crate::{Result, ServiceError};

/// A receipt with its signature.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedReceipt {
    /// The receipt object.
    pub receipt: Value,
    /// Its signature.
    pub signature: ReceiptSignature,
}

/// How a receipt is signed.
#[derive(Clone, Debug, PartialEq)]
pub enum ReceiptSignature {
    /// A detached JWS over the receipt's canonical text.
    Jws(String),
    /// A receipt made before detached signatures: the whole document it
    /// came in (receipt and signature), which is what verifies, and its
    /// `signature` object.
    Legacy {
        /// The document's text.
        document: String,
        /// Its `signature` object.
        signature: Value,
    },
}

/// As the API shows it: `{"receipt": {…}, "signature": "<JWS>"}`, or the
/// old signature object for a receipt made before.
impl Serialize for SignedReceipt {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SignedReceipt", 2)?;
        st.serialize_field("receipt", &self.receipt)?;
        match &self.signature {
            ReceiptSignature::Jws(jws) => st.serialize_field("signature", jws)?,
            ReceiptSignature::Legacy { signature, .. } => st.serialize_field("signature", signature)?,
        }
        st.end()
    }
}

impl SignedReceipt {
    /// The receipt file's text: what the signature covers.
    pub fn document(&self) -> Result<String> {
        match &self.signature {
            ReceiptSignature::Jws(_) => canonical(&self.receipt),
            ReceiptSignature::Legacy { document, .. } => Ok(document.clone()),
        }
    }

    /// The detached JWS, when the receipt has one.
    pub fn jws(&self) -> Option<&str> {
        match &self.signature {
            ReceiptSignature::Jws(j) => Some(j),
            ReceiptSignature::Legacy { .. } => None,
        }
    }

    /// What the ledger keeps: `{"receipt":…,"signature":"<JWS>"}`, or the
    /// old document as it was.
    pub fn to_stored(&self) -> Result<String> {
        match &self.signature {
            ReceiptSignature::Jws(_) => serde_json::to_string(self).map_err(encode),
            ReceiptSignature::Legacy { document, .. } => Ok(document.clone()),
        }
    }

    /// Read what the ledger keeps.
    pub fn from_stored(text: &str) -> Result<Self> {
        let doc: Value = serde_json::from_str(text).map_err(|e| bad(format!("the stored receipt is not JSON: {e}")))?;
        let receipt =
            doc.get("receipt").filter(|r| r.is_object()).cloned().ok_or_else(|| bad("the stored receipt has no `receipt` object"))?;
        let signature = match doc.get("signature") {
            Some(Value::String(jws)) => ReceiptSignature::Jws(jws.clone()),
            Some(sig @ Value::Object(_)) => ReceiptSignature::Legacy { document: text.to_owned(), signature: sig.clone() },
            _ => return Err(bad("the stored receipt has no signature")),
        };
        Ok(Self { receipt, signature })
    }
}

/// A receipt's canonical text: pretty JSON (two-space indent), object keys
/// sorted at every level, a final newline. The same object always gives the
/// same bytes, so the API can show the receipt as an object and anyone can
/// rebuild the signed bytes (Python: `json.dumps(r, indent=2,
/// sort_keys=True, ensure_ascii=False) + "\n"`).
pub fn canonical(receipt: &Value) -> Result<String> {
    let mut s = serde_json::to_string_pretty(&sorted(receipt)).map_err(encode)?;
    s.push('\n');
    Ok(s)
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), map.get(k).map(sorted).unwrap_or(Value::Null))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Sign a receipt.
pub fn sign(keys: &KeyRing, receipt: Value) -> Result<SignedReceipt> {
    let receipt = sorted(&receipt);
    let text = canonical(&receipt)?;
    let jws = jws::sign(keys, text.as_bytes())?;
    Ok(SignedReceipt { receipt, signature: ReceiptSignature::Jws(jws) })
}

fn encode(e: serde_json::Error) -> ServiceError {
    ServiceError::Encode { what: "the consent receipt", source: e }
}

fn bad(why: impl Into<String>) -> ServiceError {
    ServiceError::Receipt(why.into())
}

/// What a valid receipt says.
#[derive(Clone, Debug, Serialize)]
pub struct VerifiedReceipt {
    /// `consentReceiptID`.
    pub receipt_id: String,
    /// `recordId`: the consent record (the subject's ledger for the
    /// purpose) it belongs to; none in receipts made before it existed.
    pub record_id: Option<String>,
    /// `purposeId`.
    pub purpose: String,
    /// `action`: grant, withdraw or object.
    pub action: String,
    /// `piiPrincipalId` (a pseudonym).
    pub principal: String,
    /// `consentTimestamp`, seconds since the epoch.
    pub timestamp: i64,
    /// `policyVersion`.
    pub policy_version: u64,
    /// Whether the signature was checked against a key the verifier trusts
    /// (this installation's) rather than the key the receipt names.
    pub trusted_key: bool,
    /// `jws` (a detached JWS beside the receipt) or `legacy` (a document
    /// holding receipt and signature, as candor wrote them before).
    pub format: &'static str,
}

/// Verify a receipt file's text. With `signature` (the detached JWS), the
/// text is the receipt itself; without, it must be a document of the
/// former kind that holds its signature. With `trusted`, the signature must
/// be by that key; without, by the key the receipt names (which proves
/// integrity, not origin).
pub fn verify(text: &str, signature: Option<&str>, trusted: Option<&VerifyingKey>) -> Result<VerifiedReceipt> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| bad(format!("it is not JSON (line {}, column {}): {e}", e.line(), e.column())))?;
    let Some(jws) = signature else {
        if doc.get("signature").is_some() && doc.get("receipt").is_some() {
            let receipt = legacy::verify(text, &doc, trusted)?;
            return facts(receipt, trusted.is_some(), "legacy");
        }
        return Err(bad("it has no signature: give its detached JWS (the `.jws` file written beside it)"));
    };
    let key = resolve_key(&doc, trusted, "publicKey")?;
    jws::verify(text.as_bytes(), jws, &key)?;
    facts(&doc, trusted.is_some(), "jws")
}

/// The key to check against: the trusted one, which must be the one the
/// receipt names, or the named one.
fn resolve_key(receipt: &Value, trusted: Option<&VerifyingKey>, field: &str) -> Result<VerifyingKey> {
    let named = receipt
        .get("publicKey")
        .and_then(Value::as_str)
        .and_then(|h| hex::decode(h).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| bad(format!("`{field}` is not an Ed25519 public key")))?;
    match trusted {
        Some(t) if t != &named => Err(bad("it names a signing key other than this installation's")),
        Some(t) => Ok(*t),
        None => Ok(named),
    }
}

/// A signature proves the content unchanged, not complete: a field missing
/// or of the wrong kind makes the receipt invalid, never one with an empty
/// or zero value.
fn facts(receipt: &Value, trusted_key: bool, format: &'static str) -> Result<VerifiedReceipt> {
    let prefix = if format == "legacy" { "receipt." } else { "" };
    let field = |name: &str| receipt.get(name).ok_or_else(|| bad(format!("it has no `{prefix}{name}`")));
    let text = |name: &str| {
        field(name)?
            .as_str()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| bad(format!("`{prefix}{name}` is not a non-empty string")))
    };
    let number = |name: &str| field(name)?.as_i64().ok_or_else(|| bad(format!("`{prefix}{name}` is not a whole number")));
    Ok(VerifiedReceipt {
        receipt_id: text("consentReceiptID")?,
        record_id: if format == "legacy" { None } else { Some(text("recordId")?) },
        purpose: text("purposeId")?,
        action: text("action")?,
        principal: text("piiPrincipalId")?,
        timestamp: number("consentTimestamp")?,
        policy_version: field("policyVersion")?
            .as_u64()
            .filter(|v| *v > 0)
            .ok_or_else(|| bad(format!("`{prefix}policyVersion` is not a policy version (a whole number from 1)")))?,
        trusted_key,
        format,
    })
}
