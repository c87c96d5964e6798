//! The JIT tier (`--engine jit`): code that is hot is in fact compiled and run as host code,
//! and what it leaves is what the interpreter and the threaded engine leave — through the
//! library (every run of `common::run_*` also runs the JIT and compares full state) and the
//! command line (`--stats`, `ringfort debug --engine jit`).
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::{assemble, machine_with, run_src, TEST_RAM};
use emulator::engine::jit::JitStats;
use emulator::{Budget, Engine, Exit};

/// Runs `src` on the test JIT ([`testkit::jit_engine`]: blocks compiled from their second
/// run) and returns its exit, the guest's a0 and what the tier did. (The same program also
/// runs on every engine through `run_src`, which requires identical state.)
fn on_jit(name: &str, src: &str) -> (Exit, u32, JitStats) {
    run_src(name, src);
    let prog = assemble(name, src);
    let mut m = machine_with(&prog, TEST_RAM);
    let mut e = testkit::jit_engine();
    let exit = e.run(&mut m, Budget::UNLIMITED);
    let stats = e.jit.as_ref().expect("this host has a JIT").stats;
    (exit, m.cpu.regs[10], stats)
}

/// A loop of ALU work, loads and stores over an array, and a call: nearly all of it runs in
/// host code.
const HOT_LOOP: &str = r#"
        .text
        .global _start
_start:
        li      sp, 0x10000
        la      s0, array
        li      s1, 0                   # i
        li      s2, 1000                # n
        li      a0, 0
1:      slli    t0, s1, 2
        add     t0, s0, t0
        sw      s1, 0(t0)               # array[i] = i
        lw      t1, 0(t0)
        mul     t1, t1, t1
        add     a0, a0, t1
        call    twist
        addi    s1, s1, 1
        bne     s1, s2, 1b
        halt
twist:
        xori    a0, a0, 0x55
        srli    t2, a0, 3
        add     a0, a0, t2
        ret
        .bss
array:  .space  4000
"#;

#[test]
fn hot_code_runs_in_host_code() {
    let (exit, a0, stats) = on_jit("jit_hot_loop", HOT_LOOP);
    assert!(matches!(exit, Exit::Halted(_)), "{exit:?}");
    let _ = a0;
    assert!(stats.translations >= 1, "{stats:?}");
    // 1,000 iterations of 13 instructions: all but the first runs (threaded, to get hot)
    // are host code.
    assert!(stats.native_instructions > 12_000, "{stats:?}");
    assert!(stats.code_bytes > 0 && stats.peak_code_bytes >= stats.code_bytes);
}

/// A hot loop that rewrites one of its own instructions half-way (`addi a0, a0, 1` becomes
/// `addi a0, a0, 2`): the store from host code drops the loop's translations, threaded and
/// native, before the next instruction, and the new code is compiled again.
#[test]
fn a_store_into_a_compiled_loop_is_seen_at_once() {
    let src = r#"
        .text
        .global _start
_start:
        li      a0, 0
        li      s1, 0
        li      s2, 2000
        li      s3, 1000
        la      s4, patch
        lw      s5, 0(s4)               # the word of `addi a0, a0, 2`
        la      s6, inc
1:
inc:    addi    a0, a0, 1
        addi    s1, s1, 1
        bne     s1, s3, 2f
        sw      s5, 0(s6)               # half-way: rewrite `inc`
2:      bne     s1, s2, 1b
        halt
patch:  addi    a0, a0, 2
"#;
    let (exit, a0, stats) = on_jit("jit_smc", src);
    assert_eq!(exit, Exit::Halted(a0));
    assert_eq!(a0, 1000 + 2 * 1000);
    assert!(
        stats.translations >= 2,
        "compiled before and after: {stats:?}"
    );
    assert!(stats.native_instructions > 5_000, "{stats:?}");
}

