//! The index's own vocabulary: the words of its titles and its keyword, source and column
//! values, each with the number of articles that have it, looked up by text, by pinyin, by
//! initials and by near spellings.

use tantivy::directory::OwnedBytes;
use tantivy_fst::raw::{Fst, Node, Output};
use tantivy_fst::{IntoStreamer, Map, MapBuilder, Streamer};

use tantivy::Searcher;

use super::pinyin;
use super::terms::SegmentTerms;
use crate::store::kept::{side_by_side, Decoder, Encoder, Kept};
use crate::text::segment;

/// The longest term the vocabulary keeps, in characters: titles' words are short, and a
/// longer keyword value is a sentence nobody types as one.
pub(crate) const LONGEST: usize = 12;

/// The most characters of a query run that a correction reads: a longer run is pasted text.
pub(crate) const LONGEST_RUN: usize = 8;

/// How much less likely a word is taken to be for each character replaced to reach it: by a
/// character with the same reading, by one that sounds alike once blurred, and by any other
/// (a slip of the input method, a character that looks alike). Natural-log units, beside a
/// word's log share of the articles; chosen with `govsearch eval` (docs/query-assistance.md).
const SAME_SOUND_COST: f64 = 4.0;
const SOUND_ALIKE_COST: f64 = 6.0;
const OTHER_CHARACTER_COST: f64 = 11.0;

/// How much less likely a reading is for each term it is split into: people type a term
/// whole, so the split into fewer, longer terms of the vocabulary is the likelier one.
const PART_COST: f64 = 5.0;

/// A key's term number with this bit is reached by a reading that is not every character's
/// first one: 前干 as `jianan` (前 jiǎn, 干 àn), where 前 is qián and 干 gàn. A character's
/// readings come most common first, so another reading is the rarer one.
const RARE_READING: u32 = 1 << 31;

/// How much less likely a term is when a rare reading of one of its characters reaches it
/// (natural-log units, as [`PART_COST`]): 重庆 is still `chongqing`, where no term reads so
/// commonly, but `jianan` is not 前干.
const RARE_READING_COST: f64 = 6.0;

/// Keys (a pinyin spelling, blurred syllables) each leading to terms: an FST of the keys, each
/// key's value its one term, or the place and number of its terms' numbers in a list, so
/// lookups and prefix ranges read the bytes as they are kept.
struct Keyed {
    keys: Map<OwnedBytes>,
    /// Term numbers, little-endian `u32`s, each key's together.
    terms: OwnedBytes,
}

impl Keyed {
    /// The keys and terms of `pairs` (key, term number) and of `earlier`'s keys whose terms
    /// are renumbered (term `n` of `earlier` is `renumbered[n]`, `u32::MAX` for one left
    /// out), for [`Keyed::read`].
    fn write(mut pairs: Vec<(String, u32)>, earlier: Option<(&Keyed, &[u32])>) -> Encoder {
        let mut out = Encoder::default();
        pairs.sort_unstable();
        if let Some((earlier, renumbered)) = earlier {
            // The earlier keys come in order, each key's terms in order, and renumbering keeps
            // the terms' order (the rare-reading bit aside, which it keeps): merged, not sorted.
            let mut kept: Vec<(String, u32)> = Vec::with_capacity(pairs.len() + earlier.terms.len() / 4);
            let mut stream = earlier.keys.stream();
            while let Some((key, value)) = stream.next() {
                for term in earlier.terms_of(value) {
                    let id = renumbered
                        .get((term & !RARE_READING) as usize)
                        .copied()
                        .unwrap_or(u32::MAX);
                    if id != u32::MAX {
                        let key = std::str::from_utf8(key).expect("keys are text");
                        kept.push((key.to_string(), id | (term & RARE_READING)));
                    }
                }
            }
            pairs = merged(kept, pairs);
        }
        pairs.dedup();
        let mut keys = MapBuilder::memory();
        let mut terms: Vec<u8> = Vec::with_capacity(pairs.len() * 4);
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            let value = match run {
                [(_, term)] => ONE | u64::from(*term),
                _ => {
                    let start = (terms.len() / 4) as u64;
                    for (_, term) in run {
                        terms.extend_from_slice(&term.to_le_bytes());
                    }
                    start << 32 | run.len() as u64
                }
            };
            keys.insert(&run[0].0, value)
                .expect("keys are inserted sorted and distinct");
        }
        out.bytes(&keys.into_inner().expect("an FST in memory is written"));
        out.bytes(&terms);
        out
    }

    fn read(fields: &mut Decoder) -> Result<Keyed, String> {
        let keys = fst_map(fields.bytes()?)?;
        let terms = fields.bytes()?;
        if terms.len() % 4 != 0 {
            return Err("a list of terms is cut".to_string());
        }
        Ok(Keyed { keys, terms })
    }

    /// The terms of the key whose value is `value`: none if it points past the list.
    fn terms_of(&self, value: u64) -> impl Iterator<Item = u32> + '_ {
        let one = (value & ONE != 0).then_some(value as u32);
        let (start, len) = ((value >> 32) as usize, (value & u64::from(u32::MAX)) as usize);
        let bytes = match one {
            Some(_) => &[],
            None => self
                .terms
                .as_slice()
                .get(start * 4..(start + len) * 4)
                .unwrap_or_default(),
        };
        one.into_iter().chain(
            bytes
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes"))),
        )
    }

    fn get(&self, key: &str) -> impl Iterator<Item = u32> + '_ {
        self.terms_of(self.keys.get(key).unwrap_or(0))
    }

    fn with_prefix(&self, prefix: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut stream = self.keys.range().ge(prefix).lt(prefix_end(prefix)).into_stream();
        while let Some((_, value)) = stream.next() {
            out.extend(self.terms_of(value));
        }
        out
    }
}

/// Two lists in order, merged in order.
fn merged<T: Ord>(a: Vec<T>, b: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x <= y => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => return out,
        };
        out.extend(next);
    }
}

/// A key's value when the key has one term: this bit and the term's number. Otherwise the
/// value is where the key's terms start in the list (high half) and how many there are.
const ONE: u64 = 1 << 63;

