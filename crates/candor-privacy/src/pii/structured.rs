//! Recognizers anchored on a character: `@` for e-mail addresses and
//! handles, `://`, `www.` and top-level domains for URLs, upper-case letters
//! for IBANs and UK National Insurance numbers.

use memchr::{memchr_iter, memmem};

use super::context::{Cue, CueHits};
use super::text::{boundary_after, boundary_before, char_before};
use super::work::step;
use super::{Candidate, EntityType as E};

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// A domain name is at most 253 bytes (RFC 1035); with a few dots or
/// hyphens after it, a run of domain bytes longer than this is none.
const MAX_DOMAIN_RUN: usize = 260;

/// The end of a domain name starting at `start`: labels of letters, digits
/// and inner hyphens, at least two, the last (the TLD) letters only. The
/// run is read [`MAX_DOMAIN_RUN`] bytes at most: `www.` may start many
/// times in one long run.
fn domain_end(b: &[u8], start: usize) -> Option<usize> {
    let mut end = start;
    while end < b.len() && is_domain_byte(b[end]) {
        if end - start == MAX_DOMAIN_RUN {
            step(end - start);
            return None;
        }
        end += 1;
    }
    while end > start && matches!(b[end - 1], b'.' | b'-') {
        end -= 1;
    }
    step(2 * (end - start) + 1);
    // The labels are checked as they come, without collecting them: this
    // runs for every `@` and every dot that might end a domain.
    let domain = b.get(start..end)?;
    let mut labels = 0;
    let mut tld: &[u8] = &[];
    for label in domain.split(|&c| c == b'.') {
        if label.is_empty() || label.len() > 63 || label[0] == b'-' || label[label.len() - 1] == b'-' {
            return None;
        }
        labels += 1;
        tld = label;
    }
    let ok = labels >= 2 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic);
    ok.then_some(end)
}

/// E-mail addresses and @handles, from each `@`.
pub(crate) fn emails_and_handles(text: &str, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    step(b.len());
    for at in memchr_iter(b'@', b) {
        let mut start = at;
        while start > 0 && is_local_byte(b[start - 1]) {
            start -= 1;
        }
        step(at - start + 1);
        while start < at && b[start] == b'.' {
            start += 1;
        }
        if start < at {
            // An e-mail address: a local part, then a domain.
            if b[at - 1] == b'.' || !boundary_before(text, start) {
                continue;
            }
            if let Some(end) = domain_end(b, at + 1) {
                if boundary_after(text, end) {
                    out.push(Candidate::new(E::Email, start, end, 1.0, "email"));
                }
            }
            continue;
        }
        // A handle: `@` not glued to a word, then name characters.
        if char_before(text, at).is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '@') {
            continue;
        }
        let mut end = at + 1;
        while end < b.len()
            && (b[end].is_ascii_alphanumeric()
                || b[end] == b'_'
                || (b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_alphanumeric()))
        {
            end += 1;
        }
        step(end - at);
        let name_len = end - at - 1;
        if (1..=30).contains(&name_len) && boundary_after(text, end) {
            out.push(Candidate::new(E::Handle, at, end, 0.95, "handle"));
        }
    }
}

/// Top-level domains a bare domain (no scheme, no `www.`) may end with.
/// Short and common on purpose: `file.txt` and `node.js` are not URLs.
const TLDS: &[&str] = &[
    "com", "net", "org", "info", "biz", "io", "co", "ai", "app", "dev", "me", "tv", "us", "uk", "de", "fr", "es", "it", "nl", "be", "ch",
    "at", "au", "ca", "eu", "ie", "nz", "se", "dk", "fi", "pl", "pt", "br", "mx", "jp", "cn", "ru", "za", "sg", "hk", "shop", "store",
    "online", "site", "xyz", "tech", "cloud", "blog", "news", "live", "ly", "gl", "edu", "gov",
];

