//! Searching: a request (query text, filters, sort, page) in, typed results out.
//!
//! Results carry the page of hits with highlighted snippets, the total number of matching
//! articles, and facet counts (source, editor, keyword, month, column, issuer, topic, kind,
//! state) over all of them, not
//! just the page. Every type serialises with serde; the CLI's `--json` prints them as is.
//!
//! These are functions over what the engine ([`crate::engine`]) hands them: a searcher, the
//! fields, the caches it keeps. The engine runs a request through them.
//!
//! - [`request`] and [`results`]: the public types;
//! - [`rank`]: the page collector and its tie order; [`facets`]: facet counts, over the
//!   values [`numbering`] numbers across segments; [`filters`]: filters as clauses;
//!   [`releases`]: reprints grouped into releases, and a page with each release once
//!   ([`collapse`]); [`statistics`]: BM25's document frequencies kept per set of segments;
//!   [`snippet`]: highlighted snippets. A hit's stored values are read by
//!   [`crate::store::stored`].

pub(crate) mod facets;
pub(crate) mod filters;
pub(crate) mod numbering;
pub(crate) mod rank;
pub(crate) mod releases;
mod request;
mod results;
pub(crate) mod snippet;
pub(crate) mod statistics;

pub use request::{
    Scope, SearchRequest, Sort, DEFAULT_FACET_VALUES, DEFAULT_SNIPPET_CHARS, MAX_FILTER_CHARS, MAX_FILTER_VALUES,
};
pub use results::{
    ArticlePage, Copy, FacetCount, Facets, Hit, Rewrite, RewriteReason, SearchResults, Unlisted, UnmatchedFilter,
};

/// Ranked articles: score (when ranked by relevance) and address.
pub(crate) type Ranked = Vec<(Option<f32>, DocAddress)>;

/// The most copies of a release a hit lists.
pub(crate) const MAX_COPIES_LISTED: usize = 20;

/// `page` (ranked articles) with each release once, at its best-ranked article, and beside
/// each the other articles of its release that are still in the index.
pub(crate) fn collapse(
    page: &[(Option<f32>, DocAddress)],
    releases: &Releases,
    searcher: &Searcher,
) -> (Ranked, Vec<Vec<DocAddress>>) {
    let mut seen = std::collections::HashSet::new();
    let mut kept = Vec::new();
    let mut copies = Vec::new();
    for &(score, address) in page {
        let group = releases.group(address.segment_ord, address.doc_id);
        if group == NO_GROUP {
            kept.push((score, address));
            copies.push(Vec::new());
        } else if seen.insert(group) {
            kept.push((score, address));
            let alive = |a: &DocAddress| {
                searcher
                    .segment_reader(a.segment_ord)
                    .alive_bitset()
                    .is_none_or(|bits| bits.is_alive(a.doc_id))
            };
            copies.push(
                releases
                    .members(group)
                    .iter()
                    .filter(|a| **a != address && alive(a))
                    .copied()
                    .collect(),
            );
        }
    }
    (kept, copies)
}

/// A request made into an index query.
pub(crate) struct Prepared {
    pub(crate) query: Box<dyn Query>,
    pub(crate) parsed: ParsedQuery,
    /// Filter values no article has.
    pub(crate) unmatched: Vec<UnmatchedFilter>,
}

use tantivy::query::Query;
use tantivy::{DocAddress, Searcher};

use crate::query::ParsedQuery;
use crate::search::numbering::Counts;
use crate::search::releases::{Releases, NO_GROUP};

/// The file key and record an id of the earlier kind names (its file's path in base64, its
/// record and its file's modification time, dot-separated): links shared before ids were
/// places still lead to their article, whatever happened to its file's time since.
pub(crate) fn earlier_article_id(id: &str) -> Option<(String, u64)> {
    use base64::Engine;
    let mut parts = id.rsplitn(3, '.');
    u64::from_str_radix(parts.next()?, 16).ok()?;
    let record = parts.next()?.parse().ok()?;
    let path = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts.next()?)
        .ok()?;
    Some((String::from_utf8(path).ok()?, record))
}

/// Facet values with their counts, in the order counted.
pub(crate) fn facet_counts(counts: Counts) -> Vec<FacetCount> {
    counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect()
}
