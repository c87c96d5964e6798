//! The assembly language, through the public API: every directive, pseudo-instruction and
//! error path, checked against words built with `isa_spec::encode`.

use assembler::*;
use isa_spec::regs::parse_reg;
use isa_spec::{encode, Insn, Opcode};

fn asm(src: &str) -> Result<Program, Diagnostics> {
    assemble(&[Source::new("t.s", src)], &Options::default())
}

fn ok(src: &str) -> Program {
    asm(src).unwrap_or_else(|e| panic!("unexpected errors:\n{e}"))
}

fn err(src: &str) -> Diagnostics {
    match asm(src) {
        Ok(_) => panic!("expected errors for:\n{src}"),
        Err(e) => e,
    }
}

fn r(name: &str) -> u8 {
    parse_reg(name).unwrap()
}

fn w(op: Opcode, rd: &str, rs1: &str, rs2: &str, imm: i32) -> u32 {
    encode(&Insn {
        op,
        rd: r(rd),
        rs1: r(rs1),
        rs2: r(rs2),
        imm,
    })
    .unwrap()
}

fn words(p: &Program, seg: &str) -> Vec<u32> {
    let s = p.segments.iter().find(|s| s.name == seg).unwrap();
    s.data
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn sym(p: &Program, name: &str) -> u32 {
    p.symbols
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no symbol {name}"))
        .value
}

use Opcode::*;

#[test]
fn every_format() {
    let p = ok("
        add a0, a1, a2
        addi t0, sp, -8
        andi t0, t0, 0xff00
        slli s0, s1, 31
        lui gp, 0xffff
        lw a0, 12(sp)
        lw a0, (sp)
        jalr ra, -4(t1)
        sw ra, -12(sp)
        beq a0, zero, 0
        jal ra, 0
        cas a0, a1, (a2)
        callg 7
        trap 63
        tlbinval a3
        mfcr t0, ptbase
        mtcr cause, t1
        iret
        jal 0
        jalr t2
    ");
    let pc = |i: i32| -(i * 4);
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Add, "a0", "a1", "a2", 0),
            w(Addi, "t0", "sp", "zero", -8),
            w(Andi, "t0", "t0", "zero", 0xff00),
            w(Slli, "s0", "s1", "zero", 31),
            w(Lui, "gp", "zero", "zero", 0xffff),
            w(Lw, "a0", "sp", "zero", 12),
            w(Lw, "a0", "sp", "zero", 0),
            w(Jalr, "ra", "t1", "zero", -4),
            w(Sw, "zero", "sp", "ra", -12),
            w(Beq, "zero", "a0", "zero", pc(9)),
            w(Jal, "ra", "zero", "zero", pc(10)),
            w(Cas, "a0", "a2", "a1", 0),
            w(Callg, "zero", "zero", "zero", 7),
            w(Trap, "zero", "zero", "zero", 63),
            w(Tlbinval, "zero", "a3", "zero", 0),
            w(Mfcr, "t0", "zero", "zero", 4),
            w(Mtcr, "zero", "t1", "zero", 9),
            w(Iret, "zero", "zero", "zero", 0),
            w(Jal, "ra", "zero", "zero", pc(18)),
            w(Jalr, "ra", "t2", "zero", 0),
        ]
    );
}

#[test]
fn pseudo_instructions() {
    let p = ok("
    top:
        nop
        mv a0, a1
        not a0, a0
        neg a1, a2
        j top
        jr t0
        call top
        ret
        beqz a0, top
        bnez a0, top
        bltz a0, top
        bgez a0, top
        blez a0, top
        bgtz a0, top
        bgt a0, a1, top
        ble a0, a1, top
        bgtu a0, a1, top
        bleu a0, a1, top
        seqz t0, t1
        snez t0, t1
        subi sp, sp, 16
    ");
    let b = |i: i32| -(i * 4);
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Addi, "zero", "zero", "zero", 0),
            w(Addi, "a0", "a1", "zero", 0),
            w(Sub, "a0", "zero", "a0", 0),
            w(Addi, "a0", "a0", "zero", -1),
            w(Sub, "a1", "zero", "a2", 0),
            w(Jal, "zero", "zero", "zero", b(5)),
            w(Jalr, "zero", "t0", "zero", 0),
            w(Jal, "ra", "zero", "zero", b(7)),
            w(Jalr, "zero", "ra", "zero", 0),
            w(Beq, "zero", "a0", "zero", b(9)),
            w(Bne, "zero", "a0", "zero", b(10)),
            w(Blt, "zero", "a0", "zero", b(11)),
            w(Bge, "zero", "a0", "zero", b(12)),
            w(Bge, "zero", "zero", "a0", b(13)),
            w(Blt, "zero", "zero", "a0", b(14)),
            w(Blt, "zero", "a1", "a0", b(15)),
            w(Bge, "zero", "a1", "a0", b(16)),
            w(Bltu, "zero", "a1", "a0", b(17)),
            w(Bgeu, "zero", "a1", "a0", b(18)),
            w(Sltiu, "t0", "t1", "zero", 1),
            w(Sltu, "t0", "zero", "t1", 0),
            w(Addi, "sp", "sp", "zero", -16),
        ]
    );
}

