//! The index: opening and creating it, its schema, writing articles, and walking a folder.
//!
//! - this module owns [`Index`]: every open and create path registers the analyzers and checks
//!   that the index was built with the ones this build has, and holds what searches keep
//!   between queries (facet numbering, document frequencies, the grams cache);
//! - [`schema`] is the only module that spells field names;
//! - [`write`](mod@write) turns articles into documents and commits them;
//! - [`walk`] indexes a folder: every file gets one outcome, unchanged files are not read.

mod check;
pub(crate) mod damage;
mod directory;
pub(crate) mod facet_values;
pub(crate) mod kept;
pub(crate) mod keys;
pub(crate) mod schema;
mod statistics;
mod walk;
mod write;

pub use check::{CheckReport, Damage, Repaired};
pub use damage::panic_is_guarded;
pub(crate) use facet_values::FacetValues;
pub(crate) use statistics::Statistics;
pub use walk::{FileReport, IndexOptions, IndexSummary, MissingFolder, Outcome, Progress, Removed, Skipped, Warning};
pub(crate) use write::FileState;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::{IndexReader, ReloadPolicy, Searcher};

use crate::assist::VocabularyCache;
use crate::error::{Error, Result};
use crate::grams::{BodyGrams, GramsCache};
use crate::query::synonyms::Synonyms;
use crate::search::releases::{Releases, ReleasesCache};

/// How a search groups reprints ([`Index::grouping`]).
pub(crate) enum Grouping {
    /// Not at all: an index made before fingerprints.
    None,
    /// By the releases of the whole index.
    Index(Arc<Releases>),
    /// Among the search's own matches, by these fingerprint fields.
    Matches([tantivy::schema::Field; crate::text::fingerprint::PRINT_WORDS]),
}
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

/// The file in an index folder that holds its user dictionary, so that searches segment
/// queries as the articles were segmented.
const USER_DICTIONARY_FILE: &str = "user_dictionary.txt";
/// The index's own synonym table, in its folder.
const SYNONYMS_FILE: &str = "synonyms.txt";

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

/// A govsearch index, on disk or in memory.
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    segmenter: Segmenter,
    /// Facet values numbered across segments, shared by every search of this index.
    facet_values: Arc<FacetValues>,
    /// The document frequencies searches looked up, while the segments stay the same.
    doc_freqs: statistics::DocFreqs,
    /// Damaged files the merges of this index's writers found (and left alone).
    damage_found: Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>,
    /// Each segment's open grams files and the character matches read from them, shared by
    /// every search of this index.
    grams: Arc<GramsCache>,
    /// The index's releases (reprints grouped), read once per set of segments.
    releases: Arc<ReleasesCache>,
    /// Reads the vocabulary and releases of each new searcher, when asked to
    /// ([`Index::set_auto_reload`]); held here because the reader holds warmers weakly.
    warm: Option<Arc<crate::assist::Warm>>,
    /// Searches that grouped reprints: the first groups among its matches, later ones read
    /// the whole index's releases once.
    grouped_searches: std::sync::atomic::AtomicUsize,
    /// The index's vocabulary for query assistance, read once per set of segments.
    vocabulary: Arc<VocabularyCache>,
    /// Everyday words and official terms: the shipped table with the index's own over it.
    synonyms: Synonyms,
    location: PathBuf,
    on_disk: bool,
}

