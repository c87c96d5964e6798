//! The code-page bitmap: one bit per 4 KiB page of RAM, set while the page holds translated
//! code. Every RAM write tests it (self-modifying code, program loading and DMA into code
//! pages invalidate translations), so the test is one word load and a bit test: the bitmap is
//! an array of 64-bit words indexed by page / 64 (updated as `bitvec` `BitArray`s) rather
//! than one `BitVec`, whose pointer encoding costs a dozen host instructions to turn into a
//! word address. It covers the whole 32-bit physical space, so the test needs no bounds check
//! either.

use bitvec::array::BitArray;

/// Pages per word.
const WORD_PAGES: usize = 64;

/// Words for every page of the 32-bit physical address space (128 KiB): a page number taken
/// from a `u32` address always indexes inside, so the test on every store needs no bounds
/// check.
const WORDS: usize = (1 << 20) / WORD_PAGES;

/// One bit per RAM page.
#[derive(Clone, Debug)]
pub struct CodePages {
    /// The raw words (allocated zeroed, so untouched ones cost no memory), each read and
    /// written as a `BitArray`.
    words: Box<[u64; WORDS]>,
    pages: usize,
}

impl CodePages {
    /// A bitmap for `pages` pages, all clear.
    pub fn new(pages: usize) -> CodePages {
        CodePages {
            words: vec![0u64; WORDS]
                .into_boxed_slice()
                .try_into()
                .expect("WORDS words"),
            pages: pages.min(1 << 20),
        }
    }

    /// Pages covered.
    pub fn len(&self) -> usize {
        self.pages
    }

    /// Whether the bitmap covers no page.
    pub fn is_empty(&self) -> bool {
        self.pages == 0
    }

    /// Whether the page of physical address `pa` holds translated code (false past the end:
    /// those bits are never set).
    #[inline(always)]
    pub fn contains_addr(&self, pa: u32) -> bool {
        let page = (pa >> 12) as usize;
        (self.words[page / WORD_PAGES] >> (page % WORD_PAGES)) & 1 != 0
    }

    /// Marks or clears `page` (ignored past the end).
    pub fn set(&mut self, page: usize, value: bool) {
        if page < self.pages {
            let word = &mut self.words[page / WORD_PAGES];
            let mut bits = BitArray::<u64>::new(*word);
            bits.set(page % WORD_PAGES, value);
            *word = bits.into_inner();
        }
    }

    /// Clears every page.
    pub fn clear(&mut self) {
        self.words.fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::CodePages;

    /// Page `p`'s bit, through the address of its last byte.
    fn has(c: &CodePages, p: u32) -> bool {
        c.contains_addr(p << 12 | 0xfff)
    }

    #[test]
    fn pages_are_set_tested_and_cleared_one_by_one() {
        let mut c = CodePages::new(130);
        assert_eq!(c.len(), 130);
        for p in [0u32, 63, 64, 129] {
            assert!(!has(&c, p));
            c.set(p as usize, true);
            assert!(has(&c, p));
        }
        assert!(!has(&c, 1) && !has(&c, 65) && !has(&c, 128));
        c.set(64, false);
        assert!(!has(&c, 64) && has(&c, 63));
        // Past the end: never set, never reported.
        c.set(130, true);
        assert!(!has(&c, 130) && !c.contains_addr(u32::MAX));
        c.clear();
        assert!(!(0..130).any(|p| has(&c, p)));
    }
}
