//! The panel's components: search box and status, result list, answer view, and the
//! way to a person (the chat itself is the chat module's, see `crate::chat`).

mod article;
mod pause;
mod results;
mod viewport;

use faq_core::{ArticleView, Hit};
use leptos::html;
use leptos::prelude::*;
use serde_json::json;
use shopdesk_i18n::Text;
use shopdesk_page_api::Command;
use shopdesk_settings::Settings;
use wasm_bindgen::JsValue;
use web_sys::KeyboardEvent;

use crate::analytics::Step;
use crate::chat::{Chat, Module};
use crate::context::Widget;
use crate::engine::Status;
use crate::js;
use pause::Input;

/// Quiet time after the last keystroke before a `search` event reports the query:
/// merchants want what shoppers asked, not every prefix of it.
const SEARCH_EVENT_DELAY_MS: f64 = 700.0;

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

/// What the list under the search box shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    /// Nothing typed yet: suggested articles for this page (`true`) or popular ones.
    Suggested {
        for_page: bool,
    },
    Results,
}

/// The line under the search box: what the list shows, or why it shows nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Hint,
    Loading,
    Failed,
    /// Nothing matched the (trimmed) query.
    NoResults(String),
    Answers(usize),
}

impl Line {
    /// The line for the index's `status`, the `query` in the box and `n` results.
    fn of(status: &Status, query: &str, n: usize) -> Line {
        let q = query.trim();
        match status {
            Status::Failed => Line::Failed,
            _ if q.is_empty() => Line::Hint,
            Status::Loading => Line::Loading,
            Status::Ready { .. } if n == 0 => Line::NoResults(q.to_string()),
            Status::Ready { .. } => Line::Answers(n),
        }
    }

    fn text(&self, text: &Text) -> String {
        match self {
            Line::Hint => text.shell.hint.to_string(),
            Line::Loading => text.shell.loading.to_string(),
            Line::Failed => text.shell.failed.to_string(),
            Line::NoResults(q) => text.no_results(q),
            Line::Answers(n) => text.answers(*n),
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Line::Failed => "sd-status sd-status-error",
            Line::Loading => "sd-status sd-status-loading",
            _ => "sd-status",
        }
    }
}

/// Sets `signal` only when `value` differs, so its subscribers (and the DOM) stay
/// untouched by a keystroke that changes nothing they show.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

/// Where the FAQ index is: the `indexUrl` setting, else `faq/` beside the widget.
pub(crate) fn index_url(settings: &Settings) -> String {
    settings
        .index_url
        .clone()
        .unwrap_or_else(|| format!("{}faq/", settings.asset_url.as_deref().unwrap_or("./")))
}

