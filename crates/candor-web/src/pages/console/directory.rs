//! Who data goes to and who works with it: the recipients under the
//! policy in force with their sharing agreements, and the staff with
//! their roles and when their training lapses.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{or_error, ConsoleFrame};
use crate::auth::Operation;
use crate::pages::Visit;
use crate::AppState;

struct RecipientRow {
    name: String,
    country: String,
    agreement: String,
    valid: String,
    in_force: bool,
    categories: String,
    purposes: String,
    transfer: String,
}

struct StaffRow {
    id: String,
    roles: String,
    training: String,
    lapsed: bool,
}

#[derive(Template)]
#[template(path = "console/recipients.html")]
struct RecipientsPage {
    frame: ConsoleFrame,
    rows: Vec<RecipientRow>,
}

#[derive(Template)]
#[template(path = "console/staff.html")]
struct StaffPage {
    frame: ConsoleFrame,
    rows: Vec<StaffRow>,
}

/// `GET /console/recipients`.
pub(crate) async fn recipients(State(state): State<AppState>, visit: Visit) -> Response {
    let d = desk!(&state, &visit, Some(Operation::RecipientsRead));
    let r = async {
        let ctx = state.candor().policy_context().await?;
        let today = state.candor().now().date();
        let rows = ctx
            .policy
            .recipients
            .values()
            .map(|r| {
                let a = &r.agreement;
                let purposes =
                    ctx.policy.purposes.values().filter(|p| p.id.as_str() == format!("sharing.{}", r.id)).map(|p| p.name.clone());
                RecipientRow {
                    name: r.name.clone(),
                    country: r.country.clone(),
                    agreement: a.reference.clone(),
                    valid: format!("{} – {}", a.valid_from, a.valid_until),
                    in_force: a.valid_from <= today && today <= a.valid_until,
                    categories: a.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
                    purposes: purposes.collect::<Vec<_>>().join(", "),
                    transfer: a.transfer_mechanism.clone().unwrap_or_else(|| "–".into()),
                }
            })
            .collect();
        Ok(visit.render(StatusCode::OK, &RecipientsPage { frame: d.frame(&state, &visit), rows }))
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// `GET /console/staff`.
pub(crate) async fn staff(State(state): State<AppState>, visit: Visit) -> Response {
    let d = desk!(&state, &visit, Some(Operation::StaffRead));
    let r = async {
        let now = state.candor().now();
        let w = visit.w;
        let rows = state
            .candor()
            .actors()
            .await?
            .into_iter()
            .map(|a| StaffRow {
                roles: a.roles.iter().map(|r| w.t(&format!("console-role-{}", r.as_str()))).collect::<Vec<_>>().join(", "),
                training: match a.training_expires_at {
                    Some(t) if t > now => w.t1("staff-trained-until", "date", &t.date().to_string()),
                    Some(t) => w.t1("staff-training-lapsed", "date", &t.date().to_string()),
                    None => w.t("staff-untrained"),
                },
                lapsed: a.training_expires_at.is_none_or(|t| t <= now),
                id: a.id,
            })
            .collect();
        Ok(visit.render(StatusCode::OK, &StaffPage { frame: d.frame(&state, &visit), rows }))
    }
    .await;
    or_error(&state, &visit, &d, r)
}
