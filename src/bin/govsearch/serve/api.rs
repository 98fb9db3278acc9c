//! The JSON API: the library's own types, as `govsearch search --json` and `stats --json`
//! print them. `/api/openapi.json` describes it.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::params::{Params, MAX_QUERY_CHARS};
use super::{count_search, search as run_search, with_index, Failure, State, Visitor};

/// What of the library's answers a visitor sees: unless the operator asked for them
/// (`--expose-paths`), no file path of an article or its copies, and no folder of the machine
/// (the index's location, the indexed folders); the JSON leaves empty ones out. The library
/// and the CLI keep them for the operator.
fn hide_paths(hits: &mut [govsearch::Hit]) {
    for hit in hits {
        hit.path.clear();
        for copy in &mut hit.copies {
            copy.path.clear();
        }
    }
}

/// `GET /api/search`: the library's results for the CLI's options as parameters.
pub(crate) async fn search(
    Shared(state): Shared<Arc<State>>,
    visitor: Visitor,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let params = Params::parse(raw.as_deref())?;
    let request = params.api_request()?;
    let offset = request.offset;
    let mut results = run_search(&state, request).await?;
    count_search(&state, &visitor, params.query(), offset, &results);
    if !state.expose_paths {
        hide_paths(&mut results.hits);
    }
    Ok(Json(results).into_response())
}

/// The longest prefix `/api/suggest` completes, in characters.
const MAX_PREFIX_CHARS: usize = 100;
/// The most completions one request asks for.
const MAX_SUGGESTIONS: usize = 50;

/// `GET /api/suggest`: completions of `q` from the index's own terms.
pub(crate) async fn suggest(Shared(state): Shared<Arc<State>>, RawQuery(raw): RawQuery) -> Result<Response, Failure> {
    let params = Params::parse(raw.as_deref())?;
    for key in ["q", "limit"] {
        if params.all(key).count() > 1 {
            return Err(super::params::repeated(key));
        }
    }
    let prefix = params.query().to_string();
    if prefix.is_empty() {
        return Err(Failure::bad_request(
            "missing_query",
            "q is required: the start of a word to complete",
            "请输入要补全的词的开头。",
        ));
    }
    if prefix.chars().count() > MAX_PREFIX_CHARS {
        return Err(Failure::bad_request(
            "query_too_long",
            format!("q is too long (at most {MAX_PREFIX_CHARS} characters)"),
            format!("要补全的词太长了（最多 {MAX_PREFIX_CHARS} 个字）。"),
        ));
    }
    let limit = params.number("limit", 10, MAX_SUGGESTIONS)?;
    // Popular queries that complete the prefix come first, then the index's terms.
    let popular = state
        .log
        .as_ref()
        .map(|log| log.completions(&prefix, POPULAR_COMPLETIONS.min(limit)))
        .unwrap_or_default();
    let mut suggestions: Vec<govsearch::Suggestion> = popular
        .into_iter()
        .map(|p| govsearch::Suggestion {
            text: p.query,
            articles: p.articles,
        })
        .collect();
    let terms = with_index(&state, move |index| index.suggest(&prefix, limit)).await?;
    for term in terms {
        if suggestions.len() < limit && !suggestions.iter().any(|s| s.text == term.text) {
            suggestions.push(term);
        }
    }
    Ok(Json(suggestions).into_response())
}

/// The most popular queries a completion list starts with.
const POPULAR_COMPLETIONS: usize = 3;
/// The most popular queries one request asks for.
const MAX_POPULAR: usize = 50;

/// `GET /api/popular`: 热门搜索, the queries most visitors searched over the last seven days
/// (empty unless the server counts searches, `--state`).
pub(crate) async fn popular(Shared(state): Shared<Arc<State>>, RawQuery(raw): RawQuery) -> Result<Response, Failure> {
    let params = Params::parse(raw.as_deref())?;
    if params.all("limit").count() > 1 {
        return Err(super::params::repeated("limit"));
    }
    let limit = params.number("limit", 10, MAX_POPULAR)?;
    let popular = match &state.log {
        Some(log) => {
            let log = Arc::clone(log);
            // It may read the last days' files: off the async threads.
            tokio::task::spawn_blocking(move || log.popular(limit))
                .await
                .map_err(|_| Failure::internal())?
        }
        None => Vec::new(),
    };
    Ok(Json(popular).into_response())
}

/// `GET /api/articles/{id}`: one whole article, with the matches of `q` marked if given.
pub(crate) async fn article(
    Shared(state): Shared<Arc<State>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let Ok(Path(id)) = id else {
        return Err(Failure::no_such_article());
    };
    let params = Params::parse(raw.as_deref())?;
    let query = params.query().to_string();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(super::params::too_long(&query));
    }
    let found = with_index(&state, move |index| super::article_marked(index, &id, &query)).await?;
    match found {
        Some(mut article) => {
            if !state.expose_paths {
                article.path.clear();
            }
            Ok(Json(article).into_response())
        }
        None => Err(Failure::no_such_article()),
    }
}

/// The most related articles one request asks for.
const MAX_RELATED: usize = 50;

/// `GET /api/articles/{id}/related`: the articles most about the same thing.
pub(crate) async fn related(
    Shared(state): Shared<Arc<State>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let Ok(Path(id)) = id else {
        return Err(Failure::no_such_article());
    };
    let params = Params::parse(raw.as_deref())?;
    if params.all("limit").count() > 1 {
        return Err(super::params::repeated("limit"));
    }
    let limit = params.number("limit", 10, MAX_RELATED)?;
    match with_index(&state, move |index| index.related(&id, limit)).await? {
        Some(mut hits) => {
            if !state.expose_paths {
                hide_paths(&mut hits);
            }
            Ok(Json(hits).into_response())
        }
        None => Err(Failure::no_such_article()),
    }
}

/// `GET /api/stats`: what `govsearch stats --json` prints.
pub(crate) async fn stats(Shared(state): Shared<Arc<State>>) -> Result<Response, Failure> {
    let mut stats = with_index(&state, |index| index.stats()).await?;
    if !state.expose_paths {
        stats.location.clear();
        stats.folders.clear();
    }
    Ok(Json(stats).into_response())
}

/// `GET /healthz`: the server answers and the index can be read.
///
/// It takes no search permit: counting the articles reads the current view's counts, so the
/// health check answers at once while searches queue for their turn. A given-up index (a file
/// shrank under the server) is tried again here too, and reported as damaged while it fails.
/// An index on a cluster is asked for its count, so a cluster that does not answer is said.
pub(crate) async fn health(Shared(state): Shared<Arc<State>>) -> Result<Response, Failure> {
    // Opening again reads files: off the async threads, and only when the view was given up.
    let current = match state.index.held() {
        Some(index) if state.index.on_cluster() => {
            tokio::task::spawn_blocking(move || index.articles_now().map_err(Failure::from))
                .await
                .map_err(|_| Failure::internal())?
        }
        Some(index) => Ok(index.num_articles()),
        None => tokio::task::spawn_blocking(move || state.index.current().map(|index| index.num_articles()))
            .await
            .map_err(|_| Failure::internal())?,
    };
    match current {
        Ok(articles) => Ok(Json(serde_json::json!({ "status": "ok", "articles": articles })).into_response()),
        Err(failure) => Ok((
            failure.status,
            Json(serde_json::json!({
                "status": if failure.code.starts_with("cluster") { "unavailable" } else { "damaged" },
                "error": failure.message,
                "code": failure.code,
            })),
        )
            .into_response()),
    }
}

/// `GET /api/openapi.json`: the API's description, compiled into the binary.
pub(crate) async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}
