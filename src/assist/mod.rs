//! Query assistance: finding what people meant when they did not type the official term.
//!
//! Functions over what the engine hands them (a parsed query, the index's vocabulary, how
//! many articles a query finds); the engine decides whether to look, and runs what is
//! proposed ([`crate::engine`]).
//!
//! - [`vocabulary`]: the index's own terms (title words, keyword, source and column values)
//!   with their article counts, read once per set of segments; looked up by pinyin, by
//!   initials, by a replaced character and by sound. It reads queries typed in 拼音, corrects
//!   错别字 and completes prefixes.
//! - [`terms`]: each segment's vocabulary terms, kept between indexing runs so that a run
//!   reads only the segments it added, merged or deleted from.
//! - [`pinyin`]: readings of Han text and Latin text read as pinyin.
//! - [`abbreviations`]: the longer terms a word may abbreviate, and which of them the
//!   articles show it stands for.
//!
//! A rewrite is looked for only when the query as typed finds nothing, is Latin letters that
//! find little, or has a run jieba cuts the way a typo leaves a word ([`worth_a_look`]), or
//! finds a few articles with its words apart and none with them as written ([`few_apart`],
//! which the engine counts); any other query pays nothing for it. It is offered only when its
//! words as written are in many times more articles than the words as typed
//! ([`convincing`]).

pub(crate) mod abbreviations;
pub(crate) mod pinyin;
pub(crate) mod places;
pub(crate) mod terms;
pub(crate) mod vocabulary;

use serde::{Deserialize, Serialize};

use crate::query::{Clause, ParsedQuery};
use crate::search::RewriteReason;
use crate::text::segment::Segmenter;
use crate::text::{fold, is_han};
use vocabulary::{Reading, Vocabulary};

/// Fewer articles than this are "little": pinyin that finds so few as typed is read as
/// Chinese, and words as written in so few articles may be a typo.
pub(crate) const FEW: usize = 10;
/// A rewrite is offered when it finds this many times as many articles as the query as typed
/// (plus one).
const MANY_TIMES: usize = 5;

/// A character that stands alone as a word in one title in this many or more is no sign of
/// a typo when jieba leaves it alone in a query.
const ALONE_SHARE: u64 = 200;

/// A completion of a prefix: a term of the index and how many articles have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The term.
    pub text: String,
    /// How many articles a search for it finds.
    pub articles: u64,
}

/// What the index tells about a word of a query, for judging whether it was mistyped.
pub(crate) struct Evidence<'a> {
    /// Articles in the index.
    pub(crate) articles: u64,
    /// How many titles have a word.
    pub(crate) in_titles: &'a dyn Fn(&str) -> u64,
    /// The segmenter queries are cut with.
    pub(crate) segmenter: &'a Segmenter,
}

/// Whether a rewrite of `parsed`, which found `typed` articles as typed, is worth looking
/// for: it finds nothing, or it has Latin letters and finds little, or a run of it looks
/// mistyped. A query with a quoted string is as the user meant it.
pub(crate) fn worth_a_look(parsed: &ParsedQuery, typed: usize, evidence: &Evidence<'_>) -> bool {
    if parsed.has_exact() {
        return false;
    }
    let latin = bare(parsed).any(|(typed, _)| typed.chars().any(|c| c.is_ascii_alphabetic()));
    typed == 0 || (latin && typed < FEW) || looks_mistyped(parsed, typed < FEW, evidence)
}

/// Whether `parsed`, which found `typed` articles, finds a few (but some) and has a bare
/// chunk of two or more Han characters: it may be a typo whose words are written apart in
/// those few, which a count of its words as written tells.
pub(crate) fn few_apart(parsed: &ParsedQuery, typed: usize) -> bool {
    (1..FEW).contains(&typed)
        && !parsed.has_exact()
        && bare(parsed).any(|(_, folded)| folded.chars().count() >= 2 && folded.chars().all(is_han))
}

/// The bare chunks of `parsed` that are not exclusions: as typed and folded.
fn bare(parsed: &ParsedQuery) -> impl Iterator<Item = (&str, &str)> {
    parsed.clauses.iter().filter_map(|clause| match clause {
        Clause::Words {
            typed,
            text,
            negated: false,
            ..
        } => Some((typed.as_str(), text.as_str())),
        _ => None,
    })
}

