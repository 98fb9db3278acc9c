//! The full forms of a query's abbreviations ([`crate::assist::abbreviations`]): a bare word
//! that the index's articles show to stand for a longer term also finds that term, as an
//! everyday word finds its official terms. The engine counts the evidence over the backend,
//! reads the places of a word the counts convince, and keeps each word's answer for the
//! vocabulary (one set of segments) it was found with.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use super::backend::Backend;
use super::parse;
use super::places::is_fragment;
use crate::assist::abbreviations::{self, Counts};
use crate::assist::vocabulary::Vocabulary;
use crate::error::Result;
use crate::query::{Clause, ParsedQuery};
use crate::search::SearchRequest;

/// The most words whose answers are kept: a server sees the same words again, and a flood of
/// new ones starts the list over rather than grow it.
const MOST_WORDS: usize = 20_000;

/// Each word's full forms, for one vocabulary.
#[derive(Default)]
pub(crate) struct FullForms {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// The vocabulary the answers were found with.
    vocabulary: Weak<Vocabulary>,
    words: HashMap<String, Arc<[String]>>,
}

impl FullForms {
    /// `parsed` with each bare word that abbreviates a longer term also finding that term. A
    /// word an everyday-word table entry covers keeps the table's terms.
    pub(crate) fn expand(&self, backend: &dyn Backend, mut parsed: ParsedQuery) -> Result<ParsedQuery> {
        // Built only for a query with a word that may be short for something.
        let mut in_titles = None;
        for clause in &mut parsed.clauses {
            let Clause::Words {
                words,
                synonyms,
                negated: false,
                ..
            } = clause
            else {
                continue;
            };
            for word in words.iter() {
                if !abbreviations::may_be_short(word) || synonyms.iter().any(|(w, _)| w == word) {
                    continue;
                }
                if in_titles.get_or_insert_with(|| backend.titles_with())(word) == 0 {
                    continue;
                }
                let fulls = self.of(backend, word)?;
                if !fulls.is_empty() {
                    synonyms.push((word.clone(), fulls.to_vec()));
                }
            }
        }
        Ok(parsed)
    }

    /// The full forms `word` stands for in the backend's articles, counted once per
    /// vocabulary.
    fn of(&self, backend: &dyn Backend, word: &str) -> Result<Arc<[String]>> {
        let vocabulary = backend.vocabulary()?;
        {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if !std::ptr::eq(kept.vocabulary.as_ptr(), Arc::as_ptr(&vocabulary)) {
                *kept = Kept {
                    vocabulary: Arc::downgrade(&vocabulary),
                    words: HashMap::new(),
                };
            }
            if let Some(found) = kept.words.get(word) {
                return Ok(found.clone());
            }
        }
        let found: Arc<[String]> = find(backend, &vocabulary, word)?
            .into_iter()
            .map(|(full, _)| full)
            .collect();
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if std::ptr::eq(kept.vocabulary.as_ptr(), Arc::as_ptr(&vocabulary)) {
            if kept.words.len() >= MOST_WORDS {
                kept.words.clear();
            }
            kept.words.insert(word.to_string(), found.clone());
        }
        Ok(found)
    }
}

/// Counts the articles of each candidate full form of `word` and chooses.
pub(crate) fn find(backend: &dyn Backend, vocabulary: &Vocabulary, word: &str) -> Result<Vec<(String, Counts)>> {
    let candidates = abbreviations::candidates(word, vocabulary, backend.segmenter());
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let count = |query: String| -> Result<u64> {
        let request = SearchRequest::new(query.as_str()).limit(0).facets(false);
        Ok(backend.count(&request, parse(backend, &query)?)? as u64)
    };
    let short = count(format!("\"{word}\""))?;
    let articles = backend.num_articles();
    let bound = |full: u64| Counts {
        articles,
        short,
        full,
        both: 0,
    };
    // A word in too many articles is above chance with nothing: neither its pieces nor its
    // candidates are worth counting.
    if !bound(short).could_convince() {
        return Ok(Vec::new());
    }
    for longer in abbreviations::longer_terms(word, vocabulary) {
        if abbreviations::is_piece(short, count(format!("\"{longer}\""))?) {
            return Ok(Vec::new());
        }
    }
    let mut counted = Vec::new();
    for full in candidates {
        let full_articles = count(format!("\"{full}\""))?;
        if !bound(full_articles).could_convince() {
            continue;
        }
        let both = count(format!("\"{word}\" \"{full}\""))?;
        counted.push((
            full,
            Counts {
                both,
                ..bound(full_articles)
            },
        ));
    }
    let chosen = abbreviations::choose(counted);
    if chosen.is_empty() || is_fragment(backend, word)? {
        return Ok(Vec::new());
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use crate::{Index, SearchRequest};

    /// Six releases that write 计划生育 and `short` (计生, or a text with 计生 in it; the first
    /// title 计生 itself), one that writes it out only, and many others.
    fn county(short: &str) -> Index {
        let mut texts = Vec::new();
        for i in 0..6 {
            let title = if i == 0 { "计生" } else { short };
            texts.push((
                format!("both{i}.txt"),
                format!("{title}工作第{i}次会议\n2022-05-1{i} 来源:鲁网\n全县计划生育工作会议第{i}次召开，{short}干部{i}人参加。\n"),
            ));
        }
        texts.push((
            "full.txt".to_string(),
            "人口服务\n2022-06-01 来源:鲁网\n做好计划生育服务保障。\n".to_string(),
        ));
        for i in 0..113 {
            texts.push((
                format!("other{i}.txt"),
                format!("峄城区第{i}次常务会议\n2022-07-01 来源:鲁网\n会议研究部署防汛工作，第{i}项议题。\n"),
            ));
        }
        Index::of_texts(&texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>())
    }

    fn paths(index: &Index, request: SearchRequest) -> Vec<String> {
        let results = index.search(&request.all_copies(true).limit(50)).expect("a search");
        results.hits.into_iter().map(|hit| hit.path).collect()
    }

    #[test]
    fn a_word_the_articles_abbreviate_a_term_with_also_finds_the_term() {
        let index = county("计生");
        let found = paths(&index, SearchRequest::new("计生"));
        assert_eq!(found.len(), 7, "{found:?}");
        assert_eq!(
            found.last().map(String::as_str),
            Some("full.txt"),
            "the word as typed ranks first"
        );
        let typed = paths(&index, SearchRequest::new("计生").as_typed(true));
        assert_eq!(typed.len(), 6, "as typed: no full form");
        let quoted = paths(&index, SearchRequest::new("\"计生\""));
        assert_eq!(quoted.len(), 6, "a quoted string is as typed");
        let other = index
            .search(&SearchRequest::new("常务会议").limit(0))
            .expect("a search");
        assert_eq!(other.total, 113, "a word with no full form finds what it finds");
    }

    #[test]
    fn a_string_written_only_across_words_stands_for_nothing() {
        // The same counts, but 计生 is nearly always 统计 and 生产 side by side.
        let index = county("统计生产");
        let found = paths(&index, SearchRequest::new("计生"));
        assert_eq!(found.len(), 6, "no full form: {found:?}");
        assert!(!found.iter().any(|path| path == "full.txt"));
    }
}
