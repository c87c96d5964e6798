//! The commands that run the machine: stepping, continuing, running to a place, finishing a
//! function, starting again, and going back in time.

use super::{parse_count, Call};
use crate::control::StopAt;
use crate::session::{format_value, CmdResult, DbgError, Debugger, StopWhy};

impl Debugger {
    /// `stepi [N]`.
    pub(super) fn cmd_stepi(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        self.require_running()?;
        let n = parse_count(self, rest, "step")?;
        let why = self.stepi(n);
        self.show_stop(&why);
        Ok(())
    }

    /// `nexti [N]`.
    pub(super) fn cmd_nexti(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        self.require_running()?;
        let n = parse_count(self, rest, "step")?;
        let why = self.nexti(n);
        self.show_stop(&why);
        Ok(())
    }

    /// `continue [N]`.
    pub(super) fn cmd_continue(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let n = parse_count(self, rest, "continue")?;
        self.require_running()?;
        for i in 0..n.max(1) {
            let why = self.cont();
            let last = i + 1 >= n.max(1)
                || !matches!(
                    why,
                    StopWhy::Breakpoint { .. } | StopWhy::Watch { .. } | StopWhy::Catch { .. }
                );
            if last {
                self.show_stop(&why);
                break;
            }
        }
        Ok(())
    }

    /// `until [LOC]`, `advance LOC`.
    pub(super) fn cmd_until(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        self.require_running()?;
        let mut stops = Vec::new();
        if rest.is_empty() {
            if c.name == "advance" {
                return Err(DbgError::hint("advance needs a location", "advance LOC"));
            }
            let pc = self.m.cpu.pc;
            if !self.is_backward_branch(pc) {
                let why = self.nexti(1);
                self.show_stop(&why);
                return Ok(());
            }
            stops.push(StopAt {
                addr: pc.wrapping_add(4),
                ring: Some(self.m.cpu.ring()),
                min_sp: Some(self.m.cpu.regs[isa_spec::regs::SP as usize]),
            });
        } else {
            let addr = self.resolve(rest)?;
            stops.push(StopAt {
                addr,
                ring: None,
                min_sp: None,
            });
        }
        if c.name == "until" {
            if let Some(f) = self.unwind(2).get(1) {
                stops.push(StopAt {
                    addr: f.pc,
                    ring: Some(f.ring),
                    min_sp: Some(f.sp),
                });
            }
        }
        let why = self.run_to(stops);
        self.show_stop(&why);
        Ok(())
    }

    /// `finish`.
    pub(super) fn cmd_finish(&mut self, _c: &Call) -> CmdResult {
        self.require_running()?;
        let frames = self.unwind(2);
        let Some(caller) = frames.get(1).cloned() else {
            return Err(DbgError::hint(
                "cannot find the caller of this frame",
                "`backtrace` shows what is known; `until LOC` runs to an address",
            ));
        };
        self.say(format!(
            "Run till exit from #0 {:#010x}{} [ring {}] to {:#010x}{} [ring {}]",
            self.m.cpu.pc,
            self.syms.angle(self.m.cpu.pc),
            self.m.cpu.ring(),
            caller.pc,
            self.syms.angle(caller.pc),
            caller.ring
        ));
        let back = StopAt {
            addr: caller.pc,
            ring: Some(caller.ring),
            min_sp: Some(caller.sp),
        };
        // A frame entered through a gate or vector is left by the retg/iret that pops
        // it, which may return elsewhere (a handler that skips the faulting
        // instruction): stop at those in this function too, with the frame on top.
        let leaves = match caller.frame_at {
            Some(at) => self.frame_exits(self.m.cpu.pc, self.m.cpu.ring(), at),
            None => Vec::new(),
        };
        let mut stops = vec![back];
        stops.extend(leaves.iter().copied());
        let mut why = self.run_to(stops);
        if why == StopWhy::Internal
            && leaves.iter().any(|s| s.matches(&self.m))
            && !back.matches(&self.m)
        {
            why = self.stepi(1);
            if why == StopWhy::Done {
                why = StopWhy::Internal;
            }
        }
        // A breakpoint at the return address is reported, and the frame did return.
        let returned = why == StopWhy::Internal
            || matches!(why, StopWhy::Breakpoint { .. }) && back.matches(&self.m);
        self.show_stop(&why);
        if returned {
            let a0 = self.m.cpu.reg(isa_spec::regs::A0);
            self.say(format!(
                "Value returned: $a0 = {}",
                format_value(a0 as i64, None)
            ));
        }
        Ok(())
    }

