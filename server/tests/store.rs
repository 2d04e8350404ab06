//! The chat store on both databases: order, idempotency and wake-ups, also under
//! concurrent writers (what several instances on one PostgreSQL do).

mod common;

use std::collections::HashSet;

use common::{block_on, on_both, Backend, TestDb};
use shopdesk_server::chat::store::{ChatError, ChatStore};
use shopdesk_server::db::Database;
use shopdesk_server::feedback::store::{Outcome, Store};
use shopdesk_wire::chat::{Author, Handoff, Say, What};

on_both!(
    a_conversation_is_kept_in_order_once_and_ends_once,
    concurrent_writers_get_distinct_numbers_in_commit_order,
    a_message_said_at_once_by_many_retries_is_stored_once,
    a_commit_wakes_the_streams_of_its_conversation_only,
    feedback_sent_at_once_many_times_to_two_instances_is_stored_once,
    feedback_and_chat_written_at_once_are_all_stored,
);

fn say(id: u32, body: &str) -> Say {
    Say {
        id: format!("0b9f2c1e-7d4a-4c3b-9a57-{id:012}"),
        body: body.into(),
    }
}

/// Two stores on one database, as two instances would have, once both hear each
/// other (as `/v1/ready` waits for).
async fn two_stores(db: &TestDb) -> (ChatStore, ChatStore) {
    let a = ChatStore::new(Database::open(&db.location).await.unwrap());
    let b = ChatStore::new(Database::open(&db.location).await.unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !(a.listening() && b.listening()) {
        assert!(std::time::Instant::now() < deadline, "not listening");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    (a, b)
}

fn a_conversation_is_kept_in_order_once_and_ends_once(backend: Backend) {
    let db = TestDb::new(backend);
    block_on(async {
        let store = ChatStore::new(Database::open(&db.location).await.unwrap());
        let opened = store.start(Handoff::default(), false, 1).await.unwrap();
        assert!(store.authorize(&opened.id, &opened.token).await.unwrap());
        assert!(!store.authorize(&opened.id, "guess").await.unwrap());
        let (first, added) = store
            .say(&opened.id, Author::Shopper, say(1, "hi"), 2)
            .await
            .unwrap();
        assert!(added);
        let (again, added) = store
            .say(&opened.id, Author::Shopper, say(1, "hi"), 3)
            .await
            .unwrap();
        assert!(!added);
        assert_eq!(again, first);
        store
            .say(&opened.id, Author::Agent, say(2, "hello"), 4)
            .await
            .unwrap();
        let closed = store.close(&opened.id, Author::Agent, 5).await.unwrap();
        assert!(closed.is_some());
        assert!(store
            .close(&opened.id, Author::Shopper, 6)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            store
                .say(&opened.id, Author::Shopper, say(3, "late"), 7)
                .await,
            Err(ChatError::Closed)
        ));
        assert_eq!(
            store.closing_seq(&opened.id).await.unwrap(),
            closed.map(|e| e.seq)
        );
        let all = store.events_after(Some(&opened.id), 0, 100).await.unwrap();
        let kinds: Vec<_> = all
            .iter()
            .map(|e| match &e.what {
                What::Started { .. } => "started".to_string(),
                What::Message { author, body, .. } => format!("{}: {body}", author.as_str()),
                What::Closed { by, .. } => format!("closed by {}", by.as_str()),
                What::Assigned { .. } => "assigned".to_string(),
            })
            .collect();
        assert_eq!(
            kinds,
            ["started", "shopper: hi", "agent: hello", "closed by agent"]
        );
        let later = store.events_after(None, all[1].seq, 100).await.unwrap();
        assert_eq!(later.len(), 2);
        assert!(matches!(
            store.say("nope", Author::Agent, say(4, "x"), 8).await,
            Err(ChatError::NotFound(_))
        ));
        // Refused writes took no number: numbering has no gaps from them.
        let numbers: Vec<i64> = all.iter().map(|e| e.seq).collect();
        assert_eq!(numbers, [1, 2, 3, 4]);
        // Another connection (a restarted server) lists it and streams from its end.
        let reopened = ChatStore::new(Database::open(&db.location).await.unwrap());
        let (list, seq) = reopened.list(10).await.unwrap();
        assert_eq!((list.len(), seq), (1, all[3].seq));
        assert_eq!(list[0].closed_at, Some(5));
    });
}

fn concurrent_writers_get_distinct_numbers_in_commit_order(backend: Backend) {
    let db = TestDb::new(backend);
    block_on(async {
        let (a, b) = two_stores(&db).await;
        let mut conversations = Vec::new();
        for store in [&a, &b] {
            conversations.push(store.start(Handoff::default(), false, 1).await.unwrap().id);
        }
        // Writers on both "instances" at once, each in its own conversation.
        let mut tasks = Vec::new();
        for w in 0..8u32 {
            let store = if w % 2 == 0 { a.clone() } else { b.clone() };
            let conversation = conversations[(w % 2) as usize].clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    store
                        .say(&conversation, Author::Shopper, say(w * 100 + i, "m"), 2)
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let all = a.events_after(None, 0, 1000).await.unwrap();
        assert_eq!(all.len(), 2 + 80);
        let numbers: Vec<i64> = all.iter().map(|e| e.seq).collect();
        assert_eq!(
            numbers,
            (1..=82).collect::<Vec<_>>(),
            "one number each, no gaps"
        );
        // Reading "after N" page by page never skips an event.
        let mut after = 0;
        let mut seen = HashSet::new();
        loop {
            let page = b.events_after(None, after, 7).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.seq;
            seen.extend(page.iter().map(|e| e.seq));
        }
        assert_eq!(seen.len(), 82);
    });
}

fn a_message_said_at_once_by_many_retries_is_stored_once(backend: Backend) {
    let db = TestDb::new(backend);
    block_on(async {
        let (a, b) = two_stores(&db).await;
        let id = a.start(Handoff::default(), false, 1).await.unwrap().id;
        let mut tasks = Vec::new();
        for n in 0..10 {
            let store = if n % 2 == 0 { a.clone() } else { b.clone() };
            let id = id.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .say(&id, Author::Shopper, say(7, "once"), 2)
                    .await
                    .unwrap()
            }));
        }
        let mut added = 0;
        let mut numbers = HashSet::new();
        for t in tasks {
            let (event, new) = t.await.unwrap();
            added += usize::from(new);
            numbers.insert(event.seq);
        }
        assert_eq!(added, 1, "exactly one retry stored it");
        assert_eq!(numbers.len(), 1, "every retry got the stored event back");
        // A close racing a message: the message is either before the end or refused.
        let c = a.start(Handoff::default(), false, 1).await.unwrap().id;
        let (closing, saying) = tokio::join!(
            b.close(&c, Author::Agent, 3),
            a.say(&c, Author::Shopper, say(8, "race"), 3)
        );
        let closed_at = closing.unwrap().unwrap().seq;
        match saying {
            Ok((event, _)) => assert!(event.seq < closed_at),
            Err(ChatError::Closed) => {}
            Err(e) => panic!("{e}"),
        }
        let events = a.events_after(Some(&c), 0, 100).await.unwrap();
        assert!(matches!(events.last().unwrap().what, What::Closed { .. }));
    });
}