#[test]
fn li_forms_and_la() {
    let p = ok("
        li a0, -5
        li a0, 0x12340000
        li a0, 0xffff
        li a0, 0x12345678
        li a0, later
        la a1, later
        later = 7
    ");
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Addi, "a0", "zero", "zero", -5),
            w(Lui, "a0", "zero", "zero", 0x1234),
            w(Ori, "a0", "zero", "zero", 0xffff),
            w(Lui, "a0", "zero", "zero", 0x1234),
            w(Ori, "a0", "a0", "zero", 0x5678),
            w(Lui, "a0", "zero", "zero", 0),
            w(Ori, "a0", "a0", "zero", 7),
            w(Lui, "a1", "zero", "zero", 0),
            w(Ori, "a1", "a1", "zero", 7),
        ]
    );
}

#[test]
fn hi_lo_relocations() {
    let p = assemble(
        &[Source::new(
            "t.s",
            ".text\n lui t0, %hi(x)\n addi t0, t0, %lo(x)\n lw a0, %lo(x)(t0)\n.data\n.org 0x8004\nx: .word 1\n",
        )],
        &Options {
            base: 0x10000,
            ..Default::default()
        },
    )
    .unwrap();
    let x = sym(&p, "x");
    assert_eq!(x, 0x11000 + 0x8004);
    let hi = ((x + 0x8000) >> 16) as i32;
    let lo = x as u16 as i16 as i32;
    assert!(lo < 0, "test should exercise the carry");
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Lui, "t0", "zero", "zero", hi),
            w(Addi, "t0", "t0", "zero", lo),
            w(Lw, "a0", "t0", "zero", lo),
        ]
    );
    assert_eq!(((hi as u32) << 16).wrapping_add(lo as u32), x);
}

