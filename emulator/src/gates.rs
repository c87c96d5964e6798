//! Call gates: `callg`, `retg`, and the checks of `trap`. Every rule is SPEC.md's gate table.

use crate::exceptions::Descriptor;
use crate::fault::Fault;
use crate::machine::{Access, Machine, Via};
use isa_spec::cr::{gate, gate_rule, num, status, vector, GATE_FRAME_WORDS};
use isa_spec::regs::SP;

/// What [`Machine::callg_plan`] found for a gate in the usual case: everything the call's
/// effects need besides the caller's pc and sp. Which state it depends on is listed in its
/// fields (and the TLB, for `pa`), so that a caller may remember it (the JIT's gate helper).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CallPlan {
    /// The descriptor's address (GBASE + 8 n: aligned, in RAM, in one page).
    pub addr: u32,
    /// The descriptor's two words (entry, flags) as read.
    pub words: [u32; 2],
    /// The ring the gate enters.
    pub target: u8,
    /// The stack the frame goes on (`Cpu::entry_stack` of `target`).
    pub new_sp: u32,
    /// The frame's address: `new_sp` less the frame.
    pub frame: u32,
    /// The frame's physical address (a permitted TLB hit for `target`, or paging off).
    pub pa: u32,
}

impl Machine {
    /// Reads gate `n`'s descriptor, checking the limit.
    #[inline(always)]
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
    #[inline]
    pub(crate) fn callg(&mut self, n: u32, pc: u32) -> Result<(), Fault> {
        self.callg_paging(n, pc, self.cpu.paging())
    }

    /// [`Machine::callg`], `paging` being the machine's paging bit (which an engine may know
    /// statically).
    #[inline(always)]
    pub(crate) fn callg_paging(&mut self, n: u32, pc: u32, paging: bool) -> Result<(), Fault> {
        if self.callg_usual(n, pc, paging) {
            return Ok(());
        }
        self.callg_any(n, pc)
    }

    /// `callg n` at `pc` in the usual case, done in full here (returns true): a gate without
    /// parameters whose descriptor is in RAM and passes the checks, its frame aligned in one
    /// page, a permitted TLB hit (or paging off), in RAM, and no watchpoint set. Anything
    /// else returns false having changed nothing, for [`Machine::callg_any`], which gives
    /// the same result in this case (the same reads, checks, TLB hit and writes).
    #[inline(always)]
    pub(crate) fn callg_usual(&mut self, n: u32, pc: u32, paging: bool) -> bool {
        match self.callg_plan(n, paging) {
            Some(plan) => {
                self.callg_apply(n, pc, plan, paging);
                true
            }
            None => false,
        }
    }

    /// The checks of [`Machine::callg_usual`], nothing changed: where gate `n` goes and where
    /// its frame is, if it is the usual case (else `None`).
    #[inline(always)]
    pub(crate) fn callg_plan(&self, n: u32, paging: bool) -> Option<CallPlan> {
        if n >= self.cpu.crs[num::GLIMIT as usize] {
            return None;
        }
        let addr = self.cpu.crs[num::GBASE as usize].wrapping_add(n.wrapping_mul(gate::SIZE));
        let in_page = (addr & 0xfff) + gate::SIZE <= 0x1000;
        if addr & 3 != 0 || !in_page || !self.ram.contains(addr, gate::SIZE) {
            return None;
        }
        // SAFETY: `addr` is aligned and its 8 bytes are RAM, in one page (tested above).
        let [entry, flags] = unsafe { self.ram.load_words(addr as usize) };
        let d = Descriptor::decode(entry, flags);
        if self.check_call(&d).is_err() || d.params != 0 || !self.watch.is_empty() {
            return None;
        }
        let new_sp = self.cpu.entry_stack(d.target);
        let frame = new_sp.wrapping_sub(4 * GATE_FRAME_WORDS);
        let pa = self.frame_hit(frame, GATE_FRAME_WORDS, Access::Write, d.target, paging)?;
        Some(CallPlan {
            addr,
            words: [entry, flags],
            target: d.target,
            new_sp,
            frame,
            pa,
        })
    }

    /// The effects of [`Machine::callg_usual`] once [`Machine::callg_plan`] found `plan`
    /// (for `callg n` at `pc`): the frame written, sp, the ring, the counts, the pc.
    #[inline(always)]
    pub(crate) fn callg_apply(&mut self, n: u32, pc: u32, plan: CallPlan, paging: bool) {
        let cpl = self.cpu.ring();
        let old_sp = self.cpu.regs[SP as usize];
        self.tlb.hits += paging as u64;
        self.write_gate_frame(plan.pa, [pc.wrapping_add(4), cpl as u32, old_sp]);
        self.cpu.regs[SP as usize] = plan.frame;
        let st = (self.cpu.status() & !status::RING_MASK) | plan.target as u32;
        self.set_status(st, Via::Gate(n), old_sp, 0);
        self.stats.gate_calls.count(n);
        self.cpu.pc = plan.words[0];
    }

    /// Writes the three words of a gate frame at `pa`, found by [`Machine::frame_hit`] (no
    /// watchpoint set): plain stores when its chunk takes them (it then holds no translated
    /// code, so the write drops none), else with the code-page check.
    #[inline(always)]
    fn write_gate_frame(&mut self, pa: u32, words: [u32; GATE_FRAME_WORDS as usize]) {
        debug_assert!(self.watch.is_empty());
        let x = pa as usize;
        // SAFETY: `frame_hit` found the frame aligned, its 12 bytes in RAM and in one page.
        if unsafe { self.ram.store_plain_words(x, words) } {
            return;
        }
        self.note_ram_write(pa);
        self.ram.set_words(x, &words);
    }

