//! Writes `data/jieba_dict.fst`, jieba's default dictionary as an FST map from word to
//! frequency, from the `dict.txt` that jieba-rs ships:
//!
//! ```text
//! cargo run --example dict_fst -- ~/.cargo/registry/src/*/jieba-rs-0.11.*/src/data/dict.txt data/jieba_dict.fst
//! ```
//!
//! A word jieba tags as a name (a place `ns`, an organisation `nt`, a person `nr`, `nrt`,
//! `nrfg`, another proper noun `nz`) has [`NAME`] added to its frequency: query assistance
//! never corrects a name into another word. A word tagged as an abbreviation (`j`: 政协, 发改委)
//! has [`ABBREVIATION`] added: govsearch looks for the full forms of such words.
//!
//! The map also holds, under the key `\0total`, the sum of every line's frequency (the total
//! jieba divides by), and under `\0longest` the length of the longest word in characters. govsearch segments a query with only the dictionary words that occur in
//! it, instead of loading the whole dictionary; a test checks that both segment alike. Run this again when jieba-rs changes its dictionary.

use std::collections::BTreeMap;

/// Added to a name's frequency (no frequency comes near it); `src/text/segment.rs` reads it.
const NAME: u64 = 1 << 40;
/// Added to an abbreviation's frequency; `src/text/segment.rs` reads it.
const ABBREVIATION: u64 = 1 << 41;
/// jieba's tags of names.
const NAME_TAGS: [&str; 6] = ["ns", "nt", "nr", "nrt", "nrfg", "nz"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = &args[..] else {
        eprintln!("usage: dict_fst <jieba dict.txt> <output .fst>");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(input)?;
    let mut words = BTreeMap::new();
    let mut total = 0u64;
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let (Some(word), Some(freq)) = (fields.next(), fields.next()) else {
            return Err(format!("line {}: expected `word frequency [tag]`", n + 1).into());
        };
        let freq: u64 = freq
            .parse()
            .map_err(|_| format!("line {}: bad frequency {freq:?}", n + 1))?;
        total += freq;
        let tag = fields.next().unwrap_or_default();
        let flags = if NAME_TAGS.contains(&tag) {
            NAME
        } else if tag == "j" {
            ABBREVIATION
        } else {
            0
        };
        // jieba keeps the last entry of a word for lookups; its total counts every line.
        words.insert(word.to_string(), freq | flags);
    }
    let longest = words.keys().map(|w| w.chars().count()).max().unwrap_or(0) as u64;
    let mut builder = tantivy_fst::MapBuilder::memory();
    // NUL sorts before every word; \0longest before \0total.
    builder.insert("\0longest", longest)?;
    builder.insert("\0total", total)?;
    for (word, freq) in &words {
        builder.insert(word, *freq)?;
    }
    std::fs::write(output, builder.into_inner()?)?;
    eprintln!("{} words, total frequency {total}, written to {output}", words.len());
    Ok(())
}
