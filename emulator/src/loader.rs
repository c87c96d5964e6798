//! Loading programs: ELF32 executables from the assembler, and flat binaries.

use crate::machine::Machine;
use isa_spec::cr::memmap;

/// Why a program could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The ELF file is malformed or not for RF32.
    #[error("{0}")]
    Elf(String),
    /// A segment does not fit in RAM or the boot ROM.
    #[error(
        "segment at {addr:#010x} ({len} bytes) does not fit in RAM (0..{ram:#x}) or the boot ROM \
         ({rom:#x}..); give more memory with -m or link at another address"
    )]
    DoesNotFit {
        /// Load address.
        addr: u32,
        /// Length.
        len: usize,
        /// RAM size.
        ram: usize,
        /// ROM base.
        rom: u32,
    },
}

impl Machine {
    /// Copies `data` to physical `addr` (RAM or boot ROM).
    pub fn load_segment(&mut self, addr: u32, data: &[u8]) -> Result<(), LoadError> {
        self.load_segment_sized(addr, data, data.len() as u64)
    }

    /// Copies `data` to physical `addr` and zero-fills the rest of its `size` bytes (an ELF
    /// segment's memory size). Where it goes is checked first, so that a size an input file
    /// controls never allocates host memory beyond the machine's own.
    pub fn load_segment_sized(
        &mut self,
        addr: u32,
        data: &[u8],
        size: u64,
    ) -> Result<(), LoadError> {
        let size = size.max(data.len() as u64);
        let end = addr as u64 + size;
        let in_ram = end <= self.ram.len() as u64;
        let in_rom =
            addr >= memmap::ROM_BASE && end <= memmap::ROM_BASE as u64 + memmap::ROM_SIZE as u64;
        if !in_ram && !in_rom {
            return Err(LoadError::DoesNotFit {
                addr,
                len: size as usize,
                ram: self.ram.len(),
                rom: memmap::ROM_BASE,
            });
        }
        self.code_epoch += 1;
        // Checked above: the range lies in RAM or in the (at most 1 MiB) ROM.
        let size = size as usize;
        if in_ram {
            // Zeros (the file's, and the rest up to `size`) allocate no RAM chunk not
            // written before.
            self.ram.write_bytes(addr, data);
            self.ram.zero(addr + data.len() as u32, size - data.len());
            return Ok(());
        }
        let off = (addr - memmap::ROM_BASE) as usize;
        if self.rom.len() < off + size {
            self.rom.resize(off + size, 0);
        }
        let (file, zeros) = self.rom[off..off + size].split_at_mut(data.len());
        file.copy_from_slice(data);
        zeros.fill(0);
        Ok(())
    }

    /// Sets the reset pc and moves the CPU there.
    pub fn set_entry(&mut self, entry: u32) {
        self.reset_pc = entry;
        self.cpu.pc = entry;
    }

    /// Loads a flat binary at `base` and makes `base` the entry point.
    pub fn load_flat(&mut self, bytes: &[u8], base: u32) -> Result<(), LoadError> {
        self.load_segment(base, bytes)?;
        self.set_entry(base);
        Ok(())
    }
}

impl Machine {
    /// Loads a program image (from the assembler, or [`rf_object::read_elf`]): every segment,
    /// zero-filled to its memory size, and the entry point.
    pub fn load_program(&mut self, prog: &rf_object::Program) -> Result<(), LoadError> {
        for seg in &prog.segments {
            let data: &[u8] = if seg.nobits { &[] } else { &seg.data };
            self.load_segment_sized(seg.addr, data, seg.size as u64)?;
        }
        self.set_entry(prog.entry);
        Ok(())
    }

    /// Loads an ELF32 RF32 executable; malformed or foreign files are refused with the reason.
    pub fn load_elf(&mut self, bytes: &[u8]) -> Result<rf_object::Program, LoadError> {
        let prog = rf_object::read_elf(bytes).map_err(|e| LoadError::Elf(e.to_string()))?;
        self.load_program(&prog)?;
        Ok(prog)
    }
}
