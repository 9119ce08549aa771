//! `candor demo [DIR]`: candor's foundation end to end on the embedded
//! database, in a fresh directory: publish a policy, add staff and
//! customers, record consent with signed receipts, ask the access decision
//! (allowed, and denied for each kind of reason), publish a material policy
//! change that makes old consent stale, import a synthetic social-media
//! export (redacted, sealed, scored), ask analytics questions through the
//! gate, rotate the key-encryption key, carry out an access request
//! (verified by a one-time code) and an erasure, and verify the audit chain.
//! Every step goes through the same service layer as the other commands.
//!
//! Then, unless `--no-serve` (the story alone, then exit: CI runs that),
//! it makes the installation look lived in for the two front ends (staff
//! of every role, a mix of consents over the imported customers, open
//! rights requests and concerns), serves it on 127.0.0.1 (port 8080, or a
//! free one when 8080 is taken) and prints the console's and the privacy
//! center's links with a sign-in code ready for each role and for two
//! customers, until Ctrl-C.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context as _};
use candor_domain::{CategoryId, ConsentAction, ConsentSource, Decision, RightKind, Role, SubjectId, EXAMPLE_POLICY};
use candor_privacy::dp::Epsilon;
use candor_service::analytics::{AnalyticsOptions, AnalyticsQuery, DpRequest, Measure};
use candor_service::audit::AuditReport;
use candor_service::import::{ImportOptions, Progress};
use candor_service::receipt;
use candor_service::rights::execute::ExecuteOptions;
use candor_service::subjects::NewSubjectInput;
use serde_json::json;
use time::Duration;

use crate::cmd::{import, init};

mod furnishing;
mod serving;

use crate::{output, Global, Installation, Outcome};
use furnishing::furnish;
use serving::serve_demo;

/// A file that marks a directory as the demo's own, so it may be replaced.
const MARKER: &str = ".candor-demo";

/// The synthetic export the demo imports: customers, interactions, seed.
const CUSTOMERS: u64 = 400;
const INTERACTIONS: u64 = 6_000;
const SEED: u64 = 1;

/// Where the demo serves, unless the port is taken.
const ADDR: &str = "127.0.0.1:8080";

/// How long the printed sign-in codes work: a working day.
const CODE_VALIDITY: Duration = Duration::hours(8);

/// The staff the console's codes are printed for, one of each role.
const CONSOLE_STAFF: [(&str, Role); 5] =
    [("alice", Role::Agent), ("ana", Role::Analyst), ("mark", Role::Marketer), ("carla", Role::Compliance), ("adam", Role::Admin)];

/// Arguments of `candor demo`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Without --no-serve the demo serves its installation on 127.0.0.1:8080 (a free port when \
    8080 is taken) and prints the staff console's and the privacy center's links, each with a sign-in code, \
    until Ctrl-C; `cd DIR && candor serve` serves it again later.")]
pub struct Args {
    /// Where to build the demo installation; replaced if it holds an
    /// earlier demo.
    #[arg(default_value = "demo")]
    pub dir: PathBuf,
    /// Tell the story and exit: no open requests, concerns or consent mix
    /// for the front ends, no server.
    #[arg(long)]
    pub no_serve: bool,
}

/// The story's customers whose data stays, for the privacy center.
struct Cast {
    maria: SubjectId,
    tom: SubjectId,
}

struct Story {
    json: bool,
    steps: Vec<serde_json::Value>,
}

impl Story {
    fn say(&mut self, step: &str, text: String, data: serde_json::Value) {
        if !self.json {
            println!("{step:>10}  {text}");
        }
        self.steps.push(json!({ "step": step, "text": text, "data": data }));
    }
}

fn describe(d: &Decision) -> String {
    match d {
        Decision::Allow { permitted, withheld } => {
            let p: Vec<&str> = permitted.iter().map(CategoryId::as_str).collect();
            let w: Vec<&str> = withheld.iter().map(|(c, _)| c.as_str()).collect();
            if w.is_empty() {
                format!("allowed: {}", p.join(", "))
            } else {
                format!("allowed: {} (withheld: {})", p.join(", "), w.join(", "))
            }
        }
        Decision::Deny(r) => format!("denied: {r}"),
    }
}

fn prepare(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let empty = fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty && !dir.join(MARKER).exists() {
            bail!("`{}` exists and is not an earlier demo; pass another directory", dir.display());
        }
        if !empty {
            fs::remove_dir_all(dir).with_context(|| format!("could not remove the earlier demo in `{}`", dir.display()))?;
        }
    }
    fs::create_dir_all(dir).with_context(|| format!("could not create `{}`", dir.display()))?;
    fs::write(dir.join(MARKER), "made by `candor demo`; safe to delete\n").context("could not mark the demo directory")?;
    Ok(())
}

