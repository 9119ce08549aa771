//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(title = "candor", description = "Privacy-first social customer care: subjects, consent, rights requests, analytics, policy and audit. Staff send `Authorization: Bearer <token>`; customers sign in to the privacy center with a one-time code. Errors are `application/problem+json` with a stable `type`."),
    paths(
        api::subjects::find, api::subjects::show, api::subjects::create, api::subjects::link, api::subjects::interactions,
        api::consent::show, api::consent::record, api::consent::receipt,
        api::rights::open, api::rights::list, api::rights::show, api::rights::send_code, api::rights::verify,
        api::rights::execute, api::rights::reject, api::rights::extend, api::rights::bundle,
        api::analytics::query,
        api::policy::versions, api::policy::version, api::policy::diff, api::policy::recipients,
        api::audit::entries, api::audit::verify,
        api::privacy::staff_session, api::privacy::sign_out, api::privacy::sign_in, api::privacy::verify,
        api::privacy::me, api::privacy::my_consent, api::privacy::record_my_consent, api::privacy::my_requests, api::privacy::open_my_request,
        api::privacy::my_bundle,
        api::ops::healthz, api::ops::readyz, api::ops::metrics,
    ),
    components(schemas(crate::problem::Problem)),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// `GET /api/openapi.json`.
pub async fn document() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}
