//! Exception and interrupt delivery through the vector table, with double and triple faults.

use crate::fault::Fault;
use crate::machine::{Access, Delivered, Delivery, Exit, Machine, Via};
use isa_spec::cost::EXCEPTION_ENTRY;
use isa_spec::cr::{cause, gate, gate_rule, num, status, vector, EXCEPTION_FRAME_WORDS};
use isa_spec::regs::SP;

/// A decoded gate descriptor (gate table and vector table share the format).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor {
    /// Entry address.
    pub entry: u32,
    /// Present bit.
    pub present: bool,
    /// Ring the handler runs in.
    pub target: u8,
    /// Outermost ring allowed to use it explicitly.
    pub dpl: u8,
    /// Parameter words copied by `callg`.
    pub params: u32,
}

impl Descriptor {
    /// Decodes the two descriptor words.
    pub fn decode(entry: u32, flags: u32) -> Descriptor {
        Descriptor {
            entry,
            present: flags & gate::PRESENT != 0,
            target: ((flags >> gate::TARGET_SHIFT) & 3) as u8,
            dpl: ((flags >> gate::DPL_SHIFT) & 3) as u8,
            params: (flags >> gate::PARAMS_SHIFT) & 15,
        }
    }
}

/// Deliveries [`Machine::deliveries`] keeps (the newest).
pub const MAX_DELIVERY_LOG: usize = 1 << 16;

impl Machine {
    /// Reads the descriptor at physical `addr` (bus error if it is not in RAM or ROM).
    #[inline(always)]
    pub fn read_descriptor(&self, addr: u32) -> Result<Descriptor, Fault> {
        // The usual case, a table in RAM, as one 8-byte read. (The two words, not a
        // `Result`, come out of either path: the compiler then keeps the descriptor in
        // registers instead of assembling it on the stack.)
        let (entry, flags) = if addr & 3 == 0 && self.ram.contains(addr, 8) {
            let [entry, flags] = self.ram.words::<2>(addr as usize);
            (entry, flags)
        } else {
            self.descriptor_words_elsewhere(addr)
                .ok_or(Fault::new(vector::BUS_ERROR, addr))?
        };
        Ok(Descriptor::decode(entry, flags))
    }

    /// [`Machine::read_descriptor`]'s two words outside RAM (a table in ROM; `None`: a bus
    /// error).
    #[cold]
    #[inline(never)]
    fn descriptor_words_elsewhere(&self, addr: u32) -> Option<(u32, u32)> {
        let entry = self.peek_phys(addr, 4)?;
        let flags = self.peek_phys(addr.wrapping_add(4), 4)?;
        (addr & 3 == 0).then_some((entry, flags))
    }

    /// The vector-table descriptor for `v`.
    pub fn vector_descriptor(&self, v: u8) -> Result<Descriptor, Fault> {
        let base = self.cpu.crs[num::VBASE as usize];
        self.read_descriptor(base.wrapping_add(v as u32 * gate::SIZE))
    }

    /// Takes a synchronous fault raised by the instruction at `pc` (which does not retire).
    pub(crate) fn take_fault(&mut self, fault: Fault, pc: u32) {
        self.raise(fault.vector, fault.cause(), fault.addr, pc);
    }

    /// Delivers vector `v`; a failure becomes a double fault, and a failure of that a triple
    /// fault (the machine stops). Charges the entry cost and any walk cycles accrued.
    pub(crate) fn raise(&mut self, v: u8, cause_word: u32, faddr: u32, frame_pc: u32) {
        self.cpu.last_load = 0;
        self.delivered += 1;
        let cycle = self.cpu.cycles;
        let mut outcome = Delivered::Vector;
        if let Err(second) = self.deliver(v, cause_word, faddr, frame_pc) {
            self.stats.double_faults += 1;
            let df = cause(vector::DOUBLE_FAULT, v);
            outcome = Delivered::DoubleFault;
            if let Err(third) = self.deliver(vector::DOUBLE_FAULT, df, faddr, frame_pc) {
                outcome = Delivered::Nothing;
                self.stop = Some(Exit::TripleFault(format!(
                    "triple fault: {} (vector {v}) at pc {frame_pc:#010x} in ring {}; \
                     delivering it failed with {second}; delivering the double fault failed \
                     with {third}",
                    vector::name(v),
                    self.cpu.ring(),
                )));
            }
        }
        if let Some(log) = &mut self.deliveries {
            // The newest entries are kept: a guest faulting forever costs bounded memory.
            let d = Delivery {
                cycle,
                vector: v,
                cause: cause_word,
                pc: frame_pc,
                outcome,
            };
            crate::bounded::push_newest(log, d, MAX_DELIVERY_LOG);
        }
        self.cpu.cycles += (self.acc_walk + EXCEPTION_ENTRY) as u64;
        self.acc_walk = 0;
    }

    /// One delivery attempt; on error nothing architectural has changed.
    fn deliver(&mut self, v: u8, cause_word: u32, faddr: u32, frame_pc: u32) -> Result<(), Fault> {
        let d = self.vector_descriptor(v)?;
        let cpl = self.cpu.ring();
        if !d.present {
            return Err(Fault::gate(gate_rule::NOT_PRESENT));
        }
        if d.target > cpl {
            return Err(Fault::gate(gate_rule::OUTWARD));
        }
        if d.entry & 3 != 0 {
            return Err(Fault::gate(gate_rule::BAD_ENTRY));
        }
        let old_sp = self.cpu.regs[SP as usize];
        let new_sp = self.cpu.entry_stack(d.target);
        let frame = new_sp.wrapping_sub(4 * EXCEPTION_FRAME_WORDS);
        let pas = self.frame_addrs(frame, EXCEPTION_FRAME_WORDS, Access::Write, d.target)?;
        let old_status = self.cpu.status();
        let words = [frame_pc, old_status, cause_word, faddr, old_sp];
        self.write_frame(&pas, words);
        self.stats.deliveries[v as usize] += 1;
        self.cpu.crs[num::CAUSE as usize] = cause_word;
        self.cpu.crs[num::FADDR as usize] = faddr;
        self.cpu.regs[SP as usize] = frame;
        let new_status = (old_status & !(status::RING_MASK | status::IE)) | d.target as u32;
        self.set_status(new_status, Via::Vector(v), old_sp, 0);
        self.cpu.pc = d.entry;
        Ok(())
    }

    /// Takes the highest-priority deliverable interrupt line.
    pub(crate) fn take_interrupt(&mut self) {
        if let Some(line) = self.dev.pic.highest() {
            self.dev.pic.acknowledge(line);
            let v = vector::IRQ_BASE + line;
            self.acc_walk = 0;
            self.raise(v, cause(v, 0), 0, self.cpu.pc);
        }
    }

    /// `iret`: pops the exception frame (pc, status, cause, faddr, sp).
    pub(crate) fn iret(&mut self) -> Result<(), Fault> {
        let sp = self.cpu.regs[SP as usize];
        let pas = self.frame_addrs(sp, EXCEPTION_FRAME_WORDS, Access::Read, self.cpu.ring())?;
        let [pc, st, _, _, new_sp] = self.read_frame(&pas);
        self.cpu.regs[SP as usize] = new_sp;
        self.set_status(st, Via::Iret, sp, 0);
        self.cpu.pc = pc;
        Ok(())
    }
}
