//! `govsearch bench DIR --serve`: the server under load from a second process on loopback.
//!
//! `govsearch serve` runs as a child process on a free port of 127.0.0.1; wrk (the load
//! generator, a program of its own) sends the bench's query mix over 32 connections (or
//! `--connections`), cycling through the queries as URLs of `/api/search`, with snippets and
//! without facet counts, then with both, then with snippets while `govsearch index` adds files
//! new to the index (the tail while segments are written and merged). `--soak SECS` then runs the same load for that long over a copy of the folder,
//! changing a few of its files and running `govsearch index` on it every 30 s, and samples
//! the server's resident memory.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// Connections wrk keeps open unless told otherwise: more than the cores, so that the server
/// is never idle.
pub(crate) const CONNECTIONS: u32 = 32;
/// How often the soak changes files and indexes them.
const REINDEX_EVERY: Duration = Duration::from_secs(30);

/// One load run: what wrk measured.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct Load {
    pub(crate) requests: u64,
    pub(crate) per_sec: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// Responses other than 2xx, and socket errors (connect, read, write, timeout).
    pub(crate) failed: u64,
}

/// The soak: load while the index changes under the server.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct Soak {
    pub(crate) secs: u64,
    pub(crate) index_runs: usize,
    pub(crate) load: Load,
    /// The server's resident memory: mean of the first and of the last minute, largest.
    pub(crate) rss_first_mb: f64,
    pub(crate) rss_last_mb: f64,
    pub(crate) rss_max_mb: f64,
}

/// A `govsearch serve` child, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(exe: &Path, index: &Path, state: Option<&Path>) -> anyhow::Result<Server> {
    serve_with(exe, index, state, &[])
}

/// [`serve`] with more arguments (`--backend URL`).
fn serve_with(exe: &Path, index: &Path, state: Option<&Path>, more: &[&str]) -> anyhow::Result<Server> {
    let mut command = Command::new(exe);
    command
        .arg("serve")
        .arg("--index")
        .arg(index)
        .args(["--addr", "127.0.0.1:0"])
        .args(more);
    if let Some(state) = state {
        command.arg("--state").arg(state);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start govsearch serve")?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut line)?;
    let base = line
        .split("at ")
        .nth(1)
        .map(|url| url.trim().trim_end_matches('/').to_string())
        .with_context(|| format!("govsearch serve printed no address: {line:?}"))?;
    Ok(Server { child, base })
}

/// The wrk script: each thread cycles through the paths of the file `GOVSEARCH_PATHS` names,
/// starting at a place of its own.
const SCRIPT: &str = r#"
local paths = {}
for line in io.lines(os.getenv("GOVSEARCH_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"#;

/// Runs wrk against `base` for `secs` over `paths` (one URL path a line in that file).
fn wrk(base: &str, paths: &Path, script: &Path, secs: u64, connections: u32) -> anyhow::Result<Load> {
    let out = Command::new("wrk")
        .args(["--threads", "2", "--connections", &connections.to_string()])
        .args(["--duration", &format!("{secs}s"), "--timeout", "10s", "--latency"])
        .arg("--script")
        .arg(script)
        .arg(format!("{base}/"))
        .env("GOVSEARCH_PATHS", paths)
        .output()
        .context("cannot run wrk, the load generator (Debian: apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "wrk failed: {}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    parse_wrk(&text).with_context(|| format!("cannot read wrk's report:\n{text}"))
}

/// A latency as wrk prints it (`812.00us`, `1.23ms`, `2.01s`), in milliseconds.
fn millis(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        _ => return None,
    })
}

fn parse_wrk(text: &str) -> Option<Load> {
    let mut load = Load::default();
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", at] => load.p50_ms = millis(at)?,
            ["99%", at] => load.p99_ms = millis(at)?,
            ["Requests/sec:", n] => load.per_sec = n.parse().ok()?,
            [n, "requests", "in", ..] => load.requests = n.parse().ok()?,
            ["Non-2xx", "or", "3xx", "responses:", n] => load.failed += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                // connect 0, read 0, write 0, timeout 0
                for pair in rest.chunks(2) {
                    if let [_, n] = pair {
                        load.failed += n.trim_end_matches(',').parse::<u64>().ok()?;
                    }
                }
            }
            _ => {}
        }
    }
    (load.requests > 0).then_some(load)
}

