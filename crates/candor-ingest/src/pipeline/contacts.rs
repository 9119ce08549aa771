//! CRM contacts: each row creates a customer, enriches the one its
//! identifiers name, or is kept apart from a customer it shares an
//! identifier with when their other identifiers conflict.
//!
//! Households share phones: a phone is never enough to merge two people
//! (DESIGN.md, rule 10), or an access request would disclose one person's
//! data to the other and an erasure would delete both. So a row's customer
//! is found by the identifiers taken as a person's own first (customer
//! number, then e-mail, then handles and accounts); a phone alone finds one
//! only when nothing the customer already holds says otherwise (another
//! e-mail, customer number or handle of the same platform, or another
//! name). A row found by its e-mail or a handle is that customer, and a
//! name it differs in is taken as a correction, since people change their
//! names; but a subject holds at most one customer number, so a row whose
//! e-mail or handle names a customer with another number is someone else
//! (a shared family address). When rows are kept apart, the
//! shared identifier stays with the customer who had it, the row becomes
//! (or stays) a customer of its own, and the pair is recorded by kinds
//! only, so the next import knows it, and staff can link or unlink
//! identifiers deliberately (`candor subject link|unlink`).
//!
//! Every row lands in exactly one count: created, enriched, unchanged, kept
//! apart (a conflict recorded by this run), suppressed or quarantined, in
//! input order, so the same file imported twice counts the same way.

use std::collections::{HashMap, HashSet};

use candor_domain::{CategoryId, Identifier, IdentifierKind, Provenance, SubjectId};
use candor_store::{ordered, IdentityConflict, Op, SealedAttribute, SealedIdentity};
use serde::Serialize;
use serde_json::json;

use super::identity::Standing;
use super::{stored_name, ImportError, Run, Tally};
use crate::record::{Contact, Quarantined};

/// A conflict found by an import: where, and between whom, by kinds.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ConflictNote {
    /// Line of the row kept apart.
    pub line: u64,
    /// The row's customer.
    pub subject: SubjectId,
    /// The customer holding the shared identifier.
    pub other: SubjectId,
    /// The kind of identifier they share (`phone`, `email`).
    pub shared: String,
    /// The kinds in which they differ.
    pub differing: Vec<String>,
}

/// At most this many conflicts are listed in a summary; all are counted
/// and recorded.
pub const LISTED_CONFLICTS: usize = 1_000;

/// Which identifier finds a row's customer first: the CRM's own number,
/// then the e-mail, then handles and accounts; a phone last.
fn rank(kind: IdentifierKind) -> u8 {
    match kind {
        IdentifierKind::CustomerNumber => 0,
        IdentifierKind::Email => 1,
        IdentifierKind::Handle | IdentifierKind::Account => 2,
        IdentifierKind::Phone => 3,
    }
}

/// Identifiers several people may share: a household's landline or a
/// family's mobile.
fn shareable(kind: IdentifierKind) -> bool {
    kind == IdentifierKind::Phone
}

/// What one contacts batch knows of the customers its rows name, kept up
/// to date as rows create and enrich customers.
struct Known {
    standing: HashMap<Vec<u8>, Standing>,
    /// Identifier namespaces each customer holds (`email`, `handle:x`).
    held: HashMap<SubjectId, HashSet<String>>,
    names: HashMap<SubjectId, String>,
    /// Pairs kept apart already, smaller id first.
    apart: HashSet<(SubjectId, SubjectId)>,
}

/// What to do with one row.
#[derive(Debug)]
enum Plan {
    Suppressed,
    Quarantine(String),
    /// A new customer from the row's unknown identifiers, perhaps kept
    /// apart from one holding its shared identifier.
    Create {
        apart_from: Option<(SubjectId, String, Vec<String>)>,
        shared_with: Vec<(SubjectId, String)>,
    },
    /// The row is this customer; identifiers it shares with others stay
    /// theirs.
    Merge {
        subject: SubjectId,
        shared_with: Vec<(SubjectId, String)>,
    },
}

