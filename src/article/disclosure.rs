//! The metadata table that opens a 政府信息公开 page: 索引号, 发文机关, 文号, 成文日期,
//! 发布日期, 主题分类, 主题词, 公开方式, 有效性. Sites lay it out as `<dl>` pairs, `<table>`
//! rows, `<ul>` items, `<meta>` tags or a label a line, with spaced labels (`索 引 号：`) and
//! full-width colons. Every layout comes down to a run of cells (the text between two tags,
//! or a line): a cell that is a label and the cell after it, or one cell `label：value`.
//!
//! A label alone proves little (a 通知's text has `发布日期：` in it as easily as a table
//! does), so a table is read only where two different fields stand close together, one of
//! them the table's own (not the date and 发布机构 a news page's header has too).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::Metadata;
use crate::dates::{in_china, parse_datetime_prefix};

/// Whether a document is still in force, as its 有效性 and 有效期至 say on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Force {
    /// 有效: in force (or in force in part).
    InForce,
    /// 失效: expired, by its own statement or past its 有效期至.
    Expired,
    /// 废止: repealed.
    Repealed,
}

impl Force {
    /// Every state, in the order facets list them.
    pub const ALL: [Force; 3] = [Force::InForce, Force::Expired, Force::Repealed];

    /// The word government sites use for it.
    pub fn label(self) -> &'static str {
        match self {
            Force::InForce => "有效",
            Force::Expired => "失效",
            Force::Repealed => "废止",
        }
    }

    /// The state a 有效性 text states, if it states one: `已废止`, `失效`, `部分失效` (in
    /// force for the rest), `现行有效`.
    pub fn stated(text: &str) -> Option<Force> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if text.contains("废止") || text.contains("撤销") {
            Some(Force::Repealed)
        } else if text.contains("部分失效") || text.contains("部分有效") {
            Some(Force::InForce)
        } else if text.contains("失效") || text.contains("无效") || text.contains("过期") {
            Some(Force::Expired)
        } else if text.contains("有效") || text.contains("现行") {
            Some(Force::InForce)
        } else {
            None
        }
    }

    /// Its code in the index (0 is no state stated).
    pub(crate) fn code(self) -> u64 {
        match self {
            Force::InForce => 1,
            Force::Expired => 2,
            Force::Repealed => 3,
        }
    }

    /// The state of `code`.
    pub(crate) fn from_code(code: u64) -> Option<Force> {
        Force::ALL.into_iter().find(|f| f.code() == code)
    }

    /// A document's state on `today`: repealed or expired as stated; else expired once past
    /// `until`, in force before it; else as stated.
    pub fn on(stated: Option<Force>, until: Option<NaiveDate>, today: NaiveDate) -> Option<Force> {
        match (stated, until) {
            (Some(Force::Repealed | Force::Expired), _) => stated,
            (_, Some(until)) if until < today => Some(Force::Expired),
            (_, Some(_)) => Some(Force::InForce),
            (stated, None) => stated,
        }
    }

    /// Its name in JSON and filters.
    pub fn name(self) -> &'static str {
        match self {
            Force::InForce => "in_force",
            Force::Expired => "expired",
            Force::Repealed => "repealed",
        }
    }

    /// The state named `name`: 有效/失效/废止, or `in_force`/`expired`/`repealed`.
    pub fn from_name(name: &str) -> Option<Force> {
        let name = name.trim();
        Force::ALL.into_iter().find(|f| f.label() == name || f.name() == name)
    }
}

/// The fields of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    IndexNumber,
    Issuer,
    /// 发布机构: the body that published it, its source, and its issuer when nothing else
    /// names one.
    Publisher,
    DocNumber,
    Written,
    Published,
    Topic,
    Subjects,
    Disclosure,
    Validity,
    ValidUntil,
}

