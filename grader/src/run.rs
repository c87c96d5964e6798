//! Running one case on one submission: build its machine through `emulator`'s builder, run
//! it to a stop or its cycle limit, and check what it did.

use crate::model::{Case, Location, OutputCheck, Plan};
use crate::verdict::{Failure, Row};
use emulator::builder::{BuildError, MachineBuilder, SerialSpec};
use emulator::{EngineKind, Machine, StopReason, Vm};
use std::path::{Path, PathBuf};

/// Files larger than this are refused as submissions.
const MAX_PROGRAM: u64 = 64 << 20;
/// The real-time clock's start for every case (runs must not depend on the host's clock).
const RTC_BASE: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// One unit of work: a case, on a submission or on its own program.
#[derive(Clone, Debug)]
pub struct Job {
    /// Position in the whole run.
    pub index: usize,
    /// The case (index into [`Plan::cases`]).
    pub case: usize,
    /// The submission (`None`: the case's own program).
    pub submission: Option<PathBuf>,
}

/// Every job of `plan`, in order: cases with their own program first, then each submission
/// with every case that takes one.
pub fn jobs(plan: &Plan) -> Vec<Job> {
    let mut out = Vec::new();
    for (c, case) in plan.cases.iter().enumerate() {
        if case.program.is_some() {
            out.push(Job {
                index: out.len(),
                case: c,
                submission: None,
            });
        }
    }
    for s in &plan.submissions {
        for (c, case) in plan.cases.iter().enumerate() {
            if case.program.is_none() {
                out.push(Job {
                    index: out.len(),
                    case: c,
                    submission: Some(s.clone()),
                });
            }
        }
    }
    out
}

/// What every job shares (read only).
pub struct Context {
    /// The engine.
    pub engine: EngineKind,
    /// Ringfort OS's include files, written out once for assembling OS programs.
    pub os_includes: Option<tempfile::TempDir>,
}

/// Runs `job` of `plan`; never panics on bad input: every problem is a failure in the row.
pub fn run_job(plan: &Plan, job: &Job, ctx: &Context) -> Row {
    let case = &plan.cases[job.case];
    let path = job
        .submission
        .as_ref()
        .or(case.program.as_ref())
        .expect("jobs have a program");
    let mut row = Row {
        index: job.index,
        submission: job
            .submission
            .as_ref()
            .map_or("-".into(), |p| p.display().to_string()),
        case: case.name.clone(),
        passed: false,
        stop: "not-run".into(),
        exit_value: None,
        cycles: 0,
        instructions: 0,
        output: String::new(),
        failures: Vec::new(),
    };
    let vm = builder(case, path, ctx).and_then(|b| b.build_vm().map_err(|e| build_failure(&e)));
    let mut vm = match vm {
        Ok(vm) => vm,
        Err(f) => {
            row.failures.push(f);
            return row;
        }
    };
    if case.ring3_only {
        vm.set_ring(3, true);
    }
    let out = vm.run(case.max_cycles);
    row.stop = out.reason.name().into();
    row.exit_value = out.exit_value;
    row.cycles = out.cycles;
    row.instructions = out.instructions;
    let output = vm.serial_output();
    row.output = String::from_utf8_lossy(&output).into_owned();
    row.failures = check(case, &vm, &out.reason, out.exit_value, &row.output);
    row.passed = row.failures.is_empty();
    row
}

/// The row of a job whose run panicked (a bug in Ringfort): a `build` failure saying so.
pub fn panicked(plan: &Plan, job: &Job, payload: &(dyn std::any::Any + Send)) -> Row {
    let what = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    Row {
        index: job.index,
        submission: job
            .submission
            .as_ref()
            .map_or("-".into(), |p| p.display().to_string()),
        case: plan.cases[job.case].name.clone(),
        passed: false,
        stop: "not-run".into(),
        exit_value: None,
        cycles: 0,
        instructions: 0,
        output: String::new(),
        failures: vec![Failure::Build {
            message: format!("internal error in ringfort (please report it): {what}"),
        }],
    }
}

/// A build error as a failure.
fn build_failure(e: &BuildError) -> Failure {
    match e {
        BuildError::Assemble(m) => Failure::Assembly { message: m.clone() },
        e => Failure::Build {
            message: e.to_string(),
        },
    }
}

/// Reads a program file, refusing huge ones.
fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    let fail = |m: String| Failure::Build {
        message: format!("{}: {m}", path.display()),
    };
    let md = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if md.len() > MAX_PROGRAM {
        return Err(fail(format!("larger than {} MiB", MAX_PROGRAM >> 20)));
    }
    std::fs::read(path).map_err(|e| fail(e.to_string()))
}

/// Whether `path` names assembly source.
fn is_source(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("s" | "S"))
}

/// The machine a case gets for the program at `path`.
fn builder(case: &Case, path: &Path, ctx: &Context) -> Result<MachineBuilder, Failure> {
    let bytes = read(path)?;
    let name = path.display().to_string();
    let b = Machine::builder()
        .serial(SerialSpec::None)
        .memory(case.memory)
        .rtc_base(Some(RTC_BASE))
        .engine(ctx.engine)
        .input(&case.input);
    if let Some(disk_name) = &case.os {
        let elf = if is_source(path) {
            assemble_os(&name, &bytes, ctx)?
        } else {
            bytes
        };
        return crate::os::machine(b, disk_name, elf);
    }
    if is_source(path) {
        let text = String::from_utf8(bytes).map_err(|_| Failure::Build {
            message: format!("{name}: not UTF-8 text"),
        })?;
        Ok(b.source(&name, &text))
    } else {
        Ok(b.elf(&name, bytes))
    }
}

