//! The page: the sign-in form, or the conversation list beside the open conversation.

mod answers;
mod canned;
mod conversation;
mod gaps;
mod list;
mod team;

use std::time::Duration;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;

use crate::alerts;
use crate::browser;
use crate::session::Session;
use crate::text;

/// How often "waiting 3 min" is brought up to date (and idleness checked).
const TICK: Duration = Duration::from_secs(20);
/// Without activity for this long, an agent is set away: a shopper is not promised
/// someone who left their desk.
const IDLE_AWAY: Duration = Duration::from_secs(10 * 60);

#[allow(unreachable_pub)] // leptos's #[component] expands to a `pub` props type
#[component]
pub(crate) fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);

    let unread = Memo::new(move |_| session.desk.with(|d| d.unread_conversations()));
    Effect::new(move |_| browser::set_title(&text::title(unread.get())));
    set_interval(
        move || {
            let now = shopdesk_web::time::now_ms();
            session.now.set(now);
            session.check_idle(now, IDLE_AWAY.as_millis() as i64);
        },
        TICK,
    );
    // Anything the agent does counts as activity (and ends an away the page set).
    for event in ["pointerdown", "keydown"] {
        let _ = window_event_listener_untyped(event, move |_| {
            session.active(shopdesk_web::time::now_ms())
        });
    }
    // A hidden tab does not read: messages arriving there stay unread until it is back.
    let _ = window_event_listener_untyped("visibilitychange", move |_| {
        session.desk.update(|d| d.set_away(browser::hidden()));
        session.report_read();
    });
    // Leaving with undelivered replies would lose them: the browser asks first.
    let _ = window_event_listener(ev::beforeunload, move |e| {
        if session.desk.with_untracked(|d| d.has_pending()) {
            e.prevent_default();
            e.set_return_value("Some replies have not been delivered yet.");
        }
    });
    session.resume();

    let signed_in = move || session.agent.with(Option::is_some);
    let show_canned = RwSignal::new(false);
    let show_team = RwSignal::new(false);
    let show_gaps = RwSignal::new(false);
    let name = move || {
        session
            .agent
            .with(|a| a.as_ref().map(|a| a.agent.name.clone()))
    };
    view! {
        <div class="app">
            <header class="topbar">
                <h1>"Shopdesk agent"</h1>
                <StatusLine />
                <Show when=signed_in>
                    <span class="who" data-testid="agent-name">{name}</span>
                    <button
                        type="button"
                        class="away"
                        data-testid="agent-away"
                        aria-pressed=move || if session.away.get() { "true" } else { "false" }
                        title="While away, shoppers are not told that someone is here"
                        on:click=move |_| session.toggle_away()
                    >
                        {move || if session.away.get() { "Away" } else { "Available" }}
                    </button>
                    <button
                        type="button"
                        data-testid="agent-sound"
                        aria-pressed=move || if session.sound.get() { "true" } else { "false" }
                        on:click=move |_| session.toggle_sound()
                    >
                        "Sound"
                    </button>
                    <button
                        type="button"
                        data-testid="agent-canned-toggle"
                        aria-expanded=move || if show_canned.get() { "true" } else { "false" }
                        aria-controls="agent-canned-panel"
                        on:click=move |_| show_canned.update(|s| *s = !*s)
                    >
                        "Canned replies"
                    </button>
                    <Show when=move || session.is_admin()>
                        <button
                            type="button"
                            data-testid="agent-team-toggle"
                            aria-expanded=move || if show_team.get() { "true" } else { "false" }
                            aria-controls="agent-team-panel"
                            on:click=move |_| show_team.update(|s| *s = !*s)
                        >
                            "Agents"
                        </button>
                        <button
                            type="button"
                            data-testid="agent-gaps-toggle"
                            aria-expanded=move || if show_gaps.get() { "true" } else { "false" }
                            aria-controls="agent-gaps-panel"
                            on:click=move |_| show_gaps.update(|s| *s = !*s)
                        >
                            "Search gaps"
                        </button>
                    </Show>
                    <Show when=move || session.notifications.get() == alerts::Permission::Ask>
                        <button
                            type="button"
                            data-testid="agent-notifications"
                            title="Notifies you of new chats and messages while this tab is in the background"
                            on:click=move |_| session.ask_notifications()
                        >
                            "Turn on notifications"
                        </button>
                    </Show>
                    <button
                        type="button"
                        class="signout"
                        data-testid="agent-signout"
                        on:click=move |_| session.sign_out(None)
                    >
                        "Sign out"
                    </button>
                </Show>
            </header>
            <div class="visually-hidden" aria-live="polite" data-testid="agent-announcement">
                {move || session.announcement.get()}
            </div>
            <Show when=signed_in fallback=|| view! { <SignIn /> }>
                <div id="agent-team-panel" class="canned-panel" hidden=move || !show_team.get()>
                    <Show when=move || show_team.get()>
                        <team::Team />
                    </Show>
                </div>
                <div id="agent-gaps-panel" class="canned-panel" hidden=move || !show_gaps.get()>
                    <Show when=move || show_gaps.get()>
                        <gaps::SearchGaps />
                    </Show>
                </div>
                <div id="agent-canned-panel" class="canned-panel" hidden=move || !show_canned.get()>
                    <Show when=move || show_canned.get()>
                        <canned::CannedReplies />
                    </Show>
                </div>
                <div class="desk">
                    <list::ConversationList />
                    <conversation::ConversationPane />
                </div>
            </Show>
        </div>
    }
}

