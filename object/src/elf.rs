//! ELF32 output (`Program::to_elf`) and input (`read_elf`).
//!
//! Layout of what we write: the ELF header, one `PT_LOAD` program header per segment
//! (`p_align` = 0x1000, file offset congruent to the address modulo 0x1000), the segment
//! contents, the `.rf32.lines` table, `.symtab`, `.strtab`, `.shstrtab` and the section
//! header table. Section headers: one per segment (named after it), then `.rf32.lines`,
//! `.symtab`, `.strtab`, `.shstrtab`.
//!
//! `.rf32.lines` (non-allocated, `SHT_PROGBITS`), all fields little-endian u32:
//! magic `RF32LINE` (8 bytes), version (1), file count F, entry count N, then F file names
//! (u32 byte length + UTF-8 bytes, no terminator), then N entries of (address, file index,
//! line), sorted by address. An address maps to the last entry at or below it.

use crate::program::{LineInfo, Program, SegFlags, Segment, Symbol, SymbolKind};
use object::elf;
use object::read::elf::{FileHeader as _, ProgramHeader as _, SectionHeader as _, Sym as _};
use object::write::elf::{FileHeader, ProgramHeader, SectionHeader, Sym, Writer};
use object::{Endianness, LittleEndian as LE};
use std::fmt;

/// `e_machine` of RF32 images ("RF" in ASCII).
pub const EM_RF32: u16 = 0x5246;

/// Name of the line-table section.
pub const LINES_SECTION: &str = ".rf32.lines";

const LINES_MAGIC: &[u8; 8] = b"RF32LINE";
const LINES_VERSION: u32 = 1;
const EI_CLASS: usize = 4;
const EI_DATA: usize = 5;

/// Why an ELF file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// Shorter than an ELF header.
    TooShort {
        /// File length.
        len: usize,
    },
    /// Does not start with `\x7fELF`.
    NotElf,
    /// `EI_CLASS` is not ELFCLASS32.
    WrongClass(u8),
    /// `EI_DATA` is not little-endian.
    NotLittleEndian(u8),
    /// `e_machine` is not [`EM_RF32`].
    WrongMachine(u16),
    /// `e_type` is not `ET_EXEC`.
    NotExecutable(u16),
    /// A header, table or range is out of bounds or inconsistent.
    Malformed(String),
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfError::TooShort { len } => write!(
                f,
                "file is {len} bytes long, too short for an ELF32 header (52 bytes)"
            ),
            ElfError::NotElf => write!(f, "not an ELF file (missing the \\x7fELF magic)"),
            ElfError::WrongClass(c) => write!(
                f,
                "ELF class {c} ({}) is not supported: RF32 images are ELFCLASS32",
                if *c == 2 { "64-bit" } else { "invalid" }
            ),
            ElfError::NotLittleEndian(d) => write!(
                f,
                "ELF data encoding {d} ({}) is not supported: RF32 images are little-endian",
                if *d == 2 { "big-endian" } else { "invalid" }
            ),
            ElfError::WrongMachine(m) => write!(
                f,
                "ELF machine {m:#06x} is not RF32 (expected {EM_RF32:#06x}); this file is for another processor"
            ),
            ElfError::NotExecutable(t) => write!(
                f,
                "ELF type {t} is not an executable (ET_EXEC = 2); link it first"
            ),
            ElfError::Malformed(m) => write!(f, "malformed ELF file: {m}"),
        }
    }
}

impl std::error::Error for ElfError {}

