-- 0008: a browser session lives no longer than what it was started from,
-- and asking for a sign-in code looks the same whether or not the address
-- is on record.

-- A staff session names the API token it was started from: it is refused
-- once that token is revoked or expired, and goes with it when the token's
-- row goes. Staff sessions started before this migration name no token and
-- could outlive a revocation, so they end here (their holders sign in again).
delete from sessions where actor_id is not null;
alter table sessions add column token_id text references api_tokens (id) on delete cascade;
create index sessions_by_token on sessions (token_id);

-- Sign-in challenges are written for every address asked about: for one
-- that is not on record the row is a decoy (no subject, a code hash no code
-- has), so that entering a code costs the same either way. address_key is a
-- keyed hash of the normalized address (never the address), to limit the
-- codes one address is sent. Pending challenges are dropped: they live 30
-- minutes, and their customers ask for a new code.
drop table sign_in_challenges;
create table sign_in_challenges (
    id text primary key,
    subject_id text references subjects (id) on delete cascade,   -- null for a decoy
    address_key bytea not null,
    code_hash text not null,             -- keyed hash of the code
    attempts_left bigint not null,
    created_at bigint not null,
    expires_at bigint not null
);
create index sign_in_challenges_by_address on sign_in_challenges (address_key, created_at);
create index sign_in_challenges_by_expiry on sign_in_challenges (expires_at);
