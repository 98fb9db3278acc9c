//! Abbreviations (缩略语) no table lists: 计生 for 计划生育, 发改委 for 发展改革委, 卫健委 for
//! 卫生健康委. Most are made by taking characters of the full term in order, so a short word's
//! full forms are looked for among longer terms (the index's vocabulary, jieba's dictionary)
//! that start with its first character and hold its other characters in order, not side by
//! side ([`is_short_for`]). The articles decide ([`Counts`], [`choose`]): a full form is taken
//! when the articles that write it out also write the short word far more often than articles
//! at large do, as a text that introduces a term in full and then abbreviates it does; and
//! the word's places show a word, not the edges of the words around it
//! ([`super::places::is_fragment`]).
//!
//! The engine counts the evidence (a backend's counts of exact strings, the places of a word
//! in its articles' titles and snippets) and keeps what it found for each word for one set of
//! segments; an everyday-word table entry for the word overrides whatever was found.

use crate::text::is_han;
use crate::text::segment::{self, Segmenter};

use super::vocabulary::Vocabulary;

/// The thresholds below were chosen on half of xwlb's words and measured on the other half and
/// on other corpora (docs/query-assistance.md).
///
/// The shortest and longest short word looked at, in characters.
pub(crate) const SHORT_CHARS: std::ops::RangeInclusive<usize> = 2..=4;
/// The longest full form, in characters.
const LONGEST_FULL: usize = 12;
/// The most characters of a full form after the one it shares with the short word's last:
/// 计划生育 keeps 生 and drops 育, 政治协商会议 keeps 协 and drops 商会议.
const LONGEST_TAIL: usize = 3;
/// A word of jieba's dictionary this common (its frequency) is an ordinary word, not an
/// abbreviation, unless jieba tags it as one: 合法 is not short for 合同法, nor 智能 for 智慧赋能.
const ORDINARY: u64 = 100;
/// The most terms one character longer than a short word whose articles are counted.
pub(crate) const MOST_LONGER: usize = 6;
/// A short word whose articles mostly write it inside one longer term (社部 in 人社部, 委会 in
/// 常委会, 长制 in 河长制) is a piece of that term, not a word: its articles are that term's.
const PIECE_SHARE: f64 = 0.5;
/// The most full forms whose articles are counted for one word: the candidates most used
/// first.
pub(crate) const MOST_CANDIDATES: usize = 8;

/// Articles that write both out, at least: fewer is chance.
const FEWEST_TOGETHER: u64 = 5;
/// How many times more often the articles with a full form write the short word than
/// articles at large do, at least: 中国 is in most articles, so that most articles with
/// 中央国家机关 also have it says nothing.
const LIFT: f64 = 15.0;
/// The share of the short word's articles that also write the full form out, at least: a text
/// that abbreviates a term usually names it in full first, where a word with a use of its own
/// (美军 beside 美国军舰) seldom stands beside the longer term.
const SPELLED_OUT: f64 = 0.1;
/// A second full form of a word is kept when it is at least this share as far above chance as
/// the first; otherwise the word is taken to stand for the first only (人大 for 人民代表大会,
/// not for 人民大会堂, though the two are often written together).
const RIVAL_SHARE: f64 = 0.8;
/// The most words jieba cuts a full form into, beyond the short word's characters: a longer
/// run is a headline (俄称打击乌军工企业), not a term.
const MORE_WORDS: usize = 2;

