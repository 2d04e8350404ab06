//! Live chat: when the FAQ does not answer, the shopper talks to a person without
//! repeating themselves.
//!
//! The conversation starts with the shopper's first message and carries a handoff
//! (what they searched and read, the page they are on, what the merchant told us about
//! them) so the agent starts where the FAQ left off. Messages get their id when typed
//! and are retried until the server has them (it stores each id once). Replies arrive
//! on a server-sent event stream that resumes by itself after a dropped connection.
//! The conversation is remembered for the browser tab (`sessionStorage`), so it
//! follows the shopper across the store's pages. When it ends, the panel is told (it
//! offers the merchant's `afterChat` survey right there).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shopdesk_web::js;
use shopdesk_wire::chat::{Author, ChatEvent, Handoff, Say, Started, What};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{EventSource, MessageEvent, Request, RequestInit, Response};

use crate::hooks;

/// Where the open conversation is remembered for this tab.
const KEY: &str = "shopdesk:chat";
/// Messages typed and not yet acknowledged, kept for the tab: leaving the page while
/// one is being retried does not lose it, the next page sends it.
const PENDING_KEY: &str = "shopdesk:chat-pending";
/// Longest wait between two attempts to deliver a message.
const MAX_BACKOFF_MS: f64 = 30_000.0;
/// Attempts to start a conversation before telling the shopper chat is unavailable.
const START_ATTEMPTS: u32 = 4;

/// Where the conversation is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Phase {
    /// Nothing said yet: the conversation starts with the first message.
    Idle,
    Starting,
    Open,
    Ended,
    /// Chat cannot start (off on the server, or unreachable): say so.
    Unavailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Sending,
    Retrying,
    Sent,
    /// Refused for good (the console says why).
    Failed,
}

/// One message in the log.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// The message's id (the sender's idempotency key).
    pub id: String,
    pub author: Author,
    pub body: String,
    pub delivery: Delivery,
    /// The server's number for it, once known: the log is in this order, messages
    /// still on their way last.
    pub seq: Option<i64>,
}

/// What this tab remembers of its conversation.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Remembered {
    endpoint: String,
    id: String,
    token: String,
    /// The newest event applied: on the next page the stream replays the log, and
    /// nothing up to here is announced (`chat:message`) again.
    #[serde(default)]
    seen: i64,
    /// The newest agent message the shopper has had in front of them (panel open):
    /// later ones mark the launcher as unread, on this page or the next.
    #[serde(default)]
    read: i64,
}

/// The open event stream and the callbacks it holds.
struct Stream {
    source: EventSource,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static STREAM: RefCell<Option<Stream>> = const { RefCell::new(None) };
    /// Messages typed and not yet acknowledged, oldest first.
    static OUTBOX: RefCell<VecDeque<Say>> = const { RefCell::new(VecDeque::new()) };
    static PUMPING: Cell<bool> = const { Cell::new(false) };
    /// After `shutdown()`: work still waiting on the network finds the widget gone
    /// (its signals are disposed) and stops.
    static STOPPED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the widget is still mounted; checked after every wait.
fn alive() -> bool {
    !STOPPED.get()
}

/// The chat's state, shared by the view and the network code.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chat {
    pub phase: RwSignal<Phase>,
    pub lines: RwSignal<Vec<Line>>,
    /// Agents online when the conversation started (0: the message waits).
    pub agents_online: RwSignal<Option<u32>>,
    /// The conversation that ended (the panel offers its `afterChat` survey).
    pub ended: RwSignal<Option<String>>,
    /// Bumped when the panel shows the chat: the view moves focus into it.
    pub focus: RwSignal<u32>,
    /// An agent's message arrived while the panel was closed.
    pub unread: RwSignal<bool>,
    endpoint: StoredValue<String>,
    conversation: StoredValue<Option<Remembered>>,
    locale: StoredValue<String>,
}

