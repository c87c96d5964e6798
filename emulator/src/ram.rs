//! Guest RAM: the bytes at physical 0, with sized little-endian access and the bounds rules
//! in one place.
//!
//! Backed by chunks of [`CHUNK`] bytes, each allocated on its first write: a chunk never
//! written reads as zeros and costs nothing but its slot in the chunk table (8 bytes), so a
//! machine's host memory — resident *and* virtual — grows with what the guest writes, not
//! with its RAM size (a thousand 16 MiB machines fit under a 12 GiB address-space cap; a
//! single `vec![0; len]` reserves the whole size up front). Writing zeros into a chunk never
//! written (a loader's `.bss`, a restored snapshot's empty pages) allocates nothing.
//!
//! Everything outside this module reaches the bytes through the methods below (sized reads
//! and writes, words, byte ranges copied in or out, the chunk walk [`Ram::chunks`]), never
//! through the allocation itself: there is no slice of the whole memory. A byte range (a
//! DMA transfer, a loader segment) may span chunks: [`Ram::bytes`] borrows when it lies in
//! one chunk and copies otherwise; the crate's `write_bytes` and `zero` split at chunk
//! boundaries.
//!
//! Three kinds of access:
//! - *checked*: [`Ram::get`], [`Ram::bytes`] (and the crate's `write_bytes`, `zero`) return
//!   `None` (or `false`) when the range is not wholly inside RAM;
//! - *in-bounds*: [`Ram::read`], [`Ram::word`], [`Ram::words`] (and the crate's `write`,
//!   `set_word`, `set_words`, `read_aligned`) for an index the caller has already checked
//!   ([`Ram::contains`]). An index past the last chunk panics; one past the end but inside
//!   the last chunk (a RAM size that is not a multiple of [`CHUNK`]) is caught by a debug
//!   assertion only, and reads or writes bytes no checked access can see. An access crossing
//!   a chunk boundary (only possible unaligned) goes byte by byte;
//! - *hits* (crate-private `unsafe fn`s `load`, `store`, `store_plain`): the engines' RAM
//!   hits, whose index the MMU's hit test
//!   ([`Machine::fast_ram_index`](crate::Machine::fast_ram_index)) has just checked: in this
//!   RAM ([`Ram::contains`]) and aligned — the functions' safety condition. A table load and
//!   one host load or store, with no bounds check, no offset mask (slots are biased) and, for
//!   loads, no test for a missing chunk (its slot points at a static zero chunk). Stores go
//!   through a second table, *plain* stores, whose slot is null for a chunk never written or
//!   holding translated code: one test then covers both the allocation and the code-page
//!   check (`Machine::ram_store_hit`).
//!
//! Only the machine writes RAM (its writers are crate-private): every write must also drop
//! translated code it overwrites and report watched ranges, which
//! [`Machine::poke_phys`](crate::Machine::poke_phys) and the guest's stores do.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

/// Changes, in any RAM of the process, to where a chunk's bytes are or whether it takes plain
/// stores (a chunk allocated, plain stores allowed or stopped, a RAM made or copied). Host
/// pointers derived from the chunk tables (the JIT's host TLB) are good while this and the
/// tables' address stay the same.
static LAYOUT: AtomicU64 = AtomicU64::new(1);

/// Notes a change of layout.
fn layout_changed() {
    LAYOUT.fetch_add(1, Ordering::Relaxed);
}

/// The layout epoch: see [`LAYOUT`].
pub(crate) fn layout_epoch() -> u64 {
    LAYOUT.load(Ordering::Relaxed)
}

/// log2 of [`CHUNK`].
const SHIFT: u32 = 16;

/// Bytes per chunk, the unit of allocation (64 KiB; docs/perf.md, "Lazy RAM", has the
/// measurements behind the size). A multiple of the 4 KiB page, so a page lies in one chunk.
pub const CHUNK: usize = 1 << SHIFT;

