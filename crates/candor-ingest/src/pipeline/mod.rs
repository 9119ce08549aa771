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
//!
//! Where each part lives: `input.rs` opens the file and cuts it into
//! batches; `interactions.rs`, `contacts.rs` and `deletions.rs` import each
//! kind of record; `identity.rs` resolves identifiers to subjects;
//! `enrich.rs` is the CPU stage; `writer.rs` commits; `summary.rs` counts.

mod contacts;
mod deletions;
mod enrich;
mod identity;
mod input;
mod interactions;
pub mod quarantine;
mod summary;
mod writer;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use candor_analytics::themes::Taxonomy;
use candor_domain::SubjectId;
use candor_store::{AuditRecord, KeyRing, Op, Store, StoreError, WriteBatch};
use lru::LruCache;
use serde_json::json;
use time::OffsetDateTime;
use tokio::sync::mpsc;

pub use self::contacts::{ConflictNote, LISTED_CONFLICTS};
use self::enrich::Enricher;
use self::identity::Identities;
use self::input::{open_input, read_batches};
use self::quarantine::Quarantine;
pub(crate) use self::summary::Tally;
pub use self::summary::{ContactCounts, DeletionCounts, InteractionCounts, Progress, SubjectCounts, Summary};
use self::writer::{Write, Writer};
use crate::formats::{mapped::Mapping, Format, FormatError, Limits, PLATFORM_X};
use crate::record::{Quarantined, Record};

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
    /// The region a contact's phone written without a country code is
    /// taken in (`identity.default_region`); without one such a contact
    /// is quarantined, saying so.
    pub phone_region: Option<candor_domain::PhoneRegion>,
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
            phone_region: None,
        }
    }
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
