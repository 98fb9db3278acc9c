//! `govsearch check`: every file of the index verified against what was written.
//!
//! tantivy ends each file it writes, the body's grams files included, with a checksum; the
//! check reads every file of every segment the last commit names and compares. It then opens
//! each segment's grams, whose sizes must add up, and compares their article count with the
//! segment's. Searches do not read whole files, so damage in the middle of one would otherwise
//! change answers without a word.

use std::path::PathBuf;

use serde::Serialize;

use super::Index;
use crate::error::Result;
use crate::grams::Grams;

/// What [`Index::check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Segments the last commit names.
    pub segments: usize,
    /// Damaged files or segments, each with what is wrong; empty when the index is whole.
    pub damaged: Vec<Damage>,
}

/// One damaged file or segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Damage {
    /// The file, or the segment's id.
    pub what: String,
    /// What is wrong with it.
    pub problem: String,
}

impl CheckReport {
    /// Whether nothing is damaged.
    pub fn is_whole(&self) -> bool {
        self.damaged.is_empty()
    }
}

impl Index {
    /// Verifies every file of the index against its checksum, and each segment's grams
    /// against the segment. Reads the whole index: for `govsearch check`, not for every open.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let mut damaged: Vec<PathBuf> = self.index.validate_checksum()?.into_iter().collect();
        damaged.sort();
        report.damaged.extend(damaged.into_iter().map(|path| Damage {
            what: path.display().to_string(),
            problem: "its checksum does not match its contents".to_string(),
        }));
        let searcher = self.searcher();
        report.segments = searcher.segment_readers().len();
        for segment in searcher.segment_readers() {
            let problem = match Grams::open(segment) {
                Ok(grams) if grams.articles == segment.max_doc() as usize => continue,
                Ok(grams) => format!(
                    "its grams hold {} articles where the segment holds {}",
                    grams.articles,
                    segment.max_doc()
                ),
                Err(err) => err.to_string(),
            };
            report.damaged.push(Damage {
                what: format!("segment {}", segment.segment_id().uuid_string()),
                problem,
            });
        }
        Ok(report)
    }
}
