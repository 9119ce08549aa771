-- 0009: outbox messages are mailed, so delivery can fail and be retried.
-- Each message counts its attempts, keeps when the next one is due and why
-- the last one failed (the server's answer with addresses taken out: never
-- personal data), and when delivery was given up (a permanent refusal, or
-- the last attempt allowed failed). Pending: neither sent nor failed.
alter table outbox add column attempts bigint not null default 0;
alter table outbox add column next_attempt_at bigint;
alter table outbox add column last_error text;
alter table outbox add column failed_at bigint;
-- Messages sent before this migration were taken by a transport once.
update outbox set attempts = 1 where sent_at is not null;
