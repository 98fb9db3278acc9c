//! An open govsearch index: where it lives, how it is opened or created, and how articles
//! are written to it. Every open and create path registers the analyzers and checks that the
//! index was built with the ones this build has.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::schema::Facet;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::{self, Segmenter};
use crate::article::{Article, Layout};
use crate::char_query::CharCache;
use crate::error::{Error, Result};
use crate::facets::FacetValues;
use crate::grams::BodyGrams;
use crate::schema::{self, Fields};

/// Memory the index writer may use before it flushes a segment, shared by its threads. The
/// process needs about 150 MB more beside it (documents queued for the threads, a segment
/// being written out, merges): at 200 MB, 120,000 articles peaked at 419 MB private memory,
/// at 100 MB at 304 MB, in about the same time.
const WRITER_MEMORY: usize = 100_000_000;

/// The least memory an indexing thread gets, however many there are (tantivy's floor is 15 MB).
const THREAD_MEMORY: usize = 20_000_000;

/// Segments of up to this many articles are merged (eight at a time); larger ones are left
/// as they are. Merges then stay the same size whatever the corpus: each article is rewritten
/// once, so indexing time grows linearly, and no merge reads more than eight such segments.
/// Uncapped, a million synthetic articles took 1.27x as long per article as 120 thousand
/// (capped: 1.06x). The price is more segments (50 at a million articles), which made
/// searches with facet counts about a third slower there.
const MAX_DOCS_TO_MERGE: usize = 19_999;

/// Stored articles are compressed in blocks of this many bytes (tantivy's default is 16 KiB).
/// Each hit of a page decompresses its article's whole block: at 4 KiB (two or three
/// articles), reading a random article took 0.63x the time (timed in process), for a store
/// 6% larger (34 MB instead of 32 for xwlb_seedfmt).
const STORE_BLOCK_BYTES: usize = 4096;

/// The settings of a new index. An index keeps the settings it was created with.
///
/// Stored blocks are compressed by the thread that fills them: tantivy's default hands each
/// block to a thread of its own, one per segment being written, and with 4 KiB blocks that
/// was a wake-up every two or three articles, on a machine whose cores the indexing threads
/// already keep busy (indexing 10,000 articles took 1.09x the CPU time that way).
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
    pub(crate) index: tantivy::Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) segmenter: Segmenter,
    /// Facet values numbered across segments, shared by every search of this index.
    pub(crate) facet_values: Arc<FacetValues>,
    /// What single-character queries read, shared by every search of this index.
    pub(crate) chars: CharCache,
    location: PathBuf,
    on_disk: bool,
}

impl Index {
    /// Opens the index in `dir` for searching. Fails with [`Error::NoIndex`] if there is none.
    pub fn open(dir: impl AsRef<Path>) -> Result<Index> {
        let dir = dir.as_ref();
        if !dir.join("meta.json").is_file() {
            return Err(Error::NoIndex {
                path: dir.to_path_buf(),
            });
        }
        let index = tantivy::Index::open_in_dir(dir)?;
        let dictionary = dir.join(USER_DICTIONARY_FILE);
        let segmenter = if dictionary.is_file() {
            let text = std::fs::read_to_string(&dictionary).map_err(|source| Error::Io {
                path: dictionary.clone(),
                source,
            })?;
            segmenter_for(&text, &dictionary)?
        } else {
            Segmenter::default()
        };
        Index::wrap(index, dir, segmenter, true)
    }

