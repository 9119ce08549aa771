//! Reading the input: opening the file, telling its format, counting the
//! bytes read for progress, and cutting its records into batches.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::{ImportError, ImportOptions, Progress, BATCH_BYTES};
use crate::formats::{self, Format};
use crate::record::Record;

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
pub(super) fn open_input(
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
    let records = formats::open(format, input, options.mapping.as_ref(), &options.brands, options.limits, options.phone_region.as_ref())
        .map_err(format_err)?;
    Ok((format, records))
}

pub(super) fn read_batches(
    records: Box<dyn Iterator<Item = Record> + Send>,
    size: usize,
    tx: &mpsc::Sender<Vec<Record>>,
    progress: &Progress,
) {
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
