//! Result rows: what a case did on a submission, and why it failed.

use serde::{Deserialize, Serialize};

/// Why a case failed (a row may have several).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Failure {
    /// The program did not assemble (the assembler's `file:line:col: error: ...` lines).
    Assembly {
        /// The diagnostics.
        message: String,
    },
    /// The program could not be read or loaded (a missing file, a bad ELF).
    Build {
        /// Why.
        message: String,
    },
    /// The output differs from the expected text.
    Output {
        /// Expected.
        expected: String,
        /// What the program printed.
        actual: String,
        /// A unified diff, expected → actual.
        diff: String,
    },
    /// The output does not match the regular expression.
    OutputRegex {
        /// The pattern.
        pattern: String,
        /// What the program printed.
        actual: String,
    },
    /// The output does not contain the text.
    OutputContains {
        /// The text.
        expected: String,
        /// What the program printed.
        actual: String,
    },
    /// The guest printed more than the capture limit.
    OutputTruncated {
        /// Bytes kept.
        kept: usize,
    },
    /// Wrong exit value, or none (the machine stopped another way).
    ExitCode {
        /// Expected.
        expected: u32,
        /// What it exited with, if it exited.
        actual: Option<u32>,
        /// How it stopped.
        stop: String,
    },
    /// The cycle limit stopped it.
    Timeout {
        /// The limit.
        cycles: u64,
        /// Where it was.
        pc: u32,
    },
    /// It stopped in a way no expectation allows: a triple fault, or waiting forever.
    Stopped {
        /// `triple-fault` or `idle`.
        reason: String,
        /// The machine's diagnosis.
        detail: String,
    },
    /// An exception under the "must not fault" rule (the first one).
    Fault {
        /// Vector.
        vector: u8,
        /// Its name.
        name: String,
        /// The cause word.
        cause: u32,
        /// The pc of the faulting instruction.
        pc: u32,
        /// Exceptions delivered in all.
        count: u64,
    },
    /// It left ring 3 under the "ring 3 only" rule.
    Ring {
        /// The rings it ran in.
        rings: Vec<u8>,
        /// The first exception, if one took it out of ring 3.
        cause: Option<String>,
    },
    /// A register holds the wrong value at the stop.
    Register {
        /// Register as written in the test file.
        name: String,
        /// Expected.
        expected: u32,
        /// Found.
        actual: u32,
    },
    /// Memory holds the wrong bytes at the stop.
    Memory {
        /// Where (`0x1000` or a symbol).
        at: String,
        /// Expected bytes.
        expected: Vec<u8>,
        /// Found (`None`: not readable, or the symbol does not exist).
        actual: Option<Vec<u8>>,
    },
}

impl Failure {
    /// A one-line reason for the summary table.
    pub fn summary(&self) -> String {
        match self {
            Failure::Assembly { message } => format!(
                "assembly error: {}",
                message.lines().next().unwrap_or_default()
            ),
            Failure::Build { message } => format!("cannot build: {message}"),
            Failure::Output { .. } => "wrong output".into(),
            Failure::OutputRegex { pattern, .. } => format!("output does not match /{pattern}/"),
            Failure::OutputContains { expected, .. } => format!("output lacks {expected:?}"),
            Failure::OutputTruncated { kept } => format!("output truncated at {kept} bytes"),
            Failure::ExitCode {
                expected,
                actual: Some(a),
                ..
            } => {
                format!("exit code {a}, expected {expected}")
            }
            Failure::ExitCode { expected, stop, .. } => {
                format!("no exit code ({stop}), expected {expected}")
            }
            Failure::Timeout { cycles, pc } => {
                format!("timeout: {cycles} cycles (pc {pc:#010x})")
            }
            // The machine's diagnosis up to its first `;` (the rest is in the details).
            Failure::Stopped { reason, detail } => {
                let first = detail.split(';').next().unwrap_or_default();
                match reason.as_str() {
                    "triple-fault" => first.to_string(), // says "triple fault: ..." itself
                    _ => format!("{reason}: {first}"),
                }
            }
            Failure::Fault {
                vector,
                name,
                cause,
                pc,
                count,
            } => format!(
                "fault: {name} (vector {vector}, cause {cause:#x}) at pc {pc:#010x}{}",
                if *count > 1 {
                    format!(" (+{} more)", count - 1)
                } else {
                    String::new()
                }
            ),
            Failure::Ring { rings, cause } => format!(
                "left ring 3 (ran in rings {rings:?}){}",
                cause.as_ref().map(|c| format!(": {c}")).unwrap_or_default()
            ),
            Failure::Register {
                name,
                expected,
                actual,
            } => {
                format!("{name} = {actual:#x} ({actual}), expected {expected:#x} ({expected})")
            }
            Failure::Memory {
                at,
                expected,
                actual: Some(a),
            } => {
                format!("memory at {at}: {a:02x?}, expected {expected:02x?}")
            }
            Failure::Memory { at, .. } => format!("memory at {at}: not readable"),
        }
    }

    /// The details shown under the table (the diff, the whole diagnostics), if any.
    pub fn details(&self) -> Option<String> {
        match self {
            Failure::Assembly { message } if message.lines().count() > 1 => Some(message.clone()),
            Failure::Output { diff, .. } => Some(diff.clone()),
            Failure::Stopped { detail, .. } if detail.contains(';') => Some(detail.clone()),
            Failure::OutputRegex { actual, .. } | Failure::OutputContains { actual, .. }
                if actual.is_empty() =>
            {
                Some("(there was no output)".into())
            }
            Failure::OutputRegex { actual, .. } | Failure::OutputContains { actual, .. } => {
                Some(format!("output was:\n{actual}"))
            }
            _ => None,
        }
    }
}

/// One case on one submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Position in the whole run (submission-major): shards and merges keep it.
    pub index: usize,
    /// The submission's path as named (`-` when the file names none).
    pub submission: String,
    /// The case's name.
    pub case: String,
    /// Whether it passed.
    pub passed: bool,
    /// How the machine stopped (`halted`, `poweroff`, `cycle-limit`, ...; `not-run`).
    pub stop: String,
    /// The exit value.
    pub exit_value: Option<u32>,
    /// Cycles run.
    pub cycles: u64,
    /// Instructions retired.
    pub instructions: u64,
    /// The serial output (lossy UTF-8, at most the capture limit).
    pub output: String,
    /// Why it failed (empty when it passed).
    pub failures: Vec<Failure>,
}

impl Row {
    /// The first failure's summary, or `ok`.
    pub fn reason(&self) -> String {
        match self.failures.first() {
            None => "ok".into(),
            Some(f) if self.failures.len() > 1 => {
                format!("{} (+{} more)", f.summary(), self.failures.len() - 1)
            }
            Some(f) => f.summary(),
        }
    }
}
