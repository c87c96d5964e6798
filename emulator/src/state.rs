//! Capturing and restoring the whole machine state: [`Machine::save_state`] and
//! [`Machine::restore_state`], for snapshot files (the debugger's `snapshot save|load`) and
//! anything else that wants to stop a machine and continue it later, on either engine.
//!
//! A [`MachineState`] is everything the guest can observe or that decides what it observes
//! next: the CPU (registers, control registers, pc, counters, load-use state), RAM as its
//! non-zero 4 KiB pages, the boot ROM, the TLB and its counters, every device's registers and
//! timing (the device structs themselves, serialized with serde), the statistics, the step
//! count and the last ring transition. It holds nothing an engine keeps (translated code is
//! dropped on restoring), so a state saved under one engine continues identically under the
//! other.
//!
//! Host attachments are not part of it: the serial back end and the UART's output sink, the
//! disk image file (the disk's *contents* live in the image, not in the state), the window,
//! host pacing. Restoring keeps the ones the machine already has; the state records the
//! configuration they imply ([`StateConfig`]: RAM size, whether a disk is attached, its size
//! and mode), and [`Machine::restore_state`] refuses a state whose configuration differs.

use crate::cpu::Cpu;
use crate::devices::{uart, Devices};
use crate::machine::{Exit, Machine, Transition};
use crate::ram::Ram;
use crate::stats::Stats;
use crate::tlb::Tlb;
use isa_spec::cr::{memmap, num, status};
use serde::{Deserialize, Serialize};

/// Bytes per saved RAM page.
pub const PAGE: usize = 4096;

/// The configuration a state belongs to: what a machine must have for the state to be
/// restored into it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateConfig {
    /// RAM size in bytes.
    pub ram_size: u32,
    /// The attached disk, if any.
    pub disk: Option<DiskConfig>,
}

/// An attached disk as far as the guest can see it (its contents are the image file's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskConfig {
    /// Sectors on the disk.
    pub sectors: u64,
    /// The disk is read-only.
    pub readonly: bool,
}

impl StateConfig {
    /// The configuration of `m`.
    pub fn of(m: &Machine) -> StateConfig {
        StateConfig {
            ram_size: m.ram.len() as u32,
            disk: m.dev.disk.image.as_ref().map(|i| DiskConfig {
                sectors: i.sectors(),
                readonly: i.readonly(),
            }),
        }
    }

    /// How a machine configured as `have` differs from this configuration (one phrase per
    /// difference, saying what this one had and what `have` has); empty when it does not.
    pub fn differences(&self, have: &StateConfig) -> Vec<String> {
        let mut d = Vec::new();
        if self.ram_size != have.ram_size {
            d.push(format!(
                "it has {} of RAM, this machine {}",
                size_text(self.ram_size as u64),
                size_text(have.ram_size as u64)
            ));
        }
        let disk = |c: &Option<DiskConfig>| match c {
            None => "no disk".to_string(),
            Some(c) => format!(
                "a {}{} disk",
                size_text(c.sectors * crate::devices::disk::SECTOR_SIZE as u64),
                if c.readonly { " read-only" } else { "" }
            ),
        };
        if self.disk != have.disk {
            d.push(format!(
                "it has {}, this machine {}",
                disk(&self.disk),
                disk(&have.disk)
            ));
        }
        d
    }
}

