//! Query assistance: finding what people meant when they did not type the official term.
//!
//! - [`vocabulary`]: the index's own terms (title words, keyword, source and column values)
//!   with their article counts, read once per set of segments; looked up by pinyin, by
//!   initials, by a replaced character and by sound. It reads queries typed in 拼音, corrects
//!   错别字 and completes prefixes ([`Index::suggest`]).
//! - [`synonyms`]: everyday words and the official terms releases use (社保 → 社会保险).
//! - [`pinyin`]: readings of Han text and Latin text read as pinyin.
//!
//! A search ([`Index::search`]) asks for a rewrite only when the query as typed finds nothing,
//! is Latin letters that find little, or has a run jieba cuts the way a typo leaves a word;
//! any other query pays nothing for it.

pub(crate) mod pinyin;

pub(crate) mod vocabulary;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::Searcher;

use crate::error::Result;
use crate::search::{Rewrite, RewriteReason, SearchRequest};
use crate::store::Index;
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

/// The vocabulary of an index, read again only when its segments change, and kept in the
/// index folder by each indexing run.
pub(crate) type VocabularyCache = crate::store::kept::KeptCache<Vocabulary>;

/// Reads the vocabulary and the releases of each new searcher before searches see it, so
/// that the first search after a commit does not wait for them: for an index that follows
/// commits ([`Index::set_auto_reload`]), such as the server's.
pub(crate) struct Warm {
    pub(crate) vocabulary: std::sync::Weak<VocabularyCache>,
    pub(crate) releases: std::sync::Weak<crate::search::releases::ReleasesCache>,
    pub(crate) fields: crate::store::schema::Fields,
}

impl tantivy::Warmer for Warm {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        let f = &self.fields;
        if let Some(vocabulary) = self.vocabulary.upgrade() {
            vocabulary.get(searcher)?;
        }
        if let (Some(releases), Some(_)) = (self.releases.upgrade(), f.fingerprint) {
            releases.get(searcher)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, _live_generations: &[&tantivy::SearcherGeneration]) {}
}

/// A completion of a prefix: a term of the index and how many articles have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The term.
    pub text: String,
    /// How many articles have it (in a title word, a keyword, a source or a column).
    pub articles: u64,
}

