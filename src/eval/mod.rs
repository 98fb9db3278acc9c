//! Search quality, measured against ground truth no tokenizer decides.
//!
//! [`evaluate`] reads a corpus folder, builds query sets of each [`Kind`] from it, computes
//! their truth by brute-force string search over every article's folded title and body, and
//! runs them on govsearch and on the two classic configurations (jieba words as tantivy-jieba
//! ships them; Lucene-style character bigrams), all indexed from the same articles. It
//! reports recall, precision, precision@10, success@1, MRR and (for aboutness) nDCG@10 per
//! kind and configuration. For the aboutness queries it also ranks the articles that contain
//! the tag by single signals (title match, then frequency in the body or shorter body), the
//! references the aboutness target is stated against. `govsearch eval <DIR>` prints the report.

mod assist;
mod engines;
mod truth;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use walkdir::WalkDir;

use crate::article::Article;
use crate::error::{Error, Result};
pub use assist::{AssistReport, Share};
use engines::{Classic, Engine, Govsearch, Order, Substring};
pub use truth::Kind;
use truth::{build_queries, fold_all, EvalQuery, Rng};

/// How an evaluation is run.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// Queries of each kind (fewer when the corpus cannot supply them).
    pub per_kind: usize,
    /// Seed of the query sampler: the same seed and corpus give the same queries.
    pub seed: u64,
    /// An OpenSearch cluster to evaluate govsearch on as well: the corpus is exported to its
    /// index `govsearch-eval` and searched there as `--backend` searches.
    #[cfg(feature = "opensearch")]
    pub backend: Option<String>,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            per_kind: 300,
            seed: 2022,
            #[cfg(feature = "opensearch")]
            backend: None,
        }
    }
}

/// The figures of one kind of query on one configuration. Means over the queries.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The kind of query.
    pub kind: Kind,
    /// The configuration.
    pub config: String,
    /// Number of queries.
    pub queries: usize,
    /// Share of the relevant articles found anywhere in the result list.
    pub recall: f64,
    /// Share of the whole result list that is relevant.
    pub precision: f64,
    /// Share of the first 10 that is relevant (out of 10, or of all relevant if fewer).
    pub precision_at_10: f64,
    /// Share of queries whose first result is relevant (for a remembered phrase: is the
    /// article it was copied from).
    pub success_at_1: f64,
    /// Mean reciprocal rank of the first relevant result within the first 10.
    pub mrr: f64,
    /// nDCG@10 with gain 2 for tagged articles and 1 for articles that contain the keyword
    /// (aboutness only).
    pub ndcg_at_10: Option<f64>,
    /// Median time to answer a query (all matches plus the first 10), in milliseconds.
    pub median_ms: f64,
}

/// What an evaluation measured.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    /// The corpus folder.
    pub corpus: PathBuf,
    /// Articles read from it.
    pub articles: usize,
    /// Files that were not articles.
    pub skipped: usize,
    /// Indexing time of each configuration, in seconds.
    pub index_secs: Vec<(String, f64)>,
    /// One row per kind and configuration.
    pub rows: Vec<Row>,
    /// Query assistance (pinyin, typos, everyday words) and reprints.
    pub assistance: AssistReport,
}

/// A sample of realistic queries built from `articles` (`per_kind` of each kind, as the
/// evaluation builds them; the same seed gives the same sample), without their truth: for
/// benchmarks.
pub fn sample_queries(articles: &[Article], per_kind: usize, seed: u64) -> Vec<(Kind, String)> {
    let folded = fold_all(articles);
    build_queries(articles, &folded, per_kind, &mut Rng::new(seed))
        .into_iter()
        .map(|q| (q.kind, q.text))
        .collect()
}

/// Builds one configuration's index from the articles.
type BuildEngine = fn(&[Article]) -> Result<Box<dyn Engine>>;

