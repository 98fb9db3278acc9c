//! Text analysis: how Chinese text becomes index terms, on both sides of the index.
//!
//! Two analyzers, registered together by [`register`], which every path that opens or creates
//! an index calls (tantivy does not store tokenizers in the index):
//!
//! - **words** (`govsearch_words_v1`): jieba-rs in search mode, for ranking title matches. One
//!   term per word and per dictionary sub-word (北京大学 → 北京, 大学, 北京大学), frequencies
//!   only. Bodies are not cut into words: a body word field cost a third of indexing time and
//!   changed no figure of `govsearch eval`.
//! - **grams** (`govsearch_grams_v2`): one term per non-whitespace character, at its
//!   position: the bigram it starts with the next character, or the character alone at the
//!   end of the text. With positions, a string of two characters or more is a phrase of
//!   bigrams, and a single character is the range of terms that start with it
//!   ([`crate::char_query`]), so a quoted query matches exactly the texts that contain the
//!   string, whatever jieba would make of it. (Version 1 also gave every character a
//!   unigram: twice the terms for the same matches, and most of the indexing time.) Titles
//!   go through this analyzer into tantivy; bodies get the same terms from [`fold_char`] into
//!   postings of govsearch's own ([`crate::grams`]), which cost a fraction of tantivy's.
//!
//! Both analyzers fold text the same way first ([`fold_char`]): full-width ASCII to half-width,
//! ASCII to lower case, traditional to simplified Han characters, whitespace removed. Folding maps one character to one character, so an
//! offset in folded text is an offset in the original: highlights land on what the user sees.
//!
//! The analyzer names carry a version: an index built with other analysis settings names
//! analyzers this build does not register, and [`check_index`] refuses it with a clear message
//! instead of letting it match wrongly.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::error::{Error, Result};

/// Name of the word analyzer, as stored in the index schema.
pub(crate) const WORDS: &str = "govsearch_words_v1";
/// Name of the character-gram analyzer, as stored in the index schema.
pub(crate) const GRAMS: &str = "govsearch_grams_v2";
/// Name of the title-parts analyzer: a title's runs between punctuation and spaces.
pub(crate) const PARTS: &str = "govsearch_parts_v1";

/// jieba's own dictionary, loaded once per process on first use and shared by every analyzer
/// clone (tantivy clones analyzers per field, per query and per segment).
static JIEBA: OnceLock<Jieba> = OnceLock::new();

/// A handle on a segmenter: jieba's dictionary, plus an index's user dictionary if it has
/// one. Cheap to clone (tantivy clones analyzers per field, per query and per segment): every
/// clone shares one dictionary, loaded by the first segmentation, not by creating the handle,
/// so a process that never segments (a quoted query, `--help`) never pays for it.
#[derive(Clone, Default)]
pub(crate) struct Segmenter {
    user: Option<Arc<UserDictionary>>,
}

/// A user dictionary and the jieba instance built with it, once.
struct UserDictionary {
    entries: Vec<DictEntry>,
    jieba: OnceLock<Jieba>,
}

/// One line of a user dictionary in jieba's format: `word [frequency] [tag]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DictEntry {
    word: String,
    freq: Option<usize>,
    tag: Option<String>,
}

/// Reads a user dictionary in jieba's format: one `word [frequency] [part-of-speech]` a line,
/// blank lines and `#` comments ignored. Errors name the line.
pub(crate) fn parse_user_dictionary(text: &str) -> std::result::Result<Vec<DictEntry>, String> {
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{FEFF}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let word = fields.next().unwrap_or_default().to_string();
        let freq = match fields.next() {
            Some(f) => Some(
                f.parse::<usize>()
                    .map_err(|_| format!("line {}: frequency {f:?} is not a whole number", n + 1))?,
            ),
            None => None,
        };
        let tag = fields.next().map(str::to_string);
        if fields.next().is_some() {
            return Err(format!("line {}: expected `word [frequency] [tag]`", n + 1));
        }
        entries.push(DictEntry { word, freq, tag });
    }
    Ok(entries)
}

