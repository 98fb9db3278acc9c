//! Indexing a folder: walk it, read every article file, account for every file, and keep
//! the index in step with the folder across runs.
//!
//! Each file ends as exactly one [`Outcome`]: indexed (its articles replace the ones it gave
//! before), unchanged (same size and modification time as when indexed: not read again),
//! skipped (with a one-line reason). Articles of files that are gone from the folder are
//! removed. The state that makes this work (path, size, modification time) is stored in each
//! article's document, so it commits atomically with the articles.
//!
//! The run commits every 50,000 files or 30 s, whichever comes first, and at the end. Killed
//! at any moment, it leaves the last commit searchable; the next run skips what that commit
//! holds and does the rest, with no duplicates (a file's articles are deleted before they are
//! written again).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, UNIX_EPOCH};

use rustc_hash::FxHashMap;
use serde::Serialize;
use walkdir::WalkDir;

use crate::article::{file_articles, FileArticles, Layout, ReadOptions};
use crate::error::{Error, Result};
use crate::store::attachments::{attachment_keys, Page, Parents};
use crate::store::keys::{key_display, key_path, path_key, place_in, serialize_lossy};
use crate::store::write::Links;
use crate::store::{FileState, Store};

/// Reads files on a thread of its own, a few ahead of the file being indexed, so that reading
/// the next files overlaps writing this one and the two threads do not wake each other for
/// every file. A file that takes longer than its budget (from when the thread starts it) is
/// given up: the run goes on with a new reader thread, which is handed the files sent after
/// it, and the old one, unstoppable, is left to finish or to end with the process.
struct BudgetedReader<T> {
    reader: Reader<T>,
    jobs: mpsc::Sender<(u64, PathBuf)>,
    results: mpsc::Receiver<(u64, Read<T>)>,
    /// The job the thread is reading, and since when.
    started: Arc<Mutex<Option<(u64, Instant)>>>,
    /// Files sent to the thread and not yet taken, in the order it reads them.
    sent: VecDeque<(u64, PathBuf)>,
    next_job: u64,
}

/// A file read, or why not.
type Read<T> = std::result::Result<T, String>;

/// What reads a file.
type Reader<T> = Arc<dyn Fn(&Path) -> Read<T> + Send + Sync>;

/// Files read ahead of the one being indexed: enough to keep the reader busy, few enough that
/// files of the largest size readers take hold little memory.
const READ_AHEAD: usize = 4;

impl BudgetedReader<FileArticles> {
    fn new(options: &ReadOptions) -> BudgetedReader<FileArticles> {
        let options = options.clone();
        BudgetedReader::with(Arc::new(move |path: &Path| file_articles(path, &options)))
    }
}

impl<T: Send + 'static> BudgetedReader<T> {
    fn with(reader: Reader<T>) -> BudgetedReader<T> {
        let mut budgeted = BudgetedReader {
            reader,
            jobs: mpsc::channel().0,
            results: mpsc::channel().1,
            started: Default::default(),
            sent: VecDeque::new(),
            next_job: 0,
        };
        budgeted.restart();
        budgeted
    }

    /// A new thread, handed the files sent and not yet taken.
    fn restart(&mut self) {
        let (jobs, inbox) = mpsc::channel::<(u64, PathBuf)>();
        let (outbox, results) = mpsc::channel();
        let started = Arc::new(Mutex::new(None));
        let (reader, reading) = (Arc::clone(&self.reader), Arc::clone(&started));
        std::thread::Builder::new()
            .name("govsearch-read".to_string())
            .spawn(move || {
                for (job, path) in inbox {
                    *reading.lock().unwrap_or_else(PoisonError::into_inner) = Some((job, Instant::now()));
                    if outbox.send((job, reader(&path))).is_err() {
                        break;
                    }
                }
            })
            .expect("a reader thread starts");
        (self.jobs, self.results, self.started) = (jobs, results, started);
        for job in &self.sent {
            // Were the new thread gone already, the wait for the job would say so.
            let _ = self.jobs.send(job.clone());
        }
    }

    /// Starts reading `path` ahead, unless it is sent already or enough files are.
    fn read_ahead(&mut self, path: &Path) {
        if self.sent.len() < READ_AHEAD && !self.sent.iter().any(|(_, sent)| sent == path) {
            self.send(path);
        }
    }

    fn send(&mut self, path: &Path) {
        let job = (self.next_job, path.to_path_buf());
        self.next_job += 1;
        let _ = self.jobs.send(job.clone());
        self.sent.push_back(job);
    }

    /// `path` read, or why not: within `budget`, or skipped. Files read ahead of it that were
    /// not asked for are dropped.
    fn read(&mut self, path: &Path, budget: Duration) -> Read<T> {
        if !self.sent.iter().any(|(_, sent)| sent == path) {
            self.send(path);
        }
        loop {
            let (sent, read) = self.next(budget);
            if sent == path {
                return read;
            }
        }
    }

    /// The first file sent and not yet taken, read within `budget` or skipped.
    fn next(&mut self, budget: Duration) -> (PathBuf, Read<T>) {
        let Some((job, path)) = self.sent.pop_front() else {
            return (PathBuf::new(), Err("nothing to read".to_string()));
        };
        loop {
            let since = match *self.started.lock().unwrap_or_else(PoisonError::into_inner) {
                Some((reading, at)) if reading == job => Some(at),
                _ => None,
            };
            // The thread starts the job as soon as it has sent the one before: until it has,
            // look again shortly.
            let left = since.map_or(budget.min(Duration::from_millis(10)), |at| {
                budget.saturating_sub(at.elapsed())
            });
            match self.results.recv_timeout(left) {
                Ok((done, read)) if done == job => return (path, read),
                Ok(_) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) if since.is_some_and(|at| at.elapsed() >= budget) => {
                    self.restart();
                    let reason = format!(
                        "took over {} s to read: skipped (a file built to be slow to parse)",
                        budget.as_secs_f64()
                    );
                    return (path, Err(reason));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    self.restart();
                    return (path, Err("unreadable: the reader stopped".to_string()));
                }
            }
        }
    }
}

