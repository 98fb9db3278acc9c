//! A damaged index never answers wrongly in silence: what each path reads is verified, and
//! what goes wrong in reading is an error that names the damage and says what to do.
//!
//! As Lucene does, the cost of verifying is paid where it is small or where the bytes are read
//! anyway: on open, the small files (each segment's field norms and deletions, whose damage
//! would change scores or bring deleted articles back) against their checksums, and the grams
//! files' counts and sizes; before a merge, every file of the segments it reads, so damage is
//! never copied into a new segment ([`VerifyingMerges`]); all of it in `govsearch check`.
//! A search reads only the bytes it needs, so damage inside a large file can still reach one:
//! then every read the engine does is bounded, and a panic deep inside it (tantivy's readers
//! trust their bytes) is caught here and reported as [`Error::Damaged`]. A panic in
//! govsearch's own code is no sign of damage: it is reported as [`Error::Internal`], with the
//! file and line where it happened, so that `check --repair` is never sent after a bug.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::directory::ManagedDirectory;
use tantivy::index::SegmentId;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};
use tantivy::{SegmentMeta, TantivyError};

use crate::error::{Error, Result};

thread_local! {
    /// Guarded reads running on this thread.
    static GUARDED: Cell<usize> = const { Cell::new(0) };
}

/// Guarded reads running in the process: a search thread works for one of them.
static GUARDED_ANYWHERE: AtomicUsize = AtomicUsize::new(0);

/// The names of the threads that search an index's segments side by side.
const SEARCH_THREAD: &str = "govsearch-search-";

/// The threads every index of the process searches its segments on, one per core: a query
/// over many segments takes about as long as its largest share of them. `None` on one core,
/// where the calling thread searches them in turn.
pub(crate) fn search_executor() -> Option<tantivy::Executor> {
    static EXECUTOR: OnceLock<Option<tantivy::Executor>> = OnceLock::new();
    EXECUTOR
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            (cores > 1)
                .then(|| tantivy::Executor::multi_thread(cores, SEARCH_THREAD).ok())
                .flatten()
        })
        .clone()
}

/// Whether the current thread is inside a read of the index whose panics become
/// [`Error::Damaged`]: a panic hook can stay silent then, since the error says it all. A
/// panic on a search thread while a guarded read runs reaches that read, which reports it.
pub(crate) fn panic_is_guarded() -> bool {
    GUARDED.with(Cell::get) > 0
        || (GUARDED_ANYWHERE.load(Ordering::Relaxed) > 0
            && std::thread::current()
                .name()
                .is_some_and(|name| name.starts_with(SEARCH_THREAD)))
}

/// Where the last panic inside a guarded read happened, and its message: recorded by the
/// panic hook of the thread it happened on (a search thread, or the guarded one), read by the
/// guarded read that catches it.
static LAST_PANIC: Mutex<Option<(String, String)>> = Mutex::new(None);

/// Puts a panic hook in front of the process's own, once: a panic inside a guarded read has
/// its location recorded and is not printed (the error the read returns says it all); any
/// other panic goes to the hook that was there before.
fn record_panic_sites() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !panic_is_guarded() {
                previous(info);
                return;
            }
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some((location, message_of(info.payload())));
        }));
    });
}

