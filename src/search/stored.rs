//! Reading an article's stored values for a hit.

use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Field, OwnedValue};

use crate::store::schema;

/// An article's stored values in stored order. Unless `BODY`, the body is left unread when it
/// is the one value left: articles store it last (`index::write`), and it is most of their bytes.
/// Articles indexed before that store it earlier and it is read then, so every index gives
/// the same hits.
pub(crate) struct Stored<const BODY: bool>(pub(crate) StoredValues);

impl<const BODY: bool> DocumentDeserialize for Stored<BODY> {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(mut stored: D) -> std::result::Result<Self, DeserializeError> {
        let count = stored.size_hint();
        let body = schema::body_field();
        let mut values = Vec::with_capacity(count);
        let mut body_read = false;
        while values.len() < count {
            // Every article stores exactly one body.
            if !BODY && !body_read && values.len() + 1 == count {
                break;
            }
            let Some((field, value)) = stored.next_field::<OwnedValue>()? else {
                break;
            };
            body_read |= field == body;
            values.push((field, value));
        }
        Ok(Stored(StoredValues(values)))
    }
}

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
