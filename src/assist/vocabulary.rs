//! The index's own vocabulary: the words of its titles and its keyword, source and column
//! values, each with the number of articles that have it, looked up by text, by pinyin, by
//! initials and by near spellings.

use std::collections::HashMap;

use tantivy::schema::Field;
use tantivy::Searcher;

use super::pinyin;
use crate::text::is_han;

/// The longest term the vocabulary keeps, in characters: titles' words are short, and a
/// longer keyword value is a sentence nobody types as one.
const LONGEST: usize = 12;

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

/// A term's text and how many articles have it.
#[derive(Debug)]
struct Term {
    text: Box<str>,
    articles: u32,
}

/// Keys (a pinyin spelling, a spelling with one character masked) each leading to terms:
/// sorted pairs, looked up by binary search, so prefixes come as ranges.
#[derive(Default)]
struct Keyed(Vec<(Box<str>, u32)>);

impl Keyed {
    fn push(&mut self, key: String, term: u32) {
        self.0.push((key.into_boxed_str(), term));
    }

    fn finish(&mut self) {
        self.0.sort_unstable();
        self.0.dedup();
        self.0.shrink_to_fit();
    }

    fn get<'a>(&'a self, key: &'a str) -> impl Iterator<Item = u32> + 'a {
        let start = self.0.partition_point(|(k, _)| k.as_ref() < key);
        self.0[start..]
            .iter()
            .take_while(move |(k, _)| k.as_ref() == key)
            .map(|(_, t)| *t)
    }

    fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = u32> + 'a {
        let start = self.0.partition_point(|(k, _)| k.as_ref() < prefix);
        self.0[start..]
            .iter()
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(_, t)| *t)
    }
}

/// Keys each leading to terms, looked up whole: a hash map, as a correction looks up every
/// part of a query run several times.
#[derive(Default)]
struct Lookup(HashMap<Box<str>, Vec<u32>>);

impl Lookup {
    fn push(&mut self, key: String, term: u32) {
        self.0.entry(key.into_boxed_str()).or_default().push(term);
    }

    fn get(&self, key: &str) -> &[u32] {
        self.0.get(key).map_or(&[], Vec::as_slice)
    }
}

/// The vocabulary of one set of segments.
pub(crate) struct Vocabulary {
    /// Sorted by text.
    terms: Vec<Term>,
    /// Articles in the segments: the denominator of a term's share.
    articles: u64,
    /// Every reading of a term, its syllables run together.
    full: Keyed,
    /// The first letters of a term's syllables, for terms of two characters or more.
    initials: Keyed,
    /// A term (of two characters or more, in two articles or more) with one character masked,
    /// once for each character: the terms one replaced character away from a typed word.
    masked: Lookup,
    /// A term's blurred syllables ([`pinyin::blurred`]), space-separated: the terms that sound
    /// like a typed word.
    sounds: Lookup,
    /// Each term's place in `terms`.
    places: HashMap<Box<str>, u32>,
}

/// What a character stands for in a masked key: no query text has it.
const MASK: char = '\u{1}';

impl Vocabulary {
    /// Reads the vocabulary of `searcher`'s segments: `words` is the title's word field,
    /// `values` the facet fields whose whole values are terms.
    pub(crate) fn read(searcher: &Searcher, words: Field, values: &[Field]) -> tantivy::Result<Vocabulary> {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for segment in searcher.segment_readers() {
            let mut add = |field: Field, facet: bool| -> tantivy::Result<()> {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted.terms().stream()?;
                while stream.advance() {
                    let mut key = stream.key();
                    if facet {
                        // A facet term is its path with U+0000 between levels; these have one.
                        key = key.split(|&b| b == 0).next().unwrap_or(key);
                    }
                    let Ok(text) = std::str::from_utf8(key) else {
                        continue;
                    };
                    let chars = text.chars().count();
                    if chars == 0 || chars > LONGEST || !text.chars().all(is_han) {
                        continue;
                    }
                    let entry = counts.entry(text.to_string()).or_default();
                    *entry = entry.saturating_add(stream.value().doc_freq);
                }
                Ok(())
            };
            add(words, false)?;
            for &field in values {
                add(field, true)?;
            }
        }
        let terms: Vec<Term> = counts
            .into_iter()
            .map(|(text, articles)| Term {
                text: text.into_boxed_str(),
                articles,
            })
            .collect();
        Ok(Vocabulary::new(terms, searcher.num_docs().max(1)))
    }

