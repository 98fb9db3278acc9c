//! Whether a search is rewritten: the engine asks [`crate::assist`] whether a query is worth
//! a look and what it proposes, counts what the proposal and the query as typed find, and
//! decides. A query that is a 文号 is looked up as one first.

use super::backend::Backend;
use super::parse;
use super::places::{is_fragment, places};
use crate::assist::{self, Evidence};
use crate::error::Result;
use crate::query::{Clause, ParsedQuery};
use crate::search::{Rewrite, RewriteReason, SearchRequest, SearchResults};
use crate::text::{doc_number, is_han, segment};

/// The rewrite for `request`, whose query (`parsed`) found `typed` articles as typed, and
/// whether to search it instead of offering it ([`assist::decide`]): pinyin read as Chinese or
/// typos corrected, when that finds many times more.
///
/// Whether a query was typed right is judged by its words as written, each an exact string:
/// the rewrite is considered when its words as written are in many times more articles
/// ([`assist::convincing`]).
pub(super) fn rewrite_for(
    backend: &dyn Backend,
    request: &SearchRequest,
    parsed: &ParsedQuery,
    typed: usize,
) -> Result<Option<(Rewrite, bool)>> {
    if request.as_typed {
        return Ok(None);
    }
    let vocabulary = by_vocabulary(backend, request, parsed, typed)?;
    if typed > 0 && vocabulary.is_none() {
        return respelled_written_nowhere(backend, request, parsed);
    }
    if typed > 0 || matches!(vocabulary, Some((_, true))) {
        return Ok(vocabulary);
    }
    // A correction the vocabulary only offers (a term by a character that does not sound
    // alike: 几示年 as 几千年) gives way to a respelling that sounds alike and is sure
    // enough to be searched (几十年).
    Ok(match respelled(backend, request, parsed, None)? {
        Some((respelling, true)) => Some((respelling, true)),
        respelling => vocabulary.or(respelling),
    })
}

