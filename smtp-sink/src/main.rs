//! `smtp-sink`: an SMTP server on 127.0.0.1 that writes each message it receives to a
//! folder, for the browser tests and the mail benchmark. Runs until killed.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use smtp_sink::{Options, Sink};

#[derive(Debug, Parser)]
#[command(
    name = "smtp-sink",
    about = "A minimal SMTP server on loopback that keeps what it receives"
)]
struct Cli {
    /// Where to listen (loopback only); port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Each message is written here as <n>.eml.
    #[arg(long)]
    dir: PathBuf,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    std::fs::create_dir_all(&cli.dir)
        .with_context(|| format!("cannot create {}", cli.dir.display()))?;
    let sink = Sink::start_on(
        cli.addr,
        Options {
            dir: Some(cli.dir),
            ..Options::default()
        },
    )
    .with_context(|| format!("cannot listen on {}", cli.addr))?;
    // Test scripts read this line to find the port.
    println!("SMTP sink: {}", sink.addr);
    loop {
        std::thread::park();
    }
}
