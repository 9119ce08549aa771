//! The data-use policy as code: a TOML file naming the controller, the
//! categories collected, the purposes with their legal bases, retention and
//! defaults, the recipients with their sharing agreements and which staff
//! roles may use which purpose. [`check`] turns text into a [`Policy`] or into
//! every problem found at once, each with file, line and column.

pub mod check;
pub mod diff;
mod receipts;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::actor::Role;
use crate::category::CategoryId;
use crate::ids::PurposeId;

pub use check::{check, Diagnostic};

use crate::iso_date;

/// GDPR Art. 6(1) lawful bases.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Art. 6(1)(a)
    Consent,
    /// Art. 6(1)(b)
    Contract,
    /// Art. 6(1)(c)
    LegalObligation,
    /// Art. 6(1)(d)
    VitalInterests,
    /// Art. 6(1)(e)
    PublicTask,
    /// Art. 6(1)(f)
    LegitimateInterests,
}

impl LegalBasis {
    /// Every basis, in the order of Art. 6(1).
    pub const ALL: [LegalBasis; 6] =
        [Self::Consent, Self::Contract, Self::LegalObligation, Self::VitalInterests, Self::PublicTask, Self::LegitimateInterests];

    /// The name used in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Contract => "contract",
            Self::LegalObligation => "legal_obligation",
            Self::VitalInterests => "vital_interests",
            Self::PublicTask => "public_task",
            Self::LegitimateInterests => "legitimate_interests",
        }
    }

    /// Parse the name used in policy files.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Whether the data subject may object (Art. 21: public task and
    /// legitimate interests).
    pub fn objectable(self) -> bool {
        matches!(self, Self::PublicTask | Self::LegitimateInterests)
    }
}

impl fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What applies before the subject has said anything.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentDefault {
    /// Processing waits for a grant (always so for consent).
    OptIn,
    /// Processing runs until the subject objects or withdraws.
    OptOut,
    /// The subject's choice does not gate the purpose (contract, legal
    /// obligation, vital interests).
    NotApplicable,
}

/// How CCPA counts a purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ccpa {
    /// Neither a sale nor a share.
    None,
    /// A sale of personal information.
    Sale,
    /// Sharing for cross-context behavioural advertising.
    Share,
}

/// The controller: who answers for the processing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    /// Legal name.
    pub name: String,
    /// Privacy contact (mail address or URL).
    pub contact: String,
    /// Postal address, if given.
    pub address: Option<Address>,
    /// The privacy mail address, if given apart from `contact`.
    #[serde(default)]
    pub email: Option<String>,
    /// The privacy telephone number, if given.
    #[serde(default)]
    pub phone: Option<String>,
    /// Where personal data is stored (country codes or regions, e.g. `IE`,
    /// `EU`): ISO/IEC TS 27560 records name them.
    #[serde(default)]
    pub storage_locations: Vec<String>,
    /// Data protection officer contact, if any.
    pub dpo: Option<String>,
    /// Jurisdiction code, e.g. `EU`, `US-CA`.
    pub jurisdiction: Option<String>,
    /// Where the human-readable policy lives.
    pub policy_url: Option<String>,
}

/// A postal address: its parts (what consent receipts carry), or one line as
/// policies written before the parts existed give it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Address {
    /// One free-form line.
    Line(String),
    /// The parts, named after schema.org's `PostalAddress`.
    Parts(PostalAddress),
}

/// A postal address in parts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    /// Street and number (`streetAddress`).
    pub street_address: Option<String>,
    /// Town or city (`addressLocality`).
    pub locality: Option<String>,
    /// Region or state (`addressRegion`).
    pub region: Option<String>,
    /// Postal code (`postalCode`).
    pub postal_code: Option<String>,
    /// Country, ISO 3166-1 alpha-2 (`addressCountry`).
    pub country: Option<String>,
}

/// One purpose (data use).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    /// Identifier, e.g. `analytics`.
    pub id: PurposeId,
    /// Short human name.
    pub name: String,
    /// Plain-language description shown to customers, in English.
    pub description: String,
    /// The description in other languages, by language code (`es`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, String>,
    /// Art. 6 basis.
    pub legal_basis: LegalBasis,
    /// Categories the purpose may read (ancestors cover descendants).
    pub categories: Vec<CategoryId>,
    /// How long data kept for this purpose lives.
    pub retention_days: u32,
    /// Default before any choice.
    pub default: ConsentDefault,
    /// CCPA classification.
    pub ccpa: Ccpa,
    /// Recipient id for sharing purposes.
    pub recipient: Option<String>,
    /// A retention obligation (legal hold): data may not be erased while it
    /// applies, only restricted.
    pub legal_hold: bool,
    /// The GDPR Art. 9(2) condition relied on for special categories.
    pub special_condition: Option<String>,
}

