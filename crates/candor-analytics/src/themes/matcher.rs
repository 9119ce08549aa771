//! Matching a taxonomy's keywords against messages, fast enough to run on
//! every imported message.
//!
//! All keyword words (folded, see `tokens`) go into one byte trie. Each word
//! of a message is walked down the trie once, folding on the fly, so the
//! common case allocates nothing and most words stop after a byte or two.
//! The walk reports every keyword word the message word matches: an exact
//! word at the end, and every `*` prefix passed on the way. Phrases are
//! indexed by their last word, and checked by looking back over the last
//! few words of the message, which is rare enough to do by comparing text.

use std::collections::{BTreeMap, HashMap};

use candor_privacy::RedactedText;

use super::taxonomy::{parse_keyword, Taxonomy, MAX_PHRASE_WORDS};
use super::tokens::{fold_bytes, Piece, Pieces};

/// A set of themes: bit `i` is theme `i` of a [`Taxonomy`]. Stored as one
/// integer per interaction, so SQL can group by theme with
/// `(themes >> i) & 1`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThemeSet(u64);

impl ThemeSet {
    /// No themes.
    pub const EMPTY: ThemeSet = ThemeSet(0);

    /// The set from its bits.
    pub const fn from_bits(bits: u64) -> Self {
        Self(bits)
    }

    /// The bits of the set.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// The bits as a signed integer, for SQL columns (SQLite and PostgreSQL
    /// integers are signed): the same 64 bits, so theme 63 is the sign bit.
    pub const fn to_i64(self) -> i64 {
        i64::from_ne_bytes(self.0.to_ne_bytes())
    }

    /// The set from [`ThemeSet::to_i64`]'s value.
    pub const fn from_i64(value: i64) -> Self {
        Self(u64::from_ne_bytes(value.to_ne_bytes()))
    }

    /// Whether theme `index` is in the set.
    pub fn contains(self, index: usize) -> bool {
        index < 64 && self.0 & (1 << index) != 0
    }

    /// Adds theme `index`; indexes of 64 and above are ignored (a
    /// [`Taxonomy`] never has them).
    pub fn insert(&mut self, index: usize) {
        if index < 64 {
            self.0 |= 1 << index;
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many themes are in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The indexes of the themes in the set, ascending. Names come from
    /// [`Taxonomy::names_of`].
    pub fn indexes(self) -> impl Iterator<Item = usize> {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let i = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                i
            })
        })
    }
}

/// No node, no keyword word.
const NONE: u32 = u32::MAX;

/// A trie node. Children are `edge_bytes[first..first + count]` (sorted)
/// with targets at the same positions of `edge_targets`.
#[derive(Debug, Clone)]
struct Node {
    first: u32,
    count: u32,
    /// The keyword word (unit) that ends exactly here, or [`NONE`].
    exact: u32,
    /// The `*` keyword word whose prefix ends here, or [`NONE`].
    prefix: u32,
}

/// One distinct keyword word.
#[derive(Debug, Clone)]
struct Unit {
    folded: Box<str>,
    prefix: bool,
}

/// One keyword phrase of one theme.
#[derive(Debug, Clone)]
struct Phrase {
    /// Keyword words, in order.
    units: Box<[u32]>,
    theme: usize,
    /// 0: applies to every message; `n`: only to language `languages[n - 1]`.
    language: usize,
}

/// Which language-specific lists apply to a message.
#[derive(Debug, Clone, Copy)]
enum LanguageFilter {
    /// Language unknown: every list applies.
    All,
    /// Only lists for this language (1-based, as in [`Phrase::language`]).
    Only(usize),
    /// A language the taxonomy has no lists for.
    NoneExtra,
}

/// Finds the themes of messages. Build once per taxonomy; cheap to share
/// between threads.
#[derive(Debug, Clone)]
pub struct ThemeMatcher {
    taxonomy: Taxonomy,
    nodes: Vec<Node>,
    edge_bytes: Vec<u8>,
    edge_targets: Vec<u32>,
    units: Vec<Unit>,
    /// Phrases by their last unit.
    by_last_unit: Vec<Vec<u32>>,
    phrases: Vec<Phrase>,
    /// Language codes with their own lists, sorted.
    languages: Vec<String>,
}

/// A trie under construction.
#[derive(Default)]
struct BuildNode {
    children: BTreeMap<u8, usize>,
    exact: u32,
    prefix: u32,
}

