//! `ringfort debug`, driven the way a script or a test harness drives it: commands piped into
//! standard input, plain text out. `--echo` prints each command after `(rfdb) `, so the output
//! of each command can be picked out. These are the end-to-end tests (the binary's options,
//! exit statuses, files, disks, a TCP console, memory use, timing); the debugger's logic is
//! tested through the library in debugger/tests/session.rs.
mod common;
#[path = "support/oom_guard.rs"]
mod oom_guard;
#[path = "support/transcript.rs"]
mod transcript;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use transcript::{assert_one_line_error, section};

fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guest")
}

/// Runs the debugger on tests/guest/`prog` (from that directory, so `list` finds the source)
/// with `script` on stdin. Returns stdout; panics on a crash.
fn debug_in(dir: &Path, args: &[&str], script: &str) -> (String, i32) {
    let out = common::ringfort(dir, args, script);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "the debugger panicked:\n{stderr}\n--- stdout ---\n{stdout}"
    );
    (stdout, out.status.code().unwrap_or(-1))
}

fn debug(prog: &str, script: &str) -> String {
    debug_in(&guest_dir(), &["debug", "--echo", prog], script).0
}

/// Makes a blank 64 KiB disk image at `img` with `ringfort mkdisk`.
fn blank_disk(img: &Path) {
    let made = common::ringfort(
        &guest_dir(),
        &["mkdisk", &img.display().to_string(), "--size", "64K"],
        "",
    );
    assert!(made.status.success(), "{made:?}");
}

#[test]
fn state_commands() {
    let out = debug(
        "dbg_rings.s",
        "break after_gate\ncontinue\ninfo registers\ninfo registers a0 $sp pc\ninfo cr\n\
         set $a0 = 0x1234\np $a0\np/x $a0 + 1\np $1 * 2\np (i32)-1 < 0 && $ring == 3\n\
         set *counter = 9\nx/2xw counter\nx/4xb counter\nx/1dw counter\nx/3i $pc\nx\n\
         set *(u8*)counter = 'A'\nx/c counter\nprint $cycles > 0\np main\np/t 5\n\
         disassemble square\ndisassemble main,+8\nlist\nlist square\nlist dbg_rings.s:90\n\
         display/x $a0\ndisplay/i $pc\nstepi\ninfo display\nundisplay 1\nundisplay 7\n\
         info symbol 0x184\ninfo line square\ncycles\nset $zero = 1\nset $cycles = 1\n",
    );
    let regs = section(&out, "info registers");
    assert!(regs.contains("r2  sp    0x001fffe8"), "{regs}");
    assert!(regs.contains("pc        0x00000134 <after_gate>"), "{regs}");
    assert!(regs.contains("ring      3"), "{regs}");
    assert!(section(&out, "info registers a0 $sp pc").lines().count() == 3);
    let cr = section(&out, "info cr");
    assert!(
        cr.contains("status    0x0000000b  ring 3, IE 0, PG 1"),
        "{cr}"
    );
    assert!(cr.contains("sp0       0x00380000"), "{cr}");
    assert!(section(&out, "p $a0").contains("= 4660 (0x1234)"));
    assert!(section(&out, "p/x $a0 + 1").contains("= 0x1235"));
    assert!(section(&out, "p $1 * 2").contains("= 9320"));
    assert!(section(&out, "p (i32)-1 < 0 && $ring == 3").contains("= 1"));
    assert!(
        section(&out, "x/2xw counter").contains("0x00002000 <counter>:\t0x00000009\t0x00000000")
    );
    assert!(section(&out, "x/4xb counter").contains("0x09\t0x00\t0x00\t0x00"));
    assert!(section(&out, "x/1dw counter").contains("\t9"));
    let xi = section(&out, "x/3i $pc");
    assert!(
        xi.contains("=> 0x00000134 <after_gate>:  addi sp, sp, 8"),
        "{xi}"
    );
    assert_eq!(xi.lines().count(), 3);
    assert!(
        section(&out, "x").contains("0x00000140"),
        "x continues after the last one"
    );
    assert!(section(&out, "x/c counter").contains("65 'A'"));
    assert!(section(&out, "print $cycles > 0").contains("= 1"));
    assert!(section(&out, "p main").contains("(0x108) <main>"));
    assert!(section(&out, "p/t 5").contains("0b101"));
    let d = section(&out, "disassemble square");
    assert!(
        d.contains("Dump of assembler code for function square:"),
        "{d}"
    );
    assert!(d.contains("mul s0, a0, a0"), "{d}");
    assert!(
        d.lines()
            .any(|l| l.split_whitespace().nth(2) == Some("ret")),
        "{d}"
    );
    assert!(!d.contains("sys_exit"), "stops at the next function: {d}");
    assert_eq!(section(&out, "disassemble main,+8").lines().count(), 4);
    let l = section(&out, "list");
    assert!(l.contains("=>  103          addi    sp, sp, 8"), "{l}");
    assert!(section(&out, "list square").contains("mul     s0, a0, a0"));
    assert!(section(&out, "list dbg_rings.s:90").contains("jal     ra, square"));
    let si = section(&out, "stepi");
    assert!(
        si.contains("1: /x $a0 = 0x1234") || si.contains("1: $a0 = 0x1234"),
        "{si}"
    );
    assert!(si.contains("2: x/i $pc\n   0x00000138"), "{si}");
    assert_one_line_error(&out, "undisplay 7");
    assert!(section(&out, "info symbol 0x184").contains("is square+0x4"));
    assert!(section(&out, "info line square").contains("Line 127 of \"dbg_rings.s\""));
    assert!(section(&out, "cycles").contains("instructions retired"));
    assert_one_line_error(&out, "set $zero = 1");
    assert_one_line_error(&out, "set $cycles = 1");
}

