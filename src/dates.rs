//! Dates as Chinese releases print them and as people type them, in China time (UTC+8).
//!
//! Articles print `2022-05-10 12:36:57`, `2022年05月10日 12:36`, `2022/5/10`, `2022.05.10`;
//! people filter with `2022-05-10`, `2022-05`, `2022年5月` or `2022`. tantivy only parses
//! RFC 3339, so both are read here.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use crate::error::{Error, Result};

/// China Standard Time, the zone every release time is printed in.
pub(crate) fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A half-open span of time `[start, end)`, from a day, a month or a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateRange {
    /// First instant in the span.
    pub start: DateTime<FixedOffset>,
    /// First instant after the span.
    pub end: DateTime<FixedOffset>,
}

impl DateRange {
    /// Reads a day, a month or a year: `2022-05-10`, `2022/5/10`, `2022.5.10`,
    /// `2022年5月10日`, `2022-05`, `2022年5月`, `2022`. The span is that whole day, month or
    /// year in China time: `end` is the first instant after it.
    ///
    /// ```
    /// let may = govsearch::DateRange::parse("2022年5月").unwrap();
    /// assert_eq!(may.start.to_rfc3339(), "2022-05-01T00:00:00+08:00");
    /// assert_eq!(may.end.to_rfc3339(), "2022-06-01T00:00:00+08:00");
    /// assert!(govsearch::DateRange::parse("next May").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<DateRange> {
        let bad = || Error::BadDate { text: text.to_string() };
        let trimmed = text.trim();
        let (parts, rest) = scan_date_parts(trimmed);
        if !rest.trim().is_empty() || parts.is_empty() {
            return Err(bad());
        }
        let (start, end) = match parts[..] {
            [y] => {
                let start = NaiveDate::from_ymd_opt(y as i32, 1, 1).ok_or_else(bad)?;
                (start, NaiveDate::from_ymd_opt(y as i32 + 1, 1, 1).ok_or_else(bad)?)
            }
            [y, m] => {
                let start = NaiveDate::from_ymd_opt(y as i32, m, 1).ok_or_else(bad)?;
                (start, start.checked_add_months(chrono::Months::new(1)).ok_or_else(bad)?)
            }
            [y, m, d] => {
                let start = NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(bad)?;
                (start, start.succ_opt().ok_or_else(bad)?)
            }
            _ => return Err(bad()),
        };
        if !(1000..=9999).contains(&start.year()) {
            return Err(bad());
        }
        Ok(DateRange {
            start: at_midnight(start),
            end: at_midnight(end),
        })
    }
}

fn at_midnight(day: NaiveDate) -> DateTime<FixedOffset> {
    in_china(day.and_time(NaiveTime::MIN))
}

/// Today's date in China.
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .with_timezone(&china())
        .date_naive()
}

/// The instant a China-time wall clock reading stands for.
pub(crate) fn in_china(local: NaiveDateTime) -> DateTime<FixedOffset> {
    china()
        .from_local_datetime(&local)
        .single()
        .expect("a fixed offset maps every local time to one instant")
}

/// Reads up to three numbers of a date at the start of `text`, separated by `-`, `/`, `.` or
/// written with 年/月/日. Returns the numbers and the unread rest.
fn scan_date_parts(text: &str) -> (Vec<u32>, &str) {
    let mut parts = Vec::new();
    let mut rest = text;
    let mut separator: Option<char> = None;
    while parts.len() < 3 {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let year = parts.is_empty();
        if digits == 0 || (year && digits != 4) || (!year && digits > 2) {
            break;
        }
        let Ok(value) = rest[..digits].parse::<u32>() else {
            break;
        };
        parts.push(value);
        rest = &rest[digits..];
        let Some(next) = rest.chars().next() else {
            break;
        };
        let unit = ['年', '月', '日'][parts.len() - 1];
        if next == unit {
            rest = &rest[next.len_utf8()..];
            separator = Some('年');
            continue;
        }
        let sep_ok = matches!(next, '-' | '/' | '.')
            && separator.is_none_or(|s| s == next)
            && parts.len() < 3
            && rest[1..].starts_with(|c: char| c.is_ascii_digit());
        if !sep_ok {
            break;
        }
        separator = Some(next);
        rest = &rest[1..];
    }
    (parts, rest)
}

