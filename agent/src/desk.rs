//! Everything the agent sees, as one value changed only by what the server says and
//! what the agent does. Events arrive from three places that overlap (the live
//! stream, a conversation's history, the answer to a reply), so every change is
//! idempotent: a message is known by who wrote it and its client id, and applying it
//! twice changes nothing. Kept free of the browser, so it is tested natively.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use shopdesk_wire::chat::{
    Assignee, Author, ChatEvent, Handoff, MailState, MessageKey, Signal, Summary, What, Why,
};

use crate::text;

/// Ended conversations kept in the list, as many as the server lists after a reload:
/// the list looks the same before and after one.
pub(crate) const RECENTLY_ENDED: usize = 20;
/// Characters of a message or search shown in the list.
const PREVIEW_CHARS: usize = 90;

/// Where a message stands between the agent's Send and the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Delivery {
    Stored,
    /// Not acknowledged yet; `problem` is why the last attempt failed.
    Pending {
        attempts: u32,
        problem: Option<String>,
    },
    /// Refused for good (the conversation ended, the server rejected the text).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    /// The sender's idempotency key: with `author`, what makes a message the same one.
    pub id: String,
    pub author: Author,
    pub body: String,
    /// Server time once stored; the agent's clock while pending.
    pub at: i64,
    pub seq: Option<i64>,
    pub delivery: Delivery,
}

impl Message {
    /// What makes it the same message as another (the rule all sides share).
    pub(crate) fn key(&self) -> MessageKey<'_> {
        MessageKey::new(self.author, &self.id)
    }
}

/// Whether a conversation's earlier events are here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum History {
    NotLoaded,
    Loading,
    /// Everything up to now is here; the stream brings the rest.
    Loaded,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conversation {
    pub id: String,
    pub started_at: i64,
    pub handoff: Handoff,
    pub closed_at: Option<i64>,
    /// Known from the `closed` event only: the list does not say.
    pub closed_by: Option<Author>,
    /// Closed by the server after the shopper went quiet.
    pub closed_idle: bool,
    /// Stored messages by `seq`, then the pending ones in the order written.
    pub messages: Vec<Message>,
    pub history: History,
    /// Shopper messages the agent has not seen.
    pub unread: u32,
    /// "End conversation" was pressed and the server has not answered yet.
    pub closing: bool,
    /// Who handles it; none while it waits in the queue.
    pub assigned: Option<Assignee>,
    /// The event number `assigned` is as of: an older word (a list read before a
    /// change the stream already brought) does not undo it.
    assigned_seq: i64,
    /// The shopper is typing; `typing_signals` tells a fresh signal from the last.
    pub typing: bool,
    pub typing_signals: u32,
    /// The newest event the shopper has seen ("Seen" under the agent's replies).
    pub shopper_read: i64,
    /// The newest event any agent has seen, as the server has it.
    agent_read: i64,
    /// Left while nobody could answer live: answers reach the shopper by email.
    pub offline: bool,
    /// The emails to the shopper and where each stands, as of the last history read.
    pub mail: Vec<MailState>,
}

impl Conversation {
    fn new(id: String, started_at: i64, handoff: Handoff, closed_at: Option<i64>) -> Self {
        Self {
            id,
            started_at,
            handoff,
            closed_at,
            closed_by: None,
            closed_idle: false,
            messages: Vec::new(),
            history: History::NotLoaded,
            unread: 0,
            closing: false,
            assigned: None,
            assigned_seq: 0,
            typing: false,
            typing_signals: 0,
            shopper_read: 0,
            agent_read: 0,
            offline: false,
            mail: Vec::new(),
        }
    }

    /// The email about event `seq` (an agent's reply), if there is one.
    pub(crate) fn mail_about(&self, seq: i64, kind: &str) -> Option<&MailState> {
        self.mail.iter().find(|m| m.seq == seq && m.kind == kind)
    }

    /// The newest message's number.
    fn newest(&self) -> i64 {
        self.messages
            .iter()
            .filter_map(|m| m.seq)
            .max()
            .unwrap_or(0)
    }

    /// The agent's latest reply the shopper has seen: where "Seen" goes.
    pub(crate) fn seen_by_shopper(&self) -> Option<MessageKey<'_>> {
        self.messages
            .iter()
            .rev()
            .filter(|m| m.author == Author::Agent)
            .find(|m| m.seq.is_some_and(|s| s <= self.shopper_read))
            .map(Message::key)
    }

    pub(crate) fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    pub(crate) fn who(&self) -> String {
        text::who(&self.handoff, &self.id)
    }

    fn message_mut(&mut self, key: MessageKey<'_>) -> Option<&mut Message> {
        self.messages.iter_mut().find(|m| m.key() == key)
    }

    /// Stable: pending messages keep the order the agent wrote them in.
    fn sort(&mut self) {
        self.messages.sort_by_key(|m| m.seq.unwrap_or(i64::MAX));
    }

    /// Shopper messages since the last agent message: what still needs an answer.
    fn unanswered(&self) -> u32 {
        self.messages
            .iter()
            .rev()
            .take_while(|m| m.author == Author::Shopper)
            .count() as u32
    }

    fn has_pending(&self) -> bool {
        self.messages
            .iter()
            .any(|m| matches!(m.delivery, Delivery::Pending { .. }))
    }

    /// The list's second line: what the shopper last said, else what they last looked
    /// for, so the agent can pick whom to answer first.
    fn preview(&self) -> String {
        let said = self
            .messages
            .iter()
            .rev()
            .find(|m| m.author == Author::Shopper);
        match (said, self.handoff.searched.last()) {
            (Some(m), _) => text::first_words(&m.body, PREVIEW_CHARS),
            (None, Some(search)) => format!("Searched: {}", text::first_words(search, 80)),
            (None, None) => "No messages yet".to_string(),
        }
    }
}

