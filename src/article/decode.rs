//! Bytes to text: UTF-8 with or without BOM, UTF-16 by BOM, and GBK / GB2312 / GB18030
//! (decoded as GB18030), detected from the BOM, an HTML or XML charset declaration, then the
//! bytes themselves. Nothing is decoded lossily: bytes that are neither are an error.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// Decodes `bytes`, returning the text and the name of the encoding it was read as.
pub(crate) fn decode(bytes: &[u8]) -> Result<(String, &'static str), String> {
    // UTF-32's byte-order marks begin like UTF-16's: they are read first.
    if let Some(text) = utf32(bytes) {
        return text;
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom..];
        return strict(encoding, body).ok_or_else(|| format!("invalid {} after its byte-order mark", encoding.name()));
    }
    // Valid UTF-8 is UTF-8, whatever a page declares or mentions: GBK text with Chinese in it
    // is never valid UTF-8, and text read in the wrong encoding is mojibake.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8"));
    }
    // Text that is not UTF-8 as a whole but holds a run of UTF-8 Chinese: a page template in
    // UTF-8 around a GBK article, say. GB18030 would decode it all, the UTF-8 parts as
    // mojibake; it is decoded line by line instead, or not at all.
    if longest_utf8_run(bytes) >= MIXED_RUN {
        return mixed(bytes);
    }
    if let Some(declared) = declared_charset(bytes) {
        let encoding = if is_gb(&declared) {
            Some(GB18030)
        } else {
            Encoding::for_label(declared.as_bytes())
        };
        if let Some(encoding) = encoding.filter(|e| *e == GB18030 || *e == UTF_8) {
            if let Some(text) = strict(encoding, bytes) {
                return Ok(text);
            }
        }
    }
    if looks_like_gbk(bytes) {
        if let Some(text) = strict(GB18030, bytes) {
            return Ok(text);
        }
    }
    let valid = std::str::from_utf8(bytes)
        .map_err(|e| e.valid_up_to())
        .err()
        .unwrap_or(0);
    Err(format!(
        "cannot be decoded: neither UTF-8 (invalid byte at offset {valid}) nor GBK/GB18030 text"
    ))
}

/// Text in UTF-32 with a byte-order mark, or why it cannot be read; `None` without such a mark.
fn utf32(bytes: &[u8]) -> Option<Result<(String, &'static str), String>> {
    let little = bytes.starts_with(&[0xFF, 0xFE, 0x00, 0x00]);
    if !little && !bytes.starts_with(&[0x00, 0x00, 0xFE, 0xFF]) {
        return None;
    }
    let body = &bytes[4..];
    let units = body.chunks_exact(4).map(|b| {
        let b: [u8; 4] = b.try_into().expect("four bytes");
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    });
    let text: Option<String> = units.map(char::from_u32).collect();
    Some(match text {
        Some(text) if body.len().is_multiple_of(4) => Ok((text, if little { "UTF-32LE" } else { "UTF-32BE" })),
        _ => Err("invalid UTF-32 after its byte-order mark".to_string()),
    })
}

/// Consecutive non-ASCII UTF-8 characters that mark a text as holding UTF-8: GBK text forms
/// one such character by chance now and then, six in a row practically never.
const MIXED_RUN: usize = 6;

/// The longest run of consecutive non-ASCII characters of valid UTF-8 in `bytes`.
fn longest_utf8_run(bytes: &[u8]) -> usize {
    let (mut longest, mut run, mut at) = (0, 0, 0);
    while at < bytes.len() {
        let width = match bytes[at] {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        let valid = width > 0
            && bytes
                .get(at..at + width)
                .is_some_and(|c| std::str::from_utf8(c).is_ok());
        if valid {
            run += 1;
            longest = longest.max(run);
            at += width;
        } else {
            run = 0;
            at += 1;
        }
    }
    longest
}

/// Text whose lines are each UTF-8 or GB18030: decoded line by line. A line that mixes both,
/// or is neither, makes the whole an error: never mojibake.
fn mixed(bytes: &[u8]) -> Result<(String, &'static str), String> {
    let mut text = String::with_capacity(bytes.len());
    for (n, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        if let Ok(utf8) = std::str::from_utf8(line) {
            text.push_str(utf8);
            continue;
        }
        let decoded = (longest_utf8_run(line) < MIXED_RUN)
            .then(|| strict(GB18030, line))
            .flatten()
            .ok_or_else(|| format!("mixes UTF-8 and GBK within line {}: not read", n + 1))?;
        text.push_str(&decoded.0);
    }
    Ok((text, "UTF-8 and GB18030"))
}

/// Decodes without replacement characters; `None` if any byte sequence is malformed.
fn strict(encoding: &'static Encoding, bytes: &[u8]) -> Option<(String, &'static str)> {
    let (text, malformed) = if encoding == UTF_16LE || encoding == UTF_16BE {
        encoding.decode_without_bom_handling(bytes)
    } else {
        let text = encoding.decode_without_bom_handling_and_without_replacement(bytes)?;
        (text, false)
    };
    (!malformed).then(|| {
        (
            text.into_owned(),
            if encoding == GB18030 {
                "GB18030"
            } else {
                encoding.name()
            },
        )
    })
}

fn is_gb(label: &str) -> bool {
    matches!(
        label.to_ascii_lowercase().as_str(),
        "gbk" | "gb2312" | "gb18030" | "x-gbk" | "cp936"
    )
}

/// The charset an HTML `<meta charset>` / `content="…; charset=…"` or an XML declaration
/// names in the first 4 KiB.
fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = head
        .find("charset=")
        .map(|i| i + 8)
        .or_else(|| head.find("encoding=").map(|i| i + 9))?;
    let value: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!value.is_empty()).then_some(value)
}

