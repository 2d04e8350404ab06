//! The search engine over real bundles built in memory: ranking behaviour the widget
//! promises shoppers.

use faq_core::indexing::build_bundle;
use faq_core::{Article, Engine, Locale};

fn article(id: &str, title: &str, questions: &[&str], text: &str) -> Article {
    Article {
        id: id.into(),
        title: title.into(),
        category: None,
        tags: vec![],
        questions: questions.iter().map(|q| q.to_string()).collect(),
        pages: vec![],
        locale: Locale::En,
        html: format!("<p>{text}</p>"),
        text: text.into(),
        synonyms: Vec::new(),
    }
}

fn store() -> Vec<Article> {
    vec![
        article(
            "shipping-costs",
            "How much does shipping cost?",
            &["is delivery free", "postage price"],
            "Standard shipping is free over 60 euros, otherwise it costs 4.95.",
        ),
        article(
            "shopping-bag",
            "Where is my shopping bag?",
            &["see my basket"],
            "Your shopping bag keeps items for 30 days while you are signed in.",
        ),
        article(
            "return-policy",
            "What is your return policy?",
            &[
                "can I send something back",
                "send back an item",
                "send back my order",
            ],
            "Return unworn items within 30 days for a full refund.",
        ),
        article(
            "payment-methods",
            "Which payment methods do you accept?",
            &["can I pay with paypal"],
            "We accept Visa, Mastercard, PayPal and Klarna.",
        ),
        article(
            "international",
            "Do you deliver internationally?",
            &["shipping abroad"],
            "We deliver to every EU country and to Switzerland, Norway and the UK.",
        ),
    ]
}

fn engine() -> Engine {
    Engine::open(&build_bundle(Locale::En, &store()).unwrap()).unwrap()
}

/// The words marked in the best hit's snippet.
fn marked(engine: &Engine, query: &str) -> Vec<String> {
    engine.search(query, 1).unwrap()[0]
        .snippet
        .iter()
        .filter(|f| f.mark)
        .map(|f| f.text.clone())
        .collect()
}

