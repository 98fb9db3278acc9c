//! Writing results for people (text, colour) and for tools (JSON lines). The only module that
//! writes colour. Text scraped from the web is cleaned of control, bidi and zero-width
//! characters before it reaches a terminal.

use std::io::{self, Write};

use govsearch::{
    Facets, Highlight, Hit, IndexStats, IndexSummary, Rewrite, RewriteReason, SearchResults, UnmatchedFilter,
};
use serde::Serialize;

const BOLD: &str = "\x1b[1m";
const MATCH: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const PATH: &str = "\x1b[35m";
const RESET: &str = "\x1b[0m";

/// One line of `--json` output.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum JsonLine<'a> {
    /// A hit, as the library returns it.
    Hit(&'a Hit),
    /// The last line: the query, the total and the facets.
    Summary {
        query: &'a str,
        total: usize,
        releases: usize,
        returned: usize,
        facets: &'a Facets,
        #[serde(skip_serializing_if = "<[UnmatchedFilter]>::is_empty")]
        unmatched_filters: &'a [UnmatchedFilter],
        #[serde(skip_serializing_if = "Option::is_none")]
        searched_as: Option<&'a Rewrite>,
        #[serde(skip_serializing_if = "Option::is_none")]
        did_you_mean: Option<&'a Rewrite>,
    },
}

/// Writes each hit, then the summary, one JSON object per line.
pub(crate) fn json(out: &mut impl Write, query: &str, results: &SearchResults) -> io::Result<()> {
    for hit in &results.hits {
        serde_json::to_writer(&mut *out, &JsonLine::Hit(hit))?;
        out.write_all(b"\n")?;
    }
    let summary = JsonLine::Summary {
        query,
        total: results.total,
        releases: results.releases,
        returned: results.hits.len(),
        facets: &results.facets,
        unmatched_filters: &results.unmatched_filters,
        searched_as: results.searched_as.as_ref(),
        did_you_mean: results.did_you_mean.as_ref(),
    };
    serde_json::to_writer(&mut *out, &summary)?;
    out.write_all(b"\n")
}

/// Says when the results are for another query than the one typed, and offers a query.
pub(crate) fn rewrites(out: &mut impl Write, typed: &str, results: &SearchResults) -> io::Result<()> {
    let why = |rewrite: &Rewrite| match rewrite.reason {
        RewriteReason::Pinyin => "pinyin",
        RewriteReason::Typo => "a likely typo",
        RewriteReason::DocNumber => "a 文号",
    };
    if let Some(rewrite) = &results.searched_as {
        writeln!(
            out,
            "已按「{}」搜索 (read {} as {}); search as typed: --as-typed",
            sanitize(&rewrite.query),
            sanitize(typed),
            why(rewrite),
        )?;
    }
    if let Some(rewrite) = &results.did_you_mean {
        writeln!(
            out,
            "您是不是要找「{}」? ({} result{}; {})",
            sanitize(&rewrite.query),
            rewrite.total,
            if rewrite.total == 1 { "" } else { "s" },
            why(rewrite),
        )?;
    }
    Ok(())
}

/// Says which filter values no article has, and the closest values the index has.
pub(crate) fn unmatched_filters(out: &mut impl Write, unmatched: &[UnmatchedFilter]) -> io::Result<()> {
    for filter in unmatched {
        let closest: Vec<String> = filter.closest.iter().map(|v| sanitize(v).into_owned()).collect();
        let hint = if closest.is_empty() {
            String::new()
        } else {
            format!("; closest: {}", closest.join(", "))
        };
        writeln!(
            out,
            "govsearch: no article has {} {} (--{} {}){hint}",
            filter.field.replace('_', " "),
            sanitize(&filter.value),
            filter.field.replace('_', "-"),
            sanitize(&filter.value)
        )?;
    }
    Ok(())
}

/// Writes results for people.
pub(crate) struct Text {
    pub(crate) color: bool,
}

impl Text {
    fn paint(&self, out: &mut impl Write, style: &str, text: &str) -> io::Result<()> {
        if self.color && !style.is_empty() {
            write!(out, "{style}{}{RESET}", sanitize(text))
        } else {
            write!(out, "{}", sanitize(text))
        }
    }

