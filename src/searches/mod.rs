//! What people search for, kept by a server in a folder of its own (`govsearch serve --state
//! DIR`): per day, each normalised query with its number of searches, of distinct visitors,
//! of searches that found something, and the rewrites applied. 热门搜索 and popular
//! completions are drawn from it, and `govsearch queries` reports it to the site: the
//! queries people search for, those that find nothing (what the dictionary or the synonyms
//! lack), the volume per day.
//!
//! - **Nothing that identifies a visitor is written.** A visitor is one bit of a set of a few
//!   hundred per query and day, chosen by a hash of the address and the query keyed anew
//!   each day (so one visitor's bits in two queries' sets are unrelated); the set estimates
//!   how many distinct visitors searched a query (linear counting: nearly always exact for a
//!   few, close for hundreds). A bit stands for a large share of all addresses, and the day's
//!   key is deleted when the day ends.
//! - **A flood counts once.** One address searching a query a thousand times sets one bit:
//!   热门搜索 ranks by distinct visitors, above a threshold, so one visitor cannot put a query
//!   there. A deny list the site edits (`deny.txt` in the folder) hides what it lists.
//! - **Bounded.** A day lists at most [`MAX_QUERIES_PER_DAY`] distinct queries of at most
//!   [`MAX_QUERY_CHARS`] characters; the rest are counted, not listed. Days older than the
//!   retention are deleted.
//! - **Crash-safe.** A day is written whole to a temporary file and renamed over the old one,
//!   a few seconds after it changed and when the server stops: a kill loses at most the last
//!   seconds, never the day.
//!
//! `day.rs` holds a day's counts and their file form, `folder.rs` the folder, `report.rs`
//! what is read back from it. Days are China's (UTC+8).

mod day;
mod folder;
mod report;

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::error::Result;
pub use report::{DayVolume, LogReport, PopularQuery, QueryCount, RewriteCount};

use day::Day;
use folder::Folder;

/// The most distinct queries listed for one day; searches for others are counted only.
pub(crate) const MAX_QUERIES_PER_DAY: usize = 10_000;
/// The longest query listed, in characters: longer ones are pasted text, counted only.
pub(crate) const MAX_QUERY_CHARS: usize = 64;
/// How long a change waits before it is written: a kill loses at most this much.
const WRITE_AFTER: Duration = Duration::from_secs(2);
/// How long the list of popular queries is kept before it is drawn again.
const POPULAR_FOR: Duration = Duration::from_secs(60);

/// How a log keeps and ranks what it counts.
#[derive(Clone, Debug)]
pub struct LogOptions {
    /// Days kept; older days' files are deleted.
    pub keep_days: u32,
    /// Days 热门搜索 and popular completions are drawn from, today included.
    pub popular_days: u32,
    /// Distinct visitors a query needs over those days to be popular.
    pub popular_visitors: u64,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            keep_days: 90,
            popular_days: 7,
            popular_visitors: 3,
        }
    }
}

/// One search, as the log counts it.
#[derive(Clone, Debug)]
pub struct Searched<'a> {
    /// The query as typed.
    pub query: &'a str,
    /// Who searched: hashed with the day's key to one bit, never kept.
    pub visitor: IpAddr,
    /// How many articles it found (those of the rewrite, when one was searched).
    pub articles: usize,
    /// The query searched instead of the typed one, if any.
    pub searched_as: Option<&'a str>,
}

/// The searches of a server, counted per day in a folder of its own.
pub struct SearchLog {
    folder: Folder,
    options: LogOptions,
    today: Mutex<Today>,
    popular: Mutex<Option<(Instant, Vec<PopularQuery>)>>,
    /// What went wrong that the server should say: a day set aside, a day not written.
    notes: Mutex<Vec<String>>,
}

/// The day being counted, its key, and whether it changed since it was written.
struct Today {
    day: Day,
    key: [u8; 16],
    changed: Option<Instant>,
}

impl SearchLog {
    /// Opens (or starts) the log in `dir`: a new or empty folder, or one a log wrote. It is
    /// refused when it holds other files or lies inside the index folder `index`, which a
    /// server only reads. Days past the retention, keys of past days and unfinished writes
    /// are removed.
    pub fn open(dir: &Path, index: Option<&Path>, options: LogOptions) -> Result<SearchLog> {
        let folder = Folder::open(dir, index)?;
        let today = crate::dates::today();
        folder.tidy(today, options.keep_days)?;
        let mut notes = Vec::new();
        let day = folder.read_day(today, &mut notes)?.unwrap_or_else(|| Day::new(today));
        let key = folder.key(today)?;
        Ok(SearchLog {
            folder,
            options,
            today: Mutex::new(Today {
                day,
                key,
                changed: None,
            }),
            popular: Mutex::new(None),
            notes: Mutex::new(notes),
        })
    }

