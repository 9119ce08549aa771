//! Recognizers that need context: person names, order and booking
//! references, dates of birth, and (in [`address`]) postal addresses.
//!
//! Context comes from cue phrases in several languages (`data/pii-cues.txt`,
//! data rather than code), found in one walk over the words of a text.
//! Numeric recognizers ask the same hits whether, say, a phone cue precedes
//! a number.

pub(crate) mod address;

use super::dates::date_end;
use super::text::{boundary_after, boundary_before, char_at, is_capitalized, lower_ascii, skip_blanks, word_end};
use super::{Candidate, EntityType as E};

/// What a cue says about what follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cue {
    Phone,
    Ssn,
    Card,
    Ip,
    Nino,
    Dob,
    Order,
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
    Unit,
    Military,
    Here,
    /// A capitalized word that is a known first name (no phrase).
    FirstName,
}

impl Cue {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "phone" => Self::Phone,
            "ssn" => Self::Ssn,
            "card" => Self::Card,
            "ip" => Self::Ip,
            "nino" => Self::Nino,
            "dob" => Self::Dob,
            "order" => Self::Order,
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
            "unit" => Self::Unit,
            "military" => Self::Military,
            "here" => Self::Here,
            _ => return None,
        })
    }
}

const CUES: &str = include_str!("../../data/pii-cues.txt");
const FIRST_NAMES: &str = include_str!("../../data/pii-first-names.txt");

/// One cue found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CueHit {
    pub cue: Cue,
    pub start: usize,
    pub end: usize,
}

/// Every cue of a text, ordered by end.
#[derive(Debug, Default)]
pub(crate) struct CueHits(Vec<CueHit>, u8);

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
        let first = self.0.partition_point(|h| h.end < from);
        self.0[first..].iter().take_while(|h| h.end <= pos).any(|h| h.cue == cue)
    }

    fn of(&self, cue: Cue) -> impl Iterator<Item = &CueHit> {
        self.0.iter().filter(move |h| h.cue == cue)
    }
}

/// One cue phrase.
#[derive(Debug)]
struct Phrase {
    /// Lower case.
    text: String,
    /// The kinds it carries (`place` starts and ends streets).
    kinds: Vec<Cue>,
    /// Ends in punctuation (`name:`), so needs no word boundary after it.
    open_end: bool,
    /// The two bytes after its first word (`i am`: `' '`, `a`), ASCII case
    /// folded: a cheap test before comparing the whole phrase, which spares
    /// most occurrences of common first words (`i`, `a`, `my`).
    probe: Option<(usize, [u8; 2])>,
}

/// FxHash of lower-cased bytes: a few instructions a byte, no setup.
fn fx(word: &[u8]) -> u64 {
    word.iter().fold(0u64, |h, &b| (h.rotate_left(5) ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95))
}

/// The cue phrases, indexed by their first word in a flat open-addressing
/// table small enough to stay in cache. (An Aho-Corasick DFA over the same
/// thousand-odd phrases was measured missing the cache on most steps.)
#[derive(Debug)]
pub(crate) struct Cues {
    phrases: Vec<Phrase>,
    /// Slots: a 16-bit fingerprint of a first word's hash and 1 + the index
    /// of its group; 0 is empty. Four bytes a slot keeps the table in L1.
    slots: Vec<u32>,
    /// Per first word: its full hash, and its phrase ids' range in `by_first`.
    groups: Vec<(u64, u32, u32)>,
    /// Phrase ids grouped by first word.
    by_first: Vec<u32>,
    mask: usize,
    /// Which first words can be looked up at all, before hashing them: a
    /// one-hash Bloom filter over length, first, second and last bytes.
    /// Most words of a message fail this test, which costs a few
    /// instructions and one load.
    prefilter: Vec<u64>,
    /// Street types that end a word (`Hauptstraße`), lower case.
    compounds: Vec<String>,
    /// Known first names, by the hash of their lower case, sorted (64-bit
    /// hashes of distinct short words do not collide in practice); and a
    /// filter over them, so most capitalized words cost one hash and one
    /// load.
    first_names: Vec<u64>,
    names_filter: Vec<u64>,
    /// The cheap filter ([`cue_bit`]) over first names, tried first.
    names_prefilter: Vec<u64>,
}

