//! What the fuzz targets (`fuzz/`) reach beside the public API: reading a file from its
//! bytes, and a small index of the sample corpus to search.

use std::sync::OnceLock;

pub use crate::article::read_bytes;
use crate::{parse_article, Index};

/// A few releases of the sample corpus, indexed in memory once per process.
pub fn sample_index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = Index::create_in_ram();
        let texts = [
            include_str!("../corpus/000_e01ca59eb94a4339.txt"),
            include_str!("../corpus/2022/0315.txt"),
            include_str!("../corpus/2022/0728.txt"),
            include_str!("../corpus/2022/0812.txt"),
            include_str!("../corpus/2024/0920.txt"),
        ];
        let articles = texts
            .iter()
            .enumerate()
            .filter_map(|(i, text)| Some((i.to_string(), parse_article(text).ok()?)));
        index.add_articles(articles).expect("the sample corpus indexes");
        index
    })
}
