//! What a debugger needs from a machine beyond running it, as methods that keep the engines'
//! bookkeeping (translated code, its epoch) private to the machine.

use crate::machine::Machine;

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
}
