//! The threaded engine against the reference interpreter on the cases a block cache gets wrong:
//! self-modifying code, a TLB flush with remapped code pages, an interrupt arriving mid-block.
//! Every run goes through `common::run_*`, which runs both engines and compares full state.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::{pass_guest, run_src};
use emulator::engine::interp::Interp;
use emulator::engine::threaded::Threaded;
use emulator::{Budget, Engine, Exit};

#[test]
fn self_modifying_code_is_seen_by_both_engines() {
    pass_guest("engine_smc.s");
}

/// A timer interrupt due in the middle of a run of 64 `addi`s (one block): both engines take
/// it at the same boundary, and it is the boundary the cycle model predicts.
#[test]
fn interrupt_mid_block_lands_on_the_predicted_instruction() {
    let adds = "        addi    a1, a1, 1\n".repeat(64);
    let src = format!(
        r#"
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
        li      t1, 40
        sw      t1, 4(t0)               # period 40 cycles
        li      t1, 5                   # interrupt enable | enable, one-shot
        li      t2, 4
        mtcr    status, t2              # IE on
        sw      t1, 0(t0)               # arm: fires 40 cycles after this store retires
run:
{adds}
        halt
handler:
        lw      a2, 0(sp)               # frame pc
        mfcr    a3, cycle
        li      t0, PIC
        sw      zero, 12(t0)            # EOI line 0
        iret
        .balign 8
vectors:
        .space  32 * 8
        .word   handler, 1              # vector 32: IRQ line 0, present, ring 0
        .space  31 * 8
"#
    );
    let run = run_src("irq_midblock", &src);
    assert_eq!(run.exit, Exit::Halted(0));
    let m = &run.m;
    let log = m.deliveries.as_ref().expect("delivery log");
    assert_eq!(log.len(), 1, "one interrupt: {log:?}");
    let d = log[0];
    assert_eq!(d.vector, 32);
    // The arming store retired at some cycle C; the timer fires at the first boundary with
    // cycle >= C + 40. Each addi costs 1 cycle, so the interrupt lands 40 cycles into the run
    // (the store is an MMIO access: its retire time includes the MMIO latency, and `run`
    // starts right after it).
    let run_addr = common::symbol("run", &src);
    assert_eq!(d.pc, run_addr + 4 * 40, "interrupted pc");
    // All 64 adds executed exactly once (the handler returned to the right place).
    assert_eq!(m.cpu.regs[11], 64);
    assert_eq!(m.cpu.regs[12], d.pc);
}

/// Virtual page 0x405000 (TLB slot 5, clear of every other page this program touches) is mapped to physical page A (code returning 1); the kernel remaps it
/// to page B (code returning 2) WITHOUT flushing: the stale TLB entry still runs A. After
/// `tlbinval` the new mapping runs B. Both engines must agree (the block cache is keyed by
/// physical pc, so a stale translation must not leak into either case).
#[test]
fn remapped_code_page_follows_the_tlb() {
    let src = r#"
        .equ    PT_DIR,  0x10000
        .equ    PT_TAB,  0x11000
        .equ    VCODE,   0x405000
        .text
        .global _start
_start:
        li      sp, 0x8000
        # Identity-map the first 4 MiB (ring 0, RWX) with table PT_TAB...
        li      t0, PT_TAB
        li      t1, 0
        li      t2, 1024
1:      slli    t3, t1, 12
        ori     t3, t3, 0x0F            # P|R|W|X, ring 0
        slli    t4, t1, 2
        add     t4, t0, t4
        sw      t3, 0(t4)
        addi    t1, t1, 1
        bne     t1, t2, 1b
        li      t0, PT_DIR
        li      t1, PT_TAB | 1
        sw      t1, 0(t0)               # directory entry 0
        # ...and VCODE (directory entry 1) through a second table at PT_TAB + 0x1000.
        li      t1, PT_TAB + 0x1000 | 1
        sw      t1, 4(t0)
        la      t2, page_a
        ori     t2, t2, 0x0F
        li      t3, PT_TAB + 0x1000
        sw      t2, 5*4(t3)             # VCODE -> page_a (table entry 5)
        mtcr    ptbase, t0
        li      t0, 8
        mtcr    status, t0              # paging on
        li      s0, VCODE
        jalr    ra, 0(s0)               # runs page_a: a0 = 1
        mv      s1, a0
        la      t2, page_b
        ori     t2, t2, 0x0F
        li      t3, PT_TAB + 0x1000
        sw      t2, 5*4(t3)             # remap VCODE -> page_b, no flush
        jalr    ra, 0(s0)               # stale TLB entry: still page_a, a0 = 1
        mv      s2, a0
        tlbinval s0
        jalr    ra, 0(s0)               # now page_b: a0 = 2
        mv      s3, a0
        # exit 0 iff (s1, s2, s3) == (1, 1, 2)
        addi    s1, s1, -1
        addi    s2, s2, -1
        addi    s3, s3, -2
        or      a0, s1, s2
        or      a0, a0, s3
        halt

        .balign 4096
page_a: li      a0, 1
        ret
        .balign 4096
page_b: li      a0, 2
        ret
"#;
    let run = run_src("remap", src);
    assert_eq!(run.exit, Exit::Halted(0), "stale-then-flushed mapping");
}