fn is_url_byte(b: u8) -> bool {
    !(b.is_ascii_whitespace() || b.is_ascii_control() || matches!(b, b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'`'))
}

/// The end of a URL's body from `i`: up to whitespace, then without the
/// punctuation a sentence puts after a link, and without a closing bracket
/// the URL did not open.
fn url_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() && is_url_byte(b[i]) {
        step(1);
        // Stop at characters outside ASCII that are punctuation (quotes, …).
        if b[i] >= 0x80 {
            match text.get(i..).and_then(|s| s.chars().next()) {
                Some(c) if c.is_alphanumeric() => i += c.len_utf8(),
                _ => break,
            }
            continue;
        }
        i += 1;
    }
    i
}

fn trim_url(text: &str, start: usize, mut end: usize) -> usize {
    let b = text.as_bytes();
    // The brackets, opening and closing, counted once when a closing one
    // is first met at the end, then kept as the end moves back over them:
    // counted again at each, a link closed by a thousand brackets took a
    // million steps.
    let mut brackets: Option<[usize; 4]> = None;
    loop {
        if end <= start {
            return end;
        }
        let last = b[end - 1];
        step(1);
        let unbalanced = matches!(last, b')' | b']') && {
            let [round_open, round_close, square_open, square_close] = *brackets.get_or_insert_with(|| {
                let s = &b[start..end];
                step(s.len());
                s.iter().fold([0; 4], |mut n, &c| {
                    match c {
                        b'(' => n[0] += 1,
                        b')' => n[1] += 1,
                        b'[' => n[2] += 1,
                        b']' => n[3] += 1,
                        _ => {}
                    }
                    n
                })
            });
            if last == b')' {
                round_open < round_close
            } else {
                square_open < square_close
            }
        };
        if matches!(last, b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*') || unbalanced {
            if let Some(n) = brackets.as_mut() {
                match last {
                    b')' => n[1] -= 1,
                    b']' => n[3] -= 1,
                    _ => {}
                }
            }
            end -= 1;
        } else {
            return end;
        }
    }
}

/// URLs with a scheme, with `www.`, and bare domains with a known TLD.
pub(crate) fn urls(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    let mut covered_until = 0;
    let first = out.len();
    if cues.has_colon() {
        static SCHEME: std::sync::OnceLock<memmem::Finder<'static>> = std::sync::OnceLock::new();
        let scheme_finder = SCHEME.get_or_init(|| memmem::Finder::new(b"://"));
        step(b.len());
        for sep in scheme_finder.find_iter(b) {
            // A scheme inside a link found already is part of it (a
            // redirect's target): read again from each, a text of nested
            // links took time quadratic in its length.
            if sep < covered_until {
                continue;
            }
            let mut start = sep;
            while start > 0 && b[start - 1].is_ascii_alphabetic() {
                start -= 1;
            }
            step(sep - start + 1);
            let scheme = &b[start..sep];
            if !(scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https") || scheme.eq_ignore_ascii_case(b"ftp")) {
                continue;
            }
            if domain_end(b, sep + 3).is_some() {
                let end = trim_url(text, start, url_end(text, sep + 3));
                out.push(Candidate::new(E::Url, start, end, 0.95, "url"));
                covered_until = covered_until.max(end);
            }
        }
    }
    // Without a dot there is no `www.` and no domain.
    if !cues.has_dot() {
        return;
    }
    // One pass over the dots: `www.` hosts, then bare domains.
    // The URLs with a scheme, found above (the candidates of this call so
    // far), by index: no copy of them is needed.
    let scheme_urls = first..out.len();
    let mut token = DomainToken::default();
    let mut last_end = 0;
    step(b.len());
    for dot in memchr_iter(b'.', b) {
        step(1);
        if dot < last_end {
            continue;
        }
        if let Some(start) = dot.checked_sub(3).filter(|&i| b[i..i + 3].eq_ignore_ascii_case(b"www")) {
            let ok = start >= covered_until
                && boundary_before(text, start)
                && !matches!(char_before(text, start), Some('/' | '@'))
                && domain_end(b, start).is_some();
            if ok {
                let end = trim_url(text, start, url_end(text, start));
                out.push(Candidate::new(E::Url, start, end, 0.9, "url"));
                covered_until = end;
                last_end = end;
                continue;
            }
        }
        if let Some((start, end, score)) = bare_domain(text, dot, &out[scheme_urls.clone()], &mut token) {
            out.push(Candidate::new(E::Url, start, end, score, "url"));
            last_end = end;
        }
    }
}

