//! The theme taxonomy: named themes, each with keywords and phrases, read
//! from TOML and checked before anything is matched against it.
//!
//! The shape of the file is documented at the top of `data/themes.toml`,
//! the default taxonomy for customer care.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::tokens::{fold, Piece, Pieces};
use super::ThemeSet;

/// Most themes a taxonomy may have: a [`ThemeSet`] is one `u64`.
pub const MAX_THEMES: usize = 64;

/// Most words in one keyword phrase. The matcher looks back this many
/// words, so the bound keeps that window a fixed-size array.
pub const MAX_PHRASE_WORDS: usize = 8;

/// Shortest prefix (in letters, after folding) a `*` keyword may have:
/// shorter ones (`re*`) would match nearly everything.
const MIN_PREFIX_CHARS: usize = 3;

/// The default taxonomy, embedded so a fresh install themes messages
/// without any configuration.
const DEFAULT_TAXONOMY: &str = include_str!("../../data/themes.toml");

/// A taxonomy that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    /// The text is not valid TOML, or does not have the expected fields.
    #[error("{source_name}:{line}:{column}: {message}")]
    Syntax {
        /// Where the text came from (a file name).
        source_name: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The TOML is well formed but the taxonomy it describes is not usable.
    #[error("{source_name}: {problem}")]
    Invalid {
        /// Where the text came from (a file name).
        source_name: String,
        /// What is wrong.
        problem: TaxonomyProblem,
    },
}

/// What is wrong with a well-formed taxonomy. Themes are named by their
/// name and by their 1-based position in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxonomyProblem {
    /// There are no `[[theme]]` tables.
    #[error("no themes are defined")]
    NoThemes,
    /// More themes than fit in a [`ThemeSet`].
    #[error("{count} themes are defined, but at most {MAX_THEMES} fit in a theme set")]
    TooManyThemes {
        /// How many themes there are.
        count: usize,
    },
    /// A theme's name is empty or blank.
    #[error("theme #{position} has an empty name")]
    EmptyName {
        /// 1-based position of the theme.
        position: usize,
    },
    /// A theme's name has characters other than lowercase ASCII letters,
    /// digits and `_` (names end up in SQL, JSON and URLs).
    #[error("theme #{position} `{name}`: a name may only have lowercase letters, digits and `_`")]
    BadName {
        /// 1-based position of the theme.
        position: usize,
        /// The name.
        name: String,
    },
    /// Two themes have the same name.
    #[error("theme `{name}` is defined twice (themes #{first} and #{second})")]
    DuplicateName {
        /// The name.
        name: String,
        /// 1-based position of the first definition.
        first: usize,
        /// 1-based position of the second definition.
        second: usize,
    },
    /// A theme has no keywords in any language.
    #[error("theme `{name}` has no keywords")]
    NoKeywords {
        /// The theme.
        name: String,
    },
    /// A key of `languages` is not a language code.
    #[error("theme `{theme}`: `{language}` is not a language code (two or three lowercase letters, such as `es`)")]
    BadLanguage {
        /// The theme.
        theme: String,
        /// The key.
        language: String,
    },
    /// A keyword cannot be matched.
    #[error("theme `{theme}`, {list} keyword `{keyword}`: {reason}")]
    BadKeyword {
        /// The theme.
        theme: String,
        /// `keywords`, or `languages.xx`.
        list: String,
        /// The keyword as written.
        keyword: String,
        /// What is wrong with it.
        reason: KeywordProblem,
    },
}

/// What is wrong with a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeywordProblem {
    /// It has no letters or digits.
    #[error("it has no words")]
    NoWords,
    /// Too many words.
    #[error("it has more than {MAX_PHRASE_WORDS} words")]
    TooManyWords,
    /// A `*` that is not at the end of a word.
    #[error("`*` may only end a word")]
    MisplacedStar,
    /// A prefix shorter than [`MIN_PREFIX_CHARS`].
    #[error("a prefix before `*` needs at least {MIN_PREFIX_CHARS} letters")]
    ShortPrefix,
    /// Punctuation, a placeholder, a handle or a link: a message never has
    /// a phrase across those.
    #[error("it has punctuation, a placeholder, a handle or a link, which phrases never span")]
    Unmatchable,
}

