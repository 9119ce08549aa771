//! `/privacy/changes`: what changed in the policy, version by version,
//! newest first, each change in the reader's words and marked important
//! (customers were told, consent asked for again) or minor. Anyone may
//! read it; a signed-in customer also sees the layout's banner when a
//! change made their consent outdated.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use candor_domain::policy::Policy;
use candor_domain::LegalBasis;
use candor_service::policy_changes::{ChangeEntry, VersionChanges};

use super::i18n::Words;
use super::privacy::{basis_id, category_words};
use super::{Frame, Visit, Visitor};
use crate::problem::Problem;
use crate::AppState;

#[derive(Template)]
#[template(path = "privacy/changes.html")]
struct ChangesPage {
    frame: Frame,
    versions: Vec<VersionRow>,
}

/// One published version, in words.
struct VersionRow {
    heading: String,
    first: bool,
    changes: Vec<ChangeRow>,
}

/// One change, in words.
struct ChangeRow {
    words: String,
    material: bool,
}

/// `GET /privacy/changes`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit) -> Response {
    match rows(&state, &visit.w).await {
        Ok(versions) => {
            // Signed in: the sign-out form, as on the dashboard.
            let csrf = match visit.visitor() {
                Ok(Visitor::Customer { csrf, .. }) => Some(csrf),
                _ => None,
            };
            let page = ChangesPage { frame: visit.frame(&state, csrf).await, versions };
            visit.render(StatusCode::OK, &page)
        }
        Err(p) => visit.problem(&state, &p).await,
    }
}

async fn rows(state: &AppState, w: &Words) -> Result<Vec<VersionRow>, Problem> {
    let candor = state.candor();
    let history = candor.policy_changes().await?;
    let Some(oldest) = history.last().map(|v| v.version) else { return Ok(Vec::new()) };
    let ctx = candor.policy_context().await?;
    Ok(history.iter().map(|v| version_row(w, &ctx.policy, v, v.version == oldest)).collect())
}

fn version_row(w: &Words, policy: &Policy, v: &VersionChanges, first: bool) -> VersionRow {
    let (version, date) = (v.version.to_string(), v.published_at.date().to_string());
    let mut changes: Vec<ChangeRow> =
        v.changes.iter().map(|c| ChangeRow { words: change_words(w, policy, c), material: c.change.material }).collect();
    // The important ones first; the diff's order otherwise.
    changes.sort_by_key(|c| !c.material);
    VersionRow { heading: w.tn("changes-version", &[("version", &version), ("date", &date)]), first, changes }
}

/// A change in the reader's words: its message with each argument put
/// into words (a purpose by its name, categories and legal bases as the
/// dashboard names them, a recipient by name).
pub(crate) fn change_words(w: &Words, policy: &Policy, c: &ChangeEntry) -> String {
    let wording = &c.change.wording;
    let args: Vec<(&str, String)> =
        wording.args.iter().map(|(name, value)| (*name, arg_words(w, policy, c, wording.id, name, value))).collect();
    let borrowed: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
    w.tn(wording.id, &borrowed)
}

fn arg_words(w: &Words, policy: &Policy, c: &ChangeEntry, id: &str, name: &str, value: &str) -> String {
    match (id, name) {
        (_, "purpose") => c.purpose_name.clone().unwrap_or_else(|| value.to_owned()),
        (_, "categories") => {
            let mut words: Vec<String> = value.split(", ").map(|cat| category_words(w, cat)).collect();
            words.dedup();
            words.join(", ")
        }
        (_, "basis") | ("change-basis", "from" | "to") => LegalBasis::parse(value).map_or_else(|| value.to_owned(), |b| w.t(&basis_id(b))),
        ("change-recipient", "from" | "to") => policy.recipients.get(value).map_or_else(|| value.to_owned(), |r| r.name.clone()),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use candor_domain::policy::check;
    use candor_domain::{diff, EXAMPLE_POLICY};
    use candor_service::policy_changes::ChangeEntry;

    use super::change_words;
    use crate::pages::i18n::{Catalogues, LANGUAGES};

    /// Every kind of change the diff knows has words in every language,
    /// with each argument filled in.
    #[test]
    fn every_change_the_diff_names_reads_in_every_language() {
        let old = check("a.toml", EXAMPLE_POLICY).unwrap();
        let edited = EXAMPLE_POLICY
            .replace("name = \"Northwind Outfitters Ltd\"", "name = \"Northwind Ltd\"")
            .replace("  \"user.health_and_medical\",\n", "  \"user.health_and_medical\",\n  \"user.behavior\",\n")
            .replace("  \"user.location.imprecise\",\n", "")
            .replace("legal_basis = \"legitimate_interests\"", "legal_basis = \"consent\"")
            .replace("\"user.location.imprecise\"]", "\"user.contact.email\"]")
            .replace("retention_days = 180", "retention_days = 365")
            .replace("retention_days = 730\nrecipient", "retention_days = 30\nrecipient")
            .replace("ccpa = \"share\"", "ccpa = \"sale\"")
            .replace("Show you ads", "Show you adverts")
            .replace("legal_hold = true", "legal_hold = false")
            .replace("special_condition = \"explicit_consent\"", "special_condition = \"vital_interests\"")
            .replace("country = \"US\"", "country = \"CA\"")
            .replace("valid_until = \"2027-12-31\"", "valid_until = \"2028-12-31\"")
            .replace("agent = [\"customer_service\", \"accessibility_support\"]", "agent = [\"customer_service\"]");
        let new = check("b.toml", &edited).unwrap_or_else(|d| panic!("{d:#?}"));
        let d = diff(&old, &new);
        let ids: std::collections::BTreeSet<&str> = d.changes.iter().map(|c| c.wording.id).collect();
        assert!(ids.len() >= 12, "{ids:?}");
        for lang in LANGUAGES {
            let w = Catalogues::embedded().unwrap().words(lang);
            for c in &d.changes {
                assert!(w.has(c.wording.id), "{lang}: {}", c.wording.id);
                let entry = ChangeEntry { change: c.clone(), purpose_name: Some("Advertising".into()) };
                let words = change_words(&w, &new, &entry);
                assert!(!words.contains('{') && !words.contains("change-") && !words.contains('$'), "{lang}: {words}");
            }
        }
    }
}
