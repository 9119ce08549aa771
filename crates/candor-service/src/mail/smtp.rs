//! [`SmtpMailer`]: mail through the `[mail]` SMTP server with lettre, over
//! rustls. `smtps://` is TLS from the start; `smtp://` upgrades with
//! STARTTLS, and refuses to send when the server does not offer it unless
//! the server is on a loopback address.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::{without_addresses, Mail, Mailer, SendError};
use crate::settings::mail::{MailConfig, TlsMode};
use crate::settings::SettingsError;

/// Mail through an SMTP server.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
    /// For messages: where mail goes, never the password.
    server: String,
    /// Connections in the pool.
    connections: u32,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").field("server", &self.server).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for checked `[mail]` settings (no connection is made yet).
    pub fn new(config: &MailConfig) -> Result<Self, SettingsError> {
        let tls_error = |e: lettre::transport::smtp::Error| SettingsError::Invalid(format!("`mail`: TLS set-up failed: {e}"));
        let mut params = TlsParameters::builder(config.host.clone());
        if let Some(pem) = &config.ca_pem {
            let cert = Certificate::from_pem(pem)
                .map_err(|_| SettingsError::Invalid("`mail.ca_file` holds no PEM certificate that can be read".into()))?;
            params = params.add_root_certificate(cert);
        }
        let params = params.build_rustls().map_err(tls_error)?;
        let tls = match config.tls {
            TlsMode::Implicit => Tls::Wrapper(params),
            TlsMode::StartTlsRequired => Tls::Required(params),
            TlsMode::StartTlsOpportunistic => Tls::Opportunistic(params),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout))
            // Each connection carries one message at a time, and lettre
            // (0.11.23) writes a message's closing `.` apart from its body
            // without TCP_NODELAY, so every message also waits out the
            // server's delayed ACK (40 ms on Linux): throughput is about
            // `connections` messages per 45 ms, whatever the server.
            .pool_config(PoolConfig::new().max_size(config.connections));
        if let (Some(user), Some(password)) = (&config.user, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose_secret().to_owned()));
        }
        let from = config.from.parse().map_err(|_| SettingsError::Invalid("`mail.from` is not an e-mail address".into()))?;
        Ok(Self { transport: builder.build(), from, server: format!("{}:{}", config.host, config.port), connections: config.connections })
    }

    /// The message as it goes on the wire.
    fn render(&self, mail: &Mail) -> Result<Message, SendError> {
        let to: Address = mail
            .to
            .trim()
            .parse()
            .map_err(|_| SendError::Permanent("the address on record is not an e-mail address that can be mailed".into()))?;
        Message::builder()
            .from(Mailbox::new(Some(mail.from_name.clone()), self.from.clone()))
            .to(Mailbox::new(None, to))
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.clone())
            .map_err(|e| SendError::Permanent(format!("the message could not be built: {}", without_addresses(&e.to_string()))))
    }
}

impl Mailer for SmtpMailer {
    /// One message on each pooled connection.
    fn at_once(&self) -> usize {
        self.connections.max(1) as usize
    }

    async fn send(&self, mail: &Mail) -> Result<(), SendError> {
        let message = self.render(mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let text = without_addresses(&describe(&e));
                Err(if e.is_permanent() { SendError::Permanent(text) } else { SendError::Transient(text) })
            }
        }
    }
}

/// The error with its causes ("connection error: Connection refused").
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text = format!("{text}: {s_text}");
        }
        source = s.source();
    }
    text
}