/// Whether `short` may be an abbreviation of `full` by its shape alone: both Han text, the
/// same first character, the short word's characters in order in the full form but not side
/// by side as one string, and its last character among the full form's last few.
pub(crate) fn is_short_for(short: &str, full: &str) -> bool {
    let s: Vec<char> = short.chars().collect();
    let f: Vec<char> = full.chars().collect();
    // One character more is a variant (展览会 of 展会, 三周年 of 三年), seldom a full form.
    if !SHORT_CHARS.contains(&s.len())
        || f.len() < s.len() + 2
        || f.len() > LONGEST_FULL
        || s[0] != f[0]
        || !s.iter().chain(&f).all(|&c| is_han(c))
        || full.contains(short)
    {
        return false;
    }
    let last = s[s.len() - 1];
    // The last character as late as it stands, the others in order before it.
    let Some(at) = (f.len().saturating_sub(LONGEST_TAIL + 1)..f.len())
        .rev()
        .find(|&i| f[i] == last && i + 1 >= s.len())
    else {
        return false;
    };
    let mut rest = s[1..s.len() - 1].iter().peekable();
    for &c in &f[1..at] {
        if rest.peek() == Some(&&c) {
            rest.next();
        }
    }
    rest.peek().is_none()
}

/// Whether `short` takes its characters where `full`'s words start: each at the start of a
/// word of `full` as jieba cuts it (or of a word of jieba's dictionary inside a longer one:
/// 人民代表大会 holds 人民, 代表 and 大会), the last one also at the very end (发改委 of
/// 发展改革委), and not only whole words (中国银行 is not short for 中国建设银行, nor 乡村振兴
/// for 乡村全面振兴: a word left out is another term).
pub(crate) fn takes_word_starts(short: &str, full: &str, segmenter: &Segmenter) -> bool {
    let f: Vec<char> = full.chars().collect();
    let words = segmenter.words(full);
    if words.len() > short.chars().count() + MORE_WORDS {
        return false;
    }
    let mut starts = vec![false; f.len() + 1];
    for word in &words {
        starts[word.start] = true;
        for at in word.start + 1..word.end.saturating_sub(1) {
            let pair: String = f[at..at + 2].iter().collect();
            if segment::known(&pair).is_some() {
                starts[at] = true;
            }
        }
    }
    let s: Vec<char> = short.chars().collect();
    // Every way the short word's characters fall in order on starts (the last also on the end).
    fn fits(s: &[char], f: &[char], from: usize, starts: &[bool]) -> bool {
        let Some((&c, rest)) = s.split_first() else {
            return true;
        };
        (from..f.len()).any(|at| {
            f[at] == c && (starts[at] || (rest.is_empty() && at + 1 == f.len())) && fits(rest, f, at + 1, starts)
        })
    }
    if !fits(&s, &f, 0, &starts) {
        return false;
    }
    // Whole words only: the short word is some of the full form's words (cut at every start),
    // one after another.
    fn whole(short: &str, words: &[&str]) -> bool {
        short.is_empty()
            || words
                .iter()
                .enumerate()
                .any(|(i, w)| short.starts_with(w) && whole(&short[w.len()..], &words[i + 1..]))
    }
    let mut pieces: Vec<String> = Vec::new();
    for (at, &c) in f.iter().enumerate() {
        match pieces.last_mut() {
            Some(piece) if !starts[at] => piece.push(c),
            _ => pieces.push(c.to_string()),
        }
    }
    let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
    !whole(short, &pieces)
}

/// Whether `word` may be short for a longer term at all: two to four Han characters, no
/// ordinary word or name.
pub(crate) fn may_be_short(word: &str) -> bool {
    SHORT_CHARS.contains(&word.chars().count()) && word.chars().all(is_han) && !is_ordinary(word)
}

/// Whether jieba's dictionary holds `short` as an ordinary word ([`ORDINARY`]), or as a name
/// (a place, an organisation, a person): a name is what it says (中关 of 中关村 is not short
/// for 中欧关系), as query assistance never rewrites one.
fn is_ordinary(short: &str) -> bool {
    segment::known(short).is_some_and(|k| !k.abbreviation && (k.freq >= ORDINARY || k.name))
}

