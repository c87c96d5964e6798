//! The debugger's logic, tested through the library: a session on a guest program, each
//! command's output as the terminal would show it (the tests moved here from
//! tests/debugger.rs, which keeps the end-to-end ones through the binary).
#[path = "../../tests/support/transcript.rs"]
mod transcript;
use transcript::{assert_one_line_error, section};

use debugger::Debugger;
use emulator::builder::SerialSpec;
use emulator::{EngineKind, Machine};
use std::path::{Path, PathBuf};

fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/guest")
}

/// Assembles a guest source as `ringfort debug NAME` run in tests/guest would: the source is
/// named by its file name, includes come from its directory.
fn assemble(path: &Path) -> Result<assembler::Program, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .expect("a file")
        .to_string_lossy()
        .into_owned();
    let opts = assembler::Options {
        include_dirs: vec![guest_dir()],
        listing: false,
        ..Default::default()
    };
    assembler::assemble(&[assembler::Source { name, text }], &opts).map_err(|d| d.to_string())
}

/// A session on tests/guest/`prog`, as `ringfort debug` starts one (serial on stdio, no
/// terminal, the threaded engine).
fn session(prog: &str) -> Debugger {
    session_at(&guest_dir().join(prog))
}

/// A session on the program at `path`.
fn session_at(path: &Path) -> Debugger {
    let prog = path
        .file_name()
        .expect("a file")
        .to_string_lossy()
        .into_owned();
    let built = Machine::builder()
        .program(Some(path.to_path_buf()))
        .serial(SerialSpec::Stdio)
        .assembler(Box::new(assemble))
        .build()
        .expect("the guest builds");
    let mut d = Debugger::new(built.machine, built.program, EngineKind::Threaded, None);
    d.program_name = Some(prog);
    d
}

/// Runs `script` one line at a time, as `ringfort debug --echo` would show it: the greeting,
/// then each command after `(rfdb) ` followed by its output. Stops at `quit`.
fn debug(prog: &str, script: &str) -> String {
    transcript(&mut session(prog), script)
}

/// The transcript of `script` in the session `d`, from its greeting on.
fn transcript(d: &mut Debugger, script: &str) -> String {
    d.greet();
    let mut out = debugger::render(&d.take_events());
    for line in script.lines() {
        out += &format!("(rfdb) {line}\n");
        out += &d.run_command(line);
        if d.quit.is_some() {
            break;
        }
    }
    out
}

