//! Command-line arguments in two stages: what the user typed ([`Cli`]), then the options the
//! library understands ([`SearchArgs::to_request`]).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use govsearch::{DateRange, SearchRequest, Sort};

/// Search Chinese government releases: index a folder, then search it with ranked,
/// highlighted and faceted results.
#[derive(Debug, Parser)]
#[command(name = "govsearch", version, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 results found (or indexing done), 1 no results, 2 error.")]
pub(crate) struct Cli {
    /// Index folder [default: $XDG_DATA_HOME/govsearch/index, else ~/.local/share/govsearch/index]
    #[arg(long, global = true, env = govsearch::INDEX_ENV, value_name = "DIR")]
    pub(crate) index: Option<PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Index every article file under a folder (recursively); run again to bring the index up
    /// to date (new and changed files read, unchanged skipped, deleted removed)
    Index(IndexArgs),
    /// Search the index
    Search(SearchArgs),
    /// Measure search quality on a corpus folder against brute-force truth, beside the
    /// classic jieba-word and character-bigram configurations (builds its own indexes in memory)
    Eval(EvalArgs),
    /// Print the article(s) read from one file as JSON, to check a new source before indexing
    Parse(ParseArgs),
    /// Print what the index holds: articles, files, layouts, sources, dates, size, last update
    Stats(StatsArgs),
    /// Measure indexing and query speed and memory on a corpus folder, beside baselines
    /// measured in the same run (builds its indexes in a temporary folder)
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// Corpus folder
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// Sample queries of each kind (plus a filtered copy of every fifth)
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub(crate) queries: usize,

    /// Time each indexing step (segmentation, reference indexers, govsearch index) N times
    /// and report the fastest: on a shared machine, the run least disturbed by others
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) runs: u32,

    /// Print the figures as one JSON object
    #[arg(long)]
    pub(crate) json: bool,
}

/// How files are read: shared by `index` and `parse`.
#[derive(Debug, Args)]
pub(crate) struct ReadArgs {
    /// Read every file in this layout instead of detecting it per file
    #[arg(long, value_name = "LAYOUT", value_parser = ["text", "html", "json", "xml"])]
    pub(crate) layout: Option<String>,

    /// Where a field of JSON records is, as FIELD=PATH (dotted for nested objects), e.g.
    /// body=detail.content; repeat for several fields
    #[arg(long = "field", value_name = "FIELD=PATH")]
    pub(crate) fields: Vec<String>,
}

impl ReadArgs {
    /// The library's read options.
    pub(crate) fn to_options(&self) -> Result<govsearch::ReadOptions, String> {
        let mut options = govsearch::ReadOptions {
            layout: self.layout.as_deref().map(str::parse).transpose()?,
            ..Default::default()
        };
        for spec in &self.fields {
            options.fields.set(spec)?;
        }
        Ok(options)
    }
}

#[derive(Debug, Args)]
pub(crate) struct ParseArgs {
    /// The file
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,

