//! The program's symbols and line table, as the debugger uses them: names for addresses,
//! addresses for names, function bounds, source lines.

use crate::expr::Names;
use assembler::{Label, LineInfo, Program, SymbolIndex};
use std::collections::HashMap;

/// Symbols and lines of the loaded program (empty for a flat binary).
#[derive(Default)]
pub struct Symbols {
    /// The program, when it came with symbols.
    pub prog: Option<Program>,
    by_name: HashMap<String, u32>,
    /// The labels by address (the rule that names an address is the assembler's).
    index: SymbolIndex,
}

impl Symbols {
    /// Indexes a program's symbols.
    pub fn new(prog: Option<Program>) -> Symbols {
        let mut by_name = HashMap::new();
        if let Some(p) = &prog {
            for s in &p.symbols {
                // Globals win over locals of the same name.
                if s.global || !by_name.contains_key(&s.name) {
                    by_name.insert(s.name.clone(), s.value);
                }
            }
        }
        let index = prog.as_ref().map(SymbolIndex::new).unwrap_or_default();
        Symbols {
            prog,
            by_name,
            index,
        }
    }

    /// The labels that may name `addr`: those of the section holding it, by address.
    fn section_labels(&self, addr: u32) -> Option<Vec<&Label>> {
        self.index.section_labels(self.prog.as_ref()?, addr)
    }

    /// `name` or `name+0x10` for an address inside the program's segments
    /// ([`SymbolIndex::name_at`]: the nearest label at or below it in the same section).
    pub fn name_at(&self, addr: u32) -> Option<String> {
        self.index.name_at(self.prog.as_ref()?, addr)
    }

    /// ` <name+0x10>` or the empty string.
    pub fn angle(&self, addr: u32) -> String {
        match self.name_at(addr) {
            Some(s) => format!(" <{s}>"),
            None => String::new(),
        }
    }

    /// Labels at or below `addr` in its section, nearest first: (address, name, function-like:
    /// global or typed `@function`).
    pub fn labels_below(&self, addr: u32) -> Vec<(u32, &str, bool)> {
        let Some(own) = self.section_labels(addr) else {
            return Vec::new();
        };
        let mut v: Vec<_> = own
            .into_iter()
            .take_while(|l| l.addr <= addr)
            .map(|l| (l.addr, l.name.as_str(), l.func))
            .collect();
        v.reverse();
        v
    }

    /// Labels above `addr` in its section, nearest first (address, name, function-like).
    pub fn labels_above(&self, addr: u32) -> Vec<(u32, &str, bool)> {
        let Some(own) = self.section_labels(addr) else {
            return Vec::new();
        };
        own.into_iter()
            .skip_while(|l| l.addr <= addr)
            .map(|l| (l.addr, l.name.as_str(), l.func))
            .collect()
    }

    /// The end of the segment holding `addr`.
    pub fn segment_end(&self, addr: u32) -> Option<u32> {
        let seg = self.prog.as_ref()?.segment_at(addr)?;
        Some(seg.end().min(u32::MAX as u64) as u32)
    }

    /// The source line of `addr`.
    pub fn line_at(&self, addr: u32) -> Option<&LineInfo> {
        self.prog.as_ref()?.line_at(addr)
    }

    /// ` (file.s:12)` or the empty string.
    pub fn line_suffix(&self, addr: u32) -> String {
        match self.line_at(addr) {
            Some(l) => format!("  ({}:{})", short_file(&l.file), l.line),
            None => String::new(),
        }
    }

    /// The first address of `file:line` (or the first line after it that produced code).
    pub fn line_addr(&self, file: &str, line: u32) -> Result<u32, String> {
        let prog = self
            .prog
            .as_ref()
            .ok_or("this program has no line table (a flat binary); use an address")?;
        let matches_file = |f: &str| f == file || short_file(f) == short_file(file);
        let mut files: Vec<&str> = prog.lines.iter().map(|l| l.file.as_str()).collect();
        files.dedup();
        if !prog.lines.iter().any(|l| matches_file(&l.file)) {
            let mut known: Vec<&str> = files.iter().map(|f| short_file(f)).collect();
            known.sort();
            known.dedup();
            return Err(format!(
                "no source file `{file}` in the line table (files: {})",
                known.join(", ")
            ));
        }
        prog.lines
            .iter()
            .filter(|l| matches_file(&l.file) && l.line >= line)
            .min_by_key(|l| (l.line, l.addr))
            .map(|l| l.addr)
            .ok_or_else(|| format!("{file} has no code at or after line {line}"))
    }

    /// Every symbol name (for completion).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(|s| s.as_str())
    }

    /// Every source file in the line table.
    pub fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .prog
            .iter()
            .flat_map(|p| p.lines.iter().map(|l| l.file.clone()))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// The file name without directories.
pub fn short_file(f: &str) -> &str {
    f.rsplit(['/', '\\']).next().unwrap_or(f)
}

impl Names for Symbols {
    fn symbol(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    fn similar(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let mut best: Option<(usize, &str)> = None;
        for n in self.by_name.keys() {
            // The distance is at least the difference in length: skip the quadratic
            // comparison for names that cannot be within 2 (a pasted megabyte is one).
            if lower.len().abs_diff(n.len()) > 2 {
                continue;
            }
            let d = edit_distance(&lower, &n.to_ascii_lowercase());
            let better = match best {
                None => true,
                Some((bd, bn)) => d < bd || (d == bd && n.as_str() < bn),
            };
            if d <= 2 && better {
                best = Some((d, n));
            }
        }
        best.map(|(_, n)| n.to_string())
    }
}

/// Levenshtein distance (for "did you mean" hints).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (ca != cb) as usize)
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