/// Whether a run of Han characters of `parsed` looks mistyped: jieba cuts it into a
/// character that seldom stands alone (政面临 is 政 and 面临: what a typo leaves of a word),
/// or (`unknown_words`) into a word no title has. Characters that are words in many titles
/// (的, 在, 与) are no sign of one.
fn looks_mistyped(parsed: &ParsedQuery, unknown_words: bool, evidence: &Evidence<'_>) -> bool {
    let articles = evidence.articles.max(1);
    bare(parsed).any(|(_, folded)| {
        let runs: Vec<&str> = folded
            .split(|c: char| !is_han(c))
            .filter(|r| (2..=vocabulary::LONGEST_RUN).contains(&r.chars().count()))
            .collect();
        runs.into_iter().any(|run| {
            evidence.segmenter.words(run).iter().any(|range| {
                if range.len() > 1 && !unknown_words {
                    return false;
                }
                let word: String = run.chars().skip(range.start).take(range.len()).collect();
                let titles = (evidence.in_titles)(&word);
                if range.len() == 1 {
                    titles * ALONE_SHARE < articles
                } else {
                    titles == 0
                }
            })
        })
    })
}

/// Whether a rewrite for `reason` may be tried at all for a query that found `typed`
/// articles as typed: pinyin is read as Chinese only when what it finds as typed is little.
pub(crate) fn may_try(reason: RewriteReason, typed: usize) -> bool {
    reason != RewriteReason::Pinyin || typed < FEW
}

/// Whether a rewrite whose words as written are in `rewritten` articles is convincing
/// against words as typed in `typed` articles: words as typed in no article take any
/// rewrite whose words are in some; words in a few, only one whose words are in many times
/// more.
pub(crate) fn convincing(typed: usize, rewritten: usize) -> bool {
    rewritten > 0 && (typed == 0 || rewritten >= MANY_TIMES * (typed + 1))
}

/// A rewrite proposed for a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Proposal {
    /// The query as rewritten.
    pub(crate) query: String,
    pub(crate) reason: RewriteReason,
    /// Whether it may be searched instead of the query as typed: pinyin read as Chinese by
    /// its characters' common readings, or typos each replaced by a character that sounds
    /// alike, in no common word. Another correction (a character that does not sound alike:
    /// 薛城区 → 老城区; `go` as 灌区, 区 read ōu) is at most offered.
    pub(crate) may_search: bool,
    /// For a typo: whether each replaced character is reached by the typed one's common
    /// reading. Only such a correction replaces a query that found something.
    pub(crate) common_slips: bool,
    /// Other terms the whole query reads as, as common in the vocabulary, of as many
    /// characters: the engine searches the one written in most articles.
    pub(crate) homophones: Vec<String>,
    /// For a typo: whether a word it corrects is, as typed, a word of jieba's dictionary.
    pub(crate) typed_word: bool,
    /// For pinyin: whether letters read are as likely a word of English
    /// ([`Reading::MaybeEnglish`]).
    pub(crate) maybe_english: bool,
}

/// A word of jieba's dictionary at least this frequent is a word as typed, not a typo: a
/// character of it replaced by one that sounds alike (公式 → 公示) is only offered. Pinyin
/// spelled out through a character's rarer reading is such a word's only when it is this
/// frequent (`chongqing` is 重庆; `data` is no 达达).
pub(crate) const COMMON_WORD: u64 = 50;

/// Whether `corrected` differs from `typed` only by characters that sound alike
/// ([`Typed::sounds_like`]).
fn sounds_alike(typed: &str, corrected: &str, segmenter: &Segmenter) -> bool {
    Typed::new(typed, segmenter).sounds_like(corrected)
}

/// A typed text and its words as a segmenter cuts it by its dictionary, cut once for every
/// correction weighed against it.
struct Typed {
    chars: Vec<char>,
    cut: Vec<std::ops::Range<usize>>,
}

impl Typed {
    fn new(typed: &str, segmenter: &Segmenter) -> Typed {
        Typed {
            chars: typed.chars().collect(),
            cut: segmenter.dictionary_words(typed),
        }
    }

    /// Whether `corrected` differs from the typed text only by characters that sound alike
    /// (one of each pair by its common reading: two rare readings that blur alike meet only
    /// in the dictionary), none of them in a common word of a word of the cut. A common word
    /// across the cut is an accident of the characters beside each other, not a word typed:
    /// 国政 in 建国政线 (建国/政/线), where 政 is a slip for 阵.
    fn sounds_like(&self, corrected: &str) -> bool {
        let typed = &self.chars;
        let corrected: Vec<char> = corrected.chars().collect();
        if typed.len() != corrected.len() {
            return false;
        }
        let replaced: Vec<usize> = (0..typed.len()).filter(|&i| typed[i] != corrected[i]).collect();
        if !replaced.iter().all(|&i| pinyin::heard_alike(typed[i], corrected[i])) {
            return false;
        }
        // Whether a common word of two characters or more inside the typed word `word` takes
        // in the character at `i`.
        let in_common_word = |word: &std::ops::Range<usize>, i: usize| {
            (word.start..=i).any(|start| {
                (i + 1..=word.end.min(start + vocabulary::LONGEST_RUN)).any(|end| {
                    end - start >= 2
                        && crate::text::segment::known(&typed[start..end].iter().collect::<String>())
                            .is_some_and(|known| known.freq >= COMMON_WORD)
                })
            })
        };
        !replaced
            .iter()
            .any(|&i| self.cut.iter().any(|word| word.contains(&i) && in_common_word(word, i)))
    }
}

