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

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n.min(s.len().saturating_sub(1))..]
}

#[cfg(test)]
mod tests {
    use super::*;

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
