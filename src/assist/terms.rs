//! Each segment's vocabulary terms with the number of its live articles that have them, kept
//! between indexing runs so that a run reads the terms of only the segments it added, merged
//! or deleted from; the vocabulary is their sum ([`SegmentTerms::totals`]).

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, SegmentReader};

use super::vocabulary::Vocabulary;
use super::vocabulary::LONGEST;
use crate::store::kept::{Decoder, Encoder, Kept, KeptCache, Live};
use crate::text::is_han;

/// The program that counted a set of terms and keyed their vocabulary: terms counted and
/// keyed by another are not built on, and the next run reads every segment.
fn rules() -> String {
    format!("govsearch {}", env!("CARGO_PKG_VERSION"))
}

/// The terms of a set of segments.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SegmentTerms {
    /// What counted them ([`rules`]).
    rules: String,
    /// Every term of any segment, in order, each once.
    terms: Vec<String>,
    /// Per segment, in the order of the segments they were counted in: its terms' numbers,
    /// in order, each with how many of its live articles have it.
    segments: Vec<Vec<(u32, u32)>>,
}

/// A segment's terms with their counts, in order.
type Counted = Vec<(String, u32)>;

/// The vocabulary's fields of a searcher's index: the title's words, and the facet fields
/// whose whole values are terms.
fn fields(searcher: &Searcher) -> tantivy::Result<(Field, [Field; 3])> {
    let f = crate::store::schema::Fields::from_schema(searcher.schema())
        .ok_or_else(|| tantivy::TantivyError::SchemaError("the index's fields differ".to_string()))?;
    Ok((f.title, [f.keyword, f.source, f.column]))
}

/// The terms of `segment` in `words` and `values` with the number of its live articles that
/// have each: a removed article's terms stay in its segment until a merge, and are not
/// counted, so a withdrawn release is suggested by no word of its own.
fn count(segment: &SegmentReader, words: Field, values: &[Field]) -> tantivy::Result<Counted> {
    let alive = segment.alive_bitset();
    let mut counted: Counted = Vec::new();
    let mut add = |field: Field, facet: bool| -> tantivy::Result<()> {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let mut key = stream.key();
            if facet {
                // A facet term is its path with U+0000 between levels; these have one.
                key = key.split(|&b| b == 0).next().unwrap_or(key);
            }
            let Ok(text) = std::str::from_utf8(key) else {
                continue;
            };
            let chars = text.chars().count();
            if chars == 0 || chars > LONGEST || !text.chars().all(is_han) {
                continue;
            }
            let articles = match alive {
                None => stream.value().doc_freq,
                Some(alive) => inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?
                    .doc_freq_given_deletes(alive),
            };
            if articles > 0 {
                counted.push((text.to_string(), articles));
            }
        }
        Ok(())
    };
    add(words, false)?;
    for &field in values {
        add(field, true)?;
    }
    // Each field's terms come in order; a term in several fields is summed.
    counted.sort_unstable();
    counted.dedup_by(|later, first| {
        let same = later.0 == first.0;
        if same {
            first.1 = first.1.saturating_add(later.1);
        }
        same
    });
    Ok(counted)
}

