//! Writing a segment's grams: collected while indexing, sorted and streamed out when the
//! segment is written ([`FileWriter`] is shared with the merge).

use std::io::Write;

use tantivy::directory::{TerminatingWrite, WritePtr};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentComponent;
use tantivy::indexer::doc_id_mapping::DocIdMapping;
use tantivy::plugin::PluginWriter;
use tantivy::schema::document::ErasedDocument;
use tantivy::schema::{Field, Schema, Value};
use tantivy::{DocId, Segment, TantivyDocument, TantivyError};

use super::codec::{self, BLOCK};
use super::read::ArticleTable;
use super::sort::{sort_by_key, Packed};
use super::{term, too_large, ALONE, DICTIONARY, MAGIC, POSITIONS, TERM_BITS, VERSION};
use crate::text::fold_char;

/// One segment's grams while it is being indexed.
pub(super) struct GramsWriter {
    body: Field,
    /// The bigram each character indexed starts, in order.
    terms: Terms,
    /// The numbers of the characters of narrow terms.
    numbers: CharNumbers,
    /// Where each text starts among the terms. A term's position is not kept: it is its place
    /// plus the number of texts before its own (one empty position after each text).
    texts: Vec<u32>,
    /// Each article's first position.
    starts: Vec<u32>,
    /// The next article's first position.
    next: u32,
}

/// A segment's terms as they are collected.
enum Terms {
    /// The first character's number times 2^16 plus the second's (0: the first ends the
    /// text): half the memory of a [`term`], and fewer bits to sort. Used while the segment
    /// has no more distinct characters than a `u16` numbers, which any real text has.
    Narrow(Chunks<u32>),
    /// [`term`]s, once a segment has more distinct characters.
    Wide(Chunks<u64>),
}

/// An array grown a chunk at a time: a growing `Vec` copies what it holds into new memory at
/// every step, which the kernel zeroes first; a segment's terms are most of its memory, and
/// copying them costs more than collecting them.
struct Chunks<T> {
    chunks: Vec<Vec<T>>,
}

/// Items of a chunk: small against a writer's memory budget, large against a text.
const CHUNK: usize = 1 << 18;

impl<T: Copy> Chunks<T> {
    fn new() -> Chunks<T> {
        Chunks { chunks: Vec::new() }
    }

    fn len(&self) -> usize {
        self.chunks
            .last()
            .map_or(0, |last| (self.chunks.len() - 1) * CHUNK + last.len())
    }

    fn capacity(&self) -> usize {
        self.chunks.len() * CHUNK
    }

    fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(item),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
    }

    fn truncate(&mut self, len: usize) {
        self.chunks.truncate(len.div_ceil(CHUNK));
        if let Some(last) = self.chunks.last_mut() {
            last.truncate(len - (len.div_ceil(CHUNK) - 1) * CHUNK);
        }
    }

    fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.chunks.iter().flatten().copied()
    }

    /// The items in order, each chunk's memory given back once it is read.
    fn into_iter(self) -> impl Iterator<Item = T> {
        self.chunks.into_iter().flatten()
    }
}

impl Terms {
    fn len(&self) -> usize {
        match self {
            Terms::Narrow(terms) => terms.len(),
            Terms::Wide(terms) => terms.len(),
        }
    }
}

/// The characters of one segment, numbered 1, 2, … as they first come: by a table over the
/// basic plane (where nearly every character is), by a map beyond it.
struct CharNumbers {
    basic: Vec<u16>,
    beyond: std::collections::HashMap<char, u16>,
    /// The character numbered n is `chars[n - 1]`.
    chars: Vec<char>,
}

impl CharNumbers {
    fn new() -> CharNumbers {
        CharNumbers {
            basic: vec![0; 1 << 16],
            beyond: std::collections::HashMap::new(),
            chars: Vec::new(),
        }
    }

