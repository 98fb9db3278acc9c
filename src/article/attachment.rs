//! Attachments (附件): documents published as files of their own beside the page that links
//! them. A PDF's text layer (pdf-extract over lopdf), a DOCX's paragraphs and an OFD's text
//! (GB/T 33190, the national e-document format: a zip of XML pages) are each one article,
//! titled by the document's own title, its first line or its file name. The formats without a
//! well-kept reader (Word 97–2003 `.doc`, WPS, spreadsheets, slides) are skipped with a reason
//! that names the format; so are a PDF without a text layer (a scan: no OCR is done) and an
//! encrypted one.
//!
//! Every reader is bounded: a package or stream that inflates past [`MAX_INFLATED`] is
//! refused before it is inflated whole, XML is streamed, and the caller reads on a thread
//! with a time budget.

use std::io::Read;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{Article, Layout};
use crate::dates::{in_china, parse_datetime_prefix};

/// The most bytes an attachment may inflate to, all its streams or entries together: a
/// decompression bomb is refused, not read.
pub(crate) const MAX_INFLATED: u64 = 128 * 1024 * 1024;
/// The most entries a DOCX or OFD package may have.
const MAX_ENTRIES: usize = 10_000;
/// A title longer than this is a paragraph, not a title.
const MAX_TITLE_CHARS: usize = 80;

/// Formats recognised by their extension and not read, with what they are.
const UNREAD: &[(&str, &str)] = &[
    ("doc", "a Word 97–2003 document (.doc)"),
    ("wps", "a WPS document (.wps)"),
    ("xls", "an Excel 97–2003 workbook (.xls)"),
    ("xlsx", "an Excel workbook (.xlsx)"),
    ("et", "a WPS spreadsheet (.et)"),
    ("ppt", "a PowerPoint 97–2003 deck (.ppt)"),
    ("pptx", "a PowerPoint deck (.pptx)"),
    ("dps", "a WPS presentation (.dps)"),
    ("rtf", "a rich-text document (.rtf)"),
    ("zip", "a zip archive (.zip)"),
    ("rar", "a rar archive (.rar)"),
];

/// The attachment layout a file name promises, if any.
pub(crate) fn layout_of(extension: &str) -> Option<Layout> {
    match extension {
        "pdf" => Some(Layout::Pdf),
        "docx" => Some(Layout::Docx),
        "ofd" => Some(Layout::Ofd),
        _ => None,
    }
}

/// Why a file of this extension is not read, if it is an attachment format govsearch knows
/// and does not read.
pub(crate) fn unread_format(extension: &str) -> Option<String> {
    let (_, what) = UNREAD.iter().find(|(ext, _)| *ext == extension)?;
    Some(format!(
        "{what}: not read (govsearch reads PDF with a text layer, DOCX and OFD; save it as one of those)"
    ))
}

/// Whether a link's target is an attachment: a format govsearch reads or names.
pub(crate) fn is_attachment_name(name: &str) -> bool {
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let ext = ext.to_ascii_lowercase();
    layout_of(&ext).is_some() || UNREAD.iter().any(|(e, _)| *e == ext)
}

/// Reads an attachment of `layout` from its bytes; `name` is its file name (the title of last
/// resort).
pub(crate) fn read(layout: Layout, bytes: &[u8], name: &str) -> Result<Article, String> {
    let read = quietly(|| match layout {
        Layout::Pdf => pdf(bytes),
        Layout::Docx => docx(bytes),
        Layout::Ofd => ofd(bytes),
        _ => Err(format!("{layout} is not an attachment layout")),
    });
    let Document { title, text, date } = match read {
        Ok(read) => read?,
        // pdf-extract gives up on some files (odd fonts, deep nesting) by panicking.
        Err(()) => return Err(format!("{} its text extractor gave up on: not read", what(layout))),
    };
    let body = tidy(&text);
    if body.is_empty() {
        return Err(match layout {
            Layout::Pdf => "a PDF without a text layer (a scan?): not read; no OCR is done".to_string(),
            _ => format!("{} with no text", what(layout)),
        });
    }
    let title = title
        .map(|t| tidy(&t))
        .filter(|t| is_title(t))
        .or_else(|| body.lines().next().map(str::to_string).filter(|l| is_title(l)))
        .unwrap_or_else(|| name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_string());
    let mut article = Article::titled(&title);
    article.body = body;
    article.meta.published = date;
    Ok(article)
}

