//! Emulated devices, one module each, reached through the MMIO window and timed on the cycle
//! clock.

pub mod pic;
pub mod power;
pub mod timer;
pub mod uart;

use isa_spec::cr::memmap;

/// Every device of the machine.
#[derive(Clone, Debug)]
pub struct Devices {
    /// Interrupt controller.
    pub pic: pic::Pic,
    /// Timer.
    pub timer: timer::Timer,
    /// Console UART.
    pub uart: uart::Uart,
    /// Power/reset controller.
    pub power: power::Power,
    /// Device register accesses (for `--stats`).
    pub accesses: u64,
}

impl Devices {
    /// Devices in their reset state, the UART writing to `sink`.
    pub fn new(sink: uart::Sink) -> Devices {
        Devices {
            pic: pic::Pic::default(),
            timer: timer::Timer::new(),
            uart: uart::Uart::new(sink),
            power: power::Power::default(),
            accesses: 0,
        }
    }

    /// Reads the 32-bit register at physical `addr` (inside the MMIO window); `None` = bus error.
    pub fn read(&mut self, addr: u32, now: u64) -> Option<u32> {
        self.accesses += 1;
        let off = addr & 0xfff;
        match addr & !0xfff {
            memmap::PIC => self.pic.read(off),
            memmap::TIMER => self.timer.read(off, now),
            memmap::UART => self.uart.read(off),
            memmap::POWER => self.power.read(off),
            _ => None,
        }
    }

    /// Writes the 32-bit register at physical `addr`; `None` = bus error.
    pub fn write(&mut self, addr: u32, value: u32, now: u64) -> Option<()> {
        self.accesses += 1;
        let off = addr & 0xfff;
        match addr & !0xfff {
            memmap::PIC => self.pic.write(off, value),
            memmap::TIMER => self.timer.write(off, value, now),
            memmap::UART => self.uart.write(off, value),
            memmap::POWER => self.power.write(off, value),
            _ => None,
        }
    }

    /// The next cycle at which a device needs attention.
    #[inline]
    pub fn next_event(&self) -> u64 {
        self.timer.deadline
    }

    /// Runs device events due at `now` (called at instruction boundaries).
    pub fn service(&mut self, now: u64) {
        if now >= self.timer.deadline && self.timer.fire(now) {
            self.pic.raise(timer::LINE);
        }
    }
}
