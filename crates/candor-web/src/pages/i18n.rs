//! The pages' words, in Project Fluent message catalogues compiled into
//! the binary (`locales/LANG/*.ftl`), and the choice of language: the
//! switcher's `?lang=` (remembered in a cookie that names only the
//! language), else the browser's `Accept-Language`, else English.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The languages the pages are written in, the first the default (the
/// policy's purpose descriptions are checked against the same list).
pub const LANGUAGES: [&str; 2] = candor_domain::policy::PAGE_LANGUAGES;

/// The cookie the switcher leaves: a language code, nothing personal.
pub const LANG_COOKIE: &str = "candor_lang";

/// The catalogues, by language code.
const SOURCES: [(&str, [(&str, &str); 2]); 2] = [
    ("en", [("privacy.ftl", include_str!("../../locales/en/privacy.ftl")), ("console.ftl", include_str!("../../locales/en/console.ftl"))]),
    ("es", [("privacy.ftl", include_str!("../../locales/es/privacy.ftl")), ("console.ftl", include_str!("../../locales/es/console.ftl"))]),
];

type Bundle = FluentBundle<FluentResource>;

/// Every catalogue, parsed once.
pub struct Catalogues {
    bundles: BTreeMap<&'static str, Bundle>,
}

impl Catalogues {
    /// The catalogues built into the binary; an error names the language,
    /// line and message of the first syntax error or duplicate.
    pub fn embedded() -> Result<&'static Catalogues, String> {
        static CATALOGUES: OnceLock<Result<Catalogues, String>> = OnceLock::new();
        CATALOGUES.get_or_init(|| Self::parse(&SOURCES)).as_ref().map_err(Clone::clone)
    }

    fn parse(sources: &[(&'static str, [(&str, &str); 2])]) -> Result<Catalogues, String> {
        let mut bundles = BTreeMap::new();
        for (lang, files) in sources {
            let id: LanguageIdentifier = lang.parse().map_err(|e| format!("locales/{lang}: not a language tag: {e}"))?;
            let mut bundle = Bundle::new_concurrent(vec![id]);
            bundle.set_use_isolating(false);
            for (file, source) in files {
                let resource = FluentResource::try_new((*source).to_owned()).map_err(|(_, errors)| {
                    let first = errors.first().map(|e| {
                        let line = source.as_bytes()[..e.pos.start.min(source.len())].iter().filter(|b| **b == b'\n').count() + 1;
                        format!("line {line}: {:?}", e.kind)
                    });
                    format!("locales/{lang}/{file}: {}", first.unwrap_or_default())
                })?;
                bundle.add_resource(resource).map_err(|e| format!("locales/{lang}/{file}: {e:?}"))?;
            }
            bundles.insert(*lang, bundle);
        }
        Ok(Catalogues { bundles })
    }

    /// The words of `lang` (a code of [`LANGUAGES`]; anything else is English).
    pub fn words(&'static self, lang: &str) -> Words {
        let lang = LANGUAGES.iter().copied().find(|l| *l == lang).unwrap_or(LANGUAGES[0]);
        Words { catalogues: self, lang }
    }
}

/// One language's words, as the templates use them.
#[derive(Clone, Copy)]
pub struct Words {
    catalogues: &'static Catalogues,
    /// The language code.
    pub lang: &'static str,
}

impl Words {
    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with its arguments.
    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_owned()));
        self.format(id, Some(&args))
    }

    /// The message `id` with several arguments.
    pub fn tn(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, FluentValue::from((*value).to_owned()));
        }
        self.format(id, Some(&fluent))
    }

    /// Whether the catalogue has the message `id` (optional words, such as
    /// the explanation of a legal basis).
    pub fn has(&self, id: &str) -> bool {
        self.catalogues.bundles.get(self.lang).is_some_and(|b| b.has_message(id))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(bundle) = self.catalogues.bundles.get(self.lang) else { return id.to_owned() };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            // Caught by the catalogue tests; never a blank on the page.
            tracing::warn!(id, lang = self.lang, "missing message");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, lang = self.lang, ?errors, "message formatted with errors");
        }
        text.into_owned()
    }
}

