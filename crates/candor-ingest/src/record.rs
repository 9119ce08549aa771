//! What every format is read into: interaction drafts, CRM contacts,
//! deletion notices, and quarantined records that say where and why.

use std::fmt;

use candor_domain::Identifier;
use serde::Serialize;
use time::OffsetDateTime;

/// What kind of item an interaction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A public post addressed to the brand.
    Mention,
    /// A reply in a thread.
    Reply,
    /// A private message.
    DirectMessage,
    /// A comment under a post.
    Comment,
    /// A review.
    Review,
}

impl Kind {
    /// Name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::Reply => "reply",
            Self::DirectMessage => "direct_message",
            Self::Comment => "comment",
            Self::Review => "review",
        }
    }

    /// Parse a stored or mapped name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Mention, Self::Reply, Self::DirectMessage, Self::Comment, Self::Review].into_iter().find(|k| k.as_str() == s)
    }
}

/// Who wrote an interaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Author {
    /// A customer, known by these identifiers (and perhaps a name).
    Customer {
        /// Identifiers, first the one the platform gave.
        identifiers: Vec<Identifier>,
        /// Display name, when the format carries one.
        name: Option<String>,
    },
    /// The brand, by its account's lower-case handle.
    Brand(String),
}

/// One interaction read from an export, not yet resolved or stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// Line of the source where the record starts.
    pub line: u64,
    /// Platform (`x`, `facebook`, …).
    pub platform: String,
    /// The platform's id for the item.
    pub external_id: String,
    /// Mention, reply, …
    pub kind: Kind,
    /// Who wrote it.
    pub author: Author,
    /// The conversation, when the format says.
    pub conversation_id: Option<String>,
    /// The item it answers.
    pub reply_to: Option<String>,
    /// When it was posted.
    pub occurred_at: OffsetDateTime,
    /// The original text.
    pub text: String,
}

impl Draft {
    /// Whether the brand wrote it.
    pub fn outbound(&self) -> bool {
        matches!(self.author, Author::Brand(_))
    }
}

/// A row of a CRM contacts export.
#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    /// Line of the source.
    pub line: u64,
    /// Identifiers (e-mail, phone, customer number, handles).
    pub identifiers: Vec<Identifier>,
    /// Name.
    pub name: Option<String>,
    /// The row as read, for the quarantine file should it conflict.
    pub raw: String,
}

/// A platform's notice that an item was deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deletion {
    /// Line of the source.
    pub line: u64,
    /// Platform.
    pub platform: String,
    /// The deleted item's id.
    pub external_id: String,
}

/// A record that could not be read, and why: it goes to the quarantine
/// file with its line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// Line of the source where the record starts.
    pub line: u64,
    /// What is wrong, naming the field.
    pub reason: String,
    /// The record as read (it is already in the input file beside it).
    pub raw: String,
}

/// One record of an input.
#[derive(Clone, Debug)]
pub enum Record {
    /// An interaction.
    Interaction(Box<Draft>),
    /// A CRM contact.
    Contact(Contact),
    /// A deletion notice.
    Deletion(Deletion),
    /// An unreadable record.
    Bad(Quarantined),
}

impl Record {
    /// A quarantined record.
    pub fn bad(line: u64, reason: impl fmt::Display, raw: impl Into<String>) -> Self {
        Self::Bad(Quarantined { line, reason: reason.to_string(), raw: raw.into() })
    }
}

/// Longest text accepted, in characters: X allows 25,000 for long posts.
pub const MAX_TEXT_CHARS: usize = 25_000;

/// Check the text of a record: not empty, not oversize.
pub fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("`text` is empty".into());
    }
    let n = text.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(format!("`text` has {n} characters, more than the {MAX_TEXT_CHARS} accepted"));
    }
    Ok(())
}
