//! `ringfort asm` and `ringfort disasm`, run as a user would, on the fixtures in tests/asm/.
#[path = "support/cli.rs"]
mod cli;
#[path = "support/oom_guard.rs"]
mod oom_guard;

use isa_spec::regs::parse_reg;
use isa_spec::{encode, Insn, Opcode};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cli::ringfort_cmd as bin;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/asm")
        .join(name)
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run ringfort")
}

fn ok(cmd: &mut Command) -> Output {
    let o = run(cmd);
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn w(op: Opcode, rd: &str, rs1: &str, rs2: &str, imm: i32) -> u32 {
    encode(&Insn {
        op,
        rd: parse_reg(rd).unwrap(),
        rs1: parse_reg(rs1).unwrap(),
        rs2: parse_reg(rs2).unwrap(),
        imm,
    })
    .unwrap()
}

/// The image all.s must produce, built from isa_spec::encode and the documented layout.
fn expected_all() -> Vec<u8> {
    use Opcode::*;
    let table = 0x1000;
    let func = 36 * 4;
    // pc-relative offset from instruction index `from` to index `to`
    let off = |from: i32, to: i32| (to - from) * 4;
    let text = vec![
        w(Addi, "zero", "zero", "zero", 0),
        w(Addi, "a0", "zero", "zero", 5),
        w(Lui, "a1", "zero", "zero", 0x1234),
        w(Ori, "a2", "zero", "zero", 0xffff),
        w(Lui, "a3", "zero", "zero", 0x1234),
        w(Ori, "a3", "a3", "zero", 0x5678),
        w(Lui, "a4", "zero", "zero", 0xcafe),
        w(Ori, "a4", "a4", "zero", 0xbabe),
        w(Lui, "a5", "zero", "zero", table >> 16),
        w(Ori, "a5", "a5", "zero", table & 0xffff),
        w(Addi, "s0", "a0", "zero", 0),
        w(Sub, "s1", "zero", "a0", 0),
        w(Addi, "s1", "s1", "zero", -1),
        w(Sub, "s2", "zero", "a0", 0),
        w(Sltiu, "t0", "a0", "zero", 1),
        w(Sltu, "t1", "zero", "a0", 0),
        w(Addi, "sp", "sp", "zero", -16),
        w(Beq, "zero", "a0", "zero", off(17, 17)),
        w(Bne, "zero", "a0", "zero", off(18, 23)),
        w(Blt, "zero", "a0", "zero", off(19, 17)),
        w(Bge, "zero", "a0", "zero", off(20, 23)),
        w(Bge, "zero", "zero", "a0", off(21, 17)),
        w(Blt, "zero", "zero", "a0", off(22, 23)),
        w(Blt, "zero", "a1", "a0", off(23, 23)),
        w(Bge, "zero", "a1", "a0", off(24, 23)),
        w(Bltu, "zero", "a1", "a0", off(25, 23)),
        w(Bgeu, "zero", "a1", "a0", off(26, 23)),
        w(Jal, "zero", "zero", "zero", off(27, 0)),
        w(Jalr, "zero", "t0", "zero", 0),
        w(Jal, "ra", "zero", "zero", func - 29 * 4),
        w(Jal, "ra", "zero", "zero", func - 30 * 4),
        w(Jalr, "ra", "t1", "zero", 0),
        w(Lui, "t2", "zero", "zero", (table + 0x8000) >> 16),
        w(Addi, "t2", "t2", "zero", table as i16 as i32),
        w(Lw, "t3", "t2", "zero", table as i16 as i32),
        w(Halt, "zero", "zero", "zero", 0),
        w(Jalr, "zero", "ra", "zero", 0),
    ];
    assert_eq!(text.len() as i32 * 4, func + 4);
    let mut img: Vec<u8> = text.iter().flat_map(|w| w.to_le_bytes()).collect();
    img.resize(0x1000, 0);
    // .rodata
    for v in [0x1122_3344u32, table as u32, 11] {
        img.extend(v.to_le_bytes());
    }
    img.extend([0xef, 0xbe, 0xff, 0xff, 1, 2, b'x', 0xff]);
    img.extend(b"abc\n\0d\0");
    img.push(0); // .balign 4
    img.resize(0x2000, 0);
    // .data
    for v in [1u32, 7, 2, 3] {
        img.extend(v.to_le_bytes());
    }
    img.extend([0xaa, 0xaa, 0xaa, 0, 2, 1, 2, 1]);
    img.resize(0x2000 + 0x20, 0); // .align 3, .p2align 2, .org 0x20
    img.extend(0x1234u32.to_le_bytes());
    img.extend([5, 0, 6, 0, 7, 0, 0, 0, 8, 0, 0, 0]); // .short .2byte .long .4byte
    img.extend([0, 0, 9, 9, 10, 11]); // .zero 2, .rept, .irp
    img
}

#[test]
fn every_directive_and_pseudo_gives_exact_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.bin");
    ok(bin()
        .args(["asm", "-O", "binary", "-o"])
        .arg(&out)
        .arg(fixture("all.s")));
    let got = std::fs::read(&out).unwrap();
    let want = expected_all();
    assert_eq!(got.len(), want.len());
    for (i, (g, e)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, e, "byte {i:#x} differs");
    }
}

