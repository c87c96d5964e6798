//! The assembled image: segments, symbols, line table and listing.

use std::fmt::Write as _;

/// Access rights of a segment (and of the pages the emulator maps for it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SegFlags {
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub exec: bool,
}

impl SegFlags {
    /// `r-x`, for code.
    pub const RX: SegFlags = SegFlags {
        read: true,
        write: false,
        exec: true,
    };
    /// `r--`, for read-only data.
    pub const R: SegFlags = SegFlags {
        read: true,
        write: false,
        exec: false,
    };
    /// `rw-`, for data and bss.
    pub const RW: SegFlags = SegFlags {
        read: true,
        write: true,
        exec: false,
    };
}

impl std::fmt::Display for SegFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = |b: bool, ch: char| if b { ch } else { '-' };
        write!(
            f,
            "{}{}{}",
            c(self.read, 'r'),
            c(self.write, 'w'),
            c(self.exec, 'x')
        )
    }
}

/// One loaded region: a section of the image at its final address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Section name (`.text`, `.rodata`, `.data`, `.bss` or a custom name).
    pub name: String,
    /// Load (= virtual = physical) address.
    pub addr: u32,
    /// File contents. Empty for `nobits` segments. Bytes from `data.len()` up to `size`
    /// are zero.
    pub data: Vec<u8>,
    /// Size in memory, in bytes (`data.len()` unless `nobits`).
    pub size: u32,
    /// Access rights.
    pub flags: SegFlags,
    /// True for `.bss`-like segments that occupy memory but no file bytes.
    pub nobits: bool,
    /// Alignment of the section in bytes, its ELF `sh_addralign`: the largest alignment it
    /// asked for (`.align`, `.balign`, `.comm`, ...), at least 4, but no more than its address
    /// is aligned to. ELF output computes it from the address when it is set lower.
    pub align: u32,
}

impl Segment {
    /// One past the last address (as u64, so a segment ending at 4 GiB is representable).
    pub fn end(&self) -> u64 {
        self.addr as u64 + self.size as u64
    }
}

/// What a symbol names (from `.type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// No `.type` given.
    #[default]
    None,
    /// `.type name, @function`.
    Func,
    /// `.type name, @object`.
    Object,
}

/// A symbol of the image (labels and `.equ`/`.set` constants; `.L*` and numeric local labels
/// are not included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// Name.
    pub name: String,
    /// Address (labels) or value (constants).
    pub value: u32,
    /// Size from `.size`, else 0.
    pub size: u32,
    /// Declared with `.global`/`.globl` (or `.weak`, or defined by `.comm`).
    pub global: bool,
    /// Declared with `.weak`: a global that a non-weak definition in another file replaces
    /// (ELF binding `STB_WEAK`).
    pub weak: bool,
    /// Type from `.type`.
    pub kind: SymbolKind,
    /// Section the symbol is in; `None` for absolute constants (`.equ`).
    pub section: Option<String>,
}

/// Maps an address to the source line that produced it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineInfo {
    /// First address of the instruction or data the line produced.
    pub addr: u32,
    /// Source file name.
    pub file: String,
    /// 1-based line number.
    pub line: u32,
}

/// Bytes that one source line produced at one address (a line produces several chunks when
/// it switches sections, e.g. through a macro).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingChunk {
    /// Address of the first byte.
    pub addr: u32,
    /// Total number of bytes produced.
    pub len: u32,
    /// The first bytes (at most [`LISTING_BYTES`]); empty for `.bss`.
    pub bytes: Vec<u8>,
}

/// How many bytes of one chunk the listing keeps.
pub const LISTING_BYTES: usize = 32;

/// One physical source line for the listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingLine {
    /// File name.
    pub file: String,
    /// 1-based line number.
    pub line: u32,
    /// The source text.
    pub text: String,
    /// What the line produced.
    pub chunks: Vec<ListingChunk>,
}

