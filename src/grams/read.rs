//! Reading a segment's grams files in place: the dictionary, each term's positions, and each
//! article's start and length.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentComponent;
use tantivy::{SegmentReader, TantivyError};

use super::codec::{self, BLOCK as CODEC_BLOCK};
use super::{ALONE, DICTIONARY, DICTIONARY_FOOTER, HEADER, MAGIC, POSITIONS, POSITIONS_FOOTER, VERSION};

/// How many of `sorted` are below `target`, searched from the start in doubling steps: a
/// phrase's next position is most often a few on from the last, where a binary search over
/// the whole block takes its every step.
fn gallop(sorted: &[u32], target: u32) -> usize {
    let mut bound = 1;
    while bound < sorted.len() && sorted[bound] < target {
        bound *= 2;
    }
    // `sorted[bound]`, where there is one, is at least `target`: the count is at most `bound`.
    let low = bound / 2;
    let high = bound.min(sorted.len());
    low + sorted[low..high].partition_point(|&p| p < target)
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
    /// Where the dictionary's blocks of terms end, and the table of their headers starts.
    headers_at: usize,
    /// Where the articles' starts begin in the dictionary file.
    starts_at: usize,
    /// The segment, for errors.
    name: Arc<str>,
    /// The article of every position, made on first use ([`Grams::articles_of`]).
    blocks: Arc<OnceLock<ArticleTable>>,
}

/// Positions per entry of an [`ArticleTable`]: fewer than an article has on average, so a
/// position is found at most a step or two from its entry.
const BLOCK: u32 = 256;

/// The article holding a position in a table lookup and a step or two: the article at every
/// [`BLOCK`]th position. A search from the last article found takes many unpredictable steps
/// for each article of a rare term, and writing, merging and matching a segment's grams ask
/// for the article of every such position.
pub(super) struct ArticleTable {
    blocks: Vec<u32>,
    articles: usize,
}

impl ArticleTable {
    /// The table of `articles` articles whose first positions `start` gives (`start(articles)`
    /// is the end of the last).
    pub(super) fn new(start: impl Fn(usize) -> u32, articles: usize) -> ArticleTable {
        let end = start(articles);
        let mut blocks = Vec::with_capacity((end / BLOCK) as usize + 1);
        let mut article = 0;
        for block in 0..=end / BLOCK {
            while article + 1 < articles && start(article + 1) <= block * BLOCK {
                article += 1;
            }
            blocks.push(article as u32);
        }
        ArticleTable { blocks, articles }
    }

    /// The article holding `position`.
    #[inline]
    pub(super) fn article(&self, start: impl Fn(usize) -> u32, position: u32) -> usize {
        let mut article = self.blocks.get((position / BLOCK) as usize).map_or(0, |&a| a as usize);
        while article + 1 < self.articles && start(article + 1) <= position {
            article += 1;
        }
        article
    }
}

impl std::fmt::Debug for Grams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grams")
            .field("terms", &self.terms)
            .field("articles", &self.articles)
            .field("tokens", &self.tokens)
            .finish()
    }
}

/// The error of a segment whose grams files are damaged.
pub(crate) fn damaged(segment: &str, what: &str) -> TantivyError {
    TantivyError::DataCorruption(tantivy::error::DataCorruption::comment_only(format!(
        "segment {segment}: its grams files are damaged ({what})"
    )))
}

/// A file's footer counts and version, if its footer is whole.
fn footer(bytes: &[u8], counts: usize) -> Option<(Vec<u64>, u32)> {
    let size = counts * 8 + 8;
    let footer = bytes.get(bytes.len().checked_sub(size)?..)?;
    let u32_at = |at: usize| u32::from_le_bytes(footer[at..at + 4].try_into().expect("4 bytes"));
    if u32_at(size - 4) != MAGIC {
        return None;
    }
    let counts = (0..counts)
        .map(|i| u64::from_le_bytes(footer[i * 8..i * 8 + 8].try_into().expect("8 bytes")))
        .collect();
    Some((counts, u32_at(size - 8)))
}

