//! The backend of an index exported to an OpenSearch cluster ([`Remote`]): the cluster
//! matches, filters, counts, groups reprints (collapsing on each article's release) and
//! counts facets; the hits are built here from the articles' stored text, with the snippets
//! and highlights a local index gives. The query is read, assisted and rewritten by the
//! engine as for a local index, with the segmenter, everyday words and vocabulary the
//! exports sent along ([`export`]).

pub(crate) mod export;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::backend::Backend;
use super::describe::describe;
use super::IndexStats;
use crate::article::Force;
use crate::assist::vocabulary::Vocabulary;
use crate::error::{Error, Result};
use crate::opensearch::document::{Stored, FACETS};
use crate::opensearch::{dsl, Cluster};
use crate::query::score::{KEYWORD_SHARED, STRING_WEIGHT};
use crate::query::synonyms::Synonyms;
use crate::query::{ParsedQuery, Scope};
use crate::search::snippet::{self, Snippet};
use crate::search::{
    ArticlePage, Copy, FacetCount, Facets, Hit, SearchRequest, SearchResults, Sort, DEFAULT_SNIPPET_CHARS,
    MAX_COPIES_LISTED,
};
use crate::text::segment::Segmenter;

/// How long a search waits for the cluster.
const SEARCH_TIMEOUT: Duration = Duration::from_secs(30);
/// The deepest a page of hits reaches (the mapping's `max_result_window`).
const DEEPEST: usize = 100_000;
/// Values each shard lists for a facet, beyond those asked for. The facets list the most
/// frequent values, ties by value; many values share the smallest counts, so a shard that
/// lists only a few more than asked for lists other ties than the whole index would (a
/// part of a large index's requests differ), and the counts of those listed are exact
/// only while each is among its shard's first this many.
const SHARD_VALUES: usize = 2_000;
/// The precision of OpenSearch's distinct counts (HyperLogLog++): its most, below which its
/// estimates are closest.
const EXACT_DISTINCT: u64 = 40_000;
/// The most releases of reprinted articles a search counts by name (exactly); beyond, their
/// number is estimated.
const MOST_RELEASES: usize = 50_000;

/// How often an index that follows the cluster ([`Remote::follow`]) asks whether an export
/// ran since its vocabulary was read.
const FOLLOW_EVERY: Duration = Duration::from_secs(10);

/// An index on a cluster, with what its exports sent along.
pub(crate) struct Remote {
    cluster: Cluster,
    segmenter: Segmenter,
    synonyms: Synonyms,
    /// The exports' vocabularies summed, read on first use: a search that needs no query
    /// help does not wait for it.
    vocabulary: Mutex<Option<Held>>,
    /// Whether to read the vocabulary again after an export, as a server does.
    following: AtomicBool,
    articles: AtomicU64,
    location: PathBuf,
}

/// A vocabulary as read, with the exports it was read from.
struct Held {
    vocabulary: Arc<Vocabulary>,
    exports: Vec<(String, u64)>,
    checked: Instant,
}

impl Remote {
    /// The index `name` on the cluster at `url`: refused when it is missing or was made by
    /// another mapping, or when its exports sent different dictionaries or synonyms.
    pub(crate) fn connect(url: &str, name: &str) -> Result<Remote> {
        let cluster = Cluster::new(url, name, SEARCH_TIMEOUT)?;
        let cluster = Cluster {
            client: cluster.client.once(),
            name: cluster.name,
        };
        let refused = |detail: &str| Error::ClusterRefused {
            url: cluster.client.shown.clone(),
            name: name.to_string(),
            detail: detail.to_string(),
        };
        if !cluster.check()? {
            return Err(refused("there is no such index: make it with `govsearch export`"));
        }
        let metas = cluster.metas(false)?;
        let Some(first) = metas.first() else {
            return Err(refused("no export finished into it: run `govsearch export` again"));
        };
        for key in ["dictionary", "synonyms"] {
            if metas.iter().any(|meta| meta[key] != first[key]) {
                return Err(refused(&format!(
                    "its exports were indexed with different {key}: export every folder with the same"
                )));
            }
        }
        let segmenter = match first["dictionary"].as_str() {
            Some(text) => Segmenter::with_kept_dictionary(text.to_string())
                .map_err(|detail| refused(&format!("its user dictionary cannot be read: {detail}")))?,
            None => Segmenter::default(),
        };
        let synonyms = match first["synonyms"].as_str() {
            Some(text) => match Synonyms::shipped().with_kept(text.to_string()) {
                Ok(table) => table,
                Err(text) => Synonyms::shipped().with(
                    &Synonyms::parse(&text)
                        .map_err(|detail| refused(&format!("its synonyms cannot be read: {detail}")))?,
                ),
            },
            None => Synonyms::shipped(),
        };
        let location = PathBuf::from(format!("{}/{}", cluster.client.shown, name));
        let mut remote = Remote {
            cluster,
            segmenter,
            synonyms,
            vocabulary: Mutex::new(None),
            following: AtomicBool::new(false),
            articles: AtomicU64::new(0),
            location,
        };
        remote.articles = AtomicU64::new(remote.count_all()?);
        Ok(remote)
    }

