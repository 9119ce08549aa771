//! The policy: published versions with what each changed against the
//! one before (material changes marked), and, for the roles that may
//! publish, a policy file uploaded, checked and shown as a diff against
//! the version in force with the number of customers whose consent it
//! would make stale, then published.

use askama::Template;
use axum::extract::{Form, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_service::policy::content_hash;
use candor_service::policy_changes::PublishPreview;
use serde::Deserialize;

use super::{or_error, when, ConsoleFrame, Desk};
use crate::auth::Operation;
use crate::pages::Visit;
use crate::problem::Problem;
use crate::AppState;

/// The largest policy file taken.
pub(crate) const MAX_POLICY: usize = 256 * 1024;

/// The body the policy routes take: the file, url-encoded on its way back
/// to be published (up to three bytes a byte), and the form's fields.
pub(crate) const POLICY_BODY: usize = 3 * MAX_POLICY + 4 * 1024;

struct Version {
    version: u32,
    title: String,
    material: bool,
    changes: Vec<(bool, String)>,
}

/// A checked upload waiting to be published.
struct Pending {
    content: String,
    hash: String,
    /// The version in force it was compared with.
    base: u32,
    changes: Vec<(bool, String)>,
    material: bool,
    stale_words: String,
}

#[derive(Template)]
#[template(path = "console/policy.html")]
struct PolicyPage {
    frame: ConsoleFrame,
    versions: Vec<Version>,
    may_publish: bool,
    pending: Option<Pending>,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    hash: String,
    #[serde(default)]
    base: u32,
}

/// `GET /console/policy`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit) -> Response {
    let d = desk!(&state, &visit, Some(Operation::PolicyRead));
    let r = render(&state, &visit, &d, None, None, None).await;
    or_error(&state, &visit, &d, r)
}

/// `POST /console/policy/check` (multipart: `csrf`, `file`): the diff
/// and the stale-consent count, and the button to publish.
pub(crate) async fn check(State(state): State<AppState>, visit: Visit, multipart: Multipart) -> Response {
    let d = desk!(&state, &visit, Some(Operation::PolicyWrite));
    let r = async {
        let (csrf, name, content) = read_upload(multipart).await?;
        d.check(&csrf)?;
        match state.candor().preview_policy(&name, &content).await {
            Ok(preview) => {
                let base = state.candor().latest_policy_version().await?.unwrap_or(0);
                render(&state, &visit, &d, Some(pending(&visit, content, preview, base)), None, None).await
            }
            Err(candor_service::ServiceError::InvalidPolicy(diagnostics)) => {
                let all = diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
                render(&state, &visit, &d, None, Some(all), None).await
            }
            Err(e) => {
                let p: Problem = e.into();
                render(&state, &visit, &d, None, Some(p.detail), None).await
            }
        }
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// `POST /console/policy/publish`: publish the file checked, unless it
/// changed since (its hash must match what was shown).
pub(crate) async fn publish(State(state): State<AppState>, visit: Visit, Form(f): Form<PublishForm>) -> Response {
    let d = desk!(&state, &visit, Some(Operation::PolicyWrite));
    let r = async {
        d.check(&f.csrf)?;
        // A browser sends a text area's line ends as CRLF; the upload was
        // read with LF.
        let content = f.content.replace("\r\n", "\n");
        if content_hash(&content) != f.hash {
            return Err(Problem::invalid_input("the policy is not the one checked; upload it again"));
        }
        // What was shown (the diff, the stale-consent count) was against
        // the version then in force: another publication since voids it.
        let now_in_force = state.candor().latest_policy_version().await?.unwrap_or(0);
        if now_in_force != f.base {
            return Err(Problem::invalid_input(format!(
                "version {now_in_force} was published since you checked this file against version {}; check it again",
                f.base
            )));
        }
        let published = state.candor().publish_policy(&d.actor.id, "upload.toml", &content).await?;
        let notice = visit.w.tn(
            if published.created { "policy-published" } else { "policy-same" },
            &[("version", &published.version.to_string()), ("notices", &published.notices.queued.to_string())],
        );
        render(&state, &visit, &d, None, None, Some(notice)).await
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// The upload's CSRF token, file name and text.
async fn read_upload(mut multipart: Multipart) -> Result<(String, String, String), Problem> {
    let (mut csrf, mut name, mut content) = (String::new(), String::from("upload.toml"), None);
    let bad = |e: axum::extract::multipart::MultipartError| Problem::bad_request(format!("the upload could not be read: {e}"));
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("file") => {
                if let Some(n) = field.file_name().filter(|n| !n.is_empty()) {
                    name = n.chars().filter(|c| c.is_ascii_graphic()).take(100).collect();
                }
                let bytes = field.bytes().await.map_err(bad)?;
                if bytes.len() > MAX_POLICY {
                    return Err(Problem::invalid_input(format!("`{name}` is larger than {} KiB", MAX_POLICY / 1024)));
                }
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| Problem::invalid_input(format!("`{name}` is not UTF-8 text")))?;
                content = Some(text.replace("\r\n", "\n"));
            }
            _ => {}
        }
    }
    let content =
        content.filter(|c| !c.trim().is_empty()).ok_or_else(|| Problem::invalid_input("choose a policy file (TOML) to upload"))?;
    Ok((csrf, name, content))
}

fn pending(visit: &Visit, content: String, p: PublishPreview, base: u32) -> Pending {
    let fresh = p.diff.fresh_consent.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    Pending {
        hash: content_hash(&content),
        base,
        content,
        material: p.diff.is_material(),
        changes: p.diff.changes.iter().map(|c| (c.material, change_words(c))).collect(),
        stale_words: visit.w.tn("policy-stale", &[("n", &p.stale_consent.to_string()), ("purposes", &fresh)]),
    }
}

async fn render(
    state: &AppState,
    visit: &Visit,
    d: &Desk,
    pending: Option<Pending>,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, Problem> {
    let versions = state
        .candor()
        .policy_changes()
        .await?
        .into_iter()
        .map(|v| Version {
            version: v.version,
            title: visit.w.tn("policy-version", &[("version", &v.version.to_string()), ("at", &when(v.published_at))]),
            material: v.material(),
            changes: v.changes.iter().map(|c| (c.change.material, change_words(&c.change))).collect(),
        })
        .collect();
    let page =
        PolicyPage { frame: d.frame(state, visit), versions, may_publish: d.may(state, Operation::PolicyWrite), pending, error, notice };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(visit.render(status, &page))
}

/// A change in words, without the `[material]` tag its text starts with
/// (the page marks it on its own).
fn change_words(c: &candor_domain::Change) -> String {
    let text = c.to_string();
    match text.strip_prefix('[').and_then(|t| t.split_once("] ")) {
        Some((_, rest)) => rest.to_owned(),
        None => text,
    }
}
