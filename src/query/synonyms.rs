//! Everyday words and the official terms releases use for them (社保 → 社会保险): a table
//! shipped with govsearch, and an index's own table beside it.
//!
//! The format is a line an entry, `everyday => official, official`; `#` starts a comment.
//! An unquoted query word that is an everyday word also finds the official terms.
//!
//! An index keeps its table checked and folded, a line an entry in the order of their
//! everyday words ([`Synonyms::kept_text`]): a search looks the words of its query up in it
//! by binary search, so what it pays does not grow with the table.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::text::sorted_lines::SortedLines;

/// The largest synonym table read: every search reads the index's table, so its size bounds
/// what each search pays (the shipped table is a few kilobytes).
pub(crate) const MAX_TABLE_BYTES: usize = 1 << 20;
/// The most entries a table may have.
pub(crate) const MAX_ENTRIES: usize = 20_000;
/// The most official terms one everyday word may stand for: a query with the word becomes a
/// search for any of them.
pub(crate) const MAX_TERMS: usize = 16;
/// The longest word or term, in characters.
pub(crate) const MAX_TERM_CHARS: usize = 32;
/// The longest line, in characters.
const MAX_LINE_CHARS: usize = 2_000;

/// The table shipped with govsearch (`data/synonyms.txt`).
const DEFAULT_TABLE: &str = include_str!("../../data/synonyms.txt");

/// Everyday words, each with the official terms it also finds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Synonyms {
    entries: BTreeMap<String, Vec<String>>,
    /// The everyday words by their first character: a query is scanned once, not once per
    /// entry.
    starts: HashMap<char, Vec<String>>,
    /// An index's table as kept, over `entries`.
    kept: Option<Arc<Kept>>,
}

/// An index's table as kept: `word => term, term` lines in the order of their words.
#[derive(Debug, PartialEq, Eq)]
struct Kept {
    lines: SortedLines,
    /// The longest word, in bytes.
    longest: usize,
}

/// What separates a kept line's word from its terms, and one term from the next.
const ARROW: &str = " => ";
const COMMA: &str = ", ";

impl Kept {
    /// The table `text` holds, or `text` back unless it is one kept by
    /// [`Synonyms::kept_text`].
    fn read(text: String) -> Result<Kept, String> {
        let lines = SortedLines::read(text, 0, ARROW)?;
        let longest = lines.keys().map(str::len).max().unwrap_or(0);
        Ok(Kept { lines, longest })
    }

    fn terms(&self, line: usize) -> Vec<String> {
        self.lines.rest(line).split(COMMA).map(str::to_string).collect()
    }
}

impl Synonyms {
    /// The shipped table.
    pub(crate) fn shipped() -> Synonyms {
        Synonyms::parse(DEFAULT_TABLE).expect("the shipped synonym table parses")
    }

    /// The shipped table with `own` (an index's table) over it: an everyday word in both takes
    /// the index's official terms.
    pub(crate) fn with(mut self, own: &Synonyms) -> Synonyms {
        for (word, terms) in &own.entries {
            self.entries.insert(word.clone(), terms.clone());
        }
        self.index_starts();
        self
    }

    /// The shipped table with an index's table as kept (`text`, from [`Synonyms::kept_text`])
    /// over it; `text` back if it is not such a table.
    pub(crate) fn with_kept(self, text: String) -> Result<Synonyms, String> {
        let kept = Kept::read(text)?;
        Ok(Synonyms {
            kept: Some(Arc::new(kept)),
            ..self
        })
    }

    /// The table as an index keeps it: a line an entry, `word => term, term`, in the order of
    /// the words, every word and term folded.
    pub(crate) fn kept_text(&self) -> String {
        let mut text = String::new();
        for (word, terms) in &self.entries {
            text.push_str(word);
            text.push_str(ARROW);
            text.push_str(&terms.join(COMMA));
            text.push('\n');
        }
        text
    }

    fn index_starts(&mut self) {
        self.starts.clear();
        for word in self.entries.keys() {
            if let Some(first) = word.chars().next() {
                self.starts.entry(first).or_default().push(word.clone());
            }
        }
    }

