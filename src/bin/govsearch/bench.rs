//! `govsearch bench DIR`: speed and memory on a corpus folder, each figure beside a baseline
//! measured in the same run on the same machine.
//!
//! - segmentation: jieba-rs `cut_for_search` over every title and body on one thread (the
//!   floor any jieba-based indexer stands on);
//! - reference indexer: tantivy with tantivy-jieba and one text field, one and two threads;
//! - `govsearch index` on the folder, as a child process: wall time, peak resident memory and
//!   peak private memory; and its wall time with one indexing thread (`--threads 1`);
//! - `govsearch index` again on the unchanged folder;
//! - queries in process: top 10 without snippets or facets, with snippets, and with both,
//!   over a sample of realistic queries (the evaluation's kinds, plus the same queries with
//!   a filter);
//! - `govsearch search` from start to exit.
//!
//! With `--serve`, `govsearch serve` on the same index under load from wrk, in the same run
//! ([`crate::load`]), last while [`NEW_FILES`] files new to it are indexed; with `--soak
//! SECS`, the server under load while the index changes.
//!
//! With `--runs N`, each indexing step runs N times and the fastest counts (peak memory: the
//! largest of the runs); the slowest queries are listed, to show what the 99th percentile is.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Context;
use govsearch::{Article, Index, SearchRequest};

/// Files new to the index indexed under the server's load: a few thousand at least, so that
/// the run lasts seconds on a small corpus, and segments are written and merged.
const NEW_FILES: usize = 20_000;

/// What the bench measured, for `--json`.
#[derive(serde::Serialize)]
pub(crate) struct BenchReport {
    corpus: String,
    articles: usize,
    text_mb: f64,
    segmentation_secs: f64,
    reference_index_secs_1_thread: f64,
    reference_index_secs_2_threads: f64,
    index_secs: f64,
    index_secs_1_thread: f64,
    runs: u32,
    index_peak_mb: f64,
    index_peak_private_mb: f64,
    reindex_unchanged_secs: f64,
    index_mb_on_disk: f64,
    queries: usize,
    query_ms_top10: Percentiles,
    /// The same queries as typed (no pinyin or typo rewrites): what query assistance costs.
    query_ms_top10_as_typed: Percentiles,
    /// The same with every copy a hit: what grouping reprints costs.
    query_ms_top10_all_copies: Percentiles,
    /// The same as typed and with every copy a hit.
    query_ms_top10_plain: Percentiles,
    query_ms_snippets: Percentiles,
    query_ms_snippets_facets: Percentiles,
    /// The slowest queries of the top-10 measure: (ms, query).
    slowest_top10: Vec<(f64, String)>,
    cli_searches: usize,
    cli_ms: Percentiles,
    /// `govsearch serve` under load: with snippets, with facet counts, and counting searches.
    #[serde(skip_serializing_if = "Option::is_none")]
    serve: Option<crate::load::Served>,
    /// The same load through an OpenSearch cluster the index was exported to.
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<crate::load::OnCluster>,
    /// The soak, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    soak: Option<crate::load::Soak>,
}

/// What `govsearch bench` measures besides the in-process figures.
pub(crate) struct Server {
    /// Seconds of load for each server measure; none when the server is not measured.
    pub(crate) seconds: Option<u64>,
    /// Seconds of the soak, if one is asked for.
    pub(crate) soak: Option<u64>,
    /// The server's load, when not the bench's query mix: queries as typed, the API's
    /// defaults otherwise (`--serve-queries`).
    pub(crate) queries: Option<Vec<String>>,
    /// An OpenSearch cluster to export the index to and serve from as well.
    pub(crate) backend: Option<String>,
    /// Its index's primary shards and replicas, `3,1`.
    pub(crate) cluster_layout: String,
    /// wrk's connections.
    pub(crate) connections: u32,
}

#[derive(serde::Serialize)]
struct Percentiles {
    median: f64,
    p99: f64,
}