/// Byte classes of the word walk: 0 separates words (ASCII punctuation and
/// space); ASCII letters and digits are words; `_` and non-ASCII bytes are
/// flagged so the walk can treat them apart; digits are flagged so that
/// recognizers of numbers can skip messages without any.
const WORD: u8 = 1;
const UNDERSCORE: u8 = 2;
const NON_ASCII: u8 = 4;
const DIGIT: u8 = 8;
/// Bytes of any word.
const WORD_ANY: u8 = WORD | UNDERSCORE | NON_ASCII | DIGIT;
/// Separators worth knowing about: recognizers skip messages without them.
const AT: u8 = 16;
const COLON: u8 = 32;
const DOT: u8 = 64;
/// `^`, `-` and `~`: the marks agents and customers sign with.
const SIGN: u8 = 128;
static WORD_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b >= 0x80 {
            NON_ASCII
        } else if b.is_ascii_digit() {
            WORD | DIGIT
        } else if b.is_ascii_alphabetic() {
            WORD
        } else if b == b'_' {
            UNDERSCORE
        } else if b == b'@' {
            AT
        } else if b == b':' {
            COLON
        } else if b == b'.' {
            DOT
        } else if b == b'^' || b == b'-' || b == b'~' {
            SIGN
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Bits in the first-word filters: 64 Ki bits (8 KiB, in L1).
const FILTER_BITS: u32 = 16;

/// A cue first word's bit in its filter: a mix of its length and its
/// first, second and last bytes, case folded. Cheaper than hashing the
/// word, and most words of a message fail it.
fn cue_bit(word: &[u8]) -> usize {
    let (Some(&first), Some(&last)) = (word.first(), word.last()) else { return 0 };
    let second = word.get(1).copied().unwrap_or(0);
    let h = u32::from(first | 0x20).wrapping_mul(0x9E37_79B1)
        ^ u32::from(second | 0x20).wrapping_mul(0x85EB_CA77)
        ^ u32::from(last | 0x20).wrapping_mul(0xC2B2_AE3D)
        ^ (word.len() as u32).wrapping_mul(0x27D4_EB2F);
    (h.wrapping_mul(0x2545_F491) >> (32 - FILTER_BITS)) as usize
}

/// A first name's bit in its filter, from the name's hash (names share
/// their first, second and last letters with too many words for
/// [`cue_bit`]).
fn name_bit(h: u64) -> usize {
    (h >> (64 - FILTER_BITS)) as usize
}

/// The word-byte and odd-byte (`_`, non-ASCII) masks of up to 64 bytes,
/// adding their classes to `summary`.
#[inline]
fn masks(chunk: &[u8], summary: &mut u8) -> (u64, u64) {
    let (mut m, mut o, mut s) = (0u64, 0u64, 0u8);
    let mut step = |j: usize, c: u8| {
        let class = WORD_BYTE[usize::from(c)];
        s |= class;
        m |= u64::from(class & WORD_ANY != 0) << j;
        o |= u64::from(class & (UNDERSCORE | NON_ASCII) != 0) << j;
    };
    chunk.iter().enumerate().for_each(|(j, &c)| step(j, c));
    *summary |= s;
    (m, o)
}

/// The first word of a phrase: letters and digits up to anything else.
fn first_word(s: &str) -> &str {
    let end = s.find(|c: char| !c.is_alphanumeric()).unwrap_or(s.len());
    &s[..end]
}

impl Cues {
    pub(crate) fn new() -> Self {
        let mut phrases: Vec<Phrase> = Vec::new();
        let mut compounds = Vec::new();
        for line in CUES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let Some((kind, phrase)) = line.split_once('\t') else { continue };
            let Some(k) = Cue::parse(kind.trim()) else { continue };
            let phrase = phrase.trim().to_lowercase();
            if k == Cue::StreetCompound {
                compounds.push(phrase);
                continue;
            }
            match phrases.iter_mut().find(|p| p.text == phrase) {
                Some(p) => p.kinds.push(k),
                None => {
                    let open_end = phrase.ends_with(|c: char| !c.is_alphanumeric());
                    let w = first_word(&phrase).len();
                    let probe = match phrase.as_bytes().get(w..w + 2) {
                        Some(&[a, b]) if a.is_ascii() && b.is_ascii() => Some((w, [a.to_ascii_lowercase(), b.to_ascii_lowercase()])),
                        _ => None,
                    };
                    phrases.push(Phrase { text: phrase, kinds: vec![k], open_end, probe });
                }
            }
        }
        // Group phrase ids by first word; longest phrase first within a group.
        let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
        for (i, p) in phrases.iter().enumerate() {
            let w = first_word(&p.text).to_owned();
            match groups.iter_mut().find(|(g, _)| *g == w) {
                Some((_, ids)) => ids.push(i as u32),
                None => groups.push((w, vec![i as u32])),
            }
        }
        let mut prefilter = vec![0u64; (1 << FILTER_BITS) / 64];
        for (w, _) in &groups {
            if w.is_ascii() {
                let bit = cue_bit(w.as_bytes());
                prefilter[bit / 64] |= 1 << (bit % 64);
            }
        }
        let size = (groups.len() * 2).next_power_of_two();
        let mask = size - 1;
        let mut slots = vec![0u32; size];
        let mut by_first = Vec::new();
        let mut table = Vec::with_capacity(groups.len());
        for (w, mut ids) in groups {
            ids.sort_by_key(|&i| std::cmp::Reverse(phrases[i as usize].text.len()));
            let h = fx(w.as_bytes());
            let from = by_first.len() as u32;
            by_first.extend(ids);
            table.push((h, from, by_first.len() as u32));
            let mut at = (h as usize) & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = (((h >> 48) as u32) << 16) | table.len() as u32;
        }
        let mut first_names: Vec<u64> =
            FIRST_NAMES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(|n| fx(n.as_bytes())).collect();
        first_names.sort_unstable();
        first_names.dedup();
        let mut names_prefilter = vec![0u64; (1 << FILTER_BITS) / 64];
        for n in FIRST_NAMES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let bit = cue_bit(n.as_bytes());
            names_prefilter[bit / 64] |= 1 << (bit % 64);
        }
        let mut names_filter = vec![0u64; (1 << FILTER_BITS) / 64];
        for &h in &first_names {
            let bit = name_bit(h);
            names_filter[bit / 64] |= 1 << (bit % 64);
        }
        Self { phrases, slots, groups: table, by_first, mask, prefilter, compounds, first_names, names_filter, names_prefilter }
    }

    /// Whether an ASCII word may start a cue (no false negatives).
    /// Whether an ASCII word may start a cue (no false negatives).
    #[inline]
    fn may_start(&self, word: &[u8]) -> bool {
        let bit = cue_bit(word);
        self.prefilter.get(bit / 64).is_some_and(|m| m >> (bit % 64) & 1 == 1)
    }

    fn group(&self, word: &[u8]) -> &[u32] {
        self.group_of(fx(word))
    }

    /// The phrase ids of the first word whose hash is `h`.
    fn group_of(&self, h: u64) -> &[u32] {
        let fp = (h >> 48) as u32;
        let mut at = (h as usize) & self.mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return &[];
            }
            if slot >> 16 == fp {
                if let Some(&(gh, from, to)) = self.groups.get((slot & 0xffff) as usize - 1) {
                    if gh == h {
                        return self.by_first.get(from as usize..to as usize).unwrap_or_default();
                    }
                }
            }
            at = (at + 1) & self.mask;
        }
    }

    /// Every cue in `text` standing at word boundaries, ordered by end;
    /// where cues of one kind start at one place, the longest.
    pub(crate) fn find(&self, text: &str) -> CueHits {
        self.find_in(text, Vec::new())
    }

    /// [`Cues::find`], filling `hits` (cleared first) so that a caller can
    /// reuse its allocation.
    pub(crate) fn find_in(&self, text: &str, mut hits: Vec<CueHit>) -> CueHits {
        hits.clear();
        let b = text.as_bytes();
        let mut summary = 0u8;
        // 64 bytes at a time: bit masks of word bytes (and of `_` and
        // non-ASCII bytes among them) built by table lookup without a branch
        // per byte; word edges are the mask's transitions, taken with
        // `trailing_zeros`. Branches mispredicted at every word boundary
        // cost more than everything else a byte-wise walk does.
        let mut carry = 0u64;
        let mut open: Option<usize> = None;
        let mut last_odd = 0u64;
        for (blk, chunk) in b.chunks(64).enumerate() {
            let (m, o) = masks(chunk, &mut summary);
            last_odd = o;
            let mut t = m ^ ((m << 1) | carry);
            carry = m >> 63;
            if chunk.len() < 64 {
                t &= (1u64 << chunk.len()) - 1;
            }
            // Each set bit of `t` starts or ends a word, alternately.
            while t != 0 {
                let at = blk * 64 + t.trailing_zeros() as usize;
                t &= t - 1;
                match open.take() {
                    None => open = Some(at),
                    Some(start) => self.plain_or_not(text, start, at, blk, o, &mut hits),
                }
            }
        }
        if let Some(start) = open {
            self.plain_or_not(text, start, b.len(), b.len().saturating_sub(1) / 64, last_odd, &mut hits);
        }
        hits.sort_by_key(|h| (h.end, h.start));
        CueHits(hits, summary)
    }

    /// The word `start..end`, ending in block `blk` whose odd-byte mask is
    /// `odd`: plain ASCII words (no `_`, nothing wider) are the rule; the
    /// rest have their bytes looked at.
    #[inline]
    fn plain_or_not(&self, text: &str, start: usize, end: usize, blk: usize, odd: u64, hits: &mut Vec<CueHit>) {
        let b = text.as_bytes();
        let plain = start >= blk * 64 && end <= blk * 64 + 64 && {
            let width = end - start;
            let range = if width == 64 { u64::MAX } else { ((1u64 << width) - 1) << (start % 64) };
            odd & range == 0
        };
        let seen = if plain { WORD } else { b[start..end].iter().fold(0u8, |acc, &c| acc | WORD_BYTE[usize::from(c)]) };
        self.word(text, start, end, seen, hits);
    }

    /// A run of word bytes `start..end` between ASCII separators, with the
    /// classes of its bytes.
    #[inline]
    fn word(&self, text: &str, start: usize, end: usize, seen: u8, hits: &mut Vec<CueHit>) {
        let b = text.as_bytes();
        // Handles and hashtags hold no cue and no name of ours.
        if start > 0 && matches!(b[start - 1], b'@' | b'#') {
            return;
        }
        // Nor do the words of a link's path (`…/update hosted on 1.2.3.4`).
        if start > 0 && matches!(b[start - 1], b'/' | b'?' | b'=' | b'&') && in_link(b, start) {
            return;
        }
        let word = &b[start..end];
        // `Hauptstraße 5`: a number after a word that may end in a street type.
        if word[0].is_ascii_digit() && start >= 2 && b[start - 1] == b' ' {
            self.street_compound(text, start - 1, hits);
        }
        if seen & (UNDERSCORE | NON_ASCII) == 0 {
            let len = word.len();
            let bit = cue_bit(word);
            if self.prefilter.get(bit / 64).is_some_and(|m| m >> (bit % 64) & 1 == 1) {
                self.visit(text, start, end, Some(fx(word)), hits);
            } else if len > 3 && word[len - 1] | 0x20 == b's' && self.may_start(&word[..len - 1]) {
                // Plural street types (`Villages`): their singular.
                self.visit(text, start, end, None, hits);
            }
            if word[0].is_ascii_uppercase() && len >= 3 && word[1].is_ascii_lowercase() {
                self.first_name(b, start, end, bit, hits);
            }
            return;
        }
        if seen & UNDERSCORE != 0 {
            // `@jo_smith`, `order_id`: no cue has an underscore.
            return;
        }
        // Letters and digits of any script; anything else (`’`, emoji)
        // separates words.
        let mut run: Option<usize> = None;
        for (off, c) in text.get(start..end).unwrap_or_default().char_indices() {
            let at = start + off;
            match (c.is_alphanumeric(), run) {
                (true, None) => run = Some(at),
                (false, Some(from)) => {
                    self.visit(text, from, at, None, hits);
                    run = None;
                }
                _ => {}
            }
        }
        if let Some(from) = run {
            self.visit(text, from, end, None, hits);
        }
    }

    /// `Kayla`, `Marcus`: a capitalized ASCII word that is a known first
    /// name, not part of a handle, hashtag or address.
    #[inline]
    fn first_name(&self, b: &[u8], start: usize, end: usize, cheap: usize, hits: &mut Vec<CueHit>) {
        if self.names_prefilter.get(cheap / 64).is_none_or(|m| m >> (cheap % 64) & 1 == 0) {
            return;
        }
        let h = fx(&b[start..end]);
        let bit = name_bit(h);
        if self.names_filter.get(bit / 64).is_none_or(|m| m >> (bit % 64) & 1 == 0) || self.first_names.binary_search(&h).is_err() {
            return;
        }
        if start > 0 && matches!(b[start - 1], b'@' | b'#' | b'.' | b'/' | b'_' | b'\'' | b'&') {
            return;
        }
        // `Don't`, `Leo's`: a contraction is not a name (a possessive may be).
        if matches!(b.get(end), Some(b'\'')) && b.get(end + 1).is_some_and(|&c| c.is_ascii_lowercase() && c != b's') {
            return;
        }
        // `St Helen`, `San Antonio`, `Fort Myers`: a place.
        let before = b[..start].trim_ascii_end();
        let prev = before.rsplit(|c| c.is_ascii_whitespace()).next().unwrap_or_default();
        if [&b"St"[..], b"St.", b"Saint", b"San", b"Santa", b"Fort", b"Mount", b"Mt", b"Mt.", b"Lake", b"Port", b"Cape"].contains(&prev) {
            return;
        }
        hits.push(CueHit { cue: Cue::FirstName, start, end });
    }

    /// Look up the word `start..end` (which stands at a word boundary) and
    /// record the phrases that start with it.
    fn visit(&self, text: &str, start: usize, end: usize, hash: Option<u64>, hits: &mut Vec<CueHit>) {
        let b = text.as_bytes();
        let word = &b[start..end];
        // Non-ASCII first words (`teléfono`) hash their lower case;
        // plural street types (`Villages`) their singular.
        let mut group: &[u32] = match hash {
            Some(h) => self.group_of(h),
            None if word.is_ascii() => self.group(word),
            None => self.group(text.get(start..end).unwrap_or_default().to_lowercase().as_bytes()),
        };
        if group.is_empty() && word.len() > 3 && word.ends_with(b"s") {
            group = self.group(&word[..word.len() - 1]);
        }
        if group.is_empty() {
            return;
        }
        let first = hits.len();
        for &id in group {
            let p = &self.phrases[id as usize];
            if let Some((at, [x, y])) = p.probe {
                let next = (b.get(start + at).map(u8::to_ascii_lowercase), b.get(start + at + 1).map(u8::to_ascii_lowercase));
                if next != (Some(x), Some(y)) {
                    continue;
                }
            }
            let end = start + p.text.len();
            let same =
                text.get(start..end).is_some_and(|t| t.eq_ignore_ascii_case(&p.text) || (!p.text.is_ascii() && t.to_lowercase() == p.text));
            if same {
                self.hit(text, start, end, p, first, hits);
            }
        }
    }

    /// Record `p` at `start..end` under each of its kinds, if it ends at a
    /// word boundary; per kind, the longest phrase from `start`.
    fn hit(&self, text: &str, start: usize, end: usize, p: &Phrase, first: usize, hits: &mut Vec<CueHit>) {
        for &cue in &p.kinds {
            let mut e = end;
            // Street types in the plural (`Villages`, `Junctions`).
            if cue == Cue::StreetSuffix && matches!(text.as_bytes().get(e), Some(b's')) && boundary_after(text, e + 1) {
                e += 1;
            }
            if !(p.open_end || boundary_after(text, e)) {
                continue;
            }
            match hits[first..].iter_mut().find(|h| h.cue == cue) {
                Some(h) if e > h.end => h.end = e,
                Some(_) => {}
                None => hits.push(CueHit { cue, start, end: e }),
            }
        }
    }

    /// `Hauptstraße 5`: a word ending in a street type before the space at
    /// `sp`, then a number.
    #[cold]
    fn street_compound(&self, text: &str, sp: usize, hits: &mut Vec<CueHit>) {
        let b = text.as_bytes();
        if !(b[sp - 1].is_ascii_alphabetic() || b[sp - 1] >= 0x80 || b[sp - 1] == b'.') {
            return;
        }
        let wb = &b[..sp];
        for suffix in &self.compounds {
            let sb = suffix.as_bytes();
            // Byte-wise, ASCII case folded: `Straße` ends in `straße`.
            if wb.len() > sb.len() && wb[wb.len() - sb.len()..].eq_ignore_ascii_case(sb) {
                hits.push(CueHit { cue: Cue::StreetCompound, start: sp - suffix.len(), end: sp });
                break;
            }
        }
    }
}

