//! Keyset pages of the lists the API serves: where a page starts (the
//! sort key of the last row of the page before it) and which rows a list
//! holds. Each back end answers a page with `ORDER BY` on the whole key,
//! `WHERE key > cursor` and `LIMIT`, so walking the pages returns every
//! row once however large the list, and rows added meanwhile do not shift
//! the pages already read.

use time::OffsetDateTime;

/// Where a page of rights requests starts: after this deadline and id
/// (requests are listed earliest deadline first, then by id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RightsKey {
    /// The last listed request's deadline.
    pub due_at: OffsetDateTime,
    /// The last listed request's id.
    pub id: String,
}

/// Which rights requests a list holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RightsFilter {
    /// Only those not completed or rejected.
    pub open_only: bool,
    /// Only those not completed or rejected whose deadline passed before
    /// this time.
    pub overdue_at: Option<OffsetDateTime>,
    /// Only the requests of the subject with this pseudonym.
    pub subject_pseudonym: Option<String>,
}

/// Where a page of a subject's interactions starts: before this one
/// (interactions are listed newest first, ties by platform and external
/// id, also descending).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InteractionKey {
    /// The last listed interaction's time.
    pub occurred_at: OffsetDateTime,
    /// Its platform.
    pub platform: String,
    /// Its id on the platform.
    pub external_id: String,
}

/// Where a page of concerns starts: after this key (concerns are listed
/// open ones first, then by deadline, then by id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConcernKey {
    /// 0 for an open concern, 1 for one answered or closed.
    pub rank: i64,
    /// The last listed concern's deadline.
    pub due_at: OffsetDateTime,
    /// The last listed concern's id.
    pub id: String,
}

/// Which concerns a list holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConcernFilter {
    /// Only those waiting for an answer.
    pub open_only: bool,
    /// Only the concerns of this subject.
    pub subject: Option<candor_domain::SubjectId>,
}
