//! Command-line arguments in two stages: what the user typed ([`Cli`]), then the options the
//! library understands ([`SearchArgs::to_request`]).

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use govsearch::{DateRange, Scope, SearchRequest, Sort};

/// Search Chinese government releases: index a folder, then search it with ranked,
/// highlighted and faceted results.
#[derive(Debug, Parser)]
#[command(name = "govsearch", version, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 results found (or indexing done), 1 no results, 2 error.")]
pub(crate) struct Cli {
    /// Index folder of the commands that use one (each also takes it after its name)
    /// [default: $XDG_DATA_HOME/govsearch/index, else ~/.local/share/govsearch/index]
    #[arg(long, env = govsearch::INDEX_ENV, value_name = "DIR")]
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
    Search(Box<SearchArgs>),
    /// Complete a prefix from the index's titles' words, keywords, sources and columns, most
    /// articles first; a prefix in Latin letters is read as pinyin or initials (xiangc, xczx)
    Suggest(SuggestArgs),
    /// The articles most about the same thing as one article (an id from `search --json`, or an
    /// indexed file): shared keywords and distinctive words, never its reprints
    Related(RelatedArgs),
    /// Measure search quality on a corpus folder against brute-force truth, beside the
    /// classic jieba-word and character-bigram configurations (builds its own indexes in memory)
    Eval(EvalArgs),
    /// Print the article(s) read from one file as JSON, to check a new source before indexing
    Parse(ParseArgs),
    /// Print what the index holds: articles, files, folders, layouts, sources, dates, size,
    /// last update
    Stats(StatsArgs),
    /// Remove a folder's articles from the index: for a folder that was moved or deleted (it
    /// need not exist any more)
    Remove(RemoveArgs),
    /// Verify every file of the index against its checksum, and each segment's grams against
    /// the segment (reads the whole index); --repair drops damaged segments and indexes their
    /// files again
    Check(CheckArgs),
    /// Serve the index over HTTP: a search page at / and a JSON API under /api (the index read only;
    /// new commits of `govsearch index` are seen without a restart)
    Serve(ServeArgs),
    /// What people searched on a server run with --state: top queries, queries that found
    /// nothing, rewrites applied, searches per day
    Queries(QueriesArgs),
    /// Measure indexing and query speed and memory on a corpus folder, beside baselines
    /// measured in the same run (builds its indexes in a temporary folder)
    Bench(BenchArgs),
    /// Send the index to an OpenSearch cluster, or bring the cluster's copy up to date (only
    /// new and changed articles sent, removed ones deleted); search it with --backend
    Export(ExportArgs),
    /// Compare the local index with its export on a cluster (--backend), request by request, on
    /// queries sampled from a corpus as `eval` samples them: matching articles, totals, facets,
    /// releases, rewrites, highlights, and the overlap of the first ten; exit 1 on a difference
    Parity(ParityArgs),
}

/// The index folder, for the commands that use one.
#[derive(Debug, Args)]
pub(crate) struct IndexDir {
    /// Index folder [default: --index before the command, else $GOVSEARCH_INDEX, else
    /// $XDG_DATA_HOME/govsearch/index, else ~/.local/share/govsearch/index]
    #[arg(long = "index", id = "index_dir", value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

/// Where a searching command reads: the local index, or an index exported to a cluster.
#[derive(Debug, Args)]
pub(crate) struct BackendArgs {
    /// Answer from the index `govsearch export` sent to the OpenSearch cluster at URL
    /// (http://host:9200) instead of the local index
    #[arg(long, value_name = "URL", env = "GOVSEARCH_BACKEND")]
    pub(crate) backend: Option<String>,

    /// The index's name on the cluster
    #[arg(long = "cluster-index", default_value = "govsearch", value_name = "NAME")]
    pub(crate) cluster_index: String,
}

impl BackendArgs {
    /// The cluster's address and the index's name, when a cluster was asked for.
    pub(crate) fn cluster(&self) -> Option<(&str, &str)> {
        self.backend.as_deref().map(|url| (url, self.cluster_index.as_str()))
    }
}

#[derive(Debug, Args)]
pub(crate) struct ParityArgs {
    /// The corpus folder the queries are sampled from (the one the index was made of)
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,

    /// Queries of each kind
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub(crate) queries: usize,

    /// Seed of the query sampler
    #[arg(long, default_value_t = 2022, value_name = "N")]
    pub(crate) seed: u64,

