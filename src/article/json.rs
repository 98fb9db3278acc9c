//! JSON and JSON Lines from crawlers: one article per object.
//!
//! The records of a file are: the objects of a top-level array; a lone object that has a
//! title; or else the largest array of objects inside a lone object (`{"videoList": […]}`);
//! or, when the file is not one JSON value, one object per line (JSON Lines).
//!
//! Each field is looked up by a list of names ([`FieldMap`]): at the top of the record, then
//! one object down (`detail.title`), unless a dotted path is given (`--field
//! body=detail.content`). Bodies stored as HTML are reduced to their text.

use serde_json::Value;

use super::text::split_keywords;
use serde::Deserializer as _;

use super::{Article, Records};
use crate::dates::{in_china, parse_datetime_prefix};

/// Where the fields of a JSON record are: for each field, names or dotted paths tried in
/// order. A plain name is looked for at the top of the record, then one object down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap {
    /// The headline.
    pub title: Vec<String>,
    /// The publish time (`2022-05-10 12:36:57`, `2022年5月10日`, or seconds / milliseconds
    /// since 1970).
    pub published: Vec<String>,
    /// The source (来源).
    pub source: Vec<String>,
    /// The editor.
    pub editor: Vec<String>,
    /// Keywords: a list, or one string split at commas, spaces and 、.
    pub keywords: Vec<String>,
    /// The text, plain or HTML.
    pub body: Vec<String>,
    /// The address.
    pub url: Vec<String>,
    /// The column (栏目).
    pub column: Vec<String>,
    /// The site.
    pub site: Vec<String>,
    /// The document number (文号).
    pub doc_number: Vec<String>,
    /// The 索引号 of a 信息公开 document.
    pub index_number: Vec<String>,
    /// The issuing office (发文机关).
    pub issuer: Vec<String>,
    /// The date it was written (成文日期).
    pub written: Vec<String>,
    /// Its subject class (主题分类).
    pub topic: Vec<String>,
    /// How it is disclosed (公开方式).
    pub disclosure: Vec<String>,
    /// Whether it is in force (有效性).
    pub validity: Vec<String>,
    /// Its last day in force (有效期至).
    pub valid_until: Vec<String>,
}

impl FieldMap {
    /// The fields of the 信息公开 metadata table, by their names here.
    fn disclosure_fields(&self) -> [(&'static str, &[String]); 7] {
        [
            ("index_number", &self.index_number),
            ("issuer", &self.issuer),
            ("written", &self.written),
            ("topic", &self.topic),
            ("disclosure", &self.disclosure),
            ("validity", &self.validity),
            ("valid_until", &self.valid_until),
        ]
    }
}

impl Default for FieldMap {
    fn default() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        FieldMap {
            title: names(&["title", "contenttitle", "headline"]),
            published: names(&[
                "published",
                "pubtime",
                "pub_date",
                "pubDate",
                "publish_time",
                "date",
                "time",
            ]),
            source: names(&["source", "ContentSource"]),
            editor: names(&["editor", "author"]),
            keywords: names(&["keywords", "tags", "tag", "subject_words", "主题词"]),
            body: names(&["body", "content", "article", "text"]),
            url: names(&["url", "urlsource", "link"]),
            column: names(&["column", "channel"]),
            site: names(&["site", "site_name"]),
            doc_number: names(&["doc_number", "fileno", "文号", "发文字号"]),
            index_number: names(&["index_number", "索引号"]),
            issuer: names(&["issuer", "发文机关", "发布机构"]),
            written: names(&["written", "成文日期"]),
            topic: names(&["topic", "主题分类"]),
            disclosure: names(&["disclosure", "公开方式"]),
            validity: names(&["validity", "有效性"]),
            valid_until: names(&["valid_until", "有效期至"]),
        }
    }
}

impl FieldMap {
    /// Applies `field=path[,path…]` (for example `body=detail.content`): the field is looked
    /// up at these paths only.
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let (field, paths) = spec
            .split_once('=')
            .ok_or_else(|| format!("bad field mapping {spec:?}: expected FIELD=PATH, such as body=detail.content"))?;
        let paths: Vec<String> = paths
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        let slot = match field.trim() {
            "title" => &mut self.title,
            "published" => &mut self.published,
            "source" => &mut self.source,
            "editor" => &mut self.editor,
            "keywords" => &mut self.keywords,
            "body" => &mut self.body,
            "url" => &mut self.url,
            "column" => &mut self.column,
            "site" => &mut self.site,
            "doc_number" => &mut self.doc_number,
            "index_number" => &mut self.index_number,
            "issuer" => &mut self.issuer,
            "written" => &mut self.written,
            "topic" => &mut self.topic,
            "disclosure" => &mut self.disclosure,
            "validity" => &mut self.validity,
            "valid_until" => &mut self.valid_until,
            other => {
                return Err(format!(
                    "unknown field {other:?}: expected title, published, source, editor, keywords, body, url, column, site, doc_number, index_number, issuer, written, topic, disclosure, validity or valid_until"
                ))
            }
        };
        if paths.is_empty() {
            return Err(format!("bad field mapping {spec:?}: no path"));
        }
        *slot = paths;
        Ok(())
    }
}

