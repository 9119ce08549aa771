//! `candor analytics` and `candor eval sentiment` as a user runs them:
//! tables, JSON, CSV and SVG out; exit 2 for a denied actor or a spent
//! budget; clear errors for bad flags.

use crate::Install;

/// An installation with the example policy, an analyst and imported demo data.
fn with_data() -> Install {
    let i = Install::new().ready();
    i.ok(&["actor", "add", "ana", "--role", "analyst"]);
    i.ok(&["actor", "attest", "ana"]);
    i.ok(&["demo-data", "--out", "data", "--customers", "80", "--interactions", "1500", "--seed", "9"]);
    let r = i.run(&["import", "data/twcs.csv", "--brand", "NorthwindHelp"]);
    assert!(r.code == 0 || r.code == 2, "{}{}", r.stdout, r.stderr);
    i
}

#[test]
fn sentiment_and_themes_print_tables_json_csv_and_charts() {
    let i = with_data();
    let table = i.ok(&["analytics", "sentiment", "--by", "day,platform", "--as", "ana"]);
    assert!(table.contains("mean sentiment") && table.contains("total") && table.contains("policy version 1"), "{table}");

    let j: serde_json::Value = serde_json::from_str(&i.ok(&["analytics", "sentiment", "--by", "week", "--as", "ana", "--json"])).unwrap();
    assert_eq!(j["purpose"], "analytics");
    assert_eq!(j["dimensions"], serde_json::json!(["week"]));
    let cells = j["cells"].as_array().unwrap();
    assert!(!cells.is_empty());
    let counted: f64 = cells.iter().filter_map(|c| c["interactions"].as_f64()).sum();
    assert!(counted > 100.0, "{j}");

    let csv = i.ok(&["analytics", "themes", "--by", "month", "--as", "ana", "--csv", "--svg", "themes.svg"]);
    let header = csv.lines().next().unwrap();
    assert_eq!(header, "month,theme,customers,messages,negative,mean_sentiment,suppressed");
    assert!(csv.lines().count() > 3, "{csv}");
    let svg = std::fs::read_to_string(i.file("themes.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("messages") && svg.contains("theme"));

    let emerging = i.ok(&["analytics", "emerging", "--as", "ana", "--from", "2017-10-02", "--to", "2017-10-02", "--json"]);
    let e: serde_json::Value = serde_json::from_str(&emerging).unwrap();
    assert!(e["phrases"].as_array().unwrap().iter().all(|p| p["customers"].as_u64().unwrap() >= 5), "{e}");

    let kpis = i.ok(&["analytics", "kpis", "--as", "ana", "--by", "week,account,agent", "--csv", "--svg", "kpis.svg"]);
    assert!(
        kpis.starts_with("week,account,agent,customers,conversations,inbound,answered_share,service_level,first_response_median_s"),
        "{kpis}"
    );
    assert!(kpis.lines().count() > 3, "{kpis}");
    assert!(std::fs::read_to_string(i.file("kpis.svg")).unwrap().contains("median first response"));
    let table = i.ok(&["analytics", "kpis", "--as", "ana"]);
    assert!(table.contains("first response") && table.contains("service level"), "{table}");
    // An agent drills into a cell; an analyst may not see conversations.
    let shown = kpis.lines().skip(1).find(|l| l.ends_with(',')).expect("a cell that is not suppressed");
    let week = shown.split(',').take(3).collect::<Vec<_>>().join(",");
    let drill = i.ok(&["analytics", "kpis", "--by", "week,account,agent", "--drill", &week, "--as", "alice", "--csv"]);
    assert!(drill.starts_with("platform,conversation_id,first_message,account,agent,first_response_s,resolution_s"), "{drill}");
    assert!(drill.lines().count() > 1, "{week}: {drill}");
    i.fails(2, &["analytics", "kpis", "--by", "week,account,agent", "--drill", &week, "--as", "ana"]);
    let hidden = kpis.lines().skip(1).find(|l| l.ends_with("fewer_than_k")).expect("a suppressed cell");
    let cell = hidden.split(',').take(3).collect::<Vec<_>>().join(",");
    let r = i.fails(1, &["analytics", "kpis", "--by", "week,account,agent", "--drill", &cell, "--as", "alice"]);
    assert!(r.stderr.contains("cannot be drilled into"), "{}", r.stderr);
    let r = i.fails(1, &["analytics", "kpis", "--by", "week", "--drill", "2017-10-02,x", "--as", "alice"]);
    assert!(r.stderr.contains("has 2 parts"), "{}", r.stderr);
    let r = i.fails(1, &["analytics", "kpis", "--as", "ana", "--by", "theme"]);
    assert!(r.stderr.contains("no single `theme`"), "{}", r.stderr);

    let taxonomy = i.ok(&["analytics", "taxonomy"]);
    assert!(taxonomy.contains("[[theme]]") && taxonomy.contains("name = \"delay\""));
}

#[test]
fn denials_spent_budgets_and_bad_flags_say_why() {
    let i = with_data();
    // A marketer may not use `analytics`; an unknown actor is no one.
    let r = i.fails(2, &["analytics", "sentiment", "--as", "mark"]);
    assert!(r.stderr.contains("denied") && r.stderr.contains("analytics"), "{}", r.stderr);
    i.fails(2, &["analytics", "themes", "--as", "nobody"]);

    // The monthly budget is 10 by default: 6 + 6 passes it.
    let first = i.ok(&["analytics", "sentiment", "--as", "ana", "--epsilon", "6", "--json"]);
    let p: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(p["privacy"]["mechanism"], "discrete_laplace");
    assert_eq!(p["privacy"]["epsilon"], 6.0);
    let r = i.fails(2, &["analytics", "sentiment", "--as", "ana", "--epsilon", "6"]);
    assert!(r.stderr.contains("budget") && r.stderr.contains("4 left"), "{}", r.stderr);
    let gaussian = i.ok(&["analytics", "sentiment", "--as", "ana", "--epsilon", "1", "--delta", "1e-6", "--json"]);
    let g: serde_json::Value = serde_json::from_str(&gaussian).unwrap();
    assert_eq!(g["privacy"]["mechanism"], "discrete_gaussian");

    for (args, says) in [
        (vec!["analytics", "sentiment", "--by", "hour"], "`hour` is not a dimension"),
        (vec!["analytics", "sentiment", "--by", "day,week"], "one of `day`, `week` and `month`"),
        (vec!["analytics", "sentiment", "--epsilon=-1"], "--epsilon -1"),
        (vec!["analytics", "sentiment", "--epsilon", "0"], "--epsilon 0"),
        (vec!["analytics", "sentiment", "--from", "2017-13-01"], "not a date"),
        (vec!["analytics", "sentiment", "--from", "2017-11-02", "--to", "2017-11-01"], "is after"),
    ] {
        let mut args = args.clone();
        args.extend(["--as", "ana"]);
        let r = i.run(&args);
        assert!(r.code == 1 || r.code == 2, "{args:?}: {}", r.code);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn eval_sentiment_agrees_with_its_predictions_file() {
    let i = Install::new();
    std::fs::write(
        i.file("gold.jsonl"),
        concat!(
            "{\"id\":\"a\",\"text\":\"I love this, thank you so much!\",\"label\":\"positive\"}\n",
            "{\"id\":\"b\",\"text\":\"still waiting, worst service ever\",\"label\":\"negative\"}\n",
            "{\"id\":\"c\",\"text\":\"The store opens at nine.\",\"label\":\"neutral\"}\n",
        ),
    )
    .unwrap();
    let out = i.ok(&["eval", "sentiment", "gold.jsonl", "--json", "--predictions", "pred.jsonl"]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["n"], 3);
    assert_eq!(r["accuracy"], 1.0, "{r}");
    let preds = std::fs::read_to_string(i.file("pred.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = preds.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["id"], "b");
    assert_eq!(lines[1]["label"], "negative");
    assert!(lines[1]["compound"].as_f64().unwrap() < 0.0);

    std::fs::write(i.file("bad.jsonl"), "{\"id\":\"a\",\"text\":\"x\",\"label\":\"meh\"}\n").unwrap();
    let r = i.fails(1, &["eval", "sentiment", "bad.jsonl"]);
    assert!(r.stderr.contains("bad.jsonl:1") && r.stderr.contains("`meh`"), "{}", r.stderr);
}
