//! `backtrace` across ring crossings. RF32 code carries no unwind tables, so frames are found
//! the way a student would find them by hand:
//!
//! - inside a function, its prologue (from the label at or below pc) tells how far `sp` has
//!   moved (`addi sp, sp, -N`) and where `ra` was saved (`sw ra, K(sp)`); a function that has
//!   not saved `ra` returns to the `ra` register;
//! - a function that is the entry of a call gate or an exception vector was entered through a
//!   frame the hardware pushed: a gate frame (return pc, caller ring, caller sp) or an exception
//!   frame (pc, status, cause, faddr, sp). Those frames say exactly where the caller was, in
//!   which ring, on which stack.

use crate::session::Debugger;
use isa_spec::cr::{num, vector};
use isa_spec::regs::{RA, SP};
use isa_spec::Opcode;

/// One frame.
#[derive(Clone, Debug)]
pub struct Frame {
    /// pc in this frame (the return address for outer frames).
    pub pc: u32,
    /// sp in this frame.
    pub sp: u32,
    /// Ring this frame runs in.
    pub ring: u8,
    /// How this frame called the one below it, when it crossed through a gate or vector.
    pub via: Option<String>,
    /// The return address came from the ra register, not from memory (less certain).
    pub from_ra_reg: bool,
    /// Where the gate or exception frame this frame's callee was entered through lies (the
    /// frame `retg`/`iret` pops to return here).
    pub frame_at: Option<u32>,
}

/// An entry point of a gate or vector.
#[derive(Clone, Copy, Debug)]
enum Entry {
    Gate(u32, u8),
    Vector(u8),
}

/// What the prologue of a function has done by `pc`.
struct Prologue {
    /// Bytes sp has been lowered by.
    frame: u32,
    /// Where ra is saved, relative to the entry sp, if it is (and not restored since).
    ra_slot: Option<i64>,
}

impl Debugger {
    /// Is the label at `addr` where a function starts? Yes if it is global or typed
    /// `@function`, the entry of a gate or vector, or follows an instruction that never falls
    /// through (a return, jump, halt, retg or iret) — a label inside a function does not.
    fn starts_function(&self, addr: u32, func_like: bool, entries: &[u32]) -> bool {
        if func_like || entries.contains(&addr) {
            return true;
        }
        match self.insn_at(addr.wrapping_sub(4)) {
            None => true,
            Some(i) => match i.op {
                Opcode::Jal | Opcode::Jalr => i.rd == 0,
                Opcode::Halt | Opcode::Retg | Opcode::Iret => true,
                _ => false,
            },
        }
    }

    /// The function around `addr`: start, end, name (from the labels; see
    /// `Debugger::starts_function`).
    pub fn func_bounds(&self, addr: u32) -> Option<(u32, u32, String)> {
        let entries: Vec<u32> = self.entries().iter().map(|(a, _)| *a).collect();
        let (start, name) = self
            .syms
            .labels_below(addr)
            .into_iter()
            .find(|(a, _, f)| self.starts_function(*a, *f, &entries))
            .map(|(a, n, _)| (a, n.to_string()))?;
        let end = self
            .syms
            .labels_above(addr)
            .into_iter()
            .find(|(a, _, f)| self.starts_function(*a, *f, &entries))
            .map(|(a, _, _)| a)
            .or_else(|| self.syms.segment_end(addr))?;
        Some((start, end, name))
    }

    fn entries(&self) -> Vec<(u32, Entry)> {
        let m = &self.m;
        let mut v = Vec::new();
        let glimit = m.cpu.crs[num::GLIMIT as usize].min(4096);
        for n in 0..glimit {
            if let Ok(d) = m.gate_descriptor(n) {
                if d.present {
                    v.push((d.entry, Entry::Gate(n, d.target)));
                }
            }
        }
        if m.cpu.crs[num::VBASE as usize] != 0 || m.cpu.crs[num::GBASE as usize] != 0 {
            for vec in 0..vector::COUNT {
                if let Ok(d) = m.vector_descriptor(vec) {
                    if d.present {
                        v.push((d.entry, Entry::Vector(d.target)));
                    }
                }
            }
        }
        v
    }

