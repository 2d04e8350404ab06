//! The list of answers under the search box.

use leptos::either::Either;
use leptos::prelude::*;

use faq_core::Hit;

/// Renders `results`; `active` is the keyboard-highlighted one, `on_open` opens an id.
#[component]
pub(crate) fn ResultList(
    results: RwSignal<Vec<Hit>>,
    active: RwSignal<Option<usize>>,
    on_open: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <ul class="sd-results" id="sd-listbox" role="listbox" aria-label="Answers">
            {move || {
                results
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(i, hit)| {
                        let id = hit.id.clone();
                        let is_active = move || active.get() == Some(i);
                        view! {
                            <li
                                class="sd-result"
                                class:sd-active=is_active
                                id=format!("sd-opt-{i}")
                                role="option"
                                data-testid="sd-result"
                                data-id=hit.id.clone()
                                aria-selected=move || is_active().to_string()
                                on:click=move |_| on_open(id.clone())
                            >
                                <span class="sd-result-title">{hit.title}</span>
                                <span class="sd-snippet">
                                    {hit
                                        .snippet
                                        .into_iter()
                                        .map(|fragment| {
                                            if fragment.mark {
                                                Either::Left(view! { <mark>{fragment.text}</mark> })
                                            } else {
                                                Either::Right(fragment.text)
                                            }
                                        })
                                        .collect_view()}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}
