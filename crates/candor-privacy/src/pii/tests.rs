//! The analyzer end to end, on messages written for these tests.

use super::*;

fn found(text: &str) -> Vec<(EntityType, String)> {
    Analyzer::new().analyze(text).iter().map(|s| (s.entity, s.text(text).to_owned())).collect()
}

fn has(text: &str, entity: EntityType, value: &str) {
    let got = found(text);
    assert!(got.iter().any(|(e, v)| *e == entity && v == value), "{entity} `{value}` not found in {text:?}: {got:?}");
}

#[test]
fn a_message_with_many_kinds_of_personal_data() {
    let text = "@NorthwindHelp hi, my name is Ana María López. Order #NW-88231 never came; call +44 7911 123456 or mail ana.lopez@mail.example.org";
    let got = found(text);
    assert_eq!(
        got,
        vec![
            (EntityType::Handle, "@NorthwindHelp".into()),
            (EntityType::Person, "Ana María López".into()),
            (EntityType::OrderId, "NW-88231".into()),
            (EntityType::Phone, "+44 7911 123456".into()),
            (EntityType::Email, "ana.lopez@mail.example.org".into()),
        ]
    );
}

#[test]
fn char_offsets_count_characters_not_bytes() {
    let text = "Привет! my name is Zoë Ångström";
    let spans = Analyzer::new().analyze(text);
    let s = spans.iter().find(|s| s.entity == EntityType::Person).expect("a name");
    assert_eq!(s.text(text), "Zoë Ångström");
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(chars[s.char_start..s.char_end].iter().collect::<String>(), "Zoë Ångström");
    assert!(s.start > s.char_start, "byte offsets differ after Cyrillic text");
}

#[test]
fn names_need_context_and_capitals() {
    has("Hola, me llamo Pedro Sánchez Ruiz y tengo un problema", EntityType::Person, "Pedro Sánchez Ruiz");
    has("Guten Tag, mein Name ist Jürgen von Weizsäcker.", EntityType::Person, "Jürgen von Weizsäcker");
    has("still no refund\n\nThanks,\nPriya Raman", EntityType::Person, "Priya Raman");
    has("this is Tom O'Brien from the Leeds store", EntityType::Person, "Tom O'Brien");
    has("I spoke to Kevin yesterday and nothing happened", EntityType::Person, "Kevin");
    has("refund please\n— Olu Adeyemi", EntityType::Person, "Olu Adeyemi");
    for text in ["I'm Very angry about this", "I am British and proud", "hi Team, any news?", "My Order Is Late", "New York is lovely"] {
        assert!(found(text).iter().all(|(e, _)| *e != EntityType::Person), "{text}: {:?}", found(text));
    }
}

#[test]
fn dates_are_personal_only_as_dates_of_birth() {
    has("DOB: 03/04/1988, please update it", EntityType::DateOfBirth, "03/04/1988");
    has("I was born on 7 March 1991 and the form says otherwise", EntityType::DateOfBirth, "7 March 1991");
    has("ma date de naissance est le 12 juin 1975", EntityType::DateOfBirth, "12 juin 1975");
    assert!(found("the parcel left on 03/04/2024 and arrived 7 March 2024").is_empty());
}

#[test]
fn order_references_need_a_cue() {
    has("my booking reference is XK7P2Q and the flight left", EntityType::OrderId, "XK7P2Q");
    has("numéro de commande : FR-2231-99", EntityType::OrderId, "FR-2231-99");
    has("Bestellnummer 40012233", EntityType::OrderId, "40012233");
    assert!(found("use code SAVE20 for 20% off, flight BA117 at 09:40").is_empty());
}

#[test]
fn look_alikes_are_left_alone() {
    for text in [
        "flight LH 441 departs 10:45, gate B22",
        "it cost $1,299.99 and €45.50",
        "update to iOS 17.2.1 or app version 4.12.0",
        "tracking 1Z999 shows nothing, room 1204, 3 of 5 stars",
        "16-digit number 1234 5678 9012 3456 fails Luhn",
        "call center hours 9-5, Mon-Fri",
        "discount code 562616 didn't work",
    ] {
        assert!(found(text).is_empty(), "{text}: {:?}", found(text));
    }
}

#[test]
fn overlaps_keep_the_better_candidate() {
    // The e-mail's domain is not also a URL; the URL's digits are not a phone.
    assert_eq!(found("x@shop.example.com"), vec![(EntityType::Email, "x@shop.example.com".into())]);
    assert_eq!(found("see https://t.example.com/r/4155550123"), vec![(EntityType::Url, "https://t.example.com/r/4155550123".into())]);
}

