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
//! - [`pinyin`]: readings of Han text and Latin text read as pinyin.
//!
//! A rewrite is looked for only when the query as typed finds nothing, is Latin letters that
//! find little, or has a run jieba cuts the way a typo leaves a word ([`worth_a_look`]); any
//! other query pays nothing for it. It is offered only when its words as written are in many
//! times more articles than the words as typed ([`convincing`]).

pub(crate) mod pinyin;
pub(crate) mod vocabulary;

use serde::{Deserialize, Serialize};

use crate::query::{Clause, ParsedQuery};
use crate::search::RewriteReason;
use crate::text::segment::Segmenter;
use crate::text::{fold, is_han};
use vocabulary::Vocabulary;

/// Fewer articles than this are "little": pinyin that finds so few as typed is read as
/// Chinese, and words as written in so few articles may be a typo.
const FEW: usize = 10;
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
    /// How many articles have it (in a title word, a keyword, a source or a column).
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

/// `parsed` with its pinyin read as Chinese and its typos corrected, as query text, and why;
/// `None` when it stays as typed. A query with a quoted string is as typed; so are
/// exclusions, and words with digits or in capitals (`GB/T 20984`, `GDP`).
pub(crate) fn propose(parsed: &ParsedQuery, vocabulary: &Vocabulary) -> Option<(String, RewriteReason)> {
    if parsed.has_exact() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut as_typed: Vec<String> = Vec::new();
    let mut pinyin_run: Vec<String> = Vec::new();
    let mut reason = None;
    let flush = |run: &mut Vec<String>, out: &mut Vec<String>, reason: &mut Option<RewriteReason>| {
        if run.is_empty() {
            return;
        }
        let letters: String = run.iter().filter_map(|w| pinyin::letters(w)).collect();
        match convertible(&letters)
            .then(|| vocabulary.read_pinyin(&letters))
            .flatten()
        {
            Some(chinese) => {
                out.push(chinese);
                *reason = Some(RewriteReason::Pinyin);
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
            flush(&mut pinyin_run, &mut out, &mut reason);
            out.push(word);
            continue;
        }
        if pinyin::letters(typed).is_some() {
            pinyin_run.push(word);
            continue;
        }
        flush(&mut pinyin_run, &mut out, &mut reason);
        out.push(rewrite_word(&fold(typed), vocabulary, &mut reason));
    }
    flush(&mut pinyin_run, &mut out, &mut reason);
    let rewritten = out.join(" ");
    let reason = reason?;
    (rewritten != as_typed.join(" ")).then_some((rewritten, reason))
}

/// Whether Latin letters may be read as pinyin: not a pasted paragraph.
fn convertible(letters: &str) -> bool {
    !letters.is_empty() && letters.len() <= 60
}

/// One word of mixed text (`乡村zhenxing`, `疫请防控`): its Latin runs read as pinyin and its
/// Han runs corrected.
fn rewrite_word(word: &str, vocabulary: &Vocabulary, reason: &mut Option<RewriteReason>) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let mut run_is_han = false;
    // Latin letters beside Han characters are pinyin (`乡村zhenxing`); alone in a word with
    // other signs they are a code (`gb/t`).
    let mixed = word.chars().any(is_han);
    let finish = |run: &mut String, han: bool, out: &mut String, reason: &mut Option<RewriteReason>| {
        if run.is_empty() {
            return;
        }
        if han {
            match vocabulary.correct(run) {
                Some(corrected) => {
                    out.push_str(&corrected);
                    reason.get_or_insert(RewriteReason::Typo);
                }
                None => out.push_str(run),
            }
        } else {
            match pinyin::letters(run).and_then(|letters| vocabulary.read_pinyin(&letters)) {
                Some(chinese) if mixed && run.len() >= 2 && run.chars().all(|c| c.is_ascii_alphabetic()) => {
                    out.push_str(&chinese);
                    *reason = Some(RewriteReason::Pinyin);
                }
                _ => out.push_str(run),
            }
        }
        run.clear();
    };
    for ch in word.chars() {
        let han = is_han(ch);
        if !run.is_empty() && han != run_is_han {
            finish(&mut run, run_is_han, &mut out, reason);
        }
        run_is_han = han;
        run.push(ch);
    }
    finish(&mut run, run_is_han, &mut out, reason);
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
        let rewritten = |q: &str| propose(&ParsedQuery::parse(q, &Segmenter::default()).unwrap(), &v);
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
}
