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
    memo: Vec<(u32, Option<Insn>)>,
}

impl Default for Interp {
    fn default() -> Self {
        Interp {
            tracer: None,
            // Word 0 is illegal: a correct entry for the initial (0, None).
            memo: vec![(0, None); MEMO_SIZE],
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
    step_with(m, &mut |w| isa_spec::decode(w).ok())
}

/// [`step`] with a given decoder.
#[inline(always)]
fn step_with(m: &mut Machine, decode: &mut impl FnMut(u32) -> Option<Insn>) {
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
    let Some(insn) = decode(word) else {
        return m.take_fault(Fault::new(vector::ILLEGAL, pc), pc);
    };
    // Common instructions take the shared fast path; the rest (and anything unusual) the full
    // one. Both are the same semantics.
    let ring = m.cpu.ring();
    let result = exec_fast(m, &insn, pc, ring);
    if result != FULL {
        let ll = m.cpu.last_load;
        let stall = if ll != 0 && insn.sources().contains(&ll) {
            LOAD_USE_STALL
        } else {
            0
        };
        return m.retire_fast(&insn, pc, insn.op.info().cycles + stall, result);
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
                        if e.0 != w {
                            *e = (w, isa_spec::decode(w).ok());
                        }
                        e.1
                    })
                }
                Some(t) => t.traced_step(m, step),
            }
        }
    }
}
