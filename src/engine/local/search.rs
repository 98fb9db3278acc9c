//! A search run: the request as typed, a rewrite when the engine judges one worth trying,
//! each release once, and the hits built from the stored articles.

use std::sync::Arc;

use tantivy::collector::Count;
use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher};

use super::Local;
use crate::error::Result;
use crate::query::ParsedQuery;
use crate::search::facets::{FacetCounters, ForceCounter};
use crate::search::filters::filters;
use crate::search::numbering::Listed;
use crate::search::rank::{Gather, Page};
use crate::search::releases::{order_copies, DistinctReleases};
use crate::search::snippet::{self, Snippet};
use crate::search::{
    collapse, earlier_article_id, facet_counts, ArticlePage, Copy, Facets, Hit, Prepared, SearchRequest, SearchResults,
    Sort, MAX_COPIES_LISTED,
};
use crate::store::keys::key_display;
use crate::store::schema;
use crate::store::stored::Stored;

impl Local {
    /// `parsed` with `request`'s filters made into an index query over `searcher`.
    pub(crate) fn prepare(
        &self,
        parsed: ParsedQuery,
        request: &SearchRequest,
        searcher: &Searcher,
    ) -> Result<Prepared> {
        let (filters, unmatched) = filters(self.fields(), &self.caches.numbering, searcher, request)?;
        Ok(Prepared {
            query: Box::new(
                parsed
                    .to_query(self.fields(), &self.caches.grams, request.scope)
                    .filtered(filters),
            ),
            parsed,
            unmatched,
        })
    }

    /// A search of `parsed` (the request's query as typed) with `request`'s filters, sort,
    /// page and facets, each release once unless the request asks for every copy.
    pub(crate) fn search_as_typed(&self, request: &SearchRequest, parsed: ParsedQuery) -> Result<SearchResults> {
        let searcher = self.searcher();
        let Prepared {
            query,
            parsed,
            unmatched,
        } = self.prepare(parsed, request, &searcher)?;
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
        self.caches.numbering.retain_segments(&live);
        // The grams cache keeps what every live searcher reads: its warmer prunes it.
        let n = request.facet_values;
        let frequent = |field| (field, Listed::MostFrequent(n));
        // The order the fields' counts come back in.
        let fields = [
            frequent(schema::SOURCE),
            frequent(schema::EDITOR),
            frequent(schema::KEYWORD),
            (schema::MONTH, Listed::Largest(n)),
            frequent(schema::COLUMN),
            frequent(schema::ISSUER),
            frequent(schema::TOPIC),
            frequent(schema::LAYOUT),
        ];
        let facet_collectors = request.facets.then(|| {
            (
                FacetCounters::new(Arc::clone(&self.caches.numbering), fields),
                ForceCounter {
                    today: crate::dates::today(),
                },
            )
        });
        // `*` has no relevance to rank by: it lists newest first.
        let sort = if parsed.matches_everything() {
            Sort::Date
        } else {
            request.sort
        };
        // Reprints are grouped by the releases of the whole index, so that a hit's copies and
        // the count of releases depend only on the request and the index's content.
        let releases = if request.all_copies {
            None
        } else {
            Some(self.releases(&searcher)?)
        };
        // With reprints shown once, a page of `limit` releases needs more articles than that
        // from the ranking: ask for a window, and for a larger one if copies filled it.
        let wanted = request.offset.saturating_add(request.limit);
        let mut window = if releases.is_some() {
            wanted.saturating_add(4)
        } else {
            request.limit
        };
        let first = if releases.is_some() { 0 } else { request.offset };
        let page = (request.limit > 0).then(|| Page::new(sort, window, first, self.fields()));
        let distinct = releases.as_ref().map(|releases| DistinctReleases {
            releases: Arc::clone(releases),
        });
        let statistics = self.statistics(&searcher);
        let ((total, (counted, distinct)), mut page) = searcher.search_with_statistics_provider(
            query.as_ref(),
            &Gather::new((Count, (facet_collectors, distinct)), page),
            &statistics,
        )?;
        let release_total = distinct.unwrap_or(total);
        let mut page = page.take().unwrap_or_default();
        let mut copies: Vec<Vec<DocAddress>> = Vec::new();
        if let Some(releases) = &releases {
            loop {
                let (kept, others) = collapse(&page, releases, &searcher);
                if kept.len() >= wanted || page.len() < window || window >= total {
                    page = kept.into_iter().skip(request.offset).take(request.limit).collect();
                    copies = others.into_iter().skip(request.offset).take(request.limit).collect();
                    break;
                }
                window = window.saturating_mul(4);
                page = searcher.search_with_statistics_provider(
                    query.as_ref(),
                    &Page::new(sort, window, 0, self.fields()),
                    &statistics,
                )?;
            }
        }
        let facets = match counted {
            Some((fields, force)) => Facets::from_fields(
                fields.map(|(listed, unlisted)| (facet_counts(listed), unlisted)),
                crate::article::Force::ALL
                    .into_iter()
                    .zip(force)
                    .filter(|&(_, count)| count > 0)
                    .map(|(state, count)| crate::search::FacetCount {
                        value: state.name().to_string(),
                        count,
                    })
                    .collect(),
            ),
            None => Facets::default(),
        };
        let needles = parsed.needles();
        let mut hits = page
            .into_iter()
            .enumerate()
            .map(|(i, (score, address))| {
                let (rank, chars) = (request.offset + i + 1, request.snippet_chars);
                Ok(self.hit(&searcher, address, rank, score, &needles, chars, chars > 0)?.0)
            })
            .collect::<Result<Vec<_>>>()?;
        for (hit, mut others) in hits.iter_mut().zip(copies) {
            order_copies(&searcher, &mut others)?;
            hit.copies = others
                .into_iter()
                .take(MAX_COPIES_LISTED)
                .map(|address| self.copy_of(&searcher, address))
                .collect::<Result<Vec<_>>>()?;
        }
        Ok(SearchResults {
            total,
            releases: release_total,
            hits,
            facets,
            unmatched_filters: unmatched,
            searched_as: None,
            did_you_mean: None,
        })
    }

