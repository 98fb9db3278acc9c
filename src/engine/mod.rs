//! The engine: the public [`Index`] and every entry point a user calls (search, article,
//! related, suggest, stats, and the indexing runs), over a [`Backend`].
//!
//! - [`backend`] is the seam: what the engine needs from where the articles are;
//! - [`local`] is the backend of an index in a folder or in memory: one store and the caches
//!   of its segments;
//! - this module runs each request over the backend: the query parsed with the backend's
//!   segmenter and everyday words, searched as typed, then the rewrite [`rewrite`] decides on
//!   from what [`crate::assist`] proposes;
//! - [`abbreviations`] finds the full forms of a query's abbreviations (上合: 上海合作组织)
//!   from counts over the backend;
//! - [`suggest`](mod@suggest) completes prefixes from the backend's vocabulary.
//!
//! Nothing below imports this module: the store, the query, search and assist modules are
//! functions over what the engine hands them.

pub(crate) mod abbreviations;
mod backend;
#[cfg(feature = "opensearch")]
mod cluster;
mod describe;
mod local;
mod places;
mod rewrite;
mod suggest;

#[cfg(feature = "opensearch")]
pub use cluster::export::{ExportOptions, ExportProgress, ExportSummary};
pub use local::{FolderStats, IndexStats};

use std::path::{Path, PathBuf};

use crate::article::Article;
use crate::error::Result;
use crate::query::ParsedQuery;
use crate::search::{ArticlePage, Hit, SearchRequest, SearchResults};
use crate::store::{CheckReport, IndexOptions, IndexSummary, Progress, Removed, Repaired};
use backend::Backend;
use local::Local;

/// A govsearch index: on disk or in memory, or exported to an OpenSearch cluster
/// ([`Index::connect`]).
pub struct Index {
    place: Place,
    /// The full forms of abbreviations found so far, for the current vocabulary.
    full_forms: abbreviations::FullForms,
}

/// Where an index's articles are. A process holds one or two indexes, so the variants'
/// sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum Place {
    Local(Local),
    #[cfg(feature = "opensearch")]
    Cluster(cluster::Remote),
}

/// Query text read with `backend`'s segmenter, its everyday words standing for the official
/// terms too.
pub(crate) fn parse(backend: &dyn Backend, query: &str) -> Result<ParsedQuery> {
    let segmenter = backend.segmenter();
    Ok(ParsedQuery::parse(query, segmenter)?.with_synonyms(backend.synonyms(), segmenter))
}

