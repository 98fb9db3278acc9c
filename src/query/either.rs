//! A required string "in the title or in the body": the union of two queries, scored only
//! for the articles a search asks about.
//!
//! tantivy's union of SHOULD clauses (`BufferedUnionScorer`) fills a window of 4,096
//! documents ahead and scores every match in it as it goes: right for a disjunction, where
//! every match is a hit. A required string's union is one side of an intersection instead.
//! Of a frequent character's hundreds of thousands of matches at a million articles, the
//! intersection keeps the few that have every other word, and only those are asked for a
//! score. [`Either`] moves its two sides without scoring, and when asked sums the scores of
//! the sides on the current article, first then second, as tantivy's union sums them: the
//! scores are the same to the bit.

use tantivy::query::{EnableScoring, Explanation, Query, QueryClone, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::score::score_at;

/// Articles that `first` or `second` matches, scored by the sum of the two.
#[derive(Debug)]
pub(crate) struct Either {
    first: Box<dyn Query>,
    second: Box<dyn Query>,
}

impl Either {
    pub(crate) fn new(first: Box<dyn Query>, second: Box<dyn Query>) -> Either {
        Either { first, second }
    }
}

impl Clone for Either {
    fn clone(&self) -> Either {
        Either {
            first: self.first.box_clone(),
            second: self.second.box_clone(),
        }
    }
}

impl Query for Either {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(EitherWeight {
            first: self.first.weight(scoring)?,
            second: self.second.weight(scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.first.query_terms(visitor);
        self.second.query_terms(visitor);
    }
}

struct EitherWeight {
    first: Box<dyn Weight>,
    second: Box<dyn Weight>,
}

impl Weight for EitherWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(EitherScorer::new(
            self.first.scorer(reader, boost)?,
            self.second.scorer(reader, boost)?,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut explanation = Explanation::new("title or body, summed", score_at(self, reader, doc)?);
        for side in [&self.first, &self.second] {
            if let Ok(detail) = side.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// Two scorers moved together: on the lower of their documents, each advanced only when it
/// is on the current one. Each side's document is kept here, where reading it is not a call.
pub(crate) struct EitherScorer {
    first: Box<dyn Scorer>,
    second: Box<dyn Scorer>,
    /// The documents `first` and `second` are on.
    at: (DocId, DocId),
    doc: DocId,
}

impl EitherScorer {
    fn new(first: Box<dyn Scorer>, second: Box<dyn Scorer>) -> EitherScorer {
        let at = (first.doc(), second.doc());
        EitherScorer {
            first,
            second,
            at,
            doc: at.0.min(at.1),
        }
    }
}

impl DocSet for EitherScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if self.at.0 == self.doc {
            self.at.0 = self.first.advance();
        }
        if self.at.1 == self.doc {
            self.at.1 = self.second.advance();
        }
        self.doc = self.at.0.min(self.at.1);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if self.at.0 < target {
            self.at.0 = self.first.seek(target);
        }
        if self.at.1 < target {
            self.at.1 = self.second.seek(target);
        }
        self.doc = self.at.0.min(self.at.1);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// At least the larger side's; a union's size is between that and the sum.
    fn size_hint(&self) -> u32 {
        self.first.size_hint().max(self.second.size_hint())
    }

    /// Both sides are read: their costs add, as in tantivy's union.
    fn cost(&self) -> u64 {
        self.first.cost() + self.second.cost()
    }
}

impl Scorer for EitherScorer {
    fn score(&mut self) -> Score {
        let mut score = 0.0;
        if self.at.0 == self.doc {
            score += self.first.score();
        }
        if self.at.1 == self.doc {
            score += self.second.score();
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{BooleanQuery, Occur};
    use tantivy::DocSet;

    /// The articles and scores a query gives in each segment, in order.
    fn scored(index: &crate::Index, query: &dyn Query) -> Vec<(u32, DocId, Score)> {
        let searcher = index.searcher();
        let weight = query.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
        let mut out = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            while scorer.doc() != TERMINATED {
                out.push((ord as u32, scorer.doc(), scorer.score()));
                scorer.advance();
            }
        }
        out
    }

    /// Every way a search moves the union (advancing, seeking to matches and past them)
    /// gives tantivy's union's articles and scores, to the bit.
    #[test]
    fn either_matches_and_scores_as_tantivys_union() {
        let mut files = Vec::new();
        for n in 0..60 {
            let title = if n % 3 == 0 {
                "峄城区召开会议"
            } else {
                "枣庄新闻"
            };
            let body = if n % 4 == 0 {
                "会议在峄城召开，峄城区各部门参加。"
            } else {
                "正文没有那个地名。"
            };
            files.push((format!("{n}"), format!("{title}\n2022-05-10 来源:鲁网\n{body}\n")));
        }
        let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let index = crate::Index::of_texts(&files);
        let fields = index.fields();
        let cache = index.grams_cache();
        for text in ["峄", "峄城", "峄城区", "会议", "没有"] {
            let title = || super::super::build::grams_query(fields.title_grams, cache, text);
            let body = || -> Box<dyn Query> { Box::new(super::super::body::BodyQuery::new(fields.body, text, cache)) };
            let either = Either::new(title(), body());
            let union = BooleanQuery::new(vec![(Occur::Should, title()), (Occur::Should, body())]);
            let ours = scored(&index, &either);
            assert!(!ours.is_empty(), "{text}");
            assert_eq!(ours, scored(&index, &union), "{text}");
            // Seeking: every third article, and past the end.
            let searcher = index.searcher();
            let weight = either.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
            let reader = &searcher.segment_readers()[0];
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            for target in (0..reader.max_doc() + 3).step_by(3) {
                if target < scorer.doc() {
                    continue;
                }
                let doc = scorer.seek(target);
                let expected = ours.iter().find(|(o, d, _)| *o == 0 && *d >= target);
                assert_eq!(doc, expected.map_or(TERMINATED, |e| e.1), "{text} at {target}");
                if let Some(&(_, _, score)) = expected {
                    assert_eq!(scorer.score(), score);
                }
            }
        }
    }
}
