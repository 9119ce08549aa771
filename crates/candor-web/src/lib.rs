//! candor's HTTP server: a versioned JSON API under `/api/v1`, described
//! by an OpenAPI 3.1 document generated from this code and served at
//! `/api/openapi.json`; errors as `application/problem+json`.
//!
//! Staff authenticate with API tokens (`Authorization: Bearer …`) or a
//! browser session started from one; customers sign in to the privacy
//! center with a one-time code and see only their own data. Every staff
//! operation checks the caller's role against the operations map (from
//! configuration over the defaults in [`auth`]), refuses actors without
//! current privacy training, and reads personal data only through the
//! service layer's access gate with a named purpose.
//!
//! Around every route: request-size and rate limits (per token or session
//! that checks out, per IP address for everything else, and a budget of
//! failed authentications per IP address), a timeout,
//! security headers, Prometheus metrics and `tracing` logs that name
//! routes, never personal data.
#![deny(missing_docs)]

pub mod api;
pub mod auth;
mod contract;
mod credentials;
mod gpc;
mod limits;
mod middleware;
pub mod openapi;
mod operation;
mod pages;
pub mod problem;
mod server;
mod sign_in;
mod telemetry;

pub use server::serve;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use candor_service::analytics::AnalyticsOptions;
use candor_service::{Candor, Settings};
use metrics_exporter_prometheus::PrometheusHandle;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Operations;
use crate::credentials::CredentialCache;
use crate::limits::Limiters;
use crate::server::Connections;
use crate::sign_in::SignIns;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    candor: Candor,
    settings: Settings,
    analytics: AnalyticsOptions,
    operations: Operations,
    limiters: Limiters,
    credentials: CredentialCache,
    sign_ins: SignIns,
    connections: Connections,
    metrics: PrometheusHandle,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// The state of a server over `candor`, configured by `settings`.
    pub fn new(candor: Candor, settings: Settings) -> Result<Self, ConfigError> {
        let operations = Operations::from_settings(&settings.server.operations).map_err(ConfigError)?;
        let themes = settings.themes().map_err(|e| ConfigError(e.to_string()))?;
        let analytics = AnalyticsOptions {
            k: settings.privacy.k_anonymity,
            budget_per_month: settings.privacy.dp_epsilon_per_month,
            max_contributions: settings.privacy.dp_max_contributions,
            themes: themes.themes().iter().map(|t| t.name().to_owned()).collect(),
        };
        let s = &settings.server;
        let limiters = Limiters::new(s.rate_per_token, s.rate_per_ip, s.failed_auth_per_minute);
        let credentials = CredentialCache::new(Duration::from_secs(s.credential_recheck_seconds));
        let sign_ins = SignIns::new(candor.clone(), s.sign_in_per_address);
        let connections = Connections::new(s.max_connections);
        Ok(Self(Arc::new(Inner {
            candor,
            settings,
            analytics,
            operations,
            limiters,
            credentials,
            sign_ins,
            connections,
            metrics: telemetry::metrics_handle(),
        })))
    }

    /// The service.
    pub fn candor(&self) -> &Candor {
        &self.0.candor
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// Whether clients reach the server over https (`server.public_url`
    /// says so): then answers carry `Strict-Transport-Security` and the
    /// session cookie is `Secure` and named with the `__Host-` prefix.
    pub fn https(&self) -> bool {
        served_over_https(&self.0.settings)
    }

    /// Whether sign-in codes go out by mail (`[mail]` is configured);
    /// otherwise the outbox holds them for the operator (`candor outbox
    /// deliver`), and the page says so.
    pub fn mails_codes(&self) -> bool {
        self.0.settings.mail.is_some()
    }

    /// Wait until the sign-in requests answered so far have been carried
    /// out (they are answered first; see the `sign_in` module): for a
    /// graceful stop, and for tests that read the codes sent.
    pub async fn sign_ins_settled(&self) {
        self.0.sign_ins.settled().await;
    }

    /// Connections [`serve`] holds open now (at most
    /// `server.max_connections`).
    pub fn open_connections(&self) -> usize {
        self.0.connections.open()
    }
}

/// The server's configuration does not hold.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Every route of the API, each declared once: its handler's
/// `#[utoipa::path]` names the path and method the router serves it at
/// and puts it in the OpenAPI document, so neither can miss one.
pub fn api_routes() -> OpenApiRouter<AppState> {
    use api::{analytics, analytics_kpi, audit, changes, concerns, consent, ops, policy, privacy, rights, subjects};
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(subjects::find, subjects::create))
        .routes(routes!(subjects::link))
        .routes(routes!(subjects::show))
        .routes(routes!(subjects::interactions))
        .routes(routes!(consent::show, consent::record))
        .routes(routes!(consent::receipt))
        .routes(routes!(consent::events))
        .routes(routes!(rights::list, rights::open))
        .routes(routes!(rights::show))
        .routes(routes!(rights::send_code))
        .routes(routes!(rights::verify))
        .routes(routes!(rights::execute))
        .routes(routes!(rights::reject))
        .routes(routes!(rights::extend))
        .routes(routes!(rights::bundle))
        .routes(routes!(concerns::list))
        .routes(routes!(concerns::show))
        .routes(routes!(concerns::answer))
        .routes(routes!(concerns::close))
        .routes(routes!(analytics::query))
        .routes(routes!(analytics_kpi::kpis))
        .routes(routes!(analytics_kpi::emerging))
        .routes(routes!(policy::versions))
        .routes(routes!(policy::version))
        .routes(routes!(policy::diff))
        .routes(routes!(policy::recipients))
        .routes(routes!(audit::entries))
        .routes(routes!(audit::verify))
        .routes(routes!(privacy::staff_session, privacy::sign_out))
        .routes(routes!(privacy::sign_in))
        .routes(routes!(privacy::verify))
        .routes(routes!(privacy::me))
        .routes(routes!(privacy::my_consent, privacy::record_my_consent))
        .routes(routes!(privacy::my_requests, privacy::open_my_request))
        .routes(routes!(privacy::my_bundle))
        .routes(routes!(concerns::mine, concerns::raise))
        .routes(routes!(changes::my_policy_changes))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .routes(routes!(openapi::document))
}

/// The OpenAPI document of [`api_routes`].
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = api_routes().into_openapi();
    contract::complete(&mut doc);
    doc
}

/// Whether `server.public_url` is an https URL.
fn served_over_https(settings: &Settings) -> bool {
    settings.server.public_url.as_deref().is_some_and(|u| u.trim_start().get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://")))
}

/// Every route, with the layers around them.
pub fn router(state: AppState) -> Router {
    let s = &state.0.settings.server;
    let (routes, mut doc) = api_routes().split_for_parts();
    contract::complete(&mut doc);
    let routes = routes
        .merge(pages::routes())
        .fallback(api::ops::not_found)
        .method_not_allowed_fallback(api::ops::method_not_allowed)
        .layer(axum::Extension(Arc::new(doc)))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::authenticate))
        .layer(DefaultBodyLimit::max(s.body_limit_bytes));
    let https = state.https();
    middleware::wrap(routes, Duration::from_secs(s.timeout_seconds), https).with_state(state)
}
