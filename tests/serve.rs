//! `govsearch serve`: the real server on a free loopback port, over a copy of the sample corpus
//! and a folder of hostile articles (HTML and script in every field).
//!
//! The API is checked against the library's own results for the same requests; the page's
//! escaping by reading the HTML; the page in a real browser and the API against its OpenAPI
//! document by property-based testing, when Chromium, Node and schemathesis are installed
//! (`.ci/run` installs them and sets `GOVSEARCH_EXTERNAL_TESTS=1`, which makes them required).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use govsearch::{Index, SearchRequest};
use serde_json::Value;

mod common;
use common::copy_dir;

/// Articles whose every field carries markup and script.
const HOSTILE: &[(&str, &str)] = &[
    (
        "script.txt",
        "<script>window.__xss=1</script>恶意标题\n2022-05-10 12:00 来源:<b onmouseover=\"window.__xss=2\">来源</b>\n正文\"><img src=x onerror=\"window.__xss=3\">恶意正文，峄城。\n责任编辑:<i>编辑</i>\n新闻关键词:javascript:alert(1) <svg/onload=alert(1)>\n",
    ),
    (
        "records.json",
        r#"[{"title": "恶意链接 \"><img src=x onerror=alert(1)>", "url": "javascript:alert(1)", "source": "' onfocus='alert(1)", "content": "恶意的长词 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 与 </textarea><script>alert(1)</script>", "pubtime": "2022-06-01 10:00"}]"#,
    ),
];

/// A running server; stopped when dropped.
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

fn govsearch(index: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsearch"));
    cmd.env_remove("GOVSEARCH_INDEX").arg("--index").arg(index);
    cmd
}

/// Starts `govsearch serve` on a free port of the loopback address.
fn serve(index: &Path) -> Server {
    serve_with(index, &[])
}

/// [`serve`] with more options.
fn serve_with(index: &Path, options: &[&str]) -> Server {
    let mut command = govsearch(index);
    command.args(["serve", "--addr", "127.0.0.1:0"]).args(options);
    started(command)
}

/// The server `command` starts, once it says where it listens.
fn started(mut command: Command) -> Server {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split("at ")
        .nth(1)
        .map(|url| url.trim().trim_end_matches('/').to_string())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, base }
}

/// A GET over plain HTTP/1.1: (status, headers, body).
fn get(base: &str, path: &str) -> (u16, String, String) {
    send(base, "GET", path)
}

/// A request of `method` without a body over plain HTTP/1.1: (status, headers, body).
fn send(base: &str, method: &str, path: &str) -> (u16, String, String) {
    send_with(base, method, path, "")
}

/// [`send`] with more header lines (each ending in CRLF).
fn send_with(base: &str, method: &str, path: &str, headers: &str) -> (u16, String, String) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, head.to_string(), body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

fn json(base: &str, path: &str) -> (u16, Value) {
    let (status, _, body) = get(base, path);
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A served index; the server stops when the fixture is dropped, before its folder goes.
struct Fixture {
    server: Server,
    index: PathBuf,
    _dir: tempfile::TempDir,
}

/// The sample corpus and the hostile articles, indexed and served for one test. Not shared
/// through a static: statics are never dropped, and the server would outlive the tests.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"), &corpus);
    let hostile = corpus.join("hostile");
    std::fs::create_dir_all(&hostile).unwrap();
    for (name, text) in HOSTILE {
        std::fs::write(hostile.join(name), text).unwrap();
    }
    // Policy documents: each 信息公开 layout, and a page with its PDF attachment.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    copy_dir(&fixtures.join("disclosure"), &corpus.join("documents"));
    for name in ["notice.html", "附件1.pdf"] {
        std::fs::copy(
            fixtures.join("attachments").join(name),
            corpus.join("documents").join(name),
        )
        .unwrap();
    }
    let index = dir.path().join("index");
    let out = govsearch(&index).arg("index").arg(&corpus).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = serve(&index);
    Fixture {
        server,
        index,
        _dir: dir,
    }
}

#[test]
fn the_api_answers_what_the_library_answers() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    let cases: [(&str, SearchRequest); 9] = [
        ("q=峄城", SearchRequest::new("峄城")),
        (
            "q=峄城&in=title",
            SearchRequest::new("峄城").scope(govsearch::Scope::Title),
        ),
        (
            "q=峄城&in=body&sort=date",
            SearchRequest::new("峄城")
                .scope(govsearch::Scope::Body)
                .sort(govsearch::Sort::Date),
        ),
        ("q=营商&within=峄城", SearchRequest::new("营商").within("峄城")),
        ("q=-营商&within=峄城", SearchRequest::new("-营商").within("峄城")),
        (
            "q=峄城+-营商&sort=date&limit=5&offset=3",
            SearchRequest::new("峄城 -营商")
                .sort(govsearch::Sort::Date)
                .limit(5)
                .offset(3),
        ),
        (
            "q=会议&source=峄城区人民政府网站&source=枣庄日报&since=2022-05&until=2022",
            SearchRequest::new("会议")
                .source("峄城区人民政府网站")
                .source("枣庄日报")
                .since(govsearch::DateRange::parse("2022-05").unwrap().start)
                .until(govsearch::DateRange::parse("2022").unwrap().end),
        ),
        (
            "q=\"满意峄城\"&facets=false&snippet_chars=0",
            SearchRequest::new("\"满意峄城\"").facets(false).snippet_chars(0),
        ),
        (
            "q=*&keyword=疫情防控&limit=100",
            SearchRequest::new("*").keyword("疫情防控").limit(100),
        ),
    ];
    for (query, request) in cases {
        let encoded: String = query
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                format!("{k}={}", encode(&v.replace('+', " ")))
            })
            .collect::<Vec<_>>()
            .join("&");
        let (status, got) = json(&f.server.base, &format!("/api/search?{encoded}"));
        assert_eq!(status, 200, "{query}: {got}");
        // Through text, as the server sends it (scores are f32 in the library); a public
        // server leaves out the files' paths.
        let mut expected: Value =
            serde_json::from_str(&serde_json::to_string(&index.search(&request).unwrap()).unwrap()).unwrap();
        without_paths(&mut expected);
        assert_eq!(got, expected, "{query}");
    }
}

/// `value` without the file paths a public server leaves out.
fn without_paths(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("path");
            map.values_mut().for_each(without_paths);
        }
        Value::Array(items) => items.iter_mut().for_each(without_paths),
        _ => {}
    }
}

