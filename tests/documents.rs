//! Policy documents as people look for them: the 信息公开 metadata table in each layout sites
//! use, read field by field; then searched by 发文机关, 主题分类, file type and 有效性.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use govsearch::{read_file, Article, Force, Hit, Index, Outcome, ReadOptions, SearchRequest};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/disclosure")
}

fn read(name: &str) -> Article {
    let file = read_file(&fixtures().join(name), &ReadOptions::default()).unwrap();
    match file.records.into_iter().next() {
        Some(Ok(article)) => *article,
        other => panic!("{name}: no article: {other:?}"),
    }
}

/// Every field of the table, as `(index_number, issuer, doc_number, written, published, topic,
/// disclosure, validity, valid_until)`.
type Fields<'a> = [Option<&'a str>; 9];

fn fields(article: &Article) -> Vec<Option<String>> {
    let m = &article.meta;
    let date =
        |d: Option<govsearch::chrono::DateTime<govsearch::chrono::FixedOffset>>| d.map(|d| d.date_naive().to_string());
    vec![
        m.index_number.clone(),
        m.issuer.clone(),
        m.doc_number.clone(),
        date(m.written),
        date(m.published),
        m.topic.clone(),
        m.disclosure.clone(),
        m.validity.clone(),
        m.valid_until.map(|d| d.to_string()),
    ]
}

fn assert_fields(name: &str, expected: Fields) {
    let article = read(name);
    let expected: Vec<Option<String>> = expected.iter().map(|f| f.map(str::to_string)).collect();
    assert_eq!(
        fields(&article),
        expected,
        "{name}: (索引号, 发文机关, 文号, 成文日期, 发布日期, 主题分类, 公开方式, 有效性, 有效期至)"
    );
    assert!(
        !article.body.contains("索引号") && !article.body.contains("发文机关"),
        "{name}: the table is not body text: {}",
        article.body
    );
}

#[test]
fn the_metadata_table_in_every_layout_gives_every_field() {
    assert_fields(
        "dl.html",
        [
            Some("000014349/2024-01021"),
            Some("示例县农业农村局"),
            Some("示农发〔2024〕12号"),
            Some("2024-08-20"),
            Some("2024-08-22"),
            Some("农业、林业、水利"),
            Some("主动公开"),
            Some("有效"),
            None,
        ],
    );
    assert_fields(
        "table.html",
        [
            Some("11370400MB28512345/2019-00077"),
            Some("示例市住房和城乡建设局"),
            Some("示建发[2019]3号"),
            Some("2019-03-01"),
            Some("2019-03-05"),
            Some("城乡建设、环境保护"),
            None,
            Some("已废止"),
            None,
        ],
    );
    assert_fields(
        "ul.html",
        [
            Some("A03-2023-0510"),
            Some("示例区财政局"),
            Some("示财公告〔2023〕2号"),
            Some("2023-01-05"),
            // No publish date: dated by the day it was written.
            Some("2023-01-05"),
            Some("财政、金融、审计"),
            None,
            Some("有效期至2023年12月31日"),
            Some("2023-12-31"),
        ],
    );
    assert_fields(
        "meta.html",
        [
            Some("XZ-2025-00018"),
            Some("示例镇人民政府"),
            Some("示镇政发〔2025〕4号"),
            Some("2025-02-10"),
            Some("2025-02-18"),
            Some("城乡建设"),
            None,
            Some("有效"),
            Some("2099-12-31"),
        ],
    );
    assert_fields(
        "lines.txt",
        [
            Some("YB-2021-0303"),
            Some("示例县医疗保障局"),
            Some("示医保发（2021）7号"),
            Some("2021-03-03"),
            Some("2021-03-08"),
            Some("卫生、体育"),
            Some("主动公开"),
            Some("失效"),
            None,
        ],
    );
    assert_fields(
        "record.json",
        [
            Some("NB-2022-0001"),
            Some("示例县人民政府办公室"),
            Some("示政办发〔2022〕1号"),
            Some("2022-01-20"),
            Some("2022-01-20"),
            Some("综合政务"),
            None,
            Some("现行有效"),
            None,
        ],
    );
    // 主题词 are the document's keywords.
    assert_eq!(read("table.html").meta.keywords, ["道路", "挖掘"]);
    assert_eq!(read("lines.txt").title, "关于调整城乡居民医疗保险缴费标准的通知");
}

