//! Logs a guest can grow: each keeps a bounded number of the newest entries.

/// Appends `item` to `log`, first dropping the oldest half when `log` holds `max` entries
/// (amortized constant time). Returns how many entries were dropped.
pub fn push_newest<T>(log: &mut Vec<T>, item: T, max: usize) -> usize {
    let mut dropped = 0;
    if log.len() >= max.max(1) {
        dropped = log.len().div_ceil(2);
        log.drain(..dropped);
    }
    log.push(item);
    dropped
}

#[cfg(test)]
mod tests {
    use super::push_newest;

    #[test]
    fn keeps_the_newest_entries_within_the_bound() {
        let mut v = Vec::new();
        let mut dropped = 0;
        for i in 0..1000u32 {
            dropped += push_newest(&mut v, i, 64);
            assert!(v.len() <= 64);
            assert_eq!(*v.last().unwrap(), i);
        }
        assert_eq!(dropped + v.len(), 1000);
        assert!(
            v.windows(2).all(|w| w[1] == w[0] + 1),
            "order and contiguity kept"
        );
    }
}
