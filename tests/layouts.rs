//! Real corpora as they come: a fixture folder with a file of each layout and encoding and
//! each kind of failure, indexed through the library; then incremental runs (add, change,
//! delete) and a run killed mid-way and resumed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use govsearch::{Index, IndexOptions, Layout, Outcome, SearchRequest};

mod common;
use common::copy_dir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts")
}

/// Indexes `dir` into `index`, returning each file's outcome by file name.
fn index_outcomes(index: &Index, dir: &Path) -> (govsearch::IndexSummary, BTreeMap<String, Outcome>) {
    let mut outcomes = BTreeMap::new();
    let summary = index
        .index_folder(dir, |p| {
            let name = p.file.path.file_name().unwrap().to_string_lossy().into_owned();
            outcomes.insert(name, p.file.outcome.clone());
        })
        .unwrap();
    (summary, outcomes)
}

fn only(index: &Index, query: &str) -> govsearch::Hit {
    let results = index.search(&SearchRequest::new(query)).unwrap();
    assert_eq!(results.total, 1, "{query}: {:#?}", results.hits);
    results.hits.into_iter().next().unwrap()
}

#[test]
fn every_layout_and_every_failure_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&fixtures(), &corpus);
    // A sparse file over the size limit costs no disk.
    let huge = std::fs::File::create(corpus.join("huge.txt")).unwrap();
    huge.set_len((64 << 20) + 1).unwrap();
    drop(huge);

    let index = Index::create_in_ram();
    let (summary, outcomes) = index_outcomes(&index, &corpus);

    let skipped: BTreeMap<&str, &str> = outcomes
        .iter()
        .filter_map(|(name, o)| match o {
            Outcome::Skipped { reason } => Some((name.as_str(), reason.as_str())),
            _ => None,
        })
        .collect();
    let expect_skipped = [
        ("binary.txt", "binary file"),
        ("broken.json", "invalid JSON"),
        ("empty.txt", "empty file"),
        ("huge.txt", "too large"),
        ("latin1.txt", "cannot be decoded"),
        ("notes.md", "not an article file"),
        ("title_only.txt", "no article body"),
    ];
    assert_eq!(skipped.len(), expect_skipped.len(), "{skipped:#?}");
    for (name, reason) in expect_skipped {
        let got = skipped
            .get(name)
            .unwrap_or_else(|| panic!("{name} not skipped: {outcomes:#?}"));
        assert!(got.contains(reason), "{name}: {got:?} should say {reason:?}");
    }

    let indexed: BTreeMap<&str, (Layout, &str, usize)> = outcomes
        .iter()
        .filter_map(|(name, o)| match o {
            Outcome::Indexed {
                layout,
                encoding,
                articles,
                ..
            } => Some((name.as_str(), (*layout, encoding.as_str(), *articles))),
            _ => None,
        })
        .collect();
    let expect_indexed = [
        ("2016-05-10.txt", (Layout::Text, "UTF-8", 1)),
        ("daily.json", (Layout::Json, "UTF-8", 1)),
        ("dump.dat", (Layout::Xml, "GB18030", 1)),
        ("header_block.txt", (Layout::Text, "UTF-8", 1)),
        ("notices.json", (Layout::Json, "UTF-8", 1)),
        ("page.html", (Layout::Html, "UTF-8", 1)),
        ("page_gbk.html", (Layout::Html, "GB18030", 1)),
        ("records.jsonl", (Layout::Json, "UTF-8", 2)),
        ("release.txt", (Layout::Text, "UTF-8", 1)),
        ("release_gbk.txt", (Layout::Text, "GB18030", 1)),
    ];
    assert_eq!(indexed, BTreeMap::from(expect_indexed));
    assert_eq!(
        summary.files_seen,
        summary.files_indexed + summary.files_unchanged + summary.skipped.len(),
        "the counts add up to the files seen"
    );
    assert_eq!(summary.files_seen, expect_indexed.len() + expect_skipped.len());
    assert_eq!(summary.articles_indexed, 11);
    assert_eq!(index.num_articles(), 11);
    let record_warnings: Vec<&str> = summary.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        record_warnings.contains(&"skipped record 2: no body"),
        "{record_warnings:?}"
    );

    // Every extracted field, through search.
    let release = only(&index, "秋粮收购");
    assert_eq!(release.meta.source.as_deref(), Some("峄城区融媒体中心"));
    assert_eq!(release.meta.editor.as_deref(), Some("王芳"));
    assert_eq!(release.meta.keywords, ["秋粮收购", "粮食安全"]);
    assert_eq!(
        release.meta.published.unwrap().to_rfc3339(),
        "2023-10-09T09:30:00+08:00"
    );

    let header = only(&index, "古城 消防演练");
    assert_eq!(header.meta.source.as_deref(), Some("台儿庄区应急管理局"));
    assert_eq!(header.meta.column.as_deref(), Some("工作动态"));
    assert_eq!(header.meta.doc_number.as_deref(), Some("台政办发〔2024〕3号"));
    assert_eq!(
        header.meta.url.as_deref(),
        Some("https://www.example.gov.cn/gzdt/202403/t20240312_1.htm")
    );
    assert_eq!(header.meta.published.unwrap().to_rfc3339(), "2024-03-12T15:20:00+08:00");

    let qa = only(&index, "外交部发言人");
    assert_eq!(qa.meta.source.as_deref(), Some("国务院新闻办公室网站"));
    assert_eq!(
        qa.meta.published.unwrap().to_rfc3339(),
        "2016-05-10T00:00:00+08:00",
        "date from the file name"
    );

    let page = only(&index, "国民经济和社会发展统计公报");
    assert_eq!(page.title, "峄城区2022年国民经济和社会发展统计公报");
    assert_eq!(page.meta.source.as_deref(), Some("峄城区统计局"));
    assert_eq!(page.meta.editor.as_deref(), Some("李明"));
    assert_eq!(page.meta.column.as_deref(), Some("统计公报"));
    assert_eq!(page.meta.site.as_deref(), Some("峄城区人民政府"));
    assert_eq!(page.meta.keywords, ["统计公报", "国民经济"]);
    assert_eq!(
        page.meta.url.as_deref(),
        Some("http://www.example.gov.cn/tjgb/202305/page.shtml")
    );
    let chrome = index.search(&SearchRequest::new("\"政务公开\"")).unwrap();
    assert_eq!(chrome.total, 0, "menus, scripts and footers are not article text");

    assert_eq!(
        only(&index, "安全生产大检查").meta.source.as_deref(),
        Some("薛城区应急管理局")
    );
    assert_eq!(only(&index, "乡村旅游季").meta.keywords, ["乡村旅游"]);

    let jsonl = only(&index, "招商引资推进会");
    assert_eq!(jsonl.record, Some(1));
    assert_eq!(jsonl.meta.keywords, ["招商引资", "重点项目"]);
    let nested = only(&index, "防汛预警");
    assert_eq!(nested.record, Some(3), "records keep their place in the file");
    assert_eq!(nested.meta.source.as_deref(), Some("枣庄市人民政府网站"));
    assert_eq!(
        only(&index, "集中参保").meta.source.as_deref(),
        Some("峄城区医疗保障局"),
        "zero-width space removed"
    );
    assert_eq!(only(&index, "新闻联播摘要").meta.source.as_deref(), Some("央视网"));
    let dump = only(&index, "销毁非法枪支");
    assert_eq!(dump.meta.url.as_deref(), Some("http://news.example.com/1.shtml"));
}

