//! Hostile input as a folder can hold it: a page nested a hundred thousand levels deep, a
//! FIFO, a symbolic link, NUL inside JSON values, dates no index can store, a file that
//! stops being readable, a folder that is not an index. No input aborts a run, every file is
//! accounted for, and nothing is stored wrong.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::copy_dir;

fn govsearch(index: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govsearch"))
        .env_remove("GOVSEARCH_INDEX")
        .arg("--index")
        .arg(index)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder `name` under `dir` holding one release, `a.txt`.
fn one_release(dir: &Path, name: &str) -> std::path::PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("a.txt"),
        "峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。\n",
    )
    .unwrap();
    folder
}

fn index_json(index: &Path, folder: &Path) -> (Output, Value) {
    let out = govsearch(index, &["index", "--json", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = serde_json::from_slice(&out.stdout).unwrap();
    (out, summary)
}

fn reason<'a>(summary: &'a Value, name: &str) -> &'a str {
    summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with(name))
        .and_then(|s| s["reason"].as_str())
        .unwrap_or_else(|| panic!("{name} not skipped: {summary}"))
}

#[test]
fn no_file_stops_a_run_and_every_file_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("releases");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("good.txt"),
        "峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。\n",
    )
    .unwrap();
    let deep = format!(
        "<html><head><meta name=\"ArticleTitle\" content=\"深层页面\"></head><body><div id=\"zoom\"><p>正文第一段的内容足够长，超过二十个字符的阈值。</p>{}</div></body></html>",
        "<b>".repeat(100_000)
    );
    std::fs::write(folder.join("deep.html"), deep).unwrap();
    let json_body = format!(
        r#"{{"title": "嵌套正文", "content": "<p>正文{}里面</p>"}}"#,
        "<span>".repeat(50_000)
    );
    std::fs::write(folder.join("deep.json"), json_body).unwrap();
    let attributes: Vec<String> = (0..20_000).map(|i| format!("a{i}=\"x\"")).collect();
    std::fs::write(
        folder.join("attributes.html"),
        format!("<html><body><p {}>正文</p></body></html>", attributes.join(" ")),
    )
    .unwrap();
    assert!(Command::new("mkfifo")
        .arg(folder.join("pipe.txt"))
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(folder.join("good.txt"), folder.join("link.txt")).unwrap();
    let index = dir.path().join("index");
    let (_, summary) = index_json(&index, &folder);
    assert_eq!(summary["files_seen"], 6, "{summary}");
    assert!(reason(&summary, "attributes.html").contains("over 1000 attributes"));
    assert_eq!(summary["files_indexed"], 3, "{summary}");
    assert!(reason(&summary, "pipe.txt").contains("not a regular file"));
    assert!(reason(&summary, "link.txt").contains("symbolic link"));
    let found = govsearch(&index, &["search", "深层页面", "--json"]);
    assert!(found.status.success(), "{}", stderr(&found));
}

#[test]
fn nul_in_values_and_dates_no_index_can_store_are_not_stored_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("records");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("records.json"),
        r#"[{"title": "鲁网新闻", "source": "鲁\u0000网", "content": "正文一。", "pubtime": "2022-05-10"},
            {"title": "远未来的新闻", "source": "鲁网", "content": "正文二。", "pubtime": "9999-12-31"}]"#,
    )
    .unwrap();
    let index = dir.path().join("index");
    let (_, summary) = index_json(&index, &folder);
    let warnings = summary["warnings"].to_string();
    assert!(warnings.contains("9999-12-31 is outside 1678–2261"), "{warnings}");
    let out = govsearch(&index, &["search", "*", "--json", "--facets"]);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sources = &lines.last().unwrap()["facets"]["source"];
    assert_eq!(sources[0]["value"], "鲁网", "the NUL is dropped, not a cut: {sources}");
    assert_eq!(sources[0]["count"], 2);
    let far = lines.iter().find(|l| l["title"] == "远未来的新闻").unwrap();
    assert!(far.get("published").is_none(), "not wrapped to another year: {far}");
    // A filter up to 9999 keeps every dated article.
    let until = govsearch(&index, &["search", "*", "--until", "9999", "--json"]);
    let total: Value = serde_json::from_str(String::from_utf8_lossy(&until.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(total["total"], 1);
}

#[test]
fn a_file_that_no_longer_reads_counts_as_removed() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("releases");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("a.txt");
    std::fs::write(&file, "峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。\n").unwrap();
    let index = dir.path().join("index");
    index_json(&index, &folder);
    std::fs::write(&file, b"\xff\xfe\x00\x00binary now\x00\x01").unwrap();
    let (_, summary) = index_json(&index, &folder);
    assert_eq!(summary["files_removed"], 1, "{summary}");
    assert!(reason(&summary, "a.txt").contains("its articles from before were removed"));
    assert_eq!(summary["articles_in_index"], 0);
}

