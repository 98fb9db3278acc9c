//! The index folder as tantivy sees it: tantivy's memory-mapped directory, except that an
//! index on read-only media can be searched.
//!
//! Opening a searcher takes the meta lock, a file tantivy creates so that a writer's cleanup
//! does not delete files while they are being opened. On read-only media that file cannot be
//! created, and no writer can run there either: the lock is then skipped. Every other lock
//! (the writer's above all) is taken as tantivy takes it, so writing still fails there.

use std::path::Path;
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
    META_LOCK,
};

#[derive(Clone, Debug)]
pub(crate) struct IndexDirectory(MmapDirectory);

impl IndexDirectory {
    pub(crate) fn open(dir: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        MmapDirectory::open(dir).map(IndexDirectory)
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
        self.0.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.0.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(err) if lock.filepath == META_LOCK.filepath && read_only(&err) => Ok(DirectoryLock::from(Box::new(()))),
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(watch_callback)
    }
}
