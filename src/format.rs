//! The index format: one version number that every part of an index on disk derives from.
//!
//! A change to anything an index keeps on disk (a field of the schema, an analyzer, the
//! body's grams files, a kept file) bumps [`FORMAT`], and every part follows: the analyzers'
//! names a schema records (`govsearch_words_f` and the format), the grams files' footer, the
//! kept files' magic. An index of another format is refused with a message that says to index again,
//! never read wrongly or called damaged; `tests/fixtures/index-format-N` holds an index of
//! each format, and the tests read the current one and refuse the others.

/// The format version as a literal, for the names built from it at compile time.
macro_rules! format_version {
    () => {
        6
    };
}
pub(crate) use format_version;

/// The index format this build writes and reads.
pub(crate) const FORMAT: u32 = format_version!();

/// The first eight bytes of a file govsearch keeps in an index folder: its name's five
/// letters, two zero bytes and the format.
pub(crate) const fn magic(name: &[u8; 5]) -> [u8; 8] {
    [name[0], name[1], name[2], name[3], name[4], 0, 0, FORMAT as u8]
}

/// The format an analyzer name of a schema says its index was written in: `None` for a name
/// of a format before names carried it.
pub(crate) fn of_analyzer(name: &str) -> Option<u32> {
    name.rsplit_once("_f").and_then(|(_, version)| version.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_carries_the_format() {
        assert_eq!(magic(b"GSREL"), *b"GSREL\0\0\x06");
        for name in [
            crate::text::analyzers::WORDS,
            crate::text::analyzers::GRAMS,
            crate::text::analyzers::PARTS,
        ] {
            assert_eq!(of_analyzer(name), Some(FORMAT), "{name}");
        }
        assert_eq!(of_analyzer("govsearch_grams_v2"), None);
        assert_eq!(crate::grams::VERSION, FORMAT);
    }
}
