//! The library's one error type: every way indexing or searching can fail, each with the
//! context (path, query text) a user needs to act on it.

use std::path::PathBuf;

/// Errors returned by govsearch.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query text cannot be read (unbalanced quote, nothing to search for).
    #[error("bad query {query:?}: {reason}")]
    BadQuery { query: String, reason: String },

    /// A date filter is not a date govsearch understands.
    #[error("bad date {text:?}: expected a day, month or year such as 2022-05-10, 2022-05, 2022年5月 or 2022")]
    BadDate { text: String },

    /// A date range whose start comes after its end.
    #[error("empty date range: --since {since} is after --until {until}")]
    EmptyDateRange { since: String, until: String },

    /// No index exists at the path.
    #[error("no index at {}: run `govsearch index <DIR>` first", path.display())]
    NoIndex { path: PathBuf },

    /// The directory holds an index this build cannot read correctly.
    #[error("the index at {} was built by another version of govsearch ({detail}): delete it and index again", path.display())]
    IncompatibleIndex { path: PathBuf, detail: String },

    /// Another process is writing to the index.
    #[error("the index at {} is busy: another `govsearch index` is writing to it", path.display())]
    IndexBusy { path: PathBuf },

    /// The folder to index does not exist or is not a folder.
    #[error("cannot index {}: {reason}", path.display())]
    BadFolder { path: PathBuf, reason: String },

    /// A user dictionary line is not `word [frequency] [tag]`.
    #[error("bad user dictionary {}: {reason}", path.display())]
    BadDictionary { path: PathBuf, reason: String },

    /// Reading or writing a file failed.
    #[error("cannot access {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The index engine failed.
    #[error("the index engine failed")]
    Index(#[from] tantivy::TantivyError),
}

/// Result with govsearch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