    /// Counts one search. Never fails: a day that cannot be written is reported by
    /// [`write_if_due`](Self::write_if_due) and [`write`](Self::write).
    pub fn record(&self, searched: &Searched<'_>) {
        self.record_on(crate::dates::today(), searched);
    }

    fn record_on(&self, today: NaiveDate, searched: &Searched<'_>) {
        let mut current = self.today.lock().unwrap_or_else(PoisonError::into_inner);
        if current.day.day != today {
            self.roll_over(&mut current, today);
        }
        let key = current.key;
        current.day.count(searched, &key);
        current.changed.get_or_insert_with(Instant::now);
    }

    /// Writes the finished day and starts `today`.
    fn roll_over(&self, current: &mut Today, today: NaiveDate) {
        let mut notes = Vec::new();
        if let Err(err) = self.folder.write_day(&current.day) {
            notes.push(format!("the searches of {} were not kept: {err}", current.day.day));
        }
        if let Err(err) = self.folder.tidy(today, self.options.keep_days) {
            notes.push(format!("old days of the search log were not removed: {err}"));
        }
        current.day = match self.folder.read_day(today, &mut notes) {
            Ok(day) => day.unwrap_or_else(|| Day::new(today)),
            Err(err) => {
                notes.push(format!("the search log of {today} was not read: {err}"));
                Day::new(today)
            }
        };
        self.notes.lock().unwrap_or_else(PoisonError::into_inner).extend(notes);
        current.key = self.folder.key(today).unwrap_or_else(|_| folder::new_key());
        current.changed = None;
    }

    /// Writes today's counts if they changed more than a moment ago; the server calls it
    /// every second.
    pub fn write_if_due(&self) -> Result<()> {
        let due = {
            let current = self.today.lock().unwrap_or_else(PoisonError::into_inner);
            current.changed.is_some_and(|at| at.elapsed() >= WRITE_AFTER)
        };
        if due {
            self.write()?;
        }
        Ok(())
    }

    /// Writes today's counts now (when the server stops).
    pub fn write(&self) -> Result<()> {
        let mut current = self.today.lock().unwrap_or_else(PoisonError::into_inner);
        if current.changed.is_none() {
            return Ok(());
        }
        // Written under the lock: two writers of one day would race on its file.
        self.folder.write_day(&current.day)?;
        current.changed = None;
        Ok(())
    }

    /// What went wrong since the last call that the operator should hear of: a day file set
    /// aside, a finished day not written.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// 热门搜索: the queries most distinct visitors searched over the last days that found
    /// articles as typed, with at least the threshold of visitors, none the deny list hides.
    pub fn popular(&self, limit: usize) -> Vec<PopularQuery> {
        let mut cached = self.popular.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((at, list)) = cached.as_ref() {
            if at.elapsed() < POPULAR_FOR {
                return list.iter().take(limit).cloned().collect();
            }
        }
        let list = self.draw_popular();
        let shown = list.iter().take(limit).cloned().collect();
        *cached = Some((Instant::now(), list));
        shown
    }

    fn draw_popular(&self) -> Vec<PopularQuery> {
        let today = self.today.lock().unwrap_or_else(PoisonError::into_inner).day.clone();
        let first = today.day - chrono::Days::new(u64::from(self.options.popular_days.max(1) - 1));
        // Today's file is older than today's counts in memory.
        let mut days: Vec<Day> = self.folder.days(first, today.day).0;
        days.retain(|d| d.day != today.day);
        days.push(today);
        let deny = self.folder.deny_list();
        report::popular(&days, self.options.popular_visitors, &deny)
    }

    /// Popular queries that start with `prefix` (folded as queries are), most visitors first.
    pub fn completions(&self, prefix: &str, limit: usize) -> Vec<PopularQuery> {
        let prefix = normalise(prefix);
        if prefix.is_empty() {
            return Vec::new();
        }
        self.popular(usize::MAX)
            .into_iter()
            .filter(|p| p.query.starts_with(&prefix) && p.query != prefix)
            .take(limit)
            .collect()
    }
}

/// The first day a report covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// This many days up to today (China time), today included.
    Days(u32),
    /// This day.
    Day(NaiveDate),
}

/// What `govsearch queries` prints: the days of the log in `dir` from `since` to today.
pub fn read_log(dir: &Path, since: Since) -> Result<LogReport> {
    let folder = Folder::existing(dir)?;
    let today = crate::dates::today();
    let since = match since {
        Since::Days(days) => today - chrono::Days::new(u64::from(days.max(1) - 1)),
        Since::Day(day) => day,
    };
    let (days, unreadable) = folder.days(since, today);
    Ok(report::report(&days, since, today, unreadable))
}

/// A query as the log counts it: each word folded as the index folds text (full width,
/// case, 繁→简), words apart by one space, control characters dropped.
pub(crate) fn normalise(query: &str) -> String {
    query
        .split_whitespace()
        .map(|word| {
            word.chars()
                .filter(|c| !c.is_control())
                .filter_map(crate::text::fold_char)
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