#[test]
fn data_directives() {
    let p = ok(r#"
        .data
    a:  .byte 1, -1, 'A', '\n'
        .half 0x1234, -2
        .short 3
        .2byte 4
        .word 0xdeadbeef, a
        .long 5
        .4byte 6
        .ascii "ab\t\"\\"
        .asciz "x\x41\101"
        .string ""
        .space 3, 0x7f
        .skip 1
        .zero 2
        .fill 2, 2, 0x0102
        .balign 8
    b:  .p2align 2
        .align 3, 0xee
    "#);
    let d = &p.segments[0].data;
    let a = sym(&p, "a");
    let mut want = vec![1u8, 0xff, b'A', b'\n', 0x34, 0x12, 0xfe, 0xff, 3, 0, 4, 0];
    want.extend(0xdeadbeefu32.to_le_bytes());
    want.extend(a.to_le_bytes());
    want.extend(5u32.to_le_bytes());
    want.extend(6u32.to_le_bytes());
    want.extend(b"ab\t\"\\");
    want.extend(b"xAA\0");
    want.push(0);
    want.extend([0x7f, 0x7f, 0x7f, 0, 0, 0]);
    want.extend([2, 1, 2, 1]);
    while want.len() % 8 != 0 {
        want.push(0);
    }
    assert_eq!(sym(&p, "b") - a, want.len() as u32);
    assert_eq!(&d[..want.len()], &want[..]);
    assert_eq!(d.len(), want.len(), "already aligned: no padding");
}

#[test]
fn org_align_and_code_padding() {
    let p = ok(".text\n nop\n .align 4\n x: halt\n .org 0x40\n y: halt\n");
    assert_eq!(sym(&p, "x"), 16);
    assert_eq!(sym(&p, "y"), 0x40);
    let ws = words(&p, ".text");
    // Padding in code is nops so the image stays executable.
    assert_eq!(ws[1], w(Addi, "zero", "zero", "zero", 0));
    let e = err(".text\n.org 8\n.org 4\n");
    assert!(e.to_string().contains("cannot move backwards"), "{e}");
}

#[test]
fn sections_are_placed_on_pages_in_order() {
    let p = assemble(
        &[Source::new(
            "t.s",
            ".data\nd: .word 1\n.bss\nb: .space 8\n.rodata\nr: .byte 1\n.section .mine, \"aw\"\nm: .word 2\n.text\nt: nop\n",
        )],
        &Options {
            base: 0x4000,
            ..Default::default()
        },
    )
    .unwrap();
    let segs: Vec<(&str, u32, String, bool)> = p
        .segments
        .iter()
        .map(|s| (s.name.as_str(), s.addr, s.flags.to_string(), s.nobits))
        .collect();
    assert_eq!(
        segs,
        vec![
            (".text", 0x4000, "r-x".to_string(), false),
            (".rodata", 0x5000, "r--".to_string(), false),
            (".data", 0x6000, "rw-".to_string(), false),
            (".bss", 0x7000, "rw-".to_string(), true),
            (".mine", 0x8000, "rw-".to_string(), false),
        ]
    );
    assert_eq!(p.segments[3].size, 8);
    assert!(p.segments[3].data.is_empty());
    assert_eq!(p.entry, 0x4000, "no _start: entry is the start of .text");
}

#[test]
fn equates_and_expressions() {
    let p = ok("
        .equ A, 3
        .set B, A * 4 + 1
        C = (B << 2) | 1
        .word A, B, C, D, -1 >> 28, 'a' + 1, 7 / 2, 7 % 4, !0, ~0 & 0xf, 1 < 2, 2 <= 1, 0 || 5, 3 && 0
        D = end - start
    start: .word .
        .word . - start
    end:
    ");
    let ws = words(&p, ".text");
    assert_eq!(&ws[..14], &[3, 13, 53, 8, 15, 98, 3, 3, 1, 15, 1, 0, 1, 0]);
    assert_eq!(ws[14], sym(&p, "start"));
    assert_eq!(ws[15], 4);
}

#[test]
fn numeric_local_labels() {
    let p = ok("
    1:  j 1f
    1:  j 1b
        j 1b
    1:  j 2f
    2:  nop
    ");
    let ws = words(&p, ".text");
    assert_eq!(ws[0], w(Jal, "zero", "zero", "zero", 4));
    assert_eq!(ws[1], w(Jal, "zero", "zero", "zero", 0));
    assert_eq!(ws[2], w(Jal, "zero", "zero", "zero", -4));
    assert_eq!(ws[3], w(Jal, "zero", "zero", "zero", 4));
    assert!(p.symbols.is_empty(), "{:?}", p.symbols);
    let e = err("j 3f\n");
    assert!(e.to_string().contains("local label 3"), "{e}");
}

#[test]
fn macros() {
    let p = ok(r"
        .macro push reg, size=4
        addi sp, sp, -\size
        sw \reg, 0(sp)
        .endm
        .macro twice insn:req
        \insn
        \insn
        .endm
        .macro label_gen
    L\@: nop
        .endm
        push ra
        push a0, 8
        push size=12, reg=s0
        twice nop
        label_gen
        label_gen
    ");
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Addi, "sp", "sp", "zero", -4),
            w(Sw, "zero", "sp", "ra", 0),
            w(Addi, "sp", "sp", "zero", -8),
            w(Sw, "zero", "sp", "a0", 0),
            w(Addi, "sp", "sp", "zero", -12),
            w(Sw, "zero", "sp", "s0", 0),
            w(Addi, "zero", "zero", "zero", 0),
            w(Addi, "zero", "zero", "zero", 0),
            w(Addi, "zero", "zero", "zero", 0),
            w(Addi, "zero", "zero", "zero", 0),
        ]
    );
    // Errors inside expansions point at the body line and note the call.
    let e = err(".macro bad\n addi a0, a0, nosuch\n.endm\n bad\n");
    let s = e.to_string();
    assert!(
        s.contains("t.s:2:15: error: undefined symbol `nosuch`"),
        "{s}"
    );
    assert!(
        s.contains("t.s:4:2: note: in expansion of macro `bad`"),
        "{s}"
    );
    // Runaway recursion is bounded.
    let e = err(".macro r\n r\n r\n.endm\n r\n");
    assert!(e.to_string().contains("nested more than"), "{e}");
    let e = err(".macro m a\n.endm\n m 1, 2\n");
    assert!(e.to_string().contains("too many arguments"), "{e}");
    let e = err(".macro m a\n nop\n");
    assert!(e.to_string().contains("no matching `.endm`"), "{e}");
}

#[test]
fn comments_and_statements() {
    let p = ok("nop # c\nnop // c\n/* a\n b */ nop ; nop /* x */ ; halt\n.ascii \"#;//\"\n");
    assert_eq!(p.segments[0].data.len(), 4 * 5 + 4);
    assert_eq!(&p.segments[0].data[20..], b"#;//");
}

#[test]
fn symbols_types_sizes_and_locality() {
    let p = ok("
        .global f
        .type f, @function
    f:  nop
        ret
        .size f, . - f
        .type obj, %object
    obj: .word 1
        .size obj, 4
    .Lhidden: nop
        K = 5
    ");
    let f = p.symbols.iter().find(|s| s.name == "f").unwrap();
    assert!(f.global);
    assert_eq!(
        (f.kind, f.size, f.section.as_deref()),
        (SymbolKind::Func, 8, Some(".text"))
    );
    let o = p.symbols.iter().find(|s| s.name == "obj").unwrap();
    assert_eq!((o.kind, o.size, o.global), (SymbolKind::Object, 4, false));
    let k = p.symbols.iter().find(|s| s.name == "K").unwrap();
    assert_eq!((k.value, k.section.clone()), (5, None));
    assert!(p.symbols.iter().all(|s| !s.name.starts_with(".L")));
    assert_eq!(p.symbol_at(4).as_deref(), Some("f+0x4"));
    assert_eq!(p.symbol_at(8).as_deref(), Some("obj"));
}

#[test]
fn linking_multiple_sources() {
    let a = Source::new(
        "a.s",
        ".global _start\n_start: call helper\n la a0, shared\n halt\nlocal: nop\n",
    );
    let b = Source::new(
        "b.s",
        ".global helper, shared\nhelper: ret\nlocal: nop\n.data\nshared: .word helper\n",
    );
    let p = assemble(&[a.clone(), b.clone()], &Options::default()).unwrap();
    let helper = sym(&p, "helper");
    assert_eq!(helper, 20);
    assert_eq!(words(&p, ".text")[0], w(Jal, "ra", "zero", "zero", 20));
    assert_eq!(words(&p, ".data")[0], helper);
    assert_eq!(p.symbols.iter().filter(|s| s.name == "local").count(), 2);
    // A non-global label is not visible from another file.
    let c = Source::new("c.s", "j local\n");
    let e = assemble(&[b.clone(), c], &Options::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("c.s:1:3: error: undefined symbol `local`"),
        "{e}"
    );
    // Duplicate globals name both places.
    let d = Source::new("d.s", ".global helper\nhelper: nop\n");
    let e = assemble(&[b, d], &Options::default()).unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("d.s:2:1: error: global symbol `helper` is defined twice"),
        "{s}"
    );
    assert!(s.contains("b.s:2:1"), "{s}");
}

#[test]
fn many_errors_are_all_reported_in_order() {
    let e = err("
        add foo, a1, a2
        addi a0, a0, 70000
        bogus x
        j nowhere
        .word 1/0
        lw a0, 4(q9)
        beq a0, a1
        dup: nop
        dup: nop
        andi a0, a0, -1
        slli a0, a0, 32
        .byte 300
        .bss
        nop
    ");
    let lines: Vec<u32> = e.errors.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 15], "{e}");
    let s = e.to_string();
    for needle in [
        "t.s:2:13: error: expected a register (r0..r31 or an ABI name like a0), found `foo`",
        "expected -32768..32767",
        "unknown instruction `bogus`",
        "undefined symbol `nowhere`",
        "division by zero",
        "expected a base register inside the parentheses, found `q9`",
        "`beq` expects 3 operands (rs1, rs2, target), found 2",
        "`dup` is already defined (first defined at t.s:9:9)",
        "expected 0..65535",
        "expected 0..31",
        "does not fit in a byte",
        "holds no file contents",
        "12 errors generated",
    ] {
        assert!(s.contains(needle), "missing {needle:?} in:\n{s}");
    }
    // Caret under the column.
    assert!(
        s.contains("    2 |         add foo, a1, a2\n      |             ^~~\n"),
        "{s}"
    );
}