/// A panic's message, from its payload.
fn message_of(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Whether a panic at `location` (a source file and line) is in govsearch's own code: its
/// source files are named as this one is, from the same folder (`src/…` when built in its own
/// folder, a full path when built as a dependency), its dependencies' from theirs.
fn is_own_code(location: &str) -> bool {
    let this = file!();
    let root = this
        .strip_suffix("store/damage.rs")
        .or_else(|| this.strip_suffix("store\\damage.rs"))
        .unwrap_or(this);
    location.starts_with(root)
}

/// Runs `read` over the index at `location`: an engine error that says a file does not hold
/// what was written becomes [`Error::Damaged`], and so does a panic inside the engine's
/// readers; a panic in govsearch's own code is an [`Error::Internal`] that names where.
pub(crate) fn guarded<T>(location: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    record_panic_sites();
    GUARDED.with(|g| g.set(g.get() + 1));
    GUARDED_ANYWHERE.fetch_add(1, Ordering::Relaxed);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(read));
    GUARDED_ANYWHERE.fetch_sub(1, Ordering::Relaxed);
    GUARDED.with(|g| g.set(g.get() - 1));
    match outcome {
        Ok(result) => result.map_err(|err| classify(err, location)),
        Err(panic) => {
            let message = message_of(panic.as_ref());
            let first_line = message.lines().next().unwrap_or("no message").to_string();
            let site = LAST_PANIC
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .filter(|(_, recorded)| *recorded == message)
                .map(|(site, _)| site);
            match site {
                Some(site) if is_own_code(&site) => Err(Error::Internal {
                    location: site,
                    detail: first_line,
                }),
                _ => Err(Error::Damaged {
                    path: location.to_path_buf(),
                    detail: format!("reading it failed: {first_line}"),
                }),
            }
        }
    }
}

/// `err` as [`Error::Damaged`] when it says that a file is not what was written.
pub(crate) fn classify(err: Error, location: &Path) -> Error {
    let Error::Index(engine) = &err else {
        return err;
    };
    match damage_in(engine) {
        Some(detail) => Error::Damaged {
            path: location.to_path_buf(),
            detail,
        },
        None => err,
    }
}

/// What an engine error says is damaged, if it says so (the grams' own damage is
/// `DataCorruption`, as tantivy's is). Read errors of the index's own
/// files are damage unless they are the system's (no permission, no space, no memory): the
/// engine reports bad bytes in many words (corruption, deserialization, "unsupported
/// version", a footer mismatch).
pub(crate) fn damage_in(err: &TantivyError) -> Option<String> {
    use std::io::ErrorKind;
    let systems = |kind: ErrorKind| {
        matches!(
            kind,
            ErrorKind::PermissionDenied
                | ErrorKind::StorageFull
                | ErrorKind::OutOfMemory
                | ErrorKind::Interrupted
                | ErrorKind::WouldBlock
                | ErrorKind::ReadOnlyFilesystem
                | ErrorKind::QuotaExceeded
        )
    };
    match err {
        TantivyError::DataCorruption(corruption) => Some(format!("{corruption:?}")),
        TantivyError::DeserializeError(err) => Some(format!("a stored value does not read: {err}")),
        TantivyError::IoError(io) if !systems(io.kind()) => Some(short(&io.to_string()).to_string()),
        TantivyError::OpenReadError(tantivy::directory::error::OpenReadError::IoError { io_error, filepath })
            if !systems(io_error.kind()) =>
        {
            Some(format!("{}: {}", filepath.display(), short(&io_error.to_string())))
        }
        TantivyError::OpenReadError(tantivy::directory::error::OpenReadError::FileDoesNotExist(path)) => {
            Some(format!("{} is missing", path.display()))
        }
        TantivyError::OpenReadError(tantivy::directory::error::OpenReadError::IncompatibleIndex(_))
        | TantivyError::IncompatibleIndex(_) => Some("a file's footer is not one this build writes".to_string()),
        _ => None,
    }
}

/// The first sentence of an engine message, without advice that does not apply here.
fn short(message: &str) -> &str {
    message.split(". ").next().unwrap_or(message)
}

/// What a file whose checksum does not match is said to have.
pub(crate) const CHECKSUM_MISMATCH: &str = "its checksum does not match its contents";

