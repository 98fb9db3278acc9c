//! Each facet field's values, numbered across the index's segments.
//!
//! A segment's facet column numbers its values by ordinals of its own. A query counts
//! ordinals per segment; [`FacetNumbering`] gives each value one number across segments, and
//! each segment keeps which of its ordinals it has resolved to a number, so a long-lived
//! `Index` reads each ordinal's term from the dictionary once, and a one-shot search reads
//! no more of it than it counted.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

/// (value, count) pairs, each value once.
pub(crate) type Counts = Vec<(String, u64)>;

/// Which values of a field to list.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Listed {
    /// The `n` most frequent, by count then by value.
    MostFrequent(usize),
    /// The `n` largest values (the latest months), largest first.
    Largest(usize),
}

/// The values of every facet field, numbered across segments, and each segment's mapping from
/// its ordinals to those numbers. Shared by the searches of one index.
#[derive(Default)]
pub(crate) struct FacetNumbering {
    fields: Mutex<HashMap<&'static str, FieldValues>>,
    /// Each field's distinct values over the segments listed beside them.
    distinct: Mutex<HashMap<&'static str, Distinct>>,
}

#[derive(Default)]
struct FieldValues {
    names: Vec<String>,
    numbers: HashMap<String, u32>,
    /// Segment ordinal → value number, [`UNKNOWN`] until first counted.
    segments: HashMap<SegmentId, Mapping>,
    /// Each segment's ordinals by document, once the segment has been counted twice.
    tables: HashMap<SegmentId, Table>,
    /// Each segment's column, opened once.
    columns: HashMap<SegmentId, Option<StrColumn>>,
    /// Arrays of counts by ordinal, all zero, for the next segments counted: a segment's
    /// count takes one, counts, and gives it back with the counted entries zeroed, so it
    /// neither allocates nor clears an array the size of the field's values, and the
    /// segments of a query count in the same few arrays, which stay in the processor's cache.
    spare: Vec<Vec<u32>>,
}

/// A segment's ordinals' value numbers, [`UNKNOWN`] until first counted, and how many are.
struct Mapping {
    numbers: Arc<Vec<u32>>,
    unknown: usize,
}

/// A segment's ordinals by document, or the mark that it was counted once without them.
enum Table {
    CountedOnce,
    Built(Arc<DocOrds>),
}

/// A facet field's ordinals of each document of a segment, read out of the column once: a
/// query then counts a match with an array lookup where the column takes several steps. A
/// one-shot search does not pay for reading every document: a segment gets its table when
/// it is counted a second time.
pub(crate) struct DocOrds {
    by_doc: ByDoc,
    /// How many documents have each ordinal, deleted ones included: a query matching most of
    /// the segment counts the documents it does not match and takes them from these.
    totals: Vec<u32>,
}

/// How a segment's ordinals are kept by document.
pub(crate) enum ByDoc {
    /// One value, which every document has (a news site's kind, a county's one source): a
    /// match counts without a lookup.
    Every(DocId),
    /// At most one value a document: its ordinal, the type's largest for none, in the
    /// narrowest type that holds the segment's ordinals. Most facets have few values a
    /// segment (sources, months, kinds), and a narrow table leaves the processor's cache to
    /// the keywords.
    One8(Vec<u8>),
    One16(Vec<u16>),
    One32(Vec<u32>),
    /// Document `d`'s ordinals are `ords[starts[d]..starts[d + 1]]`.
    Many {
        starts: Vec<u32>,
        ords: Vec<u32>,
    },
}

/// A document without a value, in [`ByDoc::One32`].
pub(crate) const NO_VALUE: u32 = u32::MAX;

/// Each document's one ordinal or none, as `T` (its largest value for none).
fn narrowed<T: TryFrom<u32> + Copy>(starts: &[u32], values: &[u32], none: T) -> Vec<T> {
    starts
        .windows(2)
        .map(|w| match values.get(w[0] as usize).filter(|_| w[1] > w[0]) {
            Some(&ord) => T::try_from(ord).unwrap_or(none),
            None => none,
        })
        .collect()
}

impl DocOrds {
    fn read(column: &StrColumn, docs: u32) -> DocOrds {
        let ords = column.ords();
        let mut starts = Vec::with_capacity(docs as usize + 1);
        let mut values = Vec::with_capacity(docs as usize);
        starts.push(0);
        for doc in 0..docs {
            values.extend(ords.values_for_doc(doc).map(|ord| ord as u32));
            starts.push(values.len() as u32);
        }
        DocOrds::new(starts, values, column.num_terms())
    }