#[test]
fn branch_range_and_alignment_errors() {
    let e = err("beq a0, a1, 0x40000\n");
    assert!(e.to_string().contains("-131072..131068"), "{e}");
    let e = err("j 6\n");
    assert!(e.to_string().contains("not 4-byte aligned"), "{e}");
    let e = err("bne a0, a1, fwd\n.space 0x30000\nfwd: nop\n");
    assert!(e.to_string().contains("out of range for `bne`"), "{e}");
}

#[test]
fn limits() {
    let e = err(".space 0x20000000\n");
    assert!(e.to_string().contains("256 MiB"), "{e}");
    let e = err(".fill 0x10000000, 8, 0\n");
    assert!(e.to_string().contains("256 MiB"), "{e}");
    let e = err(".align 13\n");
    assert!(e.to_string().contains("4096"), "{e}");
    let e = err(&format!(".word {}1{}\n", "(".repeat(500), ")".repeat(500)));
    assert!(e.to_string().contains("nested too deeply"), "{e}");
    let e = err("x = y\ny = x\n.word x\n");
    assert!(e.to_string().contains("defined in terms of itself"), "{e}");
}

#[test]
fn includes() {
    let dir = tempfile::tempdir().unwrap();
    let inc = dir.path().join("inc");
    std::fs::create_dir(&inc).unwrap();
    std::fs::write(dir.path().join("defs.s"), "VAL = 9\n.include \"more.s\"\n").unwrap();
    std::fs::write(inc.join("more.s"), "MORE = 10\n").unwrap();
    std::fs::write(dir.path().join("self.s"), ".include \"self.s\"\n").unwrap();
    let main = dir.path().join("main.s");
    std::fs::write(&main, ".include \"defs.s\"\n.word VAL, MORE\n").unwrap();
    let opts = Options {
        include_dirs: vec![inc.clone()],
        ..Default::default()
    };
    let p = assemble_files(std::slice::from_ref(&main), &opts).unwrap();
    assert_eq!(words(&p, ".text"), vec![9, 10]);
    let e = assemble_files(&[main], &Options::default()).unwrap_err();
    assert!(
        e.to_string().contains("cannot find include file `more.s`"),
        "{e}"
    );
    let e = assemble_files(&[dir.path().join("self.s")], &Options::default()).unwrap_err();
    assert!(e.to_string().contains("nested more than"), "{e}");
    let bad = dir.path().join("bad.s");
    std::fs::write(&bad, b"nop\n\xff\xfe\n").unwrap();
    let e = assemble_files(&[bad], &Options::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("not valid UTF-8 text (bad byte at line 2, column 1)"),
        "{e}"
    );
}

