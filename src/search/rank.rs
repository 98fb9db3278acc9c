//! The page collector: the best `limit` matches after `offset`, in an order that does not
//! depend on how the index was built.
//!
//! Matches of equal score (or, sorted by date, of equal date) would otherwise come in index
//! order, which depends on which indexing thread took which file: two builds of the same
//! folder could swap them. Here ties go newer first, then by path and record. Within a
//! segment, paths compare by their ordinals in the `path` column (its dictionary is sorted);
//! across segments the few tied candidates have their paths read from the dictionary.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::fastfield::AliveBitSet;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, COLLECT_BLOCK_BUFFER_LEN, TERMINATED};

use super::request::Sort;
use crate::query::ranked::RankedScorer;
use crate::query::score::title_length_priors;
use crate::store::schema::{self, Fields};

/// Collects the page of `limit` hits after `offset`, by `sort`. By relevance, a hit's score
/// is the query's score plus the title-length bonus, read from the title grams norm (one
/// token per character); by date, hits have no score.
pub(crate) struct Page {
    sort: Sort,
    limit: usize,
    offset: usize,
    title_grams: Field,
}

impl Page {
    pub(crate) fn new(sort: Sort, limit: usize, offset: usize, fields: &Fields) -> Page {
        Page {
            sort,
            limit,
            offset,
            title_grams: fields.title_grams,
        }
    }
}

/// A match that may make the page: what orders it, and where it is.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    score: Score,
    /// Publish time in seconds; `i64::MIN` for an article without one (last).
    published: i64,
    path_ord: u64,
    record: u64,
    segment: SegmentOrdinal,
    doc: DocId,
}

impl Candidate {
    /// Better first, ties within a segment by path ordinal, then record, then document.
    fn cmp_in_segment(&self, other: &Candidate) -> Ordering {
        self.cmp_rank(other)
            .then(self.path_ord.cmp(&other.path_ord))
            .then(self.record.cmp(&other.record))
            .then(self.doc.cmp(&other.doc))
    }

    /// Score and date only: what compares across segments without reading paths.
    fn cmp_rank(&self, other: &Candidate) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(other.published.cmp(&self.published))
    }
}

/// A heap entry: the worst candidate on top.
struct Worst(Candidate);

impl PartialEq for Worst {
    fn eq(&self, other: &Worst) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Worst) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Worst) -> Ordering {
        self.0.cmp_in_segment(&other.0)
    }
}

/// One segment's best candidates, with its path column to name tied ones.
pub(crate) struct SegmentPage {
    candidates: Vec<Candidate>,
    paths: Option<StrColumn>,
    /// How many matches were scored (for tests of the pruning).
    #[cfg(test)]
    scores: usize,
}

