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
//! `FacetValues`). A query counts ordinals into an array per
//! segment, resolves only the counted ordinals not resolved before (one sorted pass over the
//! dictionary), adds the counts by number and names only the values it lists. A segment
//! counted before is counted from a table of its ordinals by document.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::facet_values::{Counts, DocOrds, Listed};
use crate::index::FacetValues;

/// Counts the values of one single-level facet field over the matching documents.
pub(crate) struct FacetCounter {
    field: &'static str,
    values: Arc<FacetValues>,
    listed: Listed,
}

impl FacetCounter {
    /// Lists every value, by count.
    pub(crate) fn new(field: &'static str, values: Arc<FacetValues>) -> FacetCounter {
        FacetCounter::listing(field, values, Listed::MostFrequent(usize::MAX))
    }

    /// Lists the `listed` values.
    pub(crate) fn listing(field: &'static str, values: Arc<FacetValues>, listed: Listed) -> FacetCounter {
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
            docs: Vec::new(),
            rows: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u32, u32)>>) -> tantivy::Result<(Counts, usize)> {
        let mut counts: Vec<u64> = Vec::new();
        for (number, count) in fruits.into_iter().flatten() {
            let number = number as usize;
            if number >= counts.len() {
                counts.resize(number + 1, 0);
            }
            counts[number] += u64::from(count);
        }
        Ok(self.values.top(self.field, &counts, self.listed))
    }
}

pub(crate) struct SegmentCounter {
    column: Option<StrColumn>,
    table: Option<Arc<DocOrds>>,
    tally: Tally,
    // Buffers of `collect_block`, kept between blocks.
    docs: Vec<DocId>,
    rows: Vec<u32>,
    ords: Vec<u64>,
}

/// One segment's counts of one field.
struct Tally {
    field: &'static str,
    segment: SegmentId,
    values: Arc<FacetValues>,
    /// The number of values in the segment.
    terms: usize,
    /// Counts by ordinal: taken at the first match, so a segment without one costs nothing.
    counts: Option<Vec<u32>>,
    /// The ordinals counted, while they are few: the counts are then read, and cleared, by
    /// these instead of the whole array.
    touched: Option<Vec<u32>>,
}

impl Tally {
    /// Counts one match of ordinal `ord`.
    #[inline]
    fn count(&mut self, ord: u32) {
        if ord as usize >= self.terms {
            return;
        }
        let counts = self
            .counts
            .get_or_insert_with(|| self.values.take_counts(self.field, self.terms));
        let Some(count) = counts.get_mut(ord as usize) else {
            return;
        };
        if *count == 0 {
            if let Some(touched) = &mut self.touched {
                touched.push(ord);
                // Past an eighth of the values, one pass over the array costs less.
                if touched.len() > self.terms / 8 {
                    self.touched = None;
                }
            }
        }
        *count += 1;
    }
}

impl SegmentCollector for SegmentCounter {
    /// (value number, count) for every value counted in the segment.
    type Fruit = Vec<(u32, u32)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        match self.table.as_deref() {
            Some(DocOrds::One(ords)) => {
                if let Some(&ord) = ords.get(doc as usize) {
                    self.tally.count(ord);
                }
                return;
            }
            Some(DocOrds::Many { starts, ords }) => {
                let (Some(&from), Some(&to)) = (starts.get(doc as usize), starts.get(doc as usize + 1)) else {
                    return;
                };
                for &ord in ords.get(from as usize..to as usize).unwrap_or_default() {
                    self.tally.count(ord);
                }
                return;
            }
            None => {}
        }
        let Some(column) = &self.column else {
            return;
        };
        for ord in column.ords().values_for_doc(doc) {
            self.tally.count(ord as u32);
        }
    }

    /// A block of matches at once: from the table when the segment has one, else by the
    /// column's batch lookups (row ids, then values).
    fn collect_block(&mut self, docs: &[DocId]) {
        if self.table.is_some() {
            for &doc in docs {
                self.collect(doc, 0.0);
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
        for &ord in &self.ords {
            self.tally.count(ord as u32);
        }
    }

    fn harvest(self) -> Vec<(u32, u32)> {
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