/// The URL paths of `queries` on the API: the bench's query mix, each as `/api/search?…`.
pub(crate) fn paths(queries: &[Vec<(String, String)>], facets: bool) -> Vec<String> {
    queries
        .iter()
        .map(|params| {
            let mut url = form_urlencoded::Serializer::new(String::new());
            for (k, v) in params {
                url.append_pair(k, v);
            }
            url.append_pair("facets", if facets { "true" } else { "false" });
            format!("/api/search?{}", url.finish())
        })
        .collect()
}

/// wrk's load on `server` over `queries` (with facet counts or not) for `secs` over
/// `connections`, after a short run ([`warmed`]).
fn load_on(
    server: &Server,
    work: &Path,
    script: &Path,
    queries: &[Vec<(String, String)>],
    facets: bool,
    (secs, connections): (u64, u32),
) -> anyhow::Result<Load> {
    let file = warmed(server, work, script, queries, facets, connections)?;
    wrk(&server.base, &file, script, secs, connections)
}

/// The file of `queries`' URL paths, after a short run of them on `server`, so that every
/// query has run once (as the in-process figures do).
fn warmed(
    server: &Server,
    work: &Path,
    script: &Path,
    queries: &[Vec<(String, String)>],
    facets: bool,
    connections: u32,
) -> anyhow::Result<PathBuf> {
    let file = work.join(format!("paths-{facets}.txt"));
    std::fs::write(&file, paths(queries, facets).join("\n") + "\n")?;
    wrk(&server.base, &file, script, 2, connections)?;
    Ok(file)
}

/// The server under load through an OpenSearch cluster.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct OnCluster {
    /// The cluster's address.
    pub(crate) cluster: String,
    /// `govsearch export` of the whole index into a new index.
    pub(crate) export_secs: f64,
    pub(crate) export_per_sec: f64,
    /// Top 10 with snippets, and with facet counts too.
    pub(crate) snippets: Load,
    pub(crate) facets: Load,
    /// Top 10 with snippets while another export of the index runs into the same cluster.
    pub(crate) during_export: Load,
}

/// The index exported to the cluster at `url` (into `govsearch-bench`, made anew, of
/// `layout`'s primary shards and replicas), then the load of [`measure`] on
/// `govsearch serve --backend`.
pub(crate) fn measure_cluster(
    exe: &Path,
    index: &Path,
    url: &str,
    layout: [&str; 2],
    work: &Path,
    queries: &[Vec<(String, String)>],
    load: (u64, u32),
) -> anyhow::Result<OnCluster> {
    let (secs, connections) = load;
    const NAME: &str = "govsearch-bench";
    let script = work.join("mix.lua");
    std::fs::write(&script, SCRIPT)?;
    let started = Instant::now();
    let status = Command::new(exe)
        .arg("export")
        .arg("--index")
        .arg(index)
        // A fresh index each run: the export is measured whole.
        .args(["--to", url, "--name", NAME, "--origin", "bench", "--replace"])
        .args(["--shards", layout[0], "--replicas", layout[1]])
        .stderr(Stdio::null())
        .status()
        .context("cannot run govsearch export")?;
    anyhow::ensure!(status.success(), "govsearch export to {url} failed");
    let export_secs = started.elapsed().as_secs_f64();
    let articles = Command::new(exe)
        .args(["stats", "--json", "--index"])
        .arg(index)
        .output()?;
    let articles = serde_json::from_slice::<serde_json::Value>(&articles.stdout)?["articles"]
        .as_f64()
        .unwrap_or(0.0);
    let mut loads = Vec::new();
    for facets in [false, true] {
        let server = serve_with(exe, index, None, &["--backend", url, "--cluster-index", NAME])?;
        loads.push(load_on(&server, work, &script, queries, facets, load)?);
    }
    let facets = loads.pop().unwrap_or_default();
    let snippets = loads.pop().unwrap_or_default();
    // The searches' tail while the nodes also index: the index exported again, into an index
    // of its own, under the load (which starts a second in and ends before the export would),
    // and the export stopped when the load ends: a large index is not held twice.
    let server = serve_with(exe, index, None, &["--backend", url, "--cluster-index", NAME])?;
    let mut export = Command::new(exe)
        .arg("export")
        .arg("--index")
        .arg(index)
        .args([
            "--to",
            url,
            "--name",
            "govsearch-bench-copy",
            "--origin",
            "bench",
            "--replace",
        ])
        .args(["--shards", layout[0], "--replicas", layout[1]])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot run govsearch export")?;
    std::thread::sleep(Duration::from_secs(1));
    let during = (export_secs * 0.6 - 3.0).clamp(1.0, secs as f64) as u64;
    let during_export = load_on(&server, work, &script, queries, false, (during, connections));
    // An export stopped at any point is whole when run again (`opensearch/check`).
    let running = export.try_wait()?.is_none();
    if running {
        export.kill()?;
    }
    let exported = export.wait()?;
    let during_export = during_export?;
    anyhow::ensure!(
        running || exported.success(),
        "govsearch export to {url} under load failed"
    );
    Ok(OnCluster {
        cluster: url.to_string(),
        export_secs,
        export_per_sec: articles / export_secs.max(1e-9),
        snippets,
        facets,
        during_export,
    })
}

