//! The cue scanner: one walk over the words of a text, 64 bytes at a
//! time, that finds every cue phrase (`data/pii-cues.txt`,
//! `data/address-cues.txt`), every capitalized known first name
//! (`data/pii-first-names.txt`), street types that end a word, and which
//! bytes the text holds at all, for every recognizer to ask.

use super::cues::{Cue, CueHit, CueHits};
use super::word_bytes::{masks, seen_flags, NON_ASCII, UNDERSCORE, WORD, WORD_BYTE};
use crate::pii::text::boundary_after;
use crate::pii::work::{sort_steps, step};

const CUES: &str = include_str!("../../../data/pii-cues.txt");
/// The address recognizer's cues, in the same format.
const ADDRESS_CUES: &str = include_str!("../../../data/address-cues.txt");
const FIRST_NAMES: &str = include_str!("../../../data/pii-first-names.txt");

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

#[cfg(test)]
mod tests {
    use super::super::cues::MAX_PHRASE;
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
}
