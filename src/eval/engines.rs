//! The configurations an evaluation compares: govsearch as built, and the two classic ways to
//! index Chinese, each over title and body of the same articles, queried the way they ship.

use std::collections::HashSet;

use tantivy::collector::{Collector, DocSetCollector, TopDocs};
use tantivy::query::{Query, QueryParser};
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::article::Article;
use crate::error::Result;
use crate::search::rank::Page;
use crate::search::{SearchRequest, Sort};
use crate::text::{fold, is_han};
use crate::Index;

/// An engine under evaluation: every match of a query, and the first ten in rank order.
pub(crate) trait Engine {
    fn name(&self) -> &'static str;
    fn run(&self, query: &str) -> Result<(HashSet<u32>, Vec<u32>)>;
}

/// Maps each document of a searcher to the article number it was indexed under.
struct DocIds(Vec<Vec<u32>>);

impl DocIds {
    fn get(&self, address: DocAddress) -> u32 {
        self.0[address.segment_ord as usize][address.doc_id as usize]
    }

    fn all(&self, addresses: impl IntoIterator<Item = DocAddress>) -> HashSet<u32> {
        addresses.into_iter().map(|a| self.get(a)).collect()
    }
}

/// govsearch: word and grams fields, its own query builder.
pub(crate) struct Govsearch {
    index: Index,
    ids: DocIds,
}

impl Govsearch {
    pub(crate) fn build(articles: &[Article]) -> Result<Govsearch> {
        let index = Index::create_in_ram();
        index.add_articles(articles.iter().enumerate().map(|(i, a)| (i.to_string(), a.clone())))?;
        let searcher = index.searcher();
        let mut ids = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut seg = Vec::with_capacity(segment.max_doc() as usize);
            for doc in 0..segment.max_doc() {
                let stored: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc))?;
                let id = stored
                    .get_first(index.fields().path)
                    .and_then(|v| v.as_str())
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(u32::MAX);
                seg.push(id);
            }
            ids.push(seg);
        }
        Ok(Govsearch {
            index,
            ids: DocIds(ids),
        })
    }
}

impl Engine for Govsearch {
    fn name(&self) -> &'static str {
        "govsearch"
    }

    fn run(&self, query: &str) -> Result<(HashSet<u32>, Vec<u32>)> {
        // The query a search for the same text runs, and the page collector it ranks with.
        let searcher = self.index.searcher();
        let prepared = self
            .index
            .query_for(&SearchRequest::new(query).facets(false), &searcher)?;
        let top = Page::new(Sort::Relevance, 10, 0, self.index.fields());
        collect(&searcher, prepared.query.as_ref(), top, &self.ids)
    }
}

/// govsearch over an OpenSearch cluster: the articles indexed as [`Govsearch`] indexes them,
/// exported to the cluster's index `govsearch-eval`, and searched there as typed, every copy.
#[cfg(feature = "opensearch")]
pub(crate) struct OnCluster {
    index: Index,
}

#[cfg(feature = "opensearch")]
impl OnCluster {
    pub(crate) fn build(articles: &[Article], url: &str) -> Result<OnCluster> {
        const NAME: &str = "govsearch-eval";
        let local = Index::create_in_ram();
        local.add_articles(articles.iter().enumerate().map(|(i, a)| (i.to_string(), a.clone())))?;
        let options = crate::ExportOptions {
            name: NAME.to_string(),
            shards: 3,
            replicas: 1,
            origin: "eval".to_string(),
            replace: true,
        };
        local.export(url, &options, |_| {})?;
        Ok(OnCluster {
            index: Index::connect(url, NAME)?,
        })
    }
}

#[cfg(feature = "opensearch")]
impl Engine for OnCluster {
    fn name(&self) -> &'static str {
        "govsearch on OpenSearch"
    }

    fn run(&self, query: &str) -> Result<(HashSet<u32>, Vec<u32>)> {
        let request = SearchRequest::new(query)
            .facets(false)
            .as_typed(true)
            .all_copies(true)
            .snippet_chars(0)
            .limit(100_000);
        let results = self.index.search(&request)?;
        let numbers: Vec<u32> = results
            .hits
            .iter()
            .map(|hit| hit.path.parse().unwrap_or(u32::MAX))
            .collect();
        Ok((
            numbers.iter().copied().collect(),
            numbers.into_iter().take(10).collect(),
        ))
    }
}

/// How a [`Substring`] reference orders the articles that contain the query.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Order {
    /// Title matches first, then more occurrences in the body.
    Frequency,
    /// Title matches first, then shorter bodies.
    ShortBody,
}

/// The single-feature rankings the aboutness target is stated against, by brute force over
/// the folded text: every article containing the query, ordered by one signal after the title.
pub(crate) struct Substring {
    texts: Vec<(String, String)>,
    order: Order,
}

impl Substring {
    pub(crate) fn new(articles: &[Article], order: Order) -> Substring {
        let texts = articles.iter().map(|a| (fold(&a.title), fold(&a.body))).collect();
        Substring { texts, order }
    }
}

