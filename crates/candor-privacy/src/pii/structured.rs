//! Recognizers anchored on a character: `@` for e-mail addresses and
//! handles, `://`, `www.` and top-level domains for URLs, upper-case letters
//! for IBANs and UK National Insurance numbers.

use memchr::{memchr_iter, memmem};

use super::context::{Cue, CueHits};
use super::text::{boundary_after, boundary_before, char_before};
use super::{Candidate, EntityType as E};

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// The end of a domain name starting at `start`: labels of letters, digits
/// and inner hyphens, at least two, the last (the TLD) letters only.
fn domain_end(b: &[u8], start: usize) -> Option<usize> {
    let mut end = start;
    while end < b.len() && is_domain_byte(b[end]) {
        end += 1;
    }
    while end > start && matches!(b[end - 1], b'.' | b'-') {
        end -= 1;
    }
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
    for at in memchr_iter(b'@', b) {
        let mut start = at;
        while start > 0 && is_local_byte(b[start - 1]) {
            start -= 1;
        }
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
    loop {
        if end <= start {
            return end;
        }
        let last = b[end - 1];
        let unbalanced = |open: u8, close: u8| {
            last == close && {
                let s = &b[start..end];
                s.iter().filter(|&&c| c == open).count() < s.iter().filter(|&&c| c == close).count()
            }
        };
        if matches!(last, b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*') || unbalanced(b'(', b')') || unbalanced(b'[', b']') {
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
        for sep in scheme_finder.find_iter(b) {
            let mut start = sep;
            while start > 0 && b[start - 1].is_ascii_alphabetic() {
                start -= 1;
            }
            let scheme = &b[start..sep];
            if !(scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https") || scheme.eq_ignore_ascii_case(b"ftp")) {
                continue;
            }
            let end = trim_url(text, start, url_end(text, sep + 3));
            if domain_end(b, sep + 3).is_some() {
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
    let mut last_end = 0;
    for dot in memchr_iter(b'.', b) {
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
        if let Some((start, end, score)) = bare_domain(text, dot, &out[scheme_urls.clone()]) {
            out.push(Candidate::new(E::Url, start, end, score, "url"));
            last_end = end;
        }
    }
}

/// `shop.example.co.uk/returns`: a token of domain labels ending in a known
/// TLD at `dot`, not part of an e-mail address or a longer URL. Returns
/// (start, end, score).
fn bare_domain(text: &str, dot: usize, covered: &[Candidate]) -> Option<(usize, usize, f32)> {
    let b = text.as_bytes();
    if dot == 0 || !b[dot - 1].is_ascii_alphanumeric() || covered.iter().any(|c| dot >= c.start && dot < c.end) {
        return None;
    }
    let mut tld_end = dot + 1;
    while tld_end < b.len() && b[tld_end].is_ascii_alphabetic() {
        tld_end += 1;
    }
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
    let mut start = dot;
    while start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'-' || b[start - 1] == b'.') {
        start -= 1;
    }
    while start < dot && matches!(b[start], b'.' | b'-') {
        start += 1;
    }
    let before = char_before(text, start);
    if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '@' | '/' | '_' | '.' | ':' | '%' | '+')) {
        return None;
    }
    // The first label needs a letter: `3.5` or `10.com` is not a site.
    if !b[start..dot].iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    let dom_end = domain_end(b, start)?;
    if dom_end < tld_end {
        return None;
    }
    let (end, score) = if b.get(dom_end) == Some(&b'/') { (trim_url(text, start, url_end(text, dom_end)), 0.8) } else { (dom_end, 0.7) };
    if b[start..end].contains(&b'@') {
        return None;
    }
    Some((start, end, score))
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

fn iban_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let cc: &[u8; 2] = b.get(i..i + 2)?.try_into().ok()?;
    let want = IBAN_LENGTHS.iter().find(|(c, _)| *c == cc)?.1;
    if !(b.get(i + 2)?.is_ascii_digit() && b.get(i + 3)?.is_ascii_digit()) {
        return None;
    }
    let mut compact = Vec::with_capacity(34);
    let mut j = i;
    let mut end = i;
    while j < b.len() && compact.len() < want {
        let c = b[j];
        if c.is_ascii_uppercase() || c.is_ascii_digit() {
            compact.push(c);
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

/// A NINO at `i`; returns its end and whether its prefix is one HMRC issues.
/// `QQ 12 34 56 C` is the format's example and never issued, but a
/// customer who types it as their NI number has still typed one.
fn nino_at(text: &str, i: usize) -> Option<(usize, bool)> {
    let b = text.as_bytes();
    let (p0, p1) = (*b.get(i)?, *b.get(i + 1)?);
    if !(p0.is_ascii_uppercase() && p1.is_ascii_uppercase()) {
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
    (matches!(suffix, b'A'..=b'D') && boundary_after(text, j + 1)).then_some((j + 1, nino_prefix_issued(p0, p1)))
}

/// IBANs and National Insurance numbers, from upper-case letters at the
/// start of a word.
pub(crate) fn letter_anchored(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    // IBANs and National Insurance numbers both carry digits.
    if !cues.has_digit() {
        return;
    }
    let b = text.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i].is_ascii_uppercase() && b[i + 1].is_ascii_uppercase() && boundary_before(text, i) {
            if let Some(end) = iban_at(text, i) {
                out.push(Candidate::new(E::Iban, i, end, 1.0, "iban"));
                i = end;
                continue;
            }
            if let Some((end, issued)) = nino_at(text, i) {
                let cue = cues.before(i, 40, Cue::Nino);
                let score = match (issued, cue) {
                    (true, true) => 1.0,
                    (true, false) => 0.95,
                    (false, true) => 0.85,
                    (false, false) => 0.55,
                };
                out.push(Candidate::new(E::UkNino, i, end, score, "uk_nino"));
                i = end;
                continue;
            }
        }
        i += 1;
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
