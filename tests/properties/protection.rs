//! Property group 4: protection invariants.
//!
//! Random programs start in ring 1, 2 or 3 (random gate table, random trap vectors, random
//! page permissions and ring fields, paging usually on, sometimes a timer). The reference
//! interpreter single-steps them (`Budget::steps(m, 1)`), and every step that starts outside
//! ring 0 is checked here, independently of the emulator's own checks (our own page walk over
//! RAM and the TLB contents, our own reading of the descriptor tables, our own decoding of the
//! instruction at pc). Such a step never:
//!
//! * leaves its ring except through a gate (`callg` whose descriptor allows the call, entering
//!   exactly its ring and entry) or a vector (entering the descriptor's ring, never outward),
//!   or outward through `retg` — so `retg` never returns inward;
//! * changes a control register other than by exception delivery (cause, faddr, status with
//!   IE cleared and PG kept), or IE/PG at all;
//! * writes memory that its ring may not write: every recorded write (`m.trace_writes`) and
//!   every changed RAM byte is a permitted store, a page-table A/D update, or a frame pushed by
//!   a gate call or exception into the target ring's writable stack;
//! * executes a sensitive instruction without raising PRIVILEGE;
//! * touches a device (register or framebuffer) when its ring is above `iopl`.
//!
//! `PROPTEST_CASES=100000 cargo test --release --test properties protection` runs the big run.

use crate::config;
use emulator::engine::interp::Interp;
use emulator::{Budget, Engine, Machine, Ram};
use isa_spec::cr::{gate, memmap, num, pte, status, vector};
use isa_spec::regs::SP;
use isa_spec::{decode, Insn, Kind, Opcode};
use proptest::prelude::*;
use testkit::gen::{layout, machine_for, program, Program, ProgramConfig};

/// Steps checked per program (after the ring-0 prologue).
const STEPS: usize = 300;

/// The leaf PTE that decides an access to `va`, as the architecture defines it: the TLB entry
/// for the page if it holds one (stale or not), else our own two-level walk over RAM.
/// `fresh` forces the walk (a write through a clean entry re-walks).
fn pte_for(m: &Machine, va: u32, fresh: bool, pc: Option<u32>) -> Option<u32> {
    // The instruction's own fetch may have evicted the entry (direct-mapped TLB, 64 slots).
    let evicted =
        pc.is_some_and(|pc| (pc >> 12) != (va >> 12) && (pc >> 12) % 64 == (va >> 12) % 64);
    if !fresh && !evicted {
        if let Some(bits) = m.tlb.lookup(va >> 12) {
            return Some(bits);
        }
    }
    walk(m, va)
}

/// Our own page walk (no TLB, no side effects): the leaf entry if directory and table entry
/// are present.
fn walk(m: &Machine, va: u32) -> Option<u32> {
    let word =
        |pa: u32| -> Option<u32> { pa.is_multiple_of(4).then(|| m.ram().get(pa, 4)).flatten() };
    let dir = m.cpu.crs[num::PTBASE as usize] & pte::FRAME_MASK;
    let pde = word(dir + 4 * (va >> 22))?;
    if pde & pte::P == 0 {
        return None;
    }
    let leaf = word((pde & pte::FRAME_MASK) + 4 * ((va >> 12) & 0x3ff))?;
    (leaf & pte::P != 0).then_some(leaf)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Read,
    Write,
    Exec,
}

/// Physical address of an access by `ring`, if the rules allow it (paging off: identity).
/// `pc`: the access is a data access of the instruction fetched from there.
fn allowed(m: &Machine, va: u32, ring: u8, need: Need, pc: Option<u32>) -> Option<u32> {
    if m.cpu.status() & status::PG == 0 {
        return Some(va);
    }
    let check = |bits: u32| {
        let perm = match need {
            Need::Read => pte::R,
            Need::Write => pte::W,
            Need::Exec => pte::X,
        };
        ring as u32 <= (bits >> pte::RING_SHIFT) & 3 && bits & perm != 0
    };
    let bits = pte_for(m, va, false, pc)?;
    if !check(bits) {
        return None;
    }
    let bits = if need == Need::Write && bits & pte::D == 0 {
        let b = walk(m, va)?;
        if !check(b) {
            return None;
        }
        b
    } else {
        bits
    };
    Some((bits & pte::FRAME_MASK) | (va & 0xfff))
}

