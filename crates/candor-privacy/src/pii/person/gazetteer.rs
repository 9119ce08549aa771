//! What the name recognizer knows about a word before it reads the
//! sentence: how many sources list it as a first name or a surname, whether
//! it is a common lower-case English word, a title (Mr, Frau) or a name
//! particle (van, de la). The lists are data files under `data/names/`,
//! made by `make_lists.py` from openly licensed sources (`SOURCES.md`).

use std::collections::HashMap;

use std::collections::HashSet;

use super::hash::{pair, word_hash, IdentityHash};

const FIRST_NAMES: &str = include_str!("../../../data/names/first-names.txt");
const SURNAMES: &str = include_str!("../../../data/names/surnames.txt");
const COMMON_WORDS: &str = include_str!("../../../data/names/common-words.txt");
const TITLES: &str = include_str!("../../../data/names/titles.txt");
const PARTICLES: &str = include_str!("../../../data/names/particles.txt");
const NOT_NAMES: &str = include_str!("../../../data/names/not-names.txt");
const PLACES: &str = include_str!("../../../data/names/places.txt");
const BRANDS: &str = include_str!("../../../data/names/brands.txt");
const WORD_RANKS: &str = include_str!("../../../data/names/word-ranks.txt");

/// Bits of a word's entry.
pub(crate) mod flag {
    /// Listed as a first name by one source.
    pub const FIRST_RARE: u16 = 1;
    /// By a few.
    pub const FIRST_SOME: u16 = 2;
    /// By many.
    pub const FIRST_COMMON: u16 = 4;
    /// Listed as a surname by one source.
    pub const LAST_RARE: u16 = 8;
    /// By a few.
    pub const LAST_SOME: u16 = 16;
    /// By many.
    pub const LAST_COMMON: u16 = 32;
    /// A common lower-case English word.
    pub const WORD: u16 = 64;
    /// A title or honorific.
    pub const TITLE: u16 = 128;
    /// A particle inside names (van, de, von).
    pub const PARTICLE: u16 = 256;
    /// A word often capitalized that is never a name (weekdays, greetings).
    pub const NOT_NAME: u16 = 512;
    /// Among the 1,000 most frequent words of a language.
    pub const TOP_1K: u16 = 1024;
    /// Among the 5,000 most frequent.
    pub const TOP_5K: u16 = 2048;
    /// Among the 15,000 most frequent.
    pub const TOP_15K: u16 = 4096;
    /// A word of a place's name (a city, a country, a U.S. state).
    pub const PLACE: u16 = 8192;
    /// Any first-name bit.
    pub const FIRST: u16 = FIRST_RARE | FIRST_SOME | FIRST_COMMON;
    /// Any surname bit.
    pub const LAST: u16 = LAST_RARE | LAST_SOME | LAST_COMMON;
}

/// Words and their flags, keyed by the hash of the lower-cased word.
#[derive(Debug)]
pub(crate) struct Gazetteer {
    words: Slots,
    /// Brands' names, by the hash of their words' hashes.
    brands: HashSet<u64, IdentityHash>,
    /// The hashes of brands' first words.
    brand_starts: HashSet<u64, IdentityHash>,
    /// A Bloom filter of first names (two bits a name in 2^18), 32 KiB.
    first_names: Vec<u64>,
}

const BLOOM_BITS: u32 = 18;

/// The most words a brand's name has.
pub(crate) const MAX_BRAND_WORDS: usize = 4;