impl Collector for Page {
    type Fruit = Vec<(Option<Score>, DocAddress)>;
    type Child = SegmentRanker;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentRanker> {
        let fast = reader.fast_fields();
        let scored = self.sort == Sort::Relevance;
        Ok(SegmentRanker {
            scored,
            keep: self.limit.saturating_add(self.offset),
            segment,
            norms: if scored {
                reader.get_fieldnorms_reader(self.title_grams).ok()
            } else {
                None
            },
            priors: title_length_priors(),
            #[cfg(test)]
            scores: 0,
            published: fast.date(schema::PUBLISHED).ok(),
            paths: fast.str(schema::PATH)?,
            records: fast.u64(schema::RECORD).ok(),
            best: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, pages: Vec<SegmentPage>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Candidate, Option<&StrColumn>)> = pages
            .iter()
            .flat_map(|page| page.candidates.iter().map(|c| (c.clone(), page.paths.as_ref())))
            .collect();
        all.sort_by(|a, b| {
            a.0.cmp_rank(&b.0)
                .then(a.0.segment.cmp(&b.0.segment))
                .then(a.0.cmp_in_segment(&b.0))
        });
        // Candidates of equal score and date from several segments: order them by path, where
        // they reach into the page.
        let mut start = 0;
        while start < all.len().min(self.offset.saturating_add(self.limit)) {
            let end = start + all[start..].partition_point(|c| c.0.cmp_rank(&all[start].0) == Ordering::Equal);
            let run = &mut all[start..end];
            if run.iter().any(|c| c.0.segment != run[0].0.segment) {
                run.sort_by_cached_key(|(c, paths)| (path_of(*paths, c.path_ord), c.record, c.segment, c.doc));
            }
            start = end;
        }
        let scored = self.sort == Sort::Relevance;
        Ok(all
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .map(|(c, _)| (scored.then_some(c.score), DocAddress::new(c.segment, c.doc)))
            .collect())
    }
}

/// Every match to `all` (counts, facets, groups: no scores) and the page, with the page
/// scored only where a match may make it: a [`RankedScorer`] says when the current match
/// cannot ([`crate::query::ranked`]); any other query is scored throughout.
pub(crate) struct Gather<C> {
    inner: (C, Option<Page>),
}

impl<C: Collector> Gather<C> {
    pub(crate) fn new(all: C, page: Option<Page>) -> Gather<C> {
        Gather { inner: (all, page) }
    }
}

impl<C: Collector> Collector for Gather<C> {
    type Fruit = (C::Fruit, Option<<Page as Collector>::Fruit>);
    type Child = (C::Child, Option<SegmentRanker>);

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        self.inner.for_segment(segment, reader)
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(&self, fruits: Vec<<Self::Child as SegmentCollector>::Fruit>) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<<Self::Child as SegmentCollector>::Fruit> {
        if !self.requires_scoring() || self.inner.1.is_none() {
            return self.inner.collect_segment(weight, segment, reader);
        }
        let (mut all, mut page) = self.for_segment(segment, reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        match scorer.downcast_mut::<RankedScorer>() {
            // Finding the ceiling looks each part's statistics up again: it pays for itself
            // only where there are many matches not to score.
            Some(ranked) if ranked.size_hint() >= PRUNED_FROM => {
                gather(ranked, alive, &mut all, &mut page, |ranked, page| {
                    let bonus = ranked.bonus();
                    page.may_take(ranked.doc(), || ranked.ceiling() + bonus)
                        .then(|| ranked.score_with(bonus))
                })
            }
            _ => gather(scorer.as_mut(), alive, &mut all, &mut page, |scorer, _| {
                Some(scorer.score())
            }),
        }
        Ok((all.harvest(), page.map(SegmentRanker::harvest)))
    }
}

/// The fewest matches a segment may have (as its scorer estimates them) for its page to be
/// scored only where a match may make it ([`Gather`]). Tests prune the small segments they
/// build.
#[cfg(not(test))]
const PRUNED_FROM: u32 = 4096;
#[cfg(test)]
const PRUNED_FROM: u32 = 1;

/// Gives every live match of `scorer` to `all`, a block at a time, and to `page` with the
/// score `score` gives it, if any: none for a match that cannot make the page.
fn gather<S: Scorer + ?Sized>(
    scorer: &mut S,
    alive: Option<&AliveBitSet>,
    all: &mut impl SegmentCollector,
    page: &mut Option<SegmentRanker>,
    mut score: impl FnMut(&mut S, &SegmentRanker) -> Option<Score>,
) {
    let mut block = [0; COLLECT_BLOCK_BUFFER_LEN];
    let mut filled = 0;
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            block[filled] = doc;
            filled += 1;
            if filled == block.len() {
                all.collect_block(&block);
                filled = 0;
            }
            if let Some(page) = page.as_mut() {
                if let Some(score) = score(scorer, page) {
                    page.collect(doc, score);
                }
            }
        }
        doc = scorer.advance();
    }
    all.collect_block(&block[..filled]);
}