impl Engine for Substring {
    fn name(&self) -> &'static str {
        match self.order {
            Order::Frequency => "title, then frequency",
            Order::ShortBody => "title, then shorter body",
        }
    }

    fn run(&self, query: &str) -> Result<(HashSet<u32>, Vec<u32>)> {
        let needle = fold(query);
        let mut found: Vec<(bool, usize, usize, u32)> = Vec::new();
        for (id, (title, body)) in self.texts.iter().enumerate() {
            let in_title = title.contains(&needle);
            let in_body = body.matches(&needle).count();
            if in_title || in_body > 0 {
                found.push((in_title, in_body, body.chars().count(), id as u32));
            }
        }
        match self.order {
            Order::Frequency => found.sort_by_key(|&(t, tf, _, id)| (!t, std::cmp::Reverse(tf), id)),
            Order::ShortBody => found.sort_by_key(|&(t, _, len, id)| (!t, len, id)),
        }
        let all = found.iter().map(|f| f.3).collect();
        Ok((all, found.iter().take(10).map(|f| f.3).collect()))
    }
}

fn collect<C, K>(searcher: &Searcher, query: &dyn Query, top: C, ids: &DocIds) -> Result<(HashSet<u32>, Vec<u32>)>
where
    C: Collector<Fruit = Vec<(K, DocAddress)>>,
{
    let (all, top) = searcher.search(query, &(DocSetCollector, top))?;
    Ok((ids.all(all), top.into_iter().map(|(_, a)| ids.get(a)).collect()))
}

/// A classic configuration: one analyzer over title and body, tantivy's `QueryParser`.
pub(crate) struct Classic {
    name: &'static str,
    reader: tantivy::IndexReader,
    parser: QueryParser,
    ids: DocIds,
}

impl Classic {
    /// tantivy-jieba as shipped: search-mode words, character positions.
    pub(crate) fn jieba_words(articles: &[Article]) -> Result<Classic> {
        Classic::build(
            "jieba words (tantivy-jieba)",
            "jieba",
            tantivy_jieba::JiebaTokenizer::new(),
            articles,
        )
    }

    /// Lucene's CJK analyzer: overlapping bigrams, a unigram for a lone character.
    pub(crate) fn cjk_bigrams(articles: &[Article]) -> Result<Classic> {
        Classic::build("char bigrams (Lucene CJK)", "cjk", CjkBigrams, articles)
    }

    fn build<T>(name: &'static str, analyzer: &str, tokenizer: T, articles: &[Article]) -> Result<Classic>
    where
        T: Tokenizer + Clone + Send + Sync + 'static,
    {
        let mut builder = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let title = builder.add_text_field("title", text.clone());
        let body = builder.add_text_field("body", text);
        let aid = builder.add_u64_field("aid", FAST | STORED);
        let index = tantivy::Index::create_in_ram(builder.build());
        index.tokenizers().register(analyzer, tokenizer);
        let mut writer: tantivy::IndexWriter = index.writer(200_000_000)?;
        for (i, article) in articles.iter().enumerate() {
            let mut doc = TantivyDocument::new();
            doc.add_text(title, &article.title);
            doc.add_text(body, &article.body);
            doc.add_u64(aid, i as u64);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut ids = Vec::new();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("aid")?;
            ids.push(
                (0..segment.max_doc())
                    .map(|d| column.first(d).unwrap_or(u64::MAX) as u32)
                    .collect(),
            );
        }
        let parser = QueryParser::for_index(&index, vec![title, body]);
        Ok(Classic {
            name,
            reader,
            parser,
            ids: DocIds(ids),
        })
    }
}

impl Engine for Classic {
    fn name(&self) -> &'static str {
        self.name
    }

    fn run(&self, query: &str) -> Result<(HashSet<u32>, Vec<u32>)> {
        let (query, _) = self.parser.parse_query_lenient(query);
        let top = TopDocs::with_limit(10).order_by_score();
        collect(&self.reader.searcher(), query.as_ref(), top, &self.ids)
    }
}

/// Lucene `CJKAnalyzer`-style tokens: overlapping bigrams over runs of Han characters, a
/// unigram for a run of one, lower-cased ASCII words; punctuation dropped.
#[derive(Clone)]
struct CjkBigrams;

impl Tokenizer for CjkBigrams {
    type TokenStream<'a> = VecStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        let mut tokens = Vec::new();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let end_of = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
        let mut push = |from: usize, to: usize, word: String| {
            let position = tokens.len();
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text: word,
                position_length: 1,
            });
        };
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i].1;
            let run = chars[i..]
                .iter()
                .take_while(|(_, d)| is_han(*d) == is_han(c) && (is_han(c) || d.is_alphanumeric()))
                .count();
            if is_han(c) {
                if run == 1 {
                    push(chars[i].0, end_of(i + 1), c.to_string());
                }
                for k in i..i + run.saturating_sub(1) {
                    push(chars[k].0, end_of(k + 2), chars[k..k + 2].iter().map(|x| x.1).collect());
                }
                i += run;
            } else if c.is_alphanumeric() {
                push(
                    chars[i].0,
                    end_of(i + run),
                    chars[i..i + run].iter().map(|x| x.1.to_ascii_lowercase()).collect(),
                );
                i += run;
            } else {
                i += 1;
            }
        }
        VecStream { tokens, next: 0 }
    }
}

struct VecStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_bigrams_like_lucene() {
        let mut stream = CjkBigrams.token_stream("满意峄城 5G，皖");
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        assert_eq!(out, ["满意", "意峄", "峄城", "5g", "皖"]);
    }
}