/// The layout version of a grams dictionary file, if it is one: read on open, so that an
/// index of another format is refused before anything is searched.
pub(crate) fn version_of(dictionary: &[u8]) -> Option<u32> {
    let at = dictionary.len().checked_sub(8)?;
    let magic = u32::from_le_bytes(dictionary[at + 4..].try_into().ok()?);
    (magic == MAGIC).then(|| u32::from_le_bytes(dictionary[at..at + 4].try_into().expect("4 bytes")))
}

/// A term of the dictionary: its document frequency, how many positions it has and where
/// they are in the positions file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TermInfo {
    pub(crate) term: u64,
    pub(crate) doc_freq: u32,
    pub(crate) count: u32,
    postings: Range<u64>,
}

/// One block of the dictionary, decoded.
struct TermBlock {
    len: usize,
    terms: [u64; CODEC_BLOCK],
    doc_freqs: [u32; CODEC_BLOCK],
    counts: [u32; CODEC_BLOCK],
    /// Where each term's positions start and end in the positions file.
    starts: [u64; CODEC_BLOCK],
    ends: [u64; CODEC_BLOCK],
}

impl TermBlock {
    fn info(&self, j: usize) -> TermInfo {
        TermInfo {
            term: self.terms[j],
            doc_freq: self.doc_freqs[j],
            count: self.counts[j],
            postings: self.starts[j]..self.ends[j],
        }
    }
}

impl Grams {
    /// The grams of `reader`'s segment.
    pub(crate) fn open(reader: &SegmentReader) -> tantivy::Result<Grams> {
        let read = |extension: &str| -> tantivy::Result<OwnedBytes> {
            Ok(reader
                .open_read(SegmentComponent::Custom(extension.to_string()))?
                .read_bytes()?)
        };
        let name = reader.segment_id().uuid_string();
        Grams::from_bytes(read(POSITIONS)?, read(DICTIONARY)?, &name).map_err(|what| damaged(&name, what))
    }