#[test]
fn snapshots_round_trip_and_refuse_bad_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = dir.path().join("s1.rfsnap");
    let state = "info registers\ninfo cr\nx/4xw counter\ncycles\n";
    let script = format!(
        "break loop if *counter == 3\ncontinue\nset $s2 = 0x77\nset *(u8*)0x2004 = 5\n\
         snapshot save {0}\n{state}continue\ndelete\nstepi 10\nsnapshot load {0}\n{state}\
         continue\n",
        snap.display()
    );
    let out = debug(
        &guest_dir().join("dbg_rings.s").display().to_string(),
        &script,
    );
    assert!(out.contains("Saved the machine at step"), "{out}");
    assert!(out.contains("Loaded "), "{out}");
    let dumps: Vec<&str> = out
        .split("(rfdb) info registers\n")
        .skip(1)
        .map(|s| &s[..s.find("(rfdb) continue").unwrap_or(s.len())])
        .collect();
    assert_eq!(dumps.len(), 2);
    let norm = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("cycles"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(norm(dumps[0]), norm(dumps[1]), "{out}");
    assert!(dumps[1].contains("s2    0x00000077"));
    assert!(
        out.contains("[ring 0] 0x0000019c <sys_exit>:  halt"),
        "the stop shows the halt: {out}"
    );
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["s1.rfsnap".to_string()]);

    // A corrupt file, a truncated one, and a foreign one are refused; the machine is untouched.
    let bytes = std::fs::read(&snap).unwrap();
    let corrupt = dir.path().join("corrupt.rfsnap");
    let mut b = bytes.clone();
    let n = b.len();
    b[n / 2] ^= 0x55;
    std::fs::write(&corrupt, &b).unwrap();
    let short = dir.path().join("short.rfsnap");
    std::fs::write(&short, &bytes[..n - 10]).unwrap();
    let foreign = guest_dir().join("dbg_rings.s");
    let script = format!(
        "stepi 5\nsnapshot load {}\nsnapshot load {}\nsnapshot load {}\nsnapshot load /no/such\n\
         snapshot\np $steps\n",
        corrupt.display(),
        short.display(),
        foreign.display()
    );
    let out = debug("dbg_rings.s", &script);
    let c = section(&out, &format!("snapshot load {}", corrupt.display()));
    assert!(c.contains("checksum mismatch"), "{c}");
    assert_one_line_error(&out, &format!("snapshot load {}", corrupt.display()));
    assert!(section(&out, &format!("snapshot load {}", short.display())).contains("truncated"));
    assert!(
        section(&out, &format!("snapshot load {}", foreign.display()))
            .contains("not a Ringfort snapshot")
    );
    assert_one_line_error(&out, "snapshot load /no/such");
    assert_one_line_error(&out, "snapshot");
    assert!(section(&out, "p $steps").contains("= 5"), "{out}");
}

