//! Importing platform deletion notices: the items named are deleted, and
//! never stored again by a later import.

use std::collections::BTreeMap;

use candor_store::Op;
use serde_json::json;

use super::{ImportError, Run, Tally};
use crate::record::Deletion;

impl Run<'_> {
    pub(super) async fn deletions(&mut self, notices: Vec<Deletion>) -> Result<(), ImportError> {
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
}
