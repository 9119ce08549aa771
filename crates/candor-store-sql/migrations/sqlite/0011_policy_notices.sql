-- 0011: publishing a material change to the policy queues a notice to
-- every customer it affects, a batch of customers at a time, each batch in
-- the transaction that queues its notices. This row says how far that got
-- for a version: the last customer considered (in id order), how many
-- notices were queued, and when every customer had been considered. A
-- publication that stopped half-way resumes after `through`; one that is
-- done is never queued again.
create table policy_notices (
    version bigint primary key references policy_versions (version),
    through text,
    queued bigint not null default 0,
    started_at bigint not null,
    done_at bigint
);