fn encode_lines(lines: &[LineInfo]) -> Vec<u8> {
    let mut files: Vec<&str> = Vec::new();
    let mut entries = Vec::with_capacity(lines.len());
    for l in lines {
        let idx = match files.iter().position(|f| *f == l.file) {
            Some(i) => i,
            None => {
                files.push(&l.file);
                files.len() - 1
            }
        };
        entries.push((l.addr, idx as u32, l.line));
    }
    let mut out = Vec::new();
    out.extend_from_slice(LINES_MAGIC);
    for v in [LINES_VERSION, files.len() as u32, entries.len() as u32] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for f in files {
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f.as_bytes());
    }
    for (a, f, l) in entries {
        for v in [a, f, l] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

struct Reader<'a> {
    d: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ElfError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.d.len())
            .ok_or_else(|| ElfError::Malformed(format!("{LINES_SECTION}: truncated")))?;
        let s = &self.d[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, ElfError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn decode_lines(d: &[u8]) -> Result<Vec<LineInfo>, ElfError> {
    let bad = |m: &str| ElfError::Malformed(format!("{LINES_SECTION}: {m}"));
    let mut r = Reader { d, pos: 0 };
    if r.take(8)? != LINES_MAGIC {
        return Err(bad("bad magic"));
    }
    let version = r.u32()?;
    if version != LINES_VERSION {
        return Err(bad(&format!("unsupported version {version}")));
    }
    let nfiles = r.u32()? as usize;
    let nentries = r.u32()? as usize;
    if nfiles > d.len() / 4 || nentries > d.len() / 12 {
        return Err(bad("counts larger than the section"));
    }
    let mut files = Vec::with_capacity(nfiles);
    for _ in 0..nfiles {
        let len = r.u32()? as usize;
        let name = r.take(len)?;
        files.push(String::from_utf8_lossy(name).to_string());
    }
    let mut lines = Vec::with_capacity(nentries);
    for _ in 0..nentries {
        let addr = r.u32()?;
        let file = r.u32()? as usize;
        let line = r.u32()?;
        let file = files
            .get(file)
            .ok_or_else(|| bad(&format!("file index {file} out of range")))?
            .clone();
        lines.push(LineInfo { addr, file, line });
    }
    Ok(lines)
}

impl Program {
    /// The program as an ELF32 little-endian `ET_EXEC` file for `EM_RF32`.
    pub fn to_elf(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut w = Writer::new(Endianness::Little, false, &mut buf);
        let lines = encode_lines(&self.lines);

        w.reserve_file_header();
        w.reserve_program_headers(self.segments.len() as u32);

        // Section indices and names.
        let sec_names: Vec<_> = self
            .segments
            .iter()
            .map(|s| w.add_section_name(s.name.as_bytes()))
            .collect();
        let sec_index: Vec<_> = self
            .segments
            .iter()
            .map(|_| w.reserve_section_index())
            .collect();
        let lines_name = w.add_section_name(LINES_SECTION.as_bytes());
        let _lines_index = w.reserve_section_index();

        // Symbols: locals first.
        let mut syms: Vec<&Symbol> = self.symbols.iter().filter(|s| !s.global).collect();
        let num_local = syms.len() as u32 + 1;
        syms.extend(self.symbols.iter().filter(|s| s.global));
        w.reserve_null_symbol_index();
        let sym_names: Vec<_> = syms
            .iter()
            .map(|s| {
                let shndx = s
                    .section
                    .as_ref()
                    .and_then(|n| self.segments.iter().position(|g| &g.name == n))
                    .map(|i| sec_index[i]);
                w.reserve_symbol_index(shndx);
                w.add_string(s.name.as_bytes())
            })
            .collect();
        w.reserve_symtab_section_index();
        w.reserve_strtab_section_index();
        w.reserve_shstrtab_section_index();

        // File ranges: segment contents at offsets congruent to their address mod 4 KiB.
        let offsets = reserve_segments(&mut w, &self.segments);
        let lines_off = w.reserve(lines.len() as u64, 4);
        w.reserve_symtab();
        w.reserve_strtab().expect("string table");
        w.reserve_shstrtab().expect("section name table");
        w.reserve_section_headers();

        // Write.
        w.write_file_header(&FileHeader {
            os_abi: elf::ELFOSABI_NONE,
            abi_version: 0,
            e_type: elf::ET_EXEC,
            e_machine: elf::Machine(EM_RF32),
            e_entry: self.entry as u64,
            e_flags: elf::FileFlags(0),
        })
        .expect("file header");
        w.write_align_program_headers();
        for (s, &off) in self.segments.iter().zip(&offsets) {
            w.write_program_header(&ProgramHeader {
                p_type: elf::PT_LOAD,
                p_flags: elf::ProgramFlags(program_flags(s.flags)),
                p_offset: off,
                p_vaddr: s.addr as u64,
                p_paddr: s.addr as u64,
                p_filesz: if s.nobits { 0 } else { s.data.len() as u64 },
                p_memsz: s.size as u64,
                p_align: 0x1000,
            });
        }
        for (s, &off) in self.segments.iter().zip(&offsets) {
            w.pad_until(off);
            if !s.nobits {
                w.write(&s.data);
            }
        }
        w.pad_until(lines_off);
        w.write(&lines);
        w.write_null_symbol();
        for (s, name) in syms.iter().zip(&sym_names) {
            let seg = s
                .section
                .as_ref()
                .and_then(|n| self.segments.iter().position(|g| &g.name == n));
            w.write_symbol(&Sym {
                section: seg.map(|i| sec_index[i].0),
                st_name: w.string_offset(Some(*name)),
                st_info: symbol_info(s),
                st_other: elf::SymbolOther(0),
                st_shndx: if seg.is_some() {
                    elf::SymbolSection(0)
                } else {
                    elf::SHN_ABS
                },
                st_value: s.value as u64,
                st_size: s.size as u64,
            });
        }
        w.write_strtab();
        w.write_shstrtab();
        w.write_null_section_header();
        for ((s, &off), name) in self.segments.iter().zip(&offsets).zip(&sec_names) {
            let flags = section_flags(s.flags);
            w.write_section_header(&SectionHeader {
                sh_name: w.section_name_offset(Some(*name)),
                sh_type: if s.nobits {
                    elf::SHT_NOBITS
                } else {
                    elf::SHT_PROGBITS
                },
                sh_flags: elf::SectionFlags(flags),
                sh_addr: s.addr as u64,
                sh_offset: off,
                sh_size: s.size as u64,
                sh_link: 0,
                sh_info: 0,
                sh_addralign: addralign(s) as u64,
                sh_entsize: 0,
            });
        }
        w.write_section_header(&SectionHeader {
            sh_name: w.section_name_offset(Some(lines_name)),
            sh_type: elf::SHT_PROGBITS,
            sh_flags: elf::SectionFlags(0),
            sh_addr: 0,
            sh_offset: lines_off,
            sh_size: lines.len() as u64,
            sh_link: 0,
            sh_info: 0,
            sh_addralign: 4,
            sh_entsize: 0,
        });
        w.write_symtab_section_header(num_local);
        w.write_strtab_section_header();
        w.write_shstrtab_section_header();
        buf
    }
}

/// Reserves each segment's file range at an offset congruent to its address modulo 4 KiB (so a
/// loader could map it); returns the offsets.
fn reserve_segments(w: &mut Writer<'_>, segments: &[Segment]) -> Vec<u64> {
    let mut offsets = Vec::new();
    for s in segments {
        let cur = w.reserved_len();
        let want = s.addr as u64 % 0x1000;
        let off = cur + (want + 0x1000 - cur % 0x1000) % 0x1000;
        w.reserve_until(off);
        if !s.nobits {
            w.reserve(s.data.len() as u64, 1);
        }
        offsets.push(off);
    }
    offsets
}

/// A segment's `p_flags`.
fn program_flags(f: SegFlags) -> u32 {
    let mut flags = 0;
    if f.read {
        flags |= elf::PF_R.0;
    }
    if f.write {
        flags |= elf::PF_W.0;
    }
    if f.exec {
        flags |= elf::PF_X.0;
    }
    flags
}

/// A segment's section `sh_flags` (always allocated).
fn section_flags(f: SegFlags) -> u64 {
    let mut flags = elf::SHF_ALLOC.0;
    if f.write {
        flags |= elf::SHF_WRITE.0;
    }
    if f.exec {
        flags |= elf::SHF_EXECINSTR.0;
    }
    flags
}

/// A symbol's `st_info`: binding (weak, global, local) and type (from `.type`).
fn symbol_info(s: &Symbol) -> elf::SymbolInfo {
    let st_type = match s.kind {
        SymbolKind::Func => elf::STT_FUNC,
        SymbolKind::Object => elf::STT_OBJECT,
        SymbolKind::None => elf::STT_NOTYPE,
    };
    let bind = if s.weak {
        elf::STB_WEAK
    } else if s.global {
        elf::STB_GLOBAL
    } else {
        elf::STB_LOCAL
    };
    elf::SymbolInfo::new(bind, st_type)
}

fn malformed(e: object::read::Error) -> ElfError {
    ElfError::Malformed(e.to_string())
}

/// A section's `sh_addralign`: the largest alignment it asked for, at least 4 (instructions and
/// words), but never more than its address is aligned to (`--base` need not be a page).
pub fn addralign(s: &Segment) -> u32 {
    let mut a = s.align.max(4);
    while a > 1 && !s.addr.is_multiple_of(a) {
        a /= 2;
    }
    a
}

/// The ELF header, once the identification, class, byte order, machine, type and the extent of
/// the header tables have been checked (each failure named plainly).
fn parse_header(data: &[u8]) -> Result<&elf::FileHeader32<LE>, ElfError> {
    if data.len() < 16 {
        if data.len() >= 4 && &data[..4] != b"\x7fELF" {
            return Err(ElfError::NotElf);
        }
        return Err(ElfError::TooShort { len: data.len() });
    }
    if &data[..4] != b"\x7fELF" {
        return Err(ElfError::NotElf);
    }
    if data[EI_CLASS] != elf::ELFCLASS32.0 {
        return Err(ElfError::WrongClass(data[EI_CLASS]));
    }
    if data[EI_DATA] != elf::ELFDATA2LSB.0 {
        return Err(ElfError::NotLittleEndian(data[EI_DATA]));
    }
    if data.len() < 52 {
        return Err(ElfError::TooShort { len: data.len() });
    }
    let hdr = elf::FileHeader32::<LE>::parse(data).map_err(malformed)?;
    let e = LE;
    if hdr.e_machine(e).0 != EM_RF32 {
        return Err(ElfError::WrongMachine(hdr.e_machine(e).0));
    }
    if hdr.e_type(e) != elf::ET_EXEC {
        return Err(ElfError::NotExecutable(hdr.e_type(e).0));
    }
    // Name truncation plainly before the generic checks below.
    let u16_at = |o: usize| u16::from_le_bytes([data[o], data[o + 1]]) as u64;
    let u32_at =
        |o: usize| u32::from_le_bytes([data[o], data[o + 1], data[o + 2], data[o + 3]]) as u64;
    for (what, off, entsize, num) in [
        ("program header table", u32_at(28), u16_at(42), u16_at(44)),
        ("section header table", u32_at(32), u16_at(46), u16_at(48)),
    ] {
        let end = off + entsize * num;
        if off != 0 && end > data.len() as u64 {
            return Err(ElfError::Malformed(format!(
                "the file is truncated: the {what} (offset {off:#x}, {num} entries of {entsize} bytes) ends at {end:#x}, past the end of the file ({:#x} bytes)",
                data.len()
            )));
        }
    }
    Ok(hdr)
}

/// Reads an RF32 ELF executable (as written by [`Program::to_elf`]) back into a [`Program`]:
/// segments from the `PT_LOAD` program headers, symbols from `.symtab`, the line table from
/// `.rf32.lines` (all optional except the program headers). The listing is empty.
pub fn read_elf(data: &[u8]) -> Result<Program, ElfError> {
    let hdr = parse_header(data)?;
    let e = LE;
    let phdrs = hdr.program_headers(e, data).map_err(malformed)?;
    let sections = if hdr.e_shoff(e) == 0 {
        None
    } else {
        Some(hdr.sections(e, data).map_err(malformed)?)
    };
    let mut segments = Vec::new();
    for (i, ph) in phdrs.iter().enumerate() {
        if ph.p_type(e) != elf::PT_LOAD {
            continue;
        }
        let (vaddr, filesz, memsz) = (ph.p_vaddr(e), ph.p_filesz(e), ph.p_memsz(e));
        if filesz > memsz {
            return Err(ElfError::Malformed(format!(
                "program header {i}: file size {filesz:#x} is larger than memory size {memsz:#x}"
            )));
        }
        if vaddr as u64 + memsz as u64 > 1 << 32 {
            return Err(ElfError::Malformed(format!(
                "program header {i}: segment at {vaddr:#x} of {memsz:#x} bytes passes the 4 GiB end of the address space"
            )));
        }
        let bytes = ph.data(e, data).map_err(|_| {
            ElfError::Malformed(format!(
                "program header {i}: contents (offset {:#x}, {filesz:#x} bytes) lie outside the file",
                ph.p_offset(e)
            ))
        })?;
        let pf = ph.p_flags(e).0;
        let sec = sections.as_ref().and_then(|t| {
            t.iter()
                .find(|s| {
                    s.sh_flags(e).0 & elf::SHF_ALLOC.0 != 0
                        && s.sh_addr(e) == vaddr
                        && s.sh_size(e) > 0
                })
                .map(|s| (t, s))
        });
        let name = sec
            .and_then(|(t, s)| t.section_name(e, s).ok())
            .map(|n| String::from_utf8_lossy(n).to_string())
            .unwrap_or_else(|| format!("segment{i}"));
        let align = sec.map(|(_, s)| s.sh_addralign(e)).unwrap_or(1).max(1);
        segments.push(Segment {
            name,
            addr: vaddr,
            data: bytes.to_vec(),
            size: memsz,
            flags: SegFlags {
                read: pf & elf::PF_R.0 != 0,
                write: pf & elf::PF_W.0 != 0,
                exec: pf & elf::PF_X.0 != 0,
            },
            nobits: filesz == 0 && memsz > 0,
            align,
        });
    }
    segments.sort_by_key(|s| s.addr);
    for pair in segments.windows(2) {
        if pair[0].end() > pair[1].addr as u64 {
            return Err(ElfError::Malformed(format!(
                "segments `{}` and `{}` overlap",
                pair[0].name, pair[1].name
            )));
        }
    }
    let mut symbols = Vec::new();
    let mut lines = Vec::new();
    if let Some(t) = &sections {
        let symtab = t.symbols(e, data, elf::SHT_SYMTAB).map_err(malformed)?;
        let mut globals = Vec::new();
        for (i, s) in symtab.iter().enumerate().skip(1) {
            let st_type = s.st_type();
            if st_type == elf::STT_SECTION || st_type == elf::STT_FILE {
                continue;
            }
            let name = symtab
                .symbol_name(e, s)
                .map_err(|_| ElfError::Malformed(format!("symbol {i} has a bad name offset")))?;
            if name.is_empty() {
                continue;
            }
            let shndx = s.st_shndx(e);
            let section = if shndx == elf::SHN_ABS || shndx == elf::SHN_UNDEF {
                None
            } else {
                let sec = t
                    .section(object::SectionIndex(shndx.0 as usize))
                    .map_err(|_| {
                        ElfError::Malformed(format!("symbol {i} names a missing section"))
                    })?;
                Some(
                    String::from_utf8_lossy(t.section_name(e, sec).map_err(malformed)?).to_string(),
                )
            };
            let sym = Symbol {
                name: String::from_utf8_lossy(name).to_string(),
                value: s.st_value(e),
                size: s.st_size(e),
                global: s.st_bind() != elf::STB_LOCAL,
                weak: s.st_bind() == elf::STB_WEAK,
                kind: if st_type == elf::STT_FUNC {
                    SymbolKind::Func
                } else if st_type == elf::STT_OBJECT {
                    SymbolKind::Object
                } else {
                    SymbolKind::None
                },
                section,
            };
            if sym.global {
                globals.push(sym);
            } else {
                symbols.push(sym);
            }
        }
        symbols.extend(globals);
        if let Some((_, sec)) = t.section_by_name(e, LINES_SECTION.as_bytes()) {
            let d = sec.data(e, data).map_err(|_| {
                ElfError::Malformed(format!("{LINES_SECTION} lies outside the file"))
            })?;
            lines = decode_lines(d)?;
            lines.sort_by_key(|l| l.addr);
        }
    }
    Ok(Program {
        segments,
        entry: hdr.e_entry(e),
        symbols,
        lines,
        listing: Vec::new(),
        warnings: Vec::new(),
    })
}
