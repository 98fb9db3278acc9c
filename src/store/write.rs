//! Writing articles: each becomes one tantivy document, and commits make them visible.

use tantivy::schema::Facet;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::Store;
use crate::article::{Article, Layout};
use crate::error::{Error, Result};

/// Memory the index writer may use before it flushes a segment, shared by its threads. The
/// process needs more beside it (documents queued for the threads, a segment being written
/// out, merges); a larger budget raises peak memory without making indexing faster
/// (docs/performance.md).
const WRITER_MEMORY: usize = 100_000_000;

/// The least memory an indexing thread gets, however many there are (tantivy's floor is 15 MB).
const THREAD_MEMORY: usize = 20_000_000;

/// Segments of up to this many articles are merged (eight at a time); larger ones are left
/// as they are. Merges then stay the same size whatever the corpus: each article is rewritten
/// once, so indexing time grows linearly, and no merge reads more than eight such segments.
/// The price is more segments at a million articles, which makes searches with facet counts
/// slower there (docs/performance.md).
const MAX_DOCS_TO_MERGE: usize = 19_999;

/// How many times the writer's lock is asked for again, a twentieth of a second apart.
const WRITER_LOCK_TRIES: u32 = 10;

impl Store {
    /// Adds articles, each under an identity: an article already indexed under the same
    /// identity is replaced. Commits once at the end.
    pub(crate) fn add_articles<I>(&self, articles: I) -> Result<()>
    where
        I: IntoIterator<Item = (String, Article)>,
    {
        self.add_articles_on(None, articles)
    }

    /// [`Store::add_articles`] with `threads` indexing threads (see [`Store::writer`]).
    pub(crate) fn add_articles_on<I>(&self, threads: Option<usize>, articles: I) -> Result<()>
    where
        I: IntoIterator<Item = (String, Article)>,
    {
        let mut writer = self.writer(threads)?;
        for (id, article) in articles {
            self.delete_file(&writer, &id);
            let state = FileState {
                place: id.clone(),
                path: id,
                mtime: 0,
                size: 0,
                layout: Layout::Text,
            };
            self.write_article(&writer, &state, 0, &article, &Links::default())?;
        }
        self.commit(&mut writer)?;
        // A writer dropped mid-merge leaves its merge running beside the next writer, with
        // the dropped writer's view of the index: under load, an article the next commit
        // replaced came back beside its replacement. The next writer starts when the merges
        // are done, as after an index run.
        writer.wait_merging_threads()?;
        Ok(())
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
        // A lock this process has just let go of can be held a moment longer by a process it
        // started meanwhile (the child's copy of the lock file closes when its program
        // starts): asked for again a few times before the index is said to be busy.
        let mut tries = 0;
        let writer = loop {
            match self.index.writer_with_options(options.clone()) {
                Err(tantivy::TantivyError::LockFailure(tantivy::directory::error::LockError::LockBusy, _))
                    if tries < WRITER_LOCK_TRIES =>
                {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                written => break written,
            }
        };
        let writer: IndexWriter = writer.map_err(|err| match err {
            tantivy::TantivyError::LockFailure(tantivy::directory::error::LockError::IoError(io), _) => Error::Io {
                path: self.location.clone(),
                error: std::io::Error::new(io.kind(), io.to_string()),
            },
            tantivy::TantivyError::LockFailure(..) => Error::IndexBusy {
                path: self.location.clone(),
            },
            other => Error::Index(other),
        })?;
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_max_docs_before_merge(MAX_DOCS_TO_MERGE);
        writer.set_merge_policy(Box::new(super::damage::VerifyingMerges::new(
            policy,
            self.index.directory().clone(),
            std::sync::Arc::clone(&self.damage_found),
        )));
        Ok(writer)
    }

    /// Commits what the writer holds, stamping the commit with the time, and makes it
    /// visible to searches. A commit is atomic: a run killed between commits leaves the last
    /// one whole.
    pub(crate) fn commit(&self, writer: &mut IndexWriter) -> Result<()> {
        self.commit_folders(writer, |_| {})
    }

    /// [`Store::commit`], changing the list of folders the index holds with `change`: the
    /// list commits with the articles, so it never disagrees with them.
    pub(crate) fn commit_folders(
        &self,
        writer: &mut IndexWriter,
        change: impl FnOnce(&mut std::collections::BTreeSet<String>),
    ) -> Result<()> {
        self.commit_changing(writer, |payload| change(&mut payload.folders))
    }

    /// [`Store::commit`], changing the commit's payload with `change`.
    pub(crate) fn commit_changing(
        &self,
        writer: &mut IndexWriter,
        change: impl FnOnce(&mut super::CommitPayload),
    ) -> Result<()> {
        let mut payload = self.commit_payload();
        change(&mut payload);
        payload.recorded = self.on_disk;
        payload.committed = Some(chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).to_rfc3339());
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload.to_json());
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Writes `article` as record `record` of the file `path` (0 for a file of one article),
    /// with the file's state and its links to attachments or to its page. Callers delete the
    /// file's earlier articles first.
    pub(crate) fn write_article(
        &self,
        writer: &IndexWriter,
        file: &FileState,
        record: u64,
        article: &Article,
        links: &Links,
    ) -> Result<()> {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, super::keys::article_id(&file.place, record));
        doc.add_text(f.path, &file.path);
        doc.add_u64(f.record, record);
        doc.add_u64(f.mtime, file.mtime);
        doc.add_u64(f.size, file.size);
        doc.add_facet(f.layout, Facet::from_path([file.layout.name()]));
        doc.add_text(f.title, &article.title);
        doc.add_text(f.title_grams, &article.title);
        doc.add_text(f.title_parts, &article.title);
        if let Some(published) = article.meta.published.filter(storable) {
            doc.add_date(
                f.published,
                tantivy::DateTime::from_timestamp_secs(published.timestamp()),
            );
            doc.add_facet(f.month, Facet::from_path([published.format("%Y-%m").to_string()]));
        }
        let facets = [
            (f.source, &article.meta.source),
            (f.editor, &article.meta.editor),
            (f.column, &article.meta.column),
            (f.site, &article.meta.site),
        ];
        for (field, value) in facets {
            if let Some(value) = value {
                doc.add_facet(field, Facet::from_path([facet_value(value)]));
            }
        }
        for keyword in &article.meta.keywords {
            doc.add_facet(f.keyword, Facet::from_path([facet_value(keyword)]));
        }
        if let Some(url) = &article.meta.url {
            doc.add_text(f.url, url);
        }
        if let Some(number) = &article.meta.doc_number {
            doc.add_text(f.doc_number, number);
            doc.add_text(f.doc_number_key, crate::text::doc_number::indexed(number));
        }
        for (field, value) in [(f.issuer, &article.meta.issuer), (f.topic, &article.meta.topic)] {
            if let Some(value) = value {
                doc.add_facet(field, Facet::from_path([facet_value(value)]));
            }
        }
        let stated = article.meta.validity.as_deref().and_then(crate::article::Force::stated);
        doc.add_u64(f.force, stated.map_or(0, |force| force.code()));
        if let Some(until) = article
            .meta
            .valid_until
            .filter(|d| YEARS.contains(&chrono::Datelike::year(d)))
        {
            let end = until.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
            doc.add_date(f.valid_until, tantivy::DateTime::from_timestamp_secs(end));
        }
        for key in &links.attachments {
            doc.add_text(f.attachments, key);
        }
        if let Some(parent) = &links.parent {
            doc.add_text(f.parent, parent);
        }
        let details = Details::of(&article.meta);
        if details != Details::default() {
            doc.add_text(f.details, serde_json::to_string(&details).unwrap_or_default());
        }
        let print = crate::text::fingerprint::fingerprint(&article.title, &article.body);
        for (field, word) in f.fingerprint.into_iter().zip(print) {
            doc.add_u64(field, word);
        }
        let schema = self.index.schema();
        let mut checksum = super::schema::StoredChecksum::default();
        for (field, value) in doc.field_values() {
            if schema.get_field_entry(field).is_stored() {
                checksum.add(field, &tantivy::schema::OwnedValue::from(value));
            }
        }
        doc.add_u64(f.checksum, checksum.value(&article.body));
        // Last: a page of hits without snippets reads an article's stored values up to its
        // body and stops there (`search::stored`).
        doc.add_text(f.body, &article.body);
        writer.add_document(doc)?;
        Ok(())
    }

    /// Deletes every article of the file `path`.
    pub(crate) fn delete_file(&self, writer: &IndexWriter, path: &str) {
        writer.delete_term(Term::from_field_text(self.fields.path, path));
    }
}

