//! The modeled TLB: 64 entries, direct-mapped by virtual page number, unified for fetch and data.
//! It is architectural (its misses cost cycles and its stale entries are visible), so both
//! engines go through this one model.
//!
//! Beside the entries it keeps, derived from them, the tag an access must match to hit an
//! entry *and* be permitted, per ring and access kind ([`Tlb::permitted_hit`]): a hit that
//! needs no further check is then one compare. Data tags are only ever set for pages wholly
//! in RAM ([`Tlb::set_ram_end`]): a data access that matches one needs no bounds check either
//! (a device's page, or one past RAM, takes the full path).

use isa_spec::cost::TLB_ENTRIES;
use isa_spec::cr::pte;
use std::sync::atomic::{AtomicU64, Ordering};

/// Versions of TLB contents, unique in the process: every change to a TLB's entries takes
/// the next, so two TLBs (a copy, a restored state) with the same version hold the same
/// entries. The JIT's host TLB is valid for the version it was filled from.
static VERSIONS: AtomicU64 = AtomicU64::new(1);

/// The next TLB version.
fn next_version() -> u64 {
    VERSIONS.fetch_add(1, Ordering::Relaxed)
}

/// Access kind, for translation and faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Data read.
    Read = 0,
    /// Data write.
    Write = 1,
    /// Instruction fetch.
    Exec = 2,
}

/// Tag of an empty slot (no virtual page number is this large).
const INVALID: u32 = u32::MAX;

/// One cached translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TlbEntry {
    /// Virtual page number, or `INVALID`.
    pub vpn: u32,
    /// The leaf page-table entry as the walk left it (frame, R/W/X, ring, A, D).
    pub pte: u32,
}

/// Tag that no access matches (a matched address has at most its two low bits set).
const NO_TAG: u32 = u32::MAX;

/// For one access kind ([`Access`]: read, write, exec) and one ring, each slot's
/// permitted-access tag: `vpn << 12` where the entry lets that ring make that access (a write
/// only with D already set, since a write through a clean entry walks), else [`NO_TAG`].
type RingTags = [u32; TLB_ENTRIES];

/// The TLB. Saved as its entries and counters; the derived tags are rebuilt on loading (the
/// machine sets RAM's end again: [`Tlb::set_ram_end`]). Equal when the entries and counters
/// are: the rest is derived.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(into = "TlbState", try_from = "TlbState")]
pub struct Tlb {
    /// Slots, indexed by `vpn % TLB_ENTRIES`. Changed only through the methods below, which
    /// keep the derived tags in step.
    entries: [TlbEntry; TLB_ENTRIES],
    /// Per access kind, ring and slot: derived from `entries`.
    tags: [[RingTags; 4]; 3],
    /// Per slot, derived from its entry: what to add to a virtual address in its page to get
    /// the physical address (the frame minus the page's base), so that a hit costs one add.
    addends: [u32; TLB_ENTRIES],
    /// Physical frames below this end are wholly in RAM: only their entries get data tags.
    ram_end: u64,
    /// The version of the entries (see [`VERSIONS`]).
    version: u64,
    /// Lookups that hit.
    pub hits: u64,
    /// Lookups that walked.
    pub misses: u64,
}

impl PartialEq for Tlb {
    fn eq(&self, other: &Tlb) -> bool {
        self.entries == other.entries && self.hits == other.hits && self.misses == other.misses
    }
}

impl Eq for Tlb {}

impl Default for Tlb {
    fn default() -> Self {
        Tlb {
            entries: [TlbEntry {
                vpn: INVALID,
                pte: 0,
            }; TLB_ENTRIES],
            tags: [[[NO_TAG; TLB_ENTRIES]; 4]; 3],
            addends: [0; TLB_ENTRIES],
            ram_end: u64::MAX,
            version: next_version(),
            hits: 0,
            misses: 0,
        }
    }
}

/// What a saved TLB holds: the entries by slot and the counters (the derived tags and addends
/// are rebuilt from the entries, so a saved state cannot hold inconsistent ones).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct TlbState {
    entries: Vec<TlbEntry>,
    hits: u64,
    misses: u64,
}

impl From<Tlb> for TlbState {
    fn from(t: Tlb) -> TlbState {
        TlbState {
            entries: t.entries.to_vec(),
            hits: t.hits,
            misses: t.misses,
        }
    }
}

impl TryFrom<TlbState> for Tlb {
    type Error = String;

