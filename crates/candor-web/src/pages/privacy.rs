//! The privacy center's pages: signing in with a one-time code, and the
//! customer's own dashboard (what is held about them, what it is used
//! for and why, and their choices).

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use candor_domain::{Ccpa, ConsentAction, ConsentDefault, ConsentSource, LegalBasis, Provenance, PurposeStatus, SubjectId};
use candor_service::auth::new_challenge_id;
use candor_service::consent::ConsentOverview;
use candor_service::holdings::Keeping;
use candor_service::rights::codes::explicit_over_signal;
use candor_service::transparency::Reader;
use serde::Deserialize;

use super::i18n::Words;
use super::{see_other, Frame, Visit, Visitor};
use crate::api::privacy::{clear_session, guarded, set_session_cookie};
use crate::problem::Problem;
use crate::AppState;

#[derive(Template)]
#[template(path = "privacy/sign_in.html")]
struct SignInPage {
    frame: Frame,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "privacy/code.html")]
struct CodePage {
    frame: Frame,
    challenge: String,
    printed: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "privacy/dashboard.html")]
struct Dashboard {
    frame: Frame,
    csrf: String,
    notice: Option<String>,
    held: Vec<Held>,
    messages: Vec<MessagesRow>,
    purposes: Vec<PurposeCard>,
    readings: Vec<ReadingRow>,
    received: Vec<ReceivedRow>,
    sale: SaleShare,
    gpc: bool,
}

/// Where the customer stands on the sale and sharing of their data.
struct SaleShare {
    words: String,
    offer_opt_out: bool,
}

/// One audit entry about the customer, in words.
struct ReadingRow {
    when: String,
    who: String,
    what: String,
    why: String,
}

/// One recipient of the customer's data, in words.
struct ReceivedRow {
    who: String,
    purpose: String,
    categories: String,
    agreement: String,
    now: String,
}

/// One detail held, in words.
struct Held {
    what: String,
    value: String,
    kind: String,
    from: String,
    kept: String,
}

/// The customer's messages on one platform, public or private, in words.
struct MessagesRow {
    platform: String,
    kind: String,
    count: u64,
    period: String,
    kept: String,
}

/// One purpose of the policy, in words, with the choice the customer has.
struct PurposeCard {
    id: String,
    name: String,
    description: String,
    basis: String,
    basis_explained: String,
    categories: String,
    kept: String,
    status: String,
    action: Option<Choice>,
    /// The ledger position of the last choice's signed receipt.
    receipt: Option<i64>,
}

/// The button a purpose offers.
struct Choice {
    value: &'static str,
    label: String,
}

/// `GET /privacy`: the dashboard, or the way to sign in.
pub(crate) async fn home(State(state): State<AppState>, visit: Visit, headers: HeaderMap, Query(q): Query<Done>) -> Response {
    let (subject, csrf) = match visit.signed_in(&state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match dashboard(&state, &visit, &headers, subject, csrf, &q).await {
        Ok(r) => r,
        Err(p) => visit.problem(&state, &p).await,
    }
}

/// What a choice just did, for the notice on the page it returns to.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
    purpose: Option<String>,
}

