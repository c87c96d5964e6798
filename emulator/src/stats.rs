//! Counters behind `--stats`.

use std::collections::BTreeMap;

/// Run statistics (instructions and cycles live in [`crate::cpu::Cpu`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Exceptions and interrupts delivered, by vector.
    pub deliveries: [u64; 64],
    /// Successful gate calls, by gate index.
    pub gate_calls: BTreeMap<u32, u64>,
    /// Ring transitions `[from][to]`.
    pub ring_transitions: [[u64; 4]; 4],
    /// Double faults.
    pub double_faults: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            deliveries: [0; 64],
            gate_calls: BTreeMap::new(),
            ring_transitions: [[0; 4]; 4],
            double_faults: 0,
        }
    }
}