/// An assembled (or read back) program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    /// Loaded regions, in address order.
    pub segments: Vec<Segment>,
    /// Entry point.
    pub entry: u32,
    /// Symbols: locals first, then globals, each in definition order.
    pub symbols: Vec<Symbol>,
    /// Address to source line table, sorted by address.
    pub lines: Vec<LineInfo>,
    /// Per-source-line listing (empty for programs read from ELF).
    pub listing: Vec<ListingLine>,
    /// Warnings the assembler gave (`.warning`), in source order; empty for programs read
    /// from ELF.
    pub warnings: Vec<crate::Diagnostic>,
}

impl Program {
    /// The image as a flat binary: from the lowest to the highest address that has file
    /// contents, gaps filled with zeros. `nobits` segments past the last data are not included.
    /// [`Program::flat_base`] tells the address of the first byte.
    pub fn to_flat(&self) -> Vec<u8> {
        let Some(base) = self.flat_base() else {
            return Vec::new();
        };
        let end = self
            .segments
            .iter()
            .filter(|s| !s.nobits && !s.data.is_empty())
            .map(|s| s.addr as u64 + s.data.len() as u64)
            .max()
            .unwrap_or(base as u64);
        let mut out = vec![0u8; (end - base as u64) as usize];
        for s in self.segments.iter().filter(|s| !s.nobits) {
            let off = (s.addr - base) as usize;
            out[off..off + s.data.len()].copy_from_slice(&s.data);
        }
        out
    }

    /// Address of the first byte of [`Program::to_flat`], or `None` when there is no data.
    pub fn flat_base(&self) -> Option<u32> {
        self.segments
            .iter()
            .filter(|s| !s.nobits && !s.data.is_empty())
            .map(|s| s.addr)
            .min()
    }

    /// Several programs loaded side by side seen as one, for their symbols and lines (a boot
    /// ROM and the system image it copies into RAM): segments, symbols and line tables
    /// together, sorted by address; the entry is the first program's. Names are looked up in
    /// the segment holding an address, so programs whose segments do not overlap keep their
    /// own names. No listing.
    pub fn merge(parts: Vec<Program>) -> Program {
        let mut all = Program::default();
        for (i, p) in parts.into_iter().enumerate() {
            if i == 0 {
                all.entry = p.entry;
            }
            all.segments.extend(p.segments);
            all.symbols.extend(p.symbols);
            all.lines.extend(p.lines);
            all.warnings.extend(p.warnings);
        }
        all.segments.sort_by_key(|s| s.addr);
        // Locals first, then globals, as in one program (stable sorts keep the order).
        all.symbols.sort_by_key(|s| s.global);
        // Stable: lines at one address keep their order.
        all.lines.sort_by_key(|l| l.addr);
        all
    }

    /// The segment containing `addr`, if any.
    pub fn segment_at(&self, addr: u32) -> Option<&Segment> {
        self.segments
            .iter()
            .find(|s| addr >= s.addr && (addr as u64) < s.end())
    }

    /// Names `addr` as `symbol` or `symbol+0x10` by [`SymbolIndex::name_at`]'s rule (the
    /// nearest label below it in the section holding it). Indexes the symbols on each call:
    /// for many look-ups, build a [`SymbolIndex`] once.
    ///
    /// [`SymbolIndex::name_at`]: crate::SymbolIndex::name_at
    /// [`SymbolIndex`]: crate::SymbolIndex
    pub fn symbol_at(&self, addr: u32) -> Option<String> {
        crate::SymbolIndex::new(self).name_at(self, addr)
    }

    /// The source line that produced `addr` (the last line-table entry at or below it, within
    /// the same segment).
    pub fn line_at(&self, addr: u32) -> Option<&LineInfo> {
        let i = self.lines.partition_point(|l| l.addr <= addr);
        let l = self.lines.get(i.checked_sub(1)?)?;
        let seg = self.segment_at(addr)?;
        (l.addr >= seg.addr).then_some(l)
    }

