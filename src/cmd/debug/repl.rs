//! Where commands come from: `-x` scripts, then a line editor on a terminal (history file, tab
//! completion of commands, registers and symbols, Ctrl-C), or plain lines from a pipe.

use super::{Options, BUSY, INTERACTIVE, INTERRUPTED};
use debugger::commands::{Complete, COMMANDS};
use debugger::Debugger;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// The prompt.
pub const PROMPT: &str = "(rfdb) ";

/// Tab completion: commands, `info` subcommands, registers, symbols, source files.
pub struct DbgHelper {
    symbols: Vec<String>,
    files: Vec<String>,
}

fn register_names() -> Vec<String> {
    let mut v: Vec<String> = isa_spec::regs::ABI_NAMES
        .iter()
        .map(|n| format!("${n}"))
        .collect();
    v.extend((0..32).map(|i| format!("$r{i}")));
    v.extend(["$fp", "$pc", "$ring", "$cycles", "$retired", "$steps"].map(String::from));
    v.extend(isa_spec::cr::CR_NAMES.iter().map(|n| format!("${n}")));
    v
}

impl DbgHelper {
    /// Completion candidates for `line` up to `pos`: (start of the word, candidates).
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || "_.$-/:".contains(c)))
            .map(|i| i + 1)
            .unwrap_or(0);
        let word = &before[start..];
        let prior: Vec<&str> = before[..start].split_whitespace().collect();
        let mut out: Vec<String> = Vec::new();
        if prior.is_empty() {
            for c in COMMANDS {
                if c.name.starts_with(word) {
                    out.push(format!("{} ", c.name));
                }
            }
            return (start, out);
        }
        let cmd = debugger::commands::lookup(prior[0].split('/').next().unwrap_or("")).ok();
        if word.starts_with('$') {
            out.extend(register_names().into_iter().filter(|r| r.starts_with(word)));
            return (start, out);
        }
        // The command's table entry says how its arguments complete.
        let complete = cmd.map_or(Complete::Symbols, |c| c.complete);
        if complete == Complete::Commands && prior.len() == 1 {
            for c in COMMANDS {
                if c.name.starts_with(word) {
                    out.push(c.name.to_string());
                }
            }
            return (start, out);
        }
        let fixed = complete.words(&prior[1..]);
        if !fixed.is_empty() {
            out.extend(
                fixed
                    .iter()
                    .filter(|s| s.starts_with(word))
                    .map(|s| format!("{s} ")),
            );
            return (start, out);
        }
        if matches!(complete, Complete::WordsThenFile(_)) {
            return (start, out);
        }
        out.extend(self.symbols.iter().filter(|s| s.starts_with(word)).cloned());
        out.extend(
            self.files
                .iter()
                .filter(|f| f.starts_with(word) && !word.is_empty())
                .map(|f| format!("{f}:")),
        );
        (start, out)
    }
}

impl Completer for DbgHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, mut c) = self.candidates(line, pos);
        c.sort();
        c.dedup();
        Ok((
            start,
            c.into_iter()
                .map(|s| Pair {
                    display: s.trim_end().to_string(),
                    replacement: s,
                })
                .collect(),
        ))
    }
}

impl Hinter for DbgHelper {
    type Hint = String;
}
impl Highlighter for DbgHelper {}
impl Validator for DbgHelper {}
impl Helper for DbgHelper {}

/// Where history is kept: `$RINGFORT_HISTORY`, else `~/.ringfort_history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RINGFORT_HISTORY") {
        if p.is_empty() {
            return None;
        }
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".ringfort_history"))
}

/// Runs one line, printing its error (one line) if it fails. False when the session ends.
fn run_line(dbg: &mut Debugger, line: &str, echo: bool) -> bool {
    if echo {
        dbg.say(format!("{PROMPT}{line}"));
    }
    INTERRUPTED.store(false, Ordering::SeqCst);
    BUSY.store(true, Ordering::SeqCst);
    let result = dbg.execute(line);
    BUSY.store(false, Ordering::SeqCst);
    if let Err(e) = result {
        dbg.say(e.line());
    }
    dbg.quit.is_none()
}