/// Whether the byte at `at` belongs to a whitespace-delimited token that is
/// a link (`scheme://…` or `www.…`). Called only for words right after `/`,
/// `?`, `=` or `&`, which are rare outside links.
#[cold]
fn in_link(b: &[u8], at: usize) -> bool {
    let token_start = b[..at].iter().rposition(|c| c.is_ascii_whitespace()).map_or(0, |i| i + 1);
    let token = &b[token_start..at];
    token.windows(3).any(|w| w == b"://") || token.len() >= 4 && token[..4].eq_ignore_ascii_case(b"www.")
}

/// Run the context recognizers.
pub(crate) fn recognize(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    names(text, cues, out);
    orders(text, cues, out);
    dates_of_birth(text, cues, out);
    signatures(text, cues, out);
    here_i_am(text, cues, out);
    address::addresses(text, cues, out);
}

/// Capitalized words that are not names, lower-cased.
const NOT_NAMES: &[&str] = &[
    "a",
    "abraços",
    "absolutely",
    "account",
    "afraid",
    "again",
    "agent",
    "all",
    "also",
    "always",
    "american",
    "an",
    "and",
    "android",
    "angry",
    "app",
    "are",
    "at",
    "atentamente",
    "australian",
    "back",
    "be",
    "bedankt",
    "been",
    "besos",
    "best",
    "bises",
    "bonjour",
    "british",
    "but",
    "calling",
    "can",
    "canadian",
    "cheers",
    "client",
    "cordialement",
    "could",
    "cumprimentos",
    "currently",
    "customer",
    "danke",
    "dear",
    "december",
    "did",
    "disappointed",
    "do",
    "does",
    "done",
    "english",
    "everyone",
    "february",
    "finally",
    "folks",
    "for",
    "french",
    "friday",
    "from",
    "frustrated",
    "german",
    "glad",
    "gmail",
    "going",
    "gracias",
    "grazie",
    "groeten",
    "gruss",
    "gruß",
    "grüsse",
    "grüße",
    "guys",
    "had",
    "hallo",
    "happy",
    "has",
    "have",
    "he",
    "hello",
    "her",
    "here",
    "hey",
    "hi",
    "him",
    "his",
    "hola",
    "honestly",
    "how",
    "hälsningar",
    "i",
    "in",
    "indian",
    "ios",
    "iphone",
    "irish",
    "is",
    "it",
    "italian",
    "its",
    "january",
    "july",
    "just",
    "kind",
    "literally",
    "looking",
    "manager",
    "me",
    "merci",
    "mexican",
    "monday",
    "must",
    "my",
    "never",
    "new",
    "no",
    "not",
    "november",
    "now",
    "obrigada",
    "obrigado",
    "october",
    "ok",
    "okay",
    "on",
    "only",
    "or",
    "order",
    "our",
    "outlook",
    "please",
    "really",
    "regards",
    "saludos",
    "saluti",
    "saturday",
    "scottish",
    "september",
    "seriously",
    "service",
    "she",
    "should",
    "so",
    "sorry",
    "spanish",
    "still",
    "sunday",
    "super",
    "support",
    "sure",
    "tack",
    "team",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "them",
    "there",
    "they",
    "this",
    "thursday",
    "to",
    "today",
    "tomorrow",
    "totally",
    "trying",
    "tuesday",
    "upset",
    "us",
    "very",
    "waiting",
    "warm",
    "was",
    "we",
    "wednesday",
    "welsh",
    "what",
    "when",
    "where",
    "who",
    "why",
    "will",
    "with",
    "would",
    "writing",
    "yes",
    "yesterday",
    "you",
    "your",
];

