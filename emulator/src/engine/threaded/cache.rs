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
}

impl Breakpoints {
    /// Makes `list` the current list (a new generation if it differs from the last).
    pub fn update(&mut self, list: &[u32]) {
        if self.generation == 0 || self.list != list {
            self.list = list.to_vec();
            self.generation = self.generation.wrapping_add(1).max(1);
        }
    }
}

/// The key → block index lookup: a direct-mapped table in front of a hash map.
pub struct Lookup {
    map: FastMap<u64, u32>,
    /// Direct-mapped (key, block) pairs: most lookups end here.
    l1: Vec<(u64, u32)>,
}

impl Lookup {
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
    by_page: FastMap<u32, Vec<u32>>,
    epoch: u64,
    /// Blocks translated (for reports).
    pub translations: u64,
    /// Blocks dropped by writes to their pages.
    pub invalidations: u64,
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
        }
    }
}

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
    pub fn insert(&mut self, m: &mut Machine, key: u64, block: Block) -> u32 {
        let idx = self.blocks.len() as u32;
        let page = block.pa >> 12;
        if (page as usize) < m.code_pages.len() {
            m.code_pages.set(page as usize, true);
            self.by_page.entry(page).or_default().push(idx);
        }
        self.max_block_cost = self.max_block_cost.max(block.max_cost);
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
            if let Some(list) = self.by_page.remove(&page) {
                for idx in list {
                    let b = &mut self.blocks[idx as usize];
                    if b.valid {
                        b.valid = false;
                        self.invalidations += 1;
                    }
                }
            }
        }
        if self.invalidations > 0 && self.blocks.len() > 1 << 16 {
            // Self-modifying code churns: start over rather than keep dead blocks forever.
            self.flush(m);
        }
        self.lookup
            .map
            .retain(|_, idx| self.blocks[*idx as usize].valid);
        for e in &mut self.lookup.l1 {
            if e.0 != u64::MAX && !self.blocks[e.1 as usize].valid {
                e.0 = u64::MAX;
            }
        }
    }

    /// Drops everything.
    pub fn flush(&mut self, m: &mut Machine) {
        self.blocks.clear();
        self.max_block_cost = 0;
        self.cuts.clear();
        self.lookup.map.clear();
        self.lookup.l1.fill((u64::MAX, 0));
        self.by_page.clear();
        m.code_pages.clear();
        m.dirty_code.clear();
    }

    /// The `n` blocks with the most cycles: (pc, executions, cycles, distinct instructions).
    pub fn hottest(&self, n: usize) -> Vec<(u32, u64, u64, usize)> {
        let mut v: Vec<_> = self
            .blocks
            .iter()
            .filter(|b| b.run.execs.get() > 0)
            .map(|b| {
                (
                    b.pc,
                    b.run.execs.get(),
                    b.run.cycles.get(),
                    b.instructions(),
                )
            })
            .collect();
        v.sort_by_key(|&(pc, _, cycles, _)| (std::cmp::Reverse(cycles), pc));
        v.truncate(n);
        v
    }
}
