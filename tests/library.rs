//! The library as an embedding tool uses it: the seed article parsed field by field (golden),
//! and an index on disk built from a folder, reopened and searched.

use std::path::Path;

use govsearch::{parse_article, DateRange, Index, SearchRequest, Sort};

mod common;

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))
}

#[test]
fn seed_article_golden() {
    let text = std::fs::read_to_string(corpus().join("000_e01ca59eb94a4339.txt")).unwrap();
    let article = parse_article(&text).unwrap();
    assert_eq!(
        article.title,
        "枣庄市峄城区召开思想能力作风问题曝光暨“满意峄城”创建新闻发布会"
    );
    assert_eq!(
        article.meta.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2022-05-10T12:36:57+08:00"),
        "the header date is China time"
    );
    assert_eq!(article.meta.source.as_deref(), Some("鲁网"));
    assert_eq!(article.meta.editor.as_deref(), Some("杜伟"));
    assert_eq!(article.meta.keywords, ["枣庄市峄城区"]);
    let golden = include_str!("golden/seed_body.txt");
    assert!(
        article.body == golden,
        "the seed body changed: toolbar, editor or keyword lines leaked in, or a paragraph was lost.\n\
         expected {} paragraphs, got {}; first differing paragraph: {:?}",
        golden.lines().count(),
        article.body.lines().count(),
        article.body.lines().zip(golden.lines()).find(|(a, b)| a != b)
    );
    for furniture in ["大字体", "扫码带走", "打印", "责任编辑", "新闻关键词"] {
        assert!(!article.body.contains(furniture), "{furniture} in the body");
    }
}

#[test]
fn index_a_folder_reopen_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let location = dir.path().join("index");
    {
        let index = Index::open_or_create(&location).unwrap();
        let mut calls = 0;
        let summary = index.index_folder(corpus(), |_| calls += 1).unwrap();
        assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
        assert_eq!(calls, summary.files_seen);
        assert_eq!(summary.articles_in_index, summary.articles_indexed as u64);
    }
    let index = Index::open(&location).unwrap();
    let may_2022 = DateRange::parse("2022-05").unwrap();
    let request = SearchRequest::new("满意峄城")
        .since(may_2022.start)
        .until(may_2022.end)
        .sort(Sort::Date);
    let results = index.search(&request).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(results.hits[0].meta.source.as_deref(), Some("鲁网"));
    assert_eq!(results.facets.month[0].value, "2022-05");
    let json = serde_json::to_string(&results).unwrap();
    let back: govsearch::SearchResults = serde_json::from_str(&json).unwrap();
    assert_eq!(back, results, "results round-trip through serde");
}

#[test]
fn opening_a_missing_index_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Index::open(dir.path().join("none")).expect_err("no index there");
    assert!(err.to_string().starts_with("no index at"), "{err}");
}

#[test]
fn a_file_over_its_read_budget_is_skipped_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("releases");
    std::fs::create_dir_all(&folder).unwrap();
    // A page large enough to take more than a microsecond to read.
    let page = format!(
        "<html><head><meta name=\"ArticleTitle\" content=\"标题\"></head><body><div id=\"zoom\">{}</div></body></html>",
        "<p>峄城区召开会议，部署工作。</p>".repeat(20_000)
    );
    std::fs::write(folder.join("slow.html"), page).unwrap();
    std::fs::write(
        folder.join("next.txt"),
        "峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。\n",
    )
    .unwrap();
    let index = Index::open_or_create(dir.path().join("index")).unwrap();
    let hurried = govsearch::IndexOptions {
        read_budget: std::time::Duration::from_micros(1),
        ..govsearch::IndexOptions::default()
    };
    let summary = index.index_folder_with(&folder, &hurried, |_| {}).unwrap();
    let slow = summary
        .skipped
        .iter()
        .find(|s| s.path.ends_with("slow.html"))
        .expect("skipped");
    assert!(slow.reason.contains("took over"), "{}", slow.reason);
    assert_eq!(summary.files_seen, 2, "the run went on past it");
    let patient = index.index_folder(&folder, |_| {}).unwrap();
    assert_eq!(
        patient.files_indexed + patient.files_unchanged,
        2,
        "{:?}",
        patient.skipped
    );
}

/// Copies an index fixture to a temporary folder: opening takes lock files in the folder.
fn copy_of(fixture: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture).unwrap() {
        let entry = entry.unwrap();
        if !entry.file_name().to_string_lossy().starts_with(".tantivy") {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// Indexes of the formats before (`tests/fixtures/index-format-N`, N below the current
/// format) are refused with the "index again" message naming their format, never read wrongly
/// or called damaged.
#[test]
fn an_index_of_an_earlier_format_is_refused_with_index_again() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut refused = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(format) = name.strip_prefix("index-format-").and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if format == CURRENT_FORMAT {
            continue;
        }
        let dir = copy_of(&fixtures.join(&name));
        let err = Index::open(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("another version of govsearch") && err.contains("index again"),
            "{name}: {err}"
        );
        assert!(err.contains(&format!("index format {format}")), "{name}: {err}");
        refused += 1;
    }
    assert!(refused >= 2, "the fixtures of the formats before are there");
}

