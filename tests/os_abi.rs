//! Ringfort OS's ABI is written once, in `firmware/include/abi.inc`; the system-call and
//! error tables of `docs/os.md` are generated from it. This test fails when they differ
//! (regenerate with `RINGFORT_BLESS=1 cargo test --test os_abi`).

use std::path::PathBuf;

const GATES_BEGIN: &str =
    "<!-- BEGIN GATE TABLE (generated from firmware/include/abi.inc; do not edit) -->";
const GATES_END: &str = "<!-- END GATE TABLE -->";
const ERRORS_BEGIN: &str =
    "<!-- BEGIN ERROR TABLE (generated from firmware/include/abi.inc; do not edit) -->";
const ERRORS_END: &str = "<!-- END ERROR TABLE -->";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The arguments of each `\m ...` line of the list macro `name`, with the line's comment.
fn list(abi: &str, name: &str) -> Vec<(Vec<String>, String)> {
    let start = abi
        .find(&format!(".macro  {name} m"))
        .unwrap_or_else(|| panic!("{name} not found in abi.inc"));
    let body = &abi[start..];
    let body = &body[..body.find(".endm").expect("end of the list")];
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("\\m"))
        .map(|l| {
            let (args, comment) = match l.split_once('#') {
                Some((a, c)) => (a, c.trim().to_string()),
                None => (l, String::new()),
            };
            // Split on commas outside quotes.
            let mut parts = Vec::new();
            let mut cur = String::new();
            let mut quoted = false;
            for c in args.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ',' if !quoted => parts.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
            }
            parts.push(cur);
            (
                parts.iter().map(|p| p.trim().to_string()).collect(),
                comment,
            )
        })
        .collect()
}

/// The ring number and a name for a `RING_*` symbol.
fn ring(r: &str) -> (u32, &'static str) {
    match r {
        "RING_KERNEL" => (0, "0 kernel"),
        "RING_DRIVER" => (1, "1 drivers"),
        "RING_FS" => (2, "2 file service"),
        _ => panic!("unknown ring {r}"),
    }
}

fn gate_table(abi: &str) -> String {
    let mut t = String::from(
        "| gate | name | served in ring | callable from rings | handler | call and result |\n\
         |---|---|---|---|---|---|\n",
    );
    for (i, (a, comment)) in list(abi, "GATE_LIST").iter().enumerate() {
        assert_eq!(a.len(), 5, "GATE_LIST line {i}: {a:?}");
        assert_eq!(
            a[1],
            (i + 1).to_string(),
            "gates are numbered 1, 2, ... in order"
        );
        let dpl: u32 = a[3].parse().expect("DPL");
        // A caller must pass the DPL check (CPL <= DPL) and not call outward (target <= CPL).
        let (target, name) = ring(&a[2]);
        assert!(target <= dpl, "{}: no ring can call it", a[0]);
        t += &format!(
            "| {} | `{}` | {} | {}–{} | `{}` | `{}` |\n",
            a[1], a[0], name, target, dpl, a[4], comment
        );
    }
    t
}

fn error_table(abi: &str) -> String {
    let mut t = String::from("| value | name | meaning |\n|---|---|---|\n");
    for (a, _) in list(abi, "ERROR_LIST") {
        t += &format!("| {} | `{}` | {} |\n", a[1], a[0], a[2].trim_matches('"'));
    }
    t
}

fn replace_between(doc: &str, begin: &str, end: &str, body: &str) -> String {
    let b = doc.find(begin).unwrap_or_else(|| panic!("{begin} missing")) + begin.len();
    let e = doc.find(end).unwrap_or_else(|| panic!("{end} missing"));
    format!("{}\n{}{}", &doc[..b], body, &doc[e..])
}

#[test]
fn docs_os_tables_are_the_abi() {
    let abi = std::fs::read_to_string(root().join("firmware/include/abi.inc")).unwrap();
    let path = root().join("docs/os.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let new = replace_between(&doc, GATES_BEGIN, GATES_END, &gate_table(&abi));
    let new = replace_between(&new, ERRORS_BEGIN, ERRORS_END, &error_table(&abi));
    if std::env::var_os("RINGFORT_BLESS").is_some() {
        std::fs::write(&path, &new).unwrap();
    } else {
        assert!(
            new == doc,
            "docs/os.md's tables differ from firmware/include/abi.inc; regenerate them with \
             RINGFORT_BLESS=1 cargo test --test os_abi"
        );
    }
}

#[test]
fn gate_count_and_error_count_match_their_lists() {
    let abi = std::fs::read_to_string(root().join("firmware/include/abi.inc")).unwrap();
    let count = |name: &str| -> usize {
        abi.lines()
            .find_map(|l| l.trim().strip_prefix(&format!(".equ    {name},")))
            .and_then(|v| v.split('#').next())
            .map(|v| v.trim().parse().unwrap())
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(count("GATE_COUNT"), list(&abi, "GATE_LIST").len() + 1);
    assert_eq!(count("ERROR_COUNT"), list(&abi, "ERROR_LIST").len());
}