impl Index {
    /// Opens the index in `dir` for searching. Fails with [`Error::NoIndex`] if there is none.
    /// The index sees later commits of other processes on its own ([`Index::set_auto_reload`]).
    ///
    /// ```
    /// # fn main() -> Result<(), govsearch::Error> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let folder = dir.path().join("releases");
    /// # std::fs::create_dir(&folder).unwrap();
    /// # std::fs::write(folder.join("1.txt"), "峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。\n").unwrap();
    /// # govsearch::Index::open_or_create(dir.path().join("index"))?.index_folder(&folder, |_| {})?;
    /// let index = govsearch::Index::open(dir.path().join("index"))?;
    /// assert_eq!(index.num_articles(), 1);
    /// assert!(govsearch::Index::open(dir.path().join("nothing here")).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(dir: impl AsRef<Path>) -> Result<Index> {
        let dir = dir.as_ref();
        if !dir.join("meta.json").is_file() {
            return Err(Error::NoIndex {
                path: dir.to_path_buf(),
            });
        }
        let directory = directory::IndexDirectory::open(dir).map_err(|err| Error::Index(err.into()))?;
        let index = damage::guarded(dir, || Ok(tantivy::Index::open(directory)?))?;
        let dictionary = dir.join(USER_DICTIONARY_FILE);
        let segmenter = if dictionary.is_file() {
            let text = std::fs::read_to_string(&dictionary).map_err(|error| Error::Io {
                path: dictionary.clone(),
                error,
            })?;
            segmenter_for(&text, &dictionary)?
        } else {
            Segmenter::default()
        };
        let mut index = damage::guarded(dir, || Index::wrap(index, dir, segmenter, true))?;
        let table = dir.join(SYNONYMS_FILE);
        if table.is_file() {
            index.synonyms = Synonyms::shipped().with(&read_synonyms(&table)?);
        }
        Ok(index)
    }

    /// Opens the index in `dir`, creating the folder and an empty index if there is none.
    /// A folder that holds other files and no index is refused: its files are not ours to mix
    /// index files in with.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<Index> {
        let dir = dir.as_ref();
        if dir.join("meta.json").is_file() {
            return Index::open(dir);
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
        let index = tantivy::Index::builder()
            .schema(schema::build())
            .settings(settings())
            .register_plugin(Arc::new(BodyGrams::new(schema::body_field())))
            .create_in_dir(dir)?;
        Index::wrap(index, dir, Segmenter::default(), true)
    }

    /// A new empty index held in memory: for tests and for tools that index on the fly.
    pub fn create_in_ram() -> Index {
        let index = tantivy::Index::builder()
            .schema(schema::build())
            .settings(settings())
            .register_plugin(Arc::new(BodyGrams::new(schema::body_field())))
            .create_in_ram()
            .expect("a new in-memory index can be created");
        Index::wrap(index, Path::new("<memory>"), Segmenter::default(), false)
            .expect("a new in-memory index has the current schema")
    }

    /// Sets the index's user dictionary (jieba's format: `word [frequency] [tag]` a line),
    /// read from `path`: words such as 五比五看 or village names that jieba would split. It is
    /// kept in the index folder, so searches segment queries the same way. Articles indexed
    /// before keep their segmentation until they are indexed again. The dictionary shapes
    /// ranking; which articles match never depends on it.
    pub fn set_user_dictionary(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let (text, segmenter) = read_user_dictionary(path.as_ref())?;
        if self.on_disk {
            // Written only while holding the writer's lock: an index another process is
            // writing to keeps the dictionary its articles are being segmented with.
            let _lock = self.writer(Some(1))?;
            let target = self.location.join(USER_DICTIONARY_FILE);
            std::fs::write(&target, &text).map_err(|error| Error::Io { path: target, error })?;
        }
        self.segmenter = segmenter;
        analyzers::register(&self.index, &self.segmenter);
        Ok(())
    }

    /// Sets the index's own synonym table (a line an entry, `everyday => official, official`),
    /// read from `path`: kept in the index folder, over the table govsearch ships, so that an
    /// unquoted query with an everyday word also finds the official terms.
    pub fn set_synonyms(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let own = read_synonyms(path)?;
        if self.on_disk {
            // Written only while holding the writer's lock, like the user dictionary.
            let _lock = self.writer(Some(1))?;
            let text = std::fs::read(path).map_err(|error| Error::Io {
                path: path.to_path_buf(),
                error,
            })?;
            let target = self.location.join(SYNONYMS_FILE);
            std::fs::write(&target, text).map_err(|error| Error::Io { path: target, error })?;
        }
        self.synonyms = Synonyms::shipped().with(&own);
        Ok(())
    }

    fn wrap(mut index: tantivy::Index, location: &Path, segmenter: Segmenter, on_disk: bool) -> Result<Index> {
        analyzers::check_index(&index, location)?;
        let fields = Fields::from_schema(&index.schema())
            .filter(|_| index.schema() == schema::build() || index.schema() == schema::build_without_fingerprint())
            .ok_or_else(|| Error::IncompatibleIndex {
                path: location.to_path_buf(),
                detail: "its fields differ from this build's".to_string(),
            })?;
        analyzers::register(&index, &segmenter);
        // tantivy keeps the plugins an index was created with only until it is closed.
        if index.custom_plugins().is_empty() {
            index.register_plugin(Arc::new(BodyGrams::new(schema::body_field())));
        }
        check_grams_format(&index, location)?;
        if on_disk {
            verify_on_open(&index, location)?;
        }
        if let Some(executor) = damage::search_executor() {
            index.set_executor(executor);
        }
        let grams = Arc::new(GramsCache::default());
        let reader = reader_of(&index, on_disk, &grams, None)?;
        Ok(Index {
            index,
            reader,
            fields,
            segmenter,
            facet_values: Arc::default(),
            doc_freqs: statistics::DocFreqs::default(),
            damage_found: Arc::default(),
            grams,
            vocabulary: Arc::new(if on_disk {
                VocabularyCache::in_folder(location)
            } else {
                VocabularyCache::default()
            }),
            releases: Arc::new(if on_disk {
                ReleasesCache::in_folder(location)
            } else {
                ReleasesCache::default()
            }),
            warm: None,
            grouped_searches: std::sync::atomic::AtomicUsize::new(0),
            synonyms: Synonyms::shipped(),
            location: location.to_path_buf(),
            on_disk,
        })
    }

    /// Whether searches see what other processes commit to the index on their own: on by
    /// default for an index on disk (within about a second of the commit, and never half a
    /// commit). Off, searches see the index as it was when opened until [`Index::reload`].
    /// A user dictionary that another process changes is read when the index is opened again.
    ///
    /// Turned on with this call, each new view of the index also has its vocabulary (for
    /// pinyin, typos and suggestions) and its reprints read before searches see it, so the
    /// first search after a commit does not wait for them: what a long-running server wants,
    /// and what a one-off search need not pay for.
    pub fn set_auto_reload(&mut self, on: bool) -> Result<()> {
        let warm = on.then(|| {
            Arc::new(crate::assist::Warm {
                vocabulary: Arc::downgrade(&self.vocabulary),
                releases: Arc::downgrade(&self.releases),
                fields: self.fields,
            })
        });
        self.reader = reader_of(&self.index, self.on_disk && on, &self.grams, warm.clone())?;
        self.warm = warm;
        Ok(())
    }

    /// Runs `read` over the index so that damage is an [`Error::Damaged`], never a panic or
    /// an engine error in the engine's words.
    pub(crate) fn guarded<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        damage::guarded(&self.location, read)
    }

    /// [`Error::Damaged`] when a merge of this index's writers found a damaged segment (and
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
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// The folder the index lives in (`<memory>` for an in-memory index).
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// Number of articles in the index, as of the last commit.
    pub fn num_articles(&self) -> u64 {
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

    /// The folders indexed into this index (canonical paths), as of the last commit. Indexes
    /// written before folders were recorded list the folders indexed since.
    pub fn folders(&self) -> Vec<PathBuf> {
        self.commit_payload()
            .folders
            .iter()
            .map(|key| keys::key_path(key))
            .collect()
    }

    /// Each facet field's values, numbered across segments.
    pub(crate) fn facet_values(&self) -> &Arc<FacetValues> {
        &self.facet_values
    }

    /// BM25's statistics for a search by `searcher`, with the document frequencies earlier
    /// searches of the same segments looked up.
    pub(crate) fn statistics<'a>(&'a self, searcher: &'a Searcher) -> Statistics<'a> {
        self.doc_freqs.of(searcher)
    }

    /// Each segment's open grams files and the character matches read from them.
    /// The index's releases (reprints grouped); `None` for an index made before reprints were
    /// grouped.
    pub(crate) fn releases(&self, searcher: &Searcher) -> Result<Option<Arc<Releases>>> {
        match self.fields.fingerprint {
            Some(_) => Ok(Some(self.releases.get(searcher)?)),
            None => Ok(None),
        }
    }

    /// How a search groups reprints: over the whole index when its releases are kept (read
    /// already, read for each new view of an index that follows commits, or read now for an
    /// `Index` that has searched before), else only among its own matches, so that a one-off
    /// search does not read every fingerprint.
    pub(crate) fn grouping(&self, searcher: &Searcher) -> Result<Grouping> {
        let Some(fields) = self.fields.fingerprint else {
            return Ok(Grouping::None);
        };
        if let Some(ready) = self.releases.ready(searcher) {
            return Ok(Grouping::Index(ready));
        }
        let searched = self.grouped_searches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if self.warm.is_some() || searched > 0 {
            return Ok(Grouping::Index(self.releases.get(searcher)?));
        }
        Ok(Grouping::Matches(fields))
    }

    /// Writes the index's vocabulary and releases to its folder unless it holds them
    /// already ([`kept`]), so that searches in other processes read them instead of reading
    /// every segment's terms and fingerprints: run at the end of an indexing run, after its
    /// merges.
    pub(crate) fn keep_derived(&self) -> Result<()> {
        self.reader.reload()?;
        let searcher = self.searcher();
        self.guarded(|| {
            self.vocabulary.keep(&searcher)?;
            if self.fields.fingerprint.is_some() {
                self.releases.keep(&searcher)?;
            }
            Ok(())
        })
    }

    pub(crate) fn releases_cache(&self) -> &ReleasesCache {
        &self.releases
    }

    pub(crate) fn vocabulary_cache(&self) -> &VocabularyCache {
        &self.vocabulary
    }

    pub(crate) fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    pub(crate) fn grams_cache(&self) -> &GramsCache {
        &self.grams
    }
}

