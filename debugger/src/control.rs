//! Running the guest between stops: stepping, continuing, breakpoints, watchpoints,
//! catchpoints, and reverse execution.
//!
//! The guest runs in chunks through the engine's `run` with a [`Budget`]: a step limit (so
//! Ctrl-C, snapshots and serial output are handled between chunks) and the breakpoint
//! addresses, which the interpreter checks before each instruction. Write watchpoints use the
//! machine's write-watch hook; the engine returns right after a watched write. Only read and
//! access watchpoints and catchpoints need the debugger to look after every single step.

use crate::expr::{BreakTest, Expr};
use crate::points::{Catch, Kind, WatchKind};
use crate::session::{
    transition_count, CatchHit, CmdResult, DbgError, Debugger, StopWhy, WatchSeen,
};
use crate::INTERRUPTED;
use emulator::engine::{BreakCheck, BreakFilter};
use emulator::{Budget, Engine, Machine, Watched, WatchedAccess};
use isa_spec::cr::{num, vector};
use isa_spec::{Format, Opcode};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Steps per engine call: between chunks the debugger checks Ctrl-C and takes snapshots.
const CHUNK: u64 = 1 << 20;
/// Instructions per run while tracing: the trace (one line each) is handed out between runs,
/// so at most this many lines are held at once.
const TRACE_CHUNK: u64 = 1 << 14;
/// Steps between looks at the clock and the snapshot schedule.
const CHECK_EVERY: u64 = 1 << 16;

/// A place where a nexti/finish/until stops.
#[derive(Clone, Copy, Debug)]
pub struct StopAt {
    /// pc.
    pub addr: u32,
    /// Only in this ring.
    pub ring: Option<u8>,
    /// Only when sp is at least this (the frame has returned, not a deeper recursion).
    pub min_sp: Option<u32>,
}

impl StopAt {
    /// Is the machine at this place?
    pub fn matches(&self, m: &Machine) -> bool {
        m.cpu.pc == self.addr
            && self.ring.is_none_or_eq(m.cpu.ring())
            && self
                .min_sp
                .is_none_or_le(m.cpu.regs[isa_spec::regs::SP as usize])
    }
}

trait OptExt<T> {
    fn is_none_or_eq(&self, v: T) -> bool;
    fn is_none_or_le(&self, v: T) -> bool;
}

impl<T: PartialOrd + Copy> OptExt<T> for Option<T> {
    fn is_none_or_eq(&self, v: T) -> bool {
        match self {
            None => true,
            Some(x) => *x == v,
        }
    }
    fn is_none_or_le(&self, v: T) -> bool {
        match self {
            None => true,
            Some(x) => *x <= v,
        }
    }
}

/// What a run is for.
#[derive(Clone, Debug, Default)]
pub struct Goal {
    /// Stop when `Machine::steps` reaches this.
    pub target: Option<u64>,
    /// Internal stops (nexti, finish, until).
    pub stops: Vec<StopAt>,
    /// Honour the user's breakpoints, watchpoints and catchpoints.
    pub user_points: bool,
    /// Check stop points at the starting position too (reverse scans).
    pub check_start: bool,
}

/// Where the machine was before the step about to run, and its instruction (for
/// catchpoints). Watched accesses the machine reports itself ([`Machine::take_watched_access`]).
struct Pre {
    retired: u64,
    delivered: u64,
    transitions: u64,
    insn: Option<isa_spec::Insn>,
}

impl Pre {
    fn capture(m: &Machine) -> Pre {
        let insn = m
            .peek_virt(m.cpu.pc, 4)
            .and_then(|w| isa_spec::decode(w).ok());
        Pre {
            retired: m.cpu.retired,
            delivered: m.delivered,
            transitions: transition_count(m),
            insn,
        }
    }
}

/// Whether the watched `access` touched watchpoint `w`: by physical address for a physical
/// watchpoint, else by virtual address.
fn access_touches(access: &WatchedAccess, w: &crate::points::Watch) -> bool {
    if w.phys {
        overlaps(access.pa, access.size, w.addr, w.len)
    } else {
        overlaps(access.va, access.size, w.addr, w.len)
    }
}