#[test]
fn end_directive_and_entry() {
    let p = ok("nop\nmain: nop\n.end\nthis is not assembled\n");
    assert_eq!(p.segments[0].size, 8);
    let p = assemble(
        &[Source::new("t.s", "nop\nmain: nop\n")],
        &Options {
            entry: "main".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(p.entry, 4);
}

#[test]
fn elf_round_trip_and_line_table() {
    let p = ok(".global _start\n_start: li a0, 1\n halt\n.data\nv: .word 7\n.bss\nz: .space 16\n");
    let elf = p.to_elf();
    let back = read_elf(&elf).unwrap();
    assert_eq!(back.segments, p.segments);
    assert_eq!(back.entry, p.entry);
    assert_eq!(back.lines, p.lines);
    let mut a = back.symbols.clone();
    let mut b = p.symbols.clone();
    a.sort_by(|x, y| x.name.cmp(&y.name));
    b.sort_by(|x, y| x.name.cmp(&y.name));
    assert_eq!(a, b);
    assert_eq!(p.line_at(4).map(|l| l.line), Some(3));
    assert_eq!(
        p.line_at(0).map(|l| (l.file.as_str(), l.line)),
        Some(("t.s", 2))
    );
}

#[test]
fn bad_elf_files_are_refused_with_reasons() {
    let good = ok("nop\n").to_elf();
    let msg = |b: &[u8]| read_elf(b).unwrap_err().to_string();
    assert!(msg(&good[..10]).contains("too short"));
    assert!(msg(b"hello world, this is not an ELF file at all").contains("not an ELF"));
    let mut c = good.clone();
    c[4] = 2;
    assert!(msg(&c).contains("64-bit"));
    let mut c = good.clone();
    c[5] = 2;
    assert!(msg(&c).contains("big-endian"));
    let mut c = good.clone();
    c[18] = 0x3e;
    c[19] = 0;
    assert!(msg(&c).contains("not RF32"));
    let mut c = good.clone();
    c[16] = 1;
    assert!(msg(&c).contains("not an executable"));
    // Truncation anywhere: an error, never a panic.
    for n in 0..good.len() {
        let _ = read_elf(&good[..n]);
    }
    let truncated = msg(&good[..good.len() / 2]);
    assert!(truncated.contains("the file is truncated"), "{truncated}");
}

#[test]
fn listing_shows_addresses_bytes_and_source() {
    let p = ok("start: li a0, 0x12345678 # big\n.data\n.word 1\n");
    let l = p.listing();
    assert!(
        l.contains("    1 00000000 7856a0093412... ") || l.contains("    1 00000000 "),
        "{l}"
    );
    let first = l
        .lines()
        .find(|x| x.trim_start().starts_with("1 "))
        .unwrap();
    let expect = [
        w(Lui, "a0", "zero", "zero", 0x1234).to_le_bytes(),
        w(Ori, "a0", "a0", "zero", 0x5678).to_le_bytes(),
    ]
    .concat()
    .iter()
    .map(|b| format!("{b:02x}"))
    .collect::<String>();
    assert!(first.contains(&expect), "{first} vs {expect}");
    assert!(first.ends_with("start: li a0, 0x12345678 # big"), "{first}");
    assert!(l.contains("    3 00001000 01000000"), "{l}");
}

#[test]
fn rept_and_irp() {
    let p = ok("
        .rept 3
        addi a0, a0, 1
        .endr
        .irp r, a1, a2
        mv \\r, zero
        .endr
        .rept 2
        .rept 2
        nop
        .endr
        .endr
        .rept 0
        halt
        .endr
    ");
    let mut want = vec![w(Addi, "a0", "a0", "zero", 1); 3];
    want.push(w(Addi, "a1", "zero", "zero", 0));
    want.push(w(Addi, "a2", "zero", "zero", 0));
    want.extend(vec![w(Addi, "zero", "zero", "zero", 0); 4]);
    assert_eq!(words(&p, ".text"), want);
    let e = err(".rept 2\nnop\n.endm\n");
    assert!(e.to_string().contains("write `.endr`"), "{e}");
    let e = err(".rept 2000000000\n.endr\n");
    assert!(e.to_string().contains("exceeds the limit 1000000"), "{e}");
    let e = err(".rept 600000\n.endr\n.rept 600000\n.endr\n");
    assert!(e.to_string().contains("expansion limit"), "{e}");
    let e = err(".rept 2\nnop\n");
    assert!(e.to_string().contains("no matching `.endr`"), "{e}");
}

#[test]
fn macro_parameters_in_strings_and_unknown_parameters() {
    let p = ok(".macro s a\n.asciz \"v=\\a\\n\"\n.endm\ns 7\n");
    assert_eq!(p.segments[0].data, b"v=7\n\0");
    let e = err(".macro m x\n add \\x, \\x, \\y\n.endm\n m a0\n");
    let s = e.to_string();
    assert!(
        s.contains("t.s:2:14: error: `\\y` is not a parameter of `m` (its parameters: x)"),
        "{s}"
    );
}

/// Counts are unsigned: a huge one is one clear error, and the block it opens still takes its
/// `.endr` (no second error).
#[test]
fn huge_counts_are_one_clear_error() {
    let e = err(".rept 0xffffffff\nnop\n.endr\n");
    assert_eq!(e.len(), 1, "{e}");
    assert!(
        e.to_string()
            .contains("t.s:1:7: error: repeat count 4294967295 exceeds the limit 1000000"),
        "{e}"
    );
    let e = err(".rept -1\n.endr\n.irp 5, a\n.endr\n");
    assert_eq!(e.len(), 2, "{e}");
    assert!(
        e.to_string()
            .contains("t.s:3:6: error: expected a parameter name"),
        "{e}"
    );
    for (src, msg) in [
        (
            ".space 0xffffffff",
            "size 4294967295 exceeds the 256 MiB image limit",
        ),
        (
            ".skip -1",
            "size 4294967295 exceeds the 256 MiB image limit",
        ),
        (".fill 0xffffffff, 4", "larger than the 256 MiB image limit"),
        (".align 0xffffffff", "asks for 2^4294967295 bytes"),
        (
            ".balign 0x80000000",
            "alignment 2147483648 is larger than 4096",
        ),
    ] {
        let e = err(src);
        assert_eq!(e.len(), 1, "{src}: {e}");
        assert!(e.to_string().contains(msg), "{src}: {e}");
    }
}

/// The largest alignment asked for in a section is its ELF `sh_addralign`.
#[test]
fn section_alignment_reaches_the_elf() {
    let p = ok(".text\nnop\n.align 3\nnop\n.data\n.byte 1\n.balign 64\n.byte 2\n.align 2\n");
    let text = p.segments.iter().find(|s| s.name == ".text").unwrap();
    let data = p.segments.iter().find(|s| s.name == ".data").unwrap();
    assert_eq!((text.align, data.align), (8, 64));
    let back = read_elf(&p.to_elf()).unwrap();
    let align: Vec<(String, u32)> = back
        .segments
        .iter()
        .map(|s| (s.name.clone(), s.align))
        .collect();
    assert_eq!(align, vec![(".text".into(), 8), (".data".into(), 64)]);
    // Without .align, words keep 4.
    let back = read_elf(&ok(".data\n.word 1\n").to_elf()).unwrap();
    assert_eq!(back.segments[0].align, 4);
}

/// `.if` and its kin, with GNU as semantics: nesting, `.else`/`.elseif`, skipped lines not
/// parsed, inside macros and `.rept`.
#[test]
fn conditional_assembly() {
    let p = ok("
        N = 3
        .if N == 3
        li a0, 1
        .elseif N == 4
        li a0, 2
        .else
        li a0, 3
        .endif
        .if 0
          this is not assembly at all 'x
          .if 1
          li a1, 9
          .else
          li a1, 8
          .endif
        .elseif 1
          .ifdef N
          li a2, 4
          .endif
          .ifndef M
          li a3, 5
          .endif
          .ifdef later
          li a4, 6
          .endif
        .endif
        .iflt -1
        li a5, 7
        .endif
        .ifgt -1
        li a5, 99
        .endif
        later:
    ");
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Addi, "a0", "zero", "zero", 1),
            w(Addi, "a2", "zero", "zero", 4),
            w(Addi, "a3", "zero", "zero", 5),
            w(Addi, "a5", "zero", "zero", 7),
        ]
    );
    // In macros (.ifb / .ifc on arguments) and in .rept.
    let p = ok("
        .macro inc reg, how=
        .ifb \\how
        addi \\reg, \\reg, 1
        .elseif 0
        nop
        .else
        .ifc \\how, twice
        addi \\reg, \\reg, 2
        .endif
        .ifnc \\how, twice
        addi \\reg, \\reg, 3
        .endif
        .endif
        .endm
        inc t0
        inc t1, twice
        inc t2, other
        k = 0
        .rept 3
        .if k == 1
        li a1, 1
        .endif
        k = k + 1
        .endr
    ");
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Addi, "t0", "t0", "zero", 1),
            w(Addi, "t1", "t1", "zero", 2),
            w(Addi, "t2", "t2", "zero", 3),
            w(Addi, "a1", "zero", "zero", 1),
        ]
    );
    // Recursion ended by a condition and `.exitm`.
    let p = ok("
        .macro down n
        .if \\n == 0
        .exitm
        .endif
        li a0, \\n
        down \\n-1
        .endm
        down 3
        nop
    ");
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Addi, "a0", "zero", "zero", 3),
            w(Addi, "a0", "zero", "zero", 2),
            w(Addi, "a0", "zero", "zero", 1),
            w(Addi, "zero", "zero", "zero", 0),
        ]
    );
}