/// Offset-in-chunk mask.
const MASK: usize = CHUNK - 1;

/// One chunk's bytes.
type Chunk = [u8; CHUNK];

/// What a chunk never written reads as.
static ZEROS: Chunk = [0; CHUNK];

/// The chunk table: one pointer per chunk, to its bytes (a `Box<Chunk>` turned into a raw
/// pointer, owned by the table) or, for a chunk never written, to [`ZEROS`] (never written
/// through). Raw pointers rather than `Option<Box<Chunk>>` so that the hot accesses
/// ([`Ram::load`], [`Ram::store`]) are a table load and one host load or store, with no
/// test for a missing chunk on reads (docs/perf.md, "Lazy RAM", measured both). Everything
/// else goes through the safe methods below, which hand out ordinary references.
///
/// Slot `i` holds its chunk's pointer *biased* by `-i * CHUNK` (wrapping pointer arithmetic,
/// which keeps the chunk's provenance): adding a RAM index `x` of the chunk gives the byte's
/// address directly, with no mask for the offset in the chunk. [`Slots::base`] undoes it.
struct Slots(Vec<*mut u8>);

/// Slot `i`'s value for the chunk at `p`.
#[inline(always)]
fn bias(p: *mut Chunk, i: usize) -> *mut u8 {
    p.cast::<u8>().wrapping_sub(i * CHUNK)
}

/// The pointer of a chunk never written.
#[inline(always)]
fn zeros() -> *mut Chunk {
    std::ptr::addr_of!(ZEROS).cast_mut()
}

// SAFETY: a `Slots` owns its chunks exclusively (as a `Vec<Box<Chunk>>` would: they are
// reached only through it, with `&self` for reads and `&mut self` for writes), and `ZEROS` is
// an immutable static never written through.
unsafe impl Send for Slots {}
// SAFETY: as for `Send`: shared access only reads.
unsafe impl Sync for Slots {}

impl Slots {
    /// `n` chunks never written.
    fn new(n: usize) -> Slots {
        Slots((0..n).map(|i| bias(zeros(), i)).collect())
    }

    /// Chunk `i`'s pointer (the slot unbiased): a live chunk of the table, or `ZEROS`.
    #[inline(always)]
    fn base(&self, i: usize) -> *mut Chunk {
        self.0[i].wrapping_add(i * CHUNK).cast()
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Chunk `i`, `None` if never written (panics past the table).
    #[inline(always)]
    fn get(&self, i: usize) -> Option<&Chunk> {
        let p = self.base(i);
        // SAFETY: `p` is a live chunk owned by the table (not `ZEROS`), borrowed for as long
        // as `self` is, during which nothing writes it (writes need `&mut self`).
        (p != zeros()).then(|| unsafe { &*p })
    }

    /// The address of RAM byte `x` in its chunk (or in `ZEROS`), for reading (panics past the
    /// table): the bytes from there to the end of the chunk are readable while `self` is
    /// borrowed.
    #[inline(always)]
    fn at(&self, x: usize) -> *const u8 {
        self.0[x >> SHIFT].wrapping_add(x)
    }

    /// Chunk `i`, writable, `None` if never written (panics past the table).
    #[inline(always)]
    fn get_mut(&mut self, i: usize) -> Option<&mut Chunk> {
        let p = self.base(i);
        // SAFETY: `p` is a live chunk owned by the table, borrowed exclusively with `self`.
        (p != zeros()).then(|| unsafe { &mut *p })
    }

    /// Chunk `i`, writable, allocated if it was never written (panics past the table).
    #[inline(always)]
    fn get_or_alloc(&mut self, i: usize) -> &mut Chunk {
        if self.base(i) == zeros() {
            self.alloc(i);
        }
        // SAFETY: as in `get_mut`; the slot now holds an allocated chunk.
        unsafe { &mut *self.base(i) }
    }

    /// Allocates chunk `i` (zeroed; out of line: only a chunk's first write gets here).
    #[cold]
    #[inline(never)]
    fn alloc(&mut self, i: usize) -> *mut Chunk {
        layout_changed();
        let p = Box::into_raw(new_chunk());
        self.0[i] = bias(p, i);
        p
    }

    /// Every chunk, `None` if never written.
    fn iter(&self) -> impl Iterator<Item = Option<&Chunk>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        for i in 0..self.len() {
            let p = self.base(i);
            if p != zeros() {
                // SAFETY: an allocated slot holds a pointer from `Box::into_raw`, owned by the
                // table and dropped only here.
                drop(unsafe { Box::from_raw(p) });
            }
        }
    }
}

