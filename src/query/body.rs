//! An exact string in the body: the query over the body's grams ([`crate::grams`]).
//!
//! A single character is every term that starts with it; a longer string is a phrase of
//! bigrams at every other position plus the last (`gram_terms`). Each segment's
//! matches are found at once, by walking the rarest bigram's positions and looking the others up
//! where the string puts them, and scored as tantivy scores a term or a phrase: BM25 over the
//! count of the string in the article, the body's length and the bigrams' document
//! frequencies (a character's is counted exactly, as [`super::title_char`] does for the title).

use tantivy::query::{Bm25StatisticsProvider, Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::score::{char_bm25, explain, MatchScorer, Norms};
use crate::grams::{self, CharMatches, Grams, GramsCache, Matches, Positions};
use crate::text::analyzers::gram_terms;

/// Articles whose body contains a folded string.
#[derive(Clone, Debug)]
pub(crate) struct BodyQuery {
    body: Field,
    find: Find,
    cache: GramsCache,
}

#[derive(Clone, Debug)]
enum Find {
    /// One character.
    Char(char),
    /// Bigrams at their offsets in the string: `(offset, term as tantivy names it, term)`.
    Grams(Vec<(u32, Term, u64)>),
}

impl BodyQuery {
    /// Articles whose `body` contains `text` (folded).
    pub(crate) fn new(body: Field, text: &str, cache: &GramsCache) -> BodyQuery {
        let mut letters = text.chars();
        let find = match (letters.next(), letters.next()) {
            (Some(ch), None) => Find::Char(ch),
            _ => Find::Grams(
                gram_terms(text)
                    .into_iter()
                    .map(|(offset, gram)| {
                        let mut chars = gram.chars();
                        let first = chars.next().unwrap_or_default();
                        let term = grams::term(first, chars.next());
                        (offset as u32, Term::from_field_text(body, &gram), term)
                    })
                    .collect(),
            ),
        };
        BodyQuery {
            body,
            find,
            cache: cache.clone(),
        }
    }

    fn char_matches(&self, reader: &SegmentReader, grams: &Grams, ch: char) -> tantivy::Result<Matches> {
        self.cache.matches(reader, self.body, ch, || char_matches(grams, ch))
    }
}

/// The articles holding a term that starts with `ch`, with how many each holds.
fn char_matches(grams: &Grams, ch: char) -> tantivy::Result<CharMatches> {
    let (from, to) = grams::terms_starting_with(ch);
    let terms = grams.term_range(from, to)?;
    if terms.is_empty() {
        return Ok(CharMatches::from_pairs(Vec::new()));
    }
    let mut counts = vec![0u32; grams.articles];
    for info in &terms {
        let mut positions = grams.positions(info)?;
        grams.articles_of(&mut positions, |article| counts[article] += 1);
        if positions.is_damaged() {
            return Err(grams.damaged("a term's positions do not read"));
        }
    }
    Ok(CharMatches::from_counts(&counts))
}

/// The articles where every bigram of a string is at its offset from one start, found as
/// they are asked for: the rarest bigram leads, and the others are looked up where the string
/// puts them. Seeking an article seeks the lead to the article's first position.
struct StringScorer {
    grams: Grams,
    /// The bigram with the fewest positions, and its offset in the string.
    lead: (u32, Positions),
    others: Vec<(u32, Positions)>,
    /// The next lead position to read, and where each other bigram's search resumes.
    at: usize,
    cursors: Vec<usize>,
    /// A start found past the current article, not yet counted.
    pending: Option<u32>,
    article: usize,
    doc: DocId,
    /// Starts of the string in the current article.
    count: u32,
    doc_freq: u32,
    /// BM25 (boosted) and the body's norms; `None` when scoring is off.
    scoring: Option<(Bm25Weight, Norms)>,
    boost: Score,
}

impl StringScorer {
    fn new(
        grams: Grams,
        items: &[(u32, Term, u64)],
        scoring: Option<(Bm25Weight, Norms)>,
        boost: Score,
    ) -> tantivy::Result<StringScorer> {
        let mut lists = Vec::with_capacity(items.len());
        let mut doc_freq = u32::MAX;
        for &(offset, _, term) in items {
            match grams.find(term)? {
                Some(info) => {
                    doc_freq = doc_freq.min(info.doc_freq);
                    lists.push((offset, grams.positions(&info)?));
                }
                None => lists.clear(),
            }
            if lists.is_empty() {
                break;
            }
        }
        lists.sort_by_key(|(_, positions)| positions.len());
        let found = !lists.is_empty();
        let lead = if found {
            lists.remove(0)
        } else {
            (0, grams.positions_none())
        };
        let mut scorer = StringScorer {
            grams,
            lead,
            cursors: vec![0; lists.len()],
            others: lists,
            at: 0,
            pending: None,
            article: 0,
            doc: TERMINATED,
            count: 0,
            doc_freq: if found { doc_freq } else { 0 },
            scoring,
            boost,
        };
        if found {
            scorer.find();
        }
        Ok(scorer)
    }

    /// The next start of the whole string at or after the lead's cursor.
    fn next_start(&mut self) -> Option<u32> {
        let (lead_offset, lead) = &mut self.lead;
        'starts: while self.at < lead.len() {
            let position = lead.get(self.at);
            self.at += 1;
            let Some(start) = position.checked_sub(*lead_offset) else {
                continue;
            };
            for ((offset, positions), cursor) in self.others.iter_mut().zip(&mut self.cursors) {
                let target = start.checked_add(*offset)?;
                *cursor = positions.seek(*cursor, target);
                if *cursor == positions.len() {
                    self.at = lead.len();
                    return None;
                }
                if positions.get(*cursor) != target {
                    continue 'starts;
                }
            }
            return Some(start);
        }
        None
    }

    /// Moves to the next article holding the string, counting the starts in it.
    fn find(&mut self) -> DocId {
        let Some(first) = self.pending.take().or_else(|| self.next_start()) else {
            self.doc = TERMINATED;
            return self.doc;
        };
        self.article = self.grams.article_of(first);
        let end = self.grams.start(self.article + 1);
        self.count = 1;
        loop {
            match self.next_start() {
                Some(start) if start < end => self.count += 1,
                later => {
                    self.pending = later;
                    break;
                }
            }
        }
        self.doc = self.article as DocId;
        self.doc
    }
}