impl SegmentTerms {
    /// The terms of `searcher`'s segments, given `before`, the terms of the segments of an
    /// earlier run: a segment counted there with the same deletions is not read again.
    pub(crate) fn after(searcher: &Searcher, before: Option<(&Live, &SegmentTerms)>) -> tantivy::Result<SegmentTerms> {
        let (words, values) = fields(searcher)?;
        let live = crate::store::kept::live(searcher);
        let before = before.filter(|(_, terms)| terms.is_ours());
        // Each segment's terms: the earlier numbers of one counted before, else its texts.
        let mut kept: Vec<Option<&[(u32, u32)]>> = Vec::with_capacity(live.len());
        let mut read: Vec<Counted> = Vec::with_capacity(live.len());
        for (segment, reader) in live.iter().zip(searcher.segment_readers()) {
            let earlier = before.and_then(|(segments, terms)| {
                let place = segments.iter().position(|s| s == segment)?;
                terms.segments.get(place).map(Vec::as_slice)
            });
            match earlier {
                Some(earlier) => {
                    kept.push(Some(earlier));
                    read.push(Vec::new());
                }
                None => {
                    kept.push(None);
                    read.push(count(reader, words, &values)?);
                }
            }
        }
        // The terms: the earlier ones still in a segment, and the new texts.
        let earlier: &[String] = before.map_or(&[], |(_, terms)| &terms.terms);
        let mut used = vec![false; earlier.len()];
        for &(id, _) in kept.iter().flatten().flat_map(|s| s.iter()) {
            if let Some(used) = used.get_mut(id as usize) {
                *used = true;
            }
        }
        let mut terms: Vec<String> = read.iter().flatten().map(|(text, _)| text.clone()).collect();
        terms.extend(earlier.iter().zip(&used).filter(|(_, &u)| u).map(|(t, _)| t.clone()));
        terms.sort_unstable();
        terms.dedup();
        let number = |text: &str| {
            terms
                .binary_search_by(|t| t.as_str().cmp(text))
                .expect("every text is a term") as u32
        };
        // An earlier number to its new one: the order of texts is kept, so each segment's
        // list stays in order.
        let renumbered: Vec<u32> = earlier
            .iter()
            .zip(&used)
            .map(|(text, &used)| if used { number(text) } else { u32::MAX })
            .collect();
        let segments = kept
            .iter()
            .zip(&read)
            .map(|(kept, read)| match kept {
                Some(earlier) => earlier.iter().map(|&(id, n)| (renumbered[id as usize], n)).collect(),
                None => read.iter().map(|(text, n)| (number(text), *n)).collect(),
            })
            .collect();
        Ok(SegmentTerms {
            rules: rules(),
            terms,
            segments,
        })
    }

    /// Whether this program counted them.
    pub(crate) fn is_ours(&self) -> bool {
        self.rules == rules()
    }

    /// Every term with the number of live articles of all the segments that have it, in order.
    pub(crate) fn totals(&self) -> Vec<(String, u32)> {
        let mut counts = vec![0u32; self.terms.len()];
        for &(id, n) in self.segments.iter().flatten() {
            counts[id as usize] = counts[id as usize].saturating_add(n);
        }
        self.terms.iter().cloned().zip(counts).collect()
    }
}

/// The terms file, kept in the index folder ([`crate::store::kept`]) for the next indexing
/// run; searches do not read it. The program that counted them (length and text), the number of terms and each one's length and UTF-8 text,
/// then per segment of the file's list the number of its terms and each one's number and
/// count (little-endian `u32`s).
impl Kept for SegmentTerms {
    const FILE: &'static str = crate::store::schema::TERMS_FILE;
    const MAGIC: &'static [u8; 8] = &crate::format::magic(b"GSTRM");

    fn derive(searcher: &Searcher) -> tantivy::Result<SegmentTerms> {
        SegmentTerms::after(searcher, None)
    }

    fn encode(&self, out: &mut Encoder) {
        out.bytes(self.rules.as_bytes());
        out.u32(self.terms.len() as u32);
        for term in &self.terms {
            out.bytes(term.as_bytes());
        }
        for segment in &self.segments {
            out.u32(segment.len() as u32);
            for &(id, n) in segment {
                out.u32(id);
                out.u32(n);
            }
        }
    }

    fn decode(fields: &mut Decoder, segments: &[(usize, u32)]) -> Result<SegmentTerms, String> {
        let rules = String::from_utf8(fields.bytes()?.as_slice().to_vec()).map_err(|_| "its rules are not text")?;
        let count = fields.u32()? as usize;
        let mut terms: Vec<String> = Vec::with_capacity(count.min(fields.len()));
        for _ in 0..count {
            let text = String::from_utf8(fields.bytes()?.as_slice().to_vec()).map_err(|_| "a term is not UTF-8")?;
            if terms.last().is_some_and(|last| *last >= text) {
                return Err("its terms are out of order".to_string());
            }
            terms.push(text);
        }
        let mut lists: Vec<Vec<(u32, u32)>> = vec![Vec::new(); segments.len()];
        for &(place, _) in segments {
            let n = fields.u32()? as usize;
            if n.saturating_mul(8) > fields.len() {
                return Err("a segment's terms are past its end".to_string());
            }
            let mut list = Vec::with_capacity(n);
            for _ in 0..n {
                let (id, articles) = (fields.u32()?, fields.u32()?);
                if id as usize >= terms.len() || list.last().is_some_and(|&(last, _)| last >= id) {
                    return Err("a segment's term is out of range or order".to_string());
                }
                list.push((id, articles));
            }
            lists[place] = list;
        }
        Ok(SegmentTerms {
            rules,
            terms,
            segments: lists,
        })
    }
}