thread_local! {
    /// Whether this thread is reading an attachment, whose panics are caught and reported.
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `read`, catching a panic: the file is skipped with a reason, so the panic is not
/// printed (a hook in front of the process's own stays silent while an attachment is read).
fn quietly<T>(read: impl FnOnce() -> T) -> Result<T, ()> {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !READING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    READING.with(|r| r.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    READING.with(|r| r.set(false));
    result.map_err(|_| ())
}

/// What a document holds before it is an article.
struct Document {
    title: Option<String>,
    text: String,
    date: Option<DateTime<FixedOffset>>,
}

fn what(layout: Layout) -> &'static str {
    match layout {
        Layout::Pdf => "a PDF",
        Layout::Docx => "a DOCX",
        Layout::Ofd => "an OFD",
        _ => "a file",
    }
}

/// Lines trimmed, whitespace runs collapsed, empty lines dropped.
fn tidy(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `text` can be a document's title: short, with a Chinese character or a letter,
/// and not a file name or a tool's label (`Microsoft Word - 通知.docx`).
fn is_title(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    !text.is_empty()
        && text.chars().count() <= MAX_TITLE_CHARS
        && text.chars().any(char::is_alphabetic)
        && !lower.starts_with("microsoft ")
        && ![".doc", ".docx", ".pdf", ".wps", ".ofd", ".xls"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

// ---- PDF ----

/// The key govsearch's load filter marks a stream with: what it inflates to.
const INFLATED_KEY: &[u8] = b"GovsearchInflated";

fn pdf(bytes: &[u8]) -> Result<Document, String> {
    // An encrypted PDF is decrypted on load before any check could bound what it inflates.
    if contains_bytes(bytes, b"/Encrypt") {
        return Err("an encrypted PDF: not read".to_string());
    }
    let options = lopdf::LoadOptions::with_filter(bound_stream);
    let doc =
        lopdf::Document::load_mem_with_options(bytes, options).map_err(|e| format!("not a readable PDF ({e})"))?;
    let inflated: u64 = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter_map(|s| s.dict.get(INFLATED_KEY).ok()?.as_i64().ok())
        .map(|n| n as u64)
        .sum();
    if inflated > MAX_INFLATED {
        return Err(format!(
            "a PDF whose streams inflate past {} MiB (a decompression bomb?): not read",
            MAX_INFLATED >> 20
        ));
    }
    let mut text = String::new();
    {
        let mut output = pdf_extract::PlainTextOutput::new(&mut text);
        pdf_extract::output_doc(&doc, &mut output).map_err(|e| format!("a PDF whose text could not be read ({e})"))?;
    }
    let info = doc.trailer.get(b"Info").ok().and_then(|info| match info {
        lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok(),
        lopdf::Object::Dictionary(dict) => Some(dict),
        _ => None,
    });
    let string = |key: &[u8]| -> Option<String> {
        let value = info?.get(key).ok()?;
        lopdf::decode_text_string(value).ok()
    };
    let date = string(b"CreationDate")
        .or_else(|| string(b"ModDate"))
        .and_then(|d| pdf_date(&d));
    Ok(Document {
        title: string(b"Title"),
        text,
        date,
    })
}

/// Whether `needle` occurs in `haystack`.
fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// lopdf's load filter: a Flate stream the text is read from (any but an image) is inflated
/// up to the limit once and marked with its size; one that goes past the limit loses its
/// content, so nothing inflates it again. lopdf
/// keeps the object it is given for an object of the file and the one returned for an
/// object inside an object stream, which is never a stream.
fn bound_stream(id: (u32, u16), object: &mut lopdf::Object) -> Option<((u32, u16), lopdf::Object)> {
    let lopdf::Object::Stream(stream) = object else {
        return Some((id, object.clone()));
    };
    {
        let flate = stream
            .filters()
            .is_ok_and(|filters| filters.iter().any(|f| *f == b"FlateDecode"));
        let image = stream
            .dict
            .get(b"Subtype")
            .and_then(lopdf::Object::as_name)
            .is_ok_and(|name| name == b"Image");
        if flate && !image {
            let mut sink = std::io::sink();
            let inflated = std::io::copy(
                &mut flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(MAX_INFLATED + 1),
                &mut sink,
            )
            .unwrap_or(0);
            if inflated > MAX_INFLATED {
                stream.content.clear();
                stream.dict.remove(b"Filter");
            }
            stream.dict.set(INFLATED_KEY, inflated as i64);
        }
    }
    Some((id, lopdf::Object::Null))
}

/// A PDF date, `D:20230511093000+08'00'` (`Z` for UTC; no zone is read as China time), in
/// China time.
fn pdf_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim().trim_start_matches("D:");
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let part = |range: std::ops::Range<usize>| digits.get(range).and_then(|d| d.parse::<u32>().ok());
    let day = NaiveDate::from_ymd_opt(part(0..4)? as i32, part(4..6)?, part(6..8)?)?;
    let time = day.and_hms_opt(
        part(8..10).unwrap_or(0),
        part(10..12).unwrap_or(0),
        part(12..14).unwrap_or(0),
    )?;
    let zone = &text[digits.len()..];
    let offset = match zone.chars().next() {
        Some('Z') => FixedOffset::east_opt(0),
        Some(sign @ ('+' | '-')) => {
            let numbers: Vec<i32> = zone[1..].split('\'').filter_map(|n| n.parse().ok()).collect();
            let seconds = numbers.first()? * 3600 + numbers.get(1).unwrap_or(&0) * 60;
            FixedOffset::east_opt(if sign == '-' { -seconds } else { seconds })
        }
        _ => None,
    };
    match offset {
        Some(offset) => Some(
            time.and_local_timezone(offset)
                .single()?
                .with_timezone(&crate::dates::china()),
        ),
        None => Some(in_china(time)),
    }
}

// ---- DOCX and OFD: zip packages of XML ----

/// A zip package, its entries bounded in number and in what they inflate to.
struct Package<'a> {
    zip: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    /// What the package may still inflate to.
    budget: u64,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], what: &str) -> Result<Package<'a>, String> {
        let zip =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a readable {what} ({e})"))?;
        if zip.len() > MAX_ENTRIES {
            return Err(format!("{what} of over {MAX_ENTRIES} parts: not read"));
        }
        Ok(Package {
            zip,
            budget: MAX_INFLATED,
        })
    }

    fn names(&self) -> Vec<String> {
        self.zip
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect()
    }

    /// The text of entry `name`, if the package has it.
    fn entry(&mut self, name: &str) -> Result<Option<String>, String> {
        let mut file = match self.zip.by_name(name) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(format!("a damaged package ({e})")),
        };
        let mut bytes = Vec::new();
        (&mut file)
            .take(self.budget + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("a damaged package ({e})"))?;
        if bytes.len() as u64 > self.budget {
            return Err(format!(
                "a package whose parts inflate past {} MiB (a decompression bomb?): not read",
                MAX_INFLATED >> 20
            ));
        }
        self.budget -= bytes.len() as u64;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("a part that is not UTF-8 XML ({name})"))
    }
}