/// Unbalanced and misplaced conditionals are located errors; `.error` fails the assembly and
/// `.warning` does not.
#[test]
fn conditional_errors_error_and_warning() {
    let e = err("nop\n  .if 1\nnop\n");
    assert_eq!(e.len(), 1, "{e}");
    assert!(
        e.to_string()
            .contains("t.s:2:3: error: this conditional has no matching `.endif`"),
        "{e}"
    );
    let e = err(".endif\n.else\n.if 1\n.else\n.else\n.endif\n");
    let s = e.to_string();
    assert!(
        s.contains("t.s:1:1: error: `.endif` without a matching `.if`"),
        "{s}"
    );
    assert!(
        s.contains("t.s:2:1: error: `.else` without a matching `.if`"),
        "{s}"
    );
    assert!(
        s.contains("t.s:5:1: error: `.else` after `.else` (the conditional opened at t.s:3:1)"),
        "{s}"
    );
    // A bad condition is reported once; the block still matches its .endif.
    let e = err(".if later\nnop\n.endif\nlater:\n");
    assert_eq!(e.len(), 1, "{e}");
    assert!(
        e.to_string()
            .contains("must be a constant known at this point"),
        "{e}"
    );
    // No "did you mean .end" for the conditionals.
    let e = err(".endiff\n");
    assert!(e.to_string().contains("did you mean `.endif`"), "{e}");
    let e = err(".if 1\n.error \"unsupported configuration\"\n.else\n.error \"no\"\n.endif\n");
    assert_eq!(e.len(), 1, "{e}");
    assert!(
        e.to_string()
            .contains("t.s:2:1: error: unsupported configuration\n"),
        "{e}"
    );
    let p = ok("nop\n  .warning \"check this\"\nnop\n");
    assert_eq!(p.warnings.len(), 1);
    assert!(
        p.warnings[0]
            .to_string()
            .starts_with("t.s:2:3: warning: check this\n"),
        "{}",
        p.warnings[0]
    );
    assert_eq!(words(&p, ".text").len(), 2);
    // With an error as well, both are reported in order; only the error counts.
    let e = err(".warning \"w\"\n.error \"e\"\n");
    assert_eq!(e.len(), 1);
    let s = e.to_string();
    assert!(
        s.contains("t.s:1:1: warning: w") && s.contains("t.s:2:1: error: e"),
        "{s}"
    );
    assert!(s.ends_with("1 error generated (1 warning)"), "{s}");
    let e = err(".exitm\n");
    assert!(e.to_string().contains("`.exitm` outside a macro"), "{e}");
}

fn bytes(p: &Program, seg: &str) -> Vec<u8> {
    p.segments
        .iter()
        .find(|s| s.name == seg)
        .unwrap()
        .data
        .clone()
}