impl Chat {
    /// The chat for `endpoint`; picks up this tab's conversation if one is open.
    pub(crate) fn new(endpoint: String, locale: String) -> Self {
        STOPPED.set(false);
        let chat = Chat {
            phase: RwSignal::new(Phase::Idle),
            lines: RwSignal::new(Vec::new()),
            agents_online: RwSignal::new(None),
            ended: RwSignal::new(None),
            focus: RwSignal::new(0),
            unread: RwSignal::new(false),
            endpoint: StoredValue::new(endpoint.trim_end_matches('/').to_string()),
            conversation: StoredValue::new(None),
            locale: StoredValue::new(locale),
        };
        if let Some(r) = recall().filter(|r| r.endpoint == chat.endpoint.get_value()) {
            chat.conversation.set_value(Some(r));
            chat.phase.set(Phase::Open);
            chat.listen();
        }
        let pending = load_pending();
        if !pending.is_empty() {
            chat.lines.update(|l| {
                l.extend(pending.iter().map(|say| Line {
                    id: say.id.clone(),
                    author: Author::Shopper,
                    body: say.body.clone(),
                    delivery: Delivery::Sending,
                    seq: None,
                }))
            });
            outbox(|o| *o = pending.into());
            PUMPING.set(true);
            wasm_bindgen_futures::spawn_local(chat.pump());
        }
        chat
    }

