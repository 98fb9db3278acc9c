//! The local backend: an index in a folder or in memory, searched in this process.
//!
//! - this module owns [`Local`]: one [`Store`] and [`Caches`], what searches keep between
//!   queries for one set of segments, and the indexing runs that keep the derived data in
//!   step with the segments;
//! - [`search`](mod@search) collects a request's count, facets and page in one pass and
//!   builds the hits; [`related`](mod@related) and [`stats`](mod@stats) answer the other
//!   requests.

mod related;
mod search;
mod stats;

pub use stats::{FolderStats, IndexStats};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::Searcher;

use super::backend::Backend;
use crate::article::Article;
use crate::assist::terms::SegmentTerms;
use crate::assist::vocabulary::Vocabulary;
use crate::error::Result;
use crate::grams::GramsCache;
use crate::query::synonyms::{read_synonyms, synonyms_of, Synonyms};
use crate::query::ParsedQuery;
use crate::search::numbering::FacetNumbering;
use crate::search::releases::{PairsCache, Releases, ReleasesCache};
use crate::search::statistics::{DocFreqs, Statistics};
use crate::search::{ArticlePage, Hit, Prepared, SearchRequest, SearchResults};
use crate::store::kept::KeptCache;
use crate::store::schema::{self, Fields};
use crate::store::{CheckReport, Damage, IndexOptions, IndexSummary, Progress, Removed, Repaired, Store, Warmers};
use crate::text::segment::Segmenter;

/// The vocabulary of an index, read again only when its segments change, and kept in the
/// index folder by each indexing run.
type VocabularyCache = KeptCache<Vocabulary>;

/// What searches keep between queries. Every part is keyed by the set of segments it was
/// read from (a new view of the index reads its own, and what is kept of segments that are
/// gone is dropped), so that a search's results depend only on the request and the index's
/// content, never on which searches came before.
#[derive(Default)]
pub(crate) struct Caches {
    /// Facet values numbered across segments.
    numbering: Arc<FacetNumbering>,
    /// The document frequencies BM25 looked up, while the segments stay the same.
    doc_freqs: DocFreqs,
    /// Each segment's open grams files and the character matches read from them; a warmer
    /// of the store's views.
    grams: Arc<GramsCache>,
    /// The index's releases (reprints grouped).
    releases: Arc<ReleasesCache>,
    /// The near pairs of its fingerprints, which the releases are grouped from.
    pairs: PairsCache,
    /// Each segment's vocabulary terms, which the vocabulary sums.
    terms: KeptCache<SegmentTerms>,
    /// The index's vocabulary for query assistance.
    vocabulary: Arc<VocabularyCache>,
    /// Everyday words and official terms: the shipped table with the index's own over it.
    synonyms: Synonyms,
}

impl Caches {
    /// Caches of an index in `folder` (its derived data kept there), or in memory.
    fn new(folder: Option<&Path>) -> Caches {
        let (vocabulary, releases, pairs, terms) = match folder {
            Some(folder) => (
                VocabularyCache::in_folder(folder),
                ReleasesCache::in_folder(folder),
                PairsCache::in_folder(folder),
                KeptCache::in_folder(folder),
            ),
            None => Default::default(),
        };
        Caches {
            vocabulary: Arc::new(vocabulary),
            releases: Arc::new(releases),
            pairs,
            terms,
            synonyms: Synonyms::shipped(),
            ..Caches::default()
        }
    }

    /// The warmers of the store's views: the grams files of each new view are opened before
    /// searches see it, and with `warm` its vocabulary and releases read too.
    fn warmers(&self, warm: Option<&Arc<Warm>>) -> Warmers {
        let mut warmers: Warmers = vec![Arc::downgrade(&self.grams) as std::sync::Weak<dyn tantivy::Warmer>];
        if let Some(warm) = warm {
            warmers.push(Arc::downgrade(warm) as std::sync::Weak<dyn tantivy::Warmer>);
        }
        warmers
    }
}

/// Reads the vocabulary and the releases of each new view of the index before searches see
/// it, so that the first search after a commit does not wait for them: for an index that
/// follows commits ([`Index::set_auto_reload`](crate::Index::set_auto_reload)), such as the server's.
struct Warm {
    vocabulary: std::sync::Weak<VocabularyCache>,
    releases: std::sync::Weak<ReleasesCache>,
}

