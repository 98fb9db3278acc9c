//! The index folder as tantivy sees it: tantivy's memory-mapped directory, except that an
//! index on read-only media can be searched.
//!
//! Opening a searcher takes the meta lock, a file tantivy creates so that a writer's cleanup
//! does not delete files while they are being opened. On read-only media that file cannot be
//! created, and no writer can run there either: the lock is then skipped. Every other lock
//! (the writer's above all) is taken as tantivy takes it, so writing still fails there.
//!
//! Every version of `meta.json` written through it is first added to the record of commits
//! ([`commits`](super::commits)). A repair reads the list of segments it means to commit in
//! place of `meta.json` ([`IndexDirectory::with_meta`]) until its commit writes one, so that
//! the index on disk changes once, when the repair is done.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
    META_LOCK,
};

const META: &str = "meta.json";

#[derive(Clone, Debug)]
pub(crate) struct IndexDirectory {
    inner: MmapDirectory,
    location: PathBuf,
    /// What `meta.json` reads as until it is next written, with the bytes it held on disk
    /// when that was set: shared by every clone tantivy makes.
    substitute: Arc<Mutex<Option<Substitute>>>,
}

#[derive(Debug)]
struct Substitute {
    meta: Vec<u8>,
    on_disk: Option<Vec<u8>>,
}

impl IndexDirectory {
    pub(crate) fn open(dir: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        Ok(IndexDirectory {
            inner: MmapDirectory::open(dir)?,
            location: dir.to_path_buf(),
            substitute: Arc::default(),
        })
    }

    /// The folder `dir`, with `meta` read in place of its `meta.json` until a commit writes
    /// `meta.json`; that write fails if `meta.json` changed on disk in the meantime (another
    /// writer committed), so no commit is lost to it.
    pub(crate) fn with_meta(dir: &Path, meta: Vec<u8>) -> Result<IndexDirectory, OpenDirectoryError> {
        let directory = IndexDirectory::open(dir)?;
        let on_disk = std::fs::read(dir.join(META)).ok();
        *directory.substitute.lock().unwrap_or_else(|e| e.into_inner()) = Some(Substitute { meta, on_disk });
        Ok(directory)
    }

    fn write_meta(&self, data: &[u8]) -> std::io::Result<()> {
        let mut substitute = self.substitute.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(Substitute { on_disk, .. }) = &*substitute {
            if std::fs::read(self.location.join(META)).ok() != *on_disk {
                return Err(std::io::Error::other(
                    "the index was changed by another run while this one prepared its commit",
                ));
            }
        }
        let record = super::commits::with(&self.location, data);
        self.inner
            .atomic_write(Path::new(super::commits::COMMITS_FILE), &record)?;
        self.inner.atomic_write(Path::new(META), data)?;
        *substitute = None;
        Ok(())
    }
}

/// Whether `err` says the folder cannot be written to.
fn read_only(err: &LockError) -> bool {
    match err {
        LockError::IoError(io) => matches!(
            io.kind(),
            std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
        ),
        LockError::LockBusy => false,
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        if path == Path::new(META) {
            if let Some(substitute) = &*self.substitute.lock().unwrap_or_else(|e| e.into_inner()) {
                return Ok(substitute.meta.clone());
            }
        }
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        if path == Path::new(META) {
            return self.write_meta(data);
        }
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(err) if lock.filepath == META_LOCK.filepath && read_only(&err) => Ok(DirectoryLock::from(Box::new(()))),
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}