/// A periodic timer whose interrupts land inside a compiled loop: taken at the same
/// instruction boundaries as the interpreter takes them (`run_src` compares full state,
/// cycles and the delivery log included).
#[test]
fn timer_interrupts_land_inside_compiled_loops_where_the_interpreter_takes_them() {
    let src = r#"
        .equ    PIC,   0xF0000000
        .equ    TIMER, 0xF0001000
        .text
        .global _start
_start:
        li      sp, 0x8000
        la      t0, vectors
        mtcr    vbase, t0
        li      t0, PIC
        li      t1, 1
        sw      t1, 4(t0)               # enable line 0 (timer)
        li      t0, TIMER
        li      t1, 997
        sw      t1, 4(t0)               # period
        li      t1, 7                   # enable | interrupt | periodic
        li      t2, 4
        mtcr    status, t2              # IE on
        sw      t1, 0(t0)
        li      s1, 0
        li      s2, 200000
1:      addi    s1, s1, 1
        add     a1, a1, s1
        xor     a2, a2, a1
        bne     s1, s2, 1b
        mv      a0, s3                  # interrupts taken
        halt
handler:
        addi    s3, s3, 1
        li      t0, PIC
        sw      zero, 12(t0)            # EOI line 0
        iret
        .balign 8
vectors:
        .space  32 * 8
        .word   handler, 1              # vector 32: IRQ line 0, present, ring 0
        .space  31 * 8
"#;
    let (exit, a0, stats) = on_jit("jit_timer", src);
    assert!(matches!(exit, Exit::Halted(_)), "{exit:?}");
    assert!(a0 > 500, "the timer fired {a0} times");
    assert!(stats.native_instructions > 500_000, "{stats:?}");
}

/// Runs `cmd` with the JIT compiling in line and from the start (no warm-up: so that a short
/// program is compiled before it ends) and no input.
fn in_line(mut cmd: std::process::Command) -> std::process::Output {
    cmd.env("RINGFORT_JIT_BACKGROUND", "0")
        .env("RINGFORT_JIT_WARMUP", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("ringfort runs")
}

/// `--stats` names the blocks that run as host code and what the tier did; the cycle count
/// is the interpreter's.
#[test]
fn stats_show_native_blocks_and_the_same_cycles_as_the_interpreter() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("hot.s"), HOT_LOOP).expect("write");
    let run = |engine: &str| {
        let out = in_line(common::ringfort_command(
            dir.path(),
            &["run", "--engine", engine, "--stats", "hot.s"],
        ));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let jit = run("jit");
    let interp = run("interp");
    let cycles = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("cycles"))
            .map(str::to_string)
            .expect("a cycles line")
    };
    assert_eq!(cycles(&jit), cycles(&interp), "{jit}");
    assert!(jit.contains("hottest blocks (engine jit)"), "{jit}");
    assert!(jit.contains("  native"), "{jit}");
    assert!(
        jit.contains("jit: ") && jit.contains("blocks compiled in"),
        "{jit}"
    );
    assert!(!interp.contains("jit: "), "{interp}");
    // With the default warm-up (2 M instructions) this short program compiles nothing.
    let out = common::ringfort_command(dir.path(), &["run", "--engine", "jit", "--stats", "hot.s"])
        .env("RINGFORT_JIT_BACKGROUND", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("ringfort runs");
    let warm = String::from_utf8_lossy(&out.stderr);
    assert_eq!(cycles(&warm), cycles(&interp), "{warm}");
    assert!(warm.contains("jit: 0 blocks compiled"), "{warm}");
}

