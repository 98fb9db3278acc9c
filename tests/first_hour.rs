//! What a new user meets in the first hour, each as the README tells it: exclusions after
//! query words, pages past the end, empty date ranges, filters typed another way, user
//! dictionaries, moved folders, records a mapping misses, scores, help, repeated runs.
//!
//! Each test runs the real binary on its own small folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::copy_dir;

fn govsearch(index: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsearch"));
    for var in [
        "GOVSEARCH_INDEX",
        "NO_COLOR",
        "XDG_DATA_HOME",
        "CLICOLOR",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("--index").arg(index);
    cmd
}

fn run(index: &Path, args: &[&str]) -> Output {
    govsearch(index).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The sample corpus copied to a temporary folder and indexed there.
struct Sample {
    dir: tempfile::TempDir,
    corpus: PathBuf,
    index: PathBuf,
}

fn sample() -> Sample {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"), &corpus);
    let index = dir.path().join("index");
    let out = run(&index, &["index", corpus.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    Sample { dir, corpus, index }
}

/// (total, hit paths) of a search with `--json`.
fn search_json(index: &Path, args: &[&str]) -> (u64, Vec<Value>, Output) {
    let out = govsearch(index)
        .arg("search")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let total = lines.last().map_or(0, |s| s["total"].as_u64().unwrap_or(0));
    let hits = lines.into_iter().filter(|l| l["type"] == "hit").collect();
    (total, hits, out)
}

#[test]
fn an_exclusion_works_as_the_readme_writes_it() {
    let s = sample();
    let (all, _, _) = search_json(&s.index, &["峄城"]);
    let (without, hits, out) = search_json(&s.index, &["峄城", "-营商", "--limit", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(without > 0 && without < all, "{without} of {all}");
    // Title and body are searched; keyword lines are metadata.
    for hit in &hits {
        let text = std::fs::read_to_string(hit["path"].as_str().unwrap()).unwrap();
        let searched: String = text.lines().filter(|l| !l.starts_with("新闻关键词")).collect();
        assert!(!searched.contains("营商"), "{}", hit["path"]);
    }
    // Options after the exclusion still count; an unknown `-` word elsewhere is quoted whole.
    let (_, hits, _) = search_json(&s.index, &["峄城", "-营商", "-n", "2"]);
    assert_eq!(hits.len(), 2);
    let out = run(&s.index, &["index", "-营商"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'-营商'"), "{}", stderr(&out));
}

#[test]
fn a_page_past_the_end_says_so() {
    let s = sample();
    let out = run(&s.index, &["search", "峄城", "--offset", "100"]);
    let err = stderr(&out);
    assert!(
        err.contains("--offset 100 is past the end (the last is result "),
        "{err}"
    );
    assert!(!err.contains("showing"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn filters_are_folded_and_a_value_no_article_has_is_named() {
    let s = sample();
    let (exact, _, _) = search_json(&s.index, &["峄城", "--source", "鲁网"]);
    let (traditional, _, _) = search_json(&s.index, &["峄城", "--source", "鲁網"]);
    assert_eq!((exact, traditional), (1, 1));
    let (none, _, out) = search_json(&s.index, &["峄城", "--source", "峄城"]);
    assert_eq!(none, 0);
    let err = stderr(&out);
    assert!(err.contains("no article has source 峄城"), "{err}");
    assert!(err.contains("closest: 峄城区"), "{err}");
    let summary: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(summary["unmatched_filters"][0]["value"], "峄城");
}

#[test]
fn a_user_dictionary_does_not_change_what_matches() {
    let s = sample();
    let (plain, _, _) = search_json(&s.index, &["满意峄城"]);
    let dict = s.dir.path().join("dict.txt");
    std::fs::write(&dict, "满意峄城\n").unwrap();
    let with = s.dir.path().join("with-dict");
    let out = run(
        &with,
        &["index", s.corpus.to_str().unwrap(), "--dict", dict.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (found, _, _) = search_json(&with, &["满意峄城"]);
    assert_eq!(found, plain);
    assert!(plain >= 5, "{plain}");
}

#[test]
fn a_bad_dictionary_leaves_no_index_behind() {
    let s = sample();
    let bad_format = s.dir.path().join("bad.txt");
    std::fs::write(&bad_format, "满意峄城 many\n").unwrap();
    let not_utf8 = s.dir.path().join("gbk.txt");
    std::fs::write(&not_utf8, b"\xc2\xfa\xd2\xe2\n").unwrap();
    let missing = s.dir.path().join("missing.txt");
    for (dict, says) in [
        (&bad_format, "line 1"),
        (&not_utf8, "not UTF-8"),
        (&missing, "No such file"),
    ] {
        let index = s.dir.path().join("never");
        let out = run(
            &index,
            &["index", s.corpus.to_str().unwrap(), "--dict", dict.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        assert!(!index.exists(), "{} left an index folder", dict.display());
    }
}

/// The ids of every article, by title and path relative to its folder.
fn ids(index: &Path) -> Vec<String> {
    let (_, hits, _) = search_json(index, &["*", "-n", "100", "--all-copies"]);
    let mut ids: Vec<String> = hits.iter().map(|h| h["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

/// Every facet's counts over every article.
fn facets(index: &Path) -> Value {
    let (_, _, out) = search_json(index, &["*", "--facets", "--facet-values", "1000", "-n", "1"]);
    let summary: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    summary["facets"].clone()
}

fn stats(index: &Path) -> Value {
    serde_json::from_slice(&run(index, &["stats", "--json"]).stdout).unwrap()
}

/// A folder moved elsewhere (every file at the same place in it, of the same size) and
/// indexed there: its articles move over, each in the index once, and their ids (of the
/// folder's name and the place in it) stay the same.
#[test]
fn a_moved_folder_is_recognised_and_its_articles_move_over() {
    let s = sample();
    let before = (stats(&s.index)["articles"].as_u64().unwrap(), ids(&s.index));
    let before_facets = facets(&s.index);
    let elsewhere = s.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let moved = elsewhere.join("corpus");
    std::fs::rename(&s.corpus, &moved).unwrap();
    let out = run(&s.index, &["index", moved.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let old = std::fs::canonicalize(s.dir.path()).unwrap().join("corpus");
    assert!(
        stderr(&out).contains(&format!("{}, indexed before, no longer exists and its", old.display())),
        "{}",
        stderr(&out)
    );
    let after = stats(&s.index);
    assert_eq!((after["articles"].as_u64().unwrap(), ids(&s.index)), before);
    assert_eq!(after["folders"].as_array().unwrap().len(), 1, "{after}");
    // Facet counts are those of one copy.
    assert_eq!(facets(&s.index), before_facets);
}

/// A folder gone whose files are not all in the folder indexed now (one was edited) is not
/// taken for it: it is named, and `govsearch remove` takes its articles out.
#[test]
fn a_folder_gone_but_not_moved_here_is_named_and_can_be_removed() {
    let s = sample();
    let moved = s.dir.path().join("moved");
    std::fs::rename(&s.corpus, &moved).unwrap();
    let edited = moved.join("2024/1203.txt");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{text}\n新增一段。\n")).unwrap();
    let out = run(&s.index, &["index", moved.to_str().unwrap()]);
    let err = stderr(&out);
    let old = std::fs::canonicalize(s.dir.path()).unwrap().join("corpus");
    let old = old.to_str().unwrap();
    assert!(
        err.contains(&format!("{old}, indexed before, no longer exists;")),
        "{err}"
    );
    let stats = stats(&s.index);
    let folders: Vec<(&str, bool)> = stats["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["exists"].as_bool().unwrap()))
        .collect();
    assert_eq!(folders.len(), 2, "{folders:?}");
    assert!(folders.contains(&(old, false)), "{folders:?}");
    let articles = stats["articles"].as_u64().unwrap();

    let again = run(&s.index, &["index", s.corpus.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("govsearch remove"), "{}", stderr(&again));

    let removed = run(&s.index, &["remove", s.corpus.to_str().unwrap()]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    let after = run(&s.index, &["stats", "--json"]);
    let after: Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(after["articles"].as_u64().unwrap() * 2, articles);
    assert_eq!(after["folders"].as_array().unwrap().len(), 1);
    let twice = run(&s.index, &["remove", s.corpus.to_str().unwrap()]);
    assert_eq!(twice.status.code(), Some(2));
}

#[test]
fn an_index_inside_the_folder_is_not_read_and_skipped_files_are_counted() {
    let s = sample();
    let inner = s.corpus.join("index");
    let out = run(&inner, &["index", s.corpus.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = run(&inner, &["index", s.corpus.to_str().unwrap(), "--json"]);
    let summary: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(summary["files_indexed"], 0, "the index's own files are not articles");
    let skipped = summary["skipped"].as_array().unwrap();
    assert!(
        skipped[0]["reason"].as_str().unwrap().contains("an index folder"),
        "{skipped:?}"
    );
    let err = stderr(&again);
    assert!(err.contains("govsearch: skipped 1 file: an index folder"), "{err}");
    let listed = format!("skipped {}", inner.display());
    assert!(!err.contains(&listed), "listed only with --verbose: {err}");
    let verbose = run(&inner, &["index", s.corpus.to_str().unwrap(), "--verbose"]);
    assert!(stderr(&verbose).contains(&listed), "{}", stderr(&verbose));
}

#[test]
fn a_field_mapping_that_finds_nothing_says_what_the_records_have() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("records.json");
    std::fs::write(
        &file,
        r#"[{"name": "通知一", "detail": {"text": "正文一"}}, {"name": "通知二", "detail": {"text": "正文二"}}]"#,
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["parse", file.to_str().unwrap(), "--field", "title=headline"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("none of its 2 records is an article"), "{err}");
    assert!(err.contains("no title: no text at headline"), "{err}");
    assert!(
        err.contains("(the record has ") && err.contains("detail.text") && err.contains("name)"),
        "{err}"
    );
    let mapped = run(
        dir.path(),
        &[
            "parse",
            file.to_str().unwrap(),
            "--field",
            "title=name",
            "--field",
            "body=detail.text",
        ],
    );
    assert!(mapped.status.success(), "{}", stderr(&mapped));
}

#[test]
fn scores_are_never_negative() {
    let s = sample();
    for query in ["峄城", "满意峄城", "会议", "\"峄\"", "枣庄 乡村振兴"] {
        let (_, hits, _) = search_json(&s.index, &[query, "--limit", "100"]);
        for hit in hits {
            let score = hit["score"].as_f64().unwrap();
            assert!(score >= 0.0, "{query}: {score} for {}", hit["path"]);
        }
    }
}

#[test]
fn help_offers_only_what_a_command_uses() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_govsearch"))
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for command in ["parse", "eval", "bench"] {
        assert!(!help(&[command, "--help"]).contains("--index"), "{command}");
    }
    for command in ["index", "search", "stats", "remove", "serve", "check"] {
        assert!(help(&[command, "--help"]).contains("--index"), "{command}");
    }
    assert!(help(&["search", "--help"]).contains("2022年5月"));
}

#[test]
fn parse_says_what_happened_to_a_folder_or_a_forced_layout() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let dir = tempfile::tempdir().unwrap();
    let folder = run(dir.path(), &["parse", corpus.to_str().unwrap()]);
    assert!(stderr(&folder).contains("a folder, not a file"), "{}", stderr(&folder));
    let release = corpus.join("000_e01ca59eb94a4339.txt");
    let forced = run(dir.path(), &["parse", release.to_str().unwrap(), "--layout", "json"]);
    assert_eq!(forced.status.code(), Some(2));
    assert!(
        stderr(&forced).contains("(read as json, as asked; the file looks like text)"),
        "{}",
        stderr(&forced)
    );
}

/// The README's quick start, its commands as written (with `govsearch` the built binary), in a
/// folder holding the sample corpus: the sample goes into an index of its own, and the user's
/// default index stays empty for their own site.
#[test]
fn the_quick_start_keeps_the_sample_out_of_the_default_index() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = &readme[readme.find("## Install and quick start").unwrap()..];
    let block = start.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    let commands: Vec<&str> = block
        .lines()
        .filter(|line| line.starts_with("govsearch "))
        .flat_map(|line| line.split(" && "))
        .collect();
    assert_eq!(commands.len(), 2, "{block}");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        &dir.path().join("corpus"),
    );
    let home = dir.path().join("home");
    for command in &commands {
        let words: Vec<&str> = command.split_whitespace().skip(1).collect();
        let out = Command::new(env!("CARGO_BIN_EXE_govsearch"))
            .args(&words)
            .current_dir(dir.path())
            .env_remove("GOVSEARCH_INDEX")
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        if words[0] == "search" {
            assert!(String::from_utf8_lossy(&out.stdout).contains("满意峄城"));
        }
    }
    assert!(dir.path().join("sample-index").is_dir());
    assert!(
        !home.join(".local/share/govsearch").exists(),
        "the sample went into the default index"
    );
}
