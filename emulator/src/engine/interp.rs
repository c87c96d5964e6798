//! The reference interpreter: fetch, decode, execute, one instruction at a time, every
//! instruction through the full path (`Machine::retire`). It is the oracle the threaded engine
//! is tested against, so it shares none of the threaded engine's fast path: a bug there shows
//! up as a difference between the two.

use super::{boundary, Budget, Engine};
use crate::exec::full::{execute_hits, Flow};
use crate::exec::retire::Counters;
use crate::exec::{load_dest, load_use_stall};
use crate::fault::Fault;
use crate::machine::{Exit, Machine};
use crate::trace::Tracer;
use isa_spec::cost::TAKEN_PENALTY;
use isa_spec::cr::vector;
use isa_spec::{Insn, Kind};

/// Entries of the decode memo.
const MEMO_SIZE: usize = 4096;

/// The reference interpreter.
pub struct Interp {
    /// When set, each retired instruction is written here (`--trace`).
    pub tracer: Option<Tracer>,
    /// Decoding is a pure function of the instruction word, so its results are memoized
    /// (slots chosen by address, entries checked by word: nothing here can go stale). Every
    /// instruction is still fetched.
    memo: Box<[Decoded; MEMO_SIZE]>,
}

/// A memoized decode.
#[derive(Clone, Copy, Debug)]
struct Decoded {
    /// The instruction word this entry is for.
    word: u32,
    /// The instruction (`None`: illegal).
    insn: Option<Insn>,
    /// What it may change besides registers, RAM and the clock ([`Reach`]).
    reach: Reach,
    /// Base cost from the table.
    cycles: u32,
    /// Bit r set when the instruction reads register r (r0 excluded).
    sources: u32,
    /// The register it loads (0 if not a load).
    load_dest: u8,
    /// Ring 0 only.
    privileged: bool,
}

/// How far an instruction's effects may reach, for the boundaries after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// Registers and the clock only (unless it faults).
    Registers,
    /// Also memory: through a TLB walk, the TLB, and through a device, anything.
    Memory,
    /// Anything (rings, the TLB, control registers, devices, the clock's events).
    Machine,
}

impl Decoded {
    fn new(word: u32) -> Decoded {
        let insn = isa_spec::decode(word).ok();
        let reach = match insn.map(|i| i.op.info().kind) {
            Some(Kind::Alu | Kind::Mul | Kind::Div | Kind::Branch | Kind::Jump) => Reach::Registers,
            Some(Kind::Load | Kind::Store) => Reach::Memory,
            Some(Kind::Atomic | Kind::Gate | Kind::Trap | Kind::System) | None => Reach::Machine,
        };
        Decoded {
            word,
            insn,
            reach,
            cycles: insn.map_or(0, |i| i.op.info().cycles),
            sources: insn.map_or(0, |i| i.source_mask()),
            load_dest: insn.as_ref().map_or(0, load_dest),
            privileged: insn.is_some_and(|i| i.op.info().privileged),
        }
    }
}

