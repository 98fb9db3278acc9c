//! `govsearch export`: a local index sent to an index on an OpenSearch cluster, and kept in
//! step with it. Each article goes under its own id with a digest of its document; a later
//! export reads the digests the cluster holds from the same origin, sends only the articles
//! whose document changed, and deletes the ones the local index no longer has. Articles are
//! read and sent a batch at a time, so memory stays bounded by a batch and the ids. What
//! search assistance needs (the vocabulary, the everyday-word table, the user dictionary) is
//! sent along last, so a cluster is searched only after one export finished.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use crate::engine::local::Local;
use crate::error::{Error, Result};
use crate::opensearch::document::{document, Exported};
use crate::opensearch::{delete_action, index_action, Cluster};
use crate::search::releases::NO_GROUP;
use crate::store::schema;

/// How long one bulk request may take.
const BULK_TIMEOUT: Duration = Duration::from_secs(120);
/// The size of a bulk request, in bytes of documents.
const BATCH_BYTES: usize = 8 << 20;

/// Where and how an export sends a local index.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The index's name on the cluster.
    pub name: String,
    /// Its primary shards, when the export makes it.
    pub shards: u32,
    /// The copies of each primary shard on other nodes, when the export makes it.
    pub replicas: u32,
    /// What this local index is called among the indexes exported into the same cluster
    /// index: an export deletes only the articles of its own origin.
    pub origin: String,
    /// Whether the index on the cluster is deleted and made anew first (when govsearch made
    /// it, of any version; another index of the name is refused).
    pub replace: bool,
}

/// How far an export has come.
#[derive(Clone, Copy, Debug)]
pub struct ExportProgress {
    /// Articles read so far.
    pub done: u64,
    /// Articles to read in all.
    pub total: u64,
}

/// What an export did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ExportSummary {
    /// The articles of the local index.
    pub articles: u64,
    /// Those sent, new or changed.
    pub sent: u64,
    /// Those the cluster held as they are.
    pub unchanged: u64,
    /// Articles of this origin the cluster held and the local index no longer has, deleted.
    pub deleted: u64,
    /// Whether the export made the index on the cluster.
    pub created: bool,
}

/// Sends `local` to the cluster at `url`.
pub(crate) fn export(
    local: &Local,
    url: &str,
    options: &ExportOptions,
    mut progress: impl FnMut(ExportProgress),
) -> Result<ExportSummary> {
    let cluster = Cluster::new(url, &options.name, BULK_TIMEOUT)?;
    let mut summary = ExportSummary::default();
    let dictionary = local.segmenter().kept_text();
    let synonyms = local.kept_synonyms()?;
    if options.replace {
        cluster.delete()?;
    }
    if cluster.check()? {
        for meta in cluster.metas(false)? {
            let other = meta["origin"].as_str().unwrap_or_default();
            if other != options.origin
                && (meta["dictionary"].as_str() != dictionary.as_deref() || meta["synonyms"] != json!(synonyms))
            {
                return Err(Error::ClusterRefused {
                    url: cluster.client.shown.clone(),
                    name: options.name.clone(),
                    detail: format!(
                        "the export of {other} into it used another user dictionary or synonym table: \
                         export with the same, or into another name"
                    ),
                });
            }
        }
    } else {
        cluster.create(options.shards, options.replicas)?;
        summary.created = true;
    }
    let mut held = cluster.digests(&options.origin)?;

    let searcher = local.searcher();
    let releases = local.releases(&searcher)?;
    let vocabulary = local.vocabulary(&searcher)?;
    let total = searcher.num_docs();
    summary.articles = total;
    // A release is named by the smallest id among its articles: the same in every export
    // while the release has the same articles, whatever segments hold them.
    let mut release_names: HashMap<u32, String> = HashMap::new();
    let mut batch: Vec<String> = Vec::new();
    let mut batch_bytes = 0;
    let flush = |batch: &mut Vec<String>, bytes: &mut usize| -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        if let Some((failed, first)) = cluster.bulk(batch)? {
            return Err(Error::ClusterRefused {
                url: cluster.client.shown.clone(),
                name: options.name.clone(),
                detail: format!("{failed} articles were refused, the first: {first}"),
            });
        }
        batch.clear();
        *bytes = 0;
        Ok(())
    };
    let mut done = 0;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let layouts = segment.facet_reader(schema::LAYOUT)?;
        for doc in segment.doc_ids_alive() {
            let address = tantivy::DocAddress::new(ord as u32, doc);
            let (hit, body) = local.hit(&searcher, address, 0, None, &[], 0, true)?;
            let mut kind = tantivy::schema::Facet::root();
            let kind = match layouts.facet_ords(doc).next() {
                Some(ord) => {
                    layouts.facet_from_ord(ord, &mut kind)?;
                    kind.to_path().first().map(|s| s.to_string())
                }
                None => None,
            };
            let group = releases.group(ord as u32, doc);
            let release = if group == NO_GROUP {
                hit.id.clone()
            } else {
                match release_names.get(&group) {
                    Some(name) => name.clone(),
                    None => {
                        let mut ids = Vec::new();
                        for &member in releases.members(group) {
                            ids.push(local.hit(&searcher, member, 0, None, &[], 0, false)?.0.id);
                        }
                        let name = ids.into_iter().min().unwrap_or_else(|| hit.id.clone());
                        release_names.insert(group, name.clone());
                        name
                    }
                }
            };
            let exported = Exported {
                id: &hit.id,
                path: &hit.path,
                record: hit.record,
                title: &hit.title,
                body: &body,
                meta: &hit.meta,
                kind: kind.as_deref(),
                release: &release,
                reprinted: group != NO_GROUP,
                origin: &options.origin,
            };
            let (doc, digest) = document(&exported, local.segmenter());
            if held.remove(&hit.id).as_deref() == Some(digest.as_str()) {
                summary.unchanged += 1;
            } else {
                let line = doc.to_string();
                batch_bytes += line.len();
                batch.push(index_action(&options.name, &hit.id));
                batch.push(line);
                summary.sent += 1;
                if batch_bytes >= BATCH_BYTES {
                    flush(&mut batch, &mut batch_bytes)?;
                }
            }
            done += 1;
            progress(ExportProgress { done, total });
        }
    }
    flush(&mut batch, &mut batch_bytes)?;
    // What is left of what the cluster held from this origin is gone from the local index.
    let mut gone: Vec<String> = held.into_keys().collect();
    gone.sort();
    for ids in gone.chunks(5_000) {
        let mut lines: Vec<String> = ids.iter().map(|id| delete_action(&options.name, id)).collect();
        flush(&mut lines, &mut 0)?;
        summary.deleted += ids.len() as u64;
    }
    let terms: Vec<(&str, u32)> = vocabulary.terms().collect();
    cluster.put_meta(
        &options.origin,
        &json!({
            "origin": options.origin,
            "format": crate::format::FORMAT,
            "articles": total,
            "vocabulary": terms,
            "synonyms": synonyms,
            "dictionary": dictionary,
        }),
    )?;
    cluster.refresh()?;
    Ok(summary)
}
