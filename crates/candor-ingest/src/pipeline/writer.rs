//! The writer: one task that commits the import's batches in order, each in
//! one transaction, while the next batch is being prepared.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use candor_store::{InteractionRecord, Op, Outcome, Store, StoreError, WriteBatch};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::{Progress, Tally};

/// One batch to commit and what to count once it is.
pub(crate) struct Write {
    pub seq: u64,
    pub batch: WriteBatch,
    pub tally: Tally,
    /// Interactions still in the CPU stage: inserted after `batch.ops`
    /// when ready, so the next batch is prepared meanwhile.
    pub rows: Option<JoinHandle<Vec<InteractionRecord>>>,
}

/// What the writer counted from the store's answers.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Written {
    /// Interactions inserted.
    pub stored: u64,
    /// Interactions offered but already stored.
    pub already_stored: u64,
    /// Interactions removed after deletion notices.
    pub removed: u64,
    /// Rows a conversation link changed.
    pub relinked: u64,
    /// What the batches said they did, summed over those committed.
    pub tally: Tally,
}

/// Batches a run commits before the planner's statistics are first
/// refreshed; then again each time the count doubles (a few times in all:
/// 1,000,000 lines are 200 batches). Counted in batches, not interactions,
/// so that contacts and identities, which grow their own tables, count too.
const REFRESH_FIRST: u64 = 2;

/// Handle on the writer task.
pub(crate) struct Writer {
    tx: Option<mpsc::Sender<Write>>,
    committed: watch::Receiver<u64>,
    task: Option<JoinHandle<Result<Written, StoreError>>>,
    sent: u64,
}

impl Writer {
    pub(crate) fn spawn(store: Arc<dyn Store>, progress: Arc<Progress>) -> Self {
        // One batch waiting while one commits: enough to keep both sides
        // busy, little enough to bound memory.
        let (tx, mut rx) = mpsc::channel::<Write>(1);
        let (done, committed) = watch::channel(0u64);
        let task = tokio::spawn(async move {
            let mut written = Written::default();
            let mut batches = 0u64;
            let mut refresh_at = REFRESH_FIRST;
            let mut refreshed = 0u64;
            while let Some(mut w) = rx.recv().await {
                if let Some(rows) = w.rows.take() {
                    let rows =
                        rows.await.map_err(|e| StoreError::Failed { what: "the redaction stage failed".into(), source: Box::new(e) })?;
                    w.batch.ops.push(Op::InsertInteractions(rows));
                }
                let kinds: Vec<Option<usize>> = w
                    .batch
                    .ops
                    .iter()
                    .map(|op| match op {
                        Op::InsertInteractions(rows) => Some(rows.len()),
                        _ => None,
                    })
                    .collect();
                let deletes: Vec<bool> = w.batch.ops.iter().map(|op| matches!(op, Op::DeleteInteractions { .. })).collect();
                let links: Vec<bool> = w.batch.ops.iter().map(|op| matches!(op, Op::LinkConversations)).collect();
                let outcomes = store.apply(w.batch).await?;
                for (i, outcome) in outcomes.into_iter().enumerate() {
                    let Outcome::Count(n) = outcome else { continue };
                    if let Some(Some(offered)) = kinds.get(i) {
                        written.stored += n;
                        written.already_stored += (*offered as u64).saturating_sub(n);
                        progress.stored.fetch_add(n, Ordering::Relaxed);
                    } else if deletes.get(i) == Some(&true) {
                        written.removed += n;
                    } else if links.get(i) == Some(&true) {
                        written.relinked += n;
                    }
                }
                written.tally.add(&w.tally);
                batches += 1;
                if batches == refresh_at {
                    store.refresh_statistics().await?;
                    refreshed = batches;
                    refresh_at = refresh_at.saturating_mul(2);
                }
                done.send_replace(w.seq);
            }
            // Once more at the end, so that the last batches are counted
            // (and, on PostgreSQL, readable from the indexes alone) too.
            if batches > refreshed {
                store.refresh_statistics().await?;
            }
            Ok(written)
        });
        Self { tx: Some(tx), committed, task: Some(task), sent: 0 }
    }

    /// The highest batch number committed.
    pub(crate) fn committed(&self) -> u64 {
        *self.committed.borrow()
    }

    /// Queue a batch; waits while one is already waiting.
    pub(crate) async fn send(&mut self, w: Write) -> Result<(), StoreError> {
        let seq = w.seq;
        let sent = match &self.tx {
            Some(tx) => tx.send(w).await.is_ok(),
            None => false,
        };
        if !sent {
            // The writer stopped: it failed; its error says why.
            return Err(self.failure().await);
        }
        self.sent = seq;
        Ok(())
    }

    /// Wait until every queued batch is committed.
    pub(crate) async fn flush(&mut self) -> Result<(), StoreError> {
        let target = self.sent;
        if self.committed.wait_for(|c| *c >= target).await.is_err() {
            return Err(self.failure().await);
        }
        Ok(())
    }

    /// Commit what is queued and return the counts.
    pub(crate) async fn finish(mut self) -> Result<Written, StoreError> {
        self.tx = None;
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(stopped(e))),
            None => Err(StoreError::Inconsistent("the import's writer already failed".into())),
        }
    }

    async fn failure(&mut self) -> StoreError {
        self.tx = None;
        match self.task.take() {
            Some(task) => match task.await {
                Ok(Err(e)) => e,
                Ok(Ok(_)) => StoreError::Inconsistent("the import's writer stopped early".into()),
                Err(e) => stopped(e),
            },
            None => StoreError::Inconsistent("the import's writer already failed".into()),
        }
    }
}

/// The writer task panicked or was cancelled.
fn stopped(e: tokio::task::JoinError) -> StoreError {
    StoreError::Failed { what: "the import's writer stopped".into(), source: Box::new(e) }
}