    /// Print the figures as one JSON object
    #[arg(long)]
    pub(crate) json: bool,

    #[command(flatten)]
    pub(crate) index: IndexDir,

    #[command(flatten)]
    pub(crate) backend: BackendArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The OpenSearch cluster to send the index to (http://host:9200; user:password@ before
    /// the host for basic authentication)
    #[arg(long, value_name = "URL")]
    pub(crate) to: String,

    /// The index's name on the cluster (made with govsearch's mapping if missing)
    #[arg(long, default_value = "govsearch", value_name = "NAME")]
    pub(crate) name: String,

    /// Delete the index on the cluster first and make it anew (an index govsearch made, of
    /// any version: how an index of an older mapping is replaced)
    #[arg(long)]
    pub(crate) replace: bool,

    /// Primary shards of the index, when the export makes it
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub(crate) shards: u32,

    /// Copies of each shard on other nodes, when the export makes it
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub(crate) replicas: u32,

    /// This index's name among several exported into one cluster index: an export deletes
    /// only what its own origin sent [default: one derived from this machine and the index
    /// folder]
    #[arg(long, value_name = "NAME")]
    pub(crate) origin: Option<String>,

    /// Print the summary as one JSON object
    #[arg(long)]
    pub(crate) json: bool,

    #[command(flatten)]
    pub(crate) index: IndexDir,
}

#[derive(Debug, Args)]
pub(crate) struct SuggestArgs {
    /// The start of a word, in Chinese or pinyin
    #[arg(value_name = "PREFIX")]
    pub(crate) prefix: String,

    /// Number of completions
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub(crate) limit: usize,

    /// Print the completions as one JSON array of {text, articles}
    #[arg(long)]
    pub(crate) json: bool,

    #[command(flatten)]
    pub(crate) index: IndexDir,

    #[command(flatten)]
    pub(crate) backend: BackendArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RelatedArgs {
    /// An article id (the `id` of a hit in `search --json`) or a file the index holds
    #[arg(value_name = "ID|FILE")]
    pub(crate) article: String,

    /// Number of related articles
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub(crate) limit: usize,

    /// One JSON object per line, each a hit as `search --json` prints them
    #[arg(long)]
    pub(crate) json: bool,

    /// When to colour the output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,

    #[command(flatten)]
    pub(crate) index: IndexDir,

    #[command(flatten)]
    pub(crate) backend: BackendArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Print the report as one JSON object
    #[arg(long)]
    pub(crate) json: bool,

    /// Drop the damaged segments and index the index's folders again, so that the files
    /// whose articles were in them are read again (the others are unchanged and skipped)
    #[arg(long)]
    pub(crate) repair: bool,

    #[command(flatten)]
    pub(crate) index: IndexDir,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (`127.0.0.1:7700`, `localhost:7713`); another address than
    /// loopback must be asked for
    #[arg(long, default_value = "127.0.0.1:7700", value_name = "HOST:PORT", value_parser = parse_addr)]
    pub(crate) addr: std::net::SocketAddr,

    /// Searches run at once; more wait their turn [default: two per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) searches: Option<u16>,

    /// Show the articles' file paths, the index folder and the indexed folders in the API
    /// (off: a public server shows nothing of the machine's layout)
    #[arg(long)]
    pub(crate) expose_paths: bool,

    /// Connections open at once; more wait to be accepted [default: 1024, fewer when the
    /// process may open fewer files]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub(crate) connections: Option<u32>,

    /// Seconds a connection may take to send a request's headers, and may stay open idle
    /// between requests, before the server closes it
    #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) idle_secs: u64,

    /// Count searches in this folder of the server's own (never the index folder): per day,
    /// each query's searches, distinct visitors (a keyed daily hash, never the address), what
    /// it found and the rewrites applied; the page then shows 热门搜索 and completions offer
    /// popular queries. `govsearch queries --state DIR` reports it
    #[arg(long, value_name = "DIR")]
    pub(crate) state: Option<PathBuf>,

    /// Days of searches the state folder keeps
    #[arg(long, default_value_t = 90, value_name = "DAYS", requires = "state", value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub(crate) keep_days: u32,

    /// Distinct visitors a query needs over the last seven days to show under 热门搜索
    #[arg(long, default_value_t = 3, value_name = "N", requires = "state", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) popular_visitors: u64,

    /// The server is behind a reverse proxy on this machine: a visitor is the last address of
    /// X-Forwarded-For (the one the proxy adds), not the connection's
    #[arg(long)]
    pub(crate) behind_proxy: bool,

    #[command(flatten)]
    pub(crate) index: IndexDir,

    #[command(flatten)]
    pub(crate) backend: BackendArgs,
}

#[derive(Debug, Args)]
pub(crate) struct QueriesArgs {
    /// The folder `govsearch serve --state` counts searches in
    #[arg(long, value_name = "DIR")]
    pub(crate) state: PathBuf,

