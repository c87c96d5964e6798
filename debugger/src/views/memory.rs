//! The memory views: page-table walks explained level by level, the TLB, `x`, disassembly
//! and source listing.

use super::*;

impl Debugger {
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
        let walk = va.map(|va| page_walk(m, va));
        match va {
            Some(va) => walk_lines(m, va, &mut l),
            None => mapping_lines(m, ptbase, &mut l),
        }
        if let Some(w) = walk {
            self.emit(crate::output::Event::PageWalk(w));
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
}

/// `info pagetable VA`: the walk of `va`, level by level, with each ring's rights and the TLB.
fn walk_lines(m: &emulator::Machine, va: u32, l: &mut Vec<String>) {
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
                        l.push(
                            "  Rights by ring (checked in this order: present, ring, R/W/X):"
                                .into(),
                        );
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

/// `info pagetable`: the present mappings, as contiguous runs with equal rights.
fn mapping_lines(m: &emulator::Machine, ptbase: u32, l: &mut Vec<String>) {
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

/// The walk of `va` as data, for front ends that read events rather than lines.
fn page_walk(m: &emulator::Machine, va: u32) -> crate::output::PageWalk {
    let [dir, leaf] = m.walk_steps(va);
    let table = dir
        .entry
        .filter(|pde| pde & pte::P != 0)
        .map(|_| (leaf.entry_addr, leaf.entry));
    crate::output::PageWalk {
        va,
        directory: (dir.entry_addr, dir.entry),
        table,
        tlb: m.tlb.lookup(va >> 12),
    }
}
