//! The test file: its TOML model, checked and resolved into a [`Plan`] of cases.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Default cycle limit of a case that runs a program directly.
pub const DEFAULT_MAX_CYCLES: u64 = 100_000_000;
/// Default cycle limit of a case that boots Ringfort OS.
pub const DEFAULT_OS_MAX_CYCLES: u64 = 2_000_000_000;

/// The test file as written (see docs/grading.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// Submissions: a glob (relative to the test file's folder), or a list of globs and
    /// paths. Each case without a `program` runs once per submission.
    #[serde(default)]
    pub submissions: Option<Globs>,
    /// Values every case gets unless it says otherwise.
    #[serde(default)]
    pub defaults: CaseSpec,
    /// The cases, in order.
    #[serde(default, rename = "case")]
    pub cases: Vec<CaseSpec>,
}

/// One glob or several.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum Globs {
    /// One pattern.
    One(String),
    /// Several patterns, matched in order.
    Many(Vec<String>),
}

/// One case as written (every field optional; `[defaults]` has the same keys).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// The case's name (required in a `[[case]]`).
    pub name: Option<String>,
    /// The program: a `.s` source or an ELF file (relative to the test file's folder). Without
    /// it, the submission.
    pub program: Option<String>,
    /// Serial input, available from cycle 0.
    pub input: Option<String>,
    /// The serial output, exactly.
    pub output: Option<String>,
    /// A regular expression the whole serial output must match (somewhere: anchor it with
    /// `^...$` for all of it).
    pub output_regex: Option<String>,
    /// Text the serial output must contain.
    pub output_contains: Option<String>,
    /// The exit value (`halt`'s `a0`, or the POWEROFF value; with `os`, the shell's status).
    pub exit: Option<u32>,
    /// Stop the case after this many cycles (a timeout, in cycles: deterministic).
    pub max_cycles: Option<u64>,
    /// RAM size (`4M`, `64M`); default: the program's `RINGFORT_RAM` or 64 MiB.
    pub memory: Option<String>,
    /// Register values at the stop: `{ a0 = 42, x5 = 0x10 }`.
    #[serde(default)]
    pub registers: BTreeMap<String, i64>,
    /// Memory contents at the stop.
    #[serde(default)]
    pub memory_at: Vec<MemorySpec>,
    /// Fail if the machine delivers any exception (vectors 0-31).
    pub no_fault: Option<bool>,
    /// Start the program in ring 3 (devices allowed: IOPL 3) and fail if it ever leaves it
    /// (a privileged instruction, a fault, a trap). End it by writing POWEROFF.
    pub ring3_only: Option<bool>,
    /// Boot Ringfort OS with the program on its disk, and type `shell` at its prompt.
    pub os: Option<bool>,
    /// What is typed at the OS shell (default: the program's disk name and a newline); a
    /// Ctrl-D follows, so the shell powers the machine off.
    pub shell: Option<String>,
    /// The program's name on the OS disk (default `prog`).
    pub disk_name: Option<String>,
}

/// An expected memory range at the stop.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct MemorySpec {
    /// Address (physical; integer or `"0x..."`), or give `symbol`.
    pub addr: Option<i64>,
    /// A symbol of the program whose address to read.
    pub symbol: Option<String>,
    /// Expected 32-bit little-endian words.
    pub words: Option<Vec<i64>>,
    /// Expected bytes as text (`"hello\u0000"`).
    pub text: Option<String>,
    /// Expected bytes.
    pub bytes: Option<Vec<u8>>,
}

/// Where a memory check reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Location {
    /// A physical address.
    Addr(u32),
    /// A program symbol.
    Symbol(String),
}

/// A resolved memory check.
#[derive(Debug, Clone)]
pub struct MemoryCheck {
    /// Where.
    pub at: Location,
    /// The bytes expected there.
    pub bytes: Vec<u8>,
}

/// How the output is checked.
#[derive(Debug, Clone)]
pub enum OutputCheck {
    /// Exactly this text.
    Exact(String),
    /// A regular expression.
    Regex(regex::Regex),
    /// A substring.
    Contains(String),
}

