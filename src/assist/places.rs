//! Whether a string, where the articles write it, is a word someone writes or a fragment of
//! the words around it: the places (a text around each, from titles and snippets) are cut by
//! jieba's dictionary and each is judged on its own ([`fragment_places`]). The abbreviation
//! miner leaves a word mostly so placed; query help searches a typo's correction where every
//! place of the typo is one.

use crate::text::fold;
use crate::text::segment::Segmenter;

/// Characters either side of a place cut with it.
const AROUND: usize = 6;

/// The articles whose places of a word are looked at, at most: the word's use, not its
/// counts, tells a word from a fragment.
pub(crate) const PLACES_FROM: usize = 20;
/// A word is a fragment when nearly all its places have a dictionary word across one of its
/// edges: 俄指 in 打击俄指挥所 (指挥所), 收进 in 机收进度 (机收, 进度), where jieba's HMM glues the
/// leftover characters of a headline into a word that no one writes. A word in use stands clear
/// of its neighbours (上合 in 上合组织, 纪检 in 纪检监察) in some of its places at least, though
/// a word of common characters is often also a string across two others (国博 in 中国博鳌, 美企
/// in 赴美企业), so half is not enough.
const FRAGMENT_SHARE: f64 = 0.8;

/// Whether a word, at its places in the articles (`places`: a text and the byte range of the
/// word in it), is mostly the edge of dictionary words around it rather than a word
/// ([`fragment_places`]).
pub(crate) fn is_fragment<'a>(
    word: &str,
    places: impl IntoIterator<Item = (&'a str, std::ops::Range<usize>)>,
    segmenter: &Segmenter,
) -> bool {
    let (seen, across) = fragment_places(word, places, segmenter);
    seen > 0 && across as f64 >= FRAGMENT_SHARE * seen as f64
}

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

    /// `word`'s first place in `text`.
    fn place<'a>(text: &'a str, word: &str) -> (&'a str, std::ops::Range<usize>) {
        let at = text.find(word).expect("the word is in the text");
        (text, at..at + word.len())
    }

    #[test]
    fn a_word_mostly_cut_across_by_the_words_around_it_is_a_fragment() {
        let segmenter = Segmenter::default();
        let fragment = |word: &str, places: &[(&str, std::ops::Range<usize>)]| {
            is_fragment(word, places.iter().cloned(), &segmenter)
        };
        // 收 ends 夏收 and 机收, 进 starts 进度.
        assert!(fragment(
            "收进",
            &[place("全国夏收进度过半", "收进"), place("小麦机收进度", "收进")]
        ));
        assert!(!fragment(
            "纪检",
            &[place("各级纪检监察机关", "纪检"), place("纪检干部", "纪检")]
        ));
        assert!(
            !fragment("上合", &[place("上合组织峰会", "上合"), place("上合示范区", "上合")]),
            "the start of a longer word is no edge"
        );
        let across = place("全国夏收进度过半", "收进");
        let clear = place("税款收进国库", "收进");
        assert!(
            !fragment("收进", &[across.clone(), clear.clone()]),
            "one place in two clear of its neighbours is a word's"
        );
        let mut mostly = vec![across; 4];
        mostly.push(clear);
        assert!(fragment("收进", &mostly), "four places in five across make a fragment");
        assert!(
            !fragment("收进", &[("全国夏收进度过半", 0..3)]),
            "a range that is not the word"
        );
        assert!(!fragment("收进", &[]), "no places");
        assert!(
            fragment(
                "合组",
                &[place("出席上合组织峰会", "合组"), place("亚太经合组织会议", "合组")]
            ),
            "the middle of longer words"
        );
        assert!(
            !fragment(
                "国办",
                &[place("中办国办印发意见", "国办"), place("中办、国办印发", "国办")]
            ),
            "the end of a longer word is no edge"
        );
    }
}
