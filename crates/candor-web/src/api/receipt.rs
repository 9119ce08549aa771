//! A signed consent receipt as the API shows it: the receipt as a JSON
//! object (the Kantara Consent Receipt v1.1 fields, candor's own and the
//! ISO/IEC TS 27560 ones) and its detached JWS. The object is the signed
//! receipt field for field, so its canonical text (keys sorted, pretty, a
//! final newline) is the exact payload the JWS covers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A receipt and its signature.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedReceiptBody {
    /// The receipt.
    pub receipt: ReceiptBody,
    /// The detached JWS (RFC 7515 Appendix F, `EdDSA`) over the receipt's
    /// canonical text; for a receipt made before those, the old signature
    /// object.
    pub signature: ReceiptSignatureBody,
}

/// A detached JWS, or the signature object of a receipt made before.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ReceiptSignatureBody {
    /// `header..signature`.
    Jws(String),
    /// The former signature object.
    Legacy(LegacySignatureBody),
}

/// An Ed25519 signature over a receipt made before detached signatures.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacySignatureBody {
    /// `Ed25519`.
    pub alg: String,
    /// Which key signed it.
    #[serde(rename = "keyId")]
    pub key_id: String,
    /// The signature, base64.
    pub value: String,
}

/// A consent receipt (Kantara CR v1.1; fields after `source` are ISO/IEC
/// TS 27560's, absent from receipts made before they were added).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReceiptBody {
    /// `KI-CR-v1.1.0`.
    pub version: String,
    /// The controller's jurisdiction.
    pub jurisdiction: String,
    /// When the event happened, seconds since the epoch.
    pub consent_timestamp: i64,
    /// How the choice was collected.
    pub collection_method: String,
    /// The receipt's id.
    #[serde(rename = "consentReceiptID")]
    #[schema(format = "uuid")]
    pub consent_receipt_id: String,
    /// The Ed25519 public key that signs it, hex.
    pub public_key: String,
    /// The receipt's language.
    pub language: String,
    /// The subject's pseudonym.
    pub pii_principal_id: String,
    /// The controller.
    pub pii_controllers: Vec<PiiControllerBody>,
    /// The privacy policy.
    pub policy_url: String,
    /// The service and purpose.
    pub services: Vec<ReceiptServiceBody>,
    /// Whether special categories are involved.
    pub sensitive: bool,
    /// Those special categories.
    pub spi_cat: Vec<String>,
    /// The policy version in force.
    pub policy_version: u32,
    /// The purpose's legal basis.
    pub legal_basis: String,
    /// The purpose's id.
    pub purpose_id: String,
    /// grant, withdraw or object.
    pub action: String,
    /// Where the choice came from.
    pub source: String,
    /// The specifications it follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conforms_to: Option<Vec<String>>,
    /// The consent record (the subject's ledger for this purpose).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = "uuid")]
    pub record_id: Option<String>,
    /// Where the data is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_locations: Option<Vec<String>>,
    /// How long data kept for the purpose lives, an ISO 8601 duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = "duration")]
    pub retention_period: Option<String>,
    /// How to withdraw or change the choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal_method: Option<String>,
    /// How long the recorded choice holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<ValidityBody>,
    /// Who is involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parties: Option<Vec<PartyBody>>,
    /// What happened, when, by whom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<ReceiptEventBody>,
}

/// The controller on a receipt.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PiiControllerBody {
    /// Legal name.
    pub pii_controller: String,
    /// Privacy contact.
    pub contact: String,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressBody>,
    /// Privacy mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Privacy telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The controller's privacy page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii_controller_url: Option<String>,
}

/// A postal address: its parts, or one line in receipts made before.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AddressBody {
    /// The parts (schema.org `PostalAddress` names).
    Parts(PostalAddressBody),
    /// One line.
    Line(String),
}

/// A postal address in parts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PostalAddressBody {
    /// Street and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// Town or city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_locality: Option<String>,
    /// Region or state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Country, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_country: Option<String>,
}

/// A service and its purposes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptServiceBody {
    /// The purpose's name.
    pub service: String,
    /// The purpose.
    pub purposes: Vec<ReceiptPurposeBody>,
}

/// A purpose on a receipt.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReceiptPurposeBody {
    /// Plain-language description.
    pub purpose: String,
    /// The purpose's id.
    pub purpose_category: Vec<String>,
    /// `EXPLICIT` for consent, `N/A` for another legal basis.
    #[schema(example = "EXPLICIT")]
    pub consent_type: String,
    /// The data categories (fideslang).
    pub pii_category: Vec<String>,
    /// Always true: a receipt describes one purpose.
    pub primary_purpose: bool,
    /// When it ends.
    pub termination: String,
    /// Whether the purpose discloses data to a third party (a recipient,
    /// or a CCPA sale or share).
    pub third_party_disclosure: bool,
    /// Who, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party_name: Option<String>,
}

/// How long a recorded choice holds.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ValidityBody {
    /// From (RFC 3339).
    #[schema(format = DateTime)]
    pub start: String,
    /// Until (RFC 3339); null while open-ended.
    #[schema(format = DateTime)]
    pub end: Option<String>,
    /// What ends it.
    pub end_condition: String,
}

/// A party involved.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PartyBody {
    /// Its id (the controller's privacy page, the subject's pseudonym, a
    /// recipient's id).
    pub party_id: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
    /// `dpv:DataController`, `dpv:DataSubject` or `dpv:ThirdParty`.
    pub party_role: String,
    /// `dpv:LegalEntity`, `dpv:NaturalPerson` or `dpv:Recipient`.
    pub party_type: String,
    /// A recipient's country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The event a receipt records.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptEventBody {
    /// given, withdrawn or objected.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its DPV consent status.
    pub status: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub time: String,
    /// Who acted.
    pub entity: EventEntityBody,
}

/// Who acted.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventEntityBody {
    /// The subject's pseudonym or the controller's id.
    pub entity_id: String,
    /// `dpv:DataSubject` or `dpv:DataController`.
    pub entity_role: String,
    /// The staff actor or API client that recorded it for the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}
