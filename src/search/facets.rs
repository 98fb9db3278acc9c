//! Facet counts over every match, without the costs tantivy's `FacetCollector` pays on
//! facets with many distinct values.
//!
//! `FacetCollector` turns each counted ordinal into its term with one dictionary lookup, and
//! each lookup decompresses a dictionary block (a new zstd context each): with tens of
//! thousands of distinct keywords, that dominates a query. Resolving the counted ordinals in
//! one sorted pass per segment still decompresses every block a broad query touches, and
//! merging the segments' counts by name hashes every value again.
//!
//! Here each field's values are numbered across segments (the index's
//! `FacetNumbering`). A query counts ordinals into an array per
//! segment, resolves only the counted ordinals not resolved before (one sorted pass over the
//! dictionary), adds the counts by number and names only the values it lists. A segment
//! counted before is counted from a table of its ordinals by document; where a query matches
//! most of it, from the documents it does not match, found once a block for every field.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, COLLECT_BLOCK_BUFFER_LEN};

use crate::article::Force;
use crate::search::numbering::FacetNumbering;
use crate::search::numbering::{ByDoc, Counts, DocOrds, Listed, NO_VALUE};

/// Counts the values of single-level facet fields over the matching documents, each field
/// listing its `Listed` values. The fields share each block of matches: whether a segment is
/// counted by its matches or by the documents between them is decided once, and the
/// documents between them are found once, for every field.
pub(crate) struct FacetCounters<const N: usize> {
    fields: [(&'static str, Listed); N],
    values: Arc<FacetNumbering>,
}

impl<const N: usize> FacetCounters<N> {
    /// Counts `fields`, each listing its values as it says.
    pub(crate) fn new(values: Arc<FacetNumbering>, fields: [(&'static str, Listed); N]) -> FacetCounters<N> {
        FacetCounters { fields, values }
    }

    /// Counts `fields`, each listing every value, by count.
    pub(crate) fn every_value(values: Arc<FacetNumbering>, fields: [&'static str; N]) -> FacetCounters<N> {
        FacetCounters::new(values, fields.map(|field| (field, Listed::MostFrequent(usize::MAX))))
    }

    fn field(&self, field: &'static str, segment: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        // A facet field's column: the ordinals of each document's values, and their dictionary.
        let column = self.values.column(field, segment)?;
        let table = column
            .as_ref()
            .and_then(|c| self.values.table(field, segment.segment_id(), c, segment.max_doc()));
        Ok(SegmentCounter {
            table,
            tally: Tally {
                field,
                segment: segment.segment_id(),
                values: self.values.clone(),
                terms: column.as_ref().map_or(0, |c| c.num_terms()),
                counts: None,
                touched: Some(Vec::new()),
            },
            column,
            gathered: Vec::new(),
            docs: Vec::new(),
            rows: Vec::new(),
            ords: Vec::new(),
        })
    }

    /// One field's counts over the segments, summed by value number and named.
    fn merge_field(&self, field: &'static str, listed: Listed, fruits: Vec<Vec<(u32, u32)>>) -> (Counts, usize) {
        // Value numbers run as high as the values the index has named, which in a
        // long-lived index is most of a field's values: a query that counts few of them
        // sums them sorted, not in an array as long as all of them.
        let pairs: usize = fruits.iter().map(Vec::len).sum();
        let end = fruits
            .iter()
            .flatten()
            .map(|&(number, _)| number as usize + 1)
            .max()
            .unwrap_or(0);
        if pairs.saturating_mul(SPARSE) < end {
            let mut sorted: Vec<(u32, u32)> = fruits.into_iter().flatten().collect();
            sorted.sort_unstable_by_key(|&(number, _)| number);
            let mut summed: Vec<(usize, u64)> = Vec::with_capacity(sorted.len());
            for (number, count) in sorted {
                match summed.last_mut() {
                    Some(last) if last.0 == number as usize => last.1 += u64::from(count),
                    _ => summed.push((number as usize, u64::from(count))),
                }
            }
            return self.values.top(field, summed, listed);
        }
        let mut counts: Vec<u64> = vec![0; end];
        for (number, count) in fruits.into_iter().flatten() {
            counts[number as usize] += u64::from(count);
        }
        let counted = counts.into_iter().enumerate().filter(|&(_, count)| count > 0);
        self.values.top(field, counted, listed)
    }
}

impl<const N: usize> Collector for FacetCounters<N> {
    /// For each field, in order: the listed values with their counts, and how many other
    /// values have a count. Counted by value number, named once all segments are added.
    type Fruit = [(Counts, usize); N];
    type Child = SegmentCounters;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentCounters> {
        Ok(SegmentCounters {
            fields: self
                .fields
                .iter()
                .map(|&(field, _)| self.field(field, segment))
                .collect::<tantivy::Result<_>>()?,
            blocks: Blocks {
                by: By::Undecided,
                runs: Vec::new(),
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Vec<(u32, u32)>>>) -> tantivy::Result<[(Counts, usize); N]> {
        let mut by_field: [Vec<Vec<(u32, u32)>>; N] = std::array::from_fn(|_| Vec::new());
        for segment in fruits {
            for (field, counted) in by_field.iter_mut().zip(segment) {
                field.push(counted);
            }
        }
        let mut fields = self.fields.iter().zip(by_field);
        Ok(std::array::from_fn(|_| match fields.next() {
            Some((&(field, listed), fruits)) => self.merge_field(field, listed, fruits),
            None => (Counts::new(), 0),
        }))
    }
}

/// Counts the matches in each state of [`Force`] on a given day, from the 有效性 stated and
/// the 有效期至 each document keeps (fast fields): the state changes with the day, so it is
/// worked out per match, never kept.
pub(crate) struct ForceCounter {
    pub(crate) today: chrono::NaiveDate,
}

impl Collector for ForceCounter {
    /// Matches in force, expired and repealed.
    type Fruit = [u64; 3];
    type Child = ForceSegmentCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<ForceSegmentCounter> {
        let fast = segment.fast_fields();
        let stated = fast.u64(crate::store::schema::FORCE)?.first_or_default_col(0);
        let until = fast.date(crate::store::schema::VALID_UNTIL)?;
        // A segment of news says nothing of 有效性: its matches are not looked at one by one.
        let silent = stated.max_value() == 0 && until.values.num_vals() == 0;
        Ok(ForceSegmentCounter {
            stated,
            until,
            silent,
            today: self.today,
            counts: [0; 3],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<[u64; 3]>) -> tantivy::Result<[u64; 3]> {
        let mut sum = [0; 3];
        for fruit in fruits {
            for (total, count) in sum.iter_mut().zip(fruit) {
                *total += count;
            }
        }
        Ok(sum)
    }
}

pub(crate) struct ForceSegmentCounter {
    stated: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    until: tantivy::columnar::Column<tantivy::DateTime>,
    /// No document of the segment states a 有效性 or an end.
    silent: bool,
    today: chrono::NaiveDate,
    counts: [u64; 3],
}

impl SegmentCollector for ForceSegmentCounter {
    type Fruit = [u64; 3];

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.silent {
            return;
        }
        let stated = Force::from_code(self.stated.get_val(doc));
        let until = self
            .until
            .first(doc)
            .and_then(|until| chrono::DateTime::from_timestamp(until.into_timestamp_secs(), 0).map(|d| d.date_naive()));
        if let Some(force) = Force::on(stated, until, self.today) {
            self.counts[Force::ALL.iter().position(|&f| f == force).unwrap_or(0)] += 1;
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        if !self.silent {
            for &doc in docs {
                self.collect(doc, 0.0);
            }
        }
    }

    fn harvest(self) -> [u64; 3] {
        self.counts
    }
}

/// Value numbers per pair counted above which a field's counts are summed sorted
/// ([`FacetCounters::merge_field`]).
const SPARSE: usize = 16;

/// One segment's counts of every field.
pub(crate) struct SegmentCounters {
    fields: Vec<SegmentCounter>,
    blocks: Blocks,
}

/// One segment's counts of one field.
struct SegmentCounter {
    column: Option<StrColumn>,
    table: Option<Arc<DocOrds>>,
    tally: Tally,
    // Buffers of `collect_block`, kept between blocks.
    gathered: Vec<u32>,
    docs: Vec<DocId>,
    rows: Vec<u32>,
    ords: Vec<u64>,
}

/// How the fields with a table of ordinals count a segment's blocks of matches.
struct Blocks {
    /// Whether by the matches or by the documents between them, decided at the first block.
    by: By,
    /// Counting by the documents between matches, the runs of them up to the last block's
    /// last match, as `(first, end)`.
    runs: Vec<(DocId, DocId)>,
}

/// How a segment with a table of ordinals is counted.
#[derive(Clone, Copy)]
enum By {
    /// Not yet decided: no block has come.
    Undecided,
    /// Each match's values are counted.
    Matches,
    /// Most documents match: the values of the documents that do not (from the one given to
    /// the block before the next match) are counted, and the counts are the table's totals
    /// less those.
    Gaps(DocId),
}

impl Blocks {
    /// Takes the next block of matches (in order): decides how the segment is counted at
    /// the first, and finds the runs of documents it leaves out when counting by them.
    fn take(&mut self, docs: &[DocId]) {
        if let By::Undecided = self.by {
            self.by = decide(docs);
        }
        self.runs.clear();
        let (By::Gaps(next), Some(&first), Some(&last)) = (self.by, docs.first(), docs.last()) else {
            return;
        };
        if first > next {
            self.runs.push((next, first));
        }
        // A block without gaps (most, when most documents match) is one comparison.
        if (last - first) as usize != docs.len() - 1 {
            for pair in docs.windows(2) {
                if pair[1] > pair[0] + 1 {
                    self.runs.push((pair[0] + 1, pair[1]));
                }
            }
        }
        self.by = By::Gaps(last + 1);
    }
}

/// How a segment whose first block of matches is `docs` is counted: a full block that
/// covers most documents up to its last says the query matches most of the segment, and
/// counting the others costs less.
fn decide(docs: &[DocId]) -> By {
    match docs.last() {
        Some(&last) if docs.len() == COLLECT_BLOCK_BUFFER_LEN && (last as usize) < 2 * docs.len() => By::Gaps(0),
        _ => By::Matches,
    }
}

/// The ordinals of documents `from..to` in a table of several a document.
fn of_range<'a>(starts: &[u32], ords: &'a [u32], from: usize, to: usize) -> &'a [u32] {
    match (starts.get(from), starts.get(to)) {
        (Some(&from), Some(&to)) => ords.get(from as usize..to as usize).unwrap_or_default(),
        _ => &[],
    }
}

/// The ordinals of each of `docs`, one after another, into `gathered`.
#[inline(always)]
fn gather(docs: &[DocId], starts: &[u32], ords: &[u32], gathered: &mut Vec<u32>) {
    gathered.clear();
    for &doc in docs {
        let doc = doc as usize;
        for &ord in of_range(starts, ords, doc, doc + 1) {
            gathered.push(ord);
        }
    }
}

/// One segment's counts of one field.
struct Tally {
    field: &'static str,
    segment: SegmentId,
    values: Arc<FacetNumbering>,
    /// The number of values in the segment.
    terms: usize,
    /// Counts by ordinal: taken at the first match, so a segment without one costs nothing.
    counts: Option<Vec<u32>>,
    /// The ordinals counted, while they are few: the counts are then read, and cleared, by
    /// these instead of the whole array.
    touched: Option<Vec<u32>>,
}

impl Tally {
    /// Counts each of `ords` (a block of matches' values), noting the values counted while
    /// they are few: one loop, an array lookup and an increment a value, so the processor
    /// overlaps the lookups of a block's matches (scattered matches miss the cache).
    #[inline(always)]
    fn count_ords(&mut self, ords: impl Iterator<Item = u32>) {
        let mut touched = self.touched.take();
        if let Some(counts) = self.counts() {
            match &mut touched {
                Some(noted) => {
                    for ord in ords {
                        if let Some(count) = counts.get_mut(ord as usize) {
                            if *count == 0 {
                                noted.push(ord);
                            }
                            *count += 1;
                        }
                    }
                }
                None => {
                    for ord in ords {
                        if let Some(count) = counts.get_mut(ord as usize) {
                            *count += 1;
                        }
                    }
                }
            }
        }
        // Past an eighth of the values, one pass over the array costs less.
        self.touched = touched.filter(|noted| noted.len() <= self.terms / 8);
    }

    /// Counts the one ordinal each of `docs` has in `ords` (none past the end, or where it
    /// is no ordinal of the segment).
    #[inline(always)]
    fn count_one<T: Copy + Into<u32>>(&mut self, docs: &[DocId], ords: &[T]) {
        self.count_ords(
            docs.iter()
                .map(|&doc| ords.get(doc as usize).map_or(NO_VALUE, |&ord| ord.into())),
        );
    }

    /// Counts `n` documents of ordinal 0, the segment's only value.
    fn count_every(&mut self, n: usize) {
        let mut touched = self.touched.take();
        if let Some(count) = self.counts().and_then(|counts| counts.first_mut()) {
            if let Some(noted) = touched.as_mut().filter(|_| *count == 0 && n > 0) {
                noted.push(0);
            }
            *count += n as u32;
        }
        self.touched = touched;
    }

    /// Counts the values of the documents in `runs` (each `(first, end)`).
    fn count_runs(&mut self, table: &DocOrds, runs: &[(DocId, DocId)]) {
        self.touched = None;
        let docs = table.docs();
        let Some(counts) = self.counts() else {
            return;
        };
        fn add<T: Copy + Into<u32>>(counts: &mut [u32], ords: &[T]) {
            for &ord in ords {
                if let Some(count) = counts.get_mut(ord.into() as usize) {
                    *count += 1;
                }
            }
        }
        for &(from, to) in runs {
            let (from, to) = (from.min(docs) as usize, to.min(docs) as usize);
            match table.by_doc() {
                ByDoc::Every(_) => {
                    if let Some(count) = counts.first_mut() {
                        *count += to.saturating_sub(from) as u32;
                    }
                }
                ByDoc::One8(ords) => add(counts, ords.get(from..to).unwrap_or_default()),
                ByDoc::One16(ords) => add(counts, ords.get(from..to).unwrap_or_default()),
                ByDoc::One32(ords) => add(counts, ords.get(from..to).unwrap_or_default()),
                ByDoc::Many { starts, ords } => add(counts, of_range(starts, ords, from, to)),
            }
        }
    }

    /// The counts by ordinal, taken at the first use. A spare array may be longer than this
    /// segment's values; an ordinal past them (or a document's mark of no value) is not
    /// counted.
    #[inline(always)]
    fn counts(&mut self) -> Option<&mut [u32]> {
        self.counts
            .get_or_insert_with(|| self.values.take_counts(self.field, self.terms))
            .get_mut(..self.terms)
    }
}

impl SegmentCollector for SegmentCounters {
    /// For each field, (value number, count) for every value counted in the segment.
    type Fruit = Vec<Vec<(u32, u32)>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        if self.fields.iter().any(|field| field.table.is_some()) {
            self.blocks.take(docs);
        }
        for field in &mut self.fields {
            field.collect_block(docs, &self.blocks);
        }
    }

    fn harvest(self) -> Vec<Vec<(u32, u32)>> {
        let blocks = self.blocks;
        self.fields.into_iter().map(|field| field.harvest(&blocks)).collect()
    }
}

impl SegmentCounter {
    /// A block of matches at once: from the table when the segment has one (by the runs
    /// between matches when `blocks` says so), else by the column's batch lookups (row ids,
    /// then values).
    fn collect_block(&mut self, docs: &[DocId], blocks: &Blocks) {
        if let Some(table) = self.table.as_deref() {
            match (blocks.by, table.by_doc()) {
                (By::Gaps(_), _) => self.tally.count_runs(table, &blocks.runs),
                (_, ByDoc::Every(_)) => self.tally.count_every(docs.len()),
                // One value a document (every field but the keywords): a lookup a match.
                (_, ByDoc::One8(ords)) => self.tally.count_one(docs, ords),
                (_, ByDoc::One16(ords)) => self.tally.count_one(docs, ords),
                (_, ByDoc::One32(ords)) => self.tally.count_one(docs, ords),
                // The block's values gathered first, then counted: an iterator over each
                // document's slice does not inline, and the gathering overlaps the lookups.
                (_, ByDoc::Many { starts, ords }) => {
                    gather(docs, starts, ords, &mut self.gathered);
                    self.tally.count_ords(self.gathered.iter().copied());
                }
            }
            return;
        }
        let Some(column) = &self.column else {
            return;
        };
        self.docs.clear();
        self.rows.clear();
        let ords = column.ords();
        ords.row_ids_for_docs(docs, &mut self.docs, &mut self.rows);
        self.ords.clear();
        self.ords.resize(self.rows.len(), 0);
        ords.values.get_vals(&self.rows, &mut self.ords);
        self.tally.count_ords(self.ords.iter().map(|&ord| ord as u32));
    }

    /// Counting by the documents between matches, turns the counts of those into the
    /// counts of the matches.
    fn finish(&mut self, blocks: &Blocks) {
        if let (By::Gaps(next), Some(table)) = (blocks.by, self.table.as_deref()) {
            // The documents after the last match, then every value's total less the count of
            // the documents that did not match.
            self.tally.count_runs(table, &[(next, table.docs())]);
            if let Some(counts) = &mut self.tally.counts {
                for (count, &total) in counts.iter_mut().zip(table.totals()) {
                    *count = total.saturating_sub(*count);
                }
            }
        }
    }

    fn harvest(mut self, blocks: &Blocks) -> Vec<(u32, u32)> {
        self.finish(blocks);
        match &self.column {
            Some(column) => {
                let t = self.tally;
                match t.counts {
                    Some(counts) => t.values.numbered(t.field, t.segment, column, counts, t.touched),
                    None => Vec::new(),
                }
            }
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of every layout counts, by the matches and by the documents between them,
    /// what the documents' ordinals add up to.
    #[test]
    fn every_layout_counts_what_its_documents_hold() {
        let mut seed = 5u32;
        let mut next = |below: u32| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 8) % below
        };
        // (values in the segment, documents' values as `DocOrds::random_lists` draws them).
        for (terms, most) in [(1, 1), (3, 0), (200, 0), (1_000, 0), (70_000, 0), (500, 4)] {
            let lists = DocOrds::random_lists(5_000, terms as usize, most, terms);
            let table = Arc::new(DocOrds::of_lists(&lists, terms as usize));
            // Sparse, half and dense matches; counted by each way where it applies.
            for keep in [9, 50, 97] {
                let docs: Vec<DocId> = (0..lists.len() as DocId).filter(|_| next(100) < keep).collect();
                let mut expected = vec![0u32; terms as usize];
                for &doc in &docs {
                    for &ord in &lists[doc as usize] {
                        expected[ord as usize] += 1;
                    }
                }
                for by in [By::Matches, By::Gaps(0)] {
                    let mut counter = SegmentCounter {
                        column: None,
                        table: Some(Arc::clone(&table)),
                        tally: Tally {
                            field: crate::store::schema::KEYWORD,
                            segment: SegmentId::generate_random(),
                            values: Arc::new(FacetNumbering::default()),
                            terms: terms as usize,
                            counts: None,
                            touched: Some(Vec::new()),
                        },
                        gathered: Vec::new(),
                        docs: Vec::new(),
                        rows: Vec::new(),
                        ords: Vec::new(),
                    };
                    let mut blocks = Blocks { by, runs: Vec::new() };
                    for block in docs.chunks(COLLECT_BLOCK_BUFFER_LEN) {
                        blocks.take(block);
                        counter.collect_block(block, &blocks);
                    }
                    counter.finish(&blocks);
                    let counts = counter.tally.counts.unwrap_or_default();
                    assert_eq!(&counts[..terms as usize], expected, "{terms} terms, {keep}%");
                }
            }
        }
    }

    /// The runs a segment's blocks leave out, counting by them, are exactly the documents
    /// no block has, each once, in order.
    #[test]
    fn runs_are_the_documents_missing_between_matches() {
        let mut seed = 7u32;
        for round in 0..500 {
            let mut docs = Vec::new();
            let mut doc = 0;
            for _ in 0..1 + round % 300 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                // Mostly next to each other, as for a query matching most documents.
                doc += 1 + if seed >> 28 == 0 { (seed >> 16) % 9 } else { 0 };
                docs.push(doc);
            }
            let mut blocks = Blocks {
                by: By::Gaps(0),
                runs: Vec::new(),
            };
            let mut found = Vec::new();
            for block in docs.chunks(COLLECT_BLOCK_BUFFER_LEN) {
                blocks.take(block);
                found.extend(blocks.runs.iter().flat_map(|&(from, to)| from..to));
            }
            let walked: Vec<DocId> = (0..doc).filter(|d| !docs.contains(d)).collect();
            assert_eq!(found, walked, "{docs:?}");
        }
    }

    /// A segment is counted by the documents between matches only when its first block
    /// covers most documents up to its last.
    #[test]
    fn gaps_only_where_most_documents_match() {
        let block = |step: DocId, every: DocId| -> Vec<DocId> {
            (0..)
                .map(|d| d * step)
                .filter(|d| d % every != 0)
                .take(COLLECT_BLOCK_BUFFER_LEN)
                .collect()
        };
        assert!(matches!(decide(&block(1, DocId::MAX)), By::Gaps(0)), "every document");
        assert!(matches!(decide(&block(1, 3)), By::Gaps(0)), "two in three");
        assert!(matches!(decide(&block(2, DocId::MAX)), By::Matches), "every other one");
        assert!(matches!(decide(&block(3, DocId::MAX)), By::Matches), "one in three");
        assert!(matches!(decide(&[3, 4, 5]), By::Matches), "a block that is not full");
    }
}
