-- 0006: tamper evidence that does not trust the database, and keys bound to
-- the installation they were made for.

-- The head row gains what its signature covers (the last entry and its hash,
-- the time of the append, the last checkpoint) and the Ed25519 signature
-- itself, rewritten by every append. A database made by an older candor
-- keeps an unsigned head (signature null) until its next append, which first
-- appends an `audit.head_signing` entry and signs every head from then on;
-- `audit verify` accepts an unsigned head only in a log that neither began
-- signed nor holds that entry.
alter table audit_head add column at bigint not null default 0;
alter table audit_head add column checkpoint_seq bigint not null default 0;
alter table audit_head add column signature bytea;
-- The last checkpoint an older candor made: the first new one names it.
update audit_head set checkpoint_seq = (select coalesce(max(seq), 0) from audit_checkpoints);

-- A new checkpoint names the one before it, inside its signature, so that a
-- deleted checkpoint is missed by name. Null: signed by an older candor over
-- the entry and its hash only, naming none.
alter table audit_checkpoints add column prev_seq bigint;

-- One row: a hash that tells this installation's keys from any other's (see
-- KeyRing::key_check), recorded at `candor init`, or for a database made
-- before, at the first open that the keys pass. Every open compares it and
-- every audit append checks it again, so another installation's key
-- directory can neither read nor write here.
create table key_check (
    id bigint primary key check (id = 1),
    value bytea not null,
    recorded_at bigint not null
);

-- Key-encryption keys a rotation retired. Recorded in the same transaction
-- that counts no data key under them; a write that would wrap a data key
-- under one (a process that has not noticed the rotation yet) is refused, so
-- none is ever wrapped under a retired key.
create table retired_keks (
    id text primary key,
    retired_at bigint not null
);