    /// Reads the vocabulary now and, with `on`, again after each export (asking at most every
    /// [`FOLLOW_EVERY`]): what a long-running server wants.
    pub(crate) fn follow(&self, on: bool) -> Result<()> {
        self.following.store(on, Ordering::Relaxed);
        if on {
            self.vocabulary()?;
        }
        Ok(())
    }

    /// The vocabulary of every export into the index, summed: read from the cluster once, or
    /// when following it, again after an export ran (with the number of articles).
    pub(crate) fn vocabulary(&self) -> Result<Arc<Vocabulary>> {
        let mut held = self.vocabulary.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = held.as_mut() {
            if !self.following.load(Ordering::Relaxed) || held.checked.elapsed() < FOLLOW_EVERY {
                return Ok(Arc::clone(&held.vocabulary));
            }
            held.checked = Instant::now();
            // A cluster that does not answer keeps what was read: the search says so itself.
            if self.cluster.exports().map_or(true, |exports| exports == held.exports) {
                return Ok(Arc::clone(&held.vocabulary));
            }
        }
        let exports = self.cluster.exports()?;
        let mut terms: HashMap<String, u32> = HashMap::new();
        let mut described = 0u64;
        for meta in self.cluster.metas(true)? {
            described += meta["articles"].as_u64().unwrap_or(0);
            for pair in meta["vocabulary"].as_array().into_iter().flatten() {
                if let (Some(text), Some(count)) = (pair[0].as_str(), pair[1].as_u64()) {
                    let entry = terms.entry(text.to_string()).or_default();
                    *entry = entry.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
                }
            }
        }
        let vocabulary = Arc::new(Vocabulary::new(terms.into_iter().collect(), described.max(1)));
        if held.is_some() {
            self.articles.store(self.count_all()?, Ordering::Relaxed);
        }
        *held = Some(Held {
            vocabulary: Arc::clone(&vocabulary),
            exports,
            checked: Instant::now(),
        });
        Ok(vocabulary)
    }

    /// Where the index is: the cluster's address and the index's name.
    pub(crate) fn location(&self) -> &Path {
        &self.location
    }

    fn count_all(&self) -> Result<u64> {
        let answer = self.cluster.search(&json!({ "size": 0, "track_total_hits": true }))?;
        Ok(answer["hits"]["total"]["value"].as_u64().unwrap_or(0))
    }

    /// The query and filters of a request, as one query.
    fn filtered(&self, request: &SearchRequest, parsed: &ParsedQuery) -> Value {
        let filters = dsl::filters(request, crate::dates::today());
        json!({ "bool": { "must": dsl::query(parsed, request.scope), "filter": filters } })
    }

    /// The hit of a document's stored part.
    fn hit(stored: Stored, rank: usize, score: Option<f32>, needles: &[String], snippet_chars: usize) -> Hit {
        let today = crate::dates::today();
        Hit {
            rank,
            id: stored.id,
            score,
            path: stored.path,
            record: stored.record.filter(|&r| r > 0),
            title_highlights: snippet::highlight_all(&stored.title, needles),
            title: stored.title,
            force: stored.meta.force(today),
            meta: stored.meta,
            snippet: if snippet_chars == 0 {
                Snippet::default()
            } else {
                snippet::make_snippet(&stored.body, needles, snippet_chars)
            },
            copies: Vec::new(),
        }
    }

