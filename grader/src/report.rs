//! Reports: the summary table, JSON (and merging shards' JSON), JUnit XML, output diffs.

use crate::verdict::Row;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// A run's results: what `--json` prints and `--merge` reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The format's version (1).
    pub version: u32,
    /// Digest of the test file and the submissions (reports of other runs do not merge).
    pub digest: String,
    /// Jobs in the whole run (all shards).
    pub total: usize,
    /// The shard this report holds (`K/N`), or `None` for a whole run or a merge.
    pub shard: Option<String>,
    /// The rows, by index.
    pub rows: Vec<Row>,
}

impl Report {
    /// Rows that passed.
    pub fn passed(&self) -> usize {
        self.rows.iter().filter(|r| r.passed).count()
    }

    /// Whether every row passed.
    pub fn all_passed(&self) -> bool {
        self.rows.iter().all(|r| r.passed)
    }

    /// As pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A unified diff of expected and actual output (line by line).
pub fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .missing_newline_hint(true)
        .to_string()
}

/// Joins the reports of shards into one; refuses reports of different runs, and says which
/// results are missing.
pub fn merge(parts: Vec<Report>) -> Result<Report, String> {
    let first = parts.first().ok_or("nothing to merge")?;
    let (digest, total) = (first.digest.clone(), first.total);
    let mut rows: Vec<Row> = Vec::new();
    for p in parts {
        if p.digest != digest || p.total != total {
            return Err("the reports come from different test files or submissions".into());
        }
        rows.extend(p.rows);
    }
    rows.sort_by_key(|r| r.index);
    rows.dedup_by(|a, b| a == b);
    if let Some(w) = rows.windows(2).find(|w| w[0].index == w[1].index) {
        return Err(format!("two different results for job {}", w[0].index));
    }
    if rows.len() != total || rows.iter().any(|r| r.index >= total) {
        let have: std::collections::HashSet<usize> = rows.iter().map(|r| r.index).collect();
        let missing: Vec<String> = (0..total)
            .filter(|i| !have.contains(i))
            .map(|i| i.to_string())
            .take(20)
            .collect();
        return Err(format!(
            "{} of {total} results are missing (jobs {}...): merge every shard's report",
            total - have.len(),
            missing.join(", ")
        ));
    }
    Ok(Report {
        version: 1,
        digest,
        total,
        shard: None,
        rows,
    })
}

/// The summary table: a row per case and submission, details of failures, a line per
/// submission.
pub fn table(r: &Report) -> String {
    let mut s = String::new();
    let wsub = r
        .rows
        .iter()
        .map(|x| x.submission.len())
        .max()
        .unwrap_or(1)
        .max(10);
    let wcase = r
        .rows
        .iter()
        .map(|x| x.case.len())
        .max()
        .unwrap_or(1)
        .max(4);
    let _ = writeln!(
        s,
        "{:<4}  {:<wsub$}  {:<wcase$}  {:>12}  {:>10}  reason",
        "", "submission", "case", "cycles", "insns"
    );
    for x in &r.rows {
        let verdict = if x.passed { "PASS" } else { "FAIL" };
        let _ = writeln!(
            s,
            "{verdict:<4}  {:<wsub$}  {:<wcase$}  {:>12}  {:>10}  {}",
            x.submission,
            x.case,
            x.cycles,
            x.instructions,
            x.reason()
        );
    }
    let failed: Vec<&Row> = r.rows.iter().filter(|x| !x.passed).collect();
    for x in &failed {
        let details: Vec<String> = x.failures.iter().filter_map(|f| f.details()).collect();
        let more: Vec<String> = x.failures.iter().skip(1).map(|f| f.summary()).collect();
        if details.is_empty() && more.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n--- {} / {}:", x.submission, x.case);
        for m in more {
            let _ = writeln!(s, "also: {m}");
        }
        for d in details {
            let _ = writeln!(s, "{}", d.trim_end());
        }
    }
    let _ = writeln!(s, "\nby submission:");
    for (sub, rows) in by_submission(&r.rows) {
        let passed = rows.iter().filter(|x| x.passed).count();
        let _ = writeln!(s, "  {sub:<wsub$}  {passed}/{} passed", rows.len());
    }
    let _ = writeln!(s, "{} of {} cases passed", r.passed(), r.rows.len());
    s
}

/// Rows grouped by submission, in order of first appearance.
fn by_submission(rows: &[Row]) -> Vec<(String, Vec<&Row>)> {
    let mut out: Vec<(String, Vec<&Row>)> = Vec::new();
    for x in rows {
        match out.iter_mut().find(|(s, _)| *s == x.submission) {
            Some((_, v)) => v.push(x),
            None => out.push((x.submission.clone(), vec![x])),
        }
    }
    out
}

/// XML text with `&`, `<`, `>`, quotes escaped and characters XML 1.0 cannot hold dropped.
fn esc(t: &str) -> String {
    let mut s = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            '\t' | '\n' | '\r' => s.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => s.push(c),
        }
    }
    s
}

/// The report as JUnit XML: a `<testsuite>` per submission, a `<testcase>` per case (its
/// failures in `<failure>`), the output in `<system-out>`. Cycles stand in for time (a
/// deterministic report): `time` is 0.
pub fn junit(r: &Report) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"ringfort grade\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"0\">",
        r.rows.len(),
        r.rows.len() - r.passed()
    );
    for (sub, rows) in by_submission(&r.rows) {
        let failures = rows.iter().filter(|x| !x.passed).count();
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"0\">",
            esc(&sub),
            rows.len()
        );
        for x in rows {
            let _ = write!(
                s,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"0\">\n      <properties><property name=\"cycles\" value=\"{}\"/><property name=\"instructions\" value=\"{}\"/><property name=\"stop\" value=\"{}\"/></properties>\n",
                esc(&x.case),
                esc(&sub),
                x.cycles,
                x.instructions,
                esc(&x.stop)
            );
            for f in &x.failures {
                let body = f.details().unwrap_or_default();
                let _ = writeln!(
                    s,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    esc(&f.summary()),
                    esc(kind(f)),
                    esc(&body)
                );
            }
            let _ = writeln!(
                s,
                "      <system-out>{}</system-out>\n    </testcase>",
                esc(&x.output)
            );
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

/// The failure's kind, as JSON names it.
fn kind(f: &crate::Failure) -> &'static str {
    use crate::Failure::*;
    match f {
        Assembly { .. } => "assembly",
        Build { .. } => "build",
        Output { .. } => "output",
        OutputRegex { .. } => "output-regex",
        OutputContains { .. } => "output-contains",
        OutputTruncated { .. } => "output-truncated",
        ExitCode { .. } => "exit-code",
        Timeout { .. } => "timeout",
        Stopped { .. } => "stopped",
        Fault { .. } => "fault",
        Ring { .. } => "ring",
        Register { .. } => "register",
        Memory { .. } => "memory",
    }
}