fn is_device(pa: u32) -> bool {
    (memmap::MMIO_BASE..memmap::MMIO_END).contains(&pa)
        || (memmap::FB_BASE..memmap::FB_BASE + memmap::FB_SIZE).contains(&pa)
}

/// A descriptor as the tables hold it: (entry, present, target, dpl).
fn descriptor(m: &Machine, addr: u32) -> Option<(u32, bool, u32, u32)> {
    let e = m.peek_phys(addr, 4)?;
    let f = m.peek_phys(addr.wrapping_add(4), 4)?;
    addr.is_multiple_of(4).then_some((
        e,
        f & gate::PRESENT != 0,
        (f >> gate::TARGET_SHIFT) & 3,
        (f >> gate::DPL_SHIFT) & 3,
    ))
}

/// What the step is about to execute, decoded by us (None if the fetch itself is refused).
fn predict(m: &Machine) -> Option<Insn> {
    let pc = m.cpu.pc;
    if !pc.is_multiple_of(4) {
        return None;
    }
    let pa = allowed(m, pc, m.cpu.ring(), Need::Exec, None)?;
    if !(pa < m.ram().len() as u32 || pa >= memmap::ROM_BASE) {
        return None;
    }
    decode(m.peek_phys(pa, 4)?).ok()
}

