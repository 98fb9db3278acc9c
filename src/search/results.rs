//! What a search finds: a page of hits, the total, and facet counts over every match.

use serde::{Deserialize, Serialize};

use super::snippet::{Highlight, Snippet};
use crate::article::Metadata;

/// One matching article.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Position in the whole result list, from 1.
    pub rank: usize,
    /// The article's id for [`Index::article`](crate::Index::article): valid while the article
    /// is unchanged.
    pub id: String,
    /// Relevance score (absent when sorted by date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The file the article was read from (left out of JSON when empty: a public server
    /// empties it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The article's place in a file of several (JSON Lines, `<doc>` dumps), from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// The headline.
    pub title: String,
    /// What to highlight in the title.
    pub title_highlights: Vec<Highlight>,
    /// Publish time, source, editor, keywords, column, site, document number and address.
    #[serde(flatten)]
    pub meta: Metadata,
    /// Whether the document is in force today, as far as its 有效性 and 有效期至 say
    /// (absent when they say nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<crate::article::Force>,
    /// Highlighted summary of the body.
    pub snippet: Snippet,
    /// The other copies of this release (the same text reprinted by other sites), when
    /// reprints are shown once; empty for an article with none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<Copy>,
}

/// A copy of a release: the same text published elsewhere.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Copy {
    /// The copy's article id.
    pub id: String,
    /// Its headline (sites retitle reprints).
    pub title: String,
    /// The file it was read from (left out of JSON when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Its source (来源).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The site it was published on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// A value of a facet and how many matching articles have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value (a source, an editor, a keyword, or a month such as `2022-05`).
    pub value: String,
    /// Matching articles with that value.
    pub count: u64,
}

/// Facet counts over every matching article: of each field the values
/// [`SearchRequest::facet_values`](crate::SearchRequest) asks for, sorted by count, then by
/// value; months by month, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Per source.
    pub source: Vec<FacetCount>,
    /// Per editor.
    pub editor: Vec<FacetCount>,
    /// Per keyword.
    pub keyword: Vec<FacetCount>,
    /// Per publish month (`YYYY-MM`).
    pub month: Vec<FacetCount>,
    /// Per column (栏目).
    #[serde(default)]
    pub column: Vec<FacetCount>,
    /// Per issuing office (发文机关).
    #[serde(default)]
    pub issuer: Vec<FacetCount>,
    /// Per subject class (主题分类).
    #[serde(default)]
    pub topic: Vec<FacetCount>,
    /// Per kind of file (`html`, `text`, `json`, `xml`, `pdf`, `docx`, `ofd`).
    #[serde(default)]
    pub kind: Vec<FacetCount>,
    /// Per state today (`in_force`, `expired`, `repealed`: [`Force::name`](crate::Force::name)),
    /// in that order; documents that state none are not counted.
    #[serde(default)]
    pub force: Vec<FacetCount>,
    /// How many more values each field has among the matches than it lists.
    #[serde(default)]
    pub unlisted: Unlisted,
}

impl Facets {
    /// The facets of a search from each field's listed values and how many more it has, in
    /// the order source, editor, keyword, month, column, issuer, topic, kind (what every
    /// backend counts), and the states of force.
    pub(crate) fn from_fields(fields: [(Vec<FacetCount>, usize); 8], force: Vec<FacetCount>) -> Facets {
        let [source, editor, keyword, month, column, issuer, topic, kind] = fields;
        Facets {
            unlisted: Unlisted {
                source: source.1,
                editor: editor.1,
                keyword: keyword.1,
                month: month.1,
                column: column.1,
                issuer: issuer.1,
                topic: topic.1,
                kind: kind.1,
            },
            source: source.0,
            editor: editor.0,
            keyword: keyword.0,
            month: month.0,
            column: column.0,
            issuer: issuer.0,
            topic: topic.0,
            kind: kind.0,
            force,
        }
    }
}

/// Per facet field, how many values the matches have beyond those listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unlisted {
    /// Sources.
    pub source: usize,
    /// Editors.
    pub editor: usize,
    /// Keywords.
    pub keyword: usize,
    /// Months.
    pub month: usize,
    /// Columns.
    pub column: usize,
    /// Issuing offices.
    #[serde(default)]
    pub issuer: usize,
    /// Subject classes.
    #[serde(default)]
    pub topic: usize,
    /// Kinds of file.
    #[serde(default)]
    pub kind: usize,
}

/// One whole article, as [`Index::article`](crate::Index::article) returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticlePage {
    /// Its id.
    pub id: String,
    /// The file it was read from (left out of JSON when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Its place in a file of several, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// The headline.
    pub title: String,
    /// What the query matches in the title (empty without a query).
    pub title_highlights: Vec<Highlight>,
    /// Publish time, source, editor, keywords, column, site, document number and address.
    #[serde(flatten)]
    pub meta: Metadata,
    /// Whether the document is in force today (absent when its page says nothing of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<crate::article::Force>,
    /// The whole text, one paragraph a line.
    pub body: String,
    /// What the query matches in the body, every occurrence (empty without a query).
    pub body_highlights: Vec<Highlight>,
}

impl ArticlePage {
    /// The page of the article `hit` shows, with its whole `body` and `needles` marked in it.
    pub(crate) fn of(hit: Hit, body: String, needles: &[String]) -> ArticlePage {
        ArticlePage {
            id: hit.id,
            path: hit.path,
            record: hit.record,
            title_highlights: hit.title_highlights,
            title: hit.title,
            meta: hit.meta,
            force: hit.force,
            body_highlights: super::snippet::highlight_all(&body, needles),
            body,
        }
    }
}

/// A filter value that no article in the index has, with the closest values it has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedFilter {
    /// The filtered field: `source`, `editor`, `keyword` or `column`.
    pub field: String,
    /// The value as given.
    pub value: String,
    /// Up to three values of the field the index has that look most like it.
    pub closest: Vec<String>,
}

/// What a search found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Matching articles in all.
    pub total: usize,
    /// Distinct releases among them: copies of one release (reprints) count once. Equal to
    /// `total` with [`SearchRequest::all_copies`](crate::SearchRequest).
    #[serde(default)]
    pub releases: usize,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Facet counts over all matching articles.
    pub facets: Facets,
    /// Filter values no article has (a filter by such a value alone matches nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched_filters: Vec<UnmatchedFilter>,
    /// Set when the hits are for another query than the one typed: the typed one found
    /// nothing or little, and this one (pinyin as Chinese, a typo corrected) much more.
    /// [`SearchRequest::as_typed`](crate::SearchRequest) searches as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub searched_as: Option<Rewrite>,
    /// A query to offer ("did you mean"): the typed one found few articles, this one many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<Rewrite>,
}

/// Another query than the one typed, why, and how many articles it finds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rewrite {
    /// The query text.
    pub query: String,
    /// Why it differs from what was typed.
    pub reason: RewriteReason,
    /// How many articles it finds.
    pub total: usize,
}

/// Why a query was rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RewriteReason {
    /// Latin letters read as 拼音 (full or initials) and turned into the index's terms.
    Pinyin,
    /// Characters replaced by the more common term of the index that sounds alike or is one
    /// character away (错别字).
    Typo,
    /// A query that is a 文号 looked up as one: the articles with that 文号, in any spelling.
    #[serde(rename = "doc_number")]
    DocNumber,
}