/// Streams `xml`, calling `on` with each element's start (its local name) or end, and each
/// run of text (entities resolved).
fn each_xml(xml: &str, mut on: impl FnMut(Xml<'_>)) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(|e| format!("bad XML ({e})"))? {
            Event::Start(e) => on(Xml::Start(e.local_name().as_ref())),
            Event::Empty(e) => {
                on(Xml::Start(e.local_name().as_ref()));
                on(Xml::End(e.local_name().as_ref()));
            }
            Event::End(e) => on(Xml::End(e.local_name().as_ref())),
            Event::Text(t) => on(Xml::Text(&t.xml10_content())),
            Event::CData(t) => on(Xml::Text(&t.xml10_content())),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    on(Xml::Text(c.encode_utf8(&mut [0; 4])));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

enum Xml<'a> {
    Start(&'a str),
    End(&'a str),
    Text(&'a str),
}

/// The text of every element named `wanted`, each on its own line.
fn texts_of(xml: &str, wanted: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut inside = 0usize;
    each_xml(xml, |event| match event {
        Xml::Start(name) if name == wanted => {
            inside += 1;
            if inside == 1 {
                out.push(String::new());
            }
        }
        Xml::End(name) if name == wanted => inside = inside.saturating_sub(1),
        Xml::Text(text) if inside > 0 => {
            if let Some(last) = out.last_mut() {
                last.push_str(text);
            }
        }
        _ => {}
    })?;
    Ok(out)
}

fn docx(bytes: &[u8]) -> Result<Document, String> {
    let mut package = Package::open(bytes, "DOCX")?;
    let body = package
        .entry("word/document.xml")?
        .ok_or("a zip without word/document.xml: not a DOCX")?;
    // A paragraph (`w:p`) a line; text runs (`w:t`), tabs and breaks within it.
    let mut text = String::new();
    let mut in_text = false;
    each_xml(&body, |event| match event {
        Xml::Start("t") => in_text = true,
        Xml::End("t") => in_text = false,
        Xml::Start("tab") => text.push(' '),
        Xml::Start("br") | Xml::End("p") => text.push('\n'),
        Xml::Text(t) if in_text => text.push_str(t),
        _ => {}
    })?;
    let core = package.entry("docProps/core.xml")?;
    let field = |name: &str| -> Option<String> {
        texts_of(core.as_deref()?, name)
            .ok()?
            .into_iter()
            .map(|t| t.trim().to_string())
            .find(|t| !t.is_empty())
    };
    let date = field("created")
        .or_else(|| field("modified"))
        .and_then(|d| parse_datetime_prefix(&d.replace('T', " ")).map(|(when, _)| in_china(when)));
    Ok(Document {
        title: field("title"),
        text,
        date,
    })
}

fn ofd(bytes: &[u8]) -> Result<Document, String> {
    let mut package = Package::open(bytes, "OFD")?;
    let root = package.entry("OFD.xml")?.ok_or("a zip without OFD.xml: not an OFD")?;
    let title = texts_of(&root, "Title")?.into_iter().find(|t| !t.trim().is_empty());
    let date = texts_of(&root, "CreationDate")?
        .into_iter()
        .find_map(|d| parse_datetime_prefix(d.trim()).map(|(when, _)| in_china(when)));
    // Every page's content, in document and page order: `Doc_0/Pages/Page_0/Content.xml`.
    let mut pages: Vec<(u64, u64, String)> = package
        .names()
        .into_iter()
        .filter(|name| name.ends_with("/Content.xml") && name.contains("/Pages/"))
        .map(|name| {
            let number = |prefix: &str| -> u64 {
                name.split('/')
                    .find_map(|part| part.strip_prefix(prefix))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(u64::MAX)
            };
            (number("Doc_"), number("Page_"), name)
        })
        .collect();
    pages.sort();
    let mut text = String::new();
    for (_, _, name) in pages {
        if let Some(page) = package.entry(&name)? {
            // A text object (`TextObject`) a line: its `TextCode` runs joined.
            let mut in_code = false;
            each_xml(&page, |event| match event {
                Xml::Start("TextCode") => in_code = true,
                Xml::End("TextCode") => in_code = false,
                Xml::End("TextObject") => text.push('\n'),
                Xml::Text(t) if in_code => text.push_str(t),
                _ => {}
            })?;
            text.push('\n');
        }
    }
    Ok(Document { title, text, date })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A zip of `entries`, stored or deflated.
    pub(crate) fn package(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            for (name, text) in entries {
                zip.start_file(*name, options).unwrap();
                zip.write_all(text.as_bytes()).unwrap();
            }
            zip.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn a_docx_gives_its_paragraphs_title_and_date() {
        let bytes = package(&[
            (
                "word/document.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>关于开展</w:t></w:r><w:r><w:t xml:space="preserve">安全检查的通知</w:t></w:r></w:p><w:p><w:r><w:t>各单位：现将有关事项通知如下。&amp;</w:t><w:tab/><w:t>第二句。</w:t></w:r></w:p></w:body></w:document>"#,
            ),
            (
                "docProps/core.xml",
                r#"<?xml version="1.0"?><cp:coreProperties xmlns:cp="c" xmlns:dc="d" xmlns:dcterms="t"><dc:title>关于开展安全检查的通知</dc:title><dcterms:created>2024-03-05T08:00:00Z</dcterms:created></cp:coreProperties>"#,
            ),
        ]);
        let article = read(Layout::Docx, &bytes, "附件1.docx").unwrap();
        assert_eq!(article.title, "关于开展安全检查的通知");
        assert_eq!(
            article.body,
            "关于开展安全检查的通知\n各单位：现将有关事项通知如下。& 第二句。"
        );
        assert_eq!(
            article.meta.published.map(|d| d.date_naive().to_string()).as_deref(),
            Some("2024-03-05")
        );
    }

    #[test]
    fn an_ofd_gives_its_pages_text_in_order() {
        let page = |text: &str| {
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer><ofd:TextObject ID="1"><ofd:TextCode X="0" Y="0">{text}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>"#
            )
        };
        let (first, second) = (page("第一页的文字"), page("第二页的文字"));
        let bytes = package(&[
            (
                "OFD.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocInfo><ofd:Title>示例电子公文</ofd:Title><ofd:CreationDate>2025-01-02</ofd:CreationDate></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"#,
            ),
            ("Doc_0/Pages/Page_10/Content.xml", &second),
            ("Doc_0/Pages/Page_2/Content.xml", &first),
        ]);
        let article = read(Layout::Ofd, &bytes, "公文.ofd").unwrap();
        assert_eq!(article.title, "示例电子公文");
        assert_eq!(article.body, "第一页的文字\n第二页的文字");
        assert_eq!(
            article.meta.published.map(|d| d.date_naive().to_string()).as_deref(),
            Some("2025-01-02")
        );
    }

    #[test]
    fn a_package_that_inflates_past_the_limit_is_refused() {
        let big = "a".repeat((MAX_INFLATED + 1) as usize);
        let bytes = package(&[("word/document.xml", &big)]);
        assert!(bytes.len() < 2 << 20, "deflated small: {}", bytes.len());
        let err = read(Layout::Docx, &bytes, "bomb.docx").unwrap_err();
        assert!(err.contains("decompression bomb"), "{err}");
    }

    #[test]
    fn broken_packages_and_unread_formats_say_why() {
        assert!(read(Layout::Docx, b"PK\x03\x04 not really", "x.docx")
            .unwrap_err()
            .contains("not a readable DOCX"));
        let no_body = package(&[("other.xml", "<a/>")]);
        assert!(read(Layout::Docx, &no_body, "x.docx")
            .unwrap_err()
            .contains("word/document.xml"));
        assert!(unread_format("doc").unwrap().contains("Word 97–2003"));
        assert!(unread_format("txt").is_none());
        assert!(is_attachment_name("/a/P020230511.PDF"));
        assert!(!is_attachment_name("/a/index.html"));
    }

    #[test]
    fn titles_that_are_file_names_or_labels_are_not_titles() {
        assert!(is_title("关于开展安全检查的通知"));
        assert!(!is_title("Microsoft Word - 通知.docx"));
        assert!(!is_title("附件1.pdf"));
        assert!(!is_title("2024"));
        let date = |text| pdf_date(text).map(|d| d.to_rfc3339());
        assert_eq!(
            date("D:20230511093000+08'00'").as_deref(),
            Some("2023-05-11T09:30:00+08:00")
        );
        assert_eq!(date("D:20230511013000Z").as_deref(), Some("2023-05-11T09:30:00+08:00"));
        assert_eq!(
            date("D:20230511013000+00'00'").as_deref(),
            Some("2023-05-11T09:30:00+08:00")
        );
        assert_eq!(date("D:20230511").as_deref(), Some("2023-05-11T00:00:00+08:00"));
        assert_eq!(date("D:2023"), None);
    }
}
