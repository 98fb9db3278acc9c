//! Reprints: the same release published by several sites (same text, small edits), shown
//! once in results.
//!
//! Each article's body has a fingerprint from when it was indexed ([`crate::text::fingerprint`]).
//! For a set of segments, [`Releases`] groups the articles whose fingerprints are at most
//! [`MAX_DISTANCE`] bits apart and numbers the groups; a search keeps the best-ranked article
//! of each group. Only articles whose fingerprints share one of sixteen 16-bit bands are
//! compared (a reprint shares one almost always: docs/query-assistance.md measures it), and
//! the near pairs found are kept for the next indexing run ([`pairs`]), which compares only
//! the fingerprints of the segments it added or merged.

mod pairs;

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, Searcher};

pub(crate) use pairs::Pairs;
use pairs::{added_segments, band, live_prints, BANDS};

use crate::store::kept::{Decoder, Encoder, Kept, KeptCache};
use crate::text::fingerprint::{distance, Print, PRINT_WORDS};

/// The most bits (of 256) two fingerprints differ in for their articles to be one release:
/// `govsearch eval` measures planted reprints and the pairs grouped at this distance
/// (docs/query-assistance.md).
pub(crate) const MAX_DISTANCE: u32 = 24;

/// The most days apart two copies of one release are published: a site reprints a release
/// within days; the same text a year later (a new year's greeting, an annual meeting's notice)
/// is another release.
pub(crate) const REPRINT_DAYS: i64 = 3;

/// A release number for an article in no group: it is a release of its own.
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// The releases of one set of segments: each article's group number ([`NO_GROUP`] for an
/// article with no copy) and each group's articles.
#[derive(Debug)]
pub(crate) struct Releases {
    /// Per segment ordinal, per document: its group.
    groups: Vec<Arc<[u32]>>,
    /// Per group: its articles.
    members: Vec<Vec<DocAddress>>,
}

impl Releases {
    /// Groups the articles of `searcher` by their fingerprints in `fields`, every bucket
    /// compared.
    pub(crate) fn read(searcher: &Searcher, fields: &[Field; PRINT_WORDS]) -> tantivy::Result<Releases> {
        let prints = live_prints(searcher, fields)?;
        Releases::from_pairs(searcher, &prints, &Pairs::derive(&prints))
    }

