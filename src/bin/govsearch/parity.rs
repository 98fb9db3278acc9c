//! `govsearch parity`: the same requests on the local index and on its export to a cluster,
//! compared. The queries are those `govsearch eval` samples from the corpus (quoted strings,
//! keywords, places, phrases, two words, aboutness tags), each also with an exclusion, a
//! source filter, a month's date range, a title scope and a choice of two; each request is
//! compared for the set of matching articles, the total, every facet value listed and its
//! count (the number of values left unlisted, which the cluster estimates, apart), the number
//! of releases, the rewrite query assistance makes or offers, and for the hits both first
//! pages share, the copies listed under them and their highlights. The first ten hits of each
//! are compared too (ranking is the backend's own), as the share of the local ten the cluster
//! also ranks in its ten.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeZone;
use govsearch::{Index, Scope, SearchRequest, SearchResults};
use serde::Serialize;

/// How many articles a request's full set is read to.
const ALL: usize = 100_000;

/// The figures of one kind of query.
#[derive(Debug, Default, Serialize)]
pub(crate) struct KindParity {
    pub(crate) requests: usize,
    /// Requests whose matching articles differ.
    pub(crate) matches_differ: usize,
    pub(crate) totals_differ: usize,
    pub(crate) facets_differ: usize,
    /// Requests whose counts of unlisted facet values differ: the cluster estimates them.
    pub(crate) unlisted_differ: usize,
    pub(crate) releases_differ: usize,
    pub(crate) rewrites_differ: usize,
    pub(crate) highlights_differ: usize,
    /// Mean share of the local first ten that the cluster ranks in its first ten.
    pub(crate) top10_overlap: f64,
}

/// What `govsearch parity` found.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Parity {
    pub(crate) kinds: BTreeMap<String, KindParity>,
    /// The first differences, one line each.
    pub(crate) differences: Vec<String>,
}

impl Parity {
    /// Whether every request answered alike (ranking and the estimated counts of unlisted
    /// facet values aside).
    pub(crate) fn alike(&self) -> bool {
        self.kinds.values().all(|k| {
            k.matches_differ
                + k.totals_differ
                + k.facets_differ
                + k.releases_differ
                + k.rewrites_differ
                + k.highlights_differ
                == 0
        })
    }

    pub(crate) fn to_table(&self) -> String {
        let mut out = String::from(
            "kind                 requests  matches  totals  facets  unlisted  releases  rewrites  highlights  top-10 overlap\n",
        );
        for (kind, k) in &self.kinds {
            out.push_str(&format!(
                "{kind:<20} {:>8} {:>8} {:>7} {:>7} {:>9} {:>9} {:>9} {:>11} {:>15.3}\n",
                k.requests,
                k.matches_differ,
                k.totals_differ,
                k.facets_differ,
                k.unlisted_differ,
                k.releases_differ,
                k.rewrites_differ,
                k.highlights_differ,
                k.top10_overlap
            ));
        }
        out.push_str(
            "(columns after requests: how many requests differ; unlisted facet values are estimated \
             on the cluster and do not count as a difference)\n",
        );
        for line in &self.differences {
            out.push_str(&format!("differs: {line}\n"));
        }
        out
    }
}

/// Compares `local` and `cluster` on `queries` (kind name, query text).
pub(crate) fn compare(local: &Index, cluster: &Index, queries: &[(String, String)]) -> anyhow::Result<Parity> {
    let mut parity = Parity::default();
    let mut overlaps: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (i, (kind, query)) in queries.iter().enumerate() {
        // Another query of the sample, for exclusions and choices.
        let other = &queries[(i * 7 + 3) % queries.len()].1;
        let mut requests: Vec<(String, SearchRequest)> = vec![(kind.clone(), SearchRequest::new(query.as_str()))];
        requests.push((
            "exclusion".into(),
            SearchRequest::new(format!("{query} -{}", quoted(other))),
        ));
        requests.push(("choice".into(), SearchRequest::new(format!("{query} | {other}"))));
        requests.push((
            "title scope".into(),
            SearchRequest::new(query.as_str()).scope(Scope::Title),
        ));
        // A filter on the local answer's most frequent source and latest month.
        let first = local.search(&SearchRequest::new(query.as_str()).as_typed(true).limit(0))?;
        if let Some(source) = first.facets.source.first() {
            requests.push((
                "source filter".into(),
                SearchRequest::new(query.as_str()).source(&source.value),
            ));
        }
        if let Some((since, until)) = first.facets.month.first().and_then(|m| month_range(&m.value)) {
            requests.push((
                "date range".into(),
                SearchRequest::new(query.as_str()).since(since).until(until),
            ));
        }
        for (name, request) in requests {
            let k = parity.kinds.entry(name.clone()).or_default();
            k.requests += 1;
            let differences = compare_one(local, cluster, &request, k, overlaps.entry(name).or_default())?;
            for what in differences {
                if parity.differences.len() < 40 {
                    parity.differences.push(format!("{what} for {:?}", request.query));
                }
            }
        }
    }
    for (name, values) in overlaps {
        if let Some(k) = parity.kinds.get_mut(&name) {
            k.top10_overlap = values.iter().sum::<f64>() / values.len().max(1) as f64;
        }
    }
    Ok(parity)
}