impl Clone for Slots {
    fn clone(&self) -> Slots {
        layout_changed();
        let mut copy = Slots::new(self.len());
        for (i, c) in self.iter().enumerate() {
            if let Some(c) = c {
                copy.get_or_alloc(i).copy_from_slice(c);
            }
        }
        copy
    }
}

/// Per chunk, where a *plain* store may write ([`Ram::store_plain`]): the chunk's slot value
/// (biased as in [`Slots`]) if it is allocated and held no translated code when the machine last checked, else null (the
/// store then takes the machine's full check, which fills the slot again). Only ever a
/// pointer of this RAM's own `Slots`; a copy starts all null.
struct Plain(Vec<*mut u8>);

// SAFETY: the pointers are the owning `Ram`'s own chunks (see `Slots`), written only through
// `&mut Ram`.
unsafe impl Send for Plain {}
// SAFETY: as for `Send`.
unsafe impl Sync for Plain {}

impl Clone for Plain {
    fn clone(&self) -> Plain {
        // The copy's chunks are elsewhere: it checks again.
        Plain(vec![std::ptr::null_mut(); self.0.len()])
    }
}

/// Guest RAM (see the module documentation).
#[derive(Clone)]
pub struct Ram {
    /// One slot per [`CHUNK`] bytes of RAM (the last may be partly past `len`).
    chunks: Slots,
    /// Per chunk, where plain stores go (see [`Plain`]).
    plain: Plain,
    /// Size in bytes.
    len: usize,
}

/// One chunk of RAM, as [`Ram::chunks`] walks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RamChunk<'a> {
    /// Physical address of its first byte (a multiple of [`CHUNK`]).
    pub start: u32,
    /// Its length in bytes ([`CHUNK`], less for the last chunk of a RAM whose size is not a
    /// multiple of it).
    pub len: usize,
    /// Its bytes (`len` of them), or `None` if it was never written: all zero.
    pub bytes: Option<&'a [u8]>,
}

impl std::fmt::Debug for Ram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ram")
            .field("len", &self.len())
            .field("allocated_chunks", &self.allocated_chunks())
            .finish()
    }
}

/// Equal when every byte is (a chunk never written equals one written with zeros).
impl PartialEq for Ram {
    fn eq(&self, other: &Ram) -> bool {
        self.len == other.len
            && self.chunks().zip(other.chunks()).all(|(a, b)| {
                a.bytes.unwrap_or(&ZEROS[..a.len]) == b.bytes.unwrap_or(&ZEROS[..b.len])
            })
    }
}

impl Eq for Ram {}

impl Default for Ram {
    fn default() -> Ram {
        Ram::new(0)
    }
}

/// The `size` (1, 2 or 4) bytes at `p`, little-endian.
///
/// # Safety
///
/// The `size` bytes at `p` are readable for the call.
#[inline(always)]
unsafe fn load_at(p: *const u8, size: u32) -> u32 {
    // SAFETY: the caller's promise; unaligned reads.
    unsafe {
        match size {
            1 => p.read() as u32,
            2 => u16::from_le(p.cast::<u16>().read_unaligned()) as u32,
            _ => u32::from_le(p.cast::<u32>().read_unaligned()),
        }
    }
}