    /// `run`.
    pub(super) fn cmd_run(&mut self, _c: &Call) -> CmdResult {
        self.restart()?;
        self.say("Starting the program from its loaded state.");
        let why = self.cont();
        self.show_stop(&why);
        Ok(())
    }

    /// `reset`.
    pub(super) fn cmd_reset(&mut self, _c: &Call) -> CmdResult {
        self.m.reset();
        self.note_modified();
        self.say("Machine reset (RAM kept): registers, control registers, TLB and devices are in their reset state.");
        self.say_where();
        Ok(())
    }

    /// `reverse-stepi [N]`.
    pub(super) fn cmd_reverse_stepi(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let n = parse_count(self, rest, "step")?;
        let before = crate::session::transition_count(&self.m);
        let undone = self.m.last_transition;
        let why = self.reverse_stepi(n)?;
        self.show_reverse(&why, before, undone);
        Ok(())
    }

    /// `reverse-continue`.
    pub(super) fn cmd_reverse_continue(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        if !rest.is_empty() {
            return Err("reverse-continue takes no argument".into());
        }
        let before = crate::session::transition_count(&self.m);
        let undone = self.m.last_transition;
        let why = self.reverse_continue()?;
        self.show_reverse(&why, before, undone);
        Ok(())
    }

    /// The `retg`/`iret` instructions of the function around `pc` (at most 4096 instructions
    /// in), as stops that match when executing them in `ring` would pop the frame at `frame`
    /// (sp at or above it: not a nested frame).
    fn frame_exits(&self, pc: u32, ring: u8, frame: u32) -> Vec<StopAt> {
        let Some((start, end, _)) = self.func_bounds(pc) else {
            return Vec::new();
        };
        let end = end.min(start.saturating_add(4 * 4096));
        (start..end)
            .step_by(4)
            .filter(|&a| {
                self.insn_at(a).is_some_and(|i| {
                    matches!(i.op, isa_spec::Opcode::Iret | isa_spec::Opcode::Retg)
                })
            })
            .map(|addr| StopAt {
                addr,
                ring: Some(ring),
                min_sp: Some(frame),
            })
            .collect()
    }

    fn require_running(&self) -> CmdResult {
        if let Some(e) = &self.m.stop {
            return Err(DbgError::hint(
                format!(
                    "the machine has stopped ({})",
                    crate::session::exit_words(e)
                ),
                "`run` starts the program again; `reverse-stepi` goes back",
            ));
        }
        Ok(())
    }

    fn show_reverse(
        &mut self,
        why: &StopWhy,
        before: u64,
        undone: Option<emulator::machine::Transition>,
    ) {
        let now = crate::session::transition_count(&self.m);
        if now < before {
            if let Some(t) = undone {
                let n = before - now;
                self.say(format!(
                    "(going back undid {n} ring change{}; the last undone: ring {} -> ring {} \
                     by {}; now in ring {})",
                    if n == 1 { "" } else { "s" },
                    t.from,
                    t.to,
                    crate::session::via_words(t.via),
                    self.m.cpu.ring()
                ));
            }
        }
        // Ring changes already shown going forward are not shown again.
        self.seen_transitions = now;
        self.seen_delivered = self.m.delivered;
        self.show_stop(why);
    }
}
