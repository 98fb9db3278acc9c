//! What searches derive from the whole index (its releases, its vocabulary), kept in memory
//! while the segments stay the same and, for an index on disk, in a file of its folder that
//! the last indexing run wrote, so that a search in a new process reads it instead of
//! deriving it from every segment again.
//!
//! A kept file names the segments it was derived from, each with its deletions (a segment's
//! deletions only grow, so their number tells its state) and its articles, and is used only
//! while they are the index's. It ends with a CRC-32 of its contents, verified on every read: a file that
//! does not match is not used, and `govsearch check` names it. Files are written whole or
//! not at all (a temporary file renamed over the old one).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentId;
use tantivy::Searcher;

use crate::error::{Error, Result};

/// The segments something was derived from: each segment's id, number of deletions and
/// number of articles (deleted ones included). A file's sizes are trusted only as far as they
/// equal the live segments'.
pub(crate) type Live = Vec<(SegmentId, u32, u32)>;

/// `searcher`'s segments, in its order.
pub(crate) fn live(searcher: &Searcher) -> Live {
    searcher
        .segment_readers()
        .iter()
        .map(|s| (s.segment_id(), s.num_deleted_docs(), s.max_doc()))
        .collect()
}

/// What a kept file holds.
pub(crate) trait Kept: Sized {
    /// The file's name in the index folder.
    const FILE: &'static str;
    /// Its first bytes: its name and format version.
    const MAGIC: &'static [u8; 8];

    /// Derives it from `searcher`'s segments.
    fn derive(searcher: &Searcher) -> tantivy::Result<Self>;

    /// Writes its contents (after the segments, which `out` holds already).
    fn encode(&self, out: &mut Encoder);

    /// Reads its contents: `segments` gives each of the file's segments' place in the live
    /// segments and its number of articles.
    fn decode(fields: &mut Decoder, segments: &[(usize, u32)]) -> std::result::Result<Self, String>;
}

/// Runs `a` on a thread of its own while `b` runs on this one, and a panic in either is this
/// thread's: what is derived at the end of an indexing run has the cores to itself.
pub(crate) fn side_by_side<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        (a.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), b)
    })
}

/// A kept file's bytes, being written.
#[derive(Default)]
pub(crate) struct Encoder(Vec<u8>);

impl Encoder {
    pub(crate) fn into_bytes(self) -> OwnedBytes {
        OwnedBytes::new(self.0)
    }

    pub(crate) fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    /// What `more` holds, after what this holds.
    pub(crate) fn append(&mut self, mut more: Encoder) {
        self.0.append(&mut more.0);
    }

    /// A run of bytes, its length first.
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        self.u64(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }
}

/// A kept file's bytes, read in order.
pub(crate) struct Decoder {
    bytes: OwnedBytes,
}

impl Decoder {
    pub(crate) fn new(bytes: OwnedBytes) -> Decoder {
        Decoder { bytes }
    }

    fn take(&mut self, n: usize) -> std::result::Result<OwnedBytes, String> {
        if n > self.bytes.len() {
            return Err("it ends early".to_string());
        }
        let (head, tail) = self.bytes.clone().split(n);
        self.bytes = tail;
        Ok(head)
    }

    pub(crate) fn u32(&mut self) -> std::result::Result<u32, String> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes(bytes.as_slice().try_into().expect("four bytes")))
    }

    pub(crate) fn u64(&mut self) -> std::result::Result<u64, String> {
        let bytes = self.take(8)?;
        Ok(u64::from_le_bytes(bytes.as_slice().try_into().expect("eight bytes")))
    }

    /// A run of bytes written by [`Encoder::bytes`], without copying it.
    pub(crate) fn bytes(&mut self) -> std::result::Result<OwnedBytes, String> {
        let len = usize::try_from(self.u64()?).map_err(|_| "a length does not fit".to_string())?;
        self.take(len)
    }

    /// Whether every byte was read.
    pub(crate) fn is_done(&self) -> bool {
        self.bytes.is_empty()
    }

    /// How many bytes are left to read.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }
}

/// `kept`'s file as derived from `searcher`'s segments.
fn encode<T: Kept>(kept: &T, searcher: &Searcher) -> Vec<u8> {
    frame::<T>(&live(searcher), |out| kept.encode(out))
}

/// A kept file: the magic, `live`'s segments (id as 32 hex digits, deletions, articles),
/// what `write` writes, and a CRC-32 of all before it. Numbers are little-endian.
pub(crate) fn frame<T: Kept>(live: &Live, write: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    let mut out = Encoder(T::MAGIC.to_vec());
    out.u32(live.len() as u32);
    for (id, deleted, max_doc) in live {
        out.0.extend_from_slice(id.uuid_string().as_bytes());
        out.u32(*deleted);
        out.u32(*max_doc);
    }
    write(&mut out);
    let checksum = crc32fast::hash(&out.0);
    out.u32(checksum);
    out.0
}

