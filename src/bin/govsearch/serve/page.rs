//! The search page: HTML from askama templates (compiled into the binary, every value
//! escaped), no JavaScript. Every state is a link or a form, so it can be bookmarked, shared,
//! and used with a keyboard or a screen reader.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use govsearch::{FacetCount, Highlight, Hit, Metadata, SearchResults};

use super::params::{shown_value, Params, FILTERS, MAX_OFFSET, PAGE_SIZE};
use super::{count_search, search as run_search, with_index, Failure, State, Visitor};

/// Values a facet column shows.
const FACET_VALUES: usize = 10;
/// The facets a visitor can ask to see whole.
const FACET_KEYS: [&str; 8] = [
    "source", "editor", "keyword", "column", "issuer", "topic", "kind", "month",
];
/// Values a facet shows when a visitor asks for more (`more=source`): the rest, up to this.
const MORE_FACET_VALUES: usize = 500;
/// The longest way back to a search an article page takes, in bytes: a search's query string
/// of the longest query and a few filters, percent-encoded.
const MAX_BACK_LINK: usize = 4096;

/// A run of text, marked where the query matched.
pub(crate) struct Run {
    text: String,
    mark: bool,
}

/// `text` cut into runs at its highlights (byte ranges on character boundaries).
fn runs(text: &str, highlights: &[Highlight]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut at = 0;
    for h in highlights {
        let (Some(before), Some(marked)) = (text.get(at..h.start), text.get(h.start..h.end)) else {
            continue;
        };
        if !before.is_empty() {
            out.push(Run {
                text: before.to_string(),
                mark: false,
            });
        }
        out.push(Run {
            text: marked.to_string(),
            mark: true,
        });
        at = h.end;
    }
    if let Some(rest) = text.get(at..).filter(|r| !r.is_empty()) {
        out.push(Run {
            text: rest.to_string(),
            mark: false,
        });
    }
    out
}

/// An article's metadata as the page shows it.
struct Meta {
    date: String,
    source: String,
    editor: String,
    keywords: String,
    column: String,
    doc_number: String,
    url: String,
    issuer: String,
    topic: String,
    index_number: String,
    written: String,
    /// 有效性 as the page states it, and the state today when it differs.
    validity: String,
    /// "已失效" or "已废止" when the document is out of force today.
    out_of_force: String,
    /// The page an attachment was published on: (link, title).
    attached_to: Option<(String, String)>,
}

impl Meta {
    fn of(meta: &Metadata, force: Option<govsearch::Force>) -> Meta {
        let out_of_force = match force {
            Some(force @ (govsearch::Force::Expired | govsearch::Force::Repealed)) => format!("已{}", force.label()),
            _ => String::new(),
        };
        let validity = match (&meta.validity, meta.valid_until) {
            (Some(stated), Some(until)) if !stated.contains(&until.format("%Y").to_string()) => {
                format!("{stated}（有效期至 {until}）")
            }
            (Some(stated), _) => stated.clone(),
            (None, Some(until)) => format!("有效期至 {until}"),
            (None, None) => String::new(),
        };
        Meta {
            attached_to: meta
                .attached_to
                .as_ref()
                .map(|page| (format!("/articles/{}", page.id), page.title.clone())),
            issuer: meta.issuer.clone().unwrap_or_default(),
            topic: meta.topic.clone().unwrap_or_default(),
            index_number: meta.index_number.clone().unwrap_or_default(),
            written: meta
                .written
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            validity,
            out_of_force,
            date: meta
                .published
                .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            source: meta.source.clone().unwrap_or_default(),
            editor: meta.editor.clone().unwrap_or_default(),
            keywords: meta.keywords.join("、"),
            column: meta.column.clone().unwrap_or_default(),
            doc_number: meta.doc_number.clone().unwrap_or_default(),
            // Only web addresses become links: a `javascript:` address in a scraped page stays text.
            url: meta
                .url
                .clone()
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                .unwrap_or_default(),
        }
    }
}

