//! Word segmentation: jieba-rs over one process-wide dictionary, an index's user dictionary,
//! and short texts (queries) cut with only the dictionary words they contain.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;

use super::fold;
use super::sorted_lines::SortedLines;

/// jieba's own dictionary, loaded once per process on first use and shared by every analyzer
/// clone (tantivy clones analyzers per field, per query and per segment).
static JIEBA: OnceLock<Jieba> = OnceLock::new();

/// A handle on a segmenter: jieba's dictionary, plus an index's user dictionary if it has
/// one. Cheap to clone (tantivy clones analyzers per field, per query and per segment): every
/// clone shares one dictionary, loaded by the first segmentation, not by creating the handle,
/// so a process that never segments (a quoted query, `--help`) never pays for it.
#[derive(Clone, Default)]
pub(crate) struct Segmenter {
    user: Option<Arc<UserDictionary>>,
    cuts: Arc<QueryCuts>,
}

/// Cuts of short texts made with a small jieba, kept: building one (jieba's table of every
/// first character it may meet, then the text's words) costs more than the cut itself, and a
/// server is asked the same queries again and again.
#[derive(Default)]
struct QueryCuts(std::sync::Mutex<std::collections::HashMap<String, Vec<std::ops::Range<usize>>>>);

/// The most cuts kept; past it the cuts kept are dropped and kept anew.
const KEPT_CUTS: usize = 4096;

/// A user dictionary and the jieba instance built with it, once.
struct UserDictionary {
    words: UserWords,
    jieba: OnceLock<Jieba>,
    /// For a dictionary as given, the frequency jieba gave each word, in order: set when the
    /// jieba is built.
    given_freqs: OnceLock<Vec<usize>>,
}

enum UserWords {
    /// As given (`--dict`): in order, frequencies missing where jieba is to suggest them.
    Given {
        entries: Vec<DictEntry>,
        /// Its words, folded: the site's own terms, which query assistance keeps as typed.
        words: std::collections::HashSet<String>,
    },
    /// As an index keeps it ([`Segmenter::kept_text`]).
    Kept(KeptDictionary),
}

/// A user dictionary as an index keeps it: a `#total N` line (jieba's total frequency with
/// the dictionary), then `word freq [tag]` a line, words folded and in order, each frequency
/// the one jieba gave the word. A query looks up only the words it contains, by binary
/// search, and is cut with them as the whole dictionary would cut it.
struct KeptDictionary {
    lines: SortedLines,
    total: u64,
    /// The longest word, in characters.
    longest: usize,
}

/// The first line of a kept user dictionary.
const TOTAL_LINE: &str = "#total ";

impl KeptDictionary {
    /// The dictionary `text` holds, or `text` back if it is not one kept by
    /// [`Segmenter::kept_text`].
    fn read(text: String) -> Result<KeptDictionary, String> {
        let first = text.lines().next().unwrap_or_default();
        let Some(total) = first.strip_prefix(TOTAL_LINE).and_then(|t| t.parse().ok()) else {
            return Err(text);
        };
        let header = (first.len() + 1).min(text.len());
        let lines = SortedLines::read(text, header, " ")?;
        let frequencies = (0..lines.len()).all(|line| {
            lines
                .rest(line)
                .split(' ')
                .next()
                .is_some_and(|f| f.parse::<u64>().is_ok())
        });
        if !frequencies {
            return Err(lines.text().to_string());
        }
        let longest = lines.keys().map(|word| word.chars().count()).max().unwrap_or(0);
        Ok(KeptDictionary { lines, total, longest })
    }

    fn find(&self, word: &str) -> Option<usize> {
        self.lines.find(word)
    }

    /// Line `line`'s word, frequency and tag.
    fn entry(&self, line: usize) -> (&str, u64, Option<&str>) {
        let mut rest = self.lines.rest(line).split(' ');
        let freq = rest.next().and_then(|f| f.parse().ok()).unwrap_or_default();
        (self.lines.key(line), freq, rest.next())
    }
}

/// One line of a user dictionary in jieba's format: `word [frequency] [tag]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DictEntry {
    word: String,
    freq: Option<usize>,
    tag: Option<String>,
}

