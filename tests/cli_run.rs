//! `ringfort run` from the outside: exit statuses, cycle limit, triple fault, --trace, --stats,
//! refused ELF files, -m, and flat binaries with --base.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::cli::{ringfort_capped, ringfort_cmd, ringfort_output as ringfort};

fn status(o: &Output) -> i32 {
    o.status.code().expect("exited normally (not by a signal)")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `src` to `dir/name` and returns the path.
fn write(dir: &Path, name: &str, src: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, src).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Asserts a failure that is an error report, not a crash.
fn assert_clean_error(o: &Output, what: &str) {
    let err = stderr(o);
    assert_ne!(status(o), 0, "{what}: should fail\n{err}");
    assert_ne!(status(o), 101, "{what}: must not panic\n{err}");
    assert!(!err.contains("panicked"), "{what}: panicked\n{err}");
    assert!(err.contains("error"), "{what}: no error message\n{err}");
}

#[test]
fn exit_status_is_the_guests_a0() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(
        dir.path(),
        "exit.s",
        ".global _start\n_start: li a0, 42\n halt\n",
    );
    // From source, on both engines, and from an ELF made by `ringfort asm`.
    assert_eq!(status(&ringfort(&["run", s(&src)])), 42);
    assert_eq!(
        status(&ringfort(&["run", "--engine", "threaded", s(&src)])),
        42
    );
    let elf = dir.path().join("exit.elf");
    assert_eq!(status(&ringfort(&["asm", "-o", s(&elf), s(&src)])), 0);
    assert_eq!(status(&ringfort(&["run", s(&elf)])), 42);
    // Only the low 8 bits reach the host; 0 is success.
    let src = write(dir.path(), "zero.s", "_start: li a0, 0x100\n halt\n");
    assert_eq!(status(&ringfort(&["run", s(&src)])), 0);
    // POWEROFF's value is the exit code too.
    let src = write(
        dir.path(),
        "off.s",
        "_start: li t0, 0xF0007000\n li t1, 7\n sw t1, 0(t0)\n li a0, 99\n halt\n",
    );
    assert_eq!(status(&ringfort(&["run", s(&src)])), 7);
}

#[test]
fn max_cycles_stops_an_infinite_loop_with_124() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "spin.s", "_start: j _start\n");
    for engine in ["interp", "threaded"] {
        let o = ringfort(&["run", "--engine", engine, "--max-cycles", "1000", s(&src)]);
        assert_eq!(status(&o), 124, "{engine}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("cycle limit"), "{engine}: {err}");
        assert!(
            err.contains("--max-cycles"),
            "{engine}: says how to raise it: {err}"
        );
    }
}

