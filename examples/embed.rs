//! Embedding Ringfort in another program: the host assembles a guest filter from source text,
//! feeds it input on the serial line, runs it in slices of a cycle budget (as a host with its
//! own event loop would), and reads back its output, registers and statistics.
//!
//! ```text
//! cargo run --release --example embed
//! ```
//!
//! The guest upper-cases what it reads until a NUL byte, then halts with the number of letters
//! it changed in `a0`. Everything about the run is exact and repeatable: the same input gives
//! the same output and the same cycle count on every engine.

use emulator::{EngineKind, Machine, Outcome, StopReason};

const FILTER: &str = r#"
        .text
        .global _start
# _start: copy the UART's input to its output, upper-casing letters, until a NUL byte.
_start: li      t0, 0xF0002000          # UART: DATA at 0, STATUS at 4 (bit 0: a byte is ready)
        li      a0, 0                   # letters changed
1:      lw      t1, 4(t0)
        andi    t1, t1, 1
        beqz    t1, 1b                  # wait for a byte
        lw      t2, 0(t0)
        beqz    t2, 3f                  # NUL: done
        li      t3, 'a'
        blt     t2, t3, 2f
        li      t3, 'z'
        bgt     t2, t3, 2f
        addi    t2, t2, 'A' - 'a'
        addi    a0, a0, 1
2:      sw      t2, 0(t0)
        j       1b
3:      halt
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for engine in [EngineKind::Threaded, EngineKind::Interp] {
        let (out, slices, text, changed) =
            filter(engine, b"Ringfort runs inside this program.\n\0")?;
        println!(
            "engine {}: {:?} after {slices} slices",
            engine.name(),
            out.reason
        );
        print!("  output: {text}");
        println!(
            "  letters changed (a0): {changed}; {} instructions in {} cycles",
            out.instructions, out.cycles
        );
    }
    Ok(())
}

/// Runs the filter on `input` with `engine` in slices of 2,000 cycles (between them the host
/// could do other work). Returns how it stopped, the slices, its output and its `a0`.
fn filter(
    engine: EngineKind,
    input: &[u8],
) -> Result<(Outcome, usize, String, u32), Box<dyn std::error::Error>> {
    let mut vm = Machine::builder()
        .source("filter.s", FILTER)
        .memory(Some(1 << 20))
        .engine(engine)
        .input(input)
        .build_vm()?;
    let mut slices = 0;
    let out = loop {
        slices += 1;
        let out = vm.run(2_000);
        if out.reason != StopReason::CycleLimit {
            break out;
        }
    };
    let text = String::from_utf8_lossy(&vm.serial_output()).into_owned();
    Ok((out, slices, text, vm.reg(10)))
}

#[test]
fn the_filter_upper_cases_the_same_way_on_both_engines() {
    let a = filter(EngineKind::Threaded, b"abc XyZ\0").unwrap();
    let b = filter(EngineKind::Interp, b"abc XyZ\0").unwrap();
    assert_eq!(a.0.reason, StopReason::Halted);
    assert_eq!(a.2, "ABC XYZ");
    assert_eq!(a.3, 4);
    assert_eq!((a.0, a.1, a.2, a.3), (b.0, b.1, b.2, b.3));
}
