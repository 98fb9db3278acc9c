//! What searches keep per segment between queries: each segment's grams files, open, and the
//! articles each searched character is in (title or body), bounded in bytes, least recently
//! used out first.
//!
//! A frequent character starts thousands of bigrams (的 starts about 2,300 in a segment of
//! ordinary news), and reading them all is the cost of a query with such a character. One query
//! names a character several times (as a required string, in the title tier, …) and reads it
//! once; a program that keeps the index open reads each frequent character once per segment.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{Searcher, SegmentReader};

use super::matches::CharMatches;
use super::Grams;

/// The documents of one segment that contain the character, with its count in each.
pub(crate) type Matches = Arc<CharMatches>;

/// Bytes of matches a [`GramsCache`] keeps: a byte per document for a frequent character (8 per
/// match for a rare one), so it holds the frequent characters a query mix reads even at a
/// million articles. It fills only as characters are read: a small index never comes near it.
const CACHE_BYTES: usize = 256 << 20;

/// Segments' matches by field and character, and each segment's open grams file, shared by
/// every search of an index. A segment never changes once written (deletions are applied when
/// collecting), so an entry stays true until its segment is merged away
/// ([`GramsCache::retain_segments`]). Keeping a grams file open keeps it mapped: opened per
/// query, it would be mapped and unmapped each time, most of a short query's time.
#[derive(Clone, Debug)]
pub(crate) struct GramsCache(Arc<Mutex<Entries>>);

impl Default for GramsCache {
    fn default() -> GramsCache {
        GramsCache::with_budget(CACHE_BYTES)
    }
}

/// A character in a field of a segment.
type CharKey = (SegmentId, Field, char);

#[derive(Debug)]
struct Entries {
    /// Matches, and when they were last used.
    map: HashMap<CharKey, (Matches, u64)>,
    clock: u64,
    bytes: usize,
    budget: usize,
    /// The segments of the last [`GramsCache::retain_segments`]: unchanged, nothing to prune.
    live: Option<Vec<SegmentId>>,
    /// Each segment's grams.
    grams: HashMap<SegmentId, Grams>,
}

impl Entries {
    fn size(matches: &Matches) -> usize {
        matches.bytes()
    }
}