/// Where an event came from: only the stream's position is where it resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Stream,
    History,
    /// The server's answer to this page's own reply.
    Answer,
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applied {
    /// Nothing new (seen before).
    Nothing,
    Changed,
    /// Changed, and the agent should hear about it (the aria-live region).
    Announce(String),
    /// An event of a conversation the page does not know: the list needs a reload.
    Unknown,
}

/// Who handles a conversation, as this agent sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Handler {
    /// In the queue: anyone may take it.
    Nobody,
    Me,
    Colleague(String),
}

impl Handler {
    /// Whether its news is this agent's business (theirs, or nobody's yet).
    pub(crate) fn concerns_me(&self) -> bool {
        !matches!(self, Handler::Colleague(_))
    }

    pub(crate) fn label(&self) -> String {
        match self {
            Handler::Nobody => "Waiting".to_string(),
            Handler::Me => "You".to_string(),
            Handler::Colleague(name) => name.clone(),
        }
    }
}

/// One line of the conversation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub id: String,
    pub open: bool,
    pub who: String,
    pub page: Option<String>,
    pub preview: String,
    pub since: String,
    pub unread: u32,
    pub selected: bool,
    pub handler: Handler,
    /// A message left while nobody was there.
    pub offline: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Desk {
    /// The signed-in agent's account id (none: the automation token, which is nobody
    /// and may answer anything).
    me: Option<String>,
    conversations: BTreeMap<String, Conversation>,
    /// The last stream event applied: where a new stream resumes.
    pub seq: i64,
    selected: Option<String>,
    /// The page is in a hidden tab: messages in the open conversation stay unread.
    away: bool,
    /// Older ended conversations the agent asked for, kept beyond the latest ones.
    older: usize,
    /// The server said there are no older ended conversations than these.
    pub all_ended: bool,
}

impl Desk {
    /// The desk of the agent with account id `me`.
    pub(crate) fn new(me: Option<String>) -> Self {
        Self {
            me,
            ..Self::default()
        }
    }

    /// Who handles conversation `id`, from this agent's side.
    pub(crate) fn handler(&self, id: &str) -> Handler {
        self.conversations
            .get(id)
            .map_or(Handler::Nobody, |c| self.handler_of(c))
    }

    fn handler_of(&self, c: &Conversation) -> Handler {
        match &c.assigned {
            None => Handler::Nobody,
            Some(a) if self.me.as_deref() == Some(a.id.as_str()) => Handler::Me,
            Some(a) => Handler::Colleague(a.name.clone()),
        }
    }

    /// Whether this agent may reply in `id` now: a colleague's conversation is theirs
    /// to answer (the server refuses it too).
    pub(crate) fn may_reply(&self, id: &str) -> bool {
        self.me.is_none() || self.handler(id).concerns_me()
    }

    pub(crate) fn conversation(&self, id: &str) -> Option<&Conversation> {
        self.conversations.get(id)
    }

    pub(crate) fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    fn watching(&self, id: &str) -> bool {
        !self.away && self.selected.as_deref() == Some(id)
    }

    /// Merges the server's list. Nothing is dropped: a conversation the stream brought
    /// while the list was on its way is newer than the list, not gone.
    /// `seq` is the event number the list is as of.
    pub(crate) fn load_list(&mut self, list: Vec<Summary>, seq: i64) {
        for s in list {
            let c = self.conversations.entry(s.id.clone()).or_insert_with(|| {
                Conversation::new(s.id.clone(), s.started_at, s.handoff, s.closed_at)
            });
            if c.closed_at.is_none() {
                c.closed_at = s.closed_at;
            }
            if seq >= c.assigned_seq {
                c.assigned = s.assigned;
                c.assigned_seq = seq;
            }
            c.shopper_read = c.shopper_read.max(s.shopper_read);
            c.agent_read = c.agent_read.max(s.agent_read);
            c.offline |= s.offline;
        }
        self.trim();
    }