/// Reads the corpus under `dir`, builds the query sets and runs them on every configuration.
/// `progress` hears what is being done.
pub fn evaluate(dir: &Path, options: &EvalOptions, mut progress: impl FnMut(&str)) -> Result<EvalReport> {
    progress("reading the corpus");
    let (mut articles, skipped) = read_corpus(dir)?;
    if articles.is_empty() {
        return Err(Error::BadFolder {
            path: dir.to_path_buf(),
            reason: "no articles to evaluate on".to_string(),
        });
    }
    progress("measuring query assistance and reprints");
    let assistance = assist::evaluate(&articles, options.per_kind, options.seed)?;
    let folded = fold_all(&articles);
    progress("building queries and their truth");
    let queries = build_queries(&articles, &folded, options.per_kind, &mut Rng::new(options.seed));
    // Keyword lines are not searchable text in any configuration; clearing them makes the
    // aboutness measure (which grades by the tags) independent of them by construction.
    for article in &mut articles {
        article.meta.keywords.clear();
    }

    let mut index_secs = Vec::new();
    let mut rows = Vec::new();
    let builders: [(&str, BuildEngine); 3] = [
        ("govsearch", |a| Ok(Box::new(Govsearch::build(a)?))),
        ("jieba words", |a| Ok(Box::new(Classic::jieba_words(a)?))),
        ("char bigrams", |a| Ok(Box::new(Classic::cjk_bigrams(a)?))),
    ];
    for (label, build) in builders {
        progress(&format!("indexing for {label}"));
        let started = Instant::now();
        let engine = build(&articles)?;
        index_secs.push((engine.name().to_string(), started.elapsed().as_secs_f64()));
        progress(&format!("querying {label}"));
        rows.extend(run_engine(engine.as_ref(), &queries)?);
    }
    #[cfg(feature = "opensearch")]
    if let Some(url) = &options.backend {
        progress("exporting to the cluster for govsearch on OpenSearch");
        let started = Instant::now();
        let engine = engines::OnCluster::build(&articles, url)?;
        index_secs.push((engine.name().to_string(), started.elapsed().as_secs_f64()));
        progress("querying govsearch on OpenSearch");
        rows.extend(run_engine(&engine, &queries)?);
    }
    // The single-feature rankings the aboutness target is stated against, on the same queries.
    progress("ranking the aboutness queries by single signals");
    let aboutness: Vec<EvalQuery> = queries.iter().filter(|q| q.kind == Kind::Aboutness).cloned().collect();
    for order in [Order::Frequency, Order::ShortBody] {
        rows.extend(run_engine(&Substring::new(&articles, order), &aboutness)?);
    }
    Ok(EvalReport {
        corpus: dir.to_path_buf(),
        articles: articles.len(),
        skipped,
        index_secs,
        rows,
        assistance,
    })
}

/// Reads every article under `dir` (all layouts, as `index` does), and counts the files that
/// gave none.
pub fn read_corpus(dir: &Path) -> Result<(Vec<Article>, usize)> {
    let mut articles = Vec::new();
    let mut skipped = 0;
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::BadFolder {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        match crate::article::file_articles(entry.path(), &crate::article::ReadOptions::default()) {
            Ok(read) => articles.extend(read.records.into_iter().flatten().map(|article| *article)),
            Err(_) => skipped += 1,
        }
    }
    Ok((articles, skipped))
}

fn run_engine(engine: &dyn Engine, queries: &[EvalQuery]) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for kind in Kind::ALL {
        let of_kind: Vec<&EvalQuery> = queries
            .iter()
            .filter(|q| q.kind == kind && !q.relevant.is_empty())
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        let mut sums = [0.0f64; 6];
        let mut times = Vec::with_capacity(of_kind.len());
        for query in &of_kind {
            let started = Instant::now();
            let (all, top) = engine.run(&query.text)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            for (sum, value) in sums.iter_mut().zip(score(query, &all, &top)) {
                *sum += value;
            }
        }
        times.sort_by(f64::total_cmp);
        let n = of_kind.len() as f64;
        rows.push(Row {
            kind,
            config: engine.name().to_string(),
            queries: of_kind.len(),
            recall: sums[0] / n,
            precision: sums[1] / n,
            precision_at_10: sums[2] / n,
            success_at_1: sums[3] / n,
            mrr: sums[4] / n,
            ndcg_at_10: (kind == Kind::Aboutness).then(|| sums[5] / n),
            median_ms: times[times.len() / 2],
        });
    }
    Ok(rows)
}

/// recall, precision, precision@10, success@1, reciprocal rank, nDCG@10 of one query.
fn score(query: &EvalQuery, all: &HashSet<u32>, top: &[u32]) -> [f64; 6] {
    let relevant = |id: &u32| match query.source {
        Some(source) => *id == source,
        None => query.relevant.contains(id),
    };
    let wanted = if query.source.is_some() {
        1
    } else {
        query.relevant.len()
    };
    let found = all.iter().filter(|id| relevant(id)).count();
    let recall = found as f64 / wanted as f64;
    let precision = if all.is_empty() {
        0.0
    } else {
        found as f64 / all.len() as f64
    };
    let top_hits = top.iter().filter(|id| relevant(id)).count();
    let precision_at_10 = top_hits as f64 / wanted.min(10) as f64;
    let success = top.first().is_some_and(relevant) as u8 as f64;
    let rr = top.iter().position(relevant).map_or(0.0, |i| 1.0 / (i as f64 + 1.0));
    [recall, precision, precision_at_10, success, rr, ndcg_at_10(query, top)]
}

