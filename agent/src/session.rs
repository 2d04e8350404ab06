//! A signed-in agent: who they are, the desk, the live stream, and the requests that
//! change them. Components call into this; every network outcome, good or bad, ends
//! up in the desk or the status line, never in a panic.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use shopdesk_wire::agents::{
    AccountChange, AccountInfo, CannedInput, CannedReply, Colleague, NewAgent, SignedIn,
};
use shopdesk_wire::chat::{ChatEvent, Say, Signal, Summary, MAX_MESSAGE};
use shopdesk_wire::gaps::GapsReport;

use crate::alerts;
use crate::api;
use crate::availability::Availability;
use crate::browser;
use crate::desk::{Applied, Desk, Source};
use crate::retry::{self, Next};
use shopdesk_web::stream::{self, Reconnect, Report};

/// How the page is connected to the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Link {
    #[default]
    SignedOut,
    Loading,
    Connected,
    Reconnecting,
    /// Not connected, with what went wrong and what happens next.
    Down(String),
}

/// The status line: the connection, and whatever currently fails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Status {
    pub link: Link,
    /// By kind ("retry" while a reply is being retried, "send" for one refused,
    /// "close", "history"): the next success of that kind clears its problem without
    /// hiding another kind's.
    pub problems: BTreeMap<&'static str, String>,
}

impl Status {
    pub(crate) fn text(&self) -> String {
        let link = match &self.link {
            Link::SignedOut => "Signed out".to_string(),
            Link::Loading => "Loading conversations…".to_string(),
            Link::Connected => "Connected: new conversations and messages arrive live".to_string(),
            Link::Reconnecting => "Connection lost; reconnecting…".to_string(),
            Link::Down(why) => why.clone(),
        };
        std::iter::once(link)
            .chain(self.problems.values().cloned())
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// For styling and tests: `connected`, `reconnecting`, `loading`, `error`, `signed-out`.
    pub(crate) fn state(&self) -> &'static str {
        match &self.link {
            Link::SignedOut => "signed-out",
            Link::Loading => "loading",
            Link::Connected if self.problems.is_empty() => "connected",
            Link::Reconnecting => "reconnecting",
            Link::Connected | Link::Down(_) => "error",
        }
    }
}

/// When the emails of a conversation are read again after a reply (ms after it, then
/// after each other while one is pending).
const MAIL_CHECKS_MS: [f64; 5] = [2_500.0, 10_000.0, 30_000.0, 60_000.0, 120_000.0];

/// The handle components share (all fields are `Copy` handles into the reactive arena).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Session {
    pub desk: RwSignal<Desk>,
    pub status: RwSignal<Status>,
    /// Who is signed in, and the CSRF token of their session.
    pub agent: RwSignal<Option<SignedIn>>,
    /// Why the sign-in form is back, or why signing in failed.
    pub signin_error: RwSignal<Option<String>>,
    /// A sign-in is on its way to the server.
    pub signing_in: RwSignal<bool>,
    /// Away: signed in, not taking chats (shoppers are not told someone is here).
    pub away: RwSignal<bool>,
    /// A tone on news (the agent's choice, remembered by the browser).
    pub sound: RwSignal<bool>,
    /// Desktop notifications: allowed, not asked yet, refused or unsupported.
    pub notifications: RwSignal<alerts::Permission>,
    /// Colleagues to hand a conversation to, as of the last look.
    pub colleagues: RwSignal<Vec<Colleague>>,
    /// The shop's canned replies (`/shortcut` in the reply box).
    pub canned: RwSignal<Vec<CannedReply>>,
    /// The search over every conversation, when the agent typed one.
    pub search: RwSignal<Search>,
    /// The page got a click or key press: browsers allow sound only after one.
    interacted: StoredValue<bool>,
    availability: StoredValue<Availability>,
    /// The latest news for screen readers (new conversation, new message elsewhere).
    pub announcement: RwSignal<String>,
    /// The agent's clock, ticking for "waiting 3 min".
    pub now: RwSignal<i64>,
    /// Unsent text per conversation, so switching conversations loses nothing.
    pub drafts: StoredValue<BTreeMap<String, String>>,
    /// Bumped at sign-in and sign-out: work started for an earlier sign-in stops.
    generation: StoredValue<u32>,
    stream: StoredValue<Option<stream::Stream>, LocalStorage>,
    /// Failures of the stream in a row, for its backoff.
    stream_failures: StoredValue<u32>,
    /// Conversations whose replies are being delivered (one loop each, in order).
    senders: StoredValue<BTreeSet<String>>,
    /// Bumped when the stream connects: replies waiting out a backoff go at once.
    wake: StoredValue<u32>,
    /// The conversation the shopper was last told this agent types in, and when.
    typed: StoredValue<(String, i64)>,
}

