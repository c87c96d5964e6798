//! Guest RAM: the bytes at physical 0, with sized little-endian access and the bounds rules
//! in one place.
//!
//! Backed by one zeroed allocation (`vec![0; len]`, which is `calloc`): on Linux the kernel
//! maps untouched pages of it lazily to the shared zero page, so a 1 GiB guest that touches
//! 10 MiB costs about 10 MiB of host memory. Everything outside this module reaches the bytes
//! through the methods below (sized reads and writes, words, byte ranges), never through the
//! allocation itself, so the backing store could become lazily allocated chunks later
//! without changing any caller: only [`Ram::as_bytes`], which hands out the whole memory as
//! one slice (snapshots and comparisons), would have to become a per-chunk walk.
//!
//! Two kinds of access:
//! - *checked*: [`Ram::get`], [`Ram::bytes`] (and the crate's `bytes_mut`) return `None`
//!   when the range is not wholly inside RAM;
//! - *in-bounds*: [`Ram::read`], [`Ram::word`], [`Ram::words`] (and the crate's `write`,
//!   `set_word`, `set_words`) for an index the caller has already checked (the MMU's RAM-hit
//!   test, [`Ram::contains`]); they panic otherwise. The fast path uses these: one bounds
//!   check and one host load or store per access.
//!
//! Only the machine writes RAM (its writers are crate-private): every write must also drop
//! translated code it overwrites and report watched ranges, which
//! [`Machine::poke_phys`](crate::Machine::poke_phys) and the guest's stores do.

/// Guest RAM (see the module documentation).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Ram {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Ram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ram").field("len", &self.len()).finish()
    }
}

impl Ram {
    /// `len` bytes of zeroed RAM (host pages are only backed when written).
    pub fn new(len: usize) -> Ram {
        Ram {
            bytes: vec![0; len],
        }
    }

    /// RAM holding `bytes` (its length is the RAM size).
    pub fn from_bytes(bytes: Vec<u8>) -> Ram {
        Ram { bytes }
    }

    /// Size in bytes.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the RAM has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Whether the `size` bytes from physical `pa` are all RAM.
    #[inline(always)]
    pub fn contains(&self, pa: u32, size: u32) -> bool {
        (pa as u64 + size as u64) <= self.bytes.len() as u64
    }

    /// The `size` (1, 2 or 4) bytes at index `x`, zero-extended, little-endian. The range is
    /// in bounds (the caller checked; else this panics): one bounds check and one host load.
    #[inline(always)]
    pub fn read(&self, x: usize, size: u32) -> u32 {
        let ram = &self.bytes;
        match size {
            1 => ram[x] as u32,
            2 => u16::from_le_bytes(ram[x..x + 2].try_into().expect("2 bytes")) as u32,
            _ => u32::from_le_bytes(ram[x..x + 4].try_into().expect("4 bytes")),
        }
    }

    /// Writes the low `size` (1, 2 or 4) bytes of `v` at index `x`, little-endian. The range
    /// is in bounds (the caller checked; else this panics).
    #[inline(always)]
    pub(crate) fn write(&mut self, x: usize, size: u32, v: u32) {
        let ram = &mut self.bytes;
        match size {
            1 => ram[x] = v as u8,
            2 => ram[x..x + 2].copy_from_slice(&(v as u16).to_le_bytes()),
            _ => ram[x..x + 4].copy_from_slice(&v.to_le_bytes()),
        }
    }

    /// The `size` (1, 2 or 4) bytes at physical `pa`, zero-extended; `None` unless all are RAM.
    #[inline]
    pub fn get(&self, pa: u32, size: u32) -> Option<u32> {
        self.contains(pa, size)
            .then(|| self.read(pa as usize, size))
    }

    /// The word at index `x` (in bounds; else this panics).
    #[inline(always)]
    pub fn word(&self, x: usize) -> u32 {
        self.read(x, 4)
    }

    /// Writes the word at index `x` (in bounds; else this panics).
    #[inline(always)]
    pub(crate) fn set_word(&mut self, x: usize, v: u32) {
        self.write(x, 4, v)
    }

    /// The `N` consecutive words from index `x` (in bounds; else this panics): one slice.
    #[inline(always)]
    pub fn words<const N: usize>(&self, x: usize) -> [u32; N] {
        let bytes = &self.bytes[x..x + 4 * N];
        std::array::from_fn(|i| {
            u32::from_le_bytes([
                bytes[4 * i],
                bytes[4 * i + 1],
                bytes[4 * i + 2],
                bytes[4 * i + 3],
            ])
        })
    }

    /// Writes `words` consecutively from index `x` (in bounds; else this panics).
    #[inline(always)]
    pub(crate) fn set_words(&mut self, x: usize, words: &[u32]) {
        let bytes = &mut self.bytes[x..x + 4 * words.len()];
        for (chunk, w) in bytes.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
    }

    /// The `len` bytes from physical `pa`; `None` unless all are RAM.
    #[inline]
    pub fn bytes(&self, pa: u32, len: usize) -> Option<&[u8]> {
        let start = pa as usize;
        self.bytes.get(start..start.checked_add(len)?)
    }

    /// The `len` bytes from physical `pa`, writable (a raw write: the caller notes it, as
    /// `Machine::note_ram_write` does); `None`
    /// unless all are RAM.
    pub(crate) fn bytes_mut(&mut self, pa: u32, len: usize) -> Option<&mut [u8]> {
        let start = pa as usize;
        self.bytes.get_mut(start..start.checked_add(len)?)
    }

    /// The whole RAM as one slice (snapshots, comparisons).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The whole RAM as one writable slice (restoring a snapshot, after which every
    /// translation is dropped).
    pub(crate) fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::Ram;

    #[test]
    fn sized_access_is_little_endian_and_bounded() {
        let mut r = Ram::new(16);
        assert_eq!(r.len(), 16);
        r.write(4, 4, 0x1122_3344);
        assert_eq!(r.get(4, 1), Some(0x44));
        assert_eq!(r.get(6, 2), Some(0x1122));
        assert_eq!(r.word(4), 0x1122_3344);
        assert_eq!(r.bytes(4, 4), Some(&[0x44, 0x33, 0x22, 0x11][..]));
        assert!(r.contains(12, 4) && !r.contains(13, 4) && !r.contains(u32::MAX, 4));
        assert_eq!(r.get(14, 4), None);
        assert!(r.bytes_mut(16, 1).is_none());
        assert_eq!(r.bytes(u32::MAX, 2), None);
        r.set_words(0, &[1, 2]);
        assert_eq!(r.words::<2>(0), [1, 2]);
        r.set_word(8, 0xdead_beef);
        assert_eq!(r.read(8, 2), 0xbeef);
    }
}
