//! A request's query string: read once, checked against the server's limits, and written
//! back as links (the page's every state is a URL).

use govsearch::{DateRange, Scope, SearchRequest, Sort};

/// The longest query text accepted, in characters.
pub(crate) const MAX_QUERY_CHARS: usize = 200;
/// The most hits one request returns.
pub(crate) const MAX_LIMIT: usize = 100;
/// The furthest into the results a request may start.
pub(crate) const MAX_OFFSET: usize = 10_000;
/// The longest snippet, in characters.
pub(crate) const MAX_SNIPPET_CHARS: usize = 1_000;
/// The most facet values of each field a request may list.
pub(crate) const MAX_FACET_VALUES: usize = 10_000;
/// The most earlier queries a search within results may carry, and their longest (the page
/// joins the queries it searched within into one).
const MAX_WITHIN: usize = 8;
const MAX_WITHIN_CHARS: usize = 1_000;
/// The most parameters one request may carry (filters included).
const MAX_PARAMS: usize = 64;

/// The filters a request can repeat, with their parameter names and the page's labels.
pub(crate) const FILTERS: [(&str, &str); 10] = [
    ("source", "来源"),
    ("editor", "责任编辑"),
    ("keyword", "关键词"),
    ("column", "栏目"),
    ("issuer", "发文机关"),
    ("topic", "主题分类"),
    ("kind", "文件类型"),
    ("force", "有效性"),
    ("in_force", "只看现行有效"),
    ("doc_number", "文号"),
];

/// How the page shows a filter's value: a kind of file and a state by their Chinese names.
pub(crate) fn shown_value(key: &str, value: &str) -> String {
    match key {
        "kind" => kind_label(value).to_string(),
        "force" => govsearch::Force::from_name(value)
            .map_or(value, |force| force.label())
            .to_string(),
        "in_force" => "是".to_string(),
        _ => value.to_string(),
    }
}

/// A kind of file as the page names it.
pub(crate) fn kind_label(kind: &str) -> &str {
    match kind {
        "html" => "网页",
        "text" => "文本",
        "pdf" => "PDF",
        "docx" => "Word",
        "ofd" => "OFD",
        "json" => "JSON",
        "xml" => "XML",
        other => other,
    }
}

/// What a search request asked for, as given.
#[derive(Clone, Debug, Default)]
pub(crate) struct Params {
    /// Every parameter, in order (repeated filters included): links are built from these.
    pairs: Vec<(String, String)>,
}

/// A bad request: what is wrong, said for a person (in English for the API, in Chinese for
/// the page) and coded for a program.
pub(crate) type BadRequest = super::Failure;

fn bad(code: &'static str, message: impl Into<String>, chinese: impl Into<String>) -> BadRequest {
    BadRequest::bad_request(code, message, chinese)
}

/// A parameter's name on the page.
fn label(key: &str) -> &str {
    match key {
        "q" => "搜索词",
        "since" => "起始日期",
        "until" => "截止日期",
        "page" => "页码",
        "sort" => "排序方式",
        "in" => "查找范围",
        other => other,
    }
}

/// A parameter given more than once where it takes one value.
pub(crate) fn repeated(key: &str) -> BadRequest {
    bad(
        "repeated_parameter",
        format!("{key} is given more than once"),
        format!("{}只能给一次。", label(key)),
    )
}

/// A query longer than any the server reads.
pub(crate) fn too_long(query: &str) -> BadRequest {
    let chars = query.chars().count();
    bad(
        "query_too_long",
        format!("the query is too long ({chars} characters; at most {MAX_QUERY_CHARS})"),
        format!("搜索词太长了（{chars} 个字，最多 {MAX_QUERY_CHARS} 个字）：请删去一些词。"),
    )
}

fn not_a_flag(key: &str, value: &str) -> BadRequest {
    bad(
        "bad_parameter",
        format!("{key} is true or false (it was {value:?})"),
        format!("{key} 只能是 true 或 false。"),
    )
}

