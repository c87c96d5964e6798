//! Ringfort OS end to end, through its public interface: `ringfort` boots it headless and the
//! tests type at its shell over the serial console (piped standard input, or a TCP client),
//! then read the transcript. Piped input reaches the guest whole at the first poll and ends
//! with a Ctrl-D (the shell then syncs and powers off), so every run here is deterministic.

#[path = "support/cli.rs"]
mod cli;

use cli::{ringfort_cmd as bin, text, wait_exit};
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Output, Stdio};
use std::time::Duration;

/// A guard against a hung guest: far more than any session here needs.
const MAX_CYCLES: &str = "20000000000";

/// Boots with `args` and types `input` at the shell; returns when the machine stops.
fn boot(args: &[&str], input: &str) -> Output {
    let mut all = vec!["--max-cycles", MAX_CYCLES];
    all.extend_from_slice(args);
    cli::ringfort_piped(&all, input.as_bytes())
}

/// Boots, runs `input`, requires a clean power-off; returns the console transcript.
fn session(args: &[&str], input: &str) -> String {
    let out = boot(args, input);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        text(&out.stderr)
    );
    stdout
}

/// The output of the command typed as `cmd` (from its echoed line to the next prompt).
fn output_of<'a>(transcript: &'a str, cmd: &str) -> &'a str {
    let start = transcript
        .find(&format!("$ {cmd}\n"))
        .unwrap_or_else(|| panic!("`{cmd}` not in the transcript:\n{transcript}"))
        + cmd.len()
        + 3;
    let rest = &transcript[start..];
    &rest[..rest.find("\n$ ").map(|i| i + 1).unwrap_or(rest.len())]
}

fn has(out: &str, want: &str) {
    assert!(out.contains(want), "expected {want:?} in:\n{out}");
}

#[test]
fn boots_to_the_shell_and_powers_off() {
    let out = boot(&[], "poweroff\n");
    assert!(out.status.success(), "{out:?}");
    let t = text(&out.stdout);
    has(&t, "Ringfort boot ROM\nRAM: 64 MiB\n");
    has(
        &t,
        "Ringfort OS 0.1 -- kernel in ring 0, drivers in ring 1, file service in ring 2",
    );
    has(
        &t,
        "devices: console (uart), timer, interrupt controller, disk 1024 KiB",
    );
    has(&t, "\n$ poweroff\n");
    has(
        &text(&out.stderr),
        "booting from the built-in disk in memory",
    );
    // -m reaches the kernel: the boot ROM measures RAM.
    let t = session(&["-m", "8M"], "mem\n");
    has(&t, "RAM: 8 MiB");
    has(
        output_of(&t, "mem"),
        "total        2048 pages       8192 KiB",
    );
}

#[test]
fn every_builtin_command() {
    let t = session(
        &[],
        "help\nls\ncat motd\necho one two > f\necho three >> f\ncat f\nls\nrm f\ncat f\n\
         ps\nmem\nrings\nuname\nclear\nbogus\nkill 999\n",
    );
    let help = output_of(&t, "help");
    for b in [
        "ls", "cat", "echo", "rm", "ps", "kill", "mem", "rings", "clear", "poweroff",
    ] {
        has(help, &format!("  {b} "));
    }
    has(help, "hello");
    let ls = output_of(&t, "ls");
    for f in [
        "sh", "hello", "spin", "draw", "crash", "spyware", "motd", "README",
    ] {
        assert!(
            ls.lines().any(|l| l.split_whitespace().next() == Some(f)),
            "{f} not listed:\n{ls}"
        );
    }
    has(output_of(&t, "cat motd"), "Welcome to Ringfort OS");
    assert_eq!(output_of(&t, "cat f"), "one two\nthree\n");
    has(&t, "$ rm f\n$ cat f\ncat: f: no such file\n");
    let ps = output_of(&t, "ps");
    has(ps, "PID PARENT STATE     RING            CYCLES  NAME");
    assert!(
        ps.lines()
            .any(|l| l.ends_with(" init") && l.contains("sleeping")),
        "{ps}"
    );
    assert!(
        ps.lines()
            .any(|l| l.ends_with(" sh") && l.contains("running")),
        "{ps}"
    );
    has(
        output_of(&t, "mem"),
        "total       16384 pages      65536 KiB",
    );
    let rings = output_of(&t, "rings");
    has(rings, "   2 SYS_WRITE     ");
    has(rings, "fs_write        2 file service  3: rings 2-3");
    has(rings, "k_exec          0 kernel        2: rings 0-2");
    has(rings, "ring 1  drivers       serves 10 gates");
    has(output_of(&t, "uname"), "Ringfort OS 0.1");
    has(output_of(&t, "clear"), "\x1b[2J\x1b[H");
    has(output_of(&t, "bogus"), "sh: bogus: no such file");
    has(output_of(&t, "kill 999"), "no such process");
}

