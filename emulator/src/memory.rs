//! Virtual memory accesses as instructions make them: alignment, translation, then the bus.

use crate::fault::Fault;
use crate::machine::{Access, Machine};
use isa_spec::cr::{memmap, vector};

/// Largest frame: a gate frame with 15 parameter words.
const MAX_FRAME_WORDS: usize = isa_spec::cr::GATE_FRAME_WORDS as usize + 15;

/// Physical addresses of the words of a frame, checked before any is written (no allocation:
/// gate calls are hot).
pub(crate) struct FrameAddrs {
    pas: [u32; MAX_FRAME_WORDS],
    len: usize,
}

impl FrameAddrs {
    /// The addresses, lowest first.
    pub(crate) fn as_slice(&self) -> &[u32] {
        &self.pas[..self.len]
    }
}

impl Machine {
    /// Loads `size` bytes (1, 2, 4) at virtual `va` in the current ring (zero-extended).
    #[inline]
    pub fn load(&mut self, va: u32, size: u32) -> Result<u32, Fault> {
        if va & (size - 1) != 0 {
            return Err(Fault::new(vector::MISALIGNED, va));
        }
        let ring = self.cpu.ring();
        let pa = self.translate(va, Access::Read, ring)?;
        self.phys_load(pa, size, va, ring)
    }

    /// Stores the low `size` bytes of `value` at virtual `va` in the current ring.
    #[inline]
    pub fn store(&mut self, va: u32, size: u32, value: u32) -> Result<(), Fault> {
        if va & (size - 1) != 0 {
            return Err(Fault::new(vector::MISALIGNED, va));
        }
        let ring = self.cpu.ring();
        let pa = self.translate(va, Access::Write, ring)?;
        self.phys_store(pa, size, value, va, ring)
    }

    /// Fetches the instruction word at `pc` (RAM or ROM only).
    #[inline]
    pub fn fetch(&mut self, pc: u32) -> Result<u32, Fault> {
        let pa = self.fetch_translate(pc)?;
        self.fetch_word(pa, pc)
    }

    /// The translation half of a fetch: alignment, then translation for execute.
    #[inline]
    pub fn fetch_translate(&mut self, pc: u32) -> Result<u32, Fault> {
        if pc & 3 != 0 {
            return Err(Fault::new(vector::MISALIGNED, pc));
        }
        let ring = self.cpu.ring();
        self.translate(pc, Access::Exec, ring)
    }

    /// The bus half of a fetch: the word at physical `pa` (RAM or ROM; else a bus error at `pc`).
    #[inline]
    pub fn fetch_word(&self, pa: u32, pc: u32) -> Result<u32, Fault> {
        let i = pa as usize;
        if let Some(b) = self.ram.get(i..i + 4) {
            return Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        }
        if (memmap::MMIO_BASE..memmap::ROM_BASE).contains(&pa) {
            return Err(Fault::new(vector::BUS_ERROR, pc));
        }
        self.peek_phys(pa, 4)
            .ok_or(Fault::new(vector::BUS_ERROR, pc))
    }

    /// Translates the `words` consecutive words at `va` for `access` from `ring`, checking all of
    /// them (alignment, translation, RAM) before anything is written: used for gate and exception
    /// frames, which must be all-or-nothing.
    pub(crate) fn frame_addrs(
        &mut self,
        va: u32,
        words: u32,
        access: Access,
        ring: u8,
    ) -> Result<FrameAddrs, Fault> {
        // No words, no access: a gate without parameters reads nothing at the caller's sp, so
        // a misaligned caller sp is not a fault (SPEC.md §8.2).
        if va & 3 != 0 && words != 0 {
            return Err(Fault::new(vector::MISALIGNED, va));
        }
        let mut out = FrameAddrs {
            pas: [0; MAX_FRAME_WORDS],
            len: words as usize,
        };
        let mut pa = 0;
        for i in 0..words {
            let a = va.wrapping_add(4 * i);
            // One translation per page the frame touches (the same TLB entry serves the rest).
            pa = if i == 0 || a & 0xfff == 0 {
                self.translate(a, access, ring)?
            } else {
                pa + 4
            };
            if (pa as u64 + 4) > self.ram.len() as u64 {
                return Err(Fault::new(vector::BUS_ERROR, a));
            }
            out.pas[i as usize] = pa;
        }
        Ok(out)
    }

    /// Reads a RAM word at a physical address checked by [`Machine::frame_addrs`].
    pub(crate) fn ram_word(&self, pa: u32) -> u32 {
        let a = pa as usize;
        u32::from_le_bytes(self.ram[a..a + 4].try_into().expect("4 bytes"))
    }

    /// Writes a RAM word at a physical address checked by [`Machine::frame_addrs`].
    pub(crate) fn set_ram_word(&mut self, pa: u32, value: u32) {
        self.note_ram_write(pa);
        let a = pa as usize;
        self.ram[a..a + 4].copy_from_slice(&value.to_le_bytes());
    }
}
