//! The machine: CPU state, physical memory, devices and the cycle clock, owned in one place.
//! Engines (see [`crate::engine`]) execute instructions against it; everything an engine must not
//! get wrong (memory map, MMU, exceptions, gates) is implemented here once.

use crate::cpu::Cpu;
use crate::devices::{uart::Sink, Devices};
use crate::fault::Fault;
use crate::ram::Ram;
use crate::stats::Stats;
use crate::tlb::Tlb;
use isa_spec::cr::{memmap, num, status, vector};

/// Default RAM size (64 MiB), as `-m 64M`.
pub const DEFAULT_RAM: u32 = 64 << 20;

/// How to build a machine.
#[derive(Debug)]
pub struct Config {
    /// RAM size in bytes (at most [`memmap::RAM_MAX`]).
    pub ram_size: u32,
    /// Where the UART's output goes.
    pub serial: Sink,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ram_size: DEFAULT_RAM,
            serial: Sink::Buffer(Vec::new()),
        }
    }
}

/// Why a machine stopped (or an engine returned).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Exit {
    /// `halt` executed; the exit code is a0.
    Halted(u32),
    /// The guest wrote the power controller's POWEROFF register.
    PowerOff(u32),
    /// Fault while delivering a double fault: the machine stopped.
    TripleFault(String),
    /// `wfi` with nothing that could ever wake the CPU.
    Idle,
    /// The cycle limit of the run was reached.
    CycleLimit,
    /// The step limit of the run was reached (single-stepping).
    StepLimit,
    /// A debugger stop condition (breakpoint, watchpoint, catchpoint) matched.
    Stopped,
}

/// How a ring transition happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Via {
    /// `callg N`.
    Gate(u32),
    /// `retg`.
    Retg,
    /// Exception, interrupt or trap through vector N.
    Vector(u8),
    /// `iret`.
    Iret,
    /// `mtcr status`.
    Mtcr,
}

/// A record of the last change of ring, for the debugger and `--trace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transition {
    /// Ring before.
    pub from: u8,
    /// Ring after.
    pub to: u8,
    /// What caused it.
    pub via: Via,
    /// Stack pointer before.
    pub old_sp: u32,
    /// Stack pointer after.
    pub new_sp: u32,
    /// Parameter words copied (gate calls).
    pub params: u32,
    /// Cycle count when it happened.
    pub cycle: u64,
}

/// One exception or interrupt delivery, for logs compared between engines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Cycle count at delivery (before the entry cost).
    pub cycle: u64,
    /// Vector delivered.
    pub vector: u8,
    /// `cause` value.
    pub cause: u32,
    /// pc saved in the frame.
    pub pc: u32,
    /// What was entered: the vector's handler, or the double fault's when delivering the
    /// vector failed, or nothing (a triple fault).
    pub outcome: Delivered,
}

/// What a raised vector led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivered {
    /// Its own handler.
    Vector,
    /// Delivering it failed; the double-fault handler was entered.
    DoubleFault,
    /// Delivering it and the double fault failed: the machine stopped (triple fault).
    Nothing,
}

/// Access kind, for translation and faults (defined with the TLB, whose permission slots it
/// indexes, so that the TLB does not depend on the machine).
pub use crate::tlb::Access;

/// An instruction's memory access that touched a watched range (see
/// [`Machine::set_watch`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchedAccess {
    /// Virtual address.
    pub va: u32,
    /// Physical address.
    pub pa: u32,
    /// Bytes accessed.
    pub size: u32,
    /// It read memory (a load, `cas`).
    pub read: bool,
    /// It wrote memory, or is `cas` (translated as a write whether or not it stores).
    pub write: bool,
}

