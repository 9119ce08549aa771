//! The import pipeline:
//!
//! ```text
//! reader thread: file -> format reader -> batches of records
//!   -> identity: blind index -> subject (created when new; suppressed when erased)
//!   -> attribution: a brand's reply is about the customer it answers
//!   -> CPU stage, in parallel: PII spans -> redacted text -> language -> sealed text
//!   -> writer task: one transaction a batch, with its audit entry
//! ```
//!
//! Each stage overlaps the next: the reader reads ahead, the writer commits
//! batch k while batch k+1 is prepared. Memory is bounded by the batch size
//! and the caches, not by the input.
//!
//! Re-running an import is safe at any point: items already stored (by
//! platform and external id) are skipped before any work is spent on them,
//! items the platform deleted are never stored again, and identifiers
//! resolve to the subjects an earlier run created. A run killed in the
//! middle leaves whole batches only; the next run completes it.

mod contacts;
mod enrich;
mod identity;
pub mod quarantine;
mod writer;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{Cursor, Read};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use candor_analytics::themes::Taxonomy;
use candor_domain::{Identifier, SubjectId};
use candor_store::{AuditRecord, KeyRing, Op, SealedIdentity, Store, StoreError, WriteBatch};
use lru::LruCache;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use tokio::sync::mpsc;

pub use self::contacts::{ConflictNote, LISTED_CONFLICTS};
use self::enrich::{first_mention, Enricher, Job};
use self::identity::{Identities, Standing};
use self::quarantine::Quarantine;
use self::writer::{Write, Writer};
use crate::formats::{self, mapped::Mapping, Format, FormatError, Limits, PLATFORM_X};
use crate::record::{Author, Deletion, Draft, Quarantined, Record};

/// Records a batch holds at most.
pub const DEFAULT_BATCH: usize = 5_000;
/// Text bytes a batch holds at most, whatever the record count: long posts
/// must not make a batch large.
const BATCH_BYTES: usize = 4 << 20;
/// Items remembered for attributing replies without asking the store.
const RECENT_ITEMS: usize = 50_000;

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The format; guessed from the first line when `None`.
    pub format: Option<Format>,
    /// The mapping of a `jsonl` or `csv` input.
    pub mapping: Option<Mapping>,
    /// The brand's own handles: never customers, never redacted.
    pub brands: Vec<String>,
    /// Who runs the import, for the audit log.
    pub actor: String,
    /// Records a batch (one transaction) holds at most.
    pub batch_size: usize,
    /// Where to write quarantined records; next to the input by default.
    pub quarantine: Option<PathBuf>,
    /// The themes each message is tagged with (a bit per theme, in order).
    pub taxonomy: Arc<Taxonomy>,
    /// How large one record may be: larger ones are quarantined as they
    /// are read, without being held.
    pub limits: Limits,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            format: None,
            mapping: None,
            brands: Vec::new(),
            actor: "cli".into(),
            batch_size: DEFAULT_BATCH,
            quarantine: None,
            taxonomy: Arc::new(Taxonomy::default_customer_care()),
            limits: Limits::default(),
        }
    }
}

/// Live counters, for a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    /// Size of the input in bytes.
    pub total_bytes: AtomicU64,
    /// Bytes read so far.
    pub bytes: AtomicU64,
    /// Records read so far.
    pub records: AtomicU64,
    /// Interactions stored so far.
    pub stored: AtomicU64,
}

/// What a batch did, counted once it is committed.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub(crate) struct Tally {
    subjects_created: u64,
    identities_linked: u64,
    brand_accounts_created: u64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.subjects_created += o.subjects_created;
        self.identities_linked += o.identities_linked;
        self.brand_accounts_created += o.brand_accounts_created;
    }
}