/// Labels as sites write them, spaces and colons taken out.
const LABELS: &[(&str, Field)] = &[
    ("索引号", Field::IndexNumber),
    ("发文机关", Field::Issuer),
    ("发文单位", Field::Issuer),
    ("发布机构", Field::Publisher),
    ("发布机关", Field::Publisher),
    ("制发机关", Field::Issuer),
    ("责任部门", Field::Issuer),
    ("文号", Field::DocNumber),
    ("发文字号", Field::DocNumber),
    ("发文文号", Field::DocNumber),
    ("成文日期", Field::Written),
    ("成文时间", Field::Written),
    ("发文日期", Field::Written),
    ("印发日期", Field::Written),
    ("发布日期", Field::Published),
    ("发布时间", Field::Published),
    ("生成日期", Field::Published),
    ("公开日期", Field::Published),
    ("主题分类", Field::Topic),
    ("信息分类", Field::Topic),
    ("主题词", Field::Subjects),
    ("公开方式", Field::Disclosure),
    ("公开形式", Field::Disclosure),
    ("有效性", Field::Validity),
    ("时效性", Field::Validity),
    ("效力状态", Field::Validity),
    ("有效期至", Field::ValidUntil),
    ("失效日期", Field::ValidUntil),
    ("失效时间", Field::ValidUntil),
    // The names the JSON and `<meta>` layouts use.
    ("index_number", Field::IndexNumber),
    ("issuer", Field::Issuer),
    ("doc_number", Field::DocNumber),
    ("written", Field::Written),
    ("topic", Field::Topic),
    ("subject_words", Field::Subjects),
    ("disclosure", Field::Disclosure),
    ("validity", Field::Validity),
    ("valid_until", Field::ValidUntil),
];

/// How many cells may stand between two fields of one table.
const NEAR: usize = 6;
/// A cell longer than this is text, not a table's cell.
const MAX_CELL_CHARS: usize = 120;

/// What a table holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Table {
    index_number: Option<String>,
    issuer: Option<String>,
    publisher: Option<String>,
    doc_number: Option<String>,
    written: Option<NaiveDateTime>,
    published: Option<NaiveDateTime>,
    topic: Option<String>,
    subjects: Vec<String>,
    disclosure: Option<String>,
    validity: Option<String>,
    valid_until: Option<NaiveDate>,
    /// The cells read as labels or values.
    pub(crate) used: Vec<usize>,
}

/// The label `cell` is, if it is one alone: `索 引 号：`, `【发文机关】`.
fn label_of(cell: &str) -> Option<Field> {
    // Every line of every text and page comes here: a cell longer than any spaced-out label
    // is no label, and is not copied.
    if cell.len() > MAX_LABEL_BYTES {
        return None;
    }
    let key: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：' | '【' | '】' | '[' | ']'))
        .collect();
    LABELS.iter().find(|(label, _)| *label == key).map(|(_, f)| *f)
}

/// The longest a label cell may be in bytes: the longest label with a space between each of
/// its characters, brackets and a colon.
const MAX_LABEL_BYTES: usize = 64;

/// Whether `name` is the label of a field of the table.
pub(crate) fn is_label(name: &str) -> bool {
    label_of(name).is_some()
}

/// `label：value` in one cell, if `cell` starts with a label and a colon.
fn label_and_value(cell: &str) -> Option<(Field, &str)> {
    let (head, value) = cell.split_once([':', '：'])?;
    Some((label_of(head)?, value))
}

/// The table in `cells`, if two different fields stand close together; the fields of every
/// such run of cells, the first value of a field kept.
pub(crate) fn read(cells: &[&str]) -> Option<Table> {
    // (label cell, value cell, field, value)
    let mut found: Vec<(usize, usize, Field, &str)> = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        let cell = cells[i].trim();
        if cell.chars().count() > MAX_CELL_CHARS {
            i += 1;
            continue;
        }
        if let Some(field) = label_of(cell) {
            let next = cells.get(i + 1).map(|c| c.trim());
            match next {
                Some(value) if label_of(value).is_none() && label_and_value(value).is_none() => {
                    found.push((i, i + 1, field, value));
                    i += 2;
                    continue;
                }
                _ => {}
            }
        } else if let Some((field, value)) = label_and_value(cell) {
            if !value.trim().is_empty() {
                found.push((i, i, field, value.trim()));
            }
        }
        i += 1;
    }
    let mut table = Table::default();
    let mut any = false;
    let mut start = 0;
    while start < found.len() {
        let mut end = start + 1;
        while end < found.len() && found[end].0 <= found[end - 1].1 + NEAR {
            end += 1;
        }
        let run = &found[start..end];
        // A news page's header (a date and a 发布机构) is no 信息公开 table: one field of the
        // table's own must be there.
        let own = run
            .iter()
            .any(|(_, _, f, _)| !matches!(f, Field::Published | Field::Publisher));
        if own && run.iter().any(|(_, _, f, _)| *f != run[0].2) {
            any = true;
            for &(label, value, field, text) in run {
                if table.set(field, text) {
                    table.used.push(label);
                    if value != label {
                        table.used.push(value);
                    }
                }
            }
        }
        start = end;
    }
    any.then_some(table)
}

