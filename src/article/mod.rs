//! Reading articles from files: the only module that knows input layouts and encodings.
//!
//! A file is decoded ([`decode`]: UTF-8, UTF-16 by BOM, GBK as GB18030), its layout detected
//! (or forced), and read into one or more [`Article`]s:
//!
//! | layout | files | reader |
//! |---|---|---|
//! | [`Layout::Text`] | `.txt`: the release layout, or a `标题:`/`title:` header block | [`text`] |
//! | [`Layout::Html`] | `.html`, `.htm`, `.shtml`: saved 政府网站 pages with their meta tags | [`html`] |
//! | [`Layout::Json`] | `.json`, `.jsonl`: crawler records, one article per object | [`json`] |
//! | [`Layout::Xml`] | `.xml`, `.dat`: `<doc>` records (SogouCA-style dumps) | [`xml`] |
//! | [`Layout::Pdf`], [`Layout::Docx`], [`Layout::Ofd`] | attachments (附件): `.pdf` with a text layer, `.docx`, `.ofd` | [`attachment`] |

mod attachment;
mod decode;
pub(crate) mod disclosure;
mod html;
mod json;
mod text;
mod xml;

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

pub(crate) use attachment::is_attachment_name;
pub use disclosure::Force;
pub use json::FieldMap;
pub use text::parse_article;

/// A release as read from a file: what gets indexed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// The headline.
    pub title: String,
    /// Publish time, source, editor, keywords, column, site, document number and address.
    #[serde(flatten)]
    pub meta: Metadata,
    /// The text, one paragraph per line, without toolbar and metadata lines.
    pub body: String,
    /// The attachments (附件: PDF, Word, OFD, … files) the page links to, as its links give
    /// them; indexed beside the page, they carry its title and metadata as their parent's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// What is known of a release besides its title and text: shared by [`Article`] (what is
/// indexed) and [`Hit`](crate::Hit) (what a search shows), so a new field is added once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// When it was published, in China time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<FixedOffset>>,
    /// Who published it (来源, 发布机构).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The editor responsible (责任编辑, 编辑, 作者).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editor: Option<String>,
    /// The keywords the site tagged it with (新闻关键词), in order, without repeats.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The site's column (栏目, ColumnName).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The site it was published on (SiteName).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The document number of an official document (文号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    /// Where it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The 索引号 of a 政府信息公开 document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_number: Option<String>,
    /// The office that issued a document (发文机关).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// When a document was written and signed (成文日期), in China time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<DateTime<FixedOffset>>,
    /// The subject class a document is filed under (主题分类).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// How it is disclosed (公开方式: 主动公开, 依申请公开).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<String>,
    /// Whether a document is in force, as its page states it (有效性: 有效, 失效, 废止).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<String>,
    /// The last day a document is in force (有效期至).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// The page an attachment was published on, when it was indexed beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<Parent>,
}

/// The page an attachment (附件) was published on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parent {
    /// The page's article id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its address, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Metadata {
    /// Whether the document is in force on `today`, as far as its 有效性 and 有效期至 say.
    pub fn force(&self, today: NaiveDate) -> Option<Force> {
        Force::on(
            self.validity.as_deref().and_then(Force::stated),
            self.valid_until,
            today,
        )
    }
}

impl Article {
    pub(crate) fn titled(title: &str) -> Article {
        Article {
            title: title.to_string(),
            ..Article::default()
        }
    }
}

/// Why a text is not an article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotAnArticle {
    /// Nothing but whitespace.
    Empty,
    /// A title but no body after the metadata.
    NoBody,
    /// A body but no title.
    NoTitle,
}

impl NotAnArticle {
    /// What is missing when a reader found `title` and `body` (empty when missing).
    pub(crate) fn check(title: &str, body: &str) -> Result<(), NotAnArticle> {
        match (title.is_empty(), body.is_empty()) {
            (false, false) => Ok(()),
            (true, true) => Err(NotAnArticle::Empty),
            (true, false) => Err(NotAnArticle::NoTitle),
            (false, true) => Err(NotAnArticle::NoBody),
        }
    }
}

impl std::error::Error for NotAnArticle {}

impl std::fmt::Display for NotAnArticle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NotAnArticle::Empty => "empty",
            NotAnArticle::NoBody => "no article body after the title",
            NotAnArticle::NoTitle => "no title",
        })
    }
}

