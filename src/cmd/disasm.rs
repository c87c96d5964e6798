//! `ringfort disasm`: disassemble an RF32 ELF executable or flat binary, like `objdump -d`.

use super::asm::parse_addr;
use anyhow::Context;
use assembler::{Program, SegFlags, Segment, SymbolIndex};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Disassemble an RF32 image.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Image to disassemble: an ELF executable (recognised by its magic) or a flat binary.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Load address of a flat binary (ignored for ELF files).
    #[arg(long, value_name = "ADDR", value_parser = parse_addr, default_value = "0")]
    pub base: u32,
    /// Start disassembling at this address.
    #[arg(long = "start-address", value_name = "ADDR", value_parser = parse_addr)]
    pub start: Option<u32>,
    /// Stop disassembling before this address.
    #[arg(long = "stop-address", value_name = "ADDR", value_parser = parse_addr)]
    pub stop: Option<u32>,
    /// Also disassemble data segments (by default only executable segments, like objdump -d).
    #[arg(short = 'D', long = "disassemble-all")]
    pub all: bool,
    /// Print assembler source only (section directives, labels, instructions, `.word`/`.byte`
    /// and `.space`), which `ringfort asm` turns back into the same image.
    #[arg(long)]
    pub reassemblable: bool,
    /// Disassembler options, as objdump's -M (comma-separated, or repeated): `no-aliases`
    /// prints every instruction as itself (`addi zero, zero, 0`, not `nop`).
    #[arg(short = 'M', value_name = "OPTIONS", value_delimiter = ',')]
    pub options: Vec<String>,
    /// Print no aliases (the same as -M no-aliases).
    #[arg(long)]
    pub raw: bool,
}

