-- 0002: analytics. What each interaction says (sentiment, themes) and when
-- (day, month) are stored at import, so that aggregates group and count
-- stored integers inside the database; and the privacy-budget ledger of
-- differentially private queries.

alter table interactions add column day bigint;          -- days since 1970-01-01, utc
alter table interactions add column month bigint;        -- year * 12 + month - 1, utc
alter table interactions add column sentiment bigint;    -- compound score in [-1, 1], in ten-thousandths; null: no model for the language
                                                         -- (an integer: sums are exact, and both drivers bind it alike)
alter table interactions add column polarity bigint;     -- -1 negative, 0 neutral, 1 positive; null with sentiment
alter table interactions add column themes bigint not null default 0;  -- a bit per theme of the taxonomy
alter table interactions add column agent text;          -- a brand reply's agent signature (`^AB` gives `AB`)

update interactions set
    -- integer division truncates; days before 1970 round down as in postgres
    day = case when occurred_at >= 0 then occurred_at / 86400000000 else (occurred_at - 86399999999) / 86400000000 end,
    month = cast(strftime('%Y', occurred_at / 1000000, 'unixepoch') as integer) * 12
          + cast(strftime('%m', occurred_at / 1000000, 'unixepoch') as integer) - 1;

-- Covering index of the inbound aggregates: one side, ordered by day,
-- platform and subject, so that grouping by them streams without a sort and
-- never reads the table (whose rows carry the sealed text).
create index interactions_analytics on interactions (direction, day, platform, subject_id, polarity, sentiment, themes, month);

-- Customer-care KPIs group messages by conversation; the index that
-- linking already used for (platform, conversation_id) becomes this one,
-- so an import maintains no more indexes than before.
create index interactions_kpis on interactions (platform, conversation_id, direction, occurred_at);
drop index interactions_by_conversation;

-- Each differentially private query spends epsilon from its actor's budget
-- for the period; the rows are only ever inserted.
create table privacy_budget (
    id integer primary key autoincrement,
    actor text not null,
    epsilon_micros bigint not null,      -- millionths of epsilon
    query text not null,                 -- what was asked, for the ledger
    at bigint not null
);
create index privacy_budget_by_actor on privacy_budget (actor, at);