/// The debugger on the JIT: a conditional breakpoint inside a hot loop stops at the same
/// instruction and cycle as on the interpreter (code in a page with a breakpoint runs on the
/// threaded engine's debugging path), and once it is deleted the loop is compiled and `hot`
/// says which blocks are native.
#[test]
fn the_debugger_on_the_jit_stops_where_the_interpreter_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("hot.s"), HOT_LOOP).expect("write");
    let script = "break twist if $s1 == 700\ncontinue\nprint $cycle\nprint $a0\ndelete\n\
                  continue\nhot 3\n";
    let run = |engine: &str| {
        let mut cmd = common::ringfort_command(
            dir.path(),
            &["debug", "--echo", "--engine", engine, "hot.s"],
        );
        cmd.stdin(std::process::Stdio::piped());
        let mut child = cmd
            .env("RINGFORT_JIT_BACKGROUND", "0")
            .env("RINGFORT_JIT_WARMUP", "0")
            .spawn()
            .expect("ringfort runs");
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(script.as_bytes()).expect("script written");
        drop(stdin);
        let out = child.wait_with_output().expect("ringfort ends");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let jit = run("jit");
    let interp = run("interp");
    let prints = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("$"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        prints(&jit),
        prints(&interp),
        "jit:\n{jit}\ninterp:\n{interp}"
    );
    assert_eq!(prints(&jit).len(), 2, "{jit}");
    assert!(jit.contains("jit engine"), "{jit}");
    assert!(jit.lines().any(|l| l.trim_end().ends_with("yes")), "{jit}");
}

/// Every ALU, multiply and divide operation on edge operands (0, 1, -1, `INT_MIN`,
/// `INT_MAX`, shift amounts past 31, a zero divisor) computed by compiled code: the results
/// (stored, and summed into a0) and the exceptions (division by zero leaves the block before
/// the instruction, and the handler skips it) are the interpreter's.
#[test]
fn edge_operands_compute_as_in_the_interpreter() {
    let values = [
        0u32,
        1,
        2,
        31,
        32,
        33,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        0x1234_5678,
    ];
    let words: Vec<String> = values.iter().map(|v| format!("{v:#x}")).collect();
    let ops = [
        "add", "sub", "and", "or", "xor", "sll", "srl", "sra", "slt", "sltu", "mul", "mulh",
        "mulhu", "div", "divu", "rem", "remu",
    ];
    let body: String = ops
        .iter()
        .map(|op| format!("        {op}     t3, t1, t2\n        sw      t3, 0(s5)\n        addi    s5, s5, 4\n        add     a0, a0, t3\n"))
        .collect();
    let src = format!(
        r#"
        .text
        .global _start
_start:
        li      sp, 0x8000
        la      t0, vectors
        mtcr    vbase, t0
        la      s5, out
        li      a0, 0
        li      s1, 0                   # i
1:      li      s2, 0                   # j
2:      la      t0, vals
        slli    t4, s1, 2
        add     t4, t0, t4
        lw      t1, 0(t4)
        slli    t4, s2, 2
        add     t4, t0, t4
        lw      t2, 0(t4)
{body}
        addi    s2, s2, 1
        li      t4, {n}
        bne     s2, t4, 2b
        addi    s1, s1, 1
        bne     s1, t4, 1b
        halt
skip:   lw      t5, 0(sp)               # the divide: skip it (t3 keeps its value)
        addi    t5, t5, 4
        sw      t5, 0(sp)
        iret
        .balign 8
vectors:
        .space  7 * 8
        .word   skip, 1                 # vector 7: divide by zero
        .space  56 * 8
        .data
vals:   .word   {words}
out:    .space  {outlen}
"#,
        n = values.len(),
        words = words.join(", "),
        outlen = 4 * ops.len() * values.len() * values.len(),
    );
    let (exit, _, stats) = on_jit("jit_edges", &src);
    assert!(matches!(exit, Exit::Halted(_)), "{exit:?}");
    assert!(stats.native_instructions > 3_000, "{stats:?}");
}

/// The benchmark kernels as ring-3 processes with paging on (their TLB refills, code and data
/// pages sharing TLB slots, calls and returns), and with paging off: the JIT ends each run of
/// a few million instructions in the threaded engine's full state.
#[test]
fn the_bench_kernels_run_the_same_on_the_jit() {
    for k in testkit::bench::KERNELS {
        let prog = testkit::bench::assemble(k).expect("the kernel assembles");
        for paging in [true, false] {
            let mut a = testkit::bench::machine(&prog, paging).expect("a machine");
            let budget = Budget::steps(&a, 3_000_000);
            let mut b = a.clone();
            let ea = emulator::engine::threaded::Threaded::new().run(&mut a, budget);
            let mut jit = testkit::jit_engine();
            let eb = jit.run(&mut b, budget);
            assert_eq!(ea, eb, "{} (paging {paging})", k.name);
            if let Some(d) = emulator::diff::state_diff(&a, &b) {
                panic!("{} (paging {paging}): {d}", k.name);
            }
        }
    }
}

