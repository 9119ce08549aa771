//! What wraps every route: limits, security headers, metrics and logs.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{cookie, SESSION_COOKIE};
use crate::problem::Problem;
use crate::AppState;

/// Requests without credentials (signing in, asking for a code) are
/// limited per IP address; those with credentials per token or session
/// (in the extractors), so one busy integration does not starve others.
pub(crate) async fn rate_limit_by_ip(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let credentialed = parts.headers.contains_key(header::AUTHORIZATION) || cookie(&parts, SESSION_COOKIE).is_some();
    let public = matches!(parts.uri.path(), "/healthz" | "/readyz" | "/metrics");
    if !credentialed && !public {
        if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            if let Err(p) = state.0.limiters.check_ip(addr.ip()) {
                return p.into_response();
            }
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// A request that takes longer than `limit` is answered 503 and dropped.
pub(crate) fn timeout(
    limit: Duration,
) -> impl Fn(Request, Next) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> + Clone + Send + Sync + 'static {
    move |req: Request, next: Next| {
        Box::pin(async move {
            match tokio::time::timeout(limit, next.run(req)).await {
                Ok(r) => r,
                Err(_) => Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "timeout",
                    "Timed out",
                    format!("the request took longer than {} s", limit.as_secs()),
                )
                .into_response(),
            }
        })
    }
}

/// Headers every response carries: no script or framing from anywhere,
/// no MIME sniffing, no referrer, and no caching of personal data.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    for (name, value) in [
        ("content-security-policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    r
}

/// Count and time each request by route (the matched pattern, so no id
/// ends up in a metric label or a log line), and log it.
pub(crate) async fn observe(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let r = next.run(req).await;
    let elapsed = start.elapsed();
    let status = r.status().as_u16().to_string();
    metrics::counter!("candor_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status.clone())
        .increment(1);
    metrics::histogram!("candor_http_request_duration_seconds", "route" => route.clone(), "method" => method.clone())
        .record(elapsed.as_secs_f64());
    tracing::info!(%method, %route, %status, micros = elapsed.as_micros() as u64, "request");
    r
}