/// The first key past every key that starts with `prefix`: no UTF-8 text has the byte 0xFF.
fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    end.push(0xFF);
    end
}

/// The values (term numbers) of every key of `map` that starts with `prefix`.
fn prefixed(map: &Map<OwnedBytes>, prefix: &str) -> Vec<u32> {
    let mut ids = Vec::new();
    let mut stream = map.range().ge(prefix).lt(prefix_end(prefix)).into_stream();
    while let Some((_, id)) = stream.next() {
        ids.push(id as u32);
    }
    ids
}

/// An FST map over bytes as kept; an error if they are not one.
fn fst_map(bytes: OwnedBytes) -> Result<Map<OwnedBytes>, String> {
    Fst::new(bytes)
        .map(Map::from)
        .map_err(|err| format!("a key table does not read: {err}"))
}

/// How sure a reading of Latin letters as Chinese is ([`Vocabulary::read_pinyin_as`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    /// By the characters' common readings, as a word: may be searched.
    Sure,
    /// As likely a word of English or an abbreviation: one syllable as one character (`you`,
    /// `he`), initials with a vowel (`has` for 淮安市), or two letters of initials (`my` for
    /// 满意). Offered where no article writes the letters, never searched.
    MaybeEnglish,
    /// Through a character's rarer reading: offered only on strong evidence.
    Rare,
}

/// The vocabulary of one set of segments, as its file keeps it ([`crate::store::kept`]):
/// every structure is an FST or an array over the file's bytes, so a search in a new process
/// reads the file and looks up a few keys instead of reading every segment's terms.
pub(crate) struct Vocabulary {
    /// Articles in the segments: the denominator of a term's share.
    articles: u64,
    /// Each term's text to its number; terms are numbered in the order of their texts.
    places: Map<OwnedBytes>,
    /// Each term's text reversed to its number: terms by their ends.
    reversed: Map<OwnedBytes>,
    /// Where each term's text starts in `texts` (`u32`s, one more than terms).
    starts: OwnedBytes,
    /// The terms' texts, one after the other.
    texts: OwnedBytes,
    /// How many articles have each term (`u32`s).
    counts: OwnedBytes,
    /// Every reading of a term, its syllables run together.
    full: Keyed,
    /// The first letters of a term's syllables, for terms of two characters or more.
    initials: Keyed,
    /// A term's blurred syllables ([`pinyin::blurred`]), space-separated: the terms that sound
    /// like a typed word.
    sounds: Keyed,
}

/// Whether a term of `chars` characters in `articles` articles is a correction's target: a
/// term of three characters or more, or a word of two in two articles or more (a
/// two-character word in one article is as likely a typo).
fn is_target(chars: usize, articles: u32) -> bool {
    chars >= 3 || (chars == 2 && articles >= 2)
}

/// Calls `found` with the value of every key of `fst` that is `chars` with the character in
/// `place` replaced by another.
fn replaced_in(fst: &Fst<OwnedBytes>, chars: &[char], place: usize, found: &mut dyn FnMut(u64)) {
    let utf8 = |chars: &[char]| -> Vec<u8> { chars.iter().collect::<String>().into_bytes() };
    let (before, replaced, after) = (
        utf8(&chars[..place]),
        utf8(&chars[place..=place]),
        utf8(&chars[place + 1..]),
    );
    let Some((node, output)) = walk(fst, fst.root(), Output::zero(), &before) else {
        return;
    };
    every_char(fst, node, output, &mut Vec::new(), &mut |node, output, other| {
        if other == replaced.as_slice() {
            return;
        }
        if let Some((end, output)) = walk(fst, node, output, &after) {
            if end.is_final() {
                found(output.cat(end.final_output()).value());
            }
        }
    });
}

/// The node reached from `node` along `bytes`, with the output gathered, if the FST has it.
fn walk<'f>(
    fst: &'f Fst<OwnedBytes>,
    mut node: Node<'f>,
    mut output: Output,
    bytes: &[u8],
) -> Option<(Node<'f>, Output)> {
    for &byte in bytes {
        let transition = node.transition(node.find_input(byte)?);
        output = output.cat(transition.out);
        node = fst.node(transition.addr);
    }
    Some((node, output))
}

/// Calls `each` with the node after every whole character that leaves `node`, its output and
/// its bytes (`bytes` holds those read so far).
fn every_char<'f>(
    fst: &'f Fst<OwnedBytes>,
    node: Node<'f>,
    output: Output,
    bytes: &mut Vec<u8>,
    each: &mut dyn FnMut(Node<'f>, Output, &[u8]),
) {
    for transition in node.transitions() {
        bytes.push(transition.inp);
        let next = fst.node(transition.addr);
        let output = output.cat(transition.out);
        let whole = std::str::from_utf8(bytes).is_ok();
        if whole {
            each(next, output, bytes);
        } else if bytes.len() < 4 {
            every_char(fst, next, output, bytes, each);
        }
        bytes.pop();
    }
}

impl Kept for Vocabulary {
    const FILE: &'static str = crate::store::schema::VOCABULARY_FILE;
    const MAGIC: &'static [u8; 8] = &crate::format::magic(b"GSVOC");

    fn derive(searcher: &Searcher) -> tantivy::Result<Vocabulary> {
        let terms = SegmentTerms::derive(searcher)?;
        Ok(Vocabulary::new(terms.totals(), searcher.num_docs().max(1)))
    }

    fn encode(&self, out: &mut Encoder) {
        out.u64(self.articles);
        // Copies of the FSTs' bytes: written once per indexing run.
        out.bytes(&self.places.as_fst().to_vec());
        out.bytes(&self.reversed.as_fst().to_vec());
        for bytes in [&self.starts, &self.texts, &self.counts] {
            out.bytes(bytes.as_slice());
        }
        for keyed in [&self.full, &self.initials, &self.sounds] {
            out.bytes(&keyed.keys.as_fst().to_vec());
            out.bytes(keyed.terms.as_slice());
        }
    }

