//! Indexing a folder: walk it, read every article file, and account for every file that is
//! not indexed with a reason. A broken file never stops the run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use walkdir::WalkDir;

use crate::article::parse_article;
use crate::error::{Error, Result};
use crate::index::Index;

/// Article files larger than this are skipped: no release is this long, a data dump is.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A file that was not indexed, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Why it was not indexed, one line.
    pub reason: String,
}

/// An article that was indexed without something it should have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The file.
    pub path: PathBuf,
    /// What is missing, one line.
    pub message: String,
}

/// What an indexing run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IndexSummary {
    /// Files found under the folder (hidden files and folders are not read).
    pub files_seen: usize,
    /// Articles written to the index.
    pub articles_indexed: usize,
    /// Files not indexed, with reasons.
    pub skipped: Vec<Skipped>,
    /// Articles indexed with missing metadata.
    pub warnings: Vec<Warning>,
    /// Articles in the index after the run.
    pub articles_in_index: u64,
    /// Wall time of the run.
    #[serde(serialize_with = "as_secs")]
    pub elapsed: Duration,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// Progress of an indexing run, reported after each file.
#[derive(Clone, Copy, Debug)]
pub struct Progress<'a> {
    /// Files handled so far.
    pub done: usize,
    /// Files to handle in all.
    pub total: usize,
    /// The file just handled.
    pub path: &'a Path,
}

impl Index {
    /// Indexes every article file under `dir` (recursively), replacing earlier versions of the
    /// same files. Calls `progress` after each file. Files that cannot be indexed are listed in
    /// the summary with their reason; only a failure of the index itself is an error.
    pub fn index_folder(
        &self,
        dir: impl AsRef<Path>,
        mut progress: impl FnMut(Progress<'_>),
    ) -> Result<IndexSummary> {
        let started = Instant::now();
        let dir = dir.as_ref();
        let bad_folder = |reason: String| Error::BadFolder {
            path: dir.to_path_buf(),
            reason,
        };
        let meta = std::fs::metadata(dir).map_err(|e| bad_folder(e.to_string().to_lowercase()))?;
        if !meta.is_dir() {
            return Err(bad_folder("not a folder".to_string()));
        }
        let mut summary = IndexSummary::default();
        let mut files = Vec::new();
        let walk = WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            match entry {
                Ok(entry) if entry.file_type().is_file() => files.push(entry.into_path()),
                Ok(_) => {}
                Err(err) => {
                    let path = err.path().unwrap_or(dir).to_path_buf();
                    summary.files_seen += 1;
                    summary.skipped.push(Skipped {
                        path,
                        reason: format!("unreadable: {}", io_reason(err.io_error())),
                    });
                }
            }
        }
        summary.files_seen += files.len();
        let mut writer = self.writer()?;
        for (done, path) in files.iter().enumerate() {
            match read_file(path) {
                Ok((id, article)) => {
                    self.write_article(&writer, &id, &article)?;
                    summary.articles_indexed += 1;
                    let missing: Vec<&str> = [
                        (article.published.is_none(), "publish date"),
                        (article.source.is_none(), "source (来源)"),
                    ]
                    .into_iter()
                    .filter_map(|(missing, what)| missing.then_some(what))
                    .collect();
                    if !missing.is_empty() {
                        summary.warnings.push(Warning {
                            path: path.clone(),
                            message: format!("indexed without {}", missing.join(" and ")),
                        });
                    }
                }
                Err(reason) => summary.skipped.push(Skipped {
                    path: path.clone(),
                    reason,
                }),
            }
            progress(Progress {
                done: done + 1,
                total: files.len(),
                path,
            });
        }
        self.commit(&mut writer)?;
        summary.articles_in_index = self.num_articles();
        summary.elapsed = started.elapsed();
        Ok(summary)
    }
}

/// Reads one file into its identity and article, or says why it is not an article.
pub(crate) fn read_file(path: &Path) -> std::result::Result<(String, crate::Article), String> {
    let is_txt = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("txt"));
    if !is_txt {
        return Err("not a .txt article file".to_string());
    }
    let meta =
        std::fs::metadata(path).map_err(|e| format!("unreadable: {}", io_reason(Some(&e))))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "too large ({} MiB; the limit is {} MiB)",
            meta.len() >> 20,
            MAX_FILE_BYTES >> 20
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("unreadable: {}", io_reason(Some(&e))))?;
    if bytes.contains(&0) {
        return Err("binary file (contains NUL bytes)".to_string());
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (invalid byte at offset {}); other encodings are not read yet",
            e.valid_up_to()
        )
    })?;
    let article = parse_article(text).map_err(|e| e.to_string())?;
    let id = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned();
    Ok((id, article))
}

fn io_reason(err: Option<&std::io::Error>) -> String {
    match err {
        Some(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            "permission denied".to_string()
        }
        Some(e) => e.to_string(),
        None => "cannot be read".to_string(),
    }
}
