//! Fuzz target: `parse_source` never panics, and every diagnostic span lies inside the input on
//! UTF-8 character boundaries. The same checks run on `parse_expression`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scwform::diag::{Diagnostics, FileId};
use scwform::parse::{parse_expression, parse_source};

fn check_spans(text: &str, diagnostics: &Diagnostics) {
    for d in diagnostics {
        assert!(d.code.starts_with("scw::parse::"), "unexpected code {}", d.code);
        assert!(!d.summary.is_empty());
        for label in &d.labels {
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            assert!(start <= end && end <= text.len(), "span {start}..{end} out of 0..{}", text.len());
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} splits a character");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(d) = parse_source(text, FileId(0)) {
        check_spans(text, &d);
    }
    if let Err(d) = parse_expression(text, FileId(0)) {
        check_spans(text, &d);
    }
});