/// The largest user dictionary read: jieba is built with it in every process that segments
/// for the index (jieba's own dictionary is about 5 MB).
pub(crate) const MAX_DICTIONARY_BYTES: usize = 2 << 20;
/// The most words a user dictionary may have.
const MAX_DICTIONARY_WORDS: usize = 100_000;
/// The longest word, in characters.
const MAX_WORD_CHARS: usize = 32;

/// Reads a user dictionary in jieba's format: one `word [frequency] [part-of-speech]` a line,
/// blank lines and `#` comments ignored. Errors name the line.
pub(crate) fn parse_user_dictionary(text: &str) -> std::result::Result<Vec<DictEntry>, String> {
    if text.len() > MAX_DICTIONARY_BYTES {
        return Err(format!(
            "{} bytes; a user dictionary may be at most {MAX_DICTIONARY_BYTES} (tens of thousands of words)",
            text.len()
        ));
    }
    let mut entries = Vec::new();
    let mut first_line: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{FEFF}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.chars().any(char::is_control) {
            return Err(format!(
                "line {}: a control character (NUL, …) is no part of a word",
                n + 1
            ));
        }
        let mut fields = line.split_whitespace();
        let word = fields.next().unwrap_or_default().to_string();
        if word.chars().count() > MAX_WORD_CHARS {
            return Err(format!("line {}: a word of over {MAX_WORD_CHARS} characters", n + 1));
        }
        if let Some(first) = first_line.insert(fold(&word), n + 1) {
            return Err(format!("line {}: {word} is given again (first on line {first})", n + 1));
        }
        if entries.len() >= MAX_DICTIONARY_WORDS {
            return Err(format!("line {}: more than {MAX_DICTIONARY_WORDS} words", n + 1));
        }
        let freq = match fields.next() {
            Some(f) => Some(
                f.parse::<usize>()
                    .map_err(|_| format!("line {}: frequency {f:?} is not a whole number", n + 1))?,
            ),
            None => None,
        };
        let tag = fields.next().map(str::to_string);
        if fields.next().is_some() {
            return Err(format!("line {}: expected `word [frequency] [tag]`", n + 1));
        }
        entries.push(DictEntry { word, freq, tag });
    }
    Ok(entries)
}

impl Segmenter {
    /// A segmenter with a user dictionary on top of jieba's.
    pub(crate) fn with_user_dictionary(entries: Vec<DictEntry>) -> Segmenter {
        Segmenter {
            cuts: Arc::default(),
            user: Some(Arc::new(UserDictionary {
                words: UserWords::Given {
                    words: entries.iter().map(|entry| fold(&entry.word)).collect(),
                    entries,
                },
                jieba: OnceLock::new(),
                given_freqs: OnceLock::new(),
            })),
        }
    }

    /// A segmenter with a user dictionary as an index keeps it ([`Segmenter::kept_text`]);
    /// `text` back if it is not one.
    pub(crate) fn with_kept_dictionary(text: String) -> Result<Segmenter, String> {
        Ok(Segmenter {
            cuts: Arc::default(),
            user: Some(Arc::new(UserDictionary {
                words: UserWords::Kept(KeptDictionary::read(text)?),
                jieba: OnceLock::new(),
                given_freqs: OnceLock::new(),
            })),
        })
    }

    /// The user dictionary as an index keeps it: every word folded, in order, with the
    /// frequency jieba gave it (a missing one suggested as jieba suggests it), after a line
    /// with jieba's total frequency. `None` without a user dictionary.
    pub(crate) fn kept_text(&self) -> Option<String> {
        let user = self.user.as_ref()?;
        // Built first: it gives the frequencies.
        self.jieba();
        let mut entries: Vec<(String, usize, Option<&str>)> = match &user.words {
            UserWords::Given { entries, .. } => entries
                .iter()
                .zip(user.given_freqs.get().into_iter().flatten())
                .map(|(entry, &freq)| (fold(&entry.word), freq, entry.tag.as_deref()))
                .collect(),
            UserWords::Kept(kept) => (0..kept.lines.len())
                .map(|line| {
                    let (word, freq, tag) = kept.entry(line);
                    (word.to_string(), freq as usize, tag)
                })
                .collect(),
        };
        entries.sort();
        let default_total = dictionary()?.get("\0total")?;
        let total = entries.iter().fold(default_total, |total, (word, freq, _)| {
            total + *freq as u64 - known(word).map_or(0, |k| k.freq)
        });
        let mut text = format!("{TOTAL_LINE}{total}\n");
        for (word, freq, tag) in entries {
            text.push_str(&format!("{word} {freq}"));
            if let Some(tag) = tag {
                text.push(' ');
                text.push_str(tag);
            }
            text.push('\n');
        }
        Some(text)
    }