impl Index {
    /// Up to `limit` completions of `prefix` from the index's own vocabulary (its titles'
    /// words, keywords, sources and columns), most articles first. A prefix in Latin letters
    /// is read as pinyin or initials: `xiangc` and `xc` both complete to 乡村振兴.
    ///
    /// ```
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let index = govsearch::Index::create_in_ram();
    /// let article = |text: &str| govsearch::parse_article(text).expect("a release");
    /// index.add_articles([
    ///     ("a".to_string(), article("推进乡村振兴\n2022-05-10 来源:鲁网\n正文。\n")),
    ///     ("b".to_string(), article("乡村振兴见成效\n2022-05-11 来源:鲁网\n正文。\n")),
    /// ])?;
    /// let texts: Vec<String> = index.suggest("xiangc", 5)?.into_iter().map(|s| s.text).collect();
    /// assert!(texts.contains(&"乡村".to_string()), "{texts:?}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
        self.guarded(|| {
            let prefix = fold(prefix.trim());
            if prefix.is_empty() || limit == 0 {
                return Ok(Vec::new());
            }
            let searcher = self.searcher();
            let vocabulary = self.vocabulary(&searcher)?;
            Ok(vocabulary
                .complete(&prefix, limit)
                .into_iter()
                .map(|(text, articles)| Suggestion { text, articles })
                .collect())
        })
    }

    /// The rewrite to offer for `request`, whose query as typed found `typed` articles:
    /// pinyin read as Chinese or typos corrected, when that finds many times more.
    ///
    /// Whether a query was typed right is judged by its words as typed, each an exact string
    /// (a typo such as 政面临 finds many articles with 政 and 面临 apart, and none with it):
    /// the rewrite is offered when its words as written are in many times more articles.
    /// Only a query that finds nothing, one with Latin letters that finds little, or one that
    /// jieba cuts into a character that seldom stands alone (what a typo leaves of a word) is
    /// looked at: other queries pay nothing for it.
    pub(crate) fn rewrite_for(&self, request: &SearchRequest, typed: usize) -> Result<Option<Rewrite>> {
        if request.as_typed || request.query.contains(['"', '“', '”']) {
            return Ok(None);
        }
        let latin = request
            .query
            .split_whitespace()
            .any(|w| w.chars().any(|c| c.is_ascii_alphabetic()));
        if !(typed == 0 || (latin && typed < FEW) || self.looks_mistyped(&request.query, typed < FEW)) {
            return Ok(None);
        }
        let searcher = self.searcher();
        let vocabulary = self.vocabulary(&searcher)?;
        let Some((query, reason)) = rewrite(&request.query, &vocabulary) else {
            return Ok(None);
        };
        // Pinyin is read as Chinese only when what it finds as typed is little.
        if reason == RewriteReason::Pinyin && typed >= FEW {
            return Ok(None);
        }
        // The rewrite's words as written first: most rewrites of a query typed right are in
        // no article, and then the query as typed need not be counted.
        let exact = self.count_exact(request, &query)?;
        if exact == 0 {
            return Ok(None);
        }
        // Words as typed are in no more articles than the query finds.
        let strict_typed = if typed == 0 {
            0
        } else {
            self.count_exact(request, &request.query)?
        };
        // Words as typed in no article take any rewrite whose words are in some; words in a
        // few, only one whose words are in many times more.
        if strict_typed > 0 && exact < MANY_TIMES * (strict_typed + 1) {
            return Ok(None);
        }
        let total = self.count(request, &query)?;
        Ok((total > 0).then_some(Rewrite { query, reason, total }))
    }

    /// Whether a run of Han characters of `query` looks mistyped: jieba cuts it into a
    /// character that seldom stands alone (政面临 is 政 and 面临: what a typo leaves of a word),
    /// or (`unknown_words`) into a word no title has. Characters that are words in many
    /// titles (的, 在, 与) are no sign of one.
    fn looks_mistyped(&self, query: &str, unknown_words: bool) -> bool {
        let searcher = self.searcher();
        let title = self.fields().title;
        let articles = searcher.num_docs().max(1);
        // The vocabulary answers from memory when it is read already; the term dictionaries
        // otherwise, without reading it for a query that may need nothing.
        let vocabulary = self.vocabulary_cache().in_memory(&searcher);
        let in_titles = |word: &str| -> u64 {
            match &vocabulary {
                Some(vocabulary) => vocabulary.articles_with(word).map_or(0, u64::from),
                None => searcher
                    .doc_freq(&tantivy::Term::from_field_text(title, word))
                    .unwrap_or(0),
            }
        };
        query.split_whitespace().filter(|w| !w.starts_with('-')).any(|word| {
            let folded = fold(word);
            let runs: Vec<&str> = folded
                .split(|c: char| !is_han(c))
                .filter(|r| (2..=vocabulary::LONGEST_RUN).contains(&r.chars().count()))
                .collect();
            runs.into_iter().any(|run| {
                self.segmenter().words(run).iter().any(|range| {
                    if range.len() > 1 && !unknown_words {
                        return false;
                    }
                    let word: String = run.chars().skip(range.start).take(range.len()).collect();
                    let titles = in_titles(&word);
                    if range.len() == 1 {
                        titles * ALONE_SHARE < articles
                    } else {
                        titles == 0
                    }
                })
            })
        })
    }

    /// How many articles `query` finds with `request`'s filters.
    fn count(&self, request: &SearchRequest, query: &str) -> Result<usize> {
        let mut count = request.clone();
        count.query = query.to_string();
        count.limit = 0;
        count.facets = false;
        count.as_typed = true;
        // Articles, not releases: no grouping to pay for.
        count.all_copies = true;
        match self.search(&count) {
            Ok(results) => Ok(results.total),
            // A rewrite the query syntax refuses is no rewrite.
            Err(crate::Error::BadQuery { .. }) => Ok(0),
            Err(other) => Err(other),
        }
    }

    /// How many articles have every word of `query` as written (each an exact string).
    fn count_exact(&self, request: &SearchRequest, query: &str) -> Result<usize> {
        let exact: Vec<String> = query
            .split_whitespace()
            .map(|word| {
                if word.starts_with('-') {
                    word.to_string()
                } else {
                    format!("\"{word}\"")
                }
            })
            .collect();
        self.count(request, &exact.join(" "))
    }

    pub(crate) fn vocabulary(&self, searcher: &Searcher) -> Result<Arc<Vocabulary>> {
        Ok(self.vocabulary_cache().get(searcher)?)
    }
}

/// `query` with its pinyin read as Chinese and its typos corrected, and why; `None` when it
/// stays as typed. A query with a quoted string is as typed; so are exclusions, and words with
/// digits or in capitals (`GB/T 20984`, `GDP`).
pub(crate) fn rewrite(query: &str, vocabulary: &Vocabulary) -> Option<(String, RewriteReason)> {
    if query.contains(['"', '“', '”']) {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
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
    for word in query.split_whitespace() {
        if word.starts_with('-') {
            flush(&mut pinyin_run, &mut out, &mut reason);
            out.push(word.to_string());
            continue;
        }
        if pinyin::letters(word).is_some() {
            pinyin_run.push(word.to_string());
            continue;
        }
        flush(&mut pinyin_run, &mut out, &mut reason);
        out.push(rewrite_word(&fold(word), vocabulary, &mut reason));
    }
    flush(&mut pinyin_run, &mut out, &mut reason);
    let rewritten = out.join(" ");
    let reason = reason?;
    (rewritten != query.split_whitespace().collect::<Vec<_>>().join(" ")).then_some((rewritten, reason))
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
        let rewritten = |q: &str| rewrite(q, &v);
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
