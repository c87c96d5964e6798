//! Ring transitions and deliveries explained in teaching terms: which rings, through which
//! gate or vector, the stack switch, the frame and the parameters copied; and the words for
//! causes, vectors and exits that every view shares.

use crate::session::Debugger;
use emulator::machine::{Transition, Via};
use isa_spec::cr::{num, vector, EXCEPTION_FRAME_WORDS, GATE_FRAME_WORDS};

impl Debugger {
    /// Describes a ring transition in teaching terms.
    pub fn describe_transition(&self, t: &Transition) -> Vec<String> {
        let m = &self.m;
        let mut out = Vec::new();
        let stack_note = |ring: u8| -> String {
            if ring < 3 {
                format!(
                    "ring {ring} stack, from sp{ring} = {:#010x}",
                    m.cpu.ring_stack(ring)
                )
            } else {
                format!("ring {ring} stack")
            }
        };
        // The two lines every inward ring change starts with: which rings, how, the stack.
        let ring_change = |how: &str, out: &mut Vec<String>| {
            out.push(format!(
                "ring change: ring {} -> ring {} {how}",
                t.from, t.to
            ));
            out.push(format!(
                "  stack switched: {:#010x} (ring {}) -> {:#010x} ({})",
                t.old_sp,
                t.from,
                t.new_sp,
                stack_note(t.to)
            ));
        };
        match t.via {
            Via::Gate(n) => {
                let entry = m.gate_descriptor(n).ok().map(|d| d.entry);
                let name = entry
                    .and_then(|e| self.syms.name_at(e))
                    .map(|s| format!(" <{s}>"))
                    .unwrap_or_default();
                ring_change(&format!("through gate {n}{name} (callg)"), &mut out);
                let frame = format!(
                    "  gate frame at {:#010x}: return pc, caller ring, caller sp",
                    t.new_sp
                );
                out.push(frame);
                let at_entry = entry == Some(m.cpu.pc)
                    && m.cpu.ring() == t.to
                    && m.cpu.regs[isa_spec::regs::SP as usize] == t.new_sp;
                if t.params == 0 {
                    out.push("  parameters copied: none".to_string());
                } else if at_entry {
                    let vals: Vec<String> = (0..t.params)
                        .map(|i| {
                            let a = t.new_sp.wrapping_add(4 * (GATE_FRAME_WORDS + i));
                            match m.peek_virt(a, 4) {
                                Some(v) => format!("{v:#x}"),
                                None => "?".into(),
                            }
                        })
                        .collect();
                    out.push(format!(
                        "  parameters copied: {} word{} [{}] from the caller's stack at {:#010x}",
                        t.params,
                        if t.params == 1 { "" } else { "s" },
                        vals.join(", "),
                        t.old_sp
                    ));
                } else {
                    out.push(format!(
                        "  parameters copied: {} word{} from the caller's stack at {:#010x}",
                        t.params,
                        if t.params == 1 { "" } else { "s" },
                        t.old_sp
                    ));
                }
            }
            Via::Vector(v) => {
                let entry = m.vector_descriptor(v).ok().map(|d| d.entry);
                let name = entry
                    .and_then(|e| self.syms.name_at(e))
                    .map(|s| format!(" <{s}>"))
                    .unwrap_or_default();
                let kind = vector_words(v);
                if t.from == t.to {
                    out.push(format!(
                        "{} in ring {}, no ring change: through vector {v} ({kind}){name}",
                        if kind.starts_with("interrupt") {
                            "interrupt"
                        } else {
                            "exception"
                        },
                        t.to
                    ));
                    out.push(format!(
                        "  no stack switch: the frame is pushed on the current stack ({:#010x})",
                        t.old_sp
                    ));
                } else {
                    ring_change(&format!("through vector {v} ({kind}){name}"), &mut out);
                }
                let words: Vec<String> = (0..EXCEPTION_FRAME_WORDS)
                    .map(|i| match m.peek_virt(t.new_sp.wrapping_add(4 * i), 4) {
                        Some(w) => format!("{w:#x}"),
                        None => "?".into(),
                    })
                    .collect();
                out.push(format!(
                    "  exception frame at {:#010x}: pc, status, cause, faddr, sp = [{}]",
                    t.new_sp,
                    words.join(", ")
                ));
                out.push(format!(
                    "  cause {}, faddr {:#010x}; no parameters are copied",
                    cause_words(m.cpu.crs[num::CAUSE as usize]),
                    m.cpu.crs[num::FADDR as usize]
                ));
            }
            Via::Retg => {
                out.push(format!(
                    "ring change: ring {} -> ring {} by retg (return through the gate frame at \
                     {:#010x})",
                    t.from, t.to, t.old_sp
                ));
                out.push(format!(
                    "  stack switched: {:#010x} (ring {}) -> {:#010x} (ring {}, the caller's sp \
                     from the frame)",
                    t.old_sp, t.from, t.new_sp, t.to
                ));
            }
            Via::Iret => {
                out.push(format!(
                    "ring change: ring {} -> ring {} by iret (exception frame at {:#010x})",
                    t.from, t.to, t.old_sp
                ));
                out.push(format!(
                    "  stack switched: {:#010x} (ring {}) -> {:#010x} (ring {}, the sp saved in \
                     the frame)",
                    t.old_sp, t.from, t.new_sp, t.to
                ));
            }
            Via::Mtcr => {
                out.push(format!(
                    "ring change: ring {} -> ring {} by mtcr status (no stack switch: sp stays \
                     {:#010x})",
                    t.from, t.to, t.new_sp
                ));
            }
        }
        out
    }