#[test]
fn programs_run_with_their_arguments() {
    let t = session(&[], "hello a bb ccc\ndraw\nspyware ask\nwc motd\n");
    assert_eq!(
        output_of(&t, "hello a bb ccc"),
        "Hello from ring 3!\nargv[1] = a\nargv[2] = bb\nargv[3] = ccc\n"
    );
    has(
        output_of(&t, "draw"),
        "draw: on the 640x480 framebuffer: 8 colour bars",
    );
    let spy = output_of(&t, "spyware ask");
    has(
        spy,
        "spyware: the camera driver switched the camera on (allowed: through gate SYS_CAMERA into ring 1)",
    );
    has(spy, "switched it off again (status 0)");
    has(output_of(&t, "wc motd"), " motd");
}

#[test]
fn a_fault_kills_only_the_offender() {
    let t = session(
        &[],
        "spin 1000000 &\ncrash null\ncrash priv\ncrash kernel\ncrash stack\ncrash gate\n\
         spyware\nhello still here\nps\nkill 3\nwait\n",
    );
    let cases = [
        (
            "crash null",
            "PAGE_FAULT (read, not present) in ring 3 at pc 0x4",
            "address 0x00000000; killed",
            133,
        ),
        (
            "crash priv",
            "PRIVILEGE violation in ring 3 at pc 0x4",
            "; killed",
            130,
        ),
        (
            "crash kernel",
            "PAGE_FAULT (read, page of a more privileged ring) in ring 3",
            "address 0x00001000; killed",
            133,
        ),
        (
            "crash stack",
            "PAGE_FAULT (write, not present) in ring 3",
            "address 0x403fb",
            133,
        ),
        ("crash gate", "GATE_FAULT in ring 3", "; killed", 134),
        (
            "spyware",
            "IO_PRIVILEGE violation in ring 3",
            "address 0xf0008000; killed",
            137,
        ),
    ];
    for (cmd, fault, tail, status) in cases {
        let out = output_of(&t, cmd);
        has(out, "kernel: process ");
        has(out, fault);
        has(out, tail);
        has(out, &format!("(exit status {status})"));
    }
    // The shell, a new program and the background spinner all went on.
    has(
        output_of(&t, "hello still here"),
        "Hello from ring 3!\nargv[1] = still\nargv[2] = here\n",
    );
    let ps = output_of(&t, "ps");
    assert!(
        ps.lines()
            .any(|l| l.starts_with("  3 ") && l.ends_with(" spin")),
        "{ps}"
    );
    has(&t, "[3] done (status 128)");
}

