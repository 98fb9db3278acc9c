//! The body's character grams: govsearch's own postings, one file per segment.
//!
//! An article's body is found by its characters: each folded character is a term at its
//! position, the bigram it starts with the next character (or the character alone at the end of
//! the body), so a string is a phrase of bigrams and a single character is the range of terms
//! that start with it ([`crate::body_query`]). tantivy's own postings writer spent about 70% of
//! indexing time on these terms, most of it in cache misses of its term hash table (one lookup
//! per character) and in building a term dictionary per segment. Here a term is an integer
//! (two code points), and a segment is written by sorting instead of hashing:
//!
//! - while indexing, each character appends `(term, position)` to two arrays; a segment's
//!   positions are global (articles one after another, one empty position between two), so a
//!   position names its article too;
//! - writing the segment sorts both arrays by term (radix sort, stable, so each term's
//!   positions stay in order) and writes them out as they are;
//! - merging concatenates each term's positions from the merged segments, renumbered.
//!
//! A segment has two files, both written as they are produced (a merge holds no more than one
//! term's positions), all integers little-endian:
//!
//! - `.bgram`: the positions of every term, term after term (`u32` each), then a footer: how
//!   many (`u64`), [`VERSION`], [`MAGIC`];
//! - `.bgdict`: one record per term in order: the term (`u64`), its document frequency and
//!   where its positions end (`u32` each); then where each article starts (`u32`, one more than
//!   there are articles); then each article's length as BM25 reads it (tantivy's one-byte
//!   field norm); then a footer: terms, articles, characters (`u64` each), [`VERSION`],
//!   [`MAGIC`].
//!
//! Positions are kept whole, not compressed, so a phrase is matched by searching each term's
//! positions in place.
//!
//! A phrase never spans two articles: its bigrams each have their second character in the same
//! article, the last character of an article is a term alone (never a bigram), and one empty
//! position separates articles, so bigrams at most two positions apart cannot straddle them.

use std::io::Write;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use tantivy::directory::{OwnedBytes, TerminatingWrite};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentComponent;
use tantivy::indexer::doc_id_mapping::{DocIdMapping, MappingType};
use tantivy::plugin::{PluginMergeContext, PluginWriter, PluginWriterContext, SegmentPlugin};
use tantivy::schema::document::ErasedDocument;
use tantivy::schema::{Field, Schema, Value};
use tantivy::{DocId, Segment, SegmentReader, TantivyDocument, TantivyError};

use crate::analysis::fold_char;
use crate::schema;

/// The file extensions of a segment's positions and dictionary.
const POSITIONS: &str = "bgram";
const DICTIONARY: &str = "bgdict";
/// The last four bytes of both files.
const MAGIC: u32 = u32::from_le_bytes(*b"GSBG");
/// The files' layout version.
const VERSION: u32 = 2;
/// Footers: counts (`u64` each), then version and magic (`u32` each).
const POSITIONS_FOOTER: usize = 8 + 2 * 4;
const DICTIONARY_FOOTER: usize = 3 * 8 + 2 * 4;
/// A dictionary record: term, document frequency, end of its positions.
const RECORD: usize = 16;
/// The second half of the term of a character alone (code points end at 0x10FFFF).
const ALONE: u64 = 0x1F_FFFF;
/// Bits of a term that sorting looks at: two 21-bit halves.
const TERM_BITS: u32 = 42;

/// The term of `first` followed by `second` (`None`: `first` ends the text).
pub(crate) fn term(first: char, second: Option<char>) -> u64 {
    (u64::from(first) << 21) | second.map_or(ALONE, u64::from)
}

/// Every term that starts with `ch`: bigrams and `ch` alone.
pub(crate) fn terms_starting_with(ch: char) -> (u64, u64) {
    (u64::from(ch) << 21, term(ch, None))
}

/// The segment plugin that writes, merges and reads the grams of the `body` field.
pub(crate) struct BodyGrams;

impl SegmentPlugin for BodyGrams {
    fn extensions(&self) -> &[&str] {
        &[POSITIONS, DICTIONARY]
    }

    fn create_writer(&self, _ctx: &PluginWriterContext) -> tantivy::Result<Box<dyn PluginWriter>> {
        Ok(Box::new(GramsWriter {
            body: schema::body_field(),
            terms: Vec::new(),
            positions: Vec::new(),
            starts: Vec::new(),
            next: 0,
        }))
    }

    fn merge(&self, ctx: PluginMergeContext) -> tantivy::Result<()> {
        merge(&ctx)
    }
}

/// One segment's grams while it is being indexed.
struct GramsWriter {
    body: Field,
    /// Term of every character indexed, beside its position.
    terms: Vec<u64>,
    positions: Vec<u32>,
    /// Each article's first position.
    starts: Vec<u32>,
    /// The next article's first position.
    next: u32,
}

fn too_large() -> TantivyError {
    TantivyError::InvalidArgument("a segment's body text is over 4 billion characters".to_string())
}

