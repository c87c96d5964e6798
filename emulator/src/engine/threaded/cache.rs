//! The block cache: blocks keyed by physical pc and mode, with per-page lists so that a write
//! to a code page drops exactly that page's blocks (the invalidation half of self-modifying
//! code support; the detection half is [`Machine::note_ram_write`](crate::machine::Machine)).

use super::block::Block;
use crate::machine::Machine;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiplicative hashing for the cache's integer keys (SipHash's DoS resistance buys nothing
/// here and costs a third of dispatch time).
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// Entries in the direct-mapped lookup table in front of the map.
const L1_SIZE: usize = 4096;

/// Cache key: physical pc, ring and paging bit (everything that changes how code runs).
#[inline]
pub fn key(pa: u32, ring: u8, paging: bool) -> u64 {
    (pa as u64) << 3 | (ring as u64) << 1 | paging as u64
}

/// How many of a block's ops run before a debugger breakpoint, for the breakpoint list of
/// [`Cache::breakpoints`] generation `generation` and the block at virtual page `vpage` (a
/// block is found by physical address; breakpoints are virtual).
#[derive(Clone, Copy, Debug, Default)]
pub struct Cut {
    /// [`Breakpoints::generation`] this was computed for (0: never).
    pub generation: u32,
    /// The virtual page the block ran at.
    pub vpage: u32,
    /// Ops before the first breakpoint (the block's length if none).
    pub ops: u32,
    /// Bit k set when op k (k ≥ 1) is at a breakpoint: where a run that goes on past a cut
    /// stops next.
    pub at_breakpoints: u64,
}

impl Cut {
    /// The first op after op `from` that is at a breakpoint, or `len` (the block's length).
    #[inline]
    pub fn after(&self, from: usize, len: usize) -> usize {
        let later = self.at_breakpoints & u64::MAX.checked_shl(from as u32 + 1).unwrap_or(0);
        if later == 0 {
            len
        } else {
            later.trailing_zeros() as usize
        }
    }
}

/// The debugger breakpoints the remembered [`Cut`]s are for: a new list gets a new generation.
#[derive(Debug, Default)]
pub struct Breakpoints {
    /// The addresses.
    pub list: Vec<u32>,
    /// Generation of `list` (starts at 1 with the first list).
    pub generation: u32,
    /// The virtual pages (address >> 12) holding a breakpoint of `list`, sorted, each once: a
    /// chain in any other page runs on the plain copy of the chain loop.
    pub pages: Vec<u32>,
    /// Chains that ran on the debugging copy of the chain loop although their first block
    /// could run whole, because its page holds a breakpoint (for tests and reports: a run
    /// whose breakpoints are all in pages that never run leaves this alone).
    pub chains_in_break_pages: u64,
}

impl Breakpoints {
    /// Makes `list` the current list (a new generation if it differs from the last).
    pub fn update(&mut self, list: &[u32]) {
        if self.generation == 0 || self.list != list {
            self.list = list.to_vec();
            self.generation = self.generation.wrapping_add(1).max(1);
            self.pages = list.iter().map(|&b| b >> 12).collect();
            self.pages.sort_unstable();
            self.pages.dedup();
        }
    }

    /// Does the virtual page of `pc` hold a breakpoint of the current list?
    #[inline]
    pub fn in_page(&self, pc: u32) -> bool {
        holds_page(&self.pages, pc)
    }
}

/// Does `pages` (sorted virtual page numbers, as [`Breakpoints::pages`]) hold the page of `pc`?
#[inline]
pub fn holds_page(pages: &[u32], pc: u32) -> bool {
    match pages {
        [] => false,
        [p] => *p == pc >> 12,
        _ => pages.binary_search(&(pc >> 12)).is_ok(),
    }
}

/// The key → block index lookup: a direct-mapped table in front of a hash map.
pub struct Lookup {
    map: FastMap<u64, u32>,
    /// Direct-mapped (key, block) pairs: most lookups end here.
    l1: Vec<(u64, u32)>,
}

/// The block at `next_pc`, in the same page as `block` (run in `ring`, paging `paging`): through
/// `block`'s link for it, else the lookup (which then links it). A link from a valid block
/// leads to a valid block (both are in one page, invalidated together). The threaded chain and
/// the JIT tier go from block to block in a page through here.
#[inline(always)]
pub fn successor<'b>(
    blocks: &'b [Block],
    lookup: &mut Lookup,
    block: &Block,
    next_pc: u32,
    ring: u8,
    paging: bool,
) -> Option<(u32, &'b Block)> {
    let slot = (next_pc >> 2) as usize % super::block::LINKS;
    let (link_pc, link_idx) = block.run.links[slot].get();
    let linked = blocks.get(link_idx as usize).filter(|_| link_pc == next_pc);
    debug_assert!(linked.is_none_or(|b| b.valid));
    match linked {
        Some(b) => Some((link_idx, b)),
        None => {
            let found = lookup.get(key((block.pa & !0xfff) | (next_pc & 0xfff), ring, paging));
            if let Some(s) = found {
                block.run.links[slot].set((next_pc, s));
            }
            found.map(|s| (s, &blocks[s as usize]))
        }
    }
}

