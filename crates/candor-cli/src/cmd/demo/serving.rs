//! Serving the demo installation: listen on 127.0.0.1:8080 or a free
//! port, print where to sign in (at http://localhost:PORT) with a code
//! for each role and for two customers, and serve until Ctrl-C.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;
use serde_json::json;

use crate::cmd::serve;
use crate::{output, Global, Installation, Outcome};

use super::{Cast, ADDR, CODE_VALIDITY, CONSOLE_STAFF};

/// A sign-in ready to use, as printed.
#[derive(serde::Serialize)]
struct Printed {
    /// The staff actor or the customer's first name.
    who: String,
    /// Their role, or `customer`.
    role: String,
    /// The page that takes the code, with the challenge filled in.
    link: String,
    challenge: String,
    code: String,
    /// When the code stops working (RFC 3339).
    expires_at: String,
}

/// Listen on [`ADDR`], or on a free port of the same host when it is taken
/// (another server, an earlier demo still running); whether it was.
async fn listen() -> anyhow::Result<(tokio::net::TcpListener, bool)> {
    match tokio::net::TcpListener::bind(ADDR).await {
        Ok(l) => Ok((l, false)),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("could not listen on a free port of 127.0.0.1")?;
            Ok((l, true))
        }
        Err(e) => Err(e).with_context(|| format!("could not listen on `{ADDR}`")),
    }
}

/// Serve the demo installation until Ctrl-C or SIGTERM, after printing
/// the story (with `--json`, as one document) and where to sign in.
pub(super) async fn serve_demo(
    g: &Global,
    inst: &mut Installation,
    dir: &Path,
    cast: &Cast,
    steps: Vec<serde_json::Value>,
) -> anyhow::Result<Outcome> {
    let (listener, taken) = listen().await?;
    let addr: SocketAddr = listener.local_addr()?;
    // Links name the host `localhost`, not the address: browsers offer
    // passkeys on a host name only, and the console's passkeys belong to
    // the public address.
    let base = format!("http://localhost:{}", addr.port());
    // Links in what customers are sent (policy notices) point here, unless
    // the operator named another address.
    if inst.settings.server.public_url.is_none() {
        inst.settings.server.public_url = Some(base.clone());
        inst.candor = inst.candor.clone().with_public_url(Some(base.clone()));
    }
    let c = &inst.candor;
    let mut staff = Vec::new();
    for (actor, role) in CONSOLE_STAFF {
        let r = c.issue_staff_code("demo", actor, CODE_VALIDITY).await?;
        staff.push(Printed {
            who: actor.to_owned(),
            role: role.as_str().to_owned(),
            link: format!("{base}/console/code?challenge={}&actor={actor}", r.challenge),
            challenge: r.challenge,
            code: r.code,
            expires_at: output::ts(r.expires_at),
        });
    }
    let mut customers = Vec::new();
    for (name, subject) in [("maria", cast.maria), ("tom", cast.tom)] {
        let r = c.issue_customer_code("demo", subject, CODE_VALIDITY).await?;
        customers.push(Printed {
            who: name.to_owned(),
            role: "customer".to_owned(),
            link: format!("{base}/privacy/code?challenge={}", r.challenge),
            challenge: r.challenge,
            code: r.code,
            expires_at: output::ts(r.expires_at),
        });
    }
    let ready_line = format!("ready: serving on {base} (Ctrl-C to stop)");
    let json = g.json;
    let doc = json!({
        "dir": dir,
        "steps": steps,
        "url": base,
        "console": { "url": format!("{base}/console"), "sign_in": staff },
        "privacy_center": { "url": format!("{base}/privacy"), "sign_in": customers, "subjects": { "maria": cast.maria, "tom": cast.tom } },
    });
    if taken {
        eprintln!("note: {ADDR} is taken; the demo serves on {addr} instead");
    }
    serve::serve_on(inst, listener, move |_| {
        if json {
            output::json(&doc)?;
            // The JSON is the whole of standard output; the ready line
            // goes beside it.
            eprintln!("{ready_line}");
        } else {
            print_sign_ins(dir, &base, &staff, &customers);
            println!("{ready_line}");
        }
        std::io::stdout().flush().context("could not write to standard output")?;
        Ok(())
    })
    .await
}

/// Where to go and the codes, aligned, for people.
fn print_sign_ins(dir: &Path, base: &str, staff: &[Printed], customers: &[Printed]) {
    let until = staff.first().map(|p| p.expires_at.as_str()).unwrap_or_default();
    println!();
    println!("the demo installation is in {}; after Ctrl-C, `cd {} && candor serve` serves it again", dir.display(), dir.display());
    println!();
    println!("staff console   {base}/console");
    for p in staff {
        println!("  {:<6} {:<12} code {}  {}", p.who, p.role, p.code, p.link);
    }
    println!("privacy center  {base}/privacy");
    for p in customers {
        println!("  {:<6} {:<12} code {}  {}", p.who, p.role, p.code, p.link);
    }
    println!("each code signs in once, until {until}");
    println!();
}
