//! The debugger on a real terminal (tmux): history with the up arrow (kept in a file across
//! sessions), tab completion of commands, registers and symbols, and Ctrl-C stopping a running
//! guest. Skipped with a notice when tmux is not installed (CI installs it).
#[path = "support/oom_guard.rs"]
mod oom_guard;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

struct Session {
    name: String,
    socket: PathBuf,
}

impl Session {
    fn start(dir: &Path, socket: &Path, name: &str, command: &str) -> Session {
        // One tmux server per session: a server that is shutting down never gets in the way.
        let s = Session {
            name: name.to_string(),
            socket: socket.with_extension(name),
        };
        let ok = s
            .tmux(&[
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "160",
                "-y",
                "50",
                "-c",
                &dir.display().to_string(),
                command,
            ])
            .status
            .success();
        let out = s.tmux(&["list-sessions"]);
        assert!(
            ok,
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        s
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }

    /// Types literal text.
    fn type_text(&self, text: &str) {
        assert!(self
            .tmux(&["send-keys", "-t", &self.name, "-l", text])
            .status
            .success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", &self.name]).stdout)
            .into_owned()
    }

    /// Waits until the screen satisfies `pred`.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let t0 = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if t0.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// The last non-empty line on the screen.
    fn last_line(&self) -> String {
        self.screen()
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_end()
            .to_string()
    }

    fn wait_last_line(&self, want: &str) {
        let t0 = Instant::now();
        loop {
            if self.last_line() == want {
                return;
            }
            if t0.elapsed() > Duration::from_secs(30) {
                panic!(
                    "timed out waiting for the line {want:?}; screen:\n{}",
                    self.screen()
                );
            }
            sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

#[test]
fn history_completion_and_ctrl_c_on_a_terminal() {
    if !have_tmux() {
        eprintln!("NOTICE: tmux is not installed; skipping the terminal test of the debugger");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let hist = tmp.path().join("history");
    let socket = tmp.path().join("tmux.sock");
    let guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guest");
    let bin = env!("CARGO_BIN_EXE_ringfort");
    let cmd = format!(
        "env RINGFORT_HISTORY={} TERM=xterm {bin} debug dbg_rings.s",
        hist.display()
    );
    let s = Session::start(&guest, &socket, "rfdb1", &cmd);
    s.wait_last_line("(rfdb)");

    // Two commands, then the up arrow recalls them, newest first.
    s.type_text("p 40+2");
    s.keys(&["Enter"]);
    s.wait_for("the result", |sc| sc.contains("$1 = 42"));
    s.type_text("info registers pc");
    s.keys(&["Enter"]);
    s.wait_for("pc", |sc| sc.contains("pc        0x00000000"));
    s.keys(&["Up"]);
    s.wait_last_line("(rfdb) info registers pc");
    s.keys(&["Up"]);
    s.wait_last_line("(rfdb) p 40+2");
    s.keys(&["Enter"]);
    s.wait_for("the recalled command ran", |sc| sc.contains("$2 = 42"));

    // Tab completes commands, info subcommands, symbols and registers.
    s.type_text("disas");
    s.keys(&["Tab"]);
    s.wait_last_line("(rfdb) disassemble");
    s.keys(&["C-u"]);
    s.type_text("info pageta");
    s.keys(&["Tab"]);
    s.wait_last_line("(rfdb) info pagetable");
    s.keys(&["C-u"]);
    s.type_text("break squ");
    s.keys(&["Tab"]);
    s.wait_last_line("(rfdb) break square");
    s.keys(&["Enter"]);
    s.wait_for("the breakpoint", |sc| {
        sc.contains("Breakpoint 1 at 0x00000180 <square>")
    });
    s.type_text("p $stat");
    s.keys(&["Tab"]);
    s.wait_last_line("(rfdb) p $status");
    s.keys(&["Enter"]);
    s.wait_for("status", |sc| sc.contains("$3 = 0"));
    s.type_text("quit");
    s.keys(&["Enter"]);
    let t0 = Instant::now();
    while !std::fs::read_to_string(&hist)
        .unwrap_or_default()
        .contains("break square")
    {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "history file not written"
        );
        sleep(Duration::from_millis(50));
    }
    drop(s);

    // A new session recalls the previous one's commands from the history file.
    let s = Session::start(&guest, &socket, "rfdb2", &cmd);
    s.wait_last_line("(rfdb)");
    s.keys(&["Up"]);
    s.wait_last_line("(rfdb) quit");
    s.keys(&["Up"]);
    s.wait_last_line("(rfdb) p $status");
    s.keys(&["C-u"]);
    drop(s);

    // Ctrl-C stops a guest that runs forever and returns to the prompt.
    let spin = tmp.path().join("spin.s");
    std::fs::write(
        &spin,
        ".text\n.global _start\n_start: li t0, 0\n1: addi t0, t0, 1\n j 1b\n",
    )
    .unwrap();
    let cmd = format!(
        "env RINGFORT_HISTORY={} TERM=xterm {bin} debug {}",
        hist.display(),
        spin.display()
    );
    let s = Session::start(tmp.path(), &socket, "rfdb3", &cmd);
    s.wait_last_line("(rfdb)");
    s.type_text("continue");
    s.keys(&["Enter"]);
    sleep(Duration::from_millis(700));
    s.keys(&["C-c"]);
    s.wait_for("the interrupt", |sc| sc.contains("Interrupted (Ctrl-C)."));
    s.wait_last_line("(rfdb)");
    s.type_text("p $t0 > 1000");
    s.keys(&["Enter"]);
    s.wait_for("the guest ran", |sc| sc.contains("$1 = 1"));
    s.type_text("quit");
    s.keys(&["Enter"]);
}

/// While the guest runs, the terminal is its console (keys go to it, its output shows); Ctrl-C
/// gives the terminal back to the prompt, and the next `continue` gives it to the guest again.
#[test]
fn the_terminal_is_the_guests_console_while_it_runs() {
    if !have_tmux() {
        eprintln!("NOTICE: tmux is not installed; skipping the terminal test of the debugger");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let socket = tmp.path().join("tmux.sock");
    let guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guest");
    let cmd = format!(
        "env RINGFORT_HISTORY={} TERM=xterm {} debug dev_uart_echo.s",
        tmp.path().join("history").display(),
        env!("CARGO_BIN_EXE_ringfort")
    );
    let s = Session::start(&guest, &socket, "rfdb4", &cmd);
    s.wait_last_line("(rfdb)");
    s.type_text("continue");
    s.keys(&["Enter"]);
    sleep(Duration::from_millis(300));
    // dev_uart_echo.s echoes what it receives.
    s.type_text("hello guest");
    s.wait_for("the guest's echo", |sc| sc.contains("hello guest"));
    s.keys(&["C-c"]);
    s.wait_for("the interrupt", |sc| sc.contains("Interrupted (Ctrl-C)."));
    s.wait_last_line("(rfdb)");
    s.type_text("p 6*7");
    s.keys(&["Enter"]);
    s.wait_for("the prompt has the keys again", |sc| sc.contains("$1 = 42"));
    s.type_text("continue");
    s.keys(&["Enter"]);
    sleep(Duration::from_millis(300));
    // EOT ends the program.
    s.type_text("bye");
    s.keys(&["C-d"]);
    s.wait_for("the guest's exit", |sc| {
        sc.contains("bye") && sc.contains("exit code 0.")
    });
    s.wait_last_line("(rfdb)");
    s.type_text("quit");
    s.keys(&["Enter"]);
}
