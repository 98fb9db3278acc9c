//! Related articles (相关推荐): the articles most about the same thing as one article.
//!
//! An article is described by its keywords and its most distinctive words (title words count
//! three times; a word's weight is how often the article uses it times how rare it is among
//! the index's titles); the articles with at least two of them rank by how much of that
//! description they share, newer first among equals. The article itself and its reprints are
//! never among them, and a release reprinted elsewhere is listed once.

use super::Local;
use crate::engine::describe::describe;
use crate::error::Result;
use crate::query::about;
use crate::search::rank::Page;
use crate::search::releases::NO_GROUP;
use crate::search::{collapse, Hit, Sort, DEFAULT_SNIPPET_CHARS};
use crate::store::stored::Stored;

impl Local {
    /// Up to `limit` articles most about the same thing as the article `id` (from a
    /// [`Hit`]): sharing its keywords and its most distinctive words, newer first among
    /// equals; never the article itself or its reprints. `None` when no article has that id.
    pub(crate) fn related(&self, id: &str, limit: usize) -> Result<Option<Vec<Hit>>> {
        self.guarded(|| {
            let searcher = self.searcher();
            let Some(address) = self.address_of(&searcher, id)? else {
                return Ok(None);
            };
            if limit == 0 {
                return Ok(Some(Vec::new()));
            }
            let f = self.fields();
            let mut doc = searcher.doc::<Stored<true>>(address)?.0;
            let body = doc.take_text(f.body);
            let title = doc.take_text(f.title);
            let keywords = doc.facets(f.keyword);
            let terms = describe(&*self.vocabulary(&searcher)?, self.segmenter(), &title, &body);
            if terms.is_empty() && keywords.is_empty() {
                return Ok(Some(Vec::new()));
            }
            let query = about(f, &self.caches.grams, &terms, &keywords, 2);
            let window = limit.saturating_mul(3).saturating_add(10);
            let ranked = searcher.search_with_statistics_provider(
                query.as_ref(),
                &Page::new(Sort::Relevance, window, 0, f),
                &self.statistics(&searcher),
            )?;
            // Each release once, at its best-ranked article; never the article's own.
            let releases = self.releases(&searcher)?;
            let group_of = |a: tantivy::DocAddress| releases.group(a.segment_ord, a.doc_id);
            let own = group_of(address);
            let (ranked, _) = collapse(&ranked, &releases, &searcher);
            let needles: Vec<String> = terms.iter().map(|(t, _)| t.clone()).chain(keywords).collect();
            let mut hits = Vec::new();
            for (score, candidate) in ranked {
                if candidate == address || (own != NO_GROUP && group_of(candidate) == own) {
                    continue;
                }
                let rank = hits.len() + 1;
                hits.push(
                    self.hit(&searcher, candidate, rank, score, &needles, DEFAULT_SNIPPET_CHARS, true)?
                        .0,
                );
                if hits.len() == limit {
                    break;
                }
            }
            Ok(Some(hits))
        })
    }

    /// The ids of the articles the index holds from `file` (a path as it was indexed, or one
    /// that resolves to it), in record order: empty when the file is not in the index.
    pub(crate) fn ids_of_file(&self, file: impl AsRef<std::path::Path>) -> Result<Vec<String>> {
        let file = file.as_ref();
        let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let searcher = self.searcher();
        let mut ids = Vec::new();
        for candidate in [absolute.as_path(), file] {
            let key = crate::store::keys::path_key(candidate);
            let mut found: Vec<(u64, String)> = Vec::new();
            for (address, record) in self.articles_of_file(&searcher, &key)? {
                let mut doc = searcher.doc::<Stored<false>>(address)?.0;
                found.push((record, doc.take_text(self.fields().id)));
            }
            if !found.is_empty() {
                found.sort();
                ids = found.into_iter().map(|(_, id)| id).collect();
                break;
            }
        }
        Ok(ids)
    }
}