/// Short loops are laid out several times over in a translated block: their exit is an
/// inverted branch in the middle of a block. Loops of 1..=40 iterations leave at every copy,
/// and runs stopped after every step count up to 300 stop inside them (where the block is run
/// one op at a time, the next op after an inverted branch is the loop's start): both engines
/// agree each time, and the loops' sum and cycle count are the expected ones.
#[test]
fn unrolled_short_loops_exit_and_stop_anywhere() {
    let src = r#"
        .text
        .global _start
_start:
        li      s0, 0                   # sum over n of 1 + 2 + ... + n
        li      s1, 1                   # n
        li      s2, 41
        la      s3, word
outer:  li      a1, 0
1:      lw      t1, 0(s3)               # 1
        add     s0, s0, t1              # (a load-use stall in every copy)
        sub     s0, s0, t1
        addi    a1, a1, 1
        add     s0, s0, a1
        bne     a1, s1, 1b
        addi    s1, s1, 1
        bne     s1, s2, outer
        mv      a0, zero
        halt
        .data
word:   .word   1
"#;
    let run = run_src("unrolled", src);
    assert_eq!(run.exit, Exit::Halted(0));
    assert_eq!(run.m.cpu.regs[8], 40 * 41 * 42 / 6, "sum");
    let prog = common::assemble("unrolled", src);
    stopped_after_each_step_agree("unrolled (stopped)", &prog, 1..=300);
    // A breakpoint at the loop's start (the start of every copy): `continue` from it runs the
    // block cut after one copy, ending at the inverted back edge.
    let loop_start = common::symbol("outer", src) + 4;
    stops_at_breakpoint_agree(&prog, loop_start, 100);
}

/// A loop entered from code before it: its back edge is not the block's start, and the block
/// lays the loop out after the code before it (each back edge inverted, the loop's body
/// following), up to the block limit, where the last back edge (op 64 of the block with this
/// prefix) stays the original branch. The loop runs 100 times, so it leaves the first block at
/// its limit and at every copy of later ones: both engines agree on the result and the cycles,
/// stopped after every step count up to 300, and stopping at a breakpoint on the loop's head.
#[test]
fn loops_entered_from_outside_are_followed_and_stop_anywhere() {
    let src = r#"
        .text
        .global _start
_start:
        li      s0, 0
        li      s1, 0
        li      a1, 100
        mv      a2, zero
head:   addi    s1, s1, 1               # s0 = 1 + 2 + ... + 100
        add     s0, s0, s1
        addi    a1, a1, -1
        bnez    a1, head
        mv      a0, zero
        halt
"#;
    let run = run_src("entered", src);
    assert_eq!(run.exit, Exit::Halted(0));
    assert_eq!(run.m.cpu.regs[8], 5050, "sum");
    let prog = common::assemble("entered", src);
    stopped_after_each_step_agree("entered (stopped)", &prog, 1..=300);
    let head = common::symbol("head", src);
    stops_at_breakpoint_agree(&prog, head, 100);
}

/// A branch back onto a word that is not an instruction is taken as the interpreter takes it:
/// the fetch there faults (no vector table here: a triple fault stops both engines alike).
#[test]
fn a_branch_back_onto_data_faults_there() {
    let src = r#"
        .text
        .global _start
_start:
        li      a0, 1
        j       1f
bad:    .word   0xffffffff
1:      addi    a0, a0, 1
        bnez    a0, bad
        halt
"#;
    let run = run_src("onto data", src);
    assert!(matches!(run.exit, Exit::TripleFault(_)), "{:?}", run.exit);
    assert_eq!(run.m.cpu.regs[10], 2);
}

