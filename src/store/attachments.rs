//! Attachments and the pages that link them. A page's links to attachment files are resolved
//! to the files' keys in the folder (the link's path below the page's folder, or a file of the
//! link's name beside the page); an attachment indexed in the same folder then carries the
//! page's title, address and metadata (发文机关, 文号, dates, 有效性) as its parent's.
//!
//! An indexing run reads attachments after every page, so that a page read in the run gives
//! its attachments what it says now; a page the run leaves unchanged is found in the index by
//! the attachment's key. When a page is read again or removed, its attachments are read
//! again too, so none keeps what its page no longer says.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::keys::path_key;
use super::stored::Stored;
use super::Store;
use crate::article::{Article, Metadata, Parent};
use crate::error::Result;

/// A page as its attachments inherit from it.
#[derive(Clone, Debug)]
pub(crate) struct Page {
    /// Its file's key.
    pub(crate) key: String,
    parent: Parent,
    meta: Metadata,
}

/// What an indexing run knows of the pages of its folder.
#[derive(Default)]
pub(crate) struct Parents {
    /// Attachments linked by pages read in this run, by their keys, with those pages.
    linked: HashMap<String, Vec<Page>>,
    /// Pages read again or removed in this run: what the index holds of them is gone.
    changed: HashSet<String>,
    /// Attachments whose page changed.
    orphaned: HashSet<String>,
}

impl Parents {
    /// The page `key` is read again or removed.
    pub(crate) fn page_changed(&mut self, key: &str) {
        self.changed.insert(key.to_string());
    }

    /// The page `key` read in this run, with id `id`, links the attachments `attachments`.
    pub(crate) fn add_page(&mut self, key: &str, id: String, article: &Article, attachments: &[String]) {
        let page = Page {
            key: key.to_string(),
            parent: Parent {
                id,
                title: article.title.clone(),
                url: article.meta.url.clone(),
            },
            meta: article.meta.clone(),
        };
        for attachment in attachments {
            let pages = self.linked.entry(attachment.clone()).or_default();
            if !pages.iter().any(|p| p.key == page.key) {
                pages.push(page.clone());
            }
        }
    }

    /// Finds the attachments of the pages that changed, which the index names.
    pub(crate) fn find_orphans(&mut self, store: &Store) -> Result<()> {
        let searcher = store.reader.searcher();
        for page in &self.changed {
            let term = Term::from_field_text(store.fields.parent, page);
            let found = searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &DocSetCollector)?;
            for address in found {
                let doc: TantivyDocument = searcher.doc(address)?;
                if let Some(path) = doc.get_first(store.fields.path).and_then(|v| v.as_str()) {
                    self.orphaned.insert(path.to_string());
                }
            }
        }
        Ok(())
    }

    /// Whether the attachment `key` must be read again whatever its file's state: its page
    /// was read in this run, or it changed.
    pub(crate) fn must_read(&self, key: &str) -> bool {
        self.linked.contains_key(key) || self.orphaned.contains(key)
    }

    /// The page of the attachment `key`: the one page that links it, read in this run or
    /// held by the index and left alone by the run. Two pages that link it (two notices each
    /// linking their own `附件1.pdf` on the site, saved beside each other) give it none: a
    /// wrong page costs more than none.
    pub(crate) fn page_of(&self, store: &Store, key: &str) -> Result<Option<Page>> {
        let mut pages: Vec<Page> = self.linked.get(key).cloned().unwrap_or_default();
        let searcher = store.reader.searcher();
        let term = Term::from_field_text(store.fields.attachments, key);
        let found = searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &DocSetCollector)?;
        for address in found {
            if let Some(page) = page_from_stored(store, &searcher, address) {
                if !self.changed.contains(&page.key) && !pages.iter().any(|p| p.key == page.key) {
                    pages.push(page);
                }
            }
        }
        Ok(match pages.len() {
            1 => pages.pop(),
            _ => None,
        })
    }
}

/// A page from its stored values; `None` if they do not agree with their checksum (a damaged
/// page gives its attachments nothing, and `check` names it).
fn page_from_stored(store: &Store, searcher: &tantivy::Searcher, address: tantivy::DocAddress) -> Option<Page> {
    let f = &store.fields;
    let mut doc = searcher.doc::<Stored<false>>(address).ok()?.0;
    let key = doc.take_text(f.path);
    let id = doc.take_text(f.id);
    let title = doc.take_text(f.title);
    let meta = doc.metadata(f);
    Some(Page {
        key,
        parent: Parent {
            id,
            title,
            url: meta.url.clone(),
        },
        meta,
    })
}

/// Gives the attachment `article` what its page says and it does not: the page's publish
/// date (the release's) over its own, and the page's metadata where it has none.
pub(crate) fn inherit(article: &mut Article, page: &Page) {
    fn fill<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
        if slot.is_none() {
            slot.clone_from(value);
        }
    }
    let (m, p) = (&mut article.meta, &page.meta);
    if p.published.is_some() {
        m.published = p.published;
    }
    fill(&mut m.source, &p.source);
    fill(&mut m.site, &p.site);
    fill(&mut m.column, &p.column);
    fill(&mut m.issuer, &p.issuer);
    fill(&mut m.topic, &p.topic);
    fill(&mut m.doc_number, &p.doc_number);
    fill(&mut m.index_number, &p.index_number);
    fill(&mut m.written, &p.written);
    fill(&mut m.disclosure, &p.disclosure);
    fill(&mut m.validity, &p.validity);
    fill(&mut m.valid_until, &p.valid_until);
    if m.keywords.is_empty() {
        m.keywords.clone_from(&p.keywords);
    }
    m.attached_to = Some(page.parent.clone());
}

/// The keys of the files the attachment links of the page at `page` (an absolute path) may
/// lead to: the link's path below the page's folder, and a file of the link's name beside
/// the page (a saved page's links often still point at the site).
pub(crate) fn attachment_keys(page: &Path, links: &[String]) -> Vec<String> {
    let Some(folder) = page.parent() else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for link in links {
        let path = link.split(['?', '#']).next().unwrap_or_default();
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let site_path = decoded.contains("://") || decoded.starts_with('/');
        let mut candidates: Vec<PathBuf> = Vec::new();
        if !site_path {
            if let Some(resolved) = lexically_joined(folder, &decoded) {
                candidates.push(resolved);
            }
        }
        if let Some(name) = decoded
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        {
            candidates.push(folder.join(name));
        }
        for candidate in candidates {
            let key = path_key(&candidate);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// `relative` below `folder`, `.` and `..` worked out without reading the disk; `None` if it
/// climbs above the root.
fn lexically_joined(folder: &Path, relative: &str) -> Option<PathBuf> {
    let mut out = folder.to_path_buf();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_lead_to_files_below_or_beside_the_page() {
        let page = Path::new("/corpus/2023/notice.html");
        let keys = attachment_keys(
            page,
            &[
                "./%E9%99%84%E4%BB%B61.pdf".to_string(),
                "files/plan.docx?v=2".to_string(),
                "../shared/form.ofd".to_string(),
                "http://www.example.gov.cn/attach/P0202305.pdf".to_string(),
            ],
        );
        assert_eq!(
            keys,
            [
                "/corpus/2023/附件1.pdf",
                "/corpus/2023/files/plan.docx",
                "/corpus/2023/plan.docx",
                "/corpus/shared/form.ofd",
                "/corpus/2023/form.ofd",
                "/corpus/2023/P0202305.pdf",
            ]
        );
        assert_eq!(lexically_joined(Path::new("/a"), "../../x.pdf"), None);
    }
}
