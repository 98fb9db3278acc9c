//! A parsed query and a request's filters in OpenSearch's query language, matching what the
//! local index matches:
//!
//! - a string is found in a grams field (the folded text's overlapping bigrams, as locally):
//!   two characters or more as a phrase of bigrams, one character as the bigrams it starts
//!   (a prefix of one character, answered by the field's index of first characters);
//! - a bare chunk requires each of its words as a string, an everyday word or its official
//!   terms; a quoted string is required as typed; an exclusion is a `must_not`; a choice
//!   requires one of its options;
//! - the score has the local ranking's parts with its weights: the strings (title weighted
//!   up) and the title's words by OpenSearch's BM25, a constant for a chunk found as typed,
//!   for one found in the title, and for a whole part of the title. BM25's statistics are
//!   the shards', not the whole index's, so the order of hits can differ where the scores
//!   are close; which articles match never does.
//!
//! Filters compare folded values with the folded values each document carries, as the local
//! filters compare them.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{json, Value};

use crate::article::Force;
use crate::query::score::{STRING_WEIGHT, TITLE_BOOST, TITLE_PART_BONUS, TITLE_TIER, TYPED_TIER, WORD_WEIGHT};
use crate::query::{Clause, ParsedQuery, Scope};
use crate::search::SearchRequest;
use crate::text::{doc_number, fold};

/// The scored query of `parsed`, its strings looked for where `scope` says.
pub(crate) fn query(parsed: &ParsedQuery, scope: Scope) -> Value {
    if parsed.matches_everything() {
        return json!({ "match_all": {} });
    }
    let (mut must, mut must_not, mut should) = (Vec::new(), Vec::new(), Vec::new());
    for clause in &parsed.clauses {
        match clause {
            Clause::Exact { text, negated: true }
            | Clause::Words {
                text, negated: true, ..
            } => {
                must_not.push(contains(text, scope, 1.0));
            }
            Clause::Exact { text, negated: false } => {
                must.push(contains(text, scope, STRING_WEIGHT));
                should.extend(title_tiers(text));
            }
            Clause::Words {
                text,
                words,
                ranking,
                synonyms,
                negated: false,
                ..
            } => {
                for word in words {
                    match synonyms.iter().find(|(w, _)| w == word) {
                        Some((_, terms)) if !terms.is_empty() => {
                            let options: Vec<Value> = std::iter::once(word)
                                .chain(terms)
                                .map(|text| contains(text, scope, STRING_WEIGHT))
                                .collect();
                            must.push(any(options));
                            should.push(constant(contains(word, scope, 1.0), TYPED_TIER));
                        }
                        _ => must.push(contains(word, scope, STRING_WEIGHT)),
                    }
                }
                should.extend(ranking.iter().map(|word| title_word(word)));
                if *words != [text.as_str()] {
                    should.push(constant(contains(text, scope, 1.0), TYPED_TIER));
                }
                should.extend(title_tiers(text));
            }
            Clause::Any { options } => {
                let mut choices = Vec::new();
                for option in options {
                    match option {
                        Clause::Exact { text, .. } => {
                            choices.push(contains(text, scope, STRING_WEIGHT));
                            should.extend(title_tiers(text));
                        }
                        Clause::Words {
                            text, words, ranking, ..
                        } => {
                            let all: Vec<Value> = words.iter().map(|w| contains(w, scope, STRING_WEIGHT)).collect();
                            choices.push(json!({ "bool": { "must": all } }));
                            should.extend(ranking.iter().map(|word| title_word(word)));
                            if *words != [text.as_str()] {
                                should.push(constant(contains(text, scope, 1.0), TYPED_TIER));
                            }
                            should.extend(title_tiers(text));
                        }
                        Clause::Any { .. } => {}
                    }
                }
                must.push(any(choices));
            }
        }
    }
    if must.is_empty() {
        must.push(json!({ "match_all": {} }));
    }
    let matched = json!({ "bool": { "must": must, "must_not": must_not, "should": should } });
    // The title-length bonus the local ranking adds to every hit's score.
    json!({ "function_score": {
        "query": matched,
        "functions": [{ "field_value_factor": { "field": "title_prior", "missing": 0 } }],
        "score_mode": "sum",
        "boost_mode": "sum",
    } })
}

/// Articles whose folded title or body (or where `scope` says) contains `text`, title
/// matches weighted up; `weight` scales the whole.
pub(crate) fn contains(text: &str, scope: Scope, weight: f32) -> Value {
    let title = || grams("title_grams", text, weight * TITLE_BOOST);
    let body = || grams("body_grams", text, weight);
    match scope {
        Scope::Anywhere => any(vec![title(), body()]),
        Scope::Title => title(),
        Scope::Body => body(),
    }
}

/// The exact folded string `text` in a grams field.
fn grams(field: &str, text: &str, boost: f32) -> Value {
    let mut chars = text.chars();
    if let (Some(_), None) = (chars.next(), chars.next()) {
        return json!({ "prefix": { field: { "value": text, "boost": boost } } });
    }
    json!({ "match_phrase": { field: { "query": text, "boost": boost } } })
}

