//! The places where the articles write a string, read from the titles and snippets of a search
//! for it as written: the evidence [`crate::assist::places`] judges a word or a fragment by.

use super::backend::Backend;
use super::parse;
use crate::error::Result;
use crate::search::{SearchRequest, Sort};

/// The places of `text` (a text around each and the byte range of the string in it) in at most
/// `most` articles that write it as written, with the filters of `request`.
pub(super) fn places(
    backend: &dyn Backend,
    request: &SearchRequest,
    text: &str,
    most: usize,
) -> Result<Vec<(String, std::ops::Range<usize>)>> {
    let query = format!("\"{text}\"");
    let mut lookup = request
        .clone()
        .offset(0)
        .limit(most)
        .sort(Sort::Relevance)
        .all_copies(true)
        .facets(false);
    lookup.query = query.clone();
    let found = backend.search(&lookup, parse(backend, &query)?)?;
    let mut out = Vec::new();
    for hit in found.hits {
        for (passage, highlights) in [
            (hit.title, hit.title_highlights),
            (hit.snippet.text, hit.snippet.highlights),
        ] {
            out.extend(highlights.into_iter().map(|h| (passage.clone(), h.start..h.end)));
        }
    }
    Ok(out)
}