/// Words that are also first names (`April Schmitt`, `June Cooper`): a
/// name only when a capitalized word follows.
const NAME_OR_WORD: &[&str] = &[
    "april", "august", "autumn", "bill", "dawn", "faith", "grace", "hope", "jean", "joy", "june", "march", "mark", "may", "pat", "rose",
    "summer", "sunny", "will",
];

const PARTICLES: &[&str] = &[
    "al", "bin", "da", "das", "de", "del", "della", "den", "der", "des", "di", "do", "dos", "du", "e", "el", "ibn", "la", "las", "le",
    "los", "mac", "mc", "st", "ten", "ter", "van", "vom", "von", "y", "zu", "zum", "zur",
];

/// Titles that open a name and stay part of it, compared without dots and
/// hyphens (`Dipl.-Ing.` is `dipling`).
const TITLES: &[&str] = &[
    "dame",
    "dhr",
    "di",
    "dipling",
    "don",
    "dona",
    "dott",
    "doña",
    "dr",
    "drmed",
    "dssa",
    "fr",
    "frau",
    "herr",
    "ing",
    "ir",
    "lady",
    "lord",
    "madame",
    "mademoiselle",
    "mag",
    "meneer",
    "mevrouw",
    "miss",
    "mlle",
    "mme",
    "monsieur",
    "mr",
    "mrs",
    "ms",
    "mw",
    "mx",
    "prof",
    "rev",
    "senor",
    "senora",
    "señor",
    "señora",
    "sig",
    "signa",
    "signor",
    "signora",
    "sigra",
    "sir",
    "sr",
    "sra",
    "srta",
    "univprof",
];

