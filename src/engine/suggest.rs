//! Completions of what a visitor is typing, from the index's own vocabulary.

use super::Index;
use crate::assist::Suggestion;
use crate::error::Result;
use crate::text::fold;

impl Index {
    /// Up to `limit` completions of `prefix` from the index's own vocabulary (its titles'
    /// words, keywords, sources and columns), most articles first. A prefix in Latin letters
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
        self.local.guarded(|| {
            let prefix = fold(prefix.trim());
            if prefix.is_empty() || limit == 0 {
                return Ok(Vec::new());
            }
            let vocabulary = self.backend().vocabulary()?;
            Ok(vocabulary
                .complete(&prefix, limit)
                .into_iter()
                .map(|(text, articles)| Suggestion { text, articles })
                .collect())
        })
    }
}
