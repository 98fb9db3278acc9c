//! The `govsearch` command: parses arguments, calls the library, prints, picks the exit code.
//! Exit codes follow grep: 0 results, 1 no results, 2 error.

mod args;
mod bench;
mod load;
mod parity;
mod render;
mod serve;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use govsearch::{default_index_dir, Index, IndexSummary};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::{
    BenchArgs, CheckArgs, Cli, Command, EvalArgs, ExportArgs, IndexArgs, ParityArgs, ParseArgs, QueriesArgs,
    RelatedArgs, RemoveArgs, SearchArgs, StatsArgs, SuggestArgs,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(args::mark_exclusions(raw.clone())) {
        Ok(cli) => cli,
        Err(err) => return usage_error(err, &raw),
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("govsearch: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // `--index` after the command wins over `--index` before it, then $GOVSEARCH_INDEX.
    let top = cli.index;
    let location = |dir: &args::IndexDir| {
        dir.dir
            .clone()
            .or_else(|| top.clone())
            .unwrap_or_else(default_index_dir)
    };
    match cli.command {
        Command::Index(args) => index(&location(&args.index), &args),
        Command::Search(args) => search(&location(&args.index), &args),
        Command::Suggest(args) => suggest(&location(&args.index), &args),
        Command::Related(args) => related(&location(&args.index), &args),
        Command::Export(args) => export(&location(&args.index), &args),
        Command::Parity(args) => parity(&location(&args.index), &args),
        Command::Eval(args) => eval(&args),
        Command::Parse(args) => parse(&args),
        Command::Stats(args) => stats(&location(&args.index), &args),
        Command::Remove(args) => remove(&location(&args.index), &args),
        Command::Serve(args) => serve::run(&location(&args.index), &args),
        Command::Check(args) => check(&location(&args.index), &args),
        Command::Queries(args) => queries(&args),
        Command::Bench(args) => bench(&args),
    }
}

fn check(location: &std::path::Path, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let report = check_report(location)?;
    if report.is_whole() || !args.repair {
        return print_check(location, &report, args.json, !args.repair);
    }
    for damage in &report.damaged {
        eprintln!(
            "govsearch: damaged: {}: {}",
            render::sanitize(&damage.what),
            damage.problem
        );
    }
    let repaired = Index::repair(location)?;
    if let Some(problem) = &repaired.meta_restored {
        eprintln!("{problem}: put back the last list of segments govsearch committed");
    }
    eprintln!(
        "dropped {} damaged segments ({} articles); indexed again:",
        repaired.dropped.len(),
        repaired.articles_dropped
    );
    for (folder, summary) in &repaired.reindexed {
        eprintln!(
            "  {}: {} files indexed, {} unchanged",
            render::sanitize(folder),
            summary.files_indexed,
            summary.files_unchanged
        );
    }
    for folder in &repaired.folders_gone {
        eprintln!(
            "govsearch: warning: {} is gone: its articles in the dropped segments are lost",
            render::sanitize(folder)
        );
    }
    let after = check_report(location)?;
    print_check(location, &after, args.json, true)
}

/// The check's findings; damage that stops the index from opening is one of them, not a
/// failure of the check.
fn check_report(location: &std::path::Path) -> anyhow::Result<govsearch::CheckReport> {
    match open_index(location).and_then(|index| Ok(index.check()?)) {
        Ok(report) => Ok(report),
        Err(err)
            if matches!(
                err.downcast_ref::<govsearch::Error>(),
                Some(govsearch::Error::Index(_) | govsearch::Error::Damaged { .. })
            ) =>
        {
            Ok(govsearch::CheckReport {
                segments: 0,
                damaged: vec![govsearch::Damage {
                    what: location.display().to_string(),
                    problem: format!("{err:#}"),
                }],
            })
        }
        Err(err) => Err(err),
    }
}

fn print_check(
    location: &std::path::Path,
    report: &govsearch::CheckReport,
    json: bool,
    advise: bool,
) -> anyhow::Result<ExitCode> {
    if json {
        let mut out = io::stdout().lock();
        serde_json::to_writer(&mut out, report)?;
        writeln!(out)?;
    }
    if report.is_whole() {
        eprintln!(
            "the index at {} is whole: {} segments, every file matches its checksum",
            location.display(),
            report.segments
        );
        return Ok(ExitCode::SUCCESS);
    }
    for damage in &report.damaged {
        eprintln!(
            "govsearch: damaged: {}: {}",
            render::sanitize(&damage.what),
            damage.problem
        );
    }
    if advise {
        eprintln!(
            "govsearch: the index at {} is damaged: `govsearch check --repair` drops the damaged segments and indexes their files again",
            location.display()
        );
    }
    Ok(ExitCode::from(2))
}

fn remove(location: &std::path::Path, args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(location)?;
    let removed = index.remove_folder(&args.dir)?;
    eprintln!(
        "removed {} articles of {} files under {}; {} articles in {}",
        removed.articles,
        removed.files,
        render::sanitize(&removed.path.to_string_lossy()),
        index.num_articles(),
        index.location().display()
    );
    Ok(ExitCode::SUCCESS)
}

fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let mix = match &args.serve_queries {
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
            let lines: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            anyhow::ensure!(!lines.is_empty(), "{} holds no query", file.display());
            Some(lines)
        }
        None => None,
    };
    let server = bench::Server {
        seconds: args.serve,
        soak: args.soak,
        queries: mix,
        backend: args.backend.clone(),
        cluster_layout: args.cluster_layout.clone(),
        connections: args.connections,
    };
    let report = bench::run(&args.dir, args.queries, args.runs, &server, |step| {
        eprintln!("govsearch: {step}…")
    })?;
    print_report(args.json, &report, || report.to_text())?;
    Ok(ExitCode::SUCCESS)
}

