//! The commands about the debugger itself and the engines: tracing, the hot-block profile,
//! the engine choice, snapshot files, cycle counts, `echo`, `help` and `quit`.

use super::{lookup, parse_count, Call, COMMANDS};
use crate::session::{CmdResult, DbgError, Debugger};
use crate::snapshot::{options_for, write_atomic, SnapshotFile};
use emulator::state::StateConfig;
use emulator::trace::Tracer;
use emulator::EngineKind;

impl Debugger {
    /// `trace on [FILE] | trace off`.
    pub(super) fn cmd_trace(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let mut w = rest.split_whitespace();
        match (w.next(), w.next(), w.next()) {
            (Some("on"), file, None) => {
                let sink: Box<dyn std::io::Write + Send> = match file {
                    Some(f) => Box::new(std::io::BufWriter::new(
                        std::fs::File::create(f)
                            .map_err(|e| format!("cannot create trace file {f}: {e}"))?,
                    )),
                    None => Box::new(self.trace_buf.clone()),
                };
                self.interp.tracer = Some(Tracer::new(sink));
                self.tracing = true;
                self.say(format!(
                    "Tracing every instruction to {} (the interpreter runs while tracing).",
                    file.unwrap_or("the terminal")
                ));
                Ok(())
            }
            (Some("off"), None, None) => {
                self.interp.tracer = None;
                self.m.trace_writes = None;
                self.tracing = false;
                self.say("Tracing off.");
                Ok(())
            }
            (None, _, _) => {
                self.say(format!(
                    "Tracing is {}.",
                    if self.tracing { "on" } else { "off" }
                ));
                Ok(())
            }
            _ => Err(DbgError::hint(
                "bad trace command",
                "trace on [FILE] | trace off",
            )),
        }
    }

    /// `hot [N]`.
    pub(super) fn cmd_hot(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let n = if rest.is_empty() {
            10
        } else {
            parse_count(self, rest, "block")?.clamp(1, 1000) as usize
        };
        self.hot(n)
    }

    /// `engine [interp|threaded|jit]`.
    pub(super) fn cmd_engine(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        match rest {
            "" => {
                let e = match self.engine {
                    EngineKind::Interp => "interp (the reference interpreter)",
                    EngineKind::Threaded => {
                        "threaded (used by `continue` when nothing must be checked)"
                    }
                    EngineKind::Jit => {
                        "jit (threaded with hot blocks compiled to host code; used by \
                         `continue` when nothing must be checked)"
                    }
                };
                self.say(format!("engine: {e}"));
            }
            _ if rest.parse::<EngineKind>().is_ok() => {
                let kind = rest.parse::<EngineKind>().unwrap_or_default();
                if kind.has_blocks() && self.engine != kind {
                    self.threaded = kind.block_engine();
                }
                self.engine = kind
            }
            other => {
                return Err(DbgError::hint(
                    format!("no engine `{other}`"),
                    "engines are interp, threaded and jit",
                ))
            }
        }
        Ok(())
    }

