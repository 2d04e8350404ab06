//! A response given is a response kept.
//!
//! Every feedback response is written to a persistent outbox (`shopdesk:outbox` in
//! localStorage; memory where the page has no storage) before any network call, then
//! sent. Network errors, 5xx and 429 are retried with exponential backoff and jitter,
//! honouring `Retry-After`; a 4xx that can never succeed drops the response with one
//! console error and `error` event. Whatever is still waiting is sent again with
//! `keepalive` when the shopper leaves the page, and on every later page view of the
//! store (the widget loads when the browser is idle), so reloads and outages lose
//! nothing; the endpoint stores each id once, so sending twice is harmless.

mod policy;

use std::cell::{Cell, RefCell};

use serde::{Deserialize, Serialize};
use shopdesk_wire::FeedbackEvent;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use self::policy::Verdict;
use crate::{js, listen};

const KEY: &str = "shopdesk:outbox";
/// Responses kept at most; beyond, the oldest are dropped with a warning.
const CAPACITY: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Item {
    endpoint: String,
    event: FeedbackEvent,
    /// Failed attempts so far.
    attempts: u32,
    /// Not sent again before this time (ms since the epoch).
    not_before: f64,
}

thread_local! {
    /// The outbox where the page has no usable localStorage.
    static MEMORY: RefCell<Vec<Item>> = const { RefCell::new(Vec::new()) };
    static SENDING: Cell<bool> = const { Cell::new(false) };
    static TIMER: Cell<Option<i32>> = const { Cell::new(None) };
    /// After `shutdown()`: nothing is sent or stored any more.
    static STOPPED: Cell<bool> = const { Cell::new(false) };
}

/// `shutdown()`: stops sending; the launcher removes what was stored.
pub(crate) fn stop() {
    STOPPED.set(true);
    MEMORY.with(|m| m.borrow_mut().clear());
    if let (Some(window), Some(id)) = (web_sys::window(), TIMER.take()) {
        window.clear_timeout_with_handle(id);
    }
}

/// Keeps `event` for `endpoint` and starts sending it.
pub(crate) fn submit(endpoint: String, event: FeedbackEvent) {
    if STOPPED.get() {
        return;
    }
    let mut items = load();
    items.push(Item {
        endpoint,
        event,
        attempts: 0,
        not_before: 0.0,
    });
    if items.len() > CAPACITY {
        let dropped = items.len() - CAPACITY;
        items.drain(..dropped);
        web_sys::console::warn_1(
            &format!(
                "[shopdesk] the feedback outbox holds at most {CAPACITY} unsent responses; \
                 dropped the {dropped} oldest (is the feedback endpoint reachable?)"
            )
            .into(),
        );
    }
    save(&items);
    kick();
}

/// Starts delivering what earlier page views left, and follows the page: leaving it
/// sends what waits, coming back online retries at once.
pub(crate) fn start() {
    if let Some(window) = web_sys::window() {
        listen::on(&window, "pagehide", send_all_now);
        listen::on(&window, "online", kick);
    }
    kick();
}

/// Sends what is due, unless a run is already going.
fn kick() {
    if STOPPED.get() || SENDING.replace(true) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        deliver_due().await;
        SENDING.set(false);
        schedule();
    });
}

async fn deliver_due() {
    while !STOPPED.get() {
        let now = js_sys::Date::now();
        let Some(item) = load().into_iter().find(|i| i.not_before <= now) else {
            return;
        };
        let (status, retry_after) = attempt(&item).await;
        let verdict = policy::verdict(
            status,
            retry_after.as_deref(),
            item.attempts,
            js_sys::Math::random(),
        );
        // Read again: another tab of the store may have sent or added responses.
        let mut items = load();
        let Some(at) = items.iter().position(|i| i.event.id == item.event.id) else {
            continue;
        };
        match verdict {
            Verdict::Delivered => {
                items.remove(at);
            }
            Verdict::Refused { status } => {
                items.remove(at);
                js::report(&format!(
                    "feedback {} was refused by {} (HTTP {status}); it is dropped, not retried",
                    item.event.id, item.endpoint
                ));
            }
            Verdict::Retry { after_ms } => {
                let waiting = &mut items[at];
                waiting.attempts += 1;
                waiting.not_before = js_sys::Date::now() + after_ms;
            }
        }
        save(&items);
    }
}

/// One timer for the earliest response waiting for its retry.
fn schedule() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(id) = TIMER.take() {
        window.clear_timeout_with_handle(id);
    }
    let Some(next) = load().iter().map(|i| i.not_before).reduce(f64::min) else {
        return;
    };
    let delay = (next - js_sys::Date::now()).clamp(0.0, 2_147_483_647.0) as i32;
    let callback = Closure::once_into_js(kick);
    if let Ok(id) = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), delay)
    {
        TIMER.set(Some(id));
    }
}

/// The page is going away: send everything once more with `keepalive`, without
/// waiting. Each stays in the outbox until a later page view sees it acknowledged.
fn send_all_now() {
    for item in load() {
        if let Some(request) = request(&item) {
            if let Some(window) = web_sys::window() {
                let _ = window.fetch_with_request(&request);
            }
        }
    }
}

/// One POST; the status (`None` without an answer) and any `Retry-After`.
async fn attempt(item: &Item) -> (Option<u16>, Option<String>) {
    let (Some(request), Some(window)) = (request(item), web_sys::window()) else {
        return (None, None);
    };
    match JsFuture::from(window.fetch_with_request(&request)).await {
        Ok(response) => {
            let response: Response = response.unchecked_into();
            let retry_after = response.headers().get("Retry-After").ok().flatten();
            (Some(response.status()), retry_after)
        }
        Err(_) => (None, None),
    }
}

fn request(item: &Item) -> Option<Request> {
    let body = serde_json::to_string(&item.event).ok()?;
    let init = RequestInit::new();
    init.set_method("POST");
    // `keepalive` lets the request outlive the page; not in web-sys's stable bindings.
    js_sys::Reflect::set(&init, &"keepalive".into(), &true.into()).ok()?;
    init.set_body(&body.into());
    let request = Request::new_with_str_and_init(&item.endpoint, &init).ok()?;
    request
        .headers()
        .set("Content-Type", "application/json")
        .ok()?;
    Some(request)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load() -> Vec<Item> {
    let stored = storage().and_then(|s| s.get_item(KEY).ok().flatten());
    match stored {
        Some(text) => serde_json::from_str(&text).unwrap_or_default(),
        None => MEMORY.with(|m| m.borrow().clone()),
    }
}

fn save(items: &[Item]) {
    if STOPPED.get() {
        return;
    }
    MEMORY.with(|m| *m.borrow_mut() = items.to_vec());
    let Some(storage) = storage() else {
        return;
    };
    let written = if items.is_empty() {
        storage.remove_item(KEY)
    } else {
        match serde_json::to_string(items) {
            Ok(text) => storage.set_item(KEY, &text),
            Err(_) => Ok(()),
        }
    };
    if written.is_err() {
        // Full storage: the memory copy still delivers during this page view.
        let _ = storage.remove_item(KEY);
    }
}