/// No response of a public server, page or API, success or error, names a folder of the
/// machine: not the index's, not the corpus's, not the temporary folder they are in.
#[test]
fn no_response_tells_where_the_server_keeps_its_files() {
    let f = fixture();
    let base = &f.server.base;
    let (_, found) = json(base, "/api/search?q=%E5%B3%84%E5%9F%8E&limit=3");
    let id = found["hits"][0]["id"].as_str().unwrap().to_string();
    let paths = [
        "/".to_string(),
        "/?q=%E5%B3%84%E5%9F%8E".to_string(),
        "/?q=%E5%B3%84%E5%9F%8E&page=99".to_string(),
        "/?q=%22".to_string(),
        "/?q=x&since=2023&until=2022".to_string(),
        format!("/articles/{id}"),
        format!("/articles/{id}?q=%E5%B3%84%E5%9F%8E"),
        "/articles/nothing-here".to_string(),
        "/articles/%FF".to_string(),
        "/api/search?q=%E5%B3%84%E5%9F%8E&facets=true".to_string(),
        "/api/search?q=*&source=nothing".to_string(),
        "/api/search?q=%22".to_string(),
        "/api/search?q=x&source=".to_string(),
        format!("/api/articles/{id}"),
        format!("/api/articles/{id}/related"),
        "/api/articles/nothing-here".to_string(),
        "/api/suggest?q=xc".to_string(),
        "/api/stats".to_string(),
        "/api/openapi.json".to_string(),
        "/healthz".to_string(),
        "/no/such/page".to_string(),
        "/static/style.css".to_string(),
    ];
    let tmp = std::env::temp_dir().to_string_lossy().into_owned();
    let secrets = [
        f.index.to_string_lossy().into_owned(),
        f.index.parent().unwrap().to_string_lossy().into_owned(),
        tmp.trim_end_matches('/').to_string(),
    ];
    for path in &paths {
        let (status, headers, body) = get(base, path);
        assert!(status < 600, "{path}");
        for secret in &secrets {
            assert!(
                !body.contains(secret.as_str()),
                "{path} ({status}) shows {secret}: {body}"
            );
            assert!(
                !headers.contains(secret.as_str()),
                "{path} ({status}) shows {secret}: {headers}"
            );
        }
    }
    let (_, stats) = json(base, "/api/stats");
    assert!(
        stats.get("location").is_none() && stats.get("folders").is_none(),
        "{stats}"
    );
    assert!(stats["articles"].as_u64().unwrap() > 0);
}

#[test]
fn suggestions_rewrites_and_related_articles_over_http() {
    let f = fixture();
    let base = &f.server.base;
    let index = Index::open(&f.index).unwrap();
    // Pinyin searched as Chinese; as_typed=true searches the letters.
    let (status, got) = json(base, "/api/search?q=yicheng&facets=false");
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["searched_as"]["query"], "峄城", "{got}");
    let (_, typed) = json(base, "/api/search?q=yicheng&as_typed=true");
    assert_eq!((typed["total"].as_u64(), typed.get("searched_as")), (Some(0), None));
    // The page says what it searched and links to the query as typed.
    let (status, _, page) = get(base, "/?q=yicheng");
    assert_eq!(status, 200);
    assert!(
        page.contains("已按「<strong>峄城</strong>」搜索") && page.contains("as_typed=true"),
        "{page}"
    );
    // Completions are the library's.
    let (status, got) = json(base, &format!("/api/suggest?q={}&limit=5", encode("峄城")));
    assert_eq!(status, 200, "{got}");
    let expected = serde_json::to_value(index.suggest("峄城", 5).unwrap()).unwrap();
    assert_eq!(got, expected);
    assert!(!got.as_array().unwrap().is_empty());
    assert_eq!(json(base, "/api/suggest").0, 400);
    assert_eq!(json(base, "/api/suggest?q=a&limit=x").0, 400);
    // Related articles of a hit, on the API and under the article on its page.
    let (_, results) = json(base, &format!("/api/search?q={}&limit=1", encode("满意峄城")));
    let id = results["hits"][0]["id"].as_str().unwrap().to_string();
    let (status, related) = json(base, &format!("/api/articles/{id}/related?limit=3"));
    assert_eq!(status, 200, "{related}");
    // Through text, as the server sends it (scores are f32 in the library).
    let mut expected: Value =
        serde_json::from_str(&serde_json::to_string(&index.related(&id, 3).unwrap().unwrap()).unwrap()).unwrap();
    without_paths(&mut expected);
    assert_eq!(related, expected);
    assert!(related.as_array().unwrap().iter().all(|r| r["id"] != id.as_str()));
    let (status, _, article) = get(base, &format!("/articles/{id}"));
    assert_eq!(status, 200);
    assert!(article.contains("相关推荐"), "{article}");
    assert_eq!(json(base, "/api/articles/nothing/related").0, 404);
    // Facet values: ten by default, as many as asked, the others counted.
    let (_, ten) = json(base, "/api/search?q=*&limit=0");
    let (_, two) = json(base, "/api/search?q=*&limit=0&facet_values=2");
    let listed = |r: &Value| r["facets"]["keyword"].as_array().unwrap().len() as u64;
    let all = |r: &Value| listed(r) + r["facets"]["unlisted"]["keyword"].as_u64().unwrap();
    assert_eq!(listed(&two), 2, "{two}");
    assert!(listed(&ten) > 2 && listed(&ten) <= 10, "{ten}");
    assert_eq!(all(&two), all(&ten));
    assert_eq!(json(base, "/api/search?q=*&facet_values=10001").0, 400);
}