#[test]
fn incremental_runs_add_change_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let write = |name: &str, title: &str| {
        std::fs::write(
            corpus.join(name),
            format!("{title}\n2023-01-01 来源:县融媒体中心\n{title}的正文。\n"),
        )
        .unwrap();
    };
    write("a.txt", "甲文章");
    write("b.txt", "乙文章");
    let index = Index::open_or_create(dir.path().join("index")).unwrap();
    let (first, _) = index_outcomes(&index, &corpus);
    assert_eq!((first.files_indexed, first.files_unchanged), (2, 0));

    // Change b (size changes too), add c, delete a.
    write("b.txt", "乙文章修订版");
    write("c.txt", "丙文章");
    std::fs::remove_file(corpus.join("a.txt")).unwrap();
    let (second, outcomes) = index_outcomes(&index, &corpus);
    assert_eq!(
        (second.files_indexed, second.files_unchanged, second.files_removed),
        (2, 0, 1),
        "{outcomes:#?}"
    );
    assert_eq!(index.num_articles(), 2);
    assert_eq!(index.search(&SearchRequest::new("甲文章")).unwrap().total, 0);
    assert_eq!(only(&index, "修订版").title, "乙文章修订版");

    let (third, outcomes) = index_outcomes(&index, &corpus);
    assert_eq!((third.files_indexed, third.files_unchanged), (0, 2), "{outcomes:#?}");
    assert!(matches!(outcomes["b.txt"], Outcome::Unchanged));
    assert_eq!(index.num_articles(), 2);

    // Another folder in the same index is left alone.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("d.txt"), "丁文章\n丁文章的正文。\n").unwrap();
    index_outcomes(&index, &other);
    let (_, _) = index_outcomes(&index, &corpus);
    assert_eq!(index.num_articles(), 3);
}

