//! Identity resolution for an import: identifiers to subjects through the
//! blind index, data keys of subjects and brand accounts, and new subjects.
//!
//! Lookups go to bounded caches first and to the store in one query per
//! batch for the rest. Subjects created by a batch that is not committed
//! yet are held apart ("pending") until the writer says it committed, so a
//! later batch never creates the same customer twice, whatever the caches
//! evicted meanwhile.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::Arc;

use candor_domain::{CategoryId, Identifier, Provenance, SubjectId};
use candor_store::{DataKey, KeyError, KeyOwner, KeyRing, NewSubject, Op, SealedAttribute, SealedIdentity, Store, StoreError};
use lru::LruCache;
use time::OffsetDateTime;

/// How many identifiers and data keys to keep in memory: enough for the
/// customers of the last few batches (conversations come back within
/// hours), bounded so memory does not grow with the input; a miss costs a
/// share of one batched lookup. At 100,000 the caches kept filling until
/// 1.3 million interactions, so large imports peaked 50 MB higher than a
/// million did; the price is about 7% of a 1M import of the demo data,
/// whose 75,000 customers 100,000 entries held entirely.
const CACHE_ENTRIES: usize = 25_000;

/// Where an identifier stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    /// It belongs to this subject.
    Known(SubjectId),
    /// Nobody has it yet.
    Unknown,
    /// It belonged to an erased subject: it must not come back.
    Suppressed,
}

/// Resolves identifiers and holds data keys during one import.
pub(crate) struct Identities {
    store: Arc<dyn Store>,
    keys: Arc<KeyRing>,
    index: LruCache<Vec<u8>, SubjectId>,
    data_keys: LruCache<SubjectId, Arc<DataKey>>,
    /// Subjects and links written by batches not yet committed, with the
    /// batch number that writes them.
    pending_index: HashMap<Vec<u8>, (SubjectId, u64)>,
    pending_keys: HashMap<SubjectId, (Arc<DataKey>, u64)>,
    /// Brand accounts: (platform, handle) to data key.
    accounts: HashMap<(String, String), Arc<DataKey>>,
}

fn cap() -> NonZeroUsize {
    NonZeroUsize::new(CACHE_ENTRIES).unwrap_or(NonZeroUsize::MIN)
}

impl Identities {
    /// Load the brand accounts already stored.
    pub(crate) async fn new(store: Arc<dyn Store>, keys: Arc<KeyRing>) -> Result<Self, StoreError> {
        let mut accounts = HashMap::new();
        for (platform, handle, wrapped) in store.brand_accounts().await? {
            let owner = KeyOwner::Account(platform.clone(), handle.clone());
            let key = keys
                .unwrap(&owner.wrap_context(), &wrapped)
                .map_err(|e| StoreError::undecodable(format!("the data key of brand account `{platform}:{handle}`"), e))?;
            accounts.insert((platform, handle), Arc::new(key));
        }
        Ok(Self {
            store,
            keys,
            index: LruCache::new(cap()),
            data_keys: LruCache::new(cap()),
            pending_index: HashMap::new(),
            pending_keys: HashMap::new(),
            accounts,
        })
    }

    /// The key ring.
    pub(crate) fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The blind index of an identifier.
    pub(crate) fn blind_index(&self, i: &Identifier) -> Vec<u8> {
        self.keys.blind_index(&i.index_namespace(), i.value())
    }

    /// Forget pending marks of batches up to `committed`: their rows are in
    /// the store now, and the caches know them.
    pub(crate) fn committed(&mut self, committed: u64) {
        self.pending_index.retain(|_, (_, seq)| *seq > committed);
        self.pending_keys.retain(|_, (_, seq)| *seq > committed);
    }

    /// Where each of `indexes` stands: caches first, then one query for the
    /// rest, then which of the unknown ones are suppressed.
    pub(crate) async fn standings(&mut self, indexes: &[Vec<u8>]) -> Result<HashMap<Vec<u8>, Standing>, StoreError> {
        let mut out = HashMap::with_capacity(indexes.len());
        let mut misses: Vec<Vec<u8>> = Vec::new();
        for b in indexes {
            if out.contains_key(b) {
                continue;
            }
            if let Some((s, _)) = self.pending_index.get(b) {
                out.insert(b.clone(), Standing::Known(*s));
            } else if let Some(s) = self.index.get(b) {
                out.insert(b.clone(), Standing::Known(*s));
            } else {
                out.insert(b.clone(), Standing::Unknown);
                misses.push(b.clone());
            }
        }
        if misses.is_empty() {
            return Ok(out);
        }
        for (b, s) in self.store.find_subjects(&misses).await? {
            self.index.put(b.clone(), s);
            out.insert(b, Standing::Known(s));
        }
        let unknown: Vec<Vec<u8>> = misses.into_iter().filter(|b| out.get(b) == Some(&Standing::Unknown)).collect();
        if !unknown.is_empty() {
            for b in self.store.suppressed(&unknown).await? {
                out.insert(b, Standing::Suppressed);
            }
        }
        Ok(out)
    }

