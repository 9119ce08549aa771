//! The PII analyzer on arbitrary text (bytes read as UTF-8, lossily): it
//! never panics, its spans are in bounds, on char boundaries, ordered and
//! apart with char offsets that count chars, and its work stays within
//! the linear bound the engine's tests hold it to (a loop that never
//! ends, or work that grows faster than the text, panics at once with
//! "the PII engine went over its work budget").

#![no_main]

use std::sync::OnceLock;

use candor_privacy::pii::work::{measure, STEPS_PER_BYTE};
use candor_privacy::pii::{Numbering, Redactor};
use candor_privacy::Analyzer;
use libfuzzer_sys::fuzz_target;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(Analyzer::new)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let budget = STEPS_PER_BYTE * (text.len() as u64 + 1);
    let (spans, _steps) = measure(budget, || analyzer().analyze(&text));
    let (mut last_end, mut last_char_end) = (0, 0);
    for s in &spans {
        assert!(s.start < s.end && s.end <= text.len(), "{s:?} out of bounds");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{s:?} splits a char");
        assert!(s.start >= last_end, "{s:?} overlaps the span before it");
        assert_eq!(text[last_end..s.start].chars().count(), s.char_start - last_char_end, "{s:?}: char offset");
        assert_eq!(text[s.start..s.end].chars().count(), s.char_end - s.char_start, "{s:?}: char length");
        assert!((0.5..=1.0).contains(&s.score), "{s:?}: score");
        (last_end, last_char_end) = (s.end, s.char_end);
    }
    // Redacting what was found keeps the text around it.
    let redacted = Redactor::default().redact(&text, &spans, &mut Numbering::new());
    let kept: usize = text.len() - spans.iter().map(|s| s.end - s.start).sum::<usize>();
    assert!(redacted.as_ref().len() >= kept, "redaction lost text outside the spans");
});
