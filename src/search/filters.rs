//! Filters: facet values, 文号 and a date range, as clauses that select without scoring.
//!
//! A filter value is compared as queries are (folded: width, case, traditional characters,
//! spaces), so `--source 央視網` keeps the articles from 央视网. A value no article has is
//! reported with the index's closest values, since a filter that silently matches nothing
//! looks like a search that found nothing.

use std::ops::Bound;

use chrono::{DateTime, FixedOffset};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::numbering::FacetNumbering;
use super::{SearchRequest, UnmatchedFilter};
use crate::error::Result;
use crate::store::schema::{self, Fields};
use crate::text::{doc_number, fold};

/// The furthest a date from 1970 the index can hold, in seconds (`i64` nanoseconds).
const MAX_DATE_SECS: i64 = i64::MAX / 1_000_000_000;

/// How many of the closest values an unmatched filter names.
const CLOSEST: usize = 3;
/// How many unmatched values of one request are given their closest values: each is compared
/// with every value the field has (tens of thousands of keywords), so a request of many
/// unmatched values costs no more than this many comparisons of the whole list.
const CLOSEST_LOOKUPS: usize = 4;

/// Filter clauses, each to be required.
type Clauses = Vec<Box<dyn Query>>;

/// The filter clauses of `request`, and the filter values no article has.
pub(crate) fn filters(
    fields: &Fields,
    numbering: &FacetNumbering,
    searcher: &Searcher,
    request: &SearchRequest,
) -> Result<(Clauses, Vec<UnmatchedFilter>)> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let mut unmatched = Vec::new();
    for (name, field, values) in [
        (schema::SOURCE, fields.source, &request.sources),
        (schema::EDITOR, fields.editor, &request.editors),
        (schema::KEYWORD, fields.keyword, &request.keywords),
        (schema::COLUMN, fields.column, &request.columns),
        (schema::ISSUER, fields.issuer, &request.issuers),
        (schema::TOPIC, fields.topic, &request.topics),
        (schema::LAYOUT, fields.layout, &request.kinds),
    ] {
        if values.is_empty() {
            continue;
        }
        let known = numbering.distinct(name, searcher)?;
        // A kind is named `kind` where requests name it, and kept as the file's layout.
        let name = if name == schema::LAYOUT { "kind" } else { name };
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for value in values {
            let wanted = fold(value);
            let same: Vec<&String> = known
                .iter()
                .filter(|(_, folded)| *folded == wanted)
                .map(|(v, _)| v)
                .collect();
            if same.is_empty() {
                let looked_up = unmatched.len() < CLOSEST_LOOKUPS;
                unmatched.push(UnmatchedFilter {
                    field: name.to_string(),
                    value: value.clone(),
                    closest: if looked_up {
                        closest(&wanted, &known)
                    } else {
                        Vec::new()
                    },
                });
            }
            for value in same {
                let term = Term::from_facet(field, &Facet::from_path([value.as_str()]));
                any.push((Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
            }
        }
        let filter: Box<dyn Query> = if any.is_empty() {
            Box::new(EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(any))
        };
        out.push(Box::new(ConstScoreQuery::new(filter, 0.0)));
    }
    if !request.doc_numbers.is_empty() {
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for value in &request.doc_numbers {
            let term = Term::from_field_text(fields.doc_number_key, &doc_number::indexed(value));
            if searcher.doc_freq(&term)? == 0 {
                unmatched.push(UnmatchedFilter {
                    field: "doc_number".to_string(),
                    value: value.clone(),
                    closest: Vec::new(),
                });
            }
            any.push((Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        out.push(Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0)));
    }
    if !request.force.is_empty() || request.in_force {
        out.extend(force_filters(fields, request, crate::dates::today()));
    }
    if request.since.is_some() || request.until.is_some() {
        let bound = |d: Option<DateTime<FixedOffset>>, inclusive: bool| match d {
            None => Bound::Unbounded,
            Some(d) => {
                // Clamped to the dates the index can hold: beyond them a bound would wrap.
                let secs = d.timestamp().clamp(-MAX_DATE_SECS, MAX_DATE_SECS);
                let term =
                    Term::from_field_date_for_search(fields.published, tantivy::DateTime::from_timestamp_secs(secs));
                if inclusive {
                    Bound::Included(term)
                } else {
                    Bound::Excluded(term)
                }
            }
        };
        let range = RangeQuery::new(bound(request.since, true), bound(request.until, false));
        out.push(Box::new(ConstScoreQuery::new(Box::new(range), 0.0)));
    }
    Ok((out, unmatched))
}

/// The clauses of the request's 有效性 filters on `today`: the states it keeps, and with
/// `in_force` none known to be out of force.
fn force_filters(fields: &Fields, request: &SearchRequest, today: chrono::NaiveDate) -> Clauses {
    use crate::article::Force;
    let stated = |force: Force| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_u64(fields.force, force.code()),
            IndexRecordOption::Basic,
        ))
    };
    // Ends are kept as the first second of their day (UTC, as written).
    let today = Term::from_field_date_for_search(
        fields.valid_until,
        tantivy::DateTime::from_timestamp_secs(today.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()),
    );
    let past = || -> Box<dyn Query> { Box::new(RangeQuery::new(Bound::Unbounded, Bound::Excluded(today.clone()))) };
    let ahead = || -> Box<dyn Query> { Box::new(RangeQuery::new(Bound::Included(today.clone()), Bound::Unbounded)) };
    let any = |queries: Vec<Box<dyn Query>>| -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))
    };
    let but_not = |wanted: Box<dyn Query>, unwanted: Vec<Box<dyn Query>>| -> Box<dyn Query> {
        let mut clauses = vec![(Occur::Must, wanted)];
        clauses.extend(unwanted.into_iter().map(|q| (Occur::MustNot, q)));
        Box::new(BooleanQuery::new(clauses))
    };
    let state = |force: Force| match force {
        Force::Repealed => stated(Force::Repealed),
        Force::Expired => but_not(any(vec![stated(Force::Expired), past()]), vec![stated(Force::Repealed)]),
        Force::InForce => but_not(
            any(vec![stated(Force::InForce), ahead()]),
            vec![stated(Force::Expired), stated(Force::Repealed), past()],
        ),
    };
    let mut out: Clauses = Vec::new();
    if !request.force.is_empty() {
        out.push(any(request.force.iter().map(|&f| state(f)).collect()));
    }
    if request.in_force {
        out.push(but_not(
            Box::new(AllQuery),
            vec![stated(Force::Expired), stated(Force::Repealed), past()],
        ));
    }
    out.into_iter()
        .map(|q| Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>)
        .collect()
}

