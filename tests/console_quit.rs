//! `Ctrl-A x` at a real terminal (tmux) quits the emulator with status 130, not 0: a quit is
//! not a pass. Skipped with a notice when tmux is not installed (CI installs it).
#[path = "support/oom_guard.rs"]
mod oom_guard;

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

#[test]
fn ctrl_a_x_quits_with_status_130() {
    if !Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("loop.s"), "_start: j _start\n").unwrap();
    let socket = dir.path().join("tmux.sock");
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(args)
            .output()
            .expect("tmux runs")
    };
    let command = format!(
        "{} run loop.s; echo \"status=$?\"; sleep 60",
        env!("CARGO_BIN_EXE_ringfort")
    );
    let dir_s = dir.path().display().to_string();
    let started = tmux(&[
        "new-session",
        "-d",
        "-s",
        "q",
        "-x",
        "100",
        "-y",
        "20",
        "-c",
        &dir_s,
        &command,
    ]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let screen =
        || String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", "q"]).stdout).into_owned();
    // Give the emulator time to put the terminal in raw mode, then quit.
    sleep(Duration::from_millis(500));
    tmux(&["send-keys", "-t", "q", "C-a", "x"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut text = screen();
    while !text.contains("status=") && Instant::now() < deadline {
        sleep(Duration::from_millis(100));
        text = screen();
    }
    tmux(&["kill-server"]);
    assert!(text.contains("status=130"), "{text}");
    assert!(text.contains("terminated at the console"), "{text}");
}
