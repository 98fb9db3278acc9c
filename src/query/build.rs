//! The index query built from a parsed query: every required string, scored by words,
//! strings and how much of the query stands as typed ([`super::score`] has the weights).

use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::body::BodyQuery;
use super::either::Either;
use super::ranked::{Ceiling, Ranked};
use super::score::{KEYWORD_SHARED, STRING_WEIGHT, TITLE_BOOST, TITLE_PART_BONUS, TITLE_TIER, TYPED_TIER, WORD_WEIGHT};
use super::title_char::CharQuery;
use super::{Clause, ParsedQuery, Scope};
use crate::grams::GramsCache;
use crate::store::schema::Fields;
use crate::text::analyzers::gram_terms;

impl ParsedQuery {
    /// The index query: every required string, scored by words, strings and adjacency, with
    /// what each part adds at most.
    pub(crate) fn to_query(&self, fields: &Fields, chars: &GramsCache, scope: Scope) -> Ranked {
        let mut parts: Vec<Part> = Vec::new();
        for clause in &self.clauses {
            match clause {
                Clause::Exact { text, negated: true }
                | Clause::Words {
                    text, negated: true, ..
                } => {
                    parts.push((Occur::MustNot, contains(fields, chars, text, scope), Ceiling::Nothing));
                }
                Clause::Exact { text, negated: false } => {
                    // Required as typed: every hit has it, so no typed tier (the same string
                    // matched twice over, for the same score in every hit).
                    parts.push(required(fields, chars, text, scope));
                    parts.extend(title_tiers(fields, chars, text));
                }
                Clause::Words {
                    text,
                    words,
                    ranking,
                    synonyms,
                    negated: false,
                    ..
                } => {
                    let required = |parts: &mut Vec<Part>, word: &String| {
                        match synonyms.iter().find(|(w, _)| w == word) {
                            Some((_, terms)) if !terms.is_empty() => {
                                parts.push(either(fields, chars, word, terms, scope));
                                // The word as typed outranks the terms that stand in for it.
                                parts.push(typed_tier(fields, chars, word, scope));
                            }
                            _ => parts.push(required(fields, chars, word, scope)),
                        }
                    };
                    if words == ranking {
                        for word in words {
                            required(&mut parts, word);
                            parts.push(word_terms(fields, word));
                        }
                    } else {
                        for word in words {
                            required(&mut parts, word);
                        }
                        for word in ranking {
                            parts.push(word_terms(fields, word));
                        }
                    }
                    // A chunk of one word is required as typed already (above).
                    if *words != [text.as_str()] {
                        parts.push(typed_tier(fields, chars, text, scope));
                    }
                    parts.extend(title_tiers(fields, chars, text));
                }
                Clause::Any { options } => parts.extend(any_of(fields, chars, options, scope)),
            }
        }
        Ranked::new(parts, Box::new(AllQuery), fields, chars)
    }
}

/// A choice of options: one of them required (a quoted string, or every word of a bare
/// chunk), each scored as the required strings and words it has would be, with the tiers of
/// each option found as typed.
fn any_of(fields: &Fields, chars: &GramsCache, options: &[Clause], scope: Scope) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut strings = Vec::new();
    for option in options {
        match option {
            Clause::Exact { text, .. } => {
                any.push((
                    Occur::Should,
                    weighted(contains(fields, chars, text, scope), STRING_WEIGHT),
                ));
                strings.push((text.clone(), STRING_WEIGHT));
                parts.extend(title_tiers(fields, chars, text));
            }
            Clause::Words {
                text, words, ranking, ..
            } => {
                let all: Vec<(Occur, Box<dyn Query>)> = words
                    .iter()
                    .map(|word| {
                        (
                            Occur::Must,
                            weighted(contains(fields, chars, word, scope), STRING_WEIGHT),
                        )
                    })
                    .collect();
                any.push((Occur::Should, Box::new(BooleanQuery::new(all))));
                strings.extend(words.iter().map(|word| (word.clone(), STRING_WEIGHT)));
                parts.extend(ranking.iter().map(|word| word_terms(fields, word)));
                if *words != [text.as_str()] {
                    parts.push(typed_tier(fields, chars, text, scope));
                }
                parts.extend(title_tiers(fields, chars, text));
            }
            // The parser never nests choices.
            Clause::Any { .. } => {}
        }
    }
    parts.push((Occur::Must, Box::new(BooleanQuery::new(any)), Ceiling::Strings(strings)));
    parts
}

/// A clause of the ranking query, with the most it adds to a score.
type Part = (Occur, Box<dyn Query>, Ceiling);