impl ThemeMatcher {
    /// A matcher for `taxonomy`.
    pub fn new(taxonomy: &Taxonomy) -> Self {
        let mut languages: Vec<String> = taxonomy.themes().iter().flat_map(|t| t.languages().keys().cloned()).collect();
        languages.sort();
        languages.dedup();

        let mut build = vec![BuildNode { exact: NONE, prefix: NONE, ..BuildNode::default() }];
        let mut units: Vec<Unit> = Vec::new();
        let mut unit_ids: HashMap<(String, bool), u32> = HashMap::new();
        let mut phrases = Vec::new();
        for (theme, t) in taxonomy.themes().iter().enumerate() {
            let lists = std::iter::once((0, t.keywords())).chain(
                t.languages().iter().map(|(code, kws)| (languages.iter().position(|l| l == code).map_or(0, |p| p + 1), kws.as_slice())),
            );
            for (language, keywords) in lists {
                for keyword in keywords {
                    // The taxonomy has checked every keyword already.
                    let Ok(words) = parse_keyword(keyword) else { continue };
                    let phrase_units = words
                        .into_iter()
                        .map(|w| {
                            let key = (w.folded, w.prefix);
                            if let Some(&id) = unit_ids.get(&key) {
                                return id;
                            }
                            let id = u32::try_from(units.len()).unwrap_or(NONE);
                            insert_unit(&mut build, &key.0, key.1, id);
                            units.push(Unit { folded: key.0.clone().into_boxed_str(), prefix: key.1 });
                            unit_ids.insert(key, id);
                            id
                        })
                        .collect();
                    phrases.push(Phrase { units: phrase_units, theme, language });
                }
            }
        }

        let mut by_last_unit = vec![Vec::new(); units.len()];
        for (i, p) in phrases.iter().enumerate() {
            if let (Some(&last), Ok(i)) = (p.units.last(), u32::try_from(i)) {
                if let Some(list) = by_last_unit.get_mut(last as usize) {
                    list.push(i);
                }
            }
        }

        // Flatten the trie: children of a node are contiguous and sorted,
        // so a step is a binary search over a few bytes.
        let mut nodes = Vec::with_capacity(build.len());
        let mut edge_bytes = Vec::new();
        let mut edge_targets = Vec::new();
        for b in &build {
            nodes.push(Node {
                first: u32::try_from(edge_bytes.len()).unwrap_or(NONE),
                count: u32::try_from(b.children.len()).unwrap_or(0),
                exact: b.exact,
                prefix: b.prefix,
            });
            for (&byte, &target) in &b.children {
                edge_bytes.push(byte);
                edge_targets.push(u32::try_from(target).unwrap_or(NONE));
            }
        }

        Self { taxonomy: taxonomy.clone(), nodes, edge_bytes, edge_targets, units, by_last_unit, phrases, languages }
    }

    /// The taxonomy this matcher matches, for theme names.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The themes of `text`. Keywords without a language always apply;
    /// a language's own lists apply when `language` (an ISO 639-1 code such
    /// as `es`, or a tag such as `es-MX`) is that language, and all of them
    /// apply when the language is unknown (`None`).
    pub fn themes(&self, text: &RedactedText, language: Option<&str>) -> ThemeSet {
        let filter = self.filter(language);
        let mut set = ThemeSet::EMPTY;
        // The last words since the previous break, as a ring.
        let mut recent: [&str; MAX_PHRASE_WORDS] = [""; MAX_PHRASE_WORDS];
        let mut run = 0usize;
        for piece in Pieces::new(text.as_str()) {
            let word = match piece {
                Piece::Word(w) => w,
                Piece::Break => {
                    run = 0;
                    continue;
                }
            };
            recent[run % MAX_PHRASE_WORDS] = word;
            run += 1;
            self.for_each_unit(word, |unit| {
                for &p in self.by_last_unit.get(unit as usize).map_or(&[][..], Vec::as_slice) {
                    let Some(phrase) = self.phrases.get(p as usize) else { continue };
                    if set.contains(phrase.theme) || !applies(filter, phrase.language) {
                        continue;
                    }
                    if self.phrase_ends_here(phrase, &recent, run) {
                        set.insert(phrase.theme);
                    }
                }
            });
        }
        set
    }

    fn filter(&self, language: Option<&str>) -> LanguageFilter {
        let Some(tag) = language else { return LanguageFilter::All };
        let primary = tag.split(['-', '_']).next().unwrap_or(tag);
        self.languages
            .iter()
            .position(|l| l.eq_ignore_ascii_case(primary))
            .map_or(LanguageFilter::NoneExtra, |i| LanguageFilter::Only(i + 1))
    }