/// The whole machine. `Clone` gives a snapshot (the debugger's time travel).
#[derive(Clone, Debug)]
pub struct Machine {
    /// Architectural CPU state.
    pub cpu: Cpu,
    /// RAM at physical 0 ([`Machine::ram`]; written through the machine, which keeps
    /// translated code and watchpoints in step).
    pub(crate) ram: Ram,
    /// Boot ROM contents (at [`memmap::ROM_BASE`]).
    pub rom: Vec<u8>,
    /// Devices.
    pub dev: Devices,
    /// The modeled TLB.
    pub tlb: Tlb,
    /// Counters for `--stats`.
    pub stats: Stats,
    /// Set when the guest stopped the machine.
    pub stop: Option<Exit>,
    /// The last ring transition and how many there have been.
    pub last_transition: Option<Transition>,
    /// Delivery log (kept when `Some`; tests compare it between engines).
    pub deliveries: Option<Vec<Delivery>>,
    /// Memory writes of the current instruction (kept when `Some`; for `--trace`).
    pub trace_writes: Option<Vec<(u32, u32, u32)>>,
    /// pc at reset.
    pub reset_pc: u32,
    /// Instruction boundaries passed: each retires an instruction or delivers an exception or
    /// interrupt (not architectural; for stepping).
    pub steps: u64,
    /// Physical RAM pages holding translated code (set by the threaded engine). A write to one
    /// queues the page in `dirty_code` and sets `block_exit`.
    pub(crate) code_pages: crate::code_pages::CodePages,
    /// Code pages written since the threaded engine last looked.
    pub(crate) dirty_code: Vec<u32>,
    /// Bumped when memory changes wholesale (loading, ROM writes): drop every translation.
    pub(crate) code_epoch: u64,
    /// Set by anything that must end a translated block after the current instruction
    /// (a write to a code page, a device access).
    pub(crate) block_exit: bool,
    /// Exceptions and interrupts delivered so far (engines use it to notice a fault).
    pub delivered: u64,
    /// Debugger write watch: physical byte ranges `[start, end)`. A RAM write that may touch
    /// one sets [`Machine::watch_hit`] (empty when no watchpoint is set: one cheap check).
    pub(crate) watch: Vec<(u32, u32)>,
    /// Debugger read watch: physical byte ranges `[start, end)`. An instruction's load that
    /// touches one sets [`Machine::watch_hit`] and records the access in `watched` (empty when
    /// no read watchpoint is set: one cheap check per load).
    pub(crate) read_watch: Vec<(u32, u32)>,
    /// Set when a write may have touched a watched range, or a load read one; the debugger
    /// clears it ([`Machine::take_watch_hit`]).
    pub(crate) watch_hit: bool,
    /// The last instruction access (load, store, `cas`) that touched a watched range, for the
    /// debugger ([`Machine::take_watched_access`]).
    pub(crate) watched: Option<WatchedAccess>,
    /// Cycle count at which a `wfi` stops waiting even without an interrupt: engines set it to
    /// their run's cycle budget (see `wait_for_interrupt`).
    pub(crate) wait_limit: u64,
    /// Walk cycles accrued by the current instruction.
    pub(crate) acc_walk: u32,
    /// Other extra cycles (MMIO, taken branches) accrued by the current instruction.
    pub(crate) acc_extra: u32,
    /// Base cost + stall of the current instruction (for device writes that need "retire time").
    pub(crate) acc_base: u32,
}

impl Machine {
    /// A machine in its reset state with `config`.
    pub fn new(config: Config) -> Machine {
        let ram_size = config.ram_size.min(memmap::RAM_MAX);
        Machine {
            cpu: Cpu {
                pc: memmap::ROM_BASE,
                ..Cpu::default()
            },
            ram: Ram::new(ram_size as usize),
            rom: Vec::new(),
            dev: Devices::new(config.serial),
            tlb: {
                let mut t = Tlb::default();
                t.set_ram_end(ram_size as u64);
                t
            },
            stats: Stats::default(),
            stop: None,
            last_transition: None,
            deliveries: None,
            trace_writes: None,
            reset_pc: memmap::ROM_BASE,
            steps: 0,
            code_pages: crate::code_pages::CodePages::new((ram_size as usize).div_ceil(4096)),
            dirty_code: Vec::new(),
            code_epoch: 0,
            block_exit: false,
            delivered: 0,
            watch: Vec::new(),
            read_watch: Vec::new(),
            watch_hit: false,
            watched: None,
            wait_limit: u64::MAX,
            acc_walk: 0,
            acc_extra: 0,
            acc_base: 0,
        }
    }

