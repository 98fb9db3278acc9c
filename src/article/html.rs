//! Saved 政府网站 pages. Government CMS pages carry a standard set of `<meta>` tags
//! (`ArticleTitle`, `PubDate`, `ContentSource`, `Keywords`, `Author`, `ColumnName`,
//! `SiteName`, `Description`); the article text is the content container's paragraphs,
//! without menus, footers, scripts and styles.

use scraper::{ElementRef, Html, Node, Selector};

use super::disclosure;
use super::text::split_keywords;
use super::{Article, NotAnArticle};
use crate::dates::{in_china, parse_datetime_prefix};

/// Content containers of the CMSs 政府网站 run on (TRS, 政府网站集约化平台, Hanweb …), most
/// specific first.
const CONTENT_SELECTORS: &[&str] = &[
    "#zoom",
    ".TRS_Editor",
    ".TRS_UEDITOR",
    "#UCAP-CONTENT",
    ".article-content",
    ".pages_content",
    "#Zoom",
    ".zw",
    "#content",
    ".content",
    "article",
];

/// Elements whose text is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "iframe", "select", "button", "form",
];

/// Elements that end a line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
];

/// The most attributes a tag may have for the page to be parsed: the HTML parser checks each
/// new attribute against the tag's others, so a tag with hundreds of thousands takes minutes.
/// Real pages have tens.
pub(crate) const MAX_ATTRIBUTES: usize = 1_000;

