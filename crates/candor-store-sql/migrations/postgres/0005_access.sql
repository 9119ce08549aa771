-- 0005: who may call the HTTP API: staff API tokens, browser sessions
-- (staff and customers), and customers' sign-in challenges. Only hashes of
-- the secrets are kept: reading the database does not let anyone in.

create table api_tokens (
    id text primary key,                 -- the token's public part, shown in listings
    actor_id text not null references actors (id) on delete cascade,
    hash bytea not null unique,           -- sha-256 of the whole token
    created_at bigint not null,
    expires_at bigint not null,
    revoked_at bigint
);
create index api_tokens_by_actor on api_tokens (actor_id);

-- A signed-in browser: a staff member (actor_id) or a customer (subject_id).
create table sessions (
    hash bytea primary key,               -- sha-256 of the cookie's value
    actor_id text references actors (id) on delete cascade,
    subject_id text references subjects (id) on delete cascade,
    csrf text not null,                  -- what every form and unsafe request must echo
    created_at bigint not null,
    expires_at bigint not null
);

-- A customer asked to sign in: a one-time code went to their address.
create table sign_in_challenges (
    id text primary key,
    subject_id text not null references subjects (id) on delete cascade,
    code_hash text not null,             -- keyed hash of the code
    attempts_left bigint not null,
    created_at bigint not null,
    expires_at bigint not null
);