    /// Resets the CPU, TLB and devices (RAM and ROM keep their contents).
    pub fn reset(&mut self) {
        // Devices reset first: they rebase their deadlines on the count before it restarts.
        self.dev.reset(self.cpu.cycles);
        self.cpu = Cpu {
            pc: self.reset_pc,
            ..Cpu::default()
        };
        self.tlb.flush();
        self.stop = None;
    }

    /// Clears the per-instruction accumulators (call before fetching an instruction).
    #[inline]
    pub fn begin_instruction(&mut self) {
        self.acc_walk = 0;
        self.acc_extra = 0;
        self.acc_base = 0;
        if let Some(w) = &mut self.trace_writes {
            w.clear();
        }
    }

    /// Translates `va` for the debugger and tracer: no TLB, no side effects. `None` if unmapped.
    pub fn debug_translate(&self, va: u32) -> Option<u32> {
        if !self.cpu.paging() {
            return Some(va);
        }
        let [_, leaf] = self.walk_steps(va);
        leaf.entry
            .filter(|e| e & isa_spec::cr::pte::P != 0)
            .map(|e| (e & isa_spec::cr::pte::FRAME_MASK) | (va & 0xfff))
    }

    /// Reads `size` bytes at virtual `va` for the debugger (RAM/ROM only, no side effects).
    pub fn peek_virt(&self, va: u32, size: u32) -> Option<u32> {
        self.debug_translate(va)
            .and_then(|pa| self.peek_phys(pa, size))
    }

    /// Cycle count at which the current instruction will retire (for device timing).
    #[inline]
    pub(crate) fn retire_time(&self) -> u64 {
        self.cpu.cycles + (self.acc_base + self.acc_walk + self.acc_extra) as u64
    }

    // ---- physical memory ----

    /// Guest RAM, for reading (writes go through [`Machine::poke_phys`] or the guest's
    /// stores, which drop translated code they overwrite and report watched writes).
    #[inline(always)]
    pub fn ram(&self) -> &Ram {
        &self.ram
    }

    #[inline]
    fn in_ram(&self, pa: u32, size: u32) -> bool {
        self.ram.contains(pa, size)
    }

    /// Reads `size` (1, 2 or 4) bytes of physical memory, as a load at `va` in `ring` would
    /// (reporting a read of a watched range: [`Machine::set_watch`]).
    pub fn phys_load(&mut self, pa: u32, size: u32, va: u32, ring: u8) -> Result<u32, Fault> {
        let v = self.phys_read(pa, size, va, ring)?;
        if !self.read_watch.is_empty() {
            self.check_read_watch(va, pa, size);
        }
        Ok(v)
    }

    /// [`Machine::phys_load`] without the read watch.
    fn phys_read(&mut self, pa: u32, size: u32, va: u32, ring: u8) -> Result<u32, Fault> {
        if self.in_ram(pa, size) {
            return Ok(self.ram.read(pa as usize, size));
        }
        if pa >= memmap::ROM_BASE {
            let off = (pa - memmap::ROM_BASE) as usize;
            return Ok(if off + size as usize <= self.rom.len() {
                read_le(&self.rom[off..], size)
            } else if off + (size as usize) <= memmap::ROM_SIZE as usize {
                0
            } else {
                return Err(Fault::new(vector::BUS_ERROR, va));
            });
        }
        self.mmio_load(pa, size, va, ring)
    }

