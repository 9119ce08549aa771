//! Behaviour of each rule, bounds on the scores, the scorer, and quality on
//! the shared development set.

use std::collections::HashMap;
use std::path::PathBuf;

use super::eval::{self, Gold};
use super::*;

fn text(s: &str) -> RedactedText {
    RedactedText::fixture(s.to_owned())
}

/// VADER's sum for `s` (the rules alone).
fn sum(s: &str) -> f32 {
    SentimentModel::new().analyze(&text(s)).sum
}

fn label(s: &str) -> Label {
    SentimentModel::new().score(&text(s)).label
}

#[test]
fn compiled_in_data_loads() {
    lexicon::Lexicon::load().unwrap();
    Linear::parse(WEIGHTS).unwrap();
    assert!(LOADED.is_some());
}

#[test]
fn a_negation_flips_a_rated_word_up_to_three_words_later() {
    assert!(sum("the service is good") > 0.0);
    assert!(sum("the service is not good") < 0.0);
    assert!(sum("the service isn't good") < 0.0);
    assert!(sum("the service isn\u{2019}t good") < 0.0, "curly apostrophes read as straight ones");
    assert!(sum("the service is not very good") < 0.0);
    assert!(sum("the service was not bad") > 0.0);
    assert_eq!(SentimentModel::new().analyze(&text("not so very good")).negations, 1);
}

#[test]
fn never_so_and_without_doubt_are_not_negations() {
    assert!(sum("it has never been so good") > sum("it has been good"));
    assert!(sum("without a doubt an excellent idea") > 0.0);
}

#[test]
fn no_before_a_rated_word_negates_it() {
    assert!(sum("no good") > -1.9 && sum("no good") < 0.0);
    assert!(label("no problem at all") != Label::Negative);
}

#[test]
fn a_repeated_no_is_emphasis_not_a_double_negative() {
    assert!(sum("no no no") < 0.0, "VADER flips the last `no` to positive");
    assert!(sum("NO NO NO, this is terrible") < 0.0);
}

#[test]
fn short_words_are_read_through_trailing_punctuation() {
    assert!(sum("oh no!") < 0.0, "VADER keeps `no!` whole and misses it");
    assert!(sum("ok.") > 0.0);
    assert!(sum(":p") > 0.0, "emoticons that end in a letter stay whole");
}

#[test]
fn boosters_intensify_and_dampeners_soften() {
    assert!(sum("the food is very good") > sum("the food is good"));
    assert!(sum("the food is kind of good") < sum("the food is good"));
    assert!(sum("the food is kind of good") > 0.0);
    assert!(sum("the food is pretty bad") < sum("the food is bad"), "'pretty' before a rated word is an adverb");
    assert!(sum("she is pretty") > 0.0, "and a rated word elsewhere");
}

#[test]
fn but_shifts_weight_to_what_follows() {
    let a = SentimentModel::new().analyze(&text("the food was great but the waiter was terrible"));
    assert!(a.but);
    assert!(a.sum < 0.0);
    assert!(sum("the waiter was terrible but the food was great") > 0.0);
}

#[test]
fn capitals_among_lower_case_words_emphasise() {
    assert!(sum("the service is GREAT") > sum("the service is great"));
    // All words in capitals: nothing stands out.
    assert_eq!(sum("THE SERVICE IS GREAT"), sum("the service is great"));
}

#[test]
fn exclamation_and_question_marks_amplify() {
    assert!(sum("great!!!") > sum("great!"));
    assert!(sum("great!") > sum("great"));
    assert_eq!(sum("great!!!!!!!!"), sum("great!!!!"), "at most four count");
    assert!(sum("terrible??") < sum("terrible"));
    assert_eq!(sum("just a question?!"), 0.0, "punctuation alone carries no sentiment");
}