/// Reads the records of a JSON or JSON Lines file.
pub(crate) fn parse_json(text: &str, fields: &FieldMap) -> Result<Vec<super::Record>, String> {
    // A list is read one record at a time: no tree of the whole file is held, only articles.
    if text.trim_start().starts_with('[') {
        let mut records = Records::default();
        let mut reader = serde_json::Deserializer::from_str(text);
        let read = reader
            .deserialize_seq(EachRecord {
                fields,
                records: &mut records,
            })
            .and_then(|()| reader.end());
        if read.is_ok() {
            return Ok(records.into_vec());
        }
    }
    let records: Vec<Result<Value, String>> = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items.into_iter().map(Ok).collect(),
        Ok(object @ Value::Object(_)) => {
            if lookup(&object, &fields.title).is_some() {
                vec![Ok(object)]
            } else {
                largest_array(object).ok_or("a JSON object with no title and no list of records")?
            }
        }
        Ok(_) => return Err("JSON that is neither an object nor a list of objects".to_string()),
        Err(whole) => {
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            if lines.len() < 2 {
                return Err(format!("invalid JSON: {whole}"));
            }
            lines
                .iter()
                .enumerate()
                .map(|(n, line)| serde_json::from_str(line).map_err(|e| format!("line {}: invalid JSON: {e}", n + 1)))
                .collect()
        }
    };
    let mut out = Records::default();
    for record in records {
        out.push(record.and_then(|r| to_article(&r, fields)));
    }
    Ok(out.into_vec())
}

/// Reads a JSON list record by record into articles.
struct EachRecord<'a> {
    fields: &'a FieldMap,
    records: &'a mut Records,
}

impl<'de> serde::de::Visitor<'de> for EachRecord<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            self.records.push(to_article(&value, self.fields));
        }
        Ok(())
    }
}

/// The largest array of objects among an object's values, as records.
fn largest_array(object: Value) -> Option<Vec<Result<Value, String>>> {
    let Value::Object(map) = object else { return None };
    map.into_iter()
        .filter_map(|(_, v)| match v {
            Value::Array(items) if items.iter().any(Value::is_object) => Some(items),
            _ => None,
        })
        .max_by_key(Vec::len)
        .map(|items| items.into_iter().map(Ok).collect())
}

fn to_article(record: &Value, fields: &FieldMap) -> Result<Article, String> {
    if !record.is_object() {
        return Err("not a JSON object".to_string());
    }
    let text = |paths: &[String]| lookup(record, paths).and_then(as_text);
    let missing = |what: &str, paths: &[String]| {
        format!(
            "no {what}: no text at {} (the record has {})",
            paths.join(", "),
            record_fields(record)
        )
    };
    let title = text(&fields.title).ok_or_else(|| missing("title", &fields.title))?;
    let body = text(&fields.body).map(|b| {
        if looks_like_html(&b) {
            super::html_fragment_text(&b)
        } else {
            tidy_lines(&b)
        }
    });
    let body = body
        .filter(|b| !b.is_empty())
        .ok_or_else(|| missing("body", &fields.body))?;
    let mut article = Article::titled(&title);
    article.body = body;
    article.meta.published = lookup(record, &fields.published).and_then(as_datetime);
    article.meta.source = text(&fields.source);
    article.meta.editor = text(&fields.editor);
    article.meta.url = text(&fields.url);
    article.meta.column = text(&fields.column);
    article.meta.site = text(&fields.site);
    article.meta.doc_number = text(&fields.doc_number);
    for (name, paths) in fields.disclosure_fields() {
        if let Some(value) = text(paths) {
            super::disclosure::fill_named(&mut article.meta, name, &value);
        }
    }
    let keywords: Vec<String> = match lookup(record, &fields.keywords) {
        Some(Value::Array(items)) => items.iter().filter_map(as_text).collect(),
        Some(value) => as_text(value)
            .map(|s| split_keywords(&s).map(str::to_string).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    for keyword in keywords {
        if !article.meta.keywords.contains(&keyword) {
            article.meta.keywords.push(keyword);
        }
    }
    Ok(article)
}

/// The fields of a record, for a message: its keys, and one object down as dotted paths.
fn record_fields(record: &Value) -> String {
    const SHOWN: usize = 16;
    let Some(object) = record.as_object() else {
        return "no fields".to_string();
    };
    let mut names = Vec::new();
    for (key, value) in object {
        match value.as_object() {
            Some(inner) if !inner.is_empty() => names.extend(inner.keys().map(|k| format!("{key}.{k}"))),
            _ => names.push(key.clone()),
        }
    }
    match names.len() {
        0 => "no fields".to_string(),
        n if n > SHOWN => format!("{}, … {} more", names[..SHOWN].join(", "), n - SHOWN),
        _ => names.join(", "),
    }
}

/// The first of `paths` that holds a value: a dotted path exactly, a plain name at the top of
/// the record or one object down.
fn lookup<'a>(record: &'a Value, paths: &[String]) -> Option<&'a Value> {
    paths.iter().find_map(|path| {
        if path.contains('.') {
            return path
                .split('.')
                .try_fold(record, |v, key| v.get(key))
                .filter(|v| !v.is_null());
        }
        record.get(path).filter(|v| !v.is_null()).or_else(|| {
            record
                .as_object()?
                .values()
                .filter(|v| v.is_object())
                .find_map(|inner| inner.get(path).filter(|v| !v.is_null()))
        })
    })
}

