//! Call gates: `callg`, `retg`, and the checks of `trap`. Every rule is SPEC.md's gate table.

use crate::exceptions::Descriptor;
use crate::fault::Fault;
use crate::machine::{Access, Machine, Via};
use isa_spec::cr::{gate, gate_rule, num, status, vector, GATE_FRAME_WORDS};
use isa_spec::regs::SP;

impl Machine {
    /// Reads gate `n`'s descriptor, checking the limit.
    pub fn gate_descriptor(&self, n: u32) -> Result<Descriptor, Fault> {
        if n >= self.cpu.crs[num::GLIMIT as usize] {
            return Err(Fault::gate(gate_rule::LIMIT));
        }
        let base = self.cpu.crs[num::GBASE as usize];
        self.read_descriptor(base.wrapping_add(n.wrapping_mul(gate::SIZE)))
    }

    /// Checks a descriptor for an explicit call from the current ring (present, DPL, outward,
    /// entry alignment), in the spec's order.
    fn check_call(&self, d: &Descriptor) -> Result<(), Fault> {
        let cpl = self.cpu.ring();
        if !d.present {
            Err(Fault::gate(gate_rule::NOT_PRESENT))
        } else if cpl > d.dpl {
            Err(Fault::gate(gate_rule::DPL))
        } else if d.target > cpl {
            Err(Fault::gate(gate_rule::OUTWARD))
        } else if d.entry & 3 != 0 {
            Err(Fault::gate(gate_rule::BAD_ENTRY))
        } else {
            Ok(())
        }
    }

    /// `callg n` at `pc`.
    pub(crate) fn callg(&mut self, n: u32, pc: u32) -> Result<(), Fault> {
        let d = self.gate_descriptor(n)?;
        self.check_call(&d)?;
        let cpl = self.cpu.ring();
        let old_sp = self.cpu.regs[SP as usize];
        let new_sp = if d.target < cpl {
            self.cpu.ring_stack(d.target)
        } else {
            old_sp
        };
        // Parameters are read with the caller's rights, the frame written with the callee's;
        // both are checked in full before anything changes, so a fault here is precise.
        let param_pas = self.frame_addrs(old_sp, d.params, Access::Read, cpl)?;
        let mut params = [0u32; 15];
        for (p, pa) in params.iter_mut().zip(param_pas.iter()) {
            *p = self.ram_word(pa);
        }
        let words = GATE_FRAME_WORDS + d.params;
        let frame = new_sp.wrapping_sub(4 * words);
        let frame_pas = self.frame_addrs(frame, words, Access::Write, d.target)?;
        let header = [pc.wrapping_add(4), cpl as u32, old_sp];
        let words_iter = header
            .into_iter()
            .chain(params.into_iter().take(d.params as usize));
        for (pa, w) in frame_pas.iter().zip(words_iter) {
            self.set_ram_word(pa, w);
        }
        self.cpu.regs[SP as usize] = frame;
        let st = (self.cpu.status() & !status::RING_MASK) | d.target as u32;
        self.set_status(st, Via::Gate(n), old_sp, d.params);
        self.stats.gate_calls.count(n);
        self.cpu.pc = d.entry;
        Ok(())
    }

    /// `retg`: returns through the frame at sp; never inward.
    pub(crate) fn retg(&mut self) -> Result<(), Fault> {
        let cpl = self.cpu.ring();
        let sp = self.cpu.regs[SP as usize];
        let pas = self.frame_addrs(sp, GATE_FRAME_WORDS, Access::Read, cpl)?;
        let [ret, ring_word, saved_sp] = [0, 1, 2].map(|i| self.ram_word(pas.get(i)));
        if ring_word & !status::RING_MASK != 0 {
            return Err(Fault::gate(gate_rule::BAD_FRAME));
        }
        if (ring_word as u8) < cpl {
            return Err(Fault::gate(gate_rule::RETURN_INWARD));
        }
        self.cpu.regs[SP as usize] = saved_sp;
        let st = (self.cpu.status() & !status::RING_MASK) | ring_word;
        self.set_status(st, Via::Retg, sp, 0);
        self.cpu.pc = ret;
        Ok(())
    }