/// A correction by characters that do not sound alike is offered only when its words as
/// written are in at least this many articles: on a county's few hundred, a query that finds
/// nothing is usually a true zero.
const STRONG_EVIDENCE: usize = 20;
/// A typo that sounds alike is searched instead of the query as typed, even when that finds
/// something, when the correction's words as written are in this many times as many
/// articles as the typed words as written (plus one), where those are in some article
/// ([`sure`]).
pub(crate) const SURE_TIMES: usize = 20;

/// Whether a correction whose words as written are in `rewritten` articles is sure against
/// typed words as written in `typed_as_written`: in [`SURE_TIMES`] as many, or, where the
/// typed words as written are in no article (the query found its words only apart:
/// 中国人民引行, 加紧迎对 finds 加紧, 迎 and 对), in a few.
pub(crate) fn sure(typed_as_written: usize, rewritten: usize) -> bool {
    if typed_as_written == 0 {
        rewritten >= SURE_UNWRITTEN
    } else {
        rewritten >= SURE_TIMES * (typed_as_written + 1)
    }
}

/// The articles a correction's words as written must be in to be searched in place of a query
/// whose words as written are in none ([`sure`]).
const SURE_UNWRITTEN: usize = 2;

/// Whether `proposal` may be searched in place of a query that found something
/// ([`decide`]): a typo corrected by slips of the common readings, of words no one writes as
/// typed.
pub(crate) fn may_be_sure(proposal: &Proposal) -> bool {
    proposal.reason == RewriteReason::Typo && proposal.may_search && proposal.common_slips && !proposal.typed_word
}

/// Whether every run of Han characters the vocabulary would correct in `parsed`'s words is a
/// term of it as typed: a query that finds something and is made of the index's own terms is
/// typed as meant, and nothing in it is looked at for a correction.
pub(crate) fn all_terms(parsed: &ParsedQuery, vocabulary: &Vocabulary) -> bool {
    bare(parsed).all(|(_, folded)| {
        folded
            .split(|c: char| !is_han(c))
            .filter(|run| (2..=vocabulary::LONGEST_RUN).contains(&run.chars().count()))
            .all(|run| vocabulary.articles_with(run).is_some())
    })
}

/// The query as typed when `parsed` is one run of Han characters that [`respellings`]
/// respells and that is no term of `vocabulary` (a term is written in some article): a query
/// whose string may be written nowhere although its words are written apart.
pub(crate) fn written_apart_run<'a>(parsed: &'a ParsedQuery, vocabulary: &Vocabulary) -> Option<&'a str> {
    match parsed.clauses.as_slice() {
        [Clause::Words {
            typed,
            text,
            negated: false,
            ..
        }] if RESPELLED_CHARS.contains(&text.chars().count())
            && text.chars().all(is_han)
            && vocabulary.articles_with(text).is_none() =>
        {
            Some(typed.as_str())
        }
        _ => None,
    }
}

/// Whether each character `rewritten` replaces in `typed` makes a word of jieba's dictionary
/// with the characters beside it: a pinyin input method's slip is a wrong pick for a word's
/// syllables (重大 of 重大成就), where a respelling into no word is a piece of a longer
/// phrase (今年第 of 今年第一季度, for 今年底).
pub(crate) fn respelled_into_words(typed: &str, rewritten: &str) -> bool {
    let (typed, rewritten): (Vec<char>, Vec<char>) = (fold(typed).chars().collect(), fold(rewritten).chars().collect());
    typed.len() == rewritten.len()
        && (0..typed.len())
            .filter(|&at| typed[at] != rewritten[at])
            .all(|at| word_made(&rewritten, at) > 0)
}

/// Whether `proposal` may be searched in place of a query whose string the articles write (in
/// `typed_as_written`) only as a fragment of other words, its own words as written being in
/// `rewritten`: a common word of jieba's dictionary ([`COMMON_WORD`]), not another fragment a
/// title's cut made a term (京市 of 北京市, a rare word), in many times as many articles
/// ([`convincing`]).
pub(crate) fn corrects_fragment(proposal: &Proposal, typed_as_written: usize, rewritten: usize) -> bool {
    convincing(typed_as_written, rewritten)
        && crate::text::segment::known(&fold(&proposal.query)).is_some_and(|known| known.freq >= COMMON_WORD)
}

