//! What the debugger shows: registers, control registers, the teaching views of rings, gates,
//! vectors, page tables and the TLB, devices, memory (`x`), disassembly and source.

mod devices;
mod memory;

use crate::points::Kind;
use crate::session::{char_repr, CmdResult, DbgError, Debugger};
use emulator::exceptions::Descriptor;
use isa_spec::cr::{memmap, num, pte, status, vector, CR_NAMES};
use isa_spec::regs::{reg_name, SP};

/// Instructions only ring 0 may execute (the table's privilege column): control-register
/// access first, then the others in table order.
fn privileged() -> String {
    let (cr, other): (Vec<&isa_spec::OpInfo>, Vec<_>) = isa_spec::OPS
        .iter()
        .filter(|op| op.privileged)
        .partition(|op| matches!(op.format, isa_spec::Format::Mfcr | isa_spec::Format::Mtcr));
    cr.iter()
        .chain(&other)
        .map(|op| op.mnemonic)
        .collect::<Vec<_>>()
        .join(" ")
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Rings allowed to use a descriptor explicitly (callg / trap): target..=dpl.
fn callers(d: &Descriptor) -> String {
    if d.target > d.dpl {
        format!(
            "no ring (target ring {} is outside DPL {})",
            d.target, d.dpl
        )
    } else if d.target == d.dpl {
        format!("ring {}", d.dpl)
    } else {
        format!("rings {}-{}", d.target, d.dpl)
    }
}

fn pte_bits(e: u32) -> String {
    let mut s = String::new();
    for (bit, c) in [
        (pte::P, 'P'),
        (pte::R, 'R'),
        (pte::W, 'W'),
        (pte::X, 'X'),
        (pte::A, 'A'),
        (pte::D, 'D'),
    ] {
        s.push(if e & bit != 0 { c } else { '-' });
    }
    format!("{s} ring {}", (e >> pte::RING_SHIFT) & 3)
}

/// What each ring may do with a page whose leaf entry is `e`.
fn ring_rights(e: u32) -> Vec<String> {
    let page_ring = (e >> pte::RING_SHIFT) & 3;
    (0..4u32)
        .map(|r| {
            if e & pte::P == 0 {
                format!("ring {r}: nothing (not present: PAGE_FAULT)")
            } else if r > page_ring {
                format!(
                    "ring {r}: nothing (page ring field is {page_ring}: PAGE_FAULT, reason ring)"
                )
            } else {
                let mut v = Vec::new();
                if e & pte::R != 0 {
                    v.push("read");
                }
                if e & pte::W != 0 {
                    v.push("write");
                }
                if e & pte::X != 0 {
                    v.push("execute");
                }
                if v.is_empty() {
                    format!("ring {r}: nothing (no R/W/X bit)")
                } else {
                    format!("ring {r}: {}", v.join(", "))
                }
            }
        })
        .collect()
}

impl Debugger {
    /// `info registers [REG...]`.
    pub fn info_registers(&mut self, which: &[&str]) -> CmdResult {
        let m = &self.m;
        let mut lines = Vec::new();
        let reg_line = |r: u8| {
            let v = m.cpu.reg(r);
            let sym = if v != 0 {
                self.value_sym(v)
            } else {
                String::new()
            };
            format!(
                "r{r:<2} {:<5} {v:#010x}  {:<11}{sym}",
                reg_name(r),
                v as i32
            )
        };
        if which.is_empty() {
            for r in 0..32u8 {
                lines.push(reg_line(r));
            }
            lines.push(format!(
                "pc        {:#010x}{}",
                m.cpu.pc,
                self.syms.angle(m.cpu.pc)
            ));
            lines.push(format!(
                "ring      {}            status {:#x} (IE {}, PG {})",
                m.cpu.ring(),
                m.cpu.status(),
                m.cpu.interrupts_enabled() as u8,
                m.cpu.paging() as u8
            ));
        } else {
            for w in which {
                let name = w.trim_start_matches('$');
                match crate::expr::Var::parse(name) {
                    Some(crate::expr::Var::Reg(r)) => lines.push(reg_line(r)),
                    Some(v) => {
                        let val = v.read(m);
                        lines.push(format!(
                            "{name:<9} {val:#010x}  {}{}",
                            val,
                            self.value_sym(val as u32)
                        ))
                    }
                    None => {
                        return Err(DbgError::hint(
                            format!("no register `{w}`"),
                            "registers are r0..r31, ABI names (a0, sp, ra ...), pc, ring, \
                             cycles, or a control register (status, sp0 ...)",
                        ))
                    }
                }
            }
        }
        for l in lines {
            self.say(l);
        }
        Ok(())
    }

    /// `info cr`.
    pub fn info_cr(&mut self) -> CmdResult {
        let m = &self.m;
        let mut lines = Vec::new();
        for (i, name) in CR_NAMES.iter().enumerate() {
            let v = m.cpu.read_cr(i as u8);
            let note = match i as u8 {
                num::STATUS => format!(
                    "ring {}, IE {}, PG {}",
                    v & status::RING_MASK,
                    (v & status::IE != 0) as u8,
                    (v & status::PG != 0) as u8
                ),
                num::VBASE => "vector table (physical)".into(),
                num::GBASE => "gate table (physical)".into(),
                num::GLIMIT => format!("{v} gate(s)"),
                num::PTBASE => "page directory (physical)".into(),
                num::SP0 | num::SP1 | num::SP2 => {
                    format!("stack loaded on entry to ring {} from an outer ring", i - 5)
                }
                num::FADDR => "fault address of the last exception".into(),
                num::CAUSE => {
                    let vec = (v & 0xff) as u8;
                    format!(
                        "last exception: vector {vec} ({}), detail {:#x}",
                        vector::name(vec),
                        (v >> 8) & 0xff
                    )
                }
                num::IOPL => format!("devices allowed from rings 0..{}", v & 3),
                num::CYCLE => format!("cycle counter low (full: {})", m.cpu.cycles),
                num::CYCLEH => "cycle counter high".into(),
                _ => String::new(),
            };
            lines.push(format!("{name:<9} {v:#010x}  {note}"));
        }
        for l in lines {
            self.say(l);
        }
        Ok(())
    }

    /// `info rings`.
    pub fn info_rings(&mut self) -> CmdResult {
        let m = &self.m;
        let ring = m.cpu.ring();
        let iopl = m.cpu.crs[num::IOPL as usize] & 3;
        let sp = m.cpu.regs[SP as usize];
        let mut l = Vec::new();
        let role = [
            "most privileged",
            "privileged",
            "less privileged",
            "least privileged",
        ];
        l.push(format!(
            "Current ring: {ring} ({}); status {:#x}: IE {}, PG {}",
            role[ring as usize],
            m.cpu.status(),
            m.cpu.interrupts_enabled() as u8,
            m.cpu.paging() as u8
        ));
        l.push("Stack pointers:".into());
        for r in 0..3u8 {
            let v = m.cpu.ring_stack(r);
            let cur = if r == ring { "  (current ring)" } else { "" };
            l.push(format!(
                "  ring {r}: sp{r} = {v:#010x}  loaded when entering ring {r} from an outer \
                 ring{cur}"
            ));
        }
        l.push("  ring 3: no sp3: ring 3 is never entered from an outer ring".to_string());
        l.push(format!("  current sp = {sp:#010x} (ring {ring})"));
        l.push(format!(
            "I/O privilege level: iopl = {iopl}: device registers and the framebuffer are open \
             to rings 0..{iopl}"
        ));
        l.push(format!("What ring {ring} may do now:"));
        let privileged = privileged();
        if ring == 0 {
            l.push(format!(
                "  privileged instructions ({privileged}): yes (ring 0)"
            ));
        } else {
            l.push(format!(
                "  privileged instructions ({privileged}): no: they raise PRIVILEGE (vector 2)"
            ));
        }
        l.push(if ring as u32 <= iopl {
            format!("  devices (MMIO): yes (CPL {ring} <= iopl {iopl})")
        } else {
            format!("  devices (MMIO): no: CPL {ring} > iopl {iopl} raises IO_PRIVILEGE (vector 9)")
        });
        let glimit = m.cpu.crs[num::GLIMIT as usize].min(4096);
        let mut gates = Vec::new();
        for n in 0..glimit {
            if let Ok(d) = m.gate_descriptor(n) {
                if d.present && ring <= d.dpl && d.target <= ring {
                    gates.push(format!(
                        "{n}{} -> ring {}",
                        self.syms.angle(d.entry),
                        d.target
                    ));
                }
            }
        }
        l.push(if gates.is_empty() {
            format!("  gates it may call: none (glimit {glimit})")
        } else {
            format!("  gates it may call: {}", gates.join(", "))
        });
        let mut traps = Vec::new();
        for v in 0..vector::COUNT {
            if let Ok(d) = m.vector_descriptor(v) {
                if d.present && ring <= d.dpl && d.target <= ring {
                    traps.push(v.to_string());
                }
            }
        }
        l.push(if traps.is_empty() {
            "  trap vectors it may raise: none".to_string()
        } else {
            format!("  trap vectors it may raise: {}", compress_list(&traps))
        });
        l.push(if m.cpu.paging() {
            format!(
                "  memory: pages whose PTE ring field is >= {ring}, with their R/W/X bits (see \
                 `info pagetable`)"
            )
        } else {
            "  memory: all of it (paging is off)".to_string()
        });
        if let Some(t) = m.last_transition {
            l.push(format!(
                "Last ring change: ring {} -> ring {} by {} at cycle {}",
                t.from,
                t.to,
                crate::session::via_words(t.via),
                t.cycle
            ));
        }
        let mut counts = Vec::new();
        for from in 0..4 {
            for to in 0..4 {
                let n = m.stats.ring_transitions[from][to];
                if n > 0 {
                    counts.push(format!("{from}->{to}: {n}"));
                }
            }
        }
        if !counts.is_empty() {
            l.push(format!("Ring changes so far: {}", counts.join(", ")));
        }
        for x in l {
            self.say(x);
        }
        Ok(())
    }

    /// `info gates`.
    pub fn info_gates(&mut self) -> CmdResult {
        let m = &self.m;
        let gbase = m.cpu.crs[num::GBASE as usize];
        let glimit = m.cpu.crs[num::GLIMIT as usize];
        let mut l = vec![format!(
            "Gate table at {gbase:#010x} (gbase, physical), {glimit} entr{} (glimit)",
            if glimit == 1 { "y" } else { "ies" }
        )];
        if glimit == 0 {
            l.push("  no gates: every callg raises GATE_FAULT (limit)".into());
        } else {
            l.push(format!(
                "  {:>4}  {:<10}  {:<20} {:<7} {:<6} {:<3} {:<6} callable from",
                "gate", "entry", "symbol", "present", "target", "dpl", "params"
            ));
        }
        for n in 0..glimit.min(256) {
            match m.gate_descriptor(n) {
                Ok(d) => l.push(format!(
                    "  {n:>4}  {:#010x}  {:<20} {:<7} ring {} {:<3} {:<6} {}",
                    d.entry,
                    self.syms.name_at(d.entry).unwrap_or_default(),
                    yes(d.present),
                    d.target,
                    d.dpl,
                    d.params,
                    if d.present {
                        callers(&d)
                    } else {
                        "nobody (not present)".into()
                    }
                )),
                Err(f) => l.push(format!("  {n:>4}  unreadable: {f}")),
            }
        }
        if glimit > 256 {
            l.push(format!("  ... {} more", glimit - 256));
        }
        for x in l {
            self.say(x);
        }
        Ok(())
    }

    /// `info vectors`.
    pub fn info_vectors(&mut self) -> CmdResult {
        let m = &self.m;
        let vbase = m.cpu.crs[num::VBASE as usize];
        let mut l = vec![
            format!("Vector table at {vbase:#010x} (vbase, physical), 64 vectors"),
            format!(
                "  {:>5}  {:<22} {:<10}  {:<20} {:<6} {:<3} trap allowed from",
                "vec", "use", "entry", "symbol", "target", "dpl"
            ),
        ];
        let mut absent = Vec::new();
        let class = |v: u8| -> (u8, String) {
            if (vector::IRQ_BASE..vector::IRQ_BASE + vector::IRQ_LINES).contains(&v) {
                (1, format!("interrupt line {}", v - vector::IRQ_BASE))
            } else if v <= vector::DOUBLE_FAULT {
                (0, vector::name(v).to_string())
            } else {
                (2, vector::name(v).to_string())
            }
        };
        let mut v = 0u8;
        while v < vector::COUNT {
            let d = m.vector_descriptor(v).ok().filter(|d| d.present);
            let Some(d) = d else {
                absent.push(v.to_string());
                v += 1;
                continue;
            };
            // Group runs of identical descriptors of the same kind (not the named exceptions).
            let (k, use_) = class(v);
            let mut last = v;
            if k != 0 {
                while last + 1 < vector::COUNT
                    && class(last + 1).0 == k
                    && m.vector_descriptor(last + 1).ok() == Some(d)
                {
                    last += 1;
                }
            }
            let (num, use_) = if last > v {
                let (_, u_last) = class(last);
                let what = if k == 1 {
                    format!(
                        "interrupt lines {}-{}",
                        v - vector::IRQ_BASE,
                        last - vector::IRQ_BASE
                    )
                } else {
                    let _ = u_last;
                    "software traps".to_string()
                };
                (format!("{v}-{last}"), what)
            } else {
                (v.to_string(), use_)
            };
            l.push(format!(
                "  {num:>5}  {use_:<22} {:#010x}  {:<20} ring {} {:<3} {}",
                d.entry,
                self.syms.name_at(d.entry).unwrap_or_default(),
                d.target,
                d.dpl,
                callers(&d)
            ));
            v = last + 1;
        }
        if !absent.is_empty() {
            l.push(format!(
                "  not present: {} (delivering one is a double fault)",
                compress_list(&absent)
            ));
        }
        for x in l {
            self.say(x);
        }
        Ok(())
    }
}

/// "1, 2, 3, 5" -> "1-3, 5" for numeric strings in order.
fn compress_list(items: &[String]) -> String {
    let nums: Vec<u32> = items.iter().filter_map(|s| s.parse().ok()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < nums.len() {
        let mut j = i;
        while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}-{}", nums[i], nums[j])
        } else {
            nums[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}