impl tantivy::Warmer for Warm {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        if let Some(vocabulary) = self.vocabulary.upgrade() {
            vocabulary.get(searcher)?;
        }
        if let Some(releases) = self.releases.upgrade() {
            releases.get(searcher)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, _live_generations: &[&tantivy::SearcherGeneration]) {}
}

/// An index on disk or in memory: what it stores and what searches keep.
pub(crate) struct Local {
    store: Store,
    caches: Caches,
    /// Reads the vocabulary and releases of each new view, when asked to
    /// ([`Index::set_auto_reload`](crate::Index::set_auto_reload)); held here because the reader holds warmers weakly.
    warm: Option<Arc<Warm>>,
}

impl Local {
    /// Opens the index in `dir` for searching. Fails with [`Error::NoIndex`](crate::Error::NoIndex)
    /// if there is none. The index sees later commits of other processes on its own
    /// ([`Index::set_auto_reload`](crate::Index::set_auto_reload)).
    pub(crate) fn open(dir: impl AsRef<Path>) -> Result<Local> {
        let dir = dir.as_ref();
        let mut caches = Caches::new(Some(dir));
        let store = Store::open(dir, caches.warmers(None))?;
        if let Some((path, bytes)) = store.table(schema::SYNONYMS_FILE)? {
            // A table kept checked and in order is looked up as it is; any other is read
            // whole.
            let kept = String::from_utf8(bytes)
                .map_err(|err| err.into_bytes())
                .and_then(|text| Synonyms::shipped().with_kept(text).map_err(String::into_bytes));
            caches.synonyms = match kept {
                Ok(table) => table,
                Err(bytes) => Synonyms::shipped().with(&synonyms_of(&path, bytes)?),
            };
        }
        Ok(Local {
            store,
            caches,
            warm: None,
        })
    }

    /// Opens the index in `dir`, creating the folder and an empty index if there is none.
    /// A folder that holds other files and no index is refused: its files are not ours to mix
    /// index files in with.
    pub(crate) fn open_or_create(dir: impl AsRef<Path>) -> Result<Local> {
        let dir = dir.as_ref();
        if dir.join("meta.json").is_file() {
            return Local::open(dir);
        }
        let caches = Caches::new(Some(dir));
        let store = Store::open_or_create(dir, caches.warmers(None))?;
        Ok(Local {
            store,
            caches,
            warm: None,
        })
    }

    /// A new empty index held in memory: for tests and for tools that index on the fly.
    pub(crate) fn create_in_ram() -> Local {
        let caches = Caches::new(None);
        let store = Store::create_in_ram(caches.warmers(None));
        Local {
            store,
            caches,
            warm: None,
        }
    }

    /// Sets the index's user dictionary (jieba's format: `word [frequency] [tag]` a line),
    /// read from `path`: words such as 五比五看 or village names that jieba would split. It is
    /// kept in the index folder, so searches segment queries the same way. Articles indexed
    /// before keep their segmentation until they are indexed again. The dictionary shapes
    /// ranking; which articles match never depends on it.
    pub(crate) fn set_user_dictionary(&mut self, path: impl AsRef<Path>) -> Result<()> {
        self.store.set_user_dictionary(path.as_ref())
    }

    /// Sets the index's own synonym table (a line an entry, `everyday => official, official`),
    /// read from `path`: kept in the index folder, over the table govsearch ships, so that an
    /// unquoted query with an everyday word also finds the official terms.
    pub(crate) fn set_synonyms(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let own = read_synonyms(path)?;
        let text = own.kept_text();
        self.store.keep_table(schema::SYNONYMS_FILE, text.as_bytes())?;
        self.caches.synonyms = Synonyms::shipped()
            .with_kept(text)
            .unwrap_or_else(|_| Synonyms::shipped().with(&own));
        Ok(())
    }

