//! The index schema: the only module that spells field names and the index folder's files.
//!
//! | field | holds | how |
//! |---|---|---|
//! | `id` | the article's id: a hash of its place in its folder and its record ([`super::keys::article_id`]) | exact term, stored: links to it |
//! | `path` | the file an article came from | exact term, fast, stored: with `record`, the identity |
//! | `record` | the article's place in a file of several (1, 2, …; 0 for a file of one) | fast, stored |
//! | `mtime`, `size` | the file's modification time (ns) and size when indexed | fast: incremental runs |
//! | `layout` | the file's layout (`text`, `html`, `json`, `xml`) | facet |
//! | `column`, `site` | 栏目 and site name | facets, stored |
//! | `url`, `doc_number` | address and 文号 | stored |
//! | `doc_number_key` | the 文号 in one spelling ([`crate::text::doc_number::indexed`]) | exact term: a 文号 query or filter |
//! | `title` | the title | words analyzer, frequencies; stored for display |
//! | `body` | the text | stored for display; its characters are indexed by [`crate::grams`] |
//! | `title_grams` | the title again | grams analyzer, positions (exact strings) |
//! | `title_parts` | the title's runs between punctuation | parts analyzer (aboutness) |
//! | `published` | publish time | date: indexed (range filter), fast (sort), stored |
//! | `source`, `editor`, `keyword` | metadata | facets: counted and filtered on, stored |
//! | `month` | publish year-month, `2022-05` | facet, counted |
//! | `fingerprint0`…`fingerprint3` | the body's SimHash, four 64-bit words ([`crate::text::fingerprint`]) | fast: reprints grouped |
//! | `issuer`, `topic` | 发文机关 and 主题分类 | facets, stored |
//! | `force`, `valid_until` | the 有效性 stated ([`crate::Force`]'s code, 0 for none) and 有效期至 | indexed (filters), fast (facet) |
//! | `details` | 索引号, 成文日期, 公开方式, 有效性 and 有效期至 as the page gives them ([`super::write::Details`]) | stored JSON |
//! | `attachments` | a page's attachments, as the keys of the files its links lead to | exact terms: an attachment finds its page |
//! | `parent` | an attachment's page, as its file's key | exact term: a page's attachments are read again when it changes |
//! | `checksum` | CRC-32s of the article's other stored values and of its body ([`StoredChecksum`]) | stored, just before the body: every read of an article verifies it |

use std::sync::OnceLock;

use tantivy::schema::{
    DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
    FAST, STORED, STRING,
};

use crate::text::analyzers;

/// Handles on every field of a govsearch index.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) path: Field,
    pub(crate) record: Field,
    pub(crate) mtime: Field,
    pub(crate) size: Field,
    pub(crate) layout: Field,
    pub(crate) column: Field,
    pub(crate) site: Field,
    pub(crate) url: Field,
    pub(crate) doc_number: Field,
    pub(crate) doc_number_key: Field,
    pub(crate) title: Field,
    pub(crate) title_grams: Field,
    pub(crate) title_parts: Field,
    pub(crate) body: Field,
    pub(crate) published: Field,
    pub(crate) source: Field,
    pub(crate) editor: Field,
    pub(crate) keyword: Field,
    pub(crate) month: Field,
    /// The body's fingerprint, one field per word.
    pub(crate) fingerprint: [Field; crate::text::fingerprint::PRINT_WORDS],
    pub(crate) checksum: Field,
    pub(crate) issuer: Field,
    pub(crate) topic: Field,
    pub(crate) force: Field,
    pub(crate) valid_until: Field,
    pub(crate) details: Field,
    pub(crate) attachments: Field,
    pub(crate) parent: Field,
}

/// Facet fields by the name results report them under.
/// The index folder's own files beside tantivy's: the user dictionary (so that searches cut
/// queries as the articles were cut), the everyday-word table over the shipped one, and what
/// the engine derives from the whole index and keeps ([`super::kept`]).
pub(crate) const USER_DICTIONARY_FILE: &str = "user_dictionary.txt";
pub(crate) const SYNONYMS_FILE: &str = "synonyms.txt";
pub(crate) const VOCABULARY_FILE: &str = "vocabulary.bin";
pub(crate) const RELEASES_FILE: &str = "releases.bin";
/// The near pairs of the fingerprints, read only by the next indexing run.
pub(crate) const PAIRS_FILE: &str = "pairs.bin";
/// Each segment's vocabulary terms, read only by the next indexing run.
pub(crate) const TERMS_FILE: &str = "terms.bin";
/// The record of the lists of segments committed ([`super::commits`]).
pub(crate) const COMMITS_FILE: &str = "commits.json";