#[test]
fn bad_options_and_foreign_folders_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let folder = one_release(dir.path(), "releases");
    // A folder of the user's own is not an index folder.
    let own = dir.path().join("mine");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(own.join("user_dictionary.txt"), "我的文件\n").unwrap();
    let refused = govsearch(&own, &["index", folder.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("is not an index folder"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read_dir(&own).unwrap().count(), 1, "nothing was added");
    assert_eq!(
        std::fs::read_to_string(own.join("user_dictionary.txt")).unwrap(),
        "我的文件\n"
    );

    let index = dir.path().join("index");
    index_json(&index, &folder);
    let empty = govsearch(&index, &["search", "峄城", "--source", ""]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(
        stderr(&empty).contains("the source filter was given an empty value"),
        "{}",
        stderr(&empty)
    );
    let huge = govsearch(&index, &["search", "会议", "--limit", "18446744073709551615", "--json"]);
    assert!(huge.status.success(), "{}", stderr(&huge));
    let parse = govsearch(&index, &["parse", "/dev/zero", "--layout", "text"]);
    assert_eq!(parse.status.code(), Some(2));
    assert!(stderr(&parse).contains("not a regular file"), "{}", stderr(&parse));
}

/// A folder mounted as a file system of its own (tmpfs), unmounted when dropped.
struct Mount(std::path::PathBuf);

impl Mount {
    /// `None` where mounting is not allowed (not root): only CI must mount.
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            let required = std::env::var_os("GOVSEARCH_EXTERNAL_TESTS").is_some_and(|v| v == "1");
            assert!(!required, "mounting a tmpfs failed: .ci/run runs as root");
            eprintln!("skipped: the test mounts a tmpfs, which needs root");
            return None;
        }
        Some(Mount(at.to_path_buf()))
    }

    fn read_only(&self) {
        let out = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn an_index_on_read_only_media_is_searched_and_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let Some(media) = Mount::tmpfs(&dir.path().join("media"), "64m") else {
        return;
    };
    let folder = one_release(dir.path(), "releases");
    let index = media.0.join("index");
    index_json(&index, &folder);
    media.read_only();
    let found = govsearch(&index, &["search", "峄城", "--json"]);
    assert!(found.status.success(), "{}", stderr(&found));
    let stats = govsearch(&index, &["stats"]);
    assert!(stats.status.success(), "{}", stderr(&stats));
    std::fs::write(
        folder.join("b.txt"),
        "峄城区开展活动\n2022-06-10 来源:鲁网\n活动在峄城开展。\n",
    )
    .unwrap();
    let write = govsearch(&index, &["index", folder.to_str().unwrap()]);
    assert_eq!(write.status.code(), Some(2));
    assert!(
        stderr(&write).to_lowercase().contains("read-only"),
        "{}",
        stderr(&write)
    );
}

#[test]
fn a_full_disk_is_said_and_the_failed_run_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Mount::tmpfs(&dir.path().join("disk"), "2m") else {
        return;
    };
    let small = one_release(dir.path(), "small");
    let index = disk.0.join("index");
    index_json(&index, &small);
    let size = || -> u64 {
        std::fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum()
    };
    let before = size();
    // Text that compresses badly, more than the disk can hold once indexed.
    let large = dir.path().join("large");
    std::fs::create_dir_all(&large).unwrap();
    let mut state = 12345u32;
    for file in 0..200 {
        let body: String = (0..3000)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                char::from_u32(0x4E00 + (state >> 8) % 20_000).unwrap()
            })
            .collect();
        std::fs::write(
            large.join(format!("{file}.txt")),
            format!("标题{file}\n2022-05-10 来源:鲁网\n{body}\n"),
        )
        .unwrap();
    }
    let full = govsearch(&index, &["index", large.to_str().unwrap()]);
    assert_eq!(full.status.code(), Some(2));
    assert!(
        stderr(&full).contains("no space left on the device"),
        "{}",
        stderr(&full)
    );
    assert!(
        size() <= before + (64 << 10),
        "the failed run's files were removed: {} > {before}",
        size()
    );
    let found = govsearch(&index, &["search", "峄城"]);
    assert!(found.status.success(), "the last commit is whole: {}", stderr(&found));
}

