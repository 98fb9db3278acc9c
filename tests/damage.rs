//! A damaged index never panics and never answers wrongly in silence; `repair` makes it whole.
//!
//! Each file of a small index (three segments, one with deletions) is truncated, zeroed and
//! flipped at several places, and removed; each damaged copy is opened, searched, indexed
//! into, checked and repaired:
//!
//! - nothing panics;
//! - a search answers as the undamaged index does, or fails with the "damaged" error; where a
//!   search reads damage no checksum was asked about (the middle of a large file), `check`
//!   finds it;
//! - damage in the files every open verifies never reaches an answer;
//! - after `repair`, every article is found again and `check` finds the index whole.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use govsearch::{Error, Index, IndexOptions, SearchRequest, Sort};

/// Queries that read every kind of file: title and body grams (a character, a string, an
/// exclusion), title words, field norms (scores), stored articles (snippets), facets, dates.
const QUERIES: [&str; 5] = ["峄城", "\"会议\"", "产业 -振兴", "召", "*"];

fn request(query: &str) -> SearchRequest {
    let request = SearchRequest::new(query).limit(100);
    if query == "*" {
        request.sort(Sort::Date)
    } else {
        request
    }
}

/// Each query's whole answer, as JSON (scores, snippets and facet counts included).
fn answers(index: &Index) -> Result<Vec<String>, Error> {
    QUERIES
        .iter()
        .map(|q| index.search(&request(q)).map(|r| serde_json::to_string(&r).unwrap()))
        .collect()
}

/// Each query's matches, as paths: what a repair must give back, whatever the segments.
fn found(index: &Index) -> Vec<BTreeSet<String>> {
    QUERIES
        .iter()
        .map(|q| {
            let results = index.search(&request(q).all_copies(true).as_typed(true)).unwrap();
            results.hits.into_iter().map(|h| h.path).collect()
        })
        .collect()
}

/// The corpus in three folders of one index: four segments; a changed file leaves a
/// deleted article behind in the first.
fn build(root: &Path) -> (std::path::PathBuf, Vec<std::path::PathBuf>) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let index_dir = root.join("index");
    let mut folders = Vec::new();
    for year in ["2021", "2022", "2023"] {
        let folder = root.join(year);
        common::copy_dir(&corpus.join(year), &folder);
        folders.push(folder);
    }
    let index = Index::open_or_create(&index_dir).unwrap();
    // One indexing thread: a segment a run, too few for the merge policy to merge.
    let options = IndexOptions {
        threads: Some(1),
        ..IndexOptions::default()
    };
    for folder in &folders {
        index.index_folder_with(folder, &options, |_| {}).unwrap();
    }
    let changed = folders[0].join("0105.txt");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, format!("{text}\n补充说明。\n")).unwrap();
    index.index_folder_with(&folders[0], &options, |_| {}).unwrap();
    (index_dir, folders)
}

#[derive(Clone, Copy, Debug)]
enum Harm {
    Truncate,
    Zero,
    Flip,
    Remove,
}

/// `harm` done to `file` at `at` (a fraction of its length).
fn damage(file: &Path, harm: Harm, at: f64) {
    let mut bytes = std::fs::read(file).unwrap();
    let place = ((bytes.len() as f64 * at) as usize).min(bytes.len().saturating_sub(1));
    match harm {
        Harm::Truncate => bytes.truncate(place),
        Harm::Zero => {
            let end = (place + 16).min(bytes.len());
            bytes[place..end].fill(0);
        }
        Harm::Flip => {
            if let Some(b) = bytes.get_mut(place) {
                *b ^= 0x5A;
            }
        }
        Harm::Remove => {
            std::fs::remove_file(file).unwrap();
            return;
        }
    }
    std::fs::write(file, bytes).unwrap();
}

fn is_damage(err: &Error) -> bool {
    matches!(err, Error::Damaged { .. } | Error::IncompatibleIndex { .. })
}

