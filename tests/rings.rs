//! Rings (SPEC.md §7, §5.16): sensitive instructions outside ring 0, I/O privilege, and the
//! control registers.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::pass_guest;

#[test]
fn sensitive_instructions_fault_in_rings_1_to_3() {
    let run = pass_guest("privilege.s");
    // Every PRIVILEGE in the log came from ring 1, 2 or 3 and pointed at the instruction.
    let log = run.m.deliveries.as_ref().unwrap();
    let privs: Vec<_> = log.iter().filter(|d| d.vector == 2).collect();
    assert_eq!(privs.len(), 27, "9 attempts in each of rings 1, 2 and 3");
    let io = log.iter().filter(|d| d.vector == 9).count();
    assert_eq!(io, 8, "IO_PRIVILEGE deliveries");
    // The mtcr attempts changed nothing, and the final iopl is what ring 0 set.
    assert_eq!(run.m.cpu.crs[isa_spec::cr::num::IOPL as usize], 3);
    assert_eq!(
        run.m.dev.pic.priority[3], 9,
        "ring 1 with iopl 1 wrote PRIORITY[3]"
    );
}

#[test]
fn control_registers() {
    let run = pass_guest("crs.s");
    assert_eq!(
        run.m.cpu.crs[isa_spec::cr::num::SCRATCH3 as usize],
        0xDEAD_BEEF
    );
}