/// Connection state and failures, for everyone (`role="status"` is read out politely).
#[component]
fn StatusLine() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <p
            class="status"
            role="status"
            data-testid="agent-status"
            data-state=move || session.status.with(|s| s.state())
        >
            {move || session.status.with(|s| s.text())}
        </p>
    }
}

#[component]
fn SignIn() -> impl IntoView {
    let session = expect_context::<Session>();
    let email = NodeRef::<html::Input>::new();
    let password = NodeRef::<html::Input>::new();
    let local_error = RwSignal::new(None::<String>);
    let error = move || local_error.get().or_else(|| session.signin_error.get());
    Effect::new(move |_| {
        if let Some(input) = email.get() {
            let _ = input.focus();
        }
    });
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let (Some(email_field), Some(password_field)) =
            (email.get_untracked(), password.get_untracked())
        else {
            return;
        };
        let address = email_field.value().trim().to_string();
        let secret = password_field.value();
        let missing = if address.is_empty() {
            Some(("Enter your email address.", email_field))
        } else if secret.is_empty() {
            Some(("Enter your password.", password_field.clone()))
        } else {
            None
        };
        if let Some((message, field)) = missing {
            local_error.set(Some(message.into()));
            let _ = field.focus();
            return;
        }
        local_error.set(None);
        // Not kept in the field: a wrong one is typed again, a right one is done.
        password_field.set_value("");
        session.sign_in(address, secret);
    };
    view! {
        <main class="signin">
            <form on:submit=submit novalidate>
                <h2>"Sign in"</h2>
                <p class="hint">
                    "With the email and password your shop's admin set up for you ("
                    <code>"shopdesk-server agent add"</code> ")."
                </p>
                <label for="agent-email">"Email"</label>
                <input
                    id="agent-email"
                    type="email"
                    data-testid="agent-email"
                    autocomplete="username"
                    aria-describedby="agent-signin-error"
                    aria-invalid=move || error().is_some().then_some("true")
                    node_ref=email
                />
                <label for="agent-password">"Password"</label>
                <input
                    id="agent-password"
                    type="password"
                    data-testid="agent-password"
                    autocomplete="current-password"
                    aria-describedby="agent-signin-error"
                    aria-invalid=move || error().is_some().then_some("true")
                    node_ref=password
                />
                <p id="agent-signin-error" class="error" role="alert" data-testid="agent-signin-error">
                    {error}
                </p>
                <button
                    type="submit"
                    class="primary"
                    data-testid="agent-signin"
                    disabled=move || session.signing_in.get()
                >
                    {move || if session.signing_in.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
