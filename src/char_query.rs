//! One character in the title's grams field: the query for an exact string of length one (the
//! body's are answered by [`crate::body_query`], through the same cache).
//!
//! The grams analyzer gives each character one term, the bigram it starts (or the character
//! alone at the end of the text), so the articles containing a character are those holding a
//! term that begins with it: a range of the term dictionary. [`CharQuery`] reads that range
//! and scores the union as one term would be scored, BM25 over the character's count in the
//! article, with its document frequency counted exactly across the searcher.
//!
//! A frequent character starts thousands of bigrams (的: about 2,300 in each segment of the
//! sample corpus), and reading them all is the cost of such a query, paid again by every query
//! with 的 as a word. Segments never change once written, so an index keeps what it read in a
//! [`CharCache`], bounded in bytes, least recently used out first: one query names a
//! character several times (as a required string, in the title tier, …) and reads it once,
//! and a program that keeps the index open reads each frequent character once per segment.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

use crate::grams::Grams;

/// Articles whose grams field `field` contains the character `ch`.
#[derive(Clone, Debug)]
pub(crate) struct CharQuery {
    field: Field,
    ch: char,
    cache: CharCache,
}

impl CharQuery {
    pub(crate) fn new(field: Field, ch: char, cache: &CharCache) -> CharQuery {
        CharQuery {
            field,
            ch,
            cache: cache.clone(),
        }
    }
}

/// The documents of one segment that contain the character, with its count in each.
pub(crate) type Matches = Arc<Vec<(DocId, u32)>>;

/// Bytes of matches a [`CharCache`] keeps (8 per matching document): 的 in a million
/// articles takes 8 MB.
const CACHE_BYTES: usize = 64 << 20;

/// Segments' matches by field and character, and each segment's open grams file, shared by
/// every search of an index. A segment never changes once written (deletions are applied when
/// collecting), so an entry stays true until its segment is merged away
/// ([`CharCache::retain_segments`]). Keeping a grams file open keeps it mapped: opened per
/// query, it was mapped and unmapped each time, and that was most of a query's time.
#[derive(Clone, Debug)]
pub(crate) struct CharCache(Arc<Mutex<Entries>>);

impl Default for CharCache {
    fn default() -> CharCache {
        CharCache::with_budget(CACHE_BYTES)
    }
}

/// A character in a field of a segment.
type CharKey = (SegmentId, Field, char);

#[derive(Debug)]
struct Entries {
    /// Matches, and when they were last used.
    map: HashMap<CharKey, (Matches, u64)>,
    clock: u64,
    bytes: usize,
    budget: usize,
    /// The segments of the last [`CharCache::retain_segments`]: unchanged, nothing to prune.
    live: Option<Vec<SegmentId>>,
    /// Each segment's grams.
    grams: HashMap<SegmentId, Grams>,
}

impl Entries {
    fn size(matches: &Matches) -> usize {
        matches.len() * std::mem::size_of::<(DocId, u32)>()
    }
}

