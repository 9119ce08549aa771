//! Themes of customer-care messages: what a message is about (a delay, a
//! refund, a rude agent…), and which phrases are new.
//!
//! - [`Taxonomy`]: the themes and their keywords, from TOML
//!   (`data/themes.toml` is the default and documents the format);
//! - [`ThemeMatcher`]: finds a message's themes as a [`ThemeSet`], a `u64`
//!   bitmask stored per interaction at import time so that analytics can
//!   group by theme inside SQL;
//! - [`emerging`] and [`NgramCounter`]: phrases whose share of messages
//!   rose most against the previous period.
//!
//! Everything here reads [`RedactedText`](candor_privacy::RedactedText);
//! redactor placeholders, handles and links never match a keyword and are
//! never counted as phrases.

mod emerging;
mod matcher;
mod taxonomy;
mod tokens;

pub use emerging::{
    emerging, emerging_from_counts, EmergingOptions, EmergingPhrase, NgramCounter, NgramCounts, MAX_NGRAM_WORDS, MAX_WORD_LEN,
};
pub use matcher::{ThemeMatcher, ThemeSet};
pub use taxonomy::{KeywordProblem, Taxonomy, TaxonomyProblem, Theme, ThemeError, MAX_PHRASE_WORDS, MAX_THEMES};
