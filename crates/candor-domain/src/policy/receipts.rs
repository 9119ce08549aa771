//! What consent receipts need from the controller: the Kantara Consent
//! Receipt v1.1 schema requires `piiControllers[].address` (an object),
//! `email` and `phone`, and ISO/IEC TS 27560 records name where data is
//! stored. A policy without them still works; `policy check` warns, naming
//! each missing field, because the receipts it yields do not conform.

use super::{Address, Controller};

impl Controller {
    /// The privacy mail address receipts carry: `email`, else `contact`
    /// when it is one.
    pub fn receipt_email(&self) -> Option<&str> {
        self.email.as_deref().or_else(|| Some(self.contact.as_str()).filter(|c| c.contains('@')))
    }

    /// One message per field receipts need that the controller lacks.
    pub fn receipt_gaps(&self) -> Vec<String> {
        let why = "consent receipts (Kantara CR v1.1) require it";
        let mut gaps = Vec::new();
        match &self.address {
            None => gaps.push(format!(
                "the controller has no `address`: {why}; add `[controller.address]` with `street_address`, `locality`, `postal_code` and `country`"
            )),
            Some(Address::Line(_)) => gaps.push(format!(
                "the controller's `address` is one line: {why} in parts; write it as `[controller.address]` with `street_address`, `locality`, `postal_code` and `country`"
            )),
            Some(Address::Parts(a)) => {
                for (field, value) in [("street_address", &a.street_address), ("country", &a.country)] {
                    if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                        gaps.push(format!("the controller's address has no `{field}`: {why}; add it under `[controller.address]`"));
                    }
                }
            }
        }
        if self.receipt_email().is_none() {
            gaps.push(format!("the controller has no `email`: {why}; add `email = \"privacy@example.com\"` under `[controller]`"));
        }
        if self.phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
            gaps.push(format!("the controller has no `phone`: {why}; add `phone = \"+353 1 555 0100\"` under `[controller]`"));
        }
        if self.storage_locations.is_empty() {
            gaps.push(
                "the controller has no `storage_locations`: consent records (ISO/IEC TS 27560) name where data is stored; add `storage_locations = [\"IE\"]` under `[controller]`"
                    .to_owned(),
            );
        }
        gaps
    }
}
