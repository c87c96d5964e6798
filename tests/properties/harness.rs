//! Single-instruction machines for the semantics properties: a vector table whose vector `v`
//! enters ring 0 at `HANDLER + 4v`, ring stacks, one instruction word at a chosen pc (RAM or
//! boot ROM), registers and ring as the case says. [`step_both`] executes exactly one step on
//! each engine; [`Expect`] is what the independent model predicts, and [`check`] compares.

use emulator::machine::Delivery;
use emulator::{Budget, Config, Machine};
use isa_spec::cr::{gate, num, status};
use isa_spec::regs::SP;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// RAM of single-instruction machines.
pub const RAM: u32 = 1 << 20;
/// Vector table.
pub const VBASE: u32 = 0x100;
/// Vector `v` enters at `HANDLER + 4v`.
pub const HANDLER: u32 = 0x400;
/// Ring-entry stacks (tops).
pub const SP0: u32 = 0x3000;
/// Ring-1 entry stack.
pub const SP1: u32 = 0x4000;
/// Ring-2 entry stack.
pub const SP2: u32 = 0x5000;
/// Instructions go at or above this RAM address (or in ROM).
pub const CODE_LO: u32 = 0x8_0000;

/// One single-instruction case.
#[derive(Clone, Debug)]
pub struct Case {
    /// The instruction word.
    pub word: u32,
    /// Where it is (RAM at or above [`CODE_LO`], or ROM).
    pub pc: u32,
    /// Registers (r0 is forced to 0).
    pub regs: [u32; 32],
    /// Ring (status bits 1:0).
    pub ring: u8,
}

/// An aligned pc in the code area of RAM or anywhere in the boot ROM.
pub fn pc() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => (CODE_LO / 4..RAM / 4).prop_map(|w| w * 4),
        1 => (0xFFF0_0000u32 / 4..=u32::MAX / 4).prop_map(|w| w * 4),
    ]
}

/// 32 register values (edge-biased).
pub fn regs() -> impl Strategy<Value = [u32; 32]> {
    prop::collection::vec(testkit::gen::word(), 32).prop_map(|v| {
        let mut r = [0u32; 32];
        r.copy_from_slice(&v);
        r[0] = 0;
        r
    })
}

/// Builds the machine for `case`.
pub fn machine(case: &Case) -> Machine {
    let mut m = Machine::new(Config {
        ram_size: RAM,
        ..Config::default()
    });
    m.deliveries = Some(Vec::new());
    for v in 0..64u32 {
        let d = VBASE + 8 * v;
        m.poke_phys(d, &(HANDLER + 4 * v).to_le_bytes());
        m.poke_phys(d + 4, &gate::flags(true, 0, 3, 0).to_le_bytes());
    }
    m.cpu.crs[num::VBASE as usize] = VBASE;
    m.cpu.crs[num::SP0 as usize] = SP0;
    m.cpu.crs[num::SP1 as usize] = SP1;
    m.cpu.crs[num::SP2 as usize] = SP2;
    place(&mut m, case.pc, &case.word.to_le_bytes());
    m.cpu.regs = case.regs;
    m.cpu.regs[0] = 0;
    m.cpu.crs[num::STATUS as usize] = case.ring as u32 & 3;
    m.cpu.pc = case.pc;
    m
}

/// Writes bytes at a physical address in RAM or ROM.
pub fn place(m: &mut Machine, pa: u32, bytes: &[u8]) {
    if !m.poke_phys(pa, bytes) {
        m.load_segment(pa, bytes).expect("ROM address");
    }
}

/// Runs one step of `m` on each engine; returns (interp, threaded).
pub fn step_both(m: &Machine) -> [(Machine, &'static str); 2] {
    let mut a = m.clone();
    let mut b = m.clone();
    let budget = Budget::steps(m, 1);
    testkit::run_both(&mut a, &mut b, budget);
    [(a, "interp"), (b, "threaded")]
}

/// What the model predicts for one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The instruction retires: the registers, pc and cycle cost after it.
    Retire {
        /// All 32 registers after.
        regs: [u32; 32],
        /// pc after.
        pc: u32,
        /// Cycles the instruction costs.
        cycles: u64,
    },
    /// An exception is delivered through the vector table.
    Fault {
        /// Vector.
        vector: u8,
        /// `cause` word.
        cause: u32,
        /// `faddr`.
        faddr: u32,
        /// pc saved in the frame.
        frame_pc: u32,
        /// Cycles charged in total (the entry cost, plus the base cost of a trap or brk).
        cycles: u64,
        /// Ring the handler runs in.
        target: u8,
    },
}