#[test]
fn the_state_of_a_document_is_read_from_its_validity_and_end_date() {
    let today = govsearch::chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    assert_eq!(read("dl.html").meta.force(today), Some(Force::InForce));
    assert_eq!(read("table.html").meta.force(today), Some(Force::Repealed));
    assert_eq!(read("ul.html").meta.force(today), Some(Force::Expired));
    assert_eq!(read("meta.html").meta.force(today), Some(Force::InForce));
    assert_eq!(read("lines.txt").meta.force(today), Some(Force::Expired));
}

fn attachment_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/attachments")
}

/// A zip package of `entries`, as a DOCX or an OFD is.
fn package(entries: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
    package(&[(
        "word/document.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        ),
    )])
}

fn ofd(title: &str, text: &str) -> Vec<u8> {
    package(&[
        (
            "OFD.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocInfo><ofd:Title>{title}</ofd:Title></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"#
            ),
        ),
        (
            "Doc_0/Pages/Page_0/Content.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer><ofd:TextObject ID="2"><ofd:TextCode X="0" Y="0">{text}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>"#
            ),
        ),
    ])
}

/// A one-page PDF whose page content is `content`, deflated when `deflate`.
fn pdf_with_content(content: &[u8], deflate: bool) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut stream = Stream::new(dictionary! {}, content.to_vec());
    if deflate {
        use std::io::Write;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(content).unwrap();
        stream = Stream::new(dictionary! { "Filter" => "FlateDecode" }, encoder.finish().unwrap());
        stream.allows_compression = false;
    }
    let content_id = doc.add_object(stream);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn index_outcomes(index: &Index, dir: &Path) -> BTreeMap<String, Outcome> {
    let mut outcomes = BTreeMap::new();
    index
        .index_folder(dir, |p| {
            let name = p.file.path.file_name().unwrap().to_string_lossy().into_owned();
            outcomes.insert(name, p.file.outcome.clone());
        })
        .unwrap();
    outcomes
}

