//! The chat's effects around the pure [`Log`]: sending (a queue delivered in the order
//! typed, retried with the shared policy of `shopdesk_web::retry`), the event stream
//! (closed when dropped), the tab's memory, and what the panel is told. Each reports
//! what happened to the log; the view only reads the log.
//!
//! Work that waits on the network checks, after every wait, that it still belongs to
//! the current chat: `stop()` (`shopdesk.shutdown()`) moves one generation counter on,
//! and everything older ends quietly.

use std::collections::VecDeque;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shopdesk_settings::chat::{ChatSettings, PreChat};
use shopdesk_web::http::{self, Call, Failure};
use shopdesk_web::retry::{self, Next};
use shopdesk_web::stream::{self, Reconnect, Report};
use shopdesk_web::{js, time};
use shopdesk_wire::chat::{
    Availability, ChatEvent, Earlier, History, HistoryRequest, ReadUpTo, Resume, Say, Signal,
    Started, Ticket,
};

use crate::contact::{LinkTrouble, Opening};
use crate::handoff;
use crate::hooks;
use crate::log::{Applied, Log, Phase};
use crate::memory::{self, Remembered};
use crate::sharing::{Part, Shared};

/// Attempts to start a conversation before telling the shopper chat is unavailable.
const START_ATTEMPTS: u32 = 4;
/// "Typing" goes to the agent at most this often.
const TYPING_EVERY_MS: i64 = 2_000;
/// "Ana is typing…" fades this long after her last signal.
const TYPING_FADES_MS: f64 = 6_000.0;

/// The chat's state, shared by the view and the effects; `Copy`, so every closure and
/// task holds the same one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chat {
    pub log: RwSignal<Log>,
    /// The conversation that ended (the panel offers its `afterChat` survey).
    pub ended: RwSignal<Option<String>>,
    /// Bumped when the panel shows the chat: the view moves focus into it.
    pub focus: RwSignal<u32>,
    endpoint: StoredValue<String>,
    locale: StoredValue<String>,
    conversation: StoredValue<Option<Remembered>>,
    /// Messages typed and not yet acknowledged, oldest first.
    outbox: StoredValue<VecDeque<Say>>,
    sending: StoredValue<bool>,
    stream: StoredValue<Option<stream::Stream>, LocalStorage>,
    /// The newest event this page's streams delivered: a reopened stream resumes
    /// after it (none yet: from the start, which rebuilds the log).
    streamed: StoredValue<Option<i64>>,
    generation: StoredValue<u32>,
    /// When the agent was last told the shopper types.
    typed_at: StoredValue<i64>,
    /// Before the first message: availability, the form, the suggestions.
    pub opening: RwSignal<Opening>,
    /// What the merchant's `chat.preChat` asks before the first message.
    pub pre_chat: PreChat,
    /// The merchant's privacy page (`chat.privacyUrl`).
    pub privacy_url: StoredValue<Option<String>>,
}

impl Chat {
    /// The chat for `endpoint`; picks up this tab's conversation and the messages the
    /// previous page did not get delivered.
    pub(crate) fn new(endpoint: String, locale: String, settings: ChatSettings) -> Self {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let remembered = memory::recall(&endpoint);
        let mut log = remembered
            .as_ref()
            .map_or_else(Log::default, |r| Log::resumed(r.seen, r.read));
        let pending = memory::pending();
        log.waiting(&pending);
        let chat = Chat {
            log: RwSignal::new(log),
            ended: RwSignal::new(None),
            focus: RwSignal::new(0),
            endpoint: StoredValue::new(endpoint),
            locale: StoredValue::new(locale),
            conversation: StoredValue::new(remembered),
            outbox: StoredValue::new(pending.into()),
            sending: StoredValue::new(false),
            stream: StoredValue::new_local(None),
            streamed: StoredValue::new(None),
            generation: StoredValue::new(0),
            typed_at: StoredValue::new(i64::MIN / 2),
            opening: RwSignal::new(Opening::default()),
            pre_chat: settings.pre_chat,
            privacy_url: StoredValue::new(settings.privacy_url),
        };
        match memory::take_resume() {
            // The link from an email: its conversation, wherever this tab was.
            Some(link) => spawn_local(chat.resume(link)),
            None if chat.conversation.with_value(Option::is_some) => chat.listen(),
            None => chat.check_availability(),
        }
        chat.send_waiting();
        chat
    }