/// Refuses an index whose body grams another format wrote: read from the last bytes of each
/// segment's grams dictionary, so that an old index is named as such, not read wrongly or
/// called damaged.
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
                        "its body's positions are in format {version}, this build reads format {}",
                        crate::grams::VERSION
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
/// each new searcher has its grams files opened by `grams` before it is used.
fn reader_of(
    index: &tantivy::Index,
    watch: bool,
    grams: &Arc<GramsCache>,
    warm: Option<Arc<crate::assist::Warm>>,
) -> Result<IndexReader> {
    let policy = if watch {
        ReloadPolicy::OnCommitWithDelay
    } else {
        ReloadPolicy::Manual
    };
    let mut warmers = vec![Arc::downgrade(grams) as std::sync::Weak<dyn tantivy::Warmer>];
    if let Some(warm) = &warm {
        warmers.push(Arc::downgrade(warm) as std::sync::Weak<dyn tantivy::Warmer>);
    }
    Ok(index
        .reader_builder()
        .reload_policy(policy)
        .warmers(warmers)
        .try_into()?)
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("location", &self.location)
            .field("articles", &self.num_articles())
            .field("user_dictionary", &self.segmenter.has_user_dictionary())
            .finish()
    }
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
}

impl CommitPayload {
    fn read(payload: &str) -> CommitPayload {
        if payload.starts_with('{') {
            serde_json::from_str(payload).unwrap_or_default()
        } else {
            CommitPayload {
                committed: Some(payload.to_string()).filter(|p| !p.is_empty()),
                folders: Default::default(),
            }
        }
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings serialise")
    }
}

