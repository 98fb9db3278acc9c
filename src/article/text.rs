//! Plain-text releases: the layout local government sites publish, and the header-block
//! layout archivers and crawlers write.
//!
//! The reference layout:
//!
//! ```text
//! <title>
//!
//! 2022-05-10 12:36:57 来源:鲁网 大字体 小字体 扫码带走      <- date, source, toolbar
//! 打印
//!
//!   <paragraphs, indented>
//!
//! 责任编辑:杜伟                                               <- editor
//! 新闻关键词:枣庄市峄城区                                       <- keywords
//! ```
//!
//! Real sites vary: `：` for `:`, `发布时间：`, `2022年05月10日 12:36`, `作者：`/`编辑：`, no
//! toolbar, no editor, several keywords split by spaces, `，`, `、` or `;`. A field the file
//! does not have is absent, never an empty string or 1970.
//!
//! The header-block layout starts with `标题:` or `title:` and labelled lines (`发布时间:`,
//! `发布机构:`, `栏目:`, `文号:`, `原文链接:`, or `url:`, `author:`), then the body after a
//! `==== 正文 ====` line, a `content:` line, or the first line that is not a label.

use super::{Article, NotAnArticle};
use crate::dates::{in_china, parse_datetime_prefix};

/// Labels of metadata fields, longest first so that 责任编辑 wins over 编辑.
const LABELS: &[(&str, Field)] = &[
    ("新闻关键词", Field::Keywords),
    ("责任编辑", Field::Editor),
    ("发布时间", Field::Date),
    ("发布日期", Field::Date),
    ("发布机构", Field::Source),
    ("发文字号", Field::DocNumber),
    ("原文链接", Field::Url),
    ("关键词", Field::Keywords),
    ("关键字", Field::Keywords),
    ("来源", Field::Source),
    ("作者", Field::Editor),
    ("编辑", Field::Editor),
    ("时间", Field::Date),
    ("日期", Field::Date),
    ("栏目", Field::Column),
    ("文号", Field::DocNumber),
];

/// Labels of the header-block layout that are not in [`LABELS`].
const HEADER_LABELS: &[(&str, Field)] = &[
    ("标题", Field::Title),
    ("title", Field::Title),
    ("url", Field::Url),
    ("link", Field::Url),
    ("date", Field::Date),
    ("pubtime", Field::Date),
    ("published", Field::Date),
    ("source", Field::Source),
    // Crawler exports put the publishing site under `author` (国务院新闻办公室网站).
    ("author", Field::Source),
    ("editor", Field::Editor),
    ("keywords", Field::Keywords),
    ("column", Field::Column),
    ("site", Field::Site),
    ("站点", Field::Site),
    ("content", Field::Body),
    ("正文", Field::Body),
];

/// Page furniture that scrapers copy along with the text.
const TOOLBAR: &[&str] = &[
    "大字体",
    "中字体",
    "小字体",
    "扫码带走",
    "打印",
    "【打印】",
    "[打印]",
    "关闭",
    "【关闭】",
    "分享",
    "字号：",
    "字号:",
    "字体：",
    "字体:",
    "【大",
    "大",
    "中",
    "小",
    "小】",
];

/// A trailer label line longer than this is a paragraph that happens to start with a label.
const MAX_LABEL_LINE_CHARS: usize = 80;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Title,
    Date,
    Source,
    Editor,
    Keywords,
    Column,
    DocNumber,
    Url,
    Site,
    Body,
}

/// Reads an article from the text of a file in either plain-text layout, with the lines of
/// a 信息公开 metadata table (a label a line) read as its fields.
pub(crate) fn parse_text(text: &str) -> Result<Article, NotAnArticle> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().map(trim_line).collect();
    let filled: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].is_empty()).collect();
    let cells: Vec<&str> = filled.iter().map(|&i| lines[i]).collect();
    let table = super::disclosure::read(&cells);
    let rest = match &table {
        Some(table) => {
            let used: std::collections::HashSet<usize> = table.used.iter().map(|&cell| filled[cell]).collect();
            let kept: Vec<&str> = (0..lines.len())
                .filter(|i| !used.contains(i))
                .map(|i| lines[i])
                .collect();
            std::borrow::Cow::Owned(kept.join("\n"))
        }
        None => std::borrow::Cow::Borrowed(text),
    };
    let first = rest.lines().map(trim_line).find(|l| !l.is_empty());
    let mut article = match first.and_then(|line| split_header_label(line)) {
        Some((Field::Title, _)) => parse_header_block(&rest),
        _ => parse_article(&rest),
    }?;
    if let Some(table) = table {
        table.fill(&mut article.meta);
    }
    Ok(article)
}

