//! `candor serve [--addr HOST:PORT]`: the HTTP API, until interrupted
//! (Ctrl-C or SIGTERM), then the requests in flight are finished.

use crate::{Global, Installation, Outcome};

/// Arguments of `candor serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to listen; `server.addr` in `candor.toml` by default
    /// (127.0.0.1:8080).
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
}

/// Run the server.
pub async fn run(g: &Global, a: Args) -> anyhow::Result<Outcome> {
    let inst = Installation::open_serving(&g.config_path()).await?;
    let result = serve(&inst, a).await;
    inst.close().await;
    result
}

async fn serve(inst: &Installation, a: Args) -> anyhow::Result<Outcome> {
    let addr = a.addr.unwrap_or_else(|| inst.settings.server.addr.clone());
    let state = candor_web::AppState::new(inst.candor.clone(), inst.settings.clone())?;
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| anyhow::anyhow!("cannot listen on `{addr}`: {e}"))?;
    let local = listener.local_addr()?;
    eprintln!("candor listening on http://{local} (OpenAPI at /api/openapi.json); Ctrl-C stops it");
    candor_web::serve(state, listener, shutdown()).await?;
    eprintln!("stopped; requests in flight were finished");
    Ok(Outcome::Ok)
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