fn percentiles(mut ms: Vec<f64>) -> Percentiles {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    Percentiles {
        median: at(0.5),
        p99: at(0.99),
    }
}

pub(crate) fn run(
    dir: &Path,
    per_kind: usize,
    runs: u32,
    server: &Server,
    progress: impl Fn(&str),
) -> anyhow::Result<BenchReport> {
    let exe = std::env::current_exe().context("cannot find the govsearch binary")?;
    let work = TempDir::new()?;

    progress("reading the corpus");
    let (articles, _) = govsearch::eval::read_corpus(dir)?;
    anyhow::ensure!(!articles.is_empty(), "no articles under {}", dir.display());
    let text_bytes: usize = articles.iter().map(|a| a.title.len() + a.body.len()).sum();

    progress("segmentation baseline (jieba-rs, one thread)");
    let jieba = jieba_rs::Jieba::new();
    let segmentation_secs = fastest(runs, || {
        let started = Instant::now();
        let mut words = 0usize;
        for article in &articles {
            words += jieba.cut_for_search(&article.title, true).len();
            words += jieba.cut_for_search(&article.body, true).len();
        }
        std::hint::black_box(words);
        Ok(started.elapsed().as_secs_f64())
    })?;

    progress("reference indexer (tantivy + tantivy-jieba, one field)");
    let reference_1 = fastest(runs, || reference_index(&articles, 1, &work.path.join("ref1")))?;
    let reference_2 = fastest(runs, || reference_index(&articles, 2, &work.path.join("ref2")))?;

    progress("govsearch index");
    let index_dir = work.path.join("index");
    let indexing = fresh_index(&exe, &index_dir, dir, &[], runs)?;
    let one_thread_dir = work.path.join("index-1-thread");
    let indexing_1 = fresh_index(&exe, &one_thread_dir, dir, &["--threads", "1"], runs)?.secs;
    std::fs::remove_dir_all(&one_thread_dir)?;
    progress("govsearch index again, unchanged");
    let reindexing = timed_child(Command::new(&exe).arg("--index").arg(&index_dir).arg("index").arg(dir))?;
    let index_bytes: u64 = std::fs::read_dir(&index_dir)?
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();

    progress("queries in process");
    let index = Index::open(&index_dir)?;
    let source = index.stats()?.sources.first().map(|s| s.value.clone());
    let mut queries: Vec<SearchRequest> = Vec::new();
    // The same mix as API parameters, for the server.
    let mut http_queries: Vec<Vec<(String, String)>> = Vec::new();
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    for (i, (_, text)) in govsearch::eval::sample_queries(&articles, per_kind, 2022)
        .into_iter()
        .enumerate()
    {
        queries.push(SearchRequest::new(text.clone()));
        http_queries.push(vec![pair("q", &text)]);
        // Every fifth query again with a filter.
        if i % 5 == 0 {
            let filtered = match (&source, i % 2) {
                (Some(source), 0) => {
                    http_queries.push(vec![pair("q", &text), pair("source", source)]);
                    SearchRequest::new(text).source(source.clone())
                }
                _ => {
                    http_queries.push(vec![pair("q", &text), pair("since", "2022"), pair("until", "2022")]);
                    let year = govsearch::DateRange::parse("2022")?;
                    SearchRequest::new(text).since(year.start).until(year.end)
                }
            };
            queries.push(filtered);
        }
    }
    let measure = |shape: &dyn Fn(SearchRequest) -> SearchRequest| -> anyhow::Result<Vec<(f64, String)>> {
        for request in &queries {
            index.search(&shape(request.clone()))?;
        }
        let mut ms = Vec::with_capacity(queries.len());
        for request in &queries {
            let request = shape(request.clone());
            let started = Instant::now();
            std::hint::black_box(index.search(&request)?);
            ms.push((started.elapsed().as_secs_f64() * 1000.0, request.query));
        }
        Ok(ms)
    };
    let top10 = measure(&|r| r.limit(10).snippet_chars(0).facets(false))?;
    let as_typed = measure(&|r| r.limit(10).snippet_chars(0).facets(false).as_typed(true))?;
    let all_copies = measure(&|r| r.limit(10).snippet_chars(0).facets(false).all_copies(true))?;
    let plain = measure(&|r| {
        r.limit(10)
            .snippet_chars(0)
            .facets(false)
            .as_typed(true)
            .all_copies(true)
    })?;
    let snippets = measure(&|r| r.limit(10).facets(false))?;
    let full = measure(&|r| r.limit(10))?;
    let mut slowest_top10 = top10.clone();
    slowest_top10.sort_by(|a, b| b.0.total_cmp(&a.0));
    slowest_top10.truncate(5);
    let ms_only = |timed: Vec<(f64, String)>| timed.into_iter().map(|(ms, _)| ms).collect::<Vec<f64>>();

    progress("govsearch search, start to exit");
    let mut cli_ms = Vec::new();
    for request in queries.iter().step_by((queries.len() / 40).max(1)) {
        let started = Instant::now();
        let status = Command::new(&exe)
            .arg("--index")
            .arg(&index_dir)
            .args(["search", "--color", "never", "--"])
            .arg(&request.query)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        cli_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(
            status.code().is_some_and(|c| c < 2),
            "search {:?} failed",
            request.query
        );
    }

    let mut cluster = None;
    let serve = match server.seconds {
        Some(secs) => {
            progress(&format!(
                "govsearch serve under load (wrk, {} connections)",
                server.connections
            ));
            let given: Option<Vec<Vec<(String, String)>>> = server
                .queries
                .as_ref()
                .map(|lines| lines.iter().map(|q| vec![pair("q", q)]).collect());
            let mix = given.as_ref().unwrap_or(&http_queries);
            // The tail while the index changes under the server: files new to it (a copy of
            // the corpus's first ones, as many as a busy site adds in a while) indexed
            // under the load.
            let new_folder = work.path.join("new-files");
            let files = crate::load::copy_first_files(dir, &new_folder, NEW_FILES)?;
            let new = crate::load::NewFiles {
                folder: &new_folder,
                files,
                expected_secs: indexing.secs * files as f64 / articles.len() as f64,
            };
            let load = (secs, server.connections);
            let local = crate::load::measure(&exe, &index_dir, &work.path, mix, load, Some(new))?;
            if let Some(url) = &server.backend {
                progress("govsearch export to the cluster, and serve --backend under load");
                let (shards, replicas) = server
                    .cluster_layout
                    .split_once(',')
                    .context("--cluster-layout is SHARDS,REPLICAS")?;
                let layout = [shards.trim(), replicas.trim()];
                cluster = Some(crate::load::measure_cluster(
                    &exe, &index_dir, url, layout, &work.path, mix, load,
                )?);
            }
            Some(local)
        }
        None => None,
    };
    let soak = match server.soak {
        Some(secs) => {
            progress("govsearch serve soak, indexing every 30 s");
            Some(crate::load::soak(
                &exe,
                dir,
                &work.path,
                &http_queries,
                (secs, server.connections),
            )?)
        }
        None => None,
    };

    Ok(BenchReport {
        serve,
        cluster,
        soak,
        corpus: dir.display().to_string(),
        articles: articles.len(),
        text_mb: text_bytes as f64 / 1e6,
        segmentation_secs,
        reference_index_secs_1_thread: reference_1,
        reference_index_secs_2_threads: reference_2,
        index_secs: indexing.secs,
        index_secs_1_thread: indexing_1,
        runs,
        index_peak_mb: indexing.peak_kb as f64 / 1024.0,
        index_peak_private_mb: indexing.peak_private_kb as f64 / 1024.0,
        reindex_unchanged_secs: reindexing.secs,
        index_mb_on_disk: index_bytes as f64 / (1024.0 * 1024.0),
        queries: queries.len(),
        query_ms_top10: percentiles(ms_only(top10)),
        query_ms_top10_as_typed: percentiles(ms_only(as_typed)),
        query_ms_top10_all_copies: percentiles(ms_only(all_copies)),
        query_ms_top10_plain: percentiles(ms_only(plain)),
        query_ms_snippets: percentiles(ms_only(snippets)),
        query_ms_snippets_facets: percentiles(ms_only(full)),
        slowest_top10,
        cli_searches: cli_ms.len(),
        cli_ms: percentiles(cli_ms),
    })
}