fn parse(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let options = args.read.to_options().map_err(anyhow::Error::msg)?;
    let read = govsearch::read_file(&args.file, &options)?;
    // One JSON object, written record by record: a file of a million records is printed
    // without building its whole tree first.
    let mut out = io::BufWriter::new(io::stdout().lock());
    writeln!(out, "{{")?;
    writeln!(
        out,
        "  \"path\": {},",
        serde_json::to_string(&args.file.to_string_lossy())?
    )?;
    writeln!(out, "  \"layout\": {},", serde_json::to_string(&read.layout)?)?;
    writeln!(out, "  \"encoding\": {},", serde_json::to_string(&read.encoding)?)?;
    writeln!(out, "  \"records\": [")?;
    for (i, record) in read.records.iter().enumerate() {
        let separator = if i + 1 < read.records.len() { "," } else { "" };
        let line = match record {
            Ok(article) => serde_json::json!({ "article": article }),
            Err(reason) => serde_json::json!({ "skipped": reason }),
        };
        writeln!(out, "    {}{separator}", serde_json::to_string(&line)?)?;
    }
    writeln!(out, "  ]\n}}")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn stats(location: &std::path::Path, args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let stats = open_searched(location, &args.backend)?.stats()?;
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &stats)?;
        writeln!(out)?;
    } else {
        render::stats(&mut out, &stats)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let options = govsearch::eval::EvalOptions {
        per_kind: args.queries,
        seed: args.seed,
        backend: args.backend.clone(),
    };
    let report = govsearch::eval::evaluate(&args.dir, &options, |step| eprintln!("govsearch: {step}…"))?;
    print_report(args.json, &report, || report.to_table())?;
    Ok(ExitCode::SUCCESS)
}

