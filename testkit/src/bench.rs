//! The benchmark kernels of `testkit/kernels/` (see `docs/bench-kernels.md`), shared by
//! `ringfort bench` and the criterion benches. Each kernel checks its own checksum and exits
//! through the runtime's gate with a0 = 0 (match) and a1 = the checksum, so a wrong engine can
//! never produce a fast-looking figure.

use emulator::{Budget, Config, EngineKind, Exit, Machine};
use rf_object::Program;
use std::time::Duration;

/// The runtime every kernel includes.
const RT: &str = include_str!("../kernels/rt.inc");

/// A benchmark kernel.
#[derive(Clone, Copy, Debug)]
pub struct Kernel {
    /// Name (the file name without `.s`).
    pub name: &'static str,
    /// Assembly source (empty for generated kernels: see [`Kernel::text`]).
    pub source: &'static str,
    /// The checksum it must produce.
    pub expected: u32,
}

/// All kernels, in report order.
pub const KERNELS: &[Kernel] = &[
    Kernel {
        name: "crc32",
        source: include_str!("../kernels/crc32.s"),
        expected: 0x29eff4f8,
    },
    Kernel {
        name: "sieve",
        source: include_str!("../kernels/sieve.s"),
        expected: 1_489_330,
    },
    Kernel {
        name: "matmul",
        source: include_str!("../kernels/matmul.s"),
        expected: 0x488f6651,
    },
    Kernel {
        name: "fib",
        source: include_str!("../kernels/fib.s"),
        expected: 9_227_465,
    },
    Kernel {
        name: "memcpy",
        source: include_str!("../kernels/memcpy.s"),
        expected: 0xa5b18440,
    },
    Kernel {
        name: "gatecall",
        source: include_str!("../kernels/gatecall.s"),
        expected: 1_000_000,
    },
    Kernel {
        name: "tlbmiss",
        source: include_str!("../kernels/tlbmiss.s"),
        expected: 130_560_000,
    },
    Kernel {
        name: "straight",
        source: "",
        expected: straight_expected(),
    },
];

/// Instructions in the generated straight-line kernel (about 1 MiB of code).
pub const STRAIGHT_LEN: u32 = 260_000;

/// The straight-line kernel's checksum: a0 += (i % 7) + 1 for each of its instructions.
const fn straight_expected() -> u32 {
    let mut sum = 0u32;
    let mut i = 0;
    while i < STRAIGHT_LEN {
        sum = sum.wrapping_add(i % 7 + 1);
        i += 1;
    }
    sum
}

impl Kernel {
    /// The kernel's assembly source. `straight` is generated: about 1 MiB of straight-line
    /// code that runs each instruction exactly once, so translation cost is all there is to
    /// see (the threaded engine must not fall far behind the interpreter on it).
    pub fn text(&self) -> String {
        if self.name == "straight" {
            let mut s = String::from(
                "# straight: generated, each instruction runs once\n\
                 .equ EXPECTED, 0\n.include \"rt.inc\"\n.text\nmain:\n        li a0, 0\n",
            );
            for i in 0..STRAIGHT_LEN {
                s += &format!("        addi a0, a0, {}\n", i % 7 + 1);
            }
            s += "        ret\n";
            s.replace(
                ".equ EXPECTED, 0",
                &format!(".equ EXPECTED, {}", self.expected),
            )
        } else {
            self.source.to_string()
        }
    }
}

/// RAM for benchmark machines (the runtime maps the first 64 MiB).
pub const BENCH_RAM: u32 = 64 << 20;

/// One measured run.
#[derive(Clone, Debug)]
pub struct BenchResult {
    /// Kernel name.
    pub kernel: &'static str,
    /// Engine name.
    pub engine: &'static str,
    /// Run as a ring-3 process with paging on?
    pub paging: bool,
    /// Guest instructions retired.
    pub instructions: u64,
    /// Guest cycles.
    pub cycles: u64,
    /// Host time of the run: CPU time of the thread that ran it (excluding assembly and
    /// machine setup). CPU time rather than wall time, so that other processes on a busy
    /// machine do not distort the figure.
    pub seconds: f64,
    /// The checksum the guest computed.
    pub checksum: u32,
}

impl BenchResult {
    /// Retired guest instructions per host second, in millions.
    pub fn mips(&self) -> f64 {
        self.instructions as f64 / self.seconds.max(1e-9) / 1e6
    }
}

/// Finds a kernel by name.
pub fn kernel(name: &str) -> Option<&'static Kernel> {
    KERNELS.iter().find(|k| k.name == name)
}

/// Assembles a kernel with the runtime.
pub fn assemble(k: &Kernel) -> Result<Program, String> {
    let text = k.text().replace(".include \"rt.inc\"", RT);
    assembler::assemble(
        &[assembler::Source {
            name: format!("testkit/kernels/{}.s", k.name),
            text,
        }],
        &Default::default(),
    )
    .map_err(|d| d.to_string())
}

/// A machine ready to run `prog` (paging chosen through a0 at reset, as the runtime expects).
pub fn machine(prog: &Program, paging: bool) -> Result<Machine, String> {
    let mut m = Machine::new(Config {
        ram_size: BENCH_RAM,
        ..Config::default()
    });
    m.load_program(prog).map_err(|e| e.to_string())?;
    m.cpu.regs[isa_spec::regs::A0 as usize] = paging as u32;
    Ok(m)
}

/// Runs kernel `k` on `engine`, checks its checksum, and measures it.
pub fn run(k: &Kernel, engine: EngineKind, paging: bool) -> Result<BenchResult, String> {
    let prog = assemble(k)?;
    let mut m = machine(&prog, paging)?;
    let mut e = engine.create();
    let start = cpu_time::ThreadTime::now();
    let exit = e.run(&mut m, Budget::UNLIMITED);
    let seconds = start.elapsed().as_secs_f64();
    let checksum = m.cpu.regs[11];
    match exit {
        Exit::Halted(0) => {}
        Exit::Halted(code) if code >= 0x80 => {
            return Err(format!(
                "{}: guest exception, vector {} at pc {:#x}",
                k.name,
                code - 0x80,
                m.cpu.pc
            ))
        }
        other => {
            return Err(format!(
                "{} on {engine}: checksum {checksum:#010x}, expected {:#010x} ({other:?})",
                k.name, k.expected
            ))
        }
    }
    Ok(BenchResult {
        kernel: k.name,
        engine: e.name(),
        paging,
        instructions: m.cpu.retired,
        cycles: m.cpu.cycles,
        seconds,
        checksum,
    })
}

/// Time formatting helper for reports.
pub fn fmt_duration(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}