/// Letters after a name that stay part of it (`MBA.`, `B.Sc.`, `Jr.`).
const POSTNOMINALS: &[&str] = &[
    "ba", "bed", "beng", "bsc", "cpa", "dds", "dphil", "esq", "ii", "iii", "iv", "jr", "llb", "llm", "ma", "mba", "md", "med", "meng",
    "mphil", "msc", "phd", "sr",
];

/// Whether `word` is in the sorted `list`: a bisection comparing bytes
/// inline, which for words this short beats a `memcmp` call a probe.
pub(crate) fn in_sorted(list: &[&str], word: &str) -> bool {
    let w = word.as_bytes();
    list.binary_search_by(|probe| {
        let p = probe.as_bytes();
        for (a, b) in p.iter().zip(w) {
            if a != b {
                return a.cmp(b);
            }
        }
        p.len().cmp(&w.len())
    })
    .is_ok()
}

/// Whether `word`, lower-cased, is in `list`, which must be sorted (a
/// test checks every list): ASCII words are lower-cased on the stack and
/// found by bisection.
fn lower_in(word: &str, list: &[&str]) -> bool {
    let mut buf = [0u8; 24];
    match lower_ascii(word, &mut buf) {
        Some(w) => in_sorted(list, w),
        None => in_sorted(list, &word.to_lowercase()),
    }
}

/// The token at `i` up to the next space, with closing punctuation
/// trimmed, if its letters (without dots and hyphens) are in `list`.
/// Returns the end to include (with its dots).
fn dotted_in(text: &str, i: usize, list: &[&str]) -> Option<usize> {
    let rest = text.get(i..)?;
    // Titles and post-nominals start with a capital: most words stop here.
    if !rest.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    // The token: up to whitespace; only letters, dots and hyphens (ASCII
    // bytes decide most tokens without decoding a char).
    let mut raw_len = rest.len();
    for (k, &c) in rest.as_bytes().iter().enumerate() {
        if c.is_ascii_whitespace() {
            raw_len = k;
            break;
        }
        if c < 0x80 && !(c.is_ascii_alphabetic() || matches!(c, b'.' | b'-' | b',' | b';' | b':' | b')' | b'!' | b'?')) {
            return None;
        }
    }
    let raw = rest.get(..raw_len)?;
    let raw = if raw.is_ascii() { raw } else { raw.split(char::is_whitespace).next().unwrap_or_default() };
    let raw = raw.trim_end_matches([',', ';', ':', ')', '!', '?']);
    // `B.Eng..` ends a sentence: one dot is the abbreviation's.
    let raw = raw.strip_suffix("..").map_or(raw, |r| &raw[..r.len() + 1]);
    if raw.is_empty() || !raw.chars().all(|c| c.is_alphabetic() || c == '.' || c == '-') {
        return None;
    }
    // The letters, lower-cased: on the stack for ASCII (no allocation per
    // word), in a string otherwise.
    let found = if raw.is_ascii() {
        let mut buf = [0u8; 10];
        let mut n = 0;
        for c in raw.bytes().filter(u8::is_ascii_alphabetic) {
            if n == buf.len() {
                return None;
            }
            buf[n] = c.to_ascii_lowercase();
            n += 1;
        }
        std::str::from_utf8(&buf[..n]).is_ok_and(|key| !key.is_empty() && in_sorted(list, key))
    } else {
        let key: String = raw.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
        !key.is_empty() && key.len() <= 10 && in_sorted(list, &key)
    };
    found.then(|| i + raw.len())
}