/// `govsearch index` of `corpus` into a new `index_dir`, `runs` times: the fastest time, the
/// largest peaks.
fn fresh_index(exe: &Path, index_dir: &Path, corpus: &Path, args: &[&str], runs: u32) -> anyhow::Result<ChildUsage> {
    let mut usage: Option<ChildUsage> = None;
    for _ in 0..runs {
        if index_dir.exists() {
            std::fs::remove_dir_all(index_dir)?;
        }
        let run = timed_child(
            Command::new(exe)
                .arg("--index")
                .arg(index_dir)
                .arg("index")
                .args(args)
                .arg(corpus),
        )?;
        usage = Some(match usage {
            None => run,
            Some(best) => ChildUsage {
                secs: best.secs.min(run.secs),
                peak_kb: best.peak_kb.max(run.peak_kb),
                peak_private_kb: best.peak_private_kb.max(run.peak_private_kb),
            },
        });
    }
    usage.context("no indexing run")
}

/// The fastest of `runs` timings.
fn fastest(runs: u32, mut time: impl FnMut() -> anyhow::Result<f64>) -> anyhow::Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        best = best.min(time()?);
    }
    Ok(best)
}

/// tantivy + tantivy-jieba as shipped, title and body in one text field, `threads` indexing
/// threads, committed to disk: seconds.
fn reference_index(articles: &[Article], threads: usize, dir: &Path) -> anyhow::Result<f64> {
    use tantivy::schema::{Schema, TextFieldIndexing, TextOptions};
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut builder = Schema::builder();
    let options = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer("jieba"));
    let text = builder.add_text_field("text", options);
    let index = tantivy::Index::create_in_dir(dir, builder.build())?;
    index
        .tokenizers()
        .register("jieba", tantivy_jieba::JiebaTokenizer::new());
    // Load the dictionary before the clock starts, as the segmentation baseline does.
    let mut warm = tantivy_jieba::JiebaTokenizer::new();
    let _ = tantivy::tokenizer::Tokenizer::token_stream(&mut warm, "预热");
    let started = Instant::now();
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(threads, 100_000_000 * threads)?;
    for article in articles {
        let mut doc = tantivy::TantivyDocument::new();
        doc.add_text(text, format!("{}\n{}", article.title, article.body));
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(started.elapsed().as_secs_f64())
}