    /// `ch`'s number, `None` when every number is taken.
    fn number(&mut self, ch: char) -> Option<u16> {
        let next = self.chars.len() + 1;
        let slot = match self.basic.get_mut(ch as usize) {
            Some(slot) => slot,
            None => self.beyond.entry(ch).or_insert(0),
        };
        if *slot == 0 {
            *slot = u16::try_from(next).ok()?;
            self.chars.push(ch);
        }
        Some(*slot)
    }

    fn mem_usage(&self) -> usize {
        self.basic.capacity() * 2 + self.beyond.capacity() * 8 + self.chars.capacity() * 4
    }

    /// The order of the numbered characters by code point, for sorting narrow terms.
    fn order(&self) -> Order {
        let count = self.chars.len();
        let mut by_rank: Vec<char> = self.chars.clone();
        by_rank.sort_unstable();
        // Rank 0.. by code point; the missing second character after every character.
        let mut ranks = vec![count as u32; count + 1];
        for (number, ch) in self.chars.iter().enumerate() {
            ranks[number + 1] = by_rank.partition_point(|c| c < ch) as u32;
        }
        Order {
            ranks,
            by_rank,
            bits: u32::BITS - (count as u32).leading_zeros(),
        }
    }
}

/// Narrow terms renumbered so that their order is the order of their [`term`]s.
struct Order {
    /// Each number's rank (the number 0, no second character, ranks last).
    ranks: Vec<u32>,
    /// The characters by rank.
    by_rank: Vec<char>,
    /// Bits of a rank.
    bits: u32,
}

impl Order {
    /// The sort key of a narrow term: its first character's rank, then its second's.
    fn key(&self, narrow: u32) -> u32 {
        (self.ranks[(narrow >> 16) as usize] << self.bits) | self.ranks[(narrow & 0xFFFF) as usize]
    }

    /// The [`term`] of a sort key.
    fn term(&self, key: u32) -> u64 {
        let second = (key & ((1 << self.bits) - 1)) as usize;
        term(
            self.by_rank[(key >> self.bits) as usize],
            self.by_rank.get(second).copied(),
        )
    }
}

impl GramsWriter {
    /// The next article, whose body is `texts`.
    pub(super) fn add_article<'a>(&mut self, texts: impl Iterator<Item = &'a str>) -> tantivy::Result<()> {
        self.starts.push(self.next);
        for text in texts {
            self.add_text(text)?;
        }
        Ok(())
    }

    pub(super) fn new(body: Field) -> GramsWriter {
        GramsWriter {
            body,
            terms: Terms::Narrow(Chunks::new()),
            numbers: CharNumbers::new(),
            texts: Vec::new(),
            starts: Vec::new(),
            next: 0,
        }
    }

    fn add_text(&mut self, text: &str) -> tantivy::Result<()> {
        let first = self.terms.len();
        self.texts.push(u32::try_from(first).map_err(|_| too_large())?);
        let chars = text.chars().filter_map(fold_char);
        let narrowed = match &mut self.terms {
            Terms::Narrow(terms) => {
                let mut previous: Option<u32> = None;
                let mut numbered = true;
                for ch in chars.clone() {
                    let Some(number) = self.numbers.number(ch).map(u32::from) else {
                        numbered = false;
                        break;
                    };
                    if let Some(previous) = previous {
                        terms.push((previous << 16) | number);
                    }
                    previous = Some(number);
                }
                if let Some(previous) = previous.filter(|_| numbered) {
                    terms.push(previous << 16);
                }
                if !numbered {
                    terms.truncate(first);
                }
                numbered
            }
            Terms::Wide(_) => false,
        };
        if !narrowed {
            self.widen();
            let Terms::Wide(terms) = &mut self.terms else {
                unreachable!("widened")
            };
            let mut chars = chars.peekable();
            while let Some(ch) = chars.next() {
                terms.push(term(ch, chars.peek().copied()));
            }
        }
        let count = self.terms.len() - first;
        // One empty position after each text.
        self.next = u32::try_from(count)
            .ok()
            .and_then(|count| self.next.checked_add(count))
            .and_then(|end| end.checked_add(1))
            .ok_or_else(too_large)?;
        Ok(())
    }

    /// Turns narrow terms into [`term`]s, for a segment with more distinct characters than
    /// narrow terms number.
    fn widen(&mut self) {
        if let Terms::Narrow(narrow) = &self.terms {
            let chars = &self.numbers.chars;
            let mut wide = Chunks::new();
            for t in narrow.iter() {
                wide.push(term(
                    chars[(t >> 16) as usize - 1],
                    (t & 0xFFFF).checked_sub(1).map(|n| chars[n as usize]),
                ));
            }
            self.terms = Terms::Wide(wide);
        }
    }
}

