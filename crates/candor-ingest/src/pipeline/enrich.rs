//! The CPU-bound part of an import, run in parallel over a batch: find the
//! personal data in each text, redact it (brand handles stay: they are not
//! personal), detect the language of the redacted text, score its
//! sentiment and find its themes (on the redacted text only, so that what
//! analytics counts never saw personal data), and seal the original under
//! the data key of the customer it is about.

use std::collections::HashSet;
use std::sync::Arc;

use candor_analytics::sentiment::{Label, SentimentModel};
use candor_analytics::themes::{Taxonomy, ThemeMatcher};
use candor_analytics::LanguageDetector;
use candor_domain::SubjectId;
use candor_privacy::pii::{Analyzer, EntityType, Numbering, Operator, Redactor};
use candor_store::{interaction_context, DataKey, InteractionRecord};
use rayon::prelude::*;

use crate::record::Draft;

/// One interaction ready for the CPU stage: attributed, keyed.
pub(crate) struct Job {
    pub draft: Draft,
    pub subject: Option<SubjectId>,
    pub account: Option<String>,
    pub conversation_id: Option<String>,
    pub key: Arc<DataKey>,
}

/// What the CPU stage needs, shared by every worker.
pub(crate) struct Enricher {
    analyzer: Analyzer,
    redactor: Redactor,
    languages: LanguageDetector,
    sentiment: SentimentModel,
    themes: ThemeMatcher,
}

impl Enricher {
    pub(crate) fn new(taxonomy: &Taxonomy) -> Self {
        Self {
            analyzer: Analyzer::new(),
            redactor: Redactor::new(Operator::Numbered),
            languages: LanguageDetector::new(),
            sentiment: SentimentModel::new(),
            themes: ThemeMatcher::new(taxonomy),
        }
    }

    /// Enrich a batch in parallel; `brands` are (platform, handle) pairs
    /// whose mentions are left in the redacted text.
    pub(crate) fn run(&self, jobs: Vec<Job>, brands: &HashSet<(String, String)>) -> Vec<InteractionRecord> {
        jobs.into_par_iter().map(|job| self.one(job, brands)).collect()
    }

    fn one(&self, job: Job, brands: &HashSet<(String, String)>) -> InteractionRecord {
        let d = job.draft;
        let text = d.text.as_str();
        let mut spans = self.analyzer.analyze(text);
        spans.retain(|s| {
            s.entity != EntityType::Handle || !brands.contains(&(d.platform.clone(), s.text(text).trim_start_matches('@').to_lowercase()))
        });
        let redacted = self.redactor.redact(text, &spans, &mut Numbering::new());
        let language = self.languages.detect(&redacted);
        let sentiment = self.sentiment.score_in(&redacted, language).map(|s| {
            let polarity = match s.label {
                Label::Negative => -1,
                Label::Neutral => 0,
                Label::Positive => 1,
            };
            (s.compound, polarity)
        });
        let themes = self.themes.themes(&redacted, language).bits();
        let agent = if d.outbound() { signature(redacted.as_str()) } else { None };
        let language = language.map(str::to_owned);
        let sealed_text = job.key.seal(&interaction_context(&d.platform, &d.external_id), text.as_bytes());
        let direction = if d.outbound() { "outbound" } else { "inbound" };
        InteractionRecord {
            subject: job.subject,
            kind: d.kind.as_str().to_owned(),
            direction: direction.to_owned(),
            account: job.account,
            conversation_id: job.conversation_id,
            reply_to: d.reply_to,
            occurred_at: d.occurred_at,
            sealed_text,
            redacted_text: redacted,
            language,
            sentiment,
            themes,
            agent,
            platform: d.platform,
            external_id: d.external_id,
        }
    }
}

/// The initials a brand's agent signs a reply with: the last `^AB`
/// (2 to 4 letters or digits after a caret, at a word's end), upper case.
pub(crate) fn signature(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut found = None;
    for (at, _) in text.match_indices('^') {
        let end = b[at + 1..].iter().position(|c| !c.is_ascii_alphanumeric()).map_or(b.len(), |p| at + 1 + p);
        let preceded = at == 0 || !b[at - 1].is_ascii_alphanumeric();
        if preceded && (2..=4).contains(&(end - at - 1)) {
            found = Some(text[at + 1..end].to_ascii_uppercase());
        }
    }
    found
}

/// The first `@handle` in `text` (lower case, without `@`) that `skip`
/// does not reject: whom a brand's reply answers.
pub(crate) fn first_mention(text: &str, skip: impl Fn(&str) -> bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(off) = bytes.get(i..).and_then(|rest| memchr::memchr(b'@', rest)) {
        let at = i + off;
        i = at + 1;
        let preceded_by_word = at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        if preceded_by_word {
            continue;
        }
        let end = bytes[at + 1..].iter().position(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).map_or(bytes.len(), |p| at + 1 + p);
        let handle = &text[at + 1..end];
        if handle.is_empty() || handle.len() > 50 {
            continue;
        }
        let handle = handle.to_ascii_lowercase();
        if !skip(&handle) {
            return Some(handle);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_sign_with_a_caret_and_initials() {
        assert_eq!(signature("@jo thanks, fixed now ^AB").as_deref(), Some("AB"));
        assert_eq!(signature("@jo ^kl please DM us ^MJ2").as_deref(), Some("MJ2"));
        assert_eq!(signature("2^10 is 1024, x^y"), None);
        assert_eq!(signature("^ABCDEFG"), None);
        assert_eq!(signature("no signature"), None);
    }

    #[test]
    fn the_first_mention_that_is_not_a_brand_is_the_customer() {
        let brands = |h: &str| h == "northwindhelp";
        assert_eq!(first_mention("@NorthwindHelp @Jo_99 thanks!", brands).as_deref(), Some("jo_99"));
        assert_eq!(first_mention("@115712 please DM us ^AB", brands).as_deref(), Some("115712"));
        assert_eq!(first_mention("mail help@northwind.example please", brands), None, "an e-mail address is not a mention");
        assert_eq!(first_mention("@northwindhelp", brands), None);
        assert_eq!(first_mention("@ alone", brands), None);
    }
}
