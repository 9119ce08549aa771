//! Importing social interactions, CRM contacts and platform deletion
//! notices: the pipeline of `candor-ingest` over this installation's store,
//! keys and clock.

use std::path::Path;
use std::sync::Arc;

pub use candor_ingest::{ImportOptions, Progress, Summary};

use crate::{Candor, Result};

impl Candor {
    /// Import the file at `path` as `options.actor`. `progress` is updated
    /// as the import goes, for a progress bar. Contacts' national phone
    /// numbers are taken in the configured region unless `options` names
    /// one.
    pub async fn import(&self, path: &Path, mut options: ImportOptions, progress: Arc<Progress>) -> Result<Summary> {
        if options.phone_region.is_none() {
            options.phone_region = self.phone_region.clone();
        }
        let clock = self.clock.clone();
        let now = move || clock.now();
        let s = candor_ingest::import(Arc::clone(&self.store), Arc::clone(&self.keys), path, options, progress, &now).await?;
        metrics::counter!(crate::telemetry::IMPORT_INTERACTIONS, "outcome" => "stored").increment(s.interactions.stored);
        metrics::counter!(crate::telemetry::IMPORT_RECORDS, "outcome" => "quarantined").increment(s.quarantined);
        metrics::counter!(crate::telemetry::IMPORT_RECORDS, "outcome" => "read").increment(s.records);
        Ok(s)
    }
}