/// The format this build writes: its fixture is `tests/fixtures/index-format-6`.
const CURRENT_FORMAT: u32 = 6;

/// The index a build of this format wrote (`tests/fixtures/index-format-6`, three releases of the
/// sample corpus), read by this build: a change to the format that would make old indexes
/// read wrongly fails here, and must either keep reading them or refuse them with the
/// "index again" message (then this fixture joins the refused ones above and a new one is
/// written). `GOVSEARCH_BLESS=1` writes the fixture again.
#[test]
fn an_index_of_this_format_written_before_is_read_alike() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/index-format-{CURRENT_FORMAT}"));
    let texts = ["000_e01ca59eb94a4339.txt", "2022/0315.txt", "2024/0920.txt"];
    if std::env::var_os("GOVSEARCH_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&fixture);
        let index = Index::open_or_create(&fixture).unwrap();
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let articles = texts.iter().map(|name| {
            let text = std::fs::read_to_string(corpus.join(name)).unwrap();
            (name.to_string(), parse_article(&text).unwrap())
        });
        index.add_articles(articles).unwrap();
    }
    let dir = copy_of(&fixture);
    let index = Index::open(dir.path()).unwrap();
    assert_eq!(index.num_articles(), 3);
    assert!(index.check().unwrap().is_whole());
    let found = index.search(&SearchRequest::new("\"满意峄城\"")).unwrap();
    assert_eq!(
        found.hits.iter().map(|h| h.path.as_str()).collect::<Vec<_>>(),
        [texts[0]]
    );
    let sorted = index.search(&SearchRequest::new("峄城").sort(Sort::Date)).unwrap();
    let paths: Vec<&str> = sorted.hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths, [texts[2], texts[0], texts[1]]);
    assert_eq!(sorted.facets.source.len(), 2, "鲁网 and 峄城区融媒体中心");
}

/// Every article's id, by its path as shown.
fn ids(index: &Index) -> std::collections::BTreeMap<String, String> {
    let all = index
        .search(&SearchRequest::new("*").limit(1000).all_copies(true))
        .unwrap();
    all.hits.into_iter().map(|hit| (hit.path, hit.id)).collect()
}

/// A shared link lasts: an article's id stays the same while the article stays in its place
/// (its file touched, rewritten with the same text or with new text, its folder moved and
/// indexed again, the index repaired), an id of the earlier kind still leads to its article,
/// and no id tells the folder's or the index's path.
#[test]
fn links_to_articles_last_while_they_stay_in_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("old").join("site");
    std::fs::create_dir_all(site.join("2022")).unwrap();
    let release = |title: &str| format!("{title}\n2022-05-10 来源:鲁网\n{title}的正文。\n");
    std::fs::write(site.join("2022/0101.txt"), release("峄城区召开会议")).unwrap();
    std::fs::write(site.join("2022/0102.txt"), release("峄城区石榴节开幕")).unwrap();
    let at = dir.path().join("index");
    let index = Index::open_or_create(&at).unwrap();
    index.index_folder(&site, |_| {}).unwrap();
    let by_title = |index: &Index| -> Vec<(String, String)> {
        let all = index.search(&SearchRequest::new("*").limit(10)).unwrap();
        let mut pairs: Vec<(String, String)> = all.hits.into_iter().map(|h| (h.id, h.title)).collect();
        pairs.sort();
        pairs
    };
    let first = by_title(&index);
    assert_eq!(first.len(), 2);
    for (id, _) in &first {
        let root = dir.path().to_string_lossy().into_owned();
        assert!(!id.contains('.') && !id.contains(&root), "{id}");
        use base64::Engine;
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id)
            .unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&decoded).contains("site"),
            "an id is no path: {id}"
        );
    }

    // Touched (a crawler fetched it again), and rewritten with the same text.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(site.join("2022/0101.txt"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    std::fs::write(site.join("2022/0102.txt"), release("峄城区石榴节开幕")).unwrap();
    let again = index.index_folder(&site, |_| {}).unwrap();
    assert_eq!(again.files_indexed, 2, "both files were read again");
    assert_eq!(by_title(&index), first);

    // New text in the same place: the old link leads to the article as it is now.
    std::fs::write(site.join("2022/0102.txt"), release("峄城区石榴节闭幕")).unwrap();
    index.index_folder(&site, |_| {}).unwrap();
    let changed = &first.iter().find(|(_, title)| title == "峄城区石榴节开幕").unwrap().0;
    assert_eq!(index.article(changed, None).unwrap().unwrap().title, "峄城区石榴节闭幕");

    // The folder moved and indexed at its new place: recognised as moved, its articles moved
    // over, nothing left at the old place.
    let moved = dir.path().join("new").join("site");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&site, &moved).unwrap();
    let summary = index.index_folder(&moved, |_| {}).unwrap();
    assert_eq!(summary.moved_from.len(), 1);
    assert!(index.remove_folder(&site).is_err(), "nothing is left of the old place");
    let now = by_title(&index);
    assert_eq!(now.len(), 2);
    assert_eq!(
        now.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        first.iter().map(|(id, _)| id).collect::<Vec<_>>()
    );
    assert_eq!(ids(&index).len(), 2);

    // A repair that drops a segment indexes its files again under the same ids.
    drop(index);
    let store = std::fs::read_dir(&at)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .unwrap();
    let mut bytes = std::fs::read(&store).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5A;
    std::fs::write(&store, bytes).unwrap();
    let repaired = Index::repair(&at).unwrap();
    assert!(!repaired.dropped.is_empty(), "the damaged segment was dropped");
    let index = Index::open(&at).unwrap();
    assert_eq!(
        by_title(&index).iter().map(|(id, _)| id).collect::<Vec<_>>(),
        first.iter().map(|(id, _)| id).collect::<Vec<_>>()
    );

    // An id of the earlier kind: the file's path, its record and its time then.
    use base64::Engine;
    let path = std::fs::canonicalize(moved.join("2022/0101.txt")).unwrap();
    let earlier = format!(
        "{}.0.{:x}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(path.to_string_lossy().as_bytes()),
        12345
    );
    assert_eq!(index.article(&earlier, None).unwrap().unwrap().title, "峄城区召开会议");
}

