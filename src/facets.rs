//! Facet counts over every match, without the cost tantivy's `FacetCollector` pays on
//! facets with many distinct values.
//!
//! `FacetCollector` turns each counted ordinal into its term with one dictionary lookup, and
//! each lookup decompresses a dictionary block (creating a new zstd context): with tens of
//! thousands of distinct keywords, one query spent a second there. This collector counts
//! ordinals per segment and resolves them in one sorted pass over the dictionary.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts the values of one single-level facet field over the matching documents.
pub(crate) struct FacetCounter {
    field: &'static str,
}

impl FacetCounter {
    pub(crate) fn new(field: &'static str) -> FacetCounter {
        FacetCounter { field }
    }
}

/// (value, count) pairs, each value once.
pub(crate) type Counts = Vec<(String, u64)>;

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        let reader = segment.facet_reader(self.field)?;
        let counts = vec![0u32; reader.num_facets()];
        Ok(SegmentCounter { reader, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, mut fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        if fruits.len() <= 1 {
            return Ok(fruits.pop().unwrap_or_default());
        }
        let mut merged: HashMap<String, u64> = HashMap::new();
        for fruit in fruits {
            for (value, count) in fruit {
                *merged.entry(value).or_default() += count;
            }
        }
        Ok(merged.into_iter().collect())
    }
}

pub(crate) struct SegmentCounter {
    reader: FacetReader,
    counts: Vec<u32>,
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for ord in self.reader.facet_ords(doc) {
            if let Some(count) = self.counts.get_mut(ord as usize) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        let ords: Vec<u64> = (0..self.counts.len() as u64)
            .filter(|&o| self.counts[o as usize] > 0)
            .collect();
        let mut counts = Counts::with_capacity(ords.len());
        let mut next = ords.iter();
        // A facet term is its path with U+0000 between levels; these facets have one level.
        let _ = self.reader.facet_dict().sorted_ords_to_term_cb(&ords, |term| {
            if let Some(&ord) = next.next() {
                let value = term.split(|&b| b == 0).next().unwrap_or(term);
                let value = std::str::from_utf8(value)
                    .map_or_else(|_| String::from_utf8_lossy(value).into_owned(), str::to_string);
                counts.push((value, u64::from(self.counts[ord as usize])));
            }
        });
        counts
    }
}
