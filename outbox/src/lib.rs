//! A response given is a response kept (see the README).
//!
//! Every feedback response is written to the outbox (`shopdesk:outbox` in localStorage;
//! memory where the page has no storage) before any network call, then sent. Each
//! delivery attempt runs in promise callbacks, one response at a time, re-reading the
//! outbox before every write: another tab of the store may have sent or added
//! responses meanwhile, and the endpoint stores each id once, so sending twice is
//! harmless but losing one is not.
//!
//! The launcher loads this module and calls [`start`] on page views that find
//! responses waiting, and [`submit`] for each response the widget hands it.

mod policy;

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestInit, Response};

use crate::policy::Verdict;

/// Few, small, short-lived allocations: the small allocator keeps the module tiny.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

const KEY: &str = "shopdesk:outbox";
/// Responses kept at most; beyond, the oldest are dropped with a warning.
const CAPACITY: usize = 100;

/// One waiting response, as stored: `{endpoint, event, attempts, not_before}`.
#[derive(Clone)]
struct Item {
    endpoint: String,
    /// The `FeedbackEvent` object, sent as it is.
    event: JsValue,
    id: String,
    /// Failed attempts so far.
    attempts: u32,
    /// Not sent again before this time (ms since the epoch).
    not_before: f64,
}

type Listener = Closure<dyn FnMut(web_sys::Event)>;

#[derive(Default)]
struct State {
    /// The outbox where the page has no usable localStorage.
    memory: Vec<Item>,
    sending: bool,
    timer: Option<i32>,
    /// After `shutdown()`: nothing is sent or stored any more.
    stopped: bool,
    started: bool,
    /// `emit(name, detail)` of `window.shopdesk`'s events.
    emit: Option<Function>,
    listeners: Vec<(&'static str, Listener)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Starts delivering what earlier page views left, and follows the page: leaving it
/// sends what waits (`keepalive`), coming back online retries at once. `emit` fires
/// `window.shopdesk` events (`error` for a refused response). Calling it again does
/// nothing.
#[wasm_bindgen]
pub fn start(emit: Function) {
    let first = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.emit = Some(emit);
        !std::mem::replace(&mut s.started, true)
    });
    if first {
        if let Some(window) = web_sys::window() {
            listen(&window, "pagehide", |_| send_all_now());
            listen(&window, "online", |_| retry_now());
        }
    }
    kick();
}

/// Keeps `event` (a `FeedbackEvent` as JSON, with its `id`) for `endpoint` and starts
/// sending it.
#[wasm_bindgen]
pub fn submit(endpoint: String, event: &str) -> Result<(), JsValue> {
    if stopped() {
        return Ok(());
    }
    let event = JSON::parse(event)?;
    let id = Reflect::get(&event, &"id".into())?
        .as_string()
        .ok_or("a feedback event needs a string `id`")?;
    let mut items = load();
    items.push(Item {
        endpoint,
        event,
        id,
        attempts: 0,
        not_before: 0.0,
    });
    if items.len() > CAPACITY {
        let dropped = items.len() - CAPACITY;
        items.drain(..dropped);
        web_sys::console::warn_1(
            &("[shopdesk] the feedback outbox holds at most 100 unsent responses; dropped the "
                .to_string()
                + &dropped.to_string()
                + " oldest (is the feedback endpoint reachable?)")
                .into(),
        );
    }
    save(&items);
    kick();
    Ok(())
}

/// `shutdown()`: stops sending and forgets the listeners; the launcher removes what
/// was stored.
#[wasm_bindgen]
pub fn stop() {
    let (timer, listeners) = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.stopped = true;
        s.memory.clear();
        (s.timer.take(), std::mem::take(&mut s.listeners))
    });
    if let Some(window) = web_sys::window() {
        if let Some(id) = timer {
            window.clear_timeout_with_handle(id);
        }
        for (event, listener) in listeners {
            let _ = window
                .remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
    }
}

fn stopped() -> bool {
    STATE.with(|s| s.borrow().stopped)
}

fn listen(window: &web_sys::Window, event: &'static str, f: impl FnMut(web_sys::Event) + 'static) {
    let listener = Listener::new(f);
    if window
        .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())
        .is_ok()
    {
        STATE.with(|s| s.borrow_mut().listeners.push((event, listener)));
    }
}

/// Back online: whatever waits for a retry is due now, not when its backoff ends.
fn retry_now() {
    let mut items = load();
    if items.iter().any(|i| i.not_before > 0.0) {
        for item in &mut items {
            item.not_before = 0.0;
        }
        save(&items);
    }
    kick();
}

/// Sends what is due, unless a run is already going.
fn kick() {
    let go = STATE.with(|s| {
        let mut s = s.borrow_mut();
        !s.stopped && !std::mem::replace(&mut s.sending, true)
    });
    if go {
        deliver_next();
    }
}

/// Sends the first response that is due; its answer continues with the next one.
/// When none is due, the run ends and a timer waits for the earliest retry.
fn deliver_next() {
    let now = js_sys::Date::now();
    let due = if stopped() {
        None
    } else {
        load().into_iter().find(|i| i.not_before <= now)
    };
    let (Some(item), Some(window)) = (due, web_sys::window()) else {
        STATE.with(|s| s.borrow_mut().sending = false);
        return schedule();
    };
    let Some(request) = request(&item) else {
        return answered(&item, None, None);
    };
    let promise: Thenable = window.fetch_with_request(&request).unchecked_into();
    let (ok_item, err_item) = (item.clone(), item);
    let ok = Closure::once_into_js(move |response: JsValue| {
        let response: Response = response.unchecked_into();
        let retry_after = response.headers().get("Retry-After").ok().flatten();
        answered(&ok_item, Some(response.status()), retry_after);
    });
    let err = Closure::once_into_js(move |_: JsValue| answered(&err_item, None, None));
    promise.then(&ok, &err);
}

