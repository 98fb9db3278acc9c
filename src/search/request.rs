//! What a search asks for: query text, filters, order and page.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub use crate::query::Scope;

/// How results are ordered. Ties never depend on how the index was built: equal matches go
/// newer first, then by path and record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first; articles without a date last.
    Date,
}

/// What to search for. Build one with [`SearchRequest::new`] and the setters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The query text (see the README's query syntax).
    pub query: String,
    /// Only articles from one of these sources (来源), if any are given.
    pub sources: Vec<String>,
    /// Only articles by one of these editors, if any are given.
    pub editors: Vec<String>,
    /// Only articles tagged with one of these keywords, if any are given.
    pub keywords: Vec<String>,
    /// Only articles in one of these columns (栏目), if any are given.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Only documents issued by one of these offices (发文机关), if any are given.
    #[serde(default)]
    pub issuers: Vec<String>,
    /// Only documents filed under one of these subject classes (主题分类), if any are given.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Only articles read from files of one of these kinds (`html`, `text`, `json`, `xml`,
    /// `pdf`, `docx`, `ofd`), if any are given.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Only documents in one of these states today (有效, 失效, 废止), if any are given.
    #[serde(default)]
    pub force: Vec<crate::article::Force>,
    /// Leave out the documents known to be out of force today: marked 失效 or 废止, or past
    /// their 有效期至. Articles that say nothing of it stay.
    #[serde(default)]
    pub in_force: bool,
    /// Only the articles with one of these 文号, in any spelling (`峄政发[2022]5号` keeps
    /// 峄政发〔2022〕5号), if any are given.
    #[serde(default)]
    pub doc_numbers: Vec<String>,
    /// Where the query's words and strings are looked for: title or body (the default), the
    /// title only or the body only.
    #[serde(default)]
    pub scope: Scope,
    /// Earlier queries to search within (二次检索): only the articles every one of them finds
    /// as well as [`SearchRequest::query`].
    #[serde(default)]
    pub within: Vec<String>,
    /// Only articles published at or after this instant.
    pub since: Option<DateTime<FixedOffset>>,
    /// Only articles published before this instant (exclusive: a whole day, month or year
    /// ends at [`DateRange::end`](crate::DateRange::end)).
    pub until: Option<DateTime<FixedOffset>>,
    /// Result order.
    pub sort: Sort,
    /// Hits to return (the page size).
    pub limit: usize,
    /// Hits to skip before the page.
    pub offset: usize,
    /// Snippet length in characters; 0 for no snippets.
    pub snippet_chars: usize,
    /// Whether to count facets over all matches (a little extra work per match).
    #[serde(default = "yes")]
    pub facets: bool,
    /// How many values of each facet to list: the most frequent (months: the latest). The
    /// others are counted in [`Facets::unlisted`](crate::Facets). Naming and ordering every
    /// value is most of a broad query's time at a million articles, where keywords run to
    /// tens of thousands.
    #[serde(default = "ten")]
    pub facet_values: usize,
    /// Search the query exactly as typed: no pinyin conversion or typo correction, even when
    /// it finds nothing (everyday words still find official terms; quote a word to stop that).
    #[serde(default)]
    pub as_typed: bool,
    /// List every copy of a release reprinted by several sites as a hit of its own; by
    /// default a release is one hit, its best-ranked copy, with the others in
    /// [`Hit::copies`](crate::Hit).
    #[serde(default)]
    pub all_copies: bool,
}

fn ten() -> usize {
    DEFAULT_FACET_VALUES
}

/// Facet values listed by default: as many as the command line and the search page show.
pub const DEFAULT_FACET_VALUES: usize = 10;

/// The longest filter value a request may give, in characters: longer than any source, editor,
/// keyword or column a release has.
pub const MAX_FILTER_CHARS: usize = 100;
/// The most values one filter may be given.
pub const MAX_FILTER_VALUES: usize = 20;

/// How long a snippet is, in characters, unless a request says otherwise.
pub const DEFAULT_SNIPPET_CHARS: usize = 120;