/// How a file is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Plain-text releases.
    Text,
    /// Saved web pages.
    Html,
    /// JSON or JSON Lines records.
    Json,
    /// `<doc>` records.
    Xml,
    /// A PDF attachment's text layer.
    Pdf,
    /// A Word (DOCX) attachment.
    Docx,
    /// An OFD attachment (GB/T 33190).
    Ofd,
}

impl Layout {
    /// All layouts.
    pub const ALL: [Layout; 7] = [
        Layout::Text,
        Layout::Html,
        Layout::Json,
        Layout::Xml,
        Layout::Pdf,
        Layout::Docx,
        Layout::Ofd,
    ];

    /// The layout's name, as `--layout` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Text => "text",
            Layout::Html => "html",
            Layout::Json => "json",
            Layout::Xml => "xml",
            Layout::Pdf => "pdf",
            Layout::Docx => "docx",
            Layout::Ofd => "ofd",
        }
    }

    /// Whether the layout is an attachment's, read from a binary file.
    pub fn is_attachment(self) -> bool {
        matches!(self, Layout::Pdf | Layout::Docx | Layout::Ofd)
    }

    /// The layout a file name promises, if its extension is one govsearch reads.
    pub fn from_extension(path: &Path) -> Option<Layout> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" => Layout::Text,
            "html" | "htm" | "shtml" => Layout::Html,
            "json" | "jsonl" | "ndjson" => Layout::Json,
            "xml" | "dat" => Layout::Xml,
            other => return attachment::layout_of(other),
        })
    }

    /// The layout the text itself shows: markup and JSON are recognised by their start.
    fn sniff(text: &str) -> Option<Layout> {
        let head = text.trim_start_matches('\u{FEFF}').trim_start();
        let end = head.char_indices().nth(64).map_or(head.len(), |(i, _)| i);
        let lower = head[..end].to_ascii_lowercase();
        if lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.starts_with("<!-- saved from") {
            Some(Layout::Html)
        } else if lower.starts_with("<doclist") || lower.starts_with("<doc>") || lower.starts_with("<?xml") {
            Some(Layout::Xml)
        } else if looks_like_json(head) {
            Some(Layout::Json)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Layout {
    type Err = String;

    fn from_str(s: &str) -> Result<Layout, String> {
        Layout::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown layout {s:?}: expected text, html, json, xml, pdf, docx or ofd"))
    }
}

/// How files are read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Read every file in this layout instead of detecting it.
    pub layout: Option<Layout>,
    /// Where the fields of JSON records are.
    pub fields: FieldMap,
}

/// What one file holds.
#[derive(Clone, Debug)]
pub struct FileArticles {
    /// The layout it was read as.
    pub layout: Layout,
    /// The encoding it was decoded from.
    pub encoding: &'static str,
    /// Its records in order: an article, or why the record is not one. Of the records that
    /// are not articles, the first thousand keep their reason and the others an empty one, so
    /// that a file of millions of them takes memory in proportion.
    pub records: Vec<Record>,
}

/// One record of a file: an article (boxed, so that a record that is not one costs a few
/// bytes, not an article's size), or why the record is not one.
pub type Record = Result<Box<Article>, String>;

/// The records of a file as they are read, each reason numbered; memory stays proportional
/// to the articles however many records fail.
#[derive(Debug, Default)]
pub(crate) struct Records {
    list: Vec<Record>,
    failures: usize,
}

impl Records {
    /// Reasons kept whole; later failed records keep an empty reason.
    const DETAILED_REASONS: usize = 1_000;

    /// The next record.
    pub(crate) fn push(&mut self, record: Result<Article, String>) {
        let number = self.list.len() + 1;
        self.list.push(match record {
            Ok(article) => Ok(Box::new(article)),
            Err(reason) => {
                self.failures += 1;
                Err(if self.failures <= Self::DETAILED_REASONS {
                    format!("record {number}: {reason}")
                } else {
                    String::new()
                })
            }
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn into_vec(self) -> Vec<Record> {
        self.list
    }
}

/// Articles larger than this are not read: no release is this long, a data dump is.
pub(crate) const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads one file: its articles, in the layout `options` give or the one it is detected in.
/// Errors with [`Error::NotRead`](crate::Error::NotRead), whose reason is one line, when the
/// file yields nothing to index.
pub fn read_file(path: &Path, options: &ReadOptions) -> crate::Result<FileArticles> {
    file_articles(path, options).map_err(|reason| crate::Error::NotRead {
        path: path.to_path_buf(),
        reason,
    })
}

/// [`read_file`], with the reason alone: what an indexing run records for a skipped file.
pub(crate) fn file_articles(path: &Path, options: &ReadOptions) -> Result<FileArticles, String> {
    if path.is_dir() {
        return Err("a folder, not a file (a folder is indexed, not parsed)".to_string());
    }
    let by_name = Layout::from_extension(path);
    if by_name.is_none() && options.layout.is_none() {
        let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
        if let Some(reason) = extension.as_deref().and_then(attachment::unread_format) {
            return Err(reason);
        }
        let ext = extension.map_or(String::new(), |e| format!(" (.{e})"));
        return Err(format!(
            "not an article file{ext}: govsearch reads .txt, .html, .json, .jsonl, .xml, .dat, .pdf, .docx and .ofd"
        ));
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("unreadable: {}", io_reason(&e)))?;
    if !meta.is_file() {
        // A FIFO would block the read, a device (/dev/zero) never end it.
        return Err("not a regular file (a FIFO, device or socket): not read".to_string());
    }
    let too_large = |len: u64| {
        format!(
            "too large ({} MiB; the limit is {} MiB)",
            len >> 20,
            MAX_FILE_BYTES >> 20
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // The limit holds for what is read, not only for what the metadata said.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("unreadable: {}", io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let mut read = read_bytes(&bytes, path, options)?;
    // An attachment that says nothing of its date is dated by its file.
    if read.layout.is_attachment() {
        let modified = meta
            .modified()
            .ok()
            .map(|t| chrono::DateTime::<chrono::Utc>::from(t).with_timezone(&crate::dates::china()));
        for article in read.records.iter_mut().flatten() {
            if article.meta.published.is_none() {
                article.meta.published = modified;
            }
        }
    }
    Ok(read)
}

/// Reads a file's bytes; `path` names it (its extension hints at the layout, its name may
/// carry the date).
pub fn read_bytes(bytes: &[u8], path: &Path, options: &ReadOptions) -> Result<FileArticles, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file".to_string());
    }
    let attachment = options
        .layout
        .or_else(|| bytes.starts_with(b"%PDF-").then_some(Layout::Pdf))
        .or_else(|| Layout::from_extension(path))
        .filter(|layout| layout.is_attachment());
    if let Some(layout) = attachment {
        let name = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let mut article = attachment::read(layout, bytes, &name)?;
        if article.meta.published.is_none() {
            article.meta.published = date_in_file_name(path);
        }
        return Ok(FileArticles {
            layout,
            encoding: "binary",
            records: vec![Ok(Box::new(article))],
        });
    }
    if is_binary(bytes) {
        return Err("binary file".to_string());
    }
    let (text, encoding) = decode::decode(bytes)?;
    let detected = Layout::sniff(&text)
        .or_else(|| Layout::from_extension(path))
        .unwrap_or(Layout::Text);
    let layout = options.layout.unwrap_or(detected);
    // A layout forced on a file that looks like another: say so beside what went wrong.
    let forced = |reason: String| {
        if layout == detected {
            reason
        } else {
            format!(
                "{reason} (read as {}, as asked; the file looks like {})",
                layout.name(),
                detected.name()
            )
        }
    };
    let mut records = match layout {
        Layout::Text => vec![text::parse_text(&text).map(Box::new).map_err(|e| e.to_string())],
        Layout::Html if html::too_many_attributes(&text) => {
            return Err(forced(format!(
                "a tag with over {} attributes: not read (an HTML parser takes minutes over it)",
                html::MAX_ATTRIBUTES
            )))
        }
        Layout::Html => vec![html::parse_html(&text).map(Box::new).map_err(|e| e.to_string())],
        Layout::Json => json::parse_json(&text, &options.fields).map_err(forced)?,
        Layout::Xml => xml::parse_docs(&text).map_err(forced)?,
        Layout::Pdf | Layout::Docx | Layout::Ofd => unreachable!("attachments are read before decoding"),
    };
    if let Some(day) = date_in_file_name(path) {
        for article in records.iter_mut().flatten() {
            article.meta.published.get_or_insert(day);
        }
    }
    if records.len() == 1 {
        if let Err(reason) = &records[0] {
            return Err(forced(reason.clone()));
        }
    }
    if !records.iter().any(Result::is_ok) {
        return Err(forced(match records.len() {
            0 => "no records".to_string(),
            n => format!("none of its {n} records is an article: {}", record_reasons(&records)),
        }));
    }
    Ok(FileArticles {
        layout,
        encoding,
        records,
    })
}

/// Why records are not articles, for a message: one reason if they all share it, else the
/// first few with their record numbers.
fn record_reasons(records: &[Record]) -> String {
    let reasons: Vec<&String> = records
        .iter()
        .filter_map(|r| r.as_ref().err())
        .filter(|r| !r.is_empty())
        .collect();
    // Readers number each reason (`record 3: no title`); the rest is what records share.
    let bare = |reason: &str| -> String {
        match reason.strip_prefix("record ").and_then(|r| r.split_once(": ")) {
            Some((n, rest)) if n.bytes().all(|b| b.is_ascii_digit()) => rest.to_string(),
            _ => reason.to_string(),
        }
    };
    let first = bare(reasons[0]);
    if reasons.iter().all(|r| bare(r) == first) {
        return format!("each has {first}");
    }
    let shown: Vec<String> = reasons.iter().take(3).map(|r| r.to_string()).collect();
    let more = if reasons.len() > 3 { "; …" } else { "" };
    format!("{}{more}", shown.join("; "))
}

/// `{"…` or `[{…` / `["…` / `[]`: JSON's start. A release whose title starts with a bracket
/// (`[22届中国新闻奖]…`) is not JSON.
fn looks_like_json(head: &str) -> bool {
    let mut chars = head.chars().filter(|c| !c.is_whitespace());
    matches!(
        (chars.next(), chars.next()),
        (Some('{'), Some('"' | '}')) | (Some('['), Some('{' | '"' | ']' | '['))
    )
}

/// Binary files carry NUL bytes; text in the encodings read here (UTF-16 aside) does not.
fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    !utf16 && head.contains(&0)
}

/// A file named for its day (`2016-05-10.txt`, as date-keyed crawlers write): midnight that
/// day, for articles that print no date of their own.
fn date_in_file_name(path: &Path) -> Option<DateTime<FixedOffset>> {
    let stem = path.file_stem()?.to_str()?;
    let (when, rest) = crate::dates::parse_datetime_prefix(stem)?;
    rest.is_empty().then(|| crate::dates::in_china(when))
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

/// Text of an HTML fragment, one paragraph per line: for bodies that crawlers store as HTML.
pub(crate) fn html_fragment_text(fragment: &str) -> String {
    html::fragment_text(fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_kind_has_a_reason() {
        let read = |name: &str, bytes: &[u8]| read_bytes(bytes, Path::new(name), &ReadOptions::default());
        assert_eq!(read("a.txt", b"  \n").unwrap_err(), "empty file");
        assert_eq!(read("a.txt", b"GIF89a\x00\x01").unwrap_err(), "binary file");
        assert!(read("a.txt", b"caf\xe9 cr\xe8me")
            .unwrap_err()
            .starts_with("cannot be decoded"));
        assert_eq!(
            read("a.txt", "只有标题\n".as_bytes()).unwrap_err(),
            "no article body after the title"
        );
        let ok = read("2016-05-10.txt", "标题\n正文。\n".as_bytes()).unwrap();
        assert_eq!(ok.layout, Layout::Text);
        let article = ok.records[0].as_ref().unwrap();
        assert_eq!(
            article.meta.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2016-05-10T00:00:00+08:00"),
            "the date in the file name stands in for a missing one"
        );
    }

    #[test]
    fn a_title_in_brackets_is_not_json() {
        let text = "[22届中国新闻奖]植根基层沃土 书写时代华章\n\n2012-10-27 19:24:54 来源：CNTV\n\n  正文。\n";
        let read = read_bytes(text.as_bytes(), Path::new("a.txt"), &ReadOptions::default()).unwrap();
        assert_eq!(read.layout, Layout::Text);
        assert_eq!(read.records[0].as_ref().unwrap().meta.source.as_deref(), Some("CNTV"));
        let json = read_bytes(
            b"[{\"title\": \"t\", \"body\": \"b\"}]",
            Path::new("a.txt"),
            &ReadOptions::default(),
        );
        assert_eq!(json.unwrap().layout, Layout::Json);
    }

    #[test]
    fn layout_is_sniffed_before_the_extension_is_trusted() {
        let page = "<!DOCTYPE html><html><head><meta name=\"ArticleTitle\" content=\"标题\"></head><body><div class=\"article-content\"><p>正文。</p></div></body></html>";
        let read = read_bytes(page.as_bytes(), Path::new("saved.txt"), &ReadOptions::default()).unwrap();
        assert_eq!(read.layout, Layout::Html);
    }
}