/// The languages the privacy center is written in, English first: a
/// purpose's description should be in each (`policy check` warns).
pub const PAGE_LANGUAGES: [&str; 2] = ["en", "es"];

impl Purpose {
    /// The description in `lang`, else in English.
    pub fn description_in(&self, lang: &str) -> &str {
        self.translations.get(lang).map_or(self.description.as_str(), String::as_str)
    }

    /// Whether the purpose is marketing-like (special categories are never
    /// allowed there).
    pub fn is_marketing(&self) -> bool {
        let id = self.id.as_str();
        id == "marketing" || id.starts_with("marketing.") || id == "personalization" || id.starts_with("personalization.")
    }
}

/// A sharing agreement (DPA, joint-controller arrangement…) with a recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// Reference of the signed document.
    pub reference: String,
    /// First day it applies (`YYYY-MM-DD` in JSON).
    #[serde(with = "iso_date")]
    pub valid_from: Date,
    /// Last day it applies (`YYYY-MM-DD` in JSON).
    #[serde(with = "iso_date")]
    pub valid_until: Date,
    /// Categories it covers.
    pub categories: Vec<CategoryId>,
    /// Transfer mechanism for third countries (e.g. `SCC`), if any.
    pub transfer_mechanism: Option<String>,
}

/// A third party data may be shared with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// Identifier used by `sharing.<id>` purposes.
    pub id: String,
    /// Legal name.
    pub name: String,
    /// ISO country code.
    pub country: String,
    /// The agreement that allows sharing.
    pub agreement: Agreement,
}

/// A checked policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Who answers for the processing.
    pub controller: Controller,
    /// Categories collected at all.
    pub collected: Vec<CategoryId>,
    /// Purposes by id.
    pub purposes: BTreeMap<PurposeId, Purpose>,
    /// Recipients by id.
    pub recipients: BTreeMap<String, Recipient>,
    /// Which purposes each role may use.
    pub roles: BTreeMap<Role, Vec<PurposeId>>,
}

impl Policy {
    /// A purpose by id.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|(k, _)| k.as_str() == id).map(|(_, v)| v)
    }

    /// One warning per purpose and language of the privacy center its
    /// description is not written in.
    pub fn untranslated(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in self.purposes.values() {
            for lang in PAGE_LANGUAGES.iter().skip(1).filter(|l| !p.translations.contains_key(**l)) {
                out.push(format!(
                    "purpose `{}` has no description in `{lang}`: the privacy center shows it in English to customers who read it in `{lang}`; write `description = {{ en = \"…\", {lang} = \"…\" }}`",
                    p.id
                ));
            }
        }
        out
    }

    /// The recipients whose sharing agreement no longer applies on `today`
    /// (its `valid_until` is in the past): a policy that names them shares
    /// data under an agreement that has lapsed.
    pub fn lapsed_agreements(&self, today: Date) -> Vec<&Recipient> {
        self.recipients.values().filter(|r| r.agreement.valid_until < today).collect()
    }
}

impl Recipient {
    /// What to tell the author of a policy whose agreement with this
    /// recipient lapsed.
    pub fn lapsed_message(&self) -> String {
        format!(
            "the sharing agreement `{}` with recipient `{}` ended on {}: renew it (a new `valid_until`) or remove the recipient and the purposes that share with it",
            self.agreement.reference, self.id, self.agreement.valid_until
        )
    }
}

/// A published policy with what the gate needs from its history.
#[derive(Clone, Debug)]
pub struct PolicyContext {
    /// The version number of `policy`.
    pub version: u32,
    /// The policy in force.
    pub policy: Policy,
    /// For each purpose, the version that last changed it materially enough
    /// to need fresh consent; consent given under an older version no longer
    /// counts.
    pub fresh_consent_since: BTreeMap<PurposeId, u32>,
}

impl PolicyContext {
    /// The purposes of the policy in force that `consent` granted under a
    /// version older than the purpose's last material change, with the
    /// version each was granted under: consent the gate no longer counts
    /// until it is given again.
    pub fn outdated_consent(&self, consent: &crate::ConsentState) -> Vec<(&Purpose, u32)> {
        let mut out = Vec::new();
        for (id, since) in &self.fresh_consent_since {
            let Some(standing) = consent.purposes.get(id) else { continue };
            let Some(purpose) = self.policy.purposes.get(id) else { continue };
            if standing.status == crate::PurposeStatus::Granted && standing.policy_version < *since {
                out.push((purpose, standing.policy_version));
            }
        }
        out
    }
}

/// The example policy `candor init` writes: a starting point for a real brand.
pub const EXAMPLE_POLICY: &str = include_str!("../../data/example-policy.toml");