/// `ranges` sorted, overlapping and adjacent ones merged.
fn merge(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

fn overlaps(a: u32, alen: u32, b: u32, blen: u32) -> bool {
    (a as u64) < b as u64 + blen as u64 && (b as u64) < a as u64 + alen as u64
}

impl Debugger {
    /// Reads a watched value.
    fn watch_value(&self, addr: u32, len: u32, phys: bool) -> Option<u32> {
        if phys {
            self.m.peek_phys(addr, len)
        } else {
            crate::expr::read_virt(&self.m, addr, len)
        }
    }

    /// Points the machine's watch hooks at the enabled watchpoints and records their values.
    fn arm_watch(&mut self) {
        let mut writes = Vec::new();
        let mut reads = Vec::new();
        let mut olds = Vec::new();
        for p in self.points.watches() {
            if let Kind::Watch(w) = &p.kind {
                olds.push((p.id, self.watch_value(w.addr, w.len, w.phys)));
                let (wr, rd) = match w.kind {
                    WatchKind::Write => (true, false),
                    WatchKind::Read => (false, true),
                    WatchKind::Access => (true, true),
                };
                for i in 0..w.len {
                    let a = w.addr.wrapping_add(i);
                    let pa = if w.phys {
                        Some(a)
                    } else {
                        self.m.debug_translate(a)
                    };
                    if let Some(pa) = pa {
                        let range = (pa, pa.saturating_add(1));
                        if wr {
                            writes.push(range);
                        }
                        if rd {
                            reads.push(range);
                        }
                    }
                }
            }
        }
        for (id, old) in olds {
            if let Some(p) = self.points.get_mut(id) {
                if let Kind::Watch(w) = &mut p.kind {
                    w.old = old;
                }
            }
        }
        self.m.set_watch(merge(writes), Watched::Writes);
        self.m.set_watch(merge(reads), Watched::Reads);
    }

    fn disarm_watch(&mut self) {
        self.m.clear_watch();
    }

    /// Checks a point's condition; errors count as "stop".
    fn cond_ok(&self, id: usize) -> Result<bool, String> {
        let Some(p) = self.points.list.iter().find(|p| p.id == id) else {
            return Ok(false);
        };
        condition_holds(p.cond.as_ref().map(|c| &c.1), &self.m, &self.values)
    }

    /// Registers a hit of point `id` (counts it, deletes a temporary breakpoint).
    fn hit(&mut self, id: usize) {
        let mut remove = false;
        if let Some(p) = self.points.get_mut(id) {
            p.hits += 1;
            remove = matches!(p.kind, Kind::Break { temp: true, .. });
        }
        if remove {
            self.points.remove(id);
        }
    }

    /// A breakpoint at the current pc whose condition holds.
    fn check_breaks(&mut self) -> Option<StopWhy> {
        let pc = self.m.cpu.pc;
        let mut found = None;
        for p in self.points.list.iter().filter(|p| p.enabled) {
            let Kind::Break { addr, temp } = p.kind else {
                continue;
            };
            if addr != pc {
                continue;
            }
            let ok = condition_holds(p.cond.as_ref().map(|c| &c.1), &self.m, &self.values);
            match ok {
                Ok(false) => continue,
                Ok(true) => {
                    found = Some(StopWhy::Breakpoint { id: p.id, temp });
                    break;
                }
                Err(msg) => {
                    found = Some(StopWhy::CondError { id: p.id, msg });
                    break;
                }
            }
        }
        if let Some(StopWhy::Breakpoint { id, .. }) = &found {
            self.hit(*id);
        }
        found
    }

    /// After a watched write: which write watchpoints changed value (or access ones were hit).
    fn check_watch_writes(&mut self, access: Option<WatchedAccess>) -> Option<StopWhy> {
        let mut found = None;
        let list: Vec<(usize, crate::points::Watch)> = self
            .points
            .watches()
            .filter_map(|p| match &p.kind {
                Kind::Watch(w) if w.kind != WatchKind::Read => Some((p.id, w.clone())),
                _ => None,
            })
            .collect();
        for (id, w) in list {
            let new = self.watch_value(w.addr, w.len, w.phys);
            let changed = new != w.old;
            // An access watchpoint reports every write that touches it (known exactly only
            // in single-step mode, where the access was decoded before the step).
            let touched = w.kind == WatchKind::Access
                && access.is_some_and(|a| a.write && access_touches(&a, &w));
            if let Some(p) = self.points.get_mut(id) {
                if let Kind::Watch(wm) = &mut p.kind {
                    wm.old = new;
                }
            }
            if found.is_none() && (changed || touched) {
                match self.cond_ok(id) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(msg) => {
                        found = Some(StopWhy::CondError { id, msg });
                        continue;
                    }
                }
                self.hit(id);
                let what = self
                    .points
                    .list
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.what.clone())
                    .unwrap_or_default();
                found = Some(StopWhy::Watch {
                    id,
                    kind: w.kind,
                    what,
                    seen: WatchSeen::Written { old: w.old, new },
                });
            }
        }
        found
    }

    /// After one step in single-step mode: catchpoints and read/access watchpoints.
    fn check_after_step(&mut self, pre: &Pre) -> Option<StopWhy> {
        let access = self.m.take_watched_access();
        let m = &self.m;
        let retired = m.cpu.retired > pre.retired;
        let delivered = m.delivered > pre.delivered;
        let ring_changed = transition_count(m) > pre.transitions;
        let cause = m.cpu.crs[num::CAUSE as usize];
        // An interrupt is taken at a boundary without executing anything (the device may
        // have raised its line at that very boundary, so it is recognized afterwards).
        let vec_now = (cause & 0xff) as u8;
        let irq = delivered
            && !retired
            && (vector::IRQ_BASE..vector::IRQ_BASE + vector::IRQ_LINES).contains(&vec_now);
        let mut candidates: Vec<(usize, StopWhy)> = Vec::new();
        for p in self.points.list.iter().filter(|p| p.enabled) {
            match &p.kind {
                Kind::Catch(c) => {
                    let hit = match c {
                        Catch::RingChange if ring_changed => {
                            m.last_transition.map(|t| CatchHit::RingChange {
                                from: t.from,
                                to: t.to,
                            })
                        }
                        Catch::Gate(n) => match pre.insn {
                            Some(i) if i.op == Opcode::Callg && retired && !delivered => {
                                let g = i.imm as u32;
                                (n.is_none() || *n == Some(g)).then(|| CatchHit::Gate {
                                    gate: g,
                                    from: m
                                        .last_transition
                                        .filter(|_| ring_changed)
                                        .map(|t| t.from)
                                        .unwrap_or(m.cpu.ring()),
                                })
                            }
                            _ => None,
                        },
                        Catch::Exception(v) if delivered && !irq => {
                            let vec = (cause & 0xff) as u8;
                            (v.is_none() || *v == Some(vec)).then(|| CatchHit::Exception {
                                vector: vec,
                                cause,
                                faddr: m.cpu.crs[num::FADDR as usize],
                            })
                        }
                        Catch::Interrupt(l) if irq => {
                            let line = vec_now - vector::IRQ_BASE;
                            (l.is_none() || *l == Some(line))
                                .then_some(CatchHit::Interrupt { line })
                        }
                        _ => None,
                    };
                    if let Some(hit) = hit {
                        candidates.push((p.id, StopWhy::Catch { id: p.id, hit }));
                    }
                }
                Kind::Watch(w) if w.kind != WatchKind::Write => {
                    if let Some(a) = access.filter(|a| a.read) {
                        if access_touches(&a, w) && retired {
                            let value = self.watch_value(w.addr, w.len, w.phys);
                            let why = StopWhy::Watch {
                                id: p.id,
                                kind: w.kind,
                                what: p.what.clone(),
                                seen: WatchSeen::Read { value },
                            };
                            candidates.push((p.id, why));
                        }
                    }
                }
                _ => {}
            }
        }
        for (id, why) in candidates {
            match self.cond_ok(id) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(msg) => return Some(StopWhy::CondError { id, msg }),
            }
            self.hit(id);
            return Some(why);
        }
        if self.m.take_watch_hit() || access.is_some_and(|a| a.write) {
            if let Some(why) = self.check_watch_writes(access) {
                return Some(why);
            }
        }
        None
    }

    /// Runs the engine: the threaded one when nothing has to be checked per instruction
    /// (breakpoints and write watchpoints it checks itself; single-stepped stop points and
    /// tracing need the interpreter).
    fn engine_run(&mut self, budget: Budget, plain: bool) -> emulator::Exit {
        if plain && self.engine.has_blocks() && !self.tracing {
            self.threaded.run(&mut self.m, budget)
        } else {
            self.interp.run(&mut self.m, budget)
        }
    }

    /// Runs forward until the goal or a stop point. `quiet`: a replay (no snapshots, no
    /// Ctrl-C).
    pub fn run_forward(&mut self, goal: &Goal, quiet: bool) -> StopWhy {
        // The console's input reaches the guest only in runs for the user, not in replays.
        let running = if quiet {
            None
        } else {
            self.console.as_ref().map(|c| c.running())
        };
        let why = self.run_forward_inner(goal, quiet);
        drop(running);
        self.disarm_watch();
        self.drain_serial();
        why
    }

    fn run_forward_inner(&mut self, goal: &Goal, quiet: bool) -> StopWhy {
        let start = self.m.steps;
        let use_points = goal.user_points;
        // The breakpoints' conditions go to the engines, which evaluate them where the run is
        // (GDB's target-side conditions): a false one costs no return to this loop. A point
        // whose condition fails to evaluate stops (check_breaks then reports the error), and
        // internal stops always stop.
        let conds: Vec<(u32, BreakTest)> = if use_points {
            self.points
                .enabled_breaks()
                .map(|(addr, cond)| (addr, BreakTest::new(cond)))
                .collect()
        } else {
            Vec::new()
        };
        let internal: Vec<u32> = goal.stops.iter().map(|s| s.addr).collect();
        let mut addrs: Vec<u32> = conds
            .iter()
            .map(|c| c.0)
            .chain(internal.iter().copied())
            .collect();
        addrs.sort_unstable();
        addrs.dedup();
        let checks = compiled_checks(&conds, &internal);
        let history = self.values.clone();
        let stops_here = |m: &Machine| {
            let pc = m.cpu.pc;
            let env = crate::expr::Env {
                m,
                history: &history,
            };
            internal.contains(&pc)
                || conds
                    .iter()
                    .any(|(addr, test)| *addr == pc && test.stops(&env))
        };
        let single = use_points && self.points.need_single_step();
        let watching = use_points && self.points.watches().next().is_some();
        if watching {
            self.arm_watch();
        } else {
            self.disarm_watch();
        }
        // Breakpoints and write watchpoints are data both engines check; only the
        // single-stepped points (read/access watches, catchpoints) rule the threaded one out.
        let plain = !single;
        let mut clock = (Instant::now(), start);
        let mut next_check = start;
        let mut first = true;
        loop {
            if let Some(e) = &self.m.stop {
                return StopWhy::Halted(e.clone());
            }
            if !quiet && INTERRUPTED.swap(false, Ordering::SeqCst) {
                return StopWhy::Interrupted;
            }
            let here = self.m.steps;
            if (here != start || (first && goal.check_start))
                && addrs.binary_search(&self.m.cpu.pc).is_ok()
            {
                let internal_stop = goal.stops.iter().any(|s| s.matches(&self.m));
                // A user's breakpoint where `finish` or `nexti` stops is reported (and a
                // temporary one deleted), as GDB does, rather than left to fire later.
                if use_points {
                    if let Some(why) = self.check_breaks() {
                        return why;
                    }
                }
                if internal_stop {
                    return StopWhy::Internal;
                }
            }
            first = false;
            if let Some(t) = goal.target {
                if here >= t {
                    return StopWhy::Done;
                }
            }
            // Speed and snapshots are looked at every so many steps, not at every stop of a
            // conditional breakpoint (reading the clock is not free).
            if !quiet && here >= next_check {
                next_check = here + CHECK_EVERY;
                let el = clock.0.elapsed().as_secs_f64();
                if el > 0.05 {
                    self.rate = (here - clock.1) as f64 / el;
                    clock = (Instant::now(), here);
                }
                let serial = self.serial_count;
                self.tt.maybe_take(&mut self.m, serial, self.rate);
            }
            // With a console, runs end at slice boundaries (see console.rs): Ctrl-C is seen
            // while the guest waits in `wfi`, at the same cycles in every run.
            let max_cycles = match self.console {
                Some(_) => crate::console::slice_end(self.m.cpu.cycles),
                None => u64::MAX,
            };
            if single {
                let pre = Pre::capture(&self.m);
                // Only this step's watched access counts.
                self.m.take_watched_access();
                let b = Budget {
                    max_cycles,
                    ..Budget::steps(&self.m, 1)
                };
                self.interp.run(&mut self.m, b);
                self.drain_serial();
                if let Some(why) = self.check_after_step(&pre) {
                    return why;
                }
                continue;
            }
            let limit = goal
                .target
                .unwrap_or(u64::MAX)
                .min(here.saturating_add(if self.tracing { TRACE_CHUNK } else { CHUNK }));
            // Standing on a breakpoint: its instruction runs first, in the same run.
            let on_break = addrs.binary_search(&self.m.cpu.pc).is_ok();
            let b = Budget {
                max_cycles,
                max_steps: limit,
                breakpoints: &addrs,
                resume_at: on_break.then_some(here),
                break_filter: Some(BreakFilter(&stops_here)),
                break_checks: &checks,
            };
            self.engine_run(b, plain);
            self.drain_serial();
            if self.m.take_watch_hit() {
                if let Some(why) = self.check_watch_writes(None) {
                    return why;
                }
            }
        }
    }

    /// `stepi N`.
    pub fn stepi(&mut self, n: u64) -> StopWhy {
        let goal = Goal {
            target: Some(self.m.steps.saturating_add(n)),
            user_points: true,
            ..Goal::default()
        };
        self.run_forward(&goal, false)
    }

    /// Is the instruction at pc a call that returns to pc + 4 (jal/jalr that link, callg,
    /// trap, brk)?
    pub fn is_call_at_pc(&self) -> bool {
        match self.insn_at(self.m.cpu.pc) {
            Some(i) => match i.op {
                Opcode::Jal | Opcode::Jalr => i.rd != 0,
                Opcode::Callg | Opcode::Trap | Opcode::Brk => true,
                _ => false,
            },
            None => false,
        }
    }

    /// `nexti N`: like stepi, but a call runs until it returns.
    pub fn nexti(&mut self, n: u64) -> StopWhy {
        for _ in 0..n {
            let why = if self.is_call_at_pc() {
                let pc = self.m.cpu.pc;
                let goal = Goal {
                    stops: vec![StopAt {
                        addr: pc.wrapping_add(4),
                        ring: Some(self.m.cpu.ring()),
                        min_sp: Some(self.m.cpu.regs[isa_spec::regs::SP as usize]),
                    }],
                    user_points: true,
                    ..Goal::default()
                };
                self.run_forward(&goal, false)
            } else {
                self.stepi(1)
            };
            if !matches!(why, StopWhy::Done | StopWhy::Internal) {
                return why;
            }
        }
        StopWhy::Done
    }

    /// `continue`.
    pub fn cont(&mut self) -> StopWhy {
        let goal = Goal {
            user_points: true,
            ..Goal::default()
        };
        self.run_forward(&goal, false)
    }

    /// Runs to one of `stops` (or a user stop point).
    pub fn run_to(&mut self, stops: Vec<StopAt>) -> StopWhy {
        let goal = Goal {
            stops,
            user_points: true,
            ..Goal::default()
        };
        self.run_forward(&goal, false)
    }

    /// Restores snapshot `i` (changes made after it are undone).
    pub fn restore_snap(&mut self, i: usize) {
        self.serial_count = self.tt.restore(i, &mut self.m);
    }

    /// Restores snapshot `i` and replays to exactly step `target`.
    pub fn travel(&mut self, i: usize, target: u64) {
        self.restore_snap(i);
        let tracer = self.interp.tracer.take();
        let goal = Goal {
            target: Some(target),
            ..Goal::default()
        };
        self.run_forward(&goal, true);
        self.interp.tracer = tracer;
    }

    /// `reverse-stepi N`.
    pub fn reverse_stepi(&mut self, n: u64) -> Result<StopWhy, DbgError> {
        let now = self.m.steps;
        let Some(first) = self.tt.earliest() else {
            return Err("no recorded history".into());
        };
        let wanted = now.checked_sub(n).filter(|&t| t >= first);
        let target = wanted.unwrap_or(first.min(now));
        let Some(i) = self.tt.latest_at_or_before(target) else {
            return Err("no recorded history".into());
        };
        self.travel(i, target);
        Ok(if wanted.is_none() {
            StopWhy::HistoryStart
        } else {
            StopWhy::Done
        })
    }

    /// `reverse-continue`: back to the previous breakpoint, watchpoint or catchpoint hit.
    pub fn reverse_continue(&mut self) -> Result<StopWhy, DbgError> {
        let now = self.m.steps;
        let saved_points = self.points.clone();
        let mut upper = now;
        loop {
            let Some(i) = self.tt.latest_before(upper) else {
                // Nothing earlier: go to the earliest state.
                let Some(first) = self.tt.latest_at_or_before(upper) else {
                    return Err("no recorded history".into());
                };
                let s = self.tt.steps_of(first);
                self.travel(first, s);
                self.points = saved_points;
                return Ok(StopWhy::HistoryStart);
            };
            let s = self.tt.steps_of(i);
            self.restore_snap(i);
            let tracer = self.interp.tracer.take();
            let mut last: Option<(u64, StopWhy)> = None;
            let mut check_start = true;
            loop {
                let goal = Goal {
                    target: Some(upper),
                    user_points: true,
                    check_start,
                    ..Goal::default()
                };
                check_start = false;
                let why = self.run_forward(&goal, true);
                match why {
                    StopWhy::Done | StopWhy::Halted(_) => break,
                    StopWhy::Interrupted | StopWhy::Internal | StopWhy::HistoryStart => break,
                    hit => {
                        if self.m.steps < now {
                            last = Some((self.m.steps, hit));
                        }
                    }
                }
                if self.m.steps >= upper {
                    break;
                }
            }
            self.interp.tracer = tracer;
            self.points = saved_points.clone();
            if let Some((h, why)) = last {
                self.travel(i, h);
                // Hit counts as in forward execution.
                if let StopWhy::Breakpoint { id, .. }
                | StopWhy::Watch { id, .. }
                | StopWhy::Catch { id, .. } = &why
                {
                    if let Some(p) = self.points.get_mut(*id) {
                        p.hits += 1;
                    }
                }
                return Ok(why);
            }
            if self.tt.latest_before(s).is_none() {
                self.travel(i, s);
                return Ok(StopWhy::HistoryStart);
            }
            upper = s;
        }
    }

    /// The user changed the machine: the recorded future is void from here.
    pub fn note_modified(&mut self) {
        let serial = self.serial_count;
        self.tt.modified(&mut self.m, serial);
    }

    /// `run`: start the program again from its loaded state.
    pub fn restart(&mut self) -> CmdResult {
        self.initial.restore(0, &mut self.m);
        self.tt.clear();
        self.tt.take(&mut self.m, 0);
        self.serial_count = 0;
        self.serial_shown = 0;
        self.seen_transitions = transition_count(&self.m);
        self.seen_delivered = self.m.delivered;
        self.last_stop_cycles = 0;
        self.prev_stop_cycles = 0;
        self.threaded = self.engine.block_engine();
        Ok(())
    }

    /// Does this instruction at `pc` jump backwards (a loop)?
    pub fn is_backward_branch(&self, pc: u32) -> bool {
        match self.insn_at(pc) {
            Some(i) => matches!(i.op.info().format, Format::B | Format::J) && i.imm < 0,
            None => false,
        }
    }
}

/// Whether a point's condition holds at `m` (no condition: it does).
fn condition_holds(cond: Option<&Expr>, m: &Machine, history: &[i64]) -> Result<bool, String> {
    match cond {
        None => Ok(true),
        Some(e) => e
            .eval(&crate::expr::Env { m, history })
            .map(|v| v as u32 != 0),
    }
}

/// The breakpoint conditions compiled code may test itself ([`Budget::break_checks`]): those
/// of the addresses whose every condition is `$reg OP constant` and where no internal stop is.
fn compiled_checks(conds: &[(u32, BreakTest)], internal: &[u32]) -> Vec<(u32, BreakCheck)> {
    let check = |t: &BreakTest| match t {
        BreakTest::RegCmp(c) => Some(*c),
        _ => None,
    };
    let simple = |addr: u32| {
        !internal.contains(&addr)
            && conds
                .iter()
                .filter(|c| c.0 == addr)
                .all(|(_, t)| check(t).is_some())
    };
    conds
        .iter()
        .filter(|c| simple(c.0))
        .filter_map(|(addr, t)| Some((*addr, check(t)?)))
        .collect()
}