/// What a child used: wall seconds, peak resident memory in KiB and the peak of its private
/// memory in KiB, both sampled from `/proc` every 20 ms. Resident memory also counts the pages
/// of the index files the child has mapped and read (page cache the kernel can drop), which
/// grow with the largest merge; private memory is what the process itself allocated.
///
/// The peak is the kernel's high-water mark of the child's own address space (`VmHWM`), not
/// `wait4`'s `ru_maxrss`: Linux starts a forked child's `ru_maxrss` at its parent's resident
/// size, so a bench holding a large corpus in memory would report that instead. Where there is
/// no `/proc`, `ru_maxrss` is the fallback and private memory is 0.
struct ChildUsage {
    secs: f64,
    peak_kb: i64,
    peak_private_kb: u64,
}

/// Runs a child to its end.
fn timed_child(command: &mut Command) -> anyhow::Result<ChildUsage> {
    let started = Instant::now();
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    let pid = child.id() as libc::pid_t;
    let status_file = format!("/proc/{pid}/status");
    let mut peak_private_kb = 0u64;
    let mut high_water_kb = None;
    let mut status = 0;
    // SAFETY: `rusage` is plain old data that wait4 fills in; the pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = status_kb(&text, "RssAnon:") {
                peak_private_kb = peak_private_kb.max(kb);
            }
            if let Some(kb) = status_kb(&text, "VmHWM:") {
                high_water_kb = Some(high_water_kb.unwrap_or(0).max(kb));
            }
        }
        // SAFETY: as above; WNOHANG returns 0 while the child runs.
        let waited = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if waited != 0 {
            break waited;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        waited > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed"
    );
    Ok(ChildUsage {
        secs,
        peak_kb: high_water_kb.map_or(usage.ru_maxrss, |kb| kb as i64),
        peak_private_kb,
    })
}