/// The rewrite the vocabulary proposes ([`assist::propose`]), as [`rewrite_for`] says.
fn by_vocabulary(
    backend: &dyn Backend,
    request: &SearchRequest,
    parsed: &ParsedQuery,
    typed: usize,
) -> Result<Option<(Rewrite, bool)>> {
    let in_titles = backend.titles_with();
    let evidence = Evidence {
        articles: backend.num_articles(),
        in_titles: &*in_titles,
        segmenter: backend.segmenter(),
    };
    // Words as typed are in no more articles than the query finds: counted once, here or below.
    let mut typed_as_written = (typed == 0).then_some(0);
    // Whether only a correction sure enough to be searched is taken: the query does not look
    // mistyped, and its words as written are in some article (or not yet counted).
    let mut sure_only = false;
    if !assist::worth_a_look(parsed, typed, &evidence) {
        // A query that finds a few articles with its words apart, and none with them as
        // written (疫情防空: 疫情 and 防空 in some articles), is looked at as one that looks
        // mistyped is.
        let written = if assist::few_apart(parsed, typed) {
            Some(backend.count(request, parsed.as_written())?)
        } else {
            None
        };
        typed_as_written = written;
        sure_only = written != Some(0);
    }
    let vocabulary = backend.vocabulary()?;
    if sure_only && assist::all_terms(parsed, &vocabulary) {
        return Ok(None);
    }
    let Some(mut proposal) = assist::propose(parsed, &vocabulary, backend.segmenter()) else {
        return Ok(None);
    };
    // Any other query is searched as a correction, never offered one, only where no article
    // writes its string as words of their own (it is written nowhere, or only as a fragment
    // of other words: 中结 in 声中结束), by slips of the common readings of words no one
    // writes as typed ([`assist::sure`]).
    if sure_only && !assist::may_be_sure(&proposal) {
        return Ok(None);
    }
    if !assist::may_try(proposal.reason, typed) {
        return Ok(None);
    }
    // A rewrite the query syntax refuses is no rewrite.
    let Ok(mut rewritten) = parse(backend, &proposal.query) else {
        return Ok(None);
    };
    // The rewrite's words as written first: most rewrites of a query typed right are in no
    // article, and then the query as typed need not be counted.
    let mut exact = backend.count(request, rewritten.as_written())?;
    // A pinyin term's homophone written in many more articles than the vocabulary's reading
    // (which counts titles) is what was more likely meant: `xi'an` is 西安, written far more
    // often than 西岸, though 西岸 stands in more titles. Only by a margin: a homophone a
    // little more common is as likely to be the wrong one.
    let mut others = Vec::new();
    for homophone in std::mem::take(&mut proposal.homophones) {
        let Ok(parsed) = parse(backend, &homophone) else {
            continue;
        };
        let found = backend.count(request, parsed.as_written())?;
        if found >= HOMOPHONE_MARGIN * exact.max(1) {
            let chosen = std::mem::replace(&mut proposal.query, homophone);
            others.push((exact, std::mem::replace(&mut rewritten, parsed), chosen));
            exact = found;
        } else {
            others.push((found, parsed, homophone));
        }
    }
    // A reading the articles write mostly as a piece of other words (化为 in 转化为 and
    // 文化为, for `huawei`) is not what the letters name, where a homophone is written as a
    // word of its own in a few articles (华为): its count is of strings, not of the word.
    others.sort_by_key(|(found, ..)| std::cmp::Reverse(*found));
    others.retain(|(found, ..)| *found >= assist::FEW);
    if exact > 0 && !others.is_empty() && is_fragment(backend, &proposal.query)? {
        for at in 0..others.len() {
            if !is_fragment(backend, &others[at].2)? {
                let (found, parsed, homophone) = others.remove(at);
                (exact, rewritten, proposal.query) = (found, parsed, homophone);
                break;
            }
        }
    }
    // Letters are typed for a name more than for a word that sounds the same: a name of
    // jieba's dictionary at least as common there as the reading (济南 for `jinan`, not 急难)
    // is read where it is written in as many articles, within the margin. jieba tags many a
    // rare transliteration a name (福人 beside 夫人), and a common word a name now and then.
    let reading = segment::known(&proposal.query);
    let fewest = assist::COMMON_WORD.max(reading.as_ref().map_or(0, |known| known.freq));
    let is_common_name = |word: &str| segment::known(word).is_some_and(|known| known.name && known.freq >= fewest);
    if !others.is_empty() && !reading.is_some_and(|known| known.name) {
        if let Some(at) = others
            .iter()
            .position(|(found, _, homophone)| HOMOPHONE_MARGIN * found >= exact && is_common_name(homophone))
        {
            let (found, parsed, homophone) = others.swap_remove(at);
            (exact, rewritten, proposal.query) = (found, parsed, homophone);
        }
    }
    if exact == 0 {
        return Ok(None);
    }
    let mut typed_as_written = match typed_as_written {
        Some(counted) => counted,
        None => backend.count(request, parsed.as_written())?,
    };
    if sure_only && typed_as_written > 0 {
        // Written in some article, the typed string is searched as the correction only where
        // each writes it as a fragment of other words, a string no one means: 厄方 (Ecuador's
        // side, for 俄方) and 节前 are words of their own.
        if !assist::corrects_fragment(&proposal, typed_as_written, exact)
            || !written_as_fragments(backend, request, parsed, typed_as_written)?
        {
            return Ok(None);
        }
        typed_as_written = 0;
    }
    let mut found = decided(backend, request, proposal, rewritten, [typed, typed_as_written, exact])?;
    if let Some((_, search @ true)) = &mut found {
        // A string ten articles or more write is usage, not a slip, wherever one of them
        // writes it as a word of its own, however many more write the correction: 着舰, a
        // word jieba lacks, is no slip for 浙江. Such a correction is offered.
        if typed_as_written >= assist::FEW && !written_as_fragments(backend, request, parsed, typed_as_written)? {
            *search = false;
        }
    }
    Ok(found.filter(|(_, search)| *search || !sure_only))
}

/// The most articles read to tell whether a query's string is written only as a fragment of
/// other words.
const MOST_READ: usize = 100;