#[test]
fn triple_fault_exits_125_with_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    // vbase points at zeroed RAM: no vector is present, so the divide error cannot be
    // delivered, nor can the double fault.
    let src = write(
        dir.path(),
        "triple.s",
        "_start: li t0, 0x200000\n mtcr vbase, t0\n div t1, t0, zero\n halt\n",
    );
    for engine in ["interp", "threaded"] {
        let o = ringfort(&["run", "--engine", engine, s(&src)]);
        assert_eq!(status(&o), 125, "{engine}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("triple fault"), "{err}");
        assert!(err.contains("vector 7"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn trace_shows_pc_ring_disassembly_writes_and_cycles() {
    let dir = tempfile::tempdir().unwrap();
    // brk goes through vector 8 of a small table; the rest is straight-line code.
    let src = write(
        dir.path(),
        "trace.s",
        r#"
        .global _start
_start: li      sp, 0x10000             # 1 instruction (lui)
        la      t0, vectors             # 2 (lui + ori)
        mtcr    vbase, t0
        addi    t0, zero, 5
        sw      t0, 0x100(zero)
        lw      t1, 0x100(zero)
        add     t2, t1, t1
        brk
        li      a0, 10
        halt
handler:
        iret
        .data
        .balign 8
vectors:
        .space  64
        .word   handler, 1              # vector 8: present, ring 0
"#,
    );
    let o = ringfort(&["run", "--trace", s(&src)]);
    assert_eq!(status(&o), 10, "halt with a0 = 10? {}", stderr(&o));
    let err = stderr(&o);
    let line = |needle: &str| -> String {
        err.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no trace line with {needle:?}:\n{err}"))
            .to_string()
    };
    // One line per instruction: pc, ring, disassembly, registers written, cycles taken.
    let addi = line("li t0, 5");
    assert!(addi.contains("r0"), "ring: {addi}");
    assert!(addi.contains("t0=0x5"), "register written: {addi}");
    assert!(addi.contains("(+1)"), "cycles: {addi}");
    let sw = line("sw t0, 256(zero)");
    assert!(
        sw.contains("[0x100]") && sw.contains("=0x5"),
        "memory written: {sw}"
    );
    let add = line("add t2, t1, t1");
    assert!(add.contains("t2=0xa"), "{add}");
    assert!(add.contains("(+2)"), "load-use stall: {add}");
    // the pc of the add: the eighth instruction
    assert!(add.contains("0000001c"), "pc: {add}");
    // exception deliveries are traced too
    let brk = line("vector 8");
    assert!(brk.contains("ring 0 -> 0"), "{brk}");
}

#[test]
fn stats_report_every_counter() {
    // The same program in-process (both engines) gives the numbers the report must show.
    let run = common::pass_guest("cli_stats.s");
    let m = &run.m;
    let path = common::test_path("guest/cli_stats.s");
    let o = ringfort(&["run", "-m", "4M", "--stats", s(&path)]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    let value = |key: &str| -> String {
        err.lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("no {key:?} line:\n{err}"))
            .to_string()
    };
    assert!(
        value("instructions").contains(&m.cpu.retired.to_string()),
        "{err}"
    );
    assert!(value("cycles").contains(&m.cpu.cycles.to_string()), "{err}");
    let cpi = format!("{:.3}", m.cpu.cycles as f64 / m.cpu.retired as f64);
    assert!(value("CPI").contains(&cpi), "CPI {cpi}: {err}");
    let tlb = value("TLB");
    assert!(tlb.contains(&format!("{} hits", m.tlb.hits)), "{tlb}");
    assert!(tlb.contains(&format!("{} misses", m.tlb.misses)), "{tlb}");
    assert!(m.tlb.hits > 0 && m.tlb.misses > 0);
    // exceptions by vector: the breakpoint (8) and the divide error (7), once each
    assert!(err.contains("by vector"), "{err}");
    assert_eq!((m.stats.deliveries[7], m.stats.deliveries[8]), (1, 1));
    let v7 = value("7 ");
    assert!(
        v7.contains("divide") && v7.trim_end().ends_with(" 1"),
        "{v7}"
    );
    let v8 = value("8 ");
    assert!(
        v8.contains("breakpoint") && v8.trim_end().ends_with(" 1"),
        "{v8}"
    );
    // gate calls by gate: gate 0 (exit) once, gate 4 (the service) once
    assert!(err.contains("gate calls"), "{err}");
    let g4 = value("gate 4");
    assert!(g4.trim_end().ends_with(" 1"), "{g4}");
    // ring transitions, from -> to, with counts from the machine
    assert!(err.contains("ring transitions"), "{err}");
    let t03 = m.stats.ring_transitions[0][3];
    let t30 = m.stats.ring_transitions[3][0];
    assert!(t03 >= 3 && t30 >= 3, "{t03} {t30}");
    assert!(
        value("0 -> 3").trim_end().ends_with(&format!(" {t03}")),
        "{err}"
    );
    assert!(
        value("3 -> 0").trim_end().ends_with(&format!(" {t30}")),
        "{err}"
    );
}

/// A valid ELF from `ringfort asm`, for the corruption tests.
fn good_elf(dir: &Path) -> Vec<u8> {
    let src = write(dir, "ok.s", "_start: li a0, 3\n halt\n");
    let elf = dir.join("ok.elf");
    assert_eq!(status(&ringfort(&["asm", "-o", s(&elf), s(&src)])), 0);
    std::fs::read(elf).unwrap()
}

#[test]
fn bad_elf_files_are_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let elf = good_elf(dir.path());
    let ok = write(dir.path(), "ok2.elf", "");
    std::fs::write(&ok, &elf).unwrap();
    assert_eq!(
        status(&ringfort(&["run", s(&ok)])),
        3,
        "the intact file runs"
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated header", elf[..20].to_vec()),
        (
            "truncated after the header",
            elf[..60.min(elf.len() - 1)].to_vec(),
        ),
        ("truncated program data", elf[..elf.len() / 2].to_vec()),
        ("wrong machine", {
            let mut e = elf.clone();
            e[18] = 0x3E; // EM_X86_64
            e[19] = 0;
            e
        }),
        ("64-bit class", {
            let mut e = elf.clone();
            e[4] = 2;
            e
        }),
        ("big endian", {
            let mut e = elf.clone();
            e[5] = 2;
            e
        }),
        ("garbage after the magic", {
            let mut e = b"\x7fELF".to_vec();
            e.extend((0..200u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
            e
        }),
        ("magic only", b"\x7fELF".to_vec()),
        ("program header offset out of the file", {
            let mut e = elf.clone();
            e[28..32].copy_from_slice(&0x7fff_fff0u32.to_le_bytes()); // e_phoff
            e
        }),
    ];
    for (what, bytes) in cases {
        let p = dir.path().join("bad.elf");
        std::fs::write(&p, &bytes).unwrap();
        let o = ringfort(&["run", s(&p)]);
        assert_clean_error(&o, what);
        let err = stderr(&o);
        assert!(err.contains("bad.elf"), "{what}: names the file: {err}");
        if what == "wrong machine" {
            assert!(err.contains("RF32"), "{what}: says why: {err}");
        }
        if what == "truncated header" {
            assert!(err.contains("too short"), "{what}: says why: {err}");
        }
    }
    // an empty file and a missing file
    let p = dir.path().join("empty.bin");
    std::fs::write(&p, b"").unwrap();
    assert_clean_error(&ringfort(&["run", s(&p)]), "empty file");
    let p = dir.path().join("does-not-exist.elf");
    assert_clean_error(&ringfort(&["run", s(&p)]), "missing file");
}

#[test]
fn memory_size_option() {
    let dir = tempfile::tempdir().unwrap();
    // Store and load the last word of a 1 GiB RAM. With less RAM the store is a bus error
    // (vbase = 0 here: vector 4's descriptor is this program's own code, which makes the
    // machine stop one way or another, just not with 0x1234).
    let src = write(
        dir.path(),
        "big.s",
        "_start: li t0, 0x3FFFFFFC\n li t1, 0x1234\n sw t1, 0(t0)\n lw a0, 0(t0)\n \
         addi a0, a0, -0x1234\n addi a0, a0, 77\n halt\n",
    );
    let started = std::time::Instant::now();
    let o = ringfort(&["run", "-m", "1G", s(&src)]);
    assert_eq!(status(&o), 77, "{}", stderr(&o));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "1 GiB of RAM must not be touched up front"
    );
    let o = ringfort(&["run", "-m", "1024M", "--engine", "threaded", s(&src)]);
    assert_eq!(status(&o), 77, "{}", stderr(&o));
    let o = ringfort(&["run", "-m", "64M", "--max-cycles", "10000", s(&src)]);
    assert_ne!(status(&o), 77);
    // Bad sizes are usage errors with a message, not crashes.
    for bad in ["5X", "0", "4G", "3K", "-1", "", "1.5G", "99999999999G"] {
        let opt = format!("--memory={bad}");
        let o = ringfort(&["run", &opt, s(&src)]);
        let err = stderr(&o);
        assert_ne!(status(&o), 0, "-m {bad:?}");
        assert_ne!(status(&o), 101, "-m {bad:?} panicked: {err}");
        assert!(
            err.contains("-m") || err.contains("memory"),
            "-m {bad:?}: {err}"
        );
    }
}

/// With 1 GiB of RAM configured, the host process does not grow by anything like 1 GiB until
/// the guest touches it (RAM is allocated zeroed, lazily backed).
#[cfg(target_os = "linux")]
#[test]
fn large_ram_is_not_touched_up_front() {
    fn rss_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
    let before = rss_kib();
    let m = emulator::Machine::new(emulator::Config {
        ram_size: 1 << 30,
        ..Default::default()
    });
    let grown = rss_kib().saturating_sub(before);
    assert_eq!(m.ram().len(), 1 << 30);
    assert!(
        grown < 256 << 10,
        "RSS grew by {grown} KiB for 1 GiB of guest RAM"
    );
}

#[test]
fn flat_binary_runs_at_its_base() {
    let dir = tempfile::tempdir().unwrap();
    // Absolute addresses (la = lui + ori) make it depend on being loaded where it was linked.
    let src = write(
        dir.path(),
        "flat.s",
        "_start: la t0, value\n lw a0, 0(t0)\n halt\n .data\nvalue: .word 55\n",
    );
    let bin = dir.path().join("flat.bin");
    let o = ringfort(&[
        "asm",
        "-O",
        "binary",
        "--base",
        "0x10000",
        "-o",
        s(&bin),
        s(&src),
    ]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let bytes = std::fs::read(&bin).unwrap();
    assert!(!bytes.starts_with(b"\x7fELF"), "a flat image, not an ELF");
    let o = ringfort(&["run", "--base", "0x10000", s(&bin)]);
    assert_eq!(status(&o), 55, "{}", stderr(&o));
    let o = ringfort(&["run", "--engine", "threaded", "--base", "65536", s(&bin)]);
    assert_eq!(status(&o), 55, "{}", stderr(&o));
}

/// Sizes an input file states are checked against the machine before anything is allocated:
/// a segment claiming 4 GiB of memory, or a flat image larger than RAM, is refused at once
/// within a 512 MiB address space (it used to allocate the 4 GiB first).
#[test]
fn sizes_in_input_files_allocate_nothing_before_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut elf = good_elf(dir.path());
    let phoff = u32::from_le_bytes(elf[28..32].try_into().unwrap()) as usize;
    elf[phoff + 20..phoff + 24].copy_from_slice(&0xffff_f000u32.to_le_bytes()); // p_memsz
    let p = dir.path().join("huge.elf");
    std::fs::write(&p, &elf).unwrap();
    let started = std::time::Instant::now();
    let o = ringfort_capped(512, &["run", s(&p)]);
    assert_clean_error(&o, "p_memsz 0xfffff000");
    assert!(stderr(&o).contains("does not fit"), "{}", stderr(&o));
    assert!(started.elapsed() < std::time::Duration::from_secs(3));

    // A flat image one byte larger than what 4 MiB of RAM, the ROM and the header allowance
    // can hold is refused before it is read.
    let big = dir.path().join("big.bin");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len((4 << 20) + (1 << 20) + (256 << 20) + 1).unwrap(); // sparse: costs no disk
    let o = ringfort_capped(512, &["run", "-m", "4M", s(&big)]);
    assert_clean_error(&o, "flat image larger than the machine");
    assert!(stderr(&o).contains("larger than"), "{}", stderr(&o));
}

/// Outputs to a device are written in place, never replaced by a regular file (as GNU as's
/// `-o /dev/null`); a link to a file is followed. The device is a null device made in a
/// temporary folder (this needs root, as CI has; elsewhere the test says so and stops).
#[test]
fn outputs_to_devices_and_links_are_written_through() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let null = dir.path().join("null");
    let made = Command::new("mknod")
        .args([s(&null), "c", "1", "3"])
        .status()
        .map(|st| st.success())
        .unwrap_or(false);
    if !made {
        eprintln!("skipped: mknod needs root");
        return;
    }
    let src = write(dir.path(), "p.s", "_start: li a0, 0\n halt\n");
    let is_device = |p: &Path| {
        std::fs::symlink_metadata(p)
            .unwrap()
            .file_type()
            .is_char_device()
    };
    assert_eq!(status(&ringfort(&["asm", "-o", s(&null), s(&src)])), 0);
    assert!(is_device(&null), "asm -o kept the device");
    let out = dir.path().join("out.elf");
    assert_eq!(
        status(&ringfort(&["asm", "-o", s(&out), "-l", s(&null), s(&src)])),
        0
    );
    assert!(is_device(&null), "asm -l kept the device");
    let o = ringfort(&["run", "-screenshot", s(&null), s(&src)]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert!(is_device(&null), "-screenshot kept the device");
    let o = ringfort(&["mkdisk", s(&null), "--size", "64K", "--force"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert!(is_device(&null), "mkdisk kept the device");
    // A link to an ELF: the ELF is replaced, the link kept.
    let elf = dir.path().join("a.elf");
    std::fs::write(&elf, b"old").unwrap();
    let link = dir.path().join("link.elf");
    std::os::unix::fs::symlink(&elf, &link).unwrap();
    assert_eq!(status(&ringfort(&["asm", "-o", s(&link), s(&src)])), 0);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read(&elf).unwrap().starts_with(b"\x7fELF"));
}

/// A screenshot is PNG: a name with another extension is refused before the run, and nothing
/// is written.
#[test]
fn a_screenshot_name_must_say_png() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "p.s", "_start: li a0, 0\n halt\n");
    let jpg = dir.path().join("out.jpg");
    let o = ringfort(&["run", "-screenshot", s(&jpg), s(&src)]);
    assert_clean_error(&o, "-screenshot out.jpg");
    assert!(stderr(&o).contains(".png"), "{}", stderr(&o));
    assert!(!jpg.exists());
    let png = dir.path().join("OUT.PNG");
    assert_eq!(
        status(&ringfort(&["run", "-screenshot", s(&png), s(&src)])),
        0
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

/// The exit-status table is written once: `run --help` prints every row of SPEC.md §14.1.
#[test]
fn exit_status_table_in_help_matches_spec() {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/isa-spec/SPEC.md")).unwrap();
    let section = &spec[spec.find("### 14.1").expect("SPEC.md has §14.1")..];
    let rows: Vec<(String, String)> = section
        .lines()
        .skip_while(|l| !l.starts_with("| status"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<_> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_string(), cells[2].to_string())
        })
        .collect();
    assert!(rows.len() >= 7, "{rows:?}");
    let help = String::from_utf8_lossy(&ringfort(&["run", "--help"]).stdout).into_owned();
    let help_rows: Vec<(String, String)> = help
        .lines()
        .skip_while(|l| !l.starts_with("Exit status"))
        .skip(1)
        .map(|l| {
            let (status, meaning) = l.trim().split_once(' ').unwrap();
            (status.to_string(), meaning.trim().to_string())
        })
        .collect();
    assert_eq!(rows, help_rows);
}

/// The guest's value and the emulator's own reasons can be told apart: the status is 8 bits,
/// but stderr and --json say what happened.
#[test]
fn exit_statuses_say_what_stopped_the_machine() {
    let dir = tempfile::tempdir().unwrap();
    let json_of = |o: &Output| -> serde_json::Value {
        let err = stderr(o);
        let line = err
            .lines()
            .find(|l| l.starts_with('{'))
            .expect("a JSON line");
        serde_json::from_str(line).unwrap()
    };
    // A guest value wider than a status: 300 exits 44, and says so.
    let p = write(dir.path(), "300.s", "_start: li a0, 300\n halt\n");
    let o = ringfort(&["run", "--json", s(&p)]);
    assert_eq!(status(&o), 44);
    assert!(stderr(&o).contains("exited with 300"), "{}", stderr(&o));
    let j = json_of(&o);
    assert_eq!(j["stop_reason"], "halted");
    assert_eq!(j["exit_value"], 300);
    assert_eq!(j["exit_status"], 44);
    // A guest's own 124 is not the cycle limit.
    let p = write(dir.path(), "124.s", "_start: li a0, 124\n halt\n");
    let o = ringfort(&["run", "--json", s(&p)]);
    assert_eq!(status(&o), 124);
    assert!(stderr(&o).contains("its own value"), "{}", stderr(&o));
    assert_eq!(json_of(&o)["stop_reason"], "halted");
    let p = write(dir.path(), "loop.s", "_start: j _start\n");
    let o = ringfort(&["run", "--json", "--max-cycles", "1000", s(&p)]);
    assert_eq!(status(&o), 124);
    assert!(stderr(&o).contains("cycle limit"), "{}", stderr(&o));
    let j = json_of(&o);
    assert_eq!(j["stop_reason"], "cycle-limit");
    assert_eq!(j["exit_value"], serde_json::Value::Null);
    // --stats says it too.
    let p = write(dir.path(), "7.s", "_start: li a0, 7\n halt\n");
    let o = ringfort(&["run", "--stats", s(&p)]);
    assert_eq!(status(&o), 7);
    assert!(
        stderr(&o).contains("stop reason      halted"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("exit value       7"), "{}", stderr(&o));
    // A guest that powers off with a value: the same.
    let p = write(
        dir.path(),
        "off.s",
        "_start: li t0, 0xF0007000\n li t1, 513\n sw t1, 0(t0)\n 1: j 1b\n",
    );
    let o = ringfort(&["run", "--json", s(&p)]);
    assert_eq!(status(&o), 1, "{}", stderr(&o));
    assert_eq!(json_of(&o)["stop_reason"], "poweroff");
    assert_eq!(json_of(&o)["exit_value"], 513);
}

/// A program names the RAM it expects with an absolute `RINGFORT_RAM` symbol, the default
/// for -m: the guest tests (4 MiB, set in check.inc) pass with a plain `ringfort run`, from
/// source or from an ELF; -m still wins; a size that is not whole pages is refused.
#[test]
fn a_program_names_its_ram_size() {
    let guest = |f: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/guest")
            .join(f)
    };
    for f in [
        "jumps.s",
        "loadstore.s",
        "gate_rules.s",
        "code_pages.s",
        "exceptions.s",
    ] {
        let o = ringfort(&["run", "--max-cycles", "50000000", s(&guest(f))]);
        assert_eq!(status(&o), 0, "{f}: {}", stderr(&o));
    }
    let dir = tempfile::tempdir().unwrap();
    let elf = dir.path().join("jumps.elf");
    let o = ringfort_cmd()
        .args(["asm", "-o", s(&elf), s(&guest("jumps.s"))])
        .current_dir(guest(""))
        .output()
        .unwrap();
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(status(&ringfort(&["run", s(&elf)])), 0);
    assert_eq!(
        status(&ringfort(&["run", "-m", "8M", s(&elf)])),
        39,
        "-m wins: RAM does not end at 4 MiB"
    );
    let bad = write(
        dir.path(),
        "bad.s",
        ".equ RINGFORT_RAM, 0x1001\n.global RINGFORT_RAM\n_start: halt\n",
    );
    let o = ringfort(&["run", s(&bad)]);
    assert_clean_error(&o, "RINGFORT_RAM not whole pages");
    assert!(stderr(&o).contains("RINGFORT_RAM"), "{}", stderr(&o));
}

/// A negative number given to a numeric option is a bad value with the rule, not an unknown
/// flag with a suggestion to write `-- -1`.
#[test]
fn negative_numbers_are_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "p.s", "_start: halt\n");
    for (opt, says) in [
        ("-m", "not a size"),
        ("--max-cycles", "not a cycle count"),
        ("--base", "not a 32-bit number"),
    ] {
        let o = ringfort(&["run", opt, "-1", s(&p)]);
        assert_eq!(status(&o), 2, "{opt}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{opt}: {}", stderr(&o));
        assert!(!stderr(&o).contains("-- -1"), "{opt}: {}", stderr(&o));
    }
}