    /// Whether `folded` is a name to search as typed: a word of the user dictionary (the
    /// site's own terms), or one jieba's dictionary tags as a place, an organisation, a person
    /// or another proper noun.
    pub(crate) fn is_name(&self, folded: &str) -> bool {
        let local = self.user.as_ref().is_some_and(|user| match &user.words {
            UserWords::Given { words, .. } => words.contains(folded),
            UserWords::Kept(kept) => kept.find(folded).is_some(),
        });
        local || known(folded).is_some_and(|k| k.name)
    }

    /// Whether `folded`, three characters jieba's dictionary lacks, is read by jieba's tagger
    /// as one person's name (its HMM of parts of speech for unknown words: 李晓鹏, 赵小刚), as
    /// most names are: a surname and a given name of two. Two characters it reads so are as
    /// often a typo's leftovers (小胜).
    pub(crate) fn is_unknown_person(&self, folded: &str) -> bool {
        if folded.chars().count() != 3 || known(folded).is_some() {
            return false;
        }
        self.with_jieba_for(folded, |jieba| {
            let tags = jieba.tag(folded, true);
            tags.len() == 1 && tags[0].tag == "nr"
        })
    }

    /// Runs `read` with a jieba that reads the short text `folded` as the whole dictionary
    /// does: the whole one where this process has loaded it (it indexes, or segmented a long
    /// text), else one of the text's own words ([`query_jieba`]).
    fn with_jieba_for<T>(&self, folded: &str, read: impl Fn(&Jieba) -> T) -> T {
        match self.built() {
            Ok(full) => read(full),
            Err(kept) => query_jieba(folded, kept).map_or_else(|| read(self.jieba()), |small| read(&small)),
        }
    }

    /// The whole jieba, where this process has built it (a user dictionary given as a list
    /// always builds it); else the kept user dictionary a small one is built over, if any.
    fn built(&self) -> std::result::Result<&Jieba, Option<&KeptDictionary>> {
        match &self.user {
            None => JIEBA.get().ok_or(None),
            Some(user) => match &user.words {
                UserWords::Kept(kept) => user.jieba.get().ok_or(Some(kept)),
                UserWords::Given { .. } => Ok(self.jieba()),
            },
        }
    }

    /// Whether this segmenter has a user dictionary on top of jieba's.
    pub(crate) fn has_user_dictionary(&self) -> bool {
        self.user.is_some()
    }

    pub(super) fn jieba(&self) -> &Jieba {
        match &self.user {
            None => JIEBA.get_or_init(Jieba::new),
            Some(user) => user.jieba.get_or_init(|| {
                let mut jieba = Jieba::new();
                match &user.words {
                    UserWords::Given { entries, .. } => {
                        // Folded like the text it will segment. A missing frequency is
                        // suggested from the dictionary (jieba-rs's load_dict would take it as
                        // 0, and a word of frequency 0 is never chosen).
                        let freqs = entries
                            .iter()
                            .map(|entry| jieba.add_word(&fold(&entry.word), entry.freq, entry.tag.as_deref()))
                            .collect();
                        let _ = user.given_freqs.set(freqs);
                    }
                    UserWords::Kept(kept) => {
                        for line in 0..kept.lines.len() {
                            let (word, freq, tag) = kept.entry(line);
                            jieba.add_word(word, Some(freq as usize), tag);
                        }
                    }
                }
                jieba
            }),
        }
    }

    /// Words of `folded` as jieba's default mode cuts them (HMM on), as char ranges.
    ///
    /// For a short text (a query) and no user dictionary, jieba is built with only the
    /// dictionary words the text contains, read from `data/jieba_dict.fst`, plus one entry that
    /// brings the total frequency to the full dictionary's. jieba's route only ever weighs
    /// words that occur in the text against that total, so the cut is the same as with the
    /// whole dictionary (a test checks it), without loading the whole dictionary.
    pub(crate) fn words(&self, folded: &str) -> Vec<std::ops::Range<usize>> {
        self.cut_words(folded, true)
    }