/// The block at `next_pc` (physical `npa`, its fetch translated), run in `ring`, after the
/// gate that ends `block`: through `block`'s gate link, else the lookup (which then links it).
/// The target is usually in another page, whose blocks a write may have dropped while
/// `block`'s stay: the linked block must be valid and at `npa` (its ring is the link's, its
/// paging `block`'s). It is then the block the lookup would find (a key has one valid block).
#[inline(always)]
pub fn gate_successor<'b>(
    blocks: &'b [Block],
    lookup: &mut Lookup,
    block: &Block,
    (next_pc, npa): (u32, u32),
    ring: u8,
    paging: bool,
) -> Option<(u32, &'b Block)> {
    // A fetched pc is aligned: its low bits hold the ring.
    let tag = next_pc | ring as u32;
    let (link_tag, link_idx) = block.run.gate_link.get();
    let linked = blocks
        .get(link_idx as usize)
        .filter(|b| link_tag == tag && b.valid && b.pa == npa);
    match linked {
        Some(b) => Some((link_idx, b)),
        None => {
            let s = lookup.get(key(npa, ring, paging))?;
            block.run.gate_link.set((tag, s));
            Some((s, &blocks[s as usize]))
        }
    }
}

impl Lookup {
    /// The block for `key`, if translated and valid, without remembering it (for a reader
    /// that holds the cache shared).
    pub fn peek(&self, key: u64) -> Option<u32> {
        self.map.get(&key).copied()
    }

    /// The block for `key`, if translated and valid.
    #[inline]
    pub fn get(&mut self, key: u64) -> Option<u32> {
        let slot = l1_slot(key);
        let (k, idx) = self.l1[slot];
        if k == key {
            return Some(idx);
        }
        let idx = *self.map.get(&key)?;
        self.l1[slot] = (key, idx);
        Some(idx)
    }
}

/// Translated blocks (what running changes of a block is in cells in it,
/// [`Block::run`](super::block::Block::run)), and where debugger breakpoints cut them.
pub struct Cache {
    /// All blocks ever translated (invalid ones stay until the next full flush).
    pub blocks: Vec<Block>,
    /// Where debugger breakpoints cut each block (same index as `blocks`).
    pub cuts: Vec<Cut>,
    /// The breakpoints of the current run, for the blocks' remembered cuts.
    pub breakpoints: Breakpoints,
    /// Key → block.
    pub lookup: Lookup,
    /// The largest `max_cost` of any block translated since the last flush: a chain that is
    /// this far from its cycle limit need not check each successor's.
    pub max_block_cost: u64,
    /// Blocks by physical RAM page: (index, lookup key), so that a write to the page drops
    /// exactly their lookup entries.
    by_page: FastMap<u32, Vec<(u32, u64)>>,
    epoch: u64,
    /// Blocks translated (for reports).
    pub translations: u64,
    /// Blocks dropped by writes to their pages.
    pub invalidations: u64,
    /// Times the cache was emptied because it held [`MAX_BLOCKS`] blocks.
    pub full_flushes: u64,
    /// RAM pages whose blocks writes have dropped: (times, cycle of the last time). At most
    /// one entry per RAM page; emptied with the cache.
    rewritten: FastMap<u32, (u32, u64)>,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            blocks: Vec::new(),
            cuts: Vec::new(),
            breakpoints: Breakpoints::default(),
            lookup: Lookup {
                map: FastMap::default(),
                l1: vec![(u64::MAX, 0); L1_SIZE],
            },
            max_block_cost: 0,
            by_page: FastMap::default(),
            epoch: 0,
            translations: 0,
            invalidations: 0,
            full_flushes: 0,
            rewritten: FastMap::default(),
        }
    }
}

/// Blocks the cache holds, valid or not, before it starts over (each block is at most a few
/// KiB: this bounds the cache to tens of MiB whatever the guest runs).
pub const MAX_BLOCKS: usize = 1 << 15;

/// Writes that drop a page's blocks before its code runs untranslated ([`Cache::is_rewritten`]).
pub const REWRITES_TO_STOP_TRANSLATING: u32 = 32;

/// How long after the last such write a page's code keeps running untranslated.
pub const REWRITE_WINDOW_CYCLES: u64 = 1_000_000;

#[inline]
fn l1_slot(key: u64) -> usize {
    (key >> 5) as usize % L1_SIZE
}

impl Cache {
    /// The block for `key`, if translated and valid.
    #[inline]
    pub fn get(&mut self, key: u64) -> Option<u32> {
        self.lookup.get(key)
    }

    /// Does the machine have invalidations for the cache to apply?
    #[inline]
    pub fn needs_sync(&self, m: &Machine) -> bool {
        m.code_epoch != self.epoch || !m.dirty_code.is_empty()
    }