#[test]
fn bad_requests_get_400_and_a_message() {
    let f = fixture();
    for (path, says, code) in [
        ("/api/search?q=%22%E5%B3%84", "unclosed quote", "unclosed_quote"),
        ("/api/search?q=x&since=2022-13", "is not a date", "bad_date"),
        ("/api/search?q=x&limit=101", "limit is at most 100", "bad_parameter"),
        (
            "/api/search?q=x&offset=10001",
            "offset is at most 10000",
            "bad_parameter",
        ),
        ("/api/search", "q is required", "missing_query"),
        (
            "/api/search?q=x&sort=popular",
            "sort is relevance or date",
            "bad_parameter",
        ),
        (
            "/api/search?q=x&sort=date&sort=date",
            "more than once",
            "repeated_parameter",
        ),
        ("/api/search?q=-x", "only exclusions", "only_exclusions"),
        (
            "/api/search?q=x&since=2023&until=2022",
            "the date range is empty",
            "empty_date_range",
        ),
        (
            &format!("/api/search?q={}", "字".repeat(201)),
            "too long",
            "query_too_long",
        ),
        (
            &format!("/api/search?q=x&keyword={}", "a".repeat(101)),
            "the keyword filter is too large",
            "filter_too_large",
        ),
        (
            &format!("/api/search?q=x{}", "&source=a".repeat(21)),
            "the source filter is too large",
            "filter_too_large",
        ),
    ] {
        let (status, body) = json(&f.server.base, path);
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["error"].as_str().unwrap().contains(says), "{path}: {body}");
        assert_eq!(body["code"], code, "{path}: {body}");
    }
    let (status, body) = json(&f.server.base, "/api/articles/nothing");
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("no_such_article")),
        "{body}"
    );
    let (status, body) = json(&f.server.base, "/api/nowhere");
    assert_eq!((status, body["code"].as_str()), (404, Some("no_such_page")), "{body}");
    let (status, _, page) = get(&f.server.base, "/nowhere");
    assert_eq!(status, 404);
    assert!(page.contains("出错了"), "{page}");
    // The page says what is wrong in Chinese, once escaped, with the form still filled in.
    for (path, says, kept) in [
        (
            "/?q=%E5%B3%84%E5%9F%8E&since=soon",
            "起始日期“soon”不是日期",
            "value=\"峄城\"",
        ),
        ("/?q=%22%22", "没有可以搜索的文字", "value=\"&#34;&#34;\""),
        ("/?q=%22%E5%B3%84", "引号没有配对", "value=\"&#34;峄\""),
        ("/?q=x&since=2023&until=2022", "日期范围是空的", "value=\"2023\""),
        (&format!("/?q={}", "字".repeat(201)), "搜索词太长了", "字字字字"),
    ] {
        let (status, _, page) = get(&f.server.base, path);
        assert_eq!(status, 400, "{path}");
        assert!(page.contains(says), "{path}: {page}");
        assert!(page.contains(kept), "{path}: the form lost {kept}: {page}");
        for english in [
            "is not a date",
            "bad query",
            "nothing to search",
            "too long",
            "&amp;#34;",
            "\\\"",
        ] {
            assert!(!page.contains(english), "{path}: {english} on the page");
        }
    }
}

/// Four clients sending about the most expensive filters a request may carry (sixteen values
/// of the longest length, about as much of a request line as the server reads, none in the
/// index, so each would ask for the closest values) leave the health check answering at once and
/// ordinary searches answering.
#[test]
fn expensive_filters_leave_the_health_check_and_searches_answering() {
    let f = fixture();
    let base = f.server.base.clone();
    let value = encode(&"无此关键词".repeat(20));
    let attack = format!(
        "/api/search?q=%E5%B3%84%E5%9F%8E{}",
        ["keyword", "source", "editor", "column"]
            .iter()
            .map(|field| format!("&{field}={value}").repeat(4))
            .collect::<String>()
    );
    let until = Instant::now() + Duration::from_secs(4);
    let attackers: Vec<_> = (0..4)
        .map(|_| {
            let (base, attack) = (base.clone(), attack.clone());
            std::thread::spawn(move || {
                let mut sent = 0;
                while Instant::now() < until {
                    let (status, _, _) = get(&base, &attack);
                    assert_eq!(status, 200);
                    sent += 1;
                }
                sent
            })
        })
        .collect();
    let mut health = Vec::new();
    let mut searches = 0;
    while Instant::now() < until {
        let started = Instant::now();
        let (status, _, _) = get(&base, "/healthz");
        health.push(started.elapsed());
        assert_eq!(status, 200);
        let (status, _) = json(&base, "/api/search?q=%E4%BC%9A%E8%AE%AE&limit=3");
        assert_eq!(status, 200);
        searches += 1;
    }
    let sent: usize = attackers.into_iter().map(|a| a.join().unwrap()).sum();
    health.sort();
    let p99 = health[(health.len() * 99 / 100).min(health.len() - 1)];
    assert!(sent > 0 && searches > 0);
    assert!(
        p99 < Duration::from_millis(100),
        "health p99 {p99:?} over {} checks",
        health.len()
    );
}

/// Searches and articles may be kept a minute by a browser or a proxy; errors, the health
/// check and the index's counts never are.
#[test]
fn answers_say_how_long_they_may_be_kept() {
    let f = fixture();
    let base = &f.server.base;
    let cache = |path: &str| {
        let (status, headers, _) = get(base, path);
        let value = headers
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("cache-control: ")
                    .map(str::to_string)
            })
            .unwrap_or_default();
        (status, value)
    };
    assert_eq!(
        cache("/api/search?q=%E5%B3%84%E5%9F%8E"),
        (200, "public, max-age=60".to_string())
    );
    assert_eq!(cache("/?q=%E5%B3%84%E5%9F%8E"), (200, "public, max-age=60".to_string()));
    assert_eq!(cache("/api/search?q=%22"), (400, "no-store".to_string()));
    assert_eq!(cache("/healthz"), (200, "no-store".to_string()));
    assert_eq!(cache("/api/stats"), (200, "no-store".to_string()));
    assert_eq!(cache("/nowhere"), (404, "no-store".to_string()));
}

/// A long `from` (an article page's way back) is neither carried through a search page's links
/// nor repeated on an article page: a page is as large as its content, not as its request.
#[test]
fn a_long_way_back_does_not_inflate_a_page() {
    let f = fixture();
    let long = format!("/?q={}", "x".repeat(12_000));
    let from = encode(&long);
    let (_, _, plain) = get(&f.server.base, "/?q=%E5%B3%84%E5%9F%8E");
    let (status, _, page) = get(&f.server.base, &format!("/?q=%E5%B3%84%E5%9F%8E&from={from}"));
    assert_eq!(status, 200);
    assert!(
        page.len() < plain.len() + 1000,
        "{} against {}",
        page.len(),
        plain.len()
    );
    let (_, found) = json(&f.server.base, "/api/search?q=%E5%B3%84%E5%9F%8E&limit=1");
    let id = found["hits"][0]["id"].as_str().unwrap().to_string();
    let (status, _, article) = get(&f.server.base, &format!("/articles/{id}?q=x&from={from}"));
    assert_eq!(status, 200);
    assert!(
        !article.contains(&"x".repeat(1000)),
        "the long way back is not repeated"
    );
}