fn skipped_reason(outcomes: &BTreeMap<String, Outcome>, name: &str) -> String {
    match &outcomes[name] {
        Outcome::Skipped { reason } => reason.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

fn hits(index: &Index, request: SearchRequest) -> Vec<Hit> {
    index.search(&request.limit(50)).unwrap().hits
}

#[test]
fn attachments_are_articles_that_carry_the_page_linking_them() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("files")).unwrap();
    for name in ["notice.html", "附件1.pdf", "扫描件.pdf", "损坏.pdf", "旧表格.doc"] {
        std::fs::copy(attachment_fixtures().join(name), corpus.join(name)).unwrap();
    }
    std::fs::write(
        corpus.join("files/附件2.docx"),
        docx(&["秋季农业生产任务分解表", "各乡镇完成秋粮收购任务。"]),
    )
    .unwrap();
    std::fs::write(
        corpus.join("附件3.ofd"),
        ofd("秋季农业生产电子公文", "电子公文的正文。"),
    )
    .unwrap();
    let index = Index::create_in_ram();
    let outcomes = index_outcomes(&index, &corpus);
    for name in ["notice.html", "附件1.pdf", "附件2.docx", "附件3.ofd"] {
        assert!(
            matches!(outcomes[name], Outcome::Indexed { .. }),
            "{name}: {:?}",
            outcomes[name]
        );
    }
    assert!(skipped_reason(&outcomes, "扫描件.pdf").contains("without a text layer"));
    assert!(skipped_reason(&outcomes, "损坏.pdf").contains("not a readable PDF"));
    assert!(skipped_reason(&outcomes, "旧表格.doc").contains("Word 97–2003"));

    // The PDF Chromium printed, read exactly.
    let pdf = hits(&index, SearchRequest::new("\"秋粮颗粒归仓\""));
    assert_eq!(pdf.len(), 1);
    let pdf = &pdf[0];
    assert_eq!(pdf.title, "示例县秋季农业生产实施方案");
    let whole = index.article(&pdf.id, None).unwrap().unwrap();
    assert_eq!(
        whole.body,
        "示例县秋季农业生产实施方案\n为做好今年秋季农业生产工作，确保秋粮颗粒归仓，制定本实施方案。\n一、目标任务。全县秋粮播种面积稳定在十二万亩以上。\n二、工作措施。各乡镇要落实机收减损措施，做好烘干仓储服务。"
    );
    // Each attachment carries its page: its title, metadata and release date.
    let page = &hits(&index, SearchRequest::new("印发").kind("html"))[0];
    assert_eq!(page.title, "关于印发示例县秋季农业生产实施方案的通知");
    for query in ["\"秋粮颗粒归仓\"", "\"秋粮收购任务\"", "\"电子公文的正文\""] {
        let hit = &hits(&index, SearchRequest::new(query))[0];
        let parent = hit
            .meta
            .attached_to
            .as_ref()
            .unwrap_or_else(|| panic!("{query}: no page"));
        assert_eq!(parent.id, page.id, "{query}");
        assert_eq!(parent.title, page.title, "{query}");
        assert_eq!(hit.meta.issuer.as_deref(), Some("示例县农业农村局"), "{query}");
        assert_eq!(hit.meta.doc_number.as_deref(), Some("示农发〔2024〕15号"), "{query}");
        assert_eq!(hit.meta.published, page.meta.published, "{query}");
    }
    // Filters and facets see the attachments with what they inherit.
    let results = index
        .search(&SearchRequest::new("*").issuer("示例县农业农村局").facet_values(20))
        .unwrap();
    assert_eq!(results.total, 4);
    let kinds: Vec<(String, u64)> = results.facets.kind.iter().map(|f| (f.value.clone(), f.count)).collect();
    assert_eq!(
        kinds,
        [
            ("docx".to_string(), 1),
            ("html".to_string(), 1),
            ("ofd".to_string(), 1),
            ("pdf".to_string(), 1)
        ]
    );
    assert_eq!(hits(&index, SearchRequest::new("*").kind("pdf")).len(), 1);

    // The page changes: its attachments are read again and carry what it says now.
    let notice = std::fs::read_to_string(corpus.join("notice.html")).unwrap();
    std::fs::write(
        corpus.join("notice.html"),
        notice.replace("示例县农业农村局", "示例县农业农村局（县乡村振兴局）"),
    )
    .unwrap();
    let outcomes = index_outcomes(&index, &corpus);
    assert!(
        matches!(outcomes["附件1.pdf"], Outcome::Indexed { .. }),
        "{:?}",
        outcomes["附件1.pdf"]
    );
    let hit = &hits(&index, SearchRequest::new("\"秋粮颗粒归仓\""))[0];
    assert_eq!(hit.meta.issuer.as_deref(), Some("示例县农业农村局（县乡村振兴局）"));
    // The attachment alone changes: its page, unchanged, is found in the index.
    std::fs::write(
        corpus.join("附件3.ofd"),
        ofd("秋季农业生产电子公文", "电子公文改过的正文。"),
    )
    .unwrap();
    let outcomes = index_outcomes(&index, &corpus);
    assert!(
        matches!(outcomes["notice.html"], Outcome::Unchanged),
        "{:?}",
        outcomes["notice.html"]
    );
    let hit = &hits(&index, SearchRequest::new("\"电子公文改过的正文\""))[0];
    assert_eq!(
        hit.meta.attached_to.as_ref().map(|p| p.id.as_str()),
        Some(page.id.as_str())
    );
    assert_eq!(hit.meta.issuer.as_deref(), Some("示例县农业农村局（县乡村振兴局）"));
    assert_eq!(hit.meta.doc_number.as_deref(), Some("示农发〔2024〕15号"));
    // Nothing changed: nothing is read.
    let outcomes = index_outcomes(&index, &corpus);
    assert!(
        outcomes.values().all(|o| !matches!(o, Outcome::Indexed { .. })),
        "{outcomes:?}"
    );
    // The page goes: its attachments stay, without it.
    std::fs::remove_file(corpus.join("notice.html")).unwrap();
    index_outcomes(&index, &corpus);
    let hit = &hits(&index, SearchRequest::new("\"秋粮颗粒归仓\""))[0];
    assert_eq!(hit.meta.attached_to, None);
    assert_eq!(hit.meta.issuer, None);
}

