//! 拼音: the readings of Han text, and Latin query text read as pinyin.

use std::borrow::Cow;

use pinyin::{ToPinyin, ToPinyinMulti};

/// One toneless syllable.
pub(crate) type Syllable = Cow<'static, str>;

/// The most reading combinations kept for one term: every reading of every character would
/// multiply out on long terms full of 多音字, and the first readings are the common ones.
const MAX_READINGS: usize = 16;

/// The toneless readings of `text`, each a list of syllables (`ü` as `v`): every combination
/// of its characters' readings, the first (most common) readings first, at most [`MAX_READINGS`]. `None` when a
/// character has no reading (not a Han character).
pub(crate) fn readings(text: &str) -> Option<Vec<Vec<Syllable>>> {
    let mut out: Vec<Vec<Syllable>> = vec![Vec::new()];
    for ch in text.chars() {
        let multi = ch.to_pinyin_multi()?;
        let mut next = Vec::new();
        for reading in multi {
            let plain = reading.plain();
            let syllable = if plain.contains('ü') {
                Cow::Owned(plain.replace('ü', "v"))
            } else {
                Cow::Borrowed(plain)
            };
            for prefix in &out {
                if next.len() == MAX_READINGS {
                    break;
                }
                let mut syllables = prefix.clone();
                syllables.push(syllable.clone());
                next.push(syllables);
            }
        }
        out = next;
    }
    Some(out)
}

/// The syllables' letters run together: the key a query typed in full pinyin is looked up by.
pub(crate) fn full(syllables: &[Syllable]) -> String {
    syllables.concat()
}

/// The first letter of each syllable: the key of a query typed as initials (`xczx`).
pub(crate) fn initials(syllables: &[Syllable]) -> String {
    syllables.iter().filter_map(|s| s.chars().next()).collect()
}

/// Whether `letters` spell the whole of `term` by its characters' common readings, in full or
/// as initials: `xc` spells 乡村, not 乡村振兴, which it only starts.
pub(crate) fn spells_whole(letters: &str, term: &str) -> bool {
    readings(term)
        .and_then(|r| r.into_iter().next())
        .is_some_and(|first| full(&first) == letters || initials(&first) == letters)
}

/// A syllable with the distinctions many speakers blur (zh/z, ch/c, sh/s, n/l, -ing/-in,
/// -eng/-en, -ang/-an) taken out: two characters whose readings blur alike sound the same to
/// someone typing by ear.
pub(crate) fn blurred(syllable: &str) -> String {
    let mut s = syllable.to_string();
    for (from, to) in [("zh", "z"), ("ch", "c"), ("sh", "s")] {
        if let Some(rest) = s.strip_prefix(from) {
            s = format!("{to}{rest}");
        }
    }
    if let Some(rest) = s.strip_prefix('n') {
        if !rest.is_empty() {
            s = format!("l{rest}");
        }
    }
    for (from, to) in [("ing", "in"), ("eng", "en"), ("ang", "an")] {
        if let Some(stem) = s.strip_suffix(from) {
            s = format!("{stem}{to}");
            break;
        }
    }
    s
}

/// Whether two characters share a reading (toneless): 情 and 请 do.
pub(crate) fn same_sound(a: char, b: char) -> bool {
    let (Some(a), Some(b)) = (a.to_pinyin_multi(), b.to_pinyin_multi()) else {
        return false;
    };
    let a: Vec<&str> = a.into_iter().map(|p| p.plain()).collect();
    b.into_iter().any(|p| a.contains(&p.plain()))
}

/// Whether `typed`, read by its common (first) reading, sounds like some reading of `meant`,
/// and `meant`'s common reading like some reading of `typed`, once blurred: what a pinyin
/// input method offers for the syllable typed. 期 is qī (jī only in 期年), so 期许 is no slip
/// for 继续; 重 reads tóng only in old texts, so 两通 is none for 两重.
pub(crate) fn typed_for(typed: char, meant: char) -> bool {
    reaches(typed, meant) && reaches(meant, typed)
}

/// Whether one of two characters, by its common (first) reading, sounds like some reading of
/// the other once blurred: 见 (jiàn) and 前 (jiǎn in old texts) do; 胜 and 寻 do not, though
/// each has a rare reading (xīng, xín) that blurs like the other's.
pub(crate) fn heard_alike(a: char, b: char) -> bool {
    reaches(a, b) || reaches(b, a)
}

/// A character this frequent as a word of its own in jieba's dictionary is a common one: what
/// a respelling may put in place of a typed character (链 is, 琏 is not).
const COMMON_CHAR: u64 = 300;