    /// Asks whether a person answers now: the view offers "Leave a message" if not.
    fn check_availability(self) {
        let url = self.endpoint.get_value() + "/availability";
        spawn_local(async move {
            match http::call(Call::get(&url)).await {
                Ok(answer) => match serde_json::from_str::<Availability>(&answer.body) {
                    Ok(a) => {
                        let _ = self.opening.try_update(|o| o.availability = Some(a));
                    }
                    Err(e) => js::report(&format!("{url} answered something unreadable: {e}")),
                },
                // An older server without office hours: the chat starts as it did.
                Err(f) => js::report(&format!("cannot tell whether anybody is there: {f}")),
            }
        });
    }

    /// Exchanges the link from an email for its conversation and follows it.
    async fn resume(self, link: String) {
        let generation = self.generation.get_value();
        let endpoint = self.endpoint.get_value();
        let url = endpoint.clone() + "/resume";
        let body = serde_json::to_string(&Resume { link }).unwrap_or_default();
        let answer = http::call(Call::post(&url).json(&body)).await;
        if !self.current(generation) {
            return;
        }
        let started = answer.and_then(|a| {
            serde_json::from_str::<Started>(&a.body).map_err(|e| Failure::Unreadable(e.to_string()))
        });
        match started {
            Ok(started) => {
                let r = Remembered {
                    endpoint,
                    id: started.id,
                    token: started.token,
                    seen: 0,
                    read: 0,
                };
                memory::remember(&r);
                self.conversation.set_value(Some(r));
                self.log.set(Log::resumed(0, 0));
                self.listen();
                hooks::show();
            }
            Err(f) => {
                js::report(&format!("the link from the email opened nothing: {f}"));
                let trouble = match f.status() {
                    Some(410) => LinkTrouble::Expired,
                    _ => LinkTrouble::Invalid,
                };
                self.opening.update(|o| o.link_trouble = Some(trouble));
                self.check_availability();
                hooks::show();
            }
        }
    }

    /// Shows the shopper, before the first message, what the agent will receive (the
    /// panel's handoff as it is now, what they took out still out); a verified shopper
    /// also sees their earlier conversations.
    pub(crate) fn share_again(self) {
        if self.conversation.with_value(Option::is_some) {
            return;
        }
        let Some(panel) = hooks::handoff() else {
            return;
        };
        let snapshot = handoff::snapshot(panel);
        let first = self.opening.with_untracked(|o| o.shared.is_none());
        let proof = snapshot.proof.clone();
        self.opening.update(|o| {
            o.shared = Some(match o.shared.take() {
                Some(shared) => shared.renewed(snapshot),
                None => Shared::new(snapshot),
            });
        });
        if let (true, Some(proof)) = (first, proof) {
            spawn_local(self.earlier(proof));
        }
    }

    /// The shopper takes `part` out of what the agent will receive.
    pub(crate) fn unshare(self, part: Part) {
        self.opening.update(|o| {
            if let Some(shared) = o.shared.as_mut() {
                shared.remove(part);
            }
        });
    }

    /// Asks for a verified shopper's earlier conversations (the id and signature the
    /// store's `identify` gave); a refusal just shows none.
    async fn earlier(self, (id, signature): (String, String)) {
        let generation = self.generation.get_value();
        let url = self.endpoint.get_value() + "/history";
        let body = serde_json::to_string(&HistoryRequest { id, signature }).unwrap_or_default();
        let answer = http::call(Call::post(&url).json(&body)).await;
        if !self.current(generation) {
            return;
        }
        match answer.map(|a| serde_json::from_str::<History>(&a.body)) {
            Ok(Ok(history)) => self.opening.update(|o| o.earlier = history.conversations),
            Ok(Err(e)) => js::report(&format!("{url} answered something unreadable: {e}")),
            Err(f) => js::report(&format!("earlier conversations are not available: {f}")),
        }
    }

