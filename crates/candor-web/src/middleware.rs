//! What wraps every route: who is calling and the rate limits that
//! follow from it (hand-written: they are candor's own rules), and the
//! tower-http layers for the timeout, security headers and request log,
//! with Prometheus metrics per route.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use candor_service::ServiceError;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::credentials::{Caller, Presented, RequestAuth};
use crate::problem::Problem;
use crate::AppState;

/// Paths that are neither authenticated nor limited: probes must answer
/// whatever else the server is going through.
fn public(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// Paths where a guess can be tried: counted per IP address whatever
/// credential comes with them.
fn guessable(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && matches!(
            path,
            "/api/v1/session"
                | "/api/v1/privacy/sign-in"
                | "/api/v1/privacy/verify"
                | "/privacy/sign-in"
                | "/privacy/code"
                | "/console/sign-in/code"
                | "/console/sign-in/token"
                | "/console/code"
                | "/console/sign-in/passkey"
                | "/console/sign-in/passkey/options"
        )
}

/// Work out who a request comes from and apply the rate limits that
/// follow (see [`identify`]); the outcome rides on the request as a
/// [`RequestAuth`] for the extractors.
pub(crate) async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if public(req.uri().path()) {
        return next.run(req).await;
    }
    // Without the peer's address (a router served some other way), all
    // such requests share one bucket: limited, not unlimited.
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(a)| a.ip());
    let ip = client_ip(peer, req.headers(), &state.settings().server.trusted_proxies);
    let guess = guessable(req.method(), req.uri().path());
    let caller = match identify(&state, ip, Presented::from_headers(req.headers(), state.https()), guess).await {
        Ok(c) => c,
        Err(p) => return p.into_response(),
    };
    let clear_cookie = matches!(caller, Caller::Refused { cookie: true, .. });
    req.extensions_mut().insert(RequestAuth { ip, caller });
    let mut r = next.run(req).await;
    // A cookie that no longer opens anything is cleared, so the browser
    // stops sending it (and spending its address's failure budget).
    if clear_cookie && r.status() == StatusCode::UNAUTHORIZED {
        if let Some(c) = crate::api::privacy::session_cookie(&state, "", 0) {
            r.headers_mut().append(header::SET_COOKIE, c);
        }
    }
    r
}

/// The client a request comes from: its peer, unless the peer is a trusted
/// proxy; then the last address of `X-Forwarded-For` (proxies append the
/// address they heard from) that is not a trusted proxy itself. What the
/// client wrote further left is its own say, not believed.
fn client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    let hops: Vec<IpAddr> = forwarded.filter_map(|a| a.trim().parse().ok()).collect();
    hops.into_iter().rev().find(|a| !trusted.contains(a)).unwrap_or(peer)
}

/// Who a request from `ip` presenting `presented` is, under the limits:
/// a credential that checks out is limited per credential (so one busy
/// integration does not starve others behind the same address);
/// everything else, including a token or cookie that does not check out,
/// per IP address before anything is looked up (once only, also when
/// `guess` paths were charged already). A failed check spends the
/// address's failure budget; once that is spent, credentials from there
/// are not checked at all.
async fn identify(state: &AppState, ip: IpAddr, presented: Option<Presented<'_>>, guess: bool) -> Result<Caller, Problem> {
    let limits = &state.0.limiters;
    if guess {
        limits.check_ip(ip)?;
    }
    let charge_ip = || if guess { Ok(()) } else { limits.check_ip(ip) };
    let Some(p) = presented else {
        charge_ip()?;
        return Ok(Caller::Anonymous);
    };
    let key = p.key();
    let checked = match state.0.credentials.get(&key, state.candor().now()) {
        Some(c) => c,
        None => {
            charge_ip()?;
            if let Err(held) = limits.check_failures(ip) {
                return Ok(Caller::Held(held));
            }
            match p.check(state.candor()).await {
                Ok(c) => {
                    state.0.credentials.put(key.clone(), c.clone());
                    c
                }
                Err(ServiceError::Unauthenticated(why)) => {
                    limits.failed(ip);
                    return Ok(Caller::Refused { why, cookie: matches!(p, Presented::Cookie(_)) });
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    limits.check_credential(&key)?;
    Ok(Caller::Valid(checked, key))
}

/// `router` inside the layers every route has, innermost first: the
/// timeout, security headers (with HSTS when served over `https`), the
/// request log, and metrics.
pub(crate) fn wrap<S: Clone + Send + Sync + 'static>(router: Router<S>, timeout: Duration, https: bool) -> Router<S> {
    let router = router
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(axum::middleware::map_response(move |r: Response| async move { timeout_problem(r, timeout) }));
    let router = SECURITY_HEADERS.iter().fold(router, |router, (name, value)| {
        let (name, value) = (HeaderName::from_static(name), HeaderValue::from_static(value));
        if PAGE_MAY_SET.contains(&name.as_str()) {
            router.layer(SetResponseHeaderLayer::if_not_present(name, value))
        } else {
            router.layer(SetResponseHeaderLayer::overriding(name, value))
        }
    });
    // HSTS only when clients are told an https address: over plain http
    // browsers ignore it, and a deployment still on http must not be
    // pinned to https by an answer of ours.
    let router = if https {
        router.layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS)))
    } else {
        router
    };
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| tracing::info_span!("request", method = %req.method(), route = %route(req)))
                .on_request(())
                .on_response(|r: &Response, latency: Duration, _: &tracing::Span| {
                    tracing::info!(status = r.status().as_u16(), micros = latency.as_micros() as u64, "request");
                })
                // Server errors are logged where they happen (`Problem::internal`).
                .on_failure(()),
        )
        .layer(axum::middleware::from_fn(metrics))
}