    /// Whether a conversation is going on (the panel opens on it).
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.phase.get_untracked(), Phase::Starting | Phase::Open)
    }

    /// Sends `body`, starting the conversation if this is the first message.
    pub(crate) fn send(self, body: String) {
        let body = body.trim().to_string();
        if body.is_empty() {
            return;
        }
        let id = uuid::Uuid::new_v4().to_string();
        self.lines.update(|l| {
            l.push(Line {
                id: id.clone(),
                author: Author::Shopper,
                body: body.clone(),
                delivery: Delivery::Sending,
                seq: None,
            })
        });
        outbox(|o| o.push_back(Say { id, body }));
        if !PUMPING.replace(true) {
            wasm_bindgen_futures::spawn_local(self.pump());
        }
    }

    /// Delivers the waiting messages one after another, so they arrive in the order
    /// they were typed however often the network fails; starts the conversation first
    /// if needed.
    async fn pump(self) {
        while let Some(say) = OUTBOX.with(|o| o.borrow().front().cloned()) {
            let started = match self.phase.get_untracked() {
                Phase::Idle | Phase::Unavailable => {
                    self.phase.set(Phase::Starting);
                    self.start().await
                }
                Phase::Starting | Phase::Open => true,
                Phase::Ended => false,
            };
            if !alive() {
                return;
            }
            if started {
                self.deliver(&say).await;
                if !alive() {
                    return;
                }
            } else {
                // Chat is unavailable or over: what waits cannot be sent.
                let failed: Vec<Say> = outbox(|o| o.drain(..).collect());
                for f in failed {
                    self.mark(&f.id, Delivery::Failed);
                }
                break;
            }
            outbox(|o| o.pop_front());
        }
        PUMPING.set(false);
    }

    /// Opens the conversation with the handoff; `false` if chat is unavailable.
    /// Network errors, 429 and 5xx are tried again a few times first.
    async fn start(self) -> bool {
        let endpoint = self.endpoint.get_value();
        // The panel knows what the shopper searched and read; without it, the language.
        let body = hooks::handoff().unwrap_or_else(|| {
            serde_json::to_string(&Handoff {
                locale: Some(self.locale.get_value()),
                ..Handoff::default()
            })
            .unwrap_or_default()
        });
        let mut attempt = 0;
        let answer = loop {
            attempt += 1;
            let answer = post(&endpoint, None, Some(&body)).await;
            if !alive() {
                return false;
            }
            let passing = match &answer {
                Ok((status, _)) => *status == 429 || *status >= 500,
                Err(_) => true,
            };
            if !passing || attempt >= START_ATTEMPTS {
                break answer;
            }
            js::sleep(backoff_ms(attempt)).await;
            if !alive() {
                return false;
            }
        };
        match answer {
            Ok((201, text)) => match serde_json::from_str::<Started>(&text) {
                Ok(started) => {
                    let r = Remembered {
                        endpoint,
                        id: started.id.clone(),
                        token: started.token,
                        seen: 0,
                        read: 0,
                    };
                    remember(&r);
                    self.conversation.set_value(Some(r));
                    self.agents_online.set(Some(started.agents_online));
                    self.phase.set(Phase::Open);
                    js::emit("escalate", &serde_json::json!({ "id": started.id }));
                    self.listen();
                    true
                }
                Err(e) => self.unavailable(&format!(
                    "the chat endpoint answered something else than a conversation: {e}"
                )),
            },
            Ok((status, text)) => self.unavailable(&format!(
                "the chat could not start (HTTP {status}): {}",
                error_message(&text)
            )),
            Err(e) => {
                self.unavailable(&format!("the chat endpoint {endpoint} is unreachable: {e}"))
            }
        }
    }

    fn unavailable(self, why: &str) -> bool {
        js::report(why);
        self.phase.set(Phase::Unavailable);
        false
    }

    /// Posts a message until the server has it: network errors, 429 and 5xx are
    /// retried with growing pauses; the same id makes a retry harmless.
    async fn deliver(self, say: &Say) {
        let body = serde_json::to_string(say).unwrap_or_default();
        let mut attempt = 0u32;
        loop {
            let Some(c) = self.conversation.get_value() else {
                return self.mark(&say.id, Delivery::Failed);
            };
            let url = format!("{}/{}/messages", c.endpoint, c.id);
            let answer = post(&url, Some(&c.token), Some(&body)).await;
            if !alive() {
                return;
            }
            match answer {
                Ok((200 | 201, text)) => {
                    let seq = serde_json::from_str::<ChatEvent>(&text).ok().map(|e| e.seq);
                    return self.confirm(&say.id, seq);
                }
                Ok((409, _)) => {
                    self.mark(&say.id, Delivery::Failed);
                    return self.finished(&c.id);
                }
                Ok((status, text)) if status != 429 && status < 500 => {
                    js::report(&format!(
                        "a chat message was refused (HTTP {status}): {}",
                        error_message(&text)
                    ));
                    return self.mark(&say.id, Delivery::Failed);
                }
                _ => {}
            }
            if self.phase.get_untracked() == Phase::Ended {
                return self.mark(&say.id, Delivery::Failed);
            }
            self.mark(&say.id, Delivery::Retrying);
            attempt += 1;
            js::sleep(backoff_ms(attempt)).await;
            if !alive() {
                return;
            }
        }
    }

    /// Sends the shopper's failed messages again (the same ids: whatever did reach
    /// the server is not repeated), starting a conversation if none is open.
    pub(crate) fn retry(self) {
        if self.phase.get_untracked() == Phase::Ended {
            return;
        }
        let mut again = Vec::new();
        self.lines.update(|lines| {
            for line in lines.iter_mut() {
                if line.author == Author::Shopper && line.delivery == Delivery::Failed {
                    line.delivery = Delivery::Sending;
                    again.push(Say {
                        id: line.id.clone(),
                        body: line.body.clone(),
                    });
                }
            }
        });
        outbox(|o| o.extend(again));
        if !PUMPING.replace(true) {
            wasm_bindgen_futures::spawn_local(self.pump());
        }
    }

    /// Whether some of the shopper's messages could not be sent.
    pub(crate) fn has_failed(&self) -> bool {
        self.lines.with(|l| {
            l.iter()
                .any(|l| l.author == Author::Shopper && l.delivery == Delivery::Failed)
        })
    }

    /// The server has message `id` (as event `seq`): sent, and in its place.
    fn confirm(&self, id: &str, seq: Option<i64>) {
        self.lines.update(|lines| {
            if let Some(line) = lines.iter_mut().find(|l| l.id == id) {
                line.delivery = Delivery::Sent;
                line.seq = line.seq.or(seq);
            }
            // Stable: lines without a number keep their order, at the end.
            lines.sort_by_key(|l| l.seq.unwrap_or(i64::MAX));
        });
    }

    fn mark(&self, id: &str, delivery: Delivery) {
        self.lines.update(|lines| {
            if let Some(line) = lines.iter_mut().find(|l| l.id == id) {
                // The stream may have confirmed it first.
                if line.delivery != Delivery::Sent {
                    line.delivery = delivery;
                }
            }
        });
    }

    /// Opens the event stream of the conversation (all of it: a resumed conversation
    /// rebuilds its log from it).
    fn listen(self) {
        let Some(c) = self.conversation.get_value() else {
            return;
        };
        let url = format!(
            "{}/{}/events?token={}",
            c.endpoint,
            c.id,
            String::from(js_sys::encode_uri_component(&c.token))
        );
        let source = match EventSource::new(&url) {
            Ok(s) => s,
            Err(e) => {
                js::report(&format!(
                    "cannot open the chat stream: {}",
                    js::describe(&e)
                ));
                return;
            }
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data().as_string().unwrap_or_default();
            match serde_json::from_str::<ChatEvent>(&data) {
                Ok(event) => self.apply(event),
                Err(err) => {
                    js::report(&format!("the chat stream sent something unreadable: {err}"))
                }
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            // CLOSED: the browser gave up on the stream (it was refused, or the page is
            // going away). Otherwise it reconnects by itself.
            let closed = STREAM.with(|s| {
                s.borrow()
                    .as_ref()
                    .is_some_and(|s| s.source.ready_state() == EventSource::CLOSED)
            });
            if closed {
                wasm_bindgen_futures::spawn_local(self.recheck(1));
            }
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        close_stream();
        STREAM.with(|s| {
            *s.borrow_mut() = Some(Stream {
                source,
                _on_message: on_message,
                _on_error: on_error,
            })
        });
    }

    /// The stream was refused: is the conversation gone (then it is over), or was it
    /// the network (then listen again, after a growing pause)?
    async fn recheck(self, attempt: u32) {
        js::sleep(1000 * attempt.min(30) as i32).await;
        if !alive() {
            return;
        }
        let Some(c) = self.conversation.get_value() else {
            return;
        };
        if self.phase.get_untracked() != Phase::Open {
            return;
        }
        let url = format!(
            "{}/{}/events?token={}&after={}",
            c.endpoint,
            c.id,
            String::from(js_sys::encode_uri_component(&c.token)),
            i64::MAX
        );
        let status = status_of(&url).await;
        if !alive() {
            return;
        }
        match status {
            Some(404 | 401) => {
                js::report("the chat conversation is no longer available on the server");
                self.finished(&c.id);
            }
            Some(200) => self.listen(),
            _ => wasm_bindgen_futures::spawn_local(self.recheck(attempt.saturating_mul(2).min(32))),
        }
    }

    fn apply(self, event: ChatEvent) {
        let (seen, read) = self
            .conversation
            .with_value(|c| c.as_ref().map_or((0, 0), |c| (c.seen, c.read)));
        if event.seq > seen {
            self.note(|c| c.seen = event.seq);
        }
        match event.what {
            What::Started { .. } => {}
            What::Message { author, id, body } => {
                let known = self.lines.with_untracked(|l| l.iter().any(|x| x.id == id));
                if known {
                    self.confirm(&id, Some(event.seq));
                    return;
                }
                if author == Author::Agent {
                    if event.seq > seen {
                        js::emit(
                            "chat:message",
                            &serde_json::json!({ "id": event.conversation }),
                        );
                    }
                    if hooks::panel_open() {
                        self.note(|c| c.read = event.seq);
                    } else if event.seq > read {
                        self.unread.set(true);
                    }
                }
                self.lines.update(|l| {
                    l.push(Line {
                        id,
                        author,
                        body,
                        delivery: Delivery::Sent,
                        seq: Some(event.seq),
                    });
                    l.sort_by_key(|l| l.seq.unwrap_or(i64::MAX));
                });
            }
            What::Closed { .. } => self.finished(&event.conversation),
        }
    }

    /// Changes what the tab remembers of the conversation.
    fn note(&self, change: impl FnOnce(&mut Remembered)) {
        self.conversation.update_value(|c| {
            if let Some(c) = c {
                change(c);
                remember(c);
            }
        });
    }

    /// The shopper opened the panel: every reply so far counts as read.
    pub(crate) fn mark_read(&self) {
        self.unread.set(false);
        self.note(|c| c.read = c.seen);
    }

    /// The conversation ended (either side): forget it, and offer the survey.
    fn finished(self, conversation: &str) {
        if self.phase.get_untracked() == Phase::Ended {
            return;
        }
        close_stream();
        forget();
        self.conversation.set_value(None);
        self.phase.set(Phase::Ended);
        js::emit("chat:ended", &serde_json::json!({ "id": conversation }));
        self.ended.set(Some(conversation.to_string()));
    }

    /// The shopper ends the chat.
    pub(crate) fn end(self) {
        let Some(c) = self.conversation.get_value() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            let url = format!("{}/{}/close", c.endpoint, c.id);
            let answer = post(&url, Some(&c.token), None).await;
            if !alive() {
                return;
            }
            match answer {
                Ok((204 | 200 | 404, _)) => self.finished(&c.id),
                Ok((status, text)) => js::report(&format!(
                    "the chat could not be ended (HTTP {status}): {}",
                    error_message(&text)
                )),
                Err(e) => js::report(&format!("the chat could not be ended: {e}")),
            }
        });
    }

    /// After an ended chat: a fresh one.
    pub(crate) fn restart(&self) {
        self.lines.set(Vec::new());
        self.ended.set(None);
        self.agents_online.set(None);
        self.phase.set(Phase::Idle);
    }
}

