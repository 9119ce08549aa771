//! Serving connections: HTTP/1.1 over a bound TCP listener, with the
//! protections `axum::serve` does not offer.
//!
//! - A deadline for request headers (`server.header_timeout_seconds`):
//!   a client that opens a connection and trickles or withholds its
//!   request head (slowloris) is disconnected, and so is an idle
//!   keep-alive connection that does not start its next request in time.
//!   The request timeout (`server.timeout_seconds`) covers the rest.
//! - A cap on connections served at once (`server.max_connections`):
//!   past it, new connections wait in the listen backlog until one closes,
//!   instead of the process running out of file descriptors and no longer
//!   accepting anything. Health checks then wait their turn like anyone;
//!   the header deadline keeps the turn short.
//! - A graceful stop: when `shutdown` resolves, no new connection is
//!   accepted, requests in flight are finished, idle connections closed,
//!   and sign-in requests already answered are carried out.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt as _;

use crate::AppState;

/// Connections served at once, out of how many allowed.
pub(crate) struct Connections {
    slots: Arc<Semaphore>,
    open: Arc<AtomicUsize>,
}

impl Connections {
    pub(crate) fn new(max: u32) -> Self {
        let max = usize::try_from(max).unwrap_or(usize::MAX).clamp(1, Semaphore::MAX_PERMITS);
        Self { slots: Arc::new(Semaphore::new(max)), open: Arc::new(AtomicUsize::new(0)) }
    }

    /// How many are open now.
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

/// One connection's slot: counted while it lives, freed when it goes.
struct Slot {
    _permit: OwnedSemaphorePermit,
    open: Arc<AtomicUsize>,
}

impl Slot {
    fn new(permit: OwnedSemaphorePermit, open: &Arc<AtomicUsize>) -> Self {
        let n = open.fetch_add(1, Ordering::SeqCst) + 1;
        metrics::gauge!(crate::telemetry::HTTP_CONNECTIONS_OPEN).set(n as f64);
        Self { _permit: permit, open: open.clone() }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let n = self.open.fetch_sub(1, Ordering::SeqCst).saturating_sub(1);
        metrics::gauge!(crate::telemetry::HTTP_CONNECTIONS_OPEN).set(n as f64);
    }
}

/// Serve until `shutdown` resolves, then finish the requests in flight.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = Duration::from_secs(state.settings().server.header_timeout_seconds);
    let slots = state.0.connections.slots.clone();
    let app = crate::router(state.clone());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A slot first: while none is free, connections stay in the
        // backlog rather than taking a file descriptor here.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = Slot::new(permit, &state.0.connections.open);
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), handler(app.clone(), peer));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                // Timeouts and clients that went away: not the server's
                // failure, and nothing about the client worth a log line.
                tracing::debug!(error = %e, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    // Requests in flight finish within the request timeout; a client
    // still holding its connection after that (reading a response slowly,
    // say) does not keep the server from stopping.
    let grace = Duration::from_secs(state.settings().server.timeout_seconds.max(1) + 5);
    if tokio::time::timeout(grace, graceful.shutdown()).await.is_err() {
        tracing::warn!("stopping with connections still open after {} s", grace.as_secs());
    }
    state.sign_ins_settled().await;
    Ok(())
}

/// The router, for one connection: each request learns the peer's address.
fn handler(
    app: Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone {
    hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(req)
    })
}

/// Accepting failed: a connection that went away before it was accepted
/// is nothing; anything else (out of file descriptors, above all) is
/// logged, and accepting pauses a moment instead of spinning.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind as K;
    if !matches!(e.kind(), K::ConnectionAborted | K::ConnectionReset | K::ConnectionRefused | K::Interrupted) {
        tracing::error!(error = %e, "cannot accept connections; lower `server.max_connections` or raise `ulimit -n`");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
