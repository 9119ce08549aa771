//! Row models: what goes into and comes out of a store. Personal fields are
//! already sealed (`Vec<u8>` ciphertext) by the time they reach this layer.

use candor_domain::{CategoryId, Concern, ConsentEvent, Identifier, Provenance, Recipient, RightsRequest, Role, SubjectId};
use candor_privacy::RedactedText;
use time::{Date, OffsetDateTime};

use crate::audit::AuditRecord;
use crate::keys::{DataKey, KeyRing, WrappedKey};

/// The associated data a subject's attribute is sealed with: bound to the
/// subject and the attribute's name.
pub fn attribute_context(subject: &SubjectId, name: &str) -> Vec<u8> {
    format!("candor-attr-v1:{subject}:{name}").into_bytes()
}

/// The associated data a subject's identifier is sealed with: bound to the
/// subject and the identifier's namespace (`email`, `handle:x`, …).
pub fn identity_context(subject: &SubjectId, namespace: &str) -> Vec<u8> {
    format!("candor-ident-v1:{subject}:{namespace}").into_bytes()
}

/// A subject's encrypted profile attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedAttribute {
    /// Attribute name (`name`, `email`, …).
    pub name: String,
    /// Its data category.
    pub category: CategoryId,
    /// Ciphertext under the subject's data key.
    pub sealed: Vec<u8>,
    /// Where the value came from.
    pub source: Provenance,
}

impl SealedAttribute {
    /// Seal `value`, which came from `source`, as the attribute `name` of
    /// `subject`.
    pub fn seal(key: &DataKey, subject: &SubjectId, name: &str, category: CategoryId, value: &str, source: Provenance) -> Self {
        Self { name: name.to_owned(), category, sealed: key.seal(&attribute_context(subject, name), value.as_bytes()), source }
    }
}

/// A linked identity: an identifier that resolves to the subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedIdentity {
    /// `email`, `handle`, `account`, `customer_number`, `phone`.
    pub kind: String,
    /// Platform for handles and accounts.
    pub platform: Option<String>,
    /// Keyed hash of the normalized identifier.
    pub blind_index: Vec<u8>,
    /// The identifier, sealed under the subject's data key.
    pub sealed: Vec<u8>,
    /// Where the identifier came from.
    pub source: Provenance,
}

impl SealedIdentity {
    /// Link `identifier`, which came from `source`, to `subject`: its
    /// blind index under `keys`, its value sealed under the subject's data
    /// key.
    pub fn seal(keys: &KeyRing, key: &DataKey, subject: &SubjectId, identifier: &Identifier, source: Provenance) -> Self {
        let ns = identifier.index_namespace();
        Self {
            kind: identifier.kind().as_str().to_owned(),
            platform: identifier.platform().map(str::to_owned),
            blind_index: keys.blind_index(&ns, identifier.value()),
            sealed: key.seal(&identity_context(subject, &ns), identifier.value().as_bytes()),
            source,
        }
    }
}

/// A subject to create.
#[derive(Clone, Debug)]
pub struct NewSubject {
    /// Its id.
    pub id: SubjectId,
    /// Its pseudonymous id.
    pub pseudonym: String,
    /// Its wrapped data key.
    pub key: WrappedKey,
    /// Profile attributes.
    pub attributes: Vec<SealedAttribute>,
    /// Identities.
    pub identities: Vec<SealedIdentity>,
    /// Creation time.
    pub at: OffsetDateTime,
}

/// A stored subject.
#[derive(Clone, Debug)]
pub struct SubjectRecord {
    /// Its id.
    pub id: SubjectId,
    /// Its pseudonymous id.
    pub pseudonym: String,
    /// Its wrapped data key.
    pub key: WrappedKey,
    /// Profile attributes.
    pub attributes: Vec<SealedAttribute>,
    /// Identities.
    pub identities: Vec<SealedIdentity>,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// How many of a subject's interactions one platform holds of one kind,
/// and over which period: what the privacy center says about messages
/// without reading them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InteractionTally {
    /// `x`, `facebook`, …
    pub platform: String,
    /// mention, reply, direct_message, comment, review.
    pub kind: String,
    /// How many.
    pub count: u64,
    /// The earliest.
    pub first: OffsetDateTime,
    /// The latest.
    pub last: OffsetDateTime,
}

