//! The real binary on a temporary copy of the sample corpus, with broken files added.
//!
//! The corpus is indexed once for all tests (each process pays the dictionary load, so
//! spawns are kept few). Expected values are computed by reading the corpus files here,
//! with code independent of the library's parser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

mod common;
use common::copy_dir;

const SEED: &str = "000_e01ca59eb94a4339.txt";

/// Broken files added to the corpus copy, each with a word its skip reason must contain.
const BROKEN: &[(&str, &[u8], &str)] = &[
    (
        "broken/latin1.txt",
        b"Caf\xe9 cr\xe8me br\xfbl\xe9e \xe0 la fran\xe7aise\n",
        "cannot be decoded",
    ),
    ("broken/empty.txt", b"", "empty"),
    (
        "broken/title_only.txt",
        "只有标题\n\n2022-05-10 来源:鲁网\n".as_bytes(),
        "no article body",
    ),
    ("broken/notes.md", b"# notes\n", "not an article file"),
    ("broken/binary.txt", b"\x00\x01\x02GIF89a", "binary"),
];

struct Fixture {
    _dir: tempfile::TempDir,
    corpus: PathBuf,
    index: PathBuf,
    /// `index --json` summaries of the first and of a second run over the same folder.
    first: Value,
    second: Value,
    first_stderr: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        copy_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").as_path(), &corpus);
        for (name, bytes, _) in BROKEN {
            let path = corpus.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let index = dir.path().join("index");
        let run = |label: &str| {
            let out = govsearch(&index)
                .args(["index", "--json"])
                .arg(&corpus)
                .output()
                .unwrap();
            assert_success(&out, label);
            let summary: Value = serde_json::from_slice(&out.stdout).expect("index --json prints one JSON object");
            (summary, String::from_utf8_lossy(&out.stderr).into_owned())
        };
        let (first, first_stderr) = run("first index run");
        let (second, _) = run("second index run");
        Fixture {
            _dir: dir,
            corpus,
            index,
            first,
            second,
            first_stderr,
        }
    })
}