/// Compiled loads and stores go through the JIT's host TLB (host pointers per TLB slot):
/// it must follow a chunk's first write (reads of a chunk never written point at zeros), a
/// remapped page after `tlbflush`, and stores through the remapped page (the pages are in
/// TLB slots of their own, so that the host TLB's entries outlive a pass of the loop); and a
/// chunk's first write inside a compiled block between two reads of it.
#[test]
fn the_host_tlb_follows_first_writes_and_remaps() {
    let src = r#"
        .include "check.inc"
        .include "paging.inc"
main:
        paging_on
        set_pte TESTWIN + 0x9000, FRAMES + PTE_KERN
        li      t0, FRAMES + 0x1000     # the second frame's word (identity-mapped)
        li      t1, 9
        sw      t1, 0(t0)
        li      s0, TESTWIN + 0x9000    # -> FRAMES (7), after the remap FRAMES + 0x1000 (9)
        li      t1, 7
        sw      t1, 0(s0)
        li      s1, 0x1c5000            # a chunk never written: 0, then 5
        li      s2, 0
        li      s3, 200
        li      a0, 0
1:      lw      t1, 0(s0)
        lw      t2, 0(s1)
        add     a0, a0, t1
        add     a0, a0, t2
        sw      a0, 8(s0)               # a store through the window each pass
        addi    s2, s2, 1
        li      t3, 50
        bne     s2, t3, 2f
        li      t4, 5
        sw      t4, 0(s1)               # the chunk's first write (the TLB unchanged)
2:      li      t3, 100
        bne     s2, t3, 3f
        set_pte TESTWIN + 0x9000, FRAMES + 0x1000 + PTE_KERN
        tlbflush
3:      bne     s2, s3, 1b
        expect  a0, 2350, 1
        li      t0, FRAMES + 8          # the stores went to the frame mapped at the time
        lw      t1, 0(t0)
        expect  t1, 950, 2
        li      t0, FRAMES + 0x1008
        lw      t1, 0(t0)
        expect  t1, 2350, 3
        li      s1, PT_IDENT + 4 * 0x1d0  # their PTEs with A and D set already: the
        li      t1, 0x1d0000 + PTE_USER + PTE_A + PTE_D  # stores below need no walk
        li      s2, 16
5:      sw      t1, 0(s1)
        addi    s1, s1, 4 * 16
        li      t3, 0x10000
        add     t1, t1, t3
        addi    s2, s2, -1
        bnez    s2, 5b
        tlbflush
        li      s1, 0x1d0000
        li      s2, 16
        li      a1, 0
4:      lw      t2, 0(s1)               # 0: a chunk never written (its host entry: zeros)
        li      t4, 5
        sw      t4, 0(s1)               # its first write, in the same compiled block
        lw      t5, 0(s1)               # 5
        add     a1, a1, t2
        add     a1, a1, t5
        li      t3, 0x10000
        add     s1, s1, t3
        addi    s2, s2, -1
        bnez    s2, 4b
        expect  a1, 80, 4
        pass
"#;
    let (exit, _, stats) = on_jit("jit_host_tlb", src);
    assert_eq!(exit, Exit::Halted(0), "{exit:?}");
    assert!(stats.native_instructions > 1000, "{stats:?}");
}

