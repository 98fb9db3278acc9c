//! What an index holds: `govsearch stats`.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::AllQuery;
use tantivy::Order;

use super::Local;
use crate::dates::china;
use crate::error::Result;
use crate::search::facets::FacetCounters;
use crate::search::FacetCount;
use crate::store::keys::key_path;
use crate::store::schema;

/// A folder indexed into an index.
#[derive(Clone, Debug, Serialize)]
pub struct FolderStats {
    /// The folder's canonical path, as it was indexed.
    pub path: String,
    /// Files of it the index holds articles of.
    pub files: usize,
    /// Whether the folder still exists (`govsearch remove` takes out one that does not).
    pub exists: bool,
}

/// A summary of an index.
#[derive(Clone, Debug, Serialize)]
pub struct IndexStats {
    /// The index folder (left out of JSON when empty: a public server empties it).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub location: String,
    /// Articles.
    pub articles: u64,
    /// Files the articles came from.
    pub files: usize,
    /// Articles per layout of their file.
    pub layouts: Vec<FacetCount>,
    /// Articles per source, most first.
    pub sources: Vec<FacetCount>,
    /// The folders indexed into it (left out of JSON when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<FolderStats>,
    /// Earliest publish time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_published: Option<DateTime<FixedOffset>>,
    /// Latest publish time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_published: Option<DateTime<FixedOffset>>,
    /// Bytes the index takes on disk (0 in memory).
    pub size_bytes: u64,
    /// When the last indexing run committed (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

impl Local {
    /// Counts what the index holds.
    pub(crate) fn stats(&self) -> Result<IndexStats> {
        self.guarded(|| {
            let searcher = self.searcher();
            let facets = FacetCounters::every_value(
                std::sync::Arc::clone(&self.caches.numbering),
                [schema::LAYOUT, schema::SOURCE],
            );
            let (articles, [layouts, sources]) = searcher.search(&AllQuery, &(Count, facets))?;
            let edge = |order: Order| -> Result<Option<DateTime<FixedOffset>>> {
                let top = TopDocs::with_limit(1).order_by_fast_field::<tantivy::DateTime>(schema::PUBLISHED, order);
                let found = searcher.search(&AllQuery, &top)?;
                Ok(found
                    .into_iter()
                    .find_map(|(value, _)| value)
                    .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0))
                    .map(|d| d.with_timezone(&china())))
            };
            let files = self.store.file_states()?;
            let size_bytes = std::fs::read_dir(self.location())
                .map(|entries| {
                    entries
                        .flatten()
                        .filter_map(|e| e.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0);
            Ok(IndexStats {
                location: self.location().display().to_string(),
                articles: articles as u64,
                files: files.len(),
                folders: self
                    .folders()
                    .into_iter()
                    .map(|folder| FolderStats {
                        files: files.keys().filter(|p| key_path(p).starts_with(&folder)).count(),
                        exists: folder.is_dir(),
                        path: folder.to_string_lossy().into_owned(),
                    })
                    .collect(),
                layouts: crate::search::facet_counts(layouts.0),
                sources: crate::search::facet_counts(sources.0),
                first_published: edge(Order::Asc)?,
                last_published: edge(Order::Desc)?,
                size_bytes,
                updated: self.store.commit_payload().committed,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Index;

    #[test]
    fn counts_dates_and_sources() {
        let index = Index::of_texts(&[
            ("0", "甲\n2021-03-02 10:00 来源:枣庄日报\n正文。\n"),
            ("1", "乙\n2023-05-04 10:00 来源:枣庄日报\n正文。\n"),
            ("2", "丙\n正文。\n"),
        ]);
        let stats = index.stats().unwrap();
        assert_eq!(stats.articles, 3);
        assert_eq!(stats.files, 3);
        assert_eq!(
            stats.sources,
            [FacetCount {
                value: "枣庄日报".into(),
                count: 2
            }]
        );
        assert_eq!(stats.first_published.unwrap().to_rfc3339(), "2021-03-02T10:00:00+08:00");
        assert_eq!(stats.last_published.unwrap().to_rfc3339(), "2023-05-04T10:00:00+08:00");
        assert!(stats.updated.is_some(), "commits carry their time");
    }
}
