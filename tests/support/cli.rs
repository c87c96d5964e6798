//! The one way the end-to-end tests start the `ringfort` binary. Included by each test binary
//! that runs it with `#[path = "support/cli.rs"] mod cli;` (or through `tests/common`).
#![allow(dead_code)]

use std::io::{BufRead, Write};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary cargo built for the tests.
pub const RINGFORT: &str = env!("CARGO_BIN_EXE_ringfort");

/// A `ringfort` command with colour off (the tests read plain text); the caller adds the
/// arguments, a folder, input and how to collect output.
pub fn ringfort_cmd() -> Command {
    let mut c = Command::new(RINGFORT);
    c.env("NO_COLOR", "1");
    c
}

/// Runs `ringfort ARGS` to completion in the current folder; standard input is closed.
pub fn ringfort_output(args: &[&str]) -> Output {
    ringfort_cmd().args(args).output().expect("ringfort runs")
}

/// Runs `ringfort ARGS` with its address space capped at `mib` MiB (the shell's `ulimit -v`),
/// so that an input that makes it allocate too much fails instead of taking the host down.
pub fn ringfort_capped(mib: u64, args: &[&str]) -> Output {
    let mut cmd = format!("ulimit -v {}; exec \"$0\"", mib << 10);
    for i in 1..=args.len() {
        cmd.push_str(&format!(" \"${i}\""));
    }
    Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .arg(RINGFORT)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs")
}

/// Runs `ringfort ARGS` with `stdin` piped in (then closed) and collects its output.
pub fn ringfort_piped(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = ringfort_cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ringfort runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("ringfort ends")
}

/// The address a `-serial tcp:HOST:PORT` console listens on, read from the first lines of
/// ringfort's standard error (the line that says `... tcp:ADDR`).
pub fn tcp_address(stderr: &mut impl BufRead) -> String {
    for _ in 0..5 {
        let mut line = String::new();
        stderr.read_line(&mut line).expect("stderr readable");
        if let Some((_, a)) = line.trim().rsplit_once("tcp:") {
            return a.to_string();
        }
    }
    panic!("no tcp: address in ringfort's first stderr lines")
}

/// Bytes as text (lossy), for assertions and messages.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Fails, showing both streams, unless the run exited with status 0.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Waits for `child` to exit, failing the test if it is still running after `secs` seconds.
pub fn wait_exit(child: &mut Child, secs: u64) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(st) = child.try_wait().expect("ringfort's status") {
            return st;
        }
        assert!(
            Instant::now() < deadline,
            "ringfort did not exit within {secs} s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