/// One social-media interaction. Its natural key is (platform,
/// external id); its text is sealed against that key
/// ([`interaction_context`]).
#[derive(Clone, Debug, PartialEq)]
pub struct InteractionRecord {
    /// The customer it is about: the author of an inbound item, the
    /// addressee of a brand's reply; `None` when no customer can be named
    /// (the text is then sealed under the brand account's key).
    pub subject: Option<SubjectId>,
    /// `x`, `facebook`, …
    pub platform: String,
    /// The platform's id for the item.
    pub external_id: String,
    /// The brand account on the other side of the conversation.
    pub account: Option<String>,
    /// mention, reply, direct_message, comment, review.
    pub kind: String,
    /// inbound or outbound.
    pub direction: String,
    /// External id of the first item of its conversation; `None` while a
    /// reply's parent is not stored (linking fills it in later).
    pub conversation_id: Option<String>,
    /// External id it replies to.
    pub reply_to: Option<String>,
    /// When it was posted.
    pub occurred_at: OffsetDateTime,
    /// Original text, sealed under the subject's (or account's) data key.
    pub sealed_text: Vec<u8>,
    /// Text with personal data redacted: only the redactor makes one, and
    /// a back end reads it back as one, so analytics never sees raw text.
    pub redacted_text: RedactedText,
    /// Detected language.
    pub language: Option<String>,
    /// Compound sentiment of the redacted text in [-1, 1], and its label
    /// (-1 negative, 0 neutral, 1 positive); `None` for a language the
    /// sentiment model lacks.
    pub sentiment: Option<(f32, i8)>,
    /// Themes of the redacted text, a bit per theme of the taxonomy.
    pub themes: u64,
    /// The agent who signed a brand reply (`^AB` gives `AB`).
    pub agent: Option<String>,
}

/// Where a stored interaction sits: what imports need to attribute the
/// items that answer it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InteractionLink {
    /// The platform's id for the item.
    pub external_id: String,
    /// The customer it is about.
    pub subject: Option<SubjectId>,
    /// Its conversation.
    pub conversation_id: Option<String>,
}

/// Two customers kept apart although they share an identifier (a
/// household's phone): what the import found, by kinds only. The pair is
/// unordered; the store keeps it once per shared kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityConflict {
    /// One customer.
    pub subject: SubjectId,
    /// The other.
    pub other: SubjectId,
    /// The kind of identifier they share (`phone`, `email`), never its value.
    pub shared: String,
    /// The kinds in which they differ (`customer_number`, `email`, `name`).
    pub differing: Vec<String>,
    /// What found it: an import's file name.
    pub source: String,
    /// When.
    pub at: OffsetDateTime,
}

impl IdentityConflict {
    /// The pair in a fixed order, so that either way round is one pair.
    pub fn pair(&self) -> (SubjectId, SubjectId) {
        ordered(self.subject, self.other)
    }
}

/// `a` and `b`, the smaller first.
pub fn ordered(a: SubjectId, b: SubjectId) -> (SubjectId, SubjectId) {
    if a.as_uuid() <= b.as_uuid() {
        (a, b)
    } else {
        (b, a)
    }
}

/// The associated data an interaction's text is sealed with: a ciphertext
/// moved to another row does not decrypt.
pub fn interaction_context(platform: &str, external_id: &str) -> Vec<u8> {
    format!("candor-text-v1:{platform}:{external_id}").into_bytes()
}

/// Whose data key a wrapped key is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyOwner {
    /// A customer's.
    Subject(SubjectId),
    /// A brand account's (`platform`, lower-case handle).
    Account(String, String),
}

impl KeyOwner {
    /// The associated data the key is wrapped with, so a wrapped key moved
    /// to another owner does not unwrap.
    pub fn wrap_context(&self) -> Vec<u8> {
        match self {
            Self::Subject(id) => id.as_uuid().as_bytes().to_vec(),
            Self::Account(platform, handle) => format!("account:{platform}:{handle}").into_bytes(),
        }
    }
}

/// A published policy version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersionRecord {
    /// 1, 2, 3…
    pub version: u32,
    /// SHA-256 of the content, hex.
    pub content_hash: String,
    /// The TOML text as published.
    pub content: String,
    /// When.
    pub published_at: OffsetDateTime,
}

/// How far the notices of a policy version's material change have been
/// queued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeProgress {
    /// The policy version.
    pub version: u32,
    /// The last customer considered, in id order.
    pub through: Option<SubjectId>,
    /// Notices queued so far.
    pub queued: u64,
    /// When every customer had been considered, once they have.
    pub done_at: Option<OffsetDateTime>,
}

