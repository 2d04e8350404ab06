//! `pg-temp run -- CMD ARGS…`: runs CMD with a throwaway PostgreSQL server beside it,
//! named in `SHOPDESK_TEST_POSTGRES`, and stops the server when CMD ends. The test
//! scripts run the whole test suite this way, so it shares one server.

use anyhow::{bail, Context, Result};
use pg_temp::{Cluster, Durability, ENV};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [run, dashes, command @ ..] if run == "run" && dashes == "--" && !command.is_empty() => {
            command
        }
        _ => bail!("usage: pg-temp run -- COMMAND [ARGS…]"),
    };
    let cluster = Cluster::start(Durability::Tests).context("starting PostgreSQL")?;
    eprintln!("pg-temp: PostgreSQL on 127.0.0.1:{}", cluster.port());
    let status = std::process::Command::new(&command[0])
        .args(&command[1..])
        .env(ENV, cluster.url("postgres"))
        .status()
        .with_context(|| format!("cannot run {}", command[0]))?;
    drop(cluster);
    std::process::exit(status.code().unwrap_or(1));
}
