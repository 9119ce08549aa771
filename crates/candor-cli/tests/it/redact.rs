//! `candor redact`: what it finds, and `--entities` choosing what to find.

use super::candor;

const TEXT: &str = "Hi, I'm Ana López. Order #NW-88231; call +44 7911 123456 or mail ana@mail.example.org, card 4111 1111 1111 1111\n";

fn redact(args: &[&str]) -> super::Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), TEXT).unwrap();
    let mut all = vec!["redact", "in.txt"];
    all.extend_from_slice(args);
    candor(dir.path(), &[], &all)
}

#[test]
fn every_type_is_redacted_by_default() {
    let r = redact(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for value in ["Ana López", "NW-88231", "+44 7911 123456", "ana@mail.example.org", "4111 1111 1111 1111"] {
        assert!(!r.stdout.contains(value), "{value} left in {}", r.stdout);
    }
}

#[test]
fn entities_limits_what_is_found_and_redacted() {
    let r = redact(&["--entities", "EMAIL,phone"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "Hi, I'm Ana López. Order #NW-88231; call <PHONE> or mail <EMAIL>, card 4111 1111 1111 1111\n");
    let spans = redact(&["--entities", "CREDIT_CARD", "--spans"]);
    assert_eq!(spans.code, 0, "{}", spans.stderr);
    let list = spans.json();
    let types: Vec<&str> = list.as_array().unwrap().iter().map(|s| s["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["CREDIT_CARD"]);
}

#[test]
fn an_unknown_entity_type_is_named_with_the_valid_ones() {
    let r = redact(&["--entities", "EMAIL,PASSPORT"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("unknown type `PASSPORT`"), "{}", r.stderr);
    assert!(r.stderr.contains("EMAIL, PHONE, CREDIT_CARD"), "the valid types are listed: {}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing is printed: {}", r.stdout);
}
