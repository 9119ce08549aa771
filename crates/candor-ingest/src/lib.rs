//! Getting social-media interactions into candor: readers for real export
//! formats, and the pipeline that resolves identities, redacts, detects
//! language, encrypts and stores them in batches, streaming, idempotent and
//! resumable, with nothing dropped silently.
#![deny(missing_docs)]

pub mod demo_data;
pub mod formats;
pub mod pipeline;
pub mod record;

pub use formats::{guess, Format, FormatError, Limits};
pub use pipeline::{import, ImportError, ImportOptions, Progress, Summary};
pub use record::{Author, Contact, Deletion, Draft, Kind, Quarantined, Record};