struct HitView {
    link: String,
    title: Vec<Run>,
    meta: Meta,
    snippet: Vec<Run>,
    /// The release's other copies: (link, source and date).
    copies: Vec<(String, String)>,
}

struct FacetLink {
    value: String,
    /// The value as the page names it.
    shown: String,
    count: u64,
    link: String,
    active: bool,
}

struct FacetView {
    label: &'static str,
    values: Vec<FacetLink>,
    /// Months grouped by year (the month facet, shown whole): the values are then empty.
    years: Vec<YearView>,
    /// The link that shows every value (empty when all are shown).
    more: String,
    /// The link back to the first few (empty unless all are shown).
    fewer: String,
    /// Values the matches have beyond those shown.
    unlisted: usize,
}

/// One year of the month facet: the year as a filter, then its months.
struct YearView {
    year: String,
    count: u64,
    link: String,
    months: Vec<FacetLink>,
}

struct ActiveFilter {
    label: &'static str,
    value: String,
    remove: String,
}

struct PageLink {
    number: usize,
    link: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    q: String,
    since: String,
    until: String,
    by_date: bool,
    /// Whether only documents in force are asked for (the form's checkbox).
    in_force: bool,
    kept: Vec<(String, String)>,
    /// Where the query is looked for: `all`, `title` or `body`.
    scope: String,
    /// What 在结果中搜索 searches within: the queries this page searched within, and its own.
    within: String,
    error: String,
    searched: bool,
    total: usize,
    first: usize,
    last: usize,
    /// A page past the last: the link to the last page, and its number.
    past_end: Option<(String, usize)>,
    hits: Vec<HitView>,
    facets: Vec<FacetView>,
    active: Vec<ActiveFilter>,
    notices: Vec<String>,
    /// The query the hits are for when it is not the one typed, and the link to search as typed.
    searched_as: Option<(String, String)>,
    /// A query offered, and its link.
    did_you_mean: Option<(String, String)>,
    relevance_link: String,
    date_link: String,
    previous: String,
    next: String,
    pages: Vec<PageLink>,
    clear_filters: String,
    /// 热门搜索 on the front page: (link, query).
    popular: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    title: Vec<Run>,
    title_text: String,
    meta: Meta,
    paragraphs: Vec<Vec<Run>>,
    back: String,
    /// Related articles: (link, title, date).
    related: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "advanced.html")]
struct AdvancedPage;

#[derive(Template)]
#[template(path = "failure.html")]
struct FailurePage {
    status: u16,
    message: String,
}

fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, Html(without_reordering(html))).into_response(),
        Err(err) => {
            eprintln!("govsearch: a page could not be rendered: {err}");
            (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response()
        }
    }
}

/// `html` without the characters that reorder text (bidi embeddings, overrides and isolates):
/// the page's own templates have none, and in a scraped title one can make `txt.exe` read
/// as `exe.txt`, or a headline say the opposite of what it does.
fn without_reordering(html: String) -> String {
    let reorders = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}');
    if !html.contains(reorders) {
        return html;
    }
    html.chars().filter(|&c| !reorders(c)).collect()
}

/// A failure as a page.
pub(crate) fn failure(failure: Failure) -> Response {
    let page = FailurePage {
        status: failure.status.as_u16(),
        message: failure.chinese,
    };
    render(&page, failure.status)
}