/// Writes the low `size` (1, 2 or 4) bytes of `v` at `p`, little-endian.
///
/// # Safety
///
/// The `size` bytes at `p` are writable for the call, and nothing else refers to them.
#[inline(always)]
unsafe fn store_at(p: *mut u8, size: u32, v: u32) {
    // SAFETY: the caller's promise; unaligned writes.
    unsafe {
        match size {
            1 => p.write(v as u8),
            2 => p.cast::<u16>().write_unaligned((v as u16).to_le()),
            _ => p.cast::<u32>().write_unaligned(v.to_le()),
        }
    }
}

/// A zeroed chunk, allocated (out of line: only a chunk's first write gets here).
#[cold]
#[inline(never)]
fn new_chunk() -> Box<Chunk> {
    vec![0u8; CHUNK]
        .into_boxed_slice()
        .try_into()
        .expect("CHUNK bytes")
}

impl Ram {
    /// No RAM at all (for lending where there is none).
    pub(crate) const EMPTY: Ram = Ram {
        chunks: Slots(Vec::new()),
        plain: Plain(Vec::new()),
        len: 0,
    };

    /// `len` bytes of zeroed RAM (nothing allocated but the chunk table).
    pub fn new(len: usize) -> Ram {
        layout_changed();
        Ram {
            chunks: Slots::new(len.div_ceil(CHUNK)),
            plain: Plain(vec![std::ptr::null_mut(); len.div_ceil(CHUNK)]),
            len,
        }
    }

    /// RAM holding `bytes` (its length is the RAM size; chunks of zeros stay unallocated).
    pub fn from_bytes(bytes: Vec<u8>) -> Ram {
        let mut ram = Ram::new(bytes.len());
        ram.write_bytes(0, &bytes);
        ram
    }

    /// Size in bytes.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the RAM has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Chunks allocated so far (written at least once): the host memory RAM holds is about
    /// this times [`CHUNK`].
    pub fn allocated_chunks(&self) -> usize {
        self.chunks.iter().filter(|c| c.is_some()).count()
    }

    /// Whether the `size` bytes from physical `pa` are all RAM.
    #[inline(always)]
    pub fn contains(&self, pa: u32, size: u32) -> bool {
        (pa as u64 + size as u64) <= self.len as u64
    }

    /// The chunk holding index `x`, writable, allocated if it was not (panics past the last
    /// chunk).
    #[inline(always)]
    fn chunk_mut(&mut self, x: usize) -> &mut Chunk {
        self.chunks.get_or_alloc(x >> SHIFT)
    }

    /// The `size` (1, 2 or 4) bytes at index `x`, zero-extended, little-endian. The range is
    /// in bounds (the caller checked; see the module documentation): a chunk-table load and
    /// one host load.
    #[inline(always)]
    pub fn read(&self, x: usize, size: u32) -> u32 {
        debug_assert!(x + size as usize <= self.len, "RAM read out of bounds");
        let off = x & MASK;
        if off > CHUNK - size as usize {
            return self.read_across(x, size);
        }
        // SAFETY: the `size` bytes from `x` lie in its chunk (tested above), readable while
        // `self` is borrowed (`Slots::at`).
        unsafe { load_at(self.chunks.at(x), size) }
    }

