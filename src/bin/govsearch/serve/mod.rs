//! `govsearch serve`: the index over HTTP, a thin layer over the library like the rest of the
//! command. A search page at `/` (HTML, no JavaScript: every state is a URL) and a JSON API
//! under `/api`, both reading the index only. With `--state`, searches are counted in a
//! folder of the server's own (the library's `SearchLog`): 热门搜索 and popular completions.
//!
//! Every request goes through the same limits: a bounded query string, a request timeout, a
//! bounded number of searches at once (more wait their turn, then are told the server is
//! busy), a caught panic (logged; the request gets 500, the server goes on), and security
//! headers. Searches run on tokio's blocking threads, off the threads that serve sockets. The
//! index reloads on its own when `govsearch index` commits, so new articles show without a
//! restart and a search never sees half a commit.

mod api;
mod connections;
mod failure;
mod faults;
mod page;
mod params;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use govsearch::{Index, LogOptions, SearchLog, SearchRequest, SearchResults, Searched};
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::args::ServeArgs;
pub(crate) use failure::Failure;

/// The longest a request may take, queue included.
const REQUEST_TIME: Duration = Duration::from_secs(10);
/// The longest a search waits for its turn before the server says it is busy.
const QUEUE_TIME: Duration = Duration::from_secs(5);

/// The page's content security policy: nothing but this server's own style sheet; no script
/// at all, no frames, forms only to this server.
const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What every request shares.
pub(crate) struct State {
    pub(crate) index: Served,
    /// Whether the API shows file paths and folders (`--expose-paths`).
    pub(crate) expose_paths: bool,
    /// Permits to search: searches are CPU-bound, so no more run at once than this.
    searches: Arc<Semaphore>,
    /// The searches counted (`--state`), if the operator asked for it.
    pub(crate) log: Option<Arc<SearchLog>>,
    /// Whether a visitor is the last address of X-Forwarded-For (`--behind-proxy`).
    behind_proxy: bool,
}

/// How often the search log is looked at for changes to write.
const LOG_TICK: Duration = Duration::from_secs(1);

/// Runs the server until Ctrl+C or SIGTERM; requests in flight finish first.
pub(crate) fn run(location: &Path, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let cluster = args
        .backend
        .cluster()
        .map(|(url, name)| (url.to_string(), name.to_string()));
    let index = open(location, cluster.as_ref()).map_err(|err| match err {
        govsearch::Error::NoIndex { .. } => anyhow::anyhow!("{err}: run `govsearch index <DIR>` first"),
        other => other.into(),
    })?;
    faults::install().context("cannot watch for index files that shrink")?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let searches = args.searches.map_or(2 * cores, usize::from);
    let articles = index.num_articles();
    let log = match &args.state {
        Some(dir) => {
            let options = LogOptions {
                keep_days: args.keep_days,
                popular_visitors: args.popular_visitors,
                ..LogOptions::default()
            };
            let index_folder = cluster.is_none().then_some(location);
            let log = SearchLog::open(dir, index_folder, options)?;
            for note in log.take_notes() {
                eprintln!("govsearch: {note}");
            }
            Some(Arc::new(log))
        }
        None => None,
    };
    let state = Arc::new(State {
        index: Served::new(location, cluster.clone(), index),
        expose_paths: args.expose_paths,
        searches: Arc::new(Semaphore::new(searches)),
        log: log.clone(),
        behind_proxy: args.behind_proxy,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(searches.max(4))
        .build()
        .context("cannot start the server's runtime")?;
    let writer = log.clone();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let local = listener.local_addr()?;
        if !local.ip().is_loopback() {
            eprintln!("govsearch: listening on {local}, which other machines can reach");
        }
        // One line on stdout that a person can open and a script can read the port from.
        let of = match &cluster {
            Some((url, name)) => format!("{name} on {url}"),
            None => location.display().to_string(),
        };
        println!("govsearch: serving {articles} articles of {of} at http://{local}/");
        if args.expose_paths {
            eprintln!("govsearch: the API shows file paths and folders (--expose-paths)");
        }
        if let Some(log) = &writer {
            tokio::spawn(keep_writing(Arc::clone(log)));
        }
        let slots = connections::cap(args.connections);
        let idle = Duration::from_secs(args.idle_secs);
        connections::serve(listener, router(state), slots, idle, shutdown()).await;
        anyhow::Ok(())
    })?;
    if let Some(log) = &log {
        if let Err(err) = log.write() {
            eprintln!("govsearch: error: the last searches were not kept: {err}");
        }
    }
    eprintln!("govsearch: stopped");
    Ok(ExitCode::SUCCESS)
}

