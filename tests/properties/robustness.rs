//! Property group 5: robustness. Nothing a user can feed Ringfort makes the host panic or hang:
//!
//! * random bytes as a flat program image and as an ELF file, and random mutations of a valid
//!   assembled ELF (loaded, then run on both engines under a cycle budget: they must not panic
//!   and must agree);
//! * random mutations of a saved machine state (a snapshot file's payload): refused when
//!   decoded or restored, or restored and run on both engines (no panic, same state);
//! * random assembly source ("token soup" of mnemonics, registers, directives, macros,
//!   expressions, punctuation): the assembler returns a program or diagnostics, never panics,
//!   and finishes within a wall-clock limit;
//! * random command lines for the `ringfort` binary (subcommands `run`, `asm`, `disasm` with
//!   random flags, files and — when the binary has it — `-drive` disk images): every run is
//!   killed after a wall-clock timeout (a hang is a failure), exit status 101 or a "panicked"
//!   message is a failure, and an error exit must say what went wrong on stderr.
//!
//! `cargo fuzz` needs a nightly toolchain (this project builds on stable), so these
//! proptest-driven loops stand in for fuzzing.

use crate::config;
use emulator::machine::Machine;
use proptest::prelude::*;
use proptest::sample::select;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use testkit::gen::state_diff;

const RAM: u32 = 1 << 16;
const BUDGET: u64 = 20_000;

/// Runs a loaded machine on both engines: no panic, same state.
fn run_loaded(load: impl Fn(&mut Machine) -> bool) -> Result<(), TestCaseError> {
    let fresh = || {
        let mut m = Machine::new(emulator::Config {
            ram_size: RAM,
            ..emulator::Config::default()
        });
        m.deliveries = Some(Vec::new());
        m
    };
    let (mut a, mut b) = (fresh(), fresh());
    if !load(&mut a) || !load(&mut b) {
        return Ok(());
    }
    let budget = emulator::Budget {
        max_cycles: BUDGET,
        ..emulator::Budget::UNLIMITED
    };
    let (ea, eb) = testkit::run_both(&mut a, &mut b, budget);
    prop_assert_eq!(ea, eb);
    if let Some(d) = state_diff(&a, &b) {
        return Err(TestCaseError::fail(format!("engines disagree: {d}")));
    }
    Ok(())
}

/// A valid ELF to mutate: a small program touching the usual features.
fn sample_elf() -> &'static [u8] {
    static ELF: OnceLock<Vec<u8>> = OnceLock::new();
    ELF.get_or_init(|| {
        let src = ".global _start\n.text\n_start: li sp, 0x8000\n li a0, 3\nloop: addi a0, a0, -1\n bnez a0, loop\n \
                   la t0, msg\n lbu t1, 0(t0)\n trap 40\n halt\n.data\nmsg: .asciz \"hi\"\n.bss\nbuf: .space 64\n";
        let prog = assembler::assemble(
            &[assembler::Source::new("sample.s", src)],
            &assembler::Options::default(),
        )
        .expect("sample assembles");
        prog.to_elf()
    })
}

/// A saved state to mutate: the sample program part way through, postcard-encoded.
fn sample_state() -> &'static [u8] {
    static STATE: OnceLock<Vec<u8>> = OnceLock::new();
    STATE.get_or_init(|| {
        use emulator::{Budget, Engine};
        let mut m = Machine::new(emulator::Config {
            ram_size: RAM,
            ..emulator::Config::default()
        });
        m.load_elf(sample_elf()).expect("sample loads");
        m.dev.inject_serial(10, b"input");
        let budget = Budget {
            max_cycles: 12,
            ..Budget::UNLIMITED
        };
        emulator::engine::interp::Interp::new().run(&mut m, budget);
        postcard::to_allocvec(&m.save_state()).expect("a state encodes")
    })
}