    /// A vocabulary of the given terms and counts over `articles` articles (tests).
    #[cfg(test)]
    pub(crate) fn of(terms: &[(&str, u32)], articles: u64) -> Vocabulary {
        let terms: Vec<Term> = terms
            .iter()
            .map(|(text, n)| Term {
                text: (*text).into(),
                articles: *n,
            })
            .collect();
        Vocabulary::new(terms, articles)
    }

    /// The vocabulary of `terms`, sorted and keyed, over `articles` articles.
    fn new(mut terms: Vec<Term>, articles: u64) -> Vocabulary {
        terms.sort_unstable_by(|a, b| a.text.cmp(&b.text));
        let mut vocabulary = Vocabulary {
            terms,
            articles,
            full: Keyed::default(),
            initials: Keyed::default(),
            masked: Lookup::default(),
            sounds: Lookup::default(),
            places: HashMap::new(),
        };
        vocabulary.key_terms();
        vocabulary
    }

    fn key_terms(&mut self) {
        for (id, term) in self.terms.iter().enumerate() {
            let id = id as u32;
            let chars: Vec<char> = term.text.chars().collect();
            let readings = pinyin::readings(&term.text).unwrap_or_default();
            let mut sounds = Vec::new();
            for syllables in &readings {
                self.full.push(pinyin::full(syllables), id);
                if chars.len() >= 2 {
                    self.initials.push(pinyin::initials(syllables), id);
                    let blurred: Vec<String> = syllables.iter().map(|s| pinyin::blurred(s)).collect();
                    sounds.push(blurred.join(" "));
                }
            }
            // A correction's target: a term of three characters or more, or a word of two in two
            // articles or more (a two-character word in one article is as likely a typo).
            if chars.len() >= 3 || (chars.len() == 2 && term.articles >= 2) {
                sounds.sort_unstable();
                sounds.dedup();
                for key in sounds {
                    self.sounds.push(key, id);
                }
                for i in 0..chars.len() {
                    let mut masked = chars.clone();
                    masked[i] = MASK;
                    self.masked.push(masked.into_iter().collect(), id);
                }
            }
        }
        for keyed in [&mut self.full, &mut self.initials] {
            keyed.finish();
        }
        self.places = self
            .terms
            .iter()
            .enumerate()
            .map(|(id, term)| (term.text.clone(), id as u32))
            .collect();
    }

    /// How many articles have `text` (a title word, keyword, source or column), if any.
    pub(crate) fn articles_with(&self, text: &str) -> Option<u32> {
        self.find(text).map(|t| t.articles)
    }

    /// How many articles the vocabulary was read from.
    pub(crate) fn articles(&self) -> u64 {
        self.articles
    }

    fn find(&self, text: &str) -> Option<&Term> {
        self.places.get(text).map(|&i| &self.terms[i as usize])
    }

    /// The log share of articles a term has: how likely a typed word is meant as it.
    fn weight(&self, articles: u32) -> f64 {
        (f64::from(articles) / self.articles as f64).ln()
    }

    /// The weight of a character no term accounts for: less than a term in a single article.
    fn unknown(&self) -> f64 {
        (0.5 / self.articles as f64).ln()
    }

    /// The best term among `ids` (most articles), if any.
    fn most_common(&self, ids: impl Iterator<Item = u32>) -> Option<u32> {
        ids.max_by(|&a, &b| {
            let (a, b) = (&self.terms[a as usize], &self.terms[b as usize]);
            a.articles.cmp(&b.articles).then_with(|| b.text.cmp(&a.text))
        })
    }

    /// `letters` (a query word as [`pinyin::letters`] gives it) as the Chinese it most likely
    /// stands for: the split into terms' full pinyin whose terms are most common together, or
    /// failing that into terms' initials. `None` when no split covers every letter.
    pub(crate) fn read_pinyin(&self, letters: &str) -> Option<String> {
        self.split(letters, &self.full, 1).or_else(|| {
            // Initials are ambiguous by nature, and a string of them has at most one vowel
            // (`xczx`), where a word in English has several.
            let vowels = letters.chars().filter(|c| "aeiouv".contains(*c)).count();
            (letters.len() <= 10 && vowels <= 1)
                .then(|| self.split(letters, &self.initials, 2))
                .flatten()
        })
    }