/// Whether non-UTF-8 bytes read as GBK look like Chinese: most double-byte characters fall in
/// GB2312's first level (the 3,755 most common characters), which text in another encoding
/// read as GBK does not do.
fn looks_like_gbk(bytes: &[u8]) -> bool {
    let (mut pairs, mut common, mut i) = (0usize, 0usize, 0);
    while i < bytes.len() {
        let lead = bytes[i];
        if lead < 0x80 {
            i += 1;
            continue;
        }
        if let Some(&trail) = bytes.get(i + 1) {
            pairs += 1;
            if (0xB0..=0xD7).contains(&lead) && (0xA1..=0xFE).contains(&trail) {
                common += 1;
            }
        }
        i += 2;
    }
    pairs > 0 && common * 2 >= pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        GB18030.encode(text).0.into_owned()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("峄城".as_bytes()).unwrap(), ("峄城".to_string(), "UTF-8"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("峄城".as_bytes());
        assert_eq!(decode(&bom).unwrap().0, "峄城");
    }

    #[test]
    fn gbk_by_content_and_by_declaration() {
        let text = "枣庄市峄城区召开新闻发布会，部署疫情防控工作。";
        assert_eq!(decode(&gbk(text)).unwrap(), (text.to_string(), "GB18030"));
        let html = format!("<html><head><meta charset=\"gb2312\"></head><body>{text}</body></html>");
        assert_eq!(decode(&gbk(&html)).unwrap().0, html);
    }

    #[test]
    fn valid_utf8_is_utf8_whatever_the_page_declares() {
        let page =
            "<html><head><meta charset=\"gb2312\"><title>峄城区</title></head><body>峄城区召开会议</body></html>";
        assert_eq!(decode(page.as_bytes()).unwrap(), (page.to_string(), "UTF-8"));
        let mention = "正文提到 charset=gbk 这几个字。";
        assert_eq!(decode(mention.as_bytes()).unwrap().1, "UTF-8");
    }

    #[test]
    fn a_utf8_template_around_a_gbk_article_is_decoded_line_by_line() {
        let title = "峄城区召开疫情防控工作会议";
        let body = "会议要求全区做好疫情防控工作，确保群众安全。";
        let mut bytes = format!("{title}\n2022-05-10 来源:鲁网\n").into_bytes();
        bytes.extend(gbk(body));
        bytes.push(b'\n');
        let (text, encoding) = decode(&bytes).unwrap();
        assert_eq!(text, format!("{title}\n2022-05-10 来源:鲁网\n{body}\n"));
        assert_eq!(encoding, "UTF-8 and GB18030");
        // Both in one line: refused, not mojibake.
        let mut one_line = title.as_bytes().to_vec();
        one_line.extend(gbk(body));
        assert!(decode(&one_line)
            .unwrap_err()
            .contains("mixes UTF-8 and GBK within line 1"));
        // GBK alone is still GBK.
        assert_eq!(decode(&gbk(body)).unwrap().1, "GB18030");
    }

    #[test]
    fn utf32_by_bom_is_not_read_as_utf16() {
        let mut le = vec![0xFF, 0xFE, 0x00, 0x00];
        let mut be = vec![0x00, 0x00, 0xFE, 0xFF];
        for c in "峄城".chars() {
            le.extend((c as u32).to_le_bytes());
            be.extend((c as u32).to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap(), ("峄城".to_string(), "UTF-32LE"));
        assert_eq!(decode(&be).unwrap(), ("峄城".to_string(), "UTF-32BE"));
        le.push(0);
        assert!(decode(&le).is_err());
    }

    #[test]
    fn utf16_by_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "峄城".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().0, "峄城");
    }

    #[test]
    fn undecodable_bytes_are_an_error_not_mojibake() {
        let latin1 = b"Caf\xe9 cr\xe8me br\xfbl\xe9e \xe0 la fran\xe7aise";
        let err = decode(latin1).unwrap_err();
        assert!(err.starts_with("cannot be decoded"), "{err}");
    }
}
