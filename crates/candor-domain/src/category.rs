//! Data categories named with the fideslang taxonomy, so policies can be
//! exchanged with the privacy tools companies already run. Categories are
//! hierarchical: allowing `user.contact` allows `user.contact.email`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A data category identifier such as `user.contact.email`. Whether it exists
/// is a question for the [`Taxonomy`], asked when a policy is checked.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategoryId(String);

impl CategoryId {
    /// Wrap a category name; see [`Taxonomy::get`] to know whether it exists.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `self` is `other` or one of its ancestors
    /// (`user.contact` covers `user.contact.email`).
    pub fn covers(&self, other: &CategoryId) -> bool {
        let (a, b) = (self.0.as_str(), other.0.as_str());
        b == a || (b.len() > a.len() && b.starts_with(a) && b.as_bytes()[a.len()] == b'.')
    }
}

impl fmt::Display for CategoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CategoryId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The known data categories and which of them are special.
#[derive(Debug)]
pub struct Taxonomy {
    /// category -> (special itself, covers a special category)
    // INVARIANT (covers flag): the second flag is true iff the category or a
    // descendant is special; computed once in `fideslang()`.
    entries: BTreeMap<String, (bool, bool)>,
}

const FIDESLANG: &str = include_str!("../data/fideslang-categories.txt");

impl Taxonomy {
    /// The embedded fideslang `user.*` taxonomy.
    pub fn fideslang() -> &'static Taxonomy {
        static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
        TAXONOMY.get_or_init(|| {
            let special: BTreeMap<String, bool> = FIDESLANG
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| match l.split_once(' ') {
                    Some((name, flag)) => (name.to_owned(), flag.trim() == "special"),
                    None => (l.to_owned(), false),
                })
                .collect();
            // INVARIANT (covers flag)
            let entries = special
                .iter()
                .map(|(name, s)| {
                    let id = CategoryId::new(name.clone());
                    let covers = special.iter().any(|(other, os)| *os && id.covers(&CategoryId::new(other.clone())));
                    (name.clone(), (*s, covers))
                })
                .collect();
            Taxonomy { entries }
        })
    }

    /// Whether the category exists.
    pub fn contains(&self, c: &str) -> bool {
        self.entries.contains_key(c)
    }

    /// Whether the category itself is special.
    pub fn is_special(&self, c: &str) -> bool {
        self.entries.get(c).is_some_and(|e| e.0)
    }

    /// Whether allowing `c` would allow some special category beneath it.
    pub fn covers_special(&self, c: &CategoryId) -> bool {
        self.entries.get(c.as_str()).is_some_and(|e| e.1)
    }

    /// The closest known category to a misspelt one, for error messages.
    pub fn suggest(&self, c: &str) -> Option<&str> {
        self.entries.keys().map(|k| (edit_distance(c, k), k)).filter(|(d, _)| *d <= 4).min().map(|(_, k)| k.as_str())
    }

    /// All categories, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, bool)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.0))
    }
}

/// Levenshtein distance over chars; inputs are short identifiers.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list is generated from fideslang 3.1.4 (`.ci/run` checks it
    /// against the package with the generator's `--check`); these are the
    /// keys an earlier hand-written list got wrong.
    #[test]
    fn the_embedded_list_is_fideslangs_default_taxonomy() {
        let t = Taxonomy::fideslang();
        assert!(FIDESLANG.contains("fideslang 3.1.4"));
        for key in ["user.demographic.political_opinion", "user.health_and_medical.record_id", "user.telemetry", "user.user_sensor"] {
            assert!(t.contains(key), "{key}");
        }
        for key in [
            "user.demographic.political_affiliation",
            "user.union_membership",
            "user.device.telemetry",
            "user.health_and_medical.medical_record_number",
            "user.consent",
        ] {
            assert!(!t.contains(key), "{key} is not a fideslang key");
        }
        assert_eq!(t.iter().count(), 82, "fideslang 3.1.4 has 82 user.* data categories");
        assert!(t.is_special("user.demographic.political_opinion") && t.is_special("user.health_and_medical.record_id"));
        assert!(!t.is_special("user.telemetry") && !t.is_special("user.user_sensor"));
        // Every key's parent is a key too: the tree has no gaps.
        for (key, _) in t.iter() {
            if let Some((parent, _)) = key.rsplit_once('.') {
                assert!(t.contains(parent), "{key} without {parent}");
            }
        }
    }

    #[test]
    fn parents_cover_children_but_not_siblings_with_a_shared_prefix() {
        let contact = CategoryId::new("user.contact");
        assert!(contact.covers(&CategoryId::new("user.contact.email")));
        assert!(contact.covers(&contact));
        assert!(!contact.covers(&CategoryId::new("user.contacts")));
        assert!(!CategoryId::new("user.contact.email").covers(&contact));
    }

    #[test]
    fn the_taxonomy_knows_fideslang_names_and_marks_special_ones() {
        let t = Taxonomy::fideslang();
        assert!(t.contains("user.contact.email"));
        assert!(!t.is_special("user.contact.email"));
        assert!(t.is_special("user.demographic.religious_belief"));
        assert!(t.covers_special(&CategoryId::new("user.demographic")));
        assert!(!t.covers_special(&CategoryId::new("user.contact")));
        assert_eq!(t.suggest("user.contact.emial"), Some("user.contact.email"));
    }
}