// The fields, by name: tantivy reads fast fields and facet columns by name, and every name
// is spelled here once.
pub(crate) const ID: &str = "id";
pub(crate) const TITLE: &str = "title";
pub(crate) const TITLE_GRAMS: &str = "title_grams";
pub(crate) const TITLE_PARTS: &str = "title_parts";
pub(crate) const BODY: &str = "body";
pub(crate) const URL: &str = "url";
pub(crate) const DOC_NUMBER: &str = "doc_number";
pub(crate) const DOC_NUMBER_KEY: &str = "doc_number_key";
pub(crate) const SOURCE: &str = "source";
pub(crate) const EDITOR: &str = "editor";
pub(crate) const KEYWORD: &str = "keyword";
pub(crate) const MONTH: &str = "month";
pub(crate) const PUBLISHED: &str = "published";
pub(crate) const LAYOUT: &str = "layout";
pub(crate) const COLUMN: &str = "column";
pub(crate) const SITE: &str = "site";
pub(crate) const PATH: &str = "path";
pub(crate) const RECORD: &str = "record";
pub(crate) const MTIME: &str = "mtime";
pub(crate) const SIZE: &str = "size";
pub(crate) const CHECKSUM: &str = "checksum";
pub(crate) const ISSUER: &str = "issuer";
pub(crate) const TOPIC: &str = "topic";
pub(crate) const FORCE: &str = "force";
pub(crate) const VALID_UNTIL: &str = "valid_until";
pub(crate) const DETAILS: &str = "details";
pub(crate) const ATTACHMENTS: &str = "attachments";
pub(crate) const PARENT: &str = "parent";
/// The fingerprint's fields, one per word.
pub(crate) const FINGERPRINT: [&str; crate::text::fingerprint::PRINT_WORDS] =
    ["fingerprint0", "fingerprint1", "fingerprint2", "fingerprint3"];

/// The schema of an index of this format.
pub(crate) fn build() -> Schema {
    let words = |stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzers::WORDS)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let grams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzers::GRAMS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut builder = Schema::builder();
    builder.add_text_field(ID, STRING | STORED);
    builder.add_text_field(PATH, STRING | STORED | FAST);
    builder.add_u64_field(RECORD, FAST | STORED);
    builder.add_u64_field(MTIME, FAST);
    builder.add_u64_field(SIZE, FAST);
    builder.add_facet_field(LAYOUT, FacetOptions::default());
    builder.add_facet_field(COLUMN, FacetOptions::default().set_stored());
    builder.add_facet_field(SITE, FacetOptions::default().set_stored());
    builder.add_text_field(URL, STORED);
    builder.add_text_field(DOC_NUMBER, STORED);
    builder.add_text_field(TITLE, words(true));
    builder.add_text_field(TITLE_GRAMS, grams);
    builder.add_text_field(
        TITLE_PARTS,
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzers::PARTS)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    builder.add_text_field(BODY, STORED);
    builder.add_date_field(
        PUBLISHED,
        DateOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored()
            .set_precision(DateTimePrecision::Seconds),
    );
    builder.add_facet_field(SOURCE, FacetOptions::default().set_stored());
    builder.add_facet_field(EDITOR, FacetOptions::default().set_stored());
    builder.add_facet_field(KEYWORD, FacetOptions::default().set_stored());
    builder.add_facet_field(MONTH, FacetOptions::default());
    for name in FINGERPRINT {
        builder.add_u64_field(name, FAST);
    }
    builder.add_facet_field(ISSUER, FacetOptions::default().set_stored());
    builder.add_facet_field(TOPIC, FacetOptions::default().set_stored());
    builder.add_u64_field(FORCE, tantivy::schema::INDEXED | FAST);
    builder.add_date_field(
        VALID_UNTIL,
        DateOptions::default()
            .set_indexed()
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    builder.add_text_field(DETAILS, STORED);
    builder.add_text_field(ATTACHMENTS, STRING);
    builder.add_text_field(PARENT, STRING);
    builder.add_u64_field(CHECKSUM, STORED);
    builder.add_text_field(DOC_NUMBER_KEY, STRING);
    builder.build()
}

