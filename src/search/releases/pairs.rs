//! Which fingerprints are near enough to be compared as copies of one release, kept between
//! indexing runs so that a run compares only the articles it added or merged.
//!
//! Two distinct fingerprints are a near pair when they are at most [`MAX_DISTANCE`] bits apart
//! and share the value of one of their sixteen 16-bit bands in a bucket that is not crowded
//! (at most [`MAX_BUCKET`] distinct fingerprints have that band value). The pairs, the
//! crowded buckets and the fingerprints more than one article has depend only on the set of
//! fingerprints, never on which segment holds which article, so a run that added articles
//! finds them by comparing the added ones with the buckets they fall in ([`Pairs::after`]),
//! and gets what comparing every bucket again ([`Pairs::derive`]) gives: a test holds them
//! equal after additions, deletions and merges.

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher};

use super::MAX_DISTANCE;
use crate::grams::{sort_by_key, Packed};
use crate::store::kept::{Decoder, Encoder, Kept, Live};
use crate::text::fingerprint::{distance, Print, PRINT_WORDS};

/// Bands of 16 bits in a fingerprint.
pub(crate) const BANDS: usize = PRINT_WORDS * 4;

/// The most distinct fingerprints of one band value compared with each other: a band value
/// shared by more is common to unrelated bodies, and articles that are one release share
/// other bands.
pub(crate) const MAX_BUCKET: usize = 64;

/// Band `k` of `print`.
pub(crate) fn band(print: &Print, k: usize) -> u16 {
    (print[k / 4] >> ((k % 4) * 16)) as u16
}

/// Every article's fingerprint (articles without one left out), in segment order.
pub(crate) fn live_prints(
    searcher: &Searcher,
    fields: &[Field; PRINT_WORDS],
) -> tantivy::Result<Vec<(Print, DocAddress)>> {
    let mut prints = Vec::with_capacity(searcher.num_docs() as usize);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let columns = fields
            .iter()
            .map(|f| segment.fast_fields().u64(searcher.schema().get_field_name(*f)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        for doc in segment.doc_ids_alive() {
            let mut print = [0u64; PRINT_WORDS];
            for (word, column) in print.iter_mut().zip(&columns) {
                *word = column.first(doc).unwrap_or(0);
            }
            if print != [0; PRINT_WORDS] {
                prints.push((print, DocAddress::new(ord as u32, doc)));
            }
        }
    }
    Ok(prints)
}

/// What found a set of pairs: the program and its limits. Pairs found otherwise are not
/// built on; the next run compares every bucket.
fn rules() -> String {
    format!("govsearch {} {MAX_DISTANCE} {MAX_BUCKET}", env!("CARGO_PKG_VERSION"))
}

/// What grouping reads beyond the fingerprints themselves.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Pairs {
    /// What found them ([`rules`]).
    rules: String,
    /// Near pairs of distinct fingerprints, the smaller first, in order.
    pub(crate) near: Vec<(Print, Print)>,
    /// Crowded buckets: (band, value), in order.
    pub(crate) crowded: Vec<(u8, u16)>,
    /// Fingerprints that more than one article has, in order.
    pub(crate) repeated: Vec<Print>,
}

impl Pairs {
    /// The pairs of `prints`, every bucket compared.
    pub(crate) fn derive(prints: &[(Print, DocAddress)]) -> Pairs {
        let mut values: Vec<Print> = prints.iter().map(|(print, _)| *print).collect();
        values.sort_unstable();
        let mut repeated: Vec<Print> = values.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
        repeated.dedup();
        values.dedup();
        let mut near = Vec::new();
        let mut crowded = Vec::new();
        let places = values.len() as u32;
        let mut members: Vec<Print> = Vec::new();
        for k in 0..BANDS {
            // The distinct fingerprints by their band value, each value's in their order: the
            // grams' radix sort of (value, place) pairs keeps equal values in place order.
            let mut keyed: Vec<u64> = (0..places)
                .map(|d| u64::pack(u64::from(band(&values[d as usize], k)), d))
                .collect();
            sort_by_key(&mut keyed, 16);
            for bucket in keyed.chunk_by(|a, b| a.key() == b.key()) {
                if bucket.len() > MAX_BUCKET {
                    crowded.push((k as u8, bucket[0].key() as u16));
                    continue;
                }
                // A bucket's fingerprints side by side: its pairs compare them from the cache.
                members.clear();
                members.extend(bucket.iter().map(|&pair| values[pair.position() as usize]));
                near_pairs(&members, &mut near);
            }
        }
        near.sort_unstable();
        near.dedup();
        crowded.sort_unstable();
        Pairs {
            rules: rules(),
            near,
            crowded,
            repeated,
        }
    }