/// Interactions: what happened to each one read.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct InteractionCounts {
    /// Read without error.
    pub read: u64,
    /// Newly stored.
    pub stored: u64,
    /// Already stored (same platform and external id): skipped.
    pub already_stored: u64,
    /// About an erased customer: not stored.
    pub suppressed: u64,
    /// Deleted on the platform earlier: not stored.
    pub deleted_on_platform: u64,
}

/// Customers: what the import created or changed.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct SubjectCounts {
    /// Customers created.
    pub created: u64,
    /// Identifiers linked to customers that already existed.
    pub identities_linked: u64,
}

/// CRM contacts: what happened to each one read. Each row read is in
/// exactly one of `created`, `enriched`, `unchanged`, `conflicts`,
/// `suppressed`, or else quarantined.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct ContactCounts {
    /// Read without error.
    pub read: u64,
    /// Created a customer.
    pub created: u64,
    /// Added identifiers or a name to an existing customer.
    pub enriched: u64,
    /// Nothing new.
    pub unchanged: u64,
    /// Kept apart from a customer they share an identifier with, whose
    /// other identifiers conflict (a household's phone): the row created
    /// or enriched its own customer without the shared identifier, and the
    /// pair was recorded. A pair recorded by an earlier run is not counted
    /// again.
    pub conflicts: u64,
    /// Pairs kept apart by this run, by the kind of identifier shared
    /// (`phone`: 2); a row may be kept apart from more than one customer.
    pub shared: BTreeMap<String, u64>,
    /// The conflicts, at most [`contacts::LISTED_CONFLICTS`] of them.
    pub kept_apart: Vec<ConflictNote>,
    /// Identifiers of an erased customer: not stored.
    pub suppressed: u64,
}

/// Deletion notices.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct DeletionCounts {
    /// Notices read.
    pub read: u64,
    /// Stored interactions removed.
    pub removed: u64,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The input file.
    pub input: PathBuf,
    /// Its format.
    pub format: Format,
    /// Records read, quarantined ones included.
    pub records: u64,
    /// Interactions.
    pub interactions: InteractionCounts,
    /// Customers.
    pub subjects: SubjectCounts,
    /// CRM contacts.
    pub contacts: ContactCounts,
    /// Deletion notices.
    pub deletions: DeletionCounts,
    /// Brand accounts seen for the first time.
    pub brand_accounts_created: u64,
    /// Interactions whose conversation or brand account was filled in
    /// after the import from reply links.
    pub conversations_relinked: u64,
    /// Records quarantined.
    pub quarantined: u64,
    /// The quarantine file, when anything was quarantined.
    pub quarantine_file: Option<PathBuf>,
    /// Bytes read.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Records a second.
    pub records_per_second: f64,
}