    /// The most likely split of `letters` into keys of `keyed`, each key at least `least`
    /// letters (ASCII, so bytes are letters).
    fn split(&self, letters: &str, keyed: &Keyed, least: usize) -> Option<String> {
        let n = letters.len();
        let mut best: Vec<Option<(f64, usize, u32)>> = vec![None; n + 1];
        best[0] = Some((0.0, 0, 0));
        for end in 1..=n {
            for start in end.saturating_sub(6 * LONGEST)..end.saturating_sub(least - 1) {
                let Some((before, ..)) = best[start] else {
                    continue;
                };
                let Some(id) = self.most_common(keyed.get(&letters[start..end])) else {
                    continue;
                };
                let score = before + self.weight(self.terms[id as usize].articles) - PART_COST;
                if best[end].is_none_or(|(b, ..)| score > b) {
                    best[end] = Some((score, start, id));
                }
            }
        }
        best[n]?;
        let mut parts = Vec::new();
        let mut end = n;
        while end > 0 {
            let (_, start, id) = best[end]?;
            parts.push(self.terms[id as usize].text.as_ref());
            end = start;
        }
        parts.reverse();
        Some(parts.concat())
    }

    /// `run` (Han characters as typed) as the terms it most likely stands for, each reached as
    /// typed, by one replaced character, or by characters that sound alike: `None` when the
    /// run as typed is the likeliest reading.
    pub(crate) fn correct(&self, run: &str) -> Option<String> {
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
                    Some(term) => options.push((self.weight(term.articles), typed.clone())),
                    None if end - start == 1 => options.push((self.unknown(), typed.clone())),
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

    /// Terms one replaced character away from `typed`, or sounding like it, each with its
    /// weight less the cost of reaching it.
    fn near(&self, typed: &[char], sounds: &[Vec<String>]) -> Vec<(f64, String)> {
        let mut out = Vec::new();
        for i in 0..typed.len() {
            let mut masked = typed.to_vec();
            masked[i] = MASK;
            let key: String = masked.into_iter().collect();
            for &id in self.masked.get(&key) {
                let term = &self.terms[id as usize];
                let Some(replacement) = term.text.chars().nth(i) else {
                    continue;
                };
                if replacement == typed[i] {
                    continue;
                }
                let cost = if pinyin::same_sound(replacement, typed[i]) {
                    SAME_SOUND_COST
                } else if pinyin::sound_alike(replacement, typed[i]) {
                    SOUND_ALIKE_COST
                } else {
                    OTHER_CHARACTER_COST
                };
                out.push((self.weight(term.articles) - cost, term.text.to_string()));
            }
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
            for &id in self.sounds.get(key) {
                let term = &self.terms[id as usize];
                let replaced = term.text.chars().zip(typed).filter(|(a, b)| a != *b).count();
                if replaced >= 2 {
                    out.push((
                        self.weight(term.articles) - SOUND_ALIKE_COST * replaced as f64,
                        term.text.to_string(),
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
            found.extend(self.full.with_prefix(&letters));
            found.extend(self.initials.with_prefix(&letters));
        } else {
            let start = self.terms.partition_point(|t| t.text.as_ref() < prefix);
            found.extend(
                (start..self.terms.len())
                    .take_while(|&i| self.terms[i].text.starts_with(prefix))
                    .map(|i| i as u32),
            );
        }
        found.sort_unstable();
        found.dedup();
        let mut terms: Vec<&Term> = found.into_iter().map(|id| &self.terms[id as usize]).collect();
        // The prefix itself is not a completion, nor is a single character.
        terms.retain(|t| t.text.as_ref() != prefix && t.text.chars().nth(1).is_some());
        let rank = |t: &&Term| (std::cmp::Reverse(t.articles), t.text.chars().count());
        if terms.len() > limit {
            terms.select_nth_unstable_by_key(limit, rank);
            terms.truncate(limit);
        }
        terms.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.text.cmp(&b.text)));
        terms
            .into_iter()
            .map(|t| (t.text.to_string(), u64::from(t.articles)))
            .collect()
    }
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

    #[test]
    fn typos_become_the_common_term() {
        let v = sample();
        assert_eq!(v.correct("乡村振心").as_deref(), Some("乡村振兴"));
        assert_eq!(v.correct("营商环竟").as_deref(), Some("营商环境"));
        assert_eq!(v.correct("疫请防控").as_deref(), Some("疫情防控"));
        assert_eq!(v.correct("乡村振兴"), None);
        assert_eq!(v.correct("疫情"), None);
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
