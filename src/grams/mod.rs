//! The body's character grams: govsearch's own postings, one file per segment.
//!
//! An article's body is found by its characters: each folded character is a term at its
//! position, the bigram it starts with the next character (or the character alone at the end of
//! the body), so a string is a phrase of bigrams and a single character is the range of terms
//! that start with it (`query::body`). In tantivy's own postings writer these terms are most of
//! indexing time, spent in cache misses of its term hash table (one lookup per character) and
//! in building a term dictionary per segment. Here a term is an integer (two code points), and
//! a segment is written by sorting instead of hashing:
//!
//! - while indexing, each character appends its term to an array: a segment's positions are
//!   global (articles one after another, one empty position between two), so a position names
//!   its article too, and a term's position follows from its place in the array and the texts
//!   before it. The characters of a segment are numbered as they first come, so a term takes
//!   32 bits (two numbers) instead of two code points, while the segment has fewer than 2^16
//!   distinct characters;
//! - writing the segment renumbers the characters in code point order, packs each term's key
//!   with its position into one integer, sorts them by key (radix sort, stable, so each term's
//!   positions stay in order) and writes them out as they are;
//! - merging concatenates each term's positions from the merged segments, renumbered.
//!
//! A segment has two files, both written as they are produced (a merge holds no more than one
//! term's positions), all integers little-endian:
//!
//! - `.bgram`: the positions of every term, term after term, compressed as tantivy and Lucene
//!   compress postings ([`codec`]): each whole block of 128 positions bit-packed as distances
//!   (less one) at the width of its largest, behind a skip table of each block's last position
//!   and end, so a search skips blocks without decoding them; the positions that fill no block
//!   packed to their own width. Then a footer: the bytes before it (`u64`), [`VERSION`],
//!   [`MAGIC`];
//! - `.bgdict`: the terms in order, in blocks of 128: the two halves of each term (the first
//!   character as distances, the second as it is), its document frequency, its count of
//!   positions and where its positions end, each bit-packed; then a header per block (its
//!   first term, where its positions start, where its packed bytes start: `u64` each), which
//!   a lookup searches; then where each article starts (`u32`, one more than there are
//!   articles); then each article's length as BM25 reads it (tantivy's one-byte field norm);
//!   then a footer: terms, articles, characters (`u64` each), [`VERSION`], [`MAGIC`].
//!
//! Every count and offset is checked against the file's size before it is used, so damage
//! reads as an error that names the segment, never as a panic; what sizes cannot show (a
//! flipped bit inside packed positions) is found by the checksums `govsearch check` and every
//! merge verify.
//!
//! A phrase never spans two articles: its bigrams each have their second character in the same
//! article, the last character of an article is a term alone (never a bigram), and one empty
//! position separates articles, so bigrams at most two positions apart cannot straddle them.
//!
//! This module owns the format (its constants and terms) and the tantivy segment plugin;
//! [`codec`] packs integers, [`write`](mod@write) collects and writes a segment, [`sort`] orders its pairs, [`merge`] merges
//! segments, [`read`] reads the files in place, and [`cache`] keeps what searches read per
//! segment. `testdata/` holds a tiny segment's files, which pin the format.

mod cache;
mod codec;
mod matches;
mod merge;
mod read;
mod sort;
mod write;

pub(crate) use cache::{GramsCache, Matches};
pub(crate) use matches::CharMatches;
pub(crate) use read::{version_of, Grams, Positions};
pub(crate) use sort::{sort_by_key, Packed};

use tantivy::plugin::{PluginMergeContext, PluginWriter, PluginWriterContext, SegmentPlugin};
use tantivy::schema::Field;
use tantivy::TantivyError;

/// The file extensions of a segment's positions and dictionary.
const POSITIONS: &str = "bgram";
pub(crate) const DICTIONARY: &str = "bgdict";
/// The last four bytes of both files.
const MAGIC: u32 = u32::from_le_bytes(*b"GSBG");
/// The files' layout version: the index format ([`crate::format`]).
pub(crate) const VERSION: u32 = crate::format::FORMAT;
/// Footers: counts (`u64` each), then version and magic (`u32` each).
const POSITIONS_FOOTER: usize = 8 + 2 * 4;
const DICTIONARY_FOOTER: usize = 3 * 8 + 2 * 4;
/// A dictionary block's header: first term, where its positions start, where it starts.
const HEADER: usize = 24;
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

/// The segment plugin that writes, merges and reads the grams of the body field.
pub(crate) struct BodyGrams {
    body: Field,
}

impl BodyGrams {
    /// The plugin for the body field `body`.
    pub(crate) fn new(body: Field) -> BodyGrams {
        BodyGrams { body }
    }
}

impl SegmentPlugin for BodyGrams {
    fn extensions(&self) -> &[&str] {
        &[POSITIONS, DICTIONARY]
    }

    fn create_writer(&self, _ctx: &PluginWriterContext) -> tantivy::Result<Box<dyn PluginWriter>> {
        Ok(Box::new(write::GramsWriter::new(self.body)))
    }

    fn merge(&self, ctx: PluginMergeContext) -> tantivy::Result<()> {
        merge::merge(&ctx)
    }
}

fn too_large() -> TantivyError {
    TantivyError::InvalidArgument("a segment's body text is over 4 billion characters".to_string())
}

#[cfg(test)]
pub(super) mod testing {
    //! Grams files written and read without an index, for the unit tests of each part.

    use std::path::Path;

    use tantivy::directory::{Directory, OwnedBytes, RamDirectory};
    use tantivy::schema::Field;

    use super::write::{FileWriter, GramsWriter};

    /// Three small bodies: traditional characters, full-width letters and spaces fold; one
    /// character repeats within and across articles.
    pub(super) const TINY: [&str; 3] = ["峄城区召开会议", "會議在峄城召开", "５G 网络ab"];

    /// Somewhere to write a segment's two files, and read them back.
    pub(super) struct Files(RamDirectory);

    impl Files {
        pub(super) fn new() -> Files {
            Files(RamDirectory::create())
        }

        pub(super) fn writer(&self) -> FileWriter {
            let open = |name: &str| self.0.open_write(Path::new(name)).expect("a new file in memory");
            FileWriter::to(open("grams.bgram"), open("grams.bgdict"))
        }

        /// The positions file and the dictionary file.
        pub(super) fn bytes(&self) -> (OwnedBytes, OwnedBytes) {
            let read = |name: &str| {
                let file = self.0.open_read(Path::new(name)).expect("the file was written");
                file.read_bytes().expect("a file in memory reads")
            };
            (read("grams.bgram"), read("grams.bgdict"))
        }
    }

    /// The grams files of a segment of `bodies`, one article each.
    pub(super) fn write(bodies: &[&str]) -> (OwnedBytes, OwnedBytes) {
        let mut writer = GramsWriter::new(Field::from_field_id(0));
        for body in bodies {
            writer.add_article(std::iter::once(*body)).expect("a small body");
        }
        let files = Files::new();
        writer.write_to(files.writer()).expect("written in memory");
        files.bytes()
    }
}
