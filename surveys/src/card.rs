//! The survey card: slides in above the launcher, never takes focus from the page, is
//! announced (its slot is a polite live region), works with the keyboard (Escape
//! dismisses), and closes itself after a thank-you.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use shopdesk_i18n::Text;
use shopdesk_settings::surveys::SurveyKind;
use shopdesk_wire::FeedbackKind;

use shopdesk_web::{feedback, js, outbox};

use crate::offer::{question, Active};

/// How long the thank-you stays.
const THANKS_MS: u64 = 2_500;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Scale,
    /// NPS: the score given, asking for the reason.
    Reason(i64),
    Thanks,
}

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn SurveyCard(
    active: RwSignal<Option<Active>>,
    text: &'static Text,
    locale: String,
) -> impl IntoView {
    move || {
        active
            .get()
            .map(|a| view! { <Card active=a text=text locale=locale.clone() close=move || active.set(None) /> })
    }
}

#[component]
fn Card(
    active: Active,
    text: &'static Text,
    locale: String,
    close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let step = RwSignal::new(Step::Scale);
    let reason = RwSignal::new(String::new());
    let survey = active.survey.clone();
    let kind = survey.kind;
    let [low, high] = match kind {
        SurveyKind::Csat => text.survey.csat_ends,
        SurveyKind::Nps => text.survey.nps_ends,
        SurveyKind::Ces => text.survey.ces_ends,
    };
    let ask = question(&survey, text);
    let follow_up = survey
        .reason
        .clone()
        .unwrap_or_else(|| text.survey.reason.to_string());
    let submit = {
        let survey = survey.clone();
        move |score: i64, comment: Option<String>| {
            let wire_kind = match kind {
                SurveyKind::Csat => FeedbackKind::Csat,
                SurveyKind::Nps => FeedbackKind::Nps,
                SurveyKind::Ces => FeedbackKind::Ces,
            };
            let mut event = feedback::event(wire_kind, score, comment, &locale);
            event.survey_id = Some(survey.id.clone());
            // An `afterChat` survey rates that chat.
            event.conversation_id = active.conversation.clone();
            outbox::submit(active.endpoint.clone(), event);
            js::emit(
                "survey:submitted",
                &serde_json::json!({ "id": survey.id, "kind": kind.as_str(), "score": score }),
            );
            step.set(Step::Thanks);
            set_timeout(close, std::time::Duration::from_millis(THANKS_MS));
        }
    };
    let submit = StoredValue::new_local(submit);
    let scale: Vec<i64> = kind.scale().collect();
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            close();
        }
    };
    view! {
        <section class="sd-survey" data-testid="sd-survey" data-kind=kind.as_str() aria-label=text.survey.label on:keydown=on_keydown>
            <button type="button" class="sd-survey-dismiss" data-testid="sd-survey-dismiss"
                aria-label=text.survey.dismiss on:click=move |_| close()>
                <span aria-hidden="true">"×"</span>
            </button>
            {move || match step.get() {
                Step::Scale => view! {
                    <p class="sd-survey-question" id="sd-survey-question">{ask.clone()}</p>
                    <div class="sd-scale" role="group" aria-labelledby="sd-survey-question" data-size=scale.len()>
                        {scale.iter().map(|&n| {
                            let label = if n == *kind.scale().start() {
                                format!("{n} – {low}")
                            } else if n == *kind.scale().end() {
                                format!("{n} – {high}")
                            } else {
                                n.to_string()
                            };
                            view! {
                                <button type="button" class="sd-score" data-testid="sd-score" data-score=n aria-label=label
                                    on:click=move |_| {
                                        if kind == SurveyKind::Nps {
                                            step.set(Step::Reason(n));
                                        } else {
                                            submit.with_value(|s| s(n, None));
                                        }
                                    }>{n}</button>
                            }
                        }).collect_view()}
                    </div>
                    <div class="sd-scale-ends" aria-hidden="true"><span>{low}</span><span>{high}</span></div>
                }.into_any(),
                Step::Reason(score) => view! {
                    <form class="sd-survey-reason" on:submit=move |ev| {
                        ev.prevent_default();
                        submit.with_value(|s| s(score, Some(reason.get_untracked())));
                    }>
                        <label class="sd-label" for="sd-survey-comment">{follow_up.clone()}</label>
                        <textarea id="sd-survey-comment" class="sd-comment" data-testid="sd-survey-comment" rows="3" maxlength="2000"
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        <div class="sd-helpful-buttons">
                            <button type="submit" class="sd-chip sd-send" data-testid="sd-survey-send">{text.send}</button>
                            <button type="button" class="sd-chip" data-testid="sd-survey-skip"
                                on:click=move |_| submit.with_value(|s| s(score, None))>{text.survey.skip}</button>
                        </div>
                    </form>
                }.into_any(),
                Step::Thanks => view! {
                    <p class="sd-thanks" data-testid="sd-survey-thanks">{text.thanks}</p>
                }.into_any(),
            }}
        </section>
    }
}
