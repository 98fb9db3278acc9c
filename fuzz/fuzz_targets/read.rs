//! Any bytes, in any layout, as a file: read, never a panic, an abort or a hang, and what is
//! read is text the index can take.
#![no_main]

use govsearch::fuzzing::read_bytes;
use govsearch::{Layout, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    // The first byte picks a forced layout (or none) and the file's name.
    let layout = [
        None,
        Some(Layout::Text),
        Some(Layout::Html),
        Some(Layout::Json),
        Some(Layout::Xml),
    ][usize::from(choice) % 5];
    let name = ["a.txt", "a.html", "a.json", "a.jsonl", "a.xml", "2016-05-10.dat"][usize::from(choice / 5) % 6];
    let options = ReadOptions {
        layout,
        ..ReadOptions::default()
    };
    if let Ok(read) = read_bytes(bytes, std::path::Path::new(name), &options) {
        for article in read.records.iter().flatten() {
            assert!(!article.title.is_empty(), "an article has a title");
            assert!(!article.body.is_empty(), "an article has a body");
            for value in [&article.meta.source, &article.meta.editor].into_iter().flatten() {
                assert!(!value.contains('\0'), "no NUL in a facet value");
            }
        }
    }
});
