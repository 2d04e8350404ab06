//! The outbox module (`outbox/`): loaded when an earlier page left responses waiting,
//! beside the widget (so it is there before the shopper answers anything), or when the
//! widget hands over a response, so delivering needs no search engine. Responses handed
//! over before it has arrived wait here, in order; if it cannot be loaded, the next
//! response tries again. (Until then they live in this page's memory only: the one
//! window in which a response can be lost is a page closed after the widget module
//! loaded but its few-KB outbox did not.)

use wasm_bindgen::prelude::*;

use crate::{page, Shared};

#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    pub(crate) type OutboxModule;
    #[wasm_bindgen(method)]
    fn start(this: &OutboxModule, emit: &js_sys::Function);
    #[wasm_bindgen(method, catch)]
    fn submit(this: &OutboxModule, endpoint: &str, event: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    pub(crate) fn stop(this: &OutboxModule);
}

#[derive(Default)]
pub(crate) struct State {
    requested: bool,
    module: Option<OutboxModule>,
    /// Responses handed over before the module arrived: (endpoint, event JSON).
    pending: Vec<(String, String)>,
}

impl State {
    /// Forgets what waits and hands back the module, for `shutdown()`.
    pub(crate) fn stop(&mut self) -> Option<OutboxModule> {
        self.pending.clear();
        self.module.take()
    }
}

/// Loads and starts the outbox module, once.
pub(crate) fn ensure(state: &Shared) {
    let load = {
        let Ok(mut s) = state.try_borrow_mut() else {
            // Called while the launcher is busy: try again in a moment rather than never.
            let again = state.clone();
            page::later(50, move || ensure(&again));
            return;
        };
        if s.outbox.requested || s.stopped {
            return;
        }
        s.outbox.requested = true;
        s.load_module.clone()
    };
    let (s, f) = (state.clone(), state.clone());
    page::load_module(
        &load,
        "shopdesk-outbox",
        move |module| {
            let module: OutboxModule = module.unchecked_into();
            let (emit, pending) = {
                let mut st = s.borrow_mut();
                if st.stopped {
                    return Ok(());
                }
                st.outbox.module = Some(module.clone());
                (st.emit.clone(), std::mem::take(&mut st.outbox.pending))
            };
            module.start(&emit.0);
            for (endpoint, event) in pending {
                module.submit(&endpoint, &event)?;
            }
            Ok(())
        },
        move |e| {
            // Responses handed over stay in `pending`; the next one tries again.
            let emit = {
                let mut st = f.borrow_mut();
                st.outbox.requested = false;
                st.emit.clone()
            };
            emit.report(
                &("the feedback outbox could not be loaded: ".to_string() + &page::describe(&e)),
            );
        },
    );
}

/// A response from the widget (`endpoint`, `FeedbackEvent` JSON): kept and sent by the
/// outbox module, now or once it has arrived.
pub(crate) fn submit(state: &Shared, endpoint: String, event: String) {
    let module = {
        let mut s = state.borrow_mut();
        if s.stopped {
            return;
        }
        match s.outbox.module.clone() {
            Some(m) => m,
            None => {
                s.outbox.pending.push((endpoint, event));
                drop(s);
                return ensure(state);
            }
        }
    };
    if let Err(e) = module.submit(&endpoint, &event) {
        let emit = state.borrow().emit.clone();
        emit.report(&("feedback could not be kept: ".to_string() + &page::describe(&e)));
    }
}
