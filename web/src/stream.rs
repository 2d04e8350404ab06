//! A server-sent event stream (a shopper's conversation, the agents' live feed). With
//! [`Reconnect::Browser`] the browser reconnects by itself after a dropped connection
//! and resumes with `Last-Event-ID` (the agent page, whose cookie goes along); with
//! [`Reconnect::Page`] the first error closes the stream and reopening is the page's
//! (a URL with a single-use ticket cannot be reopened). This only reports how the
//! connection is doing and hands over each event's data, and closes the connection
//! when dropped.
//!
//! Written on `web_sys::EventSource` rather than gloo-net's: gloo-net's stream
//! swallows the `error` of a connection the browser is re-establishing and has no
//! `open`, and both are what the agent page shows as "reconnecting…" and "live".

use std::fmt;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent};

/// What the stream reports.
#[derive(Debug)]
pub enum Report {
    Connected,
    /// One event's `data:` (a `ChatEvent` as JSON).
    Data(String),
    /// A signal's `data:` (`event: signal`, a `Signal` as JSON): passing, not stored.
    Signal(String),
    /// Lost; the browser is reconnecting by itself.
    Reconnecting,
    /// The browser gave up (the server refused the stream, e.g. a wrong token or a
    /// server without chat): reopening is up to the page.
    Failed,
}

/// An open stream; dropping it closes the connection.
pub struct Stream {
    source: EventSource,
    _handlers: [Closure<dyn FnMut(web_sys::Event)>; 4],
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("url", &self.source.url())
            .finish()
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Who reopens a dropped stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconnect {
    Browser,
    Page,
}

pub fn open(
    url: &str,
    reconnect: Reconnect,
    report: impl Fn(Report) + 'static,
) -> Result<Stream, JsValue> {
    let source = EventSource::new(url)?;
    let report = Rc::new(report);
    let on_open = {
        let report = report.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| report(Report::Connected))
    };
    let data = |kind: fn(String) -> Report| {
        let report = report.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            if let Some(data) = e
                .dyn_ref::<MessageEvent>()
                .and_then(|m| m.data().as_string())
            {
                report(kind(data));
            }
        })
    };
    let on_message = data(Report::Data);
    let on_signal = data(Report::Signal);
    let on_error = {
        let source = source.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if reconnect == Reconnect::Page {
                source.close();
            }
            if source.ready_state() == EventSource::CLOSED {
                report(Report::Failed);
            } else {
                report(Report::Reconnecting);
            }
        })
    };
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    source.add_event_listener_with_callback("signal", on_signal.as_ref().unchecked_ref())?;
    Ok(Stream {
        source,
        _handlers: [on_open, on_message, on_error, on_signal],
    })
}
