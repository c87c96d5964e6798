//! The engines a machine can run on, by name (`--engine`).

use crate::engine::{interp::Interp, threaded::Threaded};
use crate::Engine;

/// Which engine executes guest code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EngineKind {
    /// The reference interpreter: one instruction at a time, checks everything itself.
    Interp,
    /// The threaded engine: cached pre-decoded blocks (cycle-exact with the interpreter).
    Threaded,
    /// The threaded engine with a JIT tier: hot blocks compiled to host code with Cranelift
    /// (cycle-exact with both). Without the `jit` feature, or on a host Cranelift does not
    /// support, the threaded engine (said once on stderr). The default: the differential
    /// tests hold it to the interpreter's state after every run.
    #[default]
    Jit,
}

impl EngineKind {
    /// Every engine, in the order the command line lists them.
    pub const ALL: [EngineKind; 3] = [EngineKind::Interp, EngineKind::Threaded, EngineKind::Jit];
    /// The engines' names, as the command line spells them.
    pub const NAMES: [&'static str; 3] = ["interp", "threaded", "jit"];

    /// The engine's name (`interp`, `threaded`, `jit`).
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Interp => Self::NAMES[0],
            EngineKind::Threaded => Self::NAMES[1],
            EngineKind::Jit => Self::NAMES[2],
        }
    }

    /// Does this engine keep blocks (the threaded engine, with or without the JIT tier)?
    pub fn has_blocks(self) -> bool {
        matches!(self, EngineKind::Threaded | EngineKind::Jit)
    }

    /// A fresh block engine: with the JIT tier for `Jit`, else the plain threaded engine.
    pub fn block_engine(self) -> Threaded {
        match self {
            EngineKind::Jit => jit_engine(),
            _ => Threaded::new(),
        }
    }

    /// A fresh engine of this kind.
    pub fn create(self) -> Box<dyn Engine> {
        match self {
            EngineKind::Interp => Box::new(Interp::new()),
            EngineKind::Threaded => Box::new(Threaded::new()),
            EngineKind::Jit => Box::new(jit_engine()),
        }
    }
}

/// A threaded engine with the JIT tier, or without it where there is none (said once).
pub fn jit_engine() -> Threaded {
    #[cfg(feature = "jit")]
    {
        match Threaded::with_jit(crate::engine::jit::JitConfig::from_env()) {
            Ok(t) => t,
            Err(why) => {
                no_jit(&why);
                Threaded::new()
            }
        }
    }
    #[cfg(not(feature = "jit"))]
    {
        no_jit("this build has no `jit` feature");
        Threaded::new()
    }
}

/// Says once per process that `--engine jit` runs the threaded engine, and why.
pub(crate) fn no_jit(why: &str) {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        eprintln!("ringfort: no JIT on this host ({why}); using the threaded engine")
    });
}

impl std::str::FromStr for EngineKind {
    type Err = String;
    fn from_str(s: &str) -> Result<EngineKind, String> {
        EngineKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("`{s}` is not an engine: choose interp, threaded or jit"))
    }
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
