//! Finding what people meant, through the library: pinyin, typos, everyday words, suggestions,
//! related articles and reprints shown once.

use govsearch::{parse_article, Article, Index, RewriteReason, SearchRequest};

/// A release: a title, a date, a source and a body of full sentences.
fn release(title: &str, day: u32, source: &str, body: &str) -> Article {
    parse_article(&format!("{title}\n2023-05-{day:02} 10:00 来源:{source}\n{body}\n")).expect("a release")
}

const REVIVAL: &str = "全县持续推进乡村振兴，围绕产业发展、人才引进和基础设施建设三个方面出台具体措施，\
    新建高标准农田一万亩，培育农民专业合作社二十家，带动农户增收致富，乡村面貌焕然一新。";
const BUSINESS: &str = "我市持续优化营商环境，深化放管服改革，推进政务服务一网通办，\
    企业开办时间压缩到一个工作日以内，全年新登记市场主体同比增长百分之十二。";
const EPIDEMIC: &str = "全市各级各部门毫不放松抓好疫情防控，加强重点场所管理，\
    落实常态化防控措施，保障人民群众生命安全和身体健康，经济社会秩序平稳有序。";
const INSURANCE: &str = "市人社局发布通知，城乡居民社会保险缴费标准调整，参保群众可通过线上线下多种渠道缴费，\
    社区工作人员上门服务，帮助老年人完成缴费手续，确保应保尽保。";
const CHONGQING: &str = "重庆市召开新闻发布会，介绍长江经济带绿色发展成效，\
    沿江城市加强生态保护修复，推动产业转型升级，长江水质持续向好。";

/// A release tagged with a keyword, as releases with a 新闻关键词 line are.
fn tagged(title: &str, day: u32, keyword: &str, body: &str) -> Article {
    parse_article(&format!(
        "{title}\n2023-05-{day:02} 10:00 来源:县政府\n{body}\n新闻关键词:{keyword}\n"
    ))
    .expect("a release")
}

/// An index of a few dozen releases: each subject several times, so the vocabulary knows its
/// terms, and other subjects besides.
fn index() -> Index {
    let index = Index::create_in_ram();
    let mut articles = Vec::new();
    let subjects: [(&str, &str, &str); 5] = [
        ("推进乡村振兴", "乡村振兴", REVIVAL),
        ("优化营商环境", "营商环境", BUSINESS),
        ("抓好疫情防控", "疫情防控", EPIDEMIC),
        ("社会保险缴费", "社会保险", INSURANCE),
        ("重庆长江绿色发展", "长江经济带", CHONGQING),
    ];
    for (n, (title, keyword, body)) in subjects.iter().enumerate() {
        for k in 0..6 {
            // Each copy differs in its opening clause: distinct releases, not reprints.
            let body = format!(
                "第{}期：{}{}",
                k + 1,
                ["春季", "夏季", "秋季", "冬季", "年初", "年末"][k],
                body
            );
            let body = body.replace("全", ["全", "本", "该", "我", "各", "此"][k]);
            let key = format!("{n}-{k}");
            let title = format!("{title}工作会议第{}次", k + 1);
            articles.push((key, tagged(&title, (k + 1) as u32, keyword, &body)));
        }
    }
    index.add_articles(articles).unwrap();
    index
}

#[test]
fn pinyin_is_read_as_the_terms_it_stands_for() {
    let index = index();
    for typed in [
        "xiangcunzhenxing",
        "xiang cun zhen xing",
        "xiāng cūn zhèn xīng",
        "xczx",
        "乡村zhenxing",
    ] {
        let results = index.search(&SearchRequest::new(typed)).unwrap();
        let rewrite = results
            .searched_as
            .as_ref()
            .unwrap_or_else(|| panic!("{typed}: {results:?}"));
        assert_eq!(rewrite.query, "乡村振兴", "{typed}");
        assert_eq!(rewrite.reason, RewriteReason::Pinyin);
        assert!(
            results.total > 0 && results.hits[0].title.contains("乡村振兴"),
            "{typed}"
        );
    }
    // A heteronym read right, and the query as typed one option away.
    let results = index.search(&SearchRequest::new("chongqing")).unwrap();
    assert_eq!(results.searched_as.map(|r| r.query).as_deref(), Some("重庆"));
    let typed = index.search(&SearchRequest::new("chongqing").as_typed(true)).unwrap();
    assert_eq!((typed.total, typed.searched_as), (0, None));
    // A document number and an acronym are not pinyin.
    for code in ["GB/T 20984", "GDP"] {
        assert_eq!(
            index.search(&SearchRequest::new(code)).unwrap().searched_as,
            None,
            "{code}"
        );
    }
}

