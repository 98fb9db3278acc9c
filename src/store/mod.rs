//! The store: the index on disk (or in memory) as tantivy keeps it, and nothing of searching.
//!
//! - this module owns [`Store`]: every open and create path registers the analyzers and checks
//!   that the index was built with the ones this build has;
//! - [`schema`] is the only module that spells field names and the names of the index
//!   folder's files;
//! - [`check`](mod@check) verifies every file and repairs damage; [`damage`] keeps damage from
//!   being read in silence; [`commits`] records what `meta.json` may say; [`kept`] is the file format of what the engine derives from the
//!   whole index and keeps beside the segments;
//! - [`write`](mod@write) turns articles into documents and commits them;
//! - [`walk`] indexes a folder: every file gets one outcome, unchanged files are not read.

mod attachments;
mod check;
mod commits;
pub(crate) mod damage;
mod directory;

pub(crate) mod kept;
pub(crate) mod keys;
pub(crate) mod schema;
pub(crate) mod stored;

mod walk;
mod write;

pub use check::{CheckReport, Damage, Repaired};

pub use walk::{
    FileReport, IndexOptions, IndexSummary, MissingFolder, Outcome, Progress, Removed, Skipped, Warning,
    DEFAULT_COMMIT_EVERY,
};
pub(crate) use write::{Details, FileState};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::{IndexReader, ReloadPolicy, Searcher};

use crate::error::{Error, Result};
use crate::grams::BodyGrams;
use crate::text::analyzers;
use crate::text::segment::{parse_user_dictionary, Segmenter};
use schema::Fields;

/// Stored articles are compressed in blocks of this many bytes (tantivy's default is 16 KiB),
/// with lz4 (tantivy's default). Each hit of a page decompresses its article's whole block:
/// 4 KiB holds two or three articles, so a hit reads far less than at 16 KiB, for a larger
/// store. zstd would store a 4 KiB block of Chinese text in three quarters of lz4's bytes,
/// but tantivy makes a new zstd context for every block it reads, which slows the hits page
/// more than the smaller store saves (docs/performance.md).
const STORE_BLOCK_BYTES: usize = 4096;

/// The settings of a new index. An index keeps the settings it was created with.
///
/// Stored blocks are compressed by the thread that fills them: tantivy's default hands each
/// block to a thread of its own, one per segment being written, and with 4 KiB blocks that
/// is a wake-up every two or three articles, on a machine whose cores the indexing threads
/// already keep busy.
fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: STORE_BLOCK_BYTES,
        docstore_compress_dedicated_thread: false,
        ..tantivy::IndexSettings::default()
    }
}

/// The environment variable that names the index folder when `--index` is not given.
pub const INDEX_ENV: &str = "GOVSEARCH_INDEX";

/// Where the index lives when neither `--index` nor [`INDEX_ENV`] says otherwise:
/// `$XDG_DATA_HOME/govsearch/index`, else `~/.local/share/govsearch/index`, else
/// `.govsearch/index` in the current folder.
pub fn default_index_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = non_empty(INDEX_ENV) {
        return dir;
    }
    if let Some(data) = non_empty("XDG_DATA_HOME") {
        return data.join("govsearch").join("index");
    }
    if let Some(home) = non_empty("HOME") {
        return home.join(".local").join("share").join("govsearch").join("index");
    }
    PathBuf::from(".govsearch").join("index")
}

/// The watchers of a store's new views of the index ([`tantivy::Warmer`]s, held weakly by
/// tantivy): what the engine reads into its caches before searches see a new view.
pub(crate) type Warmers = Vec<std::sync::Weak<dyn tantivy::Warmer>>;

/// A govsearch index as stored, on disk or in memory: its tantivy index, the reader searches
/// take their view of it from, its fields and the segmenter its articles were cut with.
pub(crate) struct Store {
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    segmenter: Segmenter,
    /// Damaged files the merges of this store's writers found (and left alone).
    damage_found: Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>,
    location: PathBuf,
    on_disk: bool,
}