    /// `docs` documents' ordinals, drawn by `seed` from `terms`: exactly one each where
    /// `most` is 1, else up to `most - 1` (at least one), some documents with none, and one
    /// with the highest ordinal.
    #[cfg(test)]
    pub(crate) fn random_lists(docs: usize, terms: usize, most: u32, seed: u32) -> Vec<Vec<u32>> {
        let mut seed = seed;
        let mut next = |below: u32| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 8) % below
        };
        let mut lists: Vec<Vec<u32>> = (0..docs)
            .map(|_| {
                let n = if most == 1 { 1 } else { next(most.max(2)) };
                (0..n).map(|_| next(terms as u32)).collect()
            })
            .collect();
        if most != 1 && docs > 8 {
            lists[7] = vec![terms as u32 - 1];
            lists[8].clear();
        }
        lists
    }

    /// The table of each document's ordinals, of `terms` ordinals in all.
    #[cfg(test)]
    pub(crate) fn of_lists(lists: &[Vec<u32>], terms: usize) -> DocOrds {
        let mut starts = vec![0];
        for list in lists {
            starts.push(starts.last().copied().unwrap_or(0) + list.len() as u32);
        }
        DocOrds::new(starts, lists.iter().flatten().copied().collect(), terms)
    }

    /// The table of document `d`'s ordinals `values[starts[d]..starts[d + 1]]`, of `terms`
    /// ordinals in all, kept in the narrowest layout that holds them.
    fn new(starts: Vec<u32>, values: Vec<u32>, terms: usize) -> DocOrds {
        let docs = starts.len().saturating_sub(1) as DocId;
        let mut totals = vec![0; terms];
        for &ord in &values {
            if let Some(total) = totals.get_mut(ord as usize) {
                *total += 1;
            }
        }
        let by_doc = if totals.len() == 1 && starts.windows(2).all(|w| w[1] - w[0] == 1) {
            ByDoc::Every(docs)
        } else if starts.windows(2).all(|w| w[1] - w[0] <= 1) {
            // The type's largest value marks no value, so it must be no ordinal.
            match totals.len() {
                terms if terms < usize::from(u8::MAX) => ByDoc::One8(narrowed(&starts, &values, u8::MAX)),
                terms if terms < usize::from(u16::MAX) => ByDoc::One16(narrowed(&starts, &values, u16::MAX)),
                _ => ByDoc::One32(narrowed(&starts, &values, NO_VALUE)),
            }
        } else {
            ByDoc::Many { starts, ords: values }
        };
        DocOrds { by_doc, totals }
    }

    /// The number of documents.
    pub(crate) fn docs(&self) -> DocId {
        match &self.by_doc {
            ByDoc::Every(docs) => *docs,
            ByDoc::One8(ords) => ords.len() as DocId,
            ByDoc::One16(ords) => ords.len() as DocId,
            ByDoc::One32(ords) => ords.len() as DocId,
            ByDoc::Many { starts, .. } => starts.len().saturating_sub(1) as DocId,
        }
    }

    /// How the documents' ordinals are kept.
    #[inline(always)]
    pub(crate) fn by_doc(&self) -> &ByDoc {
        &self.by_doc
    }

    /// How many documents have each ordinal, deleted ones included.
    pub(crate) fn totals(&self) -> &[u32] {
        &self.totals
    }
}

/// (value number, count) for each of the ordinals `counted` with a count and a number, their
/// counts cleared (those without a number too).
fn take_numbered(counts: &mut [u32], numbers: &[u32], counted: impl Iterator<Item = usize>) -> Vec<(u32, u32)> {
    let mut numbered = Vec::new();
    for ord in counted {
        let Some(count) = counts.get_mut(ord) else {
            continue;
        };
        if *count > 0 {
            if let Some(&number) = numbers.get(ord).filter(|&&number| number != UNKNOWN) {
                numbered.push((number, *count));
            }
            *count = 0;
        }
    }
    numbered
}

/// The value of a facet term: its path has U+0000 between levels, and these facets have one.
fn facet_value(term: &[u8]) -> String {
    let value = term.split(|&b| b == 0).next().unwrap_or(term);
    String::from_utf8_lossy(value).into_owned()
}

/// A segment's share of unnamed ordinals above which [`read_names`] reads its whole
/// dictionary: a dictionary block holds a hundred or more values, so this many ordinals
/// spread over most of its blocks.
const READ_WHOLE: usize = 128;