    /// Where and when a copy of a release was published.
    fn copy_of(&self, searcher: &Searcher, address: DocAddress) -> Result<Copy> {
        let f = self.fields();
        let mut doc = searcher.doc::<Stored<false>>(address)?.0;
        let id = doc.take_text(f.id);
        let path = doc.take_text(f.path);
        let title = doc.take_text(f.title);
        let published = doc.date(f.published);
        let first = |field: Field| doc.facets(field).into_iter().next();
        let (source, site) = (first(f.source), first(f.site));
        Ok(Copy {
            id,
            title,
            path: key_display(&path),
            source,
            site,
            published,
        })
    }

    /// The hit of the article at `address`, and its body when `read_body` (read with the rest
    /// of its stored values, once).
    #[allow(clippy::too_many_arguments)]
    pub(in crate::engine) fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        rank: usize,
        score: Option<f32>,
        needles: &[String],
        snippet_chars: usize,
        read_body: bool,
    ) -> Result<(Hit, String)> {
        let f = self.fields();
        let mut doc = if !read_body {
            searcher.doc::<Stored<false>>(address)?.0
        } else {
            searcher.doc::<Stored<true>>(address)?.0
        };
        let body = doc.take_text(f.body);
        let title = doc.take_text(f.title);
        let path = doc.take_text(f.path);
        let record = doc.number(f.record).filter(|&r| r > 0);
        let id = doc.take_text(f.id);
        // The stored path is the file's key (exact for any name); people see it as text.
        let path = key_display(&path);
        let meta = doc.metadata(f);
        let hit = Hit {
            rank,
            id,
            score,
            path,
            record,
            title_highlights: snippet::highlight_all(&title, needles),
            title,
            force: meta.force(crate::dates::today()),
            meta,
            snippet: if snippet_chars == 0 {
                Snippet::default()
            } else {
                snippet::make_snippet(&body, needles, snippet_chars)
            },
            copies: Vec::new(),
        };
        Ok((hit, body))
    }
}

impl Local {
    /// One whole article by its id (from a [`Hit`]), with `needles` marked in it; `None` when
    /// no article has that id (it changed, or was removed).
    pub(crate) fn article(&self, id: &str, needles: &[String]) -> Result<Option<ArticlePage>> {
        self.guarded(|| {
            let searcher = self.searcher();
            if let Some(address) = self.address_of(&searcher, id)? {
                let (hit, body) = self.hit(&searcher, address, 0, None, needles, 0, true)?;
                return Ok(Some(ArticlePage::of(hit, body, needles)));
            }
            Ok(None)
        })
    }