/// A string or number as trimmed text without invisible characters; `None` when empty.
fn as_text(value: &Value) -> Option<String> {
    let raw = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    // Control characters (JSON can carry \u0000) are dropped: a facet value cut at a NUL, or a
    // terminal rewritten by an escape, is not text anyone wrote. Line breaks stay.
    let cleaned: String = raw
        .chars()
        .filter(|&c| !crate::text::is_invisible(c) && (!c.is_control() || c == '\n' || c == '\t'))
        .collect();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// A date string, or seconds or milliseconds since 1970.
fn as_datetime(value: &Value) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    match value {
        Value::Number(n) => {
            let n = n.as_i64()?;
            let secs = if n > 100_000_000_000 { n / 1000 } else { n };
            chrono::DateTime::from_timestamp(secs, 0).map(|d| d.with_timezone(&crate::dates::china()))
        }
        Value::String(s) => parse_datetime_prefix(s.trim()).map(|(when, _)| in_china(when)),
        _ => None,
    }
}

fn looks_like_html(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["<p", "<br", "<div", "</p>", "<span", "<table"]
        .iter()
        .any(|tag| lower.contains(tag))
}

/// Plain text with its lines trimmed and empty lines dropped.
fn tidy_lines(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace()))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<super::super::Record> {
        parse_json(text, &FieldMap::default()).unwrap()
    }

    #[test]
    fn jsonl_with_nested_detail_and_html_content() {
        let text = r#"{"num": 1, "pub_date": "2021-01-01 19:10:02", "detail": {"title": "[视频]标题一", "source": "央视网", "pubtime": "2021-01-01 19:10:02", "tag": "乡村振兴,营商环境", "content": "<p>　　第一段。</p><p>第二段。</p>"}}
{"num": 2, "detail": {"title": "标题二", "content": ""}}"#;
        let records = parse(text);
        let first = records[0].as_ref().unwrap();
        assert_eq!(first.title, "[视频]标题一");
        assert_eq!(first.meta.source.as_deref(), Some("央视网"));
        assert_eq!(first.meta.keywords, ["乡村振兴", "营商环境"]);
        assert_eq!(first.body, "第一段。\n第二段。");
        assert_eq!(
            first.meta.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2021-01-01T19:10:02+08:00")
        );
        let reason = records[1].as_ref().unwrap_err();
        assert!(
            reason.starts_with("record 2: no body: no text at body, content, article, text (the record has "),
            "{reason}"
        );
    }

    #[test]
    fn a_list_of_millions_keeps_the_first_reasons_and_counts_the_rest() {
        let text = format!(
            "[{}, {{\"title\": \"标题\", \"content\": \"正文\"}}]",
            vec!["{}"; 1500].join(",")
        );
        let records = parse(&text);
        assert_eq!(records.len(), 1501);
        assert!(records[..1000]
            .iter()
            .all(|r| r.as_ref().is_err_and(|e| e.starts_with("record "))));
        assert!(records[1000..1500]
            .iter()
            .all(|r| r.as_ref().is_err_and(String::is_empty)));
        assert_eq!(records[1500].as_ref().unwrap().title, "标题");
    }

    #[test]
    fn array_of_records_and_invisible_characters() {
        let text = r#"[{"urlsource": "http://zyj.beijing.gov.cn/a.html", "title": "通知", "date": "2021-01-06", "source": "\u200b北京市中医管理局", "article": "<div><p>正文。</p></div>"}, {"title": "无正文", "article": null}]"#;
        let records = parse(text);
        let first = records[0].as_ref().unwrap();
        assert_eq!(first.meta.source.as_deref(), Some("北京市中医管理局"));
        assert_eq!(first.meta.url.as_deref(), Some("http://zyj.beijing.gov.cn/a.html"));
        assert_eq!(first.body, "正文。");
        assert!(records[1].is_err());
    }

    #[test]
    fn records_inside_a_wrapper_object_and_a_custom_mapping() {
        let text = r#"{"total": 2, "videoList": [{"video_detail": {"title": "甲", "content": "正文甲"}}, {"video_detail": {"title": "乙", "content": "正文乙"}}]}"#;
        let records = parse(text);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].as_ref().unwrap().title, "乙");
        let mut fields = FieldMap::default();
        fields.set("title=video_detail.content").unwrap();
        let mapped = parse_json(text, &fields).unwrap();
        assert_eq!(mapped[0].as_ref().unwrap().title, "正文甲");
        assert!(fields.set("bodyy=x").is_err());
    }
}