#[test]
fn spans_never_overlap_and_are_ordered() {
    let text = "Ship to 9 Elm Road, Bath BA1 1AA; call 01225 477000; IBAN GB82WEST12345698765432; ip 10.0.0.1; NI AB123456C";
    let spans = Analyzer::new().analyze(text);
    assert!(spans.windows(2).all(|w| w[0].end <= w[1].start), "{spans:?}");
    let types: Vec<EntityType> = spans.iter().map(|s| s.entity).collect();
    assert_eq!(types, vec![EntityType::Address, EntityType::Phone, EntityType::Iban, EntityType::IpAddress, EntityType::UkNino]);
}

#[test]
fn entity_names_round_trip() {
    for t in EntityType::ALL {
        assert_eq!(EntityType::parse(t.as_str()), Some(t));
        assert_eq!(serde_json::to_value(t).unwrap(), serde_json::json!(t.as_str()));
    }
}

#[test]
fn words_inside_a_link_are_not_cues_for_what_follows() {
    // `update` is a version cue, but not as part of a link's path.
    has("phishing site https://login-billing.help/update hosted on 45.142.212.61", EntityType::IpAddress, "45.142.212.61");
    has("see www.example.com/version and 81.2.69.142", EntityType::IpAddress, "81.2.69.142");
    assert!(found("please update to firmware 3.10.4.1").iter().all(|(e, _)| *e != EntityType::IpAddress));
}

/// Whether `phone` is found as a whole in `frame`: as a phone, or within
/// a span of another type (`0.123.45.67` is an IP address too).
fn phone_found(frame: &str, phone: &str) -> Result<(), String> {
    let text = frame.replace("{p}", phone);
    let at = text.find(phone).unwrap_or_default();
    static ANALYZER: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
    let spans = ANALYZER.get_or_init(Analyzer::new).analyze(&text);
    let whole = |s: &Span| s.start <= at && at + phone.len() <= s.end && (s.entity != EntityType::Phone || s.text(&text) == phone);
    if spans.iter().any(whole) {
        Ok(())
    } else {
        Err(format!("{phone:?} not found in {text:?}: {spans:?}"))
    }
}

#[test]
fn phone_identifiers_in_every_usual_format_are_found_in_sentences() {
    for phone in [
        "+44 20 7946 0958",
        "+44 (0)20 7946 0958",
        "0044 20 7946 0958",
        "+447700900521",
        "+44 7700 900521",
        "+1 (415) 555-0123",
        "+1 (415) 555-006",
        "+1 415-555-0123",
        "(415) 555-0123",
        "415-555-0123",
        "415.555.0123",
        "1-800-555-0199",
        "07700 900123",
        "07849951099",
        "(07700) 900123",
        "(07700)901487",
        "030 327206",
        "0121 282 9918",
        "01 23 45 67 89",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+49 151 2345 6123",
        "+34 612 34 56 78",
        "+61 412 345 678",
    ] {
        // National numbers are identifiers in a default region.
        let region = candor_domain::PhoneRegion::parse("GB").ok();
        assert!(candor_domain::Identifier::phone_in(phone, region.as_ref()).is_ok(), "{phone} is a phone identifier");
        for frame in super::PHONE_FRAMES {
            if let Err(e) = phone_found(frame, phone) {
                panic!("{e}");
            }
        }
    }
}

/// A phone number in one of the formats people write: with a `+` or `00`
/// country code, a trunk `0`, an area code in brackets, the North American
/// grouping; grouped in every way, or not at all.
fn written_phone() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let groups = |n: std::ops::Range<usize>| {
        prop::collection::vec(("[ .-]", "[0-9]{1,4}"), n).prop_map(|gs| gs.into_iter().map(|(s, g)| s + &g).collect::<String>())
    };
    prop_oneof![
        ("[1-9][0-9]{0,2}", groups(1..6)).prop_map(|(cc, rest)| format!("+{cc}{rest}")),
        "\\+[1-9][0-9]{6,14}",
        ("[1-9][0-9]{0,2}", groups(1..6)).prop_map(|(cc, rest)| format!("00{cc}{rest}")),
        ("[1-9][0-9]{0,2}", "[0-9]{1,4}", groups(1..5)).prop_map(|(cc, area, rest)| format!("+{cc} (0){area}{rest}")),
        ("0[1-9][0-9]{0,4}", groups(1..5)).prop_map(|(trunk, rest)| trunk + &rest),
        "0[1-9][0-9]{7,11}",
        ("0?[1-9][0-9]{0,4}", "[ ]?", "[0-9]{1,4}", groups(0..4)).prop_map(|(area, sp, first, rest)| format!("({area}){sp}{first}{rest}")),
        ("1[ .-]", "[0-9]{3}", "[ .-]", "[0-9]{3}", "[ .-]", "[0-9]{4}").prop_map(|(a, b, c, d, e, f)| format!("{a}{b}{c}{d}{e}{f}")),
        ("[0-9]{3}", "[ .-]", "[0-9]{3}", "[ .-]", "[0-9]{4}").prop_map(|(b, c, d, e, f)| format!("{b}{c}{d}{e}{f}")),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, max_global_rejects: 10000, ..Default::default() })]

    /// What candor takes as a phone identifier and what it redacts in a
    /// message are one definition ([`candor_domain::PhoneShape`]): any
    /// string the identity parser takes is found in any of the frames.
    #[test]
    fn whatever_candor_takes_as_a_phone_identifier_it_redacts_in_a_sentence(
        phone in written_phone(),
        frame in proptest::sample::select(super::PHONE_FRAMES),
    ) {
        let region = candor_domain::PhoneRegion::parse("GB").ok();
        proptest::prop_assume!(candor_domain::Identifier::phone_in(&phone, region.as_ref()).is_ok());
        if let Err(e) = phone_found(frame, &phone) {
            proptest::prop_assert!(false, "{}", e);
        }
    }
}