impl Segmenter {
    /// A segmenter with a user dictionary on top of jieba's.
    pub(crate) fn with_user_dictionary(entries: Vec<DictEntry>) -> Segmenter {
        Segmenter {
            user: Some(Arc::new(UserDictionary {
                entries,
                jieba: OnceLock::new(),
            })),
        }
    }

    fn jieba(&self) -> &Jieba {
        match &self.user {
            None => JIEBA.get_or_init(Jieba::new),
            Some(user) => user.jieba.get_or_init(|| {
                let mut jieba = Jieba::new();
                for entry in &user.entries {
                    // Folded like the text it will segment. A missing frequency is suggested
                    // from the dictionary (jieba-rs's load_dict would take it as 0, and a
                    // word of frequency 0 is never chosen).
                    jieba.add_word(&fold(&entry.word), entry.freq, entry.tag.as_deref());
                }
                jieba
            }),
        }
    }

    /// Words of `folded` as jieba's default mode cuts them (HMM on), as char ranges.
    ///
    /// For a short text (a query) and no user dictionary, jieba is built with only the
    /// dictionary words the text contains, read from `data/jieba_dict.fst`, plus one entry that
    /// brings the total frequency to the full dictionary's. jieba's route only ever weighs
    /// words that occur in the text against that total, so the cut is the same as with the
    /// whole dictionary (a test checks it), without loading 349k words (~130 ms).
    pub(crate) fn words(&self, folded: &str) -> Vec<std::ops::Range<usize>> {
        let cut = |jieba: &Jieba| -> Vec<std::ops::Range<usize>> {
            jieba
                .cut(folded, true)
                .into_iter()
                .filter(|t| is_searchable(t.word))
                .map(|t| t.start..t.end)
                .collect()
        };
        if self.user.is_some() {
            return cut(self.jieba());
        }
        // A process that has loaded the whole dictionary (it indexes, or segmented a long text)
        // uses it; others build the small one.
        if let Some(full) = JIEBA.get() {
            return cut(full);
        }
        match query_jieba(folded) {
            Some(small) => cut(&small),
            None => cut(self.jieba()),
        }
    }

    /// Words of `text` with their part-of-speech tags (`ns` for place names).
    pub(crate) fn tag(&self, text: &str) -> Vec<(String, String)> {
        self.jieba()
            .tag(text, true)
            .into_iter()
            .map(|t| (t.word.to_string(), t.tag.to_string()))
            .collect()
    }
}

/// jieba's default dictionary: word → frequency, the total frequency under `\0total` and the
/// longest word's length under `\0longest`. Written by `examples/dict_fst.rs` from the
/// dict.txt jieba-rs ships.
static DICTIONARY_FST: &[u8] = include_bytes!("../data/jieba_dict.fst");
/// Texts longer than this are segmented with the whole dictionary.
const QUERY_CHARS: usize = 256;
/// A word no text contains, carrying the frequency the sub-dictionary lacks.
const FILLER: &str = "\u{10FFFF}\u{10FFFE}";

/// A jieba with only the dictionary words that occur in `text`, and the full total; `None`
/// for long texts, or if the dictionary cannot be read.
fn query_jieba(text: &str) -> Option<Jieba> {
    static MAP: OnceLock<Option<tantivy_fst::Map<&'static [u8]>>> = OnceLock::new();
    let map = MAP
        .get_or_init(|| {
            tantivy_fst::raw::Fst::new(DICTIONARY_FST)
                .ok()
                .map(tantivy_fst::Map::from)
        })
        .as_ref()?;
    let total = map.get("\0total")?;
    let longest = map.get("\0longest")? as usize;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.len() > QUERY_CHARS {
        return None;
    }
    let mut jieba = Jieba::empty();
    let mut sum = 0u64;
    let mut seen = std::collections::HashSet::new();
    for start in 0..chars.len() {
        for end in start + 1..=(start + longest).min(chars.len()) {
            let to = chars.get(end).map_or(text.len(), |c| c.0);
            let word = &text[chars[start].0..to];
            if let Some(freq) = map.get(word) {
                if seen.insert(word) {
                    jieba.add_word(word, Some(freq as usize), None);
                    sum += freq;
                }
            }
        }
    }
    if total > sum {
        jieba.add_word(FILLER, Some((total - sum) as usize), None);
    }
    Some(jieba)
}