fn a_commit_wakes_the_streams_of_its_conversation_only(backend: Backend) {
    let db = TestDb::new(backend);
    block_on(async {
        let (a, b) = two_stores(&db).await;
        let one = a.start(Handoff::default(), false, 1).await.unwrap().id;
        let other = a.start(Handoff::default(), false, 1).await.unwrap().id;
        let mut here = a.subscribe(Some(&one));
        let mut elsewhere = b.subscribe(Some(&one));
        let quiet = a.subscribe(Some(&other));
        let mut agents = b.subscribe(None);
        let (said, _) = a.say(&one, Author::Shopper, say(1, "hi"), 2).await.unwrap();
        assert_eq!(here.receiver.borrow_and_update().seq, said.seq);
        // (The other conversation's own start may still arrive as a notification.)
        let not_woken_by_it =
            |q: &shopdesk_server::chat::wake::Subscription| q.receiver.borrow().seq < said.seq;
        assert!(not_woken_by_it(&quiet));
        let wait = std::time::Duration::from_secs(5);
        match backend {
            // One instance only: nothing reaches another store.
            Backend::Sqlite => assert!(!elsewhere.receiver.has_changed().unwrap()),
            // The other instance hears it through NOTIFY.
            Backend::Postgres => {
                tokio::time::timeout(wait, elsewhere.receiver.wait_for(|l| l.seq == said.seq))
                    .await
                    .expect("instance b was not woken")
                    .unwrap();
                tokio::time::timeout(wait, agents.receiver.wait_for(|l| l.seq == said.seq))
                    .await
                    .expect("b's agents were not woken")
                    .unwrap();
            }
        }
        assert!(not_woken_by_it(&quiet));
    });
}

