//! Query assistance and reprints, measured: queries typed in pinyin, queries with a typo,
//! everyday words, and planted reprints, each against truth built from the corpus itself.
//!
//! - pinyin: keywords of the corpus typed as full pinyin (each character's first reading) and
//!   as initials; a query succeeds when the search runs as, or offers, exactly that keyword;
//! - typos: keywords with one character replaced by another that sounds alike (a character of
//!   the corpus with a reading in common, blurred as many speakers do: zh/z, -ing/-in, …);
//!   succeeds the same way. Correct keywords, searched as typed, measure wrong corrections;
//! - correct queries: every query of the quality sets (text of the corpus, typed right), per
//!   kind: the share searched as another query, and the share offered another;
//! - everyday words: each entry of the synonym table whose official terms the corpus has;
//!   the truth is every article with the word or a term in its title or body (brute force);
//! - reprints: copies of sampled articles planted under another source, with a line added at
//!   the top, one at the bottom and a few characters changed; recall is the share of copies
//!   grouped with their original, precision the share of grouped pairs whose bodies share at
//!   least 80% of their three-character shingles. Pairs of articles with the same title and
//!   different bodies (under half their shingles shared) must never be grouped.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use serde::Serialize;

use super::truth::Rng;
use crate::article::Article;
use crate::assist::pinyin;
use crate::error::Result;
use crate::query::synonyms::Synonyms;
use crate::search::SearchRequest;
use crate::text::{fold, is_han};
use crate::Index;

/// One measured share, with how many cases it is over.
#[derive(Clone, Debug, Serialize)]
pub struct Share {
    /// What is measured.
    pub what: String,
    /// Cases measured.
    pub cases: usize,
    /// The share, 0 to 1.
    pub value: f64,
}

/// The assistance figures of one corpus.
#[derive(Clone, Debug, Serialize)]
pub struct AssistReport {
    /// Each figure.
    pub figures: Vec<Share>,
    /// Median search time over the keyword queries as typed, with and without assistance
    /// and reprint grouping, in milliseconds.
    pub median_ms_assisted: f64,
    /// The same with assistance and without grouping (`all_copies`).
    pub median_ms_assistance_only: f64,
    /// The same with grouping and without assistance (`as_typed`).
    pub median_ms_grouping_only: f64,
    /// The same, with `as_typed` and `all_copies`.
    pub median_ms_plain: f64,
    /// The full forms found for the words of the corpus's vocabulary, each with its counts.
    pub abbreviations: Vec<Abbreviation>,
    /// How long finding them took, in seconds.
    pub abbreviation_secs: f64,
}

/// A full form found for a word of the corpus's vocabulary ([`crate::assist::abbreviations`]).
#[derive(Clone, Debug, Serialize)]
pub struct Abbreviation {
    /// The word.
    pub short: String,
    /// The longer term it stands for.
    pub full: String,
    /// Articles that write the word.
    pub short_articles: u64,
    /// Articles that write the longer term.
    pub full_articles: u64,
    /// Articles that write both.
    pub both: u64,
    /// Whether the word is in the half of the words held out from tuning (by the seed).
    pub held_out: bool,
}

