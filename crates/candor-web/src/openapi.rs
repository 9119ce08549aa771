//! The OpenAPI 3.1 document, generated from the handlers' annotations as
//! [`crate::api_routes`] collects them.

use std::sync::Arc;

use axum::Extension;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API's description, without its paths: [`crate::api_routes`] adds
/// each route's as it registers the route.
#[derive(OpenApi)]
#[openapi(
    info(title = "candor", description = "Privacy-first social customer care: subjects, consent, rights requests, analytics, policy and audit. Staff send `Authorization: Bearer <token>`; customers sign in to the privacy center with a one-time code. Errors are `application/problem+json` with a stable `type`."),
    // Schemas that only parameters name (`routes!` collects those of
    // bodies and responses).
    components(schemas(crate::problem::Problem, crate::api::analytics::MeasureName)),
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

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "the OpenAPI 3.1 document of the API", content_type = "application/json")))]
pub async fn document(Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>) -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(doc.as_ref().clone())
}