    fn decode(fields: &mut Decoder, _segments: &[(usize, u32)]) -> Result<Vocabulary, String> {
        let articles = fields.u64()?;
        let places = fst_map(fields.bytes()?)?;
        let reversed = fst_map(fields.bytes()?)?;
        let (starts, texts, counts) = (fields.bytes()?, fields.bytes()?, fields.bytes()?);
        let terms = places.len();
        if starts.len() != (terms + 1) * 4 || counts.len() != terms * 4 {
            return Err("its terms and their counts differ in number".to_string());
        }
        let vocabulary = Vocabulary {
            articles,
            places,
            reversed,
            starts,
            texts,
            counts,
            full: Keyed::read(fields)?,
            initials: Keyed::read(fields)?,
            sounds: Keyed::read(fields)?,
        };
        let ends_fit = (0..=terms as u32).all(|id| vocabulary.start(id) <= vocabulary.texts.len())
            && (0..terms as u32).all(|id| vocabulary.start(id) <= vocabulary.start(id + 1));
        if !ends_fit {
            return Err("a term's text is outside the texts".to_string());
        }
        Ok(vocabulary)
    }
}

impl Vocabulary {
    /// The vocabulary of `terms` (text, articles) over `articles` articles, given `earlier`,
    /// a vocabulary of an earlier run: a term it has, with the same number of articles or
    /// one on the same side of [`is_target`], keeps its keys, which are merged into the new
    /// tables instead of read from pinyin again. The same as [`Vocabulary::new`] gives: a test
    /// holds them equal.
    pub(crate) fn after(mut terms: Vec<(String, u32)>, articles: u64, earlier: Option<&Vocabulary>) -> Vocabulary {
        terms.sort_unstable();
        terms.dedup_by(|a, b| a.0 == b.0);
        // Which terms are keyed anew, and each earlier term's new number.
        let mut renumbered = vec![u32::MAX; earlier.map_or(0, |e| e.places.len())];
        let fresh: Vec<u32> = (0..terms.len() as u32)
            .filter(|&id| {
                let (text, count) = &terms[id as usize];
                let Some((earlier, was)) = earlier.and_then(|e| Some((e, e.find(text)?))) else {
                    return true;
                };
                let chars = text.chars().count();
                if is_target(chars, earlier.count(was)) != is_target(chars, *count) {
                    return true;
                }
                renumbered[was as usize] = id;
                false
            })
            .collect();
        // The pinyin keys are most of the work: each half of the fresh terms is keyed on a
        // core of its own, then the key tables are built beside the terms' own (at the end of
        // an indexing run nothing else is left to run).
        let half = fresh.len() / 2;
        let (mut keys, more) = side_by_side(
            || key_terms(&terms, &fresh[..half]),
            || key_terms(&terms, &fresh[half..]),
        );
        for (keys, more) in keys.iter_mut().zip(more) {
            keys.extend(more);
        }
        let [full, initials, sounds] = keys;
        let with = |keyed: fn(&Vocabulary) -> &Keyed| earlier.map(|e| (keyed(e), renumbered.as_slice()));
        let ((full, sounds), (mut out, initials)) = side_by_side(
            || {
                (
                    Keyed::write(full, with(|e| &e.full)),
                    Keyed::write(sounds, with(|e| &e.sounds)),
                )
            },
            || {
                (
                    Vocabulary::tables(&terms, articles),
                    Keyed::write(initials, with(|e| &e.initials)),
                )
            },
        );
        for keyed in [full, initials, sounds] {
            out.append(keyed);
        }
        let mut fields = Decoder::new(out.into_bytes());
        Vocabulary::decode(&mut fields, &[]).expect("a vocabulary reads as it was written")
    }

    /// Its kept file's contents (tests that compare vocabularies byte for byte).
    #[cfg(test)]
    pub(crate) fn encoded(&self) -> Vec<u8> {
        let mut out = Encoder::default();
        self.encode(&mut out);
        out.into_bytes().as_slice().to_vec()
    }

    /// A vocabulary of the given terms and counts over `articles` articles (tests).
    #[cfg(test)]
    pub(crate) fn of(terms: &[(&str, u32)], articles: u64) -> Vocabulary {
        Vocabulary::new(terms.iter().map(|(t, n)| (t.to_string(), *n)).collect(), articles)
    }

    /// The vocabulary of `terms` (text, articles), numbered and keyed, over `articles`
    /// articles: written as its file writes it and read back, so that one form answers.
    pub(crate) fn new(terms: Vec<(String, u32)>, articles: u64) -> Vocabulary {
        Vocabulary::after(terms, articles, None)
    }

    /// The count of articles, then the terms' own tables: their places and reversed texts
    /// (FSTs), where each text starts, the texts, the counts.
    fn tables(terms: &[(String, u32)], articles: u64) -> Encoder {
        let mut out = Encoder::default();
        out.u64(articles);
        let mut places = MapBuilder::memory();
        let (mut starts, mut texts, mut counts) = (Vec::new(), Vec::new(), Vec::new());
        for (id, (text, count)) in terms.iter().enumerate() {
            places.insert(text, id as u64).expect("terms are sorted and distinct");
            starts.extend_from_slice(&(texts.len() as u32).to_le_bytes());
            texts.extend_from_slice(text.as_bytes());
            counts.extend_from_slice(&count.to_le_bytes());
        }
        starts.extend_from_slice(&(texts.len() as u32).to_le_bytes());
        out.bytes(&places.into_inner().expect("an FST in memory is written"));
        let mut reversed: Vec<(String, u64)> = terms
            .iter()
            .enumerate()
            .map(|(id, (text, _))| (text.chars().rev().collect(), id as u64))
            .collect();
        reversed.sort_unstable();
        let mut ends = MapBuilder::memory();
        ends.extend_iter(reversed)
            .expect("reversed terms are sorted and distinct");
        out.bytes(&ends.into_inner().expect("an FST in memory is written"));
        for bytes in [&starts, &texts, &counts] {
            out.bytes(bytes);
        }
        out
    }

