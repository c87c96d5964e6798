//! Virtual memory accesses as instructions make them: alignment, translation, then the bus.

use crate::fault::Fault;
use crate::machine::{Access, Machine};
use isa_spec::cr::{memmap, vector};

/// Physical addresses of the words of a frame, checked before any is written. A frame (at most
/// 18 words) spans at most two pages: the words before `split` are consecutive from `first`,
/// the rest from `second`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FrameAddrs {
    first: u32,
    second: u32,
    split: u32,
    len: u32,
}

impl FrameAddrs {
    /// The addresses of a frame of `words` words all in one page, from `first`.
    fn in_page(first: u32, words: u32) -> FrameAddrs {
        FrameAddrs {
            first,
            second: 0,
            split: words,
            len: words,
        }
    }

    /// The physical address of word `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u32 {
        let i = i as u32;
        if i < self.split {
            self.first.wrapping_add(4 * i)
        } else {
            self.second.wrapping_add(4 * (i - self.split))
        }
    }

    /// The addresses, lowest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len as usize).map(|i| self.get(i))
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
        if let Some(w) = self.ram.get(pa, 4) {
            return Ok(w);
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
    #[inline(always)]
    pub(crate) fn frame_addrs(
        &mut self,
        va: u32,
        words: u32,
        access: Access,
        ring: u8,
    ) -> Result<FrameAddrs, Fault> {
        // No words, no access: a gate without parameters reads nothing at the caller's sp, so
        // a misaligned caller sp is not a fault (SPEC.md §8.2).
        if words == 0 {
            return Ok(FrameAddrs::in_page(0, 0));
        }
        // The usual frame: aligned, in one page, a permitted TLB hit (or paging off), in RAM.
        // The same result and count as the general path below (one translation, a hit).
        // (The addresses, not a `Result`, come out of either path: the compiler then keeps
        // them in registers instead of assembling them on the stack.)
        let paging = self.cpu.paging();
        let in_page = self.frame_hit(va, words, access, ring, paging);
        self.tlb.hits += (paging && in_page.is_some()) as u64;
        Ok(match in_page {
            Some(pa) => FrameAddrs::in_page(pa, words),
            None => self.frame_addrs_walked(va, words, access, ring)?,
        })
    }

    /// The physical address of the usual frame of `words` (at least one) words at `va` for
    /// `access` from `ring`: aligned, in one page, a permitted TLB hit (or paging off), in RAM.
    /// `None` for any other frame ([`Machine::frame_addrs_walked`] handles it). Counts nothing:
    /// the caller counts the TLB hit (with paging on) once it uses the address. `paging` is the
    /// machine's paging bit.
    #[inline(always)]
    pub(crate) fn frame_hit(
        &self,
        va: u32,
        words: u32,
        access: Access,
        ring: u8,
        paging: bool,
    ) -> Option<u32> {
        debug_assert_eq!(paging, self.cpu.paging());
        let bytes = 4 * words;
        if va & 3 != 0 || (va & 0xfff) + bytes > 0x1000 {
            return None;
        }
        let pa = if paging {
            self.tlb.permitted_hit(va, 1, access, ring)?
        } else {
            va
        };
        self.ram.contains(pa, bytes).then_some(pa)
    }

    /// [`Machine::frame_addrs`] for any frame: across a page, through a walk, or faulting.
    #[cold]
    #[inline(never)]
    pub(crate) fn frame_addrs_walked(
        &mut self,
        va: u32,
        words: u32,
        access: Access,
        ring: u8,
    ) -> Result<FrameAddrs, Fault> {
        let mut out = FrameAddrs::in_page(0, words);
        if va & 3 != 0 {
            return Err(Fault::new(vector::MISALIGNED, va));
        }
        // One translation per page the frame touches (the same TLB entry serves the rest),
        // each page's words checked against RAM before the next page is translated: the
        // fault is the one a word-by-word check would raise first.
        let on_first = ((0x1000 - (va & 0xfff)) / 4).min(words);
        out.first = self.translate(va, access, ring)?;
        self.check_ram_words(out.first, on_first, va)?;
        if on_first < words {
            let va2 = va.wrapping_add(4 * on_first);
            out.split = on_first;
            out.second = self.translate(va2, access, ring)?;
            self.check_ram_words(out.second, words - on_first, va2)?;
        }
        Ok(out)
    }

    /// Are the `n` words from physical `pa` (virtual `va`) all in RAM? If not, the bus error
    /// is at the first word that is not.
    fn check_ram_words(&self, pa: u32, n: u32, va: u32) -> Result<(), Fault> {
        let ram = self.ram.len() as u64;
        if pa as u64 + 4 * n as u64 <= ram {
            return Ok(());
        }
        let in_ram = if pa as u64 + 4 > ram {
            0
        } else {
            (ram - pa as u64 - 4) / 4 + 1
        };
        Err(Fault::new(
            vector::BUS_ERROR,
            va.wrapping_add(4 * in_ram as u32),
        ))
    }

    /// The `N` words of a frame at the addresses [`Machine::frame_addrs`] checked.
    #[inline(always)]
    pub(crate) fn read_frame<const N: usize>(&self, pas: &FrameAddrs) -> [u32; N] {
        debug_assert_eq!(pas.len as usize, N);
        if pas.split as usize >= N {
            // The usual frame, in one page: one slice.
            return self.ram.words(pas.first as usize);
        }
        std::array::from_fn(|i| self.ram.word(pas.get(i) as usize))
    }

    /// Writes a frame of `N` words at the addresses [`Machine::frame_addrs`] checked. The usual
    /// frame, in one page with no watchpoint set, is copied here with one code-page check (the
    /// words by value, so the compiler keeps them in registers); any other through
    /// [`Machine::write_frame_words`].
    #[inline(always)]
    pub(crate) fn write_frame<const N: usize>(&mut self, pas: &FrameAddrs, words: [u32; N]) {
        debug_assert_eq!(N, pas.len as usize);
        if pas.split as usize >= N && self.watch.is_empty() {
            self.note_ram_write(pas.first);
            self.ram.set_words(pas.first as usize, &words);
            return;
        }
        self.write_frame_words(pas, &words);
    }

    /// Writes a frame's words at the addresses [`Machine::frame_addrs`] checked: what
    /// [`Machine::set_ram_word`] does for each word, with the code-page check made once per
    /// page (a frame spans at most two) and the debugger's watch checked per word only when a
    /// watchpoint is set.
    #[inline(never)]
    pub(crate) fn write_frame_words(&mut self, pas: &FrameAddrs, words: &[u32]) {
        debug_assert_eq!(words.len(), pas.len as usize);
        let watching = !self.watch.is_empty();
        let (first, second) = words.split_at((pas.split as usize).min(words.len()));
        for (start, words) in [(pas.first, first), (pas.second, second)] {
            if words.is_empty() {
                continue;
            }
            self.note_ram_write(start);
            if watching {
                for i in 1..words.len() as u32 {
                    self.note_ram_write(start + 4 * i);
                }
            }
            self.ram.set_words(start as usize, words);
        }
    }

    /// Writes a RAM word at a physical address checked by [`Machine::frame_addrs`].
    #[inline]
    pub(crate) fn set_ram_word(&mut self, pa: u32, value: u32) {
        self.note_ram_write(pa);
        self.ram.set_word(pa as usize, value);
    }
}
