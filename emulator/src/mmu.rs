//! Address translation: paging off = identity; paging on = the modeled TLB, and on a miss a
//! two-level walk that sets accessed/dirty bits. Check order (SPEC.md): not present, ring,
//! permission.

use crate::fault::Fault;
use crate::machine::{Access, Machine};
use crate::tlb::Tlb;
use isa_spec::cost::TLB_WALK;
use isa_spec::cr::page_fault::{detail, NOT_PRESENT, PERMISSION, RING};
use isa_spec::cr::{num, pte, vector};

/// Checks a leaf PTE's ring field and R/W/X bit for an access from `ring`.
#[inline]
fn check(pte_bits: u32, access: Access, ring: u8) -> Result<(), u8> {
    if ring as u32 > (pte_bits >> pte::RING_SHIFT) & 3 {
        return Err(RING);
    }
    let need = match access {
        Access::Read => pte::R,
        Access::Write => pte::W,
        Access::Exec => pte::X,
    };
    if pte_bits & need == 0 {
        Err(PERMISSION)
    } else {
        Ok(())
    }
}

/// What a TLB hit with cached PTE `bits` means for an access: a fault if the bits deny it (a
/// hit is judged by the cached bits alone, even if the PTE has changed since); else `true`
/// for a permitted write through a clean entry, which re-walks to set D in memory, and
/// `false` for a hit that translates.
#[inline]
fn hit_walks(bits: u32, va: u32, access: Access, ring: u8) -> Result<bool, Fault> {
    check(bits, access, ring).map_err(|r| page_fault(va, access, r))?;
    Ok(access == Access::Write && bits & pte::D == 0)
}

fn page_fault(va: u32, access: Access, reason: u8) -> Fault {
    Fault {
        vector: vector::PAGE_FAULT,
        detail: detail(access as u8, reason),
        addr: va,
    }
}

/// A walk that found a permitted leaf, before its effects (see `Machine::walk_probe`).
struct Walked {
    pte_addr: u32,
    leaf: u32,
    updated: u32,
}

impl Walked {
    /// The physical address the walk translates `va` to.
    fn pa(&self, va: u32) -> u32 {
        (self.updated & pte::FRAME_MASK) | (va & 0xfff)
    }
}

/// One step of a page walk, for the debugger's `info pagetable`.
#[derive(Clone, Copy, Debug)]
pub struct WalkStep {
    /// Physical address of the entry.
    pub entry_addr: u32,
    /// The entry's value (`None` if the address is not RAM).
    pub entry: Option<u32>,
}

impl Machine {
    /// Translates `va` for `access` from `ring`. Paging off: identity.
    #[inline]
    pub fn translate(&mut self, va: u32, access: Access, ring: u8) -> Result<u32, Fault> {
        if !self.cpu.paging() {
            return Ok(va);
        }
        // A permitted hit is one compare against the TLB's derived tags (size 1: translation
        // itself does not care about alignment); the rest is the rule those tags stand for.
        if let Some(pa) = self.tlb.permitted_hit(va, 1, access, ring) {
            self.tlb.hits += 1;
            return Ok(pa);
        }
        let vpn = va >> 12;
        if let Some(bits) = self.tlb.lookup(vpn) {
            if !hit_walks(bits, va, access, ring)? {
                self.tlb.hits += 1;
                return Ok((bits & pte::FRAME_MASK) | (va & 0xfff));
            }
        }
        self.walk(va, access, ring)
    }

    /// The page walk on a TLB miss (counted, and charged, even when it faults).
    fn walk(&mut self, va: u32, access: Access, ring: u8) -> Result<u32, Fault> {
        self.tlb.misses += 1;
        self.acc_walk += TLB_WALK;
        let w = self.walk_probe(va, access, ring)?;
        Ok(self.walk_commit(va, w))
    }