/// What a kept file holds: `Ok(None)` when it was derived from other segments than `live`
/// (it is out of date), an error saying what is wrong when it does not read.
fn decode<T: Kept>(bytes: OwnedBytes, live: &Live) -> std::result::Result<Option<T>, String> {
    Ok(decode_any::<T>(bytes, live)?.and_then(|(_, current, kept)| current.then_some(kept)))
}

/// What a kept file holds, the segments it was derived from, and whether they are `live`'s:
/// read for the live segments when they are, else for its own (`None` when it does not read
/// so).
fn decode_any<T: Kept>(bytes: OwnedBytes, live: &Live) -> std::result::Result<Option<(Live, bool, T)>, String> {
    let (written, mut fields) = header::<T>(bytes)?;
    let places: Vec<Option<usize>> = written
        .iter()
        .map(|segment| live.iter().position(|l| l == segment))
        .collect();
    let mut found: Vec<usize> = places.iter().flatten().copied().collect();
    found.sort_unstable();
    found.dedup();
    let current = found.len() == live.len() && written.len() == live.len();
    let segments: Vec<(usize, u32)> = written
        .iter()
        .zip(&places)
        .enumerate()
        .map(|(own, (segment, place))| (if current { place.unwrap_or(own) } else { own }, segment.2))
        .collect();
    match body(&mut fields, &segments) {
        Ok(kept) => Ok(Some((written, current, kept))),
        Err(problem) if current => Err(problem),
        // An out-of-date file that does not read is not built on; it is not damage either.
        Err(_) => Ok(None),
    }
}

/// A kept file's segments and the fields after them, once its checksum and magic are right.
fn header<T: Kept>(bytes: OwnedBytes) -> std::result::Result<(Live, Decoder), String> {
    if bytes.len() < 4 {
        return Err("it ends early".to_string());
    }
    let end = bytes.len() - 4;
    let (body, checksum) = bytes.split(end);
    let checksum = u32::from_le_bytes(checksum.as_slice().try_into().expect("four bytes"));
    if crc32fast::hash(&body) != checksum {
        return Err(super::damage::CHECKSUM_MISMATCH.to_string());
    }
    let mut fields = Decoder { bytes: body };
    if fields.take(T::MAGIC.len())?.as_slice() != T::MAGIC {
        return Err("it is not a file of this format".to_string());
    }
    let count = fields.u32()? as usize;
    let mut written = Vec::new();
    for _ in 0..count {
        let id = std::str::from_utf8(fields.take(32)?.as_slice())
            .ok()
            .and_then(|id| SegmentId::from_uuid_string(id).ok())
            .ok_or("a segment id does not read")?;
        let deleted = fields.u32()?;
        let max_doc = fields.u32()?;
        written.push((id, deleted, max_doc));
    }
    Ok((written, fields))
}

/// The contents after a kept file's segments, all of them.
fn body<T: Kept>(fields: &mut Decoder, segments: &[(usize, u32)]) -> std::result::Result<T, String> {
    let kept = T::decode(fields, segments)?;
    if !fields.is_done() {
        return Err("it has bytes past its end".to_string());
    }
    Ok(kept)
}

/// Writes `bytes` as the file `path`, whole or not at all: a temporary file beside it, named
/// for this process (two runs that end at once do not write into one), renamed over it. A
/// process killed between leaves a `.tmp` file, which a failed run's clean-up removes with
/// tantivy's own.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".tmp-{name}-{}", std::process::id()));
    let written = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// What searches derive from the whole index, derived again only when its segments or
/// deletions change, and for an index on disk kept in its folder between processes.
pub(crate) struct KeptCache<T> {
    read: Mutex<Option<(Live, Arc<T>)>>,
    /// The kept file, for an index on disk.
    file: Option<PathBuf>,
}

impl<T> Default for KeptCache<T> {
    fn default() -> Self {
        KeptCache {
            read: Mutex::default(),
            file: None,
        }
    }
}

impl<T: Kept> KeptCache<T> {
    /// A cache that keeps its contents in the index folder `folder` as well.
    pub(crate) fn in_folder(folder: &Path) -> KeptCache<T> {
        KeptCache {
            read: Mutex::default(),
            file: Some(folder.join(T::FILE)),
        }
    }