    /// Calls `f` with every unit `word` matches: `*` prefixes passed on the
    /// way down the trie, then the exact word if the walk ends on one.
    fn for_each_unit(&self, word: &str, mut f: impl FnMut(u32)) {
        let mut node = 0usize;
        let mut whole = true;
        fold_bytes(word, |b| match self.child(node, b) {
            Some(next) => {
                node = next;
                if let Some(n) = self.nodes.get(node) {
                    if n.prefix != NONE {
                        f(n.prefix);
                    }
                }
                true
            }
            None => {
                whole = false;
                false
            }
        });
        if whole && node != 0 {
            if let Some(n) = self.nodes.get(node) {
                if n.exact != NONE {
                    f(n.exact);
                }
            }
        }
    }

    fn child(&self, node: usize, byte: u8) -> Option<usize> {
        let n = self.nodes.get(node)?;
        let (first, count) = (n.first as usize, n.count as usize);
        let bytes = self.edge_bytes.get(first..first + count)?;
        let i = bytes.binary_search(&byte).ok()?;
        self.edge_targets.get(first + i).map(|&t| t as usize)
    }

    /// Whether the words before the current one (the last in `recent`)
    /// match the rest of `phrase`; the last word is known to match.
    fn phrase_ends_here(&self, phrase: &Phrase, recent: &[&str; MAX_PHRASE_WORDS], run: usize) -> bool {
        let n = phrase.units.len();
        if n > run {
            return false;
        }
        phrase.units[..n - 1].iter().enumerate().all(|(j, &unit)| {
            let back = n - 1 - j;
            let word = recent[(run - 1 - back) % MAX_PHRASE_WORDS];
            self.units.get(unit as usize).is_some_and(|u| word_matches(word, u))
        })
    }
}

fn applies(filter: LanguageFilter, language: usize) -> bool {
    match filter {
        _ if language == 0 => true,
        LanguageFilter::All => true,
        LanguageFilter::Only(l) => l == language,
        LanguageFilter::NoneExtra => false,
    }
}

fn insert_unit(build: &mut Vec<BuildNode>, folded: &str, prefix: bool, id: u32) {
    let mut node = 0;
    for &b in folded.as_bytes() {
        node = match build[node].children.get(&b) {
            Some(&next) => next,
            None => {
                build.push(BuildNode { exact: NONE, prefix: NONE, ..BuildNode::default() });
                let next = build.len() - 1;
                build[node].children.insert(b, next);
                next
            }
        };
    }
    if prefix {
        build[node].prefix = id;
    } else {
        build[node].exact = id;
    }
}

