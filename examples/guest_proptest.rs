//! Property-testing a guest routine against a Rust model: an insertion sort written in RF32
//! assembly is run on random arrays, and its result compared with `slice::sort`. On a failure
//! proptest shrinks the input to the smallest array that still fails and prints it.
//!
//! ```text
//! cargo run --release --example guest_proptest            # the routine is right: passes
//! cargo run --release --example guest_proptest -- --buggy  # an off-by-one: shrinks and reports
//! ```
//!
//! The machine comes from the embedding API (`Machine::builder().source(..).build_vm()`);
//! each case writes the array into guest memory, sets the argument registers, runs to `halt`
//! and reads the array back. A seed to rerun a failure is printed by proptest
//! (`PROPTEST_RNG_SEED` reruns the same sequence).

use emulator::{Machine, StopReason};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

/// The routine under test: sort(a0 = words, a1 = count), ascending, signed; then `halt`.
/// `{BOUND}` is the inner loop's stop condition, which the buggy variant gets wrong.
const SORT: &str = r#"
        .text
        .global _start
# _start: the host sets a0 (array) and a1 (count) and starts here.
_start: call    sort
        halt
# sort(a0 = array of words, a1 = count): insertion sort, ascending (signed).
sort:   li      t0, 1                   # i
1:      bge     t0, a1, 4f
        slli    t1, t0, 2
        add     t1, t1, a0
        lw      t2, 0(t1)               # key = a[i]
        mv      t3, t0                  # j = i
2:      {BOUND}                         # stop at the front
        lw      t4, -4(t1)              # a[j-1]
        bge     t2, t4, 3f              # the key's place
        sw      t4, 0(t1)               # shift a[j-1] up
        addi    t1, t1, -4
        addi    t3, t3, -1
        j       2b
3:      sw      t2, 0(t1)
        addi    t0, t0, 1
        j       1b
4:      ret
        .data
        .balign 4
array:  .space  4096
"#;

fn main() {
    let buggy = std::env::args().any(|a| a == "--buggy");
    match check(buggy) {
        Ok(()) => println!("guest sort agrees with slice::sort on 200 random arrays"),
        Err(e) => {
            println!("guest sort is wrong; smallest failing case after shrinking:\n{e}");
            std::process::exit(if buggy { 0 } else { 1 });
        }
    }
}

/// Checks the routine (the right one, or the one with the off-by-one) on 200 random arrays.
fn check(buggy: bool) -> Result<(), TestError<Vec<i32>>> {
    // Right: stop when j reaches 0. Buggy: stop when j reaches 1 (a[0] is never compared).
    let bound = if buggy {
        "li t5, 1\n        beq t3, t5, 3f"
    } else {
        "beqz t3, 3f"
    };
    let src = SORT.replace("{BOUND}", bound);
    let mut runner = TestRunner::new(Config {
        cases: 200,
        failure_persistence: None,
        ..Config::default()
    });
    runner.run(&prop::collection::vec(any::<i32>(), 0..64), |input| {
        let sorted = run_guest_sort(&src, &input)?;
        let mut want = input.clone();
        want.sort();
        prop_assert_eq!(sorted, want, "sorting {:?}", input);
        Ok(())
    })
}

/// Runs the guest's sort on `input` in a fresh machine and returns the array it leaves.
fn run_guest_sort(src: &str, input: &[i32]) -> Result<Vec<i32>, TestCaseError> {
    let mut vm = Machine::builder()
        .source("sort.s", src)
        .memory(Some(1 << 20))
        .build_vm()
        .map_err(|e| TestCaseError::fail(format!("cannot build the machine: {e}")))?;
    let array = vm.symbol("array").expect("the program defines `array`");
    let bytes: Vec<u8> = input.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert!(
        vm.write_mem(array, &bytes),
        "the array fits in guest memory"
    );
    vm.set_reg(10, array); // a0
    vm.set_reg(11, input.len() as u32); // a1
    let out = vm.run(10_000_000);
    prop_assert_eq!(out.reason, StopReason::Halted, "the routine did not halt");
    let back = vm
        .read_mem(array, bytes.len())
        .expect("the array is readable");
    Ok(back
        .chunks_exact(4)
        .map(|w| i32::from_le_bytes(w.try_into().unwrap()))
        .collect())
}

#[test]
fn the_right_routine_passes() {
    check(false).expect("the insertion sort is right");
}

#[test]
fn the_off_by_one_is_found_and_shrunk_to_two_elements() {
    match check(true) {
        Err(TestError::Fail(_, input)) => assert_eq!(input.len(), 2, "shrunk to {input:?}"),
        other => panic!("the buggy sort was not caught: {other:?}"),
    }
}