impl Gazetteer {
    pub(crate) fn new() -> Self {
        let mut words: HashMap<u64, u16, IdentityHash> = HashMap::with_capacity_and_hasher(300_000, IdentityHash::default());
        let words_ref = &mut words;
        let mut add = |list: &str, f: &dyn Fn(Option<u32>) -> u16| {
            for line in list.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
                let mut parts = line.split('\t');
                let word = parts.next().unwrap_or_default().trim();
                let count = parts.next().and_then(|c| c.trim().parse().ok());
                if !word.is_empty() {
                    *words_ref.entry(word_hash(word.as_bytes())).or_default() |= f(count);
                }
            }
        };
        let bucket = |c: Option<u32>, rare, some, common| match c.unwrap_or(1) {
            0..=1 => rare,
            2..=9 => some,
            _ => common,
        };
        add(FIRST_NAMES, &|c| bucket(c, flag::FIRST_RARE, flag::FIRST_SOME, flag::FIRST_COMMON));
        add(SURNAMES, &|c| bucket(c, flag::LAST_RARE, flag::LAST_SOME, flag::LAST_COMMON));
        add(COMMON_WORDS, &|_| flag::WORD);
        add(TITLES, &|_| flag::TITLE);
        add(PARTICLES, &|_| flag::PARTICLE);
        add(NOT_NAMES, &|_| flag::NOT_NAME);
        add(PLACES, &|_| flag::PLACE);
        add(WORD_RANKS, &|c| match c {
            Some(1) => flag::TOP_1K,
            Some(2) => flag::TOP_5K,
            _ => flag::TOP_15K,
        });
        let (mut brands, mut brand_starts) = (HashSet::default(), HashSet::default());
        for line in BRANDS.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let words: Vec<u64> = line
                .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-'))
                .filter(|w| !w.is_empty())
                .map(|w| word_hash(w.to_lowercase().as_bytes()))
                .collect();
            if let Some(&first) = words.first() {
                brand_starts.insert(first);
                brands.insert(words.iter().fold(0u64, |h, &w| pair(h, w)));
            }
        }
        let mut first_names = vec![0u64; 1 << (BLOOM_BITS - 6)];
        for (&h, &f) in &words {
            if f & flag::FIRST != 0 {
                for bit in bloom_bits(h) {
                    first_names[bit >> 6] |= 1 << (bit & 63);
                }
            }
        }
        Self { words: Slots::new(&words), brands, brand_starts, first_names }
    }

    /// Whether the word may be a first name (no means no; yes, maybe).
    pub(crate) fn may_be_first_name(&self, hash: u64) -> bool {
        bloom_bits(hash).iter().all(|&bit| self.first_names[bit >> 6] & (1 << (bit & 63)) != 0)
    }

    /// Whether a brand's name may start with this word.
    pub(crate) fn may_start_brand(&self, hash: u64) -> bool {
        self.brand_starts.contains(&hash)
    }

    /// Whether these words (folded with [`pair`]) are a brand's name.
    pub(crate) fn is_brand(&self, hash: u64) -> bool {
        self.brands.contains(&hash)
    }

    /// The flags of a word by the hash of its lower-cased form.
    pub(crate) fn flags(&self, hash: u64) -> u16 {
        self.words.get(hash)
    }
}

/// Two bit positions of a word's hash in the first-name filter, from bits
/// the tables' indexes do not use.
fn bloom_bits(h: u64) -> [usize; 2] {
    let mask = (1u64 << BLOOM_BITS) - 1;
    [((h >> 20) & mask) as usize, ((h >> 40) & mask) as usize]
}

/// The words' flags in four bytes a word, so that the table (a quarter of
/// a million words) stays in the cache: an open-addressing table of
/// 18-bit fingerprints beside 14 bits of flags, probed linearly. Two
/// words share an entry only if they share a slot's neighbourhood and a
/// fingerprint, one chance in about a hundred thousand.
#[derive(Debug)]
struct Slots {
    slots: Vec<u32>,
    mask: usize,
}

const FLAG_BITS: u32 = 14;

impl Slots {
    fn new(words: &HashMap<u64, u16, IdentityHash>) -> Self {
        let size = (words.len() * 2).next_power_of_two().max(16);
        let mut t = Self { slots: vec![0; size], mask: size - 1 };
        for (&h, &f) in words {
            let fp = Self::fingerprint(h);
            let mut i = (h as usize) & t.mask;
            loop {
                let s = t.slots[i];
                if s == 0 || s >> FLAG_BITS == fp {
                    t.slots[i] = fp << FLAG_BITS | (s & ((1 << FLAG_BITS) - 1)) | u32::from(f) & ((1 << FLAG_BITS) - 1);
                    break;
                }
                i = (i + 1) & t.mask;
            }
        }
        t
    }

    /// 18 bits of the hash the index does not use, never zero.
    fn fingerprint(h: u64) -> u32 {
        ((h >> 46) as u32 | 1 << 17) & 0x3_ffff
    }

    fn get(&self, h: u64) -> u16 {
        let fp = Self::fingerprint(h);
        let mut i = (h as usize) & self.mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return 0;
            }
            if s >> FLAG_BITS == fp {
                return (s & ((1 << FLAG_BITS) - 1)) as u16;
            }
            i = (i + 1) & self.mask;
        }
    }
}