/// Every error is an answer like the others: a body that says what went wrong (JSON under
/// `/api`, a page elsewhere) and the same security headers.
#[test]
fn errors_have_a_body_and_the_security_headers() {
    let f = fixture();
    let api = send(&f.server.base, "POST", "/api/search?q=x");
    assert_eq!(api.0, 405, "{api:?}");
    assert!(api.2.contains("\"error\""), "{api:?}");
    let page = send(&f.server.base, "POST", "/?q=x");
    assert!(page.0 == 405 && page.2.contains("出错了"), "{page:?}");
    for (_, headers, _) in [&api, &page] {
        let lower = headers.to_ascii_lowercase();
        assert!(lower.contains("x-content-type-options: nosniff"), "{headers}");
        assert!(lower.contains("content-security-policy:"), "{headers}");
    }
    let (status, headers, body) = get(&f.server.base, "/articles/%FF%FE");
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains("出错了") && headers.to_ascii_lowercase().contains("nosniff"),
        "{body}"
    );
    let (status, body) = json(&f.server.base, "/api/articles/%FF%FE");
    assert_eq!(status, 404, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("no article has this id"),
        "{body}"
    );
    let long = format!("/api/search?q=x&source={}", "a".repeat(20_000));
    let too_long = get(&f.server.base, &long);
    let big_header = format!("X-Padding: {}\r\n", "a".repeat(20_000));
    let too_large = send_with(&f.server.base, "GET", "/?q=x", &big_header);
    for ((status, headers, body), expected, marker) in [(too_long, 414, "\"error\""), (too_large, 431, "出错了")] {
        assert_eq!(status, expected, "{body}");
        assert!(body.contains(marker), "{body}");
        assert!(headers.to_ascii_lowercase().contains("nosniff"), "{headers}");
    }
}

/// An index file truncated under the running server (postings, stored text, body grams) fails
/// the requests that read it as damage, and the server goes on: the health check says so, and
/// once the file is whole again the same search gives the same answer.
#[test]
fn a_file_that_shrinks_under_the_server_fails_requests_not_the_server() {
    let f = fixture();
    let search = "/api/search?q=%E5%B3%84%E5%9F%8E&limit=5";
    let (status, before) = json(&f.server.base, search);
    assert_eq!(status, 200);
    for extension in ["store", "idx", "bgram"] {
        let files: Vec<PathBuf> = std::fs::read_dir(&f.index)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == extension))
            .collect();
        assert!(!files.is_empty(), "no .{extension} file");
        let kept: Vec<Vec<u8>> = files.iter().map(|path| std::fs::read(path).unwrap()).collect();
        for path in &files {
            std::fs::File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_len(0)
                .unwrap();
        }
        let (status, body) = json(&f.server.base, search);
        assert_eq!(status, 503, ".{extension}: {body}");
        assert!(body["error"].as_str().unwrap().contains("damaged"), "{body}");
        let (status, health) = json(&f.server.base, "/healthz");
        assert_eq!((status, health["status"].as_str()), (503, Some("damaged")), "{health}");
        for (path, bytes) in files.iter().zip(&kept) {
            std::fs::write(path, bytes).unwrap();
        }
        // The server tries the index again at most once a second.
        std::thread::sleep(Duration::from_millis(1100));
        let (status, after) = json(&f.server.base, search);
        assert_eq!(status, 200, ".{extension}: {after}");
        assert_eq!(after["total"], before["total"]);
        assert_eq!(after["hits"], before["hits"]);
        let (status, _) = json(&f.server.base, "/healthz");
        assert_eq!(status, 200);
    }
}