    fn try_from(s: TlbState) -> Result<Tlb, String> {
        if s.entries.len() != TLB_ENTRIES {
            return Err(format!(
                "{} TLB entries where the machine has {TLB_ENTRIES}",
                s.entries.len()
            ));
        }
        let mut t = Tlb {
            hits: s.hits,
            misses: s.misses,
            ..Tlb::default()
        };
        for (slot, e) in s.entries.iter().enumerate() {
            if e.vpn == INVALID {
                // An emptied slot keeps its old PTE (it is never used, but it is compared).
                t.entries[slot] = *e;
                continue;
            }
            // An entry is only ever in its own slot; one elsewhere could never be looked up.
            if Tlb::slot(e.vpn) != slot || e.vpn >= 1 << 20 {
                return Err(format!("TLB slot {slot} holds page {:#x}", e.vpn));
            }
            t.fill(e.vpn, e.pte);
        }
        Ok(t)
    }
}

impl Tlb {
    /// The slot for a virtual page number.
    #[inline]
    pub fn slot(vpn: u32) -> usize {
        vpn as usize % TLB_ENTRIES
    }

    /// The cached PTE for `vpn`, if present.
    #[inline]
    pub fn lookup(&self, vpn: u32) -> Option<u32> {
        let e = &self.entries[Self::slot(vpn)];
        (e.vpn == vpn).then_some(e.pte)
    }

    /// The entries, by slot.
    pub fn entries(&self) -> &[TlbEntry; TLB_ENTRIES] {
        &self.entries
    }

    /// The physical address for an access of `size` bytes (1, 2 or 4) at `va` from `ring` if
    /// it hits an entry that permits it, the address aligned (else `None`: the access takes
    /// the full check, which may walk or fault). Does not count the hit.
    #[inline(always)]
    pub fn permitted_hit(&self, va: u32, size: u32, access: Access, ring: u8) -> Option<u32> {
        let slot = Self::slot(va >> 12);
        let tag = self.tags[access as usize][ring as usize & 3][slot];
        // A misaligned address keeps a low bit and cannot equal a tag.
        if va & (0xffff_f000 | (size - 1)) != tag {
            return None;
        }
        Some(va.wrapping_add(self.addends[slot]))
    }

    /// Caches a translation, evicting whatever held its slot.
    pub fn fill(&mut self, vpn: u32, pte: u32) {
        self.version = next_version();
        let slot = Self::slot(vpn);
        self.entries[slot] = TlbEntry { vpn, pte };
        self.addends[slot] = (pte & pte::FRAME_MASK).wrapping_sub(vpn << 12);
        let page_ring = (pte >> pte::RING_SHIFT) & 3;
        let in_ram = (pte & pte::FRAME_MASK) as u64 + 0x1000 <= self.ram_end;
        let permits = [
            pte & pte::R != 0 && in_ram,
            pte & pte::W != 0 && pte & pte::D != 0 && in_ram,
            pte & pte::X != 0,
        ];
        // The page's tag where permitted, else `NO_TAG` (all ones), without branches: this
        // runs at every walk.
        let base = vpn << 12;
        let tag = |permitted: bool| base | (permitted as u32).wrapping_sub(1);
        for ring in 0..4 {
            let in_ring = ring as u32 <= page_ring;
            for (kind, permitted) in permits.iter().enumerate() {
                self.tags[kind][ring][slot] = tag(*permitted && in_ring);
            }
        }
    }

    /// Sets RAM's size in bytes (the machine's; unlimited by default): data accesses hit
    /// [`Tlb::permitted_hit`] only in pages wholly below it. The entries' tags are derived
    /// again.
    pub fn set_ram_end(&mut self, bytes: u64) {
        self.ram_end = bytes;
        self.version = next_version();
        for slot in 0..TLB_ENTRIES {
            let e = self.entries[slot];
            if e.vpn != INVALID {
                self.fill(e.vpn, e.pte);
            }
        }
    }

    /// Empties `slot`.
    fn clear_slot(&mut self, slot: usize) {
        self.version = next_version();
        self.entries[slot].vpn = INVALID;
        self.addends[slot] = 0;
        for tags in self.tags.iter_mut().flatten() {
            tags[slot] = NO_TAG;
        }
    }

    /// Invalidates everything.
    pub fn flush(&mut self) {
        for slot in 0..TLB_ENTRIES {
            self.clear_slot(slot);
        }
    }