/// `GET /advanced`: the 高级搜索 form, and, once filled in, the search it asks for: its boxes
/// become one query (all these words, "the phrase", any | of | these, -none -of -these) and
/// the browser is sent to that search, so that every search has one address and one query.
pub(crate) async fn advanced(RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return failure(bad),
    };
    // The boxes that go into the search as they are; the others make its query.
    let passed = [
        "in",
        "doc_number",
        "source",
        "issuer",
        "topic",
        "kind",
        "in_force",
        "since",
        "until",
        "sort",
    ];
    if ["all", "exact", "any", "none"]
        .iter()
        .chain(&passed)
        .all(|key| params.get(key).is_none_or(|v| v.trim().is_empty()))
    {
        return render(&AdvancedPage, StatusCode::OK);
    }
    let mut pairs = vec![("q".to_string(), advanced_query(&params))];
    for key in passed {
        if let Some(value) = params.get(key).map(str::trim).filter(|v| !v.is_empty()) {
            // The defaults say nothing.
            if !matches!((key, value), ("in", "all") | ("sort", "relevance") | ("kind", "any")) {
                pairs.push((key.to_string(), value.to_string()));
            }
        }
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in &pairs {
        out.append_pair(key, value);
    }
    Redirect::to(&format!("/?{}", out.finish())).into_response()
}

/// The query the 高级搜索 boxes ask for, in the query syntax: `*` when they hold no word.
fn advanced_query(params: &Params) -> String {
    let words = |key: &str| -> Vec<String> {
        params
            .get(key)
            .unwrap_or_default()
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '“' | '”' | '|' | '｜'))
            .map(|w| w.trim_start_matches('-'))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut parts = words("all");
    let exact: String = params
        .get("exact")
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, '"' | '“' | '”'))
        .collect();
    if !exact.trim().is_empty() {
        parts.push(format!("\"{}\"", exact.trim()));
    }
    let any = words("any");
    if !any.is_empty() {
        parts.push(any.join(" | "));
    }
    let none: Vec<String> = words("none").into_iter().map(|w| format!("-{w}")).collect();
    if parts.is_empty() && none.is_empty() {
        // Filters alone: every article they keep.
        return "*".to_string();
    }
    // Exclusions alone stay so: the search says what to add.
    parts.extend(none);
    parts.join(" ")
}

/// `GET /static/style.css`.
pub(crate) async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("style.css"),
    )
        .into_response()
}

