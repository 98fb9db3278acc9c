//! The documents of one segment that contain a character, with its count in each, as searches
//! keep them between queries.
//!
//! A frequent character is in most articles of a segment: kept as `(document, count)` pairs it
//! takes eight bytes a match, and at a million articles a few such characters fill a cache
//! meant for many. Kept as one byte per document (0: not there) it takes an eighth of that,
//! and stepping from match to match is a short scan. A rare character stays a list of pairs,
//! smaller than a byte per document.

use tantivy::{DocId, TERMINATED};

/// The matches of a character in one segment's documents, in document order. A cursor names
/// a match: an index into the pairs, or the document itself when kept by document.
#[derive(Debug)]
pub(crate) struct CharMatches {
    repr: Repr,
    /// How many documents match.
    len: usize,
}

#[derive(Debug)]
enum Repr {
    /// `(document, count)` of each match.
    Pairs(Vec<(DocId, u32)>),
    /// Each document's count, [`u8::MAX`] standing for "at least that many, see `large`".
    Bytes { counts: Vec<u8>, large: Vec<(DocId, u32)> },
}

impl CharMatches {
    /// From each document's count (0: not there), indexed by document.
    pub(crate) fn from_counts(counts: &[u32]) -> CharMatches {
        let len = counts.iter().filter(|&&c| c > 0).count();
        let pairs_bytes = len * std::mem::size_of::<(DocId, u32)>();
        let repr = if pairs_bytes <= counts.len() {
            Repr::Pairs(
                counts
                    .iter()
                    .enumerate()
                    .filter(|&(_, &count)| count > 0)
                    .map(|(doc, &count)| (doc as DocId, count))
                    .collect(),
            )
        } else {
            let large = counts
                .iter()
                .enumerate()
                .filter(|&(_, &count)| count >= u32::from(u8::MAX))
                .map(|(doc, &count)| (doc as DocId, count))
                .collect();
            Repr::Bytes {
                counts: counts.iter().map(|&c| c.min(u32::from(u8::MAX)) as u8).collect(),
                large,
            }
        };
        CharMatches { repr, len }
    }

    /// From `(document, count)` pairs in document order, every count above 0.
    pub(crate) fn from_pairs(pairs: Vec<(DocId, u32)>) -> CharMatches {
        CharMatches {
            len: pairs.len(),
            repr: Repr::Pairs(pairs),
        }
    }

    /// How many documents match.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The bytes it holds.
    pub(crate) fn bytes(&self) -> usize {
        match &self.repr {
            Repr::Pairs(pairs) => pairs.len() * std::mem::size_of::<(DocId, u32)>(),
            Repr::Bytes { counts, large } => counts.len() + large.len() * std::mem::size_of::<(DocId, u32)>(),
        }
    }

    /// The cursor of the first match.
    pub(crate) fn first(&self) -> usize {
        self.seek(0, 0)
    }

    /// The cursor of the match after `cursor`'s (the end when there is none).
    pub(crate) fn next(&self, cursor: usize) -> usize {
        match &self.repr {
            Repr::Pairs(pairs) => (cursor + 1).min(pairs.len()),
            Repr::Bytes { counts, .. } => next_nonzero(counts, cursor + 1),
        }
    }

    /// The cursor of the first match at or after document `target`, from `cursor` on.
    pub(crate) fn seek(&self, cursor: usize, target: DocId) -> usize {
        match &self.repr {
            Repr::Pairs(pairs) => {
                let rest = &pairs[cursor.min(pairs.len())..];
                cursor + rest.partition_point(|&(doc, _)| doc < target)
            }
            Repr::Bytes { counts, .. } => next_nonzero(counts, cursor.max(target as usize)),
        }
    }

