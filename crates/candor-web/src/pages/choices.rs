//! The customer's choices from the dashboard: grant, withdraw, object or
//! opt out of sale and sharing with one press, and each choice's signed
//! receipt to download. Allowing a purpose that sells or shares data
//! while an opt-out of sale and sharing is in force (from a Global Privacy
//! Control signal or the customer's own) first asks to confirm; the
//! ledger then keeps both, the opt-out and the explicit choice, with
//! their times.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use candor_domain::{Ccpa, ConsentAction, ConsentSource, SubjectId};
use serde::Deserialize;

use super::{check_form_csrf, see_other, Frame, Visit};
use crate::problem::Problem;
use crate::AppState;

#[derive(Debug, Deserialize)]
pub(crate) struct ChoiceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    action: String,
    /// `yes` once the customer confirmed allowing sale or sharing.
    #[serde(default)]
    confirm: String,
}

#[derive(Template)]
#[template(path = "privacy/confirm_sale.html")]
struct ConfirmPage {
    frame: Frame,
    csrf: String,
    purpose: String,
    intro: String,
}

/// What a choice did: recorded, or waiting for the customer to confirm.
enum Chosen {
    Recorded(ConsentAction),
    Confirm { purpose: String, name: String, gpc: bool },
}

/// `POST /privacy/choices`: grant, withdraw or object, for one purpose,
/// or opt out of sale and sharing.
pub(crate) async fn choose(State(state): State<AppState>, visit: Visit, headers: HeaderMap, Form(f): Form<ChoiceForm>) -> Response {
    let result = async {
        let (subject, csrf) = visit.customer()?;
        check_form_csrf(&f.csrf, &csrf)?;
        let (action, purpose) = match ConsentAction::parse(&f.action) {
            Some(a @ (ConsentAction::Grant | ConsentAction::Withdraw | ConsentAction::Object)) => (a, Some(f.purpose.as_str())),
            Some(a @ ConsentAction::OptOutSaleShare) => (a, None),
            _ => return Err(Problem::invalid_input(format!("`{}` is not a choice this page makes", crate::api::shorten(&f.action)))),
        };
        if action == ConsentAction::Grant {
            if let Some(confirm) = sale_needs_confirming(&state, subject, &f, &headers).await? {
                return Ok(confirm);
            }
        }
        let c = state.candor();
        c.record_consent("subject", subject, purpose, action, ConsentSource::PrivacyCenter).await?;
        if action == ConsentAction::Grant && f.confirm == "yes" {
            // The explicit choice that overrides the opt-out, in the ledger beside it.
            c.record_consent("subject", subject, None, ConsentAction::OptInSaleShare, ConsentSource::PrivacyCenter).await?;
        }
        Ok(Chosen::Recorded(action))
    }
    .await;
    match result {
        Ok(Chosen::Recorded(action)) => {
            let purpose: String = f.purpose.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')).collect();
            if purpose.is_empty() || !action.per_purpose() {
                return see_other(&format!("/privacy?done={}#sale", action.as_str()));
            }
            see_other(&format!("/privacy?done={}&purpose={purpose}#purpose-{purpose}", action.as_str()))
        }
        Ok(Chosen::Confirm { purpose, name, gpc }) => {
            let Ok((_, csrf)) = visit.customer() else { return see_other("/privacy/sign-in") };
            let intro = visit.w.t1(if gpc { "gpc-confirm-gpc" } else { "gpc-confirm-opted-out" }, "purpose", &name);
            let mut frame = visit.frame(&state, Some(csrf.clone())).await;
            // The language links lead back to a page, not to this form's address.
            frame.path = "/privacy".into();
            let page = ConfirmPage { frame, csrf, purpose, intro };
            visit.render(StatusCode::OK, &page)
        }
        Err(p) => visit.problem(&state, &p).await,
    }
}

/// A grant of a purpose that sells or shares data, while an opt-out of
/// sale and sharing is in force and the customer has not confirmed yet:
/// the confirmation to ask for.
async fn sale_needs_confirming(
    state: &AppState,
    subject: SubjectId,
    f: &ChoiceForm,
    headers: &HeaderMap,
) -> Result<Option<Chosen>, Problem> {
    if f.confirm == "yes" {
        return Ok(None);
    }
    let c = state.candor();
    let ctx = c.policy_context().await?;
    let Some(p) = ctx.policy.purpose(&f.purpose).filter(|p| p.ccpa != Ccpa::None) else { return Ok(None) };
    if !c.consent_overview(subject).await?.state.sale_share_opt_out {
        return Ok(None);
    }
    Ok(Some(Chosen::Confirm { purpose: p.id.to_string(), name: p.name.clone(), gpc: crate::gpc::signalled(headers) }))
}

/// `GET /privacy/receipts/{ledger}`: the signed receipt of one of the
/// customer's own choices, as the JSON file the API returns. Another
/// customer's ledger position answers as one without a receipt.
pub(crate) async fn receipt(State(state): State<AppState>, visit: Visit, Path(ledger): Path<i64>) -> Response {
    let result = async {
        let (subject, _) = visit.customer()?;
        let r = state.candor().consent_receipt(subject, ledger).await?;
        let r = r.ok_or_else(|| Problem::not_found("unknown-receipt", format!("no receipt at ledger position {ledger} of yours")))?;
        serde_json::to_vec_pretty(&r).map_err(|e| Problem::internal(&e))
    }
    .await;
    match result {
        Ok(bytes) => {
            let mut r = bytes.into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"consent-receipt-{ledger}.json\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(p) => visit.problem(&state, &p).await,
    }
}