fn ids(engine: &Engine, query: &str) -> Vec<String> {
    engine
        .search(query, 10)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn misspelled_words_find_the_article() {
    let e = engine();
    assert_eq!(ids(&e, "retrun polcy")[0], "return-policy");
    assert_eq!(ids(&e, "paymnet methods")[0], "payment-methods");
    assert_eq!(ids(&e, "internationaly")[0], "international");
}

#[test]
fn the_word_being_typed_matches_as_a_prefix() {
    let e = engine();
    assert_eq!(ids(&e, "payp")[0], "payment-methods");
    assert_eq!(ids(&e, "refu")[0], "return-policy");
    // Once a space follows, a word is complete and no longer completed.
    assert!(ids(&e, "refu ").is_empty());
}

#[test]
fn exact_matches_outrank_typo_corrections() {
    let e = engine();
    // "shopping" is one edit from "shipping": the exact word must win.
    assert_eq!(ids(&e, "shopping ")[0], "shopping-bag");
    assert_eq!(ids(&e, "shipping ")[0], "shipping-costs");
}

#[test]
fn a_rarer_completion_never_outranks_the_word_as_typed() {
    let articles = [
        article("rental", "Car rental", &[], "Rent a car by the day."),
        article("insurance", "Car insurance", &[], "Every car is insured."),
        article("parking", "Car parks", &[], "Park your car for free."),
        article(
            "carry-on",
            "Carry-on luggage",
            &[],
            "One bag per passenger.",
        ),
        article("seats", "Seats", &[], "Choose a seat when you book."),
    ];
    let e = Engine::open(&build_bundle(Locale::En, &articles).unwrap()).unwrap();
    // "car" is still being typed, so "carry" is a candidate; it is rarer, but it is
    // a guess, and it must not beat the articles about the word typed.
    let found = ids(&e, "book a car");
    assert_eq!(
        found.last().map(String::as_str),
        Some("carry-on"),
        "{found:?}"
    );
    assert!(found.len() >= 4, "{found:?}");
    assert_eq!(ids(&e, "carr")[0], "carry-on");
}

#[test]
fn an_article_matched_by_several_questions_is_one_result() {
    let e = engine();
    let found = ids(&e, "send back");
    assert_eq!(found[0], "return-policy");
    assert_eq!(found.iter().filter(|id| *id == "return-policy").count(), 1);
}

#[test]
fn snippets_mark_the_matched_words() {
    assert_eq!(marked(&engine(), "refund"), ["refund"]);
}

#[test]
fn empty_queries_and_stop_words_alone_return_nothing() {
    let e = engine();
    assert!(ids(&e, "").is_empty());
    assert!(ids(&e, "   ").is_empty());
    assert!(ids(&e, "?! ").is_empty());
    assert!(e.search("shipping", 0).unwrap().is_empty());
}

/// Two articles about the same things, asked differently: stop words decide, and
/// without them the tie went to whichever was indexed first.
fn phrasings() -> Engine {
    let articles = [
        article(
            "can-return",
            "Can I return an item?",
            &[],
            "Returns are free.",
        ),
        article(
            "how-return",
            "How do I return an item?",
            &[],
            "Returns are free.",
        ),
        article(
            "how-track",
            "How do I track my order?",
            &[],
            "Follow the link.",
        ),
        article(
            "how-size",
            "How do I find my size?",
            &[],
            "See the size chart.",
        ),
        article("pay", "Paying by card", &[], "We take cards."),
    ];
    Engine::open(&build_bundle(Locale::En, &articles).unwrap()).unwrap()
}

#[test]
fn stop_words_prefer_the_question_phrased_like_the_query() {
    let e = phrasings();
    assert_eq!(ids(&e, "how do i return an item")[0], "how-return");
    assert_eq!(ids(&e, "can i return an item")[0], "can-return");
    // Alone they find nothing: "how do i " or "my " would match half the help centre.
    assert!(ids(&e, "how do i ").is_empty());
    assert!(ids(&e, "my ").is_empty());
    // A stop word being typed still completes to content words.
    assert_eq!(ids(&e, "how do i pa")[0], "pay");
}

#[test]
fn a_content_word_outweighs_stop_words_many_articles_share() {
    let e = phrasings();
    assert_eq!(ids(&e, "how do i pay ")[0], "pay");
    // And they are not what a snippet marks.
    assert_eq!(marked(&e, "how do i pay with my card"), ["cards"]);
}

#[test]
fn articles_open_by_id() {
    let e = engine();
    let a = e.article("return-policy").unwrap().unwrap();
    assert_eq!(a.title, "What is your return policy?");
    assert!(a.html.contains("30 days"));
    assert!(e.article("nope").unwrap().is_none());
}

#[test]
fn bundles_are_byte_identical_for_the_same_articles_in_any_order() {
    let mut reversed = store();
    reversed.reverse();
    assert_eq!(
        build_bundle(Locale::En, &store()).unwrap(),
        build_bundle(Locale::En, &reversed).unwrap()
    );
}

#[test]
fn other_locales_use_their_own_stemmer() {
    let mut a = article(
        "ruecksendung",
        "Wie schicke ich einen Artikel zurück?",
        &["Rücksendung starten"],
        "Rücksendungen sind innerhalb von 30 Tagen kostenlos.",
    );
    a.locale = Locale::De;
    let e = Engine::open(&build_bundle(Locale::De, &[a]).unwrap()).unwrap();
    assert_eq!(e.locale(), Locale::De);
    assert_eq!(ids(&e, "rucksendung")[0], "ruecksendung");
}

#[test]
fn warm_up_uses_the_index_words_and_leaves_no_trace() {
    let warmed = engine();
    let queries = warmed.warm_up_queries().unwrap();
    assert_eq!(queries.len(), 3);
    let titles: Vec<String> = store().iter().map(|a| a.title.to_lowercase()).collect();
    assert!(titles.contains(&queries[0]), "{queries:?}");
    // The misspelt title still finds articles: corrections ran.
    assert!(!titles.contains(&queries[1]), "{queries:?}");
    assert!(!ids(&warmed, &queries[1]).is_empty(), "{queries:?}");
    for q in &queries {
        for end in (1..=q.len()).filter(|&i| q.is_char_boundary(i)) {
            warmed.search(&q[..end], 8).unwrap();
        }
    }
    warmed.forget();
    let fresh = engine();
    for q in ["shiping", "retu", "paypal", "send back"] {
        assert_eq!(
            warmed.search(q, 8).unwrap(),
            fresh.search(q, 8).unwrap(),
            "{q}"
        );
    }
}

#[test]
fn suggestions_follow_the_page_else_the_popular_articles_per_category() {
    let mut articles = store();
    articles[0].pages = vec!["/checkout*".into()];
    articles[3].pages = vec!["/checkout/payment".into()];
    articles[0].category = Some("Shipping".into());
    articles[4].category = Some("Shipping".into());
    articles[2].category = Some("Returns".into());
    let bundle = build_bundle(Locale::En, &articles).unwrap();
    let engine = Engine::open(&bundle).unwrap();

    let checkout = engine.suggestions("/checkout/payment", 5).unwrap();
    assert!(checkout.for_page);
    let ids: Vec<_> = checkout.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["payment-methods", "shipping-costs"]);
    assert_eq!(engine.suggestions("/checkout", 5).unwrap().hits.len(), 1);

    let home = engine.suggestions("/", 3).unwrap();
    assert!(!home.for_page);
    let ids: Vec<_> = home.hits.iter().map(|h| h.id.as_str()).collect();
    // Uncategorised (2 articles) and Shipping (2) come before Returns (1); inside a
    // category the article with more questions leads.
    assert_eq!(ids, ["payment-methods", "shipping-costs", "return-policy"]);
    assert!(home.hits.iter().all(|h| !h.snippet.is_empty()));
}