    /// The pairs of `prints`, given `self`, the pairs of the articles before a run:
    /// `added[segment]` says whether a segment is new to the run (added or merged). Only the
    /// buckets the new segments' fingerprints fall in, and those crowded before, are compared
    /// (every bucket when they are a sixteenth of each band's values or more).
    pub(crate) fn after(&self, prints: &[(Print, DocAddress)], added: &[bool]) -> Pairs {
        if self.rules != rules() {
            return Pairs::derive(prints);
        }
        let is_added = |address: &DocAddress| added.get(address.segment_ord as usize).copied().unwrap_or(true);
        let mut candidates: Vec<Print> = prints.iter().filter(|(_, a)| is_added(a)).map(|(p, _)| *p).collect();
        candidates.sort_unstable();
        candidates.dedup();
        // The buckets to read again: the candidates' own and the crowded ones (deletions may
        // have emptied them below the limit).
        let mut wanted = vec![[0u64; 1 << 10]; BANDS];
        let mut want = |k: usize, value: u16| wanted[k][value as usize / 64] |= 1 << (value % 64);
        for print in &candidates {
            for k in 0..BANDS {
                want(k, band(print, k));
            }
        }
        for &(k, value) in &self.crowded {
            want(k as usize, value);
        }
        // The wanted buckets hold about the wanted share of each band's values of every
        // fingerprint: past one in sixteen on average (as many entries as fingerprints),
        // comparing every bucket is the cheaper way, and holds less.
        let wanted_values: u64 = wanted.iter().flatten().map(|bits| u64::from(bits.count_ones())).sum();
        if wanted_values > 1 << 16 {
            return Pairs::derive(prints);
        }
        let watched: FxHashSet<Print> = self
            .near
            .iter()
            .flat_map(|(a, b)| [*a, *b])
            .chain(self.repeated.iter().copied())
            .chain(candidates.iter().copied())
            .collect();
        let mut seen: FxHashMap<Print, u32> = FxHashMap::default();
        let mut buckets: FxHashMap<(u8, u16), Vec<Print>> = FxHashMap::default();
        for (print, _) in prints {
            if watched.contains(print) {
                *seen.entry(*print).or_default() += 1;
            }
            for (k, wanted) in wanted.iter().enumerate() {
                let value = band(print, k);
                if wanted[value as usize / 64] & (1 << (value % 64)) == 0 {
                    continue;
                }
                let bucket = buckets.entry((k as u8, value)).or_default();
                if bucket.len() <= MAX_BUCKET && !bucket.contains(print) {
                    bucket.push(*print);
                }
            }
        }
        let mut near: Vec<(Print, Print)> = Vec::new();
        let mut crowded = Vec::new();
        for (&key, members) in buckets.iter_mut() {
            if members.len() > MAX_BUCKET {
                crowded.push(key);
                continue;
            }
            members.sort_unstable();
            near_pairs(members, &mut near);
        }
        crowded.sort_unstable();
        let is_crowded = |k: usize, value: u16| crowded.binary_search(&(k as u8, value)).is_ok();
        let live = |print: &Print| seen.get(print).is_some_and(|&n| n > 0);
        near.extend(self.near.iter().filter(|(a, b)| live(a) && live(b)).copied());
        near.sort_unstable();
        near.dedup();
        // A pair whose every shared bucket is crowded now is no near pair.
        near.retain(|(a, b)| (0..BANDS).any(|k| band(a, k) == band(b, k) && !is_crowded(k, band(a, k))));
        let mut repeated: Vec<Print> = seen.into_iter().filter(|&(_, n)| n > 1).map(|(p, _)| p).collect();
        repeated.sort_unstable();
        Pairs {
            rules: rules(),
            near,
            crowded,
            repeated,
        }
    }