/// Whether some tag of `html` has more than [`MAX_ATTRIBUTES`] attributes: one linear pass
/// that follows tags and quoted values.
pub(crate) fn too_many_attributes(html: &str) -> bool {
    let mut in_tag = false;
    let mut quote = None;
    let mut after_space = false;
    let mut attributes = 0;
    for b in html.bytes() {
        if !in_tag {
            if b == b'<' {
                (in_tag, attributes, after_space, quote) = (true, 0, false, None);
            }
            continue;
        }
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => in_tag = false,
            (None, b) if b.is_ascii_whitespace() => after_space = true,
            (None, _) if after_space => {
                after_space = false;
                attributes += 1;
                if attributes > MAX_ATTRIBUTES {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// The text of markup too costly to parse: tags dropped, a line break for each block end.
fn stripped_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut quote = None;
    for c in html.chars() {
        match (in_tag, quote, c) {
            (false, _, '<') => in_tag = true,
            (false, _, c) => out.push(c),
            (true, Some(q), c) if c == q => quote = None,
            (true, Some(_), _) => {}
            (true, None, '"' | '\'') => quote = Some(c),
            (true, None, '>') => {
                in_tag = false;
                out.push('\n');
            }
            _ => {}
        }
    }
    out.lines()
        .map(clean)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn parse_html(page: &str) -> Result<Article, NotAnArticle> {
    let doc = Html::parse_document(page);
    let meta = |name: &str| -> Option<String> {
        let selector = Selector::parse("meta").ok()?;
        doc.select(&selector)
            .filter(|m| m.value().attr("name").is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .filter_map(|m| m.value().attr("content"))
            .map(clean)
            .find(|c| !c.is_empty())
    };
    let first_text = |css: &str| -> Option<String> {
        let selector = Selector::parse(css).ok()?;
        doc.select(&selector)
            .map(|e| clean(&e.text().collect::<String>()))
            .find(|t| !t.is_empty())
    };
    let site = meta("SiteName");
    let title = meta("ArticleTitle")
        .or_else(|| first_text(".article-title"))
        .or_else(|| first_text("h1"))
        .or_else(|| first_text("title").map(|t| strip_site_suffix(&t, site.as_deref())));
    let body = content_text(&doc);
    let title = title.unwrap_or_default();
    NotAnArticle::check(&title, &body)?;
    let mut article = Article::titled(&title);
    article.body = body;
    article.meta.published = meta("PubDate").and_then(|d| parse_datetime_prefix(&d).map(|(when, _)| in_china(when)));
    article.meta.source = meta("ContentSource");
    article.meta.editor = meta("Author");
    article.meta.column = meta("ColumnName");
    article.meta.site = site;
    article.meta.url = saved_from_url(page);
    read_disclosure(&doc, &mut article.meta);
    article.attachments = attachment_links(&doc);
    if let Some(keywords) = meta("Keywords") {
        for keyword in split_keywords(&keywords) {
            if !article.meta.keywords.iter().any(|k| k == keyword) {
                article.meta.keywords.push(keyword.to_string());
            }
        }
    }
    Ok(article)
}

/// The article text: the first content container with text, else the element whose own
/// paragraphs hold the most text (menus and footers are many short links, not paragraphs).
fn content_text(doc: &Html) -> String {
    for css in CONTENT_SELECTORS {
        let Ok(selector) = Selector::parse(css) else { continue };
        for element in doc.select(&selector) {
            let text = block_text(element);
            if text.chars().count() >= 20 {
                return text;
            }
        }
    }
    let Ok(paragraphs) = Selector::parse("p") else {
        return String::new();
    };
    let mut best: Option<(usize, ElementRef)> = None;
    let mut seen = std::collections::HashMap::new();
    for p in doc.select(&paragraphs) {
        let Some(parent) = p.parent().and_then(ElementRef::wrap) else {
            continue;
        };
        let len = p.text().map(|t| t.trim().chars().count()).sum::<usize>();
        let total = seen.entry(parent.id()).or_insert(0);
        *total += len;
        if best.is_none_or(|(n, _)| *total > n) {
            best = Some((*total, parent));
        }
    }
    best.map(|(_, e)| block_text(e)).unwrap_or_default()
}

/// The links to attachments (by the file name they end in), in page order, each once.
fn attachment_links(doc: &Html) -> Vec<String> {
    let Ok(selector) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    let mut links: Vec<String> = Vec::new();
    for href in doc.select(&selector).filter_map(|a| a.value().attr("href")) {
        let href = href.trim();
        let path = href.split(['?', '#']).next().unwrap_or_default();
        if super::is_attachment_name(path) && !links.iter().any(|l| l == href) {
            links.push(href.to_string());
        }
    }
    links
}

/// The 信息公开 metadata table: its `<meta>` tags named by label, else its cells on the page
/// (a table cell, a `<label>` and a block are cells of their own).
fn read_disclosure(doc: &Html, meta: &mut super::Metadata) {
    if let Ok(selector) = Selector::parse("meta[name][content]") {
        let tags: Vec<&str> = doc
            .select(&selector)
            .filter_map(|m| Some([m.value().attr("name")?, m.value().attr("content")?]))
            .filter(|[name, _]| disclosure::is_label(name))
            .flatten()
            .collect();
        if let Some(table) = disclosure::read(&tags) {
            table.fill(meta);
        }
    }
    let mut out = String::new();
    walk(doc.root_element(), &mut out, true);
    let cells: Vec<String> = out.lines().map(clean).filter(|l| !l.is_empty()).collect();
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    if let Some(table) = disclosure::read(&cells) {
        table.fill(meta);
    }
}

/// Text of an element, one line per block, whitespace runs collapsed, empty lines dropped.
fn block_text(element: ElementRef) -> String {
    let mut out = String::new();
    walk(element, &mut out, false);
    out.lines()
        .map(clean)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes the text under `element` to `out`, a line break around each block, skipping
/// scripts, styles and the like. Iterative (open and close edges of a traversal), so that a
/// page nested a hundred thousand levels deep reads like any other instead of overflowing the
/// stack. With `cells`, a table cell or a `<label>` ends a line too.
fn walk(element: ElementRef, out: &mut String, cells: bool) {
    let ends_line = |name: &str| BLOCKS.contains(&name) || (cells && matches!(name, "td" | "th" | "label"));
    use ego_tree::iter::Edge;
    // The skipped element being passed over, if any.
    let mut skipping = None;
    for edge in element.traverse() {
        match edge {
            Edge::Open(node) if skipping.is_none() && node.id() != element.id() => match node.value() {
                Node::Text(text) => out.push_str(text),
                Node::Element(e) => {
                    let name = e.name();
                    if SKIPPED.contains(&name) {
                        skipping = Some(node.id());
                    } else {
                        if ends_line(name) {
                            out.push('\n');
                        }
                        if matches!(name, "td" | "th") {
                            out.push(' ');
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            Edge::Close(node) if skipping.is_none() && node.id() != element.id() => {
                if let Node::Element(e) = node.value() {
                    if ends_line(e.name()) {
                        out.push('\n');
                    }
                }
            }
            _ => {}
        }
    }
}

/// Text of an HTML fragment (a crawler's `content` field), one paragraph per line.
pub(crate) fn fragment_text(fragment: &str) -> String {
    if too_many_attributes(fragment) {
        return stripped_text(fragment);
    }
    let doc = Html::parse_fragment(fragment);
    block_text(doc.root_element())
}

/// Collapses whitespace (including U+3000 and non-breaking spaces) and drops invisible
/// characters scraped pages carry.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().filter(|&c| !crate::text::is_invisible(c)));
    }
    out
}

/// `宜春市2022年统计公报 _ 中国宜春` → `宜春市2022年统计公报`.
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    for sep in [" _ ", "_", " - ", "-", "|"] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if site.is_none_or(|s| tail.trim() == s) && !head.trim().is_empty() {
                return head.trim().to_string();
            }
        }
    }
    title.to_string()
}

/// The address a browser-saved page came from: `<!-- saved from url=(0084)http://… -->`.
fn saved_from_url(page: &str) -> Option<String> {
    // The first 2 KiB, cut at a character boundary.
    let mut end = page.len().min(2048);
    while !page.is_char_boundary(end) {
        end -= 1;
    }
    let head = &page[..end];
    let at = head.find("saved from url=")?;
    let rest = &head[at..];
    let start = rest.find("http")?;
    let url: String = rest[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (!url.is_empty()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html>
<!-- saved from url=(0060)http://www.example.gov.cn/tjgb/202305/abc.shtml -->
<html><head>
<meta name="SiteName" content="万载县人民政府">
<meta name="ColumnName" content="统计公报">
<meta name="ArticleTitle" content="万载县2022年国民经济和社会发展统计公报">
<meta name="PubDate" content="2023-08-16 10:33:59">
<meta name="ContentSource" content="万载县统计局">
<meta name="Keywords" content="">
<title>万载县2022年国民经济和社会发展统计公报 _ 万载县人民政府</title>
<script>var menu = "首页";</script>
</head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a></div>
<div class="article-content article-content-body">
<p>　　2022年，全县上下坚持稳中求进工作总基调。</p>
<p>　　全年地区生产总值增长4.5%。</p>
<table><tr><td>指标</td><td>数值</td></tr></table>
</div>
<div class="footer">版权所有 万载县人民政府</div>
</body></html>"#;

    #[test]
    fn meta_tags_and_content_without_chrome() {
        let article = parse_html(PAGE).unwrap();
        assert_eq!(article.title, "万载县2022年国民经济和社会发展统计公报");
        assert_eq!(
            article.meta.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2023-08-16T10:33:59+08:00")
        );
        assert_eq!(article.meta.source.as_deref(), Some("万载县统计局"));
        assert_eq!(article.meta.column.as_deref(), Some("统计公报"));
        assert_eq!(article.meta.site.as_deref(), Some("万载县人民政府"));
        assert_eq!(
            article.meta.url.as_deref(),
            Some("http://www.example.gov.cn/tjgb/202305/abc.shtml")
        );
        assert!(article.meta.keywords.is_empty(), "an empty Keywords meta is no keyword");
        assert_eq!(
            article.body,
            "2022年，全县上下坚持稳中求进工作总基调。\n全年地区生产总值增长4.5%。\n指标 数值"
        );
    }

    #[test]
    fn deeply_nested_markup_is_read_not_a_stack_overflow() {
        let deep = format!("<p>正文开始{}深处的字", "<b>".repeat(100_000));
        assert_eq!(fragment_text(&deep), "正文开始深处的字");
        let page = format!(
            "<html><head><meta name=\"ArticleTitle\" content=\"标题\"></head><body><div id=\"zoom\"><p>正文第一段的内容足够长，超过二十个字符的阈值。</p>{}</div></body></html>",
            "<span>".repeat(100_000)
        );
        let article = parse_html(&page).unwrap();
        assert!(article.body.starts_with("正文第一段"), "{}", article.body);
    }

    #[test]
    fn the_saved_from_url_survives_a_character_across_byte_2048() {
        // The comment's URL comes before byte 2048; a three-byte character straddles it.
        let mut page = String::from("<!-- saved from url=(0040)http://www.yicheng.gov.cn/art/1.html -->\n<html><head><title>标题</title></head><body>");
        while page.len() < 2047 {
            page.push('a');
        }
        page.push_str("字</body></html>");
        assert!(!page.is_char_boundary(2048));
        assert_eq!(
            saved_from_url(&page).as_deref(),
            Some("http://www.yicheng.gov.cn/art/1.html")
        );
    }

    #[test]
    fn a_tag_with_too_many_attributes_is_not_parsed() {
        let attributes: Vec<String> = (0..=MAX_ATTRIBUTES).map(|i| format!("a{i}=\"x y>\"")).collect();
        let html = format!("<p {}>正文</p>", attributes.join(" "));
        assert!(too_many_attributes(&html));
        assert!(!too_many_attributes("<p class=\"a b c\" id='x y' hidden>正文</p>"));
        assert_eq!(fragment_text(&html), "正文");
    }

    #[test]
    fn fragment_paragraphs_become_lines() {
        assert_eq!(
            fragment_text("<p>　　第一段。</p><P>第二段<BR>第三行</P>"),
            "第一段。\n第二段\n第三行"
        );
    }
}