    /// The document at `cursor`, [`TERMINATED`] at the end.
    pub(crate) fn doc(&self, cursor: usize) -> DocId {
        match &self.repr {
            Repr::Pairs(pairs) => pairs.get(cursor).map_or(TERMINATED, |&(doc, _)| doc),
            Repr::Bytes { counts, .. } if cursor < counts.len() => cursor as DocId,
            Repr::Bytes { .. } => TERMINATED,
        }
    }

    /// The count at `cursor` (0 at the end).
    pub(crate) fn count(&self, cursor: usize) -> u32 {
        match &self.repr {
            Repr::Pairs(pairs) => pairs.get(cursor).map_or(0, |&(_, count)| count),
            Repr::Bytes { counts, large } => match counts.get(cursor) {
                Some(&u8::MAX) => large
                    .binary_search_by_key(&(cursor as DocId), |&(doc, _)| doc)
                    .map_or(0, |at| large[at].1),
                Some(&count) => u32::from(count),
                None => 0,
            },
        }
    }

    /// Every match: (document, count), in document order.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (DocId, u32)> + '_ {
        let mut cursor = self.first();
        std::iter::from_fn(move || {
            let doc = self.doc(cursor);
            let found = (doc != TERMINATED).then(|| (doc, self.count(cursor)));
            cursor = self.next(cursor);
            found
        })
    }

    /// The count in `doc`, `None` when it does not match.
    pub(crate) fn count_in(&self, doc: DocId) -> Option<u32> {
        let cursor = self.seek(0, doc);
        (self.doc(cursor) == doc).then(|| self.count(cursor))
    }
}

/// The first document at or after `from` with a count, or the end.
fn next_nonzero(counts: &[u8], from: usize) -> usize {
    match counts.get(from..) {
        Some(rest) => from + rest.iter().position(|&c| c != 0).unwrap_or(rest.len()),
        None => counts.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every match visited by `next` from `first`: (document, count).
    fn walk(matches: &CharMatches) -> Vec<(DocId, u32)> {
        matches.iter().collect()
    }

    #[test]
    fn both_forms_give_the_same_matches_counts_and_seeks() {
        // Sparse, dense, dense with counts past a byte, none, all.
        let cases: Vec<Vec<u32>> = vec![
            (0..1000).map(|d| u32::from(d % 97 == 3)).collect(),
            (0..1000).map(|d| (d % 3 != 0) as u32 * (d % 7 + 1)).collect(),
            (0..1000).map(|d| if d % 2 == 0 { d * 3 } else { 0 }).collect(),
            vec![0; 300],
            vec![1; 300],
            Vec::new(),
        ];
        for counts in cases {
            let expected: Vec<(DocId, u32)> = counts
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c > 0)
                .map(|(d, &c)| (d as DocId, c))
                .collect();
            let kept = CharMatches::from_counts(&counts);
            let pairs = CharMatches::from_pairs(expected.clone());
            for matches in [&kept, &pairs] {
                assert_eq!(matches.len(), expected.len());
                assert_eq!(walk(matches), expected);
                for target in (0..counts.len() as DocId + 2).step_by(7) {
                    let want = expected.iter().find(|&&(d, _)| d >= target).copied();
                    let cursor = matches.seek(matches.first(), target);
                    let got = (matches.doc(cursor) != TERMINATED).then(|| (matches.doc(cursor), matches.count(cursor)));
                    assert_eq!(got, want, "seek {target}");
                    let exact = counts.get(target as usize).copied().filter(|&c| c > 0);
                    assert_eq!(matches.count_in(target), exact);
                }
            }
        }
    }

    #[test]
    fn a_frequent_characters_matches_take_a_byte_a_document() {
        let counts: Vec<u32> = (0..10_000).map(|d| u32::from(d % 2 == 0)).collect();
        assert_eq!(CharMatches::from_counts(&counts).bytes(), 10_000);
        let rare: Vec<u32> = (0..10_000).map(|d| u32::from(d % 100 == 0)).collect();
        assert_eq!(CharMatches::from_counts(&rare).bytes(), 100 * 8);
    }
}