/// One word of a parsed keyword: its folded form, and whether it ended in
/// `*` (matches any word starting with it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct KeywordWord {
    pub(crate) folded: String,
    pub(crate) prefix: bool,
}

/// Splits a keyword into folded words, the way messages are split.
pub(crate) fn parse_keyword(keyword: &str) -> Result<Vec<KeywordWord>, KeywordProblem> {
    let mut out = Vec::new();
    for chunk in keyword.split_whitespace() {
        let (body, prefix) = match chunk.strip_suffix('*') {
            Some(body) => (body, true),
            None => (chunk, false),
        };
        if body.contains('*') {
            return Err(KeywordProblem::MisplacedStar);
        }
        let before = out.len();
        for piece in Pieces::new(body) {
            match piece {
                Piece::Word(w) => out.push(KeywordWord { folded: fold(w), prefix: false }),
                Piece::Break => return Err(KeywordProblem::Unmatchable),
            }
        }
        if prefix {
            // `sign-in*` is `sign` then `in*`; a bare `*` has nothing to extend.
            let last = out.get_mut(before..).and_then(|added| added.last_mut()).ok_or(KeywordProblem::MisplacedStar)?;
            if last.folded.chars().count() < MIN_PREFIX_CHARS {
                return Err(KeywordProblem::ShortPrefix);
            }
            last.prefix = true;
        }
    }
    if out.is_empty() {
        return Err(KeywordProblem::NoWords);
    }
    if out.len() > MAX_PHRASE_WORDS {
        return Err(KeywordProblem::TooManyWords);
    }
    Ok(out)
}

/// One theme of a taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    name: String,
    description: String,
    keywords: Vec<String>,
    languages: BTreeMap<String, Vec<String>>,
}

impl Theme {
    /// The theme's name, such as `refund`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the theme is about, for people.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Keywords that apply whatever the message's language (English, in
    /// the default taxonomy).
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Keywords that apply to messages in one language, by ISO 639-1 code.
    pub fn languages(&self) -> &BTreeMap<String, Vec<String>> {
        &self.languages
    }
}

/// The file's shape, before checking.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    #[serde(default)]
    theme: Vec<RawTheme>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    languages: BTreeMap<String, Vec<String>>,
}

/// A checked theme taxonomy. A theme's index (its position in the file) is
/// its bit in a [`ThemeSet`].
///
/// Deserializing checks it too, so a taxonomy can sit inside a larger
/// configuration; [`Taxonomy::parse`] gives better error positions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawTaxonomy")]
pub struct Taxonomy {
    // INVARIANT (theme set fits): 1..=MAX_THEMES themes, unique non-empty
    // names, every keyword accepted by `parse_keyword`. Kept by
    // `TryFrom<RawTaxonomy>`, the only constructor.
    themes: Vec<Theme>,
}

impl TryFrom<RawTaxonomy> for Taxonomy {
    type Error = TaxonomyProblem;