/// One request both ways; what differed.
fn compare_one(
    local: &Index,
    cluster: &Index,
    request: &SearchRequest,
    k: &mut KindParity,
    overlaps: &mut Vec<f64>,
) -> anyhow::Result<Vec<&'static str>> {
    let mut differs = Vec::new();
    let every = request
        .clone()
        .as_typed(true)
        .all_copies(true)
        .limit(ALL)
        .snippet_chars(0);
    let (a, b) = (local.search(&every)?, cluster.search(&every)?);
    let ids = |r: &SearchResults| r.hits.iter().map(|h| h.id.clone()).collect::<BTreeSet<_>>();
    if ids(&a) != ids(&b) {
        k.matches_differ += 1;
        differs.push("matching articles");
    }
    if a.total != b.total {
        k.totals_differ += 1;
        differs.push("total");
    }
    let (mut fa, mut fb) = (serde_json::to_value(&a.facets)?, serde_json::to_value(&b.facets)?);
    if fa["unlisted"] != fb["unlisted"] {
        k.unlisted_differ += 1;
    }
    fa["unlisted"] = serde_json::Value::Null;
    fb["unlisted"] = serde_json::Value::Null;
    if fa != fb {
        k.facets_differ += 1;
        differs.push("facets");
    }
    let grouped = request.clone().as_typed(true).facets(false).limit(10);
    let (a, b) = (local.search(&grouped)?, cluster.search(&grouped)?);
    if a.releases != b.releases {
        k.releases_differ += 1;
        differs.push("releases");
    }
    let top = |r: &SearchResults| r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    let (ta, tb) = (top(&a), top(&b));
    if !ta.is_empty() {
        overlaps.push(ta.iter().filter(|id| tb.contains(id)).count() as f64 / ta.len() as f64);
    }
    let highlights = |r: &SearchResults| -> BTreeMap<String, String> {
        r.hits
            .iter()
            .map(|h| (h.id.clone(), format!("{:?}{:?}", h.title_highlights, h.snippet)))
            .collect()
    };
    let copies = |r: &SearchResults| -> BTreeMap<String, BTreeSet<String>> {
        r.hits
            .iter()
            .map(|h| (h.id.clone(), h.copies.iter().map(|c| c.id.clone()).collect()))
            .collect()
    };
    let (ca, cb) = (copies(&a), copies(&b));
    if ca
        .iter()
        .any(|(id, listed)| cb.get(id).is_some_and(|other| other != listed))
    {
        k.releases_differ += 1;
        differs.push("copies listed under a hit");
    }
    let (ha, hb) = (highlights(&a), highlights(&b));
    if ha
        .iter()
        .any(|(id, marks)| hb.get(id).is_some_and(|other| other != marks))
    {
        k.highlights_differ += 1;
        differs.push("highlights");
    }
    let assisted = request.clone().facets(false).limit(1);
    let (a, b) = (local.search(&assisted)?, cluster.search(&assisted)?);
    let rewrite = |r: &SearchResults| {
        (
            r.searched_as.as_ref().map(|w| w.query.clone()),
            r.did_you_mean.as_ref().map(|w| w.query.clone()),
        )
    };
    if rewrite(&a) != rewrite(&b) {
        k.rewrites_differ += 1;
        differs.push("rewrite");
    }
    Ok(differs)
}

/// `text` as an exact string of the query syntax.
fn quoted(text: &str) -> String {
    let inner = text.trim_matches('"').replace('"', "");
    format!("\"{inner}\"")
}

/// The first and the day after the last day of a month facet's value (`2022-05`), in China
/// time.
fn month_range(
    month: &str,
) -> Option<(
    chrono::DateTime<chrono::FixedOffset>,
    chrono::DateTime<chrono::FixedOffset>,
)> {
    let (year, month) = month.split_once('-')?;
    let (year, month): (i32, u32) = (year.parse().ok()?, month.parse().ok()?);
    let china = chrono::FixedOffset::east_opt(8 * 3600)?;
    let since = china.with_ymd_and_hms(year, month, 1, 0, 0, 0).single()?;
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let until = china.with_ymd_and_hms(ny, nm, 1, 0, 0, 0).single()?;
    Some((since, until))
}
