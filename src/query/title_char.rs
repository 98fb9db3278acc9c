//! One character in the title's grams field: the query for an exact string of length one (the
//! body's are answered by [`super::body`], through the same cache).
//!
//! The grams analyzer gives each character one term, the bigram it starts (or the character
//! alone at the end of the text), so the articles containing a character are those holding a
//! term that begins with it: a range of the term dictionary. [`CharQuery`] reads that range
//! and scores the union as one term would be scored, BM25 over the character's count in the
//! article, with its document frequency counted exactly across the searcher. What it reads is
//! kept in the index's [`GramsCache`].

use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, SegmentReader};

use super::score::{char_bm25, explain, MatchScorer, Norms};
use crate::grams::{CharMatches, GramsCache, Matches};

/// Articles whose grams field `field` contains the character `ch`.
#[derive(Clone, Debug)]
pub(crate) struct CharQuery {
    field: Field,
    ch: char,
    cache: GramsCache,
}

impl CharQuery {
    pub(crate) fn new(field: Field, ch: char, cache: &GramsCache) -> CharQuery {
        CharQuery {
            field,
            ch,
            cache: cache.clone(),
        }
    }
}
impl Query for CharQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(CharWeight {
            query: self.clone(),
            bm25: self.bm25(scoring)?,
        }))
    }
}

impl CharQuery {
    /// BM25 of the character across the searcher; `None` when scoring is off.
    pub(crate) fn bm25(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Option<Bm25Weight>> {
        let EnableScoring::Enabled {
            searcher,
            statistics_provider,
        } = scoring
        else {
            return Ok(None);
        };
        // The exact document frequency needs every segment's union: read them now, into the
        // cache the scorers read from.
        let doc_freq = self.cache.doc_freq(searcher, self.field, self.ch, |reader| {
            segment_matches(reader, self.field, self.ch)
        })?;
        let docs = statistics_provider.total_num_docs()?;
        let tokens = statistics_provider.total_num_tokens(self.field)?;
        Ok(Some(char_bm25(doc_freq, docs, tokens)))
    }

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
fn segment_matches(reader: &SegmentReader, field: Field, ch: char) -> tantivy::Result<CharMatches> {
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
    Ok(CharMatches::from_counts(&counts))
}