/// Commands that an empty line repeats on a terminal (as in GDB).
fn repeatable(line: &str) -> bool {
    let w = line.split_whitespace().next().unwrap_or("");
    let w = w.split('/').next().unwrap_or("");
    matches!(
        debugger::commands::lookup(w).map(|c| c.name),
        Ok("stepi" | "nexti" | "continue" | "x" | "list" | "reverse-stepi" | "until")
    )
}

/// The read-execute loop. Returns the exit status.
pub fn run(dbg: &mut Debugger, opts: &Options) -> u8 {
    let interactive = std::io::stdin().is_terminal() && !opts.batch;
    INTERACTIVE.store(interactive, Ordering::SeqCst);
    for script in &opts.scripts {
        match std::fs::read_to_string(script) {
            Ok(text) => {
                for line in text.lines() {
                    if !run_line(dbg, line, opts.echo) {
                        return dbg.exit_status();
                    }
                }
            }
            Err(e) => dbg.say(format!(
                "error: cannot read command file {}: {e}",
                script.display()
            )),
        }
    }
    if opts.batch {
        return dbg.exit_status();
    }
    if interactive {
        run_terminal(dbg)
    } else {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            if !run_line(dbg, &line, opts.echo) {
                break;
            }
        }
        dbg.exit_status()
    }
}

fn run_terminal(dbg: &mut Debugger) -> u8 {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .max_history_size(2000)
        .map(|b| b.history_ignore_dups(true))
        .and_then(|r| r)
        .map(|b| b.build())
        .unwrap_or_default();
    let mut ed: Editor<DbgHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            dbg.say(format!(
                "error: cannot use the terminal ({e}); reading plain lines"
            ));
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                if !run_line(dbg, &line, false) {
                    break;
                }
            }
            return dbg.exit_status();
        }
    };
    let mut symbols: Vec<String> = dbg.syms.names().map(String::from).collect();
    symbols.sort();
    let files = dbg
        .syms
        .files()
        .iter()
        .map(|f| debugger::symbols::short_file(f).to_string())
        .collect();
    ed.set_helper(Some(DbgHelper { symbols, files }));
    let hist = history_path();
    if let Some(h) = &hist {
        let _ = ed.load_history(h);
    }
    let mut last = String::new();
    loop {
        match ed.readline(PROMPT) {
            Ok(line) => {
                let trimmed = line.trim();
                let to_run = if trimmed.is_empty() {
                    if repeatable(&last) {
                        last.clone()
                    } else {
                        continue;
                    }
                } else {
                    let _ = ed.add_history_entry(trimmed);
                    if let Some(h) = &hist {
                        let _ = ed.append_history(h);
                    }
                    last = trimmed.to_string();
                    trimmed.to_string()
                };
                if !run_line(dbg, &to_run, false) {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                dbg.say(format!("error: terminal: {e}"));
                break;
            }
        }
    }
    dbg.exit_status()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion() {
        let h = DbgHelper {
            symbols: vec!["main".into(), "malloc".into(), "k_write".into()],
            files: vec!["prog.s".into()],
        };
        assert_eq!(
            h.candidates("disas", 5),
            (0, vec!["disassemble ".to_string()])
        );
        assert_eq!(
            h.candidates("info reg", 8).1,
            vec!["registers ".to_string()]
        );
        assert_eq!(h.candidates("break ma", 8).1, vec!["main", "malloc"]);
        assert!(h.candidates("p $a", 4).1.contains(&"$a0".to_string()));
        assert!(h.candidates("p $sta", 6).1.contains(&"$status".to_string()));
        assert_eq!(h.candidates("b pro", 5).1, vec!["prog.s:".to_string()]);
        assert_eq!(
            h.candidates("catch ri", 8).1,
            vec!["ring-change ".to_string()]
        );
    }
}
