-- 0007: customers an import kept apart although they share an identifier
-- (a household's phone; a shared e-mail with different customer numbers).
-- Kinds only, never values: the shared identifier stays with the customer
-- who had it first, sealed in `identities`. A pair is stored once per
-- shared kind, the smaller subject id first, so that a re-import finds it
-- and records nothing twice; erasing either customer removes the row.
create table identity_conflicts (
    subject_a text not null references subjects (id) on delete cascade,
    subject_b text not null references subjects (id) on delete cascade,
    shared text not null,                -- the kind they share: `phone`, `email`
    differing text not null,             -- kinds that differ, comma separated: `customer_number,email,name`
    source text not null,                -- the import that found it (file name)
    at bigint not null,
    primary key (subject_a, subject_b, shared)
);
create index identity_conflicts_by_b on identity_conflicts (subject_b);
