//! One character in a grams field: the query for an exact string of length one.
//!
//! The grams analyzer gives each character one term, the bigram it starts (or the character
//! alone at the end of the text), so the articles containing a character are those holding a
//! term that begins with it: a range of the term dictionary. [`CharQuery`] reads that range
//! and scores the union as one term would be scored, BM25 over the character's count in the
//! article, with its document frequency counted exactly across the searcher.
//!
//! A frequent character starts thousands of bigrams, and reading them all is the cost of such
//! a query; one query names the same character several times (as a required string, in the
//! title tier, …), so the queries built together share a [`CharCache`] and read each
//! segment's range once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

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
type Matches = Arc<Vec<(DocId, u32)>>;

/// Segments' matches by field and character, shared by the queries built together. A
/// segment never changes once written (deletions are applied when collecting), so an entry
/// stays true for as long as the queries live.
#[derive(Clone, Debug, Default)]
pub(crate) struct CharCache(Arc<Mutex<HashMap<CharKey, Matches>>>);

/// A character in a field of a segment.
type CharKey = (SegmentId, Field, char);

impl CharCache {
    fn matches(&self, reader: &SegmentReader, field: Field, ch: char) -> tantivy::Result<Matches> {
        let key = (reader.segment_id(), field, ch);
        if let Some(found) = self.0.lock().expect("char cache lock").get(&key) {
            return Ok(Arc::clone(found));
        }
        let found = Arc::new(segment_matches(reader, field, ch)?);
        self.0.lock().expect("char cache lock").insert(key, Arc::clone(&found));
        Ok(found)
    }
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
                    doc_freq += self.cache.matches(reader, self.field, self.ch)?.len() as u64;
                }
                let docs = statistics_provider.total_num_docs()?;
                let tokens = statistics_provider.total_num_tokens(self.field)?;
                let average = if docs == 0 {
                    0.0
                } else {
                    tokens as Score / docs as Score
                };
                Some(Bm25Weight::for_one_term(doc_freq, docs, average))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(CharWeight {
            field: self.field,
            ch: self.ch,
            bm25,
            cache: self.cache.clone(),
        }))
    }
}

struct CharWeight {
    field: Field,
    ch: char,
    /// `None` when scoring is off.
    bm25: Option<Bm25Weight>,
    cache: CharCache,
}

impl CharWeight {
    fn matches(&self, reader: &SegmentReader) -> tantivy::Result<Matches> {
        self.cache.matches(reader, self.field, self.ch)
    }
}

impl Weight for CharWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let norms = match &self.bm25 {
            Some(_) => Some(reader.get_fieldnorms_reader(self.field)?),
            None => None,
        };
        let matches = self.matches(reader)?;
        let scores = match (&self.bm25, norms) {
            (Some(bm25), Some(norms)) => {
                let bm25 = bm25.boost_by(boost);
                matches
                    .iter()
                    .map(|&(doc, count)| bm25.score(norms.fieldnorm_id(doc), count))
                    .collect()
            }
            _ => vec![boost; matches.len()],
        };
        Ok(Box::new(CharScorer { matches, scores, at: 0 }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let matches = self.matches(reader)?;
        let Ok(at) = matches.binary_search_by_key(&doc, |&(d, _)| d) else {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not contain {:?}",
                self.ch
            )));
        };
        match &self.bm25 {
            Some(bm25) => {
                let norms = reader.get_fieldnorms_reader(self.field)?;
                Ok(bm25.explain(norms.fieldnorm_id(doc), matches[at].1))
            }
            None => Ok(Explanation::new("contains the character", 1.0)),
        }
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
    let mut counts: Vec<u32> = Vec::new();
    let mut terms_seen = 0usize;
    while terms.advance() {
        terms_seen += 1;
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
    if terms_seen == 0 {
        return Ok(Vec::new());
    }
    Ok(counts
        .into_iter()
        .enumerate()
        .filter(|&(_, count)| count > 0)
        .map(|(doc, count)| (doc as DocId, count))
        .collect())
}

/// The matches of one segment, in document order, with their scores.
struct CharScorer {
    matches: Matches,
    scores: Vec<Score>,
    at: usize,
}

impl DocSet for CharScorer {
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

impl Scorer for CharScorer {
    fn score(&mut self) -> Score {
        self.scores.get(self.at).copied().unwrap_or(0.0)
    }
}