/// The routes, with the layers every request goes through.
pub(crate) fn router(state: Arc<State>) -> Router {
    let header =
        |name, value: &'static str| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    Router::new()
        .route("/", get(page::search))
        .route("/advanced", get(page::advanced))
        .route("/articles/{id}", get(page::article))
        .route("/static/style.css", get(page::style))
        .route("/api/search", get(api::search))
        .route("/api/suggest", get(api::suggest))
        .route("/api/popular", get(api::popular))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/articles/{id}/related", get(api::related))
        .route("/api/stats", get(api::stats))
        .route("/api/openapi.json", get(api::openapi))
        .route("/healthz", get(api::health))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(middleware::from_fn(limits))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn(deadline))
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(middleware::from_fn(caching))
        .layer(middleware::from_fn(log))
}

/// Writes the search log's changes every moment, off the async threads; says what went wrong.
async fn keep_writing(log: Arc<SearchLog>) {
    let mut ticks = tokio::time::interval(LOG_TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        ticks.tick().await;
        let log = Arc::clone(&log);
        let written = tokio::task::spawn_blocking(move || (log.write_if_due(), log.take_notes())).await;
        let Ok((written, notes)) = written else { continue };
        for note in notes {
            eprintln!("govsearch: {note}");
        }
        // Said once when writing starts failing (a full disk), and once when it works again.
        match written {
            Err(err) if !failing => {
                eprintln!("govsearch: error: the searches are not being kept: {err}");
                failing = true;
            }
            Ok(()) if failing => {
                eprintln!("govsearch: the searches are kept again");
                failing = false;
            }
            _ => {}
        }
    }
}

/// Counts a search the visitor made (its first page only: paging is the same search).
pub(crate) fn count_search(state: &State, visitor: &Visitor, query: &str, offset: usize, results: &SearchResults) {
    let (Some(log), Some(address)) = (&state.log, visitor.address(state.behind_proxy)) else {
        return;
    };
    if offset > 0 {
        return;
    }
    let searched_as = results.searched_as.as_ref();
    log.record(&Searched {
        query,
        visitor: address,
        articles: searched_as.map_or(results.total, |r| r.total),
        searched_as: searched_as.map(|r| r.query.as_str()),
    });
}

/// Who made a request: the connection's address and the proxy's header.
pub(crate) struct Visitor {
    peer: Option<std::net::SocketAddr>,
    forwarded: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0);
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .next_back()
            .map(str::to_string);
        Ok(Visitor { peer, forwarded })
    }
}

impl Visitor {
    /// The visitor's address: behind a proxy, the last one X-Forwarded-For names (the one the
    /// proxy added: those before it are whatever the client sent).
    fn address(&self, behind_proxy: bool) -> Option<std::net::IpAddr> {
        if behind_proxy {
            if let Some(address) = self
                .forwarded
                .as_deref()
                .and_then(|list| list.rsplit(',').next())
                .and_then(|last| last.trim().parse().ok())
            {
                return Some(address);
            }
        }
        self.peer.map(|peer| peer.ip())
    }
}

