//! `candor serve [--addr HOST:PORT]`: the HTTP API, until interrupted
//! (Ctrl-C or SIGTERM), then the requests in flight are finished. With
//! `[mail]` configured, a background task mails what waits in the outbox
//! every `mail.poll_seconds`; it stops with the server, after the message
//! it is sending.

use std::net::SocketAddr;

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
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| anyhow::anyhow!("cannot listen on `{addr}`: {e}"))?;
    serve_on(inst, listener, |local| {
        // The first line says where it listens: scripts and tests read it.
        eprintln!("candor listening on http://{local} (OpenAPI at /api/openapi.json); Ctrl-C stops it");
        Ok(())
    })
    .await
}

/// Serve `inst` on `listener` until Ctrl-C or SIGTERM, then finish the
/// requests in flight. `ready` gets the address once the server is set
/// up (its state built, the mail configuration read), just before the
/// first connection is accepted: it says where to go (`candor serve`
/// and `candor demo` say it differently).
pub(crate) async fn serve_on(
    inst: &Installation,
    listener: tokio::net::TcpListener,
    ready: impl FnOnce(SocketAddr) -> anyhow::Result<()>,
) -> anyhow::Result<Outcome> {
    let mut settings = inst.settings.clone();
    fit_connections(&mut settings.server);
    let state = candor_web::AppState::new(inst.candor.clone(), settings)?;
    let mail_config = inst.settings.mail_config()?;
    let stop = shutdown();
    ready(listener.local_addr()?)?;
    let (stop_mail, mail_stopped) = tokio::sync::oneshot::channel::<()>();
    let mail = match mail_config {
        Some(config) => {
            let mailer = candor_service::mail::SmtpMailer::new(&config)?;
            eprintln!("mailing the outbox through {}:{} every {} s", config.host, config.port, config.poll.as_secs());
            let stop = async move {
                let _ = mail_stopped.await;
            };
            Some(tokio::spawn(candor_service::mail::deliver_in_background(inst.candor.clone(), mailer, config, stop)))
        }
        None => {
            eprintln!("no [mail] in the configuration: `candor outbox deliver` prints messages to customers for you to hand over");
            None
        }
    };
    let served = candor_web::serve(state, listener, stop).await;
    let _ = stop_mail.send(());
    if let Some(task) = mail {
        if let Err(e) = task.await {
            eprintln!("the mail delivery task failed: {e}");
        }
    }
    served?;
    eprintln!("stopped; requests in flight were finished");
    Ok(Outcome::Ok)
}

/// File descriptors kept for what is not a client connection: the
/// database pool, the listener, logs, bundles being written.
const RESERVED_FILES: u64 = 256;

/// Raise the soft open-file limit to the hard one (as nginx's
/// `worker_rlimit_nofile` or Go's runtime do), and keep
/// `server.max_connections` under what it allows: a server out of file
/// descriptors stops accepting anyone, health checks included.
#[cfg(unix)]
fn fit_connections(server: &mut candor_service::settings::ServerSettings) {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        // Refused on some systems (macOS caps it below "unlimited"); the
        // check below works with whatever the limit is.
        let _ = setrlimit(Resource::Nofile, limit);
    }
    let Some(soft) = getrlimit(Resource::Nofile).current else { return };
    let room = u32::try_from(soft.saturating_sub(RESERVED_FILES)).unwrap_or(u32::MAX).max(1);
    if server.max_connections > room {
        eprintln!(
            "warning: `server.max_connections` is {} but the open-file limit (ulimit -n) is {soft}: serving at most {room} connections at once",
            server.max_connections
        );
        server.max_connections = room;
    }
}

#[cfg(not(unix))]
fn fit_connections(_server: &mut candor_service::settings::ServerSettings) {}

/// Ctrl-C (SIGINT), or SIGTERM on Unix. The handlers are installed when
/// this is called, not when the future is first polled: a signal sent as
/// soon as the server says it is ready (a script, a test) stops it
/// gracefully instead of killing it with the default action.
#[cfg(unix)]
fn shutdown() -> impl std::future::Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{signal, Signal, SignalKind};
    // A handler that cannot be installed leaves the signal's default
    // action (ending the process), so waiting for it forever is right.
    async fn received(s: Option<Signal>) {
        match s {
            Some(mut s) => {
                s.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    }
    let (interrupt, terminate) = (signal(SignalKind::interrupt()).ok(), signal(SignalKind::terminate()).ok());
    async move {
        tokio::select! {
            () = received(interrupt) => {},
            () = received(terminate) => {},
        }
    }
}

/// Ctrl-C.
#[cfg(not(unix))]
fn shutdown() -> impl std::future::Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