/// The run of domain characters (`[A-Za-z0-9.-]`) that the dots being
/// walked fall in, and what is known of the site it would be: the walk
/// asks at each dot, in order, and a run of many dots is read once, not
/// once a dot.
#[derive(Debug, Default)]
struct DomainToken {
    /// Where the run holding the last dot asked about starts.
    start: usize,
    /// How far the text has been read for runs.
    read: usize,
    /// The URLs with a scheme before the last dot asked about.
    passed: usize,
    /// What the run starting at `start` is, once asked.
    site: Option<Site>,
    /// The last run of URL bytes read (`url_end`'s answer for any place
    /// inside it).
    url_run: (usize, usize),
    /// Where the last search for an `@` started, and the `@` it found.
    next_at: Option<(usize, Option<usize>)>,
}

/// A run of domain characters read as a bare domain.
#[derive(Debug, Clone, Copy)]
struct Site {
    /// The run without leading dots and hyphens.
    start: usize,
    /// Whether what stands before it allows a site (not `@`, `/`, …).
    open: bool,
    /// Its first ASCII letter.
    first_letter: Option<usize>,
    /// The end of the domain name, and the site's end and score unless it
    /// holds an `@`.
    domain: Option<(usize, Option<(usize, f32)>)>,
}

impl DomainToken {
    /// Whether `dot` lies in one of the URLs with a scheme (`covered`,
    /// ordered and apart).
    fn covered(&mut self, dot: usize, covered: &[Candidate]) -> bool {
        while covered.get(self.passed).is_some_and(|c| c.end <= dot) {
            step(1);
            self.passed += 1;
        }
        covered.get(self.passed).is_some_and(|c| c.start <= dot)
    }

    /// The site of the run that holds `dot`.
    fn site(&mut self, text: &str, dot: usize) -> Site {
        let b = text.as_bytes();
        step(dot.saturating_sub(self.read) + 1);
        if let Some(k) = b.get(self.read..dot).and_then(|s| s.iter().rposition(|&c| !(c.is_ascii_alphanumeric() || c == b'-' || c == b'.')))
        {
            self.start = self.read + k + 1;
            self.site = None;
        }
        self.read = self.read.max(dot);
        if let Some(site) = self.site {
            return site;
        }
        let mut start = self.start;
        while start < dot && matches!(b[start], b'.' | b'-') {
            start += 1;
        }
        let before = char_before(text, start);
        let open = !before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '@' | '/' | '_' | '.' | ':' | '%' | '+'));
        let first_letter = b[start..].iter().position(|c| {
            step(1);
            !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.')) || c.is_ascii_alphabetic()
        });
        let first_letter = first_letter.map(|k| start + k).filter(|&k| b[k].is_ascii_alphabetic());
        // Only a run that may be a site goes on to its domain and path.
        let domain = if open && first_letter.is_some() { domain_end(b, start) } else { None };
        let domain = domain.map(|dom_end| {
            if b.get(dom_end) != Some(&b'/') {
                return (dom_end, Some((dom_end, 0.7)));
            }
            // A path: no `@` in it (that is an e-mail address's), then
            // without the punctuation after it. (An `@` is never in what
            // trimming takes off.)
            let raw_end = self.url_end(text, dom_end);
            if self.at_between(b, start, raw_end) {
                return (dom_end, None);
            }
            (dom_end, Some((trim_url(text, start, raw_end), 0.8)))
        });
        let site = Site { start, open, first_letter, domain };
        self.site = Some(site);
        site
    }

    /// [`url_end`] from `i`, which for any place in a run of URL bytes is
    /// that run's end: a run holding many sites is read once.
    fn url_end(&mut self, text: &str, i: usize) -> usize {
        let (from, end) = self.url_run;
        if from <= i && i < end {
            return end;
        }
        let end = url_end(text, i);
        self.url_run = (i, end);
        end
    }

    /// Whether an `@` stands in `start..end`; the search goes on from the
    /// last one, so that the bytes are read once across all the asks
    /// (which come at increasing `start`).
    fn at_between(&mut self, b: &[u8], start: usize, end: usize) -> bool {
        let found = match self.next_at {
            Some((from, found)) if from <= start && found.is_none_or(|p| p >= start) => found,
            _ => {
                let found = memchr::memchr(b'@', &b[start..]).map(|k| start + k);
                step(found.unwrap_or(b.len()) - start + 1);
                self.next_at = Some((start, found));
                found
            }
        };
        found.is_some_and(|p| p < end)
    }
}