/// The kind of a namespace (`handle` of `handle:x`).
fn kind_of(ns: &str) -> String {
    ns.split(':').next().unwrap_or(ns).to_owned()
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The plan for a row whose identifiers stand as `ids` says.
fn plan(ids: &[(&Identifier, Standing)], name: Option<&str>, known: &Known) -> Plan {
    let mut strong: Vec<(&Identifier, SubjectId)> = ids
        .iter()
        .filter_map(|(i, s)| match s {
            Standing::Known(s) if !shareable(i.kind()) => Some((*i, *s)),
            _ => None,
        })
        .collect();
    strong.sort_by_key(|(i, _)| rank(i.kind()));
    let phones: Vec<SubjectId> = ids
        .iter()
        .filter_map(|(i, s)| match s {
            Standing::Known(s) if shareable(i.kind()) => Some(*s),
            _ => None,
        })
        .collect();
    let unknown: Vec<&Identifier> = ids.iter().filter(|(_, s)| *s == Standing::Unknown).map(|(i, _)| *i).collect();
    // An erased customer's identifiers never come back. A phone of theirs
    // in a row that names a living customer by something else is a
    // household member's: the phone is left out, the row goes on.
    let suppressed = |shared: bool| ids.iter().any(|(i, s)| *s == Standing::Suppressed && shareable(i.kind()) == shared);
    if suppressed(false) || (suppressed(true) && strong.is_empty()) {
        return Plan::Suppressed;
    }
    let holds = |s: &SubjectId, ns: &str| known.held.get(s).is_some_and(|h| h.contains(ns));
    if let Some(&(by, subject)) = strong.first() {
        let mut others: Vec<SubjectId> = strong.iter().map(|(_, s)| *s).filter(|s| *s != subject).collect();
        others.dedup();
        if others.iter().any(|o| !known.apart.contains(&ordered(subject, *o))) {
            let kinds: Vec<String> = ids.iter().map(|(i, _)| i.index_namespace()).collect();
            let mut all = others.clone();
            all.push(subject);
            all.sort_by_key(|s| *s.as_uuid());
            all.dedup();
            return Plan::Quarantine(format!(
                "its identifiers ({}) already belong to {} different customers; link or unlink them (`candor subject link|unlink`) before importing this row",
                kinds.join(", "),
                all.len()
            ));
        }
        // A customer holds one customer number: a row with another is
        // someone else who shares the identifier that found them.
        let shared_with = phones.into_iter().filter(|p| *p != subject).map(|p| (p, IdentifierKind::Phone.to_string())).collect();
        if unknown.iter().any(|i| i.kind() == IdentifierKind::CustomerNumber) && holds(&subject, "customer_number") {
            return Plan::Create { apart_from: Some((subject, by.index_namespace(), vec!["customer_number".into()])), shared_with };
        }
        return Plan::Merge { subject, shared_with };
    }
    let Some(&holder) = phones.first() else { return Plan::Create { apart_from: None, shared_with: Vec::new() } };
    // Found by a phone alone: the same person only if nothing they hold
    // says otherwise.
    let mut differing: Vec<String> =
        unknown.iter().filter(|i| !shareable(i.kind()) && holds(&holder, &i.index_namespace())).map(|i| i.kind().to_string()).collect();
    if let (Some(row), Some(stored)) = (name, known.names.get(&holder)) {
        if !same_name(row, stored) {
            differing.push("name".into());
        }
    }
    differing.sort();
    differing.dedup();
    let shared_with = phones.into_iter().filter(|p| *p != holder).map(|p| (p, IdentifierKind::Phone.to_string())).collect();
    if differing.is_empty() {
        return Plan::Merge { subject: holder, shared_with };
    }
    if !unknown.iter().any(|i| !shareable(i.kind())) {
        return Plan::Quarantine(format!(
            "its only identifier, a phone, belongs to another customer ({} differs) and nothing else tells this row apart; add its e-mail or customer number",
            differing.join(", ")
        ));
    }
    Plan::Create { apart_from: Some((holder, IdentifierKind::Phone.to_string(), differing)), shared_with }
}

/// A customer's identifiers and name to add once the batch's keys are read.
struct Update {
    subject: SubjectId,
    fresh: Vec<Identifier>,
    rename: Option<String>,
    line: u64,
}

impl Run<'_> {
    /// What the store knows of the customers these rows name.
    async fn known(&mut self, index: &HashMap<Identifier, Vec<u8>>) -> Result<Known, ImportError> {
        let blind: Vec<Vec<u8>> = index.values().cloned().collect();
        let standing = self.ids.standings(&blind).await?;
        let mut ids: Vec<SubjectId> = standing
            .values()
            .filter_map(|s| match s {
                Standing::Known(s) => Some(*s),
                _ => None,
            })
            .collect();
        ids.sort_by_key(|s| *s.as_uuid());
        ids.dedup();
        let mut held: HashMap<SubjectId, HashSet<String>> = HashMap::new();
        for (s, ns) in self.store.identity_kinds(&ids).await? {
            held.entry(s).or_default().insert(ns);
        }
        let apart = self.store.identity_conflicts(&ids).await?.iter().map(IdentityConflict::pair).collect();
        let keys = self.ids.subject_keys(&ids.iter().copied().collect()).await?;
        let mut names = HashMap::new();
        for (s, sealed) in self.store.subject_attribute(&ids, "name").await? {
            let Some(key) = keys.get(&s) else { continue };
            if let Some(n) = stored_name(s, key, Some(&sealed))? {
                names.insert(s, n);
            }
        }
        Ok(Known { standing, held, names, apart })
    }

    pub(super) async fn contacts(&mut self, contacts: Vec<Contact>) -> Result<(), ImportError> {
        // What is stored decides: every earlier batch must be committed.
        self.writer.flush().await?;
        let seq = self.next_seq();
        let at = (self.now)();
        self.contacts.read += contacts.len() as u64;
        let mut index: HashMap<Identifier, Vec<u8>> = HashMap::new();
        for c in &contacts {
            for i in &c.identifiers {
                if !index.contains_key(i) {
                    let b = self.ids.blind_index(i);
                    index.insert(i.clone(), b);
                }
            }
        }
        let mut known = self.known(&index).await?;
        let mut ops = Vec::new();
        let mut tally = Tally::default();
        let mut created = Vec::new();
        let mut conflicts: Vec<IdentityConflict> = Vec::new();
        let mut updates: Vec<Update> = Vec::new();
        for c in contacts {
            let ids: Vec<(&Identifier, Standing)> = c
                .identifiers
                .iter()
                .map(|i| (i, index.get(i).and_then(|b| known.standing.get(b)).copied().unwrap_or(Standing::Unknown)))
                .collect();
            let name = c.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
            match plan(&ids, name, &known) {
                Plan::Suppressed => self.contacts.suppressed += 1,
                Plan::Quarantine(reason) => self.quarantine(&Quarantined { line: c.line, reason, raw: c.raw.clone() })?,
                Plan::Create { apart_from, shared_with } => {
                    let fresh: Vec<Identifier> = ids.iter().filter(|(_, s)| *s == Standing::Unknown).map(|(i, _)| (*i).clone()).collect();
                    let (s, op, pseudonym) = self.ids.create(&fresh, name, &Provenance::Crm, at, seq)?;
                    for i in &fresh {
                        if let Some(b) = index.get(i) {
                            known.standing.insert(b.clone(), Standing::Known(s));
                        }
                    }
                    known.held.insert(s, fresh.iter().map(Identifier::index_namespace).collect());
                    if let Some(n) = name {
                        known.names.insert(s, n.to_owned());
                    }
                    ops.push(op);
                    created.push(pseudonym);
                    tally.subjects_created += 1;
                    let mut apart = Vec::new();
                    if let Some((other, shared, differing)) = apart_from {
                        known.apart.insert(ordered(s, other));
                        apart.push((other, shared, differing));
                    }
                    apart.extend(self.newly_apart(&mut known, s, &c, name, shared_with));
                    if apart.is_empty() {
                        self.contacts.created += 1;
                    } else {
                        self.contacts.conflicts += 1;
                    }
                    for (other, shared, differing) in apart {
                        self.kept_apart(&mut conflicts, c.line, s, other, shared, differing, at);
                    }
                }
                Plan::Merge { subject: s, shared_with } => {
                    let mut fresh = Vec::new();
                    for (i, standing) in &ids {
                        if *standing != Standing::Unknown {
                            continue;
                        }
                        if let Some(b) = index.get(*i) {
                            self.ids.link(b.clone(), s, seq);
                            known.standing.insert(b.clone(), Standing::Known(s));
                        }
                        known.held.entry(s).or_default().insert(i.index_namespace());
                        fresh.push((*i).clone());
                    }
                    let rename = name.filter(|n| known.names.get(&s).is_none_or(|stored| stored != n)).map(str::to_owned);
                    if let Some(n) = &rename {
                        known.names.insert(s, n.clone());
                    }
                    let apart = self.newly_apart(&mut known, s, &c, name, shared_with);
                    let new_conflict = !apart.is_empty();
                    if new_conflict {
                        self.contacts.conflicts += 1;
                    }
                    for (other, shared, differing) in apart {
                        self.kept_apart(&mut conflicts, c.line, s, other, shared, differing, at);
                    }
                    let changed = !fresh.is_empty() || rename.is_some();
                    // A row that found a new conflict was counted as kept apart.
                    match (new_conflict, changed) {
                        (true, _) => {}
                        (false, true) => self.contacts.enriched += 1,
                        (false, false) => self.contacts.unchanged += 1,
                    }
                    if changed {
                        updates.push(Update { subject: s, fresh, rename, line: c.line });
                    }
                }
            }
        }
        let wanted: HashSet<SubjectId> = updates.iter().map(|u| u.subject).collect();
        let keys = self.ids.subject_keys(&wanted).await?;
        for Update { subject: s, fresh, rename, line } in updates {
            let Some(key) = keys.get(&s) else {
                return Err(ImportError::Stopped(format!("line {line}: no data key for the customer")));
            };
            if !fresh.is_empty() {
                tally.identities_linked += fresh.len() as u64;
                ops.push(Op::AddIdentities {
                    subject: s,
                    identities: fresh.iter().map(|i| SealedIdentity::seal(self.ids.keys(), key, &s, i, Provenance::Crm)).collect(),
                });
            }
            if let Some(name) = rename {
                ops.push(Op::SetAttributes {
                    subject: s,
                    attributes: vec![SealedAttribute::seal(key, &s, "name", CategoryId::new("user.name"), &name, Provenance::Crm)],
                });
            }
        }
        let pseudonym = |s: &SubjectId| self.ids.keys().pseudonym(s.as_uuid());
        let kept_apart: Vec<serde_json::Value> = conflicts
            .iter()
            .map(
                |c| json!({ "subject": pseudonym(&c.subject), "other": pseudonym(&c.other), "shared": c.shared, "differing": c.differing }),
            )
            .collect();
        if !conflicts.is_empty() {
            ops.push(Op::RecordConflicts(conflicts));
        }
        let detail = json!({
            "source": self.source,
            "format": self.format,
            "batch": seq,
            "subjects_created": created,
            "identities_linked": tally.identities_linked,
            "kept_apart": kept_apart,
        });
        self.write(ops, tally, "import.contacts", detail).await?;
        // The next batch reads what this one wrote.
        self.writer.flush().await?;
        Ok(())
    }

    /// Of the customers holding identifiers the row shares, those not
    /// kept apart from `s` before, with the shared kind and how they
    /// differ from the row.
    fn newly_apart(
        &self,
        known: &mut Known,
        s: SubjectId,
        c: &Contact,
        name: Option<&str>,
        shared_with: Vec<(SubjectId, String)>,
    ) -> Vec<(SubjectId, String, Vec<String>)> {
        let mut out = Vec::new();
        for (other, shared) in shared_with {
            if !known.apart.insert(ordered(s, other)) {
                continue;
            }
            let row_kinds: HashSet<String> = c.identifiers.iter().map(Identifier::index_namespace).collect();
            let mut differing: Vec<String> = known
                .held
                .get(&other)
                .map(|h| h.iter().filter(|ns| row_kinds.contains(*ns) && ns.as_str() != shared).map(|ns| kind_of(ns)).collect())
                .unwrap_or_default();
            if let (Some(a), Some(b)) = (name, known.names.get(&other)) {
                if !same_name(a, b) {
                    differing.push("name".into());
                }
            }
            differing.sort();
            differing.dedup();
            out.push((other, shared, differing));
        }
        out
    }

    /// Remember a pair kept apart (the row is counted by its caller).
    #[allow(clippy::too_many_arguments, reason = "the fields of one conflict, from the row that found it")]
    fn kept_apart(
        &mut self,
        conflicts: &mut Vec<IdentityConflict>,
        line: u64,
        subject: SubjectId,
        other: SubjectId,
        shared: String,
        differing: Vec<String>,
        at: time::OffsetDateTime,
    ) {
        *self.contacts.shared.entry(shared.clone()).or_default() += 1;
        if self.contacts.kept_apart.len() < LISTED_CONFLICTS {
            self.contacts.kept_apart.push(ConflictNote { line, subject, other, shared: shared.clone(), differing: differing.clone() });
        }
        conflicts.push(IdentityConflict { subject, other, shared, differing, source: self.source.clone(), at });
    }
}
