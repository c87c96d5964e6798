//! The machine's side of a device access: I/O privilege, register width, latency, the end of a
//! translated block, the devices' wait states and DMA, and the framebuffer's memory window.

use crate::fault::Fault;
use crate::machine::Machine;
use isa_spec::cost::MMIO_LATENCY;
use isa_spec::cr::{memmap, num, vector};

impl Machine {
    #[inline]
    fn is_mmio(pa: u32) -> bool {
        (memmap::MMIO_BASE..memmap::MMIO_END).contains(&pa)
    }

    #[inline]
    fn is_fb(pa: u32) -> bool {
        (memmap::FB_BASE..memmap::FB_BASE + memmap::FB_SIZE).contains(&pa)
    }

    /// A load outside RAM and ROM: a device register, framebuffer memory, or a bus error.
    pub(crate) fn mmio_load(
        &mut self,
        pa: u32,
        size: u32,
        va: u32,
        ring: u8,
    ) -> Result<u32, Fault> {
        if Self::is_mmio(pa) {
            let now = self.device_access(ring, va, size)?;
            return self
                .dev
                .read(pa, now)
                .ok_or(Fault::new(vector::BUS_ERROR, va));
        }
        if Self::is_fb(pa) {
            // Framebuffer memory: any width, a device access (iopl, latency).
            self.fb_access(ring, va)?;
            return Ok(self.dev.fb_read(pa - memmap::FB_BASE, size));
        }
        Err(Fault::new(vector::BUS_ERROR, va))
    }

    /// A store outside RAM: a device register, framebuffer memory, or a bus error.
    pub(crate) fn mmio_store(
        &mut self,
        pa: u32,
        size: u32,
        value: u32,
        va: u32,
        ring: u8,
    ) -> Result<(), Fault> {
        if Self::is_mmio(pa) {
            let now = self.device_access(ring, va, size)?;
            self.trace_write(va, size, value);
            let r = self.dev.write(pa, value, now, &self.ram);
            // Wait states (a UART write to a full FIFO) lengthen the instruction.
            self.acc_extra += self.dev.take_stall() as u32;
            self.device_dma();
            return r.ok_or(Fault::new(vector::BUS_ERROR, va));
        }
        if Self::is_fb(pa) {
            self.fb_access(ring, va)?;
            self.dev.fb_write(pa - memmap::FB_BASE, size, value);
            self.trace_write(va, size, value);
            return Ok(());
        }
        Err(Fault::new(vector::BUS_ERROR, va))
    }

    /// Records a store for `--trace` (when it is on).
    fn trace_write(&mut self, va: u32, size: u32, value: u32) {
        if let Some(w) = &mut self.trace_writes {
            w.push((va, size, value));
        }
    }

    /// Performs the DMA writes devices asked for (each already checked to lie in RAM), through
    /// [`Machine::note_ram_write`] for every word touched (translated code in those pages is
    /// dropped, debugger watchpoints see the write).
    fn device_dma(&mut self) {
        for (pa, data) in self.dev.take_dma() {
            let end = pa as u64 + data.len() as u64;
            // Written first, then noted (noting reads no RAM).
            if data.is_empty() || !self.ram.write_bytes(pa, &data) {
                continue;
            }
            let mut a = pa as u64;
            while a < end {
                self.note_ram_write(a as u32);
                a = (a | 3) + 1;
            }
        }
    }

    /// The checks and costs of a device-register access (I/O privilege, word size, latency;
    /// it ends a translated block). Returns the cycle count at which the access retires.
    fn device_access(&mut self, ring: u8, va: u32, size: u32) -> Result<u64, Fault> {
        self.check_iopl(ring, va)?;
        if size != 4 {
            return Err(Fault::new(vector::BUS_ERROR, va));
        }
        self.acc_extra += MMIO_LATENCY;
        self.block_exit = true;
        Ok(self.retire_time())
    }

    /// The checks and costs of a framebuffer-memory access (any width).
    fn fb_access(&mut self, ring: u8, va: u32) -> Result<(), Fault> {
        self.check_iopl(ring, va)?;
        self.acc_extra += MMIO_LATENCY;
        self.block_exit = true;
        Ok(())
    }

    fn check_iopl(&self, ring: u8, va: u32) -> Result<(), Fault> {
        if ring as u32 > self.cpu.crs[num::IOPL as usize] & 3 {
            Err(Fault::new(vector::IO_PRIVILEGE, va))
        } else {
            Ok(())
        }
    }
}
