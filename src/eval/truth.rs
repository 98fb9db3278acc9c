//! Query sets built from a corpus, and their truth computed by brute force: whether a string
//! occurs in an article's folded title or body. No tokenizer decides what is relevant.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aho_corasick::AhoCorasick;

use crate::article::Article;
use crate::text::segment::Segmenter;
use crate::text::{fold, is_han};

/// The kinds of query measured, each standing for a way people search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `"…"`: a quoted string of 1–16 characters, any characters.
    Exact,
    /// A keyword editors tag articles with (乡村振兴), unquoted.
    Keyword,
    /// A short place name as typed (枣庄, 兰考), unquoted.
    Place,
    /// A 6–12 character fragment copied from one article, unquoted.
    Phrase,
    /// Two words from one article, space-separated.
    TwoWords,
    /// A keyword editors used on two or more articles, over the corpus without its keyword
    /// lines, graded by the tags: 2 for tagged articles, 1 for others that contain it.
    Aboutness,
}

impl Kind {
    /// All kinds, in report order.
    pub const ALL: [Kind; 6] = [
        Kind::Exact,
        Kind::Keyword,
        Kind::Place,
        Kind::Phrase,
        Kind::TwoWords,
        Kind::Aboutness,
    ];

    /// Name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Exact => "exact \"…\"",
            Kind::Keyword => "keyword",
            Kind::Place => "place name",
            Kind::Phrase => "remembered phrase",
            Kind::TwoWords => "two words",
            Kind::Aboutness => "aboutness (tags)",
        }
    }
}

/// One query with what it should find.
#[derive(Clone, Debug)]
pub(crate) struct EvalQuery {
    pub(crate) kind: Kind,
    /// The query as a user types it (quoted for [`Kind::Exact`]).
    pub(crate) text: String,
    /// Articles that contain the query's strings (all of them for two words).
    pub(crate) relevant: BTreeSet<u32>,
    /// For aboutness: gain 2 for articles tagged with the keyword (else 1 if relevant).
    pub(crate) tagged: BTreeSet<u32>,
    /// For a remembered phrase: the article it was copied from.
    pub(crate) source: Option<u32>,
}

/// A small deterministic generator (splitmix64): the same seed builds the same query sets.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// An article's folded title and body as char vectors.
pub(crate) struct Folded {
    pub(crate) title: Vec<char>,
    pub(crate) body: Vec<char>,
}

pub(crate) fn fold_all(articles: &[Article]) -> Vec<Folded> {
    articles
        .iter()
        .map(|a| Folded {
            title: fold(&a.title).chars().collect(),
            body: fold(&a.body).chars().collect(),
        })
        .collect()
}

/// For each pattern, the articles whose folded title or body contains it.
fn containing(folded: &[Folded], patterns: &[String]) -> Vec<BTreeSet<u32>> {
    let mut out = vec![BTreeSet::new(); patterns.len()];
    if patterns.is_empty() {
        return out;
    }
    let automaton = AhoCorasick::new(patterns).expect("query strings build an automaton");
    let mut seen = Vec::new();
    for (id, article) in folded.iter().enumerate() {
        seen.clear();
        for text in [&article.title, &article.body] {
            let text: String = text.iter().collect();
            seen.extend(automaton.find_overlapping_iter(&text).map(|m| m.pattern().as_usize()));
        }
        for &pattern in &seen {
            out[pattern].insert(id as u32);
        }
    }
    out
}

