//! Shared by the integration tests: the real application on a real listener.

use std::sync::Arc;

use shopdesk_server::feedback::Feedback;
use shopdesk_server::{app, Config};

/// Serves `config` and `feedback` on 127.0.0.1:0 from a thread of its own (for the
/// test's lifetime) and returns the base URL, `http://127.0.0.1:PORT`.
pub fn listen(config: Config, feedback: Feedback) -> String {
    let feedback = Arc::new(feedback);
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
            shopdesk_server::serve(listener, app(&config, feedback), std::future::pending())
                .await
                .unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}