    /// Opens the index in `dir`, creating the folder and an empty index if there is none.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<Index> {
        let dir = dir.as_ref();
        if dir.join("meta.json").is_file() {
            return Index::open(dir);
        }
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let index = tantivy::Index::builder()
            .schema(schema::build())
            .settings(settings())
            .register_plugin(Arc::new(BodyGrams))
            .create_in_dir(dir)?;
        Index::wrap(index, dir, Segmenter::default(), true)
    }

    /// A new empty index held in memory: for tests and for tools that index on the fly.
    pub fn create_in_ram() -> Index {
        let index = tantivy::Index::builder()
            .schema(schema::build())
            .settings(settings())
            .register_plugin(Arc::new(BodyGrams))
            .create_in_ram()
            .expect("a new in-memory index can be created");
        Index::wrap(index, Path::new("<memory>"), Segmenter::default(), false)
            .expect("a new in-memory index has the current schema")
    }

    /// Sets the index's user dictionary (jieba's format: `word [frequency] [tag]` a line),
    /// read from `path`: words such as 五比五看 or village names that jieba would split. It is
    /// kept in the index folder, so searches segment queries the same way. Articles indexed
    /// before keep their segmentation until they are indexed again; matching does not depend
    /// on it (strings match character by character), ranking does.
    pub fn set_user_dictionary(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.segmenter = segmenter_for(&text, path)?;
        if self.on_disk {
            let target = self.location.join(USER_DICTIONARY_FILE);
            std::fs::write(&target, &text).map_err(|source| Error::Io { path: target, source })?;
        }
        analysis::register(&self.index, &self.segmenter);
        Ok(())
    }

    fn wrap(mut index: tantivy::Index, location: &Path, segmenter: Segmenter, on_disk: bool) -> Result<Index> {
        analysis::check_index(&index, location)?;
        let fields = Fields::from_schema(&index.schema())
            .filter(|_| index.schema() == schema::build())
            .ok_or_else(|| Error::IncompatibleIndex {
                path: location.to_path_buf(),
                detail: "its fields differ from this build's".to_string(),
            })?;
        analysis::register(&index, &segmenter);
        // tantivy keeps the plugins an index was created with only until it is closed.
        if index.custom_plugins().is_empty() {
            index.register_plugin(Arc::new(BodyGrams));
        }
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Index {
            index,
            reader,
            fields,
            segmenter,
            facet_values: Arc::default(),
            chars: CharCache::default(),
            location: location.to_path_buf(),
            on_disk,
        })
    }

    /// The folder the index lives in (`<memory>` for an in-memory index).
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// Number of articles in the index, as of the last commit.
    pub fn num_articles(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Adds articles, each under an identity (a path or any other key): an article already
    /// indexed under the same identity is replaced, never duplicated. Commits once at the end.
    pub fn add_articles<I>(&self, articles: I) -> Result<()>
    where
        I: IntoIterator<Item = (String, Article)>,
    {
        self.add_articles_on(None, articles)
    }

    /// [`Index::add_articles`] with `threads` indexing threads (see [`Index::writer`]).
    pub(crate) fn add_articles_on<I>(&self, threads: Option<usize>, articles: I) -> Result<()>
    where
        I: IntoIterator<Item = (String, Article)>,
    {
        let mut writer = self.writer(threads)?;
        for (id, article) in articles {
            self.delete_file(&writer, &id);
            let state = FileState {
                path: id,
                mtime: 0,
                size: 0,
                layout: Layout::Text,
            };
            self.write_article(&writer, &state, 0, &article)?;
        }
        self.commit(&mut writer)
    }

    /// The index writer, with `threads` indexing threads (`None`: one per core, at most 8)
    /// sharing [`WRITER_MEMORY`], each with at least [`THREAD_MEMORY`].
    pub(crate) fn writer(&self, threads: Option<usize>) -> Result<IndexWriter> {
        let threads = threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8))
            .max(1);
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .memory_budget_per_thread((WRITER_MEMORY / threads).max(THREAD_MEMORY))
            .num_worker_threads(threads)
            .build();
        let writer: IndexWriter = self.index.writer_with_options(options).map_err(|err| match err {
            tantivy::TantivyError::LockFailure(..) => Error::IndexBusy {
                path: self.location.clone(),
            },
            other => Error::Index(other),
        })?;
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_max_docs_before_merge(MAX_DOCS_TO_MERGE);
        writer.set_merge_policy(Box::new(policy));
        Ok(writer)
    }

    /// Commits what the writer holds, stamping the commit with the time, and makes it
    /// visible to searches. A commit is atomic: a run killed between commits leaves the last
    /// one whole.
    pub(crate) fn commit(&self, writer: &mut IndexWriter) -> Result<()> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).to_rfc3339());
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Writes `article` as record `record` of the file `path` (0 for a file of one article),
    /// with the file's state. Callers delete the file's earlier articles first.
    pub(crate) fn write_article(
        &self,
        writer: &IndexWriter,
        file: &FileState,
        record: u64,
        article: &Article,
    ) -> Result<()> {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.path, &file.path);
        doc.add_u64(f.record, record);
        doc.add_u64(f.mtime, file.mtime);
        doc.add_u64(f.size, file.size);
        doc.add_facet(f.layout, Facet::from_path([file.layout.name()]));
        doc.add_text(f.title, &article.title);
        doc.add_text(f.title_grams, &article.title);
        doc.add_text(f.title_parts, &article.title);
        if let Some(published) = article.published {
            doc.add_date(
                f.published,
                tantivy::DateTime::from_timestamp_secs(published.timestamp()),
            );
            doc.add_facet(f.month, Facet::from_path([published.format("%Y-%m").to_string()]));
        }
        let facets = [
            (f.source, &article.source),
            (f.editor, &article.editor),
            (f.column, &article.column),
            (f.site, &article.site),
        ];
        for (field, value) in facets {
            if let Some(value) = value {
                doc.add_facet(field, Facet::from_path([value]));
            }
        }
        for keyword in &article.keywords {
            doc.add_facet(f.keyword, Facet::from_path([keyword]));
        }
        if let Some(url) = &article.url {
            doc.add_text(f.url, url);
        }
        if let Some(number) = &article.doc_number {
            doc.add_text(f.doc_number, number);
        }
        // Last: a page of hits without snippets reads an article's stored values up to its
        // body and stops there (search.rs, `Stored`).
        doc.add_text(f.body, &article.body);
        writer.add_document(doc)?;
        Ok(())
    }

    /// Deletes every article of the file `path`.
    pub(crate) fn delete_file(&self, writer: &IndexWriter, path: &str) {
        writer.delete_term(Term::from_field_text(self.fields.path, path));
    }
}

/// What the index records about a file an article came from.
#[derive(Clone, Debug)]
pub(crate) struct FileState {
    pub(crate) path: String,
    pub(crate) mtime: u64,
    pub(crate) size: u64,
    pub(crate) layout: Layout,
}

/// The segmenter for a user dictionary's text, or the error naming the bad line.
fn segmenter_for(text: &str, path: &Path) -> Result<Segmenter> {
    let entries = analysis::parse_user_dictionary(text).map_err(|reason| Error::BadDictionary {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(Segmenter::with_user_dictionary(entries))
}

#[cfg(test)]
impl Index {
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
