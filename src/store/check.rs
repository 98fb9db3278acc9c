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

use super::directory::IndexDirectory;
use super::{commits, damage, IndexSummary, Store};
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
    /// What was wrong with `meta.json`, when the repair put back the last list of segments
    /// govsearch committed.
    pub meta_restored: Option<String>,
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

/// The list of segments a repair starts from: `meta.json` when govsearch committed it (or
/// when it reads and no record says otherwise), else the newest recorded one whose segments
/// are all in the folder, with what was wrong with `meta.json`.
fn meta_to_repair(dir: &Path) -> Result<(Vec<u8>, Option<String>)> {
    let on_disk = std::fs::read(dir.join("meta.json")).ok();
    let recorded = commits::recorded(dir).ok().flatten().unwrap_or_default();
    let Some(on_disk) = on_disk else {
        return match newest_whole(dir, &recorded) {
            Some(meta) => Ok((meta, Some("meta.json is gone".to_string()))),
            None => Err(Error::NoIndex {
                path: dir.to_path_buf(),
            }),
        };
    };
    let reads = serde_json::from_slice::<serde_json::Value>(&on_disk).is_ok();
    if recorded.is_empty() || recorded.contains(&on_disk) {
        return Ok((on_disk, None));
    }
    let problem = if reads {
        "meta.json was changed by something else"
    } else {
        "meta.json does not read"
    };
    match newest_whole(dir, &recorded) {
        Some(meta) => Ok((meta, Some(problem.to_string()))),
        None if reads => Ok((on_disk, None)),
        None => Err(Error::Damaged {
            path: dir.to_path_buf(),
            detail: format!(
                "{problem}, and no list of segments govsearch committed has all its segments in the folder; index the folders again into a new index folder"
            ),
        }),
    }
}

/// The newest of `versions` of `meta.json` whose segments all have their files in `dir`.
fn newest_whole(dir: &Path, versions: &[Vec<u8>]) -> Option<Vec<u8>> {
    let whole = |meta: &serde_json::Value| {
        meta["segments"].as_array().is_some_and(|segments| {
            segments.iter().all(|segment| {
                segment["segment_id"]
                    .as_str()
                    .is_some_and(|id| dir.join(format!("{}.store", id.replace('-', ""))).is_file())
            })
        })
    };
    versions
        .iter()
        .rev()
        .find(|version| serde_json::from_slice(version).is_ok_and(|meta| whole(&meta)))
        .cloned()
}