    /// Words of `folded` as jieba cuts them by its dictionary alone (HMM off), as char ranges:
    /// a run of characters no dictionary word covers stays single characters rather than be
    /// guessed into a word.
    pub(crate) fn dictionary_words(&self, folded: &str) -> Vec<std::ops::Range<usize>> {
        self.cut_words(folded, false)
    }

    fn cut_words(&self, folded: &str, hmm: bool) -> Vec<std::ops::Range<usize>> {
        let cut = |jieba: &Jieba| -> Vec<std::ops::Range<usize>> {
            jieba
                .cut(folded, hmm)
                .into_iter()
                .filter(|t| is_searchable(t.word))
                .map(|t| t.start..t.end)
                .collect()
        };
        // A process that has loaded the whole dictionary (it indexes, or segmented a long text)
        // uses it; others build the small one. The cuts kept are the default mode's: a query's.
        if !hmm || self.built().is_ok() {
            return self.with_jieba_for(folded, cut);
        }
        let lock = || self.cuts.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = lock().get(folded) {
            return known.clone();
        }
        let words = self.with_jieba_for(folded, cut);
        let mut cuts = lock();
        if cuts.len() >= KEPT_CUTS {
            cuts.clear();
        }
        cuts.insert(folded.to_string(), words.clone());
        words
    }

    /// Words of `text` with their part-of-speech tags (`ns` for place names).
    #[cfg(feature = "eval")]
    pub(crate) fn tag(&self, text: &str) -> Vec<(String, String)> {
        self.jieba()
            .tag(text, true)
            .into_iter()
            .map(|t| (t.word.to_string(), t.tag.to_string()))
            .collect()
    }
}

/// jieba's default dictionary: word → frequency, the total frequency under `\0total` and the
/// longest word's length under `\0longest`. Written by `examples/dict_fst.rs` from the
/// dict.txt jieba-rs ships.
static DICTIONARY_FST: &[u8] = include_bytes!("../../data/jieba_dict.fst");
/// Texts longer than this are segmented with the whole dictionary.
const QUERY_CHARS: usize = 256;
/// A word no text contains, carrying the frequency the sub-dictionary lacks.
const FILLER: &str = "\u{10FFFF}\u{10FFFE}";

/// Added to the frequency of a word jieba tags as a name (place, organisation, person, other
/// proper noun) in `data/jieba_dict.fst`.
const NAME: u64 = 1 << 40;
/// Added to the frequency of a word jieba tags as an abbreviation (`j`).
const ABBREVIATION: u64 = 1 << 41;

/// `data/jieba_dict.fst`, opened once.
fn dictionary() -> Option<&'static tantivy_fst::Map<&'static [u8]>> {
    static MAP: OnceLock<Option<tantivy_fst::Map<&'static [u8]>>> = OnceLock::new();
    MAP.get_or_init(|| {
        tantivy_fst::raw::Fst::new(DICTIONARY_FST)
            .ok()
            .map(tantivy_fst::Map::from)
    })
    .as_ref()
}

/// How jieba's dictionary knows a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Known {
    /// Its frequency in jieba's dictionary.
    pub(crate) freq: u64,
    /// Whether jieba tags it as a name (a place, an organisation, a person, a proper noun).
    pub(crate) name: bool,
    /// Whether jieba tags it as an abbreviation (政协, 发改委).
    pub(crate) abbreviation: bool,
}

/// `folded` as jieba's default dictionary knows it, if it does.
pub(crate) fn known(folded: &str) -> Option<Known> {
    dictionary()?.get(folded).map(Known::of)
}

impl Known {
    /// A word as the dictionary's value for it tells.
    fn of(value: u64) -> Known {
        Known {
            freq: value & (NAME - 1),
            name: value & NAME != 0,
            abbreviation: value & ABBREVIATION != 0,
        }
    }
}

