//! Interrupt controller: 16 edge-triggered lines with enable, pending, in-service and priority.
//!
//! Registers: [`super::regs::pic`] (SPEC.md §11.3).

use super::regs::pic as reg;
use crate::bus::{Device, Io};
use isa_spec::cr::vector::IRQ_LINES;

/// Offset of the last line's `PRIORITY` register.
const PRIORITY_LAST: u32 = reg::PRIORITY + 4 * (IRQ_LINES as u32 - 1);

/// The interrupt controller.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pic {
    /// Lines raised and not yet taken.
    pub pending: u16,
    /// Lines allowed to interrupt.
    pub enable: u16,
    /// Lines taken by the CPU and not yet ended with EOI.
    pub in_service: u16,
    /// Priority of each line (higher wins; ties go to the lower line).
    pub priority: [u8; IRQ_LINES as usize],
    /// Interrupts raised per line (for `--stats`).
    pub raised: [u64; IRQ_LINES as usize],
}

impl Pic {
    /// A device signals `line`.
    pub fn raise(&mut self, line: u8) {
        self.pending |= 1 << line;
        self.raised[line as usize] += 1;
    }

    /// Lines the CPU could take now.
    #[inline]
    pub fn deliverable(&self) -> u16 {
        self.pending & self.enable & !self.in_service
    }

    /// The line the CPU takes next, if any.
    pub fn highest(&self) -> Option<u8> {
        let d = self.deliverable();
        (0..IRQ_LINES)
            .filter(|l| d & (1 << l) != 0)
            .max_by_key(|&l| (self.priority[l as usize], std::cmp::Reverse(l)))
    }

    /// The CPU takes `line`: it stops pending and is in service until EOI.
    pub fn acknowledge(&mut self, line: u8) {
        self.pending &= !(1 << line);
        self.in_service |= 1 << line;
    }

    /// Register read.
    pub fn read(&self, offset: u32) -> Option<u32> {
        Some(match offset {
            reg::PENDING => self.pending as u32,
            reg::ENABLE => self.enable as u32,
            reg::INSERVICE => self.in_service as u32,
            reg::EOI => 0,
            reg::PRIORITY..=PRIORITY_LAST => {
                self.priority[((offset - reg::PRIORITY) / 4) as usize] as u32
            }
            _ => return None,
        })
    }

    /// Register write.
    pub fn write(&mut self, offset: u32, value: u32) -> Option<()> {
        match offset {
            reg::PENDING | reg::INSERVICE => {}
            reg::ENABLE => self.enable = value as u16,
            reg::EOI => {
                if value < IRQ_LINES as u32 {
                    self.in_service &= !(1 << value);
                }
            }
            reg::PRIORITY..=PRIORITY_LAST => {
                self.priority[((offset - reg::PRIORITY) / 4) as usize] = (value & 15) as u8
            }
            _ => return None,
        }
        Some(())
    }
}

impl Device for Pic {
    fn name(&self) -> &'static str {
        "PIC"
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, _io: &mut Io) -> Option<u32> {
        self.read(offset)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, _io: &mut Io) -> Option<()> {
        self.write(offset, value)
    }

    /// Registers cleared; the per-line counters (statistics) stay.
    fn reset(&mut self, _io: &mut Io) {
        *self = Pic {
            raised: self.raised,
            ..Pic::default()
        };
    }
}