/// A branch to a `ret` (a leaf's early return): in a plain run the threaded engine runs the
/// `ret` with the branch. Both engines agree on the result and the cycles, stopped after every
/// step count up to 400 (the step limit falling between the branch and the `ret`), and
/// stopping at a breakpoint on the `ret`; a `ret` to a misaligned address is not run with the
/// branch (it faults at the fetch after it, as in the interpreter).
#[test]
fn branches_to_a_ret_return_at_once_and_stop_anywhere() {
    let src = r#"
        .text
        .global _start
_start:
        li      s0, 0
        li      s1, 50
loop:   mv      a0, s1
        call    leaf
        add     s0, s0, a0
        addi    s1, s1, -1
        bnez    s1, loop
        mv      a0, zero
        halt
leaf:   li      t0, 25
        blt     a0, t0, leaf_ret        # below 25: return at once
        addi    a0, a0, 100
leaf_ret:
        ret
"#;
    let run = run_src("leaf returns", src);
    assert_eq!(run.exit, Exit::Halted(0));
    assert_eq!(run.m.cpu.regs[8], 1275 + 26 * 100, "sum");
    let prog = common::assemble("leaf returns", src);
    stopped_after_each_step_agree("leaf returns (stopped)", &prog, 1..=400);
    let ret = common::symbol("leaf_ret", src);
    stops_at_breakpoint_agree(&prog, ret, 50);

    let misaligned = r#"
        .text
        .global _start
_start:
        la      ra, target
        addi    ra, ra, 2
        li      t0, 1
        blt     zero, t0, back
        halt
back:   ret
target: halt
"#;
    let run = run_src("misaligned ret", misaligned);
    assert!(matches!(run.exit, Exit::TripleFault(_)), "{:?}", run.exit);
    assert_eq!(
        run.m.cpu.pc & 3,
        2,
        "the fetch at the misaligned address faulted"
    );
}

/// Branches to a `ret` near device events and the step limit: the block's worst case and its
/// instruction count include the `ret` run with the branch. Timer interrupts at periods 10..90
/// land all over short leaves and one whose branch is its block's last (64th) op; both engines
/// take each at the same instruction and cycle. The same program stopped after every step
/// count from 500 to 800 (through the long leaf in the first round) agrees too.
#[test]
fn branches_to_a_ret_near_events_and_limits() {
    let src = format!(
        r#"
        .include "check.inc"
main:
        set_vec V_IRQ0, tick, D_P
        li      s0, PIC
        li      t0, 1
        sw      t0, PIC_ENABLE(s0)
        li      s1, TIMER
        li      s4, 10                  # the timer period, 10..90 cycles
        li      t0, ST_IE
        mtcr    status, t0
round:  sw      s4, TIMER_PERIOD(s1)
        li      t0, 1 + 4               # enable, interrupt: one-shot
        sw      t0, TIMER_CTRL(s1)      # arm (a device access: the block ends here)
        li      a0, 1
        call    leaf
        call    leaf
        la      t1, long_leaf
        jalr    ra, 0(t1)               # a block starts at long_leaf
        call    leaf
        addi    s4, s4, 1
        li      t0, 90
        bne     s4, t0, round
        pass

leaf:   li      t0, 25
        blt     a0, t0, 1f              # taken: return at once
        addi    a0, a0, 100
1:      ret

long_leaf:
{adds}
        li      t0, 25
        blt     a0, t0, 2f              # the block's 64th op
        addi    a0, a0, 100
2:      ret

# the interrupt handler: EOI and return (the host counts the deliveries)
tick:   mtcr    scratch0, t0
        li      t0, PIC
        sw      zero, PIC_EOI(t0)
        mfcr    t0, scratch0
        iret
"#,
        adds = "        addi    a1, a1, 1\n".repeat(62)
    );
    let run = run_src("ret_near_events", &src);
    assert_eq!(run.exit, Exit::Halted(0), "serial: {:?}", run.serial());
    let log = run.m.deliveries.as_ref().expect("delivery log");
    let taken = log.iter().filter(|d| d.vector == 32).count();
    assert!((40..=80).contains(&taken), "{taken} interrupts");
    // The first round's long leaf starts after about 600 steps (check.inc's start-up).
    let prog = common::assemble("ret_near_events", &src);
    stopped_after_each_step_agree("ret near limits", &prog, 500..=800);
}

