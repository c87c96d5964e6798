//! Call gates (SPEC.md §8): the full gate table, frame layout and parameter copying, the
//! refusals with their rule codes, `retg`, and `trap`'s checks.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::pass_guest;

#[test]
fn callg_gate_table_every_row() {
    let run = pass_guest("gate_table.s");
    let m = &run.m;
    // 20 allowed rows out of 64 (caller 0: 4, caller 1: 6, caller 2: 6, caller 3: 4); each
    // allowed call enters through gate 4 exactly once.
    assert_eq!(m.stats.gate_calls.get(&4), Some(&20));
    // The refused rows raised GATE_FAULT (vector 6): 64 - 20 = 44.
    assert_eq!(m.stats.deliveries[6], 44);
    // Probes in rings 1-3 raised PRIVILEGE: allowed rows with a target ring > 0.
    // (rows: caller 1: 1 target-1 row x 3 DPLs; caller 2: targets 1,2 x 2 DPLs; caller 3:
    // targets 1,2,3) = 3 + 4 + 3 = 10.
    assert_eq!(m.stats.deliveries[2], 10);
}

#[test]
fn trap_follows_the_gate_table() {
    let run = pass_guest("trap_table.s");
    let m = &run.m;
    // 20 traps delivered through vector 50, 44 refused with GATE_FAULT, 10 PRIVILEGE probes.
    assert_eq!(m.stats.deliveries[50], 20);
    assert_eq!(m.stats.deliveries[6], 44);
    assert_eq!(m.stats.deliveries[2], 10);
}

#[test]
fn gate_refusals_parameters_frames_retg_and_trap() {
    let run = pass_guest("gate_rules.s");
    // The brk through a not-present vector 8 became a double fault.
    assert_eq!(run.m.stats.double_faults, 1);
    assert_eq!(run.m.stats.deliveries[10], 1, "one double fault delivered");
    // The cause register after the last exception (the BUS_ERROR of the unreadable trap
    // descriptor) is vector 4.
    assert_eq!(run.m.cpu.crs[isa_spec::cr::num::CAUSE as usize], 4);
}

#[test]
fn gate_frames_across_pages_and_over_translated_code() {
    // Both engines run it and must agree: the frame writes go through one shared path that
    // must drop translated code in the pages it writes (the threaded engine reruns a block it
    // translated before the write).
    let run = pass_guest("gate_fast.s");
    assert_eq!(run.m.stats.gate_calls.get(&5), Some(&2));
    assert_eq!(
        run.m.stats.deliveries[1], 1,
        "one ILLEGAL: the overwritten instruction"
    );
}

#[test]
fn gates_whose_fetch_walked_cost_what_they_cost_the_interpreter() {
    // Both engines run it and must agree on cycles, the TLB counters and the last ring
    // transition (the final callg's, whose fetch walked).
    let run = pass_guest("gate_walk.s");
    assert_eq!(run.m.stats.gate_calls.get(&4), Some(&20));
    assert_eq!(run.m.stats.deliveries[6], 20, "one GATE_FAULT per round");
    let t = run.m.last_transition.expect("a ring transition");
    assert_eq!((t.from, t.to), (3, 0));
}

#[test]
fn gate_successors_follow_rewritten_remapped_and_redirected_services() {
    // Every engine runs it and they must agree: the threaded engine's remembered successor
    // of a gate must give way to the block the lookup finds after each change.
    let run = pass_guest("gate_links.s");
    assert_eq!(run.m.stats.gate_calls.get(&4), Some(&240));
    assert_eq!(run.m.cpu.regs[10], 0, "pass");
}

#[test]
fn remembered_gate_checks_follow_a_rewritten_descriptor_and_a_moved_stack() {
    // Every engine runs it and they must agree (the JIT's traces remember a gate's checks and
    // its frame's TLB hit between calls): the descriptor rewritten and the frame's stack moved
    // on every pass of a hot loop, the TLB untouched; the frame's page remapped under it.
    let run = pass_guest("gate_memo.s");
    assert_eq!(run.m.stats.gate_calls.get(&4), Some(&119));
    assert_eq!(run.m.cpu.regs[10], 0, "pass");
}