    /// Whether bucket (`k`, `value`) is crowded.
    pub(crate) fn is_crowded(&self, k: usize, value: u16) -> bool {
        self.crowded.binary_search(&(k as u8, value)).is_ok()
    }

    /// The fingerprints in a near pair or had by more than one article: the only ones that
    /// can be in a group.
    pub(crate) fn involved(&self) -> FxHashSet<Print> {
        self.near
            .iter()
            .flat_map(|(a, b)| [*a, *b])
            .chain(self.repeated.iter().copied())
            .collect()
    }
}

/// The near pairs among `members` (distinct, in order), the smaller first.
fn near_pairs(members: &[Print], near: &mut Vec<(Print, Print)>) {
    for (i, a) in members.iter().enumerate() {
        for b in &members[i + 1..] {
            if distance(a, b) <= MAX_DISTANCE {
                near.push((*a, *b));
            }
        }
    }
}

fn put_print(out: &mut Encoder, print: &Print) {
    for word in print {
        out.u64(*word);
    }
}

fn take_print(fields: &mut Decoder) -> Result<Print, String> {
    let mut print = [0u64; PRINT_WORDS];
    for word in &mut print {
        *word = fields.u64()?;
    }
    Ok(print)
}

/// The pairs file, kept in the index folder ([`crate::store::kept`]) for the next indexing
/// run; searches do not read it. The rules that found them (length and text), the number of near pairs and each pair's two fingerprints
/// (four little-endian `u64`s each), the number of crowded buckets and each one's band and
/// value (`u32`s), the number of repeated fingerprints and each one.
impl Kept for Pairs {
    const FILE: &'static str = crate::store::schema::PAIRS_FILE;
    const MAGIC: &'static [u8; 8] = &crate::format::magic(b"GSNEA");

    fn derive(searcher: &Searcher) -> tantivy::Result<Pairs> {
        Ok(Pairs::derive(&live_prints(
            searcher,
            &super::fingerprint_fields(searcher)?,
        )?))
    }

    fn encode(&self, out: &mut Encoder) {
        out.bytes(self.rules.as_bytes());
        out.u64(self.near.len() as u64);
        for (a, b) in &self.near {
            put_print(out, a);
            put_print(out, b);
        }
        out.u64(self.crowded.len() as u64);
        for &(k, value) in &self.crowded {
            out.u32(k as u32);
            out.u32(value as u32);
        }
        out.u64(self.repeated.len() as u64);
        for print in &self.repeated {
            put_print(out, print);
        }
    }