impl DocSet for StringScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.find();
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if target as usize >= self.grams.articles {
            self.doc = TERMINATED;
            return self.doc;
        }
        let from = self.grams.start(target as usize);
        if self.pending.is_none_or(|start| start < from) {
            self.pending = None;
            let (lead_offset, lead) = &mut self.lead;
            self.at = lead.seek(self.at, from.saturating_add(*lead_offset));
        }
        self.article = target as usize;
        self.find()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.doc_freq
    }
}

impl Scorer for StringScorer {
    fn score(&mut self) -> Score {
        match &self.scoring {
            Some((bm25, norms)) => bm25.score(norms.id(self.doc), self.count),
            None => self.boost,
        }
    }
}

/// The body's statistics across a searcher's segments, as tantivy's BM25 asks for them.
struct Statistics<'a> {
    segments: &'a [Grams],
    docs: u64,
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, _field: Field) -> tantivy::Result<u64> {
        Ok(self.segments.iter().map(|g| g.tokens).sum())
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let value = term.value();
        let mut chars = value.as_str().unwrap_or_default().chars();
        let term = grams::term(chars.next().unwrap_or_default(), chars.next());
        let mut doc_freq = 0;
        for grams in self.segments {
            doc_freq += grams.find(term)?.map_or(0, |info| u64::from(info.doc_freq));
        }
        Ok(doc_freq)
    }
}