    /// The `size` (1, 2 or 4) bytes at index `x`, zero-extended, for the hit paths of the
    /// engines: one table load and one host load, with no bounds check, no mask for the
    /// offset in the chunk (the slot is biased) and no test for a chunk never written (its
    /// slot points at zeros).
    ///
    /// # Safety
    ///
    /// `x` is a multiple of `size` and `x + size <= self.len()`: the caller's MMU hit test
    /// checked both ([`Ram::contains`] on this RAM; the alignment keeps the bytes in one
    /// chunk).
    #[inline(always)]
    pub(crate) unsafe fn load(&self, x: usize, size: u32) -> u32 {
        debug_assert!(x.is_multiple_of(size as usize) && x + size as usize <= self.len);
        // SAFETY: `x < len` (the caller's promise) and the table has `len.div_ceil(CHUNK)`
        // slots, so `x >> SHIFT` is one of them.
        let biased = unsafe { *self.chunks.0.get_unchecked(x >> SHIFT) };
        // SAFETY: unbiased by `x`, the slot points at byte `x & MASK` of `CHUNK` readable
        // bytes (a live chunk of this table or `ZEROS`), and the `size` bytes from there stay
        // in them (aligned); nothing writes them while `self` is borrowed.
        unsafe { load_at(biased.wrapping_add(x), size) }
    }

    /// Writes the low `size` (1, 2 or 4) bytes of `v` at index `x` (see [`Ram::load`]),
    /// allocating the chunk if it was never written.
    ///
    /// # Safety
    ///
    /// As for [`Ram::load`].
    #[inline(always)]
    pub(crate) unsafe fn store(&mut self, x: usize, size: u32, v: u32) {
        debug_assert!(x.is_multiple_of(size as usize) && x + size as usize <= self.len);
        let chunk = self.chunks.get_or_alloc(x >> SHIFT);
        // SAFETY: a live chunk owned by this table, borrowed exclusively; the bytes from
        // `x & MASK` stay in it (aligned, as the caller promised).
        unsafe { store_at(chunk.as_mut_ptr().add(x & MASK), size, v) }
    }

    /// [`Ram::store`] when the chunk takes plain stores (allocated, and no translated code
    /// in it when the machine last checked: then a store needs no code-page test); `false`,
    /// nothing written, when it does not (the caller then stores with the full check and
    /// calls [`Ram::allow_plain_stores`] if the chunk holds no code).
    ///
    /// # Safety
    ///
    /// As for [`Ram::load`].
    #[inline(always)]
    pub(crate) unsafe fn store_plain(&mut self, x: usize, size: u32, v: u32) -> bool {
        debug_assert!(x.is_multiple_of(size as usize) && x + size as usize <= self.len);
        // SAFETY: as in `load`, `x >> SHIFT` is a slot (the plain table is as long as the
        // chunk table).
        let biased = unsafe { *self.plain.0.get_unchecked(x >> SHIFT) };
        if biased.is_null() {
            return false;
        }
        // SAFETY: a non-null plain slot is a live chunk of this RAM, biased as in `Slots`
        // (see `Plain`), borrowed exclusively with `self`; the bytes stay in it as in `load`.
        unsafe { store_at(biased.wrapping_add(x), size, v) };
        true
    }

    /// The `N` words at index `x`, with one chunk-table load (see [`Ram::load`]).
    ///
    /// # Safety
    ///
    /// `x` is a multiple of 4 and the `4 * N` bytes from it are in RAM and in one page (so in
    /// one chunk).
    #[inline(always)]
    pub(crate) unsafe fn load_words<const N: usize>(&self, x: usize) -> [u32; N] {
        debug_assert!(x.is_multiple_of(4) && x + 4 * N <= self.len);
        debug_assert!((x & 0xfff) + 4 * N <= 0x1000);
        // SAFETY: as in `load`: `x >> SHIFT` is a slot.
        let biased = unsafe { *self.chunks.0.get_unchecked(x >> SHIFT) };
        // SAFETY: as in `load`, for each word: all of them are in `x`'s chunk (one page).
        std::array::from_fn(|i| unsafe { load_at(biased.wrapping_add(x + 4 * i), 4) })
    }