/// Conditional breakpoints inside a chain of blocks: the threaded engine asks the debugger's
/// filter at a breakpoint without leaving the chain or the block, after giving the machine the
/// pc, cycle, retired and step counts of that boundary. Filters on each of them stop both
/// engines at the same boundary in the same state (a self-loop's start, inside an unrolled
/// loop's block, a followed `jal`'s target, a gate's target in another page).
#[test]
fn conditional_breakpoints_see_the_counters_of_their_boundary() {
    let src = r#"
        .include "check.inc"
        .equ    G_SAME, 5
main:
        set_gate G_SAME, same_ring, D_P + 3 * D_DPL
        li      s0, 0
        li      s1, 200
head:   addi    s0, s0, 3               # a self-loop's start
mid:    addi    s1, s1, -1              # inside the loop's (unrolled) block
        bnez    s1, head
        li      s1, 100
again:  jal     ra, leaf                # a same-page successor (the leaf's return)
        callg   G_SAME                  # and a gate's target
        addi    s1, s1, -1
        bnez    s1, again
        pass
leaf:   addi    s0, s0, 1
        ret
same_ring:
        addi    s0, s0, 5
        retg
"#;
    let prog = common::assemble("conditional", src);
    let points = [
        common::symbol("head", src),
        common::symbol("mid", src),
        common::symbol("leaf", src),
        common::symbol("same_ring", src),
    ];
    type Test = Box<dyn Fn(&emulator::Machine, u64) -> bool>;
    let tests: [(&str, Test); 5] = [
        (
            "pc",
            Box::new(move |m, k| {
                let s1 = m.cpu.regs[9];
                if k < 10 {
                    m.cpu.pc == points[1] && s1 == 190 - 10 * k as u32
                } else {
                    m.cpu.pc == points[2 + (k % 2) as usize] && s1 % 5 == (k % 5) as u32
                }
            }),
        ),
        ("cycles", Box::new(|m, k| m.cpu.cycles >= 1500 + 37 * k)),
        ("retired", Box::new(|m, k| m.cpu.retired >= 900 + 23 * k)),
        ("steps", Box::new(|m, k| m.steps % 11 == k % 11)),
        ("s0", Box::new(|m, k| m.cpu.regs[8] >= 400 + 5 * k as u32)),
    ];
    for (what, test) in &tests {
        let mut a = common::machine_with(&prog, common::TEST_RAM);
        let mut b = common::machine_with(&prog, common::TEST_RAM);
        let (mut interp, mut threaded) = (Interp::new(), Threaded::new());
        for k in 0..40u64 {
            let filter = |m: &emulator::Machine| test(m, k);
            let budget = |steps: u64| emulator::Budget {
                breakpoints: &points,
                resume_at: Some(steps),
                break_filter: Some(emulator::engine::BreakFilter(&filter)),
                ..emulator::Budget::UNLIMITED
            };
            let (sa, sb) = (a.steps, b.steps);
            let ea = interp.run(&mut a, budget(sa));
            let eb = threaded.run(&mut b, budget(sb));
            assert_eq!(ea, eb, "{what} {k}");
            common::assert_same_state(&a, &b, &format!("{what} {k}"));
            if ea != Exit::Stopped {
                assert!(k >= 20, "{what}: only {k} stops");
                break;
            }
            assert!(points.contains(&a.cpu.pc), "{what} {k}");
        }
    }
}

