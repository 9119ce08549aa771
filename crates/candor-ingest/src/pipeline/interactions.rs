//! Importing interactions: each batch deduplicated against what is
//! stored, attributed to its customer (a brand's reply to the customer it
//! answers), enriched (PII redacted, language, sealed text) and written.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use candor_domain::{Identifier, Provenance, SubjectId};
use candor_store::{Op, SealedIdentity};
use serde_json::json;
use time::OffsetDateTime;

use super::enrich::{first_mention, Job};
use super::identity::Standing;
use super::{ImportError, Parent, Run, Tally};
use crate::record::{Author, Draft};

/// What attributing one batch's items gathers as it goes: the blind
/// index of each identifier, each index's standing (updated as subjects
/// are created and linked), the writes, the pseudonyms of the subjects
/// created and the identities linked to known subjects, with their source.
struct Attribution {
    index: HashMap<Identifier, Vec<u8>>,
    standing: HashMap<Vec<u8>, Standing>,
    ops: Vec<Op>,
    created: Vec<String>,
    links: Vec<(SubjectId, Identifier, Provenance)>,
    at: OffsetDateTime,
    seq: u64,
}

/// An item attributed, before its data key is fetched.
struct Placed {
    draft: Draft,
    subject: Option<SubjectId>,
    account: Option<String>,
    conversation: Option<String>,
}

impl Run<'_> {
    /// Import a batch of interactions: those not stored yet are
    /// attributed, enriched off the async threads and written.
    pub(super) async fn interactions(&mut self, drafts: Vec<Draft>) -> Result<(), ImportError> {
        let seq = self.next_seq();
        let at = (self.now)();
        self.interactions.read += drafts.len() as u64;
        let (todo, stored) = self.unstored(drafts).await?;
        if todo.is_empty() {
            return Ok(());
        }
        let mut ops = Vec::new();
        let mut tally = Tally::default();
        let new_accounts = self.brand_accounts(&todo, at, &mut ops, &mut tally)?;
        let (index, standing) = self.standings(&todo).await?;

        // Attribute each item, in input order, so an item sees the subjects
        // and conversations of those before it.
        let mut acc = Attribution { index, standing, ops, created: Vec::new(), links: Vec::new(), at, seq };
        let mut in_batch: HashMap<(String, String), Parent> = HashMap::new();
        let mut placed: Vec<Placed> = Vec::with_capacity(todo.len());
        for d in todo {
            let parent_key = d.reply_to.as_ref().map(|p| (d.platform.clone(), p.clone()));
            let parent = parent_key
                .as_ref()
                .and_then(|k| in_batch.get(k).or_else(|| stored.get(k)).cloned().or_else(|| self.recent.get(k).cloned()));
            // Whatever an item tells about its author was read off its platform.
            let source = Provenance::Platform(d.platform.clone());
            let (subject, account) = match &d.author {
                Author::Customer { identifiers, name } => {
                    let Some(s) = self.customer(identifiers, name.as_deref(), &source, &mut acc)? else {
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
                            Some(m) => match self.customer(&[m], None, &source, &mut acc)? {
                                Some(s) => Some(s),
                                None => {
                                    self.interactions.suppressed += 1;
                                    continue;
                                }
                            },
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
        tally.subjects_created += acc.created.len() as u64;
        let Attribution { mut ops, created, links, .. } = acc;

        let jobs = self.jobs(placed, &links, at, &mut ops, &mut tally).await?;

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

    /// The batch's items that are neither twice in it (the first counts),
    /// nor stored already, nor deleted on the platform; and what the store
    /// has of the items they answer.
    async fn unstored(&mut self, drafts: Vec<Draft>) -> Result<(Vec<Draft>, HashMap<(String, String), Parent>), ImportError> {
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
        Ok((todo, stored))
    }

    /// The brand accounts writing in this batch that are new: their
    /// creation queued in `ops`, their names returned for the audit entry.
    fn brand_accounts(
        &mut self,
        todo: &[Draft],
        at: OffsetDateTime,
        ops: &mut Vec<Op>,
        tally: &mut Tally,
    ) -> Result<Vec<String>, ImportError> {
        let mut new_accounts = Vec::new();
        for d in todo {
            if let Author::Brand(handle) = &d.author {
                if let (_, Some(op)) = self.ids.account(&d.platform, handle, at)? {
                    ops.push(op);
                    tally.brand_accounts_created += 1;
                    new_accounts.push(format!("{}:{handle}", d.platform));
                }
            }
        }
        Ok(new_accounts)
    }

    /// Every identifier that may name a customer (authors, and whom a
    /// brand's reply mentions first), its blind index, and the standing of
    /// each index (whose it is, or that it is suppressed).
    async fn standings(&mut self, todo: &[Draft]) -> Result<(HashMap<Identifier, Vec<u8>>, HashMap<Vec<u8>, Standing>), ImportError> {
        let mut wanted: Vec<Identifier> = Vec::new();
        for d in todo {
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
        let standing = self.ids.standings(&blind).await?;
        Ok((index, standing))
    }

    /// Each item's job for the CPU stage, with its data key: its
    /// customer's, or the brand account's for an item about no customer;
    /// the identities linked to customers queued in `ops`, sealed with
    /// their keys.
    async fn jobs(
        &mut self,
        placed: Vec<Placed>,
        links: &[(SubjectId, Identifier, Provenance)],
        at: OffsetDateTime,
        ops: &mut Vec<Op>,
        tally: &mut Tally,
    ) -> Result<Vec<Job>, ImportError> {
        let mut wanted_keys: HashSet<SubjectId> = placed.iter().filter_map(|p| p.subject).collect();
        wanted_keys.extend(links.iter().map(|(s, _, _)| *s));
        let keys = self.ids.subject_keys(&wanted_keys).await?;
        for (s, i, source) in links {
            if let Some(k) = keys.get(s) {
                let identity = SealedIdentity::seal(self.ids.keys(), k, s, i, source.clone());
                ops.push(Op::AddIdentities { subject: *s, identities: vec![identity] });
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
        Ok(jobs)
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
    fn customer(
        &mut self,
        identifiers: &[Identifier],
        name: Option<&str>,
        source: &Provenance,
        acc: &mut Attribution,
    ) -> Result<Option<SubjectId>, ImportError> {
        let Attribution { index, standing, ops, created, links, at, seq } = acc;
        let (at, seq) = (*at, *seq);
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
                    links.push((s, i.clone(), source.clone()));
                }
                Ok(Some(s))
            }
            None if suppressed => Ok(None),
            None => {
                let all: Vec<Identifier> = unknown.iter().map(|(i, _)| (*i).clone()).collect();
                let (s, op, pseudonym) = self.ids.create(&all, name, source, at, seq)?;
                for (_, b) in unknown {
                    standing.insert(b, Standing::Known(s));
                }
                ops.push(op);
                created.push(pseudonym);
                Ok(Some(s))
            }
        }
    }
}