    /// Groups `prints`, the fingerprints of `searcher`'s articles, by their near `pairs`. Only
    /// fingerprints in a near pair or had by several articles can be in a group, and they are
    /// compared in the order a comparison of every bucket visits them: band by band, each
    /// band's buckets by value, each bucket's pairs in the fingerprints' order, so that the
    /// groups are the same however the pairs were found.
    pub(crate) fn from_pairs(
        searcher: &Searcher,
        prints: &[(Print, DocAddress)],
        pairs: &Pairs,
    ) -> tantivy::Result<Releases> {
        let involved = pairs.involved();
        let mut prints: Vec<(Print, DocAddress)> =
            prints.iter().filter(|(p, _)| involved.contains(p)).copied().collect();
        prints.sort_unstable();
        let mut groups: Vec<Vec<u32>> = searcher
            .segment_readers()
            .iter()
            .map(|segment| vec![NO_GROUP; segment.max_doc() as usize])
            .collect();
        let mut alike = SameRelease::new(searcher);
        let mut sets = UnionFind::new(prints.len());
        // Equal fingerprints first, then the distinct ones compared band by band.
        let mut distinct: Vec<(Print, usize)> = Vec::new();
        for (i, (print, _)) in prints.iter().enumerate() {
            match distinct.last() {
                Some(&(last, first)) if last == *print && alike.same(prints[first].1, prints[i].1)? => {
                    sets.union(first, i)
                }
                _ => distinct.push((*print, i)),
            }
        }
        // Each fingerprint's places among the distinct ones: more than one where copies with
        // the same fingerprint are not one release.
        let mut places: FxHashMap<Print, Vec<usize>> = FxHashMap::default();
        for (place, (print, _)) in distinct.iter().enumerate() {
            places.entry(*print).or_default().push(place);
        }
        let limit = MAX_DISTANCE;
        let mut visits: Vec<(u16, usize, usize)> = Vec::new();
        for k in 0..BANDS {
            visits.clear();
            for (a, b) in &pairs.near {
                let value = band(a, k);
                if value != band(b, k) || pairs.is_crowded(k, value) {
                    continue;
                }
                for &x in &places[a] {
                    visits.extend(places[b].iter().map(|&y| (value, x.min(y), x.max(y))));
                }
            }
            for (print, same) in places.iter().filter(|(_, same)| same.len() > 1) {
                let value = band(print, k);
                if !pairs.is_crowded(k, value) {
                    for (i, &x) in same.iter().enumerate() {
                        visits.extend(same[i + 1..].iter().map(|&y| (value, x, y)));
                    }
                }
            }
            visits.sort_unstable();
            visits.dedup();
            for &(_, a, b) in &visits {
                let ((_, ia), (_, ib)) = (distinct[a], distinct[b]);
                // Groups join only when their first members are close too, and of the same
                // release: no chain of near pairs makes one release of far bodies, or of far
                // dates.
                let (ra, rb) = (sets.find(ia), sets.find(ib));
                if ra != rb
                    && distance(&prints[ra].0, &prints[rb].0) <= limit
                    && alike.same(prints[ia].1, prints[ib].1)?
                    && alike.same(prints[ra].1, prints[rb].1)?
                {
                    sets.union(ia, ib);
                }
            }
        }
        // Each root's group size, then its group's number, by the root's place.
        let mut members: Vec<Vec<DocAddress>> = Vec::new();
        let mut sizes = vec![0u32; prints.len()];
        for i in 0..prints.len() {
            sizes[sets.find(i)] += 1;
        }
        let mut numbers = vec![NO_GROUP; prints.len()];
        for (i, (_, address)) in prints.iter().enumerate() {
            let root = sets.find(i);
            if sizes[root] < 2 {
                continue;
            }
            if numbers[root] == NO_GROUP {
                numbers[root] = members.len() as u32;
                members.push(Vec::new());
            }
            let number = numbers[root];
            members[number as usize].push(*address);
            groups[address.segment_ord as usize][address.doc_id as usize] = number;
        }
        Ok(Releases {
            groups: groups.into_iter().map(Arc::from).collect(),
            members,
        })
    }

    /// The group of an article, [`NO_GROUP`] if it has no copy.
    pub(crate) fn group(&self, segment: u32, doc: DocId) -> u32 {
        self.groups
            .get(segment as usize)
            .and_then(|docs| docs.get(doc as usize))
            .copied()
            .unwrap_or(NO_GROUP)
    }

    /// The articles of a group.
    pub(crate) fn members(&self, group: u32) -> &[DocAddress] {
        self.members.get(group as usize).map_or(&[], Vec::as_slice)
    }

    /// How many groups there are.
    pub(crate) fn groups(&self) -> usize {
        self.members.len()
    }
}

/// Whether two articles with near fingerprints are one release: published within
/// [`REPRINT_DAYS`] of each other (when both have a date), with the same numbers in their
/// titles (years, sessions, ordinals: 十四届三次 is not 十四届二次, 二〇二六年 not 二〇二五年).
/// Each article's date and numbers are read once, and only for articles with a near pair.
struct SameRelease<'a> {
    searcher: &'a Searcher,
    read: HashMap<DocAddress, (Option<i64>, Vec<u64>)>,
}