/// Every file of the index harmed with `harm` at each of `places`, one copy a case.
fn harm_every_file(harm: Harm, places: &[f64]) {
    let root = tempfile::tempdir().unwrap();
    let (index_dir, _folders) = build(root.path());
    let pristine_index = Index::open(&index_dir).unwrap();
    let pristine = answers(&pristine_index).unwrap();
    let pristine_found = found(&pristine_index);
    assert!(
        pristine_found.iter().all(|f| !f.is_empty()),
        "every query finds something"
    );
    assert!(pristine_index.check().unwrap().is_whole());
    drop(pristine_index);

    let mut files: Vec<String> = std::fs::read_dir(&index_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with(".tantivy"))
        .collect();
    files.sort();
    let kinds: BTreeSet<&str> = files.iter().filter_map(|f| f.rsplit('.').next()).collect();
    for kind in [
        "idx",
        "pos",
        "term",
        "store",
        "fast",
        "fieldnorm",
        "bgram",
        "bgdict",
        "del",
        "bin",
    ] {
        assert!(kinds.contains(kind), "no .{kind} file to damage: {kinds:?}");
    }

    let (mut refused, mut found_by_check, mut repaired) = (0, 0, 0);
    // Cases by what a search made of them: an error, the clean answers, other answers.
    let mut outcomes: std::collections::BTreeMap<String, [usize; 3]> = Default::default();
    for file in &files {
        for &at in places {
            let case = format!("{harm:?} {file} at {at}");
            let copy = tempfile::tempdir().unwrap();
            common::copy_dir(&index_dir, copy.path());
            damage(&copy.path().join(file), harm, at);
            let verified_on_open = file.ends_with(".fieldnorm") || file.ends_with(".del");
            let kind = file.rsplit('.').next().unwrap_or_default().to_string();
            let outcome = &mut outcomes.entry(kind).or_default();
            match Index::open(copy.path()) {
                Err(err) => {
                    assert!(is_damage(&err), "{case}: opening said {err:?}");
                    refused += 1;
                    outcome[0] += 1;
                }
                Ok(index) => {
                    let answered = answers(&index);
                    outcome[match &answered {
                        Err(_) => 0,
                        Ok(a) if *a == pristine => 1,
                        Ok(_) => 2,
                    }] += 1;
                    if let Err(err) = &answered {
                        assert!(is_damage(err), "{case}: a search said {err:?}");
                    }
                    let wrong = answered.as_ref().is_ok_and(|a| *a != pristine);
                    assert!(
                        !(wrong && verified_on_open),
                        "{case}: an answer from a file every open verifies"
                    );
                    // Indexing into it goes on or stops with the damage named.
                    if let Err(err) = index.index_folder(root.path().join("2022"), |_| {}) {
                        assert!(is_damage(&err), "{case}: indexing said {err:?}");
                    }
                    match index.check() {
                        Ok(report) => {
                            assert!(
                                !(wrong && report.is_whole()),
                                "{case}: a wrong answer check does not see"
                            );
                            found_by_check += usize::from(!report.is_whole());
                        }
                        Err(err) => assert!(is_damage(&err), "{case}: check said {err:?}"),
                    }
                }
            }
            match Index::repair(copy.path()) {
                Ok(_) => {
                    let index = Index::open(copy.path()).unwrap_or_else(|err| panic!("{case}: after repair: {err}"));
                    assert!(index.check().unwrap().is_whole(), "{case}: whole after repair");
                    assert_eq!(found(&index), pristine_found, "{case}: every article back after repair");
                    repaired += 1;
                }
                Err(err) => {
                    eprintln!("NOT REPAIRED {case}: {err}");
                    assert!(is_damage(&err), "{case}: repair said {err:?}")
                }
            }
        }
    }
    let total = files.len() * places.len();
    for (kind, [error, same, other]) in &outcomes {
        eprintln!("{harm:?} .{kind}: {error} refused, {same} answered as the clean index, {other} answered otherwise");
    }
    assert!(
        repaired == total,
        "repaired {repaired} of {total} (refused on open {refused}, found by check {found_by_check})"
    );
}

#[test]
fn truncated_files_are_errors_and_repaired() {
    harm_every_file(Harm::Truncate, &[0.5, 0.999]);
}

#[test]
fn zeroed_bytes_are_errors_or_found_and_repaired() {
    harm_every_file(Harm::Zero, &[0.0, 0.5]);
}

#[test]
fn flipped_bytes_are_errors_or_found_and_repaired() {
    harm_every_file(Harm::Flip, &[0.3, 0.9999]);
}

#[test]
fn missing_files_are_errors_and_repaired() {
    harm_every_file(Harm::Remove, &[0.0]);
}

