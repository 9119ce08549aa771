//! Questions and concerns a customer raises with the compliance team: each
//! one a tracked item, due one calendar month after it was raised (as GDPR
//! Art. 12(3) gives for answers about a customer's data), answered by staff
//! and then closed. Pure rules: what a message may hold, the deadline and
//! the life cycle (open → answered → closed). The texts themselves are
//! personal data and live sealed in the store, outside this type.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::rights::add_months;

/// The longest message or answer accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// Where a concern stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConcernState {
    /// Raised, waiting for an answer.
    Open,
    /// Answered; the customer was told.
    Answered,
    /// Nothing more to do.
    Closed,
}

impl ConcernState {
    /// Every state.
    pub const ALL: [Self; 3] = [Self::Open, Self::Answered, Self::Closed];

    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for ConcernState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text or a step of a concern is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConcernError {
    /// Nothing but white space.
    #[error("the {field} is empty: write some text")]
    Empty {
        /// `message` or `answer`.
        field: &'static str,
    },
    /// Longer than [`MAX_TEXT_CHARS`].
    #[error("the {field} is {chars} characters long; at most {max} are accepted", max = MAX_TEXT_CHARS)]
    TooLong {
        /// `message` or `answer`.
        field: &'static str,
        /// Its length.
        chars: usize,
    },
    /// A control character other than a line break or a tab.
    #[error("the {field} holds a control character (U+{code:04X}) at character {position}; only text, line breaks and tabs are accepted")]
    ControlCharacter {
        /// `message` or `answer`.
        field: &'static str,
        /// The character's code point.
        code: u32,
        /// Where, counted from 1.
        position: usize,
    },
    /// Only an open concern is answered.
    #[error("the concern is already {state}; only an open concern can be answered")]
    NotOpen {
        /// Where it stands.
        state: ConcernState,
    },
    /// A closed concern stays closed.
    #[error("the concern is already closed")]
    AlreadyClosed,
}

/// `text` checked as the `field` of a concern, and tidied: line breaks
/// as `\n`, white space at either end removed.
pub fn check_text(field: &'static str, text: &str) -> Result<String, ConcernError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(ConcernError::Empty { field });
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(ConcernError::TooLong { field, chars });
    }
    if let Some((i, c)) = text.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\t')) {
        return Err(ConcernError::ControlCharacter { field, code: u32::from(c), position: i + 1 });
    }
    Ok(text.to_owned())
}

/// A concern's rules: its state, its deadline and who answered it when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concern {
    /// Where it stands.
    pub state: ConcernState,
    /// When the customer raised it.
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
    /// When it is due: one calendar month later.
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// When it was answered.
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    /// Who answered it (a staff actor).
    pub answered_by: Option<String>,
    /// When it was closed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

impl Concern {
    /// A concern raised at `at`, due one calendar month later (on the
    /// month's last day when it has no such day: 31 January, due 28 or 29
    /// February).
    pub fn raise(at: OffsetDateTime) -> Self {
        Self { state: ConcernState::Open, raised_at: at, due_at: add_months(at, 1), answered_at: None, answered_by: None, closed_at: None }
    }

    /// `actor` answered it at `at`.
    pub fn answer(&mut self, actor: &str, at: OffsetDateTime) -> Result<(), ConcernError> {
        if self.state != ConcernState::Open {
            return Err(ConcernError::NotOpen { state: self.state });
        }
        self.state = ConcernState::Answered;
        self.answered_at = Some(at);
        self.answered_by = Some(actor.to_owned());
        Ok(())
    }

    /// Nothing more to do, answered or not (a duplicate, a question
    /// withdrawn).
    pub fn close(&mut self, at: OffsetDateTime) -> Result<(), ConcernError> {
        if self.state == ConcernState::Closed {
            return Err(ConcernError::AlreadyClosed);
        }
        self.state = ConcernState::Closed;
        self.closed_at = Some(at);
        Ok(())
    }

    /// Whether it is past its deadline without an answer.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.state == ConcernState::Open && now > self.due_at
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_concern_is_due_one_calendar_month_later_at_most_the_months_last_day() {
        assert_eq!(Concern::raise(datetime!(2026-03-15 10:00 UTC)).due_at, datetime!(2026-04-15 10:00 UTC));
        assert_eq!(Concern::raise(datetime!(2026-01-31 09:30 UTC)).due_at, datetime!(2026-02-28 09:30 UTC));
        assert_eq!(Concern::raise(datetime!(2028-01-31 09:30 UTC)).due_at, datetime!(2028-02-29 09:30 UTC), "leap year");
        assert_eq!(Concern::raise(datetime!(2026-12-31 23:00 UTC)).due_at, datetime!(2027-01-31 23:00 UTC), "over the year's end");
    }

    #[test]
    fn a_concern_is_answered_once_then_closed_and_overdue_only_while_open() {
        let at = datetime!(2026-12-01 12:00 UTC);
        let mut c = Concern::raise(at);
        assert!(!c.is_overdue(datetime!(2027-01-01 12:00 UTC)));
        assert!(c.is_overdue(datetime!(2027-01-01 12:01 UTC)));
        c.answer("carla", at + time::Duration::days(3)).unwrap();
        assert_eq!((c.state, c.answered_by.as_deref()), (ConcernState::Answered, Some("carla")));
        assert!(!c.is_overdue(datetime!(2030-01-01 0:00 UTC)));
        assert_eq!(c.answer("carla", at), Err(ConcernError::NotOpen { state: ConcernState::Answered }));
        c.close(at + time::Duration::days(4)).unwrap();
        assert_eq!(c.close(at), Err(ConcernError::AlreadyClosed));
        assert_eq!(c.answer("carla", at), Err(ConcernError::NotOpen { state: ConcernState::Closed }));
        // An open one may be closed without an answer.
        let mut d = Concern::raise(at);
        d.close(at).unwrap();
        assert_eq!((d.state, d.answered_at), (ConcernState::Closed, None));
    }

    #[test]
    fn texts_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(check_text("message", "  Why did you\r\nemail me?\t \n").unwrap(), "Why did you\nemail me?");
        assert_eq!(check_text("message", " \n\t"), Err(ConcernError::Empty { field: "message" }));
        let long = "é".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(check_text("answer", &long), Err(ConcernError::TooLong { field: "answer", chars: MAX_TEXT_CHARS + 1 }));
        assert!(check_text("answer", &"é".repeat(MAX_TEXT_CHARS)).is_ok(), "characters are counted, not bytes");
        let e = check_text("message", "hi\u{0}there").unwrap_err();
        assert_eq!(e, ConcernError::ControlCharacter { field: "message", code: 0, position: 3 });
        assert_eq!(
            e.to_string(),
            "the message holds a control character (U+0000) at character 3; only text, line breaks and tabs are accepted"
        );
        for s in ConcernState::ALL {
            assert_eq!(ConcernState::parse(s.as_str()), Some(s));
        }
    }
}