/// Mutations of a byte string.
#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, u8),
    Flip(usize, u8),
    Truncate(usize),
    Extend(Vec<u8>),
    Word(usize, u32),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, v)| Mutation::Set(i, v)),
        3 => (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Mutation::Extend),
        3 => (any::<usize>(), prop_oneof![any::<u32>(), select(vec![0u32, 1, 0x7fff_ffff, 0x8000_0000, u32::MAX, 0xffff, 0x1000_0000])])
            .prop_map(|(i, w)| Mutation::Word(i, w)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match m {
        Mutation::Set(i, v) => {
            if let Some(b) = bytes.get_mut(i % n) {
                *b = *v;
            }
        }
        Mutation::Flip(i, bit) => {
            if let Some(b) = bytes.get_mut(i % n) {
                *b ^= 1 << bit;
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i % n),
        Mutation::Extend(v) => bytes.extend_from_slice(v),
        Mutation::Word(i, w) => {
            // Header-ish fields are the interesting ones: aim at the first 128 bytes half the time.
            let at = if i % 2 == 0 { (i / 2) % 128 } else { i % n } & !3;
            if at + 4 <= bytes.len() {
                bytes[at..at + 4].copy_from_slice(&w.to_le_bytes());
            }
        }
    }
}

/// Tokens for assembly soup.
const TOKENS: &[&str] = &[
    "add",
    "addi",
    "lw",
    "sw",
    "lb",
    "sh",
    "beq",
    "bne",
    "jal",
    "jalr",
    "lui",
    "auipc",
    "cas",
    "callg",
    "retg",
    "trap",
    "brk",
    "iret",
    "halt",
    "wfi",
    "mfcr",
    "mtcr",
    "tlbinval",
    "li",
    "la",
    "mv",
    "j",
    "call",
    "ret",
    "nop",
    "bgt",
    "seqz",
    "subi",
    "a0",
    "t0",
    "sp",
    "zero",
    "r31",
    "r32",
    "x1",
    "status",
    "ptbase",
    "cr16",
    "cr17",
    ".text",
    ".data",
    ".bss",
    ".word",
    ".byte",
    ".half",
    ".ascii",
    ".asciz",
    ".space",
    ".fill",
    ".align",
    ".balign",
    ".org",
    ".equ",
    ".set",
    ".global",
    ".macro",
    ".endm",
    ".include",
    ".section",
    ".end",
    ".type",
    ".size",
    "%hi",
    "%lo",
    "(",
    ")",
    ",",
    ":",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    ">>",
    "&",
    "|",
    "^",
    "~",
    "!",
    "==",
    "0",
    "1",
    "-1",
    "4",
    "0x7fffffff",
    "0xffffffff",
    "4294967296",
    "99999999999999999999",
    "'a'",
    "'\\n'",
    "\"str\"",
    "\"unterminated",
    "\\",
    "\\x",
    "lbl",
    "lbl:",
    "1:",
    "1b",
    "1f",
    ".",
    "_start",
    "m",
    "\\a",
    "#",
    "//",
    ";",
    "\n",
    "\n",
    "\n",
    "\t",
    " ",
    "é",
    "\0",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(select(TOKENS), 0..80).prop_map(|t| t.join(" "))
}

/// Assembles `src` on a thread and waits at most `limit`.
fn assemble_within(src: String, limit: Duration) -> Result<(), TestCaseError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let text = src.clone();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| {
            let _ = assembler::assemble(
                &[assembler::Source::new("soup.s", text)],
                &assembler::Options::default(),
            );
        });
        let _ = tx.send(r.is_ok());
    });
    match rx.recv_timeout(limit) {
        Ok(true) => Ok(()),
        Ok(false) => Err(TestCaseError::fail(format!(
            "the assembler panicked on:\n{src}"
        ))),
        Err(_) => Err(TestCaseError::fail(format!(
            "the assembler took more than {limit:?} on:\n{src}"
        ))),
    }
}

proptest! {
    #![proptest_config(config(500))]

    /// Random bytes as a flat image at address 0.
    #[test]
    fn random_flat_images_run(bytes in prop::collection::vec(any::<u8>(), 1..2048)) {
        run_loaded(|m| m.load_flat(&bytes, 0).is_ok())?;
    }

    /// Random bytes behind an ELF magic number.
    #[test]
    fn random_elf_bytes_are_refused_or_run(tail in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = b"\x7fELF\x01\x01\x01\0".to_vec();
        bytes.extend_from_slice(&tail);
        run_loaded(|m| m.load_elf(&bytes).is_ok())?;
    }

    /// Mutations of a valid ELF: refused with an error, or loaded and run.
    #[test]
    fn mutated_elf_files_are_refused_or_run(muts in prop::collection::vec(mutation(), 1..6)) {
        let mut bytes = sample_elf().to_vec();
        for m in &muts {
            apply(&mut bytes, m);
        }
        run_loaded(|m| match m.load_elf(&bytes) {
            Ok(_) => true,
            Err(e) => {
                assert!(!e.to_string().is_empty(), "an empty error message");
                false
            }
        })?;
    }

    /// Mutations of a saved machine state (a snapshot file's payload, as a forged file with
    /// a valid checksum would carry it): refused when decoded or restored, or run.
    #[test]
    fn mutated_machine_states_are_refused_or_run(muts in prop::collection::vec(mutation(), 1..6)) {
        let mut bytes = sample_state().to_vec();
        for m in &muts {
            apply(&mut bytes, m);
        }
        let Ok(state) = postcard::from_bytes::<emulator::state::MachineState>(&bytes) else {
            return Ok(());
        };
        run_loaded(|m| match m.restore_state(&state) {
            Ok(()) => true,
            Err(e) => {
                assert!(!e.is_empty(), "an empty error message");
                false
            }
        })?;
    }

    /// Token soup: the assembler never panics and never hangs.
    #[test]
    fn assembler_survives_token_soup(src in soup()) {
        assemble_within(src, Duration::from_secs(10))?;
    }
}

// ---------------------------------------------------------------- the command line

/// How long one CLI run may take before it counts as a hang.
const CLI_TIMEOUT: Duration = Duration::from_secs(20);

struct Outcome {
    status: Option<i32>,
    stderr: String,
}

