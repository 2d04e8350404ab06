//! The panel's components: search box and status, result list, answer view.

mod article;
mod results;

use faq_core::{ArticleView, Hit};
use leptos::html;
use leptos::prelude::*;
use web_sys::{Element, KeyboardEvent};

use crate::engine::{self, Status};

/// Moves the highlighted result, wrapping around, as a combobox does.
fn step(active: Option<usize>, len: usize, down: bool) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match (active, down) {
        (None, true) => 0,
        (None, false) => len - 1,
        (Some(i), true) => (i + 1) % len,
        (Some(i), false) => (i + len - 1) % len,
    })
}

/// The panel's body: search box, status, results and the open answer.
///
/// `panel` is the launcher's dialog element (its `data-engine` attribute follows the
/// index status); `query` is what the shopper typed before the widget arrived.
#[component]
pub(crate) fn Panel(panel: Element, base: String, locale: String, query: String) -> impl IntoView {
    let status = engine::load(base, locale);
    let query = RwSignal::new(query);
    let results = RwSignal::new(Vec::<Hit>::new());
    let active = RwSignal::new(None::<usize>);
    let article = RwSignal::new(None::<ArticleView>);
    let input_ref = NodeRef::<html::Input>::new();

    Effect::new(move |_| {
        let _ = panel.set_attribute("data-engine", status.get().name());
    });

    // Answer in the input handler itself, not in an effect: a keystroke's results reach
    // the screen without waiting for the reactive scheduler.
    let run_search = move |q: &str| {
        let ready = matches!(status.get_untracked(), Status::Ready { .. });
        let hits = if ready && !q.trim().is_empty() {
            engine::search(q)
        } else {
            Vec::new()
        };
        if active.get_untracked().is_some() {
            active.set(None);
        }
        // Unchanged results (common while a word is completed) cost no rendering.
        if results.with_untracked(|r| *r != hits) {
            results.set(hits);
        }
    };
    // Whatever was typed while the index loaded is answered once it is ready.
    Effect::new(move |_| {
        if matches!(status.get(), Status::Ready { .. }) {
            query.with_untracked(|q| run_search(q));
        }
    });

    let open_article = move |id: String| {
        if let Some(a) = engine::article(&id) {
            article.set(Some(a));
        }
    };
    let back = move || {
        article.set(None);
        // After the search box is shown again: a hidden element cannot take focus.
        request_animation_frame(move || {
            if let Some(input) = input_ref.get_untracked() {
                let _ = input.focus();
            }
        });
    };

    // Escape is the launcher's (it closes the panel); arrows and Enter are ours.
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "ArrowUp" => {
            ev.prevent_default();
            let len = results.with_untracked(Vec::len);
            active.update(|a| *a = step(*a, len, ev.key() == "ArrowDown"));
        }
        "Enter" => {
            let chosen = results.with_untracked(|r| {
                r.get(active.get_untracked().unwrap_or(0))
                    .map(|h| h.id.clone())
            });
            if let Some(id) = chosen {
                ev.prevent_default();
                open_article(id);
            }
        }
        _ => {}
    };

    let status_text = move || {
        let q = query.get();
        let n = results.with(Vec::len);
        match status.get() {
            Status::Failed => {
                "Help articles could not be loaded right now. Please try again later.".to_string()
            }
            Status::Loading if !q.trim().is_empty() => "Loading answers…".to_string(),
            Status::Ready { .. } if !q.trim().is_empty() && n == 0 => {
                format!("No answers found for “{}”. Try other words.", q.trim())
            }
            Status::Ready { .. } if n > 0 => {
                format!("{n} answer{}", if n == 1 { "" } else { "s" })
            }
            _ => "Ask a question, e.g. “how do I return an item?”".to_string(),
        }
    };
    let status_class = move || match status.get() {
        Status::Failed => "sd-status sd-status-error",
        Status::Loading if !query.with(|q| q.trim().is_empty()) => "sd-status sd-status-loading",
        _ => "sd-status",
    };
    let fallback_note = move || match status.get() {
        Status::Ready {
            fallback: true,
            locale,
        } => Some(view! {
            <p class="sd-note">{format!("Articles are shown in another language ({locale}).")}</p>
        }),
        _ => None,
    };

    view! {
        <div class="sd-search" hidden=move || article.with(Option::is_some) on:keydown=on_keydown>
            <input
                class="sd-input"
                type="search"
                data-testid="sd-input"
                role="combobox"
                aria-label="Search help articles"
                aria-autocomplete="list"
                aria-controls="sd-listbox"
                aria-expanded=move || results.with(|r| !r.is_empty()).to_string()
                aria-activedescendant=move || active.get().map(|i| format!("sd-opt-{i}"))
                placeholder="Search help articles"
                autocomplete="off"
                spellcheck="false"
                node_ref=input_ref
                prop:value=move || query.get()
                on:input=move |ev| {
                    let q = event_target_value(&ev);
                    run_search(&q);
                    query.set(q);
                }
            />
            <p class=status_class data-testid="sd-status" role="status" aria-live="polite">
                {status_text}
            </p>
            {fallback_note}
            <results::ResultList results=results active=active on_open=open_article />
        </div>
        {move || article.get().map(|a| view! { <article::ArticleView article=a on_back=back /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::step;

    #[test]
    fn arrow_keys_wrap_around() {
        assert_eq!(step(None, 3, true), Some(0));
        assert_eq!(step(None, 3, false), Some(2));
        assert_eq!(step(Some(2), 3, true), Some(0));
        assert_eq!(step(Some(0), 3, false), Some(2));
        assert_eq!(step(Some(0), 0, true), None);
    }
}
