//! The record of the lists of segments govsearch committed: what `meta.json` may say.
//!
//! tantivy keeps the index's list of segments, its deletions and the commit's payload in
//! `meta.json`, with no checksum: an edit that still parses (a dropped entry, a key changed)
//! would count articles twice or bring removed ones back in silence, and damage that breaks
//! the JSON leaves nothing to repair from. Every time `meta.json` is written through
//! [`IndexDirectory`](super::directory::IndexDirectory), its bytes are first added to this
//! record (the last two versions, each with its CRC-32), so that:
//!
//! - an open compares `meta.json` with the record: bytes govsearch never wrote are damage;
//! - `check --repair` restores the newest recorded version whose segment files are all
//!   there when `meta.json` is damaged or gone.
//!
//! Two versions are kept because the record is written before `meta.json`: a run stopped
//! between the two writes leaves the previous version in `meta.json`, still recorded.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub(crate) use super::schema::COMMITS_FILE;

/// Versions of `meta.json` the record keeps.
const KEPT_VERSIONS: usize = 2;

#[derive(Default, Serialize, Deserialize)]
struct Record {
    /// Oldest first.
    commits: Vec<Version>,
}

#[derive(Serialize, Deserialize)]
struct Version {
    crc32: u32,
    meta: String,
}

/// The versions of `meta.json` the record in `dir` holds, oldest first: `Ok(None)` when there
/// is no record, an error naming what is wrong when it does not read whole.
pub(crate) fn recorded(dir: &Path) -> Result<Option<Vec<Vec<u8>>>, String> {
    let bytes = match std::fs::read(dir.join(COMMITS_FILE)) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(format!("cannot be read: {err}")),
    };
    let record: Record = serde_json::from_slice(&bytes).map_err(|err| format!("does not read: {err}"))?;
    if record.commits.is_empty() {
        return Err("records no commit".to_string());
    }
    record
        .commits
        .into_iter()
        .map(|version| {
            if crc32fast::hash(version.meta.as_bytes()) == version.crc32 {
                Ok(version.meta.into_bytes())
            } else {
                Err("does not match its checksums".to_string())
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The record's bytes once `meta` is added to the versions it holds (an unreadable record
/// starts again from `meta`).
pub(crate) fn with(dir: &Path, meta: &[u8]) -> Vec<u8> {
    let mut versions = recorded(dir).ok().flatten().unwrap_or_default();
    if versions.last().map(Vec::as_slice) != Some(meta) {
        versions.push(meta.to_vec());
    }
    let keep_from = versions.len().saturating_sub(KEPT_VERSIONS);
    let record = Record {
        commits: versions[keep_from..]
            .iter()
            .map(|bytes| {
                let meta = String::from_utf8_lossy(bytes).into_owned();
                Version {
                    crc32: crc32fast::hash(meta.as_bytes()),
                    meta,
                }
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec(&record).expect("strings serialize");
    bytes.push(b'\n');
    bytes
}

/// What is wrong with `meta.json` in `dir` against the record, if anything. `expected` says
/// whether the index's commits say a record is kept (an index written before the record
/// was has none).
pub(crate) fn problem(dir: &Path, expected: bool) -> Option<String> {
    // `meta.json` is read again after the record: a commit in between may have moved both.
    for _ in 0..3 {
        let meta = std::fs::read(dir.join("meta.json")).ok()?;
        let versions = match recorded(dir) {
            Ok(Some(versions)) => versions,
            Ok(None) if !expected => return None,
            Ok(None) => return Some(format!("{COMMITS_FILE} is gone: {}", REWRITTEN)),
            Err(problem) => return Some(format!("{COMMITS_FILE} {problem}: {}", REWRITTEN)),
        };
        if versions.contains(&meta) {
            return None;
        }
        if std::fs::read(dir.join("meta.json")).ok()? == meta {
            return Some(format!(
                "meta.json differs from every list of segments govsearch committed ({COMMITS_FILE}): it was changed by something else; `govsearch check --repair` puts the committed one back"
            ));
        }
    }
    None
}

const REWRITTEN: &str = "`govsearch check --repair` writes it again from meta.json once meta.json is checked";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_keeps_the_last_two_versions_and_refuses_a_changed_one() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(recorded(dir.path()), Ok(None));
        for meta in [&b"one"[..], b"two", b"two", b"three"] {
            std::fs::write(dir.path().join(COMMITS_FILE), with(dir.path(), meta)).unwrap();
        }
        assert_eq!(recorded(dir.path()), Ok(Some(vec![b"two".to_vec(), b"three".to_vec()])));
        std::fs::write(dir.path().join("meta.json"), "two").unwrap();
        assert_eq!(problem(dir.path(), true), None);
        std::fs::write(dir.path().join("meta.json"), "one").unwrap();
        assert!(problem(dir.path(), true).unwrap().contains("differs"));

        let path = dir.path().join(COMMITS_FILE);
        let text = std::fs::read_to_string(&path).unwrap().replace("three", "thrEe");
        std::fs::write(&path, text).unwrap();
        assert!(recorded(dir.path()).unwrap_err().contains("checksums"));
        assert!(problem(dir.path(), false).unwrap().contains("checksums"));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(problem(dir.path(), false), None);
        assert!(problem(dir.path(), true).unwrap().contains("gone"));
    }
}
