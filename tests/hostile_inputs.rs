//! Inputs built to exhaust the host (issue: hardening): each must end in a clear error or a
//! normal result, quickly, never in a stack overflow, an abort or a huge allocation.
#[path = "support/cli.rs"]
mod cli;
#[path = "support/oom_guard.rs"]
mod oom_guard;

use std::path::Path;
use std::process::Output;

fn ringfort(args: &[&str], dir: &Path) -> Output {
    cli::ringfort_cmd()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run ringfort")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A 100,000-term constant sum assembles (it folds as it parses) and has the right value.
#[test]
fn a_long_constant_expression_assembles() {
    let dir = tempfile::tempdir().unwrap();
    let sum = vec!["1"; 100_000].join("+");
    let src = format!(".text\n_start:\n li a0, {sum} - 99958\n halt\n");
    std::fs::write(dir.path().join("chain.s"), src).unwrap();
    let o = ringfort(&["run", "chain.s"], dir.path());
    assert_eq!(o.status.code(), Some(42), "{}", text(&o));
}

/// A 20,000-term sum over a symbol cannot fold: it is refused with its location, not a crash.
#[test]
fn a_long_symbolic_expression_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let sum = vec!["x"; 20_000].join("+");
    let src = format!(".equ x, 1\n.text\n_start:\n li a0, {sum}\n halt\n");
    std::fs::write(dir.path().join("chain.s"), src).unwrap();
    let o = ringfort(&["asm", "chain.s", "-o", "chain"], dir.path());
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("chain.s:4:"), "{all}");
    assert!(all.contains("more than 2000 operators"), "{all}");
    assert!(o.stderr.len() < 4096, "the error quotes too much: {all}");
}

/// Deep nesting, of parentheses and of unary operators, is a located error.
#[test]
fn deeply_nested_expressions_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, e) in [
        (
            "parens.s",
            format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        ),
        ("minus.s", format!("{}1", "-".repeat(100_000))),
    ] {
        std::fs::write(dir.path().join(name), format!(".text\n li a0, {e}\n")).unwrap();
        let o = ringfort(&["asm", name, "-o", "out"], dir.path());
        let all = text(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {all}");
        assert!(all.contains(&format!("{name}:2:")), "{name}: {all}");
        assert!(all.contains("nested too deeply"), "{name}: {all}");
    }
}

/// A chain of `.set` symbols, each a long expression over the previous one, is refused at
/// its use (evaluating it would recurse once per operator on the whole chain).
#[test]
fn a_long_chain_of_symbolic_definitions_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::from(".text\n_start:\n li a0, s99\n halt\n.set s0, later\n");
    for i in 1..100 {
        src += &format!(".set s{i}, s{} {}\n", i - 1, "+ later ".repeat(1500));
    }
    src += "later: .word 0\n";
    std::fs::write(dir.path().join("sets.s"), src).unwrap();
    let o = ringfort(&["asm", "sets.s", "-o", "out"], dir.path());
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("sets.s:"), "{all}");
    assert!(all.contains("operators in a chain of symbols"), "{all}");
    assert!(o.stderr.len() < 8192, "the error quotes too much: {all}");
}

/// A 1 MB identifier is reported quickly, and the report quotes a bounded excerpt.
#[test]
fn a_huge_identifier_gives_a_short_report_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let id = "a".repeat(1 << 20);
    for (name, src) in [
        ("insn.s", format!(".text\n {id} a0, a1\n")),
        ("sym.s", format!(".text\n li a0, {id}\n")),
        ("dir.s", format!(".{id}\n")),
        ("label.s", format!("{id}:\n{id}:\n")),
    ] {
        std::fs::write(dir.path().join(name), src).unwrap();
        let t = std::time::Instant::now();
        let o = ringfort(&["asm", name, "-o", "out"], dir.path());
        let secs = t.elapsed().as_secs_f64();
        let all = text(&o);
        let short = &all[..all.len().min(2000)];
        assert_eq!(o.status.code(), Some(1), "{name}: {short}");
        assert!(all.contains(&format!("{name}:")), "{name}: {short}");
        assert!(
            o.stderr.len() < 2048,
            "{name}: the error quotes too much: {short}"
        );
        assert!(secs < 5.0, "{name}: took {secs:.1} s");
    }
}

/// Macro expansions and `.include`s nested in each other share one depth bound (each file
/// level used to restart the macro count: 32 files x 64 macro levels).
#[test]
fn macros_and_includes_nested_in_each_other_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let main = ".macro m n\n.if \\n\nm \\n-1\n.else\n.include \"inc.s\"\n.endif\n.endm\nm 60\n";
    std::fs::write(dir.path().join("main.s"), main).unwrap();
    std::fs::write(dir.path().join("inc.s"), "m 60\n").unwrap();
    let o = ringfort(&["asm", "main.s", "-o", "out"], dir.path());
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("nested more than"), "{all}");
}

/// Ten thousand errors on one 1 MB line: each is located without rescanning the line, and
/// each quotes an excerpt.
#[test]
fn many_errors_on_one_huge_line_are_fast() {
    let dir = tempfile::tempdir().unwrap();
    let stmt = format!("bogus {};", "a".repeat(90));
    std::fs::write(
        dir.path().join("many.s"),
        format!(".text\n{}\n", stmt.repeat(10_000)),
    )
    .unwrap();
    let t = std::time::Instant::now();
    let o = ringfort(&["asm", "many.s", "-o", "out"], dir.path());
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("many.s:2:969904: error: unknown instruction"),
        "{}",
        &err[err.len() - 600..]
    );
    assert!(
        err.ends_with("10000 errors generated\n"),
        "{}",
        &err[err.len() - 300..]
    );
    assert!(o.stderr.len() < 10_000 * 400, "{} bytes", o.stderr.len());
    assert!(secs < 5.0, "took {secs:.1} s");
}

/// `.irpc` over a 2 MB text and `.irp` over 1.1 million values hit the expansion budget
/// before anything is made per value.
#[test]
fn huge_irp_and_irpc_lists_are_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let irp = format!(".irp v, {}\n.endr\n", vec!["1"; 1_100_000].join(","));
    for (name, src) in [
        (
            "irpc.s",
            format!(".irpc c, {}\n.endr\n", "x".repeat(2_000_000)),
        ),
        ("irp.s", irp),
    ] {
        std::fs::write(dir.path().join(name), src).unwrap();
        let o = ringfort(&["asm", name, "-o", "out"], dir.path());
        let all = text(&o);
        let short = &all[..all.len().min(1500)];
        assert_eq!(o.status.code(), Some(1), "{name}: {short}");
        assert!(
            all.contains(&format!("{name}:1:1: error: `.irp")),
            "{name}: {short}"
        );
        assert!(
            all.contains("values goes past the 1000000-line expansion limit"),
            "{short}"
        );
        assert!(o.stderr.len() < 2048, "{name}: {short}");
    }
}