    /// `text` with its highlights in the match style and the rest in `base` style (plain
    /// text without colour, as grep and ripgrep do).
    fn highlighted(&self, out: &mut impl Write, base: &str, text: &str, highlights: &[Highlight]) -> io::Result<()> {
        let mut at = 0;
        for h in highlights {
            if h.start < at || h.end > text.len() {
                continue;
            }
            self.paint(out, base, &text[at..h.start])?;
            self.paint(out, MATCH, &text[h.start..h.end])?;
            at = h.end;
        }
        self.paint(out, base, &text[at..])
    }

    /// Writes the hits, each as a numbered block.
    pub(crate) fn hits(&self, out: &mut impl Write, hits: &[Hit]) -> io::Result<()> {
        for hit in hits {
            write!(out, "{:>2}. ", hit.rank)?;
            self.highlighted(out, BOLD, &hit.title, &hit.title_highlights)?;
            writeln!(out)?;
            let mut meta: Vec<String> = Vec::new();
            if let Some(published) = hit.meta.published {
                meta.push(published.format("%Y-%m-%d %H:%M").to_string());
            }
            if let Some(source) = &hit.meta.source {
                meta.push(format!("来源 {source}"));
            }
            if let Some(editor) = &hit.meta.editor {
                meta.push(format!("编辑 {editor}"));
            }
            if !hit.meta.keywords.is_empty() {
                meta.push(format!("关键词 {}", hit.meta.keywords.join("、")));
            }
            if let Some(column) = &hit.meta.column {
                meta.push(format!("栏目 {column}"));
            }
            if let Some(issuer) = &hit.meta.issuer {
                meta.push(format!("发文机关 {issuer}"));
            }
            if let Some(number) = &hit.meta.doc_number {
                meta.push(number.clone());
            }
            if let Some(page) = &hit.meta.attached_to {
                meta.push(format!("附件 · 页面「{}」", sanitize(&page.title)));
            }
            if let Some(force @ (govsearch::Force::Expired | govsearch::Force::Repealed)) = hit.force {
                meta.push(format!("已{}", force.label()));
            }
            if !meta.is_empty() {
                write!(out, "    ")?;
                self.paint(out, DIM, &meta.join(" · "))?;
                writeln!(out)?;
            }
            write!(out, "    ")?;
            match hit.record {
                Some(record) => self.paint(out, PATH, &format!("{} #{record}", hit.path))?,
                None => self.paint(out, PATH, &hit.path)?,
            }
            if let Some(url) = &hit.meta.url {
                write!(out, "  ")?;
                self.paint(out, DIM, url)?;
            }
            writeln!(out)?;
            if !hit.copies.is_empty() {
                let copies: Vec<String> = hit
                    .copies
                    .iter()
                    .map(|copy| {
                        let date = copy.published.map(|d| d.format(" %Y-%m-%d").to_string());
                        let source = copy.source.as_deref().or(copy.site.as_deref()).unwrap_or(&copy.path);
                        // A retitled copy says its own title.
                        let title = if copy.title != hit.title && !copy.title.is_empty() {
                            format!(" 「{}」", sanitize(&copy.title))
                        } else {
                            String::new()
                        };
                        format!("{}{}{title}", sanitize(source), date.unwrap_or_default())
                    })
                    .collect();
                write!(out, "    ")?;
                self.paint(
                    out,
                    DIM,
                    &format!("另有 {} 处转载: {}", hit.copies.len(), copies.join("; ")),
                )?;
                writeln!(out)?;
            }
            if !hit.snippet.text.is_empty() {
                write!(out, "    ")?;
                self.highlighted(out, "", &hit.snippet.text, &hit.snippet.highlights)?;
                writeln!(out)?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// Writes the facet counts: the values listed, and how many others there are.
    pub(crate) fn facets(&self, out: &mut impl Write, facets: &Facets) -> io::Result<()> {
        let more = &facets.unlisted;
        let groups = [
            ("来源 source", &facets.source, more.source),
            ("编辑 editor", &facets.editor, more.editor),
            ("关键词 keyword", &facets.keyword, more.keyword),
            ("月份 month", &facets.month, more.month),
            ("栏目 column", &facets.column, more.column),
            ("发文机关 issuer", &facets.issuer, more.issuer),
            ("主题分类 topic", &facets.topic, more.topic),
            ("文件类型 kind", &facets.kind, more.kind),
        ];
        for (name, values, more) in groups {
            self.paint(out, BOLD, name)?;
            writeln!(out, ": {}", listed_values(values, more))?;
        }
        // States by their words: 有效, 失效, 废止.
        let states: Vec<govsearch::FacetCount> = facets
            .force
            .iter()
            .map(|f| govsearch::FacetCount {
                value: govsearch::Force::from_name(&f.value).map_or(f.value.clone(), |force| force.label().to_string()),
                count: f.count,
            })
            .collect();
        self.paint(out, BOLD, "有效性 force")?;
        writeln!(out, ": {}", listed_values(&states, 0))?;
        Ok(())
    }
}

/// Writes an indexing summary for people: counts, then every skipped file and warning.
pub(crate) fn index_summary(
    out: &mut impl Write,
    summary: &IndexSummary,
    location: &std::path::Path,
    verbose: bool,
) -> io::Result<()> {
    for moved in &summary.moved_from {
        let path = sanitize(&moved.path.to_string_lossy()).into_owned();
        writeln!(
            out,
            "govsearch: {path}, indexed before, no longer exists and its {} files are all here: this folder is it, moved; its articles moved over (each is in the index once)",
            moved.files
        )?;
    }
    for missing in &summary.missing_folders {
        let path = sanitize(&missing.path.to_string_lossy()).into_owned();
        writeln!(
            out,
            "govsearch: warning: {path}, indexed before, no longer exists; the index still holds the articles of its {} files: `govsearch remove {path}` takes them out",
            missing.files
        )?;
    }
    for warning in &summary.warnings {
        writeln!(
            out,
            "govsearch: warning: {}: {}",
            sanitize(&warning.path.to_string_lossy()),
            warning.message
        )?;
    }
    if verbose {
        for skipped in &summary.skipped {
            writeln!(
                out,
                "govsearch: skipped {}: {}",
                sanitize(&skipped.path.to_string_lossy()),
                skipped.reason
            )?;
        }
    } else if !summary.skipped.is_empty() {
        // Skipped files are read again by every run: listing them every time buries the rest.
        let mut reasons: Vec<(&str, usize)> = Vec::new();
        for skipped in &summary.skipped {
            let reason = skipped.reason.split(':').next().unwrap_or_default();
            match reasons.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, n)) => *n += 1,
                None => reasons.push((reason, 1)),
            }
        }
        let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} ({n})")).collect();
        writeln!(
            out,
            "govsearch: skipped {} file{}: {}; --verbose lists them, --report FILE writes every file's outcome",
            summary.skipped.len(),
            if summary.skipped.len() == 1 { "" } else { "s" },
            reasons.join(", ")
        )?;
    }
    let layouts: Vec<String> = summary
        .layouts
        .iter()
        .map(|(layout, n)| format!("{n} {layout}"))
        .collect();
    let layouts = if layouts.is_empty() {
        String::new()
    } else {
        format!(" ({})", layouts.join(", "))
    };
    writeln!(
        out,
        "{} files: {} indexed{layouts}, {} unchanged, {} skipped; {} removed. {} articles written, {} warning{}, in {:.1} s",
        summary.files_seen,
        summary.files_indexed,
        summary.files_unchanged,
        summary.skipped.len(),
        summary.files_removed,
        summary.articles_indexed,
        summary.warnings.len(),
        if summary.warnings.len() == 1 { "" } else { "s" },
        summary.elapsed.as_secs_f64(),
    )?;
    writeln!(out, "{} articles in {}", summary.articles_in_index, location.display())
}

