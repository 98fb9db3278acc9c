//! The library's one error type: every way indexing or searching can fail, each with the
//! context (path, query text) a user needs to act on it.

use std::path::PathBuf;

/// Errors returned by govsearch. Each message says what happened and, where there is one,
/// what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query text cannot be read (unbalanced quote, nothing to search for).
    #[error("bad query {query:?}: {problem}")]
    BadQuery {
        /// The query as given.
        query: String,
        /// What is wrong with it.
        problem: QueryProblem,
    },

    /// A date is not one govsearch understands.
    #[error("bad date {text:?}: expected a day, month or year such as 2022-05-10, 2022-05, 2022年5月 or 2022")]
    BadDate {
        /// The date as given.
        text: String,
    },

    /// A date range whose start is not before its end.
    #[error(
        "the date range is empty: it asks for articles published from {since} on and up to {until}, and no day is both"
    )]
    EmptyDateRange {
        /// The range's first day (China time, `2023-01-01`).
        since: String,
        /// The range's last day (China time, `2022-12-31`).
        until: String,
    },

    /// A filter given more values, or a longer value, than any search needs.
    #[error("the {field} filter is too large ({values} values, the longest {longest} characters; at most {max_values} values of at most {max_chars} characters)")]
    FilterTooLarge {
        /// The filter (`source`, `editor`, `keyword`, `column`).
        field: String,
        /// How many values it was given.
        values: usize,
        /// The longest value's length in characters.
        longest: usize,
        /// The most values a filter may have.
        max_values: usize,
        /// The longest a value may be, in characters.
        max_chars: usize,
    },

    /// A filter given an empty value: it would match nothing, which would look like a search
    /// that found nothing.
    #[error("the {field} filter was given an empty value: give it a value, or leave it out")]
    EmptyFilter {
        /// The filter (`source`, `editor`, `keyword`, `column`).
        field: String,
    },

    /// No index exists at the path.
    #[error("no index at {}: index a folder into it first", path.display())]
    NoIndex {
        /// The index folder asked for.
        path: PathBuf,
    },

    /// A folder given as an index that holds other files and no index.
    #[error("{} is not an index folder: it holds other files; give a new or empty folder for the index", path.display())]
    NotAnIndexFolder {
        /// The folder as given.
        path: PathBuf,
    },

    /// The folder holds an index this build cannot read correctly.
    #[error("the index at {} was built by another version of govsearch ({detail}): delete it and index again", path.display())]
    IncompatibleIndex {
        /// The index folder.
        path: PathBuf,
        /// What differs.
        detail: String,
    },

    /// Another process is writing to the index.
    #[error("the index at {} is busy: another process is writing to it", path.display())]
    IndexBusy {
        /// The index folder.
        path: PathBuf,
    },

    /// The device the index is on has no room left.
    #[error("no space left on the device of the index at {}: the files of the failed run were removed and the last commit is whole; free some space and index again", path.display())]
    DiskFull {
        /// The index folder.
        path: PathBuf,
    },

    /// The folder to index does not exist or is not a folder.
    #[error("cannot index {}: {reason}", path.display())]
    BadFolder {
        /// The folder as given.
        path: PathBuf,
        /// Why it cannot be indexed.
        reason: String,
    },

    /// A folder to remove from the index that the index holds nothing from.
    #[error("the index holds no articles from {} (its folders: {folders})", path.display())]
    NotIndexed {
        /// The folder as given.
        path: PathBuf,
        /// The folders the index holds, for the message.
        folders: String,
    },

    /// A user dictionary that cannot be used.
    #[error("bad user dictionary {}: {reason}", path.display())]
    BadDictionary {
        /// The dictionary file.
        path: PathBuf,
        /// What is wrong, with the line where there is one.
        reason: String,
    },

    /// A synonym table that cannot be used.
    #[error("bad synonym table {}: {reason}", path.display())]
    BadSynonyms {
        /// The table file.
        path: PathBuf,
        /// What is wrong, with the line.
        reason: String,
    },

    /// A file that yields no article to index, and why (one line).
    #[error("{}: {reason}", path.display())]
    NotRead {
        /// The file.
        path: PathBuf,
        /// Why it yields nothing.
        reason: String,
    },

    /// A folder given for the search log that it cannot use.
    #[error("cannot keep the search log in {}: {reason}", path.display())]
    NotALogFolder {
        /// The folder.
        path: PathBuf,
        /// Why not.
        reason: String,
    },

    /// The OpenSearch cluster a backend or an export talks to did not answer, or answered
    /// with an error after the retries: down, overloaded or slow. Nothing was answered from
    /// it, so nothing is an empty answer by mistake.
    #[error("the OpenSearch cluster at {url} is unavailable: {detail}")]
    ClusterUnavailable {
        /// The cluster's address (without credentials).
        url: String,
        /// What it answered, or why there was no answer.
        detail: String,
    },

    /// An index on an OpenSearch cluster that govsearch cannot use as it is: missing, made
    /// by another format or mapping, or holding another dictionary than the one exported.
    #[error("the OpenSearch index {name} at {url} cannot be used: {detail}")]
    ClusterRefused {
        /// The cluster's address (without credentials).
        url: String,
        /// The index's name on the cluster.
        name: String,
        /// Why, and what to do.
        detail: String,
    },

    /// An operation that writes or inspects a local index, asked of an index on a cluster.
    #[error("{what} needs a local index: an index on a cluster is written by `govsearch export` from a local one")]
    NotLocal {
        /// The operation.
        what: &'static str,
    },

    /// Reading or writing a file failed; the message says why.
    #[error("cannot access {}: {error}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },

    /// A file of the index does not hold what was written to it (a disk or copy damaged it):
    /// the index answers nothing from it rather than answer wrongly.
    #[error("the index at {} is damaged ({detail}): run `govsearch check --repair` to drop the damaged segments and index their files again", path.display())]
    Damaged {
        /// The index folder.
        path: PathBuf,
        /// What was found, naming the segment or file where it is known.
        detail: String,
    },

    /// govsearch's own code failed (a bug, not damage to the index): where it failed and why.
    /// The index is as it was; nothing was written.
    #[error("internal error at {location}: {detail}; this is a bug in govsearch, not damage to the index: please report it with the command that gave it")]
    Internal {
        /// The source file and line of govsearch where it failed.
        location: String,
        /// What failed.
        detail: String,
    },

    /// The index engine failed.
    #[error("the index engine failed")]
    Index(#[from] tantivy::TantivyError),
}