/// Two letters are as likely an abbreviation or a word of English (`my`) as initials: the
/// term they read as is offered, never searched; longer initials and full pinyin are.
#[test]
fn two_letters_are_offered_at_most() {
    let index = index();
    let results = index.search(&SearchRequest::new("yh")).unwrap();
    assert_eq!(results.searched_as, None);
    assert_eq!(results.did_you_mean.map(|r| r.query).as_deref(), Some("优化"));
    for typed in ["yhys", "youhua"] {
        let results = index.search(&SearchRequest::new(typed)).unwrap();
        assert!(results.searched_as.is_some(), "{typed}: {results:?}");
    }
}

/// Of two terms that read alike, the one written in more articles is searched, though the
/// other is in more titles (the vocabulary's count); an apostrophe marks a syllable's end;
/// an English word is not read as characters one by one.
#[test]
fn pinyin_homophones_are_chosen_by_the_articles_that_have_them() {
    let index = Index::create_in_ram();
    let mut articles = Vec::new();
    for k in 0..3u32 {
        let body = format!("约旦河西岸第{k}次发生冲突，当地局势紧张，多方呼吁保持克制，避免局势进一步升级。");
        articles.push((
            format!("bank-{k}"),
            release("约旦河西岸局势紧张", k + 1, "央视网", &body),
        ));
    }
    for k in 0..6u32 {
        let body = format!("西安第{k}场古城文旅活动开幕，游客在西安城墙和大雁塔前打卡，本地文旅消费持续回暖。");
        let title = if k == 0 {
            "西安古城文旅活动开幕"
        } else {
            "古城文旅活动开幕"
        };
        articles.push((format!("city-{k}"), release(title, k + 10, "央视网", &body)));
    }
    // 盘 and 大 are terms (keywords), and 盘大 is written: before, `panda` was 盘 + 大.
    articles.push(("pan".to_string(), tagged("年底盘点", 20, "盘", "年底盘大账，算细账。")));
    articles.push(("da".to_string(), tagged("大会召开", 21, "大", "大会召开。")));
    index.add_articles(articles).unwrap();
    for typed in ["xi'an", "xi an", "xī'ān"] {
        let results = index.search(&SearchRequest::new(typed)).unwrap();
        assert_eq!(
            results.searched_as.map(|r| r.query).as_deref(),
            Some("西安"),
            "{typed}: 西安 is in 6 articles, 西岸 in 3 (but in three titles to one)"
        );
    }
    let panda = index.search(&SearchRequest::new("panda")).unwrap();
    assert_eq!(
        (panda.searched_as, panda.did_you_mean),
        (None, None),
        "panda is English"
    );
}

/// Releases for the homophones of `huawei` and `jinan`: 化为 and 急难 in more titles than 华为
/// and 济南 (the vocabulary's reading), 化为 written mostly inside 转化为, and 济南 in
/// `jinan` articles (one title).
fn homophones(jinan: u32) -> Index {
    let index = Index::create_in_ram();
    let mut articles = Vec::new();
    let mut add = |name: String, title: &str, day: u32, body: &str| {
        articles.push((name, release(title, day, "央视网", body)));
    };
    for k in 0..2 {
        add(format!("spirit-{k}"), "精神化为动力", k + 1, "会议精神得到传达。");
        add(
            format!("needs-{k}"),
            "急难愁盼问题得到解决",
            k + 3,
            "群众反映的问题得到解决。",
        );
    }
    add("brand-title".into(), "华为发布新品", 5, "新品发布。");
    for k in 0..12 {
        add(
            format!("turn-{k}"),
            "科技成果",
            k + 6,
            &format!("第{k}批科技成果转化为现实生产力。"),
        );
        add(
            format!("urgent-{k}"),
            "民生实事",
            k + 6,
            &format!("第{k}批群众急难愁盼问题得到解决。"),
        );
    }
    for k in 0..10 {
        add(
            format!("brand-{k}"),
            "企业动态",
            k + 6,
            &format!("华为公司第{k}次发布年度报告。"),
        );
    }
    for k in 0..jinan {
        let title = if k == 0 {
            "济南泉水节开幕"
        } else {
            "城市动态"
        };
        add(format!("city-{k}"), title, k + 1, &format!("济南市第{k}次举办泉水节。"));
    }
    index.add_articles(articles).unwrap();
    index
}

