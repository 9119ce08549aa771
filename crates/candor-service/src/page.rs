//! Pages of the lists the API serves: up to `limit` items read from the
//! store by keyset (never a whole list sliced), and the cursor of the
//! next page when there is one. A cursor is opaque to callers: the sort
//! key of the page's last item as base64url JSON, which only the list that
//! gave it parses back.

use std::collections::BTreeMap;
use std::ops::Bound;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use candor_domain::{Recipient, SubjectId};
use candor_store::audit::{from_micros, micros};
use candor_store::{InteractionKey, PolicyVersionRecord, RightsFilter, RightsKey};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::consent::LedgerEntry;
use crate::rights::RightsRequestView;
use crate::{Candor, Result, ServiceError};

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// Where the next page starts, when there are more items.
    pub next: Option<String>,
}

/// The largest page any list serves.
pub const MAX_LIMIT: u32 = 1_000;

/// A cursor for the item whose sort key is `key`.
fn encode<K: Serialize>(key: &K) -> String {
    // A key of numbers and strings always encodes.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// The sort key a cursor holds; anything this list did not give is
/// refused with a message that says so.
pub(crate) fn decode<K: DeserializeOwned>(cursor: &str) -> Result<K> {
    URL_SAFE_NO_PAD.decode(cursor.trim()).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).ok_or_else(|| {
        let shown: String = cursor.chars().take(64).collect();
        ServiceError::InvalidInput(format!(
            "`after` is not a cursor of this list: `{shown}`; start without `after` and follow each page's `Link: rel=\"next\"`"
        ))
    })
}

/// A page from up to `limit + 1` rows read in order: the extra row, when
/// it came, says there is a next page, which starts after the last kept.
pub(crate) fn page<T, K: Serialize>(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Page<T> {
    let limit = limit as usize;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| encode(&key(last)))
    } else {
        None
    };
    Page { items: rows, next }
}

/// `limit` as asked (the API refuses what is out of range before this),
/// and one more to learn whether a next page exists.
pub(crate) fn probe(limit: u32) -> u32 {
    limit.clamp(1, MAX_LIMIT) + 1
}

/// A page of a map's values by key, after `after`: for lists that live
/// in the policy in force (already in memory) rather than in a table.
fn map_page<V: Clone>(map: &BTreeMap<String, V>, after: Option<&str>, limit: u32) -> Result<Page<V>> {
    let from = match after {
        Some(c) => Bound::Excluded(decode::<String>(c)?),
        None => Bound::Unbounded,
    };
    let rows: Vec<(String, V)> =
        map.range((from, Bound::Unbounded)).take(probe(limit) as usize).map(|(k, v)| (k.clone(), v.clone())).collect();
    let p = page(rows, limit.clamp(1, MAX_LIMIT), |(k, _)| k.clone());
    Ok(Page { items: p.items.into_iter().map(|(_, v)| v).collect(), next: p.next })
}

/// Which rights requests a page lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RightsList {
    /// Only those past their deadline and not finished.
    pub overdue: bool,
    /// Only this subject's.
    pub subject: Option<SubjectId>,
}

impl Candor {
    /// A page of rights requests, earliest deadline first.
    pub async fn rights_request_page(&self, which: RightsList, after: Option<&str>, limit: u32) -> Result<Page<RightsRequestView>> {
        let subject_pseudonym = match which.subject {
            Some(id) => match self.store.subject_pseudonym(id).await? {
                Some(p) => Some(p),
                None => return Ok(Page { items: Vec::new(), next: None }),
            },
            None => None,
        };
        let filter = RightsFilter { open_only: false, overdue_at: which.overdue.then(|| self.now()), subject_pseudonym };
        let after = after.map(decode::<(i64, String)>).transpose()?.map(|(due, id)| RightsKey { due_at: from_micros(due), id });
        let rows = self.store.rights_request_page(&filter, after.as_ref(), probe(limit)).await?;
        let p = page(rows, limit.clamp(1, MAX_LIMIT), |r| (micros(r.request.due_at), r.id.clone()));
        Ok(Page { items: p.items.into_iter().map(RightsRequestView::from).collect(), next: p.next })
    }

    /// A page of the published policy versions, oldest first.
    pub async fn policy_version_page(&self, after: Option<&str>, limit: u32) -> Result<Page<PolicyVersionRecord>> {
        let after = after.map(decode::<u32>).transpose()?.unwrap_or(0);
        let rows = self.store.policy_version_page(after, probe(limit)).await?;
        Ok(page(rows, limit.clamp(1, MAX_LIMIT), |v| v.version))
    }

    /// A page of the recipients of the policy in force, by id.
    pub async fn recipient_page(&self, after: Option<&str>, limit: u32) -> Result<Page<Recipient>> {
        let ctx = self.policy_context().await?;
        map_page(&ctx.policy.recipients, after, limit)
    }

    /// A page of a subject's consent ledger, oldest first.
    pub async fn consent_event_page(&self, subject: SubjectId, after: Option<&str>, limit: u32) -> Result<Page<LedgerEntry>> {
        if self.store.subject_pseudonym(subject).await?.is_none() {
            return Err(self.missing_subject(subject).await);
        }
        let after = after.map(decode::<i64>).transpose()?.unwrap_or(0);
        let rows = self.store.consent_event_page(subject, after, probe(limit)).await?;
        let p = page(rows, limit.clamp(1, MAX_LIMIT), |e| e.id);
        let items = p.items.into_iter().map(|e| LedgerEntry { id: e.id, has_receipt: e.receipt.is_some(), event: e.event }).collect();
        Ok(Page { items, next: p.next })
    }

    /// Where a page of a subject's interactions starts.
    pub(crate) fn interaction_cursor(after: Option<&str>) -> Result<Option<InteractionKey>> {
        Ok(after.map(decode::<(i64, String, String)>).transpose()?.map(|(at, platform, external_id)| InteractionKey {
            occurred_at: from_micros(at),
            platform,
            external_id,
        }))
    }

    /// The page of interactions these rows (read with [`probe`]) make.
    pub(crate) fn interaction_page(rows: Vec<candor_store::InteractionRecord>, limit: u32) -> Page<candor_store::InteractionRecord> {
        page(rows, limit.clamp(1, MAX_LIMIT), |i| (micros(i.occurred_at), i.platform.clone(), i.external_id.clone()))
    }

    /// How many rows to read for a page of `limit`.
    pub(crate) fn page_probe(limit: u32) -> u32 {
        probe(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_gives_back_its_key_and_garbage_is_refused() {
        let c = encode(&(1_700_000_000_000_000_i64, "abc".to_owned()));
        assert_eq!(decode::<(i64, String)>(&c).unwrap(), (1_700_000_000_000_000, "abc".to_owned()));
        let e = decode::<(i64, String)>("not a cursor!").unwrap_err().to_string();
        assert!(e.contains("`after` is not a cursor of this list"), "{e}");
        // A cursor of another list (another key shape) is refused too.
        assert!(decode::<(i64, String)>(&encode(&7_u32)).is_err());
    }

    #[test]
    fn a_page_says_next_only_when_more_rows_came() {
        let p = page(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(decode::<i32>(p.next.as_deref().unwrap()).unwrap(), 2);
        assert_eq!(page(vec![1, 2], 2, |n| *n).next, None);
    }

    #[test]
    fn map_pages_walk_every_key_once() {
        let map: BTreeMap<String, u32> = (0..7).map(|i| (format!("r{i}"), i)).collect();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let p = map_page(&map, after.as_deref(), 3).unwrap();
            seen.extend(p.items);
            match p.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
    }
}