/// Folds one character for indexing and querying: full-width forms to ASCII, ASCII upper
/// case to lower case, traditional Han characters to simplified ones. Returns `None` for
/// characters that are not indexed at all: whitespace (including U+3000 and U+2003) and
/// invisible format characters.
pub fn fold_char(c: char) -> Option<char> {
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
/// The table is an array over the Han blocks (200 KB): folding runs on every character
/// indexed, and a SipHash map lookup there (hashing alone a third of folding's time in the
/// profile) made folding 4.4% of indexing CPU.
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

/// Zero-width and byte-order characters that scraped text carries and nobody types.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Folds a whole string: what a quoted query or a needle is compared as.
pub fn fold(text: &str) -> String {
    text.chars().filter_map(fold_char).collect()
}

/// Whether a segmented word carries meaning to search for: it has a letter or a digit.
/// Punctuation and symbols are left to the grams field, where quoted strings still find them.
fn is_searchable(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// Registers every analyzer govsearch uses on `index`, segmenting with `segmenter`. Call it
/// on every index that is opened or created, before the first reader or writer.
pub(crate) fn register(index: &tantivy::Index, segmenter: &Segmenter) {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        WORDS,
        WordTokenizer {
            segmenter: segmenter.clone(),
        },
    );
    tokenizers.register(GRAMS, GramTokenizer);
    tokenizers.register(PARTS, PartsTokenizer);
}

/// Refuses an index whose text fields name analyzers this build does not have.
pub(crate) fn check_index(index: &tantivy::Index, path: &std::path::Path) -> Result<()> {
    for (_, entry) in index.schema().fields() {
        if let tantivy::schema::FieldType::Str(options) = entry.field_type() {
            if let Some(indexing) = options.get_indexing_options() {
                let name = indexing.tokenizer();
                if ![WORDS, GRAMS, PARTS, "raw"].contains(&name) {
                    return Err(Error::IncompatibleIndex {
                        path: path.to_path_buf(),
                        detail: format!("it uses the analyzer {name:?}; this build has {WORDS} and {GRAMS}"),
                    });
                }
            }
        }
    }
    Ok(())
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

/// The grams analyzer: the overlapping bigrams of folded characters, and the last character
/// alone.
#[derive(Clone)]
pub(crate) struct GramTokenizer;

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream {
        GramStream {
            chars: folded_chars(text),
            next: 0,
            token: Token::default(),
        }
    }
}

/// Token stream of [`GramTokenizer`]: step `i` is the term at position `i`.
pub(crate) struct GramStream {
    chars: Vec<FoldedChar>,
    next: usize,
    token: Token,
}

impl TokenStream for GramStream {
    fn advance(&mut self) -> bool {
        let pos = self.next;
        let Some(&first) = self.chars.get(pos) else {
            return false;
        };
        self.next += 1;
        let t = &mut self.token;
        t.text.clear();
        t.text.push(first.ch);
        t.offset_from = first.from;
        t.offset_to = first.to;
        t.position = pos;
        t.position_length = 1;
        if let Some(second) = self.chars.get(pos + 1) {
            t.text.push(second.ch);
            t.offset_to = second.to;
        }
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The terms a string is looked up by in the grams field: `(position offset, term text)`.
/// One bigram for two characters, and for longer strings bigrams at every other position
/// plus the last one, which together cover every character. A single character comes back
/// alone, but in the index it is the first character of a range of terms
/// ([`crate::char_query`]), not a term.
pub(crate) fn gram_terms(folded: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = folded.chars().collect();
    match chars.len() {
        0 => Vec::new(),
        1 => vec![(0, chars[0].to_string())],
        n => {
            let mut offsets: Vec<usize> = (0..n - 1).step_by(2).collect();
            if offsets.last() != Some(&(n - 2)) {
                offsets.push(n - 2);
            }
            offsets
                .into_iter()
                .map(|i| (i, chars[i..i + 2].iter().collect()))
                .collect()
        }
    }
}

/// The title-parts analyzer: the folded runs of letters and digits between punctuation and
/// spaces (`河北固安：产城融合 走高质量发展之路` → 河北固安, 产城融合, 走高质量发展之路). A query
/// that equals a whole part names what the article is about, not just a word it uses.
#[derive(Clone)]
pub(crate) struct PartsTokenizer;

impl Tokenizer for PartsTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let mut tokens = Vec::new();
        let mut part = String::new();
        let mut from = 0;
        let chars = text.char_indices().chain(std::iter::once((text.len(), ' ')));
        for (i, c) in chars {
            match fold_char(c).filter(|f| f.is_alphanumeric()) {
                Some(f) => {
                    if part.is_empty() {
                        from = i;
                    }
                    part.push(f);
                }
                None if !part.is_empty() => {
                    tokens.push(Token {
                        offset_from: from,
                        offset_to: i,
                        position: tokens.len(),
                        text: std::mem::take(&mut part),
                        position_length: 1,
                    });
                }
                None => {}
            }
        }
        WordStream {
            tokens,
            next: 0,
            current: Token::default(),
        }
    }
}

/// The word analyzer: jieba-rs in search mode over folded text.
///
/// tantivy-jieba's `JiebaTokenizer` holds a custom `Jieba` by value, so every clone tantivy
/// makes would copy the dictionary; this analyzer does the same segmentation over a shared,
/// lazily loaded one.
#[derive(Clone)]
pub(crate) struct WordTokenizer {
    segmenter: Segmenter,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        // Fold char by char, keeping whitespace as a space so that jieba still sees the
        // boundaries and every folded char index maps to one original char.
        let mut folded = String::with_capacity(text.len());
        let mut starts = Vec::with_capacity(text.len() / 2);
        for (i, c) in text.char_indices() {
            starts.push(i);
            folded.push(fold_char(c).unwrap_or(' '));
        }
        starts.push(text.len());
        let tokens = self
            .segmenter
            .jieba()
            .cut_for_search(&folded, true)
            .into_iter()
            .filter(|t| is_searchable(t.word))
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: starts[t.start],
                offset_to: starts[t.end],
                position,
                text: t.word.to_string(),
                position_length: 1,
            })
            .collect::<Vec<_>>();
        WordStream {
            tokens,
            next: 0,
            current: Token::default(),
        }
    }
}

