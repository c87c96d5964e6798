//! Time travel: periodic in-memory snapshots of the whole machine plus deterministic
//! re-execution. The machine is deterministic (same state + same steps = same result), so
//! going back N steps is: restore the latest snapshot at or before the target, then run
//! forward to exactly the target step.
//!
//! Snapshots share RAM pages: a page equal to the same page of the previous snapshot is
//! shared (`Arc`), an all-zero page is not stored, so a snapshot costs one scan of RAM plus the
//! pages that changed.
//!
//! The history has a limit in bytes of saved RAM pages ([`DEFAULT_LIMIT`], `set
//! timetravel-limit`): past it the oldest snapshots are dropped (reverse execution then stops
//! at the oldest one left), and the newest is always kept.
//!
//! Every snapshot kept is on the current timeline: when the user changes the machine (`set`,
//! `reset`) at step S, the snapshots after S describe a future that will not happen any more
//! and are dropped; a fresh one is taken at S. Going back past a change undoes it, and drops
//! the snapshots taken after it.

use emulator::devices::uart::Sink;
use emulator::Machine;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bytes per snapshot page.
const PAGE: usize = 4096;
/// At most this many snapshots are kept; older ones are thinned out.
const MAX_SNAPS: usize = 48;
/// Smallest distance between periodic snapshots, in steps.
const MIN_INTERVAL: u64 = 1 << 20;
/// Bytes of saved RAM pages the history may hold unless the user sets another limit.
pub const DEFAULT_LIMIT: usize = 512 << 20;

type Page = Arc<[u8]>;

/// One saved state.
pub struct Snap {
    /// `Machine::steps` when it was taken.
    pub steps: u64,
    /// The machine without its RAM.
    machine: Machine,
    /// RAM pages (`None` = all zero).
    pages: Vec<Option<Page>>,
    /// Serial bytes the guest had sent before this point.
    pub serial_count: u64,
}

/// The snapshot store.
pub struct TimeTravel {
    snaps: Vec<Snap>,
    /// Steps at which the user changed the machine, on the current timeline.
    mods: Vec<u64>,
    /// Distance between periodic snapshots (adapted to what a snapshot costs).
    interval: u64,
    /// Time spent taking snapshots, for `info timetravel`-style reports.
    pub spent: Duration,
    /// Most bytes of RAM pages the snapshots may hold (distinct pages counted once).
    limit: usize,
    /// Bytes of RAM pages the snapshots hold now.
    stored: usize,
}

impl Default for TimeTravel {
    fn default() -> Self {
        TimeTravel {
            snaps: Vec::new(),
            mods: Vec::new(),
            interval: 4 * MIN_INTERVAL,
            spent: Duration::ZERO,
            limit: DEFAULT_LIMIT,
            stored: 0,
        }
    }
}

impl TimeTravel {
    /// Number of snapshots kept.
    pub fn len(&self) -> usize {
        self.snaps.len()
    }

    /// No snapshot is kept (a library user's question; a session always keeps the first).
    pub fn is_empty(&self) -> bool {
        self.snaps.is_empty()
    }

    /// Bytes of RAM pages the snapshots hold.
    pub fn stored(&self) -> usize {
        self.stored
    }

    /// The limit on [`TimeTravel::stored`].
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Sets the limit on the bytes of saved pages, dropping the oldest snapshots beyond it.
    pub fn set_limit(&mut self, bytes: usize) {
        self.limit = bytes;
        self.enforce_limit();
    }

    /// Counts the saved pages: a snapshot shares the pages that did not change with the one
    /// it was taken after (its predecessor in step order), so a page is counted where it differs
    /// from the same page of the snapshot before. One pointer comparison per page; a page
    /// shared with an older snapshot than that is counted again, which errs on the safe side.
    fn count_stored(&mut self) {
        let mut bytes = 0;
        let mut prev: Option<&Snap> = None;
        for s in &self.snaps {
            for (i, p) in s.pages.iter().enumerate() {
                let Some(p) = p else { continue };
                let shared = prev
                    .and_then(|q| q.pages.get(i))
                    .and_then(|q| q.as_ref())
                    .is_some_and(|q| Arc::ptr_eq(p, q));
                if !shared {
                    bytes += p.len();
                }
            }
            prev = Some(s);
        }
        self.stored = bytes;
    }

    /// Drops the oldest snapshots while the history holds more than its limit (the newest
    /// stays, whatever its size: without it there is no going back at all).
    fn enforce_limit(&mut self) {
        self.count_stored();
        while self.stored > self.limit && self.snaps.len() > 1 {
            self.snaps.remove(0);
            self.count_stored();
        }
    }