impl GramsWriter {
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

/// Sorts `terms` and `positions` together by term, keeping the order of equal terms: a least
/// significant digit radix sort, a byte at a time (256 places to scatter to stay in cache;
/// at 14 bits a time, most writes missed it and the sort took 5 times as long), skipping the
/// bytes every term shares.
fn sort_by_term(terms: &mut Vec<u64>, positions: &mut Vec<u32>) {
    const DIGIT: u32 = 8;
    let n = terms.len();
    let mut spare_terms = vec![0u64; n];
    let mut spare_positions = vec![0u32; n];
    for shift in (0..TERM_BITS).step_by(DIGIT as usize) {
        let digit = |t: u64| ((t >> shift) & ((1 << DIGIT) - 1)) as usize;
        let mut counts = vec![0usize; 1 << DIGIT];
        for &t in terms.iter() {
            counts[digit(t)] += 1;
        }
        if counts.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for count in &mut counts {
            (*count, sum) = (sum, sum + *count);
        }
        for (&t, &p) in terms.iter().zip(positions.iter()) {
            let slot = &mut counts[digit(t)];
            spare_terms[*slot] = t;
            spare_positions[*slot] = p;
            *slot += 1;
        }
        std::mem::swap(terms, &mut spare_terms);
        std::mem::swap(positions, &mut spare_positions);
    }
}

/// The article holding `position`: the last of the `count` starts (the last one past every
/// position) at or before it, searched forward from article `from`, whose start is at or
/// before it (positions read in order make the search short).
fn article_at(start: impl Fn(usize) -> u32, count: usize, from: usize, position: u32) -> usize {
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
struct FileWriter {
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
    fn new(segment: &Segment) -> tantivy::Result<FileWriter> {
        Ok(FileWriter {
            positions: BufferedFile::open(segment, POSITIONS)?,
            dictionary: BufferedFile::open(segment, DICTIONARY)?,
            written: 0,
            terms: 0,
        })
    }

    fn positions(&mut self, positions: &[u32]) -> tantivy::Result<()> {
        for chunk in positions.chunks(1 << 14) {
            self.positions.write(chunk.iter().flat_map(|p| p.to_le_bytes()))?;
        }
        self.written += positions.len() as u64;
        Ok(())
    }

    /// Records `term`, found in `doc_freq` articles, whose positions are the last written.
    fn term(&mut self, term: u64, doc_freq: u32) -> tantivy::Result<()> {
        let end = u32::try_from(self.written).map_err(|_| too_large())?;
        let record = term
            .to_le_bytes()
            .into_iter()
            .chain(doc_freq.to_le_bytes())
            .chain(end.to_le_bytes());
        self.terms += 1;
        self.dictionary.write(record)
    }

    fn finish(mut self, starts: &[u32]) -> tantivy::Result<()> {
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

/// Merges the grams of `ctx.readers` into the target segment: articles in the merged order,
/// deleted ones left out, each term's positions renumbered.
fn merge(ctx: &PluginMergeContext) -> tantivy::Result<()> {
    if ctx.doc_id_mapping.mapping_type() == MappingType::Shuffled {
        return Err(TantivyError::InvalidArgument(
            "grams: sorted indexes are not supported".to_string(),
        ));
    }
    let sources: Vec<Grams> = ctx.readers.iter().map(Grams::open).collect::<tantivy::Result<_>>()?;
    // The merged segment stacks the sources' live articles in order. Each source article's
    // new first position (u32::MAX when deleted), and the merged starts.
    let mut starts = Vec::new();
    let mut next: u32 = 0;
    let mut moved: Vec<Vec<u32>> = Vec::with_capacity(sources.len());
    for (reader, source) in ctx.readers.iter().zip(&sources) {
        let alive = reader.alive_bitset();
        let mut new_starts = Vec::with_capacity(source.articles);
        for doc in 0..source.articles {
            if alive.is_some_and(|a| !a.is_alive(doc as DocId)) {
                new_starts.push(u32::MAX);
                continue;
            }
            new_starts.push(next);
            starts.push(next);
            next = next
                .checked_add(source.article_len(doc))
                .and_then(|n| n.checked_add(1))
                .ok_or_else(too_large)?;
        }
        moved.push(new_starts);
    }
    starts.push(next);
    let mut out = FileWriter::new(ctx.target_segment)?;
    // Terms in order across the sources: a cursor in each.
    let mut cursors = vec![0usize; sources.len()];
    let mut merged = Vec::new();
    let smallest = |cursors: &[usize]| {
        sources
            .iter()
            .zip(cursors)
            .filter(|(s, &c)| c < s.terms)
            .map(|(s, &c)| s.term(c))
            .min()
    };
    while let Some(term) = smallest(&cursors) {
        merged.clear();
        let mut doc_freq = 0;
        for (i, source) in sources.iter().enumerate() {
            if cursors[i] < source.terms && source.term(cursors[i]) == term {
                let (mut article, mut end) = (0, 0);
                // The article's old and new first positions; None when it was deleted.
                let mut moves = None;
                for p in source.positions(cursors[i]).iter() {
                    if p >= end {
                        article = source.article_at(article, p);
                        end = source.start(article + 1);
                        let to = moved[i][article];
                        moves = (to != u32::MAX).then(|| (source.start(article), to));
                        doc_freq += u32::from(moves.is_some());
                    }
                    if let Some((from, to)) = moves {
                        merged.push(to + (p - from));
                    }
                }
                cursors[i] += 1;
            }
        }
        if !merged.is_empty() {
            out.positions(&merged)?;
            out.term(term, doc_freq)?;
        }
    }
    out.finish(&starts)
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
        let (positions, dictionary) = (read(POSITIONS)?, read(DICTIONARY)?);
        let (Some(p), Some(d)) = (footer(&positions, 1), footer(&dictionary, 3)) else {
            return Err(corrupt(reader, "not grams files of this version"));
        };
        let (written, terms, articles, tokens) = (p[0], d[0], d[1], d[2]);
        let dictionary_len = terms * RECORD as u64 + (articles + 1) * 4 + articles + DICTIONARY_FOOTER as u64;
        if written * 4 + POSITIONS_FOOTER as u64 != positions.len() as u64 || dictionary_len != dictionary.len() as u64
        {
            return Err(corrupt(reader, "sizes do not add up"));
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
    /// articles; searching each took 14 ns.
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
