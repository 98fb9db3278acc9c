//! Merging segments' grams: each term's positions streamed from the sources, renumbered,
//! deleted articles left out.

use tantivy::indexer::doc_id_mapping::MappingType;
use tantivy::plugin::PluginMergeContext;
use tantivy::{DocId, TantivyError};

use super::read::Grams;
use super::too_large;
use super::write::FileWriter;

/// Merges the grams of `ctx.readers` into the target segment: articles in the merged order,
/// deleted ones left out, each term's positions renumbered.
pub(super) fn merge(ctx: &PluginMergeContext) -> tantivy::Result<()> {
    if ctx.doc_id_mapping.mapping_type() == MappingType::Shuffled {
        return Err(TantivyError::InvalidArgument(
            "grams: sorted indexes are not supported".to_string(),
        ));
    }
    let sources: Vec<Grams> = ctx.readers.iter().map(Grams::open).collect::<tantivy::Result<_>>()?;
    // The merged segment stacks the sources' live articles in order. Each source article's
    // new first position (u32::MAX when deleted), and the merged starts.
    let mut starts = Vec::new();
    let mut next: u32 = 0;
    let mut moved: Vec<Vec<u32>> = Vec::with_capacity(sources.len());
    for (reader, source) in ctx.readers.iter().zip(&sources) {
        let alive = reader.alive_bitset();
        let mut new_starts = Vec::with_capacity(source.articles);
        for doc in 0..source.articles {
            if alive.is_some_and(|a| !a.is_alive(doc as DocId)) {
                new_starts.push(u32::MAX);
                continue;
            }
            new_starts.push(next);
            starts.push(next);
            next = next
                .checked_add(source.article_len(doc))
                .and_then(|n| n.checked_add(1))
                .ok_or_else(too_large)?;
        }
        moved.push(new_starts);
    }
    starts.push(next);
    let mut out = FileWriter::new(ctx.target_segment)?;
    // Terms in order across the sources: a cursor in each.
    let mut cursors = vec![0usize; sources.len()];
    let mut merged = Vec::new();
    let smallest = |cursors: &[usize]| {
        sources
            .iter()
            .zip(cursors)
            .filter(|(s, &c)| c < s.terms)
            .map(|(s, &c)| s.term(c))
            .min()
    };
    while let Some(term) = smallest(&cursors) {
        merged.clear();
        let mut doc_freq = 0;
        for (i, source) in sources.iter().enumerate() {
            if cursors[i] < source.terms && source.term(cursors[i]) == term {
                let (mut article, mut end) = (0, 0);
                // The article's old and new first positions; None when it was deleted.
                let mut moves = None;
                for p in source.positions(cursors[i]).iter() {
                    if p >= end {
                        article = source.article_at(article, p);
                        end = source.start(article + 1);
                        let to = moved[i][article];
                        moves = (to != u32::MAX).then(|| (source.start(article), to));
                        doc_freq += u32::from(moves.is_some());
                    }
                    if let Some((from, to)) = moves {
                        merged.push(to + (p - from));
                    }
                }
                cursors[i] += 1;
            }
        }
        if !merged.is_empty() {
            out.positions(&merged)?;
            out.term(term, doc_freq)?;
        }
    }
    out.finish(&starts)
}
