//! Whether a search is rewritten: the engine asks [`crate::assist`] whether a query is worth
//! a look and what it proposes, counts what the proposal and the query as typed find, and
//! decides.

use super::backend::Backend;
use super::parse;
use crate::assist::{self, Evidence};
use crate::error::Result;
use crate::query::ParsedQuery;
use crate::search::{Rewrite, SearchRequest};

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
    let in_titles = backend.titles_with();
    let evidence = Evidence {
        articles: backend.num_articles(),
        in_titles: &*in_titles,
        segmenter: backend.segmenter(),
    };
    if !assist::worth_a_look(parsed, typed, &evidence) {
        return Ok(None);
    }
    let vocabulary = backend.vocabulary()?;
    let Some(proposal) = assist::propose(parsed, &vocabulary, backend.segmenter()) else {
        return Ok(None);
    };
    if !assist::may_try(proposal.reason, typed) {
        return Ok(None);
    }
    // A rewrite the query syntax refuses is no rewrite.
    let Ok(rewritten) = parse(backend, &proposal.query) else {
        return Ok(None);
    };
    // The rewrite's words as written first: most rewrites of a query typed right are in no
    // article, and then the query as typed need not be counted.
    let exact = backend.count(request, rewritten.as_written())?;
    if exact == 0 {
        return Ok(None);
    }
    // Words as typed are in no more articles than the query finds.
    let typed_as_written = if typed == 0 {
        0
    } else {
        backend.count(request, parsed.as_written())?
    };
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

#[cfg(test)]
mod tests {
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
}