/// Letters name what a user means by them: a reading the articles write mostly inside
/// other words (化为 in 转化为) gives way to a homophone written as a word of its own (华为),
/// and a reading that is no name to a name written in as many articles, within the margin
/// (济南 for `jinan`, not 急难), but not to one written in far fewer.
#[test]
fn pinyin_is_read_as_a_word_or_a_name_before_a_piece_of_words() {
    let read = |index: &Index, typed: &str| {
        let results = index.search(&SearchRequest::new(typed)).unwrap();
        results.searched_as.map(|r| r.query)
    };
    let index = homophones(10);
    assert_eq!(read(&index, "huawei").as_deref(), Some("华为"));
    assert_eq!(read(&index, "jinan").as_deref(), Some("济南"));
    let few = homophones(4);
    assert_eq!(
        read(&few, "jinan").as_deref(),
        Some("急难"),
        "济南 in 4 articles, 急难 in 14"
    );
}

#[test]
fn typos_are_corrected_and_correct_queries_never_are() {
    let index = index();
    for (typo, meant) in [
        ("营商环竟", "营商环境"),
        ("疫请防控", "疫情防控"),
        ("乡村振心", "乡村振兴"),
    ] {
        let results = index.search(&SearchRequest::new(typo)).unwrap();
        let rewrite = results.searched_as.or(results.did_you_mean);
        assert_eq!(rewrite.as_ref().map(|r| r.query.as_str()), Some(meant), "{typo}");
        assert_eq!(rewrite.map(|r| r.reason), Some(RewriteReason::Typo));
    }
    for right in ["营商环境", "疫情防控", "乡村振兴", "社会保险", "重庆"] {
        let results = index.search(&SearchRequest::new(right)).unwrap();
        assert_eq!((results.searched_as, results.did_you_mean), (None, None), "{right}");
    }
    // A quoted query is searched exactly as typed.
    let quoted = index.search(&SearchRequest::new("\"营商环竟\"")).unwrap();
    assert_eq!((quoted.total, quoted.searched_as, quoted.did_you_mean), (0, None, None));
}

#[test]
fn everyday_words_find_official_terms_and_rank_below_the_word_as_typed() {
    let index = Index::create_in_ram();
    index
        .add_articles([
            (
                "official".to_string(),
                release("社会保险缴费通知", 1, "县政府", INSURANCE),
            ),
            (
                "typed".to_string(),
                release(
                    "社保卡办理指南",
                    2,
                    "县政府",
                    "办理社保卡需要携带身份证到社区服务中心，工作人员当场受理。",
                ),
            ),
            ("other".to_string(), release("重庆长江绿色发展", 3, "县政府", CHONGQING)),
        ])
        .unwrap();
    let results = index.search(&SearchRequest::new("社保")).unwrap();
    let paths: Vec<&str> = results.hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(
        paths,
        ["typed", "official"],
        "the word as typed first, then the official term"
    );
    let official = &results.hits[1];
    let marked: Vec<&str> = official
        .title_highlights
        .iter()
        .map(|h| &official.title[h.start..h.end])
        .collect();
    assert_eq!(marked, ["社会保险"], "the highlight marks what matched");
    // Quoted, the word is only itself.
    assert_eq!(index.search(&SearchRequest::new("\"社保\"")).unwrap().total, 1);
}