async fn dashboard(
    state: &AppState,
    visit: &Visit,
    headers: &HeaderMap,
    subject: SubjectId,
    csrf: String,
    q: &Done,
) -> Result<Response, Problem> {
    let candor = state.candor();
    // The Global Privacy Control signal counts on every page.
    let gpc = crate::gpc::signalled(headers);
    if gpc {
        candor.record_gpc_signal("subject", subject).await?;
    }
    let w = visit.w;
    let ctx = candor.policy_context().await?;
    let overview = candor.consent_overview(subject).await?;
    let name_of = |id: &str| ctx.policy.purpose(id).map_or_else(|| id.to_owned(), |p| p.name.clone());
    let holdings = candor.holdings(subject, &overview).await?;
    let held = holdings
        .details
        .into_iter()
        .map(|d| Held {
            what: field_words(&w, &d.field),
            value: d.value,
            kind: category_words(&w, d.category.as_str()),
            from: source_words(&w, &d.source),
            kept: keeping_words(&w, &d.kept, &name_of),
        })
        .collect();
    let messages = holdings
        .messages
        .into_iter()
        .map(|m| {
            let (first, last) = (m.first.date().to_string(), m.last.date().to_string());
            MessagesRow {
                platform: m.platform,
                kind: category_words(&w, m.category.as_str()),
                count: m.count,
                period: w.tn("messages-period-value", &[("first", first.as_str()), ("last", last.as_str())]),
                kept: keeping_words(&w, &m.kept, &name_of),
            }
        })
        .collect();
    // The banner's renewals come from the ledger read for the page.
    let renewals = candor_service::policy_changes::renewals_in(&ctx, &overview.state);
    let frame = visit.frame_with(state, Some(csrf.clone()), renewals).await;
    let purposes = purpose_cards(&w, &ctx.policy, &overview, &frame.renew);
    let notice = match (q.done.as_deref(), q.purpose.as_deref().and_then(|id| ctx.policy.purpose(id))) {
        (Some(done @ ("grant" | "withdraw" | "object")), Some(p)) => Some(w.t1(&format!("notice-{done}"), "purpose", &p.name)),
        (Some("opt_out_sale_share"), _) => Some(w.t("notice-opt-out-sale-share")),
        _ => None,
    };
    let sells = ctx.policy.purposes.values().any(|p| p.ccpa != Ccpa::None);
    let sale = sale_share(&w, sells, &overview);
    let readings = candor
        .readings(subject, 50)
        .await?
        .into_iter()
        .map(|r| ReadingRow {
            when: r.at.date().to_string(),
            who: reader_words(&w, &r.reader),
            what: deed_words(&w, &r.action, r.allowed),
            why: r.purpose.as_deref().map(name_of).unwrap_or_default(),
        })
        .collect();
    let received = candor_service::transparency::disclosures_in(&ctx, &overview)
        .into_iter()
        .map(|d| {
            let mut categories: Vec<String> = d.categories.iter().map(|c| category_words(&w, c.as_str())).collect();
            categories.dedup();
            let (from, until) = (d.valid_from.to_string(), d.valid_until.to_string());
            let args = [("reference", d.agreement.as_str()), ("from", from.as_str()), ("until", until.as_str())];
            ReceivedRow {
                who: format!("{} ({})", d.recipient, d.country),
                purpose: d.purpose_name,
                categories: categories.join(", "),
                agreement: w.tn("agreement-valid", &args),
                now: w.t(if d.in_effect { "received-on" } else { "received-off" }),
            }
        })
        .collect();
    let page = Dashboard { frame, csrf, notice, held, messages, purposes, readings, received, sale, gpc };
    Ok(visit.render(StatusCode::OK, &page))
}

/// Each purpose of the policy in words, with the one button that changes
/// the customer's standing on it; a consent a material change made
/// outdated (`renew`) says so and offers to renew it.
fn purpose_cards(
    w: &Words,
    policy: &candor_domain::policy::Policy,
    overview: &ConsentOverview,
    renew: &[super::Renew],
) -> Vec<PurposeCard> {
    let mut purposes = Vec::new();
    for standing in &overview.purposes {
        let Some(p) = policy.purpose(standing.purpose.as_str()) else { continue };
        let date = standing.at.map(|t| t.date().to_string()).unwrap_or_default();
        let (status, action) = if renew.iter().any(|r| r.id == p.id.as_str()) {
            // Consent given before a material change: say so, not "paused".
            (w.t("status-renew"), Some(Choice { value: "grant", label: w.t("action-renew") }))
        } else {
            standing_words(w, p.default, standing.status, standing.in_effect, &date)
        };
        let basis = basis_id(p.legal_basis);
        let mut categories: Vec<String> = p.categories.iter().map(|c| category_words(w, c.as_str())).collect();
        categories.dedup();
        purposes.push(PurposeCard {
            id: p.id.as_str().to_owned(),
            name: p.name.clone(),
            description: p.description_in(w.lang).to_owned(),
            basis: w.t(&basis),
            basis_explained: w.t(&format!("{basis}-explained")),
            categories: categories.join(", "),
            kept: w.t1("purpose-kept-days", "days", &p.retention_days.to_string()),
            status,
            action,
            receipt: overview.events.iter().rev().find(|e| e.event.purpose.as_ref() == Some(&p.id)).filter(|e| e.has_receipt).map(|e| e.id),
        });
    }
    purposes
}