/// A case, resolved and checked.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its name.
    pub name: String,
    /// Its own program (absolute or relative to the working folder), or `None`: the submission.
    pub program: Option<PathBuf>,
    /// Serial input (with `os`: what is typed at the shell, then Ctrl-D).
    pub input: Vec<u8>,
    /// Output checks.
    pub output: Vec<OutputCheck>,
    /// Expected exit value.
    pub exit: Option<u32>,
    /// Cycle limit.
    pub max_cycles: u64,
    /// RAM size in bytes.
    pub memory: Option<u32>,
    /// Registers (number, name as written, value).
    pub registers: Vec<(u8, String, u32)>,
    /// Memory checks.
    pub memory_at: Vec<MemoryCheck>,
    /// The "must not fault" rule.
    pub no_fault: bool,
    /// The "ring 3 only" rule.
    pub ring3_only: bool,
    /// Boot Ringfort OS with the program on its disk as this name.
    pub os: Option<String>,
}

/// A test file resolved: cases and submissions.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The cases, in file order.
    pub cases: Vec<Case>,
    /// The submissions (paths), sorted; empty when the file names none.
    pub submissions: Vec<PathBuf>,
    /// A digest of the test file's text and the submissions' names, to refuse merging reports
    /// of different runs.
    pub digest: String,
}

/// Reads and checks a test file.
pub fn load(path: &Path) -> Result<Plan, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read test file {}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&text, dir).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses test-file `text`; relative paths are relative to `dir`.
pub fn parse(text: &str, dir: &Path) -> Result<Plan, String> {
    let file: TestFile = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    if file.cases.is_empty() {
        return Err("no cases: add at least one [[case]] with a name".into());
    }
    let submissions = match &file.submissions {
        Some(g) => expand(g, dir)?,
        None => Vec::new(),
    };
    let mut cases = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, c) in file.cases.iter().enumerate() {
        let case = resolve(c, &file.defaults, dir).map_err(|e| format!("case {}: {e}", i + 1))?;
        if !names.insert(case.name.clone()) {
            return Err(format!("two cases are named `{}`", case.name));
        }
        if case.program.is_none() && file.submissions.is_none() {
            return Err(format!(
                "case `{}` has no program and the file names no submissions",
                case.name
            ));
        }
        cases.push(case);
    }
    let mut h = Fnv::default();
    h.write(text.as_bytes());
    for s in &submissions {
        h.write(s.to_string_lossy().as_bytes());
    }
    Ok(Plan {
        cases,
        submissions,
        digest: format!("{:016x}", h.0),
    })
}

