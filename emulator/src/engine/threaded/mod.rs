//! The cached threaded-code engine. Guest code is translated once into blocks of pre-decoded
//! instructions ([`translate`]), kept in a cache keyed by physical pc and mode ([`cache`]), and
//! executed from there with the same instruction semantics as the interpreter
//! ([`Machine::complete`]). It is cycle-exact with the interpreter:
//!
//! - every instruction's fetch is accounted as the interpreter's would be: the first through the
//!   TLB, the rest by checking that the code page's TLB entry is still the one the block
//!   started with (if not, the block ends and the next fetch walks, as it would);
//! - device events and the budget are checked once per block against the block's worst-case
//!   cost; a block that might cross one runs one instruction at a time instead;
//! - a fault mid-block leaves the interpreter's state, because each instruction retires
//!   individually; anything that changes what later instructions would see (a device access,
//!   a write to a code page) ends the block.

pub mod block;
pub mod cache;
pub mod translate;

use super::{Budget, Engine};
use crate::fault::Fault;
use crate::machine::{Exit, Machine};
use cache::{key, Cache};
use isa_spec::cost::LOAD_USE_STALL;
use isa_spec::cr::vector;

/// The threaded-code engine.
#[derive(Default)]
pub struct Threaded {
    /// Translated blocks and their execution counts.
    pub cache: Cache,
}

impl Threaded {
    /// An engine with an empty cache.
    pub fn new() -> Threaded {
        Threaded::default()
    }

    /// One dispatch: the boundary checks, then a block (or a single instruction).
    fn dispatch(&mut self, m: &mut Machine, budget: &Budget) {
        if m.cpu.cycles >= m.dev.next_event() {
            m.dev.service(m.cpu.cycles);
        }
        if m.cpu.interrupts_enabled() && m.dev.pic.deliverable() != 0 {
            m.steps += 1;
            m.take_interrupt();
            return;
        }
        self.cache.sync(m);
        let pc = m.cpu.pc;
        let ring = m.cpu.ring();
        let paging = m.cpu.paging();
        m.steps += 1;
        m.begin_instruction();
        let pa = match m.fetch_translate(pc) {
            Ok(pa) => pa,
            Err(f) => return m.take_fault(f, pc),
        };
        let k = key(pa, ring, paging);
        let idx = match self.cache.get(k) {
            Some(i) => i,
            None => match translate::translate(m, pa, pc, ring) {
                Some(b) => self.cache.insert(m, k, b),
                None => return single_fetched(m, pa, pc),
            },
        };
        let block = &mut self.cache.blocks[idx as usize];
        block.execs += 1;
        let start_cycles = m.cpu.cycles;
        let limit = m.dev.next_event().min(budget.max_cycles);
        let whole = m.cpu.cycles.saturating_add(block.max_cost) < limit
            && m.steps - 1 + block.ops.len() as u64 <= budget.max_steps;
        let n = if whole { block.ops.len() } else { 1 };
        // The code page's TLB entry as the first fetch left it; later fetches hit it or end the
        // block.
        let code_vpn = pc >> 12;
        let code_entry = m.tlb.entries[crate::tlb::Tlb::slot(code_vpn)];
        let delivered = m.delivered;
        m.block_exit = false;
        for (i, op) in block.ops[..n].iter().enumerate() {
            let op_pc = pc.wrapping_add(4 * i as u32);
            if i > 0 {
                if paging {
                    if m.tlb.entries[crate::tlb::Tlb::slot(code_vpn)] != code_entry {
                        break;
                    }
                    m.tlb.hits += 1;
                }
                m.steps += 1;
                m.begin_instruction();
            }
            if op.privilege_fault {
                m.take_fault(Fault::new(vector::PRIVILEGE, op_pc), op_pc);
                break;
            }
            let mut base = op.base;
            if i == 0 {
                let ll = m.cpu.last_load;
                if ll != 0 && op.insn.sources().contains(&ll) {
                    base += LOAD_USE_STALL;
                }
            }
            m.complete(&op.insn, op_pc, base);
            if m.block_exit || m.delivered != delivered || m.stop.is_some() {
                break;
            }
        }
        block.cycles += m.cpu.cycles - start_cycles;
    }
}

/// Executes one instruction whose fetch was translated to `pa` but which could not start a
/// block (an illegal word, or a bus error).
fn single_fetched(m: &mut Machine, pa: u32, pc: u32) {
    let word = match m.fetch_word(pa, pc) {
        Ok(w) => w,
        Err(f) => return m.take_fault(f, pc),
    };
    match isa_spec::decode(word) {
        Ok(insn) => m.retire(&insn, pc),
        Err(_) => m.take_fault(Fault::new(vector::ILLEGAL, pc), pc),
    }
}

impl Engine for Threaded {
    fn name(&self) -> &'static str {
        "threaded"
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
            self.dispatch(m, &budget);
        }
    }
}