/// The threaded engine remembers where breakpoints cut each block, per breakpoint list: a
/// breakpoint added between runs (inside a block whose cut was remembered for the old list)
/// stops the next run there, as it does the interpreter, and one deleted no longer does.
#[test]
fn breakpoints_changed_between_runs_cut_blocks_anew() {
    let src = r#"
        .text
        .global _start
_start:
        li      a1, 0
loop:   addi    a1, a1, 1
        addi    a2, a1, 3
mid:    add     a3, a3, a2
        xor     a4, a3, a1
        bne     a1, zero, loop
"#;
    let prog = common::assemble("cuts", src);
    let (loop_at, mid) = (common::symbol("loop", src), common::symbol("mid", src));
    let mut a = common::machine_with(&prog, common::TEST_RAM);
    let mut b = common::machine_with(&prog, common::TEST_RAM);
    let (mut interp, mut threaded) = (Interp::new(), Threaded::new());
    let lists: [&[u32]; 4] = [&[loop_at], &[loop_at, mid], &[mid], &[loop_at]];
    for (round, list) in lists.iter().enumerate() {
        for stop in 0..3 {
            let budget = |steps: u64| emulator::Budget {
                breakpoints: list,
                resume_at: Some(steps),
                ..emulator::Budget::UNLIMITED
            };
            let (sa, sb) = (a.steps, b.steps);
            let ea = interp.run(&mut a, budget(sa));
            let eb = threaded.run(&mut b, budget(sb));
            let what = format!("list {round}, stop {stop}");
            assert_eq!(ea, eb, "{what}");
            common::assert_same_state(&a, &b, &what);
            assert_eq!(ea, Exit::Stopped, "{what}");
            assert!(
                list.contains(&a.cpu.pc),
                "{what}: stopped at {:#x}",
                a.cpu.pc
            );
        }
    }
}

/// A block whose first fetch and whose load both walk the page tables (the TLB was just
/// flushed), with a one-shot timer interrupt armed to land anywhere from before the block to
/// after it: both engines take every interrupt at the same boundary. A block's worst case
/// must count the data walk (a bound without it lets the threaded engine run the block whole
/// past the event).
#[test]
fn interrupts_near_a_block_that_walks_land_where_the_interpreter_takes_them() {
    let adds = |n| "        addi    a1, a1, 1\n".repeat(n);
    let src = format!(
        r#"
        .include "check.inc"
        .include "paging.inc"
main:
        paging_on
        set_vec V_IRQ0, tick, D_P
        li      s0, PIC
        li      t0, 1
        sw      t0, PIC_ENABLE(s0)
        li      s1, TIMER
        la      s3, word
        li      s4, 10                  # the timer period, 10..90 cycles
        li      t0, ST_IE + ST_PG
        mtcr    status, t0
round:  sw      s4, TIMER_PERIOD(s1)
        li      t0, 1 + 4               # enable, interrupt: one-shot
        sw      t0, TIMER_CTRL(s1)      # arm (a device access: the block ends here)
        tlbflush                        # the next block's fetch and its load both walk
{before}
        lw      t2, 0(s3)
{after}
        addi    s4, s4, 1
        li      t0, 90
        bne     s4, t0, round
        pass

# the interrupt handler: EOI and return (the host counts the deliveries)
tick:   mtcr    scratch0, t0
        li      t0, PIC
        sw      zero, PIC_EOI(t0)
        mfcr    t0, scratch0
        iret

        .data
        .balign 4096
word:   .word   1
"#,
        before = adds(16),
        after = adds(24)
    );
    let run = run_src("walk_near_event", &src);
    assert_eq!(run.exit, Exit::Halted(0), "serial: {:?}", run.serial());
    // (A round re-arms the one-shot timer; a long period's interrupt may be cancelled so.)
    let log = run.m.deliveries.as_ref().expect("delivery log");
    let taken = log.iter().filter(|d| d.vector == 32).count();
    assert!((40..=80).contains(&taken), "{taken} interrupts");
}

/// Runs `prog` on both engines with a step limit of each of `steps`, checking they agree.
fn stopped_after_each_step_agree(
    name: &str,
    prog: &assembler::Program,
    steps: std::ops::RangeInclusive<u64>,
) {
    for steps in steps {
        let budget = emulator::Budget {
            max_steps: steps,
            ..emulator::Budget::UNLIMITED
        };
        common::run_program_budget(name, prog, common::TEST_RAM, budget);
    }
}

/// Runs `prog` on both engines from breakpoint stop to breakpoint stop at `pc`, `stops` times
/// (each run resuming from the last stop): both stop there each time, in the same state.
fn stops_at_breakpoint_agree(prog: &assembler::Program, pc: u32, stops: u32) {
    let mut a = common::machine_with(prog, common::TEST_RAM);
    let mut b = common::machine_with(prog, common::TEST_RAM);
    let (mut interp, mut threaded) = (Interp::new(), Threaded::new());
    let breakpoints = [pc];
    let budget = |steps: u64| emulator::Budget {
        breakpoints: &breakpoints,
        resume_at: Some(steps),
        ..emulator::Budget::UNLIMITED
    };
    for stop in 0..stops {
        let (sa, sb) = (a.steps, b.steps);
        let ea = interp.run(&mut a, budget(sa));
        let eb = threaded.run(&mut b, budget(sb));
        assert_eq!(ea, eb, "stop {stop}");
        common::assert_same_state(&a, &b, &format!("breakpoint stop {stop}"));
        assert_eq!((ea, a.cpu.pc), (Exit::Stopped, pc), "stop {stop}");
    }
}