/// `shutdown()`: the stream closes and the tab forgets the conversation.
pub(crate) fn stop() {
    STOPPED.set(true);
    close_stream();
    forget();
    OUTBOX.with(|o| o.borrow_mut().clear());
    if let Some(s) = session_storage() {
        let _ = s.remove_item(PENDING_KEY);
    }
    PUMPING.set(false);
}

/// The pause before attempt `attempt + 1`: doubling from a second up to 30 s, with
/// jitter so many shoppers do not retry in step.
fn backoff_ms(attempt: u32) -> i32 {
    let pause = (1000.0 * 2f64.powi(attempt.clamp(1, 16) as i32 - 1)).min(MAX_BACKOFF_MS);
    (pause * (0.5 + js_sys::Math::random() / 2.0)) as i32
}

fn close_stream() {
    if let Some(s) = STREAM.with(|s| s.borrow_mut().take()) {
        s.source.close();
    }
}

/// POSTs JSON (`body`) with the conversation's token; the status and the body's text.
async fn post(url: &str, token: Option<&str>, body: Option<&str>) -> Result<(u16, String), String> {
    let init = RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(|e| js::describe(&e))?;
    if let Some(t) = token {
        headers
            .set("Authorization", &format!("Bearer {t}"))
            .map_err(|e| js::describe(&e))?;
    }
    if let Some(b) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(|e| js::describe(&e))?;
        init.set_body(&JsValue::from_str(b));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init).map_err(|e| js::describe(&e))?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| js::describe(&e))?
        .unchecked_into();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    Ok((response.status(), text.unwrap_or_default()))
}

