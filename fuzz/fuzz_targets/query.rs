//! Any query text: parsed and run over a small index, never a panic; an answer's highlights
//! fall on character boundaries of the text they mark.
#![no_main]

use govsearch::fuzzing::sample_index;
use govsearch::SearchRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let index = sample_index();
    if let Ok(results) = index.search(&SearchRequest::new(query.as_ref())) {
        assert!(results.hits.len() <= results.total);
        for hit in &results.hits {
            for h in &hit.title_highlights {
                assert!(
                    hit.title.get(h.start..h.end).is_some(),
                    "{query:?}: {h:?} in {:?}",
                    hit.title
                );
            }
            for h in &hit.snippet.highlights {
                assert!(hit.snippet.text.get(h.start..h.end).is_some(), "{query:?}: {h:?}");
            }
        }
    }
});