/// Records that are not articles listed one by one among a file's warnings; more are counted.
const MAX_LISTED_SKIPS: usize = 20;

/// Longest time between two commits.
const COMMIT_EVERY: Duration = Duration::from_secs(30);

/// How a folder is indexed.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// How files are read.
    pub read: ReadOptions,
    /// Files read between two commits (and at most 30 s): what a killed run can lose. Each
    /// commit also ends the segments being written, so small values cost merges.
    pub commit_every: usize,
    /// Indexing threads; `None` for one per core (at most 8). Files are read on a thread
    /// besides.
    pub threads: Option<usize>,
    /// The longest a file may take to read; a file that takes longer is skipped with its
    /// reason and the run goes on. Real files take milliseconds.
    pub read_budget: Duration,
}

/// Files read between two commits of an indexing run, unless its options say otherwise.
pub const DEFAULT_COMMIT_EVERY: usize = 50_000;

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            read: ReadOptions::default(),
            commit_every: DEFAULT_COMMIT_EVERY,
            threads: None,
            read_budget: Duration::from_secs(20),
        }
    }
}

/// A file that was not indexed, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file.
    #[serde(serialize_with = "serialize_lossy")]
    pub path: PathBuf,
    /// Why it was not indexed, one line.
    pub reason: String,
}

/// Something missing from a file that was indexed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The file.
    #[serde(serialize_with = "serialize_lossy")]
    pub path: PathBuf,
    /// What is missing, one line.
    pub message: String,
}

/// What became of one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum Outcome {
    /// Read and indexed.
    Indexed {
        /// Its layout.
        layout: Layout,
        /// The encoding it was decoded from.
        encoding: String,
        /// Articles written.
        articles: usize,
        /// What its articles lack, and records that are not articles.
        warnings: Vec<String>,
    },
    /// Same size and modification time as when it was indexed: not read.
    Unchanged,
    /// Not indexed.
    Skipped {
        /// Why, one line.
        reason: String,
    },
    /// Gone from the folder: its articles were removed.
    Removed,
}

/// One file's outcome, as reported after each file.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct FileReport<'a> {
    /// The file.
    #[serde(serialize_with = "serialize_lossy")]
    pub path: &'a Path,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: &'a Outcome,
}

/// Progress of an indexing run, reported after each file.
#[derive(Clone, Copy, Debug)]
pub struct Progress<'a> {
    /// Files handled so far.
    pub done: usize,
    /// Files to handle in all, as counted when the run started.
    pub total: usize,
    /// The file just handled and what became of it.
    pub file: FileReport<'a>,
}

