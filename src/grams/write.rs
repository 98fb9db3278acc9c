//! Writing a segment's grams: collected while indexing, sorted and streamed out when the
//! segment is written ([`FileWriter`] is shared with the merge).

use std::io::Write;

use tantivy::directory::TerminatingWrite;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentComponent;
use tantivy::indexer::doc_id_mapping::DocIdMapping;
use tantivy::plugin::PluginWriter;
use tantivy::schema::document::ErasedDocument;
use tantivy::schema::{Field, Schema, Value};
use tantivy::{DocId, Segment, TantivyDocument, TantivyError};

use super::read::article_at;
use super::sort::sort_by_term;
use super::{term, too_large, DICTIONARY, MAGIC, POSITIONS, VERSION};
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
        self.starts.push(self.next);
        let Some(doc) = doc.as_any().downcast_ref::<TantivyDocument>() else {
            return Err(TantivyError::InvalidArgument(
                "grams: documents must be TantivyDocuments".to_string(),
            ));
        };
        for value in doc.get_all(self.body) {
            if let Some(text) = value.as_str() {
                self.add_text(text)?;
            }
        }
        Ok(())
    }

    fn serialize(self: Box<Self>, segment: &Segment, doc_id_map: Option<&DocIdMapping>) -> tantivy::Result<()> {
        if doc_id_map.is_some() {
            return Err(TantivyError::InvalidArgument(
                "grams: sorted indexes are not supported".to_string(),
            ));
        }
        let GramsWriter {
            mut terms,
            mut positions,
            mut starts,
            next,
            ..
        } = *self;
        starts.push(next);
        sort_by_term(&mut terms, &mut positions);
        let mut out = FileWriter::new(segment)?;
        let mut at = 0;
        while at < terms.len() {
            let end = at + terms[at..].partition_point(|&t| t == terms[at]);
            out.positions(&positions[at..end])?;
            out.term(terms[at], doc_freq(&positions[at..end], &starts))?;
            at = end;
        }
        out.finish(&starts)
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

/// The number of articles `positions` (in order) fall in, given each article's start.
fn doc_freq(positions: &[u32], starts: &[u32]) -> u32 {
    let mut doc_freq = 0;
    let mut article = 0;
    let mut end = 0;
    for &p in positions {
        // Past the current article: the next one holding a position.
        if p >= end {
            article = article_at(|a| starts[a], starts.len(), article, p);
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
    /// Positions written, terms recorded.
    written: u64,
    terms: u64,
}

/// A file written through a buffer of our own (whole blocks to tantivy's writer).
struct BufferedFile {
    out: tantivy::directory::WritePtr,
    buffer: Vec<u8>,
}

impl BufferedFile {
    fn open(segment: &Segment, extension: &str) -> tantivy::Result<BufferedFile> {
        Ok(BufferedFile {
            out: segment.open_write(SegmentComponent::Custom(extension.to_string()))?,
            buffer: Vec::with_capacity(1 << 16),
        })
    }

    fn write(&mut self, bytes: impl IntoIterator<Item = u8>) -> tantivy::Result<()> {
        self.buffer.extend(bytes);
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

impl FileWriter {
    pub(super) fn new(segment: &Segment) -> tantivy::Result<FileWriter> {
        Ok(FileWriter {
            positions: BufferedFile::open(segment, POSITIONS)?,
            dictionary: BufferedFile::open(segment, DICTIONARY)?,
            written: 0,
            terms: 0,
        })
    }

    pub(super) fn positions(&mut self, positions: &[u32]) -> tantivy::Result<()> {
        for chunk in positions.chunks(1 << 14) {
            self.positions.write(chunk.iter().flat_map(|p| p.to_le_bytes()))?;
        }
        self.written += positions.len() as u64;
        Ok(())
    }

    /// Records `term`, found in `doc_freq` articles, whose positions are the last written.
    pub(super) fn term(&mut self, term: u64, doc_freq: u32) -> tantivy::Result<()> {
        let end = u32::try_from(self.written).map_err(|_| too_large())?;
        let record = term
            .to_le_bytes()
            .into_iter()
            .chain(doc_freq.to_le_bytes())
            .chain(end.to_le_bytes());
        self.terms += 1;
        self.dictionary.write(record)
    }

    pub(super) fn finish(mut self, starts: &[u32]) -> tantivy::Result<()> {
        let articles = starts.len() - 1;
        let tokens: u64 = (0..articles).map(|d| u64::from(starts[d + 1] - starts[d] - 1)).sum();
        for chunk in starts.chunks(1 << 14) {
            self.dictionary.write(chunk.iter().flat_map(|s| s.to_le_bytes()))?;
        }
        // Computed once here, not per scored article (a table search each).
        let norms = starts
            .windows(2)
            .map(|w| FieldNormReader::fieldnorm_to_id(w[1] - w[0] - 1));
        self.dictionary.write(norms)?;
        self.positions.finish(&[self.written])?;
        self.dictionary.finish(&[self.terms, articles as u64, tokens])
    }
}
