//! libphonenumber's validation, over the `phonenumber` crate's own
//! numbering-plan metadata, without its regular-expression cache.
//!
//! `phonenumber::parse` and `phonenumber::is_valid` keep every pattern of
//! the metadata as a string and look the compiled expression up, under a
//! process-wide mutex, in an LRU keyed by the pattern text: each lookup
//! hashes a pattern hundreds of characters long. Measured on customer-care
//! text, that cost several microseconds per phone number, most of the PII
//! engine's time. Here each region's patterns are compiled once (lazily,
//! on first use) and matched directly.
//!
//! The logic follows the crate's `parser::parse_with`, `helper::country_code`,
//! `helper::international_prefix`, `helper::national_number`,
//! `validator::source_for` and `validator::number_type` step by step, for
//! the inputs the engine produces (digits, separators, a leading `+`).
//! The tests hold it equal to `phonenumber::is_valid` on every region's
//! example numbers, their mutations and random digit strings.

use std::collections::HashMap;
use std::sync::OnceLock;

use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use regex::{Regex, RegexBuilder};

use crate::pii::work::step;

const MIN_LENGTH_FOR_NSN: usize = 2;
const MAX_LENGTH_FOR_NSN: usize = 17;

/// A descriptor: possible lengths and a pattern that must match from the
/// start (the crate's `Descriptor::is_match`).
#[derive(Debug)]
struct Desc {
    lengths: Vec<u16>,
    local_lengths: Vec<u16>,
    re: Regex,
}

impl Desc {
    fn is_match(&self, v: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(v.len() as u16))) && self.re.is_match(v)
    }
}

fn anchored(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(&format!("^(?:{pattern})")).ignore_whitespace(true).build().ok()
}

fn desc(d: &Descriptor) -> Option<Desc> {
    Some(Desc {
        lengths: d.possible_length().to_vec(),
        local_lengths: d.possible_local_length().to_vec(),
        re: anchored(d.national_number().as_str())?,
    })
}

/// One region's plan, compiled.
#[derive(Debug)]
struct Region {
    code: u16,
    international_prefix: Option<Regex>,
    national_prefix: Option<String>,
    parsing: Option<Regex>,
    transform: Option<String>,
    leading_digits: Option<Regex>,
    general: Desc,
    /// Premium rate, toll free, shared cost, VoIP, personal, pager, UAN,
    /// voicemail, fixed line, mobile: a number of any of them is valid.
    types: Vec<Desc>,
}

impl Region {
    fn compile(m: &Metadata) -> Option<Self> {
        let d = m.descriptors();
        let types = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ]
        .into_iter()
        .flatten()
        .filter_map(desc)
        .collect();
        Some(Self {
            code: m.country_code(),
            international_prefix: m.international_prefix().and_then(|r| anchored(r.as_str())),
            national_prefix: m.national_prefix().map(str::to_owned),
            parsing: m.national_prefix_for_parsing().and_then(|r| anchored(r.as_str())),
            transform: m.national_prefix_transform_rule().map(str::to_owned),
            leading_digits: m.leading_digits().and_then(|r| anchored(r.as_str())),
            general: desc(d.general())?,
            types,
        })
    }

    /// `validator::number_type(…) != Unknown`.
    fn has_type(&self, national: &str) -> bool {
        self.general.is_match(national) && self.types.iter().any(|t| t.is_match(national))
    }

    /// `validator::length(meta, n, Unknown) == TooShort` (never when the
    /// plan lists no lengths, nor for a local-only length).
    fn too_short(&self, national: &str) -> bool {
        let len = national.len() as u16;
        let possible = &self.general.lengths;
        !self.general.local_lengths.contains(&len) && possible.first().is_some_and(|&min| len < min)
    }

    /// `helper::national_number`: strip the national prefix (and carrier
    /// code), transformed where the plan says so, unless that turns a
    /// viable number into one that is not.
    fn strip_national_prefix(&self, national: &str) -> String {
        let Some(parsing) = &self.parsing else {
            return match &self.national_prefix {
                Some(p) if national.starts_with(p.as_str()) => national[p.len()..].to_owned(),
                _ => national.to_owned(),
            };
        };
        let Some(caps) = parsing.captures(national) else { return national.to_owned() };
        let Some(whole) = caps.get(0) else { return national.to_owned() };
        let viable = self.general.is_match(national);
        // The crate takes the last group, which is the whole match when the
        // pattern has no group of its own.
        let last = caps.get(caps.len() - 1);
        match (&self.transform, last) {
            (Some(rule), Some(_)) => {
                let transformed = parsing.replace(national, rule.as_str()).into_owned();
                if viable && !self.general.is_match(&transformed) {
                    national.to_owned()
                } else {
                    transformed
                }
            }
            // The crate's viability check here compares the number with
            // itself (`national[start..]`, start being 0), so it always strips.
            _ => national[whole.end()..].to_owned(),
        }
    }
}