/// Why an import stopped. Whatever was committed before stays; running the
/// same import again completes it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input cannot be opened.
    #[error("could not open `{path}`")]
    Open {
        /// the input
        path: PathBuf,
        /// why
        source: std::io::Error,
    },
    /// The input is not in a readable format.
    #[error("`{path}`")]
    Format {
        /// the input
        path: PathBuf,
        /// why
        source: FormatError,
    },
    /// The quarantine file cannot be written.
    #[error("could not write the quarantine file `{path}`")]
    Quarantine {
        /// the file
        path: PathBuf,
        /// why
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A data key could not be wrapped (the key directory could not be
    /// read again after a key rotation).
    #[error(transparent)]
    Keys(#[from] candor_store::KeyError),
    /// The reader thread could not be started.
    #[error("the import could not start its reader thread")]
    Reader(#[source] std::io::Error),
    /// A stage of the pipeline stopped unexpectedly.
    #[error("the import stopped: {0}")]
    Stopped(String),
}

/// Counts bytes as they are read.
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Open `path` and pick its format: the one asked for, or the one its
/// first line shows.
fn open_input(
    path: &Path,
    options: &ImportOptions,
    progress: &Arc<Progress>,
) -> Result<(Format, Box<dyn Iterator<Item = Record> + Send>), ImportError> {
    let open_err = |source| ImportError::Open { path: path.to_owned(), source };
    let format_err = |source| ImportError::Format { path: path.to_owned(), source };
    let mut file = File::open(path).map_err(open_err)?;
    let total = file.metadata().map_err(open_err)?.len();
    progress.total_bytes.store(total, Ordering::Relaxed);
    let mut head = Vec::with_capacity(64 << 10);
    (&mut file).take(64 << 10).read_to_end(&mut head).map_err(open_err)?;
    let format = match options.format {
        Some(f) => f,
        None => formats::guess(&head).map_err(format_err)?,
    };
    let input = Counting { inner: Cursor::new(head).chain(file), progress: Arc::clone(progress) };
    let records = formats::open(format, input, options.mapping.as_ref(), &options.brands, options.limits).map_err(format_err)?;
    Ok((format, records))
}

/// Import `path` into `store`. `now` stamps what is written.
pub async fn import(
    store: Arc<dyn Store>,
    keys: Arc<KeyRing>,
    path: &Path,
    options: ImportOptions,
    progress: Arc<Progress>,
    now: &(dyn Fn() -> OffsetDateTime + Send + Sync),
) -> Result<Summary, ImportError> {
    let started = Instant::now();
    let (format, records) = open_input(path, &options, &progress)?;
    let platform = match (format, &options.mapping) {
        (Format::Jsonl | Format::Csv, Some(m)) => m.platform.clone(),
        _ => PLATFORM_X.to_owned(),
    };
    let quarantine_path = options.quarantine.clone().unwrap_or_else(|| quarantine::path_for(path));
    let quarantine =
        Quarantine::new(quarantine_path.clone()).map_err(|source| ImportError::Quarantine { path: quarantine_path, source })?;

    // The reader runs on its own thread, a couple of batches ahead.
    let (tx, mut rx) = mpsc::channel::<Vec<Record>>(2);
    let batch_size = options.batch_size.max(1);
    let reader_progress = Arc::clone(&progress);
    let reader = std::thread::Builder::new()
        .name("candor-import-reader".into())
        .spawn(move || read_batches(records, batch_size, &tx, &reader_progress))
        .map_err(ImportError::Reader)?;

    let deferred = defer_indexes(store.as_ref(), format, progress.total_bytes.load(Ordering::Relaxed)).await?;
    let result = async {
        let mut run = Run::new(Arc::clone(&store), keys, &options, format, platform, path, quarantine, Arc::clone(&progress), now).await?;
        let consumed = run.consume(&mut rx).await;
        // Stop the reader whatever happened, then report the first failure.
        drop(rx);
        let joined = reader.join();
        consumed?;
        joined.map_err(|_| ImportError::Stopped("the reader thread failed".into()))?;
        run.finish(started).await
    }
    .await;
    if deferred {
        // Rebuilt after a failure too; if this fails, the next open does it.
        let rebuilt = store.defer_indexes(false).await;
        if result.is_ok() {
            rebuilt?;
        }
    }
    result
}

/// Bytes of input an interaction takes, roughly, in the formats read.
const BYTES_PER_INTERACTION: u64 = 128;
/// Fewer incoming interactions than this are loaded with indexes in place.
const DEFER_FROM: u64 = 50_000;

/// Drop the indexes that slow bulk loads when the input is large and
/// at least as large as what is stored: rebuilding them once, sorted,
/// costs less than keeping them up to date row by row.
async fn defer_indexes(store: &dyn Store, format: Format, bytes: u64) -> Result<bool, ImportError> {
    if matches!(format, Format::Contacts | Format::Deletions) {
        return Ok(false);
    }
    let incoming = bytes / BYTES_PER_INTERACTION;
    if incoming < DEFER_FROM || incoming < store.interaction_count().await? {
        return Ok(false);
    }
    store.defer_indexes(true).await?;
    Ok(true)
}

/// A customer's stored name (`sealed`, if they have one), decrypted.
fn stored_name(s: SubjectId, key: &candor_store::DataKey, sealed: Option<&Vec<u8>>) -> Result<Option<String>, ImportError> {
    let Some(sealed) = sealed else { return Ok(None) };
    let plain = key
        .open(&candor_store::attribute_context(&s, "name"), sealed)
        .map_err(|e| StoreError::undecodable(format!("the name of subject {s}"), e))?;
    Ok(String::from_utf8(plain).ok())
}

fn read_batches(records: Box<dyn Iterator<Item = Record> + Send>, size: usize, tx: &mpsc::Sender<Vec<Record>>, progress: &Progress) {
    let mut batch = Vec::with_capacity(size);
    let mut bytes = 0usize;
    for r in records {
        progress.records.fetch_add(1, Ordering::Relaxed);
        bytes += match &r {
            Record::Interaction(d) => d.text.len(),
            Record::Bad(q) => q.raw.len(),
            Record::Contact(c) => c.raw.len(),
            Record::Deletion(_) => 32,
        };
        batch.push(r);
        if batch.len() >= size || bytes >= BATCH_BYTES {
            if tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(size))).is_err() {
                return;
            }
            bytes = 0;
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(batch);
    }
}

/// An item attributed, before its data key is fetched.
struct Placed {
    draft: Draft,
    subject: Option<SubjectId>,
    account: Option<String>,
    conversation: Option<String>,
}

/// A parent item as far as attribution needs it.
#[derive(Clone, Debug)]
struct Parent {
    subject: Option<SubjectId>,
    conversation: Option<String>,
}

/// One import's state.
struct Run<'a> {
    store: Arc<dyn Store>,
    ids: Identities,
    enricher: Arc<Enricher>,
    writer: Writer,
    quarantine: Quarantine,
    progress: Arc<Progress>,
    recent: LruCache<(String, String), Parent>,
    now: &'a (dyn Fn() -> OffsetDateTime + Send + Sync),
    actor: String,
    source: String,
    format: Format,
    input: PathBuf,
    seq: u64,
    /// Operations to put in the next write (brand accounts declared up front).
    carry: Vec<Op>,
    carry_tally: Tally,
    records: u64,
    interactions: InteractionCounts,
    contacts: ContactCounts,
    deletions: DeletionCounts,
}

impl<'a> Run<'a> {
    #[allow(clippy::too_many_arguments, reason = "one constructor, called once, with the import's whole context")]
    async fn new(
        store: Arc<dyn Store>,
        keys: Arc<KeyRing>,
        options: &ImportOptions,
        format: Format,
        platform: String,
        input: &Path,
        quarantine: Quarantine,
        progress: Arc<Progress>,
        now: &'a (dyn Fn() -> OffsetDateTime + Send + Sync),
    ) -> Result<Self, ImportError> {
        let mut ids = Identities::new(Arc::clone(&store), keys).await?;
        let mut carry = Vec::new();
        let mut carry_tally = Tally::default();
        let mut declared: Vec<&str> = options.brands.iter().map(String::as_str).collect();
        if let Some(m) = &options.mapping {
            declared.extend(m.brand.accounts.iter().map(String::as_str));
        }
        for b in declared {
            let handle = b.trim().trim_start_matches('@').to_lowercase();
            if handle.is_empty() {
                continue;
            }
            if let Some(op) = ids.declare_brand(&platform, &handle, now())? {
                carry.push(op);
                carry_tally.brand_accounts_created += 1;
            }
        }
        let source = input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(Self {
            writer: Writer::spawn(Arc::clone(&store), Arc::clone(&progress)),
            store,
            ids,
            enricher: Arc::new(Enricher::new(&options.taxonomy)),
            quarantine,
            progress,
            recent: LruCache::new(NonZeroUsize::new(RECENT_ITEMS).unwrap_or(NonZeroUsize::MIN)),
            now,
            actor: options.actor.clone(),
            source,
            format,
            input: input.to_owned(),
            seq: 0,
            carry,
            carry_tally,
            records: 0,
            interactions: InteractionCounts::default(),
            contacts: ContactCounts::default(),
            deletions: DeletionCounts::default(),
        })
    }

    fn quarantine(&mut self, q: &Quarantined) -> Result<(), ImportError> {
        self.quarantine.push(q).map_err(|source| ImportError::Quarantine { path: self.quarantine.path().to_owned(), source })
    }

    async fn consume(&mut self, rx: &mut mpsc::Receiver<Vec<Record>>) -> Result<(), ImportError> {
        while let Some(batch) = rx.recv().await {
            self.records += batch.len() as u64;
            let (mut drafts, mut contacts, mut deletions) = (Vec::new(), Vec::new(), Vec::new());
            for r in batch {
                match r {
                    Record::Interaction(d) => drafts.push(*d),
                    Record::Contact(c) => contacts.push(c),
                    Record::Deletion(d) => deletions.push(d),
                    Record::Bad(q) => self.quarantine(&q)?,
                }
            }
            if !drafts.is_empty() {
                self.interactions(drafts).await?;
            }
            if !contacts.is_empty() {
                self.contacts(contacts).await?;
            }
            if !deletions.is_empty() {
                self.deletions(deletions).await?;
            }
        }
        Ok(())
    }

    fn audit(&self, action: &str, detail: serde_json::Value) -> AuditRecord {
        AuditRecord::new((self.now)(), self.actor.clone(), action, detail)
    }

    /// Queue a write of `ops` (after any carried operations), with its audit
    /// entry; nothing is written when there is nothing to write.
    async fn write(&mut self, ops: Vec<Op>, tally: Tally, action: &str, detail: serde_json::Value) -> Result<(), ImportError> {
        self.write_with(ops, None, tally, action, detail).await
    }

    /// [`Run::write`], with interactions still being enriched.
    async fn write_with(
        &mut self,
        ops: Vec<Op>,
        rows: Option<tokio::task::JoinHandle<Vec<candor_store::InteractionRecord>>>,
        mut tally: Tally,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<(), ImportError> {
        let mut all = std::mem::take(&mut self.carry);
        tally.add(&std::mem::take(&mut self.carry_tally));
        all.extend(ops);
        if all.is_empty() && rows.is_none() {
            return Ok(());
        }
        let audit = self.audit(action, detail);
        self.writer.send(Write { seq: self.seq, batch: WriteBatch { ops: all, audit: vec![audit] }, tally, rows }).await?;
        Ok(())
    }

    /// The next batch number; first forget pending marks of committed ones.
    fn next_seq(&mut self) -> u64 {
        self.ids.committed(self.writer.committed());
        self.seq += 1;
        self.seq
    }

    async fn interactions(&mut self, drafts: Vec<Draft>) -> Result<(), ImportError> {
        let seq = self.next_seq();
        let at = (self.now)();
        self.interactions.read += drafts.len() as u64;

        // Items twice in a batch: the first counts.
        let mut seen = HashSet::with_capacity(drafts.len());
        let mut fresh = Vec::with_capacity(drafts.len());
        for d in drafts {
            if seen.insert((d.platform.clone(), d.external_id.clone())) {
                fresh.push(d);
            } else {
                self.interactions.already_stored += 1;
            }
        }

        // What the store has of these items and of the items they answer.
        let mut by_platform: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in &fresh {
            let ids = by_platform.entry(d.platform.clone()).or_default();
            ids.push(d.external_id.clone());
            if let Some(p) = &d.reply_to {
                if !seen.contains(&(d.platform.clone(), p.clone())) && !self.recent.contains(&(d.platform.clone(), p.clone())) {
                    ids.push(p.clone());
                }
            }
        }
        let mut stored: HashMap<(String, String), Parent> = HashMap::new();
        let mut tombstoned: HashSet<(String, String)> = HashSet::new();
        for (platform, ids) in &by_platform {
            for l in self.store.interaction_links(platform, ids).await? {
                stored.insert((platform.clone(), l.external_id), Parent { subject: l.subject, conversation: l.conversation_id });
            }
            let own: Vec<String> = fresh
                .iter()
                .filter(|d| &d.platform == platform && !stored.contains_key(&(platform.clone(), d.external_id.clone())))
                .map(|d| d.external_id.clone())
                .collect();
            if !own.is_empty() {
                tombstoned.extend(self.store.tombstoned(platform, &own).await?.into_iter().map(|id| (platform.clone(), id)));
            }
        }
        let mut todo = Vec::with_capacity(fresh.len());
        for d in fresh {
            let key = (d.platform.clone(), d.external_id.clone());
            if let Some(p) = stored.get(&key) {
                self.interactions.already_stored += 1;
                self.recent.put(key, p.clone());
            } else if tombstoned.contains(&key) {
                self.interactions.deleted_on_platform += 1;
            } else {
                todo.push(d);
            }
        }
        if todo.is_empty() {
            return Ok(());
        }

        // Brand accounts writing in this batch.
        let mut ops = Vec::new();
        let mut tally = Tally::default();
        let mut new_accounts = Vec::new();
        for d in &todo {
            if let Author::Brand(handle) = &d.author {
                if let (_, Some(op)) = self.ids.account(&d.platform, handle, at)? {
                    ops.push(op);
                    tally.brand_accounts_created += 1;
                    new_accounts.push(format!("{}:{handle}", d.platform));
                }
            }
        }

        // Every identifier that may name a customer: authors, and whom a
        // brand's reply mentions first.
        let mut wanted: Vec<Identifier> = Vec::new();
        for d in &todo {
            match &d.author {
                Author::Customer { identifiers, .. } => wanted.extend(identifiers.iter().cloned()),
                Author::Brand(_) => {
                    if let Some(h) = self.mention(d) {
                        wanted.push(h);
                    }
                }
            }
        }
        let mut index: HashMap<Identifier, Vec<u8>> = HashMap::with_capacity(wanted.len());
        for i in wanted {
            index.entry(i).or_insert_with_key(|i| self.ids.blind_index(i));
        }
        let blind: Vec<Vec<u8>> = index.values().cloned().collect();
        let mut standing = self.ids.standings(&blind).await?;

        // Attribute each item, in input order, so an item sees the subjects
        // and conversations of those before it.
        let mut created: Vec<String> = Vec::new();
        let mut links: Vec<(SubjectId, Identifier)> = Vec::new();
        let mut in_batch: HashMap<(String, String), Parent> = HashMap::new();
        let mut placed: Vec<Placed> = Vec::with_capacity(todo.len());
        for d in todo {
            let parent_key = d.reply_to.as_ref().map(|p| (d.platform.clone(), p.clone()));
            let parent = parent_key
                .as_ref()
                .and_then(|k| in_batch.get(k).or_else(|| stored.get(k)).cloned().or_else(|| self.recent.get(k).cloned()));
            let (subject, account) = match &d.author {
                Author::Customer { identifiers, name } => {
                    let Some(s) =
                        self.customer(identifiers, name.as_deref(), &index, &mut standing, &mut ops, &mut created, &mut links, at, seq)?
                    else {
                        self.interactions.suppressed += 1;
                        continue;
                    };
                    let platform = d.platform.clone();
                    let account = first_mention(&d.text, |h| !self.ids.is_brand(&platform, h));
                    (Some(s), account)
                }
                Author::Brand(handle) => {
                    let subject = match &parent {
                        Some(p) => p.subject,
                        None => match self.mention(&d) {
                            Some(m) => {
                                match self.customer(&[m], None, &index, &mut standing, &mut ops, &mut created, &mut links, at, seq)? {
                                    Some(s) => Some(s),
                                    None => {
                                        self.interactions.suppressed += 1;
                                        continue;
                                    }
                                }
                            }
                            None => None,
                        },
                    };
                    (subject, Some(handle.clone()))
                }
            };
            // The conversation: as the platform says, else the item itself
            // when it answers nothing, else its parent's; unknown (linked
            // later) while the parent or its conversation is.
            let conversation = match (&d.conversation_id, &d.reply_to) {
                (Some(c), _) => Some(c.clone()),
                (None, None) => Some(d.external_id.clone()),
                (None, Some(_)) => parent.as_ref().and_then(|p| p.conversation.clone()),
            };
            let me = Parent { subject, conversation: conversation.clone() };
            in_batch.insert((d.platform.clone(), d.external_id.clone()), me.clone());
            self.recent.put((d.platform.clone(), d.external_id.clone()), me);
            placed.push(Placed { draft: d, subject, account, conversation });
        }
        tally.subjects_created += created.len() as u64;

        // Data keys: each customer's, or the brand account's for items
        // about no customer.
        let mut wanted_keys: HashSet<SubjectId> = placed.iter().filter_map(|p| p.subject).collect();
        wanted_keys.extend(links.iter().map(|(s, _)| *s));
        let keys = self.ids.subject_keys(&wanted_keys).await?;
        for (s, i) in &links {
            if let Some(k) = keys.get(s) {
                ops.push(Op::AddIdentities { subject: *s, identities: vec![SealedIdentity::seal(self.ids.keys(), k, s, i)] });
                tally.identities_linked += 1;
            }
        }
        let mut jobs = Vec::with_capacity(placed.len());
        for Placed { draft, subject, account, conversation: conversation_id } in placed {
            let key = match (subject, &draft.author) {
                (Some(s), _) => keys.get(&s).cloned(),
                (None, Author::Brand(h)) => Some(self.ids.account(&draft.platform, h, at)?.0),
                (None, Author::Customer { .. }) => None,
            };
            let Some(key) = key else {
                return Err(ImportError::Stopped(format!("line {}: no data key for the item", draft.line)));
            };
            jobs.push(Job { draft, subject, account, conversation_id, key });
        }

        // The CPU stage, off the async threads; the writer waits for it
        // while this thread prepares the next batch.
        let enricher = Arc::clone(&self.enricher);
        let brands = self.ids.brand_handles();
        let offered = jobs.len();
        let rows = tokio::task::spawn_blocking(move || enricher.run(jobs, &brands));
        let detail = json!({
            "source": self.source,
            "format": self.format,
            "batch": seq,
            "interactions": offered,
            "subjects_created": created,
            "identities_linked": tally.identities_linked,
            "brand_accounts_created": new_accounts,
        });
        self.write_with(ops, Some(rows), tally, "import.batch", detail).await
    }

    /// The customer a brand's reply answers, by its first mention of
    /// someone other than a brand account.
    fn mention(&self, d: &Draft) -> Option<Identifier> {
        let Author::Brand(me) = &d.author else { return None };
        let h = first_mention(&d.text, |h| h == me || self.ids.is_brand(&d.platform, h))?;
        Identifier::handle(&d.platform, &h).ok()
    }

    /// The subject these identifiers name: the first one known wins, new
    /// identifiers are linked to it; when none is known a subject is
    /// created, unless an identifier belonged to an erased subject
    /// (`None`: suppressed).
    #[allow(clippy::too_many_arguments, reason = "the per-batch accumulators, kept local to the batch")]
    fn customer(
        &mut self,
        identifiers: &[Identifier],
        name: Option<&str>,
        index: &HashMap<Identifier, Vec<u8>>,
        standing: &mut HashMap<Vec<u8>, Standing>,
        ops: &mut Vec<Op>,
        created: &mut Vec<String>,
        links: &mut Vec<(SubjectId, Identifier)>,
        at: OffsetDateTime,
        seq: u64,
    ) -> Result<Option<SubjectId>, ImportError> {
        let mut known = None;
        let mut suppressed = false;
        let mut unknown: Vec<(&Identifier, Vec<u8>)> = Vec::new();
        for i in identifiers {
            let b = index.get(i).cloned().unwrap_or_else(|| self.ids.blind_index(i));
            match standing.get(&b).copied().unwrap_or(Standing::Unknown) {
                Standing::Known(s) => known = known.or(Some(s)),
                Standing::Suppressed => suppressed = true,
                Standing::Unknown => unknown.push((i, b)),
            }
        }
        match known {
            Some(s) => {
                for (i, b) in unknown {
                    self.ids.link(b.clone(), s, seq);
                    standing.insert(b, Standing::Known(s));
                    links.push((s, i.clone()));
                }
                Ok(Some(s))
            }
            None if suppressed => Ok(None),
            None => {
                let all: Vec<Identifier> = unknown.iter().map(|(i, _)| (*i).clone()).collect();
                let (s, op, pseudonym) = self.ids.create(&all, name, at, seq)?;
                for (_, b) in unknown {
                    standing.insert(b, Standing::Known(s));
                }
                ops.push(op);
                created.push(pseudonym);
                Ok(Some(s))
            }
        }
    }

    async fn deletions(&mut self, notices: Vec<Deletion>) -> Result<(), ImportError> {
        let seq = self.next_seq();
        let at = (self.now)();
        self.deletions.read += notices.len() as u64;
        let mut by_platform: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for n in notices {
            self.recent.pop(&(n.platform.clone(), n.external_id.clone()));
            by_platform.entry(n.platform).or_default().push(n.external_id);
        }
        let count: usize = by_platform.values().map(Vec::len).sum();
        let ops = by_platform.into_iter().map(|(platform, external_ids)| Op::DeleteInteractions { platform, external_ids, at }).collect();
        let detail = json!({ "source": self.source, "format": self.format, "batch": seq, "notices": count });
        self.write(ops, Tally::default(), "import.deletions", detail).await
    }

    /// Commit what is queued, link conversations across batches, and sum up.
    async fn finish(mut self, started: Instant) -> Result<Summary, ImportError> {
        self.quarantine.finish().map_err(|source| ImportError::Quarantine { path: self.quarantine.path().to_owned(), source })?;
        let quarantined = self.quarantine.count();
        self.seq += 1;
        let mut ops = Vec::new();
        if self.interactions.read > 0 {
            // Also after a run that stored nothing: the run it completes
            // may have been killed before linking.
            ops.push(Op::LinkConversations);
        }
        let detail = json!({
            "source": self.source,
            "format": self.format,
            "records": self.records,
            "quarantined": quarantined,
            "interactions": self.interactions.read,
            "contacts": self.contacts.read,
            "deletion_notices": self.deletions.read,
        });
        if !ops.is_empty() || !self.carry.is_empty() {
            self.write(ops, Tally::default(), "import.run", detail).await?;
        }
        let Run { writer, progress, mut interactions, contacts, mut deletions, format, input, records, quarantine, .. } = self;
        let written = writer.finish().await?;
        interactions.stored = written.stored;
        interactions.already_stored += written.already_stored;
        deletions.removed = written.removed;
        let seconds = started.elapsed().as_secs_f64();
        Ok(Summary {
            input,
            format,
            records,
            interactions,
            subjects: SubjectCounts { created: written.tally.subjects_created, identities_linked: written.tally.identities_linked },
            contacts,
            deletions,
            brand_accounts_created: written.tally.brand_accounts_created,
            conversations_relinked: written.relinked,
            quarantined,
            quarantine_file: (quarantined > 0).then(|| quarantine.path().to_owned()),
            bytes: progress.bytes.load(Ordering::Relaxed),
            seconds,
            records_per_second: if seconds > 0.0 { records as f64 / seconds } else { 0.0 },
        })
    }
}
