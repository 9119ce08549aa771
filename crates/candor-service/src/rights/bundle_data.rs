//! `data.json` of an access or portability bundle: each record as JSON
//! says it, lists as arrays, absent values as `null`, the consent
//! receipts as the JSON objects they are, times RFC 3339 and days ISO
//! dates (`candor-export-1.schema.json` describes it). The CSV tables are
//! made from the same records, flattened the way a spreadsheet reads them:
//! lists joined by spaces, absent values empty, receipts as their JSON
//! text.

use serde::Serialize;

/// The JSON Schema of the bundle format, shipped in every bundle.
pub const SCHEMA: &str = include_str!("../../data/candor-export-1.schema.json");

/// The schema's file name in a bundle.
pub const SCHEMA_FILE: &str = "candor-export-1.schema.json";

#[derive(Serialize)]
pub(super) struct ProfileRow {
    pub field: String,
    pub category: String,
    pub value: String,
}

#[derive(Serialize)]
pub(super) struct Interaction {
    pub platform: String,
    pub external_id: String,
    pub kind: String,
    pub direction: String,
    pub occurred_at: String,
    pub conversation_id: Option<String>,
    pub reply_to: Option<String>,
    pub brand_account: Option<String>,
    pub language: Option<String>,
    pub sentiment: Option<&'static str>,
    pub text: String,
}

#[derive(Serialize)]
pub(super) struct Consent {
    pub ledger_id: i64,
    pub at: String,
    pub action: String,
    pub purpose: Option<String>,
    pub policy_version: u32,
    pub source: String,
    /// The receipt as stored, parsed: embedded whole, whatever its fields.
    pub receipt: Option<serde_json::Value>,
}

#[derive(Serialize)]
pub(super) struct Purpose {
    pub purpose: String,
    pub name: String,
    pub description: String,
    pub legal_basis: String,
    pub categories: Vec<String>,
    pub in_effect: bool,
    pub why_not: Option<String>,
    pub retention_days: u32,
    pub kept_until: String,
}

#[derive(Serialize)]
pub(super) struct Agreement {
    pub reference: String,
    pub valid_from: String,
    pub valid_until: String,
}

#[derive(Serialize)]
pub(super) struct Recipient {
    pub recipient: String,
    pub name: String,
    pub country: String,
    pub agreement: Agreement,
    pub purposes: Vec<String>,
    pub categories: Vec<String>,
    pub receives_your_data: bool,
    pub disclosures: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct Access {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub purpose: Option<String>,
    pub decision: Option<String>,
}

/// The CSV rows: the same records, flat.
pub(super) mod csv_rows {
    use serde::Serialize;

    #[derive(Serialize)]
    pub(crate) struct InteractionRow {
        pub platform: String,
        pub external_id: String,
        pub kind: String,
        pub direction: String,
        pub occurred_at: String,
        pub conversation_id: String,
        pub reply_to: String,
        pub brand_account: String,
        pub language: String,
        pub sentiment: String,
        pub text: String,
    }

    #[derive(Serialize)]
    pub(crate) struct ConsentRow {
        pub ledger_id: i64,
        pub at: String,
        pub action: String,
        pub purpose: String,
        pub policy_version: u32,
        pub source: String,
        pub receipt: String,
    }

    #[derive(Serialize)]
    pub(crate) struct PurposeRow {
        pub purpose: String,
        pub name: String,
        pub description: String,
        pub legal_basis: String,
        pub categories: String,
        pub in_effect: bool,
        pub why_not: String,
        pub retention_days: u32,
        pub kept_until: String,
    }

    #[derive(Serialize)]
    pub(crate) struct RecipientRow {
        pub recipient: String,
        pub name: String,
        pub country: String,
        pub agreement: String,
        pub purposes: String,
        pub categories: String,
        pub receives_your_data: bool,
        pub disclosures: String,
    }

    #[derive(Serialize)]
    pub(crate) struct AccessRow {
        pub seq: i64,
        pub at: String,
        pub actor: String,
        pub action: String,
        pub purpose: String,
        pub decision: String,
    }
}

use csv_rows::{AccessRow, ConsentRow, InteractionRow, PurposeRow, RecipientRow};

impl Interaction {
    pub(super) fn row(&self) -> InteractionRow {
        InteractionRow {
            platform: self.platform.clone(),
            external_id: self.external_id.clone(),
            kind: self.kind.clone(),
            direction: self.direction.clone(),
            occurred_at: self.occurred_at.clone(),
            conversation_id: self.conversation_id.clone().unwrap_or_default(),
            reply_to: self.reply_to.clone().unwrap_or_default(),
            brand_account: self.brand_account.clone().unwrap_or_default(),
            language: self.language.clone().unwrap_or_default(),
            sentiment: self.sentiment.unwrap_or_default().to_owned(),
            text: self.text.clone(),
        }
    }
}

impl Consent {
    /// Its row, with the receipt as the text it is stored as.
    pub(super) fn row(&self, stored_receipt: Option<&str>) -> ConsentRow {
        ConsentRow {
            ledger_id: self.ledger_id,
            at: self.at.clone(),
            action: self.action.clone(),
            purpose: self.purpose.clone().unwrap_or_default(),
            policy_version: self.policy_version,
            source: self.source.clone(),
            receipt: stored_receipt.unwrap_or_default().to_owned(),
        }
    }
}

impl Purpose {
    pub(super) fn row(&self) -> PurposeRow {
        PurposeRow {
            purpose: self.purpose.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            legal_basis: self.legal_basis.clone(),
            categories: self.categories.join(" "),
            in_effect: self.in_effect,
            why_not: self.why_not.clone().unwrap_or_default(),
            retention_days: self.retention_days,
            kept_until: self.kept_until.clone(),
        }
    }
}

impl Recipient {
    pub(super) fn row(&self) -> RecipientRow {
        let a = &self.agreement;
        RecipientRow {
            recipient: self.recipient.clone(),
            name: self.name.clone(),
            country: self.country.clone(),
            agreement: format!("{} ({} to {})", a.reference, a.valid_from, a.valid_until),
            purposes: self.purposes.join(" "),
            categories: self.categories.join(" "),
            receives_your_data: self.receives_your_data,
            disclosures: self.disclosures.join(" "),
        }
    }
}

impl Access {
    pub(super) fn row(&self) -> AccessRow {
        AccessRow {
            seq: self.seq,
            at: self.at.clone(),
            actor: self.actor.clone(),
            action: self.action.clone(),
            purpose: self.purpose.clone().unwrap_or_default(),
            decision: self.decision.clone().unwrap_or_default(),
        }
    }
}
