use std::net::{IpAddr, Ipv4Addr};

use super::*;
use crate::error::Error;

fn visitor(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + n))
}

fn found<'a>(query: &'a str, who: u32, articles: usize) -> Searched<'a> {
    Searched {
        query,
        visitor: visitor(who),
        articles,
        searched_as: None,
    }
}

/// A log in `dir` whose day keys (today's and tomorrow's, should the day turn meanwhile) are
/// fixed: a test's few visitors then land on bits of their own, where a new random key makes
/// two of them one bit now and then (an estimate's error, not the log's).
fn log_in(dir: &Path) -> SearchLog {
    let today = crate::dates::today();
    for day in [today, today + chrono::Duration::days(1)] {
        let key = dir.join(format!("{}{}", folder::KEY_PREFIX, day.format("%Y-%m-%d")));
        if !key.exists() {
            std::fs::write(key, [7u8; 16]).unwrap();
        }
    }
    SearchLog::open(dir, None, LogOptions::default()).unwrap()
}

#[test]
fn queries_are_counted_as_the_index_folds_them() {
    assert_eq!(normalise("  乡村振兴  "), "乡村振兴");
    assert_eq!(normalise("ＧＤＰ\u{3000}增長\t"), "gdp 增长");
    assert_eq!(normalise("会见   总统"), "会见 总统");
    assert_eq!(normalise("\u{200B} \u{7}"), "");
}

#[test]
fn a_flood_from_one_address_is_one_visitor() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(dir.path());
    for _ in 0..1000 {
        log.record(&found("人民币", 1, 50));
    }
    for who in 0..5 {
        log.record(&found("乡村振兴", who, 30));
    }
    assert!(
        log.popular(10).iter().all(|p| p.query != "人民币"),
        "one visitor made it popular"
    );
    let popular = log.popular(10);
    assert_eq!(popular.len(), 1);
    assert_eq!((popular[0].query.as_str(), popular[0].visitors), ("乡村振兴", 5));
}

#[test]
fn distinct_visitors_are_estimated_closely() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(dir.path());
    for who in 0..300 {
        log.record(&found("会议", who * 7919, 3));
        log.record(&found("会议", who * 7919, 3));
    }
    log.write().unwrap();
    let report = read_log(dir.path(), Since::Days(1)).unwrap();
    let visitors = report.top[0].visitors as f64;
    assert!(
        (visitors - 300.0).abs() / 300.0 < 0.1,
        "300 visitors estimated as {visitors}"
    );
    assert_eq!(report.top[0].searches, 600);
}

#[test]
fn the_site_hides_what_its_deny_list_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deny.txt"), "# 不在热门搜索里显示\n赌 博\n").unwrap();
    let log = log_in(dir.path());
    for who in 0..4 {
        log.record(&found("网络赌博 举报", who, 12));
        log.record(&found("医保 报销", who, 12));
    }
    let shown: Vec<String> = log.popular(10).into_iter().map(|p| p.query).collect();
    assert_eq!(shown, ["医保 报销"]);
}

#[test]
fn what_found_nothing_is_reported_and_never_popular() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(dir.path());
    for who in 0..4 {
        log.record(&found("薛城区", who, 0));
        log.record(&Searched {
            query: "zhongguo",
            visitor: visitor(who),
            articles: 20,
            searched_as: Some("中国"),
        });
    }
    assert!(log.popular(10).is_empty());
    log.write().unwrap();
    let today = crate::dates::today();
    let report = read_log(dir.path(), Since::Day(today)).unwrap();
    let nothing: Vec<&str> = report.found_nothing.iter().map(|q| q.query.as_str()).collect();
    assert_eq!(nothing, ["薛城区"]);
    assert_eq!(report.rewrites.len(), 1);
    let rewrite = &report.rewrites[0];
    assert_eq!(
        (rewrite.typed.as_str(), rewrite.searched_as.as_str(), rewrite.searches),
        ("zhongguo", "中国", 4)
    );
    assert_eq!(report.days.len(), 1);
    assert_eq!((report.days[0].searches, report.days[0].found_nothing), (8, 4));
}