    /// Grams read from a segment's two files, or what is wrong with them.
    pub(super) fn from_bytes(positions: OwnedBytes, dictionary: OwnedBytes, name: &str) -> Result<Grams, &'static str> {
        let (Some((p, p_version)), Some((d, d_version))) = (footer(&positions, 1), footer(&dictionary, 3)) else {
            return Err("not grams files");
        };
        if p_version != VERSION || d_version != VERSION {
            return Err("not grams files of this version");
        }
        let (written, terms, articles, tokens) = (p[0], d[0], d[1], d[2]);
        // Checked: damaged counts must give an error, not an overflow.
        let blocks = terms.div_ceil(CODEC_BLOCK as u64);
        let after_blocks = blocks
            .checked_mul(HEADER as u64)
            .zip(articles.checked_add(1).and_then(|a| a.checked_mul(4)))
            .and_then(|(headers, starts)| headers.checked_add(starts))
            .and_then(|n| n.checked_add(articles))
            .and_then(|n| n.checked_add(DICTIONARY_FOOTER as u64));
        let positions_len = written.checked_add(POSITIONS_FOOTER as u64);
        if positions_len != Some(positions.len() as u64) {
            return Err("sizes do not add up");
        }
        let Some(headers_at) = after_blocks.and_then(|n| (dictionary.len() as u64).checked_sub(n)) else {
            return Err("sizes do not add up");
        };
        let headers_at = headers_at as usize;
        let grams = Grams {
            positions: positions.slice(0..written as usize),
            headers_at,
            starts_at: headers_at + blocks as usize * HEADER,
            dictionary,
            terms: terms as usize,
            articles: articles as usize,
            tokens,
            name: Arc::from(name),
            blocks: Arc::default(),
        };
        // The last term's positions end the file.
        if let Some(last) = grams.block_count().checked_sub(1) {
            let block = grams.block(last).map_err(|_| "the last block of terms does not read")?;
            if block.ends[block.len - 1] != written {
                return Err("the terms' positions do not end the file");
            }
        } else if written != 0 {
            return Err("positions without terms");
        }
        // The starts: from zero, increasing, the last one past every position.
        let mut last = None;
        for a in 0..=grams.articles {
            let start = grams.start(a);
            if last.is_some_and(|l| start <= l) || (a == 0 && start != 0) {
                return Err("article starts out of order");
            }
            last = Some(start);
        }
        Ok(grams)
    }

    /// The error for damage found while reading.
    pub(crate) fn damaged(&self, what: &str) -> TantivyError {
        damaged(&self.name, what)
    }

    /// Calls `f` with the article of each position of `positions` (in order or not): a
    /// table lookup and a step or two, where a search from the last article found takes a
    /// dozen. Counting a frequent character's articles reads tens of millions of positions at
    /// a million articles, so a search per position is most of such a query.
    pub(crate) fn articles_of(&self, positions: &mut Positions, mut f: impl FnMut(usize)) {
        let table = self.table();
        positions.for_each(|position| f(table.article(|a| self.start(a), position)));
    }

    /// The article holding `position` (one before the last article's end), as
    /// [`Grams::articles_of`] finds it.
    pub(crate) fn article_of(&self, position: u32) -> usize {
        self.table().article(|a| self.start(a), position)
    }

    fn table(&self) -> &ArticleTable {
        self.blocks
            .get_or_init(|| ArticleTable::new(|a| self.start(a), self.articles))
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.dictionary.as_slice()[at..at + 4].try_into().expect("4 bytes"))
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.dictionary.as_slice()[at..at + 8].try_into().expect("8 bytes"))
    }

    /// The `b`th block's header: its first term, where its terms' positions start, where
    /// its packed bytes start.
    fn header(&self, b: usize) -> (u64, u64, u64) {
        let at = self.headers_at + b * HEADER;
        (self.u64_at(at), self.u64_at(at + 8), self.u64_at(at + 16))
    }

    fn block_count(&self) -> usize {
        self.terms.div_ceil(CODEC_BLOCK)
    }

    /// The packed bytes of the `b`th block of the dictionary.
    fn block_bytes(&self, b: usize) -> tantivy::Result<&[u8]> {
        let data_at = self.header(b).2;
        let data_end = if b + 1 < self.block_count() {
            self.header(b + 1).2
        } else {
            self.headers_at as u64
        };
        usize::try_from(data_at)
            .ok()
            .zip(usize::try_from(data_end).ok())
            .filter(|(from, to)| from <= to && *to <= self.headers_at)
            .map(|(from, to)| &self.dictionary.as_slice()[from..to])
            .ok_or_else(|| self.damaged("a block of terms out of place"))
    }

    /// The `b`th block of the dictionary, decoded and checked.
    fn block(&self, b: usize) -> tantivy::Result<TermBlock> {
        let (first, postings_at, _) = self.header(b);
        let len = (self.terms - b * CODEC_BLOCK).min(CODEC_BLOCK);
        self.decode_block(self.block_bytes(b)?, first, postings_at, len)
            .ok_or_else(|| self.damaged("a block of terms does not read"))
    }

    /// The `j`th term of a block from its two packed halves.
    fn term_of(highs: &[u32; CODEC_BLOCK], lows: &[u32; CODEC_BLOCK], min_low: u32, j: usize) -> Option<u64> {
        let low = lows[j].checked_add(min_low)?;
        let second = if low == 0 { ALONE } else { u64::from(low - 1) };
        (second <= ALONE).then(|| (u64::from(highs[j]) << 21) | second)
    }

    /// The term `term` in block `b`, decoding the terms' halves to find it and the rest only
    /// when it is there: what a query's lookups do, many per query.
    fn find_in_block(&self, b: usize, term: u64) -> Option<Option<TermInfo>> {
        let (first, postings_at, _) = self.header(b);
        let bytes = self.block_bytes(b).ok()?;
        let len = (self.terms - b * CODEC_BLOCK).min(CODEC_BLOCK);
        let min_low = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        let (mut highs, mut lows) = ([0u32; CODEC_BLOCK], [0u32; CODEC_BLOCK]);
        let mut at = 4;
        at += codec::unpack_sorted((first >> 21) as u32, bytes.get(at..)?, &mut highs)?;
        at += codec::unpack_plain(bytes.get(at..)?, &mut lows)?;
        let mut found = None;
        for j in 0..len {
            match Self::term_of(&highs, &lows, min_low, j)? {
                t if t == term => {
                    found = Some(j);
                    break;
                }
                t if t > term => return Some(None),
                _ => {}
            }
        }
        let Some(j) = found else {
            return Some(None);
        };
        let (mut doc_freqs, mut counts, mut ends) = ([0u32; CODEC_BLOCK], [0u32; CODEC_BLOCK], [0u32; CODEC_BLOCK]);
        at += codec::unpack_plain(bytes.get(at..)?, &mut doc_freqs)?;
        at += codec::unpack_plain(bytes.get(at..)?, &mut counts)?;
        codec::unpack_sorted(0, bytes.get(at..)?, &mut ends)?;
        let start = postings_at.checked_add(if j == 0 { 0 } else { u64::from(ends[j - 1]) })?;
        let end = postings_at.checked_add(u64::from(ends[j]))?;
        let count = counts[j].checked_add(1)?;
        let whole = doc_freqs[j] > 0 && doc_freqs[j] <= count && start < end && end <= self.positions.len() as u64;
        whole.then_some(Some(TermInfo {
            term,
            doc_freq: doc_freqs[j],
            count,
            postings: start..end,
        }))
    }

    fn decode_block(&self, bytes: &[u8], first: u64, postings_at: u64, len: usize) -> Option<TermBlock> {
        let min_low = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        let mut at = 4;
        let (mut highs, mut lows, mut doc_freqs, mut counts, mut ends) = (
            [0u32; CODEC_BLOCK],
            [0; CODEC_BLOCK],
            [0; CODEC_BLOCK],
            [0; CODEC_BLOCK],
            [0; CODEC_BLOCK],
        );
        at += codec::unpack_sorted((first >> 21) as u32, bytes.get(at..)?, &mut highs)?;
        at += codec::unpack_plain(bytes.get(at..)?, &mut lows)?;
        at += codec::unpack_plain(bytes.get(at..)?, &mut doc_freqs)?;
        at += codec::unpack_plain(bytes.get(at..)?, &mut counts)?;
        at += codec::unpack_sorted(0, bytes.get(at..)?, &mut ends)?;
        if at != bytes.len() {
            return None;
        }
        let mut block = TermBlock {
            len,
            terms: [0; CODEC_BLOCK],
            doc_freqs,
            counts,
            starts: [0; CODEC_BLOCK],
            ends: [0; CODEC_BLOCK],
        };
        let mut start = postings_at;
        for j in 0..len {
            let term = Self::term_of(&highs, &lows, min_low, j)?;
            let count = counts[j].checked_add(1)?;
            let end = postings_at.checked_add(u64::from(ends[j]))?;
            let in_order = if j == 0 {
                term == first
            } else {
                term > block.terms[j - 1]
            };
            // Every term has a position, so its positions take a byte at least.
            if !in_order || doc_freqs[j] == 0 || doc_freqs[j] > count || end <= start {
                return None;
            }
            if end > self.positions.len() as u64 {
                return None;
            }
            block.terms[j] = term;
            block.counts[j] = count;
            block.starts[j] = start;
            block.ends[j] = end;
            start = end;
        }
        Some(block)
    }

    /// How many blocks of terms start at or before `term` (a binary search of the headers).
    fn blocks_starting_at_most(&self, term: u64) -> usize {
        let (mut lo, mut hi) = (0, self.block_count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.header(mid).0 <= term {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The terms in `from..=to`, in order.
    pub(crate) fn term_range(&self, from: u64, to: u64) -> tantivy::Result<Vec<TermInfo>> {
        let mut found = Vec::new();
        if from > to || self.terms == 0 {
            return Ok(found);
        }
        // From the last block whose first term is at most `from`.
        for b in self.blocks_starting_at_most(from).saturating_sub(1)..self.block_count() {
            if self.header(b).0 > to {
                break;
            }
            let block = self.block(b)?;
            for j in 0..block.len {
                match block.terms[j] {
                    t if t > to => return Ok(found),
                    t if t >= from => found.push(block.info(j)),
                    _ => {}
                }
            }
        }
        Ok(found)
    }

    /// The term `term`, if the segment has it.
    pub(crate) fn find(&self, term: u64) -> tantivy::Result<Option<TermInfo>> {
        // The last block whose first term is at most `term`.
        let Some(b) = self.blocks_starting_at_most(term).checked_sub(1) else {
            return Ok(None);
        };
        self.find_in_block(b, term)
            .ok_or_else(|| self.damaged("a block of terms does not read"))
    }

    /// Every term in order (for a merge).
    pub(crate) fn all_terms(&self) -> tantivy::Result<Terms<'_>> {
        let mut terms = Terms {
            grams: self,
            block: None,
            next_block: 0,
            at: 0,
        };
        terms.advance()?;
        Ok(terms)
    }

    /// The positions of `info`, in order.
    pub(crate) fn positions(&self, info: &TermInfo) -> tantivy::Result<Positions> {
        // In range: checked when the block was read.
        let bytes = self
            .positions
            .slice(info.postings.start as usize..info.postings.end as usize);
        Positions::new(bytes, info.count as usize).ok_or_else(|| self.damaged("a term's positions do not read"))
    }

    /// No positions.
    pub(crate) fn positions_none(&self) -> Positions {
        Positions::new(self.positions.slice(0..0), 0).expect("nothing reads")
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
}

/// The terms of a segment in order, a block decoded at a time.
pub(crate) struct Terms<'a> {
    grams: &'a Grams,
    block: Option<TermBlock>,
    next_block: usize,
    at: usize,
}

impl Terms<'_> {
    /// The term at the cursor; `None` past the last.
    pub(crate) fn current(&self) -> Option<TermInfo> {
        self.block.as_ref().map(|block| block.info(self.at))
    }

    /// Moves to the next term.
    pub(crate) fn advance(&mut self) -> tantivy::Result<()> {
        if let Some(block) = &self.block {
            if self.at + 1 < block.len {
                self.at += 1;
                return Ok(());
            }
        }
        self.block = None;
        if self.next_block < self.grams.block_count() {
            self.block = Some(self.grams.block(self.next_block)?);
            self.next_block += 1;
            self.at = 0;
        }
        Ok(())
    }
}