/// Run the demo.
pub async fn run(g: &Global, a: Args) -> anyhow::Result<Outcome> {
    prepare(&a.dir)?;
    let created = init::create(&a.dir, None, None).await?;
    let inst = Installation::open(&created.config).await?;
    let mut story = Story { json: g.json, steps: Vec::new() };
    let result: anyhow::Result<Cast> = async {
        let cast = play(&inst, &a.dir, &mut story).await?;
        if !a.no_serve {
            furnish(&inst, &cast, &mut story).await?;
        }
        Ok(cast)
    }
    .await;
    inst.close().await;
    let cast = result?;
    if !a.no_serve {
        let mut inst = Installation::open_serving(&created.config).await?;
        let result = serve_demo(g, &mut inst, &a.dir, &cast, story.steps).await;
        inst.close().await;
        return result;
    }
    if g.json {
        output::json(&json!({ "dir": a.dir, "steps": story.steps }))?;
    } else {
        println!();
        println!("the demo installation is in {}; try:", a.dir.display());
        println!("  cd {} && candor audit log && candor consent show <SUBJECT>", a.dir.display());
    }
    Ok(Outcome::Ok)
}

async fn play(inst: &Installation, dir: &Path, s: &mut Story) -> anyhow::Result<Cast> {
    let c = &inst.candor;
    let me = "demo";
    s.say("init", format!("created {} with an example policy, keys (mode 0600) and an SQLite database", dir.display()), json!({}));

    let v1 = c.publish_policy(me, "policy.toml", EXAMPLE_POLICY).await?;
    let again = c.publish_policy(me, "policy.toml", EXAMPLE_POLICY).await?;
    s.say(
        "policy",
        format!(
            "published version {} (sha256 {}…); publishing it again is a no-op: {}",
            v1.version,
            &v1.content_hash[..12],
            !again.created
        ),
        json!(v1),
    );

    for (id, role) in [("alice", Role::Agent), ("ana", Role::Analyst), ("mark", Role::Marketer), ("bob", Role::Agent)] {
        c.upsert_actor(me, id, vec![role]).await?;
    }
    for id in ["alice", "ana", "mark"] {
        c.attest_training(me, id, "privacy and ethics 2026", Duration::days(365)).await?;
    }
    s.say("staff", "alice (agent), ana (analyst), mark (marketer) trained; bob (agent) has no training".into(), json!({}));

    let customers = [
        ("maria.garcia@example.com", "x:@mariag", "Maria Garcia"),
        ("tom.becker@example.org", "instagram:@tombecker", "Tom Becker"),
        ("li.wei@example.net", "x:@liwei_88", "Li Wei"),
    ];
    let mut ids: Vec<SubjectId> = Vec::new();
    for (email, handle, name) in customers {
        let input =
            NewSubjectInput { email: Some(email.into()), handles: vec![handle.into()], name: Some(name.into()), ..Default::default() };
        ids.push(c.add_subject(me, &input).await?);
    }
    let found = c.find_subject(&candor_domain::Identifier::parse_handle("X:MariaG").map_err(|e| anyhow::anyhow!("{e}"))?).await?;
    s.say(
        "subjects",
        format!(
            "3 customers stored encrypted, each under their own data key; `X:MariaG` finds {} through the blind index",
            found.map(|i| i.to_string()).unwrap_or_default()
        ),
        json!({ "subjects": ids }),
    );
    let (maria, tom, li) = (ids[0], ids[1], ids[2]);

    let grant = c.record_consent(me, maria, Some("personalization"), ConsentAction::Grant, ConsentSource::PrivacyCenter).await?;
    c.record_consent(me, maria, Some("marketing.advertising"), ConsentAction::Grant, ConsentSource::PrivacyCenter).await?;
    c.record_consent(me, tom, Some("analytics"), ConsentAction::Object, ConsentSource::PrivacyCenter).await?;
    c.record_consent(me, li, Some("personalization"), ConsentAction::Grant, ConsentSource::PrivacyCenter).await?;
    c.record_consent(me, li, Some("personalization"), ConsentAction::Withdraw, ConsentSource::PrivacyCenter).await?;
    let signed = grant.receipt.clone().context("the grant was recorded, but no receipt was made for it")?;
    let receipt_path = dir.join("receipt-maria-personalization.json");
    super::consent::write_receipt(&receipt_path, &signed)?;
    let receipt_text = signed.document()?;
    let verified = receipt::verify(&receipt_text, signed.jws(), Some(&c.keys().verifying_key()))?;
    let mut tampered = receipt_text.clone().into_bytes();
    if let Some(pos) = receipt_text.find("\"personalization\"") {
        tampered[pos + 1] = b'P';
    }
    let tamper_caught = receipt::verify(&String::from_utf8_lossy(&tampered), signed.jws(), Some(&c.keys().verifying_key())).is_err();
    s.say(
        "consent",
        format!(
            "maria granted personalization and advertising, tom objected to analytics, li granted then withdrew personalization; receipt {} in {} signed with Ed25519 as a detached JWS beside it (valid: true; one edited byte caught: {tamper_caught})",
            verified.receipt_id,
            receipt_path.display()
        ),
        json!({ "receipt": verified }),
    );

    let ask = |actor: &'static str, subject: SubjectId, purpose: &'static str, cats: &'static [&'static str]| async move {
        let cats: Vec<CategoryId> = cats.iter().map(|c| CategoryId::new(*c)).collect();
        c.decide(actor, subject, purpose, &cats).await
    };
    let view = c.view_subject("alice", maria, "customer_service").await?;
    let shown: Vec<String> = view.fields.iter().filter_map(|f| f.value.as_ref().map(|v| format!("{}={v}", f.field))).collect();
    s.say(
        "access",
        format!("alice, customer_service on maria: {} -> {}", describe(&view.decision), shown.join(", ")),
        json!(view.decision),
    );
    let cases: [(&str, SubjectId, &str, &[&str], &str); 6] = [
        ("bob", maria, "customer_service", &["user.contact.email"], "bob, customer_service"),
        ("ana", tom, "analytics", &["user.content.public"], "ana, analytics on tom"),
        ("ana", maria, "analytics", &["user.content.public", "user.contact.email"], "ana, analytics on maria"),
        ("mark", li, "personalization", &["user.content.public"], "mark, personalization on li"),
        ("mark", maria, "personalization", &["user.content.public", "user.health_and_medical"], "mark, personalization on maria"),
        ("alice", maria, "marketing.advertising", &["user.contact.email"], "alice, advertising on maria"),
    ];
    for (actor, subject, purpose, cats, label) in cases {
        let d = ask(actor, subject, purpose, cats).await?;
        s.say("access", format!("{label}: {}", describe(&d)), json!(d));
    }

    let v2_text = EXAMPLE_POLICY.replace("retention_days = 180\nccpa = \"share\"", "retention_days = 365\nccpa = \"share\"");
    fs::write(dir.join("policy.toml"), &v2_text).context("could not write the changed policy")?;
    let v2 = c.publish_policy(me, "policy.toml", &v2_text).await?;
    let fresh: Vec<String> = v2.diff.as_ref().map(|d| d.fresh_consent.iter().map(ToString::to_string).collect()).unwrap_or_default();
    s.say(
        "policy",
        format!(
            "published version {}: advertising data kept 365 days instead of 180 is material; fresh consent needed for: {}",
            v2.version,
            fresh.join(", ")
        ),
        json!(v2),
    );
    let d = ask("mark", maria, "marketing.advertising", &["user.contact.email"]).await?;
    s.say("access", format!("mark, advertising on maria after the change: {}", describe(&d)), json!(d));
    c.record_consent(me, maria, Some("marketing.advertising"), ConsentAction::Grant, ConsentSource::PrivacyCenter).await?;
    let d = ask("mark", maria, "marketing.advertising", &["user.contact.email"]).await?;
    s.say("access", format!("after maria consents again under version {}: {}", v2.version, describe(&d)), json!(d));

    // Social interactions: a synthetic export, imported, redacted, sealed,
    // then asked about by the analyst through the gate.
    let data = candor_ingest::demo_data::generate(&dir.join("data"), CUSTOMERS, INTERACTIONS, SEED)?;
    let options = ImportOptions { brands: data.brands.clone(), actor: me.into(), ..ImportOptions::default() };
    let progress = Arc::new(Progress::default());
    let bar = import::bar(&progress);
    let summary = c.import(&data.twcs, options, progress).await;
    bar.finish_and_clear();
    let summary = summary?;
    s.say(
        "import",
        format!(
            "{} tweets from {}: {} stored (PII redacted, each text sealed under its customer's key, sentiment and themes from the redacted text), {} quarantined with their line in {}",
            summary.records,
            data.twcs.display(),
            summary.interactions.stored,
            summary.quarantined,
            summary.quarantine_file.as_ref().map_or_else(|| "-".to_owned(), |p| p.display().to_string())
        ),
        json!(summary),
    );
    let themes: Vec<String> = inst.settings.themes()?.themes().iter().map(|t| t.name().to_owned()).collect();
    let options = AnalyticsOptions {
        k: inst.settings.privacy.k_anonymity,
        budget_per_month: inst.settings.privacy.dp_epsilon_per_month,
        max_contributions: inst.settings.privacy.dp_max_contributions,
        themes,
    };
    let q = AnalyticsQuery { measure: Measure::Themes, by: Vec::new(), from: None, to: None, dp: None };
    let report = c.analytics("ana", &q, &options).await?;
    let mut top: Vec<(&str, f64)> = report.cells.iter().filter_map(|c| Some((c.key[0].as_str(), c.interactions?))).collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<String> = top.iter().take(4).map(|(t, n)| format!("{t} {n:.0}")).collect();
    s.say(
        "analytics",
        format!("ana, themes of customers' messages (consent-gated, cells under {} customers hidden): {}", report.k, top.join(", ")),
        json!(report),
    );
    let q = AnalyticsQuery {
        measure: Measure::Sentiment,
        by: vec![candor_store::Dimension::Platform],
        from: None,
        to: None,
        dp: Some(DpRequest { epsilon: Epsilon::new(1.0)?, delta: None }),
    };
    let report = c.analytics("ana", &q, &options).await?;
    let mean = report.total.as_ref().and_then(|t| t.mean_sentiment).unwrap_or_default();
    let budget = report.privacy.as_ref().map_or(0.0, |p| p.budget_remaining);
    s.say(
        "analytics",
        format!(
            "ana, mean sentiment with differential privacy (epsilon 1, discrete Laplace): {mean:+.2}; {budget} epsilon left this month"
        ),
        json!(report),
    );
    let denied = c.analytics("mark", &q, &options).await.err().map(|e| e.to_string()).unwrap_or_default();
    s.say("analytics", format!("mark asks the same: {denied}"), json!({}));

    // Rights: tom asks for his data (verified by a one-time code through
    // the outbox), li asks to be erased.
    let access = c.open_rights_request(me, RightKind::Access, tom, None).await?;
    c.send_rights_code(me, &access.id).await?;
    let code = c
        .outbox(true, 0, 100)
        .await?
        .into_iter()
        .filter(|m| m.kind == "one_time_code")
        .find_map(|m| {
            m.body["text"].as_str().and_then(|t| {
                t.split_whitespace()
                    .map(|w| w.trim_end_matches('.'))
                    .find(|w| w.len() == 8 && w.bytes().all(|b| b.is_ascii_digit()))
                    .map(str::to_owned)
            })
        })
        .context("the one-time code did not reach the outbox")?;
    c.verify_rights_request_by_code("tom", &access.id, &code).await?;
    let bundle = dir.join("export-tom");
    let done =
        c.execute_rights_request(me, &access.id, &ExecuteOptions { out_dir: Some(bundle.clone()), ..ExecuteOptions::default() }).await?;
    s.say(
        "rights",
        format!(
            "tom's access request ({}): verified with the one-time code from the outbox, bundle written to {} (manifest, data.json, a CSV per table, summary.txt), due {}",
            access.request.kind.legal_source(access.request.regime).unwrap_or(""),
            bundle.display(),
            output::ts(access.request.due_at)
        ),
        json!(done.record.request.result),
    );
    let erase = c.open_rights_request(me, RightKind::Erasure, li, None).await?;
    c.verify_rights_request_by_staff(me, &erase.id, "demo: identity confirmed on a call").await?;
    let done = c.execute_rights_request(me, &erase.id, &ExecuteOptions::default()).await?;
    let report = done.record.request.result.clone().unwrap_or_default();
    let deleted: Vec<String> = report.deleted.iter().map(|d| format!("{} {} ({})", d.records, d.what, d.category)).collect();
    let back = c.find_subject(&candor_domain::Identifier::email("li.wei@example.net").map_err(|e| anyhow::anyhow!("{e}"))?).await?;
    s.say(
        "rights",
        format!(
            "li's erasure: key destroyed, deleted {}; recipients notified: {}; li.wei@example.net now finds {}",
            deleted.join(", "),
            if report.notified.is_empty() { "none".to_owned() } else { report.notified.join(", ") },
            back.map_or_else(|| "nobody".to_owned(), |i| i.to_string())
        ),
        json!(report),
    );

    let rotation = c.rotate_keys(me, |_, _| {}).await?;
    s.say(
        "keys",
        format!(
            "rotated the key-encryption key: {} data keys re-wrapped under `{}`, data untouched, retired {}",
            rotation.rewrapped,
            rotation.kek,
            rotation.retired.join(", ")
        ),
        json!(rotation),
    );

    match c.verify_audit(|_, _| {}).await? {
        AuditReport::Intact { entries, checkpoints, .. } => {
            s.say(
                "audit",
                format!("audit chain intact: {entries} entries, {checkpoints} signed checkpoints; subjects appear only as pseudonyms"),
                json!({ "entries": entries }),
            );
        }
        AuditReport::Tampered { message, .. } => bail!("the demo's own audit chain does not verify: {message}"),
    }
    Ok(Cast { maria, tom })
}