/// One figure in KiB from the text of a `/proc` status file, by its label (`RssAnon:`).
fn status_kb(status: &str, label: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(label))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A folder removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        let path = std::env::temp_dir().join(format!("govsearch-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

impl BenchReport {
    /// The figures for people, each beside its baseline.
    pub(crate) fn to_text(&self) -> String {
        let mb_s = |secs: f64| self.text_mb / secs;
        let slowest: String = self
            .slowest_top10
            .iter()
            .map(|(ms, query)| format!("  {ms:>8.3} ms  {query}\n"))
            .collect();
        let runs = match self.runs {
            1 => String::new(),
            n => format!(", fastest of {n} runs"),
        };
        format!(
            "corpus      {} ({} articles, {:.1} MB of title and body)\n\
             \n\
             indexing{runs:<37}seconds   MB/s   vs segmentation\n\
             jieba-rs segmentation, 1 thread (baseline)  {:>8.2} {:>6.1}   1.00x\n\
             tantivy + tantivy-jieba, 1 field, 1 thread  {:>8.2} {:>6.1}   {:.2}x\n\
             tantivy + tantivy-jieba, 1 field, 2 threads {:>8.2} {:>6.1}   {:.2}x\n\
             govsearch index (all fields, to disk)       {:>8.2} {:>6.1}   {:.2}x   peak memory {:.0} MB ({:.0} MB private)\n\
             govsearch index, 1 indexing thread          {:>8.2} {:>6.1}   {:.2}x\n\
             govsearch index again, nothing changed      {:>8.2}\n\
             index on disk                               {:>8.1} MB ({:.1} KB per article)\n\
             \n\
             queries ({} in process)                      median ms   p99 ms\n\
             top 10, no snippets, no facets              {:>9.3} {:>8.3}\n\
             the same, as typed (no rewrites)            {:>9.3} {:>8.3}\n\
             the same, every copy a hit                  {:>9.3} {:>8.3}\n\
             the same, as typed and every copy a hit     {:>9.3} {:>8.3}\n\
             top 10 with snippets                        {:>9.3} {:>8.3}\n\
             top 10 with snippets and facet counts       {:>9.3} {:>8.3}\n\
             govsearch search, start to exit ({} runs)   {:>9.1} {:>8.1}\n\
             \n\
             slowest, top 10:\n{slowest}",
            self.corpus,
            self.articles,
            self.text_mb,
            self.segmentation_secs,
            mb_s(self.segmentation_secs),
            self.reference_index_secs_1_thread,
            mb_s(self.reference_index_secs_1_thread),
            self.reference_index_secs_1_thread / self.segmentation_secs,
            self.reference_index_secs_2_threads,
            mb_s(self.reference_index_secs_2_threads),
            self.reference_index_secs_2_threads / self.segmentation_secs,
            self.index_secs,
            mb_s(self.index_secs),
            self.index_secs / self.segmentation_secs,
            self.index_peak_mb,
            self.index_peak_private_mb,
            self.index_secs_1_thread,
            mb_s(self.index_secs_1_thread),
            self.index_secs_1_thread / self.segmentation_secs,
            self.reindex_unchanged_secs,
            self.index_mb_on_disk,
            self.index_mb_on_disk * 1024.0 / self.articles as f64,
            self.queries,
            self.query_ms_top10.median,
            self.query_ms_top10.p99,
            self.query_ms_top10_as_typed.median,
            self.query_ms_top10_as_typed.p99,
            self.query_ms_top10_all_copies.median,
            self.query_ms_top10_all_copies.p99,
            self.query_ms_top10_plain.median,
            self.query_ms_top10_plain.p99,
            self.query_ms_snippets.median,
            self.query_ms_snippets.p99,
            self.query_ms_snippets_facets.median,
            self.query_ms_snippets_facets.p99,
            self.cli_searches,
            self.cli_ms.median,
            self.cli_ms.p99,
        ) + &self.server_text()
    }

    fn server_text(&self) -> String {
        let mut out = String::new();
        if let Some(served) = &self.serve {
            out += &format!(
                "\ngovsearch serve, wrk from a second process, {} connections\n",
                served.connections
            );
            out += "                                        searches/s   p50 ms   p99 ms   failed   (in process: median, p99)\n";
            for (what, load, inside) in [
                ("top 10 with snippets", &served.snippets, &self.query_ms_snippets),
                (
                    "top 10 with snippets and facets",
                    &served.facets,
                    &self.query_ms_snippets_facets,
                ),
                (
                    "top 10 with snippets, searches counted",
                    &served.logged,
                    &self.query_ms_snippets,
                ),
            ] {
                out += &format!(
                    "{what:<40}{:>10.0} {:>8.2} {:>8.2} {:>8}   ({:.3}, {:.3})\n",
                    load.per_sec, load.p50_ms, load.p99_ms, load.failed, inside.median, inside.p99
                );
            }
            if let Some(indexing) = &served.while_indexing {
                let load = &indexing.load;
                out += &format!(
                    "{:<40}{:>10.0} {:>8.2} {:>8.2} {:>8}   (the index run: {:.1} s)\n",
                    format!("  while {} new files are indexed", indexing.files),
                    load.per_sec,
                    load.p50_ms,
                    load.p99_ms,
                    load.failed,
                    indexing.index_secs
                );
            }
        }
        if let Some(cluster) = &self.cluster {
            out += &format!(
                "\nthe same through OpenSearch ({}): export {:.1} s, {:.0} articles/s\n",
                cluster.cluster, cluster.export_secs, cluster.export_per_sec
            );
            for (what, load) in [
                ("top 10 with snippets", &cluster.snippets),
                ("top 10 with snippets and facets", &cluster.facets),
                ("top 10 with snippets, during an export", &cluster.during_export),
            ] {
                out += &format!(
                    "{what:<40}{:>10.0} {:>8.2} {:>8.2} {:>8}\n",
                    load.per_sec, load.p50_ms, load.p99_ms, load.failed
                );
            }
        }
        if let Some(soak) = &self.soak {
            out += &format!(
                "\nsoak: {} s of load with facets, govsearch index every 30 s ({} runs)\n\
                 {} requests, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, {} failed\n\
                 server resident memory: {:.0} MB in the first minute, {:.0} MB in the last ({:+.1}%), {:.0} MB at most\n",
                soak.secs,
                soak.index_runs,
                soak.load.requests,
                soak.load.per_sec,
                soak.load.p50_ms,
                soak.load.p99_ms,
                soak.load.failed,
                soak.rss_first_mb,
                soak.rss_last_mb,
                (soak.rss_last_mb / soak.rss_first_mb - 1.0) * 100.0,
                soak.rss_max_mb
            );
        }
        out
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A child's peak is its own: a parent holding much memory does not lend it its size
    /// (as `ru_maxrss` would).
    #[test]
    fn a_childs_peak_is_not_its_parents() {
        const HELD: usize = 512 << 20;
        let mut held = vec![0u8; HELD];
        for page in held.chunks_mut(4096) {
            page[0] = 1;
        }
        let usage = timed_child(Command::new("sleep").arg("0.1")).unwrap();
        std::hint::black_box(&held);
        assert!(usage.peak_kb > 0);
        assert!(
            (usage.peak_kb as usize) < HELD / 1024 / 4,
            "peak {} KiB while the parent holds {} KiB",
            usage.peak_kb,
            HELD / 1024
        );
    }
}