/// Where a purpose stands, in words, and the one button that changes it:
/// consent is off until granted and withdrawn with one press; a purpose
/// on legitimate interests (or another basis open to objection) runs
/// until objected to and is allowed again with one press; the rest are
/// not the customer's choice.
fn standing_words(
    w: &Words,
    default: ConsentDefault,
    status: Option<PurposeStatus>,
    in_effect: bool,
    date: &str,
) -> (String, Option<Choice>) {
    let choice = |value: &'static str, label: &str| Some(Choice { value, label: w.t(label) });
    let words = |id: &str| w.t1(id, "date", date);
    match (default, status) {
        (ConsentDefault::NotApplicable, _) => (w.t("status-needed"), None),
        (ConsentDefault::OptIn, Some(PurposeStatus::Granted)) if in_effect => {
            (words("status-granted"), choice("withdraw", "action-withdraw"))
        }
        (ConsentDefault::OptIn, Some(PurposeStatus::Granted)) => (w.t("status-paused"), choice("withdraw", "action-withdraw")),
        (ConsentDefault::OptIn, Some(PurposeStatus::Withdrawn)) => (words("status-withdrawn"), choice("grant", "action-grant")),
        (ConsentDefault::OptIn, Some(PurposeStatus::Objected)) => (words("status-objected"), choice("grant", "action-grant")),
        (ConsentDefault::OptIn, None) => (w.t("status-off-until-asked"), choice("grant", "action-grant")),
        (ConsentDefault::OptOut, Some(PurposeStatus::Objected)) => (words("status-objected"), choice("grant", "action-allow-again")),
        (ConsentDefault::OptOut, Some(PurposeStatus::Withdrawn)) => (words("status-withdrawn"), choice("grant", "action-allow-again")),
        (ConsentDefault::OptOut, _) if !in_effect => (w.t("status-paused"), choice("object", "action-object")),
        (ConsentDefault::OptOut, Some(PurposeStatus::Granted)) => (words("status-allowed-again"), choice("object", "action-object")),
        (ConsentDefault::OptOut, None) => (w.t("status-on-until-objected"), choice("object", "action-object")),
    }
}

/// Who acted, by role: "A customer-service agent", "Our privacy team and
/// An administrator" reads badly, so the first role names them.
fn reader_words(w: &Words, reader: &Reader) -> String {
    match reader {
        Reader::Staff { roles } => match roles.first() {
            Some(role) => w.t(&format!("role-{}", role.as_str())),
            None => w.t("reader-operator"),
        },
        Reader::You | Reader::Operator => w.t("reader-operator"),
    }
}

/// What an audit action did, in words.
fn deed_words(w: &Words, action: &str, allowed: Option<bool>) -> String {
    let id = match action {
        "access.decide" if allowed == Some(false) => "deed-access-denied",
        "access.decide" => "deed-access-allowed",
        "analytics.drill" => "deed-analytics-drill",
        "rights.export" | "rights.bundle.read" => "deed-export",
        "rights.erase" => "deed-erase",
        a if a.starts_with("rights.") => "deed-rights",
        a if a.starts_with("consent.") => "deed-consent",
        a if a.starts_with("subject.") => "deed-subject",
        a if a.starts_with("hold.") => "deed-hold",
        a if a.starts_with("concern.") => "deed-concern",
        "outbox.sent" | "session.code_sent" => "deed-outbox",
        _ => return w.t1("deed-other", "action", action),
    };
    w.t(id)
}

/// The sale and sharing of the customer's data, in words: none under the
/// policy; opted out, when and how (a GPC signal or their own choice); or
/// possible, with the one press that opts out.
fn sale_share(w: &Words, sells: bool, overview: &ConsentOverview) -> SaleShare {
    if overview.state.sale_share_opt_out {
        let last = overview.events.iter().rev().find(|e| e.event.action == ConsentAction::OptOutSaleShare);
        let date = last.map(|e| e.event.at.date().to_string()).unwrap_or_default();
        let id = if last.is_some_and(|e| e.event.source == ConsentSource::Gpc) { "sale-off-gpc" } else { "sale-off" };
        return SaleShare { words: w.t1(id, "date", &date), offer_opt_out: false };
    }
    if explicit_over_signal(overview.events.iter().map(|e| &e.event)) {
        let last = overview.events.iter().rev().find(|e| e.event.action == ConsentAction::OptInSaleShare);
        let date = last.map(|e| e.event.at.date().to_string()).unwrap_or_default();
        return SaleShare { words: w.t1("sale-on-explicit", "date", &date), offer_opt_out: true };
    }
    if sells {
        SaleShare { words: w.t("sale-on"), offer_opt_out: true }
    } else {
        SaleShare { words: w.t("sale-none"), offer_opt_out: false }
    }
}

/// The catalogue's id for a legal basis: `basis-legitimate-interests`.
pub(super) fn basis_id(b: LegalBasis) -> String {
    let name = serde_json::to_value(b).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    format!("basis-{}", name.replace('_', "-"))
}

