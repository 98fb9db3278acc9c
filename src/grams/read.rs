//! Reading a segment's grams files in place: the dictionary, each term's positions, and each
//! article's start and length.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentComponent;
use tantivy::{SegmentReader, TantivyError};

use super::{DICTIONARY, DICTIONARY_FOOTER, MAGIC, POSITIONS, POSITIONS_FOOTER, RECORD, VERSION};

/// The article holding `position`: the last of the `count` starts (the last one past every
/// position) at or before it, searched forward from article `from`, whose start is at or
/// before it (positions read in order make the search short).
pub(super) fn article_at(start: impl Fn(usize) -> u32, count: usize, from: usize, position: u32) -> usize {
    let mut low = from;
    let mut step = 1;
    let mut high = loop {
        let probe = low + step;
        if probe >= count {
            break count;
        }
        if start(probe) > position {
            break probe;
        }
        low = probe;
        step *= 2;
    };
    while high - low > 1 {
        let mid = (low + high) / 2;
        if start(mid) <= position {
            low = mid;
        } else {
            high = mid;
        }
    }
    low
}

/// One segment's grams files, read in place.
#[derive(Clone)]
pub(crate) struct Grams {
    positions: OwnedBytes,
    dictionary: OwnedBytes,
    /// Number of terms, articles and body characters.
    pub(crate) terms: usize,
    pub(crate) articles: usize,
    pub(crate) tokens: u64,
    /// Where the articles' starts begin in the dictionary file.
    starts_at: usize,
    /// The article at every [`BLOCK`]th position, made on first use ([`Grams::articles_of`]).
    blocks: Arc<OnceLock<Vec<u32>>>,
}

/// Positions per entry of [`Grams::articles_of`]'s table: fewer than an article has on
/// average, so a position is found at most a step or two from its entry.
const BLOCK: u32 = 256;

impl std::fmt::Debug for Grams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grams")
            .field("terms", &self.terms)
            .field("articles", &self.articles)
            .field("tokens", &self.tokens)
            .finish()
    }
}

fn corrupt(reader: &SegmentReader, what: &str) -> TantivyError {
    TantivyError::InternalError(format!(
        "segment {}: its grams files are damaged ({what}); index the folder again",
        reader.segment_id().uuid_string()
    ))
}

/// A file's footer counts, if its footer is whole and of this version.
fn footer(bytes: &[u8], counts: usize) -> Option<Vec<u64>> {
    let size = counts * 8 + 8;
    let footer = bytes.get(bytes.len().checked_sub(size)?..)?;
    let u32_at = |at: usize| u32::from_le_bytes(footer[at..at + 4].try_into().expect("4 bytes"));
    if u32_at(size - 4) != MAGIC || u32_at(size - 8) != VERSION {
        return None;
    }
    Some(
        (0..counts)
            .map(|i| u64::from_le_bytes(footer[i * 8..i * 8 + 8].try_into().expect("8 bytes")))
            .collect(),
    )
}

impl Grams {
    /// The grams of `reader`'s segment.
    pub(crate) fn open(reader: &SegmentReader) -> tantivy::Result<Grams> {
        let read = |extension: &str| -> tantivy::Result<OwnedBytes> {
            Ok(reader
                .open_read(SegmentComponent::Custom(extension.to_string()))?
                .read_bytes()?)
        };
        Grams::from_bytes(read(POSITIONS)?, read(DICTIONARY)?).map_err(|what| corrupt(reader, what))
    }