    /// The reads and checks of a walk, without its effects: the leaf's address and value,
    /// and the value with A (and for a write D) set.
    #[inline]
    fn walk_probe(&self, va: u32, access: Access, ring: u8) -> Result<Walked, Fault> {
        let dir = self.cpu.crs[num::PTBASE as usize] & pte::FRAME_MASK;
        let pde_addr = dir.wrapping_add((va >> 22) * 4);
        let pde = self
            .peek_ram(pde_addr)
            .ok_or(Fault::new(vector::BUS_ERROR, va))?;
        if pde & pte::P == 0 {
            return Err(page_fault(va, access, NOT_PRESENT));
        }
        let pte_addr = (pde & pte::FRAME_MASK).wrapping_add(((va >> 12) & 0x3ff) * 4);
        let leaf = self
            .peek_ram(pte_addr)
            .ok_or(Fault::new(vector::BUS_ERROR, va))?;
        if leaf & pte::P == 0 {
            return Err(page_fault(va, access, NOT_PRESENT));
        }
        check(leaf, access, ring).map_err(|r| page_fault(va, access, r))?;
        let updated = leaf | pte::A | if access == Access::Write { pte::D } else { 0 };
        Ok(Walked {
            pte_addr,
            leaf,
            updated,
        })
    }

    /// The effects of a successful walk: A/D written back, the TLB filled. Returns the
    /// physical address.
    #[inline]
    fn walk_commit(&mut self, va: u32, w: Walked) -> u32 {
        if w.updated != w.leaf {
            self.set_ram_word(w.pte_addr, w.updated);
        }
        self.tlb.fill(va >> 12, w.updated);
        w.pa(va)
    }

    fn peek_ram(&self, pa: u32) -> Option<u32> {
        (pa & 3 == 0).then(|| self.ram.get(pa, 4)).flatten()
    }

    /// The walk for `va` as the hardware would do it, without side effects (debugger).
    pub fn walk_steps(&self, va: u32) -> [WalkStep; 2] {
        let dir = self.cpu.crs[num::PTBASE as usize] & pte::FRAME_MASK;
        let pde_addr = dir.wrapping_add((va >> 22) * 4);
        let pde = self.peek_ram(pde_addr);
        let pte_addr = (pde.unwrap_or(0) & pte::FRAME_MASK).wrapping_add(((va >> 12) & 0x3ff) * 4);
        let leaf = match pde {
            Some(p) if p & pte::P != 0 => self.peek_ram(pte_addr),
            _ => None,
        };
        [
            WalkStep {
                entry_addr: pde_addr,
                entry: pde,
            },
            WalkStep {
                entry_addr: pte_addr,
                entry: leaf,
            },
        ]
    }
}

impl Machine {
    /// The fast path of an access, shared by the engines: `Some(RAM index)` when `va` is
    /// aligned, translates without a walk (paging off, or a TLB hit that permits the access —
    /// for a write, with D already set) and lands in RAM. Counts the TLB hit. `paging` is the
    /// machine's paging bit. `None` means "take the full path", and nothing has changed.
    /// A returned index always passed `Ram::contains(index, size)` on this machine's RAM:
    /// the engines' unchecked RAM hits (`Ram::load`, `Ram::store`) rely on it.
    #[inline(always)]
    pub fn fast_ram_index(
        &mut self,
        va: u32,
        size: u32,
        access: Access,
        ring: u8,
        paging: bool,
    ) -> Option<usize> {
        debug_assert_eq!(paging, self.cpu.paging());
        let pa = if paging {
            self.tlb.permitted_hit(va, size, access, ring)?
        } else if va & (size - 1) == 0 {
            va
        } else {
            return None;
        };
        if !self.ram.contains(pa, size) {
            return None;
        }
        if paging {
            self.tlb.hits += 1;
        }
        Some(pa as usize)
    }

    /// The fast path's TLB refill, for an access that [`Machine::fast_ram_index`] turned
    /// down with paging on: a miss (or a write through a clean entry, which re-walks to set D)
    /// whose walk succeeds and lands, aligned, in RAM. Then it walks exactly as
    /// [`Machine::translate`] would (counted as a miss, its cycles in `acc_walk`, A/D written,
    /// the TLB filled) and returns `Some(RAM index)`. Otherwise — a fault, a device, a
    /// misaligned address, or a fill that would evict the entry of `code_vpn`, the page the
    /// engines are fetching from without looking at the TLB — `None`, nothing changed: the
    /// full path runs the access instead. Out of line: the hit is the common case. As for
    /// [`Machine::fast_ram_index`], a returned index passed `Ram::contains` on this RAM.
    #[cold]
    #[inline(never)]
    pub fn fast_refill(
        &mut self,
        va: u32,
        size: u32,
        access: Access,
        ring: u8,
        code_vpn: u32,
    ) -> Option<usize> {
        self.refill_for(va, size, access, ring, code_vpn, false)
    }