impl CharCache {
    fn with_budget(budget: usize) -> CharCache {
        CharCache(Arc::new(Mutex::new(Entries {
            map: HashMap::new(),
            clock: 0,
            bytes: 0,
            budget,
            live: None,
            grams: HashMap::new(),
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets the segments that are not in `live` (merged away or deleted).
    pub(crate) fn retain_segments(&self, live: &[SegmentId]) {
        let mut entries = self.lock();
        if entries.live.as_deref() == Some(live) {
            return;
        }
        entries.live = Some(live.to_vec());
        let before = entries.map.len();
        entries.map.retain(|(segment, _, _), _| live.contains(segment));
        entries.grams.retain(|segment, _| live.contains(segment));
        if entries.map.len() != before {
            entries.bytes = entries.map.values().map(|(m, _)| Entries::size(m)).sum();
        }
    }

    /// The grams of `reader`'s segment, opened once.
    pub(crate) fn grams(&self, reader: &SegmentReader) -> tantivy::Result<Grams> {
        if let Some(grams) = self.lock().grams.get(&reader.segment_id()) {
            return Ok(grams.clone());
        }
        let grams = Grams::open(reader)?;
        self.lock().grams.insert(reader.segment_id(), grams.clone());
        Ok(grams)
    }

    /// The matches of `ch` in `field` of `reader`'s segment: from the cache, or `read` and
    /// kept.
    pub(crate) fn matches(
        &self,
        reader: &SegmentReader,
        field: Field,
        ch: char,
        read: impl FnOnce() -> tantivy::Result<Vec<(DocId, u32)>>,
    ) -> tantivy::Result<Matches> {
        let key = (reader.segment_id(), field, ch);
        {
            let mut entries = self.lock();
            entries.clock += 1;
            let now = entries.clock;
            if let Some((found, used)) = entries.map.get_mut(&key) {
                *used = now;
                return Ok(Arc::clone(found));
            }
        }
        let found = Arc::new(read()?);
        let mut entries = self.lock();
        entries.clock += 1;
        let now = entries.clock;
        entries.bytes += Entries::size(&found);
        if let Some((old, _)) = entries.map.insert(key, (Arc::clone(&found), now)) {
            entries.bytes -= Entries::size(&old);
        }
        while entries.bytes > entries.budget && entries.map.len() > 1 {
            let oldest = entries
                .map
                .iter()
                .filter(|(k, _)| **k != key)
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k);
            let Some((gone, _)) = oldest.and_then(|k| entries.map.remove(&k)) else {
                break;
            };
            entries.bytes -= Entries::size(&gone);
        }
        Ok(found)
    }
}

/// BM25 for a character in `doc_freq` of `docs` documents whose field has `tokens` terms in
/// all: the union of the terms it starts, scored as one term.
pub(crate) fn char_bm25(doc_freq: u64, docs: u64, tokens: u64) -> Bm25Weight {
    let average = if docs == 0 {
        0.0
    } else {
        tokens as Score / docs as Score
    };
    Bm25Weight::for_one_term(doc_freq, docs, average)
}

impl Query for CharQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                searcher,
                statistics_provider,
            } => {
                // The exact document frequency needs every segment's union: read them now,
                // into the cache the scorers read from.
                let mut doc_freq = 0u64;
                for reader in searcher.segment_readers() {
                    doc_freq += self.matches(reader)?.len() as u64;
                }
                let docs = statistics_provider.total_num_docs()?;
                let tokens = statistics_provider.total_num_tokens(self.field)?;
                Some(char_bm25(doc_freq, docs, tokens))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(CharWeight {
            query: self.clone(),
            bm25,
        }))
    }
}

impl CharQuery {
    fn matches(&self, reader: &SegmentReader) -> tantivy::Result<Matches> {
        self.cache.matches(reader, self.field, self.ch, || {
            segment_matches(reader, self.field, self.ch)
        })
    }
}

struct CharWeight {
    query: CharQuery,
    /// `None` when scoring is off.
    bm25: Option<Bm25Weight>,
}

impl Weight for CharWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scoring = match &self.bm25 {
            Some(bm25) => Some((
                bm25.boost_by(boost),
                Norms::Field(reader.get_fieldnorms_reader(self.query.field)?),
            )),
            None => None,
        };
        Ok(Box::new(MatchScorer::new(self.query.matches(reader)?, scoring, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let norms = || Ok(Norms::Field(reader.get_fieldnorms_reader(self.query.field)?));
        explain(&self.query.matches(reader)?, self.bm25.as_ref(), norms, doc)
    }
}

/// The documents of `reader` whose field holds a term starting with `ch`, in document
/// order, with the summed term frequencies (deleted documents included, as in tantivy's
/// own document frequencies).
fn segment_matches(reader: &SegmentReader, field: Field, ch: char) -> tantivy::Result<Vec<(DocId, u32)>> {
    let inverted = reader.inverted_index(field)?;
    let mut from = [0u8; 4];
    let from = ch.encode_utf8(&mut from).as_bytes();
    // The first byte string after every one that starts with `from`: UTF-8 never has 0xFF.
    let mut to = from.to_vec();
    to.push(0xFF);
    let mut terms = inverted.terms().range().ge(from).lt(&to).without_keys().into_stream()?;
    // Allocated at the first term: most characters are in no segment's range at all.
    let mut counts: Vec<u32> = Vec::new();
    while terms.advance() {
        if counts.is_empty() {
            counts = vec![0; reader.max_doc() as usize];
        }
        let mut block = inverted.read_block_postings_from_terminfo(terms.value(), IndexRecordOption::WithFreqs)?;
        loop {
            let docs = block.docs();
            if docs.is_empty() {
                break;
            }
            for (&doc, &freq) in docs.iter().zip(block.freqs()) {
                counts[doc as usize] += freq;
            }
            block.advance();
        }
    }
    Ok(counts
        .into_iter()
        .enumerate()
        .filter(|&(_, count)| count > 0)
        .map(|(doc, count)| (doc as DocId, count))
        .collect())
}

/// How long each document's field is, as BM25 reads it.
pub(crate) enum Norms {
    /// A field tantivy indexed.
    Field(FieldNormReader),
    /// The body, from its grams.
    Body(Grams),
}

impl Norms {
    pub(crate) fn id(&self, doc: DocId) -> u8 {
        match self {
            Norms::Field(reader) => reader.fieldnorm_id(doc),
            Norms::Body(grams) => grams.fieldnorm_id(doc as usize),
        }
    }
}

/// How a document's score was found, for [`Weight::explain`].
pub(crate) fn explain(
    matches: &Matches,
    bm25: Option<&Bm25Weight>,
    norms: impl FnOnce() -> tantivy::Result<Norms>,
    doc: DocId,
) -> tantivy::Result<Explanation> {
    let Ok(at) = matches.binary_search_by_key(&doc, |&(d, _)| d) else {
        return Err(TantivyError::InvalidArgument(format!("document {doc} does not match")));
    };
    match bm25 {
        Some(bm25) => Ok(bm25.explain(norms()?.id(doc), matches[at].1)),
        None => Ok(Explanation::new("matches", 1.0)),
    }
}

/// The matches of one segment, in document order, scored when asked: in a conjunction most
/// matches of a frequent character are skipped, never scored.
pub(crate) struct MatchScorer {
    matches: Matches,
    at: usize,
    /// BM25 (boosted) and the field's norms; `None` when scoring is off.
    scoring: Option<(Bm25Weight, Norms)>,
    boost: Score,
}

impl MatchScorer {
    pub(crate) fn new(matches: Matches, scoring: Option<(Bm25Weight, Norms)>, boost: Score) -> MatchScorer {
        MatchScorer {
            matches,
            at: 0,
            scoring,
            boost,
        }
    }
}

impl DocSet for MatchScorer {
    fn advance(&mut self) -> DocId {
        if self.at < self.matches.len() {
            self.at += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let rest = &self.matches[self.at.min(self.matches.len())..];
        self.at += rest.partition_point(|&(doc, _)| doc < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.matches.get(self.at).map_or(TERMINATED, |&(doc, _)| doc)
    }

    fn size_hint(&self) -> u32 {
        self.matches.len() as u32
    }
}

impl Scorer for MatchScorer {
    fn score(&mut self) -> Score {
        match (&self.scoring, self.matches.get(self.at)) {
            (Some((bm25, norms)), Some(&(doc, count))) => bm25.score(norms.id(doc), count),
            (None, Some(_)) => self.boost,
            (_, None) => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};

    use super::*;
    use crate::index::Index;

    fn index() -> Index {
        Index::of_texts(&[
            ("0", "甲\n2022-01-01 来源:县融媒体中心\n全县新建基站一座\n"),
            ("1", "乙\n2022-01-02 来源:县融媒体中心\n一座座基站，一座新楼。\n"),
            ("2", "丙\n2022-01-03 来源:县融媒体中心\n全县新建基站。\n"),
        ])
    }

    /// (count, top documents with scores) of one character in the body.
    fn run(index: &Index, cache: &CharCache, ch: char) -> (usize, Vec<(Score, tantivy::DocAddress)>) {
        let query = crate::body_query::BodyQuery::new(index.fields.body, &ch.to_string(), cache);
        let searcher = index.reader.searcher();
        searcher
            .search(&query, &(Count, TopDocs::with_limit(10).order_by_score()))
            .unwrap()
    }

    #[test]
    fn a_cache_at_its_budget_answers_as_a_fresh_one() {
        let index = index();
        // Room for about two documents' matches: every read evicts the older ones.
        let small = CharCache::with_budget(16);
        for ch in ['座', '基', '新', '座', '县', '楼', '座'] {
            let fresh = run(&index, &CharCache::default(), ch);
            assert_eq!(run(&index, &small, ch), fresh, "{ch}");
            let entries = small.lock();
            assert!(entries.bytes <= 16 || entries.map.len() == 1, "{ch}: {entries:?}");
            let sum: usize = entries.map.values().map(|(m, _)| Entries::size(m)).sum();
            assert_eq!(entries.bytes, sum);
        }
        assert_eq!(run(&index, &small, '座').0, 2);
        assert_eq!(run(&index, &small, '县').0, 2);
        assert_eq!(run(&index, &small, '楼').0, 1);
    }

    #[test]
    fn dead_segments_leave_the_cache() {
        let index = index();
        let cache = CharCache::default();
        run(&index, &cache, '座');
        let live: Vec<SegmentId> = index
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        cache.retain_segments(&live);
        cache.retain_segments(&live);
        assert!(!cache.lock().map.is_empty());
        cache.retain_segments(&[]);
        assert!(cache.lock().map.is_empty());
        assert_eq!(cache.lock().bytes, 0);
    }
}
