//! Text as govsearch compares it: folding, segmentation, and the analyzers built on them.
//!
//! - this module folds characters ([`fold_char`]): full-width ASCII to half-width, ASCII to
//!   lower case, traditional to simplified Han characters, whitespace and invisible characters
//!   dropped. Folding maps one character to one character, so an offset in folded text is an
//!   offset in the original: highlights land on what the user sees. Index and query fold alike.
//! - [`segment`] cuts text into words with jieba-rs, with an index's user dictionary.
//! - [`analyzers`] are the tantivy tokenizers the schema names (words, grams, title parts).
//! - [`doc_number`] reads a 文号 in any spelling to one form.
//! - [`sorted_lines`] is a table kept as text in key order, looked up by binary search.

pub(crate) mod analyzers;
pub(crate) mod doc_number;
pub(crate) mod fingerprint;
pub(crate) mod numbers;
pub(crate) mod segment;
pub(crate) mod sorted_lines;

pub(crate) use numbers::numbers;

use std::sync::OnceLock;

/// Folds one character for indexing and querying: full-width forms to ASCII, ASCII upper
/// case to lower case, traditional Han characters to simplified ones. Returns `None` for
/// characters that are not indexed at all: whitespace (including U+3000 and U+2003) and
/// invisible format characters.
pub(crate) fn fold_char(c: char) -> Option<char> {
    // Before the Han range: U+FEFF lies above it and would be kept as a character.
    if is_invisible(c) {
        return None;
    }
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3400.. => return Some(simplified(c)),
        _ => c,
    };
    if c.is_whitespace() || is_invisible(c) {
        return None;
    }
    Some(c.to_ascii_lowercase())
}

/// Traditional characters that are also everyday simplified characters (乾坤, 覆盖, 著名,
/// 於 as a surname): folding them would make 干 find 乾 and 复 find 覆 in simplified text.
const NOT_FOLDED: &[char] = &[
    '乾', '於', '著', '藉', '瞭', '夥', '覆', '麽', '幺', '苧', '鍾', '闔', '畫', '讎',
];

/// The simplified form of a Han character: fast2s's character table, read one character at a
/// time (no context), so that a text and a query fold the same way wherever they are cut.
/// The table is an array over the Han blocks: folding runs on every character indexed, and
/// a hash map lookup there costs several times an array index (docs/performance.md).
fn simplified(c: char) -> char {
    const FIRST: u32 = 0x3400;
    const LAST: u32 = 0xFAFF;
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    let Some(offset) = (c as u32).checked_sub(FIRST).filter(|&o| o <= LAST - FIRST) else {
        return c;
    };
    let table = TABLE.get_or_init(|| {
        let mut buf = [0u8; 4];
        (FIRST..=LAST)
            .map(|u| {
                // Surrogates, which are not characters, have a place but are never looked up.
                let Some(c) = char::from_u32(u) else {
                    return char::REPLACEMENT_CHARACTER;
                };
                if !is_han(c) || NOT_FOLDED.contains(&c) {
                    return c;
                }
                let converted = fast2s::convert(c.encode_utf8(&mut buf));
                let mut chars = converted.chars();
                match (chars.next(), chars.next()) {
                    (Some(s), None) => s,
                    _ => c,
                }
            })
            .collect()
    });
    table[offset as usize]
}

/// Whether `c` is a Han character (CJK unified ideographs, extension A, compatibility).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// `char::is_alphanumeric`, answered without Unicode's tables for the CJK unified ideographs
/// and extension A (every one of them a letter): most of what govsearch reads, and a table
/// lookup each costs more than the rest of fingerprinting a character.
#[inline]
pub(crate) fn is_alphanumeric(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF) || c.is_alphanumeric()
}

/// Zero-width and byte-order characters that scraped text carries and nobody types.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Folds a whole string: what a quoted query or a needle is compared as.
pub(crate) fn fold(text: &str) -> String {
    text.chars().filter_map(fold_char).collect()
}

/// One folded character with where it came from in the original text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FoldedChar {
    pub(crate) ch: char,
    /// Byte range of the original character.
    pub(crate) from: usize,
    pub(crate) to: usize,
}

/// The indexed characters of `text`, folded, with their original byte ranges.
pub(crate) fn folded_chars(text: &str) -> Vec<FoldedChar> {
    text.char_indices()
        .filter_map(|(i, c)| {
            fold_char(c).map(|ch| FoldedChar {
                ch,
                from: i,
                to: i + c.len_utf8(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_alphanumeric_answers_as_the_standard_library_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(super::is_alphanumeric(c), c.is_alphanumeric(), "{:X}", c as u32);
        }
    }

    use super::*;

    #[test]
    fn fold_maps_width_case_and_drops_whitespace() {
        assert_eq!(fold("５Ｇ　网络 ABC\u{2003}\u{200B}！"), "5g网络abc!");
    }

    #[test]
    fn invisible_characters_fold_away_wherever_they_stand() {
        assert_eq!(fold("满意\u{FEFF}峄城\u{200B}区\u{00AD}"), "满意峄城区");
    }

    #[test]
    fn fold_maps_traditional_to_simplified_char_by_char() {
        assert_eq!(fold("峄城區疫情防控工作會議"), "峄城区疫情防控工作会议");
        assert_eq!(
            fold("乾隆 覆蓋"),
            "乾隆覆盖",
            "everyday simplified characters stay as they are"
        );
        let text = "營商環境";
        assert_eq!(text.chars().count(), fold(text).chars().count());
        // Around and between the Han blocks the table covers: Hangul, Yi, private use,
        // compatibility forms, extension B.
        assert_eq!(fold("한ꀀ\u{E000}\u{FB00}𠀀"), "한ꀀ\u{E000}\u{FB00}𠀀");
    }
}