/// Conditional breakpoints inside a compiled loop (the conditions tested in host code: every
/// comparison, and one the debugger's filter must evaluate) and a write watch: each run stops
/// where, and in the state, the interpreter and the threaded engine stop (`run_agreeing`
/// also runs the JIT and compares full state); and the JIT compiled its variants.
#[test]
fn compiled_breakpoint_conditions_and_watches_stop_where_the_interpreter_does() {
    use emulator::engine::{BreakCheck, BreakCmp, BreakFilter};
    let src = r#"
        .text
        .global _start
_start:
        li      s1, 0
        li      s2, 3000
        la      s3, cell
        li      a0, 0
loop:   addi    s1, s1, 1
        sub     s5, s2, s1              # counts down
        add     a0, a0, s1
        xori    t0, a0, 0x33
        andi    t0, t0, 0xff
        .global spot
spot:   add     a0, a0, t0
        li      t1, 2900
        sub     t3, s1, t1
        sltiu   t3, t3, 1               # 1 at s1 = 2900, else 0
        slli    t3, t3, 2
        addi    t2, s3, 4
        sub     t2, t2, t3
        sw      a0, 0(t2)               # the watched cell once (at s1 = 2900), else the next
        bne     s1, s2, loop
        halt
        .data
cell:   .word   0, 0
"#;
    let prog = assemble("jit_breaks", src);
    let sym = |name: &str| {
        prog.symbols
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.value)
            .expect("the symbol")
    };
    let (spot, cell) = (sym("spot"), sym("cell"));
    // (register, comparison, constant): s1 (x9) counts up, s5 (x21) down; each first holds
    // long after the loop is compiled; one never holds.
    let cases = [
        (9, BreakCmp::Eq, 1234i64),
        (9, BreakCmp::Ne, 1),
        (21, BreakCmp::Lt, 100),
        (21, BreakCmp::Le, 100),
        (9, BreakCmp::Gt, 2500),
        (9, BreakCmp::Ge, 2999),
        (9, BreakCmp::Lt, 0),
    ];
    for (reg, cmp, value) in cases {
        // Compiled: the check in host code; else the filter evaluates it on the threaded path.
        for compiled in [true, false] {
            let check = BreakCheck { reg, cmp, value };
            let checks = [(spot, check)];
            let stops = |m: &emulator::Machine| check.holds(m.cpu.regs[reg as usize]);
            let budget = emulator::Budget {
                breakpoints: &[spot],
                break_filter: Some(BreakFilter(&stops)),
                break_checks: if compiled { &checks } else { &[] },
                ..emulator::Budget::UNLIMITED
            };
            let m = machine_with(&prog, TEST_RAM);
            let (a, exit) = testkit::run_agreeing("breaks", m.clone(), m, budget);
            let what = format!("x{reg} {cmp:?} {value} compiled {compiled}");
            if value == 0 {
                assert!(matches!(exit, Exit::Halted(_)), "{what}: {exit:?}");
            } else {
                assert_eq!(exit, Exit::Stopped, "{what}");
                assert_eq!(a.cpu.pc, spot, "{what}");
                assert!(check.holds(a.cpu.regs[reg as usize]), "{what}");
            }
        }
    }
    // A write watch on the cell written once, from a compiled loop.
    let m = machine_with(&prog, TEST_RAM);
    let mut b = m.clone();
    b.set_watch(vec![(cell, cell + 4)], emulator::Watched::Writes);
    let mut a = m;
    a.set_watch(vec![(cell, cell + 4)], emulator::Watched::Writes);
    let (a, _) = testkit::run_agreeing("watch", a, b, emulator::Budget::UNLIMITED);
    assert_eq!(a.cpu.regs[9], 2900, "stopped after the watched store");
    // The JIT did compile variants under breakpoints.
    let mut m = machine_with(&prog, TEST_RAM);
    let mut e = testkit::jit_engine();
    let stops = |m: &emulator::Machine| m.cpu.regs[9] == 2000;
    let checks = [(
        spot,
        BreakCheck {
            reg: 9,
            cmp: BreakCmp::Eq,
            value: 2000,
        },
    )];
    let budget = emulator::Budget {
        breakpoints: &[spot],
        break_filter: Some(BreakFilter(&stops)),
        break_checks: &checks,
        ..emulator::Budget::UNLIMITED
    };
    assert_eq!(e.run(&mut m, budget), Exit::Stopped);
    let stats = e.jit.as_ref().expect("a JIT").stats;
    assert!(stats.debug_variants > 0, "{stats:?}");
    assert!(stats.native_instructions > 10_000, "{stats:?}");
}

