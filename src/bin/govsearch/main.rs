//! The `govsearch` command: parses arguments, calls the library, prints, picks the exit code.
//! Exit codes follow grep: 0 results, 1 no results, 2 error.

mod args;
mod bench;
mod render;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use govsearch::{default_index_dir, Index, IndexSummary};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::{BenchArgs, Cli, Command, EvalArgs, IndexArgs, ParseArgs, SearchArgs, StatsArgs};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    let location = cli.index.unwrap_or_else(default_index_dir);
    match cli.command {
        Command::Index(args) => index(&location, &args),
        Command::Search(args) => search(&location, &args),
        Command::Eval(args) => eval(&args),
        Command::Parse(args) => parse(&args),
        Command::Stats(args) => stats(&location, &args),
        Command::Bench(args) => bench(&args),
    }
}

fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let report = bench::run(&args.dir, args.queries, args.runs, |step| {
        eprintln!("govsearch: {step}…")
    })?;
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report.to_text())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn parse(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let options = args.read.to_options().map_err(anyhow::Error::msg)?;
    let read = govsearch::read_file(&args.file, &options)
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", args.file.display()))?;
    let records: Vec<serde_json::Value> = read
        .records
        .iter()
        .map(|record| match record {
            Ok(article) => serde_json::json!({ "article": article }),
            Err(reason) => serde_json::json!({ "skipped": reason }),
        })
        .collect();
    let out = serde_json::json!({
        "path": args.file.display().to_string(),
        "layout": read.layout,
        "encoding": read.encoding,
        "records": records,
    });
    let mut stdout = io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &out)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}

fn stats(location: &std::path::Path, args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let stats = Index::open(location)?.stats()?;
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
    };
    let report = govsearch::eval::evaluate(&args.dir, &options, |step| eprintln!("govsearch: {step}…"))?;
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report.to_table())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn index(location: &std::path::Path, args: &IndexArgs) -> anyhow::Result<ExitCode> {
    // A bad folder is reported before an index is created for it.
    govsearch::check_folder(&args.dir)?;
    let mut index =
        Index::open_or_create(location).with_context(|| format!("cannot open the index at {}", location.display()))?;
    if let Some(dict) = &args.dict {
        index.set_user_dictionary(dict)?;
    }
    let options = govsearch::IndexOptions {
        read: args.read.to_options().map_err(anyhow::Error::msg)?,
        commit_every: args.commit_every,
        threads: args.threads.map(usize::from),
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
    render::index_summary(&mut io::stderr().lock(), &summary, index.location())?;
    if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
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

fn search(location: &std::path::Path, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let index = Index::open(location)?;
    let query = args.query_text();
    let results = index.search(&args.to_request())?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        render::json(&mut out, &query, &results)?;
    } else {
        let text = render::Text {
            color: args.color.resolve(),
        };
        text.hits(&mut out, &results)?;
        if args.facets {
            text.facets(&mut out, &results.facets)?;
        }
    }
    out.flush()?;
    if !args.json {
        let shown = results.hits.len();
        let first = if shown == 0 { 0 } else { args.offset + 1 };
        eprintln!(
            "{} result{} for {} (showing {}–{})",
            results.total,
            if results.total == 1 { "" } else { "s" },
            render::sanitize(&query),
            first,
            args.offset + shown
        );
    }
    Ok(if results.total > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
