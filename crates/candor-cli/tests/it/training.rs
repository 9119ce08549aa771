//! The staff course in the installation: written by `candor init`, read
//! with `candor training show`, passed with `candor training quiz` (which
//! records the attestation the access gate asks for), required again with
//! `candor training require-current` after the course changed.

use crate::Install;

/// The default course's right answers, in order.
const RIGHT: &str = "2,1,2,2,3,2,2,1,2,2";

fn check(i: &Install, id: &str, actor: &str) -> crate::Run {
    i.run(&["access", "check", id, "customer_service", "--category", "user.contact.email", "--as", actor])
}

#[test]
fn staff_pass_the_quiz_to_read_personal_data_and_take_it_again_after_the_course_changed() {
    let i = Install::new().ready();
    let files: Vec<String> =
        std::fs::read_dir(i.file("training")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(files.len(), 9, "eight chapters and the quiz: {files:?}");
    let shown = i.ok(&["training", "show"]);
    assert!(shown.starts_with("Privacy and ethical data use (sha256:"), "{shown}");
    assert!(shown.contains("# 8. If you suspect a breach") && shown.contains("10 questions; 80 % right passes"), "{shown}");

    let id = i.customer("tia@example.com");
    i.ok(&["actor", "add", "tina", "--role", "agent"]);
    let untrained = check(&i, &id, "tina");
    assert_eq!(untrained.code, 2, "{}{}", untrained.stdout, untrained.stderr);
    assert!(untrained.stdout.contains("training"), "{}", untrained.stdout);

    // Seven right of ten is below the pass mark: nothing recorded.
    let failed = i.fails(2, &["training", "quiz", "--as", "tina", "--answers", "2,1,2,2,3,2,2,2,1,1"]);
    assert!(failed.stdout.contains("7 of 10 right") && failed.stdout.contains("not passed"), "{}", failed.stdout);
    assert!(failed.stdout.contains("breach: the answer is \"Report it to the compliance team at once\""), "{}", failed.stdout);
    assert_eq!(check(&i, &id, "tina").code, 2, "still untrained");

    let passed = i.run(&["training", "quiz", "--as", "tina", "--answers", RIGHT, "--json"]);
    assert_eq!(passed.code, 0, "{}{}", passed.stdout, passed.stderr);
    let doc = passed.json();
    assert_eq!((doc["correct"].as_u64(), doc["passed"].as_bool()), (Some(10), Some(true)), "{doc}");
    assert!(doc["attested_until"].as_str().unwrap().ends_with('Z'), "{doc}");
    assert_eq!(check(&i, &id, "tina").code, 0, "trained now");
    let log = i.ok(&["audit", "log", "--json", "--limit", "1000", "--action", "training."]);
    let quizzes: serde_json::Value = serde_json::from_str(&log).unwrap();
    let scores: Vec<_> = quizzes.as_array().unwrap().iter().map(|e| e["actor"].as_str().unwrap().to_owned()).collect();
    assert_eq!(scores, ["tina", "tina"], "both attempts audited: {log}");
    assert!(!log.contains("\"answers\""), "the answers themselves are not logged: {log}");

    // The course changes: staff trained on the earlier one take it again.
    let chapter = i.file("training/04-the-gate.md");
    let text = std::fs::read_to_string(&chapter).unwrap();
    std::fs::write(&chapter, format!("{text}\nAsk the compliance team when in doubt.\n")).unwrap();
    let ended = i.ok(&["training", "require-current", "--as", "carla"]);
    assert!(ended.starts_with("3 training attestation(s)"), "tina's, and alice's and mark's from `actor attest`: {ended}");
    assert_eq!(check(&i, &id, "tina").code, 2, "lapsed with the old course");
    assert_eq!(check(&i, &id, "alice").code, 2);
    i.ok(&["training", "quiz", "--as", "tina", "--answers", RIGHT]);
    assert_eq!(check(&i, &id, "tina").code, 0);
    assert!(i.ok(&["training", "require-current"]).starts_with("0 training"), "those on the current course keep it");
}

#[test]
fn bad_answers_and_a_broken_course_are_refused_naming_what_and_where() {
    let i = Install::new().ready();
    i.ok(&["actor", "add", "tina", "--role", "agent"]);
    let short = i.fails(1, &["training", "quiz", "--as", "tina", "--answers", "1,2"]);
    assert!(short.stderr.contains("`--answers` has 2 answer(s); the quiz has 10 questions"), "{}", short.stderr);
    let out_of_range = i.fails(1, &["training", "quiz", "--as", "tina", "--answers", "2,1,2,2,9,2,2,1,2,2"]);
    assert!(out_of_range.stderr.contains("answer 5 is 9; question 5 (`refused`) has choices 1 to 3"), "{}", out_of_range.stderr);
    let nobody = i.fails(1, &["training", "quiz", "--as", "nobody", "--answers", RIGHT]);
    assert!(nobody.stderr.contains("no actor `nobody`"), "{}", nobody.stderr);
    // Cut off at the first question: nothing recorded.
    let left = i.fails(1, &["training", "quiz", "--as", "tina"]);
    assert!(left.stderr.contains("the quiz was left before question 1"), "{}", left.stderr);

    let quiz = i.file("training/quiz.toml");
    let text = std::fs::read_to_string(&quiz).unwrap();
    std::fs::write(&quiz, text.replacen("answer = 2", "answer = 7", 1)).unwrap();
    let broken = i.fails(1, &["training", "show"]);
    assert!(
        broken.stderr.contains("`quiz.toml`, questions[1] (`purpose`).answer: the number of the right choice, 1 to 3"),
        "{}",
        broken.stderr
    );
    std::fs::remove_dir_all(i.file("training")).unwrap();
    let missing = i.fails(1, &["training", "show"]);
    assert!(missing.stderr.contains("training") && missing.stderr.contains("candor init"), "{}", missing.stderr);
}