    /// Invalidates the entry for `vpn` if its slot holds that page.
    pub fn invalidate(&mut self, vpn: u32) {
        let slot = Self::slot(vpn);
        if self.entries[slot].vpn == vpn {
            self.clear_slot(slot);
        }
    }

    /// The version of the entries: changed by every fill, invalidation and flush, and the
    /// same only for TLBs with the same entries.
    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// Valid entries, for the debugger's `info tlb`.
    pub fn valid(&self) -> impl Iterator<Item = (usize, &TlbEntry)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.vpn != INVALID)
    }
}

#[cfg(test)]
mod tests {
    use super::Access;
    use super::Tlb;
    use isa_spec::cr::pte;

    /// The derived tags agree with the rule they stand for, for every combination of
    /// permission bits, page ring, access ring, kind, size and alignment, and follow the
    /// entries through fill, invalidate and flush.
    #[test]
    fn permitted_hits_are_exactly_the_permitted_aligned_hits() {
        let vpn = 0x12345;
        for bits in 0..16u32 {
            let (r, w, d, x) = (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0, bits & 8 != 0);
            for page_ring in 0..4u32 {
                let pte_bits = 0x0abc_d000
                    | pte::P
                    | pte::A
                    | if r { pte::R } else { 0 }
                    | if w { pte::W } else { 0 }
                    | if d { pte::D } else { 0 }
                    | if x { pte::X } else { 0 }
                    | page_ring << pte::RING_SHIFT;
                let mut t = Tlb::default();
                t.fill(vpn, pte_bits);
                for ring in 0..4u8 {
                    for access in [Access::Read, Access::Write, Access::Exec] {
                        for size in [1u32, 2, 4] {
                            for off in [0u32, 1, 2, 3, 0xffc, 0xffe] {
                                let va = vpn << 12 | off;
                                let permitted = ring as u32 <= page_ring
                                    && match access {
                                        Access::Read => r,
                                        Access::Write => w && d,
                                        Access::Exec => x,
                                    };
                                let expect =
                                    (permitted && off % size == 0).then_some(0x0abc_d000 | off);
                                assert_eq!(
                                    t.permitted_hit(va, size, access, ring),
                                    expect,
                                    "pte {pte_bits:#x} ring {ring} {access:?} size {size} off {off:#x}"
                                );
                                // Another page in the same slot never hits.
                                let other = (vpn + 64) << 12 | off;
                                assert_eq!(t.permitted_hit(other, size, access, ring), None);
                            }
                        }
                    }
                }
                t.invalidate(vpn + 64); // another page: the entry stays
                assert_eq!(t.permitted_hit(vpn << 12, 4, Access::Read, 0).is_some(), r);
                t.invalidate(vpn);
                assert_eq!(t.permitted_hit(vpn << 12, 4, Access::Read, 0), None);
                t.fill(vpn, pte_bits);
                t.flush();
                assert_eq!(t.permitted_hit(vpn << 12, 4, Access::Read, 0), None);
            }
        }
    }

    /// Data accesses hit only pages wholly in RAM (a device's page, RAM's last partial page
    /// and beyond take the full path); fetches are not concerned; moving RAM's end derives
    /// the tags again.
    #[test]
    fn data_tags_only_for_pages_wholly_in_ram() {
        let all = pte::P | pte::A | pte::D | pte::R | pte::W | pte::X;
        let mut t = Tlb::default();
        t.set_ram_end(0x3800); // 3.5 pages
        t.fill(1, 0x2000 | all); // wholly in RAM
        t.fill(2, 0x3000 | all); // half in RAM
        t.fill(3, 0xf000_0000 | all); // a device
        for access in [Access::Read, Access::Write] {
            assert_eq!(t.permitted_hit(0x1004, 4, access, 0), Some(0x2004));
            assert_eq!(t.permitted_hit(0x2004, 4, access, 0), None);
            assert_eq!(t.permitted_hit(0x3004, 4, access, 0), None);
        }
        for va in [0x1004, 0x2004, 0x3004] {
            assert!(t.permitted_hit(va, 4, Access::Exec, 0).is_some());
        }
        assert_eq!(
            t.lookup(2),
            Some(0x3000 | all),
            "the entry itself is cached"
        );
        t.set_ram_end(0x4000);
        assert_eq!(t.permitted_hit(0x2004, 4, Access::Read, 0), Some(0x3004));
        assert_eq!(t.permitted_hit(0x3004, 4, Access::Read, 0), None);
    }
}
