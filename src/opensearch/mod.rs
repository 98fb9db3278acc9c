//! What govsearch says to an OpenSearch cluster: the index it makes there (one mapping,
//! `opensearch/mapping.json`, versioned with the index format), the documents it sends
//! ([`document`]), the queries it asks ([`dsl`]), and the requests themselves ([`client`]).
//! The engine's cluster backend and `govsearch export` are built on this module; it knows
//! nothing of either.

pub(crate) mod client;
pub(crate) mod document;
pub(crate) mod dsl;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use client::{segment, Client};

/// The mapping and analysis of a govsearch index on a cluster.
const MAPPING: &str = include_str!("../../opensearch/mapping.json");

/// Why an index of the name is not govsearch's.
const NOT_OURS: &str = "it was not made by govsearch export";

/// How many times a search is asked while some shards do not answer.
const SHARD_ATTEMPTS: usize = 3;

/// How many ids a page of [`Cluster::digests`] reads.
const IDS_PAGE: usize = 10_000;

/// How long items of a bulk request the cluster refuses (429: its queues are full; 503: a
/// shard has no primary yet) are sent again: a node lost under an export leaves its shards
/// without a primary until the cluster notices and promotes a replica, which on a loaded
/// machine takes well over the few seconds of a handful of tries.
const BULK_PATIENCE: Duration = Duration::from_secs(120);

/// One govsearch index on a cluster, and the index beside it that holds what each export
/// sent along (vocabulary, synonyms, dictionary).
pub(crate) struct Cluster {
    pub(crate) client: Client,
    /// The articles' index.
    pub(crate) name: String,
}

/// The version a mapping says it is, and the index format it was made for.
fn versions(mapping_meta: &Value) -> (Option<u64>, Option<u64>) {
    (
        mapping_meta["govsearch_mapping"].as_u64(),
        mapping_meta["govsearch_format"].as_u64(),
    )
}

/// The mapping file's JSON.
fn template() -> Value {
    serde_json::from_str(MAPPING).expect("the mapping in the repository is JSON")
}

impl Cluster {
    /// The index `name` on the cluster at `url`, each request given up after `timeout`.
    pub(crate) fn new(url: &str, name: &str, timeout: Duration) -> Result<Cluster> {
        let client = Client::new(url, timeout)?;
        let valid = !name.is_empty()
            && name.len() <= 200
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
            && !name.starts_with(['-', '_']);
        if !valid {
            return Err(Error::ClusterRefused {
                url: client.shown.clone(),
                name: name.to_string(),
                detail: "an index name is lower-case letters, digits, - and _, not starting with - or _".into(),
            });
        }
        Ok(Cluster {
            client,
            name: name.to_string(),
        })
    }

    /// The index of what the exports sent along.
    fn meta_name(&self) -> String {
        format!("{}-govsearch", self.name)
    }

    fn refused(&self, detail: impl Into<String>) -> Error {
        Error::ClusterRefused {
            url: self.client.shown.clone(),
            name: self.name.clone(),
            detail: detail.into(),
        }
    }

    /// Whether the index exists; an error when it exists with a mapping this build did not
    /// make (another version, or not govsearch's), which is never searched or written.
    pub(crate) fn check(&self) -> Result<bool> {
        let answer = self
            .client
            .send("GET", &format!("/{}/_mapping", segment(&self.name)), None)?;
        if answer.status == 404 {
            return Ok(false);
        }
        if !answer.ok() {
            return Err(Error::ClusterUnavailable {
                url: self.client.shown.clone(),
                detail: answer.problem(),
            });
        }
        let meta = answer
            .json
            .as_object()
            .and_then(|indexes| indexes.values().next())
            .map(|index| index["mappings"]["_meta"].clone())
            .unwrap_or(Value::Null);
        let wanted = (
            versions(&template()["mappings"]["_meta"]).0,
            Some(u64::from(crate::format::FORMAT)),
        );
        match versions(&meta) {
            (None, _) => Err(self.refused(NOT_OURS)),
            found if found == wanted => Ok(true),
            (mapping, format) => Err(self.refused(format!(
                "it was made with mapping {} for index format {}; this build makes mapping {} for format {}: \
                 export again with `govsearch export --replace`, or into another name",
                mapping.unwrap_or_default(),
                format.unwrap_or_default(),
                wanted.0.unwrap_or_default(),
                crate::format::FORMAT
            ))),
        }
    }

