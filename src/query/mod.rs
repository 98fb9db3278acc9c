//! Query text as people type it, and the index query built from it.
//!
//! The syntax is small on purpose:
//! - bare text (`峄城区疫情防控`, `会见 蒙古国`): segmented into words; an article must contain
//!   every word (as a string, in title or body). Articles with the text as typed in the title
//!   rank first, then those with it as typed in the body, then those with the words apart;
//!   within each tier, BM25 over the words (title weighted up) orders them;
//! - `"…"` (or `“…”`): an exact string, matched like Ctrl+F in title or body;
//! - a leading `-` on a word or a quoted string excludes articles that contain it;
//! - `*` alone matches every article, newest first: for browsing with filters.
//!
//! Nothing else is syntax: `:` and other punctuation in pasted text are just text (tantivy's
//! `QueryParser` would read `来源:鲁网` as a field and an unspaced run as one strict phrase).
//!
//! This module reads the syntax ([`ParsedQuery`]); [`build`] makes the tantivy query of it,
//! from [`title_char`] (one character in the title's grams) and [`body`] (a string in the
//! body's grams) beside tantivy's own term and phrase queries; [`score`] holds every weight of
//! the ranking and the BM25 those two queries score with.

pub(crate) mod body;
mod build;
mod either;
pub(crate) mod ranked;
pub(crate) use build::about;
pub(crate) mod score;
pub(crate) mod synonyms;
mod title_char;

use crate::error::{Error, QueryProblem, Result};
use crate::query::synonyms::Synonyms;
use crate::text::fold;
use crate::text::segment::Segmenter;

/// One part of a query, as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Clause {
    /// Bare text between spaces: folded, and its words as jieba cuts them.
    Words {
        /// As typed, before folding: what a rewrite of the query starts from.
        typed: String,
        text: String,
        /// Required, each as a string: jieba's own cut, whatever the index's user dictionary,
        /// so that which articles match never depends on that dictionary.
        words: Vec<String>,
        /// Ranked by, in the title's word field: the cut with the index's user dictionary (the
        /// one its titles were indexed with); the same as `words` without one.
        ranking: Vec<String>,
        /// An everyday word among `words` with the official terms that stand in for it
        /// ([`ParsedQuery::with_synonyms`]): an article with either matches.
        synonyms: Vec<(String, Vec<String>)>,
        negated: bool,
    },
    /// A quoted string, folded.
    Exact { text: String, negated: bool },
    /// Any one of several chunks (`峄城 | 薛城`, `峄城|薛城` or `峄城 OR 薛城`): each a bare chunk
    /// (all of its words) or a quoted string, never an exclusion.
    Any { options: Vec<Clause> },
}

/// Where in an article a query's strings and words are looked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// In the title or the body (the title ranks higher).
    #[default]
    Anywhere,
    /// In the title only (标题).
    Title,
    /// In the body only (正文).
    Body,
}

/// A parsed query: its clauses; none for `*`, which matches every article.
#[derive(Clone, Debug)]
pub(crate) struct ParsedQuery {
    pub(crate) clauses: Vec<Clause>,
}

