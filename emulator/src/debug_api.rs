//! What a debugger needs from a machine beyond running it, as methods that keep the engines'
//! bookkeeping (translated code, its epoch) and the watchpoint hooks private to the machine.

use crate::machine::Machine;
use crate::ram::Ram;

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
    /// this machine's RAM allocation stays, and `fill` rewrites its bytes to the saved
    /// contents. The watched ranges stay too (a reported hit is dropped), and no translation
    /// of the code survives (see [`Machine::restore_clone`]).
    pub fn restore_without_ram(&mut self, saved: &Machine, fill: impl FnOnce(&mut [u8])) {
        let ram = std::mem::take(&mut self.ram);
        let watch = std::mem::take(&mut self.watch);
        self.restore_clone(saved);
        self.ram = ram;
        fill(self.ram.as_bytes_mut());
        self.watch = watch;
        self.watch_hit = false;
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

    /// Exchanges this machine's RAM with `ram` (of the same size: else this panics), dropping
    /// every translation. For checkers that keep shadow copies of memory.
    pub fn swap_ram(&mut self, ram: &mut Ram) {
        assert_eq!(ram.len(), self.ram.len(), "RAM of another size");
        std::mem::swap(&mut self.ram, ram);
        self.invalidate_translations();
    }

    /// Watches guest writes to the physical byte ranges `[start, end)` (sorted, merged): a
    /// RAM write that may touch one (from an instruction, a frame push, a walk's A/D update,
    /// DMA, the debugger's own pokes) makes [`Machine::take_watch_hit`] true and ends the
    /// engine's run at the next instruction boundary. Replaces the ranges set before; a hit
    /// already reported is dropped.
    pub fn set_watch(&mut self, ranges: Vec<(u32, u32)>) {
        self.watch = ranges;
        self.watch_hit = false;
    }

    /// Watches nothing (every write then costs one empty-list check), dropping a reported hit.
    pub fn clear_watch(&mut self) {
        self.set_watch(Vec::new());
    }

    /// Whether a write may have touched a watched range since the last call (the check may
    /// over-report up to the end of the written word: compare values). Clears the report.
    pub fn take_watch_hit(&mut self) -> bool {
        std::mem::take(&mut self.watch_hit)
    }
}