/// A recipient and its agreement as stored from the latest published policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientRecord {
    /// Recipient id (`sharing.<id>` purposes name it).
    pub id: String,
    /// Legal name.
    pub name: String,
    /// ISO 3166 country code.
    pub country: String,
    /// The policy version the agreement was published with.
    pub policy_version: u32,
    /// The agreement's reference.
    pub reference: String,
    /// First day the agreement applies.
    pub valid_from: Date,
    /// Last day the agreement applies.
    pub valid_until: Date,
    /// Categories the agreement covers.
    pub categories: Vec<CategoryId>,
}

/// A ledger entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRecord {
    /// Ledger position.
    pub id: i64,
    /// The event.
    pub event: ConsentEvent,
    /// The signed receipt, for grants.
    pub receipt: Option<String>,
}

/// A staff actor as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorRecord {
    /// Actor id.
    pub id: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// Latest training attestation expiry.
    pub training_expires_at: Option<OffsetDateTime>,
}

/// A data-subject rights request as stored. Requests outlive their
/// subject (they prove what was done), so the row names the subject's
/// pseudonym and keeps the id only as a value, never as a foreign key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RightsRequestRecord {
    /// Its id (a UUID).
    pub id: String,
    /// Whose request it is.
    pub subject: SubjectId,
    /// The subject's pseudonymous id (what the audit log names).
    pub subject_pseudonym: String,
    /// The request's kind, regime, state, deadline and history.
    pub request: RightsRequest,
}

/// A customer's question or concern to the compliance team, as stored:
/// its rules in the clear (state, deadline, who answered), its message and
/// answer sealed under the customer's data key ([`concern_context`]), so
/// that erasing the customer shreds them with the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConcernRecord {
    /// Its id (a UUID).
    pub id: String,
    /// Whose it is.
    pub subject: SubjectId,
    /// The subject's pseudonymous id (what the audit log names).
    pub subject_pseudonym: String,
    /// Its state, deadline and answering.
    pub concern: Concern,
    /// The customer's message, sealed.
    pub sealed_message: Vec<u8>,
    /// Staff's answer, sealed, once there is one.
    pub sealed_answer: Option<Vec<u8>>,
}

/// The associated data a concern's `part` (`message`, `answer`) is sealed
/// with: a ciphertext moved to another concern or part does not decrypt.
pub fn concern_context(subject: &SubjectId, id: &str, part: &str) -> Vec<u8> {
    format!("candor-concern-v1:{subject}:{id}:{part}").into_bytes()
}

/// A message to queue in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    /// `one_time_code`, `erasure_notice`, `rectification_notice`, …
    pub kind: String,
    /// A recipient id, or `subject` for the customer.
    pub recipient: String,
    /// The customer a message to them is sealed for (erased with them);
    /// `None` on a message to a customer sealed for delivery only, which
    /// outlives their erasure until it is sent.
    pub subject: Option<SubjectId>,
    /// Whom a notice is about, by pseudonym.
    pub subject_pseudonym: Option<String>,
    /// What may be read without a key: never personal data.
    pub body: String,
    /// The personal part (address, code), sealed under the customer's key,
    /// or for delivery only; wiped from a delivery-only message once sent.
    pub sealed: Option<Vec<u8>>,
    /// When.
    pub at: OffsetDateTime,
}

/// A message in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Its position.
    pub id: i64,
    /// The message as queued.
    pub message: NewMessage,
    /// When a transport took it (a mail server accepted it), if one did.
    pub sent_at: Option<OffsetDateTime>,
    /// Delivery attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due, after a failed one.
    pub next_attempt_at: Option<OffsetDateTime>,
    /// Why the last attempt failed: the server's answer with addresses
    /// taken out, never personal data.
    pub last_error: Option<String>,
    /// When delivery was given up (a permanent refusal, or the last
    /// attempt allowed failed).
    pub failed_at: Option<OffsetDateTime>,
}

/// The associated data an outbox message's personal part is sealed with.
pub fn message_context(subject: &SubjectId, kind: &str) -> Vec<u8> {
    format!("candor-msg-v1:{subject}:{kind}").into_bytes()
}