impl<'a> SameRelease<'a> {
    fn new(searcher: &'a Searcher) -> SameRelease<'a> {
        SameRelease {
            searcher,
            read: HashMap::new(),
        }
    }

    fn same(&mut self, a: DocAddress, b: DocAddress) -> tantivy::Result<bool> {
        let (day_a, numbers_a) = self.of(a)?;
        let (day_b, numbers_b) = self.of(b)?;
        let near = match (day_a, day_b) {
            (Some(x), Some(y)) => (x - y).abs() <= REPRINT_DAYS,
            _ => true,
        };
        Ok(near && numbers_a == numbers_b)
    }

    fn of(&mut self, address: DocAddress) -> tantivy::Result<(Option<i64>, Vec<u64>)> {
        if let Some(read) = self.read.get(&address) {
            return Ok(read.clone());
        }
        let segment = self.searcher.segment_reader(address.segment_ord);
        let day = segment
            .fast_fields()
            .date(crate::store::schema::PUBLISHED)
            .ok()
            .and_then(|column| column.first(address.doc_id))
            .map(|date| date.into_timestamp_secs().div_euclid(86_400));
        let doc: tantivy::TantivyDocument = self.searcher.doc(address)?;
        let title = crate::store::schema::Fields::from_schema(self.searcher.schema())
            .and_then(|f| {
                use tantivy::schema::Value;
                doc.get_first(f.title).and_then(|v| v.as_str().map(str::to_string))
            })
            .unwrap_or_default();
        let read = (day, crate::text::numbers(&title));
        self.read.insert(address, read.clone());
        Ok(read)
    }
}

/// `copies` of a release in the order a hit lists them: earliest published first, then by
/// file and record, so that the list depends only on the index's content, never on which
/// segment holds which copy.
pub(crate) fn order_copies(searcher: &Searcher, copies: &mut [DocAddress]) -> tantivy::Result<()> {
    let schema = crate::store::schema::PUBLISHED;
    let mut keys = Vec::with_capacity(copies.len());
    for address in copies.iter() {
        let fast = searcher.segment_reader(address.segment_ord).fast_fields();
        let published = fast
            .date(schema)
            .ok()
            .and_then(|column| column.first(address.doc_id))
            .map_or(i64::MAX, |date| date.into_timestamp_nanos());
        let mut path = String::new();
        if let Some(paths) = fast.str(crate::store::schema::PATH)? {
            if let Some(ord) = paths.term_ords(address.doc_id).next() {
                paths.ord_to_str(ord, &mut path)?;
            }
        }
        let record = fast
            .u64(crate::store::schema::RECORD)
            .ok()
            .and_then(|column| column.first(address.doc_id))
            .unwrap_or(0);
        keys.push((published, path, record, *address));
    }
    keys.sort();
    for (slot, (.., address)) in copies.iter_mut().zip(keys) {
        *slot = address;
    }
    Ok(())
}

/// Counts the distinct releases among the matches of a query: articles with no copy, plus
/// the groups with a match.
pub(crate) struct DistinctReleases {
    pub(crate) releases: Arc<Releases>,
}

/// The matches of one segment: how many had no copy, and the groups seen.
pub(crate) struct SegmentReleases {
    /// The segment's documents' groups.
    groups: Arc<[u32]>,
    count: usize,
    alone: usize,
    seen: Vec<u64>,
}

impl tantivy::collector::Collector for DistinctReleases {
    type Fruit = usize;
    type Child = SegmentReleases;

