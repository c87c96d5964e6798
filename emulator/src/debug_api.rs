//! What a debugger needs from a machine beyond running it, as methods that keep the engines'
//! bookkeeping (translated code, its epoch) and the watchpoint hooks private to the machine.

use crate::machine::{Machine, WatchedAccess};

impl Machine {
    /// Drops every translation the engines hold of this machine's code: memory may differ
    /// from what it was made from (a debugger wrote it, or put back an earlier state).
    pub fn invalidate_translations(&mut self) {
        self.code_epoch += 1;
        self.code_pages.clear();
        self.dirty_code.clear();
        self.block_exit = false;
    }

    /// Becomes `saved` (a clone taken earlier; its RAM is whatever the clone holds), with no
    /// translation of the code surviving: an engine that ran this machine translates afresh,
    /// even though the epoch `saved` carries is one it has seen before.
    pub fn restore_clone(&mut self, saved: &Machine) {
        let epoch = self.code_epoch;
        *self = saved.clone();
        self.code_epoch = epoch;
        self.invalidate_translations();
    }

    /// Becomes `saved` (a copy taken with [`Machine::clone_without_ram`]) except for RAM:
    /// this machine's RAM stays, and its 4 KiB pages, in order from physical 0, are set to
    /// `pages`: `Some(bytes)` the page's saved bytes (shorter only for a last page cut by the
    /// end of RAM), `None` all zero (a chunk never written stays unallocated); pages past the
    /// end of `pages` keep their bytes. A page already equal is not written. The watched
    /// ranges stay too (a reported hit is dropped), and no translation of the code survives
    /// (see [`Machine::restore_clone`]).
    pub fn restore_without_ram<'p>(
        &mut self,
        saved: &Machine,
        pages: impl IntoIterator<Item = Option<&'p [u8]>>,
    ) {
        const PAGE: usize = 0x1000;
        let ram = std::mem::take(&mut self.ram);
        let watch = std::mem::take(&mut self.watch);
        let read_watch = std::mem::take(&mut self.read_watch);
        self.restore_clone(saved);
        self.ram = ram;
        for (i, page) in pages.into_iter().enumerate() {
            if i * PAGE >= self.ram.len() {
                break;
            }
            let pa = (i * PAGE) as u32;
            match page {
                Some(bytes) if self.ram.bytes_in_chunk(pa, bytes.len()) != Some(bytes) => {
                    self.ram.write_bytes(pa, bytes);
                }
                Some(_) => {}
                None => {
                    self.ram.zero(pa, PAGE.min(self.ram.len() - pa as usize));
                }
            }
        }
        self.watch = watch;
        self.read_watch = read_watch;
        self.watch_hit = false;
        self.watched = None;
    }

    /// A copy of the machine without its RAM (empty in the copy) and without the watched
    /// ranges: cheap, RAM being the only big part. The write log, if on, is not copied.
    pub fn clone_without_ram(&mut self) -> Machine {
        let ram = std::mem::take(&mut self.ram);
        let trace = self.trace_writes.take();
        let mut copy = self.clone();
        self.ram = ram;
        self.trace_writes = trace;
        copy.clear_watch();
        copy
    }

    /// Watches the physical byte ranges `[start, end)` (sorted, merged) for `kind` of access,
    /// replacing the ranges set before for that kind; a hit already reported is dropped.
    ///
    /// - [`Watched::Writes`]: a RAM write that may touch a range (from an instruction, a frame
    ///   push, a walk's A/D update, DMA, the debugger's own pokes) makes
    ///   [`Machine::take_watch_hit`] true; an instruction's store (or `cas`) that touches one
    ///   is also recorded exactly ([`Machine::take_watched_access`]).
    /// - [`Watched::Reads`]: an instruction's load (or `cas`) that reads a range makes
    ///   [`Machine::take_watch_hit`] true and is recorded. Reads the machine makes for itself
    ///   (frames, descriptors, page walks, fetches) are not reported.
    ///
    /// Either ends the engine's run at the next instruction boundary. With no range set, each
    /// access costs one empty-list check.
    pub fn set_watch(&mut self, ranges: Vec<(u32, u32)>, kind: Watched) {
        match kind {
            Watched::Writes => self.watch = ranges,
            Watched::Reads => {
                // The threaded engine translates loads differently while reads are watched.
                if ranges.is_empty() != self.read_watch.is_empty() {
                    self.invalidate_translations();
                }
                self.read_watch = ranges;
            }
        }
        self.watch_hit = false;
        self.watched = None;
    }

    /// Whether a read watch is set (the threaded engine then runs loads on the full path).
    #[inline]
    pub(crate) fn watches_reads(&self) -> bool {
        !self.read_watch.is_empty()
    }

    /// Watches nothing, dropping a reported hit.
    pub fn clear_watch(&mut self) {
        self.set_watch(Vec::new(), Watched::Writes);
        self.set_watch(Vec::new(), Watched::Reads);
    }

    /// Whether a watched range may have been written, or was read, since the last call (a
    /// write may be over-reported up to the end of its word: compare values). Clears the
    /// report.
    pub fn take_watch_hit(&mut self) -> bool {
        std::mem::take(&mut self.watch_hit)
    }

    /// The last instruction access that touched a watched range since the last call, if any:
    /// every watched load and `cas`; a watched store when it ran on the full path (the
    /// interpreter's, or the threaded engine's for anything but a plain RAM hit), while the
    /// threaded engine's fast path reports its stores only through
    /// [`Machine::take_watch_hit`] (enough for write watches, which compare values; the
    /// debugger single-steps with the interpreter for access watches).
    pub fn take_watched_access(&mut self) -> Option<WatchedAccess> {
        self.watched.take()
    }
}