fn index(location: &std::path::Path, args: &IndexArgs) -> anyhow::Result<ExitCode> {
    // A bad folder or dictionary is reported before an index is created for it.
    if let Err(err) = check_folder(&args.dir) {
        return Err(gone_folder_hint(location, &args.dir, err));
    }
    if let Some(dict) = &args.dict {
        govsearch::check_user_dictionary(dict)?;
    }
    if let Some(table) = &args.synonyms {
        govsearch::check_synonyms(table)?;
    }
    let mut index =
        Index::open_or_create(location).with_context(|| format!("cannot open the index at {}", location.display()))?;
    index.set_auto_reload(false)?;
    if let Some(dict) = &args.dict {
        index.set_user_dictionary(dict)?;
    }
    if let Some(table) = &args.synonyms {
        index.set_synonyms(table)?;
    }
    let options = govsearch::IndexOptions {
        read: args.read.to_options().map_err(anyhow::Error::msg)?,
        commit_every: args.commit_every,
        threads: args.threads.map(usize::from),
        ..govsearch::IndexOptions::default()
    };
    let mut report = match &args.report {
        Some(path) => {
            Some(io::BufWriter::new(std::fs::File::create(path).with_context(|| {
                format!("cannot write the report {}", path.display())
            })?))
        }
        None => None,
    };
    let mut report_error = None;
    let bar = progress_bar();
    let summary: IndexSummary = index.index_folder_with(&args.dir, &options, |progress| {
        if let Some(bar) = &bar {
            bar.set_length(progress.total as u64);
            bar.set_position(progress.done as u64);
        }
        if let Some(out) = report.as_mut().filter(|_| report_error.is_none()) {
            let written = serde_json::to_writer(&mut *out, &progress.file).map_err(io::Error::from);
            if let Err(err) = written.and_then(|()| out.write_all(b"\n")) {
                report_error = Some(err);
            }
        }
    })?;
    if let Some(err) = report_error {
        return Err(anyhow::Error::new(err).context("cannot write the report"));
    }
    if let Some(mut out) = report {
        out.flush().context("cannot write the report")?;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    render::index_summary(&mut io::stderr().lock(), &summary, index.location(), args.verbose)?;
    if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The index at `location`, for one command: it need not watch for other processes' commits.
fn open_index(location: &std::path::Path) -> anyhow::Result<Index> {
    let mut index = Index::open(location).map_err(|err| match err {
        govsearch::Error::NoIndex { .. } => anyhow::anyhow!("{err}: run `govsearch index <DIR>` first"),
        other => other.into(),
    })?;
    index.set_auto_reload(false)?;
    Ok(index)
}

/// The index a searching command reads: the cluster's when one is asked for, else the local
/// one.
fn open_searched(location: &std::path::Path, backend: &args::BackendArgs) -> anyhow::Result<Index> {
    match backend.cluster() {
        Some((url, name)) => Ok(Index::connect(url, name)?),
        None => open_index(location),
    }
}

/// `govsearch export`: the index sent to a cluster, with a progress bar on a terminal.
fn export(location: &std::path::Path, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(location)?;
    let origin = args.origin.clone().unwrap_or_else(|| default_origin(location));
    let options = govsearch::ExportOptions {
        name: args.name.clone(),
        shards: args.shards,
        replicas: args.replicas,
        origin,
        replace: args.replace,
    };
    let bar = if io::stderr().is_terminal() {
        let bar = ProgressBar::new(index.num_articles());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} articles {per_sec} {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let started = std::time::Instant::now();
    let summary = index.export(&args.to, &options, |progress| {
        if let Some(bar) = &bar {
            bar.set_position(progress.done);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let mut json = serde_json::to_value(&summary)?;
        json["seconds"] = serde_json::json!((seconds * 1000.0).round() / 1000.0);
        println!("{json}");
    } else {
        eprintln!(
            "exported {} articles to {} in {:.1} s: {} sent, {} unchanged, {} deleted{}",
            summary.articles,
            args.name,
            seconds,
            summary.sent,
            summary.unchanged,
            summary.deleted,
            if summary.created { " (index made)" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A report on stdout: one JSON object, or its text.
fn print_report(json: bool, report: &impl serde::Serialize, text: impl FnOnce() -> String) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", text())?;
    }
    Ok(())
}

/// `govsearch parity`: the local index against its export.
fn parity(location: &std::path::Path, args: &ParityArgs) -> anyhow::Result<ExitCode> {
    let Some((url, name)) = args.backend.cluster() else {
        anyhow::bail!("parity compares the local index with a cluster: give --backend URL");
    };
    let local = open_index(location)?;
    let cluster = Index::connect(url, name)?;
    let (articles, _) = govsearch::eval::read_corpus(&args.dir)?;
    let queries: Vec<(String, String)> = govsearch::eval::sample_queries(&articles, args.queries, args.seed)
        .into_iter()
        .map(|(kind, text)| (kind.name().to_string(), text))
        .collect();
    if queries.is_empty() {
        anyhow::bail!("no queries could be sampled from {}", args.dir.display());
    }
    let report = parity::compare(&local, &cluster, &queries)?;
    print_report(args.json, &report, || report.to_table())?;
    Ok(if report.alike() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// An origin for this machine's export of the index at `location`: the same on every run,
/// and naming neither the machine nor the folder.
fn default_origin(location: &std::path::Path) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_default();
    let folder = std::fs::canonicalize(location).unwrap_or_else(|_| location.to_path_buf());
    let mut key = host.trim().as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(folder.as_os_str().as_encoded_bytes());
    let hash = siphasher::sip::SipHasher13::new().hash(&key);
    format!("{hash:016x}")
}

/// Why `dir` cannot be indexed, if it cannot.
fn check_folder(dir: &std::path::Path) -> anyhow::Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => anyhow::bail!("cannot index {}: not a folder", dir.display()),
        Err(err) => anyhow::bail!("cannot index {}: {}", dir.display(), err.to_string().to_lowercase()),
    }
}

/// `err` about a folder to index, with a hint when the index holds articles of it from before
/// (the folder was moved or deleted).
fn gone_folder_hint(location: &std::path::Path, dir: &std::path::Path, err: anyhow::Error) -> anyhow::Error {
    let Ok(index) = Index::open(location) else {
        return err;
    };
    let Ok(absolute) = std::path::absolute(dir) else {
        return err;
    };
    if index.folders().iter().any(|f| f.starts_with(&absolute)) {
        let shown = render::sanitize(&absolute.to_string_lossy()).into_owned();
        return anyhow::anyhow!(
            "{err:#}; the index still holds the articles it read from {shown} before: `govsearch remove {shown}` takes them out"
        );
    }
    err
}

/// A progress bar on stderr, only when stderr is a terminal.
fn progress_bar() -> Option<ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} files, {per_sec}, {eta} left")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

fn related(location: &std::path::Path, args: &RelatedArgs) -> anyhow::Result<ExitCode> {
    let index = open_searched(location, &args.backend)?;
    let file = std::path::Path::new(&args.article);
    let id = if file.is_file() {
        let ids = index.ids_of_file(file)?;
        match ids.as_slice() {
            [] => anyhow::bail!(
                "{} is not in the index at {}: index its folder first",
                render::sanitize(&args.article),
                location.display()
            ),
            [one] => one.clone(),
            several => {
                eprintln!(
                    "govsearch: {} holds {} articles; related to the first (give an id from search --json for another)",
                    render::sanitize(&args.article),
                    several.len()
                );
                several[0].clone()
            }
        }
    } else {
        args.article.clone()
    };
    let Some(hits) = index.related(&id, args.limit)? else {
        anyhow::bail!(
            "no article has the id {}: it changed or was removed since the search that gave it (or it is a file that does not exist)",
            render::sanitize(&args.article)
        );
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        for hit in &hits {
            serde_json::to_writer(&mut out, hit)?;
            writeln!(out)?;
        }
    } else {
        let text = render::Text {
            color: args.color.resolve(),
        };
        text.hits(&mut out, &hits)?;
    }
    out.flush()?;
    if hits.is_empty() {
        eprintln!("no related articles");
    }
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn suggest(location: &std::path::Path, args: &SuggestArgs) -> anyhow::Result<ExitCode> {
    let index = open_searched(location, &args.backend)?;
    let suggestions = index.suggest(&args.prefix, args.limit)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        serde_json::to_writer(&mut out, &suggestions)?;
        writeln!(out)?;
    } else {
        for suggestion in &suggestions {
            writeln!(out, "{}\t{}", render::sanitize(&suggestion.text), suggestion.articles)?;
        }
    }
    out.flush()?;
    Ok(if suggestions.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn queries(args: &QueriesArgs) -> anyhow::Result<ExitCode> {
    let since = args.since.trim();
    let since = match since.strip_suffix('d').map(str::parse::<u32>) {
        Some(Ok(days)) => govsearch::Since::Days(days),
        _ => govsearch::Since::Day(govsearch::DateRange::parse(since)?.start.date_naive()),
    };
    let report = govsearch::read_search_log(&args.state, since)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        let mut shown = report.clone();
        shown.top.truncate(args.limit);
        shown.found_nothing.truncate(args.limit);
        shown.rewrites.truncate(args.limit);
        serde_json::to_writer(&mut out, &shown)?;
        writeln!(out)?;
    } else {
        render::search_log(&mut out, &report, args.limit)?;
    }
    out.flush()?;
    Ok(if report.days.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn search(location: &std::path::Path, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let index = open_searched(location, &args.backend)?;
    let query = args.query_text();
    let request = args.to_request().map_err(anyhow::Error::msg)?;
    let results = index.search(&request)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        render::json(&mut out, &query, &results)?;
    } else {
        let text = render::Text {
            color: args.color.resolve(),
        };
        text.hits(&mut out, &results.hits)?;
        if args.facets {
            text.facets(&mut out, &results.facets)?;
        }
    }
    out.flush()?;
    render::rewrites(&mut io::stderr().lock(), &query, &results)?;
    render::unmatched_filters(&mut io::stderr().lock(), &results.unmatched_filters)?;
    let shown = results.hits.len();
    // Reprints count once: pages are pages of releases.
    let releases = results.releases;
    let plural = if releases == 1 { "" } else { "s" };
    let searched = results
        .searched_as
        .as_ref()
        .map_or(query.as_str(), |r| r.query.as_str());
    let query = match args.within.as_slice() {
        [] => render::sanitize(searched).into_owned(),
        within => format!(
            "{} within {}",
            render::sanitize(searched),
            within
                .iter()
                .map(|w| render::sanitize(w))
                .collect::<Vec<_>>()
                .join(" / ")
        ),
    };
    let copies = if releases < results.total {
        format!("; {} articles counting reprints", results.total)
    } else {
        String::new()
    };
    let past_end = shown == 0 && releases > 0 && args.limit > 0;
    if past_end {
        // Said even with --json: a script paging past the end learns why the page is empty.
        eprintln!(
            "{releases} result{plural} for {query}: --offset {} is past the end (the last is result {releases})",
            args.offset
        );
    } else if !args.json {
        let first = if shown == 0 { 0 } else { args.offset + 1 };
        eprintln!(
            "{releases} result{plural} for {query} (showing {first}–{}{copies})",
            args.offset + shown
        );
    }
    Ok(if shown > 0 || (results.total > 0 && args.limit == 0) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Prints clap's error, or help, and picks its exit code. clap names an unknown short option
/// by its first character (`-营` for `-营商`): the message quotes the whole word instead.
fn usage_error(err: clap::Error, raw: &[std::ffi::OsString]) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() == ErrorKind::UnknownArgument {
        if let Some(ContextValue::String(invalid)) = err.get(ContextKind::InvalidArg) {
            let whole = raw
                .iter()
                .filter_map(|a| a.to_str())
                .find(|a| a.starts_with(invalid.as_str()) && a.len() > invalid.len());
            if let Some(whole) = whole {
                eprintln!(
                    "error: unexpected argument '{whole}' found\n\n  tip: to pass '{whole}' as a value, use '-- {whole}'\n\nFor more information, try '--help'."
                );
                return ExitCode::from(2);
            }
        }
    }
    let _ = err.print();
    ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2))
}

/// A write to a closed pipe (`govsearch search … | head`) is a normal end.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        let kind = e.downcast_ref::<io::Error>().map(io::Error::kind).or_else(|| {
            e.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
        });
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}