/// Every region of the metadata, compiled on first use.
#[derive(Debug)]
pub(crate) struct Plans {
    index: HashMap<String, usize>,
    /// Region positions by country calling code, in the metadata's order.
    by_code: HashMap<u16, Vec<usize>>,
    compiled: Vec<OnceLock<Option<Region>>>,
    metas: Vec<&'static Metadata>,
    /// Per region, what is known without compiling anything.
    quick: Vec<Quick>,
}

/// A region's code, trunk prefix, possible lengths and local-only lengths.
#[derive(Debug)]
struct Quick {
    code: u16,
    prefix: Option<String>,
    lengths: Vec<u16>,
    local: Vec<u16>,
}

impl Plans {
    pub(crate) fn new() -> Self {
        let db = &*DATABASE;
        // By country calling code, in the metadata's own order (the main
        // country first). Non-geographic entities (`+800`, `+808`, …) all
        // have the id `001` and exist only here, not in the by-id map.
        let mut metas: Vec<&'static Metadata> = Vec::new();
        let mut by_code: HashMap<u16, Vec<usize>> = HashMap::new();
        for code in 1..=999u16 {
            for m in db.by_code(&code).unwrap_or_default() {
                let i = match metas.iter().position(|x| std::ptr::eq(*x, m)) {
                    Some(i) => i,
                    None => {
                        metas.push(m);
                        metas.len() - 1
                    }
                };
                by_code.entry(code).or_default().push(i);
            }
        }
        let index = db.iter().filter_map(|m| metas.iter().position(|x| std::ptr::eq(*x, m)).map(|i| (m.id().to_owned(), i))).collect();
        let compiled = metas.iter().map(|_| OnceLock::new()).collect();
        let quick = metas
            .iter()
            .map(|m| {
                let g = m.descriptors().general();
                Quick {
                    code: m.country_code(),
                    prefix: m.national_prefix().map(str::to_owned),
                    lengths: g.possible_length().to_vec(),
                    local: g.possible_local_length().to_vec(),
                }
            })
            .collect();
        Self { index, by_code, compiled, metas, quick }
    }

    fn region(&self, i: usize) -> Option<&Region> {
        self.compiled.get(i)?.get_or_init(|| self.metas.get(i).and_then(|m| Region::compile(m))).as_ref()
    }

    fn by_id(&self, id: &str) -> Option<&Region> {
        self.region(*self.index.get(id)?)
    }

    /// `validator::source_for`: which region of `code` a national number
    /// belongs to.
    fn source_for(&self, code: u16, national: &str) -> Option<&Region> {
        let regions = self.by_code.get(&code)?;
        if let [only] = regions.as_slice() {
            return self.region(*only);
        }
        for &i in regions {
            let r = self.region(i)?;
            match &r.leading_digits {
                Some(ld) if ld.is_match(national) => return Some(r),
                Some(_) => {}
                None if r.has_type(national) => return Some(r),
                None => {}
            }
        }
        None
    }