    /// Lists under each reprinted hit the other articles of its release that the request
    /// matches, earliest first: one search for the whole page.
    fn add_copies(
        &self,
        request: &SearchRequest,
        parsed: &ParsedQuery,
        hits: &mut [Hit],
        reprinted: &[(usize, String)],
    ) -> Result<()> {
        let releases: Vec<&str> = reprinted.iter().map(|(_, release)| release.as_str()).collect();
        let body = json!({
            "query": { "bool": {
                "must": self.filtered(request, parsed),
                "filter": { "terms": { "release": releases } },
            } },
            "size": (MAX_COPIES_LISTED + 1) * releases.len(),
            "_source": ["stored.id", "stored.path", "stored.title", "stored.meta.source", "stored.meta.site", "stored.meta.published", "release"],
            "sort": [{ "published": { "order": "asc", "missing": "_last" } }, { "id": "asc" }],
        });
        let answer = self.cluster.search(&body)?;
        for copy in answer["hits"]["hits"].as_array().into_iter().flatten() {
            let release = copy["_source"]["release"].as_str().unwrap_or_default();
            let stored = &copy["_source"]["stored"];
            let id = stored["id"].as_str().unwrap_or_default();
            for (at, _) in reprinted.iter().filter(|(_, r)| r == release) {
                let hit = &mut hits[*at];
                if id == hit.id || hit.copies.len() == MAX_COPIES_LISTED {
                    continue;
                }
                let text = |key: &str| stored["meta"][key].as_str().map(str::to_string);
                hit.copies.push(Copy {
                    id: id.to_string(),
                    title: stored["title"].as_str().unwrap_or_default().to_string(),
                    path: stored["path"].as_str().unwrap_or_default().to_string(),
                    source: text("source"),
                    site: text("site"),
                    published: serde_json::from_value(stored["meta"]["published"].clone()).ok(),
                });
            }
        }
        Ok(())
    }

    /// The stored part of a hit of an answer.
    fn stored(&self, hit: &Value) -> Result<Stored> {
        serde_json::from_value(hit["_source"]["stored"].clone()).map_err(|err| Error::ClusterRefused {
            url: self.cluster.client.shown.clone(),
            name: self.cluster.name.clone(),
            detail: format!("a document is not one govsearch export wrote ({err})"),
        })
    }
}

/// The aggregations of the facets a search counts, `n` values each.
fn facet_aggregations(n: usize) -> serde_json::Map<String, Value> {
    let mut aggs = serde_json::Map::new();
    let size = n.max(1);
    for field in FACETS.iter().copied().chain(["month"]) {
        let order = if field == "month" {
            json!([{ "_key": "desc" }])
        } else {
            json!([{ "_count": "desc" }, { "_key": "asc" }])
        };
        aggs.insert(
            field.to_string(),
            json!({ "terms": { "field": field, "size": size, "shard_size": size + SHARD_VALUES, "order": order } }),
        );
        aggs.insert(
            format!("{field}_distinct"),
            json!({ "cardinality": { "field": field, "precision_threshold": EXACT_DISTINCT } }),
        );
    }
    let today = crate::dates::today();
    let states: serde_json::Map<String, Value> = Force::ALL
        .into_iter()
        .map(|state| (state.name().to_string(), dsl::force_state(state, today)))
        .collect();
    aggs.insert("force".into(), json!({ "filters": { "filters": states } }));
    aggs
}

/// The facet counts of an answer's aggregations.
fn facets_of(aggs: &Value, n: usize) -> Facets {
    let listed = |field: &str| -> (Vec<FacetCount>, usize) {
        let values: Vec<FacetCount> = aggs[field]["buckets"]
            .as_array()
            .into_iter()
            .flatten()
            .take(n)
            .map(|bucket| FacetCount {
                value: bucket["key"].as_str().unwrap_or_default().to_string(),
                count: bucket["doc_count"].as_u64().unwrap_or(0),
            })
            .collect();
        let distinct = aggs[format!("{field}_distinct")]["value"].as_u64().unwrap_or(0) as usize;
        let unlisted = distinct.saturating_sub(values.len());
        (values, unlisted)
    };
    let fields = [
        "source", "editor", "keyword", "month", "column", "issuer", "topic", "kind",
    ]
    .map(listed);
    let force = Force::ALL
        .into_iter()
        .filter_map(|state| {
            let count = aggs["force"]["buckets"][state.name()]["doc_count"]
                .as_u64()
                .unwrap_or(0);
            (count > 0).then(|| FacetCount {
                value: state.name().to_string(),
                count,
            })
        })
        .collect();
    Facets::from_fields(fields, force)
}

