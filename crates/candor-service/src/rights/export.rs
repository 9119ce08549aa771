//! The access and portability bundle (GDPR Arts. 15 and 20, CCPA right to
//! know): a new directory with a manifest, everything as JSON for machines,
//! a CSV file per table, a plain-language summary, and the JSON Schema of
//! the format (`candor-export-1.schema.json`, also in the repository).
//!
//! It holds the profile and identities, the interactions with their
//! original text decrypted for the customer themself, the consent history
//! with its signed receipts, the purposes and legal bases that apply with
//! their retention dates, the recipients the data is shared with, and the
//! audit entries about the customer (who accessed their data, when, for
//! what). The directory is written under a temporary name and renamed
//! when complete, so a bundle that exists is whole.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use candor_domain::{consent_allows, CategoryCount, PolicyContext, RequestResult, RightKind};
use candor_store::{interaction_context, RightsRequestRecord, SubjectRecord};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::bundle_data::csv_rows::{AccessRow, ConsentRow, InteractionRow, PurposeRow, RecipientRow};
use super::bundle_data::{self as data, ProfileRow};
pub use super::bundle_data::{SCHEMA, SCHEMA_FILE};
use super::execute::{purpose_recipient, recipients_holding, ExecuteOptions, Work};
use crate::subjects::sealed_fields;
use crate::{AuditAction, Candor, Result, ServiceError};

/// The bundle's format, named in its manifest.
pub const FORMAT: &str = "candor-export/1";

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

impl Candor {
    /// Write the bundle for request `r` and say what it holds.
    pub(super) async fn export_work(
        &self,
        actor: &str,
        ctx: &PolicyContext,
        r: &RightsRequestRecord,
        s: &SubjectRecord,
        options: &ExecuteOptions,
    ) -> Result<Work> {
        let out = options.out_dir.clone().unwrap_or_else(|| PathBuf::from(format!("candor-export-{}", r.id)));
        if out.exists() {
            return Err(ServiceError::InvalidInput(format!(
                "`{}` already exists; give another directory with `--out`, or remove it",
                out.display()
            )));
        }
        let now = self.now();
        let key = self.subject_key(s)?;

        let mut profile = Vec::new();
        for f in sealed_fields(s)? {
            let value = f.open(s.id, &key)?;
            profile.push(ProfileRow { field: f.field, category: f.category.to_string(), value });
        }

        let stored = self.store.subject_interactions(s.id).await?;
        let mut interactions = Vec::with_capacity(stored.len());
        for i in &stored {
            let text = key
                .open(&interaction_context(&i.platform, &i.external_id), &i.sealed_text)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| ServiceError::Unreadable {
                    subject: s.id,
                    reason: format!("interaction {}:{}", i.platform, i.external_id),
                })?;
            interactions.push(data::Interaction {
                platform: i.platform.clone(),
                external_id: i.external_id.clone(),
                kind: i.kind.clone(),
                direction: i.direction.clone(),
                occurred_at: rfc3339(i.occurred_at),
                conversation_id: i.conversation_id.clone(),
                reply_to: i.reply_to.clone(),
                brand_account: i.account.clone(),
                language: i.language.clone(),
                sentiment: match i.sentiment {
                    Some((_, l)) if l < 0 => Some("negative"),
                    Some((_, 0)) => Some("neutral"),
                    Some(_) => Some("positive"),
                    None => None,
                },
                text,
            });
        }

        let ledger = self.store.consent_events(s.id).await?;
        let mut consent = Vec::with_capacity(ledger.len());
        for e in &ledger {
            // The receipt embedded as the object it is, whatever its fields;
            // one that no longer parses is reported, not exported as text.
            let receipt =
                e.receipt.as_deref().map(serde_json::from_str::<serde_json::Value>).transpose().map_err(|err| {
                    candor_store::StoreError::undecodable(format!("the consent receipt at ledger position {}", e.id), err)
                })?;
            consent.push(data::Consent {
                ledger_id: e.id,
                at: rfc3339(e.event.at),
                action: e.event.action.to_string(),
                purpose: e.event.purpose.as_ref().map(ToString::to_string),
                policy_version: e.event.policy_version,
                source: e.event.source.as_str().to_owned(),
                receipt,
            });
        }