/// Measures the assistance on `articles` (their keywords and bodies), `per_kind` cases of each.
pub(crate) fn evaluate(articles: &[Article], per_kind: usize, seed: u64) -> Result<AssistReport> {
    let mut rng = Rng::new(seed ^ 0x00A5_5157);
    let index = Index::create_in_ram();
    index.add_articles(articles.iter().enumerate().map(|(i, a)| (i.to_string(), a.clone())))?;
    let keywords = keywords(articles, &mut rng);
    let mut figures = Vec::new();

    // Pinyin, full and initials.
    let sample: Vec<&String> = keywords.iter().take(per_kind).collect();
    for (what, spell) in [
        (
            "pinyin: full pinyin read as the keyword",
            full_pinyin as fn(&str) -> String,
        ),
        ("pinyin: initials read as the keyword", initials),
    ] {
        let mut hit = 0;
        for keyword in &sample {
            if read_as(&index, &spell(keyword))?.as_deref() == Some(keyword.as_str()) {
                hit += 1;
            }
        }
        figures.push(share(what, hit, sample.len()));
    }

    // Typos: one character replaced by one that sounds alike.
    let homophones = homophones(articles);
    let mut corrected = 0;
    let mut searched = 0;
    let mut cases = 0;
    // Split by how many articles write the keyword: a correction is searched outright, when
    // the typo finds something, only if it is written in many times as many articles.
    let (mut common, mut common_searched) = (0, 0);
    // Split too by whether the typed character is one a pinyin input method offers for the
    // meant one's syllable (its common reading), or sounds alike only by a rare reading of
    // one of them, a slip no input method makes.
    let (mut slips, mut slips_searched) = (0, 0);
    let (mut offered_few, mut offered_slip) = (0, 0);
    let (mut searched_other, mut offered_other, mut left_found, mut left_none) = (0, 0, 0, 0);
    for keyword in keywords.iter().skip(per_kind).chain(keywords.iter()) {
        if cases == per_kind {
            break;
        }
        let Some(typo) = typo_of(keyword, &homophones, &mut rng) else {
            continue;
        };
        cases += 1;
        let results = index.search(&SearchRequest::new(typo.as_str()).limit(0).facets(false))?;
        // The articles that write a text as an exact string.
        let written_in = |text: &str| -> Result<usize> {
            let request = SearchRequest::new(format!("\"{text}\"").as_str())
                .limit(0)
                .facets(false);
            Ok(index.search(&request)?.total)
        };
        let written = written_in(keyword)?;
        let outright = results.searched_as.as_ref().is_some_and(|r| r.query == *keyword);
        if written >= crate::assist::SURE_TIMES {
            common += 1;
            common_searched += usize::from(outright);
        }
        if outright {
            searched += 1;
        }
        if crate::assist::common_slips(&typo, keyword) {
            slips += 1;
            slips_searched += usize::from(outright);
        }
        let offered =
            results.searched_as.is_none() && results.did_you_mean.as_ref().is_some_and(|r| r.query == *keyword);
        if offered {
            // Which rule held the correction back, as the counts tell it: the articles (the
            // keyword written in too few beside the typo's own to be sure of), or else the
            // replacement (no sure slip of the typed character's reading, or inside a common
            // word).
            if results.total > 0 && !crate::assist::sure(written_in(&typo)?, written) {
                offered_few += 1;
            } else {
                offered_slip += 1;
            }
        }
        if outright || offered {
            corrected += 1;
        }
        if !outright && !offered {
            match (&results.searched_as, &results.did_you_mean) {
                (Some(_), _) => searched_other += 1,
                (None, Some(_)) => offered_other += 1,
                (None, None) if results.total > 0 => left_found += 1,
                (None, None) => left_none += 1,
            }
        }
    }
    figures.push(share("typos: a sound-alike character corrected", corrected, cases));
    figures.push(share(
        "typos: searched as the keyword outright (its articles first)",
        searched,
        cases,
    ));
    figures.push(share(
        &format!(
            "typos: searched outright, of keywords written in {} articles or more",
            crate::assist::SURE_TIMES
        ),
        common_searched,
        common,
    ));
    figures.push(share(
        "typos: searched outright, of keywords written in fewer",
        searched - common_searched,
        cases - common,
    ));
    figures.push(share(
        "typos: searched outright, of slips of the common readings (what an input method offers)",
        slips_searched,
        slips,
    ));
    figures.push(share(
        "typos: offered: the keyword in too few articles beside the typo's to be sure",
        offered_few,
        cases,
    ));
    figures.push(share(
        "typos: offered: the replacement no sure slip (reading, common word)",
        offered_slip,
        cases,
    ));
    figures.push(share("typos: searched as another query", searched_other, cases));
    figures.push(share("typos: another query offered", offered_other, cases));
    figures.push(share("typos: left as typed, finding some articles", left_found, cases));
    figures.push(share("typos: left as typed, finding none", left_none, cases));
    let mut wrong = 0;
    let correct: Vec<&String> = keywords.iter().rev().take(per_kind).collect();
    for keyword in &correct {
        let results = index.search(&SearchRequest::new(keyword.as_str()).limit(0).facets(false))?;
        if results.searched_as.is_some() || results.did_you_mean.is_some() {
            wrong += 1;
        }
    }
    figures.push(share(
        "typos: correct keywords corrected (lower is better)",
        wrong,
        correct.len(),
    ));

    // Typos of strings no title has as a word, and words the corpus has nowhere: drawn from
    // a generator of their own, so that the figures after them draw as before.
    figures.extend(string_typos(articles, &index, per_kind, &homophones, seed)?);
    figures.extend(true_zeros(&index, per_kind, seed)?);
    figures.extend(absent_people(articles, &index, per_kind, seed)?);

    // Every query of the quality sets is text the corpus has, typed right: none may be
    // searched as another, and few offered another.
    figures.extend(correct_queries(articles, &index, per_kind, seed)?);

    // Names (places, organisations, people) as jieba's dictionary tags them: those the
    // corpus's titles have, and those it has nowhere (a true zero, never a typo of a term
    // it has).
    figures.extend(names(articles, &index, per_kind, &mut rng)?);

    // Everyday words.
    figures.extend(everyday_words(articles, &index)?);

    // Abbreviations mined from the corpus, and the table's abbreviations among them.
    let started = Instant::now();
    let (abbreviations, found) = abbreviations(&index, seed)?;
    let abbreviation_secs = started.elapsed().as_secs_f64();
    figures.extend(found);

    // Speed: the keyword queries with and without assistance and grouping.
    let timed = |as_typed: bool, all_copies: bool| -> Result<f64> {
        let mut times = Vec::new();
        for keyword in keywords.iter().take(per_kind) {
            let request = SearchRequest::new(keyword.as_str())
                .as_typed(as_typed)
                .all_copies(all_copies);
            let started = Instant::now();
            index.search(&request)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        Ok(times.get(times.len() / 2).copied().unwrap_or(0.0))
    };
    // Warm both (the vocabulary and the releases are read on first use), then measure each
    // setting twice, alternating, and keep the faster of each: the machine's noise is one-sided.
    timed(false, false)?;
    let mut medians = [f64::MAX; 4];
    for _ in 0..2 {
        for (i, (as_typed, all_copies)) in [(true, true), (false, true), (true, false), (false, false)]
            .into_iter()
            .enumerate()
        {
            medians[i] = medians[i].min(timed(as_typed, all_copies)?);
        }
    }
    let [median_ms_plain, median_ms_assistance_only, median_ms_grouping_only, median_ms_assisted] = medians;

    // Reprints.
    figures.extend(reprints(articles, per_kind, &mut rng)?);
    Ok(AssistReport {
        figures,
        median_ms_assisted,
        median_ms_assistance_only,
        median_ms_grouping_only,
        median_ms_plain,
        abbreviations,
        abbreviation_secs,
    })
}

/// Every full form found for a word of the vocabulary (two to four Han characters), and the
/// share of the everyday-word table's abbreviations (an entry whose term takes the word's
/// characters in order: 国企 for 国有企业) found: written by hand before the miner, and never
/// looked at to tune it. A table pair counts when the corpus's titles have the word and its
/// articles the term; it is found when a chosen full form is the term or a string of it.
fn abbreviations(index: &Index, seed: u64) -> Result<(Vec<Abbreviation>, Vec<Share>)> {
    use crate::assist::abbreviations::{is_short_for, SHORT_CHARS};
    let backend = index.backend();
    let vocabulary = backend.vocabulary()?;
    let mut found = Vec::new();
    for (word, _) in vocabulary.terms() {
        if !SHORT_CHARS.contains(&word.chars().count()) || !word.chars().all(is_han) {
            continue;
        }
        for (full, counts) in crate::engine::abbreviations::find(backend, &vocabulary, word)? {
            found.push(Abbreviation {
                short: word.to_string(),
                full,
                short_articles: counts.short,
                full_articles: counts.full,
                both: counts.both,
                held_out: held_out(word, seed),
            });
        }
    }
    let in_titles = backend.titles_with();
    let articles_with = |text: &str| -> Result<usize> {
        Ok(index
            .search(
                &SearchRequest::new(format!("\"{text}\"").as_str())
                    .limit(0)
                    .facets(false)
                    .as_typed(true),
            )?
            .total)
    };
    let (mut cases, mut hit) = (0, 0);
    for (word, terms) in Synonyms::shipped().entries() {
        for term in terms.iter().filter(|term| is_short_for(word, term)) {
            if in_titles(word) == 0 || articles_with(term)? == 0 {
                continue;
            }
            cases += 1;
            if found.iter().any(|a| a.short == word && term.contains(a.full.as_str())) {
                hit += 1;
            }
        }
    }
    let figure = share("abbreviations: the table's abbreviations found (recall)", hit, cases);
    Ok((found, vec![figure]))
}

/// Whether `word` is in the half of the words held out from tuning, by `seed`.
fn held_out(word: &str, seed: u64) -> bool {
    // FNV-1a: the same halves on every build.
    let hash = word.bytes().fold(0xcbf2_9ce4_8422_2325 ^ seed, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % 2 == 1
}

fn share(what: &str, hit: usize, cases: usize) -> Share {
    Share {
        what: what.to_string(),
        cases,
        value: if cases == 0 { 0.0 } else { hit as f64 / cases as f64 },
    }
}

/// How often names are searched as another query, or offered one: names of the corpus's
/// titles, and names of jieba's dictionary in no article.
fn names(articles: &[Article], index: &Index, per_kind: usize, rng: &mut Rng) -> Result<Vec<Share>> {
    let segmenter = crate::text::segment::Segmenter::default();
    let mut seen = HashSet::new();
    let mut present: Vec<String> = Vec::new();
    for article in articles {
        let title = fold(&article.title);
        for range in segmenter.words(&title) {
            let word: String = title.chars().skip(range.start).take(range.len()).collect();
            if range.len() >= 2 && segmenter.is_name(&word) && seen.insert(word.clone()) {
                present.push(word);
            }
        }
    }
    let mut absent = crate::text::segment::names();
    for list in [&mut present, &mut absent] {
        for i in (1..list.len()).rev() {
            list.swap(i, rng.below(i + 1));
        }
    }
    let mut figures = Vec::new();
    for (what, list) in [("in a title", present), ("in no article", absent)] {
        let mut read = ReadAs::default();
        for name in list {
            if read.cases == per_kind {
                break;
            }
            read.count(index, &name, what == "in no article")?;
        }
        figures.extend(read.figures(&format!("names {what}")));
    }
    Ok(figures)
}

/// Queries that find something as typed, or nothing, and how many of them a search runs as
/// another query or offers another.
#[derive(Default)]
struct ReadAs {
    cases: usize,
    searched: usize,
    offered: usize,
}

impl ReadAs {
    /// Counts `query` when what it finds as typed is as said (nothing, or something).
    fn count(&mut self, index: &Index, query: &str, finds_nothing: bool) -> Result<()> {
        let as_typed = index.search(&SearchRequest::new(query).limit(0).facets(false).as_typed(true))?;
        if (as_typed.total == 0) != finds_nothing {
            return Ok(());
        }
        self.cases += 1;
        let results = index.search(&SearchRequest::new(query).limit(0).facets(false))?;
        self.searched += usize::from(results.searched_as.is_some());
        self.offered += usize::from(results.did_you_mean.is_some());
        Ok(())
    }

    /// The shares searched as another and offered another, for the queries of `what`.
    fn figures(&self, what: &str) -> [Share; 2] {
        [
            share(
                &format!("{what}: searched as another (lower is better)"),
                self.searched,
                self.cases,
            ),
            share(
                &format!("{what}: another offered (lower is better)"),
                self.offered,
                self.cases,
            ),
        ]
    }
}

/// The queries of the quality sets ([`super::sample_queries`], the same seed), each text of
/// the corpus typed right: per kind, the share searched as another query, and the share
/// offered another.
fn correct_queries(articles: &[Article], index: &Index, per_kind: usize, seed: u64) -> Result<Vec<Share>> {
    let queries = super::sample_queries(articles, per_kind, seed);
    let mut figures = Vec::new();
    for kind in super::Kind::ALL {
        let (mut searched, mut offered, mut cases) = (0, 0, 0);
        for (_, text) in queries.iter().filter(|(k, _)| *k == kind) {
            let results = index.search(&SearchRequest::new(text.as_str()).limit(0).facets(false))?;
            cases += 1;
            searched += usize::from(results.searched_as.is_some());
            offered += usize::from(results.did_you_mean.is_some());
        }
        if cases == 0 {
            continue;
        }
        figures.push(share(
            &format!("correct {} queries: searched as another (lower is better)", kind.name()),
            searched,
            cases,
        ));
        figures.push(share(
            &format!("correct {} queries: another offered (lower is better)", kind.name()),
            offered,
            cases,
        ));
    }
    Ok(figures)
}

/// Typos of strings the articles write that are no term of the vocabulary (a string of the
/// bodies that no title has as a word, such as 区块链 where titles cut 区块 and 链): dictionary
/// words of three to six characters met in the bodies of articles taken in random order,
/// each with one character replaced as the keywords' typos are. Split by the articles that
/// write the string, at the fewest a respelling is searched or offered for
/// ([`crate::assist::RESPELLED_FEWEST`]): `per_kind` strings each side where the corpus has
/// them.
fn string_typos(
    articles: &[Article],
    index: &Index,
    per_kind: usize,
    homophones: &HashMap<String, Vec<char>>,
    seed: u64,
) -> Result<Vec<Share>> {
    let mut rng = Rng::new(seed ^ 0x5791_7E05);
    let vocabulary = index.backend().vocabulary()?;
    let segmenter = crate::text::segment::Segmenter::default();
    let mut order: Vec<usize> = (0..articles.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let fewest = crate::assist::RESPELLED_FEWEST;
    // [written in `fewest` articles or more, in fewer]: cases, outright, offered, searched as
    // another query, another offered.
    let mut tallies = [[0usize; 5]; 2];
    let mut seen = HashSet::new();
    'articles: for &i in &order {
        let body = fold(&articles[i].body);
        let chars: Vec<char> = body.chars().collect();
        for range in segmenter.dictionary_words(&body) {
            if tallies.iter().all(|t| t[0] == per_kind) {
                break 'articles;
            }
            if !(3..=6).contains(&range.len()) {
                continue;
            }
            let string: String = chars[range].iter().collect();
            if !string.chars().all(is_han)
                || !seen.insert(string.clone())
                || segmenter.is_name(&string)
                || vocabulary.articles_with(&string).is_some()
            {
                continue;
            }
            let written = index
                .search(
                    &SearchRequest::new(format!("\"{string}\"").as_str())
                        .limit(0)
                        .facets(false)
                        .as_typed(true),
                )?
                .total;
            let tally = &mut tallies[usize::from(written < fewest)];
            if tally[0] == per_kind {
                continue;
            }
            let Some(typo) = typo_of(&string, homophones, &mut rng) else {
                continue;
            };
            let results = index.search(&SearchRequest::new(typo.as_str()).limit(0).facets(false))?;
            tally[0] += 1;
            match (&results.searched_as, &results.did_you_mean) {
                (Some(r), _) if r.query == string => tally[1] += 1,
                (None, Some(r)) if r.query == string => tally[2] += 1,
                (Some(_), _) => tally[3] += 1,
                (None, Some(_)) => tally[4] += 1,
                (None, None) => {}
            }
        }
    }
    let mut figures = Vec::new();
    for (tally, side) in tallies
        .iter()
        .zip([format!("{fewest} articles or more"), "fewer".to_string()])
    {
        for (what, count) in [
            "searched as the string outright",
            "offered",
            "searched as another query (lower is better)",
            "another query offered (lower is better)",
        ]
        .iter()
        .zip(&tally[1..])
        {
            figures.push(share(
                &format!("string typos, written in {side}: {what}"),
                *count,
                tally[0],
            ));
        }
    }
    Ok(figures)
}

/// How often a word of jieba's dictionary (two to six characters, no name) that no article
/// has is searched as another query, or offered one: a true zero, which a typo's correction
/// must leave alone.
fn true_zeros(index: &Index, per_kind: usize, seed: u64) -> Result<Vec<Share>> {
    let mut rng = Rng::new(seed ^ 0x2E80_0000);
    let mut words = crate::text::segment::dictionary_words_where(|word, known| {
        !known.name && (2..=6).contains(&word.chars().count())
    });
    let mut read = ReadAs::default();
    for i in 0..words.len() {
        if read.cases == per_kind {
            break;
        }
        // Drawn one at a time: the dictionary's 300,000 words are not all shuffled.
        let j = i + rng.below(words.len() - i);
        words.swap(i, j);
        read.count(index, &words[i], true)?;
    }
    Ok(read.figures("words in no article").to_vec())
}

/// How often a person's name that no article has is searched as another query, or offered
/// one: names of three characters made of the surname of one person named in the corpus's
/// titles and the given name of another (as jieba's tagger reads them), that jieba's
/// dictionary lacks and its tagger reads as a person's name.
fn absent_people(articles: &[Article], index: &Index, per_kind: usize, seed: u64) -> Result<Vec<Share>> {
    let mut rng = Rng::new(seed ^ 0x9E09_1E00);
    let segmenter = crate::text::segment::Segmenter::default();
    let mut seen = HashSet::new();
    let mut people: Vec<Vec<char>> = Vec::new();
    for article in articles {
        for (word, tag) in segmenter.tag(&fold(&article.title)) {
            let chars: Vec<char> = word.chars().collect();
            if tag == "nr" && chars.len() == 3 && chars.iter().all(|&c| is_han(c)) && seen.insert(word) {
                people.push(chars);
            }
        }
    }
    let mut read = ReadAs::default();
    if people.len() >= 2 {
        for _ in 0..per_kind * 20 {
            if read.cases == per_kind {
                break;
            }
            let (a, b) = (rng.below(people.len()), rng.below(people.len()));
            let name: String = people[a][..1].iter().chain(&people[b][1..]).collect();
            if seen.insert(name.clone()) && segmenter.is_unknown_person(&name) {
                read.count(index, &name, true)?;
            }
        }
    }
    Ok(read.figures("people in no article").to_vec())
}

/// The query a search of `typed` runs as, or offers: `None` when it stays as typed.
fn read_as(index: &Index, typed: &str) -> Result<Option<String>> {
    let results = index.search(&SearchRequest::new(typed).limit(0).facets(false))?;
    Ok(results.searched_as.or(results.did_you_mean).map(|r| r.query))
}

/// The corpus's keywords of two to six Han characters, each once, shuffled.
fn keywords(articles: &[Article], rng: &mut Rng) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for article in articles {
        for keyword in &article.meta.keywords {
            let keyword = fold(keyword);
            let n = keyword.chars().count();
            if (2..=6).contains(&n) && keyword.chars().all(is_han) && seen.insert(keyword.clone()) {
                out.push(keyword);
            }
        }
    }
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i + 1));
    }
    out
}