    /// What `searcher`'s segments give if it was derived already, in this process or (kept
    /// in the index folder) by the last indexing run.
    pub(crate) fn ready(&self, searcher: &Searcher) -> Option<Arc<T>> {
        if let Some(kept) = self.in_memory(searcher) {
            return Some(kept);
        }
        let live = live(searcher);
        let kept = self.stored(&live)?;
        Some(self.remember(live, kept))
    }

    /// Keeps `kept` in memory as what `live` gives.
    fn remember(&self, live: Live, kept: T) -> Arc<T> {
        let kept = Arc::new(kept);
        *self.read.lock().unwrap_or_else(PoisonError::into_inner) = Some((live, Arc::clone(&kept)));
        kept
    }

    /// What `searcher`'s segments give if this process derived or read it already.
    pub(crate) fn in_memory(&self, searcher: &Searcher) -> Option<Arc<T>> {
        let live = live(searcher);
        let read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.as_ref()
            .filter(|(segments, _)| *segments == live)
            .map(|(_, kept)| Arc::clone(kept))
    }

    /// What the kept file holds, if it is whole and was derived from `live`.
    fn stored(&self, live: &Live) -> Option<T> {
        let bytes = std::fs::read(self.file.as_ref()?).ok()?;
        decode(OwnedBytes::new(bytes), live).ok().flatten()
    }

    /// What `searcher`'s segments give: read if it was derived already, else derived now.
    pub(crate) fn get(&self, searcher: &Searcher) -> tantivy::Result<Arc<T>> {
        if let Some(ready) = self.ready(searcher) {
            return Ok(ready);
        }
        Ok(self.remember(live(searcher), T::derive(searcher)?))
    }

    /// What `searcher`'s segments give, written to the kept file unless the file holds it
    /// already (run by the writer at the end of an indexing run): read from the file or
    /// memory, else `derive`d. `derive` is given what was derived last and from which
    /// segments (in this process, else as the kept file holds it), to derive only what the
    /// segments new since then change.
    pub(crate) fn keep_with(
        &self,
        searcher: &Searcher,
        derive: impl FnOnce(Option<(Live, Arc<T>)>) -> tantivy::Result<T>,
    ) -> Result<Arc<T>> {
        let live = live(searcher);
        let Some(file) = &self.file else {
            return match self.in_memory(searcher) {
                Some(kept) => Ok(kept),
                None => Ok(self.remember(live, derive(self.last())?)),
            };
        };
        // The file is read once: kept in memory if it holds them, else derived from what it
        // or memory holds, and written.
        let mut earlier = None;
        if let Ok(bytes) = std::fs::read(file) {
            match decode_any::<T>(OwnedBytes::new(bytes), &live) {
                Ok(Some((_, true, stored))) => return Ok(self.remember(live, stored)),
                Ok(Some((written, false, kept))) => earlier = Some((written, Arc::new(kept))),
                Ok(None) | Err(_) => {}
            }
        }
        let kept = match self.in_memory(searcher) {
            Some(kept) => kept,
            None => self.remember(live, derive(self.last().or(earlier))?),
        };
        write_whole(file, &encode(kept.as_ref(), searcher)).map_err(|error| Error::Io {
            path: file.clone(),
            error,
        })?;
        Ok(kept)
    }

    /// What this process derived or read last, and from which segments.
    fn last(&self) -> Option<(Live, Arc<T>)> {
        let read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.as_ref()
            .map(|(segments, kept)| (segments.clone(), Arc::clone(kept)))
    }

    /// What is wrong with the kept file, if it is there and does not read. A file derived
    /// from other segments is not damaged, only out of date: searches do not use it, and the
    /// next indexing run writes it again.
    pub(crate) fn problem(&self, searcher: &Searcher) -> Option<String> {
        let bytes = std::fs::read(self.file.as_ref()?).ok()?;
        decode::<T>(OwnedBytes::new(bytes), &live(searcher)).err()
    }
}

/// What a kept file's `bytes` hold for `live` (tests of the formats).
#[cfg(test)]
pub(crate) fn read<T: Kept>(bytes: &[u8], live: &Live) -> std::result::Result<Option<T>, String> {
    decode(OwnedBytes::new(bytes.to_vec()), live)
}

/// Checks that `bytes` with any byte flipped, or cut at any length, do not read for `live`:
/// an error, never a panic (tests of the formats).
#[cfg(test)]
pub(crate) fn assert_damage_is_refused<T: Kept>(bytes: &[u8], live: &Live) {
    for place in 0..bytes.len() {
        let mut flipped = bytes.to_vec();
        flipped[place] ^= 0x5A;
        assert!(read::<T>(&flipped, live).is_err(), "byte {place}");
        assert!(read::<T>(&bytes[..place], live).is_err(), "{place} bytes");
    }
}
