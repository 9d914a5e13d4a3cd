//! Natural order of case references, so that `NS-2024-9` comes before `NS-2024-10`.

/// Orders case references so that `NS-2024-9` comes before `NS-2024-10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let xl = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let yl = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let xs = trim_zeros(&x[..xl]);
                let ys = trim_zeros(&y[..yl]);
                let o = xs.len().cmp(&ys.len()).then_with(|| xs.cmp(ys));
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
                x = &x[xl..];
                y = &y[yl..];
            }
            (Some(c), Some(d)) => {
                let o = c.to_ascii_lowercase().cmp(&d.to_ascii_lowercase());
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// A sort key whose byte order is [`natural_cmp`]'s order: letters lower-cased, and each run
/// of digits as a digit marker, its length without leading zeros (4 bytes) and those digits.
/// Sorting by it compares plain bytes instead of re-parsing both references on every
/// comparison. Any digit byte compares the same way against any non-digit, so the marker
/// `0` stands for the run's first digit.
pub fn natural_key(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut key = Vec::with_capacity(b.len() + 8);
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let digits = trim_zeros(&b[i..i + run]);
            key.push(b'0');
            key.extend_from_slice(&(digits.len() as u32).to_be_bytes());
            key.extend_from_slice(digits);
            i += run;
        } else {
            key.push(b[i].to_ascii_lowercase());
            i += 1;
        }
    }
    key
}

/// Sorts `items` by [`natural_key`] of `text(item)`, stably (items whose keys are equal keep
/// their order), as `sort_by_cached_key` would. Keys are compared by their first 32 bytes held
/// inline (a case reference's key is about 20), the whole key only where those tie; a long
/// list is sorted on two cores (each half on its own, then merged).
pub fn sort_naturally<T: Send + Sync>(items: &mut [T], text: impl Fn(&T) -> &str + Sync) {
    let n = items.len();
    if n < 2 || n > u32::MAX as usize {
        items.sort_by_cached_key(|t| natural_key(text(t)));
        return;
    }
    let all: &[T] = items;
    let cmp = |x: &Head, y: &Head| {
        x.head.cmp(&y.head).then_with(|| {
            if x.len as usize <= HEAD && y.len as usize <= HEAD {
                x.len.cmp(&y.len)
            } else {
                natural_key(text(&all[x.at as usize])).cmp(&natural_key(text(&all[y.at as usize])))
            }
        })
    };
    let sorted = |from: usize, to: usize| {
        let mut v: Vec<Head> = (from..to)
            .map(|i| Head::of(text(&all[i]), i as u32))
            .collect();
        // Equal keys in place order: stable.
        v.sort_unstable_by(|x, y| cmp(x, y).then(x.at.cmp(&y.at)));
        v
    };
    let order: Vec<u32> = if n < 50_000 || crate::util::par::threads() < 2 {
        sorted(0, n).iter().map(|h| h.at).collect()
    } else {
        let (a, b) = std::thread::scope(|s| {
            let b = s.spawn(|| sorted(n / 2, n));
            let a = sorted(0, n / 2);
            (a, b.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        });
        // Merged: on equal keys the first half's item (the earlier) first.
        let mut order = Vec::with_capacity(n);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if cmp(&b[j], &a[i]).is_lt() {
                order.push(b[j].at);
                j += 1;
            } else {
                order.push(a[i].at);
                i += 1;
            }
        }
        order.extend(a[i..].iter().map(|h| h.at));
        order.extend(b[j..].iter().map(|h| h.at));
        order
    };
    permute(items, order);
}

/// How many bytes of a key are held inline.
const HEAD: usize = 32;

/// The first [`HEAD`] bytes of an item's key (zero-padded), the key's length and the item's place.
struct Head {
    head: [u8; HEAD],
    len: u32,
    at: u32,
}

impl Head {
    fn of(text: &str, at: u32) -> Head {
        let key = natural_key(text);
        let mut head = [0u8; HEAD];
        let k = key.len().min(HEAD);
        head[..k].copy_from_slice(&key[..k]);
        Head {
            head,
            len: key.len().min(u32::MAX as usize) as u32,
            at,
        }
    }
}

/// Moves `items` into the order `order` (position `i` takes the item at `order[i]`) by swaps,
/// as `sort_by_cached_key` does: following where earlier swaps sent each item.
fn permute<T>(items: &mut [T], mut order: Vec<u32>) {
    for i in 0..items.len().min(order.len()) {
        let mut k = order[i] as usize;
        while k < i {
            k = order[k] as usize;
        }
        order[i] = k as u32;
        items.swap(i, k);
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n.min(s.len().saturating_sub(1))..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_on_two_cores_is_the_stable_sort() {
        // References with equal keys ("NS-7" and "ns-007") keep their order.
        let mut v: Vec<(String, usize)> = (0..120_000)
            .map(|i| {
                let n = (i * 7919) % 50_000;
                let r = match i % 3 {
                    0 => format!("NS-{n}"),
                    1 => format!("ns-{n:03}"),
                    _ => format!("AB-{}-{n}", i % 11),
                };
                (r, i)
            })
            .collect();
        // Keys longer than the inline head, equal in it.
        let long = "X".repeat(40);
        v.extend((0..300).map(|i| (format!("{long}-{}", (i * 37) % 100), 200_000 + i)));
        v.extend((0..300).map(|i| (format!("{long}-{:03}", (i * 37) % 100), 300_000 + i)));
        for size in [v.len(), 1_000, 7, 1] {
            let mut part = v[..size].to_vec();
            let mut expected = part.clone();
            expected.sort_by_cached_key(|t| natural_key(&t.0));
            sort_naturally(&mut part, |t| &t.0);
            assert_eq!(part, expected);
        }
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["NS-2024-10", "NS-2024-9", "ns-2023-100", "NS-2024-009a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["ns-2023-100", "NS-2024-9", "NS-2024-009a", "NS-2024-10"]
        );
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn natural_key_orders_as_natural_cmp(
            a in "[a-cA-C0-9/ _é-]{0,12}",
            b in "[a-cA-C0-9/ _é-]{0,12}",
        ) {
            proptest::prop_assert_eq!(natural_key(&a).cmp(&natural_key(&b)), natural_cmp(&a, &b));
        }
    }
}
