//! `candor eval pii --confusion` as a user runs it: the matrix after the
//! per-type table, and under `confusion` in the JSON, whose other keys stay
//! those of the reference scorer.

use crate::candor;

/// E-mail addresses, which the engine finds without fail, labelled so that
/// each cell of the matrix is known: one found as labelled, one labelled as
/// a URL (a mix-up), one not labelled (an invention), and a "name" that is
/// no name at all (a miss).
const CORPUS: &str = concat!(
    "{\"id\":\"a\",\"text\":\"write to ana@example.com today\",\"spans\":[{\"start\":9,\"end\":24,\"type\":\"EMAIL\"}]}\n",
    "{\"id\":\"b\",\"text\":\"write to bob@example.org today\",\"spans\":[{\"start\":9,\"end\":24,\"type\":\"URL\"}]}\n",
    "{\"id\":\"c\",\"text\":\"mail to cy@example.net, thanks\",\"spans\":[]}\n",
    "{\"id\":\"d\",\"text\":\"the box only said qwerty\",\"spans\":[{\"start\":18,\"end\":24,\"type\":\"PERSON\"}]}\n",
);

#[test]
fn eval_pii_confusion_prints_the_matrix_and_adds_it_to_the_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gold.jsonl"), CORPUS).unwrap();
    let run = |args: &[&str]| {
        let r = candor(dir.path(), &[], args);
        assert_eq!(r.code, 0, "`candor {}`: {}{}", args.join(" "), r.stdout, r.stderr);
        r
    };

    let text = run(&["eval", "pii", "gold.jsonl", "--confusion"]).stdout;
    let rows: Vec<Vec<&str>> =
        text.lines().skip_while(|l| !l.starts_with("gold \\ predicted")).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.first().map(|r| r[3..].to_vec()), Some(vec!["EMAIL", "PERSON", "URL", "NONE"]), "{text}");
    assert_eq!(rows[1], ["EMAIL", "1", ".", ".", "."], "{text}");
    assert_eq!(rows[2], ["PERSON", ".", ".", ".", "1"], "{text}");
    assert_eq!(rows[3], ["URL", "1", ".", ".", "."], "{text}");
    assert_eq!(rows[4], ["NONE", "1", ".", ".", "."], "{text}");
    assert_eq!(rows.len(), 5, "{text}");
    // The per-type table comes first, as without the flag.
    let plain = run(&["eval", "pii", "gold.jsonl"]).stdout;
    assert!(text.starts_with(&plain), "{plain}\n---\n{text}");
    assert!(!plain.contains("NONE"), "{plain}");

    let without_text = run(&["eval", "pii", "gold.jsonl", "--json"]).stdout;
    let with_text = run(&["eval", "pii", "gold.jsonl", "--json", "--confusion"]).stdout;
    let without: serde_json::Value = serde_json::from_str(&without_text).unwrap();
    let with: serde_json::Value = serde_json::from_str(&with_text).unwrap();
    let keys = |v: &serde_json::Value| {
        let mut k = v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        k.sort();
        k
    };
    assert_eq!(keys(&without), ["ALL", "EMAIL", "PERSON", "URL"]);
    assert_eq!(keys(&with), ["ALL", "EMAIL", "PERSON", "URL", "confusion"]);
    // The scorer's order (types, then ALL), the matrix after it.
    let at = |text: &str, key: &str| text.find(&format!("\"{key}\"")).unwrap();
    assert!(at(&with_text, "URL") < at(&with_text, "ALL") && at(&with_text, "ALL") < at(&with_text, "confusion"), "{with_text}");
    for k in keys(&without) {
        assert_eq!(with[&k], without[&k], "{k}");
    }
    assert_eq!(without["EMAIL"]["tp"], 1);
    assert_eq!(without["EMAIL"]["fp"], 2);
    let c = &with["confusion"];
    assert_eq!(c["types"], serde_json::json!(["EMAIL", "PERSON", "URL", "NONE"]));
    assert_eq!(c["counts"]["URL"]["EMAIL"], 1);
    assert_eq!(c["counts"]["NONE"]["EMAIL"], 1);
    assert_eq!(c["counts"]["PERSON"]["NONE"], 1);
    assert_eq!(c["counts"]["EMAIL"]["EMAIL"], 1);
    assert_eq!(c["counts"]["EMAIL"]["NONE"], 0);
}
