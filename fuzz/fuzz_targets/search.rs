//! A whole request from bytes (query, filters, dates, order, page) over a small index: never
//! a panic; pages add up; an article's id finds it again with the query's marks in bounds.
#![no_main]

use govsearch::fuzzing::sample_index;
use govsearch::{DateRange, SearchRequest, Sort};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1}');
    let query = parts.next().unwrap_or_default().to_string();
    let mut request = SearchRequest::new(query.clone());
    for (i, part) in parts.enumerate() {
        match i % 7 {
            0 => request = request.source(part),
            1 => request = request.keyword(part),
            2 => request.since = DateRange::parse(part).ok().map(|d| d.start),
            3 => request.until = DateRange::parse(part).ok().map(|d| d.end),
            4 => {
                request = request.sort(if part.len() % 2 == 0 {
                    Sort::Date
                } else {
                    Sort::Relevance
                })
            }
            5 => request = request.limit(part.len()).offset(part.chars().count() % 7),
            _ => request = request.snippet_chars(part.len() * 7).facets(part.is_empty()),
        }
    }
    let index = sample_index();
    let Ok(results) = index.search(&request) else {
        return;
    };
    assert!(results.hits.len() <= request.limit);
    assert!(results.hits.len() <= results.total.saturating_sub(request.offset));
    for hit in &results.hits {
        let article = index
            .article(&hit.id, Some(&query))
            .ok()
            .flatten()
            .expect("a hit's id finds its article");
        for h in &article.body_highlights {
            assert!(article.body.get(h.start..h.end).is_some());
        }
    }
});