    /// Opens an earlier conversation: its log is rebuilt from its stream.
    pub(crate) fn reopen(self, earlier: &Earlier) {
        let r = Remembered {
            endpoint: self.endpoint.get_value(),
            id: earlier.id.clone(),
            token: earlier.token.clone(),
            seen: 0,
            read: 0,
        };
        memory::remember(&r);
        self.conversation.set_value(Some(r));
        self.streamed.set_value(None);
        self.log.set(Log::resumed(0, 0));
        self.listen();
    }

    /// Shows or hides a suggested article's answer; the first opening is announced
    /// (the agent will know from the handoff).
    pub(crate) fn toggle_suggestion(&self, id: &str) {
        if let Some(article) = self.opening.try_update(|o| o.toggle(id)).flatten() {
            js::emit("chat:suggestion", &serde_json::json!({ "id": article.id }));
        }
    }

    /// Whether a conversation is going on (the panel opens on it).
    pub(crate) fn is_open(&self) -> bool {
        self.log.with_untracked(Log::is_open)
    }

    /// Sends `body`, starting the conversation if this is the first message.
    pub(crate) fn send(self, body: String) {
        let id = uuid::Uuid::new_v4().to_string();
        if let Some(say) = self.log.try_update(|l| l.typed(id, &body)).flatten() {
            self.queue([say]);
        }
    }

    /// Sends the shopper's failed messages again, starting a conversation if none is
    /// open.
    pub(crate) fn retry(self) {
        let again = self.log.try_update(Log::retry_failed).unwrap_or_default();
        self.queue(again);
    }

    /// The shopper ends the chat.
    pub(crate) fn end(self) {
        let Some(c) = self.conversation.get_value() else {
            return;
        };
        let generation = self.generation.get_value();
        spawn_local(async move {
            let url = c.url("close");
            let answer = http::call(Call::post(&url).bearer(&c.token)).await;
            if !self.current(generation) {
                return;
            }
            match answer {
                Ok(_) => self.ended_here(&c.id),
                Err(f) if f.status() == Some(404) => self.ended_here(&c.id),
                Err(f) => js::report(&format!("the chat could not be ended: {f}")),
            }
        });
    }

    /// After an ended chat: a fresh one.
    pub(crate) fn restart(self) {
        self.log.update(Log::restart);
        self.ended.set(None);
        self.opening.update(Opening::restart);
        self.check_availability();
    }

    /// The shopper has the chat in front of them: replies so far count as read.
    pub(crate) fn mark_read(&self) {
        self.log.update(Log::mark_read);
        self.keep_position();
        self.report_read();
    }

    /// The shopper types: the agent is told, at most every two seconds. Nothing is
    /// retried: the next keystroke says it again.
    pub(crate) fn typing(&self) {
        let now = time::now_ms();
        let open = self.log.with_untracked(|l| l.phase == Phase::Open);
        let Some(c) = self.conversation.get_value().filter(|_| open) else {
            return;
        };
        if now - self.typed_at.get_value() < TYPING_EVERY_MS {
            return;
        }
        self.typed_at.set_value(now);
        spawn_local(async move {
            let _ = http::call(Call::post(&c.url("typing")).bearer(&c.token)).await;
        });
    }

    /// Tells the server how far the shopper has read (the agent sees "Seen"), once.
    fn report_read(&self) {
        let Some(seq) = self.log.try_update(Log::read_to_report).flatten() else {
            return;
        };
        let Some(c) = self.conversation.get_value() else {
            return;
        };
        let Ok(body) = serde_json::to_string(&ReadUpTo { seq }) else {
            return;
        };
        spawn_local(async move {
            let url = c.url("read");
            let call = Call::post(&url).bearer(&c.token).json(&body);
            if let Err(e) = http::call(call).await {
                js::report(&format!("the chat could not say what was read: {e}"));
            }
        });
    }