/// The `checksum` field of every govsearch index.
pub(crate) fn checksum_field() -> Field {
    static FIELD: OnceLock<Field> = OnceLock::new();
    *FIELD.get_or_init(|| build().get_field(CHECKSUM).expect("the schema has a checksum"))
}

/// The checksum an article keeps of its stored values: tantivy compresses stored articles in
/// blocks with no checksum of their own, so a changed byte in one would otherwise be shown
/// as the article's text. The values before the `checksum` field (id, path, title, date,
/// metadata) and the body after it are summed apart, so that a page of hits that does not
/// read bodies still verifies what it shows.
#[derive(Default)]
pub(crate) struct StoredChecksum {
    head: crc32fast::Hasher,
}

impl StoredChecksum {
    /// Adds a stored value that comes before the checksum.
    pub(crate) fn add(&mut self, field: Field, value: &tantivy::schema::OwnedValue) {
        use tantivy::schema::OwnedValue;
        self.head.update(&field.field_id().to_le_bytes());
        match value {
            OwnedValue::Str(text) => self.head.update(text.as_bytes()),
            OwnedValue::Facet(facet) => self.head.update(facet.encoded_str().as_bytes()),
            OwnedValue::U64(n) => self.head.update(&n.to_le_bytes()),
            OwnedValue::I64(n) => self.head.update(&n.to_le_bytes()),
            OwnedValue::Date(date) => self.head.update(&date.into_timestamp_nanos().to_le_bytes()),
            OwnedValue::Bytes(bytes) => self.head.update(bytes),
            other => self.head.update(format!("{other:?}").as_bytes()),
        }
    }

    /// The value of the `checksum` field, for `body` after the values added.
    pub(crate) fn value(self, body: &str) -> u64 {
        u64::from(self.head.finalize()) | (u64::from(crc32fast::hash(body.as_bytes())) << 32)
    }

    /// Whether the values added agree with the `checksum` value `kept`.
    pub(crate) fn head_matches(&self, kept: u64) -> bool {
        u64::from(self.head.clone().finalize()) == kept & u64::from(u32::MAX)
    }

    /// Whether `body` agrees with the `checksum` value `kept`.
    pub(crate) fn body_matches(body: &str, kept: u64) -> bool {
        u64::from(crc32fast::hash(body.as_bytes())) == kept >> 32
    }
}

/// The `body` field of every govsearch index (opened indexes have this build's schema).
pub(crate) fn body_field() -> Field {
    static FIELD: OnceLock<Field> = OnceLock::new();
    *FIELD.get_or_init(|| build().get_field(BODY).expect("the schema has a body"))
}

impl Fields {
    /// Looks up every field in `schema`; `None` if one is missing (an index of another kind).
    pub(crate) fn from_schema(schema: &Schema) -> Option<Fields> {
        let get = |name: &str| schema.get_field(name).ok();
        Some(Fields {
            id: get(ID)?,
            path: get(PATH)?,
            record: get(RECORD)?,
            mtime: get(MTIME)?,
            size: get(SIZE)?,
            layout: get(LAYOUT)?,
            column: get(COLUMN)?,
            site: get(SITE)?,
            url: get(URL)?,
            doc_number: get(DOC_NUMBER)?,
            doc_number_key: get(DOC_NUMBER_KEY)?,
            title: get(TITLE)?,
            title_grams: get(TITLE_GRAMS)?,
            title_parts: get(TITLE_PARTS)?,
            body: get(BODY)?,
            published: get(PUBLISHED)?,
            source: get(SOURCE)?,
            editor: get(EDITOR)?,
            keyword: get(KEYWORD)?,
            month: get(MONTH)?,
            fingerprint: [
                get(FINGERPRINT[0])?,
                get(FINGERPRINT[1])?,
                get(FINGERPRINT[2])?,
                get(FINGERPRINT[3])?,
            ],
            checksum: get(CHECKSUM)?,
            issuer: get(ISSUER)?,
            topic: get(TOPIC)?,
            force: get(FORCE)?,
            valid_until: get(VALID_UNTIL)?,
            details: get(DETAILS)?,
            attachments: get(ATTACHMENTS)?,
            parent: get(PARENT)?,
        })
    }
}