/// A search over every conversation, open and ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Search {
    /// What the agent typed (empty: no search, the list shows).
    pub query: String,
    pub found: Option<Vec<Summary>>,
    pub more: bool,
    pub error: Option<String>,
}

/// A search goes out after this pause in typing.
const SEARCH_PAUSE_MS: f64 = 300.0;
/// "Typing" goes to the shopper at most this often.
const TYPING_EVERY_MS: i64 = 2_000;
/// "Typing…" fades this long after the shopper's last signal.
const TYPING_FADES_MS: f64 = 6_000.0;

impl Session {
    pub(crate) fn new() -> Self {
        Self {
            desk: RwSignal::new(Desk::default()),
            status: RwSignal::new(Status::default()),
            agent: RwSignal::new(None),
            signin_error: RwSignal::new(None),
            signing_in: RwSignal::new(false),
            away: RwSignal::new(false),
            sound: RwSignal::new(alerts::sound_on()),
            notifications: RwSignal::new(alerts::permission()),
            colleagues: RwSignal::new(Vec::new()),
            canned: RwSignal::new(Vec::new()),
            search: RwSignal::new(Search::default()),
            interacted: StoredValue::new(false),
            availability: StoredValue::new(Availability::new(false, 0)),
            announcement: RwSignal::new(String::new()),
            now: RwSignal::new(shopdesk_web::time::now_ms()),
            drafts: StoredValue::new(BTreeMap::new()),
            generation: StoredValue::new(0),
            stream: StoredValue::new_local(None),
            stream_failures: StoredValue::new(0),
            senders: StoredValue::new(BTreeSet::new()),
            wake: StoredValue::new(0),
            typed: StoredValue::new((String::new(), i64::MIN / 2)),
        }
    }

    /// Picks up the browser's session, if it has one (a reload, another tab).
    pub(crate) fn resume(self) {
        spawn_local(async move {
            match api::current().await {
                Ok(Some(signed_in)) => self.signed_in(signed_in),
                // Not signed in: the form is what the agent needs.
                Ok(None) => {}
                Err(f) => self
                    .signin_error
                    .set(Some(format!("Cannot reach the server: {f}"))),
            }
        });
    }

    /// Signs in with email and password; the form shows why not when it fails.
    pub(crate) fn sign_in(self, email: String, password: String) {
        if self.signing_in.get_untracked() {
            return;
        }
        self.signing_in.set(true);
        self.signin_error.set(None);
        spawn_local(async move {
            let answer = api::sign_in(&email, &password).await;
            self.signing_in.set(false);
            match answer {
                Ok(signed_in) => self.signed_in(signed_in),
                Err(f) => self.signin_error.set(Some(match f.status() {
                    // The server's own words: wrong password, disabled, wait N minutes.
                    Some(400 | 401 | 403 | 429) => api::sentence(&f),
                    _ => format!("Cannot sign in: {f}"),
                })),
            }
        });
    }

    fn signed_in(self, signed_in: SignedIn) {
        self.away.set(signed_in.agent.away);
        self.availability.set_value(Availability::new(
            signed_in.agent.away,
            shopdesk_web::time::now_ms(),
        ));
        self.agent.set(Some(signed_in));
        self.signin_error.set(None);
        self.start();
        self.load_canned();
    }

    /// Back to the sign-in form: `error` says why when the server ended the session;
    /// without one the agent chose to, and the server ends the session too.
    pub(crate) fn sign_out(self, error: Option<String>) {
        if error.is_none() {
            if let Some(csrf) = self.csrf() {
                spawn_local(async move {
                    if let Err(e) = api::sign_out(&csrf).await {
                        browser::console_error(&format!("sign-out not confirmed: {e}"));
                    }
                });
            }
        }
        self.generation.update_value(|g| *g += 1);
        self.stream.set_value(None);
        self.senders.set_value(BTreeSet::new());
        self.drafts.set_value(BTreeMap::new());
        self.agent.set(None);
        self.desk.set(Desk::default());
        self.status.set(Status::default());
        self.announcement.set(String::new());
        self.signin_error.set(error);
    }

