-- 0012: every identity and profile attribute says where it came from (the
-- platform it was read off, the CRM file, staff, or a correction the
-- customer asked for), which the privacy center tells the customer for
-- each detail (GDPR Art. 15(1)(g)). Rows stored before this migration
-- carry no source; identities that name a platform were read off it, the
-- rest say "unrecorded" rather than guess.
alter table identities add column source text not null default 'unrecorded';
alter table subject_attributes add column source text not null default 'unrecorded';
update identities set source = 'platform:' || platform where platform is not null;
