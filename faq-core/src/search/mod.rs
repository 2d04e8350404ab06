//! Searching a bundle: the exact code path of both the widget and `faq-indexer search`.

mod expand;
mod plan;
mod scores;
mod segments;
mod snippet;
mod stored;

use std::cell::{OnceCell, RefCell};
use std::path::Path;
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use tantivy::directory::{Directory, RamDirectory};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index};

use crate::bundle::{self, BundleInfo, INFO_ENTRY};
use crate::pattern::UrlPattern;
use crate::schema::{self, Fields};
use crate::{analysis, Error, Locale, Result};
use expand::Automata;
use scores::{DocSpace, WordScores};
use segments::Segments;
pub use snippet::Fragment;
use snippet::{AnalyzedDoc, Stems};
use stored::Stored;

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub score: f32,
    /// The best passage of the answer, with the matched words marked.
    pub snippet: Vec<Fragment>,
}

/// Articles to show before the shopper types anything.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestions {
    /// The articles were chosen for this page (else they are the popular ones).
    pub for_page: bool,
    pub hits: Vec<Hit>,
}

/// An article as the widget displays it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleView {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Sanitized at build time; safe to insert as HTML.
    pub html: String,
}

/// A loaded FAQ bundle, ready to answer queries.
pub struct Engine {
    info: BundleInfo,
    segments: Segments,
    fields: Fields,
    /// Analyzes the query as titles and questions are analyzed (stop words kept).
    stem: TextAnalyzer,
    words: TextAnalyzer,
    stop_words: FxHashSet<String>,
    automata: Automata,
    space: DocSpace,
    typed_words: RefCell<FxHashMap<plan::TypedWord, Rc<Word>>>,
    docs: RefCell<FxHashMap<DocAddress, Rc<AnalyzedDoc>>>,
    listing: OnceCell<Listing>,
    stems: RefCell<Stems>,
}

/// Analyzed hit documents kept; enough for everything a session shows.
const DOC_CACHE_ENTRIES: usize = 512;

/// Distinct typed words (each prefix of a word being typed counts) remembered with
/// their alternatives and scores; clearing only costs recomputing.
const WORD_CACHE_ENTRIES: usize = 1024;

/// What one typed word stands for and how it scores every article it matches.
#[derive(Debug)]
struct Word {
    alternatives: plan::Alternatives,
    scores: WordScores,
}

/// Unpacks a bundle into an in-memory tantivy index with Shopdesk's analyzers.
fn open_index(bytes: &[u8]) -> Result<(BundleInfo, Index)> {
    let entries = bundle::unpack(bytes)?;
    let mut info = None;
    let dir = RamDirectory::create();
    for (name, data) in entries {
        if name == INFO_ENTRY {
            // From text, as tantivy reads its own JSON: one JSON reader in the
            // browser module, not two.
            let text = std::str::from_utf8(data)
                .map_err(|_| Error::BadBundle(format!("`{INFO_ENTRY}` is not UTF-8")))?;
            info = Some(serde_json::from_str::<BundleInfo>(text)?);
        } else {
            dir.atomic_write(Path::new(name), data)
                .map_err(|e| Error::BadBundle(format!("cannot load `{name}`: {e}")))?;
        }
    }
    let info = info.ok_or_else(|| Error::BadBundle(format!("no `{INFO_ENTRY}` entry")))?;
    // No analyzers registered: the engine analyzes queries and snippets with its own,
    // and nothing here writes to the index, which is all tantivy would use them for.
    let index = Index::open(dir)?;
    Ok((info, index))
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("info", &self.info).finish()
    }
}

impl Engine {
    /// Opens a bundle produced by [`crate::indexing::build_bundle`].
    pub fn open(bytes: &[u8]) -> Result<Self> {
        let (info, index) = open_index(bytes)?;
        let fields = schema::fields_of(&index.schema())?;
        let segments = Segments::open(&index)?;
        Ok(Self {
            space: DocSpace::of(&segments),
            segments,
            fields,
            stem: analysis::phrasing_analyzer(info.locale),
            words: analysis::words_analyzer(info.locale),
            stop_words: analysis::typed_stop_words(info.locale),
            automata: Automata::new(),
            typed_words: RefCell::default(),
            docs: RefCell::default(),
            listing: OnceCell::new(),
            stems: RefCell::new(Stems::new(info.locale)),
            info,
        })
    }

    pub fn locale(&self) -> Locale {
        self.info.locale
    }

    pub fn article_count(&self) -> u32 {
        self.info.articles
    }