    /// Steps of the earliest snapshot.
    pub fn earliest(&self) -> Option<u64> {
        self.snaps.first().map(|s| s.steps)
    }

    /// Steps of every snapshot.
    pub fn steps_list(&self) -> Vec<u64> {
        self.snaps.iter().map(|s| s.steps).collect()
    }

    /// Takes a periodic snapshot if the last one at or before `m.steps` is far enough back.
    /// `rate` is the recent execution speed in steps per second (to keep snapshots cheap).
    pub fn maybe_take(&mut self, m: &mut Machine, serial_count: u64, rate: f64) {
        let last = self
            .latest_at_or_before(m.steps)
            .map(|i| self.snaps[i].steps);
        if let Some(l) = last {
            if m.steps < l + self.interval {
                return;
            }
        }
        let t0 = Instant::now();
        self.take(m, serial_count);
        let cost = t0.elapsed();
        // Keep snapshot time near 3% of run time: interval = cost * 33 * rate.
        if rate > 0.0 {
            let want = (cost.as_secs_f64() * 33.0 * rate) as u64;
            self.interval = want.clamp(MIN_INTERVAL, 1 << 28);
        }
    }

    /// Takes a snapshot of `m` now (replacing one at the same step).
    pub fn take(&mut self, m: &mut Machine, serial_count: u64) {
        let t0 = Instant::now();
        let reference = self
            .latest_at_or_before(m.steps)
            .or(if self.snaps.is_empty() { None } else { Some(0) });
        let npages = m.ram().len().div_ceil(PAGE);
        let mut pages = Vec::with_capacity(npages);
        for chunk in m.ram().chunks() {
            let Some(bytes) = chunk.bytes else {
                // Never written: all its pages are zero.
                pages.extend(std::iter::repeat_n(None, chunk.len.div_ceil(PAGE)));
                continue;
            };
            for page in bytes.chunks(PAGE) {
                let i = pages.len();
                let prev = reference.and_then(|r| self.snaps[r].pages.get(i).cloned().flatten());
                pages.push(match prev {
                    Some(p) if *p == *page => Some(p),
                    _ if is_zero(page) => None,
                    _ => Some(Arc::from(page)),
                });
            }
        }
        let machine = m.clone_without_ram();
        let snap = Snap {
            steps: m.steps,
            machine,
            pages,
            serial_count,
        };
        match self.snaps.binary_search_by_key(&m.steps, |s| s.steps) {
            Ok(i) => self.snaps[i] = snap,
            Err(i) => self.snaps.insert(i, snap),
        }
        if self.snaps.len() > MAX_SNAPS {
            self.thin();
        }
        self.enforce_limit();
        self.spent += t0.elapsed();
    }

    /// Drops every other snapshot of the older half (keeping the first).
    fn thin(&mut self) {
        let half = self.snaps.len() / 2;
        let mut i = 0;
        let mods = &self.mods;
        self.snaps.retain(|s| {
            // A snapshot where the user changed the machine cannot be re-derived: keep it.
            let keep = i == 0 || i >= half || i & 1 == 0 || mods.contains(&s.steps);
            i += 1;
            keep
        });
    }

    /// Index of the latest snapshot at or before `steps`.
    pub fn latest_at_or_before(&self, steps: u64) -> Option<usize> {
        let i = self.snaps.partition_point(|s| s.steps <= steps);
        i.checked_sub(1)
    }

    /// Index of the latest snapshot strictly before `steps`.
    pub fn latest_before(&self, steps: u64) -> Option<usize> {
        let i = self.snaps.partition_point(|s| s.steps < steps);
        i.checked_sub(1)
    }

    /// Steps of snapshot `i`.
    pub fn steps_of(&self, i: usize) -> u64 {
        self.snaps[i].steps
    }

    /// Restores snapshot `i` into `m` (keeping `m`'s UART sink kind, emptied, and its watch
    /// list). Returns the serial count at the snapshot. Undoes user changes made after it.
    pub fn restore(&mut self, i: usize, m: &mut Machine) -> u64 {
        let snap = &self.snaps[i];
        let sink = match &m.dev.uart.sink {
            Sink::Buffer(_) => Sink::Buffer(Vec::new()),
            Sink::None => Sink::None,
            Sink::Stdout => Sink::Stdout,
        };
        let tracing = m.trace_writes.is_some();
        // Translated code is dropped: memory may differ from what it was made from.
        m.restore_without_ram(&snap.machine, snap.pages.iter().map(|p| p.as_deref()));
        m.dev.uart.sink = sink;
        if tracing {
            m.trace_writes = Some(Vec::new());
        }
        let steps = snap.steps;
        let serial = snap.serial_count;
        if self.mods.iter().any(|&s| s > steps) {
            self.mods.retain(|&s| s <= steps);
            self.snaps.retain(|s| s.steps <= steps);
            self.count_stored();
        }
        serial
    }