/// Builds `per_kind` queries of each kind from the corpus, with their truth.
pub(crate) fn build_queries(articles: &[Article], folded: &[Folded], per_kind: usize, rng: &mut Rng) -> Vec<EvalQuery> {
    let segmenter = Segmenter::default();
    let mut drafts: Vec<(Kind, String, Vec<String>, Option<u32>)> = Vec::new();
    let pick_article = |rng: &mut Rng| rng.below(folded.len());

    // Exact strings: any characters, lengths weighted towards the short ones people
    // mistype least and tokenizers miss most; a quarter anchored on ASCII or digits.
    let mut tries = 0;
    while drafts.iter().filter(|d| d.0 == Kind::Exact).count() < per_kind && tries < per_kind * 50 {
        tries += 1;
        let article = &folded[pick_article(rng)];
        let text = if rng.below(5) == 0 {
            &article.title
        } else {
            &article.body
        };
        let len = [1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8, 10, 12, 16][rng.below(14)];
        if text.len() < len {
            continue;
        }
        let mut start = rng.below(text.len() - len + 1);
        if rng.below(4) == 0 {
            let ascii: Vec<usize> = (0..=text.len() - len)
                .filter(|&i| text[i].is_ascii_alphanumeric())
                .collect();
            if ascii.is_empty() {
                continue;
            }
            start = ascii[rng.below(ascii.len())];
        }
        let s: String = text[start..start + len].iter().collect();
        if s.contains('"') {
            continue;
        }
        drafts.push((Kind::Exact, format!("\"{s}\""), vec![s], None));
    }

    // Keywords: tags of 2–8 Han characters.
    let mut tags: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for (id, article) in articles.iter().enumerate() {
        for tag in &article.meta.keywords {
            let tag = fold(tag);
            let n = tag.chars().count();
            if (2..=8).contains(&n) && tag.chars().all(is_han) {
                tags.entry(tag).or_default().insert(id as u32);
            }
        }
    }
    let frequent: Vec<&String> = tags.iter().filter(|(_, ids)| ids.len() >= 3).map(|(t, _)| t).collect();
    for tag in sample(&frequent, per_kind, rng) {
        drafts.push((Kind::Keyword, tag.clone(), vec![tag.clone()], None));
    }
    // Aboutness: tags the editors used on at least two articles (a tag used once names one
    // story, not a subject).
    let about: Vec<&String> = tags.iter().filter(|(_, ids)| ids.len() >= 2).map(|(t, _)| t).collect();
    for tag in sample(&about, per_kind, rng) {
        drafts.push((Kind::Aboutness, tag.clone(), vec![tag.clone()], None));
    }

    // Place names as people type them: jieba's place words from titles, without 省/市/县/区.
    let mut places = BTreeSet::new();
    for _ in 0..per_kind * 20 {
        let title: String = folded[pick_article(rng)].title.iter().collect();
        for tag in segmenter.tag(&title) {
            if tag.1 != "ns" {
                continue;
            }
            let word = tag.0.trim_end_matches(['省', '市', '县', '区']);
            if word.chars().count() >= 2 && word.chars().all(is_han) {
                places.insert(word.to_string());
            }
        }
    }
    let places: Vec<&String> = places.iter().collect();
    for place in sample(&places, per_kind, rng) {
        drafts.push((Kind::Place, place.clone(), vec![place.clone()], None));
    }

    // Remembered phrases: 6–12 Han characters from inside one sentence of one article.
    let mut tries = 0;
    let mut phrases = 0;
    while phrases < per_kind * 2 && tries < per_kind * 50 {
        tries += 1;
        let id = pick_article(rng);
        let body = &folded[id].body;
        let len = 6 + rng.below(7);
        if body.len() < len {
            continue;
        }
        let start = rng.below(body.len() - len + 1);
        let window = &body[start..start + len];
        if !window.iter().all(|&c| is_han(c)) {
            continue;
        }
        let s: String = window.iter().collect();
        drafts.push((Kind::Phrase, s.clone(), vec![s], Some(id as u32)));
        phrases += 1;
    }

    // Two words from one article, from different places in it.
    let mut tries = 0;
    let mut pairs = 0;
    while pairs < per_kind && tries < per_kind * 50 {
        tries += 1;
        let body: String = folded[pick_article(rng)].body.iter().collect();
        let words: Vec<String> = segmenter
            .words(&body)
            .into_iter()
            .map(|r| body.chars().skip(r.start).take(r.len()).collect::<String>())
            .filter(|w: &String| w.chars().count() >= 2 && w.chars().all(is_han))
            .collect();
        if words.len() < 20 {
            continue;
        }
        let i = rng.below(words.len() / 2);
        let j = words.len() / 2 + rng.below(words.len() / 2);
        if words[i] == words[j] || words[i].contains(&words[j]) || words[j].contains(&words[i]) {
            continue;
        }
        drafts.push((
            Kind::TwoWords,
            format!("{} {}", words[i], words[j]),
            vec![words[i].clone(), words[j].clone()],
            None,
        ));
        pairs += 1;
    }

    // Truth for every string at once.
    let mut patterns: Vec<String> = drafts.iter().flat_map(|d| d.2.iter().cloned()).collect();
    patterns.sort();
    patterns.dedup();
    let sets = containing(folded, &patterns);
    let truth: HashMap<&str, &BTreeSet<u32>> = patterns.iter().map(String::as_str).zip(sets.iter()).collect();

    let mut queries = Vec::new();
    let mut phrases = 0;
    for (kind, text, strings, source) in drafts {
        let mut relevant = truth[strings[0].as_str()].clone();
        for s in &strings[1..] {
            relevant = relevant.intersection(truth[s.as_str()]).copied().collect();
        }
        if kind == Kind::Phrase {
            // Only phrases that identify their article.
            if relevant.len() != 1 || phrases == per_kind {
                continue;
            }
            phrases += 1;
        }
        let tagged = if kind == Kind::Aboutness {
            tags[&text].clone()
        } else {
            BTreeSet::new()
        };
        queries.push(EvalQuery {
            kind,
            text,
            relevant,
            tagged,
            source,
        });
    }
    queries
}

/// Up to `n` distinct items, drawn without replacement.
fn sample<'a, T>(items: &[&'a T], n: usize, rng: &mut Rng) -> Vec<&'a T> {
    let mut pool: Vec<&T> = items.to_vec();
    let mut out = Vec::new();
    while !pool.is_empty() && out.len() < n {
        out.push(pool.swap_remove(rng.below(pool.len())));
    }
    out
}