        let state = candor_domain::ConsentState::from_events(ledger.iter().map(|e| &e.event));
        let held = self.held_purposes(ctx, s.id, &state, now).await?;
        let last_activity = stored.iter().map(|i| i.occurred_at).max().unwrap_or(s.created_at).max(s.created_at);
        let purposes: Vec<data::Purpose> = ctx
            .policy
            .purposes
            .values()
            .map(|p| {
                let verdict = consent_allows(ctx, p, &state, &held);
                data::Purpose {
                    purpose: p.id.to_string(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    legal_basis: p.legal_basis.to_string(),
                    categories: p.categories.iter().map(ToString::to_string).collect(),
                    in_effect: verdict.is_ok(),
                    why_not: verdict.err().map(|e| e.to_string()),
                    retention_days: p.retention_days,
                    kept_until: (last_activity + Duration::days(i64::from(p.retention_days))).date().to_string(),
                }
            })
            .collect();

        let about = self.store.audit_about(&s.pseudonym, 100_000).await?;
        let access_log: Vec<data::Access> = about
            .iter()
            .map(|e| data::Access {
                seq: e.seq,
                at: rfc3339(e.record.at),
                actor: e.record.actor.clone(),
                action: e.record.action.clone(),
                purpose: e.record.purpose.clone(),
                decision: e.record.decision.clone(),
            })
            .collect();

        let holding = recipients_holding(ctx, &state, &held, &about);
        let recipients: Vec<data::Recipient> = ctx
            .policy
            .recipients
            .values()
            .map(|rc| {
                let via: Vec<&candor_domain::Purpose> =
                    ctx.policy.purposes.values().filter(|p| purpose_recipient(p) == Some(rc.id.as_str())).collect();
                let disclosures: Vec<String> = about
                    .iter()
                    .filter(|e| e.record.action.starts_with("share.") && e.record.detail["recipient"] == rc.id.as_str())
                    .map(|e| rfc3339(e.record.at))
                    .collect();
                data::Recipient {
                    recipient: rc.id.clone(),
                    name: rc.name.clone(),
                    country: rc.country.clone(),
                    agreement: data::Agreement {
                        reference: rc.agreement.reference.clone(),
                        valid_from: rc.agreement.valid_from.to_string(),
                        valid_until: rc.agreement.valid_until.to_string(),
                    },
                    purposes: via.iter().map(|p| p.id.to_string()).collect(),
                    categories: rc.agreement.categories.iter().map(ToString::to_string).collect(),
                    receives_your_data: holding.contains(&rc.id),
                    disclosures,
                }
            })
            .collect();

        let data = json!({
            "profile": profile,
            "interactions": interactions,
            "consent": consent,
            "purposes": purposes,
            "recipients": recipients,
            "access_log": access_log,
        });
        let interactions: Vec<InteractionRow> = interactions.iter().map(data::Interaction::row).collect();
        let consent: Vec<ConsentRow> = consent.iter().zip(&ledger).map(|(c, e)| c.row(e.receipt.as_deref())).collect();
        let purposes: Vec<PurposeRow> = purposes.iter().map(data::Purpose::row).collect();
        let recipients: Vec<RecipientRow> = recipients.iter().map(data::Recipient::row).collect();
        let access_log: Vec<AccessRow> = access_log.iter().map(data::Access::row).collect();
        let summary = summary_text(ctx, r, now, &profile, &interactions, &consent, &purposes, &recipients, &access_log);
        let tables = (|| -> std::io::Result<_> {
            Ok(vec![
                ("profile.csv", csv_of(&profile)?, profile.len()),
                ("interactions.csv", csv_of(&interactions)?, interactions.len()),
                ("consent.csv", csv_of(&consent)?, consent.len()),
                ("purposes.csv", csv_of(&purposes)?, purposes.len()),
                ("recipients.csv", csv_of(&recipients)?, recipients.len()),
                ("access_log.csv", csv_of(&access_log)?, access_log.len()),
            ])
        })();
        let tables = tables.map_err(|source| ServiceError::Write { what: "the bundle", path: out.to_path_buf(), source })?;
        // Also where `candor serve` keeps bundles, when it was written
        // elsewhere: the customer downloads it from the privacy center.
        let served = options.bundles_dir.as_ref().map(|d| d.join(&r.id)).filter(|d| *d != out && !d.exists());
        if let Some(served) = &served {
            write_bundle(served, r, ctx, now, &data, &summary, tables.clone()).map_err(|source| ServiceError::Write {
                what: "the bundle",
                path: served.clone(),
                source,
            })?;
        }
        let files = write_bundle(&out, r, ctx, now, &data, &summary, tables).map_err(|source| ServiceError::Write {
            what: "the bundle",
            path: out.to_path_buf(),
            source,
        })?;

        let exported = vec![
            CategoryCount { what: "profile and identities".into(), category: "user".into(), records: profile.len() as u64 },
            CategoryCount { what: "interactions".into(), category: "user.content".into(), records: interactions.len() as u64 },
            CategoryCount { what: "consent events".into(), category: "user.privacy_preferences".into(), records: consent.len() as u64 },
            CategoryCount { what: "audit entries".into(), category: "system.operations".into(), records: access_log.len() as u64 },
        ];
        let audit = vec![self
            .audit(
                actor,
                AuditAction::RightsExport,
                json!({
                    "request": r.id,
                    "files": files,
                    "records": exported.iter().map(|c| json!({ "what": c.what, "records": c.records })).collect::<Vec<_>>(),
                }),
            )
            .subject(r.subject_pseudonym.clone())
            .purpose(format!("rights.{}", r.request.kind.as_str()))];
        let result = RequestResult {
            summary: vec![format!(
                "We prepared a copy of your data: {} profile field(s), {} interaction(s), {} consent event(s) and {} record(s) of who used your data.",
                profile.len(),
                interactions.len(),
                consent.len(),
                access_log.len()
            )],
            exported,
            bundle: Some(out.display().to_string()),
            ..Default::default()
        };
        Ok(Work { ops: Vec::new(), audit, result })
    }
}

