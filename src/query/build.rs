//! The index query built from a parsed query: every required string, scored by words,
//! strings and how much of the query stands as typed ([`super::score`] has the weights).

use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::body::BodyQuery;
use super::either::Either;
use super::score::{KEYWORD_SHARED, STRING_WEIGHT, TITLE_BOOST, TITLE_PART_BONUS, TITLE_TIER, TYPED_TIER, WORD_WEIGHT};
use super::title_char::CharQuery;
use super::{Clause, ParsedQuery};
use crate::grams::GramsCache;
use crate::index::schema::Fields;
use crate::text::analyzers::gram_terms;

impl ParsedQuery {
    /// The index query: every required string, scored by words, strings and adjacency.
    pub(crate) fn to_query(&self, fields: &Fields, chars: &GramsCache) -> Box<dyn Query> {
        if self.clauses.is_empty() {
            return Box::new(AllQuery);
        }
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for clause in &self.clauses {
            match clause {
                Clause::Exact { text, negated: true }
                | Clause::Words {
                    text, negated: true, ..
                } => {
                    parts.push((Occur::MustNot, contains(fields, chars, text)));
                }
                Clause::Exact { text, negated: false } => {
                    // Required as typed: every hit has it, so no typed tier (the same string
                    // matched twice over, for the same score in every hit).
                    parts.push((Occur::Must, weighted(contains(fields, chars, text), STRING_WEIGHT)));
                    parts.extend(title_tiers(fields, chars, text));
                }
                Clause::Words {
                    text,
                    words,
                    ranking,
                    synonyms,
                    negated: false,
                } => {
                    let required = |parts: &mut Vec<(Occur, Box<dyn Query>)>, word: &String| {
                        match synonyms.iter().find(|(w, _)| w == word) {
                            Some((_, terms)) if !terms.is_empty() => {
                                parts.push((Occur::Must, either(fields, chars, word, terms)));
                                // The word as typed outranks the terms that stand in for it.
                                parts.push(typed_tier(fields, chars, word));
                            }
                            _ => parts.push((Occur::Must, weighted(contains(fields, chars, word), STRING_WEIGHT))),
                        }
                    };
                    if words == ranking {
                        for word in words {
                            required(&mut parts, word);
                            parts.push((Occur::Should, weighted(word_terms(fields, word), WORD_WEIGHT)));
                        }
                    } else {
                        for word in words {
                            required(&mut parts, word);
                        }
                        for word in ranking {
                            parts.push((Occur::Should, weighted(word_terms(fields, word), WORD_WEIGHT)));
                        }
                    }
                    // A chunk of one word is required as typed already (above).
                    if *words != [text.as_str()] {
                        parts.push(typed_tier(fields, chars, text));
                    }
                    parts.extend(title_tiers(fields, chars, text));
                }
            }
        }
        Box::new(BooleanQuery::new(parts))
    }
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
                weighted(contains(fields, chars, term), STRING_WEIGHT * weight),
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

/// Articles with `word` or any of the official `terms` for it, each scored as a required
/// string.
fn either(fields: &Fields, chars: &GramsCache, word: &str, terms: &[String]) -> Box<dyn Query> {
    let mut options = vec![(Occur::Should, weighted(contains(fields, chars, word), STRING_WEIGHT))];
    for term in terms {
        options.push((Occur::Should, weighted(contains(fields, chars, term), STRING_WEIGHT)));
    }
    Box::new(BooleanQuery::new(options))
}

/// The tier bonus of a chunk found as typed, in title or body.
fn typed_tier(fields: &Fields, chars: &GramsCache, text: &str) -> (Occur, Box<dyn Query>) {
    constant(contains(fields, chars, text), TYPED_TIER)
}

/// The title tier bonuses of a chunk: as typed in the title, a whole part of the title.
fn title_tiers(fields: &Fields, chars: &GramsCache, text: &str) -> [(Occur, Box<dyn Query>); 2] {
    let part = TermQuery::new(
        Term::from_field_text(fields.title_parts, text),
        IndexRecordOption::Basic,
    );
    [
        constant(grams_query(fields.title_grams, chars, text), TITLE_TIER),
        constant(Box::new(part), TITLE_PART_BONUS),
    ]
}

/// A query that adds `score` to the articles `query` matches.
fn constant(query: Box<dyn Query>, score: f32) -> (Occur, Box<dyn Query>) {
    (Occur::Should, Box::new(ConstScoreQuery::new(query, score)))
}

fn weighted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, weight))
}

/// Articles whose title or body contains the folded string `text`, title matches weighted up.
fn contains(fields: &Fields, chars: &GramsCache, text: &str) -> Box<dyn Query> {
    Box::new(Either::new(
        weighted(grams_query(fields.title_grams, chars, text), TITLE_BOOST),
        Box::new(BodyQuery::new(fields.body, text, chars)),
    ))
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
fn word_terms(fields: &Fields, word: &str) -> Box<dyn Query> {
    let term = TermQuery::new(Term::from_field_text(fields.title, word), IndexRecordOption::WithFreqs);
    weighted(Box::new(term), TITLE_BOOST)
}