/// Reads an article from the text of a file in the release layout: a title line, header
/// lines with a date and `label:value` fields, paragraphs, then `责任编辑:` and `新闻关键词:`.
///
/// ```
/// let text = "峄城区召开会议\n\n2022-05-10 12:36:57 来源:鲁网 大字体 小字体\n\n会议在峄城召开。\n\n责任编辑:杜伟\n新闻关键词:峄城 会议\n";
/// let article = govsearch::parse_article(text).unwrap();
/// assert_eq!(article.title, "峄城区召开会议");
/// assert_eq!(article.meta.source.as_deref(), Some("鲁网"));
/// assert_eq!(article.meta.keywords, ["峄城", "会议"]);
/// assert_eq!(article.body, "会议在峄城召开。");
/// assert!(govsearch::parse_article("只有标题\n").is_err());
/// ```
pub fn parse_article(text: &str) -> Result<Article, NotAnArticle> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut lines = text.lines().map(trim_line);
    let Some(title) = lines.by_ref().find(|l| !l.is_empty()) else {
        return Err(NotAnArticle::Empty);
    };
    let mut article = Article::titled(title);
    let mut paragraphs: Vec<&str> = Vec::new();
    for line in lines {
        if line.is_empty() || is_toolbar_line(line) {
            continue;
        }
        if paragraphs.is_empty() && read_meta_line(line, &mut article) {
            continue;
        }
        if read_label_line(line, &mut article) {
            continue;
        }
        paragraphs.push(line);
    }
    if paragraphs.is_empty() {
        return Err(NotAnArticle::NoBody);
    }
    article.body = paragraphs.join("\n");
    Ok(article)
}

/// Reads the header-block layout: labelled lines, then the body.
fn parse_header_block(text: &str) -> Result<Article, NotAnArticle> {
    let lines: Vec<&str> = text.lines().map(trim_line).collect();
    let separator = lines.iter().position(|l| is_body_separator(l));
    let mut article = Article::titled("");
    let mut body: Vec<&str> = Vec::new();
    let mut in_body = false;
    for (i, &line) in lines.iter().enumerate() {
        if in_body || separator.is_some_and(|s| i > s) {
            if !line.is_empty() {
                body.push(line);
            }
            continue;
        }
        if line.is_empty() || separator == Some(i) {
            continue;
        }
        match split_header_label(line) {
            Some((Field::Body, rest)) => {
                in_body = true;
                if !rest.trim().is_empty() {
                    body.push(rest.trim());
                }
            }
            Some((Field::Title, value)) => article.title = value.trim().to_string(),
            Some((Field::Date, value)) => {
                if let Some((when, _)) = parse_datetime_prefix(value.trim()) {
                    set_field(&mut article, Field::Date, Value::Date(when));
                }
            }
            Some((field, value)) => set_field(&mut article, field, Value::Text(value)),
            // A note between the labels and a separator; without a separator, the body.
            None if separator.is_some() => {}
            None => {
                in_body = true;
                body.push(line);
            }
        }
    }
    NotAnArticle::check(&article.title, if body.is_empty() { "" } else { body[0] })?;
    article.body = body.join("\n");
    Ok(article)
}

/// `==================== 正文 ====================` and the like.
fn is_body_separator(line: &str) -> bool {
    let inner = line.trim_matches(|c: char| matches!(c, '=' | '-' | '*' | ' '));
    inner.len() < line.len()
        && matches!(inner, "正文" | "内容" | "content" | "")
        && line.chars().filter(|&c| c == '=' || c == '-').count() >= 6
}

/// Splits `label: value` for a label of either layout (ASCII labels in any case).
fn split_header_label(line: &str) -> Option<(Field, &str)> {
    if let Some(found) = split_label(line) {
        return Some(found);
    }
    HEADER_LABELS.iter().find_map(|&(label, field)| {
        let head = line.get(..label.len())?;
        if !head.eq_ignore_ascii_case(label) {
            return None;
        }
        let rest = line[label.len()..].trim_start();
        let value = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))?;
        Some((field, value))
    })
}

/// Trims whitespace, including the U+2003 and U+3000 that indent paragraphs.
fn trim_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
}

fn is_toolbar_line(line: &str) -> bool {
    line.split_whitespace().all(|piece| TOOLBAR.contains(&piece))
}

/// Splits `label:value` (ASCII or full-width colon) for a known label.
fn split_label(piece: &str) -> Option<(Field, &str)> {
    LABELS.iter().find_map(|&(label, field)| {
        let rest = piece.strip_prefix(label)?;
        let rest = rest.trim_start();
        let value = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))?;
        Some((field, value))
    })
}

