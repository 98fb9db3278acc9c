//! Writes a synthetic corpus of N articles with the length and vocabulary statistics of a
//! real one, for indexing and query benchmarks at scales no real corpus here has.
//!
//! ```text
//! cargo run --release --example synth -- xwlb synth-100k 100000
//! cargo run --release -- bench synth-100k
//! ```
//!
//! From the real corpus it takes: the frequency of every jieba word in the bodies and titles
//! (so term statistics follow the same Zipf curve), the distributions of body length,
//! paragraph count and title length, the sources, keywords and the date range. Articles are
//! words drawn from those frequencies, cut into sentences and paragraphs of the real lengths,
//! written in the seed layout one file each under `<OUT>/<thousands>/<n>.txt`. Neighbouring
//! words are drawn independently, so the text has more distinct character pairs than real
//! text: a pessimistic case for the character-gram fields.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// splitmix64: the same seed writes the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Draws items in proportion to their counts.
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T> Weighted<T> {
    fn new(counts: impl IntoIterator<Item = (T, u64)>) -> Weighted<T> {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0;
        for (item, count) in counts {
            total += count;
            items.push(item);
            cumulative.push(total);
        }
        Weighted { items, cumulative }
    }

    fn draw(&self, rng: &mut Rng) -> &T {
        let total = *self.cumulative.last().expect("a non-empty distribution");
        let at = rng.next() % total;
        let i = self.cumulative.partition_point(|&c| c <= at);
        &self.items[i]
    }
}

/// What the real corpus looks like.
struct Profile {
    words: Weighted<String>,
    body_chars: Vec<usize>,
    paragraphs: Vec<usize>,
    title_chars: Vec<usize>,
    sources: Weighted<String>,
    keywords: Weighted<String>,
    first_day: i64,
    days: i64,
}

fn profile(dir: &Path) -> Result<Profile, Box<dyn std::error::Error>> {
    let (articles, _) = govsearch::eval::read_corpus(dir)?;
    if articles.is_empty() {
        return Err(format!("no articles under {}", dir.display()).into());
    }
    let jieba = jieba_rs::Jieba::new();
    let mut words: HashMap<&str, u64> = HashMap::new();
    let mut sources: HashMap<String, u64> = HashMap::new();
    let mut keywords: HashMap<String, u64> = HashMap::new();
    let (mut body_chars, mut paragraphs, mut title_chars) = (Vec::new(), Vec::new(), Vec::new());
    let mut days = Vec::new();
    for article in &articles {
        for text in [&article.title, &article.body] {
            for token in jieba.cut(text, true) {
                if token.word.chars().any(char::is_alphanumeric) {
                    *words.entry(token.word).or_default() += 1;
                }
            }
        }
        body_chars.push(article.body.chars().count());
        paragraphs.push(article.body.lines().count().max(1));
        title_chars.push(article.title.chars().count());
        if let Some(source) = &article.meta.source {
            *sources.entry(source.clone()).or_default() += 1;
        }
        for keyword in &article.meta.keywords {
            *keywords.entry(keyword.clone()).or_default() += 1;
        }
        if let Some(published) = article.meta.published {
            days.push(published.timestamp() / 86_400);
        }
    }
    let first_day = days.iter().copied().min().unwrap_or(19_000);
    let last_day = days.iter().copied().max().unwrap_or(first_day);
    let mut words: Vec<(String, u64)> = words.into_iter().map(|(w, c)| (w.to_string(), c)).collect();
    words.sort();
    let sorted = |map: HashMap<String, u64>| {
        let mut v: Vec<(String, u64)> = map.into_iter().collect();
        v.sort();
        v
    };
    Ok(Profile {
        words: Weighted::new(words),
        body_chars,
        paragraphs,
        title_chars,
        sources: Weighted::new(sorted(sources)),
        keywords: Weighted::new(sorted(keywords)),
        first_day,
        days: (last_day - first_day).max(1),
    })
}

/// Words drawn until the text is `chars` long, cut into sentences of 10–40 characters.
fn text(profile: &Profile, chars: usize, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut sentence = 10 + rng.below(31);
    while n < chars {
        let word = profile.words.draw(rng);
        out.push_str(word);
        n += word.chars().count();
        sentence = sentence.saturating_sub(word.chars().count());
        if sentence == 0 {
            out.push(if rng.below(3) == 0 { '。' } else { '，' });
            n += 1;
            sentence = 10 + rng.below(31);
        }
    }
    out.push('。');
    out
}

fn article(profile: &Profile, rng: &mut Rng) -> String {
    let pick = |v: &[usize], rng: &mut Rng| v[rng.below(v.len())];
    let title = text(profile, pick(&profile.title_chars, rng).clamp(4, 40), rng);
    let title = title.trim_end_matches(['。', '，']);
    let day = profile.first_day + rng.below(profile.days as usize + 1) as i64;
    let when = chrono::DateTime::from_timestamp(day * 86_400 + 11 * 3600 + rng.below(3600) as i64, 0)
        .expect("a day in range")
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("China time"));
    let mut out = String::new();
    let _ = writeln!(out, "{title}\n");
    let _ = writeln!(
        out,
        "{} 来源:{} 大字体 小字体 扫码带走\n打印\n",
        when.format("%Y-%m-%d %H:%M:%S"),
        profile.sources.draw(rng)
    );
    let paragraphs = pick(&profile.paragraphs, rng).clamp(1, 30);
    let per = (pick(&profile.body_chars, rng) / paragraphs).max(20);
    for _ in 0..paragraphs {
        let _ = writeln!(out, "\u{2003}\u{2003}{}\n", text(profile, per, rng));
    }
    let keywords: Vec<&str> = (0..1 + rng.below(4))
        .map(|_| profile.keywords.draw(rng).as_str())
        .collect();
    let _ = writeln!(out, "新闻关键词:{}", keywords.join(" "));
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [corpus, out, count] = &args[..] else {
        eprintln!("usage: synth <REAL CORPUS> <OUT FOLDER> <ARTICLES>");
        std::process::exit(2);
    };
    let count: usize = count
        .parse()
        .map_err(|_| format!("not a number of articles: {count}"))?;
    let profile = profile(Path::new(corpus))?;
    let mut rng = Rng(0x5EED);
    for n in 0..count {
        let dir = Path::new(out).join(format!("{:04}", n / 1000));
        if n % 1000 == 0 {
            std::fs::create_dir_all(&dir)?;
        }
        let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{n:07}.txt")))?);
        file.write_all(article(&profile, &mut rng).as_bytes())?;
    }
    eprintln!("wrote {count} articles under {out}");
    Ok(())
}

#[test]
fn synthetic_articles_parse_as_releases() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let profile = profile(&corpus).unwrap();
    let mut rng = Rng(1);
    for _ in 0..20 {
        let text = article(&profile, &mut rng);
        let parsed = govsearch::parse_article(&text).unwrap();
        assert!(
            parsed.meta.published.is_some() && parsed.meta.source.is_some() && !parsed.meta.keywords.is_empty(),
            "{text}"
        );
        assert!(parsed.body.chars().count() >= 20);
    }
}