    /// The best `limit` articles for what the shopper has typed so far.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut tokenizer = self.words.clone();
        let mut stem = self.stem.clone();
        let typed = plan::typed_words(&mut tokenizer, &self.stop_words, query);
        let words = typed
            .iter()
            .map(|word| self.word(word, &mut stem))
            .collect::<Result<Vec<_>>>()?;
        let top = scores::top(&self.space, words.iter().map(|w| &w.scores), limit);
        // Every alternative stem is worth marking, weighted as it was searched.
        let mut terms = snippet::Terms::default();
        for word in &words {
            for (stem, weight) in word.alternatives.iter() {
                let w = terms.entry(stem.as_str()).or_insert(0.0);
                *w = w.max(*weight);
            }
        }
        top.into_iter()
            .map(|(score, doc)| {
                let doc = self.analyzed(self.space.address(doc))?;
                Ok(Hit {
                    id: doc.id.clone(),
                    title: doc.title.clone(),
                    category: doc.category.clone(),
                    score,
                    snippet: doc.snippet(&terms),
                })
            })
            .collect()
    }

    /// A typed word's alternatives and scores, computed once per distinct word: while a
    /// shopper types, every keystroke repeats the words before the last one.
    fn word(&self, typed: &plan::TypedWord, stem: &mut TextAnalyzer) -> Result<Rc<Word>> {
        let key = typed.clone();
        if let Some(word) = self.typed_words.borrow().get(&key) {
            return Ok(word.clone());
        }
        let alternatives = plan::Planner {
            segments: &self.segments,
            fields: &self.fields,
            automata: &self.automata,
            stop_words: &self.stop_words,
            stem,
        }
        .alternatives(typed)?;
        let scores = scores::word_scores(&self.segments, &self.space, &self.fields, &alternatives)?;
        let word = Rc::new(Word {
            alternatives,
            scores,
        });
        let mut cache = self.typed_words.borrow_mut();
        if cache.len() >= WORD_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, word.clone());
        Ok(word)
    }

    /// A hit's document, analyzed once and then remembered: the same articles come back
    /// keystroke after keystroke.
    fn analyzed(&self, addr: DocAddress) -> Result<Rc<AnalyzedDoc>> {
        if let Some(doc) = self.docs.borrow().get(&addr) {
            return Ok(doc.clone());
        }
        let stored: Stored = self.segments.doc(addr)?;
        let doc = Rc::new(AnalyzedDoc::new(
            &stored,
            &self.fields,
            &mut self.stems.borrow_mut(),
        ));
        let mut docs = self.docs.borrow_mut();
        if docs.len() >= DOC_CACHE_ENTRIES {
            docs.clear();
        }
        docs.insert(addr, doc.clone());
        Ok(doc)
    }

    /// Queries that walk every path of [`Engine::search`] over this index's own
    /// words: an article title as typed (completions, scoring, snippets), another
    /// title with a misspelt word followed by more words (typo corrections and
    /// misspelt completions), and a word no article uses.
    ///
    /// A browser compiles WebAssembly lazily and optimizes only code that has already
    /// run, so a shopper's first keystrokes would otherwise run the slowest code. The
    /// widget types these, one prefix at a time, while it is idle after loading and
    /// then calls [`Engine::forget`].
    pub fn warm_up_queries(&self) -> Result<Vec<String>> {
        let mut titles = Vec::with_capacity(2);
        'segments: for (ord, segment) in self.segments.readers().iter().enumerate() {
            for doc_id in segment.doc_ids_alive() {
                let doc: Stored = self.segments.doc(DocAddress::new(ord as u32, doc_id))?;
                titles.push(
                    doc.text(self.fields.title)
                        .unwrap_or_default()
                        .to_lowercase(),
                );
                if titles.len() == 2 {
                    break 'segments;
                }
            }
        }
        let mut out = Vec::with_capacity(3);
        if let Some(first) = titles.first() {
            out.push(first.clone());
        }
        if let Some(second) = titles.get(1) {
            out.push(misspell_first_long_word(second));
        }
        out.push("qwxz".to_string());
        Ok(out)
    }

    /// Drops everything remembered from earlier searches (words, analyzed hits,
    /// stems), e.g. after [`Engine::warm_up_queries`] so a shopper's session starts
    /// from the same state as it would without warming up.
    pub fn forget(&self) {
        self.typed_words.borrow_mut().clear();
        self.docs.borrow_mut().clear();
        self.stems.borrow_mut().clear();
    }

    /// The article with `id`, for display.
    pub fn article(&self, id: &str) -> Result<Option<ArticleView>> {
        let Some(addr) = self.address_of(id)? else {
            return Ok(None);
        };
        let doc: Stored = self.segments.doc(addr)?;
        Ok(Some(ArticleView {
            id: doc.text(self.fields.id).unwrap_or_default(),
            title: doc.text(self.fields.title).unwrap_or_default(),
            category: doc.text(self.fields.category),
            html: doc.text(self.fields.html).unwrap_or_default(),
        }))
    }

    /// What to show before the shopper types: the articles whose page patterns match
    /// `path` (the editors said they belong there), else the most asked-about article
    /// of each category, largest categories first, then their next ones, up to
    /// `limit`. "Most asked-about" is the article with the most alternative questions:
    /// editors write more phrasings for what shoppers ask most.
    pub fn suggestions(&self, path: &str, limit: usize) -> Result<Suggestions> {
        let listing = match self.listing.get() {
            Some(listing) => listing,
            None => {
                let built = Listing::read(&self.segments, &self.fields)?;
                self.listing.get_or_init(|| built)
            }
        };
        let mut for_page: Vec<&Listed> = listing
            .articles
            .iter()
            .filter(|a| a.pages.iter().any(|p| p.matches(path)))
            .collect();
        let (for_page, chosen) = if for_page.is_empty() {
            let popular = listing.popular.iter().map(|&i| &listing.articles[i]);
            (false, popular.take(limit).collect::<Vec<_>>())
        } else {
            crate::order::sort_by(&mut for_page, |a, b| a.id.cmp(&b.id));
            for_page.truncate(limit);
            (true, for_page)
        };
        let hits = chosen
            .into_iter()
            .map(|a| {
                let doc: Stored = self.segments.doc(a.addr)?;
                Ok(Hit {
                    id: a.id.clone(),
                    title: doc.text(self.fields.title).unwrap_or_default(),
                    category: doc.text(self.fields.category),
                    score: 0.0,
                    snippet: snippet::lead(&doc.text(self.fields.body).unwrap_or_default()),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Suggestions { for_page, hits })
    }

    fn address_of(&self, id: &str) -> Result<Option<DocAddress>> {
        Ok(scores::find(&self.segments, self.fields.id, id)?)
    }
}

/// What suggestions need of every article. Read from the doc store on first use and
/// kept: the index never changes, and reading every stored article again each time the
/// search box is cleared would cost milliseconds per thousand articles.
struct Listing {
    articles: Vec<Listed>,
    /// Indexes into `articles`: one per category per round, largest categories first,
    /// most questions first inside a category.
    popular: Vec<usize>,
}

struct Listed {
    addr: DocAddress,
    id: String,
    pages: Vec<UrlPattern>,
}

impl Listing {
    fn read(segments: &Segments, fields: &Fields) -> Result<Self> {
        let mut articles = Vec::new();
        // (category, [(number of questions, id, index into articles)])
        type Group = (Option<String>, Vec<(usize, String, usize)>);
        let mut groups: Vec<Group> = Vec::new();
        for (segment_ord, segment) in segments.readers().iter().enumerate() {
            for doc_id in segment.doc_ids_alive() {
                let addr = DocAddress::new(segment_ord as u32, doc_id);
                let doc: Stored = segments.doc(addr)?;
                let id = doc.text(fields.id).unwrap_or_default();
                let category = doc.text(fields.category);
                let questions = doc.all(fields.questions).count();
                let entry = (questions, id.clone(), articles.len());
                match groups.iter_mut().find(|(c, _)| *c == category) {
                    Some((_, list)) => list.push(entry),
                    None => groups.push((category, vec![entry])),
                }
                let pages = doc
                    .all(fields.pages)
                    .filter_map(|p| UrlPattern::parse(p).ok())
                    .collect();
                articles.push(Listed { addr, id, pages });
            }
        }
        for (_, list) in &mut groups {
            crate::order::sort_by(list, |a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        }
        crate::order::sort_by(&mut groups, |a, b| {
            b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0))
        });
        let rounds = groups.iter().map(|(_, list)| list.len()).max().unwrap_or(0);
        let popular = (0..rounds)
            .flat_map(|round| groups.iter().filter_map(move |(_, list)| list.get(round)))
            .map(|(_, _, i)| *i)
            .collect();
        Ok(Self { articles, popular })
    }
}

/// `title` with two letters swapped in its first word of five or more letters, moved
/// to the front so it is typed as a finished (misspelt) word.
fn misspell_first_long_word(title: &str) -> String {
    let mut words: Vec<String> = title.split_whitespace().map(str::to_string).collect();
    if let Some(i) = words.iter().position(|w| w.chars().count() >= 5) {
        let mut chars: Vec<char> = words[i].chars().collect();
        chars.swap(1, 2);
        let typo = chars.into_iter().collect();
        words.remove(i);
        words.insert(0, typo);
    }
    words.join(" ")
}
