//! What is read back from the log: 热门搜索, and the report of `govsearch queries`.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::day::Day;

/// A query shown under 热门搜索 or offered as a completion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopularQuery {
    /// The query, normalised.
    pub query: String,
    /// Distinct visitors who searched it over the days drawn from (each day's estimate, summed).
    pub visitors: u64,
    /// Articles its latest search found.
    pub articles: u64,
}

/// A query's counts over the days of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryCount {
    /// The query, normalised.
    pub query: String,
    /// Searches for it.
    pub searches: u64,
    /// Distinct visitors (each day's estimate, summed over the days).
    pub visitors: u64,
    /// Searches that found at least one article as typed.
    pub found: u64,
    /// Searches that found nothing, as typed or rewritten.
    pub nothing: u64,
    /// Articles its latest search found (those of the rewrite, when one was searched).
    pub articles: u64,
}

/// A rewrite the server applied: the query typed, the one searched instead, how often.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewriteCount {
    /// The query as typed (normalised).
    pub typed: String,
    /// The query searched instead.
    pub searched_as: String,
    /// Searches rewritten so.
    pub searches: u64,
}

/// One day's volume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayVolume {
    /// The day (China time).
    pub day: NaiveDate,
    /// Searches.
    pub searches: u64,
    /// Distinct queries listed.
    pub queries: u64,
    /// Searches that found nothing, as typed or rewritten.
    pub found_nothing: u64,
    /// Searches of queries not listed (too long, or past the day's limit of queries).
    pub unlisted: u64,
}

/// What `govsearch queries` prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogReport {
    /// The first day reported.
    pub since: NaiveDate,
    /// The last day reported.
    pub until: NaiveDate,
    /// Each day with a file, in order.
    pub days: Vec<DayVolume>,
    /// Every query, most searched first.
    pub top: Vec<QueryCount>,
    /// Queries none of whose searches found anything, most visitors first: what the
    /// dictionary, the synonyms or the site lack.
    pub found_nothing: Vec<QueryCount>,
    /// Rewrites applied, most frequent first.
    pub rewrites: Vec<RewriteCount>,
    /// Days whose file cannot be read, or was set aside as damaged.
    pub unreadable: Vec<NaiveDate>,
}

/// Each query's counts summed over `days` (in order: a query's articles are those of its
/// latest day), with its rewrites.
fn sum(days: &[Day]) -> (Vec<QueryCount>, HashMap<(String, String), u64>) {
    let mut by_query: HashMap<&str, QueryCount> = HashMap::new();
    let mut rewrites: HashMap<(String, String), u64> = HashMap::new();
    for day in days {
        for (query, c) in &day.queries {
            let entry = by_query.entry(query).or_insert_with(|| QueryCount {
                query: query.clone(),
                searches: 0,
                visitors: 0,
                found: 0,
                nothing: 0,
                articles: 0,
            });
            entry.searches += c.searches;
            entry.visitors += c.visitors.estimate();
            entry.found += c.found;
            entry.nothing += c.nothing;
            entry.articles = c.articles;
            for (to, n) in &c.rewrites {
                *rewrites.entry((query.clone(), to.clone())).or_default() += n;
            }
        }
    }
    (by_query.into_values().collect(), rewrites)
}

/// 热门搜索 over `days`: queries that mostly found articles as typed, searched by at least
/// `min_visitors` distinct visitors, none containing a deny-listed word; most visitors first.
pub(super) fn popular(days: &[Day], min_visitors: u64, deny: &[String]) -> Vec<PopularQuery> {
    let (counts, _) = sum(days);
    let mut popular: Vec<PopularQuery> = counts
        .into_iter()
        .filter(|c| c.visitors >= min_visitors.max(1) && c.found * 2 > c.searches && c.articles > 0)
        .filter(|c| {
            let compact: String = c.query.chars().filter(|ch| *ch != ' ').collect();
            !deny.iter().any(|word| compact.contains(word.as_str()))
        })
        .map(|c| PopularQuery {
            query: c.query,
            visitors: c.visitors,
            articles: c.articles,
        })
        .collect();
    popular.sort_by(|a, b| b.visitors.cmp(&a.visitors).then_with(|| a.query.cmp(&b.query)));
    popular
}

/// The report of the days from `since` to `until`.
pub(super) fn report(days: &[Day], since: NaiveDate, until: NaiveDate, unreadable: Vec<NaiveDate>) -> LogReport {
    let volumes = days
        .iter()
        .map(|day| DayVolume {
            day: day.day,
            searches: day.searches,
            queries: day.queries.len() as u64,
            found_nothing: day.queries.values().map(|c| c.nothing).sum(),
            unlisted: day.unlisted,
        })
        .collect();
    let (mut top, rewrites) = sum(days);
    top.sort_by(|a, b| {
        b.searches
            .cmp(&a.searches)
            .then_with(|| b.visitors.cmp(&a.visitors))
            .then_with(|| a.query.cmp(&b.query))
    });
    let mut found_nothing: Vec<QueryCount> = top.iter().filter(|c| c.nothing == c.searches).cloned().collect();
    found_nothing.sort_by(|a, b| {
        b.visitors
            .cmp(&a.visitors)
            .then_with(|| b.searches.cmp(&a.searches))
            .then_with(|| a.query.cmp(&b.query))
    });
    let mut rewrites: Vec<RewriteCount> = rewrites
        .into_iter()
        .map(|((typed, searched_as), searches)| RewriteCount {
            typed,
            searched_as,
            searches,
        })
        .collect();
    rewrites.sort_by(|a, b| b.searches.cmp(&a.searches).then_with(|| a.typed.cmp(&b.typed)));
    LogReport {
        since,
        until,
        days: volumes,
        top,
        found_nothing,
        rewrites,
        unreadable,
    }
}