/// A damaged segment that a merge would read is verified first and left out: the run that
/// found it says so, and the segment's damage is never copied into a new one.
#[test]
fn a_merge_never_reads_a_damaged_segment() {
    let root = tempfile::tempdir().unwrap();
    let (index_dir, folders) = build(root.path());
    let bgram = std::fs::read_dir(&index_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "bgram"))
        .unwrap();
    damage(&bgram, Harm::Flip, 0.5);
    let index = Index::open(&index_dir).unwrap();
    // Eight more segments make the merge policy merge.
    let mut outcome = Ok(());
    for round in 0..8 {
        let folder = root.path().join(format!("more{round}"));
        common::copy_dir(&folders[1], &folder);
        if let Err(err) = index.index_folder(&folder, |_| {}) {
            outcome = Err(err);
            break;
        }
    }
    let err = outcome.expect_err("the damaged segment was found when a merge wanted it");
    assert!(matches!(err, Error::Damaged { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&bgram.file_name().unwrap().to_string_lossy().into_owned()),
        "{err}"
    );
    assert!(bgram.exists(), "the damaged segment was not merged away");
    drop(index);
    Index::repair(&index_dir).unwrap();
    assert!(Index::open(&index_dir).unwrap().check().unwrap().is_whole());
}

/// The tables kept in the index folder (user dictionary, synonyms) are read only as they were
/// kept: a changed byte or a deleted table is damage that names the file and says how to put
/// it back, never a search that answers differently in silence; put back, the index answers
/// as before.
#[test]
fn a_changed_or_deleted_table_is_damage_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("index");
    let dict = dir.path().join("dict.txt");
    std::fs::write(&dict, "满意峄城 20 nz\n五比五看\n").unwrap();
    let synonyms = dir.path().join("synonyms.txt");
    std::fs::write(&synonyms, "满意 => 满意度, 称心\n").unwrap();
    {
        let mut index = Index::open_or_create(&at).unwrap();
        index.set_user_dictionary(&dict).unwrap();
        index.set_synonyms(&synonyms).unwrap();
        index
            .index_folder(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"), |_| {})
            .unwrap();
    }
    let before = answers(&Index::open(&at).unwrap()).unwrap();
    for name in ["user_dictionary.txt", "synonyms.txt"] {
        let file = at.join(name);
        let kept = std::fs::read(&file).unwrap();
        let mut flipped = kept.clone();
        // 峄 → 峅: one bit of one character.
        let at_char = flipped.windows(3).position(|w| w == "峄".as_bytes()).unwrap_or(0);
        flipped[at_char + 2] ^= 0x01;
        for (harm, bytes) in [("changed", Some(flipped)), ("deleted", None)] {
            match &bytes {
                Some(bytes) => std::fs::write(&file, bytes).unwrap(),
                None => std::fs::remove_file(&file).unwrap(),
            }
            let opened = Index::open(&at).and_then(|index| answers(&index).map(drop));
            match opened {
                Err(Error::Damaged { detail, .. }) => {
                    assert!(detail.contains(name), "{name} {harm}: {detail}");
                    assert!(detail.contains("put back"), "{name} {harm}: {detail}");
                }
                other => panic!("{name} {harm}: {other:?}"),
            }
            let repaired = Index::repair(&at);
            assert!(
                matches!(repaired, Err(Error::Damaged { .. })),
                "{name} {harm}: repair must say which file"
            );
            std::fs::write(&file, &kept).unwrap();
            assert_eq!(answers(&Index::open(&at).unwrap()).unwrap(), before, "{name} put back");
        }
    }
}

/// A `meta.json` changed so that it still parses, the way a careless edit or a bad sector
/// does: a segment's deletions dropped (removed articles would come back) or a segment named
/// twice (its articles counted twice). Either is damage, never an answer; `repair` drops
/// the segment and indexes its files again, and the index answers as the clean one.
#[test]
fn a_segment_list_changed_in_meta_json_is_damage_and_repaired() {
    // The matches, as paths in the folder each index was built from.
    let relative = |root: &Path, found: Vec<BTreeSet<String>>| -> Vec<BTreeSet<String>> {
        let root = std::fs::canonicalize(root).unwrap().to_string_lossy().into_owned();
        found
            .into_iter()
            .map(|paths| paths.into_iter().map(|p| p.replace(&root, "")).collect())
            .collect()
    };
    let clean = tempfile::tempdir().unwrap();
    let (clean_index, _) = build(clean.path());
    let expected = relative(clean.path(), found(&Index::open(&clean_index).unwrap()));
    for edit in ["deletions dropped", "segment twice"] {
        let dir = tempfile::tempdir().unwrap();
        let (at, _) = build(dir.path());
        let path = at.join("meta.json");
        let mut meta: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let segments = meta["segments"].as_array_mut().unwrap();
        match edit {
            "deletions dropped" => {
                let with = segments
                    .iter_mut()
                    .find(|s| !s["deletes"].is_null())
                    .expect("a segment with deletions");
                let deletes = with.as_object_mut().unwrap().remove("deletes").unwrap();
                with["deletef"] = deletes;
            }
            _ => {
                let first = segments[0].clone();
                segments.push(first);
            }
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&meta).unwrap()).unwrap();
        match Index::open(&at).and_then(|index| answers(&index)) {
            Err(Error::Damaged { detail, .. }) => assert!(detail.contains("meta.json"), "{edit}: {detail}"),
            other => panic!("{edit}: {other:?}"),
        }
        Index::repair(&at).unwrap();
        let index = Index::open(&at).unwrap();
        assert_eq!(relative(dir.path(), found(&index)), expected, "{edit}");
        assert!(index.check().unwrap().damaged.is_empty(), "{edit}");
    }
}

