//! govsearch: a search engine for Chinese local government releases.
//!
//! Index a folder of releases (政府新闻发布, 政务动态, 通知公告), then search it with ranked,
//! highlighted and faceted results. The `govsearch` command-line tool is a thin layer over
//! this library; another Rust tool can embed the same index and query code.
//!
//! Unspaced Chinese queries are segmented into words (an article must contain them all, and
//! ranks higher where they stand together), quoted strings match exactly like Ctrl+F, and
//! results carry snippets with highlight ranges and facet counts over every match.
//!
//! ```
//! use govsearch::{parse_article, Index, SearchRequest};
//!
//! # fn main() -> Result<(), govsearch::Error> {
//! let index = Index::create_in_ram();
//! let text = "峄城区召开疫情防控工作会议\n\n2022-05-10 12:36:57 来源:峄城区融媒体中心\n\n\
//!             \u{2003}\u{2003}会议要求全区做好疫情防控工作。\n\n新闻关键词:疫情防控\n";
//! let article = parse_article(text).expect("a release in the seed layout");
//! index.add_articles([("releases/0001.txt".to_string(), article)])?;
//!
//! let results = index.search(&SearchRequest::new("峄城 疫情防控").keyword("疫情防控"))?;
//! assert_eq!(results.total, 1);
//! let hit = &results.hits[0];
//! assert_eq!(hit.meta.source.as_deref(), Some("峄城区融媒体中心"));
//! let first = hit.snippet.highlights[0];
//! assert_eq!(&hit.snippet.text[first.start..first.end], "疫情防控");
//! assert_eq!(results.facets.keyword[0].value, "疫情防控");
//! # Ok(())
//! # }
//! ```
//!
//! # Query syntax
//!
//! The text of a [`SearchRequest`]:
//!
//! | query | finds |
//! |---|---|
//! | `峄城区疫情防控` | articles containing every word (峄城区, 疫情, 防控) in title or body; those with the text as typed rank first (in the title above in the body), then those with the words apart |
//! | `峄城 疫情防控` | the same: spaces separate words, they do not change the meaning |
//! | `"满意峄城"` or `“满意峄城”` | exactly this string, like Ctrl+F: any length, one character included, across word boundaries |
//! | `峄城 -营商` | articles that match `峄城` and do not contain 营商 (`-"…"` excludes a string) |
//! | `峄城 \| 薛城 会议` or `峄城 OR 薛城 会议` | articles with 会议 and either 峄城 or 薛城: a bar or `OR` between two chunks (bare or quoted, never exclusions) makes them options |
//! | `*` | every article, newest first: for browsing with filters |
//! | `峄政发[2022]5号` | the articles whose 文号 this is, in any spelling (〔〕 [] () 【】, 年, 第, spaces), said in [`SearchResults::searched_as`]; as typed, the articles citing it |
//!
//! Matching ignores full-width vs half-width forms (`５Ｇ` = `5G`), ASCII case, whitespace,
//! and traditional vs simplified characters (`峄城區` finds 峄城区); highlights fall on the
//! characters as the article prints them. `:` and other punctuation are plain text. Words are
//! cut by jieba; an index's user dictionary ([`Index::set_user_dictionary`]) changes how hits
//! rank, never which articles match. Filters ([`SearchRequest::source`] and the like) compare
//! folded values the same way; a value no article has is listed in
//! [`SearchResults::unmatched_filters`] with the closest values the index has.
//!
//! # Dates
//!
//! Publish times are China time (UTC+8). [`SearchRequest::since`] is inclusive and
//! [`SearchRequest::until`] exclusive; [`DateRange::parse`] reads a day, month or year as
//! people write them and gives its `start` and (exclusive) `end`, so a whole month is
//! `since(range.start).until(range.end)`.
//!
//! # An index that changes
//!
//! An [`Index`] opened from a folder sees what other processes commit to it on its own,
//! within about a second, never half a commit ([`Index::set_auto_reload`] turns that off,
//! [`Index::reload`] reloads on demand): a long-running program can keep one open while
//! `govsearch index` runs. Indexing a folder again replaces the articles of changed files,
//! removes those of deleted files and leaves unchanged files unread
//! ([`Index::index_folder`]); [`Index::remove_folder`] removes a moved or deleted folder.
//!
//! # On an OpenSearch cluster
//!
//! With the feature `opensearch` (on with the command-line tool), `Index::export` sends a
//! local index to an OpenSearch cluster, and again only what changed; `Index::connect` opens
//! that index on the cluster, and every search, article, related and suggest call answers from
//! it with the same query syntax, filters, facets, snippets, reprint grouping and query
//! assistance. Indexing and checking stay local ([`Error::NotLocal`]); a cluster that does not
//! answer is [`Error::ClusterUnavailable`], an index on it this build cannot use
//! [`Error::ClusterRefused`]. docs/scale-out.md says where the two differ.

#![warn(missing_docs)]

// Modules by concern, lowest first: each imports only those declared before it (kept so by
// `.ci/modules` in CI). ARCHITECTURE.md draws the layers and the flows between them.
mod error;

// The index format version every part of an index derives from.
mod format;

mod dates;

// Text as govsearch compares it: folding, segmentation, analyzers, fingerprints.
mod text;

// Reading files into articles.
mod article;

// The body's own postings, a tantivy segment plugin.
mod grams;

// The index as stored: open, create, schema, write, walk, check, repair, damage.
mod store;

// Query text to an index query.
mod query;

// Searching: ranking, facets, filters, releases, snippets, over what the engine hands it.
mod search;

// What people meant: pinyin, typos, completions, proposed over a parsed query.
mod assist;

// What govsearch says to an OpenSearch cluster: mapping, documents, queries, requests.
#[cfg(feature = "opensearch")]
mod opensearch;

// The public `Index` over a backend (a local store, or an index on a cluster): every entry
// point.
mod engine;

// What people search for: the server's log of searches, 热门搜索, the report of it.
mod searches;

#[cfg(feature = "eval")]
pub mod eval;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

/// The README's Rust example, compiled by `cargo test` as it is written there.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The date and time types of the API ([`DateTime`](chrono::DateTime) with a
/// [`FixedOffset`](chrono::FixedOffset), China time), so embedders use the same version.
pub use chrono;

pub use article::{
    parse_article, read_file, Article, FieldMap, FileArticles, Force, Layout, Metadata, NotAnArticle, Parent,
    ReadOptions, Record,
};
pub use assist::Suggestion;
pub use dates::DateRange;
#[cfg(feature = "opensearch")]
pub use engine::{ExportOptions, ExportProgress, ExportSummary};
pub use engine::{FolderStats, Index, IndexStats};
pub use error::{Error, QueryProblem, Result};
pub use query::synonyms::check_synonyms;
pub use search::snippet::{Highlight, Snippet};
pub use search::{
    ArticlePage, FacetCount, Facets, Hit, Rewrite, RewriteReason, Scope, SearchRequest, SearchResults, Sort, Unlisted,
    UnmatchedFilter, DEFAULT_FACET_VALUES, DEFAULT_SNIPPET_CHARS, MAX_FILTER_CHARS, MAX_FILTER_VALUES,
};
pub use searches::{
    read_log as read_search_log, DayVolume, LogOptions, LogReport, PopularQuery, QueryCount, RewriteCount, SearchLog,
    Searched, Since,
};
pub use store::{
    check_user_dictionary, default_index_dir, CheckReport, Damage, FileReport, IndexOptions, IndexSummary,
    MissingFolder, Outcome, Progress, Removed, Repaired, Skipped, Warning, DEFAULT_COMMIT_EVERY, INDEX_ENV,
};
