//! The exit statuses of `ringfort run` and `ringfort debug`, written once: the statuses, the
//! table `--help` prints and SPEC.md §14 shows (a test keeps the two in step), and what a
//! stopped machine's status and stop reason are.

use crate::{Exit, Machine};

/// `--max-cycles` stopped the guest (as timeout(1) does).
pub const CYCLE_LIMIT: u8 = 124;
/// The machine stopped after a triple fault.
pub const TRIPLE_FAULT: u8 = 125;
/// The guest waits for an interrupt that no device can raise.
pub const IDLE: u8 = 126;
/// The person at the console quit (`Ctrl-A x`, closing the window): 128 + SIGINT, as a shell
/// reports an interrupted program.
pub const QUIT: u8 = 130;
/// Ringfort itself could not do what was asked (a bad file, a bad option value). (A command
/// line that cannot be parsed exits 2, clap's status.)
pub const ERROR: u8 = 1;

/// (status, what it means), in the order SPEC.md §14 and `--help` list them.
pub const TABLE: &[(&str, &str)] = &[
    (
        "0-255",
        "the guest's exit value (a0 at `halt`, or the value written to POWER.POWEROFF), modulo 256",
    ),
    ("124", "the cycle limit (`--max-cycles`) stopped the guest"),
    ("125", "triple fault: the machine stopped"),
    (
        "126",
        "the guest waits (`wfi`) for an interrupt no device can raise",
    ),
    (
        "130",
        "quit at the console (`Ctrl-A x`) or the window was closed",
    ),
    (
        "1",
        "ringfort could not run: a bad file or option value, a load error",
    ),
    ("2", "the command line could not be parsed"),
];

/// The table as `--help` shows it.
pub fn help() -> String {
    let mut s = String::from(
        "Exit status (the machine's own reasons are also said on stderr, and --stats/--json \
         give the stop reason and the guest's full exit value):\n",
    );
    for (status, meaning) in TABLE {
        s.push_str(&format!("  {status:<6} {meaning}\n"));
    }
    s.trim_end().to_string()
}

/// Why a machine stopped and the status `ringfort` exits with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// Short name of the reason (`halted`, `poweroff`, `cycle-limit`, `triple-fault`, `idle`,
    /// `quit`, `step-limit`, `stopped`), as `--json` gives it.
    pub reason: &'static str,
    /// The guest's full exit value, when it gave one.
    pub value: Option<u32>,
    /// The process exit status.
    pub status: u8,
    /// What to say on stderr, if anything (the machine's own reasons; a guest value the
    /// status cannot tell apart from them).
    pub message: Option<String>,
}

/// The stop of `m`, which ended its run with `exit`.
pub fn of(exit: &Exit, m: &Machine) -> Stop {
    let (reason, value, status, message) = match exit {
        _ if m.dev.quit => (
            "quit",
            None,
            QUIT,
            Some("ringfort: terminated at the console".to_string()),
        ),
        Exit::Halted(v) | Exit::PowerOff(v) => {
            let reason = if matches!(exit, Exit::Halted(_)) {
                "halted"
            } else {
                "poweroff"
            };
            let status = *v as u8;
            let message = if *v > 255 {
                Some(format!(
                    "ringfort: the guest exited with {v}; an exit status holds 8 bits, so it is \
                     {status} (--stats shows the full value)"
                ))
            } else if [CYCLE_LIMIT, TRIPLE_FAULT, IDLE, QUIT].contains(&status) {
                Some(format!(
                    "ringfort: the guest exited with {v} (its own value, not the emulator's \
                     status {v})"
                ))
            } else {
                None
            };
            (reason, Some(*v), status, message)
        }
        Exit::CycleLimit => (
            "cycle-limit",
            None,
            CYCLE_LIMIT,
            Some(format!(
                "ringfort: guest stopped at the cycle limit ({} cycles, pc {:#010x}, ring {}); \
                 raise --max-cycles if it needs longer",
                m.cpu.cycles,
                m.cpu.pc,
                m.cpu.ring()
            )),
        ),
        Exit::TripleFault(diag) => (
            "triple-fault",
            None,
            TRIPLE_FAULT,
            Some(format!("ringfort: {diag}")),
        ),
        Exit::Idle => (
            "idle",
            None,
            IDLE,
            Some(format!(
                "ringfort: the guest waits for an interrupt (wfi at {:#010x}) but no device can \
                 raise one",
                m.cpu.pc.wrapping_sub(4)
            )),
        ),
        Exit::StepLimit => ("step-limit", None, 0, None),
        Exit::Stopped => ("stopped", None, 0, None),
    };
    Stop {
        reason,
        value,
        status,
        message,
    }
}

/// The stop of a machine that may still be able to run (the debugger's): what stopped it, or
/// `stopped` with status 0.
pub fn of_machine(m: &Machine) -> Stop {
    of(m.stop.as_ref().unwrap_or(&Exit::Stopped), m)
}