/// Checks one step that started in ring `r` >= 1. `b` is the machine before, `a` after.
fn check_step(b: &Machine, a: &Machine, shadow: &Ram) -> Result<(), String> {
    let r = b.cpu.ring();
    let r2 = a.cpu.ring();
    let pc = b.cpu.pc;
    let insn = predict(b);
    let old_log = b.deliveries.as_deref().map_or(0, |l| l.len());
    let new: Vec<_> = a.deliveries.as_deref().unwrap_or(&[])[old_log..].to_vec();
    let retired = a.cpu.retired > b.cpu.retired;
    let interrupted = !retired && new.first().is_some_and(|d| (32..48).contains(&d.vector));
    let ctx = || format!("step at pc {pc:#x} in ring {r} ({insn:?}), deliveries {new:?}");
    let iopl = b.cpu.crs[num::IOPL as usize] & 3;
    if a.cpu.retired < b.cpu.retired {
        // POWER.RESET: a device write, so only with I/O privilege.
        return if r as u32 <= iopl {
            Ok(())
        } else {
            Err(format!(
                "machine reset from ring {r} > iopl {iopl}; {}",
                ctx()
            ))
        };
    }

    // Control registers: only delivery changes cause, faddr and status; nothing else changes.
    for n in 0..isa_spec::cr::NUM_CRS {
        let n8 = n as u8;
        if [num::CYCLE, num::CYCLEH, num::STATUS, num::CAUSE, num::FADDR].contains(&n8) {
            continue;
        }
        if a.cpu.crs[n] != b.cpu.crs[n] {
            return Err(format!(
                "control register {} changed from ring {r}: {:#x} -> {:#x}; {}",
                isa_spec::cr::CR_NAMES[n],
                b.cpu.crs[n],
                a.cpu.crs[n],
                ctx()
            ));
        }
    }
    let pg = |m: &Machine| m.cpu.status() & status::PG;
    if pg(a) != pg(b) {
        return Err(format!("PG changed from ring {r}; {}", ctx()));
    }
    if new.is_empty() {
        if a.cpu.crs[num::CAUSE as usize] != b.cpu.crs[num::CAUSE as usize]
            || a.cpu.crs[num::FADDR as usize] != b.cpu.crs[num::FADDR as usize]
            || a.cpu.status() & status::IE != b.cpu.status() & status::IE
        {
            return Err(format!(
                "cause/faddr/IE changed without a delivery; {}",
                ctx()
            ));
        }
    } else if a.stop.is_none() && a.cpu.status() & status::IE != 0 {
        return Err(format!("a delivery left IE set; {}", ctx()));
    }

    // Ring changes.
    if let Some(d) = new.first() {
        if a.stop.is_none() {
            let vbase = b.cpu.crs[num::VBASE as usize];
            // The delivered vector's descriptor or, if delivering it failed, the double fault's.
            let entered = [d.vector, vector::DOUBLE_FAULT].into_iter().any(|v| {
                descriptor(b, vbase.wrapping_add(8 * v as u32)).is_some_and(|(e, p, t, _)| {
                    p && t <= r as u32 && e % 4 == 0 && t == r2 as u32 && e == a.cpu.pc
                })
            });
            if !entered || new.len() != 1 {
                return Err(format!(
                    "delivery entered ring {r2} at {:#x}, not as a vector the table allows; {}",
                    a.cpu.pc,
                    ctx()
                ));
            }
            if r2 > r {
                return Err(format!("delivery went outward {r} -> {r2}; {}", ctx()));
            }
        }
        if let (
            Some(Insn {
                op: Opcode::Trap,
                imm,
                ..
            }),
            true,
        ) = (insn, retired)
        {
            // An explicit trap delivered its own vector: the DPL must allow it.
            if d.vector as i32 == imm {
                let (e, p, t, dpl) = descriptor(b, b.cpu.crs[num::VBASE as usize] + 8 * imm as u32)
                    .ok_or_else(|| format!("trap through an unreadable descriptor; {}", ctx()))?;
                if !(p && r as u32 <= dpl && t <= r as u32 && e % 4 == 0) {
                    return Err(format!(
                        "trap {imm} from ring {r} was let through; {}",
                        ctx()
                    ));
                }
            }
        }
    } else if retired {
        match insn {
            Some(Insn {
                op: Opcode::Callg,
                imm,
                ..
            }) => {
                let n = imm as u32;
                let gb = b.cpu.crs[num::GBASE as usize];
                let ok = n < b.cpu.crs[num::GLIMIT as usize]
                    && descriptor(b, gb.wrapping_add(8 * n)).is_some_and(|(e, p, t, dpl)| {
                        p && r as u32 <= dpl
                            && t <= r as u32
                            && e % 4 == 0
                            && t == r2 as u32
                            && e == a.cpu.pc
                    });
                if !ok {
                    return Err(format!(
                        "callg {n} from ring {r} entered ring {r2} at {:#x}, which gate {n} does not allow; {}",
                        a.cpu.pc,
                        ctx()
                    ));
                }
            }
            Some(Insn {
                op: Opcode::Retg, ..
            }) => {
                if r2 < r {
                    return Err(format!("retg returned inward {r} -> {r2}; {}", ctx()));
                }
            }
            _ => {
                if r2 != r {
                    return Err(format!(
                        "ring changed {r} -> {r2} without a gate; {}",
                        ctx()
                    ));
                }
            }
        }
    }

    // Sensitive instructions fault.
    if let Some(i) = insn {
        if i.op.info().privileged
            && !interrupted
            && (retired || new.first().map(|d| (d.vector, d.pc)) != Some((vector::PRIVILEGE, pc)))
        {
            return Err(format!(
                "sensitive `{}` in ring {r} did not raise PRIVILEGE; {}",
                i.op.mnemonic(),
                ctx()
            ));
        }
    }

    // Devices: no access at all from a ring above iopl.
    if r as u32 > iopl && a.dev.accesses + a.dev.fb_accesses != b.dev.accesses + b.dev.fb_accesses {
        return Err(format!(
            "ring {r} touched a device with iopl {iopl}; {}",
            ctx()
        ));
    }
    if let (Some(i), false) = (insn, interrupted) {
        if matches!(i.op.info().kind, Kind::Load | Kind::Store) && r as u32 > iopl {
            let va = b.cpu.reg(i.rs1).wrapping_add(i.imm as u32);
            let need = if i.op.info().kind == Kind::Load {
                Need::Read
            } else {
                Need::Write
            };
            let size = match i.op {
                Opcode::Lb | Opcode::Lbu | Opcode::Sb => 1,
                Opcode::Lh | Opcode::Lhu | Opcode::Sh => 2,
                _ => 4,
            };
            if va.is_multiple_of(size) {
                if let Some(pa) = allowed(b, va, r, need, Some(pc)) {
                    if is_device(pa) && new.first().map(|d| d.vector) != Some(vector::IO_PRIVILEGE)
                    {
                        return Err(format!(
                            "device access at {va:#x} (pa {pa:#x}) from ring {r} > iopl {iopl} did not raise IO_PRIVILEGE; {}",
                            ctx()
                        ));
                    }
                }
            }
        }
    }

    // Writes.
    let mut allowed_ranges: Vec<(u32, u32)> = Vec::new();
    for &(va, size, _) in a.trace_writes.as_deref().unwrap_or(&[]) {
        match allowed(b, va, r, Need::Write, Some(pc)) {
            Some(pa) if is_device(pa) => {
                if r as u32 > iopl {
                    return Err(format!("device write at {va:#x} from ring {r}; {}", ctx()));
                }
            }
            Some(pa) if (pa as u64 + size as u64) <= b.ram().len() as u64 => {
                allowed_ranges.push((pa, pa + size));
            }
            _ => {
                return Err(format!(
                    "write of {size} bytes at {va:#x} from ring {r}, which its page does not allow; {}",
                    ctx()
                ));
            }
        }
    }
    // Frames pushed on entry (gate call or delivery), into the target ring's stack.
    let frame_words = if !new.is_empty() {
        5
    } else if retired
        && matches!(
            insn,
            Some(Insn {
                op: Opcode::Callg,
                ..
            })
        )
    {
        let n = insn.map_or(0, |i| i.imm as u32);
        let flags = b
            .peek_phys(b.cpu.crs[num::GBASE as usize].wrapping_add(8 * n + 4), 4)
            .unwrap_or(0);
        3 + ((flags >> gate::PARAMS_SHIFT) & 15)
    } else {
        0
    };
    if frame_words > 0 && a.stop.is_none() {
        let f = a.cpu.regs[SP as usize];
        for k in 0..frame_words {
            let va = f.wrapping_add(4 * k);
            match allowed(a, va, r2, Need::Write, None) {
                Some(pa) => allowed_ranges.push((pa, pa + 4)),
                None => {
                    return Err(format!(
                        "frame word at {va:#x} pushed for ring {r2} is not writable by it; {}",
                        ctx()
                    ))
                }
            }
        }
    }
    if a.ram() != shadow {
        let (now, shadow) = (a.ram().to_vec(), shadow.to_vec());
        for (i, (x, y)) in now.iter().zip(&shadow).enumerate() {
            if x == y {
                continue;
            }
            let i = i as u32;
            if allowed_ranges.iter().any(|&(s, e)| s <= i && i < e) {
                continue;
            }
            // A page walk setting A/D in a table entry.
            let w = i & !3;
            let word =
                |m: &[u8]| u32::from_le_bytes(m[w as usize..w as usize + 4].try_into().unwrap());
            if (word(&now) ^ word(&shadow)) & !(pte::A | pte::D) == 0 {
                continue;
            }
            return Err(format!(
                "RAM at {i:#x} changed ({y:#x} -> {x:#x}) by a ring-{r} step that may not write it; {}",
                ctx()
            ));
        }
    }
    Ok(())
}

