//! Erasure (GDPR Art. 17, CCPA's right to delete): everything held about
//! the customer goes in one transaction with their data key, unless a legal
//! hold keeps part of it (then that part is restricted); recipients are
//! told (Art. 19) by pseudonym; the identifiers stay suppressed so that a
//! later import does not bring the customer back; bundles the server wrote
//! for them are removed.

use std::path::Path;

use candor_domain::{CategoryCount, CategoryId, ConsentAction, KeptData, PolicyContext, RequestResult, RightKind};
use candor_store::{ErasedCounts, Op, RightsRequestRecord, SubjectRecord};
use serde_json::json;
use time::Duration;

use super::execute::{notices, Work};
use crate::subjects::{sealed_fields, SealedField};
use crate::{AuditAction, Candor, Result, ServiceError};

impl Candor {
    /// Empty SQLite's write-ahead log of deleted data's earlier bytes,
    /// after a delete answered [`candor_store::StoreError::PurgePending`]
    /// because a reader held the database (nothing to do on PostgreSQL).
    pub async fn purge_deleted(&self) -> Result<()> {
        Ok(self.store.purge_deleted().await?)
    }
}

impl Candor {
    /// Erasure: everything, unless a legal hold keeps part of it; then the
    /// rest is deleted and what is kept is restricted.
    pub(super) async fn erasure_work(
        &self,
        actor: &str,
        ctx: &PolicyContext,
        r: &RightsRequestRecord,
        s: &SubjectRecord,
        bundles_dir: Option<&Path>,
    ) -> Result<Work> {
        let now = self.now();
        let holds = self.active_holds(ctx, s.id, now).await?;
        let fields = sealed_fields(s)?;
        let interactions = self.store.subject_interactions(s.id).await?;
        let held = |c: &CategoryId| holds.iter().any(|(_, p)| p.categories.iter().any(|pc| pc.covers(c)));
        let content = [CategoryId::new("user.content.public"), CategoryId::new("user.content.private")];
        let keep_interactions = !holds.is_empty() && !interactions.is_empty() && content.iter().any(held);
        let (kept_fields, gone_fields): (Vec<&SealedField>, Vec<&SealedField>) =
            fields.iter().partition(|f| !holds.is_empty() && held(&f.category));

        let mut result = RequestResult::default();
        let mut deleted = count_fields(&gone_fields);
        if !keep_interactions && !interactions.is_empty() {
            deleted.push(CategoryCount {
                what: "interactions".into(),
                category: "user.content".into(),
                records: interactions.len() as u64,
            });
        }
        // Questions and concerns they raised are what they wrote to us:
        // they go with the rest of their content.
        let concerns = self.store.concern_count(s.id).await?;
        if !keep_interactions && concerns > 0 {
            deleted.push(CategoryCount { what: "concerns".into(), category: "user.content.private".into(), records: concerns });
        }
        let (state, notified) = self.sharing(ctx, s).await?;
        let categories: Vec<&str> = deleted.iter().map(|d| d.category.as_str()).collect();
        let notices =
            notices(ctx, "erasure_notice", r, &notified, &categories, "GDPR Art. 17 and 19: erase the data named and confirm", now);
        let mut ops = vec![Op::QueueMessages(notices)];
        let mut audit = Vec::new();
        if holds.is_empty() {
            let suppress = fields.iter().filter_map(|f| f.blind_index.clone()).collect();
            ops.push(Op::EraseSubject { subject: s.id, suppress, at: now });
            result.summary.push(format!(
                "We erased your data: {} interaction(s), {} identifier(s) and {} profile field(s), and destroyed the key that encrypted it.",
                interactions.len(),
                gone_fields.iter().filter(|f| f.blind_index.is_some()).count(),
                gone_fields.iter().filter(|f| f.blind_index.is_none()).count()
            ));
            result
                .summary
                .push("Your identifiers are remembered only as a keyed hash, so that a later import does not bring your data back.".into());
        } else {
            let attributes = gone_fields.iter().filter(|f| f.blind_index.is_none()).map(|f| f.field.clone()).collect();
            let identities: Vec<Vec<u8>> = gone_fields.iter().filter_map(|f| f.blind_index.clone()).collect();
            ops.push(Op::RemoveFields { subject: s.id, attributes, identities: identities.clone() });
            ops.push(Op::Suppress { blind_indexes: identities, at: now });
            if !keep_interactions && !interactions.is_empty() {
                let mut by_platform: std::collections::BTreeMap<&str, Vec<String>> = std::collections::BTreeMap::new();
                for i in &interactions {
                    by_platform.entry(&i.platform).or_default().push(i.external_id.clone());
                }
                for (platform, external_ids) in by_platform {
                    ops.push(Op::DeleteInteractions { platform: platform.to_owned(), external_ids, at: now });
                }
            }
            if !keep_interactions && concerns > 0 {
                ops.push(Op::DeleteConcerns { subject: s.id });
            }
            if !state.restricted {
                let (op, a) = self.ledger_event(actor, ctx, r, None, ConsentAction::Restrict, now);
                ops.push(op);
                audit.push(a);
            }
            for (hold, purpose) in &holds {
                let until = hold.placed_at + Duration::days(i64::from(purpose.retention_days));
                let mut kept: Vec<&CategoryId> = kept_fields.iter().map(|f| &f.category).collect();
                if keep_interactions {
                    kept.extend(content.iter());
                }
                kept.sort();
                kept.dedup();
                for c in kept.into_iter().filter(|c| purpose.categories.iter().any(|pc| pc.covers(c))) {
                    result.kept.push(KeptData {
                        category: c.to_string(),
                        purpose: purpose.id.to_string(),
                        why: format!("{} ({})", purpose.description, hold.reason),
                        until,
                    });
                }
                result.summary.push(format!(
                    "We must keep some of your data until {} at the latest for \"{}\": {}. Until then it is restricted: stored, and used for nothing else.",
                    until.date(),
                    purpose.name,
                    hold.reason
                ));
            }
            result.summary.push(format!("Everything else was deleted ({} record(s)).", deleted.iter().map(|d| d.records).sum::<u64>()));
        }
        result.bundles_elsewhere = self.bundles_elsewhere(s.id, bundles_dir).await?;
        if !result.bundles_elsewhere.is_empty() {
            result.summary.push(format!(
                "{} cop{} of your data that we exported earlier at your request {} outside this system; our staff are responsible for deleting {}.",
                result.bundles_elsewhere.len(),
                if result.bundles_elsewhere.len() == 1 { "y" } else { "ies" },
                if result.bundles_elsewhere.len() == 1 { "was written" } else { "were written" },
                if result.bundles_elsewhere.len() == 1 { "it" } else { "them" },
            ));
        }
        result.deleted = deleted;
        result.notified = notified.clone();
        if !notified.is_empty() {
            result.summary.push(format!("We asked {} to erase what we shared with them.", notified.join(", ")));
        }
        audit.push(
            self.audit(
                actor,
                AuditAction::RightsErase,
                json!({
                    "request": r.id,
                    "deleted": result.deleted.iter().map(|d| json!({ "what": d.what, "category": d.category, "records": d.records })).collect::<Vec<_>>(),
                    "kept": result.kept.iter().map(|k| json!({ "category": k.category, "purpose": k.purpose })).collect::<Vec<_>>(),
                    "notified": notified,
                    "key_destroyed": holds.is_empty(),
                    "bundles_elsewhere": result.bundles_elsewhere.len(),
                }),
            )
            .subject(r.subject_pseudonym.clone()),
        );
        Ok(Work { ops, audit, result })
    }