/// The submissions the globs name (each pattern's matches sorted; a plain path that exists is
/// kept even with no wildcard; a path that does not exist is kept too, to give its row).
fn expand(g: &Globs, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let pats = match g {
        Globs::One(p) => vec![p.clone()],
        Globs::Many(v) => v.clone(),
    };
    let mut out = Vec::new();
    for p in pats {
        let full = dir.join(&p);
        let pattern = full.to_string_lossy().to_string();
        let paths = glob::glob(&pattern).map_err(|e| format!("submissions `{p}`: {e}"))?;
        let mut found: Vec<PathBuf> = paths
            .filter_map(Result::ok)
            .filter(|p| !p.is_dir())
            .collect();
        found.sort();
        if found.is_empty() && !p.contains(['*', '?', '[']) {
            found.push(full);
        }
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    if out.is_empty() {
        return Err(format!("submissions {g:?} match no file"));
    }
    Ok(out)
}

/// One case with the defaults applied, checked.
fn resolve(c: &CaseSpec, d: &CaseSpec, dir: &Path) -> Result<Case, String> {
    let name = c.name.clone().ok_or("every [[case]] needs a name")?;
    let or = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    let os = c.os.or(d.os).unwrap_or(false);
    let disk_name = or(&c.disk_name, &d.disk_name).unwrap_or_else(|| "prog".into());
    let mut input = or(&c.input, &d.input).unwrap_or_default().into_bytes();
    if os {
        if !input.is_empty() {
            return Err("with os = true, type the input with `shell`".into());
        }
        let shell = or(&c.shell, &d.shell).unwrap_or_else(|| format!("{disk_name}\n"));
        input = shell.into_bytes();
        input.push(4); // Ctrl-D: end of input, the shell powers off
    } else if c.shell.is_some() {
        return Err("`shell` needs os = true".into());
    }
    let mut output = Vec::new();
    if let Some(t) = or(&c.output, &d.output) {
        output.push(OutputCheck::Exact(t));
    }
    if let Some(r) = or(&c.output_regex, &d.output_regex) {
        let re = regex::Regex::new(&r).map_err(|e| format!("output_regex: {e}"))?;
        output.push(OutputCheck::Regex(re));
    }
    if let Some(t) = or(&c.output_contains, &d.output_contains) {
        output.push(OutputCheck::Contains(t));
    }
    let memory = match or(&c.memory, &d.memory) {
        Some(m) => Some(emulator::builder::parse_size(&m).map_err(|e| format!("memory: {e}"))?),
        None => None,
    };
    let mut registers = Vec::new();
    let regs = if c.registers.is_empty() {
        &d.registers
    } else {
        &c.registers
    };
    for (r, &v) in regs {
        let n = isa_spec::regs::parse_reg(r).ok_or_else(|| format!("`{r}` is not a register"))?;
        registers.push((
            n,
            r.clone(),
            word(v).map_err(|e| format!("registers.{r}: {e}"))?,
        ));
    }
    let mems = if c.memory_at.is_empty() {
        &d.memory_at
    } else {
        &c.memory_at
    };
    let memory_at = mems.iter().map(memory_check).collect::<Result<_, _>>()?;
    let ring3_only = c.ring3_only.or(d.ring3_only).unwrap_or(false);
    if ring3_only && os {
        return Err("ring3_only is for programs run directly: under the OS programs are in ring 3 anyway (use no_fault)".into());
    }
    let default_cycles = if os {
        DEFAULT_OS_MAX_CYCLES
    } else {
        DEFAULT_MAX_CYCLES
    };
    Ok(Case {
        name,
        program: or(&c.program, &d.program).map(|p| dir.join(p)),
        input,
        output,
        exit: c.exit.or(d.exit),
        max_cycles: c.max_cycles.or(d.max_cycles).unwrap_or(default_cycles),
        memory,
        registers,
        memory_at,
        no_fault: c.no_fault.or(d.no_fault).unwrap_or(false),
        ring3_only,
        os: os.then_some(disk_name),
    })
}

/// A register or memory word: -2^31..2^32-1 (negative values are two's complement).
fn word(v: i64) -> Result<u32, String> {
    if (-(1i64 << 31)..(1i64 << 32)).contains(&v) {
        Ok(v as u32)
    } else {
        Err(format!("{v} is not a 32-bit value"))
    }
}

/// A memory expectation, checked.
fn memory_check(m: &MemorySpec) -> Result<MemoryCheck, String> {
    let at = match (&m.addr, &m.symbol) {
        (Some(a), None) => Location::Addr(
            u32::try_from(*a).map_err(|_| format!("memory_at: address {a} is not 32-bit"))?,
        ),
        (None, Some(s)) => Location::Symbol(s.clone()),
        _ => return Err("memory_at: give either addr or symbol".into()),
    };
    let bytes = match (&m.words, &m.text, &m.bytes) {
        (Some(w), None, None) => {
            let mut b = Vec::new();
            for &v in w {
                b.extend_from_slice(
                    &word(v)
                        .map_err(|e| format!("memory_at: {e}"))?
                        .to_le_bytes(),
                );
            }
            b
        }
        (None, Some(t), None) => t.clone().into_bytes(),
        (None, None, Some(b)) => b.clone(),
        _ => return Err("memory_at: give one of words, text or bytes".into()),
    };
    Ok(MemoryCheck { at, bytes })
}

/// FNV-1a, for the plan's digest.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = (self.0 ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }
}