/// Reads and checks a user dictionary without touching any index: what
/// [`Index::set_user_dictionary`] would refuse (a missing file, text that is not UTF-8, a line
/// that is not `word [frequency] [tag]`) is refused here, before an index is created for it.
pub fn check_user_dictionary(path: impl AsRef<Path>) -> Result<()> {
    read_user_dictionary(path.as_ref()).map(drop)
}

/// Reads and checks a synonym table without touching any index (what
/// [`Index::set_synonyms`] would refuse is refused here).
pub fn check_synonyms(path: impl AsRef<Path>) -> Result<()> {
    read_synonyms(path.as_ref()).map(drop)
}

fn read_synonyms(path: &Path) -> Result<Synonyms> {
    let bytes = std::fs::read(path).map_err(|error| Error::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let bad = |reason: String| Error::BadSynonyms {
        path: path.to_path_buf(),
        reason,
    };
    let text = String::from_utf8(bytes).map_err(|err| {
        bad(format!(
            "not UTF-8 text (byte {} is not)",
            err.utf8_error().valid_up_to()
        ))
    })?;
    Synonyms::parse(&text).map_err(bad)
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
impl Index {
    /// Merges every segment into one; returns how many there were.
    pub(crate) fn merge_all(&self) -> usize {
        let mut writer = self.writer(Some(1)).expect("a test index has no other writer");
        let segments = self.index.searchable_segment_ids().expect("segments can be listed");
        writer.merge(&segments).wait().expect("test segments merge");
        self.commit(&mut writer).expect("a test index commits");
        segments.len()
    }

    /// An in-memory index of texts in the release layout, each under its identity.
    pub(crate) fn of_texts(files: &[(&str, &str)]) -> Index {
        let index = Index::create_in_ram();
        let articles = files.iter().map(|(id, text)| {
            let article = crate::article::parse_article(text).expect("a test article parses");
            (id.to_string(), article)
        });
        index.add_articles(articles).expect("test articles index");
        index
    }
}
