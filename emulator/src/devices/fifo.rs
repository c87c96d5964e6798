//! A bounded FIFO for device queues (UART, keyboard), built on the `ringbuf` crate's
//! single-threaded ring buffer, with the `Clone`, `Debug` and `PartialEq` that machine
//! snapshots and engine comparisons need.

use ringbuf::storage::Heap;
use ringbuf::traits::{Consumer, Observer, Producer};
use ringbuf::LocalRb;

/// A fixed-capacity first-in first-out queue.
pub struct Fifo<T: Copy> {
    rb: LocalRb<Heap<T>>,
}

impl<T: Copy> Fifo<T> {
    /// An empty FIFO holding at most `capacity` items (at least 1).
    pub fn new(capacity: usize) -> Fifo<T> {
        Fifo {
            rb: LocalRb::new(capacity.max(1)),
        }
    }

    /// Appends `v`; gives it back when the FIFO is full.
    pub fn push(&mut self, v: T) -> Result<(), T> {
        self.rb.try_push(v)
    }

    /// Removes the oldest item.
    pub fn pop(&mut self) -> Option<T> {
        self.rb.try_pop()
    }

    /// Items queued.
    pub fn len(&self) -> usize {
        self.rb.occupied_len()
    }

    /// Nothing queued.
    pub fn is_empty(&self) -> bool {
        self.rb.is_empty()
    }

    /// No room for another item.
    pub fn is_full(&self) -> bool {
        self.rb.is_full()
    }

    /// Most items it can hold.
    pub fn capacity(&self) -> usize {
        self.rb.capacity().get()
    }

    /// Drops every item.
    pub fn clear(&mut self) {
        self.rb.clear();
    }

    /// The queued items, oldest first.
    pub fn items(&self) -> Vec<T> {
        self.rb.iter().copied().collect()
    }
}

impl<T: Copy> Clone for Fifo<T> {
    fn clone(&self) -> Self {
        let mut f = Fifo::new(self.capacity());
        for v in self.rb.iter() {
            let _ = f.push(*v);
        }
        f
    }
}

impl<T: Copy + std::fmt::Debug> std::fmt::Debug for Fifo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.rb.iter()).finish()
    }
}

impl<T: Copy + PartialEq> PartialEq for Fifo<T> {
    fn eq(&self, other: &Self) -> bool {
        self.capacity() == other.capacity() && self.rb.iter().eq(other.rb.iter())
    }
}

/// Most items a saved FIFO may hold: device FIFOs are small, and a damaged file must not make
/// the host allocate without bound.
const MAX_SAVED_CAPACITY: usize = 1 << 16;

/// Saved as its capacity and its items, oldest first.
impl<T: Copy + serde::Serialize> serde::Serialize for Fifo<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&(self.capacity() as u32, self.items()), s)
    }
}

impl<'de, T: Copy + serde::Deserialize<'de>> serde::Deserialize<'de> for Fifo<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let (capacity, items): (u32, Vec<T>) = serde::Deserialize::deserialize(d)?;
        let capacity = capacity as usize;
        if capacity == 0 || capacity > MAX_SAVED_CAPACITY || items.len() > capacity {
            return Err(D::Error::custom(format!(
                "a FIFO of {capacity} holding {} items",
                items.len()
            )));
        }
        let mut f = Fifo::new(capacity);
        for v in items {
            let _ = f.push(v);
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::Fifo;

    #[test]
    fn bounded_in_order_and_clonable() {
        let mut f = Fifo::new(2);
        assert_eq!(f.push(1u8), Ok(()));
        assert_eq!(f.push(2), Ok(()));
        assert_eq!(f.push(3), Err(3));
        assert!(f.is_full());
        let g = f.clone();
        assert_eq!(f, g);
        assert_eq!(f.pop(), Some(1));
        assert_eq!(f.push(3), Ok(()));
        assert_eq!(f.items(), vec![2, 3]);
        assert_eq!(g.items(), vec![1, 2]);
    }
}