/// What is wrong with a query that cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryProblem {
    /// A quote opens and never closes (`"满意峄城`).
    #[error("unclosed quote")]
    UnclosedQuote,
    /// Nothing but spaces and punctuation.
    #[error("nothing to search for")]
    NothingToFind,
    /// Only words to leave out (`-峄城`).
    #[error("only exclusions: say what to search for too")]
    OnlyExclusions,
}

impl Error {
    /// A short, stable name of the kind of error (`bad_query`, `damaged`, …), for programs
    /// that act on it: the message may be reworded, the code is not.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadQuery { problem, .. } => match problem {
                QueryProblem::UnclosedQuote => "unclosed_quote",
                QueryProblem::NothingToFind => "nothing_to_search_for",
                QueryProblem::OnlyExclusions => "only_exclusions",
            },
            Error::BadDate { .. } => "bad_date",
            Error::EmptyDateRange { .. } => "empty_date_range",
            Error::FilterTooLarge { .. } => "filter_too_large",
            Error::EmptyFilter { .. } => "empty_filter",
            Error::NoIndex { .. } => "no_index",
            Error::NotAnIndexFolder { .. } => "not_an_index_folder",
            Error::IncompatibleIndex { .. } => "incompatible_index",
            Error::IndexBusy { .. } => "index_busy",
            Error::DiskFull { .. } => "disk_full",
            Error::BadFolder { .. } => "bad_folder",
            Error::NotIndexed { .. } => "not_indexed",
            Error::BadDictionary { .. } => "bad_dictionary",
            Error::BadSynonyms { .. } => "bad_synonyms",
            Error::NotRead { .. } => "not_read",
            Error::NotALogFolder { .. } => "not_a_log_folder",
            Error::ClusterUnavailable { .. } => "cluster_unavailable",
            Error::ClusterRefused { .. } => "cluster_refused",
            Error::NotLocal { .. } => "not_local",
            Error::Io { .. } => "io",
            Error::Damaged { .. } => "damaged",
            Error::Internal { .. } => "internal",
            Error::Index(_) => "index_engine",
        }
    }
}

/// Result with govsearch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