/// A detail's name in words: `email`, `phone`, `name`, `customer_number`,
/// `handle:PLATFORM`, else the raw field named as "other".
fn field_words(w: &Words, field: &str) -> String {
    match field {
        "email" => w.t("field-email"),
        "phone" => w.t("field-phone"),
        "name" => w.t("field-name"),
        "customer_number" => w.t("field-customer-number"),
        _ => match (field.strip_prefix("handle:"), field.strip_prefix("account:")) {
            (Some(platform), _) => w.t1("field-handle", "platform", platform),
            (_, Some(platform)) => w.t1("field-account", "platform", platform),
            _ => w.t1("field-other", "field", field),
        },
    }
}

/// Where a detail came from, in words.
fn source_words(w: &Words, source: &Provenance) -> String {
    match source {
        Provenance::Platform(p) => w.t1("source-platform", "platform", p),
        Provenance::Crm => w.t("source-crm"),
        Provenance::Staff => w.t("source-staff"),
        Provenance::Correction => w.t("source-correction"),
        Provenance::Unrecorded => w.t("source-unrecorded"),
    }
}

/// Until when a detail is kept and for which purposes, in words.
fn keeping_words(w: &Words, kept: &Keeping, name_of: &dyn Fn(&str) -> String) -> String {
    match kept {
        Keeping::For { until, purposes } => {
            let names: Vec<String> = purposes.iter().map(|p| name_of(p.as_str())).collect();
            let until = until.to_string();
            w.tn("kept-until", &[("date", until.as_str()), ("purposes", names.join(", ").as_str())])
        }
        Keeping::Unused => w.t("kept-unused"),
    }
}