    /// [`Ram::store_plain`] of `N` words from index `x`, with one plain-table load: `false`,
    /// nothing written, when the chunk does not take plain stores.
    ///
    /// # Safety
    ///
    /// As for [`Ram::load_words`].
    #[inline(always)]
    pub(crate) unsafe fn store_plain_words<const N: usize>(
        &mut self,
        x: usize,
        words: [u32; N],
    ) -> bool {
        debug_assert!(x.is_multiple_of(4) && x + 4 * N <= self.len);
        debug_assert!((x & 0xfff) + 4 * N <= 0x1000);
        // SAFETY: as in `store_plain`.
        let biased = unsafe { *self.plain.0.get_unchecked(x >> SHIFT) };
        if biased.is_null() {
            return false;
        }
        for (i, w) in words.into_iter().enumerate() {
            // SAFETY: as in `store_plain`, for each word: all of them are in `x`'s chunk.
            unsafe { store_at(biased.wrapping_add(x + 4 * i), 4, w) };
        }
        true
    }

    /// The chunk table and the plain-store table as raw pointers, for code that reads RAM as
    /// [`Ram::load`] and [`Ram::store_plain`] do (the JIT's generated code): slot `x >>
    /// 16` of either, a biased pointer (null in the plain table when a store must be checked),
    /// plus `x` is the address of byte `x`. Valid while this RAM is neither moved nor
    /// dropped; the slots' values change (chunks allocated, plain stores allowed or not), so
    /// they are read at each access.
    #[cfg(feature = "jit")]
    pub(crate) fn raw_tables(&self) -> (*const *mut u8, *const *mut u8) {
        (self.chunks.0.as_ptr(), self.plain.0.as_ptr())
    }

    /// Lets plain stores into the chunk of index `x` (the caller found no translated code in
    /// it); nothing if the chunk was never written.
    pub(crate) fn allow_plain_stores(&mut self, x: usize) {
        let i = x >> SHIFT;
        if i < self.plain.0.len()
            && self.chunks.base(i) != zeros()
            && self.plain.0[i] != self.chunks.0[i]
        {
            layout_changed();
            self.plain.0[i] = self.chunks.0[i];
        }
    }

    /// Stops plain stores into the chunk holding 4 KiB page `page` (it now holds translated
    /// code: every store there must be checked).
    pub(crate) fn forbid_plain_stores(&mut self, page: usize) {
        if let Some(slot) = self.plain.0.get_mut(page >> (SHIFT - 12)) {
            if !slot.is_null() {
                layout_changed();
            }
            *slot = std::ptr::null_mut();
        }
    }

    /// The pages of the chunk holding index `x`: (first page, count).
    pub(crate) fn chunk_pages(x: usize) -> (usize, usize) {
        ((x >> SHIFT) << (SHIFT - 12), CHUNK >> 12)
    }

    /// [`Ram::load`] for an index not known to be in bounds or aligned (one past the table
    /// panics; a misaligned one reads the aligned bytes below it): the interpreter's fetch
    /// from the page it remembers.
    #[inline(always)]
    pub(crate) fn read_aligned(&self, x: usize, size: u32) -> u32 {
        let biased = self.chunks.0[x >> SHIFT];
        // SAFETY: as in `load`: the index is checked here, and aligning it down keeps the
        // bytes in its chunk.
        unsafe { load_at(biased.wrapping_add(x & !(size as usize - 1)), size) }
    }

    /// [`Ram::read`] of bytes on both sides of a chunk boundary (unaligned), byte by byte.
    #[cold]
    #[inline(never)]
    fn read_across(&self, x: usize, size: u32) -> u32 {
        (0..size as usize).fold(0, |v, i| v | self.read(x + i, 1) << (8 * i))
    }

    /// Writes the low `size` (1, 2 or 4) bytes of `v` at index `x`, little-endian. The range
    /// is in bounds (the caller checked; see the module documentation).
    #[inline(always)]
    pub(crate) fn write(&mut self, x: usize, size: u32, v: u32) {
        debug_assert!(x + size as usize <= self.len, "RAM write out of bounds");
        let off = x & MASK;
        if off > CHUNK - size as usize {
            return self.write_across(x, size, v);
        }
        let c = self.chunk_mut(x);
        match size {
            1 => c[off] = v as u8,
            2 => c[off..off + 2].copy_from_slice(&(v as u16).to_le_bytes()),
            _ => c[off..off + 4].copy_from_slice(&v.to_le_bytes()),
        }
    }

