//! Random command lines and expressions: the debugger never panics, and every failing command
//! answers with exactly one line starting `error:`.
mod common;
#[path = "support/oom_guard.rs"]
mod oom_guard;

use proptest::prelude::*;
use std::path::Path;

/// Words that are not command names: formats on command words, `info` and `catch` arguments
/// beyond the tables' (the command names, their aliases, `info` subcommands and `catch` kinds
/// come from the debugger's own tables, see `words`), symbols, registers, operators.
const EXTRA: &[&str] = &[
    "x/4xw",
    "x/s",
    "x/3i",
    "x/2c",
    "p/x",
    "on",
    "off",
    "save",
    "load",
    "if",
    "-phys",
    "main",
    "square",
    "counter",
    "loop",
    "nosuch",
    "dbg_rings.s:90",
    "foo.s:1",
    "$a0",
    "$sp",
    "$pc",
    "$ring",
    "$cycles",
    "$status",
    "$r31",
    "$r32",
    "$1",
    "$",
    "*",
    "*(u8*)",
    "(",
    ")",
    "+",
    "-",
    "==",
    "&&",
    "||",
    "=",
    "0",
    "1",
    "7",
    "0x2000",
    "0xffffffff",
    "-1",
    "99999999999",
    ",",
    "'a'",
    "''",
    "\\",
    "/",
    "%",
    ":",
    "!",
    "~",
];

/// Every word the random lines are made of: the command table's names and aliases, the `info`
/// subcommands and `catch` kinds, and [`EXTRA`].
fn words() -> Vec<&'static str> {
    let mut w: Vec<&'static str> = Vec::new();
    for c in debugger::commands::COMMANDS {
        w.push(c.name);
        w.extend(c.aliases);
    }
    w.extend(debugger::commands::info::INFO.iter().map(|s| s.name));
    w.extend(debugger::commands::stops::CATCH_KINDS);
    w.extend(EXTRA);
    w
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(words()).prop_map(String::from),
        1 => "[ -~]{0,8}",
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(word(), 1..6).prop_map(|w| w.join(" ")),
        2 => expr(3).prop_map(|e| format!("print {e}")),
        1 => "[ -~]{0,30}",
    ]
    .prop_filter("no quit (it ends the session early)", |l| {
        let w = l.split_whitespace().next().unwrap_or("");
        !matches!(w, "quit" | "q" | "exit" | "qu" | "qui")
    })
}

fn expr(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(|n| n.to_string()),
        proptest::sample::select(
            &[
                "$a0", "$pc", "$sp", "$ring", "$cycles", "$status", "main", "counter", "nosuch",
                "$9", "0x10"
            ][..]
        )
        .prop_map(String::from),
    ];
    leaf.prop_recursive(depth, 16, 3, |inner| {
        let ops = proptest::sample::select(
            &[
                "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "==", "!=", "<", "<=", ">",
                ">=", "&&", "||",
            ][..],
        );
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("*(u8*){a}")),
            inner.clone().prop_map(|a| format!("*{a}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.prop_map(|a| format!("(i32){a}")),
        ]
    })
    .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_commands_never_crash_and_errors_are_one_line(lines in proptest::collection::vec(line(), 1..12)) {
        let tmp = tempfile::tempdir().unwrap();
        let guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guest/dbg_rings.s");
        let script: String = lines.iter().map(|l| format!("{}\n", l.replace(['\n', '\r'], " "))).collect();
        let out = common::ringfort(tmp.path(), &["debug", "--echo", &guest.display().to_string()], &script);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(!stderr.contains("panicked"), "panic:\n{}\nscript:\n{}", stderr, script);
        prop_assert_eq!(out.status.code(), Some(0), "exit status; stderr {}", stderr);
        // Split the transcript at the echoed prompts; a section with an error has one line.
        for sec in stdout.split("(rfdb) ").skip(1) {
            let body: Vec<&str> = sec.lines().skip(1).collect();
            if body.iter().any(|l| l.starts_with("error:")) {
                prop_assert_eq!(body.len(), 1, "multi-line error:\n{}", sec);
            }
        }
    }
}