/// The longer terms `short` may abbreviate, most used first, at most [`MOST_CANDIDATES`]:
/// terms of the vocabulary (by their articles), then words of jieba's dictionary (by
/// frequency) the vocabulary lacks. None for an ordinary word.
pub(crate) fn candidates(short: &str, vocabulary: &Vocabulary, segmenter: &Segmenter) -> Vec<String> {
    let Some(first) = short.chars().next() else {
        return Vec::new();
    };
    if !may_be_short(short) {
        return Vec::new();
    }
    let mut found: Vec<(String, u32)> = vocabulary
        .starting_with(first)
        .into_iter()
        .filter(|(term, _)| is_short_for(short, term))
        .map(|(term, n)| (term.to_string(), n))
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut words: Vec<(String, u64)> = segment::words_starting_with(first)
        .into_iter()
        .filter(|(word, _)| is_short_for(short, word) && vocabulary.articles_with(word).is_none())
        .collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found
        .into_iter()
        .map(|(term, _)| term)
        .chain(words.into_iter().map(|(word, _)| word))
        .filter(|full| takes_word_starts(short, full, segmenter))
        .take(MOST_CANDIDATES)
        .collect()
}

/// The terms one character longer than `short` that start or end with it, most titles first,
/// at most [`MOST_LONGER`]: the terms it may be a piece of.
pub(crate) fn longer_terms(short: &str, vocabulary: &Vocabulary) -> Vec<String> {
    let mut longer = vocabulary.one_longer(short);
    longer.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    longer
        .into_iter()
        .take(MOST_LONGER)
        .map(|(t, _)| t.to_string())
        .collect()
}

/// Whether a word written in `short` articles is a piece of a longer term written in
/// `longer` articles (each of those has the word too).
pub(crate) fn is_piece(short: u64, longer: u64) -> bool {
    longer as f64 >= PIECE_SHARE * short as f64
}

/// How many articles write a short word, a full form, and both (each an exact string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Articles in the index.
    pub(crate) articles: u64,
    pub(crate) short: u64,
    pub(crate) full: u64,
    pub(crate) both: u64,
}

impl Counts {
    /// How many times more often the full form's articles write the short word than articles
    /// at large do.
    fn lift(&self) -> f64 {
        (self.both as f64 * self.articles as f64) / (self.short.max(1) as f64 * self.full.max(1) as f64)
    }

    /// Whether the counts could convince with as many articles writing both as they can:
    /// when not, counting those is no use.
    pub(crate) fn could_convince(&self) -> bool {
        Counts {
            both: self.short.min(self.full),
            ..*self
        }
        .convincing()
    }

    /// Whether the articles say the short word stands for the full form: enough of them write
    /// both, far more often than chance, and the short word's articles often spell it out.
    pub(crate) fn convincing(&self) -> bool {
        self.both >= FEWEST_TOGETHER && self.lift() >= LIFT && self.both as f64 >= SPELLED_OUT * self.short as f64
    }
}