/// A data category in words: the most specific of its names the
/// catalogue has (`user.contact.email`, else `user.contact`, …).
pub(crate) fn category_words(w: &Words, category: &str) -> String {
    let mut key = category;
    loop {
        let id = format!("category-{}", key.replace(['.', '_'], "-"));
        if w.has(&id) {
            return w.t(&id);
        }
        match key.rsplit_once('.') {
            Some((parent, _)) => key = parent,
            None => return category.to_owned(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    code: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// `GET /privacy/sign-in`.
pub(crate) async fn sign_in_page(State(state): State<AppState>, visit: Visit) -> Response {
    if let Ok(Visitor::Customer { .. }) = visit.visitor() {
        return see_other("/privacy");
    }
    let page = SignInPage { frame: visit.frame(&state, None).await, email: String::new(), error: None };
    visit.render(StatusCode::OK, &page)
}

/// `POST /privacy/sign-in`: ask for a code. The answer is the same page,
/// as fast, whether or not the address is on record.
pub(crate) async fn sign_in(State(state): State<AppState>, visit: Visit, Form(f): Form<EmailForm>) -> Response {
    let email = f.email.trim();
    if email.is_empty() || email.len() > 254 {
        let page = SignInPage { frame: visit.frame(&state, None).await, email: email.to_owned(), error: Some(visit.w.t("sign-in-email")) };
        return visit.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let challenge = new_challenge_id();
    if let Err(p) = state.0.sign_ins.submit(challenge.clone(), email.to_owned()) {
        return visit.problem(&state, &p).await;
    }
    code_page(&state, &visit, challenge, None, StatusCode::OK).await
}

async fn code_page(state: &AppState, visit: &Visit, challenge: String, error: Option<String>, status: StatusCode) -> Response {
    let page = CodePage { frame: visit.frame(state, None).await, challenge, printed: !state.mails_codes(), error };
    visit.render(status, &page)
}

/// A challenge named in a link.
#[derive(Debug, Deserialize)]
pub(crate) struct ChallengeLink {
    #[serde(default)]
    challenge: String,
}

/// `GET /privacy/code?challenge=…`: the code page for a code issued
/// ahead by the operator (`candor demo` prints such links); the code is
/// still typed in.
pub(crate) async fn code_link(State(state): State<AppState>, visit: Visit, Query(q): Query<ChallengeLink>) -> Response {
    code_page(&state, &visit, q.challenge, None, StatusCode::OK).await
}

/// `POST /privacy/code`: the code entered; a right one starts the session.
pub(crate) async fn code(State(state): State<AppState>, visit: Visit, headers: HeaderMap, Form(f): Form<CodeForm>) -> Response {
    let code: String = f.code.chars().filter(|c| !c.is_whitespace()).collect();
    match guarded(&state, &visit.auth, state.candor().finish_sign_in(&f.challenge, &code)).await {
        Ok((subject, started)) => {
            if crate::gpc::signalled(&headers) {
                if let Err(e) = state.candor().record_gpc_signal("subject", subject).await {
                    return visit.problem(&state, &e.into()).await;
                }
            }
            let mut r = see_other("/privacy");
            set_session_cookie(&state, &started, &mut r);
            r
        }
        Err(p) if p.status == StatusCode::UNAUTHORIZED.as_u16() => {
            code_page(&state, &visit, f.challenge, Some(visit.w.t("code-wrong")), StatusCode::UNAUTHORIZED).await
        }
        Err(p) => visit.problem(&state, &p).await,
    }
}

/// `POST /privacy/sign-out`.
pub(crate) async fn sign_out(State(state): State<AppState>, visit: Visit, headers: HeaderMap, Form(f): Form<SignOutForm>) -> Response {
    if let Ok(Visitor::Customer { csrf, .. }) = visit.visitor() {
        if let Err(p) = super::end_session(&state, &visit, &headers, &f.csrf, &csrf).await {
            return visit.problem(&state, &p).await;
        }
    }
    let mut r = see_other("/privacy/sign-in");
    clear_session(&state, &mut r);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::{Catalogues, LANGUAGES};
    use candor_domain::Role;

    /// Words the code names by computed ids are in every catalogue: a
    /// missing one would show its id on the page.
    #[test]
    fn every_computed_message_exists_in_every_language() {
        let bases = [
            LegalBasis::Consent,
            LegalBasis::Contract,
            LegalBasis::LegalObligation,
            LegalBasis::VitalInterests,
            LegalBasis::PublicTask,
            LegalBasis::LegitimateInterests,
        ];
        for lang in LANGUAGES {
            let w = Catalogues::embedded().unwrap().words(lang);
            for b in bases {
                let id = basis_id(b);
                assert!(w.has(&id) && w.has(&format!("{id}-explained")), "{lang}: {id}");
            }
            for role in [Role::Agent, Role::Analyst, Role::Marketer, Role::Compliance, Role::Admin] {
                let words = reader_words(&w, &Reader::Staff { roles: vec![role] });
                assert!(!words.starts_with("role-"), "{lang}: {words}");
            }
            for action in [
                "access.decide",
                "analytics.drill",
                "rights.export",
                "rights.erase",
                "rights.open",
                "consent.grant",
                "subject.link",
                "hold.place",
                "outbox.sent",
                "keys.rewrap",
            ] {
                for allowed in [Some(true), Some(false), None] {
                    let words = deed_words(&w, action, allowed);
                    assert!(!words.starts_with("deed-") && !words.contains('{'), "{lang}: {words}");
                }
            }
            for done in ["grant", "withdraw", "object", "opt-out-sale-share"] {
                assert!(w.has(&format!("notice-{done}")), "{lang}: notice-{done}");
            }
            let statuses = [None, Some(PurposeStatus::Granted), Some(PurposeStatus::Withdrawn), Some(PurposeStatus::Objected)];
            for default in [ConsentDefault::OptIn, ConsentDefault::OptOut, ConsentDefault::NotApplicable] {
                for status in statuses {
                    for in_effect in [true, false] {
                        let (words, choice) = standing_words(&w, default, status, in_effect, "2027-05-03");
                        assert!(!words.starts_with("status-") && !words.contains('{'), "{lang}: {words}");
                        if let Some(c) = choice {
                            assert!(!c.label.starts_with("action-"), "{lang}: {}", c.label);
                            assert!(ConsentAction::parse(c.value).is_some(), "{}", c.value);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn withdrawing_is_one_press_like_granting_and_nothing_is_preselected() {
        let w = Catalogues::embedded().unwrap().words("en");
        let (_, grant) = standing_words(&w, ConsentDefault::OptIn, None, false, "");
        assert_eq!(grant.map(|c| c.value), Some("grant"), "consent is off until granted");
        let (_, withdraw) = standing_words(&w, ConsentDefault::OptIn, Some(PurposeStatus::Granted), true, "");
        assert_eq!(withdraw.map(|c| c.value), Some("withdraw"));
        let (_, object) = standing_words(&w, ConsentDefault::OptOut, None, true, "");
        assert_eq!(object.map(|c| c.value), Some("object"));
        let (_, none) = standing_words(&w, ConsentDefault::NotApplicable, None, true, "");
        assert!(none.is_none());
    }

    #[test]
    fn categories_are_named_by_their_most_specific_words() {
        let w = Catalogues::embedded().unwrap().words("es");
        assert_eq!(category_words(&w, "user.contact.email"), "Dirección de correo");
        assert_eq!(category_words(&w, "user.contact.fax_number"), "Datos de contacto");
        assert_eq!(category_words(&w, "user.health_and_medical.genetic"), "Información de salud");
        assert_eq!(category_words(&w, "system.operations"), "system.operations");
    }
}
