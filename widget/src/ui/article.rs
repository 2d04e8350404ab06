//! An answer, read inside the panel, with "Was this helpful?" under it.

use leptos::prelude::*;
use shopdesk_i18n::Text;
use shopdesk_settings::Settings;

use faq_core::ArticleView as Article;

use shopdesk_web::outbox;

use crate::feedback;

/// Where the helpfulness prompt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Waiting,
    /// "No" was chosen: the optional comment box is open.
    Comment,
    Thanked,
}

/// Shows `article`; `on_back` returns to the results with the query kept.
#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn ArticleView(
    article: Article,
    text: &'static Text,
    settings: Settings,
    on_back: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let back_ref = NodeRef::<leptos::html::Button>::new();
    // Keyboard and screen-reader users land on the answer, not at the top of the page.
    Effect::new(move |_| {
        if let Some(b) = back_ref.get() {
            let _ = b.focus();
        }
    });
    let feedback = settings.feedback_endpoint.clone().map(|endpoint| {
        view! { <Helpful article_id=article.id.clone() endpoint=endpoint text=text /> }
    });
    view! {
        <article class="sd-article" data-testid="sd-article" data-id=article.id>
            <button class="sd-back" type="button" data-testid="sd-back" node_ref=back_ref on:click=move |_| on_back()>
                <span aria-hidden="true" class="sd-back-arrow">"←"</span>
                {text.back}
            </button>
            <h3 class="sd-article-title">{article.title}</h3>
            // Sanitized by faq-indexer at build time (no scripts, handlers or js: URLs).
            <div class="sd-answer" inner_html=article.html></div>
            {feedback}
        </article>
    }
}

/// "Was this helpful? Yes / No", and on No an optional comment.
#[component]
fn Helpful(article_id: String, endpoint: String, text: &'static Text) -> impl IntoView {
    let asked = RwSignal::new(Asked::Waiting);
    let comment = RwSignal::new(String::new());
    let locale = text.shell.code;
    let widget = crate::context::Widget::get();
    let voted = {
        let article = article_id.clone();
        move |helpful: bool| {
            widget.record(crate::analytics::Step::Voted {
                article: article.clone(),
                helpful,
            })
        }
    };
    let voted = StoredValue::new_local(voted);
    let send = move |helpful: bool, note: Option<String>| {
        let event = feedback::article_event(&article_id, helpful, note, locale);
        outbox::submit(endpoint.clone(), event);
        voted.with_value(|v| v(helpful));
        asked.set(Asked::Thanked);
    };
    let send = StoredValue::new_local(send);
    view! {
        <section class="sd-helpful" data-testid="sd-helpful" aria-label=text.helpful>
            {move || match asked.get() {
                Asked::Waiting => view! {
                    <p class="sd-helpful-question">{text.helpful}</p>
                    <div class="sd-helpful-buttons">
                        <button type="button" class="sd-chip" data-testid="sd-helpful-yes"
                            on:click=move |_| send.with_value(|s| s(true, None))>{text.yes}</button>
                        <button type="button" class="sd-chip" data-testid="sd-helpful-no"
                            on:click=move |_| {
                                voted.with_value(|v| v(false));
                                asked.set(Asked::Comment);
                            }>{text.no}</button>
                    </div>
                }.into_any(),
                Asked::Comment => view! {
                    <form class="sd-helpful-form" on:submit=move |ev| {
                        ev.prevent_default();
                        send.with_value(|s| s(false, Some(comment.get_untracked())));
                    }>
                        <label class="sd-label" for="sd-comment">{text.comment_label}</label>
                        <textarea id="sd-comment" class="sd-comment" data-testid="sd-comment" rows="3" maxlength="1000"
                            prop:value=move || comment.get()
                            on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        <button type="submit" class="sd-chip sd-send" data-testid="sd-helpful-send">{text.send}</button>
                    </form>
                }.into_any(),
                Asked::Thanked => view! {
                    <p class="sd-thanks" role="status" data-testid="sd-thanks">{text.thanks}</p>
                }.into_any(),
            }}
        </section>
    }
}