    fn decode(fields: &mut Decoder, _segments: &[(usize, u32)]) -> Result<Pairs, String> {
        let count = |fields: &mut Decoder, each: usize| -> Result<usize, String> {
            let n = fields.u64()?;
            usize::try_from(n)
                .ok()
                .filter(|n| n.checked_mul(each).is_some_and(|bytes| bytes <= fields.len()))
                .ok_or_else(|| "a count is past its end".to_string())
        };
        let rules = String::from_utf8(fields.bytes()?.as_slice().to_vec()).map_err(|_| "its rules are not text")?;
        let n = count(fields, 64)?;
        let near = (0..n)
            .map(|_| Ok((take_print(fields)?, take_print(fields)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let n = count(fields, 8)?;
        let mut crowded = Vec::with_capacity(n);
        for _ in 0..n {
            let (k, value) = (fields.u32()?, fields.u32()?);
            let k = u8::try_from(k).ok().filter(|&k| (k as usize) < BANDS);
            let value = u16::try_from(value).ok();
            crowded.push((k.zip(value)).ok_or("a crowded bucket is out of range")?);
        }
        let n = count(fields, 32)?;
        let repeated = (0..n).map(|_| take_print(fields)).collect::<Result<Vec<_>, String>>()?;
        let ordered = near.windows(2).all(|w| w[0] < w[1])
            && near.iter().all(|(a, b)| a < b)
            && crowded.windows(2).all(|w| w[0] < w[1])
            && repeated.windows(2).all(|w| w[0] < w[1]);
        if !ordered {
            return Err("its pairs are out of order".to_string());
        }
        Ok(Pairs {
            rules,
            near,
            crowded,
            repeated,
        })
    }
}

/// Which of `live`'s segments were not among `before`'s: those a run added or merged.
pub(crate) fn added_segments(live: &Live, before: &Live) -> Vec<bool> {
    live.iter()
        .map(|(id, ..)| !before.iter().any(|(was, ..)| was == id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::kept::{frame, read};
    use tantivy::index::SegmentId;

    /// Numbers from hashing a counter with the standard library's fixed-key hasher: the same
    /// every run of one build, so a failure repeats.
    struct Numbers(u64);

    impl Numbers {
        fn next(&mut self) -> u64 {
            use std::hash::Hasher;
            self.0 += 1;
            let mut hasher = std::hash::DefaultHasher::new();
            hasher.write_u64(self.0);
            hasher.finish()
        }

        /// A fingerprint in the bucket of band 0 that [`articles`] crowds.
        fn crowded(&mut self) -> Print {
            let mut print = self.print();
            print[0] = (print[0] & !0xFFFF) | 0x1234;
            print
        }

        fn print(&mut self) -> Print {
            [self.next(), self.next(), self.next(), self.next()]
        }

        /// `print` with `bits` of its bits flipped (some may repeat).
        fn near(&mut self, print: &Print, bits: u32) -> Print {
            let mut out = *print;
            for _ in 0..bits {
                let bit = self.next() % 256;
                out[bit as usize / 64] ^= 1 << (bit % 64);
            }
            out
        }
    }

    /// Articles of a few segments: unrelated ones, near copies (some far enough to miss),
    /// equal copies, and a crowded bucket of band 0.
    fn articles(numbers: &mut Numbers, segment: u32, count: usize, from: &[Print]) -> Vec<(Print, DocAddress)> {
        let mut prints = Vec::new();
        for doc in 0..count as u32 {
            let print = match (numbers.next() % 10, from.is_empty()) {
                (0..=1, false) => {
                    let of = &from[(numbers.next() % from.len() as u64) as usize];
                    let bits = (numbers.next() % 40) as u32;
                    numbers.near(of, bits)
                }
                (2, false) => from[(numbers.next() % from.len() as u64) as usize],
                (3, _) => {
                    let print = numbers.crowded();
                    // Now and then a near copy that shares no other band: a pair only the
                    // crowded bucket holds.
                    if numbers.next().is_multiple_of(3) {
                        let mut copy = print;
                        for k in 1..BANDS {
                            copy[k / 4] ^= 1 << ((k % 4) * 16 + (numbers.next() % 16) as usize);
                        }
                        prints.push((copy, DocAddress::new(segment, count as u32 + doc)));
                    }
                    print
                }
                _ => numbers.print(),
            };
            prints.push((print, DocAddress::new(segment, doc)));
        }
        prints
    }

    /// Two segments of `count` articles each, the second with copies of the first's.
    fn two_segments(numbers: &mut Numbers, count: usize) -> Vec<(Print, DocAddress)> {
        let mut prints = articles(numbers, 0, count, &[]);
        let first = values(&prints);
        prints.extend(articles(numbers, 1, count, &first));
        prints
    }

    fn values(prints: &[(Print, DocAddress)]) -> Vec<Print> {
        prints.iter().map(|(p, _)| *p).collect()
    }

    /// Pairs found from what a run added equal the pairs of every bucket compared, after
    /// additions, deletions (a crowded bucket thinned below the limit, one of a near pair and
    /// one of a repeated fingerprint gone) and a merge.
    #[test]
    fn pairs_after_a_run_are_those_of_every_bucket() {
        let mut numbers = Numbers(7);
        let mut prints = two_segments(&mut numbers, 900);
        let before = Pairs::derive(&prints);
        assert!(!before.near.is_empty() && !before.repeated.is_empty());
        assert!(before.crowded.contains(&(0, 0x1234)), "{:?}", before.crowded);

        // A segment added with copies of the others.
        let all = values(&prints);
        prints.extend(articles(&mut numbers, 2, 150, &all));
        let added = before.after(&prints, &[false, false, true]);
        assert_eq!(added, Pairs::derive(&prints));
        assert!(added.near.len() > before.near.len());

        // Deletions in the old segments: the crowded bucket's articles but the added
        // segment's, and in one segment one of each near pair and every copy of a repeated
        // fingerprint.
        let gone: FxHashSet<Print> = added
            .near
            .iter()
            .map(|(a, _)| *a)
            .chain(added.repeated.iter().copied())
            .collect();
        prints.retain(|(p, a)| a.segment_ord == 2 || band(p, 0) != 0x1234);
        prints.retain(|(p, a)| a.segment_ord != 0 || !gone.contains(p));
        let deleted = added.after(&prints, &[false, false, false]);
        assert_eq!(deleted, Pairs::derive(&prints));
        assert!(
            !deleted.crowded.contains(&(0, 0x1234)),
            "the bucket is thinned below the limit"
        );
        assert!(deleted.near.len() < added.near.len());

        // The added segment merged into a new one with its deletions dropped (listed first,
        // its articles numbered anew), the others as they were: its fingerprints compared again.
        let merged: Vec<(Print, DocAddress)> = prints
            .iter()
            .enumerate()
            .map(|(i, &(p, a))| match a.segment_ord {
                2 => (p, DocAddress::new(0, i as u32)),
                ord => (p, DocAddress::new(ord + 1, a.doc_id)),
            })
            .collect();
        assert_eq!(deleted.after(&merged, &[true, false, false]), Pairs::derive(&merged));
        // Pairs found by other rules are not built on.
        let other = Pairs {
            rules: "other".to_string(),
            ..Pairs::default()
        };
        assert_eq!(other.after(&merged, &[false, false, false]), Pairs::derive(&merged));
        // The thinned bucket crowded again by an added segment: its pairs that share no
        // other band are no near pairs any more.
        assert!(deleted
            .near
            .iter()
            .any(|(a, b)| (1..BANDS).all(|k| band(a, k) != band(b, k))));
        let mut crowding = merged.clone();
        for doc in 0..MAX_BUCKET as u32 {
            crowding.push((numbers.crowded(), DocAddress::new(3, doc)));
        }
        let crowded = deleted.after(&crowding, &[false, false, false, true]);
        assert_eq!(crowded, Pairs::derive(&crowding));
        assert!(crowded.crowded.contains(&(0, 0x1234)));
        // Nothing added: the same pairs.
        assert_eq!(deleted.after(&prints, &[false, false, false]), deleted);
    }

    #[test]
    fn kept_pairs_read_back_and_damage_is_refused() {
        let prints = two_segments(&mut Numbers(11), 40);
        let pairs = Pairs::derive(&prints);
        assert!(!pairs.near.is_empty());
        let live: Live = vec![
            (SegmentId::generate_random(), 0, 40),
            (SegmentId::generate_random(), 0, 40),
        ];
        let bytes = frame::<Pairs>(&live, |out| pairs.encode(out));
        assert_eq!(read::<Pairs>(&bytes, &live).unwrap().unwrap(), pairs);
        crate::store::kept::assert_damage_is_refused::<Pairs>(&bytes, &live);
    }
}