impl Params {
    /// Reads a query string (`None`: there was none).
    pub(crate) fn parse(raw: Option<&str>) -> Result<Params, BadRequest> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.len() > MAX_PARAMS {
            return Err(bad(
                "too_many_parameters",
                format!("too many parameters ({}; at most {MAX_PARAMS})", pairs.len()),
                format!("网址里的参数太多了（{} 个，最多 {MAX_PARAMS} 个）。", pairs.len()),
            ));
        }
        Ok(Params { pairs })
    }

    /// The first value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub(crate) fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The query text, trimmed; empty when there is none.
    pub(crate) fn query(&self) -> &str {
        self.get("q").unwrap_or_default().trim()
    }

    /// A whole number parameter no larger than `max`, or `default` when it is absent.
    pub(crate) fn number(&self, key: &str, default: usize, max: usize) -> Result<usize, BadRequest> {
        match self.get(key).map(str::trim) {
            None => Ok(default),
            Some(text) => match text.parse::<usize>() {
                Ok(n) if n <= max => Ok(n),
                Ok(_) => Err(bad(
                    "bad_parameter",
                    format!("{key} is at most {max} (it was {text})"),
                    format!("{}最大为 {max}。", label(key)),
                )),
                Err(_) => Err(bad(
                    "bad_parameter",
                    format!("{key} must be a whole number (it was {text:?})"),
                    format!("{}应当是整数。", label(key)),
                )),
            },
        }
    }

    /// The date of `key` as the span it names.
    fn date(&self, key: &str) -> Result<Option<DateRange>, BadRequest> {
        match self.get(key).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(text) => DateRange::parse(text).map(Some).map_err(|_| {
                bad(
                    "bad_date",
                    format!(
                        "{key} {text:?} is not a date: write a day, month or year such as 2022-05-10, 2022-05, 2022年5月 or 2022"
                    ),
                    format!("{}“{text}”不是日期：{}。", label(key), super::failure::DATE_FORMS),
                )
            }),
        }
    }

    /// The search these parameters ask for, with the page's size and start given (the page
    /// counts pages, the API hits).
    pub(crate) fn request(&self, limit: usize, offset: usize) -> Result<SearchRequest, BadRequest> {
        for key in [
            "q",
            "since",
            "until",
            "sort",
            "limit",
            "offset",
            "facets",
            "facet_values",
            "snippet_chars",
            "page",
            "as_typed",
            "all_copies",
        ] {
            if self.all(key).count() > 1 {
                return Err(repeated(key));
            }
        }
        let mut query = self.query().to_string();
        if query.is_empty() {
            return Err(bad(
                "missing_query",
                "q is required: the text to search for (* lists every article)",
                "请输入要搜索的词（输入 * 列出全部文章）。",
            ));
        }
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(too_long(&query));
        }
        let sort = match self.get("sort").unwrap_or("relevance") {
            "relevance" => Sort::Relevance,
            "date" => Sort::Date,
            other => {
                return Err(bad(
                    "bad_parameter",
                    format!("sort is relevance or date (it was {other:?})"),
                    "排序方式只能是按相关度（relevance）或按日期（date）。",
                ))
            }
        };
        let scope = match self.get("in").unwrap_or("all") {
            "all" | "" => Scope::Anywhere,
            "title" => Scope::Title,
            "body" => Scope::Body,
            // The query is a 文号, as `文号:…` says.
            "doc_number" => {
                query = format!("文号:{query}");
                Scope::Anywhere
            }
            other => {
                return Err(bad(
                    "bad_parameter",
                    format!("in is all, title, body or doc_number (it was {other:?})"),
                    "查找范围只能是全部（all）、标题（title）、正文（body）或文号（doc_number）。",
                ))
            }
        };
        let facets = match self.get("facets").unwrap_or("true") {
            "true" | "1" => true,
            "false" | "0" => false,
            other => return Err(not_a_flag("facets", other)),
        };
        let flag = |key: &str| match self.get(key).unwrap_or("false") {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(not_a_flag(key, other)),
        };
        let (as_typed, all_copies) = (flag("as_typed")?, flag("all_copies")?);
        let in_force = flag("in_force")?;
        let since = self.date("since")?;
        let until = self.date("until")?;
        let mut request = SearchRequest::new(query)
            .sort(sort)
            .limit(limit)
            .offset(offset)
            .facets(facets)
            .facet_values(self.number("facet_values", govsearch::DEFAULT_FACET_VALUES, MAX_FACET_VALUES)?)
            .as_typed(as_typed)
            .all_copies(all_copies)
            .scope(scope)
            .snippet_chars(self.number("snippet_chars", govsearch::DEFAULT_SNIPPET_CHARS, MAX_SNIPPET_CHARS)?);
        request.since = since.map(|d| d.start);
        request.until = until.map(|d| d.end);
        let values = |key| self.all(key).map(str::trim).map(str::to_string).collect();
        request.sources = values("source");
        request.editors = values("editor");
        request.keywords = values("keyword");
        request.columns = values("column");
        request.issuers = values("issuer");
        request.topics = values("topic");
        request.kinds = values("kind");
        request.in_force = in_force;
        for value in self.all("force").map(str::trim) {
            let Some(force) = govsearch::Force::from_name(value) else {
                return Err(bad(
                    "bad_parameter",
                    format!("force is in_force, expired or repealed (it was {value:?})"),
                    "有效性只能是有效（in_force）、失效（expired）或废止（repealed）。",
                ));
            };
            if !request.force.contains(&force) {
                request.force.push(force);
            }
        }
        request.doc_numbers = values("doc_number");
        request.within = self
            .all("within")
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        if request.within.len() > MAX_WITHIN || request.within.iter().any(|w| w.chars().count() > MAX_WITHIN_CHARS) {
            return Err(bad(
                "within_too_long",
                format!("within takes at most {MAX_WITHIN} earlier queries of at most {MAX_WITHIN_CHARS} characters"),
                format!("在结果中搜索最多 {MAX_WITHIN} 次，每次的搜索词最多 {MAX_WITHIN_CHARS} 个字。"),
            ));
        }
        // What no index can answer is said as the library says it.
        request.check()?;
        Ok(request)
    }

    /// The API's page: `limit` and `offset`.
    pub(crate) fn api_request(&self) -> Result<SearchRequest, BadRequest> {
        let limit = self.number("limit", 10, MAX_LIMIT)?;
        let offset = self.number("offset", 0, MAX_OFFSET)?;
        self.request(limit, offset)
    }

    /// The page's page number, from 1.
    pub(crate) fn page(&self) -> Result<usize, BadRequest> {
        let page = self.number("page", 1, MAX_OFFSET / PAGE_SIZE + 1)?;
        Ok(page.max(1))
    }

    /// This state as a link to `path`, changed by `change` (page number reset unless set).
    /// `from`, an article page's way back, is no part of a search's state: a search page
    /// does not carry it into its links.
    pub(crate) fn link(&self, path: &str, change: impl FnOnce(&mut Vec<(String, String)>)) -> String {
        let mut pairs: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, v)| k != "page" && k != "from" && !v.trim().is_empty())
            .cloned()
            .collect();
        change(&mut pairs);
        if pairs.is_empty() {
            return path.to_string();
        }
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            out.append_pair(k, v);
        }
        format!("{path}?{}", out.finish())
    }

    /// The same search with `key` set to `value` alone.
    pub(crate) fn with_set(&self, key: &str, value: &str) -> String {
        self.link("/", |pairs| {
            pairs.retain(|(k, _)| k != key);
            pairs.push((key.to_string(), value.to_string()));
        })
    }

    /// The same search with one more filter value.
    pub(crate) fn with_added(&self, key: &str, value: &str) -> String {
        self.link("/", |pairs| {
            if !pairs.iter().any(|(k, v)| k == key && v == value) {
                pairs.push((key.to_string(), value.to_string()));
            }
        })
    }

    /// The same search without one filter value (or without `key` at all when `value` is None).
    pub(crate) fn without(&self, key: &str, value: Option<&str>) -> String {
        self.link("/", |pairs| {
            pairs.retain(|(k, v)| !(k == key && value.is_none_or(|value| v == value)))
        })
    }

    /// Page `page` of the same search.
    pub(crate) fn at_page(&self, page: usize) -> String {
        self.link("/", |pairs| {
            if page > 1 {
                pairs.push(("page".to_string(), page.to_string()));
            }
        })
    }

    /// The parameters a form must carry to keep this state's filters (not the query, the
    /// dates, the sort or the page, which the form has fields for).
    pub(crate) fn kept_filters(&self) -> Vec<(String, String)> {
        self.pairs
            .iter()
            // The form has a checkbox of its own for `in_force`.
            .filter(|(k, v)| FILTERS.iter().any(|(f, _)| f == k) && k != "in_force" && !v.trim().is_empty())
            .cloned()
            .collect()
    }

    /// This search's query string, for the link back from an article.
    pub(crate) fn search_link(&self) -> String {
        self.link("/", |_| {})
    }
}

