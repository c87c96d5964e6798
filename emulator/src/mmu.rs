//! Address translation: paging off = identity; paging on = the modeled TLB, and on a miss a
//! two-level walk that sets accessed/dirty bits. Check order (SPEC.md): not present, ring,
//! permission.

use crate::fault::Fault;
use crate::machine::{Access, Machine};
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

fn page_fault(va: u32, access: Access, reason: u8) -> Fault {
    Fault {
        vector: vector::PAGE_FAULT,
        detail: detail(access as u8, reason),
        addr: va,
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
        let vpn = va >> 12;
        if let Some(bits) = self.tlb.lookup(vpn) {
            // A hit is judged by the cached bits alone, even if the PTE has changed since.
            check(bits, access, ring).map_err(|r| page_fault(va, access, r))?;
            // A permitted write through a clean entry re-walks to set D in memory (a walk).
            if !(access == Access::Write && bits & pte::D == 0) {
                self.tlb.hits += 1;
                return Ok((bits & pte::FRAME_MASK) | (va & 0xfff));
            }
        }
        self.walk(va, access, ring)
    }

    /// The page walk on a TLB miss.
    fn walk(&mut self, va: u32, access: Access, ring: u8) -> Result<u32, Fault> {
        self.tlb.misses += 1;
        self.acc_walk += TLB_WALK;
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
        if updated != leaf {
            self.set_ram_word(pte_addr, updated);
        }
        self.tlb.fill(va >> 12, updated);
        Ok((updated & pte::FRAME_MASK) | (va & 0xfff))
    }

    fn peek_ram(&self, pa: u32) -> Option<u32> {
        let a = pa as usize;
        (pa & 3 == 0 && a + 4 <= self.ram.len())
            .then(|| u32::from_le_bytes(self.ram[a..a + 4].try_into().expect("4 bytes")))
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
        if pa as usize + size as usize > self.ram.len() {
            return None;
        }
        if paging {
            self.tlb.hits += 1;
        }
        Some(pa as usize)
    }
}