/// One of `options`, each scoring what it matches.
fn any(options: Vec<Value>) -> Value {
    json!({ "bool": { "should": options, "minimum_should_match": 1 } })
}

/// Adds `score` to the articles `query` matches.
fn constant(query: Value, score: f32) -> Value {
    json!({ "constant_score": { "filter": query, "boost": score } })
}

/// The title tier bonuses of a chunk: as typed in the title, a whole part of the title.
fn title_tiers(text: &str) -> [Value; 2] {
    [
        constant(grams("title_grams", text, 1.0), TITLE_TIER),
        constant(json!({ "term": { "title_parts": text } }), TITLE_PART_BONUS),
    ]
}

/// One word of the title's word field, weighted as a title match.
fn title_word(word: &str) -> Value {
    json!({ "term": { "title_words": { "value": word, "boost": TITLE_BOOST * WORD_WEIGHT } } })
}

/// The request's filters, each required, on `today` (for 有效性).
pub(crate) fn filters(request: &SearchRequest, today: NaiveDate) -> Vec<Value> {
    let mut out = Vec::new();
    let values: [(&str, &Vec<String>); 7] = [
        ("source", &request.sources),
        ("editor", &request.editors),
        ("keyword", &request.keywords),
        ("column", &request.columns),
        ("issuer", &request.issuers),
        ("topic", &request.topics),
        ("kind", &request.kinds),
    ];
    for (name, values) in values {
        if values.is_empty() {
            continue;
        }
        let folded: Vec<String> = values.iter().map(|v| fold(v)).collect();
        out.push(json!({ "terms": { format!("folded.{name}"): folded } }));
    }
    if !request.doc_numbers.is_empty() {
        let keys: Vec<String> = request.doc_numbers.iter().map(|v| doc_number::indexed(v)).collect();
        out.push(json!({ "terms": { "doc_number_key": keys } }));
    }
    if !request.force.is_empty() {
        out.push(any(request.force.iter().map(|&f| force_state(f, today)).collect()));
    }
    if request.in_force {
        out.push(json!({ "bool": { "must_not": out_of_force(today) } }));
    }
    if request.since.is_some() || request.until.is_some() {
        let second = |d: Option<DateTime<FixedOffset>>| d.map(|d| d.timestamp());
        let mut range = serde_json::Map::new();
        if let Some(since) = second(request.since) {
            range.insert("gte".into(), json!(since));
        }
        if let Some(until) = second(request.until) {
            range.insert("lt".into(), json!(until));
        }
        out.push(json!({ "range": { "published": range } }));
    }
    out
}

/// Articles out of force on `today`: repealed or expired as stated, or past their end.
fn out_of_force(today: NaiveDate) -> Vec<Value> {
    vec![
        stated(Force::Expired),
        stated(Force::Repealed),
        json!({ "range": { "valid_until": { "lt": day(today) } } }),
    ]
}

/// The articles in state `force` on `today`, as [`Force::on`] decides it.
pub(crate) fn force_state(force: Force, today: NaiveDate) -> Value {
    let past = json!({ "range": { "valid_until": { "lt": day(today) } } });
    let ahead = json!({ "range": { "valid_until": { "gte": day(today) } } });
    match force {
        Force::Repealed => stated(Force::Repealed),
        Force::Expired => json!({ "bool": {
            "must": any(vec![stated(Force::Expired), past]),
            "must_not": stated(Force::Repealed),
        } }),
        Force::InForce => json!({ "bool": {
            "must": any(vec![stated(Force::InForce), ahead]),
            "must_not": out_of_force(today),
        } }),
    }
}

fn stated(force: Force) -> Value {
    json!({ "term": { "stated": force.code() } })
}

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::segment::Segmenter;

    fn parsed(query: &str) -> ParsedQuery {
        ParsedQuery::parse(query, &Segmenter::default()).unwrap()
    }

    #[test]
    fn strings_are_phrases_of_bigrams_and_one_character_a_prefix() {
        assert_eq!(
            grams("body_grams", "峄", 1.0),
            json!({ "prefix": { "body_grams": { "value": "峄", "boost": 1.0 } } })
        );
        assert_eq!(
            grams("body_grams", "峄城区", 1.0)["match_phrase"]["body_grams"]["query"],
            "峄城区"
        );
    }

    #[test]
    fn exclusions_and_choices_keep_their_meaning() {
        let q = query(&parsed("峄城 -\"营商\""), Scope::Body);
        let q = &q["function_score"]["query"];
        assert_eq!(q["bool"]["must_not"][0]["match_phrase"]["body_grams"]["query"], "营商");
        assert_eq!(q["bool"]["must"][0]["match_phrase"]["body_grams"]["query"], "峄城");
        let q = query(&parsed("峄城 | 薛城"), Scope::Title);
        let choices = &q["function_score"]["query"]["bool"]["must"][0]["bool"]["should"];
        assert_eq!(choices.as_array().unwrap().len(), 2);
        assert_eq!(query(&parsed("*"), Scope::Anywhere), json!({ "match_all": {} }));
    }
}