    /// Every term with the number of articles that have it, in order: what a backend
    /// elsewhere is sent to build the same vocabulary ([`Vocabulary::new`]), and what the
    /// evaluation mines.
    #[cfg(any(feature = "opensearch", feature = "eval"))]
    pub(crate) fn terms(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        (0..self.places.len() as u32).map(|id| (self.text(id), self.count(id)))
    }

    /// Where term `id`'s text starts in `texts` (its end is where the next one starts).
    fn start(&self, id: u32) -> usize {
        let at = id as usize * 4;
        self.starts
            .as_slice()
            .get(at..at + 4)
            .map_or(0, |b| u32::from_le_bytes(b.try_into().expect("four bytes")) as usize)
    }

    /// Term `id`'s text.
    fn text(&self, id: u32) -> &str {
        let (start, end) = (self.start(id), self.start(id + 1));
        self.texts
            .as_slice()
            .get(start..end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// How many articles have term `id`.
    fn count(&self, id: u32) -> u32 {
        let at = id as usize * 4;
        self.counts
            .as_slice()
            .get(at..at + 4)
            .map_or(0, |b| u32::from_le_bytes(b.try_into().expect("four bytes")))
    }

    /// The number of term `text`, if it is one.
    fn find(&self, text: &str) -> Option<u32> {
        self.places.get(text).map(|id| id as u32)
    }

    /// How many articles have `text` (a title word, keyword, source or column), if any.
    pub(crate) fn articles_with(&self, text: &str) -> Option<u32> {
        self.find(text).map(|id| self.count(id))
    }

    /// Every term that starts with `first`, with the number of articles that have it.
    pub(crate) fn starting_with(&self, first: char) -> Vec<(&str, u32)> {
        let mut buf = [0u8; 4];
        let ids = prefixed(&self.places, first.encode_utf8(&mut buf));
        ids.into_iter().map(|id| (self.text(id), self.count(id))).collect()
    }

    /// The terms one character longer than `text` that start or end with it, with the number
    /// of articles that have each.
    pub(crate) fn one_longer(&self, text: &str) -> Vec<(&str, u32)> {
        let chars = text.chars().count() + 1;
        let backwards: String = text.chars().rev().collect();
        let mut ids = prefixed(&self.places, text);
        ids.extend(prefixed(&self.reversed, &backwards));
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|id| (self.text(id), self.count(id)))
            .filter(|(term, _)| term.chars().count() == chars)
            .collect()
    }

    /// How many articles the vocabulary was read from.
    pub(crate) fn articles(&self) -> u64 {
        self.articles
    }

    /// The log share of articles a term has: how likely a typed word is meant as it.
    fn weight(&self, articles: u32) -> f64 {
        (f64::from(articles) / self.articles as f64).ln()
    }

    /// The weight of a character no term accounts for: less than a term in a single article.
    fn unknown(&self) -> f64 {
        (0.5 / self.articles as f64).ln()
    }

    /// The likeliest term among `ids` (term numbers that may carry [`RARE_READING`]) and its
    /// weight: most articles, less a rare reading's cost.
    fn likeliest(&self, ids: impl Iterator<Item = u32>) -> Option<(u32, f64)> {
        ids.map(|id| {
            let cost = if id & RARE_READING != 0 { RARE_READING_COST } else { 0.0 };
            (id, self.weight(self.count(id & !RARE_READING)) - cost)
        })
        .max_by(|(a, x), (b, y)| {
            x.total_cmp(y)
                .then_with(|| self.text(*b & !RARE_READING).cmp(self.text(*a & !RARE_READING)))
        })
    }

    /// `letters` (a query word as [`pinyin::letters`] gives it) as the Chinese it most likely
    /// stands for: the split into terms' full pinyin whose terms are most common together, or
    /// failing that into terms' initials. `None` when no split covers every letter. With it,
    /// how sure the reading is ([`Reading`]): it rests on a character's rarer reading where
    /// that is no sure sign, as initials (`go` as 灌区, 区 read ōu) or a term spelled out in
    /// full that jieba's dictionary does not know as a common word (`data` as 达达, 达 read
    /// tà); or the letters are as likely a word of English. A common word spelled out in full
    /// is what was meant whatever reading it takes (`chongqing`, 重庆).
    pub(crate) fn read_pinyin_as(&self, letters: &str) -> Option<(String, Reading)> {
        let (clean, breaks) = pinyin::breaks(letters);
        let full = self
            .split(&clean, &breaks, &self.full, 1)
            // Characters one by one are no reading of two syllables or more: people type
            // words, and an English word such as `panda` would be 盘 + 大.
            .filter(|(parts, _)| parts.len() == 1 || parts.iter().any(|p| p.chars().count() > 1))
            .map(|(parts, rare)| {
                let common = parts
                    .iter()
                    .all(|part| segment::known(part).is_some_and(|k| k.freq >= super::COMMON_WORD));
                let text = parts.concat();
                let reading = if rare && !common {
                    Reading::Rare
                } else if text.chars().count() == 1 {
                    // One syllable as one character is as likely a word of English (`you`,
                    // `he`) or an abbreviation as the character, which alone finds most of
                    // an index.
                    Reading::MaybeEnglish
                } else {
                    Reading::Sure
                };
                (text, reading)
            });
        full.or_else(|| {
            // Initials are ambiguous by nature, and a string of them has at most one vowel
            // (`xczx`), where a word in English has several. A vowel stands for a syllable
            // without an initial (安, 俄, 欧), which few terms have, and makes the letters as
            // likely a word of English (`has` for 淮安市, `last` for 两岸生态, `of` for 区市).
            // Two letters are as likely an abbreviation or a word of English (`md`, `my`) as
            // the commonest of the many terms they begin (`sh`: 社会, 上海, 深化).
            let vowels = clean.chars().filter(|c| "aeiouv".contains(*c)).count();
            (clean.len() <= 10 && vowels <= 1)
                .then(|| self.split(&clean, &[], &self.initials, 2))
                .flatten()
                .map(|(parts, rare)| {
                    let reading = if rare {
                        Reading::Rare
                    } else if vowels > 0 || clean.len() == 2 {
                        Reading::MaybeEnglish
                    } else {
                        Reading::Sure
                    };
                    (parts.concat(), reading)
                })
        })
    }

    /// Other terms that the whole of `letters` reads as by their characters' common readings
    /// (syllables ending at its breaks), of as many characters as `chosen`, most common in
    /// titles first: at most `limit`.
    pub(crate) fn homophones(&self, letters: &str, chosen: &str, limit: usize) -> Vec<String> {
        let (clean, breaks) = pinyin::breaks(letters);
        let inside: Vec<usize> = breaks.into_iter().filter(|&b| b > 0 && b < clean.len()).collect();
        let length = chosen.chars().count();
        let mut found: Vec<(u32, &str)> = self
            .full
            .get(&clean)
            .filter(|&id| id & RARE_READING == 0)
            .map(|id| (self.count(id), self.text(id)))
            .filter(|&(_, text)| {
                text != chosen && text.chars().count() == length && pinyin::ends_syllables_at(text, &inside)
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        found
            .into_iter()
            .take(limit)
            .map(|(_, text)| text.to_string())
            .collect()
    }

    /// The most likely split of `letters` into keys of `keyed`, each key at least `least`
    /// letters (ASCII, so bytes are letters), as its parts' texts; a key that spans one of
    /// `breaks` must read with a syllable ending there. With it, whether a part rests on a
    /// rarer reading.
    fn split(&self, letters: &str, breaks: &[usize], keyed: &Keyed, least: usize) -> Option<(Vec<&str>, bool)> {
        let n = letters.len();
        let mut best: Vec<Option<(f64, usize, u32)>> = vec![None; n + 1];
        best[0] = Some((0.0, 0, 0));
        for end in 1..=n {
            for start in end.saturating_sub(6 * LONGEST)..end.saturating_sub(least - 1) {
                let Some((before, ..)) = best[start] else {
                    continue;
                };
                let inside: Vec<usize> = breaks
                    .iter()
                    .filter(|&&b| b > start && b < end)
                    .map(|b| b - start)
                    .collect();
                let ids = keyed
                    .get(&letters[start..end])
                    .filter(|&id| pinyin::ends_syllables_at(self.text(id & !RARE_READING), &inside));
                let Some((id, weight)) = self.likeliest(ids) else {
                    continue;
                };
                let score = before + weight - PART_COST;
                if best[end].is_none_or(|(b, ..)| score > b) {
                    best[end] = Some((score, start, id));
                }
            }
        }
        best[n]?;
        let mut parts = Vec::new();
        let mut rare = false;
        let mut end = n;
        while end > 0 {
            let (_, start, id) = best[end]?;
            rare |= id & RARE_READING != 0;
            parts.push(self.text(id & !RARE_READING));
            end = start;
        }
        parts.reverse();
        Some((parts, rare))
    }

    /// `run` (Han characters as typed) as the terms it most likely stands for, each reached as
    /// typed, by one replaced character, or by characters that sound alike: `None` when the
    /// run as typed is the likeliest reading.
    ///
    /// A part `is_name` says is a name (a place, an organisation: 薛城区, 滕州) is kept as
    /// typed: a name the index lacks is a true zero, not a typo of a word it has.
    pub(crate) fn correct(&self, run: &str, is_name: &dyn Fn(&str) -> bool) -> Option<String> {
        let chars: Vec<char> = run.chars().collect();
        let n = chars.len();
        if !(2..=LONGEST_RUN).contains(&n) {
            return None;
        }
        // Each character's readings, blurred, read once for every part that has it.
        let sounds: Vec<Vec<String>> = chars
            .iter()
            .map(|c| {
                let mut blurred: Vec<String> = pinyin::readings(&c.to_string())
                    .unwrap_or_default()
                    .iter()
                    .map(|r| pinyin::blurred(&r[0]))
                    .collect();
                blurred.dedup();
                blurred
            })
            .collect();
        // best[i]: the likeliest reading of chars[..i]: (score, start, text of the last part).
        let mut best: Vec<Option<(f64, usize, String)>> = vec![None; n + 1];
        best[0] = Some((0.0, 0, String::new()));
        for end in 1..=n {
            for start in end.saturating_sub(LONGEST)..end {
                let Some(before) = best[start].as_ref().map(|(b, ..)| *b) else {
                    continue;
                };
                let typed: String = chars[start..end].iter().collect();
                let mut options: Vec<(f64, String)> = Vec::new();
                match self.find(&typed) {
                    // A term of the index as typed is not corrected.
                    Some(id) => options.push((self.weight(self.count(id)), typed.clone())),
                    None if end - start == 1 => options.push((self.unknown(), typed.clone())),
                    // Nor is a name: as likely as a term every article has.
                    None if is_name(&typed) => options.push((0.0, typed.clone())),
                    None => options.extend(self.near(&chars[start..end], &sounds[start..end])),
                }
                for (score, text) in options {
                    let score = before + score - PART_COST;
                    if best[end].as_ref().is_none_or(|(b, ..)| score > *b) {
                        best[end] = Some((score, start, text));
                    }
                }
            }
        }
        let mut parts = Vec::new();
        let mut end = n;
        while end > 0 {
            let (_, start, text) = best[end].as_ref()?;
            parts.push(text.as_str());
            end = *start;
        }
        parts.reverse();
        let corrected = parts.concat();
        (corrected != run).then_some(corrected)
    }

    /// The correction targets one replaced character away from `typed`, each with the place
    /// of the replaced character, by place and then term number. For each place, the terms'
    /// FST is walked along the characters on the longer side of it, as typed: forwards
    /// through those before it, or backwards (the FST of reversed terms) through those after
    /// it; then along every character in its place, and the other side as typed.
    fn one_replaced(&self, typed: &[char]) -> Vec<(usize, u32)> {
        let n = typed.len();
        let reversed: Vec<char> = typed.iter().rev().copied().collect();
        let mut found = Vec::new();
        for i in 0..n {
            let (fst, chars, place) = if i >= n - 1 - i {
                (self.places.as_fst(), typed, i)
            } else {
                (self.reversed.as_fst(), &reversed[..], n - 1 - i)
            };
            replaced_in(fst, chars, place, &mut |id| {
                let id = id as u32;
                if is_target(n, self.count(id)) {
                    found.push((i, id));
                }
            });
        }
        found.sort_unstable();
        found
    }

    /// Terms one replaced character away from `typed`, or sounding like it, each with its
    /// weight less the cost of reaching it.
    fn near(&self, typed: &[char], sounds: &[Vec<String>]) -> Vec<(f64, String)> {
        let mut out = Vec::new();
        for (i, id) in self.one_replaced(typed) {
            let text = self.text(id);
            let Some(replacement) = text.chars().nth(i) else {
                continue;
            };
            let cost = if pinyin::same_sound(replacement, typed[i]) {
                SAME_SOUND_COST
            } else if pinyin::sound_alike(replacement, typed[i]) {
                SOUND_ALIKE_COST
            } else {
                OTHER_CHARACTER_COST
            };
            out.push((self.weight(self.count(id)) - cost, text.to_string()));
        }
        // The part's blurred readings: every combination, the first readings first, a few.
        let mut keys: Vec<String> = vec![String::new()];
        for readings in sounds {
            let mut next = Vec::new();
            for reading in readings {
                for key in &keys {
                    if next.len() < 4 {
                        next.push(if key.is_empty() {
                            reading.clone()
                        } else {
                            format!("{key} {reading}")
                        });
                    }
                }
            }
            keys = next;
        }
        for key in &keys {
            for id in self.sounds.get(key) {
                let text = self.text(id);
                let replaced = text.chars().zip(typed).filter(|(a, b)| a != *b).count();
                if replaced >= 2 {
                    out.push((
                        self.weight(self.count(id)) - SOUND_ALIKE_COST * replaced as f64,
                        text.to_string(),
                    ));
                }
            }
        }
        out
    }

    /// Up to `limit` terms that start with `prefix` (folded Han text) or whose pinyin or
    /// initials start with it (Latin letters), most articles first, with their counts.
    pub(crate) fn complete(&self, prefix: &str, limit: usize) -> Vec<(String, u64)> {
        let mut found: Vec<u32> = Vec::new();
        if let Some(letters) = pinyin::letters(prefix) {
            found.extend(self.full.with_prefix(&letters).into_iter().map(|id| id & !RARE_READING));
            // Initials are ambiguous enough by the common readings: by a rare one, `xc` would
            // complete to 西藏 (藏 cáng) and 新增 (增 céng).
            found.extend(
                self.initials
                    .with_prefix(&letters)
                    .into_iter()
                    .filter(|id| id & RARE_READING == 0),
            );
        } else {
            found = prefixed(&self.places, prefix);
        }
        found.sort_unstable();
        found.dedup();
        // The prefix itself is not a completion, nor is a single character.
        found.retain(|&id| self.text(id) != prefix && self.text(id).chars().nth(1).is_some());
        let rank = |&id: &u32| (std::cmp::Reverse(self.count(id)), self.text(id).chars().count());
        if found.len() > limit {
            found.select_nth_unstable_by_key(limit, rank);
            found.truncate(limit);
        }
        found.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| self.text(*a).cmp(self.text(*b))));
        found
            .into_iter()
            .map(|id| (self.text(id).to_string(), u64::from(self.count(id))))
            .collect()
    }
}

/// The keys of the terms `ids` of `terms` (numbered in order): their full readings, their
/// initials, and for a correction's target their blurred syllables.
fn key_terms(terms: &[(String, u32)], ids: &[u32]) -> [Vec<(String, u32)>; 3] {
    let [mut full, mut initials, mut sounds] = [(); 3].map(|()| Vec::new());
    for (id, (text, articles)) in ids.iter().map(|&id| (id, &terms[id as usize])) {
        let chars = text.chars().count();
        let readings = pinyin::readings(text).unwrap_or_default();
        let mut blurred_keys = Vec::new();
        for (n, syllables) in readings.iter().enumerate() {
            // A character alone is typed by its common reading: `ou` is not 区 (qū; ōu is a
            // surname's), `mo` not 万. A term of several is read whole, a rare reading at a cost.
            let keyed = match n {
                0 => id,
                _ if chars == 1 => continue,
                _ => id | RARE_READING,
            };
            full.push((pinyin::full(syllables), keyed));
            if chars >= 2 {
                initials.push((pinyin::initials(syllables), keyed));
                let blurred: Vec<String> = syllables.iter().map(|s| pinyin::blurred(s)).collect();
                blurred_keys.push(blurred.join(" "));
            }
        }
        if is_target(chars, *articles) {
            blurred_keys.sort_unstable();
            blurred_keys.dedup();
            sounds.extend(blurred_keys.into_iter().map(|key| (key, id)));
        }
    }
    [full, initials, sounds]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vocabulary {
        Vocabulary::of(
            &[
                ("乡村", 300),
                ("振兴", 200),
                ("乡村振兴", 150),
                ("营商", 80),
                ("环境", 400),
                ("营商环境", 70),
                ("疫情", 500),
                ("防控", 450),
                ("疫情防控", 300),
                ("重庆", 40),
                ("银行", 30),
                ("相册", 2),
                ("心", 3),
                ("振", 1),
                ("西安", 20),
                ("先", 15),
            ],
            10_000,
        )
    }

    impl Vocabulary {
        fn read_pinyin(&self, letters: &str) -> Option<String> {
            self.read_pinyin_as(letters).map(|(text, _)| text)
        }
    }

    #[test]
    fn pinyin_becomes_the_likeliest_terms() {
        let v = sample();
        assert_eq!(v.read_pinyin("xiangcunzhenxing").as_deref(), Some("乡村振兴"));
        assert_eq!(v.read_pinyin("xczx").as_deref(), Some("乡村振兴"));
        assert_eq!(v.read_pinyin("chongqing").as_deref(), Some("重庆"));
        assert_eq!(v.read_pinyin("yinhang").as_deref(), Some("银行"));
        assert_eq!(v.read_pinyin("xian").as_deref(), Some("西安"));
        assert_eq!(v.read_pinyin("qqqq"), None);
    }

    /// An apostrophe or a space marks a syllable's end: `xi'an` is never 先; characters one
    /// by one are no reading of a word (`panda` is not 盘 + 大); a term's homophones are
    /// listed for the engine to count.
    #[test]
    fn syllable_breaks_single_characters_and_homophones() {
        let v = Vocabulary::of(
            &[("先", 500), ("西安", 20), ("西岸", 30), ("盘", 40), ("大", 900)],
            10_000,
        );
        assert_eq!(v.read_pinyin("xian").as_deref(), Some("先"));
        assert_eq!(v.read_pinyin("xi'an").as_deref(), Some("西岸"));
        assert_eq!(v.homophones("xi'an", "西岸", 4), ["西安"]);
        assert!(
            v.homophones("xian", "先", 4).is_empty(),
            "only terms as long as the reading"
        );
        assert_eq!(
            v.read_pinyin_as("da"),
            Some(("大".to_string(), Reading::MaybeEnglish)),
            "one character: offered at most"
        );
        assert_eq!(v.read_pinyin("panda"), None);
        assert_eq!(v.read_pinyin("pan'da"), None);
    }

    /// Initials with a vowel (a syllable without an initial: 淮安市's 安), or of two letters,
    /// are as likely a word of English or an abbreviation, and read as initials only to be
    /// offered.
    #[test]
    fn initials_like_english_are_offered_at_most() {
        let v = Vocabulary::of(
            &[("淮安市", 40), ("乡村振兴", 150), ("安全", 300), ("满意", 90)],
            10_000,
        );
        let maybe_english = |text: &str| Some((text.to_string(), Reading::MaybeEnglish));
        assert_eq!(v.read_pinyin_as("has"), maybe_english("淮安市"));
        assert_eq!(v.read_pinyin_as("aq"), maybe_english("安全"));
        assert_eq!(v.read_pinyin_as("my"), maybe_english("满意"));
        assert_eq!(v.read_pinyin_as("xczx"), Some(("乡村振兴".to_string(), Reading::Sure)));
    }

    /// A character's rare reading never stands for it alone, and costs a term of several
    /// characters more than many times the articles of a term read commonly.
    #[test]
    fn rare_readings_weigh_less() {
        let v = Vocabulary::of(&[("区", 1000), ("万", 1000)], 5000);
        assert_eq!(v.read_pinyin("ou"), None, "区 is qū; ōu is a surname's reading");
        assert_eq!(v.read_pinyin("mo"), None, "万 is wàn");
        assert_eq!(v.read_pinyin("qu").as_deref(), Some("区"));
        let v = Vocabulary::of(&[("区", 1000), ("欧", 3)], 5000);
        assert_eq!(v.read_pinyin("ou").as_deref(), Some("欧"));
        let v = Vocabulary::of(&[("前干", 5000), ("佳南", 20)], 10_000);
        assert_eq!(
            v.read_pinyin("jianan").as_deref(),
            Some("佳南"),
            "前 jiǎn, 干 àn are rare"
        );
        let v = Vocabulary::of(&[("重庆", 50), ("中国", 5000), ("达达", 40)], 10_000);
        assert_eq!(
            v.read_pinyin_as("chongqing"),
            Some(("重庆".to_string(), Reading::Sure)),
            "no common reading competes, and a common word spelled out is what was meant"
        );
        assert_eq!(
            v.read_pinyin_as("data"),
            Some(("达达".to_string(), Reading::Rare)),
            "达 read tà, and 达达 no common word: an English word, at most offered"
        );
        assert_eq!(
            v.read_pinyin_as("cq"),
            Some(("重庆".to_string(), Reading::Rare)),
            "initials of a rare reading"
        );
        assert_eq!(
            v.read_pinyin_as("zq"),
            Some(("重庆".to_string(), Reading::MaybeEnglish))
        );
        assert_eq!(
            v.complete("chong", 5),
            [("重庆".to_string(), 50)],
            "a spelled-out prefix reads every reading"
        );
        assert_eq!(v.complete("zq", 5), [("重庆".to_string(), 50)]);
        assert!(v.complete("cq", 5).is_empty(), "initials only by the common readings");
    }

    #[test]
    fn typos_become_the_common_term() {
        let v = sample();
        assert_eq!(v.correct("乡村振心", &|_| false).as_deref(), Some("乡村振兴"));
        assert_eq!(v.correct("营商环竟", &|_| false).as_deref(), Some("营商环境"));
        assert_eq!(v.correct("疫请防控", &|_| false).as_deref(), Some("疫情防控"));
        assert_eq!(v.correct("乡村振兴", &|_| false), None);
        assert_eq!(v.correct("疫情", &|_| false), None);
    }

    /// What a vocabulary answers: readings, corrections and completions of a few inputs.
    fn answers(v: &Vocabulary) -> Vec<Option<String>> {
        let mut out = Vec::new();
        for letters in ["xiangcunzhenxing", "xczx", "chongqing", "xian", "qqqq"] {
            out.push(v.read_pinyin(letters));
        }
        for run in ["乡村振心", "营商环竟", "疫请防控", "疫情"] {
            out.push(v.correct(run, &|_| false));
        }
        for prefix in ["乡", "xiangc", "yq", "z"] {
            out.push(Some(format!("{:?}", v.complete(prefix, 5))));
        }
        out.push(v.articles_with("乡村").map(|n| n.to_string()));
        out
    }

    #[test]
    fn a_kept_vocabulary_answers_as_the_one_it_was_written_from() {
        use crate::store::kept::{frame, read};
        use tantivy::index::SegmentId;
        let v = sample();
        let live = vec![
            (SegmentId::generate_random(), 3, 9),
            (SegmentId::generate_random(), 0, 9),
        ];
        let bytes = frame::<Vocabulary>(&live, |out| v.encode(out));
        let kept = read::<Vocabulary>(&bytes, &live).unwrap().unwrap();
        assert_eq!(answers(&kept), answers(&v));
        assert_eq!(kept.articles(), 10_000);
        // Other segments: out of date, not used.
        assert!(read::<Vocabulary>(&bytes, &live[..1].to_vec()).unwrap().is_none());
        // Damage anywhere: an error, never a panic.
        crate::store::kept::assert_damage_is_refused::<Vocabulary>(&bytes, &live);
    }

    /// An index on disk keeps its vocabulary in its folder: a new process reads it and
    /// answers as the one read from the segments.
    #[test]
    fn an_indexing_run_keeps_the_vocabulary_for_later_searches() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("releases");
        std::fs::create_dir(&folder).unwrap();
        for (n, title) in ["推进乡村振兴", "乡村振兴见成效", "优化营商环境", "重庆营商环境"]
            .iter()
            .enumerate()
        {
            let text = format!("{title}\n2022-05-1{n} 来源:县政府\n{title}的正文。\n");
            std::fs::write(folder.join(format!("{n}.txt")), text).unwrap();
        }
        let at = dir.path().join("index");
        crate::Index::open_or_create(&at)
            .unwrap()
            .index_folder(&folder, |_| {})
            .unwrap();
        assert!(at.join(Vocabulary::FILE).is_file());
        let index = crate::Index::open(&at).unwrap();
        let searcher = index.searcher();
        let kept = index.vocabulary_cache().ready(&searcher).expect("read from the folder");
        let derived = Vocabulary::derive(&searcher).unwrap();
        assert_eq!(answers(&kept), answers(&derived));
        assert_eq!(kept.read_pinyin("xczx").as_deref(), Some("乡村振兴"));

        let file = at.join(Vocabulary::FILE);
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x5A;
        std::fs::write(&file, bytes).unwrap();
        let index = crate::Index::open(&at).unwrap();
        assert!(index.vocabulary_cache().ready(&index.searcher()).is_none());
        let report = index.check().unwrap();
        assert_eq!(report.damaged.len(), 1, "{report:?}");
        assert_eq!(report.damaged[0].what, Vocabulary::FILE);
        // Searches read the segments' terms instead.
        let suggested = index.suggest("xiangc", 3).unwrap();
        assert_eq!(suggested.first().map(|s| s.text.as_str()), Some("乡村"));
    }