#[test]
fn emoji_and_emoticons_carry_sentiment() {
    assert_eq!(label("😀"), Label::Positive);
    assert_eq!(label("😠😠"), Label::Negative);
    assert!(sum("my order arrived 😍") > sum("my order arrived"));
    assert!(sum("my order arrived😠") < 0.0, "an emoji glued to a word is still read");
    assert_eq!(label("love it :)"), Label::Positive);
    assert_eq!(label("it broke again :("), Label::Negative);
    assert_eq!(sum("see you soon : )"), sum("see you soon :)"), "an emoticon typed with a space");
    assert_eq!(sum("see you soon ; D"), sum("see you soon ;D"));
}

#[test]
fn customer_care_phrases_are_read_as_units() {
    for s in [
        "still waiting for my parcel",
        "no response from your team",
        "been on hold for an hour",
        "my order never arrived",
        "what a waste of time",
        "the app keeps crashing",
    ] {
        assert_eq!(label(s), Label::Negative, "{s}");
    }
    for s in ["thanks for the quick help", "all sorted now, much appreciated", "it works now"] {
        assert_eq!(label(s), Label::Positive, "{s}");
    }
}

#[test]
fn slang_misspellings_and_elongations_are_read() {
    assert!(sum("thnx") > 0.0);
    assert!(sum("gr8 service") > 0.0);
    assert!(sum("the support was awsome") > 0.0);
    assert!(sum("dissapointed again") < 0.0);
    assert!(sum("goooood") > sum("good"), "elongation is found and emphasises");
    assert!(sum("sooooo bad") < sum("bad"));
}

#[test]
fn placeholders_handles_and_links_are_ignored() {
    let m = SentimentModel::new();
    let plain = m.analyze(&text("thanks, great service"));
    for s in [
        "<PERSON> thanks, great service",
        "thanks, <PERSON_1>, great service <EMAIL> <PHONE>.",
        "@acme_help thanks, great service https://t.co/xyz www.example.com",
    ] {
        assert_eq!(m.analyze(&text(s)), plain, "{s}");
    }
    // An ALL-CAPS placeholder must not make the words around it stand out.
    assert_eq!(sum("<PERSON> GREAT"), sum("GREAT"));
    assert_eq!(m.score(&text("<PERSON> <EMAIL> @someone http://x.y")).label, Label::Neutral);
}

#[test]
fn other_languages_are_unknown_and_english_or_unknown_is_scored() {
    let m = SentimentModel::new();
    let t = text("great service");
    assert!(m.score_in(&t, Some("fr")).is_none());
    assert!(m.score_in(&t, Some("de")).is_none());
    assert_eq!(m.score_in(&t, Some("en")), Some(m.score(&t)));
    assert_eq!(m.score_in(&t, None), Some(m.score(&t)));
    assert!(SentimentModel::supports("en"));
    assert!(!SentimentModel::supports("es"));
}

#[test]
fn compound_stays_in_range_and_agrees_with_the_label_for_any_input() {
    let m = SentimentModel::new();
    let threshold = m.compound_threshold();
    let mut inputs: Vec<String> = vec![
        String::new(),
        " ".into(),
        "\n\t".into(),
        "!!!!!!!!????????".into(),
        "good ".repeat(2000),
        "terrible!!! ".repeat(2000),
        "NOT NOT NOT not not good".into(),
        "but but but".into(),
        "<".into(),
        "<>".into(),
        "<PERSON".into(),
        "@".into(),
        "😀".repeat(500),
        "\u{0}\u{1}\u{7f}".into(),
        "ééé ÅÅÅ ßßß İİİ ﬁﬁﬁ".into(),
        "kind of".into(),
        "no".into(),
        "least".into(),
        "the least".into(),
    ];
    // Pseudo-random garbage from a fixed seed.
    let alphabet: Vec<char> = "ab GOOD bad!?:)(😀😡'’-_<>@#.,nt\u{301}x".chars().collect();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for len in [1usize, 3, 10, 50, 300, 5000] {
        for _ in 0..20 {
            let s: String = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            inputs.push(s);
        }
    }
    for s in inputs {
        let r = m.score(&text(&s));
        assert!(r.compound.is_finite() && (-1.0..=1.0).contains(&r.compound), "{s:?}: {r:?}");
        let expected = if r.compound >= threshold {
            Label::Positive
        } else if r.compound <= -threshold {
            Label::Negative
        } else {
            Label::Neutral
        };
        // The label comes from the rating and the compound from the same
        // rating; allow float rounding at the very edge.
        if (r.compound.abs() - threshold).abs() > 1e-5 {
            assert_eq!(r.label, expected, "{s:?}: {r:?}");
        }
        for share in [r.pos, r.neg, r.neu] {
            assert!(share.is_finite() && (0.0..=1.0).contains(&share), "{s:?}: {r:?}");
        }
    }
    assert_eq!(m.score(&text("")).label, Label::Neutral);
}

