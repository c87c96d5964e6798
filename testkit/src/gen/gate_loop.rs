//! Generated gate loops: a body whose loop calls a gate on every pass, hot enough for the JIT
//! tier to compile it as a trace (blocks too short to compile alone, run together through the
//! gate and back), with random work around the gate that may send the gate elsewhere (a store
//! into the gate table, the page tables or the code, a `tlbflush`, a trap), and a timer.

use super::layout::NGATES;
use super::{body_reg, program, step, GateSpec, Program, ProgramConfig, Step};
use isa_spec::Opcode;
use proptest::prelude::*;

/// The loop's counter: `gp`, which no generated step writes.
const COUNTER: u8 = 3;

/// Work before or after the gate: mostly ALU (the trace's blocks stay short and run on),
/// sometimes any step.
fn work(wfi: bool) -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (body_reg(), body_reg(), -64i32..64)
            .prop_map(|(d, a, i)| Step::AluImm(Opcode::Addi, d, a, i)),
        2 => (body_reg(), body_reg(), body_reg())
            .prop_map(|(d, a, b)| Step::Alu(Opcode::Xor, d, a, b)),
        2 => step(wfi).boxed(),
    ]
}

/// A random program whose body is a gate loop: `li gp, N`, then `before`, `callg n` (with two
/// parameter words pushed), `after`, `addi gp, gp, -1`, `bnez gp` back to `before`; then
/// random steps. The gate is usually one the body's ring may call without parameters (the
/// case traces run in host code); otherwise as generated (declined: the threaded engine).
pub fn gate_loop(cfg: ProgramConfig) -> impl Strategy<Value = Program> {
    let parts = (
        2u32..300,
        1u16..NGATES as u16,
        prop::bool::weighted(0.8),
        prop::collection::vec(work(cfg.wfi), 0..3),
        prop::collection::vec(work(cfg.wfi), 0..3),
        (body_reg(), body_reg()),
        prop::collection::vec(step(cfg.wfi), 0..6),
    );
    (program(cfg), parts).prop_map(|(mut p, (passes, n, usual, before, after, (a, b), tail))| {
        if usual {
            let ring = p.ring as u32;
            p.gates[n as usize - 1] = GateSpec {
                present: true,
                target: p.gates[n as usize - 1].target.min(ring),
                dpl: 3,
                params: 0,
                misaligned: false,
            };
        }
        let mut body = vec![Step::Li(COUNTER, passes)];
        body.extend(before);
        body.push(Step::Callg(n, a, b));
        body.extend(after);
        body.push(Step::AluImm(Opcode::Addi, COUNTER, COUNTER, -1));
        body.push(Step::Branch(Opcode::Bne, COUNTER, 0, 1));
        body.extend(tail);
        p.body = body;
        p
    })
}
