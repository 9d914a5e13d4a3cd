//! Work on every core: `map` (each worker takes the next item until none is left, and the
//! results come back in the items' order) and `Ordered` / `ordered` (items made on every core
//! and taken in, one by one in order, by the calling thread while the others make more).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// `f` of every item, on up to as many threads as there are cores (the calling thread is one
/// of them), in the items' order. A panic in `f` is resumed on the calling thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else {
            break;
        };
        let r = f(item);
        if let Ok(mut d) = done.lock() {
            d[i] = Some(r);
        }
    };
    std::thread::scope(|s| {
        let others: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        work();
        for h in others {
            if let Err(p) = h.join() {
                std::panic::resume_unwind(p);
            }
        }
    });
    done.into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// Items `0..n` made on every core and taken in order by one thread (the taker), which makes
/// items itself while the one it waits for is being made. Workers keep at most `window` items
/// ahead of the last one taken, so that what is made but not yet taken stays small.
pub struct Ordered<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
    window: usize,
}

struct State<T> {
    /// The next item no one has started.
    next: usize,
    /// Items before this one are taken (or passed over).
    taken: usize,
    done: Vec<Option<std::thread::Result<T>>>,
    stop: bool,
}

impl<T> Ordered<T> {
    pub fn new(n: usize, window: usize) -> Ordered<T> {
        Ordered {
            state: Mutex::new(State {
                next: 0,
                taken: 0,
                done: (0..n).map(|_| None).collect(),
                stop: false,
            }),
            changed: Condvar::new(),
            window: window.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'a>(&self, g: MutexGuard<'a, State<T>>) -> MutexGuard<'a, State<T>> {
        self.changed.wait(g).unwrap_or_else(|e| e.into_inner())
    }

    /// A worker: makes the next item, in turn, until none is left or [`Ordered::stop`]. A
    /// panic in `make` is kept as that item's result, for the taker.
    pub fn work(&self, make: &(dyn Fn(usize) -> T + Sync)) {
        loop {
            let i = {
                let mut st = self.lock();
                loop {
                    if st.stop || st.next >= st.done.len() {
                        return;
                    }
                    if st.next < st.taken + self.window {
                        st.next += 1;
                        break st.next - 1;
                    }
                    st = self.wait(st);
                }
            };
            let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make(i)));
            self.lock().done[i] = Some(got);
            self.changed.notify_all();
        }
    }

    /// Item `i`, made on this thread if no worker has started it (items before it that no one
    /// started are passed over); while a worker makes it, the next item no one has started is
    /// made here. A panic on this thread is this thread's; a worker's is returned.
    pub fn take(&self, i: usize, make: &(dyn Fn(usize) -> T + Sync)) -> std::thread::Result<T> {
        let mut st = self.lock();
        loop {
            if let Some(got) = st.done.get_mut(i).and_then(Option::take) {
                st.taken = st.taken.max(i + 1);
                self.changed.notify_all();
                return got;
            }
            let next = st.next.max(i);
            if next < st.done.len() && next <= i + self.window {
                st.next = next + 1;
                drop(st);
                let got = make(next);
                st = self.lock();
                st.done[next] = Some(Ok(got));
                self.changed.notify_all();
                continue;
            }
            st = self.wait(st);
        }
    }

    /// Workers stop once the item they are making is made.
    pub fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }
}

/// Stops an [`Ordered`]'s workers when dropped (the taker is done, or failed).
pub struct StopOnDrop<'a, T>(pub &'a Ordered<T>);

impl<T> Drop for StopOnDrop<'_, T> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// How many threads work: the cores, at most 8.
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}

/// `take(i, make(i))` for every `i` in `0..n`, in order, on this thread, the items made on
/// every core, at most `window` ahead. Stops at `take`'s first error; a panic in `make` is
/// resumed here.
pub fn ordered<T: Send, E>(
    n: usize,
    window: usize,
    make: impl Fn(usize) -> T + Sync,
    mut take: impl FnMut(usize, T) -> Result<(), E>,
) -> Result<(), E> {
    let threads = threads().min(n);
    if threads <= 1 {
        return (0..n).try_for_each(|i| take(i, make(i)));
    }
    let pool = Ordered::new(n, window);
    std::thread::scope(|s| {
        let _stop = StopOnDrop(&pool);
        for _ in 1..threads {
            s.spawn(|| pool.work(&make));
        }
        for i in 0..n {
            match pool.take(i, &make) {
                Ok(item) => take(i, item)?,
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_in_order() {
        let items: Vec<u64> = (0..1000).collect();
        let out = super::map(&items, |&n| n * n);
        assert_eq!(out, items.iter().map(|n| n * n).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |&b| b).is_empty());
        assert_eq!(super::map(&[7], |&n| n + 1), vec![8]);
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn a_panic_reaches_the_caller() {
        let items: Vec<u32> = (0..64).collect();
        super::map(&items, |&n| {
            if n == 40 {
                panic!("boom");
            }
            n
        });
    }

    #[test]
    fn ordered_takes_every_item_in_order() {
        let mut seen = Vec::new();
        let r: Result<(), ()> = super::ordered(
            500,
            3,
            |i| i * 2,
            |i, v| {
                seen.push((i, v));
                Ok(())
            },
        );
        assert!(r.is_ok());
        assert_eq!(seen, (0..500).map(|i| (i, i * 2)).collect::<Vec<_>>());
        let stopped = super::ordered(500, 3, |i| i, |i, _| if i == 10 { Err(i) } else { Ok(()) });
        assert_eq!(stopped, Err(10));
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn a_panic_while_making_reaches_the_taker() {
        let _ = super::ordered(
            64,
            4,
            |i| {
                if i == 40 {
                    panic!("boom");
                }
                i
            },
            |_, _| Ok::<(), ()>(()),
        );
    }
}
