//! The tantivy analyzers the schema names, registered together by [`register`], which every
//! path that opens or creates an index calls (tantivy does not store tokenizers in the index):
//!
//! - **words** (`govsearch_words_v1`): jieba-rs in search mode, for ranking title matches. One
//!   term per word and per dictionary sub-word (北京大学 → 北京, 大学, 北京大学), frequencies
//!   only. Bodies are not cut into words: a body word field costs a third of indexing time and
//!   changes no figure of `govsearch eval`.
//! - **grams** (`govsearch_grams_v2`): one term per non-whitespace character, at its
//!   position: the bigram it starts with the next character, or the character alone at the
//!   end of the text. With positions, a string of two characters or more is a phrase of
//!   bigrams, and a single character is the range of terms that start with it
//!   ([`crate::query`]), so a quoted query matches exactly the texts that contain the
//!   string, whatever jieba would make of it. Titles go through this analyzer into tantivy;
//!   bodies get the same terms from [`fold_char`] into postings of govsearch's own
//!   ([`crate::grams`]).
//! - **parts** (`govsearch_parts_v1`): a title's runs between punctuation and spaces.
//!
//! The analyzer names carry a version: an index built with other analysis settings names
//! analyzers this build does not register, and [`check_index`] refuses it with a clear message
//! instead of letting it match wrongly. Change the analysis, bump the name.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::segment::{is_searchable, Segmenter};
use super::{fold_char, folded_chars, FoldedChar};
use crate::error::{Error, Result};

/// Name of the word analyzer, as stored in the index schema.
pub(crate) const WORDS: &str = concat!("govsearch_words_f", crate::format::format_version!());
/// Name of the character-gram analyzer, as stored in the index schema.
pub(crate) const GRAMS: &str = concat!("govsearch_grams_f", crate::format::format_version!());
/// Name of the title-parts analyzer: a title's runs between punctuation and spaces.
pub(crate) const PARTS: &str = concat!("govsearch_parts_f", crate::format::format_version!());

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

/// The terms `tokenizer` makes of `text`, in order: what the index holds for it, for a
/// backend that is handed them ready-made.
#[cfg(feature = "opensearch")]
pub(crate) fn terms_of(mut tokenizer: impl Tokenizer, text: &str) -> Vec<String> {
    let mut stream = tokenizer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

/// The title word field's terms of `title`, cut by `segmenter`.
#[cfg(feature = "opensearch")]
pub(crate) fn word_terms(segmenter: &Segmenter, title: &str) -> Vec<String> {
    terms_of(
        WordTokenizer {
            segmenter: segmenter.clone(),
        },
        title,
    )
}

/// The title parts of `title`.
#[cfg(feature = "opensearch")]
pub(crate) fn part_terms(title: &str) -> Vec<String> {
    terms_of(PartsTokenizer, title)
}

/// Refuses an index whose text fields name analyzers this build does not have.
pub(crate) fn check_index(index: &tantivy::Index, path: &std::path::Path) -> Result<()> {
    for (_, entry) in index.schema().fields() {
        if let tantivy::schema::FieldType::Str(options) = entry.field_type() {
            if let Some(indexing) = options.get_indexing_options() {
                let name = indexing.tokenizer();
                if ![WORDS, GRAMS, PARTS, "raw"].contains(&name) {
                    let written = match crate::format::of_analyzer(name) {
                        Some(format) => format!("index format {format}"),
                        None => "an earlier index format".to_string(),
                    };
                    return Err(Error::IncompatibleIndex {
                        path: path.to_path_buf(),
                        detail: format!(
                            "it was written in {written}, this build reads format {}",
                            crate::format::FORMAT
                        ),
                    });
                }
            }
        }
    }
    Ok(())
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
/// (`query::title_char`), not a term.
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
            match fold_char(c).filter(|&f| super::is_alphanumeric(f)) {
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
