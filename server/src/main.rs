//! `shopdesk-server`: serves the demo store with the widget and FAQ index.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use axum::http::HeaderValue;
use clap::Parser;
use shopdesk_server::{app, Config};

#[derive(Debug, Parser)]
#[command(
    name = "shopdesk-server",
    version,
    about = "Serve the Shopdesk demo store, widget and FAQ index"
)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "SHOPDESK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Folder with the assembled site.
    #[arg(long, env = "SHOPDESK_ROOT", default_value = "dist")]
    root: PathBuf,
    /// Send this Content-Security-Policy header with every response, e.g. to check the
    /// widget under a merchant's strict policy.
    #[arg(long, env = "SHOPDESK_CSP", value_name = "POLICY")]
    content_security_policy: Option<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "shopdesk_server=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    anyhow::ensure!(
        args.root.join("index.html").is_file(),
        "{} has no index.html; build the site first with `scripts/build-demo.sh`",
        args.root.display()
    );
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}; is another server using it? pass --addr",
                args.addr
            )
        })?;
    let addr = listener.local_addr()?;
    // Test scripts read this line to find the port.
    println!("Shopdesk demo store: http://{addr}/");
    let content_security_policy = args
        .content_security_policy
        .map(|p| {
            HeaderValue::from_str(&p).with_context(|| {
                format!("--content-security-policy {p:?} is not a valid header value")
            })
        })
        .transpose()?;
    let config = Config {
        root: args.root,
        content_security_policy,
    };
    axum::serve(listener, app(&config))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