/// A table as CSV bytes (a header row, then one row per record).
fn csv_of<T: Serialize>(rows: &[T]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(std::io::Error::other)?;
    }
    w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}

/// Write every file into a temporary sibling directory, then rename it
/// to `out`; returns the manifest's file list.
fn write_bundle(
    out: &Path,
    r: &RightsRequestRecord,
    ctx: &PolicyContext,
    now: OffsetDateTime,
    data: &serde_json::Value,
    summary: &str,
    tables: Vec<(&'static str, Vec<u8>, usize)>,
) -> std::io::Result<Vec<serde_json::Value>> {
    let name = out.file_name().map_or_else(|| "bundle".into(), |n| n.to_string_lossy().into_owned());
    let tmp = out.with_file_name(format!(".{name}.partial-{}", uuid::Uuid::new_v4()));
    // The bundle holds the customer's data in the clear: readable by the
    // operator's account only, the directories it creates included.
    let mut dirs = std::fs::DirBuilder::new();
    dirs.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dirs, 0o700);
    dirs.create(&tmp)?;
    let written = (|| {
        let mut files: Vec<(String, &'static str, Vec<u8>, Option<usize>)> = vec![
            ("data.json".into(), "application/json", serde_json::to_vec_pretty(data).map_err(std::io::Error::other)?, None),
            ("summary.txt".into(), "text/plain; charset=utf-8", summary.as_bytes().to_vec(), None),
            (SCHEMA_FILE.into(), "application/schema+json", SCHEMA.as_bytes().to_vec(), None),
        ];
        for (file, bytes, records) in tables {
            files.push((file.into(), "text/csv; charset=utf-8", bytes, Some(records)));
        }
        let mut listed = Vec::new();
        for (file, media, bytes, records) in &files {
            write_owner_only(&tmp.join(file), bytes)?;
            listed.push(json!({ "path": file, "media_type": media, "records": records, "bytes": bytes.len(), "sha256": hex::encode(Sha256::digest(bytes)) }));
        }
        let manifest = json!({
            "format": FORMAT,
            "schema": SCHEMA_FILE,
            "request": r.id,
            "right": r.request.kind.as_str(),
            "regime": r.request.regime.as_str(),
            "legal_source": r.request.kind.legal_source(r.request.regime),
            "generated_at": rfc3339(now),
            "controller": { "name": ctx.policy.controller.name, "contact": ctx.policy.controller.contact, "dpo": ctx.policy.controller.dpo },
            "policy_version": ctx.version,
            "subject": r.subject_pseudonym,
            "files": listed,
        });
        write_owner_only(&tmp.join("manifest.json"), &serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?)?;
        Ok(listed)
    })();
    match written {
        Ok(listed) => {
            std::fs::rename(&tmp, out)?;
            Ok(listed)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// A new file readable and writable by its owner only (mode 0600).
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[allow(clippy::too_many_arguments, reason = "one summary over the bundle's tables")]
fn summary_text(
    ctx: &PolicyContext,
    r: &RightsRequestRecord,
    now: OffsetDateTime,
    profile: &[ProfileRow],
    interactions: &[InteractionRow],
    consent: &[ConsentRow],
    purposes: &[PurposeRow],
    recipients: &[RecipientRow],
    access: &[AccessRow],
) -> String {
    let c = &ctx.policy.controller;
    let mut s = String::new();
    let _ = writeln!(s, "Your data held by {}", c.name);
    let right = match r.request.kind {
        RightKind::Portability => "a portable copy of your data",
        _ => "access to your data",
    };
    let _ = writeln!(
        s,
        "Prepared on {} for your request {} ({right}, {}).\n",
        now.date(),
        r.id,
        r.request.kind.legal_source(r.request.regime).unwrap_or("")
    );
    let _ = writeln!(s, "WHAT WE HOLD ABOUT YOU");
    for p in profile {
        let _ = writeln!(s, "- {}: {}", p.field, p.value);
    }
    match (interactions.first(), interactions.last()) {
        (Some(first), Some(last)) => {
            let _ = writeln!(
                s,
                "- {} message(s) between you and us on social media, from {} to {} (interactions.csv has each one, with its text)",
                interactions.len(),
                &first.occurred_at[..10.min(first.occurred_at.len())],
                &last.occurred_at[..10.min(last.occurred_at.len())]
            );
        }
        _ => {
            let _ = writeln!(s, "- no messages");
        }
    }
    let _ = writeln!(s, "\nWHY WE USE IT, AND FOR HOW LONG");
    for p in purposes {
        let status = if p.in_effect { "in use".to_owned() } else { format!("not in use: {}", p.why_not) };
        let _ = writeln!(s, "- {} ({}), {status}. Kept until {} at the latest.", p.name, p.legal_basis.replace('_', " "), p.kept_until);
        let _ = writeln!(s, "  {}", p.description);
    }
    let _ = writeln!(s, "\nYOUR CHOICES");
    if consent.is_empty() {
        let _ = writeln!(s, "- none recorded yet; the defaults above apply");
    }
    for e in consent {
        let what = if e.purpose.is_empty() { e.action.clone() } else { format!("{} {}", e.action, e.purpose) };
        let _ = writeln!(
            s,
            "- {}: {what} (via {}){}",
            &e.at[..10.min(e.at.len())],
            e.source,
            if e.receipt.is_empty() { "" } else { ", signed receipt in consent.csv" }
        );
    }
    let _ = writeln!(s, "\nWHO WE SHARE IT WITH");
    for rc in recipients {
        let status = if rc.receives_your_data { "receives your data" } else { "does not receive your data" };
        let _ = writeln!(s, "- {} ({}), under agreement {}: {status}", rc.name, rc.country, rc.agreement);
    }
    let _ = writeln!(s, "\nWHO USED YOUR DATA");
    let _ =
        writeln!(s, "- {} recorded action(s) about you; access_log.csv lists each: when, who, what and for which purpose", access.len());
    let _ = writeln!(s, "\nABOUT THESE FILES");
    let _ = writeln!(
        s,
        "manifest.json lists every file with its checksum; data.json holds everything for machines; each .csv file is one table; candor-export-1.schema.json (JSON Schema) describes manifest.json and data.json."
    );
    let _ = writeln!(
        s,
        "Questions or corrections: {}{}",
        c.contact,
        c.dpo.as_ref().map(|d| format!(" (data protection officer: {d})")).unwrap_or_default()
    );
    s
}

/// One file of a bundle that `candor serve` wrote for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Its name in the bundle.
    pub name: String,
    /// Its media type, from the manifest.
    pub media_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Candor {
    /// The file `name` of request `r`'s bundle under `exports_dir`
    /// (`manifest.json` or a file its manifest lists; nothing else is
    /// served from the directory), for `actor`. Each read is audited with
    /// the customer's pseudonym, never the bytes.
    pub async fn bundle_file(&self, actor: &str, exports_dir: &Path, r: &super::RightsRequestView, name: &str) -> Result<BundleFile> {
        let served = ServedBundle::open(exports_dir, r)?;
        let file = served.file(r, name)?;
        self.audit_bundle_read(actor, r, name).await?;
        Ok(file)
    }

    /// Record that `actor` read `what` of request `r`'s bundle, under the
    /// customer's pseudonym, so their own access log shows who fetched it.
    pub(super) async fn audit_bundle_read(&self, actor: &str, r: &super::RightsRequestView, what: &str) -> Result<()> {
        let audit =
            self.audit(actor, AuditAction::RightsBundleRead, json!({ "request": r.id, "file": what })).subject(r.subject_pseudonym.clone());
        self.store.apply(candor_store::WriteBatch { ops: Vec::new(), audit: vec![audit] }).await?;
        Ok(())
    }
}

/// A bundle `candor serve` keeps for a request: its directory, named by
/// the stored request's id (never by a caller), and its parsed manifest.
pub(super) struct ServedBundle {
    dir: PathBuf,
    /// The manifest's bytes as written.
    pub(super) manifest: Vec<u8>,
    /// The files the manifest lists: `(path, media type, sha256 hex)`.
    pub(super) listed: Vec<(String, String, String)>,
}

impl ServedBundle {
    pub(super) fn open(exports_dir: &Path, r: &super::RightsRequestView) -> Result<Self> {
        if !matches!(r.request.kind, RightKind::Access | RightKind::Portability) {
            return Err(no_bundle(r, "manifest.json", "only access and portability requests make one"));
        }
        let dir = exports_dir.join(&r.id);
        let manifest = match std::fs::read(dir.join("manifest.json")) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(no_bundle(r, "manifest.json", "the request was not carried out by this server, or its bundle was removed"))
            }
            Err(e) => return Err(unreadable(&r.id, e)),
        };
        let parsed: serde_json::Value = serde_json::from_slice(&manifest)
            .map_err(|e| ServiceError::BundleIo { what: format!("the manifest of request `{}` is not JSON", r.id), source: Box::new(e) })?;
        let text = |f: &serde_json::Value, key: &str| f[key].as_str().unwrap_or_default().to_owned();
        let listed = parsed["files"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| (text(f, "path"), text(f, "media_type"), text(f, "sha256")))
            // A path the manifest names is read only if it is a plain name
            // in the bundle's own directory.
            .filter(|(path, _, _)| !path.is_empty() && !path.contains(['/', '\\']) && !path.starts_with('.'))
            .collect();
        Ok(Self { dir, manifest, listed })
    }

    /// One file, by name: `manifest.json` or one the manifest lists.
    pub(super) fn file(&self, r: &super::RightsRequestView, name: &str) -> Result<BundleFile> {
        if name == "manifest.json" {
            return Ok(BundleFile { name: name.to_owned(), media_type: "application/json".to_owned(), bytes: self.manifest.clone() });
        }
        let Some((path, media_type, _)) = self.listed.iter().find(|(path, _, _)| path == name) else {
            return Err(no_bundle(r, name, "the manifest lists no such file"));
        };
        let bytes = std::fs::read(self.dir.join(path)).map_err(|e| unreadable(&r.id, e))?;
        let media_type = if media_type.is_empty() { "application/octet-stream".to_owned() } else { media_type.clone() };
        Ok(BundleFile { name: name.to_owned(), media_type, bytes })
    }
}

fn no_bundle(r: &super::RightsRequestView, name: &str, why: &str) -> ServiceError {
    ServiceError::NoBundle(format!("request `{}` has no bundle file `{}`: {why}", r.id, name.chars().take(80).collect::<String>()))
}

fn unreadable(request: &str, e: std::io::Error) -> ServiceError {
    ServiceError::BundleIo { what: format!("the bundle of request `{request}` cannot be read"), source: Box::new(e) }
}