impl Index {
    /// Opens the index in `dir` for searching. Fails with [`Error::NoIndex`](crate::Error::NoIndex)
    /// if there is none. The index sees later commits of other processes on its own
    /// ([`Index::set_auto_reload`]).
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
        Ok(Index {
            place: Place::Local(Local::open(dir)?),
            full_forms: abbreviations::FullForms::default(),
        })
    }

    /// Opens the index in `dir`, creating the folder and an empty index if there is none.
    /// A folder that holds other files and no index is refused: its files are not ours to mix
    /// index files in with.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<Index> {
        Ok(Index {
            place: Place::Local(Local::open_or_create(dir)?),
            full_forms: abbreviations::FullForms::default(),
        })
    }

    /// A new empty index held in memory: for tests and for tools that index on the fly.
    pub fn create_in_ram() -> Index {
        Index {
            place: Place::Local(Local::create_in_ram()),
            full_forms: abbreviations::FullForms::default(),
        }
    }

    /// The index `name` on the OpenSearch cluster at `url` (`http://host:9200`), made by
    /// [`Index::export`]: searched as a local index is, with the same query syntax,
    /// filters, facets, snippets, reprint grouping and query assistance. Refused with
    /// [`Error::ClusterRefused`](crate::Error::ClusterRefused) when there is no such index or
    /// another version of govsearch made it; a cluster that does not answer is
    /// [`Error::ClusterUnavailable`](crate::Error::ClusterUnavailable), here and in every
    /// search. Indexing and checking need a local index.
    #[cfg(feature = "opensearch")]
    pub fn connect(url: &str, name: &str) -> Result<Index> {
        Ok(Index {
            place: Place::Cluster(cluster::Remote::connect(url, name)?),
            full_forms: abbreviations::FullForms::default(),
        })
    }

    /// Sends this local index to the OpenSearch cluster at `url`, into the index
    /// `options.name` (made with govsearch's mapping if missing), and keeps that index in
    /// step: articles new or changed since the last export are sent, those gone deleted,
    /// unchanged ones left. Failures of the cluster are retried with back-off; an export
    /// stopped midway is finished by the next. Calls `progress` after each article read.
    #[cfg(feature = "opensearch")]
    pub fn export(
        &self,
        url: &str,
        options: &ExportOptions,
        progress: impl FnMut(ExportProgress),
    ) -> Result<ExportSummary> {
        let local = self.local("exporting")?;
        local.guarded(|| cluster::export::export(local, url, options, progress))
    }

    /// Sets the index's user dictionary (jieba's format: `word [frequency] [tag]` a line),
    /// read from `path`: words such as 五比五看 or village names that jieba would split. It is
    /// kept in the index folder, so searches segment queries the same way. Articles indexed
    /// before keep their segmentation until they are indexed again. The dictionary shapes
    /// ranking; which articles match never depends on it.
    pub fn set_user_dictionary(&mut self, path: impl AsRef<Path>) -> Result<()> {
        match &mut self.place {
            Place::Local(local) => local.set_user_dictionary(path),
            #[cfg(feature = "opensearch")]
            Place::Cluster(_) => Err(crate::Error::NotLocal {
                what: "setting a user dictionary",
            }),
        }
    }

    /// Sets the index's own synonym table (a line an entry, `everyday => official, official`),
    /// read from `path`: kept in the index folder, over the table govsearch ships, so that an
    /// unquoted query with an everyday word also finds the official terms.
    pub fn set_synonyms(&mut self, path: impl AsRef<Path>) -> Result<()> {
        match &mut self.place {
            Place::Local(local) => local.set_synonyms(path),
            #[cfg(feature = "opensearch")]
            Place::Cluster(_) => Err(crate::Error::NotLocal {
                what: "setting a synonym table",
            }),
        }
    }

    /// Whether searches see what other processes commit to the index on their own: on by
    /// default for an index on disk (within about a second of the commit, and never half a
    /// commit). Off, searches see the index as it was when opened until [`Index::reload`].
    /// A user dictionary that another process changes is read when the index is opened again.
    ///
    /// Turned on with this call, each new view of the index also has its vocabulary (for
    /// pinyin, typos and suggestions) and its reprints read before searches see it, so the
    /// first search after a commit does not wait for them: what a long-running server wants,
    /// and what a one-off search need not pay for. An index on a cluster reads its vocabulary
    /// now and again after each export, asking the cluster every few seconds whether one ran.
    pub fn set_auto_reload(&mut self, on: bool) -> Result<()> {
        match &mut self.place {
            Place::Local(local) => local.set_auto_reload(on),
            #[cfg(feature = "opensearch")]
            // What a long-running server reads before its first search, and again after each
            // export: the vocabulary.
            Place::Cluster(remote) => remote.follow(on),
        }
    }

    /// Makes searches see the index as of its last commit, whoever made it.
    pub fn reload(&self) -> Result<()> {
        match &self.place {
            Place::Local(local) => local.reload(),
            #[cfg(feature = "opensearch")]
            Place::Cluster(_) => Ok(()),
        }
    }

    /// The folder the index lives in (`<memory>` for an in-memory index).
    pub fn location(&self) -> &Path {
        match &self.place {
            Place::Local(local) => local.location(),
            #[cfg(feature = "opensearch")]
            Place::Cluster(remote) => remote.location(),
        }
    }

    /// Number of articles in the index, as of the last commit.
    pub fn num_articles(&self) -> u64 {
        self.backend().num_articles()
    }

    /// Number of articles, asked of the backend now: on a cluster, a request that fails when
    /// the cluster does not answer (what a health check wants); on a local index the same as
    /// [`Index::num_articles`].
    pub fn articles_now(&self) -> Result<u64> {
        self.backend().articles_now()
    }

    /// The folders indexed into this index (canonical paths), as of the last commit. Indexes
    /// written before folders were recorded list the folders indexed since.
    pub fn folders(&self) -> Vec<PathBuf> {
        match &self.place {
            Place::Local(local) => local.folders(),
            #[cfg(feature = "opensearch")]
            Place::Cluster(_) => Vec::new(),
        }
    }

    /// Adds articles, each under an identity (a path or any other key): an article already
    /// indexed under the same identity is replaced, never duplicated. Commits once at the end.
    pub fn add_articles<I>(&self, articles: I) -> Result<()>
    where
        I: IntoIterator<Item = (String, Article)>,
    {
        self.local("adding articles")?.add_articles(articles)
    }

    /// Indexes every article file under `dir` (recursively) in the layouts it detects, and
    /// keeps the index in step with the folder: it reads new and changed files, removes the
    /// articles of files gone from it, and leaves unchanged files unread. Calls `progress`
    /// after each file. Only a failure of the index itself is an error.
    ///
    /// ```
    /// # fn main() -> Result<(), govsearch::Error> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// let folder = dir.path().join("releases");
    /// std::fs::create_dir(&folder).unwrap();
    /// std::fs::write(folder.join("1.txt"), "峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。\n").unwrap();
    /// std::fs::write(folder.join("notes.md"), "# not an article\n").unwrap();
    /// let index = govsearch::Index::open_or_create(dir.path().join("index"))?;
    /// let summary = index.index_folder(&folder, |progress| {
    ///     eprintln!("{}/{} {}", progress.done, progress.total, progress.file.path.display());
    /// })?;
    /// assert_eq!((summary.files_indexed, summary.skipped.len()), (1, 1));
    /// let again = index.index_folder(&folder, |_| {})?;
    /// assert_eq!(again.files_unchanged, 1, "unchanged files are not read again");
    /// # Ok(())
    /// # }
    /// ```
    pub fn index_folder(&self, dir: impl AsRef<Path>, progress: impl FnMut(Progress<'_>)) -> Result<IndexSummary> {
        self.local("indexing")?
            .index_folder_with(dir, &IndexOptions::default(), progress)
    }

    /// [`Index::index_folder`] with options.
    pub fn index_folder_with(
        &self,
        dir: impl AsRef<Path>,
        options: &IndexOptions,
        progress: impl FnMut(Progress<'_>),
    ) -> Result<IndexSummary> {
        self.local("indexing")?.index_folder_with(dir, options, progress)
    }

    /// Removes the articles of every file under `dir`, a folder indexed before: the way to
    /// take a moved or deleted folder out of the index (`dir` need not exist any more).
    /// Errors when the index holds nothing from it.
    pub fn remove_folder(&self, dir: impl AsRef<Path>) -> Result<Removed> {
        self.local("removing a folder")?.remove_folder(dir)
    }

    /// Drops the damaged segments of the index in `dir` and indexes the folders the index
    /// holds again, so the files whose articles were in them are read again and the index
    /// is whole without a full rebuild. Segments are found damaged as [`Index::check`] finds
    /// them, but without opening the index as a whole (which damage can prevent).
    ///
    /// Holds the writer's lock while it changes the list of segments; the dropped segments'
    /// files are deleted by the next run that writes.
    pub fn repair(dir: impl AsRef<Path>) -> Result<Repaired> {
        Local::repair(dir)
    }

    /// Verifies every file of the index against its checksum, each segment's grams against
    /// the segment, and the derived data kept in its folder. Reads the whole index: for
    /// `govsearch check`, not for every open.
    pub fn check(&self) -> Result<CheckReport> {
        self.local("checking")?.check()
    }

    /// Runs a search: the page of hits the request asks for, the total number of matching
    /// articles and facet counts over all of them. Errors on a query that cannot be read or a
    /// date range that is empty.
    ///
    /// ```
    /// use govsearch::{parse_article, Index, SearchRequest, Sort};
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let index = Index::create_in_ram();
    /// let article = |text: &str| parse_article(text).expect("a release");
    /// index.add_articles([
    ///     ("a".to_string(), article("峄城区优化营商环境\n2022-05-10 来源:鲁网\n峄城区持续优化营商环境。\n")),
    ///     ("b".to_string(), article("枣庄市召开会议\n2022-06-01 来源:枣庄日报\n峄城区参加了会议。\n")),
    /// ])?;
    /// let results = index.search(&SearchRequest::new("峄城 -营商").sort(Sort::Date))?;
    /// assert_eq!(results.total, 1);
    /// assert_eq!(results.hits[0].path, "b");
    /// assert!(index.search(&SearchRequest::new("\"未闭合")).is_err(), "an unclosed quote");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// A query that finds little as typed may be searched as another ([`SearchResults::searched_as`])
    /// or offered one ([`SearchResults::did_you_mean`]): pinyin as Chinese, a typo corrected.
    /// A query that is a 文号 in any spelling (`峄政发[2022]5号`) finds the articles with that
    /// 文号, when there are any. [`SearchRequest::as_typed`] turns that off.
    ///
    /// A field prefix scopes the whole query: `标题:峄城` (or `title:`) searches titles,
    /// `正文:` (`body:`) bodies, and `文号:峄政发[2022]5号` (`docno:`) keeps that document.
    ///
    /// ```
    /// use govsearch::{parse_article, Index, SearchRequest};
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let index = Index::create_in_ram();
    /// let article = |text: &str| parse_article(text).expect("a release");
    /// index.add_articles([
    ///     ("title".to_string(), article("峄城区部署防汛工作\n2022-06-01 来源:鲁网\n会议要求各部门做好准备。\n")),
    ///     ("body".to_string(), article("峄城区召开会议\n2022-06-02 来源:鲁网\n会议部署防汛工作。\n")),
    /// ])?;
    /// let paths = |query: &str| -> Result<Vec<String>, govsearch::Error> {
    ///     Ok(index.search(&SearchRequest::new(query))?.hits.into_iter().map(|h| h.path).collect())
    /// };
    /// assert_eq!(paths("标题:防汛")?, ["title"]);
    /// assert_eq!(paths("body：防汛")?, ["body"]);
    /// assert!(paths("来源:鲁网")?.is_empty(), "any other label is text");
    /// # Ok(())
    /// # }
    /// ```
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let scoped = request.field_scoped();
        let request = scoped.as_ref().unwrap_or(request);
        self.guarded(|| {
            let backend = self.backend();
            request.check()?;
            let parsed = self.with_full_forms(request, parse(backend, &request.searched_text())?)?;
            if let Some(found) = rewrite::by_doc_number(backend, request)? {
                return Ok(found);
            }
            let mut results = backend.search(request, parsed.clone())?;
            let Some((rewrite, search_instead)) = rewrite::rewrite_for(backend, request, &parsed, results.total)?
            else {
                return Ok(results);
            };
            if search_instead {
                let instead = self.with_full_forms(request, parse(backend, &rewrite.query)?)?;
                let mut rewritten = backend.search(request, instead)?;
                rewritten.searched_as = Some(rewrite);
                return Ok(rewritten);
            }
            results.did_you_mean = Some(rewrite);
            Ok(results)
        })
    }

    /// One whole article by its id (from a [`Hit`]), with what `query` matches in it marked
    /// when one is given; `None` when no article has that id (it changed, or was removed).
    /// Errors on a query that cannot be read.
    ///
    /// ```
    /// use govsearch::{parse_article, Index, SearchRequest};
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let index = Index::create_in_ram();
    /// let text = "峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。峄城区各部门参加。\n";
    /// index.add_articles([("a".to_string(), parse_article(text).expect("a release"))])?;
    /// let hit = &index.search(&SearchRequest::new("峄城"))?.hits[0];
    /// let page = index.article(&hit.id, Some("峄城"))?.expect("the article is there");
    /// assert_eq!(page.body_highlights.len(), 2);
    /// assert!(index.article("no such id", None)?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn article(&self, id: &str, query: Option<&str>) -> Result<Option<ArticlePage>> {
        self.guarded(|| {
            let backend = self.backend();
            let needles = match query.map(str::trim).filter(|q| !q.is_empty()) {
                Some(query) => parse(backend, query)?.needles(),
                None => Vec::new(),
            };
            backend.article(id, &needles)
        })
    }

    /// Up to `limit` articles most about the same thing as the article `id` (from a
    /// [`Hit`]): sharing its keywords and its most distinctive words, newer first among
    /// equals; never the article itself or its reprints. `None` when no article has that id.
    ///
    /// ```
    /// use govsearch::{parse_article, Index, SearchRequest};
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let index = Index::create_in_ram();
    /// let article = |text: &str| parse_article(text).expect("a release");
    /// index.add_articles([
    ///     ("a".to_string(), article("峄城区石榴产业发展\n2022-05-10 来源:鲁网\n峄城区石榴种植面积扩大，石榴盆景远销各地。\n")),
    ///     ("b".to_string(), article("石榴盆景走俏市场\n2022-06-01 来源:鲁网\n峄城石榴盆景订单增加，石榴产业带动增收。\n")),
    ///     ("c".to_string(), article("市政府召开防汛会议\n2022-06-02 来源:鲁网\n部署防汛抗旱工作。\n")),
    /// ])?;
    /// let id = index.search(&SearchRequest::new("石榴产业发展"))?.hits[0].id.clone();
    /// let related = index.related(&id, 5)?.expect("the article is there");
    /// assert_eq!(related[0].title, "石榴盆景走俏市场");
    /// assert!(related.iter().all(|hit| hit.id != id));
    /// # Ok(())
    /// # }
    /// ```
    pub fn related(&self, id: &str, limit: usize) -> Result<Option<Vec<Hit>>> {
        self.guarded(|| self.backend().related(id, limit))
    }

    /// The ids of the articles the index holds from `file` (a path as it was indexed, or one
    /// that resolves to it), in record order: empty when the file is not in the index.
    pub fn ids_of_file(&self, file: impl AsRef<std::path::Path>) -> Result<Vec<String>> {
        self.local("looking up a file")?.ids_of_file(file)
    }

    /// Counts what the index holds.
    pub fn stats(&self) -> Result<IndexStats> {
        self.guarded(|| self.backend().stats())
    }

    /// `parsed` with its abbreviations also finding their full forms, unless `request` asks
    /// for the query as typed.
    fn with_full_forms(&self, request: &SearchRequest, parsed: ParsedQuery) -> Result<ParsedQuery> {
        if request.as_typed {
            return Ok(parsed);
        }
        self.full_forms.expand(self.backend(), parsed)
    }

    /// The backend requests are answered from.
    pub(crate) fn backend(&self) -> &dyn Backend {
        match &self.place {
            Place::Local(local) => local,
            #[cfg(feature = "opensearch")]
            Place::Cluster(remote) => remote,
        }
    }

    /// Runs `read` over the index: on a local index, damage is an
    /// [`Error::Damaged`](crate::Error::Damaged) and a panic an [`Error::Internal`](crate::Error::Internal).
    fn guarded<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        match &self.place {
            Place::Local(local) => local.guarded(read),
            #[cfg(feature = "opensearch")]
            Place::Cluster(_) => read(),
        }
    }

    /// The local index, for what only a local index does (`what`).
    #[cfg_attr(not(feature = "opensearch"), allow(unused_variables))]
    fn local(&self, what: &'static str) -> Result<&Local> {
        match &self.place {
            Place::Local(local) => Ok(local),
            #[cfg(feature = "opensearch")]
            Place::Cluster(_) => Err(crate::Error::NotLocal { what }),
        }
    }

    /// The local index of the evaluation's and tests' reach below the public API.
    #[cfg(any(test, feature = "eval"))]
    fn as_local(&self) -> &Local {
        self.local("the evaluation")
            .expect("the evaluation reads a local index")
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("location", &self.location())
            .field("articles", &self.num_articles())
            .field("user_dictionary", &self.backend().segmenter().has_user_dictionary())
            .finish()
    }
}