#[test]
fn two_background_spins_share_the_cpu() {
    let t = session(&[], "spin 4 &\nspin 4 &\nps\nwait\n");
    has(&t, "[3]\n");
    has(&t, "[4]\n");
    let ps = output_of(&t, "ps");
    assert_eq!(
        ps.lines().filter(|l| l.ends_with(" spin")).count(),
        2,
        "{ps}"
    );
    // Both make progress before either is done: their lines interleave.
    let order: Vec<&str> = t
        .lines()
        .filter_map(|l| l.strip_prefix("spin "))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(order.len(), 8, "{t}");
    let first_done = order
        .iter()
        .position(|p| order.iter().filter(|q| *q == p).count() == 4);
    assert!(
        order[..4].contains(&"3") && order[..4].contains(&"4"),
        "not interleaved: {order:?}"
    );
    assert!(first_done.is_some());
    has(&t, "[3] done (status 0)");
    has(&t, "[4] done (status 0)");
}

#[test]
fn running_out_of_processes_is_an_error_not_a_crash() {
    let input: String =
        std::iter::repeat_n("sleep 2 &\n", 34).collect::<String>() + "wait\nhello ok\n";
    let t = session(&[], &input);
    has(&t, "sh: sleep: out of processes");
    has(output_of(&t, "hello ok"), "Hello from ring 3!");
}

#[test]
fn files_written_by_the_guest_persist_and_extract() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("disk.img");
    let img_s = img.to_str().unwrap();
    let mk = bin().args(["mkdisk", img_s, "--os"]).output().unwrap();
    assert!(mk.status.success(), "{mk:?}");
    let drive = format!("file={img_s}");
    // Two files that grow in turn: each append past a sector boundary must move one of them
    // (the other sits right after it), and `rm` frees a program's sectors for reuse.
    let chunk = |i: usize| format!("{i:02}-{}", "abcdefghij".repeat(19));
    let mut input = String::from("echo first > note\necho second >> note\nrm hello\n");
    let mut big = String::new();
    let mut other = String::new();
    for i in 0..8 {
        input += &format!(
            "echo {} >> big\necho {} >> other\n",
            chunk(i),
            chunk(i + 50)
        );
        big += &format!("{}\n", chunk(i));
        other += &format!("{}\n", chunk(i + 50));
    }
    let t = session(&["-drive", &drive], &(input + "poweroff\n"));
    has(&t, "$ poweroff\n");
    assert!(!text(&boot(&["-drive", &drive], "poweroff\n").stderr).contains("built-in disk"));
    let t = session(&["-drive", &drive], "cat note\ncat big\ncat other\nls\n");
    assert_eq!(output_of(&t, "cat note"), "first\nsecond\n");
    assert_eq!(output_of(&t, "cat big"), big);
    assert_eq!(output_of(&t, "cat other"), other);
    assert!(!output_of(&t, "ls").contains("hello "), "rm hello was kept");
    let out = dir.path().join("note.out");
    let ex = bin()
        .args([
            "mkdisk",
            "--extract",
            "note",
            "-o",
            out.to_str().unwrap(),
            img_s,
        ])
        .output()
        .unwrap();
    assert!(ex.status.success(), "{ex:?}");
    assert_eq!(std::fs::read(&out).unwrap(), b"first\nsecond\n");
    let list = text(
        &bin()
            .args(["mkdisk", "--list", img_s])
            .output()
            .unwrap()
            .stdout,
    );
    has(&list, "note");
    has(&list, "big");
}

#[test]
fn a_students_program_on_their_own_disk() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("prog.s");
    std::fs::write(
        &src,
        r#"        .include "abi.inc"
        .text
        .global main
# main(argc, argv): greets, prints its arguments, and shows that the kernel checks pointers.
main:   addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)
        sw      s1, 4(sp)
        mv      s0, a0
        mv      s1, a1
        la      a0, hi
        call    puts
        li      a0, 1
        li      a1, 0x1000              # the kernel's memory: not ours to pass
        li      a2, 16
        callg   SYS_WRITE
        mv      a1, a0
        la      a0, fmt
        call    printf
        lw      a1, 4(s1)               # argv[1]
        lw      a2, 8(s1)               # argv[2]
        mv      a3, s0
        la      a0, args
        call    printf
        li      a0, 7
        lw      s1, 4(sp)
        lw      s0, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret
        .rodata
