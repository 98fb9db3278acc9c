//! Facet counts over every match, without the costs tantivy's `FacetCollector` pays on
//! facets with many distinct values.
//!
//! `FacetCollector` turns each counted ordinal into its term with one dictionary lookup, and
//! each lookup decompresses a dictionary block (creating a new zstd context): with tens of
//! thousands of distinct keywords, one query spent a second there. Resolving the counted
//! ordinals in one sorted pass per segment still decompressed every block a broad query
//! touched, and merging the segments' counts by name hashed every value again: most of a
//! query's time on a million articles.
//!
//! Here each field's values are numbered across segments ([`FacetValues`]), and each segment
//! keeps which of its ordinals it has already resolved to a number. A query counts ordinals
//! into an array per segment, resolves only the counted ordinals not resolved before (one
//! sorted pass over the dictionary), adds the counts by number and names the values once. A
//! one-shot search (the command) reads no more of the dictionary than it counted; a program
//! that keeps the index open resolves each ordinal once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// (value, count) pairs, each value once.
pub(crate) type Counts = Vec<(String, u64)>;

/// The values of every facet field, numbered across segments, and each segment's mapping from
/// its ordinals to those numbers. Shared by the searches of one index.
#[derive(Default)]
pub(crate) struct FacetValues {
    fields: Mutex<HashMap<&'static str, FieldValues>>,
}

#[derive(Default)]
struct FieldValues {
    names: Vec<String>,
    numbers: HashMap<String, u32>,
    /// Segment ordinal → value number, [`UNKNOWN`] until first counted.
    segments: HashMap<SegmentId, Vec<u32>>,
}

/// A segment ordinal not yet resolved to a value number.
const UNKNOWN: u32 = u32::MAX;

impl FacetValues {
    /// Forgets the mappings of segments not in `live` (merged away or deleted). Value names
    /// stay: they are few, and a value seen once is likely to be seen again.
    pub(crate) fn retain_segments(&self, live: &[SegmentId]) {
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        for field in fields.values_mut() {
            field.segments.retain(|id, _| live.contains(id));
        }
    }

    /// (value number, count) for the counted ordinals of one segment, resolving the ordinals
    /// this segment has not resolved before from its dictionary, in one sorted pass.
    fn numbered(&self, field: &'static str, segment: SegmentId, column: &StrColumn, counts: &[u32]) -> Vec<(u32, u32)> {
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        let values = fields.entry(field).or_default();
        let mut mapping = values
            .segments
            .remove(&segment)
            .unwrap_or_else(|| vec![UNKNOWN; counts.len()]);
        let missing: Vec<u64> = (0..counts.len())
            .filter(|&ord| counts[ord] > 0 && mapping[ord] == UNKNOWN)
            .map(|ord| ord as u64)
            .collect();
        let mut next = missing.iter();
        let _ = column.dictionary().sorted_ords_to_term_cb(&missing, |term| {
            let Some(&ord) = next.next() else {
                return;
            };
            // A facet term is its path with U+0000 between levels; these facets have one level.
            let value = term.split(|&b| b == 0).next().unwrap_or(term);
            let value = String::from_utf8_lossy(value);
            mapping[ord as usize] = match values.numbers.get(value.as_ref()) {
                Some(&number) => number,
                None => {
                    let number = values.names.len() as u32;
                    values.names.push(value.to_string());
                    values.numbers.insert(value.into_owned(), number);
                    number
                }
            };
        });
        let numbered = (0..counts.len())
            .filter(|&ord| counts[ord] > 0 && mapping[ord] != UNKNOWN)
            .map(|ord| (mapping[ord], counts[ord]))
            .collect();
        values.segments.insert(segment, mapping);
        numbered
    }

    /// Names the counted values: (value, count) for every number with a count.
    fn name(&self, field: &'static str, counts: &[u64]) -> Counts {
        let fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(values) = fields.get(field) else {
            return Counts::new();
        };
        counts
            .iter()
            .enumerate()
            .filter(|(_, &count)| count > 0)
            .map(|(number, &count)| (values.names[number].clone(), count))
            .collect()
    }
}

/// Counts the values of one single-level facet field over the matching documents.
pub(crate) struct FacetCounter {
    field: &'static str,
    values: Arc<FacetValues>,
}

impl FacetCounter {
    pub(crate) fn new(field: &'static str, values: Arc<FacetValues>) -> FacetCounter {
        FacetCounter { field, values }
    }
}

impl Collector for FacetCounter {
    /// Counts by value number, named once all segments are added.
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        // A facet field's column: the ordinals of each document's values, and their dictionary.
        let column = segment.fast_fields().str(self.field)?;
        Ok(SegmentCounter {
            field: self.field,
            segment: segment.segment_id(),
            values: self.values.clone(),
            counts: vec![0u32; column.as_ref().map_or(0, |c| c.num_terms())],
            column,
            docs: Vec::new(),
            rows: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u32, u32)>>) -> tantivy::Result<Counts> {
        let mut counts: Vec<u64> = Vec::new();
        for (number, count) in fruits.into_iter().flatten() {
            let number = number as usize;
            if number >= counts.len() {
                counts.resize(number + 1, 0);
            }
            counts[number] += u64::from(count);
        }
        Ok(self.values.name(self.field, &counts))
    }
}

pub(crate) struct SegmentCounter {
    field: &'static str,
    segment: SegmentId,
    values: Arc<FacetValues>,
    column: Option<StrColumn>,
    counts: Vec<u32>,
    // Buffers of `collect_block`, kept between blocks.
    docs: Vec<DocId>,
    rows: Vec<u32>,
    ords: Vec<u64>,
}

impl SegmentCollector for SegmentCounter {
    /// (value number, count) for every value counted in the segment.
    type Fruit = Vec<(u32, u32)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(column) = &self.column else {
            return;
        };
        for ord in column.ords().values_for_doc(doc) {
            if let Some(count) = self.counts.get_mut(ord as usize) {
                *count += 1;
            }
        }
    }

    /// A block of matches at once: the column's batch lookups (row ids, then values).
    fn collect_block(&mut self, docs: &[DocId]) {
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
            if let Some(count) = self.counts.get_mut(ord as usize) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> Vec<(u32, u32)> {
        match &self.column {
            Some(column) => self.values.numbered(self.field, self.segment, column, &self.counts),
            None => Vec::new(),
        }
    }
}