    /// The lines explaining the last of `n` deliveries since the last stop, none of which
    /// changed ring.
    pub(crate) fn describe_same_ring_delivery(&self, n: u64) -> Vec<String> {
        let m = &self.m;
        let cause = m.cpu.crs[num::CAUSE as usize];
        let v = (cause & 0xff) as u8;
        let ring = m.cpu.ring();
        let sp = m.cpu.regs[isa_spec::regs::SP as usize];
        let at_entry = m
            .vector_descriptor(v)
            .is_ok_and(|d| d.present && d.entry == m.cpu.pc && d.target == ring);
        let mut out = Vec::new();
        if n > 1 || !at_entry {
            let last = if at_entry {
                "; the last one:".to_string()
            } else {
                format!("; the last: vector {v}, cause {}", cause_words(cause))
            };
            let s = if n == 1 { "" } else { "s" };
            out.push(format!(
                "({n} exception{s} or interrupt{s} delivered since the last stop{last})"
            ));
        }
        if at_entry {
            let saved_sp = m
                .peek_virt(sp.wrapping_add(16), 4)
                .unwrap_or(sp.wrapping_add(4 * EXCEPTION_FRAME_WORDS));
            out.extend(self.describe_transition(&Transition {
                from: ring,
                to: ring,
                via: Via::Vector(v),
                old_sp: saved_sp,
                new_sp: sp,
                params: 0,
                cycle: m.cpu.cycles,
            }));
        }
        out
    }
}

/// How a ring change happened, in the words the guide uses: `callg 3`, `retg`, `vector 7
/// (divide by zero)`, `iret`, `mtcr status`.
pub fn via_words(via: Via) -> String {
    match via {
        Via::Gate(n) => format!("callg {n}"),
        Via::Retg => "retg".into(),
        Via::Vector(v) => format!("vector {v} ({})", vector_words(v)),
        Via::Iret => "iret".into(),
        Via::Mtcr => "mtcr status".into(),
    }
}

/// What a vector is: an exception's name, `interrupt line N`, or `software trap`.
pub fn vector_words(v: u8) -> String {
    if (vector::IRQ_BASE..vector::IRQ_BASE + vector::IRQ_LINES).contains(&v) {
        format!("interrupt line {}", v - vector::IRQ_BASE)
    } else {
        vector::name(v).to_string()
    }
}

/// Why the machine stopped, as a phrase: `it halted with exit code 5`.
pub fn exit_words(e: &emulator::Exit) -> String {
    use emulator::Exit;
    match e {
        Exit::Halted(c) => format!("it halted with exit code {c}"),
        Exit::PowerOff(c) => format!("it powered off with exit code {c}"),
        // The emulator's diagnostic starts "triple fault: ...".
        Exit::TripleFault(d) => d.clone(),
        Exit::Idle => "it waits (wfi) for an interrupt that no device can raise".into(),
        Exit::CycleLimit => "it reached the cycle limit".into(),
        Exit::StepLimit => "it reached the step limit".into(),
        Exit::Stopped => "a stop point matched".into(),
    }
}

/// A `cause` word decoded: the vector's name and what its detail bits say, e.g.
/// `page fault: read of a page whose ring field excludes the current ring`.
pub fn cause_words(cause: u32) -> String {
    use isa_spec::cr::{gate_rule, page_fault};
    let v = (cause & 0xff) as u8;
    let detail = (cause >> 8) as u8;
    let name = vector_words(v);
    let what = match v {
        vector::PAGE_FAULT => {
            let access = match detail & 3 {
                page_fault::READ => "read",
                page_fault::WRITE => "write",
                page_fault::EXEC => "instruction fetch",
                _ => "access",
            };
            let reason = match (detail >> 2) & 3 {
                page_fault::NOT_PRESENT => "the directory or table entry is not present",
                page_fault::PERMISSION => "the page's R/W/X bits do not allow it",
                page_fault::RING => "the page's ring field excludes the current ring",
                _ => "unknown reason",
            };
            Some(format!("{access}: {reason}"))
        }
        vector::GATE_FAULT => Some(
            match detail {
                gate_rule::LIMIT => "the gate number is at or above glimit",
                gate_rule::NOT_PRESENT => "the descriptor is not present",
                gate_rule::DPL => "the caller's ring is above the descriptor's DPL",
                gate_rule::OUTWARD => "the target ring is less privileged than the caller's",
                gate_rule::RETURN_INWARD => "retg would return to a more privileged ring",
                gate_rule::BAD_FRAME => "the retg frame's status word is malformed",
                gate_rule::BAD_ENTRY => "the descriptor's entry is not 4-byte aligned",
                _ => "unknown rule",
            }
            .to_string(),
        ),
        vector::DOUBLE_FAULT => Some(format!(
            "delivering vector {detail} ({}) failed",
            vector_words(detail)
        )),
        _ if detail != 0 => Some(format!("detail {detail:#x}")),
        _ => None,
    };
    match what {
        Some(w) => format!("{cause:#x} = {name}, {w}"),
        None => format!("{cause:#x} = {name}"),
    }
}
