//! Subjects (customers): creating one with its identifiers and profile,
//! finding one through the blind index, and reading one, either as
//! pseudonymous metadata or, through the access decision, decrypted.
//!
//! Every personal field is sealed with the subject's own data key, bound to
//! the subject and field it belongs to, so a ciphertext copied to another row
//! does not decrypt.

use candor_domain::{CategoryId, Decision, Identifier, IdentifierKind, Provenance, SubjectId};
use candor_store::{DataKey, NewSubject, Op, SealedAttribute, SealedIdentity, SubjectRecord, WriteBatch};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::{AuditAction, Candor, Result, ServiceError};

/// What to create a subject from. Fields hold raw input; they are parsed
/// and normalized here so that every front end gets the same rules.
#[derive(Clone, Debug, Default)]
pub struct NewSubjectInput {
    /// E-mail address.
    pub email: Option<String>,
    /// `PLATFORM:HANDLE` entries.
    pub handles: Vec<String>,
    /// `PLATFORM:ACCOUNT_ID` entries.
    pub accounts: Vec<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// CRM customer number.
    pub customer_number: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

/// The identifiers of `input`, parsed and normalized; a bad one is named by
/// its field.
fn parse_identifiers(input: &NewSubjectInput, region: Option<&candor_domain::PhoneRegion>) -> Result<Vec<Identifier>> {
    let ident = |field: &str, r: std::result::Result<Identifier, candor_domain::IdentifierError>| {
        r.map_err(|error| ServiceError::Identifier { field: field.to_owned(), error })
    };
    let mut identifiers = Vec::new();
    if let Some(e) = &input.email {
        identifiers.push(ident("--email", Identifier::email(e))?);
    }
    for h in &input.handles {
        identifiers.push(ident("--handle", Identifier::parse_handle(h))?);
    }
    for a in &input.accounts {
        let parsed = a.split_once(':').map_or(Err(candor_domain::IdentifierError::Platform), |(p, id)| Identifier::account(p, id));
        identifiers.push(ident("--account", parsed)?);
    }
    if let Some(p) = &input.phone {
        identifiers.push(ident("--phone", Identifier::phone_in(p, region))?);
    }
    if let Some(c) = &input.customer_number {
        identifiers.push(ident("--customer-number", Identifier::customer_number(c))?);
    }
    Ok(identifiers)
}

/// A profile attribute candor knows how to hold, with its data category.
pub const ATTRIBUTES: &[(&str, &str)] = &[("name", "user.name")];

pub(crate) fn attribute_category(name: &str) -> Option<CategoryId> {
    ATTRIBUTES.iter().find(|(n, _)| *n == name).map(|(_, c)| CategoryId::new(*c))
}

/// Pseudonymous facts about a subject: no personal data.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectSummary {
    /// The subject.
    pub id: SubjectId,
    /// What the audit log calls them.
    pub pseudonym: String,
    /// When the record was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Kinds of identifiers linked (`email`, `handle:x`, …).
    pub identifiers: Vec<String>,
    /// Names of profile attributes held.
    pub attributes: Vec<String>,
    /// The key-encryption key their data key is wrapped under.
    pub kek_id: String,
}

/// One personal field, decrypted when the gate allowed it.
#[derive(Clone, Debug, Serialize)]
pub struct FieldView {
    /// `email`, `handle:x`, `name`, …
    pub field: String,
    /// Its data category.
    pub category: CategoryId,
    /// The value, when permitted.
    pub value: Option<String>,
    /// Why it is withheld, when it is.
    pub withheld: Option<String>,
    /// Where it came from (serialized `platform:x`, `crm`, `staff`,
    /// `correction`, `unrecorded`).
    pub source: Provenance,
}

/// One interaction as an actor may see it.
#[derive(Clone, Debug, Serialize)]
pub struct InteractionView {
    /// `x`, …
    pub platform: String,
    /// The platform's id.
    pub external_id: String,
    /// mention, reply, direct_message, …
    pub kind: String,
    /// inbound or outbound.
    pub direction: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// Its data category (public post or private message).
    pub category: CategoryId,
    /// The text with personal data redacted.
    pub redacted_text: String,
    /// The original text, where the purpose permits it.
    pub text: Option<String>,
}