fn full_pinyin(text: &str) -> String {
    pinyin::readings(text)
        .and_then(|r| r.first().map(|s| pinyin::full(s)))
        .unwrap_or_default()
}

fn initials(text: &str) -> String {
    pinyin::readings(text)
        .and_then(|r| r.first().map(|s| pinyin::initials(s)))
        .unwrap_or_default()
}

/// For each blurred reading, the characters of the corpus that have it, commonest first.
fn homophones(articles: &[Article]) -> HashMap<String, Vec<char>> {
    let mut counts: HashMap<char, usize> = HashMap::new();
    for article in articles {
        for ch in article.title.chars().chain(article.body.chars()).filter(|c| is_han(*c)) {
            *counts.entry(ch).or_default() += 1;
        }
    }
    let mut by_sound: HashMap<String, Vec<(usize, char)>> = HashMap::new();
    for (ch, count) in counts {
        // A character seen a few times only is not what people reach for.
        if count < 20 {
            continue;
        }
        for reading in pinyin::readings(&ch.to_string()).unwrap_or_default() {
            let sound = pinyin::blurred(&reading[0]);
            by_sound.entry(sound).or_default().push((count, ch));
        }
    }
    by_sound
        .into_iter()
        .map(|(sound, mut chars)| {
            chars.sort_by(|a, b| b.cmp(a));
            (sound, chars.into_iter().map(|(_, c)| c).collect())
        })
        .collect()
}

