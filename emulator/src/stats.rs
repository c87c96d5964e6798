//! Counters behind `--stats`.

use std::collections::BTreeMap;

/// Run statistics (instructions and cycles live in [`crate::cpu::Cpu`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Exceptions and interrupts delivered, by vector.
    #[serde(with = "crate::state::array")]
    pub deliveries: [u64; 64],
    /// Successful gate calls, by gate index.
    pub gate_calls: GateCalls,
    /// Ring transitions `[from][to]`.
    pub ring_transitions: [[u64; 4]; 4],
    /// Double faults.
    pub double_faults: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            deliveries: [0; 64],
            gate_calls: GateCalls::default(),
            ring_transitions: [[0; 4]; 4],
            double_faults: 0,
        }
    }
}

/// Gates below this index are counted in an array (a gate call is hot; a map lookup per call
/// cost a tenth of it); the rest in a map.
const SMALL_GATES: usize = 256;

/// Successful gate calls by gate index.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GateCalls {
    small: Vec<u64>,
    large: BTreeMap<u32, u64>,
}

impl Default for GateCalls {
    fn default() -> Self {
        GateCalls {
            small: vec![0; SMALL_GATES],
            large: BTreeMap::new(),
        }
    }
}

impl GateCalls {
    /// Counts one call of gate `n`.
    #[inline(always)]
    pub fn count(&mut self, n: u32) {
        match self.small.get_mut(n as usize) {
            Some(c) => *c += 1,
            None => self.count_large(n),
        }
    }

    /// Counts one call of gate `n`, beyond the small ones.
    #[cold]
    #[inline(never)]
    fn count_large(&mut self, n: u32) {
        *self.large.entry(n).or_insert(0) += 1;
    }

    /// Calls of gate `n`, if it was called at all.
    pub fn get(&self, n: &u32) -> Option<&u64> {
        match self.small.get(*n as usize) {
            Some(c) => (*c > 0).then_some(c),
            None => self.large.get(n),
        }
    }

    /// (gate, calls) for every gate called, by gate index.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        let small = self
            .small
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(g, &c)| (g as u32, c));
        small.chain(self.large.iter().map(|(&g, &c)| (g, c)))
    }

    /// Call counts of the gates called.
    pub fn values(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter().map(|(_, c)| c)
    }
}
