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

#[test]
fn the_hash_operator_without_a_key_is_an_error_not_a_placeholder() {
    for args in [&["--operator", "EMAIL=hash"][..], &["--default", "hash"][..]] {
        let r = redact(args);
        assert_eq!(r.code, 1, "`{}` must fail: {}{}", args.join(" "), r.stdout, r.stderr);
        assert!(r.stderr.contains("needs a key") && r.stderr.contains("--hash-key"), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "nothing printed: {}", r.stdout);
    }
    let key = "00112233445566778899aabbccddeeff";
    let r = redact(&["--operator", "EMAIL=hash", "--hash-key", key, "--entities", "EMAIL"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("<EMAIL>") && !r.stdout.contains("ana@mail"), "hashed with the key: {}", r.stdout);
}
