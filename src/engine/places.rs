//! The places where the articles write a string, read from the titles and snippets of a search
//! for it as written: the evidence [`crate::assist::places`] judges a word or a fragment by.

use super::backend::Backend;
use super::parse;
use crate::assist;
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

/// Whether `word`'s places in the articles show mostly a fragment of the words around it
/// ([`assist::places::is_fragment`]), read in at most [`assist::places::PLACES_FROM`] of them.
pub(super) fn is_fragment(backend: &dyn Backend, word: &str) -> Result<bool> {
    let places = places(backend, &SearchRequest::new(word), word, assist::places::PLACES_FROM)?;
    let places = places.iter().map(|(text, at)| (text.as_str(), at.clone()));
    Ok(assist::places::is_fragment(word, places, backend.segmenter()))
}