/// What an indexing run did. `files_seen` = `files_indexed` + `files_unchanged` +
/// `skipped.len()`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IndexSummary {
    /// Files found under the folder (hidden files and folders are not read).
    pub files_seen: usize,
    /// Files read and indexed.
    pub files_indexed: usize,
    /// Files not read again because they had not changed.
    pub files_unchanged: usize,
    /// Files indexed before that are gone from the folder; their articles were removed.
    pub files_removed: usize,
    /// Articles written to the index.
    pub articles_indexed: usize,
    /// Files indexed per layout.
    pub layouts: std::collections::BTreeMap<Layout, usize>,
    /// Files not indexed, with reasons.
    pub skipped: Vec<Skipped>,
    /// Files indexed with something missing.
    pub warnings: Vec<Warning>,
    /// Articles in the index after the run.
    pub articles_in_index: u64,
    /// Folders indexed before into the same index that no longer exist: their articles stay
    /// until [`Index::remove_folder`](crate::Index::remove_folder) removes them.
    pub missing_folders: Vec<MissingFolder>,
    /// Folders indexed before that no longer exist and whose every file is in this folder, at
    /// the same place and of the same size: this folder is that one, moved. Their articles
    /// were taken out, so that the moved files are not in the index twice.
    pub moved_from: Vec<MissingFolder>,
    /// Wall time of the run.
    #[serde(serialize_with = "as_secs")]
    pub elapsed: Duration,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl Store {
    /// Indexes every article file under `dir` with `options`: see the module documentation.
    pub(crate) fn index_folder_with(
        &self,
        dir: impl AsRef<Path>,
        options: &IndexOptions,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<IndexSummary> {
        let summary = self
            .guarded(|| self.index_folder_once(dir.as_ref(), options, progress))
            .map_err(|err| self.after_failure(err))?;
        self.merges_found_no_damage()?;
        Ok(summary)
    }

    /// After a run that failed in the index engine: says a full disk as such, and removes the
    /// files the run wrote that no commit holds (they would fill the disk for every later run).
    /// The last commit stays whole and searchable.
    fn after_failure(&self, err: Error) -> Error {
        if !matches!(err, Error::Index(_)) || !self.on_disk {
            return err;
        }
        // Probed before the clean-up frees space.
        let full = disk_full(&self.location);
        if let Ok(writer) = self.writer(Some(1)) {
            let _ = writer.garbage_collect_files().wait();
            // tantivy's clean-up deletes the files it recorded as its own; on a full disk the
            // record itself may not have been written. With the writer's lock held, segment
            // files no commit names, and unfinished temporary files, go as well.
            if let Ok(metas) = self.index.load_metas() {
                let live: Vec<String> = metas.segments.iter().map(|s| s.id().uuid_string()).collect();
                remove_orphans(&self.location, &live);
            }
        }
        if full {
            Error::DiskFull {
                path: self.location.clone(),
            }
        } else {
            err
        }
    }

    fn index_folder_once(
        &self,
        dir: &Path,
        options: &IndexOptions,
        mut progress: impl FnMut(Progress<'_>),
    ) -> Result<IndexSummary> {
        let started = Instant::now();
        let root = check_folder(dir)?;
        let mut summary = IndexSummary::default();
        // The files are handled as the walk finds them, so that memory does not grow with the
        // number of files; a first pass over names only (no stat per file) gives the total.
        // Both read at once: the folder's names and the index's states.
        let (total, known) = std::thread::scope(|scope| {
            let total = scope.spawn(|| count_files(dir));
            let known = self.file_states();
            (
                total.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                known,
            )
        });
        let mut known = known?;
        let mut done = 0;

        let (moved, missing) = self
            .missing_folders(&known, &root)
            .into_iter()
            .partition(|missing| moved_here(&known, &missing.path, &root));
        summary.missing_folders = missing;
        summary.moved_from = moved;
        let mut writer = self.writer(options.threads)?;
        // A folder moved here leaves with the first commit, which holds the first of its files
        // under their new place: the index never holds both copies.
        for moved in &summary.moved_from {
            let files: Vec<String> = known
                .keys()
                .filter(|p| key_path(p).starts_with(&moved.path))
                .cloned()
                .collect();
            for file in files {
                self.delete_file(&writer, &file);
                known.remove(&file);
            }
        }
        let root_key = path_key(&root);
        let moved_keys: Vec<String> = summary.moved_from.iter().map(|m| path_key(&m.path)).collect();
        let commit = |writer: &mut tantivy::IndexWriter| {
            self.commit_folders(writer, |folders| {
                folders.insert(root_key.clone());
                for key in &moved_keys {
                    folders.remove(key);
                }
            })
        };
        let mut reader = BudgetedReader::new(&options.read);
        let mut since_commit = (0usize, Instant::now());
        // Attachments wait until every page is read (`super::attachments`).
        let mut parents = Parents::default();
        let mut attachments: VecDeque<(PathBuf, Walked)> = VecDeque::new();
        let mut files = walk_ahead(dir);
        // The next files the walk found, with their full paths and keys: those that will be
        // read are read ahead while this one is written.
        let mut ahead: VecDeque<(Found, Option<(PathBuf, String)>)> = VecDeque::new();
        let mut pages_done = false;
        loop {
            while ahead.len() < READ_AHEAD {
                let Some(found) = files.next() else { break };
                let named = match &found {
                    Found::File(path, walked) => {
                        let full = full_path(path, dir, &root);
                        let key = path_key(&full);
                        let attachment = Layout::from_extension(path).is_some_and(Layout::is_attachment);
                        if !attachment && known.get(&key) != Some(&(walked.mtime, walked.size)) {
                            reader.read_ahead(path);
                        }
                        Some((full, key))
                    }
                    Found::Unreadable(..) => None,
                };
                ahead.push_back((found, named));
            }
            let (path, walked, attachment, named) = match ahead.pop_front() {
                Some((Found::File(path, walked), named)) => (path, walked, false, named),
                Some((Found::Unreadable(path, reason), _)) => {
                    summary.files_seen += 1;
                    let outcome = Outcome::Skipped { reason };
                    done += 1;
                    report(&mut summary, &path, &outcome);
                    progress(Progress {
                        done,
                        total,
                        file: FileReport {
                            path: &path,
                            outcome: &outcome,
                        },
                    });
                    continue;
                }
                None => {
                    let Some((path, walked)) = attachments.pop_front() else {
                        break;
                    };
                    if !pages_done {
                        // The pages this run removes leave their attachments too.
                        for gone in known.keys().filter(|p| key_path(p).starts_with(&root)) {
                            parents.page_changed(gone);
                        }
                        parents.find_orphans(self)?;
                        pages_done = true;
                    }
                    (path, walked, true, None)
                }
            };
            let path = &path;
            if !attachment && Layout::from_extension(path).is_some_and(Layout::is_attachment) {
                attachments.push_back((path.clone(), walked));
                continue;
            }
            summary.files_seen += 1;
            let (full, key) = named.unwrap_or_else(|| {
                let full = full_path(path, dir, &root);
                let key = path_key(&full);
                (full, key)
            });
            let before = known.remove(&key);
            let unchanged = before == Some((walked.mtime, walked.size));
            let outcome = if unchanged && !(attachment && parents.must_read(&key)) {
                Outcome::Unchanged
            } else {
                if before.is_some() {
                    self.delete_file(&writer, &key);
                    if !attachment {
                        parents.page_changed(&key);
                    }
                }
                let page = if attachment { parents.page_of(self, &key)? } else { None };
                let read = reader.read(path, options.read_budget);
                let file = File {
                    key,
                    place: place_in(&root, &full),
                    full: &full,
                    walked: &walked,
                };
                match self.index_file(&writer, read, file, &mut parents, page.as_ref())? {
                    // A file indexed before that no longer reads: its old articles are gone too.
                    Outcome::Skipped { reason } if before.is_some() => {
                        summary.files_removed += 1;
                        Outcome::Skipped {
                            reason: format!("{reason}; its articles from before were removed"),
                        }
                    }
                    outcome => outcome,
                }
            };
            done += 1;
            report(&mut summary, path, &outcome);
            progress(Progress {
                done,
                total,
                file: FileReport {
                    path,
                    outcome: &outcome,
                },
            });
            if !matches!(outcome, Outcome::Unchanged) {
                since_commit.0 += 1;
            }
            if since_commit.0 >= options.commit_every.max(1)
                || (since_commit.0 > 0 && since_commit.1.elapsed() >= COMMIT_EVERY)
            {
                commit(&mut writer)?;
                since_commit = (0, Instant::now());
            }
        }
        // Files indexed from this folder before that are no longer in it.
        for (gone, _) in known.into_iter().filter(|(p, _)| key_path(p).starts_with(&root)) {
            self.delete_file(&writer, &gone);
            let gone_path = key_path(&gone);
            report(&mut summary, &gone_path, &Outcome::Removed);
            progress(Progress {
                done,
                total,
                file: FileReport {
                    path: &gone_path,
                    outcome: &Outcome::Removed,
                },
            });
        }
        commit(&mut writer)?;
        // Let the merges the commits started finish: fewer segments answer queries faster,
        // and a process that exits mid-merge leaves unfinished files behind.
        writer.wait_merging_threads()?;
        summary.articles_in_index = self.num_articles();
        summary.elapsed = started.elapsed();
        Ok(summary)
    }

    /// Reads one file and writes its articles: a page's with the keys of the attachments it
    /// links, an attachment's with what its page gives it.
    fn index_file(
        &self,
        writer: &tantivy::IndexWriter,
        read: std::result::Result<FileArticles, String>,
        file: File<'_>,
        parents: &mut Parents,
        page: Option<&Page>,
    ) -> Result<Outcome> {
        let mut read = match read {
            Ok(read) => read,
            Err(reason) => return Ok(Outcome::Skipped { reason }),
        };
        let state = FileState {
            path: file.key,
            place: file.place,
            mtime: file.walked.mtime,
            size: file.walked.size,
            layout: read.layout,
        };
        let several = read.records.len() > 1;
        let mut articles = 0;
        let mut warnings = Vec::new();
        let mut missing_date = 0;
        let mut missing_source = 0;
        let mut unstorable = Vec::new();
        let mut unlisted = 0;
        for (n, record) in read.records.iter_mut().enumerate() {
            match record {
                Ok(article) => {
                    let position = if several { n as u64 + 1 } else { 0 };
                    let mut links = Links::default();
                    if let Some(page) = page {
                        super::attachments::inherit(article, page);
                        links.parent = Some(page.key.clone());
                    } else if !article.attachments.is_empty() {
                        links.attachments = attachment_keys(file.full, &article.attachments);
                        let id = super::keys::article_id(&state.place, position);
                        parents.add_page(&state.path, id, article, &links.attachments);
                    }
                    self.write_article(writer, &state, position, article, &links)?;
                    articles += 1;
                    missing_date += usize::from(article.meta.published.is_none());
                    if let Some(date) = article.meta.published.filter(|d| !super::write::storable(d)) {
                        unstorable.push(date.format("%Y-%m-%d").to_string());
                    }
                    missing_source += usize::from(article.meta.source.is_none());
                }
                // The first reasons are listed; the rest are counted.
                Err(reason) if !reason.is_empty() && warnings.len() < MAX_LISTED_SKIPS => {
                    warnings.push(format!("skipped {reason}"))
                }
                Err(_) => unlisted += 1,
            }
        }
        if unlisted > 0 {
            warnings.push(format!("skipped {unlisted} more records that are not articles"));
        }
        if let Some(first) = unstorable.first() {
            let (from, to) = (super::write::YEARS.start(), super::write::YEARS.end());
            warnings.insert(
                0,
                match unstorable.len() {
                    1 => format!("publish date {first} is outside {from}–{to}: indexed without it"),
                    n => format!("{n} publish dates (such as {first}) are outside {from}–{to}: indexed without them"),
                },
            );
        }
        for (count, what) in [(missing_date, "publish date"), (missing_source, "source (来源)")] {
            match count {
                0 => {}
                _ if !several => warnings.insert(0, format!("indexed without {what}")),
                n => warnings.insert(0, format!("{n} of {articles} articles indexed without {what}")),
            }
        }
        Ok(Outcome::Indexed {
            layout: read.layout,
            encoding: read.encoding.to_string(),
            articles,
            warnings,
        })
    }

    /// Removes the articles of every file under `dir`, a folder indexed before.
    pub(crate) fn remove_folder(&self, dir: impl AsRef<Path>) -> Result<Removed> {
        self.guarded(|| {
            let dir = dir.as_ref();
            let root = std::fs::canonicalize(dir)
                .or_else(|_| std::path::absolute(dir))
                .map_err(|error| Error::Io {
                    path: dir.to_path_buf(),
                    error,
                })?;
            let files: Vec<String> = self
                .file_states()?
                .into_keys()
                .filter(|path| key_path(path).starts_with(&root))
                .collect();
            let recorded = self.commit_payload().folders;
            let inside = |folder: &String| key_path(folder).starts_with(&root);
            if files.is_empty() && !recorded.iter().any(inside) {
                let held: Vec<String> = recorded.iter().map(|f| key_display(f)).collect();
                return Err(Error::NotIndexed {
                    path: dir.to_path_buf(),
                    folders: if held.is_empty() {
                        "none recorded".to_string()
                    } else {
                        held.join(", ")
                    },
                });
            }
            let before = self.num_articles();
            let mut writer = self.writer(Some(1))?;
            for file in &files {
                self.delete_file(&writer, file);
            }
            self.commit_folders(&mut writer, |folders| folders.retain(|f| !inside(f)))?;
            writer.wait_merging_threads()?;
            Ok(Removed {
                path: root,
                files: files.len(),
                articles: before - self.num_articles(),
            })
        })
    }

    /// The folders the index records, other than `root`, that no longer exist, with how many
    /// files of each it still holds.
    fn missing_folders(&self, known: &FxHashMap<String, (u64, u64)>, root: &Path) -> Vec<MissingFolder> {
        self.commit_payload()
            .folders
            .iter()
            .map(|key| key_path(key))
            .filter(|folder| folder != root && !folder.is_dir())
            .map(|folder| {
                let files = known.keys().filter(|p| key_path(p).starts_with(&folder)).count();
                MissingFolder { path: folder, files }
            })
            .collect()
    }

    /// Path → (modification time, size) of every file the index holds articles of.
    pub(crate) fn file_states(&self) -> Result<FxHashMap<String, (u64, u64)>> {
        let searcher = self.reader.searcher();
        let mut states = FxHashMap::default();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let Some(paths) = fast.str(crate::store::schema::PATH)? else {
                continue;
            };
            let mtimes = fast.u64(crate::store::schema::MTIME)?;
            let sizes = fast.u64(crate::store::schema::SIZE)?;
            let alive = segment.alive_bitset();
            // Paths read in the dictionary's order, in one pass over it: a lookup per article
            // decodes a block of the dictionary each time, a pass decodes each block once.
            let mut by_path: Vec<(u64, tantivy::DocId)> = (0..segment.max_doc())
                .filter(|&doc| alive.is_none_or(|a| a.is_alive(doc)))
                .filter_map(|doc| paths.term_ords(doc).next().map(|ord| (ord, doc)))
                .collect();
            by_path.sort_unstable();
            let mut stream = paths.dictionary().stream().map_err(tantivy::TantivyError::from)?;
            let mut next = by_path.iter().peekable();
            while next.peek().is_some() && stream.advance() {
                let ord = stream.term_ord();
                // The first article of each path gives its state; the others share it.
                let mut first = None;
                while let Some(&&(o, doc)) = next.peek() {
                    if o > ord {
                        break;
                    }
                    first = first.or((o == ord).then_some(doc));
                    next.next();
                }
                let (Some(doc), Ok(path)) = (first, std::str::from_utf8(stream.key())) else {
                    continue;
                };
                if !states.contains_key(path) {
                    let state = (mtimes.first(doc).unwrap_or(0), sizes.first(doc).unwrap_or(0));
                    states.insert(path.to_string(), state);
                }
            }
        }
        Ok(states)
    }
}

/// Whether `missing`, a folder indexed before that no longer exists, is `root` moved: each of
/// its files the index holds is in `root` at the same relative place, of the same size.
fn moved_here(known: &FxHashMap<String, (u64, u64)>, missing: &Path, root: &Path) -> bool {
    let mut files = 0;
    for (key, &(_, size)) in known {
        let path = key_path(key);
        let Ok(relative) = path.strip_prefix(missing) else {
            continue;
        };
        files += 1;
        if std::fs::metadata(root.join(relative)).map_or(true, |m| !m.is_file() || m.len() != size) {
            return false;
        }
    }
    files > 0
}

/// A folder the index holds articles of that no longer exists (moved or deleted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingFolder {
    /// The folder, as it was indexed.
    #[serde(serialize_with = "serialize_lossy")]
    pub path: PathBuf,
    /// Files of it the index still holds articles of.
    pub files: usize,
}