/// The panel's body: search box, status, results and the open answer, for the
/// [`Widget`] in context. `query` is what the shopper typed before the widget arrived.
#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn Panel(settings: Settings, locale: String, query: String) -> impl IntoView {
    let text: &'static Text = Text::for_tag(&locale);
    let widget = Widget::get();
    let search = widget.search;
    let status = search.status;
    // The widget's owner is this view's parent: it is there while the view is built.
    let panel = widget
        .panel()
        .expect("the panel is built inside the mounted widget");
    // A keystroke writes the signals below only when what they show changes: each
    // subscriber costs a reactive update per keystroke, and keystroke latency is the
    // widget's tightest budget (BENCHMARKS.md, "Browser latency").
    //
    // What the shopper typed; nothing renders it, so typing notifies nobody.
    let query = StoredValue::new(query);
    // The search box's value when set from outside (`shopdesk.search`): typing leaves
    // the box alone instead of writing back what the browser already shows.
    let shown_query = RwSignal::new(query.get_value());
    let results = RwSignal::new(Vec::<Hit>::new());
    let has_results = RwSignal::new(false);
    let line = RwSignal::new(Line::Hint);
    let listing = RwSignal::new(Listing::Results);
    let active = RwSignal::new(None::<usize>);
    let article = RwSignal::new(None::<ArticleView>);
    let pending_article = RwSignal::new(None::<String>);
    let input_ref = NodeRef::<html::Input>::new();

    let chat = widget.chat;
    // Search and answers, or the chat with a person in front of them.
    let chatting = move || chat.is_some_and(|c| c.shown.get());
    viewport::follow(&panel);
    Effect::new(move |_| {
        let now = status.get();
        let _ = panel.set_attribute("data-engine", now.name());
        let n = results.with_untracked(Vec::len);
        query.with_value(|q| set_if_changed(line, Line::of(&now, q, n)));
    });

    // A search counts (for the handoff and the `search` event) once the shopper pauses.
    let searched = pause::after_pause(SEARCH_EVENT_DELAY_MS, move || {
        let q = query.with_value(|q| q.trim().to_string());
        let n = results.with_untracked(Vec::len);
        widget.remember(|h| h.searched(&q));
        js::emit("search", &json!({ "query": q, "results": n }));
        widget.record(Step::Searched {
            query: q,
            results: n as u32,
        });
    });

    // Leaving the page (or switching away) ends the search session; what was typed
    // just before counts, without waiting for the pause.
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        let target = document.clone();
        shopdesk_web::listen::on(&target, "visibilitychange", move || {
            if document.hidden() {
                searched(Input::Leaving);
                widget.record(Step::Left);
            }
        });
    }

    // Answer in the input handler itself, not in an effect: a keystroke's results reach
    // the screen without waiting for the reactive scheduler.
    let run_search = move |q: &str| {
        let now = status.get_untracked();
        let ready = matches!(now, Status::Ready { .. });
        let (hits, listed) = if !ready {
            (Vec::new(), Listing::Results)
        } else if q.trim().is_empty() {
            match search.suggestions(&page_path()) {
                Some(s) => (
                    s.hits,
                    Listing::Suggested {
                        for_page: s.for_page,
                    },
                ),
                None => (Vec::new(), Listing::Results),
            }
        } else {
            (search.search(q), Listing::Results)
        };
        if active.get_untracked().is_some() {
            active.set(None);
        }
        set_if_changed(listing, listed);
        set_if_changed(line, Line::of(&now, q, hits.len()));
        set_if_changed(has_results, !hits.is_empty());
        // Unchanged results (common while a word is completed) cost no rendering.
        set_if_changed(results, hits);
        searched(if q.trim().is_empty() {
            Input::Nothing
        } else {
            Input::Pending
        });
    };

    let open_article = move |id: String| match search.article(&id) {
        Some(a) => {
            widget.remember(|h| h.viewed(&a.id));
            js::emit("article:view", &json!({ "id": a.id, "title": a.title }));
            article.set(Some(a));
        }
        None => js::report(&format!("there is no help article with id `{id}`")),
    };
    // A result opened from a search: the search counts (if the shopper did not pause
    // before), and what they read with it. Suggestions for an empty box are no search.
    let open_result = move |id: String| {
        let q = query.with_value(|q| q.trim().to_string());
        if !q.is_empty() {
            let n = results.with_untracked(Vec::len) as u32;
            widget.record(Step::Searched {
                query: q,
                results: n,
            });
            widget.record(Step::Opened(id.clone()));
        }
        open_article(id);
    };
    // Whatever was typed (or asked for through the API) while the index loaded is
    // answered once it is ready.
    Effect::new(move |_| {
        if matches!(status.get(), Status::Ready { .. }) {
            query.with_value(|q| run_search(q));
            if let Some(id) = pending_article.get_untracked() {
                pending_article.set(None);
                open_article(id);
            }
        }
    });

    let back = move || {
        article.set(None);
        if let Some(c) = chat.filter(|c| c.shown.get_untracked()) {
            c.shown.set(false);
        }
        // After the search box is shown again: a hidden element cannot take focus.
        request_animation_frame(move || {
            if let Some(input) = input_ref.get_untracked() {
                let _ = input.focus();
            }
        });
    };
    // Back from the chat (its own button): to the search box, as from an answer.
    if let Some(c) = chat {
        Effect::new(move |was_shown: Option<bool>| {
            let shown = c.shown.get();
            if was_shown == Some(true) && !shown {
                back();
            }
            shown
        });
    }

    widget.on_command(move |command, arg: JsValue| match command {
        Command::Search => {
            let q = arg.as_string().unwrap_or_default();
            article.set(None);
            run_search(&q);
            shown_query.set(q.clone());
            query.set_value(q);
        }
        Command::OpenArticle => {
            let id = arg.as_string().unwrap_or_default();
            if matches!(status.get_untracked(), Status::Ready { .. }) {
                open_article(id);
            } else {
                pending_article.set(Some(id));
            }
        }
        Command::Identify => shopdesk_web::merchant::set_identity(&arg),
        Command::SetContext => shopdesk_web::merchant::set_context(&arg),
        Command::Consent => match arg.as_bool() {
            Some(granted) => widget.consent(granted),
            None => js::report("shopdesk.consent(granted) takes true or false"),
        },
        // The launcher follows the page's URL; suggestions follow it on single-page
        // stores.
        Command::Route => {
            if query.with_value(|q| q.trim().is_empty()) {
                run_search("");
            }
        }
        // The launcher's own (the panel's frame, surveys) or handled in `lib.rs`.
        Command::Open
        | Command::Close
        | Command::Toggle
        | Command::ShowSurvey
        | Command::AfterChat
        | Command::Shutdown => js::report(&format!(
            "the help panel has no command `{}`",
            command.name()
        )),
    });

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
                open_result(id);
            }
        }
        _ => {}
    };

    let status_text = move || line.with(|l| l.text(text));
    let status_class = move || line.with(Line::class);
    let fallback_note = move || match status.get() {
        Status::Ready {
            fallback: true,
            locale,
        } => Some(
            view! { <p class="sd-note" data-testid="sd-fallback">{text.fallback(locale.tag())}</p> },
        ),
        _ => None,
    };
    let list_heading = move || match listing.get() {
        Listing::Suggested { for_page } if has_results.get() => Some(view! {
            <h3 class="sd-list-heading" id="sd-list-heading" data-testid="sd-suggested">
                {if for_page { text.suggested } else { text.popular }}
            </h3>
        }),
        _ => None,
    };

    view! {
        <div class="sd-search" hidden=move || article.with(Option::is_some) || chatting() on:keydown=on_keydown>
            <input
                class="sd-input"
                type="search"
                data-testid="sd-input"
                role="combobox"
                aria-label=text.shell.search_label
                aria-autocomplete="list"
                aria-controls="sd-listbox"
                aria-expanded=move || has_results.get().to_string()
                aria-activedescendant=move || active.get().map(|i| format!("sd-opt-{i}"))
                placeholder=text.shell.placeholder
                autocomplete="off"
                spellcheck="false"
                node_ref=input_ref
                prop:value=move || shown_query.get()
                on:input=move |ev| {
                    let q = event_target_value(&ev);
                    run_search(&q);
                    query.set_value(q);
                }
            />
            <p class=status_class data-testid="sd-status" role="status" aria-live="polite">
                {status_text}
            </p>
            {fallback_note}
            {list_heading}
            <results::ResultList results=results active=active label=text.results_label on_open=open_result />
        </div>
        {move || {
            if chatting() {
                return None;
            }
            article.get().map(|a| view! { <article::ArticleView article=a text=text settings=settings.clone() on_back=back /> })
        }}
        {chat.map(|c| view! { <ChatPlace chat=c text=text query=query results=results /> })}
    }
}

