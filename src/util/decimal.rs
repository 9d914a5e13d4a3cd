//! Whole numbers appended to a byte buffer in decimal, without the formatting machinery (for
//! writers that put millions of them into a file).

/// Appends `n` in decimal.
pub fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends `n` in decimal, with its minus sign.
pub fn push_i64(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    push_u64(buf, n.unsigned_abs());
}

#[cfg(test)]
mod tests {
    #[test]
    fn as_display_writes_them() {
        for n in [0i64, 7, -7, 10, 99, -100, 44272, i64::MAX, i64::MIN] {
            let mut buf = Vec::new();
            super::push_i64(&mut buf, n);
            assert_eq!(String::from_utf8(buf).unwrap(), n.to_string());
        }
        let mut buf = Vec::new();
        super::push_u64(&mut buf, u64::MAX);
        assert_eq!(String::from_utf8(buf).unwrap(), u64::MAX.to_string());
    }
}