/// The path of ordinal `ord` in a segment's path column (empty if it has none).
fn path_of(paths: Option<&StrColumn>, ord: u64) -> String {
    let mut path = String::new();
    if let Some(paths) = paths {
        let _ = paths.ord_to_str(ord, &mut path);
    }
    path
}

pub(crate) struct SegmentRanker {
    scored: bool,
    keep: usize,
    segment: SegmentOrdinal,
    norms: Option<FieldNormReader>,
    priors: &'static [Score; 256],
    /// How many matches were scored (for tests of the pruning).
    #[cfg(test)]
    scores: usize,
    published: Option<Column<tantivy::DateTime>>,
    paths: Option<StrColumn>,
    records: Option<Column<u64>>,
    best: BinaryHeap<Worst>,
}

impl SegmentRanker {
    /// The title-length bonus of `doc`.
    fn prior(&self, doc: DocId) -> Score {
        self.norms
            .as_ref()
            .map_or(0.0, |n| self.priors[n.fieldnorm_id(doc) as usize])
    }

    /// Whether `doc`, whose query score is at most `ceiling`, could make the page: there is
    /// room, or with its title-length bonus it reaches the worst hit kept (a tie may still
    /// win on date).
    fn may_take(&self, doc: DocId, ceiling: impl FnOnce() -> Score) -> bool {
        self.keep > 0
            && (self.best.len() < self.keep
                || self
                    .best
                    .peek()
                    .is_none_or(|w| ceiling() + self.prior(doc) >= w.0.score))
    }
}

