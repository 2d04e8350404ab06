//! Wake-ups between instances: PostgreSQL's `LISTEN`/`NOTIFY`.
//!
//! A notification is sent inside the transaction that commits what it announces, so
//! PostgreSQL delivers it only if that commits, after it is visible. It carries only a
//! hint (which conversation, which number); the truth stays in the tables. SQLite has
//! one instance and nobody to tell: there both calls do nothing.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::AnyConnection;
use tokio::sync::watch;

use super::{Database, Location};

/// What a listener hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A notification's payload.
    Payload(String),
    /// The connection was lost and is back: notifications may have been missed.
    Resumed,
}

/// How long a listener waits before connecting again after a failure.
const RECONNECT: Duration = Duration::from_secs(1);

impl Database {
    /// Sends `payload` on `channel` when the transaction on `conn` commits.
    pub async fn notify(
        &self,
        conn: &mut AnyConnection,
        channel: &str,
        payload: &str,
    ) -> Result<(), sqlx::Error> {
        if let Location::Postgres(_) = self.location {
            // `pg_notify` returns `void`, a type the Any driver cannot decode: select a
            // constant instead.
            sqlx::query("SELECT 1 FROM pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(conn)
                .await?;
        }
        Ok(())
    }

    /// Calls `on` with every notification on `channel`, from a task of its own that
    /// reconnects by itself, for as long as the runtime runs. The returned flag says
    /// whether it is listening now. `None` on SQLite.
    pub fn listen(
        &self,
        channel: &'static str,
        on: impl Fn(Notice) + Send + Sync + 'static,
    ) -> Option<watch::Receiver<bool>> {
        let Location::Postgres(url) = &self.location else {
            return None;
        };
        let url = url.clone();
        let shown = self.location.to_string();
        let (listening, flag) = watch::channel(false);
        tokio::spawn(async move {
            // Whether notifications may have been missed: at first (whoever started
            // waiting before the listener was up), and after each outage; then, once
            // listening, everyone is told to read again. And whether this outage was
            // logged.
            let (mut missed, mut logged) = (true, false);
            loop {
                let connected = async {
                    let mut listener = PgListener::connect(&url).await?;
                    listener.listen(channel).await?;
                    Ok::<_, sqlx::Error>(listener)
                };
                let mut listener = match connected.await {
                    Ok(listener) => listener,
                    Err(e) => {
                        if !logged {
                            tracing::warn!("cannot listen for {channel} on {shown}: {e}; retrying");
                            logged = true;
                        }
                        missed = true;
                        tokio::time::sleep(RECONNECT).await;
                        continue;
                    }
                };
                listening.send_replace(true);
                if missed {
                    if logged {
                        tracing::info!("listening for {channel} on {shown} again");
                    }
                    on(Notice::Resumed);
                }
                logged = false;
                loop {
                    match listener.try_recv().await {
                        Ok(Some(n)) => on(Notice::Payload(n.payload().to_string())),
                        // The connection dropped and was made again: what was sent
                        // meanwhile is lost.
                        Ok(None) => on(Notice::Resumed),
                        Err(e) => {
                            tracing::warn!("listening for {channel} on {shown}: {e}; reconnecting");
                            break;
                        }
                    }
                }
                listening.send_replace(false);
                missed = true;
                tokio::time::sleep(RECONNECT).await;
            }
        });
        Some(flag)
    }
}