    /// The index's own synonym table as its folder keeps it, if it has one.
    #[cfg(feature = "opensearch")]
    pub(crate) fn kept_synonyms(&self) -> Result<Option<String>> {
        Ok(self
            .store
            .table(schema::SYNONYMS_FILE)?
            .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Whether searches see what other processes commit to the index on their own: on by
    /// default for an index on disk (within about a second of the commit, and never half a
    /// commit). Off, searches see the index as it was when opened until [`Index::reload`](crate::Index::reload).
    /// A user dictionary that another process changes is read when the index is opened again.
    pub(crate) fn set_auto_reload(&mut self, on: bool) -> Result<()> {
        let warm = on.then(|| {
            Arc::new(Warm {
                vocabulary: Arc::downgrade(&self.caches.vocabulary),
                releases: Arc::downgrade(&self.caches.releases),
            })
        });
        self.store.set_reload(on, self.caches.warmers(warm.as_ref()))?;
        self.warm = warm;
        Ok(())
    }

    /// Makes searches see the index as of its last commit, whoever made it.
    pub(crate) fn reload(&self) -> Result<()> {
        self.store.reload()
    }

    /// The folder the index lives in (`<memory>` for an in-memory index).
    pub(crate) fn location(&self) -> &Path {
        self.store.location()
    }

    /// The folders indexed into this index (canonical paths), as of the last commit. Indexes
    /// written before folders were recorded list the folders indexed since.
    pub(crate) fn folders(&self) -> Vec<PathBuf> {
        self.store.folders()
    }

    /// Adds articles, each under an identity (a path or any other key): an article already
    /// indexed under the same identity is replaced, never duplicated. Commits once at the end.
    pub(crate) fn add_articles<I>(&self, articles: I) -> Result<()>
    where
        I: IntoIterator<Item = (String, Article)>,
    {
        self.store.add_articles(articles)
    }

    /// Indexes every article file under `dir` with `options`, then keeps the derived data in
    /// step.
    pub(crate) fn index_folder_with(
        &self,
        dir: impl AsRef<Path>,
        options: &IndexOptions,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<IndexSummary> {
        let started = std::time::Instant::now();
        let mut summary = self.store.index_folder_with(dir, options, progress)?;
        self.keep_derived()?;
        summary.elapsed = started.elapsed();
        Ok(summary)
    }

    /// Removes the articles of every file under `dir`, a folder indexed before: the way to
    /// take a moved or deleted folder out of the index (`dir` need not exist any more).
    /// Errors when the index holds nothing from it.
    pub(crate) fn remove_folder(&self, dir: impl AsRef<Path>) -> Result<Removed> {
        let removed = self.store.remove_folder(dir)?;
        self.keep_derived()?;
        Ok(removed)
    }

    /// Drops the damaged segments of the index in `dir` and indexes the folders the index
    /// holds again, so the files whose articles were in them are read again and the index
    /// is whole without a full rebuild. Segments are found damaged as [`Index::check`](crate::Index::check) finds
    /// them, but without opening the index as a whole (which damage can prevent).
    pub(crate) fn repair(dir: impl AsRef<Path>) -> Result<Repaired> {
        let dir = dir.as_ref();
        let repaired = Store::repair(dir)?;
        // Kept again if it was damaged or the dropped segments were in it.
        Local::open(dir)?.keep_derived()?;
        Ok(repaired)
    }

    /// Verifies every file of the index against its checksum, each segment's grams against
    /// the segment, and the derived data kept in its folder. Reads the whole index: for
    /// `govsearch check`, not for every open.
    pub(crate) fn check(&self) -> Result<CheckReport> {
        let mut report = self.store.check()?;
        let searcher = self.searcher();
        let kept = [
            (schema::RELEASES_FILE, self.caches.releases.problem(&searcher)),
            (schema::PAIRS_FILE, self.caches.pairs.problem(&searcher)),
            (schema::TERMS_FILE, self.caches.terms.problem(&searcher)),
            (schema::VOCABULARY_FILE, self.caches.vocabulary.problem(&searcher)),
        ];
        for (file, problem) in kept {
            if let Some(problem) = problem {
                report.damaged.insert(
                    0,
                    Damage {
                        what: file.to_string(),
                        problem,
                    },
                );
            }
        }
        Ok(report)
    }

    /// Writes the index's vocabulary and releases to its folder unless it holds them
    /// already, so that searches in other processes read them instead of reading every
    /// segment's terms and fingerprints: run at the end of an indexing run, after its merges.
    pub(crate) fn keep_derived(&self) -> Result<()> {
        self.store.reload()?;
        let searcher = self.searcher();
        self.guarded(|| {
            // Side by side: they read different parts of the index, and at the end of an
            // indexing run nothing else is left to run.
            let (vocabulary, releases) = crate::store::kept::side_by_side(
                || crate::assist::terms::keep(&self.caches.vocabulary, &self.caches.terms, &searcher),
                || crate::search::releases::keep(&self.caches.releases, &self.caches.pairs, &searcher),
            );
            vocabulary.and(releases)
        })
    }

    /// Runs `read` over the index so that damage is an [`Error::Damaged`](crate::Error::Damaged),
    /// never an engine error in the engine's words, and a panic an
    /// [`Error::Internal`](crate::Error::Internal).
    pub(crate) fn guarded<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        self.store.guarded(read)
    }

    /// What searches read: the index as of the last commit (or reload).
    pub(crate) fn searcher(&self) -> Searcher {
        self.store.searcher()
    }

    pub(crate) fn fields(&self) -> &Fields {
        self.store.fields()
    }

    pub(crate) fn segmenter(&self) -> &Segmenter {
        self.store.segmenter()
    }

    /// BM25's statistics for a search by `searcher`, with the document frequencies earlier
    /// searches of the same segments looked up.
    pub(crate) fn statistics<'a>(&'a self, searcher: &'a Searcher) -> Statistics<'a> {
        self.caches.doc_freqs.of(searcher)
    }

    /// The releases of `searcher`'s segments (reprints grouped): read from the index folder
    /// when the last indexing run kept them, derived otherwise.
    pub(crate) fn releases(&self, searcher: &Searcher) -> Result<Arc<Releases>> {
        Ok(self.caches.releases.get(searcher)?)
    }

    /// The vocabulary of `searcher`'s segments.
    pub(crate) fn vocabulary(&self, searcher: &Searcher) -> Result<Arc<Vocabulary>> {
        Ok(self.caches.vocabulary.get(searcher)?)
    }
}

impl Backend for Local {
    fn segmenter(&self) -> &Segmenter {
        self.store.segmenter()
    }

    fn synonyms(&self) -> &Synonyms {
        &self.caches.synonyms
    }

    fn num_articles(&self) -> u64 {
        self.store.num_articles()
    }

    fn articles_now(&self) -> Result<u64> {
        Ok(self.store.num_articles())
    }

    fn search(&self, request: &SearchRequest, parsed: ParsedQuery) -> Result<SearchResults> {
        self.guarded(|| self.search_as_typed(request, parsed))
    }

    fn count(&self, request: &SearchRequest, parsed: ParsedQuery) -> Result<usize> {
        self.guarded(|| {
            let searcher = self.searcher();
            let Prepared { query, .. } = self.prepare(parsed, request, &searcher)?;
            let statistics = self.statistics(&searcher);
            Ok(searcher.search_with_statistics_provider(query.as_ref(), &tantivy::collector::Count, &statistics)?)
        })
    }

    fn titles_with(&self) -> Box<dyn Fn(&str) -> u64 + '_> {
        let searcher = self.searcher();
        let title = self.fields().title;
        // The vocabulary answers from memory when it is read already; the term dictionaries
        // otherwise, without reading it for a query that may need nothing.
        let known = self.caches.vocabulary.in_memory(&searcher);
        Box::new(move |word: &str| match &known {
            Some(vocabulary) => vocabulary.articles_with(word).map_or(0, u64::from),
            None => searcher
                .doc_freq(&tantivy::Term::from_field_text(title, word))
                .unwrap_or(0),
        })
    }

    fn vocabulary(&self) -> Result<Arc<Vocabulary>> {
        self.guarded(|| Local::vocabulary(self, &self.searcher()))
    }

    fn article(&self, id: &str, needles: &[String]) -> Result<Option<ArticlePage>> {
        Local::article(self, id, needles)
    }

    fn related(&self, id: &str, limit: usize) -> Result<Option<Vec<Hit>>> {
        Local::related(self, id, limit)
    }

    fn stats(&self) -> Result<IndexStats> {
        Local::stats(self)
    }
}

#[cfg(test)]
impl Local {
    /// Merges every segment into one; returns how many there were.
    pub(crate) fn merge_all(&self) -> usize {
        self.store.merge_all()
    }

    /// An in-memory index of texts in the release layout, each under its identity.
    pub(crate) fn of_texts(files: &[(&str, &str)]) -> Local {
        let index = Local::create_in_ram();
        let articles = files.iter().map(|(id, text)| {
            let article = crate::article::parse_article(text).expect("a test article parses");
            (id.to_string(), article)
        });
        index.add_articles(articles).expect("test articles index");
        index
    }

    /// The store under the engine, for tests of what it holds.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn grams_cache(&self) -> &GramsCache {
        &self.caches.grams
    }

    pub(crate) fn facet_numbering(&self) -> &FacetNumbering {
        &self.caches.numbering
    }

    pub(crate) fn releases_cache(&self) -> &ReleasesCache {
        &self.caches.releases
    }

    pub(crate) fn vocabulary_cache(&self) -> &VocabularyCache {
        &self.caches.vocabulary
    }
}