fn yes() -> bool {
    true
}

impl SearchRequest {
    /// A request for `query` (see the [query syntax](crate#query-syntax)): the first 10 hits by
    /// relevance, snippets of 120 characters, facet counts; the setters change each.
    ///
    /// ```
    /// use govsearch::{DateRange, SearchRequest, Sort};
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let may = DateRange::parse("2022年5月")?;
    /// let request = SearchRequest::new("满意峄城")
    ///     .source("鲁网")
    ///     .since(may.start)
    ///     .until(may.end)
    ///     .sort(Sort::Date)
    ///     .limit(20)
    ///     .offset(20)
    ///     .facets(false);
    /// assert_eq!(request.sources, ["鲁网"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            sources: Vec::new(),
            editors: Vec::new(),
            keywords: Vec::new(),
            columns: Vec::new(),
            issuers: Vec::new(),
            topics: Vec::new(),
            kinds: Vec::new(),
            force: Vec::new(),
            in_force: false,
            doc_numbers: Vec::new(),
            scope: Scope::Anywhere,
            within: Vec::new(),
            since: None,
            until: None,
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            snippet_chars: DEFAULT_SNIPPET_CHARS,
            facets: true,
            facet_values: DEFAULT_FACET_VALUES,
            as_typed: false,
            all_copies: false,
        }
    }

    /// Refuses a request no index could answer whatever it holds: a date range with no day in
    /// it, or a filter given an empty value. A search checks its request with this; the CLI
    /// and the server say the same, since they call it too.
    ///
    /// ```
    /// use govsearch::{DateRange, SearchRequest};
    /// let range = |text| DateRange::parse(text).unwrap();
    /// let inverted = SearchRequest::new("峄城").since(range("2023").start).until(range("2022").end);
    /// assert_eq!(
    ///     inverted.check().unwrap_err().to_string(),
    ///     "the date range is empty: it asks for articles published from 2023-01-01 on and up to 2022-12-31, and no day is both"
    /// );
    /// assert!(SearchRequest::new("峄城").source(" ").check().is_err());
    /// assert!(SearchRequest::new("峄城").source("鲁网").check().is_ok());
    /// ```
    pub fn check(&self) -> crate::Result<()> {
        // Each part of a search within results reads alone (a quote closes where it opens);
        // exclusions alone are the point of searching within.
        if !self.within.is_empty() {
            for part in self.within.iter().chain(std::iter::once(&self.query)) {
                if crate::query::has_unclosed_quote(part) {
                    return Err(crate::Error::BadQuery {
                        query: part.clone(),
                        problem: crate::QueryProblem::UnclosedQuote,
                    });
                }
            }
        }
        if let (Some(since), Some(until)) = (self.since, self.until) {
            if since >= until {
                let day =
                    |at: DateTime<FixedOffset>| at.with_timezone(&crate::dates::china()).format("%Y-%m-%d").to_string();
                return Err(crate::Error::EmptyDateRange {
                    since: day(since),
                    // The range ends before `until`: its last day is the one before.
                    until: day(until - chrono::Duration::nanoseconds(1)),
                });
            }
        }
        for (field, values) in [
            ("source", &self.sources),
            ("editor", &self.editors),
            ("keyword", &self.keywords),
            ("column", &self.columns),
            ("issuer", &self.issuers),
            ("topic", &self.topics),
            ("kind", &self.kinds),
            ("doc_number", &self.doc_numbers),
        ] {
            if values.iter().any(|v| v.trim().is_empty()) {
                return Err(crate::Error::EmptyFilter {
                    field: field.to_string(),
                });
            }
            let longest = values.iter().map(|v| v.chars().count()).max().unwrap_or(0);
            if values.len() > MAX_FILTER_VALUES || longest > MAX_FILTER_CHARS {
                return Err(crate::Error::FilterTooLarge {
                    field: field.to_string(),
                    values: values.len(),
                    longest,
                    max_values: MAX_FILTER_VALUES,
                    max_chars: MAX_FILTER_CHARS,
                });
            }
        }
        Ok(())
    }

    /// Whether to search the query exactly as typed ([`SearchRequest::as_typed`]).
    pub fn as_typed(mut self, as_typed: bool) -> Self {
        self.as_typed = as_typed;
        self
    }

    /// Whether to list every copy of a release as a hit ([`SearchRequest::all_copies`]).
    pub fn all_copies(mut self, all: bool) -> Self {
        self.all_copies = all;
        self
    }

    /// Counts facets over all matches, or not (`facets` of the results is then empty).
    pub fn facets(mut self, facets: bool) -> Self {
        self.facets = facets;
        self
    }

    /// Lists `n` values of each facet ([`SearchRequest::facet_values`]); `usize::MAX` lists
    /// every value.
    pub fn facet_values(mut self, n: usize) -> Self {
        self.facet_values = n;
        self
    }

    /// Keeps articles from `source` (repeat for any of several).
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.sources.push(source.into());
        self
    }

    /// Keeps articles edited by `editor` (repeat for any of several).
    pub fn editor(mut self, editor: impl Into<String>) -> Self {
        self.editors.push(editor.into());
        self
    }

    /// Keeps articles tagged `keyword` (repeat for any of several).
    pub fn keyword(mut self, keyword: impl Into<String>) -> Self {
        self.keywords.push(keyword.into());
        self
    }

    /// Keeps articles in column `column` (repeat for any of several).
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.columns.push(column.into());
        self
    }

    /// Keeps documents issued by `issuer` (发文机关; repeat for any of several).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Keeps documents filed under `topic` (主题分类; repeat for any of several).
    pub fn topic(mut self, topic: impl Into<String>) -> Self {
        self.topics.push(topic.into());
        self
    }

    /// Keeps articles read from files of kind `kind` (`html`, `pdf`, `docx`, …; repeat for
    /// any of several).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kinds.push(kind.into());
        self
    }

    /// Keeps documents in the state `force` today (repeat for any of several).
    pub fn force(mut self, force: crate::article::Force) -> Self {
        self.force.push(force);
        self
    }

    /// Leaves out documents known to be out of force today (失效, 废止, past 有效期至).
    pub fn in_force(mut self, yes: bool) -> Self {
        self.in_force = yes;
        self
    }

    /// Keeps the articles with the 文号 `number`, in any spelling (repeat for any of several).
    pub fn doc_number(mut self, number: impl Into<String>) -> Self {
        self.doc_numbers.push(number.into());
        self
    }

    /// Looks for the query's words and strings in the title only, the body only, or both;
    /// exclusions too.
    ///
    /// ```
    /// use govsearch::{parse_article, Index, Scope, SearchRequest};
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let index = Index::create_in_ram();
    /// let article = |text: &str| parse_article(text).expect("a release");
    /// index.add_articles([
    ///     ("title".to_string(), article("峄城区部署防汛工作\n2022-06-01 来源:鲁网\n会议要求各部门做好准备。\n")),
    ///     ("body".to_string(), article("峄城区召开会议\n2022-06-02 来源:鲁网\n会议部署防汛工作。\n")),
    /// ])?;
    /// let paths = |scope| -> Result<Vec<String>, govsearch::Error> {
    ///     let results = index.search(&SearchRequest::new("防汛").scope(scope))?;
    ///     Ok(results.hits.into_iter().map(|hit| hit.path).collect())
    /// };
    /// assert_eq!(paths(Scope::Title)?, ["title"]);
    /// assert_eq!(paths(Scope::Body)?, ["body"]);
    /// assert_eq!(paths(Scope::Anywhere)?.len(), 2);
    /// let not_in_titles = index.search(&SearchRequest::new("峄城 -防汛").scope(Scope::Title))?;
    /// assert_eq!(not_in_titles.hits[0].path, "body");
    /// # Ok(())
    /// # }
    /// ```
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Searches within the results of `previous` (二次检索): the articles both it and the query
    /// find, as one query of both's words, strings and exclusions (repeat to go deeper). The
    /// query may then be exclusions alone (`-营商`): they leave articles out of those results.
    ///
    /// ```
    /// use govsearch::{parse_article, Index, SearchRequest};
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let index = Index::create_in_ram();
    /// let article = |text: &str| parse_article(text).expect("a release");
    /// index.add_articles([
    ///     ("a".to_string(), article("峄城区优化营商环境\n2022-05-10 来源:鲁网\n峄城区持续优化营商环境。\n")),
    ///     ("b".to_string(), article("峄城区召开防汛会议\n2022-06-01 来源:鲁网\n峄城区部署防汛。\n")),
    /// ])?;
    /// let within = index.search(&SearchRequest::new("防汛").within("峄城"))?;
    /// assert_eq!(within.hits[0].path, "b");
    /// let left_out = index.search(&SearchRequest::new("-防汛").within("峄城"))?;
    /// assert_eq!((left_out.total, left_out.hits[0].path.as_str()), (1, "a"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn within(mut self, previous: impl Into<String>) -> Self {
        self.within.push(previous.into());
        self
    }

    /// The query text searched: the earlier queries searched within, then the query. Each
    /// part is read on its own first, so that a quote never runs from one into the next.
    pub(crate) fn searched_text(&self) -> String {
        if self.within.is_empty() {
            return self.query.clone();
        }
        let mut parts: Vec<&str> = self.within.iter().map(String::as_str).collect();
        parts.push(&self.query);
        parts.join(" ")
    }

    /// The request a query with a field prefix asks for: `标题:…` or `title:…` searches the
    /// rest in titles, `正文:…` or `body:…` in bodies, `文号:…` keeps the documents with that
    /// 文号 in any spelling. `None` for any other query: every other `label:` (a pasted
    /// `来源:鲁网`) is plain text.
    pub(crate) fn field_scoped(&self) -> Option<SearchRequest> {
        let (label, rest) = self.query.trim_start().split_once([':', '：'])?;
        let rest = rest.trim();
        if rest.is_empty() {
            return None;
        }
        let mut scoped = self.clone();
        match label.trim().to_ascii_lowercase().as_str() {
            "标题" | "title" => scoped.scope = Scope::Title,
            "正文" | "body" => scoped.scope = Scope::Body,
            "文号" | "docno" => {
                scoped.doc_numbers.push(rest.to_string());
                scoped.query = "*".to_string();
                return Some(scoped);
            }
            _ => return None,
        }
        scoped.query = rest.to_string();
        Some(scoped)
    }

    /// Keeps articles published at or after `since`.
    pub fn since(mut self, since: DateTime<FixedOffset>) -> Self {
        self.since = Some(since);
        self
    }

    /// Keeps articles published before `until`.
    pub fn until(mut self, until: DateTime<FixedOffset>) -> Self {
        self.until = Some(until);
        self
    }

    /// Orders the results.
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = sort;
        self
    }

    /// Returns at most `limit` hits.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Skips the first `offset` hits.
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// Sets the snippet length in characters (0: no snippets).
    pub fn snippet_chars(mut self, chars: usize) -> Self {
        self.snippet_chars = chars;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_prefix_scopes_the_query_and_other_labels_are_text() {
        let scoped = |query: &str| {
            SearchRequest::new(query)
                .field_scoped()
                .map(|r| (r.query, r.scope, r.doc_numbers))
        };
        assert_eq!(
            scoped("标题:峄城 会议"),
            Some(("峄城 会议".into(), Scope::Title, vec![]))
        );
        assert_eq!(scoped(" Title：峄城"), Some(("峄城".into(), Scope::Title, vec![])));
        assert_eq!(scoped("正文:防汛"), Some(("防汛".into(), Scope::Body, vec![])));
        assert_eq!(
            scoped("文号:峄政发[2022]5号"),
            Some(("*".into(), Scope::Anywhere, vec!["峄政发[2022]5号".to_string()]))
        );
        for text in ["来源:鲁网", "标题:", "峄城 标题:会议", "http://example.gov.cn", "峄城"] {
            assert_eq!(scoped(text), None, "{text}");
        }
    }
}