/// A hot gate loop (the `gatecall` kernel: a ring-3 process calling a ring-0 service through
/// a call gate, paging on) runs as one trace: the blocks too short to be worth compiling
/// alone are compiled together, through the gate and back, and nearly every instruction
/// retires in host code — leaving the threaded engine's full state.
#[test]
fn a_hot_gate_loop_runs_as_one_trace() {
    let k = testkit::bench::kernel("gatecall").expect("the gatecall kernel");
    let prog = testkit::bench::assemble(k).expect("the kernel assembles");
    let mut a = testkit::bench::machine(&prog, true).expect("a machine");
    let budget = Budget::steps(&a, 500_000);
    let mut b = a.clone();
    let ea = emulator::engine::threaded::Threaded::new().run(&mut a, budget);
    let mut e = testkit::jit_engine();
    let eb = e.run(&mut b, budget);
    assert_eq!(ea, eb);
    if let Some(d) = emulator::diff::state_diff(&a, &b) {
        panic!("gatecall: {d}");
    }
    let stats = e.jit.as_ref().expect("this host has a JIT").stats;
    assert!(stats.traces >= 1, "{stats:?}");
    assert!(stats.native_instructions > 450_000, "{stats:?}");
}

/// Traces keep the threaded engine's gate-link guards: the service's code rewritten, its
/// page remapped, the gate pointed elsewhere, the callers in another ring, a frame pushed
/// into RAM never written (`tests/guest/gate_links.s`) — each seen by a trace already
/// compiled, which leaves for the threaded engine where the gate no longer goes on to its
/// next block. Every engine agrees (`run_src`), and traces did run.
#[test]
fn traces_give_way_when_a_gate_goes_elsewhere() {
    passes_with_traces("gate_links.s", include_str!("guest/gate_links.s"));
}

/// Runs guest test program `src` (named `name`) on every engine (`on_jit`), which must pass
/// its checks, and requires that the JIT compiled at least one trace for it.
fn passes_with_traces(name: &str, src: &str) {
    let (exit, _, stats) = on_jit(name, src);
    assert_eq!(exit, Exit::Halted(0), "{stats:?}");
    assert!(stats.traces >= 1, "{stats:?}");
}

/// `--stats` says how many of the compiled blocks are traces: `gate_links.s`'s gate loops
/// (threshold 2) are compiled as traces, and the program still passes its checks.
#[test]
fn stats_count_the_traces() {
    let dir = tempfile::tempdir().expect("temp dir");
    let guest = common::test_path("guest");
    for name in ["gate_links.s", "check.inc", "paging.inc"] {
        std::fs::copy(guest.join(name), dir.path().join(name)).expect("copy");
    }
    let mut cmd = common::ringfort_command(
        dir.path(),
        &["run", "--engine", "jit", "--stats", "gate_links.s"],
    );
    cmd.env("RINGFORT_JIT_THRESHOLD", "2");
    let out = in_line(cmd);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let traces: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("jit: ")?.split_once(" of them as traces"))
        .and_then(|(n, _)| n.parse().ok())
        .expect("a traces line");
    assert!(traces >= 1, "{err}");
}

/// A trace's gate helpers remember a gate's checks and its frame's TLB hit between calls
/// (`gate_memo.rs`); `tests/guest/gate_memo.s` changes what they read inside its hot loops
/// (the descriptor, the stack the frame goes on, the frame page's mapping): the remembered
/// plan must give way each time, and traces did run.
#[test]
fn remembered_gate_checks_give_way_inside_a_hot_loop() {
    passes_with_traces("gate_memo.s", include_str!("guest/gate_memo.s"));
}
