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
//! counted before is counted from a table of its ordinals by document.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, COLLECT_BLOCK_BUFFER_LEN};

use crate::article::Force;
use crate::search::numbering::FacetNumbering;
use crate::search::numbering::{Counts, DocOrds, Listed, NO_VALUE};

/// Counts the values of one single-level facet field over the matching documents.
pub(crate) struct FacetCounter {
    field: &'static str,
    values: Arc<FacetNumbering>,
    listed: Listed,
}

impl FacetCounter {
    /// Lists every value, by count.
    pub(crate) fn new(field: &'static str, values: Arc<FacetNumbering>) -> FacetCounter {
        FacetCounter::listing(field, values, Listed::MostFrequent(usize::MAX))
    }

    /// Lists the `listed` values.
    pub(crate) fn listing(field: &'static str, values: Arc<FacetNumbering>, listed: Listed) -> FacetCounter {
        FacetCounter { field, values, listed }
    }
}

impl Collector for FacetCounter {
    /// The listed values with their counts, in order, and how many other values have a count:
    /// counted by value number, named once all segments are added.
    type Fruit = (Counts, usize);
    type Child = SegmentCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        // A facet field's column: the ordinals of each document's values, and their dictionary.
        let column = self.values.column(self.field, segment)?;
        let table = column.as_ref().and_then(|c| {
            self.values
                .table(self.field, segment.segment_id(), c, segment.max_doc())
        });
        Ok(SegmentCounter {
            table,
            tally: Tally {
                field: self.field,
                segment: segment.segment_id(),
                values: self.values.clone(),
                terms: column.as_ref().map_or(0, |c| c.num_terms()),
                counts: None,
                touched: Some(Vec::new()),
            },
            column,
            by: By::Undecided,
            docs: Vec::new(),
            rows: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u32, u32)>>) -> tantivy::Result<(Counts, usize)> {
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
            return Ok(self.values.top(self.field, summed, self.listed));
        }
        let mut counts: Vec<u64> = vec![0; end];
        for (number, count) in fruits.into_iter().flatten() {
            counts[number as usize] += u64::from(count);
        }
        let counted = counts.into_iter().enumerate().filter(|&(_, count)| count > 0);
        Ok(self.values.top(self.field, counted, self.listed))
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
/// ([`FacetCounter::merge_fruits`]).
const SPARSE: usize = 16;

pub(crate) struct SegmentCounter {
    column: Option<StrColumn>,
    table: Option<Arc<DocOrds>>,
    /// Whether a segment with a table is counted by its matches or by the documents between
    /// them, decided at its first block.
    by: By,
    tally: Tally,
    // Buffers of `collect_block`, kept between blocks.
    docs: Vec<DocId>,
    rows: Vec<u32>,
    ords: Vec<u64>,
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

    /// Counts the values of the documents from `next` up to `docs`' last that are not among
    /// `docs` (each at or after `next`, in order), and returns the document after the last.
    fn count_gaps(&mut self, table: &DocOrds, next: DocId, docs: &[DocId]) -> DocId {
        self.touched = None;
        let (Some(&first), Some(&last)) = (docs.first(), docs.last()) else {
            return next;
        };
        let Some(counts) = self.counts() else {
            return last + 1;
        };
        let mut count = |from, to| {
            for &ord in table.of_range(from, to) {
                if let Some(count) = counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        };
        if first > next {
            count(next, first);
        }
        each_gap(docs, &mut count);
        last + 1
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

/// Calls `gap` with each run of documents missing between two of `docs` (in order, each
/// once), as `(first, end)`. A block without gaps is one comparison, a block with few a few
/// halvings: a query matching most documents leaves few.
fn each_gap(docs: &[DocId], gap: &mut impl FnMut(DocId, DocId)) {
    let (Some(&first), Some(&last)) = (docs.first(), docs.last()) else {
        return;
    };
    if last.wrapping_sub(first) as usize == docs.len() - 1 {
        return;
    }
    if docs.len() == 2 {
        gap(first + 1, last);
        return;
    }
    let middle = docs.len() / 2;
    each_gap(&docs[..=middle], gap);
    each_gap(&docs[middle..], gap);
}

impl SegmentCollector for SegmentCounter {
    /// (value number, count) for every value counted in the segment.
    type Fruit = Vec<(u32, u32)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.table.is_some() {
            self.collect_block(&[doc]);
            return;
        }
        let Some(column) = &self.column else {
            return;
        };
        self.tally
            .count_ords(column.ords().values_for_doc(doc).map(|ord| ord as u32));
    }

    /// A block of matches at once: from the table when the segment has one, else by the
    /// column's batch lookups (row ids, then values).
    fn collect_block(&mut self, docs: &[DocId]) {
        if let Some(table) = self.table.as_deref() {
            if let By::Undecided = self.by {
                // A full first block that covers most documents up to its last says the
                // query matches most of the segment: counting the others costs less.
                self.by = match docs.last() {
                    Some(&last) if docs.len() == COLLECT_BLOCK_BUFFER_LEN && last < 2 * docs.len() as DocId => {
                        By::Gaps(0)
                    }
                    _ => By::Matches,
                };
            }
            match (self.by, table.one_each()) {
                (By::Gaps(next), _) => self.by = By::Gaps(self.tally.count_gaps(table, next, docs)),
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

    fn harvest(mut self) -> Vec<(u32, u32)> {
        if let (By::Gaps(next), Some(table)) = (self.by, self.table.as_deref()) {
            // The documents after the last match, then every value's total less the count of
            // the documents that did not match.
            self.tally.count_gaps(table, next, &[table.docs()]);
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

    /// `each_gap` finds the runs missing between documents exactly as a walk over them does.
    #[test]
    fn gaps_are_the_documents_missing_between_matches() {
        let mut seed = 7u32;
        for round in 0..500 {
            let mut docs = Vec::new();
            let mut doc = 0;
            for _ in 0..1 + round % 70 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                // Mostly next to each other, as for a query matching most documents.
                doc += 1 + if seed >> 28 == 0 { (seed >> 16) % 9 } else { 0 };
                docs.push(doc);
            }
            let mut walked = Vec::new();
            for pair in docs.windows(2) {
                if pair[1] > pair[0] + 1 {
                    walked.push((pair[0] + 1, pair[1]));
                }
            }
            let mut found = Vec::new();
            each_gap(&docs, &mut |from, to| found.push((from, to)));
            assert_eq!(found, walked, "{docs:?}");
        }
    }
}