impl Expect {
    /// A fault delivered to a ring-0 handler, costing only the entry.
    pub fn fault(vector: u8, detail: u8, faddr: u32, frame_pc: u32) -> Expect {
        Expect::Fault {
            vector,
            cause: isa_spec::cr::cause(vector, detail),
            faddr,
            frame_pc,
            cycles: isa_spec::cost::EXCEPTION_ENTRY as u64,
            target: 0,
        }
    }
}

/// Reads a little-endian word of RAM.
pub fn ram_word(m: &Machine, pa: u32) -> u32 {
    m.ram().word(pa as usize)
}

/// Checks one engine's result `after` (from `before`) against `exp`.
pub fn check(
    before: &Machine,
    after: &Machine,
    exp: &Expect,
    engine: &str,
) -> Result<(), TestCaseError> {
    let log = after.deliveries.as_deref().unwrap_or(&[]);
    match exp {
        Expect::Retire { regs, pc, cycles } => {
            prop_assert!(
                log.is_empty(),
                "{engine}: expected retirement, got deliveries {log:?}"
            );
            prop_assert_eq!(&after.cpu.regs, regs, "{}: registers", engine);
            prop_assert_eq!(after.cpu.pc, *pc, "{}: pc", engine);
            prop_assert_eq!(
                after.cpu.cycles - before.cpu.cycles,
                *cycles,
                "{}: cycles",
                engine
            );
            prop_assert_eq!(
                after.cpu.retired,
                before.cpu.retired + 1,
                "{}: retired",
                engine
            );
        }
        Expect::Fault {
            vector,
            cause,
            faddr,
            frame_pc,
            cycles,
            target,
        } => {
            prop_assert_eq!(
                log.iter()
                    .map(|d| (d.vector, d.cause, d.pc))
                    .collect::<Vec<_>>(),
                vec![(*vector, *cause, *frame_pc)],
                "{}: delivery log",
                engine
            );
            let _: Option<&Delivery> = log.first();
            let cpl = before.cpu.ring();
            let old_sp = before.cpu.regs[SP as usize];
            let new_sp = if *target < cpl {
                before.cpu.ring_stack(*target)
            } else {
                old_sp
            };
            let f = new_sp.wrapping_sub(20);
            prop_assert_eq!(
                after.cpu.pc,
                HANDLER + 4 * *vector as u32,
                "{}: handler pc",
                engine
            );
            prop_assert_eq!(after.cpu.ring(), *target, "{}: handler ring", engine);
            prop_assert_eq!(after.cpu.status() & status::IE, 0, "{}: IE cleared", engine);
            prop_assert_eq!(
                after.cpu.crs[num::CAUSE as usize],
                *cause,
                "{}: cause",
                engine
            );
            prop_assert_eq!(
                after.cpu.crs[num::FADDR as usize],
                *faddr,
                "{}: faddr",
                engine
            );
            prop_assert_eq!(after.cpu.regs[SP as usize], f, "{}: handler sp", engine);
            let frame: Vec<u32> = (0..5).map(|i| ram_word(after, f + 4 * i)).collect();
            prop_assert_eq!(
                frame,
                vec![*frame_pc, before.cpu.status(), *cause, *faddr, old_sp],
                "{}: exception frame",
                engine
            );
            let mut regs = before.cpu.regs;
            regs[SP as usize] = f;
            prop_assert_eq!(&after.cpu.regs, &regs, "{}: registers", engine);
            prop_assert_eq!(
                after.cpu.cycles - before.cpu.cycles,
                *cycles,
                "{}: cycles",
                engine
            );
        }
    }
    Ok(())
}

/// Runs `case` (after `setup` adjusts the machine) on both engines and checks each against
/// the expectation `model` computes from the machine before the step. Returns both results.
pub fn run_case(
    case: &Case,
    setup: impl FnOnce(&mut Machine),
    model: impl FnOnce(&Machine) -> Expect,
) -> Result<[Machine; 2], TestCaseError> {
    let mut m = machine(case);
    setup(&mut m);
    let exp = model(&m);
    let [(a, na), (b, nb)] = step_both(&m);
    check(&m, &a, &exp, na)?;
    check(&m, &b, &exp, nb)?;
    Ok([a, b])
}
