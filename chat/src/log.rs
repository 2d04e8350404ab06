//! The conversation as the shopper sees it, as one value changed only by what the
//! shopper does and what the server says. Events reach it from places that overlap
//! (the answer to a POST, the event stream, the stream's replay on the next page), so
//! every change is idempotent: a message is known by its [`MessageKey`], and applying
//! it twice changes nothing. Free of the browser, so it is tested natively; the
//! effects (sending, the stream, the tab's memory) live beside it and only report here.

use shopdesk_wire::chat::{Author, ChatEvent, MessageKey, Say, Signal, What};

/// Where the conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Nothing said yet: the conversation starts with the first message.
    Idle,
    Starting,
    Open,
    Ended,
    /// Chat cannot start (off on the server, or unreachable): say so.
    Unavailable,
}

/// Where one of the shopper's messages stands between Send and the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Sending,
    Retrying,
    Sent,
    /// Refused for good, or chat became unavailable (the console says why).
    Failed,
}

impl Delivery {
    /// Exposed as `data-delivery`, for tests and styles.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Delivery::Sending => "sending",
            Delivery::Retrying => "retrying",
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
        }
    }
}

/// One message in the log.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// The sender's idempotency key.
    pub id: String,
    pub author: Author,
    /// Who answered, when the agent signed in with an account.
    pub name: Option<String>,
    pub body: String,
    pub delivery: Delivery,
    /// The server's number for it, once known: the log is in this order, messages
    /// still on their way last, in the order typed.
    pub seq: Option<i64>,
}

impl Line {
    pub(crate) fn key(&self) -> MessageKey<'_> {
        MessageKey::new(self.author, &self.id)
    }
}

/// What applying an event did, for the effects to follow up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applied {
    Nothing,
    Changed,
    /// An agent's message this tab had not seen: announced as `chat:message`.
    Reply,
    /// The conversation ended (`closed`): the tab forgets it, the panel offers the
    /// survey.
    Ended,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Log {
    pub phase: Phase,
    pub lines: Vec<Line>,
    /// Agents online when the conversation started (0: the message waits).
    pub agents_online: Option<u32>,
    /// The newest event applied: on the next page the stream replays the log, and
    /// nothing up to here is announced again.
    pub seen: i64,
    /// The newest agent message the shopper has had in front of them.
    pub read: i64,
    /// An agent's message arrived while the panel was closed.
    pub unread: bool,
    /// The agent handling the conversation, by name; none while it waits for one.
    pub agent: Option<String>,
    /// An agent is typing (their name, empty if unnamed); cleared by their message or
    /// when the signals stop (`typing_signals` tells a fresh one from the last).
    pub typing: Option<String>,
    pub typing_signals: u32,
    /// The newest event an agent has seen ("Seen" under the shopper's messages).
    pub agent_read: i64,
    /// The newest `read` told to the server.
    reported_read: i64,
    /// The server closed the conversation after the shopper went quiet.
    pub closed_idle: bool,
    /// Nobody could answer live when it started: the answer goes to this address
    /// (the shopper may close the page).
    pub left_for: Option<String>,
}

impl Default for Log {
    fn default() -> Self {
        Self {
            phase: Phase::Idle,
            lines: Vec::new(),
            agents_online: None,
            seen: 0,
            read: 0,
            unread: false,
            agent: None,
            typing: None,
            typing_signals: 0,
            agent_read: 0,
            reported_read: 0,
            closed_idle: false,
            left_for: None,
        }
    }
}

impl Log {
    /// A conversation this tab already has (remembered across pages): open, with the
    /// positions remembered; the stream replays its messages.
    pub(crate) fn resumed(seen: i64, read: i64) -> Self {
        Self {
            phase: Phase::Open,
            seen,
            read,
            ..Self::default()
        }
    }