impl Store {
    /// Opens the index in `dir`. Fails with [`Error::NoIndex`] if there is none. Each new view
    /// of the index is given to `warmers` before searches see it.
    pub(crate) fn open(dir: &Path, warmers: Warmers) -> Result<Store> {
        if !dir.join("meta.json").is_file() && dir.join(commits::COMMITS_FILE).is_file() {
            return Err(Error::Damaged {
                path: dir.to_path_buf(),
                detail: "meta.json is gone: `govsearch check --repair` puts back the last one govsearch committed"
                    .to_string(),
            });
        }
        if !dir.join("meta.json").is_file() {
            return Err(Error::NoIndex {
                path: dir.to_path_buf(),
            });
        }
        let directory = directory::IndexDirectory::open(dir).map_err(|err| Error::Index(err.into()))?;
        Store::open_in(dir, directory, true, warmers)
    }

    /// Opens the index in `dir` through `directory`; with `recorded`, its `meta.json` must be
    /// one govsearch committed.
    fn open_in(dir: &Path, directory: directory::IndexDirectory, recorded: bool, warmers: Warmers) -> Result<Store> {
        let index = damage::guarded(dir, || Ok(tantivy::Index::open(directory)?))?;
        let payload = CommitPayload::read(
            index
                .load_metas()
                .ok()
                .and_then(|m| m.payload)
                .as_deref()
                .unwrap_or_default(),
        );
        if let Some(detail) = recorded.then(|| commits::problem(dir, payload.recorded)).flatten() {
            return Err(Error::Damaged {
                path: dir.to_path_buf(),
                detail,
            });
        }
        let segmenter = match Store::verified_table(dir, &payload, schema::USER_DICTIONARY_FILE)? {
            Some((path, bytes)) => {
                let text = String::from_utf8(bytes).map_err(|err| Error::BadDictionary {
                    path: path.clone(),
                    reason: format!("not UTF-8 text (byte {} is not)", err.utf8_error().valid_up_to()),
                })?;
                match Segmenter::with_kept_dictionary(text) {
                    Ok(kept) => kept,
                    Err(text) => segmenter_for(&text, &path)?,
                }
            }
            None => Segmenter::default(),
        };
        damage::guarded(dir, || Store::wrap(index, dir, segmenter, true, warmers))
    }

    /// Opens the index in `dir`, creating the folder and an empty index if there is none.
    /// A folder that holds other files and no index is refused: its files are not ours to mix
    /// index files in with.
    pub(crate) fn open_or_create(dir: &Path, warmers: Warmers) -> Result<Store> {
        if dir.join("meta.json").is_file() {
            return Store::open(dir, warmers);
        }
        if let Ok(mut entries) = std::fs::read_dir(dir) {
            if entries.next().is_some() {
                return Err(Error::NotAnIndexFolder {
                    path: dir.to_path_buf(),
                });
            }
        }
        std::fs::create_dir_all(dir).map_err(|error| Error::Io {
            path: dir.to_path_buf(),
            error,
        })?;
        // Created through the folder as govsearch reads it, so that the first meta.json is
        // recorded too (the folder holds no index: `open_or_create` creates one).
        let directory = directory::IndexDirectory::open(dir).map_err(|err| Error::Index(err.into()))?;
        let index = tantivy::Index::builder()
            .schema(schema::build())
            .settings(settings())
            .register_plugin(Arc::new(BodyGrams::new(schema::body_field())))
            .open_or_create(directory)?;
        Store::wrap(index, dir, Segmenter::default(), true, warmers)
    }

    /// A new empty index held in memory.
    pub(crate) fn create_in_ram(warmers: Warmers) -> Store {
        let index = tantivy::Index::builder()
            .schema(schema::build())
            .settings(settings())
            .register_plugin(Arc::new(BodyGrams::new(schema::body_field())))
            .create_in_ram()
            .expect("a new in-memory index can be created");
        Store::wrap(index, Path::new("<memory>"), Segmenter::default(), false, warmers)
            .expect("a new in-memory index has the current schema")
    }

    /// Sets the index's user dictionary, read from `path`, and keeps it in the index folder.
    pub(crate) fn set_user_dictionary(&mut self, path: &Path) -> Result<()> {
        let (_, given) = read_user_dictionary(path)?;
        let text = given.kept_text().unwrap_or_default();
        self.keep_table(schema::USER_DICTIONARY_FILE, text.as_bytes())?;
        // The dictionary as kept: what every later search reads.
        self.segmenter = Segmenter::with_kept_dictionary(text).unwrap_or(given);
        analyzers::register(&self.index, &self.segmenter);
        Ok(())
    }