/// One term's positions, in order, decoded a block at a time as they are read.
///
/// Layout: for each whole block of [`CODEC_BLOCK`] positions, its last position and where its
/// bytes end (`u32` each, the skip table); then the blocks, packed as distances; then the
/// positions that fill no block, packed to their width.
#[derive(Clone)]
pub(crate) struct Positions {
    bytes: OwnedBytes,
    len: usize,
    /// Whole blocks.
    blocks: usize,
    /// The block in `buffer`.
    loaded: usize,
    /// Whether a block did not read ([`Positions::is_damaged`]).
    damaged: bool,
    buffer: [u32; CODEC_BLOCK],
}

impl Positions {
    /// The `len` positions packed in `bytes`, if their skip table and the positions after
    /// the whole blocks fit. Each block is checked when it is first read ([`Positions::load`]):
    /// checking them all here would read a frequent term's whole skip table for every query.
    fn new(bytes: OwnedBytes, len: usize) -> Option<Positions> {
        let blocks = len / CODEC_BLOCK;
        let positions = Positions {
            bytes,
            len,
            blocks,
            loaded: usize::MAX,
            damaged: false,
            buffer: [0; CODEC_BLOCK],
        };
        let data = positions.bytes.as_slice();
        if blocks.checked_mul(8)? > data.len() {
            return None;
        }
        let start = positions.block_start(blocks);
        let rest = len % CODEC_BLOCK;
        let tail = data.get(start..)?;
        let whole = match tail.first() {
            None => rest == 0,
            Some(&bits) => rest > 0 && bits <= 32 && tail.len() == 1 + codec::short_bytes(rest, bits),
        };
        whole.then_some(positions)
    }