#[test]
fn trace_and_hot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trace = dir.path().join("t.txt");
    let (out, _) = debug_in(
        &guest_dir(),
        &["debug", "--echo", "--engine", "interp", "dbg_rings.s"],
        &format!(
            "trace on {}\nstepi 3\ntrace off\nhot\ntrace bogus\n",
            trace.display()
        ),
    );
    assert!(out.contains("Tracing every instruction"), "{out}");
    let t = std::fs::read_to_string(&trace).unwrap();
    assert_eq!(t.lines().count(), 3, "{t}");
    assert!(t.contains("lui sp, 0x38"), "{t}");
    let hot = section(&out, "hot");
    assert!(
        hot.contains("error: block profiles come from the threaded engine"),
        "{hot}"
    );
    assert!(hot.contains("engine threaded"), "{hot}");
    assert_one_line_error(&out, "trace bogus");

    let (out, _) = debug_in(
        &guest_dir(),
        &["debug", "--echo", "--engine", "threaded", "dbg_rings.s"],
        "continue\nhot 3\nengine\n",
    );
    let hot = section(&out, "hot 3");
    assert!(hot.contains("Hottest blocks (threaded engine)"), "{hot}");
    assert!(hot.contains('%'), "{hot}");
    assert!(section(&out, "engine").contains("threaded"));
}

#[test]
fn help_scripts_batch_quit_and_run_dash_s() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("cmds.gdb");
    std::fs::write(
        &script,
        "# a comment\nbreak square\ncontinue\necho hello\\n\nquit 3\n",
    )
    .unwrap();
    let (out, code) = debug_in(
        &guest_dir(),
        &["debug", "-x", &script.display().to_string(), "dbg_rings.s"],
        "p 1\n",
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("Breakpoint 1, square"), "{out}");
    assert!(out.contains("hello\n"), "{out}");
    assert!(!out.contains("$1 = 1"), "quit stops before stdin: {out}");
    assert!(!out.contains('\x1b'), "no escape codes in plain mode");

    let (out, code) = debug_in(
        &guest_dir(),
        &[
            "debug",
            "--batch",
            "-x",
            &script.display().to_string(),
            "dbg_rings.s",
        ],
        "",
    );
    assert_eq!(code, 3, "{out}");

    let (out, code) = debug_in(
        &guest_dir(),
        &["run", "-S", "dbg_rings.s"],
        "stepi\np $pc\nhelp\nhelp watch\n",
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("Ringfort debugger: dbg_rings.s, entry 0x00000000 <_start>"),
        "{out}"
    );
    assert!(out.contains("$1 = 4"), "{out}");
    assert!(
        out.contains("reverse-continue"),
        "help lists commands: {out}"
    );
    assert!(out.contains("watch [-phys] ADDR|SYMBOL"), "{out}");
}