/// Code spread over more blocks than the threaded engine's cache holds: the cache starts over
/// (its memory stays bounded) and both engines still agree. Then code rewritten on every pass:
/// after a few rewrites its page runs untranslated, in the same state as the interpreter's.
#[test]
fn the_block_cache_is_bounded_and_rewritten_code_stays_exact() {
    use emulator::engine::threaded::cache::{MAX_BLOCKS, REWRITES_TO_STOP_TRANSLATING};
    let n = MAX_BLOCKS + MAX_BLOCKS / 4;
    // Each snippet is its own block: an indirect jump ends it, to the next snippet.
    let src = format!(
        "_start: la t0, snippets\n li a0, 0\n jalr zero, 0(t0)\n\
         snippets:\n .rept {n}\n addi t0, t0, 12\n addi a0, a0, 1\n jalr zero, 0(t0)\n .endr\n\
         li t1, {n}\n sub a0, a0, t1\n halt\n"
    );
    let prog = common::assemble("many_blocks.s", &src);
    let budget = Budget {
        max_cycles: common::TEST_CYCLES,
        ..Budget::UNLIMITED
    };
    let mut a = common::machine_with(&prog, common::TEST_RAM);
    let mut b = common::machine_with(&prog, common::TEST_RAM);
    let ea = Interp::new().run(&mut a, budget);
    let mut t = Threaded::new();
    let eb = t.run(&mut b, budget);
    assert_eq!(ea, Exit::Halted(0));
    assert_eq!(ea, eb);
    common::assert_same_state(&a, &b, "many blocks");
    assert!(t.cache.full_flushes >= 1, "the cache started over");
    assert!(t.cache.blocks.len() <= MAX_BLOCKS);

    // A loop that patches an instruction it then runs, many more times than the threshold.
    let passes = 4 * REWRITES_TO_STOP_TRANSLATING;
    let src = format!(
        "_start: la s0, patch\n lw s1, 0(s0)\n li s2, 0\n li a0, 0\n\
         1: addi s2, s2, 1\n sw s1, 0(s0)\n\
         patch: addi a0, a0, 1\n li t0, {passes}\n bltu s2, t0, 1b\n halt\n"
    );
    let prog = common::assemble("rewrite.s", &src);
    let mut a = common::machine_with(&prog, common::TEST_RAM);
    let mut b = common::machine_with(&prog, common::TEST_RAM);
    let ea = Interp::new().run(&mut a, budget);
    let mut t = Threaded::new();
    let eb = t.run(&mut b, budget);
    assert_eq!(ea, Exit::Halted(passes));
    assert_eq!(ea, eb);
    common::assert_same_state(&a, &b, "rewritten code");
    assert!(
        t.cache.translations < 2 * REWRITES_TO_STOP_TRANSLATING as u64,
        "{} translations for {passes} rewrites: the page should run untranslated",
        t.cache.translations
    );
}

/// A `wfi` wait cut into many runs (as the debugger cuts a run into slices) is the same wait
/// as one run through: the guest sees no early return, and every cycle count and interrupt
/// point is the same, on both engines (SPEC.md §5.14).
#[test]
fn a_wfi_wait_cut_into_runs_is_the_same_wait() {
    let path = common::test_path("guest/dev_timer.s");
    let prog = common::assemble("dev_timer.s", &std::fs::read_to_string(path).unwrap());
    let whole = common::run_guest("dev_timer.s");
    assert_eq!(whole.exit, Exit::Halted(0));
    for threaded in [false, true] {
        let mut m = common::machine_with(&prog, common::TEST_RAM);
        let mut interp = Interp::new();
        let mut thr = Threaded::new();
        let mut limit = 0;
        let exit = loop {
            limit += 777; // not a multiple of the timer's period
            let budget = Budget {
                max_cycles: limit,
                ..Budget::UNLIMITED
            };
            let e = if threaded {
                thr.run(&mut m, budget)
            } else {
                interp.run(&mut m, budget)
            };
            if e != Exit::CycleLimit {
                break e;
            }
        };
        assert_eq!(exit, Exit::Halted(0), "threaded: {threaded}");
        common::assert_same_state(&whole.m, &m, "one run / many runs");
    }
}

