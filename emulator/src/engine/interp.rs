//! The reference interpreter: fetch, decode, execute, one instruction at a time. It is the
//! oracle the threaded engine is tested against, so it is written to be read, not to be fast.

use super::{Budget, Engine};
use crate::exec::{exec_fast, FULL};
use crate::fault::Fault;
use crate::machine::{Exit, Machine};
use crate::trace::Tracer;
use isa_spec::cost::LOAD_USE_STALL;
use isa_spec::cr::vector;
use isa_spec::Insn;

/// Entries of the decode memo.
const MEMO_SIZE: usize = 4096;

/// The reference interpreter.
pub struct Interp {
    /// When set, each retired instruction is written here (`--trace`).
    pub tracer: Option<Tracer>,
    /// Decoding is a pure function of the instruction word, so its results are memoized by
    /// word (not by address: nothing here can go stale). Every instruction is still fetched.
    memo: Vec<Decoded>,
}

/// A memoized decode: the instruction and what the cycle model needs to know about it.
#[derive(Clone, Copy)]
struct Decoded {
    /// The instruction word this entry is for.
    word: u32,
    /// The instruction (`None`: illegal).
    insn: Option<Insn>,
    /// Base cost from the table.
    cycles: u32,
    /// Bit r set when the instruction reads register r (r0 excluded).
    sources: u32,
    /// The register it loads (0 if not a load).
    load_dest: u8,
}

impl Decoded {
    fn new(word: u32) -> Decoded {
        let insn = isa_spec::decode(word).ok();
        let (cycles, sources, load_dest) = match &insn {
            Some(i) => (
                i.op.info().cycles,
                i.sources().iter().fold(0u32, |m, &r| m | 1 << r) & !1,
                if i.op.info().kind == isa_spec::Kind::Load {
                    i.rd
                } else {
                    0
                },
            ),
            None => (0, 0, 0),
        };
        Decoded {
            word,
            insn,
            cycles,
            sources,
            load_dest,
        }
    }
}

impl Default for Interp {
    fn default() -> Self {
        Interp {
            tracer: None,
            memo: vec![Decoded::new(0); MEMO_SIZE],
        }
    }
}

impl Interp {
    /// An interpreter without tracing.
    pub fn new() -> Interp {
        Interp::default()
    }
}

/// One instruction boundary: device events, then an interrupt or one instruction.
pub fn step(m: &mut Machine) {
    step_with(m, &mut Decoded::new)
}

/// [`step`] with a given decoder.
#[inline(always)]
fn step_with(m: &mut Machine, decode: &mut impl FnMut(u32) -> Decoded) {
    m.steps += 1;
    if m.cpu.cycles >= m.dev.next_event() {
        m.dev.service(m.cpu.cycles);
    }
    if m.cpu.interrupts_enabled() && m.dev.pic.deliverable() != 0 {
        m.take_interrupt();
        return;
    }
    let pc = m.cpu.pc;
    m.begin_instruction();
    let word = match m.fetch(pc) {
        Ok(w) => w,
        Err(f) => return m.take_fault(f, pc),
    };
    let d = decode(word);
    let Some(insn) = d.insn else {
        return m.take_fault(Fault::new(vector::ILLEGAL, pc), pc);
    };
    // Common instructions take the shared fast path; the rest (and anything unusual) the full
    // one. Both are the same semantics.
    let ring = m.cpu.ring();
    let result = exec_fast(m, &insn, pc, ring);
    if result != FULL {
        let stall = ((d.sources >> m.cpu.last_load) & 1) * LOAD_USE_STALL;
        return m.retire_fast(pc, d.cycles + stall, result, d.load_dest);
    }
    m.retire(&insn, pc)
}

impl Engine for Interp {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn run(&mut self, m: &mut Machine, budget: Budget) -> Exit {
        loop {
            if let Some(exit) = &m.stop {
                return exit.clone();
            }
            if m.cpu.cycles >= budget.max_cycles {
                return Exit::CycleLimit;
            }
            if m.steps >= budget.max_steps {
                return Exit::StepLimit;
            }
            // Debugger stops: a watched location was written, or pc is at a breakpoint.
            if m.watch_hit
                || (!budget.breakpoints.is_empty() && budget.breakpoints.contains(&m.cpu.pc))
            {
                return Exit::Stopped;
            }
            match &mut self.tracer {
                None => {
                    let memo = &mut self.memo;
                    step_with(m, &mut |w| {
                        let slot = ((w ^ (w >> 13) ^ (w >> 26)) as usize) % MEMO_SIZE;
                        let e = &mut memo[slot];
                        if e.word != w {
                            *e = Decoded::new(w);
                        }
                        *e
                    })
                }
                Some(t) => t.traced_step(m, step),
            }
        }
    }
}