    /// A listing like `as -al`: for each source line, its number, the address and bytes it
    /// produced (8 bytes per row, at most 4 rows, `...` after that) and its text.
    pub fn listing(&self) -> String {
        let mut out = String::new();
        let mut cur_file: Option<&str> = None;
        for l in &self.listing {
            if cur_file != Some(l.file.as_str()) {
                if cur_file.is_some() {
                    out.push('\n');
                }
                let _ = writeln!(out, "RF32 LISTING  {}\n", l.file);
                cur_file = Some(&l.file);
            }
            if l.chunks.is_empty() {
                let _ = writeln!(out, "{:>5} {:8} {:16}  {}", l.line, "", "", l.text);
                continue;
            }
            let mut first = true;
            for c in &l.chunks {
                let rows: Vec<&[u8]> = if c.bytes.is_empty() {
                    vec![&[][..]]
                } else {
                    c.bytes.chunks(8).take(4).collect()
                };
                for (ri, row) in rows.iter().enumerate() {
                    let hex: String = if c.bytes.is_empty() {
                        format!("<{} bytes>", c.len)
                    } else {
                        let mut h: String = row.iter().map(|b| format!("{b:02x}")).collect();
                        let shown = (ri + 1) * 8;
                        if ri + 1 == rows.len() && (c.len as usize) > shown.min(c.bytes.len()) {
                            h.push_str("...");
                        }
                        h
                    };
                    let addr = c.addr.wrapping_add(ri as u32 * 8);
                    if first {
                        let _ = writeln!(out, "{:>5} {addr:08x} {hex:16}  {}", l.line, l.text);
                        first = false;
                    } else {
                        let _ = writeln!(out, "{:>5} {addr:08x} {hex}", "");
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_programs_keep_their_own_names() {
        let one = |addr: u32, name: &str, file: &str| Program {
            segments: vec![Segment {
                name: ".text".into(),
                addr,
                data: vec![0; 16],
                size: 16,
                flags: SegFlags::RX,
                nobits: false,
                align: 4,
            }],
            entry: addr,
            symbols: vec![Symbol {
                name: name.into(),
                value: addr,
                size: 0,
                global: true,
                weak: false,
                kind: SymbolKind::None,
                section: Some(".text".into()),
            }],
            lines: vec![LineInfo {
                addr,
                file: file.into(),
                line: 1,
            }],
            ..Default::default()
        };
        let rom = one(0xFFF0_0000, "rom_start", "boot.s");
        let sys = one(0x1000, "k_start", "kernel.s");
        let m = Program::merge(vec![rom, sys]);
        assert_eq!(m.entry, 0xFFF0_0000);
        assert_eq!(m.segments[0].addr, 0x1000);
        assert_eq!(m.symbol_at(0x1004).as_deref(), Some("k_start+0x4"));
        assert_eq!(m.symbol_at(0xFFF0_0000).as_deref(), Some("rom_start"));
        assert_eq!(m.line_at(0x1008).unwrap().file, "kernel.s");
        assert_eq!(m.line_at(0xFFF0_0004).unwrap().file, "boot.s");
        assert_eq!(m.symbol_at(0x2000), None);
    }

    #[test]
    fn flat_fills_gaps_and_skips_bss() {
        let p = Program {
            segments: vec![
                Segment {
                    name: ".text".into(),
                    addr: 0x1000,
                    data: vec![1, 2],
                    size: 2,
                    flags: SegFlags::RX,
                    nobits: false,
                    align: 1,
                },
                Segment {
                    name: ".data".into(),
                    addr: 0x1004,
                    data: vec![3],
                    size: 1,
                    flags: SegFlags::RW,
                    nobits: false,
                    align: 1,
                },
                Segment {
                    name: ".bss".into(),
                    addr: 0x2000,
                    data: vec![],
                    size: 16,
                    flags: SegFlags::RW,
                    nobits: true,
                    align: 1,
                },
            ],
            ..Default::default()
        };
        assert_eq!(p.to_flat(), vec![1, 2, 0, 0, 3]);
        assert_eq!(p.flat_base(), Some(0x1000));
    }
}