/// Token stream of [`WordTokenizer`].
pub(crate) struct WordStream {
    tokens: Vec<Token>,
    next: usize,
    current: Token,
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(token) => {
                self.current = std::mem::take(token);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(text: &str) -> Vec<(usize, String)> {
        let mut stream = GramTokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().position, stream.token().text.clone()));
        }
        out
    }

    fn words(text: &str) -> Vec<String> {
        let mut tokenizer = WordTokenizer {
            segmenter: Segmenter::default(),
        };
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn fold_maps_width_case_and_drops_whitespace() {
        assert_eq!(fold("５Ｇ　网络 ABC\u{2003}\u{200B}！"), "5g网络abc!");
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

    #[test]
    fn user_dictionary_changes_segmentation() {
        let text = "创建满意峄城活动";
        let cut = |segmenter: &Segmenter| -> Vec<String> {
            segmenter
                .words(text)
                .into_iter()
                .map(|r| text.chars().skip(r.start).take(r.len()).collect())
                .collect()
        };
        assert_eq!(cut(&Segmenter::default()), ["创建", "满意", "峄城", "活动"]);
        let entries = parse_user_dictionary("# local terms\n五比五看\n满意峄城 20 nz\n").unwrap();
        assert_eq!(
            cut(&Segmenter::with_user_dictionary(entries)),
            ["创建", "满意峄城", "活动"]
        );
    }

    #[test]
    fn query_segmentation_with_the_sub_dictionary_equals_the_whole_dictionary() {
        // Every line of the sample corpus, and every window of up to 24 characters of them:
        // what people type and paste.
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let full = Jieba::new();
        let mut texts = vec![
            "峄城区疫情防控".to_string(),
            "会见蒙古国".to_string(),
            "5g网络建设abc".to_string(),
        ];
        for entry in walkdir::WalkDir::new(&corpus)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for line in text.lines().map(fold).filter(|l| !l.is_empty()) {
                let chars: Vec<char> = line.chars().collect();
                for start in (0..chars.len()).step_by(7) {
                    texts.push(chars[start..(start + 24).min(chars.len())].iter().collect());
                }
            }
        }
        assert!(texts.len() > 1000);
        for text in &texts {
            let small = query_jieba(text).expect("a short text gets a sub-dictionary");
            let words = |j: &Jieba| {
                j.cut(text, true)
                    .into_iter()
                    .map(|t| t.word.to_string())
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                words(&small),
                words(&full),
                "data/jieba_dict.fst is out of step with jieba-rs for {text:?}: regenerate it (examples/dict_fst.rs)"
            );
        }
    }

    #[test]
    fn bad_user_dictionary_lines_are_named() {
        assert_eq!(
            parse_user_dictionary("满意峄城\n五比五看 many\n"),
            Err("line 2: frequency \"many\" is not a whole number".to_string())
        );
    }

    #[test]
    fn grams_are_bigrams_at_char_positions_and_the_last_char_alone() {
        assert_eq!(
            grams("满意 峄城"),
            vec![
                (0, "满意".into()),
                (1, "意峄".into()),
                (2, "峄城".into()),
                (3, "城".into())
            ],
            "whitespace must neither be a token nor take a position"
        );
    }

    #[test]
    fn gram_offsets_point_at_original_bytes() {
        let text = "Ａ峄";
        let mut stream = GramTokenizer.token_stream(text);
        assert!(stream.advance());
        assert_eq!(stream.token().text, "a峄");
        assert_eq!(&text[stream.token().offset_from..stream.token().offset_to], "Ａ峄");
        assert!(stream.advance());
        assert_eq!(stream.token().text, "峄");
        assert_eq!(&text[stream.token().offset_from..stream.token().offset_to], "峄");
        assert!(!stream.advance());
    }

    #[test]
    fn title_parts_split_at_punctuation_and_spaces() {
        let mut stream = PartsTokenizer.token_stream("河北固安：产城融合 走高质量发展之路（５Ｇ）");
        let mut parts = Vec::new();
        while stream.advance() {
            parts.push(stream.token().text.clone());
        }
        assert_eq!(parts, ["河北固安", "产城融合", "走高质量发展之路", "5g"]);
    }

    #[test]
    fn gram_terms_cover_every_character() {
        assert_eq!(gram_terms("峄"), vec![(0, "峄".to_string())]);
        assert_eq!(gram_terms("峄城"), vec![(0, "峄城".to_string())]);
        assert_eq!(
            gram_terms("满意峄城"),
            vec![(0, "满意".to_string()), (2, "峄城".to_string())]
        );
        assert_eq!(
            gram_terms("满意峄城区"),
            vec![(0, "满意".into()), (2, "峄城".into()), (3, "城区".into())]
        );
    }

    #[test]
    fn words_are_jieba_search_mode_without_punctuation() {
        assert_eq!(
            words("北京大学，疫情防控"),
            vec!["北京", "大学", "北京大学", "疫情", "防控"],
            "jieba's search-mode segmentation changed, or punctuation leaked into the words"
        );
    }

    #[test]
    fn words_agree_with_tantivy_jieba_search_mode() {
        // The word analyzer replaces tantivy-jieba's only to share the dictionary; on plain
        // text it must cut exactly as tantivy-jieba does.
        let text = "枣庄市峄城区召开思想能力作风问题曝光暨满意峄城创建新闻发布会";
        let mut reference = tantivy_jieba::JiebaTokenizer::new();
        let mut stream = reference.token_stream(text);
        let mut expected = Vec::new();
        while stream.advance() {
            expected.push(stream.token().text.clone());
        }
        assert_eq!(words(text), expected);
    }
}