/// The common characters ([`COMMON_CHAR`]) each blurred reading is one of, most frequent
/// first: read once from the pinyin crate's table and jieba's dictionary.
fn common_by_reading() -> &'static std::collections::HashMap<String, Vec<char>> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<String, Vec<char>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: std::collections::HashMap<String, Vec<(u64, char)>> = Default::default();
        for c in '\u{4E00}'..='\u{9FFF}' {
            let (Some(readings), Some(known)) = (c.to_pinyin_multi(), crate::text::segment::known(&c.to_string()))
            else {
                continue;
            };
            let freq = known.freq;
            // A traditional form folds to its simplified one, which is the one to show.
            if freq < COMMON_CHAR || crate::text::fold_char(c).is_some_and(|folded| folded != c) {
                continue;
            }
            let mut blurred: Vec<String> = readings.into_iter().map(blur).collect();
            blurred.sort_unstable();
            blurred.dedup();
            for reading in blurred {
                table.entry(reading).or_default().push((freq, c));
            }
        }
        table
            .into_iter()
            .map(|(reading, mut chars)| {
                chars.sort_unstable_by(|a, b| b.cmp(a));
                (reading, chars.into_iter().map(|(_, c)| c).collect())
            })
            .collect()
    })
}

/// The common characters other than `c` that sound like it ([`heard_alike`]), most frequent
/// first: what `c` may have been typed for.
pub(crate) fn common_alike(c: char) -> Vec<char> {
    let Some(readings) = c.to_pinyin_multi() else {
        return Vec::new();
    };
    let mut blurred: Vec<String> = readings.into_iter().map(blur).collect();
    blurred.dedup();
    let table = common_by_reading();
    let mut out: Vec<char> = Vec::new();
    for reading in &blurred {
        for &other in table.get(reading).into_iter().flatten() {
            if other != c && !out.contains(&other) && heard_alike(c, other) {
                out.push(other);
            }
        }
    }
    // Those with a reading of `c` as it is first (琏: 链 before 两 and 年, alike only once
    // blurred), each kind the most frequent first.
    let freq = |c: char| crate::text::segment::known(&c.to_string()).map_or(0, |k| k.freq);
    out.sort_by_key(|&other| (!same_sound(c, other), std::cmp::Reverse(freq(other))));
    out
}

/// Whether `from`'s common reading is one of `to`'s readings once blurred.
fn reaches(from: char, to: char) -> bool {
    let (Some(from), Some(to)) = (from.to_pinyin(), to.to_pinyin_multi()) else {
        return false;
    };
    let from = blur(from);
    to.into_iter().any(|p| blur(p) == from)
}

/// A reading, toneless and blurred ([`blurred`]).
fn blur(p: pinyin::Pinyin) -> String {
    blurred(&p.plain().replace('ü', "v"))
}

/// Whether two characters share a reading once blurred ([`blurred`]).
pub(crate) fn sound_alike(a: char, b: char) -> bool {
    let (Some(a), Some(b)) = (a.to_pinyin_multi(), b.to_pinyin_multi()) else {
        return false;
    };
    let a: Vec<String> = a.into_iter().map(blur).collect();
    b.into_iter().any(|p| a.contains(&blur(p)))
}

/// A query word as the letters of pinyin: lower case, tone marks and tone numbers dropped,
/// `ü` as `v`, spaces and apostrophes (`xi'an`) taken out. `None` for a word that cannot be
/// pinyin: other characters, a digit not following a letter, or an upper-case acronym (`GDP`).
pub(crate) fn letters(word: &str) -> Option<String> {
    let upper = word.chars().filter(char::is_ascii_uppercase).count();
    if upper > 1 && word.chars().filter(|c| c.is_alphabetic()).count() == upper {
        return None;
    }
    let mut out = String::new();
    let mut after_letter = false;
    for ch in word.chars() {
        let plain = match ch {
            'a'..='z' => ch,
            'A'..='Z' => ch.to_ascii_lowercase(),
            'ā' | 'á' | 'ǎ' | 'à' => 'a',
            'ē' | 'é' | 'ě' | 'è' => 'e',
            'ī' | 'í' | 'ǐ' | 'ì' => 'i',
            'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
            'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
            'ü' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'v',
            '1'..='5' if after_letter => {
                after_letter = false;
                continue;
            }
            ' ' | '\'' | '’' => {
                after_letter = false;
                continue;
            }
            _ => return None,
        };
        out.push(plain);
        after_letter = true;
    }
    (!out.is_empty()).then_some(out)
}

/// The mark [`letters_with_breaks`] leaves where a syllable must end.
pub(crate) const BREAK: char = '\'';

/// [`letters`], with [`BREAK`] where the typist marked a syllable's end: an apostrophe
/// (`xi'an` is xi-an, never xian) or a space between letters (`xi an`).
pub(crate) fn letters_with_breaks(word: &str) -> Option<String> {
    let parts: Vec<String> = word
        .split([' ', '\'', '’'])
        .filter(|part| !part.is_empty())
        .map(letters)
        .collect::<Option<_>>()?;
    (!parts.is_empty()).then(|| parts.join(&BREAK.to_string()))
}