    /// Deletes the index and the one beside it, when govsearch made them (of any version);
    /// an index of the same name that govsearch did not make is refused, never deleted.
    pub(crate) fn delete(&self) -> Result<()> {
        match self.check() {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(Error::ClusterRefused { detail, .. }) if detail == NOT_OURS => {
                return Err(self.refused("it was not made by govsearch export, so it is not replaced"));
            }
            Err(Error::ClusterRefused { .. }) => {}
            Err(err) => return Err(err),
        }
        for name in [self.name.clone(), self.meta_name()] {
            let answer = self.client.send("DELETE", &format!("/{}", segment(&name)), None)?;
            if !answer.ok() && answer.status != 404 {
                return Err(Error::ClusterUnavailable {
                    url: self.client.shown.clone(),
                    detail: format!("deleting {name}: {}", answer.problem()),
                });
            }
        }
        Ok(())
    }

    /// Makes the index with govsearch's mapping in `shards` primary shards with `replicas`
    /// copies each, and the index beside it.
    pub(crate) fn create(&self, shards: u32, replicas: u32) -> Result<()> {
        let mut body = template();
        body["settings"]["index"]["number_of_shards"] = json!(shards);
        body["settings"]["index"]["number_of_replicas"] = json!(replicas);
        body["mappings"]["_meta"]["govsearch_format"] = json!(crate::format::FORMAT);
        self.client.json("PUT", &format!("/{}", segment(&self.name)), &body)?;
        let meta = json!({
            "settings": { "index": { "number_of_shards": 1, "number_of_replicas": replicas } },
            "mappings": {
                "dynamic": "strict",
                "properties": { "origin": { "type": "keyword" }, "data": { "type": "object", "enabled": false } }
            }
        });
        let answer = self.client.send(
            "PUT",
            &format!("/{}", segment(&self.meta_name())),
            Some(&serde_json::to_vec(&meta).unwrap_or_default()),
        )?;
        // Already there from an export that stopped between the two: kept as it is.
        if !answer.ok() && answer.json["error"]["type"] != "resource_already_exists_exception" {
            return Err(Error::ClusterUnavailable {
                url: self.client.shown.clone(),
                detail: answer.problem(),
            });
        }
        Ok(())
    }

    /// The id and digest of every article exported from `origin`.
    pub(crate) fn digests(&self, origin: &str) -> Result<HashMap<String, String>> {
        let mut found = HashMap::new();
        let mut after: Option<Value> = None;
        loop {
            let mut body = json!({
                "size": IDS_PAGE,
                "_source": false,
                "docvalue_fields": ["digest"],
                "query": { "term": { "origin": origin } },
                "sort": [{ "id": "asc" }],
                "track_total_hits": false,
            });
            if let Some(after) = after.take() {
                body["search_after"] = after;
            }
            let answer = self.search(&body)?;
            let hits = answer["hits"]["hits"].as_array().cloned().unwrap_or_default();
            for hit in &hits {
                let id = hit["_id"].as_str().unwrap_or_default().to_string();
                let digest = hit["fields"]["digest"][0].as_str().unwrap_or_default().to_string();
                found.insert(id, digest);
            }
            match hits.last() {
                Some(last) if hits.len() == IDS_PAGE => after = Some(last["sort"].clone()),
                _ => return Ok(found),
            }
        }
    }

    /// Sends one `_bulk` request of NDJSON `lines` (each action with its document, if any),
    /// sending again the items the cluster answered 429 or 503 for, until [`BULK_PATIENCE`].
    /// Returns how many items failed otherwise, with the first reason.
    pub(crate) fn bulk(&self, lines: &[String]) -> Result<Option<(usize, String)>> {
        self.bulk_within(lines, BULK_PATIENCE)
    }

