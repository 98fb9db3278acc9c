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
use super::sort::sort_by_term;
use super::{term, too_large, ALONE, DICTIONARY, MAGIC, POSITIONS, VERSION};
use crate::text::fold_char;

/// One segment's grams while it is being indexed.
pub(super) struct GramsWriter {
    body: Field,
    /// Term of every character indexed, beside its position.
    terms: Vec<u64>,
    positions: Vec<u32>,
    /// Each article's first position.
    starts: Vec<u32>,
    /// The next article's first position.
    next: u32,
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
            terms: Vec::new(),
            positions: Vec::new(),
            starts: Vec::new(),
            next: 0,
        }
    }

    fn add_text(&mut self, text: &str) -> tantivy::Result<()> {
        // Grown by a quarter at a time, not doubled: the memory tantivy counts against the
        // budget is the arrays' capacity, and a doubled array would end most segments at not
        // much more than half the budget.
        let room = self.terms.capacity() - self.terms.len();
        if room < text.len() {
            let more = text.len().max(self.terms.len() / 4);
            self.terms.reserve_exact(more);
            self.positions.reserve_exact(more);
        }
        let mut chars = text.chars().filter_map(fold_char).peekable();
        let mut position = self.next;
        while let Some(ch) = chars.next() {
            self.terms.push(term(ch, chars.peek().copied()));
            self.positions.push(position);
            position = position.checked_add(1).ok_or_else(too_large)?;
        }
        // One empty position after each text.
        self.next = position.checked_add(1).ok_or_else(too_large)?;
        Ok(())
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
        // Writing the segment out takes as much again for a moment (the sort), as tantivy's
        // own postings writer does.
        self.terms.capacity() * 8 + self.positions.capacity() * 4 + self.starts.capacity() * 4
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
            mut terms,
            mut positions,
            mut starts,
            next,
            ..
        } = self;
        starts.push(next);
        sort_by_term(&mut terms, &mut positions);
        let table = ArticleTable::new(|a| starts[a], starts.len() - 1);
        let mut at = 0;
        while at < terms.len() {
            let end = at + run_length(&terms[at..]);
            out.positions(&positions[at..end])?;
            out.term(terms[at], doc_freq(&positions[at..end], &starts, &table))?;
            at = end;
        }
        out.finish(&starts)
    }
}

/// How many of `sorted` (not empty) equal its first: searched in doubling steps, since most
/// terms have few positions.
fn run_length(sorted: &[u64]) -> usize {
    let first = sorted[0];
    let mut bound = 1;
    while bound < sorted.len() && sorted[bound] == first {
        bound *= 2;
    }
    let low = bound / 2;
    low + sorted[low..bound.min(sorted.len())].partition_point(|&t| t == first)
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
    use super::super::testing::{write, TINY};
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