/// Reads a full date at the start of `text` (year, month and day), with a time of day if
/// one follows after optional whitespace. Returns the wall-clock reading and the unread rest.
pub(crate) fn parse_datetime_prefix(text: &str) -> Option<(NaiveDateTime, &str)> {
    let (parts, rest) = scan_date_parts(text);
    let [y, m, d] = parts[..] else {
        return None;
    };
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    let after_space = rest.trim_start();
    match parse_time_prefix(after_space) {
        Some((time, rest)) => Some((day.and_time(time), rest)),
        None => Some((day.and_time(NaiveTime::MIN), rest)),
    }
}

/// Reads `HH:MM` or `HH:MM:SS` (ASCII or full-width colon) at the start of `text`.
fn parse_time_prefix(text: &str) -> Option<(NaiveTime, &str)> {
    let mut numbers = Vec::new();
    let mut rest = text;
    loop {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 2 {
            return None;
        }
        numbers.push(rest[..digits].parse::<u32>().ok()?);
        rest = &rest[digits..];
        if numbers.len() == 3 {
            break;
        }
        match rest.chars().next() {
            Some(c @ (':' | '：')) if rest[c.len_utf8()..].starts_with(|d: char| d.is_ascii_digit()) => {
                rest = &rest[c.len_utf8()..];
            }
            _ => break,
        }
    }
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let time = match numbers[..] {
        [h, m] => NaiveTime::from_hms_opt(h, m, 0)?,
        [h, m, s] => NaiveTime::from_hms_opt(h, m, s)?,
        _ => return None,
    };
    Some((time, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    #[test]
    fn article_dates_in_every_printed_form() {
        let cases = [
            ("2022-05-10 12:36:57 来源", at(2022, 5, 10, 12, 36, 57), " 来源"),
            ("2022年05月10日 12:36", at(2022, 5, 10, 12, 36, 0), ""),
            ("2022年5月10日", at(2022, 5, 10, 0, 0, 0), ""),
            ("2022/5/10", at(2022, 5, 10, 0, 0, 0), ""),
            ("2022.05.10 08：05", at(2022, 5, 10, 8, 5, 0), ""),
        ];
        for (text, expected, rest) in cases {
            let (got, got_rest) = parse_datetime_prefix(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((got, got_rest), (expected, rest), "parsing {text:?}");
        }
    }

    #[test]
    fn not_dates() {
        for text in [
            "2022",
            "2022-05",
            "2022-13-01",
            "2022-02-30",
            "12345-01-01",
            "2022-05-10x",
            "鲁网",
        ] {
            let parsed = parse_datetime_prefix(text);
            assert!(
                parsed.is_none() || !parsed.unwrap().1.is_empty(),
                "{text:?} must not read as a whole date"
            );
        }
        assert!(parse_datetime_prefix("2022-13-01").is_none());
        assert!(parse_datetime_prefix("2022-05-1012").is_none());
    }

    #[test]
    fn filter_specs_span_day_month_year_in_china_time() {
        let day = DateRange::parse("2022-05-10").unwrap();
        assert_eq!(day.start.to_rfc3339(), "2022-05-10T00:00:00+08:00");
        assert_eq!(day.end.to_rfc3339(), "2022-05-11T00:00:00+08:00");
        let month = DateRange::parse("2022年5月").unwrap();
        assert_eq!(month.start.to_rfc3339(), "2022-05-01T00:00:00+08:00");
        assert_eq!(month.end.to_rfc3339(), "2022-06-01T00:00:00+08:00");
        let december = DateRange::parse("2021-12").unwrap();
        assert_eq!(december.end.to_rfc3339(), "2022-01-01T00:00:00+08:00");
        let year = DateRange::parse("2022").unwrap();
        assert_eq!(year.end.to_rfc3339(), "2023-01-01T00:00:00+08:00");
        assert_eq!(DateRange::parse("2022.5.10").unwrap(), day);
        assert_eq!(DateRange::parse("2022年5月10日").unwrap(), day);
    }

    #[test]
    fn bad_filter_specs_are_errors() {
        for text in [
            "",
            "yesterday",
            "2022-5-",
            "2022-13",
            "22-05-10",
            "2022-05-10 junk",
            "2022-02-30",
        ] {
            assert!(
                matches!(DateRange::parse(text), Err(Error::BadDate { .. })),
                "{text:?} must be a bad date"
            );
        }
    }
}