/// A string every hit has, in the title or the body (or where `scope` says).
fn required(fields: &Fields, chars: &GramsCache, text: &str, scope: Scope) -> Part {
    (
        Occur::Must,
        weighted(contains(fields, chars, text, scope), STRING_WEIGHT),
        Ceiling::Strings(vec![(text.to_string(), STRING_WEIGHT)]),
    )
}

/// Articles about the same thing as one with these `terms` (each weighted) and `keywords`:
/// those with at least `least` of them, each found as a string in title or body (title
/// weighted up) and scored as a required string would be; a shared keyword counts most.
pub(crate) fn about(
    fields: &Fields,
    chars: &GramsCache,
    terms: &[(String, f32)],
    keywords: &[String],
    least: usize,
) -> Box<dyn Query> {
    let mut options: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|(term, weight)| {
            (
                Occur::Should,
                weighted(contains(fields, chars, term, Scope::Anywhere), STRING_WEIGHT * weight),
            )
        })
        .collect();
    for keyword in keywords {
        let facet = tantivy::schema::Facet::from_path([keyword.as_str()]);
        let term = TermQuery::new(Term::from_facet(fields.keyword, &facet), IndexRecordOption::Basic);
        options.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(Box::new(term), KEYWORD_SHARED)),
        ));
    }
    let least = least.min(options.len()).max(1);
    Box::new(BooleanQuery::with_minimum_required_clauses(options, least))
}

/// Articles with `word` or any of the official `terms` for it (required), each scored as a
/// required string.
fn either(fields: &Fields, chars: &GramsCache, word: &str, terms: &[String], scope: Scope) -> Part {
    let mut options = Vec::new();
    let mut strings = Vec::new();
    for text in std::iter::once(word).chain(terms.iter().map(String::as_str)) {
        options.push((
            Occur::Should,
            weighted(contains(fields, chars, text, scope), STRING_WEIGHT),
        ));
        strings.push((text.to_string(), STRING_WEIGHT));
    }
    (
        Occur::Must,
        Box::new(BooleanQuery::new(options)),
        Ceiling::Strings(strings),
    )
}

/// The tier bonus of a chunk found as typed, in title or body.
fn typed_tier(fields: &Fields, chars: &GramsCache, text: &str, scope: Scope) -> Part {
    constant(contains(fields, chars, text, scope), TYPED_TIER)
}

/// The title tier bonuses of a chunk: as typed in the title, a whole part of the title.
fn title_tiers(fields: &Fields, chars: &GramsCache, text: &str) -> [Part; 2] {
    let part = TermQuery::new(
        Term::from_field_text(fields.title_parts, text),
        IndexRecordOption::Basic,
    );
    [
        constant(grams_query(fields.title_grams, chars, text), TITLE_TIER),
        constant(Box::new(part), TITLE_PART_BONUS),
    ]
}

/// A tier: adds `score` to the articles `query` matches.
fn constant(query: Box<dyn Query>, score: f32) -> Part {
    (Occur::Should, query, Ceiling::Tier(score))
}

fn weighted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, weight))
}

/// Articles whose title or body contains the folded string `text`, title matches weighted up.
fn contains(fields: &Fields, chars: &GramsCache, text: &str, scope: Scope) -> Box<dyn Query> {
    let title = || weighted(grams_query(fields.title_grams, chars, text), TITLE_BOOST);
    let body = || Box::new(BodyQuery::new(fields.body, text, chars)) as Box<dyn Query>;
    match scope {
        Scope::Anywhere => Box::new(Either::new(title(), body())),
        Scope::Title => title(),
        Scope::Body => body(),
    }
}

/// The exact string `text` in one grams field: a character, one bigram, or a phrase of
/// bigrams.
pub(super) fn grams_query(field: Field, chars: &GramsCache, text: &str) -> Box<dyn Query> {
    let mut letters = text.chars();
    if let (Some(ch), None) = (letters.next(), letters.next()) {
        return Box::new(CharQuery::new(field, ch, chars));
    }
    let mut terms: Vec<(usize, Term)> = gram_terms(text)
        .into_iter()
        .map(|(offset, gram)| (offset, Term::from_field_text(field, &gram)))
        .collect();
    if terms.len() == 1 {
        let (_, term) = terms.remove(0);
        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
    } else {
        Box::new(PhraseQuery::new_with_offset(terms))
    }
}

/// One jieba word in the title word field, weighted as a title match.
fn word_terms(fields: &Fields, word: &str) -> Part {
    let term = TermQuery::new(Term::from_field_text(fields.title, word), IndexRecordOption::WithFreqs);
    (
        Occur::Should,
        weighted(weighted(Box::new(term), TITLE_BOOST), WORD_WEIGHT),
        Ceiling::TitleWord(word.to_string(), WORD_WEIGHT),
    )
}