    /// A vocabulary built on an earlier one's keys is the one keyed anew, byte for byte:
    /// with terms gone and added, counts changed, and two-character words that became a
    /// correction's target or stopped being one.
    #[test]
    fn a_vocabulary_after_an_earlier_one_is_the_one_keyed_anew() {
        let terms =
            |list: &[(&str, u32)]| -> Vec<(String, u32)> { list.iter().map(|(t, n)| (t.to_string(), *n)).collect() };
        let earlier = terms(&[
            ("乡村", 300),
            ("振兴", 200),
            ("相册", 1),
            ("行长", 4),
            ("重庆", 40),
            ("银行", 30),
            ("心", 3),
            ("营商环境", 70),
        ]);
        let later = terms(&[
            ("乡村", 301),
            ("振兴", 200),
            ("相册", 2),
            ("行长", 1),
            ("重庆", 40),
            ("重庆银行", 3),
            ("心", 3),
            ("长江", 9),
            ("西安", 20),
        ]);
        for (from, to) in [(&earlier, &later), (&later, &earlier)] {
            let before = Vocabulary::new(from.clone(), 1_000);
            let after = Vocabulary::after(to.clone(), 1_100, Some(&before));
            assert!(after.encoded() == Vocabulary::new(to.clone(), 1_100).encoded());
        }
        let same = Vocabulary::new(later.clone(), 1_000);
        assert!(Vocabulary::after(later.clone(), 1_000, Some(&same)).encoded() == same.encoded());
    }