    fn skip(&self, b: usize, field: usize) -> u32 {
        let at = b * 8 + field;
        u32::from_le_bytes(self.bytes.as_slice()[at..at + 4].try_into().expect("4 bytes"))
    }

    /// Where block `b` starts (`b` at most the number of whole blocks).
    fn block_start(&self, b: usize) -> usize {
        if b == 0 {
            self.blocks * 8
        } else {
            self.skip(b - 1, 4) as usize
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether a block did not read: the positions end before it. Only damage does that,
    /// which `govsearch check` finds; a merge stops with an error.
    pub(crate) fn is_damaged(&self) -> bool {
        self.damaged
    }

    /// The last position of block `b`; the positions after the whole blocks end past any.
    fn block_last(&self, b: usize) -> u32 {
        if b < self.blocks {
            self.skip(b, 0)
        } else {
            u32::MAX
        }
    }

    /// Decodes block `b` into the buffer; a block that does not read ends the positions.
    fn load(&mut self, b: usize) {
        if self.loaded == b {
            return;
        }
        let start = self.block_start(b);
        let previous = b.checked_sub(1).map(|p| self.skip(p, 0));
        let data = self.bytes.as_slice();
        let read = if b < self.blocks {
            let end = self.skip(b, 4) as usize;
            let in_order = previous.is_none_or(|p| p < self.skip(b, 0));
            data.get(start..end)
                .filter(|block| {
                    in_order
                        && block
                            .first()
                            .is_some_and(|&bits| bits <= 32 && block.len() == 1 + codec::block_bytes(bits))
                })
                .and_then(|block| codec::unpack_increasing(previous, block, &mut self.buffer))
                .is_some()
        } else {
            // Checked by `new`.
            codec::unpack_short(previous, &data[start..], &mut self.buffer[..self.len % CODEC_BLOCK]).is_some()
        };
        if read {
            self.loaded = b;
        } else {
            self.damaged = true;
            self.len = self.len.min(b * CODEC_BLOCK);
            self.blocks = self.blocks.min(b);
            self.loaded = usize::MAX;
        }
    }

    /// The `i`th position; past the end (where damage ended the positions), `u32::MAX`.
    pub(crate) fn get(&mut self, i: usize) -> u32 {
        self.load(i / CODEC_BLOCK);
        if i >= self.len {
            return u32::MAX;
        }
        self.buffer[i % CODEC_BLOCK]
    }

    /// The first index at or after `from` whose position is at least `target`: blocks are
    /// skipped by their last positions (galloping), one block is decoded and searched.
    pub(crate) fn seek(&mut self, from: usize, target: u32) -> usize {
        if from >= self.len || self.get(from) >= target {
            return from;
        }
        let mut b = from / CODEC_BLOCK;
        let mut first = from % CODEC_BLOCK;
        if self.block_last(b) < target {
            let (mut low, mut step) = (b, 1);
            while low + step < self.blocks && self.block_last(low + step) < target {
                low += step;
                step *= 2;
            }
            let (mut lo, mut hi) = (low + 1, (low + step).min(self.blocks));
            while lo < hi {
                let mid = (lo + hi) / 2;
                if self.block_last(mid) < target {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            (b, first) = (lo, 0);
            if b * CODEC_BLOCK >= self.len {
                return self.len;
            }
        }
        self.load(b);
        if b * CODEC_BLOCK >= self.len {
            return self.len;
        }
        let in_block = (self.len - b * CODEC_BLOCK).min(CODEC_BLOCK);
        b * CODEC_BLOCK + first + gallop(&self.buffer[first..in_block], target)
    }

    /// Calls `f` with each position in order.
    pub(crate) fn for_each(&mut self, mut f: impl FnMut(u32)) {
        for b in 0..self.len.div_ceil(CODEC_BLOCK) {
            self.load(b);
            if self.damaged {
                return;
            }
            let in_block = (self.len - b * CODEC_BLOCK).min(CODEC_BLOCK);
            self.buffer[..in_block].iter().for_each(|&p| f(p));
        }
    }

    /// Every position, in order.
    #[cfg(test)]
    pub(crate) fn read_all(&mut self) -> Vec<u32> {
        let mut all = Vec::with_capacity(self.len);
        self.for_each(|p| all.push(p));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::write;
    use super::super::{term, terms_starting_with};
    use super::*;

    /// The doubling search finds what a binary search over the whole slice finds.
    /// The table finds the article a plain search finds, for every position, with articles
    /// shorter and longer than a table step, and empty ones.
    #[test]
    fn the_article_table_agrees_with_a_search() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut starts = vec![0u32];
        for _ in 0..400 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let length = [0, 1, 3, 255, 256, 257, 900][(state % 7) as usize];
            starts.push(starts.last().unwrap() + length);
        }
        let articles = starts.len() - 1;
        let table = ArticleTable::new(|a| starts[a], articles);
        for position in 0..*starts.last().unwrap() {
            let expected = (0..articles).rev().find(|&a| starts[a] <= position).unwrap();
            assert_eq!(table.article(|a| starts[a], position), expected, "position {position}");
        }
    }

    #[test]
    fn galloping_finds_what_a_binary_search_finds() {
        let sorted: Vec<u32> = (0..200).map(|i| i * 9 + i % 7).collect();
        for len in [0, 1, 2, 3, 5, 64, 128, 200] {
            let sorted = &sorted[..len];
            for target in 0..1810 {
                assert_eq!(
                    gallop(sorted, target),
                    sorted.partition_point(|&p| p < target),
                    "{len} {target}"
                );
            }
        }
    }

    fn committed() -> Grams {
        Grams::from_bytes(
            OwnedBytes::new(include_bytes!("testdata/tiny.bgram").as_slice()),
            OwnedBytes::new(include_bytes!("testdata/tiny.bgdict").as_slice()),
            "tiny",
        )
        .expect("the committed segment reads")
    }

    fn positions_of(grams: &Grams, first: char, second: Option<char>) -> Vec<u32> {
        grams
            .find(term(first, second))
            .unwrap()
            .map_or_else(Vec::new, |info| grams.positions(&info).unwrap().read_all())
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
        assert_eq!(grams.find(term('峄', Some('城'))).unwrap().unwrap().doc_freq, 2);
        // Traditional and full-width characters are stored folded.
        assert_eq!(positions_of(&grams, '会', Some('议')), [5, 8]);
        assert_eq!(positions_of(&grams, '5', Some('g')), [16]);
        assert_eq!(positions_of(&grams, 'g', Some('网')), [17], "the space is not indexed");
        // The last character of each article is a term alone.
        assert_eq!(positions_of(&grams, '议', None), [6]);
        assert_eq!(positions_of(&grams, '开', None), [14]);
        assert_eq!(positions_of(&grams, 'b', None), [21]);
        assert!(
            grams.find(term('议', Some('会'))).unwrap().is_none(),
            "no gram across articles"
        );
        // A character: every term it starts.
        let (from, to) = terms_starting_with('召');
        let mut found: Vec<u32> = grams
            .term_range(from, to)
            .unwrap()
            .iter()
            .flat_map(|info| grams.positions(info).unwrap().read_all())
            .collect();
        found.sort_unstable();
        assert_eq!(found, [3, 13]);
        let articles: Vec<usize> = [0, 7, 8, 15, 16, 21].iter().map(|&p| grams.article_of(p)).collect();
        assert_eq!(articles, [0, 0, 1, 1, 2, 2]);
        let mut seen = Vec::new();
        let info = grams.find(term('峄', Some('城'))).unwrap().unwrap();
        grams.articles_of(&mut grams.positions(&info).unwrap(), |a| seen.push(a));
        assert_eq!(seen, [0, 1]);
    }

    #[test]
    fn positions_seek_forward() {
        let grams = committed();
        let info = grams.find(term('峄', Some('城'))).unwrap().unwrap();
        let mut positions = grams.positions(&info).unwrap();
        assert_eq!((positions.len(), positions.get(1)), (2, 11));
        assert_eq!(positions.seek(0, 0), 0);
        assert_eq!(positions.seek(0, 1), 1);
        assert_eq!(positions.seek(0, 11), 1);
        assert_eq!(positions.seek(0, 12), 2, "past the end");
    }

    /// A body long enough for terms of several blocks of positions and of blocks of terms:
    /// every term's positions read back, `seek` agrees with a search of the whole list from
    /// any cursor, and a term range finds every term of the character.
    #[test]
    fn long_lists_read_back_and_seek_across_blocks() {
        let mut body = String::new();
        // Terms of several blocks of positions (的 and 40 characters in turn), then many terms
        // of a position or two (a run of 600 characters).
        for i in 0..3000u32 {
            body.push('的');
            body.push(char::from_u32(0x4E00 + (i * 7919) % 40).unwrap());
        }
        body.extend((0..600).filter_map(|i| char::from_u32(0x5000 + i)));
        let bodies = [body.as_str(), "的的的确确", body.as_str()];
        let (positions, dictionary) = write(&bodies);
        let grams = Grams::from_bytes(positions, dictionary, "long").unwrap();
        assert!(
            grams.terms > 2 * CODEC_BLOCK,
            "several blocks of terms: {}",
            grams.terms
        );
        // The truth: every character's term and position, in order.
        let mut truth: std::collections::BTreeMap<u64, Vec<u32>> = Default::default();
        let mut position = 0;
        for text in bodies {
            let chars: Vec<char> = text.chars().filter_map(crate::text::fold_char).collect();
            for (i, &ch) in chars.iter().enumerate() {
                truth
                    .entry(term(ch, chars.get(i + 1).copied()))
                    .or_default()
                    .push(position);
                position += 1;
            }
            position += 1;
        }
        let mut all = grams.all_terms().unwrap();
        for (&t, expected) in &truth {
            let info = all.current().expect("as many terms");
            assert_eq!(info.term, t);
            let mut positions = grams.positions(&info).unwrap();
            assert_eq!(&positions.read_all(), expected);
            for from in [0, 1, 127, 128, 129, expected.len() / 2, expected.len()] {
                for target in [
                    0,
                    5,
                    expected[expected.len() / 3],
                    expected[expected.len() - 1],
                    u32::MAX,
                ] {
                    let want = from.max(expected.partition_point(|&p| p < target));
                    assert_eq!(
                        positions.seek(from, target),
                        want,
                        "seek({from}, {target}) of {} positions",
                        expected.len()
                    );
                }
            }
            all.advance().unwrap();
        }
        assert!(all.current().is_none());
        let (from, to) = terms_starting_with('的');
        let of_de: Vec<u64> = grams.term_range(from, to).unwrap().iter().map(|i| i.term).collect();
        let expected: Vec<u64> = truth.keys().copied().filter(|t| (from..=to).contains(t)).collect();
        assert_eq!(of_de, expected);
        let sizes: Vec<usize> = truth.values().map(Vec::len).collect();
        assert!(sizes.iter().any(|&n| n > CODEC_BLOCK && n % CODEC_BLOCK != 0) && sizes.contains(&1));
    }

    #[test]
    fn damaged_or_other_files_are_refused_never_read() {
        let positions = include_bytes!("testdata/tiny.bgram").as_slice();
        let dictionary = include_bytes!("testdata/tiny.bgdict").as_slice();
        let read =
            |p: &[u8], d: &[u8]| Grams::from_bytes(OwnedBytes::new(p.to_vec()), OwnedBytes::new(d.to_vec()), "tiny");
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
        assert_eq!(version_of(&other), Some(VERSION + 1));
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
                assert!(result.is_err(), "count at {at} + {value}");
            }
        }
        // Any byte flipped: an error or an answer, never a panic, whatever is read.
        for (file, len) in [(0, positions.len()), (1, dictionary.len())] {
            for at in 0..len {
                for flip in [0x01u8, 0x80, 0xFF] {
                    let (mut p, mut d) = (positions.to_vec(), dictionary.to_vec());
                    if file == 0 {
                        p[at] ^= flip
                    } else {
                        d[at] ^= flip
                    }
                    let Ok(grams) = read(&p, &d) else { continue };
                    let (from, to) = terms_starting_with('峄');
                    if let Ok(terms) = grams.term_range(from, to) {
                        for info in terms {
                            if let Ok(mut positions) = grams.positions(&info) {
                                let _ = positions.read_all();
                                let _ = positions.seek(0, 10);
                                grams.articles_of(&mut positions, |_| {});
                            }
                        }
                    }
                    if let Ok(mut all) = grams.all_terms() {
                        while all.current().is_some() && all.advance().is_ok() {}
                    }
                }
            }
        }
    }
}