/// Writes index statistics for people.
pub(crate) fn stats(out: &mut impl Write, stats: &IndexStats) -> io::Result<()> {
    let day = |d: Option<chrono::DateTime<chrono::FixedOffset>>| {
        d.map_or("—".to_string(), |d| d.format("%Y-%m-%d").to_string())
    };
    writeln!(out, "index      {}", stats.location)?;
    writeln!(out, "articles   {} from {} files", stats.articles, stats.files)?;
    for (i, folder) in stats.folders.iter().enumerate() {
        writeln!(
            out,
            "{}{} ({} files{})",
            if i == 0 { "folders    " } else { "           " },
            sanitize(&folder.path),
            folder.files,
            if folder.exists {
                ""
            } else {
                "; no longer exists: `govsearch remove` takes it out"
            }
        )?;
    }
    writeln!(out, "layouts    {}", top_values(&stats.layouts))?;
    writeln!(out, "sources    {}", top_values(&stats.sources))?;
    writeln!(
        out,
        "published  {} to {}",
        day(stats.first_published),
        day(stats.last_published)
    )?;
    writeln!(out, "size       {:.1} MiB", stats.size_bytes as f64 / (1024.0 * 1024.0))?;
    writeln!(out, "updated    {}", stats.updated.as_deref().unwrap_or("—"))
}