/// A name at `i`: optional titles (`Dr`, `Univ.Prof.`), capitalized words
/// joined by single spaces with lower-case particles between them (`Maria
/// de la Cruz`) and initials (`John F. Kennedy`), optional post-nominal
/// letters (`MBA.`). Returns (start, end, name words).
fn name_at(text: &str, i: usize, max: usize) -> Option<(usize, usize, usize)> {
    let b = text.as_bytes();
    let mut end = i;
    let mut j = i;
    // Titles.
    for _ in 0..3 {
        match dotted_in(text, j, TITLES) {
            Some(e) if b.get(e) == Some(&b' ') => j = e + 1,
            _ => break,
        }
    }
    let mut words = 0;
    while words < max {
        let Some(w_end) = word_end(text, j) else { break };
        let word = text.get(j..w_end)?;
        let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase) && b.get(w_end) == Some(&b'.');
        let next_capitalized = |from: usize| word_end(text, from).and_then(|e| text.get(from..e)).is_some_and(is_capitalized);
        // The cheap test first; the word lists only for capitalized words.
        // A title is never a name (`Madame, Monsieur,` names no one).
        let name_word = (is_capitalized(word) || initial)
            && !(words == 0 && initial)
            && dotted_in(text, j, TITLES).is_none()
            && ((lower_in(word, NAME_OR_WORD) && b.get(w_end) == Some(&b' ') && next_capitalized(w_end + 1)) || !lower_in(word, NOT_NAMES));
        if name_word {
            words += 1;
            end = if initial { w_end + 1 } else { w_end };
        } else if words > 0 && lower_in(word, PARTICLES) && word.chars().all(char::is_lowercase) {
            // A run of particles (`de la`, `van der`) needs a capitalized word after it.
            let mut k = w_end;
            let mut ok = false;
            while b.get(k) == Some(&b' ') {
                let Some(e) = word_end(text, k + 1) else { break };
                let w = text.get(k + 1..e).unwrap_or_default();
                if is_capitalized(w) {
                    ok = true;
                    break;
                }
                if !(lower_in(w, PARTICLES) && w.chars().all(char::is_lowercase)) {
                    break;
                }
                k = e;
            }
            if !ok {
                break;
            }
        } else {
            break;
        }
        let after = if initial { w_end + 1 } else { w_end };
        if b.get(after) != Some(&b' ') {
            break;
        }
        j = after + 1;
    }
    if words == 0 {
        return None;
    }
    // `Nwosu's prescription`: the name, not its possessive.
    for poss in ["'s", "’s"] {
        if text.get(..end).is_some_and(|t| t.ends_with(poss)) {
            end -= poss.len();
        }
    }
    // Post-nominal letters.
    if b.get(end) == Some(&b' ') {
        if let Some(e) = dotted_in(text, end + 1, POSTNOMINALS) {
            end = e;
        }
    }
    Some((i, end, words))
}

/// Position after optional `:`/`,` and blanks following a cue.
fn after_cue(text: &str, end: usize) -> usize {
    let mut j = skip_blanks(text, end);
    if matches!(text.as_bytes().get(j), Some(b':' | b',')) {
        j = skip_blanks(text, j + 1);
    }
    j
}

pub(crate) fn names(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let first = out.len();
    for h in &cues.0 {
        // A first name a cue before it already took (`Thanks Dianna!`).
        if h.cue == Cue::FirstName && out[first..].iter().any(|c| c.start <= h.start && h.start < c.end) {
            continue;
        }
        let (min_words, score, span_newlines) = match h.cue {
            Cue::Name => (1, 0.9, false),
            Cue::NameWeak => (1, 0.8, false),
            Cue::Honorific => (1, 0.8, false),
            Cue::Staff => (1, 0.75, false),
            Cue::Role => (1, 0.7, false),
            Cue::Closing => (1, 0.85, true),
            Cue::Greeting => (1, 0.65, false),
            Cue::FirstName => (1, 0.6, false),
            _ => continue,
        };
        // A title is part of the name it opens.
        let j = if matches!(h.cue, Cue::Honorific | Cue::FirstName) {
            h.start
        } else if span_newlines {
            super::text::skip_space(text, h.end)
        } else {
            after_cue(text, h.end)
        };
        let Some((start, end, words)) = name_at(text, j, 5) else {
            if h.cue == Cue::Greeting {
                vocative(text, h.end, out);
            }
            continue;
        };
        if words < min_words {
            continue;
        }
        let next = char_at(text, end);
        let score = match h.cue {
            // "I'm Sarah" is a name; "I'm British" is not: one word after a
            // weak cue needs to be followed by an end, a comma or `from`.
            Cue::NameWeak if words == 1 => {
                let rest = text.get(end..).unwrap_or_default().trim_start();
                let closes =
                    next.is_none_or(|c| matches!(c, ',' | '.' | '!' | '\n' | ')')) || rest.starts_with("from ") || rest.starts_with("here");
                if !closes {
                    continue;
                }
                0.6
            }
            // A known first name: more sure with a surname after it.
            Cue::FirstName if start != h.start => continue,
            Cue::FirstName if words >= 2 => 0.7,
            // A greeting names someone only when the name closes the greeting.
            Cue::Greeting if !next.is_none_or(|c| matches!(c, ',' | '!' | ':' | '\n')) => continue,
            // A signature is the last thing on its line, perhaps with a job title after a comma.
            Cue::Closing if !line_ends_name(text, end) => continue,
            _ => score,
        };
        out.push(Candidate::new(E::Person, start, end, score, "person"));
    }
}

/// Whether what follows a name on its line is nothing, closing punctuation,
/// emoji, or a job title after a comma (`Paul Henderson, Service Manager`).
fn line_ends_name(text: &str, end: usize) -> bool {
    let rest = text.get(end..).unwrap_or_default().lines().next().unwrap_or_default();
    let rest = rest.trim_start_matches(['.', '!', ' ', ')']).trim_end();
    rest.is_empty()
        || rest.chars().all(|c| !c.is_alphanumeric())
        || rest.strip_prefix(',').is_some_and(|t| t.trim().chars().next().is_some_and(char::is_uppercase))
}

/// `Thanks for letting us know, Tom.`: after thanks, sorry or a greeting,
/// a single name closing the clause after a comma.
fn vocative(text: &str, from: usize, out: &mut Vec<Candidate>) {
    let window = text.get(from..).unwrap_or_default();
    let sentence_end = window.find(['.', '!', '?', '\n']).unwrap_or(window.len()).min(80);
    let Some(comma) = window.get(..sentence_end).and_then(|w| w.rfind(", ")) else { return };
    let start = from + comma + 2;
    let Some((s, e, words)) = name_at(text, start, 2) else { return };
    let after = text.get(e..).and_then(|t| t.chars().next());
    if words >= 1 && after.is_none_or(|c| matches!(c, '.' | '!' | '?' | '\n' | ' ')) && e >= from + sentence_end.saturating_sub(1) {
        out.push(Candidate::new(E::Person, s, e, 0.6, "person"));
    }
}

