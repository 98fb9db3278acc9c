//! What an article is about, for its related articles (相关推荐) on any backend: its most
//! distinctive words (title words count three times; a word's weight is how often the
//! article uses it times how rare it is among the index's titles).

use std::collections::HashMap;

use crate::assist::vocabulary::Vocabulary;
use crate::text::is_han;
use crate::text::segment::Segmenter;

/// The most distinctive words an article is described by.
const DESCRIBING_WORDS: usize = 12;
/// How much of a body is read for its words: the lead of a release says what it is about.
const BODY_CHARS: usize = 4000;
/// A word in more than this share of the index's titles says nothing about a subject (in an
/// index of more than [`SMALL`] articles: in a small one every word is in a large share).
const COMMONEST: f64 = 0.05;
const SMALL: f64 = 1000.0;

/// The words that say what the article of `title` and `body` is about, each with its weight
/// (the heaviest 1), rarity read from `vocabulary`.
pub(crate) fn describe(vocabulary: &Vocabulary, segmenter: &Segmenter, title: &str, body: &str) -> Vec<(String, f32)> {
    let mut counts: HashMap<String, f64> = HashMap::new();
    let lead: String = body.chars().take(BODY_CHARS).collect();
    for (text, weight) in [(title, 3.0), (lead.as_str(), 1.0)] {
        let text = crate::text::fold(text);
        for range in segmenter.words(&text) {
            if range.len() < 2 {
                continue;
            }
            let word: String = text.chars().skip(range.start).take(range.len()).collect();
            if word.chars().all(is_han) {
                *counts.entry(word).or_default() += weight;
            }
        }
    }
    let articles = vocabulary.articles() as f64;
    let mut weighted: Vec<(String, f64)> = counts
        .into_iter()
        .filter_map(|(word, count)| {
            let df = f64::from(vocabulary.articles_with(&word)?);
            (df / articles <= COMMONEST || articles <= SMALL).then(|| (word, count.sqrt() * (articles / df).ln()))
        })
        .filter(|(_, w)| *w > 0.0)
        .collect();
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    weighted.truncate(DESCRIBING_WORDS);
    let top = weighted.first().map_or(1.0, |(_, w)| *w);
    weighted.into_iter().map(|(word, w)| (word, (w / top) as f32)).collect()
}