/// What [`Machine::set_watch`] watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watched {
    /// Writes.
    Writes,
    /// Reads by instructions.
    Reads,
}

#[cfg(test)]
mod tests {
    use super::Watched;
    use crate::engine::{interp::Interp, threaded::Threaded};
    use crate::machine::{Config, Exit, Machine, WatchedAccess};
    use crate::{Budget, Engine};
    use isa_spec::{encode, Insn, Opcode};

    /// A 64 KiB machine running, from 0x1000 in ring 0 with paging off:
    /// `lh r5, 0x2002(r0)`, `sw r5, 0x3000(r0)`, `halt`.
    fn machine() -> Machine {
        let mut m = Machine::new(Config {
            ram_size: 0x1_0000,
            ..Config::default()
        });
        let insn = |op, rd, imm| Insn {
            op,
            rd,
            rs1: 0,
            rs2: 5,
            imm,
        };
        let code = [
            insn(Opcode::Lh, 5, 0x2002),
            insn(Opcode::Sw, 0, 0x3000),
            insn(Opcode::Halt, 0, 0),
        ];
        for (k, i) in code.iter().enumerate() {
            let w = encode(i).expect("encodes").to_le_bytes();
            assert!(m.poke_phys(0x1000 + 4 * k as u32, &w));
        }
        m.cpu.pc = 0x1000;
        m
    }

    /// Both engines stop after the load of a watched range and report it; a load next to the
    /// range is not reported; stores are reported through the write watch.
    #[test]
    fn loads_of_watched_ranges_are_reported_by_both_engines() {
        let engines: [Box<dyn Engine>; 2] = [Box::new(Interp::new()), Box::new(Threaded::new())];
        for mut e in engines {
            let mut m = machine();
            m.set_watch(vec![(0x2003, 0x2004)], Watched::Reads);
            let exit = e.run(&mut m, Budget::UNLIMITED);
            assert_eq!(exit, Exit::Stopped, "{}", e.name());
            assert_eq!(m.cpu.pc, 0x1004, "{}: stopped after the load", e.name());
            assert!(m.take_watch_hit());
            let read = WatchedAccess {
                va: 0x2002,
                pa: 0x2002,
                size: 2,
                read: true,
                write: false,
            };
            assert_eq!(m.take_watched_access(), Some(read), "{}", e.name());
            m.clear_watch();
            assert_eq!(e.run(&mut m, Budget::UNLIMITED), Exit::Halted(0));

            let mut m = machine();
            m.set_watch(vec![(0x2004, 0x2008)], Watched::Reads);
            m.set_watch(vec![(0x3000, 0x3001)], Watched::Writes);
            let exit = e.run(&mut m, Budget::UNLIMITED);
            assert_eq!(exit, Exit::Stopped, "{}", e.name());
            assert_eq!(m.cpu.pc, 0x1008, "{}: stopped after the store", e.name());
            assert!(m.take_watch_hit() && !m.take_watch_hit());
        }
    }
}