/// What to do with `proposal` for a query that found `typed` articles, its words as written
/// in `typed_as_written`, the proposal's as written in `rewritten`: `None` to leave it,
/// `Some(true)` to search it instead (saying so, with a way back), `Some(false)` to offer it.
pub(crate) fn decide(proposal: &Proposal, typed: usize, typed_as_written: usize, rewritten: usize) -> Option<bool> {
    if !convincing(typed_as_written, rewritten) {
        return None;
    }
    if proposal.reason == RewriteReason::Typo && proposal.typed_word {
        // A word of the dictionary typed is a word someone means, whether or not the
        // articles have it: a common slip away from one they have is offered, never searched
        // in its place, and a guess by another character not even offered (洞彻 is no
        // 贯彻).
        return (proposal.may_search && proposal.common_slips).then_some(false);
    }
    if proposal.may_search && proposal.maybe_english {
        // Letters that may be English are searched as typed; the Chinese they read as is
        // offered where no article writes them.
        return (typed_as_written == 0).then_some(false);
    }
    if !proposal.may_search {
        // A correction that does not sound alike is a guess: offered only where the typed
        // words are written in no article (each is a string of the index otherwise, and the
        // query was typed as meant: 加快 工艺 is not 加强 工作), and the guess in many.
        return (typed_as_written == 0 && rewritten >= STRONG_EVIDENCE).then_some(false);
    }
    if proposal.reason == RewriteReason::Typo && !proposal.common_slips && typed_as_written > 0 {
        // Nor is a correction through a rare reading where the typed words are written:
        // 小胜 is a word in the articles that have it, not a slip for 小型 (胜 reads xīng only
        // in old texts).
        return None;
    }
    Some(match proposal.reason {
        RewriteReason::Pinyin => true,
        _ => typed == 0 || (proposal.common_slips && sure(typed_as_written, rewritten)),
    })
}

/// `parsed` with its pinyin read as Chinese and its typos corrected, as query text, and why;
/// `None` when it stays as typed. A query with a quoted string is as typed; so are
/// exclusions, words with digits or in capitals (`GB/T 20984`, `GDP`), and the names
/// `segmenter` knows ([`Segmenter::is_name`]).
pub(crate) fn propose(parsed: &ParsedQuery, vocabulary: &Vocabulary, segmenter: &Segmenter) -> Option<Proposal> {
    if parsed.has_exact() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut as_typed: Vec<String> = Vec::new();
    let mut pinyin_run: Vec<String> = Vec::new();
    let mut reason = None;
    let mut sure = Sureness::default();
    let flush =
        |run: &mut Vec<String>, out: &mut Vec<String>, reason: &mut Option<RewriteReason>, sure: &mut Sureness| {
            if run.is_empty() {
                return;
            }
            let letters = pinyin::run_letters(run);
            match convertible(&letters)
                .then(|| vocabulary.read_pinyin_as(&letters))
                .flatten()
            {
                Some((chinese, reading)) => {
                    out.push(chinese);
                    *reason = Some(RewriteReason::Pinyin);
                    sure.read(reading);
                }
                None => out.append(run),
            }
            run.clear();
        };
    for clause in &parsed.clauses {
        let Clause::Words { typed, negated, .. } = clause else {
            return None;
        };
        let word = if *negated { format!("-{typed}") } else { typed.clone() };
        as_typed.push(word.clone());
        if *negated {
            flush(&mut pinyin_run, &mut out, &mut reason, &mut sure);
            out.push(word);
            continue;
        }
        if pinyin::letters(typed).is_some() {
            pinyin_run.push(word);
            continue;
        }
        flush(&mut pinyin_run, &mut out, &mut reason, &mut sure);
        out.push(rewrite_word(
            &fold(typed),
            vocabulary,
            segmenter,
            &mut reason,
            &mut sure,
        ));
    }
    flush(&mut pinyin_run, &mut out, &mut reason, &mut sure);
    let rewritten = out.join(" ");
    let reason = reason?;
    // A whole query of pinyin read as one term has homophones (`xi'an`: 西安, 西岸): the
    // engine picks the one in most articles, which the vocabulary's count of titles may not
    // be.
    let homophones = match (reason, out.as_slice()) {
        (RewriteReason::Pinyin, [term]) if as_typed.iter().all(|w| pinyin::letters(w).is_some()) => {
            vocabulary.homophones(&pinyin::run_letters(&as_typed), term, MAX_HOMOPHONES)
        }
        _ => Vec::new(),
    };
    let typed = as_typed.join(" ");
    if reason == RewriteReason::Typo && replaces_a_word_whole(&typed, &rewritten) {
        return None;
    }
    let (common_slips, typed_word) = match reason {
        RewriteReason::Typo => (
            common_slips(&typed, &rewritten),
            typed_word(&typed, &rewritten, segmenter),
        ),
        _ => (false, false),
    };
    (rewritten != typed).then_some(Proposal {
        query: rewritten,
        reason,
        may_search: !sure.guess,
        maybe_english: sure.maybe_english,
        common_slips,
        homophones,
        typed_word,
    })
}

