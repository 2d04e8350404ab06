//! The sink over a real socket: what it accepts, refuses and keeps.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

use smtp_sink::{Options, Sink};

/// One SMTP client connection, line by line.
struct Client {
    read: BufReader<TcpStream>,
    write: TcpStream,
}

impl Client {
    fn connect(sink: &Sink) -> Self {
        let write = TcpStream::connect(sink.addr).unwrap();
        let mut c = Client {
            read: BufReader::new(write.try_clone().unwrap()),
            write,
        };
        assert!(c.reply().starts_with("220"));
        c
    }

    /// The last line of the next reply (multi-line replies use `250-`).
    fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            self.read.read_line(&mut line).unwrap();
            if line.as_bytes().get(3) != Some(&b'-') {
                return line.trim_end().to_string();
            }
        }
    }

    fn say(&mut self, line: &str) -> String {
        self.write
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
        self.reply()
    }
}

#[test]
fn keeps_a_message_dot_unstuffed_and_refuses_or_defers_chosen_recipients() {
    let dir = tempfile_dir();
    let sink = Sink::start(Options {
        refuse: vec!["gone@example.com".into()],
        defer: vec!["busy@example.com".into()],
        dir: Some(dir.clone()),
        ..Options::default()
    })
    .unwrap();
    let mut c = Client::connect(&sink);
    assert!(c.say("EHLO test").starts_with("250"));
    assert!(c.say("MAIL FROM:<shop@example.com>").starts_with("250"));
    assert!(c.say("RCPT TO:<gone@example.com>").starts_with("550"));
    assert!(c.say("RCPT TO:<busy@example.com>").starts_with("451"));
    assert!(c.say("RCPT TO:<ben@example.com>").starts_with("250"));
    assert!(c.say("DATA").starts_with("354"));
    assert!(c
        .say("Subject: hi\r\n\r\n..a line starting with a dot\r\n.")
        .starts_with("250"));
    assert!(c.say("QUIT").starts_with("221"));
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "shop@example.com");
    assert_eq!(got[0].to, ["ben@example.com"]);
    assert_eq!(
        got[0].data,
        "Subject: hi\r\n\r\n.a line starting with a dot\r\n"
    );
    let file = std::fs::read_to_string(dir.join("000001.eml")).unwrap();
    assert_eq!(file, got[0].data);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_required_login_is_checked_before_any_mail() {
    let sink = Sink::start(Options {
        login: Some(("shop".into(), "right".into())),
        ..Options::default()
    })
    .unwrap();
    let mut c = Client::connect(&sink);
    c.say("EHLO test");
    assert!(c.say("MAIL FROM:<a@example.com>").starts_with("530"));
    // base64("\0shop\0wrong") and base64("\0shop\0right").
    assert!(c.say("AUTH PLAIN AHNob3AAd3Jvbmc=").starts_with("535"));
    assert!(c.say("AUTH PLAIN AHNob3AAcmlnaHQ=").starts_with("235"));
    assert!(c.say("MAIL FROM:<a@example.com>").starts_with("250"));
    assert!(
        Sink::start_on("0.0.0.0:0".parse().unwrap(), Options::default()).is_err(),
        "loopback only"
    );
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("smtp-sink-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
