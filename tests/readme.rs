//! README.md's examples stay true: the 10-line example is assembled and run with `--stats`,
//! and every output line the README shows (other than `...`) is in what it prints.
#[path = "support/oom_guard.rs"]
mod oom_guard;

use std::process::Command;

fn block_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("README has {marker:?}"));
    let body = &text[start + marker.len()..];
    let body = &body[body.find('\n').unwrap() + 1..];
    &body[..body.find("\n```").unwrap()]
}

#[test]
fn the_readme_example_prints_what_the_readme_shows() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let source = block_after(&readme, "```asm");
    let shown = block_after(&readme, "```\n$ ringfort run --stats hi.s");
    let dir = tempfile::tempdir().unwrap();
    let hi = dir.path().join("hi.s");
    std::fs::write(&hi, source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ringfort"))
        .args(["run", "--stats"])
        .arg(&hi)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = printed.lines().map(str::trim_end).collect();
    let mut checked = 0;
    for want in shown.lines().map(str::trim_end).filter(|l| *l != "...") {
        assert!(
            lines.contains(&want),
            "README shows {want:?}; the run printed:\n{printed}"
        );
        checked += 1;
    }
    assert!(checked >= 8, "the README shows {checked} lines");
}