impl ParsedQuery {
    /// Reads query text, segmenting bare text with `segmenter`. Errors on an unclosed quote or
    /// a query with nothing to find.
    pub(crate) fn parse(query: &str, segmenter: &Segmenter) -> Result<ParsedQuery> {
        let bad = |problem| Error::BadQuery {
            query: query.to_string(),
            problem,
        };
        if query.trim() == "*" {
            return Ok(ParsedQuery { clauses: Vec::new() });
        }
        let mut clauses = Vec::new();
        // Whether the next clause is another option of the one before (after `|` or `OR`).
        let mut or_next = false;
        let mut rest = query;
        loop {
            rest = rest.trim_start();
            let Some(first) = rest.chars().next() else {
                break;
            };
            if is_or(first) {
                or_next = true;
                rest = &rest[first.len_utf8()..];
                continue;
            }
            if rest
                .strip_prefix("OR")
                .is_some_and(|after| after.is_empty() || after.starts_with(char::is_whitespace))
            {
                or_next = true;
                rest = &rest[2..];
                continue;
            }
            let before = clauses.len();
            let (negated, body) = match rest.strip_prefix('-') {
                Some(after) if after.starts_with(|c: char| !c.is_whitespace()) => (true, after),
                _ => (false, rest),
            };
            let open = body.chars().next().unwrap_or(first);
            if let Some(close) = closing_quote(open) {
                let inner = &body[open.len_utf8()..];
                let Some(end) = inner.find(close) else {
                    return Err(bad(QueryProblem::UnclosedQuote));
                };
                let text = fold(&inner[..end]);
                if !text.is_empty() {
                    clauses.push(Clause::Exact { text, negated });
                }
                rest = &inner[end + close.len_utf8()..];
                join_options(&mut clauses, before, std::mem::take(&mut or_next));
                continue;
            }
            let end = body
                .find(|c: char| c.is_whitespace() || closing_quote(c).is_some() || is_or(c))
                .unwrap_or(body.len());
            // Punctuation pasted around words (【乡村振兴】, 'GDP', +乡村振兴) is not part of them.
            let typed = body[..end].trim_matches(|c: char| !c.is_alphanumeric()).to_string();
            let text = fold(&typed);
            rest = &body[end..];
            let ranking = cut(&text, segmenter);
            let words = if segmenter.has_user_dictionary() {
                cut(&text, &Segmenter::default())
            } else {
                ranking.clone()
            };
            if !words.is_empty() {
                clauses.push(Clause::Words {
                    typed,
                    text,
                    words,
                    ranking,
                    synonyms: Vec::new(),
                    negated,
                });
            }
            join_options(&mut clauses, before, std::mem::take(&mut or_next));
        }
        if clauses.is_empty() {
            return Err(bad(QueryProblem::NothingToFind));
        }
        if clauses.iter().all(Clause::negated) {
            return Err(bad(QueryProblem::OnlyExclusions));
        }
        Ok(ParsedQuery { clauses })
    }

    /// The query with the everyday words of its bare chunks standing for official terms too
    /// (社保 also finds 社会保险): a chunk with an everyday word in it is cut around it, so the
    /// word is one of its words. Quoted strings and exclusions are as typed.
    pub(crate) fn with_synonyms(mut self, table: &Synonyms, segmenter: &Segmenter) -> ParsedQuery {
        let plain = Segmenter::default();
        let jieba = if segmenter.has_user_dictionary() {
            &plain
        } else {
            segmenter
        };
        for clause in &mut self.clauses {
            let Clause::Words {
                text,
                words,
                ranking,
                synonyms,
                negated: false,
                ..
            } = clause
            else {
                continue;
            };
            let Some((range, word)) = table.find_in(text) else {
                continue;
            };
            let chars: Vec<char> = text.chars().collect();
            let before: String = chars[..range.start].iter().collect();
            let after: String = chars[range.end..].iter().collect();
            let around = |segmenter: &Segmenter| {
                [cut(&before, segmenter), vec![word.to_string()], cut(&after, segmenter)].concat()
            };
            *words = around(jieba);
            *ranking = around(segmenter);
            *synonyms = vec![(word.to_string(), table.of(word))];
        }
        self
    }

    /// Whether a clause is a quoted string or a choice of options: the query is then as the
    /// user meant it, word for word.
    pub(crate) fn has_exact(&self) -> bool {
        self.clauses
            .iter()
            .any(|c| matches!(c, Clause::Exact { .. } | Clause::Any { .. }))
    }

    /// The query with each bare chunk that is not an exclusion required as written, as an
    /// exact string: a typo such as 政面临 finds many articles with 政 and 面临 apart, and
    /// none with it as written.
    pub(crate) fn as_written(&self) -> ParsedQuery {
        let clauses = self.clauses.iter().map(Clause::as_written).collect();
        ParsedQuery { clauses }
    }

    /// Whether this is `*`, which matches every article.
    pub(crate) fn matches_everything(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The folded strings a snippet highlights: quoted strings, bare chunks and their words.
    pub(crate) fn needles(&self) -> Vec<String> {
        let mut needles = Vec::new();
        let options = |clause: &Clause| match clause {
            Clause::Any { options } => options.clone(),
            other => vec![other.clone()],
        };
        for clause in self.clauses.iter().filter(|c| !c.negated()).flat_map(options) {
            match &clause {
                Clause::Any { .. } => {}
                Clause::Exact { text, .. } => needles.push(text.clone()),
                Clause::Words {
                    text,
                    words,
                    ranking,
                    synonyms,
                    ..
                } => {
                    needles.push(text.clone());
                    needles.extend(words.iter().cloned());
                    needles.extend(ranking.iter().cloned());
                    needles.extend(synonyms.iter().flat_map(|(_, terms)| terms.iter().cloned()));
                }
            }
        }
        needles.sort();
        needles.dedup();
        needles
    }
}

impl Clause {
    fn negated(&self) -> bool {
        match self {
            Clause::Words { negated, .. } | Clause::Exact { negated, .. } => *negated,
            Clause::Any { .. } => false,
        }
    }