    /// [`Cluster::bulk`], sending refused items again until `patience` has passed.
    fn bulk_within(&self, lines: &[String], patience: Duration) -> Result<Option<(usize, String)>> {
        // Each item is one action line, and its document unless it is a delete.
        let mut items: Vec<&[String]> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let delete = lines[i].starts_with("{\"delete\"");
            let len = if delete { 1 } else { 2 };
            items.push(&lines[i..(i + len).min(lines.len())]);
            i += len;
        }
        let mut wait = Duration::from_millis(500);
        let started = std::time::Instant::now();
        loop {
            let mut body = String::new();
            for line in items.iter().flat_map(|item| item.iter()) {
                body.push_str(line);
                body.push('\n');
            }
            let answer = self.client.send("POST", "/_bulk", Some(body.as_bytes()))?;
            if !answer.ok() {
                return Err(Error::ClusterUnavailable {
                    url: self.client.shown.clone(),
                    detail: format!("a bulk request: {}", answer.problem()),
                });
            }
            if answer.json["errors"] != json!(true) {
                return Ok(None);
            }
            let results = answer.json["items"].as_array().cloned().unwrap_or_default();
            let mut again = Vec::new();
            let (mut failed, mut first) = (0, String::new());
            for (item, result) in items.iter().zip(&results) {
                let result = result
                    .as_object()
                    .and_then(|r| r.values().next())
                    .cloned()
                    .unwrap_or_default();
                let status = result["status"].as_u64().unwrap_or(0);
                match status {
                    200..=299 => {}
                    // A delete of what is gone already is done.
                    404 if item[0].starts_with("{\"delete\"") => {}
                    429 | 503 => again.push(*item),
                    _ => {
                        failed += 1;
                        if first.is_empty() {
                            first = format!(
                                "HTTP {status}: {}",
                                result["error"]["reason"].as_str().unwrap_or("no reason")
                            );
                        }
                    }
                }
            }
            if failed > 0 {
                return Ok(Some((failed, first)));
            }
            if again.is_empty() {
                return Ok(None);
            }
            items = again;
            if started.elapsed() >= patience {
                return Err(Error::ClusterUnavailable {
                    url: self.client.shown.clone(),
                    detail: format!(
                        "{} items of a bulk request were refused (the cluster busy or a shard \
                         unavailable) for {} s",
                        items.len(),
                        patience.as_secs()
                    ),
                });
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(10));
        }
    }

    /// Makes what was sent visible to searches.
    pub(crate) fn refresh(&self) -> Result<()> {
        for name in [self.name.clone(), self.meta_name()] {
            self.client
                .json("POST", &format!("/{}/_refresh", segment(&name)), &json!({}))?;
        }
        Ok(())
    }

    /// A search of the articles' index. An answer some shards did not take part in (a node
    /// lost, its replicas not yet promoted) is no answer: asked again after a moment, then
    /// an error, never counts that leave articles out.
    pub(crate) fn search(&self, body: &Value) -> Result<Value> {
        let path = format!("/{}/_search", segment(&self.name));
        let mut wait = Duration::from_millis(100);
        for _ in 0..SHARD_ATTEMPTS {
            let answer = self.client.json("POST", &path, body)?;
            let failed = answer["_shards"]["failed"].as_u64().unwrap_or(0);
            let timed_out = answer["timed_out"] == json!(true);
            if failed == 0 && !timed_out {
                return Ok(answer);
            }
            std::thread::sleep(wait);
            wait *= 2;
        }
        Err(Error::ClusterUnavailable {
            url: self.client.shown.clone(),
            detail: "some of the index's shards did not answer: a node is lost and its copies not yet taken over"
                .into(),
        })
    }

    /// How many articles `query` matches.
    pub(crate) fn count(&self, query: &Value) -> Result<u64> {
        let path = format!("/{}/_count", segment(&self.name));
        let answer = self.client.json("POST", &path, &json!({ "query": query }))?;
        Ok(answer["count"].as_u64().unwrap_or(0))
    }

    /// One article's document, `None` when there is none with that id.
    pub(crate) fn get(&self, id: &str) -> Result<Option<Value>> {
        let path = format!("/{}/_doc/{}", segment(&self.name), segment(id));
        let answer = self.client.send("GET", &path, None)?;
        match answer.status {
            404 => Ok(None),
            _ if answer.ok() => Ok(Some(answer.json)),
            _ => Err(Error::ClusterUnavailable {
                url: self.client.shown.clone(),
                detail: answer.problem(),
            }),
        }
    }

    /// Keeps what the export from `origin` sends along.
    pub(crate) fn put_meta(&self, origin: &str, data: &Value) -> Result<()> {
        let path = format!("/{}/_doc/{}", segment(&self.meta_name()), segment(origin));
        self.client
            .json("PUT", &path, &json!({ "origin": origin, "data": data }))
            .map(drop)
    }

    /// Which exports sent their data, and how many times each did: an export's origin and the
    /// version of what it sent, in order. A change says an export ran since.
    pub(crate) fn exports(&self) -> Result<Vec<(String, u64)>> {
        let body = json!({ "size": 10_000, "version": true, "_source": false, "query": { "match_all": {} } });
        let answer = self
            .client
            .json("POST", &format!("/{}/_search", segment(&self.meta_name())), &body)?;
        let mut exports: Vec<(String, u64)> = answer["hits"]["hits"]
            .as_array()
            .map(|hits| {
                hits.iter()
                    .map(|hit| {
                        (
                            hit["_id"].as_str().unwrap_or_default().to_string(),
                            hit["_version"].as_u64().unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        exports.sort();
        Ok(exports)
    }

    /// What every export sent along, by origin; their vocabularies (the bulk of it) only when
    /// `vocabulary`.
    pub(crate) fn metas(&self, vocabulary: bool) -> Result<Vec<Value>> {
        let mut body = json!({ "size": 10_000, "query": { "match_all": {} } });
        if !vocabulary {
            body["_source"] = json!({ "excludes": ["data.vocabulary"] });
        }
        let answer = self
            .client
            .json("POST", &format!("/{}/_search", segment(&self.meta_name())), &body)?;
        Ok(answer["hits"]["hits"]
            .as_array()
            .map(|hits| hits.iter().map(|hit| hit["_source"]["data"].clone()).collect())
            .unwrap_or_default())
    }
}

/// An action line of a bulk request: index `id`.
pub(crate) fn index_action(name: &str, id: &str) -> String {
    json!({ "index": { "_index": name, "_id": id } }).to_string()
}

/// An action line of a bulk request: delete `id`.
pub(crate) fn delete_action(name: &str, id: &str) -> String {
    json!({ "delete": { "_index": name, "_id": id } }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cluster that answers each bulk request with its first item refused (503, a shard
    /// without a primary) `refusals` times, then accepts it; the requests it was sent.
    fn refusing(refusals: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let serving = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let mut requests = Vec::new();
            for round in 0..=refusals {
                let (mut stream, _) = listener.accept().unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // The headers, then as much body as they say.
                loop {
                    let read = stream.read(&mut buffer).unwrap();
                    request.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&request).to_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| {
                                l.strip_prefix("content-length:")
                                    .map(|n| n.trim().parse::<usize>().unwrap())
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length || read == 0 {
                            break;
                        }
                    }
                }
                requests.push(String::from_utf8_lossy(&request).into_owned());
                let status = if round < refusals { 503 } else { 201 };
                let body = json!({
                    "errors": round < refusals,
                    "items": [{ "index": { "status": status } }, { "index": { "status": 201 } }],
                })
                .to_string();
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(reply.as_bytes()).unwrap();
            }
            requests
        });
        (url, serving)
    }

    fn lines() -> Vec<String> {
        ["first", "second"]
            .iter()
            .flat_map(|id| {
                [
                    json!({ "index": { "_index": "x", "_id": id } }).to_string(),
                    "{}".to_string(),
                ]
            })
            .collect()
    }

    /// Items refused while the cluster promotes a replica are sent again, alone, until they
    /// are taken; past its patience the export says how many are still refused.
    #[test]
    fn refused_bulk_items_are_sent_again_within_the_patience() {
        let (url, serving) = refusing(2);
        let cluster = Cluster::new(&url, "x", Duration::from_secs(5)).unwrap();
        assert_eq!(cluster.bulk_within(&lines(), Duration::from_secs(60)).unwrap(), None);
        let requests = serving.join().unwrap();
        assert_eq!(requests.len(), 3);
        assert!(requests[0].contains("second"), "the first request has both items");
        assert!(
            requests[1..]
                .iter()
                .all(|r| r.contains("first") && !r.contains("second")),
            "only the refused item is sent again"
        );

        let (url, serving) = refusing(1);
        let cluster = Cluster::new(&url, "x", Duration::from_secs(5)).unwrap();
        let err = cluster.bulk_within(&lines(), Duration::ZERO).unwrap_err().to_string();
        assert!(err.contains("1 items of a bulk request were refused"), "{err}");
        // The server waits for the request that never comes; it is left to end with the test.
        drop(serving);
    }
}