#[test]
fn an_index_keeps_its_own_synonym_table() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("synonyms.txt");
    std::fs::write(&table, "# 本地叫法\n公租房 => 公共租赁住房\n长江带 => 长江经济带\n").unwrap();
    let location = dir.path().join("index");
    {
        let mut index = Index::open_or_create(&location).unwrap();
        index.set_synonyms(&table).unwrap();
        index
            .add_articles([("a".to_string(), release("重庆长江绿色发展", 1, "县政府", CHONGQING))])
            .unwrap();
    }
    let reopened = Index::open(&location).unwrap();
    assert_eq!(reopened.search(&SearchRequest::new("长江带")).unwrap().total, 1);
    // The shipped table is still there beneath it.
    assert!(reopened.search(&SearchRequest::new("医保")).is_ok());
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "公租房 公共租赁住房\n").unwrap();
    let err = govsearch::check_synonyms(&bad).unwrap_err().to_string();
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn suggestions_complete_chinese_and_pinyin_prefixes() {
    let index = index();
    let texts =
        |prefix: &str| -> Vec<String> { index.suggest(prefix, 5).unwrap().into_iter().map(|s| s.text).collect() };
    assert!(texts("乡村").contains(&"乡村振兴".to_string()), "{:?}", texts("乡村"));
    assert!(
        texts("xiangc").iter().any(|t| t.starts_with("乡村")),
        "{:?}",
        texts("xiangc")
    );
    assert!(texts("yq").contains(&"疫情".to_string()), "{:?}", texts("yq"));
    let counted = index.suggest("营商", 5).unwrap();
    assert!(counted.iter().all(|s| s.articles > 0));
    assert!(
        counted.windows(2).all(|w| w[0].articles >= w[1].articles),
        "most articles first"
    );
    assert!(index.suggest("", 5).unwrap().is_empty());
}

#[test]
fn reprints_are_shown_once_with_their_copies_listed() {
    let index = Index::create_in_ram();
    let original = release("推进乡村振兴工作会议", 1, "县政府", REVIVAL);
    let mut copy = release(
        "推进乡村振兴工作会议",
        2,
        "市日报",
        &format!("本报讯\n{REVIVAL}\n（责任编辑：王五）"),
    );
    copy.meta.source = Some("市日报".to_string());
    index
        .add_articles([
            ("original".to_string(), original),
            ("copy".to_string(), copy),
            ("other".to_string(), release("优化营商环境", 3, "县政府", BUSINESS)),
            (
                "similar title".to_string(),
                release("推进乡村振兴工作会议", 4, "县政府", &format!("{EPIDEMIC}{INSURANCE}")),
            ),
        ])
        .unwrap();
    let results = index.search(&SearchRequest::new("乡村振兴工作会议")).unwrap();
    assert_eq!((results.total, results.releases), (3, 2), "{results:?}");
    assert_eq!(results.hits.len(), 2);
    let grouped = results
        .hits
        .iter()
        .find(|h| !h.copies.is_empty())
        .expect("a release with a copy");
    assert_eq!(grouped.copies.len(), 1);
    let pair = [grouped.path.as_str(), grouped.copies[0].path.as_str()];
    assert!(pair.contains(&"original") && pair.contains(&"copy"), "{pair:?}");
    assert!(
        results
            .hits
            .iter()
            .any(|h| h.path == "similar title" && h.copies.is_empty()),
        "a different body under the same title is a release of its own"
    );
    let all = index
        .search(&SearchRequest::new("乡村振兴工作会议").all_copies(true))
        .unwrap();
    assert_eq!((all.total, all.releases, all.hits.len()), (3, 3, 3));
    assert!(all.hits.iter().all(|h| h.copies.is_empty()));
    // Pages count releases: the second release is the first hit of page two.
    let second = index
        .search(&SearchRequest::new("乡村振兴工作会议").limit(1).offset(1))
        .unwrap();
    assert_eq!(second.hits.len(), 1);
    assert_eq!(second.hits[0].path, results.hits[1].path);
}

#[test]
fn related_articles_share_the_subject_and_are_never_the_article_or_its_copies() {
    let index = index();
    let copy = release("乡村振兴见成效", 20, "市日报", &format!("本报讯\n第1期：春季{REVIVAL}"));
    index.add_articles([("copy".to_string(), copy)]).unwrap();
    let hit = index
        .search(&SearchRequest::new("推进乡村振兴工作会议第1次"))
        .unwrap()
        .hits[0]
        .clone();
    let related = index.related(&hit.id, 5).unwrap().expect("the article is there");
    assert!(!related.is_empty());
    assert!(
        related.iter().all(|r| r.id != hit.id && r.path != "copy"),
        "{related:?}"
    );
    // (The subject's other releases here differ in a clause or two: most are its reprints.)
    assert!(
        related.iter().take(2).all(|r| r.title.contains("乡村振兴")),
        "the most related share the subject: {:?}",
        related.iter().map(|r| &r.title).collect::<Vec<_>>()
    );
    assert!(index.related("no such id", 5).unwrap().is_none());
}
