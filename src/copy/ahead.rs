//! Items read ahead on other threads while the writer writes: a copy is reading (finding,
//! inflating, decoding) on one side and writing (building, checksumming) on the other, and
//! the two sides run on separate cores. The writer takes the results one by one in the
//! items' order, so the new store is the same whatever the number of threads; how far the
//! readers may run ahead is bounded in items and in bytes, so memory does not grow with the
//! store.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};

/// Items a reader takes at a time: neighbours lie together in the file, so a reader's
/// reads go on in order (and its read-ahead window serves them).
const RUN: usize = 8;

/// Runs of spent results that may wait for a reader to drop them (see `Ahead::recycle`).
const SPENT_RUNS: usize = 8;

/// How far past the writer the readers may read, in items and in bytes held. One item is
/// always allowed, however large, so that a single large item cannot stall the copy.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub items: usize,
    pub bytes: usize,
}

impl Bounds {
    pub const DEFAULT: Bounds = Bounds {
        items: 512,
        bytes: 64 << 20,
    };
}

struct State<R> {
    /// The next item a reader takes.
    next: usize,
    /// Items the writer has taken.
    taken: usize,
    held_bytes: usize,
    done: HashMap<usize, (R, usize)>,
    /// The writer stopped (finished, failed or cancelled): the readers stop too.
    stopped: bool,
    /// A reader died (a panic): the writer must not wait for its items.
    broken: bool,
    /// Who is waiting for a change: a wake-up is a system call, made only when someone
    /// waits (one per item each way cost more than the rest of the hand-over).
    readers_waiting: usize,
    writer_waiting: bool,
    /// Results the writer is done with, for the next reader that takes a run to drop,
    /// and the bytes they hold.
    spent: Vec<R>,
    spent_bytes: usize,
}

struct Shared<R> {
    state: Mutex<State<R>>,
    changed: Condvar,
}

impl<R> Shared<R> {
    fn lock(&self) -> MutexGuard<'_, State<R>> {
        // A reader that panicked while holding the lock is noted as `broken` by its guard;
        // the state itself stays consistent (every change is one assignment), so go on.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The writer's side: the results of `read` over the items, in the items' order.
pub struct Ahead<'a, T, R> {
    shared: &'a Shared<R>,
    items: &'a [T],
    read: &'a (dyn Fn(&T) -> R + Sync),
    /// With no reader threads, each item is read when the writer asks for it.
    threads: usize,
    /// Results handed back since the readers last took some, and the bytes they hold.
    spent: Vec<R>,
    spent_bytes: usize,
    bounds: Bounds,
    weight: fn(&R) -> usize,
}

/// Marks the shared state broken if its reader thread unwinds, so the writer stops waiting.
struct Guard<'a, R>(&'a Shared<R>);

impl<R> Drop for Guard<'_, R> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().broken = true;
            self.0.changed.notify_all();
        }
    }
}

/// Runs `write` with the results of `read` over `items`, read ahead on `threads` threads
/// (0: read by the writer as it asks), at most `bounds` ahead; `weight` says how many bytes
/// a result holds. The readers stop when `write` returns, however it returns.
pub fn run<T: Sync, R: Send, X>(
    items: &[T],
    threads: usize,
    bounds: Bounds,
    read: &(dyn Fn(&T) -> R + Sync),
    weight: fn(&R) -> usize,
    write: impl FnOnce(&mut Ahead<'_, T, R>) -> X,
) -> X {
    let shared = Shared {
        state: Mutex::new(State {
            next: 0,
            taken: 0,
            held_bytes: 0,
            done: HashMap::new(),
            stopped: false,
            broken: false,
            readers_waiting: 0,
            writer_waiting: false,
            spent: Vec::new(),
            spent_bytes: 0,
        }),
        changed: Condvar::new(),
    };
    let shared = &shared;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(move || reader(shared, items, bounds, read, weight));
        }
        let mut ahead = Ahead {
            shared,
            items,
            read,
            threads,
            spent: Vec::new(),
            spent_bytes: 0,
            bounds,
            weight,
        };
        write(&mut ahead)
        // `ahead` dropped here, also when `write` unwinds: the readers stop, and the scope
        // waits for them.
    })
}

fn reader<T, R>(
    shared: &Shared<R>,
    items: &[T],
    bounds: Bounds,
    read: &(dyn Fn(&T) -> R + Sync),
    weight: fn(&R) -> usize,
) {
    let _guard = Guard(shared);
    platform::yield_to_writer();
    loop {
        let (first, spent) = {
            let mut st = shared.lock();
            loop {
                if st.stopped || st.next >= items.len() {
                    return;
                }
                let ahead = st.next - st.taken;
                if ahead == 0 || (ahead < bounds.items && st.held_bytes < bounds.bytes) {
                    break;
                }
                st.readers_waiting += 1;
                st = shared.changed.wait(st).unwrap_or_else(|p| p.into_inner());
                st.readers_waiting -= 1;
            }
            let first = st.next;
            st.next = (first + RUN).min(items.len());
            st.spent_bytes = 0;
            (first, std::mem::take(&mut st.spent))
        };
        // Dropped once the lock is let go, before reading on.
        drop(spent);
        // A run is handed over whole: one lock and at most one wake-up for its items
        // rather than one each.
        let run: Vec<(usize, R, usize)> = items
            .iter()
            .enumerate()
            .take(first + RUN)
            .skip(first)
            .map(|(k, item)| {
                let r = read(item);
                let w = weight(&r);
                (k, r, w)
            })
            .collect();
        let mut st = shared.lock();
        if st.stopped {
            return;
        }
        for (k, r, w) in run {
            st.held_bytes += w;
            st.done.insert(k, (r, w));
        }
        if st.writer_waiting {
            shared.changed.notify_all();
        }
    }
}

