//! Building a receipt from a ledger event.
//!
//! The Kantara v1.1 fields come first; then candor's own (`policyVersion`,
//! `legalBasis`, `purposeId`, `action`, `source`) and the fields ISO/IEC TS
//! 27560 makes mandatory that Kantara lacks: `recordId`, `storageLocations`,
//! `retentionPeriod` (ISO 8601 duration), `withdrawalMethod`, `validity`,
//! `parties` (id, role, type) and `event` (type, time, the entity that
//! acted). The Kantara schema sets no `additionalProperties: false` at any
//! level, so these top-level fields leave the receipt valid against it.
//! Roles and types use Data Privacy Vocabulary terms (`dpv:…`), as DPV's
//! 27560 guide does.

use candor_domain::{Address, Ccpa, ConsentAction, ConsentEvent, ConsentSource, LegalBasis, Policy, Purpose, Taxonomy};
use ed25519_dalek::VerifyingKey;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a receipt is made from.
pub struct Facts<'a> {
    /// The policy in force.
    pub policy: &'a Policy,
    /// Its version.
    pub policy_version: u32,
    /// The purpose the event is about.
    pub purpose: &'a Purpose,
    /// The subject's pseudonym.
    pub pseudonym: &'a str,
    /// The event.
    pub event: &'a ConsentEvent,
    /// The staff actor or API client that recorded it.
    pub actor: &'a str,
    /// The receipt's own id.
    pub receipt_id: Uuid,
    /// The key that signs it.
    pub public_key: &'a VerifyingKey,
}

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

/// Kantara v1.1 `consentType`: `EXPLICIT` where consent is the authority
/// relied on; `N/A` where another legal basis is (the specification's own
/// example gives `N/A` to a purpose complying with a legal obligation).
pub fn consent_type(basis: LegalBasis) -> &'static str {
    match basis {
        LegalBasis::Consent => "EXPLICIT",
        _ => "N/A",
    }
}

/// The consent record a receipt belongs to: the subject's ledger for one
/// purpose, so a grant and its later withdrawal share it. Derived (a
/// version-8 UUID over a hash of pseudonym and purpose), so no table holds
/// it and the same pair always gives the same id.
pub fn record_id(pseudonym: &str, purpose: &str) -> Uuid {
    let digest = Sha256::digest(format!("candor-consent-record\n{pseudonym}\n{purpose}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

fn controller_party_id(policy: &Policy) -> String {
    policy.controller.policy_url.clone().unwrap_or_else(|| policy.controller.name.clone())
}

/// `piiControllers[0]`: the address as an object (schema.org
/// `PostalAddress` names), `email` and `phone` when the policy has them
/// (`policy check` warns when not).
fn controller(policy: &Policy) -> Value {
    let c = &policy.controller;
    let mut o = Map::new();
    o.insert("piiController".into(), c.name.clone().into());
    o.insert("contact".into(), c.contact.clone().into());
    match &c.address {
        Some(Address::Parts(a)) => {
            let parts = [
                ("streetAddress", &a.street_address),
                ("addressLocality", &a.locality),
                ("addressRegion", &a.region),
                ("postalCode", &a.postal_code),
                ("addressCountry", &a.country),
            ];
            let address: Map<String, Value> = parts.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v.clone()?.into()))).collect();
            o.insert("address".into(), Value::Object(address));
        }
        // A one-line address from an older policy: all of it as the street.
        Some(Address::Line(line)) => {
            o.insert("address".into(), json!({ "streetAddress": line }));
        }
        None => {}
    }
    if let Some(email) = c.receipt_email() {
        o.insert("email".into(), email.into());
    }
    if let Some(phone) = &c.phone {
        o.insert("phone".into(), phone.clone().into());
    }
    if let Some(u) = &c.policy_url {
        o.insert("piiControllerUrl".into(), u.clone().into());
    }
    Value::Object(o)
}

/// The purpose entry: a recipient or a CCPA sale/share marking is a
/// third-party disclosure.
fn purpose_entry(policy: &Policy, purpose: &Purpose) -> Value {
    let recipient = purpose.recipient.as_ref().and_then(|r| policy.recipients.get(r));
    let third_party = match (recipient, purpose.ccpa) {
        (Some(r), _) => Some(r.name.clone()),
        (None, Ccpa::Sale) => Some("third parties the data is sold to (CCPA sale)".to_owned()),
        (None, Ccpa::Share) => Some("third parties for cross-context behavioural advertising (CCPA share)".to_owned()),
        (None, Ccpa::None) => None,
    };
    let termination = match purpose.legal_basis {
        LegalBasis::Consent => format!("until you withdraw consent; data kept for this purpose at most {} days", purpose.retention_days),
        basis => format!(
            "while the {basis} basis lasts or until you object where you may; data kept for this purpose at most {} days",
            purpose.retention_days
        ),
    };
    let mut entry = json!({
        "purpose": purpose.description,
        "purposeCategory": [purpose.id.as_str()],
        "consentType": consent_type(purpose.legal_basis),
        "piiCategory": purpose.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "primaryPurpose": true,
        "termination": termination,
        "thirdPartyDisclosure": third_party.is_some(),
    });
    if let (Some(name), Some(o)) = (third_party, entry.as_object_mut()) {
        o.insert("thirdPartyName".into(), name.into());
    }
    entry
}

