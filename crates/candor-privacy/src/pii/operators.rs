//! What happens to a span when text is redacted, chosen per type:
//!
//! - `placeholder`: `<EMAIL>`;
//! - `numbered`: `<PERSON_1>`, `<PERSON_2>`, the same value always the same
//!   number within one [`Numbering`] (a message, or a whole conversation),
//!   so a reader can still tell two people apart;
//! - `mask`: every letter and digit replaced by `*`, the last N kept
//!   (`**** **** **** 1111`);
//! - `hash`: a keyed hash of the value (`<EMAIL:9f2c…>`), stable across
//!   messages and imports for one key, useless without it;
//! - `drop`: removed;
//! - `keep`: left as it is (brand handles, say).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use crate::RedactedText;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{EntityType, Span};

/// A redaction operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `<TYPE>`.
    Placeholder,
    /// `<TYPE_n>`, consistent within a numbering.
    Numbered,
    /// Letters and digits become `*`, the last `keep_last` kept.
    Mask {
        /// How many trailing letters or digits stay visible.
        keep_last: usize,
    },
    /// `<TYPE:hash>` under the redactor's key.
    Hash,
    /// Removed.
    Drop,
    /// Left in place.
    Keep,
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Placeholder => f.write_str("placeholder"),
            Self::Numbered => f.write_str("numbered"),
            Self::Mask { keep_last } => write!(f, "mask:{keep_last}"),
            Self::Hash => f.write_str("hash"),
            Self::Drop => f.write_str("drop"),
            Self::Keep => f.write_str("keep"),
        }
    }
}

/// An operator name that does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown operator `{0}`: use placeholder, numbered, mask, mask:N, hash, drop or keep")]
pub struct OperatorError(String);

impl FromStr for Operator {
    type Err = OperatorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "placeholder" => Ok(Self::Placeholder),
            "numbered" => Ok(Self::Numbered),
            "mask" => Ok(Self::Mask { keep_last: 0 }),
            "hash" => Ok(Self::Hash),
            "drop" => Ok(Self::Drop),
            "keep" => Ok(Self::Keep),
            other => match other.strip_prefix("mask:").and_then(|n| n.parse().ok()) {
                Some(keep_last) => Ok(Self::Mask { keep_last }),
                None => Err(OperatorError(other.to_owned())),
            },
        }
    }
}

/// The values a numbering has seen, so that `<PERSON_1>` stays the same
/// person across the messages it spans.
#[derive(Clone, Debug, Default)]
pub struct Numbering {
    seen: HashMap<(EntityType, String), u32>,
    next: HashMap<EntityType, u32>,
}

impl Numbering {
    /// A fresh numbering.
    pub fn new() -> Self {
        Self::default()
    }

    fn number(&mut self, entity: EntityType, value: String) -> u32 {
        let next = self.next.entry(entity).or_insert(0);
        *self.seen.entry((entity, value)).or_insert_with(|| {
            *next += 1;
            *next
        })
    }
}

/// Letters and digits only, lower-cased: `Jo.Smith@X.com` and
/// `jo.smith@x.com` are one value, `+44 20 7946 0958` and `+442079460958`
/// too.
fn normalize(value: &str) -> String {
    value.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Applies operators to spans.
#[derive(Clone)]
pub struct Redactor {
    ops: HashMap<EntityType, Operator>,
    default: Operator,
    key: Option<Hmac<Sha256>>,
    keep: HashSet<(EntityType, String)>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor").field("ops", &self.ops).field("default", &self.default).field("keyed", &self.key.is_some()).finish()
    }
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new(Operator::Placeholder)
    }
}

impl Redactor {
    /// Every type redacted with `default`.
    pub fn new(default: Operator) -> Self {
        Self { ops: HashMap::new(), default, key: None, keep: HashSet::new() }
    }

    /// Use `op` for `entity`.
    pub fn with(mut self, entity: EntityType, op: Operator) -> Self {
        self.ops.insert(entity, op);
        self
    }

    /// The key of the `hash` operator.
    pub fn with_hash_key(mut self, key: &[u8]) -> Self {
        self.key = Hmac::<Sha256>::new_from_slice(key).ok();
        self
    }