/// The server under load.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct Served {
    /// wrk's connections.
    pub(crate) connections: u32,
    /// Top 10 with snippets.
    pub(crate) snippets: Load,
    /// Top 10 with snippets and facet counts.
    pub(crate) facets: Load,
    /// Top 10 with snippets, the server counting searches (`--state`).
    pub(crate) logged: Load,
    /// Top 10 with snippets while `govsearch index` adds files new to the index.
    pub(crate) while_indexing: Option<WhileIndexing>,
}

/// The load while files new to the index are indexed under it.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct WhileIndexing {
    pub(crate) files: usize,
    /// The indexing run, start to exit.
    pub(crate) index_secs: f64,
    pub(crate) load: Load,
}

/// Files new to the index, for the load while they are indexed: their folder, how many, and
/// how long indexing them should take (from the bench's own run).
pub(crate) struct NewFiles<'a> {
    pub(crate) folder: &'a Path,
    pub(crate) files: usize,
    pub(crate) expected_secs: f64,
}

/// Load on the server over `index` (`load`: seconds each way and wrk's connections): with
/// snippets, with snippets and facets, then with snippets again on a second server that
/// counts searches in a folder of `work`, then with snippets while `new` is indexed.
pub(crate) fn measure(
    exe: &Path,
    index: &Path,
    work: &Path,
    queries: &[Vec<(String, String)>],
    load: (u64, u32),
    new: Option<NewFiles<'_>>,
) -> anyhow::Result<Served> {
    let script = work.join("mix.lua");
    std::fs::write(&script, SCRIPT)?;
    let state = work.join("searches");
    let mut loads = Vec::new();
    for (facets, log) in [(false, false), (true, false), (false, true)] {
        let server = serve(exe, index, log.then_some(state.as_path()))?;
        loads.push(load_on(&server, work, &script, queries, facets, load)?);
    }
    let while_indexing = match new {
        Some(new) => Some(while_indexing(exe, index, work, &script, queries, load, new)?),
        None => None,
    };
    let mut loads = loads.into_iter();
    let mut next = || loads.next().context("three runs");
    Ok(Served {
        connections: load.1,
        snippets: next()?,
        facets: next()?,
        logged: next()?,
        while_indexing,
    })
}

/// The load with snippets while `govsearch index` adds `new` to `index`: the server warmed
/// first, wrk started half a second into the run and ended before the run is expected to.
fn while_indexing(
    exe: &Path,
    index: &Path,
    work: &Path,
    script: &Path,
    queries: &[Vec<(String, String)>],
    (secs, connections): (u64, u32),
    new: NewFiles<'_>,
) -> anyhow::Result<WhileIndexing> {
    let server = serve(exe, index, None)?;
    let file = warmed(&server, work, script, queries, false, connections)?;
    let started = Instant::now();
    let mut run = Command::new(exe)
        .arg("index")
        .arg("--index")
        .arg(index)
        .arg(new.folder)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot run govsearch index")?;
    let (load, (indexed, index_secs)) = std::thread::scope(|scope| {
        let waiting = scope.spawn(move || (run.wait(), started.elapsed().as_secs_f64()));
        std::thread::sleep(Duration::from_millis(500));
        let during = (new.expected_secs * 0.8 - 0.5).clamp(1.0, secs as f64) as u64;
        let load = wrk(&server.base, &file, script, during, connections);
        let indexed = waiting.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (load, indexed)
    });
    anyhow::ensure!(indexed?.success(), "govsearch index of new files under load failed");
    Ok(WhileIndexing {
        files: new.files,
        index_secs,
        load: load?,
    })
}