    /// Writes `bytes` as the index folder's table `name` (nothing for an index in memory).
    /// Written only while holding the writer's lock: an index another process is writing to
    /// keeps the tables its articles are being written with.
    pub(crate) fn keep_table(&self, name: &str, bytes: &[u8]) -> Result<()> {
        if !self.on_disk {
            return Ok(());
        }
        let mut writer = self.writer(Some(1))?;
        let target = self.location.join(name);
        std::fs::write(&target, bytes).map_err(|error| Error::Io { path: target, error })?;
        // Its checksum commits at once: from now on the table is read only as written.
        let crc = crc32fast::hash(bytes);
        self.commit_changing(&mut writer, |payload| {
            payload.tables.insert(name.to_string(), crc);
        })
    }

    /// The bytes of the index folder's table `name` in `dir`, checked against the checksum
    /// the last commit (`payload`) recorded: `None` when there is no such table; damage when
    /// the file differs from what was kept, or is gone.
    fn verified_table(dir: &Path, payload: &CommitPayload, name: &str) -> Result<Option<(PathBuf, Vec<u8>)>> {
        let path = dir.join(name);
        let damaged = |what: &str| {
            Error::Damaged {
            path: dir.to_path_buf(),
            detail: format!(
                "{name} {what}: put back the table it was indexed with (`govsearch index <DIR> --{} <FILE>` keeps it again)",
                if name == schema::USER_DICTIONARY_FILE { "dict" } else { "synonyms" }
            ),
        }
        };
        if !path.is_file() {
            return match payload.tables.get(name) {
                Some(_) => Err(damaged("is gone")),
                None => Ok(None),
            };
        }
        let bytes = std::fs::read(&path).map_err(|error| Error::Io {
            path: path.clone(),
            error,
        })?;
        match payload.tables.get(name) {
            Some(&crc) if crc != crc32fast::hash(&bytes) => {
                Err(damaged("does not match the checksum it was kept with"))
            }
            _ => Ok(Some((path, bytes))),
        }
    }

    /// The text of the index folder's table `name`, if it has one, checked against the
    /// checksum it was kept with.
    pub(crate) fn table(&self, name: &str) -> Result<Option<(PathBuf, Vec<u8>)>> {
        if !self.on_disk {
            return Ok(None);
        }
        Store::verified_table(&self.location, &self.commit_payload(), name)
    }

    fn wrap(
        mut index: tantivy::Index,
        location: &Path,
        segmenter: Segmenter,
        on_disk: bool,
        warmers: Warmers,
    ) -> Result<Store> {
        if on_disk {
            check_segment_list(&index, location)?;
        }
        // The grams footer names the format of an index written before analyzer names did.
        check_grams_format(&index, location)?;
        analyzers::check_index(&index, location)?;
        let fields = Fields::from_schema(&index.schema())
            .filter(|_| index.schema() == schema::build())
            .ok_or_else(|| Error::IncompatibleIndex {
                path: location.to_path_buf(),
                detail: "its fields differ from this build's".to_string(),
            })?;
        analyzers::register(&index, &segmenter);
        // tantivy keeps the plugins an index was created with only until it is closed.
        if index.custom_plugins().is_empty() {
            index.register_plugin(Arc::new(BodyGrams::new(schema::body_field())));
        }
        if on_disk {
            verify_on_open(&index, location)?;
        }
        if let Some(executor) = damage::search_executor() {
            index.set_executor(executor);
        }
        let reader = reader_of(&index, on_disk, warmers)?;
        Ok(Store {
            index,
            reader,
            fields,
            segmenter,
            damage_found: Arc::default(),
            location: location.to_path_buf(),
            on_disk,
        })
    }

    /// Whether the reader follows other processes' commits on its own (`watch`, for an index
    /// on disk), with `warmers` given each new view.
    pub(crate) fn set_reload(&mut self, watch: bool, warmers: Warmers) -> Result<()> {
        self.reader = reader_of(&self.index, self.on_disk && watch, warmers)?;
        Ok(())
    }