/// A line that is only a dash and a name (`- Cynthia Torres`), or a message
/// that ends with one.
pub(crate) fn signatures(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    // `-`, `~`, and the en and em dashes (E2 80 93, E2 80 94), by byte.
    let dashes = if cues.has_sign_mark() || !cues.is_ascii() { b } else { &[][..] };
    for i in memchr::memchr3_iter(b'-', b'~', 0xE2, dashes) {
        let dash_len = match b[i] {
            0xE2 if matches!(b.get(i + 1..i + 3), Some([0x80, 0x93 | 0x94])) => 3,
            0xE2 => continue,
            _ => 1,
        };
        let mut j = i + dash_len;
        while b.get(j) == Some(&b'-') {
            j += 1;
        }
        // A dash, a space, a capital (or a letter beyond ASCII): most
        // dashes in a message stop here.
        if b.get(j) != Some(&b' ') || !b.get(j + 1).is_some_and(|&c| c.is_ascii_uppercase() || c >= 0x80) {
            continue;
        }
        let Some((start, end, words)) = name_at(text, j + 1, 4) else { continue };
        let line_start = text.get(..i).and_then(|s| s.rfind('\n')).map_or(0, |p| p + 1);
        let at_line_start = text.get(line_start..i).is_some_and(|s| s.trim().is_empty());
        let line_rest = text.get(end..).unwrap_or_default().lines().next().unwrap_or_default();
        if !line_rest.trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!')).is_empty() {
            continue;
        }
        let at_end = text.get(end..).unwrap_or_default().trim().is_empty();
        // What comes before the dash on its line: a finished sentence (or
        // emoji) makes a lone name after it a sign-off.
        let before = text.get(line_start..i).unwrap_or_default().trim_end();
        let after_sentence =
            before.chars().next_back().is_some_and(|c| matches!(c, '.' | '!' | '?' | ')') || !c.is_alphanumeric() && !c.is_whitespace());
        let score = if at_line_start && (at_end || words >= 2) {
            0.85
        } else if at_end && char_at(text, i.saturating_sub(1)) == Some(' ') && (words >= 2 || after_sentence) {
            0.75
        } else {
            continue;
        };
        out.push(Candidate::new(E::Person, start, end, score, "person"));
    }
    if cues.has_sign_mark() {
        carets(text, out);
    }
    trailing_name(text, out);
}

/// `^Mike`, as agents sign replies (`^AB` initials are not names).
pub(crate) fn carets(text: &str, out: &mut Vec<Candidate>) {
    for (i, _) in text.match_indices('^') {
        let Some((start, end, _)) = name_at(text, i + 1, 2) else { continue };
        if text.get(start..end).is_some_and(|n| n.chars().any(char::is_lowercase)) && line_ends_name(text, end) {
            out.push(Candidate::new(E::Person, start, end, 0.8, "person"));
        }
    }
}

/// A message that ends, after a finished sentence, with two or three
/// capitalized words and nothing else: a signature (`… police report.
/// Gregory Tate`).
pub(crate) fn trailing_name(text: &str, out: &mut Vec<Candidate>) {
    // Trailing blanks and `.`/`!` off, by byte while they are ASCII.
    let mut cut = text.len();
    while cut > 0 && matches!(text.as_bytes()[cut - 1], b' ' | b'\n' | b'\r' | b'\t' | b'.' | b'!') {
        cut -= 1;
    }
    let trimmed = match text.as_bytes().get(cut.wrapping_sub(1)) {
        Some(&c) if c >= 0x80 => text[..cut].trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!')),
        _ => &text[..cut],
    };
    let tb = trimmed.as_bytes();
    // A name ends in a capitalized word: most messages stop here.
    let last = memchr::memrchr2(b' ', b'\n', tb).map_or(0, |p| p + 1);
    if !trimmed.get(last..).and_then(|w| w.chars().next()).is_some_and(char::is_uppercase) {
        return;
    }
    // Where the last one, two and three words start.
    let mut starts = Vec::with_capacity(3);
    let mut pos = trimmed.len();
    for _ in 0..3 {
        match tb.get(..pos).and_then(|h| memchr::memrchr2(b' ', b'\n', h)) {
            Some(sp) => {
                starts.push(sp + 1);
                if trimmed.as_bytes().get(sp) == Some(&b'\n') {
                    break;
                }
                pos = sp;
            }
            None => break,
        }
    }
    for &start in starts.iter().rev() {
        let before = text.get(..start).unwrap_or_default().trim_end_matches(' ');
        let newline = before.ends_with('\n');
        let after_sentence = before
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, '.' | '!' | '?' | ')') || !(c.is_alphanumeric() || c.is_whitespace() || c == ','));
        if !(newline || after_sentence) {
            continue;
        }
        if let Some((s, e, n)) = name_at(text, start, 3) {
            if e == trimmed.len() && (n >= 2 || newline) {
                out.push(Candidate::new(E::Person, s, e, 0.7, "person"));
                return;
            }
        }
    }
}

/// `Nadia here from billing`, `Hey, Sam here`: a name announcing itself.
pub(crate) fn here_i_am(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    for h in cues.of(Cue::Here) {
        let Some(i) = h.start.checked_sub(1).filter(|&i| text.as_bytes()[i] == b' ') else { continue };
        let line_start = text.get(..i).and_then(|s| s.rfind(['\n', '.', '!', ','])).map_or(0, |p| p + 1);
        let start = super::text::skip_space(text, line_start);
        if let Some((s, e, words)) = name_at(text, start, 3) {
            if e == i && words >= 1 {
                out.push(Candidate::new(E::Person, s, e, 0.65, "person"));
            }
        }
    }
}

/// Words between an order cue and the reference itself.
const ORDER_FILLER: &[&str] = &[
    "abbiamo",
    "am",
    "client",
    "cliente",
    "code",
    "da",
    "de",
    "del",
    "di",
    "dossier",
    "du",
    "el",
    "es",
    "est",
    "for",
    "id",
    "ihre",
    "il",
    "is",
    "ist",
    "kenmerk",
    "la",
    "lautet",
    "le",
    "lo",
    "ma",
    "meine",
    "met",
    "mi",
    "mine",
    "mon",
    "my",
    "n",
    "no",
    "nr",
    "num",
    "number",
    "numeral",
    "numero",
    "nummer",
    "numéro",
    "nº",
    "número",
    "of",
    "op",
    "our",
    "ref",
    "reference",
    "referência",
    "seu",
    "su",
    "sua",
    "te",
    "the",
    "under",
    "votre",
    "was",
    "with",
    "your",
    "è",
    "é",
];

