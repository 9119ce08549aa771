//! Language identification with `whatlang`, restricted to the languages
//! candor's customers write in (a smaller candidate set is both faster and
//! less often wrong on short messages). Placeholders, handles and links are
//! left out of what is looked at: they are not language. A message with too
//! little text, or that the detector is unsure of, has no language rather
//! than a guessed one.

use candor_domain::RedactedText;
use whatlang::{Detector, Lang};

/// Languages told apart, with the ISO 639-1 codes stored.
const LANGUAGES: &[(Lang, &str)] = &[
    (Lang::Eng, "en"),
    (Lang::Spa, "es"),
    (Lang::Fra, "fr"),
    (Lang::Deu, "de"),
    (Lang::Ita, "it"),
    (Lang::Por, "pt"),
    (Lang::Nld, "nl"),
    (Lang::Swe, "sv"),
    (Lang::Dan, "da"),
    (Lang::Pol, "pl"),
    (Lang::Tur, "tr"),
    (Lang::Rus, "ru"),
    (Lang::Ara, "ar"),
    (Lang::Jpn, "ja"),
    (Lang::Cmn, "zh"),
];

/// Letters needed before a guess is made.
const MIN_LETTERS: usize = 12;
/// Confidence below which the language is unknown.
const MIN_CONFIDENCE: f64 = 0.25;

/// A language detector. Cheap to share.
#[derive(Debug, Clone)]
pub struct LanguageDetector {
    detector: Detector,
}

impl Default for LanguageDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl LanguageDetector {
    /// A detector for the languages candor knows.
    pub fn new() -> Self {
        Self { detector: Detector::with_allowlist(LANGUAGES.iter().map(|(l, _)| *l).collect()) }
    }

    /// The ISO 639-1 code of the language of `text`, if it can be told.
    pub fn detect(&self, text: &RedactedText) -> Option<&'static str> {
        let words: String = text
            .as_str()
            .split_whitespace()
            .filter(|w| !(w.starts_with('<') || w.starts_with('@') || w.starts_with('#') || w.starts_with("http") || w.starts_with('^')))
            .collect::<Vec<_>>()
            .join(" ");
        if words.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
            return None;
        }
        let info = self.detector.detect(&words)?;
        if info.confidence() < MIN_CONFIDENCE {
            return None;
        }
        LANGUAGES.iter().find(|(l, _)| *l == info.lang()).map(|(_, code)| *code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(s: &str) -> Option<&'static str> {
        LanguageDetector::new().detect(&RedactedText::from_redactor(s.to_owned()))
    }

    #[test]
    fn common_customer_languages_are_told_apart() {
        assert_eq!(detect("@NorthwindHelp my order still hasn't arrived and nobody answers my messages"), Some("en"));
        assert_eq!(detect("Hola, mi pedido todavía no ha llegado y nadie me responde, es una vergüenza"), Some("es"));
        assert_eq!(detect("Bonjour, ma commande n'est toujours pas arrivée et personne ne me répond"), Some("fr"));
        assert_eq!(detect("Hallo, meine Bestellung ist immer noch nicht angekommen, niemand antwortet mir"), Some("de"));
        assert_eq!(detect("Olá, a minha encomenda ainda não chegou e ninguém me responde"), Some("pt"));
    }

    #[test]
    fn too_little_text_has_no_language() {
        assert_eq!(detect("@NorthwindHelp <EMAIL> <PHONE> ok"), None);
        assert_eq!(detect("👍👍"), None);
    }
}