    /// `snapshot save FILE | snapshot load FILE`.
    pub(super) fn cmd_snapshot(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let (op, file) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        let usage = "snapshot save FILE | snapshot load FILE";
        if file.is_empty() || !matches!(op, "save" | "load") {
            return Err(DbgError::hint(
                "snapshot needs save or load and a file",
                usage,
            ));
        }
        let path = std::path::Path::new(file);
        if op == "save" {
            let f = SnapshotFile {
                program: self.program_name.clone(),
                engine: self.engine.name().into(),
                state: self.m.save_state(),
            };
            let bytes = f.encode().map_err(DbgError::from)?;
            write_atomic(path, &bytes).map_err(|e| format!("cannot write snapshot {file}: {e}"))?;
            self.say(format!(
                "Saved the machine at step {} (cycle {}) to {file} ({} bytes).",
                self.m.steps,
                self.m.cpu.cycles,
                bytes.len()
            ));
            return Ok(());
        }
        let unchanged = "the machine was not changed";
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read snapshot {file}: {e}"))?;
        let snap = SnapshotFile::decode(&bytes)
            .map_err(|e| DbgError::hint(format!("{file}: {e}"), unchanged))?;
        let have = StateConfig::of(&self.m);
        let diffs = snap.state.config.differences(&have);
        if !diffs.is_empty() {
            return Err(DbgError::hint(
                format!(
                    "{file} was taken on another machine configuration: {}",
                    diffs.join("; ")
                ),
                format!(
                    "start the debugger with {} to load it; {unchanged}",
                    options_for(&snap.state.config)
                ),
            ));
        }
        self.load_snapshot(&snap.state)
            .map_err(|e| DbgError::hint(format!("{file}: {e}"), unchanged))?;
        self.say(format!(
            "Loaded {file}: step {}, cycle {}, {} RAM.",
            self.m.steps,
            self.m.cpu.cycles,
            emulator::state::size_text(snap.state.config.ram_size as u64)
        ));
        if snap.program != self.program_name {
            self.say(format!(
                "note: the snapshot was taken with program {}; symbols are from {}",
                snap.program.as_deref().unwrap_or("(none)"),
                self.program_name.as_deref().unwrap_or("(none)")
            ));
        }
        self.say_where();
        Ok(())
    }

    /// Puts the machine into a saved state (or leaves everything as it was and says why
    /// not). Reverse execution then starts from the loaded state; guest output already shown
    /// stays shown.
    fn load_snapshot(&mut self, state: &emulator::state::MachineState) -> Result<(), String> {
        self.drain_serial();
        self.m.restore_state(state)?;
        self.tt.clear();
        self.tt.take(&mut self.m, self.serial_count);
        self.serial_shown = self.serial_count;
        self.seen_transitions = crate::session::transition_count(&self.m);
        self.seen_delivered = self.m.delivered;
        self.last_stop_cycles = self.m.cpu.cycles;
        self.prev_stop_cycles = self.m.cpu.cycles;
        Ok(())
    }

    /// `cycles`.
    pub(super) fn cmd_cycles(&mut self, _c: &Call) -> CmdResult {
        let m = &self.m;
        let line = format!(
            "cycles {} (+{} since the previous stop); instructions retired {}; steps {}",
            m.cpu.cycles,
            m.cpu.cycles.saturating_sub(self.prev_stop_cycles),
            m.cpu.retired,
            m.steps
        );
        self.say(line);
        Ok(())
    }

    /// `echo TEXT`.
    pub(super) fn cmd_echo(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let text = rest.replace("\\n", "\n");
        self.emit(crate::output::Event::Text(text));
        Ok(())
    }

    /// `help [COMMAND]`.
    pub(super) fn cmd_help(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        if rest.is_empty() {
            let mut l =
                vec!["Ringfort debugger commands (GDB names; unique prefixes work):".to_string()];
            for cmd in COMMANDS {
                let aliases = if cmd.aliases.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", cmd.aliases.join(", "))
                };
                l.push(format!("  {:<44} {}{}", cmd.usage, cmd.name, aliases));
            }
            l.push(
                "Expressions: $a0 $sp $pc $ring $cycles $status ..., symbols, numbers, \
                    *(u32*)ADDR, arithmetic, comparisons, && ||. `help CMD` explains one."
                    .to_string(),
            );
            for x in l {
                self.say(x);
            }
            return Ok(());
        }
        let cmd = lookup(rest.split_whitespace().next().unwrap_or(""))?;
        let aliases = if cmd.aliases.is_empty() {
            String::new()
        } else {
            format!("  (also: {})", cmd.aliases.join(", "))
        };
        let usage = cmd.usage;
        let help = cmd.help;
        self.say(format!("{usage}{aliases}"));
        self.say(format!("  {help}"));
        Ok(())
    }

    /// `quit [CODE]`.
    pub(super) fn cmd_quit(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let code = if rest.is_empty() {
            self.guest_status()
        } else {
            let v = self.eval_str(rest)?;
            (v & 0xff) as u8
        };
        self.quit = Some(code);
        Ok(())
    }
}
