-- 0004: carrying out rights requests: the outbox of messages to customers
-- and recipients, and legal holds that keep a customer's data from erasure.

-- Messages waiting for a transport (mail, a recipient's API). `body` is what
-- anyone with database access may read and never holds personal data; a
-- message to a customer carries its address and content in `sealed`, under
-- the customer's data key, so erasing them shreds it with the rest.
create table outbox (
    id bigint generated always as identity primary key,
    kind text not null,                  -- one_time_code, erasure_notice, rectification_notice
    recipient text not null,             -- a recipient id, or `subject` for the customer
    subject_id text references subjects (id) on delete cascade,
    subject_pseudonym text,              -- whom a notice is about, as recipients know them
    body text not null,
    sealed bytea,
    created_at bigint not null,
    sent_at bigint
);
create index outbox_pending on outbox (sent_at, id);
create index outbox_by_subject on outbox (subject_id);

-- A legal hold on a customer's data for a purpose the policy marks
-- `legal_hold = true` (a dispute, a refund claim): while it stands, an
-- erasure request restricts the data the purpose covers instead of deleting it.
create table legal_holds (
    id bigint generated always as identity primary key,
    subject_id text not null references subjects (id) on delete cascade,
    purpose text not null,
    reason text not null,
    placed_by text not null,
    placed_at bigint not null,
    released_at bigint
);
create index legal_holds_by_subject on legal_holds (subject_id);