    /// Writes `size` bytes of physical memory, as a store at `va` in `ring` would.
    pub fn phys_store(
        &mut self,
        pa: u32,
        size: u32,
        value: u32,
        va: u32,
        ring: u8,
    ) -> Result<(), Fault> {
        if self.in_ram(pa, size) {
            self.note_store(va, pa, size);
            self.ram.write(pa as usize, size, value);
            if let Some(w) = &mut self.trace_writes {
                w.push((va, size, value));
            }
            return Ok(());
        }
        self.mmio_store(pa, size, value, va, ring)
    }

    /// Every write to RAM goes through here first: a write into a page holding translated code
    /// invalidates that code before the next instruction runs.
    #[inline(always)]
    pub(crate) fn note_ram_write(&mut self, pa: u32) {
        if self.code_pages.contains_addr(pa) {
            self.drop_code_page((pa >> 12) as usize);
        }
        if !self.watch.is_empty() {
            self.check_watch(pa);
        }
    }

    /// [`Machine::note_ram_write`] for an instruction's store of `size` bytes at `va`
    /// (physical `pa`): a watched range it touches is recorded exactly.
    #[inline(always)]
    pub(crate) fn note_store(&mut self, va: u32, pa: u32, size: u32) {
        if self.code_pages.contains_addr(pa) {
            self.drop_code_page((pa >> 12) as usize);
        }
        if !self.watch.is_empty() {
            self.check_store_watch(va, pa, size);
        }
    }

    /// The debugger's write watch for an instruction's store: the access is recorded when it
    /// touches a watched range.
    #[cold]
    fn check_store_watch(&mut self, va: u32, pa: u32, size: u32) {
        if touches(&self.watch, pa, size) {
            self.record_watched(va, pa, size, false);
        }
    }

    /// Records a watched access (a read, or else a write) and ends the engine's run there.
    fn record_watched(&mut self, va: u32, pa: u32, size: u32, read: bool) {
        self.watch_hit = true;
        self.block_exit = true;
        self.watched = Some(WatchedAccess {
            va,
            pa,
            size,
            read,
            write: !read,
        });
    }

    /// The debugger's read watch: a load of `size` bytes at `va` (physical `pa`) that touches
    /// a watched range is recorded and ends the engine's run.
    #[cold]
    pub(crate) fn check_read_watch(&mut self, va: u32, pa: u32, size: u32) {
        if touches(&self.read_watch, pa, size) {
            self.record_watched(va, pa, size, true);
        }
    }

    /// Marks RAM page `page` as holding translated code (stores into its chunk are then all
    /// checked: [`Ram::forbid_plain_stores`]).
    pub(crate) fn mark_code_page(&mut self, page: usize) {
        self.code_pages.set(page, true);
        self.ram.forbid_plain_stores(page);
    }

    /// An engine's RAM store hit of `size` bytes at RAM index `x` (virtual `va`), checked by
    /// the MMU's hit test: a plain store when its chunk takes them (then only the debugger's
    /// watch is looked at), else the store with its code-page check, after which the chunk
    /// takes plain stores again if it holds no translated code. A watched write is noted as
    /// [`Machine::note_store`] does it (the access recorded exactly) when `EXACT`, else as
    /// [`Machine::note_ram_write`] does (by address: the fast path).
    ///
    /// # Safety
    ///
    /// `x + size <= self.ram.len()` ([`Machine::fast_ram_index`] checked it).
    #[inline(always)]
    pub(crate) unsafe fn ram_store_hit<const EXACT: bool>(
        &mut self,
        va: u32,
        x: usize,
        size: u32,
        v: u32,
    ) {
        // SAFETY: the caller's promise.
        if unsafe { self.ram.store_plain(x, size, v) } {
            if !self.watch.is_empty() {
                if EXACT {
                    self.check_store_watch(va, x as u32, size);
                } else {
                    self.check_watch(x as u32);
                }
            }
            return;
        }
        // SAFETY: the caller's promise.
        unsafe { self.ram_store_checked::<EXACT>(va, x, size, v) }
    }

