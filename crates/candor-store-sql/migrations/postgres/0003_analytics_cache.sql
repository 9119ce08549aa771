-- 0003: the analytics cache. An aggregate's cells, per query shape, as
-- they were over the subjects the access gate allowed when it was made;
-- a later query with another consent state adds and subtracts the
-- changed subjects' contributions (every count, the distinct subjects
-- included, is additive over disjoint sets of subjects) instead of
-- walking every interaction again.
--
-- Any write to the interactions bumps the generation and empties the
-- cache in its own transaction: a cell never outlives what it counted,
-- and an erased subject's rows leave it with them. A cache row made
-- from a generation that is no longer current is never read.

create table analytics_generation (
    id integer primary key check (id = 1),
    generation bigint not null
);
insert into analytics_generation (id, generation) values (1, 0);

create table analytics_cache (
    shape text primary key,          -- sha-256 (hex) of the query without its subject filter, canonical
    generation bigint not null,      -- of the interactions it counted
    filter text not null,            -- the subject filter it was made with (json: pseudonymous ids)
    cells text not null,             -- json
    made_at bigint not null          -- microseconds since the epoch
);
