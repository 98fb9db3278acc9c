//! The seam between the engine and where the articles are: what the engine needs from a
//! backend to answer any request. The local backend ([`super::local::Local`]) is an index in
//! a folder or in memory; a backend over a distributed engine implements the same trait, and
//! the query syntax, query assistance, the CLI's output and the page stay as they are.

use std::sync::Arc;

use crate::assist::vocabulary::Vocabulary;
use crate::error::Result;
use crate::query::synonyms::Synonyms;
use crate::query::ParsedQuery;
use crate::search::{ArticlePage, Hit, SearchRequest, SearchResults};
use crate::text::segment::Segmenter;

use super::IndexStats;

/// What the engine asks of a backend. Every answer is for the backend's current view of its
/// articles; damage and failures are errors, never empty answers.
pub(crate) trait Backend {
    /// The segmenter the articles were cut with: queries are cut the same way.
    fn segmenter(&self) -> &Segmenter;

    /// The everyday-word table the backend's articles are searched with.
    fn synonyms(&self) -> &Synonyms;

    /// How many articles there are.
    fn num_articles(&self) -> u64;

    /// How many articles there are, asked of where they are now: an error when it does not
    /// answer.
    fn articles_now(&self) -> Result<u64>;

    /// `parsed` (the request's query as typed) with the request's filters, sort, page and
    /// facets: the total, the releases, the facet counts, and the page of hits with their
    /// snippets and copies.
    fn search(&self, request: &SearchRequest, parsed: ParsedQuery) -> Result<SearchResults>;

    /// How many articles `parsed` finds with the request's filters.
    fn count(&self, request: &SearchRequest, parsed: ParsedQuery) -> Result<usize>;

    /// How many titles have a word, for judging whether a query was mistyped: cheap, and
    /// answered from one view of the articles for every word asked.
    fn titles_with(&self) -> Box<dyn Fn(&str) -> u64 + '_>;

    /// The vocabulary of the articles (title words, keywords, sources, columns), for pinyin,
    /// typos and completions.
    fn vocabulary(&self) -> Result<Arc<Vocabulary>>;

    /// One whole article by its id, with `needles` marked in it.
    fn article(&self, id: &str, needles: &[String]) -> Result<Option<ArticlePage>>;

    /// The articles most about the same thing as the article `id`.
    fn related(&self, id: &str, limit: usize) -> Result<Option<Vec<Hit>>>;

    /// What the backend holds.
    fn stats(&self) -> Result<IndexStats>;
}