/// `govsearch` with `args` over the index at `index`, without the environment that would
/// change what it reads.
fn govsearch(index: &Path, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_govsearch"));
    command
        .env_remove("GOVSEARCH_INDEX")
        .arg("--index")
        .arg(index)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// A repair is a transaction: killed (SIGKILL) at ten points from its start to its end, it
/// leaves an index that still holds every article of its undamaged segments, that `check`
/// never calls whole unless every article is back, and that the next `check --repair` makes
/// whole with every article.
#[test]
fn a_repair_killed_at_any_point_is_named_by_check_and_finished_by_the_next() {
    const FILES: usize = 2000;
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for i in 0..FILES {
        let text = format!("第{i}号通知\n2023-01-01 来源:县政府网站\n这是第{i}号通知的正文，编号{i}。\n");
        std::fs::write(corpus.join(format!("{i:05}.txt")), text).unwrap();
    }
    let clean = dir.path().join("clean");
    let indexed = govsearch(&clean, &["index", "--threads", "1", "--commit-every", "500"])
        .arg(&corpus)
        .status()
        .unwrap();
    assert!(indexed.success());
    // The copy to repair: the largest segment's stored articles damaged.
    let damaged_copy = |to: &Path| -> u64 {
        let _ = std::fs::remove_dir_all(to);
        common::copy_dir(&clean, to);
        let largest = std::fs::read_dir(to)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "store"))
            .max_by_key(|p| std::fs::metadata(p).unwrap().len())
            .unwrap();
        damage(&largest, Harm::Flip, 0.5);
        let segment = largest.file_stem().unwrap().to_string_lossy().into_owned();
        let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(to.join("meta.json")).unwrap()).unwrap();
        let in_damaged: u64 = meta["segments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["segment_id"].as_str().unwrap().replace('-', "") == segment)
            .map(|s| s["max_doc"].as_u64().unwrap())
            .sum();
        FILES as u64 - in_damaged
    };
    let articles = |at: &Path| Index::open(at).map(|index| index.num_articles());
    let work = dir.path().join("work");
    damaged_copy(&work);
    let started = std::time::Instant::now();
    assert!(govsearch(&work, &["check", "--repair"]).status().unwrap().success());
    let whole = started.elapsed();
    assert_eq!(articles(&work).unwrap(), FILES as u64);

    for point in 0..10 {
        let undamaged = damaged_copy(&work);
        let mut repair = govsearch(&work, &["check", "--repair"]).spawn().unwrap();
        std::thread::sleep(whole * point / 10);
        repair.kill().unwrap();
        repair.wait().unwrap();
        let checked = govsearch(&work, &["check"]).status().unwrap();
        eprintln!("killed at {point}/10: check {checked}, {:?} articles", articles(&work));
        match articles(&work) {
            Ok(n) => {
                assert!(n >= undamaged, "point {point}: {n} articles, {undamaged} undamaged");
                assert!(
                    !checked.success() || n == FILES as u64,
                    "point {point}: check calls an index of {n} articles whole"
                );
            }
            Err(err) => assert!(is_damage(&err) && !checked.success(), "point {point}: {err:?}"),
        }
        assert!(
            govsearch(&work, &["check", "--repair"]).status().unwrap().success(),
            "point {point}"
        );
        assert_eq!(articles(&work).unwrap(), FILES as u64, "point {point}");
        assert!(
            govsearch(&work, &["check"]).status().unwrap().success(),
            "point {point}"
        );
    }
}