hi:     .asciz  "student program in ring 3"
fmt:    .asciz  "write(kernel pointer) = %d\n"
args:   .asciz  "args %s %s (argc %d)\n"
"#,
    )
    .unwrap();
    let prog = dir.path().join("prog");
    let asm = bin()
        .args([
            "asm",
            "--os",
            src.to_str().unwrap(),
            "-o",
            prog.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(asm.status.success(), "{}", text(&asm.stderr));
    let img = dir.path().join("disk.img");
    let mk = bin()
        .args([
            "mkdisk",
            img.to_str().unwrap(),
            "--os",
            prog.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(mk.status.success(), "{}", text(&mk.stderr));
    let t = session(
        &["-drive", &format!("file={}", img.display())],
        "ls\nprog arg1 arg2\n",
    );
    assert!(output_of(&t, "ls").lines().any(|l| l.starts_with("prog ")));
    assert_eq!(
        output_of(&t, "prog arg1 arg2"),
        "student program in ring 3\nwrite(kernel pointer) = -1\nargs arg1 arg2 (argc 3)\n(exit status 7)\n"
    );
}

/// Assembles `src` with `ringfort asm --os` into `dir/name`.
fn os_program(dir: &std::path::Path, name: &str, src: &str) -> std::path::PathBuf {
    let s = dir.join(format!("{name}.s"));
    std::fs::write(&s, src).unwrap();
    let prog = dir.join(name);
    let asm = bin()
        .args([
            "asm",
            "--os",
            s.to_str().unwrap(),
            "-o",
            prog.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(asm.status.success(), "{}", text(&asm.stderr));
    prog
}

/// A disk image in `dir` with the default disk's files plus `progs`.
fn os_disk(dir: &std::path::Path, progs: &[&std::path::Path]) -> String {
    let img = dir.join("disk.img");
    let mut args = vec![
        "mkdisk".to_string(),
        img.display().to_string(),
        "--os".into(),
    ];
    args.extend(progs.iter().map(|p| p.display().to_string()));
    let mk = bin().args(&args).output().unwrap();
    assert!(mk.status.success(), "{}", text(&mk.stderr));
    format!("file={}", img.display())
}

#[test]
fn bad_arguments_are_errors_and_memory_runs_out_without_a_leak() {
    let dir = tempfile::tempdir().unwrap();
    // Each call with a bad argument prints its result; then the heap grows until sbrk fails.
    let hog = os_program(
        dir.path(),
        "hog",
        r#"        .include "abi.inc"
        .text
        .global main
main:   addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        li      a0, 1                   # unmapped memory
        li      a1, 0x40380000
        li      a2, 4
        callg   SYS_WRITE
        mv      a1, a0
        la      a0, unmapped
        call    printf
        li      a0, 7                   # a descriptor that is not open
        la      a1, unmapped
        li      a2, 4
        callg   SYS_WRITE
        mv      a1, a0
        la      a0, badfd
        call    printf
        la      a0, longname            # a path longer than NAME_MAX
        li      a1, O_READ
        callg   SYS_OPEN
        mv      a1, a0
        la      a0, toolong
        call    printf
        li      a0, 0                   # a record the kernel would write into our code
        la      a1, main
        callg   SYS_MEM
        mv      a1, a0
        la      a0, readonly
        call    printf
        li      s0, 0                   # KiB obtained
1:      li      a0, 65536
        callg   SYS_SBRK
        bltz    a0, 2f
        addi    s0, s0, 64
        j       1b
2:      call    strerror
        mv      a2, a0
        mv      a1, s0
        la      a0, got
        call    printf
        li      a0, 0
        lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret
        .rodata
unmapped: .asciz "unmapped %d\n"
badfd:    .asciz "badfd %d\n"
toolong:  .asciz "toolong %d\n"
readonly: .asciz "readonly %d\n"
longname: .asciz "a_name_that_is_far_too_long_for_rffs"
got:      .asciz "heap %u KiB, then: %s\n"
"#,
    );
    let drive = os_disk(dir.path(), &[&hog]);
    let t = session(
        &["-m", "3M", "-drive", &drive],
        "hog
hog
hello ok
",
    );
    let first = output_of(&t, "hog");
    for want in [
        "unmapped -1
",
        "badfd -2
",
        "toolong -4
",
        "readonly -1
",
    ] {
        has(first, want);
    }
    let heaps: Vec<&str> = t.lines().filter(|l| l.starts_with("heap ")).collect();
    assert_eq!(heaps.len(), 2, "{t}");
    assert!(heaps[0].ends_with(", then: out of memory"), "{t}");
    // The first run's pages all came back: the second gets exactly as much.
    assert_eq!(heaps[0], heaps[1]);
    has(output_of(&t, "hello ok"), "Hello from ring 3!");
}

/// The cycle count a run reports with --json.
fn cycles(out: &Output) -> u64 {
    let err = text(&out.stderr);
    let json = err
        .lines()
        .find(|l| l.starts_with('{'))
        .expect("--json line");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["cycles"].as_u64().expect("cycles")
}

#[test]
fn the_same_input_gives_the_same_run_on_both_engines() {
    let input = "ls\nspin 3 &\nhello x\ncrash null\necho a > f\ncat f\nps\nwait\n";
    let a = boot(&["--json"], input);
    let b = boot(&["--json"], input);
    let c = boot(&["--json", "--engine", "interp"], input);
    for o in [&a, &b, &c] {
        assert!(o.status.success(), "{o:?}");
    }
    assert_eq!(text(&a.stdout), text(&b.stdout));
    assert_eq!(text(&a.stdout), text(&c.stdout));
    assert_eq!(cycles(&a), cycles(&b));
    assert_eq!(cycles(&a), cycles(&c));
}

#[test]
fn a_tcp_client_is_the_console_and_ctrl_c_stops_the_foreground_program() {
    let mut child = bin()
        .args([
            "--max-cycles",
            MAX_CYCLES,
            "-serial",
            "tcp:127.0.0.1:0,wait",
            "-drive",
            "builtin",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let addr = cli::tcp_address(&mut err);
    let mut s = TcpStream::connect(&addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let read_until = |s: &mut TcpStream, want: &str| -> String {
        let mut got = Vec::new();
        let mut b = [0u8; 256];
        while !text(&got).contains(want) {
            let n = s.read(&mut b).expect("reads");
            assert!(n > 0, "closed before {want:?}: {}", text(&got));
            got.extend_from_slice(&b[..n]);
        }
        text(&got)
    };
    read_until(&mut s, "\n$ ");
    s.write_all(b"hello over tcp\n").unwrap();
    let got = read_until(&mut s, "argv[2] = tcp\n");
    has(&got, "Hello from ring 3!");
    // Ctrl-C stops the program in the foreground (pid 4: init, sh, hello came before it).
    s.write_all(b"spin\n").unwrap();
    read_until(&mut s, "spin 4: 2\n");
    s.write_all(b"\x03").unwrap();
    let got = read_until(&mut s, "(exit status 128)\n$ ");
    has(&got, "^C\n");
    // With nobody in the foreground, Ctrl-C drops the line being typed.
    s.write_all(b"echo never\x03").unwrap();
    read_until(&mut s, "echo never^C\n$ ");
    s.write_all(b"echo fine\n").unwrap();
    let got = read_until(&mut s, "fine\n$ ");
    assert!(!got.contains("never\n"), "the cancelled line ran: {got}");
    s.write_all(b"poweroff\n").unwrap();
    let status = wait_exit(&mut child, 30);
    assert!(status.success(), "{status:?}");
}