#[test]
fn labels_print_parse_and_serialize_in_lower_case() {
    for l in Label::ALL {
        assert_eq!(Label::parse(l.as_str()), Some(l));
        assert_eq!(serde_json::to_string(&l).unwrap(), format!("\"{}\"", l.as_str()));
        assert_eq!(serde_json::from_str::<Label>(&format!("\"{}\"", l.as_str())).unwrap(), l);
    }
    assert_eq!(Label::parse("Positive"), None);
}

#[test]
fn the_scorer_matches_the_reference_script_on_a_small_example() {
    let gold: Vec<Gold> = [
        r#"{"id":"a","text":"x","label":"positive","score":1.0}"#,
        r#"{"id":"b","text":"x","label":"positive"}"#,
        r#"{"id":"c","text":"x","label":"negative"}"#,
        r#"{"id":"d","text":"x","label":"neutral"}"#,
        r#"{"id":"e","text":"x","label":"neutral"}"#,
        r#"{"id":"f","text":"x","label":"negative"}"#,
    ]
    .iter()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    // "f" has no prediction (wrong); "zz" is not in the gold set (ignored).
    let predicted: HashMap<String, Label> = [
        ("a", Label::Positive),
        ("b", Label::Neutral),
        ("c", Label::Negative),
        ("d", Label::Positive),
        ("e", Label::Neutral),
        ("zz", Label::Negative),
    ]
    .into_iter()
    .map(|(id, l)| (id.to_owned(), l))
    .collect();
    let r = eval::score(&gold, &predicted);
    // Output of `eval_sentiment.py g.jsonl p.jsonl --json` on the same files.
    assert_eq!(r.n, 6);
    assert_eq!(r.accuracy, 0.5);
    assert_eq!(r.macro_f1, 0.5556);
    let neg = r.class(Label::Negative).unwrap();
    assert_eq!((neg.precision, neg.recall, neg.f1, neg.support), (1.0, 0.5, 0.6667, 2));
    let neu = r.class(Label::Neutral).unwrap();
    assert_eq!((neu.precision, neu.recall, neu.f1), (0.5, 0.5, 0.5));
    let pos = r.class(Label::Positive).unwrap();
    assert_eq!((pos.precision, pos.recall, pos.f1), (0.5, 0.5, 0.5));

    let line: eval::Prediction = serde_json::from_str(r#"{"id":"a","label":"positive","compound":0.5}"#).unwrap();
    assert_eq!(line.label, "positive");
}

/// Quality on the 4,200 human-rated tweets (shipped in `tests/data`).
/// VADER: macro-F1 0.70, neutral recall 0.21; this model: macro-F1 0.7406,
/// neutral recall 0.465. The floor is what this model reaches, so a
/// regression fails the build.
#[test]
fn quality_on_the_shared_development_set() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sentiment-tweets.jsonl");
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let gold: Vec<Gold> = data.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    let m = SentimentModel::new();
    let predicted: HashMap<String, Label> = gold.iter().map(|g| (g.id.clone(), m.score(&text(&g.text)).label)).collect();
    let r = eval::score(&gold, &predicted);
    eprintln!("dev set: accuracy {} macro-F1 {} per class {:?}", r.accuracy, r.macro_f1, r.per_class);
    assert!(r.macro_f1 >= 0.74, "macro-F1 {}", r.macro_f1);
    assert!(r.class(Label::Neutral).unwrap().recall >= 0.45, "neutral recall {:?}", r.class(Label::Neutral));
}