/// `keyword` with one character replaced by a common one that sounds alike.
fn typo_of(keyword: &str, homophones: &HashMap<String, Vec<char>>, rng: &mut Rng) -> Option<String> {
    let chars: Vec<char> = keyword.chars().collect();
    for _ in 0..8 {
        let at = rng.below(chars.len());
        let reading = pinyin::readings(&chars[at].to_string())?.into_iter().next()?;
        let options: Vec<char> = homophones
            .get(&pinyin::blurred(&reading[0]))
            .map(|c| c.iter().copied().filter(|&c| c != chars[at]).take(8).collect())
            .unwrap_or_default();
        if options.is_empty() {
            continue;
        }
        let mut typo = chars.clone();
        typo[at] = options[rng.below(options.len())];
        return Some(typo.into_iter().collect());
    }
    None
}

/// Recall of the synonym queries, and the share whose articles with the word as typed all
/// rank above those found only through an official term.
fn everyday_words(articles: &[Article], index: &Index) -> Result<Vec<Share>> {
    let texts: Vec<String> = articles
        .iter()
        .map(|a| fold(&format!("{}\n{}", a.title, a.body)))
        .collect();
    let table = Synonyms::shipped();
    let (mut recall_sum, mut queries, mut ordered) = (0.0, 0, 0);
    for (word, terms) in table.entries() {
        let with_term: HashSet<usize> = (0..texts.len())
            .filter(|&i| terms.iter().any(|t| texts[i].contains(t.as_str())))
            .collect();
        if with_term.is_empty() {
            continue;
        }
        let with_word: HashSet<usize> = (0..texts.len()).filter(|&i| texts[i].contains(word)).collect();
        let relevant: HashSet<usize> = with_term.union(&with_word).copied().collect();
        let results = index.search(
            &SearchRequest::new(word)
                .limit(relevant.len().min(10_000))
                .facets(false)
                .snippet_chars(0)
                .all_copies(true)
                .as_typed(true),
        )?;
        let found: Vec<usize> = results.hits.iter().filter_map(|h| h.path.parse().ok()).collect();
        let hit = found.iter().filter(|i| relevant.contains(i)).count();
        recall_sum += hit as f64 / relevant.len() as f64;
        queries += 1;
        // Every article with the word as typed before every one found only through a term.
        let last_typed = found.iter().rposition(|i| with_word.contains(i));
        let first_other = found.iter().position(|i| !with_word.contains(i));
        if matches!((last_typed, first_other), (Some(a), Some(b)) if a > b) {
            continue;
        }
        ordered += 1;
    }
    Ok(vec![
        Share {
            what: "everyday words: recall of articles with the word or an official term".to_string(),
            cases: queries,
            value: if queries == 0 { 0.0 } else { recall_sum / queries as f64 },
        },
        share(
            "everyday words: the word as typed ranks above the official terms",
            ordered,
            queries,
        ),
    ])
}