/// Runs the `ringfort` binary with `args`, killing it after [`CLI_TIMEOUT`].
fn ringfort(args: &[String], dir: &std::path::Path) -> Result<Outcome, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringfort"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start ringfort: {e}"))?;
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if start.elapsed() > CLI_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "ringfort {args:?} did not finish within {CLI_TIMEOUT:?}"
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("waiting for ringfort: {e}")),
        }
    };
    let stderr = reader.join().unwrap_or_default();
    Ok(Outcome {
        status: status.code(),
        stderr,
    })
}

/// Does `ringfort run` have the `-drive` option (the disk device)?
fn has_drive() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        Command::new(env!("CARGO_BIN_EXE_ringfort"))
            .args(["run", "--help"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("-drive"))
            .unwrap_or(false)
    })
}

/// One argument of a random command line; file arguments name files the test writes.
#[derive(Clone, Debug)]
enum Arg {
    Lit(&'static str),
    Num(u64),
    Garbage(String),
}

fn arg() -> impl Strategy<Value = Arg> {
    prop_oneof![
        6 => select(vec![
            "prog.elf", "random.bin", "soup.s", "missing.elf", "prog.elf", "disk.img",
            "--engine", "interp", "threaded", "jit", "-m", "--memory", "4M", "64M", "1G", "3G",
            "0", "7K", "--base", "0x1000", "0xfffffff0", "--serial", "none", "stdio", "tcp",
            "--trace", "--stats", "--nographic", "-nographic", "-kernel", "-bios", "--max-cycles",
            "-O", "binary", "elf", "-o", "out.bin", "-I", ".", "--", "-", "-drive",
            "file=disk.img", "file=disk.img,readonly=on", "file=missing.img", "file=disk.img,format=qcow2",
            "--json", "--help", "-h", "--version",
        ]).prop_map(Arg::Lit),
        2 => prop_oneof![0u64..100_000, any::<u64>()].prop_map(Arg::Num),
        1 => "[ -~]{0,12}".prop_map(Arg::Garbage),
    ]
}

fn render(a: &Arg) -> String {
    match a {
        Arg::Lit(s) => s.to_string(),
        Arg::Num(n) => n.to_string(),
        Arg::Garbage(s) => s.clone(),
    }
}

/// Files the random command lines refer to.
fn workdir(bytes: &[u8], disk: &[u8], soup: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("prog.elf"), sample_elf()).unwrap();
    std::fs::write(dir.path().join("random.bin"), bytes).unwrap();
    std::fs::write(dir.path().join("soup.s"), soup).unwrap();
    std::fs::write(dir.path().join("disk.img"), disk).unwrap();
    dir
}

proptest! {
    #![proptest_config(config(120))]

    /// Random command lines: no panic, no hang, errors explained.
    #[test]
    fn cli_survives_random_flags(
        sub in select(vec!["run", "run", "run", "asm", "disasm"]),
        args in prop::collection::vec(arg(), 0..8),
        cycles in prop_oneof![0u64..10, 1000u64..200_000],
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        disk in prop::collection::vec(any::<u8>(), 0..2048),
        soup in soup(),
    ) {
        let dir = workdir(&bytes, &disk, &soup);
        let mut argv = vec![sub.to_string()];
        argv.extend(args.iter().map(render).filter(|a| has_drive() || !a.contains("drive")));
        if sub == "run" {
            // Always bounded: a guest can never keep the process alive.
            argv.push("--max-cycles".into());
            argv.push(cycles.to_string());
        }
        let out = ringfort(&argv, dir.path()).map_err(TestCaseError::fail)?;
        prop_assert!(out.status != Some(101) && !out.stderr.contains("panicked"),
            "ringfort {:?} panicked (status {:?}):\n{}", argv, out.status, out.stderr);
        prop_assert!(out.status.is_some(), "ringfort {:?} was killed by a signal:\n{}", argv, out.stderr);
        if out.status == Some(1) || out.status == Some(2) {
            prop_assert!(!out.stderr.trim().is_empty(), "ringfort {:?} failed without a message", argv);
        }
    }

    /// `ringfort run` of random flat images and disk images.
    #[test]
    fn cli_runs_random_images(
        bytes in prop::collection::vec(any::<u8>(), 1..512),
        disk in prop::collection::vec(any::<u8>(), 0..4096),
        engine in select(vec!["interp", "threaded"]),
        use_disk in any::<bool>(),
    ) {
        let dir = workdir(&bytes, &disk, "");
        let mut argv: Vec<String> = ["run", "random.bin", "--engine", engine, "--serial", "none", "--max-cycles", "50000"]
            .iter().map(|s| s.to_string()).collect();
        if use_disk && has_drive() {
            argv.push("-drive".into());
            argv.push("file=disk.img".into());
        }
        let out = ringfort(&argv, dir.path()).map_err(TestCaseError::fail)?;
        prop_assert!(out.status != Some(101) && !out.stderr.contains("panicked"),
            "ringfort {:?} panicked:\n{}", argv, out.stderr);
        prop_assert!(out.status.is_some(), "killed by a signal: {:?}", argv);
    }
}