/// The full forms a word stands for, of `counted` (candidates with their counts): the
/// convincing ones, none that holds another as a string (政治协商会议 finds
/// 中国人民政治协商会议 already), and of the rest those nearly as far above chance as the best.
pub(crate) fn choose(mut counted: Vec<(String, Counts)>) -> Vec<(String, Counts)> {
    counted.retain(|(_, c)| c.convincing());
    let all: Vec<String> = counted.iter().map(|(f, _)| f.clone()).collect();
    counted.retain(|(full, _)| !all.iter().any(|other| other != full && full.contains(other.as_str())));
    counted.sort_by(|a, b| b.1.lift().total_cmp(&a.1.lift()).then_with(|| a.0.cmp(&b.0)));
    let Some(best) = counted.first().map(|(_, c)| c.lift()) else {
        return Vec::new();
    };
    counted.retain(|(_, c)| c.lift() >= RIVAL_SHARE * best);
    counted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_take_characters_of_the_full_form_in_order() {
        for (short, full) in [
            ("计生", "计划生育"),
            ("发改委", "发展改革委"),
            ("卫健委", "卫生健康委"),
            ("国资委", "国有资产监督管理委员会"),
            ("全国人大", "全国人民代表大会"),
            ("政协", "政治协商会议"),
        ] {
            assert!(is_short_for(short, full), "{short} for {full}");
            assert!(
                takes_word_starts(short, full, &Segmenter::default()),
                "{short} for {full}"
            );
        }
        for (short, full, why) in [
            ("中国银行", "中国建设银行", "a word left out"),
            ("乡村振兴", "乡村全面振兴", "a word left out"),
            ("中医", "中西医结合", "医 inside 西医"),
            ("新疆", "新时代治疆方略", "疆 inside 治疆"),
        ] {
            assert!(is_short_for(short, full), "{short} for {full}: the shape");
            assert!(
                !takes_word_starts(short, full, &Segmenter::default()),
                "{short} for {full}: {why}"
            );
        }
        for (short, full, why) in [
            ("乡村", "乡村振兴", "side by side: a longer term, not a full form"),
            ("展会", "展览会", "one character more"),
            ("计生", "生育计划", "another first character"),
            ("计生", "计划生育服务中心", "the last character too far from the end"),
            ("发改委", "发展委员会", "a character missing"),
            ("卫健委", "卫生委健康", "out of order"),
            ("计", "计划", "one character"),
            ("ab", "abc", "not Han text"),
            ("政协", "政协", "the same"),
            ("大大", "大小多", "the last character only where the first is"),
            ("大中小", "大小中", "too few characters before the last"),
        ] {
            assert!(!is_short_for(short, full), "{short} for {full}: {why}");
        }
    }

    fn counts(short: u64, full: u64, both: u64) -> Counts {
        Counts {
            articles: 30_000,
            short,
            full,
            both,
        }
    }

    #[test]
    fn a_word_mostly_written_inside_a_longer_term_is_a_piece_of_it() {
        // 社部 in 75 articles, 人社部 in 70.
        assert!(is_piece(75, 70));
        // 文旅 in 500 articles, 文旅部 in 100.
        assert!(!is_piece(500, 100));
    }

    #[test]
    fn ordinary_words_are_no_abbreviations() {
        assert!(is_ordinary("合法"));
        assert!(is_ordinary("中关"), "a name");
        assert!(!is_ordinary("政协"), "jieba tags it as an abbreviation");
        assert!(!is_ordinary("卫健委"), "not in jieba's dictionary");
    }

    #[test]
    fn a_full_form_is_taken_when_the_articles_write_both_far_more_often_than_chance() {
        // 政协 in 600 articles, 政治协商会议 in 90, 70 with both.
        assert!(counts(600, 90, 70).convincing());
        assert!(!counts(30, 20, 4).convincing(), "too few together");
        assert!(!counts(1_000, 1_000, 100).convincing(), "little above chance");
        // 中国 in most articles: that 9 of 10 articles with a term also have it is chance.
        assert!(!counts(6_000, 10, 9).convincing());
        // 美军 in 400 articles, 16 of them beside 美国军舰: a word with a use of its own.
        assert!(!counts(400, 20, 16).convincing());
        assert!(
            !counts(6_000, 10, 0).could_convince(),
            "a word in most articles never does"
        );
        assert!(counts(600, 90, 0).could_convince());
    }

    #[test]
    fn the_shortest_full_forms_nearly_as_far_above_chance_as_the_best_are_chosen() {
        let names = |chosen: Vec<(String, Counts)>| chosen.into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        let chosen = names(choose(vec![
            ("政治协商会议".to_string(), counts(100, 50, 45)),
            ("中国人民政治协商会议".to_string(), counts(100, 40, 38)),
            ("政务协调".to_string(), counts(100, 50, 2)),
        ]));
        assert_eq!(chosen, ["政治协商会议"]);
        let rivals = names(choose(vec![
            ("人民代表大会".to_string(), counts(1_000, 300, 210)),
            ("人民大会堂".to_string(), counts(1_000, 600, 300)),
        ]));
        assert_eq!(rivals, ["人民代表大会"], "a rival far less above chance is left out");
        let both = names(choose(vec![
            ("甲乙丙丁".to_string(), counts(300, 100, 90)),
            ("甲戊丙己".to_string(), counts(300, 100, 85)),
        ]));
        assert_eq!(both, ["甲乙丙丁", "甲戊丙己"]);
        assert!(choose(Vec::new()).is_empty());
    }
}