/// What the personal part of a message sealed for delivery only (under
/// [`crate::KeyRing::delivery_key`], no longer tied to a stored subject) is
/// bound to: whom it is about, by pseudonym, and its kind.
pub fn delivery_context(pseudonym: &str, kind: &str) -> Vec<u8> {
    format!("candor-delivery-v1:{pseudonym}:{kind}").into_bytes()
}

/// A legal hold on a customer's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegalHoldRecord {
    /// Its id.
    pub id: i64,
    /// Whose data.
    pub subject: SubjectId,
    /// The purpose (one the policy marks `legal_hold`) that keeps it.
    pub purpose: String,
    /// Why (the dispute, the claim), in words the customer may be shown.
    pub reason: String,
    /// Who placed it.
    pub placed_by: String,
    /// When.
    pub placed_at: OffsetDateTime,
}

/// What erasing a subject deleted, by table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErasedCounts {
    /// Interactions about them.
    pub interactions: u64,
    /// Profile attributes.
    pub attributes: u64,
    /// Linked identities.
    pub identities: u64,
    /// Consent-ledger events.
    pub consent_events: u64,
    /// Outbox messages to them.
    pub messages: u64,
    /// Questions and concerns they raised.
    pub concerns: u64,
    /// Data keys destroyed (1, or 0 when they were already gone).
    pub keys: u64,
}

/// A staff API token as stored (its secret only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    /// The public part, shown in listings and used to revoke it.
    pub id: String,
    /// Whose.
    pub actor: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
}

/// Who a browser session belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A staff member (actor id).
    Staff(String),
    /// A customer, signed in with a one-time code.
    Customer(SubjectId),
}

/// A browser session as stored (the cookie only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Whose.
    pub principal: Principal,
    /// The token unsafe requests must echo.
    pub csrf: String,
    /// When it ends.
    pub expires_at: OffsetDateTime,
    /// The id of the API token a staff session was started from: the
    /// session is in force only while that token is.
    pub token: Option<String>,
}

/// A customer's pending sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRecord {
    /// Its id (given to the browser).
    pub id: String,
    /// Who is signing in; `None` for a decoy, written for an address that
    /// is not on record so that both cost the same.
    pub subject: Option<SubjectId>,
    /// Keyed hash of the normalized address asked for (never the address):
    /// what the codes sent to one address are counted by.
    pub address_key: Vec<u8>,
    /// Keyed hash of the code sent.
    pub code_hash: String,
    /// Wrong entries still allowed.
    pub attempts_left: u32,
    /// When the code stops being accepted.
    pub expires_at: OffsetDateTime,
}

/// A staff member's passkey: what checking a later sign-in with it needs,
/// none of it secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyRecord {
    /// The credential id the authenticator chose.
    pub credential_id: Vec<u8>,
    /// Whose.
    pub actor: String,
    /// The user handle the authenticator keeps for the actor (the same
    /// for all of one actor's passkeys).
    pub user_handle: Vec<u8>,
    /// What the staff member called it.
    pub label: String,
    /// The public key and the flags fixed at registration, encoded.
    pub static_state: Vec<u8>,
    /// The signature counter and the flags that may change, encoded.
    pub dynamic_state: Vec<u8>,
    /// When it was registered.
    pub created_at: OffsetDateTime,
    /// When it last signed someone in.
    pub last_used_at: Option<OffsetDateTime>,
}