    /// Grams read from a segment's two files, or what is wrong with them.
    pub(super) fn from_bytes(positions: OwnedBytes, dictionary: OwnedBytes) -> Result<Grams, &'static str> {
        let (Some(p), Some(d)) = (footer(&positions, 1), footer(&dictionary, 3)) else {
            return Err("not grams files of this version");
        };
        let (written, terms, articles, tokens) = (p[0], d[0], d[1], d[2]);
        // Checked: damaged counts must give an error, not an overflow.
        let dictionary_len = terms
            .checked_mul(RECORD as u64)
            .zip(articles.checked_add(1).and_then(|a| a.checked_mul(4)))
            .and_then(|(records, starts)| records.checked_add(starts))
            .and_then(|n| n.checked_add(articles))
            .and_then(|n| n.checked_add(DICTIONARY_FOOTER as u64));
        let positions_len = written
            .checked_mul(4)
            .and_then(|n| n.checked_add(POSITIONS_FOOTER as u64));
        if positions_len != Some(positions.len() as u64) || dictionary_len != Some(dictionary.len() as u64) {
            return Err("sizes do not add up");
        }
        Ok(Grams {
            positions: positions.slice(0..written as usize * 4),
            starts_at: terms as usize * RECORD,
            dictionary,
            terms: terms as usize,
            articles: articles as usize,
            tokens,
            blocks: Arc::default(),
        })
    }

    /// Calls `f` with the article of each position of `positions` (in order or not): a
    /// table lookup and a step or two, where [`Grams::article_at`] searches. Counting a
    /// frequent character's articles reads tens of millions of positions at a million
    /// articles, so a search per position is most of such a query.
    pub(crate) fn articles_of(&self, positions: &Positions, mut f: impl FnMut(usize)) {
        let blocks = self.blocks.get_or_init(|| {
            let end = self.start(self.articles);
            let mut blocks = Vec::with_capacity((end / BLOCK) as usize + 1);
            let mut article = 0;
            for block in 0..=end / BLOCK {
                while article + 1 < self.articles && self.start(article + 1) <= block * BLOCK {
                    article += 1;
                }
                blocks.push(article as u32);
            }
            blocks
        });
        for position in positions.iter() {
            let mut article = blocks.get((position / BLOCK) as usize).map_or(0, |&a| a as usize);
            while article + 1 < self.articles && self.start(article + 1) <= position {
                article += 1;
            }
            f(article);
        }
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.dictionary.as_slice()[at..at + 4].try_into().expect("4 bytes"))
    }

    /// The `i`th term.
    pub(crate) fn term(&self, i: usize) -> u64 {
        let at = i * RECORD;
        u64::from_le_bytes(self.dictionary.as_slice()[at..at + 8].try_into().expect("8 bytes"))
    }

    /// The articles holding the `i`th term (deleted ones included).
    pub(crate) fn doc_freq(&self, i: usize) -> u32 {
        self.u32_at(i * RECORD + 8)
    }

    /// Where the `i`th term's positions end.
    fn positions_end(&self, i: usize) -> usize {
        self.u32_at(i * RECORD + 12) as usize
    }

    /// Where the `a`th article starts.
    pub(crate) fn start(&self, a: usize) -> u32 {
        self.u32_at(self.starts_at + a * 4)
    }

    /// The `a`th article's body length as BM25 reads it (tantivy's field norm id).
    pub(crate) fn fieldnorm_id(&self, a: usize) -> u8 {
        self.dictionary.as_slice()[self.starts_at + (self.articles + 1) * 4 + a]
    }

    /// Characters in the `a`th article's body.
    pub(crate) fn article_len(&self, a: usize) -> u32 {
        self.start(a + 1).saturating_sub(self.start(a)).saturating_sub(1)
    }

    /// The indexes of the terms in `from..=to`.
    pub(crate) fn term_range(&self, from: u64, to: u64) -> Range<usize> {
        let first = self.partition(|t| t < from);
        let end = self.partition(|t| t <= to);
        first..end.max(first)
    }

    /// The index of `term`, if the segment has it.
    pub(crate) fn find(&self, term: u64) -> Option<usize> {
        let range = self.term_range(term, term);
        (!range.is_empty()).then_some(range.start)
    }

    fn partition(&self, before: impl Fn(u64) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.terms);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if before(self.term(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The positions of the `i`th term, in order.
    pub(crate) fn positions(&self, i: usize) -> Positions {
        // Clamped: a damaged dictionary gives wrong matches, never a panic.
        let end = self.positions_end(i).min(self.positions.len() / 4);
        let from = if i == 0 { 0 } else { self.positions_end(i - 1).min(end) };
        Positions(self.positions.slice(from * 4..end * 4))
    }

    /// No positions.
    pub(crate) fn positions_none(&self) -> Positions {
        Positions(self.positions.slice(0..0))
    }

    /// The article holding `position`, searched forward from article `from`.
    pub(crate) fn article_at(&self, from: usize, position: u32) -> usize {
        article_at(|a| self.start(a), self.articles + 1, from, position)
    }
}

/// One term's positions, in order, read in place.
#[derive(Clone)]
pub(crate) struct Positions(OwnedBytes);

impl Positions {
    pub(crate) fn len(&self) -> usize {
        self.0.len() / 4
    }

    pub(crate) fn get(&self, i: usize) -> u32 {
        u32::from_le_bytes(self.0.as_slice()[i * 4..i * 4 + 4].try_into().expect("4 bytes"))
    }

    /// The first index at or after `from` whose position is at least `target` (galloping:
    /// short steps cost little, long ones a logarithm).
    pub(crate) fn seek(&self, from: usize, target: u32) -> usize {
        let len = self.len();
        if from >= len || self.get(from) >= target {
            return from;
        }
        // get(low) < target; widen the step until a position is at least target.
        let mut low = from;
        let mut step = 1;
        while low + step < len && self.get(low + step) < target {
            low += step;
            step *= 2;
        }
        let (mut lo, mut hi) = (low + 1, (low + step + 1).min(len));
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.get(mid) < target {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The positions one after another.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0
            .as_slice()
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{term, terms_starting_with};
    use super::*;

    fn committed() -> Grams {
        Grams::from_bytes(
            OwnedBytes::new(include_bytes!("testdata/tiny.bgram").as_slice()),
            OwnedBytes::new(include_bytes!("testdata/tiny.bgdict").as_slice()),
        )
        .expect("the committed segment reads")
    }

    fn positions_of(grams: &Grams, first: char, second: Option<char>) -> Vec<u32> {
        grams
            .find(term(first, second))
            .map_or_else(Vec::new, |i| grams.positions(i).iter().collect())
    }

    /// The committed segment of 峄城区召开会议 | 會議在峄城召开 | ５G 网络ab, read back.
    #[test]
    fn the_committed_segment_reads_back() {
        let grams = committed();
        assert_eq!((grams.articles, grams.tokens), (3, 20));
        let starts: Vec<u32> = (0..=3).map(|a| grams.start(a)).collect();
        assert_eq!(starts, [0, 8, 16, 23]);
        let lengths: Vec<u32> = (0..3).map(|a| grams.article_len(a)).collect();
        assert_eq!(lengths, [7, 7, 6]);
        assert_eq!(grams.fieldnorm_id(2), 6);
        assert_eq!(positions_of(&grams, '峄', Some('城')), [0, 11]);
        assert_eq!(grams.doc_freq(grams.find(term('峄', Some('城'))).unwrap()), 2);
        // Traditional and full-width characters are stored folded.
        assert_eq!(positions_of(&grams, '会', Some('议')), [5, 8]);
        assert_eq!(positions_of(&grams, '5', Some('g')), [16]);
        assert_eq!(positions_of(&grams, 'g', Some('网')), [17], "the space is not indexed");
        // The last character of each article is a term alone.
        assert_eq!(positions_of(&grams, '议', None), [6]);
        assert_eq!(positions_of(&grams, '开', None), [14]);
        assert_eq!(positions_of(&grams, 'b', None), [21]);
        assert!(grams.find(term('议', Some('会'))).is_none(), "no gram across articles");
        // A character: every term it starts.
        let (from, to) = terms_starting_with('召');
        let mut found: Vec<u32> = grams
            .term_range(from, to)
            .flat_map(|i| grams.positions(i).iter().collect::<Vec<_>>())
            .collect();
        found.sort_unstable();
        assert_eq!(found, [3, 13]);
        let articles: Vec<usize> = [0, 7, 8, 15, 16, 21].iter().map(|&p| grams.article_at(0, p)).collect();
        assert_eq!(articles, [0, 0, 1, 1, 2, 2]);
        let mut seen = Vec::new();
        grams.articles_of(&grams.positions(grams.find(term('峄', Some('城'))).unwrap()), |a| {
            seen.push(a)
        });
        assert_eq!(seen, [0, 1]);
    }

    #[test]
    fn positions_seek_forward() {
        let grams = committed();
        let positions = grams.positions(grams.find(term('峄', Some('城'))).unwrap());
        assert_eq!((positions.len(), positions.get(1)), (2, 11));
        assert_eq!(positions.seek(0, 0), 0);
        assert_eq!(positions.seek(0, 1), 1);
        assert_eq!(positions.seek(0, 11), 1);
        assert_eq!(positions.seek(0, 12), 2, "past the end");
    }

    #[test]
    fn damaged_or_other_files_are_refused_never_read() {
        let positions = include_bytes!("testdata/tiny.bgram").as_slice();
        let dictionary = include_bytes!("testdata/tiny.bgdict").as_slice();
        let read = |p: &[u8], d: &[u8]| Grams::from_bytes(OwnedBytes::new(p.to_vec()), OwnedBytes::new(d.to_vec()));
        for cut in 0..positions.len() {
            assert!(read(&positions[..cut], dictionary).is_err(), "positions cut at {cut}");
        }
        for cut in 0..dictionary.len() {
            assert!(read(positions, &dictionary[..cut]).is_err(), "dictionary cut at {cut}");
        }
        // Another version, or counts that do not match the sizes (huge ones included).
        let mut other = dictionary.to_vec();
        let version_at = other.len() - 8;
        other[version_at] = VERSION as u8 + 1;
        assert_eq!(read(positions, &other).err(), Some("not grams files of this version"));
        for (at, value) in [(0, 1u64), (0, u64::MAX), (8, u64::MAX), (16, 1)] {
            let mut damaged = dictionary.to_vec();
            let counts = damaged.len() - DICTIONARY_FOOTER;
            let old = u64::from_le_bytes(damaged[counts + at..counts + at + 8].try_into().unwrap());
            damaged[counts + at..counts + at + 8].copy_from_slice(&old.wrapping_add(value).to_le_bytes());
            let result = read(positions, &damaged);
            if at == 16 {
                // The character count is not a size: it changes BM25's average, nothing else.
                assert!(result.is_ok());
            } else {
                assert_eq!(result.err(), Some("sizes do not add up"), "count at {at} + {value}");
            }
        }
    }
}
