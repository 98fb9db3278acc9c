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
    /// is read as pinyin or initials: `xiangc` and `xc` both complete to 乡村振兴.
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
            found.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.text.cmp(&y.text)));
            let found: Vec<Suggestion> = found.into_iter().take(limit).map(|(_, s)| s).collect();
            Ok(found)
        })
    }
}