pub(crate) fn orders(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    for h in cues.of(Cue::Order) {
        let mut j = h.end;
        // Filler words and symbols: `order number: #A-123`, `nº 123`, `mi localizador es X`.
        for _ in 0..5 {
            j = skip_blanks(text, j);
            while matches!(b.get(j), Some(b'#' | b':' | b'.')) {
                j += 1;
            }
            if text.get(j..).is_some_and(|s| s.starts_with('º') || s.starts_with('°')) {
                j += 2;
            }
            j = skip_blanks(text, j);
            match word_end(text, j).and_then(|e| text.get(j..e).map(|w| (w, e))) {
                Some((w, e))
                    if lower_in(w, ORDER_FILLER) && !b.get(e).is_some_and(u8::is_ascii_digit) && !matches!(b.get(e), Some(b'-')) =>
                {
                    j = e
                }
                _ => break,
            }
        }
        let start = j;
        let mut end = j;
        while end < b.len()
            && (b[end].is_ascii_alphanumeric()
                || (matches!(b[end], b'-' | b'/' | b'_') && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)))
        {
            end += 1;
        }
        // An all-digit reference written in groups: `620 184 7731`.
        if b[start..end].iter().all(u8::is_ascii_digit) {
            let mut k = end;
            while b.get(k) == Some(&b' ') && b.get(k + 1).is_some_and(u8::is_ascii_digit) {
                let mut g = k + 1;
                while g < b.len() && b[g].is_ascii_digit() {
                    g += 1;
                }
                if !boundary_after(text, g) {
                    break;
                }
                end = g;
                k = g;
            }
        }
        let token = &b[start..end];
        let digits = token.iter().filter(|c| c.is_ascii_digit()).count();
        let letters_lower = token.iter().any(u8::is_ascii_lowercase) && token.iter().any(u8::is_ascii_uppercase);
        let fits =
            (4..=30).contains(&token.len()) && boundary_before(text, start) && boundary_after(text, end) && b.get(end) != Some(&b'@');
        // The nearer the cue, the surer: `Case 58829104` is a case number
        // even when "phone" was said two sentences before.
        let near = start.saturating_sub(h.end) <= 16;
        if fits && digits > 0 && !letters_lower {
            out.push(Candidate::new(E::OrderId, start, end, if near { 0.9 } else { 0.8 }, "order_id"));
        } else if fits
            && (5..=10).contains(&token.len())
            && token.iter().all(u8::is_ascii_uppercase)
            && !shouted_word(text.get(start..end).unwrap_or_default())
        {
            // An all-letter code (`AWBPWW`, as airlines write bookings),
            // unless it is a word written in capitals.
            out.push(Candidate::new(E::OrderId, start, end, 0.75, "order_id"));
        }
    }
}

/// Words customers write in capitals after "order" that are not codes.
const SHOUTED: &[&str] = &[
    "again",
    "arrived",
    "asap",
    "broken",
    "canceled",
    "cancelled",
    "confirmed",
    "damaged",
    "delayed",
    "delivered",
    "details",
    "empty",
    "error",
    "failed",
    "hello",
    "help",
    "incomplete",
    "issue",
    "late",
    "lost",
    "missing",
    "never",
    "nothing",
    "number",
    "online",
    "pending",
    "please",
    "problem",
    "received",
    "refund",
    "shipped",
    "status",
    "still",
    "stolen",
    "stuck",
    "thanks",
    "today",
    "tomorrow",
    "total",
    "twice",
    "urgent",
    "what",
    "where",
    "wrong",
    "yesterday",
];

fn shouted_word(token: &str) -> bool {
    lower_in(token, SHOUTED)
}

/// Words between a date-of-birth cue and the date.
const DOB_FILLER: &[&str] = &["am", "de", "el", "em", "es", "est", "il", "is", "ist", "le", "my", "of", "on", "op", "the", "was", "é"];

pub(crate) fn dates_of_birth(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    for h in cues.of(Cue::Dob) {
        let mut j = h.end;
        for _ in 0..4 {
            j = skip_blanks(text, j);
            while matches!(text.as_bytes().get(j), Some(b':' | b',' | b'-' | b'(')) {
                j = skip_blanks(text, j + 1);
            }
            match word_end(text, j).and_then(|e| text.get(j..e).map(|w| (w, e))) {
                Some((w, e)) if lower_in(w, DOB_FILLER) => j = e,
                _ => break,
            }
        }
        if let Some(end) = date_end(text, j) {
            out.push(Candidate::new(E::DateOfBirth, j, end, 0.9, "date_of_birth"));
        }
    }
}

#[cfg(test)]
mod word_list_tests {
    use super::*;

    #[test]
    fn cues_are_found_wherever_the_64_byte_blocks_fall() {
        let cues = Cues::new();
        for pad in 0..140 {
            let text = format!("{}my name is Ana, teléfono 612 34 56 78, @my_name is x, Teléfono", "x".repeat(pad) + " ");
            let hits = cues.find(&text);
            let at = text.find("my name is").unwrap();
            assert!(hits.0.iter().any(|h| h.cue == Cue::Name && h.start == at && h.end == at + 10), "pad {pad}: {:?}", hits.0);
            let phones: Vec<usize> = hits.0.iter().filter(|h| h.cue == Cue::Phone).map(|h| h.start).collect();
            assert_eq!(phones, vec![text.find("teléfono").unwrap(), text.rfind("Teléfono").unwrap()], "pad {pad}");
            let handle = text.find("@my_name").unwrap();
            assert!(!hits.0.iter().any(|h| h.start > handle && h.start < handle + 14), "a handle holds no cue: pad {pad}: {:?}", hits.0);
        }
    }

    #[test]
    fn word_lists_are_sorted_for_bisection() {
        for (name, list) in [
            ("NOT_NAMES", NOT_NAMES),
            ("NAME_OR_WORD", NAME_OR_WORD),
            ("PARTICLES", PARTICLES),
            ("TITLES", TITLES),
            ("POSTNOMINALS", POSTNOMINALS),
            ("ORDER_FILLER", ORDER_FILLER),
            ("SHOUTED", SHOUTED),
            ("DOB_FILLER", DOB_FILLER),
            ("NOT_PLACES", address::NOT_PLACES),
            ("STREET_PARTICLES", address::STREET_PARTICLES),
            ("LOCALITY_PARTICLES", address::LOCALITY_PARTICLES),
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{name} is not sorted and free of duplicates");
        }
        assert!(lower_in("Maria", &["ana", "maria"]) && !lower_in("Mariah", &["ana", "maria"]));
    }
}