#[test]
fn names_that_are_not_utf8_are_keyed_exactly_and_reported() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("releases");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, title) in [
        (&b"caf\xe9.txt"[..], "峄城区召开会议"),
        (&b"caf\xe8.txt"[..], "峄城区开展活动"),
    ] {
        let path = folder.join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, format!("{title}\n2022-05-10 来源:鲁网\n正文在峄城。\n")).unwrap();
    }
    let index = dir.path().join("index");
    let report = dir.path().join("report.jsonl");
    for run in 0..3 {
        let out = govsearch(
            &index,
            &[
                "index",
                "--json",
                "--report",
                report.to_str().unwrap(),
                folder.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "run {run}: {}", stderr(&out));
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["articles_in_index"], 2, "run {run}: {summary}");
        if run > 0 {
            assert_eq!(summary["files_unchanged"], 2, "run {run}: {summary}");
        }
        let lines = std::fs::read_to_string(&report).unwrap();
        assert_eq!(lines.lines().count(), 2, "{lines}");
        assert!(lines.contains("caf\u{FFFD}.txt"), "{lines}");
    }
    let found = govsearch(&index, &["search", "峄城", "--json"]);
    let hits = String::from_utf8_lossy(&found.stdout)
        .lines()
        .filter(|l| l.contains("\"type\":\"hit\""))
        .count();
    assert_eq!(hits, 2);
}

#[test]
fn a_file_of_many_records_that_are_not_articles_is_summed_up() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("records");
    std::fs::create_dir_all(&folder).unwrap();
    let records = format!(
        "[{}, {{\"title\": \"峄城新闻\", \"content\": \"正文。\"}}]",
        vec!["{}"; 5000].join(",")
    );
    std::fs::write(folder.join("many.json"), records).unwrap();
    let index = dir.path().join("index");
    let (_, summary) = index_json(&index, &folder);
    assert_eq!(summary["articles_indexed"], 1);
    let warnings = summary["warnings"].as_array().unwrap();
    assert!(warnings.len() <= 25, "{} warnings", warnings.len());
    assert!(
        summary["warnings"]
            .to_string()
            .contains("skipped 4980 more records that are not articles"),
        "{summary}"
    );
}

/// A copy of the sample corpus indexed: the folder that holds both, the index, the summary.
fn indexed_corpus() -> (tempfile::TempDir, std::path::PathBuf, Value) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("corpus");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"), &folder);
    let index = dir.path().join("index");
    let (_, summary) = index_json(&index, &folder);
    (dir, index, summary)
}

#[test]
fn check_finds_a_flipped_byte_in_any_file_of_the_index() {
    let (_dir, index, _) = indexed_corpus();
    let whole = govsearch(&index, &["check"]);
    assert!(whole.status.success(), "{}", stderr(&whole));
    assert!(stderr(&whole).contains("is whole"), "{}", stderr(&whole));
    for extension in ["bgram", "bgdict", "store", "term", "idx"] {
        let file = std::fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == extension))
            .unwrap_or_else(|| panic!("a .{extension} file"));
        let original = std::fs::read(&file).unwrap();
        let mut damaged = original.clone();
        damaged[original.len() / 3] ^= 0x5A;
        std::fs::write(&file, &damaged).unwrap();
        let found = govsearch(&index, &["check", "--json"]);
        assert_eq!(found.status.code(), Some(2), ".{extension}: {}", stderr(&found));
        let report: Value = serde_json::from_slice(&found.stdout).unwrap();
        let damaged = report["damaged"].to_string();
        assert!(
            damaged.contains(extension) || damaged.contains("grams files are damaged"),
            ".{extension}: {report}"
        );
        std::fs::write(&file, &original).unwrap();
    }
}

/// The README's repair, from the command line: a damaged file makes `check` exit 2 and
/// `check --repair` drops its segment and reads its files again; every article is back.
#[test]
fn check_repair_makes_a_damaged_index_whole_again() {
    let (_dir, index, summary) = indexed_corpus();
    let articles = summary["articles_in_index"].as_u64().unwrap();
    let file = std::fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .unwrap();
    let mut damaged = std::fs::read(&file).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x5A;
    std::fs::write(&file, &damaged).unwrap();

    let found = govsearch(&index, &["check"]);
    assert_eq!(found.status.code(), Some(2), "{}", stderr(&found));
    assert!(stderr(&found).contains("check --repair"), "{}", stderr(&found));
    let repaired = govsearch(&index, &["check", "--repair"]);
    assert!(repaired.status.success(), "{}", stderr(&repaired));
    let said = stderr(&repaired);
    assert!(
        said.contains("dropped 1 damaged segments") && said.contains("is whole"),
        "{said}"
    );
    assert!(!file.exists() || govsearch(&index, &["check"]).status.success());
    let stats = govsearch(&index, &["stats", "--json"]);
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["articles"].as_u64(), Some(articles), "every article is back");

    let nothing = govsearch(&index.with_file_name("nothing here"), &["check", "--repair"]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(stderr(&nothing).contains("no index at"), "{}", stderr(&nothing));
}