impl PluginWriter for GramsWriter {
    fn add_document(&mut self, doc_id: DocId, doc: &dyn ErasedDocument, _schema: &Schema) -> tantivy::Result<()> {
        if doc_id as usize != self.starts.len() {
            return Err(TantivyError::InvalidArgument(format!(
                "grams: document {doc_id} came after {} documents",
                self.starts.len()
            )));
        }
        let Some(doc) = doc.as_any().downcast_ref::<TantivyDocument>() else {
            return Err(TantivyError::InvalidArgument(
                "grams: documents must be TantivyDocuments".to_string(),
            ));
        };
        self.add_article(doc.get_all(self.body).filter_map(|value| value.as_str()))
    }

    fn serialize(self: Box<Self>, segment: &Segment, doc_id_map: Option<&DocIdMapping>) -> tantivy::Result<()> {
        if doc_id_map.is_some() {
            return Err(TantivyError::InvalidArgument(
                "grams: sorted indexes are not supported".to_string(),
            ));
        }
        self.write_to(FileWriter::new(segment)?)
    }

    fn mem_usage(&self) -> usize {
        // Writing the segment out takes more for a moment (the positions and the sort), as
        // tantivy's own postings writer does.
        let terms = match &self.terms {
            Terms::Narrow(terms) => terms.capacity() * 4,
            Terms::Wide(terms) => terms.capacity() * 8,
        };
        terms + self.numbers.mem_usage() + (self.texts.capacity() + self.starts.capacity()) * 4
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

impl GramsWriter {
    /// Sorts what was collected and writes it out.
    pub(super) fn write_to(self, mut out: FileWriter) -> tantivy::Result<()> {
        let GramsWriter {
            terms,
            numbers,
            texts,
            mut starts,
            next,
            ..
        } = self;
        starts.push(next);
        let table = ArticleTable::new(|a| starts[a], starts.len() - 1);
        match terms {
            Terms::Narrow(narrow) => {
                let order = numbers.order();
                let mut pairs: Vec<u64> = packed(narrow, &texts, |narrow| u64::from(order.key(narrow)));
                sort_by_key(&mut pairs, 2 * order.bits);
                write_runs(&pairs, |key| order.term(key as u32), &starts, &table, &mut out)?;
            }
            Terms::Wide(wide) => {
                let mut pairs: Vec<u128> = packed(wide, &texts, |term| term);
                sort_by_key(&mut pairs, TERM_BITS);
                write_runs(&pairs, |term| term, &starts, &table, &mut out)?;
            }
        }
        out.finish(&starts)
    }
}

/// Each of `terms` as its key (`key` of the term) and its position, given where each text
/// starts among the terms.
fn packed<T: Copy, P: Packed>(terms: Chunks<T>, texts: &[u32], key: impl Fn(T) -> u64) -> Vec<P> {
    let len = terms.len();
    let mut pairs = Vec::with_capacity(len);
    let mut terms = terms.into_iter();
    for (before, &start) in (0u32..).zip(texts) {
        let end = texts.get(before as usize + 1).map_or(len as u32, |&end| end);
        pairs.extend(
            (start..end)
                .zip(terms.by_ref())
                .map(|(place, term)| P::pack(key(term), place + before)),
        );
    }
    pairs
}

/// Writes each run of `pairs` (sorted) of one key as the term `term_of` the key gives, with
/// its positions.
fn write_runs<P: Packed>(
    pairs: &[P],
    term_of: impl Fn(u64) -> u64,
    starts: &[u32],
    table: &ArticleTable,
    out: &mut FileWriter,
) -> tantivy::Result<()> {
    let mut positions = Vec::new();
    let mut at = 0;
    while at < pairs.len() {
        let end = at + run_length(&pairs[at..]);
        positions.clear();
        positions.extend(pairs[at..end].iter().map(|pair| pair.position()));
        out.positions(&positions)?;
        out.term(term_of(pairs[at].key()), doc_freq(&positions, starts, table))?;
        at = end;
    }
    Ok(())
}

/// How many of `sorted` (not empty) equal its first: searched in doubling steps, since most
/// terms have few positions.
fn run_length<P: Packed>(sorted: &[P]) -> usize {
    let first = sorted[0].key();
    let mut bound = 1;
    while bound < sorted.len() && sorted[bound].key() == first {
        bound *= 2;
    }
    let low = bound / 2;
    low + sorted[low..bound.min(sorted.len())].partition_point(|t| t.key() == first)
}

/// The number of articles `positions` (in order) fall in, given each article's start.
fn doc_freq(positions: &[u32], starts: &[u32], table: &ArticleTable) -> u32 {
    let mut doc_freq = 0;
    let mut end = 0;
    for &p in positions {
        // Past the current article: the next one holding a position.
        if p >= end {
            let article = table.article(|a| starts[a], p);
            end = starts[article + 1];
            doc_freq += 1;
        }
    }
    doc_freq
}

/// Writes a segment's grams files as the terms come.
pub(super) struct FileWriter {
    positions: BufferedFile,
    dictionary: BufferedFile,
    /// Bytes of positions and of dictionary blocks written, terms recorded.
    written: u64,
    dictionary_written: u64,
    terms: u64,
    /// The last positions' count and bytes, for the term that names them.
    last_count: u32,
    last_bytes: u64,
    /// The dictionary block being filled, and the headers of those written.
    block: PendingBlock,
    headers: Vec<u8>,
    /// One term's packed positions, or one block's packed terms.
    scratch: Vec<u8>,
}

/// Up to a block of terms, not yet packed.
#[derive(Default)]
struct PendingBlock {
    terms: Vec<u64>,
    doc_freqs: Vec<u32>,
    counts: Vec<u32>,
    /// Where each term's positions end, from where the block's first term's start.
    ends: Vec<u32>,
    /// Where the block's first term's positions start.
    postings_at: u64,
}

/// A block of `values` padded to [`BLOCK`] with `pad`.
fn padded(values: &[u32], pad: u32) -> [u32; BLOCK] {
    let mut block = [pad; BLOCK];
    block[..values.len()].copy_from_slice(values);
    block
}

impl PendingBlock {
    /// Packs the block (see the module documentation of `grams`).
    fn pack(&self, out: &mut Vec<u8>) {
        let first_high = (self.terms[0] >> 21) as u32;
        let highs: Vec<u32> = self.terms.iter().map(|t| (t >> 21) as u32).collect();
        // A character alone (the second half all ones) packs as 0, a character as itself plus one.
        let lows: Vec<u32> = self.terms.iter().map(|&t| ((t + 1) & ALONE) as u32).collect();
        let min_low = lows.iter().copied().min().unwrap_or(0);
        let lows: Vec<u32> = lows.iter().map(|l| l - min_low).collect();
        let counts: Vec<u32> = self.counts.iter().map(|c| c - 1).collect();
        let last = |v: &[u32]| v.last().copied().unwrap_or(0);
        out.extend(min_low.to_le_bytes());
        codec::pack_sorted(first_high, &padded(&highs, last(&highs)), out);
        codec::pack_plain(&padded(&lows, 0), out);
        codec::pack_plain(&padded(&self.doc_freqs, 0), out);
        codec::pack_plain(&padded(&counts, 0), out);
        codec::pack_sorted(0, &padded(&self.ends, last(&self.ends)), out);
    }
}

/// A file written through a buffer of our own (whole blocks to tantivy's writer).
struct BufferedFile {
    out: WritePtr,
    buffer: Vec<u8>,
}

impl BufferedFile {
    fn new(out: WritePtr) -> BufferedFile {
        BufferedFile {
            out,
            buffer: Vec::with_capacity(1 << 16),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> tantivy::Result<()> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= 1 << 16 {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn finish(mut self, counts: &[u64]) -> tantivy::Result<()> {
        for count in counts {
            self.buffer.extend(count.to_le_bytes());
        }
        self.buffer.extend(VERSION.to_le_bytes());
        self.buffer.extend(MAGIC.to_le_bytes());
        self.out.write_all(&self.buffer)?;
        self.out.terminate()?;
        Ok(())
    }
}

/// Packs one term's positions (strictly increasing) into `out`: the layout [`Positions`]
/// reads.
///
/// [`Positions`]: super::Positions
fn pack_positions(positions: &[u32], out: &mut Vec<u8>) -> tantivy::Result<()> {
    let blocks = positions.len() / BLOCK;
    let skip_at = out.len();
    out.resize(skip_at + blocks * 8, 0);
    let mut previous = None;
    for (b, block) in positions.chunks_exact(BLOCK).enumerate() {
        codec::pack_increasing(previous, block, out);
        let last = block[BLOCK - 1];
        let end = u32::try_from(out.len() - skip_at).map_err(|_| too_large())?;
        out[skip_at + b * 8..skip_at + b * 8 + 8].copy_from_slice(&[last.to_le_bytes(), end.to_le_bytes()].concat());
        previous = Some(last);
    }
    let rest = &positions[blocks * BLOCK..];
    if !rest.is_empty() {
        codec::pack_short(previous, rest, out);
    }
    Ok(())
}

impl FileWriter {
    /// Writes `segment`'s grams files.
    pub(super) fn new(segment: &Segment) -> tantivy::Result<FileWriter> {
        let open = |extension: &str| segment.open_write(SegmentComponent::Custom(extension.to_string()));
        Ok(FileWriter::to(open(POSITIONS)?, open(DICTIONARY)?))
    }

    /// Writes the positions and the dictionary to `positions` and `dictionary`.
    pub(super) fn to(positions: WritePtr, dictionary: WritePtr) -> FileWriter {
        FileWriter {
            positions: BufferedFile::new(positions),
            dictionary: BufferedFile::new(dictionary),
            written: 0,
            dictionary_written: 0,
            terms: 0,
            last_count: 0,
            last_bytes: 0,
            block: PendingBlock::default(),
            headers: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Writes the positions of the next term, strictly increasing.
    pub(super) fn positions(&mut self, positions: &[u32]) -> tantivy::Result<()> {
        self.scratch.clear();
        pack_positions(positions, &mut self.scratch)?;
        self.positions.write(&self.scratch)?;
        self.written += self.scratch.len() as u64;
        self.last_count = u32::try_from(positions.len()).map_err(|_| too_large())?;
        self.last_bytes = self.scratch.len() as u64;
        Ok(())
    }

    /// Records `term`, found in `doc_freq` articles, whose positions are the last written.
    pub(super) fn term(&mut self, term: u64, doc_freq: u32) -> tantivy::Result<()> {
        if self.block.terms.is_empty() {
            self.block.postings_at = self.written - self.last_bytes;
        }
        let end = u32::try_from(self.written - self.block.postings_at).map_err(|_| too_large())?;
        self.block.terms.push(term);
        self.block.doc_freqs.push(doc_freq);
        self.block.counts.push(self.last_count);
        self.block.ends.push(end);
        self.terms += 1;
        if self.block.terms.len() == BLOCK {
            self.write_block()?;
        }
        Ok(())
    }

    fn write_block(&mut self) -> tantivy::Result<()> {
        let block = std::mem::take(&mut self.block);
        self.scratch.clear();
        block.pack(&mut self.scratch);
        for value in [block.terms[0], block.postings_at, self.dictionary_written] {
            self.headers.extend(value.to_le_bytes());
        }
        self.dictionary.write(&self.scratch)?;
        self.dictionary_written += self.scratch.len() as u64;
        Ok(())
    }

    pub(super) fn finish(mut self, starts: &[u32]) -> tantivy::Result<()> {
        if !self.block.terms.is_empty() {
            self.write_block()?;
        }
        let headers = std::mem::take(&mut self.headers);
        self.dictionary.write(&headers)?;
        let articles = starts.len() - 1;
        let tokens: u64 = (0..articles).map(|d| u64::from(starts[d + 1] - starts[d] - 1)).sum();
        for chunk in starts.chunks(1 << 14) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|s| s.to_le_bytes()).collect();
            self.dictionary.write(&bytes)?;
        }
        // Computed once here, not per scored article (a table search each).
        let norms: Vec<u8> = starts
            .windows(2)
            .map(|w| FieldNormReader::fieldnorm_to_id(w[1] - w[0] - 1))
            .collect();
        self.dictionary.write(&norms)?;
        self.positions.finish(&[self.written])?;
        self.dictionary.finish(&[self.terms, articles as u64, tokens])
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::codec::BLOCK;
    use super::super::testing::{write, Files, TINY};
    use super::super::{DICTIONARY_FOOTER, HEADER, MAGIC, POSITIONS_FOOTER, VERSION};

    fn u32s(bytes: &[u8]) -> Vec<u32> {
        bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
            .collect()
    }

    fn u64s(bytes: &[u8]) -> Vec<u64> {
        bytes
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
            .collect()
    }

    /// The grams files of `articles` (each a list of texts) as written from every `(term,
    /// position)` pair sorted by a library sort: what the writer's numbering, implicit
    /// positions and radix sort must give.
    fn by_pairs(articles: &[Vec<String>]) -> (Vec<u8>, Vec<u8>) {
        let (mut pairs, mut starts, mut next) = (Vec::new(), Vec::new(), 0u32);
        for texts in articles {
            starts.push(next);
            for text in texts {
                let chars: Vec<char> = text.chars().filter_map(crate::text::fold_char).collect();
                for (i, &ch) in chars.iter().enumerate() {
                    pairs.push((super::term(ch, chars.get(i + 1).copied()), next + i as u32));
                }
                next += chars.len() as u32 + 1;
            }
        }
        starts.push(next);
        pairs.sort_by_key(|&(term, _)| term);
        let pairs: Vec<u128> = pairs.into_iter().map(|(t, p)| super::Packed::pack(t, p)).collect();
        let files = Files::new();
        let mut out = files.writer();
        let table = super::ArticleTable::new(|a| starts[a], starts.len() - 1);
        super::write_runs(&pairs, |t| t, &starts, &table, &mut out).unwrap();
        out.finish(&starts).unwrap();
        let (positions, dictionary) = files.bytes();
        (positions.to_vec(), dictionary.to_vec())
    }

    fn by_writer(articles: &[Vec<String>]) -> (Vec<u8>, Vec<u8>) {
        let mut writer = super::GramsWriter::new(tantivy::schema::Field::from_field_id(0));
        for texts in articles {
            writer.add_article(texts.iter().map(String::as_str)).unwrap();
        }
        let files = Files::new();
        writer.write_to(files.writer()).unwrap();
        let (positions, dictionary) = files.bytes();
        (positions.to_vec(), dictionary.to_vec())
    }

    /// Articles of several texts (some empty, some of one character), with characters of
    /// every plane, traditional ones and letters that fold: written alike both ways.
    #[test]
    fn the_writer_writes_what_sorted_pairs_give() {
        let alphabet: Vec<char> = "峄城區区召开會议在ＡBc 5g，\u{20000}\u{2A6D6}一".chars().collect();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let articles: Vec<Vec<String>> = (0..200)
            .map(|_| {
                (0..1 + next(3))
                    .map(|_| (0..next(40)).map(|_| alphabet[next(alphabet.len())]).collect())
                    .collect()
            })
            .collect();
        assert_eq!(by_writer(&articles), by_pairs(&articles));
    }

    /// A segment with more distinct characters than narrow terms number turns wide mid-text
    /// and still writes what sorted pairs give.
    #[test]
    fn a_segment_of_more_characters_than_a_u16_numbers_is_written_alike() {
        let all: String = (0x3400..0x4DC0)
            .chain(0x4E00..0xA000)
            .chain(0xAC00..0xD7A4)
            .chain(0x20000..0x2A6E0)
            .filter_map(char::from_u32)
            .collect();
        let distinct: std::collections::HashSet<char> = all.chars().filter_map(crate::text::fold_char).collect();
        assert!(distinct.len() > usize::from(u16::MAX), "{} characters", distinct.len());
        let articles = vec![
            vec!["峄城召开".to_string()],
            vec![all, "会议".to_string()],
            vec!["在峄城".to_string()],
        ];
        assert_eq!(by_writer(&articles), by_pairs(&articles));
    }

    /// The committed files of [`TINY`]'s segment pin the format: any change to what is written
    /// fails here. A deliberate change bumps `VERSION` and writes them again with
    /// `GOVSEARCH_BLESS=1 cargo test --lib grams`.
    #[test]
    fn a_tiny_segment_is_written_byte_for_byte_as_committed() {
        let (positions, dictionary) = write(&TINY);
        if std::env::var_os("GOVSEARCH_BLESS").is_some() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/grams/testdata");
            std::fs::write(dir.join("tiny.bgram"), positions.as_slice()).unwrap();
            std::fs::write(dir.join("tiny.bgdict"), dictionary.as_slice()).unwrap();
        }
        assert_eq!(positions.as_slice(), include_bytes!("testdata/tiny.bgram"));
        assert_eq!(dictionary.as_slice(), include_bytes!("testdata/tiny.bgdict"));
    }

    /// The layout the module documentation describes, read by hand from the bytes.
    #[test]
    fn the_files_are_laid_out_as_documented() {
        let (positions, dictionary) = write(&TINY);
        // 峄城区召开会议 | 会议在峄城召开 | 5g网络ab: 7 + 7 + 6 characters, one empty position
        // after each article.
        let (positions, dictionary) = (positions.as_slice(), dictionary.as_slice());
        let chars = 20;
        let footer = &positions[positions.len() - POSITIONS_FOOTER..];
        let written = u64s(&footer[..8])[0] as usize;
        assert_eq!(u32s(&footer[8..]), [VERSION, MAGIC]);
        assert_eq!(written, positions.len() - POSITIONS_FOOTER);
        // Every term here has a position or two: no whole block, so each is a width byte and
        // the positions packed to it.
        assert!(written < chars * 4, "packed: {written} bytes for {chars} positions");

        let footer = &dictionary[dictionary.len() - DICTIONARY_FOOTER..];
        let counts = u64s(&footer[..24]);
        assert_eq!(u32s(&footer[24..]), [VERSION, MAGIC]);
        let (terms, articles, tokens) = (counts[0] as usize, counts[1] as usize, counts[2]);
        assert_eq!((articles, tokens), (3, chars as u64));
        assert!(terms < BLOCK, "one block of terms");
        let tail = HEADER + (articles + 1) * 4 + articles + DICTIONARY_FOOTER;
        let headers_at = dictionary.len() - tail;
        let header = u64s(&dictionary[headers_at..headers_at + HEADER]);
        assert_eq!(header[0], super::term('5', Some('g')), "the first term: the smallest");
        assert_eq!(
            header[1..],
            [0, 0],
            "its positions and its packed bytes start each file"
        );
        let starts = u32s(&dictionary[headers_at + HEADER..][..(articles + 1) * 4]);
        assert_eq!(starts, [0, 8, 16, 23]);
        let norms = &dictionary[headers_at + HEADER + (articles + 1) * 4..][..articles];
        assert_eq!(norms, [7, 7, 6], "small lengths are their own norm ids");
    }
}