    /// Runs `read` over the index so that damage is an [`Error::Damaged`], never an engine
    /// error in the engine's words, and a panic an [`Error::Internal`].
    pub(crate) fn guarded<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        damage::guarded(&self.location, read)
    }

    /// [`Error::Damaged`] when a merge of this store's writers found a damaged segment (and
    /// left it out).
    pub(crate) fn merges_found_no_damage(&self) -> Result<()> {
        let found = self.damage_found.lock().unwrap_or_else(|e| e.into_inner());
        if found.is_empty() {
            return Ok(());
        }
        let found: Vec<&String> = found.iter().collect();
        Err(Error::Damaged {
            path: self.location.clone(),
            detail: damage::mismatched(&found),
        })
    }

    /// Makes searches see the index as of its last commit, whoever made it.
    pub(crate) fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// The folder the index lives in (`<memory>` for an in-memory index).
    pub(crate) fn location(&self) -> &Path {
        &self.location
    }

    /// Number of articles in the index, as of the last commit.
    pub(crate) fn num_articles(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// What searches read: the index as of the last commit (or reload).
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The index's fields.
    pub(crate) fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The segmenter queries are cut with: the one the articles were indexed with.
    pub(crate) fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// What the last commit recorded: its time and the folders the index holds.
    pub(crate) fn commit_payload(&self) -> CommitPayload {
        let payload = self.index.load_metas().ok().and_then(|m| m.payload);
        CommitPayload::read(payload.as_deref().unwrap_or_default())
    }

    /// The folders indexed into this index (canonical paths), as of the last commit.
    pub(crate) fn folders(&self) -> Vec<PathBuf> {
        self.commit_payload()
            .folders
            .iter()
            .map(|key| keys::key_path(key))
            .collect()
    }
}

/// Refuses an index whose body grams another format wrote: read from the last bytes of each
/// segment's grams dictionary, so that an old index is named as such, not read wrongly or
/// called damaged.
/// Checks `meta.json`'s list of segments against the folder: a changed `meta.json` that
/// still parses would otherwise count a segment twice, or bring removed articles back, in
/// silence. `check --repair` drops the segments named here and indexes their files again.
fn check_segment_list(index: &tantivy::Index, location: &Path) -> Result<()> {
    match segment_list_problems(index, location)?.into_iter().next() {
        Some((_, problem)) => Err(Error::Damaged {
            path: location.to_path_buf(),
            detail: format!("meta.json {problem}"),
        }),
        None => Ok(()),
    }
}

/// The segments `meta.json` names wrongly, each with what is wrong: named twice, or named
/// without the deletions its files hold.
pub(crate) fn segment_list_problems(index: &tantivy::Index, location: &Path) -> Result<Vec<(SegmentId, String)>> {
    let metas = index.load_metas()?;
    let files: Vec<String> = std::fs::read_dir(location)
        .map_err(|error| Error::Io {
            path: location.to_path_buf(),
            error,
        })?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for segment in &metas.segments {
        let id = segment.id().uuid_string();
        if !seen.insert(id.clone()) {
            problems.push((segment.id(), format!("names segment {id} twice")));
            continue;
        }
        // `<id>.<opstamp>.del`; one written by a run that never committed has a later
        // opstamp than the commit, and is that run's leftover, not a changed list.
        let committed_deletions = files
            .iter()
            .filter_map(|name| name.strip_prefix(id.as_str())?.strip_suffix(".del")?.strip_prefix('.'))
            .filter_map(|opstamp| opstamp.parse::<u64>().ok())
            .any(|opstamp| opstamp <= metas.opstamp);
        if segment.delete_opstamp().is_none() && committed_deletions {
            problems.push((
                segment.id(),
                format!("names no deletions for segment {id}, but its deletions file is in the folder"),
            ));
        }
    }
    Ok(problems)
}

fn check_grams_format(index: &tantivy::Index, location: &Path) -> Result<()> {
    for segment in index.searchable_segments()? {
        let Ok(file) = segment.open_read(tantivy::index::SegmentComponent::Custom(
            crate::grams::DICTIONARY.to_string(),
        )) else {
            // Missing: the segment's own error when it is read names it.
            continue;
        };
        let Ok(last) = file
            .slice_from_end(8.min(file.num_bytes().get_bytes() as usize))
            .read_bytes()
        else {
            continue;
        };
        match crate::grams::version_of(last.as_slice()) {
            Some(version) if version != crate::grams::VERSION => {
                return Err(Error::IncompatibleIndex {
                    path: location.to_path_buf(),
                    detail: format!(
                        "it was written in index format {version}, this build reads format {}",
                        crate::format::FORMAT
                    ),
                })
            }
            _ => {}
        }
    }
    Ok(())
}

