//! Power/reset controller: the guest stops (POWEROFF, exit code = value) or resets (RESET,
//! write 1) the machine. Registers: [`super::regs::power`] (SPEC.md §11.6).

use super::regs::power as reg;
use crate::bus::{Device, Io};

/// A request the guest made of the power controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PowerRequest {
    /// Stop with this exit code.
    Off(u32),
    /// Reset.
    Reset,
}

/// The power controller.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Power {
    /// What the guest asked for, taken by the machine after the instruction retires.
    pub request: Option<PowerRequest>,
}

impl Power {
    /// Register read (all registers read as 0).
    pub fn read(&self, offset: u32) -> Option<u32> {
        matches!(offset, 0x00 | 0x04).then_some(0)
    }

    /// Register write.
    pub fn write(&mut self, offset: u32, value: u32) -> Option<()> {
        match offset {
            reg::POWEROFF => self.request = Some(PowerRequest::Off(value)),
            reg::RESET => {
                if value & 1 != 0 {
                    self.request = Some(PowerRequest::Reset)
                }
            }
            _ => return None,
        }
        Some(())
    }
}

impl Device for Power {
    fn name(&self) -> &'static str {
        "power controller"
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, _io: &mut Io) -> Option<u32> {
        self.read(offset)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, _io: &mut Io) -> Option<()> {
        self.write(offset, value)
    }

    fn reset(&mut self, _io: &mut Io) {
        *self = Power::default();
    }
}