#[test]
fn elf_output_has_segments_symbols_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.elf");
    ok(bin().arg("asm").arg("-o").arg(&out).arg(fixture("all.s")));
    let p = assembler::read_elf(&std::fs::read(&out).unwrap()).unwrap();
    let segs: Vec<(String, u32, String, bool)> = p
        .segments
        .iter()
        .map(|s| (s.name.clone(), s.addr, s.flags.to_string(), s.nobits))
        .collect();
    assert_eq!(
        segs,
        vec![
            (".text".into(), 0, "r-x".into(), false),
            (".rodata".into(), 0x1000, "r--".into(), false),
            (".data".into(), 0x2000, "rw-".into(), false),
            (".bss".into(), 0x3000, "rw-".into(), true),
        ]
    );
    assert_eq!(p.flat_base(), Some(0));
    assert_eq!(p.to_flat(), expected_all());
    let start = p.symbols.iter().find(|s| s.name == "_start").unwrap();
    assert!(start.global);
    assert_eq!(start.kind, assembler::SymbolKind::Func);
    assert_eq!(start.size, 37 * 4);
    let buf = p.symbols.iter().find(|s| s.name == "buf").unwrap();
    assert_eq!((buf.value, buf.global), (0x3000, true));
    assert_eq!(p.entry, 0);
    // Line table: address 4 is `li a0, K` on line 12 of all.s.
    let l = p.line_at(4).unwrap();
    assert!(l.file.ends_with("all.s") && l.line == 12, "{l:?}");
    // Both statements of line 14 (`li a2 ...; li a3 ...`) map to line 14.
    assert_eq!(p.line_at(16).unwrap().line, 14);
}

#[test]
fn multiple_files_link_through_globals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("linked.elf");
    ok(bin()
        .arg("asm")
        .arg("-o")
        .arg(&out)
        .arg(fixture("link_main.s"))
        .arg(fixture("link_lib.s")));
    let p = assembler::read_elf(&std::fs::read(&out).unwrap()).unwrap();
    let get = |n: &str| p.symbols.iter().find(|s| s.name == n).unwrap().value;
    let helper = get("helper");
    assert_eq!(helper, 24, "link_lib.s's .text follows link_main.s's");
    let text = &p.segments[0].data;
    assert_eq!(
        u32::from_le_bytes(text[0..4].try_into().unwrap()),
        w(Opcode::Jal, "ra", "zero", "zero", helper as i32)
    );
    assert_eq!(get("counter"), 0x1000);
    assert_eq!(p.symbols.iter().filter(|s| s.name == "local").count(), 2);
    // Disassembly names the call target and labels functions.
    let o = ok(bin().arg("disasm").arg(&out));
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(s.contains("00000000 <_start>:"), "{s}");
    assert!(s.contains("00000018 <helper>:"), "{s}");
    assert!(s.contains("       0:\t"), "{s}");
    assert!(s.contains("jal 0x18  # <helper>"), "{s}");
    assert!(s.contains("Disassembly of section .text:"), "{s}");
    // Without link_lib.s the reference is an error at the use site.
    let o = run(bin()
        .arg("asm")
        .arg("-o")
        .arg(dir.path().join("x"))
        .arg(fixture("link_main.s")));
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8(o.stderr).unwrap();
    assert!(
        e.contains("link_main.s:4:17: error: undefined symbol `helper`"),
        "{e}"
    );
}