/// Verifies the small files of every segment against their checksums
/// ([`damage::VERIFIED_ON_OPEN`]).
fn verify_on_open(index: &tantivy::Index, location: &Path) -> Result<()> {
    let segments = index.searchable_segment_ids()?;
    let damaged = damage::damaged_files(index.directory(), &segments, Some(damage::VERIFIED_ON_OPEN));
    if damaged.is_empty() {
        return Ok(());
    }
    Err(Error::Damaged {
        path: location.to_path_buf(),
        detail: damage::mismatched(&damaged),
    })
}

/// A reader of `index`: reloaded when the index's files change if `watch`, else on demand;
/// each new view is given to `warmers` before it is used.
fn reader_of(index: &tantivy::Index, watch: bool, warmers: Warmers) -> Result<IndexReader> {
    let policy = if watch {
        ReloadPolicy::OnCommitWithDelay
    } else {
        ReloadPolicy::Manual
    };
    Ok(index
        .reader_builder()
        .reload_policy(policy)
        .warmers(warmers)
        .try_into()?)
}

/// What each commit records beside the articles: when it was made, and the folders the index
/// holds (so that `stats` can list them and a folder that is gone can be named). Stored as
/// tantivy's commit payload, as JSON; an older index's payload is the time alone.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct CommitPayload {
    /// When the commit was made (RFC 3339, UTC).
    pub(crate) committed: Option<String>,
    /// Canonical paths of the folders indexed.
    #[serde(default)]
    pub(crate) folders: std::collections::BTreeSet<String>,
    /// The tables kept in the index folder (user dictionary, synonyms), each with the CRC-32
    /// of its bytes: a table that differs from it, or is gone, is damage, never read.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(crate) tables: std::collections::BTreeMap<String, u32>,
    /// Whether every `meta.json` of the index is recorded ([`commits`]): then a record that
    /// is gone is damage.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) recorded: bool,
    /// Set by a repair from its start to its last commit: a commit that holds it is a
    /// repair's unfinished work, which the next `check --repair` finishes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) repairing: bool,
}

impl CommitPayload {
    fn read(payload: &str) -> CommitPayload {
        if payload.starts_with('{') {
            serde_json::from_str(payload).unwrap_or_default()
        } else {
            CommitPayload {
                committed: Some(payload.to_string()).filter(|p| !p.is_empty()),
                ..Default::default()
            }
        }
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings serialise")
    }
}

/// Reads and checks a user dictionary without touching any index: what
/// [`Index::set_user_dictionary`](crate::Index::set_user_dictionary) would refuse (a missing file, text that is not UTF-8, a line
/// that is not `word [frequency] [tag]`) is refused here, before an index is created for it.
pub fn check_user_dictionary(path: impl AsRef<Path>) -> Result<()> {
    read_user_dictionary(path.as_ref()).map(drop)
}

/// A user dictionary's text and the segmenter built with it.
fn read_user_dictionary(path: &Path) -> Result<(String, Segmenter)> {
    let bytes = std::fs::read(path).map_err(|error| Error::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let text = String::from_utf8(bytes).map_err(|err| Error::BadDictionary {
        path: path.to_path_buf(),
        reason: format!("not UTF-8 text (byte {} is not)", err.utf8_error().valid_up_to()),
    })?;
    let segmenter = segmenter_for(&text, path)?;
    Ok((text, segmenter))
}

/// The segmenter for a user dictionary's text, or the error naming the bad line.
fn segmenter_for(text: &str, path: &Path) -> Result<Segmenter> {
    let entries = parse_user_dictionary(text).map_err(|reason| Error::BadDictionary {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(Segmenter::with_user_dictionary(entries))
}

#[cfg(test)]
impl Store {
    /// Merges every segment into one; returns how many there were.
    pub(crate) fn merge_all(&self) -> usize {
        let mut writer = self.writer(Some(1)).expect("a test index has no other writer");
        let segments = self.index.searchable_segment_ids().expect("segments can be listed");
        writer.merge(&segments).wait().expect("test segments merge");
        self.commit(&mut writer).expect("a test index commits");
        segments.len()
    }
}
