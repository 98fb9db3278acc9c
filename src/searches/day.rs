//! One day's counts: in memory a map from query to counts, on disk one JSON file.

use std::collections::HashMap;
use std::hash::Hasher;

use base64::Engine as _;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{normalise, Searched, MAX_QUERIES_PER_DAY, MAX_QUERY_CHARS};

/// The version of a day file's layout.
pub(super) const DAY_FORMAT: u32 = 1;
/// Bits of a query's visitor set.
const VISITOR_BITS: usize = 512;
/// The most distinct rewrites kept for one query.
const MAX_REWRITES: usize = 4;

/// The set of visitors who searched a query on one day: one bit each, by a keyed hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Visitors([u64; VISITOR_BITS / 64]);

impl Visitors {
    /// Sets the bit of `visitor` for `query`: the query is hashed too, so the bits of one
    /// visitor's queries are unrelated and no file links one visitor's searches.
    fn add(&mut self, visitor: std::net::IpAddr, query: &str, key: &[u8; 16]) {
        let mut hasher = siphasher::sip::SipHasher13::new_with_key(key);
        hasher.write(query.as_bytes());
        hasher.write_u8(0xFF);
        match visitor {
            std::net::IpAddr::V4(v4) => hasher.write(&v4.octets()),
            // A visitor of IPv6 is its /64, the part a provider gives one customer.
            std::net::IpAddr::V6(v6) => hasher.write(&v6.octets()[..8]),
        }
        let bit = (hasher.finish() % VISITOR_BITS as u64) as usize;
        self.0[bit / 64] |= 1 << (bit % 64);
    }

    /// The estimated number of distinct visitors (linear counting: −m·ln(empty/m), rounded;
    /// the set full reads as m·ln m).
    pub(super) fn estimate(&self) -> u64 {
        let set: u32 = self.0.iter().map(|w| w.count_ones()).sum();
        let m = VISITOR_BITS as f64;
        let empty = (VISITOR_BITS as u32 - set).max(1) as f64;
        (-m * (empty / m).ln()).round() as u64
    }

    fn to_text(self) -> String {
        let bytes: Vec<u8> = self.0.iter().flat_map(|w| w.to_le_bytes()).collect();
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
    }

    fn from_text(text: &str) -> Option<Visitors> {
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(text).ok()?;
        if bytes.len() != VISITOR_BITS / 8 {
            return None;
        }
        let mut words = [0u64; VISITOR_BITS / 64];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            *word = u64::from_le_bytes(chunk.try_into().ok()?);
        }
        Some(Visitors(words))
    }
}

/// One query's counts on one day.
#[derive(Clone, Debug, Default)]
pub(super) struct Counts {
    pub(super) searches: u64,
    /// Searches that found at least one article as typed (no rewrite searched instead).
    pub(super) found: u64,
    /// Searches that found nothing, as typed or rewritten.
    pub(super) nothing: u64,
    /// Articles the latest search found.
    pub(super) articles: u64,
    pub(super) visitors: Visitors,
    /// Queries searched instead of this one, with how often.
    pub(super) rewrites: Vec<(String, u64)>,
}

/// One day of searches.
#[derive(Clone, Debug)]
pub(super) struct Day {
    pub(super) day: NaiveDate,
    pub(super) searches: u64,
    /// Searches of queries not listed: too long, or past the day's limit of queries.
    pub(super) unlisted: u64,
    pub(super) queries: HashMap<String, Counts>,
}

impl Day {
    pub(super) fn new(day: NaiveDate) -> Day {
        Day {
            day,
            searches: 0,
            unlisted: 0,
            queries: HashMap::new(),
        }
    }

    pub(super) fn count(&mut self, searched: &Searched<'_>, key: &[u8; 16]) {
        let query = normalise(searched.query);
        if query.is_empty() {
            return;
        }
        self.searches += 1;
        let listed = query.chars().count() <= MAX_QUERY_CHARS
            && (self.queries.contains_key(&query) || self.queries.len() < MAX_QUERIES_PER_DAY);
        if !listed {
            self.unlisted += 1;
            return;
        }
        let counts = self.queries.entry(query.clone()).or_default();
        counts.searches += 1;
        counts.articles = searched.articles as u64;
        counts.visitors.add(searched.visitor, &query, key);
        counts.nothing += u64::from(searched.articles == 0);
        match searched.searched_as.map(normalise) {
            None => counts.found += u64::from(searched.articles > 0),
            Some(rewrite) => {
                if let Some(seen) = counts.rewrites.iter_mut().find(|(q, _)| *q == rewrite) {
                    seen.1 += 1;
                } else if counts.rewrites.len() < MAX_REWRITES && rewrite.chars().count() <= MAX_QUERY_CHARS {
                    counts.rewrites.push((rewrite, 1));
                }
            }
        }
    }

    pub(super) fn to_file(&self) -> DayFile {
        let mut queries: Vec<QueryFile> = self
            .queries
            .iter()
            .map(|(query, c)| QueryFile {
                query: query.clone(),
                searches: c.searches,
                found: c.found,
                nothing: c.nothing,
                articles: c.articles,
                visitors: c.visitors.estimate(),
                seen: c.visitors.to_text(),
                rewrites: c.rewrites.clone(),
            })
            .collect();
        queries.sort_by(|a, b| b.searches.cmp(&a.searches).then_with(|| a.query.cmp(&b.query)));
        DayFile {
            format: DAY_FORMAT,
            day: self.day,
            searches: self.searches,
            unlisted: self.unlisted,
            queries,
        }
    }

    /// The day a file holds, or `None` when it is not a day file of this format.
    pub(super) fn from_file(file: DayFile) -> Option<Day> {
        if file.format != DAY_FORMAT {
            return None;
        }
        let mut queries = HashMap::with_capacity(file.queries.len());
        for q in file.queries {
            let counts = Counts {
                searches: q.searches,
                found: q.found,
                nothing: q.nothing,
                articles: q.articles,
                visitors: Visitors::from_text(&q.seen)?,
                rewrites: q.rewrites,
            };
            queries.insert(q.query, counts);
        }
        Some(Day {
            day: file.day,
            searches: file.searches,
            unlisted: file.unlisted,
            queries,
        })
    }
}

/// A day as its file holds it.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct DayFile {
    pub(super) format: u32,
    pub(super) day: NaiveDate,
    pub(super) searches: u64,
    pub(super) unlisted: u64,
    pub(super) queries: Vec<QueryFile>,
}

/// A query's counts as a day file holds them.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct QueryFile {
    pub(super) query: String,
    pub(super) searches: u64,
    pub(super) found: u64,
    pub(super) nothing: u64,
    pub(super) articles: u64,
    /// The estimate of `seen`, for a person reading the file.
    pub(super) visitors: u64,
    /// The visitor set, base64.
    pub(super) seen: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) rewrites: Vec<(String, u64)>,
}
