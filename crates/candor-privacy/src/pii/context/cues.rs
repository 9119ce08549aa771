//! What the cue scanner finds: the kinds of cue ([`Cue`], as
//! `data/pii-cues.txt` and `data/address-cues.txt` name them), one cue
//! found ([`CueHit`]) and all of a text's ([`CueHits`]), with the questions
//! recognizers ask of them (is a phone cue just before this number?).

use super::word_bytes::{AT, COLON, DIGIT, DOT, NON_ASCII, SIGN};
use crate::pii::work::step;

/// What a cue says about what follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cue {
    Phone,
    /// Labels a phone number written before it (`… office`, `… is my mobile`).
    PhoneLabel,
    Ssn,
    Card,
    Ip,
    Nino,
    Dob,
    Order,
    /// A parcel's tracking number follows (an order reference of 10
    /// characters or more).
    Tracking,
    Name,
    NameWeak,
    Honorific,
    Closing,
    Greeting,
    Staff,
    Role,
    Version,
    Address,
    StreetSuffix,
    StreetPrefix,
    StreetCompound,
    /// `Am`, `An der`: starts a street when capitalized (`Am Markt 3`).
    StreetArticle,
    Unit,
    /// A post-office box (`PO Box`, `Postfach`, `Apartado de Correos`).
    PoBox,
    Military,
    Here,
    /// A capitalized word that is a known first name (no phrase).
    FirstName,
}

impl Cue {
    pub(super) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "phone" => Self::Phone,
            "phone_label" => Self::PhoneLabel,
            "ssn" => Self::Ssn,
            "card" => Self::Card,
            "ip" => Self::Ip,
            "nino" => Self::Nino,
            "dob" => Self::Dob,
            "order" => Self::Order,
            "tracking" => Self::Tracking,
            "name" => Self::Name,
            "name_weak" => Self::NameWeak,
            "honorific" => Self::Honorific,
            "closing" => Self::Closing,
            "greeting" => Self::Greeting,
            "staff" => Self::Staff,
            "role" => Self::Role,
            "version" => Self::Version,
            "address" => Self::Address,
            "street_suffix" => Self::StreetSuffix,
            "street_prefix" => Self::StreetPrefix,
            "street_compound" => Self::StreetCompound,
            "street_article" => Self::StreetArticle,
            "unit" => Self::Unit,
            "po_box" => Self::PoBox,
            "military" => Self::Military,
            "here" => Self::Here,
            _ => return None,
        })
    }
}

/// The longest cue phrase, in bytes (a test holds the list to it).
pub(super) const MAX_PHRASE: usize = 48;

/// One cue found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CueHit {
    pub cue: Cue,
    pub start: usize,
    pub end: usize,
}

/// Every cue of a text, ordered by end.
#[derive(Debug, Default)]
pub(crate) struct CueHits(pub(super) Vec<CueHit>, pub(super) u8);

impl CueHits {
    /// The hits' storage, to reuse.
    pub(crate) fn into_vec(self) -> Vec<CueHit> {
        self.0
    }

    /// Whether the message has an ASCII digit anywhere.
    pub(crate) fn has_digit(&self) -> bool {
        self.1 & DIGIT != 0
    }

    /// Whether the message has an `@` anywhere.
    pub(crate) fn has_at(&self) -> bool {
        self.1 & AT != 0
    }

    /// Whether the message has a `:` anywhere.
    pub(crate) fn has_colon(&self) -> bool {
        self.1 & COLON != 0
    }

    /// Whether the message is all ASCII (char offsets are byte offsets).
    pub(crate) fn is_ascii(&self) -> bool {
        self.1 & NON_ASCII == 0
    }

    /// Whether the message has a `^`, `-` or `~` anywhere.
    pub(crate) fn has_sign_mark(&self) -> bool {
        self.1 & SIGN != 0
    }

    /// Whether the message has a `.` anywhere.
    pub(crate) fn has_dot(&self) -> bool {
        self.1 & DOT != 0
    }

    /// Whether a `cue` ends at most `window` bytes before `pos`.
    pub(crate) fn before(&self, pos: usize, window: usize, cue: Cue) -> bool {
        let from = pos.saturating_sub(window);
        step((usize::BITS - self.0.len().leading_zeros()) as usize + 1);
        let first = self.0.partition_point(|h| h.end < from);
        self.0[first..].iter().take_while(|h| h.end <= pos).any(|h| {
            step(1);
            h.cue == cue
        })
    }

    /// The last `cue` that ends at most `window` bytes before `pos`.
    pub(crate) fn last_before(&self, pos: usize, window: usize, cue: Cue) -> Option<CueHit> {
        let from = pos.saturating_sub(window);
        step((usize::BITS - self.0.len().leading_zeros()) as usize + 1);
        let first = self.0.partition_point(|h| h.end < from);
        self.0[first..]
            .iter()
            .take_while(|h| {
                step(1);
                h.end <= pos
            })
            .filter(|h| h.cue == cue)
            .last()
            .copied()
    }

    /// The hits that end at `end`.
    pub(crate) fn ending_at(&self, end: usize) -> impl Iterator<Item = &CueHit> {
        step((usize::BITS - self.0.len().leading_zeros()) as usize + 1);
        let first = self.0.partition_point(|h| h.end < end);
        self.0[first..].iter().take_while(move |h| {
            step(1);
            h.end == end
        })
    }

    /// The hits that start in `lo..=hi`, in the order of their ends: found
    /// among the few that end soon after, not by reading every hit.
    pub(crate) fn starting_in(&self, lo: usize, hi: usize) -> impl Iterator<Item = &CueHit> {
        step((usize::BITS - self.0.len().leading_zeros()) as usize + 1);
        let first = self.0.partition_point(|h| h.end <= lo);
        // A phrase ends at most MAX_PHRASE bytes after it starts, one more
        // for a plural street type.
        self.0[first..]
            .iter()
            .take_while(move |h| {
                step(1);
                h.end <= hi + MAX_PHRASE + 1
            })
            .filter(move |h| (lo..=hi).contains(&h.start))
    }

    pub(super) fn of(&self, cue: Cue) -> impl Iterator<Item = &CueHit> {
        step(self.0.len() + 1);
        self.0.iter().filter(move |h| h.cue == cue)
    }
}
