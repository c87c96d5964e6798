//! Property tests: the disassembler's output assembles back to the same words; expressions
//! follow a reference evaluator; `li` is correct and shortest; no input makes the assembler
//! panic or hang.

use assembler::*;
use isa_spec::{decode, disasm, Format, Insn, Opcode, OPS};
use proptest::prelude::*;

fn asm(src: &str) -> Result<Program, Diagnostics> {
    assemble(&[Source::new("p.s", src)], &Options::default())
}

fn text_words(p: &Program) -> Vec<u32> {
    p.segments
        .first()
        .map(|s| {
            s.data
                .chunks(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

/// Any legal instruction word: a table row plus random operand bits.
fn legal_word() -> impl Strategy<Value = u32> {
    (0..OPS.len(), any::<u32>()).prop_filter_map("illegal", |(i, bits)| {
        let o = &OPS[i];
        let mut w = ((o.major as u32) << 26) | (bits & 0x03ff_ffff);
        match o.format {
            Format::R => w = (w & !0x7ff) | o.funct as u32,
            Format::Sh => w &= !0xffe0,
            Format::Vec => w &= 0xfc00_003f,
            Format::Mfcr | Format::Mtcr => w = (w & !0xffff) | ((bits >> 16) % 17),
            _ => {}
        }
        decode(w).ok().map(|_| w)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// assemble(disassemble(words)) == words, with branch targets as absolute addresses.
    #[test]
    fn disassembly_reassembles_to_the_same_words(ws in prop::collection::vec(legal_word(), 1..40)) {
        let base = 0x1000u32;
        let mut src = String::new();
        for (i, &w) in ws.iter().enumerate() {
            let insn = decode(w).unwrap();
            src.push_str(&disasm(&insn, base + 4 * i as u32));
            src.push('\n');
        }
        let p = assemble(&[Source::new("d.s", src.clone())], &Options { base, ..Default::default() })
            .map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        prop_assert_eq!(text_words(&p), ws, "{}", src);
    }

    /// `li` loads exactly the value, in one instruction whenever one suffices.
    #[test]
    fn li_is_correct_and_shortest(v in prop_oneof![
        any::<u32>(),
        (0u32..0x10000),
        any::<i16>().prop_map(|x| x as i32 as u32),
        any::<u16>().prop_map(|x| (x as u32) << 16),
    ], rd in 1u8..32) {
        let name = isa_spec::regs::reg_name(rd);
        for (src, forward) in [
            (format!("li {name}, {v:#x}\n"), false),
            (format!("li {name}, V\nV = {v:#x}\n"), true),
        ] {
            let p = asm(&src).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let ws = text_words(&p);
            let mut reg = 0u32;
            for w in &ws {
                let i: Insn = decode(*w).unwrap();
                prop_assert_eq!(i.rd, rd);
                let src_val = if i.rs1 == 0 { 0 } else { prop_assert_eq!(i.rs1, rd); reg };
                reg = match i.op {
                    Opcode::Addi => src_val.wrapping_add(i.imm as u32),
                    Opcode::Ori => src_val | i.imm as u32,
                    Opcode::Lui => (i.imm as u32) << 16,
                    other => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
                };
            }
            prop_assert_eq!(reg, v);
            let one_fits = (v as i32) >= -32768 && (v as i32) <= 32767 || v & 0xffff == 0 || v <= 0xffff;
            let want = if forward || !one_fits { 2 } else { 1 };
            prop_assert_eq!(ws.len(), want, "{}", src);
        }
    }
}

// ---- expressions against a reference evaluator ----

#[derive(Clone, Debug)]
enum E {
    N(u32),
    U(&'static str, Box<E>),
    B(&'static str, Box<E>, Box<E>),
}

const BINOPS: [(&str, u8); 18] = [
    ("*", 10),
    ("/", 10),
    ("%", 10),
    ("+", 9),
    ("-", 9),
    ("<<", 8),
    (">>", 8),
    ("<", 7),
    ("<=", 7),
    (">", 7),
    (">=", 7),
    ("==", 6),
    ("!=", 6),
    ("&", 5),
    ("^", 4),
    ("|", 3),
    ("&&", 2),
    ("||", 1),
];

fn prec(op: &str) -> u8 {
    BINOPS.iter().find(|(o, _)| *o == op).unwrap().1
}

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![any::<u32>().prop_map(E::N), (0u32..40).prop_map(E::N),];
    leaf.prop_recursive(5, 48, 2, |inner| {
        prop_oneof![
            (
                prop::sample::select(vec!["-", "~", "!", "+"]),
                inner.clone()
            )
                .prop_map(|(o, e)| E::U(o, Box::new(e))),
            (
                prop::sample::select(BINOPS.iter().map(|b| b.0).collect::<Vec<_>>()),
                inner.clone(),
                inner
            )
                .prop_map(|(o, a, b)| E::B(o, Box::new(a), Box::new(b))),
        ]
    })
}

/// Prints with the fewest parentheses C precedence needs (plus one level when `extra`).
fn show(e: &E, extra: bool) -> String {
    match e {
        E::N(v) if v % 3 == 0 => format!("{v:#x}"),
        E::N(v) => v.to_string(),
        E::U(o, a) => {
            let inner = match **a {
                E::B(..) => format!("({})", show(a, extra)),
                _ => show(a, extra),
            };
            format!("{o}{inner}")
        }
        E::B(o, a, b) => {
            let p = prec(o);
            let l = match &**a {
                E::B(lo, ..) if prec(lo) < p => format!("({})", show(a, extra)),
                _ => show(a, extra),
            };
            let r = match &**b {
                E::B(ro, ..) if prec(ro) <= p => format!("({})", show(b, extra)),
                _ => show(b, extra),
            };
            if extra {
                format!("({l} {o} {r})")
            } else {
                format!("{l} {o} {r}")
            }
        }
    }
}

/// Reference semantics: u32 operands zero-extended to i64, each result wrapped back to u32.
fn reference(e: &E) -> Option<u32> {
    Some(match e {
        E::N(v) => *v,
        E::U(o, a) => {
            let a = reference(a)? as i64;
            (match *o {
                "-" => -a,
                "~" => !a,
                "!" => (a == 0) as i64,
                _ => a,
            }) as u32
        }
        E::B(o, a, b) => {
            let x = reference(a)? as i64;
            if *o == "&&" && x == 0 {
                return Some(0);
            }
            if *o == "||" && x != 0 {
                return Some(1);
            }
            let y = reference(b)? as i64;
            (match *o {
                "*" => x.wrapping_mul(y),
                "/" => x.checked_div(y).filter(|_| y != 0)?,
                "%" => x.checked_rem(y).filter(|_| y != 0)?,
                "+" => x + y,
                "-" => x - y,
                "<<" => {
                    if y >= 32 {
                        0
                    } else {
                        x << y
                    }
                }
                ">>" => {
                    if y >= 32 {
                        0
                    } else {
                        x >> y
                    }
                }
                "<" => (x < y) as i64,
                "<=" => (x <= y) as i64,
                ">" => (x > y) as i64,
                ">=" => (x >= y) as i64,
                "==" => (x == y) as i64,
                "!=" => (x != y) as i64,
                "&" => x & y,
                "^" => x ^ y,
                "|" => x | y,
                "&&" => (y != 0) as i64,
                _ => (y != 0) as i64,
            }) as u32
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn expressions_match_the_reference(e in expr(), extra in any::<bool>()) {
        let text = show(&e, extra);
        let r = asm(&format!(".word {text}\n"));
        match reference(&e) {
            Some(v) => {
                let p = r.map_err(|d| TestCaseError::fail(format!("{d}\n{text}")))?;
                prop_assert_eq!(text_words(&p), vec![v], "{}", text);
            }
            None => {
                let d = r.err().ok_or_else(|| TestCaseError::fail(format!("no error for {text}")))?;
                prop_assert!(d.to_string().contains("by zero"), "{}", d);
            }
        }
    }
}

// ---- robustness ----

const VOCAB: &[&str] = &[
    "add",
    "addi",
    "lw",
    "sw",
    "beq",
    "jal",
    "jalr",
    "li",
    "la",
    "j",
    "call",
    "ret",
    "nop",
    "cas",
    "mfcr",
    "mtcr",
    "trap",
    "callg",
    "a0",
    "t1",
    "sp",
    "zero",
    "r31",
    "r32",
    "status",
    "x",
    "y",
    "1b",
    "1f",
    "1:",
    "x:",
    "y:",
    ".",
    ",",
    "(",
    ")",
    "%hi",
    "%lo",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    ">>",
    "&&",
    "||",
    "!",
    "~",
    "=",
    "==",
    ":",
    ";",
    "#",
    "//",
    "/*",
    "*/",
    "\"",
    "'",
    "\\",
    "\"str\"",
    "'c'",
    "0",
    "1",
    "-1",
    "0x7fffffff",
    "0xffffffff",
    "4096",
    "100000",
    ".text",
    ".data",
    ".bss",
    ".rodata",
    ".section",
    ".org",
    ".align",
    ".balign",
    ".p2align",
    ".byte",
    ".half",
    ".word",
    ".ascii",
    ".asciz",
    ".space",
    ".skip",
    ".fill",
    ".equ",
    ".set",
    ".global",
    ".type",
    ".size",
    ".macro",
    ".endm",
    ".end",
    ".include",
    "m",
    "\\a",
    "\\@",
    "a=1",
    "@nobits",
    "\"aw\"",
    "\n",
    "\n",
    "\n",
    "\t",
    " ",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn token_soup_never_panics(toks in prop::collection::vec(prop::sample::select(VOCAB), 0..80)) {
        let src = toks.join(" ");
        let _ = asm(&src);
        // And again with the soup inside a macro that is called twice.
        let _ = asm(&format!(".macro m a, b=2\n{src}\n.endm\nm 1\nm x, y\n"));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = asm(&String::from_utf8_lossy(&bytes));
        let _ = read_elf(&bytes);
    }

    #[test]
    fn mutated_elf_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut elf = asm(".global _start\n_start: li a0, 1\n halt\n.data\nx: .word 1\n.bss\n.space 4\n")
            .unwrap()
            .to_elf();
        for (i, b) in flips {
            let n = elf.len();
            elf[i.index(n)] = b;
        }
        let _ = read_elf(&elf);
    }
}

#[test]
fn invalid_utf8_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.s");
    std::fs::write(&p, [0x6e, 0x6f, 0x70, 0x0a, 0xc3, 0x28]).unwrap();
    let e = assemble_files(&[p], &Options::default()).unwrap_err();
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

#[test]
fn wide_macro_recursion_is_bounded() {
    // Each level calls itself four times: unbounded depth would be 4^64 lines.
    let src = ".macro w\n w\n w\n w\n w\n.endm\n w\n w\n";
    let start = std::time::Instant::now();
    let e = asm(src).unwrap_err();
    assert!(e.len() <= 4, "{e}");
    assert!(start.elapsed().as_secs() < 20);
}

#[test]
fn growing_macro_arguments_are_bounded() {
    // Each call doubles its argument: 2^64 bytes without a limit.
    let e = asm(".macro d a\n d \\a\\a\n.endm\n d x\n").unwrap_err();
    assert!(e.to_string().contains("longer than"), "{e}");
    assert!(e.len() <= 2, "{e}");
}

const PROGRAM: &str = r#"
        .equ    K, 5
        .macro  push reg, n=4
        addi    sp, sp, -\n
        sw      \reg, 0(sp)
        .endm
        .text
        .global _start
_start: li      a0, K * 3 + 'a'
        la      t0, table
1:      lw      a1, %lo(table)(t0)
        beqz    a1, 1f
        push    ra
        .rept   2
        nop
        .endr
        j       1b
1:      call    f
        halt
f:      ret
        .size   f, . - f
        .rodata
table:  .word   1, 2, table, end - table
        .asciz  "x\ty\n"
end:
        .data
        .balign 8
        .fill   3, 2, 0x1234
        .org    0x40
        .bss
        .space  64
"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A valid program with a few random edits: an error or a program, never a panic.
    #[test]
    fn edited_program_never_panics(edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, 32u8..127), 1..6)) {
        let mut text: Vec<u8> = PROGRAM.as_bytes().to_vec();
        for (at, kind, ch) in edits {
            let i = at.index(text.len());
            match kind {
                0 => { text.remove(i); }
                1 => text.insert(i, ch),
                _ => text[i] = ch,
            }
        }
        let src = String::from_utf8(text).unwrap();
        if let Ok(p) = asm(&src) {
            let _ = read_elf(&p.to_elf()).unwrap();
            let _ = p.listing();
            let _ = p.to_flat();
        }
    }
}

#[test]
fn the_base_program_assembles() {
    let p = asm(PROGRAM).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.segments.len(), 4);
}