/// `.quad`, `.irpc`, `.pushsection`/`.popsection`.
#[test]
fn quad_irpc_and_section_stack() {
    let p = ok("
        .data
        .quad 1, -1, 0x12345678
        .irpc d, 0123
        .byte \\d * 2
        .endr
        .irpc c, \"ab\"
        .byte '\\c'
        .endr
        .pushsection .rodata
        .word 7
        .pushsection .text
        nop
        .popsection
        .word 8
        .popsection
        .byte 9
    ");
    let mut want = vec![1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
    want.extend([
        0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0, 2, 4, 6, b'a', b'b', 9,
    ]);
    assert_eq!(bytes(&p, ".data"), want);
    assert_eq!(words(&p, ".rodata"), vec![7, 8]);
    assert_eq!(words(&p, ".text"), vec![w(Addi, "zero", "zero", "zero", 0)]);
    let e = err(".popsection\n.pushsection\n");
    let s = e.to_string();
    assert!(
        s.contains("t.s:1:1: error: `.popsection` without a matching `.pushsection`"),
        "{s}"
    );
    assert!(
        s.contains("t.s:2:1: error: `.section` expects a section name"),
        "{s}"
    );
    let e = err(".irpc 5, ab\n.byte 1\n.endr\n");
    assert_eq!(e.len(), 1, "{e}");
    assert!(
        e.to_string().contains("`.irpc` expects a parameter name"),
        "{e}"
    );
}

/// `.comm` (global) and `.lcomm` (local) reserve aligned space in .bss; `.weak` definitions
/// give way to another file's global, and an undefined weak symbol is 0.
#[test]
fn comm_lcomm_and_weak() {
    let p = ok("
        .bss
        .skip 1
        .comm buf, 64
        .lcomm flag, 1
        .lcomm big, 4, 256
        .text
        la a0, buf
    ");
    let bss = p.segments.iter().find(|s| s.name == ".bss").unwrap();
    assert_eq!(sym(&p, "buf") - bss.addr, 16, "natural alignment up to 16");
    assert_eq!(sym(&p, "flag") - bss.addr, 80);
    assert_eq!(sym(&p, "big") - bss.addr, 256);
    assert_eq!(bss.size, 260);
    assert_eq!(bss.align, 256);
    let s = |n: &str| p.symbols.iter().find(|s| s.name == n).unwrap().clone();
    assert!(s("buf").global && !s("flag").global);
    assert_eq!((s("buf").size, s("buf").kind), (64, SymbolKind::Object));
    let e = err(".comm x, 4, 3\n");
    assert!(
        e.to_string().contains("alignment 3 is not a power of two"),
        "{e}"
    );

    let lib = Source::new(
        "lib.s",
        ".weak handler, hook\n.global handler\nhandler: li a0, 1\n ret\n.word hook, handler\n",
    );
    let main = Source::new(
        "main.s",
        ".global handler\n_start: call handler\n halt\nhandler: li a0, 2\n ret\n",
    );
    let p = assemble(&[lib.clone(), main], &Options::default()).unwrap();
    let h = p
        .symbols
        .iter()
        .filter(|s| s.name == "handler")
        .collect::<Vec<_>>();
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(!h[0].weak && h[0].value == 24, "{h:?}");
    // lib.s's own reference to handler goes to main.s's, and `hook` is 0.
    let text = words(&p, ".text");
    assert_eq!((text[2], text[3]), (0, 24), "undefined weak is 0");
    // Alone, the weak definition is used (and written as weak).
    let p = assemble(&[lib], &Options::default()).unwrap();
    let h = p.symbols.iter().find(|s| s.name == "handler").unwrap();
    assert!(h.weak && h.global && h.value == 0);
    let back = read_elf(&p.to_elf()).unwrap();
    assert!(back.symbols.iter().any(|s| s.name == "handler" && s.weak));
}

/// `.incbin` includes a file's bytes, found like `.include`; skip and count are checked.
#[test]
fn incbin() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("blob.bin"), [1u8, 2, 3, 4, 5, 6]).unwrap();
    std::fs::write(
        sub.join("inc.s"),
        ".data\n.incbin \"blob.bin\"\n.incbin \"blob.bin\", 4\n.incbin \"blob.bin\", 1, 2\n",
    )
    .unwrap();
    let main = dir.path().join("main.s");
    std::fs::write(&main, ".include \"sub/inc.s\"\n").unwrap();
    let p = assemble_files(std::slice::from_ref(&main), &Options::default()).unwrap();
    assert_eq!(bytes(&p, ".data"), vec![1, 2, 3, 4, 5, 6, 5, 6, 2, 3]);
    std::fs::write(
        &main,
        ".data\n.incbin \"sub/blob.bin\", 7\n.incbin \"sub/blob.bin\", 2, 5\n.incbin \"nope.bin\"\n.incbin blob\n.bss\n.incbin \"sub/blob.bin\"\n",
    )
    .unwrap();
    let e = assemble_files(&[main], &Options::default()).unwrap_err();
    let s = e.to_string();
    assert_eq!(e.len(), 5, "{s}");
    assert!(
        s.contains("main.s:2:25: error: skip 7 is past the end of"),
        "{s}"
    );
    assert!(
        s.contains("has 4 bytes after skip 2, fewer than the 5 asked for"),
        "{s}"
    );
    assert!(
        s.contains("main.s:4:9: error: cannot find file `nope.bin`"),
        "{s}"
    );
    assert!(
        s.contains("`.incbin` expects a file name in double quotes"),
        "{s}"
    );
    assert!(s.contains("holds no file contents"), "{s}");
}

/// `lw rd, symbol` (every load) and `sw rs, symbol, rt` (every store): `lui` of the adjusted
/// upper half, then the access with the lower half as its offset.
#[test]
fn loads_and_stores_of_a_symbol() {
    let p = ok("
        X = 0x12348000
        lw a0, X
        lbu a1, X + 4
        sw a0, X, t0
        sh a1, X+2, t1
        lw a2, 8(sp)
    ");
    assert_eq!(
        words(&p, ".text"),
        vec![
            w(Lui, "a0", "zero", "zero", 0x1235),
            w(Lw, "a0", "a0", "zero", -0x8000),
            w(Lui, "a1", "zero", "zero", 0x1235),
            w(Lbu, "a1", "a1", "zero", -0x7ffc),
            w(Lui, "t0", "zero", "zero", 0x1235),
            w(Sw, "zero", "t0", "a0", -0x8000),
            w(Lui, "t1", "zero", "zero", 0x1235),
            w(Sh, "zero", "t1", "a1", -0x7ffe),
            w(Lw, "a2", "sp", "zero", 8),
        ]
    );
    let e = err("lw zero, x\nsw a0, x, zero\nlw a0, sp\njalr ra, x\nx:\n");
    let s = e.to_string();
    assert!(
        s.contains("t.s:1:4: error: `lw rd, symbol` forms the address in rd: it cannot be `zero`"),
        "{s}"
    );
    assert!(
        s.contains("t.s:2:11: error: `sw rs, symbol, rt` forms the address in rt"),
        "{s}"
    );
    assert!(s.contains("t.s:3:8: error: expected a memory operand like `8(sp)` or `(a0)`, found `sp` (write `0(sp)`)"), "{s}");
    assert!(
        s.contains("t.s:4:10: error: expected a memory operand"),
        "{s}"
    );
}

/// Every alias the disassembler can print (the table the assembler expands them from) and
/// `li` re-assemble to the word they were printed for; the raw form does too.
#[test]
fn alias_text_reassembles_to_the_same_word() {
    use isa_spec::alias::{Arg, ALIASES};
    let pc = 0x100u32;
    let check = |insn: Insn, want_name: Option<&str>| {
        let word = encode(&insn).unwrap();
        let back = isa_spec::decode(word).unwrap();
        for text in [isa_spec::disasm(&back, pc), isa_spec::disasm_raw(&back, pc)] {
            let p = ok(&format!(".org {pc:#x}\n{text}\n"));
            let got = words(&p, ".text")[(pc / 4) as usize];
            assert_eq!(got, word, "`{text}` for {insn:?}");
        }
        if let Some(n) = want_name {
            let text = isa_spec::disasm(&back, pc);
            assert_eq!(text.split(' ').next(), Some(n), "{insn:?}");
        }
    };
    for a in ALIASES {
        for regs in [(10u8, 11u8, 12u8), (0, 0, 0), (1, 1, 1)] {
            let mut insn = a.template();
            for arg in a.args {
                match arg {
                    Arg::Rd => insn.rd = regs.0,
                    Arg::Rs1 => insn.rs1 = regs.1,
                    Arg::Rs2 => insn.rs2 = regs.2,
                    Arg::Target => insn.imm = -8,
                }
            }
            check(insn, None);
        }
    }
    for (name, insn) in [
        ("nop", Insn::new(Addi)),
        (
            "mv",
            Insn {
                rd: 10,
                rs1: 11,
                ..Insn::new(Addi)
            },
        ),
        (
            "ret",
            Insn {
                rs1: 1,
                ..Insn::new(Jalr)
            },
        ),
        (
            "jr",
            Insn {
                rs1: 5,
                ..Insn::new(Jalr)
            },
        ),
        (
            "jalr",
            Insn {
                rd: 1,
                rs1: 5,
                ..Insn::new(Jalr)
            },
        ),
        (
            "j",
            Insn {
                imm: 16,
                ..Insn::new(Jal)
            },
        ),
        (
            "jal",
            Insn {
                rd: 1,
                imm: 16,
                ..Insn::new(Jal)
            },
        ),
        (
            "beqz",
            Insn {
                rs1: 10,
                imm: 16,
                ..Insn::new(Beq)
            },
        ),
        (
            "blez",
            Insn {
                rs2: 10,
                imm: 16,
                ..Insn::new(Bge)
            },
        ),
        (
            "neg",
            Insn {
                rd: 10,
                rs2: 11,
                ..Insn::new(Sub)
            },
        ),
        (
            "seqz",
            Insn {
                rd: 10,
                rs1: 11,
                imm: 1,
                ..Insn::new(Sltiu)
            },
        ),
        (
            "snez",
            Insn {
                rd: 10,
                rs2: 11,
                ..Insn::new(Sltu)
            },
        ),
    ] {
        check(insn, Some(name));
    }
    for v in [
        0u32,
        1,
        0xffff_ffff,
        0x7fff,
        0xffff_8000,
        0x8000,
        0xffff,
        0x1_0000,
    ] {
        if let Some(insn) = li_single(10, v) {
            let lui = insn.op == Lui;
            check(insn, Some(if lui { "lui" } else { "li" }));
        }
    }
    // Not aliases: a non-zero offset, an ori that li would write as addi.
    check(
        Insn {
            rs1: 5,
            imm: 4,
            ..Insn::new(Jalr)
        },
        Some("jalr"),
    );
    check(
        Insn {
            rd: 10,
            imm: 5,
            ..Insn::new(Ori)
        },
        Some("ori"),
    );
}

/// Without a listing, the program is the same and carries no listing lines.
#[test]
fn listing_can_be_left_out() {
    let src = Source::new("t.s", "_start: li a0, 1\n.data\nx: .word 2\n");
    let with = assemble(std::slice::from_ref(&src), &Options::default()).unwrap();
    let opts = Options {
        listing: false,
        ..Default::default()
    };
    let without = assemble(&[src], &opts).unwrap();
    assert!(!with.listing.is_empty());
    assert!(without.listing.is_empty());
    assert_eq!(with.segments, without.segments);
    assert_eq!(with.symbols, without.symbols);
    assert_eq!(with.lines, without.lines);
}