/// The files of `segments` whose checksum does not match, with `wanted` picking which files
/// by extension (all when `None`): names in the index folder, in order.
pub(crate) fn damaged_files(
    directory: &ManagedDirectory,
    segments: &[SegmentId],
    wanted: Option<&[&str]>,
) -> Vec<PathBuf> {
    let prefixes: Vec<String> = segments.iter().map(SegmentId::uuid_string).collect();
    let mut damaged: Vec<PathBuf> = directory
        .list_managed_files()
        .into_iter()
        .filter(|f| {
            let name = f.to_string_lossy();
            let extension = f.extension().and_then(|e| e.to_str()).unwrap_or_default();
            prefixes.iter().any(|p| name.starts_with(p.as_str())) && wanted.is_none_or(|w| w.contains(&extension))
        })
        .filter(|f| !matches!(directory.validate_checksum(f), Ok(true)))
        .collect();
    damaged.sort();
    damaged
}

/// What [`Error::Damaged`] says of files whose checksums do not match.
pub(crate) fn mismatched<T: AsRef<Path>>(files: &[T]) -> String {
    let names: Vec<String> = files.iter().map(|f| f.as_ref().display().to_string()).collect();
    format!("{} do not match their checksums", names.join(", "))
}

/// The files every open verifies: small, and read by every search that scores or filters
/// deleted articles out.
pub(crate) const VERIFIED_ON_OPEN: &[&str] = &["fieldnorm", "del", "fast"];

/// The merge policy of every writer: tantivy's log merge policy, with each segment a merge
/// would read verified first (once per writer). A damaged segment is left out of merges and
/// recorded, so the run that found it can say so.
#[derive(Debug)]
pub(crate) struct VerifyingMerges {
    inner: LogMergePolicy,
    directory: ManagedDirectory,
    verified: Mutex<BTreeSet<SegmentId>>,
    damaged: Arc<Mutex<BTreeSet<String>>>,
}

impl VerifyingMerges {
    /// Merges as `inner` proposes, over the files of `directory`, recording damaged files
    /// in `damaged`.
    pub(crate) fn new(
        inner: LogMergePolicy,
        directory: ManagedDirectory,
        damaged: Arc<Mutex<BTreeSet<String>>>,
    ) -> VerifyingMerges {
        VerifyingMerges {
            inner,
            directory,
            verified: Mutex::default(),
            damaged,
        }
    }

    fn is_whole(&self, segment: SegmentId) -> bool {
        if self
            .verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&segment)
        {
            return true;
        }
        let damaged = damaged_files(&self.directory, &[segment], None);
        if damaged.is_empty() {
            self.verified.lock().unwrap_or_else(|e| e.into_inner()).insert(segment);
            return true;
        }
        let mut found = self.damaged.lock().unwrap_or_else(|e| e.into_inner());
        found.extend(damaged.iter().map(|f| f.display().to_string()));
        false
    }
}

impl MergePolicy for VerifyingMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        // Reads each candidate's files once: the merge reads them all right after anyway.
        self.inner
            .compute_merge_candidates(segments)
            .into_iter()
            .filter(|candidate| candidate.0.iter().all(|&id| self.is_whole(id)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic in govsearch's own code is a bug, said as such with where it happened; a panic
    /// inside a dependency's reader (which trusts its bytes) is damage.
    #[test]
    fn a_panic_in_own_code_is_internal_and_one_in_the_engine_is_damage() {
        let here = Path::new("/some/index");
        let own: Result<usize> = guarded(here, || {
            let lengths: Vec<usize> = Vec::new();
            Ok(lengths[std::hint::black_box(3)])
        });
        match own {
            Err(Error::Internal { location, detail }) => {
                assert!(location.starts_with(file!()), "{location}");
                assert!(detail.contains("index out of bounds"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        let engine: Result<tantivy_bitpacker::BitUnpacker> = guarded(here, || {
            Ok(tantivy_bitpacker::BitUnpacker::new(std::hint::black_box(60)))
        });
        assert!(matches!(engine, Err(Error::Damaged { .. })), "{engine:?}");
        // An error the read returns is not a panic: it passes through as it is.
        let said: Result<()> = guarded(here, || Err(Error::BadDate { text: "x".to_string() }));
        assert!(matches!(said, Err(Error::BadDate { .. })), "{said:?}");
    }
}
