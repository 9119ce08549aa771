//! The engine's work is linear in its input: counted in steps (see
//! [`super::work`]), on the texts that once hung it, on long adversarial
//! texts built to make one recognizer go back over what it has read, and
//! on random texts made of what the recognizers look for.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use proptest::prelude::*;

use super::work::{measure, over_budget, STEPS_PER_BYTE};
use super::{Analyzer, EntityType, Span};

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(Analyzer::new)
}

fn preview(text: &str) -> String {
    let head: String = text.chars().take(60).collect();
    if head.len() < text.len() {
        format!("{head:?}… ({} bytes)", text.len())
    } else {
        format!("{head:?}")
    }
}

/// The spans of `text` and the steps they took, failing (not hanging) when
/// the work goes over the linear budget.
fn analyze_within_budget(text: &str) -> (Vec<Span>, u64) {
    let budget = STEPS_PER_BYTE * (text.len() as u64 + 1);
    match catch_unwind(AssertUnwindSafe(|| measure(budget, || analyzer().analyze(text)))) {
        Ok(done) => done,
        Err(payload) if over_budget(payload.as_ref()) => panic!("over {budget} steps (the linear budget) on {}", preview(text)),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// What every answer keeps: spans in bounds, on char boundaries, ordered,
/// apart, with char offsets that count chars.
fn assert_well_formed(text: &str, spans: &[Span]) {
    let mut last_end = 0;
    let mut last_char_end = 0;
    for s in spans {
        assert!(s.start < s.end && s.end <= text.len(), "{s:?} out of bounds in {}", preview(text));
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{s:?} splits a char in {}", preview(text));
        assert!(s.start >= last_end, "{s:?} overlaps the span before it in {}", preview(text));
        assert_eq!(text[..s.start].chars().count() - text[..last_end].chars().count(), s.char_start - last_char_end, "{s:?}");
        assert_eq!(text[s.start..s.end].chars().count(), s.char_end - s.char_start, "{s:?}");
        last_end = s.end;
        last_char_end = s.char_end;
    }
}

fn check(text: &str) -> Vec<Span> {
    let (spans, _) = analyze_within_budget(text);
    assert_well_formed(text, &spans);
    spans
}

#[test]
fn punctuation_before_a_plus_or_a_bracket_no_longer_hangs_the_scan() {
    // Each of these ran forever: the digit walk stopped at the `+` or `(`
    // without moving on.
    for text in ["call me,+44 7700 900123", "Office,(07700)901487", "a-+1", "x:(1", "y_+2", "z.+3", "tel:+44 20 7946 0958"] {
        check(text);
    }
}

#[test]
fn a_number_after_a_comma_or_a_colon_is_still_found() {
    let text = "call me,+44 20 7946 0958 or tel:+44 20 7946 0959";
    let found: Vec<&str> = check(text).iter().map(|s| s.text(text)).collect();
    assert_eq!(found, vec!["+44 20 7946 0958", "+44 20 7946 0959"]);
}

/// Long texts, each built to make one loop go back over what it read.
fn adversarial() -> Vec<(&'static str, String)> {
    let rep = |unit: &str, bytes: usize| unit.repeat(bytes / unit.len().max(1) + 1);
    let n = 100_000;
    vec![
        ("comma plus digit", rep(",+1", n)),
        ("hyphen plus digit", rep("a-+1", n)),
        ("colon bracket digit", rep("x:(1", n)),
        ("digits and spaces", rep("1 ", n)),
        ("digits, one bracket", format!("({}", rep("1 ", n))),
        ("long digit run", rep("7", n)),
        ("first names joined by hyphens", rep("Kayla-", n)),
        ("a path of words", rep("a/", n)),
        ("a link of words", format!("https://x.com/{}", rep("a/", n))),
        ("signatures on one line", rep("- Ab ", n)),
        ("a run of dashes", format!("{} Ann Lee", rep("-", n))),
        ("carets on one line", rep("^Mike ", n)),
        ("names announcing themselves", rep("Sam here ", n)),
        ("greetings without a name", rep("hi there ", n)),
        ("order cues joined by hyphens", rep("order-", n)),
        ("order cues and digit groups", rep("order 1 ", n)),
        ("street types", rep("Road ", n)),
        ("street types after a number", format!("12 {}", rep("Road ", n))),
        ("links inside a link", rep("http://a.co/", n)),
        ("a link closed many times", format!("http://a.co/{}", rep(")", n))),
        ("www, again and again", rep("www.-", n)),
        ("bare domains that fail", rep("a.co.-", n)),
        ("bare domains with an at sign", rep("a.co/@", n)),
        ("e-mail addresses", rep("a@b.co ", n)),
        ("at signs", rep("@a", n)),
        ("colons and hex", rep("a:", n)),
        ("dots and digits", rep("1.", n)),
        ("a date-like run", format!("dob {}", rep("1-", n))),
        ("birth dates of fillers", format!("date of birth 1 {}", rep("of ", n))),
        ("titles", rep("Mr ", n)),
        ("a titled token", format!("my name is {}", rep("Dr.", n))),
        ("name cues", rep("my name is ", n)),
        ("closings", rep("Thanks, ", n)),
        ("units", rep("Apt 4 ", n)),
        ("postcodes", format!("12 Main St, {}", rep("A", n))),
        ("address lines", rep("12 Mill Road\nLeeds\n", n)),
        ("address parts", rep("1 Main St, ", n)),
        ("lower-case streets", rep("1 mill road, ", n)),
        ("streets before postcodes", rep("Damrak 1, 1012 AB Amsterdam, ", n)),
        ("numbers before commas", rep("Ab 1,", n)),
        ("numbers before line breaks", rep("Ab 1\n", n)),
        ("boxes", rep("PO Box 1, ", n)),
        ("military post", rep("PSC 1, Box 2, APO AE 09876 ", n)),
        ("units before military post", format!("{}APO AE 09876", rep("Unit ", n))),
        ("units after a street", format!("12 Main St{}", rep(" Apt 4", n))),
        ("towns after a street", format!("12 Main St{}", rep(", Leeds", n))),
        ("street prefixes", rep("rue ", n)),
        ("a street prefix before names", format!("Calle {}", rep("Mayor ", n))),
        ("articles", rep("Am ", n)),
        ("countries", rep("United ", n)),
        ("compound streets after numbers", rep("1 Hauptstraße ", n)),
        ("capitals", rep("AB", n)),
        ("non-ASCII words", rep("Ünïcödé ", n)),
        ("emoji", rep("🙂", n)),
        ("newlines", rep("\n", n)),
        ("spaces", rep(" ", n)),
        ("a name then spaces", format!("- Ann Lee{}", rep(" ", n))),
        ("a phone then spaces", format!("call 0412 967 692{}", rep(" ", n))),
        ("phones with extensions", rep("0412 967 692 x1 ", n)),
        ("phones with labels", rep("612 345 678 office ", n)),
        ("phones with copulas", rep("612345678 is my ", n)),
        ("amounts", rep("1 299 000 € ", n)),
        ("digits grouped as cards", rep("4111 ", n)),
        ("phone cues inside order cues", rep("account number is 1 ", n)),
        ("tracking cues and groups", rep("tracking 1Z 99 ", n)),
        ("a tracking cue then groups", format!("tracking 1Z{}", rep(" 9", n))),
        ("letter pairs before digits", rep("de89 ", n)),
        ("letter pairs, spaced digits", rep("ab 1", n)),
        ("birth questions", rep("dob? ", n)),
        ("a birth question then breaks", format!("dob{}", rep("?\n", n))),
        ("a birth cue then format hints", format!("dob {}", rep("dd/mm/", n))),
    ]
}

#[test]
fn long_adversarial_texts_take_work_linear_in_their_length() {
    let mut report = Vec::new();
    for (name, text) in adversarial() {
        let result = catch_unwind(AssertUnwindSafe(|| check(&text)));
        if result.is_err() {
            report.push(name);
        }
    }
    assert!(report.is_empty(), "over the linear budget: {report:?}");
}

/// What random texts are made of: every cue phrase and first name the
/// recognizers look for, the punctuation and digits the numeric walk
/// turns on, pieces of every kind of personal data, and text beyond ASCII
/// (accents, scripts, emoji, a char whose lower case is shorter).
fn vocabulary() -> &'static [String] {
    static V: OnceLock<Vec<String>> = OnceLock::new();
    V.get_or_init(|| {
        let cues = concat!(include_str!("../../data/pii-cues.txt"), include_str!("../../data/address-cues.txt"));
        let names = include_str!("../../data/pii-first-names.txt");
        let places = include_str!("../../data/address-countries.txt");
        let mut v: Vec<String> = cues
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(_, phrase)| phrase.trim().to_owned())
            .chain(names.lines().filter(|l| !l.starts_with('#')).step_by(7).map(|n| n.trim().to_owned()))
            .chain(places.lines().filter(|l| !l.starts_with('#')).step_by(5).map(|n| n.trim().to_owned()))
            .filter(|w| !w.is_empty())
            .collect();
        for c in ",.-:_+()/@#^~'\"!?;*[]&=%$€£<>|{}\\`º°".chars() {
            v.push(c.to_string());
        }
        for d in 0..10 {
            v.push(d.to_string());
        }
        v.extend(
            [
                " ",
                "  ",
                "\n",
                "\t",
                "\r\n",
                ", ",
                ". ",
                " - ",
                "—",
                "–",
                "’",
                "\u{a0}",
                "é",
                "ß",
                "Ünï",
                "Привет",
                "中文",
                "🙂",
                "\u{212a}",
                "e\u{301}",
                "+44 20 7946 0958",
                "+44 7700 900123",
                "07700 900123",
                "+1 (415) 555-006",
                "(02) 1274 3957",
                "201-555-0123",
                "0049 30 371008",
                "4111 1111 1111 1111",
                "636-32-0239",
                "98.38.126.109",
                "2001:db8::1",
                "a@b.co",
                "jo.smith@mail.example.org",
                "@brand_care",
                "http://x.co/a(b)",
                "https://t.co/",
                "www.",
                "shop.example.co.uk/returns",
                ".com",
                "DE89 3704 0044 0532 0130 00",
                "AB 12 34 56 C",
                "22/03/1979",
                "16 April 1967",
                "#NW-88231",
                "12 Main St",
                "Hauptstraße 5",
                "Apt 4",
                "APO AE 09876",
                "1012 AB",
                "SW1A 1AA",
                "D02 X285",
                "1100-053",
                "3º izq.",
                ", 28013 Madrid",
                "\nLeeds\nLS1 4AB",
            ]
            .map(str::to_owned),
        );
        v
    })
}

