//! Grading RF32 programs: a TOML test file names cases (program or submissions, input,
//! expected output and exit value, cycle limit, registers and memory at the stop, rules,
//! Ringfort OS boots); [`grade`] runs them in parallel, each on its own machine built with
//! [`emulator`]'s builder, and returns a [`Report`] that prints as a table, JSON or JUnit XML.
//! Results are deterministic: the same whatever the threads, shards or engine.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("ok.s"), "_start: li a0, 3\n halt\n").unwrap();
//! let toml = r#"
//! [[case]]
//! name = "three"
//! program = "ok.s"
//! exit = 3
//! "#;
//! let plan = grader::model::parse(toml, dir.path()).unwrap();
//! let report = grader::grade(&plan, &grader::Options::default(), |_| {}).unwrap();
//! assert!(report.all_passed());
//! assert_eq!(report.rows[0].stop, "halted");
//! ```

#![warn(missing_docs)]

pub mod model;
mod os;
pub mod report;
pub mod run;
pub mod verdict;

pub use model::{load, Plan};
pub use report::{merge, Report};
pub use verdict::{Failure, Row};

use emulator::EngineKind;
use rayon::prelude::*;

/// How to run a plan.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// The engine every machine runs on.
    pub engine: EngineKind,
    /// Run only shard `K` of `N` (1-based): the jobs whose index is `K-1` modulo `N`.
    pub shard: Option<(usize, usize)>,
}

/// Parses `K/N` (1 <= K <= N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard {s}: write K/N with 1 <= K <= N, e.g. 2/8");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Runs `plan` (its shard, with `opts`), calling `progress` with each finished row's index
/// (from worker threads). Rows come back in index order whatever the threads.
pub fn grade(
    plan: &Plan,
    opts: &Options,
    progress: impl Fn(usize) + Sync,
) -> Result<Report, String> {
    let all = run::jobs(plan);
    let total = all.len();
    let jobs: Vec<run::Job> = match opts.shard {
        Some((k, n)) => all.into_iter().filter(|j| j.index % n == k - 1).collect(),
        None => all,
    };
    let os_includes = if plan.cases.iter().any(|c| c.os.is_some()) {
        Some(os_includes().map_err(|e| format!("cannot write Ringfort OS's includes: {e}"))?)
    } else {
        None
    };
    let ctx = run::Context {
        engine: opts.engine,
        os_includes,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let rows = pool.install(|| {
        jobs.par_iter()
            .map(|j| {
                // A panic (a bug in Ringfort, not the submission's fault) loses only its row's
                // verdict, never the run: the row says what happened.
                let row = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run::run_job(plan, j, &ctx)
                }))
                .unwrap_or_else(|p| run::panicked(plan, j, p.as_ref()));
                progress(row.index);
                row
            })
            .collect()
    });
    Ok(Report {
        version: 1,
        digest: plan.digest.clone(),
        total,
        shard: opts.shard.map(|(k, n)| format!("{k}/{n}")),
        rows,
    })
}

/// Writes Ringfort OS's include files to a temporary folder (for assembling OS programs).
fn os_includes() -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("ringfort-grade-")
        .tempdir()?;
    for (name, text) in firmware::INCLUDES {
        std::fs::write(dir.path().join(name), text)?;
    }
    Ok(dir)
}
