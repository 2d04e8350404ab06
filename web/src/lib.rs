//! What the browser code needs from the browser, written once: the widget's leptos
//! modules (the search panel in `widget/`, the live chat in `chat/`, the surveys in
//! `surveys/`) and the agents' page (`agent/`). Calls to the server with typed failures
//! (`http`), the one retry policy (`retry`), server-sent event streams (`stream`),
//! time (`time`), and for the widget, reporting to the store page (`js`), listeners
//! taken back on shutdown (`listen`) and styles in the shadow root (`styles`). Each
//! WebAssembly module links its own copy, so state here (the event callback, the
//! listeners) is per module.
//!
//! The launcher stays out: it counts every byte of page load and has its own leaner
//! helpers.

pub mod feedback;
pub mod http;
pub mod js;
pub mod listen;
pub mod merchant;
pub mod outbox;
pub mod retry;
pub mod stream;
pub mod styles;
pub mod time;
