//! The server's Prometheus metrics: the one recorder of the process, and
//! the name, unit and help text of every family `/metrics` exports (the
//! exposition format wants `# HELP` and `# TYPE` for each; `promtool check
//! metrics` fails without them).

use std::sync::OnceLock;

use metrics::Unit;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Requests answered, labelled `route` (the pattern), `method`, `status`.
pub(crate) const HTTP_REQUESTS: &str = "candor_http_requests_total";
/// Time to answer a request, labelled `route` and `method`.
pub(crate) const HTTP_REQUEST_DURATION: &str = "candor_http_request_duration_seconds";
/// Connections the server holds open.
pub(crate) const HTTP_CONNECTIONS_OPEN: &str = "candor_http_connections_open";

/// Give the installed recorder the help text and unit of every metric
/// the server exports, the service layer's included.
fn describe() {
    metrics::describe_counter!(HTTP_REQUESTS, Unit::Count, "HTTP requests answered, by route pattern, method and status code.");
    metrics::describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "Time from receiving an HTTP request to its response, in seconds, by route pattern and method."
    );
    metrics::describe_gauge!(
        HTTP_CONNECTIONS_OPEN,
        Unit::Count,
        "Client connections the server holds open now (at most server.max_connections)."
    );
    candor_service::telemetry::describe();
}

/// The one Prometheus recorder of the process (metrics are global).
pub(crate) fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
            let builder = PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets);
            let handle = match builder {
                Ok(b) => match b.install_recorder() {
                    Ok(h) => h,
                    // Another recorder is installed (a test process): keep
                    // a private one, rendered but not fed.
                    Err(_) => PrometheusBuilder::new().build_recorder().handle(),
                },
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            };
            describe();
            handle
        })
        .clone()
}
