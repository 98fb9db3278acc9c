//! `<doc>` record dumps (the SogouCA / SogouCS news format):
//!
//! ```text
//! <doc>
//! <url>…</url>
//! <docno>…</docno>
//! <contenttitle>…</contenttitle>
//! <content>…</content>
//! </doc>
//! ```
//!
//! The dumps are not well-formed XML (bare `&`, unescaped text), so records are read by their
//! tags rather than by an XML parser.

use super::Article;

/// Reads every `<doc>` record of a dump.
pub(crate) fn parse_docs(text: &str) -> Result<Vec<super::Record>, String> {
    let mut records = super::Records::default();
    let mut rest = text;
    while let Some(start) = rest.find("<doc>") {
        let after = &rest[start + 5..];
        let end = after.find("</doc>").unwrap_or(after.len());
        let record = &after[..end];
        records.push(to_article(record));
        rest = &after[end..];
    }
    if records.is_empty() {
        return Err("no <doc> records".to_string());
    }
    Ok(records.into_vec())
}

fn to_article(record: &str) -> Result<Article, String> {
    let title = tag(record, "contenttitle")
        .or_else(|| tag(record, "title"))
        .ok_or("no title")?;
    let body = tag(record, "content").ok_or("no body")?;
    let mut article = Article::titled(&title);
    article.body = body;
    article.meta.url = tag(record, "url");
    Ok(article)
}

/// The text of `<name>…</name>` in a record, entities decoded and trimmed; `None` if empty.
fn tag(record: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = record.find(&open)? + open.len();
    let end = record[start..].find(&close).map_or(record.len(), |e| start + e);
    let text = decode_entities(record[start..end].trim());
    (!text.is_empty()).then_some(text)
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_records_and_empty_content() {
        let text = "<doclist>\n<doc>\n<url>http://news.sohu.com/a.shtml</url>\n<docno>1</docno>\n<contenttitle>公安机关销毁非法枪支</contenttitle>\n<content>中广网唐山消息 A&amp;B</content>\n</doc>\n<doc>\n<contenttitle>空</contenttitle>\n<content></content>\n</doc>\n</doclist>";
        let records = parse_docs(text).unwrap();
        let first = records[0].as_ref().unwrap();
        assert_eq!(first.title, "公安机关销毁非法枪支");
        assert_eq!(first.body, "中广网唐山消息 A&B");
        assert_eq!(first.meta.url.as_deref(), Some("http://news.sohu.com/a.shtml"));
        assert_eq!(records[1], Err("record 2: no body".to_string()));
    }
}