/// Logs one line per request on stderr: the time (UTC), method, path, status, milliseconds.
/// The query string is left out: it is what people searched for.
async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    eprintln!(
        "{} {method} {} {} {:.1} ms",
        now.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        crate::render::sanitize(&path),
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Answers a request that takes longer than any may (queue included) with 503; what it started
/// on a blocking thread is not started if its turn had not come (see `with_index`).
async fn deadline(request: Request, next: Next) -> Response {
    let api = is_api(&request);
    match tokio::time::timeout(REQUEST_TIME, next.run(request)).await {
        Ok(response) => response,
        Err(_) => answer(api, Failure::timed_out()),
    }
}

/// Whether the request is the API's (answered in JSON) rather than the page's (in HTML).
fn is_api(request: &Request) -> bool {
    request.uri().path().starts_with("/api/")
}

/// A failure as the API or the page says it.
fn answer(api: bool, failure: Failure) -> Response {
    if api {
        failure.into_response()
    } else {
        page::failure(failure)
    }
}

/// The longest address the server reads: room for a search with several long filters.
const MAX_URI_BYTES: usize = 16 * 1024;
/// The most header bytes a request may send.
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Answers a request whose address or headers are too long with 414 or 431, with a body and
/// the headers of every other answer.
async fn limits(request: Request, next: Next) -> Response {
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let failure = if request.uri().to_string().len() > MAX_URI_BYTES {
        Failure::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the address is too long (at most {MAX_URI_BYTES} bytes)"),
            "网址太长了：请减少搜索词或筛选条件。",
        )
    } else if header_bytes > MAX_HEADER_BYTES {
        Failure::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("the request's headers are too long (at most {MAX_HEADER_BYTES} bytes)"),
            "请求头太长了。",
        )
    } else {
        return next.run(request).await;
    };
    answer(is_api(&request), failure)
}

/// How long a browser or a proxy may keep an answer: a search or an article a minute (a new
/// commit shows within it), the style sheet an hour, and nothing else: errors, the health
/// check and the index's counts are always asked again.
async fn caching(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let kept = response.status() == StatusCode::OK
        && (path == "/"
            || path.starts_with("/articles/")
            || path.starts_with("/api/search")
            || path.starts_with("/api/suggest")
            || path.starts_with("/api/articles/"));
    let value = if path == "/static/style.css" && response.status() == StatusCode::OK {
        "public, max-age=3600"
    } else if kept {
        "public, max-age=60"
    } else {
        "no-store"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// A request whose handler panicked: logged, answered with 500; the server goes on.
fn panicked(err: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("no message");
    eprintln!("govsearch: a request failed inside the server: {detail}");
    Failure::internal().into_response()
}

/// A request with another method than GET: the same kind of answer as any other failure.
async fn method_not_allowed(request: Request) -> Response {
    let failure = Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "only GET is answered here",
        "这里只接受 GET 请求。",
    );
    let mut response = answer(is_api(&request), failure);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

async fn not_found(request: Request) -> Response {
    answer(is_api(&request), Failure::no_such_page())
}

/// Resolves on Ctrl+C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("govsearch: stopping: finishing the requests in flight");
}

/// Runs `work` with the index on a blocking thread once a search permit is free.
pub(crate) async fn with_index<T: Send + 'static>(
    state: &Arc<State>,
    work: impl FnOnce(&Index) -> Result<T, govsearch::Error> + Send + 'static,
) -> Result<T, Failure> {
    let permit = tokio::time::timeout(QUEUE_TIME, state.searches.clone().acquire_owned())
        .await
        .map_err(|_| Failure::busy())?
        .map_err(|_| Failure::stopping())?;
    let state = Arc::clone(state);
    // Cleared when the request is dropped (it timed out, or the client went away) before its
    // turn on a blocking thread came: the work is then not started at all.
    let wanted = Wanted(Arc::new(AtomicBool::new(true)));
    let still_wanted = Arc::clone(&wanted.0);
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if !still_wanted.load(Ordering::SeqCst) {
            return Err(Failure::timed_out());
        }
        let faults = faults::count();
        let index = state.index.current()?;
        let result = work(&index);
        if faults::count() != faults {
            // A mapped file shrank while this or another request read it: what was read may
            // be zeros.
            state.index.lost();
            return Err(Failure::damaged());
        }
        result.map_err(Failure::from)
    })
    .await;
    match result {
        Ok(result) => result,
        Err(err) => {
            eprintln!("govsearch: a search failed inside the server: {err}");
            Err(Failure::internal())
        }
    }
}