impl<T, R> Ahead<'_, T, R> {
    /// Hands back a result the writer is done with, to be dropped on a reader's thread:
    /// freeing what another thread allocated takes that thread's allocator lock, and was
    /// some 8% of the writer's time, which is the copy's critical path. They are handed
    /// over a run at a time; what the readers have not taken by the time a few runs or an
    /// eighth of the bytes bound wait is dropped here, so memory stays bounded.
    pub fn recycle(&mut self, r: R) {
        if self.threads == 0 {
            return;
        }
        self.spent_bytes += (self.weight)(&r);
        self.spent.push(r);
        if self.spent.len() < RUN && self.spent_bytes < self.bounds.bytes / 16 {
            return;
        }
        let mut st = self.shared.lock();
        let room = st.spent.len() + self.spent.len() <= SPENT_RUNS * RUN
            && st.spent_bytes + self.spent_bytes <= self.bounds.bytes / 8;
        if room && !st.stopped {
            st.spent.append(&mut self.spent);
            st.spent_bytes += self.spent_bytes;
            drop(st);
        } else {
            drop(st);
            self.spent.clear();
        }
        self.spent_bytes = 0;
    }

    /// The next item's result, in order; `None` after the last, or when a reader died.
    pub fn next(&mut self) -> Option<R> {
        let mut st = self.shared.lock();
        let k = st.taken;
        if k >= self.items.len() {
            return None;
        }
        if self.threads == 0 {
            st.taken += 1;
            drop(st);
            return Some((self.read)(&self.items[k]));
        }
        loop {
            if let Some((r, w)) = st.done.remove(&k) {
                st.taken += 1;
                st.held_bytes -= w;
                if st.readers_waiting > 0 {
                    self.shared.changed.notify_all();
                }
                return Some(r);
            }
            if st.broken {
                return None;
            }
            st.writer_waiting = true;
            st = self
                .shared
                .changed
                .wait(st)
                .unwrap_or_else(|p| p.into_inner());
            st.writer_waiting = false;
        }
    }
}

impl<T, R> Drop for Ahead<'_, T, R> {
    fn drop(&mut self) {
        self.shared.lock().stopped = true;
        self.shared.changed.notify_all();
    }
}

/// Reader threads for a copy: one per core, at least two, up to four. Reading is the
/// larger half of a copy, and the writer waits for it part of the time: on two cores, two
/// readers beside the writer copied the 200,000-message PST in 5.8 to 6.8 s where one took
/// 8.3 to 8.7 s (tests/bench/speed-vs-peers.sh; the runs alternated).
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

/// The writer is the copy's critical path: with more threads than cores (a writer and two
/// readers on two cores) an even share slows it by a third while readers, bounded in how
/// far ahead they may go, only wait later. Readers run at a lower priority, so the
/// scheduler gives the writer a core whenever it can run.
#[cfg(target_os = "linux")]
mod platform {
    /// How much nicer than the writer a reader is (of 0 to 19). Measured on the
    /// 200,000-message PST's export on two cores: 3.55 s to 3.19 s (medians of 11).
    pub const NICER: i32 = 10;

