-- 0010: customers' questions and concerns to the compliance team. Each is
-- due one calendar month after it was raised; staff answer it (the answer
-- is also mailed) and close it. The message and the answer are personal
-- data: sealed under the customer's data key, and deleted when the
-- customer is erased. The columns listings filter and sort on (state,
-- deadline) are in the clear, as for rights requests.
create table concerns (
    id text primary key,
    subject_id text not null references subjects (id) on delete cascade,
    subject_pseudonym text not null,
    state text not null,                 -- open, answered, closed
    open_rank bigint not null,           -- 0 while open, 1 after: staff see open ones first
    raised_at bigint not null,
    due_at bigint not null,
    answered_at bigint,
    answered_by text,                    -- the staff actor who answered
    closed_at bigint,
    message blob not null,               -- sealed under the subject's data key
    answer blob                          -- sealed likewise, once answered
);
create index concerns_listed on concerns (open_rank, due_at, id);
create index concerns_by_subject on concerns (subject_id);