/// Writes what people searched, for the site: searches per day, the top queries, those that
/// found nothing, the rewrites applied; `limit` lines of each list.
pub(crate) fn search_log(out: &mut impl Write, report: &govsearch::LogReport, limit: usize) -> io::Result<()> {
    writeln!(out, "searches from {} to {}", report.since, report.until)?;
    for day in &report.days {
        writeln!(
            out,
            "  {}  {} searches, {} queries, {} found nothing{}",
            day.day,
            day.searches,
            day.queries,
            day.found_nothing,
            if day.unlisted > 0 {
                format!(", {} of long or unlisted queries", day.unlisted)
            } else {
                String::new()
            }
        )?;
    }
    for day in &report.unreadable {
        writeln!(out, "  {day}  could not be read (its file was set aside or is damaged)")?;
    }
    let list = |out: &mut dyn Write, title: &str, queries: &[govsearch::QueryCount]| -> io::Result<()> {
        writeln!(out, "\n{title}")?;
        if queries.is_empty() {
            writeln!(out, "  —")?;
        }
        for q in queries.iter().take(limit) {
            writeln!(
                out,
                "  {:>6} searches  {:>5} visitors  {:>6} articles  {}",
                q.searches,
                q.visitors,
                q.articles,
                sanitize(&q.query)
            )?;
        }
        Ok(())
    };
    list(out, "top queries", &report.top)?;
    list(
        out,
        "found nothing (what the dictionary, the synonyms or the site may lack)",
        &report.found_nothing,
    )?;
    writeln!(out, "\nrewrites applied")?;
    if report.rewrites.is_empty() {
        writeln!(out, "  —")?;
    }
    for r in report.rewrites.iter().take(limit) {
        writeln!(
            out,
            "  {:>6} searches  {} → {}",
            r.searches,
            sanitize(&r.typed),
            sanitize(&r.searched_as)
        )?;
    }
    Ok(())
}

/// The ten largest of `values`, and how many others there are.
fn top_values(values: &[govsearch::FacetCount]) -> String {
    let shown = values.len().min(10);
    listed_values(&values[..shown], values.len() - shown)
}

/// `values`, and `more` others.
fn listed_values(values: &[govsearch::FacetCount], more: usize) -> String {
    let shown: Vec<String> = values
        .iter()
        .map(|v| format!("{} ({})", sanitize(&v.value), v.count))
        .collect();
    match (shown.is_empty(), more) {
        (true, _) => "—".to_string(),
        (false, 0) => shown.join(", "),
        (false, more) => format!("{}, … {more} more", shown.join(", ")),
    }
}

/// Drops characters that can rewrite a terminal or reorder text: controls, bidi overrides and
/// isolates, zero-width characters. Tabs and newlines become spaces.
pub(crate) fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        c.is_control()
            || matches!(c,
                '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
    };
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if bad(c) => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_drops_escapes_and_bidi() {
        assert_eq!(sanitize("峄城\x1b[31m\u{202E}区\u{200B}\n"), "峄城[31m区 ");
        assert!(matches!(sanitize("峄城区"), std::borrow::Cow::Borrowed(_)));
    }
}