/// The timeout layer answers a bare 503: it becomes the `timeout` problem.
/// (Every other 503 of the server is a problem already.)
fn timeout_problem(r: Response, limit: Duration) -> Response {
    if r.status() != StatusCode::SERVICE_UNAVAILABLE || r.headers().contains_key(header::CONTENT_TYPE) {
        return r;
    }
    Problem::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "Timed out", format!("the request took longer than {} s", limit.as_secs()))
        .into_response()
}

/// `Strict-Transport-Security` under https: two years, subdomains too.
pub(crate) const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The Permissions-Policy with the passkey features (WebAuthn `get`
/// and `create`) set to `$passkeys`: every other feature is denied to
/// every origin (`()`), and no interest-cohort or topics tracking.
macro_rules! permissions_policy {
    ($passkeys:literal) => {
        concat!(
            "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), ",
            "geolocation=(), gyroscope=(), hid=(), idle-detection=(), interest-cohort=(), magnetometer=(), microphone=(), midi=(), ",
            "payment=(), picture-in-picture=(), ",
            $passkeys,
            ", screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
        )
    };
}

/// The browser features no page of candor's uses, each denied to every
/// origin.
pub(crate) const PERMISSIONS_POLICY: &str = permissions_policy!("publickey-credentials-create=(), publickey-credentials-get=()");

/// A Content-Security-Policy: nothing from anywhere (`default-src
/// 'none'`) but what `$allow` adds, styles and images from candor itself,
/// no framing, no `<base>`, forms posted to candor only.
macro_rules! csp {
    ($allow:literal) => {
        concat!(
            "default-src 'none'; ",
            $allow,
            "style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        )
    };
}

/// The Content-Security-Policy of every page: no script, no connection.
const CSP: &str = csp!("");

/// The two console pages that use passkeys (signing in, registering one)
/// run one script, candor's own file, which asks candor for the
/// ceremony's options and hands them to the browser's WebAuthn API.
const PASSKEY_CSP: &str = csp!("script-src 'self'; connect-src 'self'; ");
const PASSKEY_PERMISSIONS_POLICY: &str = permissions_policy!("publickey-credentials-create=(self), publickey-credentials-get=(self)");

/// Let `r`, a page that uses passkeys, run candor's own script and the
/// WebAuthn API (its own origin only). Every other answer keeps the
/// defaults the security-header layers set.
pub(crate) fn allow_passkeys(r: &mut Response) {
    r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PASSKEY_CSP));
    r.headers_mut().insert(HeaderName::from_static("permissions-policy"), HeaderValue::from_static(PASSKEY_PERMISSIONS_POLICY));
}

/// Headers every response carries: no script or framing from anywhere,
/// no MIME sniffing, no referrer, no powerful browser feature, and no
/// caching of personal data. The first two are set only when a page did
/// not set its own ([`allow_passkeys`]).
const SECURITY_HEADERS: [(&str, &str); 8] = [
    ("permissions-policy", PERMISSIONS_POLICY),
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("cache-control", "no-store"),
];

/// The security headers a page may set for itself.
const PAGE_MAY_SET: [&str; 2] = ["permissions-policy", "content-security-policy"];

/// The route a request matched (the pattern, so no id ends up in a
/// metric label or a log line).
fn route(req: &Request) -> String {
    req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned())
}

/// Count and time each request by route.
pub(crate) async fn metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = route(&req);
    let method = req.method().as_str().to_owned();
    let r = next.run(req).await;
    let elapsed = start.elapsed();
    let status = r.status().as_u16().to_string();
    metrics::counter!(crate::telemetry::HTTP_REQUESTS, "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(crate::telemetry::HTTP_REQUEST_DURATION, "route" => route, "method" => method).record(elapsed.as_secs_f64());
    r
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use axum::Router;
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    async fn get_from(router: Router, path: &str) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let r = router.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let (parts, body) = r.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (parts.status, parts.headers, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    fn app() -> Router {
        app_over(false)
    }

    fn app_over(https: bool) -> Router {
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        };
        super::wrap(Router::new().route("/slow", get(slow)).route("/fast", get(|| async { "ok" })), Duration::from_millis(50), https)
    }

    #[tokio::test]
    async fn a_request_past_the_timeout_is_answered_with_the_timeout_problem_and_the_security_headers() {
        let (status, headers, body) = get_from(app(), "/slow").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["type"], "urn:candor:problem:timeout", "{body}");
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(headers["x-frame-options"], "DENY");
    }

    #[tokio::test]
    async fn every_answer_carries_the_security_headers() {
        let (status, headers, _) = get_from(app(), "/fast").await;
        assert_eq!(status, StatusCode::OK);
        for (name, value) in super::SECURITY_HEADERS {
            assert_eq!(headers[name], value, "{name}");
        }
        let policy = headers["permissions-policy"].to_str().unwrap();
        for feature in ["camera=()", "microphone=()", "geolocation=()", "interest-cohort=()", "payment=()", "usb=()"] {
            assert!(policy.split(", ").any(|f| f == feature), "{feature} in {policy}");
        }
        assert!(!headers.contains_key("strict-transport-security"), "no HSTS over plain http");
    }

    #[tokio::test]
    async fn under_https_every_answer_also_carries_hsts() {
        for path in ["/fast", "/slow", "/nowhere"] {
            let (_, headers, _) = get_from(app_over(true), path).await;
            assert_eq!(headers["strict-transport-security"], "max-age=63072000; includeSubDomains", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        }
    }
}