/// Every word of jieba's dictionary that starts with `first`, with its frequency.
pub(crate) fn words_starting_with(first: char) -> Vec<(String, u64)> {
    use tantivy_fst::{IntoStreamer, Streamer};
    let Some(map) = dictionary() else {
        return Vec::new();
    };
    let mut start = [0u8; 4];
    let start = first.encode_utf8(&mut start).as_bytes().to_vec();
    let mut end = start.clone();
    end.push(0xFF);
    let mut words = Vec::new();
    let mut stream = map.range().ge(&start).lt(&end).into_stream();
    while let Some((key, value)) = stream.next() {
        if let Ok(word) = std::str::from_utf8(key) {
            words.push((word.to_string(), value & (NAME - 1)));
        }
    }
    words
}

/// Every word jieba's dictionary tags as a name, of two to four Han characters.
#[cfg(feature = "eval")]
pub(crate) fn names() -> Vec<String> {
    dictionary_words_where(|word, known| known.name && (2..=4).contains(&word.chars().count()))
}

/// Every word of jieba's dictionary, all Han characters, that `keep` keeps.
#[cfg(feature = "eval")]
pub(crate) fn dictionary_words_where(keep: impl Fn(&str, Known) -> bool) -> Vec<String> {
    use tantivy_fst::Streamer;
    let Some(map) = dictionary() else {
        return Vec::new();
    };
    let mut words = Vec::new();
    let mut stream = map.stream();
    while let Some((key, value)) = stream.next() {
        let Ok(word) = std::str::from_utf8(key) else {
            continue;
        };
        if word.chars().all(super::is_han) && keep(word, Known::of(value)) {
            words.push(word.to_string());
        }
    }
    words
}

/// A jieba with only the dictionary words that occur in `text` (those of the user dictionary
/// `user` over jieba's), and the full total; `None` for long texts, or if the dictionary
/// cannot be read.
fn query_jieba(text: &str, user: Option<&KeptDictionary>) -> Option<Jieba> {
    let map = dictionary()?;
    let total = user.map_or(map.get("\0total"), |user| Some(user.total))?;
    let longest = (map.get("\0longest")? as usize).max(user.map_or(0, |user| user.longest));
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.len() > QUERY_CHARS {
        return None;
    }
    let mut jieba = Jieba::empty();
    let mut sum = 0u64;
    let mut seen = std::collections::HashSet::new();
    for start in 0..chars.len() {
        for end in start + 1..=(start + longest).min(chars.len()) {
            let to = chars.get(end).map_or(text.len(), |c| c.0);
            let word = &text[chars[start].0..to];
            let own = user.and_then(|user| Some(user.entry(user.find(word)?)));
            let freq = match own {
                Some((_, freq, _)) => Some(freq),
                None => map.get(word).map(|value| value & (NAME - 1)),
            };
            if let Some(freq) = freq {
                if seen.insert(word) {
                    jieba.add_word(word, Some(freq as usize), None);
                    sum += freq;
                }
            }
        }
    }
    if total > sum {
        jieba.add_word(FILLER, Some((total - sum) as usize), None);
    }
    Some(jieba)
}

