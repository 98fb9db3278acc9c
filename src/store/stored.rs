//! Reading an article's stored values, verified: for a hit, and for the page an attachment
//! inherits from.

use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Field, OwnedValue};

use super::schema;

/// An article's stored values in stored order, verified against the checksum the article keeps
/// ([`schema::StoredChecksum`]): a changed value is an error, never shown. Unless `BODY`, the
/// body is left unread: articles store it last (`store::write`), and it is most of their
/// bytes.
pub(crate) struct Stored<const BODY: bool>(pub(crate) StoredValues);

impl<const BODY: bool> DocumentDeserialize for Stored<BODY> {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(mut stored: D) -> std::result::Result<Self, DeserializeError> {
        let count = stored.size_hint();
        let body = schema::body_field();
        let checksum = schema::checksum_field();
        let mut values = Vec::with_capacity(count);
        let mut summed = schema::StoredChecksum::default();
        let mut kept = None;
        while values.len() < count {
            // Every article stores exactly one body, last.
            if !BODY && kept.is_some() && values.len() + 1 == count {
                break;
            }
            let Some((field, value)) = stored.next_field::<OwnedValue>()? else {
                break;
            };
            if field == checksum {
                let value = tantivy::schema::Value::as_u64(&&value).unwrap_or_default();
                if !summed.head_matches(value) {
                    return Err(DeserializeError::custom(CHANGED));
                }
                kept = Some(value);
            } else if field == body {
                let text = tantivy::schema::Value::as_str(&&value).unwrap_or_default();
                if !kept.is_some_and(|kept| schema::StoredChecksum::body_matches(text, kept)) {
                    return Err(DeserializeError::custom(CHANGED));
                }
            } else if kept.is_none() {
                summed.add(field, &value);
            }
            values.push((field, value));
        }
        if kept.is_none() {
            return Err(DeserializeError::custom(CHANGED));
        }
        Ok(Stored(StoredValues(values)))
    }
}

/// What a stored article that does not match its checksum is said to be.
const CHANGED: &str = "an article's stored text does not match its checksum";

/// Stored values by field; strings are moved out, not copied.
pub(crate) struct StoredValues(Vec<(Field, OwnedValue)>);

impl StoredValues {
    pub(crate) fn values_of(&self, field: Field) -> impl Iterator<Item = &OwnedValue> {
        self.0.iter().filter(move |(f, _)| *f == field).map(|(_, v)| v)
    }

    /// The values of the one-level facet `field` (source, keyword, …), in order.
    pub(crate) fn facets(&self, field: Field) -> Vec<String> {
        self.values_of(field)
            .filter_map(|v| tantivy::schema::Value::as_facet(&v))
            .filter_map(|encoded| tantivy::schema::Facet::from_encoded(encoded.as_bytes().to_vec()).ok())
            .filter_map(|facet| facet.to_path().first().map(|s| s.to_string()))
            .collect()
    }

    /// The publish time of the date `field`, in China time.
    pub(crate) fn date(&self, field: Field) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.values_of(field)
            .find_map(|v| tantivy::schema::Value::as_datetime(&v))
            .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| d.with_timezone(&crate::dates::china()))
    }

    /// The first number of the `u64` `field`, if it has one.
    pub(crate) fn number(&self, field: Field) -> Option<u64> {
        self.values_of(field).find_map(|v| tantivy::schema::Value::as_u64(&v))
    }

    /// The article's metadata as stored: its facets, dates, 文号, address and the details
    /// kept as JSON ([`super::Details`]). The texts it reads are moved out.
    pub(crate) fn metadata(&mut self, f: &schema::Fields) -> crate::article::Metadata {
        let details = self.take_text(f.details);
        let text = |values: &mut Self, field| Some(values.take_text(field)).filter(|t| !t.is_empty());
        let doc_number = text(self, f.doc_number);
        let url = text(self, f.url);
        let first = |field| self.facets(field).into_iter().next();
        let mut meta = crate::article::Metadata {
            published: self.date(f.published),
            source: first(f.source),
            editor: first(f.editor),
            keywords: self.facets(f.keyword),
            column: first(f.column),
            site: first(f.site),
            issuer: first(f.issuer),
            topic: first(f.topic),
            doc_number,
            url,
            ..crate::article::Metadata::default()
        };
        // The details were verified with the rest of the stored values: they parse.
        if !details.is_empty() {
            if let Ok(details) = serde_json::from_str::<super::Details>(&details) {
                details.fill(&mut meta);
            }
        }
        meta
    }

    /// The first text of `field`, empty if it has none.
    pub(crate) fn take_text(&mut self, field: Field) -> String {
        self.0
            .iter_mut()
            .find_map(|(f, v)| match v {
                OwnedValue::Str(text) if *f == field => Some(std::mem::take(text)),
                _ => None,
            })
            .unwrap_or_default()
    }
}