/// A piece of text: a word of the vocabulary, once or repeated, or any char.
fn piece() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vocabulary());
    prop_oneof![
        6 => word.clone(),
        2 => (word, 2..120usize).prop_map(|(w, n)| w.repeat(n)),
        1 => any::<char>().prop_map(String::from),
        1 => (any::<char>(), 2..300usize).prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_texts_of_what_the_recognizers_look_for_take_linear_work(pieces in prop::collection::vec(piece(), 0..80)) {
        check(&pieces.concat());
    }

    #[test]
    fn any_string_takes_linear_work(text in any::<String>()) {
        check(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_take_linear_work(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_corpus_messages_take_linear_work(which in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..12)) {
        let messages = corpus_messages();
        check(&mutate(&messages[which.index(messages.len())], &edits));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn an_analyzer_for_some_types_keeps_the_same_promises(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 0..8),
        types in prop::sample::subsequence(EntityType::ALL.to_vec(), 0..=EntityType::ALL.len()),
    ) {
        let messages = corpus_messages();
        let text = mutate(&messages[which.index(messages.len())], &edits);
        let some = Analyzer::new().only(types.iter().copied());
        let budget = STEPS_PER_BYTE * (text.len() as u64 + 1);
        let (spans, _) = match catch_unwind(AssertUnwindSafe(|| measure(budget, || some.analyze(&text)))) {
            Ok(done) => done,
            Err(payload) if over_budget(payload.as_ref()) => panic!("over {budget} steps with {types:?} on {}", preview(&text)),
            Err(payload) => std::panic::resume_unwind(payload),
        };
        assert_well_formed(&text, &spans);
        prop_assert!(spans.iter().all(|s| types.contains(&s.entity)), "{types:?}: {spans:?}");
    }
}

/// The messages of the harder corpora, to mutate.
fn corpus_messages() -> &'static [String] {
    static M: OnceLock<Vec<String>> = OnceLock::new();
    M.get_or_init(|| {
        [include_str!("../../tests/data/pii-hard.jsonl"), include_str!("../../tests/data/pii-varied.jsonl")]
            .iter()
            .flat_map(|c| c.lines())
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_owned))
            .collect()
    })
}