/// The first and last years the index can store a date of: tantivy keeps dates as
/// nanoseconds since 1970 in an `i64`, which reaches from 1677 to 2262.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1678..=2261;

/// Whether the index can store `date` (a date outside [`YEARS`] would wrap around).
pub(crate) fn storable(date: &chrono::DateTime<chrono::FixedOffset>) -> bool {
    YEARS.contains(&chrono::Datelike::year(date))
}

/// A metadata value as a one-level facet: U+0000 separates a facet's levels, so it is
/// dropped rather than let cut the value.
fn facet_value(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains('\0') {
        std::borrow::Cow::Owned(value.replace('\0', ""))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// How an article is linked to other files of its folder: a page to the attachments it links
/// (their files' keys), an attachment to its page.
#[derive(Clone, Debug, Default)]
pub(crate) struct Links {
    pub(crate) attachments: Vec<String>,
    pub(crate) parent: Option<String>,
}

/// The metadata of a 政府信息公开 document that is shown, not searched: stored as one JSON
/// value, absent when an article has none of it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Details {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) index_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) written: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) disclosure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) validity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) valid_until: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) attached_to: Option<crate::article::Parent>,
}

impl Details {
    fn of(meta: &crate::article::Metadata) -> Details {
        Details {
            index_number: meta.index_number.clone(),
            written: meta.written,
            disclosure: meta.disclosure.clone(),
            validity: meta.validity.clone(),
            valid_until: meta.valid_until,
            attached_to: meta.attached_to.clone(),
        }
    }

    /// Fills `meta` with these details.
    pub(crate) fn fill(self, meta: &mut crate::article::Metadata) {
        meta.index_number = self.index_number;
        meta.written = self.written;
        meta.disclosure = self.disclosure;
        meta.validity = self.validity;
        meta.valid_until = self.valid_until;
        meta.attached_to = self.attached_to;
    }
}

/// What the index records about a file an article came from.
#[derive(Clone, Debug)]
pub(crate) struct FileState {
    pub(crate) path: String,
    /// The file's place in the folder it was indexed from, which its articles' ids derive
    /// from ([`super::keys::article_id`]).
    pub(crate) place: String,
    pub(crate) mtime: u64,
    pub(crate) size: u64,
    pub(crate) layout: Layout,
}