/// The parties: the controller, the subject and any recipient.
fn parties(f: &Facts<'_>) -> Value {
    let mut parties = vec![
        json!({ "partyId": controller_party_id(f.policy), "partyName": f.policy.controller.name, "partyRole": "dpv:DataController", "partyType": "dpv:LegalEntity" }),
        json!({ "partyId": f.pseudonym, "partyRole": "dpv:DataSubject", "partyType": "dpv:NaturalPerson" }),
    ];
    if let Some(r) = f.purpose.recipient.as_ref().and_then(|r| f.policy.recipients.get(r)) {
        parties.push(json!({ "partyId": r.id, "partyName": r.name, "partyRole": "dpv:ThirdParty", "partyType": "dpv:Recipient", "country": r.country }));
    }
    Value::Array(parties)
}

/// The event: what happened, when, and who did it (the customer, or the
/// controller's staff or system on their instruction).
fn event(f: &Facts<'_>) -> Value {
    let (kind, status) = match f.event.action {
        ConsentAction::Grant => ("given", "dpv:ConsentGiven"),
        ConsentAction::Withdraw => ("withdrawn", "dpv:ConsentWithdrawn"),
        // DPV has no consent status for an Art. 21 objection.
        ConsentAction::Object => ("objected", "objected"),
        _ => ("recorded", "recorded"),
    };
    let mut e = json!({ "type": kind, "status": status, "time": rfc3339(f.event.at) });
    let entity = match f.event.source {
        ConsentSource::PrivacyCenter | ConsentSource::Gpc | ConsentSource::RightsRequest => {
            json!({ "entityId": f.pseudonym, "entityRole": "dpv:DataSubject" })
        }
        ConsentSource::Api | ConsentSource::Cli | ConsentSource::Import => {
            json!({ "entityId": controller_party_id(f.policy), "entityRole": "dpv:DataController", "actor": f.actor })
        }
    };
    if let Some(o) = e.as_object_mut() {
        o.insert("entity".into(), entity);
    }
    e
}

fn withdrawal_method(policy: &Policy, action: ConsentAction) -> String {
    let c = &policy.controller;
    let write = c.receipt_email().map_or_else(|| format!(" or through {}", c.contact), |e| format!(" or by writing to {e}"));
    match action {
        ConsentAction::Grant => format!("withdraw at any time, as easily as you gave it, in the privacy center{write}; withdrawing stops the processing for this purpose from then on"),
        _ => format!("change this choice at any time in the privacy center{write}"),
    }
}

fn validity(f: &Facts<'_>) -> Value {
    let until = match f.event.action {
        ConsentAction::Grant => {
            "until withdrawn, or until a later policy version changes this purpose materially and asks for consent afresh"
        }
        ConsentAction::Withdraw => "until the customer grants consent again",
        _ => "until the customer changes the choice",
    };
    json!({ "start": rfc3339(f.event.at), "end": Value::Null, "endCondition": until })
}

/// Build the unsigned receipt for a grant, withdrawal or objection.
pub fn build(f: &Facts<'_>) -> Value {
    let c = &f.policy.controller;
    let taxonomy = Taxonomy::fideslang();
    let special: Vec<&str> = f.purpose.categories.iter().filter(|cat| taxonomy.covers_special(cat)).map(|cat| cat.as_str()).collect();
    json!({
        "version": "KI-CR-v1.1.0",
        "jurisdiction": c.jurisdiction.clone().unwrap_or_else(|| "EU".into()),
        "consentTimestamp": f.event.at.unix_timestamp(),
        "collectionMethod": collection_method(f.event.source),
        "consentReceiptID": f.receipt_id.to_string(),
        "publicKey": hex::encode(f.public_key.as_bytes()),
        "language": "en",
        "piiPrincipalId": f.pseudonym,
        "piiControllers": [controller(f.policy)],
        "policyUrl": c.policy_url.clone().unwrap_or_else(|| c.contact.clone()),
        "services": [{ "service": f.purpose.name, "purposes": [purpose_entry(f.policy, f.purpose)] }],
        "sensitive": !special.is_empty(),
        "spiCat": special,
        "policyVersion": f.policy_version,
        "legalBasis": f.purpose.legal_basis.as_str(),
        "purposeId": f.purpose.id.as_str(),
        "action": f.event.action.as_str(),
        "source": f.event.source.as_str(),
        "conformsTo": ["KI-CR-v1.1.0", "ISO/IEC TS 27560:2023"],
        "recordId": record_id(f.pseudonym, f.purpose.id.as_str()).to_string(),
        "storageLocations": c.storage_locations,
        "retentionPeriod": format!("P{}D", f.purpose.retention_days),
        "withdrawalMethod": withdrawal_method(f.policy, f.event.action),
        "validity": validity(f),
        "parties": parties(f),
        "event": event(f),
    })
}
