//! `candor redact --lines` as a stream: one output line per input line,
//! numbered placeholders counted across lines, and a line that is not
//! UTF-8 named by its number after the lines before it were written.

use crate::Install;

#[test]
fn lines_are_redacted_one_by_one_with_numbers_counted_across_them() {
    let i = Install::new();
    let input = i.file("chat.txt");
    std::fs::write(&input, "write to ana.lopez@example.com please\n\nno, ana.lopez@example.com is old, use ana@example.org\r\nthanks\n")
        .unwrap();
    let out = i.ok(&["redact", "--lines", "--default", "numbered", input.to_str().unwrap()]);
    let lines: Vec<&str> = out.split('\n').collect();
    assert_eq!(
        lines,
        ["write to <EMAIL_1> please", "", "no, <EMAIL_1> is old, use <EMAIL_2>", "thanks", ""],
        "one output line per input line, CRLF read as a line end, the same address the same number: {out:?}"
    );
}

#[test]
fn a_line_that_is_not_utf8_is_named_by_its_number() {
    let i = Install::new();
    let input = i.file("bad.txt");
    let mut bytes = b"call +44 20 7946 0958\nfine\n".to_vec();
    bytes.extend_from_slice(b"caf\xe9 au lait\nlast\n");
    std::fs::write(&input, bytes).unwrap();
    let r = i.fails(1, &["redact", "--lines", input.to_str().unwrap()]);
    assert!(r.stderr.contains("line 3") && r.stderr.contains("bad.txt"), "the error names the file and line: {}", r.stderr);
    assert!(r.stdout.starts_with("call <PHONE>\nfine\n"), "the lines before it were written: {:?}", r.stdout);
    assert!(!r.stdout.contains("last"), "nothing after the bad line: {:?}", r.stdout);
}

/// `candor … | head -1`: the reader goes away before candor has written
/// everything. candor ends quietly, as a Unix tool does, with the exit
/// code of a process killed by SIGPIPE, not a panic (101) or an error.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};

    let i = Install::new();
    i.ok(&["policy", "publish", "policy.toml"]);
    std::fs::write(i.file("big.txt"), "write to ana.lopez@example.com please\n".repeat(20_000)).unwrap();
    for args in [&["policy", "show", "1"][..], &["redact", "--lines", "big.txt"][..], &["config", "example"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(args)
            .current_dir(i.path())
            .env_remove("CANDOR_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(!stderr.contains("panicked") && !stderr.contains("error"), "`candor {}` said: {stderr}", args.join(" "));
        assert!(matches!(status.code(), Some(0 | 141)), "`candor {}` exited {status}", args.join(" "));
    }
}