    pub(crate) fn apply(&mut self, event: ChatEvent, source: Source) -> Applied {
        if source == Source::Stream {
            self.seq = self.seq.max(event.seq);
        }
        let watching = self.watching(&event.conversation);
        let concerns_me = self.handler(&event.conversation).concerns_me();
        let ChatEvent {
            seq,
            conversation: id,
            at,
            what,
        } = event;
        match what {
            What::Started { handoff, offline } => {
                if let Some(c) = self.conversations.get_mut(&id) {
                    if offline && !c.offline {
                        c.offline = true;
                        return Applied::Changed;
                    }
                    return Applied::Nothing;
                }
                let mut c = Conversation::new(id.clone(), at, *handoff, None);
                c.offline = offline;
                // The stream brings every later event of a conversation it announced.
                if source == Source::Stream {
                    c.history = History::Loaded;
                }
                let said = format!("New conversation: {}", c.who());
                self.conversations.insert(id, c);
                Applied::Announce(said)
            }
            What::Message {
                author,
                id: mid,
                body,
                ..
            } => {
                let Some(c) = self.conversations.get_mut(&id) else {
                    return Applied::Unknown;
                };
                if let Some(m) = c.message_mut(MessageKey::new(author, &mid)) {
                    if m.seq == Some(seq) && m.delivery == Delivery::Stored {
                        return Applied::Nothing;
                    }
                    m.seq = Some(seq);
                    m.at = at;
                    m.delivery = Delivery::Stored;
                    c.sort();
                    return Applied::Changed;
                }
                let preview = text::first_words(&body, PREVIEW_CHARS);
                c.messages.push(Message {
                    id: mid,
                    author,
                    body,
                    at,
                    seq: Some(seq),
                    delivery: Delivery::Stored,
                });
                c.sort();
                if author == Author::Shopper {
                    c.typing = false;
                }
                if source != Source::Stream {
                    return Applied::Changed;
                }
                match author {
                    // Someone answered (here or another agent elsewhere): nothing waits.
                    Author::Agent => c.unread = 0,
                    // A colleague's shopper: theirs to hear about.
                    Author::Shopper if !concerns_me => {}
                    Author::Shopper if !watching => {
                        c.unread += 1;
                        return Applied::Announce(format!("{}: {preview}", c.who()));
                    }
                    Author::Shopper => {}
                }
                Applied::Changed
            }
            What::Assigned { to, why } => {
                let me = self.me.clone();
                let Some(c) = self.conversations.get_mut(&id) else {
                    return Applied::Unknown;
                };
                if seq <= c.assigned_seq {
                    return Applied::Nothing;
                }
                c.assigned_seq = seq;
                let mine = |a: &Option<Assignee>| {
                    a.as_ref()
                        .is_some_and(|a| me.as_deref() == Some(a.id.as_str()))
                };
                let now_mine = mine(&to);
                let was_mine = mine(&c.assigned);
                let other = to.as_ref().filter(|_| !now_mine).map(|a| a.name.clone());
                c.assigned = to;
                if other.is_some() {
                    // A colleague's now: their unread, not this agent's.
                    c.unread = 0;
                } else if !watching && c.unread == 0 && c.is_open() {
                    c.unread = c.unanswered();
                }
                if source != Source::Stream || !c.is_open() {
                    return Applied::Changed;
                }
                let who = c.who();
                match why {
                    // This agent's own doing needs no news.
                    Why::Taken if now_mine => Applied::Changed,
                    Why::Handed { by } if now_mine => {
                        Applied::Announce(format!("{by} handed you the conversation with {who}"))
                    }
                    _ if now_mine => Applied::Announce(format!("New conversation for you: {who}")),
                    Why::Offline | Why::Unanswered if was_mine => Applied::Announce(format!(
                        "The conversation with {who} went back to the queue"
                    )),
                    _ => Applied::Changed,
                }
            }
            What::Closed { by, idle } => {
                let Some(c) = self.conversations.get_mut(&id) else {
                    // Ended before this page knew it: nothing to show.
                    return Applied::Nothing;
                };
                if c.closed_by == Some(by) && c.closed_at == Some(at) {
                    return Applied::Nothing;
                }
                let was_open = c.is_open() && !c.closing;
                c.closed_at = Some(at);
                c.closed_by = Some(by);
                c.closed_idle = idle;
                c.closing = false;
                c.typing = false;
                let said = format!("{} ended the conversation", c.who());
                self.trim();
                if source == Source::Stream && was_open && by == Author::Shopper {
                    Applied::Announce(said)
                } else {
                    Applied::Changed
                }
            }
        }
    }

    /// Where the emails of conversation `id` stand now; whether any is still pending.
    pub(crate) fn set_mail(&mut self, id: &str, mail: Vec<MailState>) -> bool {
        let pending = mail.iter().any(|m| m.status == "pending");
        if let Some(c) = self.conversations.get_mut(id) {
            c.mail = mail;
        }
        pending
    }

    /// A conversation's events as the server has them, merged with what is here, and
    /// where its emails stand.
    pub(crate) fn load_history(&mut self, id: &str, events: Vec<ChatEvent>, mail: Vec<MailState>) {
        if let Some(c) = self.conversations.get_mut(id) {
            c.mail = mail;
        }
        let first = self
            .conversations
            .get(id)
            .is_some_and(|c| c.history != History::Loaded);
        for event in events.into_iter().filter(|e| e.conversation == id) {
            self.apply(event, Source::History);
        }
        let watching = self.watching(id);
        if let Some(c) = self.conversations.get_mut(id) {
            c.history = History::Loaded;
            // Without a record of what this agent read before the page loaded, what
            // still needs an answer is what counts as unread.
            if first {
                let read = c.agent_read;
                c.unread = if watching || !c.is_open() {
                    0
                } else if read > 0 {
                    // What no agent has had in front of them, by the server's mark.
                    c.messages
                        .iter()
                        .filter(|m| m.author == Author::Shopper && m.seq.is_some_and(|s| s > read))
                        .count() as u32
                } else {
                    c.unanswered()
                };
            }
        }
    }

