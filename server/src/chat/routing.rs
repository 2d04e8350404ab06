//! Who handles which conversation, and when one is over: waiting conversations go to available agents in
//! turn (round-robin, at most `cap` each), and come back to the queue when their agent
//! went offline or left the shopper without an answer for too long.
//!
//! The choice ([`plan`]) is a pure function of what the database says, tested here;
//! the writer (`writer.rs`) applies it inside the transaction that holds the event
//! counter's lock, so instances routing at once take turns and no agent ends up over
//! the cap. The same pass closes conversations the shopper left after an answer. Every instance runs the same loop ([`start`]): woken at once by what
//! happens on it (a new conversation, an agent arriving), and every few seconds for
//! what happens elsewhere and for the clock (timeouts).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::store::ChatStore;
use crate::now_ms;

/// How often an instance routes without being woken.
const EVERY: Duration = Duration::from_secs(2);

/// The shop's routing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routing {
    /// Open conversations the server gives one agent; 0 routes nothing (agents take
    /// conversations themselves).
    pub cap: u32,
    /// A shopper waiting this long for an answer from their agent goes back to the
    /// queue.
    pub requeue_after_ms: i64,
    /// An agent whose page has been gone this long is offline: their conversations
    /// go back to the queue. Longer than a reload, or a phone switching networks.
    pub offline_after_ms: i64,
    /// A conversation the shopper leaves unanswered this long after the agent's last
    /// reply is closed (both sides are told; the afterChat survey follows); 0 never.
    pub idle_close_ms: i64,
}

impl Default for Routing {
    fn default() -> Self {
        Self {
            cap: 5,
            requeue_after_ms: 5 * 60_000,
            offline_after_ms: 60_000,
            idle_close_ms: 30 * 60_000,
        }
    }
}

/// An agent who may be given conversations now (signed in with a page open, not away).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    /// When the agent was last given a conversation: the longest without one is next.
    pub last_assigned_ms: i64,
    /// Open conversations they handle now.
    pub handling: u32,
}

/// A conversation in the queue, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: String,
    /// The agent it was taken from for not answering, or who put it back: not given
    /// back to them.
    pub passed_over: Option<String>,
}

/// Which waiting conversation goes to which candidate (by index), oldest first.
pub fn plan(waiting: &[Waiting], mut agents: Vec<Candidate>, cap: u32) -> Vec<(String, usize)> {
    let mut given = Vec::new();
    // Turns taken in this round come after every earlier assignment.
    let mut turn = agents.iter().map(|a| a.last_assigned_ms).max().unwrap_or(0);
    for w in waiting {
        let next = agents
            .iter()
            .enumerate()
            .filter(|(_, a)| a.handling < cap && w.passed_over.as_deref() != Some(&a.id))
            .min_by(|(_, a), (_, b)| (a.last_assigned_ms, &a.id).cmp(&(b.last_assigned_ms, &b.id)))
            .map(|(i, _)| i);
        let Some(i) = next else {
            continue;
        };
        turn += 1;
        agents[i].last_assigned_ms = turn;
        agents[i].handling += 1;
        given.push((w.id.clone(), i));
    }
    given
}

/// Routes on this instance from now on: at once when `poke` is notified, else every
/// few seconds. Must run inside the tokio runtime.
pub fn start(store: ChatStore, routing: Routing, poke: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                () = poke.notified() => {}
            }
            if store.stopping() {
                return;
            }
            if let Err(e) = store.route(routing, now_ms()).await {
                tracing::warn!("conversations not routed: {e}");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(id: &str, last: i64, handling: u32) -> Candidate {
        Candidate {
            id: id.into(),
            name: id.to_uppercase(),
            last_assigned_ms: last,
            handling,
        }
    }

    fn waiting(ids: &[&str]) -> Vec<Waiting> {
        ids.iter()
            .map(|id| Waiting {
                id: id.to_string(),
                passed_over: None,
            })
            .collect()
    }

    fn names(given: &[(String, usize)], agents: &[Candidate]) -> Vec<String> {
        given
            .iter()
            .map(|(c, i)| format!("{c}>{}", agents[*i].id))
            .collect()
    }

    #[test]
    fn agents_take_turns_starting_with_the_longest_without_one() {
        let agents = vec![
            agent("ana", 300, 0),
            agent("ben", 100, 0),
            agent("cy", 200, 0),
        ];
        let given = plan(&waiting(&["1", "2", "3", "4"]), agents.clone(), 5);
        assert_eq!(names(&given, &agents), ["1>ben", "2>cy", "3>ana", "4>ben"]);
    }

    #[test]
    fn nobody_gets_more_than_the_cap_and_the_rest_wait() {
        let agents = vec![agent("ana", 0, 1), agent("ben", 0, 2)];
        let given = plan(&waiting(&["1", "2", "3"]), agents.clone(), 2);
        assert_eq!(
            names(&given, &agents),
            ["1>ana"],
            "3 waits: everyone is full"
        );
        assert!(
            plan(&waiting(&["1"]), agents, 0).is_empty(),
            "cap 0 routes nothing"
        );
    }

    #[test]
    fn a_conversation_taken_from_an_agent_does_not_go_back_to_them() {
        let agents = vec![agent("ana", 0, 0), agent("ben", 50, 3)];
        let mut queue = waiting(&["1", "2"]);
        queue[0].passed_over = Some("ana".into());
        let given = plan(&queue, agents.clone(), 5);
        assert_eq!(names(&given, &agents), ["1>ben", "2>ana"]);
        // Alone, ana does not get it back: it waits for a colleague or "Take it".
        let alone = vec![agent("ana", 0, 0)];
        assert!(plan(&queue[..1], alone, 5).is_empty());
    }

    #[test]
    fn with_no_agent_everything_waits() {
        assert!(plan(&waiting(&["1", "2"]), Vec::new(), 5).is_empty());
    }
}
