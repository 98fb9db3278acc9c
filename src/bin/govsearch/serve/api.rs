//! The JSON API: the library's own types, as `govsearch search --json` and `stats --json`
//! print them. `/api/openapi.json` describes it.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::params::{Params, MAX_QUERY_CHARS};
use super::{search as run_search, with_index, Failure, State};

/// What of `value` (a library type as JSON) a visitor sees: unless the operator asked for
/// them (`--expose-paths`), no file path of an article or its copies, and no folder of the
/// machine (the index's location, the indexed folders). The library and the CLI keep them for
/// the operator.
fn public(state: &State, value: impl serde::Serialize) -> Result<Response, Failure> {
    // Through text, so that numbers print as the library's types print them (an `f32` score
    // as `79.19123`, not widened to `f64`).
    let text = serde_json::to_string(&value).map_err(|_| Failure::internal())?;
    let mut value: serde_json::Value = serde_json::from_str(&text).map_err(|_| Failure::internal())?;
    if !state.expose_paths {
        strip_paths(&mut value);
    }
    Ok(Json(value).into_response())
}

/// `value` without the keys that name the machine's files and folders, at any depth.
fn strip_paths(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for key in ["path", "location", "folders"] {
                map.remove(key);
            }
            map.values_mut().for_each(strip_paths);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_paths),
        _ => {}
    }
}

/// `GET /api/search`: the library's results for the CLI's options as parameters.
pub(crate) async fn search(Shared(state): Shared<Arc<State>>, RawQuery(raw): RawQuery) -> Result<Response, Failure> {
    let params = Params::parse(raw.as_deref())?;
    let results = run_search(&state, params.api_request()?).await?;
    public(&state, results)
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
            return Err(Failure::bad_request(format!("{key} is given more than once")));
        }
    }
    let prefix = params.query().to_string();
    if prefix.is_empty() {
        return Err(Failure::bad_request("q is required: the start of a word to complete"));
    }
    if prefix.chars().count() > MAX_PREFIX_CHARS {
        return Err(Failure::bad_request(format!(
            "q is too long (at most {MAX_PREFIX_CHARS} characters)"
        )));
    }
    let limit = params.number("limit", 10, MAX_SUGGESTIONS)?;
    let suggestions = with_index(&state, move |index| index.suggest(&prefix, limit)).await?;
    Ok(Json(suggestions).into_response())
}

/// `GET /api/articles/{id}`: one whole article, with the matches of `q` marked if given.
pub(crate) async fn article(
    Shared(state): Shared<Arc<State>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let params = Params::parse(raw.as_deref())?;
    let query = params.query().to_string();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(Failure::bad_request(format!(
            "the query is too long (at most {MAX_QUERY_CHARS} characters)"
        )));
    }
    let found = with_index(&state, move |index| super::article_marked(index, &id, &query)).await?;
    match found {
        Some(article) => public(&state, article),
        None => Err(Failure::new(
            StatusCode::NOT_FOUND,
            "no article has this id: it was changed or removed since the search that gave it; search again",
        )),
    }
}

/// The most related articles one request asks for.
const MAX_RELATED: usize = 50;

/// `GET /api/articles/{id}/related`: the articles most about the same thing.
pub(crate) async fn related(
    Shared(state): Shared<Arc<State>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let params = Params::parse(raw.as_deref())?;
    if params.all("limit").count() > 1 {
        return Err(Failure::bad_request("limit is given more than once"));
    }
    let limit = params.number("limit", 10, MAX_RELATED)?;
    match with_index(&state, move |index| index.related(&id, limit)).await? {
        Some(hits) => public(&state, hits),
        None => Err(Failure::new(
            StatusCode::NOT_FOUND,
            "no article has this id: it was changed or removed since the search that gave it; search again",
        )),
    }
}

/// `GET /api/stats`: what `govsearch stats --json` prints.
pub(crate) async fn stats(Shared(state): Shared<Arc<State>>) -> Result<Response, Failure> {
    let stats = with_index(&state, |index| index.stats()).await?;
    public(&state, stats)
}

/// `GET /healthz`: the server answers and the index can be read.
pub(crate) async fn health(Shared(state): Shared<Arc<State>>) -> Result<Response, Failure> {
    let articles = with_index(&state, |index| Ok(index.num_articles())).await?;
    Ok(Json(serde_json::json!({ "status": "ok", "articles": articles })).into_response())
}

/// `GET /api/openapi.json`: the API's description, compiled into the binary.
pub(crate) async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}
