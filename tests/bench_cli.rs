//! `ringfort bench` through the CLI: kernels run, verify their checksums and report what the
//! issue asks for (per kernel and engine: instructions, cycles, seconds, MIPS; `--json`).
#[path = "support/cli.rs"]
mod cli;
#[path = "support/oom_guard.rs"]
mod oom_guard;

use cli::ringfort_output as ringfort;

#[test]
fn bench_json_reports_each_kernel_engine_and_mode() {
    let out = ringfort(&[
        "bench", "--json", "--repeat", "2", "--paging", "both", "tlbmiss", "gatecall",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    // 2 kernels x 2 paging modes x 3 engines.
    assert_eq!(lines.len(), 12, "{text}");
    for kernel in ["tlbmiss", "gatecall"] {
        for paging in ["true", "false"] {
            let rows: Vec<&&str> = lines
                .iter()
                .filter(|l| {
                    l.contains(&format!("\"kernel\":\"{kernel}\""))
                        && l.contains(&format!("\"paging\":{paging}"))
                })
                .collect();
            assert_eq!(rows.len(), 3, "{kernel} paging {paging}: {text}");
            // Every engine retires the same instructions and count the same cycles.
            let field = |l: &str, f: &str| -> String {
                let at = l.find(&format!("\"{f}\":")).expect(f) + f.len() + 3;
                l[at..].split([',', '}']).next().expect("value").to_string()
            };
            for r in &rows[1..] {
                assert_eq!(field(rows[0], "instructions"), field(r, "instructions"));
                assert_eq!(field(rows[0], "cycles"), field(r, "cycles"));
            }
            for r in rows {
                let mips: f64 = field(r, "mips").parse().expect("mips is a number");
                assert!(mips > 0.0, "{r}");
            }
        }
    }
    // The gate-call loop makes a million round trips (five instructions each, plus setup).
    let gate = lines
        .iter()
        .find(|l| l.contains("gatecall") && l.contains("\"paging\":false"))
        .expect("gatecall row");
    assert!(gate.contains("\"instructions\":5000348"), "{gate}");
}

#[test]
fn bench_table_and_errors() {
    let out = ringfort(&[
        "bench", "--engine", "threaded", "--paging", "off", "tlbmiss",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("MIPS") && text.contains("tlbmiss"), "{text}");
    let bad = ringfort(&["bench", "nosuchkernel"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("no kernel `nosuchkernel`") && err.contains("sieve"),
        "{err}"
    );
    let zero = ringfort(&["bench", "--repeat", "0", "tlbmiss"]);
    assert!(!zero.status.success(), "--repeat 0 is refused");
}