    /// Reads a table; the error names the first line that is not `word => term, term`.
    pub(crate) fn parse(text: &str) -> Result<Synonyms, String> {
        let mut entries: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut first_line: HashMap<String, usize> = HashMap::new();
        for (number, line) in text.lines().enumerate() {
            if line.chars().count() > MAX_LINE_CHARS {
                return Err(format!(
                    "line {}: {} characters; a line may have at most {MAX_LINE_CHARS}",
                    number + 1,
                    line.chars().count()
                ));
            }
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |why: &str| format!("line {}: {why}: {line}", number + 1);
            if line.chars().any(char::is_control) {
                return Err(bad("a control character (NUL, …) is no part of a word"));
            }
            let Some((word, terms)) = line.split_once("=>") else {
                return Err(bad("not `everyday => official, official`"));
            };
            if terms.contains("=>") {
                return Err(bad("more than one `=>`: one everyday word a line, then its terms"));
            }
            let word = crate::text::fold(word.trim());
            if word.is_empty() || word.chars().any(char::is_whitespace) {
                return Err(bad("the everyday word is empty or has a space"));
            }
            if let Some(first) = first_line.insert(word.clone(), number + 1) {
                return Err(bad(&format!(
                    "{word} is given again (first on line {first}): one line a word"
                )));
            }
            if entries.len() >= MAX_ENTRIES {
                return Err(bad(&format!("more than {MAX_ENTRIES} entries")));
            }
            let terms: Vec<String> = terms
                .split([',', '，', '、'])
                .map(|t| crate::text::fold(t.trim()))
                .filter(|t| !t.is_empty() && *t != word)
                .collect();
            if terms.is_empty() {
                return Err(bad("no official term"));
            }
            if terms.iter().any(|t| t.chars().any(char::is_whitespace)) {
                return Err(bad("an official term has a space"));
            }
            if terms.len() > MAX_TERMS {
                return Err(bad(&format!(
                    "{} terms; an entry may have at most {MAX_TERMS}",
                    terms.len()
                )));
            }
            if std::iter::once(&word)
                .chain(&terms)
                .any(|t| t.chars().count() > MAX_TERM_CHARS)
            {
                return Err(bad(&format!("a word or term over {MAX_TERM_CHARS} characters")));
            }
            let known = entries.entry(word).or_default();
            for term in terms {
                if !known.contains(&term) {
                    known.push(term);
                }
            }
        }
        let mut table = Synonyms {
            entries,
            starts: HashMap::new(),
            kept: None,
        };
        table.index_starts();
        Ok(table)
    }

    /// The official terms `word` (folded) also finds: none for a word not in the table.
    pub(crate) fn of(&self, word: &str) -> Vec<String> {
        if let Some(line) = self.kept.as_ref().and_then(|kept| kept.lines.find(word)) {
            return self.kept.as_ref().map(|kept| kept.terms(line)).unwrap_or_default();
        }
        self.entries.get(word).cloned().unwrap_or_default()
    }

    /// The longest everyday word in `text` (folded), with its character range: the one a
    /// chunk of query text is split around.
    pub(crate) fn find_in(&self, text: &str) -> Option<(std::ops::Range<usize>, &str)> {
        fn consider<'a>(
            best: &mut Option<(std::ops::Range<usize>, &'a str)>,
            range: std::ops::Range<usize>,
            word: &'a str,
        ) {
            if best.as_ref().is_none_or(|(r, _)| range.len() > r.len()) {
                *best = Some((range, word));
            }
        }
        let mut best: Option<(std::ops::Range<usize>, &str)> = None;
        for (start, (at, first)) in text.char_indices().enumerate() {
            // The index's words first: a word in both tables is the index's.
            if let Some(kept) = &self.kept {
                let ends = text[at..]
                    .char_indices()
                    .skip(1)
                    .map(|(end, _)| end)
                    .chain(std::iter::once(text.len() - at))
                    .take_while(|&end| end <= kept.longest);
                for (chars, end) in ends.enumerate() {
                    if let Some(line) = kept.lines.find(&text[at..at + end]) {
                        consider(&mut best, start..start + chars + 1, kept.lines.key(line));
                    }
                }
            }
            for word in self.starts.get(&first).into_iter().flatten() {
                if text[at..].starts_with(word.as_str()) {
                    consider(&mut best, start..start + word.chars().count(), word.as_str());
                }
            }
        }
        best
    }

    /// Every entry, for listing (the evaluation runs each).
    #[cfg(any(test, feature = "eval"))]
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(w, t)| (w.as_str(), t.as_slice()))
    }

    /// How many everyday words it has.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Reads and checks a synonym table without touching any index (what
/// [`Index::set_synonyms`](crate::Index::set_synonyms) would refuse is refused here).
pub fn check_synonyms(path: impl AsRef<Path>) -> Result<()> {
    read_synonyms(path.as_ref()).map(drop)
}

pub(crate) fn read_synonyms(path: &Path) -> Result<Synonyms> {
    let bytes = std::fs::read(path).map_err(|error| Error::Io {
        path: path.to_path_buf(),
        error,
    })?;
    synonyms_of(path, bytes)
}