/// Whether each character `rewritten` replaces in `typed` is reached by the typed one's common
/// reading: the slip a pinyin input method makes (期 is qī; jī only in 期年, so 期许 is no slip
/// for 继续).
pub(crate) fn common_slips(typed: &str, rewritten: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (typed.chars().collect(), rewritten.chars().collect());
    // The rewrite is folded (繁→简, full width) where the typed text may not be.
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(t, c)| t == c || crate::text::fold_char(*t) == Some(*c) || pinyin::typed_for(*t, *c))
}

/// Whether a word of `typed` that `rewritten` changes is, as typed, a word of jieba's
/// dictionary (of two characters or more), or one its tagger reads as a person's name: a word
/// someone writes, however rare, and not the string a slip makes of another (鞋盒 is no typo
/// of 协和, 侄妇 none of 致富, 李晓鹏 is someone else than 李小鹏, though each sounds alike).
fn typed_word(typed: &str, rewritten: &str, segmenter: &Segmenter) -> bool {
    typed
        .split_whitespace()
        .zip(rewritten.split_whitespace())
        .filter(|(a, b)| a != b)
        .any(|(a, _)| is_meant(&fold(a.trim_start_matches('-')), segmenter))
}

/// Whether `rewritten` replaces every character of a word of jieba's dictionary typed: it
/// is then another word that sounds alike (塑机 and 书记, 承销 and 成效), no slip of it, and
/// the articles having the one and not the other does not make it one.
fn replaces_a_word_whole(typed: &str, rewritten: &str) -> bool {
    typed
        .split_whitespace()
        .zip(rewritten.split_whitespace())
        .any(|(a, b)| {
            let (a, b) = (fold(a.trim_start_matches('-')), fold(b.trim_start_matches('-')));
            a.chars().count() >= 2
                && a.chars().zip(b.chars()).all(|(x, y)| x != y)
                && crate::text::segment::known(&a).is_some()
        })
}

/// Whether the folded typed word `word` is a word of jieba's dictionary or a person's name
/// its tagger reads ([`typed_word`]).
fn is_meant(word: &str, segmenter: &Segmenter) -> bool {
    word.chars().count() >= 2 && (crate::text::segment::known(word).is_some() || segmenter.is_unknown_person(word))
}

/// The frequency of the most frequent word of jieba's dictionary, of two to four characters,
/// that takes in `chars[at]`: 0 where none does.
fn word_made(chars: &[char], at: usize) -> u64 {
    let mut most = 0;
    for start in at.saturating_sub(3)..=at {
        for end in (at + 1).max(start + 2)..=chars.len().min(start + 4) {
            let word: String = chars[start..end].iter().collect();
            if let Some(known) = crate::text::segment::known(&word) {
                most = most.max(known.freq);
            }
        }
    }
    most
}

/// The shortest and longest run of Han characters respelled ([`respellings`]): two
/// characters with one replaced are too often some other word of the articles.
const RESPELLED_CHARS: std::ops::RangeInclusive<usize> = 3..=6;
/// The most respellings of a query counted.
const MOST_RESPELLINGS: usize = 48;
/// A respelling is searched (or offered beside another) only when its words as written are in
/// at least this many articles: on a county's few hundred, a query that finds nothing is
/// usually a true zero, and a respelling in fewer is at most offered beside it.
pub(crate) const RESPELLED_FEWEST: usize = FEW;