/// The language for a request: `?lang=`, else the cookie, else the best
/// of `Accept-Language` (by quality, then order) that the pages speak.
pub fn negotiate(query: Option<&str>, cookie: Option<&str>, accept_language: Option<&str>) -> &'static str {
    let known = |s: &str| LANGUAGES.iter().copied().find(|l| l.eq_ignore_ascii_case(s.trim()));
    if let Some(l) = query.and_then(known).or_else(|| cookie.and_then(known)) {
        return l;
    }
    let mut offered: Vec<(f32, usize, &'static str)> = Vec::new();
    for (i, item) in accept_language.unwrap_or("").split(',').enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let q = parts.find_map(|p| p.trim().strip_prefix("q=").map(|q| q.trim().parse::<f32>().unwrap_or(0.0))).unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        if let Some(l) = known(primary) {
            if q > 0.0 {
                offered.push((q, i, l));
            }
        }
    }
    offered.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offered.first().map_or(LANGUAGES[0], |(_, _, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Catalogues {
        /// Every message id of `lang`'s catalogue.
        pub fn ids(&self, lang: &str) -> Vec<String> {
            let files = SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, f)| f);
            files
                .into_iter()
                .flatten()
                .flat_map(|(_, source)| source.lines())
                .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim()))
                .filter(|id| is_id(id))
                .map(str::to_owned)
                .collect()
        }
    }

    fn is_id(s: &str) -> bool {
        !s.is_empty()
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }

    #[test]
    fn the_query_wins_then_the_cookie_then_the_best_offered_language() {
        assert_eq!(negotiate(Some("es"), Some("en"), Some("en")), "es");
        assert_eq!(negotiate(Some("xx"), Some("es"), Some("en")), "es");
        assert_eq!(negotiate(None, None, Some("fr-FR, es-MX;q=0.8, en;q=0.5")), "es");
        assert_eq!(negotiate(None, None, Some("en;q=0.2, es;q=0.9")), "es");
        assert_eq!(negotiate(None, None, Some("es;q=0, en")), "en");
        assert_eq!(negotiate(None, None, Some("de, fr")), "en");
        assert_eq!(negotiate(None, None, Some(";;;,q=,,")), "en");
        assert_eq!(negotiate(None, None, None), "en");
    }

    #[test]
    fn every_language_has_every_message_of_english_and_no_other() {
        let c = Catalogues::embedded().unwrap();
        let en = c.ids("en");
        assert!(en.len() > 20, "{}", en.len());
        for lang in LANGUAGES {
            let ids = c.ids(lang);
            let missing: Vec<_> = en.iter().filter(|id| !ids.contains(id)).collect();
            let extra: Vec<_> = ids.iter().filter(|id| !en.contains(id)).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, not in English {extra:?}");
            for id in &ids {
                assert!(c.words(lang).has(id), "{lang}: {id} does not parse as a message");
            }
        }
    }

    #[test]
    fn a_syntax_error_names_the_catalogue_and_line() {
        let e = Catalogues::parse(&[("en", [("privacy.ftl", "ok = fine"), ("console.ftl", "fine = ok\nbroken = { $")])]).err().unwrap();
        assert!(e.starts_with("locales/en/console.ftl: line 2"), "{e}");
    }

    #[test]
    fn every_message_a_template_or_page_names_is_in_the_catalogue() {
        let c = Catalogues::embedded().unwrap();
        let en = c.ids("en");
        let mut sources: Vec<String> = Vec::new();
        for dir in ["/templates/privacy", "/templates/console", "/src/pages/console"] {
            let dir = format!("{}{dir}", env!("CARGO_MANIFEST_DIR"));
            sources.extend(std::fs::read_dir(dir).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()));
        }
        sources.push(include_str!("privacy.rs").to_owned());
        sources.push(include_str!("changes.rs").to_owned());
        sources.push(include_str!("mod.rs").to_owned());
        let mut named = 0;
        for s in &sources {
            for call in [".t(\"", ".t1(\"", ".tn(\""] {
                for piece in s.split(call).skip(1) {
                    let id = piece.split('"').next().unwrap();
                    named += 1;
                    assert!(en.iter().any(|e| e == id), "`{id}` is used but not in locales/en/*.ftl");
                }
            }
        }
        assert!(named > 20, "{named}");
    }
}
