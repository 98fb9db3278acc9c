//! Times the bench's queries (top 10, as typed, every copy a hit) on an index that exists,
//! to compare two builds of govsearch on indexes each built of the same corpus with one
//! indexing thread (so both have the same segments):
//!
//! ```text
//! govsearch index CORPUS --index index-a --threads 1            # one build
//! cargo run --release --example query_times -- index-a CORPUS 3 times.tsv
//! ```
//!
//! Prints the median, mean and 99th percentile over `RUNS` rounds of every query, and writes
//! each query's fastest time to `OUT` when given, for a query-by-query comparison; an `OUT`
//! file given as `CORPUS` is read for its queries. `QUERY` in the environment times that one
//! query instead, `FULL` times the whole page (snippets, facet counts, rewrites, reprints
//! grouped; `OFF` leaves parts of it out), `LIMIT` sets how many hits a page has (10; 0 counts
//! the matches only), and `COLD` leaves out the untimed first pass over the queries.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, index, corpus, runs, out @ ..] = args.as_slice() else {
        return Err("usage: query_times INDEX CORPUS RUNS [OUT]".into());
    };
    let index = govsearch::Index::open(index)?;
    let corpus = std::path::Path::new(corpus);
    let queries: Vec<String> = match std::env::var("QUERY") {
        Ok(query) => vec![query],
        // A file that an earlier run wrote: its queries, without reading the corpus again.
        Err(_) if corpus.is_file() => std::fs::read_to_string(corpus)?
            .lines()
            .filter_map(|line| line.split('\t').nth(1))
            .map(str::to_string)
            .collect(),
        Err(_) => {
            let (articles, _) = govsearch::eval::read_corpus(corpus)?;
            govsearch::eval::sample_queries(&articles, 100, 2022)
                .into_iter()
                .map(|(_, text)| text)
                .collect()
        }
    };
    // `FULL` in the environment: the page a user gets (snippets, facet counts, rewrites,
    // reprints grouped) instead of the bare ranking.
    let full = std::env::var_os("FULL").is_some();
    let limit = match std::env::var("LIMIT") {
        Ok(limit) => limit.parse()?,
        Err(_) => 10,
    };
    // `OFF`: parts of the whole page to leave out (`snippets`, `facets`, `assist`, `reprints`,
    // comma-separated), to see what each costs.
    let off = std::env::var("OFF").unwrap_or_default();
    let off = |part: &str| off.split(',').any(|p| p == part);
    let request = |q: &str| {
        let request = govsearch::SearchRequest::new(q).limit(limit);
        if full {
            let request = if off("snippets") {
                request.snippet_chars(0)
            } else {
                request
            };
            let request = if off("facets") { request.facets(false) } else { request };
            let request = if off("assist") { request.as_typed(true) } else { request };
            if off("reprints") {
                request.all_copies(true)
            } else {
                request
            }
        } else {
            request.snippet_chars(0).facets(false).as_typed(true).all_copies(true)
        }
    };
    // `COLD` in the environment: no untimed pass first, so the first run times what a
    // freshly opened index does with queries it has not seen (each segment's values named,
    // its characters counted, its facet tables read).
    if std::env::var_os("COLD").is_none() {
        for q in &queries {
            index.search(&request(q))?;
        }
    }
    let mut times = Vec::new();
    let mut fastest = vec![f64::MAX; queries.len()];
    for _ in 0..runs.parse::<usize>()? {
        for (i, q) in queries.iter().enumerate() {
            let started = std::time::Instant::now();
            std::hint::black_box(index.search(&request(q))?);
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            times.push(ms);
            fastest[i] = fastest[i].min(ms);
        }
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "median {:.3} ms, mean {:.3}, p99 {:.3}, sum of each query's fastest {:.1}",
        times[times.len() / 2],
        mean,
        times[times.len() * 99 / 100],
        fastest.iter().sum::<f64>()
    );
    if let Some(out) = out.first() {
        let lines: String = fastest
            .iter()
            .zip(&queries)
            .map(|(ms, q)| format!("{ms:.4}\t{q}\n"))
            .collect();
        std::fs::write(out, lines)?;
    }
    Ok(())
}