    fn prologue(&self, start: u32, pc: u32) -> Prologue {
        let mut p = Prologue {
            frame: 0,
            ra_slot: None,
        };
        let mut a = start;
        let mut n = 0;
        while a < pc && n < 256 {
            let Some(i) = self.insn_at(a) else { break };
            match i.op {
                Opcode::Addi if i.rd == SP && i.rs1 == SP => {
                    p.frame = (p.frame as i64 - i.imm as i64).clamp(0, 1 << 24) as u32;
                }
                Opcode::Sw if i.rs2 == RA && i.rs1 == SP => {
                    p.ra_slot = Some(i.imm as i64 - p.frame as i64);
                }
                Opcode::Lw if i.rd == RA && i.rs1 == SP => p.ra_slot = None,
                _ => {}
            }
            a = a.wrapping_add(4);
            n += 1;
        }
        p
    }

    /// Could ring `ring` execute at `va` (the page is present, executable and open to that
    /// ring)? A return address that fails this is not where that ring came from.
    fn executable_in(&self, va: u32, ring: u8) -> bool {
        use isa_spec::cr::pte;
        if !self.m.cpu.paging() {
            return true;
        }
        let [_, leaf] = self.m.walk_steps(va);
        leaf.entry.is_some_and(|e| {
            e & pte::P != 0 && e & pte::X != 0 && ring as u32 <= (e >> pte::RING_SHIFT) & 3
        })
    }

    /// Why a frame found for `pc` in `ring` cannot be trusted, if it cannot.
    fn untrusted_pc(&self, pc: u32, ring: u8) -> Option<String> {
        (!self.executable_in(pc, ring)).then(|| {
            format!(
                "its pc {pc:#010x}{} is not executable in ring {ring}",
                self.syms.angle(pc)
            )
        })
    }

    /// The frames, innermost first (at most `limit`).
    pub fn unwind(&self, limit: usize) -> Vec<Frame> {
        self.unwind_noting(limit).0
    }

    /// The frames, innermost first (at most `limit`), and why the frame after the last could
    /// not be trusted when the unwinder found one it would not show (rather than guess).
    pub fn unwind_noting(&self, limit: usize) -> (Vec<Frame>, Option<String>) {
        let m = &self.m;
        let mut distrust = None;
        let entries = self.entries();
        let mut frames = vec![Frame {
            pc: m.cpu.pc,
            sp: m.cpu.regs[SP as usize],
            ring: m.cpu.ring(),
            via: None,
            from_ra_reg: false,
            frame_at: None,
        }];
        let mut ra_valid = true;
        let mut seen = std::collections::HashSet::new();
        while frames.len() < limit {
            let f = frames.last().cloned().expect("one frame");
            if !seen.insert((f.pc, f.sp, f.ring)) {
                break;
            }
            let start = self.func_bounds(f.pc).map(|(a, _, _)| a);
            let pro = match start {
                Some(s) => self.prologue(s, f.pc),
                None => Prologue {
                    frame: 0,
                    ra_slot: None,
                },
            };
            let cfa = f.sp.wrapping_add(pro.frame);
            let entry_pc = start.unwrap_or(f.pc);
            let entry = entries.iter().find(|(a, e)| {
                *a == entry_pc
                    && match e {
                        Entry::Gate(_, t) | Entry::Vector(t) => *t == f.ring,
                    }
            });
            if let Some((_, e)) = entry {
                match self.frame_through(&f, cfa, e) {
                    Ok(frame) => frames.push(frame),
                    Err(why) => {
                        distrust = why;
                        break;
                    }
                }
                continue;
            }
            let (ret, from_reg) = match pro.ra_slot {
                Some(off) => match m.peek_virt((cfa as i64 + off) as u32, 4) {
                    Some(v) => (v, false),
                    None => break,
                },
                None if ra_valid => (m.cpu.regs[RA as usize], true),
                None => break,
            };
            // Once a frame has saved ra and called on, the register belongs to deeper frames.
            ra_valid = false;
            if ret == 0 || ret & 3 != 0 || m.peek_virt(ret, 4).is_none() {
                break;
            }
            // A return address must follow a call.
            let call = self
                .insn_at(ret.wrapping_sub(4))
                .filter(|i| matches!(i.op, Opcode::Jal | Opcode::Jalr) && i.rd != 0);
            let Some(call) = call else {
                break;
            };
            let whence = if from_reg {
                "in the ra register"
            } else {
                "saved on the stack"
            };
            // ...and a direct call must be to this function: otherwise it is left over from
            // an earlier call (this function was jumped to, or has not saved ra yet).
            if call.op == Opcode::Jal {
                let target = ret.wrapping_sub(4).wrapping_add(call.imm as u32);
                if let Some((s, e, name)) = self.func_bounds(f.pc) {
                    if target < s || target >= e {
                        distrust = Some(format!(
                            "the return address {ret:#010x}{} {whence} follows a call to \
                             {target:#010x}{}, not to {name}",
                            self.syms.angle(ret),
                            self.syms.angle(target)
                        ));
                        break;
                    }
                }
            }
            if let Some(why) = self.untrusted_pc(ret, f.ring) {
                distrust = Some(format!(
                    "the return address {whence}: {}",
                    why.trim_start_matches("its pc ")
                ));
                break;
            }
            frames.push(Frame {
                pc: ret,
                sp: cfa,
                ring: f.ring,
                via: None,
                from_ra_reg: from_reg,
                frame_at: None,
            });
        }
        (frames, distrust)
    }