/// One write.
#[derive(Clone, Debug)]
pub enum Op {
    /// Store a new API token by the hash of its secret.
    CreateToken {
        /// The token.
        token: TokenRecord,
        /// SHA-256 of the whole token.
        hash: Vec<u8>,
    },
    /// Revoke a token; returns how many were still in force.
    RevokeToken {
        /// Its id.
        id: String,
        /// When.
        at: OffsetDateTime,
    },
    /// Start a browser session.
    CreateSession {
        /// SHA-256 of the cookie's value.
        hash: Vec<u8>,
        /// The session.
        session: SessionRecord,
        /// When.
        at: OffsetDateTime,
    },
    /// End a browser session.
    EndSession {
        /// SHA-256 of the cookie's value.
        hash: Vec<u8>,
    },
    /// Store a customer's sign-in challenge, and forget challenges that
    /// expired.
    CreateChallenge {
        /// The challenge.
        challenge: ChallengeRecord,
        /// When.
        at: OffsetDateTime,
    },
    /// Use up one attempt of a challenge (a wrong code); returns 1 if one
    /// was left.
    SpendChallengeAttempt {
        /// Its id.
        id: String,
    },
    /// Remove a challenge (used, or replaced).
    DeleteChallenge {
        /// Its id.
        id: String,
    },
    /// Register a staff member's passkey; fails if its credential id is
    /// registered already.
    AddPasskey(PasskeyRecord),
    /// A passkey signed someone in: its new dynamic state; returns 1 if it
    /// is still registered with the state `previous` (0: it changed or
    /// went meanwhile, and nothing is written).
    UsePasskey {
        /// Its credential id.
        credential_id: Vec<u8>,
        /// The state the sign-in was checked against.
        previous: Vec<u8>,
        /// The state after this sign-in.
        dynamic_state: Vec<u8>,
        /// When.
        at: OffsetDateTime,
    },
    /// Remove one of `actor`'s passkeys; returns how many went.
    RemovePasskey {
        /// Whose.
        actor: String,
        /// Its credential id.
        credential_id: Vec<u8>,
    },
    /// Erase a subject: delete their interactions, attributes, identities,
    /// consent events and messages, remember `suppress` (their identifiers'
    /// blind indexes) so no import brings them back, and destroy their data
    /// key last (crypto-shredding). Returns [`Outcome::Erased`].
    EraseSubject {
        /// Whom.
        subject: SubjectId,
        /// Blind indexes of their identifiers.
        suppress: Vec<Vec<u8>>,
        /// When.
        at: OffsetDateTime,
    },
    /// Delete some of a subject's profile attributes (by name) and
    /// identities (by blind index); returns how many rows went.
    RemoveFields {
        /// Whose.
        subject: SubjectId,
        /// Attribute names.
        attributes: Vec<String>,
        /// Identity blind indexes.
        identities: Vec<Vec<u8>>,
    },
    /// Queue messages in the outbox.
    QueueMessages(Vec<NewMessage>),
    /// Record how far the notices of a policy version's material change
    /// have been queued: every customer whose id sorts up to `through`
    /// was considered; `done` once every customer was.
    NoticeProgress {
        /// The policy version.
        version: u32,
        /// The last customer considered, in id order.
        through: Option<SubjectId>,
        /// Notices queued by this step (added to the total).
        queued: u64,
        /// Whether every customer has been considered.
        done: bool,
        /// When.
        at: OffsetDateTime,
    },
    /// Remember customers kept apart; returns how many pairs were new.
    RecordConflicts(Vec<IdentityConflict>),
    /// Mark outbox messages as taken by a transport; returns how many.
    MarkSent {
        /// Their ids.
        ids: Vec<i64>,
        /// When.
        at: OffsetDateTime,
    },
    /// A delivery attempt of a pending outbox message failed: count it,
    /// keep why, and retry at `retry_at`, or give up (`None`); returns how
    /// many messages were still pending.
    DeliveryFailed {
        /// The message.
        id: i64,
        /// When.
        at: OffsetDateTime,
        /// Why, without personal data.
        error: String,
        /// When to try again; `None` to give up.
        retry_at: Option<OffsetDateTime>,
    },
    /// Place a legal hold on a subject's data for a purpose.
    PlaceHold {
        /// Whose.
        subject: SubjectId,
        /// The purpose.
        purpose: String,
        /// Why.
        reason: String,
        /// Who.
        actor: String,
        /// When.
        at: OffsetDateTime,
    },
    /// Release a subject's holds for a purpose; returns how many.
    ReleaseHold {
        /// Whose.
        subject: SubjectId,
        /// The purpose.
        purpose: String,
        /// When.
        at: OffsetDateTime,
    },
    /// Store a new rights request (`previous: None`), or its new state
    /// provided it still stands as `previous` (else
    /// [`StoreError::Changed`](crate::StoreError::Changed): two staff
    /// moving one request at once never lose a step).
    SaveRightsRequest {
        /// The request as it is to be.
        record: Box<RightsRequestRecord>,
        /// The request as it was read.
        previous: Option<Box<RightsRequest>>,
    },
    /// Store a new concern (`previous: None`), or its new state provided
    /// it still stands in state `previous` (else
    /// [`StoreError::Changed`](crate::StoreError::Changed): two staff
    /// answering at once never both send an answer).
    SaveConcern {
        /// The concern as it is to be.
        record: Box<ConcernRecord>,
        /// Its state as it was read.
        previous: Option<candor_domain::ConcernState>,
    },
    /// Delete a subject's concerns (an erasure that keeps other data under
    /// a legal hold); returns how many went.
    DeleteConcerns {
        /// Whose.
        subject: SubjectId,
    },
    /// Store a policy version unless identical content is already stored.
    PublishPolicy {
        /// SHA-256 of `content`, hex.
        content_hash: String,
        /// TOML text.
        content: String,
        /// The recipients it declares, recorded with their agreements.
        recipients: Vec<Recipient>,
        /// When.
        at: OffsetDateTime,
    },
    /// Create a subject.
    CreateSubject(Box<NewSubject>),
    /// Append a consent event.
    AppendConsent {
        /// Whose.
        subject: SubjectId,
        /// What.
        event: ConsentEvent,
        /// Signed receipt JSON, for grants.
        receipt: Option<String>,
    },
    /// Insert interactions, skipping those already stored (platform + external id).
    InsertInteractions(Vec<InteractionRecord>),
    /// Link identities to an existing subject.
    AddIdentities {
        /// Whose.
        subject: SubjectId,
        /// The identities, sealed under the subject's key.
        identities: Vec<SealedIdentity>,
    },
    /// Set (insert or replace) profile attributes of a subject.
    SetAttributes {
        /// Whose.
        subject: SubjectId,
        /// The attributes, sealed under the subject's key.
        attributes: Vec<SealedAttribute>,
    },
    /// Record a new brand account and its wrapped data key; fails if the
    /// account exists (its data would be sealed under another key).
    CreateBrandAccount {
        /// Platform.
        platform: String,
        /// Lower-case handle without `@`.
        handle: String,
        /// Its data key, wrapped.
        key: WrappedKey,
        /// When.
        at: OffsetDateTime,
    },
    /// Spend privacy budget: record that `actor` ran a differentially
    /// private query costing `epsilon_micros`, unless what they spent since
    /// `since` plus this would pass `limit_micros`
    /// ([`StoreError::BudgetExhausted`]). Checked and recorded in the
    /// batch's transaction, so concurrent queries cannot both pass.
    SpendBudget {
        /// Who.
        actor: String,
        /// Start of the budget period.
        since: OffsetDateTime,
        /// Cost of this query, in millionths of epsilon.
        epsilon_micros: u64,
        /// The period's budget, in millionths of epsilon.
        limit_micros: u64,
        /// What the query was (shown in the budget ledger).
        query: String,
        /// When.
        at: OffsetDateTime,
    },
    /// Delete interactions the platform deleted, and remember them so they
    /// are never stored again.
    DeleteInteractions {
        /// Platform.
        platform: String,
        /// Their external ids.
        external_ids: Vec<String>,
        /// When.
        at: OffsetDateTime,
    },
    /// Remember identifiers (blind indexes) that must not come back.
    Suppress {
        /// Blind indexes.
        blind_indexes: Vec<Vec<u8>>,
        /// When.
        at: OffsetDateTime,
    },
    /// Give replies whose conversation is not known yet their parent's,
    /// as far as parents are stored, and give inbound items the brand
    /// account that answered in their conversation. Returns how many rows
    /// changed.
    LinkConversations,
    /// Create or update an actor's roles.
    UpsertActor {
        /// Actor id.
        id: String,
        /// Roles.
        roles: Vec<Role>,
        /// When.
        at: OffsetDateTime,
    },
    /// Remove an actor with its roles, training attestations, API tokens
    /// and sessions (the audit log, which names actors by id, keeps their
    /// history). Refused with [`crate::StoreError::LastAdmin`] when it would
    /// leave no actor with the role admin; returns how many actors went (0
    /// or 1).
    RemoveActor {
        /// Actor id.
        id: String,
    },
    /// Record a training attestation.
    AttestTraining {
        /// Actor id.
        actor: String,
        /// Course name.
        course: String,
        /// When attested.
        at: OffsetDateTime,
        /// When it expires.
        expires_at: OffsetDateTime,
    },
    /// End now every training attestation still running that was not
    /// earned on `course`: the course changed, and staff must take it again.
    LapseTraining {
        /// The course name current attestations must carry.
        course: String,
        /// Now: when they end.
        at: OffsetDateTime,
    },
    /// Replace wrapped data keys (key rotation).
    Rewrap(Vec<(KeyOwner, WrappedKey)>),
    /// Record KEKs as retired, so that no data key is ever wrapped under
    /// them again (by a process that has not noticed the rotation). Refused
    /// with [`crate::StoreError::KekInUse`] when a data key is still
    /// wrapped under one: a writer got it in since the caller counted.
    RetireKeks {
        /// The KEK ids.
        ids: Vec<String>,
        /// When.
        at: OffsetDateTime,
    },
}

