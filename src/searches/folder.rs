//! The log's folder: a day file per day, today's key, the site's deny list.
//!
//! - `searches-YYYY-MM-DD.json`: a day's counts, replaced whole by rename;
//! - `key-YYYY-MM-DD`: the day's visitor key, so a restart counts a visitor once; deleted when
//!   the day has passed;
//! - `deny.txt`: written by the site, never by govsearch: a word or query a line (`#` starts a
//!   comment); a popular query that contains one is not shown;
//! - `*.tmp` while a day is written, `*.damaged` for a day file that could not be read (set
//!   aside, never deleted).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::day::{Day, DayFile};
use crate::error::{Error, Result};

const DAY_PREFIX: &str = "searches-";
const DAY_SUFFIX: &str = ".json";
pub(super) const KEY_PREFIX: &str = "key-";
/// The site's list of queries never shown as popular.
pub(super) const DENY_FILE: &str = "deny.txt";
/// The largest deny list read: a list of words, not a corpus.
const MAX_DENY_BYTES: u64 = 1 << 20;
/// The largest day file read: the day's limit of queries, with room.
const MAX_DAY_BYTES: u64 = 64 << 20;

pub(super) struct Folder {
    dir: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |error| Error::Io {
        path: path.to_path_buf(),
        error,
    }
}

fn not_a_log(dir: &Path, reason: impl Into<String>) -> Error {
    Error::NotALogFolder {
        path: dir.to_path_buf(),
        reason: reason.into(),
    }
}

/// Whether `name` is a file the log writes (or the site's deny list).
fn is_ours(name: &str) -> bool {
    let day = |rest: &str| NaiveDate::parse_from_str(rest, "%Y-%m-%d").is_ok();
    name == DENY_FILE
        || name.strip_prefix(KEY_PREFIX).is_some_and(day)
        || name
            .strip_prefix(DAY_PREFIX)
            .and_then(|rest| rest.split_once(DAY_SUFFIX))
            .is_some_and(|(date, tail)| {
                day(date) && (tail.is_empty() || tail == ".tmp" || tail.starts_with(".damaged"))
            })
}

fn day_name(day: NaiveDate) -> String {
    format!("{DAY_PREFIX}{}{DAY_SUFFIX}", day.format("%Y-%m-%d"))
}

/// The day a file of the log is of, with whether it is a day file (not a key or temporary).
fn day_of(name: &str) -> Option<(NaiveDate, bool)> {
    if let Some(rest) = name.strip_prefix(KEY_PREFIX) {
        return NaiveDate::parse_from_str(rest, "%Y-%m-%d").ok().map(|d| (d, false));
    }
    let (date, tail) = name.strip_prefix(DAY_PREFIX)?.split_once(DAY_SUFFIX)?;
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some((day, tail.is_empty()))
}

/// A new random key.
pub(super) fn new_key() -> [u8; 16] {
    let mut key = [0u8; 16];
    if getrandom::fill(&mut key).is_err() {
        // No system randomness: a key from the clock and the process still changes daily and
        // is kept nowhere but the folder.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        key[..16].copy_from_slice(&(seed ^ u128::from(std::process::id())).to_le_bytes());
    }
    key
}

