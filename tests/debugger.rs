//! `ringfort debug`, driven the way a script or a test harness drives it: commands piped into
//! standard input, plain text out. `--echo` prints each command after `(rfdb) `, so the output
//! of each command can be picked out.
#[path = "support/oom_guard.rs"]
mod oom_guard;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guest")
}

/// Runs the debugger on tests/guest/`prog` (from that directory, so `list` finds the source)
/// with `script` on stdin. Returns stdout; panics on a crash.
fn debug_in(dir: &Path, args: &[&str], script: &str) -> (String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringfort"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ringfort starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("script written");
    let out = child.wait_with_output().expect("ringfort finishes");
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

/// The output of the command `cmd` (the lines after its echo, up to the next prompt).
fn section<'a>(out: &'a str, cmd: &str) -> &'a str {
    let marker = format!("(rfdb) {cmd}\n");
    let start = out
        .find(&marker)
        .unwrap_or_else(|| panic!("no `{cmd}` in:\n{out}"))
        + marker.len();
    let end = out[start..]
        .find("(rfdb) ")
        .map(|e| start + e)
        .unwrap_or(out.len());
    &out[start..end]
}

/// Every output section of a command that must fail: exactly one line, starting `error:`.
fn assert_one_line_error(out: &str, cmd: &str) {
    let s = section(out, cmd);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 1, "`{cmd}` should print one line, got:\n{s}");
    assert!(lines[0].starts_with("error: "), "`{cmd}`: {s}");
}

#[test]
fn stepping_across_a_gate_shows_the_ring_change_and_stack_switch() {
    let out = debug(
        "dbg_rings.s",
        "break call_site\ncontinue\nstepi\nbt\nfinish\ninfo registers a0\n",
    );
    let cont = section(&out, "continue");
    assert!(cont.contains("Breakpoint 1, call_site"), "{cont}");
    assert!(
        cont.contains("ring change: ring 0 -> ring 3 by retg"),
        "{cont}"
    );
    assert!(
        cont.contains("[ring 3] 0x00000130 <call_site>:  callg 1"),
        "{cont}"
    );
    let si = section(&out, "stepi");
    assert!(
        si.contains("ring change: ring 3 -> ring 0 through gate 1 <sys_add> (callg)"),
        "{si}"
    );
    assert!(
        si.contains(
            "stack switched: 0x001fffe8 (ring 3) -> 0x0037ffec (ring 0 stack, from sp0 = \
             0x00380000)"
        ),
        "{si}"
    );
    assert!(si.contains("parameters copied: 2 words [0x5, 0x6]"), "{si}");
    assert!(
        si.contains("[ring 0] 0x000001a0 <sys_add>:  lw t0, 12(sp)"),
        "{si}"
    );
    let bt = section(&out, "bt");
    assert!(bt.contains("#0  [ring 0] 0x000001a0 in sys_add"), "{bt}");
    assert!(
        bt.contains("entered through callg 1 (ring 3 -> ring 0"),
        "{bt}"
    );
    assert!(bt.contains("#1  [ring 3] 0x00000134 in after_gate"), "{bt}");
    let fin = section(&out, "finish");
    assert!(
        fin.contains("ring change: ring 0 -> ring 3 by retg"),
        "{fin}"
    );
    assert!(fin.contains("<after_gate>"), "{fin}");
    assert!(fin.contains("Value returned: $a0 = 11"), "{fin}");
    // The guest's own output appears as it is produced.
    assert!(fin.contains('G'), "{fin}");
}

#[test]
fn breakpoints_conditions_temporary_disable_delete() {
    let out = debug(
        "dbg_rings.s",
        "break loop if *counter == 2\ntbreak square\ninfo breakpoints\ncontinue\n\
         info breakpoints\ncontinue\np *counter\ndisable 1\ncontinue\nrun\nenable 1\n\
         delete 1\ninfo breakpoints\nbreak dbg_rings.s:108\nbreak 0x131\n",
    );
    let info = section(&out, "info breakpoints");
    assert!(
        info.contains("breakpoint       keep  y   0x00000144  in loop"),
        "{info}"
    );
    assert!(info.contains("stop only if *counter == 2"), "{info}");
    assert!(info.contains("breakpoint       del   y"), "{info}");
    let c1 = section(&out, "continue");
    assert!(c1.contains("Temporary breakpoint 2, square"), "{c1}");
    assert!(out.contains("Breakpoint 1, loop"), "{out}");
    assert!(section(&out, "p *counter").contains("$1 = 2"));
    assert!(
        out.contains("The machine halted (halt in ring 0 at 0x0000019c <sys_exit>), exit code 0."),
        "{out}"
    );
    assert!(section(&out, "run").contains("Starting the program"));
    let bl = section(&out, "break dbg_rings.s:108");
    assert!(bl.contains("<loop>"), "a file:line location: {bl}");
    assert_one_line_error(&out, "break 0x131");
}