/// What the evaluation and the tests reach below the public API: the local backend's view,
/// fields and statistics.
#[cfg(any(test, feature = "eval"))]
impl Index {
    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        self.as_local().searcher()
    }

    pub(crate) fn fields(&self) -> &crate::store::schema::Fields {
        self.as_local().fields()
    }

    #[cfg(test)]
    pub(crate) fn statistics<'a>(
        &'a self,
        searcher: &'a tantivy::Searcher,
    ) -> crate::search::statistics::Statistics<'a> {
        self.as_local().statistics(searcher)
    }

    pub(crate) fn releases(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Result<std::sync::Arc<crate::search::releases::Releases>> {
        self.as_local().releases(searcher)
    }

    /// The index query a search for `request` runs over `searcher`: parsed, with the full
    /// forms of its abbreviations, as [`Index::search`] parses it.
    pub(crate) fn query_for(
        &self,
        request: &SearchRequest,
        searcher: &tantivy::Searcher,
    ) -> Result<crate::search::Prepared> {
        request.check()?;
        let local = self.as_local();
        let parsed = self.with_full_forms(request, parse(local, &request.searched_text())?)?;
        local.prepare(parsed, request, searcher)
    }
}

#[cfg(test)]
impl Index {
    pub(crate) fn merge_all(&self) -> usize {
        self.as_local().merge_all()
    }

    pub(crate) fn of_texts(files: &[(&str, &str)]) -> Index {
        Index {
            place: Place::Local(Local::of_texts(files)),
            full_forms: abbreviations::FullForms::default(),
        }
    }

    pub(crate) fn segmenter(&self) -> &crate::text::segment::Segmenter {
        self.as_local().segmenter()
    }

    pub(crate) fn store(&self) -> &crate::store::Store {
        self.as_local().store()
    }

    pub(crate) fn grams_cache(&self) -> &crate::grams::GramsCache {
        self.as_local().grams_cache()
    }

    pub(crate) fn facet_numbering(&self) -> &crate::search::numbering::FacetNumbering {
        self.as_local().facet_numbering()
    }

    pub(crate) fn releases_cache(&self) -> &crate::search::releases::ReleasesCache {
        self.as_local().releases_cache()
    }

    pub(crate) fn vocabulary_cache(&self) -> &crate::store::kept::KeptCache<crate::assist::vocabulary::Vocabulary> {
        self.as_local().vocabulary_cache()
    }
}