/// `shop.example.co.uk/returns`: a token of domain labels ending in a known
/// TLD at `dot`, not part of an e-mail address or a longer URL. Returns
/// (start, end, score).
fn bare_domain(text: &str, dot: usize, covered: &[Candidate], token: &mut DomainToken) -> Option<(usize, usize, f32)> {
    let b = text.as_bytes();
    if dot == 0 || !b[dot - 1].is_ascii_alphanumeric() || token.covered(dot, covered) {
        return None;
    }
    let mut tld_end = dot + 1;
    while tld_end < b.len() && b[tld_end].is_ascii_alphabetic() {
        tld_end += 1;
    }
    step(tld_end - dot);
    let tld = &b[dot + 1..tld_end];
    // Most dots end sentences: no letters after them.
    if !(2..=6).contains(&tld.len()) {
        return None;
    }
    let after = b.get(tld_end).copied();
    let tld_ok = TLDS.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(tld));
    if !tld_ok || after.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'@' || c == b'_') {
        return None;
    }
    // The run of domain characters that holds the dot, read once for all
    // its dots.
    let site = token.site(text, dot);
    if !site.open {
        return None;
    }
    // The first label needs a letter: `3.5` or `10.com` is not a site.
    if site.first_letter.is_none_or(|k| k >= dot) {
        return None;
    }
    let (dom_end, url) = site.domain?;
    if dom_end < tld_end {
        return None;
    }
    let (end, score) = url?;
    Some((site.start, end, score))
}

/// ISO 13616 IBAN lengths by country.
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NL", 18),
    (b"NO", 15),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"SA", 24),
    (b"SC", 31),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
];

