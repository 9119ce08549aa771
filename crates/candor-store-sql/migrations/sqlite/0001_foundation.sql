-- 0001: the foundation: policies, subjects and their keys, identities,
-- interactions, the consent ledger, recipients, actors, rights requests and
-- the audit chain.

-- Published policy versions are immutable: rows are only ever inserted.
create table policy_versions (
    version bigint primary key,
    content_hash text not null unique,   -- sha-256 of content, hex
    content text not null,               -- the TOML as published
    published_at bigint not null
);

-- A subject's data key is stored only wrapped under a key-encryption key.
-- Destroying this row (crypto-shredding) makes every sealed field unreadable.
create table subjects (
    id text primary key,
    pseudonym text not null unique,      -- what the audit log names
    kek_id text not null,
    wrapped_key blob not null,
    created_at bigint not null
);
create index subjects_by_kek on subjects (kek_id);

create table subject_attributes (
    subject_id text not null references subjects (id) on delete cascade,
    name text not null,
    category text not null,              -- fideslang data category
    sealed blob not null,
    primary key (subject_id, name)
);

-- Identifiers are found by their keyed hash only; the value itself is sealed.
create table identities (
    blind_index blob primary key,
    subject_id text not null references subjects (id) on delete cascade,
    kind text not null,
    platform text,
    sealed blob not null
);
create index identities_by_subject on identities (subject_id);

-- One social-media item. Its natural key is (platform, external_id), which
-- makes imports idempotent and is what its text is sealed against. The
-- subject is the customer it is about: the author of an inbound item, the
-- addressee of a brand's reply (so erasing them shreds the reply too).
create table interactions (
    id integer primary key,
    platform text not null,
    external_id text not null,
    subject_id text references subjects (id) on delete cascade,
    account text,                        -- the brand account on the other side
    kind text not null,                  -- mention, reply, direct_message, comment, review
    direction text not null,             -- inbound, outbound
    conversation_id text,                -- external id of the conversation's first item; null until known
    reply_to text,                       -- external id of the item it answers
    occurred_at bigint not null,
    sealed_text blob not null,         -- original text, sealed under the subject's (or account's) key
    redacted_text text not null,         -- what analytics may read
    language text,
    unique (platform, external_id)
);
create index interactions_by_subject on interactions (subject_id);
create index interactions_by_time on interactions (occurred_at);
create index interactions_by_conversation on interactions (platform, conversation_id);
-- Replies whose conversation is not known yet (their parent was not stored
-- when they were): each import links them once the parent arrives.
create index interactions_unlinked on interactions (platform, reply_to) where conversation_id is null;

-- A brand's own accounts. Text that cannot be attributed to a customer is
-- sealed under the account's key, wrapped like a subject's.
create table brand_accounts (
    platform text not null,
    handle text not null,                -- lower case, without @
    kek_id text not null,
    wrapped_key blob not null,
    created_at bigint not null,
    primary key (platform, handle)
);
create index brand_accounts_by_kek on brand_accounts (kek_id);

-- Identifiers of erased subjects (their blind index): an import that meets
-- them again counts them as suppressed and stores nothing.
create table suppressions (
    blind_index blob primary key,
    created_at bigint not null
);

-- Items the platform deleted: never stored again, as platform terms require.
create table tombstones (
    platform text not null,
    external_id text not null,
    deleted_at bigint not null,
    primary key (platform, external_id)
);

-- The consent ledger is append-only; current consent is derived from it.
create table consent_events (
    id integer primary key autoincrement,
    subject_id text not null references subjects (id) on delete cascade,
    purpose text,                        -- null for subject-wide actions
    action text not null,
    policy_version bigint not null,
    source text not null,
    at bigint not null,
    receipt text                         -- signed consent receipt for grants
);
create index consent_by_subject on consent_events (subject_id, id);

create table recipients (
    id text primary key,
    name text not null,
    country text not null
);

create table agreements (
    recipient_id text not null references recipients (id) on delete cascade,
    policy_version bigint not null,
    reference text not null,
    valid_from text not null,            -- yyyy-mm-dd
    valid_until text not null,
    categories text not null,            -- json array of category ids
    primary key (recipient_id, policy_version)
);

create table actors (
    id text primary key,
    roles text not null,                 -- comma-separated role names
    created_at bigint not null
);

create table training_attestations (
    id integer primary key autoincrement,
    actor_id text not null references actors (id) on delete cascade,
    course text not null,
    attested_at bigint not null,
    expires_at bigint not null
);
create index training_by_actor on training_attestations (actor_id, expires_at);

-- Rights requests outlive the subject (they prove what was done), so they
-- name the pseudonym, not a foreign key.
create table rights_requests (
    id text primary key,
    subject_pseudonym text not null,
    kind text not null,
    regime text not null,
    state text not null,
    received_at bigint not null,
    due_at bigint not null,
    detail text not null default '{}'
);

-- Each entry is stored as the exact bytes its hash covers: canonical JSON
-- with pseudonymous subject ids only. No field is kept twice, so none can be
-- changed apart from what was hashed; queries read the JSON through
-- expression indexes. The previous entry's hash is not stored: it is, by
-- definition, the hash of entry seq - 1.
create table audit_log (
    seq integer primary key,
    body text not null,                  -- canonical json of the entry
    hash text not null                   -- hmac-sha256 chain hash, hex
);
create index audit_by_subject on audit_log (json_extract(body, '$.subject'), seq);

-- One row: the chain head. Appenders update it first, which serializes them.
create table audit_head (
    id integer primary key check (id = 1),
    seq bigint not null,
    hash blob not null
);
insert into audit_head (id, seq, hash) values (1, 0, zeroblob(32));

create table audit_checkpoints (
    seq bigint primary key,
    hash blob not null,
    signature blob not null,
    key_id text not null,
    at bigint not null
);
