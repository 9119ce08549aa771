-- 0012: every identity and profile attribute says where it came from (the
-- platform it was read off, the CRM file, staff, or a correction the
-- customer asked for), which the privacy center tells the customer for
-- each detail (GDPR Art. 15(1)(g)). Rows stored before this migration
-- carry no source; identities that name a platform were read off it, the
-- rest say "unrecorded" rather than guess.
alter table identities add column source text not null default 'unrecorded';
alter table subject_attributes add column source text not null default 'unrecorded';
update identities set source = 'platform:' || platform where platform is not null;

-- The privacy center counts a customer's messages by platform and kind,
-- with the first and last of each, on every visit: the subject index
-- carries those columns so that the count reads the index alone.
drop index if exists interactions_by_subject;
create index interactions_by_subject on interactions (subject_id, platform, kind, occurred_at);

-- "Who saw my data" lists the entries about a customer made by others:
-- an index of those alone, so that the customer's own entries (each visit
-- to the privacy center, each choice) are never read to skip them.
create index audit_by_subject_others on audit_log (json_extract(body, '$.subject'), seq)
    where json_extract(body, '$.actor') <> 'subject';