/// Copies the first `count` files under `corpus` (in name order, hidden ones left out) into
/// `to`, below a folder named after the corpus: files the bench's index does not have.
pub(crate) fn copy_first_files(corpus: &Path, to: &Path, count: usize) -> anyhow::Result<usize> {
    let name = corpus.file_name().map_or("corpus".into(), |n| n.to_os_string());
    let mut copied = 0;
    let entries = walkdir::WalkDir::new(corpus)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in entries {
        let entry = entry?;
        if copied == count {
            break;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let below = entry.path().strip_prefix(corpus)?;
        let target = to.join(&name).join(below);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(entry.path(), &target)?;
        copied += 1;
    }
    Ok(copied)
}

/// The server's resident memory in MB, from `/proc`.
fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// What the soak saw: the load, (seconds, resident MB) samples, index runs.
type Soaked = (Load, Vec<(f64, f64)>, usize);

/// The soak: `secs` of load on the server over a copy of `corpus`, indexing the copy again
/// every 30 s after changing a few of its files.
pub(crate) fn soak(
    exe: &Path,
    corpus: &Path,
    work: &Path,
    queries: &[Vec<(String, String)>],
    (secs, connections): (u64, u32),
) -> anyhow::Result<Soak> {
    let copy = work.join("soak-corpus");
    copy_tree(corpus, &copy)?;
    let index = work.join("soak-index");
    let indexed = |what: &str| -> anyhow::Result<()> {
        let status = Command::new(exe)
            .arg("index")
            .arg("--index")
            .arg(&index)
            .arg(&copy)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "govsearch index ({what}) failed");
        Ok(())
    };
    indexed("first")?;
    let server = serve(exe, &index, None)?;
    let script = work.join("mix.lua");
    std::fs::write(&script, SCRIPT)?;
    let file = work.join("paths-soak.txt");
    std::fs::write(&file, paths(queries, true).join("\n") + "\n")?;
    let files = text_files(&copy)?;
    anyhow::ensure!(!files.is_empty(), "no .txt files to change under {}", corpus.display());

    let load = std::thread::scope(|scope| -> anyhow::Result<Soaked> {
        let (base, file, script) = (&server.base, &file, &script);
        let loader = scope.spawn(move || wrk(base, file, script, secs, connections));
        let started = Instant::now();
        let mut samples = Vec::new();
        let mut runs = 0;
        let mut next_index = REINDEX_EVERY;
        while started.elapsed() < Duration::from_secs(secs) {
            std::thread::sleep(Duration::from_secs(2));
            if let Some(mb) = rss_mb(server.child.id()) {
                samples.push((started.elapsed().as_secs_f64(), mb));
            }
            if started.elapsed() >= next_index
                && started.elapsed() + Duration::from_secs(10) < Duration::from_secs(secs)
            {
                next_index += REINDEX_EVERY;
                // A few changed files each time: new text, so the index writes and merges.
                for (i, path) in files.iter().cycle().skip(runs * 20).take(20).enumerate() {
                    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
                    writeln!(file, "\u{2003}\u{2003}第{runs}次修改，第{i}段补充说明。")?;
                }
                indexed("during the load")?;
                runs += 1;
            }
        }
        let load = loader.join().map_err(|_| anyhow::anyhow!("the load thread failed"))??;
        Ok((load, samples, runs))
    })?;
    let (load, samples, index_runs) = load;
    let minute = |from: f64, to: f64| {
        let inside: Vec<f64> = samples
            .iter()
            .filter(|(t, _)| *t >= from && *t < to)
            .map(|(_, m)| *m)
            .collect();
        inside.iter().sum::<f64>() / inside.len().max(1) as f64
    };
    let end = samples.last().map_or(0.0, |(t, _)| *t);
    Ok(Soak {
        secs,
        index_runs,
        load,
        rss_first_mb: minute(0.0, 60.0),
        rss_last_mb: minute(end - 60.0, end + 1.0),
        rss_max_mb: samples.iter().map(|(_, m)| *m).fold(0.0, f64::max),
    })
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn text_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            out.extend(text_files(&entry.path())?);
        } else if entry.path().extension().is_some_and(|e| e == "txt") {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrks_report() {
        let report = "Running 10s test @ http://127.0.0.1:1/\n  2 threads and 32 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency     3.10ms    2.00ms  40.00ms   80.00%\n  Latency Distribution\n     50%  812.00us\n     75%    3.00ms\n     90%    5.00ms\n     99%   12.50ms\n  20000 requests in 10.00s, 50.00MB read\n  Non-2xx or 3xx responses: 3\n  Socket errors: connect 0, read 1, write 0, timeout 2\nRequests/sec:   2000.50\nTransfer/sec:      5.00MB\n";
        let load = parse_wrk(report).unwrap();
        assert_eq!((load.requests, load.failed), (20000, 6));
        assert_eq!((load.p50_ms, load.p99_ms, load.per_sec), (0.812, 12.5, 2000.5));
    }
}