/// A size in the units `-m` takes (`4M`, `512K`, `1G`, or bytes).
pub fn size_text(bytes: u64) -> String {
    for (shift, unit) in [(30, "G"), (20, "M"), (10, "K")] {
        if bytes >= 1 << shift && bytes & ((1 << shift) - 1) == 0 {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// The whole state of a machine (see the module documentation for what is and is not in it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MachineState {
    /// The configuration it needs.
    pub config: StateConfig,
    /// Architectural CPU state.
    pub cpu: Cpu,
    /// The non-zero RAM pages: (page number, its [`PAGE`] bytes, fewer for a last partial
    /// page).
    pub ram_pages: Vec<(u32, Vec<u8>)>,
    /// Boot ROM contents.
    pub rom: Vec<u8>,
    /// pc at reset.
    pub reset_pc: u32,
    /// Instruction boundaries passed.
    pub steps: u64,
    /// Exceptions and interrupts delivered.
    pub delivered: u64,
    /// Why the machine stopped, if it has.
    pub stop: Option<Exit>,
    /// The last ring transition.
    pub last_transition: Option<Transition>,
    /// The TLB (entries and counters).
    pub tlb: Tlb,
    /// The statistics.
    pub stats: Stats,
    /// Every device, without its host attachments.
    pub dev: Devices,
}

impl Machine {
    /// Captures the machine's state (between instructions: an engine has returned).
    pub fn save_state(&self) -> MachineState {
        let ram_pages = self
            .ram
            .chunks()
            .filter_map(|c| Some((c.start, c.bytes?)))
            .flat_map(|(start, bytes)| {
                bytes
                    .chunks(PAGE)
                    .enumerate()
                    .map(move |(i, p)| (start / PAGE as u32 + i as u32, p))
            })
            .filter(|(_, p)| !is_zero(p))
            .map(|(i, p)| (i, p.to_vec()))
            .collect();
        let mut dev = self.dev.clone();
        // The output so far belongs to the host, not to the state.
        dev.uart.sink = uart::Sink::None;
        MachineState {
            config: StateConfig::of(self),
            cpu: self.cpu.clone(),
            ram_pages,
            rom: self.rom.clone(),
            reset_pc: self.reset_pc,
            steps: self.steps,
            delivered: self.delivered,
            stop: self.stop.clone(),
            last_transition: self.last_transition,
            tlb: self.tlb.clone(),
            stats: self.stats.clone(),
            dev,
        }
    }

    /// Puts the machine into state `s`, keeping its host attachments (UART sink and back end,
    /// disk image, window), its debugger watch list, and its delivery and write logs if on
    /// (emptied). Translated code is dropped. Refuses, changing nothing, a state whose
    /// configuration differs from the machine's or that no machine could be in (a damaged
    /// or forged file).
    pub fn restore_state(&mut self, s: &MachineState) -> Result<(), String> {
        let diffs = s.config.differences(&StateConfig::of(self));
        if !diffs.is_empty() {
            return Err(format!(
                "the state is of another machine configuration: {}",
                diffs.join("; ")
            ));
        }
        check(s)?;
        // A fresh RAM: pages the state does not hold cost no host memory.
        let mut ram = Ram::new(self.ram.len());
        for (page, data) in &s.ram_pages {
            ram.write_bytes(page * PAGE as u32, data);
        }
        self.ram = ram;
        self.rom = s.rom.clone();
        self.reset_pc = s.reset_pc;
        self.cpu = s.cpu.clone();
        self.steps = s.steps;
        self.delivered = s.delivered;
        self.stop = s.stop.clone();
        self.last_transition = s.last_transition;
        self.tlb = s.tlb.clone();
        self.tlb.set_ram_end(self.ram.len() as u64);
        self.stats = s.stats.clone();

        let old = std::mem::replace(&mut self.dev, s.dev.clone());
        self.dev.adopt_host(old, s.cpu.cycles);

        // Nothing translated from the old memory may run.
        self.invalidate_translations();
        self.watch_hit = false;
        self.watched = None;
        self.acc_walk = 0;
        self.acc_extra = 0;
        self.acc_base = 0;
        if let Some(l) = &mut self.deliveries {
            l.clear();
        }
        if let Some(w) = &mut self.trace_writes {
            w.clear();
        }
        Ok(())
    }
}

/// Is the slice all zero? (Folds 64-byte chunks so the compiler can vectorize: saving scans
/// all of RAM.)
fn is_zero(b: &[u8]) -> bool {
    b.chunks(64)
        .all(|c| c.iter().fold(0u8, |acc, &x| acc | x) == 0)
}

/// Refuses a state no machine of its configuration could be in (what the engines and devices
/// rely on without checking: a damaged file must not make the host panic).
fn check(s: &MachineState) -> Result<(), String> {
    let bad = |what: String| Err(format!("the state is damaged: {what}"));
    let ram = s.config.ram_size as u64;
    for (page, data) in &s.ram_pages {
        let start = *page as u64 * PAGE as u64;
        if data.len() > PAGE || start + data.len() as u64 > ram {
            return bad(format!("RAM page {page:#x} lies outside RAM"));
        }
    }
    if s.rom.len() > memmap::ROM_SIZE as usize {
        return bad(format!("a ROM of {} bytes", s.rom.len()));
    }
    // No run reaches 2^62 cycles (46 years at the modeled clock); arithmetic on deadlines
    // past it could overflow.
    if s.cpu.cycles >= 1 << 62 || s.steps >= 1 << 62 {
        return bad(format!("a cycle count of {}", s.cpu.cycles));
    }
    if s.cpu.regs[0] != 0 {
        return bad("r0 is not zero".into());
    }
    if s.cpu.last_load >= 32 {
        return bad(format!(
            "register {} in the load-use state",
            s.cpu.last_load
        ));
    }
    if s.cpu.crs[num::STATUS as usize] & !status::WRITABLE != 0 {
        return bad("status has bits that do not exist".into());
    }
    s.dev
        .check()
        .map_err(|e| format!("the state is damaged: {e}"))?;
    Ok(())
}

/// Serde for arrays longer than serde's built-in 32 (as a sequence).
pub(crate) mod array {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the array as a sequence.
    pub fn serialize<S: Serializer, T: Serialize, const N: usize>(
        a: &[T; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(a)
    }

    /// Reads a sequence of exactly `N` items.
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>, const N: usize>(
        d: D,
    ) -> Result<[T; N], D::Error> {
        let v: Vec<T> = Vec::deserialize(d)?;
        let n = v.len();
        v.try_into()
            .map_err(|_| D::Error::custom(format!("{n} items where {N} belong")))
    }
}

/// [`array`] for a boxed array.
pub(crate) mod boxed_array {
    use serde::{Deserializer, Serialize, Serializer};

    /// Writes the array as a sequence.
    #[allow(clippy::borrowed_box)] // serde's `with` passes a reference to the field
    pub fn serialize<S: Serializer, T: Serialize, const N: usize>(
        a: &Box<[T; N]>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        super::array::serialize(a, s)
    }

    /// Reads a sequence of exactly `N` items.
    pub fn deserialize<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>, const N: usize>(
        d: D,
    ) -> Result<Box<[T; N]>, D::Error> {
        super::array::deserialize(d).map(Box::new)
    }
}