impl SegmentCollector for SegmentRanker {
    type Fruit = SegmentPage;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.keep == 0 {
            return;
        }
        #[cfg(test)]
        {
            self.scores += 1;
        }
        let score = if self.scored { score + self.prior(doc) } else { 0.0 };
        // Most matches lose to the page's worst on score, or then on date: those columns are
        // read only as far as needed.
        let worst = (self.best.len() >= self.keep).then(|| self.best.peek()).flatten();
        if worst.is_some_and(|w| score < w.0.score) {
            return;
        }
        let published = self
            .published
            .as_ref()
            .and_then(|c| c.first(doc))
            .map_or(i64::MIN, |d| d.into_timestamp_secs());
        if worst.is_some_and(|w| score == w.0.score && published < w.0.published) {
            return;
        }
        let full = worst.is_some();
        let path_ord = self
            .paths
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .unwrap_or(u64::MAX);
        let record = self.records.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
        let candidate = Worst(Candidate {
            score,
            published,
            path_ord,
            record,
            segment: self.segment,
            doc,
        });
        if !full {
            self.best.push(candidate);
        } else if let Some(mut worst) = self.best.peek_mut() {
            if candidate < *worst {
                *worst = candidate;
            }
        }
    }

    fn harvest(self) -> SegmentPage {
        SegmentPage {
            candidates: self.best.into_iter().map(|w| w.0).collect(),
            paths: self.paths,
            #[cfg(test)]
            scores: self.scores,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::article::parse_article;
    use crate::{Index, SearchRequest, Sort};

    /// Equal articles (equal scores) in files added in an order unlike their paths, two of
    /// them dated later: one commit each (a segment each, until merged), or all in one.
    fn ties(commit_each: bool) -> Index {
        let index = Index::create_in_ram();
        let articles = ["d", "b", "e", "a", "c", "f"].map(|path| {
            let date = if path == "e" || path == "c" {
                "2022-05-11"
            } else {
                "2022-05-10"
            };
            let text = format!("峄城区召开会议\n{date} 10:00 来源:峄城区融媒体中心\n峄城区召开工作会议。\n");
            (path.to_string(), parse_article(&text).unwrap())
        });
        if commit_each {
            for article in articles {
                index.add_articles([article]).unwrap();
            }
        } else {
            // One indexing thread: one segment.
            index.store().add_articles_on(Some(1), articles).unwrap();
        }
        assert_eq!(index.num_articles(), 6);
        assert_eq!(index.searcher().segment_readers().len() > 1, commit_each);
        index
    }

    fn paths(index: &Index, request: SearchRequest) -> Vec<String> {
        index
            .search(&request)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.path)
            .collect()
    }

    #[test]
    fn ties_go_newer_first_then_by_path_on_every_page() {
        for (index, sort) in [
            (ties(true), Sort::Relevance),
            (ties(true), Sort::Date),
            (ties(false), Sort::Relevance),
        ] {
            // The six are one text: every copy, as results of their own.
            let request = || SearchRequest::new("峄城").sort(sort).all_copies(true);
            let hits = index.search(&request()).unwrap().hits;
            if sort == Sort::Relevance {
                assert!(hits.iter().all(|h| h.score == hits[0].score), "{hits:?}");
            }
            let all = paths(&index, request());
            assert_eq!(all, ["c", "e", "a", "b", "d", "f"], "{sort:?}");
            let pages: Vec<String> = (0..3)
                .flat_map(|page| paths(&index, request().limit(2).offset(page * 2)))
                .collect();
            assert_eq!(pages, all, "{sort:?}");
        }
    }

    /// The page scored only where a match may make it is the page of every match scored, at
    /// every offset: one segment where a few articles have the query in the title (a tier)
    /// and most have it only in the body, the best of them last, with exclusions, filters
    /// and quoted strings.
    #[test]
    fn pages_scored_where_they_may_change_equal_pages_of_every_match_scored() {
        use tantivy::collector::{Collector, Count};
        use tantivy::query::EnableScoring;

        use super::{Gather, Page};

        let index = Index::create_in_ram();
        let articles = (0..300).map(|i| {
            let title = match i % 30 {
                0 => "峄城区召开会议".to_string(),
                1 => "峄城新闻".to_string(),
                2 => "会议在峄城召开".to_string(),
                _ => format!("第{i}期工作简报"),
            };
            // Later articles say it more often: the best of those in no tier come last.
            let body = format!("{}召开了会议，{}。", "峄城区".repeat(1 + i / 60), "简报".repeat(i % 3));
            let day = 1 + i % 28;
            let source = if i % 2 == 0 { "鲁网" } else { "枣庄日报" };
            let text = format!("{title}\n2022-05-{day:02} 10:00 来源:{source}\n{body}\n");
            (format!("{i:03}"), parse_article(&text).unwrap())
        });
        index.store().add_articles_on(Some(1), articles).unwrap();
        let searcher = index.searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let mut pruned_any = false;
        for q in [
            "峄城",
            "峄城 会议",
            "峄城召开会议",
            "\"召开\" 峄城",
            "峄城 -简报",
            "会议",
        ] {
            for (limit, offset) in [(1, 0), (10, 0), (5, 20), (10, 290)] {
                let mut request = SearchRequest::new(q).limit(limit).offset(offset);
                if offset == 20 {
                    request = request.source("鲁网");
                }
                let query = index.query_for(&request, &searcher).unwrap().query;
                let page = || Page::new(Sort::Relevance, limit, offset, index.fields());
                let every = searcher.search(query.as_ref(), &page()).unwrap();
                let (total, gathered) = searcher
                    .search(query.as_ref(), &Gather::new(Count, Some(page())))
                    .unwrap();
                assert_eq!(gathered.unwrap(), every, "{q} {limit} {offset}");
                assert_eq!(total, searcher.search(query.as_ref(), &Count).unwrap(), "{q}");
                let weight = query.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
                let gather = Gather::new(Count, Some(page()));
                let (_, segment) = gather
                    .collect_segment(weight.as_ref(), 0, searcher.segment_reader(0))
                    .unwrap();
                pruned_any |= segment.unwrap().scores < total;
            }
        }
        assert!(pruned_any, "some page was found without scoring every match");
    }
}