#[test]
fn watchpoints_report_old_and_new_values() {
    let out = debug(
        "dbg_rings.s",
        "watch counter\ncontinue\ncontinue\ndelete\nwatch -phys 0x2000 if *counter == 4\n\
         continue\ndelete\nrwatch counter\ncontinue\ndelete\nawatch *(u8*)counter\ncontinue\n\
         continue\n",
    );
    let w = section(&out, "watch counter");
    assert!(
        w.contains("Hardware watchpoint 1: counter (4 bytes at 0x00002000 <counter>)"),
        "{w}"
    );
    let c = section(&out, "continue");
    assert!(c.contains("Hardware watchpoint 1: counter"), "{c}");
    assert!(c.contains("Old value = 0\nNew value = 1"), "{c}");
    assert!(
        c.contains("[ring 3] 0x00000158 <loop+0x14>:"),
        "stops after the store: {c}"
    );
    assert!(out.contains("Old value = 1\nNew value = 2"), "{out}");
    assert!(
        out.contains("Old value = 3\nNew value = 4"),
        "physical, conditional: {out}"
    );
    assert!(
        out.contains("Hardware read watchpoint 3: counter\n\nValue = 4"),
        "{out}"
    );
    assert!(
        out.contains("Hardware access (read/write) watchpoint 4: *(u8*)counter"),
        "{out}"
    );
}