/// What `parsed`, a query that finds nothing and that the vocabulary corrects to nothing that
/// finds anything, may have been typed for: one character of a bare word of three to six Han
/// characters replaced by a common character that sounds like it ([`pinyin::common_alike`]),
/// the other words as typed. A typo of a string the articles write that no title has as a
/// word (区块链, which jieba cuts 区块 and 链) has no term to be corrected to; its respelling is
/// counted as an exact string. No word that is a name is respelled, and no character inside
/// a common word of the query ([`sounds_alike`]). The commonest replacements first, at most
/// [`MOST_RESPELLINGS`] counted.
pub(crate) fn respellings(parsed: &ParsedQuery, segmenter: &Segmenter) -> Vec<Proposal> {
    if parsed.has_exact() {
        return Vec::new();
    }
    let mut words: Vec<(String, bool)> = Vec::new();
    for clause in &parsed.clauses {
        let Clause::Words { typed, negated, .. } = clause else {
            return Vec::new();
        };
        words.push((typed.clone(), *negated));
    }
    let query = |replaced: usize, word: &str| -> String {
        let mut out: Vec<String> = Vec::new();
        for (i, (typed, negated)) in words.iter().enumerate() {
            let text = if i == replaced { word } else { typed.as_str() };
            out.push(if *negated { format!("-{text}") } else { text.to_string() });
        }
        out.join(" ")
    };
    let typed = query(usize::MAX, "");
    // Each respelling, by what it makes and how common its replacement is, with whether the
    // word it respells is one someone means as typed.
    let mut found: Vec<(std::cmp::Reverse<u64>, usize, bool, String)> = Vec::new();
    for (i, (word, negated)) in words.iter().enumerate() {
        let folded = fold(word);
        let chars: Vec<char> = folded.chars().collect();
        if *negated || !RESPELLED_CHARS.contains(&chars.len()) || !chars.iter().all(|&c| is_han(c)) {
            continue;
        }
        if segmenter.is_name(&folded) {
            continue;
        }
        let meant = is_meant(&folded, segmenter);
        for (at, &c) in chars.iter().enumerate() {
            for (rank, other) in pinyin::common_alike(c).into_iter().enumerate() {
                let mut respelled = chars.clone();
                respelled[at] = other;
                let made = word_made(&respelled, at);
                let respelled: String = respelled.into_iter().collect();
                found.push((std::cmp::Reverse(made), rank, meant, query(i, &respelled)));
            }
        }
    }
    // The slip a pinyin input method makes is a wrong pick for a word's syllables: the
    // respellings that make a word of the dictionary where the typed character was (计化 →
    // 计划) first, the most frequent word first, then the commonest replacements.
    found.sort_by_key(|(made, rank, ..)| (*made, *rank));
    let typed_text = Typed::new(&fold(&typed), segmenter);
    found
        .into_iter()
        // A respelling is a string of the articles, not a term: one inside a common word of
        // the query (天地会 as 天的会) is not even offered.
        .filter(|(.., rewritten)| typed_text.sounds_like(&fold(rewritten)))
        .take(MOST_RESPELLINGS)
        .map(|(_, _, meant, rewritten)| Proposal {
            common_slips: common_slips(&typed, &rewritten),
            typed_word: meant,
            query: rewritten,
            reason: RewriteReason::Typo,
            may_search: true,
            maybe_english: false,
            homophones: Vec::new(),
        })
        .collect()
}

/// The most homophones of a pinyin reading the engine counts.
const MAX_HOMOPHONES: usize = 4;

/// How sure the parts of a proposal are, gathered as they are read.
#[derive(Default)]
struct Sureness {
    /// Some part is a guess (no [`Proposal::may_search`]).
    guess: bool,
    /// Some letters are as likely English ([`Proposal::maybe_english`]).
    maybe_english: bool,
}

impl Sureness {
    /// Takes in a part read from pinyin.
    fn read(&mut self, reading: Reading) {
        match reading {
            Reading::Sure => {}
            Reading::MaybeEnglish => self.maybe_english = true,
            Reading::Rare => self.guess = true,
        }
    }
}

/// Whether Latin letters may be read as pinyin: not a pasted paragraph.
fn convertible(letters: &str) -> bool {
    !letters.is_empty() && letters.len() <= 60
}

