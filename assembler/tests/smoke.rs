use assembler::*;

fn asm(src: &str) -> Result<Program, Diagnostics> {
    assemble(&[Source::new("t.s", src)], &Options::default())
}

#[test]
fn smoke() {
    let p = asm("
.global _start
_start:
    li a0, 42
    li t0, 0x12345678
    la t1, msg
    beq a0, zero, 1f
    j _start
1:  lw a0, %lo(msg)(t0)
    call f
    halt
f:  ret
.data
msg: .asciz \"hi\"
.bss
buf: .space 64
")
    .unwrap_or_else(|e| panic!("{e}"));
    for s in &p.segments {
        eprintln!("{} {:#x} {} {:?}", s.name, s.addr, s.size, s.flags);
    }
    eprintln!("{:?}", p.symbols);
    eprintln!("{}", p.listing());
    let elf = p.to_elf();
    let back = read_elf(&elf).unwrap();
    assert_eq!(back.segments, p.segments);
    assert_eq!(back.lines, p.lines);
}

#[test]
fn errors() {
    let e = asm("add foo, a1, a2\n  addi a0, a0, 70000\n  bogus x\n  j nowhere\n.word 1/0\n")
        .unwrap_err();
    eprintln!("{e}");
    assert_eq!(e.len(), 5);
}