    /// Where the article with the id `id` is, if it is in the index; an id of the earlier
    /// kind leads to the article at the place it names.
    pub(crate) fn address_of(&self, searcher: &Searcher, id: &str) -> Result<Option<DocAddress>> {
        let term = tantivy::Term::from_field_text(self.fields().id, id);
        let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        if let Some(address) = searcher
            .search(&query, &tantivy::collector::DocSetCollector)?
            .into_iter()
            .min()
        {
            return Ok(Some(address));
        }
        let Some((path, record)) = earlier_article_id(id) else {
            return Ok(None);
        };
        Ok(self
            .articles_of_file(searcher, &path)?
            .into_iter()
            .find(|&(_, r)| r == record)
            .map(|(address, _)| address))
    }

    /// The articles of the file key `path`: where each is, and its record.
    pub(crate) fn articles_of_file(&self, searcher: &Searcher, path: &str) -> Result<Vec<(DocAddress, u64)>> {
        let term = tantivy::Term::from_field_text(self.fields().path, path);
        let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        let mut articles = Vec::new();
        for address in searcher.search(&query, &tantivy::collector::DocSetCollector)? {
            let fast = searcher.segment_reader(address.segment_ord).fast_fields();
            let record = fast.u64(schema::RECORD)?.first(address.doc_id).unwrap_or(0);
            articles.push((address, record));
        }
        Ok(articles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::parse_article;
    use crate::search::FacetCount;
    use crate::{Error, Index};

    fn corpus() -> Index {
        Index::of_texts(&[
            ("a", "峄城区召开疫情防控工作会议\n2022-05-10 12:00 来源:峄城区融媒体中心\n全区做好疫情防控工作，确保群众安全。\n责任编辑:杜伟\n新闻关键词:疫情防控 峄城\n"),
            ("b", "枣庄市优化营商环境\n2022-06-01 09:00 来源:枣庄日报\n枣庄市持续优化营商环境，峄城区也参加了会议。疫情期间防控有力。\n新闻关键词:营商环境\n"),
            ("c", "乡村振兴新进展\n2021-03-02 10:00 来源:枣庄日报\n乡村振兴取得新进展，满意峄城创建活动开展。\n责任编辑:王芳\n"),
        ])
    }

    /// A choice finds the articles with any of its options, and only those; with a required
    /// word beside it, those that also have the word. An option typed in a title ranks its
    /// article above one that has it in the body only.
    #[test]
    fn a_choice_finds_the_articles_with_any_option() {
        let index = corpus();
        let search = |query: &str| index.search(&SearchRequest::new(query).as_typed(true)).unwrap();
        let mut either = paths(&search("营商 | 乡村振兴"))
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        either.sort();
        assert_eq!(either, ["b", "c"]);
        assert_eq!(search("营商 | \"乡村振兴\" 会议").total, 1, "b has 会议, c does not");
        assert_eq!(search("疫情 | 乡村振兴").total, 3);
        assert_eq!(
            search("疫情防控 | 营商环境").total,
            2,
            "a, and b (both options, one with its words apart)"
        );
        assert_eq!(search("不存在 | 也没有").total, 0);
        let ranked = search("营商环境 | 满意峄城");
        assert_eq!(
            paths(&ranked),
            ["b", "c"],
            "营商环境 in b's title, 满意峄城 in c's body"
        );
    }

    fn paths(results: &SearchResults) -> Vec<&str> {
        results.hits.iter().map(|h| h.path.as_str()).collect()
    }

    #[test]
    fn unspaced_query_matches_words_apart_and_ranks_adjacent_first() {
        let index = corpus();
        let results = index.search(&SearchRequest::new("峄城区疫情防控")).unwrap();
        assert_eq!(
            paths(&results),
            ["a", "b"],
            "b has every word, a has them together and in the title"
        );
    }

    #[test]
    fn quoted_is_exact() {
        let index = corpus();
        let results = index.search(&SearchRequest::new("\"疫情防控\"")).unwrap();
        assert_eq!(paths(&results), ["a"]);
        let single = index.search(&SearchRequest::new("\"峄\"")).unwrap();
        assert_eq!(single.total, 3);
    }

    #[test]
    fn facet_counts_add_up_across_segments_as_the_index_changes() {
        let index = corpus();
        let article = |source: &str, keyword: &str| {
            let text = format!("峄城新闻\n2022-05-10 12:00 来源:{source}\n峄城区的新闻。\n新闻关键词:{keyword}\n");
            parse_article(&text).unwrap()
        };
        let sources = |index: &Index| -> Vec<(String, u64)> {
            let results = index.search(&SearchRequest::new("峄城")).unwrap();
            results.facets.source.into_iter().map(|f| (f.value, f.count)).collect()
        };
        // A second segment, where one value is new and one is shared with the first.
        index
            .add_articles([
                ("d".to_string(), article("枣庄日报", "新值")),
                ("e".to_string(), article("新来源", "营商环境")),
            ])
            .unwrap();
        assert!(index.searcher().segment_readers().len() >= 2);
        assert_eq!(
            sources(&index),
            [
                ("枣庄日报".to_string(), 3),
                ("峄城区融媒体中心".to_string(), 1),
                ("新来源".to_string(), 1)
            ]
        );
        // The same index object after a file is replaced: the numbering already made for the
        // segments that remain must still add up.
        index
            .add_articles([("a".to_string(), article("新来源", "新值"))])
            .unwrap();
        assert_eq!(
            sources(&index),
            [("枣庄日报".to_string(), 3), ("新来源".to_string(), 2)]
        );
        let keywords = index.search(&SearchRequest::new("峄城")).unwrap().facets.keyword;
        let keywords: Vec<(&str, u64)> = keywords.iter().map(|f| (f.value.as_str(), f.count)).collect();
        assert_eq!(keywords, [("新值", 2), ("营商环境", 2)]);
    }

    /// A segment counted again is counted from its table of ordinals by document: the counts
    /// stay those the column gives, for fields of one value and of several.
    #[test]
    fn facet_counts_from_the_table_equal_those_from_the_column() {
        let index = corpus();
        let facets = || {
            let results = index
                .search(&SearchRequest::new("峄城").facet_values(usize::MAX))
                .unwrap();
            results.facets
        };
        let first = facets();
        assert!(!first.keyword.is_empty() && !first.source.is_empty());
        for _ in 0..3 {
            assert_eq!(facets(), first);
        }
        let tables = index.facet_numbering().table_count();
        assert!(tables > 0, "later counts read tables");
    }

    /// Counts of a field with many values, for queries matching a few articles (the counted
    /// values read one by one), most of them (the whole array read) and all of them (the
    /// articles that do not match counted and taken from the totals), asked in turns: each
    /// equals a count taken from the articles, so the arrays the queries share come back
    /// zeroed. Then again once articles are replaced, so the segment counted by what does
    /// not match has deleted articles, and its tables are read.
    #[test]
    fn facet_counts_of_few_and_many_values_in_shared_arrays() {
        let text = |n: usize, word: &str| {
            format!(
                "{word}新闻{n}\n2022-05-10 来源:鲁网\n{word}的新闻。\n新闻关键词:关键词{}\n",
                n % 90
            )
        };
        let mut texts: Vec<(String, String)> = (0..200)
            .map(|n| (format!("{n}"), text(n, if n % 20 == 0 { "峄城" } else { "枣庄" })))
            .collect();
        let index = Index::of_texts(&texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let check = |texts: &[(String, String)]| {
            let expected = |word: &str| -> Vec<(String, u64)> {
                let mut counts = std::collections::BTreeMap::new();
                for (_, text) in texts {
                    if text.starts_with(word) {
                        let keyword = text.rsplit("新闻关键词:").next().unwrap().trim().to_string();
                        *counts.entry(keyword).or_insert(0u64) += 1;
                    }
                }
                counts.into_iter().collect()
            };
            let counted = |word: &str| -> Vec<(String, u64)> {
                let results = index
                    .search(&SearchRequest::new(word).facet_values(usize::MAX))
                    .unwrap();
                let mut counts: Vec<(String, u64)> =
                    results.facets.keyword.into_iter().map(|f| (f.value, f.count)).collect();
                counts.sort();
                counts
            };
            for _ in 0..3 {
                for word in ["峄城", "枣庄", "新闻"] {
                    assert_eq!(counted(word), expected(word.trim_start_matches("新闻")), "{word}");
                }
            }
        };
        check(&texts);
        for n in (1..200).step_by(7) {
            texts[n].1 = text(n, "台儿庄");
            let article = crate::article::parse_article(&texts[n].1).unwrap();
            index.add_articles([(texts[n].0.clone(), article)]).unwrap();
        }
        assert!(index.searcher().segment_readers()[0].num_deleted_docs() > 0);
        check(&texts);
    }

    /// After a broad query has named every value, a narrow one's few counts are summed
    /// across segments by value (sorted, not in an array of every value) and come out the same.
    #[test]
    fn few_counts_among_many_named_values_are_summed_across_segments() {
        let text = |n: usize| {
            let word = if n.is_multiple_of(250) { "峄城" } else { "枣庄" };
            format!(
                "{word}新闻{n}\n2022-05-10 来源:鲁网\n{word}的新闻。\n新闻关键词:关键词{:04}\n",
                n % 500
            )
        };
        let index = Index::create_in_ram();
        for half in [0..500, 500..1000] {
            let articles = half.map(|n| (n.to_string(), crate::article::parse_article(&text(n)).unwrap()));
            index.add_articles(articles).unwrap();
        }
        assert!(index.searcher().segment_readers().len() >= 2);
        let keywords = |word: &str| -> Vec<(String, u64)> {
            let results = index
                .search(&SearchRequest::new(word).facet_values(usize::MAX))
                .unwrap();
            results.facets.keyword.into_iter().map(|f| (f.value, f.count)).collect()
        };
        let all = keywords("新闻");
        assert_eq!(all.len(), 500);
        assert!(all.iter().all(|(_, count)| *count == 2));
        assert_eq!(
            keywords("峄城"),
            [("关键词0000".to_string(), 2), ("关键词0250".to_string(), 2)]
        );
    }

    #[test]
    fn filters_and_facets() {
        let index = corpus();
        let all = index.search(&SearchRequest::new("峄城")).unwrap();
        assert_eq!(all.total, 3);
        assert_eq!(
            all.facets.source,
            [
                FacetCount {
                    value: "枣庄日报".into(),
                    count: 2
                },
                FacetCount {
                    value: "峄城区融媒体中心".into(),
                    count: 1
                },
            ]
        );
        assert_eq!(
            all.facets.month.iter().map(|m| m.value.as_str()).collect::<Vec<_>>(),
            ["2022-06", "2022-05", "2021-03"]
        );
        let by_source = index.search(&SearchRequest::new("峄城").source("枣庄日报")).unwrap();
        assert_eq!(by_source.total, 2);
        let range = crate::DateRange::parse("2022-05").unwrap();
        let in_may = index
            .search(&SearchRequest::new("峄城").since(range.start).until(range.end))
            .unwrap();
        assert_eq!(paths(&in_may), ["a"]);
        let by_date = index.search(&SearchRequest::new("峄城").sort(Sort::Date)).unwrap();
        assert_eq!(paths(&by_date), ["b", "a", "c"]);
    }

    #[test]
    fn a_page_as_large_as_can_be_is_every_hit_after_the_offset() {
        let index = corpus();
        let all = index.search(&SearchRequest::new("峄城")).unwrap();
        let rest = index
            .search(&SearchRequest::new("峄城").limit(usize::MAX).offset(1))
            .unwrap();
        assert_eq!(rest.hits.len(), all.total - 1);
        assert_eq!(paths(&rest)[..], paths(&all)[1..]);
    }

    #[test]
    fn an_empty_filter_value_is_refused() {
        let index = corpus();
        let err = index.search(&SearchRequest::new("峄城").source("")).unwrap_err();
        assert!(
            matches!(err, Error::EmptyFilter { ref field } if field == "source"),
            "{err}"
        );
    }

    #[test]
    fn star_lists_everything_newest_first() {
        let index = corpus();
        let results = index.search(&SearchRequest::new("*")).unwrap();
        assert_eq!(paths(&results), ["b", "a", "c"]);
    }

    #[test]
    fn exclusion_removes_matches() {
        let index = corpus();
        let results = index.search(&SearchRequest::new("峄城 -营商")).unwrap();
        assert_eq!(results.total, 2);
        assert!(!paths(&results).contains(&"b"));
    }

    #[test]
    fn quoted_strings_match_like_ctrl_f() {
        let index = Index::of_texts(&[
            (
                "x",
                "推进５Ｇ网络建设\n2022-01-01 来源:县融媒体中心\n全县新建５Ｇ基站１２０座，峄城区疫情防控有序。\n",
            ),
            ("y", "其他\n2022-01-02 来源:县融媒体中心\n全县新建4G基站。\n"),
        ]);
        let paths_of = |q: &str| -> Vec<String> {
            let results = index.search(&SearchRequest::new(q)).unwrap();
            paths(&results).into_iter().map(str::to_string).collect()
        };
        assert_eq!(paths_of("\"5g\""), ["x"], "mixed ASCII, folded from full width");
        assert_eq!(paths_of("\"区疫\""), ["x"], "a string across jieba's word boundary");
        assert_eq!(paths_of("\"峄\""), ["x"], "a single character");
        assert_eq!(paths_of("\"基站120座\""), ["x"]);
        assert!(paths_of("\"基站121\"").is_empty());
        assert_eq!(paths_of("\"全县新建\"").len(), 2);
    }

    #[test]
    fn a_single_character_is_found_wherever_it_stands_and_counted() {
        let index = Index::of_texts(&[
            ("once", "甲\n2022-01-01 来源:县融媒体中心\n全县新建基站一座\n"),
            ("thrice", "乙\n2022-01-02 来源:县融媒体中心\n一座座基站，一座新楼。\n"),
            ("title", "座谈\n2022-01-03 来源:县融媒体中心\n全县新建基站。\n"),
            ("none", "丙\n2022-01-04 来源:县融媒体中心\n全县新建基站。\n"),
        ]);
        let results = index.search(&SearchRequest::new("\"座\"")).unwrap();
        // "once" has it only as the last character of its body: a term of its own.
        assert_eq!(results.total, 3);
        assert_eq!(
            paths(&results),
            ["title", "thrice", "once"],
            "title first, then by count"
        );
        assert!(index.search(&SearchRequest::new("\"丁\"")).unwrap().hits.is_empty());
        // Deleted articles are not counted.
        let mut writer = index.store().writer(None).unwrap();
        index.store().delete_file(&writer, "thrice");
        index.store().commit(&mut writer).unwrap();
        assert_eq!(index.search(&SearchRequest::new("\"座\"")).unwrap().total, 2);
    }

    #[test]
    fn traditional_query_finds_simplified_text_and_highlights_it() {
        let index = corpus();
        let results = index.search(&SearchRequest::new("峄城區疫情防控")).unwrap();
        assert_eq!(paths(&results)[0], "a");
        let hit = &results.hits[0];
        let h = hit.title_highlights[0];
        assert_eq!(&hit.title[h.start..h.end], "峄城区");
    }

    #[test]
    fn a_user_dictionary_changes_ranking_never_what_matches() {
        let texts = [
            (
                "together",
                "创建满意峄城\n2022-06-05 来源:枣庄日报\n全区开展满意峄城创建活动。\n",
            ),
            (
                "apart",
                "群众满意\n2022-06-06 来源:枣庄日报\n峄城区的群众对服务表示满意。\n",
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        let dict = dir.path().join("dict.txt");
        std::fs::write(&dict, "满意峄城\n").unwrap();
        let mut with = Index::open_or_create(dir.path().join("with")).unwrap();
        with.set_user_dictionary(&dict).unwrap();
        let without = Index::create_in_ram();
        for index in [&with, &without] {
            let articles = texts.map(|(id, text)| (id.to_string(), parse_article(text).unwrap()));
            index.add_articles(articles).unwrap();
        }
        for query in ["满意峄城", "开展满意峄城", "满意峄城 -服务"] {
            let found = |index: &Index| {
                let mut found = paths(&index.search(&SearchRequest::new(query)).unwrap())
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>();
                found.sort();
                found
            };
            assert_eq!(found(&with), found(&without), "{query}");
        }
        let both = with.search(&SearchRequest::new("满意峄城")).unwrap();
        assert_eq!(paths(&both), ["together", "apart"]);
    }

    #[test]
    fn a_busy_index_keeps_its_user_dictionary() {
        let dir = tempfile::tempdir().unwrap();
        let dict = dir.path().join("dict.txt");
        std::fs::write(&dict, "满意峄城\n").unwrap();
        let location = dir.path().join("index");
        let busy = Index::open_or_create(&location).unwrap();
        let _writing = busy.store().writer(Some(1)).unwrap();
        let mut other = Index::open(&location).unwrap();
        let err = other.set_user_dictionary(&dict).unwrap_err();
        assert!(matches!(err, Error::IndexBusy { .. }), "{err}");
        assert!(!location.join("user_dictionary.txt").exists());
        assert!(!other.segmenter().has_user_dictionary());
    }

    #[test]
    fn user_dictionary_segments_queries_and_articles() {
        let dir = tempfile::tempdir().unwrap();
        let dict = dir.path().join("dict.txt");
        std::fs::write(&dict, "满意峄城\n").unwrap();
        let mut index = Index::open_or_create(dir.path().join("index")).unwrap();
        index.set_user_dictionary(&dict).unwrap();
        let text = "创建满意峄城\n2022-06-05 来源:枣庄日报\n全区开展满意峄城创建活动。\n";
        index
            .add_articles([("z".to_string(), parse_article(text).unwrap())])
            .unwrap();
        drop(index);
        let reopened = Index::open(dir.path().join("index")).unwrap();
        let parsed = ParsedQuery::parse("满意峄城", reopened.segmenter()).unwrap();
        assert!(
            matches!(&parsed.clauses[0], crate::query::Clause::Words { ranking, .. } if ranking == &["满意峄城"]),
            "the reopened index segments with its dictionary: {parsed:?}"
        );
        assert_eq!(reopened.search(&SearchRequest::new("满意峄城")).unwrap().total, 1);
        std::fs::write(&dict, "满意峄城 lots\n").unwrap();
        let mut again = Index::open(dir.path().join("index")).unwrap();
        let err = again.set_user_dictionary(&dict).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn reindexing_the_same_identity_replaces() {
        let index = corpus();
        let again = parse_article("新标题\n正文提到峄城。\n").unwrap();
        index.add_articles([("a".to_string(), again)]).unwrap();
        assert_eq!(index.num_articles(), 3);
        let results = index.search(&SearchRequest::new("新标题")).unwrap();
        assert_eq!(paths(&results), ["a"]);
    }

    /// An article with every stored value, and one with an empty body.
    fn full_articles() -> [(String, crate::Article); 2] {
        let mut full = parse_article(
            "峄城区发布通知\n2022-05-10 12:00 来源:峄城区人民政府\n峄城区通知全文。\n责任编辑:杜伟\n新闻关键词:通知 峄城\n",
        )
        .unwrap();
        full.meta.column = Some("通知公告".to_string());
        full.meta.site = Some("峄城区人民政府网".to_string());
        full.meta.doc_number = Some("峄政发〔2022〕5号".to_string());
        full.meta.url = Some("http://www.yicheng.gov.cn/1.html".to_string());
        let mut empty = full.clone();
        empty.title = "峄城区发布空白通知".to_string();
        empty.body.clear();
        [("full".to_string(), full), ("empty".to_string(), empty)]
    }

    /// The hits of `query` with and without snippets, snippets cleared: each page in order.
    fn hits_both_ways(index: &Index, query: &str) -> (Vec<Hit>, Vec<Hit>) {
        let cleared = |results: SearchResults| -> Vec<Hit> {
            results
                .hits
                .into_iter()
                .map(|hit| Hit {
                    snippet: Snippet::default(),
                    ..hit
                })
                .collect()
        };
        let with = index.search(&SearchRequest::new(query)).unwrap();
        let without = index.search(&SearchRequest::new(query).snippet_chars(0)).unwrap();
        assert!(with.hits.iter().any(|h| !h.snippet.text.is_empty()));
        (cleared(with), cleared(without))
    }

    #[test]
    fn hits_without_snippets_carry_every_stored_value() {
        let index = Index::create_in_ram();
        index.add_articles(full_articles()).unwrap();
        let (with, without) = hits_both_ways(&index, "峄城");
        assert_eq!(with.len(), 2);
        assert_eq!(without, with);
        let full = with.iter().find(|h| h.path == "full").unwrap();
        assert_eq!(full.meta.doc_number.as_deref(), Some("峄政发〔2022〕5号"));
        assert_eq!(full.meta.keywords, ["通知", "峄城"]);
        assert_eq!(full.meta.site.as_deref(), Some("峄城区人民政府网"));
    }

    #[test]
    fn page_and_snippet() {
        let index = corpus();
        let page = index.search(&SearchRequest::new("峄城").limit(1).offset(1)).unwrap();
        assert_eq!(page.total, 3);
        assert_eq!(page.hits.len(), 1);
        assert_eq!(page.hits[0].rank, 2);
        let hit = &index.search(&SearchRequest::new("满意峄城")).unwrap().hits[0];
        let h = hit.snippet.highlights[0];
        assert_eq!(&hit.snippet.text[h.start..h.end], "满意峄城");
    }
}

#[cfg(test)]
mod same_request {
    use crate::{parse_article, Index, SearchRequest, SearchResults};

    const BODY: &str = "区政府召开常务会议，研究部署石榴产业发展工作。会议指出，要持续扩大石榴种植面积，\
        培育石榴盆景龙头企业，拓宽线上线下销售渠道，推动石榴深加工产品走向全国。会议还研究了\
        农村公路建设和城乡供水一体化等事项，要求各部门密切配合，抓好落实，按时完成全年目标任务。";

    fn release(title: &str, date: &str, source: &str, body: &str) -> crate::Article {
        parse_article(&format!("{title}\n{date} 来源:{source}\n{body}\n")).expect("a release")
    }

    /// What a reader sees of a search: each hit with its copies, and the totals.
    fn seen(results: &SearchResults) -> (usize, usize, Vec<(String, Vec<String>)>) {
        let hits = results
            .hits
            .iter()
            .map(|hit| (hit.path.clone(), hit.copies.iter().map(|c| c.path.clone()).collect()))
            .collect();
        (results.total, results.releases, hits)
    }

    /// The same request on the same index gives the same results, whatever searches came
    /// before, and after more articles are added the results are those of an index built with
    /// all of them at once.
    #[test]
    fn the_same_request_gives_the_same_results_whatever_came_before() {
        // The query is in the first title only: its reprint does not match it.
        let first = [
            (
                "a".to_string(),
                release("峄城区石榴产业发展会议召开", "2022-05-10", "峄城区政府", BODY),
            ),
            (
                "b".to_string(),
                release("石榴产业发展会议召开", "2022-05-10", "枣庄日报", BODY),
            ),
            (
                "c".to_string(),
                release("峄城区防汛工作部署", "2022-06-01", "峄城区政府", "部署防汛工作。"),
            ),
        ];
        let more = [("d".to_string(), release("石榴产业会议", "2022-05-11", "鲁网", BODY))];
        let request = SearchRequest::new("峄城区");
        let index = Index::create_in_ram();
        index.add_articles(first.clone()).unwrap();
        let once = seen(&index.search(&request).unwrap());
        let twice = seen(&index.search(&request).unwrap());
        assert_eq!(once, twice);
        let copies_of_a = |seen: &(usize, usize, Vec<(String, Vec<String>)>)| {
            seen.2
                .iter()
                .find(|(path, _)| path == "a")
                .map(|(_, copies)| copies.clone())
        };
        assert_eq!(copies_of_a(&once), Some(vec!["b".to_string()]), "{once:?}");

        index.add_articles(more.clone()).unwrap();
        let after = seen(&index.search(&request).unwrap());
        assert_eq!(after, seen(&index.search(&request).unwrap()));
        let fresh = Index::create_in_ram();
        fresh.add_articles(first.into_iter().chain(more)).unwrap();
        assert_eq!(after, seen(&fresh.search(&request).unwrap()));
        assert_eq!(copies_of_a(&after).map(|c| c.len()), Some(2), "{after:?}");
    }
}