/// Whether a request still waits for its answer.
struct Wanted(Arc<AtomicBool>);

impl Drop for Wanted {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Opens the index as the server reads it: following commits, each new view's vocabulary and
/// reprints read before searches see it; or the index `name` on the cluster at `url`.
fn open(location: &Path, cluster: Option<&(String, String)>) -> Result<Index, govsearch::Error> {
    let mut index = match cluster {
        Some((url, name)) => Index::connect(url, name)?,
        None => Index::open(location)?,
    };
    index.set_auto_reload(true)?;
    Ok(index)
}

/// The index the server answers from, given up when a file shrinks under it and opened again
/// once it opens whole: after `govsearch check --repair`, or when the file is put back.
pub(crate) struct Served {
    location: PathBuf,
    /// The cluster's address and the index's name, when the index is on a cluster.
    cluster: Option<(String, String)>,
    index: RwLock<Option<Arc<Index>>>,
    /// When the server last tried to open the index again, so that a damaged index is tried
    /// at most once a second, not on every request.
    tried: Mutex<Option<Instant>>,
}

impl Served {
    fn new(location: &Path, cluster: Option<(String, String)>, index: Index) -> Served {
        Served {
            location: location.to_path_buf(),
            cluster,
            index: RwLock::new(Some(Arc::new(index))),
            tried: Mutex::new(None),
        }
    }

    /// Whether the index is on a cluster (`--backend`).
    pub(crate) fn on_cluster(&self) -> bool {
        self.cluster.is_some()
    }

    /// The index to answer from, if it was not given up.
    pub(crate) fn held(&self) -> Option<Arc<Index>> {
        self.index.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The index to answer from, opened again first if it was given up.
    pub(crate) fn current(&self) -> Result<Arc<Index>, Failure> {
        if let Some(index) = self.held() {
            return Ok(index);
        }
        let mut tried = self.tried.lock().unwrap_or_else(PoisonError::into_inner);
        if tried.is_some_and(|at| at.elapsed() < Duration::from_secs(1)) {
            return Err(Failure::damaged());
        }
        *tried = Some(Instant::now());
        let mut current = self.index.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = current.as_ref() {
            return Ok(Arc::clone(index));
        }
        match open(&self.location, self.cluster.as_ref()) {
            Ok(index) => {
                eprintln!("govsearch: the index opens whole again: answering from it");
                let index = Arc::new(index);
                *current = Some(Arc::clone(&index));
                Ok(index)
            }
            Err(err) => {
                eprintln!("govsearch: the index still cannot be opened: {err}");
                Err(Failure::damaged())
            }
        }
    }

    /// Gives up the current view: one of its files shrank while it was mapped, and what it
    /// reads may be zeros. Requests in flight keep it until they finish.
    pub(crate) fn lost(&self) {
        let mut current = self.index.write().unwrap_or_else(PoisonError::into_inner);
        if current.take().is_some() {
            eprintln!(
                "govsearch: error: a file of the index shrank while the server read it; \
                 answering 503 until the index opens whole again (`govsearch check` names the damage)"
            );
        }
    }
}

/// The article `id` with the matches of `query` marked; a query with nothing to mark (or one
/// that cannot be read) marks nothing.
pub(crate) fn article_marked(
    index: &Index,
    id: &str,
    query: &str,
) -> Result<Option<govsearch::ArticlePage>, govsearch::Error> {
    match index.article(id, Some(query)) {
        Err(govsearch::Error::BadQuery { .. }) => index.article(id, None),
        other => other,
    }
}

/// Runs a search.
pub(crate) async fn search(state: &Arc<State>, request: SearchRequest) -> Result<SearchResults, Failure> {
    with_index(state, move |index| index.search(&request)).await
}
