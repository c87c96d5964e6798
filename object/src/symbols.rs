//! Naming addresses: a program's labels indexed by address, and the rule that picks the label
//! that names an address. The debugger, `ringfort disasm` and `run --stats` all name code
//! through it.

use crate::program::{Program, SymbolKind};

/// A label as the index holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Address.
    pub addr: u32,
    /// Name.
    pub name: String,
    /// Section it was defined in.
    pub section: String,
    /// Global, or `.type @function`: a label that starts a function.
    pub func: bool,
    /// How well it names code at its address: higher is better (see [`SymbolIndex::name_at`]).
    rank: u8,
}

/// The labels of a program (symbols in a section; `.equ` constants are not addresses), sorted
/// by address. Build it once for many look-ups.
#[derive(Clone, Debug, Default)]
pub struct SymbolIndex {
    labels: Vec<Label>,
}

impl SymbolIndex {
    /// Indexes `p`'s labels.
    pub fn new(p: &Program) -> SymbolIndex {
        let mut labels: Vec<Label> = p
            .symbols
            .iter()
            .filter_map(|s| {
                let section = s.section.clone()?;
                let rank = match s.kind {
                    SymbolKind::Func => 4,
                    SymbolKind::None => 2,
                    SymbolKind::Object => 0,
                } + s.global as u8;
                Some(Label {
                    addr: s.value,
                    name: s.name.clone(),
                    section,
                    func: s.global || s.kind == SymbolKind::Func,
                    rank,
                })
            })
            .collect();
        // Stable: labels at one address keep their definition order.
        labels.sort_by_key(|l| l.addr);
        SymbolIndex { labels }
    }

    /// The labels that may name `addr` in `p` (the program indexed), in address order: those
    /// of the section holding it. A label at the end of the section before, such as
    /// `buf_end:` after a `.bss` buffer, has the address of the next section's first label
    /// but does not name it. When the segment holds no label of its own name below `addr`
    /// (an ELF whose segment spans several sections), every label in the segment.
    pub fn section_labels(&self, p: &Program, addr: u32) -> Option<Vec<&Label>> {
        let seg = p.segment_at(addr)?;
        let lo = self.labels.partition_point(|l| l.addr < seg.addr);
        let hi = self.labels.partition_point(|l| (l.addr as u64) < seg.end());
        let all = &self.labels[lo..hi];
        let own: Vec<&Label> = all.iter().filter(|l| l.section == seg.name).collect();
        Some(if own.iter().any(|l| l.addr <= addr) {
            own
        } else {
            all.iter().collect()
        })
    }

    /// `name` or `name+0x10` for an address inside `p`'s segments: the nearest label at or
    /// below it in the same section; among labels at one address, a function's (`.type
    /// @function`) before an untyped one before an object's, a global before a local, and
    /// then the one defined last: the label written just before the code names it, not one
    /// that closes the area before (`ustack_top:` then `user_main:`).
    pub fn name_at(&self, p: &Program, addr: u32) -> Option<String> {
        let mut best: Option<&Label> = None;
        for l in self.section_labels(p, addr)? {
            if l.addr > addr {
                break;
            }
            let better = match best {
                None => true,
                Some(b) => l.addr > b.addr || (l.addr == b.addr && l.rank >= b.rank),
            };
            if better {
                best = Some(l);
            }
        }
        let b = best?;
        Some(if b.addr == addr {
            b.name.clone()
        } else {
            format!("{}+{:#x}", b.name, addr - b.addr)
        })
    }
}