    /// [`Machine::fast_refill`]; with `may_evict_code`, also a fill that evicts the entry of
    /// `code_vpn` (for a caller that then ends its block after the instruction, so that the
    /// next fetch walks: the JIT's compiled code).
    #[inline]
    pub(crate) fn refill_for(
        &mut self,
        va: u32,
        size: u32,
        access: Access,
        ring: u8,
        code_vpn: u32,
        may_evict_code: bool,
    ) -> Option<usize> {
        let vpn = va >> 12;
        if va & (size - 1) != 0 || !may_evict_code && Tlb::slot(vpn) == Tlb::slot(code_vpn) {
            return None;
        }
        if let Some(bits) = self.tlb.lookup(vpn) {
            // A hit that `permitted_hit` refused: a fault, a device's page, or a write that
            // re-walks (only that is for here).
            if hit_walks(bits, va, access, ring) != Ok(true) {
                return None;
            }
        }
        let w = self.walk_probe(va, access, ring).ok()?;
        let pa = w.pa(va);
        if !self.ram.contains(pa, size) {
            return None;
        }
        self.tlb.misses += 1;
        self.acc_walk += TLB_WALK;
        self.walk_commit(va, w);
        Some(pa as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Config;
    use isa_spec::cr::status;

    /// Virtual address of the pages the tests map.
    const VA0: u32 = 0x40_0000;

    /// RAM of 64 KiB; page directory at 0x1000, one page table at 0x2000 mapping virtual page
    /// VA0 + k (k = 0..4) to `frames[k]` with leaf bits `bits[k]`; paging on.
    fn machine(pde_present: bool, frames: [u32; 4], bits: [u32; 4]) -> Machine {
        let mut m = Machine::new(Config {
            ram_size: 0x1_0000,
            ..Config::default()
        });
        m.cpu.crs[num::PTBASE as usize] = 0x1000;
        m.cpu.crs[num::STATUS as usize] |= status::PG;
        let pde = 0x2000 | if pde_present { pte::P } else { 0 };
        m.set_ram_word(0x1000 + (VA0 >> 22) * 4, pde);
        for k in 0..4 {
            m.set_ram_word(0x2000 + k * 4, frames[k as usize] | bits[k as usize]);
        }
        m
    }

    /// Leaf PTE bits number `leaf` of 64: P, R, W, X, A and D from its bits, and its value
    /// mod 4 as the page's ring.
    fn leaf_bits(leaf: u32) -> u32 {
        let flags = [pte::P, pte::R, pte::W, pte::X, pte::A, pte::D];
        flags
            .iter()
            .enumerate()
            .fold(0, |b, (n, f)| if leaf >> n & 1 != 0 { b | f } else { b })
            | (leaf % 4) << pte::RING_SHIFT
    }

    /// Everything a walk may change.
    fn effects(m: &Machine) -> (crate::ram::Ram, crate::tlb::Tlb, u32) {
        (m.ram.clone(), m.tlb.clone(), m.acc_walk)
    }

    /// The fast path's refill does exactly what the full path's translation does, or refuses
    /// and changes nothing; and it refuses only where it must (a fault, a device or beyond
    /// RAM, misalignment, the code page's slot, a hit that needs no walk). Over leaf bits,
    /// page rings, rings, access kinds, sizes, offsets, frames in and out of RAM, and what the
    /// TLB held before (nothing, the page with stale or current bits, another page in the slot).
    #[test]
    fn fast_refill_is_the_full_translation_or_nothing() {
        let va0 = VA0;
        let mut refilled = 0;
        for leaf in 0..64u32 {
            let bits = leaf_bits(leaf);
            for frame in [0x5000u32, 0xf000, 0x2_0000, 0xf000_0000] {
                for (pde_present, cached) in [
                    (true, 0),
                    (true, 1),
                    (true, 2),
                    (true, 3),
                    (true, 4),
                    (true, 5),
                    (false, 0),
                ] {
                    for ring in 0..4u8 {
                        for access in [Access::Read, Access::Write] {
                            for (size, off) in [(4u32, 0u32), (4, 0xffc), (2, 2), (1, 3), (4, 2)] {
                                let va = va0 | off;
                                let code_vpn = if cached == 3 { (va0 >> 12) + 64 } else { 1 };
                                let setup = || {
                                    let mut m = machine(pde_present, [frame; 4], [bits; 4]);
                                    match cached {
                                        // The page, cached with the bits it has...
                                        1 => m.tlb.fill(va0 >> 12, bits),
                                        // ...or with stale ones: all rights, dirty...
                                        2 => m.tlb.fill(va0 >> 12, frame | 0xff | 3 << 4),
                                        // ...or none (a hit that faults).
                                        4 => m.tlb.fill(va0 >> 12, frame | pte::P | pte::A),
                                        // ...or, stale, all rights to a device's frame.
                                        5 => m.tlb.fill(va0 >> 12, 0xf000_0000 | 0xff | 3 << 4),
                                        // Another page (the code page) in the slot.
                                        3 => m.tlb.fill(code_vpn, 0x6000 | 0xff),
                                        _ => {}
                                    }
                                    m
                                };
                                let mut fast = setup();
                                let before = effects(&fast);
                                let hit = fast.fast_ram_index(va, size, access, ring, true);
                                if hit.is_some() {
                                    continue;
                                }
                                let got = fast.fast_refill(va, size, access, ring, code_vpn);
                                let mut full = setup();
                                let translated = full.translate(va, access, ring);
                                let in_ram = |pa: u32| pa as usize + size as usize <= 0x1_0000;
                                let must_refuse = !va.is_multiple_of(size)
                                    || cached == 3
                                    || !matches!(translated, Ok(pa) if in_ram(pa));
                                let what = format!(
                                    "bits {bits:#x} frame {frame:#x} pde {pde_present} cached {cached} \
                                     ring {ring} {access:?} size {size} off {off:#x}"
                                );
                                match got {
                                    Some(x) => {
                                        assert!(!must_refuse, "{what}: refilled");
                                        assert_eq!(Ok(x as u32), translated, "{what}");
                                        assert_eq!(effects(&fast), effects(&full), "{what}");
                                        assert_eq!(fast.tlb.misses, full.tlb.misses, "{what}");
                                        assert_eq!(fast.tlb.hits, full.tlb.hits, "{what}");
                                        refilled += 1;
                                    }
                                    None => {
                                        assert!(must_refuse, "{what}: refused");
                                        assert!(effects(&fast) == before, "{what}: changed");
                                        assert_eq!(fast.tlb.misses, 0, "{what}");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(refilled > 1000, "{refilled}");
    }

    /// A gate or exception frame's addresses come out of `frame_addrs` (whose usual frame,
    /// in one page and a permitted hit, takes a shortcut) exactly as out of the general path:
    /// the same addresses or fault, the same TLB, RAM and walk cycles, the same hit and miss
    /// counts. Over leaf bits, what the TLB held, rings, access kinds, frame sizes and
    /// offsets (inside a page, ending at its end, crossing it, misaligned), paging on and off.
    #[test]
    fn frame_addrs_is_the_general_path() {
        let mut ok = 0;
        for leaf in 0..64u32 {
            let bits = leaf_bits(leaf);
            for (paging, cached, frame) in [
                (true, false, 0x5000u32),
                (true, true, 0x5000),
                (true, true, 0xf000),
                (true, true, 0xf000_0000),
                (false, false, 0),
            ] {
                for ring in 0..4u8 {
                    for access in [Access::Read, Access::Write] {
                        for words in [1u32, 3, 5] {
                            for off in [0u32, 0xff4, 0xff8, 0xffc, 2] {
                                let va = if paging { VA0 | off } else { 0xf000 | off };
                                let setup = || {
                                    let mut m =
                                        machine(true, [frame, 0x6000, 0x7000, 0x8000], [bits; 4]);
                                    if !paging {
                                        m.cpu.crs[num::STATUS as usize] &= !status::PG;
                                    }
                                    if cached {
                                        m.tlb.fill(VA0 >> 12, frame | bits);
                                    }
                                    m
                                };
                                let (mut a, mut b) = (setup(), setup());
                                let got = a.frame_addrs(va, words, access, ring);
                                let want = b.frame_addrs_walked(va, words, access, ring);
                                let what = format!(
                                    "bits {bits:#x} frame {frame:#x} paging {paging} cached \
                                     {cached} ring {ring} {access:?} words {words} off {off:#x}"
                                );
                                ok += got.is_ok() as u32;
                                assert_eq!(got, want, "{what}");
                                assert_eq!(effects(&a), effects(&b), "{what}");
                                assert_eq!(a.tlb.hits, b.tlb.hits, "{what}");
                                assert_eq!(a.tlb.misses, b.tlb.misses, "{what}");
                            }
                        }
                    }
                }
            }
        }
        assert!(ok > 1000, "{ok}");
    }
}