/// The texts of the harder corpora, for tests that ask every recognizer.
fn corpus_texts() -> Vec<String> {
    [include_str!("../../tests/data/pii-hard.jsonl"), include_str!("../../tests/data/pii-varied.jsonl")]
        .iter()
        .flat_map(|c| c.lines())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn each_stage_finds_only_the_types_the_table_gives_it() {
    let texts = corpus_texts();
    assert!(texts.len() > 100, "the corpora are read");
    let analyzer = Analyzer::new();
    for text in &texts {
        let cues = analyzer.cues.find(text);
        for stage in Stage::ALL {
            let mut out = Vec::new();
            match stage {
                Stage::EmailsAndHandles => structured::emails_and_handles(text, &mut out),
                Stage::Urls => structured::urls(text, &cues, &mut out),
                Stage::LetterAnchored => structured::letter_anchored(text, &cues, &mut out),
                Stage::Numeric => numeric::scan(text, &cues, &analyzer.phone, &mut out),
                Stage::PersonModel => analyzer.person.recognize(text, &mut out),
                _ => context::recognize(text, &cues, Selection::of(stage.entities()).only_stage(stage), &mut out),
            }
            for c in &out {
                assert!(stage.entities().any(|e| e == c.entity), "{stage:?} found a {} in {text:?}", c.entity);
            }
        }
    }
}

#[test]
fn an_analyzer_for_some_types_reports_only_those() {
    let text = "Hi, I'm Ana López, @ana_l. Order #NW-88231; call +44 7911 123456 or mail ana@mail.example.org, \
                DOB 12/03/1985, 10 Downing Street, London SW1A 2AA, card 4111 1111 1111 1111";
    let all = Analyzer::new().analyze(text);
    let kinds: std::collections::BTreeSet<EntityType> = all.iter().map(|s| s.entity).collect();
    assert!(kinds.len() >= 7, "the text has many kinds: {kinds:?}");
    let some = Analyzer::new().only([EntityType::Email, EntityType::Phone]).analyze(text);
    let got: Vec<(EntityType, &str)> = some.iter().map(|s| (s.entity, s.text(text))).collect();
    assert_eq!(got, [(EntityType::Phone, "+44 7911 123456"), (EntityType::Email, "ana@mail.example.org")]);
    // Asking for every type is the analyzer as it was.
    assert_eq!(Analyzer::new().only(EntityType::ALL).analyze(text), all);
    for t in EntityType::ALL {
        let only = Analyzer::new().only([t]).analyze(text);
        assert!(only.iter().all(|s| s.entity == t), "{t}: {only:?}");
    }
    assert!(Analyzer::new().only([]).analyze(text).is_empty());
}

#[test]
fn an_analyzer_for_some_types_skips_the_stages_they_do_not_need() {
    let analyzer = Analyzer::new().only([EntityType::Email, EntityType::Phone]);
    assert_eq!(analyzer.stages().collect::<Vec<_>>(), [Stage::EmailsAndHandles, Stage::Numeric]);
    assert_eq!(Analyzer::new().stages().collect::<Vec<_>>(), Stage::ALL);
    // The work done shows it: the e-mail stage alone does a fraction of
    // the whole engine's work on a text full of names, numbers and places.
    let text = corpus_texts().join("\n");
    let steps = |a: &Analyzer| work::measure(u64::MAX, || a.analyze(&text)).1;
    let (full, email, email_and_handle) = (
        steps(&Analyzer::new()),
        steps(&Analyzer::new().only([EntityType::Email])),
        steps(&Analyzer::new().only([EntityType::Email, EntityType::Handle])),
    );
    assert_eq!(email, email_and_handle, "one stage finds both");
    assert!(email * 2 < full, "e-mail only: {email} steps, every type: {full}");
    let scan = work::measure(u64::MAX, || analyzer.cues.find(&text)).1;
    assert!(email > scan, "the cue scan runs whatever is asked for");
}