fn nps(n: u32) -> shopdesk_wire::FeedbackEvent {
    shopdesk_wire::FeedbackEvent::from_json(
        serde_json::json!({"id": common::client::uuid(n), "kind": "nps", "score": 9,
                           "created_at": "2026-11-20T12:00:00Z"})
        .to_string()
        .as_bytes(),
    )
    .unwrap()
}

fn feedback_sent_at_once_many_times_to_two_instances_is_stored_once(backend: Backend) {
    let db = TestDb::new(backend);
    block_on(async {
        let a = Store::new(Database::open(&db.location).await.unwrap()).unwrap();
        let b = Store::new(Database::open(&db.location).await.unwrap()).unwrap();
        let event = nps;
        // Every id five times, all at once, over both stores: batches hold copies of one
        // id, and both stores insert the same ids concurrently.
        let mut tasks = Vec::new();
        for copy in 0..5 {
            for n in 0..40 {
                let store = if (n + copy) % 2 == 0 {
                    a.clone()
                } else {
                    b.clone()
                };
                let e = event(n);
                tasks.push(tokio::spawn(async move {
                    (n, store.insert(e, 1).await.unwrap())
                }));
            }
        }
        let mut stored = vec![0; 40];
        for t in tasks {
            let (n, outcome) = t.await.unwrap();
            if outcome == Outcome::Stored {
                stored[n as usize] += 1;
            }
        }
        assert_eq!(stored, vec![1; 40], "each id stored exactly once");
        assert_eq!(a.count().await.unwrap(), 40);
    });
}

/// On SQLite the feedback writer and the chat writer are two connections taking turns
/// at the file's one write lock: a burst of both must wait for the lock, never fail.
fn feedback_and_chat_written_at_once_are_all_stored(backend: Backend) {
    let db = TestDb::new(backend);
    block_on(async {
        let opened = Database::open(&db.location).await.unwrap();
        let feedback = Store::new(opened.clone()).unwrap();
        let chat = ChatStore::new(opened);
        let conversation = chat.start(Handoff::default(), false, 1).await.unwrap();
        // Waves, so that the two writers' transactions alternate many times.
        for wave in 0..30 {
            let mut said = Vec::new();
            let mut rated = Vec::new();
            for n in wave * 10..wave * 10 + 10 {
                let chat = chat.clone();
                let id = conversation.id.clone();
                said.push(tokio::spawn(async move {
                    chat.say(&id, Author::Shopper, say(n, "hello"), 2).await
                }));
                let feedback = feedback.clone();
                rated.push(tokio::spawn(
                    async move { feedback.insert(nps(n), 2).await },
                ));
            }
            for t in said {
                let (_, added) = t.await.unwrap().expect("a chat write failed");
                assert!(added);
            }
            for t in rated {
                let outcome = t.await.unwrap().expect("a feedback write failed");
                assert_eq!(outcome, Outcome::Stored);
            }
        }
        assert_eq!(feedback.count().await.unwrap(), 300);
        let events = chat
            .events_after(Some(&conversation.id), 0, 1000)
            .await
            .unwrap();
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e.what, What::Message { .. }))
                .count(),
            300
        );
    });
}