/// The table in `bytes`, read from `path`.
pub(crate) fn synonyms_of(path: &Path, bytes: Vec<u8>) -> Result<Synonyms> {
    let bad = |reason: String| Error::BadSynonyms {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() > MAX_TABLE_BYTES {
        return Err(bad(format!(
            "{} bytes; a table may be at most {MAX_TABLE_BYTES} (a few thousand entries)",
            bytes.len()
        )));
    }
    let text = String::from_utf8(bytes).map_err(|err| {
        bad(format!(
            "not UTF-8 text (byte {} is not)",
            err.utf8_error().valid_up_to()
        ))
    })?;
    Synonyms::parse(&text).map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_tables_are_refused_with_the_line() {
        let many_terms = format!(
            "社保 => {}",
            (0..17).map(|n| format!("术语{n}")).collect::<Vec<_>>().join(", ")
        );
        for (table, says) in [
            ("社保 => 社会保险 => 社会保障", "more than one `=>`"),
            ("社\0保 => 社会保险", "control character"),
            (
                "社保 => 社会保险\n医保 => 医疗保险\n社保 => 社会保障",
                "line 3: 社保 is given again (first on line 1)",
            ),
            (many_terms.as_str(), "17 terms"),
            (&format!("社保 => {}", "长".repeat(40)), "over 32 characters"),
        ] {
            let err = Synonyms::parse(table).unwrap_err();
            assert!(err.contains(says), "{table:?}: {err}");
        }
        let huge = vec![b'#'; MAX_TABLE_BYTES + 1];
        let err = synonyms_of(Path::new("t.txt"), huge).unwrap_err().to_string();
        assert!(err.contains("a table may be at most"), "{err}");
    }

    #[test]
    fn the_shipped_table_reads() {
        let table = Synonyms::shipped();
        // The docs state the table's size: it is checked here, so it cannot drift.
        let docs = include_str!("../../docs/query-assistance.md");
        let stated = docs
            .split("`src/query/synonyms.rs`): ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok());
        assert_eq!(
            stated,
            Some(table.len()),
            "docs/query-assistance.md states the table's size"
        );
        assert!(table.of("社保").contains(&"社会保险".to_string()));
        assert!(table.of("医保").contains(&"医疗保险".to_string()));
        assert!(table.of("低保").contains(&"最低生活保障".to_string()));
        assert!(table.of("国务院").is_empty());
    }

    #[test]
    fn a_table_is_checked_line_by_line() {
        let table = Synonyms::parse("# ours\n小升初 => 义务教育招生, 初中招生\n").unwrap();
        assert_eq!(table.of("小升初"), ["义务教育招生", "初中招生"]);
        assert!(Synonyms::parse("社保 社会保险\n").unwrap_err().starts_with("line 1"));
        assert!(Synonyms::parse("\n社保 =>\n").unwrap_err().starts_with("line 2"));
        let merged = Synonyms::shipped().with(&table);
        assert_eq!(merged.of("小升初").len(), 2);
        assert!(!merged.of("社保").is_empty());
    }

    #[test]
    fn a_kept_table_is_looked_up_as_the_table_it_was_kept_from() {
        let own = Synonyms::parse("醫保卡 => 社会保障卡\n医保 => 医疗保险, 基本医疗保险\n社保 => 社会保障\n").unwrap();
        let eager = Synonyms::shipped().with(&own);
        let lazy = Synonyms::shipped().with_kept(own.kept_text()).unwrap();
        for word in ["医保", "医保卡", "社保", "低保", "国务院"] {
            assert_eq!(lazy.of(word), eager.of(word), "{word}");
        }
        for text in ["办理医保卡", "社保和低保", "国务院", "医", ""] {
            assert_eq!(lazy.find_in(text), eager.find_in(text), "{text}");
        }
        // Not a kept table: out of order, or not an entry a line.
        assert!(Synonyms::shipped()
            .with_kept("甲 => 丙\n乙 => 丁\n".to_string())
            .is_err());
        assert!(Synonyms::shipped().with_kept("# 表\n甲 => 丁\n".to_string()).is_err());
        assert!(Synonyms::shipped().with_kept("甲 => \n".to_string()).is_err());
    }

    #[test]
    fn the_longest_everyday_word_is_found() {
        let table = Synonyms::parse("医保 => 医疗保险\n医保卡 => 社会保障卡\n").unwrap();
        assert_eq!(table.find_in("办理医保卡"), Some((2..5, "医保卡")));
        assert_eq!(table.find_in("国务院"), None);
    }
}
