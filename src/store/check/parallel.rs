//! The check's heavy passes (every block read and verified, every item opened) need only
//! the file and the indexes as read, so they run on several threads; what they find is
//! folded into the scan on one thread, in the order a single thread would have found it,
//! so the scan log does not depend on the machine.

/// Work items handed out at a time. Their results wait until the batch is folded in, so
/// this bounds the memory the parallel passes take; it is large enough that starting the
/// threads costs nothing beside the work.
pub const BATCH: usize = 4096;

/// Neighbouring items one thread takes at a time: a few runs per thread, so that a thread
/// given slower items is not left working alone, each long enough that its reads go on in
/// order through the file.
fn run_len(items: usize, threads: usize) -> usize {
    (items / (threads * RUNS_PER_THREAD)).max(1)
}

const RUNS_PER_THREAD: usize = 4;

/// Threads for a pass: every core, up to a few (more would only wait on the disk).
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// `f` over `items` on up to `threads` threads; the results in the items' order.
pub fn map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads <= 1 || items.len() < 2 * threads {
        return items.iter().map(f).collect();
    }
    let f = &f;
    let run = run_len(items.len(), threads);
    let mut results: Vec<Option<R>> = Vec::new();
    results.resize_with(items.len(), || None);
    std::thread::scope(|s| {
        // Runs of neighbouring items dealt out in turn rather than the list cut in halves:
        // neighbouring items are alike in size, so each thread gets a fair share, and a
        // run lies together in the file, so each thread's reads go on in order (and its
        // read-ahead window serves them).
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t * run..items.len())
                        .step_by(threads * run)
                        .flat_map(|first| first..(first + run).min(items.len()))
                        .map(|k| (k, f(&items[k])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            let part = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            for (k, r) in part {
                results[k] = Some(r);
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item is done by one thread"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_items_order_whatever_the_threads() {
        let items: Vec<u64> = (0..1000).collect();
        let one = map(&items, 1, |x| x * x);
        for threads in [2, 3, 7] {
            assert_eq!(map(&items, threads, |x| x * x), one);
        }
        assert_eq!(map(&items[..3], 4, |x| x + 1), vec![1, 2, 3]);
        // Each thread's runs cut short at the end of the list.
        let n = run_len(1000, 2) * 3 + 5;
        let doubled: Vec<u64> = items[..n].iter().map(|x| x * 2).collect();
        assert_eq!(map(&items[..n], 2, |x| x * 2), doubled);
    }
}
