//! Assembler throughput: generates a 5,000-line program (instructions of every format,
//! pseudo-instructions, labels with forward and backward branches, macros, data directives)
//! and times `assemble` + `to_elf` on it.
//!
//! Run: `cargo run --release -p assembler --example gen5000 [LINES] [RUNS]`

use assembler::{assemble, Options, Source};
use std::time::Instant;

fn generate(lines: usize) -> String {
    let mut s = String::from(
        ".macro push reg\n    addi sp, sp, -4\n    sw \\reg, 0(sp)\n.endm\n.equ BASE, 0x1000\n.text\n.global _start\n_start:\n",
    );
    let mut n = 8;
    let mut i: usize = 0;
    while n < lines {
        let k = i % 16;
        let line = match k {
            0 => format!("L{i}: add a0, a1, a2"),
            1 => format!("    addi t0, t1, {}", (i % 2000) as i32 - 1000),
            2 => "    lw a3, 12(sp)".to_string(),
            3 => "    sw a3, -8(sp)".to_string(),
            4 => format!("    beq a0, a1, L{}", (i / 16 + 1) * 16),
            5 => format!("    bne a0, zero, L{}", i.saturating_sub(5) / 16 * 16),
            6 => format!("    li a4, {:#x}", (i as u32).wrapping_mul(2_654_435_761)),
            7 => "    la a5, table".to_string(),
            8 => "    push ra".to_string(),
            9 => format!("    slli s0, s1, {}", i % 32),
            10 => "    mv s2, s3  # a comment".to_string(),
            11 => format!("    call L{}", (i / 16) * 16),
            12 => "    ori t2, t2, BASE + 4 * 3".to_string(),
            13 => "    lui t3, %hi(table)".to_string(),
            14 => "    addi t3, t3, %lo(table)".to_string(),
            _ => "    nop".to_string(),
        };
        s.push_str(&line);
        s.push('\n');
        n += 1;
        i += 1;
    }
    // Make the last forward branch targets exist.
    s.push_str(&format!("L{}: nop\n", ((i - 1) / 16 + 1) * 16));
    s.push_str(".data\ntable: .word 1, 2, 3, 4\n.asciz \"done\"\n");
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let lines: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let text = generate(lines);
    let src = [Source::new("gen.s", text.clone())];
    let opts = Options::default();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let p = assemble(&src, &opts).unwrap_or_else(|e| panic!("{e}"));
        let elf = p.to_elf();
        times.push(t.elapsed());
        size = elf.len();
    }
    times.sort();
    println!(
        "{} source lines, {} runs: min {:.2} ms, median {:.2} ms, max {:.2} ms (ELF {} bytes)",
        text.lines().count(),
        runs,
        times[0].as_secs_f64() * 1e3,
        times[runs / 2].as_secs_f64() * 1e3,
        times[runs - 1].as_secs_f64() * 1e3,
        size
    );
}
