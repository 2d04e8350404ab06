//! "Articles that may answer this": the shop's own help articles for the shopper's
//! latest message (`crate::answers`), each inserted into the reply with one click.

use leptos::html;
use leptos::prelude::*;

use crate::answers::{self, Answer};
use crate::session::Session;

/// Articles shown at most.
const SHOWN: usize = 3;

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn FaqAnswers(
    /// The conversation.
    id: String,
    /// The reply being written, where an article goes.
    draft: RwSignal<String>,
    area: NodeRef<html::Textarea>,
    /// Nothing can be written here (ended, or a colleague's).
    locked: Signal<bool>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    // The shopper's language and latest message.
    let asked = Memo::new({
        let id = id.clone();
        move |_| {
            session.desk.with(|d| {
                let c = d.conversation(&id)?;
                let latest = c
                    .messages
                    .iter()
                    .rev()
                    .find(|m| m.author == shopdesk_wire::chat::Author::Shopper)?;
                Some((
                    answers::locale_of(c.handoff.locale.as_deref()),
                    latest.body.clone(),
                ))
            })
        }
    });
    // Bumped when an index finished loading.
    let loaded = RwSignal::new(0u32);
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some((locale, _)) = asked.get() else {
            return;
        };
        match answers::ready(locale) {
            Ok(true) => {}
            Ok(false) => leptos::task::spawn_local(async move {
                answers::load(locale).await;
                if let Err(why) = answers::ready(locale) {
                    let _ = problem.try_set(Some(why));
                }
                let _ = loaded.try_update(|n| *n += 1);
            }),
            Err(why) => problem.set(Some(why)),
        }
    });
    let found = Memo::new(move |_| {
        loaded.track();
        asked.with(|a| {
            a.as_ref()
                .map(|(locale, text)| answers::find(*locale, text, SHOWN))
                .unwrap_or_default()
        })
    });
    let insert = move |answer: &Answer| {
        let added = answers::insertion(answer);
        let text = draft.with_untracked(|d| {
            if d.trim().is_empty() {
                added.clone()
            } else {
                format!("{}\n\n{added}", d.trim_end())
            }
        });
        session.drafts.update_value(|d| {
            d.insert(id.clone(), text.clone());
        });
        draft.set(text);
        if let Some(area) = area.get_untracked() {
            let _ = area.focus();
        }
    };
    let insert = StoredValue::new(insert);
    move || {
        if locked.get() {
            return None;
        }
        if let Some(why) = problem.get() {
            return Some(
                view! { <p class="note faq-problem" data-testid="agent-faq-problem">{why}</p> }
                    .into_any(),
            );
        }
        let list = found.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="faq-answers" aria-labelledby="faq-answers-title" data-testid="agent-faq">
                    <h4 id="faq-answers-title">"Articles that may answer this"</h4>
                    <ul>
                        {list
                            .into_iter()
                            .map(|a| {
                                let chosen = a.clone();
                                view! {
                                    <li data-testid="agent-faq-article" data-id=a.id.clone()>
                                        <span class="faq-title">{a.title.clone()}</span>
                                        <span class="faq-short">{a.short.clone()}</span>
                                        <button
                                            type="button"
                                            class="link"
                                            data-testid="agent-faq-insert"
                                            on:click=move |_| insert.with_value(|f| f(&chosen))
                                        >
                                            "Insert into reply"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
            .into_any()
        })
    }
}