/// Hostile expressions get a one-line error, quickly and without quoting megabytes back:
/// deep nesting and long operator chains are refused before they can exhaust the host's stack.
#[test]
fn huge_and_deeply_nested_expressions_are_refused_briefly() {
    let parens = format!("p {}1{}", "(".repeat(5000), ")".repeat(5000));
    let minus = format!("p {}1", "-".repeat(100_000));
    let nots = format!("p {}1", "!~".repeat(300));
    let deep = format!("p {}1{}", "(".repeat(400), ")".repeat(400));
    let chain = format!("p 1{}", "+1".repeat(100_000));
    let ident = format!("p {}", "x".repeat(1 << 20));
    let word = "y".repeat(1 << 20);
    let cmds = [&parens, &minus, &nots, &chain, &ident, &word, &deep];
    let script: String = cmds.iter().map(|c| format!("{c}\n")).collect::<String>() + "p 6*7\n";
    let start = std::time::Instant::now();
    let (out, _) = debug_in(&guest_dir(), &["debug", "dbg_rings.s"], &script);
    let took = start.elapsed();
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), cmds.len(), "one error per command:\n{out}");
    for e in &errors {
        assert!(
            e.len() < 300,
            "an error quotes at most a little: {}",
            &e[..300]
        );
    }
    assert!(errors[0].contains("too long"), "{}", errors[0]);
    assert!(errors[1].contains("too long"), "{}", errors[1]);
    assert!(errors[2].contains("nests too deeply"), "{}", errors[2]);
    assert!(errors[3].contains("too long"), "{}", errors[3]);
    assert!(errors[4].contains("no symbol `xxxx"), "{}", errors[4]);
    assert!(errors[5].contains("unknown command `yyyy"), "{}", errors[5]);
    assert!(errors[6].contains("nests too deeply"), "{}", errors[6]);
    assert!(out.contains("= 42"), "the debugger goes on: {out}");
    assert!(out.len() < 10_000, "{} bytes of output", out.len());
    assert!(took.as_secs() < 10, "took {took:?}");
}

/// Runs the debugger on the assembly `src` (written to a temporary `prog.s`) with `script` on
/// stdin, echoing commands. Returns stdout and the exit status.
fn debug_src(src: &str, args: &[&str], script: &str) -> (String, i32) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("prog.s"), src).expect("program written");
    let mut all = vec!["debug", "--echo"];
    all.extend_from_slice(args);
    all.push("prog.s");
    debug_in(dir.path(), &all, script)
}

/// A ring-0 loop counting t0 up to 1000, then halting with a0 = 0.
const COUNT_LOOP: &str = "
        .text
        .global _start
_start:
        li      t0, 0
        li      t1, 1000
loop:
        addi    t0, t0, 1
        blt     t0, t1, loop
        li      a0, 0
        halt
";

/// The shares `hot` printed in `section`, in percent.
fn hot_shares(section: &str) -> Vec<f64> {
    section
        .split_whitespace()
        .filter_map(|w| w.strip_suffix('%')?.parse().ok())
        .collect()
}

/// `hot` shares are of the cycles the threaded engine ran, so going back in time (which moves
/// the cycle counter back while the profile keeps counting) cannot make them exceed 100%.
#[test]
fn hot_shares_stay_within_100_percent_across_time_travel() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = dir.path().join("s.rfsnap").display().to_string();
    let (out, _) = debug_src(
        COUNT_LOOP,
        &[],
        &format!(
            "break loop\ncontinue\ncontinue\ncontinue\nsnapshot save {snap}\nreverse-stepi 30\n\
             hot 5\ncontinue\ncontinue\nhot 6\nsnapshot load {snap}\nhot 7\ndelete\ncontinue\n\
             hot 8\n"
        ),
    );
    for cmd in ["hot 5", "hot 6", "hot 7", "hot 8"] {
        let s = section(&out, cmd);
        let shares = hot_shares(s);
        assert!(!shares.is_empty(), "`{cmd}` shows blocks: {out}");
        let sum: f64 = shares.iter().sum();
        assert!(sum <= 100.2, "`{cmd}` shares sum to {sum}%: {s}");
    }
    // After the loop ran to the end, the loop's block has nearly all the cycles.
    let last = hot_shares(section(&out, "hot 8"));
    assert!(last[0] > 90.0, "{out}");
}

