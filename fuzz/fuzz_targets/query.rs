//! Any query text: parsed and run over a small index (with its pinyin, typo and synonym
//! rewrites), completed as a prefix, and the first hit's related articles read, never a
//! panic; an answer's highlights fall on character boundaries of the text they mark, and
//! releases are never more than articles.
#![no_main]

use govsearch::fuzzing::sample_index;
use govsearch::SearchRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let index = sample_index();
    let suggestions = index.suggest(query.as_ref(), 10).expect("a prefix is completed or not");
    assert!(suggestions.len() <= 10);
    if let Ok(results) = index.search(&SearchRequest::new(query.as_ref())) {
        assert!(results.hits.len() <= results.releases && results.releases <= results.total);
        if let Some(first) = results.hits.first() {
            let related = index.related(&first.id, 5).expect("related articles are read");
            assert!(related.is_some_and(|r| r.iter().all(|h| h.id != first.id)));
        }
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