    /// The caller's frame of `f`, a function entered through a gate or vector whose frame is
    /// at `cfa`; `Err` when the frame cannot be trusted, with why when that is worth saying.
    fn frame_through(&self, f: &Frame, cfa: u32, e: &Entry) -> Result<Frame, Option<String>> {
        let m = &self.m;
        let word = |i: u32| m.peek_virt(cfa.wrapping_add(4 * i), 4);
        match *e {
            Entry::Gate(n, _) => {
                let (Some(ret), Some(ring), Some(sp)) = (word(0), word(1), word(2)) else {
                    return Err(None);
                };
                if ring > 3 || (ring as u8) < f.ring {
                    return Err(None);
                }
                if let Some(why) = self.untrusted_pc(ret, ring as u8) {
                    return Err(Some(format!("the gate frame at {cfa:#010x}: {why}")));
                }
                Ok(Frame {
                    pc: ret,
                    sp,
                    ring: ring as u8,
                    via: Some(format!(
                        "callg {n} (ring {ring} -> ring {}, gate frame at {cfa:#010x})",
                        f.ring
                    )),
                    from_ra_reg: false,
                    frame_at: Some(cfa),
                })
            }
            Entry::Vector(_) => {
                let (Some(pc), Some(st), Some(cause), Some(sp)) =
                    (word(0), word(1), word(2), word(4))
                else {
                    return Err(None);
                };
                let ring = (st & 3) as u8;
                if ring < f.ring || st & !0xf != 0 {
                    return Err(None);
                }
                if let Some(why) = self.untrusted_pc(pc, ring) {
                    return Err(Some(format!("the exception frame at {cfa:#010x}: {why}")));
                }
                // Many vectors may share a handler: the frame's cause says which.
                let v = (cause & 0xff) as u8;
                let what = if (vector::IRQ_BASE..vector::IRQ_BASE + vector::IRQ_LINES).contains(&v)
                {
                    format!("interrupt line {}", v - vector::IRQ_BASE)
                } else {
                    format!("cause {}", crate::session::cause_words(cause))
                };
                Ok(Frame {
                    pc,
                    sp,
                    ring,
                    via: Some(format!(
                        "vector {v}: {what} (ring {ring} -> ring {}, exception frame at \
                         {cfa:#010x})",
                        f.ring
                    )),
                    from_ra_reg: false,
                    frame_at: Some(cfa),
                })
            }
        }
    }

    /// `backtrace [N]` text.
    pub fn backtrace_lines(&self, limit: usize) -> Vec<String> {
        let (frames, distrust) = self.unwind_noting(limit.max(1));
        let mut out = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            if let Some(v) = &f.via {
                out.push(format!("    ^ entered through {v}"));
            }
            let name = self
                .syms
                .name_at(f.pc)
                .map(|s| format!(" in {s}"))
                .unwrap_or_default();
            let line = self.syms.line_suffix(f.pc);
            let note = if f.from_ra_reg && i > 0 {
                "  [return address from the ra register]"
            } else {
                ""
            };
            out.push(format!(
                "#{i:<2} [ring {}] {:#010x}{name}  sp={:#010x}{line}{note}",
                f.ring, f.pc, f.sp
            ));
        }
        if let Some(why) = distrust {
            out.push(format!(
                "(the next frame cannot be trusted, so it is not shown: {why})"
            ));
        }
        if frames.len() >= limit {
            out.push(format!(
                "(more frames may follow; `backtrace {}` shows more)",
                limit * 2
            ));
        }
        out
    }
}
