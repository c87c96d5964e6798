//! The physical bus between the CPU and the devices: the [`Device`] trait every device
//! implements, the [`Io`] an access or event works with, and (in `mmio`) the machine's side of
//! an MMIO access (privilege, width, latency, DMA).
//!
//! The map from address to device is the `board!` table in [`crate::devices`]: one line per
//! device (field, type, register window, reset value). Adding a device is its module, with an
//! `impl Device`, plus that line; dispatch, events, interrupts, reset, snapshot checks and the
//! engines' comparison of device state all follow from the table.

mod mmio;

use crate::host::serial::HostEvent;
use crate::host::Notice;
use crate::ram::Ram;

/// "No event": a deadline that never comes.
pub const NEVER: u64 = u64::MAX;

/// What one register access, device event or reset works with besides the device itself: the
/// time, guest RAM, and what the device hands back to the machine.
#[derive(Debug)]
pub struct Io<'a> {
    /// The cycle count: for an access, when the accessing instruction retires (SPEC.md §11.2);
    /// for an event, the boundary it is serviced at; for a reset, the count before it (the
    /// counter restarts at 0).
    pub now: u64,
    /// Guest RAM, read-only: DMA sources, and its length bounds DMA buffers. Lent only to
    /// register writes (a device starts its DMA when a command is written: SPEC.md §11.7).
    pub ram: &'a Ram,
    /// Wait states the access adds to its instruction (a UART `DATA` write to a full FIFO).
    pub stall: u64,
    /// DMA writes into RAM for the machine to perform: (physical address, bytes), each
    /// already checked to lie inside RAM.
    pub dma: Vec<(u32, Vec<u8>)>,
    /// Messages for the user (see [`crate::host::Notices`]).
    pub notices: Vec<Notice>,
    /// Requests from the person at the console (quit, write the disk back, help).
    pub host_events: Vec<HostEvent>,
    /// A host back end that keeps the machine to real time was polled.
    pub paced: bool,
}

/// What [`Io::ram`] lends when no RAM is (device events, resets).
pub(crate) static NO_RAM: Ram = Ram::EMPTY;

impl<'a> Io<'a> {
    /// An access or event at cycle `now`, with `ram` lent.
    pub fn new(now: u64, ram: &'a Ram) -> Io<'a> {
        Io {
            now,
            ram,
            stall: 0,
            dma: Vec::new(),
            notices: Vec::new(),
            host_events: Vec::new(),
            paced: false,
        }
    }
}

/// One device behind the bus: 32-bit registers in a 4 KiB window, events on the cycle clock
/// (never host time), an interrupt line, a reset. Its state is saved with serde as a field of
/// [`crate::devices::Devices`]; what is not state (host attachments) is skipped there and
/// carried over by [`Device::adopt_host`] when a state is restored.
pub trait Device {
    /// Its name in messages (a damaged saved state names the device).
    fn name(&self) -> &'static str;

    /// The interrupt line it raises, if any.
    fn line(&self) -> Option<u8> {
        None
    }

    /// Reads `size` bytes at `offset` in its window; `None` is a bus error. The bus passes
    /// register windows only 32-bit accesses (SPEC.md §11.2), so `size` is 4 there.
    fn mmio_read(&mut self, offset: u32, size: u32, io: &mut Io) -> Option<u32>;

    /// Writes the low `size` bytes of `value` at `offset`; `None` is a bus error.
    fn mmio_write(&mut self, offset: u32, size: u32, value: u32, io: &mut Io) -> Option<()>;

    /// The next cycle at which it needs [`Device::service`] ([`NEVER`]: none).
    fn next_event(&self) -> u64 {
        NEVER
    }

    /// Runs its events due at `io.now` (an instruction boundary at or past
    /// [`Device::next_event`]).
    fn service(&mut self, io: &mut Io) {
        let _ = io;
    }

    /// Takes its interrupt request: whether to raise [`Device::line`] now.
    fn take_irq(&mut self) -> bool {
        false
    }

    /// Reset (SPEC.md §13): registers to their reset values, deadlines rebased to the cycle
    /// counter restarting at 0 (`io.now` is the count before the reset); host attachments stay.
    fn reset(&mut self, io: &mut Io);

    /// Refuses a restored state no register write could have produced (a damaged file).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// After a restore, takes back the host attachments `old` had (a back end, an image file),
    /// which are not part of a saved state.
    fn adopt_host(&mut self, old: &mut Self, io: &mut Io)
    where
        Self: Sized,
    {
        let _ = (old, io);
    }
}