/// `(ordinal, value)` of the sorted ordinals `missing` of `column`, of which `unknown` of the
/// column's ordinals are still unnamed; or of every ordinal when `missing` is at least one in
/// [`READ_WHOLE`] of them. tantivy decompresses a dictionary block, with a new zstd context,
/// for each block a call reads, so naming a broad query's values a few at a time reads the
/// same blocks query after query; a whole pass reads each block once and names the segment
/// for good. A dictionary that does not read names nothing (those counts are left out).
fn read_names(column: &StrColumn, missing: &[u64], unknown: usize) -> Vec<(u32, String)> {
    let dictionary = column.dictionary();
    let mut names = Vec::new();
    if missing.len() < unknown && missing.len().saturating_mul(READ_WHOLE) >= column.num_terms() {
        if let Ok(mut terms) = dictionary.stream() {
            while terms.advance() {
                names.push((terms.term_ord() as u32, facet_value(terms.key())));
            }
        }
    } else {
        let mut ords = missing.iter();
        let _ = dictionary.sorted_ords_to_term_cb(missing, |term| {
            if let Some(&ord) = ords.next() {
                names.push((ord as u32, facet_value(term)));
            }
        });
    }
    names
}

/// A field's distinct values, each with its folded form, and the segments they were read from
/// with their deletions (a removed article can take a value away).
type Distinct = (Vec<(SegmentId, u32)>, Arc<Vec<(String, String)>>);

/// A segment ordinal not yet resolved to a value number.
const UNKNOWN: u32 = u32::MAX;

impl FacetNumbering {
    /// Forgets the mappings of segments not in `live` (merged away or deleted). Value names
    /// stay: they are few, and a value seen once is likely to be seen again.
    pub(crate) fn retain_segments(&self, live: &[SegmentId]) {
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        for field in fields.values_mut() {
            field.segments.retain(|id, _| live.contains(id));
            field.tables.retain(|id, _| live.contains(id));
            field.columns.retain(|id, _| live.contains(id));
        }
    }

    /// How many tables of ordinals by document are built.
    #[cfg(test)]
    pub(crate) fn table_count(&self) -> usize {
        let fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        fields
            .values()
            .flat_map(|f| f.tables.values())
            .filter(|t| matches!(t, Table::Built(_)))
            .count()
    }

    /// `field`'s column in `segment` (`None` if no document has a value), opened once.
    pub(crate) fn column(&self, field: &'static str, segment: &SegmentReader) -> tantivy::Result<Option<StrColumn>> {
        let id = segment.segment_id();
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(column) = fields.entry(field).or_default().columns.get(&id) {
            return Ok(column.clone());
        }
        drop(fields);
        let column = segment.fast_fields().str(field)?;
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        fields.entry(field).or_default().columns.insert(id, column.clone());
        Ok(column)
    }

    /// An array of at least `len` zero counts for `field`: a spare one if there is one.
    pub(crate) fn take_counts(&self, field: &'static str, len: usize) -> Vec<u32> {
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        let spare = fields.entry(field).or_default().spare.pop();
        drop(fields);
        let mut counts = spare.unwrap_or_default();
        if counts.len() < len {
            counts.resize(len, 0);
        }
        counts
    }

    /// Keeps `counts`, all zero again, for the next segment counted.
    fn give_back(values: &mut FieldValues, counts: Vec<u32>) {
        // One for each segment counted at once, a few searches' worth.
        if values.spare.len() < 8 {
            values.spare.push(counts);
        }
    }

    /// `field`'s ordinals by document in `segment`, when it has been counted before (read
    /// now on the second count); `None` the first time.
    pub(crate) fn table(
        &self,
        field: &'static str,
        segment: SegmentId,
        column: &StrColumn,
        docs: u32,
    ) -> Option<Arc<DocOrds>> {
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        let values = fields.entry(field).or_default();
        match values.tables.get(&segment) {
            Some(Table::Built(built)) => return Some(Arc::clone(built)),
            Some(Table::CountedOnce) => {}
            None => {
                values.tables.insert(segment, Table::CountedOnce);
                return None;
            }
        }
        drop(fields);
        // Read outside the lock: other segments' searches go on meanwhile.
        let built = Arc::new(DocOrds::read(column, docs));
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        fields
            .entry(field)
            .or_default()
            .tables
            .insert(segment, Table::Built(Arc::clone(&built)));
        Some(built)
    }

