//! A throwaway PostgreSQL server for tests and benchmarks: Debian's `postgresql`
//! binaries, a data folder in a temporary directory, a free port on 127.0.0.1, trust
//! authentication for the `postgres` user, stopped and deleted on drop. No Docker.
//!
//! PostgreSQL refuses to run as root: when the tests run as root, the server runs as
//! the `postgres` user the Debian package creates (through `runuser`).
//!
//! Tests that need one database each call [`fresh_database`]: it uses the server named
//! by `SHOPDESK_TEST_POSTGRES` (which `pg-temp run` sets for the command it runs, so a
//! whole test suite shares one server), else starts a server of its own.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use thiserror::Error;

/// The variable naming a running server to create test databases on.
pub const ENV: &str = "SHOPDESK_TEST_POSTGRES";

#[derive(Debug, Error)]
pub enum PgError {
    #[error("PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb; run scripts/setup.sh (apt-get install postgresql)")]
    NotInstalled,
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },
    #[error("PostgreSQL did not start within {0:?}; its log: {1}")]
    Timeout(Duration, String),
    #[error("{ENV}={0:?} is not a postgres:// URL ending in a database name")]
    BadEnv(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// How a server is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync off: for tests, which throw the data away.
    Tests,
    /// PostgreSQL's defaults: for benchmarks, whose numbers must hold in production.
    Production,
}

/// A running server; stopped (immediately) and deleted on drop.
#[derive(Debug)]
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// The user the server runs as, when not the current one.
    run_as: Option<String>,
    durability: Durability,
}

impl Cluster {
    /// Creates and starts a server.
    pub fn start(durability: Durability) -> Result<Self, PgError> {
        let bin = bin_dir()?;
        let dir = tempfile::Builder::new().prefix("pg-temp-").tempdir()?;
        let run_as = is_root().then(|| "postgres".to_string());
        if let Some(user) = &run_as {
            // The server's user must own its folder.
            run(Command::new("chown").args(["-R", user]).arg(dir.path()))?;
        }
        let cluster = Cluster {
            bin,
            port: free_port()?,
            dir,
            run_as,
            durability,
        };
        cluster.tool(
            "initdb",
            &[
                "-D",
                &cluster.data().to_string_lossy(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
        )?;
        cluster.start_again()?;
        Ok(cluster)
    }

    /// `postgres://postgres@127.0.0.1:PORT/DATABASE`
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`).
    pub fn kill(&self) -> Result<(), PgError> {
        let data = self.data().to_string_lossy().to_string();
        self.tool("pg_ctl", &["stop", "-D", &data, "-m", "immediate", "-w"])
            .map(drop)
    }

    /// Starts the server (again, after [`Cluster::kill`]) on the same port, and waits
    /// until it accepts connections.
    pub fn start_again(&self) -> Result<(), PgError> {
        let data = self.data().to_string_lossy().to_string();
        let socket = self.dir.path().to_string_lossy().to_string();
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {socket} -c max_connections=400",
            self.port
        );
        if self.durability == Durability::Tests {
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }
        let log = self.dir.path().join("server.log");
        let log = log.to_string_lossy().to_string();
        self.tool(
            "pg_ctl",
            &[
                "start", "-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60",
            ],
        )
        .map_err(|e| PgError::Timeout(Duration::from_secs(60), format!("{e}; {}", tail(&log))))?;
        Ok(())
    }

    /// Creates database `name` and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, PgError> {
        create_database(&self.url("postgres"), name, &self.bin)?;
        Ok(self.url(name))
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs one of PostgreSQL's programs as the server's user.
    fn tool(&self, name: &str, args: &[&str]) -> Result<Output, PgError> {
        let program = self.bin.join(name);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        command.args(args).current_dir(self.dir.path());
        run(&mut command)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// One database of its own for a test, and what keeps its server running.
#[derive(Debug)]
pub struct FreshDatabase {
    pub url: String,
    /// The server, when this database has one of its own.
    pub cluster: Option<Cluster>,
}

/// A new, empty database: on the server `SHOPDESK_TEST_POSTGRES` names if set, else on
/// a server started for it.
pub fn fresh_database() -> Result<FreshDatabase, PgError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    match std::env::var(ENV) {
        Ok(admin) if !admin.is_empty() => {
            let base = admin
                .rsplit_once('/')
                .filter(|(scheme, _)| scheme.starts_with("postgres://") && scheme.len() > 11)
                .map(|(base, _)| base.to_string())
                .ok_or_else(|| PgError::BadEnv(admin.clone()))?;
            create_database(&admin, &name, &bin_dir()?)?;
            Ok(FreshDatabase {
                url: format!("{base}/{name}"),
                cluster: None,
            })
        }
        _ => {
            let cluster = Cluster::start(Durability::Tests)?;
            let url = cluster.create_database(&name)?;
            Ok(FreshDatabase {
                url,
                cluster: Some(cluster),
            })
        }
    }
}

fn create_database(admin_url: &str, name: &str, bin: &Path) -> Result<(), PgError> {
    run(Command::new(bin.join("createdb"))
        .arg(format!("--maintenance-db={admin_url}"))
        .arg(name))
    .map(drop)
}

/// The newest installed PostgreSQL's programs.
fn bin_dir() -> Result<PathBuf, PgError> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| PgError::NotInstalled)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or(PgError::NotInstalled)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16, PgError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn run(command: &mut Command) -> Result<Output, PgError> {
    let shown = format!("{command:?}");
    let output = command.output().map_err(|e| PgError::Command {
        command: shown.clone(),
        detail: e.to_string(),
    })?;
    if !output.status.success() {
        return Err(PgError::Command {
            command: shown,
            detail: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stderr),
                String::from_utf8_lossy(&output.stdout)
            ),
        });
    }
    Ok(output)
}

fn tail(log: &str) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_starts_takes_databases_and_comes_back_after_a_crash() {
        let cluster = Cluster::start(Durability::Tests).unwrap();
        let url = cluster.create_database("shop").unwrap();
        assert!(url.ends_with(&format!(":{}/shop", cluster.port())));
        // A second database of the same name is refused: the server is really there.
        assert!(cluster.create_database("shop").is_err());
        cluster.kill().unwrap();
        assert!(cluster.create_database("other").is_err(), "stopped");
        cluster.start_again().unwrap();
        cluster.create_database("other").unwrap();
    }
}