    /// `shopdesk.shutdown()`: the stream closes, the tab forgets the conversation, and
    /// work still waiting on the network ends.
    pub(crate) fn stop(&self) {
        self.generation.update_value(|g| *g = g.wrapping_add(1));
        self.stream.set_value(None);
        self.outbox.update_value(VecDeque::clear);
        memory::keep_pending(std::iter::empty());
        memory::forget();
        self.sending.set_value(false);
    }

    fn current(&self, generation: u32) -> bool {
        self.generation.try_get_value() == Some(generation)
    }

    fn queue(self, says: impl IntoIterator<Item = Say>) {
        self.outbox.update_value(|o| o.extend(says));
        self.send_waiting();
    }

    /// Delivers the waiting messages one after another, so they arrive in the order
    /// typed however often the network fails; starts the conversation first if needed.
    fn send_waiting(self) {
        self.outbox.with_value(|o| memory::keep_pending(o.iter()));
        if self.outbox.with_value(VecDeque::is_empty) || self.sending.get_value() {
            return;
        }
        self.sending.set_value(true);
        let generation = self.generation.get_value();
        spawn_local(async move {
            while let Some(say) = self.outbox.try_with_value(|o| o.front().cloned()).flatten() {
                let phase = self.log.with_untracked(|l| l.phase);
                let open = match phase {
                    Phase::Idle | Phase::Unavailable => self.start(generation).await,
                    Phase::Starting | Phase::Open => true,
                    Phase::Ended => false,
                };
                if !self.current(generation) {
                    return;
                }
                if !open {
                    // Chat is unavailable or over: the log shows what waited as not sent.
                    self.outbox.update_value(VecDeque::clear);
                    memory::keep_pending(std::iter::empty());
                    break;
                }
                self.deliver(generation, &say).await;
                if !self.current(generation) {
                    return;
                }
                self.outbox.update_value(|o| {
                    o.pop_front();
                    memory::keep_pending(o.iter());
                });
            }
            self.sending.set_value(false);
        });
    }

    /// Opens the conversation with the handoff; `false` if chat is unavailable.
    async fn start(self, generation: u32) -> bool {
        self.log.update(Log::starting);
        let endpoint = self.endpoint.get_value();
        // Exactly what the shopper was shown and left on the list (`sharing.rs`).
        let zone = time_zone();
        let start_key = uuid::Uuid::new_v4().to_string();
        let locale = self.locale.get_value();
        let handoff = self.opening.with_untracked(|o| {
            handoff::outgoing(
                o.shared.as_ref(),
                &locale,
                &o.additions(zone.as_deref(), &start_key),
            )
        });
        let mut attempts = 0;
        let answer = loop {
            let answer = http::call(Call::post(&endpoint).json(&handoff)).await;
            if !self.current(generation) {
                return false;
            }
            let failure = match answer {
                Ok(answer) => break Ok(answer),
                Err(f) => f,
            };
            match retry::after(&failure, attempts, time::random()) {
                Next::Retry { after_ms } if attempts + 1 < START_ATTEMPTS => {
                    time::sleep(after_ms).await;
                    if !self.current(generation) {
                        return false;
                    }
                    attempts += 1;
                }
                _ => break Err(failure),
            }
        };
        let started = answer.and_then(|a| {
            serde_json::from_str::<Started>(&a.body).map_err(|e| Failure::Unreadable(e.to_string()))
        });
        match started {
            Ok(started) => {
                let r = Remembered {
                    endpoint,
                    id: started.id.clone(),
                    token: started.token,
                    seen: 0,
                    read: 0,
                };
                memory::remember(&r);
                self.conversation.set_value(Some(r));
                // A message left for later: where the answer goes, said at once (the
                // stream's `started` event says the same a moment later).
                let left_for = self
                    .opening
                    .with_untracked(|o| o.contact.email.clone().filter(|_| o.leaving()));
                self.log.update(|l| {
                    l.started(started.agents_online);
                    l.left_for = left_for;
                });
                js::emit("escalate", &serde_json::json!({ "id": started.id }));
                self.listen();
                true
            }
            Err(failure) => {
                js::report(&start_problem(&self.endpoint.get_value(), &failure));
                self.log.update(Log::unavailable);
                false
            }
        }
    }