/// Whether `parsed`, one run of Han characters, is written in each of the `written` articles
/// that have it as written only as a fragment of other words, at every place their titles and
/// snippets show ([`assist::places::fragment_places`]): `false` for another query, or one
/// written in more than [`MOST_READ`].
fn written_as_fragments(
    backend: &dyn Backend,
    request: &SearchRequest,
    parsed: &ParsedQuery,
    written: usize,
) -> Result<bool> {
    let [Clause::Words {
        text, negated: false, ..
    }] = parsed.clauses.as_slice()
    else {
        return Ok(false);
    };
    if written > MOST_READ || !text.chars().all(is_han) {
        return Ok(false);
    }
    let places = places(backend, request, text, written)?;
    let places = places.iter().map(|(passage, at)| (passage.as_str(), at.clone()));
    let (seen, across) = assist::places::fragment_places(text, places, backend.segmenter());
    Ok(seen > 0 && across == seen)
}

/// `proposal` (parsed as `rewritten`) as [`assist::decide`] takes it on `counts` (the query
/// as typed, its words as written, the proposal's as written), with what it finds: `None`
/// when it is left, or finds nothing.
fn decided(
    backend: &dyn Backend,
    request: &SearchRequest,
    proposal: assist::Proposal,
    rewritten: ParsedQuery,
    [typed, typed_as_written, exact]: [usize; 3],
) -> Result<Option<(Rewrite, bool)>> {
    let Some(search) = assist::decide(&proposal, typed, typed_as_written, exact) else {
        return Ok(None);
    };
    let total = backend.count(request, rewritten)?;
    let rewrite = Rewrite {
        query: proposal.query,
        reason: proposal.reason,
        total,
    };
    Ok((total > 0).then_some((rewrite, search)))
}

/// For a query that finds nothing and that the vocabulary corrects to nothing: the respelling
/// of one of its characters ([`assist::respellings`]) whose words as written are in most
/// articles. Written in at least [`assist::RESPELLED_FEWEST`], it is searched, as a
/// sound-alike correction of a query that finds nothing is, only when no other respelling is
/// written in half as many articles; otherwise offered. Written in fewer, it is offered when
/// it is the only respelling written, a slip of the common readings of words no one writes.
/// With `slips_of` (the query as typed), only slips of the common readings that make a word
/// where they replace a character are respellings.
fn respelled(
    backend: &dyn Backend,
    request: &SearchRequest,
    parsed: &ParsedQuery,
    slips_of: Option<&str>,
) -> Result<Option<(Rewrite, bool)>> {
    let mut best: Option<(usize, assist::Proposal, ParsedQuery)> = None;
    let mut second = 0;
    let respellings = assist::respellings(parsed, backend.segmenter());
    let slip = |p: &assist::Proposal| {
        slips_of.is_none_or(|typed| p.common_slips && assist::respelled_into_words(typed, &p.query))
    };
    for proposal in respellings.into_iter().filter(slip) {
        let Ok(rewritten) = parse(backend, &proposal.query) else {
            continue;
        };
        let written = backend.count(request, rewritten.as_written())?;
        match &best {
            Some((most, ..)) if written <= *most => second = second.max(written),
            _ => {
                second = best.as_ref().map_or(second, |(most, ..)| *most);
                best = Some((written, proposal, rewritten));
            }
        }
    }
    let Some((written, proposal, rewritten)) = best.filter(|(written, ..)| *written > 0) else {
        return Ok(None);
    };
    if written < assist::RESPELLED_FEWEST {
        // Written in a few articles (a county site has a few hundred): a true zero is as
        // likely, so the only respelling the articles write, by a slip of the common readings
        // of a string no one writes as typed, is offered beside the zero, never searched.
        if second > 0 || !proposal.common_slips || proposal.typed_word {
            return Ok(None);
        }
        let found = decided(backend, request, proposal, rewritten, [0, 0, written])?;
        return Ok(found.map(|(rewrite, _)| (rewrite, false)));
    }
    let found = decided(backend, request, proposal, rewritten, [0, 0, written])?;
    Ok(found.map(|(rewrite, search)| (rewrite, search && 2 * second <= written)))
}