    /// Lowers this thread's priority only (Linux keeps a nice level per thread), from the
    /// writer's, which it started with: never raised, at most to the lowest.
    pub fn yield_to_writer() {
        // SAFETY: plain system calls on the calling thread; a failure only leaves the
        // priority as it was.
        unsafe {
            let tid = libc::gettid() as libc::id_t;
            let now = libc::getpriority(libc::PRIO_PROCESS, tid);
            libc::setpriority(libc::PRIO_PROCESS, tid, (now + NICER).min(19));
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    /// Elsewhere a thread's priority is left as it is.
    pub fn yield_to_writer() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_come_in_the_items_order_whatever_the_threads() {
        let items: Vec<u64> = (0..1000).collect();
        let read = |x: &u64| x * 3;
        for threads in [0, 1, 2, 3] {
            let got = run(
                &items,
                threads,
                Bounds::DEFAULT,
                &read,
                |_| 8,
                |ahead| std::iter::from_fn(|| ahead.next()).collect::<Vec<_>>(),
            );
            let want: Vec<u64> = items.iter().map(read).collect();
            assert_eq!(got, want, "{threads} threads");
        }
    }

    /// What the writer hands back is dropped, mostly on the readers' threads while they
    /// read on, and all of it by the end of the copy.
    #[test]
    fn results_handed_back_are_dropped_by_the_readers() {
        use std::sync::Arc;
        use std::thread::ThreadId;
        struct Noted(Arc<Mutex<Vec<ThreadId>>>);
        impl Drop for Noted {
            fn drop(&mut self) {
                self.0.lock().unwrap().push(std::thread::current().id());
            }
        }
        let drops = Arc::new(Mutex::new(Vec::new()));
        let items: Vec<u32> = (0..4000).collect();
        let read = |_: &u32| Noted(Arc::clone(&drops));
        let writer = std::thread::current().id();
        for threads in [0, 2] {
            drops.lock().unwrap().clear();
            run(
                &items,
                threads,
                Bounds::DEFAULT,
                &read,
                |_| 1,
                |ahead| {
                    while let Some(r) = ahead.next() {
                        ahead.recycle(r);
                    }
                },
            );
            let drops = drops.lock().unwrap();
            assert_eq!(drops.len(), items.len(), "{threads} threads");
            let by_readers = drops.iter().filter(|&&t| t != writer).count();
            if threads == 0 {
                assert_eq!(by_readers, 0);
            } else {
                assert!(by_readers > 0, "every result was dropped by the writer");
            }
        }
    }

    /// On Linux the readers run nicer than the writer, which keeps its own priority.
    #[cfg(target_os = "linux")]
    #[test]
    fn readers_run_at_a_lower_priority_than_the_writer() {
        // SAFETY: reads the calling thread's nice level.
        let nice =
            || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let writer = nice();
        let items: Vec<u8> = (0..64).collect();
        let read = |_: &u8| nice();
        let (readers, writer_after) = run(
            &items,
            2,
            Bounds::DEFAULT,
            &read,
            |_| 1,
            |ahead| {
                (
                    std::iter::from_fn(|| ahead.next()).collect::<Vec<_>>(),
                    nice(),
                )
            },
        );
        let want = (writer + platform::NICER).min(19);
        assert!(
            readers.iter().all(|&n| n == want),
            "{readers:?}, writer {writer}"
        );
        assert_eq!(writer_after, writer);
    }

    #[test]
    fn readers_stay_within_their_bounds_of_the_writer() {
        let items: Vec<usize> = (0..2000).collect();
        let read_count = AtomicUsize::new(0);
        let read = |x: &usize| {
            read_count.fetch_add(1, Ordering::SeqCst);
            *x
        };
        for (bounds, weight) in [
            (
                Bounds {
                    items: 16,
                    bytes: usize::MAX,
                },
                1,
            ),
            // Bytes bind first: 10 items of 100 bytes fill 1000.
            (
                Bounds {
                    items: usize::MAX,
                    bytes: 1000,
                },
                100,
            ),
        ] {
            read_count.store(0, Ordering::SeqCst);
            let weigh: fn(&usize) -> usize = if weight == 1 { |_| 1 } else { |_| 100 };
            let most_ahead = run(&items, 2, bounds, &read, weigh, |ahead| {
                let mut most = 0;
                for taken in 0..items.len() {
                    // Give the readers time to run as far as they may.
                    std::thread::sleep(std::time::Duration::from_micros(50));
                    most = most.max(read_count.load(Ordering::SeqCst) - taken);
                    assert_eq!(ahead.next(), Some(taken));
                }
                assert_eq!(ahead.next(), None);
                most
            });
            // A reader checks the bound before it takes a run; two may each take one.
            let limit = bounds.items.min(bounds.bytes / weight) + 2 * RUN;
            assert!(
                most_ahead <= limit,
                "{most_ahead} read ahead, limit {limit}"
            );
            assert!(most_ahead > 1, "the readers did run ahead");
        }
    }

    #[test]
    fn a_writer_that_stops_early_stops_the_readers() {
        let items: Vec<usize> = (0..1_000_000).collect();
        let read_count = AtomicUsize::new(0);
        let read = |x: &usize| {
            read_count.fetch_add(1, Ordering::SeqCst);
            *x
        };
        let bounds = Bounds {
            items: 64,
            bytes: usize::MAX,
        };
        let first = run(&items, 2, bounds, &read, |_| 1, |ahead| ahead.next());
        assert_eq!(first, Some(0));
        // Returned, so the readers have stopped: not a million reads, only those in reach.
        assert!(read_count.load(Ordering::SeqCst) <= 64 + 2 * RUN + 1);
    }

    #[test]
    fn a_reader_that_panics_ends_the_wait_and_the_panic_is_passed_on() {
        let items: Vec<usize> = (0..100).collect();
        let read = |x: &usize| {
            assert!(*x != 40, "item 40 cannot be read");
            *x
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(
                &items,
                2,
                Bounds::DEFAULT,
                &read,
                |_| 1,
                |ahead| std::iter::from_fn(|| ahead.next()).count(),
            )
        }));
        assert!(outcome.is_err(), "the reader's panic reaches the caller");
    }
}