/// A value that says there is none.
fn is_none(text: &str) -> bool {
    matches!(text, "" | "无" | "-" | "--" | "/" | "暂无" | "空")
}

impl Table {
    /// Sets `field` from `text` unless it is set; whether `text` was read as its value.
    fn set(&mut self, field: Field, text: &str) -> bool {
        let text = text.trim();
        if is_none(text) {
            return false;
        }
        let keep = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(text.to_string());
            }
            true
        };
        let date = |text: &str| {
            // `2022年05月10日`, `2022-05-10 10:00`, a date after words (`有效期至2025年12月31日`).
            let at = text.find(|c: char| c.is_ascii_digit())?;
            parse_datetime_prefix(&text[at..]).map(|(when, _)| when)
        };
        match field {
            Field::IndexNumber => keep(&mut self.index_number),
            Field::Issuer => keep(&mut self.issuer),
            Field::Publisher => keep(&mut self.publisher),
            Field::DocNumber => keep(&mut self.doc_number),
            Field::Topic => keep(&mut self.topic),
            Field::Disclosure => keep(&mut self.disclosure),
            Field::Validity => {
                if self.valid_until.is_none() {
                    self.valid_until = date(text).map(|d| d.date());
                }
                keep(&mut self.validity)
            }
            Field::Written | Field::Published | Field::ValidUntil => {
                let Some(when) = date(text) else {
                    return false;
                };
                let slot = match field {
                    Field::Written => &mut self.written,
                    Field::Published => &mut self.published,
                    _ => {
                        self.valid_until.get_or_insert(when.date());
                        return true;
                    }
                };
                slot.get_or_insert(when);
                true
            }
            Field::Subjects => {
                for word in super::text::split_keywords(text) {
                    if !self.subjects.iter().any(|s| s == word) {
                        self.subjects.push(word.to_string());
                    }
                }
                true
            }
        }
    }

    /// Fills what `meta` does not have yet.
    pub(crate) fn fill(self, meta: &mut Metadata) {
        fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
            if slot.is_none() {
                *slot = value;
            }
        }
        fill(&mut meta.index_number, self.index_number);
        fill(&mut meta.source, self.publisher.clone());
        fill(&mut meta.issuer, self.issuer.or(self.publisher));
        fill(&mut meta.doc_number, self.doc_number);
        fill(&mut meta.written, self.written.map(in_china));
        // A document that gives no publish date is dated by the day it was written.
        fill(&mut meta.published, self.published.or(self.written).map(in_china));
        fill(&mut meta.topic, self.topic);
        fill(&mut meta.disclosure, self.disclosure);
        fill(&mut meta.validity, self.validity);
        fill(&mut meta.valid_until, self.valid_until);
        for word in self.subjects {
            if !meta.keywords.contains(&word) {
                meta.keywords.push(word);
            }
        }
    }
}

