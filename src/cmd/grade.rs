//! `ringfort grade`: run a test file's cases on every submission in parallel; a table, JSON
//! or JUnit XML; shards and merging (docs/grading.md).

use anyhow::{Context, Result};
use grader::{Options, Report};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status when every case passed.
const ALL_PASSED: u8 = 0;
/// Exit status when some case failed.
const SOME_FAILED: u8 = 1;
/// Exit status for a bad test file, report or command line.
const BAD_INPUT: u8 = 2;

/// `ringfort grade` arguments.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 every case passed, 1 some case failed, 2 a bad test \
file, report or command line.\n\nThe test file's format, the outputs and a sharding recipe \
(GNU parallel, Slurm array, CI matrix): docs/grading.md."
)]
pub struct Args {
    /// The test file (TOML): cases, submissions (a glob), expectations.
    #[arg(required_unless_present = "merge", value_name = "TESTS.toml")]
    pub tests: Option<PathBuf>,
    /// Print the results as JSON on stdout (what --merge reads) instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also write the results as JUnit XML to FILE (for CI systems and classroom platforms).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Run only shard K of N (1 <= K <= N): every N-th job from the K-th; write --json and
    /// join the shards' reports with --merge.
    #[arg(long, value_name = "K/N", value_parser = grader::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Execution engine (results do not depend on it: the engines are cycle-exact). The
    /// threaded engine by default: a class's cases are short, and compiling each one's hot
    /// code would cost more than it saves.
    #[arg(long, default_value = "threaded", value_parser = crate::cmd::run::engine_parser())]
    pub engine: emulator::EngineKind,
    /// Join the JSON reports of shards (instead of running a test file).
    #[arg(long, num_args = 1.., value_name = "REPORT.json", conflicts_with_all = ["tests", "shard"])]
    pub merge: Vec<PathBuf>,
}

/// Runs `ringfort grade`.
pub fn run(a: Args) -> Result<ExitCode> {
    let report = if a.merge.is_empty() {
        let path = a
            .tests
            .clone()
            .expect("clap requires a test file without --merge");
        let plan = match grader::load(&path) {
            Ok(p) => p,
            Err(e) => return Ok(bad(&e)),
        };
        let opts = Options {
            threads: a.threads,
            engine: a.engine,
            shard: a.shard,
        };
        let n = grader::run::jobs(&plan).len();
        let bar = progress_bar(n, a.shard);
        let r = grader::grade(&plan, &opts, |_| bar.inc(1));
        bar.finish_and_clear();
        match r {
            Ok(r) => r,
            Err(e) => return Ok(bad(&e)),
        }
    } else {
        match merge(&a.merge) {
            Ok(r) => r,
            Err(e) => return Ok(bad(&e)),
        }
    };
    if a.json {
        println!("{}", report.to_json());
        eprintln!("{} of {} cases passed", report.passed(), report.rows.len());
    } else {
        print!("{}", grader::report::table(&report));
    }
    if let Some(p) = &a.junit {
        crate::cmd::asm::write_atomic(p, grader::report::junit(&report).as_bytes())
            .with_context(|| format!("--junit {}", p.display()))?;
    }
    Ok(ExitCode::from(if report.all_passed() {
        ALL_PASSED
    } else {
        SOME_FAILED
    }))
}

/// Says what is wrong with the input; the status for it.
fn bad(msg: &str) -> ExitCode {
    eprintln!("ringfort grade: error: {msg}");
    ExitCode::from(BAD_INPUT)
}

/// Reads and merges JSON reports.
fn merge(paths: &[PathBuf]) -> Result<Report, String> {
    let mut parts = Vec::new();
    for p in paths {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let r: Report = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a `ringfort grade --json` report: {e}", p.display()))?;
        parts.push(r);
    }
    grader::merge(parts)
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
fn progress_bar(jobs: usize, shard: Option<(usize, usize)>) -> indicatif::ProgressBar {
    let mine = match shard {
        Some((k, n)) => (0..jobs).filter(|i| i % n == k - 1).count(),
        None => jobs,
    };
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(mine as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} cases {elapsed} (eta {eta})")
    {
        bar.set_style(style);
    }
    bar
}