/// Runs `ringfort disasm`.
pub fn run(mut args: Args) -> anyhow::Result<ExitCode> {
    for o in &args.options {
        match o.trim() {
            "no-aliases" => args.raw = true,
            "" => {}
            other => {
                anyhow::bail!("unknown disassembler option `{other}` for -M (known: no-aliases)")
            }
        }
    }
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let (prog, is_elf) = if bytes.starts_with(b"\x7fELF") {
        let p = assembler::read_elf(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
        (p, true)
    } else {
        let size = u32::try_from(bytes.len())
            .ok()
            .filter(|&n| args.base as u64 + n as u64 <= 1 << 32)
            .context("flat image does not fit in the 32-bit address space at this base")?;
        let seg = Segment {
            name: ".text".into(),
            addr: args.base,
            data: bytes,
            size,
            flags: SegFlags::RX,
            nobits: false,
            align: 1,
        };
        (
            Program {
                segments: vec![seg],
                entry: args.base,
                ..Default::default()
            },
            false,
        )
    };
    let out = if args.reassemblable {
        reassemblable(&prog, &args)
    } else {
        objdump(&prog, &args, is_elf)
    };
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn in_range(args: &Args, addr: u32) -> bool {
    args.start.is_none_or(|s| addr >= s) && args.stop.is_none_or(|s| addr < s)
}

/// Symbols (with a section) at `addr`, globals first.
fn labels_at(prog: &Program, addr: u32) -> Vec<&str> {
    let mut v: Vec<&assembler::Symbol> = prog
        .symbols
        .iter()
        .filter(|s| s.section.is_some() && s.value == addr)
        .collect();
    v.sort_by_key(|s| !s.global);
    v.into_iter().map(|s| s.name.as_str()).collect()
}

fn word_at(seg: &Segment, off: usize) -> Option<u32> {
    seg.data
        .get(off..off + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn insn_text(prog: &Program, index: &SymbolIndex, word: u32, pc: u32, raw: bool) -> String {
    let sym = |a| index.name_at(prog, a);
    match isa_spec::decode(word) {
        Ok(insn) if raw => isa_spec::disasm_raw_with(&insn, pc, &sym),
        Ok(insn) => isa_spec::disasm_with(&insn, pc, &sym),
        Err(_) => format!(".word {word:#010x}"),
    }
}

fn objdump(prog: &Program, args: &Args, is_elf: bool) -> String {
    let index = SymbolIndex::new(prog);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{}:     file format {}\n",
        args.file.display(),
        if is_elf { "elf32-rf32" } else { "binary" }
    );
    for seg in &prog.segments {
        let code = seg.flags.exec || !is_elf;
        if seg.nobits || !(code || args.all) {
            continue;
        }
        let _ = writeln!(out, "\nDisassembly of section {}:", seg.name);
        let mut off = 0usize;
        while off < seg.data.len() {
            let addr = seg.addr.wrapping_add(off as u32);
            let step = if addr % 4 == 0 && off + 4 <= seg.data.len() {
                4
            } else {
                1
            };
            if !in_range(args, addr) {
                off += step;
                continue;
            }
            // A header where a label of this section starts (not one that ends the section
            // before at the same address), named as the address is named everywhere.
            if let Some(name) = index.name_at(prog, addr).filter(|n| !n.contains('+')) {
                let _ = writeln!(out, "\n{addr:08x} <{name}>:");
            }
            if step == 4 {
                let w = word_at(seg, off).unwrap_or(0);
                let _ = writeln!(
                    out,
                    "{addr:8x}:\t{w:08x}\t{}",
                    insn_text(prog, &index, w, addr, args.raw)
                );
            } else {
                let b = seg.data[off];
                let _ = writeln!(out, "{addr:8x}:\t{b:02x}      \t.byte {b:#04x}");
            }
            off += step;
        }
    }
    out
}

fn reassemblable(prog: &Program, args: &Args) -> String {
    let index = SymbolIndex::new(prog);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# disassembled from {} by ringfort disasm",
        args.file.display()
    );
    if let Some(first) = prog.segments.first() {
        let _ = writeln!(out, "# assemble with --base {:#x}", first.addr);
    }
    let mut used: HashSet<&str> = HashSet::new();
    for s in &prog.symbols {
        if s.global && s.section.is_some() {
            let _ = writeln!(out, ".global {}", s.name);
        }
    }
    for seg in &prog.segments {
        let flags = format!(
            "a{}{}",
            if seg.flags.write { "w" } else { "" },
            if seg.flags.exec { "x" } else { "" }
        );
        let _ = writeln!(
            out,
            "\n.section {}, \"{flags}\"{}",
            seg.name,
            if seg.nobits { ", @nobits" } else { "" }
        );
        if seg.align > 4 {
            // At the section's start this pads nothing; it keeps the section's alignment.
            let _ = writeln!(out, "    .balign {}", seg.align);
        }
        let mut label = |out: &mut String, addr: u32| {
            for name in labels_at(prog, addr) {
                if used.insert(name) {
                    let _ = writeln!(out, "{name}:");
                }
            }
        };
        if seg.nobits {
            label(&mut out, seg.addr);
            let _ = writeln!(out, "    .space {}", seg.size);
            continue;
        }
        let mut off = 0usize;
        while off < seg.data.len() {
            let addr = seg.addr.wrapping_add(off as u32);
            label(&mut out, addr);
            if addr % 4 == 0 && off + 4 <= seg.data.len() {
                let w = word_at(seg, off).unwrap_or(0);
                if seg.flags.exec {
                    let _ = writeln!(out, "    {}", insn_text(prog, &index, w, addr, args.raw));
                } else {
                    let _ = writeln!(out, "    .word {w:#010x}");
                }
                off += 4;
            } else {
                let _ = writeln!(out, "    .byte {:#04x}", seg.data[off]);
                off += 1;
            }
        }
        if seg.size as usize > seg.data.len() {
            let _ = writeln!(out, "    .space {}", seg.size as usize - seg.data.len());
        }
    }
    out
}
