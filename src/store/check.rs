//! `govsearch check`: every file of the index verified against what was written.
//!
//! tantivy ends each file it writes, the body's grams files included, with a checksum; the
//! check reads every file of every segment the last commit names and compares. It then opens
//! each segment's grams, whose sizes must add up, and compares their article count with the
//! segment's. Searches do not read whole files, so damage in the middle of one would otherwise
//! change answers without a word.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::directory::{Directory, INDEX_WRITER_LOCK};
use tantivy::index::SegmentId;
use tantivy::SegmentReader;

use super::{damage, IndexSummary, Store};
use crate::error::{Error, Result};
use crate::grams::Grams;

/// What [`Index::check`](crate::Index::check) found.
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

/// What [`Index::repair`](crate::Index::repair) did.
#[derive(Debug, Default, Serialize)]
pub struct Repaired {
    /// The damaged segments dropped, each with what was wrong.
    pub dropped: Vec<Damage>,
    /// Articles the dropped segments held.
    pub articles_dropped: u64,
    /// Each folder of the index indexed again, with its run's summary: the files of the
    /// dropped segments are indexed again, the others are unchanged and not read.
    pub reindexed: Vec<(String, IndexSummary)>,
    /// Folders the index held that are gone: their articles in dropped segments are lost.
    pub folders_gone: Vec<String>,
}

/// The file where tantivy lists the files it wrote, so that it deletes them when no commit
/// needs them any more.
const FILE_LIST: &str = ".managed.json";

/// Writes the index's list of its own files again when it does not read: every segment file
/// in the folder (named by its segment's id), so that unneeded ones are deleted later as
/// before. Nothing else of the index depends on it.
fn rebuild_file_list(dir: &Path) -> Result<()> {
    let path = dir.join(FILE_LIST);
    let reads = std::fs::read(&path)
        .ok()
        .is_some_and(|bytes| serde_json::from_slice::<Vec<String>>(&bytes).is_ok());
    if reads {
        return Ok(());
    }
    let io = |error| Error::Io {
        path: path.clone(),
        error,
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            let id = name.split('.').next().unwrap_or_default();
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .collect();
    names.sort();
    let text = serde_json::to_string(&names).expect("strings serialize");
    let temporary = dir.join(format!("{FILE_LIST}.repair"));
    std::fs::write(&temporary, text).map_err(io)?;
    std::fs::rename(&temporary, &path).map_err(io)
}

/// What is wrong with the segment `reader` reads, if anything: its grams, against the
/// segment.
fn segment_problem(reader: &SegmentReader) -> Option<String> {
    match Grams::open(reader) {
        Ok(grams) if grams.articles == reader.max_doc() as usize => None,
        Ok(grams) => Some(format!(
            "its grams hold {} articles where the segment holds {}",
            grams.articles,
            reader.max_doc()
        )),
        Err(err) => Some(damage::damage_in(&err).unwrap_or_else(|| err.to_string())),
    }
}

impl Store {
    /// Drops the damaged segments of the index in `dir` and indexes the folders the index
    /// holds again. Holds the writer's lock while it changes the list of segments.
    pub(crate) fn repair(dir: impl AsRef<Path>) -> Result<Repaired> {
        let dir = dir.as_ref();
        if !dir.join("meta.json").is_file() {
            return Err(Error::NoIndex {
                path: dir.to_path_buf(),
            });
        }
        let mut repaired = Repaired::default();
        rebuild_file_list(dir)?;
        damage::guarded(dir, || {
            let directory = super::directory::IndexDirectory::open(dir).map_err(|err| Error::Index(err.into()))?;
            let mut index = tantivy::Index::open(directory).map_err(|err| Error::Damaged {
                path: dir.to_path_buf(),
                detail: format!(
                    "its list of segments (meta.json) does not read: {err}; it cannot be repaired, index its folders again into a new index folder"
                ),
            })?;
            index.register_plugin(std::sync::Arc::new(crate::grams::BodyGrams::new(
                super::schema::body_field(),
            )));
            crate::text::analyzers::register(&index, &crate::text::segment::Segmenter::default());
            let _lock = index
                .directory()
                .acquire_lock(&INDEX_WRITER_LOCK)
                .map_err(|_| Error::IndexBusy {
                    path: dir.to_path_buf(),
                })?;
            let mut metas = index.load_metas()?;
            let mut damaged: BTreeMap<SegmentId, String> = BTreeMap::new();
            // A segment meta.json names twice, or without its deletions, is dropped (every
            // entry of it) and its files are indexed again.
            for (segment, problem) in super::segment_list_problems(&index, dir)? {
                damaged.insert(segment, format!("meta.json {problem}"));
            }
            for meta in &metas.segments {
                let files = damage::damaged_files(index.directory(), &[meta.id()], None);
                let problem = if !files.is_empty() {
                    Some(damage::mismatched(&files))
                } else {
                    let segment = index.segment(meta.clone());
                    match damage::guarded(dir, || Ok(SegmentReader::open(&segment)?)) {
                        Ok(reader) => segment_problem(&reader),
                        Err(err) => Some(err.to_string()),
                    }
                };
                if let Some(problem) = problem {
                    damaged.insert(meta.id(), problem);
                }
            }
            let before = metas.segments.len();
            metas.segments.retain(|meta| {
                let Some(problem) = damaged.get(&meta.id()) else {
                    return true;
                };
                repaired.articles_dropped += u64::from(meta.num_docs());
                repaired.dropped.push(Damage {
                    what: format!("segment {}", meta.id().uuid_string()),
                    problem: problem.clone(),
                });
                false
            });
            if metas.segments.len() != before {
                let mut bytes = serde_json::to_vec_pretty(&metas).map_err(|err| Error::Index(err.into()))?;
                bytes.push(b'\n');
                index.directory().sync_directory().map_err(|error| Error::Io {
                    path: dir.to_path_buf(),
                    error,
                })?;
                index
                    .directory()
                    .atomic_write(Path::new("meta.json"), &bytes)
                    .map_err(|error| Error::Io {
                        path: dir.join("meta.json"),
                        error,
                    })?;
            }
            Ok(())
        })?;
        // The folders indexed again, now that the lock is released.
        let index = Store::open(dir, Vec::new())?;
        for folder in index.commit_payload().folders {
            if !Path::new(&folder).is_dir() {
                repaired.folders_gone.push(folder);
                continue;
            }
            let summary = index.index_folder_with(&folder, &super::IndexOptions::default(), |_| {})?;
            repaired.reindexed.push((folder, summary));
        }
        Ok(repaired)
    }

    /// Verifies every file of the index against its checksum, and each segment's grams
    /// against the segment.
    pub(crate) fn check(&self) -> Result<CheckReport> {
        self.guarded(|| self.check_unguarded())
    }

    fn check_unguarded(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let mut damaged: Vec<PathBuf> = self.index.validate_checksum()?.into_iter().collect();
        damaged.sort();
        report.damaged.extend(damaged.into_iter().map(|path| Damage {
            what: path.display().to_string(),
            problem: damage::CHECKSUM_MISMATCH.to_string(),
        }));
        let searcher = self.searcher();
        report.segments = searcher.segment_readers().len();
        for segment in searcher.segment_readers() {
            let Some(problem) = segment_problem(segment) else {
                continue;
            };
            report.damaged.push(Damage {
                what: format!("segment {}", segment.segment_id().uuid_string()),
                problem,
            });
        }
        Ok(report)
    }
}
