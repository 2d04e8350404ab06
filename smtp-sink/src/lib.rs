//! A minimal SMTP server that keeps what it receives (see the README).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the sink answers.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Require this login (`AUTH PLAIN` or `LOGIN`) before `MAIL`.
    pub login: Option<(String, String)>,
    /// Recipients refused for good (550).
    pub refuse: Vec<String>,
    /// Recipients deferred (451: try again later).
    pub defer: Vec<String>,
    /// Also write each message to this folder as `<n>.eml`.
    pub dir: Option<PathBuf>,
}

/// A message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed, CRLF line ends.
    pub data: String,
    /// When its `DATA` ended.
    pub at: Instant,
}

/// A running sink; stops when dropped.
#[derive(Debug)]
pub struct Sink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sink {
    /// A sink on a free port of 127.0.0.1.
    pub fn start(options: Options) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), options)
    }

    /// A sink on `addr` (loopback only), on a thread of its own.
    pub fn start_on(addr: SocketAddr, options: Options) -> std::io::Result<Self> {
        if !addr.ip().is_loopback() {
            return Err(std::io::Error::other("the sink listens on loopback only"));
        }
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let kept = received.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the sink");
            rt.block_on(async move {
                let Ok(listener) = TcpListener::from_std(std_listener) else {
                    return;
                };
                serve(listener, Arc::new(options), kept, stopped).await;
            });
        });
        Ok(Sink {
            addr,
            received,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Every message accepted so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.received).clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until `stopped`.
pub async fn serve(
    listener: TcpListener,
    options: Arc<Options>,
    received: Arc<Mutex<Vec<Received>>>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((socket, _)) = accepted else { continue };
                sessions.spawn(session(socket, options.clone(), received.clone()));
            }
        }
    }
    sessions.abort_all();
}

async fn session(
    socket: TcpStream,
    options: Arc<Options>,
    received: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let mut line = String::new();
    write.write_all(b"220 smtp-sink ready\r\n").await?;
    let mut authed = options.login.is_none();
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            let auth = if options.login.is_some() {
                "250-AUTH PLAIN LOGIN\r\n"
            } else {
                ""
            };
            format!("250-smtp-sink\r\n{auth}250-8BITMIME\r\n250 SMTPUTF8\r\n")
        } else if upper.starts_with("HELO") {
            "250 smtp-sink\r\n".into()
        } else if upper.starts_with("AUTH PLAIN") {
            let given = match command.get(11..).map(str::trim).filter(|s| !s.is_empty()) {
                Some(b64) => b64.to_string(),
                None => {
                    write.write_all(b"334 \r\n").await?;
                    read_line(&mut lines).await?
                }
            };
            let decoded = decode(&given);
            let mut parts = decoded.split('\0').skip(1);
            let pair = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            authed = login_ok(&options, pair);
            auth_reply(authed)
        } else if upper.starts_with("AUTH LOGIN") {
            write.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
            let user = decode(&read_line(&mut lines).await?);
            write.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
            let pass = decode(&read_line(&mut lines).await?);
            authed = login_ok(&options, (&user, &pass));
            auth_reply(authed)
        } else if upper.starts_with("MAIL FROM:") {
            if authed {
                from = Some(address(&command[10..]));
                to.clear();
                "250 2.1.0 OK\r\n".into()
            } else {
                "530 5.7.0 Authentication required\r\n".into()
            }
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = address(&command[8..]);
            if from.is_none() {
                "503 5.5.1 MAIL first\r\n".into()
            } else if options.refuse.iter().any(|r| r.eq_ignore_ascii_case(&rcpt)) {
                format!("550 5.1.1 <{rcpt}>: no such user here\r\n")
            } else if options.defer.iter().any(|r| r.eq_ignore_ascii_case(&rcpt)) {
                format!("451 4.3.0 <{rcpt}>: mailbox busy, try again later\r\n")
            } else {
                to.push(rcpt);
                "250 2.1.5 OK\r\n".into()
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                "503 5.5.1 RCPT first\r\n".into()
            } else {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut lines).await?;
                let message = Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                    at: Instant::now(),
                };
                let n = {
                    let mut all = lock(&received);
                    all.push(message.clone());
                    all.len()
                };
                if let Some(dir) = &options.dir {
                    let path = dir.join(format!("{n:06}.eml"));
                    tokio::fs::write(&path, message.data.as_bytes()).await?;
                }
                "250 2.0.0 OK queued\r\n".into()
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            "250 2.0.0 OK\r\n".into()
        } else if upper == "NOOP" {
            "250 2.0.0 OK\r\n".into()
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            "502 5.5.2 Command not recognized\r\n".into()
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

fn auth_reply(ok: bool) -> String {
    if ok {
        "235 2.7.0 Authentication successful\r\n".into()
    } else {
        "535 5.7.8 Authentication credentials invalid\r\n".into()
    }
}

fn login_ok(options: &Options, (user, pass): (&str, &str)) -> bool {
    options
        .login
        .as_ref()
        .is_some_and(|(u, p)| u == user && p == pass)
}

async fn read_line(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut line = String::new();
    lines.read_line(&mut line).await?;
    Ok(line.trim_end().to_string())
}

/// The message after `DATA`, up to the line holding a single dot.
async fn read_data(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the client left during DATA",
            ));
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Ok(data);
        }
        data.push_str(content.strip_prefix('.').unwrap_or(content));
        data.push_str("\r\n");
    }
}

/// `<a@b>` (with optional parameters after it) → `a@b`.
fn address(text: &str) -> String {
    let text = text.trim();
    match (text.find('<'), text.find('>')) {
        (Some(a), Some(b)) if a < b => text[a + 1..b].to_string(),
        _ => text.split_whitespace().next().unwrap_or("").to_string(),
    }
}

fn decode(b64: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