/// Runs `script` on the program `src` (as prog.s in a fresh directory), as
/// `ringfort debug --echo prog.s` would; returns the transcript and the session's exit status.
/// (The end-to-end tests' `debug_src`; options on the command line are not for the library.)
fn debug_src(src: &str, args: &[&str], script: &str) -> (String, i32) {
    assert!(args.is_empty(), "command-line options: {args:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("prog.s"), src).expect("program written");
    let mut d = session_at(&dir.path().join("prog.s"));
    let out = transcript(&mut d, script);
    (out, d.exit_status() as i32)
}

#[test]
fn stops_and_ring_changes_are_typed_events() {
    let mut d = session("dbg_rings.s");
    d.execute("catch gate 1").unwrap();
    d.execute("continue").unwrap();
    let ev = d.take_events();
    let stop = ev.iter().find_map(|e| match e {
        debugger::Event::Stop(w) => Some(w.clone()),
        _ => None,
    });
    assert!(
        matches!(
            stop,
            Some(debugger::StopWhy::Catch {
                hit: debugger::session::CatchHit::Gate { gate: 1, from: 3 },
                ..
            })
        ),
        "{stop:?}"
    );
    assert!(
        ev.iter()
            .any(|e| matches!(e, debugger::Event::RingChange(t) if t.from == 3 && t.to == 0)),
        "{ev:?}"
    );
}

#[test]
fn a_page_walk_is_a_typed_event_before_its_lines() {
    let mut d = session("dbg_rings.s");
    d.execute("info pagetable 0x2000").unwrap();
    let ev = d.take_events();
    let walk = ev
        .iter()
        .position(|e| matches!(e, debugger::Event::PageWalk(w) if w.va == 0x2000));
    let first_line = ev
        .iter()
        .position(|e| matches!(e, debugger::Event::Line(_)));
    assert!(walk.is_some() && walk < first_line, "{ev:?}");
    let text = debugger::render(&ev);
    assert!(
        text.contains("Walk of virtual address 0x00002000:"),
        "{text}"
    );
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

/// A temporary breakpoint where `finish` stops is reported and deleted there (GDB's way), not
/// left to fire on a later pass.
#[test]
fn finish_reports_and_deletes_a_tbreak_where_it_stops() {
    let out = debug(
        "dbg_rings.s",
        "break square\ncontinue\ntbreak *(main+16)\nfinish\ninfo breakpoints\n",
    );
    let fin = section(&out, "finish");
    assert!(fin.contains("Temporary breakpoint 2"), "{fin}");
    assert!(fin.contains("Value returned: $a0 = 49"), "{fin}");
    let info = section(&out, "info breakpoints");
    assert!(!info.contains("main+0x10"), "the tbreak is gone: {info}");
}

/// `finish` in a handler that skips the faulting instruction stops where its `iret` returns
/// (not at the faulting pc, which is never reached again).
#[test]
fn finish_in_a_skipping_exception_handler_stops_after_its_iret() {
    let (out, _) = debug_src(
        SKIP_HANDLER,
        &[],
        "catch exception divide\ncontinue\nfinish\ninfo registers a0\n",
    );
    let fin = section(&out, "finish");
    assert!(fin.contains("Run till exit"), "{fin}");
    assert!(fin.contains("<divide+0x4>:  callg 5"), "{fin}");
    assert!(!fin.contains("halted"), "{fin}");
}

/// Exceptions that keep the ring are explained while stepping, as ring-changing ones are, and
/// a catchpoint decodes the cause word.
#[test]
fn same_ring_exceptions_are_explained_and_causes_decoded() {
    let (out, _) = debug_src(
        SKIP_HANDLER,
        &[],
        "break divide\ncontinue\nstepi\ndelete\ncatch exception\ncontinue\ncontinue\n",
    );
    let step = section(&out, "stepi");
    assert!(
        step.contains(
            "exception in ring 0, no ring change: through vector 7 (divide by zero) <skip>"
        ),
        "{step}"
    );
    assert!(step.contains("exception frame at 0x0000ffec"), "{step}");
    assert!(step.contains("cause 0x7 = divide by zero"), "{step}");
    assert!(step.contains("<skip>:  lw t0, 0(sp)"), "{step}");
    assert!(
        out.contains("cause 0x106 = gate fault, the gate number is at or above glimit"),
        "{out}"
    );
}

/// A label at the end of one section does not name the next section's code at the same
/// address; and only addresses get symbols in `print` (GDB's rule), not plain integers.
#[test]
fn code_is_named_by_its_own_section_and_integers_get_no_symbol() {
    let src = "
        .text
        .global _start
_start:
        la      t0, user
        jr      t0

        .bss
buf:    .space  4096
buf_end:

        .section .user, \"ax\"
user:
        li      a0, 1
        halt
";
    let (out, _) = debug_src(
        src,
        &[],
        "break user\ncontinue\ninfo symbol $pc\nbt\nx/2i $pc\np $pc\np $a0\np $ring\np user\n\
         p/a 4\np user+4\np 12\n",
    );
    assert!(!out.contains("buf_end"), "{out}");
    assert!(section(&out, "break user").contains("<user>"), "{out}");
    assert!(
        section(&out, "continue").contains("Breakpoint 1, user"),
        "{out}"
    );
    assert!(section(&out, "info symbol $pc").contains("user"), "{out}");
    assert!(section(&out, "bt").contains("in user"), "{out}");
    assert!(section(&out, "p $pc").contains("<user>"), "{out}");
    assert!(!section(&out, "p $a0").contains('<'), "{out}");
    assert!(!section(&out, "p $ring").contains('<'), "{out}");
    assert!(section(&out, "p user").contains("<user>"), "{out}");
    assert!(section(&out, "p/a 4").contains("<_start+0x4>"), "{out}");
    assert!(section(&out, "p user+4").contains("<user+0x4>"), "{out}");
    assert!(!section(&out, "p 12").contains('<'), "{out}");

    // In one section: the label that ends the area before does not name the code after it.
    let src = "
        .text
        .global _start
_start:
        j       user_main
        .space  64
ustack_top:
user_main:
        li      a0, 0
        halt
";
    let (out, _) = debug_src(
        src,
        &[],
        "break user_main
continue
stepi
",
    );
    assert!(!out.contains("ustack_top"), "{out}");
    assert!(section(&out, "stepi").contains("<user_main+0x4>"), "{out}");
}

/// Memory contents are integers: `print *counter` shows no symbol; a read past the end of the
/// address space is an error rather than wrapping around to address 0.
#[test]
fn memory_values_are_integers_and_reads_do_not_wrap() {
    let out = debug(
        "dbg_rings.s",
        "p *counter\np *(u32*)0xfffffffe\np *0xffffffff\nx/2xw 0xfffffffc\n",
    );
    assert!(!section(&out, "p *counter").contains('<'), "{out}");
    for c in ["p *(u32*)0xfffffffe", "p *0xffffffff", "x/2xw 0xfffffffc"] {
        assert_one_line_error(&out, c);
        assert!(
            section(&out, c).contains("past the end of the address space"),
            "{out}"
        );
    }
}

/// The machine's own words, not the emulator's type names, in messages.
#[test]
fn messages_use_words_not_type_names() {
    let out = debug(
        "dbg_rings.s",
        "break after_gate\ncontinue\ninfo rings\ncontinue\nstepi\ninfo devices\n",
    );
    for bad in [
        "Halted(",
        "Gate(",
        "Retg",
        "Vector(",
        "Some(",
        "TripleFault",
    ] {
        assert!(!out.contains(bad), "`{bad}` leaked into:\n{out}");
    }
    assert!(section(&out, "info rings").contains("by retg"), "{out}");
    assert!(
        section(&out, "stepi").contains("the machine has stopped (it halted with exit code 0)"),
        "{out}"
    );
    let dev = section(&out, "info devices");
    for d in [
        "PIC", "TIMER", "UART", "POWER", "DISK", "FB", "KBD", "RTC", "CAMERA",
    ] {
        assert!(dev.lines().any(|l| l.starts_with(d)), "no {d} in:\n{dev}");
    }
    assert!(dev.contains("no medium"), "{dev}");
}

/// A return address left in ra by an earlier call is not shown as a caller: `bt` says the
/// next frame cannot be trusted.
#[test]
fn backtrace_does_not_invent_a_frame_from_a_stale_return_address() {
    let src = "
        .text
        .global _start
_start:
        jal     ra, first
        j       second
first:
        ret
second:
        nop
        nop
        li      a0, 0
        halt
";
    let (out, _) = debug_src(src, &[], "break second+4\ncontinue\nbt\n");
    let bt = section(&out, "bt");
    assert!(bt.contains("#0 "), "{bt}");
    assert!(!bt.contains("#1 "), "no invented caller: {bt}");
    assert!(
        bt.contains("cannot be trusted") && bt.contains("follows a call to 0x00000008 <first>"),
        "{bt}"
    );
}

/// Messages that used to mislead: a register given to `watch`, a 64-bit cast, and
/// `info all-registers` without the control registers.
#[test]
fn watch_register_wide_cast_and_all_registers_say_what_is_meant() {
    let out = debug(
        "dbg_rings.s",
        "watch $s0\np *(u64*)0\np (long)1\np *(foo*)0\ninfo all-registers\n",
    );
    assert_one_line_error(&out, "watch $s0");
    assert!(
        section(&out, "watch $s0").contains("is a register"),
        "{out}"
    );
    assert!(!section(&out, "watch $s0").contains("aligned"), "{out}");
    for c in ["p *(u64*)0", "p (long)1"] {
        assert_one_line_error(&out, c);
        assert!(section(&out, c).contains("is wider than"), "{out}");
        assert!(!section(&out, c).contains("no symbol"), "{out}");
    }
    assert!(
        section(&out, "p *(foo*)0").contains("`foo` is not a type"),
        "{out}"
    );
    let all = section(&out, "info all-registers");
    for r in ["r31", "pc ", "status", "ptbase", "vbase", "sp0"] {
        assert!(all.contains(r), "no {r} in:\n{all}");
    }
}

/// `hot` reports per guest address: a block translated again after every store into its code
/// page is one line, with its translations counted (it was one line per translation).
#[test]
fn hot_reports_each_address_once_with_its_translations() {
    let src = "
        .text
        .global _start
_start:
        li      t0, 0
        li      t1, 20              # fewer rewrites than make the engine stop translating
        la      t2, scratch
loop:
        sw      t0, 0(t2)               # into this code page: the block is translated again
        addi    t0, t0, 1
        blt     t0, t1, loop
        li      a0, 0
        halt
scratch:
        .word   0
";
    let (out, _) = debug_src(src, &[], "continue\nhot\n");
    let hot = section(&out, "hot");
    let rows: Vec<&str> = hot.lines().skip(2).collect();
    let pcs: Vec<&str> = rows
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    let mut unique = pcs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(pcs.len(), unique.len(), "one line per address: {hot}");
    let top: Vec<&str> = rows[0].split_whitespace().collect();
    assert_eq!(top[top.len() - 2], "20", "20 translations: {hot}");
    assert_eq!(
        top.last(),
        Some(&"no"),
        "the threaded engine compiles nothing: {hot}"
    );
    assert_eq!(top[3], "20", "20 executions: {hot}");
}

/// Ring 0 with a handler for vectors 6 (gate fault) and 7 (divide) that emulates and skips the
/// faulting instruction (SPEC.md §1.1's pattern), then `callg 5` with no gate table.
const SKIP_HANDLER: &str = "
        .text
        .global _start
_start:
        li      sp, 0x10000
        la      t0, vectors
        mtcr    vbase, t0
        la      t1, skip
        li      t2, 1                   # present, ring 0, DPL 0
        sw      t1, 7*8(t0)
        sw      t2, 7*8+4(t0)
        sw      t1, 6*8(t0)
        sw      t2, 6*8+4(t0)
        li      a0, 10
        li      a1, 0
divide:
        div     a2, a0, a1
        callg   5
        li      a0, 3
        halt

# Returns past the faulting instruction.
skip:
        lw      t0, 0(sp)
        addi    t0, t0, 4
        sw      t0, 0(sp)
        iret

        .bss
        .balign 8
vectors:
        .space  64 * 8
";

/// `trace on` without a file through a long run: the trace reaches a listener in pieces as the
/// guest runs (at most a chunk of lines held at once), not as one buffer of the whole run.
#[test]
fn a_long_trace_reaches_the_listener_in_pieces() {
    use std::sync::{Arc, Mutex};
    let mut d = session("dbg_bench.s");
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&sizes);
    d.set_listener(Box::new(move |ev| {
        if let debugger::Event::Trace(b) = ev {
            seen.lock().expect("sizes").push(b.len());
        }
    }));
    d.execute("trace on").expect("trace on");
    d.execute("stepi 200000").expect("stepi");
    let sizes = sizes.lock().expect("sizes");
    let total: usize = sizes.iter().sum();
    assert!(total > 8 << 20, "a long trace: {total} bytes");
    let largest = sizes.iter().max().copied().unwrap_or(0);
    assert!(largest < 4 << 20, "pieces of at most a few MiB: {largest}");
}

/// Without a listener, what piles up between two takes is bounded: the oldest output goes,
/// and the first event taken says how much.
#[test]
fn output_nobody_takes_is_bounded() {
    let mut d = session("dbg_bench.s");
    d.execute("trace on").expect("trace on");
    d.take_events();
    d.execute("stepi 400000").expect("stepi");
    let events = d.take_events();
    let held: usize = events
        .iter()
        .map(|e| match e {
            debugger::Event::Trace(b) | debugger::Event::Serial(b) => b.len(),
            _ => 0,
        })
        .sum();
    assert!(held <= debugger::output::MAX_QUEUED_OUTPUT, "held {held}");
    match events.first() {
        Some(debugger::Event::Line(l)) => {
            assert!(l.contains("bytes of earlier output were dropped"), "{l}")
        }
        other => panic!("the first event says what was dropped: {other:?}"),
    }
    // The newest output is what is kept: the trace up to the stop, then the stop itself.
    let text = debugger::render(&events);
    let tail: Vec<&str> = text.lines().rev().take(2).collect();
    assert!(
        tail[0].starts_with("[ring 0] "),
        "ends at the stop: {tail:?}"
    );
    assert!(
        tail[1].contains("  r0  "),
        "a trace line before it: {tail:?}"
    );
}