/// Applies one attempt's outcome to the outbox as it is now, then goes on.
fn answered(item: &Item, status: Option<u16>, retry_after: Option<String>) {
    let verdict = policy::verdict(
        status,
        retry_after.as_deref(),
        item.attempts,
        js_sys::Math::random(),
    );
    let mut items = load();
    if let Some(at) = items.iter().position(|i| i.id == item.id) {
        match verdict {
            Verdict::Delivered => {
                items.remove(at);
            }
            Verdict::Refused { status } => {
                items.remove(at);
                report(
                    &("feedback ".to_string()
                        + &item.id
                        + " was refused by "
                        + &item.endpoint
                        + " (HTTP "
                        + &status.to_string()
                        + "); it is dropped, not retried"),
                );
            }
            Verdict::Retry { after_ms } => {
                let waiting = &mut items[at];
                waiting.attempts += 1;
                waiting.not_before = js_sys::Date::now() + after_ms;
            }
        }
        save(&items);
    }
    deliver_next();
}

/// One timer for the earliest response waiting for its retry.
fn schedule() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(id) = STATE.with(|s| s.borrow_mut().timer.take()) {
        window.clear_timeout_with_handle(id);
    }
    if stopped() {
        return;
    }
    let Some(next) = load().iter().map(|i| i.not_before).reduce(f64::min) else {
        return;
    };
    let delay = (next - js_sys::Date::now()).clamp(0.0, 2_147_483_647.0) as i32;
    let callback = Closure::once_into_js(kick);
    if let Ok(id) = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), delay)
    {
        STATE.with(|s| s.borrow_mut().timer = Some(id));
    }
}

/// The page is going away: send everything once more with `keepalive`, without
/// waiting. Each stays in the outbox until a later page view sees it acknowledged.
fn send_all_now() {
    let Some(window) = web_sys::window() else {
        return;
    };
    for item in load() {
        if let Some(request) = request(&item) {
            let _ = window.fetch_with_request(&request);
        }
    }
}

fn request(item: &Item) -> Option<Request> {
    let body = JSON::stringify(&item.event).ok()?;
    let init = RequestInit::new();
    init.set_method("POST");
    // `keepalive` lets the request outlive the page; not in web-sys's stable bindings.
    Reflect::set(&init, &"keepalive".into(), &true.into()).ok()?;
    init.set_body(&body.into());
    let request = Request::new_with_str_and_init(&item.endpoint, &init).ok()?;
    request
        .headers()
        .set("Content-Type", "application/json")
        .ok()?;
    Some(request)
}

/// One console error and an `error` event, as every widget failure reaches the
/// merchant.
fn report(message: &str) {
    let text = "[shopdesk] ".to_string() + message;
    web_sys::console::error_1(&text.into());
    if let Some(emit) = STATE.with(|s| s.borrow().emit.clone()) {
        let detail = Object::new();
        let _ = Reflect::set(&detail, &"message".into(), &message.into());
        let _ = emit.call2(&JsValue::NULL, &"error".into(), &detail);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load() -> Vec<Item> {
    let stored = storage().and_then(|s| s.get_item(KEY).ok().flatten());
    let Some(text) = stored else {
        return STATE.with(|s| s.borrow().memory.clone());
    };
    // Unreadable (another version, a hand edit): start empty rather than fail forever.
    let Ok(list) = JSON::parse(&text) else {
        return Vec::new();
    };
    let Ok(list) = list.dyn_into::<Array>() else {
        return Vec::new();
    };
    let field = |o: &JsValue, k: &str| Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let mut items = Vec::new();
    for value in list.iter() {
        let event = field(&value, "event");
        let (Some(endpoint), Some(id)) = (
            field(&value, "endpoint").as_string(),
            field(&event, "id").as_string(),
        ) else {
            continue;
        };
        items.push(Item {
            endpoint,
            event,
            id,
            attempts: field(&value, "attempts").as_f64().unwrap_or(0.0) as u32,
            not_before: field(&value, "not_before").as_f64().unwrap_or(0.0),
        });
    }
    items
}

fn save(items: &[Item]) {
    if stopped() {
        return;
    }
    STATE.with(|s| s.borrow_mut().memory = items.to_vec());
    let Some(storage) = storage() else {
        return;
    };
    let written = if items.is_empty() {
        storage.remove_item(KEY)
    } else {
        let list = Array::new();
        for item in items {
            let o = Object::new();
            let _ = Reflect::set(&o, &"endpoint".into(), &item.endpoint.as_str().into());
            let _ = Reflect::set(&o, &"event".into(), &item.event);
            let _ = Reflect::set(&o, &"attempts".into(), &item.attempts.into());
            let _ = Reflect::set(&o, &"not_before".into(), &item.not_before.into());
            list.push(&o);
        }
        match JSON::stringify(&list).ok().and_then(|t| t.as_string()) {
            Some(text) => storage.set_item(KEY, &text),
            None => Ok(()),
        }
    };
    if written.is_err() {
        // Full storage: the memory copy still delivers during this page view.
        let _ = storage.remove_item(KEY);
    }
}

#[wasm_bindgen]
extern "C" {
    /// A promise, bound with the one method used, taking plain functions (so each
    /// callback frees itself once called).
    type Thenable;
    #[wasm_bindgen(method)]
    fn then(this: &Thenable, ok: &JsValue, err: &JsValue) -> Thenable;
}
