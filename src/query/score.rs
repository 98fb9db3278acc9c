//! The score, put together in one place: the weights of the ranking's parts and tiers, the
//! title-length prior, and BM25 for characters and strings over govsearch's own matches.
//!
//! A hit's score is its tier bonuses (far above BM25, so more of the query as typed always
//! ranks first) plus BM25 over the title's words and over the required strings (title
//! weighted up), plus a bonus for a short title applied by the page collector. Every part is
//! non-negative, so a score is too; scores compare hits of one query, not of two. The weights
//! are chosen with `govsearch eval` on a seed other than the one the documentation reports.

use std::sync::OnceLock;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25Weight, Explanation, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

use crate::grams::{Grams, Matches};

/// Weight of a match in the title against one in the body.
pub(crate) const TITLE_BOOST: f32 = 3.0;
/// Weight of the title word field (BM25 over jieba words) in the ranking.
pub(crate) const WORD_WEIGHT: f32 = 1.0;
/// Weight of the required string matches (grams) in the ranking.
pub(crate) const STRING_WEIGHT: f32 = 0.5;
/// Score for each chunk of several words found as typed, in title or body. Tiers are far
/// above what BM25 gives (tens), so articles with more of the query as typed rank above those
/// with the words apart, whatever their word statistics. A chunk of one word, or a quoted
/// one, is required as typed: every hit would get the same tier, so it gets none.
pub(crate) const TYPED_TIER: f32 = 1000.0;
/// Score for each chunk found as typed in the title: below a whole typed chunk, above BM25.
pub(crate) const TITLE_TIER: f32 = 300.0;
/// Score of a keyword shared with the article whose related articles are sought: an editor's
/// tag names the subject, worth more than any one shared word.
pub(crate) const KEYWORD_SHARED: f32 = 20.0;
/// Bonus when a chunk is a whole part of the title (between punctuation or spaces): the
/// title names it as a subject rather than using it in passing.
pub(crate) const TITLE_PART_BONUS: f32 = 200.0;

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

/// The score `weight` gives `doc`, for its explanation; an error if `doc` does not match.
pub(crate) fn score_at(weight: &dyn Weight, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Score> {
    let mut scorer = weight.scorer(reader, 1.0)?;
    // A new scorer stands on its first match, and seeks only forward.
    let at = if scorer.doc() < doc {
        scorer.seek(doc)
    } else {
        scorer.doc()
    };
    if at != doc {
        return Err(TantivyError::InvalidArgument(format!("document {doc} does not match")));
    }
    Ok(scorer.score())
}

/// How a document's score was found, for [`Weight::explain`].
pub(crate) fn explain(
    matches: &Matches,
    bm25: Option<&Bm25Weight>,
    norms: impl FnOnce() -> tantivy::Result<Norms>,
    doc: DocId,
) -> tantivy::Result<Explanation> {
    let Some(count) = matches.count_in(doc) else {
        return Err(TantivyError::InvalidArgument(format!("document {doc} does not match")));
    };
    match bm25 {
        Some(bm25) => Ok(bm25.explain(norms()?.id(doc), count)),
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
            at: matches.first(),
            matches,
            scoring,
            boost,
        }
    }
}

impl DocSet for MatchScorer {
    fn advance(&mut self) -> DocId {
        self.at = self.matches.next(self.at);
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.at = self.matches.seek(self.at, target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.matches.doc(self.at)
    }

    fn size_hint(&self) -> u32 {
        self.matches.len() as u32
    }
}

impl Scorer for MatchScorer {
    fn score(&mut self) -> Score {
        let doc = self.matches.doc(self.at);
        match &self.scoring {
            _ if doc == TERMINATED => 0.0,
            Some((bm25, norms)) => bm25.score(norms.id(doc), self.matches.count(self.at)),
            None => self.boost,
        }
    }
}

/// Weight of the title-length prior: among articles that match alike, the one with the
/// shorter title is more about what it matches (a body-length prior measured no gain).
const TITLE_LENGTH_WEIGHT: f32 = 20.0;

/// Titles this long or longer get no title-length bonus. The bonus is the prior
/// `-W·ln(1 + characters)` shifted up by `W·ln(TITLE_LENGTH_FLOOR)`: the same order between
/// any two titles shorter than that (no title is that long in practice), and a score that is
/// never negative.
const TITLE_LENGTH_FLOOR: f32 = 256.0;

/// The title-length bonus of a title whose folded text has `chars` characters, as the
/// ranking reads it from the title's norm (lengths past 40 are rounded as norms round them).
#[cfg(feature = "opensearch")]
pub(crate) fn title_prior(chars: usize) -> Score {
    let id = FieldNormReader::fieldnorm_to_id(u32::try_from(chars).unwrap_or(u32::MAX));
    title_length_priors()[id as usize]
}

/// The title-length bonus of every length a norm can store (256 of them), computed once per
/// process rather than once per match.
pub(crate) fn title_length_priors() -> &'static [Score; 256] {
    static PRIORS: OnceLock<[Score; 256]> = OnceLock::new();
    PRIORS.get_or_init(|| {
        std::array::from_fn(|id| {
            let chars = FieldNormReader::id_to_fieldnorm(id as u8) as f32;
            (TITLE_LENGTH_WEIGHT * (TITLE_LENGTH_FLOOR.ln() - (1.0 + chars).ln())).max(0.0)
        })
    })
}