impl BodyQuery {
    /// BM25 of the string across the searcher; `None` when scoring is off or the string
    /// has no bigrams.
    pub(crate) fn bm25(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Option<Bm25Weight>> {
        let EnableScoring::Enabled {
            searcher,
            statistics_provider,
        } = scoring
        else {
            return Ok(None);
        };
        let segments: Vec<Grams> = searcher
            .segment_readers()
            .iter()
            .map(|reader| self.cache.grams(reader))
            .collect::<tantivy::Result<_>>()?;
        let statistics = Statistics {
            segments: &segments,
            docs: statistics_provider.total_num_docs()?,
        };
        match &self.find {
            Find::Char(ch) => {
                let doc_freq = self.cache.doc_freq(searcher, self.body, *ch, |reader| {
                    char_matches(&self.cache.grams(reader)?, *ch)
                })?;
                let tokens = statistics.total_num_tokens(self.body)?;
                Ok(Some(char_bm25(doc_freq, statistics.docs, tokens)))
            }
            Find::Grams(items) if items.is_empty() => Ok(None),
            Find::Grams(items) => {
                let terms: Vec<Term> = items.iter().map(|(_, term, _)| term.clone()).collect();
                Ok(Some(Bm25Weight::for_terms(&statistics, &terms)?))
            }
        }
    }
}

impl Query for BodyQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(BodyWeight {
            query: self.clone(),
            bm25: self.bm25(scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        if let Find::Grams(items) = &self.find {
            for (_, term, _) in items {
                visitor(term, true);
            }
        }
    }
}

struct BodyWeight {
    query: BodyQuery,
    /// `None` when scoring is off.
    bm25: Option<Bm25Weight>,
}

impl Weight for BodyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let grams = self.query.cache.grams(reader)?;
        let scoring = self
            .bm25
            .as_ref()
            .map(|bm25| (bm25.boost_by(boost), Norms::Body(grams.clone())));
        Ok(match &self.query.find {
            Find::Char(ch) => Box::new(MatchScorer::new(
                self.query.char_matches(reader, &grams, *ch)?,
                scoring,
                boost,
            )),
            Find::Grams(items) => Box::new(StringScorer::new(grams, items, scoring, boost)?),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let grams = self.query.cache.grams(reader)?;
        let matches = match &self.query.find {
            Find::Char(ch) => self.query.char_matches(reader, &grams, *ch)?,
            Find::Grams(items) => {
                let mut scorer = StringScorer::new(grams.clone(), items, None, 1.0)?;
                let found = scorer.seek(doc) == doc;
                Matches::new(CharMatches::from_pairs(if found {
                    vec![(doc, scorer.count)]
                } else {
                    Vec::new()
                }))
            }
        };
        explain(&matches, self.bm25.as_ref(), || Ok(Norms::Body(grams)), doc)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tantivy::schema::Value;
    use tantivy::{DocAddress, TantivyDocument};

    use super::*;
    use crate::article::Article;
    use crate::text::fold;
    use crate::Index;

    /// Bodies with repeats, punctuation, letters and digits, full-width and traditional
    /// characters, spaces inside words, and nothing at all.
    const BODIES: [&str; 9] = [
        "哈哈哈哈，哈哈",
        "一座座基站，一座新楼。",
        "全县新建5G基站 5g网络",
        "ＡＢＣ国家與國家",
        "北 京市 北京",
        "",
        "座",
        "基站基站基站",
        "新楼\n一座",
    ];

    fn article(body: &str) -> Article {
        Article {
            title: "标题".to_string(),
            body: body.to_string(),
            ..Article::default()
        }
    }

    /// Bodies indexed in three commits (three segments or more), some deleted after.
    fn index(deleted: &[usize]) -> Index {
        let index = Index::create_in_ram();
        for chunk in [0..3, 3..6, 6..BODIES.len()] {
            let batch = chunk.map(|i| (i.to_string(), article(BODIES[i])));
            index.add_articles(batch).unwrap();
        }
        if !deleted.is_empty() {
            let mut writer = index.store().writer(Some(1)).unwrap();
            for &i in deleted {
                index.store().delete_file(&writer, &i.to_string());
            }
            index.store().commit(&mut writer).unwrap();
        }
        index
    }

    /// Each live article holding `text` (by number), with how many times it starts there.
    fn found(index: &Index, text: &str) -> BTreeMap<usize, u32> {
        let query = BodyQuery::new(index.fields().body, text, index.grams_cache());
        let searcher = index.searcher();
        let mut found = BTreeMap::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let grams = index.grams_cache().grams(reader).unwrap();
            let mut counts: Vec<(DocId, u32)> = Vec::new();
            match &query.find {
                Find::Char(ch) => counts.extend(char_matches(&grams, *ch).unwrap().iter()),
                Find::Grams(items) => {
                    let mut scorer = StringScorer::new(grams, items, None, 1.0).unwrap();
                    while scorer.doc() != TERMINATED {
                        counts.push((scorer.doc(), scorer.count));
                        scorer.advance();
                    }
                }
            }
            for (doc, count) in counts {
                if reader.alive_bitset().is_some_and(|alive| !alive.is_alive(doc)) {
                    continue;
                }
                let stored: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc)).unwrap();
                let path = stored.get_first(index.fields().path).unwrap().as_str().unwrap();
                found.insert(path.parse().unwrap(), count);
            }
        }
        found
    }

