//! Whether a string, where the articles write it, is a word someone writes or a fragment of
//! the words around it: the places (a text around each, from titles and snippets) are cut by
//! jieba's dictionary and each is judged on its own ([`fragment_places`]). The abbreviation
//! miner leaves a word mostly so placed; query help searches a typo's correction where every
//! place of the typo is one.

use crate::text::fold;
use crate::text::segment::Segmenter;

/// Characters either side of a place cut with it.
const AROUND: usize = 6;

/// Of `word`'s places (`places`: a text and the byte range of the word in it), how many were
/// read and how many are a fragment of the words around it: jieba's dictionary cut of the
/// text around the place runs a word across the word's first or last character (中结 in
/// 掌声中结束, 收进 in 机收进度), or a longer word holds it in its middle (障机 in 保障机制, 合组
/// in 上合组织). A place where the word stands clear of its neighbours (厄方 in 厄方加强), or
/// at the start or the end of a longer word (上合 in 上合组织, 国办 in 中办国办), is no such
/// place: a word at the end of one may be an abbreviation beside another.
pub(crate) fn fragment_places<'a>(
    word: &str,
    places: impl IntoIterator<Item = (&'a str, std::ops::Range<usize>)>,
    segmenter: &Segmenter,
) -> (usize, usize) {
    let word = fold(word);
    let (mut seen, mut across) = (0usize, 0usize);
    for (text, at) in places {
        let Some(found) = text.get(at.clone()) else {
            continue;
        };
        if fold(found) != word {
            continue;
        }
        let before: Vec<char> = text[..at.start].chars().rev().take(AROUND).collect();
        let before = fold(&before.into_iter().rev().collect::<String>());
        let after = fold(&text[at.end..].chars().take(AROUND).collect::<String>());
        let start = before.chars().count();
        let end = start + word.chars().count();
        seen += 1;
        let cut = segmenter.dictionary_words(&format!("{before}{word}{after}"));
        let inside = |at: usize| start < at && at < end;
        if cut
            .iter()
            .any(|w| (inside(w.start) && w.end > end) || (w.start < start && (inside(w.end) || w.end > end)))
        {
            across += 1;
        }
    }
    (seen, across)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A string cut across words, or from the middle of one, is a fragment at that place;
    /// words of their own, or the head or tail of one, are not.
    #[test]
    fn each_place_is_judged_by_the_words_around_it() {
        let segmenter = Segmenter::default();
        let fragment = |text: &str, word: &str| {
            let at = text.find(word).unwrap();
            fragment_places(word, [(text, at..at + word.len())], &segmenter) == (1, 1)
        };
        assert!(fragment("会议在掌声中结束", "中结"));
        assert!(fragment("加强系统性建设", "性建"));
        assert!(fragment("完善保障机制的意见", "障机"));
        assert!(!fragment("厄方加强发展战略对接", "厄方"));
        assert!(!fragment("北京冬奥会开幕", "冬奥"));
        assert!(!fragment("血浓于水", "于水"));
        let none: [(&str, std::ops::Range<usize>); 0] = [];
        assert_eq!(fragment_places("中结", none, &segmenter), (0, 0));
    }
}
