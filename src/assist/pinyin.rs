//! 拼音: the readings of Han text, and Latin query text read as pinyin.

use std::borrow::Cow;

use pinyin::ToPinyinMulti;

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

/// Whether two characters share a reading once blurred ([`blurred`]).
pub(crate) fn sound_alike(a: char, b: char) -> bool {
    let (Some(a), Some(b)) = (a.to_pinyin_multi(), b.to_pinyin_multi()) else {
        return false;
    };
    let blur = |p: pinyin::Pinyin| blurred(&p.plain().replace('ü', "v"));
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
    fn blurred_readings_sound_alike() {
        assert!(sound_alike('心', '兴'));
        assert!(sound_alike('竟', '境'));
        assert!(sound_alike('请', '情'));
        assert!(sound_alike('是', '四'));
        assert!(!sound_alike('心', '国'));
    }
}