/// What [`Index::remove_folder`](crate::Index::remove_folder) removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The folder, as the index knew it.
    #[serde(serialize_with = "serialize_lossy")]
    pub path: PathBuf,
    /// Files whose articles were removed.
    pub files: usize,
    /// Articles removed.
    pub articles: u64,
}

/// Removes from the index folder `dir` the segment files (a segment id of 32 hex digits, a
/// dot, an extension) of segments not in `live`, and tantivy's unfinished temporary files.
/// Nothing else in the folder is touched.
fn remove_orphans(dir: &Path, live: &[String]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let segment = name
            .split_once('.')
            .map(|(id, _)| id)
            .filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()));
        let orphan = match segment {
            Some(id) => !live.iter().any(|l| l == id),
            None => name.starts_with(".tmp"),
        };
        if orphan && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether the device of `dir` has no room left: a probe file of 256 KiB cannot be written.
fn disk_full(dir: &Path) -> bool {
    use std::io::Write;
    let probe = dir.join(".govsearch-space-probe");
    let written = std::fs::File::create(&probe).and_then(|mut file| {
        file.write_all(&[0u8; 256 << 10])?;
        file.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    matches!(written, Err(err) if err.kind() == std::io::ErrorKind::StorageFull)
}

/// The canonical path of a folder to index, or why it cannot be indexed.
pub(crate) fn check_folder(dir: &Path) -> Result<PathBuf> {
    let bad_folder = |reason: String| Error::BadFolder {
        path: dir.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(dir).map_err(|e| bad_folder(e.to_string().to_lowercase()))?;
    if !meta.is_dir() {
        return Err(bad_folder("not a folder".to_string()));
    }
    std::fs::canonicalize(dir).map_err(|e| bad_folder(e.to_string().to_lowercase()))
}

/// The path of `path`, found by walking `dir`, below `root`, the canonical path of `dir`. The
/// walk does not follow symbolic links, so below the canonical root a file's place in the
/// folder is its identity: no canonicalize call per file.
fn full_path(path: &Path, dir: &Path, root: &Path) -> PathBuf {
    match path.strip_prefix(dir) {
        Ok(relative) => root.join(relative),
        Err(_) => path.to_path_buf(),
    }
}

/// A file found by the walk, with what incremental runs compare.
struct Walked {
    mtime: u64,
    size: u64,
}

/// A file being indexed: its key, its place in its folder, its path and its state.
struct File<'a> {
    key: String,
    place: String,
    full: &'a Path,
    walked: &'a Walked,
}

/// What the walk finds: a file, or an entry that could not be read, with the reason.
enum Found {
    File(PathBuf, Walked),
    Unreadable(PathBuf, String),
}

/// What the walk meets: a file, a folder that is an index (not read: an index folder inside
/// the indexed folder holds index files, not articles), or an entry it could not read.
enum Entry {
    File(walkdir::DirEntry),
    IndexFolder(PathBuf),
    /// Neither a file nor a folder to walk: a symbolic link (not followed), a FIFO, a device.
    Other(PathBuf, &'static str),
    Error(walkdir::Error),
}

/// Whether `dir` is an index folder: tantivy's meta file and its list of managed files.
fn is_index_folder(dir: &Path) -> bool {
    dir.join("meta.json").is_file() && dir.join(".managed.json").is_file()
}

/// The entries under `dir`, sorted by name, hidden files and folders not read.
fn entries(dir: &Path) -> impl Iterator<Item = Entry> {
    // Entries of one folder share its path up to their names, so their paths sort as their
    // names do; `sort_by_file_name` and `file_name` parse each path's components again for
    // every comparison, much of a run that finds a large folder unchanged.
    let mut it = WalkDir::new(dir)
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
    std::iter::from_fn(move || loop {
        match it.next()? {
            Ok(entry) if entry.file_type().is_file() => return Some(Entry::File(entry)),
            Ok(entry) if entry.file_type().is_dir() && entry.depth() > 0 && is_index_folder(entry.path()) => {
                it.skip_current_dir();
                return Some(Entry::IndexFolder(entry.into_path()));
            }
            Ok(entry) if entry.file_type().is_dir() => continue,
            Ok(entry) if entry.path_is_symlink() => {
                return Some(Entry::Other(entry.into_path(), "a symbolic link: not followed"))
            }
            Ok(entry) => {
                return Some(Entry::Other(
                    entry.into_path(),
                    "not a regular file (a FIFO, device or socket): not read",
                ))
            }
            Err(err) => return Some(Entry::Error(err)),
        }
    })
}

/// Whether the last name of `path` starts with a dot: what a file manager hides.
fn is_hidden(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let name = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
    name.first() == Some(&b'.')
}

/// How many files and unreadable entries [`walk`] will find: names only, no stat per file.
fn count_files(dir: &Path) -> usize {
    entries(dir).count()
}

/// Every file under `dir` (sorted, hidden entries not read) and every entry that could not be
/// read, one at a time.
fn walk(dir: &Path) -> impl Iterator<Item = Found> + '_ {
    entries(dir).map(move |entry| match entry {
        Entry::File(entry) => match entry.metadata() {
            Ok(meta) => {
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as u64);
                Found::File(
                    entry.into_path(),
                    Walked {
                        mtime,
                        size: meta.len(),
                    },
                )
            }
            Err(err) => Found::Unreadable(entry.into_path(), format!("unreadable: {err}")),
        },
        Entry::Other(path, reason) => Found::Unreadable(path, reason.to_string()),
        Entry::IndexFolder(path) => Found::Unreadable(
            path,
            "an index folder (index files, not articles): not read".to_string(),
        ),
        Entry::Error(err) => {
            let path = err.path().unwrap_or(dir).to_path_buf();
            let reason = match err.io_error() {
                Some(e) if e.kind() == std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                Some(e) => e.to_string(),
                None => err.to_string(),
            };
            Found::Unreadable(path, format!("unreadable: {reason}"))
        }
    })
}

/// What the walk finds, found on a thread of its own some way ahead: the kernel's work for
/// each file's state (looking up its path, reading its inode) overlaps the run's own for the
/// files before. Entries are handed over in batches, so the two threads wake each other once a
/// batch, not once a file. The thread ends when the walk does or when the run stops taking
/// what it found; a panic on it is the run's when the entries end, never a walk that seems
/// complete (files not listed would be taken as removed).
struct WalkAhead {
    taken: mpsc::Receiver<Vec<Found>>,
    batch: std::vec::IntoIter<Found>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Entries in a batch the walk thread hands over, and batches it finds ahead of the run.
const WALK_BATCH: usize = 512;
const WALK_BATCHES_AHEAD: usize = 8;

fn walk_ahead(dir: &Path) -> WalkAhead {
    let (found, taken) = mpsc::sync_channel(WALK_BATCHES_AHEAD);
    let dir = dir.to_path_buf();
    let thread = std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(WALK_BATCH);
        for entry in walk(&dir) {
            batch.push(entry);
            if batch.len() == WALK_BATCH && found.send(std::mem::take(&mut batch)).is_err() {
                return;
            }
        }
        let _ = found.send(batch);
    });
    WalkAhead {
        taken,
        batch: Vec::new().into_iter(),
        thread: Some(thread),
    }
}