/// `ringfort debug` exits with the guest's status once it has stopped (as `ringfort run`
/// does), 0 while it could still run, and N after `quit N`.
#[test]
fn the_session_exits_with_the_guests_status() {
    let src = "
        .text
        .global _start
_start:
        li      a0, 7
        halt
";
    assert_eq!(
        debug_src(src, &[], "continue\n").1,
        7,
        "at the end of input"
    );
    assert_eq!(debug_src(src, &[], "continue\nquit\n").1, 7, "plain quit");
    assert_eq!(debug_src(src, &[], "continue\nquit 2\n").1, 2, "quit N");
    assert_eq!(debug_src(src, &[], "stepi\n").1, 0, "still running");
}

/// Every `run` option either works under `-S` or is refused with what to do instead.
#[test]
fn run_dash_s_refuses_or_honours_the_run_options() {
    for (flag, hint) in [
        (&["--max-cycles", "10"][..], "stepi N"),
        (&["--trace"][..], "trace on"),
    ] {
        let mut args = vec!["run", "-S"];
        args.extend_from_slice(flag);
        args.push("dbg_rings.s");
        let out = common::ringfort(&guest_dir(), &args, "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{flag:?} is refused: {err}");
        assert!(err.contains(hint), "{flag:?}: {err}");
        assert!(out.stdout.is_empty(), "no session starts: {flag:?}");
    }
    let out = common::ringfort(
        &guest_dir(),
        &["run", "-S", "--stats", "dbg_rings.s"],
        "continue\n",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cycles"), "--stats reports at the end: {err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// Runs the debugger on `src` with `args` and `script`, keeps it alive until its output shows
/// `marker`, and returns the output so far with its peak resident memory (VmHWM) in bytes.
fn debug_src_peak_rss(src: &str, args: &[&str], script: &str, marker: &str) -> (String, u64) {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("prog.s"), src).expect("program written");
    let mut all = vec!["debug"];
    all.extend_from_slice(args);
    all.push("prog.s");
    let mut child = common::ringfort_command(dir.path(), &all)
        .stderr(Stdio::null())
        .spawn()
        .expect("ringfort starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(script.as_bytes()).expect("script written");
    let mut out = String::new();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    for line in lines.by_ref() {
        let line = line.expect("output");
        out += &line;
        out.push('\n');
        if line.contains(marker) {
            break;
        }
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .expect("/proc status of the debugger");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    drop(stdin);
    for line in lines {
        out += &line.expect("output");
        out.push('\n');
    }
    child.wait().expect("ringfort exits");
    (out, kb << 10)
}

/// The saved-memory figure of `info timetravel`, in KiB: (held, limit).
fn history_kib(out: &str) -> (u64, u64) {
    let line = out
        .lines()
        .find(|l| l.starts_with("Saved memory:"))
        .unwrap_or_else(|| panic!("no saved-memory line in:\n{out}"));
    let nums: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (nums[0], nums[1])
}

/// Time travel's history stays under its limit on a long run of a guest that rewrites all of
/// its memory between snapshots: the oldest snapshots are dropped, the host's memory stays
/// bounded, and going back still works inside what is kept.
#[test]
fn time_travel_history_stays_under_its_limit() {
    let src = "
        .text
        .global _start
_start:
        li      s0, 30000
        li      t3, 4096
pass:
        li      t0, 0x10000
        li      t1, 0x1000000
page:
        sw      s0, 0(t0)
        add     t0, t0, t3
        bltu    t0, t1, page
        addi    s0, s0, -1
        bnez    s0, pass
        li      a0, 0
        halt
";
    let args = ["-m", "16M"];
    let (idle, base) = debug_src_peak_rss(src, &args, "info timetravel\necho END\\n\n", "END");
    assert!(
        history_kib(&idle).1 == 512 << 10,
        "the default limit: {idle}"
    );
    let (out, peak) = debug_src_peak_rss(
        src,
        &args,
        "set timetravel-limit 24M\ncontinue\ninfo timetravel\necho END\\n\n",
        "END",
    );
    let (held, limit) = history_kib(&out);
    assert_eq!(limit, 24 << 10, "{out}");
    assert!(held <= limit, "{held} KiB held: {out}");
    assert!(out.contains("exit code 0"), "the run finished: {out}");
    // What the limit bounds, plus the guest's RAM (touched only now) and one snapshot being
    // taken, plus slack for the allocator; without the limit this run keeps 64 MiB of
    // snapshots (peak about 40 MiB higher).
    let bound = (24 << 20) + 2 * (16 << 20) + (8 << 20);
    assert!(
        peak.saturating_sub(base) <= bound,
        "peak {} MiB over a base of {} MiB: {out}",
        peak >> 20,
        base >> 20
    );
}

/// `debug -serial tcp:` makes the TCP client the guest's console while it runs: what the
/// client sends reaches the guest, and the guest's output reaches the client (and the
/// debugger's screen), while the commands still come from the debugger's standard input.
#[test]
fn a_tcp_client_is_the_guests_console_under_the_debugger() {
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpStream;
    let guest = guest_dir().join("dev_uart_echo.s").display().to_string();
    let mut child = common::ringfort_command(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["debug", "--echo", "-serial", "tcp:127.0.0.1:0", &guest],
    )
    .spawn()
    .expect("ringfort starts");
    // The port it listens on is in its first stderr line.
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    err.read_line(&mut line).expect("stderr line");
    let addr = line
        .trim()
        .rsplit_once("tcp:")
        .map(|(_, a)| a.to_string())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let mut s = TcpStream::connect(&addr).expect("connects");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"continue\n").expect("command sent");
    s.write_all(b"ping over tcp\n").expect("sent");
    let mut got = vec![0u8; 14];
    s.read_exact(&mut got).expect("echo");
    assert_eq!(&got, b"ping over tcp\n");
    s.write_all(b"bye\x04").expect("sent");
    let mut rest = [0u8; 3];
    s.read_exact(&mut rest).expect("echo");
    assert_eq!(&rest, b"bye");
    stdin.write_all(b"p 6*7\n").expect("command sent");
    drop(stdin);
    let out = child.wait_with_output().expect("ringfort exits");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ping over tcp\nbye"), "{stdout}");
    assert!(stdout.contains("exit code 0."), "{stdout}");
    assert!(stdout.contains("$1 = 42"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}

/// Leaving the debugger ends the machine the way `ringfort run` does: sectors the guest wrote
/// but never flushed reach the image file.
#[test]
fn quitting_the_debugger_writes_the_disks_cached_sectors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let img = dir.path().join("disk.img");
    blank_disk(&img);
    let drive = format!("file={}", img.display());
    // dev_disk_write.s line 52 is its FLUSH: stop there, after the write, and quit.
    let (out, code) = debug_in(
        &guest_dir(),
        &["debug", "--echo", "-drive", &drive, "dev_disk_write.s"],
        "break dev_disk_write.s:52\ncontinue\ninfo devices\nquit\n",
    );
    assert!(section(&out, "continue").contains("Breakpoint 1"), "{out}");
    assert!(
        section(&out, "info devices").contains("3 written sector(s) not yet in the file"),
        "{out}"
    );
    assert_eq!(code, 0, "{out}");
    let data = std::fs::read(&img).expect("image");
    // Sectors 10..12 hold words 0xD15C0000 + i.
    for i in 0..384u32 {
        let off = 10 * 512 + 4 * i as usize;
        let w = u32::from_le_bytes(data[off..off + 4].try_into().expect("word"));
        assert_eq!(w, 0xD15C_0000 + i, "word {i} of the written sectors");
    }
}

/// A snapshot is the machine's state, not a recipe to re-execute: loading it needs the
/// configuration it was taken with, and says what differs and what to do otherwise; an old
/// version-1 file is refused with what to do.
#[test]
fn a_snapshot_of_another_configuration_or_version_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let img = dir.path().join("d.img").display().to_string();
    blank_disk(Path::new(&img));
    let snap = dir.path().join("s.rfsnap").display().to_string();
    let drive = format!("file={img},readonly=on");
    // The configuration the snapshot is taken with: 4M of RAM and a read-only disk.
    let with_disk = [
        "debug",
        "--echo",
        "-m",
        "4M",
        "-drive",
        &drive,
        "dev_disk_read.s",
    ];
    let (out, _) = debug_in(
        &guest_dir(),
        &with_disk,
        &format!("stepi 399\nsnapshot save {snap}\n"),
    );
    assert!(out.contains("Saved the machine"), "{out}");
    let load = format!("snapshot load {snap}");
    let (out, _) = debug_in(
        &guest_dir(),
        &["debug", "--echo", "-m", "8M", "dev_disk_read.s"],
        &format!("stepi 3\n{load}\np $steps\n"),
    );
    assert_one_line_error(&out, &load);
    let err = section(&out, &load);
    assert!(err.contains("another machine configuration"), "{err}");
    assert!(err.contains("it has 4M of RAM, this machine 8M"), "{err}");
    assert!(
        err.contains("it has a 64K read-only disk, this machine no disk"),
        "{err}"
    );
    assert!(
        err.contains("start the debugger with -m 4M and -drive file=IMAGE,readonly=on"),
        "{err}"
    );
    assert!(
        section(&out, "p $steps").contains("= 3"),
        "unchanged: {out}"
    );
    // The same configuration loads (the disk's contents are the image's, not the file's).
    let (out, _) = debug_in(
        &guest_dir(),
        &with_disk,
        &format!("{load}\np $steps\nreverse-stepi 2\np $steps\n"),
    );
    assert!(section(&out, "p $steps").contains("= 399"), "{out}");
    // Reverse execution starts at the loaded state: the history before it is not in the file.
    let back = section(&out, "reverse-stepi 2");
    assert!(back.contains("No more reverse-execution history"), "{back}");
    assert_eq!(out.matches("= 399").count(), 2, "{out}");

    // A version-1 file (the old re-executing format) says to take the snapshot again.
    let mut bytes = std::fs::read(&snap).expect("snapshot");
    bytes[8] = 1;
    let old = dir.path().join("old.rfsnap");
    std::fs::write(&old, &bytes).expect("written");
    let load = format!("snapshot load {}", old.display());
    let (out, _) = debug_in(&guest_dir(), &with_disk, &format!("{load}\n"));
    assert_one_line_error(&out, &load);
    let err = section(&out, &load);
    assert!(err.contains("version-1 snapshot"), "{err}");
    assert!(err.contains("take the snapshot again"), "{err}");
}

/// Ring 0 counting to 2·HALF in two loops (the label `mid` between them), with a periodic
/// timer interrupt whose handler prints a character; before `mid` it prints a line, so at
/// `mid` the UART's FIFO is still sending and the timer is part way through a period.
const LONG_RUN: &str = "
        .equ PIC,   0xF0000000
        .equ TIMER, 0xF0001000
        .equ UART,  0xF0002000
        .equ HALF,  25000000
        .text
        .global _start
_start: li      sp, 0x10000
        la      t0, vectors
        mtcr    vbase, t0
        la      t1, tick
        sw      t1, 32*8(t0)
        li      t1, 1
        sw      t1, 32*8+4(t0)
        li      t0, PIC
        li      t1, 1
        sw      t1, 4(t0)
        li      t0, TIMER
        li      t1, 1000003
        sw      t1, 4(t0)
        li      t1, 7
        sw      t1, 0(t0)
        li      t0, 4
        mtcr    status, t0
        li      s0, 0
        li      s1, 0
        li      s2, HALF
        la      s3, table
1:      addi    s1, s1, 1
        andi    t1, s1, 1023
        slli    t1, t1, 2
        add     t1, t1, s3
        sw      s1, 0(t1)
        blt     s1, s2, 1b
        la      t2, msg
        li      t3, UART
2:      lbu     t4, 0(t2)
        beqz    t4, mid
        sw      t4, 0(t3)
        addi    t2, t2, 1
        j       2b
mid:    add     s2, s2, s2
3:      addi    s1, s1, 1
        andi    t1, s1, 1023
        slli    t1, t1, 2
        add     t1, t1, s3
        sw      s1, 0(t1)
        blt     s1, s2, 3b
        andi    a0, s0, 127
        halt

tick:   addi    s0, s0, 1
        andi    t5, s0, 31
        addi    t5, t5, 64
        li      t6, UART
        sw      t5, 0(t6)
        li      t6, PIC
        sw      zero, 0xC(t6)
        iret

        .data
msg:    .asciz  \"\\nhalf way, twenty-odd bytes\\n\"
        .bss
        .balign 8
vectors: .space 64 * 8
table:  .space  4096
";

/// A snapshot taken after a long run loads in a fresh session in a fraction of the time the
/// run took (it is the state, not a re-execution), on the other engine as on the same one, and
/// the machine is the one saved: same registers, cycles, devices and memory, and the same
/// continued output and end as the run that was never saved (pending timer period and UART
/// output included).
#[test]
fn a_long_run_snapshot_loads_fast_and_continues_identically_on_both_engines() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("prog.s"), LONG_RUN).expect("program written");
    let snap = dir.path().join("s.rfsnap").display().to_string();
    let state = "info registers\ninfo cr\np $cycles\np $steps\ninfo devices\nx/16xw table\n\
                 x/8xw table+4000\n";
    let finish = "delete\ncontinue\ninfo registers\np $cycles\ninfo devices\n";
    let session = |engine: &str, script: &str| {
        let t = std::time::Instant::now();
        let (out, status) = debug_in(
            dir.path(),
            &[
                "debug",
                "--echo",
                "--rtc",
                "base=1000000",
                "--engine",
                engine,
                "prog.s",
            ],
            script,
        );
        (out, status, t.elapsed())
    };
    // The part of a session's output from `marker` on.
    let from = |out: &str, marker: &str| -> String {
        let i = out
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker} in {out}"));
        out[i..].to_string()
    };
    let (never, never_status, _) =
        session("threaded", &format!("break mid\ncontinue\n{state}{finish}"));
    assert!(section(&never, "continue").contains("half way"), "{never}");
    let mid_state = from(&never, "(rfdb) info registers");
    let (saved, _, run_time) = session(
        "interp",
        &format!("break mid\ncontinue\nsnapshot save {snap}\n{state}"),
    );
    assert!(saved.contains("Saved the machine"), "{saved}");
    let saved_state = from(&saved, "(rfdb) info registers");
    assert!(mid_state.starts_with(&saved_state), "{saved_state}");
    for engine in ["interp", "threaded"] {
        let load = format!("snapshot load {snap}\n");
        let (loaded, _, load_time) = session(engine, &format!("{load}{state}"));
        assert!(
            section(&loaded, load.trim_end()).contains("Loaded"),
            "{loaded}"
        );
        assert_eq!(from(&loaded, "(rfdb) info registers"), saved_state);
        // Loading does not re-execute: it takes a fraction of the run that made the state.
        assert!(
            load_time * 3 < run_time,
            "loading took {load_time:?}, the run {run_time:?}"
        );
        let (cont, status, _) = session(engine, &format!("{load}{state}{finish}"));
        assert_eq!(
            from(&cont, "(rfdb) info registers"),
            mid_state,
            "loaded on {engine}: the same machine, the same continued output and end"
        );
        assert_eq!(status, never_status);
    }
}