/// The letters of a run of query words, each word's [`letters_with_breaks`], the words apart
/// by a [`BREAK`] (`xi an` is xi-an).
pub(crate) fn run_letters<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .filter_map(|w| letters_with_breaks(w.as_ref()))
        .collect::<Vec<_>>()
        .join(&BREAK.to_string())
}

/// `letters` without its [`BREAK`]s, and where they stood in what is left.
pub(crate) fn breaks(letters: &str) -> (String, Vec<usize>) {
    let mut clean = String::with_capacity(letters.len());
    let mut breaks = Vec::new();
    for ch in letters.chars() {
        if ch == BREAK {
            breaks.push(clean.len());
        } else {
            clean.push(ch);
        }
    }
    (clean, breaks)
}

/// Whether some reading of `text` has a syllable end at each of `offsets` (byte offsets into
/// its letters).
pub(crate) fn ends_syllables_at(text: &str, offsets: &[usize]) -> bool {
    if offsets.is_empty() {
        return true;
    }
    readings(text).unwrap_or_default().iter().any(|reading| {
        let mut ends = Vec::with_capacity(reading.len());
        let mut at = 0;
        for syllable in reading {
            at += syllable.len();
            ends.push(at);
        }
        offsets.iter().all(|o| ends.contains(o))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heteronyms_have_every_reading() {
        let joined = |text: &str| -> Vec<String> { readings(text).unwrap().iter().map(|s| full(s)).collect() };
        assert!(joined("重庆").contains(&"chongqing".to_string()));
        assert!(joined("银行").contains(&"yinhang".to_string()));
        assert!(joined("绿色").contains(&"lvse".to_string()));
        assert_eq!(joined("乡村振兴")[0], "xiangcunzhenxing");
        assert_eq!(initials(&readings("乡村振兴").unwrap()[0]), "xczx");
        assert!(readings("GB").is_none());
    }

    #[test]
    fn letters_read_as_pinyin() {
        assert_eq!(letters("xiāng cūn").as_deref(), Some("xiangcun"));
        assert_eq!(letters("xiang1cun1").as_deref(), Some("xiangcun"));
        assert_eq!(letters("Xi'an").as_deref(), Some("xian"));
        assert_eq!(letters("lǜsè").as_deref(), Some("lvse"));
        assert_eq!(letters("GDP"), None);
        assert_eq!(letters("20984"), None);
        assert_eq!(letters("GB/T"), None);
    }

    #[test]
    fn apostrophes_and_spaces_mark_syllable_ends() {
        assert_eq!(letters_with_breaks("Xi'an").as_deref(), Some("xi'an"));
        assert_eq!(letters_with_breaks("xi’an").as_deref(), Some("xi'an"));
        assert_eq!(letters_with_breaks("xian").as_deref(), Some("xian"));
        assert_eq!(letters_with_breaks("GDP"), None);
        assert_eq!(breaks("xi'an"), ("xian".to_string(), vec![2]));
        assert!(ends_syllables_at("西安", &[2]));
        assert!(!ends_syllables_at("先", &[2]));
        assert!(ends_syllables_at("先", &[]));
    }

    #[test]
    fn a_slip_is_typed_by_its_common_reading() {
        assert!(typed_for('竟', '境'));
        assert!(typed_for('请', '情'));
        assert!(typed_for('引', '银'), "yin");
        assert!(!typed_for('期', '继'), "期 is qī; jī is its rare reading");
        assert!(!typed_for('继', '期'), "期's common reading qī is none of 继's");
        assert!(!typed_for('见', '前'), "前 reads jiǎn only in old texts");
        assert!(!typed_for('通', '重'), "重 reads tóng only in old texts");
        assert!(typed_for('帐', '账'), "zhàng both");
    }

    #[test]
    fn common_characters_alike_come_by_the_same_reading_first() {
        let alike = common_alike('琏');
        let at = |c: char| alike.iter().position(|&a| a == c);
        assert!(at('链').is_some_and(|l| at('年').is_some_and(|n| l < n)), "{alike:?}");
        assert_eq!(at('琏'), None, "not itself");
        assert_eq!(at('鏈'), None, "a traditional form is shown simplified");
        assert!(!common_alike('胜').contains(&'寻'), "alike only by rare readings");
    }

    #[test]
    fn characters_heard_alike_meet_by_a_common_reading() {
        assert!(heard_alike('见', '前'), "见's jiàn is 前's rare jiǎn");
        assert!(heard_alike('前', '见'), "either way");
        assert!(heard_alike('请', '情'));
        assert!(sound_alike('胜', '寻'), "胜's rare xīng blurs like 寻's rare xín");
        assert!(!heard_alike('胜', '寻'), "but neither's common reading is the other's");
        assert!(!heard_alike('心', '国'));
    }

    #[test]
    fn blurred_readings_sound_alike() {
        assert!(sound_alike('心', '兴'));
        assert!(sound_alike('竟', '境'));
        assert!(sound_alike('请', '情'));
        assert!(sound_alike('是', '四'));
        assert!(!sound_alike('心', '国'));
    }
}
