//! Requests the customer opens themself, signed in to the privacy center
//! (their sign-in with a one-time code verified them). A correction
//! (GDPR Art. 16) from the privacy center's form opens a rectification request that carries the
//! corrected values, sealed under the customer's own data key and bound to
//! the request's id. Staff carry it out as any rectification; when they
//! give no values of their own, the customer's are used. The values never
//! reach the audit log, and an erasure shreds them with the key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use candor_domain::{Identifier, RightKind, SubjectId};
use candor_store::{DataKey, RightsFilter, RightsRequestRecord, SubjectRecord};

use super::execute::RECTIFIABLE;
use super::RightsRequestView;
use crate::{Candor, Result, ServiceError};

/// The longest corrected value accepted (an e-mail address's limit).
const LONGEST: usize = 254;

/// How many of a customer's open requests are read to find one of a kind
/// (there are at most as many as there are kinds).
const OPEN_REQUESTS_READ: u32 = 100;

impl Candor {
    /// The signed-in customer `subject` opens a request of `kind` under
    /// the regime the right comes from.
    pub async fn open_own_request(&self, subject: SubjectId, kind: RightKind) -> Result<RightsRequestView> {
        self.refuse_a_second(subject, kind).await?;
        let opened = self.open_request("subject", kind, subject, None, &[]).await?;
        if kind.needs_verification() {
            return self.verify_rights_request_signed_in(&opened.id).await;
        }
        Ok(opened)
    }

    /// `subject` asks to correct `corrections` (`(field, value)` for the
    /// fields [`RECTIFIABLE`] names): a rectification request opened and
    /// verified by their privacy-center sign-in, carrying the values.
    pub async fn request_correction(&self, subject: SubjectId, corrections: &[(String, String)]) -> Result<RightsRequestView> {
        let cleaned = self.check_corrections(corrections)?;
        self.refuse_a_second(subject, RightKind::Rectification).await?;
        let opened = self.open_request("subject", RightKind::Rectification, subject, None, &cleaned).await?;
        self.verify_rights_request_signed_in(&opened.id).await
    }

    /// A customer has one request of each kind open at a time: asking
    /// again while it is handled (by a reload, a double press or a flood
    /// of posts) opens nothing more and queues no mail.
    async fn refuse_a_second(&self, subject: SubjectId, kind: RightKind) -> Result<()> {
        let s = self.subject_record(subject).await?;
        let filter = RightsFilter { open_only: true, overdue_at: None, subject_pseudonym: Some(s.pseudonym) };
        let open = self.store.rights_request_page(&filter, None, OPEN_REQUESTS_READ).await?;
        match open.iter().find(|r| r.request.kind == kind) {
            Some(r) => Err(ServiceError::AlreadyOpen(format!(
                "your {} request {} is still being handled (due {}); ask again once it is done",
                kind.as_str(),
                r.id,
                r.request.due_at.date()
            ))),
            None => Ok(()),
        }
    }

    /// The corrected values the customer gave with request `r`, if any.
    pub(super) fn asked_corrections(&self, r: &RightsRequestRecord, s: &SubjectRecord) -> Result<Vec<(String, String)>> {
        let Some(sealed) = &r.request.sealed_corrections else { return Ok(Vec::new()) };
        let unreadable =
            |why: &str| ServiceError::Unreadable { subject: s.id, reason: format!("the corrections of request {}: {why}", r.id) };
        let bytes = STANDARD.decode(sealed).map_err(|_| unreadable("not base64"))?;
        let plain = self.subject_key(s)?.open(&context(&r.id), &bytes).map_err(|e| unreadable(&e.to_string()))?;
        serde_json::from_slice(&plain).map_err(|_| unreadable("not a list of corrections"))
    }

    /// Each correction names a field that may be corrected, once, with a
    /// value of the right form: the form's mistakes are reported before a
    /// request exists, not when staff carry it out.
    fn check_corrections(&self, corrections: &[(String, String)]) -> Result<Vec<(String, String)>> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (field, value) in corrections {
            let (field, value) = (field.trim(), value.trim());
            if value.is_empty() {
                continue;
            }
            if !RECTIFIABLE.contains(&field) {
                return Err(ServiceError::InvalidInput(format!(
                    "`{}` cannot be corrected here: the fields are {}",
                    field.chars().take(40).collect::<String>(),
                    RECTIFIABLE.join(", ")
                )));
            }
            if out.iter().any(|(f, _)| f == field) {
                return Err(ServiceError::InvalidInput(format!("`{field}` is given twice")));
            }
            if value.chars().count() > LONGEST || value.chars().any(char::is_control) {
                return Err(ServiceError::InvalidInput(format!("`{field}`: give at most {LONGEST} characters on one line")));
            }
            let bad = |e| ServiceError::Identifier { field: field.to_owned(), error: e };
            match field {
                "email" => drop(Identifier::email(value).map_err(bad)?),
                "phone" => drop(self.phone_identifier(value).map_err(bad)?),
                "customer_number" => drop(Identifier::customer_number(value).map_err(bad)?),
                _ => {}
            }
            out.push((field.to_owned(), value.to_owned()));
        }
        if out.is_empty() {
            return Err(ServiceError::InvalidInput(format!("give the corrected value of at least one of: {}", RECTIFIABLE.join(", "))));
        }
        Ok(out)
    }
}

/// The sealed corrections, bound to the request's id.
pub(super) fn seal(key: &DataKey, request: &str, corrections: &[(String, String)]) -> Result<String> {
    let plain = serde_json::to_vec(corrections).map_err(|source| ServiceError::Encode { what: "the corrections", source })?;
    Ok(STANDARD.encode(key.seal(&context(request), &plain)))
}

fn context(request: &str) -> Vec<u8> {
    format!("rectification:{request}").into_bytes()
}
