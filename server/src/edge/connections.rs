//! Accepting connections, bounding them, and draining them at shutdown.
//!
//! axum's own `serve` sets no timer, so hyper never times out a client that sends its
//! headers one byte a minute, and it accepts connections without limit. Here:
//!
//! - at most [`Limits::connections`] connections are open; beyond that the next
//!   `accept` waits (the kernel's backlog holds newcomers, nothing is refused mid-way);
//! - a request's headers must arrive within [`Limits::header_read`] (hyper's own
//!   timeout, given a timer); bodies and whole calls are bounded by tower-http layers in
//!   `crate::app`;
//! - at shutdown the listener closes, every connection finishes the request it is
//!   serving (event streams end by themselves, see `ChatStore::stop`), and after
//!   [`Limits::drain`] whatever is left is dropped.

use std::future::Future;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Bounds on connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Open connections at most (each event stream holds one over HTTP/1.1).
    pub connections: usize,
    /// Time a client has to send a request's headers.
    pub header_read: Duration,
    /// Time connections get to finish at shutdown.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connections: 20_000,
            header_read: Duration::from_secs(10),
            drain: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves, then drains.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    builder.http2().timer(TokioTimer::new());
    let open = Arc::new(Semaphore::new(limits.connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    wait_after_accept_error(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(client));
                request
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::trace!("connection from {client} ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain) => {
            tracing::warn!(
                "connections still open {} s after shutdown began were dropped",
                limits.drain.as_secs()
            );
        }
    }
    Ok(())
}

/// Out of file descriptors (or a connection reset before it was accepted): the
/// process can do nothing about it but wait a moment; spinning would burn a core.
async fn wait_after_accept_error(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!("cannot accept connections: {e}; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