/// Hits on one page of the search page.
pub(crate) const PAGE_SIZE: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_filters_dates_and_limits() {
        let params = Params::parse(Some(
            "q=%E5%B3%84%E5%9F%8E&source=a&source=b&since=2022-05&until=2022&limit=5",
        ))
        .unwrap();
        let request = params.api_request().unwrap();
        assert_eq!(
            (request.query.as_str(), request.sources.len(), request.limit),
            ("峄城", 2, 5)
        );
        assert_eq!(request.until.unwrap().to_rfc3339(), "2023-01-01T00:00:00+08:00");
        for (raw, says) in [
            ("q=x&limit=101", "limit is at most 100"),
            ("q=x&offset=-1", "offset must be a whole number"),
            ("q=x&since=soon", "is not a date"),
            ("q=x&since=2023&until=2022", "no day is both"),
            ("q=x&source=", "the source filter was given an empty value"),
            ("q=x&sort=best", "sort is relevance or date"),
            ("", "q is required"),
        ] {
            let err = Params::parse(Some(raw)).unwrap().api_request().unwrap_err();
            assert!(err.message.contains(says), "{raw}: {}", err.message);
        }
    }

    #[test]
    fn links_keep_the_state_and_change_one_thing() {
        let params = Params::parse(Some("q=a+b&source=x&page=3")).unwrap();
        assert_eq!(params.with_added("source", "y"), "/?q=a+b&source=x&source=y");
        assert_eq!(params.without("source", Some("x")), "/?q=a+b");
        assert_eq!(params.at_page(2), "/?q=a+b&source=x&page=2");
        assert_eq!(params.with_set("sort", "date"), "/?q=a+b&source=x&sort=date");
    }
}