    /// Posts a message until the server has it: the same id makes a retry harmless.
    async fn deliver(self, generation: u32, say: &Say) {
        let body = serde_json::to_string(say).unwrap_or_default();
        let mut attempts = 0u32;
        loop {
            let Some(c) = self.conversation.get_value() else {
                return self.log.update(|l| l.failed(&say.id));
            };
            let url = c.url("messages");
            let answer = http::call(Call::post(&url).bearer(&c.token).json(&body)).await;
            if !self.current(generation) {
                return;
            }
            let failure = match answer {
                Ok(answer) => {
                    let seq = serde_json::from_str::<ChatEvent>(&answer.body)
                        .ok()
                        .map(|e| e.seq);
                    return self.log.update(|l| l.confirmed(&say.id, seq));
                }
                Err(f) => f,
            };
            if failure.status() == Some(409) {
                // The conversation ended before the message got there.
                return self.ended_here(&c.id);
            }
            match retry::after(&failure, attempts, time::random()) {
                Next::GiveUp(reason) => {
                    js::report(&format!("a chat message was refused: {reason}"));
                    return self.log.update(|l| l.failed(&say.id));
                }
                Next::Retry { after_ms } => {
                    if self.log.with_untracked(|l| l.phase) == Phase::Ended {
                        return self.log.update(|l| l.failed(&say.id));
                    }
                    self.log.update(|l| l.retrying(&say.id));
                    time::sleep(after_ms).await;
                    if !self.current(generation) {
                        return;
                    }
                    attempts += 1;
                }
            }
        }
    }

    /// Opens the event stream of the conversation (all of it: a resumed conversation
    /// rebuilds its log from it).
    fn listen(self) {
        let generation = self.generation.get_value();
        spawn_local(self.connect(generation, 0));
    }

    /// Asks for a single-use ticket with the conversation's key and opens the stream
    /// with it, after the newest event this page has. A refused key means the
    /// conversation is gone (then it is over); anything else is the network or a
    /// busy server, tried again after a growing pause.
    async fn connect(self, generation: u32, attempts: u32) {
        self.stream.try_set_value(None);
        if attempts > 0 {
            time::sleep(retry::backoff_ms(attempts - 1, time::random())).await;
            if !self.current(generation) || self.log.with_untracked(|l| l.phase) != Phase::Open {
                return;
            }
        }
        let Some(c) = self.conversation.get_value() else {
            return;
        };
        let answer = http::call(Call::post(&c.url("tickets")).bearer(&c.token)).await;
        if !self.current(generation) {
            return;
        }
        let ticket = answer.and_then(|a| {
            serde_json::from_str::<Ticket>(&a.body).map_err(|e| Failure::Unreadable(e.to_string()))
        });
        match ticket {
            Ok(t) => {
                let after = self.streamed.get_value();
                self.open_stream(generation, &c.events_url(&t.ticket, after));
            }
            Err(f) if matches!(f.status(), Some(404 | 401)) => {
                js::report("the chat conversation is no longer available on the server");
                self.ended_here(&c.id);
            }
            Err(_) => spawn_local(self.connect(generation, attempts + 1)),
        }
    }