    /// `callg n` at `pc` in its common case, with exactly [`Machine::callg`]'s effects: a gate
    /// without parameters, its descriptor in RAM, and a frame inside one page that translates
    /// on the fast path ([`Machine::fast_ram_index`]: a TLB hit that permits the write, D
    /// set) into RAM. Returns false, having changed nothing, in every other case; the caller
    /// then runs `callg`, which also raises the faults. The threaded engine uses it (gate calls
    /// are its slowest common instruction); the reference interpreter always runs `callg`,
    /// and the differential tests hold the two equal.
    pub(crate) fn callg_fast(&mut self, n: u32, pc: u32, paging: bool) -> bool {
        if n >= self.cpu.crs[num::GLIMIT as usize] || self.trace_writes.is_some() {
            return false;
        }
        let addr = self.cpu.crs[num::GBASE as usize].wrapping_add(n.wrapping_mul(gate::SIZE));
        let a = addr as usize;
        let Some(words) = self
            .ram
            .get(a..a + 8)
            .filter(|_| addr & 3 == 0)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        else {
            return false;
        };
        let [e0, e1, e2, e3, f0, f1, f2, f3] = words;
        let d = Descriptor::decode(
            u32::from_le_bytes([e0, e1, e2, e3]),
            u32::from_le_bytes([f0, f1, f2, f3]),
        );
        if d.params != 0 || self.check_call(&d).is_err() {
            return false;
        }
        let cpl = self.cpu.ring();
        let old_sp = self.cpu.regs[SP as usize];
        let new_sp = if d.target < cpl {
            self.cpu.ring_stack(d.target)
        } else {
            old_sp
        };
        let frame = new_sp.wrapping_sub(4 * GATE_FRAME_WORDS);
        let Some(pa) = self.frame_in_page(frame, Access::Write, d.target, paging) else {
            return false;
        };
        self.write_frame(pa, [pc.wrapping_add(4), cpl as u32, old_sp]);
        self.cpu.regs[SP as usize] = frame;
        let st = (self.cpu.status() & !status::RING_MASK) | d.target as u32;
        self.set_status(st, Via::Gate(n), old_sp, 0);
        self.stats.gate_calls.count(n);
        self.cpu.pc = d.entry;
        true
    }

    /// `retg` in its common case (the frame inside one page, translated on the fast path, a
    /// valid outward-or-level return), with exactly [`Machine::retg`]'s effects; false,
    /// having changed nothing, otherwise. See [`Machine::callg_fast`].
    pub(crate) fn retg_fast(&mut self, paging: bool) -> bool {
        let cpl = self.cpu.ring();
        let sp = self.cpu.regs[SP as usize];
        let Some(pa) = self.frame_in_page(sp, Access::Read, cpl, paging) else {
            return false;
        };
        let [ret, ring_word, saved_sp] = [0, 1, 2].map(|i| self.ram_word(pa + 4 * i));
        if ring_word & !status::RING_MASK != 0 || (ring_word as u8) < cpl {
            self.uncount_hit(paging);
            return false;
        }
        self.cpu.regs[SP as usize] = saved_sp;
        let st = (self.cpu.status() & !status::RING_MASK) | ring_word;
        self.set_status(st, Via::Retg, sp, 0);
        self.cpu.pc = ret;
        true
    }

    /// The physical address of a gate frame at `va` when all of it lies in one page that
    /// translates on the fast path into RAM (counting the one TLB hit the full path's
    /// translation would count).
    fn frame_in_page(&mut self, va: u32, access: Access, ring: u8, paging: bool) -> Option<u32> {
        let bytes = 4 * GATE_FRAME_WORDS;
        if va & 0xfff > 0x1000 - bytes {
            return None;
        }
        let pa = self.fast_ram_index(va, 4, access, ring, paging)?;
        if pa + bytes as usize > self.ram.len() {
            self.uncount_hit(paging);
            return None;
        }
        Some(pa as u32)
    }

    /// Takes back a TLB hit that [`Machine::fast_ram_index`] counted for an access the fast
    /// path then did not make (the full path will count it).
    fn uncount_hit(&mut self, paging: bool) {
        if paging {
            self.tlb.hits -= 1;
        }
    }

    /// The checks `trap v` makes before delivering (limit is the vector count).
    pub(crate) fn check_trap(&self, v: u32) -> Result<(), Fault> {
        if v >= vector::COUNT as u32 {
            return Err(Fault::gate(gate_rule::LIMIT));
        }
        let d = self.vector_descriptor(v as u8)?;
        self.check_call(&d)
    }
}