impl Folder {
    /// The folder a server counts in: made if missing, refused when it holds files the log
    /// did not write or lies inside the index folder.
    pub(super) fn open(dir: &Path, index: Option<&Path>) -> Result<Folder> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let real = fs::canonicalize(dir).map_err(io(dir))?;
        if let Some(index) = index.and_then(|i| fs::canonicalize(i).ok()) {
            if real.starts_with(&index) {
                return Err(not_a_log(
                    dir,
                    "it is inside the index folder, which the server only reads; give a folder of its own",
                ));
            }
        }
        let folder = Folder::existing(dir)?;
        for entry in fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !is_ours(&name) {
                return Err(not_a_log(
                    dir,
                    format!("it holds {name}, which the search log did not write; give a new or empty folder"),
                ));
            }
        }
        Ok(folder)
    }

    /// A folder a log wrote, to read.
    pub(super) fn existing(dir: &Path) -> Result<Folder> {
        if !dir.is_dir() {
            return Err(not_a_log(dir, "no such folder"));
        }
        Ok(Folder { dir: dir.to_path_buf() })
    }

    /// Removes days older than `keep_days` before `today`, keys of other days than today, and
    /// unfinished writes.
    pub(super) fn tidy(&self, today: NaiveDate, keep_days: u32) -> Result<()> {
        let oldest = today - chrono::Days::new(u64::from(keep_days.max(1) - 1));
        for entry in fs::read_dir(&self.dir).map_err(io(&self.dir))? {
            let entry = entry.map_err(io(&self.dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((day, is_day)) = day_of(&name) else {
                continue;
            };
            let stale = if name.ends_with(".tmp") {
                true
            } else if name.starts_with(KEY_PREFIX) {
                day != today
            } else {
                is_day && day < oldest
            };
            if stale {
                fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
            }
        }
        Ok(())
    }

    /// The key of `day`: the one kept in the folder, or a new one kept there.
    pub(super) fn key(&self, day: NaiveDate) -> Result<[u8; 16]> {
        let path = self.dir.join(format!("{KEY_PREFIX}{}", day.format("%Y-%m-%d")));
        if let Ok(bytes) = fs::read(&path) {
            if let Ok(key) = <[u8; 16]>::try_from(bytes.as_slice()) {
                return Ok(key);
            }
        }
        let key = new_key();
        self.replace(&path, &key)?;
        Ok(key)
    }

    /// The counts of `day`, if it has a file. A file that cannot be read as one is renamed to
    /// `….damaged` (kept for a person to look at) and the day starts anew.
    pub(super) fn read_day(&self, day: NaiveDate, notes: &mut Vec<String>) -> Result<Option<Day>> {
        let path = self.dir.join(day_name(day));
        match read_day_file(&path) {
            Ok(found) => Ok(found),
            Err(_) => {
                // The first set aside keeps the plain name, which `days` looks for.
                let aside = std::iter::once(path.with_extension("json.damaged"))
                    .chain((1..).map(|n| path.with_extension(format!("json.damaged.{n}"))))
                    .find(|p| !p.exists())
                    .unwrap_or_else(|| path.with_extension("json.damaged"));
                fs::rename(&path, &aside).map_err(io(&path))?;
                notes.push(format!(
                    "the search log of {day} could not be read: set aside as {}; the day is counted anew",
                    aside.file_name().unwrap_or_default().to_string_lossy()
                ));
                Ok(None)
            }
        }
    }

    /// The days from `first` to `last` that have a readable file, in order, and those whose
    /// file cannot be read or was set aside.
    pub(super) fn days(&self, first: NaiveDate, last: NaiveDate) -> (Vec<Day>, Vec<NaiveDate>) {
        let (mut days, mut unreadable) = (Vec::new(), Vec::new());
        for day in first.iter_days().take_while(|d| *d <= last) {
            let path = self.dir.join(day_name(day));
            match read_day_file(&path) {
                Ok(Some(read)) => days.push(read),
                Ok(None) => {}
                Err(()) => unreadable.push(day),
            }
            if path.with_extension("json.damaged").exists() && unreadable.last() != Some(&day) {
                unreadable.push(day);
            }
        }
        (days, unreadable)
    }

    /// Writes a day whole: to a temporary file, synced, renamed over the old one.
    pub(super) fn write_day(&self, day: &Day) -> Result<()> {
        let path = self.dir.join(day_name(day.day));
        let bytes = serde_json::to_vec(&day.to_file()).map_err(|err| Error::Internal {
            location: format!("{}:{}", file!(), line!()),
            detail: err.to_string(),
        })?;
        self.replace(&path, &bytes)
    }

    /// The site's deny list, folded, spaces dropped.
    pub(super) fn deny_list(&self) -> Vec<String> {
        let path = self.dir.join(DENY_FILE);
        let Ok(file) = fs::File::open(&path) else {
            return Vec::new();
        };
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_DENY_BYTES), &mut text);
        text.lines()
            .map(|line| line.split('#').next().unwrap_or_default())
            .map(crate::text::fold)
            .filter(|line| !line.is_empty())
            .collect()
    }

    fn replace(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        let temporary = path.with_file_name(name);
        let write = || -> std::io::Result<()> {
            let mut options = fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            // Only the server's user reads what the server counted.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&temporary, path)?;
            // The rename itself outlives a crash once the folder is synced.
            fs::File::open(&self.dir)?.sync_all()
        };
        write().map_err(|error| {
            let _ = fs::remove_file(&temporary);
            Error::Io {
                path: path.to_path_buf(),
                error,
            }
        })
    }
}

/// A day file: `Ok(None)` when there is none, `Err` when it cannot be read as a day.
fn read_day_file(path: &Path) -> std::result::Result<Option<Day>, ()> {
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err(()),
    };
    let reader = std::io::BufReader::new(std::io::Read::take(file, MAX_DAY_BYTES));
    let parsed: DayFile = serde_json::from_reader(reader).map_err(|_| ())?;
    Day::from_file(parsed).map(Some).ok_or(())
}