impl GramsCache {
    fn with_budget(budget: usize) -> GramsCache {
        GramsCache(Arc::new(Mutex::new(Entries {
            map: HashMap::new(),
            clock: 0,
            bytes: 0,
            budget,
            live: None,
            grams: HashMap::new(),
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets the segments that are not in `live` (merged away or deleted).
    pub(crate) fn retain_segments(&self, live: &[SegmentId]) {
        let mut entries = self.lock();
        if entries.live.as_deref() == Some(live) {
            return;
        }
        entries.live = Some(live.to_vec());
        let before = entries.map.len();
        entries.map.retain(|(segment, _, _), _| live.contains(segment));
        entries.grams.retain(|segment, _| live.contains(segment));
        if entries.map.len() != before {
            entries.bytes = entries.map.values().map(|(m, _)| Entries::size(m)).sum();
        }
    }

    /// The grams of `reader`'s segment, opened once.
    pub(crate) fn grams(&self, reader: &SegmentReader) -> tantivy::Result<Grams> {
        if let Some(grams) = self.lock().grams.get(&reader.segment_id()) {
            return Ok(grams.clone());
        }
        let grams = Grams::open(reader)?;
        self.lock().grams.insert(reader.segment_id(), grams.clone());
        Ok(grams)
    }

    /// The matches of `ch` in `field` of `reader`'s segment: from the cache, or `read` and
    /// kept.
    pub(crate) fn matches(
        &self,
        reader: &SegmentReader,
        field: Field,
        ch: char,
        read: impl FnOnce() -> tantivy::Result<CharMatches>,
    ) -> tantivy::Result<Matches> {
        let key = (reader.segment_id(), field, ch);
        {
            let mut entries = self.lock();
            entries.clock += 1;
            let now = entries.clock;
            if let Some((found, used)) = entries.map.get_mut(&key) {
                *used = now;
                return Ok(Arc::clone(found));
            }
        }
        let found = Arc::new(read()?);
        let mut entries = self.lock();
        entries.clock += 1;
        let now = entries.clock;
        entries.bytes += Entries::size(&found);
        if let Some((old, _)) = entries.map.insert(key, (Arc::clone(&found), now)) {
            entries.bytes -= Entries::size(&old);
        }
        while entries.bytes > entries.budget && entries.map.len() > 1 {
            let oldest = entries
                .map
                .iter()
                .filter(|(k, _)| **k != key)
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k);
            let Some((gone, _)) = oldest.and_then(|k| entries.map.remove(&k)) else {
                break;
            };
            entries.bytes -= Entries::size(&gone);
        }
        Ok(found)
    }

    /// How many documents of `searcher`'s segments hold `ch` in `field`: each segment's
    /// matches from the cache, and those not there read (`read`) and kept, on the search
    /// threads side by side. Counting a frequent character reads every one of its positions,
    /// and a query counts it in every segment before any is searched: a fresh process (a
    /// one-shot search) would count them one segment after another on one core.
    pub(crate) fn doc_freq(
        &self,
        searcher: &Searcher,
        field: Field,
        ch: char,
        read: impl Fn(&SegmentReader) -> tantivy::Result<CharMatches> + Sync,
    ) -> tantivy::Result<u64> {
        let mut doc_freq = 0u64;
        let mut unread = Vec::new();
        {
            let mut entries = self.lock();
            entries.clock += 1;
            let now = entries.clock;
            for reader in searcher.segment_readers() {
                match entries.map.get_mut(&(reader.segment_id(), field, ch)) {
                    // Marked used: the query's scorers read it next, after its other
                    // characters' matches may have pushed the oldest out.
                    Some((found, used)) => {
                        *used = now;
                        doc_freq += found.len() as u64;
                    }
                    None => unread.push(reader),
                }
            }
        }
        let count = |reader: &SegmentReader| {
            self.matches(reader, field, ch, || read(reader))
                .map(|found| found.len() as u64)
        };
        let counts = match unread.len() {
            0 => Vec::new(),
            1 => vec![count(unread[0])?],
            _ => searcher.index().search_executor().map(count, unread.into_iter())?,
        };
        Ok(doc_freq + counts.iter().sum::<u64>())
    }
}

/// Every new searcher's segments have their grams files opened before the searcher is
/// published, and they stay open while any live searcher may read them: a search opening them
/// itself could find them already deleted by a merge in another process.
impl tantivy::Warmer for GramsCache {
    fn warm(&self, searcher: &tantivy::Searcher) -> tantivy::Result<()> {
        for reader in searcher.segment_readers() {
            self.grams(reader)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&tantivy::SearcherGeneration]) {
        let mut live: Vec<SegmentId> = live_generations
            .iter()
            .flat_map(|generation| generation.segments().keys().copied())
            .collect();
        live.sort();
        live.dedup();
        self.retain_segments(&live);
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::Score;

    use super::*;
    use crate::query::body::BodyQuery;
    use crate::Index;

    fn index() -> Index {
        Index::of_texts(&[
            ("0", "甲\n2022-01-01 来源:县融媒体中心\n全县新建基站一座\n"),
            ("1", "乙\n2022-01-02 来源:县融媒体中心\n一座座基站，一座新楼。\n"),
            ("2", "丙\n2022-01-03 来源:县融媒体中心\n全县新建基站。\n"),
        ])
    }

    /// (count, top documents with scores) of one character in the body.
    fn run(index: &Index, cache: &GramsCache, ch: char) -> (usize, Vec<(Score, tantivy::DocAddress)>) {
        let query = BodyQuery::new(index.fields().body, &ch.to_string(), cache);
        let searcher = index.searcher();
        searcher
            .search(&query, &(Count, TopDocs::with_limit(10).order_by_score()))
            .unwrap()
    }

    #[test]
    fn a_cache_at_its_budget_answers_as_a_fresh_one() {
        let index = index();
        // Room for about two documents' matches: every read evicts the older ones.
        let small = GramsCache::with_budget(16);
        for ch in ['座', '基', '新', '座', '县', '楼', '座'] {
            let fresh = run(&index, &GramsCache::default(), ch);
            assert_eq!(run(&index, &small, ch), fresh, "{ch}");
            let entries = small.lock();
            assert!(entries.bytes <= 16 || entries.map.len() == 1, "{ch}: {entries:?}");
            let sum: usize = entries.map.values().map(|(m, _)| Entries::size(m)).sum();
            assert_eq!(entries.bytes, sum);
        }
        assert_eq!(run(&index, &small, '座').0, 2);
        assert_eq!(run(&index, &small, '县').0, 2);
        assert_eq!(run(&index, &small, '楼').0, 1);
    }

    /// A search holds what it reads: the grams of a searcher's segments are open before it
    /// is used, so a merge in another handle (another process) deleting them changes nothing.
    #[test]
    fn a_search_reads_grams_files_a_merge_elsewhere_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let writer = Index::open_or_create(dir.path()).unwrap();
        for (id, text) in [
            ("0", "甲\n2022-01-01 来源:县\n全县新建基站一座\n"),
            ("1", "乙\n2022-01-02 来源:县\n一座基站。\n"),
        ] {
            let article = crate::article::parse_article(text).unwrap();
            writer.add_articles([(id.to_string(), article)]).unwrap();
        }
        let mut reader = Index::open(dir.path()).unwrap();
        reader.set_auto_reload(false).unwrap();
        let grams_files = || {
            let mut names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".bgram"))
                .collect();
            names.sort();
            names
        };
        let before = grams_files();
        assert_eq!(writer.merge_all(), 2);
        let after = grams_files();
        assert!(
            before.iter().all(|f| !after.contains(f)),
            "the merge deleted the old segments' grams: {before:?} {after:?}"
        );
        let found = reader.search(&crate::SearchRequest::new("\"基站\"")).unwrap();
        assert_eq!(found.total, 2);
    }

    #[test]
    fn dead_segments_leave_the_cache() {
        let index = index();
        let cache = GramsCache::default();
        run(&index, &cache, '座');
        let live: Vec<SegmentId> = index
            .searcher()
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        cache.retain_segments(&live);
        cache.retain_segments(&live);
        assert!(!cache.lock().map.is_empty());
        cache.retain_segments(&[]);
        assert!(cache.lock().map.is_empty());
        assert_eq!(cache.lock().bytes, 0);
    }
}