    /// For an international number (`+…`), the length of its national
    /// part when its country code exists.
    pub(crate) fn national_length(&self, raw: &str) -> Option<usize> {
        step(raw.len() + 1);
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let digits = raw.trim_start().strip_prefix("00").map_or(digits.as_str(), |_| digits.get(2..).unwrap_or_default());
        (1..=3)
            .find(|&len| digits.get(..len).and_then(|c| c.parse().ok()).is_some_and(|c: u16| self.by_code.contains_key(&c)))
            .map(|len| digits.len() - len)
    }

    /// Whether a national number of these digits could exist in `region` at
    /// all, by length alone: a cheap test before the real one.
    pub(crate) fn could_be(&self, region: &str, digits: &str) -> bool {
        let Some(Quick { code, prefix, lengths, local }) = self.index.get(region).and_then(|&i| self.quick.get(i)) else { return false };
        if lengths.is_empty() {
            return true;
        }
        let fits = |n: usize| lengths.iter().chain(local).any(|&l| usize::from(l) == n);
        let without_prefix = prefix.as_deref().filter(|p| digits.starts_with(p)).map(|p| digits.len() - p.len());
        let code_len = code.to_string().len();
        fits(digits.len()) || without_prefix.is_some_and(fits) || (digits.len() > code_len && fits(digits.len() - code_len))
    }

    /// Whether `raw` (digits and separators, perhaps a leading `+`) is a
    /// valid number, read as the `region` would read it when given.
    pub(crate) fn is_valid(&self, region: Option<&str>, raw: &str) -> bool {
        // Each of the plan's regular expressions runs in time linear in
        // the number (the `regex` crate does not backtrack); there are a
        // bounded number of them.
        step(raw.len() + 1);
        let plus = raw.trim_start().starts_with('+');
        let mut national: String = raw.chars().filter(char::is_ascii_digit).collect();
        let hint = region.and_then(|r| self.by_id(r));
        let mut from_plus = plus;
        if !plus {
            // A leading international prefix (`00`, `011`) works like `+`,
            // unless a 0 follows it.
            if let Some(idd) = hint.and_then(|h| h.international_prefix.as_ref()) {
                if let Some(m) = idd.find(&national) {
                    if !national[m.end()..].starts_with('0') {
                        national = national[m.end()..].to_owned();
                        from_plus = true;
                    }
                }
            }
        }
        let code = if from_plus {
            if national.len() <= MIN_LENGTH_FOR_NSN || national.starts_with('0') {
                return false;
            }
            let Some(len) =
                (1..=3).find(|&len| national.get(..len).and_then(|c| c.parse().ok()).is_some_and(|c: u16| self.by_code.contains_key(&c)))
            else {
                return false;
            };
            let code = national[..len].parse().unwrap_or(0);
            national = national[len..].to_owned();
            code
        } else {
            let Some(h) = hint else { return false };
            // A national number that starts with the country code and is
            // not a possible number as it stands had the code typed in.
            let code_str = h.code.to_string();
            if national.starts_with(&code_str) && (!h.general.is_match(&national) || !possible_length(h, &national)) {
                national = national[code_str.len()..].to_owned();
            }
            h.code
        };
        let meta = match region {
            Some(_) => hint,
            None => self.source_for(code, national.trim_start_matches('0')),
        };
        if let Some(m) = meta {
            let mut potential = m.strip_national_prefix(&national);
            if let Some(p) = &m.national_prefix {
                if potential.starts_with(p.as_str()) {
                    potential = potential[p.len()..].to_owned();
                }
            }
            if !m.too_short(&potential) {
                national = potential;
            }
        }
        if !(MIN_LENGTH_FOR_NSN..=MAX_LENGTH_FOR_NSN).contains(&national.len()) {
            return false;
        }
        // The crate keeps the national number as an integer plus its count
        // of leading zeros: the string is unchanged by that round trip.
        self.source_for(code, &national).is_some_and(|r| r.has_type(&national))
    }
}