    /// Where earlier access and portability requests of `subject` wrote
    /// their bundles, apart from those the server wrote in its exports
    /// directory, a directory per request (the erasure removes those).
    async fn bundles_elsewhere(&self, subject: candor_domain::SubjectId, bundles_dir: Option<&Path>) -> Result<Vec<String>> {
        let mut out: Vec<String> = self
            .store
            .rights_requests(false)
            .await?
            .into_iter()
            .filter(|q| q.subject == subject && matches!(q.request.kind, RightKind::Access | RightKind::Portability))
            .filter_map(|q| {
                let bundle = q.request.result.and_then(|res| res.bundle)?;
                let served = bundles_dir.is_some_and(|dir| Path::new(&bundle) == dir.join(&q.id));
                (!served).then_some(bundle)
            })
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// After an erasure committed: store the counts the database reported
    /// if they differ from those counted before.
    pub(super) async fn correct_erasure_counts(&self, actor: &str, record: &mut RightsRequestRecord, counts: &ErasedCounts) -> Result<()> {
        let Some(result) = &record.request.result else { return Ok(()) };
        let counted = result.deleted.iter().find(|d| d.what == "interactions").map_or(0, |d| d.records);
        if counted == counts.interactions {
            return Ok(());
        }
        let previous = record.request.clone();
        if let Some(result) = &mut record.request.result {
            result.deleted.retain(|d| d.what != "interactions");
            result.deleted.push(CategoryCount {
                what: "interactions".into(),
                category: "user.content".into(),
                records: counts.interactions,
            });
        }
        self.save_request(actor, AuditAction::RightsEraseRecount, record, Some(previous), json!({ "interactions": counts.interactions }))
            .await
    }

    /// Remove the bundles `candor serve` wrote under `exports_dir` for any
    /// request of `subject`: after an erasure nothing about the customer
    /// may stay behind, and a bundle holds their data decrypted. Returns
    /// how many were removed.
    pub(crate) async fn remove_bundles(&self, exports_dir: &Path, subject: candor_domain::SubjectId) -> Result<usize> {
        let mut removed = 0;
        for r in self.store.rights_requests(false).await?.into_iter().filter(|r| r.subject == subject) {
            match std::fs::remove_dir_all(exports_dir.join(&r.id)) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(ServiceError::BundleIo {
                        what: format!(
                            "the bundle of request `{}` could not be removed; remove {} by hand",
                            r.id,
                            exports_dir.join(&r.id).display()
                        ),
                        source: Box::new(e),
                    })
                }
            }
        }
        Ok(removed)
    }
}

fn count_fields(fields: &[&SealedField]) -> Vec<CategoryCount> {
    let mut out: Vec<CategoryCount> = Vec::new();
    for f in fields {
        let what = if f.blind_index.is_some() { "identities" } else { "profile" };
        match out.iter_mut().find(|c| c.what == what && c.category == f.category.as_str()) {
            Some(c) => c.records += 1,
            None => out.push(CategoryCount { what: what.into(), category: f.category.to_string(), records: 1 }),
        }
    }
    out
}
