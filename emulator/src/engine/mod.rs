//! Execution engines: strategies over the same [`Machine`]. `run` drives one until the machine
//! stops or the budget is spent; the debugger, `ringfort run` and `bench` all use this one call.

pub mod interp;
#[cfg(feature = "jit")]
pub mod jit;
pub mod threaded;

use crate::machine::{Exit, Machine};

/// Limits of one `run` call (absolute values of the machine's counters).
#[derive(Clone, Copy, Debug)]
pub struct Budget<'a> {
    /// Stop before an instruction boundary at or past this cycle count.
    pub max_cycles: u64,
    /// Stop once the machine has taken this many steps in total (a step retires one
    /// instruction or delivers one exception/interrupt; see [`Machine::steps`]).
    pub max_steps: u64,
    /// Debugger breakpoints: stop with [`Exit::Stopped`] before executing an instruction at one
    /// of these addresses (both engines check them; the threaded one ends a block before one).
    pub breakpoints: &'a [u32],
    /// A run resuming from a breakpoint it stands on (the debugger's `continue`): while the
    /// machine's step count is this value, a breakpoint at pc does not stop the run, so the
    /// instruction there runs and the next hit stops it.
    pub resume_at: Option<u64>,
    /// Debugger breakpoint conditions evaluated where the run is (GDB's target-side
    /// conditions): at a breakpoint, the run stops only if this says so. `None`: always.
    pub break_filter: Option<BreakFilter<'a>>,
    /// The same conditions, for the breakpoints whose whole condition is simple enough for
    /// compiled code to test itself (the JIT tier: no call at a breakpoint whose condition is
    /// false): `(address, check)`, the run stopping at the address when any of its checks
    /// holds. Only addresses whose every condition is listed may be; compiled code leaves any
    /// other breakpoint to `break_filter`, before it.
    pub break_checks: &'a [(u32, BreakCheck)],
}

/// A breakpoint condition compiled code can test: register `reg` compared with `value`
/// (`==` and `!=` on the low 32 bits; the others on the register's value, a non-negative
/// number, against `value`), as the debugger's `$reg OP constant` conditions are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakCheck {
    /// The register (0-31).
    pub reg: u8,
    /// The comparison.
    pub cmp: BreakCmp,
    /// The constant.
    pub value: i64,
}

/// The comparison of a [`BreakCheck`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakCmp {
    /// `==` (low 32 bits).
    Eq,
    /// `!=` (low 32 bits).
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl BreakCheck {
    /// Does it hold for register value `x`?
    pub fn holds(&self, x: u32) -> bool {
        let (x, y) = (x as i64, self.value);
        match self.cmp {
            BreakCmp::Eq => x as u32 == y as u32,
            BreakCmp::Ne => x as u32 != y as u32,
            BreakCmp::Lt => x < y,
            BreakCmp::Le => x <= y,
            BreakCmp::Gt => x > y,
            BreakCmp::Ge => x >= y,
        }
    }
}

/// Whether a run at a breakpoint stops there (see [`Budget::break_filter`]).
#[derive(Clone, Copy)]
pub struct BreakFilter<'a>(pub &'a dyn Fn(&Machine) -> bool);

impl std::fmt::Debug for BreakFilter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BreakFilter(..)")
    }
}

impl<'a> Budget<'a> {
    /// No limit.
    pub const UNLIMITED: Budget<'a> = Budget {
        max_cycles: u64::MAX,
        max_steps: u64::MAX,
        breakpoints: &[],
        resume_at: None,
        break_filter: None,
        break_checks: &[],
    };

    /// Stop after `n` more steps on `m`.
    pub fn steps(m: &Machine, n: u64) -> Budget<'a> {
        Budget {
            max_cycles: u64::MAX,
            max_steps: m.steps.saturating_add(n),
            breakpoints: &[],
            resume_at: None,
            break_filter: None,
            break_checks: &[],
        }
    }
}

impl Budget<'_> {
    /// Why a run must return before the next step, if it must: the machine has stopped, a
    /// limit of this budget is reached, or a debugger stop point is hit (a watched location
    /// was written, or pc is at a breakpoint: [`Exit::Stopped`]). Every engine checks this at
    /// each dispatch.
    #[inline]
    pub fn exhausted(&self, m: &Machine) -> Option<Exit> {
        if let Some(exit) = &m.stop {
            Some(exit.clone())
        } else if m.cpu.cycles >= self.max_cycles {
            Some(Exit::CycleLimit)
        } else if m.steps >= self.max_steps {
            Some(Exit::StepLimit)
        } else if m.watch_hit
            || (!self.breakpoints.is_empty()
                && self.resume_at != Some(m.steps)
                && self.stops_at_breakpoint(m))
        {
            Some(Exit::Stopped)
        } else {
            None
        }
    }

    /// Is pc at one of the breakpoints, and does its filter (if any) say to stop?
    #[inline]
    pub fn stops_at_breakpoint(&self, m: &Machine) -> bool {
        self.breakpoints.contains(&m.cpu.pc) && self.break_filter.is_none_or(|f| (f.0)(m))
    }
}

/// The instruction-boundary work every engine does before an instruction: go on with a `wfi`
/// wait a run's budget cut short, run the device events due, then take a pending interrupt.
/// Returns true when that was the step (an interrupt was taken), the machine stopped, or it is
/// still waiting: then no instruction runs at this boundary.
#[inline(always)]
pub(crate) fn boundary(m: &mut Machine) -> bool {
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

/// One hot spot: a translated block and what it cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HotBlock {
    /// Virtual pc of the block's first instruction (when first translated).
    pub pc: u32,
    /// Times the block was entered.
    pub execs: u64,
    /// Cycles spent in it.
    pub cycles: u64,
    /// Distinct instructions in the block (an unrolled loop's copies count once).
    pub len: usize,
    /// Times the block was translated (more than once when stores into its page dropped it).
    pub translations: usize,
    /// Compiled to host code by the JIT tier (its latest translation).
    pub native: bool,
}

/// An execution engine.
pub trait Engine {
    /// Short name (`interp`, `threaded`).
    fn name(&self) -> &'static str;
    /// Runs `m` until it stops or `budget` is reached.
    fn run(&mut self, m: &mut Machine, budget: Budget) -> Exit;
    /// The `n` hottest blocks by cycles (engines that keep no blocks return none).
    fn hot_blocks(&self, n: usize) -> Vec<HotBlock> {
        let _ = n;
        Vec::new()
    }
    /// What a JIT tier did (blocks compiled, translation time, host code, instructions run
    /// in host code), one line per fact; `None` for engines without one.
    fn tier_report(&self) -> Option<String> {
        None
    }
}
