//! An article as the cluster holds it: what is shown (`stored`, never indexed), the folded
//! title and body the grams analyzer cuts (the same bigrams as the local index's), the title's
//! words and parts as the local analyzers made them, the facet values as they are counted and
//! as filters compare them (folded), the 有效性 state, the release it belongs to, and a digest
//! of all of it, by which a later export tells whether the article changed.

use serde_json::{json, Map, Value};

use crate::article::{Force, Metadata};
use crate::query::score::title_prior;
use crate::text::analyzers::{part_terms, word_terms};
use crate::text::segment::Segmenter;
use crate::text::{doc_number, fold};

/// An article of the local index, read for export.
pub(crate) struct Exported<'a> {
    pub(crate) id: &'a str,
    /// The file it came from, as people see it.
    pub(crate) path: &'a str,
    pub(crate) record: Option<u64>,
    pub(crate) title: &'a str,
    pub(crate) body: &'a str,
    pub(crate) meta: &'a Metadata,
    /// The layout of its file (`text`, `html`, …), counted as its kind.
    pub(crate) kind: Option<&'a str>,
    /// The id that names its release: the same for every copy of one release.
    pub(crate) release: &'a str,
    /// Whether its release has other articles.
    pub(crate) reprinted: bool,
    /// The local index it was exported from.
    pub(crate) origin: &'a str,
}

/// The stored part of a document, read back into a hit.
#[derive(serde::Deserialize)]
pub(crate) struct Stored {
    pub(crate) id: String,
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) record: Option<u64>,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) body: String,
    #[serde(default)]
    pub(crate) meta: Metadata,
}

/// The facet fields, by their names in requests and in the mapping.
pub(crate) const FACETS: [&str; 7] = ["source", "editor", "keyword", "column", "issuer", "topic", "kind"];

/// The text a grams field is given: folded, and ended by a space, so that the last character
/// starts a bigram too and a single character is always the first of some term (the space
/// is never in a folded query).
pub(crate) fn grams_text(text: &str) -> String {
    let mut folded = fold(text);
    folded.push(' ');
    folded
}

/// The document of `article`, with its digest.
pub(crate) fn document(article: &Exported<'_>, segmenter: &Segmenter) -> (Value, String) {
    let meta = article.meta;
    let mut doc = Map::new();
    doc.insert("id".into(), json!(article.id));
    doc.insert("origin".into(), json!(article.origin));
    doc.insert("release".into(), json!(article.release));
    doc.insert("reprinted".into(), json!(article.reprinted));
    doc.insert(
        "stored".into(),
        json!({
            "id": article.id,
            "path": article.path,
            "record": article.record,
            "title": article.title,
            "body": article.body,
            "meta": meta,
        }),
    );
    doc.insert("title_grams".into(), json!(grams_text(article.title)));
    doc.insert("body_grams".into(), json!(grams_text(article.body)));
    doc.insert(
        "title_words".into(),
        json!(word_terms(segmenter, article.title).join(" ")),
    );
    doc.insert("title_parts".into(), json!(part_terms(article.title)));
    doc.insert(
        "title_prior".into(),
        json!(title_prior(fold(article.title).chars().count())),
    );
    if let Some(published) = meta.published {
        doc.insert("published".into(), json!(published.timestamp()));
        doc.insert("month".into(), json!(published.format("%Y-%m").to_string()));
    }
    let one = |value: &Option<String>| value.iter().map(|v| facet_value(v)).collect::<Vec<_>>();
    let values: [(&str, Vec<String>); 7] = [
        ("source", one(&meta.source)),
        ("editor", one(&meta.editor)),
        ("keyword", meta.keywords.iter().map(|v| facet_value(v)).collect()),
        ("column", one(&meta.column)),
        ("issuer", one(&meta.issuer)),
        ("topic", one(&meta.topic)),
        ("kind", article.kind.map(str::to_string).into_iter().collect()),
    ];
    let mut folded = Map::new();
    for (name, values) in values {
        if values.is_empty() {
            continue;
        }
        folded.insert(name.into(), json!(values.iter().map(|v| fold(v)).collect::<Vec<_>>()));
        doc.insert(name.into(), json!(values));
    }
    doc.insert("folded".into(), Value::Object(folded));
    if let Some(number) = &meta.doc_number {
        doc.insert("doc_number_key".into(), json!(doc_number::indexed(number)));
    }
    let stated = meta.validity.as_deref().and_then(Force::stated);
    doc.insert("stated".into(), json!(stated.map_or(0, Force::code)));
    if let Some(until) = meta.valid_until {
        doc.insert("valid_until".into(), json!(until.format("%Y-%m-%d").to_string()));
    }
    let digest = digest(&doc);
    doc.insert("digest".into(), json!(digest));
    (Value::Object(doc), digest)
}

/// A facet value as the local index keeps it (a NUL would split a facet's path).
fn facet_value(value: &str) -> String {
    value.replace('\0', "")
}

/// A keyed hash of the document's JSON (its keys in order), in hex: equal digests, equal
/// documents.
fn digest(doc: &Map<String, Value>) -> String {
    let bytes = serde_json::to_vec(doc).unwrap_or_default();
    let hash = siphasher::sip128::SipHasher13::new().hash(&bytes);
    hash.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exported<'a>(meta: &'a Metadata, body: &'a str) -> Exported<'a> {
        Exported {
            id: "a",
            path: "releases/1.txt",
            record: None,
            title: "峄城区召开會議",
            body,
            meta,
            kind: Some("text"),
            release: "a",
            reprinted: false,
            origin: "o",
        }
    }

    #[test]
    fn a_document_holds_the_folded_texts_and_changes_its_digest_with_any_value() {
        let meta = Metadata {
            source: Some("央視網".into()),
            ..Metadata::default()
        };
        let (doc, digest) = document(&exported(&meta, "正文 內容"), &Segmenter::default());
        assert_eq!(doc["title_grams"], "峄城区召开会议 ");
        assert_eq!(doc["body_grams"], "正文内容 ");
        assert_eq!(doc["source"], json!(["央視網"]));
        assert_eq!(doc["folded"]["source"], json!(["央视网"]));
        assert_eq!(doc["stored"]["body"], "正文 內容");
        assert_eq!(doc["digest"], digest.as_str());
        let (_, again) = document(&exported(&meta, "正文 內容"), &Segmenter::default());
        assert_eq!(again, digest, "the same article, the same digest");
        let (_, other) = document(&exported(&meta, "正文 内容"), &Segmenter::default());
        assert_ne!(other, digest);
    }
}