#[test]
fn all_errors_are_reported_with_location_and_caret() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("errors.elf");
    std::fs::write(&out, b"old contents").unwrap();
    let o = run(bin()
        .arg("asm")
        .arg("-o")
        .arg(&out)
        .arg(fixture("errors.s")));
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8(o.stderr).unwrap();
    let f = fixture("errors.s").display().to_string();
    for (loc, msg) in [
        (
            "2:25",
            "expected a register (r0..r31 or an ABI name like a0), found `foo`",
        ),
        (
            "3:25",
            "immediate 99999 (0x1869f) is out of range for `addi`: expected -32768..32767",
        ),
        (
            "4:23",
            "expected a base register inside the parentheses, found `q9`",
        ),
        ("5:9", "unknown instruction `frob`"),
        ("6:17", "undefined symbol `nowhere`"),
        ("7:18", "division by zero"),
    ] {
        let line = format!("{f}:{loc}: error: {msg}");
        assert!(e.contains(&line), "missing {line:?} in:\n{e}");
    }
    assert!(
        e.contains("    2 | start:  add     a0, a1, foo\n      |                         ^~~\n"),
        "{e}"
    );
    assert!(e.contains("6 errors generated"), "{e}");
    // The old output is untouched and no temporary file is left behind.
    assert_eq!(std::fs::read(&out).unwrap(), b"old contents");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn listing_file() {
    let dir = tempfile::tempdir().unwrap();
    let lst = dir.path().join("all.lst");
    ok(bin()
        .arg("asm")
        .arg("-o")
        .arg(dir.path().join("a.out"))
        .arg("-l")
        .arg(&lst)
        .arg(fixture("all.s")));
    let l = std::fs::read_to_string(&lst).unwrap();
    let bytes = |ws: &[u32]| -> String {
        ws.iter()
            .flat_map(|w| w.to_le_bytes())
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let li = bytes(&[w(Opcode::Addi, "a0", "zero", "zero", 5)]);
    let want = format!("   12 00000004 {li:16}          li      a0, K");
    assert!(l.contains(&want), "missing {want:?} in:\n{l}");
    assert!(l.contains("RF32 LISTING"), "{l}");
    assert!(l.contains("all_inc.s"), "included file is listed:\n{l}");
    assert!(l.contains("00003000 <64 bytes>"), "{l}");
    assert!(l.contains("00001000 44332211"), "{l}");
}

#[test]
fn disassembly_reassembles_to_the_same_image() {
    let dir = tempfile::tempdir().unwrap();
    let elf = dir.path().join("all.elf");
    ok(bin().arg("asm").arg("-o").arg(&elf).arg(fixture("all.s")));
    let o = ok(bin().arg("disasm").arg("--reassemblable").arg(&elf));
    let src = dir.path().join("re.s");
    std::fs::write(&src, &o.stdout).unwrap();
    let elf2 = dir.path().join("re.elf");
    ok(bin().arg("asm").arg("-o").arg(&elf2).arg(&src));
    let a = assembler::read_elf(&std::fs::read(&elf).unwrap()).unwrap();
    let b = assembler::read_elf(&std::fs::read(&elf2).unwrap()).unwrap();
    assert_eq!(
        a.segments,
        b.segments,
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(a.entry, b.entry);
    // And a second round is a fixed point of the text too.
    let o2 = ok(bin().arg("disasm").arg("--reassemblable").arg(&elf2));
    let strip = |s: &[u8]| {
        String::from_utf8_lossy(s)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&o.stdout), strip(&o2.stdout));
}

#[test]
fn disasm_of_flat_binary_with_base_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let binf = dir.path().join("x.bin");
    std::fs::write(
        &binf,
        [
            w(Opcode::Add, "a0", "a1", "a2", 0).to_le_bytes(),
            0xffff_ffffu32.to_le_bytes(),
            w(Opcode::Beq, "zero", "a0", "zero", -8).to_le_bytes(),
        ]
        .concat(),
    )
    .unwrap();
    let o = ok(bin()
        .args(["disasm", "--base", "0x8000", "--start-address", "0x8004"])
        .arg(&binf));
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(!s.contains("add a0"), "{s}");
    assert!(s.contains("    8004:\tffffffff\t.word 0xffffffff"), "{s}");
    assert!(s.contains("    8008:\t"), "{s}");
    assert!(s.contains("beqz a0, 0x8000"), "{s}");
    // Raw forms on request, as objdump -M no-aliases.
    for flag in [
        &["-M", "no-aliases"][..],
        &["--raw"][..],
        &["-M", "no-aliases,"][..],
    ] {
        let o = ok(bin()
            .args(["disasm", "--base", "0x8000"])
            .args(flag)
            .arg(&binf));
        let s = String::from_utf8(o.stdout).unwrap();
        assert!(s.contains("beq a0, zero, 0x8000"), "{flag:?}: {s}");
    }
    let o = run(bin().args(["disasm", "-M", "intel"]).arg(&binf));
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("unknown disassembler option `intel`"), "{e}");
    // A corrupt ELF is refused with the reason.
    let bad = dir.path().join("bad.elf");
    std::fs::write(&bad, b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0more").unwrap();
    let o = run(bin().arg("disasm").arg(&bad));
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("64-bit"));
}