    /// First day reported: a date (2026-11-01, 2026-11) or a number of days back (7d)
    /// [default: 7d]
    #[arg(long, value_name = "WHEN", default_value = "7d")]
    pub(crate) since: String,

    /// Queries listed in each part
    #[arg(long, short = 'n', default_value_t = 20, value_name = "N")]
    pub(crate) limit: usize,

    /// Print the report as one JSON object
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RemoveArgs {
    /// The folder whose articles to remove, as it was indexed (`govsearch stats` lists them)
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,

    #[command(flatten)]
    pub(crate) index: IndexDir,
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

    /// Also measure `govsearch serve` on the same index under load from wrk (the same query
    /// mix), for this many seconds each way: with snippets, with facets, counting searches,
    /// and while files new to the index (a copy of the corpus's first 20,000) are indexed
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "20")]
    pub(crate) serve: Option<u64>,

    /// The connections wrk keeps open (with --serve or --soak)
    #[arg(long, default_value_t = crate::load::CONNECTIONS, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub(crate) connections: u32,

    /// Also run the server under load this long while the index changes (a copy of the
    /// folder, some files changed and indexed every 30 s), and report its memory
    #[arg(long, value_name = "SECONDS")]
    pub(crate) soak: Option<u64>,

    /// The server's load: these queries (one a line, as typed in the search box) with the
    /// API's defaults, instead of the bench's query mix
    #[arg(long, value_name = "FILE", requires = "serve")]
    pub(crate) serve_queries: Option<PathBuf>,

    /// Also export the bench's index to the OpenSearch cluster at URL (its index
    /// govsearch-bench) and run the same server load through the cluster (`serve --backend`),
    /// and again while the index is exported once more (into govsearch-bench-copy, stopped
    /// when the load ends)
    #[arg(long, value_name = "URL", requires = "serve")]
    pub(crate) backend: Option<String>,

    /// Primary shards and replicas of the cluster's index (with --backend)
    #[arg(long, default_value = "3,1", value_name = "SHARDS,REPLICAS", requires = "backend")]
    pub(crate) cluster_layout: String,

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

    #[command(flatten)]
    pub(crate) index: IndexDir,

    #[command(flatten)]
    pub(crate) backend: BackendArgs,
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

    /// Evaluate govsearch on the OpenSearch cluster at URL too: the corpus is exported to its
    /// index govsearch-eval and searched there
    #[arg(long, value_name = "URL")]
    pub(crate) backend: Option<String>,

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
    #[arg(long, default_value_t = govsearch::DEFAULT_COMMIT_EVERY, value_name = "N")]
    pub(crate) commit_every: usize,

    /// Indexing threads (files are read on one more) [default: one per core, at most 8]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) threads: Option<u16>,

    /// User dictionary (jieba's format: `word [frequency] [tag]` a line) for local terms such
    /// as 五比五看 or village names; kept with the index and used by every later search to rank
    #[arg(long, value_name = "FILE")]
    pub(crate) dict: Option<PathBuf>,

    /// Synonym table (`everyday => official, official` a line, e.g. `医保 => 医疗保险`) over
    /// the one govsearch ships; kept with the index: an everyday word in a query also finds
    /// the official terms
    #[arg(long, value_name = "FILE")]
    pub(crate) synonyms: Option<PathBuf>,

    /// List every skipped file on stderr (by default they are counted by reason)
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,

    #[command(flatten)]
    pub(crate) index: IndexDir,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// Query: words (all must appear; together ranks higher), "exact strings", -excluded
    /// words. Several arguments are joined with spaces
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub(crate) query: Vec<String>,

    /// Only articles from this source (来源); repeat for any of several
    #[arg(long, value_name = "SOURCE", allow_hyphen_values = true)]
    pub(crate) source: Vec<String>,

