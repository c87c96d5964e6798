//! Interrupt controller: 16 edge-triggered lines with enable, pending, in-service and priority.
//!
//! Registers (offsets in its 4 KiB block): 0x00 PENDING (ro), 0x04 ENABLE (rw), 0x08 INSERVICE
//! (ro), 0x0C EOI (wo: line number), 0x10 + 4n PRIORITY\[n\] (rw, 0..15).

use isa_spec::cr::vector::IRQ_LINES;

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
            0x00 => self.pending as u32,
            0x04 => self.enable as u32,
            0x08 => self.in_service as u32,
            0x0C => 0,
            0x10..=0x4C => self.priority[((offset - 0x10) / 4) as usize] as u32,
            _ => return None,
        })
    }

    /// Register write.
    pub fn write(&mut self, offset: u32, value: u32) -> Option<()> {
        match offset {
            0x00 | 0x08 => {}
            0x04 => self.enable = value as u16,
            0x0C => {
                if value < IRQ_LINES as u32 {
                    self.in_service &= !(1 << value);
                }
            }
            0x10..=0x4C => self.priority[((offset - 0x10) / 4) as usize] = (value & 15) as u8,
            _ => return None,
        }
        Some(())
    }
}

impl crate::bus::Device for Pic {
    fn name(&self) -> &'static str {
        "PIC"
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, _io: &mut crate::bus::Io) -> Option<u32> {
        self.read(offset)
    }

    fn mmio_write(
        &mut self,
        offset: u32,
        _size: u32,
        value: u32,
        _io: &mut crate::bus::Io,
    ) -> Option<()> {
        self.write(offset, value)
    }

    /// Registers cleared; the per-line counters (statistics) stay.
    fn reset(&mut self, _io: &mut crate::bus::Io) {
        *self = Pic {
            raised: self.raised,
            ..Pic::default()
        };
    }
}
