//! A tool that embeds govsearch: it indexes a folder in memory and prints a Markdown digest
//! of the releases that match a query, newest first, with counts per source.
//!
//! ```text
//! cargo run --example digest -- corpus 乡村振兴
//! ```
//!
//! It uses only the library (no CLI code): `Index`, `SearchRequest` and the typed results.

use std::fmt::Write as _;
use std::path::Path;

use govsearch::{Index, SearchRequest, Sort};

/// The digest of the releases under `folder` that match `query`, as Markdown.
fn digest(folder: &Path, query: &str) -> Result<String, govsearch::Error> {
    let index = Index::create_in_ram();
    let summary = index.index_folder(folder, |_| {})?;
    for skipped in &summary.skipped {
        eprintln!("skipped {}: {}", skipped.path.display(), skipped.reason);
    }
    let results = index.search(&SearchRequest::new(query).sort(Sort::Date).limit(20).snippet_chars(60))?;
    let mut out = String::new();
    let _ = writeln!(out, "# {query}: {} releases\n", results.total);
    for hit in &results.hits {
        let date = hit
            .meta
            .published
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "undated".into());
        let source = hit.meta.source.as_deref().unwrap_or("unknown source");
        let _ = writeln!(out, "- {date} **{}** ({source}): {}", hit.title, hit.snippet.text);
    }
    let _ = writeln!(out, "\n## By source\n");
    for source in &results.facets.source {
        let _ = writeln!(out, "- {}: {}", source.value, source.count);
    }
    Ok(out)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [folder, query] = &args[..] else {
        eprintln!("usage: digest <FOLDER> <QUERY>");
        std::process::exit(2);
    };
    match digest(Path::new(folder), query) {
        Ok(text) => print!("{text}"),
        Err(err) => {
            eprintln!("digest: error: {err}");
            std::process::exit(2);
        }
    }
}

#[test]
fn digest_of_the_sample_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let text = digest(&corpus, "满意峄城").unwrap();
    assert!(text.starts_with("# 满意峄城: "), "{text}");
    assert!(
        text.contains("**枣庄市峄城区召开思想能力作风问题曝光暨“满意峄城”创建新闻发布会** (鲁网)"),
        "{text}"
    );
    assert!(text.contains("- 鲁网: 1"), "{text}");
}
