//! The ranking query with the most each of its parts can add, so that a page of the best
//! few can skip scoring the matches that cannot make it (MaxScore, in Lucene's terms).
//!
//! A broad query matches most of the index, and a page keeps ten of its matches. The tiers are far above what BM25 gives ([`super::score`]), so once a page holds enough
//! hits with a tier, a match in no tier cannot beat them: its score is at most the sum of its
//! BM25 parts' ceilings. [`Ranked`] is the boolean query of the BM25 parts, plus the tiers,
//! each a bonus added to the articles it matches. The page collector asks each match's tier
//! bonus first, and scores the rest only where ceiling and bonus together may make the page
//! ([`crate::search::rank::Gather`]).

use std::sync::{Arc, OnceLock};

use tantivy::query::{
    Bm25Weight, BooleanQuery, ConstScoreQuery, EnableScoring, Explanation, Occur, Query, QueryClone, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

use super::body::BodyQuery;
use super::score::{score_at, TITLE_BOOST};
use super::title_char::CharQuery;
use crate::grams::GramsCache;
use crate::store::schema::Fields;
use crate::text::analyzers::gram_terms;

/// The most a clause adds to an article's score.
#[derive(Clone, Debug)]
pub(crate) enum Ceiling {
    /// A tier: this bonus for every article the clause matches, far above BM25.
    Tier(Score),
    /// Nothing: an exclusion.
    Nothing,
    /// The strings, each in the title (weighted up) or the body, each with its weight: a
    /// required string, or a word and the terms that stand in for it (summed, as several
    /// may match).
    Strings(Vec<(String, Score)>),
    /// A jieba word of the title, with its weight.
    TitleWord(String, Score),
}

/// The boolean query of `parts` (every `Must` required, every `MustNot` excluded, every
/// `Should` adding its score, a tier its bonus) that also passes `filters`.
#[derive(Debug)]
pub(crate) struct Ranked {
    /// The parts but the tiers, and the filters.
    whole: Box<dyn Query>,
    /// The tier clauses, matching only, and their bonuses.
    tiers: Vec<(Box<dyn Query>, Score)>,
    /// What bounds `whole`'s score, shared with the weights made of this query.
    bounds: Arc<Bounds>,
}

/// The clauses' ceilings and what finding them reads.
#[derive(Debug)]
struct Bounds {
    /// `None` when nothing is bounded (a query without a required part: everything, or
    /// tiers alone, kept in `whole`).
    ceilings: Option<Vec<Ceiling>>,
    fields: Fields,
    cache: GramsCache,
}

impl Clone for Ranked {
    fn clone(&self) -> Ranked {
        Ranked {
            whole: self.whole.box_clone(),
            tiers: self.tiers.iter().map(|(q, bonus)| (q.box_clone(), *bonus)).collect(),
            bounds: Arc::clone(&self.bounds),
        }
    }
}

impl Ranked {
    /// The query of `parts`, or `everything` when there are none.
    pub(crate) fn new(
        parts: Vec<(Occur, Box<dyn Query>, Ceiling)>,
        everything: Box<dyn Query>,
        fields: &Fields,
        cache: &GramsCache,
    ) -> Ranked {
        let required = parts.iter().any(|(occur, _, _)| *occur == Occur::Must);
        let mut tiers = Vec::new();
        let mut ceilings = Vec::new();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (occur, query, ceiling) in parts {
            match ceiling {
                Ceiling::Tier(bonus) if required => tiers.push((query, bonus)),
                // Without a required part the optional ones decide what matches.
                Ceiling::Tier(bonus) => clauses.push((occur, Box::new(ConstScoreQuery::new(query, bonus)))),
                Ceiling::Nothing => clauses.push((occur, query)),
                other => {
                    ceilings.push(other);
                    clauses.push((occur, query));
                }
            }
        }
        let whole: Box<dyn Query> = if clauses.is_empty() {
            everything
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Ranked {
            whole,
            tiers,
            bounds: Arc::new(Bounds {
                ceilings: required.then_some(ceilings),
                fields: *fields,
                cache: cache.clone(),
            }),
        }
    }

    /// The same query, also required to pass each of `filters` (which score nothing).
    pub(crate) fn filtered(mut self, filters: Vec<Box<dyn Query>>) -> Ranked {
        let mut clauses = vec![(Occur::Must, self.whole)];
        clauses.extend(filters.into_iter().map(|q| (Occur::Must, q)));
        self.whole = Box::new(BooleanQuery::new(clauses));
        self
    }
}

impl Bounds {
    /// The most `whole` scores an article: the sum of the clauses' ceilings, from the same
    /// statistics their weights score by, with room for the rounding of summing them in
    /// another order; infinite when nothing is bounded.
    fn ceiling(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Score> {
        let Some(ceilings) = &self.ceilings else {
            return Ok(Score::INFINITY);
        };
        let mut sum: Score = 0.0;
        for ceiling in ceilings {
            sum += match ceiling {
                Ceiling::Tier(_) | Ceiling::Nothing => 0.0,
                Ceiling::Strings(strings) => {
                    let mut most = 0.0;
                    for (text, weight) in strings {
                        let title = grams_max(self.fields.title_grams, &self.cache, text, scoring)?;
                        let body = max_of(BodyQuery::new(self.fields.body, text, &self.cache).bm25(scoring)?);
                        most += weight * (TITLE_BOOST * title + body);
                    }
                    most
                }
                Ceiling::TitleWord(word, weight) => {
                    let term = Term::from_field_text(self.fields.title, word);
                    weight * TITLE_BOOST * terms_max(&[term], scoring)?
                }
            };
        }
        Ok(sum * 1.001 + 0.001)
    }
}

/// The largest BM25 of an exact string in a grams field, scored as
/// [`super::build::grams_query`] scores it.
fn grams_max(field: Field, cache: &GramsCache, text: &str, scoring: EnableScoring<'_>) -> tantivy::Result<Score> {
    let mut letters = text.chars();
    if let (Some(ch), None) = (letters.next(), letters.next()) {
        return Ok(max_of(CharQuery::new(field, ch, cache).bm25(scoring)?));
    }
    let terms: Vec<Term> = gram_terms(text)
        .into_iter()
        .map(|(_, gram)| Term::from_field_text(field, &gram))
        .collect();
    terms_max(&terms, scoring)
}

/// The largest BM25 of a term or a phrase of terms, as tantivy's term and phrase queries
/// score them.
fn terms_max(terms: &[Term], scoring: EnableScoring<'_>) -> tantivy::Result<Score> {
    match scoring {
        EnableScoring::Enabled {
            statistics_provider, ..
        } if !terms.is_empty() => Ok(Bm25Weight::for_terms(statistics_provider, terms)?.max_score()),
        _ => Ok(0.0),
    }
}

fn max_of(bm25: Option<Bm25Weight>) -> Score {
    bm25.map_or(0.0, |w| w.max_score())
}

impl Query for Ranked {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let whole = self.whole.weight(scoring)?;
        // Tiers only add to scores: without scores, the parts alone match the same articles.
        let (Some(searcher), true) = (scoring.searcher(), scoring.is_scoring_enabled()) else {
            return Ok(whole);
        };
        let matching = EnableScoring::disabled_from_searcher(searcher);
        let tiers = self
            .tiers
            .iter()
            .map(|(q, bonus)| Ok((q.weight(matching)?, *bonus)))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(RankedWeight {
            whole,
            tiers,
            ceiling: Arc::new(Ceil {
                bounds: Arc::clone(&self.bounds),
                searcher: searcher.clone(),
                found: OnceLock::new(),
            }),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.whole.query_terms(visitor);
        for (tier, _) in &self.tiers {
            tier.query_terms(visitor);
        }
    }
}

/// The most `whole` scores an article in a search, found when a page first asks: a query
/// whose page never fills (most queries: they match few articles) looks nothing up twice.
struct Ceil {
    bounds: Arc<Bounds>,
    /// The searcher whose statistics the weights score by (the search's own).
    searcher: tantivy::Searcher,
    found: OnceLock<Score>,
}

impl Ceil {
    fn get(&self) -> Score {
        *self.found.get_or_init(|| {
            let scoring = EnableScoring::enabled_from_searcher(&self.searcher);
            // Unbounded when a statistic does not read: the page scores every match, and
            // the search itself reports what is wrong.
            self.bounds.ceiling(scoring).unwrap_or(Score::INFINITY)
        })
    }
}

struct RankedWeight {
    whole: Box<dyn Weight>,
    tiers: Vec<(Box<dyn Weight>, Score)>,
    ceiling: Arc<Ceil>,
}

impl Weight for RankedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(RankedScorer {
            whole: self.whole.scorer(reader, boost)?,
            tiers: self
                .tiers
                .iter()
                .map(|(w, bonus)| Ok((w.scorer(reader, 1.0)?, bonus * boost)))
                .collect::<tantivy::Result<_>>()?,
            ceiling: Arc::clone(&self.ceiling),
            boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let score = score_at(self, reader, doc)?;
        let mut explanation = Explanation::new("the parts' scores and the tiers' bonuses, summed", score);
        explanation.add_detail(self.whole.explain(reader, doc)?);
        for (tier, bonus) in &self.tiers {
            let mut tier = tier.scorer(reader, 1.0)?;
            if tier.doc() == doc || (tier.doc() < doc && tier.seek(doc) == doc) {
                explanation.add_const("tier", *bonus);
            }
        }
        Ok(explanation)
    }
}

/// The scorer of the parts and the tiers, with what bounds the parts' score.
pub(crate) struct RankedScorer {
    whole: Box<dyn Scorer>,
    tiers: Vec<(Box<dyn Scorer>, Score)>,
    ceiling: Arc<Ceil>,
    boost: Score,
}

impl RankedScorer {
    /// At least what the parts (tiers aside) score any article.
    pub(crate) fn ceiling(&self) -> Score {
        self.ceiling.get() * self.boost
    }

    /// The bonuses of the tiers the current article is in.
    pub(crate) fn bonus(&mut self) -> Score {
        let doc = self.whole.doc();
        let mut bonus = 0.0;
        for (tier, score) in &mut self.tiers {
            let at = tier.doc();
            if at == doc || (at < doc && tier.seek(doc) == doc) {
                bonus += *score;
            }
        }
        bonus
    }

    /// The current article's score, given its [`RankedScorer::bonus`].
    pub(crate) fn score_with(&mut self, bonus: Score) -> Score {
        self.whole.score() + bonus
    }
}

impl DocSet for RankedScorer {
    fn advance(&mut self) -> DocId {
        self.whole.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.whole.seek(target)
    }

    fn doc(&self) -> DocId {
        self.whole.doc()
    }

    fn size_hint(&self) -> u32 {
        self.whole.size_hint()
    }

    fn cost(&self) -> u64 {
        self.whole.cost()
    }
}

impl Scorer for RankedScorer {
    fn score(&mut self) -> Score {
        let bonus = self.bonus();
        self.score_with(bonus)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::{EnableScoring, Query};
    use tantivy::{DocSet, TERMINATED};

    use crate::{Index, SearchRequest};

    /// An explanation gives each match the score the search gives it, tier bonuses
    /// included, and refuses an article the query does not match.
    #[test]
    fn explanations_give_the_scores_of_matches_and_refuse_the_rest() {
        let index = Index::of_texts(&[
            ("a", "峄城区召开会议\n2022-05-10 来源:鲁网\n峄城区召开了会议。\n"),
            ("b", "工作简报\n2022-05-11 来源:鲁网\n峄城区的工作。\n"),
            ("c", "枣庄新闻\n2022-05-12 来源:鲁网\n枣庄市的新闻。\n"),
        ]);
        let searcher = index.searcher();
        let query = index
            .query_for(&SearchRequest::new("峄城区 会议"), &searcher)
            .unwrap()
            .query;
        let weight = query.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
        let (mut matched, mut refused) = (0, 0);
        for reader in searcher.segment_readers() {
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            for doc in 0..reader.max_doc() {
                // A scorer only moves forward: one past `doc` already says it does not match.
                let at = if scorer.doc() < doc {
                    scorer.seek(doc)
                } else {
                    scorer.doc()
                };
                match weight.explain(reader, doc) {
                    Ok(explanation) => {
                        assert_eq!(at, doc);
                        assert_eq!(explanation.value(), scorer.score());
                        matched += 1;
                    }
                    Err(_) => {
                        assert!(at > doc || at == TERMINATED);
                        refused += 1;
                    }
                }
            }
        }
        assert_eq!((matched, refused), (1, 2));
    }
}