    /// What Ctrl+F finds: every start of `text` in each live folded body, overlaps included.
    fn expected(text: &str, deleted: &[usize]) -> BTreeMap<usize, u32> {
        let needle: Vec<char> = text.chars().collect();
        let mut expected = BTreeMap::new();
        for (i, body) in BODIES.iter().enumerate().filter(|(i, _)| !deleted.contains(i)) {
            let hay: Vec<char> = fold(body).chars().collect();
            let count = hay.windows(needle.len()).filter(|w| *w == needle.as_slice()).count();
            if count > 0 {
                expected.insert(i, count as u32);
            }
        }
        expected
    }

    /// Every string of one to six characters in the bodies, and a few that are in none.
    fn needles() -> Vec<String> {
        let mut needles: Vec<String> = vec!["不在".into(), "哈哈哈哈哈哈".into(), "京北".into(), "z".into()];
        for body in BODIES {
            let chars: Vec<char> = fold(body).chars().collect();
            for len in 1..=6 {
                needles.extend(chars.windows(len).map(|w| w.iter().collect::<String>()));
            }
        }
        needles.sort();
        needles.dedup();
        needles
    }

    fn assert_like_ctrl_f(index: &Index, deleted: &[usize]) {
        for needle in needles() {
            assert_eq!(found(index, &needle), expected(&needle, deleted), "{needle:?}");
        }
    }

    #[test]
    fn a_string_is_found_where_ctrl_f_finds_it_and_counted_as_often() {
        assert_like_ctrl_f(&index(&[]), &[]);
    }

    #[test]
    fn merged_segments_keep_every_live_match_and_drop_the_deleted() {
        let deleted = [1, 4, 8];
        let index = index(&deleted);
        assert_like_ctrl_f(&index, &deleted);
        assert!(index.merge_all() > 1, "the test needs segments to merge");
        assert_eq!(index.searcher().segment_readers().len(), 1);
        assert_like_ctrl_f(&index, &deleted);
    }

    /// A character's document frequency over the searcher counts the bodies holding it once,
    /// whether none, some or all of the segments' matches are kept already (the others are
    /// read side by side).
    #[test]
    fn a_characters_document_frequency_counts_each_segment_once() {
        let index = index(&[]);
        let searcher = index.searcher();
        let readers = searcher.segment_readers();
        assert!(readers.len() >= 3, "the test needs segments to read side by side");
        let (cache, body) = (index.grams_cache(), index.fields().body);
        for ch in ['哈', '座', '基', '北', '新', '国', 'z', '不'] {
            let expected = BODIES.iter().filter(|b| fold(b).contains(ch)).count() as u64;
            let read = |reader: &SegmentReader| char_matches(&cache.grams(reader)?, ch);
            cache.matches(&readers[1], body, ch, || read(&readers[1])).unwrap();
            for _ in 0..2 {
                assert_eq!(cache.doc_freq(&searcher, body, ch, read).unwrap(), expected, "{ch}");
            }
        }
    }

    #[test]
    fn scores_are_bm25_over_the_count_and_the_body_length() {
        // 基站 three times in a short body outranks twice, once and once in longer ones.
        let index = index(&[]);
        let query = BodyQuery::new(index.fields().body, "基站", index.grams_cache());
        let searcher = index.searcher();
        let top = searcher
            .search(&query, &tantivy::collector::TopDocs::with_limit(10).order_by_score())
            .unwrap();
        assert_eq!(top.len(), 3);
        let first: TantivyDocument = searcher.doc(top[0].1).unwrap();
        assert_eq!(first.get_first(index.fields().path).unwrap().as_str(), Some("7"));
        assert!(top[0].0 > top[1].0 && top[1].0 > 0.0, "{top:?}");
    }
}