#[test]
fn a_restart_goes_on_counting_the_same_day_and_visitors() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(dir.path());
    log.record(&found("疫情防控", 1, 9));
    log.record(&found("疫情防控", 2, 9));
    log.write().unwrap();
    drop(log);
    let log = log_in(dir.path());
    log.record(&found("疫情防控", 2, 9));
    log.record(&found("疫情防控", 3, 9));
    log.write().unwrap();
    let today = crate::dates::today();
    let top = &read_log(dir.path(), Since::Day(today)).unwrap().top[0];
    assert_eq!((top.searches, top.visitors), (4, 3));
}

#[test]
fn nothing_written_names_a_visitor() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(dir.path());
    let address = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 77));
    log.record(&Searched {
        query: "公积金",
        visitor: address,
        articles: 3,
        searched_as: None,
    });
    log.write().unwrap();
    let today = crate::dates::today();
    // The next day's first search ends today: its key goes with it.
    log.record_on(today + chrono::Days::new(1), &found("公积金", 1, 3));
    log.write().unwrap();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
        assert!(!text.contains("203.0.113.77"), "{name} names the address");
        let raw = std::fs::read(entry.path()).unwrap();
        assert!(
            !raw.windows(4).any(|w| w == [203, 0, 113, 77]),
            "{name} holds the address"
        );
        names.push(name);
    }
    assert!(
        !names.iter().any(|n| n == &format!("key-{}", today.format("%Y-%m-%d"))),
        "the past day's key was kept: {names:?}"
    );
}

#[test]
fn a_folder_with_other_files_or_inside_the_index_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let err = SearchLog::open(dir.path(), None, LogOptions::default()).err().unwrap();
    assert!(matches!(err, Error::NotALogFolder { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");
    let index = tempfile::tempdir().unwrap();
    let inside = index.path().join("log");
    let err = SearchLog::open(&inside, Some(index.path()), LogOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("inside the index folder"), "{err}");
    let err = SearchLog::open(index.path(), Some(index.path()), LogOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, Error::NotALogFolder { .. }), "{err}");
}

#[test]
fn old_days_go_and_a_damaged_day_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let today = crate::dates::today();
    let old = today - chrono::Days::new(100);
    let recent = today - chrono::Days::new(3);
    let name = |d: NaiveDate| format!("searches-{}.json", d.format("%Y-%m-%d"));
    let mut day = Day::new(old);
    day.count(&found("旧", 1, 1), &[0; 16]);
    let text = serde_json::to_string(&day.to_file()).unwrap();
    std::fs::write(dir.path().join(name(old)), &text).unwrap();
    std::fs::write(
        dir.path().join(name(recent)),
        text.replace(&old.to_string(), &recent.to_string()),
    )
    .unwrap();
    std::fs::write(dir.path().join(name(today)), "{\"format\":1,\"day\":").unwrap();
    let log = log_in(dir.path());
    assert!(
        !dir.path().join(name(old)).exists(),
        "a day past the retention was kept"
    );
    assert!(dir.path().join(name(recent)).exists());
    assert!(dir.path().join(format!("{}.damaged", name(today))).exists());
    assert_eq!(log.take_notes().len(), 1);
    let report = read_log(dir.path(), Since::Day(old)).unwrap();
    assert_eq!(report.days.len(), 1);
    assert_eq!(report.unreadable, [today], "the day set aside is said");
    assert_eq!(report.top[0].query, "旧");
}

#[test]
fn a_day_lists_a_bounded_number_of_queries() {
    let mut day = Day::new(crate::dates::today());
    let long = "很".repeat(MAX_QUERY_CHARS + 1);
    day.count(&found(&long, 1, 1), &[0; 16]);
    for n in 0..MAX_QUERIES_PER_DAY + 10 {
        day.count(&found(&format!("q{n}"), 1, 1), &[0; 16]);
    }
    day.count(&found("q0", 2, 1), &[0; 16]);
    assert_eq!(day.queries.len(), MAX_QUERIES_PER_DAY);
    assert_eq!(day.unlisted, 11);
    assert_eq!(day.searches, MAX_QUERIES_PER_DAY as u64 + 12);
    assert_eq!(day.queries["q0"].searches, 2);
}

#[test]
fn completions_are_popular_queries_with_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(dir.path());
    for who in 0..3 {
        log.record(&found("医保报销 流程", who, 5));
        log.record(&found("医保", who, 50));
    }
    let completed: Vec<String> = log.completions("医保", 5).into_iter().map(|p| p.query).collect();
    assert_eq!(completed, ["医保报销 流程"]);
    assert!(log.completions("", 5).is_empty());
}