    /// Only articles by this editor (责任编辑); repeat for any of several
    #[arg(long, value_name = "EDITOR", allow_hyphen_values = true)]
    pub(crate) editor: Vec<String>,

    /// Only articles tagged with this keyword (新闻关键词); repeat for any of several
    #[arg(long, value_name = "KEYWORD", allow_hyphen_values = true)]
    pub(crate) keyword: Vec<String>,

    /// Only articles in this column (栏目); repeat for any of several
    #[arg(long, value_name = "COLUMN", allow_hyphen_values = true)]
    pub(crate) column: Vec<String>,

    /// Only documents issued by this office (发文机关); repeat for any of several
    #[arg(long, value_name = "ISSUER", allow_hyphen_values = true)]
    pub(crate) issuer: Vec<String>,

    /// Only documents filed under this subject class (主题分类); repeat for any of several
    #[arg(long, value_name = "TOPIC", allow_hyphen_values = true)]
    pub(crate) topic: Vec<String>,

    /// Only articles read from files of this kind (html, text, json, xml, pdf, docx, ofd);
    /// repeat for any of several
    #[arg(long, value_name = "KIND")]
    pub(crate) kind: Vec<String>,

    /// Only documents in this state today (有效性): 有效 or in_force, 失效 or expired, 废止
    /// or repealed; repeat for any of several
    #[arg(long, value_name = "STATE", value_parser = parse_force)]
    pub(crate) force: Vec<govsearch::Force>,

    /// Leave out documents known to be out of force today: marked 失效 or 废止, or past their
    /// 有效期至 (articles that say nothing of it stay)
    #[arg(long)]
    pub(crate) in_force: bool,

    /// Only the articles with this 文号, in any spelling (峄政发[2022]5号 keeps
    /// 峄政发〔2022〕5号); repeat for any of several
    #[arg(long, value_name = "文号", allow_hyphen_values = true)]
    pub(crate) doc_number: Vec<String>,

    /// Search within the results of this earlier query (二次检索): only the articles both
    /// find; repeat to go deeper. The query may then be exclusions alone (`-- -营商`)
    #[arg(long, value_name = "QUERY", allow_hyphen_values = true)]
    pub(crate) within: Vec<String>,

    /// Only articles published on or after this day, month or year: 2022-05-10, 2022/5/10,
    /// 2022.5.10, 2022年5月10日, 2022-05, 2022年5月, 2022 (China time)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub(crate) since: Option<DateArg>,

    /// Only articles published on or before this day, month or year, the whole of it (same
    /// forms as --since: --until 2022-05 includes all of May)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub(crate) until: Option<DateArg>,

    /// Result order
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub(crate) sort: SortArg,

    /// Where to look for the query: title or body, the title only (标题), the body only (正文),
    /// or the 文号 (the query is a document number)
    #[arg(long = "in", value_enum, default_value_t = ScopeArg::All, value_name = "WHERE")]
    pub(crate) scope: ScopeArg,

    /// Number of results to show
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub(crate) limit: usize,

    /// Number of results to skip (for the next page)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) offset: usize,

    /// Snippet length in characters (0: no snippets)
    #[arg(long, default_value_t = govsearch::DEFAULT_SNIPPET_CHARS, value_name = "N")]
    pub(crate) snippet_chars: usize,

    /// Show counts per source, editor, keyword, month, column, issuer, topic, kind of file and
    /// state (有效性) over all matches
    #[arg(long)]
    pub(crate) facets: bool,

    /// How many values of each facet to list: the most frequent (months: the latest); the
    /// number of the others follows
    #[arg(long, default_value_t = govsearch::DEFAULT_FACET_VALUES, value_name = "N")]
    pub(crate) facet_values: usize,

    /// Search the query exactly as typed: no pinyin conversion or typo correction when it
    /// finds little
    #[arg(long)]
    pub(crate) as_typed: bool,

    /// List every copy of a release reprinted by several sites as a result of its own (by
    /// default a release is shown once, its other copies listed under it)
    #[arg(long)]
    pub(crate) all_copies: bool,

    /// One JSON object per line: each hit, then a summary with the total and the facets
    #[arg(long)]
    pub(crate) json: bool,

    /// When to colour the output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,

    #[command(flatten)]
    pub(crate) index: IndexDir,