/// The segments of `metas` a repair drops, each with what is wrong: named wrongly by the list,
/// files that do not match their checksums, or grams that disagree with the segment.
fn damaged_segments(
    index: &tantivy::Index,
    metas: &tantivy::IndexMeta,
    dir: &Path,
) -> Result<BTreeMap<SegmentId, String>> {
    let mut damaged: BTreeMap<SegmentId, String> = BTreeMap::new();
    // A segment the list names twice, or without its deletions, is dropped (every entry of
    // it) and its files are indexed again.
    for (segment, problem) in super::segment_list_problems(index, dir)? {
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
    Ok(damaged)
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

/// How many times a repair asks for the writer's lock, a tenth of a second apart, before it
/// says the index is busy: a run that is still writing holds it longer, while a writer just
/// dropped lets go within seconds, though not at once on a loaded machine.
const LOCK_TRIES: u32 = 100;

impl Store {
    /// Drops the damaged segments of the index in `dir` and indexes the folders the index
    /// holds again, as one transaction: the list of segments without the damaged ones is
    /// read in place of `meta.json` until the runs commit, and every commit of the repair
    /// says it is one until the last. Stopped before its first commit, the repair leaves the
    /// index as it found it; stopped later, the next check names the unfinished repair and
    /// the next repair finishes it. A `meta.json` that is damaged, gone or changed by
    /// something else is replaced by the newest one govsearch committed.
    pub(crate) fn repair(dir: impl AsRef<Path>) -> Result<Repaired> {
        let dir = dir.as_ref();
        let mut repaired = Repaired::default();
        rebuild_file_list(dir)?;
        let (meta, restored) = meta_to_repair(dir)?;
        repaired.meta_restored = restored;
        let planned = damage::guarded(dir, || {
            let directory = IndexDirectory::with_meta(dir, meta).map_err(|err| Error::Index(err.into()))?;
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
            // No other run commits while the segments are read. A writer this process just
            // dropped may still be letting go of the lock (its threads finish the segments
            // they hold, slowly on a busy machine): it is asked for again for a while.
            let mut tries = 0;
            let _lock = loop {
                match index.directory().acquire_lock(&INDEX_WRITER_LOCK) {
                    Ok(lock) => break lock,
                    Err(tantivy::directory::error::LockError::LockBusy) if tries < LOCK_TRIES => {
                        tries += 1;
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    Err(tantivy::directory::error::LockError::LockBusy) => {
                        return Err(Error::IndexBusy {
                            path: dir.to_path_buf(),
                        })
                    }
                    Err(tantivy::directory::error::LockError::IoError(error)) => {
                        return Err(Error::Io {
                            path: dir.join(&INDEX_WRITER_LOCK.filepath),
                            error: std::io::Error::new(error.kind(), error.to_string()),
                        })
                    }
                }
            };
            let mut metas = index.load_metas()?;
            let damaged = damaged_segments(&index, &metas, dir)?;
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
            let mut payload = super::CommitPayload::read(metas.payload.as_deref().unwrap_or_default());
            payload.repairing = true;
            metas.payload = Some(payload.to_json());
            serde_json::to_vec_pretty(&metas).map_err(|err| Error::Index(err.into()))
        })?;
        // The folders indexed again over the planned list, which the first commit writes.
        let directory = IndexDirectory::with_meta(dir, planned).map_err(|err| Error::Index(err.into()))?;
        let store = Store::open_in(dir, directory, false, Vec::new())?;
        for folder in store.commit_payload().folders {
            if !Path::new(&folder).is_dir() {
                repaired.folders_gone.push(folder);
                continue;
            }
            let summary = store.index_folder_with(&folder, &super::IndexOptions::default(), |_| {})?;
            repaired.reindexed.push((folder, summary));
        }
        let mut writer = store.writer(Some(1))?;
        store.commit_changing(&mut writer, |payload| payload.repairing = false)?;
        writer.wait_merging_threads()?;
        Ok(repaired)
    }

    /// Verifies every file of the index against its checksum, and each segment's grams
    /// against the segment.
    pub(crate) fn check(&self) -> Result<CheckReport> {
        self.guarded(|| self.check_unguarded())
    }

    fn check_unguarded(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        if self.commit_payload().repairing {
            report.damaged.push(Damage {
                what: "repair".to_string(),
                problem: "a repair stopped before it finished: `govsearch check --repair` finishes it".to_string(),
            });
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_of_an_unfinished_repair_is_damage_until_a_repair_finishes_it() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("folder");
        std::fs::create_dir_all(&folder).unwrap();
        for name in ["a", "b"] {
            std::fs::write(
                folder.join(format!("{name}.txt")),
                format!("{name}标题\n{name}的正文。\n"),
            )
            .unwrap();
        }
        let at = dir.path().join("index");
        let store = Store::open_or_create(&at, Vec::new()).unwrap();
        store
            .index_folder_with(&folder, &super::super::IndexOptions::default(), |_| {})
            .unwrap();
        let mut writer = store.writer(Some(1)).unwrap();
        store
            .commit_changing(&mut writer, |payload| payload.repairing = true)
            .unwrap();
        writer.wait_merging_threads().unwrap();
        drop(store);

        let report = Store::open(&at, Vec::new()).unwrap().check().unwrap();
        assert_eq!(report.damaged.len(), 1, "{report:?}");
        assert!(report.damaged[0].problem.contains("finish"), "{report:?}");
        Store::repair(&at).unwrap();
        let store = Store::open(&at, Vec::new()).unwrap();
        assert!(store.check().unwrap().is_whole());
        assert_eq!(store.num_articles(), 2);
    }
}
