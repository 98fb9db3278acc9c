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

// Modules by concern, each depending only on those listed before it (error, dates and text
// on nothing of the crate's): ARCHITECTURE.md draws the same picture.
mod article;
mod dates;
mod error;
#[cfg(feature = "eval")]
pub mod eval;
mod grams;
mod index;
mod query;
mod search;
mod stats;
mod text;

pub use article::{
    parse_article, read_bytes, read_file, Article, FieldMap, FileArticles, Layout, Metadata, NotAnArticle, ReadOptions,
    MAX_FILE_BYTES,
};
pub use dates::{china, DateRange};
pub use error::{Error, Result};
pub use index::{
    check_folder, default_index_dir, FileReport, Index, IndexOptions, IndexSummary, Outcome, Progress, Skipped,
    Warning, INDEX_ENV,
};
pub use search::snippet::{Highlight, Snippet};
pub use search::{FacetCount, Facets, Hit, SearchRequest, SearchResults, Sort};
pub use stats::IndexStats;
pub use text::{fold, fold_char};