    /// Adds a block; RAM pages are marked in the machine's code-page bitmap.
    pub fn insert(&mut self, m: &mut Machine, key: u64, mut block: Block) -> u32 {
        if self.blocks.len() >= MAX_BLOCKS {
            // A guest that runs code everywhere (or rewrites it forever) costs bounded memory:
            // start over, as QEMU does when its translation buffer is full.
            self.flush(m);
            self.full_flushes += 1;
        }
        let idx = self.blocks.len() as u32;
        let page = block.pa >> 12;
        if (page as usize) < m.code_pages.len() {
            m.mark_code_page(page as usize);
            self.by_page.entry(page).or_default().push((idx, key));
        }
        self.max_block_cost = self.max_block_cost.max(block.max_cost);
        block.serial = self.translations;
        self.blocks.push(block);
        self.cuts.push(Cut::default());
        self.lookup.map.insert(key, idx);
        self.lookup.l1[l1_slot(key)] = (key, idx);
        self.translations += 1;
        idx
    }

    /// Applies the machine's pending invalidations (pages written, memory reloaded).
    pub fn sync(&mut self, m: &mut Machine) {
        if m.code_epoch != self.epoch {
            self.epoch = m.code_epoch;
            self.flush(m);
        }
        if m.dirty_code.is_empty() {
            return;
        }
        for page in m.dirty_code.drain(..) {
            let Some(list) = self.by_page.remove(&page) else {
                continue;
            };
            let r = self.rewritten.entry(page).or_default();
            *r = (r.0.saturating_add(1), m.cpu.cycles);
            // Only these blocks' entries go (sweeping the whole lookup per write made code
            // that rewrites itself in a loop run ten times slower than the interpreter).
            for (idx, key) in list {
                let b = &mut self.blocks[idx as usize];
                if b.valid {
                    b.valid = false;
                    self.invalidations += 1;
                }
                if self.lookup.map.get(&key) == Some(&idx) {
                    self.lookup.map.remove(&key);
                }
                let slot = &mut self.lookup.l1[l1_slot(key)];
                if *slot == (key, idx) {
                    *slot = (u64::MAX, 0);
                }
            }
        }
    }

    /// Is the code in physical page `page` being rewritten as it runs (its blocks dropped by
    /// writes [`REWRITES_TO_STOP_TRANSLATING`] times, the last within
    /// [`REWRITE_WINDOW_CYCLES`])? Its instructions then run one at a time instead of being
    /// translated again and again, as QEMU does for self-modifying code.
    #[inline]
    pub fn is_rewritten(&self, page: u32, now: u64) -> bool {
        match self.rewritten.get(&page) {
            Some(&(n, last)) => {
                n >= REWRITES_TO_STOP_TRANSLATING
                    && now.saturating_sub(last) < REWRITE_WINDOW_CYCLES
            }
            None => false,
        }
    }

    /// Drops everything.
    pub fn flush(&mut self, m: &mut Machine) {
        self.rewritten.clear();
        self.blocks.clear();
        self.max_block_cost = 0;
        self.cuts.clear();
        self.lookup.map.clear();
        self.lookup.l1.fill((u64::MAX, 0));
        self.by_page.clear();
        m.code_pages.clear();
        m.dirty_code.clear();
    }

    /// The `n` guest addresses whose blocks took the most cycles since the last full flush:
    /// (pc, executions, cycles, distinct instructions). A block translated again after a store
    /// into its page counts under the same address as its earlier copies.
    pub fn hottest(&self, n: usize) -> Vec<(u32, u64, u64, usize)> {
        let mut by_pc: HashMap<u32, (u64, u64, usize)> = HashMap::new();
        for b in self.blocks.iter().filter(|b| b.run.execs.get() > 0) {
            let e = by_pc.entry(b.pc).or_default();
            e.0 += b.run.execs.get();
            e.1 += b.run.cycles.get();
            e.2 = e.2.max(b.instructions());
        }
        let mut v: Vec<_> = by_pc
            .into_iter()
            .map(|(pc, (execs, cycles, len))| (pc, execs, cycles, len))
            .collect();
        v.sort_by_key(|&(pc, _, cycles, _)| (std::cmp::Reverse(cycles), pc));
        v.truncate(n);
        v
    }

    /// How many times the block at guest address `pc` was translated since the last full
    /// flush (more than once when stores into its page dropped it).
    pub fn translations_at(&self, pc: u32) -> usize {
        self.blocks.iter().filter(|b| b.pc == pc).count()
    }

    /// Is the latest translation of the block first translated at `pc` compiled to host code
    /// (the JIT tier)?
    pub fn native_at(&self, pc: u32) -> bool {
        let n = self.blocks.iter().rev().find(|b| b.pc == pc);
        use super::block::{NATIVE_DECLINED, NATIVE_PENDING};
        n.is_some_and(|b| !matches!(b.run.native.get(), 0 | NATIVE_DECLINED | NATIVE_PENDING))
    }
}
