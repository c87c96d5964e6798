//! The reference interpreter: fetch, decode, execute, one instruction at a time. It is the
//! oracle the threaded engine is tested against, so it is written to be read, not to be fast.

use super::{Budget, Engine};
use crate::exec::{exec_fast, fast_flow, load_use_stall, FULL};
use crate::fault::Fault;
use crate::machine::{Exit, Machine};
use crate::trace::Tracer;
use isa_spec::cr::vector;
use isa_spec::Insn;

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

/// A memoized decode: the instruction and what the cycle model needs to know about it.
#[derive(Clone, Copy, Debug)]
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
/// new translation, and the mode it ran in. Valid only while nothing but fast-path
/// instructions run: they never change the TLB, the ring or paging, so a translation that hit
/// once hits again (and is counted as the hit it is).
struct CodePage {
    /// Virtual page number (`u32::MAX`: none).
    vpn: u32,
    /// Physical address of the page (in RAM).
    pa: u32,
    /// Paging on (fetches count TLB hits).
    paging: bool,
    /// The current ring.
    ring: u8,
}

impl CodePage {
    const NONE: CodePage = CodePage {
        vpn: u32::MAX,
        pa: 0,
        paging: false,
        ring: 0,
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
        let i = pa as usize;
        let word = u32::from_le_bytes(m.ram[i..i + 4].try_into().expect("4 bytes"));
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

/// The instruction-boundary work: device events due, then a pending interrupt. Returns true
/// when an interrupt was taken (that is the step), the machine stopped, or it is still in a
/// `wfi` wait.
#[inline(always)]
fn boundary(m: &mut Machine) -> bool {
    if m.cpu.waiting && m.resume_wait() {
        return true;
    }
    if m.cpu.cycles >= m.dev.next_event() && m.service_devices() {
        // Stopped here (the console quit): the run loop ends the run.
        return true;
    }
    if m.cpu.interrupts_enabled() && m.dev.pic.deliverable() != 0 {
        m.steps += 1;
        m.take_interrupt();
        return true;
    }
    false
}

/// Fetches, decodes and executes one instruction. Returns true when it took the fast path,
/// which changes nothing but registers, RAM and the clock (no device, interrupt, ring or
/// control-register state): after such an instruction the next boundary needs no event or
/// interrupt check unless the clock reached the next event. `memo` (N a power of two)
/// holds decoded instructions.
#[inline(always)]
fn execute_one<const N: usize>(
    m: &mut Machine,
    memo: &mut [Decoded; N],
    page: &mut CodePage,
) -> bool {
    m.steps += 1;
    let pc = m.cpu.pc;
    // From the remembered page: the previous instruction took the fast path, so the
    // per-instruction accumulators are already clear and the fetch hits the TLB.
    let from_page = page.holds(pc);
    let (pa, word) = if from_page {
        if page.paging {
            m.tlb.hits += 1;
        }
        page.word(m, pc)
    } else {
        m.begin_instruction();
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
        if from_page {
            m.begin_instruction();
        }
        m.take_fault(Fault::new(vector::ILLEGAL, pc), pc);
        return false;
    };
    // Common instructions take the shared fast path; the rest (and anything unusual) the full
    // one. Both are the same semantics.
    let result = exec_fast(m, insn, || pc, page.ring, page.paging, true);
    if result != FULL {
        let stall = load_use_stall(d.sources, m.cpu.last_load);
        m.retire_fast(pc, d.cycles + stall, result, d.load_dest);
        return true;
    }
    if from_page {
        m.begin_instruction();
    }
    m.retire(insn, pc);
    false
}

/// Fetches the instruction at `pc` through the TLB: (physical address, word). Remembers the
/// mode, and the page when it is RAM.
fn fetch(m: &mut Machine, pc: u32, page: &mut CodePage) -> Result<(u32, u32), Fault> {
    page.ring = m.cpu.ring();
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
            // fast-path instructions need only these limit checks.
            let limit = m.dev.next_event().min(budget.max_cycles);
            let debugging = m.watch_hit || !budget.breakpoints.is_empty() || !m.watch.is_empty();
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

/// Runs fast-path instructions from the remembered code page (the last instruction took the
/// fast path, so the page's translation still hits and the accumulators are clear) with pc
/// and the counters in locals, until pc leaves the page, a limit is reached, or an
/// instruction needs more than the fast path; the machine is then brought up to date as of
/// the boundary before that instruction, which [`execute_one`] runs as usual. The same
/// steps as `execute_one`'s from-page case, without writing the counters back each time.
#[inline(always)]
fn run_on_page<const PAGING: bool, const N: usize>(
    m: &mut Machine,
    memo: &mut [Decoded; N],
    page: &CodePage,
    limit: u64,
    max_steps: u64,
) {
    let mut pc = m.cpu.pc;
    let mut cycles = m.cpu.cycles;
    let mut retired = m.cpu.retired;
    let mut last_load = m.cpu.last_load;
    // While only fast-path instructions run, steps and retired move together, and every
    // retired instruction's fetch hit the page's TLB entry.
    let step_offset = m.steps - retired;
    let retired_before = retired;
    let retired_limit = max_steps.saturating_sub(step_offset);
    while page.holds(pc) && cycles < limit && retired < retired_limit {
        let (pa, word) = page.word(m, pc);
        let d = decoded(memo, pa, word);
        let Some(insn) = &d.insn else {
            break;
        };
        // (A TLB miss leaves this loop: execute_one walks it, on its fast path.)
        let result = exec_fast(m, insn, || pc, page.ring, PAGING, false);
        if result == FULL {
            // Nothing changed: execute_one runs it the full way.
            break;
        }
        let (next, taken) = fast_flow(pc, result);
        cycles += (d.cycles + load_use_stall(d.sources, last_load) + taken) as u64;
        pc = next;
        retired += 1;
        last_load = d.load_dest;
    }
    m.cpu.pc = pc;
    m.cpu.cycles = cycles;
    m.cpu.retired = retired;
    m.steps = retired + step_offset;
    m.cpu.last_load = last_load;
    if PAGING {
        m.tlb.hits += retired - retired_before;
    }
}
