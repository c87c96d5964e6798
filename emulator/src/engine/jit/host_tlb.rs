//! The JIT's host TLB: for each slot of the machine's TLB, the tag a data access must match
//! (per access kind, for the ring compiled code runs in, as the machine's permitted tags) and the *host* address offset
//! of the page, so that a compiled load or store that hits is one compare, one add and the
//! host access: no RAM chunk table, no plain-store test. QEMU's softmmu TLB works the same way.
//!
//! It is a cache of two things and is kept exact by versions rather than by hooks:
//! - the machine's TLB entries: [`Tlb::version`] changes with every fill, invalidation and
//!   flush (and is the same only for the same entries);
//! - RAM's chunk tables (where a chunk's bytes are, whether it takes plain stores):
//!   [`ram::layout_epoch`] changes with every allocation and plain-store change, and the
//!   tables' address tells one RAM from another.
//!
//! The runtime calls [`HostTlb::sync`] before compiled code runs: if either changed, every
//! tag is emptied. While compiled code runs, only the miss helper changes the machine's TLB
//! (it empties that slot here and keeps the version in step), and a store that changes RAM's
//! layout ends the block. Entries are filled by the miss helper, only for pages the machine's
//! TLB permits the access to (so wholly in RAM) and, for writes, whose chunk takes plain
//! stores.

use crate::machine::Machine;
use crate::ram;
use crate::tlb::{Access, Tlb};
use isa_spec::cost::TLB_ENTRIES;
use std::mem::offset_of;

/// Tag that no access matches (a matched address has at most its two low bits set).
const NO_TAG: u32 = u32::MAX;

/// The host TLB (`#[repr(C)]`: compiled code reads its tables at constant offsets).
#[repr(C)]
pub struct HostTlb {
    /// Per access kind (0 read, 1 write) and slot: the page's base address where the entry
    /// permits that access from `ring`, else [`NO_TAG`].
    tags: [[u32; TLB_ENTRIES]; 2],
    /// Per access kind and slot: what to add to a virtual address of the page (wrapping) for
    /// the host address of its byte.
    addends: [[usize; TLB_ENTRIES]; 2],
    /// The machine TLB version the tags are good for.
    tlb_version: u64,
    /// The RAM layout epoch they are good for.
    ram_epoch: u64,
    /// The address of the RAM chunk table they were made from.
    ram_table: usize,
    /// The ring they are for (compiled code runs in one ring until the dispatcher's next
    /// call; a ring's own tags make emptying them cheap).
    ring: u8,
    /// Made while the debugger watched writes (no write entries then: every compiled store
    /// takes the checked store, which looks at the watch).
    watching: bool,
}

impl HostTlb {
    /// An empty host TLB (boxed: compiled code holds its address).
    pub fn new() -> Box<HostTlb> {
        Box::new(HostTlb {
            tags: [[NO_TAG; TLB_ENTRIES]; 2],
            addends: [[0; TLB_ENTRIES]; 2],
            tlb_version: 0,
            ram_epoch: 0,
            ram_table: 0,
            ring: 0,
            watching: false,
        })
    }

    /// Byte offset of the tags of a write (else a read).
    pub fn tags_offset(write: bool) -> i32 {
        (offset_of!(HostTlb, tags) + write as usize * TLB_ENTRIES * 4) as i32
    }

    /// Byte offset of the addends of a write (else a read).
    pub fn addends_offset(write: bool) -> i32 {
        let size = std::mem::size_of::<usize>();
        (offset_of!(HostTlb, addends) + write as usize * TLB_ENTRIES * size) as i32
    }

    /// Is it good for `m`'s TLB and RAM as they are, and for `ring`?
    fn in_step(&self, m: &Machine, ring: u8) -> bool {
        self.ring == ring
            && self.watching != m.watch.is_empty()
            && self.tlb_version == m.tlb.version()
            && self.ram_epoch == ram::layout_epoch()
            && self.ram_table == m.ram.raw_tables().0 as usize
    }

    /// Before compiled code runs on `m` in `ring`: empties every tag if the machine's TLB or
    /// RAM's layout changed since the tags were made, or they were for another ring.
    pub fn sync(&mut self, m: &Machine, ring: u8) {
        if !self.in_step(m, ring) {
            self.tags = [[NO_TAG; TLB_ENTRIES]; 2];
            self.ring = ring;
            self.watching = !m.watch.is_empty();
            self.tlb_version = m.tlb.version();
            self.ram_epoch = ram::layout_epoch();
            self.ram_table = m.ram.raw_tables().0 as usize;
        }
    }

    /// The miss helper refilled the machine TLB's slot for `va` (its version moved on from
    /// `before`, as the only change): empties that slot here and stays in step, if it was.
    pub fn refilled(&mut self, m: &Machine, va: u32, before: u64) {
        let slot = Tlb::slot(va >> 12);
        for tags in self.tags.iter_mut() {
            tags[slot] = NO_TAG;
        }
        if self.tlb_version == before {
            self.tlb_version = m.tlb.version();
        }
    }

    /// After a miss of an access of `size` bytes at `va` (physical `pa`) from `ring`: the
    /// entry for its page, if the machine's TLB permits the access (the page is then wholly in
    /// RAM) and, for a write, its chunk takes plain stores; nothing when out of step.
    pub fn fill(&mut self, m: &Machine, va: u32, pa: u32, size: u32, access: Access, ring: u8) {
        if !self.in_step(m, ring) || m.tlb.permitted_hit(va, size, access, ring).is_none() {
            return;
        }
        let write = access == Access::Write;
        if write && self.watching {
            return;
        }
        let (chunks, plain) = m.ram.raw_tables();
        let table = if write { plain } else { chunks };
        let chunk = (pa >> 16) as usize;
        // SAFETY: `pa` is in RAM (the machine's TLB permits the access only in pages wholly
        // in RAM), so `chunk` is a slot of either table, both as long as RAM's chunks.
        let base = unsafe { *table.add(chunk) };
        if base.is_null() {
            return;
        }
        let slot = Tlb::slot(va >> 12);
        let (vpage, ppage) = ((va & !0xfff) as usize, (pa & !0xfff) as usize);
        // A biased slot plus a RAM index addresses the byte: host(va) = base + ppage + (va -
        // vpage).
        self.addends[write as usize][slot] =
            (base as usize).wrapping_add(ppage).wrapping_sub(vpage);
        self.tags[write as usize][slot] = va & !0xfff;
    }
}