/// The order of a page: newest first for `*` and a date sort, by score otherwise; ties by
/// id, so that a page does not depend on the shards.
fn sort_of(by_date: bool) -> Value {
    let newest = json!({ "published": { "order": "desc", "missing": "_last" } });
    if by_date {
        json!([newest, { "id": "asc" }])
    } else {
        json!(["_score", newest, { "id": "asc" }])
    }
}

impl Backend for Remote {
    fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    fn num_articles(&self) -> u64 {
        self.articles.load(Ordering::Relaxed)
    }

    fn articles_now(&self) -> Result<u64> {
        self.count_all()
    }

    fn search(&self, request: &SearchRequest, parsed: ParsedQuery) -> Result<SearchResults> {
        let by_date = parsed.matches_everything() || request.sort == Sort::Date;
        let from = request.offset.min(DEEPEST);
        let size = request.limit.min(DEEPEST - from);
        let mut source = vec![
            "stored.id",
            "stored.path",
            "stored.record",
            "stored.title",
            "stored.meta",
        ];
        if request.snippet_chars > 0 {
            source.push("stored.body");
        }
        let mut body = json!({
            "query": self.filtered(request, &parsed),
            "from": from,
            "size": size,
            "track_total_hits": true,
            "_source": source,
            "sort": sort_of(by_date),
        });
        let mut aggs = if request.facets {
            facet_aggregations(request.facet_values)
        } else {
            serde_json::Map::new()
        };
        if !request.all_copies {
            body["collapse"] = json!({ "field": "release" });
            // The releases among the matches: every match that is no reprint is one, and the
            // reprinted ones are counted by their releases' names, exactly while there are
            // fewer than MOST_RELEASES of those.
            aggs.insert(
                "reprinted".into(),
                json!({
                    "filter": { "term": { "reprinted": true } },
                    "aggs": {
                        "names": { "terms": { "field": "release", "size": MOST_RELEASES } },
                        "estimate": { "cardinality": { "field": "release", "precision_threshold": EXACT_DISTINCT } },
                    }
                }),
            );
        }
        if !aggs.is_empty() {
            body["aggs"] = Value::Object(aggs);
        }
        let answer = self.cluster.search(&body)?;
        let total = answer["hits"]["total"]["value"].as_u64().unwrap_or(0) as usize;
        let releases = if request.all_copies {
            total
        } else {
            let reprinted = &answer["aggregations"]["reprinted"];
            let copies = reprinted["doc_count"].as_u64().unwrap_or(0) as usize;
            let names = reprinted["names"]["buckets"].as_array().map_or(0, Vec::len);
            let distinct = if names < MOST_RELEASES {
                names
            } else {
                reprinted["estimate"]["value"].as_u64().unwrap_or(0) as usize
            };
            (total.saturating_sub(copies) + distinct).min(total)
        };
        let needles = parsed.needles();
        let mut hits = Vec::new();
        // The hits whose release has other articles, by their place on the page.
        let mut reprinted: Vec<(usize, String)> = Vec::new();
        for (i, found) in answer["hits"]["hits"].as_array().into_iter().flatten().enumerate() {
            let score = if by_date {
                None
            } else {
                found["_score"].as_f64().map(|s| s as f32)
            };
            let stored = self.stored(found)?;
            let hit = Remote::hit(stored, request.offset + i + 1, score, &needles, request.snippet_chars);
            if found["_source"]["reprinted"] == json!(true) && !request.all_copies {
                if let Some(release) = found["_source"]["release"].as_str() {
                    reprinted.push((hits.len(), release.to_string()));
                }
            }
            hits.push(hit);
        }
        if !reprinted.is_empty() {
            self.add_copies(request, &parsed, &mut hits, &reprinted)?;
        }
        Ok(SearchResults {
            total,
            releases,
            hits,
            facets: if request.facets {
                facets_of(&answer["aggregations"], request.facet_values)
            } else {
                Facets::default()
            },
            unmatched_filters: Vec::new(),
            searched_as: None,
            did_you_mean: None,
        })
    }

    fn count(&self, request: &SearchRequest, parsed: ParsedQuery) -> Result<usize> {
        let body = json!({ "query": self.filtered(request, &parsed), "size": 0, "track_total_hits": true });
        let answer = self.cluster.search(&body)?;
        Ok(answer["hits"]["total"]["value"].as_u64().unwrap_or(0) as usize)
    }