/// A body's three-character shingles.
fn shingles(text: &str) -> HashSet<[char; 3]> {
    let chars: Vec<char> = fold(text).chars().filter(|c| c.is_alphanumeric()).collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

fn jaccard(a: &HashSet<[char; 3]>, b: &HashSet<[char; 3]>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Planted reprints: recall, precision, and same-title different-body pairs kept apart.
fn reprints(articles: &[Article], per_kind: usize, rng: &mut Rng) -> Result<Vec<Share>> {
    let long: Vec<usize> = (0..articles.len())
        .filter(|&i| articles[i].body.chars().count() >= 300)
        .collect();
    let mut planted: Vec<(usize, Article)> = Vec::new();
    for _ in 0..per_kind.min(long.len()) {
        let original = long[rng.below(long.len())];
        if planted.iter().any(|(o, _)| *o == original) {
            continue;
        }
        let mut copy = articles[original].clone();
        copy.meta.source = Some("转载网站".to_string());
        let mut body: Vec<char> = copy.body.chars().collect();
        for _ in 0..3 {
            let at = rng.below(body.len());
            if is_han(body[at]) {
                body[at] = '的';
            }
        }
        copy.body = format!(
            "本文转载自其他网站，版权归原作者所有。\n{}\n（责任编辑：张三）",
            body.into_iter().collect::<String>()
        );
        planted.push((original, copy));
    }
    let index = Index::create_in_ram();
    let n = articles.len();
    index.add_articles(
        articles
            .iter()
            .enumerate()
            .map(|(i, a)| (i.to_string(), a.clone()))
            .chain(
                planted
                    .iter()
                    .enumerate()
                    .map(|(k, (_, a))| ((n + k).to_string(), a.clone())),
            ),
    )?;
    let searcher = index.searcher();
    let releases = index.releases(&searcher)?;
    // Which article each document is, and each article's group.
    let mut group_of: HashMap<usize, u32> = HashMap::new();
    let mut members: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let paths = segment.fast_fields().str(crate::store::schema::PATH)?;
        for doc in segment.doc_ids_alive() {
            let mut key = String::new();
            if let Some(paths) = &paths {
                if let Some(ord_) = paths.term_ords(doc).next() {
                    let _ = paths.ord_to_str(ord_, &mut key);
                }
            }
            let Ok(article) = key.parse::<usize>() else {
                continue;
            };
            let group = releases.group(ord as u32, doc);
            group_of.insert(article, group);
            if group != crate::search::releases::NO_GROUP {
                members.entry(group).or_default().push(article);
            }
        }
    }
    let body_of = |i: usize| -> &str {
        if i < n {
            &articles[i].body
        } else {
            &planted[i - n].1.body
        }
    };
    let grouped = planted
        .iter()
        .enumerate()
        .filter(|(k, (original, _))| {
            let (a, b) = (group_of.get(original), group_of.get(&(n + k)));
            a.is_some()
                && a == b
                && *a.unwrap_or(&crate::search::releases::NO_GROUP) != crate::search::releases::NO_GROUP
        })
        .count();
    // Precision over every grouped pair (groups of up to 20 articles; a sample of pairs).
    let (mut pairs, mut near) = (0, 0);
    for group in members.values().filter(|g| g.len() <= 20) {
        for (a, &x) in group.iter().enumerate() {
            for &y in &group[a + 1..] {
                if pairs >= 20 * per_kind {
                    break;
                }
                pairs += 1;
                if jaccard(&shingles(body_of(x)), &shingles(body_of(y))) >= 0.8 {
                    near += 1;
                }
            }
        }
    }
    // Same title, different bodies: never one release.
    let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, article) in articles.iter().enumerate() {
        if article.body.chars().count() >= 100 {
            by_title.entry(fold(&article.title)).or_default().push(i);
        }
    }
    let (mut alike, mut merged) = (0, 0);
    for group in by_title.values().filter(|g| g.len() >= 2) {
        for (a, &x) in group.iter().enumerate() {
            for &y in &group[a + 1..] {
                if alike >= 20 * per_kind || jaccard(&shingles(body_of(x)), &shingles(body_of(y))) >= 0.5 {
                    continue;
                }
                alike += 1;
                let (gx, gy) = (group_of.get(&x), group_of.get(&y));
                if gx.is_some() && gx == gy && gx != Some(&crate::search::releases::NO_GROUP) {
                    merged += 1;
                }
            }
        }
    }
    Ok(vec![
        share(
            "reprints: planted copies grouped with their original (recall)",
            grouped,
            planted.len(),
        ),
        share(
            "reprints: grouped pairs that are near-identical (precision)",
            near,
            pairs,
        ),
        share(
            "reprints: same title, different body, grouped (lower is better)",
            merged,
            alike,
        ),
    ])
}

impl AssistReport {
    /// The figures as text lines.
    pub fn to_table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for figure in &self.figures {
            let _ = writeln!(out, "{:<72} {:>6} {:>7.3}", figure.what, figure.cases, figure.value);
        }
        let _ = writeln!(
            out,
            "median search time of the keyword queries, ms: {:.3} as typed with every copy; {:.3} with assistance; \
             {:.3} with reprints grouped; {:.3} with both (the default)",
            self.median_ms_plain, self.median_ms_assistance_only, self.median_ms_grouping_only, self.median_ms_assisted
        );
        let words: HashSet<&str> = self.abbreviations.iter().map(|a| a.short.as_str()).collect();
        let _ = writeln!(
            out,
            "abbreviations: {} full forms found for {} words of the vocabulary in {:.1} s (listed by --json)",
            self.abbreviations.len(),
            words.len(),
            self.abbreviation_secs
        );
        out
    }
}