/// `validator::length(…).is_possible()` for the general descriptor: no
/// possible lengths means an invalid length, before local lengths count.
fn possible_length(r: &Region, national: &str) -> bool {
    let len = national.len() as u16;
    let possible = &r.general.lengths;
    let (Some(&min), Some(&max)) = (possible.first(), possible.last()) else { return false };
    r.general.local_lengths.contains(&len) || len == min || (len > min && len <= max && possible.contains(&len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonenumber::country::Id;

    fn library(region: Option<Id>, raw: &str) -> bool {
        phonenumber::parse(region, raw).is_ok_and(|n| phonenumber::is_valid(&n))
    }

    /// Inputs: every region's example numbers, nationally and
    /// internationally written, with one digit changed, one dropped, one
    /// added, and a leading trunk 0; plus pseudo-random digit strings.
    fn inputs() -> Vec<(Option<&'static str>, String)> {
        let mut out = Vec::new();
        let regions = [
            "US", "GB", "DE", "FR", "ES", "AU", "CA", "IT", "NL", "IE", "BE", "CH", "AT", "PT", "MX", "BR", "IN", "NZ", "AR", "JP", "SE",
            "NO", "PL", "RU", "ZA",
        ];
        for m in DATABASE.iter() {
            let d = m.descriptors();
            let examples: Vec<&str> = [Some(d.general()), d.fixed_line(), d.mobile(), d.toll_free(), d.premium_rate(), d.voip(), d.uan()]
                .into_iter()
                .flatten()
                .filter_map(Descriptor::example)
                .collect();
            for ex in examples {
                let mut variants = vec![ex.to_owned(), format!("0{ex}")];
                if ex.len() > 4 {
                    let mut changed: Vec<char> = ex.chars().collect();
                    let last = changed.len() - 1;
                    changed[last] = if changed[last] == '9' { '0' } else { char::from(changed[last] as u8 + 1) };
                    variants.push(changed.into_iter().collect());
                    variants.push(ex[..ex.len() - 1].to_owned());
                    variants.push(format!("{ex}7"));
                }
                for v in variants {
                    out.push((None, format!("+{} {v}", m.country_code())));
                    if regions.contains(&m.id()) {
                        let id: &'static str = regions.iter().find(|r| **r == m.id()).copied().unwrap_or("US");
                        out.push((Some(id), v.clone()));
                        out.push((Some(id), format!("00{} {v}", m.country_code())));
                    }
                }
            }
        }
        // A linear congruential generator: reproducible, no dependency.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..4000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let len = 7 + (x >> 60) as usize % 7;
            let digits: String = (0..len).map(|i| char::from(b'0' + ((x >> (i * 4 % 56)) % 10) as u8)).collect();
            let region = regions[(x >> 33) as usize % regions.len()];
            out.push((Some(region), digits.clone()));
            out.push((None, format!("+{digits}")));
        }
        out
    }

    #[test]
    fn agrees_with_the_library_on_examples_mutations_and_noise() {
        let plans = Plans::new();
        let mut checked = 0;
        let mut valid = 0;
        let mut disagree = Vec::new();
        for (region, raw) in inputs() {
            let id = region.and_then(|r| r.parse::<Id>().ok());
            let want = library(id, &raw);
            let got = plans.is_valid(region, &raw);
            checked += 1;
            valid += usize::from(want);
            if want != got {
                disagree.push(format!("{region:?} {raw}: library {want}, fast {got}"));
            }
        }
        assert!(
            disagree.is_empty(),
            "{} of {checked} disagree:\n{}",
            disagree.len(),
            disagree.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
        );
        assert!(checked > 10_000 && valid > 1_000, "{checked} checked, {valid} valid");
    }
}