/// What an operation does beyond writing its own rows, which the store
/// follows up on in the same transaction or right after it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effects<'a> {
    /// The KEKs it wraps data keys under (refused when a rotation retired
    /// one).
    pub wraps_under: Vec<&'a str>,
    /// Whether it adds, removes or changes what an aggregate counts (the
    /// interactions and their analytics columns): cached counts go.
    pub changes_counts: bool,
    /// Whether it deletes personal data, whose bytes must then leave the
    /// database's files ([`crate::BatchStore::purge_deleted`]).
    pub deletes_personal_data: bool,
}

impl Op {
    /// Its [`Effects`]. Every operation is named, so that a new one has to
    /// answer each question.
    pub fn effects(&self) -> Effects<'_> {
        let none = Effects::default();
        match self {
            Op::CreateSubject(s) => Effects { wraps_under: vec![s.key.kek_id.as_str()], ..none },
            Op::CreateBrandAccount { key, .. } => Effects { wraps_under: vec![key.kek_id.as_str()], ..none },
            Op::Rewrap(keys) => Effects { wraps_under: keys.iter().map(|(_, k)| k.kek_id.as_str()).collect(), ..none },
            Op::InsertInteractions(_) | Op::LinkConversations => Effects { changes_counts: true, ..none },
            Op::DeleteInteractions { .. } | Op::EraseSubject { .. } => {
                Effects { changes_counts: true, deletes_personal_data: true, ..none }
            }
            // Sent (or given up), a message sealed for delivery only loses
            // its address.
            Op::RemoveFields { .. } | Op::MarkSent { .. } | Op::DeliveryFailed { .. } | Op::DeleteConcerns { .. } => {
                Effects { deletes_personal_data: true, ..none }
            }
            Op::CreateToken { .. }
            | Op::RevokeToken { .. }
            | Op::CreateSession { .. }
            | Op::EndSession { .. }
            | Op::CreateChallenge { .. }
            | Op::SpendChallengeAttempt { .. }
            | Op::DeleteChallenge { .. }
            | Op::AddPasskey(_)
            | Op::UsePasskey { .. }
            | Op::RemovePasskey { .. }
            | Op::QueueMessages(_)
            | Op::NoticeProgress { .. }
            | Op::PlaceHold { .. }
            | Op::ReleaseHold { .. }
            | Op::SaveRightsRequest { .. }
            | Op::SaveConcern { .. }
            | Op::PublishPolicy { .. }
            | Op::AppendConsent { .. }
            | Op::AddIdentities { .. }
            | Op::SetAttributes { .. }
            | Op::SpendBudget { .. }
            | Op::Suppress { .. }
            | Op::UpsertActor { .. }
            | Op::RemoveActor { .. }
            | Op::AttestTraining { .. }
            | Op::LapseTraining { .. }
            | Op::RecordConflicts(_)
            | Op::RetireKeks { .. } => none,
        }
    }
}

/// The audit log's bookkeeping, read in one snapshot: the head the last
/// append left, every checkpoint, and the highest entry present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditState {
    /// The head row.
    pub head: crate::SignedHead,
    /// Every checkpoint, by sequence number.
    pub checkpoints: Vec<crate::Checkpoint>,
    /// The highest sequence number present (0 when empty).
    pub last_seq: i64,
}

/// What one operation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report.
    Done,
    /// A policy version: its number and whether it was new.
    PolicyVersion {
        /// version number
        version: u32,
        /// false when identical content was already published
        created: bool,
    },
    /// A consent event's ledger position.
    ConsentId(i64),
    /// How many rows were written.
    Count(u64),
    /// What an erasure deleted.
    Erased(ErasedCounts),
}

/// Operations and the audit entries recording them, committed together.
#[derive(Clone, Debug, Default)]
pub struct WriteBatch {
    /// The writes.
    pub ops: Vec<Op>,
    /// Their audit entries.
    pub audit: Vec<AuditRecord>,
}

impl WriteBatch {
    /// A batch of one operation and its audit entry.
    pub fn one(op: Op, audit: AuditRecord) -> Self {
        Self { ops: vec![op], audit: vec![audit] }
    }
}
