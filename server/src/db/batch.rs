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

/// `($1, …, $c), ($c+1, …), …`: the placeholders of a multi-row `INSERT` of `rows` rows
/// of `columns` values. SQLite reads `$n` as the n-th parameter too, so both drivers
/// bind by position.
pub(crate) fn values(rows: usize, columns: usize) -> String {
    let mut sql = String::new();
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * columns + c + 1));
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::{next, values};

    #[test]
    fn each_row_gets_its_own_numbered_parameters() {
        assert_eq!(values(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values(1, 1), "($1)");
    }

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