/// Reads the field named `name` (a label, or the name the JSON layout uses) from `value`
/// into `meta`, if it is a field of the table: for layouts that name their fields.
pub(crate) fn fill_named(meta: &mut Metadata, name: &str, value: &str) -> bool {
    let Some(field) = label_of(name) else {
        return false;
    };
    let mut table = Table::default();
    let read = table.set(field, value);
    table.fill(meta);
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(cells: &[&str]) -> Metadata {
        let mut meta = Metadata::default();
        read(cells).expect("a table").fill(&mut meta);
        meta
    }

    #[test]
    fn a_label_and_the_next_cell_or_one_cell_with_a_colon() {
        let meta = fields(&[
            "索 引 号：",
            "014742224A/2023-0043406",
            "发文机关:",
            "万载县人民政府办公室",
            "文号：万府办发〔2023〕5号",
            "成文日期",
            "2023年05月10日",
            "【主题分类】",
            "国民经济管理、国有资产监管/统计",
            "主题词：统计 公报",
            "有效性：",
            "有效",
        ]);
        assert_eq!(meta.index_number.as_deref(), Some("014742224A/2023-0043406"));
        assert_eq!(meta.issuer.as_deref(), Some("万载县人民政府办公室"));
        assert_eq!(meta.doc_number.as_deref(), Some("万府办发〔2023〕5号"));
        assert_eq!(
            meta.written.map(|d| d.date_naive().to_string()).as_deref(),
            Some("2023-05-10")
        );
        assert_eq!(meta.topic.as_deref(), Some("国民经济管理、国有资产监管/统计"));
        assert_eq!(meta.keywords, ["统计", "公报"]);
        assert_eq!(meta.validity.as_deref(), Some("有效"));
    }

    #[test]
    fn one_label_alone_is_not_a_table() {
        assert_eq!(read(&["会议指出，", "发布日期：", "2023-05-10", "要抓好落实。"]), None);
        // Two of one field are not two fields either.
        assert_eq!(read(&["发布日期：2023-05-10", "发布时间：2023-05-11"]), None);
        // A news page's date and 发布机构 are its header, not a table.
        assert_eq!(read(&["发布时间：2023-05-10 10:00", "发布机构：平潭网"]), None);
        // Two fields far apart are two lone labels.
        let mut far = vec!["文号：峄政发〔2022〕5号"];
        far.extend(["正文"; NEAR + 1]);
        far.push("有效性：有效");
        assert_eq!(read(&far), None);
    }

    #[test]
    fn empty_values_are_absent_and_the_first_value_wins() {
        let meta = fields(&["索引号：", "无", "发文机关：", "甲局", "发布机构：乙局", "文号：", "-"]);
        assert_eq!(meta.index_number, None);
        assert_eq!(meta.issuer.as_deref(), Some("甲局"));
        assert_eq!(meta.doc_number, None);
    }

    #[test]
    fn validity_and_its_end_date() {
        let meta = fields(&["有效性：有效期至2025年12月31日", "发文机关：甲局"]);
        assert_eq!(meta.valid_until, NaiveDate::from_ymd_opt(2025, 12, 31));
        let meta = fields(&["有效性：失效", "失效日期：2024-01-01", "发文机关：甲局"]);
        assert_eq!(meta.valid_until, NaiveDate::from_ymd_opt(2024, 1, 1));
        assert_eq!(meta.validity.as_deref(), Some("失效"));
    }

    #[test]
    fn the_state_on_a_day() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let today = day(2026, 6, 1);
        assert_eq!(Force::stated("已废止"), Some(Force::Repealed));
        assert_eq!(Force::stated("部分失效"), Some(Force::InForce));
        assert_eq!(Force::stated("失 效"), Some(Force::Expired));
        assert_eq!(Force::stated("现行有效"), Some(Force::InForce));
        assert_eq!(Force::stated("主动公开"), None);
        assert_eq!(
            Force::on(Some(Force::InForce), Some(day(2025, 12, 31)), today),
            Some(Force::Expired)
        );
        assert_eq!(Force::on(None, Some(day(2026, 6, 1)), today), Some(Force::InForce));
        assert_eq!(
            Force::on(Some(Force::Repealed), Some(day(2030, 1, 1)), today),
            Some(Force::Repealed)
        );
        assert_eq!(Force::on(None, None, today), None);
        for force in Force::ALL {
            assert_eq!(Force::from_code(force.code()), Some(force));
            assert_eq!(Force::from_name(force.label()), Some(force));
        }
        assert_eq!(Force::from_name("in_force"), Some(Force::InForce));
    }
}