/// Silent connections and headers sent a byte at a time are closed after the idle time, and
/// while they are open the server keeps answering, even when it may open few files.
#[test]
fn idle_and_slow_clients_are_closed_and_others_still_answered() {
    let f = fixture();
    drop(f.server);
    // A file limit lower than the silent sockets the test opens.
    let script = "ulimit -n 96 && exec \"$0\" --index \"$1\" serve --addr 127.0.0.1:0 --idle-secs 2";
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_govsearch"))
        .arg(&f.index)
        .env_remove("GOVSEARCH_INDEX");
    let server = started(command);
    let host = server.base.trim_start_matches("http://").to_string();
    let silent: Vec<TcpStream> = (0..200).map(|_| TcpStream::connect(&host).unwrap()).collect();
    let slow = std::thread::spawn({
        let host = host.clone();
        move || {
            let mut stream = TcpStream::connect(&host).unwrap();
            let started = Instant::now();
            for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
                .iter()
                .chain(b"a".repeat(60).iter())
            {
                if stream.write_all(&[*byte]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            started.elapsed()
        }
    });
    // The silent sockets hold no slot a new client needs: a search is answered at once.
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let (status, _) = json(&server.base, "/api/search?q=%E4%BC%9A%E8%AE%AE&limit=3");
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // And each is closed by the server, to make room or after the idle time.
    for mut stream in silent {
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        match stream.read(&mut [0u8; 64]) {
            Ok(0) => {}
            Err(err) => assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset),
            Ok(n) => panic!("{n} bytes on a silent connection"),
        }
    }
    // Sending a byte every 200 ms, the slow client never finishes its headers in time: it is
    // cut off after about the idle time, not left to go on for its 20 seconds.
    let slow = slow.join().unwrap();
    assert!(slow < Duration::from_secs(8), "{slow:?}");
}

/// A facet shows its first ten values and a 更多 link (a plain link: no script) to the rest;
/// the month facet shown whole reaches back to the oldest month, grouped by year.
#[test]
fn facets_show_the_rest_on_a_link() {
    let f = fixture();
    let base = &f.server.base;
    let (_, all) = json(base, "/api/search?q=*&facet_values=1000&limit=0");
    let keywords = all["facets"]["keyword"].as_array().unwrap().len();
    assert!(keywords > 10, "the sample has {keywords} keywords");
    let (_, _, page) = get(base, "/?q=*");
    let more = "/?q=*&#38;more=keyword";
    assert!(page.contains(more), "{page}");
    let listed = |page: &str, key: &str| page.matches(&format!("&#38;{key}=")).count();
    assert_eq!(listed(&page, "keyword"), 10);
    let (status, _, whole) = get(base, "/?q=*&more=keyword");
    assert_eq!(status, 200);
    assert_eq!(listed(&whole, "keyword"), keywords);
    assert!(whole.contains("收起"), "{whole}");
    let months: Vec<String> = all["facets"]["month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap().to_string())
        .collect();
    let oldest = months.iter().min().unwrap();
    let (_, _, by_year) = get(base, "/?q=*&more=month");
    assert!(
        by_year.contains(&format!("since={oldest}&#38;until={oldest}")),
        "{oldest}: {by_year}"
    );
    let years: std::collections::BTreeSet<&str> = months.iter().map(|m| &m[..4]).collect();
    for year in years {
        assert!(by_year.contains(&format!("{year} 年")), "{year}");
    }
}

/// A page past the last says so and links to the last page, not to the one before it.
#[test]
fn a_page_past_the_end_links_to_the_last_page() {
    let f = fixture();
    let (_, all) = json(&f.server.base, "/api/search?q=*&limit=1");
    let last = all["releases"].as_u64().unwrap().div_ceil(10);
    let (status, _, page) = get(&f.server.base, "/?q=*&page=99");
    assert_eq!(status, 200);
    assert!(page.contains("这一页没有结果"), "{page}");
    assert!(page.contains(&format!("第 {last} 页")), "{page}");
    assert!(page.contains(&format!("page={last}\"")), "{page}");
    assert!(!page.contains("page=98"), "{page}");
    assert!(!page.contains("显示第"), "{page}");
}

#[test]
fn an_article_is_whole_with_its_matches_marked() {
    let f = fixture();
    let (_, results) = json(&f.server.base, &format!("/api/search?q={}", encode("满意峄城")));
    let hit = &results["hits"][0];
    let id = hit["id"].as_str().unwrap();
    let (status, article) = json(&f.server.base, &format!("/api/articles/{id}?q={}", encode("满意峄城")));
    assert_eq!(status, 200, "{article}");
    assert_eq!(article["title"], hit["title"]);
    let body = article["body"].as_str().unwrap();
    let marks = article["body_highlights"].as_array().unwrap();
    assert!(!marks.is_empty());
    for mark in marks {
        let (start, end) = (
            mark["start"].as_u64().unwrap() as usize,
            mark["end"].as_u64().unwrap() as usize,
        );
        assert!(
            ["满意峄城", "满意", "峄城"].contains(&&body[start..end]),
            "{}",
            &body[start..end]
        );
    }
    let (status, _, page) = get(&f.server.base, &format!("/articles/{id}?q={}", encode("满意峄城")));
    assert_eq!(status, 200);
    assert!(page.contains("<mark>满意峄城</mark>"), "{page}");
    let (status, stats) = json(&f.server.base, "/api/stats");
    assert_eq!((status, stats["articles"].as_u64()), (200, Some(54)));
    let (status, health) = json(&f.server.base, "/healthz");
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
}

#[test]
fn hostile_text_is_escaped_and_every_page_has_the_security_headers() {
    let f = fixture();
    let (status, head, page) = get(&f.server.base, &format!("/?q={}", encode("恶意")));
    assert_eq!(status, 200);
    for header in [
        "content-security-policy: default-src 'none'",
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
    ] {
        assert!(head.to_ascii_lowercase().contains(header), "{header}: {head}");
    }
    assert!(page.contains("共找到 <strong>2</strong> 条结果"), "{page}");
    for raw in [
        "<script>window",
        "<img src=x",
        "<b onmouseover",
        "<svg",
        "onerror=\"",
        "href=\"javascript:",
    ] {
        assert!(!page.contains(raw), "{raw} reached the page unescaped");
    }
    // The template engine writes `<` as `&#60;`.
    assert!(
        page.contains("&#60;script&#62;window.__xss=1&#60;/script&#62;"),
        "{page}"
    );
    assert!(!page.contains("<script"), "no script element at all");
    let (_, results) = json(&f.server.base, &format!("/api/search?q={}", encode("恶意链接")));
    let id = results["hits"][0]["id"].as_str().unwrap().to_string();
    let (status, _, article) = get(&f.server.base, &format!("/articles/{id}?q=x&from=javascript:alert(1)"));
    assert_eq!(status, 200);
    assert!(!article.contains("javascript:alert(1)\""), "{article}");
    assert!(
        article.contains("href=\"/\""),
        "the back link stays on the site: {article}"
    );
    assert!(!article.contains("<script>alert"), "{article}");
}

#[test]
fn new_commits_are_seen_without_a_restart_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("releases");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("a.txt"),
        "峄城区召开会议\n2022-05-10 来源:鲁网\n会议在峄城召开。\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    assert!(govsearch(&index).arg("index").arg(&folder).status().unwrap().success());
    let mut server = serve(&index);
    let count = |server: &Server| json(&server.base, &format!("/api/search?q={}", encode("观摩"))).1["total"].as_u64();
    assert_eq!(count(&server), Some(0));
    std::fs::write(
        folder.join("b.txt"),
        "峄城区开展观摩活动\n2022-09-01 来源:鲁网\n观摩团察看项目。\n",
    )
    .unwrap();
    assert!(govsearch(&index).arg("index").arg(&folder).status().unwrap().success());
    let started = Instant::now();
    while count(&server) != Some(1) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the new article did not show"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// A search of `query` by the visitor at `address`, as a proxy in front of the server reports it.
fn search_as(base: &str, address: &str, query: &str) -> u16 {
    let header = format!("X-Forwarded-For: 198.51.100.250, {address}\r\n");
    send_with(base, "GET", &format!("/api/search?q={}", encode(query)), &header).0
}

/// `govsearch queries --json` over `state` once it satisfies `done`, within 15 s.
fn queries_report(state: &Path, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let out = Command::new(env!("CARGO_BIN_EXE_govsearch"))
            .args(["queries", "--json", "--state"])
            .arg(state)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        if done(&report) {
            return report;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the searches were not written: {report} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The counts of `query` in a report's top queries.
fn counted(report: &Value, query: &str) -> Option<(u64, u64)> {
    report["top"]
        .as_array()?
        .iter()
        .find(|q| q["query"] == query)
        .map(|q| (q["searches"].as_u64().unwrap(), q["visitors"].as_u64().unwrap()))
}

/// The search log: searches counted per visitor (a flood is one), kept through a kill -9 and
/// a restart, 热门搜索 drawn from visitors with the site's deny list applied, what found
/// nothing reported, and no visitor's address in any file the server writes.
#[test]
fn searches_are_counted_kept_through_a_kill_and_shown_as_popular() {
    let f = fixture();
    let state = f._dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("deny.txt"), "营商\n").unwrap();
    // The day's visitor key, fixed (today's and tomorrow's, in China's days): two of three
    // visitors share a bit of the set for one key in about 170, which a random key drew now
    // and then; with this one the three visitors below have bits of their own.
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    let china_today = (now + chrono::Duration::hours(8)).date_naive();
    for day in [china_today, china_today + chrono::Duration::days(1)] {
        std::fs::write(state.join(format!("key-{}", day.format("%Y-%m-%d"))), [7u8; 16]).unwrap();
    }
    let options = [
        "--behind-proxy",
        "--popular-visitors",
        "3",
        "--state",
        state.to_str().unwrap(),
    ];
    let mut server = serve_with(&f.index, &options);
    let base = server.base.clone();
    for visitor in ["203.0.113.1", "203.0.113.2", "2001:db8::7"] {
        assert_eq!(search_as(&base, visitor, "峄城"), 200);
        assert_eq!(search_as(&base, visitor, "营商环境"), 200);
        assert_eq!(search_as(&base, visitor, "无此词语甲乙"), 200);
    }
    for _ in 0..30 {
        search_as(&base, "203.0.113.9", "疫情防控");
    }
    let report = queries_report(&state, |r| counted(r, "疫情防控") == Some((30, 1)));
    assert_eq!(counted(&report, "峄城"), Some((3, 3)));
    let found = |query: &str| {
        report["top"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["query"] == query)
            .unwrap()["found"]
            .as_u64()
    };
    assert_eq!(
        found("营商环境"),
        Some(3),
        "the deny-listed query must find articles to test the list"
    );
    // kill -9: what was written stays whole, and a restart goes on counting the same day.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let server = serve_with(&f.index, &options);
    assert_eq!(search_as(&server.base, "203.0.113.4", "峄城"), 200);
    assert_eq!(search_as(&server.base, "203.0.113.1", "峄城"), 200);
    let report = queries_report(&state, |r| counted(r, "峄城") == Some((5, 4)));
    let nothing: Vec<&str> = report["found_nothing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["query"].as_str().unwrap())
        .collect();
    assert_eq!(nothing, ["无此词语甲乙"]);
    let (_, popular) = json(&server.base, "/api/popular");
    let shown: Vec<&str> = popular
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["query"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["峄城"], "the flood, the deny list or what found nothing shows");
    let (_, _, home) = get(&server.base, "/");
    assert!(
        home.contains("热门搜索") && home.contains(&format!("/?q={}", encode("峄城"))),
        "{home}"
    );
    let (_, completions) = json(&server.base, &format!("/api/suggest?q={}", encode("峄")));
    assert_eq!(completions[0]["text"], "峄城");
    for entry in std::fs::read_dir(&state).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for address in ["203.0.113", "2001:db8", "198.51.100"] {
            assert!(!text.contains(address), "{} names a visitor", path.display());
        }
    }
    // A folder of the user's own is never written to.
    let mine = f._dir.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    let out = govsearch(&f.index)
        .args(["serve", "--addr", "127.0.0.1:0", "--state"])
        .arg(&mine)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not write"));
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);
}

/// Whether the tests that need Chromium, Node and schemathesis must run: in CI they must.
fn external_required() -> bool {
    std::env::var_os("GOVSEARCH_EXTERNAL_TESTS").is_some_and(|v| v == "1")
}

fn have(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The browser script `name` of tests/browser, when Chromium, Node and playwright-core are
/// there to run it (required under `.ci/run`); `None`, said on stderr, when they are not.
fn browser_script(name: &str) -> Option<PathBuf> {
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let ready = have("node", "--version")
        && have("chromium", "--version")
        && browser.join("node_modules/playwright-core").is_dir();
    if !ready {
        assert!(
            !external_required(),
            "Chromium, Node or playwright-core is missing: .ci/run installs them"
        );
        eprintln!("skipped: the browser test needs Chromium, Node and playwright-core (.ci/run installs them)");
        return None;
    }
    Some(browser.join(name))
}

/// Runs a browser script with `args`; its output is the failure message.
fn run_script(script: &Path, args: &[&str]) {
    let run = Command::new("node").arg(script).args(args).output().unwrap();
    assert!(
        run.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn the_page_works_in_a_real_browser() {
    let Some(script) = browser_script("page.mjs") else {
        return;
    };
    let f = fixture();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    run_script(&script, &[f.server.base.as_str(), out.to_str().unwrap()]);
    for shot in ["results.png", "article.png", "phone.png"] {
        assert!(out.join(shot).is_file(), "{shot}");
    }
}

/// 在结果中搜索: the page offers it once there is a query, carrying the queries searched so far;
/// the results are those of every query at once, and the earlier query is shown as a filter
/// that can be taken off.
#[test]
fn the_page_searches_within_results() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    let (status, _, home) = get(&f.server.base, "/");
    assert_eq!(status, 200);
    assert!(!home.contains("name=\"within\""), "nothing to search within yet");
    let (_, _, first) = get(&f.server.base, "/?q=%E5%B3%84%E5%9F%8E");
    assert!(first.contains("name=\"within\" value=\"峄城\""), "{first}");
    let (status, _, within) = get(&f.server.base, "/?q=%E8%90%A5%E5%95%86&within=%E5%B3%84%E5%9F%8E");
    assert_eq!(status, 200);
    let both = index.search(&SearchRequest::new("峄城 营商")).unwrap().releases;
    assert!(
        within.contains(&format!("共找到 <strong>{both}</strong> 条结果")),
        "{within}"
    );
    assert!(within.contains("在结果中：峄城"), "the earlier query is a filter");
    assert!(
        within.contains("name=\"within\" value=\"峄城 营商\""),
        "deeper: both queries"
    );
    let (status, _, unclosed) = get(&f.server.base, "/?q=%E8%90%A5%E5%95%86&within=%22%E5%B3%84%E5%9F%8E");
    assert_eq!(status, 400, "{unclosed}");
    let many = "&within=%E5%B3%84%E5%9F%8E".repeat(9);
    let (status, too_many) = json(&f.server.base, &format!("/api/search?q=%E8%90%A5%E5%95%86{many}"));
    assert_eq!((status, too_many["code"].as_str()), (400, Some("within_too_long")));
    let (status, nowhere) = json(&f.server.base, "/api/search?q=%E8%90%A5%E5%95%86&in=nowhere");
    assert_eq!((status, nowhere["code"].as_str()), (400, Some("bad_parameter")));
    let (status, _, page) = get(&f.server.base, "/?q=%E8%90%A5%E5%95%86&in=nowhere");
    assert!(status == 400 && page.contains("查找范围只能是"), "{page}");
}

/// Policy documents over HTTP: the 发文机关, 主题分类, 文件类型 and 有效性 filters and facets
/// answer as the library does; the page marks what is out of force, names an attachment's
/// page, shows a document's 信息公开 fields, and its 高级搜索 form carries the new filters.
#[test]
fn policy_documents_are_filtered_and_shown_over_http() {
    let f = fixture();
    let index = Index::open(&f.index).unwrap();
    let cases = [
        ("in_force=true", SearchRequest::new("*").in_force(true)),
        (
            "force=expired",
            SearchRequest::new("*").force(govsearch::Force::Expired),
        ),
        (
            "force=%E5%BA%9F%E6%AD%A2",
            SearchRequest::new("*").force(govsearch::Force::Repealed),
        ),
        (
            "issuer=%E7%A4%BA%E4%BE%8B%E5%8E%BF%E5%86%9C%E4%B8%9A%E5%86%9C%E6%9D%91%E5%B1%80",
            SearchRequest::new("*").issuer("示例县农业农村局"),
        ),
        (
            "topic=%E5%9F%8E%E4%B9%A1%E5%BB%BA%E8%AE%BE",
            SearchRequest::new("*").topic("城乡建设"),
        ),
        ("kind=pdf&kind=text", SearchRequest::new("*").kind("pdf").kind("text")),
    ];
    for (params, request) in cases {
        let (status, found) = json(&f.server.base, &format!("/api/search?q=*&limit=50&{params}"));
        assert_eq!(status, 200, "{params}: {found}");
        let expected = index.search(&request.limit(50)).unwrap();
        assert_eq!(found["total"], expected.total, "{params}");
        assert!(expected.total > 0, "{params}: the case finds something");
        let ids: Vec<&str> = found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        let expected_ids: Vec<&str> = expected.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, expected_ids, "{params}");
    }
    let (_, all) = json(&f.server.base, "/api/search?q=*&facet_values=50");
    for facet in ["issuer", "topic", "kind", "force"] {
        assert!(
            !all["facets"][facet].as_array().unwrap().is_empty(),
            "{facet}: {}",
            all["facets"]
        );
    }
    let (status, bad) = json(&f.server.base, "/api/search?q=*&force=soon");
    assert_eq!((status, bad["code"].as_str()), (400, Some("bad_parameter")));

    // The page: a document out of force is marked; in force only leaves it out.
    let (_, _, page) = get(&f.server.base, "/?q=*&force=expired&force=repealed");
    assert!(page.contains("已废止") && page.contains("已失效"), "{page}");
    assert!(
        page.contains("<h3>发文机关</h3>") && page.contains("<h3>有效性</h3>"),
        "{page}"
    );
    assert!(page.contains("有效性：失效"), "the filter is shown by its word: {page}");
    let (_, _, in_force) = get(
        &f.server.base,
        "/?q=*&in_force=1&issuer=%E7%A4%BA%E4%BE%8B%E5%8E%BF%E5%8C%BB%E7%96%97%E4%BF%9D%E9%9A%9C%E5%B1%80",
    );
    assert!(in_force.contains("没有找到与「*」相关的结果"), "{in_force}");
    let (_, _, in_force) = get(&f.server.base, "/?q=%E7%A4%BA%E4%BE%8B&in_force=1");
    assert!(
        !in_force.contains("已废止") && !in_force.contains("已失效"),
        "{in_force}"
    );
    assert!(
        in_force.contains("name=\"in_force\" value=\"1\" checked"),
        "the box stays ticked"
    );
    // An attachment names its page; a document shows its 信息公开 fields.
    let (_, _, pdf) = get(
        &f.server.base,
        "/?q=%22%E7%A7%8B%E7%B2%AE%E9%A2%97%E7%B2%92%E5%BD%92%E4%BB%93%22",
    );
    assert!(pdf.contains("附件，页面：<a href=\"/articles/"), "{pdf}");
    let page_hit = index
        .search(
            &SearchRequest::new("*")
                .kind("html")
                .issuer("示例县农业农村局")
                .topic("农业、林业、水利"),
        )
        .unwrap();
    let (_, _, article) = get(&f.server.base, &format!("/articles/{}", page_hit.hits[0].id));
    assert!(
        article.contains("<dt>索引号</dt><dd>000014349/2024-01021</dd>"),
        "{article}"
    );
    // 高级搜索 carries 发文机关, 文件类型 and in force only into the search.
    let (status, head, _) = get(&f.server.base, "/advanced?all=%E9%80%9A%E7%9F%A5&issuer=%E7%A4%BA%E4%BE%8B%E5%8E%BF%E5%86%9C%E4%B8%9A%E5%86%9C%E6%9D%91%E5%B1%80&kind=html&in_force=1");
    assert_eq!(status, 303, "{head}");
    assert!(
        head.contains(
            "issuer=%E7%A4%BA%E4%BE%8B%E5%8E%BF%E5%86%9C%E4%B8%9A%E5%86%9C%E6%9D%91%E5%B1%80&kind=html&in_force=1"
        ),
        "{head}"
    );
    let (_, _, form) = get(&f.server.base, "/advanced");
    assert!(form.contains("name=\"issuer\"") && form.contains("name=\"kind\"") && form.contains("name=\"in_force\""));
    // 文号 as the field searched: the query is a document number, in any spelling.
    let (status, by_number) = json(
        &f.server.base,
        "/api/search?q=%E7%A4%BA%E5%86%9C%E5%8F%91%5B2024%5D12%E5%8F%B7&in=doc_number",
    );
    assert_eq!(status, 200, "{by_number}");
    assert_eq!(by_number["total"], 1);
    assert_eq!(by_number["hits"][0]["doc_number"], "示农发〔2024〕12号");
}

/// 高级搜索: the form's boxes become one query in the query syntax, and the browser is sent to
/// that search, which answers as the library does; boxes left empty say nothing.
#[test]
fn the_advanced_form_becomes_one_query() {
    let f = fixture();
    let (status, _, form) = get(&f.server.base, "/advanced");
    assert_eq!(status, 200);
    assert!(
        form.contains("<h1>高级搜索</h1>") && form.contains("name=\"any\""),
        "{form}"
    );
    let (_, _, home) = get(&f.server.base, "/");
    assert!(home.contains("href=\"/advanced\""), "the search page links to it");
    let filled = "/advanced?all=%E5%B3%84%E5%9F%8E&exact=&any=%E7%96%AB%E6%83%85+%E8%90%A5%E5%95%86&none=-%E4%BC%9A%E8%AE%AE&in=title&sort=relevance&since=";
    let (status, head, _) = get(&f.server.base, filled);
    assert_eq!(status, 303, "{head}");
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .expect("a location")
        .to_string();
    let query: Vec<(String, String)> = form_urlencoded::parse(location.trim_start_matches("/?").as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        query,
        [("q", "峄城 疫情 | 营商 -会议"), ("in", "title")].map(|(k, v)| (k.to_string(), v.to_string()))
    );
    let (_, found) = json(
        &f.server.base,
        &format!("/api/search{}", location.trim_start_matches('/')),
    );
    let index = Index::open(&f.index).unwrap();
    let expected = index
        .search(&SearchRequest::new("峄城 疫情 | 营商 -会议").scope(govsearch::Scope::Title))
        .unwrap();
    assert_eq!(found["total"], expected.total);
    let (_, head, _) = get(
        &f.server.base,
        "/advanced?exact=%E6%BB%A1%E6%84%8F%E5%B3%84%E5%9F%8E&source=%E9%B2%81%E7%BD%91",
    );
    assert!(
        head.contains("q=%22%E6%BB%A1%E6%84%8F%E5%B3%84%E5%9F%8E%22&source="),
        "{head}"
    );
}

/// The home page, pages of results (filtered, paged, with a facet opened, with none), an
/// article and an error page break none of axe-core's WCAG 2 A/AA rules or best practices.
#[test]
fn the_pages_pass_axe_core_in_a_real_browser() {
    let Some(script) = browser_script("a11y.mjs") else {
        return;
    };
    let f = fixture();
    run_script(&script, &[f.server.base.as_str()]);
}

/// A link to an article, shared before its file was touched and written again with the same
/// text and the folder indexed again (what a crawler does every night), opens the article in
/// a real browser.
#[test]
fn a_shared_link_lasts_through_a_touched_file_in_a_real_browser() {
    let Some(script) = browser_script("shared-link.mjs") else {
        return;
    };
    let f = fixture();
    let (_, found) = json(
        &f.server.base,
        "/api/search?q=%E6%BB%A1%E6%84%8F%E5%B3%84%E5%9F%8E&limit=1",
    );
    let hit = &found["hits"][0];
    let (id, title) = (hit["id"].as_str().unwrap(), hit["title"].as_str().unwrap());
    let link = format!("{}/articles/{id}", f.server.base);
    // Every file of the folder touched and written again, then indexed again.
    let corpus = f.index.parent().unwrap().join("corpus");
    let mut files = vec![corpus.clone()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let out = govsearch(&f.index).arg("index").arg(&corpus).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The server sees the commit within about a second.
    std::thread::sleep(Duration::from_millis(2500));
    run_script(&script, &[link.as_str(), title]);
}

#[test]
fn the_api_keeps_to_its_openapi_document() {
    if !have("schemathesis", "--version") {
        assert!(!external_required(), "schemathesis is missing: .ci/run installs it");
        eprintln!("skipped: the OpenAPI check needs schemathesis (.ci/run installs it)");
        return;
    }
    let f = fixture();
    let schema = format!("{}/api/openapi.json", f.server.base);
    // positive_data_acceptance is left out: query text and dates have grammars a schema
    // cannot state, and such strings are refused by design (400 with a message).
    // negative_data_rejection runs in the deterministic coverage phase only: the fuzzing
    // phase's random type mutations of query parameters can serialize to a valid request
    // (an array of one integer is `limit=0`, the boolean false is the source "false"),
    // which the check then reports as accepted bad data.
    let runs: [(&str, &str, &str); 2] = [
        ("examples,coverage", "positive_data_acceptance", "20"),
        ("fuzzing", "positive_data_acceptance,negative_data_rejection", "35"),
    ];
    // One worker: schemathesis's workers are threads, and CPython 3.11 can fail compiling a
    // lazily imported module in two threads at once ("AST constructor recursion depth
    // mismatch"), a failure of the tool, not of the API.
    for (phases, excluded, seconds) in runs {
        let run = Command::new("schemathesis")
            .args(["run", &schema, "--phases", phases])
            .args(["--checks", "all", "--exclude-checks", excluded])
            .args(["--max-time", seconds, "--workers", "1", "--no-color"])
            .current_dir(env!("CARGO_TARGET_TMPDIR"))
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{phases}:\n{}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

#[test]
fn bench_measures_the_server_under_wrk() {
    // wrk prints its version and exits 1: that it starts is what counts.
    if Command::new("wrk").arg("--version").output().is_err() {
        assert!(!external_required(), "wrk is missing: .ci/run installs it");
        eprintln!("skipped: bench --serve needs wrk (.ci/run installs it)");
        return;
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let dir = tempfile::tempdir().unwrap();
    let mix = dir.path().join("mix.txt");
    std::fs::write(&mix, "峄城\n\n满意峄城 会议\n").unwrap();
    // The bench's own query mix, and a mix of the operator's over fewer connections.
    let operators = ["--serve-queries", mix.to_str().unwrap(), "--connections", "4"];
    for extra in [&[][..], &operators[..]] {
        let out = govsearch(&dir.path().join("unused"))
            .args(["bench", "--queries", "3", "--serve", "1", "--json"])
            .args(extra)
            .arg(&corpus)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let connections = if extra.is_empty() { 32 } else { 4 };
        assert_eq!(report["serve"]["connections"], connections);
        // The last load runs while a copy of the corpus's files is indexed anew.
        let indexing = &report["serve"]["while_indexing"];
        assert!(indexing["files"].as_u64().unwrap() >= 44, "{indexing}");
        assert!(indexing["index_secs"].as_f64().unwrap() > 0.0, "{indexing}");
        for load in ["snippets", "facets", "logged"]
            .map(|measure| &report["serve"][measure])
            .into_iter()
            .chain([&indexing["load"]])
        {
            assert!(load["requests"].as_u64().unwrap() > 0, "{load}");
            assert!(load["per_sec"].as_f64().unwrap() > 0.0, "{load}");
            assert!(
                load["p99_ms"].as_f64().unwrap() >= load["p50_ms"].as_f64().unwrap(),
                "{load}"
            );
            assert_eq!(load["failed"], 0, "{load}");
        }
    }
}
