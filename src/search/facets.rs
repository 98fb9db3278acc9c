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
use crate::search::numbering::{Counts, DocOrds, Listed, NO_VALUE};

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

    /// Counts the values of the documents in `runs` (each `(first, end)`).
    fn count_runs(&mut self, table: &DocOrds, runs: &[(DocId, DocId)]) {
        self.touched = None;
        let Some(counts) = self.counts() else {
            return;
        };
        for &(from, to) in runs {
            for &ord in table.of_range(from, to) {
                if let Some(count) = counts.get_mut(ord as usize) {
                    *count += 1;
                }
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
            match (blocks.by, table.one_each()) {
                (By::Gaps(_), _) => self.tally.count_runs(table, &blocks.runs),
                // One value a document (every field but the keywords): a lookup a match, where
                // the iterator over each document's slice does not inline.
                (_, Some(ords)) => self.tally.count_ords(
                    docs.iter()
                        .map(|&doc| ords.get(doc as usize).map_or(NO_VALUE, |&ord| ord)),
                ),
                (_, None) => self
                    .tally
                    .count_ords(docs.iter().flat_map(|&doc| table.of(doc)).copied()),
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

    fn harvest(mut self, blocks: &Blocks) -> Vec<(u32, u32)> {
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
