//! Highlighted summaries (摘要 + 高亮) measured in characters, cut at sentence ends.
//!
//! Matches are found by string, on folded text, the same way the grams field matches: what
//! is highlighted is what made the article match. Overlapping and touching matches merge
//! into one highlight, so 疫情防控 is highlighted once, not as 疫情 and 防控.

use serde::{Deserialize, Serialize};

use crate::text::{folded_chars, FoldedChar};

/// A byte range of a snippet or title that matched the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    /// Byte offset of the first highlighted byte (UTF-8, always a character boundary).
    pub start: usize,
    /// Byte offset just past the highlight.
    pub end: usize,
}

/// A summary of an article's body around the words that matched.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// The text: one or more fragments of the body, `…` where the body is cut.
    pub text: String,
    /// What to highlight in `text`, in order, never overlapping.
    pub highlights: Vec<Highlight>,
}

/// Characters that end a sentence: fragments are cut after them.
fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';')
}

/// Characters that end a clause: where a fragment may start when its sentence is too long.
fn ends_clause(c: char) -> bool {
    matches!(c, '，' | ',' | '、' | '：' | ':')
}

/// Where `needles` (folded strings) occur in `chars`, merged: char index ranges, sorted.
fn find_spans(chars: &[FoldedChar], needles: &[String]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for needle in needles {
        let needle: Vec<char> = needle.chars().collect();
        if needle.is_empty() || needle.len() > chars.len() {
            continue;
        }
        for start in 0..=chars.len() - needle.len() {
            if chars[start..start + needle.len()]
                .iter()
                .zip(&needle)
                .all(|(a, b)| a.ch == *b)
            {
                spans.push((start, start + needle.len()));
            }
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Highlights of `needles` in `text` as a whole (for titles).
pub(crate) fn highlight_all(text: &str, needles: &[String]) -> Vec<Highlight> {
    if text.len() <= WINDOW_BYTES || needles.is_empty() {
        return highlights_in(text, needles);
    }
    // A long text a window at a time, windows overlapping by more than any needle; a match
    // seen by two windows is kept once, and touching ones are merged as within a window.
    let longest = needles.iter().map(String::len).max().unwrap_or(0);
    let overlap = (longest * 4).min(WINDOW_BYTES / 2);
    let mut out: Vec<Highlight> = Vec::new();
    let mut start = 0;
    loop {
        let end = floor_boundary(text, (start + WINDOW_BYTES).min(text.len()));
        for h in highlights_in(&text[start..end], needles) {
            let h = Highlight {
                start: h.start + start,
                end: h.end + start,
            };
            match out.last_mut() {
                Some(last) if h.start <= last.end => last.end = last.end.max(h.end),
                _ => out.push(h),
            }
        }
        if end == text.len() {
            return out;
        }
        start = ceil_boundary(text, floor_boundary(text, end - overlap).max(start + 1));
    }
}

/// [`highlight_all`] over the whole of `text`.
fn highlights_in(text: &str, needles: &[String]) -> Vec<Highlight> {
    let chars = folded_chars(text);
    find_spans(&chars, needles)
        .into_iter()
        .map(|(s, e)| Highlight {
            start: chars[s].from,
            end: chars[e - 1].to,
        })
        .collect()
}

/// Builds a snippet of about `max_chars` characters of `body` around the matches of
/// `needles`: up to three fragments, each starting at a sentence start where one is near and
/// ending at a sentence end where one fits. With no match, the opening of the body.
pub(crate) fn make_snippet(body: &str, needles: &[String], max_chars: usize) -> Snippet {
    if body.len() <= WINDOW_BYTES {
        return snippet_of(body, needles, max_chars);
    }
    // A long body is looked at a window at a time (windows overlap by more than any needle),
    // so that a snippet of a 60 MB article costs what one of a page costs: the first window
    // with a match gives the snippet, the opening if none has one.
    let longest = needles.iter().map(String::len).max().unwrap_or(0);
    let overlap = (longest * 4).min(WINDOW_BYTES / 2);
    let mut start = 0;
    while start < body.len() {
        let end = floor_boundary(body, (start + WINDOW_BYTES).min(body.len()));
        let window = &body[start..end];
        if !find_spans(&folded_chars(window), needles).is_empty() {
            return snippet_of(window, needles, max_chars);
        }
        if end == body.len() {
            break;
        }
        start = floor_boundary(body, end - overlap).max(start + 1);
        start = ceil_boundary(body, start);
    }
    snippet_of(&body[..floor_boundary(body, WINDOW_BYTES)], needles, max_chars)
}

/// Bytes of body a snippet is computed over at a time.
const WINDOW_BYTES: usize = 256 << 10;

/// The nearest character boundary of `text` at or before `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The nearest character boundary of `text` at or after `at`.
fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// [`make_snippet`] over the whole of `body`.
fn snippet_of(body: &str, needles: &[String], max_chars: usize) -> Snippet {
    let chars = folded_chars(body);
    if chars.is_empty() || max_chars == 0 {
        return Snippet::default();
    }
    let spans = find_spans(&chars, needles);
    let mut fragments: Vec<(usize, usize)> = Vec::new();
    let mut budget = max_chars;
    let mut covered: Vec<bool> = vec![false; spans.len()];
    let masks = needle_masks(&spans, &chars, needles);
    // Fragments around the densest matches first, then around needles not yet shown.
    while budget >= max_chars / 4 && fragments.len() < 3 {
        let Some(anchor) = pick_anchor(&spans, &covered, &masks) else {
            break;
        };
        let (start, end) = widen_to_spans(fragment_around(&chars, spans[anchor], budget), &spans);
        for (i, span) in spans.iter().enumerate() {
            if span.0 >= start && span.1 <= end {
                covered[i] = true;
            }
        }
        covered[anchor] = true;
        budget = budget.saturating_sub(end - start);
        fragments.push((start, end));
    }
    if fragments.is_empty() {
        fragments.push(fragment_around(&chars, (0, 0), max_chars));
    }
    fragments.sort_unstable();
    merge_touching(&mut fragments);
    render(body, &chars, &fragments, &spans)
}

/// For each span, the needles it shows, as bits (needles past the 64th are not told apart).
fn needle_masks(spans: &[(usize, usize)], chars: &[FoldedChar], needles: &[String]) -> Vec<u64> {
    spans
        .iter()
        .map(|&(s, e)| {
            let text: String = chars[s..e].iter().map(|c| c.ch).collect();
            needles
                .iter()
                .enumerate()
                .filter(|(_, n)| text.contains(n.as_str()))
                .fold(0u64, |mask, (i, _)| mask | 1 << i.min(63))
        })
        .collect()
}

/// The next match to build a fragment around: the longest uncovered span that shows a needle
/// no fragment shows yet (the first of equals); none when every needle is shown (more of the
/// same word adds nothing). Linear in the spans: a body can hold hundreds of matches of a
/// common character.
fn pick_anchor(spans: &[(usize, usize)], covered: &[bool], masks: &[u64]) -> Option<usize> {
    let shown = masks
        .iter()
        .zip(covered)
        .filter(|(_, &c)| c)
        .fold(0, |acc, (m, _)| acc | m);
    spans
        .iter()
        .enumerate()
        .filter(|&(i, _)| !covered[i] && masks[i] & !shown != 0)
        .max_by_key(|&(i, span)| (span.1 - span.0, std::cmp::Reverse(i)))
        .map(|(i, _)| i)
}

/// A fragment of at most `budget` chars containing `span`: from the start of its sentence if
/// that is within a third of the budget, else a little before the span; to the last sentence
/// end that fits, else cut at the budget.
fn fragment_around(chars: &[FoldedChar], span: (usize, usize), budget: usize) -> (usize, usize) {
    let lead = budget / 3;
    let sentence_start = chars[..span.0]
        .iter()
        .rposition(|c| ends_sentence(c.ch))
        .map_or(0, |i| i + 1);
    let start = if span.0 - sentence_start <= lead {
        sentence_start
    } else {
        // Too long a lead-in: start after the nearest clause break, else just before the span.
        let near = span.0 - lead.min(span.0) / 2;
        chars[near..span.0]
            .iter()
            .position(|c| ends_clause(c.ch))
            .map_or(near, |i| near + i + 1)
    };
    let limit = (start + budget).min(chars.len()).max(span.1.min(chars.len()));
    let end = chars[span.1.max(start)..limit]
        .iter()
        .rposition(|c| ends_sentence(c.ch))
        .map(|i| span.1.max(start) + i + 1)
        .filter(|&e| e - start >= budget / 2 || limit == chars.len())
        .unwrap_or(limit);
    (start, end)
}

/// Moves a fragment's edges out of any match they would cut, so that a highlighted word is
/// shown and highlighted whole.
fn widen_to_spans((mut start, mut end): (usize, usize), spans: &[(usize, usize)]) -> (usize, usize) {
    for &(s, e) in spans {
        if s < start && start < e {
            start = s;
        }
        if s < end && end < e {
            end = e;
        }
    }
    (start, end)
}

fn merge_touching(fragments: &mut Vec<(usize, usize)>) {
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(fragments.len());
    for &(s, e) in fragments.iter() {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    *fragments = merged;
}

/// Writes the fragments of the original text with whitespace runs collapsed to one space,
/// `…` where the text is cut, and the highlights as byte ranges of the result.
fn render(body: &str, chars: &[FoldedChar], fragments: &[(usize, usize)], spans: &[(usize, usize)]) -> Snippet {
    let mut snippet = Snippet::default();
    for (n, &(start, end)) in fragments.iter().enumerate() {
        let cut_before = start > 0 && !ends_sentence(chars[start - 1].ch);
        if n > 0 && !snippet.text.ends_with('…') {
            snippet.text.push_str(" …");
        } else if n == 0 && cut_before {
            snippet.text.push('…');
        }
        // The spans inside this fragment, clipped to it.
        let mut inside = spans
            .iter()
            .filter(|&&(s, e)| s < end && e > start)
            .map(|&(s, e)| (s.max(start), e.min(end)))
            .peekable();
        let mut open_at = None;
        for i in start..end {
            if i > start && chars[i - 1].to < chars[i].from {
                // Whitespace (a paragraph break, an indent) between two indexed characters.
                snippet.text.push(' ');
            }
            if inside.peek().is_some_and(|&(s, _)| s == i) {
                open_at = Some(snippet.text.len());
            }
            snippet.text.push_str(&body[chars[i].from..chars[i].to]);
            if let Some(&(_, e)) = inside.peek() {
                if e == i + 1 {
                    if let Some(from) = open_at.take() {
                        snippet.highlights.push(Highlight {
                            start: from,
                            end: snippet.text.len(),
                        });
                    }
                    inside.next();
                }
            }
        }
        if end < chars.len() && !ends_sentence(chars[end - 1].ch) {
            snippet.text.push('…');
        }
    }
    snippet
}

#[cfg(test)]
mod window_tests {
    use super::*;

    #[test]
    fn every_match_of_a_long_text_is_marked_once() {
        let filler = "无关的文字。".repeat(30_000);
        let text = format!("峄城{filler}峄城区{filler}在峄城");
        assert!(text.len() > 2 * WINDOW_BYTES);
        let needles = ["峄城".to_string()];
        let marks = highlight_all(&text, &needles);
        assert_eq!(marks.len(), 3);
        assert!(marks.iter().all(|h| &text[h.start..h.end] == "峄城"));
        // Windowed or whole, the same marks.
        assert_eq!(marks, highlights_in(&text, &needles));
    }

    #[test]
    fn a_long_body_gives_the_snippet_of_its_first_match_wherever_it_is() {
        let filler = "无关的文字。".repeat(60_000);
        let body = format!("{filler}会议在峄城召开。{filler}");
        assert!(body.len() > 4 * WINDOW_BYTES);
        let snippet = make_snippet(&body, &["峄城".to_string()], 40);
        let h = snippet.highlights[0];
        assert_eq!(&snippet.text[h.start..h.end], "峄城");
        let none = make_snippet(&body, &["不存在".to_string()], 40);
        assert!(none.text.starts_with("无关的文字"), "{}", none.text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needles(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn marked(snippet: &Snippet) -> String {
        let mut out = String::new();
        let mut at = 0;
        for h in &snippet.highlights {
            assert!(snippet.text.is_char_boundary(h.start) && snippet.text.is_char_boundary(h.end));
            out.push_str(&snippet.text[at..h.start]);
            out.push('[');
            out.push_str(&snippet.text[h.start..h.end]);
            out.push(']');
            at = h.end;
        }
        out.push_str(&snippet.text[at..]);
        out
    }

    #[test]
    fn adjacent_words_are_one_highlight() {
        let s = make_snippet("全区做好疫情防控工作。", &needles(&["疫情", "防控", "疫情防控"]), 50);
        assert_eq!(marked(&s), "全区做好[疫情防控]工作。");
    }

    #[test]
    fn window_starts_at_sentence_and_ends_at_sentence() {
        let body = "第一句很长很长很长很长很长很长很长很长很长很长很长很长很长很长。第二句提到峄城的发展。第三句。第四句也很长很长很长很长很长很长很长很长很长很长。";
        let s = make_snippet(body, &needles(&["峄城"]), 20);
        assert_eq!(marked(&s), "第二句提到[峄城]的发展。第三句。");
    }

    #[test]
    fn long_sentence_is_cut_with_ellipsis_in_characters() {
        let body = format!("{}峄城{}", "甲".repeat(100), "乙".repeat(100));
        let s = make_snippet(&body, &needles(&["峄城"]), 30);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'), "{}", s.text);
        assert!(
            s.text.chars().count() <= 32,
            "window is measured in characters: {}",
            s.text
        );
        assert_eq!(s.highlights.len(), 1);
    }

    #[test]
    fn match_in_the_last_characters_of_the_body() {
        let s = make_snippet("会议指出要抓好落实。最后说到峄城", &needles(&["峄城"]), 12);
        assert!(marked(&s).ends_with("[峄城]"), "{}", marked(&s));
    }

    #[test]
    fn highlight_of_full_width_text_lands_on_original_characters() {
        let s = make_snippet("推进５Ｇ网络建设。", &needles(&["5g"]), 20);
        assert_eq!(marked(&s), "推进[５Ｇ]网络建设。");
    }

    #[test]
    fn distant_matches_get_separate_fragments() {
        let body = format!("开头提到会见。{}结尾提到蒙古国。", "无关的内容。".repeat(40));
        let s = make_snippet(&body, &needles(&["会见", "蒙古国"]), 60);
        assert_eq!(s.highlights.len(), 2, "{}", marked(&s));
        assert!(s.text.contains('…'), "{}", s.text);
    }

    #[test]
    fn a_compound_word_across_the_window_edge_is_shown_and_highlighted_whole() {
        // A 12-character window from the start ends inside 疫情防控 (characters 10 to 14).
        let body = format!("{}会议疫情防控工作{}", "甲".repeat(8), "乙".repeat(30));
        let s = make_snippet(&body, &needles(&["甲甲", "疫情防控"]), 12);
        let m = marked(&s);
        assert!(m.starts_with("[甲甲甲甲甲甲甲甲]会议[疫情防控]"), "{m}");
        for h in &s.highlights {
            assert!(s.text.is_char_boundary(h.start) && s.text.is_char_boundary(h.end));
        }
    }

    #[test]
    fn no_match_gives_the_opening() {
        let s = make_snippet("第一句。第二句。", &needles(&["峄城"]), 100);
        assert_eq!(s.text, "第一句。第二句。");
        assert!(s.highlights.is_empty());
    }

    #[test]
    fn title_highlights() {
        let title = "“满意峄城”创建新闻发布会";
        let h = highlight_all(title, &needles(&["满意峄城"]));
        assert_eq!(&title[h[0].start..h[0].end], "满意峄城");
    }
}