#[test]
fn readelf_accepts_the_output() {
    if Command::new("readelf").arg("--version").output().is_err() {
        eprintln!("readelf not installed; skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let elf = dir.path().join("linked.elf");
    ok(bin()
        .arg("asm")
        .arg("-o")
        .arg(&elf)
        .arg(fixture("all.s"))
        .arg(fixture("link_lib.s")));
    let o = run(Command::new("readelf").arg("-a").arg("-W").arg(&elf));
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stderr), "", "readelf complained");
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("EXEC (Executable file)"), "{s}");
    assert!(s.contains("<unknown>: 0x5246"), "{s}");
    assert!(s.contains(".rf32.lines"), "{s}");
    assert!(s.contains("FUNC    GLOBAL DEFAULT    1 _start"), "{s}");
    assert!(
        s.contains("LOAD           0x003000 0x00002000 0x00002000 0x0003a 0x0003a RW  0x1000"),
        "{s}"
    );
}

/// `.warning` is printed with its location and the output is still written; `.error` fails.
#[test]
fn warning_and_error_directives() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("w.s");
    std::fs::write(
        &src,
        ".text\n_start: li a0, 3\n .warning \"slow path\"\n halt\n",
    )
    .unwrap();
    let out = dir.path().join("w.elf");
    let o = ok(bin().arg("asm").arg(&src).arg("-o").arg(&out));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("w.s:3:2: warning: slow path"), "{err}");
    assert!(out.exists());
    let o = run(bin().arg("run").arg(&src));
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning: slow path"));
    std::fs::write(&src, ".if 1\n.error \"not for this board\"\n.endif\n").unwrap();
    let o = run(bin().arg("asm").arg(&src).arg("-o").arg(&out));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("w.s:2:1: error: not for this board"), "{err}");
}

/// `lw rd, symbol` and `sw rs, symbol, rt` reach a global in another section at run time.
#[test]
fn load_and_store_through_a_symbol_run() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("g.s");
    let text = ".data\nval: .word 40\nout: .word 0\n.text\n_start:\n lw a0, val\n addi a0, a0, 2\n sw a0, out, t0\n li a0, 0\n lw a0, out\n halt\n";
    std::fs::write(&src, text).unwrap();
    let o = run(bin().arg("run").arg(&src));
    assert_eq!(
        o.status.code(),
        Some(42),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `disasm` names code by a label of the section holding it: `buf_end:` closing `.bss` has
/// the address of `user:`, which starts an executable section, and does not name it.
#[test]
fn disasm_names_code_by_its_own_sections_label() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("lbl.s");
    std::fs::write(
        &src,
        ".text\n.global _start\n_start: la t0, user\n jr t0\n.bss\nbuf: .space 4096\nbuf_end:\n\
         .section .user, \"ax\"\nuser: li a0, 1\n halt\n",
    )
    .unwrap();
    let elf = dir.path().join("lbl.elf");
    let o = bin()
        .args(["asm", "-o"])
        .arg(&elf)
        .arg(&src)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = bin().arg("disasm").arg(&elf).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("<user>:"), "{text}");
    assert!(!text.contains("buf_end"), "{text}");
}
