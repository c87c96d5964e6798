//! The block cache: blocks keyed by physical pc and mode, with per-page lists so that a write
//! to a code page drops exactly that page's blocks (the invalidation half of self-modifying
//! code support; the detection half is [`Machine::note_ram_write`](crate::machine::Machine)).

use super::block::Block;
use crate::machine::Machine;
use std::collections::HashMap;

/// Cache key: physical pc, ring and paging bit (everything that changes how code runs).
#[inline]
pub fn key(pa: u32, ring: u8, paging: bool) -> u64 {
    (pa as u64) << 3 | (ring as u64) << 1 | paging as u64
}

/// Translated blocks.
#[derive(Default)]
pub struct Cache {
    /// All blocks ever translated (invalid ones stay until the next full flush).
    pub blocks: Vec<Block>,
    map: HashMap<u64, u32>,
    by_page: HashMap<u32, Vec<u32>>,
    epoch: u64,
    /// Blocks translated (for reports).
    pub translations: u64,
    /// Blocks dropped by writes to their pages.
    pub invalidations: u64,
}

impl Cache {
    /// The block for `key`, if translated and valid.
    #[inline]
    pub fn get(&self, key: u64) -> Option<u32> {
        self.map.get(&key).copied()
    }

    /// Adds a block; RAM pages are marked in the machine's code-page bitmap.
    pub fn insert(&mut self, m: &mut Machine, key: u64, block: Block) -> u32 {
        let idx = self.blocks.len() as u32;
        let page = block.pa >> 12;
        if (page as usize) < m.code_pages.len() {
            m.code_pages.set(page as usize, true);
            self.by_page.entry(page).or_default().push(idx);
        }
        self.blocks.push(block);
        self.map.insert(key, idx);
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
        self.map.retain(|_, idx| self.blocks[*idx as usize].valid);
    }

    /// Drops everything.
    pub fn flush(&mut self, m: &mut Machine) {
        self.blocks.clear();
        self.map.clear();
        self.by_page.clear();
        m.code_pages.fill(false);
        m.dirty_code.clear();
    }

    /// The `n` blocks with the most cycles: (pc, executions, cycles, instructions).
    pub fn hottest(&self, n: usize) -> Vec<(u32, u64, u64, usize)> {
        let mut v: Vec<_> = self
            .blocks
            .iter()
            .filter(|b| b.execs > 0)
            .map(|b| (b.pc, b.execs, b.cycles, b.ops.len()))
            .collect();
        v.sort_by_key(|&(pc, _, cycles, _)| (std::cmp::Reverse(cycles), pc));
        v.truncate(n);
        v
    }
}
