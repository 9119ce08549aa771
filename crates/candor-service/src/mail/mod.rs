//! Mailing outbox messages to customers: a [`Mailer`] sends one rendered
//! [`Mail`] ([`SmtpMailer`] through the `[mail]` server), and
//! [`Candor::deliver_due`](crate::Candor::deliver_due) takes the messages due from the outbox, records each
//! delivery, retries transient failures with exponential back-off and
//! records the final failure.

mod deliver;
mod smtp;

pub use crate::settings::mail::{MailConfig, RetryPolicy, TlsMode};
pub use deliver::{deliver_in_background, DeliveryReport, MAIL_ACTOR};
pub use smtp::SmtpMailer;

/// One message, rendered for a mail transport: plain text from the
/// controller, named in the `From` display name.
#[derive(Clone)]
pub struct Mail {
    /// The customer's address.
    pub to: String,
    /// The controller's name (the `From` display name).
    pub from_name: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
}

// The address and the text (a one-time code) are personal: never in logs.
impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail").field("from_name", &self.from_name).finish_non_exhaustive()
    }
}

/// Why a message was not sent. Texts hold no personal data (addresses are
/// taken out of the server's answers): they are stored with the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Refused for good (an SMTP 5xx answer, an address that cannot be
    /// mailed): not retried.
    #[error("{0}")]
    Permanent(String),
    /// Worth trying again later (a 4xx answer, a server that cannot be
    /// reached, a timeout).
    #[error("{0}")]
    Transient(String),
}

/// Sends rendered mail.
pub trait Mailer: Send + Sync {
    /// Send one message.
    fn send(&self, mail: &Mail) -> impl std::future::Future<Output = Result<(), SendError>> + Send;

    /// How many messages it takes at once (delivery keeps that many in
    /// flight).
    fn at_once(&self) -> usize {
        crate::settings::mail::DEFAULT_CONNECTIONS as usize
    }
}

/// Longest error text kept with a message.
const ERROR_CHARS: usize = 300;

/// `text` without anything that looks like an e-mail address (servers
/// quote the recipient when they refuse it), on one line, cut short.
pub(crate) fn without_addresses(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().map(|w| if w.contains('@') { "<address>" } else { w }).collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(ERROR_CHARS) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::without_addresses;

    #[test]
    fn error_texts_lose_addresses_and_line_breaks() {
        assert_eq!(
            without_addresses("550 5.1.1 <tom@example.com>: Recipient\r\n address rejected"),
            "550 5.1.1 <address> Recipient address rejected"
        );
        assert_eq!(without_addresses(&"x".repeat(400)).chars().count(), 301);
    }
}
