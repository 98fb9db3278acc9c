//! A file's identity in the index: its path as text, exact for any path a folder can hold.
//!
//! A path that is valid UTF-8 is its own key. In any other path, each byte that is not part
//! of valid UTF-8 is written as U+0000 and two hex digits: no path holds U+0000, so no two
//! paths share a key and a key gives its path back. (A lossy conversion gave two names that
//! differ only in such bytes one key, and indexed them again on every run.)

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// An article's id: a hash of its place (its file's path within the folder it was indexed
/// from, under that folder's name; or the identity it was added under) and its record, in
/// URL-safe base64. It stays the same while the article stays in its place, whatever happens
/// to its file's time or text, and it tells nothing of where the index or its folders are.
pub(crate) fn article_id(place: &str, record: u64) -> String {
    use base64::Engine;
    let mut bytes = place.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(&record.to_le_bytes());
    let hash = siphasher::sip128::SipHasher13::new().hash(&bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.as_bytes())
}

/// The place of the file `path` indexed from the folder `root`: the folder's name and the
/// file's path below it, as a key.
pub(crate) fn place_in(root: &Path, path: &Path) -> String {
    let name = root.file_name().map(Path::new).unwrap_or(Path::new(""));
    let below = path.strip_prefix(root).unwrap_or(path);
    path_key(&name.join(below))
}

/// The key of `path`.
pub(crate) fn path_key(path: &Path) -> String {
    let bytes = path.as_os_str().as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let mut key = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        key.push_str(chunk.valid());
        for byte in chunk.invalid() {
            key.push_str(&format!("\0{byte:02X}"));
        }
    }
    key
}

/// The path a key stands for.
pub(crate) fn key_path(key: &str) -> PathBuf {
    if !key.contains('\0') {
        return PathBuf::from(key);
    }
    let mut bytes = Vec::with_capacity(key.len());
    let mut rest = key;
    while let Some(at) = rest.find('\0') {
        bytes.extend_from_slice(&rest.as_bytes()[..at]);
        let hex = rest.get(at + 1..at + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                bytes.push(byte);
                rest = &rest[at + 3..];
            }
            None => {
                bytes.push(0);
                rest = &rest[at + 1..];
            }
        }
    }
    bytes.extend_from_slice(rest.as_bytes());
    PathBuf::from(OsString::from_vec(bytes))
}

/// A key as people read it: bytes that are not UTF-8 shown as U+FFFD.
pub(crate) fn key_display(key: &str) -> String {
    key_path(key).to_string_lossy().into_owned()
}

/// Serialises a path as text, bytes that are not UTF-8 shown as U+FFFD (serde refuses such a
/// path, which cut reports off mid-object).
pub(crate) fn serialize_lossy<P: AsRef<Path>, S: serde::Serializer>(path: &P, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.as_ref().to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_has_its_own_key_and_gets_it_back() {
        let names: [&[u8]; 5] = [
            b"/a/\xe5\xb3\x84.txt",
            b"/a/caf\xe9.txt",
            b"/a/caf\xe8.txt",
            b"/a/\xff\xfe",
            b"/a/x\\x00",
        ];
        let keys: Vec<String> = names
            .iter()
            .map(|n| path_key(Path::new(std::ffi::OsStr::from_bytes(n))))
            .collect();
        for (name, key) in names.iter().zip(&keys) {
            assert_eq!(key_path(key).as_os_str().as_bytes(), *name, "{key:?}");
        }
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "{keys:?}");
        assert_eq!(keys[0], "/a/峄.txt", "UTF-8 paths are their own keys");
        assert_eq!(key_display(&keys[1]), "/a/caf\u{FFFD}.txt");
    }
}