/// Writes the vocabulary of `searcher`'s segments and their terms to the index folder unless
/// it holds them already. The terms follow the segments: a run reads the terms of only the
/// segments it added, merged or deleted from ([`SegmentTerms::after`]), and keys only the
/// terms the last vocabulary did not have ([`Vocabulary::after`]).
pub(crate) fn keep(
    vocabulary: &KeptCache<Vocabulary>,
    terms: &KeptCache<SegmentTerms>,
    searcher: &Searcher,
) -> crate::error::Result<()> {
    let mut counted_from = None;
    let counted = terms.keep_with(searcher, |before| {
        counted_from = before
            .as_ref()
            .filter(|(_, t)| t.is_ours())
            .map(|(segments, _)| segments.clone());
        SegmentTerms::after(searcher, before.as_ref().map(|(segments, t)| (segments, t.as_ref())))
    })?;
    vocabulary.keep_with(searcher, |before| {
        // The last vocabulary's keys are built on only when this program keyed it, from the
        // segments the last terms were counted from: the two were written by one run.
        let earlier = before.filter(|(segments, _)| counted_from.as_ref() == Some(segments));
        Ok(Vocabulary::after(
            counted.totals(),
            searcher.num_docs().max(1),
            earlier.as_ref().map(|(_, v)| v.as_ref()),
        ))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs that add and remove files keep the terms and the vocabulary that counting every
    /// segment and keying every term give.
    #[test]
    fn runs_keep_the_terms_and_vocabulary_of_every_segment() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("articles");
        std::fs::create_dir(&folder).unwrap();
        let titles = [
            "推进乡村振兴",
            "乡村振兴见成效",
            "优化营商环境",
            "重庆营商环境",
            "重庆银行行长会见",
            "长江经济带发展",
        ];
        let write = |n: usize| {
            let title = titles[n];
            let text = format!("{title}\n2022-05-1{n} 来源:县政府\n关键词:{title}\n{title}的正文。\n");
            std::fs::write(folder.join(format!("{n}.txt")), text).unwrap();
        };
        let at = dir.path().join("index");
        let index = crate::Index::open_or_create(&at).unwrap();
        let same_as_derived = || {
            let index = crate::Index::open(&at).unwrap();
            let searcher = index.searcher();
            let kept = index.vocabulary_cache().ready(&searcher).expect("kept");
            assert!(kept.encoded() == Vocabulary::derive(&searcher).unwrap().encoded());
            let live = crate::store::kept::live(&searcher);
            let file = std::fs::read(at.join(SegmentTerms::FILE)).unwrap();
            let terms = crate::store::kept::read::<SegmentTerms>(&file, &live)
                .unwrap()
                .expect("of the live segments");
            assert_eq!(terms, SegmentTerms::derive(&searcher).unwrap());
            assert!(terms.totals().iter().any(|(t, _)| t == "乡村"));
            index.check().unwrap().is_whole()
        };
        for n in 0..3 {
            write(n);
        }
        index.index_folder(&folder, |_| {}).unwrap();
        assert!(same_as_derived());
        for n in 3..6 {
            write(n);
            index.index_folder(&folder, |_| {}).unwrap();
            assert!(same_as_derived());
        }
        std::fs::remove_file(folder.join("2.txt")).unwrap();
        std::fs::remove_file(folder.join("5.txt")).unwrap();
        index.index_folder(&folder, |_| {}).unwrap();
        assert!(same_as_derived());
    }
}