fn ndcg_at_10(query: &EvalQuery, top: &[u32]) -> f64 {
    let gain = |id: &u32| {
        if query.tagged.contains(id) {
            2.0
        } else if query.relevant.contains(id) {
            1.0
        } else {
            0.0
        }
    };
    let dcg = |gains: &mut dyn Iterator<Item = f64>| {
        gains
            .take(10)
            .enumerate()
            .map(|(i, g)| g / (i as f64 + 2.0).log2())
            .sum::<f64>()
    };
    let mut ideal: Vec<f64> = query.relevant.union(&query.tagged).map(gain).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let best = dcg(&mut ideal.into_iter());
    if best == 0.0 {
        return 0.0;
    }
    dcg(&mut top.iter().map(gain)) / best
}

impl EvalReport {
    /// The report as a text table, one block per kind of query.
    pub fn to_table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "corpus: {} ({} articles, {} other files)",
            self.corpus.display(),
            self.articles,
            self.skipped
        );
        for (name, secs) in &self.index_secs {
            let _ = writeln!(out, "indexing, {name}: {secs:.1} s");
        }
        let _ = writeln!(
            out,
            "\n{:<18} {:<28} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8}",
            "kind", "configuration", "queries", "recall", "prec", "P@10", "S@1", "MRR", "nDCG@10", "ms/q"
        );
        let kinds: BTreeSet<Kind> = self.rows.iter().map(|r| r.kind).collect();
        for kind in kinds {
            for row in self.rows.iter().filter(|r| r.kind == kind) {
                let ndcg = row.ndcg_at_10.map_or("-".to_string(), |v| format!("{v:.3}"));
                let _ = writeln!(
                    out,
                    "{:<18} {:<28} {:>7} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>8} {:>8.2}",
                    kind.name(),
                    row.config,
                    row.queries,
                    row.recall,
                    row.precision,
                    row.precision_at_10,
                    row.success_at_1,
                    row.mrr,
                    ndcg,
                    row.median_ms
                );
            }
        }
        let _ = writeln!(
            out,
            "\n{:<72} {:>6} {:>7}",
            "query assistance and reprints", "cases", "share"
        );
        out.push_str(&self.assistance.to_table());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_the_sample_corpus_quoted_queries_are_exact_and_phrases_find_their_article() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let options = EvalOptions {
            per_kind: 40,
            seed: 7,
            ..EvalOptions::default()
        };
        let report = evaluate(&corpus, &options, |_| {}).unwrap();
        let row = |kind: Kind, config: &str| {
            report
                .rows
                .iter()
                .find(|r| r.kind == kind && r.config == config)
                .unwrap_or_else(|| panic!("no row for {kind:?} on {config}:\n{}", report.to_table()))
        };
        let exact = row(Kind::Exact, "govsearch");
        assert!(exact.queries >= 30, "{}", report.to_table());
        assert_eq!((exact.recall, exact.precision), (1.0, 1.0), "{}", report.to_table());
        let phrase = row(Kind::Phrase, "govsearch");
        assert_eq!(phrase.success_at_1, 1.0, "{}", report.to_table());
        let figure = |what: &str| {
            report
                .assistance
                .figures
                .iter()
                .find(|f| f.what.starts_with(what))
                .unwrap_or_else(|| panic!("no figure {what}:\n{}", report.to_table()))
        };
        assert!(figure("pinyin: full").cases > 0, "{}", report.to_table());
        assert!(figure("pinyin: full").value >= 0.8, "{}", report.to_table());
        assert_eq!(figure("typos: correct keywords").value, 0.0, "{}", report.to_table());
        assert_eq!(figure("everyday words: recall").value, 1.0, "{}", report.to_table());
        assert!(figure("reprints: planted").cases > 0, "{}", report.to_table());
        assert!(figure("reprints: planted").value >= 0.9, "{}", report.to_table());
        let bigram_exact = row(Kind::Exact, "char bigrams (Lucene CJK)");
        assert!(
            bigram_exact.recall < 1.0,
            "single characters defeat bigrams: {}",
            report.to_table()
        );
    }
}