    fn signed_in_now(self) -> bool {
        self.agent.with_untracked(Option::is_some)
    }

    /// The session's CSRF token, for requests that change something.
    fn csrf(self) -> Option<String> {
        self.agent
            .with_untracked(|a| a.as_ref().map(|a| a.csrf.clone()))
    }

    fn current(self, generation: u32) -> bool {
        self.generation.get_value() == generation
    }

    fn problem(self, kind: &'static str, text: Option<String>) {
        self.status.maybe_update(|s| match text {
            Some(t) => s.problems.insert(kind, t.clone()).as_ref() != Some(&t),
            None => s.problems.remove(kind).is_some(),
        });
    }

    fn link(self, link: Link) {
        self.status.maybe_update(|s| {
            let changed = s.link != link;
            s.link = link;
            changed
        });
    }

    /// Loads the list (retrying while the server is unreachable), then goes live.
    fn start(self) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        self.stream.set_value(None);
        self.stream_failures.set_value(0);
        let me = self
            .agent
            .with_untracked(|a| a.as_ref().map(|a| a.agent.id.clone()));
        self.desk.set(Desk::new(me));
        self.desk.update(|d| d.set_away(browser::hidden()));
        self.status.set(Status {
            link: Link::Loading,
            problems: BTreeMap::new(),
        });
        spawn_local(async move {
            let mut attempts = 0;
            loop {
                if !self.signed_in_now() {
                    return;
                }
                let answer = api::list().await;
                if !self.current(generation) {
                    return;
                }
                let failure = match answer {
                    Ok(listing) => {
                        self.desk.update(|d| {
                            d.load_list(listing.conversations, listing.seq);
                            d.seq = listing.seq;
                        });
                        self.connect(generation);
                        self.preload(generation).await;
                        return;
                    }
                    Err(f) => f,
                };
                match retry::after(&failure, attempts, shopdesk_web::time::random()) {
                    Next::SignOut(message) => return self.sign_out(Some(message)),
                    Next::GiveUp(message) => {
                        return self
                            .link(Link::Down(format!("Cannot load conversations: {message}")))
                    }
                    Next::Retry { after_ms } => {
                        self.link(Link::Down(format!(
                            "Cannot load conversations: {failure}; retrying in {} s",
                            retry::seconds(after_ms)
                        )));
                        shopdesk_web::time::sleep(after_ms).await;
                        attempts += 1;
                    }
                }
            }
        });
    }

    /// Opens the event stream after the last event the desk has.
    fn connect(self, generation: u32) {
        if !self.signed_in_now() {
            return;
        }
        let url = api::events_url(self.desk.with_untracked(|d| d.seq));
        match stream::open(&url, Reconnect::Browser, move |report| {
            self.on_stream(generation, report)
        }) {
            Ok(stream) => self.stream.set_value(Some(stream)),
            Err(e) => {
                self.link(Link::Down(format!(
                    "Cannot open the live connection: {}",
                    shopdesk_web::js::describe(&e)
                )));
                spawn_local(self.reconnect(generation));
            }
        }
    }

    fn on_stream(self, generation: u32, report: Report) {
        if !self.current(generation) {
            return;
        }
        match report {
            Report::Connected => {
                self.stream_failures.set_value(0);
                self.link(Link::Connected);
                self.wake.update_value(|w| *w = w.wrapping_add(1));
            }
            Report::Data(data) => match serde_json::from_str::<ChatEvent>(&data) {
                Ok(event) => self.apply(event, Source::Stream),
                // A kind of event a newer server sends: nothing here can show it.
                Err(e) => browser::console_error(&format!("skipped an unreadable event: {e}")),
            },
            Report::Signal(data) => {
                // A kind of signal a newer server sends is skipped.
                if let Ok(signal) = serde_json::from_str::<Signal>(&data) {
                    self.signal(generation, &signal);
                }
            }
            Report::Reconnecting => self.link(Link::Reconnecting),
            // Reopened from a task: the stream's own handler must not drop the stream.
            Report::Failed => spawn_local(self.reconnect(generation)),
        }
    }

    /// The browser stopped reconnecting (the server refused the stream): checks the
    /// session with a plain request, which says why, and reopens after a backoff.
    async fn reconnect(self, generation: u32) {
        self.stream.set_value(None);
        let mut why = String::new();
        loop {
            let failures = self.stream_failures.get_value();
            self.stream_failures.set_value(failures + 1);
            let wait = retry::backoff_ms(failures, shopdesk_web::time::random());
            self.link(Link::Down(format!(
                "Live connection lost{why}; reconnecting in {} s",
                retry::seconds(wait)
            )));
            shopdesk_web::time::sleep(wait).await;
            if !self.signed_in_now() || !self.current(generation) {
                return;
            }
            match api::list().await {
                _ if !self.current(generation) => return,
                Ok(listing) => {
                    self.desk
                        .update(|d| d.load_list(listing.conversations, listing.seq));
                    self.link(Link::Reconnecting);
                    return self.connect(generation);
                }
                Err(failure) => match api::session_ended(&failure) {
                    Some(message) => return self.sign_out(Some(message)),
                    None => why = format!(" ({failure})"),
                },
            }
        }
    }

    fn apply(self, event: ChatEvent, source: Source) {
        let applied = self
            .desk
            .try_maybe_update(|d| {
                let applied = d.apply(event, source);
                (applied != Applied::Nothing, applied)
            })
            .unwrap_or(Applied::Nothing);
        match applied {
            Applied::Announce(text) => self.alert(text),
            Applied::Unknown => self.reload_list(),
            Applied::Nothing | Applied::Changed => {}
        }
        self.report_read();
    }

    /// An event named a conversation the list does not have: the list is stale.
    fn reload_list(self) {
        let generation = self.generation.get_value();
        spawn_local(async move {
            if !self.signed_in_now() {
                return;
            }
            if let Ok(listing) = api::list().await {
                if self.current(generation) {
                    self.desk
                        .update(|d| d.load_list(listing.conversations, listing.seq));
                }
            }
        });
    }

    /// Fetches every listed conversation's history, one at a time and open ones
    /// first, so the list shows what each shopper last said and which need an answer.
    async fn preload(self, generation: u32) {
        let listed = self.desk.with_untracked(Desk::order);
        for id in listed {
            if !self.current(generation) {
                return;
            }
            if self.desk.try_update(|d| d.start_loading(&id)) == Some(true) {
                self.fetch_history(generation, id).await;
            }
        }
    }

    async fn fetch_history(self, generation: u32, id: String) {
        if !self.signed_in_now() {
            return;
        }
        let answer = api::history(&id).await;
        if !self.current(generation) {
            return;
        }
        match answer {
            Ok((events, mail)) => {
                self.desk.update(|d| d.load_history(&id, events, mail));
                self.problem("history", None);
            }
            Err(failure) if api::session_ended(&failure).is_some() => {
                self.sign_out(api::session_ended(&failure))
            }
            Err(failure) => {
                self.problem(
                    "history",
                    Some(format!("Could not load a conversation: {failure}")),
                );
                self.desk
                    .update(|d| d.history_failed(&id, failure.to_string()));
            }
        }
    }

    /// Opens conversation `id`, fetching its history the first time.
    pub(crate) fn open(self, id: String) {
        if self.desk.try_update(|d| d.select(&id)) == Some(true) {
            spawn_local(self.fetch_history(self.generation.get_value(), id));
        }
        self.report_read();
    }

    fn signal(self, generation: u32, signal: &Signal) {
        if self.desk.try_update(|d| d.signal(signal)) != Some(true) {
            return;
        }
        let Signal::Typing { conversation, .. } = signal else {
            return;
        };
        let id = conversation.clone();
        let Some(signals) = self
            .desk
            .with_untracked(|d| d.conversation(&id).map(|c| c.typing_signals))
        else {
            return;
        };
        spawn_local(async move {
            shopdesk_web::time::sleep(TYPING_FADES_MS).await;
            if self.current(generation) {
                self.desk.update(|d| {
                    d.typing_faded(&id, signals);
                });
            }
        });
    }

    /// Tells the server the agent has seen the open conversation this far (the
    /// shopper sees "Seen"; unread agrees across pages and reloads).
    pub(crate) fn report_read(self) {
        let Some(csrf) = self.csrf() else {
            return;
        };
        let Some((id, seq)) = self.desk.try_update(Desk::read_to_report).flatten() else {
            return;
        };
        spawn_local(async move {
            if let Err(e) = api::read(&csrf, &id, seq).await {
                browser::console_error(&format!("read mark not sent: {e}"));
            }
        });
    }

    /// The agent types in `id`: the shopper is told, at most every two seconds.
    pub(crate) fn typing(self, id: &str) {
        let now = shopdesk_web::time::now_ms();
        let mut due = false;
        self.typed.update_value(|(last_id, at)| {
            due = last_id != id || now - *at >= TYPING_EVERY_MS;
            if due {
                *last_id = id.to_string();
                *at = now;
            }
        });
        let Some(csrf) = self.csrf().filter(|_| due) else {
            return;
        };
        let id = id.to_string();
        spawn_local(async move {
            // Nothing is retried: the next keystroke says it again.
            let _ = api::typing(&csrf, &id).await;
        });
    }

    /// Follows the emails of `id` after a reply to a shopper with an address: where they
    /// stand is read again a little later, and again while one is pending.
    async fn follow_mail(self, generation: u32, id: String) {
        for wait in MAIL_CHECKS_MS {
            shopdesk_web::time::sleep(wait).await;
            if !self.current(generation) || !self.signed_in_now() {
                return;
            }
            let Ok((_, mail)) = api::history(&id).await else {
                return;
            };
            if !self.current(generation) {
                return;
            }
            if self.desk.try_update(|d| d.set_mail(&id, mail)) != Some(true) {
                return;
            }
        }
    }

    /// Tries again to load a conversation whose history failed.
    pub(crate) fn reload_history(self, id: String) {
        if self.desk.try_update(|d| d.start_loading(&id)) == Some(true) {
            spawn_local(self.fetch_history(self.generation.get_value(), id));
        }
    }

    /// Shows the reply at once and delivers it; `Err` says why it cannot be sent.
    pub(crate) fn send(self, conversation: &str, body: &str) -> Result<(), String> {
        let body = body.trim();
        if body.is_empty() {
            return Err("Type a reply first.".to_string());
        }
        let length = body.chars().count();
        if length > MAX_MESSAGE {
            return Err(format!(
                "A message can have at most {MAX_MESSAGE} characters; this one has {length}. Split it."
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = shopdesk_web::time::now_ms();
        self.desk
            .try_update(|d| d.queue(conversation, id, body.to_string(), now))
            .unwrap_or_else(|| Err("the page is shutting down".to_string()))
            .map_err(|e| format!("Not sent: {e}."))?;
        self.deliver(conversation.to_string());
        Ok(())
    }

    /// Delivers `conversation`'s pending replies in order, each retried with the same
    /// id (the server stores it once) until the server has it or refuses it.
    fn deliver(self, conversation: String) {
        let mut started = false;
        self.senders
            .update_value(|s| started = s.insert(conversation.clone()));
        if !started {
            return;
        }
        let generation = self.generation.get_value();
        spawn_local(async move {
            let mut attempts = 0;
            while let Some((id, body)) = self
                .desk
                .with_untracked(|d| d.next_pending(&conversation))
                .filter(|_| self.current(generation))
            {
                let Some(csrf) = self.csrf() else {
                    return;
                };
                let say = Say {
                    id: id.clone(),
                    body,
                };
                let answer = api::say(&csrf, &conversation, &say).await;
                if !self.current(generation) {
                    return;
                }
                let failure = match answer {
                    Ok(event) => {
                        match event {
                            Some(event) => self.apply(event, Source::Answer),
                            None => self.desk.update(|d| d.delivered(&conversation, &id)),
                        }
                        let emailed = self.desk.with_untracked(|d| {
                            d.conversation(&conversation)
                                .is_some_and(|c| c.handoff.email.is_some())
                        });
                        if emailed {
                            spawn_local(self.follow_mail(generation, conversation.clone()));
                        }
                        self.problem("send", None);
                        self.problem("retry", None);
                        attempts = 0;
                        continue;
                    }
                    Err(f) => f,
                };
                match retry::after(&failure, attempts, shopdesk_web::time::random()) {
                    Next::SignOut(message) => return self.sign_out(Some(message)),
                    Next::GiveUp(reason) => {
                        self.problem("retry", None);
                        self.problem("send", Some(format!("A reply was not delivered: {reason}")));
                        self.desk.update(|d| d.refused(&conversation, &id, reason));
                        attempts = 0;
                    }
                    Next::Retry { after_ms } => {
                        self.problem(
                            "retry",
                            Some(format!(
                                "Sending failed: {failure}; retrying in {} s",
                                retry::seconds(after_ms)
                            )),
                        );
                        self.desk
                            .update(|d| d.retrying(&conversation, &id, failure.to_string()));
                        self.nap(after_ms).await;
                        attempts += 1;
                    }
                }
            }
            if self.current(generation) {
                self.senders.update_value(|s| {
                    s.remove(&conversation);
                });
                // Whatever was being retried has arrived (the stream may have said so
                // before any answer did).
                if self.senders.with_value(BTreeSet::is_empty) {
                    self.problem("retry", None);
                }
            }
        });
    }

    /// Sleeps up to `ms`, ending early when the stream (re)connects: the server is
    /// back, so waiting longer only delays the reply.
    async fn nap(self, ms: f64) {
        let wake = self.wake.get_value();
        let mut left = ms;
        while left > 0.0 && self.wake.get_value() == wake {
            let step = left.min(250.0);
            shopdesk_web::time::sleep(step).await;
            left -= step;
        }
    }

    /// Whether the signed-in agent is an admin (may take over a colleague's
    /// conversation).
    pub(crate) fn is_admin(self) -> bool {
        self.agent
            .with(|a| a.as_ref().is_some_and(|a| a.agent.role == "admin"))
    }

    /// The team's accounts (admins), into `accounts`; a refusal into `error`.
    pub(crate) fn load_accounts(
        self,
        accounts: RwSignal<Vec<AccountInfo>>,
        error: RwSignal<Option<String>>,
    ) {
        spawn_local(async move {
            match api::accounts().await {
                Ok(list) => accounts.set(list),
                Err(failure) => self.refused(failure, error),
            }
        });
    }

    /// The content-gaps report from `from` (admins), into `report`; a refusal into
    /// `error`.
    pub(crate) fn load_gaps(
        self,
        from: String,
        report: RwSignal<Option<GapsReport>>,
        error: RwSignal<Option<String>>,
    ) {
        error.set(None);
        spawn_local(async move {
            match api::gaps(&from).await {
                Ok(r) => report.set(Some(r)),
                Err(failure) => self.refused(failure, error),
            }
        });
    }

    /// Adds an agent (admins); `done` runs once the server has them.
    pub(crate) fn add_account(
        self,
        new: NewAgent,
        accounts: RwSignal<Vec<AccountInfo>>,
        error: RwSignal<Option<String>>,
        done: impl FnOnce() + 'static,
    ) {
        let Some(csrf) = self.csrf() else {
            return;
        };
        error.set(None);
        spawn_local(async move {
            match api::add_account(&csrf, &new).await {
                Ok(account) => {
                    accounts.update(|all| all.push(account));
                    done();
                }
                Err(failure) => self.refused(failure, error),
            }
        });
    }

    /// Disables, enables or sets a password for an agent (admins).
    pub(crate) fn change_account(
        self,
        change: AccountChange,
        accounts: RwSignal<Vec<AccountInfo>>,
        error: RwSignal<Option<String>>,
        done: impl FnOnce() + 'static,
    ) {
        let Some(csrf) = self.csrf() else {
            return;
        };
        error.set(None);
        spawn_local(async move {
            match api::change_account(&csrf, &change).await {
                Ok(account) => {
                    accounts.update(|all| {
                        if let Some(a) = all.iter_mut().find(|a| a.id == account.id) {
                            *a = account;
                        }
                    });
                    done();
                }
                Err(failure) => self.refused(failure, error),
            }
        });
    }

    /// A request the server refused: back to sign-in when the session ended, else its
    /// words into `error`.
    fn refused(self, failure: api::Failure, error: RwSignal<Option<String>>) {
        match api::session_ended(&failure) {
            Some(message) => self.sign_out(Some(message)),
            None => error.set(Some(api::sentence(&failure))),
        }
    }

    /// Loads the shop's canned replies.
    pub(crate) fn load_canned(self) {
        spawn_local(async move {
            match api::canned().await {
                Ok(list) => self.canned.set(list),
                Err(failure) => match api::session_ended(&failure) {
                    Some(message) => self.sign_out(Some(message)),
                    None => self.problem(
                        "canned",
                        Some(format!("Canned replies could not be loaded: {failure}")),
                    ),
                },
            }
        });
    }

    /// Adds a canned reply for the whole team; the server's refusal goes to `error`,
    /// and `done` runs once it is stored.
    pub(crate) fn add_canned(
        self,
        input: CannedInput,
        error: RwSignal<Option<String>>,
        done: impl FnOnce() + 'static,
    ) {
        let Some(csrf) = self.csrf() else {
            return;
        };
        error.set(None);
        spawn_local(async move {
            match api::add_canned(&csrf, &input).await {
                Ok(reply) => {
                    self.canned.update(|all| {
                        all.push(reply);
                        all.sort_by(|a, b| a.shortcut.cmp(&b.shortcut));
                    });
                    done();
                }
                Err(failure) => self.refused(failure, error),
            }
        });
    }

    pub(crate) fn remove_canned(self, id: String, error: RwSignal<Option<String>>) {
        let Some(csrf) = self.csrf() else {
            return;
        };
        error.set(None);
        spawn_local(async move {
            match api::remove_canned(&csrf, &id).await {
                // Gone already (a colleague removed it): gone here too.
                Ok(()) => self.canned.update(|all| all.retain(|r| r.id != id)),
                Err(failure) if failure.status() == Some(404) => {
                    self.canned.update(|all| all.retain(|r| r.id != id));
                }
                Err(failure) => self.refused(failure, error),
            }
        });
    }

    /// Searches every conversation for `query` (after a pause in typing; a later query
    /// wins over an earlier answer).
    pub(crate) fn find(self, query: String) {
        let query = query.trim().to_string();
        self.search.update(|s| {
            s.query = query.clone();
            s.error = None;
            if query.chars().count() < 2 {
                s.found = None;
            }
        });
        if query.chars().count() < 2 {
            return;
        }
        spawn_local(async move {
            shopdesk_web::time::sleep(SEARCH_PAUSE_MS).await;
            if self.search.with_untracked(|s| s.query != query) {
                return;
            }
            let answer = api::search(&query).await;
            if self.search.with_untracked(|s| s.query != query) {
                return;
            }
            match answer {
                Ok(page) => self.search.update(|s| {
                    s.found = Some(page.conversations);
                    s.more = page.more;
                }),
                Err(failure) => match api::session_ended(&failure) {
                    Some(message) => self.sign_out(Some(message)),
                    None => self
                        .search
                        .update(|s| s.error = Some(api::sentence(&failure))),
                },
            }
        });
    }

    /// Opens a conversation a search found (the list may not hold it).
    pub(crate) fn open_found(self, summary: Summary) {
        let seq = self.desk.with_untracked(|d| d.seq);
        let id = summary.id.clone();
        self.desk.update(|d| d.remember(summary, seq));
        self.open(id);
    }

    /// Adds the next page of older ended conversations to the list.
    pub(crate) fn load_older(self, error: RwSignal<Option<String>>) {
        let Some((before, id)) = self.desk.with_untracked(Desk::older_cursor) else {
            return;
        };
        let generation = self.generation.get_value();
        error.set(None);
        spawn_local(async move {
            let answer = api::older(before, &id).await;
            if !self.current(generation) {
                return;
            }
            match answer {
                Ok(page) => self
                    .desk
                    .update(|d| d.load_older(page.conversations, page.seq, page.more)),
                Err(failure) => self.refused(failure, error),
            }
        });
    }

    /// Looks up who is online to hand a conversation to.
    pub(crate) fn load_colleagues(self) {
        spawn_local(async move {
            match api::colleagues().await {
                Ok(list) => self.colleagues.set(list),
                Err(failure) => match api::session_ended(&failure) {
                    Some(message) => self.sign_out(Some(message)),
                    None => browser::console_error(&format!("colleagues not loaded: {failure}")),
                },
            }
        });
    }

    /// "Take it" (`to: None`, `take: true`), hand to colleague `to`, or back to the
    /// queue; the server's refusal, in its words, goes to `error`.
    pub(crate) fn reassign(
        self,
        id: String,
        take: bool,
        to: Option<String>,
        error: RwSignal<Option<String>>,
    ) {
        let Some(csrf) = self.csrf() else {
            return;
        };
        let generation = self.generation.get_value();
        error.set(None);
        spawn_local(async move {
            let answer = if take {
                api::take(&csrf, &id).await
            } else {
                api::hand_over(&csrf, &id, to).await
            };
            if !self.current(generation) {
                return;
            }
            match answer {
                Ok(Some(event)) => self.apply(event, Source::Answer),
                Ok(None) => {}
                Err(failure) => self.refused(failure, error),
            }
        });
    }

    /// Away or back, by the agent's own choice.
    pub(crate) fn toggle_away(self) {
        let mut away = false;
        self.availability.update_value(|a| away = a.toggle());
        self.set_away(away);
    }

    /// News for the agent: read out by screen readers, and when the page is hidden a
    /// desktop notification; a tone if the agent keeps sound on.
    fn alert(self, text: String) {
        if browser::hidden() && self.notifications.get_untracked() == alerts::Permission::Granted {
            alerts::notify(&text);
        }
        if self.sound.get_untracked() && self.interacted.get_value() {
            alerts::chime();
        }
        self.announcement.set(text);
    }

    pub(crate) fn toggle_sound(self) {
        let on = !self.sound.get_untracked();
        alerts::set_sound(on);
        self.sound.set(on);
    }

    /// Asks the browser for desktop notifications (from the agent's click).
    pub(crate) fn ask_notifications(self) {
        spawn_local(async move {
            let answer = alerts::ask().await;
            self.notifications.set(answer);
        });
    }

    /// The agent did something: a page that went away by itself comes back.
    pub(crate) fn active(self, now: i64) {
        self.interacted.set_value(true);
        let mut change = None;
        self.availability.update_value(|a| change = a.activity(now));
        if let Some(away) = change {
            self.set_away(away);
        }
    }

    /// The clock ticked: after `idle_ms` without activity, away.
    pub(crate) fn check_idle(self, now: i64, idle_ms: i64) {
        if !self.signed_in_now() {
            return;
        }
        let mut change = None;
        self.availability
            .update_value(|a| change = a.tick(now, idle_ms));
        if let Some(away) = change {
            self.set_away(away);
        }
    }

    /// Shown at once; undone, with the reason in the status line, if the server
    /// refuses.
    fn set_away(self, away: bool) {
        let Some(csrf) = self.csrf() else {
            return;
        };
        self.away.set(away);
        let generation = self.generation.get_value();
        spawn_local(async move {
            let answer = api::set_away(&csrf, away).await;
            if !self.current(generation) {
                return;
            }
            match answer {
                Ok(()) => self.problem("away", None),
                Err(failure) if api::session_ended(&failure).is_some() => {
                    self.sign_out(api::session_ended(&failure))
                }
                Err(failure) => {
                    self.availability.update_value(|a| a.refused(!away));
                    self.away.set(!away);
                    self.problem(
                        "away",
                        Some(format!("Could not change your availability: {failure}")),
                    );
                }
            }
        });
    }

    /// Ends the conversation for both sides.
    pub(crate) fn close(self, conversation: String) {
        let Some(csrf) = self.csrf() else {
            return;
        };
        let generation = self.generation.get_value();
        self.desk.update(|d| d.set_closing(&conversation, true));
        spawn_local(async move {
            let answer = api::close(&csrf, &conversation).await;
            if !self.current(generation) {
                return;
            }
            match answer {
                Ok(()) => {
                    self.desk
                        .update(|d| d.closed_here(&conversation, shopdesk_web::time::now_ms()));
                    self.problem("close", None);
                }
                Err(failure) if api::session_ended(&failure).is_some() => {
                    self.sign_out(api::session_ended(&failure))
                }
                Err(failure) => {
                    self.desk.update(|d| d.set_closing(&conversation, false));
                    self.problem(
                        "close",
                        Some(format!("Could not end the conversation: {failure}")),
                    );
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_as_a_sentence() {
        let wrong = api::Failure::http(401, "wrong email or password");
        assert_eq!(api::sentence(&wrong), "Wrong email or password.");
        let wait = api::Failure::http(429, "too many failed sign-ins; try again in 15 minute(s)");
        assert!(api::sentence(&wait).starts_with("Too many"));
    }

    #[test]
    fn the_status_line_says_the_connection_then_the_problems() {
        let mut status = Status {
            link: Link::Connected,
            ..Status::default()
        };
        assert_eq!(status.state(), "connected");
        status
            .problems
            .insert("send", "Sending failed (HTTP 503); retrying in 2 s".into());
        status
            .problems
            .insert("close", "Could not end the conversation: HTTP 500".into());
        assert_eq!(status.state(), "error");
        assert_eq!(
            status.text(),
            "Connected: new conversations and messages arrive live · Could not end the conversation: HTTP 500 · Sending failed (HTTP 503); retrying in 2 s"
        );
        status.link = Link::Reconnecting;
        assert_eq!(status.state(), "reconnecting");
        assert_eq!(Status::default().text(), "Signed out");
    }
}
