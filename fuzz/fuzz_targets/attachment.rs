//! Any bytes as an attachment (PDF, DOCX, OFD): read or skipped with a reason, never a panic
//! that escapes, an abort, a hang or memory past the limits; what is read is an article.
#![no_main]

use govsearch::fuzzing::read_bytes;
use govsearch::{Layout, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    // The first byte picks the format, forced or by the file's name.
    let (layout, name) = [
        (None, "a.pdf"),
        (None, "a.docx"),
        (None, "a.ofd"),
        (Some(Layout::Pdf), "a"),
        (Some(Layout::Docx), "a"),
        (Some(Layout::Ofd), "a"),
    ][usize::from(choice) % 6];
    let options = ReadOptions {
        layout,
        ..ReadOptions::default()
    };
    if let Ok(read) = read_bytes(bytes, std::path::Path::new(name), &options) {
        for article in read.records.iter().flatten() {
            assert!(!article.title.is_empty(), "an article has a title");
            assert!(!article.body.is_empty(), "an article has a body");
        }
    }
});
