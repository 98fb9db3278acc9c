//! A long-running program that keeps an index open while another process indexes into it,
//! as a search service beside a nightly `govsearch index` would. The open `Index` sees the
//! other process's commit on its own (within about a second), without being opened again.
//!
//! ```text
//! cargo run --example live
//! ```
//!
//! It makes a folder with one release and indexes it, opens the index, then starts a second
//! process (itself, with `--add`) that writes a new release and indexes the folder again, and
//! searches until the new release is found.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use govsearch::{Index, SearchRequest};

const FIRST: &str =
    "峄城区召开作风建设推进会\n2022-08-12 09:35 来源:峄城区人民政府网站\n会议强调作风建设永远在路上。\n";
const SECOND: &str =
    "峄城区开展乡村振兴观摩活动\n2022-09-01 10:00 来源:峄城区融媒体中心\n观摩团实地察看了乡村振兴项目。\n";

/// How long the reader waits for the other process's commit to show.
const PATIENCE: Duration = Duration::from_secs(20);

/// What the second process does: add a release to `folder` and index the folder into `index`.
fn add(index: &Path, folder: &Path) -> Result<(), govsearch::Error> {
    std::fs::write(folder.join("0901.txt"), SECOND).map_err(|error| govsearch::Error::Io {
        path: folder.to_path_buf(),
        error,
    })?;
    let summary = Index::open(index)?.index_folder(folder, |_| {})?;
    eprintln!("second process: {} files indexed", summary.files_indexed);
    Ok(())
}

/// The reader's side: index `FIRST`, keep the index open, let `spawn` start the second process,
/// and wait until a search finds its release. Returns how long that took.
fn watch(dir: &Path, spawn: impl FnOnce(&Path, &Path) -> std::process::ExitStatus) -> Result<Duration, String> {
    let folder = dir.join("releases");
    let location = dir.join("index");
    std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
    std::fs::write(folder.join("0812.txt"), FIRST).map_err(|e| e.to_string())?;
    Index::open_or_create(&location)
        .and_then(|index| index.index_folder(&folder, |_| {}))
        .map_err(|e| e.to_string())?;

    let index = Index::open(&location).map_err(|e| e.to_string())?;
    let count = |query: &str| index.search(&SearchRequest::new(query)).map(|r| r.total);
    println!(
        "before: {} article(s), 乡村振兴 found {} time(s)",
        index.num_articles(),
        count("乡村振兴").unwrap_or(0)
    );

    let status = spawn(&location, &folder);
    if !status.success() {
        return Err(format!("the second process failed: {status}"));
    }
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        if count("乡村振兴").map_err(|e| e.to_string())? > 0 {
            println!(
                "after {:.1} s: {} articles, 乡村振兴 found, with no reopening",
                started.elapsed().as_secs_f64(),
                index.num_articles()
            );
            return Ok(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the new release did not show within {PATIENCE:?}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, index, folder] = &args[..] {
        if flag == "--add" {
            if let Err(err) = add(Path::new(index), Path::new(folder)) {
                eprintln!("live: error: {err}");
                std::process::exit(2);
            }
            return;
        }
    }
    let dir = std::env::temp_dir().join(format!("govsearch-live-{}", std::process::id()));
    let result = watch(&dir, |index, folder| {
        let me = std::env::current_exe().expect("the running program has a path");
        Command::new(me)
            .arg("--add")
            .arg(index)
            .arg(folder)
            .status()
            .expect("the second process starts")
    });
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(err) = result {
        eprintln!("live: error: {err}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// Where the second process writes, when this test binary is started as that process.
    const CHILD: &str = "GOVSEARCH_LIVE_CHILD";

    /// The second process, under `cargo test`: the test binary runs only this test, with the
    /// paths in the environment.
    #[test]
    fn second_process() {
        if let Some(paths) = std::env::var_os(CHILD) {
            let paths: Vec<PathBuf> = std::env::split_paths(&paths).collect();
            add(&paths[0], &paths[1]).expect("the second process indexes");
        }
    }

    #[test]
    fn an_open_index_sees_another_process_commit() {
        let dir = tempfile::tempdir().unwrap();
        let waited = watch(dir.path(), |index, folder| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "tests::second_process", "--nocapture"])
                .env(CHILD, std::env::join_paths([index, folder]).unwrap())
                .status()
                .unwrap()
        });
        assert!(waited.is_ok(), "{waited:?}");
    }
}