/// "Talk to a person", and the place the chat module renders into. The module is
/// fetched when the shopper reaches for the button (pointer over it or focus on it),
/// at the latest on the click.
#[component]
fn ChatPlace(
    chat: Chat,
    text: &'static Text,
    query: StoredValue<String>,
    results: RwSignal<Vec<Hit>>,
) -> impl IntoView {
    let t = &text.chat;
    let widget = Widget::get();
    let host = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(h) = host.get() {
            chat.set_host(h.into());
        }
    });
    // Until the module is there (or if it cannot come): the way back, and why waiting.
    let waiting = move || {
        let note = match chat.module.get() {
            _ if !chat.shown.get() => return None,
            Module::Mounted => return None,
            Module::Failed => view! {
                <p class="sd-status sd-status-error" role="alert" data-testid="sd-chat-unavailable">{t.unavailable}</p>
            }
            .into_any(),
            Module::NotLoaded | Module::Loading => view! {
                <p class="sd-status sd-status-loading" role="status">{t.waiting}</p>
            }
            .into_any(),
        };
        Some(view! {
            <div class="sd-chat-wait">
                <button class="sd-back" type="button" on:click=move |_| chat.shown.set(false)>
                    <span aria-hidden="true" class="sd-back-arrow">"←"</span>
                    {t.back}
                </button>
                {note}
            </div>
        })
    };
    view! {
        <button class="sd-chip sd-chat-offer" type="button" data-testid="sd-chat-offer"
            hidden=move || chat.shown.get()
            on:pointerenter=move |_| chat.load()
            on:focus=move |_| chat.load()
            on:click=move |_| {
                // What the shopper is looking at now belongs in the handoff, even if
                // they did not pause long enough for it to count as a search.
                query.with_value(|q| {
                    if !q.trim().is_empty() {
                        widget.remember(|h| h.searched(q.trim()));
                        // Asking a person ends the search session (the chat module's
                        // `escalate`): the words in the box count as a search.
                        widget.record(Step::Searched {
                            query: q.trim().to_string(),
                            results: results.with_untracked(Vec::len) as u32,
                        });
                    }
                });
                chat.load();
                chat.shown.set(true);
            }>{t.offer}</button>
        {waiting}
        <div class="sd-chat-host" hidden=move || !chat.shown.get() node_ref=host></div>
    }
}