/// One change to a message's bytes.
#[derive(Clone, Debug)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    DuplicateLine(usize),
    /// The message again after itself, `n` times: long texts of the same
    /// personal data.
    Repeat(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        3 => prop::sample::select(b"@.:-+/#,\n\r ()0123456789\xc3\xa9\xe2\x80".to_vec()),
        1 => any::<u8>(),
    ];
    prop_oneof![
        3 => (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Flip(i, b)),
        3 => (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        2 => any::<usize>().prop_map(Edit::Delete),
        1 => any::<usize>().prop_map(Edit::Truncate),
        1 => any::<usize>().prop_map(Edit::DuplicateLine),
        1 => (1..20usize).prop_map(Edit::Repeat),
    ]
}

/// `text` with `edits` applied to its bytes (positions taken modulo its
/// length), read back as UTF-8 lossily.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut out = text.as_bytes().to_vec();
    for e in edits {
        let n = out.len().max(1);
        match *e {
            Edit::Flip(i, b) if !out.is_empty() => out[i % n] = b,
            Edit::Insert(i, b) => out.insert(i % (out.len() + 1), b),
            Edit::Delete(i) if !out.is_empty() => {
                out.remove(i % n);
            }
            Edit::Truncate(i) => out.truncate(i % (out.len() + 1)),
            Edit::DuplicateLine(i) => {
                let mut lines: Vec<Vec<u8>> = out.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                if !lines.is_empty() {
                    let k = i % lines.len();
                    lines.insert(k, lines[k].clone());
                    out = lines.concat();
                }
            }
            Edit::Repeat(times) => out = out.repeat(times + 1),
            _ => {}
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Steps per byte on the corpora the engine is measured on, printed: the
/// budget above keeps a wide margin over these.
#[test]
#[ignore = "prints figures; run by hand"]
fn steps_per_byte_on_the_corpora() {
    // The shared corpora beside the checkout, or where CANDOR_SHARED says.
    let shared = std::env::var("CANDOR_SHARED").unwrap_or_else(|_| "../../../shared".to_owned());
    for path in
        ["tests/data/pii-varied.jsonl".to_owned(), format!("{shared}/data/pii/dev.jsonl"), format!("{shared}/data/sentiment/dev.jsonl")]
    {
        let Ok(body) = std::fs::read_to_string(&path) else { continue };
        let (mut max, mut total, mut bytes) = (0f64, 0u64, 0u64);
        for line in body.lines() {
            let Ok(doc) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let Some(text) = doc.get("text").and_then(|t| t.as_str()) else { continue };
            let (_, steps) = analyze_within_budget(text);
            max = max.max(steps as f64 / (text.len() + 1) as f64);
            total += steps;
            bytes += text.len() as u64 + 1;
        }
        println!("{path}: mean {:.1}, max {max:.1} steps a byte", total as f64 / bytes as f64);
    }
    for (name, text) in adversarial() {
        if let Ok((_, steps)) = catch_unwind(AssertUnwindSafe(|| analyze_within_budget(&text))) {
            println!("{name}: {:.1} steps a byte", steps as f64 / (text.len() + 1) as f64);
        } else {
            println!("{name}: OVER");
        }
    }
}