    fn for_segment(
        &self,
        segment: tantivy::SegmentOrdinal,
        _reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentReleases> {
        Ok(SegmentReleases {
            groups: self
                .releases
                .groups
                .get(segment as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from(Vec::new())),
            count: self.releases.groups(),
            alone: 0,
            seen: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(usize, Vec<u64>)>) -> tantivy::Result<usize> {
        let mut seen = vec![0u64; self.releases.groups().div_ceil(64)];
        let mut alone = 0;
        for (count, bits) in fruits {
            alone += count;
            for (all, bits) in seen.iter_mut().zip(bits) {
                *all |= bits;
            }
        }
        Ok(alone + seen.iter().map(|b| b.count_ones() as usize).sum::<usize>())
    }
}

impl tantivy::collector::SegmentCollector for SegmentReleases {
    type Fruit = (usize, Vec<u64>);

    fn collect(&mut self, doc: DocId, _score: tantivy::Score) {
        let group = self.groups.get(doc as usize).copied().unwrap_or(NO_GROUP);
        if group == NO_GROUP {
            self.alone += 1;
        } else {
            if self.seen.is_empty() {
                self.seen = vec![0; self.count.div_ceil(64)];
            }
            self.seen[group as usize / 64] |= 1 << (group % 64);
        }
    }

    fn harvest(self) -> (usize, Vec<u64>) {
        (self.alone, self.seen)
    }
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

/// The releases file, kept in the index folder ([`crate::store::kept`]): the number of groups
/// and each group's size, then each group's articles (the segment's place in the file's
/// list, the article), as little-endian `u32`s. Articles in no group are not listed.
impl Kept for Releases {
    const FILE: &'static str = crate::store::schema::RELEASES_FILE;
    const MAGIC: &'static [u8; 8] = &crate::format::magic(b"GSREL");

    fn derive(searcher: &Searcher) -> tantivy::Result<Releases> {
        Releases::read(searcher, &fingerprint_fields(searcher)?)
    }

    fn encode(&self, out: &mut Encoder) {
        out.u32(self.members.len() as u32);
        for members in &self.members {
            out.u32(members.len() as u32);
        }
        for address in self.members.iter().flatten() {
            out.u32(address.segment_ord);
            out.u32(address.doc_id);
        }
    }

    fn decode(fields: &mut Decoder, segments: &[(usize, u32)]) -> Result<Releases, String> {
        let mut groups: Vec<Vec<u32>> = vec![Vec::new(); segments.len()];
        for &(place, max_doc) in segments {
            groups[place] = vec![NO_GROUP; max_doc as usize];
        }
        let count = fields.u32()? as usize;
        let sizes = (0..count).map(|_| fields.u32()).collect::<Result<Vec<u32>, String>>()?;
        let mut members = Vec::with_capacity(count);
        for (group, size) in sizes.into_iter().enumerate() {
            let mut articles = Vec::new();
            for _ in 0..size {
                let segment = fields.u32()? as usize;
                let doc = fields.u32()?;
                let &(place, _) = segments.get(segment).ok_or("an article's segment is not listed")?;
                let slot = groups[place]
                    .get_mut(doc as usize)
                    .ok_or("an article is past its segment's end")?;
                *slot = group as u32;
                articles.push(DocAddress::new(place as u32, doc));
            }
            members.push(articles);
        }
        Ok(Releases {
            groups: groups.into_iter().map(Arc::from).collect(),
            members,
        })
    }
}

/// The releases of an index, grouped again only when its segments or deletions change.
pub(crate) type ReleasesCache = KeptCache<Releases>;

/// The near pairs of an index's fingerprints, kept for the next indexing run.
pub(crate) type PairsCache = KeptCache<Pairs>;

/// The fields of an index's fingerprints.
fn fingerprint_fields(searcher: &Searcher) -> tantivy::Result<[Field; PRINT_WORDS]> {
    crate::store::schema::Fields::from_schema(searcher.schema())
        .map(|f| f.fingerprint)
        .ok_or_else(|| tantivy::TantivyError::SchemaError("the index is not a govsearch index".to_string()))
}

/// Writes the releases of `searcher`'s segments and their near pairs to the index folder
/// unless it holds them already. The pairs follow the segments: a run compares only the
/// fingerprints of the segments it added or merged with the buckets they fall in
/// ([`Pairs::after`]), and the groups are formed again from the pairs.
pub(crate) fn keep(releases: &ReleasesCache, pairs: &PairsCache, searcher: &Searcher) -> crate::error::Result<()> {
    let mut prints = None;
    let read = |prints: &mut Option<Vec<(Print, DocAddress)>>| -> tantivy::Result<Vec<(Print, DocAddress)>> {
        match prints {
            Some(read) => Ok(std::mem::take(read)),
            None => live_prints(searcher, &fingerprint_fields(searcher)?),
        }
    };
    let live = crate::store::kept::live(searcher);
    let near = pairs.keep_with(searcher, |before| {
        let all = read(&mut prints)?;
        let near = match before {
            Some((segments, before)) => before.after(&all, &added_segments(&live, &segments)),
            None => Pairs::derive(&all),
        };
        prints = Some(all);
        Ok(near)
    })?;
    releases.keep_with(searcher, |_| Releases::from_pairs(searcher, &read(&mut prints)?, &near))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fingerprint::fingerprint;

    use crate::store::kept::{frame, read, Live};
    use crate::text::fingerprint::tests::BODY;
    use tantivy::index::SegmentId;

    /// Two segments, one with a deletion; two groups, one across the segments.
    fn kept() -> (Releases, Live) {
        let live: Live = vec![
            (SegmentId::generate_random(), 0, 5),
            (SegmentId::generate_random(), 1, 3),
        ];
        let mut groups = vec![vec![NO_GROUP; 5], vec![NO_GROUP; 3]];
        let members = vec![
            vec![DocAddress::new(0, 1), DocAddress::new(1, 2)],
            vec![DocAddress::new(0, 3), DocAddress::new(0, 4)],
        ];
        for (number, group) in members.iter().enumerate() {
            for address in group {
                groups[address.segment_ord as usize][address.doc_id as usize] = number as u32;
            }
        }
        let releases = Releases {
            groups: groups.into_iter().map(Arc::from).collect(),
            members,
        };
        (releases, live)
    }

    fn same(a: &Releases, b: &Releases) -> bool {
        a.members == b.members && a.groups.iter().zip(&b.groups).all(|(x, y)| x[..] == y[..])
    }

    #[test]
    fn kept_releases_read_back_for_their_segments_in_any_order() {
        let (releases, live) = kept();
        let bytes = frame::<Releases>(&live, |out| releases.encode(out));
        let first = read::<Releases>(&bytes, &live).unwrap().unwrap();
        assert!(same(&first, &releases));
        // The searcher lists the segments the other way round: the articles follow.
        let swapped: Live = live.iter().rev().copied().collect();
        let read = read::<Releases>(&bytes, &swapped).unwrap().unwrap();
        assert_eq!(read.group(1, 1), 0);
        assert_eq!(read.group(0, 2), 0);
        assert_eq!(read.group(1, 4), 1);
        assert_eq!(read.group(0, 0), NO_GROUP);
        assert_eq!(read.members(0), [DocAddress::new(1, 1), DocAddress::new(0, 2)]);
    }

    #[test]
    fn kept_releases_of_other_segments_are_out_of_date_and_damage_is_named() {
        let (releases, live) = kept();
        let bytes = frame::<Releases>(&live, |out| releases.encode(out));
        // Another deletion, another size, a segment more or less: out of date, not damaged.
        let mut deleted = live.clone();
        deleted[1].1 = 2;
        assert!(read::<Releases>(&bytes, &deleted).unwrap().is_none());
        let mut larger = live.clone();
        larger[0].2 = u32::MAX;
        assert!(read::<Releases>(&bytes, &larger).unwrap().is_none());
        assert!(read::<Releases>(&bytes, &live[..1].to_vec()).unwrap().is_none());
        let mut more = live.clone();
        more.push((SegmentId::generate_random(), 0, 1));
        assert!(read::<Releases>(&bytes, &more).unwrap().is_none());
        // Every byte flipped, and every length cut: an error, never a panic.
        crate::store::kept::assert_damage_is_refused::<Releases>(&bytes, &live);
    }

    /// A file whose checksum matches but whose groups point past the segments (written
    /// wrongly, or on purpose) is refused, not trusted.
    #[test]
    fn kept_releases_that_point_outside_are_refused() {
        let (mut releases, live) = kept();
        releases.members[1].push(DocAddress::new(0, 7));
        let bytes = frame::<Releases>(&live, |out| releases.encode(out));
        assert!(read::<Releases>(&bytes, &live)
            .unwrap_err()
            .contains("past its segment"));
    }

    /// An index on disk keeps its releases in its folder: a search in a new process reads
    /// them, a damaged file is named by `check` and not used, and the next run writes it anew.
    #[test]
    fn an_indexing_run_keeps_the_releases_for_later_searches() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("releases");
        std::fs::create_dir(&folder).unwrap();
        let release = |source: &str, body: &str| format!("推进营商环境改革\n2022-05-10 来源:{source}\n{body}\n");
        std::fs::write(folder.join("original.txt"), release("峄城区政府", BODY)).unwrap();
        std::fs::write(folder.join("copy.txt"), release("枣庄日报", &format!("本报讯\n{BODY}"))).unwrap();
        std::fs::write(
            folder.join("other.txt"),
            release("峄城区政府", "营商环境改革的另一篇短讯。"),
        )
        .unwrap();
        let at = dir.path().join("index");
        crate::Index::open_or_create(&at)
            .unwrap()
            .index_folder(&folder, |_| {})
            .unwrap();
        let file = at.join(Releases::FILE);
        assert!(file.is_file());

        let index = crate::Index::open(&at).unwrap();
        let searcher = index.searcher();
        let kept = index.releases_cache().ready(&searcher).expect("read from the folder");
        let fields = index.fields().fingerprint;
        let grouped = Releases::read(&searcher, &fields).unwrap();
        assert_eq!(kept.groups(), 1);
        assert!(same(&kept, &grouped));
        assert!(index.check().unwrap().is_whole());

        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x5A;
        std::fs::write(&file, bytes).unwrap();
        let index = crate::Index::open(&at).unwrap();
        let searcher = index.searcher();
        assert!(index.releases_cache().ready(&searcher).is_none());
        let report = index.check().unwrap();
        assert_eq!(report.damaged.len(), 1, "{report:?}");
        assert_eq!(report.damaged[0].what, Releases::FILE);
        let results = index.search(&crate::SearchRequest::new("营商环境")).unwrap();
        assert_eq!((results.total, results.releases), (3, 2));
        index.index_folder(&folder, |_| {}).unwrap();
        assert!(index.check().unwrap().is_whole());
        let index = crate::Index::open(&at).unwrap();
        assert!(index.releases_cache().ready(&index.searcher()).is_some());

        // A run that adds a third copy groups it from the pairs the last run kept, as
        // grouping every article does.
        std::fs::write(
            folder.join("third.txt"),
            release("薛城区政府", &format!("{BODY}\n（编辑：王某）")),
        )
        .unwrap();
        index.index_folder(&folder, |_| {}).unwrap();
        let index = crate::Index::open(&at).unwrap();
        let searcher = index.searcher();
        let kept = index.releases_cache().ready(&searcher).expect("kept");
        assert!(same(&kept, &Releases::read(&searcher, &fields).unwrap()));
        assert_eq!(kept.members(0).len(), 3);
        let results = index.search(&crate::SearchRequest::new("营商环境")).unwrap();
        assert_eq!((results.total, results.releases), (4, 2));
    }

    #[test]
    fn a_reprint_with_small_edits_is_a_few_bits_away() {
        let original = fingerprint("标题", BODY);
        let edited = fingerprint("标题", &format!("（来源：枣庄日报）\n{}", BODY.replace("十二", "十三")));
        assert_ne!(original, [0; PRINT_WORDS]);
        assert!(
            distance(&original, &edited) <= MAX_DISTANCE,
            "{}",
            distance(&original, &edited)
        );
        let other = fingerprint(
            "标题",
            "市政府召开常务会议，研究部署防汛抗旱工作。会议指出，今年汛期降雨偏多，各地要压实责任，\
             加强隐患排查，完善应急预案，确保人民群众生命财产安全。会议还研究了农村公路建设和城乡供水一体化等事项，\
             要求各部门密切配合，抓好落实，按时完成全年目标任务。",
        );
        assert!(
            distance(&original, &other) > 3 * MAX_DISTANCE,
            "{}",
            distance(&original, &other)
        );
        assert_eq!(fingerprint("短", "太短的正文"), [0; PRINT_WORDS]);
        let notice = "峄城区召开防汛工作会议，部署今年防汛工作。";
        assert_eq!(
            fingerprint("防汛会议", notice),
            fingerprint("防汛会议", notice),
            "a short text is hashed whole"
        );
        assert!(
            distance(
                &fingerprint("防汛会议", notice),
                &fingerprint("防汛会议", &notice.replace("今年", "明年"))
            ) > 64
        );
    }
}
