//! The numbers a text states: what tells one release from another written from the same
//! template (a year, a session, an ordinal: 十四届三次 against 十四届二次).

use super::fold;

/// Chinese numerals and their values; 〇 and 零 are zero.
fn digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' => 10_000,
        _ => return None,
    })
}

/// What follows a Chinese numeral that counts or orders something (届, 次, 年, 周年 …): only
/// such numerals are numbers, since 一 and 三 are also parts of words (统一, 三农).
const COUNTED: &str = "届次年周月日号大期批轮个项条件名";

/// The value of a run of Chinese numerals: digit by digit (二〇二六 is 2026) when it has no
/// unit, else positional (十四 is 14, 二十 is 20, 一百零五 is 105).
fn value(run: &[char]) -> Option<u64> {
    if run.iter().all(|&c| digit(c).is_some()) {
        return run
            .iter()
            .try_fold(0u64, |n, &c| n.checked_mul(10)?.checked_add(digit(c)?));
    }
    let (mut total, mut section, mut pending) = (0u64, 0u64, None::<u64>);
    for &c in run {
        if let Some(d) = digit(c) {
            pending = Some(d);
        } else if let Some(u) = unit(c) {
            if u == 10_000 {
                section = (section + pending.take().unwrap_or(0)).checked_mul(u)?;
                total = total.checked_add(section)?;
                section = 0;
            } else {
                section = section.checked_add(pending.take().unwrap_or(1).checked_mul(u)?)?;
            }
        }
    }
    total.checked_add(section)?.checked_add(pending.unwrap_or(0))
}

/// The numbers `text` states, in order of value: every run of digits, and every run of
/// Chinese numerals after 第 or before a counter (二〇二六年, 十四届, 三次, 第二十). Full-width
/// digits are digits.
pub(crate) fn numbers(text: &str) -> Vec<u64> {
    let chars: Vec<char> = fold(text).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        if chars[i].is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            // A run too long for a number (an id) is compared as its last digits.
            let tail = &run[run.len().saturating_sub(18)..];
            out.push(tail.parse().unwrap_or(0));
            continue;
        }
        if digit(chars[i]).is_some() || unit(chars[i]).is_some() {
            while i < chars.len() && (digit(chars[i]).is_some() || unit(chars[i]).is_some()) {
                i += 1;
            }
            let after_di = start > 0 && chars[start - 1] == '第';
            let before_counter = chars.get(i).is_some_and(|c| COUNTED.contains(*c));
            if after_di || before_counter {
                if let Some(n) = value(&chars[start..i]) {
                    out.push(n);
                }
            }
            continue;
        }
        i += 1;
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_titles() {
        assert_eq!(numbers("国家主席习近平将发表二〇二六年新年贺词"), [2026]);
        assert_eq!(numbers("十四届全国人大三次会议开幕"), [3, 14]);
        assert_eq!(numbers("十四届全国人大二次会议开幕"), [2, 14]);
        assert_eq!(numbers("党的二十大报告"), [20]);
        assert_eq!(numbers("第一百零五期 2022年５月"), [5, 105, 2022]);
        assert_eq!(numbers("统一思想 推进三农工作"), Vec::<u64>::new());
        assert_eq!(numbers("纪念改革开放四十周年"), [40]);
        assert_eq!(numbers("一万二千人参加"), Vec::<u64>::new(), "人 counts nothing here");
        assert_eq!(value(&"一万二千".chars().collect::<Vec<_>>()), Some(12_000));
    }
}