/// Assembles an OS program: the user library first, at USER_BASE, with the OS includes.
fn assemble_os(name: &str, bytes: &[u8], ctx: &Context) -> Result<Vec<u8>, Failure> {
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| Failure::Build {
        message: format!("{name}: not UTF-8 text"),
    })?;
    let Some(inc) = &ctx.os_includes else {
        return Err(Failure::Build {
            message: "Ringfort OS's includes are missing".into(),
        });
    };
    let mut srcs: Vec<assembler::Source> = firmware::USER_LIB
        .iter()
        .map(|(n, t)| assembler::Source {
            name: format!("lib/{n}"),
            text: t.to_string(),
        })
        .collect();
    srcs.push(assembler::Source {
        name: name.to_string(),
        text,
    });
    let opts = assembler::Options {
        base: firmware::USER_BASE,
        include_dirs: vec![inc.path().to_path_buf()],
        listing: false,
        ..Default::default()
    };
    assembler::assemble(&srcs, &opts)
        .map(|p| p.to_elf())
        .map_err(|d| Failure::Assembly {
            message: d.to_string().trim_end().to_string(),
        })
}

/// Checks a finished run against the case.
fn check(
    case: &Case,
    vm: &Vm,
    reason: &StopReason,
    exit: Option<u32>,
    output: &str,
) -> Vec<Failure> {
    let mut f = Vec::new();
    match reason {
        StopReason::CycleLimit => f.push(Failure::Timeout {
            cycles: case.max_cycles,
            pc: vm.pc(),
        }),
        StopReason::TripleFault(d) => f.push(Failure::Stopped {
            reason: reason.name().into(),
            detail: d.clone(),
        }),
        StopReason::Idle | StopReason::Quit => f.push(Failure::Stopped {
            reason: reason.name().into(),
            detail: format!(
                "waiting for an interrupt no device can raise (pc {:#010x})",
                vm.pc()
            ),
        }),
        StopReason::Halted | StopReason::Poweroff => {}
    }
    if let Some(want) = case.exit {
        if exit != Some(want) {
            f.push(Failure::ExitCode {
                expected: want,
                actual: exit,
                stop: reason.name().into(),
            });
        }
    }
    for c in &case.output {
        match c {
            OutputCheck::Exact(t) if t != output => f.push(Failure::Output {
                expected: t.clone(),
                actual: output.to_string(),
                diff: crate::report::diff(t, output),
            }),
            OutputCheck::Regex(re) if !re.is_match(output) => f.push(Failure::OutputRegex {
                pattern: re.as_str().to_string(),
                actual: output.to_string(),
            }),
            OutputCheck::Contains(t) if !output.contains(t.as_str()) => {
                f.push(Failure::OutputContains {
                    expected: t.clone(),
                    actual: output.to_string(),
                })
            }
            _ => {}
        }
    }
    if vm.output_truncated() {
        f.push(Failure::OutputTruncated {
            kept: vm.serial_output().len(),
        });
    }
    // Registers and memory say something only about a program that finished.
    let finished = matches!(reason, StopReason::Halted | StopReason::Poweroff);
    check_state(case, vm, finished, &mut f);
    f
}

/// The rules, registers and memory.
fn check_state(case: &Case, vm: &Vm, finished: bool, f: &mut Vec<Failure>) {
    let mut faults = vm.faults();
    if case.os.is_some() {
        // The boot ROM takes a fault of its own (it probes memory): faults there do not count.
        faults.retain(|x| x.pc < firmware::BOOT_BASE);
    }
    if case.no_fault {
        let count = match case.os {
            Some(_) => faults.len() as u64,
            None => vm.stats().deliveries[..32].iter().sum(),
        };
        if let Some(first) = faults.first() {
            f.push(Failure::Fault {
                vector: first.vector,
                name: first.name.into(),
                cause: first.cause,
                pc: first.pc,
                count,
            });
        }
    }
    // A fault is an attempt to leave ring 3 even when its delivery failed (no vector table).
    if case.ring3_only && (vm.rings_seen() != 1 << 3 || !faults.is_empty()) {
        let rings = (0..4).filter(|r| vm.rings_seen() & (1 << r) != 0).collect();
        let cause = faults
            .first()
            .map(|x| format!("{} (vector {}) at pc {:#010x}", x.name, x.vector, x.pc));
        f.push(Failure::Ring { rings, cause });
    }
    if !finished {
        return;
    }
    for (n, name, want) in &case.registers {
        let got = vm.reg(*n as usize);
        if got != *want {
            f.push(Failure::Register {
                name: name.clone(),
                expected: *want,
                actual: got,
            });
        }
    }
    for m in &case.memory_at {
        let n = m.bytes.len();
        let (at, got) = match &m.at {
            Location::Addr(a) => (format!("{a:#x}"), vm.read_phys(*a, n)),
            // A symbol is a virtual address of the program.
            Location::Symbol(s) => (s.clone(), vm.symbol(s).and_then(|a| vm.read_mem(a, n))),
        };
        if got.as_deref() != Some(&m.bytes[..]) {
            f.push(Failure::Memory {
                at,
                expected: m.bytes.clone(),
                actual: got,
            });
        }
    }
}