/// The binary with every behaviour-changing variable removed and the index set explicitly.
fn govsearch(index: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsearch"));
    for var in [
        "GOVSEARCH_INDEX",
        "NO_COLOR",
        "XDG_DATA_HOME",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "TERM",
        "GOVSEARCH_BACKEND",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("--index").arg(index);
    cmd
}

fn search(args: &[&str]) -> Output {
    govsearch(&fixture().index).arg("search").args(args).output().unwrap()
}

fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Decodes `--json` output: the hits, then the summary line.
fn json_lines(out: &Output) -> (Vec<Value>, Value) {
    let mut lines: Vec<Value> = String::from_utf8(out.stdout.clone())
        .expect("JSON output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let summary = lines.pop().expect("a summary line");
    assert_eq!(summary["type"], "summary");
    assert!(lines.iter().all(|h| h["type"] == "hit"));
    (lines, summary)
}

fn hit_paths(hits: &[Value]) -> BTreeSet<String> {
    hits.iter().map(|h| h["path"].as_str().unwrap().to_string()).collect()
}

/// Metadata read straight from a corpus file: the value after `label` + colon on its line.
struct Meta {
    path: String,
    source: Option<String>,
    editor: Option<String>,
    keywords: Vec<String>,
    month: Option<String>,
}

fn corpus_meta() -> Vec<Meta> {
    let mut out = Vec::new();
    let mut stack = vec![fixture().corpus.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("broken") {
                    stack.push(path);
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // A labelled value: on the header line (来源) or on a line of its own (责任编辑).
            let after = |label: &str| -> Option<String> {
                text.lines().find_map(|line| {
                    let at = line.find(label).filter(|&at| at == 0 || label == "来源")?;
                    let rest = line[at + label.len()..].trim_start_matches([':', '：']).trim();
                    let value = rest.split_whitespace().next()?.to_string();
                    Some(value)
                })
            };
            let header = text.lines().nth(2).unwrap_or_default();
            let month = header
                .find("20")
                .map(|i| &header[i..])
                .and_then(|d| {
                    let year = d.get(0..4)?;
                    let digits: String = d[4..].chars().skip(1).take_while(char::is_ascii_digit).collect();
                    Some(format!("{year}-{digits:0>2}"))
                })
                .filter(|m| m.len() == 7);
            out.push(Meta {
                path: std::fs::canonicalize(&path).unwrap().to_string_lossy().into_owned(),
                source: after("来源"),
                editor: after("责任编辑").or_else(|| after("作者")),
                keywords: after("新闻关键词")
                    .map(|_| {
                        let line = text.lines().find(|l| l.starts_with("新闻关键词")).unwrap();
                        line["新闻关键词".len()..]
                            .trim_start_matches([':', '：'])
                            .split([' ', '，', '、'])
                            .filter(|k| !k.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                month,
            });
        }
    }
    out
}

fn counts<'a>(values: impl Iterator<Item = &'a str>) -> BTreeMap<String, u64> {
    let mut map = BTreeMap::new();
    for v in values {
        *map.entry(v.to_string()).or_insert(0) += 1;
    }
    map
}

fn facet_map(facets: &Value) -> BTreeMap<String, u64> {
    facets
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["value"].as_str().unwrap().to_string(), f["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn index_accounts_for_every_file() {
    let f = fixture();
    let good = corpus_meta().len() as u64;
    assert_eq!(f.first["articles_indexed"], good);
    assert_eq!(f.first["files_seen"], good + BROKEN.len() as u64);
    let skipped = f.first["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), BROKEN.len(), "skipped: {skipped:#?}");
    for (name, _, reason) in BROKEN {
        let entry = skipped
            .iter()
            .find(|s| s["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not reported as skipped: {skipped:#?}"));
        let got = entry["reason"].as_str().unwrap().to_lowercase();
        assert!(got.contains(reason), "{name}: reason {got:?} should mention {reason:?}");
    }
    // On stderr, skipped files are counted by reason (--verbose lists them).
    let counted = format!("govsearch: skipped {} files: ", BROKEN.len());
    assert!(f.first_stderr.contains(&counted), "{}", f.first_stderr);
}

#[test]
fn indexing_the_same_folder_again_does_not_duplicate() {
    let f = fixture();
    assert_eq!(f.first["articles_in_index"], f.second["articles_in_index"]);
    let (_, summary) = json_lines(&search(&["*", "--json", "--limit", "0"]));
    assert_eq!(summary["total"], f.first["articles_indexed"]);
}

#[test]
fn seed_is_the_top_hit_for_its_campaign_name() {
    let out = search(&["满意峄城", "--json"]);
    assert_success(&out, "search 满意峄城");
    let (hits, summary) = json_lines(&out);
    assert!(summary["total"].as_u64().unwrap() >= 3, "several articles mention it");
    let top = &hits[0];
    assert!(top["path"].as_str().unwrap().ends_with(SEED), "top hit: {top:#}");
    assert_eq!(top["source"], "鲁网");
    assert_eq!(top["editor"], "杜伟");
    assert_eq!(top["published"], "2022-05-10T12:36:57+08:00");
    let snippet = top["snippet"]["text"].as_str().unwrap();
    let first = &top["snippet"]["highlights"][0];
    let (s, e) = (
        first["start"].as_u64().unwrap() as usize,
        first["end"].as_u64().unwrap() as usize,
    );
    assert!(
        snippet[s..e].contains("峄城"),
        "highlight {:?} in {snippet}",
        &snippet[s..e]
    );
}

#[test]
fn spaced_and_unspaced_queries_find_the_seed() {
    for query in [&["峄城", "疫情防控"][..], &["峄城区疫情防控"]] {
        let mut args = query.to_vec();
        args.push("--json");
        let (hits, _) = json_lines(&search(&args));
        assert!(
            hit_paths(&hits).iter().any(|p| p.ends_with(SEED)),
            "{query:?} must find the seed"
        );
    }
}

#[test]
fn each_filter_narrows_to_exactly_the_matching_articles() {
    let meta = corpus_meta();
    let all = || meta.iter();
    let expect = |pred: &dyn Fn(&Meta) -> bool| -> BTreeSet<String> {
        all().filter(|m| pred(m)).map(|m| m.path.clone()).collect()
    };
    let cases: Vec<(Vec<&str>, BTreeSet<String>)> = vec![
        (
            vec!["--source", "枣庄日报"],
            expect(&|m| m.source.as_deref() == Some("枣庄日报")),
        ),
        (
            vec!["--source", "鲁网", "--source", "滕州市融媒体中心"],
            expect(&|m| matches!(m.source.as_deref(), Some("鲁网" | "滕州市融媒体中心"))),
        ),
        (
            vec!["--editor", "杜伟"],
            expect(&|m| m.editor.as_deref() == Some("杜伟")),
        ),
        (
            vec!["--keyword", "乡村振兴"],
            expect(&|m| m.keywords.iter().any(|k| k == "乡村振兴")),
        ),
        (
            vec!["--since", "2022-05", "--until", "2022"],
            expect(&|m| {
                m.month
                    .as_deref()
                    .is_some_and(|mo| ("2022-05"..="2022-12").contains(&mo))
            }),
        ),
        (
            vec!["--until", "2021-06-10"],
            expect(&|m| m.month.as_deref().is_some_and(|mo| mo <= "2021-05") || m.path.ends_with("2021/0610.txt")),
        ),
    ];
    for (filter, expected) in cases {
        assert!(!expected.is_empty(), "{filter:?} selects nothing in the corpus");
        let mut args = vec!["*", "--json", "--limit", "1000"];
        args.extend(&filter);
        let (hits, summary) = json_lines(&search(&args));
        assert_eq!(hit_paths(&hits), expected, "filter {filter:?}");
        assert_eq!(summary["total"], expected.len() as u64, "filter {filter:?}");
    }
}

#[test]
fn facet_counts_equal_counts_from_the_files() {
    let meta = corpus_meta();
    let (_, summary) = json_lines(&search(&["*", "--json", "--limit", "0", "--facet-values", "1000"]));
    let facets = &summary["facets"];
    assert_eq!(
        facet_map(&facets["source"]),
        counts(meta.iter().filter_map(|m| m.source.as_deref()))
    );
    assert_eq!(
        facet_map(&facets["editor"]),
        counts(meta.iter().filter_map(|m| m.editor.as_deref()))
    );
    assert_eq!(
        facet_map(&facets["keyword"]),
        counts(meta.iter().flat_map(|m| m.keywords.iter().map(String::as_str)))
    );
    assert_eq!(
        facet_map(&facets["month"]),
        counts(meta.iter().filter_map(|m| m.month.as_deref()))
    );
}

/// By default ten values of a facet are listed, the most frequent (months: the latest), and
/// the others are counted; `--facet-values` lists more.
#[test]
fn facets_list_the_most_frequent_values_and_count_the_others() {
    let meta = corpus_meta();
    let (_, summary) = json_lines(&search(&["*", "--json", "--limit", "0"]));
    let facets = &summary["facets"];
    let keywords = counts(meta.iter().flat_map(|m| m.keywords.iter().map(String::as_str)));
    assert!(keywords.len() > 10, "the sample has more than ten keywords");
    let mut by_count: Vec<(String, u64)> = keywords.clone().into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by_count.truncate(10);
    let listed: Vec<(String, u64)> = facets["keyword"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["value"].as_str().unwrap().to_string(), f["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(listed, by_count);
    assert_eq!(facets["unlisted"]["keyword"], (keywords.len() - 10) as u64);
    let months = counts(meta.iter().filter_map(|m| m.month.as_deref()));
    let latest: Vec<&str> = months.keys().rev().take(10).map(String::as_str).collect();
    let listed: Vec<&str> = facets["month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["value"].as_str().unwrap())
        .collect();
    assert_eq!(listed, latest);
    assert_eq!(facets["unlisted"]["month"], months.len().saturating_sub(10) as u64);
    let (_, three) = json_lines(&search(&["*", "--json", "--limit", "0", "--facet-values", "3"]));
    assert_eq!(three["facets"]["keyword"].as_array().unwrap().len(), 3);
    assert_eq!(three["facets"]["unlisted"]["keyword"], (keywords.len() - 3) as u64);
}

#[test]
fn sort_by_date_is_newest_first() {
    let (hits, _) = json_lines(&search(&["峄城", "--sort", "date", "--json", "--limit", "100"]));
    let dates: Vec<&str> = hits.iter().filter_map(|h| h["published"].as_str()).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
}

#[test]
fn text_output_colours_only_when_asked() {
    let always = search(&["满意峄城", "--color", "always"]);
    assert_success(&always, "--color always");
    assert!(String::from_utf8_lossy(&always.stdout).contains("\x1b[1;31m"));
    let never = search(&["满意峄城", "--color", "never"]);
    let text = String::from_utf8_lossy(&never.stdout);
    assert!(!text.contains('\x1b') && text.contains("满意峄城"), "{text}");
    let no_color = govsearch(&fixture().index)
        .env("NO_COLOR", "1")
        .args(["search", "满意峄城"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains('\x1b'));
}

#[test]
fn exit_codes_and_one_line_errors() {
    let none = search(&["\"这个字符串不存在于语料\""]);
    assert_eq!(none.status.code(), Some(1), "no results");
    for (args, message) in [
        (&["\"满意峄城"][..], "unclosed quote"),
        (&["峄城", "--since", "2022-13"], "2022-13"),
        (
            &["峄城", "--since", "2023", "--until", "2022"],
            "from 2023-01-01 on and up to 2022-12-31, and no day is both",
        ),
    ] {
        let out = search(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let missing = govsearch(&fixture().index.join("nowhere"))
        .args(["search", "峄城"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.starts_with("govsearch: error: no index at") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

/// `govsearch queries`: 1 for a log with no day in the range, 2 with a message for a folder
/// that is no log, and a bad `--since` said as a bad date.
#[test]
fn queries_reports_exit_codes_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_govsearch"))
            .arg("queries")
            .args(args)
            .output()
            .unwrap()
    };
    let state = dir.path().to_str().unwrap();
    let empty = run(&["--state", state]);
    assert_eq!(
        empty.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&empty.stderr)
    );
    assert!(String::from_utf8_lossy(&empty.stdout).contains("top queries"));
    let missing = dir.path().join("nowhere");
    let out = run(&["--state", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such folder"));
    let out = run(&["--state", state, "--since", "2026-13"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad date"));
}

#[test]
fn a_cluster_that_does_not_answer_is_an_error_and_the_local_index_is_untouched() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed}");
    let index = &fixture().index;
    let listing = |dir: &Path| -> BTreeMap<PathBuf, u64> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.path(), e.metadata().unwrap().len()))
            .collect()
    };
    let before = listing(index);
    for args in [
        vec!["export", "--to", url.as_str()],
        vec!["search", "--backend", url.as_str(), "峄城"],
        vec!["stats", "--backend", url.as_str()],
        vec!["export", "--to", "https://127.0.0.1:9200"],
        vec!["export", "--to", url.as_str(), "--name", "Not A Name"],
    ] {
        let out = govsearch(index).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("OpenSearch") && stderr.lines().count() == 1,
            "{args:?}: one line naming the cluster: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(listing(index), before, "the local index is not written");
    let out = govsearch(index).args(["parity", "corpus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--backend"));
}

#[test]
fn parse_stats_and_bench_print_json() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(SEED);
    let parse = govsearch(&fixture().index).arg("parse").arg(&seed).output().unwrap();
    assert_success(&parse, "parse");
    let parsed: Value = serde_json::from_slice(&parse.stdout).unwrap();
    assert_eq!(parsed["layout"], "text");
    assert_eq!(parsed["records"][0]["article"]["source"], "鲁网");

    let stats = govsearch(&fixture().index).args(["stats", "--json"]).output().unwrap();
    assert_success(&stats, "stats");
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["articles"], fixture().first["articles_indexed"]);
    assert_eq!(stats["layouts"][0]["value"], "text");

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let bench = govsearch(&fixture().index)
        .args(["bench", "--queries", "3", "--runs", "2", "--json"])
        .arg(&corpus)
        .output()
        .unwrap();
    assert_success(&bench, "bench");
    let bench: Value = serde_json::from_slice(&bench.stdout).unwrap();
    assert_eq!(bench["articles"], 44);
    for figure in [
        "segmentation_secs",
        "index_secs",
        "index_secs_1_thread",
        "reindex_unchanged_secs",
        "index_peak_mb",
    ] {
        assert!(bench[figure].as_f64().unwrap() > 0.0, "{figure}: {bench:#}");
    }
    assert!(bench["query_ms_snippets_facets"]["median"].as_f64().unwrap() > 0.0);
    assert!(bench["query_ms_snippets"]["median"].as_f64().unwrap() > 0.0);
    assert_eq!(bench["runs"], 2);
    let slowest = bench["slowest_top10"].as_array().unwrap();
    assert_eq!(slowest.len(), 5, "{bench:#}");
    assert!(slowest.windows(2).all(|w| w[0][0].as_f64() >= w[1][0].as_f64()));
}

#[test]
fn index_dict_is_kept_with_the_index_and_segments_later_searches() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "创建满意峄城活动\n2022-06-05 来源:枣庄日报\n全区开展满意峄城创建活动。\n",
    )
    .unwrap();
    let dict = dir.path().join("dict.txt");
    std::fs::write(&dict, "满意峄城\n").unwrap();
    let index = dir.path().join("index");
    let out = govsearch(&index)
        .arg("index")
        .arg(&corpus)
        .arg("--dict")
        .arg(&dict)
        .output()
        .unwrap();
    assert_success(&out, "index --dict");
    assert!(
        index.join("user_dictionary.txt").is_file(),
        "the dictionary is kept with the index"
    );
    let (hits, _) = json_lines(
        &govsearch(&index)
            .args(["search", "满意峄城", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(hits.len(), 1);
    let reopened = govsearch::Index::open(&index).unwrap();
    assert_eq!(reopened.stats().unwrap().articles, 1);

    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "满意峄城 many\n").unwrap();
    let out = govsearch(&index)
        .arg("index")
        .arg(&corpus)
        .arg("--dict")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn report_lines_account_for_every_file_and_options_reach_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts"),
        &corpus,
    );
    let index = dir.path().join("index");
    let report = dir.path().join("report.jsonl");
    let out = govsearch(&index)
        .arg("index")
        .arg(&corpus)
        .arg("--json")
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert_success(&out, "index --report");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len() as u64,
        summary["files_seen"].as_u64().unwrap(),
        "one line per file"
    );
    let count = |outcome: &str| lines.iter().filter(|l| l["outcome"] == outcome).count() as u64;
    assert_eq!(count("indexed"), summary["files_indexed"].as_u64().unwrap());
    assert_eq!(count("skipped"), summary["skipped"].as_array().unwrap().len() as u64);
    assert!(lines
        .iter()
        .filter(|l| l["outcome"] == "skipped")
        .all(|l| l["reason"].is_string()));

    // --column filters; --field maps a JSON field.
    let (hits, _) = json_lines(
        &govsearch(&index)
            .args(["search", "*", "--column", "统计公报", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["title"], "峄城区2022年国民经济和社会发展统计公报");
    let parsed = govsearch(&index)
        .arg("parse")
        .arg(corpus.join("daily.json"))
        .args(["--field", "title=video_detail.source", "--layout", "json"])
        .output()
        .unwrap();
    assert_success(&parsed, "parse --field");
    let parsed: Value = serde_json::from_slice(&parsed.stdout).unwrap();
    assert_eq!(parsed["records"][0]["article"]["title"], "央视网");
}

#[test]
fn index_threads_changes_speed_not_results() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = govsearch(&index)
        .args(["index", "--threads", "1", "--json"])
        .arg(&fixture().corpus)
        .output()
        .unwrap();
    assert_success(&out, "index --threads 1");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["articles_in_index"], fixture().first["articles_in_index"]);
    for query in ["疫情防控", "\"区\"", "峄城 -营商"] {
        // Ties are broken by date and path, not by which thread took which file: the
        // pages are the same, in the same order.
        let search = |index: &Path| {
            let (hits, summary) = json_lines(
                &govsearch(index)
                    .args(["search", "--json", "--limit", "50", "--", query])
                    .output()
                    .unwrap(),
            );
            let ranked: Vec<(String, String)> = hits
                .iter()
                .map(|h| (h["score"].to_string(), h["path"].as_str().unwrap().to_string()))
                .collect();
            (ranked, summary)
        };
        let (one, default) = (search(&index), search(&fixture().index));
        assert!(!one.0.is_empty(), "{query}");
        assert_eq!(one, default, "{query}");
    }
    let zero = govsearch(&index)
        .args(["index", "--threads", "0"])
        .arg(&fixture().corpus)
        .output()
        .unwrap();
    assert_eq!(zero.status.code(), Some(2));
}

/// A county site's articles write most strings once or twice: a typo of one that finds
/// nothing is offered it beside the zero (教育局 is in one article of the sample corpus).
#[test]
fn a_typo_of_a_string_in_one_article_is_offered_beside_the_zero() {
    let out = search(&["教育句", "-n", "1"]);
    assert_eq!(out.status.code(), Some(1), "nothing as typed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("您是不是要找「教育局」? (1 result; a likely typo)"),
        "{stderr}"
    );
    let (_, summary) = json_lines(&search(&["教育句", "--json"]));
    assert_eq!(summary["did_you_mean"]["query"], "教育局", "{summary}");
    assert!(summary.get("searched_as").is_none(), "{summary}");
}

/// A typo whose words the sample corpus writes only apart (满意峄成: 满意 and 峄 in three
/// articles, as written in none) is searched as the correction four articles write, as the
/// README shows.
#[test]
fn a_typo_whose_words_are_only_apart_is_searched_as_the_correction() {
    let (hits, summary) = json_lines(&search(&["满意峄成", "--json"]));
    assert_eq!(summary["searched_as"]["query"], "满意峄城", "{summary}");
    assert!(!hits.is_empty());
    let (_, typed) = json_lines(&search(&["满意峄成", "--as-typed", "--json"]));
    assert_eq!(typed["total"], 3, "{typed}");
}

/// Letters as likely English or an abbreviation as pinyin initials (`my`, `gg` on the sample
/// corpus: 满意, 改革) are searched as typed and the reading only offered, as the README shows.
#[test]
fn letters_as_likely_english_are_only_offered() {
    for (typed, reading) in [("my", "满意"), ("gg", "改革")] {
        let (_, summary) = json_lines(&search(&[typed, "--json"]));
        assert!(summary.get("searched_as").is_none(), "{typed}: {summary}");
        assert_eq!(summary["did_you_mean"]["query"], reading, "{typed}: {summary}");
    }
}

#[test]
fn pinyin_suggest_and_related_from_the_command_line() {
    // Pinyin finds the Chinese, and says so; --as-typed searches the letters.
    let out = search(&["yicheng", "--json"]);
    assert_success(&out, "search yicheng");
    let (hits, summary) = json_lines(&out);
    assert!(!hits.is_empty());
    assert_eq!(summary["searched_as"]["query"], "峄城", "{summary}");
    assert_eq!(summary["searched_as"]["reason"], "pinyin");
    let text = search(&["yicheng", "-n", "1"]);
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert!(
        stderr.contains("已按「峄城」搜索") && stderr.contains("--as-typed"),
        "{stderr}"
    );
    let typed = search(&["yicheng", "--as-typed", "--json"]);
    assert_eq!(typed.status.code(), Some(1), "nothing as typed");
    assert!(json_lines(&typed).1.get("searched_as").is_none());

    // Completions, most articles first, in text and JSON.
    let out = govsearch(&fixture().index)
        .args(["suggest", "yc", "--json"])
        .output()
        .unwrap();
    assert_success(&out, "suggest");
    let suggestions: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        suggestions
            .iter()
            .any(|s| s["text"].as_str().is_some_and(|t| t.starts_with("峄城"))),
        "{suggestions:?}"
    );
    let counts: Vec<u64> = suggestions.iter().map(|s| s["articles"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let none = govsearch(&fixture().index)
        .args(["suggest", "qqqqqq"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));

    // Related to a hit's id, and to a file: never the article itself.
    let (hits, _) = json_lines(&search(&["满意峄城", "--json", "-n", "1"]));
    let id = hits[0]["id"].as_str().unwrap();
    let out = govsearch(&fixture().index)
        .args(["related", id, "--json"])
        .output()
        .unwrap();
    assert_success(&out, "related by id");
    let related: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!related.is_empty());
    assert!(related.iter().all(|r| r["id"] != hits[0]["id"]));
    let file = hits[0]["path"].as_str().unwrap();
    let by_file = govsearch(&fixture().index).args(["related", file]).output().unwrap();
    assert_success(&by_file, "related by file");
    let missing = govsearch(&fixture().index)
        .args(["related", "no-such-id"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no article has the id"));
}

#[test]
fn index_synonyms_are_kept_with_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "城乡居民医疗保障工作推进会召开\n2022-06-05 来源:枣庄日报\n会议部署城乡居民基本医疗保险参保缴费工作。\n",
    )
    .unwrap();
    let table = dir.path().join("synonyms.txt");
    std::fs::write(&table, "居民医保缴费 => 基本医疗保险参保缴费\n").unwrap();
    let index = dir.path().join("index");
    let out = govsearch(&index)
        .arg("index")
        .arg(&corpus)
        .arg("--synonyms")
        .arg(&table)
        .output()
        .unwrap();
    assert_success(&out, "index --synonyms");
    assert!(index.join("synonyms.txt").is_file(), "the table is kept with the index");
    let (hits, _) = json_lines(
        &govsearch(&index)
            .args(["search", "居民医保缴费", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(hits.len(), 1, "the index's own entry");
    let (hits, _) = json_lines(&govsearch(&index).args(["search", "医保", "--json"]).output().unwrap());
    assert_eq!(hits.len(), 1, "the shipped table beneath it");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "医保\n").unwrap();
    let out = govsearch(&index)
        .arg("index")
        .arg(&corpus)
        .arg("--synonyms")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

/// Policy documents from the command line: the 有效性 filters, 发文机关 and file kinds, the
/// facets over them, the 文号 as the field searched, and a result line that says a
/// document is out of force.
#[test]
fn policy_documents_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/disclosure");
    let index = dir.path().join("index");
    assert_success(
        &govsearch(&index).arg("index").arg(&fixtures).output().unwrap(),
        "index the documents",
    );
    let titles = |args: &[&str]| -> BTreeSet<String> {
        let out = govsearch(&index)
            .args(["search", "*", "--json"])
            .args(args)
            .output()
            .unwrap();
        let (hits, _) = json_lines(&out);
        hits.iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
    };
    let all = titles(&[]);
    assert_eq!(all.len(), 6);
    let in_force = titles(&["--in-force"]);
    assert_eq!(in_force.len(), 3, "{in_force:?}");
    assert!(!in_force.contains("示例市城市道路挖掘管理办法"), "repealed");
    assert!(!in_force.contains("关于调整城乡居民医疗保险缴费标准的通知"), "expired");
    assert_eq!(
        titles(&["--force", "废止"]),
        BTreeSet::from(["示例市城市道路挖掘管理办法".to_string()])
    );
    assert_eq!(
        titles(&["--force", "expired"]).len(),
        2,
        "失效 as stated, and past its 有效期至"
    );
    assert_eq!(
        titles(&["--issuer", "示例县医疗保障局"]),
        BTreeSet::from(["关于调整城乡居民医疗保险缴费标准的通知".to_string()])
    );
    assert_eq!(titles(&["--kind", "json"]).len(), 1);
    assert_eq!(
        titles(&["--topic", "城乡建设"]),
        BTreeSet::from(["示例镇老旧小区改造实施方案".to_string()])
    );
    let out = govsearch(&index)
        .args(["search", "*", "--force", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not a state"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = govsearch(&index)
        .args(["search", "--in", "doc-number", "示建发2019年第3号", "--json"])
        .output()
        .unwrap();
    let (hits, summary) = json_lines(&out);
    assert_eq!(hits.len(), 1, "{summary}");
    assert_eq!(hits[0]["doc_number"], "示建发[2019]3号");
    assert_eq!(hits[0]["force"], "repealed");
    let force = facet_map(&summary["facets"]["force"]);
    assert_eq!(force, BTreeMap::from([("repealed".to_string(), 1)]));
    let out = govsearch(&index)
        .args(["search", "办法", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("发文机关 示例市住房和城乡建设局") && text.contains("已废止"),
        "{text}"
    );
    let out = govsearch(&index)
        .args(["search", "*", "--facets", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("有效性 force: 有效 (3), 失效 (2), 废止 (1)"), "{text}");
}