    /// [`Ram::write`] of bytes on both sides of a chunk boundary (unaligned), byte by byte.
    #[cold]
    #[inline(never)]
    fn write_across(&mut self, x: usize, size: u32, v: u32) {
        for i in 0..size as usize {
            self.write(x + i, 1, v >> (8 * i));
        }
    }

    /// The `size` (1, 2 or 4) bytes at physical `pa`, zero-extended; `None` unless all are RAM.
    #[inline]
    pub fn get(&self, pa: u32, size: u32) -> Option<u32> {
        self.contains(pa, size)
            .then(|| self.read(pa as usize, size))
    }

    /// The word at index `x` (in bounds; see the module documentation).
    #[inline(always)]
    pub fn word(&self, x: usize) -> u32 {
        self.read(x, 4)
    }

    /// Writes the word at index `x` (in bounds; see the module documentation).
    #[inline(always)]
    pub(crate) fn set_word(&mut self, x: usize, v: u32) {
        self.write(x, 4, v)
    }

    /// The `N` consecutive words from index `x` (in bounds; see the module documentation):
    /// one slice of one chunk, unless they cross a chunk boundary.
    #[inline(always)]
    pub fn words<const N: usize>(&self, x: usize) -> [u32; N] {
        let off = x & MASK;
        if off + 4 * N > CHUNK {
            return std::array::from_fn(|i| self.read(x + 4 * i, 4));
        }
        let p = self.chunks.at(x);
        // SAFETY: the `4 * N` bytes from `x` lie in its chunk (tested above), readable while
        // `self` is borrowed (`Slots::at`).
        std::array::from_fn(|i| unsafe { load_at(p.wrapping_add(4 * i), 4) })
    }

    /// Writes `words` consecutively from index `x` (in bounds; see the module documentation).
    #[inline(always)]
    pub(crate) fn set_words(&mut self, x: usize, words: &[u32]) {
        let off = x & MASK;
        if off + 4 * words.len() > CHUNK {
            for (i, &w) in words.iter().enumerate() {
                self.write(x + 4 * i, 4, w);
            }
            return;
        }
        let bytes = &mut self.chunk_mut(x)[off..off + 4 * words.len()];
        for (chunk, w) in bytes.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
    }

    /// The pieces of the range `[pa, pa + len)` chunk by chunk: (RAM index, chunk slot, offset
    /// in the chunk, length). `None` unless the range is all RAM.
    fn pieces(
        &self,
        pa: u32,
        len: usize,
    ) -> Option<impl Iterator<Item = (usize, usize, usize, usize)>> {
        let start = pa as usize;
        let end = start.checked_add(len).filter(|&e| e <= self.len)?;
        let mut at = start;
        Some(std::iter::from_fn(move || {
            (at < end).then(|| {
                let off = at & MASK;
                let n = (CHUNK - off).min(end - at);
                let piece = (at, at >> SHIFT, off, n);
                at += n;
                piece
            })
        }))
    }

    /// The `len` bytes from physical `pa`, borrowed; `None` unless all are RAM and lie in one
    /// chunk (an aligned page always does).
    pub fn bytes_in_chunk(&self, pa: u32, len: usize) -> Option<&[u8]> {
        match self.bytes(pa, len)? {
            Cow::Borrowed(b) => Some(b),
            Cow::Owned(_) => None,
        }
    }