    /// The walk of the terms' FSTs finds what comparing the typed word with every term
    /// finds: each correction target of its length that differs in one place.
    #[test]
    fn one_replaced_character_is_found_as_a_scan_finds_it() {
        let mut terms: Vec<(String, u32)> = Vec::new();
        let han = "乡村振兴营商环境疫情防控重庆银行相册心西安先峄城区枣庄市";
        let chars: Vec<char> = han.chars().collect();
        for (i, a) in chars.iter().enumerate() {
            for (j, b) in chars.iter().enumerate().skip(i % 3) {
                terms.push((format!("{a}{b}"), (i + j) as u32 % 3));
                if j % 4 == 0 {
                    terms.push((format!("{a}{b}{}", chars[(i + j) % chars.len()]), 1));
                }
            }
        }
        terms.push(("𠀀城区".to_string(), 2));
        terms.push(("峄𠀀区".to_string(), 2));
        let v = Vocabulary::new(terms.clone(), 1000);
        terms.sort();
        terms.dedup_by(|a, b| a.0 == b.0);
        for typed in [
            "乡村",
            "振兴",
            "峄城区",
            "心安",
            "营商境",
            "城区",
            "𠀁城区",
            "区区区",
            "西",
        ] {
            let typed: Vec<char> = typed.chars().collect();
            let mut expected = Vec::new();
            for (id, (text, articles)) in terms.iter().enumerate() {
                let chars: Vec<char> = text.chars().collect();
                if chars.len() != typed.len() || !is_target(chars.len(), *articles) {
                    continue;
                }
                let differ: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] != typed[i]).collect();
                if let [i] = differ[..] {
                    expected.push((i, id as u32));
                }
            }
            expected.sort_unstable();
            assert_eq!(v.one_replaced(&typed), expected, "{typed:?}");
        }
    }

    #[test]
    fn completions_rank_by_articles() {
        let v = sample();
        let texts = |prefix: &str| -> Vec<String> { v.complete(prefix, 3).into_iter().map(|(t, _)| t).collect() };
        assert_eq!(texts("乡"), ["乡村", "乡村振兴"]);
        assert_eq!(texts("xiangc"), ["乡村", "乡村振兴", "相册"]);
        assert_eq!(texts("yq"), ["疫情", "疫情防控"]);
    }
}