/// The values of `known` closest to the folded `wanted`: those containing it or contained in
/// it first (nearest in length first), then those sharing most of its characters.
fn closest(wanted: &str, known: &[(String, String)]) -> Vec<String> {
    let wanted_chars: Vec<char> = wanted.chars().collect();
    if wanted_chars.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f32, &String)> = known
        .iter()
        .filter_map(|(value, folded)| {
            let chars: Vec<char> = folded.chars().collect();
            let (short, long) = if chars.len() < wanted_chars.len() {
                (chars.len(), wanted_chars.len())
            } else {
                (wanted_chars.len(), chars.len())
            };
            let nested = !folded.is_empty() && (folded.contains(wanted) || wanted.contains(folded.as_str()));
            let score = if nested {
                1.0 + short as f32 / long as f32
            } else {
                let shared = wanted_chars.iter().filter(|c| chars.contains(c)).count();
                shared as f32 / long as f32
            };
            (score >= 0.5).then_some((score, value))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(CLOSEST).map(|(_, v)| v.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_values_contain_the_input_or_share_most_of_it() {
        let known: Vec<(String, String)> = ["央视网", "央视新闻", "CNTV", "鲁网", "中国网络电视台"]
            .iter()
            .map(|s| (s.to_string(), fold(s)))
            .collect();
        assert_eq!(closest("央视", &known), ["央视网", "央视新闻"]);
        assert_eq!(closest("央视网站", &known), ["央视网", "央视新闻"]);
        assert_eq!(closest("cntv", &known), ["CNTV"]);
        assert!(closest("峄城", &known).is_empty());
    }
}