/// A header line: a date, labelled fields and toolbar words, nothing else. Fills the fields
/// it finds and returns true; leaves the article alone and returns false for anything else.
fn read_meta_line(line: &str, article: &mut Article) -> bool {
    let mut found = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some((when, after)) = parse_datetime_prefix(rest) {
            found.push((Field::Date, Value::Date(when)));
            rest = after;
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let piece = &rest[..end];
        if let Some((field, value)) = split_label(piece) {
            let value_start = end - value.len();
            if field == Field::Date {
                // 发布时间：2022-05-10 10:30, with or without a space after the colon.
                let after_label = rest[value_start..].trim_start();
                match parse_datetime_prefix(after_label) {
                    Some((when, after)) => {
                        found.push((field, Value::Date(when)));
                        rest = after;
                        continue;
                    }
                    None => return false,
                }
            }
            if value.is_empty() {
                // 来源： 鲁网: the value is the next piece.
                let after = rest[end..].trim_start();
                let next_end = after.find(char::is_whitespace).unwrap_or(after.len());
                if next_end == 0 {
                    return false;
                }
                found.push((field, Value::Text(&after[..next_end])));
                rest = &after[next_end..];
                continue;
            }
            found.push((field, Value::Text(value)));
            rest = &rest[end..];
            continue;
        }
        if TOOLBAR.contains(&piece) {
            rest = &rest[end..];
            continue;
        }
        return false;
    }
    if found.is_empty() {
        return false;
    }
    for (field, value) in found {
        set_field(article, field, value);
    }
    true
}

/// A trailer line such as `责任编辑:杜伟` or `新闻关键词:枣庄市峄城区`, wherever it stands.
fn read_label_line(line: &str, article: &mut Article) -> bool {
    if line.chars().count() > MAX_LABEL_LINE_CHARS {
        return false;
    }
    let Some((field, value)) = split_label(line) else {
        return false;
    };
    let value = value.trim();
    match field {
        Field::Date => match parse_datetime_prefix(value) {
            Some((when, rest)) if rest.trim().is_empty() => set_field(article, field, Value::Date(when)),
            _ => return false,
        },
        _ => set_field(article, field, Value::Text(value)),
    }
    true
}

enum Value<'a> {
    Date(chrono::NaiveDateTime),
    Text(&'a str),
}

fn set_field(article: &mut Article, field: Field, value: Value<'_>) {
    match (field, value) {
        (Field::Date, Value::Date(when)) => {
            article.meta.published.get_or_insert(in_china(when));
        }
        (Field::Keywords, Value::Text(text)) => {
            for keyword in split_keywords(text) {
                if !article.meta.keywords.iter().any(|k| k == keyword) {
                    article.meta.keywords.push(keyword.to_string());
                }
            }
        }
        (Field::Source, Value::Text(text)) => set_text(&mut article.meta.source, text),
        (Field::Editor, Value::Text(text)) => set_text(&mut article.meta.editor, text),
        (Field::Column, Value::Text(text)) => set_text(&mut article.meta.column, text),
        (Field::DocNumber, Value::Text(text)) => set_text(&mut article.meta.doc_number, text),
        (Field::Url, Value::Text(text)) => set_text(&mut article.meta.url, text),
        (Field::Site, Value::Text(text)) => set_text(&mut article.meta.site, text),
        _ => {}
    }
}

/// Keeps the first non-empty value of a field.
fn set_text(slot: &mut Option<String>, text: &str) {
    let text = text.trim();
    if slot.is_none() && !text.is_empty() {
        *slot = Some(text.to_string());
    }
}

