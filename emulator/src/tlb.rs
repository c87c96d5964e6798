//! The modeled TLB: 64 entries, direct-mapped by virtual page number, unified for fetch and data.
//! It is architectural (its misses cost cycles and its stale entries are visible), so both
//! engines go through this one model.

use isa_spec::cost::TLB_ENTRIES;

/// Tag of an empty slot (no virtual page number is this large).
const INVALID: u32 = u32::MAX;

/// One cached translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlbEntry {
    /// Virtual page number, or `INVALID`.
    pub vpn: u32,
    /// The leaf page-table entry as the walk left it (frame, R/W/X, ring, A, D).
    pub pte: u32,
}

/// The TLB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlb {
    /// Slots, indexed by `vpn % TLB_ENTRIES`.
    pub entries: [TlbEntry; TLB_ENTRIES],
    /// Lookups that hit.
    pub hits: u64,
    /// Lookups that walked.
    pub misses: u64,
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb {
            entries: [TlbEntry {
                vpn: INVALID,
                pte: 0,
            }; TLB_ENTRIES],
            hits: 0,
            misses: 0,
        }
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

    /// Caches a translation, evicting whatever held its slot.
    pub fn fill(&mut self, vpn: u32, pte: u32) {
        self.entries[Self::slot(vpn)] = TlbEntry { vpn, pte };
    }

    /// Invalidates everything.
    pub fn flush(&mut self) {
        for e in &mut self.entries {
            e.vpn = INVALID;
        }
    }

    /// Invalidates the entry for `vpn` if its slot holds that page.
    pub fn invalidate(&mut self, vpn: u32) {
        let e = &mut self.entries[Self::slot(vpn)];
        if e.vpn == vpn {
            e.vpn = INVALID;
        }
    }

    /// Valid entries, for the debugger's `info tlb`.
    pub fn valid(&self) -> impl Iterator<Item = (usize, &TlbEntry)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.vpn != INVALID)
    }
}
