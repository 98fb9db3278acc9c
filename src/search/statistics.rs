//! BM25's statistics for a search, with the document frequencies of index terms kept
//! between searches.
//!
//! tantivy's searcher answers a term's document frequency by looking the term up in every
//! segment's dictionary, and a search asks for it once for its weights, then each segment
//! looks the term up again for its scorer. Over tens of segments the first half is a good
//! part of a short query. A term's document frequency counts the articles its segments
//! were written with (deletions leave it as it is), so it holds for as long as the set of
//! segments does: [`DocFreqs`] keeps it for that long.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tantivy::index::SegmentId;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// Terms kept at most: a few thousand queries' worth, so memory stays bounded whatever is
/// searched.
const KEPT: usize = 1 << 16;

/// Each term's document frequency across one set of segments, as searches ask for them.
#[derive(Default)]
pub(crate) struct DocFreqs {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    segments: Vec<SegmentId>,
    freqs: HashMap<Term, u64>,
}

impl Kept {
    /// Whether what is kept is of `searcher`'s segments.
    fn of(&self, searcher: &Searcher) -> bool {
        self.segments
            .iter()
            .copied()
            .eq(searcher.segment_readers().iter().map(|r| r.segment_id()))
    }
}

impl DocFreqs {
    /// The statistics of a search by `searcher`: what is kept for other segments is
    /// dropped.
    pub(crate) fn of<'a>(&'a self, searcher: &'a Searcher) -> Statistics<'a> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if !kept.of(searcher) {
            kept.segments = searcher.segment_readers().iter().map(|r| r.segment_id()).collect();
            kept.freqs.clear();
        }
        Statistics { searcher, freqs: self }
    }
}

/// BM25's statistics of one searcher: its own, with document frequencies kept.
pub(crate) struct Statistics<'a> {
    searcher: &'a Searcher,
    freqs: &'a DocFreqs,
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let lock = || self.freqs.kept.lock().unwrap_or_else(PoisonError::into_inner);
        // What is kept may have been replaced by a search of other segments since this one
        // began (a reload): their frequencies could exceed this searcher's articles.
        let kept = lock();
        if let Some(&freq) = kept.freqs.get(term).filter(|_| kept.of(self.searcher)) {
            return Ok(freq);
        }
        drop(kept);
        // Looked up outside the lock; a search of other segments meanwhile drops what is
        // kept, and this one's frequency is not kept then.
        let freq = self.searcher.doc_freq(term)?;
        let mut kept = lock();
        if kept.of(self.searcher) {
            if kept.freqs.len() >= KEPT {
                kept.freqs.clear();
            }
            kept.freqs.insert(term.clone(), freq);
        }
        Ok(freq)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::Bm25StatisticsProvider;
    use tantivy::Term;

    use crate::Index;

    /// A kept frequency is the searcher's own, as segments are added and articles replaced.
    #[test]
    fn kept_frequencies_are_the_searchers_own_as_the_segments_change() {
        let text = |n: usize| format!("峄城新闻{n}\n2022-05-10 来源:鲁网\n峄城的新闻。\n");
        let index = Index::of_texts(&[("0", &text(0))]);
        let term = Term::from_field_text(index.fields().title, "峄城");
        let mut last = 0;
        for n in 1..4 {
            let searcher = index.searcher();
            let statistics = index.statistics(&searcher);
            for _ in 0..2 {
                assert_eq!(statistics.doc_freq(&term).unwrap(), searcher.doc_freq(&term).unwrap());
            }
            let freq = statistics.doc_freq(&term).unwrap();
            assert!(freq > last, "{freq} after {last}");
            last = freq;
            let article = crate::article::parse_article(&text(n)).unwrap();
            index.add_articles([(n.to_string(), article)]).unwrap();
        }
    }

    /// A search that began before a reload keeps its own searcher's frequencies while a
    /// search of the new segments keeps theirs.
    #[test]
    fn an_older_searcher_is_not_given_a_newer_ones_frequencies() {
        let text = |n: usize| format!("峄城新闻{n}\n2022-05-10 来源:鲁网\n峄城的新闻。\n");
        let index = Index::of_texts(&[("0", &text(0))]);
        let term = Term::from_field_text(index.fields().title, "峄城");
        let old = index.searcher();
        let old_statistics = index.statistics(&old);
        let article = crate::article::parse_article(&text(1)).unwrap();
        index.add_articles([("1".to_string(), article)]).unwrap();
        let new = index.searcher();
        let new_statistics = index.statistics(&new);
        assert_eq!(new_statistics.doc_freq(&term).unwrap(), 2);
        assert_eq!(old_statistics.doc_freq(&term).unwrap(), 1);
        assert_eq!(new_statistics.doc_freq(&term).unwrap(), 2);
    }
}
