//! An answer, read inside the panel.

use leptos::prelude::*;

use faq_core::ArticleView as Article;

/// Shows `article`; `on_back` returns to the results with the query kept.
#[component]
pub(crate) fn ArticleView(
    article: Article,
    on_back: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let back_ref = NodeRef::<leptos::html::Button>::new();
    // Keyboard and screen-reader users land on the answer, not at the top of the page.
    Effect::new(move |_| {
        if let Some(b) = back_ref.get() {
            let _ = b.focus();
        }
    });
    view! {
        <article class="sd-article" data-testid="sd-article" data-id=article.id>
            <button class="sd-back" type="button" data-testid="sd-back" node_ref=back_ref on:click=move |_| on_back()>
                "← Back to results"
            </button>
            <h3 class="sd-article-title">{article.title}</h3>
            // Sanitized by faq-indexer at build time (no scripts, handlers or js: URLs).
            <div class="sd-answer" inner_html=article.html></div>
        </article>
    }
}