/// A program whose hot loops are in one page, with a gate and a call into a second page, and
/// a third page that never runs (with paging on or off).
fn pages_src(paging: bool) -> String {
    let (include, on) = if paging {
        (".include \"paging.inc\"", "paging_on")
    } else {
        ("", "")
    };
    format!(
        r#"
        .include "check.inc"
        {include}
        .equ    G_FAR, 5
main:
        {on}
        set_gate G_FAR, far_gate, D_P + 3 * D_DPL
        li      s0, 0
        li      s1, 300
loop:   addi    s0, s0, 1               # a self-loop, in this page
        addi    s1, s1, -1
        bnez    s1, loop
        j       1f
skipped:
        addi    s0, s0, 1000            # in this page, never run
1:      li      s2, 40
round:  callg   G_FAR                   # a gate into the far page
        li      s1, 20
again:  addi    s0, s0, 2
        addi    s1, s1, -1
        bnez    s1, again
        la      t0, far_call
        jalr    ra, 0(t0)               # a call into the far page
        addi    s2, s2, -1
        bnez    s2, round
        pass

        .balign 4096
far_gate:
        addi    s0, s0, 5
        retg
far_call:
        addi    s0, s0, 7
far_mid:
        addi    s0, s0, 1
        ret

        .balign 4096
unreached:
        addi    s0, s0, 100
        ret
"#
    )
}

/// Runs `prog` on both engines with `breakpoints`, from stop to stop (each run resuming from
/// the last stop), until it halts: both agree at every stop. Returns the pcs stopped at and
/// the threaded engine's count of chains started in a page with a breakpoint.
fn run_between_breakpoints(prog: &assembler::Program, breakpoints: &[u32]) -> (Vec<u32>, u64) {
    let mut a = common::machine_with(prog, common::TEST_RAM);
    let mut b = common::machine_with(prog, common::TEST_RAM);
    let (mut interp, mut threaded) = (Interp::new(), Threaded::new());
    let mut stops = Vec::new();
    loop {
        let budget = |steps: u64| emulator::Budget {
            max_cycles: common::TEST_CYCLES,
            breakpoints,
            resume_at: Some(steps),
            ..emulator::Budget::UNLIMITED
        };
        let (sa, sb) = (a.steps, b.steps);
        let ea = interp.run(&mut a, budget(sa));
        let eb = threaded.run(&mut b, budget(sb));
        let what = format!("stop {}", stops.len());
        assert_eq!(ea, eb, "{what}");
        common::assert_same_state(&a, &b, &what);
        if ea != Exit::Stopped {
            assert_eq!(ea, Exit::Halted(0), "{what}");
            return (stops, threaded.cache.breakpoints.chains_in_break_pages);
        }
        stops.push(a.cpu.pc);
    }
}

/// Chains in a page without breakpoints run on the plain copy of the chain loop (which looks
/// at none): a breakpoint in another page is still hit exactly where the interpreter stops,
/// whether it is reached through a gate (the plain chain must not go on into its page) or a
/// call, and every time. A breakpoint in a page that never runs sends no chain to the
/// debugging copy; one in the running page (at code skipped over) does.
#[test]
fn breakpoints_in_other_pages_stop_exactly_and_cost_plain_chains_nothing() {
    for paging in [false, true] {
        let src = pages_src(paging);
        let prog = common::assemble("pages", &src);
        let sym = |name| common::symbol(name, &src);
        let (far_gate, far_mid) = (sym("far_gate"), sym("far_mid"));
        assert_ne!(far_gate >> 12, sym("loop") >> 12, "the far page is another");
        let (stops, _) = run_between_breakpoints(&prog, &[far_gate, far_mid]);
        let expected: Vec<u32> = (0..40).flat_map(|_| [far_gate, far_mid]).collect();
        assert_eq!(stops, expected, "paging {paging}");
        let (stops, in_break_pages) = run_between_breakpoints(&prog, &[sym("unreached")]);
        assert_eq!((stops.len(), in_break_pages), (0, 0), "paging {paging}");
        let (stops, in_break_pages) = run_between_breakpoints(&prog, &[sym("skipped")]);
        assert!(stops.is_empty() && in_break_pages > 0, "paging {paging}");
    }
}