/// Whether `word` matches one keyword word, folding as the trie walk does.
fn word_matches(word: &str, unit: &Unit) -> bool {
    let key = unit.folded.as_bytes();
    let mut i = 0;
    let mut ok = true;
    fold_bytes(word, |b| {
        if i == key.len() {
            // Longer than the key: fine for a prefix, not for a word.
            ok = unit.prefix;
            return false;
        }
        if key[i] != b {
            ok = false;
            return false;
        }
        i += 1;
        true
    });
    ok && i == key.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy(text: &str) -> Taxonomy {
        Taxonomy::parse(text, "t.toml").unwrap()
    }

    fn names(m: &ThemeMatcher, text: &str, language: Option<&str>) -> Vec<String> {
        let set = m.themes(&RedactedText::fixture(text.to_owned()), language);
        m.taxonomy().names_of(set).map(str::to_owned).collect()
    }

    fn one(keywords: &str) -> ThemeMatcher {
        ThemeMatcher::new(&taxonomy(&format!("[[theme]]\nname = \"t\"\nkeywords = {keywords}\n")))
    }

    fn hits(m: &ThemeMatcher, text: &str) -> bool {
        !m.themes(&RedactedText::fixture(text.to_owned()), None).is_empty()
    }

    #[test]
    fn keywords_match_whole_words_only() {
        let m = one(r#"["late"]"#);
        assert!(hits(&m, "my train is late"));
        assert!(hits(&m, "LATE again!"));
        assert!(hits(&m, "late."));
        assert!(!hits(&m, "I love chocolate"));
        assert!(!hits(&m, "see you later"));
        assert!(!hits(&m, "latest update"));
    }

    #[test]
    fn a_trailing_star_matches_prefixes() {
        let m = one(r#"["refund*"]"#);
        assert!(hits(&m, "refund please"));
        assert!(hits(&m, "I was Refunded"));
        assert!(hits(&m, "two refunds"));
        assert!(!hits(&m, "no money back"));
        assert!(!hits(&m, "a prerefund"));
    }

    #[test]
    fn phrases_match_consecutive_words_within_a_sentence() {
        let m = one(r#"["still waiting", "double charg*", "sign-in"]"#);
        assert!(hits(&m, "I am STILL   waiting"));
        assert!(hits(&m, "you double-charged me"));
        assert!(hits(&m, "can't sign in"));
        assert!(hits(&m, "my sign-in fails"));
        assert!(!hits(&m, "still not waiting"));
        assert!(!hits(&m, "waiting still"));
        assert!(!hits(&m, "I said still. Waiting is fine"));
        assert!(!hits(&m, "still"));
    }

    #[test]
    fn overlapping_phrases_are_all_found() {
        let m = one(r#"["on hold for", "hold for hours"]"#);
        assert!(hits(&m, "been on hold for hours"));
        assert!(hits(&m, "on on hold for"));
    }

    #[test]
    fn matching_ignores_case_accents_and_apostrophes() {
        let m = ThemeMatcher::new(&taxonomy(
            "[[theme]]\nname = \"refund\"\nkeywords = [\"can't pay\"]\n[theme.languages]\nde = [\"rückerstattung*\"]\nes = [\"devolución\"]\n",
        ));
        assert_eq!(names(&m, "Wo bleibt meine RÜCKERSTATTUNG?", Some("de")), ["refund"]);
        assert_eq!(names(&m, "wo bleibt die Ruckerstattungen", Some("de")), ["refund"]);
        assert_eq!(names(&m, "quiero la devolucion", Some("es")), ["refund"]);
        assert_eq!(names(&m, "I CANT pay", None), ["refund"]);
        assert_eq!(names(&m, "I can’t pay", None), ["refund"]);
    }

    #[test]
    fn language_lists_apply_to_their_language_or_an_unknown_one() {
        let m = ThemeMatcher::new(&taxonomy(
            "[[theme]]\nname = \"delay\"\nkeywords = [\"late\"]\n[theme.languages]\nes = [\"retraso\"]\nfr = [\"retard\"]\n",
        ));
        assert_eq!(names(&m, "otro retraso", Some("es")), ["delay"]);
        assert_eq!(names(&m, "otro retraso", Some("es-MX")), ["delay"]);
        assert_eq!(names(&m, "otro retraso", None), ["delay"]);
        assert!(names(&m, "otro retraso", Some("fr")).is_empty());
        assert!(names(&m, "otro retraso", Some("en")).is_empty());
        assert_eq!(names(&m, "llega late", Some("es")), ["delay"], "keywords without a language always apply");
    }

    #[test]
    fn placeholders_handles_and_links_never_match() {
        let m = one(r#"["person", "order id", "order", "acme", "https", "example", "amp", "jk"]"#);
        for text in [
            "<PERSON_1>",
            "<ORDER_ID>",
            "<ORDER_ID_2>",
            "<PERSON:0a1b2c>",
            "@acme",
            "https://example.com/order",
            "www.example.com",
            "&amp;",
            "^JK",
        ] {
            assert!(!hits(&m, text), "{text}");
        }
        assert!(hits(&m, "my order <ORDER_ID> is lost"));
    }

    #[test]
    fn a_placeholder_breaks_a_phrase() {
        let m = one(r#"["still waiting"]"#);
        assert!(!hits(&m, "still <PERSON_1> waiting"));
        assert!(!hits(&m, "still @acme waiting"));
    }

    #[test]
    fn theme_sets_round_trip_and_list_names() {
        let t = Taxonomy::default_customer_care();
        let set = t.set_of(["refund", "praise"]).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(ThemeSet::from_bits(set.bits()), set);
        assert_eq!(ThemeSet::from_i64(set.to_i64()), set);
        let top = ThemeSet::from_bits(1 << 63);
        assert_eq!(ThemeSet::from_i64(top.to_i64()), top);
        assert!(top.to_i64() < 0);
        let mut names: Vec<&str> = t.names_of(set).collect();
        names.sort_unstable();
        assert_eq!(names, ["praise", "refund"]);
        assert_eq!(set.indexes().count(), 2);
        assert!(t.set_of(["nope"]).is_none());
    }

    /// Realistic customer-care messages (already redacted) and a theme each
    /// must get from the default taxonomy.
    #[test]
    fn the_default_taxonomy_finds_the_obvious_theme() {
        let m = ThemeMatcher::new(&Taxonomy::default_customer_care());
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("@AcmeAir flight delayed 3 hours and still waiting at the gate, no updates", Some("en"), "delay"),
            ("@AcmeShop I returned the jacket 3 weeks ago, where is my refund??", Some("en"), "refund"),
            ("@AcmeTel you charged me twice this month, my bill is double what it should be", Some("en"), "billing"),
            ("@AcmeShop tracking says delivered but no parcel here, courier left it who knows where", Some("en"), "delivery"),
            ("@AcmeBank locked out of my account again, password reset link never arrives <EMAIL>", Some("en"), "login_account"),
            ("the agent I spoke to <PERSON_1> was so rude and unhelpful, hung up on me", Some("en"), "staff_behaviour"),
            ("@AcmeApp app keeps crashing since the latest update on iOS", Some("en"), "app_website_bug"),
            ("@AcmeGym I want to cancel my membership, how do I do that", Some("en"), "cancellation"),
            ("@AcmeAir thank you to the crew on flight <FLIGHT_1>, great service!", Some("en"), "praise"),
            ("@AcmeTel no signal and no internet in my area since this morning, is there an outage?", Some("en"), "connectivity_outage"),
            ("@AcmeShop the blender arrived damaged and the lid is broken", Some("en"), "product_quality"),
            ("@AcmeTel sent a DM 3 days ago and still no reply, been on hold for an hour today too", Some("en"), "no_response"),
            ("@AcmeAir el vuelo lleva dos horas de retraso y nadie nos dice nada", Some("es"), "delay"),
            ("@AcmeShop toujours pas de remboursement pour ma commande <ORDER_ID>", Some("fr"), "refund"),
            ("@AcmeBahn Wann bekomme ich meine Rückerstattung? Schon drei Wochen!", Some("de"), "refund"),
            ("@AcmeLoja minha encomenda não chegou, o rastreio não atualiza", Some("pt"), "delivery"),
            ("@AcmeShop ordered a book last week and it still hasn't shown up", None, "delay"),
            ("@AcmePhone battery drains so fast since updating to the new version", Some("en"), "app_website_bug"),
        ];
        for (text, language, expected) in cases {
            let got = names(&m, text, *language);
            assert!(got.iter().any(|g| g == expected), "{text:?}: expected {expected}, got {got:?}");
        }
    }

    #[test]
    fn the_default_taxonomy_leaves_neutral_messages_alone() {
        let m = ThemeMatcher::new(&Taxonomy::default_customer_care());
        for text in [
            "@AcmeAir hi <PERSON_1>",
            "what time does the store open on sunday",
            "I had chocolate for breakfast",
            "@user We're sorry to hear that. Please DM us your order number and we'll look into this for you. ^JK",
            "@user Hi there, please send us a DM with your account details and we'll take a look https://t.co/abc",
        ] {
            assert!(names(&m, text, Some("en")).is_empty(), "{text}: {:?}", names(&m, text, Some("en")));
        }
    }

    /// Throughput on tweet-length text; run with
    /// `cargo test --release -p candor-analytics --lib themes -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing, not correctness"]
    fn throughput() {
        let m = ThemeMatcher::new(&Taxonomy::default_customer_care());
        let texts: Vec<RedactedText> = [
            "@AcmeAir flight delayed 3 hours and still waiting at the gate, no updates from anyone https://t.co/abc",
            "@AcmeShop I returned the jacket 3 weeks ago <ORDER_ID>, where is my refund?? this is ridiculous",
            "@AcmeTel hi <PERSON_1> can you help me with something on my phone please, it's about my plan",
            "@AcmeApp app keeps crashing since the latest update on iOS, tried reinstalling twice ^JK",
        ]
        .iter()
        .map(|s| RedactedText::fixture((*s).to_owned()))
        .collect();
        let n = 400_000;
        let start = std::time::Instant::now();
        let mut acc = 0usize;
        for i in 0..n {
            acc += m.themes(&texts[i % texts.len()], Some("en")).len();
        }
        let secs = start.elapsed().as_secs_f64();
        println!("{:.0} messages/s ({acc} themes found)", n as f64 / secs);
    }
}
