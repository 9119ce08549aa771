//! The byte classes of the cue scanner's word walk, and reading them eight
//! bytes at a time (SWAR): which bytes make words, which are odd (`_`,
//! beyond ASCII), and which the recognizers ask a text has at all.

/// Byte classes of the word walk: 0 separates words (ASCII punctuation and
/// space); ASCII letters and digits are words; `_` and non-ASCII bytes are
/// flagged so the walk can treat them apart; digits are flagged so that
/// recognizers of numbers can skip messages without any.
pub(super) const WORD: u8 = 1;
pub(super) const UNDERSCORE: u8 = 2;
pub(super) const NON_ASCII: u8 = 4;
pub(super) const DIGIT: u8 = 8;
/// Separators worth knowing about: recognizers skip messages without them.
/// `^`, `-` and `~` are the marks agents and customers sign with. (The
/// flags' order is the one in which [`masks`] gathers them.)
pub(super) const SIGN: u8 = 16;
pub(super) const DOT: u8 = 32;
pub(super) const COLON: u8 = 64;
pub(super) const AT: u8 = 128;
pub(super) static WORD_BYTE: [u8; 256] = {
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
pub(super) fn masks(chunk: &[u8; 64], words: usize, seen: &mut u64) -> (u64, u64) {
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

/// The flags of [`CueHits`](super::cues::CueHits) that [`masks`]' `seen`
/// holds: its eight bytes OR-ed together.
pub(super) fn seen_flags(mut seen: u64) -> u8 {
    seen |= seen >> 32;
    seen |= seen >> 16;
    seen |= seen >> 8;
    seen as u8
}