/// For a query that finds something with its words apart, and that the vocabulary leaves as
/// typed (each part a term: 中大成就 is 中大 and 成就), but whose string no article writes:
/// the respelling [`respelled`] would search were the query to find nothing (重大成就, which
/// many articles write), searched, if it is a slip of the common readings that makes a word
/// where it replaces a character (an input method's wrong pick for a word, not a rare
/// reading's echo or a piece of a longer phrase); never offered, as a query that finds
/// something is not.
fn respelled_written_nowhere(
    backend: &dyn Backend,
    request: &SearchRequest,
    parsed: &ParsedQuery,
) -> Result<Option<(Rewrite, bool)>> {
    let vocabulary = backend.vocabulary()?;
    let Some(typed) = assist::written_apart_run(parsed, &vocabulary) else {
        return Ok(None);
    };
    if backend.count(request, parsed.as_written())? > 0 {
        return Ok(None);
    }
    Ok(respelled(backend, request, parsed, Some(typed))?.filter(|(_, search)| *search))
}

/// How many times as many articles a homophone of a pinyin reading must be written in to be
/// searched instead.
const HOMOPHONE_MARGIN: usize = 2;

/// The articles whose 文号 the query is, in any spelling, searched as that 文号: `None` when
/// the query is no 文号, no article has it, or the request is as typed or already filters by
/// 文号. Precision first: what the query names is that document, not the articles that cite
/// its number; searching as typed finds those.
pub(super) fn by_doc_number(backend: &dyn Backend, request: &SearchRequest) -> Result<Option<SearchResults>> {
    if request.as_typed || !request.doc_numbers.is_empty() || !request.within.is_empty() {
        return Ok(None);
    }
    let Some(number) = doc_number::key(&request.query) else {
        return Ok(None);
    };
    let mut lookup = request.clone();
    lookup.query = "*".to_string();
    lookup.doc_numbers = vec![number.clone()];
    let every = parse(backend, "*")?;
    if backend.count(&lookup, every.clone())? == 0 {
        return Ok(None);
    }
    let mut found = backend.search(&lookup, every)?;
    found.searched_as = Some(Rewrite {
        query: number,
        reason: RewriteReason::DocNumber,
        total: found.total,
    });
    Ok(Some(found))
}

#[cfg(test)]
mod tests {
    use crate::assist::FEW;
    use crate::{Index, SearchRequest};

    fn index() -> Index {
        let texts: Vec<(String, String)> = (0..12)
            .map(|i| {
                (
                    i.to_string(),
                    format!(
                        "疫情防控工作会议第{i}次召开\n2022-05-{:02} 来源:鲁网\n会议部署疫情防控工作。\n",
                        i + 1
                    ),
                )
            })
            .collect();
        Index::of_texts(&texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>())
    }

    /// Whether a query is a quoted string or an exclusion is what the query parser says, not
    /// a look at its characters: a stray closing quote is plain text, so a typo beside it is
    /// still corrected; a quoted string is as the user meant it.
    #[test]
    fn rewrites_follow_the_query_as_parsed() {
        let index = index();
        let searched_as = |query: &str| {
            index
                .search(&SearchRequest::new(query))
                .unwrap()
                .searched_as
                .map(|rewrite| rewrite.query)
        };
        assert_eq!(searched_as("疫请防控"), Some("疫情防控".to_string()));
        assert_eq!(searched_as("疫请防控”"), Some("疫情防控".to_string()));
        assert_eq!(searched_as("【疫请防控】"), Some("疫情防控".to_string()));
        assert_eq!(searched_as("\"疫请防控\""), None);
        assert_eq!(
            searched_as("疫请防控 -会议"),
            None,
            "the correction finds nothing either"
        );
        assert_eq!(searched_as("疫请防控 -峄城"), Some("疫情防控 -峄城".to_string()));
    }