    /// [`Machine::ram_store_hit`] into a chunk that does not take plain stores.
    ///
    /// # Safety
    ///
    /// As for [`Machine::ram_store_hit`].
    #[inline(never)]
    unsafe fn ram_store_checked<const EXACT: bool>(
        &mut self,
        va: u32,
        x: usize,
        size: u32,
        v: u32,
    ) {
        if EXACT {
            self.note_store(va, x as u32, size);
        } else {
            self.note_ram_write(x as u32);
        }
        // SAFETY: the caller's promise.
        unsafe { self.ram.store(x, size, v) };
        let (first, n) = Ram::chunk_pages(x);
        if !(first..first + n).any(|p| self.code_pages.contains_addr((p << 12) as u32)) {
            self.ram.allow_plain_stores(x);
        }
    }

    /// A store hit a page holding translated code: its blocks go before the next instruction.
    #[cold]
    fn drop_code_page(&mut self, page: usize) {
        self.code_pages.set(page, false);
        self.dirty_code.push(page as u32);
        self.block_exit = true;
    }

    /// The debugger's write watch: a write at `pa` touches at most the bytes up to the end of
    /// its aligned word (the caller does not pass the size, so this may over-report; the
    /// debugger compares values).
    #[cold]
    fn check_watch(&mut self, pa: u32) {
        let end = (pa | 3) as u64 + 1;
        if self
            .watch
            .iter()
            .any(|&(s, e)| (pa as u64) < e as u64 && (s as u64) < end)
        {
            self.watch_hit = true;
            self.block_exit = true;
        }
    }

    /// Reads a word of RAM or ROM without side effects (debugger, walker). `None` outside them.
    pub fn peek_phys(&self, pa: u32, size: u32) -> Option<u32> {
        if self.in_ram(pa, size) {
            Some(self.ram.read(pa as usize, size))
        } else if pa >= memmap::ROM_BASE {
            let off = (pa - memmap::ROM_BASE) as usize;
            Some(if off + size as usize <= self.rom.len() {
                read_le(&self.rom[off..], size)
            } else {
                0
            })
        } else {
            None
        }
    }

    /// Writes RAM directly (loader, debugger). `false` outside RAM.
    pub fn poke_phys(&mut self, pa: u32, bytes: &[u8]) -> bool {
        if !self.in_ram(pa, bytes.len() as u32) {
            return false;
        }
        let last = pa as u64 + bytes.len().max(1) as u64 - 1;
        for page in (pa >> 12) as u64..=(last >> 12) {
            self.note_ram_write((page << 12) as u32);
        }
        self.ram.write_bytes(pa, bytes)
    }

    // ---- status and ring changes ----

    /// Sets the status register (masked to the bits that exist), recording a ring change.
    #[inline(always)]
    pub(crate) fn set_status(&mut self, value: u32, via: Via, old_sp: u32, params: u32) {
        let from = self.cpu.ring();
        self.cpu.crs[num::STATUS as usize] = value & status::WRITABLE;
        let to = self.cpu.ring();
        if from != to {
            self.stats.ring_transitions[from as usize][to as usize] += 1;
            self.last_transition = Some(Transition {
                from,
                to,
                via,
                old_sp,
                new_sp: self.cpu.regs[isa_spec::regs::SP as usize],
                params,
                cycle: self.cpu.cycles,
            });
        }
    }
}

/// Whether the `size` bytes from `pa` overlap one of `ranges`.
pub(crate) fn touches(ranges: &[(u32, u32)], pa: u32, size: u32) -> bool {
    let end = pa as u64 + size as u64;
    ranges
        .iter()
        .any(|&(s, e)| (pa as u64) < e as u64 && (s as u64) < end)
}

/// Little-endian read of 1, 2 or 4 bytes.
#[inline]
fn read_le(bytes: &[u8], size: u32) -> u32 {
    match size {
        1 => bytes[0] as u32,
        2 => u16::from_le_bytes([bytes[0], bytes[1]]) as u32,
        _ => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
    }
}
