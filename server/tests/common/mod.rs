//! Shared by the integration tests: the real application on a real listener.

use std::sync::Arc;

use shopdesk_server::chat::store::ChatStore;
use shopdesk_server::chat::Chat;
use shopdesk_server::edge::Shopfront;
use shopdesk_server::feedback::Feedback;
use shopdesk_server::limit::RateLimiter;
use shopdesk_server::{app, Config};

/// Serves `config`, `feedback` and `chat` on 127.0.0.1:0 from a thread of its own (for
/// the test's lifetime) and returns the base URL, `http://127.0.0.1:PORT`.
pub(crate) fn listen(
    config: Config,
    shopfront: Shopfront,
    feedback: Feedback,
    chat: Chat,
) -> String {
    let (shopfront, feedback, chat) = (Arc::new(shopfront), Arc::new(feedback), Arc::new(chat));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            shopdesk_server::serve(
                listener,
                app(&config, shopfront, feedback, chat),
                std::future::pending(),
            )
            .await
            .unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// Chat on the feedback database, off (no agent token): for tests of other parts.
#[allow(dead_code)]
pub(crate) fn chat_off(feedback: &Feedback) -> Chat {
    Chat::new(ChatStore::open(feedback.store.path()).unwrap(), None)
}

/// A served folder `site/` in `dir` holding a one-line store page.
#[allow(dead_code)]
pub(crate) fn store_site(dir: &std::path::Path) -> std::path::PathBuf {
    let site = dir.join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>store</title>",
    )
    .unwrap();
    site
}

/// The shopfront for store pages on `origins`, rate limited by `limiter`.
#[allow(dead_code)]
pub(crate) fn shopfront(origins: &[&str], limiter: Option<RateLimiter>) -> Shopfront {
    Shopfront {
        origins: origins.iter().map(|o| o.to_string()).collect(),
        limiter,
        trust_proxy: false,
    }
}
