//! 文号 (document numbers): `峄政发〔2022〕5号` as people type it, in any of its spellings.
//!
//! A 文号 is the issuing office's code, the year and a number. Pages print the year in 〔〕,
//! people type it in `[]`, `()`, `【】` or none, with 年, with 第 before the number, with
//! spaces and leading zeros. [`key`] reads every such spelling to one form, the one the index
//! keeps for each article's 文号 and a query or filter is looked up by.

use super::fold;

/// The longest office code read, in characters (`国务院办公厅`-length codes and longer
/// abbreviations of joint offices).
const MAX_OFFICE_CHARS: usize = 16;

/// The one form of the 文号 `text` in any spelling (`峄政发〔2022〕5号`), or `None` when `text`
/// is not a whole 文号: an office code of Han characters (and letters), a year from 1949 on,
/// then a number.
pub(crate) fn key(text: &str) -> Option<String> {
    let folded: Vec<char> = fold(text).chars().collect();
    // The year: four digits after the office code, before the number.
    let year_at = (1..folded.len()).find(|&i| {
        folded[i..].len() >= 4 && folded[i..i + 4].iter().all(char::is_ascii_digit) && !folded[i - 1].is_ascii_digit()
    })?;
    let mut office: Vec<char> = folded[..year_at].to_vec();
    if office.last().is_some_and(|&c| is_open(c)) {
        office.pop();
    }
    let office_ok = !office.is_empty()
        && office.len() <= MAX_OFFICE_CHARS
        && office.iter().any(|&c| super::is_han(c))
        && office.iter().all(|&c| super::is_han(c) || c.is_ascii_alphabetic());
    if !office_ok {
        return None;
    }
    let year: String = folded[year_at..year_at + 4].iter().collect();
    if !(1949..=2099).contains(&year.parse::<u32>().ok()?) {
        return None;
    }
    let mut rest = &folded[year_at + 4..];
    // What closes the year: a bracket or 年, or nothing.
    if rest.first().is_some_and(|&c| is_close(c) || c == '年') {
        rest = &rest[1..];
    }
    if rest.first() == Some(&'第') {
        rest = &rest[1..];
    }
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let number: u32 = rest[..digits].iter().collect::<String>().parse().ok()?;
    rest = &rest[digits..];
    if rest.first() == Some(&'号') {
        rest = &rest[1..];
    }
    if !rest.is_empty() {
        return None;
    }
    let office: String = office.into_iter().collect();
    Some(format!("{office}〔{year}〕{number}号"))
}

/// What the index keeps for an article's 文号: its [`key`], or, for one that is no 文号 of
/// that shape, the folded text.
pub(crate) fn indexed(text: &str) -> String {
    key(text).unwrap_or_else(|| fold(text))
}

fn is_open(c: char) -> bool {
    matches!(c, '〔' | '[' | '(' | '【' | '〖' | '{' | '［' | '（')
}

fn is_close(c: char) -> bool {
    matches!(c, '〕' | ']' | ')' | '】' | '〗' | '}' | '］' | '）')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_document_number_reads_alike() {
        for typed in [
            "峄政发〔2022〕5号",
            "峄政发[2022]5号",
            "峄政发（2022）5号",
            "峄政发(2022)5号",
            "峄政发【2022】5号",
            "峄政发2022年5号",
            "峄政发2022年第5号",
            "峄政发〔2022〕第5号",
            "峄政发〔2022〕05号",
            "峄政发 〔2022〕 5 号",
            "峄政发［２０２２］５号",
            "峄政发〔2022〕5",
            "嶧政發〔2022〕5號",
        ] {
            assert_eq!(key(typed).as_deref(), Some("峄政发〔2022〕5号"), "{typed}");
        }
        assert_eq!(key("国办发〔2023〕12号").as_deref(), Some("国办发〔2023〕12号"));
        assert_eq!(key("鲁政办字〔2021〕108号").as_deref(), Some("鲁政办字〔2021〕108号"));
    }

    #[test]
    fn other_text_is_no_document_number() {
        for text in [
            "峄城",
            "2022年5号",
            "峄政发",
            "峄政发〔2022〕",
            "峄政发〔2022〕5号文件",
            "乡村振兴2022年工作要点",
            "第七十号",
            "峄政发〔1800〕5号",
            "GB/T 20984-2022",
            "峄政发〔2022〕1234567号",
        ] {
            assert_eq!(key(text), None, "{text}");
        }
        assert_eq!(indexed("峄政发 〔2022〕 5 号"), "峄政发〔2022〕5号");
        assert_eq!(indexed("第 七 号"), "第七号");
    }
}