/// ISO 7064 mod 97-10 over the rearranged IBAN.
pub(crate) fn iban_valid(compact: &[u8]) -> bool {
    if compact.len() < 15 {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in compact[4..].iter().chain(&compact[..4]) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

/// An IBAN at `i`, in any case (`de89 3704 …`, `Gb82 West …`): the
/// country's length and mod 97 are the evidence, not the capitals.
fn iban_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    if !(b.get(i + 2)?.is_ascii_digit() && b.get(i + 3)?.is_ascii_digit()) {
        return None;
    }
    let cc = [b[i].to_ascii_uppercase(), b[i + 1].to_ascii_uppercase()];
    step(IBAN_LENGTHS.len());
    let want = IBAN_LENGTHS.iter().find(|(c, _)| **c == cc)?.1;
    let mut compact = Vec::with_capacity(34);
    let mut j = i;
    let mut end = i;
    while j < b.len() && compact.len() < want {
        step(1);
        let c = b[j];
        if c.is_ascii_alphanumeric() {
            compact.push(c.to_ascii_uppercase());
            j += 1;
            end = j;
        } else if (c == b' ' || c == b'-') && j + 1 < b.len() && b[j + 1].is_ascii_alphanumeric() && b[j - 1].is_ascii_alphanumeric() {
            j += 1;
        } else {
            break;
        }
    }
    (compact.len() == want && boundary_after(text, end) && iban_valid(&compact)).then_some(end)
}

/// UK National Insurance number prefixes as issued: neither letter D, F,
/// I, Q, U or V; the second not O; and not the administrative pairs.
fn nino_prefix_issued(a: u8, b: u8) -> bool {
    let bad = |c: u8| matches!(c, b'D' | b'F' | b'I' | b'Q' | b'U' | b'V');
    !bad(a) && !bad(b) && b != b'O' && !matches!(&[a, b], b"BG" | b"GB" | b"KN" | b"NK" | b"NT" | b"TN" | b"ZZ")
}

/// A NINO at `i`, in any case; returns its end, whether its prefix is one
/// HMRC issues, and whether it is written in capitals.
/// `QQ 12 34 56 C` is the format's example and never issued, but a
/// customer who types it as their NI number has still typed one.
fn nino_at(text: &str, i: usize) -> Option<(usize, bool, bool)> {
    let b = text.as_bytes();
    let (p0, p1) = (*b.get(i)?, *b.get(i + 1)?);
    if !(p0.is_ascii_alphabetic() && p1.is_ascii_alphabetic()) {
        return None;
    }
    let mut j = i + 2;
    let sep = |j: usize| matches!(b.get(j), Some(b' ' | b'-'));
    for _ in 0..3 {
        if sep(j) {
            j += 1;
        }
        if !(b.get(j)?.is_ascii_digit() && b.get(j + 1)?.is_ascii_digit()) {
            return None;
        }
        j += 2;
    }
    if sep(j) {
        j += 1;
    }
    let suffix = *b.get(j)?;
    let capitals = p0.is_ascii_uppercase() && p1.is_ascii_uppercase() && suffix.is_ascii_uppercase();
    let issued = nino_prefix_issued(p0.to_ascii_uppercase(), p1.to_ascii_uppercase());
    (matches!(suffix.to_ascii_uppercase(), b'A'..=b'D') && boundary_after(text, j + 1)).then_some((j + 1, issued, capitals))
}

/// IBANs and National Insurance numbers, from two letters at the start
/// of a word, in any case.
pub(crate) fn letter_anchored(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    // IBANs and National Insurance numbers both carry digits.
    if !cues.has_digit() {
        return;
    }
    let b = text.as_bytes();
    // From each digit, back to the two letters that may start one: most
    // messages have few digits, and most digits no letters before them.
    let mut p = 0;
    while p < b.len() {
        let Some(k) = b[p..].iter().position(u8::is_ascii_digit) else {
            step(b.len() - p);
            break;
        };
        step(k + 1);
        let d = p + k;
        // The digits after the first of a run start nothing.
        p = d + 1;
        while p < b.len() && b[p].is_ascii_digit() {
            p += 1;
        }
        step(p - d);
        let letters = |at: usize| b[at].is_ascii_alphabetic() && b[at + 1].is_ascii_alphabetic();
        let i = if d >= 2 && letters(d - 2) {
            d - 2
        } else if d >= 3 && matches!(b[d - 1], b' ' | b'-') && letters(d - 3) {
            d - 3
        } else {
            continue;
        };
        if !boundary_before(text, i) {
            continue;
        }
        if let Some(end) = iban_at(text, i) {
            out.push(Candidate::new(E::Iban, i, end, 1.0, "iban"));
            p = end;
            continue;
        }
        if let Some((end, issued, capitals)) = nino_at(text, i) {
            let cue = cues.before(i, 40, Cue::Nino);
            let score = match (issued, cue, capitals) {
                (true, true, _) => 1.0,
                (true, false, true) => 0.95,
                // `ab123456c`: in lower case, a code as often as not.
                (true, false, false) => 0.75,
                (false, true, _) => 0.85,
                (false, false, true) => 0.55,
                (false, false, false) => 0.0,
            };
            if score > 0.0 {
                out.push(Candidate::new(E::UkNino, i, end, score, "uk_nino"));
                p = end;
                continue;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(f: fn(&str, &mut Vec<Candidate>), text: &str) -> Vec<(E, String)> {
        let mut v = Vec::new();
        f(text, &mut v);
        v.into_iter().map(|c| (c.entity, text[c.start..c.end].to_owned())).collect()
    }

    fn urls_found(text: &str) -> Vec<(E, String)> {
        let mut v = Vec::new();
        urls(text, &crate::pii::context::Cues::new().find(text), &mut v);
        v.into_iter().map(|c| (c.entity, text[c.start..c.end].to_owned())).collect()
    }

    fn letters(text: &str) -> Vec<(E, String, f32)> {
        let mut v = Vec::new();
        letter_anchored(text, &crate::pii::context::Cues::new().find(text), &mut v);
        v.into_iter().map(|c| (c.entity, text[c.start..c.end].to_owned(), c.score)).collect()
    }

    #[test]
    fn emails_and_handles_are_told_apart() {
        let got = found(emails_and_handles, "@joe43 mail jane.doe+x@mail.example.co.uk. or a@b or x@y.c @@no bob@ x.@y.com");
        assert_eq!(got, vec![(E::Handle, "@joe43".into()), (E::Email, "jane.doe+x@mail.example.co.uk".into())]);
        assert_eq!(found(emails_and_handles, "(@Brand_Care)!"), vec![(E::Handle, "@Brand_Care".into())]);
        assert_eq!(found(emails_and_handles, "@anna.b."), vec![(E::Handle, "@anna.b".into())]);
    }

    #[test]
    fn urls_keep_their_path_and_lose_trailing_punctuation() {
        let got =
            urls_found("see https://a.example.com/x?id=1). or www.shop.de/a, and (http://w.org/p(1)) also shop.example.co.uk/returns!");
        let texts: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, vec!["https://a.example.com/x?id=1", "http://w.org/p(1)", "www.shop.de/a", "shop.example.co.uk/returns"]);
    }

    #[test]
    fn bare_domains_need_a_known_tld_and_are_not_email_domains() {
        let got = urls_found("mail me at bob@example.com, read arias.com; not node.js, file.txt, v3.5, e.g. here");
        let texts: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, vec!["arias.com"]);
    }

    #[test]
    fn ibans_are_checked_by_length_and_mod_97() {
        let got = letters("IBAN DE89 3704 0044 0532 0130 00, GB82WEST12345698765432 and DE89 3704 0044 0532 0130 01");
        let texts: Vec<&str> = got.iter().map(|(_, t, _)| t.as_str()).collect();
        assert_eq!(texts, vec!["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"]);
    }

    #[test]
    fn national_insurance_numbers_follow_the_prefix_rules() {
        let got = letters("AB 12 34 56 C and GB123456A and JG-38-22-68-B and KL198341B");
        let texts: Vec<(&str, f32)> = got.iter().map(|(_, t, s)| (t.as_str(), *s)).collect();
        assert_eq!(texts, vec![("AB 12 34 56 C", 0.95), ("GB123456A", 0.55), ("JG-38-22-68-B", 0.95), ("KL198341B", 0.95)]);
        // An unissued prefix counts after an NI cue, and barely without one.
        assert_eq!(letters("my NI number is QQ 12 34 56 C")[0].2, 0.85);
        assert_eq!(letters("ref QQ123456C")[0].2, 0.55);
    }
}