    /// The user changed the machine at the current step: the recorded future is void.
    pub fn modified(&mut self, m: &mut Machine, serial_count: u64) {
        self.snaps.retain(|s| s.steps < m.steps);
        self.count_stored();
        self.mods.push(m.steps);
        self.take(m, serial_count);
    }

    /// Forgets everything (a new machine).
    pub fn clear(&mut self) {
        self.snaps.clear();
        self.mods.clear();
        self.stored = 0;
    }
}

/// Is the slice all zero? (Folds 64-byte chunks so the compiler can vectorize.)
pub fn is_zero(b: &[u8]) -> bool {
    b.chunks(64)
        .all(|c| c.iter().fold(0u8, |acc, &x| acc | x) == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use emulator::Config;

    fn machine() -> Machine {
        Machine::new(Config {
            ram_size: 1 << 20,
            serial: Sink::Buffer(Vec::new()),
        })
    }

    #[test]
    fn restore_brings_back_ram_and_registers_and_shares_pages() {
        let mut m = machine();
        m.poke_phys(0x1000, &[1, 2, 3, 4]);
        m.cpu.regs[5] = 11;
        let mut tt = TimeTravel::default();
        tt.take(&mut m, 0);
        m.steps = 10;
        m.poke_phys(0x1000, &[9]);
        m.poke_phys(0x8000, &[7]);
        m.cpu.regs[5] = 22;
        tt.take(&mut m, 3);
        // The unchanged pages of the second snapshot are shared with the first.
        let shared = tt.snaps[1]
            .pages
            .iter()
            .zip(&tt.snaps[0].pages)
            .filter(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            })
            .count();
        assert_eq!(shared, 0, "page 1 changed, page 8 is new");
        assert_eq!(tt.snaps[1].pages.iter().filter(|p| p.is_some()).count(), 2);
        m.poke_phys(0x1000, &[5, 5, 5, 5]);
        m.cpu.regs[5] = 33;
        assert_eq!(tt.restore(0, &mut m), 0);
        assert_eq!(m.peek_phys(0x1000, 4), Some(0x0403_0201));
        assert_eq!(m.peek_phys(0x8000, 1), Some(0));
        assert_eq!(m.cpu.regs[5], 11);
        assert_eq!(m.steps, 0);
        assert_eq!(tt.restore(1, &mut m), 3);
        assert_eq!(m.peek_phys(0x1000, 1), Some(9));
        assert_eq!(m.peek_phys(0x8000, 1), Some(7));
        assert_eq!(m.cpu.regs[5], 22);
    }

    #[test]
    fn a_change_voids_the_recorded_future() {
        let mut m = machine();
        let mut tt = TimeTravel::default();
        tt.take(&mut m, 0);
        m.steps = 100;
        tt.take(&mut m, 0);
        m.steps = 50;
        tt.modified(&mut m, 0);
        assert_eq!(tt.steps_list(), vec![0, 50]);
        // Going back before the change undoes it and forgets what followed it.
        m.steps = 70;
        tt.take(&mut m, 0);
        tt.restore(0, &mut m);
        assert_eq!(tt.steps_list(), vec![0]);
    }

    #[test]
    fn the_oldest_snapshots_go_beyond_the_limit_and_the_newest_stays() {
        let mut m = machine();
        let mut tt = TimeTravel::default();
        for step in 0..4u64 {
            m.steps = step * 10;
            // Each snapshot has its own version of the same 4 pages (16 KiB).
            for p in 0..4u32 {
                m.poke_phys(0x1_0000 + p * 4096, &[step as u8 + 1]);
            }
            tt.take(&mut m, 0);
        }
        assert_eq!(tt.len(), 4);
        assert_eq!(tt.stored(), 64 << 10);
        tt.set_limit(40 << 10);
        assert_eq!(tt.stored(), 32 << 10);
        assert_eq!(tt.steps_list(), vec![20, 30], "the oldest went first");
        tt.set_limit(0);
        assert_eq!(
            tt.steps_list(),
            vec![30],
            "only the newest, whatever its size"
        );
    }
}