#[test]
fn a_killed_run_leaves_a_searchable_index_and_the_next_run_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    const FILES: usize = 1500;
    for i in 0..FILES {
        let text = format!("第{i}号通知\n2023-01-01 来源:县政府网站\n这是第{i}号通知的正文，编号{i}。\n");
        std::fs::write(corpus.join(format!("{i:05}.txt")), text).unwrap();
    }
    let location = dir.path().join("index");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_govsearch"))
            .env_remove("GOVSEARCH_INDEX")
            .arg("--index")
            .arg(&location)
            .args(["index", "--commit-every", "100"])
            .arg(&corpus)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut child = run();
    // Kill it (SIGKILL) as soon as a commit with articles is on disk, before it can finish.
    let committed = || Index::open(&location).map_or(0, |i| i.num_articles());
    let started = std::time::Instant::now();
    while committed() == 0 && started.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let after_kill = Index::open(&location).expect("the last commit opens").num_articles();
    eprintln!("killed with {after_kill} of {FILES} articles committed");
    assert!(after_kill > 0 && after_kill as usize <= FILES);
    let total = |index: &Index| index.search(&SearchRequest::new("\"通知\"").limit(0)).unwrap().total;

    let status = run().wait().unwrap();
    assert!(status.success());
    let index = Index::open(&location).unwrap();
    assert_eq!(index.num_articles() as usize, FILES, "no losses, no duplicates");
    assert_eq!(total(&index), FILES);
    assert_eq!(index.search(&SearchRequest::new("\"编号777。\"")).unwrap().total, 1);
}

#[test]
fn a_second_writer_is_told_the_index_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), "标题\n正文。\n").unwrap();
    let first = Index::open_or_create(dir.path().join("index")).unwrap();
    let second = Index::open(dir.path().join("index")).unwrap();
    let options = IndexOptions::default();
    let (first, options, corpus_ref) = (&first, &options, &corpus);
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // The first run holds the writer while it reports progress.
            first
                .index_folder_with(corpus_ref, options, |_| {
                    tx.send(()).unwrap();
                    done_rx.recv().unwrap();
                })
                .unwrap();
        });
        rx.recv().unwrap();
        let err = second.index_folder(&corpus, |_| {}).unwrap_err();
        assert!(err.to_string().contains("busy"), "{err}");
        assert_eq!(
            second.search(&SearchRequest::new("正文")).unwrap().total,
            0,
            "searching still works"
        );
        done_tx.send(()).unwrap();
    });
}