/// The status of a GET, without reading the body (an event stream never ends).
async fn status_of(url: &str) -> Option<u16> {
    let abort = web_sys::AbortController::new().ok()?;
    let init = RequestInit::new();
    init.set_signal(Some(&abort.signal()));
    let request = Request::new_with_str_and_init(url, &init).ok()?;
    let response: Response = JsFuture::from(web_sys::window()?.fetch_with_request(&request))
        .await
        .ok()?
        .unchecked_into();
    abort.abort();
    Some(response.status())
}

/// The `error` of the server's JSON refusal, else the text itself.
fn error_message(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_else(|| text.chars().take(200).collect())
}

/// Changes the waiting messages, and keeps them for the tab.
fn outbox<T>(change: impl FnOnce(&mut VecDeque<Say>) -> T) -> T {
    OUTBOX.with(|o| {
        let mut o = o.borrow_mut();
        let result = change(&mut o);
        if let Some(s) = session_storage() {
            let _ = if o.is_empty() {
                s.remove_item(PENDING_KEY)
            } else {
                let list: Vec<&Say> = o.iter().collect();
                s.set_item(
                    PENDING_KEY,
                    &serde_json::to_string(&list).unwrap_or_default(),
                )
            };
        }
        result
    })
}

fn load_pending() -> Vec<Say> {
    session_storage()
        .and_then(|s| s.get_item(PENDING_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn recall() -> Option<Remembered> {
    let text = session_storage()?.get_item(KEY).ok()??;
    serde_json::from_str(&text).ok()
}

fn remember(r: &Remembered) {
    if let (Some(s), Ok(text)) = (session_storage(), serde_json::to_string(r)) {
        let _ = s.set_item(KEY, &text);
    }
}

fn forget() {
    if let Some(s) = session_storage() {
        let _ = s.remove_item(KEY);
    }
}

#[cfg(test)]
mod tests {
    use super::error_message;

    #[test]
    fn refusals_are_reported_in_the_servers_words() {
        assert_eq!(
            error_message(r#"{"error": "live chat is off", "field": null}"#),
            "live chat is off"
        );
        assert_eq!(error_message("Bad Gateway"), "Bad Gateway");
    }
}
