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
    let alive: Vec<_> = ctx
        .readers
        .iter()
        .map(|reader| {
            let bitset = reader.alive_bitset().cloned();
            move |doc: DocId| bitset.as_ref().is_none_or(|a| a.is_alive(doc))
        })
        .collect();
    merge_into(&sources, &alive, FileWriter::new(ctx.target_segment)?)
}

/// Merges `sources` into `out`, keeping the articles `alive` says are alive (one test a source).
fn merge_into(sources: &[Grams], alive: &[impl Fn(DocId) -> bool], mut out: FileWriter) -> tantivy::Result<()> {
    // The merged segment stacks the sources' live articles in order. Each source article's
    // new first position (u32::MAX when deleted), and the merged starts.
    let mut starts = Vec::new();
    let mut next: u32 = 0;
    let mut moved: Vec<Vec<u32>> = Vec::with_capacity(sources.len());
    for (source, alive) in sources.iter().zip(alive) {
        let mut new_starts = Vec::with_capacity(source.articles);
        for doc in 0..source.articles {
            if !alive(doc as DocId) {
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
    // Terms in order across the sources: a cursor in each.
    let mut cursors = sources
        .iter()
        .map(Grams::all_terms)
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut merged = Vec::new();
    while let Some(term) = cursors.iter().filter_map(|c| c.current().map(|info| info.term)).min() {
        merged.clear();
        let mut doc_freq = 0;
        for (i, (source, cursor)) in sources.iter().zip(&mut cursors).enumerate() {
            let Some(info) = cursor.current().filter(|info| info.term == term) else {
                continue;
            };
            let mut end = 0;
            // The article's old and new first positions; None when it was deleted.
            let mut moves = None;
            let mut in_order = true;
            let mut last = None;
            let mut positions = source.positions(&info)?;
            positions.for_each(|p| {
                // Only damage gives positions out of order or past the last article; checked
                // so that it is an error, not a panic or a wrong segment.
                in_order &= last.is_none_or(|l| p > l) && p < source.start(source.articles);
                last = Some(p);
                if !in_order {
                    return;
                }
                if p >= end {
                    let article = source.article_of(p);
                    end = source.start(article + 1);
                    let to = moved[i][article];
                    moves = (to != u32::MAX).then(|| (source.start(article), to));
                    doc_freq += u32::from(moves.is_some());
                }
                if let Some((from, to)) = moves {
                    merged.push(to + (p - from));
                }
            });
            if !in_order || positions.is_damaged() {
                return Err(source.damaged("a term's positions do not read"));
            }
            cursor.advance()?;
        }
        if !merged.is_empty() {
            out.positions(&merged)?;
            out.term(term, doc_freq)?;
        }
    }
    out.finish(&starts)
}

#[cfg(test)]
mod tests {
    use tantivy::directory::OwnedBytes;

    use super::super::testing::{write, Files, TINY};
    use super::*;

    fn grams((positions, dictionary): (OwnedBytes, OwnedBytes)) -> Grams {
        Grams::from_bytes(positions, dictionary, "test").unwrap()
    }

    /// Merges the segments of `segments`, keeping the articles `keep` says, and returns the
    /// merged files.
    fn merged(segments: &[&[&str]], keep: impl Fn(usize, DocId) -> bool + Copy) -> (OwnedBytes, OwnedBytes) {
        let sources: Vec<Grams> = segments.iter().map(|bodies| grams(write(bodies))).collect();
        let alive: Vec<_> = (0..segments.len()).map(|s| move |doc: DocId| keep(s, doc)).collect();
        let files = Files::new();
        merge_into(&sources, &alive, files.writer()).unwrap();
        files.bytes()
    }

    fn same(a: (OwnedBytes, OwnedBytes), b: (OwnedBytes, OwnedBytes)) -> bool {
        a.0.as_slice() == b.0.as_slice() && a.1.as_slice() == b.1.as_slice()
    }

    /// A merge writes what indexing the live articles afresh, in the merged order, writes.
    #[test]
    fn a_merge_equals_writing_the_live_articles_afresh() {
        let all = merged(&[&TINY[..2], &TINY[2..]], |_, _| true);
        assert!(same(all, write(&TINY)));
        let without_first = merged(&[&TINY[..2], &TINY[2..]], |segment, doc| (segment, doc) != (0, 0));
        assert!(same(without_first, write(&TINY[1..])));
        let reordered = merged(&[&TINY[2..], &TINY[..1], &TINY[1..2]], |_, _| true);
        assert!(same(reordered, write(&[TINY[2], TINY[0], TINY[1]])));
    }

    #[test]
    fn a_merge_of_nothing_alive_is_an_empty_segment() {
        let none = grams(merged(&[&TINY], |_, _| false));
        assert_eq!((none.terms, none.articles, none.tokens), (0, 0, 0));
        assert!(same(merged(&[&TINY], |_, _| false), write(&[])));
    }
}