impl Default for Interp {
    fn default() -> Self {
        Interp {
            tracer: None,
            memo: vec![Decoded::new(0); MEMO_SIZE]
                .into_boxed_slice()
                .try_into()
                .expect("MEMO_SIZE entries"),
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
    if !boundary(m) {
        let mut page = CodePage::NONE;
        execute_one(m, &mut [Decoded::new(0)], &mut page);
    }
}

/// The page the last instruction was fetched from, so that the next fetch from it needs no
/// new translation. Valid only while instructions run that change neither the TLB, the ring
/// nor paging, so that a translation that hit once hits again (and is counted as the hit it
/// is).
struct CodePage {
    /// Virtual page number (`u32::MAX`: none).
    vpn: u32,
    /// Physical address of the page (in RAM).
    pa: u32,
    /// Paging on (fetches count TLB hits).
    paging: bool,
}

impl CodePage {
    const NONE: CodePage = CodePage {
        vpn: u32::MAX,
        pa: 0,
        paging: false,
    };

    /// Is `pc` an aligned address in this page? (The page bits and the two low bits in one
    /// test.)
    #[inline(always)]
    fn holds(&self, pc: u32) -> bool {
        self.vpn != Self::NONE.vpn && pc & 0xffff_f003 == self.vpn << 12
    }

    /// The instruction word at `pc` (which the page holds) and its physical address.
    #[inline(always)]
    fn word(&self, m: &Machine, pc: u32) -> (u32, u32) {
        let pa = self.pa | (pc & 0xfff);
        let word = m.ram.read_aligned(pa as usize, 4);
        (pa, word)
    }
}

/// The memo entry for `word` fetched from physical `pa`, decoded now if the slot holds
/// another word.
#[inline(always)]
fn decoded<const N: usize>(memo: &mut [Decoded; N], pa: u32, word: u32) -> &Decoded {
    let d = &mut memo[(pa >> 2) as usize & (N - 1)];
    if d.word != word {
        *d = Decoded::new(word);
    }
    d
}

/// Fetches, decodes and executes one instruction. Returns true when it changed nothing but
/// registers, RAM and the clock (no device, interrupt, TLB, ring or control-register state,
/// no exception): after such an instruction the next boundary needs no event or interrupt
/// check unless the clock reached the next event, and the next fetch from the same page
/// needs no translation. `memo` (N a power of two) holds decoded instructions.
#[inline(always)]
fn execute_one<const N: usize>(
    m: &mut Machine,
    memo: &mut [Decoded; N],
    page: &mut CodePage,
) -> bool {
    m.steps += 1;
    let pc = m.cpu.pc;
    m.begin_instruction();
    let (pa, word) = if page.holds(pc) {
        if page.paging {
            m.tlb.hits += 1;
        }
        page.word(m, pc)
    } else {
        match fetch(m, pc, page) {
            Ok(x) => x,
            Err(f) => {
                m.take_fault(f, pc);
                return false;
            }
        }
    };
    let d = decoded(memo, pa, word);
    let Some(insn) = &d.insn else {
        m.take_fault(Fault::new(vector::ILLEGAL, pc), pc);
        return false;
    };
    let reach = d.reach;
    let (delivered, misses) = (m.delivered, m.tlb.misses);
    // `Machine::retire`, with what it looks up in the table memoized.
    if d.privileged && m.cpu.ring() != 0 {
        m.take_fault(Fault::new(vector::PRIVILEGE, pc), pc);
        return false;
    }
    let base = d.cycles + load_use_stall(d.sources, m.cpu.last_load);
    m.complete(insn, pc, base, d.load_dest);
    m.delivered == delivered
        && match reach {
            Reach::Registers => true,
            // No walk (the TLB is as it was) and no device (no latency added).
            Reach::Memory => m.tlb.misses == misses && m.acc_extra == 0,
            Reach::Machine => false,
        }
}

/// Fetches the instruction at `pc` through the TLB: (physical address, word). Remembers the
/// page when it is RAM.
fn fetch(m: &mut Machine, pc: u32, page: &mut CodePage) -> Result<(u32, u32), Fault> {
    page.paging = m.cpu.paging();
    let pa = m.fetch_translate(pc)?;
    let word = m.fetch_word(pa, pc)?;
    if (pa as usize | 0xfff) < m.ram.len() {
        page.vpn = pc >> 12;
        page.pa = pa & !0xfff;
    }
    Ok((pa, word))
}

impl Engine for Interp {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn run(&mut self, m: &mut Machine, budget: Budget) -> Exit {
        m.wait_limit = budget.max_cycles;
        loop {
            if let Some(exit) = budget.exhausted(m) {
                return exit;
            }
            if let Some(t) = &mut self.tracer {
                t.traced_step(m, step);
                continue;
            }
            if boundary(m) {
                continue;
            }
            // Until the clock reaches the next device event or the budget, boundaries after
            // instructions that changed only registers, RAM and the clock need only these
            // limit checks.
            let limit = m.dev.next_event().min(budget.max_cycles);
            let debugging = m.watch_hit
                || !budget.breakpoints.is_empty()
                || !m.watch.is_empty()
                || !m.read_watch.is_empty();
            let mut page = CodePage::NONE;
            while execute_one(m, &mut self.memo, &mut page)
                && m.cpu.cycles < limit
                && m.steps < budget.max_steps
                && !(debugging && (m.watch_hit || budget.stops_at_breakpoint(m)))
            {
                if !debugging {
                    let steps = budget.max_steps;
                    if page.paging {
                        run_on_page::<true, MEMO_SIZE>(m, &mut self.memo, &page, limit, steps);
                    } else {
                        run_on_page::<false, MEMO_SIZE>(m, &mut self.memo, &page, limit, steps);
                    }
                    if m.cpu.cycles >= limit || m.steps >= steps {
                        break;
                    }
                }
            }
        }
    }
}

/// Runs instructions that change only registers and RAM (the [`Reach::Registers`] ones, and
/// the [`Reach::Memory`] ones whose access hits the TLB and RAM: no fetch can then miss,
/// nothing but the clock can raise an event) from the remembered code page with pc and the
/// counters in locals, until pc leaves the page, a limit is reached, or an instruction needs
/// more (a walk, a device, a fault); the machine is then brought up to date as of the
/// boundary before that instruction, which [`execute_one`] runs as usual. The same semantics
/// and costs as `Machine::complete`, without the per-instruction bookkeeping a fault or a
/// device would need.
#[inline(always)]
fn run_on_page<const PAGING: bool, const N: usize>(
    m: &mut Machine,
    memo: &mut [Decoded; N],
    page: &CodePage,
    limit: u64,
    max_steps: u64,
) {
    let mut counters = Counters::of(m);
    // While these instructions run, steps and retired move together, and every retired
    // instruction's fetch hit the page's TLB entry.
    let step_offset = m.steps - counters.retired;
    let retired_before = counters.retired;
    let retired_limit = max_steps.saturating_sub(step_offset);
    while page.holds(counters.pc) && counters.cycles < limit && counters.retired < retired_limit {
        let pc = counters.pc;
        let (pa, word) = page.word(m, pc);
        let d = decoded(memo, pa, word);
        let Some(insn) = &d.insn else {
            break;
        };
        if d.reach == Reach::Machine || d.privileged {
            break;
        }
        let base = d.cycles + load_use_stall(d.sources, counters.last_load);
        // A fault (division by zero), or an access that needs a walk or a device, has changed
        // nothing: execute_one runs it again.
        let Ok(flow) = execute_hits(m, insn, pc) else {
            break;
        };
        let (next, taken) = match flow {
            Flow::Next => (pc.wrapping_add(4), 0),
            Flow::Jump(target) => (target, TAKEN_PENALTY),
            Flow::Set | Flow::Deliver(_) | Flow::Halt(_) | Flow::Wait => {
                unreachable!("an ALU, memory, branch or jump instruction does not {flow:?}")
            }
        };
        counters.retire(next, (base + taken) as u64, d.load_dest);
    }
    let hits = PAGING.then(|| counters.retired - retired_before);
    counters.write_back(m, step_offset, hits);
}