    /// A signal from a shopper; whether it changed anything.
    pub(crate) fn signal(&mut self, signal: &Signal) -> bool {
        match signal {
            Signal::Typing {
                conversation,
                author: Author::Shopper,
                ..
            } => match self.conversations.get_mut(conversation) {
                Some(c) if c.is_open() => {
                    c.typing = true;
                    c.typing_signals = c.typing_signals.wrapping_add(1);
                    true
                }
                _ => false,
            },
            Signal::Read {
                conversation,
                author: Author::Shopper,
                seq,
            } => match self.conversations.get_mut(conversation) {
                Some(c) if *seq > c.shopper_read => {
                    c.shopper_read = *seq;
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// The shopper of `id` stopped typing without sending (no signal since
    /// `signals`).
    pub(crate) fn typing_faded(&mut self, id: &str, signals: u32) -> bool {
        match self.conversations.get_mut(id) {
            Some(c) if c.typing && c.typing_signals == signals => {
                c.typing = false;
                true
            }
            _ => false,
        }
    }

    /// The conversation in front of the agent and how far it goes, if the server does
    /// not know yet that they have seen it; recorded as told.
    pub(crate) fn read_to_report(&mut self) -> Option<(String, i64)> {
        let id = self.selected.clone().filter(|id| self.watching(id))?;
        let c = self.conversations.get_mut(&id)?;
        let newest = c.newest();
        (newest > c.agent_read).then(|| {
            c.agent_read = newest;
            (id, newest)
        })
    }

    pub(crate) fn history_failed(&mut self, id: &str, reason: String) {
        if let Some(c) = self.conversations.get_mut(id) {
            c.history = History::Failed(reason);
        }
    }

    /// Marks `id`'s history as on its way; `false` if it is here or coming already.
    pub(crate) fn start_loading(&mut self, id: &str) -> bool {
        match self.conversations.get_mut(id) {
            Some(c) if matches!(c.history, History::NotLoaded | History::Failed(_)) => {
                c.history = History::Loading;
                true
            }
            _ => false,
        }
    }

    /// Opens `id`; `true` if its history must be fetched.
    pub(crate) fn select(&mut self, id: &str) -> bool {
        if !self.conversations.contains_key(id) {
            return false;
        }
        self.selected = Some(id.to_string());
        if !self.away {
            if let Some(c) = self.conversations.get_mut(id) {
                c.unread = 0;
            }
        }
        self.start_loading(id)
    }

    /// The tab was hidden (`true`) or shown again: coming back reads the open one.
    pub(crate) fn set_away(&mut self, away: bool) {
        self.away = away;
        if let Some(c) = self
            .selected
            .clone()
            .filter(|_| !away)
            .and_then(|id| self.conversations.get_mut(&id))
        {
            c.unread = 0;
        }
    }

    /// The agent's reply, shown at once and pending until the server has it.
    pub(crate) fn queue(
        &mut self,
        conversation: &str,
        id: String,
        body: String,
        now: i64,
    ) -> Result<(), String> {
        let c = self
            .conversations
            .get_mut(conversation)
            .ok_or("this conversation is no longer listed")?;
        if !c.is_open() {
            return Err("the conversation has ended".to_string());
        }
        c.messages.push(Message {
            id,
            author: Author::Agent,
            body,
            at: now,
            seq: None,
            delivery: Delivery::Pending {
                attempts: 0,
                problem: None,
            },
        });
        c.unread = 0;
        Ok(())
    }

    /// The oldest reply of `conversation` the server has not acknowledged, as
    /// `(id, body)`: replies go out one at a time, in order.
    pub(crate) fn next_pending(&self, conversation: &str) -> Option<(String, String)> {
        self.conversations
            .get(conversation)?
            .messages
            .iter()
            .find(|m| matches!(m.delivery, Delivery::Pending { .. }))
            .map(|m| (m.id.clone(), m.body.clone()))
    }

    /// A delivery attempt failed and will be repeated.
    pub(crate) fn retrying(&mut self, conversation: &str, id: &str, problem: String) {
        if let Some(m) = self
            .conversations
            .get_mut(conversation)
            .and_then(|c| c.message_mut(MessageKey::new(Author::Agent, id)))
        {
            if let Delivery::Pending { attempts, .. } = &m.delivery {
                m.delivery = Delivery::Pending {
                    attempts: attempts + 1,
                    problem: Some(problem),
                };
            }
        }
    }

    /// The server has the reply but its answer did not say more; the stream's echo
    /// brings its place in the conversation.
    pub(crate) fn delivered(&mut self, conversation: &str, id: &str) {
        if let Some(m) = self
            .conversations
            .get_mut(conversation)
            .and_then(|c| c.message_mut(MessageKey::new(Author::Agent, id)))
        {
            m.delivery = Delivery::Stored;
        }
    }

    pub(crate) fn refused(&mut self, conversation: &str, id: &str, reason: String) {
        if let Some(m) = self
            .conversations
            .get_mut(conversation)
            .and_then(|c| c.message_mut(MessageKey::new(Author::Agent, id)))
        {
            if matches!(m.delivery, Delivery::Pending { .. }) {
                m.delivery = Delivery::Failed(reason);
            }
        }
    }

    pub(crate) fn set_closing(&mut self, conversation: &str, closing: bool) {
        if let Some(c) = self.conversations.get_mut(conversation) {
            c.closing = closing;
        }
    }

    /// The server confirmed the agent's "End conversation"; its `closed` event, on
    /// the way, brings the exact time.
    pub(crate) fn closed_here(&mut self, conversation: &str, now: i64) {
        if let Some(c) = self.conversations.get_mut(conversation) {
            c.closing = false;
            if c.is_open() {
                c.closed_at = Some(now);
                c.closed_by = Some(Author::Agent);
            }
        }
        self.trim();
    }

    /// Open conversations, longest waiting first; then the ended ones, latest first.
    pub(crate) fn order(&self) -> Vec<String> {
        let mut all: Vec<&Conversation> = self.conversations.values().collect();
        all.sort_by_key(|c| match c.closed_at {
            None => (0, c.started_at, Reverse(0)),
            Some(at) => (1, 0, Reverse(at)),
        });
        all.into_iter().map(|c| c.id.clone()).collect()
    }

    pub(crate) fn row(&self, id: &str, now: i64) -> Option<Row> {
        self.conversations.get(id).map(|c| self.row_of(c, now))
    }

    /// A line for a conversation a search found, whether or not the list holds it.
    pub(crate) fn found_row(&self, s: &Summary, now: i64) -> Row {
        match self.conversations.get(&s.id) {
            Some(c) => self.row_of(c, now),
            None => {
                let mut c =
                    Conversation::new(s.id.clone(), s.started_at, s.handoff.clone(), s.closed_at);
                c.assigned = s.assigned.clone();
                self.row_of(&c, now)
            }
        }
    }

    fn row_of(&self, c: &Conversation, now: i64) -> Row {
        let page = c.handoff.page_title.clone().or_else(|| {
            let url = c.handoff.page_url.as_deref()?;
            let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
            Some(rest.split(['?', '#']).next().unwrap_or(rest).to_string())
        });
        Row {
            id: c.id.clone(),
            open: c.is_open(),
            who: c.who(),
            page,
            preview: c.preview(),
            since: text::since(c.started_at, c.closed_at, now),
            unread: c.unread,
            selected: self.selected.as_deref() == Some(c.id.as_str()),
            handler: self.handler_of(c),
            offline: c.offline,
        }
    }

    /// A conversation a search found, kept so it can be opened (the list may not hold
    /// it: ended long ago).
    pub(crate) fn remember(&mut self, s: Summary, seq: i64) {
        self.load_list(vec![s.clone()], seq);
        // Trimmed as older than the list: kept while it is looked at.
        self.conversations
            .entry(s.id.clone())
            .or_insert_with(|| Conversation::new(s.id, s.started_at, s.handoff, s.closed_at));
    }

    /// Where the next page of ended conversations starts: the oldest listed.
    pub(crate) fn older_cursor(&self) -> Option<(i64, String)> {
        self.conversations
            .values()
            .filter_map(|c| c.closed_at.map(|at| (at, c.id.clone())))
            .min()
    }

    /// Whether the list shows as many ended conversations as it keeps (there may be
    /// older ones to ask for).
    pub(crate) fn may_have_older(&self) -> bool {
        let ended = self
            .conversations
            .values()
            .filter(|c| c.closed_at.is_some())
            .count();
        !self.all_ended && ended >= RECENTLY_ENDED + self.older
    }

    /// A page of older ended conversations; `more`: the server has older still.
    pub(crate) fn load_older(&mut self, page: Vec<Summary>, seq: i64, more: bool) {
        self.older += page.len();
        self.all_ended = !more;
        self.load_list(page, seq);
    }

    /// Open conversations with shopper messages the agent has not seen.
    pub(crate) fn unread_conversations(&self) -> usize {
        self.conversations
            .values()
            .filter(|c| c.is_open() && c.unread > 0)
            .count()
    }

    /// Replies the server does not have yet: leaving the page would lose them.
    pub(crate) fn has_pending(&self) -> bool {
        self.conversations.values().any(Conversation::has_pending)
    }

    /// Keeps the list as long as the server's: every open conversation, the latest
    /// ended ones, and whatever the agent is looking at.
    fn trim(&mut self) {
        let mut ended: Vec<(i64, String)> = self
            .conversations
            .values()
            .filter_map(|c| c.closed_at.map(|at| (at, c.id.clone())))
            .collect();
        ended.sort_by(|a, b| b.cmp(a));
        for (_, id) in ended.into_iter().skip(RECENTLY_ENDED + self.older) {
            if self.selected.as_deref() != Some(id.as_str()) {
                self.conversations.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handoff(searched: &[&str]) -> Handoff {
        Handoff {
            page_url: Some("https://shop.example/returns?x=1".into()),
            searched: searched.iter().map(|s| s.to_string()).collect(),
            ..Handoff::default()
        }
    }

    fn summary(id: &str, started_at: i64, closed_at: Option<i64>) -> Summary {
        Summary {
            id: id.into(),
            started_at,
            closed_at,
            handoff: handoff(&["returns"]),
            assigned: None,
            shopper_read: 0,
            agent_read: 0,
            offline: false,
        }
    }

    fn assignee(id: &str) -> Assignee {
        Assignee {
            id: id.to_lowercase(),
            name: id.into(),
        }
    }

    fn assigned(seq: i64, conversation: &str, to: Option<&str>, why: Why) -> ChatEvent {
        event(
            seq,
            conversation,
            What::Assigned {
                to: to.map(assignee),
                why,
            },
        )
    }

    #[test]
    fn each_agent_hears_about_their_own_conversations_and_the_queue() {
        let mut desk = Desk::new(Some("ana".into()));
        desk.load_list(vec![summary("c1", 0, None), summary("c2", 0, None)], 1);
        assert_eq!(desk.handler("c1"), Handler::Nobody);
        assert_eq!(
            desk.apply(assigned(2, "c1", Some("Ana"), Why::Routed), Source::Stream),
            Applied::Announce("New conversation for you: Shopper c1".into())
        );
        desk.apply(assigned(3, "c2", Some("Ben"), Why::Routed), Source::Stream);
        assert_eq!(desk.row("c1", 0).unwrap().handler.label(), "You");
        assert_eq!(desk.row("c2", 0).unwrap().handler.label(), "Ben");
        assert!(desk.may_reply("c1") && !desk.may_reply("c2"));
        // Ben's shopper writes: not Ana's news, not Ana's unread.
        assert_eq!(
            desk.apply(
                message(4, "c2", Author::Shopper, "m1", "hi"),
                Source::Stream
            ),
            Applied::Changed
        );
        assert_eq!(desk.unread_conversations(), 0);
        // Ben hands it to Ana: now it is, with what waits for an answer.
        assert_eq!(
            desk.apply(
                assigned(5, "c2", Some("Ana"), Why::Handed { by: "Ben".into() }),
                Source::Stream
            ),
            Applied::Announce("Ben handed you the conversation with Shopper c2".into())
        );
        assert_eq!(desk.conversation("c2").unwrap().unread, 1);
        // Taken back for silence: Ana hears it went.
        assert_eq!(
            desk.apply(assigned(6, "c2", None, Why::Unanswered), Source::Stream),
            Applied::Announce("The conversation with Shopper c2 went back to the queue".into())
        );
        // Her own "Take it" is no news to her.
        assert_eq!(
            desk.apply(assigned(7, "c2", Some("Ana"), Why::Taken), Source::Stream),
            Applied::Changed
        );
    }

    #[test]
    fn the_shopper_typing_and_reading_show_and_what_the_agent_sees_is_told_once() {
        let mut desk = Desk::new(Some("ana".into()));
        desk.load_list(vec![summary("c1", 0, None)], 1);
        let typing = Signal::Typing {
            conversation: "c1".into(),
            author: Author::Shopper,
            name: None,
        };
        assert!(desk.signal(&typing));
        let signals = desk.conversation("c1").unwrap().typing_signals;
        assert!(desk.signal(&typing));
        assert!(!desk.typing_faded("c1", signals), "a newer signal keeps it");
        desk.apply(
            message(3, "c1", Author::Shopper, "m1", "hi"),
            Source::Stream,
        );
        assert!(
            !desk.conversation("c1").unwrap().typing,
            "the message replaces it"
        );
        assert_eq!(desk.read_to_report(), None, "not in front of the agent");
        desk.select("c1");
        assert_eq!(desk.read_to_report(), Some(("c1".into(), 3)));
        assert_eq!(desk.read_to_report(), None, "told once");
        desk.queue("c1", "r1".into(), "Hello".into(), 0).unwrap();
        desk.apply(
            message(4, "c1", Author::Agent, "r1", "Hello"),
            Source::Stream,
        );
        let c = desk.conversation("c1").unwrap();
        assert_eq!(c.seen_by_shopper(), None);
        let read = Signal::Read {
            conversation: "c1".into(),
            author: Author::Shopper,
            seq: 4,
        };
        assert!(desk.signal(&read));
        assert!(!desk.signal(&read), "nothing new");
        let c = desk.conversation("c1").unwrap();
        assert_eq!(
            c.seen_by_shopper(),
            Some(MessageKey::new(Author::Agent, "r1"))
        );
    }

    #[test]
    fn unread_after_a_reload_is_what_no_agent_has_seen() {
        let mut desk = Desk::new(Some("ana".into()));
        let mut listed = summary("c1", 0, None);
        listed.agent_read = 3;
        desk.load_list(vec![listed], 9);
        desk.load_history(
            "c1",
            vec![
                message(2, "c1", Author::Shopper, "m1", "hi"),
                message(3, "c1", Author::Shopper, "m2", "hello?"),
                message(5, "c1", Author::Shopper, "m3", "anyone?"),
            ],
            Vec::new(),
        );
        assert_eq!(desk.conversation("c1").unwrap().unread, 1);
    }

    #[test]
    fn older_ended_conversations_are_paged_in_and_kept() {
        let mut desk = Desk::default();
        let ended: Vec<Summary> = (0..RECENTLY_ENDED as i64)
            .map(|i| summary(&format!("e{i:02}"), i, Some(1_000 + i)))
            .collect();
        desk.load_list(ended, 1);
        assert!(desk.may_have_older());
        assert_eq!(desk.older_cursor(), Some((1_000, "e00".into())));
        let page = vec![summary("old1", 0, Some(500)), summary("old2", 0, Some(400))];
        desk.load_older(page, 1, false);
        assert_eq!(
            desk.order().len(),
            RECENTLY_ENDED + 2,
            "older pages are kept"
        );
        assert!(!desk.may_have_older(), "the server said that was all");
        assert_eq!(desk.older_cursor(), Some((400, "old2".into())));
    }

    #[test]
    fn a_found_conversation_can_be_shown_and_opened() {
        let mut desk = Desk::new(Some("ana".into()));
        let mut found = summary("long-ago", 0, Some(5));
        found.assigned = Some(assignee("Ana"));
        assert_eq!(desk.found_row(&found, 0).handler, Handler::Me);
        desk.remember(found, 1);
        assert!(desk.select("long-ago"), "its history is fetched");
    }

    #[test]
    fn an_older_list_does_not_undo_a_change_of_hands() {
        let mut desk = Desk::new(Some("ana".into()));
        desk.load_list(vec![summary("c1", 0, None)], 1);
        desk.apply(assigned(5, "c1", Some("Ben"), Why::Routed), Source::Stream);
        // A list read at event 4 (before Ben got it) arrives late.
        desk.load_list(vec![summary("c1", 0, None)], 4);
        assert_eq!(desk.handler("c1"), Handler::Colleague("Ben".into()));
        let mut newer = summary("c1", 0, None);
        newer.assigned = Some(assignee("Cy"));
        desk.load_list(vec![newer], 9);
        assert_eq!(desk.handler("c1"), Handler::Colleague("Cy".into()));
        // Replaying an old event changes nothing either.
        desk.apply(assigned(5, "c1", Some("Ben"), Why::Routed), Source::History);
        assert_eq!(desk.handler("c1"), Handler::Colleague("Cy".into()));
        // The automation token is nobody: it may answer anything.
        let mut automation = Desk::new(None);
        automation.load_list(vec![summary("c1", 0, None)], 1);
        automation.apply(assigned(2, "c1", Some("Ben"), Why::Routed), Source::Stream);
        assert!(automation.may_reply("c1"));
    }

    fn event(seq: i64, conversation: &str, what: What) -> ChatEvent {
        ChatEvent {
            seq,
            conversation: conversation.into(),
            at: seq * 1_000,
            what,
        }
    }

    fn message(seq: i64, conversation: &str, author: Author, id: &str, body: &str) -> ChatEvent {
        event(
            seq,
            conversation,
            What::Message {
                author,
                id: id.into(),
                body: body.into(),
                name: None,
            },
        )
    }

    fn bodies(desk: &Desk, id: &str) -> Vec<String> {
        desk.conversation(id)
            .map(|c| c.messages.iter().map(|m| m.body.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn open_conversations_come_first_longest_waiting_first() {
        let mut desk = Desk::default();
        desk.load_list(
            vec![
                summary("late", 300, None),
                summary("ended-early", 10, Some(50)),
                summary("early", 100, None),
                summary("ended-late", 20, Some(500)),
            ],
            0,
        );
        assert_eq!(desk.order(), ["early", "late", "ended-late", "ended-early"]);
        desk.apply(
            event(
                9,
                "early",
                What::Closed {
                    by: Author::Shopper,
                    idle: false,
                },
            ),
            Source::Stream,
        );
        assert_eq!(desk.order(), ["late", "early", "ended-late", "ended-early"]);
    }

    #[test]
    fn rows_say_who_where_what_and_how_long() {
        let mut desk = Desk::default();
        desk.load_list(vec![summary("c1", 0, None)], 0);
        let row = desk.row("c1", 3 * 60_000).unwrap();
        assert_eq!(row.since, "waiting 3 min");
        assert_eq!(row.preview, "Searched: returns");
        assert_eq!(row.page.as_deref(), Some("shop.example/returns"));
        assert_eq!(row.who, "Shopper c1");
        assert!(row.open);
        desk.apply(
            message(5, "c1", Author::Shopper, "m1", "Where is\nmy order?"),
            Source::Stream,
        );
        let row = desk.row("c1", 0).unwrap();
        assert_eq!(row.preview, "Where is my order?");
        assert_eq!(row.unread, 1);
        assert!(desk.row("nope", 0).is_none());
    }

    #[test]
    fn new_conversations_and_messages_are_announced_and_counted() {
        let mut desk = Desk::default();
        let started = event(
            3,
            "c2",
            What::Started {
                handoff: Box::new(handoff(&[])),
                offline: false,
            },
        );
        assert_eq!(
            desk.apply(started.clone(), Source::Stream),
            Applied::Announce("New conversation: Shopper c2".into())
        );
        assert_eq!(desk.apply(started, Source::Stream), Applied::Nothing);
        assert_eq!(desk.seq, 3);
        // A conversation the stream announced needs no history.
        assert!(!desk.select("c2"));
        assert_eq!(desk.conversation("c2").unwrap().history, History::Loaded);
        assert_eq!(
            desk.apply(
                message(4, "c2", Author::Shopper, "m1", "hi"),
                Source::Stream
            ),
            Applied::Changed
        );
        assert_eq!(desk.unread_conversations(), 0, "the agent is looking at it");
        desk.set_away(true);
        desk.apply(
            message(5, "c2", Author::Shopper, "m2", "hello?"),
            Source::Stream,
        );
        assert_eq!(desk.unread_conversations(), 1, "the tab is hidden");
        desk.set_away(false);
        assert_eq!(desk.unread_conversations(), 0);
        assert_eq!(
            desk.apply(message(6, "c9", Author::Shopper, "m", "?"), Source::Stream),
            Applied::Unknown
        );
    }

    #[test]
    fn messages_are_never_shown_twice() {
        let mut desk = Desk::default();
        desk.load_list(vec![summary("c1", 0, None)], 0);
        assert!(desk.select("c1"));
        desk.queue("c1", "r1".into(), "On its way".into(), 7_000)
            .unwrap();
        assert_eq!(
            desk.next_pending("c1"),
            Some(("r1".into(), "On its way".into()))
        );
        // The stream's echo, the POST answer and the history all carry the same reply.
        let stored = message(8, "c1", Author::Agent, "r1", "On its way");
        assert_eq!(desk.apply(stored.clone(), Source::Stream), Applied::Changed);
        assert_eq!(desk.apply(stored.clone(), Source::Answer), Applied::Nothing);
        desk.load_history(
            "c1",
            vec![
                message(6, "c1", Author::Shopper, "s1", "Where is my order?"),
                stored,
            ],
            Vec::new(),
        );
        assert_eq!(bodies(&desk, "c1"), ["Where is my order?", "On its way"]);
        let reply = &desk.conversation("c1").unwrap().messages[1];
        assert_eq!(
            (reply.seq, reply.at, &reply.delivery),
            (Some(8), 8_000, &Delivery::Stored)
        );
        assert_eq!(desk.next_pending("c1"), None);
        // The same client id from the shopper is a different message.
        desk.apply(
            message(9, "c1", Author::Shopper, "r1", "Thanks"),
            Source::Stream,
        );
        assert_eq!(bodies(&desk, "c1").len(), 3);
    }

    #[test]
    fn pending_replies_stay_last_in_order_until_stored() {
        let mut desk = Desk::default();
        desk.load_list(vec![summary("c1", 0, None)], 0);
        desk.select("c1");
        desk.load_history(
            "c1",
            vec![message(2, "c1", Author::Shopper, "s1", "one")],
            Vec::new(),
        );
        desk.queue("c1", "r1".into(), "first".into(), 0).unwrap();
        desk.queue("c1", "r2".into(), "second".into(), 0).unwrap();
        desk.apply(
            message(3, "c1", Author::Shopper, "s2", "two"),
            Source::Stream,
        );
        assert_eq!(bodies(&desk, "c1"), ["one", "two", "first", "second"]);
        desk.retrying("c1", "r1", "HTTP 503".into());
        assert_eq!(
            desk.conversation("c1").unwrap().messages[2].delivery,
            Delivery::Pending {
                attempts: 1,
                problem: Some("HTTP 503".into())
            }
        );
        assert!(desk.has_pending());
        desk.apply(
            message(4, "c1", Author::Agent, "r1", "first"),
            Source::Answer,
        );
        assert_eq!(
            desk.next_pending("c1"),
            Some(("r2".into(), "second".into()))
        );
        desk.refused("c1", "r2", "the conversation has ended".into());
        assert_eq!(desk.next_pending("c1"), None);
        assert!(!desk.has_pending());
        assert_eq!(bodies(&desk, "c1"), ["one", "two", "first", "second"]);
    }

    #[test]
    fn ended_conversations_take_no_replies_and_say_by_whom() {
        let mut desk = Desk::default();
        desk.load_list(vec![summary("c1", 0, None), summary("c2", 0, None)], 0);
        let closed = event(
            5,
            "c1",
            What::Closed {
                by: Author::Shopper,
                idle: false,
            },
        );
        assert_eq!(
            desk.apply(closed.clone(), Source::Stream),
            Applied::Announce("Shopper c1 ended the conversation".into())
        );
        assert_eq!(desk.apply(closed, Source::History), Applied::Nothing);
        let c = desk.conversation("c1").unwrap();
        assert_eq!(
            (c.closed_at, c.closed_by),
            (Some(5_000), Some(Author::Shopper))
        );
        assert!(desk.queue("c1", "r".into(), "hello".into(), 0).is_err());
        // Ended here: shown at once, the server's event then sets the time.
        desk.set_closing("c2", true);
        desk.closed_here("c2", 6_500);
        let c = desk.conversation("c2").unwrap();
        assert_eq!(
            (c.closed_at, c.closed_by, c.closing),
            (Some(6_500), Some(Author::Agent), false)
        );
        assert_eq!(
            desk.apply(
                event(
                    6,
                    "c2",
                    What::Closed {
                        by: Author::Agent,
                        idle: false
                    }
                ),
                Source::Stream
            ),
            Applied::Changed
        );
        assert_eq!(desk.conversation("c2").unwrap().closed_at, Some(6_000));
    }

    #[test]
    fn unread_after_a_reload_is_what_still_needs_an_answer() {
        let mut desk = Desk::default();
        desk.load_list(vec![summary("c1", 0, None), summary("c2", 0, None)], 0);
        assert!(desk.start_loading("c1"));
        assert!(!desk.start_loading("c1"), "already on its way");
        desk.load_history(
            "c1",
            vec![
                message(1, "c1", Author::Shopper, "a", "hi"),
                message(2, "c1", Author::Agent, "b", "hello"),
                message(3, "c1", Author::Shopper, "c", "my order"),
                message(4, "c1", Author::Shopper, "d", "is late"),
            ],
            Vec::new(),
        );
        desk.load_history(
            "c2",
            vec![message(5, "c2", Author::Shopper, "e", "x")],
            Vec::new(),
        );
        desk.load_list(vec![summary("ended", 0, Some(1))], 0);
        desk.load_history(
            "ended",
            vec![message(1, "ended", Author::Shopper, "g", "?")],
            Vec::new(),
        );
        assert_eq!(
            desk.conversation("ended").unwrap().unread,
            0,
            "nothing to answer"
        );
        assert_eq!(desk.conversation("c1").unwrap().unread, 2);
        assert_eq!(desk.unread_conversations(), 2);
        assert_eq!(desk.seq, 0, "history does not move the stream's position");
        // Another agent answers c2.
        desk.apply(message(6, "c2", Author::Agent, "f", "Hi!"), Source::Stream);
        assert_eq!(desk.unread_conversations(), 1);
        desk.select("c1");
        assert_eq!(desk.unread_conversations(), 0);
        desk.history_failed("c2", "HTTP 503".into());
        assert!(desk.start_loading("c2"), "a failed load is tried again");
    }

    #[test]
    fn reloading_the_list_keeps_what_the_stream_brought() {
        let mut desk = Desk::default();
        desk.load_list(vec![summary("c1", 0, None)], 0);
        desk.apply(
            event(
                3,
                "c2",
                What::Started {
                    handoff: Box::new(handoff(&[])),
                    offline: false,
                },
            ),
            Source::Stream,
        );
        desk.apply(message(4, "c1", Author::Shopper, "m", "hi"), Source::Stream);
        desk.load_list(vec![summary("c1", 0, Some(9)), summary("c3", 1, None)], 0);
        assert_eq!(desk.order(), ["c3", "c2", "c1"]);
        assert_eq!(bodies(&desk, "c1"), ["hi"]);
        assert_eq!(desk.conversation("c1").unwrap().closed_at, Some(9));
    }

    #[test]
    fn the_list_keeps_only_the_latest_ended_conversations_and_the_open_one() {
        let mut desk = Desk::default();
        let mut list: Vec<Summary> = (0..RECENTLY_ENDED as i64)
            .map(|i| summary(&format!("e{i:02}"), 0, Some(100 + i)))
            .collect();
        list.push(summary("open", 0, None));
        desk.load_list(list, 0);
        desk.select("e00");
        desk.apply(
            event(
                1,
                "open",
                What::Closed {
                    by: Author::Agent,
                    idle: false,
                },
            ),
            Source::Stream,
        );
        let order = desk.order();
        assert_eq!(
            order.len(),
            RECENTLY_ENDED + 1,
            "e00 stays: it is open on screen"
        );
        assert_eq!(order.first().map(String::as_str), Some("open"));
        desk.select("open");
        desk.apply(
            event(
                2,
                "e05",
                What::Closed {
                    by: Author::Agent,
                    idle: false,
                },
            ),
            Source::Stream,
        );
        assert_eq!(desk.order().len(), RECENTLY_ENDED);
        assert!(desk.conversation("e00").is_none());
    }
}