#[test]
fn catchpoints_ring_change_gate_exception_interrupt() {
    let out = debug(
        "dbg_rings.s",
        "catch ring-change\ncontinue\ndelete\ncatch gate 1\ncontinue\ndelete\n\
         catch exception 48\ncontinue\ndelete\ncatch exception page-fault\ncatch bogus\n",
    );
    let c = section(&out, "continue");
    assert!(
        c.contains("Catchpoint 1 (ring change: ring 0 -> ring 3)"),
        "{c}"
    );
    assert!(
        out.contains("Catchpoint 2 (gate 1: callg 1 from ring 3)"),
        "{out}"
    );
    assert!(
        out.contains("Catchpoint 3 (exception: vector 48 (software trap)"),
        "{out}"
    );
    assert!(
        out.contains("through vector 48 (software trap) <sys_trap>"),
        "{out}"
    );
    assert!(
        out.contains("Catchpoint 4 (exception 5 (page fault))"),
        "{out}"
    );
    assert_one_line_error(&out, "catch bogus");

    let out = debug(
        "dbg_timer.s",
        "catch interrupt 0\ncontinue\ncontinue\ninfo breakpoints\ncatch interrupt 99\n",
    );
    assert!(
        section(&out, "continue").contains("Catchpoint 1 (interrupt: line 0 (timer), vector 32)"),
        "{out}"
    );
    assert!(
        section(&out, "info breakpoints").contains("hit 2 times"),
        "{out}"
    );
    assert_one_line_error(&out, "catch interrupt 99");
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
fn teaching_views() {
    let out = debug(
        "dbg_rings.s",
        "break after_gate\ncontinue\ninfo rings\ninfo gates\ninfo vectors\n\
         info pagetable main\ninfo pagetable 0x00300000\ninfo pagetable 0x40000000\n\
         info pagetable\ninfo tlb\ninfo devices\n",
    );
    let r = section(&out, "info rings");
    assert!(r.contains("Current ring: 3 (least privileged)"), "{r}");
    assert!(r.contains("ring 0: sp0 = 0x00380000"), "{r}");
    assert!(r.contains("iopl = 0"), "{r}");
    assert!(
        r.contains("privileged instructions (mfcr mtcr iret halt wfi tlbflush tlbinval): no"),
        "{r}"
    );
    assert!(r.contains("devices (MMIO): no: CPL 3 > iopl 0"), "{r}");
    assert!(
        r.contains("gates it may call: 0 <sys_exit> -> ring 0, 1 <sys_add> -> ring 0"),
        "{r}"
    );
    assert!(r.contains("trap vectors it may raise: 48"), "{r}");
    let g = section(&out, "info gates");
    assert!(g.contains("2 entries (glimit)"), "{g}");
    assert!(
        g.contains("1  0x000001a0  sys_add              yes     ring 0 3   2      rings 0-3"),
        "{g}"
    );
    let v = section(&out, "info vectors");
    assert!(
        v.contains("48  software trap          0x000001c0  sys_trap"),
        "{v}"
    );
    assert!(v.contains("32-47  interrupt lines 0-15"), "{v}");
    let p = section(&out, "info pagetable main");
    assert!(
        p.contains("1. directory index 0 (VA bits 31:22), entry at 0x00300000 = 0x00301001"),
        "{p}"
    );
    assert!(p.contains("ring 3: read, write, execute"), "{p}");
    let k = section(&out, "info pagetable 0x00300000");
    assert!(k.contains("ring 1: nothing (page ring field is 0"), "{k}");
    assert!(k.contains("ring 0: read, write, execute"), "{k}");
    assert!(section(&out, "info pagetable 0x40000000").contains("NOT present"));
    let all = section(&out, "info pagetable");
    assert!(
        all.contains("0x00000000-0x002fffff -> 0x00000000     768 pages  PRWX"),
        "{all}"
    );
    assert!(all.contains("0xf0002000-0xf0002fff"), "{all}");
    let t = section(&out, "info tlb");
    assert!(t.contains("64 entries"), "{t}");
    assert!(t.contains("0xf0002000  0xf0002000  PRWXAD ring 0"), "{t}");
    let d = section(&out, "info devices");
    assert!(d.contains("TIMER"), "{d}");
    assert!(d.contains("UART"), "{d}");
}

#[test]
fn nexti_until_advance() {
    let out = debug(
        "dbg_rings.s",
        "break main\ncontinue\nnexti 4\nnexti 7\nadvance loop\nuntil\nuntil 0x168\n\
         reverse-stepi 999999\n",
    );
    // nexti steps over `jal square` (4th instruction of main) in one go.
    let n = section(&out, "nexti 4");
    assert!(n.contains("<main+0x10>"), "{n}");
    // ...and over the gate call: the ring changed twice on the way.
    let n2 = section(&out, "nexti 7");
    assert!(n2.contains("2 ring changes since the last stop"), "{n2}");
    assert!(n2.contains("<after_gate>:"), "{n2}");
    assert!(section(&out, "advance loop").contains("<loop>:"));
    assert!(section(&out, "until").contains("<loop+0x4>:"), "{out}");
    assert!(section(&out, "until 0x168").contains("0x00000168"), "{out}");
    let back = section(&out, "reverse-stepi 999999");
    assert!(back.contains("No more reverse-execution history"), "{back}");
    assert!(back.contains("0x00000000 <_start>"), "{back}");
}

#[test]
fn reverse_execution_returns_to_the_exact_earlier_state() {
    let state = "info registers\ninfo cr\nx/8xw $sp\nx/4xw counter\ncycles\ninfo tlb\n";
    let script = format!(
        "stepi 2500\n{state}stepi 37\nreverse-stepi 37\n{state}stepi 37\nreverse-stepi\n\
         reverse-stepi 36\n{state}"
    );
    let out = debug("dbg_rings.s", &script);
    // The three dumps of state are identical.
    let dumps: Vec<&str> = out
        .split("(rfdb) info registers\n")
        .skip(1)
        .map(|s| &s[..s.find("(rfdb) stepi").unwrap_or(s.len())])
        .collect();
    assert_eq!(dumps.len(), 3, "{out}");
    let strip = |s: &str| s.replace("(+0 since the previous stop)", "");
    let cyc = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("cycles"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(cyc(&strip(dumps[0])), cyc(&strip(dumps[1])));
    assert_eq!(cyc(&strip(dumps[0])), cyc(&strip(dumps[2])));
    let c0 = dumps[0].lines().find(|l| l.starts_with("cycles")).unwrap();
    let c1 = dumps[1].lines().find(|l| l.starts_with("cycles")).unwrap();
    assert_eq!(
        c0.split(' ').nth(1),
        c1.split(' ').nth(1),
        "same cycle count"
    );

    // reverse-continue goes back to the previous hit; past the first, to the start.
    let out = debug(
        "dbg_rings.s",
        "watch counter\ncontinue\ncontinue\ncontinue\nreverse-continue\np *counter\n\
         reverse-continue\nreverse-continue\np $pc\nreverse-stepi\n",
    );
    let rc = section(&out, "reverse-continue");
    assert!(rc.contains("Old value = 1\nNew value = 2"), "{out}");
    assert!(section(&out, "p *counter").contains("= 2"), "{out}");
    assert!(out.contains("No more reverse-execution history"), "{out}");
    assert!(section(&out, "p $pc").contains("= 0"), "{out}");

    // Going back past a `set` undoes it; the guest's output is not shown twice.
    let out = debug(
        "dbg_rings.s",
        "break loop\ncontinue\nset $s1 = 99\nstepi 3\nreverse-stepi 3\np $s1\n\
         reverse-stepi 1\np $s1\ncontinue\ndelete\ncontinue\n",
    );
    assert!(section(&out, "p $s1").contains("= 99"), "{out}");
    assert_eq!(out.matches("GT").count(), 1, "{out}");
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
    assert!(out.ends_with("exit code 0.\n[ring 0] 0x000001a0 <sys_add>:  lw t0, 12(sp)                     (dbg_rings.s:143)\n") || out.contains("exit code 0."), "{out}");
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
fn bad_input_gets_one_line_errors() {
    let cmds = [
        "frobnicate",
        "p",
        "p nosuch",
        "p a0",
        "p 1 +",
        "p (1",
        "p 1 / 0",
        "p $nope",
        "p 0x1_0000_0000",
        "x/4q 0",
        "x/4xw 0x80000000",
        "x/2xw 2",
        "break",
        "break nosuch",
        "delete 99",
        "enable x",
        "condition 99 1",
        "watch",
        "watch 0x90000000",
        "info",
        "info nothing",
        "set $a0",
        "set 5 = 1",
        "set *0x90000000 = 1",
        "finish extra stuff",
        "engine turbo",
        "help nosuchcommand",
        "s",
        "d",
    ];
    let script: String = cmds.iter().map(|c| format!("{c}\n")).collect();
    let out = debug("dbg_rings.s", &script);
    for c in cmds {
        if matches!(c, "p" | "break" | "s" | "d" | "finish extra stuff") {
            continue;
        }
        assert_one_line_error(&out, c);
    }
    assert!(section(&out, "frobnicate").contains("`help` lists the commands"));
    assert!(section(&out, "p a0").contains("$a0"));
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

/// Expressions report the first error in evaluation order, and `&&`/`||` evaluate their right
/// side only when needed (so an error there matters only then).
#[test]
fn expressions_report_the_first_error_and_short_circuit() {
    let cmds = [
        "p $7",
        "p 1 / 0",
        "p 1 << 70",
        "p *(u32*)0x90000000",
        "p (1 / 0) + (1 << 70)",
        "p (1 << 70) + (1 / 0)",
        "p -(2 % 0)",
        "p 1 && 2 % 0",
        "p 0 || 1 / 0",
    ];
    let script: String = cmds.iter().map(|c| format!("{c}\n")).collect();
    let script = script + "p 0 && 1 / 0\np 1 || 1 / 0\np (3 > 2) && (2 << 1) == 4\n";
    let out = debug("dbg_rings.s", &script);
    for c in cmds {
        assert_one_line_error(&out, c);
    }
    assert!(section(&out, "p $7").contains("history has no value $7"));
    assert!(section(&out, "p 1 / 0").contains("division by zero"));
    assert!(section(&out, "p 1 << 70").contains("shift by 70 is out of range"));
    assert!(section(&out, "p *(u32*)0x90000000").contains("cannot read memory at 0x90000000"));
    assert!(section(&out, "p (1 / 0) + (1 << 70)").contains("division by zero"));
    assert!(section(&out, "p (1 << 70) + (1 / 0)").contains("shift by 70"));
    assert!(section(&out, "p -(2 % 0)").contains("division by zero"));
    assert!(section(&out, "p 1 && 2 % 0").contains("division by zero"));
    assert!(section(&out, "p 0 || 1 / 0").contains("division by zero"));
    assert!(section(&out, "p 0 && 1 / 0").contains("= 0"), "{out}");
    assert!(section(&out, "p 1 || 1 / 0").contains("= 1"), "{out}");
    assert!(
        section(&out, "p (3 > 2) && (2 << 1) == 4").contains("= 1"),
        "{out}"
    );
}