/// Whether a segmented word carries meaning to search for: it has a letter or a digit.
/// Punctuation and symbols are left to the grams field, where quoted strings still find them.
pub(super) fn is_searchable(word: &str) -> bool {
    word.chars().any(super::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query cut again is the cut kept, the same as the first; the kept cuts stay bounded.
    #[test]
    fn query_cuts_are_kept_and_bounded() {
        let segmenter = Segmenter::default();
        let first = segmenter.words("峄城区召开疫情防控会议");
        assert_eq!(segmenter.words("峄城区召开疫情防控会议"), first);
        if JIEBA.get().is_none() {
            assert_eq!(segmenter.cuts.0.lock().unwrap().len(), 1);
            for n in 0..KEPT_CUTS + 5 {
                segmenter.words(&format!("会议{n}"));
            }
            assert!(segmenter.cuts.0.lock().unwrap().len() <= KEPT_CUTS);
        }
    }

    #[test]
    fn user_dictionary_changes_segmentation() {
        let text = "创建满意峄城活动";
        let cut = |segmenter: &Segmenter| -> Vec<String> {
            segmenter
                .words(text)
                .into_iter()
                .map(|r| text.chars().skip(r.start).take(r.len()).collect())
                .collect()
        };
        assert_eq!(cut(&Segmenter::default()), ["创建", "满意", "峄城", "活动"]);
        let entries = parse_user_dictionary("# local terms\n五比五看\n满意峄城 20 nz\n").unwrap();
        assert_eq!(
            cut(&Segmenter::with_user_dictionary(entries)),
            ["创建", "满意峄城", "活动"]
        );
    }

    #[test]
    fn a_kept_user_dictionary_cuts_queries_as_the_dictionary_it_was_kept_from() {
        // Words new to jieba, one it knows with another frequency, one without a frequency,
        // and one given twice as wide as jieba's longest word.
        let entries = parse_user_dictionary(
            "满意峄城 20 nz\n五比五看\n峄城 300000 ns\n创建满意峄城活动实施方案领导小组办公室 5\n",
        )
        .unwrap();
        let given = Segmenter::with_user_dictionary(entries);
        let text = given.kept_text().unwrap();
        let kept = Segmenter::with_kept_dictionary(text.clone()).unwrap();
        assert_eq!(kept.kept_text().as_deref(), Some(text.as_str()), "kept as it reads");
        for query in [
            "创建满意峄城活动",
            "开展五比五看活动",
            "峄城区人民政府",
            "创建满意峄城活动实施方案领导小组办公室通知",
            "满意",
            "",
        ] {
            assert_eq!(kept.words(query), given.words(query), "{query}");
        }
        assert!(kept.is_name("五比五看") && given.is_name("五比五看"));
        assert!(Segmenter::with_kept_dictionary("峄城 5\n".to_string()).is_err());
        assert!(Segmenter::with_kept_dictionary("#total 9\n乙 5\n甲 5\n".to_string()).is_ok());
        assert!(Segmenter::with_kept_dictionary("#total 9\n甲 5\n乙 5\n".to_string()).is_err());
    }

    #[test]
    fn query_segmentation_with_the_sub_dictionary_equals_the_whole_dictionary() {
        // Every line of the sample corpus, and every window of up to 24 characters of them:
        // what people type and paste.
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let full = Jieba::new();
        let mut texts = vec![
            "峄城区疫情防控".to_string(),
            "会见蒙古国".to_string(),
            "5g网络建设abc".to_string(),
        ];
        for entry in walkdir::WalkDir::new(&corpus)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for line in text.lines().map(fold).filter(|l| !l.is_empty()) {
                let chars: Vec<char> = line.chars().collect();
                for start in (0..chars.len()).step_by(7) {
                    texts.push(chars[start..(start + 24).min(chars.len())].iter().collect());
                }
            }
        }
        assert!(texts.len() > 1000);
        for text in &texts {
            let small = query_jieba(text, None).expect("a short text gets a sub-dictionary");
            let words = |j: &Jieba| {
                j.cut(text, true)
                    .into_iter()
                    .map(|t| t.word.to_string())
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                words(&small),
                words(&full),
                "data/jieba_dict.fst is out of step with jieba-rs for {text:?}: regenerate it (examples/dict_fst.rs)"
            );
        }
    }

    #[test]
    fn names_are_known_as_names() {
        let segmenter = Segmenter::default();
        for name in ["薛城区", "平潭", "杭州", "中国人民银行"] {
            assert!(segmenter.is_name(name), "{name}");
        }
        for word in ["公式", "会议", "营商环竟", "岚岛"] {
            assert!(!segmenter.is_name(word), "{word}");
        }
        assert!(known("公式").is_some_and(|k| k.freq > 100));
        let local = Segmenter::with_user_dictionary(parse_user_dictionary("岚岛 10 ns\n").unwrap());
        assert!(local.is_name("岚岛"));
    }

    #[test]
    fn bad_user_dictionary_lines_are_named() {
        assert_eq!(
            parse_user_dictionary("满意峄城\n五比五看 many\n"),
            Err("line 2: frequency \"many\" is not a whole number".to_string())
        );
        assert_eq!(
            parse_user_dictionary("满意峄城\n五比五看\n满意峄城 20\n"),
            Err("line 3: 满意峄城 is given again (first on line 1)".to_string())
        );
        assert!(parse_user_dictionary("满意\0峄城\n")
            .unwrap_err()
            .contains("control character"));
        assert!(parse_user_dictionary(&"词".repeat(40))
            .unwrap_err()
            .contains("over 32 characters"));
        let huge = "词\n".repeat(MAX_DICTIONARY_BYTES / 4 + 1);
        assert!(parse_user_dictionary(&huge).unwrap_err().contains("at most"));
    }
}
