//! Recognizers that need context: person names, order and booking
//! references, dates of birth, and (in [`address`]) postal addresses.
//!
//! Context comes from cue phrases in several languages (`data/pii-cues.txt`,
//! data rather than code), found in one walk over the words of a text.
//! Numeric recognizers ask the same hits whether, say, a phone cue precedes
//! a number.

pub(crate) mod address;
mod names;

use names::{here_i_am, names, signatures};

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::dates::date_end;
use super::text::{boundary_after, boundary_before, char_at, is_capitalized, skip_blanks, word_end};
use super::work::{sort_steps, step};
use super::{Candidate, EntityType as E};

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
    fn parse(s: &str) -> Option<Self> {
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

const CUES: &str = include_str!("../../data/pii-cues.txt");
/// The address recognizer's cues, in the same format.
const ADDRESS_CUES: &str = include_str!("../../data/address-cues.txt");

/// The longest cue phrase, in bytes (a test holds the list to it).
const MAX_PHRASE: usize = 48;
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

    fn of(&self, cue: Cue) -> impl Iterator<Item = &CueHit> {
        step(self.0.len() + 1);
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

/// The phrases that start with one word.
#[derive(Debug)]
struct Group {
    /// The word's hash.
    hash: u64,
    /// The phrase ids' range in `by_first`.
    from: u32,
    to: u32,
    /// The word's length in bytes: where each phrase's probe stands.
    at: u32,
    /// A filter over the phrases' probes (bits [`probe_bit`]); all ones
    /// when a phrase has none. Most occurrences of a common first word go
    /// on as no phrase does (`I love`) and are dismissed here, without a
    /// phrase (scattered over some 80 KB) being read.
    probes: u64,
}

/// A probe's bit in [`Group::probes`].
fn probe_bit(x: u8, y: u8) -> u32 {
    ((u32::from(x) << 8) | u32::from(y)).wrapping_mul(0x9E37_79B1) >> 26
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
    /// Per first word, its phrases.
    groups: Vec<Group>,
    /// Phrase ids grouped by first word.
    by_first: Vec<u32>,
    mask: usize,
    /// Which first words can be looked up at all, before hashing them: a
    /// one-hash Bloom filter over length, first, second and last bytes.
    /// Most words of a message fail this test, which costs a few
    /// instructions and one load. Each entry holds 64 bits of it (`[0]`)
    /// and the same 64 bits of the cheap filter over first names (`[1]`,
    /// see `first_names`): one load answers both.
    prefilters: Vec<[u64; 2]>,
    /// Street types that end a word (`Hauptstraße`), lower case, grouped
    /// by their last byte (longest first in a group), so that a word is
    /// compared with the few that end as it does.
    compounds: Vec<String>,
    /// Per last byte, the range of `compounds` that ends in it.
    compounds_by_last: Vec<(u16, u16)>,
    /// Known first names, by the hash of their lower case, sorted (64-bit
    /// hashes of distinct short words do not collide in practice); and a
    /// filter over them, so most capitalized words cost one hash and one
    /// load.
    first_names: Vec<u64>,
    names_filter: Vec<u64>,
}

/// Byte classes of the word walk: 0 separates words (ASCII punctuation and
/// space); ASCII letters and digits are words; `_` and non-ASCII bytes are
/// flagged so the walk can treat them apart; digits are flagged so that
/// recognizers of numbers can skip messages without any.
const WORD: u8 = 1;
const UNDERSCORE: u8 = 2;
const NON_ASCII: u8 = 4;
const DIGIT: u8 = 8;
/// Separators worth knowing about: recognizers skip messages without them.
/// `^`, `-` and `~` are the marks agents and customers sign with. (The
/// flags' order is the one in which [`masks`] gathers them.)
const SIGN: u8 = 16;
const DOT: u8 = 32;
const COLON: u8 = 64;
const AT: u8 = 128;
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

/// Eight copies of a byte, and their top bits.
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = ONES * 0x80;

/// Top bit of each byte of `x` (bytes below 0x80) set where the byte lies
/// in `lo..=hi`: adding `0x80 - lo` reaches the top bit from `lo` up,
/// adding `0x7f - hi` from past `hi`, and no byte carries into the next.
#[inline]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    (x + ONES * u64::from(0x80 - lo)) & !(x + ONES * u64::from(0x7f - hi)) & HIGH
}

/// The top bits of the eight bytes of `v` (only top bits set), gathered
/// into its low byte in order: one multiplication moves each into the top
/// byte, without two of them ever meeting.
#[inline]
fn gather(v: u64) -> u64 {
    (v >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Top bit of each byte of `x` (bytes below 0x80) set where the byte is `c`:
/// only zero stays below the top bit when `0x7f` is added.
#[inline]
fn equal(x: u64, c: u8) -> u64 {
    !((x ^ (ONES * u64::from(c))) + ONES * 0x7f) & HIGH
}

/// The word-byte and odd-byte (`_`, non-ASCII) masks of the first `words`
/// eight-byte words of `chunk`, adding to `seen` (the top nibble of each
/// byte) which bytes of [`AT`], [`COLON`], [`DOT`], [`SIGN`], [`DIGIT`]
/// and [`NON_ASCII`] occurred, each at the bit its flag has in a byte.
/// Eight bytes at a time in a `u64` (SWAR): a few operations a byte, where
/// a table lookup and two shifts a byte cost several times as much.
#[inline(always)]
fn masks(chunk: &[u8; 64], words: usize, seen: &mut u64) -> (u64, u64) {
    let (mut m, mut o) = (0u64, 0u64);
    for (k, bytes) in chunk.chunks_exact(8).enumerate().take(words) {
        let v = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        let hi = v & HIGH;
        // `x` keeps the low seven bits of non-ASCII bytes too: `ascii` drops them.
        let x = v & !HIGH;
        let ascii = !v & HIGH;
        let lower = x | (ONES * 0x20);
        let digit = in_range(x, b'0', b'9') & ascii;
        let alpha = in_range(lower, b'a', b'z') & ascii;
        let under = equal(x, b'_') & ascii;
        let odd = hi | under;
        m |= gather(odd | digit | alpha) << (8 * k);
        o |= gather(odd) << (8 * k);
        // `^` and `~` differ in the case bit alone.
        let marks = equal(x, b'@') | equal(x, b':') >> 1 | equal(x, b'.') >> 2 | (equal(lower, b'~') | equal(x, b'-')) >> 3;
        *seen |= (marks & ((ascii >> 7) * 0xf0)) | digit >> 4 | hi >> 5;
    }
    (m, o)
}

/// The flags of [`CueHits`] that [`masks`]' `seen` holds: its eight bytes
/// OR-ed together.
fn seen_flags(mut seen: u64) -> u8 {
    seen |= seen >> 32;
    seen |= seen >> 16;
    seen |= seen >> 8;
    seen as u8
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
        for line in CUES.lines().chain(ADDRESS_CUES.lines()).map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
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
                    // The char after the first word is no letter, so has no
                    // case: when it is wider than a byte (`i’m`), the probe
                    // is its first two bytes, compared as they are.
                    let probe = match phrase.as_bytes().get(w..w + 2) {
                        Some(&[a, b]) if !a.is_ascii() || b.is_ascii() => Some((w, [a.to_ascii_lowercase(), b.to_ascii_lowercase()])),
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
        let mut prefilters = vec![[0u64; 2]; (1 << FILTER_BITS) / 64];
        for (w, _) in &groups {
            if w.is_ascii() {
                let bit = cue_bit(w.as_bytes());
                prefilters[bit / 64][0] |= 1 << (bit % 64);
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
            let probes = ids
                .iter()
                .try_fold(0u64, |m, &i| phrases[i as usize].probe.map(|(_, [x, y])| m | 1 << probe_bit(x, y)))
                .unwrap_or(u64::MAX);
            by_first.extend(ids);
            table.push(Group { hash: h, from, to: by_first.len() as u32, at: w.len() as u32, probes });
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
        for n in FIRST_NAMES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let bit = cue_bit(n.as_bytes());
            prefilters[bit / 64][1] |= 1 << (bit % 64);
        }
        let mut names_filter = vec![0u64; (1 << FILTER_BITS) / 64];
        for &h in &first_names {
            let bit = name_bit(h);
            names_filter[bit / 64] |= 1 << (bit % 64);
        }
        compounds.sort_by_key(|c: &String| (c.as_bytes().last().copied().unwrap_or(0), std::cmp::Reverse(c.len())));
        compounds.dedup();
        let mut compounds_by_last = vec![(0u16, 0u16); 256];
        for (i, c) in compounds.iter().enumerate() {
            let last = usize::from(c.as_bytes().last().copied().unwrap_or(0));
            let i = i as u16;
            let range = &mut compounds_by_last[last];
            *range = if range.1 == 0 { (i, i + 1) } else { (range.0, i + 1) };
        }
        Self { phrases, slots, groups: table, by_first, mask, prefilters, compounds, compounds_by_last, first_names, names_filter }
    }

    /// Whether an ASCII word may start a cue (no false negatives).
    #[inline]
    fn may_start(&self, word: &[u8]) -> bool {
        self.prefilter_bits(cue_bit(word)).0
    }

    /// Whether bit `bit` ([`cue_bit`]) is set in the filter over cue first
    /// words, and in the one over first names.
    #[inline]
    fn prefilter_bits(&self, bit: usize) -> (bool, bool) {
        let [cue, name] = self.prefilters.get(bit / 64).copied().unwrap_or_default();
        (cue >> (bit % 64) & 1 == 1, name >> (bit % 64) & 1 == 1)
    }

    fn group(&self, word: &[u8]) -> Option<&Group> {
        self.group_of(fx(word))
    }

    /// The group of the first word whose hash is `h`.
    fn group_of(&self, h: u64) -> Option<&Group> {
        let fp = (h >> 48) as u32;
        let mut at = (h as usize) & self.mask;
        loop {
            step(1);
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            if slot >> 16 == fp {
                if let Some(g) = self.groups.get((slot & 0xffff) as usize - 1) {
                    if g.hash == h {
                        return Some(g);
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
        // 64 bytes at a time: bit masks of word bytes (and of `_` and
        // non-ASCII bytes among them) built without a branch per byte; word
        // edges are the mask's transitions, taken with `trailing_zeros`.
        // Branches mispredicted at every word boundary cost more than
        // everything else a byte-wise walk does.
        //
        // The last block is padded with zeros (separators), so that a word
        // running to the end of the text ends there like any other: when
        // the text fills its last block, an empty block follows it.
        let mut seen = 0u64;
        let mut carry = 0u64;
        let mut open: Option<usize> = None;
        let mut tail = [0u8; 64];
        let mut token = Token::default();
        for blk in 0..=b.len() / 64 {
            step(64);
            let rest = b.get(blk * 64..).unwrap_or_default();
            let (m, o) = match rest.first_chunk::<64>() {
                Some(chunk) => masks(chunk, 8, &mut seen),
                None => {
                    tail[..rest.len()].copy_from_slice(rest);
                    masks(&tail, rest.len().div_ceil(8), &mut seen)
                }
            };
            // Words start where a word byte follows another byte, and end
            // where another byte follows a word byte; starts and ends
            // alternate, so the n-th end of a block pairs with its n-th
            // start, or with the word still open from a block before.
            let before = (m << 1) | carry;
            carry = m >> 63;
            let mut starts = m & !before;
            let mut ends = !m & before;
            while ends != 0 {
                step(1);
                let start = open.take().unwrap_or_else(|| {
                    let start = blk * 64 + starts.trailing_zeros() as usize;
                    starts &= starts - 1;
                    start
                });
                let end = blk * 64 + ends.trailing_zeros() as usize;
                ends &= ends - 1;
                self.plain_or_not(text, start, end, blk, o, &mut token, &mut hits);
            }
            if starts != 0 {
                open = Some(blk * 64 + starts.trailing_zeros() as usize);
            }
        }
        let summary = seen_flags(seen);
        sort_steps(hits.len());
        hits.sort_by_key(|h| (h.end, h.start));
        CueHits(hits, summary)
    }

    /// The word `start..end`, whose end falls in block `blk` (so it is
    /// shorter than 64 bytes when it starts there), whose odd-byte mask is
    /// `odd`: plain ASCII words (no `_`, nothing
    /// wider) are the rule, and most blocks have no odd byte at all; the
    /// rest have their bytes looked at.
    #[inline]
    #[allow(clippy::too_many_arguments, reason = "the walk's state, passed down to be inlined")]
    fn plain_or_not(&self, text: &str, start: usize, end: usize, blk: usize, odd: u64, token: &mut Token, hits: &mut Vec<CueHit>) {
        let b = text.as_bytes();
        let plain = start >= blk * 64 && (odd == 0 || odd & (((1u64 << (end - start)) - 1) << (start % 64)) == 0);
        let seen = if plain {
            WORD
        } else {
            step(end - start);
            b[start..end].iter().fold(0u8, |acc, &c| acc | WORD_BYTE[usize::from(c)])
        };
        self.word(text, start, end, seen, token, hits);
    }

    /// A run of word bytes `start..end` between ASCII separators, with the
    /// classes of its bytes.
    #[inline]
    fn word(&self, text: &str, start: usize, end: usize, seen: u8, token: &mut Token, hits: &mut Vec<CueHit>) {
        let b = text.as_bytes();
        let word = &b[start..end];
        // Most words follow a space; only the others need a closer look.
        let before = if start > 0 { b[start - 1] } else { b'\n' };
        if before == b' ' {
            // `Hauptstraße 5`: a number after a word that may end in a street type.
            if word[0].is_ascii_digit() && start >= 2 {
                self.street_compound(text, start - 1, hits);
            } else if start >= 2 && b[start - 2].is_ascii_digit() && end - start >= 6 {
                // `5 Hauptstraße`: a word that may end in a street type, after a number.
                self.street_compound(text, end, hits);
            }
        } else if matches!(before, b'@' | b'#') {
            // Handles and hashtags hold no cue and no name of ours.
            return;
        } else if matches!(before, b'/' | b'?' | b'=' | b'&') && token.in_link(b, start) {
            // Nor do the words of a link's path (`…/update hosted on 1.2.3.4`).
            return;
        }
        if seen & (UNDERSCORE | NON_ASCII) == 0 {
            let len = word.len();
            let (cue, name) = self.prefilter_bits(cue_bit(word));
            // The tests below combine their parts with `&`, not `&&`: whether
            // a word ends in `s` or is capitalized is as good as random, and
            // a branch on each part mispredicts more than the parts cost.
            if cue {
                self.visit(text, start, end, Some(fx(word)), hits);
            } else if (len > 3) & (word[len - 1] | 0x20 == b's') & self.may_start(&word[..len - 1]) {
                // Plural street types (`Villages`): their singular.
                self.visit(text, start, end, None, hits);
            }
            if name & word[0].is_ascii_uppercase() & (len >= 3) & word.get(1).is_some_and(u8::is_ascii_lowercase) {
                self.first_name(b, start, end, hits);
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
        step(end - start);
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
    /// name, not part of a handle, hashtag or address. (The cheap filter
    /// over first names was asked already.)
    #[inline]
    fn first_name(&self, b: &[u8], start: usize, end: usize, hits: &mut Vec<CueHit>) {
        step(end - start);
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
        // `St Helen`, `San Antonio`, `Fort Myers`: a place. (The word
        // before is compared by its end, not split off: in `Kayla-Kayla-…`
        // that would read the whole token again for each name in it.)
        let before = b[..start].trim_ascii_end();
        step(start - before.len() + 1);
        let place = [&b"St"[..], b"St.", b"Saint", b"San", b"Santa", b"Fort", b"Mount", b"Mt", b"Mt.", b"Lake", b"Port", b"Cape"]
            .iter()
            .any(|w| before.ends_with(w) && before.len().checked_sub(w.len() + 1).is_none_or(|k| before[k].is_ascii_whitespace()));
        if place {
            return;
        }
        hits.push(CueHit { cue: Cue::FirstName, start, end });
    }

    /// Look up the word `start..end` (which stands at a word boundary) and
    /// record the phrases that start with it.
    fn visit(&self, text: &str, start: usize, end: usize, hash: Option<u64>, hits: &mut Vec<CueHit>) {
        let b = text.as_bytes();
        let word = &b[start..end];
        step(2 * word.len());
        // Non-ASCII first words (`teléfono`) hash their lower case;
        // plural street types (`Villages`) their singular.
        let mut group = match hash {
            Some(h) => self.group_of(h),
            None if word.is_ascii() => self.group(word),
            None => self.group(text.get(start..end).unwrap_or_default().to_lowercase().as_bytes()),
        };
        if group.is_none() && word.len() > 3 && word.ends_with(b"s") {
            group = self.group(&word[..word.len() - 1]);
        }
        let Some(group) = group else { return };
        // The probes of all the group's phrases at once.
        if group.probes != u64::MAX {
            let at = start + group.at as usize;
            match (b.get(at), b.get(at + 1)) {
                (Some(x), Some(y)) if group.probes >> probe_bit(x.to_ascii_lowercase(), y.to_ascii_lowercase()) & 1 == 1 => {}
                _ => return,
            }
        }
        let first = hits.len();
        for &id in self.by_first.get(group.from as usize..group.to as usize).unwrap_or_default() {
            let p = &self.phrases[id as usize];
            step(1);
            if let Some((at, [x, y])) = p.probe {
                let next = (b.get(start + at).map(u8::to_ascii_lowercase), b.get(start + at + 1).map(u8::to_ascii_lowercase));
                if next != (Some(x), Some(y)) {
                    continue;
                }
            }
            let end = start + p.text.len();
            step(2 * p.text.len());
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
            step(hits.len() - first + 1);
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
        let (from, to) = self.compounds_by_last.get(usize::from(b[sp - 1].to_ascii_lowercase())).copied().unwrap_or_default();
        let group = self.compounds.get(usize::from(from)..usize::from(to)).unwrap_or_default();
        step(group.len() + 1);
        for suffix in group {
            let sb = suffix.as_bytes();
            // Byte-wise, ASCII case folded: `Straße` ends in `straße`.
            if wb.len() > sb.len() && wb[wb.len() - sb.len()..].eq_ignore_ascii_case(sb) {
                hits.push(CueHit { cue: Cue::StreetCompound, start: sp - suffix.len(), end: sp });
                break;
            }
        }
    }
}

/// The whitespace-delimited token that the word walk is in, read as far as
/// the walk has asked: where it starts and whether a `://` came in it. The
/// walk asks in order, so each byte is read once, however many words a
/// long token holds (`a/a/a/…`).
#[derive(Debug, Default)]
struct Token {
    start: usize,
    read_to: usize,
    scheme: bool,
}

impl Token {
    /// Whether the byte at `at` belongs to a whitespace-delimited token
    /// that is a link (`scheme://…` or `www.…`). Called only for words
    /// right after `/`, `?`, `=` or `&`, which are rare outside links, at
    /// increasing `at`.
    #[cold]
    fn in_link(&mut self, b: &[u8], at: usize) -> bool {
        // Back from `at` to the last blank, but no further than what was
        // read before: a new token starts there, or the one read goes on.
        let from = self.read_to.min(at);
        let blank = b[from..at].iter().rposition(u8::is_ascii_whitespace);
        step(at - from - blank.unwrap_or(0) + 1);
        let scheme_from = match blank {
            Some(k) => {
                self.start = from + k + 1;
                self.scheme = false;
                self.start
            }
            // A `://` may straddle where the last read stopped.
            None => from.saturating_sub(2).max(self.start),
        };
        let fresh = b.get(scheme_from..at).unwrap_or_default();
        step(fresh.len());
        self.scheme = self.scheme || fresh.windows(3).any(|w| w == b"://");
        self.read_to = self.read_to.max(at);
        let token = b.get(self.start..at).unwrap_or_default();
        self.scheme || token.len() >= 4 && token[..4].eq_ignore_ascii_case(b"www.")
    }
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

/// Whether `word` is in the sorted `list`: a bisection comparing bytes
/// inline, which for words this short beats a `memcmp` call a probe.
pub(crate) fn in_sorted(list: &[&str], word: &str) -> bool {
    in_sorted_bytes(list, word.as_bytes())
}

/// [`in_sorted`] for a word given as bytes (lower-cased on the stack: no
/// UTF-8 check needed to look it up).
fn in_sorted_bytes(list: &[&str], w: &[u8]) -> bool {
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
    match buf.get_mut(..word.len()) {
        Some(lower) if word.is_ascii() => {
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            in_sorted_bytes(list, lower)
        }
        // Lower-casing shrinks a char to a third at most (the Kelvin sign
        // to `k`): a longer word is in no list of words this short.
        _ if word.len() > 3 * 24 => false,
        _ => {
            step(word.len());
            in_sorted(list, &word.to_lowercase())
        }
    }
}

/// The longest token [`dotted_in`] reads, in bytes.
const MAX_DOTTED: usize = 32;

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
        step(1);
        // No title or post-nominal is this long, even with its dots and
        // the punctuation after it; stopping here keeps a long token from
        // being read once for each title cue in it (`Dr.Dr.Dr.…`).
        if k > MAX_DOTTED {
            return None;
        }
        if c.is_ascii_whitespace() {
            raw_len = k;
            break;
        }
        if c < 0x80 && !(c.is_ascii_alphabetic() || matches!(c, b'.' | b'-' | b',' | b';' | b':' | b')' | b'!' | b'?')) {
            return None;
        }
    }
    let raw = rest.get(..raw_len)?;
    if raw.is_ascii() {
        return dotted_ascii_in(raw.as_bytes(), list).map(|len| i + len);
    }
    step(3 * raw.len());
    let raw = raw.split(char::is_whitespace).next().unwrap_or_default();
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
        n > 0 && in_sorted_bytes(list, &buf[..n])
    } else {
        let key: String = raw.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
        !key.is_empty() && key.len() <= 10 && in_sorted(list, &key)
    };
    found.then(|| i + raw.len())
}

/// [`dotted_in`] for an ASCII token (`raw`, up to the space): trimmed as
/// there, then every test in one pass over its bytes, the letters
/// lower-cased on the stack. Most capitalized words come here, and are no
/// title. Returns the trimmed token's length.
fn dotted_ascii_in(raw: &[u8], list: &[&str]) -> Option<usize> {
    step(raw.len());
    let mut raw = raw;
    while let [head @ .., b',' | b';' | b':' | b')' | b'!' | b'?'] = raw {
        raw = head;
    }
    if raw.ends_with(b"..") {
        raw = &raw[..raw.len() - 1];
    }
    let mut buf = [0u8; 10];
    let mut n = 0;
    for &c in raw {
        if c.is_ascii_alphabetic() {
            *buf.get_mut(n)? = c.to_ascii_lowercase();
            n += 1;
        } else if c != b'.' && c != b'-' {
            return None;
        }
    }
    (n > 0 && in_sorted_bytes(list, &buf[..n])).then_some(raw.len())
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

/// The longest order, booking or account reference, in bytes.
const MAX_REFERENCE: usize = 30;

pub(crate) fn orders(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    for h in cues.of(Cue::Order).chain(cues.of(Cue::Tracking)) {
        // A tracking number is 10 characters at least (DHL's 10 digits,
        // Royal Mail's 13, UPS's 18, USPS's 20 to 22): `tracking 1Z999`
        // is the start of one at best.
        let tracking = h.cue == Cue::Tracking;
        let mut j = h.end;
        // Filler words and symbols: `order number: #A-123`, `nº 123`, `mi localizador es X`.
        for _ in 0..5 {
            j = skip_blanks(text, j);
            while matches!(b.get(j), Some(b'#' | b':' | b'.')) {
                step(1);
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
        // A reference is at most MAX_REFERENCE bytes: the token is read no
        // further than one byte past that (a longer one is no reference),
        // so that a long token is not read again from each order cue in it.
        while end < b.len()
            && end - start <= MAX_REFERENCE
            && (b[end].is_ascii_alphanumeric()
                || (matches!(b[end], b'-' | b'/' | b'_') && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)))
        {
            end += 1;
        }
        step(2 * (end - start) + 1);
        // An all-digit reference written in groups: `620 184 7731`; a
        // tracking number in groups with digits: `1Z 999 AA1 0123 4567 84`.
        let all_digits = b[start..end].iter().all(u8::is_ascii_digit);
        if tracking && !all_digits && b[start..end].iter().any(u8::is_ascii_digit) {
            let mut k = end;
            while end - start <= MAX_REFERENCE && b.get(k) == Some(&b' ') && b.get(k + 1).is_some_and(u8::is_ascii_alphanumeric) {
                let mut g = k + 1;
                while g < b.len() && b[g].is_ascii_alphanumeric() && g - k <= MAX_REFERENCE {
                    g += 1;
                }
                step(g - k);
                if !boundary_after(text, g) || !b[k + 1..g].iter().any(u8::is_ascii_digit) {
                    break;
                }
                end = g;
                k = g;
            }
        }
        if all_digits {
            let mut k = end;
            while end - start <= MAX_REFERENCE && b.get(k) == Some(&b' ') && b.get(k + 1).is_some_and(u8::is_ascii_digit) {
                let mut g = k + 1;
                while g < b.len() && b[g].is_ascii_digit() {
                    g += 1;
                }
                step(g - k);
                if !boundary_after(text, g) {
                    break;
                }
                end = g;
                k = g;
            }
        }
        let token = &b[start..end];
        step(3 * token.len());
        let digits = token.iter().filter(|c| c.is_ascii_digit()).count();
        let letters_lower = token.iter().any(u8::is_ascii_lowercase) && token.iter().any(u8::is_ascii_uppercase);
        // A date after an order cue is when it was placed, not its number.
        let date = digits > 0 && text.get(start..end).is_some_and(super::dates::is_numeric_date);
        let fits = !date
            && (if tracking { 10 } else { 4 }..=MAX_REFERENCE).contains(&token.len())
            && boundary_before(text, start)
            && boundary_after(text, end)
            && b.get(end) != Some(&b'@');
        // The nearer the cue, the surer: `Case 58829104` is a case number
        // even when "phone" was said two sentences before.
        let near = start.saturating_sub(h.end) <= 16;
        if fits && digits > 0 && !letters_lower {
            out.push(Candidate::new(E::OrderId, start, end, if near { 0.9 } else { 0.8 }, "order_id"));
        } else if fits
            && !tracking
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

/// Words between a date-of-birth cue and the date: `DOB: it's 12/03/1985`,
/// `born on Tuesday, 3 March 1985`, `fecha de nacimiento? es el …`.
const DOB_FILLER: &[&str] = &[
    "am",
    "and",
    "as",
    "at",
    "bitte",
    "c'est",
    "c’est",
    "de",
    "del",
    "du",
    "el",
    "em",
    "en",
    "er",
    "es",
    "est",
    "favor",
    "fri",
    "friday",
    "fue",
    "here",
    "il",
    "is",
    "ist",
    "it",
    "it's",
    "its",
    "it’s",
    "la",
    "lautet",
    "le",
    "mine",
    "mon",
    "monday",
    "my",
    "of",
    "ok",
    "okay",
    "on",
    "op",
    "please",
    "pls",
    "plz",
    "por",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "sure",
    "svp",
    "thanks",
    "the",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "tue",
    "tues",
    "tuesday",
    "was",
    "wed",
    "wednesday",
    "yeah",
    "yes",
    "è",
    "é",
];

/// How a form asks for a date (`date of birth (dd/mm/yyyy): …`), lower case.
const DATE_FORMATS: &[&str] = &[
    "aaaa-mm-jj",
    "dd-mm-yyyy",
    "dd.mm.yy",
    "dd.mm.yyyy",
    "dd/mm/aaaa",
    "dd/mm/yy",
    "dd/mm/yyyy",
    "gg/mm/aaaa",
    "jj.mm.aaaa",
    "jj/mm/aaaa",
    "mm/dd/yy",
    "mm/dd/yyyy",
    "tt.mm.jj",
    "tt.mm.jjjj",
    "yyyy-mm-dd",
    "yyyy/mm/dd",
];

/// The most punctuation and space read between two words after a date
/// of birth cue: the question mark, line break and dash of
/// `Date of birth?\n- 3 March 1985`, and no long run of them (read again
/// from each cue, that would make the work grow faster than the text).
const DOB_GAP: usize = 12;

/// Past punctuation, spaces and line breaks from `j`, [`DOB_GAP`] bytes
/// at most: the cue may end a question or a line (`what's your DOB? -
/// 12/03/1985`, `Date of birth?\n3 March 1985`), but stand in the same
/// sentence as the date or the one before it.
fn dob_gap(text: &str, j: usize) -> usize {
    let b = text.as_bytes();
    let mut k = j;
    let mut breaks = 0;
    while k < b.len() && k - j < DOB_GAP {
        step(1);
        match b[k] {
            b' ' | b'\t' | b':' | b',' | b'-' | b'(' | b')' | b'"' | b'=' | b'>' => k += 1,
            b'?' | b'!' | b'.' | b'\n' | b'\r' => {
                // A second break is the sentence after the next one.
                if breaks == 0 || matches!(b[k - 1], b'?' | b'!' | b'.' | b'\n' | b'\r') {
                    breaks = 1;
                    k += 1;
                } else {
                    return j;
                }
            }
            _ if text.get(k..).is_some_and(|s| s.starts_with('–') || s.starts_with('—')) => k += 3,
            _ => break,
        }
    }
    k
}

pub(crate) fn dates_of_birth(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    for h in cues.of(Cue::Dob) {
        let mut j = h.end;
        for _ in 0..5 {
            j = dob_gap(text, j);
            let Some(e) = word_end(text, j) else { break };
            let w = text.get(j..e).unwrap_or_default();
            if lower_in(w, DOB_FILLER) {
                j = e;
                continue;
            }
            // `(dd/mm/yyyy)`: a word of a format's letters, then a separator.
            let fmt_end = (j + 12).min(text.len());
            let fmt = text.as_bytes()[j..fmt_end].iter().position(|c| !(c.is_ascii_alphabetic() || matches!(c, b'/' | b'.' | b'-')));
            let fmt_end = fmt.map_or(fmt_end, |k| j + k);
            step(fmt_end - j);
            match text.get(j..fmt_end) {
                Some(f) if lower_in(f, DATE_FORMATS) => j = fmt_end,
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
    fn eight_bytes_at_a_time_flag_what_a_byte_table_does() {
        let cues = Cues::new();
        // Bytes beyond ASCII whose low seven bits spell `@`, `:`, `.`, `-`,
        // `_` or a digit (`À` is C3 80, `Ā` C4 80, `Ġ` C4 A0) must not count.
        let texts = ["", "plain words only", "a@b: c.d ^x -y ~z _ 42", "ÀĀĠàº ünïcödé", "Ā:", "x\u{c0}\u{ba}y", &"ab-".repeat(50)];
        for (pad, text) in (0..70).flat_map(|pad| texts.iter().map(move |t| (pad, t))) {
            let text = format!("{}{text}", "é".repeat(pad / 2) + &" ".repeat(pad % 2));
            let by_table = text.bytes().fold(0u8, |acc, c| acc | WORD_BYTE[usize::from(c)]) & !(WORD | UNDERSCORE);
            assert_eq!(cues.find(&text).1, by_table, "{text:?}");
        }
    }

    #[test]
    fn a_group_filters_on_the_probes_of_all_its_phrases() {
        let cues = Cues::new();
        for (text, cue) in [("Hi, I’m Ana", Cue::NameWeak), ("I AM Ana", Cue::NameWeak), ("I love it", Cue::Phone)] {
            let found = cues.find(text).0.iter().any(|h| h.cue == cue);
            assert_eq!(found, cue == Cue::NameWeak, "{text}");
        }
    }

    #[test]
    fn no_cue_phrase_is_longer_than_the_bound_lookups_rely_on() {
        let cues = Cues::new();
        let long: Vec<&str> = cues.phrases.iter().map(|p| p.text.as_str()).filter(|t| t.len() > MAX_PHRASE).collect();
        assert!(long.is_empty(), "cue phrases longer than {MAX_PHRASE} bytes: {long:?}");
    }

    #[test]
    fn word_lists_are_sorted_for_bisection() {
        for (name, list) in [
            ("NOT_NAMES", names::NOT_NAMES.as_slice()),
            ("NAME_OR_WORD", names::NAME_OR_WORD.as_slice()),
            ("PARTICLES", names::PARTICLES.as_slice()),
            ("TITLES", names::TITLES.as_slice()),
            ("POSTNOMINALS", names::POSTNOMINALS.as_slice()),
            ("ORDER_FILLER", ORDER_FILLER),
            ("SHOUTED", SHOUTED),
            ("DOB_FILLER", DOB_FILLER),
            ("DATE_FORMATS", DATE_FORMATS),
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{name} is not sorted and free of duplicates");
        }
        assert!(lower_in("Maria", &["ana", "maria"]) && !lower_in("Mariah", &["ana", "maria"]));
    }
}