    /// The `len` bytes from physical `pa`; `None` unless all are RAM. Borrowed when they lie
    /// in one chunk (a page always does), copied when they span chunks.
    pub fn bytes(&self, pa: u32, len: usize) -> Option<Cow<'_, [u8]>> {
        let mut pieces = self.pieces(pa, len)?;
        let whole = |slot: usize, off: usize, n: usize| match self.chunks.get(slot) {
            Some(c) => &c[off..off + n],
            None => &ZEROS[..n],
        };
        let Some((_, slot, off, n)) = pieces.next() else {
            return Some(Cow::Borrowed(&[]));
        };
        if n == len {
            return Some(Cow::Borrowed(whole(slot, off, n)));
        }
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(whole(slot, off, n));
        for (_, slot, off, n) in pieces {
            out.extend_from_slice(whole(slot, off, n));
        }
        Some(Cow::Owned(out))
    }

    /// Copies `data` to physical `pa` (a raw write: the caller notes it, as
    /// `Machine::note_ram_write` does); `false`, nothing written, unless all of the range is
    /// RAM. Zeros going into a chunk never written allocate nothing.
    pub(crate) fn write_bytes(&mut self, pa: u32, data: &[u8]) -> bool {
        let Some(pieces) = self.pieces(pa, data.len()) else {
            return false;
        };
        let pieces: Vec<_> = pieces.collect();
        for (at, slot, off, n) in pieces {
            let src = &data[at - pa as usize..][..n];
            match self.chunks.get_mut(slot) {
                Some(c) => c[off..off + n].copy_from_slice(src),
                None if src.iter().all(|&b| b == 0) => {}
                None => self.chunks.get_or_alloc(slot)[off..off + n].copy_from_slice(src),
            }
        }
        true
    }

    /// Zeros the `len` bytes from physical `pa` (a raw write, as for `write_bytes`);
    /// `false`, nothing written, unless all are RAM. Chunks never written stay unallocated;
    /// bytes already zero are not written.
    pub(crate) fn zero(&mut self, pa: u32, len: usize) -> bool {
        let Some(pieces) = self.pieces(pa, len) else {
            return false;
        };
        let pieces: Vec<_> = pieces.collect();
        for (_, slot, off, n) in pieces {
            if let Some(c) = self.chunks.get_mut(slot) {
                let piece = &mut c[off..off + n];
                // Only if not zero already: a page of the chunk never touched stays so.
                if piece.iter().any(|&b| b != 0) {
                    piece.fill(0);
                }
            }
        }
        true
    }

    /// Every chunk in address order (see [`RamChunk`]): how snapshots, comparisons and
    /// copies walk the whole memory, skipping what was never written.
    pub fn chunks(&self) -> impl Iterator<Item = RamChunk<'_>> + '_ {
        self.chunks.iter().enumerate().map(move |(i, c)| {
            let start = i * CHUNK;
            let len = CHUNK.min(self.len - start);
            RamChunk {
                start: start as u32,
                len,
                bytes: c.map(|c| &c[..len]),
            }
        })
    }

    /// A copy of the whole RAM in one vector (tests and small machines: it allocates
    /// [`Ram::len`] bytes).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = vec![0; self.len];
        for c in self.chunks() {
            if let Some(b) = c.bytes {
                out[c.start as usize..][..c.len].copy_from_slice(b);
            }
        }
        out
    }

    /// The first index at which `self` and `other` differ (`None`: equal, or sizes differ
    /// and the shorter is a prefix).
    pub fn first_difference(&self, other: &Ram) -> Option<usize> {
        self.chunks().zip(other.chunks()).find_map(|(a, b)| {
            let n = a.len.min(b.len);
            let x = a.bytes.unwrap_or(&ZEROS[..a.len]);
            let y = b.bytes.unwrap_or(&ZEROS[..b.len]);
            x[..n]
                .iter()
                .zip(&y[..n])
                .position(|(p, q)| p != q)
                .map(|i| a.start as usize + i)
        })
    }
}

#[cfg(test)]
mod tests;
