//! Reading a debugger transcript as `ringfort debug --echo` prints it: each command after
//! `(rfdb) `, then its output. Shared by the end-to-end tests and the library's.
#![allow(dead_code)]

/// The output of the command `cmd` (the lines after its echo, up to the next prompt).
pub fn section<'a>(out: &'a str, cmd: &str) -> &'a str {
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
pub fn assert_one_line_error(out: &str, cmd: &str) {
    let s = section(out, cmd);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 1, "`{cmd}` should print one line, got:\n{s}");
    assert!(lines[0].starts_with("error: "), "`{cmd}`: {s}");
}
