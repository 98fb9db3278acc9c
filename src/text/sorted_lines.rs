//! A table kept as text, an entry a line (`key` then a separator and the rest), in the order
//! of its keys: a lookup is a binary search over the lines, and reads no entry it does not
//! use. An index keeps its synonym table and its user dictionary this way.

/// The lines of a kept table, after its header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SortedLines {
    text: String,
    /// Each line's start, the end of its key, and its end (without the newline).
    spans: Vec<(usize, usize, usize)>,
    separator: usize,
}

impl SortedLines {
    /// The lines of `text` after its first `header` bytes, or `text` back unless each is
    /// `key`, `separator` and a rest that is not empty, with the keys in strictly increasing
    /// order.
    pub(crate) fn read(text: String, header: usize, separator: &str) -> Result<SortedLines, String> {
        let Some(spans) = spans(&text, header, separator) else {
            return Err(text);
        };
        Ok(SortedLines {
            text,
            spans,
            separator: separator.len(),
        })
    }

    /// The table's text, header included.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(crate) fn key(&self, line: usize) -> &str {
        let (start, end, _) = self.spans[line];
        &self.text[start..end]
    }

    /// What follows line `line`'s key and separator.
    pub(crate) fn rest(&self, line: usize) -> &str {
        let (_, key_end, end) = self.spans[line];
        &self.text[key_end + self.separator..end]
    }

    /// The line whose key is `key`, if any.
    pub(crate) fn find(&self, key: &str) -> Option<usize> {
        self.spans
            .binary_search_by(|&(start, end, _)| self.text[start..end].cmp(key))
            .ok()
    }

    /// The keys, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|line| self.key(line))
    }
}

fn spans(text: &str, header: usize, separator: &str) -> Option<Vec<(usize, usize, usize)>> {
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let mut start = header;
    for line in text.get(header..)?.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let key_end = content.find(separator)?;
        let key = &content[..key_end];
        let ordered = spans.last().is_none_or(|&(s, e, _)| &text[s..e] < key);
        if key.is_empty() || !ordered || content.len() == key_end + separator.len() {
            return None;
        }
        spans.push((start, start + key_end, start + content.len()));
        start += line.len();
    }
    Some(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_in_order_is_looked_up_and_any_other_given_back() {
        let table = SortedLines::read("#h\n乙 => 二\n甲 => 一, 壹\n".to_string(), 3, " => ").unwrap();
        assert_eq!(table.len(), 2);
        assert_eq!(table.find("甲").map(|l| table.rest(l)), Some("一, 壹"));
        assert_eq!(table.find("丙"), None);
        assert_eq!(table.keys().collect::<Vec<_>>(), ["乙", "甲"]);
        for bad in [
            "甲 => 一\n乙 => 二\n",
            "甲 => \n",
            "甲\n",
            "甲 => 一\n甲 => 二\n",
            " => 一\n",
        ] {
            assert_eq!(
                SortedLines::read(bad.to_string(), 0, " => "),
                Err(bad.to_string()),
                "{bad:?}"
            );
        }
    }
}