    /// A query that finds nothing, a typo of a string the articles write that no title has as
    /// a word, is searched as that string: 区块琏 as 区块链. A name, a run of two characters
    /// and a query as typed are not respelled.
    #[test]
    fn a_typo_of_a_string_no_title_has_is_respelled() {
        let texts: Vec<(String, String)> = (0..12)
            .map(|i| {
                (
                    format!("chain{i}"),
                    format!(
                        "工作会议第{i}次召开\n2022-05-{:02} 来源:鲁网\n会议推进区块链技术应用。\n",
                        i + 1
                    ),
                )
            })
            .collect();
        let index = Index::of_texts(&texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let search = |request: SearchRequest| index.search(&request).unwrap();
        let typo = search(SearchRequest::new("区块琏"));
        assert_eq!(
            typo.searched_as.map(|r| (r.query, r.total)),
            Some(("区块链".to_string(), 12))
        );
        assert_eq!(typo.total, 12);
        let typed = search(SearchRequest::new("区块琏").as_typed(true));
        assert_eq!((typed.total, typed.searched_as), (0, None));
        let short = search(SearchRequest::new("块琏"));
        assert!(short.searched_as.is_none() && short.did_you_mean.is_none());
    }

    /// On a county's few articles a string written in one or two of them is no sure
    /// correction: a typo of it that finds nothing (区块琏) is offered it beside the zero, never
    /// searched as it. Not when two respellings are written (which one was meant?).
    #[test]
    fn a_string_in_a_few_articles_is_offered_for_a_typo_of_it() {
        let chain = (
            "chain",
            "工作会议召开\n2022-05-01 来源:鲁网\n会议推进区块链技术应用。\n",
        );
        let offered = |texts: &[(&str, &str)], query: &str| {
            let found = Index::of_texts(texts).search(&SearchRequest::new(query)).unwrap();
            assert_eq!(
                (found.total, &found.searched_as),
                (0, &None),
                "{query} is searched as typed"
            );
            found.did_you_mean.map(|r| (r.query, r.total))
        };
        let county = [
            chain,
            ("fire", "巡查部署\n2022-05-02 来源:鲁网\n全区开展森林防火巡查。\n"),
            ("fire2", "春季检查\n2022-05-03 来源:鲁网\n检查森林防火设施。\n"),
        ];
        assert_eq!(offered(&county, "区块琏"), Some(("区块链".to_string(), 1)));
        assert_eq!(offered(&county, "森林防伙"), Some(("森林防火".to_string(), 2)));
        // 防伙 alone is two characters: too often some other word of the articles.
        assert_eq!(offered(&county, "防伙"), None);
        // 区块链 and 区块炼 are each written once: either may be meant.
        let steel = ("steel", "钢铁生产\n2022-05-04 来源:鲁网\n东区块炼钢产量提高。\n");
        assert_eq!(offered(&[chain, steel], "区块琏"), None);
    }

    /// A query that finds nothing, which the vocabulary would only offer a term for by a
    /// character that does not sound alike (几示年: 几千年 in titles), is searched as the
    /// respelling that sounds alike when the articles write it (几十年).
    #[test]
    fn a_respelling_that_sounds_alike_comes_before_a_guess() {
        let texts: Vec<(String, String)> = (0..24)
            .map(|i| {
                (
                    format!("years{i}"),
                    format!(
                        "几千年文明第{i}讲\n2022-05-{:02} 来源:鲁网\n几十年来这里变化很大。\n",
                        i % 28 + 1
                    ),
                )
            })
            .collect();
        let index = Index::of_texts(&texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let typo = index.search(&SearchRequest::new("几示年")).unwrap();
        assert_eq!(
            typo.searched_as.map(|r| (r.query, r.total)),
            Some(("几十年".to_string(), 24))
        );
    }

    /// A word of the dictionary that no article has is a true zero: searched as typed,
    /// finding nothing, though a term that differs by a character (找开, 召开; 洞彻, 贯彻)
    /// or sounds alike in every character (鞋盒, 协和) is in every article; the slip of one
    /// character that sounds alike is offered. A typo that is no word (鞋和) is searched as
    /// the term.
    #[test]
    fn a_word_of_the_dictionary_in_no_article_is_searched_as_typed() {
        let texts: Vec<(String, String)> = (0..24)
            .map(|i| {
                (
                    format!("union{i}"),
                    format!(
                        "协和医院贯彻会议第{i}次召开\n2022-05-{:02} 来源:鲁网\n会议贯彻落实部署。\n",
                        i + 1
                    ),
                )
            })
            .collect();
        let index = Index::of_texts(&texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let search = |query: &str| index.search(&SearchRequest::new(query)).unwrap();
        let slip = search("找开");
        assert_eq!((slip.total, slip.searched_as), (0, None));
        assert_eq!(slip.did_you_mean.map(|r| r.query).as_deref(), Some("召开"));
        for other in ["洞彻", "鞋盒"] {
            let other = search(other);
            assert_eq!((other.total, other.searched_as, other.did_you_mean), (0, None, None));
        }
        assert_eq!(
            search("鞋和").searched_as.map(|r| r.query).as_deref(),
            Some("协和"),
            "鞋和 is no word: a typo"
        );
    }

    /// A typo whose words are written only apart (加紧迎对: 加紧, 迎 and 对 in one article) is
    /// searched as the sound-alike correction that a few articles write as it stands.
    #[test]
    fn a_typo_written_nowhere_is_searched_as_a_correction_a_few_articles_write() {
        let article = |title: &str, body: &str| format!("{title}\n2022-06-01 来源:鲁网\n{body}\n");
        let apart = ("apart", article("欢迎会议召开", "会议欢迎各方加紧合作，对接项目。"));
        let flood = ("flood", article("加紧应对汛情", "各地加紧应对强降雨。"));
        let heat = ("heat", article("加紧应对高温", "电网加紧应对用电高峰。"));
        let search = |texts: &[(&str, String)]| {
            let texts: Vec<(&str, &str)> = texts.iter().map(|(name, text)| (*name, text.as_str())).collect();
            let found = Index::of_texts(&texts).search(&SearchRequest::new("加紧迎对")).unwrap();
            (
                found.searched_as.map(|r| (r.query, r.total)),
                found.did_you_mean.map(|r| r.query),
            )
        };
        assert_eq!(search(&[apart, flood, heat]), (Some(("加紧应对".to_string(), 2)), None));
    }

    /// A typo the articles write only as a fragment of other words (中结 in 集中结合) is typed
    /// as no one writes it: searched as the sound-alike correction many times as many articles
    /// write, though it finds articles and jieba cuts it as one word. A string some article
    /// writes as a word of its own (厄方, Ecuador's side) is meant, however many more write
    /// 俄方; so is a term of the index's titles.
    #[test]
    fn a_typo_written_only_inside_other_words_is_searched_as_a_correction() {
        let texts = |meant: &str, typo_in: &str, times: usize| -> Vec<(String, String)> {
            let meant = (0..times).map(|i| {
                (
                    format!("meant{i}"),
                    format!("第{i}次{meant}会议召开\n2022-06-01 来源:鲁网\n会议{meant}上半年工作。\n"),
                )
            });
            let typo = (0..FEW).map(|i| {
                (
                    format!("typo{i}"),
                    format!("第{i}次培训举行\n2022-06-02 来源:鲁网\n{typo_in}\n"),
                )
            });
            meant.chain(typo).collect()
        };
        let search = |texts: &[(String, String)], query: &str| {
            let texts: Vec<(&str, &str)> = texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let found = Index::of_texts(&texts).search(&SearchRequest::new(query)).unwrap();
            (
                found.total,
                found.searched_as.map(|r| r.query),
                found.did_you_mean.map(|r| r.query),
            )
        };
        let fragment = texts("总结", "培训采取集中结合分散的方式。", 6 * FEW);
        assert_eq!(search(&fragment, "中结"), (6 * FEW, Some("总结".to_string()), None));
        // Unless the correction is written in many times as many articles as the fragment.
        let few = texts("总结", "培训采取集中结合分散的方式。", 4 * FEW);
        assert_eq!(search(&few, "中结"), (FEW, None, None));
        let own_word = texts("俄方", "厄方加强发展战略对接。", 30 * FEW);
        assert_eq!(search(&own_word, "厄方"), (FEW, None, None));
        // A term of the index's titles is meant as typed.
        let mut titled = fragment.clone();
        for i in 0..3 {
            titled.push((
                format!("title{i}"),
                format!("中结第{i}期\n2022-06-03 来源:鲁网\n中结简报。\n"),
            ));
        }
        assert_eq!(search(&titled, "中结").1, None);
    }

    /// A string ten articles write, one of them as a word of its own (着舰, which jieba's
    /// dictionary lacks), is offered a sound-alike correction however many more articles
    /// write it (浙江), never searched as it.
    #[test]
    fn a_string_ten_articles_write_as_a_word_is_only_offered_a_correction() {
        let mut texts: Vec<(String, String)> = (0..25 * FEW)
            .map(|i| {
                (
                    format!("province{i}"),
                    format!("第{i}次浙江会议召开\n2022-06-01 来源:鲁网\n浙江部署上半年工作。\n"),
                )
            })
            .collect();
        texts.extend((0..FEW).map(|i| {
            (
                format!("carrier{i}"),
                format!("第{i}次训练举行\n2022-06-02 来源:鲁网\n舰载机成功着舰。\n"),
            )
        }));
        let texts: Vec<(&str, &str)> = texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let found = Index::of_texts(&texts).search(&SearchRequest::new("着舰")).unwrap();
        assert_eq!(found.total, FEW);
        assert_eq!(found.searched_as, None);
        assert_eq!(found.did_you_mean.map(|r| r.query).as_deref(), Some("浙江"));
    }

    /// A query whose words are all terms (中大 and 成就) but whose string no article writes is
    /// searched as the respelling of one character, a slip of the common readings, that
    /// enough articles write (重大成就), however many articles have its words apart. Not
    /// where some article writes it as typed, nor where too few write the respelling.
    #[test]
    fn a_string_written_nowhere_is_searched_as_a_respelling_many_articles_write() {
        let article = |title: &str, body: &str| format!("{title}\n2022-06-01 来源:鲁网\n{body}\n");
        let texts = |achieved: usize, as_typed: bool| -> Vec<(String, String)> {
            let mut texts: Vec<(String, String)> = (0..achieved)
                .map(|i| {
                    (
                        format!("achieved{i}"),
                        article(&format!("第{i}届大会闭幕"), "大会取得重大成就。"),
                    )
                })
                .collect();
            texts.extend((0..2 * FEW).map(|i| {
                let body = if as_typed && i == 0 {
                    "中大成就斐然。"
                } else {
                    "中大师生参观。"
                };
                (format!("campus{i}"), article(&format!("中大办学成就展第{i}场"), body))
            }));
            texts
        };
        let search = |texts: &[(String, String)]| {
            let texts: Vec<(&str, &str)> = texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let found = Index::of_texts(&texts).search(&SearchRequest::new("中大成就")).unwrap();
            (found.searched_as.map(|r| (r.query, r.total)), found.did_you_mean)
        };
        assert_eq!(search(&texts(FEW, false)), (Some(("重大成就".to_string(), FEW)), None));
        assert_eq!(search(&texts(FEW, true)), (None, None), "written as typed");
        assert_eq!(
            search(&texts(FEW - 1, false)),
            (None, None),
            "a respelling too few write"
        );
    }

    /// A query that finds a few articles with its words apart and none with them as written
    /// is looked at like one that finds nothing: 疫情防空 (防空 is a word of its own) offers
    /// 疫情防控. Typed apart, or written as typed, it is left alone.
    #[test]
    fn a_typo_whose_words_are_written_apart_is_offered() {
        let mut texts: Vec<(String, String)> = (0..24)
            .map(|i| {
                (
                    format!("control{i}"),
                    format!(
                        "疫情防控工作会议第{i}次召开\n2022-05-10 来源:鲁网\n会议部署疫情防控工作。\n新闻关键词:疫情防控\n"
                    ),
                )
            })
            .collect();
        for (name, text) in [
            (
                "drill",
                "人民防空演练举行\n2022-05-11 来源:鲁网\n全市举行防空演练，疫情期间分批进行。\n",
            ),
            (
                "report",
                "疫情通报\n2022-05-12 来源:鲁网\n今日无新增，防空警报试鸣照常。\n",
            ),
        ] {
            texts.push((name.to_string(), text.to_string()));
        }
        let index = Index::of_texts(&texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
        let search = |query: &str| index.search(&SearchRequest::new(query)).unwrap();
        let typo = search("疫情防空");
        assert_eq!(typo.total, 2, "as typed, its words apart");
        assert!(
            typo.searched_as.is_none(),
            "防空 is a common word: offered, not searched"
        );
        assert_eq!(typo.did_you_mean.map(|r| r.query).as_deref(), Some("疫情防控"));
        for meant in ["疫情 防空", "防空演练"] {
            let results = search(meant);
            assert!(results.total > 0, "{meant}");
            assert!(
                results.did_you_mean.is_none() && results.searched_as.is_none(),
                "{meant}"
            );
        }
    }

    /// A query that is a 文号, in any spelling, finds the article with that 文号 and says so;
    /// the articles that only cite it are found as typed. A filter by 文号 takes any
    /// spelling too, and one no article has is named.
    #[test]
    fn a_document_number_in_any_spelling_finds_its_document() {
        let texts = [
            (
                "notice",
                "标题: 关于印发峄城区营商环境方案的通知\n发布时间: 2022-05-10\n发布机构: 峄城区人民政府\n文号: 峄政发〔2022〕5号\n==================== 正文 ====================\n各镇街：现将方案印发给你们。\n",
            ),
            (
                "other",
                "标题: 关于印发峄城区防汛预案的通知\n发布时间: 2022-06-01\n发布机构: 峄城区人民政府\n文号: 峄政发〔2022〕15号\n==================== 正文 ====================\n各镇街：现将预案印发给你们。\n",
            ),
            (
                "citing",
                "峄城区落实营商环境方案\n2022-05-20 来源:鲁网\n按照峄政发〔2022〕5号文件要求，峄城区召开会议。\n",
            ),
        ];
        let index = Index::of_texts(&texts);
        for typed in [
            "峄政发〔2022〕5号",
            "峄政发[2022]5号",
            "峄政发（2022）5号",
            "峄政发2022年5号",
            "峄政发2022年第5号",
            "峄政发〔2022〕05号",
            "峄政发 2022 5号",
            "峄政发【2022】5号",
            "峄政发［２０２２］５号",
            "嶧政發〔2022〕5號",
        ] {
            let results = index.search(&SearchRequest::new(typed)).unwrap();
            let paths: Vec<&str> = results.hits.iter().map(|h| h.path.as_str()).collect();
            assert_eq!(paths, ["notice"], "{typed}");
            let rewrite = results.searched_as.expect("said");
            assert_eq!(rewrite.query, "峄政发〔2022〕5号");
            assert_eq!(rewrite.reason, crate::RewriteReason::DocNumber);
            assert_eq!(results.hits[0].meta.doc_number.as_deref(), Some("峄政发〔2022〕5号"));
        }
        let as_typed = index
            .search(&SearchRequest::new("\"峄政发〔2022〕5号\"").as_typed(true))
            .unwrap();
        let paths: Vec<&str> = as_typed.hits.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(paths, ["citing"], "as typed, the article whose text cites it");
        let filtered = index
            .search(&SearchRequest::new("*").doc_number("峄政发2022年15号"))
            .unwrap();
        assert_eq!(filtered.hits.len(), 1);
        assert_eq!(filtered.hits[0].path, "other");
        let none = index
            .search(&SearchRequest::new("*").doc_number("峄政发〔2021〕5号"))
            .unwrap();
        assert_eq!(none.total, 0);
        assert_eq!(none.unmatched_filters[0].field, "doc_number");
        // A 文号 no article has is searched as typed.
        let unknown = index.search(&SearchRequest::new("峄政发〔2020〕9号")).unwrap();
        assert!(unknown.searched_as.is_none());
    }
}
