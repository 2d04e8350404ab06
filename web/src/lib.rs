//! What every leptos module of the widget (the search panel in `widget/`, the live chat
//! in `chat/`, the surveys in `surveys/`) needs from the browser, written once. Each WebAssembly module links its
//! own copy, so state here (the event callback, the listeners) is per module.
//!
//! The launcher stays out: it counts every byte of page load and has its own leaner
//! helpers.

pub mod feedback;
pub mod js;
pub mod listen;
pub mod merchant;
pub mod outbox;
pub mod styles;