/// A subject's interactions as an actor may see them for a purpose.
#[derive(Clone, Debug, Serialize)]
pub struct InteractionsView {
    /// The gate's answer.
    pub decision: Decision,
    /// Newest first.
    pub items: Vec<InteractionView>,
    /// Where the next page starts, when there are more.
    #[serde(skip)]
    pub next: Option<String>,
}

/// A subject as an actor may see them for a purpose.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectView {
    /// The pseudonymous facts.
    pub summary: SubjectSummary,
    /// The gate's answer.
    pub decision: Decision,
    /// Each personal field, with its value only where permitted.
    pub fields: Vec<FieldView>,
}

impl Candor {
    /// Create a subject from identifiers and profile attributes; returns its
    /// id. Refuses an identifier that already belongs to someone.
    pub async fn add_subject(&self, actor: &str, input: &NewSubjectInput) -> Result<SubjectId> {
        let mut identifiers = parse_identifiers(input, self.phone_region())?;
        if identifiers.is_empty() {
            return Err(ServiceError::NoIdentifier);
        }
        let name = input.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if name.is_some_and(|n| n.chars().count() > 200) {
            return Err(ServiceError::InvalidInput("`--name` is longer than 200 characters".into()));
        }
        identifiers.dedup();

        let mut sealed_identities = Vec::with_capacity(identifiers.len());
        let id = SubjectId::new();
        let key = DataKey::generate();
        for i in &identifiers {
            let sealed = SealedIdentity::seal(&self.keys, &key, &id, i, Provenance::Staff);
            if let Some(existing) = self.store.find_subject(&sealed.blind_index).await? {
                return Err(ServiceError::IdentityTaken { kind: i.kind(), subject: existing });
            }
            sealed_identities.push(sealed);
        }
        let mut attributes = Vec::new();
        if let Some(n) = name {
            attributes.push(SealedAttribute::seal(&key, &id, "name", CategoryId::new("user.name"), n, Provenance::Staff));
        }
        let pseudonym = self.keys.pseudonym(id.as_uuid());
        let kinds: Vec<String> = identifiers.iter().map(Identifier::index_namespace).collect();
        let audit = self
            .audit(
                actor,
                AuditAction::SubjectCreate,
                json!({ "identifiers": kinds, "attributes": attributes.iter().map(|a| &a.name).collect::<Vec<_>>() }),
            )
            .subject(pseudonym.clone());
        let mut subject = NewSubject {
            id,
            pseudonym,
            key: self.keys.wrap(id.as_uuid().as_bytes(), &key)?,
            attributes,
            identities: sealed_identities,
            at: self.now(),
        };
        let mut result = self.store.apply(WriteBatch::one(Op::CreateSubject(Box::new(subject.clone())), audit.clone())).await;
        if let Err(candor_store::StoreError::RetiredKek(_)) = result {
            // A rotation in another process retired the KEK between our
            // wrap and the commit: wrap again under the one current now.
            self.keys.refresh()?;
            subject.key = self.keys.wrap(id.as_uuid().as_bytes(), &key)?;
            result = self.store.apply(WriteBatch::one(Op::CreateSubject(Box::new(subject)), audit)).await;
        }
        match result {
            Ok(_) => Ok(id),
            // Another writer linked the identifier between our check and the insert.
            Err(candor_store::StoreError::IdentityTaken { .. }) => {
                for i in &identifiers {
                    if let Some(existing) = self.store.find_subject(&self.keys.blind_index(&i.index_namespace(), i.value())).await? {
                        return Err(ServiceError::IdentityTaken { kind: i.kind(), subject: existing });
                    }
                }
                Err(ServiceError::InvalidInput("an identifier was linked to another subject meanwhile; try again".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Link more identifiers to a subject (the name in `input` is ignored).
    /// Refuses one that belongs to someone else or to an erased customer;
    /// one already theirs is skipped. Returns how many were linked.
    pub async fn link_identities(&self, actor: &str, id: SubjectId, input: &NewSubjectInput) -> Result<usize> {
        let mut identifiers = parse_identifiers(input, self.phone_region())?;
        if identifiers.is_empty() {
            return Err(ServiceError::NoIdentifier);
        }
        identifiers.dedup();
        let r = self.subject_record(id).await?;
        let key = self.subject_key(&r)?;
        let mut sealed = Vec::new();
        for i in &identifiers {
            let s = SealedIdentity::seal(&self.keys, &key, &id, i, Provenance::Staff);
            match self.store.find_subject(&s.blind_index).await? {
                Some(owner) if owner == id => continue,
                Some(owner) => return Err(ServiceError::IdentityTaken { kind: i.kind(), subject: owner }),
                None => {}
            }
            if !self.store.suppressed(std::slice::from_ref(&s.blind_index)).await?.is_empty() {
                return Err(ServiceError::InvalidInput(format!("this {} belongs to an erased customer and stays suppressed", i.kind())));
            }
            sealed.push(s);
        }
        if sealed.is_empty() {
            return Ok(0);
        }
        let n = sealed.len();
        let kinds: Vec<String> = identifiers.iter().map(Identifier::index_namespace).collect();
        let audit = self.audit(actor, AuditAction::SubjectLink, json!({ "identifiers": kinds })).subject(r.pseudonym);
        self.store.apply(WriteBatch::one(Op::AddIdentities { subject: id, identities: sealed }, audit)).await?;
        Ok(n)
    }

    /// Unlink identifiers from a subject, deliberately: a shared phone an
    /// import left with one member of a household, given to the other with
    /// [`Candor::link_identities`]. Refuses one that is not theirs, and
    /// leaving them none. Audited by kinds only. Returns how many went.
    pub async fn unlink_identities(&self, actor: &str, id: SubjectId, input: &NewSubjectInput) -> Result<usize> {
        let mut identifiers = parse_identifiers(input, self.phone_region())?;
        if identifiers.is_empty() {
            return Err(ServiceError::NoIdentifier);
        }
        identifiers.dedup();
        let r = self.subject_record(id).await?;
        let mut indexes = Vec::with_capacity(identifiers.len());
        for i in &identifiers {
            let b = self.keys.blind_index(&i.index_namespace(), i.value());
            if self.store.find_subject(&b).await? != Some(id) {
                return Err(ServiceError::InvalidInput(format!("this {} is not linked to subject {id}", i.kind())));
            }
            if !indexes.contains(&b) {
                indexes.push(b);
            }
        }
        if indexes.len() >= r.identities.len() {
            return Err(ServiceError::InvalidInput(
                "a customer keeps at least one identifier: link another before unlinking this one".into(),
            ));
        }
        let n = indexes.len();
        let kinds: Vec<String> = identifiers.iter().map(Identifier::index_namespace).collect();
        let audit = self.audit(actor, AuditAction::SubjectUnlink, json!({ "identifiers": kinds })).subject(r.pseudonym);
        self.store.apply(WriteBatch::one(Op::RemoveFields { subject: id, attributes: Vec::new(), identities: indexes }, audit)).await?;
        Ok(n)
    }

    /// The customers a subject was kept apart from although they share
    /// an identifier (a household's phone), as imports recorded them.
    pub async fn identity_conflicts(&self, id: SubjectId) -> Result<Vec<candor_store::IdentityConflict>> {
        self.subject_record(id).await?;
        Ok(self.store.identity_conflicts(&[id]).await?)
    }

    /// The subject an identifier belongs to, through the blind index.
    pub async fn find_subject(&self, identifier: &Identifier) -> Result<Option<SubjectId>> {
        Ok(self.store.find_subject(&self.keys.blind_index(&identifier.index_namespace(), identifier.value())).await?)
    }

    /// A stored subject; one that is not stored is either erased (410 over
    /// the API) or never known.
    pub(crate) async fn subject_record(&self, id: SubjectId) -> Result<SubjectRecord> {
        match self.store.subject(id).await? {
            Some(r) => Ok(r),
            None => Err(self.missing_subject(id).await),
        }
    }

    /// Pseudonymous facts about a subject; no personal data is decrypted.
    pub async fn subject_summary(&self, id: SubjectId) -> Result<SubjectSummary> {
        let r = self.subject_record(id).await?;
        Ok(summary(&r))
    }

    /// A subject as `actor` may see them for `purpose`: the gate decides
    /// which fields are decrypted, and the decision is audited.
    pub async fn view_subject(&self, actor: &str, id: SubjectId, purpose: &str) -> Result<SubjectView> {
        let r = self.subject_record(id).await?;
        let fields = sealed_fields(&r)?;
        let mut categories: Vec<CategoryId> = fields.iter().map(|f| f.category.clone()).collect();
        categories.sort();
        categories.dedup();
        let decision = self.decide_for_record(actor, &r, purpose, &categories).await?;
        let permitted: &[CategoryId] = match &decision {
            Decision::Allow { permitted, .. } => permitted,
            Decision::Deny(_) => &[],
        };
        let key = if permitted.is_empty() { None } else { Some(self.subject_key(&r)?) };
        let mut out = Vec::with_capacity(fields.len());
        for f in fields {
            let (value, withheld) = match (&key, permitted.contains(&f.category)) {
                (Some(k), true) => (Some(f.open(id, k)?), None),
                _ => (None, Some(withheld_reason(&decision, &f.category))),
            };
            out.push(FieldView { field: f.field, category: f.category, value, withheld, source: f.source });
        }
        Ok(SubjectView { summary: summary(&r), decision, fields: out })
    }

    /// A customer's own fields, all decrypted: what the privacy center
    /// shows them (audited as read by the subject themself).
    pub async fn own_fields(&self, id: SubjectId) -> Result<Vec<FieldView>> {
        let r = self.subject_record(id).await?;
        self.open_own_fields(&r).await
    }

    /// Every field of `r` decrypted for the subject themself, audited so.
    pub(crate) async fn open_own_fields(&self, r: &SubjectRecord) -> Result<Vec<FieldView>> {
        let key = self.subject_key(r)?;
        let mut out = Vec::new();
        for f in sealed_fields(r)? {
            let value = Some(f.open(r.id, &key)?);
            out.push(FieldView { value, source: f.source, field: f.field, category: f.category, withheld: None });
        }
        let audit = self.audit("subject", AuditAction::SubjectSelfView, json!({ "fields": out.len() })).subject(r.pseudonym.clone());
        self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![audit] }).await?;
        Ok(out)
    }

    /// A page of a subject's interactions, newest first, as `actor` may
    /// see them for `purpose`: the redacted text always, the original only
    /// when `originals` is asked and the gate permits the content's
    /// category (public posts, private messages); without it the
    /// customer's key is not unwrapped at all. `after` is the cursor a
    /// previous page gave.
    pub async fn view_interactions(
        &self,
        actor: &str,
        id: SubjectId,
        purpose: &str,
        originals: bool,
        after: Option<&str>,
        limit: u32,
    ) -> Result<InteractionsView> {
        let before = Self::interaction_cursor(after)?;
        let r = self.subject_record(id).await?;
        let public = CategoryId::new("user.content.public");
        let private = CategoryId::new("user.content.private");
        let decision = self.decide_for_record(actor, &r, purpose, &[public.clone(), private.clone()]).await?;
        let permitted: Vec<CategoryId> = match &decision {
            Decision::Allow { permitted, .. } => permitted.clone(),
            Decision::Deny(_) => return Ok(InteractionsView { decision, items: Vec::new(), next: None }),
        };
        let key = if permitted.is_empty() || !originals { None } else { Some(self.subject_key(&r)?) };
        let mut items = Vec::new();
        let rows = self.store.subject_interaction_page(id, before.as_ref(), Self::page_probe(limit)).await?;
        let page = Self::interaction_page(rows, limit);
        for i in page.items {
            let category = if i.kind == "direct_message" { &private } else { &public };
            let text = match (&key, permitted.contains(category)) {
                (Some(k), true) => Some(
                    k.open(&candor_store::interaction_context(&i.platform, &i.external_id), &i.sealed_text)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .ok_or_else(|| ServiceError::Unreadable { subject: id, reason: format!("interaction {}", i.external_id) })?,
                ),
                _ => None,
            };
            items.push(InteractionView {
                platform: i.platform,
                external_id: i.external_id,
                kind: i.kind,
                direction: i.direction,
                occurred_at: i.occurred_at,
                category: category.clone(),
                redacted_text: i.redacted_text.into_string(),
                text,
            });
        }
        Ok(InteractionsView { decision, items, next: page.next })
    }

    /// A subject's data key, unwrapped.
    pub(crate) fn subject_key(&self, r: &SubjectRecord) -> Result<DataKey> {
        self.keys.unwrap(r.id.as_uuid().as_bytes(), &r.key).map_err(|e| ServiceError::Unreadable { subject: r.id, reason: e.to_string() })
    }
}

/// One sealed personal field of a subject: an identity or an attribute.
pub(crate) struct SealedField {
    /// `email`, `handle:x`, `name`, …
    pub field: String,
    /// Its data category.
    pub category: CategoryId,
    /// The associated data it is sealed with.
    context: Vec<u8>,
    /// The ciphertext.
    sealed: Vec<u8>,
    /// The blind index, for identities.
    pub blind_index: Option<Vec<u8>>,
    /// Where it came from.
    pub source: Provenance,
}

impl SealedField {
    /// The value as people read it (`x:@alice` for a handle).
    pub fn open(&self, subject: SubjectId, key: &DataKey) -> Result<String> {
        let bytes = key
            .open(&self.context, &self.sealed)
            .map_err(|e| ServiceError::Unreadable { subject, reason: format!("field `{}`: {e}", self.field) })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| ServiceError::Unreadable { subject, reason: format!("field `{}` is not text", self.field) })?;
        Ok(shown(&self.field, text))
    }
}

/// Every personal field of a subject, identities first.
pub(crate) fn sealed_fields(r: &SubjectRecord) -> Result<Vec<SealedField>> {
    let id = r.id;
    let mut fields = Vec::with_capacity(r.identities.len() + r.attributes.len());
    for i in &r.identities {
        let kind = IdentifierKind::parse(&i.kind)
            .ok_or_else(|| ServiceError::Unreadable { subject: id, reason: format!("unknown identifier kind `{}`", i.kind) })?;
        let ns = match &i.platform {
            Some(p) => format!("{kind}:{p}"),
            None => kind.to_string(),
        };
        fields.push(SealedField {
            context: candor_store::identity_context(&id, &ns),
            field: ns,
            category: kind.category(),
            sealed: i.sealed.clone(),
            blind_index: Some(i.blind_index.clone()),
            source: i.source.clone(),
        });
    }
    for a in &r.attributes {
        // Fail closed: a stored attribute whose category we do not know
        // is requested under its stored category, which the gate checks.
        let category = attribute_category(&a.name).unwrap_or_else(|| a.category.clone());
        fields.push(SealedField {
            field: a.name.clone(),
            category,
            context: candor_store::attribute_context(&id, &a.name),
            sealed: a.sealed.clone(),
            blind_index: None,
            source: a.source.clone(),
        });
    }
    Ok(fields)
}

fn withheld_reason(decision: &Decision, category: &CategoryId) -> String {
    match decision {
        Decision::Deny(_) => "access denied".into(),
        Decision::Allow { withheld, .. } => match withheld.iter().find(|(c, _)| c == category) {
            Some((_, candor_domain::Withheld::NotInPurpose)) => "the purpose does not cover this data category".into(),
            Some((_, candor_domain::Withheld::SpecialCategory)) => "a special category this purpose may not use".into(),
            Some((_, candor_domain::Withheld::LimitedSensitiveUse)) => "the customer limited the use of sensitive data".into(),
            None => "withheld".into(),
        },
    }
}

/// Handles read `x:@alice`, accounts `x:12345`; other fields as stored.
fn shown(field: &str, value: String) -> String {
    match field.split_once(':') {
        Some(("handle", platform)) => format!("{platform}:@{value}"),
        Some(("account", platform)) => format!("{platform}:{value}"),
        _ => value,
    }
}

fn summary(r: &SubjectRecord) -> SubjectSummary {
    SubjectSummary {
        id: r.id,
        pseudonym: r.pseudonym.clone(),
        created_at: r.created_at,
        identifiers: r
            .identities
            .iter()
            .map(|i| match &i.platform {
                Some(p) => format!("{}:{p}", i.kind),
                None => i.kind.clone(),
            })
            .collect(),
        attributes: r.attributes.iter().map(|a| a.name.clone()).collect(),
        kek_id: r.key.kek_id.clone(),
    }
}
