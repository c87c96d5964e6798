//! What the debugger shows: registers, control registers, the teaching views of rings, gates,
//! vectors, page tables and the TLB, devices, memory (`x`), disassembly and source.

use crate::points::Kind;
use crate::session::{char_repr, CmdResult, DbgError, Debugger};
use emulator::exceptions::Descriptor;
use emulator::EngineKind;
use isa_spec::cr::{memmap, num, pte, status, vector, CR_NAMES};
use isa_spec::regs::{reg_name, SP};

/// Instructions only ring 0 may execute.
const PRIVILEGED: &str = "mfcr mtcr iret halt wfi tlbflush tlbinval";

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
        if ring == 0 {
            l.push(format!(
                "  privileged instructions ({PRIVILEGED}): yes (ring 0)"
            ));
        } else {
            l.push(format!(
                "  privileged instructions ({PRIVILEGED}): no: they raise PRIVILEGE (vector 2)"
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

    /// `info pagetable [VA]`.
    pub fn info_pagetable(&mut self, va: Option<u32>) -> CmdResult {
        let m = &self.m;
        let ptbase = m.cpu.crs[num::PTBASE as usize];
        let mut l = Vec::new();
        l.push(format!(
            "Paging is {} (status.PG = {}); page directory at {:#010x} (ptbase)",
            if m.cpu.paging() { "on" } else { "off" },
            m.cpu.paging() as u8,
            ptbase & pte::FRAME_MASK
        ));
        if !m.cpu.paging() {
            l.push(
                "  while paging is off, virtual = physical; the walk below is what paging \
                 would do"
                    .into(),
            );
        }
        match va {
            Some(va) => {
                let [dir, leaf] = m.walk_steps(va);
                l.push(format!("Walk of virtual address {va:#010x}:"));
                match dir.entry {
                    None => l.push(format!(
                        "  1. directory entry {} at {:#010x}: not RAM (BUS_ERROR)",
                        va >> 22,
                        dir.entry_addr
                    )),
                    Some(pde) => {
                        l.push(format!(
                            "  1. directory index {} (VA bits 31:22), entry at {:#010x} = \
                             {pde:#010x}: {}",
                            va >> 22,
                            dir.entry_addr,
                            if pde & pte::P != 0 {
                                format!("present, page table at {:#010x}", pde & pte::FRAME_MASK)
                            } else {
                                "NOT present -> PAGE_FAULT (not present)".into()
                            }
                        ));
                        if pde & pte::P != 0 {
                            match leaf.entry {
                                None => l.push(format!(
                                    "  2. table entry at {:#010x}: not RAM (BUS_ERROR)",
                                    leaf.entry_addr
                                )),
                                Some(e) => {
                                    l.push(format!(
                                        "  2. table index {:#x} (VA bits 21:12), entry at \
                                         {:#010x} = {e:#010x}: {}",
                                        (va >> 12) & 0x3ff,
                                        leaf.entry_addr,
                                        pte_bits(e)
                                    ));
                                    if e & pte::P != 0 {
                                        l.push(format!(
                                            "  -> physical address {:#010x} (frame {:#010x} + \
                                             offset {:#x})",
                                            (e & pte::FRAME_MASK) | (va & 0xfff),
                                            e & pte::FRAME_MASK,
                                            va & 0xfff
                                        ));
                                    } else {
                                        l.push("  -> not present: PAGE_FAULT".into());
                                    }
                                    l.push("  Rights by ring (checked in this order: present, ring, R/W/X):".into());
                                    for r in ring_rights(e) {
                                        l.push(format!("    {r}"));
                                    }
                                }
                            }
                        }
                    }
                }
                match m.tlb.lookup(va >> 12) {
                    Some(bits) => {
                        let mut s = format!(
                            "  TLB slot {} caches this page: {:#010x} {}",
                            emulator::tlb::Tlb::slot(va >> 12),
                            bits,
                            pte_bits(bits)
                        );
                        if leaf
                            .entry
                            .is_some_and(|e| e | pte::A | pte::D != bits | pte::A | pte::D)
                        {
                            s += "  (STALE: differs from the PTE in memory until tlbinval)";
                        }
                        l.push(s);
                    }
                    None => l.push(format!(
                        "  not in the TLB (slot {}): the next access walks (+10 cycles)",
                        emulator::tlb::Tlb::slot(va >> 12)
                    )),
                }
            }
            None => {
                l.push("Mappings (virtual -> physical, contiguous runs with equal rights):".into());
                let mut runs: Vec<(u32, u32, u32, u32)> = Vec::new(); // va, pa, pages, bits
                let mut shown_tables = 0;
                for di in 0..1024u32 {
                    let pde = match m.peek_phys((ptbase & pte::FRAME_MASK) + di * 4, 4) {
                        Some(p) => p,
                        None => break,
                    };
                    if pde & pte::P == 0 {
                        continue;
                    }
                    shown_tables += 1;
                    let table = pde & pte::FRAME_MASK;
                    for ti in 0..1024u32 {
                        let Some(e) = m.peek_phys(table + ti * 4, 4) else {
                            break;
                        };
                        if e & pte::P == 0 {
                            continue;
                        }
                        let va = (di << 22) | (ti << 12);
                        let pa = e & pte::FRAME_MASK;
                        let bits = e & 0x3f;
                        if let Some(last) = runs.last_mut() {
                            if last.3 == bits
                                && last.0 as u64 + last.2 as u64 * 4096 == va as u64
                                && last.1 as u64 + last.2 as u64 * 4096 == pa as u64
                            {
                                last.2 += 1;
                                continue;
                            }
                        }
                        runs.push((va, pa, 1, bits));
                    }
                }
                if runs.is_empty() {
                    l.push("  (no present mappings)".into());
                }
                for (va, pa, n, bits) in runs.iter().take(64) {
                    let end = *va as u64 + *n as u64 * 4096 - 1;
                    l.push(format!(
                        "  {va:#010x}-{end:#010x} -> {pa:#010x}  {:>6} page{}  {}",
                        n,
                        if *n == 1 { " " } else { "s" },
                        pte_bits(*bits)
                    ));
                }
                if runs.len() > 64 {
                    l.push(format!("  ... {} more runs", runs.len() - 64));
                }
                l.push(format!(
                    "  {shown_tables} page table(s) present; `info pagetable VA` walks one \
                     address step by step"
                ));
            }
        }
        for x in l {
            self.say(x);
        }
        Ok(())
    }

    /// `info tlb`.
    pub fn info_tlb(&mut self) -> CmdResult {
        let m = &self.m;
        let mut l = vec![format!(
            "TLB: {} entries, direct-mapped by virtual page number; hits {}, misses (walks) {}",
            isa_spec::cost::TLB_ENTRIES,
            m.tlb.hits,
            m.tlb.misses
        )];
        let valid: Vec<_> = m.tlb.valid().collect();
        if valid.is_empty() {
            l.push("  (empty)".into());
        } else {
            l.push(format!(
                "  {:>4}  {:<10}  {:<10}  bits",
                "slot", "virtual", "physical"
            ));
        }
        for (slot, e) in valid {
            let cur = m.walk_steps(e.vpn << 12)[1].entry;
            let stale = match cur {
                Some(c) if (c | pte::A | pte::D) == (e.pte | pte::A | pte::D) => "",
                _ => "  (stale: the PTE in memory differs)",
            };
            l.push(format!(
                "  {slot:>4}  {:#010x}  {:#010x}  {}{}{stale}",
                e.vpn << 12,
                e.pte & pte::FRAME_MASK,
                pte_bits(e.pte),
                self.syms.angle(e.vpn << 12)
            ));
        }
        for x in l {
            self.say(x);
        }
        Ok(())
    }

    /// `info devices`.
    pub fn info_devices(&mut self) -> CmdResult {
        let d = &self.m.dev;
        let bits = |v: u16| -> String {
            let v: Vec<String> = (0..16)
                .filter(|i| v & (1 << i) != 0)
                .map(|i| i.to_string())
                .collect();
            if v.is_empty() {
                "none".into()
            } else {
                v.join(",")
            }
        };
        let mut l = vec![format!(
            "PIC    {:#010x}  pending lines: {}; enabled: {}; in service: {}",
            memmap::PIC,
            bits(d.pic.pending),
            bits(d.pic.enable),
            bits(d.pic.in_service)
        )];
        let prios: Vec<String> = d
            .pic
            .priority
            .iter()
            .enumerate()
            .filter(|(_, p)| **p != 0)
            .map(|(i, p)| format!("{i}:{p}"))
            .collect();
        if !prios.is_empty() {
            l.push(format!(
                "       priorities (line:prio): {}",
                prios.join(" ")
            ));
        }
        let t = &d.timer;
        l.push(format!(
            "TIMER  {:#010x}  line 0; ctrl {:#x} (enable {}, periodic {}, irq {}), period {}, \
             fired {}, {}; fired {} time(s)",
            memmap::TIMER,
            t.ctrl,
            t.ctrl & 1,
            (t.ctrl >> 1) & 1,
            (t.ctrl >> 2) & 1,
            t.period,
            t.fired as u8,
            if t.deadline == u64::MAX {
                "stopped".to_string()
            } else {
                format!(
                    "next at cycle {} (in {})",
                    t.deadline,
                    t.deadline.saturating_sub(self.m.cpu.cycles)
                )
            },
            t.fires
        ));
        let u = &d.uart;
        l.push(format!(
            "UART   {:#010x}  line 1; ctrl {:#x} (rx irq {}, tx irq {}), {} byte(s) waiting to be \
             read, {} sent",
            memmap::UART,
            u.ctrl,
            u.ctrl & 1,
            (u.ctrl >> 1) & 1,
            u.pending_input(),
            u.tx_bytes
        ));
        l.push(format!(
            "POWER  {:#010x}  {}",
            memmap::POWER,
            match d.power.request {
                None => "no request pending".to_string(),
                Some(emulator::devices::power::PowerRequest::Off(c)) => {
                    format!("power-off pending (exit code {c})")
                }
                Some(emulator::devices::power::PowerRequest::Reset) => {
                    "reset pending".to_string()
                }
            }
        ));
        l.extend(self.other_devices());
        l.push(format!(
            "Device register accesses so far: {}; iopl {} (rings 0..{} may access them)",
            d.accesses,
            self.m.cpu.crs[num::IOPL as usize] & 3,
            self.m.cpu.crs[num::IOPL as usize] & 3
        ));
        for x in l {
            self.say(x);
        }
        Ok(())
    }

    /// `info devices` lines for the disk, framebuffer, keyboard, RTC and camera (read without
    /// side effects: no register read that pops or latches).
    fn other_devices(&self) -> Vec<String> {
        use emulator::devices::{camera, disk, keyboard, rtc};
        let d = &self.m.dev;
        let now = self.m.cpu.cycles;
        let onoff = |b: bool| if b { "on" } else { "off" };
        let mut l = Vec::new();
        let k = &d.disk;
        let st = k.status();
        let medium = match &k.image {
            None => "no medium".to_string(),
            Some(img) => format!(
                "{} ({} sectors{}, {} written sector(s) not yet in the file)",
                img.path().display(),
                img.sectors(),
                if img.readonly() { ", read-only" } else { "" },
                img.dirty_sectors()
            ),
        };
        l.push(format!(
            "DISK   {:#010x}  line {}; {medium}; status {st:#x} (busy {}, done {}, error {}{}); \
             ctrl {:#x} (irq {}); sector {}, count {}, addr {:#010x}; {} command(s), {} read, {} \
             written, {} flush(es), {} error(s)",
            memmap::DISK,
            disk::LINE,
            st & 1,
            (st >> 1) & 1,
            (st >> 2) & 1,
            match k.read(0x08) {
                Some(e) if e != 0 => format!(": code {e}"),
                _ => String::new(),
            },
            k.ctrl,
            k.ctrl & 1,
            k.sector,
            k.count,
            k.addr,
            k.commands,
            k.sectors_read,
            k.sectors_written,
            k.flushes,
            k.errors
        ));
        let f = &d.fb;
        l.push(format!(
            "FB     {:#010x}  display {}; {}x{} {}, offset {:#x}; video memory at {:#010x}, {} \
             byte(s) written",
            memmap::FBCTL,
            onoff(f.ctrl & 1 != 0),
            f.width,
            f.height,
            if f.mode == emulator::devices::fb::MODE_INDEXED8 {
                "8-bit indexed"
            } else {
                "32-bit XRGB"
            },
            f.offset,
            memmap::FB_BASE,
            f.bytes_written
        ));
        // STATUS and COUNT read from a copy: reading the device itself takes `&mut`.
        let mut kb = d.keyboard.clone();
        let kst = kb.read(0x04).unwrap_or(0);
        l.push(format!(
            "KBD    {:#010x}  line {}; ctrl {:#x} (irq {}); {} event(s) waiting to be read{}; {} \
             delivered",
            memmap::KEYBOARD,
            keyboard::LINE,
            d.keyboard.ctrl,
            d.keyboard.ctrl & 1,
            kb.read(0x0C).unwrap_or(0),
            if kst & 2 != 0 {
                " (more held back: the queue is full)"
            } else {
                ""
            },
            d.keyboard.events
        ));
        let r = &d.rtc;
        let ns = r.time_ns(now);
        l.push(format!(
            "RTC    {:#010x}  line {}; time {}.{:09} s since 1970; alarm {} at {} s{}; {} alarm(s) \
             went off",
            memmap::RTC,
            rtc::LINE,
            ns / 1_000_000_000,
            ns % 1_000_000_000,
            if r.ctrl & 1 != 0 { "armed" } else { "not armed" },
            r.alarm,
            if r.fired { " (went off)" } else { "" },
            r.alarms
        ));
        let c = &d.camera;
        let cst = c.status();
        l.push(format!(
            "CAMERA {:#010x}  line {}; sensor {}; status {cst:#x} (busy {}, done {}, error {}{}); \
             ctrl {:#x} (irq {}); addr {:#010x}; {} frame(s) captured",
            memmap::CAMERA,
            camera::LINE,
            onoff(c.is_on()),
            (cst & camera::ST_BUSY != 0) as u8,
            (cst & camera::ST_DONE != 0) as u8,
            (cst & camera::ST_ERROR != 0) as u8,
            match c.read(0x20) {
                Some(e) if e != 0 => format!(": code {e}"),
                _ => String::new(),
            },
            c.ctrl,
            (c.ctrl & camera::CTRL_IE != 0) as u8,
            c.addr,
            c.frames
        ));
        l
    }

    /// `info breakpoints`.
    pub fn info_breakpoints(&mut self) -> CmdResult {
        if self.points.list.is_empty() {
            self.say("No breakpoints, watchpoints or catchpoints.");
            return Ok(());
        }
        let mut l = vec![format!(
            "{:<4} {:<16} {:<5} {:<3} {:<11} What",
            "Num", "Type", "Disp", "Enb", "Address"
        )];
        for p in &self.points.list {
            let (ty, disp, addr, what) = match &p.kind {
                Kind::Break { addr, temp } => (
                    "breakpoint".to_string(),
                    if *temp { "del" } else { "keep" },
                    format!("{addr:#010x}"),
                    format!(
                        "{}{}",
                        self.syms
                            .name_at(*addr)
                            .map(|s| format!("in {s}"))
                            .unwrap_or_else(|| p.what.clone()),
                        self.syms.line_suffix(*addr)
                    ),
                ),
                Kind::Watch(w) => (
                    w.kind.short().to_string(),
                    "keep",
                    format!("{:#010x}", w.addr),
                    format!(
                        "{} ({} byte{}{})",
                        p.what,
                        w.len,
                        if w.len == 1 { "" } else { "s" },
                        if w.phys { ", physical" } else { "" }
                    ),
                ),
                Kind::Catch(c) => (
                    "catchpoint".to_string(),
                    "keep",
                    String::new(),
                    c.describe(),
                ),
            };
            l.push(format!(
                "{:<4} {:<16} {:<5} {:<3} {:<11} {}",
                p.id,
                ty,
                disp,
                if p.enabled { "y" } else { "n" },
                addr,
                what
            ));
            if let Some((c, _)) = &p.cond {
                l.push(format!("        stop only if {c}"));
            }
            if p.hits > 0 {
                l.push(format!(
                    "        hit {} time{}",
                    p.hits,
                    if p.hits == 1 { "" } else { "s" }
                ));
            }
        }
        for x in l {
            self.say(x);
        }
        Ok(())
    }

    /// `x/NFU ADDR`: memory in a format (x d u c s i t o a) and size (b h w).
    pub fn examine(
        &mut self,
        count: u32,
        fmt: char,
        size: u32,
        addr: u32,
        phys: bool,
    ) -> CmdResult {
        let read = |m: &emulator::Machine, a: u32, n: u32| {
            if phys {
                m.peek_phys(a, n)
            } else {
                crate::expr::read_virt(m, a, n)
            }
        };
        // The address space ends at 0xffffffff; reading on does not wrap around to 0.
        let unit = if fmt == 'i' { 4 } else { size } as u64;
        if fmt != 's' && addr as u64 + count as u64 * unit > 1 << 32 {
            let fit = ((1u64 << 32) - addr as u64) / unit;
            return Err(DbgError::hint(
                format!(
                    "{count} {unit}-byte unit(s) at {addr:#010x} run past the end of the \
                     address space (0xffffffff)"
                ),
                format!("ask for at most {fit} there"),
            ));
        }
        let mut lines = Vec::new();
        let mut a = addr;
        match fmt {
            'i' => {
                for _ in 0..count {
                    let text = if phys {
                        match self.m.peek_phys(a, 4).map(isa_spec::decode) {
                            Some(Ok(i)) => isa_spec::disasm_with(&i, a, &|t| self.syms.name_at(t)),
                            Some(Err(_)) => "(illegal)".into(),
                            None => "(no memory here)".into(),
                        }
                    } else {
                        self.insn_text(a)
                    };
                    let mark = if a == self.m.cpu.pc { "=> " } else { "   " };
                    lines.push(format!("{mark}{a:#010x}{}:  {text}", self.syms.angle(a)));
                    a = a.wrapping_add(4);
                }
            }
            's' => {
                let mut ended = false;
                for _ in 0..count {
                    if ended {
                        lines.push("(the address space ends at 0xffffffff)".to_string());
                        break;
                    }
                    let mut s = String::new();
                    let start = a;
                    let mut n = 0;
                    loop {
                        let Some(b) = read(&self.m, a, 1) else {
                            if n == 0 {
                                return Err(format!("cannot read memory at {a:#010x}").into());
                            }
                            break;
                        };
                        n += 1;
                        let Some(next) = a.checked_add(1) else {
                            ended = true;
                            if b != 0 {
                                s += &char_repr(b as u8);
                            }
                            break;
                        };
                        a = next;
                        if b == 0 {
                            break;
                        }
                        s += &char_repr(b as u8);
                        if n >= 200 {
                            s += "...";
                            break;
                        }
                    }
                    lines.push(format!("{start:#010x}{}:  \"{s}\"", self.syms.angle(start)));
                }
            }
            _ => {
                let per_line = match size {
                    1 => 8,
                    2 => 8,
                    _ => 4,
                };
                let mut i = 0;
                while i < count {
                    let mut line = format!("{a:#010x}{}:", self.syms.angle(a));
                    for _ in 0..per_line {
                        if i >= count {
                            break;
                        }
                        let Some(v) = read(&self.m, a, size) else {
                            if i == 0 || line.ends_with(':') {
                                return Err(format!(
                                    "cannot read memory at {a:#010x} (not mapped, or not RAM/ROM)"
                                )
                                .into());
                            }
                            lines.push(line);
                            self.x_next = Some(a);
                            for x in lines {
                                self.say(x);
                            }
                            return Err(format!("cannot read memory at {a:#010x}").into());
                        };
                        let cell = match fmt {
                            'x' => format!("0x{v:0w$x}", w = 2 * size as usize),
                            'd' => match size {
                                1 => (v as u8 as i8).to_string(),
                                2 => (v as u16 as i16).to_string(),
                                _ => (v as i32).to_string(),
                            },
                            'u' => v.to_string(),
                            'o' => format!("{v:#o}"),
                            't' => format!("{v:0w$b}", w = 8 * size as usize),
                            'a' => format!("{v:#010x}{}", self.syms.angle(v)),
                            'c' => format!("{} '{}'", v as u8, char_repr(v as u8)),
                            _ => format!("{v:#x}"),
                        };
                        line += &format!("\t{cell}");
                        a = a.wrapping_add(size);
                        i += 1;
                    }
                    lines.push(line);
                }
            }
        }
        self.x_next = Some(a);
        for x in lines {
            self.say(x);
        }
        Ok(())
    }

    /// `disassemble`: the instructions in `[start, end)`; `title` names the function.
    pub fn disassemble(&mut self, start: u32, end: u32, title: Option<&str>) {
        let mut l = vec![match title {
            Some(t) => format!("Dump of assembler code for function {t}:"),
            None => format!("Dump of assembler code from {start:#010x} to {end:#010x}:"),
        }];
        let mut a = start & !3;
        while a < end {
            let mark = if a == self.m.cpu.pc { "=> " } else { "   " };
            let head = format!("{a:#010x}{}:", self.syms.angle(a));
            l.push(format!(
                "{mark}{head:<30}{:<34}{}",
                self.insn_text(a),
                self.syms.line_suffix(a)
            ));
            a = a.wrapping_add(4);
            if a == 0 {
                break;
            }
        }
        l.push("End of assembler dump.".into());
        for x in l {
            self.say(x);
        }
    }

    /// The function containing `addr`: start, end, name (or a window around it).
    pub fn function_range(&self, addr: u32) -> Result<(u32, u32, Option<String>), DbgError> {
        match self.func_bounds(addr) {
            // Very long "functions" (a label followed by data) are cut.
            Some((s, e, name)) => Ok((s, e.min(s.saturating_add(4 * 256)), Some(name))),
            None => Ok((addr.saturating_sub(16) & !3, addr.saturating_add(32), None)),
        }
    }

    /// `list [LOC | FILE:LINE]`: source lines.
    pub fn list(&mut self, at: Option<(String, u32)>, centre: bool) -> CmdResult {
        let (file, first) = match at {
            Some((f, line)) => (
                f,
                if centre {
                    line.saturating_sub(5).max(1)
                } else {
                    line
                },
            ),
            None => match self.list_next.clone() {
                Some(x) => x,
                None => {
                    let pc = self.m.cpu.pc;
                    let Some(li) = self.syms.line_at(pc) else {
                        return Err(DbgError::hint(
                            format!("no source line for pc {pc:#010x}"),
                            "`list FILE:LINE` or `disassemble` (flat binaries have no line table)",
                        ));
                    };
                    (li.file.clone(), li.line.saturating_sub(5).max(1))
                }
            },
        };
        let text = std::fs::read_to_string(&file).map_err(|e| {
            DbgError::hint(
                format!("cannot read source file {file}: {e}"),
                "run the debugger from the directory the program was assembled in",
            )
        })?;
        let lines: Vec<&str> = text.lines().collect();
        if first as usize > lines.len() {
            return Err(format!(
                "line {first} is past the end of {file} ({} lines)",
                lines.len()
            )
            .into());
        }
        let cur = self
            .syms
            .line_at(self.m.cpu.pc)
            .filter(|l| l.file == file)
            .map(|l| l.line);
        let mut out = Vec::new();
        let last = (first as usize + 9).min(lines.len());
        for n in first as usize..=last {
            let mark = if Some(n as u32) == cur { "=>" } else { "  " };
            out.push(format!("{mark}{n:>5}  {}", lines[n - 1]));
        }
        self.list_next = Some((file, last as u32 + 1));
        for x in out {
            self.say(x);
        }
        Ok(())
    }

    /// `hot [N]`: the threaded engine's hottest blocks.
    pub fn hot(&mut self, n: usize) -> CmdResult {
        if self.engine != EngineKind::Threaded {
            return Err(DbgError::hint(
                "block profiles come from the threaded engine, and this session runs the \
                 interpreter",
                "switch with `engine threaded` (or start with `ringfort debug --engine threaded \
                 PROG`), then `continue` with no read/access watchpoints or catchpoints set",
            ));
        }
        // Shares are of the cycles the profile holds. Not of the cycle counter's progress:
        // time travel moves the counter back while blocks keep their counts, and it drops the
        // translated blocks (with their counts) when it restores memory.
        // One line per guest address: a block translated again (after a store into its code
        // page) is the same code; the cache adds its translations up and counts them.
        let cache = &self.threaded.cache;
        let all = cache.hottest(usize::MAX);
        let total = all.iter().map(|b| b.2).sum::<u64>().max(1);
        let hot: Vec<(u32, (u64, u64, usize, usize))> = all
            .into_iter()
            .take(n)
            .map(|(pc, execs, cycles, insns)| {
                (pc, (execs, cycles, insns, cache.translations_at(pc)))
            })
            .collect();
        if hot.is_empty() {
            self.say(
                "No blocks have run on the threaded engine yet: it runs `continue` unless a \
                 read/access watchpoint, catchpoint or trace is active.",
            );
            return Ok(());
        }
        let mut l = vec![format!(
            "Hottest blocks (threaded engine), by cycles; share of the {total} cycles in its \
             profile:"
        )];
        l.push(format!(
            "  {:>2}  {:<10}  {:<24} {:>12} {:>14} {:>7} {:>6} {:>12}",
            "#", "pc", "where", "executions", "cycles", "share", "insns", "translations"
        ));
        for (i, (pc, (execs, cycles, insns, translations))) in hot.iter().enumerate() {
            l.push(format!(
                "  {:>2}  {pc:#010x}  {:<24} {execs:>12} {cycles:>14} {:>6.1}% {insns:>6} \
                 {translations:>12}",
                i + 1,
                self.syms.name_at(*pc).unwrap_or_default(),
                *cycles as f64 * 100.0 / total as f64
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