#[test]
fn hostile_attachments_are_skipped_with_reasons_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    // A page of text that inflates past the limit (a decompression bomb).
    let bomb = vec![b' '; 129 << 20];
    std::fs::write(corpus.join("bomb.pdf"), pdf_with_content(&bomb, true)).unwrap();
    // Arrays nested a hundred thousand deep in the page's content.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(corpus.join("deep.pdf"), pdf_with_content(deep.as_bytes(), false)).unwrap();
    let mut encrypted = pdf_with_content(b"BT ET", false);
    encrypted.extend_from_slice(b"\n% /Encrypt 9 0 R\n");
    std::fs::write(corpus.join("encrypted.pdf"), encrypted).unwrap();
    std::fs::write(
        corpus.join("bomb.docx"),
        package(&[("word/document.xml", &" ".repeat(129 << 20))]),
    )
    .unwrap();
    std::fs::write(corpus.join("fine.txt"), "一篇正常的文章\n\n正文在这里。\n").unwrap();
    let index = Index::create_in_ram();
    let outcomes = index_outcomes(&index, &corpus);
    assert!(skipped_reason(&outcomes, "bomb.pdf").contains("decompression bomb"));
    assert!(skipped_reason(&outcomes, "bomb.docx").contains("decompression bomb"));
    assert!(skipped_reason(&outcomes, "encrypted.pdf").contains("encrypted"));
    assert!(
        matches!(outcomes["deep.pdf"], Outcome::Skipped { .. }),
        "{:?}",
        outcomes["deep.pdf"]
    );
    assert!(matches!(outcomes["fine.txt"], Outcome::Indexed { .. }));
}

/// Two pages that link an attachment of one name give it neither: each notice on the site
/// links its own `附件1.pdf`, and a folder saved from it holds one. A wrong page would put
/// one notice's 文号 and 发文机关 on the other's attachment.
#[test]
fn an_attachment_two_pages_link_carries_neither() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let page = |title: &str, issuer: &str, link: &str| {
        format!(
            r#"<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2024-09-02"></head><body><table><tr><td>发文机关：</td><td>{issuer}</td><td>索引号：</td><td>{title}-1</td></tr></table><div id="zoom"><p>现将有关事项通知如下，请认真贯彻执行。附件：<a href="{link}">附件1</a></p></div></body></html>"#
        )
    };
    std::fs::write(
        corpus.join("a.html"),
        page("甲局关于秋收的通知", "甲局", "http://site/a/附件1.pdf"),
    )
    .unwrap();
    std::fs::copy(attachment_fixtures().join("附件1.pdf"), corpus.join("附件1.pdf")).unwrap();
    let index = Index::create_in_ram();
    index_outcomes(&index, &corpus);
    let pdf = || hits(&index, SearchRequest::new("\"秋粮颗粒归仓\"")).remove(0);
    assert_eq!(pdf().meta.issuer.as_deref(), Some("甲局"), "one page links it");
    // A second page, linking another file of the same name on the site.
    std::fs::write(
        corpus.join("b.html"),
        page("乙局关于冬种的通知", "乙局", "http://site/b/附件1.pdf"),
    )
    .unwrap();
    index_outcomes(&index, &corpus);
    assert_eq!(pdf().meta.attached_to, None);
    assert_eq!(pdf().meta.issuer, None);
}