/// The library's errors work with `?` in a program's own error type: reading a file gives the
/// library's error, and a text that is not an article an error of its own.
#[test]
fn the_librarys_errors_are_errors() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let err = govsearch::read_file(dir.path(), &govsearch::ReadOptions::default()).unwrap_err();
    assert!(matches!(err, govsearch::Error::NotRead { .. }), "{err}");
    assert!(err.to_string().contains("a folder, not a file"), "{err}");
    let not_one: Box<dyn std::error::Error> = Box::new(parse_article("   ").unwrap_err());
    assert!(!not_one.to_string().is_empty());
    let article = parse_article("峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。\n")?;
    assert_eq!(article.title, "峄城区召开会议");
    Ok(())
}

/// A release deleted from the folder and indexed away is gone from every answer: searches,
/// suggestions, the closest values of a filter, related articles and the facets, though its
/// segment still holds it until a merge.
#[test]
fn a_withdrawn_release_is_gone_from_every_answer() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("site");
    common::copy_dir(corpus(), &folder);
    let index = Index::open_or_create(dir.path().join("index")).unwrap();
    index.index_folder(&folder, |_| {}).unwrap();
    // The article whose source no other article has.
    let everything = index.search(&SearchRequest::new("*").limit(100)).unwrap();
    let sole = everything
        .facets
        .source
        .iter()
        .find(|value| value.count == 1)
        .expect("a source of one article")
        .value
        .clone();
    let hits = index.search(&SearchRequest::new("*").source(&sole)).unwrap().hits;
    let withdrawn = &hits[0];
    let prefix: String = sole.chars().take(2).collect();
    let suggested = |index: &Index| -> Vec<String> {
        index
            .suggest(&prefix, 20)
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect()
    };
    assert!(suggested(&index).contains(&sole), "{:?}", suggested(&index));
    std::fs::remove_file(&withdrawn.path).unwrap();
    index.index_folder(&folder, |_| {}).unwrap();

    assert!(!suggested(&index).contains(&sole), "{:?}", suggested(&index));
    let shorter: String = sole.chars().take(sole.chars().count() - 1).collect();
    let filtered = index.search(&SearchRequest::new("*").source(&shorter)).unwrap();
    assert_eq!(filtered.total, 0);
    for unmatched in &filtered.unmatched_filters {
        assert!(!unmatched.closest.contains(&sole), "{unmatched:?}");
    }
    let after = index.search(&SearchRequest::new("*").limit(100)).unwrap();
    assert_eq!(after.total, everything.total - 1);
    assert!(after.facets.source.iter().all(|value| value.value != sole));
    assert!(after.hits.iter().all(|hit| hit.id != withdrawn.id));
    for hit in &after.hits {
        for related in index.related(&hit.id, 10).unwrap().unwrap() {
            assert_ne!(related.id, withdrawn.id);
        }
    }
    assert!(index.article(&withdrawn.id, None).unwrap().is_none());
}

/// A suggestion says as many articles as a search for it finds.
#[test]
fn suggestions_count_what_a_search_finds() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open_or_create(dir.path().join("index")).unwrap();
    index.index_folder(corpus(), |_| {}).unwrap();
    for prefix in ["峄城", "乡村", "枣庄", "yc"] {
        let suggestions = index.suggest(prefix, 10).unwrap();
        assert!(!suggestions.is_empty(), "{prefix}");
        for suggestion in suggestions {
            let found = index
                .search(&SearchRequest::new(suggestion.text.as_str()).as_typed(true))
                .unwrap();
            assert_eq!(suggestion.articles, found.total as u64, "{prefix}: {}", suggestion.text);
        }
    }
}