/// One word of mixed text (`乡村zhenxing`, `疫请防控`): its Latin runs read as pinyin and its
/// Han runs corrected.
fn rewrite_word(
    word: &str,
    vocabulary: &Vocabulary,
    segmenter: &Segmenter,
    reason: &mut Option<RewriteReason>,
    sure: &mut Sureness,
) -> String {
    let is_name = |word: &str| segmenter.is_name(word);
    let mut out = String::new();
    let mut run = String::new();
    let mut run_is_han = false;
    // Latin letters beside Han characters are pinyin (`乡村zhenxing`); alone in a word with
    // other signs they are a code (`gb/t`).
    let mixed = word.chars().any(is_han);
    let finish =
        |run: &mut String, han: bool, out: &mut String, reason: &mut Option<RewriteReason>, sure: &mut Sureness| {
            if run.is_empty() {
                return;
            }
            if han {
                match vocabulary.correct(run, &is_name) {
                    Some(corrected) => {
                        sure.guess |= !sounds_alike(run, &corrected, segmenter);
                        out.push_str(&corrected);
                        reason.get_or_insert(RewriteReason::Typo);
                    }
                    None => out.push_str(run),
                }
            } else {
                match pinyin::letters(run).and_then(|letters| vocabulary.read_pinyin_as(&letters)) {
                    Some((chinese, reading))
                        if mixed && run.len() >= 2 && run.chars().all(|c| c.is_ascii_alphabetic()) =>
                    {
                        out.push_str(&chinese);
                        *reason = Some(RewriteReason::Pinyin);
                        sure.read(reading);
                    }
                    _ => out.push_str(run),
                }
            }
            run.clear();
        };
    for ch in word.chars() {
        let han = is_han(ch);
        if !run.is_empty() && han != run_is_han {
            finish(&mut run, run_is_han, &mut out, reason, sure);
        }
        run_is_han = han;
        run.push(ch);
    }
    finish(&mut run, run_is_han, &mut out, reason, sure);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        Vocabulary::of(
            &[
                ("乡村", 300),
                ("振兴", 200),
                ("乡村振兴", 150),
                ("疫情", 500),
                ("防控", 450),
                ("疫情防控", 300),
                ("标准", 50),
            ],
            10_000,
        )
    }

    #[test]
    fn queries_are_rewritten_word_by_word() {
        let v = vocabulary();
        let segmenter = Segmenter::default();
        let rewritten =
            |q: &str| propose(&ParsedQuery::parse(q, &segmenter).unwrap(), &v, &segmenter).map(|p| (p.query, p.reason));
        assert_eq!(
            rewritten("xiangcunzhenxing"),
            Some(("乡村振兴".to_string(), RewriteReason::Pinyin))
        );
        assert_eq!(
            rewritten("xiang cun zhen xing"),
            Some(("乡村振兴".to_string(), RewriteReason::Pinyin))
        );
        assert_eq!(
            rewritten("乡村zhenxing"),
            Some(("乡村振兴".to_string(), RewriteReason::Pinyin))
        );
        assert_eq!(
            rewritten("疫请防控 -乡村"),
            Some(("疫情防控 -乡村".to_string(), RewriteReason::Typo))
        );
        assert_eq!(rewritten("\"疫请防控\""), None, "a quoted query is as typed");
        assert_eq!(rewritten("疫情防控"), None);
        assert_eq!(rewritten("GB/T 20984"), None);
        assert_eq!(rewritten("GDP"), None);
    }

    /// Pinyin read through a character's rarer reading is at most offered when typed as
    /// initials, and searched when spelled out in full.
    #[test]
    fn initials_through_a_rare_reading_are_only_offered() {
        let v = Vocabulary::of(&[("灌区", 100), ("重庆", 80)], 10_000);
        let segmenter = Segmenter::default();
        let may_search = |q: &str| {
            propose(&ParsedQuery::parse(q, &segmenter).unwrap(), &v, &segmenter).map(|p| (p.query, p.may_search))
        };
        assert_eq!(may_search("go"), Some(("灌区".to_string(), false)), "区 read ōu");
        assert_eq!(may_search("gq"), Some(("灌区".to_string(), true)));
        assert_eq!(may_search("chongqing"), Some(("重庆".to_string(), true)));
        assert_eq!(may_search("cq"), Some(("重庆".to_string(), false)), "重 read chóng");
    }

    /// A typo replaced by a character that sounds alike may be searched; one by another
    /// character, or inside a common word, is at most offered; a name is never corrected.
    #[test]
    fn only_sound_alike_corrections_may_be_searched_and_names_are_kept() {
        let v = Vocabulary::of(
            &[
                ("老城区", 40),
                ("营商环境", 60),
                ("公示", 300),
                ("疫情防控", 300),
                ("台岛", 30),
                ("搜寻", 150),
                ("小型", 180),
            ],
            10_000,
        );
        let segmenter = Segmenter::default();
        let proposal = |q: &str| propose(&ParsedQuery::parse(q, &segmenter).unwrap(), &v, &segmenter);
        let may_search = |q: &str| proposal(q).map(|p| (p.query, p.may_search));
        assert_eq!(may_search("营商环竟"), Some(("营商环境".to_string(), true)));
        assert_eq!(may_search("疫请防控"), Some(("疫情防控".to_string(), true)));
        assert_eq!(may_search("公式"), Some(("公示".to_string(), false)), "公式 is a word");
        assert_eq!(
            may_search("岚岛"),
            Some(("台岛".to_string(), false)),
            "岚 and 台 do not sound alike"
        );
        assert_eq!(
            may_search("搜胜"),
            Some(("搜寻".to_string(), false)),
            "胜 and 寻 meet only by a rare reading of each"
        );
        let rare = proposal("小胜").unwrap();
        assert_eq!((rare.query.as_str(), rare.may_search), ("小型", true));
        assert_eq!(
            decide(&rare, 2, 2, 180),
            None,
            "typed as written in some articles, and no slip by 胜's common reading"
        );
        assert_eq!(decide(&rare, 0, 0, 180), Some(true), "in no article: any reading");
        assert_eq!(proposal("薛城区"), None, "a place jieba knows");
        let local = Segmenter::with_user_dictionary(crate::text::segment::parse_user_dictionary("岚岛\n").unwrap());
        assert_eq!(
            propose(&ParsedQuery::parse("岚岛", &local).unwrap(), &v, &local),
            None,
            "a site's own term"
        );
        let sound = proposal("营商环竟").unwrap();
        let other = proposal("岚岛").unwrap();
        assert_eq!(decide(&sound, 0, 0, 1), Some(true));
        assert_eq!(decide(&sound, 3, 0, 100), Some(true), "sure: in no article as written");
        assert_eq!(
            decide(&sound, 30, 10, 100),
            Some(false),
            "offered: typed as written in some"
        );
        assert_eq!(
            decide(&other, 0, 0, 5),
            None,
            "too little evidence for another character"
        );
        assert_eq!(decide(&other, 0, 0, 25), Some(false));
    }

    /// A common word counts against a slip only where the typed text, cut by the dictionary,
    /// has it: 国政 spans the cut 建国/政/线 of 建国政线 and is no word typed, so 政 is a slip
    /// for 阵; 公私 inside 公私不分 is one, so 私 stays a guess.
    /// A respelling makes a word where it replaces a character (年底 of 今年底, 重大 of
    /// 重大成就), or it is a piece of a longer phrase (今年第 of 今年第一季度).
    #[test]
    fn a_respelling_into_a_word_is_told_from_a_piece_of_a_phrase() {
        assert!(respelled_into_words("今年低", "今年底"));
        assert!(respelled_into_words("中大成就", "重大成就"));
        assert!(!respelled_into_words("今年低", "今年第"));
        assert!(!respelled_into_words("事通车", "式通车"));
        assert!(
            !respelled_into_words("今年低", "今年底部"),
            "not one character replaced"
        );
    }

    #[test]
    fn a_common_word_across_the_cut_is_no_word_typed() {
        let segmenter = Segmenter::default();
        assert!(sounds_alike("建国政线", "建国阵线", &segmenter));
        assert!(!sounds_alike("公私不分", "公司部分", &segmenter));
        assert!(!sounds_alike("公式", "公示", &segmenter));
        assert!(!sounds_alike("岚岛", "台岛", &segmenter));
        let v = Vocabulary::of(&[("建国阵线", 40), ("公司部分", 40)], 10_000);
        let proposal = |q: &str| propose(&ParsedQuery::parse(q, &segmenter).unwrap(), &v, &segmenter);
        let found = proposal("建国政线").unwrap();
        assert_eq!((found.query.as_str(), found.may_search), ("建国阵线", true));
        assert_eq!(decide(&found, 0, 0, 5), Some(true));
    }

    /// A word of jieba's dictionary typed is a word someone means, though the articles lack
    /// it: a sound-alike slip away from a term they have is offered, never searched in its
    /// place; a guess by a character that does not sound alike, or another word that sounds
    /// alike with every character replaced, is not even offered.
    #[test]
    fn a_typed_word_of_the_dictionary_is_offered_at_most() {
        let v = Vocabulary::of(
            &[
                ("协和", 200),
                ("贯彻", 900),
                ("营商环境", 60),
                ("遏制", 700),
                ("书记", 800),
            ],
            10_000,
        );
        let segmenter = Segmenter::default();
        let proposed = |q: &str| propose(&ParsedQuery::parse(q, &segmenter).unwrap(), &v, &segmenter);
        let proposal = |q: &str| proposed(q).unwrap();
        let slip = proposal("扼制");
        assert_eq!(slip.query, "遏制");
        assert!(slip.typed_word && slip.may_search && slip.common_slips);
        assert_eq!(decide(&slip, 0, 0, 700), Some(false), "扼制 is a word");
        assert_eq!(proposed("鞋盒"), None, "another word, though it sounds like 协和");
        assert_eq!(proposed("塑机"), None, "another word, though it sounds like 书记");
        assert_eq!(proposed("鞋和").map(|p| p.query).as_deref(), Some("协和"), "no word");
        let guess = proposal("洞彻");
        assert_eq!((guess.query.as_str(), guess.may_search), ("贯彻", false));
        assert_eq!(decide(&guess, 0, 0, 900), None, "洞彻 is a word, 洞 no slip for 贯");
        let typo = proposal("营商环竟");
        assert!(!typo.typed_word);
        assert_eq!(decide(&typo, 0, 0, 60), Some(true), "营商环竟 is no word");
        let v = Vocabulary::of(&[("李小鹏", 15)], 10_000);
        let person = propose(&ParsedQuery::parse("李晓鹏", &segmenter).unwrap(), &v, &segmenter).unwrap();
        assert_eq!(person.query, "李小鹏");
        assert!(person.typed_word, "jieba's tagger reads 李晓鹏 as a person's name");
        assert_eq!(decide(&person, 0, 0, 15), Some(false), "someone else, maybe");
    }

    /// A respelling that makes a word of the dictionary where the typed character was comes
    /// first: 计化单列市's 计划 is counted, among the many characters that sound like 化.
    #[test]
    fn respellings_that_make_a_word_come_first() {
        let segmenter = Segmenter::default();
        let parsed = ParsedQuery::parse("计化单列市", &segmenter).unwrap();
        let found: Vec<String> = respellings(&parsed, &segmenter).into_iter().map(|p| p.query).collect();
        assert!(found.len() <= MOST_RESPELLINGS);
        let place = found.iter().position(|q| q == "计划单列市");
        assert!(place.is_some_and(|p| p < 8), "{found:?}");
    }
}
