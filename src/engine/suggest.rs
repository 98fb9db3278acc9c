//! Completions of what a visitor is typing, from the index's own vocabulary.

use super::Index;
use crate::assist::Suggestion;
use crate::error::Result;
use crate::search::SearchRequest;
use crate::text::fold;

impl Index {
    /// Up to `limit` completions of `prefix` from the index's own vocabulary (its titles'
    /// words, keywords, sources and columns), those written in the most articles first, each
    /// with the number of articles a search for it finds. A prefix in Latin letters
    /// is read as pinyin or initials: `xiangc` and `xc` both complete to 乡村振兴, and the
    /// terms the letters spell whole come first (`xczx`: 乡村振兴 before 乡村振兴战略; `xc`:
    /// 乡村 before it), as people type a term's letters to the end.
    ///
    /// ```
    /// # fn main() -> Result<(), govsearch::Error> {
    /// let index = govsearch::Index::create_in_ram();
    /// let article = |text: &str| govsearch::parse_article(text).expect("a release");
    /// index.add_articles([
    ///     ("a".to_string(), article("推进乡村振兴\n2022-05-10 来源:鲁网\n正文。\n")),
    ///     ("b".to_string(), article("乡村振兴见成效\n2022-05-11 来源:鲁网\n正文。\n")),
    /// ])?;
    /// let texts: Vec<String> = index.suggest("xiangc", 5)?.into_iter().map(|s| s.text).collect();
    /// assert!(texts.contains(&"乡村".to_string()), "{texts:?}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
        self.guarded(|| {
            let prefix = fold(prefix.trim());
            if prefix.is_empty() || limit == 0 {
                return Ok(Vec::new());
            }
            let backend = self.backend();
            let vocabulary = backend.vocabulary()?;
            // The vocabulary counts titles, keywords, sources and columns; a visitor who picks a
            // completion gets what a search finds, in bodies too. Twice the completions asked
            // for are counted: ranked by the articles with the term as written, each said with
            // the number a search for it finds.
            let mut found = Vec::new();
            for (text, _) in vocabulary.complete(&prefix, limit.saturating_mul(2)) {
                let Ok(parsed) = super::parse(backend, &text) else {
                    continue;
                };
                let request = SearchRequest::new(text.as_str()).as_typed(true).facets(false);
                let written = backend.count(&request, parsed.as_written())?;
                if written == 0 {
                    continue;
                }
                // What a search finds: its abbreviations' full forms too.
                let parsed = self.with_full_forms(&SearchRequest::new(text.as_str()), parsed)?;
                let articles = backend.count(&request, parsed)? as u64;
                found.push((written, Suggestion { text, articles }));
            }
            let letters = crate::assist::pinyin::letters(&prefix);
            let whole = |text: &str| {
                letters
                    .as_deref()
                    .is_some_and(|l| crate::assist::pinyin::spells_whole(l, text))
            };
            found.sort_by_cached_key(|(written, s)| (!whole(&s.text), std::cmp::Reverse(*written), s.text.clone()));
            let found: Vec<Suggestion> = found.into_iter().take(limit).map(|(_, s)| s).collect();
            Ok(found)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::assist::pinyin::spells_whole;
    use crate::{parse_article, Index};

    #[test]
    fn terms_the_letters_spell_whole_come_first() {
        let index = Index::create_in_ram();
        let mut articles = Vec::new();
        for i in 0..6 {
            let text =
                format!("推进乡村振兴第{i}次会议\n2022-05-1{i} 来源:鲁网\n乡村振兴见成效。\n新闻关键词:乡村振兴\n");
            articles.push((format!("a{i}"), parse_article(&text).expect("a release")));
        }
        let text = "新春走基层\n2022-02-01 来源:鲁网\n新春走基层。\n";
        articles.push(("b".to_string(), parse_article(text).expect("a release")));
        index.add_articles(articles).expect("indexed");
        let texts: Vec<String> = index
            .suggest("xc", 10)
            .expect("suggest")
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert!(texts.contains(&"乡村振兴".to_string()), "{texts:?}");
        let first_longer = texts
            .iter()
            .position(|t| !spells_whole("xc", t))
            .expect("a longer term");
        assert!(
            texts[first_longer..].iter().all(|t| !spells_whole("xc", t)),
            "terms spelled whole first: {texts:?}"
        );
        assert!(texts[..first_longer].contains(&"新春".to_string()), "{texts:?}");
    }
}