/// Splits a keyword line on whitespace, commas, 、 and semicolons.
pub(crate) fn split_keywords(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Article {
        parse_article(text).unwrap_or_else(|e| panic!("not an article ({e}):\n{text}"))
    }

    #[test]
    fn seed_layout_with_every_field() {
        let text = "标题一\n\n2022-05-10 12:36:57 来源:鲁网 大字体 小字体 扫码带走\n打印\n\n\u{2003}\u{2003}第一段。\n\n\u{2003}\u{2003}第二段。\n\n责任编辑:杜伟\n新闻关键词:枣庄市峄城区\n";
        let article = parse(text);
        assert_eq!(article.title, "标题一");
        assert_eq!(
            article.meta.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2022-05-10T12:36:57+08:00")
        );
        assert_eq!(article.meta.source.as_deref(), Some("鲁网"));
        assert_eq!(article.meta.editor.as_deref(), Some("杜伟"));
        assert_eq!(article.meta.keywords, ["枣庄市峄城区"]);
        assert_eq!(article.body, "第一段。\n第二段。");
    }

    #[test]
    fn full_width_colons_chinese_dates_and_several_keywords() {
        let text = "标题\n2023年03月08日 09:30 来源：峄城区融媒体中心\n　　正文。\n责任编辑：王芳\n新闻关键词：乡村振兴，营商环境、 招商引资;乡村振兴\n";
        let article = parse(text);
        assert_eq!(
            article.meta.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2023-03-08T09:30:00+08:00")
        );
        assert_eq!(article.meta.source.as_deref(), Some("峄城区融媒体中心"));
        assert_eq!(article.meta.editor.as_deref(), Some("王芳"));
        assert_eq!(article.meta.keywords, ["乡村振兴", "营商环境", "招商引资"]);
        assert_eq!(article.body, "正文。");
    }

    #[test]
    fn labelled_header_fields_and_toolbar_on_one_line() {
        let text =
            "标题\n发布时间：2021-11-02 16:00 来源： 县政府网站 作者：李明 大字体 小字体 扫码带走 打印\n  正文。\n";
        let article = parse(text);
        assert_eq!(
            article.meta.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2021-11-02T16:00:00+08:00")
        );
        assert_eq!(article.meta.source.as_deref(), Some("县政府网站"));
        assert_eq!(article.meta.editor.as_deref(), Some("李明"));
        assert_eq!(article.body, "正文。");
    }

    #[test]
    fn missing_fields_are_absent_not_empty() {
        let article = parse("标题\n\n正文第一段。\n正文第二段。\n");
        assert_eq!(article.meta.published, None);
        assert_eq!(article.meta.source, None);
        assert_eq!(article.meta.editor, None);
        assert!(article.meta.keywords.is_empty());
        assert_eq!(article.body, "正文第一段。\n正文第二段。");
        let no_value = parse("标题\n来源:鲁网\n正文。\n责任编辑:\n新闻关键词：\n");
        assert_eq!(no_value.meta.editor, None);
        assert!(no_value.meta.keywords.is_empty());
    }

    #[test]
    fn a_paragraph_starting_with_a_date_stays_body() {
        let article = parse("标题\n2022年5月10日，全区召开会议。\n");
        assert_eq!(article.meta.published, None);
        assert_eq!(article.body, "2022年5月10日，全区召开会议。");
    }

    #[test]
    fn header_block_with_separator() {
        let text = "标题: 平潭去年接待游客1200万人次\n发布时间: 2026-01-19 17:41\n文号: \n发布机构: 平潭网\n栏目: 文旅信息\n原文链接: https://example.gov.cn/a.htm\n页面链接与图片详见 links.tsv(同目录)\n==================== 正文 ====================\n近日，记者从平潭获悉。\n";
        let article = parse_text(text).unwrap();
        assert_eq!(article.title, "平潭去年接待游客1200万人次");
        assert_eq!(
            article.meta.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-01-19T17:41:00+08:00")
        );
        assert_eq!(article.meta.source.as_deref(), Some("平潭网"));
        assert_eq!(article.meta.column.as_deref(), Some("文旅信息"));
        assert_eq!(article.meta.doc_number, None, "an empty 文号 is absent");
        assert_eq!(article.meta.url.as_deref(), Some("https://example.gov.cn/a.htm"));
        assert_eq!(article.body, "近日，记者从平潭获悉。");
    }

    #[test]
    fn header_block_with_content_label() {
        let text = "title: 外交部就有关问题答问\nurl: http://www.scio.gov.cn/x.htm\nauthor: 国务院新闻办公室网站\ncontent: \n问：有何回应？\n答：\n我们注意到了有关报道。\n";
        let article = parse_text(text).unwrap();
        assert_eq!(article.title, "外交部就有关问题答问");
        assert_eq!(article.meta.source.as_deref(), Some("国务院新闻办公室网站"));
        assert_eq!(article.meta.url.as_deref(), Some("http://www.scio.gov.cn/x.htm"));
        assert_eq!(article.body, "问：有何回应？\n答：\n我们注意到了有关报道。");
        assert_eq!(article.meta.published, None);
    }

    #[test]
    fn not_articles() {
        assert_eq!(parse_article(" \n\u{3000}\n"), Err(NotAnArticle::Empty));
        assert_eq!(
            parse_article("只有标题\n2022-05-10 来源:鲁网\n打印\n"),
            Err(NotAnArticle::NoBody)
        );
    }
}
