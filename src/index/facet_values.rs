//! Each facet field's values, numbered across the index's segments.
//!
//! A segment's facet column numbers its values by ordinals of its own. A query counts
//! ordinals per segment; [`FacetValues`] gives each value one number across segments, and
//! each segment keeps which of its ordinals it has resolved to a number, so a long-lived
//! `Index` reads each ordinal's term from the dictionary once, and a one-shot search reads
//! no more of it than it counted.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::Searcher;

/// (value, count) pairs, each value once.
pub(crate) type Counts = Vec<(String, u64)>;

/// The values of every facet field, numbered across segments, and each segment's mapping from
/// its ordinals to those numbers. Shared by the searches of one index.
#[derive(Default)]
pub(crate) struct FacetValues {
    fields: Mutex<HashMap<&'static str, FieldValues>>,
    /// Each field's distinct values over the segments listed beside them.
    distinct: Mutex<HashMap<&'static str, Distinct>>,
}

#[derive(Default)]
struct FieldValues {
    names: Vec<String>,
    numbers: HashMap<String, u32>,
    /// Segment ordinal → value number, [`UNKNOWN`] until first counted.
    segments: HashMap<SegmentId, Vec<u32>>,
}

/// A field's distinct values, each with its folded form, and the segments they were read from.
type Distinct = (Vec<SegmentId>, Arc<Vec<(String, String)>>);

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

    /// Every distinct value of `field` in `searcher`'s segments, in order, with its folded
    /// form (what a filter value is compared as): read from each segment's dictionary and
    /// folded once, and again only when the segments change.
    pub(crate) fn distinct(
        &self,
        field: &'static str,
        searcher: &Searcher,
    ) -> tantivy::Result<Arc<Vec<(String, String)>>> {
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
        let mut distinct = self.distinct.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((segments, values)) = distinct.get(field) {
            if *segments == live {
                return Ok(Arc::clone(values));
            }
        }
        let mut values = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let Some(column) = segment.fast_fields().str(field)? else {
                continue;
            };
            let mut terms = column.dictionary().stream()?;
            while terms.advance() {
                // A facet term is its path with U+0000 between levels; these have one level.
                let key = terms.key();
                let value = key.split(|&b| b == 0).next().unwrap_or(key);
                values.insert(String::from_utf8_lossy(value).into_owned());
            }
        }
        let values: Vec<(String, String)> = values
            .into_iter()
            .map(|value| {
                let folded = crate::text::fold(&value);
                (value, folded)
            })
            .collect();
        let values = Arc::new(values);
        distinct.insert(field, (live, Arc::clone(&values)));
        Ok(values)
    }

    /// (value number, count) for the counted ordinals of one segment, resolving the ordinals
    /// this segment has not resolved before from its dictionary, in one sorted pass.
    pub(crate) fn numbered(
        &self,
        field: &'static str,
        segment: SegmentId,
        column: &StrColumn,
        counts: &[u32],
    ) -> Vec<(u32, u32)> {
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
    pub(crate) fn name(&self, field: &'static str, counts: &[u64]) -> Counts {
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