    fn try_from(raw: RawTaxonomy) -> Result<Self, TaxonomyProblem> {
        // INVARIANT (theme set fits): every check below.
        if raw.theme.is_empty() {
            return Err(TaxonomyProblem::NoThemes);
        }
        if raw.theme.len() > MAX_THEMES {
            return Err(TaxonomyProblem::TooManyThemes { count: raw.theme.len() });
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut themes = Vec::with_capacity(raw.theme.len());
        for (i, t) in raw.theme.into_iter().enumerate() {
            let position = i + 1;
            let name = t.name.trim().to_owned();
            if name.is_empty() {
                return Err(TaxonomyProblem::EmptyName { position });
            }
            if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                return Err(TaxonomyProblem::BadName { position, name });
            }
            if let Some(first) = seen.insert(name.clone(), position) {
                return Err(TaxonomyProblem::DuplicateName { name, first, second: position });
            }
            let check = |list: String, keywords: &[String]| {
                keywords.iter().try_for_each(|k| {
                    parse_keyword(k).map(|_| ()).map_err(|reason| TaxonomyProblem::BadKeyword {
                        theme: name.clone(),
                        list: list.clone(),
                        keyword: k.clone(),
                        reason,
                    })
                })
            };
            check("keywords".to_owned(), &t.keywords)?;
            for (language, keywords) in &t.languages {
                let code_ok = (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_lowercase());
                if !code_ok {
                    return Err(TaxonomyProblem::BadLanguage { theme: name, language: language.clone() });
                }
                check(format!("languages.{language}"), keywords)?;
            }
            if t.keywords.is_empty() && t.languages.values().all(Vec::is_empty) {
                return Err(TaxonomyProblem::NoKeywords { name });
            }
            themes.push(Theme { name, description: t.description, keywords: t.keywords, languages: t.languages });
        }
        Ok(Self { themes })
    }
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl Taxonomy {
    /// Reads and checks a taxonomy from TOML text; `source_name` (a file
    /// name) is used in errors.
    pub fn parse(toml_text: &str, source_name: &str) -> Result<Self, ThemeError> {
        let raw: RawTaxonomy = toml::from_str(toml_text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(toml_text, s.start));
            ThemeError::Syntax { source_name: source_name.to_owned(), line, column, message: e.message().to_owned() }
        })?;
        Self::try_from(raw).map_err(|problem| ThemeError::Invalid { source_name: source_name.to_owned(), problem })
    }

    /// The default taxonomy for customer care (`data/themes.toml`).
    #[expect(clippy::expect_used, reason = "the embedded file is fixed at build time and `default_taxonomy_parses` checks it")]
    pub fn default_customer_care() -> Self {
        Self::parse(DEFAULT_TAXONOMY, "data/themes.toml").expect("the embedded default taxonomy is valid")
    }

    /// The text of the default taxonomy, to print or to start a custom one
    /// from.
    pub fn default_customer_care_toml() -> &'static str {
        DEFAULT_TAXONOMY
    }

    /// The themes, in bit order.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// How many themes there are (at least 1, at most [`MAX_THEMES`]).
    pub fn len(&self) -> usize {
        self.themes.len()
    }

    /// Always `false`: a taxonomy has at least one theme. Here because
    /// `len` is.
    pub fn is_empty(&self) -> bool {
        self.themes.is_empty()
    }

    /// The index (bit) of the theme called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.themes.iter().position(|t| t.name == name)
    }

    /// The name of theme `index`.
    pub fn name(&self, index: usize) -> Option<&str> {
        self.themes.get(index).map(|t| t.name.as_str())
    }

    /// The names of the themes in `set`, in bit order. Bits beyond this
    /// taxonomy's themes (from a set made with another taxonomy) are
    /// ignored.
    pub fn names_of(&self, set: ThemeSet) -> impl Iterator<Item = &str> + '_ {
        set.indexes().filter_map(|i| self.name(i))
    }

    /// The set of the themes called `names`; `None` if one is unknown.
    pub fn set_of<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Option<ThemeSet> {
        let mut set = ThemeSet::EMPTY;
        for n in names {
            set.insert(self.index_of(n)?);
        }
        Some(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> TaxonomyProblem {
        match Taxonomy::parse(text, "t.toml") {
            Err(ThemeError::Invalid { problem, .. }) => problem,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn default_taxonomy_parses() {
        let t = Taxonomy::parse(DEFAULT_TAXONOMY, "data/themes.toml").unwrap();
        assert!(t.len() >= 12);
        assert_eq!(Taxonomy::default_customer_care(), t);
    }

    #[test]
    fn parses_keywords_and_languages() {
        let t = Taxonomy::parse(
            r#"
            [[theme]]
            name = "refund"
            description = "money back"
            keywords = ["refund*", "money back"]
            [theme.languages]
            es = ["reembolso*"]
            "#,
            "t.toml",
        )
        .unwrap();
        assert_eq!(t.len(), 1);
        let theme = &t.themes()[0];
        assert_eq!((theme.name(), theme.description()), ("refund", "money back"));
        assert_eq!(theme.keywords(), ["refund*", "money back"]);
        assert_eq!(theme.languages()["es"], ["reembolso*"]);
    }

    #[test]
    fn syntax_errors_give_the_file_and_line() {
        let err = Taxonomy::parse("[[theme]]\nname = \"a\"\nkeywords = [1]\n", "mine.toml").unwrap_err();
        match &err {
            ThemeError::Syntax { source_name, line, .. } => {
                assert_eq!(source_name, "mine.toml");
                assert_eq!(*line, 3);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("mine.toml:3:"), "{err}");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = Taxonomy::parse("[[theme]]\nname = \"a\"\nkeyword = [\"x\"]\n", "t.toml").unwrap_err();
        assert!(matches!(err, ThemeError::Syntax { .. }), "{err:?}");
        assert!(err.to_string().contains("keyword"), "{err}");
    }

    #[test]
    fn an_empty_name_is_rejected_with_its_position() {
        let p = problem("[[theme]]\nname = \"a\"\nkeywords = [\"x\"]\n[[theme]]\nname = \" \"\nkeywords = [\"y\"]\n");
        assert_eq!(p, TaxonomyProblem::EmptyName { position: 2 });
        assert_eq!(p.to_string(), "theme #2 has an empty name");
    }

    #[test]
    fn a_duplicate_name_is_rejected() {
        let p = problem("[[theme]]\nname = \"a\"\nkeywords = [\"x\"]\n[[theme]]\nname = \"a\"\nkeywords = [\"y\"]\n");
        assert_eq!(p.to_string(), "theme `a` is defined twice (themes #1 and #2)");
    }

    #[test]
    fn a_theme_without_keywords_is_rejected_by_name() {
        let p = problem("[[theme]]\nname = \"quiet\"\n[theme.languages]\nes = []\n");
        assert_eq!(p.to_string(), "theme `quiet` has no keywords");
    }

    #[test]
    fn bad_keywords_are_named_with_their_theme_and_list() {
        let p = problem("[[theme]]\nname = \"refund\"\nkeywords = [\"re*fund\"]\n");
        assert_eq!(p.to_string(), "theme `refund`, keywords keyword `re*fund`: `*` may only end a word");
        let p = problem("[[theme]]\nname = \"refund\"\nkeywords = [\"ok\"]\n[theme.languages]\nes = [\"re*\"]\n");
        assert!(
            matches!(&p, TaxonomyProblem::BadKeyword { list, reason: KeywordProblem::ShortPrefix, .. } if list == "languages.es"),
            "{p:?}"
        );
        for (kw, reason) in [
            ("  ", KeywordProblem::NoWords),
            ("*", KeywordProblem::MisplacedStar),
            ("late. again", KeywordProblem::Unmatchable),
            ("<PERSON>", KeywordProblem::Unmatchable),
            ("a b c d e f g h i", KeywordProblem::TooManyWords),
        ] {
            let p = problem(&format!("[[theme]]\nname = \"t\"\nkeywords = [\"{kw}\"]\n"));
            assert!(matches!(p, TaxonomyProblem::BadKeyword { reason: r, .. } if r == reason), "{kw}: {p:?}");
        }
    }

    #[test]
    fn bad_names_and_language_codes_are_rejected() {
        let p = problem("[[theme]]\nname = \"Late Stuff\"\nkeywords = [\"x\"]\n");
        assert!(matches!(p, TaxonomyProblem::BadName { position: 1, .. }), "{p:?}");
        let p = problem("[[theme]]\nname = \"t\"\nkeywords = [\"x\"]\n[theme.languages]\nSpanish = [\"y\"]\n");
        assert_eq!(p.to_string(), "theme `t`: `Spanish` is not a language code (two or three lowercase letters, such as `es`)");
    }

    #[test]
    fn more_than_64_themes_are_rejected() {
        let many = |n: usize| (0..n).map(|i| format!("[[theme]]\nname = \"t{i}\"\nkeywords = [\"word{i}\"]\n")).collect::<String>();
        assert_eq!(Taxonomy::parse(&many(64), "t.toml").unwrap().len(), 64);
        assert_eq!(problem(&many(65)), TaxonomyProblem::TooManyThemes { count: 65 });
        assert_eq!(problem(""), TaxonomyProblem::NoThemes);
    }

    #[test]
    fn deserializing_checks_too() {
        let err = toml::from_str::<Taxonomy>("[[theme]]\nname = \"\"\nkeywords = [\"x\"]\n").unwrap_err();
        assert!(err.to_string().contains("theme #1 has an empty name"), "{err}");
    }

    #[test]
    fn keywords_split_like_messages() {
        let words = parse_keyword("Double-CHARG*").unwrap();
        assert_eq!(
            words,
            [KeywordWord { folded: "double".into(), prefix: false }, KeywordWord { folded: "charg".into(), prefix: true }].to_vec()
        );
    }
}
