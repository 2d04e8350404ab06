//! The support agents' page: every live chat the shoppers start, with what they did
//! before asking, and the replies. Served by `shopdesk-server` at `/agent/`; talks
//! to the server's `/v1/agent/…` endpoints on the same origin.

mod alerts;
mod answers;
mod api;
mod availability;
mod browser;
mod canned;
mod desk;
mod retry;
mod session;
mod text;
mod ui;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        browser::console_error(&format!("internal error, please report it: {info}"));
    }));
    leptos::mount::mount_to_body(ui::App);
}