    fn open_stream(self, generation: u32, url: &str) {
        let opened = stream::open(url, Reconnect::Page, move |report| match report {
            Report::Data(data) => match serde_json::from_str::<ChatEvent>(&data) {
                Ok(event) => {
                    self.streamed
                        .update_value(|s| *s = Some(s.unwrap_or(0).max(event.seq)));
                    self.apply(event);
                }
                Err(e) => js::report(&format!("the chat stream sent something unreadable: {e}")),
            },
            // A newer server's kinds of signal are skipped.
            Report::Signal(data) => {
                if let Ok(signal) = serde_json::from_str::<Signal>(&data) {
                    self.signal(generation, &signal);
                }
            }
            // Dropped or refused (the ticket is spent by then): a new ticket, and the
            // stream resumes after the newest event it delivered.
            Report::Failed | Report::Reconnecting => spawn_local(self.connect(generation, 1)),
            Report::Connected => {}
        });
        match opened {
            Ok(s) => self.stream.set_value(Some(s)),
            Err(e) => js::report(&format!(
                "cannot open the chat stream: {}",
                js::describe(&e)
            )),
        }
    }

    fn signal(self, generation: u32, signal: &Signal) {
        if self.log.try_update(|l| l.signal(signal)) != Some(true) {
            return;
        }
        if let (Signal::Typing { .. }, Some(signals)) = (
            signal,
            self.log
                .with_untracked(|l| l.typing.is_some().then_some(l.typing_signals)),
        ) {
            spawn_local(async move {
                time::sleep(TYPING_FADES_MS).await;
                if self.current(generation) {
                    self.log.update(|l| {
                        l.typing_faded(signals);
                    });
                }
            });
        }
    }

    fn apply(self, event: ChatEvent) {
        let panel_open = hooks::panel_open();
        let applied = self
            .log
            .try_update(|l| l.apply(&event, panel_open))
            .unwrap_or(Applied::Nothing);
        self.keep_position();
        if panel_open {
            self.report_read();
        }
        match applied {
            Applied::Reply => js::emit(
                "chat:message",
                &serde_json::json!({ "id": event.conversation }),
            ),
            Applied::Ended => self.after_end(&event.conversation),
            Applied::Changed | Applied::Nothing => {}
        }
    }

    /// The tab remembers how far the log was seen and read.
    fn keep_position(&self) {
        let Some((seen, read)) = self.log.try_with_untracked(|l| (l.seen, l.read)) else {
            return;
        };
        self.conversation.update_value(|c| {
            if let Some(c) = c.as_mut().filter(|c| (c.seen, c.read) != (seen, read)) {
                c.seen = seen;
                c.read = read;
                memory::remember(c);
            }
        });
    }

    /// The conversation ended, learnt here rather than from the stream.
    fn ended_here(self, conversation: &str) {
        if self.log.try_update(Log::end) == Some(true) {
            self.after_end(conversation);
        }
    }

    /// The tab forgets the conversation, and the panel may offer the survey.
    fn after_end(self, conversation: &str) {
        self.stream.set_value(None);
        memory::forget();
        self.conversation.set_value(None);
        self.outbox.update_value(VecDeque::clear);
        memory::keep_pending(std::iter::empty());
        js::emit("chat:ended", &serde_json::json!({ "id": conversation }));
        self.ended.set(Some(conversation.to_string()));
    }
}

/// The shopper's time zone, as their browser says (emails show times in it).
fn time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()?
        .as_string()
}

/// Why the chat could not start, for the merchant: what to check.
fn start_problem(endpoint: &str, failure: &Failure) -> String {
    match failure {
        Failure::Network(why) => format!("the chat endpoint {endpoint} is unreachable: {why}"),
        Failure::Http {
            status, message, ..
        } => format!("the chat could not start (HTTP {status}): {message}"),
        Failure::Unreadable(why) => {
            format!("the chat endpoint answered something else than a conversation: {why}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_that_cannot_start_tells_the_merchant_what_to_check() {
        let off = Failure::http(503, "live chat is off");
        assert_eq!(
            start_problem("/v1/chat", &off),
            "the chat could not start (HTTP 503): live chat is off"
        );
        assert!(start_problem(
            "https://x.example/v1/chat",
            &Failure::Network("Failed to fetch".into())
        )
        .contains("https://x.example/v1/chat is unreachable"));
    }
}
