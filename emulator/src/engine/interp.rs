//! The reference interpreter: fetch, decode, execute, one instruction at a time. It is the
//! oracle the threaded engine is tested against, so it is written to be read, not to be fast.

use super::{Budget, Engine};
use crate::fault::Fault;
use crate::machine::{Exit, Machine};
use crate::trace::Tracer;
use isa_spec::cr::vector;

/// The reference interpreter.
#[derive(Default)]
pub struct Interp {
    /// When set, each retired instruction is written here (`--trace`).
    pub tracer: Option<Tracer>,
}

impl Interp {
    /// An interpreter without tracing.
    pub fn new() -> Interp {
        Interp::default()
    }
}

/// One instruction boundary: device events, then an interrupt or one instruction.
pub fn step(m: &mut Machine) {
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
    match isa_spec::decode(word) {
        Ok(insn) => m.retire(&insn, pc),
        Err(_) => m.take_fault(Fault::new(vector::ILLEGAL, pc), pc),
    }
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
            match &mut self.tracer {
                None => step(m),
                Some(t) => t.traced_step(m, step),
            }
        }
    }
}