    #[command(flatten)]
    pub(crate) read: ReadArgs,
}

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// Print the figures as one JSON object
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// Corpus folder (.txt files in the release layout)
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// Queries of each kind
    #[arg(long, default_value_t = 300, value_name = "N")]
    pub(crate) queries: usize,

    /// Seed of the query sampler (same seed and corpus, same queries)
    #[arg(long, default_value_t = 2022)]
    pub(crate) seed: u64,

    /// Print the report as one JSON object
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct IndexArgs {
    /// Folder of articles (.txt, .html, .json, .jsonl, .xml, .dat files)
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// Print the run's summary as one JSON object on stdout
    #[arg(long)]
    pub(crate) json: bool,

    /// Write each file's outcome (indexed, unchanged, skipped with its reason, removed) to
    /// FILE as JSON lines
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) read: ReadArgs,

    /// Files read between two commits (and at most 30 s): what a run that is killed can lose
    /// (it resumes where the last commit left off); smaller is slower
    #[arg(long, default_value_t = 50_000, value_name = "N")]
    pub(crate) commit_every: usize,

    /// Indexing threads (files are read on one more) [default: one per core, at most 8]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) threads: Option<u16>,

    /// User dictionary (jieba's format: `word [frequency] [tag]` a line) for local terms such
    /// as 五比五看 or village names; kept with the index and used by every later search
    #[arg(long, value_name = "FILE")]
    pub(crate) dict: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// Query: words (all must appear; together ranks higher), "exact strings", -excluded.
    /// Several arguments are joined with spaces; put a query that starts with - after --
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub(crate) query: Vec<String>,

    /// Only articles from this source (来源); repeat for any of several
    #[arg(long, value_name = "SOURCE")]
    pub(crate) source: Vec<String>,

    /// Only articles by this editor (责任编辑); repeat for any of several
    #[arg(long, value_name = "EDITOR")]
    pub(crate) editor: Vec<String>,

    /// Only articles tagged with this keyword (新闻关键词); repeat for any of several
    #[arg(long, value_name = "KEYWORD")]
    pub(crate) keyword: Vec<String>,

    /// Only articles in this column (栏目); repeat for any of several
    #[arg(long, value_name = "COLUMN")]
    pub(crate) column: Vec<String>,

    /// Only articles published on or after this day, month or year (2022-05-10, 2022-05, 2022)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub(crate) since: Option<DateRange>,

    /// Only articles published on or before this day, month or year (the whole of it)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub(crate) until: Option<DateRange>,

    /// Result order
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub(crate) sort: SortArg,

    /// Number of results to show
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub(crate) limit: usize,

    /// Number of results to skip (for the next page)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) offset: usize,

    /// Snippet length in characters (0: no snippets)
    #[arg(long, default_value_t = 120, value_name = "N")]
    pub(crate) snippet_chars: usize,

    /// Show counts per source, editor, keyword, month and column over all matches
    #[arg(long)]
    pub(crate) facets: bool,

    /// One JSON object per line: each hit, then a summary with the total and the facets
    #[arg(long)]
    pub(crate) json: bool,

    /// When to colour the output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SortArg {
    /// Best match first; equal matches newer first, then by path
    Relevance,
    /// Newest first; equal dates by path
    Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

impl ColorChoice {
    /// Whether to write colour to stdout.
    pub(crate) fn resolve(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && std::io::stdout().is_terminal()
            }
        }
    }
}

fn parse_date(text: &str) -> Result<DateRange, String> {
    DateRange::parse(text).map_err(|e| e.to_string())
}

impl SearchArgs {
    /// The query as one string: the words given, separated by spaces.
    pub(crate) fn query_text(&self) -> String {
        self.query.join(" ")
    }

    /// The library request these arguments stand for.
    pub(crate) fn to_request(&self) -> SearchRequest {
        let mut request = SearchRequest::new(self.query_text())
            .sort(match self.sort {
                SortArg::Relevance => Sort::Relevance,
                SortArg::Date => Sort::Date,
            })
            .limit(self.limit)
            .offset(self.offset)
            .snippet_chars(self.snippet_chars);
        request.sources = self.source.clone();
        request.editors = self.editor.clone();
        request.keywords = self.keyword.clone();
        request.columns = self.column.clone();
        request.since = self.since.map(|range| range.start);
        request.until = self.until.map(|range| range.end);
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn until_takes_the_whole_month() {
        let cli =
            Cli::try_parse_from(["govsearch", "search", "峄城", "--until", "2022-05", "--since", "2022"]).unwrap();
        let Command::Search(args) = cli.command else {
            panic!("not a search")
        };
        let request = args.to_request();
        assert_eq!(request.since.unwrap().to_rfc3339(), "2022-01-01T00:00:00+08:00");
        assert_eq!(request.until.unwrap().to_rfc3339(), "2022-06-01T00:00:00+08:00");
    }

    #[test]
    fn flags_after_the_query_are_flags_and_exclusions_follow_double_dash() {
        let cli = Cli::try_parse_from(["govsearch", "search", "峄城", "--json", "--", "-营商"]).unwrap();
        let Command::Search(args) = cli.command else {
            panic!("not a search")
        };
        assert_eq!(args.query_text(), "峄城 -营商");
        assert!(args.json);
    }
}