    /// Record that `index` now belongs to `subject` (written by batch `seq`).
    pub(crate) fn link(&mut self, index: Vec<u8>, subject: SubjectId, seq: u64) {
        self.index.put(index.clone(), subject);
        self.pending_index.insert(index, (subject, seq));
    }

    /// A new subject with these identifiers (and name), which came from
    /// `source`, written by batch `seq`: the operation that creates it, and
    /// its pseudonym.
    pub(crate) fn create(
        &mut self,
        identifiers: &[Identifier],
        name: Option<&str>,
        source: &Provenance,
        at: OffsetDateTime,
        seq: u64,
    ) -> Result<(SubjectId, Op, String), KeyError> {
        let id = SubjectId::new();
        let key = DataKey::generate();
        let identities: Vec<SealedIdentity> =
            identifiers.iter().map(|i| SealedIdentity::seal(&self.keys, &key, &id, i, source.clone())).collect();
        let attributes =
            name.map(|n| SealedAttribute::seal(&key, &id, "name", CategoryId::new("user.name"), n, source.clone())).into_iter().collect();
        let pseudonym = self.keys.pseudonym(id.as_uuid());
        let wrapped = self.keys.wrap(&KeyOwner::Subject(id).wrap_context(), &key)?;
        for i in &identities {
            self.link(i.blind_index.clone(), id, seq);
        }
        let key = Arc::new(key);
        self.data_keys.put(id, Arc::clone(&key));
        self.pending_keys.insert(id, (key, seq));
        let op = Op::CreateSubject(Box::new(NewSubject { id, pseudonym: pseudonym.clone(), key: wrapped, attributes, identities, at }));
        Ok((id, op, pseudonym))
    }

    /// Data keys of these subjects: caches first, then one query.
    pub(crate) async fn subject_keys(&mut self, ids: &HashSet<SubjectId>) -> Result<HashMap<SubjectId, Arc<DataKey>>, StoreError> {
        let mut out = HashMap::with_capacity(ids.len());
        let mut misses = Vec::new();
        for id in ids {
            if let Some((k, _)) = self.pending_keys.get(id) {
                out.insert(*id, Arc::clone(k));
            } else if let Some(k) = self.data_keys.get(id) {
                out.insert(*id, Arc::clone(k));
            } else {
                misses.push(*id);
            }
        }
        if misses.is_empty() {
            return Ok(out);
        }
        for (id, wrapped) in self.store.subject_keys(&misses).await? {
            let key = self
                .keys
                .unwrap(&KeyOwner::Subject(id).wrap_context(), &wrapped)
                .map_err(|e| StoreError::undecodable(format!("the data key of subject {id}"), e))?;
            let key = Arc::new(key);
            self.data_keys.put(id, Arc::clone(&key));
            out.insert(id, key);
        }
        if let Some(missing) = misses.iter().find(|id| !out.contains_key(id)) {
            // Erased by another process during the import.
            return Err(StoreError::UnknownSubject(*missing));
        }
        Ok(out)
    }

    /// Whether `handle` is a known brand account on `platform`.
    pub(crate) fn is_brand(&self, platform: &str, handle: &str) -> bool {
        self.accounts.contains_key(&(platform.to_owned(), handle.to_owned()))
    }

    /// Every brand handle known, lower case, per platform.
    pub(crate) fn brand_handles(&self) -> HashSet<(String, String)> {
        self.accounts.keys().cloned().collect()
    }

    /// A brand account's data key, and the operation that records the
    /// account when it is new.
    pub(crate) fn account(&mut self, platform: &str, handle: &str, at: OffsetDateTime) -> Result<(Arc<DataKey>, Option<Op>), KeyError> {
        let k = (platform.to_owned(), handle.to_owned());
        if let Some(key) = self.accounts.get(&k) {
            return Ok((Arc::clone(key), None));
        }
        let key = DataKey::generate();
        let wrapped = self.keys.wrap(&KeyOwner::Account(k.0.clone(), k.1.clone()).wrap_context(), &key)?;
        let key = Arc::new(key);
        self.accounts.insert(k, Arc::clone(&key));
        Ok((key, Some(Op::CreateBrandAccount { platform: platform.to_owned(), handle: handle.to_owned(), key: wrapped, at })))
    }

    /// Declare brand accounts before reading (`--brand`): known brands
    /// are never mistaken for customers and never redacted.
    pub(crate) fn declare_brand(&mut self, platform: &str, handle: &str, at: OffsetDateTime) -> Result<Option<Op>, KeyError> {
        Ok(self.account(platform, handle, at)?.1)
    }
}
