//! Group commit's intake: the writers (feedback, chat) commit whatever is waiting in
//! one transaction, so many requests share one disk flush.

use tokio::sync::mpsc;

/// The next batch: waits for one item, then takes whatever else is already queued, up
/// to `max` in all. `None` once every sender is gone.
pub(crate) async fn next<T>(queue: &mut mpsc::Receiver<T>, max: usize) -> Option<Vec<T>> {
    let first = queue.recv().await?;
    Some(fill(first, queue, max))
}

/// `first` and whatever else is already queued, up to `max` in all (for a writer on a
/// thread of its own, which waited for `first` with `blocking_recv`).
pub(crate) fn fill<T>(first: T, queue: &mut mpsc::Receiver<T>, max: usize) -> Vec<T> {
    let mut batch = vec![first];
    while batch.len() < max {
        match queue.try_recv() {
            Ok(item) => batch.push(item),
            Err(_) => break,
        }
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::next;

    #[tokio::test]
    async fn a_batch_takes_what_waits_up_to_the_limit_and_ends_with_the_senders() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(10);
        for i in 0..5 {
            tx.send(i).await.unwrap();
        }
        assert_eq!(next(&mut rx, 3).await, Some(vec![0, 1, 2]));
        assert_eq!(next(&mut rx, 3).await, Some(vec![3, 4]));
        drop(tx);
        assert_eq!(next(&mut rx, 3).await, None);
    }
}