/// Runs `p` and checks every step outside ring 0.
fn protected(p: &Program) -> Result<(), TestCaseError> {
    let prog = p
        .assemble()
        .map_err(|e| TestCaseError::fail(format!("does not assemble: {e}")))?;
    let mut m = machine_for(&prog, layout::RAM);
    let mut interp = Interp::new();
    // The ring-0 prologue runs at full speed up to the body.
    let bp = [layout::UCODE];
    interp.run(
        &mut m,
        Budget {
            max_cycles: 100_000,
            breakpoints: &bp,
            ..Budget::UNLIMITED
        },
    );
    m.trace_writes = Some(Vec::new());
    for _ in 0..STEPS {
        if m.stop.is_some() {
            break;
        }
        // The machine before the step, RAM included (the shadow copy the step is checked
        // against).
        let before = m.clone();
        let one = Budget::steps(&m, 1);
        interp.run(&mut m, one);
        if before.cpu.ring() != 0 {
            if let Err(e) = check_step(&before, &m, before.ram()) {
                return Err(TestCaseError::fail(e));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(3000))]

    /// Ring 1-3 programs with random gates, vectors and page tables stay inside their rights.
    #[test]
    fn protection_holds_in_outer_rings(p in program(ProgramConfig {
        rings: (1, 3),
        paging: 0.85,
        timer: 0.3,
        max_steps: 30,
        wfi: true,
    })) {
        protected(&p)?;
    }
}
