-- 0013: staff passkeys (WebAuthn credentials) for signing in to the
-- console. A row holds what verifying a later sign-in needs and nothing
-- secret: the credential id, the handle the authenticator stores for the
-- actor, the public key with the flags fixed at registration (the static
-- state) and the signature counter with the flags that may change (the
-- dynamic state), both in webauthn_rp's binary encoding. Removing the
-- actor removes their passkeys.
create table staff_passkeys (
    credential_id bytea primary key,
    actor_id text not null references actors (id) on delete cascade,
    user_handle bytea not null,
    label text not null,
    static_state bytea not null,
    dynamic_state bytea not null,
    created_at bigint not null,
    last_used_at bigint
);
create index staff_passkeys_by_actor on staff_passkeys (actor_id);