    /// Every distinct value of `field` in `searcher`'s segments, in order, with its folded
    /// form (what a filter value is compared as): read from each segment's dictionary and
    /// folded once, and again only when the segments change.
    pub(crate) fn distinct(
        &self,
        field: &'static str,
        searcher: &Searcher,
    ) -> tantivy::Result<Arc<Vec<(String, String)>>> {
        let live: Vec<(SegmentId, u32)> = searcher
            .segment_readers()
            .iter()
            .map(|s| (s.segment_id(), s.num_deleted_docs()))
            .collect();
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
            // A removed article's values stay in its segment's dictionary until a merge:
            // only the values some live article has are named.
            let used = segment.alive_bitset().map(|_| {
                let mut used = vec![false; column.num_terms()];
                for doc in segment.doc_ids_alive() {
                    for ord in column.term_ords(doc) {
                        used[ord as usize] = true;
                    }
                }
                used
            });
            let mut terms = column.dictionary().stream()?;
            while terms.advance() {
                if used.as_ref().is_none_or(|used| used[terms.term_ord() as usize]) {
                    values.insert(facet_value(terms.key()));
                }
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

    /// (value number, count) for the counted ordinals of one segment, `touched` (each once,
    /// in any order) or every ordinal with a count if `touched` is `None`, resolving the
    /// ordinals this segment has not resolved before from its dictionary ([`read_names`]).
    /// `counts` is zeroed and kept for the field's next segment counted.
    pub(crate) fn numbered(
        &self,
        field: &'static str,
        segment: SegmentId,
        column: &StrColumn,
        mut counts: Vec<u32>,
        touched: Option<Vec<u32>>,
    ) -> Vec<(u32, u32)> {
        let terms = column.num_terms();
        let lock = || self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        let known = lock()
            .get(field)
            .and_then(|values| values.segments.get(&segment))
            .map(|mapping| (Arc::clone(&mapping.numbers), mapping.unknown));
        // A segment whose every ordinal has its number (a long-lived index, after a few
        // queries): one pass over the counts, outside the lock.
        if let Some((numbers, 0)) = &known {
            let numbered = match touched {
                Some(touched) => take_numbered(&mut counts, numbers, touched.iter().map(|&ord| ord as usize)),
                None => take_numbered(&mut counts, numbers, 0..terms),
            };
            FacetNumbering::give_back(lock().entry(field).or_default(), counts);
            return numbered;
        }
        let counted: Vec<u32> = match touched {
            Some(mut touched) => {
                touched.sort_unstable();
                touched
            }
            None => (0..terms as u32).filter(|&ord| counts[ord as usize] > 0).collect(),
        };
        let missing: Vec<u64> = counted
            .iter()
            .filter(|&&ord| {
                known
                    .as_ref()
                    .is_none_or(|(numbers, _)| numbers[ord as usize] == UNKNOWN)
            })
            .map(|&ord| u64::from(ord))
            .collect();
        let unknown = known.map_or(terms, |(_, unknown)| unknown);
        // Read outside the lock: other segments' counts are named meanwhile.
        let names = read_names(column, &missing, unknown);
        let mut fields = lock();
        let values = fields.entry(field).or_default();
        let mut mapping = values.segments.remove(&segment).unwrap_or_else(|| Mapping {
            numbers: Arc::new(vec![UNKNOWN; terms]),
            unknown: terms,
        });
        let numbers = Arc::make_mut(&mut mapping.numbers);
        for (ord, value) in names {
            // Another search may have named this segment's ordinal meanwhile.
            let Some(number) = numbers.get_mut(ord as usize).filter(|number| **number == UNKNOWN) else {
                continue;
            };
            *number = match values.numbers.get(&value) {
                Some(&number) => number,
                None => {
                    let number = values.names.len() as u32;
                    values.numbers.insert(value.clone(), number);
                    values.names.push(value);
                    number
                }
            };
            mapping.unknown -= 1;
        }
        let numbered = take_numbered(&mut counts, numbers, counted.iter().map(|&ord| ord as usize));
        values.segments.insert(segment, mapping);
        FacetNumbering::give_back(values, counts);
        numbered
    }

    /// The `listed` values among those counted (`(value number, count)`, each number once,
    /// every count above 0), in order, named, and how many other values have a count. Only
    /// the listed values are copied: a broad query counts tens of
    /// thousands of keywords and lists ten.
    pub(crate) fn top(
        &self,
        field: &'static str,
        counts: impl IntoIterator<Item = (usize, u64)>,
        listed: Listed,
    ) -> (Counts, usize) {
        let fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(values) = fields.get(field) else {
            return (Counts::new(), 0);
        };
        let mut counted: Vec<(&str, u64)> = counts
            .into_iter()
            .filter_map(|(number, count)| Some((values.names.get(number)?.as_str(), count)))
            .collect();
        type Order = fn(&(&str, u64), &(&str, u64)) -> std::cmp::Ordering;
        let (n, order): (usize, Order) = match listed {
            Listed::MostFrequent(n) => (n, |a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))),
            Listed::Largest(n) => (n, |a, b| b.0.cmp(a.0)),
        };
        let unlisted = counted.len().saturating_sub(n);
        if unlisted > 0 {
            counted.select_nth_unstable_by(n, order);
            counted.truncate(n);
        }
        counted.sort_unstable_by(order);
        let named = counted
            .into_iter()
            .map(|(name, count)| (name.to_string(), count))
            .collect();
        (named, unlisted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Index;

    /// Each layout gives every document the ordinals it was built with: one value every
    /// document has, one value or none in each width, several values.
    #[test]
    fn each_layout_keeps_every_documents_ordinals() {
        let cases: [(usize, u32, &str); 6] = [
            (1, 1, "every"),
            (1, 0, "one8"),
            (254, 0, "one8"),
            (255, 0, "one16"),
            (65_535, 0, "one32"),
            (300, 3, "many"),
        ];
        for (terms, most, layout) in cases {
            let lists = DocOrds::random_lists(3_000, terms, most, 11);
            let table = DocOrds::of_lists(&lists, terms);
            let found = match table.by_doc() {
                ByDoc::Every(_) => "every",
                ByDoc::One8(_) => "one8",
                ByDoc::One16(_) => "one16",
                ByDoc::One32(_) => "one32",
                ByDoc::Many { .. } => "many",
            };
            assert_eq!(found, layout, "{terms} terms");
            assert_eq!(table.docs() as usize, lists.len());
            for (doc, list) in lists.iter().enumerate() {
                let kept: Vec<u32> = match table.by_doc() {
                    ByDoc::Every(_) => vec![0],
                    ByDoc::One8(ords) => vec![u32::from(ords[doc])],
                    ByDoc::One16(ords) => vec![u32::from(ords[doc])],
                    ByDoc::One32(ords) => vec![ords[doc]],
                    ByDoc::Many { starts, ords } => ords[starts[doc] as usize..starts[doc + 1] as usize].to_vec(),
                };
                // No value reads as an ordinal past the segment's.
                let kept: Vec<u32> = kept.into_iter().filter(|&ord| (ord as usize) < terms).collect();
                assert_eq!(&kept, list, "{layout}: document {doc}");
            }
            let mut totals = vec![0; terms];
            for &ord in lists.iter().flatten() {
                totals[ord as usize] += 1;
            }
            assert_eq!(table.totals(), totals);
        }
    }

    /// A few ordinals are read by themselves, and many are read with the rest of the
    /// dictionary; either way each ordinal gets its own value.
    #[test]
    fn values_are_read_a_few_at_a_time_or_all_at_once() {
        let texts: Vec<(String, String)> = (0..1000)
            .map(|n| {
                (
                    n.to_string(),
                    format!("新闻{n}\n2022-05-10 来源:鲁网\n新闻。\n新闻关键词:关键词{n:04}\n"),
                )
            })
            .collect();
        let index = Index::of_texts(&texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        index.merge_all();
        let searcher = index.searcher();
        let column = searcher.segment_readers()[0]
            .fast_fields()
            .str(crate::store::schema::KEYWORD)
            .unwrap()
            .unwrap();
        let terms = column.num_terms();
        assert_eq!(terms, 1000);
        let value = |ord: usize| format!("关键词{ord:04}");

        let few = [3, 250, 999];
        assert!(few.len() * READ_WHOLE < terms);
        let names = read_names(&column, &few, terms);
        assert_eq!(names, few.map(|ord| (ord as u32, value(ord as usize))));

        let many: Vec<u64> = (0..terms as u64).step_by(100).collect();
        assert!(many.len() * READ_WHOLE >= terms);
        let names = read_names(&column, &many, terms);
        assert_eq!(
            names,
            (0..terms).map(|ord| (ord as u32, value(ord))).collect::<Vec<_>>()
        );

        // The only ordinals still unnamed: read by themselves, however many.
        let names = read_names(&column, &many, many.len());
        assert_eq!(
            names,
            many.iter()
                .map(|&ord| (ord as u32, value(ord as usize)))
                .collect::<Vec<_>>()
        );
    }
}