impl Iterator for WalkAhead {
    type Item = Found;

    fn next(&mut self) -> Option<Found> {
        loop {
            if let Some(found) = self.batch.next() {
                return Some(found);
            }
            match self.taken.recv() {
                Ok(batch) => self.batch = batch.into_iter(),
                Err(mpsc::RecvError) => {
                    if let Some(Err(panic)) = self.thread.take().map(std::thread::JoinHandle::join) {
                        std::panic::resume_unwind(panic);
                    }
                    return None;
                }
            }
        }
    }
}

/// Adds a file's outcome to the summary.
fn report(summary: &mut IndexSummary, path: &Path, outcome: &Outcome) {
    match outcome {
        Outcome::Indexed {
            layout,
            articles,
            warnings,
            ..
        } => {
            summary.files_indexed += 1;
            summary.articles_indexed += articles;
            *summary.layouts.entry(*layout).or_default() += 1;
            summary.warnings.extend(warnings.iter().map(|message| Warning {
                path: path.to_path_buf(),
                message: message.clone(),
            }));
        }
        Outcome::Unchanged => summary.files_unchanged += 1,
        Outcome::Skipped { reason } => summary.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: reason.clone(),
        }),
        Outcome::Removed => summary.files_removed += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file past its budget is skipped; the files read ahead after it are read by the next
    /// thread, each answered as its own, and a file asked for out of turn is read too.
    #[test]
    fn files_read_ahead_survive_a_slow_one() {
        let reader: Reader<PathBuf> = Arc::new(|path: &Path| {
            if path.ends_with("slow") {
                std::thread::sleep(Duration::from_secs(600));
            }
            if path.ends_with("bad") {
                return Err("unreadable".to_string());
            }
            Ok(path.to_path_buf())
        });
        let mut budgeted = BudgetedReader::with(reader);
        let names = ["a", "slow", "b", "bad", "c", "d", "e"];
        let budget = Duration::from_secs(2);
        let mut got = Vec::new();
        for (n, name) in names.iter().enumerate() {
            for next in names.iter().skip(n).take(READ_AHEAD) {
                budgeted.read_ahead(Path::new(next));
            }
            got.push(budgeted.read(Path::new(name), budget));
        }
        got.push(budgeted.read(Path::new("out of turn"), budget));
        assert_eq!(got[0], Ok(PathBuf::from("a")));
        assert!(
            got[1].as_ref().is_err_and(|why| why.starts_with("took over 2 s")),
            "{:?}",
            got[1]
        );
        assert_eq!(got[2], Ok(PathBuf::from("b")));
        assert_eq!(got[3], Err("unreadable".to_string()));
        assert_eq!(
            got[4..],
            [Ok("c".into()), Ok("d".into()), Ok("e".into()), Ok("out of turn".into())]
        );
    }

    /// The walk lists what walkdir's own sort by name and its file names give, on names that
    /// sort differently by their bytes than by their characters or as whole paths.
    #[test]
    fn entries_come_in_walkdirs_order_hidden_ones_left_out() {
        let root = std::env::temp_dir().join(format!("govsearch-walk-order-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let names = [
            "a", "a b", "a.txt", "ab", "a-b", "B", "b", "乙", "甲", "ａ", ".hidden", "z", "a0", "a/",
        ];
        for (i, name) in names.iter().enumerate() {
            let folder = root.join(name.trim_end_matches('/'));
            if name.ends_with('/') || i % 3 == 0 {
                std::fs::create_dir_all(&folder).unwrap();
                for inner in ["x.txt", ".y.txt", "x y.txt", "x"] {
                    std::fs::write(folder.join(inner), "t").unwrap();
                }
            } else {
                std::fs::write(&folder, "t").unwrap();
            }
        }
        let ours: Vec<PathBuf> = entries(&root)
            .map(|entry| match entry {
                Entry::File(entry) => entry.into_path(),
                Entry::Other(path, _) | Entry::IndexFolder(path) => path,
                Entry::Error(err) => panic!("{err}"),
            })
            .collect();
        let theirs: Vec<PathBuf> = WalkDir::new(&root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.unwrap())
            .filter(|e| !e.file_type().is_dir())
            .map(|e| e.into_path())
            .collect();
        let names = |found: Found| match found {
            Found::File(path, _) | Found::Unreadable(path, _) => path,
        };
        let ahead: Vec<PathBuf> = walk_ahead(&root).map(names).collect();
        let here: Vec<PathBuf> = walk(&root).map(names).collect();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(ours.len(), 22, "{ours:?}");
        assert_eq!(ours, theirs);
        assert_eq!(ahead, here, "the walk on a thread of its own finds the same, in order");
        assert_eq!(ahead, ours);
    }
}