    /// Whether a conversation is going on (the panel opens on it).
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.phase, Phase::Starting | Phase::Open)
    }

    /// The shopper typed `body` (trimmed); the message to queue, or `None` when there
    /// is nothing to send or the conversation has ended.
    pub(crate) fn typed(&mut self, id: String, body: &str) -> Option<Say> {
        let body = body.trim();
        if body.is_empty() || self.phase == Phase::Ended {
            return None;
        }
        self.lines.push(Line {
            id: id.clone(),
            author: Author::Shopper,
            name: None,
            body: body.to_string(),
            delivery: Delivery::Sending,
            seq: None,
        });
        Some(Say {
            id,
            body: body.to_string(),
        })
    }

    /// Messages waiting from the previous page: in the log as being sent.
    pub(crate) fn waiting(&mut self, pending: &[Say]) {
        for say in pending {
            if !self.has(MessageKey::new(Author::Shopper, &say.id)) {
                self.lines.push(Line {
                    id: say.id.clone(),
                    author: Author::Shopper,
                    name: None,
                    body: say.body.clone(),
                    delivery: Delivery::Sending,
                    seq: None,
                });
            }
        }
    }

    pub(crate) fn starting(&mut self) {
        if matches!(self.phase, Phase::Idle | Phase::Unavailable) {
            self.phase = Phase::Starting;
        }
    }

    /// The server opened the conversation.
    pub(crate) fn started(&mut self, agents_online: u32) {
        self.phase = Phase::Open;
        self.agents_online = Some(agents_online);
        self.seen = 0;
        self.read = 0;
    }

    /// Chat cannot start: what waits is not sent.
    pub(crate) fn unavailable(&mut self) {
        self.phase = Phase::Unavailable;
        self.fail_waiting();
    }

    /// A delivery attempt of the shopper's message `id` failed and will be retried.
    pub(crate) fn retrying(&mut self, id: &str) {
        self.set_delivery(id, Delivery::Retrying);
    }

    /// The shopper's message `id` was refused for good.
    pub(crate) fn failed(&mut self, id: &str) {
        self.set_delivery(id, Delivery::Failed);
    }

    /// The server has the shopper's message `id` (as event `seq`, when it said).
    pub(crate) fn confirmed(&mut self, id: &str, seq: Option<i64>) {
        if let Some(line) = self.line_mut(MessageKey::new(Author::Shopper, id)) {
            line.delivery = Delivery::Sent;
            line.seq = line.seq.or(seq);
            self.sort();
        }
    }

    /// An event of the stream. `panel_open`: the shopper has the panel in front of
    /// them, so a reply is read as it arrives.
    pub(crate) fn apply(&mut self, event: &ChatEvent, panel_open: bool) -> Applied {
        let new = event.seq > self.seen;
        if new {
            self.seen = event.seq;
        }
        match &event.what {
            What::Started { handoff, offline } => {
                let left_for = handoff.email.clone().filter(|_| *offline);
                if self.left_for == left_for {
                    return Applied::Nothing;
                }
                self.left_for = left_for;
                Applied::Changed
            }
            What::Message {
                author,
                id,
                body,
                name,
            } => {
                let key = MessageKey::new(*author, id);
                if let Some(line) = self.line_mut(key) {
                    if line.seq == Some(event.seq) && line.delivery == Delivery::Sent {
                        return Applied::Nothing;
                    }
                    line.delivery = Delivery::Sent;
                    line.seq = Some(event.seq);
                    self.sort();
                    return Applied::Changed;
                }
                self.lines.push(Line {
                    id: id.clone(),
                    author: *author,
                    name: name.clone(),
                    body: body.clone(),
                    delivery: Delivery::Sent,
                    seq: Some(event.seq),
                });
                self.sort();
                if *author != Author::Agent {
                    return Applied::Changed;
                }
                self.typing = None;
                if panel_open {
                    self.read = self.read.max(event.seq);
                } else if event.seq > self.read {
                    self.unread = true;
                }
                if new {
                    Applied::Reply
                } else {
                    Applied::Changed
                }
            }
            What::Assigned { to, .. } => {
                let name = to.as_ref().map(|a| a.name.clone());
                if self.agent == name {
                    return Applied::Nothing;
                }
                self.agent = name;
                Applied::Changed
            }
            What::Closed { idle, .. } => {
                self.closed_idle = *idle;
                self.typing = None;
                if self.end() {
                    Applied::Ended
                } else {
                    Applied::Nothing
                }
            }
        }
    }

    /// A signal from the agents' side; whether it changed anything.
    pub(crate) fn signal(&mut self, signal: &Signal) -> bool {
        match signal {
            Signal::Typing {
                author: Author::Agent,
                name,
                ..
            } if self.phase == Phase::Open => {
                self.typing = Some(name.clone().unwrap_or_default());
                self.typing_signals = self.typing_signals.wrapping_add(1);
                true
            }
            Signal::Read {
                author: Author::Agent,
                seq,
                ..
            } if *seq > self.agent_read => {
                self.agent_read = *seq;
                true
            }
            _ => false,
        }
    }

    /// The agent stopped typing without sending (no signal since `signals`).
    pub(crate) fn typing_faded(&mut self, signals: u32) -> bool {
        let faded = self.typing_signals == signals && self.typing.is_some();
        if faded {
            self.typing = None;
        }
        faded
    }

    /// The shopper's latest message an agent has seen: where "Seen" goes.
    pub(crate) fn seen_by_agent(&self) -> Option<String> {
        self.lines
            .iter()
            .rev()
            .filter(|l| l.author == Author::Shopper)
            .find(|l| l.seq.is_some_and(|s| s <= self.agent_read))
            .map(|l| l.key().stored())
    }

    /// How far the shopper has read, if the server has not been told yet.
    pub(crate) fn read_to_report(&mut self) -> Option<i64> {
        (self.read > self.reported_read).then(|| {
            self.reported_read = self.read;
            self.read
        })
    }

    /// The conversation ended (either side, or it is gone from the server); `false`
    /// if it already had.
    pub(crate) fn end(&mut self) -> bool {
        if self.phase == Phase::Ended {
            return false;
        }
        self.phase = Phase::Ended;
        self.fail_waiting();
        true
    }

    /// The shopper's failed messages, to send again (the same ids: whatever did reach
    /// the server is not repeated); they show as being sent.
    pub(crate) fn retry_failed(&mut self) -> Vec<Say> {
        if self.phase == Phase::Ended {
            return Vec::new();
        }
        self.lines
            .iter_mut()
            .filter(|l| l.author == Author::Shopper && l.delivery == Delivery::Failed)
            .map(|l| {
                l.delivery = Delivery::Sending;
                Say {
                    id: l.id.clone(),
                    body: l.body.clone(),
                }
            })
            .collect()
    }

    /// Whether some of the shopper's messages could not be sent.
    pub(crate) fn has_failed(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.author == Author::Shopper && l.delivery == Delivery::Failed)
    }

    /// Whether an agent has said anything yet.
    pub(crate) fn answered(&self) -> bool {
        self.lines.iter().any(|l| l.author == Author::Agent)
    }

    /// The shopper has the chat in front of them: every reply so far is read.
    pub(crate) fn mark_read(&mut self) {
        self.unread = false;
        self.read = self.seen;
    }

    /// After an ended chat: a fresh one.
    pub(crate) fn restart(&mut self) {
        *self = Self::default();
    }

    fn has(&self, key: MessageKey<'_>) -> bool {
        self.lines.iter().any(|l| l.key() == key)
    }

    fn line_mut(&mut self, key: MessageKey<'_>) -> Option<&mut Line> {
        self.lines.iter_mut().find(|l| l.key() == key)
    }

    fn set_delivery(&mut self, id: &str, delivery: Delivery) {
        if let Some(line) = self.line_mut(MessageKey::new(Author::Shopper, id)) {
            // The stream may have confirmed it first.
            if line.delivery != Delivery::Sent {
                line.delivery = delivery;
            }
        }
    }

    fn fail_waiting(&mut self) {
        for line in &mut self.lines {
            if matches!(line.delivery, Delivery::Sending | Delivery::Retrying) {
                line.delivery = Delivery::Failed;
            }
        }
    }

    /// Stable: lines without a number keep their order, at the end.
    fn sort(&mut self) {
        self.lines.sort_by_key(|l| l.seq.unwrap_or(i64::MAX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: i64, author: Author, id: &str, body: &str) -> ChatEvent {
        ChatEvent {
            seq,
            conversation: "c1".into(),
            at: seq * 1_000,
            what: What::Message {
                author,
                id: id.into(),
                body: body.into(),
                name: None,
            },
        }
    }

    fn closed(seq: i64) -> ChatEvent {
        ChatEvent {
            seq,
            conversation: "c1".into(),
            at: 0,
            what: What::Closed {
                by: Author::Agent,
                idle: false,
            },
        }
    }

    #[test]
    fn a_message_left_while_nobody_was_there_says_where_the_answer_goes_until_it_comes() {
        let mut log = open();
        let started = |offline: bool| ChatEvent {
            seq: 1,
            conversation: "c1".into(),
            at: 0,
            what: What::Started {
                handoff: Box::new(shopdesk_wire::chat::Handoff {
                    email: Some("ben@example.com".into()),
                    ..Default::default()
                }),
                offline,
            },
        };
        assert_eq!(log.apply(&started(true), true), Applied::Changed);
        assert_eq!(log.left_for.as_deref(), Some("ben@example.com"));
        assert_eq!(
            log.apply(&started(true), true),
            Applied::Nothing,
            "replayed"
        );
        let mut live = open();
        live.apply(&started(false), true);
        assert_eq!(live.left_for, None, "a live chat promises no email");
    }

    fn bodies(log: &Log) -> Vec<(&str, Delivery)> {
        log.lines
            .iter()
            .map(|l| (l.body.as_str(), l.delivery))
            .collect()
    }

    fn open() -> Log {
        let mut log = Log::default();
        log.starting();
        log.started(1);
        log
    }

    #[test]
    fn an_agents_name_stays_with_their_message() {
        let mut log = Log::default();
        let mut named = message(5, Author::Agent, "a1", "Hi, Ana here");
        if let What::Message { name, .. } = &mut named.what {
            *name = Some("Ana".into());
        }
        log.apply(&named, true);
        assert_eq!(log.lines[0].name.as_deref(), Some("Ana"));
    }

    #[test]
    fn the_shopper_learns_who_took_the_conversation_and_when_it_waits_again() {
        let mut log = open();
        let assigned = |seq, to: Option<&str>| ChatEvent {
            seq,
            conversation: "c1".into(),
            at: 0,
            what: What::Assigned {
                to: to.map(|name| shopdesk_wire::chat::Assignee {
                    id: name.to_lowercase(),
                    name: name.into(),
                }),
                why: shopdesk_wire::chat::Why::Routed,
            },
        };
        assert_eq!(log.apply(&assigned(2, Some("Ana")), true), Applied::Changed);
        assert_eq!(log.agent.as_deref(), Some("Ana"));
        assert_eq!(log.apply(&assigned(2, Some("Ana")), true), Applied::Nothing);
        log.apply(&assigned(3, None), true);
        assert_eq!(log.agent, None, "back in the queue");
        assert!(!log.unread, "a change of hands is no reply");
    }

    #[test]
    fn the_agent_typing_shows_until_their_message_or_silence() {
        let mut log = open();
        let typing = Signal::Typing {
            conversation: "c1".into(),
            author: Author::Agent,
            name: Some("Ana".into()),
        };
        assert!(log.signal(&typing));
        assert_eq!(log.typing.as_deref(), Some("Ana"));
        let first = log.typing_signals;
        assert!(log.signal(&typing));
        assert!(!log.typing_faded(first), "a newer signal keeps it");
        assert!(log.typing_faded(log.typing_signals));
        assert_eq!(log.typing, None);
        log.signal(&typing);
        log.apply(&message(4, Author::Agent, "a1", "Hello"), true);
        assert_eq!(log.typing, None, "the message replaces it");
        // The shopper's own typing comes back to nobody.
        let own = Signal::Typing {
            conversation: "c1".into(),
            author: Author::Shopper,
            name: None,
        };
        assert!(!log.signal(&own));
    }

    #[test]
    fn seen_goes_under_the_latest_message_the_agent_read_and_reads_are_reported_once() {
        let mut log = open();
        log.apply(&message(2, Author::Shopper, "s1", "Hi"), true);
        log.apply(&message(3, Author::Shopper, "s2", "Anyone?"), true);
        assert_eq!(log.seen_by_agent(), None);
        let read = |seq| Signal::Read {
            conversation: "c1".into(),
            author: Author::Agent,
            seq,
        };
        assert!(log.signal(&read(2)));
        assert_eq!(log.seen_by_agent().as_deref(), Some("shopper:s1"));
        assert!(log.signal(&read(3)));
        assert_eq!(log.seen_by_agent().as_deref(), Some("shopper:s2"));
        assert!(!log.signal(&read(2)), "never backwards");
        // The shopper reads a reply: told once.
        log.apply(&message(4, Author::Agent, "a1", "Hello"), true);
        assert_eq!(log.read_to_report(), Some(4));
        assert_eq!(log.read_to_report(), None);
    }

    #[test]
    fn a_chat_closed_for_silence_says_so() {
        let mut log = open();
        let idle = ChatEvent {
            seq: 9,
            conversation: "c1".into(),
            at: 0,
            what: What::Closed {
                by: Author::Agent,
                idle: true,
            },
        };
        assert_eq!(log.apply(&idle, true), Applied::Ended);
        assert!(log.closed_idle);
        assert_eq!(log.phase, Phase::Ended);
    }

    #[test]
    fn the_first_message_starts_the_conversation() {
        let mut log = Log::default();
        assert_eq!(log.typed("s1".into(), "   "), None, "nothing to send");
        let say = log.typed("s1".into(), " Where is my order? ").unwrap();
        assert_eq!(say.body, "Where is my order?");
        log.starting();
        assert_eq!(log.phase, Phase::Starting);
        assert!(log.is_open());
        log.started(0);
        assert_eq!((log.phase, log.agents_online), (Phase::Open, Some(0)));
        assert_eq!(bodies(&log), [("Where is my order?", Delivery::Sending)]);
    }

    #[test]
    fn messages_are_never_shown_twice() {
        let mut log = open();
        log.typed("s1".into(), "Hello");
        // The POST's answer, the stream's echo and a replay all carry the same message.
        log.confirmed("s1", Some(5));
        let echo = message(5, Author::Shopper, "s1", "Hello");
        assert_eq!(log.apply(&echo, true), Applied::Nothing);
        assert_eq!(log.apply(&echo, true), Applied::Nothing);
        assert_eq!(bodies(&log), [("Hello", Delivery::Sent)]);
        // An agent's message with the shopper's id is another message.
        assert_eq!(
            log.apply(&message(6, Author::Agent, "s1", "Hi!"), true),
            Applied::Reply
        );
        assert_eq!(log.lines.len(), 2);
    }

    #[test]
    fn the_stream_may_confirm_before_the_post_answers() {
        let mut log = open();
        log.typed("s1".into(), "Hello");
        assert_eq!(
            log.apply(&message(3, Author::Shopper, "s1", "Hello"), true),
            Applied::Changed
        );
        log.retrying("s1");
        log.failed("s1");
        assert_eq!(bodies(&log), [("Hello", Delivery::Sent)], "sent stays sent");
    }

    #[test]
    fn messages_waiting_stay_last_in_the_order_typed() {
        let mut log = open();
        log.typed("s1".into(), "one");
        log.typed("s2".into(), "two");
        log.apply(&message(4, Author::Agent, "a1", "Hello"), true);
        log.confirmed("s2", Some(7));
        let order: Vec<&str> = log.lines.iter().map(|l| l.body.as_str()).collect();
        assert_eq!(order, ["Hello", "two", "one"]);
        log.confirmed("s1", Some(8));
        let order: Vec<&str> = log.lines.iter().map(|l| l.body.as_str()).collect();
        assert_eq!(order, ["Hello", "two", "one"]);
    }

    #[test]
    fn queued_while_offline_then_retried_then_confirmed() {
        let mut log = open();
        log.typed("s1".into(), "Are you there?");
        log.retrying("s1");
        assert_eq!(bodies(&log), [("Are you there?", Delivery::Retrying)]);
        log.confirmed("s1", Some(9));
        assert_eq!(bodies(&log), [("Are you there?", Delivery::Sent)]);
    }

    #[test]
    fn refused_messages_can_be_sent_again_with_the_same_id() {
        let mut log = open();
        log.typed("s1".into(), "one");
        log.typed("s2".into(), "two");
        log.confirmed("s1", Some(2));
        log.failed("s2");
        assert!(log.has_failed());
        let again = log.retry_failed();
        assert_eq!(
            again,
            [Say {
                id: "s2".into(),
                body: "two".into()
            }]
        );
        assert!(!log.has_failed());
        assert_eq!(bodies(&log)[1], ("two", Delivery::Sending));
    }

    #[test]
    fn an_unavailable_chat_fails_what_waits_and_can_be_tried_again() {
        let mut log = Log::default();
        log.typed("s1".into(), "Hello");
        log.starting();
        log.unavailable();
        assert_eq!(log.phase, Phase::Unavailable);
        assert_eq!(bodies(&log), [("Hello", Delivery::Failed)]);
        assert_eq!(log.retry_failed().len(), 1);
        log.starting();
        assert_eq!(log.phase, Phase::Starting);
    }

    #[test]
    fn a_replayed_history_is_not_announced_again() {
        // The next page: the tab remembers events up to 6, and the agent's reply at 6
        // was read.
        let mut log = Log::resumed(6, 6);
        assert!(log.is_open());
        assert_eq!(
            log.apply(&message(5, Author::Shopper, "s1", "Hello"), false),
            Applied::Changed
        );
        assert_eq!(
            log.apply(&message(6, Author::Agent, "a1", "Hi"), false),
            Applied::Changed,
            "replayed: shown, not announced"
        );
        assert!(!log.unread, "it was read on the previous page");
        assert_eq!(
            log.apply(&message(7, Author::Agent, "a2", "Still there?"), false),
            Applied::Reply
        );
        assert!(log.unread, "a new reply with the panel closed waits unread");
        assert_eq!(log.seen, 7);
        log.mark_read();
        assert_eq!((log.unread, log.read), (false, 7));
    }

    #[test]
    fn a_reply_in_front_of_the_shopper_is_read() {
        let mut log = open();
        assert_eq!(
            log.apply(&message(3, Author::Agent, "a1", "Hi"), true),
            Applied::Reply
        );
        assert!(!log.unread);
        assert_eq!(log.read, 3);
        assert!(log.answered());
    }

    #[test]
    fn closed_ends_once_and_fails_what_was_not_sent() {
        let mut log = open();
        log.typed("s1".into(), "one more thing");
        assert_eq!(log.apply(&closed(9), true), Applied::Ended);
        assert_eq!(log.phase, Phase::Ended);
        assert_eq!(bodies(&log), [("one more thing", Delivery::Failed)]);
        assert_eq!(log.apply(&closed(9), true), Applied::Nothing);
        assert!(!log.end());
        assert_eq!(
            log.typed("s2".into(), "hello?"),
            None,
            "nothing is said after the end"
        );
        assert!(log.retry_failed().is_empty());
        log.restart();
        assert_eq!(log, Log::default());
    }

    #[test]
    fn waiting_messages_from_the_last_page_appear_once() {
        let mut log = Log::resumed(0, 0);
        let pending = [Say {
            id: "s1".into(),
            body: "sent while leaving".into(),
        }];
        log.waiting(&pending);
        log.waiting(&pending);
        assert_eq!(bodies(&log), [("sent while leaving", Delivery::Sending)]);
    }
}