    /// `callg n` at `pc`, any case (faults included).
    #[inline(never)]
    fn callg_any(&mut self, n: u32, pc: u32) -> Result<(), Fault> {
        let d = self.gate_descriptor(n)?;
        self.check_call(&d)?;
        let cpl = self.cpu.ring();
        let old_sp = self.cpu.regs[SP as usize];
        let new_sp = self.cpu.entry_stack(d.target);
        let header = [pc.wrapping_add(4), cpl as u32, old_sp];
        let frame = if d.params == 0 {
            // The usual gate: a frame of known length, nothing read at the caller's sp.
            let frame = new_sp.wrapping_sub(4 * GATE_FRAME_WORDS);
            let pas = self.frame_addrs(frame, GATE_FRAME_WORDS, Access::Write, d.target)?;
            self.write_frame(&pas, header);
            frame
        } else {
            self.frame_with_params(&d, cpl, old_sp, new_sp, header)?
        };
        self.cpu.regs[SP as usize] = frame;
        let st = (self.cpu.status() & !status::RING_MASK) | d.target as u32;
        self.set_status(st, Via::Gate(n), old_sp, d.params);
        self.stats.gate_calls.count(n);
        self.cpu.pc = d.entry;
        Ok(())
    }

    /// `callg`'s frame for a gate with parameters: they are read with the caller's rights,
    /// the frame written with the callee's; both are checked in full before anything changes,
    /// so a fault here is precise. Returns the frame's address (the new sp).
    #[inline(never)]
    fn frame_with_params(
        &mut self,
        d: &Descriptor,
        cpl: u8,
        old_sp: u32,
        new_sp: u32,
        header: [u32; GATE_FRAME_WORDS as usize],
    ) -> Result<u32, Fault> {
        let param_pas = self.frame_addrs(old_sp, d.params, Access::Read, cpl)?;
        let words = GATE_FRAME_WORDS + d.params;
        let frame = new_sp.wrapping_sub(4 * words);
        let frame_pas = self.frame_addrs(frame, words, Access::Write, d.target)?;
        let mut words = [0u32; GATE_FRAME_WORDS as usize + 15];
        words[..header.len()].copy_from_slice(&header);
        for (p, pa) in words[header.len()..].iter_mut().zip(param_pas.iter()) {
            *p = self.ram.word(pa as usize);
        }
        self.write_frame_words(&frame_pas, &words[..(GATE_FRAME_WORDS + d.params) as usize]);
        Ok(frame)
    }

    /// `retg`: returns through the frame at sp; never inward.
    #[inline]
    pub(crate) fn retg(&mut self) -> Result<(), Fault> {
        self.retg_paging(self.cpu.paging())
    }

    /// [`Machine::retg`], `paging` being the machine's paging bit.
    #[inline(always)]
    pub(crate) fn retg_paging(&mut self, paging: bool) -> Result<(), Fault> {
        if self.retg_usual(paging) {
            return Ok(());
        }
        self.retg_any()
    }

    /// `retg` in the usual case, done in full here (returns true): its frame aligned in one
    /// page, a permitted TLB hit (or paging off), in RAM, and a good frame. Anything else
    /// returns false having changed nothing, for [`Machine::retg_any`] (which gives the same
    /// result in this case).
    #[inline(always)]
    pub(crate) fn retg_usual(&mut self, paging: bool) -> bool {
        match self.retg_frame(paging) {
            Some(pa) => self.retg_apply(pa, paging),
            None => false,
        }
    }

    /// The TLB hit of [`Machine::retg_usual`], nothing changed: the frame's physical address
    /// if it is aligned in one page, a permitted TLB hit for the current ring (or paging
    /// off), in RAM. It reads sp, the ring and the TLB, nothing else.
    #[inline(always)]
    pub(crate) fn retg_frame(&self, paging: bool) -> Option<u32> {
        let sp = self.cpu.regs[SP as usize];
        self.frame_hit(sp, GATE_FRAME_WORDS, Access::Read, self.cpu.ring(), paging)
    }

    /// The rest of [`Machine::retg_usual`] once [`Machine::retg_frame`] found the frame at
    /// `pa`: the frame read and checked (false, nothing changed, if it is not a good one),
    /// sp, the ring, the counts, the pc.
    #[inline(always)]
    pub(crate) fn retg_apply(&mut self, pa: u32, paging: bool) -> bool {
        let cpl = self.cpu.ring();
        let sp = self.cpu.regs[SP as usize];
        // SAFETY: `retg_frame` found the frame aligned, its 12 bytes in RAM and in one page.
        let [ret, ring_word, saved_sp] = unsafe { self.ram.load_words(pa as usize) };
        if ring_word & !status::RING_MASK != 0 || (ring_word as u8) < cpl {
            return false;
        }
        self.tlb.hits += paging as u64;
        self.cpu.regs[SP as usize] = saved_sp;
        let st = (self.cpu.status() & !status::RING_MASK) | ring_word;
        self.set_status(st, Via::Retg, sp, 0);
        self.cpu.pc = ret;
        true
    }

    /// `retg`, any case (faults included).
    #[inline(never)]
    fn retg_any(&mut self) -> Result<(), Fault> {
        let cpl = self.cpu.ring();
        let sp = self.cpu.regs[SP as usize];
        let pas = self.frame_addrs(sp, GATE_FRAME_WORDS, Access::Read, cpl)?;
        let [ret, ring_word, saved_sp] = self.read_frame(&pas);
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

    /// The checks `trap v` makes before delivering (limit is the vector count).
    pub(crate) fn check_trap(&self, v: u32) -> Result<(), Fault> {
        if v >= vector::COUNT as u32 {
            return Err(Fault::gate(gate_rule::LIMIT));
        }
        let d = self.vector_descriptor(v as u8)?;
        self.check_call(&d)
    }
}