    #[command(flatten)]
    pub(crate) backend: BackendArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScopeArg {
    /// The title or the body; the title ranks higher
    All,
    /// The title only
    Title,
    /// The body only
    Body,
    /// The 文号: the query is a document number, in any spelling (as `文号:…`)
    DocNumber,
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

/// Marks a query word that starts with `-` (an exclusion, `-营商`) so that clap takes it as a
/// word of the query rather than as an option; [`SearchArgs::query_text`] turns it back.
/// A private-use character nobody types.
const EXCLUSION_MARK: char = '\u{F8FF}';

/// The arguments as clap should see them: after `search`, a word that starts with `-` and is
/// not one of the command's options (nor the value of one) is a query word, an exclusion.
/// Options still go before, between or after the query words, as with any other command.
pub(crate) fn mark_exclusions(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let Some(at) = args.iter().position(|a| a == "search") else {
        return args;
    };
    let search = Cli::command();
    let search = search.find_subcommand("search").expect("the search command exists");
    let takes_value = |arg: &clap::Arg| arg.get_action().takes_values();
    let long = |name: &str| search.get_arguments().find(|a| a.get_long() == Some(name));
    let short = |c: char| search.get_arguments().find(|a| a.get_short() == Some(c));
    let mut out: Vec<std::ffi::OsString> = args[..=at].to_vec();
    let mut value_next = false;
    let mut rest = args[at + 1..].iter();
    while let Some(arg) = rest.next() {
        if value_next {
            value_next = false;
            out.push(arg.clone());
            continue;
        }
        let Some(text) = arg.to_str() else {
            out.push(arg.clone());
            continue;
        };
        if text == "--" {
            out.push(arg.clone());
            out.extend(rest.cloned());
            break;
        }
        if let Some(name) = text.strip_prefix("--") {
            // A long option (clap names an unknown one whole); `--opt value` takes the next.
            if !name.contains('=') {
                value_next = long(name).is_some_and(takes_value);
            }
            out.push(arg.clone());
            continue;
        }
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some('-'), Some(c)) if c.is_ascii_alphabetic() && short(c).is_some() => {
                // `-n 5` or `-n5`.
                value_next = short(c).is_some_and(takes_value) && text.len() == 2;
                out.push(arg.clone());
            }
            (Some('-'), Some(_)) => out.push(format!("{EXCLUSION_MARK}{}", &text[1..]).into()),
            _ => out.push(arg.clone()),
        }
    }
    out
}

/// The span of days a date as typed stands for.
#[derive(Clone, Debug)]
pub(crate) struct DateArg {
    range: DateRange,
}

/// An address to listen on: an IP address and port, or a host name the system resolves
/// (`localhost:7713`), its first IPv4 address preferred.
fn parse_addr(text: &str) -> Result<std::net::SocketAddr, String> {
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    use std::net::ToSocketAddrs;
    let addrs: Vec<std::net::SocketAddr> = text
        .to_socket_addrs()
        .map_err(|err| format!("{text:?} is not an address to listen on (HOST:PORT): {err}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("{text:?} names no address"))
}

fn parse_date(text: &str) -> Result<DateArg, String> {
    let range = DateRange::parse(text).map_err(|e| e.to_string())?;
    Ok(DateArg { range })
}

impl SearchArgs {
    /// The query as one string: the words given, separated by spaces.
    pub(crate) fn query_text(&self) -> String {
        let words: Vec<String> = self
            .query
            .iter()
            .map(|word| match word.strip_prefix(EXCLUSION_MARK) {
                Some(rest) => format!("-{rest}"),
                None => word.clone(),
            })
            .collect();
        words.join(" ")
    }

    /// The library request these arguments stand for, or why there is none.
    pub(crate) fn to_request(&self) -> Result<SearchRequest, String> {
        let query = match self.scope {
            ScopeArg::DocNumber => format!("文号:{}", self.query_text()),
            _ => self.query_text(),
        };
        let mut request = SearchRequest::new(query)
            .sort(match self.sort {
                SortArg::Relevance => Sort::Relevance,
                SortArg::Date => Sort::Date,
            })
            .limit(self.limit)
            .offset(self.offset)
            .snippet_chars(self.snippet_chars)
            // Counted only when shown: with --facets, or in --json's summary.
            .facets(self.facets || self.json)
            .facet_values(self.facet_values)
            .as_typed(self.as_typed)
            .all_copies(self.all_copies)
            .scope(match self.scope {
                ScopeArg::All | ScopeArg::DocNumber => Scope::Anywhere,
                ScopeArg::Title => Scope::Title,
                ScopeArg::Body => Scope::Body,
            });
        request.sources = self.source.clone();
        request.editors = self.editor.clone();
        request.keywords = self.keyword.clone();
        request.columns = self.column.clone();
        request.issuers = self.issuer.clone();
        request.topics = self.topic.clone();
        request.kinds = self.kind.clone();
        request.force = self.force.clone();
        request.in_force = self.in_force;
        request.doc_numbers = self.doc_number.clone();
        request.within = self.within.clone();
        request.since = self.since.as_ref().map(|date| date.range.start);
        request.until = self.until.as_ref().map(|date| date.range.end);
        // What no index can answer is said as the library says it, before an index is opened.
        request.check().map_err(|err| err.to_string())?;
        Ok(request)
    }
}

fn parse_force(text: &str) -> Result<govsearch::Force, String> {
    govsearch::Force::from_name(text)
        .ok_or_else(|| format!("{text:?} is not a state: expected 有效 (in_force), 失效 (expired) or 废止 (repealed)"))
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
        let request = args.to_request().unwrap();
        assert_eq!(request.since.unwrap().to_rfc3339(), "2022-01-01T00:00:00+08:00");
        assert_eq!(request.until.unwrap().to_rfc3339(), "2022-06-01T00:00:00+08:00");
    }

    fn search_args(args: &[&str]) -> SearchArgs {
        let args = mark_exclusions(args.iter().map(std::ffi::OsString::from).collect());
        let cli = Cli::try_parse_from(args).unwrap();
        let Command::Search(args) = cli.command else {
            panic!("not a search")
        };
        *args
    }

    #[test]
    fn exclusions_are_query_words_wherever_options_stand() {
        let args = search_args(&[
            "govsearch",
            "search",
            "峄城",
            "-营商",
            "--source",
            "鲁网",
            "-n",
            "3",
            "-GB",
        ]);
        assert_eq!(args.query_text(), "峄城 -营商 -GB");
        assert_eq!(
            (args.source.as_slice(), args.limit),
            (["鲁网".to_string()].as_slice(), 3)
        );
        let args = search_args(&["govsearch", "search", "-n5", "--source=-x", "-营商", "峄城", "--json"]);
        assert_eq!(args.query_text(), "-营商 峄城");
        assert_eq!((args.limit, args.source[0].as_str(), args.json), (5, "-x", true));
        let args = search_args(&["govsearch", "search", "--editor", "-杜伟", "峄城"]);
        assert_eq!((args.editor[0].as_str(), args.query_text().as_str()), ("-杜伟", "峄城"));
        let args = search_args(&["govsearch", "--index", "/tmp/x", "search", "峄城", "--", "-营商"]);
        assert_eq!(args.query_text(), "峄城 -营商");
    }

    #[test]
    fn facets_are_counted_only_when_shown() {
        let request = |extra: &[&str]| {
            let mut args = vec!["govsearch", "search", "峄城"];
            args.extend(extra);
            search_args(&args).to_request().unwrap().facets
        };
        assert!(!request(&[]));
        assert!(request(&["--facets"]));
        assert!(request(&["--json"]));
    }

    #[test]
    fn a_host_name_is_an_address_to_listen_on() {
        let addr = parse_addr("localhost:7713").unwrap();
        assert!(addr.ip().is_loopback() && addr.port() == 7713, "{addr}");
        assert_eq!(parse_addr("127.0.0.1:7700").unwrap().port(), 7700);
        assert!(parse_addr("localhost").is_err(), "a port is needed");
    }

    #[test]
    fn an_empty_date_range_is_said_in_days() {
        let err = search_args(&["govsearch", "search", "峄城", "--since", "2023", "--until", "2022"])
            .to_request()
            .unwrap_err();
        assert_eq!(
            err,
            "the date range is empty: it asks for articles published from 2023-01-01 on and up to 2022-12-31, and no day is both"
        );
        let same_month = search_args(&[
            "govsearch",
            "search",
            "峄城",
            "--since",
            "2022年5月",
            "--until",
            "2022-05",
        ]);
        assert!(same_month.to_request().is_ok());
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