    /// Leave these values of `entity` as they are (a brand's own handles).
    pub fn keeping<'a>(mut self, entity: EntityType, values: impl IntoIterator<Item = &'a str>) -> Self {
        self.keep.extend(values.into_iter().map(|v| (entity, normalize(v))));
        self
    }

    /// The operator for `entity`.
    pub fn operator(&self, entity: EntityType) -> Operator {
        self.ops.get(&entity).copied().unwrap_or(self.default)
    }

    /// `text` with every span replaced. Spans must come from the analyzer
    /// for this text (ordered, not overlapping); any that do not fit are
    /// skipped rather than garbling the text.
    pub fn redact(&self, text: &str, spans: &[Span], numbering: &mut Numbering) -> RedactedText {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for s in spans {
            let Some(value) = text.get(s.start..s.end) else { continue };
            if s.start < at {
                continue;
            }
            out.push_str(text.get(at..s.start).unwrap_or_default());
            let norm = normalize(value);
            let op = if self.keep.contains(&(s.entity, norm.clone())) { Operator::Keep } else { self.operator(s.entity) };
            match op {
                Operator::Placeholder => {
                    out.push('<');
                    out.push_str(s.entity.as_str());
                    out.push('>');
                }
                Operator::Numbered => {
                    let n = numbering.number(s.entity, norm);
                    out.push_str(&format!("<{}_{n}>", s.entity.as_str()));
                }
                Operator::Mask { keep_last } => {
                    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
                    let mut seen = 0;
                    for c in value.chars() {
                        if c.is_alphanumeric() {
                            seen += 1;
                            out.push(if seen + keep_last > total { c } else { '*' });
                        } else {
                            out.push(c);
                        }
                    }
                }
                Operator::Hash => match &self.key {
                    Some(key) => {
                        let mut mac = key.clone();
                        mac.update(s.entity.as_str().as_bytes());
                        mac.update(&[0]);
                        mac.update(norm.as_bytes());
                        let digest = mac.finalize().into_bytes();
                        out.push_str(&format!("<{}:{}>", s.entity.as_str(), hex::encode(&digest[..8])));
                    }
                    // Without a key a hash would be a dictionary lookup
                    // away from the value: fall back to the placeholder.
                    None => {
                        out.push('<');
                        out.push_str(s.entity.as_str());
                        out.push('>');
                    }
                },
                Operator::Drop => {}
                Operator::Keep => out.push_str(value),
            }
            at = s.end;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        RedactedText::from_redactor(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::Analyzer;

    fn run(r: &Redactor, text: &str, n: &mut Numbering) -> String {
        r.redact(text, &Analyzer::new().analyze(text), n).into_string()
    }

    #[test]
    fn each_operator_does_what_it_says() {
        let text = "mail jo@example.com or JO@example.com, card 4111 1111 1111 1111";
        let mut n = Numbering::new();
        assert_eq!(run(&Redactor::default(), text, &mut n), "mail <EMAIL> or <EMAIL>, card <CREDIT_CARD>");
        assert_eq!(run(&Redactor::new(Operator::Numbered), text, &mut n), "mail <EMAIL_1> or <EMAIL_1>, card <CREDIT_CARD_1>");
        let masked = Redactor::new(Operator::Drop).with(EntityType::CreditCard, Operator::Mask { keep_last: 4 });
        assert_eq!(run(&masked, text, &mut Numbering::new()), "mail  or , card **** **** **** 1111");
        let hashed = Redactor::new(Operator::Hash).with_hash_key(b"k1");
        let a = run(&hashed, "jo@example.com", &mut Numbering::new());
        let b = run(&hashed, "JO@EXAMPLE.COM", &mut Numbering::new());
        let c = run(&Redactor::new(Operator::Hash).with_hash_key(b"k2"), "jo@example.com", &mut Numbering::new());
        assert!(a.starts_with("<EMAIL:") && a.len() == "<EMAIL:>".len() + 16, "{a}");
        assert_eq!(a, b, "one value, one hash");
        assert_ne!(a, c, "another key, another hash");
        assert_eq!(run(&Redactor::new(Operator::Hash), "jo@example.com", &mut Numbering::new()), "<EMAIL>", "no key, no hash");
    }

    #[test]
    fn numbers_keep_people_apart_across_a_conversation() {
        let r = Redactor::new(Operator::Numbered);
        let mut conv = Numbering::new();
        assert_eq!(run(&r, "my name is Ana Lopez, mail ana@x.com", &mut conv), "my name is <PERSON_1>, mail <EMAIL_1>");
        assert_eq!(run(&r, "my name is Bo Chen", &mut conv), "my name is <PERSON_2>");
        assert_eq!(run(&r, "again: my name is Ana Lopez", &mut conv), "again: my name is <PERSON_1>");
    }

    #[test]
    fn kept_values_stay_and_operators_parse() {
        let r = Redactor::default().keeping(EntityType::Handle, ["@NorthwindHelp"]);
        assert_eq!(run(&r, "@northwindhelp thanks @jo_99", &mut Numbering::new()), "@northwindhelp thanks <HANDLE>");
        assert_eq!("mask:4".parse(), Ok(Operator::Mask { keep_last: 4 }));
        assert!("shred".parse::<Operator>().is_err());
    }
}
