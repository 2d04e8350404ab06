//! Synonyms an editor lists per locale ("refund = money back = reimbursement"), applied
//! when the index is built: an article that uses one of them is indexed under the
//! others too, so a shopper's word finds it while the browser does no extra work on any
//! keystroke.
//!
//! Matching goes through the ranking's own analysis (stop words out, word endings
//! stemmed), so "refunds" uses the synonym "refund", and a phrase ("money back") is used
//! where its words come one after the other.

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{stem_analyzer, tokens};
use crate::{Article, Locale};

/// One locale's groups of words or phrases that mean the same.
#[derive(Clone)]
pub struct Synonyms {
    groups: Vec<Vec<Member>>,
    analyzer: TextAnalyzer,
}

impl std::fmt::Debug for Synonyms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Synonyms")
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
struct Member {
    text: String,
    stems: Vec<String>,
}

impl Synonyms {
    /// `groups` for `locale`; members that are all stop words can never be used and are
    /// left out (`faq-indexer check` says so). Groups keep their positions.
    pub fn new(locale: Locale, groups: &[Vec<String>]) -> Self {
        let mut analyzer = stem_analyzer(locale);
        let groups = groups
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|text| Member {
                        text: text.clone(),
                        stems: stems(&mut analyzer, text),
                    })
                    .filter(|m| !m.stems.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect();
        Self { groups, analyzer }
    }

    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.len() < 2)
    }

    /// The members of every group `article` uses that it does not use itself, in the
    /// order listed: what it is indexed under besides its own words.
    pub fn expansions(&mut self, article: &Article) -> Vec<String> {
        let texts = self.article_stems(article);
        let mut out = Vec::new();
        for group in &self.groups {
            let used: Vec<bool> = group.iter().map(|m| uses(&texts, &m.stems)).collect();
            if used.iter().any(|u| *u) {
                out.extend(
                    group
                        .iter()
                        .zip(&used)
                        .filter(|(_, u)| !**u)
                        .map(|(m, _)| m.text.clone()),
                );
            }
        }
        out
    }

    /// The positions (in the list given to [`Synonyms::new`]) of the groups no article
    /// uses: they can never apply.
    pub fn unused(&mut self, articles: &[Article]) -> Vec<usize> {
        let mut used = vec![false; self.groups.len()];
        for article in articles {
            let texts = self.article_stems(article);
            for (g, group) in self.groups.iter().enumerate() {
                used[g] = used[g] || group.iter().any(|m| uses(&texts, &m.stems));
            }
        }
        (0..used.len()).filter(|&g| !used[g]).collect()
    }

    fn article_stems(&mut self, article: &Article) -> Texts {
        let mut sequences = Vec::new();
        let fields = [&article.title, &article.text]
            .into_iter()
            .chain(&article.questions)
            .chain(&article.tags)
            .chain(&article.category);
        for text in fields {
            sequences.push(stems(&mut self.analyzer, text));
        }
        let all = sequences.iter().flatten().cloned().collect();
        Texts { sequences, all }
    }
}

/// An article's analyzed texts, each a sequence of stems, and every stem it has.
struct Texts {
    sequences: Vec<Vec<String>>,
    all: HashSet<String>,
}

/// Whether `phrase` (stems) appears in one of `texts`' sequences, word after word.
fn uses(texts: &Texts, phrase: &[String]) -> bool {
    if !phrase.iter().all(|s| texts.all.contains(s)) {
        return false;
    }
    phrase.len() == 1
        || texts
            .sequences
            .iter()
            .any(|seq| seq.windows(phrase.len()).any(|w| w == phrase))
}

fn stems(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    tokens(analyzer, text).into_iter().map(|t| t.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(title: &str, text: &str) -> Article {
        Article {
            id: "a".into(),
            title: title.into(),
            category: None,
            tags: Vec::new(),
            questions: Vec::new(),
            pages: Vec::new(),
            locale: Locale::En,
            html: String::new(),
            text: text.into(),
            synonyms: Vec::new(),
        }
    }

    fn groups(lists: &[&[&str]]) -> Vec<Vec<String>> {
        lists
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn an_article_using_a_member_is_indexed_under_the_others() {
        let mut s = Synonyms::new(
            Locale::En,
            &groups(&[
                &["refund", "money back", "reimbursement"],
                &["parcel", "package"],
            ]),
        );
        let a = article("Refunds", "We pay back within 5 days.");
        assert_eq!(s.expansions(&a), ["money back", "reimbursement"]);
        // A phrase counts only with its words together, endings aside.
        let b = article("Getting your money back", "Parcels go out daily.");
        assert_eq!(s.expansions(&b), ["refund", "reimbursement", "package"]);
        let c = article("Money", "Send it back.");
        assert!(s.expansions(&c).is_empty());
    }

    #[test]
    fn groups_no_article_uses_are_found_and_stop_words_alone_never_match() {
        let mut s = Synonyms::new(
            Locale::En,
            &groups(&[
                &["refund", "reimbursement"],
                &["klarna", "pay later"],
                &["the", "a"],
            ]),
        );
        assert!(!s.is_empty());
        let articles = [article("Refunds", "Paid back.")];
        assert_eq!(s.unused(&articles), [1, 2]);
        assert!(Synonyms::new(Locale::En, &groups(&[&["the", "refund"]])).is_empty());
    }
}