/// `GET /`: the search box, and the results when there is a query.
pub(crate) async fn search(Shared(state): Shared<Arc<State>>, visitor: Visitor, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return failure(bad),
    };
    let mut page = SearchPage {
        q: params.query().to_string(),
        since: params.get("since").unwrap_or_default().trim().to_string(),
        until: params.get("until").unwrap_or_default().trim().to_string(),
        by_date: params.get("sort") == Some("date"),
        in_force: matches!(params.get("in_force"), Some("1" | "true")),
        kept: params.kept_filters(),
        scope: match params.get("in").map(str::trim) {
            Some(scope @ ("title" | "body" | "doc_number")) => scope.to_string(),
            _ => "all".to_string(),
        },
        within: params
            .all("within")
            .chain(std::iter::once(params.query()))
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        error: String::new(),
        searched: false,
        total: 0,
        first: 0,
        last: 0,
        past_end: None,
        hits: Vec::new(),
        facets: Vec::new(),
        active: active_filters(&params),
        notices: Vec::new(),
        searched_as: None,
        did_you_mean: None,
        relevance_link: params.without("sort", None),
        date_link: params.with_set("sort", "date"),
        previous: String::new(),
        next: String::new(),
        pages: Vec::new(),
        clear_filters: params.link("/", |pairs| pairs.retain(|(k, _)| k == "q")),
        popular: Vec::new(),
    };
    if page.q.is_empty() {
        page.popular = popular(&state).await;
        return render(&page, StatusCode::OK);
    }
    let request = params
        .page()
        .and_then(|number| params.request(PAGE_SIZE, (number - 1) * PAGE_SIZE))
        .map(|request| {
            // One facet shown whole asks for its rest; the others show their first few of it.
            let whole = params.get("more").is_some_and(|key| FACET_KEYS.contains(&key));
            if whole {
                request.facet_values(MORE_FACET_VALUES)
            } else {
                request
            }
        });
    let request = match request {
        Ok(request) => request,
        Err(bad) => {
            page.error = bad.chinese;
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let offset = request.offset;
    let results = match run_search(&state, request).await {
        Ok(results) => results,
        Err(failed) => {
            let status = failed.status;
            page.error = failed.chinese;
            return render(&page, status);
        }
    };
    count_search(&state, &visitor, &page.q, offset, &results);
    fill(&mut page, &params, &results, offset);
    render(&page, StatusCode::OK)
}

/// The queries 热门搜索 shows on the front page.
const POPULAR_SHOWN: usize = 10;

/// 热门搜索: each popular query with the link that searches it.
async fn popular(state: &Arc<State>) -> Vec<(String, String)> {
    let Some(log) = state.log.clone() else {
        return Vec::new();
    };
    let queries = tokio::task::spawn_blocking(move || log.popular(POPULAR_SHOWN))
        .await
        .unwrap_or_default();
    queries
        .into_iter()
        .map(|p| {
            let link = format!(
                "/?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &p.query)
                    .finish()
            );
            (link, p.query)
        })
        .collect()
}

/// The filters in force, each with the link that removes it.
fn active_filters(params: &Params) -> Vec<ActiveFilter> {
    let mut active = Vec::new();
    for (key, label) in FILTERS {
        for value in params.all(key).map(str::trim).filter(|v| !v.is_empty()) {
            active.push(ActiveFilter {
                label,
                value: shown_value(key, value),
                remove: params.without(key, Some(value)),
            });
        }
    }
    for value in params.all("within").map(str::trim).filter(|v| !v.is_empty()) {
        active.push(ActiveFilter {
            label: "在结果中",
            value: value.to_string(),
            remove: params.without("within", Some(value)),
        });
    }
    for (key, label) in [("since", "起"), ("until", "止")] {
        if let Some(value) = params.get(key).map(str::trim).filter(|v| !v.is_empty()) {
            active.push(ActiveFilter {
                label,
                value: value.to_string(),
                remove: params.without(key, None),
            });
        }
    }
    active
}

/// Related articles listed under an article.
const RELATED: usize = 5;

/// Puts the results of a search on the page.
fn fill(page: &mut SearchPage, params: &Params, results: &SearchResults, offset: usize) {
    page.searched = true;
    page.total = results.releases;
    page.first = if results.hits.is_empty() { 0 } else { offset + 1 };
    page.last = offset + results.hits.len();
    let back = params.search_link();
    page.hits = results.hits.iter().map(|hit| hit_view(hit, &page.q, &back)).collect();
    let expanded = params.get("more").unwrap_or_default();
    let unlisted = &results.facets.unlisted;
    // Shown whole (`more=key`) or the first few with a link to the rest.
    let view = |label, key: &str, mut values: Vec<FacetLink>, unlisted: usize| {
        let whole = expanded == key;
        let hidden = if whole {
            0
        } else {
            values.len().saturating_sub(FACET_VALUES)
        };
        values.truncate(if whole { MORE_FACET_VALUES } else { FACET_VALUES });
        let more = if hidden + unlisted > 0 && !whole {
            params.with_set("more", key)
        } else {
            String::new()
        };
        let fewer = if whole {
            params.without("more", None)
        } else {
            String::new()
        };
        FacetView {
            label,
            values,
            years: Vec::new(),
            more,
            fewer,
            unlisted: if whole { unlisted } else { 0 },
        }
    };
    let facet = |label, key: &str, values: &[FacetCount], unlisted: usize| {
        let links = values
            .iter()
            .map(|v| {
                let active = params.all(key).any(|x| x.trim() == v.value);
                FacetLink {
                    shown: shown_value(key, &v.value),
                    value: v.value.clone(),
                    count: v.count,
                    link: if active {
                        params.without(key, Some(&v.value))
                    } else {
                        params.with_added(key, &v.value)
                    },
                    active,
                }
            })
            .collect();
        view(label, key, links, unlisted)
    };
    let f = &results.facets;
    let mut facets = vec![
        facet("来源", "source", &f.source, unlisted.source),
        facet("责任编辑", "editor", &f.editor, unlisted.editor),
        facet("关键词", "keyword", &f.keyword, unlisted.keyword),
        facet("栏目", "column", &f.column, unlisted.column),
        facet("发文机关", "issuer", &f.issuer, unlisted.issuer),
        facet("主题分类", "topic", &f.topic, unlisted.topic),
        facet("文件类型", "kind", &f.kind, unlisted.kind),
        facet("有效性", "force", &f.force, 0),
    ];
    // A month or a year narrows the dates to it.
    let span = |value: &str| {
        let active = params.get("since") == Some(value) && params.get("until") == Some(value);
        let link = params.link("/", |pairs| {
            pairs.retain(|(k, _)| k != "since" && k != "until");
            if !active {
                pairs.push(("since".to_string(), value.to_string()));
                pairs.push(("until".to_string(), value.to_string()));
            }
        });
        (active, link)
    };
    let months: Vec<FacetLink> = f
        .month
        .iter()
        .map(|m| {
            let (active, link) = span(&m.value);
            FacetLink {
                shown: m.value.clone(),
                value: m.value.clone(),
                count: m.count,
                link,
                active,
            }
        })
        .collect();
    let mut month_view = view("月份", "month", months, unlisted.month);
    if expanded == "month" {
        // Every month back to the oldest, newest first, under its year.
        let mut years: Vec<YearView> = Vec::new();
        for month in month_view.values.drain(..) {
            let year = month.value.get(..4).unwrap_or_default().to_string();
            if years.last().is_none_or(|last| last.year != year) {
                let (_, link) = span(&year);
                years.push(YearView {
                    year,
                    count: 0,
                    link,
                    months: Vec::new(),
                });
            }
            if let Some(last) = years.last_mut() {
                last.count += month.count;
                last.months.push(month);
            }
        }
        month_view.years = years;
    }
    facets.push(month_view);
    page.facets = facets
        .into_iter()
        .filter(|f| !f.values.is_empty() || !f.years.is_empty())
        .collect();
    page.notices = results
        .unmatched_filters
        .iter()
        .map(|u| {
            let label = FILTERS.iter().find(|(k, _)| *k == u.field).map_or("筛选", |(_, l)| *l);
            if u.closest.is_empty() {
                format!("没有{label}为「{}」的文章。", u.value)
            } else {
                format!(
                    "没有{label}为「{}」的文章；相近的有：{}。",
                    u.value,
                    u.closest.join("、")
                )
            }
        })
        .collect();
    page.searched_as = results
        .searched_as
        .as_ref()
        .map(|r| (r.query.clone(), params.with_set("as_typed", "true")));
    page.did_you_mean = results
        .did_you_mean
        .as_ref()
        .map(|r| (r.query.clone(), params.with_set("q", &r.query)));
    let current = offset / PAGE_SIZE + 1;
    let pages = results.releases.div_ceil(PAGE_SIZE).min(MAX_OFFSET / PAGE_SIZE + 1);
    if current > pages && pages > 0 {
        // Past the end: the way back is the last page, not the one before this.
        page.past_end = Some((params.at_page(pages), pages));
        page.previous = params.at_page(pages);
    } else if current > 1 {
        page.previous = params.at_page(current - 1);
    }
    if current < pages {
        page.next = params.at_page(current + 1);
    }
    let window = current.saturating_sub(4).max(1)..=(current + 4).min(pages);
    page.pages = window
        .map(|number| PageLink {
            number,
            link: params.at_page(number),
            current: number == current,
        })
        .collect();
}

fn hit_view(hit: &Hit, q: &str, back: &str) -> HitView {
    let mut link = form_urlencoded::Serializer::new(String::new());
    link.append_pair("q", q);
    link.append_pair("from", back);
    let query = link.finish();
    HitView {
        link: format!("/articles/{}?{query}", hit.id),
        title: runs(&hit.title, &hit.title_highlights),
        meta: Meta::of(&hit.meta, hit.force),
        snippet: runs(&hit.snippet.text, &hit.snippet.highlights),
        copies: hit
            .copies
            .iter()
            .map(|copy| {
                let source = copy.source.as_deref().or(copy.site.as_deref()).unwrap_or("其他网站");
                let date = copy
                    .published
                    .map(|d| d.format(" %Y-%m-%d").to_string())
                    .unwrap_or_default();
                // A retitled copy says its own title.
                let title = if copy.title != hit.title && !copy.title.is_empty() {
                    format!(" 「{}」", copy.title)
                } else {
                    String::new()
                };
                (
                    format!("/articles/{}?{}", copy.id, query),
                    format!("{source}{date}{title}"),
                )
            })
            .collect(),
    }
}

/// `GET /articles/{id}`: the whole article, the query's matches marked.
pub(crate) async fn article(
    Shared(state): Shared<Arc<State>>,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Ok(Path(id)) = id else {
        return failure(Failure::no_such_article());
    };
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return failure(bad),
    };
    let query = params
        .query()
        .chars()
        .take(super::params::MAX_QUERY_CHARS)
        .collect::<String>();
    // Back to the search it came from: only a link on this site, and no longer than a
    // search's own link can be (a longer one would be repeated under every related article).
    let back = params
        .get("from")
        .filter(|from| (from.starts_with("/?") || *from == "/") && from.len() <= MAX_BACK_LINK)
        .unwrap_or("/")
        .to_string();
    let found = with_index(&state, move |index| {
        let article = super::article_marked(index, &id, &query)?;
        // A page is no worse for missing its related articles: a failure there shows none.
        let related = index.related(&id, RELATED).ok().flatten().unwrap_or_default();
        Ok(article.map(|a| (a, related)))
    })
    .await;
    let (article, related) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return failure(Failure::no_such_article()),
        Err(failed) => return failure(failed),
    };
    // Paragraphs are the body's lines; highlights are cut along with them.
    let mut paragraphs = Vec::new();
    let mut start = 0;
    for line in article.body.split('\n') {
        let end = start + line.len();
        let highlights: Vec<Highlight> = article
            .body_highlights
            .iter()
            .filter(|h| h.start >= start && h.end <= end)
            .map(|h| Highlight {
                start: h.start - start,
                end: h.end - start,
            })
            .collect();
        if !line.trim().is_empty() {
            paragraphs.push(runs(line, &highlights));
        }
        start = end + 1;
    }
    let page = ArticlePage {
        title: runs(&article.title, &article.title_highlights),
        title_text: article.title.clone(),
        meta: Meta::of(&article.meta, article.force),
        paragraphs,
        related: related
            .iter()
            .map(|hit| {
                let mut link = form_urlencoded::Serializer::new(String::new());
                link.append_pair("from", &back);
                let date = hit
                    .meta
                    .published
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                (
                    format!("/articles/{}?{}", hit.id, link.finish()),
                    hit.title.clone(),
                    date,
                )
            })
            .collect(),
        back,
    };
    render(&page, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_reorders_itself_is_left_out_of_pages() {
        let spoofed = "<p>\u{202E}gpj.exe 通知\u{2066}附件\u{2069}</p>".to_string();
        assert_eq!(without_reordering(spoofed), "<p>gpj.exe 通知附件</p>");
        let plain = "<p>峄城区召开会议</p>".to_string();
        assert_eq!(without_reordering(plain.clone()), plain);
    }

    #[test]
    fn runs_cut_text_at_highlights_and_skip_bad_ranges() {
        let text = "峄城区召开会议";
        let cut = runs(text, &[Highlight { start: 0, end: 9 }, Highlight { start: 1, end: 2 }]);
        let cut: Vec<(&str, bool)> = cut.iter().map(|r| (r.text.as_str(), r.mark)).collect();
        assert_eq!(cut, [("峄城区", true), ("召开会议", false)]);
    }
}
