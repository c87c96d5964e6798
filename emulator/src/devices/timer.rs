//! Timer: counts guest cycles (never host time), one-shot or periodic, interrupt on line 0.
//!
//! Registers: [`super::regs::timer`] (SPEC.md §11.4): CTRL bit 0 enable, bit 1 periodic, bit 2
//! interrupt enable; STATUS bit 0 fired (write 1 to clear).

use super::regs::timer as reg;
use crate::bus::{Device, Io};

/// Interrupt line of the timer.
pub const LINE: u8 = 0;

const ENABLE: u32 = 1;
const PERIODIC: u32 = 2;
const IRQ: u32 = 4;

/// The timer.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timer {
    /// CTRL register.
    pub ctrl: u32,
    /// PERIOD register.
    pub period: u32,
    /// STATUS register.
    pub fired: bool,
    /// Absolute cycle at which it fires next (`u64::MAX` when stopped).
    pub deadline: u64,
    /// Times it fired.
    pub fires: u64,
    /// An interrupt to raise (taken at once by the board: never in a saved state).
    #[serde(skip)]
    irq: bool,
}

impl Timer {
    /// A stopped timer.
    pub fn new() -> Timer {
        Timer {
            deadline: u64::MAX,
            ..Timer::default()
        }
    }

    /// Register read; `now` is the cycle count.
    pub fn read(&self, offset: u32, now: u64) -> Option<u32> {
        Some(match offset {
            reg::CTRL => self.ctrl,
            reg::PERIOD => self.period,
            reg::STATUS => self.fired as u32,
            reg::NOW_LO => now as u32,
            reg::NOW_HI => (now >> 32) as u32,
            _ => return None,
        })
    }

    /// Register write; `now` is the cycle count at which the writing instruction retires.
    pub fn write(&mut self, offset: u32, value: u32, now: u64) -> Option<()> {
        match offset {
            reg::CTRL => {
                self.ctrl = value & 7;
                self.deadline = if value & ENABLE != 0 {
                    now + self.period.max(1) as u64
                } else {
                    u64::MAX
                };
            }
            reg::PERIOD => self.period = value,
            reg::STATUS => {
                if value & 1 != 0 {
                    self.fired = false;
                }
            }
            reg::NOW_LO | reg::NOW_HI => {}
            _ => return None,
        }
        Some(())
    }

    /// Called at an instruction boundary with `now >= deadline`. Returns whether to raise the line.
    pub fn fire(&mut self, now: u64) -> bool {
        debug_assert!(now >= self.deadline);
        self.fired = true;
        self.fires += 1;
        if self.ctrl & PERIODIC != 0 {
            // Keep the period exact even when an instruction overshoots the deadline.
            self.deadline += self.period.max(1) as u64;
            if self.deadline <= now {
                let p = self.period.max(1) as u64;
                self.deadline += (now - self.deadline) / p * p + p;
            }
        } else {
            self.ctrl &= !ENABLE;
            self.deadline = u64::MAX;
        }
        self.ctrl & IRQ != 0
    }
}

impl Device for Timer {
    fn name(&self) -> &'static str {
        "timer"
    }

    fn line(&self) -> Option<u8> {
        Some(LINE)
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, io: &mut Io) -> Option<u32> {
        self.read(offset, io.now)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, io: &mut Io) -> Option<()> {
        self.write(offset, value, io.now)
    }

    fn next_event(&self) -> u64 {
        self.deadline
    }

    fn service(&mut self, io: &mut Io) {
        if io.now >= self.deadline && self.fire(io.now) {
            self.irq = true;
        }
    }

    fn take_irq(&mut self) -> bool {
        std::mem::take(&mut self.irq)
    }

    /// Stopped; the count of fires (statistics) stays.
    fn reset(&mut self, _io: &mut Io) {
        *self = Timer {
            fires: self.fires,
            ..Timer::new()
        };
    }
}