    fn titles_with(&self) -> Box<dyn Fn(&str) -> u64 + '_> {
        // The vocabulary answers from memory when it is read already; the cluster's count of
        // titles with the word otherwise, without reading the vocabulary for a query that may
        // need nothing. A count the cluster does not give is no evidence either way.
        let known = self
            .vocabulary
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|held| Arc::clone(&held.vocabulary));
        Box::new(move |word: &str| match &known {
            Some(vocabulary) => vocabulary.articles_with(word).map_or(0, u64::from),
            None => self
                .cluster
                .count(&json!({ "term": { "title_words": word } }))
                .unwrap_or(0),
        })
    }

    fn vocabulary(&self) -> Result<Arc<Vocabulary>> {
        Remote::vocabulary(self)
    }

    fn article(&self, id: &str, needles: &[String]) -> Result<Option<ArticlePage>> {
        let Some(doc) = self.cluster.get(id)? else {
            return Ok(None);
        };
        let stored = self.stored(&doc)?;
        let body = stored.body.clone();
        let hit = Remote::hit(stored, 0, None, needles, 0);
        Ok(Some(ArticlePage::of(hit, body, needles)))
    }

    fn related(&self, id: &str, limit: usize) -> Result<Option<Vec<Hit>>> {
        let Some(doc) = self.cluster.get(id)? else {
            return Ok(None);
        };
        if limit == 0 {
            return Ok(Some(Vec::new()));
        }
        let release = doc["_source"]["release"].as_str().unwrap_or(id).to_string();
        let stored = self.stored(&doc)?;
        let terms = describe(
            &*Remote::vocabulary(self)?,
            &self.segmenter,
            &stored.title,
            &stored.body,
        );
        let keywords = stored.meta.keywords.clone();
        if terms.is_empty() && keywords.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let mut options: Vec<Value> = terms
            .iter()
            .map(|(term, weight)| dsl::contains(term, Scope::Anywhere, STRING_WEIGHT * weight))
            .collect();
        options.extend(keywords.iter().map(|keyword| {
            json!({ "constant_score": { "filter": { "term": { "keyword": keyword } }, "boost": KEYWORD_SHARED } })
        }));
        let least = 2.min(options.len()).max(1);
        let body = json!({
            "query": { "bool": {
                "should": options,
                "minimum_should_match": least,
                "must_not": [{ "term": { "release": release } }, { "term": { "id": id } }],
            } },
            "size": limit,
            "_source": ["stored"],
            "sort": sort_of(false),
            "collapse": { "field": "release" },
        });
        let answer = self.cluster.search(&body)?;
        let needles: Vec<String> = terms.into_iter().map(|(t, _)| t).chain(keywords).collect();
        let mut hits = Vec::new();
        for (i, found) in answer["hits"]["hits"].as_array().into_iter().flatten().enumerate() {
            let score = found["_score"].as_f64().map(|s| s as f32);
            hits.push(Remote::hit(
                self.stored(found)?,
                i + 1,
                score,
                &needles,
                DEFAULT_SNIPPET_CHARS,
            ));
        }
        Ok(Some(hits))
    }

    fn stats(&self) -> Result<IndexStats> {
        let body = json!({
            "size": 0,
            "track_total_hits": true,
            "aggs": {
                "layouts": { "terms": { "field": "kind", "size": 100 } },
                "sources": { "terms": { "field": "source", "size": 10_000, "order": [{ "_count": "desc" }, { "_key": "asc" }] } },
                "first": { "min": { "field": "published" } },
                "last": { "max": { "field": "published" } },
            }
        });
        let answer = self.cluster.search(&body)?;
        let aggs = &answer["aggregations"];
        let counts = |name: &str| -> Vec<FacetCount> {
            aggs[name]["buckets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|bucket| FacetCount {
                    value: bucket["key"].as_str().unwrap_or_default().to_string(),
                    count: bucket["doc_count"].as_u64().unwrap_or(0),
                })
                .collect()
        };
        let date = |name: &str| {
            aggs[name]["value"]
                .as_f64()
                .and_then(|ms| chrono::DateTime::from_timestamp_millis(ms as i64))
                .map(|d| d.with_timezone(&crate::dates::china()))
        };
        Ok(IndexStats {
            location: self.location.display().to_string(),
            articles: answer["hits"]["total"]["value"].as_u64().unwrap_or(0),
            files: 0,
            layouts: counts("layouts"),
            sources: counts("sources"),
            folders: Vec::new(),
            first_published: date("first"),
            last_published: date("last"),
            size_bytes: 0,
            updated: None,
        })
    }
}