/// The path of the store page the shopper is on.
fn page_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

#[cfg(test)]
mod tests {
    use super::{step, Line, Status};
    use faq_core::Locale;

    #[test]
    fn the_status_line_follows_index_query_and_results() {
        let ready = Status::Ready {
            locale: Locale::En,
            fallback: false,
        };
        assert_eq!(Line::of(&Status::Loading, "  ", 0), Line::Hint);
        assert_eq!(Line::of(&Status::Loading, "ret", 0), Line::Loading);
        assert_eq!(Line::of(&Status::Failed, "", 0), Line::Failed);
        assert_eq!(
            Line::of(&ready, "", 8),
            Line::Hint,
            "suggestions need no count"
        );
        assert_eq!(
            Line::of(&ready, " klarna ", 0),
            Line::NoResults("klarna".into())
        );
        assert_eq!(Line::of(&ready, "return", 3), Line::Answers(3));
    }

    #[test]
    fn the_status_line_reads_in_the_shoppers_language() {
        let text = shopdesk_i18n::Text::for_tag("en");
        assert!(Line::NoResults("klarna".into())
            .text(text)
            .contains("klarna"));
        assert_ne!(Line::Answers(1).text(text), Line::Answers(2).text(text));
        assert_eq!(Line::Loading.class(), "sd-status sd-status-loading");
        assert_eq!(Line::Failed.class(), "sd-status sd-status-error");
        assert_eq!(Line::Answers(2).class(), "sd-status");
    }

    #[test]
    fn arrow_keys_wrap_around() {
        assert_eq!(step(None, 3, true), Some(0));
        assert_eq!(step(None, 3, false), Some(2));
        assert_eq!(step(Some(2), 3, true), Some(0));
        assert_eq!(step(Some(0), 3, false), Some(2));
        assert_eq!(step(Some(0), 0, true), None);
    }
}