    /// The clause with a bare chunk that is not an exclusion required as written.
    fn as_written(&self) -> Clause {
        match self {
            Clause::Words {
                text, negated: false, ..
            } => Clause::Exact {
                text: text.clone(),
                negated: false,
            },
            Clause::Any { options } => Clause::Any {
                options: options.iter().map(Clause::as_written).collect(),
            },
            other => other.clone(),
        }
    }
}

/// Whether `c` separates the options of a choice (`峄城|薛城`).
fn is_or(c: char) -> bool {
    matches!(c, '|' | '｜')
}

/// Makes the clause pushed after `before` another option of the one before it, when an `|`
/// or `OR` came between them and neither is an exclusion; otherwise the two stay required.
fn join_options(clauses: &mut Vec<Clause>, before: usize, or_next: bool) {
    if !or_next || clauses.len() != before + 1 || before == 0 {
        return;
    }
    let joinable = |clause: &Clause| !clause.negated();
    if !joinable(&clauses[before]) || !joinable(&clauses[before - 1]) {
        return;
    }
    let option = clauses.pop().expect("a clause was pushed");
    match clauses.last_mut().expect("a clause before it") {
        Clause::Any { options } => options.push(option),
        last => {
            let first = std::mem::replace(last, Clause::Any { options: Vec::new() });
            *last = Clause::Any {
                options: vec![first, option],
            };
        }
    }
}

/// `text` as `segmenter` cuts it into words.
fn cut(text: &str, segmenter: &Segmenter) -> Vec<String> {
    segmenter
        .words(text)
        .into_iter()
        .map(|range| text.chars().skip(range.start).take(range.len()).collect())
        .collect()
}

/// Whether `query` opens a quote it never closes, read as [`ParsedQuery::parse`] reads
/// quotes (every opening quote outside a quoted string opens one), without segmenting it.
pub(crate) fn has_unclosed_quote(query: &str) -> bool {
    let mut rest = query;
    while let Some(at) = rest.find(|c: char| closing_quote(c).is_some()) {
        let open = rest[at..].chars().next().unwrap_or('"');
        let close = closing_quote(open).unwrap_or('"');
        let inner = &rest[at + open.len_utf8()..];
        match inner.find(close) {
            Some(end) => rest = &inner[end + close.len_utf8()..],
            None => return true,
        }
    }
    false
}

/// The quote that closes `open`, if `open` opens a quoted string.
fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '“' => Some('”'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grams::GramsCache;
    use crate::store::schema::Fields;
    use tantivy::query::Query;

    fn clauses(query: &str) -> Vec<Clause> {
        ParsedQuery::parse(query, &Segmenter::default()).unwrap().clauses
    }

    fn words(text: &str, words: &[&str]) -> Clause {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        Clause::Words {
            typed: text.into(),
            text: text.into(),
            ranking: words.clone(),
            words,
            synonyms: Vec::new(),
            negated: false,
        }
    }

    #[test]
    fn an_unclosed_quote_is_found_as_the_parser_finds_it() {
        for query in [
            "峄城",
            "\"满意峄城\"",
            "\"满意峄城",
            "满意\"峄城",
            "-\"营商\" 峄城",
            "-\"营商 峄城",
            "“满意峄城”",
            "“满意峄城",
            "满意峄城”",
            "“满意\"峄城”",
            "\"a“b\" “c",
            "\"\"",
            "\"",
            "a\"b\"c\"",
        ] {
            let parsed = ParsedQuery::parse(query, &Segmenter::default());
            let unclosed = matches!(
                parsed,
                Err(Error::BadQuery {
                    problem: QueryProblem::UnclosedQuote,
                    ..
                })
            );
            assert_eq!(has_unclosed_quote(query), unclosed, "{query}");
        }
    }

    #[test]
    fn a_bar_or_an_or_between_chunks_makes_them_options() {
        let any = |options: Vec<Clause>| Clause::Any { options };
        let exact = |text: &str| Clause::Exact {
            text: text.into(),
            negated: false,
        };
        let both = vec![
            any(vec![words("峄城", &["峄城"]), words("薛城", &["薛城"])]),
            words("会议", &["会议"]),
        ];
        assert_eq!(clauses("峄城 | 薛城 会议"), both);
        assert_eq!(clauses("峄城|薛城 会议"), both);
        assert_eq!(clauses("峄城｜薛城 会议"), both);
        assert_eq!(clauses("峄城 OR 薛城 会议"), both);
        assert_eq!(
            clauses("峄城 | \"薛城区\" | 台儿庄"),
            [any(vec![
                words("峄城", &["峄城"]),
                exact("薛城区"),
                words("台儿庄", &["台儿庄"])
            ])]
        );
        // An exclusion is no option; a bar with nothing before or after it joins nothing.
        let mut negated = words("峄城", &["峄城"]);
        if let Clause::Words { negated: n, .. } = &mut negated {
            *n = true;
        }
        assert_eq!(clauses("-峄城 | 薛城"), [negated, words("薛城", &["薛城"])]);
        assert_eq!(clauses("| 峄城 OR"), [words("峄城", &["峄城"])]);
        assert!(matches!(&clauses("ORGANIZATION")[..], [Clause::Words { text, .. }] if text == "organization"));
    }

    /// How many times the built query looks each body term up.
    fn body_lookups(query: &str) -> std::collections::BTreeMap<String, usize> {
        let fields = Fields::from_schema(&crate::store::schema::build()).unwrap();
        let query = ParsedQuery::parse(query, &Segmenter::default()).unwrap().to_query(
            &fields,
            &GramsCache::default(),
            Scope::Anywhere,
        );
        let mut seen = std::collections::BTreeMap::new();
        query.query_terms(&mut |term, _| {
            if term.field() == fields.body {
                *seen.entry(term.value().as_str().unwrap().to_string()).or_default() += 1;
            }
        });
        seen
    }

    #[test]
    fn a_required_string_is_looked_up_once() {
        // A quoted string, or a chunk of one word, is required as typed: a typed tier for it
        // would match the same bigrams a second time for the same bonus in every hit.
        let once = [("新闻".to_string(), 1), ("联播".to_string(), 1)].into();
        assert_eq!(body_lookups("\"新闻联播\""), once);
        assert_eq!(body_lookups("新闻联播"), once);
        // A chunk of several words keeps its tier: its bigrams as typed, beside each word's.
        assert_eq!(
            body_lookups("疫情防控"),
            [("疫情".to_string(), 2), ("防控".to_string(), 2)].into()
        );
    }

    #[test]
    fn unspaced_chinese_is_words_not_one_phrase() {
        assert_eq!(
            clauses("峄城区疫情防控"),
            vec![words("峄城区疫情防控", &["峄城区", "疫情", "防控"])]
        );
    }

    #[test]
    fn quotes_are_exact_strings_and_dash_excludes() {
        assert_eq!(
            clauses("“满意峄城” -\"发布会\" 会见"),
            vec![
                Clause::Exact {
                    text: "满意峄城".into(),
                    negated: false
                },
                Clause::Exact {
                    text: "发布会".into(),
                    negated: true
                },
                words("会见", &["会见"]),
            ]
        );
    }

    #[test]
    fn a_colon_is_text_not_a_field() {
        assert_eq!(clauses("来源:鲁网"), vec![words("来源:鲁网", &["来源", "鲁网"])]);
    }

    #[test]
    fn full_width_query_text_is_folded() {
        assert_eq!(
            clauses("\"５Ｇ网络\""),
            vec![Clause::Exact {
                text: "5g网络".into(),
                negated: false
            }]
        );
    }

    #[test]
    fn star_alone_matches_everything_and_star_in_text_is_text() {
        assert!(clauses(" * ").is_empty());
        assert_eq!(
            clauses("\"*\""),
            vec![Clause::Exact {
                text: "*".into(),
                negated: false
            }]
        );
    }

    #[test]
    fn bad_queries_say_why() {
        for (query, reason) in [
            ("\"满意峄城", "unclosed quote"),
            ("   ", "nothing to search for"),
            ("，。", "nothing to search for"),
            ("-峄城", "only exclusions"),
        ] {
            match ParsedQuery::parse(query, &Segmenter::default()) {
                Err(Error::BadQuery { problem, .. }) => {
                    assert!(problem.to_string().starts_with(reason), "{query:?}: {problem}")
                }
                other => panic!("{query:?} must be a bad query, got {other:?}"),
            }
        }
    }
}
